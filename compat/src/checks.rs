//! The 0.9 checks, run on cspgate's compiled policies ([`crate::compiled`]), and their
//! verdicts turned back into 0.9 violations.

use std::slice;

use cspgate as gate;
use cspgate::{DirectiveKind, Verdict};

use crate::compiled::{lookup, Compiled};
use crate::sandboxing_directive::{self, SandboxingFlagSet};
use crate::{
    trusted_types, CheckResult, CspList, Destination, Directive, Element, Initiator,
    InlineCheckType, NavigationCheckType, Origin, ParserMetadata, Policy, PolicyDisposition,
    Request, Response, Url, Violates, Violation, ViolationResource,
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

/// <https://w3c.github.io/webappsec-csp/#can-compile-strings>, steps 3-4.
pub(crate) fn eval(list: &CspList, source: &str) -> (CheckResult, Vec<Violation>) {
    // Trusted Types' "does sink type require trusted types?" with 'script' and false.
    let trusted_types_required = trusted_types::sink_type_requires(list, "'script'", false);
    let compiled = lookup(&list.0, None);
    let verdict = compiled.document.check_eval(source, trusted_types_required);
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

/// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>
pub(crate) fn navigation_request<F>(
    list: &CspList,
    request: &mut Request,
    navigation: NavigationCheckType,
    mut url_processor: F,
) -> (CheckResult, Vec<Violation>)
where
    F: FnMut(&str) -> Option<String>,
{
    // Step 2, the require-trusted-types-for directives (they may rewrite the request's URL,
    // which every later step reads).
    let mut ordered: Vec<(usize, usize, Violation)> = Vec::new();
    let mut blocked = false;
    for (i, policy) in list.0.iter().enumerate() {
        let Some(position) = policy
            .directive_set
            .iter()
            .position(|d| d.name == "require-trusted-types-for")
        else {
            continue;
        };
        if trusted_types::pre_navigation(request, &mut url_processor) == CheckResult::Allowed {
            continue;
        }
        // Steps 2.1.2-2.1.5: the directive's name, the request's URL.
        ordered.push((
            i,
            position,
            Violation {
                resource: ViolationResource::Url(request.url.clone()),
                directive: policy.directive_set[position].clone(),
                policy: policy.clone(),
            },
        ));
        blocked |= policy.disposition == PolicyDisposition::Enforce;
    }
    // Step 2, form-action, then step 3 (a javascript: URL's inline check, skipped when an
    // enforced policy already blocked).
    let compiled = lookup(&list.0, Some(&request.origin));
    let nav = match navigation {
        NavigationCheckType::FormSubmission => gate::NavigationType::FormSubmission,
        NavigationCheckType::Other => gate::NavigationType::Other,
    };
    let verdict = compiled
        .document
        .check_navigation_request(&gate_request(request), nav);
    let mut inline = Vec::new();
    for v in verdict.violations() {
        let i = compiled.source_index(v.policy_index());
        let Some(policy) = list.0.get(i) else {
            continue;
        };
        let d = directive(policy, v);
        if v.directive() == DirectiveKind::FormAction {
            let position = policy
                .directive_set
                .iter()
                .position(|x| x.name.eq_ignore_ascii_case("form-action"))
                .unwrap_or(usize::MAX);
            blocked |= v.disposition() == gate::Disposition::Enforce;
            ordered.push((
                i,
                position,
                Violation {
                    resource: ViolationResource::Url(request.url.clone()),
                    directive: d,
                    policy: policy.clone(),
                },
            ));
        } else {
            inline.push((
                v.disposition(),
                Violation {
                    resource: ViolationResource::Inline { sample: None },
                    directive: d,
                    policy: policy.clone(),
                },
            ));
        }
    }
    ordered.sort_by_key(|(i, position, _)| (*i, *position));
    let mut out: Vec<Violation> = ordered.into_iter().map(|(_, _, v)| v).collect();
    // Step 3 runs only when steps 1-2 allowed.
    if !blocked {
        for (disposition, v) in inline {
            blocked |= disposition == gate::Disposition::Enforce;
            out.push(v);
        }
    }
    (result(blocked), out)
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

/// A directive's pre-navigation check.
pub(crate) fn directive_navigation<F>(
    directive: &Directive,
    request: &mut Request,
    navigation: NavigationCheckType,
    mut url_processor: F,
    policy: &Policy,
) -> CheckResult
where
    F: FnMut(&str) -> Option<String>,
{
    if directive
        .name
        .eq_ignore_ascii_case("require-trusted-types-for")
    {
        return trusted_types::pre_navigation(request, &mut url_processor);
    }
    if !directive.name.eq_ignore_ascii_case("form-action") {
        return CheckResult::Allowed;
    }
    let p = policy_with(policy, directive);
    let compiled = lookup(slice::from_ref(&p), Some(&request.origin));
    let nav = match navigation {
        NavigationCheckType::FormSubmission => gate::NavigationType::FormSubmission,
        NavigationCheckType::Other => gate::NavigationType::Other,
    };
    let verdict = compiled
        .document
        .check_navigation_request(&gate_request(request), nav);
    failed_on(&verdict, directive)
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
