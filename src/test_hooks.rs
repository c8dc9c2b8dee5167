//! Hooks for tests, fuzzers and benchmarks: ways around the paved path that an engine never
//! needs. Hidden from the documentation; no stability promise.

use crate::{DocumentPolicy, Request, Verdict};

/// [`DocumentPolicy::check_request`] without the verdict cache.
///
/// # Example
///
/// ```
/// use cspgate::test_hooks::UncachedCheck as _;
/// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse("img-src 'self'", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&doc, list);
/// let url = Url::parse("https://cdn.test/a.png")?;
/// let request = Request::new(&url, Destination::Image);
/// assert_eq!(policy.check_request_uncached(&request), policy.check_request(&request));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait UncachedCheck {
    /// Always runs the matching algorithms. It gives the same verdict as `check_request` for
    /// every request; tests and the `check` fuzzer hold the cache to that.
    fn check_request_uncached<'r>(&self, request: &Request<'r>) -> Verdict<'r>;
}

impl UncachedCheck for DocumentPolicy {
    fn check_request_uncached<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check_uncached(request)
    }
}
