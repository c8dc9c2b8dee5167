//! The 0.9 checks, run on cspgate's compiled policies ([`crate::compiled`]), and their
//! verdicts turned back into 0.9 violations.

use std::slice;

use cspgate as gate;
use cspgate::{DirectiveKind, Verdict};

use crate::compiled::{lookup, Compiled};
use crate::sandboxing_directive::{self, SandboxingFlagSet};
use crate::{
    CheckResult, CspList, Destination, Directive, Element, Initiator, InlineCheckType,
    NavigationCheckType, Origin, ParserMetadata, Policy, PolicyDisposition, Request, Response, Url,
    Violates, Violation, ViolationResource,
};

pub(crate) const fn destination(d: Destination) -> gate::Destination {
    use gate::Destination as G;
    match d {
        Destination::None => G::Empty,
        Destination::Audio => G::Audio,
        Destination::AudioWorklet => G::AudioWorklet,
        Destination::Document => G::Document,
        Destination::Embed => G::Embed,
        Destination::Font => G::Font,
        Destination::Frame => G::Frame,
        Destination::IFrame => G::IFrame,
        Destination::Image => G::Image,
        Destination::Json => G::Json,
        Destination::Manifest => G::Manifest,
        Destination::Object => G::Object,
        Destination::PaintWorklet => G::PaintWorklet,
        Destination::Report => G::Report,
        Destination::Script => G::Script,
        Destination::ServiceWorker => G::ServiceWorker,
        Destination::SharedWorker => G::SharedWorker,
        Destination::Style => G::Style,
        Destination::Text => G::Text,
        Destination::Track => G::Track,
        Destination::Video => G::Video,
        Destination::WebIdentity => G::WebIdentity,
        Destination::Worker => G::Worker,
        Destination::Xslt => G::Xslt,
    }
}

const fn initiator(i: Initiator) -> gate::Initiator {
    use gate::Initiator as G;
    match i {
        Initiator::Download => G::Download,
        Initiator::ImageSet => G::ImageSet,
        Initiator::Manifest => G::Manifest,
        Initiator::Prefetch => G::Prefetch,
        Initiator::Prerender => G::Prerender,
        Initiator::Xslt => G::Xslt,
        // "fetch" is no Fetch initiator: the empty string.
        Initiator::Fetch | Initiator::None => G::None,
    }
}

const fn parser_metadata(p: ParserMetadata) -> gate::ParserMetadata {
    match p {
        ParserMetadata::ParserInserted => gate::ParserMetadata::ParserInserted,
        ParserMetadata::NotParserInserted => gate::ParserMetadata::NotParserInserted,
        ParserMetadata::None => gate::ParserMetadata::None,
    }
}

const fn inline_type(t: InlineCheckType) -> gate::InlineType {
    match t {
        InlineCheckType::Script => gate::InlineType::Script,
        InlineCheckType::ScriptAttribute => gate::InlineType::ScriptAttribute,
        InlineCheckType::Style => gate::InlineType::Style,
        InlineCheckType::StyleAttribute => gate::InlineType::StyleAttribute,
        InlineCheckType::Navigation => gate::InlineType::Navigation,
    }
}

/// cspgate's borrowed view of a 0.9 request: the current URL is checked, the original URL
/// reported.
#[inline]
fn gate_request(r: &Request) -> gate::Request<'_> {
    gate::Request::new(&r.current_url, destination(r.destination))
        .original_url(&r.url)
        .initiator(initiator(r.initiator))
        .redirect_count(r.redirect_count)
        .nonce(&r.nonce)
        .integrity(&r.integrity_metadata)
        .parser_metadata(parser_metadata(r.parser_metadata))
}

#[inline]
fn result(blocked: bool) -> CheckResult {
    if blocked {
        CheckResult::Blocked
    } else {
        CheckResult::Allowed
    }
}

