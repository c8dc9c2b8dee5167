//! The compiled policy of one document or worker: what its network requests consult.

use url::{Position, Url};

use crate::cache::{CacheStats, Probe, VerdictCache};
use crate::destination::{Effective, ParserMetadata, EFFECTIVE_COUNT};
use crate::fetch::{self, Scope};
use core::sync::atomic::{AtomicU8, Ordering};

use crate::lazy_cache::LazyCache;
use crate::limits::{DEFAULT_CACHE_ENTRIES, MAX_CACHE_ENTRIES};
use crate::origin::SelfOrigin;
use crate::policy::{Disposition, Logic};
use crate::policy_list::PolicyList;
use crate::request::Request;
use crate::source::Keywords;
use crate::verdict::Verdict;

/// A document's (or worker's) CSP list, compiled and bound to its self-origin.
///
/// Build one per document or worker global when its response arrives, share it by `Arc`
/// with the network layer, and call [`check_request`](DocumentPolicy::check_request) for every
/// request and every redirect hop. It is `Send + Sync`; checks take `&self`.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, DirectiveKind, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://example.com/page")?;
/// let list = PolicyList::parse("connect-src https://example.com/", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&doc, list);
///
/// let xhr = Url::parse("https://not-example.com/")?;
/// let verdict = policy.check_request(&Request::new(&xhr, Destination::Empty));
/// assert!(verdict.is_blocked());
/// assert_eq!(verdict.violations()[0].directive(), DirectiveKind::ConnectSrc);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct DocumentPolicy {
    pub(crate) origin: SelfOrigin,
    pub(crate) list: PolicyList,
    /// Bit `e` set when some policy governs effective slot `e`: a check for a slot no policy
    /// governs returns at once.
    pub(crate) governed: u16,
    /// Some policy has default-src (the only way a prefetch can be blocked).
    pub(crate) any_default_src: bool,
    /// Per effective slot, when and how checks consult `cache`: computed by the slot's first
    /// check (from its compiled governing lists), then read with one relaxed load.
    plan: [AtomicU8; EFFECTIVE_COUNT],
    /// The verdict cache, made once checks of the slots the plan caches show it will pay.
    cache: LazyCache,
    config: CacheConfig,
}

const _: () = assert!(EFFECTIVE_COUNT <= 16);

impl DocumentPolicy {
    /// Compiles `list` for the document or worker whose CSP list self-origin is the origin of
    /// `self_origin_url`: the response URL, or for a document with a local scheme (about:,
    /// data:, blob:) the URL of the document it inherited its policies from (CSP3 §2.2).
    ///
    /// Nothing is allocated for a verdict cache here: the document gets one (first of 16
    /// entries, then of [`DEFAULT_CACHE_ENTRIES`] once it outgrows that) only after 16 checks
    /// of effective directives expensive enough to match that a lookup saves time (see
    /// [`CacheConfig`]).
    pub fn new(self_origin_url: &Url, list: PolicyList) -> DocumentPolicy {
        DocumentPolicy::with_cache(self_origin_url, list, CacheConfig::new())
    }

