//! One test per entry of `docs/spec-deviations.md`: where cspgate follows Chromium, Firefox
//! and WebKit against the letter of CSP3, and where it keeps the letter although engines
//! differ. Each test asserts the behaviour the document promises.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use cspgate::url::Url;
use cspgate::{
    Destination, DirectiveKind, Disposition, DocumentPolicy, Initiator, InlineCheck, InlineType,
    NavigationType, PolicyList, PolicySource, ReportContext, Request,
};

fn blocked(policy: &str, document: &str, url: &str, destination: Destination) -> bool {
    blocked_with(policy, document, url, destination, Initiator::None)
}

fn blocked_with(
    policy: &str,
    document: &str,
    url: &str,
    destination: Destination,
    initiator: Initiator,
) -> bool {
    let doc = Url::parse(document).unwrap();
    let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
    let p = DocumentPolicy::new(&doc, list);
    let u = Url::parse(url).unwrap();
    let verdict = p.check_request(&Request::new(&u, destination).initiator(initiator));
    verdict.is_blocked()
}

const E: Destination = Destination::Empty;

#[test]
fn websocket_urls_are_matched_as_given() {
    assert!(blocked(
        "connect-src https://h.test",
        "https://a.test/",
        "wss://h.test/s",
        E
    ));
    assert!(blocked(
        "connect-src h.test",
        "https://a.test/",
        "wss://h.test/s",
        E
    ));
    assert!(!blocked(
        "connect-src wss://h.test",
        "https://a.test/",
        "wss://h.test/s",
        E
    ));
    assert!(!blocked(
        "connect-src 'self'",
        "https://a.test/",
        "wss://a.test/s",
        E
    ));
    assert!(blocked(
        "connect-src 'self'",
        "https://a.test/",
        "ws://a.test/s",
        E
    ));
}

#[test]
fn star_covers_websockets() {
    assert!(!blocked(
        "connect-src *",
        "https://a.test/",
        "wss://x.test/",
        E
    ));
    assert!(!blocked(
        "connect-src *",
        "https://a.test/",
        "ws://x.test/",
        E
    ));
    assert!(blocked(
        "connect-src *",
        "https://a.test/",
        "ftp://x.test/",
        E
    ));
    assert!(blocked(
        "img-src *",
        "https://a.test/",
        "data:,x",
        Destination::Image
    ));
}

#[test]
fn http_port_80_source_allows_https_default_port() {
    assert!(!blocked(
        "img-src http://a.test:80",
        "https://o.test/",
        "https://a.test/x",
        Destination::Image
    ));
    assert!(blocked(
        "img-src https://a.test:80",
        "https://o.test/",
        "https://a.test/x",
        Destination::Image
    ));
    assert!(blocked(
        "img-src http://a.test:80",
        "https://o.test/",
        "https://a.test:8443/x",
        Destination::Image
    ));
}

#[test]
fn schemeless_port_80_source_on_an_http_page_allows_https_default_port() {
    // The source takes the page's scheme (http), then the http/80 rule of the entry above.
    let cases = [
        // (policy, document, url, blocked)
        (
            "img-src a.test:80",
            "http://o.test/",
            "https://a.test/x",
            false,
        ),
        (
            "img-src a.test:80",
            "http://o.test/",
            "https://a.test:8443/x",
            true,
        ),
        (
            "img-src a.test:80",
            "http://o.test/",
            "http://a.test/x",
            false,
        ),
        // On an https page the source reads as https://a.test:80: no 80 -> 443 rule.
        (
            "img-src a.test:80",
            "https://o.test/",
            "https://a.test/x",
            true,
        ),
        (
            "img-src a.test:81",
            "http://o.test/",
            "https://a.test/x",
            true,
        ),
    ];
    for (policy, document, url, want) in cases {
        assert_eq!(
            blocked(policy, document, url, Destination::Image),
            want,
            "{policy} on {document} for {url}"
        );
    }
}

