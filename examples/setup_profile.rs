//! Document setup, measured two ways that hold still on a shared machine (see
//! `docs/performance.md`):
//!
//! - `cargo run --release --example setup_profile`: the minimum of interleaved passes of the
//!   peer's `CspList::parse` and cspgate's setup (`PolicyList::parse` + `DocumentPolicy::new`)
//!   over the real-world corpus and the realistic policy, with the ratios;
//! - `setup_profile run <case> <passes>`: runs one case `passes` times and nothing else, for
//!   `valgrind --tool=callgrind` (run it with N and 2N passes: the difference over N is the
//!   cost of one pass). Cases: `peer-corpus`, `cold-corpus`, `compiled-corpus`,
//!   `warm-corpus`, and the same with `realistic` (one realistic case is 1,000 parses). Cold
//!   is `PolicyList::parse` + `DocumentPolicy::new` (lists compiled on first use); compiled
//!   is the same with every list compiled up front (`PolicyList::parse_with`); warm goes
//!   through a `PolicyCache` that has seen every header.
//!
//! - `setup_profile memory`: `DocumentPolicy::memory_usage()` of each real-world document over
//!   its header's length (median and worst), right after setup and after every request of
//!   `requests.txt` (which makes the verdict caches the documents' checks call for).
//!
//! Needs `../shared/data` for the corpus (or `CSPGATE_SHARED_DATA`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A measuring tool: broken fixtures panic.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{DOCUMENT, REALISTIC};
use cspgate::url::Url;
use cspgate::{Disposition, DocumentPolicy, PolicyCache, PolicySource};

/// Parses per pass of a realistic case.
const REALISTIC_REPEAT: usize = 1000;

struct Inputs {
    doc: Url,
    corpus: Vec<String>,
    cache: PolicyCache,
}

/// Every source list compiled while parsing (what the first check of every directive would
/// add to a cold setup).
fn compiled(text: &str) -> cspgate::PolicyList {
    cspgate::PolicyList::parse_with(
        text,
        Disposition::Enforce,
        PolicySource::Header,
        &mut |_| {},
    )
}

fn warm(inputs: &Inputs, text: &str) -> DocumentPolicy {
    let list = inputs
        .cache
        .parse(text, Disposition::Enforce, PolicySource::Header);
    DocumentPolicy::new(&inputs.doc, list)
}

/// Keeps the optimiser from removing `value`'s making, then drops it where it was made (a
/// document is set up in place: `black_box(value)` would add a copy of it).
#[inline(always)]
fn keep<T>(value: T) {
    black_box(&value);
}

/// One pass of `case`; false for an unknown case.
#[inline(never)]
fn run(case: &str, inputs: &Inputs) -> bool {
    let doc = &inputs.doc;
    match case {
        "peer-corpus" => {
            for text in &inputs.corpus {
                keep(common::peer_list(black_box(text)));
            }
        }
        "cold-corpus" => {
            for text in &inputs.corpus {
                keep(DocumentPolicy::new(doc, common::ours_list(black_box(text))));
            }
        }
        "compiled-corpus" => {
            for text in &inputs.corpus {
                keep(DocumentPolicy::new(doc, compiled(black_box(text))));
            }
        }
        "compiled-realistic" => {
            for _ in 0..REALISTIC_REPEAT {
                keep(DocumentPolicy::new(doc, compiled(black_box(REALISTIC))));
            }
        }
        "warm-corpus" => {
            for text in &inputs.corpus {
                keep(warm(inputs, black_box(text)));
            }
        }
        "warm-realistic" => {
            for _ in 0..REALISTIC_REPEAT {
                keep(warm(inputs, black_box(REALISTIC)));
            }
        }
        "peer-realistic" => {
            for _ in 0..REALISTIC_REPEAT {
                keep(common::peer_list(black_box(REALISTIC)));
            }
        }
        "cold-realistic" => {
            for _ in 0..REALISTIC_REPEAT {
                keep(DocumentPolicy::new(
                    doc,
                    common::ours_list(black_box(REALISTIC)),
                ));
            }
        }
        _ => return false,
    }
    true
}

fn time(case: &str, inputs: &Inputs) -> Duration {
    let start = Instant::now();
    run(case, inputs);
    start.elapsed()
}