/// The policy's first directive of that name (names compare as cspgate's parser reads
/// them: ASCII case-insensitively).
fn find<'p>(policy: &'p Policy, name: &str) -> Option<&'p Directive> {
    policy
        .directive_set
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

/// A violation's directive: the effective directive's name, with the value of the directive
/// that failed.
fn directive(policy: &Policy, v: &gate::Violation<'_>) -> Directive {
    Directive {
        name: v.directive().as_str().to_owned(),
        value: find(policy, v.governing_directive().as_str())
            .map(|d| d.value.clone())
            .unwrap_or_default(),
    }
}

/// The sample of an inline or eval violation: present exactly when the failing directive
/// has `'report-sample'` (CSP3 §4.2.3 step 3.1.3, §4.4 step 3.3.6).
fn sample(directive: &Directive, v: &gate::Violation<'_>) -> Option<String> {
    directive
        .value
        .iter()
        .any(|t| t.eq_ignore_ascii_case("'report-sample'"))
        .then(|| v.sample().to_owned())
}

/// Turns each violation of `verdict` into a 0.9 violation, `resource` deciding its resource.
fn violations(
    list: &[Policy],
    compiled: &Compiled,
    verdict: &Verdict<'_>,
    mut resource: impl FnMut(&Directive, &gate::Violation<'_>) -> ViolationResource,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for v in verdict.violations() {
        let Some(policy) = list.get(compiled.source_index(v.policy_index())) else {
            continue;
        };
        let directive = directive(policy, v);
        out.push(Violation {
            resource: resource(&directive, v),
            directive,
            policy: policy.clone(),
        });
    }
    out
}

fn request_verdict(
    list: &CspList,
    request: &Request,
    check: impl for<'r> FnOnce(&gate::DocumentPolicy, &gate::Request<'r>) -> Verdict<'r>,
) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, Some(&request.origin));
    let verdict = check(&compiled.document, &gate_request(request));
    if verdict.violations().is_empty() {
        return (CheckResult::Allowed, Vec::new());
    }
    let v = violations(&list.0, &compiled, &verdict, |_, _| {
        ViolationResource::Url(request.url.clone())
    });
    (result(verdict.is_blocked()), v)
}

/// Does the list hold a policy of that disposition (read from the list as it is now)?
fn has(list: &CspList, disposition: PolicyDisposition) -> bool {
    list.0.iter().any(|p| p.disposition == disposition)
}

/// <https://w3c.github.io/webappsec-csp/#report-for-request>
pub(crate) fn report_violations_for_request(list: &CspList, request: &Request) -> Vec<Violation> {
    // Step 1 skips every enforced policy: with none report-only, nothing to look up.
    if !has(list, PolicyDisposition::Report) {
        return Vec::new();
    }
    request_verdict(list, request, |d, r| d.report_request(r)).1
}

/// <https://w3c.github.io/webappsec-csp/#should-block-request>
pub(crate) fn should_request_be_blocked(
    list: &CspList,
    request: &Request,
) -> (CheckResult, Vec<Violation>) {
    // Step 3 skips every report-only policy: with none enforced, nothing to look up.
    if !has(list, PolicyDisposition::Enforce) {
        return (CheckResult::Allowed, Vec::new());
    }
    request_verdict(list, request, |d, r| d.should_block_request(r))
}

/// <https://w3c.github.io/webappsec-csp/#should-block-response>
pub(crate) fn should_response_to_request_be_blocked(
    list: &CspList,
    request: &Request,
    response: &Response,
) -> (CheckResult, Vec<Violation>) {
    request_verdict(list, request, |d, r| d.check_response(r, &response.url))
}

