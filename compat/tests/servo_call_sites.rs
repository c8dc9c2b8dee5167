//! The `content-security-policy` 0.9 API used the way Servo's call sites use it (the fetch
//! checks of `components/net/fetch/methods.rs`, `components/script/dom/security/csp.rs`,
//! `htmlmetaelement.rs`, `trustedtypepolicyfactory.rs`, `script_runtime.rs`,
//! `htmlbaseelement.rs`, `servoparser/mod.rs` and the iframe `sandbox` attribute, the
//! policy container, the violation IPC message, the preload key), written against 0.9 only:
//! it compiles unchanged against compat/, and its assertions hold there.
//!
//! The exhaustive `match`es (no `_` arm) are part of the check: 0.9's enums must stay
//! exhaustive with the same variants.

#![allow(clippy::unwrap_used)] // A test: broken fixtures should panic.

use std::borrow::Cow;
use std::collections::HashMap;

use content_security_policy as csp;
use content_security_policy::sandboxing_directive::{
    parse_a_sandboxing_directive, SandboxingFlagSet,
};
use content_security_policy::{
    CheckResult, CspList, Destination, Element as CspElement, Initiator, InlineCheckType,
    NavigationCheckType, Origin, ParserMetadata, Policy, PolicyDisposition, PolicySource,
    SubresourceIntegrityMetadata, Url, Violation, ViolationResource,
};

/// Servo's policy container: cloned into every request builder and again in `main_fetch`,
/// sent over IPC with the request.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct PolicyContainer {
    csp_list: Option<CspList>,
    referrer_policy: u8,
}

/// The engine's own destination type maps onto the crate's exhaustively.
fn servo_destination(name: &str) -> Destination {
    name.parse().unwrap_or(Destination::None)
}

/// Exhaustive over `Destination`: a new or missing variant breaks the build.
fn is_navigation(d: Destination) -> bool {
    match d {
        Destination::Document | Destination::Frame | Destination::IFrame => true,
        Destination::None
        | Destination::Audio
        | Destination::AudioWorklet
        | Destination::Embed
        | Destination::Font
        | Destination::Image
        | Destination::Json
        | Destination::Manifest
        | Destination::Object
        | Destination::PaintWorklet
        | Destination::Report
        | Destination::Script
        | Destination::ServiceWorker
        | Destination::SharedWorker
        | Destination::Style
        | Destination::Text
        | Destination::Track
        | Destination::Video
        | Destination::WebIdentity
        | Destination::Worker
        | Destination::Xslt => false,
    }
}

// --- components/script/dom/security/csp.rs: parsing response headers ---------------------

fn concatenate(old: Option<CspList>, new: Option<CspList>) -> Option<CspList> {
    let Some(new) = new else { return old };
    match old {
        None => Some(new),
        Some(mut old) => {
            old.append(new);
            Some(old)
        }
    }
}

fn parse_csp_list_from_metadata(headers: &[(&str, &str)]) -> Option<CspList> {
    let mut list = None;
    for (name, value) in headers {
        let disposition = match *name {
            "content-security-policy" => PolicyDisposition::Enforce,
            "content-security-policy-report-only" => PolicyDisposition::Report,
            _ => continue,
        };
        list = concatenate(
            list,
            Some(CspList::parse(value, PolicySource::Header, disposition)),
        );
    }
    list
}

// --- components/net/fetch/methods.rs ------------------------------------------------------

fn create_a_csp_request(
    url: &Url,
    origin: &Origin,
    destination: Destination,
    nonce: &str,
    integrity: &str,
) -> csp::Request {
    csp::Request {
        url: url.clone(),
        current_url: url.clone(),
        origin: origin.clone(),
        redirect_count: 0,
        destination,
        initiator: Initiator::None,
        nonce: nonce.to_owned(),
        integrity_metadata: integrity.to_owned(),
        parser_metadata: ParserMetadata::ParserInserted,
    }
}

/// A navigation request to `url` from an opaque origin, as script-side navigations make one.
fn navigation_request(url: &str) -> csp::Request {
    let url = Url::parse(url).unwrap();
    csp::Request {
        url: url.clone(),
        current_url: url,
        origin: Origin::new_opaque(),
        redirect_count: 0,
        destination: Destination::None,
        initiator: Initiator::None,
        nonce: String::new(),
        integrity_metadata: String::new(),
        parser_metadata: ParserMetadata::None,
    }
}

