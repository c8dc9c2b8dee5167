//! A process-wide cache of compiled policies, keyed by the header value that delivered them.
//!
//! A browser sets up a policy for every document, iframe and worker, and mostly sees the same
//! header again: every page of a site sends the same one. [`PolicyCache::parse`] returns the
//! compiled policies of a header value it has seen without parsing anything: a keyed hash of
//! the text, a look-up in one shard's index, a full compare of the text, and one reference
//! count for the whole list.
//!
//! A thread that asks again for a header value among the last four it asked for (the pages of
//! one site, set up on one event loop, with a policy and a report-only policy, say) keeps the
//! entry in a per-thread memo, and its next calls compare the text with the memo's and take
//! the list from there: no hash, no lock (one relaxed count of the hit, on a counter of its
//! own). After [`MEMO_RUN`] such answers in a row the next call goes through the shard, so
//! the entry's recency and uses keep up with how often it is asked for.
//!
//! # Bounds, and hostile headers
//!
//! Header values come from any site, so the cache must neither grow with them nor let them
//! push out the headers a process keeps seeing:
//!
//! - **Bounded**: at most `entries` header values and `bytes` bytes (the text, the compiled
//!   policies and the entry itself), split evenly between the shards; a header value whose
//!   entry would take more than an eighth of its shard's bytes is compiled but not kept.
//!   Beyond that, each thread's memo keeps alive at most four entries their caches have since
//!   evicted (four per thread, whatever the number of caches), until the thread memoizes
//!   others, a shard misses them, or the thread exits.
//! - **Keyed**: the shard, the frequency counters and the entry's tag come from a hash under
//!   random per-cache seeds (foldhash, a multiply-fold of the text), so an attacker cannot aim
//!   headers at a shard or a counter. A hit needs the whole text (and disposition and source) to be equal, never the
//!   hash alone.
//! - **Admission by frequency** (TinyLFU): each shard counts how often it was asked for each
//!   hash (a count-min sketch of 8-bit counters, halved every `10 x entries` requests so that
//!   old popularity fades). A full shard admits a new header value only when it was asked for
//!   more often than every entry it would evict (least recently used first); otherwise the
//!   caller gets its freshly compiled policies and the shard stays as it was. A flood of
//!   distinct one-off headers is asked for once each, so it never evicts an entry that was
//!   used again since the last halving; to push out a header a process keeps seeing, an
//!   attacker must have each of its own asked for more often than it.
//!
//! Locks come from `src/sync.rs` (one per shard, on its own cache lines); a miss compiles with
//! no lock held. Checks never touch this cache: it only serves document setup.

use core::cell::RefCell;
use core::hash::{BuildHasher, Hasher};
use foldhash::fast::RandomState;
use std::sync::Arc;

use crate::names::disposition::{Disposition, PolicySource};
use crate::policy::list::PolicyList;
use crate::sync::{thread_number, AtomicU64, CachePadded, Mutex, Ordering};

/// Header values a [`PolicyCache::default`] holds at most.
///
/// ```
/// assert_eq!(cspgate::DEFAULT_POLICY_CACHE_ENTRIES, 1024);
/// ```
pub const DEFAULT_POLICY_CACHE_ENTRIES: usize = 1024;
/// Bytes a [`PolicyCache::default`] holds at most (texts, compiled policies, entries).
///
/// ```
/// assert_eq!(cspgate::DEFAULT_POLICY_CACHE_BYTES, 16 << 20);
/// ```
pub const DEFAULT_POLICY_CACHE_BYTES: usize = 16 << 20;

/// Header values a [`PolicyCache`] holds at most, whatever [`PolicyCache::new`] is asked for:
/// its frequency counters and index are allocated up front.
const MAX_ENTRIES: usize = 1 << 16;
/// Shards at most (each with its own lock): fewer for small caches, so that each shard holds
/// at least [`MIN_SHARD_ENTRIES`] entries.
const MAX_SHARDS: usize = 16;
const MIN_SHARD_ENTRIES: usize = 16;
/// Frequency counters per entry of a shard.
const SKETCH_PER_ENTRY: usize = 16;
/// Counters per hash (each a 16-bit slice of it).
const SKETCH_DEPTH: usize = 4;
/// Doorkeeper bits per entry of a shard.
const DOORKEEPER_BITS_PER_ENTRY: usize = 128;
/// Requests per entry of a shard after which its counters are halved.
const AGE_PER_ENTRY: u32 = 10;
/// The largest entry a shard keeps is `1 / MAX_ENTRY_FRACTION` of its bytes.
const MAX_ENTRY_FRACTION: usize = 8;

/// A shared, bounded, thread-safe cache of compiled policies, keyed by header value,
/// disposition and source.
///
/// Engines hold one per process (see `docs/integration.md`) and set every document up with
/// [`PolicyCache::parse`] instead of [`PolicyList::parse`]: the policies are the same, and a
/// header value the cache has seen is not parsed again; the returned list shares the compiled
/// policies by reference count. See the module documentation of `src/policy/policy_cache.rs` for the
/// bounds and why hostile headers cannot flush it.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyCache, PolicySource, Request};
/// use url::Url;
///
/// let cache = PolicyCache::default(); // one per process, shared by every document
/// let header = "default-src 'self'; img-src https:";
/// let doc = Url::parse("https://example.com/")?;
/// let first = DocumentPolicy::new(&doc, cache.parse(header, Disposition::Enforce, PolicySource::Header));
/// // The next document with the same header: a look-up, no parse.
/// let second = DocumentPolicy::new(&doc, cache.parse(header, Disposition::Enforce, PolicySource::Header));
/// assert_eq!(first.policies(), second.policies());
/// assert_eq!((cache.hits(), cache.misses()), (1, 1));
/// let img = Url::parse("http://cdn.test/a.png")?;
/// assert!(second.check_request(&Request::new(&img, Destination::Image)).is_blocked());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct PolicyCache {
    /// The cache's number, unique in the process: what a thread's [`Memo`] names it by.
    id: u64,
    /// Hits answered by threads' memos, one counter per thread number (modulo their count),
    /// each on its own cache lines.
    memo_hits: Box<[CachePadded<AtomicU64>]>,
    /// The hash's random seeds.
    hasher: RandomState,
    /// A power-of-two number of shards.
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    shard_entries: usize,
    shard_bytes: usize,
}