/// <https://w3c.github.io/webappsec-csp/#does-request-violate-policy> (and, for a resource
/// hint, #does-resource-hint-violate-policy).
pub(crate) fn does_request_violate_policy(
    policy: &Policy,
    request: &Request,
    as_resource_hint: bool,
) -> Violates {
    let compiled = lookup(slice::from_ref(policy), Some(&request.origin));
    let mut r = gate_request(request);
    if as_resource_hint {
        r = r.initiator(gate::Initiator::Prefetch);
    }
    let verdict = compiled.document.check_request(&r);
    match verdict.violations().last() {
        // Step 3.2 keeps the last blocking directive; at most one governs a request.
        Some(v) => match find(policy, v.governing_directive().as_str()) {
            Some(d) => Violates::Directive(d.clone()),
            None => Violates::DoesNotViolate,
        },
        None => Violates::DoesNotViolate,
    }
}

/// The InlineCheck of a 0.9 element: nonceable exactly when it carries a nonce.
fn inline_check<'a>(
    element: &'a Element<'_>,
    type_: InlineCheckType,
    source: &'a str,
) -> gate::InlineCheck<'a> {
    let check = gate::InlineCheck::new(inline_type(type_), source);
    match element.nonce.as_deref() {
        Some(nonce) => check.nonce(nonce).nonceable(true),
        None => check,
    }
}

/// <https://w3c.github.io/webappsec-csp/#should-block-inline>
pub(crate) fn inline(
    list: &CspList,
    element: &Element<'_>,
    type_: InlineCheckType,
    source: &str,
) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, None);
    let verdict = compiled
        .document
        .check_inline(&inline_check(element, type_, source));
    let v = violations(&list.0, &compiled, &verdict, |d, v| {
        ViolationResource::Inline {
            sample: sample(d, v),
        }
    });
    (result(verdict.is_blocked()), v)
}

/// <https://w3c.github.io/webappsec-csp/#allow-base-for-document>
pub(crate) fn base(
    list: &CspList,
    base: &Url,
    self_origin: &Origin,
) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, Some(self_origin));
    let verdict = compiled.document.check_base_uri(base);
    let v = violations(&list.0, &compiled, &verdict, |_, _| {
        ViolationResource::Inline { sample: None }
    });
    (result(verdict.is_blocked()), v)
}

/// HTML's CSP-derived sandboxing flags.
pub(crate) fn sandbox(list: &CspList) -> Option<SandboxingFlagSet> {
    let compiled = lookup(&list.0, None);
    let document = &compiled.document;
    // Step 3: no applicable sandbox directive: the empty set, which 0.9 spells `None`.
    // (<meta> policies lost theirs when compiled.)
    document
        .policies()
        .iter()
        .any(|p| {
            p.disposition() == gate::Disposition::Enforce && p.contains(DirectiveKind::Sandbox)
        })
        .then(|| sandboxing_directive::from_cspgate(document.sandbox_flags()))
}

/// A `trusted-types-sink-group` as 0.9 passes it (`'script'`, quoted), matched ASCII
/// case-insensitively as the grammar's string literal; `'script'` is the only group Trusted
/// Types defines, so any other names nothing a policy can require.
fn sink_group(name: &str) -> Option<gate::SinkGroup> {
    name.eq_ignore_ascii_case("'script'")
        .then_some(gate::SinkGroup::Script)
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy>
pub(crate) fn trusted_types_policy_creation(
    list: &CspList,
    policy_name: &str,
    created_policy_names: &[&str],
) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, None);
    let verdict = compiled
        .document
        .check_trusted_types_policy(policy_name, created_policy_names);
    // Steps 2.9-2.10: the resource, with the name's first 40 characters as sample.
    let v = violations(&list.0, &compiled, &verdict, |_, v| {
        ViolationResource::TrustedTypePolicy {
            sample: v.sample().to_owned(),
        }
    });
    (result(verdict.is_blocked()), v)
}

