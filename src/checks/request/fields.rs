//! A borrowed view of a Fetch request: the fields CSP reads, and beside them the verdict
//! cache's key and bypass rules, which must account for every field a check reads (the test at
//! the end of this file fails when one is missed).

use url::Url;

use crate::checks::request::cache::CacheConfig;
use crate::names::destination::{
    Destination, Effective, Initiator, ParserMetadata, EFFECTIVE_COUNT,
};
use crate::names::keywords::Keywords;
use crate::policy::list::PolicyList;
use crate::policy::Logic;
use crate::sync::{AtomicU8, Ordering};

/// The parts of a Fetch request that CSP's request checks read, borrowed from the engine's own
/// request object. Building one is free: no allocation, no copy of the URL.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, ParserMetadata, Request};
/// use url::Url;
///
/// let url = Url::parse("https://cdn.test/app.js")?;
/// let request = Request::new(&url, Destination::Script)
///     .nonce("r4nd0m")
///     .parser_metadata(ParserMetadata::ParserInserted);
/// assert_eq!(request.destination(), Destination::Script);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub(crate) url: &'a Url,
    pub(crate) original_url: Option<&'a Url>,
    pub(crate) destination: Destination,
    pub(crate) initiator: Initiator,
    pub(crate) redirect_count: u32,
    pub(crate) nonce: &'a str,
    pub(crate) integrity: &'a str,
    pub(crate) parser_metadata: ParserMetadata,
    pub(crate) webtransport_hashes: bool,
}

impl<'a> Request<'a> {
    /// A request for `url` (Fetch's *current URL*: after redirects, if any) with that
    /// destination, no initiator, no redirect, no nonce, integrity or parser metadata.
    #[inline]
    pub fn new(url: &'a Url, destination: Destination) -> Request<'a> {
        Request {
            url,
            original_url: None,
            destination,
            initiator: Initiator::None,
            redirect_count: 0,
            nonce: "",
            integrity: "",
            parser_metadata: ParserMetadata::None,
            webtransport_hashes: false,
        }
    }

    /// Sets the Fetch initiator (`prefetch` and `prerender` change the effective directive).
    #[inline]
    #[must_use]
    pub fn initiator(mut self, initiator: Initiator) -> Request<'a> {
        self.initiator = initiator;
        self
    }

    /// Sets the redirect count: above 0, source paths are ignored (CSP3 §7.6).
    #[inline]
    #[must_use]
    pub fn redirect_count(mut self, count: u32) -> Request<'a> {
        self.redirect_count = count;
        self
    }

    /// Sets the cryptographic nonce metadata (the element's `nonce`).
    #[inline]
    #[must_use]
    pub fn nonce(mut self, nonce: &'a str) -> Request<'a> {
        self.nonce = nonce;
        self
    }

    /// Sets the integrity metadata (the element's `integrity`).
    #[inline]
    #[must_use]
    pub fn integrity(mut self, integrity: &'a str) -> Request<'a> {
        self.integrity = integrity;
        self
    }

    /// Sets the parser metadata (whether the HTML parser inserted the element).
    #[inline]
    #[must_use]
    pub fn parser_metadata(mut self, parser_metadata: ParserMetadata) -> Request<'a> {
        self.parser_metadata = parser_metadata;
        self
    }

    /// Sets the request's original URL (Fetch's *url*, before redirects), which violations
    /// report instead of the current URL so that redirect targets do not leak (CSP3 §2.4.2).
    /// Defaults to the current URL.
    #[inline]
    #[must_use]
    pub fn original_url(mut self, url: &'a Url) -> Request<'a> {
        self.original_url = Some(url);
        self
    }

    /// Marks a WebTransport request whose `serverCertificateHashes` list is not empty: only
    /// `'unsafe-webtransport-hashes'` allows it (CSP3 §6.1.2).
    #[inline]
    #[must_use]
    pub fn webtransport_hashes(mut self, present: bool) -> Request<'a> {
        self.webtransport_hashes = present;
        self
    }

    /// The URL being checked (the current URL).
    #[inline]
    pub fn url(&self) -> &'a Url {
        self.url
    }

    /// The URL violations report: the original URL if set, else the current URL.
    #[inline]
    pub fn reported_url(&self) -> &'a Url {
        self.original_url.unwrap_or(self.url)
    }

    /// The destination.
    #[inline]
    pub fn destination(&self) -> Destination {
        self.destination
    }
}

