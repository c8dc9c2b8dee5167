//! The per-document verdict cache: a bounded, set-associative map from a request's cache key
//! to the set of policies its check violates, with lock-free reads.
//!
//! # Layout
//!
//! `sets` is a power-of-two array of sets of [`WAYS`] entries; a key's hash picks the set
//! (low bits) and is kept in the entry's tag (high bits). Each [`Entry`] is two cache lines of
//! atomics guarded by a sequence number (a seqlock):
//!
//! - a **reader** loads the sequence, the tag, the verdict and the key words, then the sequence
//!   again; it has a hit only when both sequence loads agree, are even, and every word equals
//!   the probe's. A reader never writes shared memory (except its own thread's statistics
//!   counter), so hits on different threads do not contend on any lock or line.
//! - a **writer** (a miss that computed its verdict) takes the [`Mutex`] of the set's stripe
//!   with `try_lock` only: when another thread holds it the insert is skipped, never waited
//!   for. It replaces the set's oldest entry (a per-set FIFO cursor, so eviction is
//!   evict-oldest within the set), making the sequence odd while it writes.
//!
//! A torn or concurrent read is a miss, and a miss recomputes the verdict from the compiled
//! policies, so the cache can never change a verdict: at worst it fails to save work.
//!
//! A lookup costs about as much as matching a short list, so a cache that mostly misses
//! makes checks slower: each thread watches its own hit rate and switches the cache off when
//! it misses more than it hits, then turns it back on now and then to sample again
//! ([`VerdictCache::enabled`]).
//!
//! # Why these choices
//!
//! - Keys come from attacker-controlled URLs, so the hash is keyed: foldhash (hashbrown's
//!   hasher, a multiply-fold) under per-cache random seeds, so an attacker cannot aim keys at
//!   one set without the seeds. A set only ever holds [`WAYS`] entries, so even a perfect
//!   collision attack costs misses, not memory or time; that bound, not the hash, is the
//!   defence, which lets the hash be a fast one (SipHash cost more than a whole hit).
//! - Keys are compared in full (up to [`MAX_KEY_BYTES`]), never by hash alone.
//! - Entries hold the key inline, so inserting allocates nothing: a cache is allocated once,
//!   when a check of its document makes it (`lazy_cache.rs`).
//!
//! `docs/performance.md` has the measurements behind the sizes.

use core::hash::{BuildHasher, Hasher};
use foldhash::fast::RandomState;

use crate::limits::{DEFAULT_CACHE_ENTRIES, MAX_CACHE_ENTRIES};
use crate::sync::{
    fence, thread_number, AtomicBool, AtomicU32, AtomicU64, CachePadded, Mutex, Ordering,
};

#[cfg(all(test, loom))]
mod loom;

/// Entries per set.
pub(crate) const WAYS: usize = 4;
/// 64-bit words of key bytes an entry holds.
const KEY_WORDS: usize = 13;
/// The longest key (URL prefix) an entry holds; longer keys are not cached.
pub(crate) const MAX_KEY_BYTES: usize = KEY_WORDS * 8;
/// Writer locks at most, each on its own cache lines (set `s` uses stripe `s % stripes`), and
/// as many statistics counters, sharded by thread. A cache of fewer sets has a stripe per set.
const STRIPES: usize = 16;

/// Misses after which a thread looks at its hit rate (and the cache switches itself off when
/// the thread saw fewer hits than misses). Small under loom, whose models run a few checks.
const WINDOW: u32 = if cfg!(loom) { 2 } else { 64 };
/// Checks a thread makes without the cache, once it is off, before it turns it back on to
/// sample the hit rate again.
const REPROBE: u32 = if cfg!(loom) { 3 } else { 4096 };

/// Tag bit marking a written entry (a zeroed entry never matches).
const VALID: u64 = 1 << 24;

/// One cached verdict: 16 words, two cache lines.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Entry {
    /// Even when stable, odd while a writer is writing.
    seq: AtomicU64,
    /// The probe's tag: hash high bits, [`VALID`], key length, destination and flags.
    tag: AtomicU64,
    /// Bit `i` set when policy `i` is violated.
    verdict: AtomicU64,
    /// The key's bytes, little-endian, zero-padded.
    key: [AtomicU64; KEY_WORDS],
}

