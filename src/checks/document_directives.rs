//! What a document asks its policies once rather than per request: `object-src` for plugin
//! content without a URL (CSP3 §6.1.9), and the flags `upgrade-insecure-requests` and
//! `block-all-mixed-content` hand to the engine. (`base-uri` is in `base_uri.rs`.)

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::Verdict;
use crate::names::destination::Effective;
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;

impl DocumentPolicy {
    /// CSP3 §6.1.9: must plugin content that is loaded *without* a URL (an `<object>` with a
    /// `type` but no `data`) be blocked? Only when an enforced policy's `object-src` is
    /// `'none'`: its governing directive for `object-src` (`object-src`, else `default-src`)
    /// has an empty value or only `'none'` (§2.3.1: an empty list is equivalent to
    /// `'none'`). Any other list allows it. The spec defines no violation to report here: the verdict has none.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let strict = PolicyList::parse("default-src 'self'; object-src 'none'", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&doc, strict).should_block_plugin_without_url().is_blocked());
    /// let lax = PolicyList::parse("object-src https://plugins.test", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&doc, lax).should_block_plugin_without_url().is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn should_block_plugin_without_url(&self) -> Verdict<'static> {
        let blocked = self.policies().iter().any(|policy| {
            if policy.disposition() != Disposition::Enforce {
                return false;
            }
            // §6.8.4: the directive that governs object-src.
            let Some(g) = policy.governor(Effective::ObjectSrc) else {
                return false;
            };
            policy
                .directive(g.directive)
                .is_some_and(|d| d.tokens().all(|t| t.eq_ignore_ascii_case("'none'")))
        });
        Verdict::blocked_without_violations(blocked)
    }

    /// Does an enforced policy hold `upgrade-insecure-requests`? Then the engine sets the
    /// document's insecure requests policy to "upgrade" (Upgrade Insecure Requests §3.2): it
    /// rewrites `http:` subresource requests (and `ws:` ones) and same-origin navigations to
    /// `https:` in Fetch's main fetch, after
    /// [`report_request`](DocumentPolicy::report_request) and before
    /// [`should_block_request`](DocumentPolicy::should_block_request), and lets nested
    /// documents inherit it. The directive is ignored in report-only policies; a `<meta>`
    /// policy may hold it.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let mut list = PolicyList::parse("upgrade-insecure-requests", Disposition::Report, PolicySource::Header);
    /// assert!(!DocumentPolicy::new(&doc, list.clone()).upgrade_insecure_requests());
    /// list.push_meta("upgrade-insecure-requests");
    /// assert!(DocumentPolicy::new(&doc, list).upgrade_insecure_requests());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upgrade_insecure_requests(&self) -> bool {
        self.enforces(DirectiveKind::UpgradeInsecureRequests)
    }

    /// Does an enforced policy hold `block-all-mixed-content`? The directive is obsolete
    /// (Mixed Content now upgrades or blocks all mixed content): engines that still honour it
    /// block optionally-blockable mixed content when this is `true`; others ignore it.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("block-all-mixed-content", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&doc, list).block_all_mixed_content());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn block_all_mixed_content(&self) -> bool {
        self.enforces(DirectiveKind::BlockAllMixedContent)
    }

    fn enforces(&self, kind: DirectiveKind) -> bool {
        self.policies()
            .iter()
            .any(|p| p.disposition() == Disposition::Enforce && p.contains(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;
    use crate::{PolicyList, PolicySource};

    #[test]
    fn object_src_plugin_without_url_blocked_only_by_none() {
        for (policy, blocked) in [
            ("object-src 'none'", true),
            ("object-src", true),
            ("object-src 'NONE'", true),
            ("default-src 'none'", true),
            ("default-src 'none'; object-src 'self'", false),
            ("object-src 'self'", false),
            ("object-src 'none' https://a.test", false),
            ("script-src 'none'", false),
        ] {
            assert_eq!(
                doc(&[(policy, Disposition::Enforce)])
                    .should_block_plugin_without_url()
                    .is_blocked(),
                blocked,
                "{policy}"
            );
        }
        assert!(!doc(&[("object-src 'none'", Disposition::Report)])
            .should_block_plugin_without_url()
            .is_blocked());
    }

    #[test]
    fn upgrade_insecure_requests_and_block_all_mixed_content_flags() {
        assert!(
            doc(&[("upgrade-insecure-requests", Disposition::Enforce)]).upgrade_insecure_requests()
        );
        assert!(
            !doc(&[("upgrade-insecure-requests", Disposition::Report)]).upgrade_insecure_requests()
        );
        assert!(
            !doc(&[("block-all-mixed-content", Disposition::Enforce)]).upgrade_insecure_requests()
        );
        assert!(doc(&[("block-all-mixed-content", Disposition::Enforce)]).block_all_mixed_content());
        assert!(!doc(&[("block-all-mixed-content", Disposition::Report)]).block_all_mixed_content());
        let meta = DocumentPolicy::new(
            &url::Url::parse("https://app.test/").unwrap(),
            PolicyList::parse(
                "upgrade-insecure-requests",
                Disposition::Enforce,
                PolicySource::Meta,
            ),
        );
        assert!(meta.upgrade_insecure_requests());
    }
}