/// <https://w3c.github.io/trusted-types/dist/spec/#abstract-opdef-does-sink-type-require-trusted-types>
pub(crate) fn trusted_types_required(
    list: &CspList,
    group: &str,
    include_report_only_policies: bool,
) -> bool {
    let Some(group) = sink_group(group) else {
        return false;
    };
    lookup(&list.0, None)
        .document
        .requires_trusted_types(group, include_report_only_policies)
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch>
pub(crate) fn trusted_types_sink_type_mismatch(
    list: &CspList,
    sink: &str,
    group: &str,
    source: &str,
) -> (CheckResult, Vec<Violation>) {
    // Step 4.3 skips every policy for a group none can name.
    let Some(group) = sink_group(group) else {
        return (CheckResult::Allowed, Vec::new());
    };
    let compiled = lookup(&list.0, None);
    let verdict = compiled
        .document
        .check_sink_type_mismatch(sink, group, source);
    // Steps 4.5-4.7: the resource, with `sink|` and the value's first 40 characters.
    let v = violations(&list.0, &compiled, &verdict, |_, v| {
        ViolationResource::TrustedTypeSink {
            sample: v.full_sample().into_owned(),
        }
    });
    (result(verdict.is_blocked()), v)
}

/// <https://w3c.github.io/webappsec-csp/#can-compile-strings>, steps 3-4.
pub(crate) fn eval(list: &CspList, source: &str) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, None);
    // Step 3.3.1's "does sink type require trusted types?" with 'script' and false, read from
    // the compiled policies.
    let document = &compiled.document;
    let verdict = document.check_eval(source, document.trusted_types_required_for_eval());
    let v = violations(&list.0, &compiled, &verdict, |d, v| {
        ViolationResource::Eval {
            sample: sample(d, v),
        }
    });
    (result(verdict.is_blocked()), v)
}

/// <https://w3c.github.io/webappsec-csp/#can-compile-wasm-bytes>
pub(crate) fn wasm(list: &CspList) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, None);
    let verdict = compiled.document.check_wasm();
    let v = violations(&list.0, &compiled, &verdict, |_, _| {
        ViolationResource::WasmEval
    });
    (result(verdict.is_blocked()), v)
}

const fn navigation_type(n: NavigationCheckType) -> gate::NavigationType {
    match n {
        NavigationCheckType::FormSubmission => gate::NavigationType::FormSubmission,
        NavigationCheckType::Other => gate::NavigationType::Other,
    }
}

/// Writes the `javascript:` URL a Trusted Types default policy produced into the request:
/// its URL (Trusted Types' pre-navigation check step 7), and its current URL too when the
/// two were the same (no redirect: Fetch's URL list then holds one URL, which is both).
fn apply_converted_url(request: &mut Request, converted: Option<Url>) {
    let Some(new_url) = converted else {
        return;
    };
    if request.current_url == request.url {
        request.current_url = new_url.clone();
    }
    request.url = new_url;
}

/// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>, with the
/// pre-navigation checks of `form-action` and Trusted Types' `require-trusted-types-for`.
pub(crate) fn navigation_request<F>(
    list: &CspList,
    request: &mut Request,
    navigation: NavigationCheckType,
    url_processor: F,
) -> (CheckResult, Vec<Violation>)
where
    F: FnMut(&str) -> Option<String>,
{
    let compiled = lookup(&list.0, Some(&request.origin));
    check_navigation(&compiled, request, navigation, url_processor, |verdict| {
        // Steps 2.1.3 (a pre-navigation violation: the request's URL) and 3.1.1.3 (a
        // `javascript:` URL's inline violation: "inline", no sample).
        let v = violations(&list.0, &compiled, verdict, |_, v| match v.resource() {
            gate::Resource::Url(url) => ViolationResource::Url(url.clone()),
            _ => ViolationResource::Inline { sample: None },
        });
        (result(verdict.is_blocked()), v)
    })
}