impl Entry {
    /// The seqlock read: the entry's verdict if it holds `probe`'s key and no writer
    /// interfered.
    #[inline]
    fn read(&self, probe: &Probe<'_>) -> Option<u64> {
        let s1 = self.seq.load(Ordering::Acquire);
        if s1 & 1 != 0 {
            return None;
        }
        let tag = self.tag.load(Ordering::Relaxed);
        let verdict = self.verdict.load(Ordering::Relaxed);
        // A probe has at most `KEY_WORDS` words, so the zip covers them all; the tag holds
        // the key's length, so equal tags mean keys of as many words.
        let (whole, last) = probe.words();
        let n = whole.len();
        let same = tag == probe.tag
            && self
                .key
                .iter()
                .zip(whole)
                .all(|(a, c)| a.load(Ordering::Relaxed) == word(c))
            && last.is_none_or(|w| {
                self.key
                    .get(n)
                    .is_some_and(|a| a.load(Ordering::Relaxed) == w)
            });
        // Orders the loads above before the second sequence load.
        fence(Ordering::Acquire);
        let s2 = self.seq.load(Ordering::Relaxed);
        (same && s1 == s2).then_some(verdict)
    }

    /// The seqlock write. The caller holds the set's stripe lock, so writers never race.
    fn write(&self, probe: &Probe<'_>, verdict: u64) {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        // Orders the odd sequence before the data stores.
        fence(Ordering::Release);
        self.tag.store(probe.tag, Ordering::Relaxed);
        self.verdict.store(verdict, Ordering::Relaxed);
        let (whole, last) = probe.words();
        let n = whole.len();
        for (a, c) in self.key.iter().zip(whole) {
            a.store(word(c), Ordering::Relaxed);
        }
        if let (Some(a), Some(w)) = (self.key.get(n), last) {
            a.store(w, Ordering::Relaxed);
        }
        self.seq.store(s.wrapping_add(2), Ordering::Release);
    }
}

/// A set of [`WAYS`] entries.
#[derive(Debug, Default)]
struct Set {
    entries: [Entry; WAYS],
}

/// One stripe: the writer lock of its sets (holding their FIFO cursors).
#[derive(Debug, Default)]
struct Stripe {
    /// For each set of the stripe (sets `k`, `k + STRIPES`, ...), the way to replace next.
    cursors: Mutex<Box<[u8]>>,
}

/// Hit and miss counters of one group of threads.
///
/// Counters are sharded by thread, not by set: a thread walks every set, so counters sharded
/// by set would move between the cores' caches on almost every check, which costs more than
/// the whole lookup. Each thread takes a counter slot once (round-robin), so with up to
/// [`STRIPES`] threads each writes only its own line.
#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    /// Hits and misses of this thread since its last look at its hit rate.
    window_hits: AtomicU32,
    window_misses: AtomicU32,
    /// Checks this thread made without the cache since it was switched off.
    bypassed: AtomicU32,
}

/// The counter slot of the current thread (round-robin over the threads that ask).
#[inline]
fn counter_slot() -> usize {
    thread_number() % STRIPES
}

/// A cache key, hashed, ready to look up or insert: [`VerdictCache::probe`] of the key's
/// bytes, which it borrows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe<'k> {
    hash: u64,
    /// The tag entries holding this key have: the hash's high half, [`VALID`], the key's
    /// length, destination and flags.
    tag: u64,
    /// The key bytes (at most [`MAX_KEY_BYTES`]).
    key: &'k [u8],
}

impl Probe<'_> {
    /// The key's whole words, little-endian, and its last partial word zero-padded (`None`
    /// when the length is a multiple of 8).
    #[inline]
    fn words(&self) -> (core::slice::ChunksExact<'_, u8>, Option<u64>) {
        let whole = self.key.chunks_exact(8);
        let rest = whole.remainder();
        let last = (!rest.is_empty()).then(|| {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(w)
        });
        (whole, last)
    }
}

/// A whole word of key bytes, little-endian (`c` has 8 bytes).
#[inline]
fn word(c: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(c);
    u64::from_le_bytes(w)
}

