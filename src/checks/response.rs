//! CSP3 §4.1.3 "should response to request be blocked" (the post-request checks) and §4.1.4
//! "potentially report hash", as data.

use url::Url;

use crate::checks::document::DocumentPolicy;
use crate::checks::request::fields::Request;
use crate::checks::request::{self as fetch, pre_request_allows};
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::matching::origin::UrlView;
use crate::names::directive::DirectiveKind;
use crate::names::keywords::{HashAlgorithm, Keywords};
use crate::policy::{Logic, Policy};

/// A `csp-hash` report to queue for a script response (CSP3 §4.1.4 "potentially report
/// hash"): which policy asks for it, with which algorithm, to which `report-to` endpoint.
///
/// The engine then hashes the response body when the response is CORS-same-origin (the empty
/// hash otherwise), and, if the request's client is a `Window`, queues a report of type
/// `csp-hash` whose body has `documentURL` (the stripped document URL), `subresourceURL`,
/// `hash` (`"<algorithm>-<digest>"`), `destination` and `type` `"subresource"`.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, Disposition, DocumentPolicy, HashAlgorithm, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse(
///     "script-src 'self' 'report-sha384'; report-to hashes",
///     Disposition::Enforce,
///     PolicySource::Header,
/// );
/// let policy = DocumentPolicy::new(&doc, list);
/// let js = Url::parse("https://app.test/main.js")?;
/// let reports: Vec<_> = policy.hash_reports(&Request::new(&js, Destination::Script)).collect();
/// assert_eq!(reports.len(), 1);
/// assert_eq!(reports[0].algorithm(), HashAlgorithm::Sha384);
/// assert_eq!(reports[0].endpoint(), "hashes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashReport<'p> {
    policy: usize,
    algorithm: HashAlgorithm,
    endpoint: &'p str,
}

impl<'p> HashReport<'p> {
    /// The index of the policy asking for the report.
    #[inline]
    pub fn policy_index(&self) -> usize {
        self.policy
    }

    /// The algorithm to hash the response body with.
    #[inline]
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The policy's `report-to` endpoint name (the report's destination).
    #[inline]
    pub fn endpoint(&self) -> &'p str {
        self.endpoint
    }
}