    /// [`DocumentPolicy::new`] with a chosen cache configuration.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{CacheConfig, Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("img-src https:", Disposition::Enforce, PolicySource::Header);
    /// // No cache at all, for a document that makes few requests.
    /// let policy = DocumentPolicy::with_cache(&doc, list, CacheConfig::new().capacity(0));
    /// assert_eq!(policy.cache_stats().capacity(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_cache(
        self_origin_url: &Url,
        list: PolicyList,
        config: CacheConfig,
    ) -> DocumentPolicy {
        let mut governed = 0u16;
        let mut any_default_src = false;
        for p in list.as_slice() {
            governed |= p.plan.governed;
            any_default_src |= p.plan.default_src;
        }
        DocumentPolicy {
            origin: SelfOrigin::new(self_origin_url),
            list,
            governed,
            any_default_src,
            plan: Default::default(),
            cache: LazyCache::default(),
            config,
        }
    }

    /// The policies.
    pub fn policies(&self) -> &PolicyList {
        &self.list
    }

    /// The self-origin's scheme.
    pub fn self_scheme(&self) -> &str {
        self.origin.scheme()
    }

    pub(crate) fn origin(&self) -> &SelfOrigin {
        &self.origin
    }

    /// CSP3 §4.1.1 and §4.1.2 together: checks the request against every policy. The verdict
    /// is blocked when an enforced policy blocks it, and lists the violations of enforced and
    /// report-only policies alike.
    ///
    /// Fetch runs the report-only half before upgrading insecure requests and the enforcing
    /// half after; an engine that wants that precision calls
    /// [`report_request`](DocumentPolicy::report_request) and
    /// [`should_block_request`](DocumentPolicy::should_block_request) at those two points
    /// instead.
    ///
    /// Repeated checks of the same destination and URL origin (and path, where a governing
    /// source has one) are answered from the document's verdict cache when matching them
    /// costs more than a lookup; requests whose nonce, integrity or WebTransport hashes could
    /// change the answer are always matched. The verdict is the same as
    /// [`check_request_uncached`](DocumentPolicy::check_request_uncached)'s for every request.
    ///
    /// Allocation-free whenever at most two policies report a violation.
    #[inline]
    pub fn check_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::All)
    }

    /// [`check_request`](DocumentPolicy::check_request) without any cache: always runs the
    /// matching algorithms. Gives the same verdict for every request (tests and fuzzers hold
    /// it to that).
    pub fn check_request_uncached<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        let policies = self.list.as_slice();
        match self.prepare(request) {
            Prepared::Done(v) => v,
            Prepared::Slot(slot) => {
                fetch::check_slot(policies, &self.origin, request, slot, Scope::All)
            }
            Prepared::Prefetch => {
                fetch::check_prefetch(policies, &self.origin, request, Scope::All)
            }
        }
    }

    /// <https://w3c.github.io/webappsec-csp/#report-for-request>: the report-only policies
    /// only. The verdict is never blocked.
    pub fn report_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::Only(Disposition::Report))
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-request>: the enforced policies
    /// only.
    pub fn should_block_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::Only(Disposition::Enforce))
    }

    /// Hit and miss counts of the verdict cache since the document was built (or cloned).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let hosts: Vec<String> = (0..40).map(|i| format!("https://api{i}.test")).collect();
    /// let list = PolicyList::parse(&format!("connect-src {}", hosts.join(" ")),
    ///     Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let url = Url::parse("https://api7.test/v1")?;
    /// for _ in 0..18 {
    ///     policy.check_request(&Request::new(&url, Destination::Empty));
    /// }
    /// // A 40-host list is worth caching: after 15 checks without a cache, the 16th makes
    /// // one and misses, then hits.
    /// assert_eq!(policy.cache_stats().misses(), 1);
    /// assert_eq!(policy.cache_stats().hits(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The effective slot of a request, or its verdict when no policy can object.
    #[inline]
    fn prepare<'r>(&self, request: &Request<'r>) -> Prepared<'r> {
        match fetch::slot(request) {
            Some(slot) if self.governed & (1 << slot as u16) == 0 => {
                Prepared::Done(Verdict::allowed())
            }
            Some(slot) => Prepared::Slot(slot),
            None if request.initiator == crate::Initiator::Prefetch && self.any_default_src => {
                Prepared::Prefetch
            }
            None => Prepared::Done(Verdict::allowed()),
        }
    }

    #[inline]
    fn check<'r>(&self, request: &Request<'r>, scope: Scope) -> Verdict<'r> {
        let policies = self.list.as_slice();
        let slot = match self.prepare(request) {
            Prepared::Done(v) => return v,
            Prepared::Slot(slot) => slot,
            Prepared::Prefetch => {
                return fetch::check_prefetch(policies, &self.origin, request, scope)
            }
        };
        // Slots the plan caches, once the cache exists (see `src/lazy_cache.rs`) and while it
        // earns its keep (see `VerdictCache::enabled`).
        let plan = self.slot_plan(slot);
        if plan.has(plan_bits::CACHED) {
            let cache = match self.cache.get() {
                Some(c) => Some(c),
                None => self
                    .cache
                    .count_uncached(self.config.capacity, self.config.always_consult),
            };
            if let Some(cache) = cache.filter(|c| c.enabled()) {
                let mut probe = Probe::new();
                if self.probe(cache, plan, request, &mut probe) {
                    return self.check_cached(cache, &probe, slot, request, scope);
                }
            }
        }
        fetch::check_slot(policies, &self.origin, request, slot, scope)
    }

    /// The cache plan of `slot`: computed by its first check, then one relaxed load (threads
    /// that race compute the same byte).
    #[inline]
    fn slot_plan(&self, slot: Effective) -> SlotPlan {
        // `plan` has `EFFECTIVE_COUNT` elements, one per slot.
        let byte = self.plan[slot as usize].load(Ordering::Relaxed);
        if byte & plan_bits::KNOWN != 0 {
            SlotPlan(byte)
        } else {
            self.make_slot_plan(slot)
        }
    }

    /// Which request facts the governing lists of `slot` read (their compiled forms), and
    /// whether matching them costs enough that a cache lookup saves time.
    #[cold]
    #[inline(never)]
    fn make_slot_plan(&self, slot: Effective) -> SlotPlan {
        use plan_bits::{CACHED, INTEGRITY, KNOWN, NONCES, PATHS, STRICT_DYNAMIC};
        let mut bits = KNOWN;
        let policies = self.list.as_slice();
        // A cached verdict is a 64-bit set of policies.
        if self.config.capacity != 0 && policies.len() <= 64 {
            let mut cost = 0u32;
            let mut governed = false;
            for p in policies {
                let Some(g) = p.governor(slot) else {
                    continue;
                };
                governed = true;
                let l = p.list(g.list);
                let facts = l.cache_facts();
                if facts.paths {
                    bits |= PATHS;
                }
                match g.logic {
                    Logic::Script => {
                        if facts.nonces {
                            bits |= NONCES;
                        }
                        if facts.hashes {
                            bits |= INTEGRITY;
                        }
                        if l.keywords().contains(Keywords::STRICT_DYNAMIC) {
                            bits |= STRICT_DYNAMIC;
                        }
                    }
                    Logic::Style if facts.nonces => bits |= NONCES,
                    _ => {}
                }
                cost = cost.saturating_add(match_cost(facts));
            }
            if governed && (self.config.always_consult || cost >= CACHE_MIN_COST) {
                bits |= CACHED;
            }
        }
        if let Some(b) = self.plan.get(slot as usize) {
            b.store(bits, Ordering::Relaxed);
        }
        SlotPlan(bits)
    }

    /// The cache key of a request of a slot the plan caches, unless the request bypasses the
    /// cache: its destination, the request facts the governing lists read, and its URL up to
    /// the port (up to the path, when a governing source has a path and the request was not
    /// redirected).
    #[inline]
    fn probe(
        &self,
        cache: &VerdictCache,
        plan: SlotPlan,
        request: &Request<'_>,
        probe: &mut Probe,
    ) -> bool {
        use plan_bits::{INTEGRITY, NONCES, PATHS, STRICT_DYNAMIC};
        debug_assert!(plan.has(plan_bits::CACHED));
        if request.webtransport_hashes
            || (!request.nonce.is_empty() && plan.has(NONCES))
            || (!request.integrity.is_empty() && plan.has(INTEGRITY))
        {
            return false;
        }
        let mut flags = 0u8;
        let end = if !plan.has(PATHS) {
            Position::BeforePath
        } else if request.redirect_count > 0 {
            // §6.7.2.8 step 3.6 ignores paths after a redirect. (A URL a host-source can
            // match always has a path, so the two key forms already differ; the flag keeps
            // that argument out of the cache's correctness.)
            flags |= key_flags::REDIRECTED;
            Position::BeforePath
        } else {
            Position::AfterPath
        };
        if plan.has(STRICT_DYNAMIC) && request.parser_metadata == ParserMetadata::ParserInserted {
            flags |= key_flags::PARSER_INSERTED;
        }
        let key = &request.url[..end];
        cache.probe(request.destination as u8, flags, key.as_bytes(), probe)
    }

    #[inline]
    fn check_cached<'r>(
        &self,
        cache: &VerdictCache,
        probe: &Probe,
        slot: Effective,
        request: &Request<'r>,
        scope: Scope,
    ) -> Verdict<'r> {
        let policies = self.list.as_slice();
        let mask = match cache.get(probe) {
            Some(mask) => mask,
            None => {
                let mask =
                    fetch::violated_policies(policies, &self.origin, request, slot, Scope::All);
                cache.insert(probe, mask);
                self.cache.after_miss(cache, self.config.capacity);
                mask
            }
        };
        fetch::verdict_from_mask(policies, request, slot, mask, scope)
    }

    /// Approximate bytes of everything the document holds: the `DocumentPolicy` itself (an
    /// engine keeps it in an `Arc`), its self-origin, its compiled policies (each counted
    /// once, in full, even when a [`PolicyCache`](crate::PolicyCache) shares it with other
    /// documents) and its verdict cache once it has one (compare with the header's length;
    /// see `docs/performance.md`).
    pub fn memory_usage(&self) -> usize {
        core::mem::size_of::<DocumentPolicy>()
            + self.list.memory_usage()
            + self.origin.heap_size()
            + self.cache.heap_size()
    }
}