/// Bits of a cache key's flags byte.
pub(super) mod key_flags {
    /// The request was redirected, so paths were ignored (only set for path-keyed slots).
    pub(super) const REDIRECTED: u8 = 1 << 0;
    /// The request is parser-inserted (only set where `'strict-dynamic'` reads it).
    pub(super) const PARSER_INSERTED: u8 = 1 << 1;
}

/// Matching cost (in the units of `CACHE_MIN_COST`) at or above which a slot's checks consult
/// the cache. Measured in `benches/check.rs`; see `docs/performance.md`.
const CACHE_MIN_COST: u32 = 18;

/// Per effective slot, whether its checks consult the cache and which request facts their key
/// must hold: computed by the slot's first check (from its compiled governing lists, which
/// that check compiles anyway), then read with one relaxed load. Threads that race compute
/// the same byte.
#[derive(Debug, Default)]
pub(crate) struct CachePlan {
    /// One [`SlotPlan`] byte per slot (empty until computed).
    slots: [AtomicU8; EFFECTIVE_COUNT],
}

bitflags::bitflags! {
    /// One slot's cache plan.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) struct SlotPlan: u8 {
        /// The plan has been computed.
        const KNOWN = 1 << 0;
        /// The slot's checks consult the cache.
        const CACHED = 1 << 1;
        /// A governing list has a path-bearing host-source: the path is in the key.
        const PATHS = 1 << 2;
        /// A request's nonce can allow it: such requests bypass the cache.
        const NONCES = 1 << 3;
        /// A request's integrity metadata can allow it: such requests bypass the cache.
        const INTEGRITY = 1 << 4;
        /// `'strict-dynamic'` reads the parser metadata: it is in the key.
        const STRICT_DYNAMIC = 1 << 5;
    }
}