/// <https://w3c.github.io/webappsec-csp/#potentially-report-hash>, for one policy whose
/// governing script directive has the list `keywords`.
fn potentially_report_hash(policy: &Policy, keywords: Keywords) -> Option<(HashAlgorithm, &str)> {
    // Steps 1-4: the last of sha256, sha384, sha512 listed wins.
    let algorithm = if keywords.contains(Keywords::REPORT_SHA512) {
        HashAlgorithm::Sha512
    } else if keywords.contains(Keywords::REPORT_SHA384) {
        HashAlgorithm::Sha384
    } else if keywords.contains(Keywords::REPORT_SHA256) {
        HashAlgorithm::Sha256
    } else {
        // Step 5.
        return None;
    };
    // Steps 6-11 (hashing the body, the Window check, the document URL) are the engine's.
    // Steps 12-13: a report-to directive is needed; its value names the endpoint.
    let endpoint = policy
        .directive(DirectiveKind::ReportTo)?
        .tokens()
        .next()
        .unwrap_or("");
    Some((algorithm, endpoint))
}

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#should-block-response>: may the response to
    /// `request`, whose URL is `response_url`, be used? Fetch calls it on the final response,
    /// which a Service Worker may have substituted.
    ///
    /// Every policy runs its directives' post-request checks, which are the pre-request
    /// checks with the response's URL in place of the request's current URL (nonces,
    /// integrity and `'strict-dynamic'` still read the request; paths are ignored when the
    /// request was redirected). Report-only policies report and never block. Violations name
    /// the request's effective directive and its original URL, like
    /// [`check_request`](DocumentPolicy::check_request)'s.
    ///
    /// The script checks' first step, "potentially report hash", does not affect the
    /// verdict: [`hash_reports`](DocumentPolicy::hash_reports) says which hash reports to
    /// queue.
    ///
    /// Allocation-free whenever at most two policies report a violation.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("img-src https://cdn.test", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    ///
    /// let url = Url::parse("https://cdn.test/a.png")?;
    /// let request = Request::new(&url, Destination::Image);
    /// assert!(policy.check_request(&request).is_allowed());
    /// // A service worker answered with a response from elsewhere.
    /// let substituted = Url::parse("https://evil.test/a.png")?;
    /// let verdict = policy.check_response(&request, &substituted);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "img-src");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_response<'r>(&self, request: &Request<'r>, response_url: &Url) -> Verdict<'r> {
        // Step 2.
        let mut verdict = Verdict::allowed();
        // Every directive's post-request check starts with "should directive execute" on the
        // request's effective directive: only the governing directive of its fallback list
        // runs (§6.8.4). A prefetch or prerender (effective directive default-src, whose
        // fallback list is empty) and a request no fetch directive covers run nothing.
        let Some(slot) = fetch::slot(request) else {
            return verdict;
        };
        let u = UrlView::new(response_url);
        // Step 3.
        for (i, policy) in self.policies().iter().enumerate() {
            // Step 3.1.
            let Some(g) = policy.governor(slot) else {
                continue;
            };
            // Step 3.1.1: the post-request check (#match-response-to-source-list reads the
            // response's URL with the request's redirect count).
            if pre_request_allows(policy.list(g.list), g.logic, self.origin(), &u, request) {
                continue;
            }
            // Steps 3.1.1.1-3.1.1.2.
            // §2.4.2: the request's effective directive, and its original URL.
            verdict.push(Violation::new(
                policy,
                i,
                slot.directive(),
                g.directive,
                Resource::Url(request.reported_url()),
            ));
        }
        // Step 4.
        verdict
    }

    /// <https://w3c.github.io/webappsec-csp/#potentially-report-hash>, as data: the hash
    /// reports the post-request check of a script-like `request` asks for, one per policy
    /// whose governing script directive (`script-src`, `script-src-elem`, or `default-src`
    /// standing in for them) lists `'report-sha256'`, `'report-sha384'` or `'report-sha512'`
    /// (the strongest one wins, as in the spec's steps 2-4) and that has a `report-to`
    /// directive. Enforced and report-only policies alike; whatever the verdict.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("script-src 'self' 'report-sha256'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let js = Url::parse("https://app.test/main.js")?;
    /// // No report-to directive: nowhere to send a hash report.
    /// assert_eq!(policy.hash_reports(&Request::new(&js, Destination::Script)).count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hash_reports<'p>(
        &'p self,
        request: &Request<'_>,
    ) -> impl Iterator<Item = HashReport<'p>> + 'p {
        // §6.7.1.2 step 1: only for script-like destinations; and only a directive that
        // executes runs its post-request check.
        let slot = fetch::slot(request).filter(|_| request.destination.is_script_like());
        self.policies()
            .iter()
            .enumerate()
            .filter_map(move |(i, policy)| {
                let g = policy.governor(slot?)?;
                // Only the script directives' post-request check (§6.7.1.2) reports hashes.
                if g.logic != Logic::Script {
                    return None;
                }
                let (algorithm, endpoint) =
                    potentially_report_hash(policy, policy.list(g.list).keywords())?;
                Some(HashReport {
                    policy: i,
                    algorithm,
                    endpoint,
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;
    use crate::{Destination, Disposition, Initiator, ParserMetadata};

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn should_block_response_step_3_checks_the_response_url() {
        let p = doc(&[("default-src https://cdn.test/js/", Disposition::Enforce)]);
        let url = u("https://cdn.test/js/a.js");
        let r = Request::new(&url, Destination::Script);
        assert!(p.check_response(&r, &url).is_allowed());
        assert!(p
            .check_response(&r, &u("https://cdn.test/other.js"))
            .is_blocked());
        // After a redirect, paths are ignored (the request's redirect count).
        let r1 = r.redirect_count(1);
        assert!(p
            .check_response(&r1, &u("https://cdn.test/other.js"))
            .is_allowed());
        assert!(p
            .check_response(&r1, &u("https://evil.test/js/a.js"))
            .is_blocked());
    }

    #[test]
    fn should_block_response_step_3_1_1_every_policy_report_only_ones_never_block() {
        let p = doc(&[
            ("img-src *", Disposition::Enforce),
            ("img-src 'self'", Disposition::Report),
        ]);
        let url = u("https://app.test/a.png");
        let r = Request::new(&url, Destination::Image);
        let v = p.check_response(&r, &u("https://x.test/a.png"));
        assert!(v.is_allowed());
        assert_eq!(v.violations().len(), 1);
        assert_eq!(v.violations()[0].disposition(), Disposition::Report);
        // The violation reports the request's original URL, not the response's.
        assert_eq!(v.violations()[0].resource(), Resource::Url(&url));
        assert_eq!(v.violations()[0].directive(), DirectiveKind::ImgSrc);
    }

    #[test]
    fn script_post_request_nonce_integrity_and_strict_dynamic_still_apply() {
        let p = doc(&[(
            "script-src 'nonce-n' 'strict-dynamic'",
            Disposition::Enforce,
        )]);
        let url = u("https://x.test/a.js");
        let elsewhere = u("https://y.test/a.js");
        let r = Request::new(&url, Destination::Script);
        assert!(p.check_response(&r.nonce("n"), &elsewhere).is_allowed());
        assert!(p
            .check_response(
                &r.parser_metadata(ParserMetadata::NotParserInserted),
                &elsewhere
            )
            .is_allowed());
        assert!(p
            .check_response(
                &r.parser_metadata(ParserMetadata::ParserInserted),
                &elsewhere
            )
            .is_blocked());
    }

    #[test]
    fn post_request_prefetch_and_prerender_never_blocked() {
        let p = doc(&[("default-src 'none'", Disposition::Enforce)]);
        let url = u("https://x.test/");
        for i in [Initiator::Prefetch, Initiator::Prerender] {
            let r = Request::new(&url, Destination::Empty).initiator(i);
            assert!(p.check_response(&r, &url).is_allowed());
        }
    }

    #[test]
    fn potentially_report_hash_steps_2_to_4_strongest_listed_wins_and_needs_report_to() {
        let p = doc(&[
            (
                "script-src 'self' 'report-sha512' 'report-sha256'; report-to g1",
                Disposition::Enforce,
            ),
            ("script-src 'report-sha256'", Disposition::Enforce),
            (
                "default-src 'report-sha384'; report-to g3",
                Disposition::Report,
            ),
            (
                "worker-src 'report-sha256'; report-to g4",
                Disposition::Enforce,
            ),
        ]);
        let url = u("https://app.test/a.js");
        let got: Vec<_> = p
            .hash_reports(&Request::new(&url, Destination::Script))
            .map(|h| (h.policy_index(), h.algorithm(), h.endpoint()))
            .collect();
        assert_eq!(
            got,
            [
                (0, HashAlgorithm::Sha512, "g1"),
                (2, HashAlgorithm::Sha384, "g3")
            ]
        );
        // Not script-like: nothing. Workers: only where a script directive governs.
        let img = Request::new(&url, Destination::Image);
        assert_eq!(p.hash_reports(&img).count(), 0);
        let w: Vec<_> = p
            .hash_reports(&Request::new(&url, Destination::Worker))
            .map(|h| h.policy_index())
            .collect();
        assert_eq!(
            w,
            [0],
            "worker-src runs the plain URL check, default-src too"
        );
    }
}
