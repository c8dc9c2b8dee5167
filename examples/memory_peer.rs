//! Memory per document over the real-world corpus, cspgate beside the peer
//! (`content-security-policy` 0.9), each header as a document of its own:
//!
//! - cspgate: `DocumentPolicy::memory_usage()` right after setup (the document, its
//!   self-origin, its policies; no list compiled yet, no verdict cache), as `setup_profile
//!   memory` reports it;
//! - the peer: the heap bytes `CspList::parse` leaves allocated (a counting allocator's live
//!   bytes before and after), plus the `CspList` itself. The peer keeps no self-origin (Servo
//!   passes it with each check) and no compiled form.
//!
//! `cargo run --release --example memory_peer` prints the median and worst ratio of memory to
//! header length for both, and the five shortest headers side by side. Needs `../shared/data`
//! (or `CSPGATE_SHARED_DATA`).

// A measuring tool: broken fixtures panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The counting allocator cannot be written without `unsafe`: `GlobalAlloc` is an unsafe
// trait. The library itself stays `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

#[path = "../benches/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::DOCUMENT;
use cspgate::url::Url;
use cspgate::DocumentPolicy;

/// Bytes allocated and not yet freed, over the whole process (one thread runs here).
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, keeping [`LIVE`].
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so it
// upholds `GlobalAlloc`'s contract exactly as `System` does; the counter is an atomic that
// no allocation path reads.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`, per the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: the caller's pointer, layout and size, as `GlobalAlloc::realloc` requires.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peer's memory for one header: the heap its list keeps, and the list itself.
fn peer_bytes(text: &str) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    let list = common::peer_list(text);
    let heap = LIVE.load(Ordering::Relaxed) - before;
    heap + core::mem::size_of_val(&list)
}

/// Median and maximum of `v` (sorted here).
fn median_and_worst(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let Some(corpus) = common::real_world_policies() else {
        return;
    };
    let doc = Url::parse(DOCUMENT).unwrap();
    let mut rows: Vec<(usize, usize, usize, &str)> = corpus
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| {
            let ours = DocumentPolicy::new(&doc, common::ours_list(t)).memory_usage();
            (t.len(), ours, peer_bytes(t), t.as_str())
        })
        .collect();
    let ratio = |bytes: usize, len: usize| bytes as f64 / len as f64;
    let (mut ours, mut peer): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .map(|&(len, o, p, _)| (ratio(o, len), ratio(p, len)))
        .unzip();
    let over = |v: &[f64]| v.iter().filter(|&&r| r > 16.0).count();
    let (ours_over, peer_over) = (over(&ours), over(&peer));
    let (om, ow) = median_and_worst(&mut ours);
    let (pm, pw) = median_and_worst(&mut peer);
    println!(
        "memory per document / header length, {} headers:",
        rows.len()
    );
    println!("  cspgate at setup   median {om:.2}x  worst {ow:.1}x  over 16x: {ours_over}");
    println!("  peer CspList       median {pm:.2}x  worst {pw:.1}x  over 16x: {peer_over}");
    rows.sort_by_key(|r| r.0);
    println!("shortest headers (bytes: cspgate, peer):");
    for (len, o, p, text) in rows.iter().take(5) {
        println!(
            "  {len:3} {o:5} ({:.1}x) {p:5} ({:.1}x)  {text}",
            ratio(*o, *len),
            ratio(*p, *len)
        );
    }
}
