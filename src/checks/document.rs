//! The compiled policy of one document or worker: what its network requests consult.

use url::Url;

use crate::checks::request::cache::{CacheConfig, CacheStats};
use crate::checks::request::fields::CachePlan;
use crate::checks::request::lazy_cache::LazyCache;
use crate::matching::origin::SelfOrigin;
use crate::names::destination::EffectiveSet;
use crate::policy::list::PolicyList;

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
    pub(crate) governed: EffectiveSet,
    /// Some policy has default-src (the only way a prefetch can be blocked).
    pub(crate) any_default_src: bool,
    /// What the policies' Trusted Types directives require (`trusted_types::summarize` bits).
    pub(crate) trusted_types: u8,
    /// Per effective slot, when and how checks consult `cache`: computed by the slot's first
    /// check (from its compiled governing lists), then read with one relaxed load.
    pub(in crate::checks) plan: CachePlan,
    /// The verdict cache, made once checks of the slots the plan caches show it will pay.
    pub(in crate::checks) cache: LazyCache,
    pub(in crate::checks) config: CacheConfig,
}

impl DocumentPolicy {
    /// Compiles `list` for the document or worker whose CSP list self-origin is the origin of
    /// `self_origin_url`: the response URL, or for a document with a local scheme (about:,
    /// data:, blob:) the URL of the document it inherited its policies from (CSP3 §2.2).
    ///
    /// Nothing is allocated for a verdict cache here: the document gets one (first of 16
    /// entries, then of [`DEFAULT_CACHE_ENTRIES`](crate::limits::DEFAULT_CACHE_ENTRIES) once it
    /// outgrows that) only after 16 checks of effective directives expensive enough to match
    /// that a lookup saves time (see [`CacheConfig`]).
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
        DocumentPolicy::build(SelfOrigin::new(self_origin_url), list, config)
    }

    /// Compiles `list` for the document or worker whose CSP list self-origin is `origin`,
    /// as an engine holds it (Servo's `ImmutableOrigin`), opaque ones included: a sandboxed
    /// document, a `data:` worker, an `about:blank` with an opaque origin.
    ///
    /// A tuple origin gives the same `DocumentPolicy` as [`DocumentPolicy::new`] with any URL
    /// of that origin. An opaque origin equals no URL's origin, so `'self'` matches nothing
    /// (CSP3 §6.7.2.8 step 4, origin comparison); it has no scheme either, so neither does
    /// `*`'s "same scheme as the origin" branch (step 1.2: `*` still matches http, https,
    /// ws and wss URLs) nor a schemeless host-source (step 3.2).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let list = PolicyList::parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// let same = Url::parse("https://app.test/logo.png")?;
    /// let tuple = DocumentPolicy::for_origin(&same.origin(), list.clone());
    /// assert!(tuple.check_request(&Request::new(&same, Destination::Image)).is_allowed());
    /// // A sandboxed document's opaque origin: 'self' matches nothing.
    /// let opaque = Url::parse("data:text/html,hi")?.origin();
    /// let sandboxed = DocumentPolicy::for_origin(&opaque, list);
    /// assert!(sandboxed.check_request(&Request::new(&same, Destination::Image)).is_blocked());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_origin(origin: &url::Origin, list: PolicyList) -> DocumentPolicy {
        DocumentPolicy::for_origin_with_cache(origin, list, CacheConfig::new())
    }

    /// [`DocumentPolicy::for_origin`] with a chosen cache configuration.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{CacheConfig, Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let origin = Url::parse("https://app.test/")?.origin();
    /// let list = PolicyList::parse("img-src https:", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::for_origin_with_cache(&origin, list, CacheConfig::new().capacity(0));
    /// assert_eq!(policy.cache_stats().capacity(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_origin_with_cache(
        origin: &url::Origin,
        list: PolicyList,
        config: CacheConfig,
    ) -> DocumentPolicy {
        DocumentPolicy::build(SelfOrigin::from_origin(origin), list, config)
    }

    fn build(origin: SelfOrigin, list: PolicyList, config: CacheConfig) -> DocumentPolicy {
        let mut governed = EffectiveSet::EMPTY;
        let mut any_default_src = false;
        for p in list.as_slice() {
            governed = governed.union(p.summary.governed);
            any_default_src |= p.summary.default_src;
        }
        let trusted_types = crate::policy::trusted_types::summarize(list.as_slice());
        DocumentPolicy {
            origin,
            list,
            governed,
            any_default_src,
            trusted_types,
            plan: CachePlan::default(),
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

    /// Approximate bytes of everything the document holds: the `DocumentPolicy` itself (an
    /// engine keeps it in an `Arc`), its self-origin, its compiled policies (each counted
    /// once, in full, even when a [`PolicyCache`](crate::PolicyCache) shares it with other
    /// documents) and its verdict cache once it has one (compare with the header's length;
    /// see `docs/performance.md`).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let header = "img-src 'self' https://cdn.test";
    /// let list = PolicyList::parse(header, Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(policy.memory_usage() > header.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
            trusted_types: self.trusted_types,
            plan: self.plan.snapshot(),
            cache: LazyCache::default(),
            config: self.config,
        }
    }
}