/// Hit and miss counts of a document's verdict cache.
///
/// Counted with relaxed atomics in counters sharded by thread, so that counting never moves a
/// cache line between cores (see `docs/performance.md`). Checks that do not consult the cache
/// (see [`DocumentPolicy::check_request`](crate::DocumentPolicy::check_request)) are neither
/// hits nor misses.
///
/// # Example
///
/// ```
/// use cspgate::{CacheConfig, Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse("img-src https://cdn.test/images/", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::with_cache(&doc, list, CacheConfig::new().always_consult(true));
/// let img = Url::parse("https://cdn.test/images/a.png")?;
/// for _ in 0..3 {
///     assert!(policy.check_request(&Request::new(&img, Destination::Image)).is_allowed());
/// }
/// let stats = policy.cache_stats();
/// assert_eq!((stats.hits(), stats.misses()), (2, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    pub(crate) capacity: usize,
}

impl CacheStats {
    /// Checks answered from the cache.
    #[inline]
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Checks that consulted the cache, found nothing, and ran the matching algorithms.
    #[inline]
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// The entries the cache holds at most: 0 when the document has no cache (it was disabled,
    /// or no effective directive is expensive enough to match to be worth one).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// `hits / (hits + misses)`, or 0 when the cache was never consulted.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// assert_eq!(DocumentPolicy::new(&doc, list).cache_stats().hit_rate(), 0.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

/// The verdict cache of one [`DocumentPolicy`](crate::DocumentPolicy).
#[derive(Debug)]
pub(crate) struct VerdictCache {
    hasher: RandomState,
    sets: Box<[Set]>,
    /// `sets.len() - 1` (a power of two minus one).
    set_mask: usize,
    stripes: Box<[CachePadded<Stripe>]>,
    counters: Box<[CachePadded<Counters>]>,
    /// `stripes.len() - 1` (a power of two minus one); `counters` has as many elements.
    stripe_mask: usize,
    /// Inserts that replaced a valid entry.
    evictions: AtomicU32,
    /// Consult the cache (see [`VerdictCache::enabled`]).
    enabled: AtomicBool,
    /// Never switch off.
    always: bool,
}

impl VerdictCache {
    /// A cache of at least `capacity` entries (rounded up to whole sets, a power of two of
    /// them); `None` for 0.
    pub(crate) fn new(capacity: usize, always: bool) -> Option<VerdictCache> {
        if capacity == 0 {
            return None;
        }
        let sets = capacity.div_ceil(WAYS).next_power_of_two();
        let n = sets.min(STRIPES);
        let stripes = (0..n)
            .map(|k| {
                // Sets k, k + n, ... below `sets`.
                let mine = sets.saturating_sub(k).div_ceil(n);
                CachePadded(Stripe {
                    cursors: Mutex::new(vec![0u8; mine].into_boxed_slice()),
                })
            })
            .collect();
        Some(VerdictCache {
            hasher: RandomState::default(),
            sets: (0..sets).map(|_| Set::default()).collect(),
            set_mask: sets - 1,
            stripes,
            counters: (0..n).map(|_| CachePadded::default()).collect(),
            stripe_mask: n - 1,
            evictions: AtomicU32::new(0),
            enabled: AtomicBool::new(true),
            always,
        })
    }

    /// Is the cache worth consulting? A lookup costs about as much as matching a short list,
    /// so a cache that mostly misses slows checks down: each thread looks at its hit rate every
    /// [`WINDOW`] misses and switches the cache off when it saw fewer hits than misses; while
    /// it is off, every [`REPROBE`]th check of a thread switches it back on to sample again.
    /// (A configuration can ask for it to stay on.) Either way, verdicts are the same.
    #[inline]
    pub(crate) fn enabled(&self) -> bool {
        if self.enabled.load(Ordering::Relaxed) {
            return true;
        }
        // `counters` has `stripe_mask + 1` elements.
        let c = &self.counters[counter_slot() & self.stripe_mask];
        let n = c.bypassed.load(Ordering::Relaxed) + 1;
        if n < REPROBE {
            c.bypassed.store(n, Ordering::Relaxed);
            return false;
        }
        c.bypassed.store(0, Ordering::Relaxed);
        self.enabled.store(true, Ordering::Relaxed);
        true
    }

    /// Entries the cache holds at most.
    pub(crate) fn capacity(&self) -> usize {
        self.sets.len() * WAYS
    }