impl CachePlan {
    /// The plan of `slot` as stored: without `KNOWN` until [`CachePlan::make`] computed it.
    #[inline]
    pub(crate) fn stored(&self, slot: Effective) -> SlotPlan {
        SlotPlan::from_bits_retain(
            self.slots
                .get(slot.index())
                .map_or(0, |b| b.load(Ordering::Relaxed)),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn make(&self, list: &PolicyList, config: CacheConfig, slot: Effective) -> SlotPlan {
        let plan = SlotPlan::of(list, config, slot);
        if let Some(b) = self.slots.get(slot.index()) {
            b.store(plan.bits(), Ordering::Relaxed);
        }
        plan
    }

    /// A copy of the plans computed so far.
    pub(crate) fn snapshot(&self) -> CachePlan {
        CachePlan {
            slots: core::array::from_fn(|i| {
                AtomicU8::new(self.slots.get(i).map_or(0, |b| b.load(Ordering::Relaxed)))
            }),
        }
    }
}

impl SlotPlan {
    /// Which request facts the governing lists of `slot` read (their compiled forms), and
    /// whether matching them costs enough that a cache lookup saves time.
    fn of(list: &PolicyList, config: CacheConfig, slot: Effective) -> SlotPlan {
        let mut plan = SlotPlan::KNOWN;
        // A cached verdict is a 64-bit set of policies.
        if config.capacity == 0 || list.len() > 64 {
            return plan;
        }
        let mut cost = 0u32;
        let mut governed = false;
        for p in list.as_slice() {
            let Some(g) = p.governor(slot) else {
                continue;
            };
            governed = true;
            let l = p.list(g.list);
            let facts = l.cache_facts();
            if facts.paths {
                plan |= SlotPlan::PATHS;
            }
            match g.logic {
                Logic::Script => {
                    if facts.nonces {
                        plan |= SlotPlan::NONCES;
                    }
                    if facts.hashes {
                        plan |= SlotPlan::INTEGRITY;
                    }
                    if l.keywords().contains(Keywords::STRICT_DYNAMIC) {
                        plan |= SlotPlan::STRICT_DYNAMIC;
                    }
                }
                Logic::Style if facts.nonces => plan |= SlotPlan::NONCES,
                _ => {}
            }
            cost = cost.saturating_add(match_cost(facts));
        }
        if governed && (config.always_consult || cost >= CACHE_MIN_COST) {
            plan |= SlotPlan::CACHED;
        }
        plan
    }
}

fn match_cost(f: crate::policy::source_list::ListFacts) -> u32 {
    let n = u32::try_from(f.host_sources).unwrap_or(u32::MAX);
    let hosts = if f.host_sources <= crate::policy::source_list::INDEX_THRESHOLD {
        n
    } else {
        // Binary searches: the exact host, and one per dot of the URL's host.
        4 * (u32::BITS - n.leading_zeros())
    };
    // Every policy costs its governor lookup and keyword tests.
    2 + hosts + 8 * u32::from(f.paths) + u32::try_from(f.other_schemes).unwrap_or(u32::MAX)
}

/// A request's key in the verdict cache (with the slot's plan, the key holds every request
/// fact the governing lists of the slot read).
#[derive(Clone, Copy, Debug)]
pub(super) struct CacheKey<'a> {
    pub(super) destination: u8,
    /// [`key_flags`].
    pub(super) flags: u8,
    /// The URL up to the port, or up to the end of the path.
    pub(super) url: &'a str,
}

impl<'a> Request<'a> {
    /// The cache key of a request of a slot the plan caches, or `None` when the request
    /// bypasses the cache: its destination, the request facts the governing lists read, and
    /// its URL up to the port (up to the path, when a governing source has a path and the
    /// request was not redirected).
    ///
    /// Every field is named below: a new field does not compile until its place in the key
    /// is decided, and `every_field_a_check_reads_is_in_the_key` tests the decisions.
    #[inline]
    pub(super) fn cache_key(&self, plan: SlotPlan) -> Option<CacheKey<'a>> {
        let Request {
            url,
            // Only names the reported URL, which a verdict built from the cache takes from
            // this request (`verdict_from_mask`), never from the cache.
            original_url: _,
            destination,
            // Prefetches and prerenders never reach the cache (`slot` gives them none); no
            // other initiator changes a verdict.
            initiator: _,
            redirect_count,
            nonce,
            integrity,
            parser_metadata,
            webtransport_hashes,
        } = self;
        debug_assert!(plan.contains(SlotPlan::CACHED));
        // Bypass: facts that can allow a request whatever its URL.
        if *webtransport_hashes
            || (!nonce.is_empty() && plan.contains(SlotPlan::NONCES))
            || (!integrity.is_empty() && plan.contains(SlotPlan::INTEGRITY))
        {
            return None;
        }
        let mut flags = 0u8;
        // The URL up to its path, or up to the end of its path: the path is a subslice of the
        // serialization, so its offset is where it starts.
        let text = url.as_str();
        let path = url.path();
        let path_start = (path.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let end = if !plan.contains(SlotPlan::PATHS) {
            path_start
        } else if *redirect_count > 0 {
            // §6.7.2.8 step 3.6 ignores paths after a redirect. (A URL a host-source can
            // match always has a path, so the two key forms already differ; the flag keeps
            // that argument out of the cache's correctness.)
            flags |= key_flags::REDIRECTED;
            path_start
        } else {
            path_start + path.len()
        };
        if plan.contains(SlotPlan::STRICT_DYNAMIC)
            && *parser_metadata == ParserMetadata::ParserInserted
        {
            flags |= key_flags::PARSER_INSERTED;
        }
        Some(CacheKey {
            // The discriminant of a fieldless enum: which destination, as one byte.
            destination: *destination as u8,
            flags,
            // `end` is within the text (`path` is a subslice of it); `None` bypasses the cache
            // if it ever were not.
            url: text.get(..end)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::document::DocumentPolicy;
    use crate::names::disposition::{Disposition, PolicySource};

    /// Every field of [`Request`]. The pattern has no `..`: a new field does not compile until
    /// it is listed here, and the test below then fails until it has a row.
    fn field_names(r: &Request<'_>) -> [&'static str; 9] {
        let Request {
            url: _,
            original_url: _,
            destination: _,
            initiator: _,
            redirect_count: _,
            nonce: _,
            integrity: _,
            parser_metadata: _,
            webtransport_hashes: _,
        } = r;
        [
            "url",
            "original_url",
            "destination",
            "initiator",
            "redirect_count",
            "nonce",
            "integrity",
            "parser_metadata",
            "webtransport_hashes",
        ]
    }

    /// The documented rule of `CACHE_MIN_COST` (`docs/performance.md`, "When to consult
    /// it"): connect-src is looked up in the cache for lists of 16 or more host-sources, any
    /// indexed list, path-bearing lists of 8 or more, and several policies whose lists
    /// together cost that much; smaller lists are matched.
    #[test]
    fn the_cache_is_consulted_for_lists_that_cost_more_than_a_lookup() {
        let hosts = |n: usize, path: &str| -> String {
            (0..n)
                .map(|i| format!("https://h{i}.test{path}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let cached = |text: &str| {
            let list = PolicyList::parse(text, Disposition::Enforce, PolicySource::Header);
            SlotPlan::of(&list, CacheConfig::new(), Effective::ConnectSrc)
                .contains(SlotPlan::CACHED)
        };
        let connect = |n: usize, path: &str| format!("connect-src {}", hosts(n, path));
        assert!(!cached(
            "connect-src 'self' https://a.test https://b.test wss://c.test"
        ));
        assert!(!cached(&connect(10, "")));
        assert!(!cached(&connect(15, "")));
        assert!(cached(&connect(16, "")));
        assert!(cached(&connect(17, "")));
        assert!(cached(&connect(1000, "")));
        assert!(!cached(&connect(7, "/api/")));
        assert!(cached(&connect(8, "/api/")));
        // Scheme-sources of schemes without a bit are compared by name, one each.
        assert!(!cached(&format!("{} a: b:", connect(13, ""))));
        assert!(cached(&format!("{} a: b: c:", connect(13, ""))));
        // Two policies of 7 hosts each: 18; of 6 each: 16.
        assert!(cached(&format!("{}, {}", connect(7, ""), connect(7, ""))));
        assert!(!cached(&format!("{}, {}", connect(6, ""), connect(6, ""))));
        // Nothing is cached without a cache.
        let list = PolicyList::parse(
            &connect(1000, ""),
            Disposition::Enforce,
            PolicySource::Header,
        );
        assert!(
            !SlotPlan::of(&list, CacheConfig::new().capacity(0), Effective::ConnectSrc)
                .contains(SlotPlan::CACHED)
        );
    }

    /// The accessors give back what the builder set.
    #[test]
    fn accessors_return_the_request_fields() {
        let u = Url::parse("https://a.test/x").unwrap();
        let o = Url::parse("https://o.test/").unwrap();
        let r = Request::new(&u, Destination::Font).original_url(&o);
        assert_eq!(r.destination(), Destination::Font);
        assert_eq!(r.url().as_str(), "https://a.test/x");
        assert_eq!(r.reported_url().as_str(), "https://o.test/");
        assert_eq!(
            Request::new(&u, Destination::Worker).destination(),
            Destination::Worker
        );
    }

    /// The key's URL is the serialization up to the path (or up to the path's end, for slots
    /// whose lists have paths): the URL standard's positions, read from the path's offset.
    #[test]
    fn the_key_ends_where_the_url_standard_puts_the_path() {
        use url::Position;
        for text in [
            "https://a.test/x/y?q=1#f",
            "https://user:pw@a.test:8443/x",
            "http://a.test",
            "wss://[::1]:9/sock?x",
            "ftp://10.0.0.1/f",
            "data:text/plain,hi",
            "blob:https://a.test/uuid",
            "app://host/p/q?r",
            "file:///etc/x",
        ] {
            let url = Url::parse(text).unwrap();
            let r = Request::new(&url, Destination::Image);
            let before = r.cache_key(SlotPlan::CACHED).unwrap().url;
            assert_eq!(before, &url[..Position::BeforePath], "{text}");
            let after = r.cache_key(SlotPlan::CACHED | SlotPlan::PATHS).unwrap().url;
            assert_eq!(after, &url[..Position::AfterPath], "{text}");
            // After a redirect, paths are ignored (and the key says so).
            let redirected = r.redirect_count(1);
            let key = redirected
                .cache_key(SlotPlan::CACHED | SlotPlan::PATHS)
                .unwrap();
            assert_eq!(key.url, &url[..Position::BeforePath], "{text}");
            assert_eq!(key.flags, key_flags::REDIRECTED);
        }
    }

    #[test]
    fn every_field_a_check_reads_is_in_the_key() {
        use Destination as D;
        let doc = Url::parse("https://doc.test/").unwrap();
        let a = Url::parse("https://a.test/x/1").unwrap();
        let b = Url::parse("https://b.test/x/1").unwrap();
        let a_y = Url::parse("https://a.test/y/1").unwrap();
        let req = Request::new;
        // (field, policy, two requests that differ in that field alone and get different
        // verdicts): a cache whose key and bypass rules missed the field would answer the
        // second request with the first one's verdict.
        let rows = [
            (
                "url",
                "img-src https://a.test",
                req(&a, D::Image),
                req(&b, D::Image),
            ),
            (
                "original_url",
                "img-src https://c.test",
                req(&a, D::Image).original_url(&a),
                req(&a, D::Image).original_url(&b),
            ),
            (
                "destination",
                "img-src https://a.test; script-src 'none'",
                req(&a, D::Image),
                req(&a, D::Script),
            ),
            (
                "initiator",
                "default-src https://a.test; img-src 'none'",
                req(&a, D::Image),
                req(&a, D::Image).initiator(Initiator::Prefetch),
            ),
            (
                "redirect_count",
                "img-src https://a.test/x/",
                req(&a_y, D::Image),
                req(&a_y, D::Image).redirect_count(1),
            ),
            (
                "nonce",
                "script-src 'nonce-abc'",
                req(&a, D::Script),
                req(&a, D::Script).nonce("abc"),
            ),
            // Style lists read nonces too (§6.1.13 step 3).
            (
                "nonce",
                "style-src 'nonce-abc'",
                req(&a, D::Style),
                req(&a, D::Style).nonce("abc"),
            ),
            (
                "integrity",
                "script-src 'sha256-YWJj'",
                req(&a, D::Script),
                req(&a, D::Script).integrity("sha256-YWJj"),
            ),
            (
                "parser_metadata",
                "script-src 'strict-dynamic'",
                req(&a, D::Script).parser_metadata(ParserMetadata::NotParserInserted),
                req(&a, D::Script).parser_metadata(ParserMetadata::ParserInserted),
            ),
            (
                "webtransport_hashes",
                "connect-src https://a.test",
                req(&a, D::Empty),
                req(&a, D::Empty).webtransport_hashes(true),
            ),
        ];
        let mut covered: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let mut fields = field_names(&req(&a, D::Image)).to_vec();
        covered.sort_unstable();
        covered.dedup();
        fields.sort_unstable();
        assert_eq!(covered, fields, "every request field needs a row");

        for (field, policy, first, second) in rows {
            let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
            let plain =
                DocumentPolicy::with_cache(&doc, list.clone(), CacheConfig::new().capacity(0));
            let want = |r: &Request<'_>| format!("{:?}", plain.check_request(r));
            assert_ne!(
                want(&first),
                want(&second),
                "{field}: the row must tell them apart"
            );
            for (x, y) in [(first, second), (second, first)] {
                let cached = DocumentPolicy::with_cache(
                    &doc,
                    list.clone(),
                    CacheConfig::new().always_consult(true),
                );
                assert_eq!(
                    format!("{:?}", cached.check_request(&x)),
                    want(&x),
                    "{field}"
                );
                assert_eq!(
                    format!("{:?}", cached.check_request(&y)),
                    want(&y),
                    "{field}: answered from the cache"
                );
                assert_eq!(
                    format!("{:?}", cached.check_request(&x)),
                    want(&x),
                    "{field}"
                );
            }
        }
    }
}