impl Clone for DocumentPolicy {
    /// Shares the compiled policies (reference counts); the clone starts without a verdict
    /// cache, of the same configuration, and makes its own when its checks show it pays.
    fn clone(&self) -> DocumentPolicy {
        DocumentPolicy {
            origin: self.origin.clone(),
            list: self.list.clone(),
            governed: self.governed,
            any_default_src: self.any_default_src,
            plan: core::array::from_fn(|i| {
                AtomicU8::new(self.plan.get(i).map_or(0, |b| b.load(Ordering::Relaxed)))
            }),
            cache: LazyCache::default(),
            config: self.config,
        }
    }
}

/// What [`DocumentPolicy::prepare`] found.
enum Prepared<'r> {
    /// No policy can object.
    Done(Verdict<'r>),
    /// Check the governing directives of this slot.
    Slot(Effective),
    /// A prefetch in a document with default-src: the resource-hint algorithm.
    Prefetch,
}

/// Bits of a cache key's flags byte.
mod key_flags {
    /// The request was redirected, so paths were ignored (only set for path-keyed slots).
    pub(super) const REDIRECTED: u8 = 1 << 0;
    /// The request is parser-inserted (only set where `'strict-dynamic'` reads it).
    pub(super) const PARSER_INSERTED: u8 = 1 << 1;
}