    /// The probe of a key: the request's destination, the flags the plan chose, and a prefix
    /// of its URL (`bytes`); `None` when the bytes are longer than [`MAX_KEY_BYTES`].
    #[inline]
    pub(crate) fn probe<'k>(
        &self,
        destination: u8,
        flags: u8,
        bytes: &'k [u8],
    ) -> Option<Probe<'k>> {
        if bytes.len() > MAX_KEY_BYTES {
            return None;
        }
        let mut h = self.hasher.build_hasher();
        h.write(bytes);
        let hash = h.finish();
        // The tag packs the hash's high half, the key length (at most `MAX_KEY_BYTES`, checked
        // above), the destination and the flags: keys differing in those never compare words.
        let tag = (hash & 0xFFFF_FFFF_0000_0000)
            | VALID
            | (bytes.len() as u64) << 16
            | u64::from(destination) << 8
            | u64::from(flags);
        Some(Probe {
            hash,
            tag,
            key: bytes,
        })
    }

    #[inline]
    fn set_index(&self, probe: &Probe<'_>) -> usize {
        // The hash's low bits pick the set (truncation intended).
        (probe.hash as usize) & self.set_mask
    }

    #[inline]
    fn stripe(&self, set: usize) -> &Stripe {
        // `stripes` has `stripe_mask + 1` elements.
        &self.stripes[set & self.stripe_mask]
    }

    /// The cached verdict of `probe`'s key, counting a hit or a miss.
    #[inline]
    pub(crate) fn get(&self, probe: &Probe<'_>) -> Option<u64> {
        let i = self.set_index(probe);
        // `set_mask` is `sets.len() - 1`, so `i` is in bounds.
        let set = &self.sets[i];
        let found = set
            .entries
            .iter()
            .filter(|e| e.tag.load(Ordering::Relaxed) == probe.tag)
            .find_map(|e| e.read(probe));
        // `counters` has `stripe_mask + 1` elements.
        let c = &self.counters[counter_slot() & self.stripe_mask];
        if found.is_some() {
            c.hits.fetch_add(1, Ordering::Relaxed);
            // The window counters have one writer (this thread) unless more than `STRIPES`
            // threads share slots; a lost update only delays the next look.
            let h = c.window_hits.load(Ordering::Relaxed);
            c.window_hits.store(h.saturating_add(1), Ordering::Relaxed);
        } else {
            c.misses.fetch_add(1, Ordering::Relaxed);
            self.count_window_miss(c);
        }
        found
    }

    /// Counts a miss in the thread's window, and looks at the thread's hit rate at the end
    /// of a window.
    #[inline]
    fn count_window_miss(&self, c: &Counters) {
        let m = c.window_misses.load(Ordering::Relaxed) + 1;
        if m < WINDOW {
            c.window_misses.store(m, Ordering::Relaxed);
            return;
        }
        let h = c.window_hits.load(Ordering::Relaxed);
        c.window_hits.store(0, Ordering::Relaxed);
        c.window_misses.store(0, Ordering::Relaxed);
        if h < m && !self.always {
            self.enabled.store(false, Ordering::Relaxed);
        }
    }

    /// Records `verdict` for `probe`'s key, unless another thread is writing to the same
    /// stripe (then nothing happens: the next check will try again).
    pub(crate) fn insert(&self, probe: &Probe<'_>, verdict: u64) {
        let i = self.set_index(probe);
        let Some(mut cursors) = self.stripe(i).cursors.try_lock() else {
            return;
        };
        let set = &self.sets[i];
        // Another thread may have inserted the same key since our lookup.
        if set.entries.iter().any(|e| e.read(probe).is_some()) {
            return;
        }
        let Some(cursor) = cursors.get_mut(i / (self.stripe_mask + 1)) else {
            debug_assert!(false, "every set has a cursor");
            return;
        };
        let way = usize::from(*cursor) % WAYS;
        // `WAYS` is 4: the next way fits in a byte.
        *cursor = ((way + 1) % WAYS) as u8;
        let entry = &set.entries[way];
        if entry.tag.load(Ordering::Relaxed) & VALID != 0 {
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
        entry.write(probe, verdict);
    }

    /// Inserts that replaced a valid entry since the cache was made.
    #[inline]
    pub(crate) fn evictions(&self) -> u32 {
        self.evictions.load(Ordering::Relaxed)
    }

    /// Heap bytes the cache owns: its entries, stripes (with their cursors) and counters.
    pub(crate) fn heap_size(&self) -> usize {
        use core::mem::size_of;
        self.sets.len() * size_of::<Set>()
            + self.stripes.len() * size_of::<CachePadded<Stripe>>()
            + self.sets.len()
            + self.counters.len() * size_of::<CachePadded<Counters>>()
    }

    /// Sums the stripes' counters.
    pub(crate) fn stats(&self) -> CacheStats {
        let init = CacheStats {
            capacity: self.capacity(),
            ..CacheStats::default()
        };
        self.counters.iter().fold(init, |s, k| CacheStats {
            hits: s.hits + k.hits.load(Ordering::Relaxed),
            misses: s.misses + k.misses.load(Ordering::Relaxed),
            ..s
        })
    }
}