/// One shard: its entries (in no order; recency is a tick) and its frequency sketch.
#[derive(Debug)]
struct Shard {
    /// The hash of each entry, in the entries' order: a look-up reads an entry only when its
    /// hash is equal.
    hashes: Vec<u64>,
    /// The entries by hash, open-addressed: `i + 1` for entry `i`, 0 for an empty slot. Twice
    /// the shard's entries (a power of two), so at least half the slots are empty and a
    /// probe from the hash's high bits ends after a slot or two.
    index: Box<[u32]>,
    entries: Vec<Entry>,
    bytes: usize,
    /// Incremented on every request: the recency of entries.
    tick: u64,
    sketch: Box<[u8]>,
    /// A Bloom filter of the hashes asked for since the last halving: a hash's first request
    /// only sets its bits here, so one-off headers leave the counters alone.
    doorkeeper: Box<[u64]>,
    /// Requests counted since the counters were last halved.
    counted: u32,
    /// Calls answered from the shard, and calls that parsed (counted under the shard's lock,
    /// which a call takes anyway).
    hits: u64,
    misses: u64,
}

/// One cached header value.
#[derive(Debug)]
struct Entry {
    hash: u64,
    disposition: Disposition,
    source: PolicySource,
    text: Arc<str>,
    /// The compiled policies, in one shared allocation: a hit clones one reference count.
    list: PolicyList,
    /// What the entry costs the shard (text, policies, the entry).
    bytes: usize,
    last_used: u64,
    /// Hits since the entry was admitted, halved with the shard's counters: what it weighs
    /// against a newcomer (hits are counted here, not in the sketch, so a hit touches only
    /// its entry).
    uses: u8,
}

impl Entry {
    #[inline]
    fn is(&self, hash: u64, text: &str, disposition: Disposition, source: PolicySource) -> bool {
        self.hash == hash
            && self.disposition == disposition
            && self.source == source
            && *self.text == *text
    }
}

impl Default for PolicyCache {
    /// [`DEFAULT_POLICY_CACHE_ENTRIES`] header values, [`DEFAULT_POLICY_CACHE_BYTES`] bytes.
    fn default() -> PolicyCache {
        PolicyCache::new(DEFAULT_POLICY_CACHE_ENTRIES, DEFAULT_POLICY_CACHE_BYTES)
    }
}

impl PolicyCache {
    /// A cache of at most `entries` header values (65,536 at most: more is taken as that) and
    /// `bytes` bytes (0 for either keeps nothing: every call parses).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, PolicyCache, PolicySource};
    ///
    /// let cache = PolicyCache::new(64, 1 << 20);
    /// let list = cache.parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// assert_eq!(list.len(), 1);
    /// assert_eq!(cache.len(), 1);
    /// assert!(cache.memory_usage() <= 1 << 20);
    /// ```
    pub fn new(entries: usize, bytes: usize) -> PolicyCache {
        let entries = entries.min(MAX_ENTRIES);
        let shards = (entries / MIN_SHARD_ENTRIES)
            .clamp(1, MAX_SHARDS)
            .next_power_of_two()
            .min(MAX_SHARDS);
        let shard_entries = entries / shards;
        let shard_bytes = bytes / shards;
        let sketch = (shard_entries * SKETCH_PER_ENTRY)
            .max(1)
            .next_power_of_two();
        let door = (shard_entries * DOORKEEPER_BITS_PER_ENTRY / 64)
            .max(1)
            .next_power_of_two();
        PolicyCache {
            id: crate::sync::unique_number(),
            memo_hits: (0..MEMO_HIT_COUNTERS)
                .map(|_| CachePadded(AtomicU64::new(0)))
                .collect(),
            hasher: RandomState::default(),
            shards: (0..shards)
                .map(|_| {
                    CachePadded(Mutex::new(Shard {
                        hashes: Vec::new(),
                        index: vec![0u32; (2 * shard_entries).max(1).next_power_of_two()]
                            .into_boxed_slice(),
                        entries: Vec::new(),
                        bytes: 0,
                        tick: 0,
                        sketch: vec![0u8; sketch].into_boxed_slice(),
                        doorkeeper: vec![0u64; door].into_boxed_slice(),
                        counted: 0,
                        hits: 0,
                        misses: 0,
                    }))
                })
                .collect(),
            shard_entries,
            shard_bytes,
        }
    }

    /// [`PolicyList::parse`], from the cache when this header value (with this disposition and
    /// source) was seen before: the list shares the compiled policies, and its verdicts are
    /// those of a fresh parse. A thread that asks again for one of the last values it asked
    /// for is answered from its own memo after that, without a hash or a lock (see the module
    /// documentation of `src/policy/policy_cache.rs`).
    pub fn parse(&self, text: &str, disposition: Disposition, source: PolicySource) -> PolicyList {
        // The thread's memo first: a hit takes no lock and needs no hash.
        if let Some(list) = memo_hit(self.id, text, disposition, source) {
            if let Some(c) = self.memo_hits.get(thread_number() % MEMO_HIT_COUNTERS) {
                c.fetch_add(1, Ordering::Relaxed);
            }
            return list;
        }
        let hash = self.hash(text, disposition, source);
        let key = Key {
            cache: self.id,
            hash,
            disposition,
            source,
        };
        let asked_before = memo_note(key);
        let shard = &self.shards[(hash as usize) & (self.shards.len() - 1)];
        {
            let mut s = shard.lock();
            s.tick += 1;
            let tick = s.tick;
            if let Some(i) = s.find(hash, text, disposition, source) {
                let e = &mut s.entries[i];
                e.last_used = tick;
                e.uses = e.uses.saturating_add(1);
                let list = e.list.clone();
                let memo = asked_before.then(|| Held {
                    key,
                    text: e.text.clone(),
                    list: list.clone(),
                    run: 0,
                });
                s.hits += 1;
                s.requested(self.shard_entries);
                drop(s);
                if let Some(held) = memo {
                    memo_keep(held);
                }
                return list;
            }
            s.misses += 1;
            s.count(hash, self.shard_entries);
        }
        // The shard no longer holds it: neither does the thread's memo.
        memo_forget(&key);
        // Compile with no lock held.
        let list = PolicyList::parse(text, disposition, source);
        let bytes = core::mem::size_of::<Entry>() + ARC_COUNTS + text.len() + list.memory_usage();
        if bytes <= self.shard_bytes / MAX_ENTRY_FRACTION && self.shard_entries > 0 {
            shard.lock().admit(
                Entry {
                    hash,
                    disposition,
                    source,
                    text: text.into(),
                    list: list.clone(),
                    bytes,
                    last_used: 0,
                    uses: 0,
                },
                self.shard_entries,
                self.shard_bytes,
            );
        }
        list
    }

