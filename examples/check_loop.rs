//! Loops one request check N times, for instruction counts: run it under
//! `valgrind --tool=callgrind` with N and 2N, and divide the difference of the totals by N
//! (`docs/performance.md`, "How to reproduce"). The cases are those of `benches/check.rs`.
//!
//! `cargo build --release --example check_loop`, then
//! `valgrind --tool=callgrind target/release/examples/check_loop connect-allowed 20000`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A tool: bad arguments panic.
use cspgate::url::Url;
use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
use std::hint::black_box;

const REALISTIC: &str = "default-src 'self'; \
    script-src 'self' 'nonce-r4nd0m' https://www.googletagmanager.com https://www.google-analytics.com; \
    style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; \
    img-src 'self' data: https:; font-src 'self' https://fonts.gstatic.com; \
    connect-src 'self' https://api.example.org wss://push.example.org https://www.google-analytics.com; \
    frame-src https://www.youtube.com https://player.vimeo.com; worker-src 'self' blob:; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; \
    report-uri /csp-report";

fn hosts_policy(n: usize) -> String {
    let hosts: Vec<String> = (0..n)
        .map(|i| format!("https://api{i}.service{}.example.net", i % 7))
        .collect();
    format!("default-src 'self'; connect-src 'self' {}", hosts.join(" "))
}
fn last_host_url(n: usize) -> String {
    format!(
        "https://api{}.service{}.example.net/v1/items",
        n - 1,
        (n - 1) % 7
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).expect("usage: check_loop CASE N").as_str();
    let n: usize = args
        .get(2)
        .expect("usage: check_loop CASE N")
        .parse()
        .unwrap();
    let (policy, url, dest, nonce) = match case {
        "connect-allowed" => (
            REALISTIC.to_owned(),
            "https://api.example.org/v1/items?page=2".to_owned(),
            "",
            "",
        ),
        "connect-blocked" => (
            REALISTIC.to_owned(),
            "https://tracker.evil.test/collect?id=1".to_owned(),
            "",
            "",
        ),
        "worker" => (
            REALISTIC.to_owned(),
            "https://www.example.org/sw.js".to_owned(),
            "worker",
            "",
        ),
        "iframe" => (
            REALISTIC.to_owned(),
            "https://www.youtube.com/embed/dQw4w9WgXcQ".to_owned(),
            "iframe",
            "",
        ),
        "script-nonce" => (
            REALISTIC.to_owned(),
            "https://cdn.third-party.test/app.js".to_owned(),
            "script",
            "r4nd0m",
        ),
        "default-src-fallback" => (
            REALISTIC.to_owned(),
            "https://www.example.org/media/intro.mp4".to_owned(),
            "video",
            "",
        ),
        "hosts-10" => (hosts_policy(10), last_host_url(10), "", ""),
        "hosts-50" => (hosts_policy(50), last_host_url(50), "", ""),
        "hosts-1000" => (hosts_policy(1000), last_host_url(1000), "", ""),
        other => panic!("unknown case {other:?}"),
    };
    let doc = Url::parse("https://www.example.org/").unwrap();
    let p = DocumentPolicy::new(
        &doc,
        PolicyList::parse(&policy, Disposition::Enforce, PolicySource::Header),
    );
    let u = Url::parse(&url).unwrap();
    let d: Destination = dest.parse().unwrap();
    let mut blocked = 0usize;
    for _ in 0..n {
        let r = Request::new(black_box(&u), d).nonce(nonce);
        blocked += usize::from(black_box(&p).check_request(black_box(&r)).is_blocked());
    }
    println!("{blocked}");
}
