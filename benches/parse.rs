//! Parsing: one realistic policy, and every policy of the real-world corpus, for cspgate and
//! the peer (`content-security-policy` 0.9) in the same run. Throughput is in input bytes.
//!
//! cspgate's parse also compiles: it classifies every source once, lower-cases and sorts the
//! hosts, and precomputes each policy's governing table, so that checks never parse again.
//! The peer only splits the text into directives and tokens (and re-parses them with regexes
//! on every check).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;

use common::REALISTIC;
use criterion::{BenchmarkId, Criterion, Throughput};

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(REALISTIC.len() as u64));
    group.bench_function(BenchmarkId::new("peer", "realistic"), |b| {
        b.iter(|| common::peer_list(black_box(REALISTIC)))
    });
    group.bench_function(BenchmarkId::new("cspgate", "realistic"), |b| {
        b.iter(|| common::ours_list(black_box(REALISTIC)))
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
                    black_box(common::ours_list(black_box(text)));
                }
            })
        });
    }
    group.finish();
}

fn main() {
    let mut c = common::criterion();
    parse(&mut c);
    c.final_summary();
    common::print_ratios(
        "parse",
        &["cspgate"],
        "peer",
        &["realistic", "real-world-corpus"],
    );
}
