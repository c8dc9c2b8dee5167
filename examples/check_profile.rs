//! One check of `benches/check.rs`, looped, for `valgrind --tool=callgrind` (run it with N and
//! 2N loops: the difference over N is the cost of one check, driver loop included; see
//! `docs/performance.md`).
//!
//! `cargo run --release --example check_profile -- <case> <uncached|cached|consulted|peer> <loops>`
//! (`peer`: the peer crate's check, as `benches/check.rs` drives it); cases:
//! `connect-allowed`, `connect-blocked`, `worker`, `iframe`, `script-nonce`,
//! `default-src-fallback`, `font`, `hosts-10`, `hosts-50`, `hosts-1000`. A cached case is
//! warmed up first (its verdict cache, if its plan has one, made and holding the request).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A measuring tool: broken fixtures panic.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{hosts_policy, last_host_url, Both, DOCUMENT, REALISTIC};
use cspgate::test_hooks::UncachedCheck;
use cspgate::url::Url;
use cspgate::DocumentPolicy;

fn case(name: &str) -> (String, Both) {
    let r = |url: &str, dest: &str| (REALISTIC.to_owned(), Both::new(url, dest));
    match name {
        "connect-allowed" => r("https://api.example.org/v1/items?page=2", ""),
        "connect-blocked" => r("https://tracker.evil.test/collect?id=1", ""),
        "worker" => r("https://www.example.org/sw.js", "worker"),
        "iframe" => r("https://www.youtube.com/embed/dQw4w9WgXcQ", "iframe"),
        "script-nonce" => (
            REALISTIC.to_owned(),
            Both::with_nonce("https://cdn.third-party.test/app.js", "script", "r4nd0m"),
        ),
        "default-src-fallback" => r("https://www.example.org/media/intro.mp4", "video"),
        "font" => r("https://fonts.gstatic.com/s/roboto.woff2", "font"),
        _ => {
            let n: usize = name
                .strip_prefix("hosts-")
                .and_then(|n| n.parse().ok())
                .expect("unknown case");
            (hosts_policy(n), Both::new(&last_host_url(n), ""))
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, how, loops] = &args[..] else {
        panic!("usage: check_profile <case> <uncached|cached|consulted|peer> <loops>");
    };
    let loops: usize = loops.parse().unwrap();
    let (policy, req) = case(name);
    let doc = Url::parse(DOCUMENT).unwrap();
    // `consulted`: the cache consulted for every check (a hit after the warm-up), to compare
    // a hit with matching (`uncached`).
    let config = cspgate::CacheConfig::new().always_consult(how == "consulted");
    let ours = DocumentPolicy::with_cache(&doc, common::ours_list(&policy), config);
    let cached = how == "cached" || how == "consulted";
    if how == "peer" {
        let theirs = common::peer_list(&policy);
        let mut blocked = 0;
        for _ in 0..loops {
            blocked += usize::from(common::peer_check(black_box(&theirs), black_box(&req.peer)));
        }
        black_box(blocked);
        return;
    }
    for _ in 0..64 {
        black_box(ours.check_request(&req.ours()).is_blocked());
    }
    let mut blocked = 0;
    for _ in 0..loops {
        let r = black_box(&req).ours();
        let v = if cached {
            black_box(&ours).check_request(&r)
        } else {
            black_box(&ours).check_request_uncached(&r)
        };
        blocked += usize::from(v.is_blocked());
    }
    black_box(blocked);
}
