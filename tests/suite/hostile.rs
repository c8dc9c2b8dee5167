//! Hostile inputs an attacker can put in a header or a `<meta>` element, or make a page's
//! script request: each one parses and checks without panicking, with the answer CSP3 gives,
//! within the limits of `src/limits.rs`. How the time scales with their size is measured by
//! `benches/scaling.rs` (no timed assertion here: CI machines are too noisy for that).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use cspgate::limits::{MAX_LIST_BYTES, MAX_SOURCES_PER_DIRECTIVE};
use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{
    Destination, DirectiveKind, Disposition, DocumentPolicy, Limit, ParseWarning, PolicyList,
    PolicySource, Request,
};

fn parse(
    text: &str,
    disposition: Disposition,
    source: PolicySource,
) -> (PolicyList, Vec<ParseWarning>) {
    let mut warnings = Vec::new();
    let list = PolicyList::parse_with(text, disposition, source, &mut |w| warnings.push(w));
    (list, warnings)
}

fn limits(warnings: &[ParseWarning]) -> Vec<Limit> {
    warnings
        .iter()
        .filter_map(|w| match w {
            ParseWarning::LimitExceeded { limit, .. } => Some(*limit),
            _ => None,
        })
        .collect()
}

fn blocked(list: PolicyList, url: &str, destination: Destination) -> bool {
    let doc = Url::parse("https://o.test/").unwrap();
    let policy = DocumentPolicy::new(&doc, list);
    let url = Url::parse(url).unwrap();
    let request = Request::new(&url, destination);
    let verdict = policy.check_request(&request);
    assert_eq!(verdict, policy.check_request_uncached(&request));
    verdict.is_blocked()
}

/// Heap bytes per byte of kept text that a compiled list may hold (see
/// `tests/suite/fuzz_bodies.rs`, which checks the same bound on every fuzz input).
const MEMORY_PER_BYTE: usize = 48;

#[test]
fn a_megabyte_header_of_one_directive_with_100_000_sources() {
    let sources: Vec<String> = (0..100_000).map(|i| format!("h{i:06}.test")).collect();
    let text = format!("script-src {}", sources.join(" "));
    assert!(text.len() > 1 << 20);
    for disposition in [Disposition::Enforce, Disposition::Report] {
        let (list, warnings) = parse(&text, disposition, PolicySource::Header);
        // Cut at the byte limit (warned first), then at the source limit.
        assert_eq!(
            limits(&warnings),
            [Limit::ListBytes, Limit::SourcesPerDirective]
        );
        assert!(list.memory_usage() <= MEMORY_PER_BYTE * MAX_LIST_BYTES);
        let enforced = disposition == Disposition::Enforce;
        assert_eq!(list.len(), if enforced { 2 } else { 1 });
        assert_eq!(list.iter().any(|p| p.is_synthetic()), enforced);
        // The kept policy holds the first MAX_SOURCES_PER_DIRECTIVE sources.
        let kept = list[0].directive(DirectiveKind::ScriptSrc).unwrap();
        assert!(kept.tokens().count() > MAX_SOURCES_PER_DIRECTIVE);
        if !enforced {
            // Report-only: nothing blocks; the cut list still reports like the whole one.
            assert!(!blocked(
                list.clone(),
                "https://h000001.test/a.js",
                Destination::Script
            ));
        } else {
            // The fail-closed policy blocks every script, even one the kept sources allow.
            assert!(blocked(
                list.clone(),
                "https://h000001.test/a.js",
                Destination::Script
            ));
            assert!(blocked(
                list.clone(),
                "https://h099999.test/a.js",
                Destination::Script
            ));
        }
        // Without the fail-closed policy, the first policy alone answers from what it kept.
        let first = PolicyList::parse(
            &text[..MAX_LIST_BYTES / 2],
            Disposition::Enforce,
            PolicySource::Header,
        );
        assert!(!blocked(
            first.clone(),
            "https://h000001.test/a.js",
            Destination::Script
        ));
        assert!(!blocked(
            first.clone(),
            "https://h004095.test/a.js",
            Destination::Script
        ));
        assert!(blocked(
            first,
            "https://h004096.test/a.js",
            Destination::Script
        ));
    }
    // The same text as <meta> content: one policy, cut the same way.
    let (list, warnings) = parse(&text, Disposition::Enforce, PolicySource::Meta);
    assert_eq!(
        limits(&warnings),
        [Limit::ListBytes, Limit::SourcesPerDirective]
    );
    assert_eq!(list.len(), 2);
    assert!(blocked(
        list,
        "https://h000001.test/a.js",
        Destination::Script
    ));
}

