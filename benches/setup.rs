//! Document setup: header text to a ready `DocumentPolicy`, for cspgate and the peer
//! (`content-security-policy` 0.9, whose `CspList::parse` is all Servo does before a
//! document's first check), in the same run.
//!
//! - `setup/{peer,cspgate}/realistic`: the realistic policy of `benches/common` (542 bytes);
//! - `setup/{peer,cspgate}/real-world-corpus`: each of the 970 real-world header values as a
//!   document of its own (skipped when `../shared/data` is absent);
//! - `setup/cspgate-warm/*`: the same through a `PolicyCache` that has seen the headers (a
//!   browser's second page of a site).
//!
//! `cargo bench --bench setup`; a table of medians and ratios is printed at the end.
//! `cargo run --release --example setup_profile` gives the minima of interleaved passes and the
//! driver for `valgrind --tool=callgrind` (see `docs/performance.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;

use common::{DOCUMENT, REALISTIC};
use criterion::{BenchmarkId, Criterion, Throughput};
use cspgate::url::Url;
use cspgate::{Disposition, DocumentPolicy, PolicyCache, PolicySource};

fn setup(c: &mut Criterion) {
    let doc = Url::parse(DOCUMENT).unwrap();
    let mut group = c.benchmark_group("setup");
    group.throughput(Throughput::Bytes(REALISTIC.len() as u64));
    group.bench_function(BenchmarkId::new("peer", "realistic"), |b| {
        b.iter(|| common::peer_list(black_box(REALISTIC)))
    });
    group.bench_function(BenchmarkId::new("cspgate", "realistic"), |b| {
        b.iter(|| DocumentPolicy::new(&doc, common::ours_list(black_box(REALISTIC))))
    });
    // Room for the whole corpus (the default holds 1,024 header values in 16 shards of 64:
    // 970 random ones would overflow a few shards).
    let cache = PolicyCache::new(4096, 64 << 20);
    let warm = |text: &str| {
        let list = cache.parse(text, Disposition::Enforce, PolicySource::Header);
        DocumentPolicy::new(&doc, list)
    };
    let _ = warm(REALISTIC);
    group.bench_function(BenchmarkId::new("cspgate-warm", "realistic"), |b| {
        b.iter(|| warm(black_box(REALISTIC)))
    });
    if let Some(corpus) = common::real_world_policies() {
        let bytes: usize = corpus.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(BenchmarkId::new("peer", "real-world-corpus"), |b| {
            b.iter(|| {
                for text in &corpus {
                    black_box(common::peer_list(black_box(text)));
                }
            })
        });
        group.bench_function(BenchmarkId::new("cspgate", "real-world-corpus"), |b| {
            b.iter(|| {
                for text in &corpus {
                    black_box(DocumentPolicy::new(
                        &doc,
                        common::ours_list(black_box(text)),
                    ));
                }
            })
        });
        for text in &corpus {
            let _ = warm(text);
        }
        assert_eq!(cache.len(), corpus.len() + 1, "every header is cached");
        group.bench_function(BenchmarkId::new("cspgate-warm", "real-world-corpus"), |b| {
            b.iter(|| {
                for text in &corpus {
                    black_box(warm(black_box(text)));
                }
            })
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    setup(&mut c);
    c.final_summary();
    common::print_ratios(
        "setup",
        &["cspgate", "cspgate-warm"],
        "peer",
        &["realistic", "real-world-corpus"],
    );
}
