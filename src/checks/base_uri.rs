//! `base-uri` (CSP3 §6.3.1): may a `<base href>` URL become the document's base URL?

use url::Url;

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::matching::origin::UrlView;
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#allow-base-for-document>: may `base` become the
    /// document's base URL? HTML calls it from "set the frozen base URL" of a `<base href>`.
    ///
    /// Each policy with a `base-uri` directive must match `base` (with redirect count 0; no
    /// fallback to `default-src`). A violation names `base-uri` and, as the spec says, has the
    /// resource `inline`. As in the spec, the check stops at the first enforced policy that
    /// blocks: policies after it are neither checked nor reported.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource, Resource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("base-uri 'self'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(policy.check_base_uri(&Url::parse("https://app.test/v2/")?).is_allowed());
    /// let verdict = policy.check_base_uri(&Url::parse("https://evil.test/")?);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].resource(), Resource::Inline);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_base_uri(&self, base: &Url) -> Verdict<'static> {
        let mut verdict = Verdict::allowed();
        let u = UrlView::new(base);
        // Step 2.
        for (i, policy) in self.policies().iter().enumerate() {
            // Steps 2.1-2.3.
            let Some(list) = policy.source_list(DirectiveKind::BaseUri) else {
                continue;
            };
            // Step 2.4.
            if list.matches_url(&u, self.origin(), 0) {
                continue;
            }
            // Steps 2.4.1-2.4.3: a violation of base-uri; step 2.4.2: its resource is
            // "inline", not the URL.
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::BaseUri,
                DirectiveKind::BaseUri,
                Resource::Inline,
            ));
            // Step 2.4.4.
            if policy.disposition() == Disposition::Enforce {
                return verdict;
            }
        }
        // Step 3.
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn allow_base_for_document_step_2_4_matches_with_redirect_count_0() {
        let p = doc(&[("base-uri https://app.test/v2/", Disposition::Enforce)]);
        assert!(p.check_base_uri(&url("https://app.test/v2/x")).is_allowed());
        // Paths count: the redirect count is 0.
        assert!(p.check_base_uri(&url("https://app.test/v1/")).is_blocked());
        // No default-src fallback, no base-uri: allowed.
        assert!(doc(&[("default-src 'none'", Disposition::Enforce)])
            .check_base_uri(&url("https://evil.test/"))
            .is_allowed());
        assert!(doc(&[("base-uri 'none'", Disposition::Enforce)])
            .check_base_uri(&url("https://app.test/"))
            .is_blocked());
    }

    #[test]
    fn allow_base_for_document_step_2_4_4_stops_at_the_first_enforced_block() {
        let p = doc(&[
            ("base-uri 'none'", Disposition::Report),
            ("base-uri 'none'", Disposition::Enforce),
            ("base-uri 'none'", Disposition::Enforce),
        ]);
        let v = p.check_base_uri(&url("https://app.test/"));
        assert!(v.is_blocked());
        let got: Vec<_> = v
            .violations()
            .iter()
            .map(|v| (v.policy_index(), v.directive(), v.resource()))
            .collect();
        assert_eq!(
            got,
            [
                (0, DirectiveKind::BaseUri, Resource::Inline),
                (1, DirectiveKind::BaseUri, Resource::Inline)
            ]
        );
    }
}