fn should_request_be_blocked_by_csp(
    csp_request: &csp::Request,
    policy_container: &PolicyContainer,
) -> (CheckResult, Vec<Violation>) {
    policy_container
        .csp_list
        .as_ref()
        .map(|c| c.should_request_be_blocked(csp_request))
        .unwrap_or((CheckResult::Allowed, Vec::new()))
}

fn report_violations_for_request_by_csp(
    csp_request: &csp::Request,
    policy_container: &PolicyContainer,
) -> Vec<Violation> {
    policy_container
        .csp_list
        .as_ref()
        .map(|c| c.report_violations_for_request(csp_request))
        .unwrap_or_default()
}

fn should_response_be_blocked_by_csp(
    csp_request: &csp::Request,
    response_url: &Url,
    policy_container: &PolicyContainer,
) -> (CheckResult, Vec<Violation>) {
    let csp_response = csp::Response {
        url: response_url.clone(),
        redirect_count: csp_request.redirect_count,
    };
    policy_container
        .csp_list
        .as_ref()
        .map(|c| c.should_response_to_request_be_blocked(csp_request, &csp_response))
        .unwrap_or((CheckResult::Allowed, Vec::new()))
}

/// `main_fetch`'s CSP steps; returns "network error" and the violations sent to script.
fn main_fetch(
    builder_container: &PolicyContainer,
    url: &Url,
    response_url: &Url,
    destination: Destination,
    origin: &Origin,
) -> (bool, Vec<Violation>) {
    let policy_container = builder_container.clone();
    assert_eq!(
        policy_container.referrer_policy,
        builder_container.referrer_policy
    );
    let csp_request = create_a_csp_request(url, origin, destination, "", "");
    let mut violations = report_violations_for_request_by_csp(&csp_request, &policy_container);
    let (result, v) = should_request_be_blocked_by_csp(&csp_request, &policy_container);
    violations.extend(v);
    if result == CheckResult::Blocked {
        return (true, violations);
    }
    let (result, v) =
        should_response_be_blocked_by_csp(&csp_request, response_url, &policy_container);
    violations.extend(v);
    (result == CheckResult::Blocked, violations)
}

// --- the report side of csp.rs: what script does with each violation ---------------------

struct Report {
    resource: String,
    sample: Option<String>,
    effective_directive: String,
    original_policy: String,
    report_only: bool,
}

fn report_csp_violations(violations: Vec<Violation>) -> Vec<Report> {
    violations
        .into_iter()
        .map(|violation| {
            // Exhaustive over ViolationResource.
            let (sample, resource) = match violation.resource {
                ViolationResource::Inline { sample } => (sample, "inline".to_owned()),
                ViolationResource::Url(url) => (Some(String::new()), url.into()),
                ViolationResource::TrustedTypePolicy { sample } => {
                    (Some(sample), "trusted-types-policy".to_owned())
                }
                ViolationResource::TrustedTypeSink { sample } => {
                    (Some(sample), "trusted-types-sink".to_owned())
                }
                ViolationResource::Eval { sample } => (sample, "eval".to_owned()),
                ViolationResource::WasmEval => (None, "wasm-eval".to_owned()),
            };
            Report {
                resource,
                sample,
                effective_directive: violation.directive.name,
                original_policy: violation.policy.to_string(),
                report_only: violation.policy.disposition == PolicyDisposition::Report,
            }
        })
        .collect()
}

