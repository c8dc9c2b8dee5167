//! The compiled policy of one document or worker: what its network requests consult.

use url::Url;

use crate::destination::EFFECTIVE_COUNT;
use crate::fetch::{self, Scope};
use crate::origin::SelfOrigin;
use crate::policy::Disposition;
use crate::policy_list::PolicyList;
use crate::request::Request;
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
#[derive(Clone, Debug)]
pub struct DocumentPolicy {
    pub(crate) origin: SelfOrigin,
    pub(crate) list: PolicyList,
    /// Bit `e` set when some policy governs effective slot `e`: a check for a slot no policy
    /// governs returns at once.
    pub(crate) governed: u16,
    /// Some policy has default-src (the only way a prefetch can be blocked).
    pub(crate) any_default_src: bool,
}

const _: () = assert!(EFFECTIVE_COUNT <= 16);

impl DocumentPolicy {
    /// Compiles `list` for the document or worker whose CSP list self-origin is the origin of
    /// `self_origin_url`: the response URL, or for a document with a local scheme (about:,
    /// data:, blob:) the URL of the document it inherited its policies from (CSP3 §2.2).
    pub fn new(self_origin_url: &Url, list: PolicyList) -> DocumentPolicy {
        let mut governed = 0u16;
        let mut any_default_src = false;
        for p in list.as_slice() {
            for (i, g) in p.governing.iter().enumerate() {
                if g.is_some() {
                    governed |= 1 << i;
                }
            }
            any_default_src |= p.contains(crate::DirectiveKind::DefaultSrc);
        }
        DocumentPolicy {
            origin: SelfOrigin::new(self_origin_url),
            list,
            governed,
            any_default_src,
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
    /// Allocation-free whenever at most two policies report a violation.
    #[inline]
    pub fn check_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::All)
    }

    /// [`check_request`](DocumentPolicy::check_request) without any cache: always runs the
    /// matching algorithms. Gives the same verdict for every request (tests and fuzzers hold
    /// it to that).
    pub fn check_request_uncached<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::All)
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

    #[inline]
    fn check<'r>(&self, request: &Request<'r>, scope: Scope) -> Verdict<'r> {
        match fetch::slot(request) {
            Some(slot) if self.governed & (1 << slot as u16) == 0 => {
                return Verdict::allowed();
            }
            None if !(request.initiator == crate::Initiator::Prefetch && self.any_default_src) => {
                return Verdict::allowed();
            }
            _ => {}
        }
        fetch::check_request(self.list.as_slice(), &self.origin, request, scope)
    }

    /// Approximate heap bytes held by the compiled policies (compare with the header's
    /// length; see `docs/performance.md`).
    pub fn memory_usage(&self) -> usize {
        self.list.memory_usage() + self.origin.heap_size()
    }
}