#[test]
fn ipv4_literal_sources_match_the_same_address() {
    assert!(!blocked(
        "connect-src 127.0.0.1:8080",
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/api",
        E
    ));
    assert!(blocked(
        "connect-src http://192.0.2.10",
        "https://o.test/",
        "http://192.0.2.11/",
        E
    ));
    assert!(blocked(
        "connect-src *.0.0.1",
        "https://o.test/",
        "https://127.0.0.1/",
        E
    ));
    assert!(blocked(
        "connect-src https://*",
        "https://o.test/",
        "https://127.0.0.1/",
        E
    ));
}

#[test]
fn query_and_fragment_after_a_source_path_are_ignored() {
    let s = Destination::Script;
    assert!(!blocked(
        "script-src https://cdn.test/lib/app.js?v=2",
        "https://o.test/",
        "https://cdn.test/lib/app.js",
        s
    ));
    assert!(!blocked(
        "script-src https://cdn.test/lib/app.js#x",
        "https://o.test/",
        "https://cdn.test/lib/app.js",
        s
    ));
    assert!(blocked(
        "script-src https://cdn.test/lib/app.js?v=2",
        "https://o.test/",
        "https://cdn.test/lib/other.js",
        s
    ));
    // Directly after a host the token stays invalid (engines disagree there).
    assert!(blocked(
        "script-src cdn.test?v=2",
        "https://o.test/",
        "https://cdn.test/a.js",
        s
    ));
}

#[test]
fn top_level_navigations_are_not_fetch_checked() {
    assert!(!blocked(
        "default-src 'none'",
        "https://o.test/",
        "https://x.test/",
        Destination::Document
    ));
    assert!(!blocked(
        "connect-src 'none'",
        "https://o.test/",
        "https://x.test/",
        Destination::Document
    ));
    // Nested navigations are.
    assert!(blocked(
        "default-src 'none'",
        "https://o.test/",
        "https://x.test/",
        Destination::IFrame
    ));
}

#[test]
fn blob_urls_never_match_self() {
    let w = Destination::Worker;
    assert!(blocked(
        "worker-src 'self'",
        "https://o.test/",
        "blob:https://o.test/0e4f",
        w
    ));
    assert!(!blocked(
        "worker-src 'self' blob:",
        "https://o.test/",
        "blob:https://o.test/0e4f",
        w
    ));
}

#[test]
fn resource_hints_are_allowed_by_any_fetch_list() {
    let pf = Initiator::Prefetch;
    let doc = "https://o.test/";
    assert!(!blocked_with(
        "default-src 'none'; img-src https://i.test",
        doc,
        "https://i.test/a.png",
        Destination::Image,
        pf
    ));
    assert!(!blocked_with(
        "default-src https://d.test",
        doc,
        "https://d.test/a",
        E,
        pf
    ));
    assert!(blocked_with(
        "default-src 'none'; img-src https://i.test",
        doc,
        "https://x.test/a",
        E,
        pf
    ));
    assert!(
        !blocked_with("img-src 'none'", doc, "https://x.test/a", E, pf),
        "no default-src"
    );
    // The violation names default-src.
    let d = Url::parse(doc).unwrap();
    let p = DocumentPolicy::new(
        &d,
        PolicyList::parse(
            "default-src 'none'",
            Disposition::Enforce,
            PolicySource::Header,
        ),
    );
    let u = Url::parse("https://x.test/").unwrap();
    let v = p.check_request(&Request::new(&u, E).initiator(Initiator::Prefetch));
    assert_eq!(v.violations()[0].directive(), DirectiveKind::DefaultSrc);
}

// Where the letter of CSP3 is kept although some engines differ.

#[test]
fn letter_kept_xslt_is_not_checked_by_script_directives() {
    assert!(!blocked(
        "script-src 'none'",
        "https://o.test/",
        "https://x.test/a.xsl",
        Destination::Xslt
    ));
}

#[test]
fn letter_kept_prerender_is_never_blocked() {
    assert!(!blocked_with(
        "default-src 'none'",
        "https://o.test/",
        "https://x.test/",
        Destination::Document,
        Initiator::Prerender
    ));
}

#[test]
fn letter_kept_path_segments_decode_one_by_one() {
    let i = Destination::Image;
    assert!(blocked(
        "img-src https://a.test/a/",
        "https://o.test/",
        "https://a.test/a%2Fb",
        i
    ));
    assert!(!blocked(
        "img-src https://a.test/%66oo",
        "https://o.test/",
        "https://a.test/foo",
        i
    ));
}