#[test]
fn a_header_of_100_000_commas_is_no_policy() {
    let (list, warnings) = parse(
        &",".repeat(100_000),
        Disposition::Enforce,
        PolicySource::Header,
    );
    assert!(list.is_empty());
    assert!(warnings.is_empty());
    // The same commas around one policy: that policy alone.
    let text = format!("{}img-src 'none'{}", ",".repeat(50_000), ",".repeat(50_000));
    let (list, warnings) = parse(&text, Disposition::Enforce, PolicySource::Header);
    assert_eq!(list.len(), 1);
    assert!(warnings.is_empty());
    assert!(blocked(list, "https://a.test/x.png", Destination::Image));
    // As <meta> content the commas are part of one directive's value.
    let text = format!("img-src 'none'{}", ",".repeat(100_000));
    let (list, _) = parse(&text, Disposition::Enforce, PolicySource::Meta);
    assert_eq!(
        list[0]
            .directive(DirectiveKind::ImgSrc)
            .unwrap()
            .tokens()
            .count(),
        1
    );
}

#[test]
fn one_byte_host_sources_stay_within_the_memory_bound() {
    // Review after the fuzzer's find: a doubling vector of 64-byte host-sources held up to
    // 56 heap bytes per header byte for `a b c ...`, over the documented 48.
    for n in [1, 17, 100, 513, 1000, MAX_SOURCES_PER_DIRECTIVE] {
        let hosts: Vec<String> = (0..n)
            .map(|i| ((b'a' + (i % 26) as u8) as char).into())
            .collect();
        let text = format!("img-src {}", hosts.join(" "));
        let (list, _) = parse(&text, Disposition::Enforce, PolicySource::Header);
        assert!(
            list.memory_usage() <= MEMORY_PER_BYTE * text.len() + 1024,
            "{n} hosts: {} bytes for {}",
            list.memory_usage(),
            text.len()
        );
    }
}

#[test]
fn deeply_repeated_semicolons() {
    // Empty directives are skipped, however many.
    let (list, warnings) = parse(
        &";".repeat(200_000),
        Disposition::Enforce,
        PolicySource::Header,
    );
    assert!(list.is_empty() && warnings.is_empty());
    let text = format!("img-src 'none'{}script-src 'self'", ";".repeat(200_000));
    let (list, warnings) = parse(&text, Disposition::Enforce, PolicySource::Header);
    assert!(warnings.is_empty());
    assert_eq!(list[0].directives().len(), 2);
    // The `parse` fuzzer found room for a directive and a list (96 bytes) kept per empty piece;
    // what remains is the text, kept as delivered and lower-cased.
    let memory = list.memory_usage();
    assert!(
        memory < 2 * text.len() + 4096,
        "{memory} for {}",
        text.len()
    );
    assert!(blocked(
        list.clone(),
        "https://a.test/x.png",
        Destination::Image
    ));
    assert!(!blocked(list, "https://o.test/x.js", Destination::Script));
    // Past the byte limit: the tail directive is lost, and the list fails closed.
    let text = format!("img-src *{}script-src *", ";".repeat(1 << 20));
    let (list, warnings) = parse(&text, Disposition::Enforce, PolicySource::Header);
    assert_eq!(limits(&warnings), [Limit::ListBytes]);
    assert!(!list[0].contains(DirectiveKind::ScriptSrc));
    assert!(blocked(list, "https://a.test/x.png", Destination::Image));
}