/// Runs the pre-navigation checks of `compiled` on `request`, reads the verdict with `read`,
/// then rewrites the request's URL where Trusted Types' default policy converted it (the
/// verdict borrows the request, so it is read first).
fn check_navigation<F, T>(
    compiled: &Compiled,
    request: &mut Request,
    navigation: NavigationCheckType,
    url_processor: F,
    read: impl FnOnce(&Verdict<'_>) -> T,
) -> T
where
    F: FnMut(&str) -> Option<String>,
{
    let (verdict, converted) = compiled
        .document
        .check_navigation_request_with_trusted_types(
            &gate_request(request),
            navigation_type(navigation),
            url_processor,
        )
        .into_parts();
    let answer = read(&verdict);
    drop(verdict);
    apply_converted_url(request, converted);
    answer
}

/// <https://w3c.github.io/webappsec-csp/#should-block-navigation-response>
pub(crate) fn navigation_response(
    list: &CspList,
    response: &Response,
    self_origin: &Origin,
    parent_navigable_origins: &[Url],
) -> (CheckResult, Vec<Violation>) {
    let compiled = lookup(&list.0, Some(self_origin));
    // The ancestors are given as URLs; CSP3 §6.4.2 step 6.2 matches the URL of each one's
    // origin.
    let ancestors: Vec<Origin> = parent_navigable_origins.iter().map(Url::origin).collect();
    let verdict = compiled
        .document
        .check_navigation_response(&response.url, ancestors.iter());
    let v = violations(&list.0, &compiled, &verdict, |_, _| {
        ViolationResource::Url(response.url.clone())
    });
    (result(verdict.is_blocked()), v)
}

/// `policy` with `directive` in place of its directive of the same name (or added): the
/// context in which a single directive's check runs.
fn policy_with(policy: &Policy, directive: &Directive) -> Policy {
    let mut p = policy.clone();
    match p
        .directive_set
        .iter_mut()
        .find(|d| d.name.eq_ignore_ascii_case(&directive.name))
    {
        Some(d) => *d = directive.clone(),
        None => p.directive_set.push(directive.clone()),
    }
    p
}

/// Did a violation of `verdict` fail on `directive`?
fn failed_on(verdict: &Verdict<'_>, directive: &Directive) -> CheckResult {
    result(verdict.violations().iter().any(|v| {
        v.governing_directive()
            .as_str()
            .eq_ignore_ascii_case(&directive.name)
    }))
}

/// A directive's pre-request check (`response` `None`) or post-request check.
pub(crate) fn directive_request(
    directive: &Directive,
    request: &Request,
    response: Option<&Response>,
    policy: &Policy,
) -> CheckResult {
    let p = policy_with(policy, directive);
    let compiled = lookup(slice::from_ref(&p), Some(&request.origin));
    let r = gate_request(request);
    let verdict = match response {
        None => compiled.document.check_request(&r),
        Some(response) => compiled.document.check_response(&r, &response.url),
    };
    failed_on(&verdict, directive)
}

/// A directive's inline check.
pub(crate) fn directive_inline(
    directive: &Directive,
    element: &Element<'_>,
    type_: InlineCheckType,
    policy: &Policy,
    source: &str,
) -> CheckResult {
    let p = policy_with(policy, directive);
    let compiled = lookup(slice::from_ref(&p), None);
    let verdict = compiled
        .document
        .check_inline(&inline_check(element, type_, source));
    failed_on(&verdict, directive)
}

/// A directive's pre-navigation check: `form-action` and `require-trusted-types-for` have
/// one; every other directive allows.
pub(crate) fn directive_navigation<F>(
    directive: &Directive,
    request: &mut Request,
    navigation: NavigationCheckType,
    url_processor: F,
    policy: &Policy,
) -> CheckResult
where
    F: FnMut(&str) -> Option<String>,
{
    let has_check = ["form-action", "require-trusted-types-for"]
        .iter()
        .any(|n| directive.name.eq_ignore_ascii_case(n));
    if !has_check {
        return CheckResult::Allowed;
    }
    // The directive alone: a policy's other pre-navigation check must neither call the
    // engine's default policy nor rewrite the request here.
    let p = Policy {
        directive_set: vec![directive.clone()],
        disposition: policy.disposition,
        source: policy.source,
    };
    let compiled = lookup(slice::from_ref(&p), Some(&request.origin));
    check_navigation(&compiled, request, navigation, url_processor, |verdict| {
        failed_on(verdict, directive)
    })
}

/// A directive's navigation response check.
pub(crate) fn directive_navigation_response(
    directive: &Directive,
    response: &Response,
    self_origin: &Origin,
    parent_navigable_origins: &[Url],
    policy: &Policy,
) -> CheckResult {
    if !directive.name.eq_ignore_ascii_case("frame-ancestors") {
        return CheckResult::Allowed;
    }
    let p = policy_with(policy, directive);
    let list = CspList(vec![p]);
    let (result, _) = navigation_response(&list, response, self_origin, parent_navigable_origins);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicySource, Request};

    fn request(url: &str) -> Request {
        let url = Url::parse(url).unwrap();
        Request {
            url: url.clone(),
            current_url: url,
            origin: Url::parse("https://a.test").unwrap().origin(),
            redirect_count: 0,
            destination: Destination::Document,
            initiator: Initiator::None,
            nonce: String::new(),
            integrity_metadata: String::new(),
            parser_metadata: ParserMetadata::None,
        }
    }

    #[test]
    fn a_directive_pre_navigation_check_runs_that_directive_alone() {
        let policy = Policy::parse(
            "form-action 'self'; require-trusted-types-for 'script'",
            PolicySource::Header,
            PolicyDisposition::Enforce,
        );
        let (form_action, require) = (&policy.directive_set[0], &policy.directive_set[1]);
        let form = NavigationCheckType::FormSubmission;

        // require-trusted-types-for: the default policy's conversion reaches the request.
        let mut r = request("javascript:alert(1)");
        let mut seen = Vec::new();
        let result = require.pre_navigation_check(
            &mut r,
            form,
            |s: &str| {
                seen.push(s.to_owned());
                Some("void 0".to_owned())
            },
            &policy,
        );
        assert_eq!(result, CheckResult::Allowed);
        assert_eq!(seen, ["alert(1)"]);
        assert_eq!(r.url.as_str(), "javascript:void 0");
        assert_eq!(r.current_url, r.url);
        // No conversion: blocked, the request unchanged.
        let mut r = request("javascript:alert(1)");
        let result = require.pre_navigation_check(&mut r, form, |_: &str| None, &policy);
        assert_eq!(result, CheckResult::Blocked);
        assert_eq!(r.url.as_str(), "javascript:alert(1)");

        // form-action never calls the engine's default policy, though its policy also holds
        // require-trusted-types-for.
        let mut r = request("javascript:alert(1)");
        let result = form_action.pre_navigation_check(
            &mut r,
            form,
            |_: &str| -> Option<String> { panic!("form-action converts nothing") },
            &policy,
        );
        assert_eq!(result, CheckResult::Blocked);
        assert_eq!(r.url.as_str(), "javascript:alert(1)");
        let mut r = request("https://a.test/submit");
        let result = form_action.pre_navigation_check(&mut r, form, |_: &str| None, &policy);
        assert_eq!(result, CheckResult::Allowed);
        let mut r = request("https://b.test/submit");
        let result = form_action.pre_navigation_check(&mut r, form, |_: &str| None, &policy);
        assert_eq!(result, CheckResult::Blocked);
        let other = NavigationCheckType::Other;
        let result = form_action.pre_navigation_check(&mut r, other, |_: &str| None, &policy);
        assert_eq!(result, CheckResult::Allowed);

        // A directive without a pre-navigation check allows.
        let img = Directive {
            name: "img-src".into(),
            value: vec!["'none'".into()],
        };
        let mut r = request("javascript:alert(1)");
        let result = img.pre_navigation_check(&mut r, form, |_: &str| None, &policy);
        assert_eq!(result, CheckResult::Allowed);
    }
}
