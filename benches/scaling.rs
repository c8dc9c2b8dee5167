//! How parsing and checking scale with hostile input: each group is one input shape of
//! `tests/suite/hostile.rs` at sizes n, 2n, 4n and 8n, reported as throughput (bytes per second of
//! the hostile part). Linear time means the same throughput at every size: doubling the input
//! doubles the time.
//!
//! ```sh
//! cargo bench --bench scaling
//! ```

// criterion_group! and criterion_main! generate undocumented public functions; a bench
// panics on its own fixed inputs only.
#![allow(missing_docs, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use cspgate::url::Url;
use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};

/// The sizes of each shape, in bytes of hostile input: n, 2n, 4n, 8n.
fn sizes(n: usize) -> [usize; 4] {
    [n, 2 * n, 4 * n, 8 * n]
}

fn document() -> Url {
    Url::parse("https://o.test/").expect("a valid URL")
}

fn compile(text: &str) -> DocumentPolicy {
    DocumentPolicy::new(
        &document(),
        PolicyList::parse(text, Disposition::Enforce, PolicySource::Header),
    )
}

/// Parsing: the header grows (within `MAX_LIST_BYTES`, so nothing is cut).
fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    type Shape = (&'static str, fn(usize) -> String);
    let shapes: [Shape; 4] = [
        // One directive with many host-sources (the 100,000-source header, below the cut).
        ("one-directive-many-sources", |n| {
            let mut s = String::from("script-src");
            let mut i = 0;
            while s.len() < n {
                s.push_str(&format!(" h{i}.test"));
                i += 1;
            }
            s
        }),
        ("commas", |n| ",".repeat(n)),
        ("semicolons", |n| format!("img-src 'none'{}", ";".repeat(n))),
        // One host-source of n/2 labels.
        ("one-long-host", |n| {
            format!("img-src *.{}test", "a.".repeat(n / 2))
        }),
    ];
    for (name, make) in shapes {
        for n in sizes(24 * 1024) {
            let text = make(n);
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_with_input(BenchmarkId::new(name, n), &text, |b, text| {
                // `parse_with` compiles every list while parsing (`parse` leaves them to the
                // first check): the compile's time per byte is what must stay flat.
                b.iter(|| {
                    PolicyList::parse_with(
                        black_box(text),
                        Disposition::Enforce,
                        PolicySource::Header,
                        &mut |_| {},
                    )
                })
            });
        }
    }
    g.finish();
}

/// Checking: the request grows against a fixed hostile policy.
fn check(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    // A URL host of n/2 labels against 16 `*.` suffixes of up to 4,096 labels (60 KiB of
    // policy, within the limits) that the host misses only at its last label: the worst
    // case for a search that compares tails with suffixes.
    let mut sources: Vec<String> = (1..=16)
        .map(|k| format!("*.{}test", "a.".repeat(k * 256)))
        .collect();
    sources.extend((0..16).map(|i| format!("e{i}.test")));
    let suffix_policy = compile(&format!("img-src {}", sources.join(" ")));
    for n in sizes(16 * 1024) {
        let url = Url::parse(&format!("https://{}tesu/", "a.".repeat(n / 2))).expect("a valid URL");
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(
            BenchmarkId::new("long-host-vs-long-suffixes", n),
            &url,
            |b, url| {
                b.iter(|| {
                    suffix_policy.check_request(&Request::new(black_box(url), Destination::Image))
                })
            },
        );
    }
    // A URL path of n bytes against 4096 path sources on the same host.
    let paths: Vec<String> = (0..4096).map(|i| format!("https://a.test/d{i}/")).collect();
    let path_policy = compile(&format!("img-src {}", paths.join(" ")));
    for n in sizes(256 * 1024) {
        let url = Url::parse(&format!("https://a.test/d4095/{}", "x/".repeat(n / 2)))
            .expect("a valid URL");
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(
            BenchmarkId::new("long-path-vs-4096-paths", n),
            &url,
            |b, url| {
                b.iter(|| {
                    path_policy.check_request(&Request::new(black_box(url), Destination::Image))
                })
            },
        );
    }
    // Integrity metadata of n bytes against 4096 hash-sources.
    let hashes: Vec<String> = (0..4096).map(|i| format!("'sha256-{i:08}'")).collect();
    let hash_policy = compile(&format!("script-src {}", hashes.join(" ")));
    let script = Url::parse("https://x.test/a.js").expect("a valid URL");
    for n in sizes(64 * 1024) {
        let integrity = "sha256-00004095 ".repeat(n / 16);
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(
            BenchmarkId::new("integrity-vs-4096-hashes", n),
            &integrity,
            |b, integrity| {
                b.iter(|| {
                    hash_policy.check_request(
                        &Request::new(&script, Destination::Script).integrity(black_box(integrity)),
                    )
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = scaling;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = parse, check
}
criterion_main!(scaling);