#[test]
fn fetch_checks_as_main_fetch_runs_them() {
    let headers = [
        (
            "content-security-policy",
            "default-src 'self'; img-src https:",
        ),
        (
            "content-security-policy-report-only",
            "img-src https://cdn.test",
        ),
    ];
    let container = PolicyContainer {
        csp_list: parse_csp_list_from_metadata(&headers),
        referrer_policy: 0,
    };
    assert_eq!(container.csp_list.as_ref().unwrap().0.len(), 2);
    let origin = Url::parse("https://app.test/").unwrap().origin();

    // An image elsewhere on https: allowed, reported by the report-only policy.
    let img = Url::parse("https://images.test/a.png").unwrap();
    let (blocked, violations) =
        main_fetch(&container, &img, &img, servo_destination("image"), &origin);
    assert!(!blocked);
    let reports = report_csp_violations(violations);
    // Once by "report violations for request", once by the response check, which runs
    // every policy's post-request checks (CSP3 §4.1.3).
    assert_eq!(reports.len(), 2);
    for report in &reports {
        assert!(report.report_only);
        assert_eq!(report.effective_directive, "img-src");
        assert_eq!(report.resource, "https://images.test/a.png");
        assert_eq!(report.sample.as_deref(), Some(""));
        assert_eq!(report.original_policy, "img-src https://cdn.test");
    }

    // A cross-origin fetch(): blocked by default-src, reported as connect-src.
    let api = Url::parse("https://api.other.test/v1").unwrap();
    let (blocked, violations) = main_fetch(&container, &api, &api, Destination::None, &origin);
    assert!(blocked);
    let reports = report_csp_violations(violations);
    assert_eq!(reports[0].effective_directive, "connect-src");
    assert_eq!(
        reports[0].original_policy,
        "default-src 'self'; img-src https:"
    );
    assert!(!reports[0].report_only);

    // Same-origin script, redirected by a service worker to another origin: the response
    // check blocks it.
    let script = Url::parse("https://app.test/app.js").unwrap();
    let elsewhere = Url::parse("https://cdn.other.test/app.js").unwrap();
    let (blocked, _) = main_fetch(
        &container,
        &script,
        &elsewhere,
        Destination::Script,
        &origin,
    );
    assert!(blocked);
    let (blocked, _) = main_fetch(&container, &script, &script, Destination::Script, &origin);
    assert!(!blocked);
    assert!(!is_navigation(Destination::Script));

    // No policy container list: everything is allowed.
    let (blocked, v) = main_fetch(
        &PolicyContainer::default(),
        &api,
        &api,
        Destination::None,
        &origin,
    );
    assert!(!blocked && v.is_empty());
}

// --- htmlmetaelement.rs and the document's list ---------------------------------------------

#[test]
fn meta_policies_drop_their_ignored_directives_and_apply() {
    let mut document_list = parse_csp_list_from_metadata(&[]);
    assert!(document_list.is_none());
    let content = "script-src 'none'; frame-ancestors 'none'; report-uri /r";
    let mut policy = Policy::parse(content, PolicySource::Meta, PolicyDisposition::Enforce);
    policy.directive_set.retain(|directive| {
        !matches!(
            directive.name.as_str(),
            "report-uri" | "frame-ancestors" | "sandbox"
        )
    });
    match document_list {
        Some(ref mut list) => list.push(policy),
        None => document_list = Some(CspList(vec![policy])),
    }
    let list = document_list.unwrap();
    assert!(!list.contains_a_header_delivered_content_security_policy());
    assert_eq!(list.to_string(), "script-src 'none'");
    let (result, violations) = list.should_elements_inline_type_behavior_be_blocked(
        &CspElement { nonce: None },
        InlineCheckType::Script,
        "alert(1)",
    );
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(violations[0].directive.name, "script-src-elem");
    assert_eq!(
        violations[0].resource,
        ViolationResource::Inline { sample: None }
    );
}

// --- inline checks, eval, wasm, javascript: navigations (csp.rs, script_runtime.rs) -------