/// How a [`DocumentPolicy`](crate::DocumentPolicy) caches verdicts.
///
/// The cache maps a request's destination and URL origin (and path, where a governing
/// host-source has a path) to the set of policies it violates. It is bounded (evict-oldest
/// within sets of 4, so colliding keys cost misses, never memory), hashed under random seeds,
/// and read without locks. It is made only when the document's checks show it will pay: after 16 checks
/// of effective directives whose matching costs more than a lookup (several host-sources,
/// paths, several policies; smaller lists match faster than a lookup), with 16 entries, and with
/// the configured capacity once those have been evicted as many times as they hold.
///
/// # Example
///
/// ```
/// use cspgate::{CacheConfig, DocumentPolicy, Disposition, PolicyList, PolicySource};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let hosts: Vec<String> = (0..100).map(|i| format!("https://cdn{i}.test")).collect();
/// let list = PolicyList::parse(&format!("script-src {}", hosts.join(" ")),
///     Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::with_cache(&doc, list, CacheConfig::new().capacity(1024));
/// assert_eq!(policy.cache_stats().capacity(), 0); // none until checks show it pays
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    pub(in crate::checks) capacity: usize,
    pub(in crate::checks) always_consult: bool,
}

impl CacheConfig {
    /// [`DEFAULT_CACHE_ENTRIES`] entries, consulted only where it saves time.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{limits::DEFAULT_CACHE_ENTRIES, CacheConfig};
    ///
    /// assert_eq!(CacheConfig::new(), CacheConfig::default());
    /// assert_eq!(CacheConfig::new(), CacheConfig::new().capacity(DEFAULT_CACHE_ENTRIES));
    /// ```
    pub const fn new() -> CacheConfig {
        CacheConfig {
            capacity: DEFAULT_CACHE_ENTRIES,
            always_consult: false,
        }
    }

    /// The number of entries, rounded up to a power of two of sets of 4 and capped at
    /// [`MAX_CACHE_ENTRIES`]; 0 disables the cache. Each entry takes 128 bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{CacheConfig, DocumentPolicy, Disposition, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("img-src https://cdn.test/images/", Disposition::Enforce,
    ///     PolicySource::Header);
    /// let config = CacheConfig::new().capacity(300).always_consult(true);
    /// let policy = DocumentPolicy::with_cache(&doc, list, config);
    /// let img = url::Url::parse("https://cdn.test/images/a.png")?;
    /// let _ = policy.check_request(&cspgate::Request::new(&img, cspgate::Destination::Image));
    /// assert_eq!(policy.cache_stats().capacity(), 512); // 128 sets of 4
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn capacity(mut self, entries: usize) -> CacheConfig {
        self.capacity = if entries > MAX_CACHE_ENTRIES {
            MAX_CACHE_ENTRIES
        } else {
            entries
        };
        self
    }

    /// Consult the cache for every request it can serve: also where matching is cheaper than
    /// a lookup, and whatever the hit rate (by default a cache that mostly misses switches
    /// itself off for a while); the first check that can use it makes it, at full size.
    /// Verdicts are the same either way; tests and benchmarks turn it on to exercise the
    /// cache on every request shape.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{CacheConfig, DocumentPolicy, Disposition, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// // A one-keyword list matches faster than a key hashes: no cache by default.
    /// let plain = DocumentPolicy::new(&doc, list.clone());
    /// assert_eq!(plain.cache_stats().capacity(), 0);
    /// let forced = DocumentPolicy::with_cache(&doc, list, CacheConfig::new().always_consult(true));
    /// let img = Url::parse("https://app.test/a.png")?;
    /// let _ = forced.check_request(&cspgate::Request::new(&img, cspgate::Destination::Image));
    /// assert!(forced.cache_stats().capacity() > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub const fn always_consult(mut self, yes: bool) -> CacheConfig {
        self.always_consult = yes;
        self
    }
}