#[test]
fn letter_kept_scheme_upgrades_on_any_port() {
    let i = Destination::Image;
    assert!(!blocked(
        "img-src http://a.test:8080",
        "https://o.test/",
        "https://a.test:8080/",
        i
    ));
    assert!(!blocked(
        "img-src ws:",
        "https://o.test/",
        "https://a.test/",
        i
    ));
}

#[test]
fn reports_strip_the_fragment_entirely() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert_eq!(
        cspgate::strip_url_for_reports(&u("https://a.test/p?q#x")),
        "https://a.test/p?q"
    );
    assert_eq!(
        cspgate::strip_url_for_reports(&u("https://a.test/p#")),
        "https://a.test/p"
    );
    // In a report: the document URL and the blocked URL alike.
    let page = u("https://a.test/page#section");
    let p = DocumentPolicy::new(
        &page,
        PolicyList::parse("img-src 'none'", Disposition::Enforce, PolicySource::Header),
    );
    let img = u("https://cdn.test/i.png#frag");
    let v = p.check_request(&Request::new(&img, Destination::Image));
    let r = p
        .violation_report(&v.violations()[0], &ReportContext::new(&page))
        .unwrap();
    assert_eq!(r.document_uri(), "https://a.test/page");
    assert_eq!(r.blocked_uri(), "https://cdn.test/i.png");
}

/// SHA-256 of `alert('Hello, world.');` (CSP3's example), with its one `=` of padding.
const HELLO_SHA256: &str = "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=";

fn inline_allowed(policy: &str, kind: InlineType, source: &str) -> bool {
    let doc = Url::parse("https://o.test/").unwrap();
    let p = DocumentPolicy::new(
        &doc,
        PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header),
    );
    let allowed = p.check_inline(&InlineCheck::new(kind, source)).is_allowed();
    allowed
}

#[test]
fn letter_kept_hash_sources_compare_as_text() {
    let s = InlineType::Script;
    let src = "alert('Hello, world.');";
    assert!(inline_allowed(
        &format!("script-src 'sha256-{HELLO_SHA256}'"),
        s,
        src
    ));
    let unpadded = HELLO_SHA256.trim_end_matches('=');
    assert!(!inline_allowed(
        &format!("script-src 'sha256-{unpadded}'"),
        s,
        src
    ));
    let url_safe = HELLO_SHA256.replace('+', "-").replace('/', "_");
    assert!(inline_allowed(
        &format!("script-src 'sha256-{url_safe}'"),
        s,
        src
    ));
}

#[test]
fn letter_kept_javascript_url_hashes_cover_the_whole_url() {
    // The conformance cases' hash of "javascript:alert(1)" (spec/navigation-19).
    let whole = "'sha256-0O4EIczpUh2iSZOcxVYyoM7m7DbV9aGUDgxHgAAHoOo='";
    let doc = Url::parse("https://o.test/").unwrap();
    let js = Url::parse("javascript:alert(1)").unwrap();
    let check = |policy: &str| {
        let p = DocumentPolicy::new(
            &doc,
            PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header),
        );
        let allowed = p
            .check_navigation_request(
                &Request::new(&js, Destination::Document),
                NavigationType::Other,
            )
            .is_allowed();
        allowed
    };
    assert!(check(&format!("script-src 'unsafe-hashes' {whole}")));
    // The hash of "alert(1)" alone (what Gecko hashes) does not allow it.
    let tail = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='";
    assert!(!check(&format!("script-src 'unsafe-hashes' {tail}")));
    assert!(!inline_allowed(
        &format!("script-src 'unsafe-hashes' {tail}"),
        InlineType::Navigation,
        "javascript:alert(1)"
    ));
}

#[test]
fn letter_kept_reports_reduce_websocket_urls_to_their_scheme() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert_eq!(
        cspgate::strip_url_for_reports(&u("wss://a.test/socket")),
        "wss"
    );
    assert_eq!(
        cspgate::strip_url_for_reports(&u("ws://a.test/socket")),
        "ws"
    );
    assert_eq!(cspgate::strip_url_for_reports(&u("ftp://a.test/f")), "ftp");
}