#[test]
fn script_side_checks() {
    let list = CspList::parse(
        "script-src 'nonce-r4nd0m' 'report-sample'; style-src 'self'",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    // Servo passes the nonce only for nonceable elements.
    let nonceable = CspElement {
        nonce: Some(Cow::Owned(" r4nd0m ".trim().to_owned())),
    };
    for (element, expected) in [
        (nonceable, CheckResult::Allowed),
        (CspElement { nonce: None }, CheckResult::Blocked),
    ] {
        let (result, _) = list.should_elements_inline_type_behavior_be_blocked(
            &element,
            InlineCheckType::Script,
            "go()",
        );
        assert_eq!(result, expected);
    }
    // Exhaustive over InlineCheckType.
    for t in [
        InlineCheckType::Script,
        InlineCheckType::ScriptAttribute,
        InlineCheckType::Style,
        InlineCheckType::StyleAttribute,
        InlineCheckType::Navigation,
    ] {
        let expected_directive = match t {
            InlineCheckType::Script | InlineCheckType::Navigation => "script-src-elem",
            InlineCheckType::ScriptAttribute => "script-src-attr",
            InlineCheckType::Style => "style-src-elem",
            InlineCheckType::StyleAttribute => "style-src-attr",
        };
        let (result, v) = list.should_elements_inline_type_behavior_be_blocked(
            &CspElement { nonce: None },
            t,
            "x",
        );
        assert_eq!(result, CheckResult::Blocked);
        assert_eq!(v[0].directive.name, expected_directive);
    }

    // script_runtime.rs: Trusted Types first, then eval.
    let required = list.does_sink_type_require_trusted_types("'script'", false);
    assert!(!required);
    let (result, v) = list.is_js_evaluation_allowed("eval('1 + 1')");
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(
        v[0].resource,
        ViolationResource::Eval {
            sample: Some("eval('1 + 1')".into())
        }
    );
    let (result, _) = list.is_wasm_evaluation_allowed();
    assert_eq!(result, CheckResult::Blocked);

    // A javascript: navigation, with Servo's Trusted Types callback (no default policy here:
    // the URL passes through).
    let mut request = navigation_request("javascript:void(0)");
    let (result, violations) = list.should_navigation_request_be_blocked(
        &mut request,
        NavigationCheckType::Other,
        |script_source| Some(script_source.to_owned()),
    );
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(violations[0].directive.name, "script-src-elem");
    assert_eq!(request.url.as_str(), "javascript:void(0)");
}

// --- trustedtypepolicyfactory.rs and the sinks ----------------------------------------------

#[test]
fn trusted_types() {
    let list = CspList::parse(
        "trusted-types app 'allow-duplicates'; require-trusted-types-for 'script'",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let created = ["app"];
    assert_eq!(
        list.is_trusted_type_policy_creation_allowed("app", &created)
            .0,
        CheckResult::Allowed
    );
    let (result, violations) = list.is_trusted_type_policy_creation_allowed("other", &created);
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(
        violations[0].resource,
        ViolationResource::TrustedTypePolicy {
            sample: "other".into()
        }
    );
    assert!(list.does_sink_type_require_trusted_types("'script'", false));
    let (result, violations) = list.should_sink_type_mismatch_violation_be_blocked_by_csp(
        "Element innerHTML",
        "'script'",
        "<img src=x onerror=alert(1)>",
    );
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(
        violations[0].resource,
        ViolationResource::TrustedTypeSink {
            sample: "Element innerHTML|<img src=x onerror=alert(1)>".into()
        }
    );
    // A default policy that refuses the javascript: URL blocks the navigation.
    let mut request = navigation_request("javascript:alert(1)");
    let (result, violations) =
        list.should_navigation_request_be_blocked(&mut request, NavigationCheckType::Other, |_| {
            None
        });
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(violations[0].directive.name, "require-trusted-types-for");
    // One that converts it: the converted URL reaches the engine.
    let url = Url::parse("javascript:alert(1)").unwrap();
    request.url = url.clone();
    request.current_url = url;
    let (result, _) =
        list.should_navigation_request_be_blocked(&mut request, NavigationCheckType::Other, |s| {
            Some(format!("/*checked*/{s}"))
        });
    assert_eq!(result, CheckResult::Allowed);
    assert_eq!(request.url.as_str(), "javascript:/*checked*/alert(1)");
}

// --- htmlbaseelement.rs, servoparser/mod.rs, the iframe sandbox attribute, frame-ancestors --

#[test]
fn document_level_checks() {
    let list = CspList::parse(
        "base-uri 'self'; sandbox allow-scripts; frame-ancestors https://partner.test",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let document_origin = Url::parse("https://app.test/page").unwrap().origin();
    let (result, _) = list.is_base_allowed_for_document(
        &Url::parse("https://app.test/base/").unwrap(),
        &document_origin,
    );
    assert_eq!(result, CheckResult::Allowed);
    let (result, violations) = list
        .is_base_allowed_for_document(&Url::parse("https://evil.test/").unwrap(), &document_origin);
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(violations[0].directive.name, "base-uri");

    // servoparser: the CSP-derived sandboxing flags of the new document.
    let flags = list
        .get_sandboxing_flag_set_for_document()
        .unwrap_or_default();
    assert!(flags.contains(SandboxingFlagSet::SANDBOXED_ORIGIN_BROWSING_CONTEXT_FLAG));
    assert!(!flags.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
    // The iframe sandbox attribute, split by the engine.
    let tokens: Vec<String> = "allow-same-origin allow-forms"
        .split_ascii_whitespace()
        .map(str::to_owned)
        .collect();
    let attribute = parse_a_sandboxing_directive(&tokens);
    assert!(!attribute.contains(SandboxingFlagSet::SANDBOXED_ORIGIN_BROWSING_CONTEXT_FLAG));
    assert!(attribute.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));

    // frame-ancestors, on the response's list.
    let response = csp::Response {
        url: Url::parse("https://app.test/page").unwrap(),
        redirect_count: 0,
    };
    let partner = vec![Url::parse("https://partner.test/").unwrap()];
    let evil = vec![Url::parse("https://evil.test/").unwrap()];
    let check = |ancestors: &Vec<Url>| {
        list.should_navigation_response_to_navigation_request_be_blocked(
            &response,
            &document_origin,
            ancestors,
        )
        .0
    };
    assert_eq!(check(&partner), CheckResult::Allowed);
    assert_eq!(check(&evil), CheckResult::Blocked);
}

// --- the preload key --------------------------------------------------------------------------

#[derive(Clone, Debug, Eq, Hash, PartialEq)]
struct PreloadKey {
    url: Url,
    destination: Destination,
    integrity_is_empty: bool,
}

#[test]
fn preload_keys_and_integrity_metadata() {
    let mut preloads: HashMap<PreloadKey, &str> = HashMap::new();
    let url = Url::parse("https://cdn.test/lib.js").unwrap();
    let key = |integrity: &str| PreloadKey {
        url: url.clone(),
        destination: Destination::Script,
        integrity_is_empty: csp::parse_subresource_integrity_metadata(integrity)
            == SubresourceIntegrityMetadata::NoMetadata,
    };
    preloads.insert(key(""), "preloaded without integrity");
    assert_eq!(
        preloads.get(&key("  ")),
        Some(&"preloaded without integrity")
    );
    assert_eq!(preloads.get(&key("sha384-abc")), None);
    assert_eq!(
        csp::parse_subresource_integrity_metadata("sha256-abc"),
        csp::parse_subresource_integrity_metadata("SHA256-abc?ct=application/javascript")
    );
}

// --- the violation IPC message and the policy container over IPC -----------------------------

#[cfg(feature = "serde")]
#[test]
fn violations_and_policy_containers_cross_ipc() {
    let container = PolicyContainer {
        csp_list: Some(CspList::parse(
            "default-src 'none' 'report-sample'",
            PolicySource::Header,
            PolicyDisposition::Enforce,
        )),
        referrer_policy: 3,
    };
    let json = serde_json::to_string(&container).unwrap();
    let back: PolicyContainer = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.csp_list.unwrap().to_string(),
        "default-src 'none' 'report-sample'"
    );

    let (_, violations) = container
        .csp_list
        .as_ref()
        .unwrap()
        .is_js_evaluation_allowed("x()");
    let json = serde_json::to_string(&violations).unwrap();
    let back: Vec<Violation> = serde_json::from_str(&json).unwrap();
    assert_eq!(back[0].resource, violations[0].resource);
    assert_eq!(back[0].directive, violations[0].directive);
    assert_eq!(back[0].policy.to_string(), violations[0].policy.to_string());
    // Enums Servo embeds in its own IPC structs.
    let d: Destination =
        serde_json::from_str(&serde_json::to_string(&Destination::Xslt).unwrap()).unwrap();
    assert_eq!(d, Destination::Xslt);
    let flags = parse_a_sandboxing_directive(&[]);
    let back: SandboxingFlagSet =
        serde_json::from_str(&serde_json::to_string(&flags).unwrap()).unwrap();
    assert_eq!(back, flags);
}
