//! CSP3 §4.3: may a WebRTC peer connection gather ICE candidates? The `webrtc` directive
//! (§6.2.1) answers; no other directive has a say.

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::names::directive::DirectiveKind;
use crate::policy::Policy;

/// <https://w3c.github.io/webappsec-csp/#webrtc-pre-connect>: the `webrtc` directive of
/// `policy`, if it has one, allows connections only when its value is the single token
/// `'allow'` (ASCII case-insensitively). Every other directive's pre-connect check returns
/// "Allowed".
fn pre_connect_allows(policy: &Policy) -> bool {
    let Some(directive) = policy.directive(DirectiveKind::Webrtc) else {
        return true;
    };
    // Step 1: a value of a single item matching "'allow'".
    let mut tokens = directive.tokens();
    match (tokens.next(), tokens.next()) {
        (Some(only), None) => only.eq_ignore_ascii_case("'allow'"),
        // Step 2.
        _ => false,
    }
}

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#should-block-rtc-connection>: should the RTC
    /// connections of this global be blocked? WebRTC's "administratively prohibited" algorithm
    /// asks it, and prohibits every ICE candidate when the verdict is blocked.
    ///
    /// Every policy whose `webrtc` directive is anything but `'allow'` (`'block'`, an empty
    /// value, several tokens) reports a violation naming `webrtc`, with no resource (its
    /// reports carry an empty blocked URI); an enforced one blocks. Policies without `webrtc`
    /// allow connections.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{DirectiveKind, Disposition, DocumentPolicy, PolicyList, PolicySource, Resource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("default-src 'self'; webrtc 'block'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let verdict = policy.check_webrtc();
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive(), DirectiveKind::Webrtc);
    /// assert_eq!(verdict.violations()[0].resource(), Resource::None);
    ///
    /// let list = PolicyList::parse("webrtc 'allow'", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&doc, list).check_webrtc().is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_webrtc(&self) -> Verdict<'static> {
        // Step 1.
        let mut verdict = Verdict::allowed();
        // Step 2: for each policy, for each directive (only `webrtc` can say "Blocked").
        for (i, policy) in self.policies().iter().enumerate() {
            // Step 2.1.1.
            if pre_connect_allows(policy) {
                continue;
            }
            // Steps 2.1.2-2.1.5: the violation, reported; blocking when enforced.
            // §4.3.1 step 2.1.2: a violation of the `webrtc` directive; step 2.1.3: the
            // resource is null.
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::Webrtc,
                DirectiveKind::Webrtc,
                Resource::None,
            ));
        }
        // Step 3.
        verdict
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::doc;
    use crate::{Disposition, DocumentPolicy, PolicyList, PolicySource, Resource};
    use url::Url;

    fn blocked(text: &str) -> bool {
        doc(&[(text, Disposition::Enforce)])
            .check_webrtc()
            .is_blocked()
    }

    #[test]
    fn pre_connect_step_1_only_a_single_allow_allows() {
        assert!(!blocked("webrtc 'allow'"));
        assert!(!blocked("webrtc 'ALLOW'"), "ASCII case-insensitive");
        assert!(blocked("webrtc 'block'"));
        assert!(blocked("webrtc"), "an empty value is not 'allow'");
        assert!(blocked("webrtc 'allow' 'allow'"), "not a single item");
        assert!(blocked("webrtc 'allow' 'block'"));
        assert!(
            blocked("webrtc allow"),
            "the quotes are part of the keyword"
        );
    }

    #[test]
    fn other_directives_allow_and_nothing_falls_back() {
        assert!(!blocked("default-src 'none'; connect-src 'none'"));
        assert!(doc(&[]).check_webrtc().is_allowed());
        // The first `webrtc` wins, as for any duplicated directive.
        assert!(!blocked("webrtc 'allow'; webrtc 'block'"));
        assert!(blocked("webrtc 'block'; webrtc 'allow'"));
    }

    #[test]
    fn should_block_rtc_step_2_every_policy_reports_enforced_ones_block() {
        let policy = doc(&[
            ("webrtc 'block'", Disposition::Report),
            ("webrtc 'allow'", Disposition::Enforce),
            ("img-src 'none'; webrtc 'block'", Disposition::Enforce),
        ]);
        let verdict = policy.check_webrtc();
        assert!(verdict.is_blocked());
        let seen: Vec<_> = verdict
            .violations()
            .iter()
            .map(|v| (v.policy_index(), v.disposition(), v.directive().as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (0, Disposition::Report, "webrtc"),
                (2, Disposition::Enforce, "webrtc")
            ]
        );
        assert!(verdict
            .violations()
            .iter()
            .all(|v| v.resource() == Resource::None && v.sample().is_empty()));
        // Report-only alone never blocks.
        let report_only = doc(&[("webrtc 'block'", Disposition::Report)]).check_webrtc();
        assert!(report_only.is_allowed());
        assert_eq!(report_only.violations().len(), 1);
    }

    #[test]
    fn a_meta_policy_can_block_webrtc() {
        // `<meta>` ignores only report-uri, frame-ancestors and sandbox.
        let url = Url::parse("https://app.test/").unwrap();
        let list = PolicyList::parse("webrtc 'block'", Disposition::Enforce, PolicySource::Meta);
        assert!(DocumentPolicy::new(&url, list).check_webrtc().is_blocked());
    }

    #[test]
    fn a_cut_list_fails_closed() {
        // Over the byte limit the fail-closed policy adds `webrtc 'block'`.
        let text = format!(
            "webrtc 'allow'; img-src {}",
            "a.test ".repeat(crate::limits::MAX_LIST_BYTES / 7 + 1)
        );
        assert!(blocked(&text));
    }
}
