//! What one fetch costs Servo, for the peer (`content-security-policy` 0.9), `compat/` (the
//! same API answered by cspgate) and cspgate used natively (`docs/integration.md`: an `Arc`
//! and a borrowed `Request`), in the same run.
//!
//! Servo's sequence per fetch, for each crate, is `benches/common/servo.rs`'s (shared with
//! `examples/servo_fetch_instructions.rs`).
//!
//! Two cases: the realistic policy of `benches/common` with a page's worth of requests, and
//! every request of `../shared/data/requests.txt` against every 48th real-world policy (the
//! replay bench's documents; skipped when the data is absent). Each prints the time per
//! fetch and the ratios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;
#[macro_use]
#[path = "common/servo.rs"]
mod servo;

use std::hint::black_box;

use content_security_policy as peer;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use csp_compat as compat;
use cspgate::url::Url;
use servo::{native_fetch, Document};

/// Every fetch of every document, with the peer: how many were blocked.
fn peer_pass(documents: &[Document], requests: &[(Url, peer::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (u, dest) in requests {
            blocked += usize::from(servo_fetch!(
                peer,
                d.peer,
                black_box(u),
                d.origin,
                *dest,
                true
            ));
        }
    }
    blocked
}

/// The same with compat.
fn compat_pass(documents: &[Document], requests: &[(Url, compat::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (u, dest) in requests {
            blocked += usize::from(servo_fetch!(
                compat,
                d.compat,
                black_box(u),
                d.origin,
                *dest,
                true
            ));
        }
    }
    blocked
}

/// The same with compat's list behind an `Arc`.
fn compat_arc_pass(documents: &[Document], requests: &[(Url, compat::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (u, dest) in requests {
            blocked += usize::from(servo_fetch!(
                compat,
                d.compat_arc,
                black_box(u),
                d.origin,
                *dest,
                true
            ));
        }
    }
    blocked
}

/// What the 0.9 API costs whatever it answers (`servo_fetch!` without its checks).
fn floor_pass(documents: &[Document], requests: &[(Url, compat::Destination)]) {
    for d in documents {
        for (u, dest) in requests {
            servo_fetch!(compat, d.compat, black_box(u), d.origin, *dest, false);
        }
    }
}

/// The same fetches natively.
fn native_pass(documents: &[Document], requests: &[(Url, cspgate::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (u, dest) in requests {
            blocked += usize::from(native_fetch(&d.native, black_box(u), *dest));
        }
    }
    blocked
}

fn run_case(
    c: &mut Criterion,
    case: &str,
    documents: &[Document],
    requests: &[(String, String)],
) -> usize {
    let engine: Vec<(Url, cspgate::Destination)> = requests
        .iter()
        .map(|(d, u)| (Url::parse(u).unwrap(), d.parse().unwrap()))
        .collect();
    let with_peer: Vec<_> = requests
        .iter()
        .map(|(d, u)| (Url::parse(u).unwrap(), common::peer_destination(d)))
        .collect();
    let with_compat: Vec<_> = requests
        .iter()
        .map(|(d, u)| {
            (
                Url::parse(u).unwrap(),
                d.parse::<compat::Destination>()
                    .ok()
                    .expect("a Fetch destination"),
            )
        })
        .collect();
    let fetches = documents.len() * requests.len();
    println!(
        "servo-fetch/{case}: {} documents x {} requests = {fetches} fetches; blocked: peer {}, \
         compat {}, native {}",
        documents.len(),
        requests.len(),
        peer_pass(documents, &with_peer),
        compat_pass(documents, &with_compat),
        native_pass(documents, &engine),
    );
    let mut group = c.benchmark_group("servo-fetch");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(fetches as u64));
    group.bench_function(BenchmarkId::new("peer", case), |b| {
        b.iter(|| peer_pass(documents, &with_peer))
    });
    group.bench_function(BenchmarkId::new("compat", case), |b| {
        b.iter(|| compat_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("compat-arc", case), |b| {
        b.iter(|| compat_arc_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("api-floor", case), |b| {
        b.iter(|| floor_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("native", case), |b| {
        b.iter(|| native_pass(documents, &engine))
    });
    group.finish();
    fetches
}

/// Every `STRIDE`th real-world policy is a document (as in `benches/replay.rs`).
const STRIDE: usize = 48;

fn main() {
    let mut c = common::criterion();
    let mut cases = Vec::new();

    let realistic = [Document::new(common::REALISTIC)];
    let page = servo::page();
    cases.push((
        "realistic",
        run_case(&mut c, "realistic", &realistic, &page),
    ));

    match (common::real_world_policies(), common::requests()) {
        (Some(policies), Some(requests)) => {
            let documents: Vec<Document> = policies
                .iter()
                .step_by(STRIDE)
                .map(|t| Document::new(t))
                .collect();
            cases.push((
                "requests.txt",
                run_case(&mut c, "requests.txt", &documents, &requests),
            ));
        }
        _ => eprintln!("skipping servo-fetch/requests.txt: ../shared/data is absent"),
    }
    c.final_summary();

    println!();
    println!("== servo-fetch: median time per fetch, and peer / x (x faster)");
    println!(
        "{:<14} {:>11} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7}",
        "case",
        "peer",
        "compat",
        "ratio",
        "compat-arc",
        "ratio",
        "native",
        "ratio",
        "api-floor",
        "ratio"
    );
    for (case, fetches) in cases {
        let per = |f: &str| common::median_ns("servo-fetch", f, case).map(|ns| ns / fetches as f64);
        let (p, m, a, n, f) = (
            per("peer"),
            per("compat"),
            per("compat-arc"),
            per("native"),
            per("api-floor"),
        );
        let ratio = |x: Option<f64>| match (p, x) {
            (Some(p), Some(x)) if x > 0.0 => format!("{:.1}x", p / x),
            _ => "-".into(),
        };
        let t = |x: Option<f64>| x.map_or_else(|| "-".into(), common::time);
        println!(
            "{:<14} {:>11} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7}",
            case,
            t(p),
            t(m),
            ratio(m),
            t(a),
            ratio(a),
            t(n),
            ratio(n),
            t(f),
            ratio(f)
        );
    }
}
