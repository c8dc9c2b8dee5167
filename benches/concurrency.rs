//! Cached checks from 1 and 2 threads on one shared `DocumentPolicy` (throughput): the
//! largest real-world policy, every request of `requests.txt`, a cache large enough to hold
//! them all and consulted for every check (so every check is a cache hit once warm). The
//! uncached checks on the same threads are the ideal-scaling reference.
//!
//! One iteration is one pass over the 3,000 requests, split between the threads; the
//! threads start together behind a barrier.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use common::{Both, DOCUMENT};
use criterion::{BenchmarkId, Criterion, Throughput};
use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{CacheConfig, DocumentPolicy};

/// Wall time for `iters` passes over `requests` shared between `threads` threads.
fn run(
    policy: &DocumentPolicy,
    requests: &[Both],
    threads: usize,
    iters: u64,
    cached: bool,
) -> Duration {
    let barrier = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for t in 0..threads {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                let mut blocked = 0usize;
                for _ in 0..iters {
                    for r in requests.iter().skip(t).step_by(threads) {
                        let r = black_box(r).ours();
                        let v = if cached {
                            policy.check_request(&r)
                        } else {
                            policy.check_request_uncached(&r)
                        };
                        blocked += usize::from(v.is_blocked());
                    }
                }
                black_box(blocked);
            });
        }
        barrier.wait();
        let start = Instant::now();
        // The scope joins every thread before it returns.
        start
    })
    .elapsed()
}

fn concurrency(c: &mut Criterion) {
    let (Some(policies), Some(requests)) = (common::real_world_policies(), common::requests())
    else {
        eprintln!("skipping the concurrency group: ../shared/data is absent");
        return;
    };
    let document = Url::parse(DOCUMENT).unwrap();
    let largest = policies.iter().max_by_key(|p| p.len()).unwrap();
    let config = CacheConfig::new().capacity(16384).always_consult(true);
    let policy = DocumentPolicy::with_cache(&document, common::ours_list(largest), config);
    let requests: Vec<Both> = requests.iter().map(|(d, u)| Both::new(u, d)).collect();
    // Warm the cache.
    for r in &requests {
        let _ = policy.check_request(&r.ours());
    }
    let mut group = c.benchmark_group("concurrency");
    group.throughput(Throughput::Elements(requests.len() as u64));
    for threads in [1usize, 2] {
        for (name, cached) in [("cached", true), ("uncached", false)] {
            group.bench_function(BenchmarkId::new(name, format!("{threads}-threads")), |b| {
                b.iter_custom(|iters| run(&policy, &requests, threads, iters, cached))
            });
        }
    }
    group.finish();
    let s = policy.cache_stats();
    println!(
        "concurrency: {} hits, {} misses ({:.4}% hits)",
        s.hits(),
        s.misses(),
        100.0 * s.hit_rate()
    );
}

fn main() {
    let mut c = common::criterion();
    concurrency(&mut c);
    c.final_summary();
    println!();
    println!("== concurrency: checks per second on one shared DocumentPolicy");
    for name in ["cached", "uncached"] {
        let one = common::median_ns("concurrency", name, "1-threads");
        let two = common::median_ns("concurrency", name, "2-threads");
        if let (Some(one), Some(two)) = (one, two) {
            // Medians are per pass of 3,000 checks.
            let rate = |ns: f64| 3000.0 / (ns * 1e-9) / 1e6;
            println!(
                "{name:>8}: 1 thread {:.1} M/s, 2 threads {:.1} M/s: {:.2}x (target for cached: at least 1.6x)",
                rate(one),
                rate(two),
                one / two
            );
        }
    }
}