    /// Header values held.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, PolicyCache, PolicySource};
    ///
    /// let cache = PolicyCache::default();
    /// for _ in 0..3 {
    ///     let _ = cache.parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// }
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().entries.len()).sum()
    }

    /// Does the cache hold no header value?
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::PolicyCache;
    ///
    /// assert!(PolicyCache::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls to [`PolicyCache::parse`] answered from the cache (by a shard or a thread's memo),
    /// exactly.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, PolicyCache, PolicySource};
    ///
    /// let cache = PolicyCache::default();
    /// let _ = cache.parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// let _ = cache.parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// assert_eq!(cache.hits(), 1);
    /// ```
    pub fn hits(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().hits).sum::<u64>()
            + self
                .memo_hits
                .iter()
                .map(|c| c.load(Ordering::Relaxed))
                .sum::<u64>()
    }

    /// Calls to [`PolicyCache::parse`] that parsed.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, PolicyCache, PolicySource};
    ///
    /// let cache = PolicyCache::default();
    /// let _ = cache.parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// let _ = cache.parse("img-src 'self'", Disposition::Report, PolicySource::Header);
    /// assert_eq!(cache.misses(), 2); // the disposition is part of the key
    /// ```
    pub fn misses(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().misses).sum()
    }

    /// Approximate heap bytes the cache holds: what its entries count against its bound, and
    /// its frequency counters and shards. (Policies that documents still share after their
    /// entry was evicted belong to those documents.)
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, PolicyCache, PolicySource};
    ///
    /// let cache = PolicyCache::new(16, 64 * 1024);
    /// let empty = cache.memory_usage();
    /// let _ = cache.parse("img-src https://cdn.test", Disposition::Enforce, PolicySource::Header);
    /// assert!(cache.memory_usage() > empty);
    /// ```
    pub fn memory_usage(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let s = s.lock();
                core::mem::size_of::<CachePadded<Mutex<Shard>>>()
                    + s.bytes
                    + (s.entries.capacity() - s.entries.len()) * core::mem::size_of::<Entry>()
                    + s.hashes.capacity() * 8
                    + s.index.len() * 4
                    + s.sketch.len()
                    + s.doorkeeper.len() * 8
            })
            .sum()
    }

    /// The keyed hash of a key: foldhash (hashbrown's hasher: a 64 x 64 -> 128-bit
    /// multiply-fold over the text, several bytes per cycle) under the cache's random seeds,
    /// with the disposition and source. SipHash would cost more than a whole hit for a long
    /// header; without the seeds, an attacker cannot predict a shard or a counter, and a hit
    /// still needs the whole text to be equal.
    #[inline]
    fn hash(&self, text: &str, disposition: Disposition, source: PolicySource) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(text.as_bytes());
        h.write_u8((disposition as u8) << 1 | source as u8);
        h.finish()
    }
}

/// Counters of memo hits per cache: threads whose numbers differ modulo this count never
/// write the same line.
const MEMO_HIT_COUNTERS: usize = 16;
/// A thread's memo answers at most this many calls in a row: the next goes through the
/// shard, so that the entry's recency and uses (what admission weighs) keep up with its
/// popularity.
const MEMO_RUN: u32 = 16;
/// Keys a thread's memo remembers, and entries it holds.
const MEMO_SLOTS: usize = 4;
/// The two reference counts in front of an `Arc`'s value.
const ARC_COUNTS: usize = 2 * core::mem::size_of::<usize>();

/// What a cached header value is looked up by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    /// The cache's [`PolicyCache::id`].
    cache: u64,
    hash: u64,
    disposition: Disposition,
    source: PolicySource,
}

/// A thread's memo: the last [`MEMO_SLOTS`] keys it asked for, and up to [`MEMO_SLOTS`]
/// entries a shard answered it with for a key it had asked for among them. A thread that
/// keeps setting up documents with the same headers (the pages of one site, with a policy
/// and a report-only policy, say) then finds them here, with no hash and no lock: the text
/// compared in full, one reference count for the list.
///
/// One per thread, whatever the number of caches: it keeps at most [`MEMO_SLOTS`] header
/// values alive beyond the bounds of their caches (until the thread memoizes others, a shard
/// misses them, or the thread exits).
struct Memo {
    /// Keys asked for, the oldest replaced first.
    recent: [Option<Key>; MEMO_SLOTS],
    next_recent: usize,
    held: [Option<Held>; MEMO_SLOTS],
    next_held: usize,
}

/// An entry as a thread's memo holds it (the text and the policies shared with the entry).
struct Held {
    key: Key,
    text: Arc<str>,
    list: PolicyList,
    /// Calls answered from here since a shard last answered.
    run: u32,
}

thread_local! {
    static MEMO: RefCell<Memo> = const {
        RefCell::new(Memo {
            recent: [None; MEMO_SLOTS],
            next_recent: 0,
            held: [const { None }; MEMO_SLOTS],
            next_held: 0,
        })
    };
}

