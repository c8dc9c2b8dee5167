//! Runs the `cspgate` binary on the files of `tests/data/` and checks its tables, JSON, exit
//! codes and error messages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

#[path = "support/binary.rs"]
mod binary;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use binary::{assert_input_error, json_lines, stderr, stdout};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    binary::data_dir("").join(name)
}

fn cspgate(args: &[&str]) -> Output {
    binary::cspgate_in(&data(""), args)
}

#[test]
fn readme_quick_start_blocks_by_connect_src() {
    let o = cspgate(&[
        "check",
        "--policy",
        "connect-src https://example.com/",
        "--document",
        "https://example.com/",
        "https://not-example.com/",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let row = out
        .lines()
        .find(|l| l.starts_with("https://not-example.com/"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "https://not-example.com/",
            "\"\"",
            "blocked",
            "connect-src",
            "no",
            "source",
            "matched"
        ]
    );
    assert!(
        out.ends_with("1 request: 0 allowed, 1 blocked, 0 reported\n"),
        "{out}"
    );
}

#[test]
fn allowed_requests_exit_zero() {
    let o = cspgate(&[
        "check",
        "--policy",
        "default-src 'self'",
        "--document",
        "https://app.example.com/",
        "script:https://app.example.com/a.js",
        "https://app.example.com/api",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 requests: 2 allowed, 0 blocked, 0 reported"));
}

/// (entry, URL, destination, api, inferred from, result, effective directive, governing, matched)
type Expect = (
    u64,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

fn assert_entries(lines: &[Value], want: &[Expect]) {
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for (got, w) in lines.iter().zip(want) {
        let (entry, url, dest, api, inferred, result, directive, governing, matched) = *w;
        let ctx = format!("entry {entry}: {got}");
        assert_eq!(got["entry"], entry, "{ctx}");
        assert_eq!(got["url"], url, "{ctx}");
        assert_eq!(got["destination"], dest, "{ctx}");
        assert_eq!(got["api"].as_str(), api, "{ctx}");
        assert_eq!(got["inferred_from"], inferred, "{ctx}");
        assert_eq!(got["result"], result, "{ctx}");
        assert_eq!(got["directive"].as_str(), directive, "{ctx}");
        assert_eq!(got["governing"].as_str(), governing, "{ctx}");
        assert_eq!(got["matched"].as_str(), matched, "{ctx}");
        if result == "blocked" {
            assert_eq!(got["blocked_by"]["policy"], 1, "{ctx}");
            assert_eq!(got["blocked_by"]["directive"].as_str(), directive, "{ctx}");
        } else {
            assert!(got["blocked_by"].is_null(), "{ctx}");
        }
    }
}

const SHOP: &str = "https://shop.example.com";
const SFD: &str = "sec-fetch-dest";
const RT: &str = "_resourceType";

#[test]
fn chromium_har_end_to_end() {
    let o = cspgate(&["check", "--har", "shop-chromium.har", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json_lines(&o);
    let script = Some("script-src-elem");
    let connect = Some("connect-src");
    #[rustfmt::skip]
    let want: &[Expect] = &[
        (3, "https://shop.example.com/static/css/main.3f2a.css", "style", None, SFD, "allowed", Some("style-src-elem"), Some("style-src"), Some("'self'")),
        (4, "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap", "style", None, SFD, "allowed", Some("style-src-elem"), Some("style-src"), Some("https://fonts.googleapis.com")),
        (5, "https://shop.example.com/static/js/app.9c1e.js", "script", None, SFD, "allowed", script, Some("script-src"), Some("'self'")),
        (6, "https://cdn.jsdelivr.net/npm/alpinejs@3.13.5/dist/cdn.min.js", "script", None, SFD, "allowed", script, Some("script-src"), Some("https://cdn.jsdelivr.net")),
        (7, "https://www.googletagmanager.com/gtag/js?id=G-7QK2M1XJ4B", "script", None, SFD, "reported", script, Some("script-src"), Some("https://www.googletagmanager.com")),
        (8, "https://www.google-analytics.com/analytics.js", "script", None, RT, "blocked", script, Some("script-src"), None),
        (9, "https://fonts.gstatic.com/s/inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2", "font", None, SFD, "allowed", Some("font-src"), Some("font-src"), Some("https://fonts.gstatic.com")),
        (10, "https://shop.example.com/static/img/logo.svg", "image", None, SFD, "allowed", Some("img-src"), Some("img-src"), Some("'self'")),
        (11, "https://images.shopcdn.example.com/products/1042/thumb.webp", "image", None, SFD, "allowed", Some("img-src"), Some("img-src"), Some("https://images.shopcdn.example.com")),
        (12, "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "image", None, RT, "allowed", Some("img-src"), Some("img-src"), Some("data:")),
        (13, "https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-000000-1", "image", None, RT, "blocked", Some("img-src"), Some("img-src"), None),
        (14, "https://api.shop.example.com/v1/cart", "", Some("XHR"), SFD, "allowed", connect, connect, Some("https://api.shop.example.com")),
        (15, "https://shop.example.com/api/recommendations?sku=1042", "", Some("fetch()"), SFD, "allowed", connect, connect, Some("'self'")),
        (16, "https://api.stripe.com/v1/tokens", "", Some("fetch()"), RT, "blocked", connect, connect, None),
        (17, "wss://realtime.shop.example.com/socket?v=2", "", Some("WebSocket"), RT, "allowed", connect, connect, Some("wss://realtime.shop.example.com")),
        (18, "https://shop.example.com/events/stock", "", Some("EventSource"), SFD, "allowed", connect, connect, Some("'self'")),
        (19, "https://analytics.shop.example.com/beacon", "", Some("sendBeacon()"), RT, "blocked", connect, connect, None),
        (20, "https://shop.example.com/track/click?to=%2Fsale", "", Some("<a ping>"), SFD, "allowed", connect, connect, Some("'self'")),
        (21, "https://shop.example.com/static/js/search-worker.js", "worker", None, SFD, "allowed", Some("worker-src"), Some("worker-src"), Some("'self'")),
        (22, "https://shop.example.com/sw.js", "serviceworker", None, SFD, "allowed", Some("worker-src"), Some("worker-src"), Some("'self'")),
        (23, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "iframe", None, SFD, "allowed", Some("frame-src"), Some("frame-src"), Some("https://www.youtube-nocookie.com")),
        (24, "https://js.stripe.com/v3/controller-8d6a.html", "iframe", None, RT, "blocked", Some("frame-src"), Some("frame-src"), None),
        (25, "https://media.shopcdn.example.com/promo/spring.mp4", "video", None, RT, "blocked", Some("media-src"), Some("default-src"), None),
        (26, "https://shop.example.com/manifest.webmanifest", "manifest", None, SFD, "allowed", Some("manifest-src"), Some("default-src"), Some("'self'")),
        (28, "https://shop.example.com/product/1043", "", None, SFD, "allowed", Some("default-src"), Some("default-src"), Some("'self'")),
        (29, "https://shop.example.com/csp-report", "report", None, SFD, "allowed", None, None, None),
    ];
    assert_entries(&lines, want);
    // The prefetch keeps its initiator; the report-only policy reports third-party scripts.
    assert_eq!(lines[24]["initiator"], "prefetch");
    let reported: Vec<&str> = lines
        .iter()
        .filter(|l| !l["reported"].as_array().unwrap().is_empty())
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        reported,
        [
            "https://www.googletagmanager.com/gtag/js?id=G-7QK2M1XJ4B",
            "https://www.google-analytics.com/analytics.js"
        ]
    );
    assert_eq!(
        lines[4]["reported"][0],
        serde_json::json!({"directive": "script-src-elem", "governing": "script-src", "policy": 2})
    );
    // The redirect and the preflight are left out, and said so.
    let err = stderr(&o);
    assert!(err.contains("a redirect of the page's document"), "{err}");
    assert!(err.contains("a CORS preflight"), "{err}");
    assert!(!SHOP.is_empty());
}

#[test]
fn chromium_har_table() {
    let o = cspgate(&["check", "--har", "shop-chromium.har"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("Document: https://shop.example.com/\nPolicy 1 (enforced, header; from HAR: content-security-policy response header): default-src 'self'; script-src"), "{out}");
    assert!(out.contains("Policy 2 (report-only, header; from HAR: content-security-policy-report-only response header): script-src 'self' https://cdn.jsdelivr.net; report-uri /csp-report"));
    // The page has workers and frames: every row starts with its context, here the page's.
    let row = |prefix: &str| -> Vec<String> {
        let line = out
            .lines()
            .find(|l| {
                l.strip_prefix("page ")
                    .is_some_and(|r| r.trim_start().starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no row {prefix} in\n{out}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        row("https://media.shopcdn.example.com/"),
        [
            "https://media.shopcdn.example.com/promo/spring.mp4",
            "video",
            "blocked",
            "media-src (via default-src)",
            "no source matched"
        ]
    );
    assert_eq!(
        row("wss://realtime"),
        [
            "wss://realtime.shop.example.com/socket?v=2",
            "\"\" (WebSocket)",
            "allowed",
            "connect-src",
            "wss://realtime.shop.example.com"
        ]
    );
    assert_eq!(
        row("https://www.googletagmanager.com/"),
        [
            "https://www.googletagmanager.com/gtag/js?id=G-7QK2M1XJ4B",
            "script",
            "reported",
            "script-src-elem (via script-src)",
            "https://www.googletagmanager.com; reported by policy 2 (script-src-elem via script-src)"
        ]
    );
    assert_eq!(
        row("data:"),
        [
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAA…",
            "image",
            "allowed",
            "img-src",
            "data:"
        ]
    );
    assert!(
        out.ends_with("\n26 requests: 19 allowed, 6 blocked, 1 reported\n"),
        "{out}"
    );
}

#[test]
fn firefox_har_falls_back_on_mime_types_and_headers() {
    let o = cspgate(&["check", "--har", "shop-firefox.har", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json_lines(&o);
    let (mime, hdr, ext, ws, assumed) = (
        "mime-type",
        "request-headers",
        "url-extension",
        "websocket-handshake",
        "assumed",
    );
    let script = Some("script-src-elem");
    let connect = Some("connect-src");
    #[rustfmt::skip]
    let want: &[Expect] = &[
        (3, "https://shop.example.com/static/css/main.3f2a.css", "style", None, mime, "allowed", Some("style-src-elem"), Some("style-src"), Some("'self'")),
        (4, "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap", "style", None, mime, "allowed", Some("style-src-elem"), Some("style-src"), Some("https://fonts.googleapis.com")),
        (5, "https://shop.example.com/static/js/app.9c1e.js", "script", None, mime, "allowed", script, Some("script-src"), Some("'self'")),
        // Without Sec-Fetch-Dest or the page's HTML, a script may be a worker's: where
        // worker-src ('self') says otherwise than script-src, the verdict is unknown.
        (6, "https://cdn.jsdelivr.net/npm/alpinejs@3.13.5/dist/cdn.min.js", "script", None, mime, "unknown", script, Some("script-src"), Some("https://cdn.jsdelivr.net")),
        (7, "https://www.googletagmanager.com/gtag/js?id=G-7QK2M1XJ4B", "script", None, mime, "unknown", script, Some("script-src"), Some("https://www.googletagmanager.com")),
        // Blocked, so no response: the file name tells.
        (8, "https://www.google-analytics.com/analytics.js", "script", None, ext, "blocked", script, Some("script-src"), None),
        (9, "https://fonts.gstatic.com/s/inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2", "font", None, mime, "allowed", Some("font-src"), Some("font-src"), Some("https://fonts.gstatic.com")),
        (10, "https://shop.example.com/static/img/logo.svg", "image", None, mime, "allowed", Some("img-src"), Some("img-src"), Some("'self'")),
        (11, "https://images.shopcdn.example.com/products/1042/thumb.webp", "image", None, mime, "allowed", Some("img-src"), Some("img-src"), Some("https://images.shopcdn.example.com")),
        (12, "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "image", None, mime, "allowed", Some("img-src"), Some("img-src"), Some("data:")),
        // Blocked: Firefox's image Accept header tells.
        (13, "https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-000000-1", "image", None, hdr, "blocked", Some("img-src"), Some("img-src"), None),
        (14, "https://api.shop.example.com/v1/cart", "", Some("XHR"), mime, "allowed", connect, connect, Some("https://api.shop.example.com")),
        (15, "https://shop.example.com/api/recommendations?sku=1042", "", Some("fetch()/XHR"), mime, "allowed", connect, connect, Some("'self'")),
        (16, "https://api.stripe.com/v1/tokens", "", Some("fetch()/XHR"), assumed, "blocked", connect, connect, None),
        // Recorded with its https: URL and Upgrade: websocket; checked as wss:.
        (17, "wss://realtime.shop.example.com/socket?v=2", "", Some("WebSocket"), ws, "allowed", connect, connect, Some("wss://realtime.shop.example.com")),
        (18, "https://shop.example.com/events/stock", "", Some("EventSource"), hdr, "allowed", connect, connect, Some("'self'")),
        (19, "https://analytics.shop.example.com/beacon", "", Some("fetch()/XHR"), assumed, "blocked", connect, connect, None),
        (20, "https://shop.example.com/track/click?to=%2Fsale", "", Some("<a ping>"), hdr, "allowed", connect, connect, Some("'self'")),
        // Without Sec-Fetch-Dest a worker script looks like any script.
        (21, "https://shop.example.com/static/js/search-worker.js", "script", None, mime, "allowed", script, Some("script-src"), Some("'self'")),
        (22, "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "iframe", None, mime, "allowed", Some("frame-src"), Some("frame-src"), Some("https://www.youtube-nocookie.com")),
        (23, "https://js.stripe.com/v3/controller-8d6a.html", "iframe", None, hdr, "blocked", Some("frame-src"), Some("frame-src"), None),
        (24, "https://media.shopcdn.example.com/promo/spring.mp4", "video", None, hdr, "blocked", Some("media-src"), Some("default-src"), None),
        (25, "https://shop.example.com/manifest.webmanifest", "manifest", None, mime, "allowed", Some("manifest-src"), Some("default-src"), Some("'self'")),
    ];
    assert_entries(&lines, want);
}

#[test]
fn command_line_policy_and_document_override_the_har() {
    let o = cspgate(&[
        "check",
        "--har",
        "shop-chromium.har",
        "--policy",
        "default-src 'self'",
        "--document",
        "https://www.youtube-nocookie.com/",
        "--json",
    ]);
    let lines = json_lines(&o);
    let yt = lines
        .iter()
        .find(|l| l["url"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        .unwrap();
    assert_eq!(yt["result"], "allowed");
    assert_eq!(yt["matched"], "'self'");
    assert!(lines
        .iter()
        .all(|l| l["reported"].as_array().unwrap().is_empty()));
    assert!(stderr(&o).contains("replace the HAR's"));
}

#[test]
fn request_and_policy_files() {
    let o = cspgate(&[
        "check",
        "--policy-file",
        "policy.txt",
        "--document",
        "https://app.example.com/",
        "--requests",
        "requests.txt",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("Policy 2 (report-only, header; from policy.txt:3): default-src 'none';"));
    let blocked: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" blocked "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        blocked,
        [
            "https://fonts.example.net/inter.woff2",
            "wss://push.example.net/live",
            "https://telemetry.example.org/v1/events",
            "https://www.youtube-nocookie.com/embed/x1"
        ]
    );
    assert!(out.contains("image (prefetch)"));
    assert!(
        out.ends_with("12 requests: 6 allowed, 4 blocked, 2 reported\n"),
        "{out}"
    );
}

#[test]
fn report_only_violations_do_not_fail_unless_asked() {
    let args = [
        "check",
        "--report-only",
        "img-src 'self'",
        "--document",
        "https://app.example.com/",
        "image:https://cdn.example.net/a.png",
        "--json",
    ];
    let o = cspgate(&args);
    assert_eq!(o.status.code(), Some(0));
    let l = &json_lines(&o)[0];
    assert_eq!(l["result"], "reported");
    assert_eq!(
        l["reported"],
        serde_json::json!([{"directive": "img-src", "governing": "img-src", "policy": 1}])
    );
    let mut strict = args.to_vec();
    strict.push("--fail-on-report");
    assert_eq!(cspgate(&strict).status.code(), Some(1));
}

#[test]
fn destinations_in_arguments() {
    let o = cspgate(&[
        "check",
        "--policy",
        "default-src 'none'; worker-src https://app.example.com",
        "--document",
        "https://app.example.com/",
        "--json",
        "worker:https://app.example.com/w.js",
        "https://app.example.com/w.js",
        "blob:https://app.example.com/6f1c",
    ]);
    let lines = json_lines(&o);
    assert_eq!(lines[0]["destination"], "worker");
    assert_eq!(lines[0]["result"], "allowed");
    assert_eq!(lines[1]["destination"], "");
    assert_eq!(lines[1]["result"], "blocked");
    assert_eq!(lines[1]["governing"], "default-src");
    assert_eq!(lines[2]["url"], "blob:https://app.example.com/6f1c");
    assert_eq!(lines[2]["destination"], "");
}

#[test]
fn explain_a_policy() {
    let o = cspgate(&[
        "explain",
        "--document",
        "https://app.example.com/",
        "--policy",
        "default-src 'self'; img-src 'self' data: 'unsafe-eval'; IMG-SRC *; xhr-src 'self'; prefetch-src 'self'; script-src 'nonce-r4nd0m' 'unsafe-inline' 'strict-dynamic' https: self; connect-src 'none' https://api.example.com https://a_b.example.com; style-src é",
        "--meta",
        "frame-ancestors 'none'; upgrade-insecure-requests",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "Policy 1 (enforced, header; from --policy)",
        "Policy 2 (enforced, <meta>; from --meta)",
        "the page's own origin, https://app.example.com (and wss://app.example.com)",
        "INERT: 'unsafe-eval' means nothing in img-src: it works in script-src and default-src",
        "unknown directive: no effect (legacy: Mozilla's pre-standard name; use connect-src)",
        "unknown directive: no effect (legacy: removed from CSP3 in 2023; prefetches are checked against default-src)",
        "INERT: the list has a nonce or hash, which turns 'unsafe-inline' off",
        "a host named self: did you mean 'self', with single quotes?; ignored for scripts because of 'strict-dynamic'",
        "INERT: 'none' is ignored when other sources are listed",
        "INERT: not a valid source expression: the host is not a valid host pattern",
        "\"IMG-SRC *\" (bytes 56..65): duplicate directive, ignored (the first one wins)",
        "\"style-src é\" (bytes 244..256): directive contains a non-ASCII character, ignored whole",
        "(bytes 0..22): frame-ancestors is not allowed in a <meta> policy, ignored",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // Every destination, the empty one with its APIs.
    let table = out.split("after fallback (CSP3 §6.8):").nth(1).unwrap();
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim().starts_with("DESTINATION"))
        .collect();
    assert_eq!(rows.len(), cspgate::Destination::ALL.len() + 1);
    let cells = |prefix: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r.trim_start().starts_with(prefix))
            .unwrap()
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        cells("\"\""),
        [
            "\"\"",
            "fetch(), XHR, WebSocket, EventSource, sendBeacon(), <a ping>",
            "connect-src",
            "connect-src",
            "not restricted"
        ]
    );
    assert_eq!(
        cells("worker "),
        [
            "worker",
            "new Worker()",
            "worker-src",
            "script-src (fallback)",
            "not restricted"
        ]
    );
    assert_eq!(
        cells("document"),
        [
            "document",
            "top-level navigation",
            "(not checked)",
            "-",
            "-"
        ]
    );
}

#[test]
fn explain_the_har_policy() {
    let o = cspgate(&["explain", "--har", "shop-chromium.har"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("Document: https://shop.example.com/\n"));
    assert!(out.contains("Policy 2 (report-only, header; from HAR: content-security-policy-report-only response header)"));
    assert!(out.contains("realtime.shop.example.com over wss: and https:, default port, any path"));
}

#[test]
fn suggest_for_the_har_is_verified_and_checks_clean() {
    let o = cspgate(&["suggest", "--har", "shop-chromium.har"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(
        "  media-src: create it: media-src 'self' https://media.shopcdn.example.com\n    media-src is not in this policy, so these requests fall back to default-src."
    ), "{out}");
    assert!(out.contains(
        "    default-src for them instead of adding to it: it keeps default-src's sources ('self') and adds https://media.shopcdn.example.com.\n"
    ), "{out}");
    assert!(out.contains(
        "  connect-src: add https://api.stripe.com https://analytics.shop.example.com\n"
    ));
    assert!(
        out.contains("Re-checked with cspgate: all 26 requests against the suggested policies: 25 allowed, 0 blocked, 0 reported, 1 unknown."),
        "{out}"
    );
    // analytics.js has no Sec-Fetch-Dest: were it a worker's script, worker-src would block it.
    assert!(
        out.contains("Allowed as the HAR reads them, but other readings of what it does not show would block:\n  https://www.google-analytics.com/analytics.js (script): unknown: allowed as read, blocked if it is a worker's script (the HAR does not say)"),
        "{out}"
    );
    for banned in ["'unsafe-inline'", "'unsafe-eval'", " * ", "*."] {
        assert!(!out.contains(banned), "{banned} in\n{out}");
    }
    // The suggested policies, checked again by `check`, allow everything.
    let now: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("now: "))
        .collect();
    assert_eq!(now.len(), 2);
    let enforce = now[0].strip_prefix("Content-Security-Policy: ").unwrap();
    let report = now[1]
        .strip_prefix("Content-Security-Policy-Report-Only: ")
        .unwrap();
    let c = cspgate(&[
        "check",
        "--har",
        "shop-chromium.har",
        "--policy",
        enforce,
        "--report-only",
        report,
    ]);
    assert_eq!(c.status.code(), Some(0), "{}", stdout(&c));
    assert!(
        stdout(&c).ends_with("26 requests: 25 allowed, 0 blocked, 0 reported, 1 unknown\n"),
        "{}",
        stdout(&c)
    );
}

#[test]
fn suggest_a_starting_policy() {
    let o = cspgate(&[
        "suggest",
        "--document",
        "https://app.example.com/",
        "--requests",
        "requests.txt",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("The page has no policy."));
    let policy = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("now: Content-Security-Policy: "))
        .unwrap();
    assert_eq!(
        policy,
        "default-src 'self'; object-src 'none'; base-uri 'self'; script-src 'self' https://cdn.example.net; img-src 'self' data:; font-src 'self' https://fonts.example.net; connect-src 'self' wss://push.example.net https://telemetry.example.org; frame-src 'self' https://www.youtube-nocookie.com"
    );
    assert!(out.contains("Re-checked with cspgate: all 12 requests against the suggested policy: 12 allowed, 0 blocked, 0 reported."));
    assert!(out.contains("'unsafe-inline' is never suggested"));
}

#[test]
fn wildcards_only_when_asked_and_loudly() {
    let args = [
        "suggest",
        "--document",
        "https://app.example.com/",
        "image:https://a.img.example.net/1.png",
        "image:https://b.img.example.net/2.png",
        "image:https://x.github.io/1.png",
        "image:https://y.github.io/2.png",
    ];
    let plain = stdout(&cspgate(&args));
    assert!(!plain.contains('*'), "{plain}");
    assert!(!plain.contains("WILDCARD"));
    let mut wild = args.to_vec();
    wild.push("--allow-wildcards");
    let o = cspgate(&wild);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with(&"!".repeat(78)), "{out}");
    assert!(out.contains("!!! This suggestion uses host wildcards: https://*.img.example.net"));
    assert!(out.contains(
        "img-src 'self' https://*.img.example.net https://x.github.io https://y.github.io"
    ));
    assert!(out.contains("no wildcard for *.github.io"));
}

#[test]
fn suggest_says_when_sources_cannot_help() {
    let o = cspgate(&[
        "suggest",
        "--policy",
        "script-src 'nonce-r4nd0m' 'strict-dynamic'",
        "--har",
        "shop-chromium.har",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("NOT ALLOWED: re-checked with cspgate"),
        "{out}"
    );
    // A HAR without the documents' HTML cannot show which scripts carried the nonce: the
    // verdict depends on it, and says so.
    assert!(
        out.contains(
            "unknown: blocked as read, allowed if its element's nonce or parser insertion"
        ),
        "{out}"
    );
    // Requests described by hand take --nonce as their elements' nonce.
    let o = cspgate(&[
        "suggest",
        "--policy",
        "script-src 'nonce-r4nd0m' 'strict-dynamic'",
        "--document",
        "https://shop.example.com/",
        "script:https://cdn.jsdelivr.net/npm/x.js",
        "--nonce",
        "r4nd0m",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let doc = ["--document", "https://app.example.com/"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["check", "--har", "broken.har"], "broken.har is not valid JSON: EOF while parsing"),
        (vec!["check", "--har", "empty.har"], "empty.har has no entries"),
        (vec!["check", "--har", "missing.har"], "cannot read missing.har"),
        (
            [&["check"][..], &doc, &["--requests", "bad-url.txt"]].concat(),
            "bad-url.txt:2: invalid URL \"https://app.example.com:99999/logo.png\": invalid port number",
        ),
        (
            [&["check"][..], &doc, &["--requests", "unknown-destination.txt"]].concat(),
            "unknown-destination.txt:2: unknown request destination \"picture\"",
        ),
        (
            [&["check"][..], &doc, &["picture:https://app.example.com/a.jpg"]].concat(),
            "unknown request destination \"picture\"",
        ),
        (
            [&["check"][..], &doc, &["https://exa mple.com/"]].concat(),
            "invalid URL \"https://exa mple.com/\"",
        ),
        (
            vec!["check", "--document", "app.example.com", "https://a.example/"],
            "--document: invalid URL \"app.example.com\": it is relative",
        ),
        (vec!["check", "https://a.example/"], "no document URL"),
        ([&["check"][..], &doc].concat(), "no requests to check"),
        (
            [&["check", "--policy-file", "nope.txt"][..], &doc, &["https://a.example/"]].concat(),
            "cannot read nope.txt",
        ),
        (vec!["explain"], "no policy to explain"),
        (vec!["suggest", "--har", "broken.har"], "broken.har is not valid JSON"),
    ];
    for (args, what) in cases {
        let o = cspgate(&args);
        assert_input_error(&o, what);
    }
    // A HAR that is JSON but not a HAR.
    let dir = scratch("not-a-har");
    let path = dir.join("x.har");
    std::fs::write(&path, "{\"entries\": []}").unwrap();
    assert_input_error(
        &cspgate(&["check", "--har", path.to_str().unwrap()]),
        "is not a HAR file: it has no \"log\" object",
    );
    std::fs::write(&path, "{\"log\": {\"entries\": [{\"request\": {}}]}}").unwrap();
    assert_input_error(
        &cspgate(&["check", "--har", path.to_str().unwrap()]),
        "entry 1 is not a valid HAR entry: missing field `url`",
    );
    // Usage errors (clap) exit 2 too.
    assert_eq!(cspgate(&["check", "--no-such-flag"]).status.code(), Some(2));
}

fn scratch(name: &str) -> PathBuf {
    binary::scratch(&format!("cli-{name}"))
}

#[test]
fn long_hars_stay_quiet_when_piped() {
    let entries: Vec<String> = (0..250)
        .map(|i| {
            format!(
                r#"{{"request":{{"method":"GET","url":"https://app.example.com/img/{i}.png","headers":[{{"name":"sec-fetch-dest","value":"image"}}]}},"response":{{"status":200,"headers":[],"content":{{"mimeType":"image/png"}}}},"_resourceType":"image"}}"#
            )
        })
        .collect();
    let doc = r#"{"request":{"method":"GET","url":"https://app.example.com/","headers":[]},"response":{"status":200,"headers":[{"name":"content-security-policy","value":"img-src 'self'"}],"content":{"mimeType":"text/html"}},"_resourceType":"document"}"#;
    let har = format!(
        r#"{{"log":{{"version":"1.2","entries":[{doc},{}]}}}}"#,
        entries.join(",")
    );
    let dir = scratch("long");
    let path = dir.join("long.har");
    std::fs::write(&path, har).unwrap();
    let o = cspgate(&["check", "--har", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "", "no progress bar on a pipe");
    assert!(stdout(&o).ends_with("250 requests: 250 allowed, 0 blocked, 0 reported\n"));
}

#[test]
fn conformance_still_reads_cases_on_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cspgate"))
        .arg("conformance")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"a\",\"kind\":\"request\",\"document\":\"https://example.com/\",\"policies\":[{\"text\":\"connect-src https://example.com/\"}],\"request\":{\"url\":\"https://not-example.com/\"}}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["id"], "a");
    assert_eq!(v["result"], "blocked");
    assert_eq!(v["directive"], "connect-src");
}
