//! Loops one request check N times, for instruction counts: run it under
//! `valgrind --tool=callgrind` with N and 2N, and divide the difference of the totals by N
//! (`docs/performance.md`, "How to reproduce"). The cases are those of `benches/check.rs`.
//!
//! `cargo build --release --example check_loop`, then
//! `valgrind --tool=callgrind target/release/examples/check_loop connect-allowed 20000`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A tool: bad arguments panic.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{hosts_policy, last_host_url, REALISTIC};
use cspgate::url::Url;
use cspgate::{Destination, DocumentPolicy, Request};

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
    let doc = Url::parse(common::DOCUMENT).unwrap();
    let p = DocumentPolicy::new(&doc, common::ours_list(&policy));
    let u = Url::parse(&url).unwrap();
    let d: Destination = dest.parse().unwrap();
    let mut blocked = 0usize;
    for _ in 0..n {
        let r = Request::new(black_box(&u), d).nonce(nonce);
        blocked += usize::from(black_box(&p).check_request(black_box(&r)).is_blocked());
    }
    println!("{blocked}");
}