fn main() {
    let inputs = Inputs {
        doc: Url::parse(DOCUMENT).unwrap(),
        corpus: common::real_world_policies().unwrap_or_default(),
        // Room for the whole corpus (see `benches/setup.rs`).
        cache: PolicyCache::new(4096, 64 << 20),
    };
    for text in inputs.corpus.iter().map(String::as_str).chain([REALISTIC]) {
        let _ = warm(&inputs, text);
    }
    assert_eq!(
        inputs.cache.len(),
        inputs.corpus.len() + 1,
        "every header is cached"
    );
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("memory") {
        memory(&inputs);
        return;
    }
    if let [mode, case, passes] = &args[..] {
        assert_eq!(mode, "run", "usage: setup_profile [run <case> <passes>]");
        let passes: usize = passes.parse().expect("passes: a number");
        for _ in 0..passes {
            assert!(run(case, &inputs), "unknown case {case}");
        }
        return;
    }
    let groups: &[(&str, &[&str])] = &[
        (
            "corpus",
            &[
                "peer-corpus",
                "cold-corpus",
                "compiled-corpus",
                "warm-corpus",
            ],
        ),
        (
            "realistic",
            &[
                "peer-realistic",
                "cold-realistic",
                "compiled-realistic",
                "warm-realistic",
            ],
        ),
    ];
    for (name, cases) in groups {
        let mut best = vec![Duration::MAX; cases.len()];
        // Interleaved: each pass runs every case once, so a burst of load hits them alike.
        for _ in 0..25 {
            for (i, case) in cases.iter().enumerate() {
                best[i] = best[i].min(time(case, &inputs));
            }
        }
        let per = |d: Duration| match *name {
            "realistic" => format!("{:.1} ns", d.as_secs_f64() * 1e9 / REALISTIC_REPEAT as f64),
            _ => format!("{:.3} ms", d.as_secs_f64() * 1e3),
        };
        println!("{name}: minimum of 25 interleaved passes");
        for (case, b) in cases.iter().zip(&best) {
            println!(
                "  {case:<16} {:>12}  peer / this {:.2}x",
                per(*b),
                best[0].as_secs_f64() / b.as_secs_f64()
            );
        }
    }
}

/// The median and worst of `ratios` (sorted in place).
fn median_worst(ratios: &mut [f64]) -> (f64, f64) {
    ratios.sort_by(f64::total_cmp);
    (
        ratios.get(ratios.len() / 2).copied().unwrap_or(0.0),
        ratios.last().copied().unwrap_or(0.0),
    )
}

fn memory(inputs: &Inputs) {
    let documents: Vec<DocumentPolicy> = inputs
        .corpus
        .iter()
        .map(|t| DocumentPolicy::new(&inputs.doc, common::ours_list(t)))
        .collect();
    let ratio = |d: &DocumentPolicy, t: &String| d.memory_usage() as f64 / t.len() as f64;
    let compiled: Vec<DocumentPolicy> = inputs
        .corpus
        .iter()
        .map(|t| {
            let list = cspgate::PolicyList::parse_with(
                t,
                Disposition::Enforce,
                PolicySource::Header,
                &mut |_| {},
            );
            DocumentPolicy::new(&inputs.doc, list)
        })
        .collect();
    let mut every_list: Vec<f64> = compiled
        .iter()
        .zip(&inputs.corpus)
        .map(|(d, t)| ratio(d, t))
        .collect();
    let (median, worst) = median_worst(&mut every_list);
    println!("memory / header length, every list compiled: median {median:.2}x, worst {worst:.2}x");
    let mut at_setup: Vec<f64> = documents
        .iter()
        .zip(&inputs.corpus)
        .map(|(d, t)| ratio(d, t))
        .collect();
    let (median, worst) = median_worst(&mut at_setup);
    println!("at setup (lists compiled on first use): median {median:.2}x, worst {worst:.2}x");
    let requests = common::requests().unwrap_or_default();
    let urls: Vec<(cspgate::Destination, Url)> = requests
        .iter()
        .map(|(d, u)| (d.parse().unwrap(), Url::parse(u).unwrap()))
        .collect();
    for d in &documents {
        for (destination, url) in &urls {
            let _ = black_box(d.check_request(&cspgate::Request::new(url, *destination)));
        }
    }
    let with_cache = documents
        .iter()
        .filter(|d| d.cache_stats().capacity() > 0)
        .count();
    let mut after: Vec<f64> = documents
        .iter()
        .zip(&inputs.corpus)
        .map(|(d, t)| ratio(d, t))
        .collect();
    let (median, worst) = median_worst(&mut after);
    println!(
        "after {} requests each: median {median:.2}x, worst {worst:.2}x ({with_cache} of {} documents made a verdict cache)",
        urls.len(),
        documents.len()
    );
}
