//! A document's verdict cache, made only once the document's checks show it will save time,
//! and grown only once what it holds outgrows it.
//!
//! A `DocumentPolicy` is built with nothing allocated for its cache. The plan (see
//! `fields.rs`) marks the effective directives whose matching costs more than a cache
//! lookup; each check of such a directive made while there is no cache counts itself, and the
//! [`FIRST_AFTER`]th makes a small cache ([`SMALL_ENTRIES`] entries, 2 KiB). When that cache
//! has evicted as many entries as it holds (the document's requests have more distinct keys
//! than it has room for), the next miss makes the full-size one of the document's
//! [`CacheConfig`](crate::CacheConfig), which serves every check from then on; the small one
//! stays allocated (it is at most an eighth of the large one).
//!
//! The first cache is made into a `OnceLock` of the document, the full-size one into a
//! `OnceLock` beside the first: once made, reading one is an acquire load (a plain load on x86
//! and a load-acquire on ARM), with no lock and no write, so the check path stays lock-free
//! and allocation-free; a document without a cache carries one pointer for it. Making one allocates once; a check that happens to make it is the only
//! check of the document that allocates for the cache (`tests/alloc.rs` warms its documents
//! up past these two points, then counts).

use std::sync::OnceLock;

use crate::checks::request::cache::{CacheStats, VerdictCache};
use crate::sync::{AtomicU32, Ordering};

/// Checks of expensive effective directives a document makes without a cache before it gets
/// one: fewer and the cache would be made for documents that never repeat a request; more and
/// a repeating document pays a full match on each of them.
pub(crate) const FIRST_AFTER: u32 = 16;
/// Entries of the first cache (four sets of four: one stripe each).
pub(crate) const SMALL_ENTRIES: usize = 16;

/// The verdict cache of one document, in up to two sizes.
#[derive(Debug, Default)]
pub(crate) struct LazyCache {
    /// Expensive checks made while there was no cache.
    uncached: AtomicU32,
    made: OnceLock<Box<Made>>,
}

/// The caches made so far.
#[derive(Debug)]
struct Made {
    /// The first cache: [`SMALL_ENTRIES`] entries, or the full size for a document that
    /// consults its cache for everything.
    first: VerdictCache,
    /// The full-size cache, once the first has evicted as many entries as it holds.
    grown: OnceLock<Box<VerdictCache>>,
}

impl LazyCache {
    /// The cache checks consult now: the full-size one once it exists, else the first one.
    #[inline]
    pub(crate) fn get(&self) -> Option<&VerdictCache> {
        let made = self.made.get()?;
        Some(made.grown.get().map_or(&made.first, |b| b))
    }

    /// Counts an expensive check made without a cache, and makes the first cache when the
    /// count reaches [`FIRST_AFTER`] (at once, and at full size, when `always` asks for the
    /// cache to be consulted for everything). Returns the cache to consult, if there now is
    /// one.
    #[inline]
    pub(crate) fn count_uncached(&self, capacity: usize, always: bool) -> Option<&VerdictCache> {
        if always {
            return self.make(capacity, true);
        }
        let n = self.uncached.fetch_add(1, Ordering::Relaxed) + 1;
        if n < FIRST_AFTER {
            return None;
        }
        self.make(capacity.min(SMALL_ENTRIES), false)
    }

    /// After a miss of `current`: makes the full-size cache when the first one has evicted
    /// as many entries as it holds.
    #[inline]
    pub(crate) fn after_miss(&self, current: &VerdictCache, capacity: usize) {
        if current.capacity() < capacity && current.evictions() as usize >= current.capacity() {
            if let Some(made) = self.made.get() {
                if made.grown.get().is_none() {
                    grow(made, capacity);
                }
            }
        }
    }

    #[cold]
    fn make(&self, capacity: usize, always: bool) -> Option<&VerdictCache> {
        if let Some(made) = self.made.get() {
            return Some(&made.first);
        }
        // Two threads may both make one; the first to finish keeps it.
        let first = VerdictCache::new(capacity, always)?;
        let made = self.made.get_or_init(|| {
            Box::new(Made {
                first,
                grown: OnceLock::new(),
            })
        });
        Some(&made.first)
    }

    /// The caches made so far, first one first.
    fn caches(&self) -> impl Iterator<Item = &VerdictCache> {
        self.made
            .get()
            .into_iter()
            .flat_map(|m| [Some(&m.first), m.grown.get().map(|b| &**b)])
            .flatten()
    }

    /// Hits and misses of both caches, and the capacity of the one consulted now.
    pub(crate) fn stats(&self) -> CacheStats {
        let mut stats = CacheStats::default();
        for c in self.caches() {
            let s = c.stats();
            stats.hits += s.hits;
            stats.misses += s.misses;
        }
        stats.capacity = self.get().map_or(0, VerdictCache::capacity);
        stats
    }

    /// Heap bytes of the caches made so far.
    pub(crate) fn heap_size(&self) -> usize {
        let Some(made) = self.made.get() else {
            return 0;
        };
        // The first cache lives in `Made`; the full-size one in a box of its own.
        let grown = made
            .grown
            .get()
            .map_or(0, |c| core::mem::size_of::<VerdictCache>() + c.heap_size());
        core::mem::size_of::<Made>() + made.first.heap_size() + grown
    }
}

/// Makes the full-size cache beside `made`'s first one.
#[cold]
fn grow(made: &Made, capacity: usize) {
    if let Some(c) = VerdictCache::new(capacity, false) {
        // Two threads may both make one; the first to finish keeps it.
        let _ = made.grown.get_or_init(|| Box::new(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_after_expensive_checks_then_grown_by_evictions() {
        let c = LazyCache::default();
        assert!(c.get().is_none());
        assert_eq!(c.heap_size(), 0);
        for _ in 1..FIRST_AFTER {
            assert!(c.count_uncached(256, false).is_none());
        }
        let small = c.count_uncached(256, false).unwrap();
        assert_eq!(small.capacity(), SMALL_ENTRIES);
        let size = c.heap_size();
        assert!(size > 0 && size < 4096, "{size}");
        // Fill the small cache with distinct keys until it evicts its size.
        let mut i = 0;
        while small.evictions() < SMALL_ENTRIES as u32 {
            let key = format!("https://h{i}.test");
            let p = small.probe(0, 0, key.as_bytes()).unwrap();
            small.insert(&p, 0);
            c.after_miss(small, 256);
            if i < 2 {
                assert!(c.made.get().unwrap().grown.get().is_none());
            }
            i += 1;
        }
        c.after_miss(small, 256);
        assert_eq!(c.get().unwrap().capacity(), 256);
        assert!(c.heap_size() > 256 * 128);
        // Asked to consult everything: the full size at the first check.
        let always = LazyCache::default();
        assert_eq!(always.count_uncached(64, true).unwrap().capacity(), 64);
        // No capacity, no cache.
        let none = LazyCache::default();
        for _ in 0..2 * FIRST_AFTER {
            assert!(none.count_uncached(0, false).is_none());
        }
    }
}
