//! Model checks of the verdict cache's concurrency protocol with
//! [loom](https://docs.rs/loom): each test runs its threads under every interleaving (up to
//! a preemption bound) and every value each load may return under the C11 memory model, and
//! asserts what the cache promises in all of them: a reader returns the verdict that was
//! written with the key it asks for, or nothing; never a verdict of another key, never a
//! mixture of two writes.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test --release --lib cache::loom
//! ```
//!
//! `LOOM_MAX_PREEMPTIONS` (default here: 3, and 2 for the three-thread models) bounds the
//! context switches per execution.

// Plain atomics, outside the model, count what the executions saw.
use std::sync::atomic::{AtomicUsize as StdCount, Ordering as StdOrdering};

use ::loom::sync::Arc;
use ::loom::thread;

use super::{Entry, Probe, VerdictCache, REPROBE, STRIPES, WAYS, WINDOW};

/// Runs `f` under loom's model checker, with three preemptions per execution unless
/// `LOOM_MAX_PREEMPTIONS` says otherwise.
fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    model_bounded(3, f);
}

/// [`model`] with `preemptions` per execution by default: two for the three-thread models,
/// whose state space grows fastest (three take a minute each).
fn model_bounded<F>(preemptions: usize, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut b = ::loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(preemptions);
    }
    b.check(f);
}

/// A probe built by hand: `tag` and `key` as given (so two probes can share a tag and differ
/// only in their key words, which a real hash makes vanishingly rare).
fn raw_probe(tag: u64, key: &[u8]) -> Probe<'_> {
    Probe { hash: 0, tag, key }
}

/// A real probe of `key` (destination 0, no flags).
fn probe<'k>(cache: &VerdictCache, key: &'k [u8]) -> Probe<'k> {
    cache.probe(0, 0, key).unwrap()
}

const TAG: u64 = super::VALID | 7;
/// Two keys with the same tag and two words each: a reader holding `A` must never take `B`'s
/// verdict, nor `A`'s verdict half-overwritten.
const A: [u8; 16] = *b"\xA1aaaaaaa\xA2aaaaaaa";
const B: [u8; 16] = *b"\xB1bbbbbbb\xB2bbbbbbb";
const VA: u64 = 0b01;
const VB: u64 = 0b10;

/// What a read of `p` may return while `a` (verdict `va`) is being replaced by `b`.
fn read_is_consistent(got: Option<u64>, asked_a: bool) -> bool {
    match got {
        None => true,
        Some(v) if asked_a => v == VA,
        Some(v) => v == VB,
    }
}

/// A writer replaces entry A by entry B (same tag) while one reader reads it: the reader sees
/// A's verdict for A, B's for B, or a miss; after the join, B only.
#[test]
fn entry_writer_races_one_reader() {
    model(|| {
        let e = Arc::new(Entry::default());
        e.write(&raw_probe(TAG, &A), VA);
        let w = {
            let e = Arc::clone(&e);
            thread::spawn(move || e.write(&raw_probe(TAG, &B), VB))
        };
        let (pa, pb) = (raw_probe(TAG, &A), raw_probe(TAG, &B));
        assert!(read_is_consistent(e.read(&pa), true));
        assert!(read_is_consistent(e.read(&pb), false));
        w.join().unwrap();
        assert_eq!(e.read(&pa), None);
        assert_eq!(e.read(&pb), Some(VB));
    });
}

/// Two readers (one asking for each key) race the writer.
#[test]
fn entry_writer_races_two_readers() {
    model_bounded(2, || {
        let e = Arc::new(Entry::default());
        e.write(&raw_probe(TAG, &A), VA);
        let readers: Vec<_> = [true, false]
            .into_iter()
            .map(|asked_a| {
                let e = Arc::clone(&e);
                thread::spawn(move || {
                    let p = raw_probe(TAG, if asked_a { &A } else { &B });
                    assert!(read_is_consistent(e.read(&p), asked_a));
                })
            })
            .collect();
        e.write(&raw_probe(TAG, &B), VB);
        for r in readers {
            r.join().unwrap();
        }
    });
}

/// Two writes in a row (A, then B, then A again) under one reader: the reader never mixes the
/// words of one write with the verdict of another, whichever two of the three it straddles.
#[test]
fn entry_reader_straddles_two_writes() {
    model(|| {
        let e = Arc::new(Entry::default());
        e.write(&raw_probe(TAG, &A), VA);
        let w = {
            let e = Arc::clone(&e);
            thread::spawn(move || {
                e.write(&raw_probe(TAG, &B), VB);
                e.write(&raw_probe(TAG, &A), VA);
            })
        };
        let got = e.read(&raw_probe(TAG, &A));
        assert!(read_is_consistent(got, true));
        w.join().unwrap();
        assert_eq!(e.read(&raw_probe(TAG, &A)), Some(VA));
    });
}

/// Through the cache: one thread inserts a key while two others look it up; a lookup finds
/// nothing or the inserted verdict, and the insert is visible once the writer is joined.
#[test]
fn cache_insert_races_two_lookups() {
    model_bounded(2, || {
        let c = Arc::new(VerdictCache::new(WAYS, true).unwrap());
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let c = Arc::clone(&c);
                thread::spawn(move || {
                    let p = probe(&c, b"https://a.test/");
                    let got = c.get(&p);
                    assert!(got.is_none() || got == Some(VA), "{got:?}");
                })
            })
            .collect();
        c.insert(&probe(&c, b"https://a.test/"), VA);
        for r in readers {
            r.join().unwrap();
        }
        assert_eq!(c.get(&probe(&c, b"https://a.test/")), Some(VA));
    });
}