#[test]
fn invalid_utf8_through_the_engines_lossy_decoding() {
    let bytes =
        b"img-src a.test; script-src \xff\xfe\x80 b.test; style-src c.\xc3(test; font-src d.test";
    let text = String::from_utf8_lossy(bytes);
    let (list, warnings) = parse(&text, Disposition::Enforce, PolicySource::Header);
    // Directives holding a replacement character are dropped whole (CSP3 §2.2.1 step 3.2).
    let names: Vec<_> = list[0]
        .directives()
        .map(|d| d.name().as_str().to_owned())
        .collect();
    assert_eq!(names, ["img-src", "font-src"]);
    let dropped = warnings
        .iter()
        .filter(|w| matches!(w, ParseWarning::NonAsciiDirective { .. }))
        .count();
    assert_eq!(dropped, 2);
    assert!(!blocked(
        list.clone(),
        "https://a.test/x.png",
        Destination::Image
    ));
    // script-src was dropped, so nothing governs scripts.
    assert!(!blocked(
        list,
        "https://evil.test/x.js",
        Destination::Script
    ));
    // Every byte value, lossily decoded, parses without a panic.
    let all: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    let text = String::from_utf8_lossy(&all);
    for source in [PolicySource::Header, PolicySource::Meta] {
        let (list, warnings) = parse(&text, Disposition::Enforce, source);
        assert!(warnings.iter().all(|w| w.span().end <= text.len()));
        let _ = list.to_string();
    }
}

#[test]
fn nul_bytes_in_names_sources_and_urls() {
    let text = "img-src a\0b.test \0 c.test; \0script-src 'none'; style-src\0'none'";
    let (list, warnings) = parse(text, Disposition::Enforce, PolicySource::Header);
    let names: Vec<_> = list[0]
        .directives()
        .map(|d| d.name().as_str().to_owned())
        .collect();
    // NUL is no whitespace: it belongs to the name or the token it touches.
    assert_eq!(names, ["img-src", "\0script-src", "style-src\0'none'"]);
    assert!(warnings
        .iter()
        .any(|w| matches!(w, ParseWarning::InvalidSource { .. })));
    assert!(!blocked(
        list.clone(),
        "https://c.test/x.png",
        Destination::Image
    ));
    assert!(blocked(
        list.clone(),
        "https://a.test/x.png",
        Destination::Image
    ));
    // The unknown "\0script-src" governs nothing.
    assert!(!blocked(
        list.clone(),
        "https://x.test/a.js",
        Destination::Script
    ));
    // A URL whose path holds an escaped NUL.
    assert!(!blocked(list, "https://c.test/%00/x", Destination::Image));
}

#[test]
fn hosts_of_10_000_labels_in_sources_and_urls() {
    let labels = "a.".repeat(10_000);
    let url = format!("https://{labels}test/x");
    let url2 = format!("https://b.{labels}test/x");
    // As an exact host, as a *. suffix, in short lists (scanned) and long ones (indexed).
    let filler: Vec<String> = (0..20).map(|i| format!("f{i}.test")).collect();
    for extra in [String::new(), filler.join(" ")] {
        let exact = format!("img-src {labels}test {extra}");
        assert!(!blocked(
            PolicyList::parse(&exact, Disposition::Enforce, PolicySource::Header),
            &url,
            Destination::Image
        ));
        assert!(blocked(
            PolicyList::parse(&exact, Disposition::Enforce, PolicySource::Header),
            &url2,
            Destination::Image
        ));
        let suffix = format!("img-src *.{labels}test {extra}");
        assert!(blocked(
            PolicyList::parse(&suffix, Disposition::Enforce, PolicySource::Header),
            &url,
            Destination::Image
        ));
        assert!(!blocked(
            PolicyList::parse(&suffix, Disposition::Enforce, PolicySource::Header),
            &url2,
            Destination::Image
        ));
        // Many long suffixes of many lengths against a long host.
        let many: Vec<String> = (1..200)
            .map(|n| format!("*.{}x", "a.".repeat(n * 50)))
            .collect();
        let list = format!("img-src {} {extra}", many.join(" "));
        assert!(blocked(
            PolicyList::parse(&list, Disposition::Enforce, PolicySource::Header),
            &url,
            Destination::Image
        ));
    }
}