impl Default for CacheConfig {
    fn default() -> CacheConfig {
        CacheConfig::new()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn entries_are_two_cache_lines() {
        assert_eq!(
            core::mem::size_of::<Entry>(),
            128,
            "an entry should stay two cache lines: adjust KEY_WORDS"
        );
    }

    fn probe<'k>(
        c: &VerdictCache,
        destination: u8,
        flags: u8,
        bytes: &'k [u8],
    ) -> Option<Probe<'k>> {
        c.probe(destination, flags, bytes)
    }

    #[test]
    fn get_finds_only_the_same_key() {
        let c = VerdictCache::new(64, true).unwrap();
        assert_eq!(c.capacity(), 64);
        let a = probe(&c, 1, 0, b"https://a.test").unwrap();
        assert_eq!(c.get(&a), None);
        c.insert(&a, 0b101);
        assert_eq!(c.get(&a), Some(0b101));
        for other in [
            probe(&c, 2, 0, b"https://a.test").unwrap(),
            probe(&c, 1, 1, b"https://a.test").unwrap(),
            probe(&c, 1, 0, b"https://a.tes").unwrap(),
            probe(&c, 1, 0, b"https://a.test\0").unwrap(),
            probe(&c, 1, 0, b"http://a.test").unwrap(),
        ] {
            assert_eq!(c.get(&other), None);
        }
        let long = [b'a'; MAX_KEY_BYTES];
        let p = probe(&c, 0, 0, &long).unwrap();
        c.insert(&p, 7);
        assert_eq!(c.get(&p), Some(7));
        assert!(probe(&c, 0, 0, &[b'a'; MAX_KEY_BYTES + 1]).is_none());
        assert_eq!((c.stats().hits, c.stats().misses), (2, 6));
    }

    #[test]
    fn capacity_bounds_entries_and_evicts_oldest() {
        // One set: the fifth key evicts the first.
        let c = VerdictCache::new(WAYS, true).unwrap();
        let urls: Vec<String> = (0..=WAYS).map(|i| format!("https://h{i}.test")).collect();
        let keys: Vec<_> = urls
            .iter()
            .map(|u| probe(&c, 0, 0, u.as_bytes()).unwrap())
            .collect();
        for (i, k) in keys.iter().enumerate() {
            c.insert(k, i as u64);
        }
        assert_eq!(c.get(&keys[0]), None);
        for (i, k) in keys.iter().enumerate().skip(1) {
            assert_eq!(c.get(k), Some(i as u64));
        }
        assert!(VerdictCache::new(0, true).is_none());
        assert_eq!(VerdictCache::new(5, true).unwrap().capacity(), 2 * WAYS);
    }

    #[test]
    fn a_cache_that_misses_switches_itself_off_then_samples_again() {
        for always in [false, true] {
            let c = VerdictCache::new(64, always).unwrap();
            let hot = probe(&c, 0, 0, b"https://hot.test").unwrap();
            c.insert(&hot, 0);
            // Mostly hits: stays on.
            for i in 0..10 * WINDOW {
                assert!(c.enabled());
                if i % 4 == 0 {
                    let url = format!("https://c{i}.test");
                    let cold = probe(&c, 0, 0, url.as_bytes()).unwrap();
                    assert_eq!(c.get(&cold), None);
                } else {
                    assert_eq!(c.get(&hot), Some(0));
                }
            }
            // Mostly misses: off within a window, unless asked to stay on.
            for i in 0..2 * WINDOW {
                let url = format!("https://m{i}.test");
                let cold = probe(&c, 0, 0, url.as_bytes()).unwrap();
                let _ = c.get(&cold);
            }
            assert_eq!(c.enabled(), always);
            if !always {
                // Back on to sample after `REPROBE` checks without it.
                let back = (0..REPROBE).position(|_| c.enabled());
                assert_eq!(back, Some(REPROBE as usize - 2));
            }
        }
    }

    #[test]
    fn a_held_stripe_skips_the_insert() {
        let c = VerdictCache::new(4, true).unwrap();
        let k = probe(&c, 0, 0, b"https://a.test").unwrap();
        let guard = c.stripe(c.set_index(&k)).cursors.try_lock();
        c.insert(&k, 1);
        drop(guard);
        assert_eq!(c.get(&k), None);
        c.insert(&k, 1);
        assert_eq!(c.get(&k), Some(1));
    }
}
