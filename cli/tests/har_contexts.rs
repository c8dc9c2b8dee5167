//! `cspgate check --har` on small handmade HARs, one per behaviour: each request checked in
//! the context that made it (frames and workers with their own policies, documents a
//! navigation switched to), form submissions by `form-action`, worker scripts recognised,
//! redirect chains, HAR files in other encodings, and `suggest` keeping to the page's own
//! requests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

#[path = "support/binary.rs"]
mod binary;

use std::path::{Path, PathBuf};
use std::process::Output;

use binary::{json_lines as json, stderr};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    binary::data_dir("contexts").join(name)
}

fn cspgate(args: &[&str]) -> Output {
    binary::cspgate_in(&data(""), args)
}

/// The row of `url`: (context, destination, result, directive).
fn row<'a>(lines: &'a [Value], url: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["url"] == url)
        .unwrap_or_else(|| panic!("no row for {url} in {lines:#?}"))
}

fn cells(l: &Value) -> (&str, &str, &str, Option<&str>) {
    (
        l["context"].as_str().unwrap(),
        l["destination"].as_str().unwrap(),
        l["result"].as_str().unwrap(),
        l["directive"].as_str(),
    )
}

#[test]
fn frames_use_their_own_policy_and_navigations_switch_documents() {
    let o = cspgate(&["check", "--har", "frames.har", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json(&o);
    // The page's img-src 'self' blocks its own cross-origin image...
    assert_eq!(
        cells(row(&lines, "http://img.test/page.png")),
        ("page", "image", "blocked", Some("img-src"))
    );
    // ...the frame's navigation is the page's frame-src's business...
    assert_eq!(
        cells(row(&lines, "http://frame.test/f.html")),
        ("page", "iframe", "allowed", Some("frame-src"))
    );
    // ...and the frame's own requests obey the frame's img-src http://img.test.
    let framed = row(&lines, "http://img.test/frame.png");
    assert_eq!(
        cells(framed),
        ("frame#1", "image", "allowed", Some("img-src"))
    );
    assert_eq!(framed["context_url"], "http://frame.test/f.html");
    assert_eq!(framed["matched"], "http://img.test");
    assert_eq!(
        cells(row(&lines, "http://frame.test/own.png")),
        ("frame#1", "image", "blocked", Some("img-src"))
    );
    // The tab navigated: the navigation itself is not a fetch, and what follows is checked
    // against the new document's img-src *.
    let nav = row(&lines, "http://app.test/next");
    assert_eq!(cells(nav), ("page", "document", "allowed", None));
    assert_eq!(nav["navigation"], "other");
    assert_eq!(
        cells(row(&lines, "http://img.test/next.png")),
        ("page#2", "image", "allowed", Some("img-src"))
    );
    // The table names the contexts and their policies.
    let o = cspgate(&["check", "--har", "frames.har"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("frame#1: frame http://frame.test/f.html, made by page (HAR entry 3)"),
        "{out}"
    );
    assert!(
        out.contains(
            "from HAR: frame#1's Content-Security-Policy response header): img-src http://img.test"
        ),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("CONTEXT ")), "{out}");
}

#[test]
fn form_submissions_are_checked_by_form_action() {
    let o = cspgate(&["check", "--har", "forms.har", "--json"]);
    let lines = json(&o);
    let evil = row(&lines, "http://evil.test/collect");
    assert_eq!(
        cells(evil),
        ("page", "document", "blocked", Some("form-action"))
    );
    assert_eq!(evil["navigation"], "form-submission");
    assert_eq!(evil["blocked_by"]["directive"], "form-action");
    let own = row(&lines, "http://blog.test:8080/comment");
    assert_eq!(
        cells(own),
        ("page", "document", "allowed", Some("form-action"))
    );
    // Without form-action, a form submission is not restricted (no fallback to default-src).
    let o = cspgate(&[
        "check",
        "--har",
        "forms.har",
        "--policy",
        "default-src 'self'",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        row(&json(&o), "http://evil.test/collect")["result"],
        "allowed"
    );
}

#[test]
fn workers_are_recognised_and_checked_in_their_own_context() {
    let o = cspgate(&["check", "--har", "workers.har", "--json"]);
    let lines = json(&o);
    // A script that later requests came from is a worker's: worker-src, and said so.
    let w = row(&lines, "http://app.test/w.js");
    assert_eq!(cells(w), ("page", "worker", "blocked", Some("worker-src")));
    assert_eq!(w["inferred_from"], "later-entries");
    assert!(w["guessed"].as_str().unwrap().contains("worker"), "{w}");
    // The script loaded by the page stays a script.
    let main = row(&lines, "http://app.test/main.js");
    assert_eq!(main["destination"], "script");
    assert!(main["guessed"].is_null());
    // The worker's own request, by its Referer: the worker's connect-src.
    assert_eq!(
        cells(row(&lines, "http://app.test/from-worker")),
        ("worker#1", "", "blocked", Some("connect-src"))
    );
    // A cross-origin request whose Referer is cut to the origin may be the worker's: the
    // two readings differ, so the verdict is unknown, and says why.
    let either = row(&lines, "http://api.test/either");
    assert_eq!(either["result"], "unknown");
    assert_eq!(
        either["depends_on"],
        "blocked as read, allowed if worker#1 made it"
    );
    // A request that started before the worker's script was requested is not the worker's.
    let early = row(&lines, "http://api.test/before-the-worker");
    assert_eq!(cells(early), ("page", "", "blocked", Some("connect-src")));
    assert!(early["depends_on"].is_null());
    // Chromium's initiator stack names the worker's script: the worker's, for sure.
    let by_stack = row(&lines, "http://api.test/by-stack");
    assert_eq!(
        cells(by_stack),
        ("worker#1", "", "allowed", Some("connect-src"))
    );
    assert!(by_stack["depends_on"].is_null());
    // A blob: script no HTML loads is most likely a worker's: the page's worker-src (which
    // does not list blob:) blocks it, as its script-src would a <script>; but worker#1 (whose
    // policy restricts only connect-src) may have started it as a nested worker.
    let blob = row(
        &lines,
        "blob:http://app.test/6d1c7b0e-0000-4000-8000-000000000001",
    );
    assert_eq!(
        cells(blob),
        ("page", "worker", "unknown", Some("worker-src"))
    );
    assert_eq!(
        blob["depends_on"],
        "blocked as read, allowed if worker#1 made it"
    );
    assert!(blob["guessed"]
        .as_str()
        .unwrap()
        .contains("blob: or data: script"));
    // Service-Worker: script marks the registration; the worker's own requests are its.
    let sw = row(&lines, "http://app.test/sw.js");
    assert_eq!(sw["destination"], "serviceworker");
    assert_eq!(sw["inferred_from"], "request-headers");
    assert_eq!(
        cells(row(&lines, "http://api.test/from-sw")),
        ("serviceworker#1", "", "allowed", Some("connect-src"))
    );
    // Notes go to standard error with --json.
    assert!(
        stderr(&o)
            .contains("destination guessed, a worker's script: later requests came from inside it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn redirect_hops_count_and_report_the_original_url() {
    let o = cspgate(&["check", "--har", "redirects.har", "--json"]);
    let lines = json(&o);
    let first = row(&lines, "https://cdn.test/images/logo.png");
    assert_eq!(first["redirect_count"], 0);
    // After a redirect the path of https://cdn.test/images/ is not compared (CSP3 §6.7.2.13).
    let hop = row(&lines, "https://cdn.test/v2/logo.png");
    assert_eq!(hop["result"], "allowed");
    assert_eq!(hop["redirect_count"], 1);
    assert_eq!(hop["original_url"], "https://cdn.test/images/logo.png");
    // The same URL fetched directly is blocked by the path.
    let direct = row(&lines, "https://cdn.test/v2/other.png");
    assert_eq!(direct["result"], "blocked");
    assert_eq!(direct["redirect_count"], 0);
    let o = cspgate(&["check", "--har", "redirects.har"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("after 1 redirect from https://cdn.test/images/logo.png"),
        "{out}"
    );
}

fn scratch(name: &str) -> PathBuf {
    binary::scratch(&format!("har-contexts-{name}"))
}

#[test]
fn other_encodings_are_read() {
    let text = std::fs::read_to_string(data("redirects.har")).unwrap();
    let dir = scratch("encodings");
    // A UTF-8 byte-order mark.
    let bom = dir.join("bom.har");
    std::fs::write(&bom, [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat()).unwrap();
    // UTF-16 little-endian with its byte-order mark.
    let utf16 = dir.join("utf16.har");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).unwrap();
    // One Latin-1 byte (é) in a header value.
    let latin1 = dir.join("latin1.har");
    let with_header = text.replacen(
        r#"{"name": "Sec-Fetch-Dest", "value": "image"}"#,
        "{\"name\": \"X-Caf\u{1}\", \"value\": \"x\"}, {\"name\": \"Sec-Fetch-Dest\", \"value\": \"image\"}",
        1,
    );
    let bytes: Vec<u8> = with_header
        .bytes()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    std::fs::write(&latin1, bytes).unwrap();
    for (path, note) in [
        (&bom, None),
        (&utf16, Some("is UTF-16")),
        (&latin1, Some("stray bytes were read as Latin-1")),
    ] {
        let o = cspgate(&["check", "--har", path.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(1), "{path:?}: {}", stderr(&o));
        assert_eq!(json(&o).len(), 3, "{path:?}");
        if let Some(n) = note {
            assert!(stderr(&o).contains(n), "{path:?}: {}", stderr(&o));
        }
    }
    // A broken entry is named.
    let bad = dir.join("bad-entry.har");
    std::fs::write(
        &bad,
        text.replacen(
            r#""url": "https://cdn.test/v2/other.png""#,
            r#""url": 7"#,
            1,
        ),
    )
    .unwrap();
    let o = cspgate(&["check", "--har", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("entry 4 is not a valid HAR entry: invalid type: integer `7`"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn suggest_adds_only_what_the_page_itself_needs() {
    let o = cspgate(&["suggest", "--har", "frames.har"]);
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    // The page's own image gets its source; the frame's blocked image does not.
    assert!(out.contains("img-src: add http://img.test"), "{out}");
    assert!(
        !out.contains("img-src 'self' http://img.test http://frame.test"),
        "{out}"
    );
    assert!(
        out.contains("made by frames, workers or documents with other policies are checked against their own policies"),
        "{out}"
    );
    assert!(out.contains("Re-checked with cspgate"), "{out}");
    assert!(
        out.contains("Every request of the page is allowed."),
        "{out}"
    );
    assert!(
        out.contains(
            "frame#1: http://frame.test/own.png (image): still blocked by policy 1's img-src"
        ),
        "{out}"
    );
    assert!(!out.contains("Verified"), "{out}");
}

#[test]
fn document_html_shows_nonces_parser_insertion_and_inline_code() {
    let o = cspgate(&["check", "--har", "html.har", "--json"]);
    let lines = json(&o);
    // <script nonce=abc src=/app.js>: the nonce allows it.
    let app = row(&lines, "https://app.test/app.js");
    assert_eq!(
        (app["result"].as_str(), app["matched"].as_str()),
        (Some("allowed"), Some("'nonce-abc'"))
    );
    // <script src=https://cdn.test/lib.js> without a nonce, parser-inserted: blocked.
    assert_eq!(row(&lines, "https://cdn.test/lib.js")["result"], "blocked");
    // dyn.js is not in the HTML: a script inserted it, and 'strict-dynamic' allows it.
    let dynamic = row(&lines, "https://cdn.test/dyn.js");
    assert_eq!(
        (dynamic["result"].as_str(), dynamic["matched"].as_str()),
        (Some("allowed"), Some("'strict-dynamic'"))
    );
    // Inline code, checked by the inline check.
    let inline: Vec<(&str, &str, &str)> = lines
        .iter()
        .filter(|l| !l["inline"].is_null())
        .map(|l| {
            (
                l["code"].as_str().unwrap(),
                l["inline"].as_str().unwrap(),
                l["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inline,
        [
            ("inline #1 <script>", "script", "allowed"),
            ("inline #2 <script>", "script", "blocked"),
            ("inline #3 <button onclick=>", "script attribute", "blocked"),
            ("inline #4 <p style=>", "style attribute", "blocked"),
            ("inline #5 <a href=javascript:>", "navigation", "blocked"),
        ]
    );
    // suggest proposes the hashes (and 'unsafe-hashes' for attributes).
    let o = cspgate(&["suggest", "--har", "html.har"]);
    let out = String::from_utf8(o.stdout).unwrap();
    // sha256("evil()") and sha256("go()"), base64.
    assert!(
        out.contains("'sha256-HD1jgiOUGdQw9/CUjocrllDng4vPgh6k2/wliwrrhRs='  for inline #2 <script> \"evil()\""),
        "{out}"
    );
    assert!(
        out.contains("style-src 'self' 'unsafe-hashes' 'sha256-NerDAUWfwD31YdZHveMrq0GLjsNFMwxLpZl0dPUeCcw='"),
        "{out}"
    );
    // A javascript: URL: the whole URL's hash (Chromium, WebKit) and the code's (Firefox).
    for hash in [
        "'sha256-jDbRdnWRhziiD2lk72MDyCAg2B/6fVdy02GN3Xik1hA='",
        "'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='",
    ] {
        assert!(
            out.contains(&format!("{hash}  for inline #5 <a href=javascript:>")),
            "{hash} in {out}"
        );
    }
}

#[test]
fn engine_differences_are_told_and_suggest_covers_them() {
    let policy = "connect-src wss://api.test; object-src *; frame-src 'none'";
    let args = [
        "--policy",
        policy,
        "--document",
        "https://app.test/",
        "https://api.test/x",
        "object:https://b.test/d.html",
    ];
    let o = cspgate(&[&["check", "--json"][..], &args].concat());
    let lines = json(&o);
    // cspgate keeps the letter (allowed); Chromium and Firefox block: said in `engines`.
    let ws = row(&lines, "https://api.test/x");
    assert_eq!(ws["result"], "allowed");
    assert_eq!(ws["engines"][0]["engines"], "chromium, firefox");
    assert_eq!(ws["engines"][0]["result"], "blocked");
    let object = row(&lines, "https://b.test/d.html");
    assert_eq!(object["engines"][0]["engines"], "chromium");
    assert_eq!(object["engines"][0]["directive"], "frame-src");
    assert!(stderr(&o).contains("Chromium also checks a document loaded by <object>"));
    // suggest writes a policy that holds in every engine.
    let o = cspgate(&[&["suggest"][..], &args].concat());
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("now: Content-Security-Policy: connect-src wss://api.test https://api.test; object-src *; frame-src https://b.test"),
        "{out}"
    );
    // Without the difference, nothing is said.
    let o = cspgate(&[
        "check",
        "--json",
        "--policy",
        "connect-src https://api.test",
        "--document",
        "https://app.test/",
        "https://api.test/x",
    ]);
    assert_eq!(json(&o)[0]["engines"], serde_json::json!([]));
}

/// The README's HAR example: a HAR Chromium recorded of the end-to-end test's page.
const README_POLICY: &str = "default-src 'self'; script-src 'self' 'nonce-abc'; img-src 'self' http://img.test:8080; connect-src 'self'; frame-src http://frame.test:8080; worker-src 'self'; form-action 'self'";

#[test]
fn a_real_chromium_har_is_read_in_its_contexts() {
    let o = cspgate(&[
        "check",
        "--har",
        "chromium-e2e.har",
        "--policy",
        README_POLICY,
        "--json",
    ]);
    let lines = json(&o);
    let contexts: Vec<(&str, &str)> = {
        let mut v: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l["context"].as_str().unwrap(),
                    l["context_url"].as_str().unwrap(),
                )
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        contexts,
        [
            ("frame#1", "http://frame.test:8080/f.html"),
            ("page", "http://app.test:8080/"),
            ("serviceworker#1", "http://app.test:8080/sw.js"),
            ("worker#1", "http://app.test:8080/w.js"),
        ]
    );
    // The worker's same-origin fetch carries its script's URL as Referer: the worker's.
    assert_eq!(
        cells(row(&lines, "http://app.test:8080/wfetch")),
        ("worker#1", "", "allowed", Some("connect-src"))
    );
    // The service worker's import and fetch, by Playwright's _serviceWorkerRef.
    assert_eq!(
        row(&lines, "http://api.test:8080/from-sw")["matched"],
        "http://api.test:8080"
    );
    // The <object>'s document, known from the page's HTML.
    assert_eq!(
        cells(row(&lines, "http://frame.test:8080/o.html")),
        ("page", "object", "blocked", Some("object-src"))
    );
    // The redirect's second hop.
    assert_eq!(
        row(&lines, "http://img.test:8080/final/x.png")["redirect_count"],
        1
    );
    // The form submission that navigated the tab.
    assert_eq!(
        cells(row(&lines, "http://other.test:8080/collect")),
        ("page", "document", "blocked", Some("form-action"))
    );
}

#[test]
fn the_readme_shows_this_run() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let command = format!(
        "$ cargo run -q --release -p cspgate-cli -- check --har cli/tests/data/contexts/chromium-e2e.har --policy \"{README_POLICY}\"\n"
    );
    let start = readme.find(&command).expect("the README shows the command") + command.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let o = cspgate(&[
        "check",
        "--har",
        "chromium-e2e.har",
        "--policy",
        README_POLICY,
    ]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), shown);
}

#[test]
fn suggest_uses_self_only_where_every_engine_reads_it_alike() {
    let o = cspgate(&[
        "suggest",
        "--document",
        "http://app.test/",
        "--policy",
        "img-src 'none'",
        "image:https://app.test:8443/x.png",
        "image:https://app.test/y.png",
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    // 'self' upgrades http: to https: on the default port everywhere; on another port only
    // by the letter (Chromium refuses), so that one gets its exact source.
    assert!(
        out.contains("now: Content-Security-Policy: img-src https://app.test:8443 'self'"),
        "{out}"
    );
}

#[test]
fn har_without_frames_or_fetch_metadata_still_finds_contexts() {
    let o = cspgate(&["check", "--har", "devtools-frames.har", "--json"]);
    let lines = json(&o);
    // A module import names the importing script as referrer: that does not make it a
    // worker's script (it stays a script, read both ways as nothing else tells).
    let module = row(&lines, "http://blog.test:8080/mod.js");
    assert_eq!(module["destination"], "script");
    assert_eq!(module["inferred_from"], "mime-type");
    assert_eq!(
        module["depends_on"],
        "allowed as read, blocked if it is a worker's script (the HAR does not say)"
    );
    // The frame's cross-origin image names the frame's origin as referrer: the frame's.
    let image = row(&lines, "http://cdn.test/x.png");
    assert_eq!(
        cells(image),
        ("frame#1", "image", "allowed", Some("img-src"))
    );
    assert_eq!(image["context_url"], "http://widget.test/w.html");
}
