//! A browser network layer in miniature: one `DocumentPolicy` per document, shared by `Arc`
//! with a pool of network threads that check every request the document makes.
//!
//! Every real-world policy of `../shared/data/real-world-csp.txt` becomes a document at
//! `https://www.example.org/`; each document makes every request of
//! `../shared/data/requests.txt`, handed out to the threads in batches of 64 as they free up.
//! Prints checks per second, the verdict cache's hit rate, and blocked and reported counts.
//!
//! ```sh
//! cargo run --release --example network_layer            # 2 threads
//! cargo run --release --example network_layer -- 4       # 4 threads
//! ```

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use cspgate::url::Url;
use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};

/// Requests a thread takes from the queue at a time.
const BATCH: usize = 64;

/// What one thread saw.
#[derive(Default)]
struct Tally {
    checks: u64,
    blocked: u64,
    reported: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 2,
    };
    // `CSPGATE_SHARED_DATA` names the data elsewhere (a git worktree), as for the benches.
    let data = std::env::var_os("CSPGATE_SHARED_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
        std::path::PathBuf::from,
    );
    let (Ok(policies), Ok(request_lines)) = (
        std::fs::read_to_string(data.join("real-world-csp.txt")),
        std::fs::read_to_string(data.join("requests.txt")),
    ) else {
        println!("{} is absent: nothing to replay", data.display());
        return Ok(());
    };

    // What the engine has before any check: parsed request URLs ...
    let mut requests: Vec<(Destination, Url)> = Vec::new();
    let mut unparsable = 0;
    for line in request_lines.lines() {
        let Some((d, u)) = line.split_once(' ') else {
            continue;
        };
        let d = if d == "-" { "" } else { d };
        match Url::parse(u) {
            Ok(url) => requests.push((d.parse()?, url)),
            Err(_) => unparsable += 1,
        }
    }

    // ... and, as each document's response arrives, its compiled policy.
    let document = Url::parse("https://www.example.org/")?;
    let start = Instant::now();
    let documents: Vec<Arc<DocumentPolicy>> = policies
        .lines()
        .map(|header| {
            let list = PolicyList::parse(header, Disposition::Enforce, PolicySource::Header);
            Arc::new(DocumentPolicy::new(&document, list))
        })
        .collect();
    let compile_time = start.elapsed();

    // The network threads: each takes the next batch of (document, requests) and checks it.
    let batches_per_document = requests.len().div_ceil(BATCH);
    let total_batches = documents.len() * batches_per_document;
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (next, requests) = (&next, &requests);
                // Each thread holds its own handles to the documents, as a network thread
                // holds the `Arc` of the document that issued the request.
                let documents: Vec<Arc<DocumentPolicy>> =
                    documents.iter().map(Arc::clone).collect();
                s.spawn(move || {
                    let mut tally = Tally::default();
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= total_batches {
                            return tally;
                        }
                        let policy = &documents[b / batches_per_document];
                        let first = (b % batches_per_document) * BATCH;
                        let last = (first + BATCH).min(requests.len());
                        for (destination, url) in &requests[first..last] {
                            let verdict = policy.check_request(&Request::new(url, *destination));
                            tally.checks += 1;
                            tally.blocked += u64::from(verdict.is_blocked());
                            tally.reported += verdict
                                .violations()
                                .iter()
                                .filter(|v| v.disposition() == Disposition::Report)
                                .count() as u64;
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let elapsed = start.elapsed();

    let checks: u64 = tallies.iter().map(|t| t.checks).sum();
    let blocked: u64 = tallies.iter().map(|t| t.blocked).sum();
    let reported: u64 = tallies.iter().map(|t| t.reported).sum();
    let (hits, misses) = documents.iter().fold((0, 0), |(h, m), d| {
        let s = d.cache_stats();
        (h + s.hits(), m + s.misses())
    });
    let cached_documents = documents
        .iter()
        .filter(|d| d.cache_stats().capacity() > 0)
        .count();
    let memory: usize = documents.iter().map(|d| d.memory_usage()).sum();
    let header_bytes: usize = policies.lines().map(str::len).sum();
    // Compiled bytes per header byte, per document.
    let mut ratios: Vec<f64> = documents
        .iter()
        .zip(policies.lines())
        .filter(|(_, h)| !h.is_empty())
        .map(|(d, h)| d.memory_usage() as f64 / h.len() as f64)
        .collect();
    ratios.sort_by(f64::total_cmp);

    println!(
        "{} documents set up in {:.1} ms ({} KiB of policy text, {} KiB held after the run)",
        documents.len(),
        compile_time.as_secs_f64() * 1e3,
        header_bytes / 1024,
        memory / 1024
    );
    if let (Some(median), Some(max)) = (ratios.get(ratios.len() / 2), ratios.last()) {
        println!(
            "memory / header length after the run: median {median:.1}x, max {max:.1}x \
             (everything a document holds: the lists its checks compiled and its verdict \
             cache, if its checks made one)"
        );
    }
    println!(
        "{} requests per document ({unparsable} unparsable lines skipped), {threads} network threads",
        requests.len()
    );
    println!(
        "{checks} checks in {:.1} ms: {:.1} million checks per second",
        elapsed.as_secs_f64() * 1e3,
        checks as f64 / elapsed.as_secs_f64() / 1e6
    );
    println!(
        "blocked: {blocked} ({:.1}%); report-only violations: {reported}",
        100.0 * blocked as f64 / checks.max(1) as f64
    );
    println!(
        "verdict cache: {cached_documents} of {} documents have one; {hits} hits, {misses} misses: \
         hit rate {:.1}% of lookups, {:.1}% of all checks",
        documents.len(),
        100.0 * hits as f64 / (hits + misses).max(1) as f64,
        100.0 * hits as f64 / checks.max(1) as f64
    );
    Ok(())
}