/// Matching cost (in the units of `CACHE_MIN_COST`) at or above which a slot's checks consult
/// the cache. Measured in `benches/check.rs`; see `docs/performance.md`.
const CACHE_MIN_COST: u32 = 18;

/// Bits of a slot's plan byte ([`DocumentPolicy::slot_plan`]).
mod plan_bits {
    /// The byte has been computed.
    pub(super) const KNOWN: u8 = 1 << 0;
    /// The slot's checks consult the cache.
    pub(super) const CACHED: u8 = 1 << 1;
    /// A governing list has a path-bearing host-source: the path is in the key.
    pub(super) const PATHS: u8 = 1 << 2;
    /// A request's nonce can allow it: such requests bypass the cache.
    pub(super) const NONCES: u8 = 1 << 3;
    /// A request's integrity metadata can allow it: such requests bypass the cache.
    pub(super) const INTEGRITY: u8 = 1 << 4;
    /// `'strict-dynamic'` reads the parser metadata: it is in the key.
    pub(super) const STRICT_DYNAMIC: u8 = 1 << 5;
}

/// One slot's cache plan: [`plan_bits`].
#[derive(Clone, Copy, Debug)]
struct SlotPlan(u8);

impl SlotPlan {
    #[inline]
    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// One policy's summary for [`DocumentPolicy::new`], computed when the policy is parsed (from
/// its governing table, without reading a source list).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct PolicyPlan {
    /// Slots the policy governs (bit `e` for slot `e`).
    pub(crate) governed: u16,
    /// The policy has default-src.
    pub(crate) default_src: bool,
}

impl PolicyPlan {
    /// The summary of a policy whose governing table is complete.
    pub(crate) fn of(p: &crate::policy::Policy) -> PolicyPlan {
        PolicyPlan {
            governed: Effective::ALL
                .iter()
                .filter(|&&e| p.governor(e).is_some())
                .fold(0, |m, &e| m | 1 << e as u16),
            default_src: p.contains(crate::DirectiveKind::DefaultSrc),
        }
    }
}

/// An estimate of the work matching a URL against one governing list costs, in units of
/// roughly one host-source compare. See `docs/performance.md` for the measurements.
fn match_cost(f: crate::source_list::ListFacts) -> u32 {
    let n = f.host_sources as u32;
    let hosts = if f.host_sources <= crate::source_list::INDEX_THRESHOLD {
        n
    } else {
        // Binary searches: the exact host, and one per dot of the URL's host.
        4 * (u32::BITS - n.leading_zeros())
    };
    // Every policy costs its governor lookup and keyword tests.
    2 + hosts + 8 * u32::from(f.paths) + f.other_schemes as u32
}

/// How a [`DocumentPolicy`] caches verdicts.
///
/// The cache maps a request's destination and URL origin (and path, where a governing
/// host-source has a path) to the set of policies it violates. It is bounded (evict-oldest
/// within sets of 4), keyed with SipHash under random keys (flood-resistant), and read
/// without locks. It is made only when the document's checks show it will pay: after 16 checks
/// of effective directives whose matching costs more than a lookup (many host-sources, paths,
/// several policies; small lists match faster than a key hashes), with 16 entries, and with
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
    capacity: usize,
    always_consult: bool,
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
    /// policy.check_request(&cspgate::Request::new(&img, cspgate::Destination::Image));
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
    /// forced.check_request(&cspgate::Request::new(&img, cspgate::Destination::Image));
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