/// The policies of this header value, if the calling thread's memo holds them from this
/// cache and has answered fewer than [`MEMO_RUN`] calls for them in a row.
#[inline]
fn memo_hit(
    cache: u64,
    text: &str,
    disposition: Disposition,
    source: PolicySource,
) -> Option<PolicyList> {
    MEMO.try_with(|m| {
        let mut m = m.try_borrow_mut().ok()?;
        let held = m.held.iter_mut().flatten().find(|h| {
            h.key.cache == cache
                && h.key.disposition == disposition
                && h.key.source == source
                && *h.text == *text
        })?;
        if held.run >= MEMO_RUN {
            return None;
        }
        held.run += 1;
        Some(held.list.clone())
    })
    .ok()
    .flatten()
}

/// Records `key` among the calling thread's recent keys; true when it was already.
#[inline]
fn memo_note(key: Key) -> bool {
    MEMO.try_with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else {
            return false;
        };
        if m.recent.contains(&Some(key)) {
            return true;
        }
        let at = m.next_recent;
        m.recent[at] = Some(key);
        m.next_recent = (at + 1) % MEMO_SLOTS;
        false
    })
    .unwrap_or(false)
}

/// Keeps an entry a shard answered with in the calling thread's memo: in place of the same
/// key's, or of the oldest.
fn memo_keep(held: Held) {
    let old = MEMO.try_with(|m| {
        let mut m = m.try_borrow_mut().ok()?;
        let at = match m
            .held
            .iter()
            .position(|h| h.as_ref().is_some_and(|h| h.key == held.key))
        {
            Some(at) => at,
            None => {
                let at = m.next_held;
                m.next_held = (at + 1) % MEMO_SLOTS;
                at
            }
        };
        m.held[at].replace(held)
    });
    // The replaced entry's counts drop here, with the memo no longer borrowed.
    drop(old);
}

/// Lets go of the calling thread's memo of `key`, if it holds one.
fn memo_forget(key: &Key) {
    let old = MEMO.try_with(|m| {
        let mut m = m.try_borrow_mut().ok()?;
        m.held
            .iter_mut()
            .find(|h| h.as_ref().is_some_and(|h| h.key == *key))
            .and_then(Option::take)
    });
    drop(old);
}