#[test]
fn urls_with_huge_paths_and_odd_ports() {
    let sources: Vec<String> = (0..MAX_SOURCES_PER_DIRECTIVE)
        .map(|i| format!("https://a.test/dir{i}/"))
        .collect();
    let list = PolicyList::parse(
        &format!("img-src {}", sources.join(" ")),
        Disposition::Enforce,
        PolicySource::Header,
    );
    let deep = format!("https://a.test/dir4095/{}", "x/".repeat(500_000));
    assert!(!blocked(list.clone(), &deep, Destination::Image));
    let wide = format!("https://a.test/other/{}", "y".repeat(1 << 20));
    assert!(blocked(list.clone(), &wide, Destination::Image));
    // Ports: the extremes, and sources naming ports no URL can have.
    let list = PolicyList::parse(
        "img-src a.test:0 a.test:65535 b.test:99999999999999999999 c.test:*",
        Disposition::Enforce,
        PolicySource::Header,
    );
    assert!(!blocked(
        list.clone(),
        "https://a.test:0/",
        Destination::Image
    ));
    assert!(!blocked(
        list.clone(),
        "https://a.test:65535/",
        Destination::Image
    ));
    assert!(blocked(
        list.clone(),
        "https://a.test:1/",
        Destination::Image
    ));
    assert!(blocked(list.clone(), "https://b.test/", Destination::Image));
    assert!(blocked(
        list.clone(),
        "https://b.test:65535/",
        Destination::Image
    ));
    assert!(!blocked(list, "https://c.test:65535/", Destination::Image));
}

#[test]
fn huge_nonces_and_integrity_metadata() {
    let nonce = "n".repeat(1 << 20);
    let list = PolicyList::parse(
        &format!("script-src 'nonce-{}' 'sha256-AAA='", &nonce[..100_000]),
        Disposition::Enforce,
        PolicySource::Header,
    );
    let doc = Url::parse("https://o.test/").unwrap();
    let policy = DocumentPolicy::new(&doc, list);
    let url = Url::parse("https://x.test/a.js").unwrap();
    let check = |nonce: &str, integrity: &str| {
        policy
            .check_request(
                &Request::new(&url, Destination::Script)
                    .nonce(nonce)
                    .integrity(integrity),
            )
            .is_blocked()
    };
    assert!(check(&nonce, ""));
    assert!(!check(&nonce[..100_000], ""));
    assert!(!check("", &"sha256-AAA= ".repeat(100_000)));
    assert!(check(
        "",
        &format!("{}sha256-BBB=", "sha256-AAA= ".repeat(100_000))
    ));
    assert!(check("", &"\t".repeat(1 << 20)));
}

#[test]
fn many_header_values_each_within_the_limits() {
    // Every header value is parsed on its own; each gets the limits in full.
    let mut list = PolicyList::new();
    for i in 0..1000 {
        list.push_header(&format!("img-src h{i}.test"), Disposition::Enforce);
    }
    assert_eq!(list.len(), 1000);
    assert!(list.memory_usage() < 1000 * 1024);
    assert!(blocked(
        list.clone(),
        "https://h1.test/x.png",
        Destination::Image
    ));
    let mut list = PolicyList::new();
    for _ in 0..1000 {
        list.push_header("img-src h1.test", Disposition::Enforce);
    }
    assert!(!blocked(list, "https://h1.test/x.png", Destination::Image));
}
