//! Each difference from `content-security-policy` 0.9 that `compat/README.md` lists, as the
//! answer compat gives (CSP3's, or the engines' where `docs/spec-deviations.md` says so).
//! The row numbers are the README's.

#![allow(clippy::unwrap_used)] // A test: broken fixtures should panic.

mod support;

use content_security_policy::sandboxing_directive::SandboxingFlagSet;
use content_security_policy::*;

use support::request;

fn list(text: &str) -> CspList {
    CspList::parse(text, PolicySource::Header, PolicyDisposition::Enforce)
}

fn allowed(policy: &str, url: &str, origin: &str, destination: Destination) -> bool {
    list(policy)
        .should_request_be_blocked(&request(url, origin, destination))
        .0
        == CheckResult::Allowed
}

#[test]
fn source_matching_rows_1_to_9() {
    // 1: 'self' from http: allows https: on the default ports.
    assert!(allowed(
        "script-src 'self'",
        "https://a.test/x.js",
        "http://a.test",
        Destination::Script
    ));
    // 2: an IPv4 host-source matches its own address.
    assert!(allowed(
        "img-src 10.0.0.1",
        "http://10.0.0.1/x.png",
        "http://a.test",
        Destination::Image
    ));
    // 3 and 4: `*` covers HTTP(S) and WebSockets, not ftp:.
    assert!(!allowed(
        "img-src *",
        "ftp://a.test/x.png",
        "https://a.test",
        Destination::Image
    ));
    assert!(allowed(
        "connect-src *",
        "wss://a.test/x",
        "https://a.test",
        Destination::None
    ));
    // 5: http://host:80 allows https://host on its default port.
    assert!(allowed(
        "img-src http://a.test:80",
        "https://a.test/x.png",
        "https://b.test",
        Destination::Image
    ));
    // 6: a query after a source path is ignored.
    assert!(allowed(
        "img-src https://a.test/p?q=1",
        "https://a.test/p",
        "https://b.test",
        Destination::Image
    ));
    // 7: a top-level navigation is not fetch-checked.
    assert!(allowed(
        "default-src 'none'",
        "https://a.test/",
        "https://a.test",
        Destination::Document
    ));
    // 8: xslt is not script-like.
    assert!(!Destination::Xslt.is_script_like());
    assert!(allowed(
        "default-src 'none'",
        "https://a.test/t.xsl",
        "https://a.test",
        Destination::Xslt
    ));
    // 9: a prefetch is allowed when some fetch directive's list matches its URL.
    let mut prefetch = request(
        "https://img.test/a.png",
        "https://a.test",
        Destination::Image,
    );
    prefetch.initiator = Initiator::Prefetch;
    let p = Policy::parse(
        "default-src 'none'; img-src https://img.test",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    assert_eq!(
        p.does_request_violate_policy(&prefetch),
        Violates::DoesNotViolate
    );
    prefetch.current_url = Url::parse("https://elsewhere.test/a.png").unwrap();
    let Violates::Directive(d) = p.does_request_violate_policy(&prefetch) else {
        panic!()
    };
    assert_eq!(d.name, "default-src");
}

#[test]
fn sandbox_rows_10_and_11() {
    // 10: the last enforced policy with sandbox wins.
    let flags = list("sandbox allow-scripts, sandbox allow-forms")
        .get_sandboxing_flag_set_for_document()
        .unwrap();
    assert!(flags.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
    assert!(!flags.contains(SandboxingFlagSet::SANDBOXED_FORMS_BROWSING_CONTEXT_FLAG));
    // 11: ignored in <meta>; keywords in any case.
    let meta = CspList::parse("sandbox", PolicySource::Meta, PolicyDisposition::Enforce);
    assert_eq!(meta.get_sandboxing_flag_set_for_document(), None);
    let upper = list("sandbox ALLOW-SCRIPTS")
        .get_sandboxing_flag_set_for_document()
        .unwrap();
    assert!(!upper.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
}

#[test]
fn samples_and_keywords_rows_12_and_13() {
    // 12: characters, not bytes (tests/mutation_and_limits.rs covers every multi-byte width).
    let source = format!("{}é", "a".repeat(39));
    let (_, v) = list("script-src 'none' 'report-sample'").is_js_evaluation_allowed(&source);
    assert_eq!(
        v[0].resource,
        ViolationResource::Eval {
            sample: Some(source.clone())
        }
    );
    // 13: keywords in any case.
    let (_, v) = list("script-src 'REPORT-SAMPLE'").is_js_evaluation_allowed("x");
    assert_eq!(
        v[0].resource,
        ViolationResource::Eval {
            sample: Some("x".into())
        }
    );
    assert!(list("require-trusted-types-for 'SCRIPT'")
        .does_sink_type_require_trusted_types("'script'", false));
    let tt = list("trusted-types a 'ALLOW-DUPLICATES'");
    assert_eq!(
        tt.is_trusted_type_policy_creation_allowed("a", &["a"]).0,
        CheckResult::Allowed
    );
}

#[test]
fn violation_names_rows_14_and_15() {
    // 14: eval and wasm violations name script-src, with default-src's value.
    let l = list("default-src 'self'");
    let (_, v) = l.is_js_evaluation_allowed("x");
    assert_eq!(
        v[0].directive,
        Directive {
            name: "script-src".into(),
            value: vec!["'self'".into()]
        }
    );
    let (_, v) = l.is_wasm_evaluation_allowed();
    assert_eq!(v[0].directive.name, "script-src");
    // 15: a navigation violation names its directive.
    let mut r = request("https://x.test/", "https://a.test", Destination::None);
    let (result, v) = list("form-action 'none'").should_navigation_request_be_blocked(
        &mut r,
        NavigationCheckType::FormSubmission,
        |s| Some(s.to_owned()),
    );
    assert_eq!(result, CheckResult::Blocked);
    assert_eq!(v[0].directive.name, "form-action");
}

#[test]
fn navigation_and_response_rows_16_to_18() {
    // 16: the inline check of a javascript: URL reads the URL a default policy rewrote.
    let l = list("require-trusted-types-for 'script'; script-src 'unsafe-inline' 'sha256-x'");
    let mut r = request("javascript:alert(1)", "https://a.test", Destination::None);
    let (_, _) = l.should_navigation_request_be_blocked(&mut r, NavigationCheckType::Other, |s| {
        Some(format!("void {s}"))
    });
    assert_eq!(r.current_url.as_str(), "javascript:void alert(1)");
    assert_eq!(r.url, r.current_url);
    // 17: an ancestor with an opaque origin matches nothing, not even data:.
    let response = Response {
        url: Url::parse("https://a.test/").unwrap(),
        redirect_count: 0,
    };
    let (result, _) = list("frame-ancestors data:")
        .should_navigation_response_to_navigation_request_be_blocked(
            &response,
            &Url::parse("https://a.test").unwrap().origin(),
            &vec![Url::parse("data:,x").unwrap()],
        );
    assert_eq!(result, CheckResult::Blocked);
    // 18: the response check ignores paths by the request's redirect count.
    let l = list("img-src https://cdn.test/images/");
    let mut r = request(
        "https://cdn.test/other/a.png",
        "https://a.test",
        Destination::Image,
    );
    let redirected_response = Response {
        url: r.url.clone(),
        redirect_count: 1,
    };
    assert_eq!(
        l.should_response_to_request_be_blocked(&r, &redirected_response)
            .0,
        CheckResult::Blocked
    );
    r.redirect_count = 1;
    let response = Response {
        url: r.url.clone(),
        redirect_count: 0,
    };
    assert_eq!(
        l.should_response_to_request_be_blocked(&r, &response).0,
        CheckResult::Allowed
    );
}

#[test]
fn parsing_and_display_rows_19_to_23() {
    // 19: SRI items are parsed by the SRI algorithm.
    assert_eq!(
        parse_subresource_integrity_metadata("xsha256-abc"),
        SubresourceIntegrityMetadata::IntegritySources(vec![])
    );
    assert_eq!(
        parse_subresource_integrity_metadata("sha256-a-b"),
        parse_subresource_integrity_metadata("sha256-a")
    );
    // 20: no trailing space after a directive without value.
    assert_eq!(list("sandbox; img-src a").to_string(), "sandbox; img-src a");
    // 21: directive-name allows upper case.
    assert!(Directive {
        name: "Img-Src".into(),
        value: vec![]
    }
    .is_valid());
    // 22: a resource hint check treats the request as a prefetch.
    let p = Policy::parse(
        "default-src 'none'; img-src https://img.test",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let r = request(
        "https://img.test/a.png",
        "https://a.test",
        Destination::Font,
    );
    assert!(
        matches!(p.does_request_violate_policy(&r), Violates::Directive(d) if d.name == "default-src")
    );
    assert_eq!(
        p.does_resource_hint_violate_policy(&r),
        Violates::DoesNotViolate
    );
    // 23: 'script' is the only sink group; another token requires nothing.
    let style = list("require-trusted-types-for 'style'");
    assert!(!style.does_sink_type_require_trusted_types("'style'", true));
    let (result, v) = style.should_sink_type_mismatch_violation_be_blocked_by_csp(
        "Element innerHTML",
        "'style'",
        "x",
    );
    assert_eq!((result, v.len()), (CheckResult::Allowed, 0));
    let both = list("require-trusted-types-for 'style' 'script'");
    assert!(both.does_sink_type_require_trusted_types("'script'", false));
}