impl Shard {
    /// The index of the entry of this key, if the shard holds it.
    #[inline]
    fn find(
        &self,
        hash: u64,
        text: &str,
        disposition: Disposition,
        source: PolicySource,
    ) -> Option<usize> {
        let mask = self.index.len() - 1;
        let mut at = (hash >> 32) as usize & mask;
        // At most every slot: at least half of them are empty, so the probe ends long before.
        for _ in 0..self.index.len() {
            let i = (self.index[at] as usize).checked_sub(1)?;
            if self.hashes.get(i) == Some(&hash)
                && self
                    .entries
                    .get(i)
                    .is_some_and(|e| e.is(hash, text, disposition, source))
            {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Enters entry `i` of hash `hash` in the index (in the first empty slot of its probe).
    fn index_entry(&mut self, i: usize, hash: u64) {
        let mask = self.index.len() - 1;
        let mut at = (hash >> 32) as usize & mask;
        for _ in 0..self.index.len() {
            if self.index[at] == 0 {
                self.index[at] = crate::limits::to_u32(i + 1);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// The sketch's counters of `hash`: one per 16-bit slice of it, the slice of depth `d`
    /// times the odd number `2d + 1` (one to one on the sketch's indices), so that each depth
    /// reads only its own slice.
    #[inline]
    fn slots(&self, hash: u64) -> [usize; SKETCH_DEPTH] {
        let mask = self.sketch.len() - 1;
        core::array::from_fn(|d| ((hash >> (16 * d)) as usize).wrapping_mul(2 * d + 1) & mask)
    }

    /// The doorkeeper's two bits of `hash` (word, mask) pairs.
    #[inline]
    fn door_bits(&self, hash: u64) -> [(usize, u64); 2] {
        let words = self.doorkeeper.len() - 1;
        let bit = |x: u64| ((x >> 6) as usize & words, 1u64 << (x & 63));
        [bit(hash.rotate_left(7)), bit(hash.rotate_left(29))]
    }

    #[inline]
    fn door_has(&self, hash: u64) -> bool {
        self.door_bits(hash)
            .iter()
            .all(|&(w, m)| self.doorkeeper[w] & m != 0)
    }

    /// The sketch's estimate of `hash`'s requests past its first.
    fn sketch_count(&self, hash: u64) -> u8 {
        self.slots(hash)
            .iter()
            .map(|&i| self.sketch[i])
            .min()
            .unwrap_or(0)
    }

    /// The estimated number of requests for `hash` since the counters were last halved (the
    /// doorkeeper's one, and the count-min estimate of the rest: never below the true count).
    fn frequency(&self, hash: u64) -> u8 {
        self.sketch_count(hash)
            .saturating_add(u8::from(self.door_has(hash)))
    }

    /// Counts a request for `hash`: its first only in the doorkeeper, later ones in the
    /// sketch (a conservative update: only the counters at the estimate grow). Every
    /// `AGE_PER_ENTRY` requests per entry the counters are halved and the doorkeeper cleared.
    fn count(&mut self, hash: u64, entries: usize) {
        if self.door_has(hash) {
            let least = self.sketch_count(hash);
            for i in self.slots(hash) {
                if self.sketch[i] == least {
                    self.sketch[i] = least.saturating_add(1);
                }
            }
        } else {
            for (w, m) in self.door_bits(hash) {
                self.doorkeeper[w] |= m;
            }
        }
        self.requested(entries);
    }

    /// Counts a request (hit or miss) towards the next halving of the counters, the entries'
    /// uses included, and the clearing of the doorkeeper.
    #[inline]
    fn requested(&mut self, entries: usize) {
        self.counted += 1;
        if self.counted as usize >= (AGE_PER_ENTRY as usize).saturating_mul(entries.max(1)) {
            self.counted = 0;
            for c in self.sketch.iter_mut() {
                *c /= 2;
            }
            for e in &mut self.entries {
                e.uses /= 2;
            }
            self.doorkeeper.fill(0);
        }
    }

    /// Keeps `entry` if there is room, or if it was requested at least twice more often than
    /// every entry that must go to make room (least recently used first); otherwise leaves the
    /// shard as it was.
    fn admit(&mut self, mut entry: Entry, max_entries: usize, max_bytes: usize) {
        // Another thread may have admitted the same key meanwhile.
        if self
            .find(entry.hash, &entry.text, entry.disposition, entry.source)
            .is_some()
        {
            return;
        }
        let wanted = self.frequency(entry.hash);
        // The victims, least recently used first, until the entry fits.
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_unstable_by_key(|&i| self.entries[i].last_used);
        let (mut n, mut bytes) = (self.entries.len(), self.bytes);
        let mut victims = 0;
        while n + 1 > max_entries || bytes + entry.bytes > max_bytes {
            let Some(&v) = order.get(victims) else {
                return;
            };
            let victim = &self.entries[v];
            // By a margin of two: a one-off header that a false positive of the doorkeeper
            // or the sketch counted twice still loses to an entry asked for once.
            let weight = victim.uses.max(self.frequency(victim.hash));
            if weight.saturating_add(1) >= wanted {
                return;
            }
            n -= 1;
            bytes -= victim.bytes;
            victims += 1;
        }
        let mut gone: Vec<usize> = order[..victims].to_vec();
        gone.sort_unstable_by(|a, b| b.cmp(a));
        for &v in &gone {
            let e = self.entries.swap_remove(v);
            self.hashes.swap_remove(v);
            self.bytes -= e.bytes;
        }
        entry.last_used = self.tick;
        self.bytes += entry.bytes;
        let hash = entry.hash;
        self.hashes.push(hash);
        self.entries.push(entry);
        if gone.is_empty() {
            self.index_entry(self.entries.len() - 1, hash);
        } else {
            // Entries moved: index them again (an eviction follows a compile, which costs far
            // more than this).
            self.index.fill(0);
            for i in 0..self.hashes.len() {
                self.index_entry(i, self.hashes[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const H: PolicySource = PolicySource::Header;
    const E: Disposition = Disposition::Enforce;

    #[test]
    fn a_hit_shares_the_compiled_policies() {
        let c = PolicyCache::new(64, 1 << 20);
        let a = c.parse("img-src a.test, script-src 'self'", E, H);
        let b = c.parse("img-src a.test, script-src 'self'", E, H);
        assert_eq!(a, b);
        for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
            assert!(Arc::ptr_eq(x, y));
        }
        assert_eq!((c.hits(), c.misses()), (1, 1));
        // Disposition, source and every byte of the text are part of the key.
        for (text, d, s) in [
            ("img-src a.test, script-src 'self'", Disposition::Report, H),
            ("img-src a.test, script-src 'self'", E, PolicySource::Meta),
            ("img-src a.test, script-src 'self' ", E, H),
            ("img-src a.test, script-src 'selF'", E, H),
        ] {
            let l = c.parse(text, d, s);
            assert_eq!(l, PolicyList::parse(text, d, s));
        }
        assert_eq!((c.hits(), c.misses()), (1, 5));
    }

    #[test]
    fn the_hash_reads_every_byte_of_the_text() {
        let c = PolicyCache::new(64, 1 << 20);
        let base: String = (0..200u8).map(|i| (b'a' + i % 26) as char).collect();
        let h = c.hash(&base, E, H);
        for at in 0..base.len() {
            let mut t = base.clone().into_bytes();
            t[at] = b'#';
            let t = String::from_utf8(t).unwrap();
            assert_ne!(c.hash(&t, E, H), h, "byte {at}");
        }
        for len in 0..base.len() {
            assert_ne!(c.hash(&base[..len], E, H), h);
        }
        // And the disposition and source: four keys, four hashes.
        let mut keys: Vec<u64> = [E, Disposition::Report]
            .into_iter()
            .flat_map(|d| [H, PolicySource::Meta].map(|s| c.hash(&base, d, s)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 4);
    }

    #[test]
    fn an_arc_is_counted_with_its_two_counts() {
        // `Arc<str>`'s allocation: the strong and weak counts, then the text.
        assert_eq!(ARC_COUNTS, 2 * core::mem::size_of::<usize>());
        assert_eq!(
            ARC_COUNTS,
            core::mem::size_of::<std::sync::atomic::AtomicUsize>() * 2
        );
    }

    #[test]
    fn bounded_in_entries_and_bytes() {
        let c = PolicyCache::new(16, 64 * 1024);
        for round in 0..4 {
            for i in 0..200 {
                let text = format!("img-src h{i}.test; script-src s{i}.test");
                let _ = c.parse(&text, E, H);
                assert!(c.len() <= 16, "round {round}");
                assert!(c.memory_usage() <= 64 * 1024 + 4096);
            }
        }
        // Too big for a shard: compiled, not kept.
        let big = format!("img-src {}", "a.test ".repeat(20_000));
        let before = c.len();
        let l = c.parse(&big, E, H);
        assert_eq!(l.len(), 1);
        assert!(c.len() <= before);
        // A request for more entries than the cap allocates for the cap.
        let huge = PolicyCache::new(usize::MAX, usize::MAX);
        assert!(huge.memory_usage() < 16 << 20);
        assert_eq!(huge.parse("img-src a", E, H).len(), 1);
        // A cache of nothing parses every time.
        let none = PolicyCache::new(0, 0);
        let _ = none.parse("img-src a", E, H);
        let _ = none.parse("img-src a", E, H);
        assert_eq!((none.hits(), none.misses(), none.len()), (0, 2, 0));
    }

    #[test]
    fn a_flood_of_one_off_headers_does_not_evict_headers_in_use() {
        // One shard of 16 entries.
        let c = PolicyCache::new(16, 1 << 20);
        let popular: Vec<String> = (0..16).map(|i| format!("script-src p{i}.test")).collect();
        for _ in 0..3 {
            for p in &popular {
                let _ = c.parse(p, E, H);
            }
        }
        // The counters are halved every 160 requests; between waves of 100 distinct headers,
        // each popular one is asked for three times (a site's pages), as a browser would.
        // (An LRU of 16 would hit none of them.) The keys are random, so a false positive of
        // the filters can cost a popular header its entry now and then, never often.
        let mut popular_hits = 0;
        for wave in 0..20 {
            for i in 0..100 {
                let _ = c.parse(&format!("script-src flood{wave}x{i}.test"), E, H);
            }
            let before = c.hits();
            for _ in 0..3 {
                for p in &popular {
                    let _ = c.parse(p, E, H);
                }
            }
            popular_hits += c.hits() - before;
        }
        assert!(popular_hits >= 940, "{popular_hits} hits of 960");
    }

    #[test]
    fn stale_entries_give_way() {
        let c = PolicyCache::new(16, 1 << 20);
        for i in 0..16 {
            let _ = c.parse(&format!("img-src old{i}.test"), E, H);
        }
        // Enough requests of new headers, each asked for twice, to halve the counters of the
        // old ones to nothing: the new ones replace them.
        for round in 0..4 {
            for i in 0..40 {
                let t = format!("img-src new{round}x{i}.test");
                let _ = c.parse(&t, E, H);
                let _ = c.parse(&t, E, H);
            }
        }
        let before = c.hits();
        for i in 0..16 {
            let _ = c.parse(&format!("img-src old{i}.test"), E, H);
        }
        assert!(c.hits() - before < 16);
        assert!(c.len() <= 16);
    }

    /// Hits answered by the shards and by the threads' memos.
    fn hit_split(c: &PolicyCache) -> (u64, u64) {
        let shard: u64 = c.shards.iter().map(|s| s.lock().hits).sum();
        (shard, c.hits() - shard)
    }

    fn memo_holds(text: &str) -> bool {
        MEMO.with(|m| m.borrow().held.iter().flatten().any(|h| *h.text == *text))
    }

    #[test]
    fn a_header_asked_for_twice_in_a_row_is_answered_from_the_thread_memo() {
        let c = PolicyCache::new(64, 1 << 20);
        let text = "default-src 'self'; img-src https://cdn.test";
        let first = c.parse(text, E, H);
        assert!(!memo_holds(text), "a miss fills no memo");
        let _ = c.parse(text, E, H);
        assert!(memo_holds(text), "the second call in a row fills it");
        assert_eq!(hit_split(&c), (1, 0));
        let calls = 3 * (MEMO_RUN as u64 + 1) + 5;
        for _ in 0..calls {
            let l = c.parse(text, E, H);
            assert!(Arc::ptr_eq(&l.as_slice()[0], &first.as_slice()[0]));
        }
        // Every (MEMO_RUN + 1)th call goes through the shard, the others are the memo's.
        let through_shard = calls / (MEMO_RUN as u64 + 1);
        assert_eq!(hit_split(&c), (1 + through_shard, calls - through_shard));
        assert_eq!((c.hits(), c.misses()), (1 + calls, 1));
        // So the entry's uses keep counting (what admission weighs against newcomers).
        let uses = c
            .shards
            .iter()
            .flat_map(|s| s.lock().entries.iter().map(|e| e.uses).collect::<Vec<_>>())
            .sum::<u8>();
        assert_eq!(u64::from(uses), 1 + through_shard);
    }

    #[test]
    fn a_policy_and_a_report_only_policy_are_both_memoized() {
        let c = PolicyCache::new(64, 1 << 20);
        let enforce = "default-src 'self'";
        let report = "script-src 'none'; report-uri /r";
        // Documents of one site, each with both headers.
        for _ in 0..10 {
            let _ = c.parse(enforce, E, H);
            let _ = c.parse(report, Disposition::Report, H);
        }
        // 2 misses, 2 shard hits that fill the memo, then 16 from the memo.
        assert_eq!(hit_split(&c), (2, 16));
        assert!(memo_holds(enforce) && memo_holds(report));
    }

    #[test]
    fn a_memo_holds_at_most_its_slots() {
        let c = PolicyCache::new(64, 1 << 20);
        let texts: Vec<String> = (0..2 * MEMO_SLOTS)
            .map(|i| format!("img-src h{i}.test"))
            .collect();
        for t in &texts {
            for _ in 0..3 {
                let _ = c.parse(t, E, H);
            }
        }
        let held = MEMO.with(|m| m.borrow().held.iter().flatten().count());
        assert_eq!(held, MEMO_SLOTS);
        // The latest ones.
        for t in &texts[MEMO_SLOTS..] {
            assert!(memo_holds(t), "{t}");
        }
    }

    #[test]
    fn a_memo_answers_only_its_cache_and_its_exact_key() {
        let a = PolicyCache::new(64, 1 << 20);
        let b = PolicyCache::new(64, 1 << 20);
        let text = "script-src 'self' https://a.test";
        for _ in 0..3 {
            let _ = a.parse(text, E, H);
        }
        assert_eq!(hit_split(&a), (1, 1));
        // Another cache, disposition, source or text: not the memo's.
        let _ = b.parse(text, E, H);
        assert_eq!((b.hits(), b.misses()), (0, 1));
        for (t, d, s) in [
            (text, Disposition::Report, H),
            (text, E, PolicySource::Meta),
            ("script-src 'self' https://a.tesT", E, H),
            ("script-src 'self' https://a.test ", E, H),
            ("script-src 'self' https://a.tes", E, H),
        ] {
            assert_eq!(a.parse(t, d, s), PolicyList::parse(t, d, s));
        }
        assert_eq!((a.hits(), a.misses()), (2, 6));
        // The memo still holds the first key: asked again, it answers.
        let _ = a.parse(text, E, H);
        assert_eq!(hit_split(&a), (1, 2));
    }

    /// A cache asked for `text` twice by the calling thread, which memoized it.
    fn memoized(text: &str) -> PolicyCache {
        let c = PolicyCache::new(64, 1 << 20);
        let _ = c.parse(text, E, H);
        let _ = c.parse(text, E, H);
        assert!(memo_holds(text));
        c
    }

    #[test]
    fn a_miss_empties_the_memo_of_its_key() {
        let text = "img-src 'self'";
        let c = memoized(text);
        // The shard loses the entry (as an eviction would).
        for s in c.shards.iter() {
            let mut s = s.lock();
            s.entries.clear();
            s.hashes.clear();
            s.index.fill(0);
        }
        // The memo answers its run, then the shard misses: the memo lets go of the entry.
        for _ in 0..MEMO_RUN {
            let _ = c.parse(text, E, H);
        }
        assert!(memo_holds(text));
        assert_eq!(c.misses(), 1);
        let _ = c.parse(text, E, H);
        assert_eq!(c.misses(), 2);
        assert!(!memo_holds(text));
    }

    #[test]
    fn memo_hits_are_counted_exactly_on_every_thread() {
        let c = PolicyCache::new(64, 1 << 20);
        let threads = 6;
        std::thread::scope(|s| {
            for t in 0..threads {
                let c = &c;
                s.spawn(move || {
                    for i in 0..500 {
                        // Runs of one header, then another: memos filled and replaced.
                        let text = format!("img-src h{}.test", (i / 50 + t) % 3);
                        assert_eq!(c.parse(&text, E, H), PolicyList::parse(&text, E, H));
                    }
                });
            }
        });
        assert_eq!(c.hits() + c.misses(), threads as u64 * 500);
        assert!(c.misses() <= 3 * threads as u64, "{}", c.misses());
        let (_, memo) = hit_split(&c);
        assert!(memo > threads as u64 * 400, "{memo}");
    }

    #[test]
    fn a_thread_memoizes_only_what_it_asked_for_again() {
        let text = "img-src https://cdn.test";
        let c = memoized(text);
        std::thread::scope(|s| {
            s.spawn(|| {
                // Another thread: its first call is a shard hit, which it does not memoize;
                // its second is.
                let _ = c.parse(text, E, H);
                assert!(!memo_holds(text));
                let _ = c.parse(text, E, H);
                assert!(memo_holds(text));
            });
        });
        assert_eq!(hit_split(&c), (3, 0));
    }

    #[test]
    fn memo_hits_are_counted_whatever_the_thread_number() {
        // More threads than the counters (their numbers wrap onto the 16 lines), each with a
        // miss or shard hit, a shard hit that fills its memo, and a memo hit.
        let c = PolicyCache::new(64, 1 << 20);
        let threads = 20 * MEMO_HIT_COUNTERS;
        for _ in 0..threads {
            std::thread::scope(|s| {
                s.spawn(|| {
                    for _ in 0..3 {
                        let _ = c.parse("img-src 'self'", E, H);
                    }
                });
            });
        }
        assert_eq!((c.hits(), c.misses()), (3 * threads as u64 - 1, 1));
        assert_eq!(hit_split(&c).1, threads as u64);
    }

    #[test]
    fn memory_usage_counts_the_counters_the_index_and_each_entry() {
        // 16 shards of 64 entries: an index of 128 slots (4 bytes each), a sketch of 16
        // counters per entry (1 byte each) and a doorkeeper of 128 bits per entry.
        let c = PolicyCache::new(1024, 16 << 20);
        assert_eq!(c.shards.len(), 16);
        let shard = core::mem::size_of::<CachePadded<Mutex<Shard>>>();
        let empty = 16 * (shard + 128 * 4 + 64 * 16 + 64 * 128 / 8);
        assert_eq!(c.memory_usage(), empty);
        let text = "default-src 'self'; img-src https://a.test https://b.test";
        let list = c.parse(text, E, H);
        let entry = core::mem::size_of::<Entry>() + ARC_COUNTS + text.len() + list.memory_usage();
        // The shard's vectors: room for the entry and its hash, and for a few more.
        let (spare_entries, hashes) = c
            .shards
            .iter()
            .map(|s| {
                let s = s.lock();
                (s.entries.capacity() - s.entries.len(), s.hashes.capacity())
            })
            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
        assert!(hashes >= 1);
        assert_eq!(
            c.memory_usage(),
            empty + entry + spare_entries * core::mem::size_of::<Entry>() + hashes * 8
        );
    }

    #[test]
    fn an_entry_over_an_eighth_of_its_shard_is_not_kept() {
        // One shard of 16 entries and 64 KiB: entries up to 8 KiB.
        let c = PolicyCache::new(16, 64 * 1024);
        assert_eq!(c.shards.len(), 1);
        let sized = |hosts: usize| format!("img-src {}", "https://a.test ".repeat(hosts));
        let fits = sized(8);
        let _ = c.parse(&fits, E, H);
        assert_eq!(c.len(), 1);
        // Over 16 KiB of text: a quarter of the shard, twice the largest entry it keeps.
        let big = sized(1100);
        assert!(big.len() > 16 * 1024 && big.len() < 32 * 1024);
        for _ in 0..4 {
            let _ = c.parse(&big, E, H);
        }
        assert_eq!(c.len(), 1);
        assert_eq!(c.hits(), 0);
    }

    #[test]
    fn a_full_shard_evicts_its_least_recently_used_entry() {
        let c = PolicyCache::new(16, 1 << 20);
        assert_eq!(c.shards.len(), 1);
        let texts: Vec<String> = (0..16).map(|i| format!("img-src e{i}.test")).collect();
        for t in &texts {
            let _ = c.parse(t, E, H);
        }
        // Every entry but the last admitted used once since: the last is the least recent.
        for t in &texts[..15] {
            let _ = c.parse(t, E, H);
        }
        // A newcomer asked for three times outweighs it (asked for once), not the others.
        for _ in 0..3 {
            let _ = c.parse("img-src new.test", E, H);
        }
        assert_eq!(c.len(), 16);
        let held: Vec<String> = c.shards[0]
            .lock()
            .entries
            .iter()
            .map(|e| e.text.to_string())
            .collect();
        assert!(held.contains(&"img-src new.test".to_owned()), "{held:?}");
        assert!(!held.contains(&texts[15]), "{held:?}");
    }

    #[test]
    fn an_equal_hash_is_not_enough() {
        // Entries made to carry the hash of other keys (as a collision would): a look-up of
        // those keys compares text, disposition and source, and misses.
        let c = PolicyCache::new(16, 1 << 20);
        assert_eq!(c.shards.len(), 1);
        let held = "img-src a.test";
        let _ = c.parse(held, E, H);
        for (text, d, s) in [
            ("img-src b.test", E, H),
            (held, Disposition::Report, H),
            (held, E, PolicySource::Meta),
        ] {
            let hash = c.hash(text, d, s);
            {
                let mut shard = c.shards[0].lock();
                shard.entries[0].hash = hash;
                shard.hashes[0] = hash;
                shard.index.fill(0);
                shard.index_entry(0, hash);
            }
            let misses = c.misses();
            assert_eq!(c.parse(text, d, s), PolicyList::parse(text, d, s));
            assert_eq!(c.misses(), misses + 1, "{text:?} {d:?} {s:?}");
        }
    }

    #[test]
    fn is_empty_until_a_header_is_kept() {
        let c = PolicyCache::new(16, 1 << 20);
        assert!(c.is_empty());
        let _ = c.parse("img-src 'self'", E, H);
        assert!(!c.is_empty());
        assert_eq!(c.len(), 1);
        let none = PolicyCache::new(0, 0);
        let _ = none.parse("img-src 'self'", E, H);
        assert!(none.is_empty());
    }

    /// An entry of `bytes` bytes for a shard's own tests (its hash spread from `i`).
    fn entry(i: u64, bytes: usize) -> Entry {
        Entry {
            hash: i.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            disposition: E,
            source: H,
            text: format!("t{i}").into(),
            list: PolicyList::new(),
            bytes,
            last_used: 0,
            uses: 0,
        }
    }

    #[test]
    fn the_byte_bound_evicts_just_enough() {
        let c = PolicyCache::new(16, 1 << 20);
        let mut s = c.shards[0].lock();
        let sum = |s: &Shard| s.entries.iter().map(|e| e.bytes).sum::<usize>();
        for i in 0..4 {
            s.tick += 1;
            s.admit(entry(i, 100), 16, 400);
        }
        assert_eq!((s.entries.len(), s.bytes), (4, 400));
        // 150 bytes into a full shard of 400: the two least recently used entries go.
        let newcomer = entry(10, 150);
        for _ in 0..4 {
            s.count(newcomer.hash, 16);
        }
        s.admit(newcomer, 16, 400);
        assert_eq!((s.entries.len(), s.bytes, sum(&s)), (3, 350, 350));
        let texts: Vec<&str> = s.entries.iter().map(|e| &*e.text).collect();
        assert!(
            !texts.contains(&"t0") && !texts.contains(&"t1"),
            "{texts:?}"
        );
        // 50 bytes fit exactly: nothing goes.
        s.admit(entry(11, 50), 16, 400);
        assert_eq!((s.entries.len(), s.bytes, sum(&s)), (4, 400, 400));
    }

    #[test]
    fn counters_and_uses_halve_every_ten_requests_per_entry() {
        let c = PolicyCache::new(16, 1 << 20);
        let mut s = c.shards[0].lock();
        let h = 0x1234_5678_9abc_def0;
        for _ in 0..5 {
            s.count(h, 16);
        }
        // The first request in the doorkeeper, the other four in the sketch.
        assert_eq!((s.sketch_count(h), s.frequency(h)), (4, 5));
        let mut e = entry(1, 10);
        e.uses = 5;
        s.admit(e, 16, 1 << 20);
        let period = AGE_PER_ENTRY as usize * 16;
        for _ in 0..period - 5 - 1 {
            s.requested(16);
        }
        assert_eq!(s.frequency(h), 5, "not before the period's last request");
        s.requested(16);
        assert_eq!((s.sketch_count(h), s.door_has(h)), (2, false));
        assert_eq!(s.entries[0].uses, 2);
    }

    #[test]
    fn the_doorkeeper_takes_a_first_request_and_spreads_its_bits() {
        let c = PolicyCache::new(16, 1 << 20);
        let mut s = c.shards[0].lock();
        let hashes: Vec<u64> = (1..=1000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let words: std::collections::HashSet<usize> = hashes
            .iter()
            .flat_map(|&h| s.door_bits(h).map(|(w, _)| w))
            .collect();
        assert!(
            words.len() > s.doorkeeper.len() / 2,
            "{} words",
            words.len()
        );
        let h = hashes[0];
        assert!(!s.door_has(h));
        s.count(h, 16);
        assert!(s.door_has(h));
        assert_eq!(s.sketch_count(h), 0);
        s.count(h, 16);
        assert_eq!(s.sketch_count(h), 1);
    }

    #[test]
    fn each_sketch_depth_reads_its_own_slice_of_the_hash() {
        let c = PolicyCache::new(16, 1 << 20);
        let s = c.shards[0].lock();
        let n = s.sketch.len();
        assert!(n.is_power_of_two() && n <= 1 << 16);
        let base = s.slots(0);
        for d in 0..SKETCH_DEPTH {
            let mut seen = std::collections::HashSet::new();
            for v in 0..n as u64 {
                let slots = s.slots(v << (16 * d));
                seen.insert(slots[d]);
                for other in (0..SKETCH_DEPTH).filter(|&o| o != d) {
                    assert_eq!(slots[other], base[other], "depth {d} moved depth {other}");
                }
            }
            // One to one: the slice's values spread over every counter.
            assert_eq!(seen.len(), n, "depth {d}");
        }
    }

    #[test]
    fn threads_share_one_cache() {
        let c = PolicyCache::new(64, 1 << 20);
        std::thread::scope(|s| {
            for t in 0..4 {
                let c = &c;
                s.spawn(move || {
                    for i in 0..200 {
                        let text = format!("img-src h{}.test", (i * 7 + t) % 20);
                        assert_eq!(c.parse(&text, E, H), PolicyList::parse(&text, E, H));
                    }
                });
            }
        });
        assert_eq!(c.hits() + c.misses(), 800);
        assert!(c.misses() >= 20);
        assert!(c.len() <= 20);
    }
}
