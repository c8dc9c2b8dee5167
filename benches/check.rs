//! Request checks, one per request shape, for cspgate (uncached and cached) and the peer
//! (`content-security-policy` 0.9) on the same policy and request in the same run; then the
//! host-list sizes behind `INDEX_THRESHOLD` and the cache's cost threshold.
//!
//! `cargo bench --bench check`; a table of medians and ratios is printed at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;

use common::{hosts_policy, last_host_url, Both, DOCUMENT, REALISTIC};
use criterion::{BenchmarkId, Criterion, Throughput};
use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{CacheConfig, DocumentPolicy};

struct Case {
    name: &'static str,
    policy: String,
    request: Both,
    blocked: bool,
}

fn cases() -> Vec<Case> {
    let r = |name, url: &str, dest: &str, blocked| Case {
        name,
        policy: REALISTIC.to_owned(),
        request: Both::new(url, dest),
        blocked,
    };
    let mut cases = vec![
        r(
            "connect-allowed",
            "https://api.example.org/v1/items?page=2",
            "",
            false,
        ),
        r(
            "connect-blocked",
            "https://tracker.evil.test/collect?id=1",
            "",
            true,
        ),
        r("worker", "https://www.example.org/sw.js", "worker", false),
        r(
            "iframe",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "iframe",
            false,
        ),
        Case {
            name: "script-nonce",
            policy: REALISTIC.to_owned(),
            request: Both::with_nonce("https://cdn.third-party.test/app.js", "script", "r4nd0m"),
            blocked: false,
        },
        r(
            "default-src-fallback",
            "https://www.example.org/media/intro.mp4",
            "video",
            false,
        ),
    ];
    for (name, n) in [("hosts-10", 10), ("hosts-50", 50), ("hosts-1000", 1000)] {
        cases.push(Case {
            name,
            policy: hosts_policy(n),
            request: Both::new(&last_host_url(n), ""),
            blocked: false,
        });
    }
    cases
}

fn check(c: &mut Criterion) {
    let document = Url::parse(DOCUMENT).unwrap();
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(1));
    let cases = cases();
    for case in &cases {
        let ours = DocumentPolicy::new(&document, common::ours_list(&case.policy));
        let theirs = common::peer_list(&case.policy);
        let req = &case.request;
        // Both crates must give the answer the case expects, or the comparison is void.
        let r = req.ours();
        assert_eq!(ours.check_request_uncached(&r).is_blocked(), case.blocked);
        assert_eq!(ours.check_request(&r).is_blocked(), case.blocked);
        assert_eq!(
            common::peer_check(&theirs, &req.peer),
            case.blocked,
            "{}",
            case.name
        );
        group.bench_function(BenchmarkId::new("peer", case.name), |b| {
            b.iter(|| common::peer_check(black_box(&theirs), black_box(&req.peer)))
        });
        group.bench_function(BenchmarkId::new("cspgate-uncached", case.name), |b| {
            b.iter(|| {
                let r = black_box(req).ours();
                black_box(&ours).check_request_uncached(&r).is_blocked()
            })
        });
        group.bench_function(BenchmarkId::new("cspgate-cached", case.name), |b| {
            b.iter(|| {
                let r = black_box(req).ours();
                black_box(&ours).check_request(&r).is_blocked()
            })
        });
    }
    group.finish();
}

/// Host-list sizes around `INDEX_THRESHOLD` (scan vs binary search) and the cost of a cache
/// lookup against matching (the cache's cost threshold): allowed (the last host of the list
/// as written) and blocked, uncached; and a forced lookup (a hit) for the allowed request.
fn thresholds(c: &mut Criterion) {
    let document = Url::parse(DOCUMENT).unwrap();
    let mut group = c.benchmark_group("hosts");
    group.throughput(Throughput::Elements(1));
    for n in [1usize, 2, 4, 8, 12, 16, 32, 64, 1000] {
        let text = hosts_policy(n);
        let plain = DocumentPolicy::new(&document, common::ours_list(&text));
        let forced = DocumentPolicy::with_cache(
            &document,
            common::ours_list(&text),
            CacheConfig::new().always_consult(true),
        );
        let allowed = Both::new(&last_host_url(n), "");
        let blocked = Both::new("https://api.unlisted.example.net/v1/items", "");
        assert!(plain.check_request(&allowed.ours()).is_allowed());
        assert!(plain.check_request(&blocked.ours()).is_blocked());
        let id = n.to_string();
        group.bench_function(BenchmarkId::new("allowed", &id), |b| {
            b.iter(|| {
                let r = black_box(&allowed).ours();
                black_box(&plain).check_request_uncached(&r).is_blocked()
            })
        });
        group.bench_function(BenchmarkId::new("blocked", &id), |b| {
            b.iter(|| {
                let r = black_box(&blocked).ours();
                black_box(&plain).check_request_uncached(&r).is_blocked()
            })
        });
        group.bench_function(BenchmarkId::new("lookup", &id), |b| {
            b.iter(|| {
                let r = black_box(&allowed).ours();
                black_box(&forced).check_request(&r).is_blocked()
            })
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    check(&mut c);
    thresholds(&mut c);
    c.final_summary();
    let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    common::print_ratios(
        "check",
        &["cspgate-uncached", "cspgate-cached"],
        "peer",
        &names,
    );
    println!();
    println!("== hosts: cspgate medians by list size (uncached allowed/blocked, cache hit)");
    for n in ["1", "2", "4", "8", "12", "16", "32", "64", "1000"] {
        let get = |f| common::median_ns("hosts", f, n).map_or_else(|| "-".into(), common::time);
        println!(
            "{n:>6} hosts: allowed {:>10}  blocked {:>10}  lookup {:>10}",
            get("allowed"),
            get("blocked"),
            get("lookup")
        );
    }
    if let (Some(small), Some(big)) = (
        common::median_ns("check", "cspgate-uncached", "hosts-10"),
        common::median_ns("check", "cspgate-uncached", "hosts-1000"),
    ) {
        println!(
            "1,000 hosts / 10 hosts (uncached): {:.2}x (target: at most 2x)",
            big / small
        );
    }
}