/// Two writers on one set: when their `try_lock`s collide, one insert is skipped, never
/// waited for; whatever happens, each key holds its own verdict or nothing, the same key is
/// never stored twice, and at least one insert lands. Across all executions, both the skip
/// and the two landed inserts occur.
#[test]
fn two_writers_on_one_set() {
    static SKIPPED: StdCount = StdCount::new(0);
    static BOTH: StdCount = StdCount::new(0);
    model(|| {
        let c = Arc::new(VerdictCache::new(WAYS, true).unwrap());
        let w = {
            let c = Arc::clone(&c);
            thread::spawn(move || c.insert(&probe(&c, b"https://b.test/"), VB))
        };
        c.insert(&probe(&c, b"https://a.test/"), VA);
        w.join().unwrap();
        let a = c.get(&probe(&c, b"https://a.test/"));
        let b = c.get(&probe(&c, b"https://b.test/"));
        assert!(a.is_none() || a == Some(VA), "{a:?}");
        assert!(b.is_none() || b == Some(VB), "{b:?}");
        assert!(a.is_some() || b.is_some(), "one insert holds the lock");
        if a.is_some() && b.is_some() {
            BOTH.fetch_add(1, StdOrdering::Relaxed);
        } else {
            SKIPPED.fetch_add(1, StdOrdering::Relaxed);
        }
    });
    assert!(
        SKIPPED.load(StdOrdering::Relaxed) > 0,
        "no execution skipped"
    );
    assert!(
        BOTH.load(StdOrdering::Relaxed) > 0,
        "no execution kept both"
    );
}

/// Two writers inserting the same key: it is stored once (the second writer, holding the lock,
/// finds it), or the second insert is skipped.
#[test]
fn two_writers_of_one_key_store_it_once() {
    model(|| {
        let c = Arc::new(VerdictCache::new(WAYS, true).unwrap());
        let w = {
            let c = Arc::clone(&c);
            thread::spawn(move || c.insert(&probe(&c, b"https://a.test/"), VA))
        };
        c.insert(&probe(&c, b"https://a.test/"), VA);
        w.join().unwrap();
        let p = probe(&c, b"https://a.test/");
        let copies = c.sets[c.set_index(&p)]
            .entries
            .iter()
            .filter(|e| e.read(&p).is_some())
            .count();
        assert_eq!(copies, 1);
    });
}

/// A full set, then a fifth key evicts the oldest while a reader looks up the evicted key, the
/// new key and a key that stays: the evicted key's lookup finds its own verdict or nothing,
/// never the newcomer's; the staying key is always found.
#[test]
fn eviction_while_reading() {
    model(|| {
        let c = Arc::new(VerdictCache::new(WAYS, true).unwrap());
        assert_eq!(c.capacity(), WAYS, "one set");
        for i in 0..WAYS as u64 {
            c.insert(&probe(&c, format!("https://k{i}.test/").as_bytes()), i);
        }
        let reader = {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                let old = c.get(&probe(&c, b"https://k0.test/"));
                assert!(old.is_none() || old == Some(0), "{old:?}");
                let new = c.get(&probe(&c, b"https://k9.test/"));
                assert!(new.is_none() || new == Some(9), "{new:?}");
                assert_eq!(c.get(&probe(&c, b"https://k1.test/")), Some(1));
            })
        };
        c.insert(&probe(&c, b"https://k9.test/"), 9);
        reader.join().unwrap();
        assert_eq!(
            c.get(&probe(&c, b"https://k0.test/")),
            None,
            "the oldest went"
        );
        assert_eq!(c.get(&probe(&c, b"https://k9.test/")), Some(9));
    });
}

/// The per-thread sampling: each thread judges its own hit rate and counts its own checks
/// without the cache. Two threads each make `WINDOW - 1` misses, `2 × (WINDOW - 1)` in all,
/// yet neither window is complete, so the cache stays on; this thread's `WINDOW`th miss
/// switches it off; it turns the cache back on at exactly its own `REPROBE`th check without
/// it, however many checks the other thread made without it meanwhile (fewer than
/// `REPROBE`); and every lookup is counted once.
#[test]
fn sampling_is_per_thread() {
    model(|| {
        let c = Arc::new(VerdictCache::new(2 * WAYS, false).unwrap());
        let other = {
            let c = Arc::clone(&c);
            thread::spawn(move || {
                let mut lookups = 0;
                for i in 0..WINDOW - 1 {
                    if c.enabled() {
                        let url = format!("https://o{i}.test/");
                        assert_eq!(c.get(&probe(&c, url.as_bytes())), None);
                        lookups += 1;
                    }
                }
                // One more check, so that this thread may count checks without the cache.
                let _ = c.enabled();
                lookups
            })
        };
        for i in 0..WINDOW {
            // Only this thread can complete a window, at its last miss.
            assert!(c.enabled(), "off before this thread's window ended");
            let url = format!("https://m{i}.test/");
            assert_eq!(c.get(&probe(&c, url.as_bytes())), None);
        }
        let back = (0..REPROBE).position(|_| c.enabled());
        assert_eq!(
            back,
            Some(REPROBE as usize - 1),
            "off, then back on to sample"
        );
        let theirs = other.join().unwrap();
        let s = c.stats();
        assert_eq!((s.hits, s.misses), (0, u64::from(WINDOW) + theirs));
    });
}

/// Threads take distinct counter slots while there are at most `STRIPES` of them.
#[test]
fn threads_count_in_their_own_slots() {
    model(|| {
        let mine = super::counter_slot();
        let other = thread::spawn(super::counter_slot).join().unwrap();
        assert_ne!(mine, other);
        assert!(mine < STRIPES && other < STRIPES);
    });
}
