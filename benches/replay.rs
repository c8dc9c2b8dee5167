//! Replays every request of `../shared/data/requests.txt` against 20 real-world policies
//! (every 48th line of `real-world-csp.txt`, document origin `https://www.example.org`), for
//! cspgate (uncached, and with its default cache, warm) and the peer in the same run.
//! One iteration is 20 × 3,000 checks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;

use common::{Both, DOCUMENT};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::DocumentPolicy;

/// Every `STRIDE`th policy of the corpus is a document.
const STRIDE: usize = 48;

fn replay(c: &mut Criterion) {
    let (Some(policies), Some(requests)) = (common::real_world_policies(), common::requests())
    else {
        eprintln!("skipping the replay group: ../shared/data is absent");
        return;
    };
    let document = Url::parse(DOCUMENT).unwrap();
    let texts: Vec<&String> = policies.iter().step_by(STRIDE).collect();
    let ours: Vec<DocumentPolicy> = texts
        .iter()
        .map(|t| DocumentPolicy::new(&document, common::ours_list(t)))
        .collect();
    let theirs: Vec<_> = texts.iter().map(|t| common::peer_list(t)).collect();
    let requests: Vec<Both> = requests.iter().map(|(d, u)| Both::new(u, d)).collect();

    let ours_blocked: usize = ours
        .iter()
        .map(|p| {
            requests
                .iter()
                .filter(|r| p.check_request_uncached(&r.ours()).is_blocked())
                .count()
        })
        .sum();
    let theirs_blocked: usize = theirs
        .iter()
        .map(|p| {
            requests
                .iter()
                .filter(|r| common::peer_check(p, &r.peer))
                .count()
        })
        .sum();
    let checks = ours.len() * requests.len();
    println!(
        "replay: {} documents x {} requests = {checks} checks; blocked: cspgate {ours_blocked}, \
         peer {theirs_blocked} (they differ where cspgate follows CSP3 and the engines and \
         the peer does not, e.g. WebSocket URLs and `*`)",
        ours.len(),
        requests.len()
    );

    let mut group = c.benchmark_group("replay");
    // One iteration of the peer takes a few hundred milliseconds: ten flat samples.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(checks as u64));
    group.bench_function(BenchmarkId::new("peer", "requests.txt"), |b| {
        b.iter(|| {
            let mut blocked = 0usize;
            for p in &theirs {
                for r in &requests {
                    blocked += usize::from(common::peer_check(p, &r.peer));
                }
            }
            blocked
        })
    });
    group.bench_function(BenchmarkId::new("cspgate-uncached", "requests.txt"), |b| {
        b.iter(|| {
            let mut blocked = 0usize;
            for p in &ours {
                for r in &requests {
                    blocked +=
                        usize::from(p.check_request_uncached(&black_box(r).ours()).is_blocked());
                }
            }
            blocked
        })
    });
    group.bench_function(BenchmarkId::new("cspgate-cached", "requests.txt"), |b| {
        b.iter(|| {
            let mut blocked = 0usize;
            for p in &ours {
                for r in &requests {
                    blocked += usize::from(p.check_request(&black_box(r).ours()).is_blocked());
                }
            }
            blocked
        })
    });
    group.finish();
    let (hits, misses) = ours.iter().fold((0, 0), |(h, m), p| {
        (h + p.cache_stats().hits(), m + p.cache_stats().misses())
    });
    println!(
        "replay: cache consulted by {} of {} documents; {hits} hits, {misses} misses",
        ours.iter()
            .filter(|p| p.cache_stats().capacity() > 0)
            .count(),
        ours.len()
    );
}

fn main() {
    let mut c = common::criterion();
    replay(&mut c);
    c.final_summary();
    common::print_ratios(
        "replay",
        &["cspgate-uncached", "cspgate-cached"],
        "peer",
        &["requests.txt"],
    );
}
