//! The `sandbox` directive (CSP3 §6.3.2): HTML's sandboxing flag set, the CSP-derived
//! sandboxing flags of a document, and the worker initialization check.

use bitflags::bitflags;

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::Verdict;
use crate::names::directive::DirectiveKind;
use crate::names::disposition::{Disposition, PolicySource};
use crate::policy::{DirectiveRef, Policy};

bitflags! {
    /// An HTML sandboxing flag set
    /// (<https://html.spec.whatwg.org/multipage/browsers.html#sandboxing-flag-set>).
    ///
    /// A set bit *restricts* the document; [`SandboxFlags::parse`] clears the bits that the
    /// `allow-*` tokens relax. It has every flag of HTML's set and of Servo's
    /// `SandboxingFlagSet` (plugins and storage area URLs included).
    ///
    /// With the `serde` feature it serializes as the list of its flags' names, HTML's names
    /// without "sandboxed" and "(browsing context) flag": `navigation`, `auxiliary-navigation`,
    /// `top-level-navigation-without-user-activation`,
    /// `top-level-navigation-with-user-activation`, `plugins`, `origin`, `forms`,
    /// `pointer-lock`, `scripts`, `automatic-features`, `storage-area-urls`,
    /// `document-domain`, `propagates-to-auxiliary-browsing-contexts`, `modals`,
    /// `orientation-lock`, `presentation`, `downloads`, `custom-protocols-navigation`,
    /// `storage-access-by-user-activation`.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::SandboxFlags;
    ///
    /// let flags = SandboxFlags::parse("allow-scripts ALLOW-FORMS allow-unknown");
    /// assert!(!flags.contains(SandboxFlags::SCRIPTS));
    /// assert!(!flags.contains(SandboxFlags::FORMS));
    /// assert!(flags.contains(SandboxFlags::ORIGIN));
    /// assert!(flags.contains(SandboxFlags::NAVIGATION));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct SandboxFlags: u32 {
        /// The sandboxed navigation browsing context flag (always set).
        const NAVIGATION = 1 << 0;
        /// The sandboxed auxiliary navigation browsing context flag (`allow-popups`).
        const AUXILIARY_NAVIGATION = 1 << 1;
        /// The sandboxed top-level navigation without user activation browsing context flag
        /// (`allow-top-navigation`).
        const TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION = 1 << 2;
        /// The sandboxed top-level navigation with user activation browsing context flag
        /// (`allow-top-navigation` or `allow-top-navigation-by-user-activation`).
        const TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION = 1 << 3;
        /// The sandboxed origin browsing context flag (`allow-same-origin`): an opaque origin.
        const ORIGIN = 1 << 4;
        /// The sandboxed forms browsing context flag (`allow-forms`).
        const FORMS = 1 << 5;
        /// The sandboxed pointer lock browsing context flag (`allow-pointer-lock`).
        const POINTER_LOCK = 1 << 6;
        /// The sandboxed scripts browsing context flag (`allow-scripts`).
        const SCRIPTS = 1 << 7;
        /// The sandboxed automatic features browsing context flag (`allow-scripts`).
        const AUTOMATIC_FEATURES = 1 << 8;
        /// The sandboxed `document.domain` browsing context flag (always set).
        const DOCUMENT_DOMAIN = 1 << 9;
        /// The sandbox propagates to auxiliary browsing contexts flag
        /// (`allow-popups-to-escape-sandbox`).
        const PROPAGATES_TO_AUXILIARY_BROWSING_CONTEXTS = 1 << 10;
        /// The sandboxed modals flag (`allow-modals`).
        const MODALS = 1 << 11;
        /// The sandboxed orientation lock browsing context flag (`allow-orientation-lock`).
        const ORIENTATION_LOCK = 1 << 12;
        /// The sandboxed presentation browsing context flag (`allow-presentation`).
        const PRESENTATION = 1 << 13;
        /// The sandboxed downloads browsing context flag (`allow-downloads`).
        const DOWNLOADS = 1 << 14;
        /// The sandboxed custom protocols navigation browsing context flag
        /// (`allow-top-navigation-to-custom-protocols`, `allow-popups` or
        /// `allow-top-navigation`).
        const CUSTOM_PROTOCOLS_NAVIGATION = 1 << 15;
        /// The sandboxed storage access by user activation flag
        /// (`allow-storage-access-by-user-activation`).
        const STORAGE_ACCESS_BY_USER_ACTIVATION = 1 << 16;
        /// The sandboxed plugins browsing context flag (always set; Servo's
        /// `SandboxingFlagSet` and earlier HTML have it).
        const PLUGINS = 1 << 17;
        /// The sandboxed storage area URLs flag (always set).
        const STORAGE_AREA_URLS = 1 << 18;
    }
}

/// Each flag's serialized name: HTML's name without "sandboxed " and "browsing context
/// flag" / "flag", spaces as dashes.
#[cfg_attr(not(feature = "serde"), allow(dead_code))]
pub(crate) const FLAG_NAMES: &[(SandboxFlags, &str)] = &[
    (SandboxFlags::NAVIGATION, "navigation"),
    (SandboxFlags::AUXILIARY_NAVIGATION, "auxiliary-navigation"),
    (
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION,
        "top-level-navigation-without-user-activation",
    ),
    (
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION,
        "top-level-navigation-with-user-activation",
    ),
    (SandboxFlags::PLUGINS, "plugins"),
    (SandboxFlags::ORIGIN, "origin"),
    (SandboxFlags::FORMS, "forms"),
    (SandboxFlags::POINTER_LOCK, "pointer-lock"),
    (SandboxFlags::SCRIPTS, "scripts"),
    (SandboxFlags::AUTOMATIC_FEATURES, "automatic-features"),
    (SandboxFlags::STORAGE_AREA_URLS, "storage-area-urls"),
    (SandboxFlags::DOCUMENT_DOMAIN, "document-domain"),
    (
        SandboxFlags::PROPAGATES_TO_AUXILIARY_BROWSING_CONTEXTS,
        "propagates-to-auxiliary-browsing-contexts",
    ),
    (SandboxFlags::MODALS, "modals"),
    (SandboxFlags::ORIENTATION_LOCK, "orientation-lock"),
    (SandboxFlags::PRESENTATION, "presentation"),
    (SandboxFlags::DOWNLOADS, "downloads"),
    (
        SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION,
        "custom-protocols-navigation",
    ),
    (
        SandboxFlags::STORAGE_ACCESS_BY_USER_ACTIVATION,
        "storage-access-by-user-activation",
    ),
];

/// <https://html.spec.whatwg.org/multipage/browsers.html#parse-a-sandboxing-directive>: the
/// sandboxing flag set of an iframe `sandbox` attribute or a CSP `sandbox` directive value
/// (the same as [`SandboxFlags::parse`]).
///
/// # Example
///
/// ```
/// use cspgate::{parse_a_sandboxing_directive, SandboxFlags};
///
/// let flags = parse_a_sandboxing_directive("allow-scripts allow-same-origin");
/// assert!(!flags.contains(SandboxFlags::SCRIPTS));
/// assert!(flags.contains(SandboxFlags::PLUGINS));
/// ```
pub fn parse_a_sandboxing_directive(input: &str) -> SandboxFlags {
    SandboxFlags::parse(input)
}

/// The `allow-*` tokens HTML defines, with the flags each one keeps out of the set.
const TOKENS: &[(&str, SandboxFlags)] = &[
    ("allow-downloads", SandboxFlags::DOWNLOADS),
    ("allow-forms", SandboxFlags::FORMS),
    ("allow-modals", SandboxFlags::MODALS),
    ("allow-orientation-lock", SandboxFlags::ORIENTATION_LOCK),
    ("allow-pointer-lock", SandboxFlags::POINTER_LOCK),
    (
        "allow-popups",
        SandboxFlags::AUXILIARY_NAVIGATION.union(SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION),
    ),
    (
        "allow-popups-to-escape-sandbox",
        SandboxFlags::PROPAGATES_TO_AUXILIARY_BROWSING_CONTEXTS,
    ),
    ("allow-presentation", SandboxFlags::PRESENTATION),
    ("allow-same-origin", SandboxFlags::ORIGIN),
    (
        "allow-scripts",
        SandboxFlags::SCRIPTS.union(SandboxFlags::AUTOMATIC_FEATURES),
    ),
    (
        "allow-top-navigation",
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION
            .union(SandboxFlags::TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION)
            .union(SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION),
    ),
    (
        "allow-top-navigation-by-user-activation",
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION,
    ),
    (
        "allow-top-navigation-to-custom-protocols",
        SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION,
    ),
    (
        "allow-storage-access-by-user-activation",
        SandboxFlags::STORAGE_ACCESS_BY_USER_ACTIVATION,
    ),
];

impl SandboxFlags {
    /// <https://html.spec.whatwg.org/multipage/browsers.html#parse-a-sandboxing-directive>:
    /// every flag, minus those the `allow-*` tokens of `value` relax. Tokens are split on
    /// ASCII whitespace and compared ASCII case-insensitively; unknown tokens are ignored.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::SandboxFlags;
    ///
    /// assert_eq!(SandboxFlags::parse(""), SandboxFlags::all());
    /// let popups = SandboxFlags::parse("allow-popups");
    /// assert!(!popups.contains(SandboxFlags::AUXILIARY_NAVIGATION));
    /// assert!(!popups.contains(SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION));
    /// ```
    pub fn parse(value: &str) -> SandboxFlags {
        // Step 1: split on ASCII whitespace.
        SandboxFlags::from_tokens(crate::names::ascii::split_ws(value))
    }

    /// Steps 2-3 of "parse a sandboxing directive", for input already split on ASCII
    /// whitespace: start from every flag and keep out what each allow-* keyword relaxes (the
    /// flags no token relaxes: navigation, plugins, storage area URLs and document.domain).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::SandboxFlags;
    ///
    /// let tokens = vec![String::from("allow-forms")];
    /// assert_eq!(SandboxFlags::from_tokens(&tokens), SandboxFlags::parse("allow-forms"));
    /// ```
    pub fn from_tokens<I, S>(tokens: I) -> SandboxFlags
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut flags = SandboxFlags::all();
        for token in tokens {
            let token = token.as_ref();
            if let Some((_, relaxed)) = TOKENS
                .iter()
                .find(|(name, _)| name.len() == token.len() && name.eq_ignore_ascii_case(token))
            {
                flags.remove(*relaxed);
            }
        }
        flags
    }
}

/// The value of an enforced, header-delivered policy's `sandbox` directive, if it has one
/// that applies (CSP3 §6.3.2: ignored in report-only policies and in `<meta>`).
fn applicable_sandbox(policy: &Policy) -> Option<DirectiveRef<'_>> {
    if policy.disposition() != Disposition::Enforce || policy.source() == PolicySource::Meta {
        return None;
    }
    policy.directive(DirectiveKind::Sandbox)
}

impl DocumentPolicy {
    /// HTML's "CSP-derived sandboxing flags" of the CSP list
    /// (<https://html.spec.whatwg.org/multipage/browsers.html#csp-derived-sandboxing-flags>):
    /// the flags of the **last** enforced policy with a `sandbox` directive (CSP3 §6.3.2
    /// ignores `sandbox` in report-only and `<meta>` policies), or the empty set. The
    /// engine unions them with the navigable's own sandboxing flags when it creates the
    /// document, before it determines the document's origin.
    ///
    /// Which policy wins when several carry `sandbox`: the last one, and only it. CSP3
    /// §6.3.2 hands documents to this HTML algorithm, which collects the `sandbox` directive
    /// of every enforced policy in list order (step 2) and parses only the last one (steps
    /// 4-5); earlier directives do not add flags. (Workers are different: §6.3.2's
    /// initialization checks every enforced policy; see
    /// [`should_block_worker`](DocumentPolicy::should_block_worker).)
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource, SandboxFlags};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let mut list = PolicyList::parse("sandbox allow-scripts", Disposition::Enforce, PolicySource::Header);
    /// list.push_header("sandbox", Disposition::Report);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let flags = policy.sandbox_flags();
    /// assert!(flags.contains(SandboxFlags::ORIGIN));
    /// assert!(!flags.contains(SandboxFlags::SCRIPTS));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sandbox_flags(&self) -> SandboxFlags {
        self.policies()
            .iter()
            .rev()
            .find_map(applicable_sandbox)
            .map_or(SandboxFlags::empty(), |d| {
                SandboxFlags::from_tokens(d.tokens())
            })
    }

    /// <https://w3c.github.io/webappsec-csp/#run-global-object-csp-initialization> with the
    /// `sandbox` directive's initialization (§6.3.2): is a worker with this CSP list blocked
    /// from running? It is when an enforced policy's `sandbox` directive leaves the
    /// sandboxed scripts or sandboxed origin flag set (that is, lacks `allow-scripts` or
    /// `allow-same-origin`). The verdict has no violations: `sandbox` has no reporting
    /// requirements.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let worker = Url::parse("https://app.test/worker.js")?;
    /// let strict = PolicyList::parse("sandbox allow-scripts", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&worker, strict).should_block_worker().is_blocked());
    /// let relaxed = PolicyList::parse("sandbox allow-scripts allow-same-origin", Disposition::Enforce, PolicySource::Header);
    /// assert!(DocumentPolicy::new(&worker, relaxed).should_block_worker().is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn should_block_worker(&self) -> Verdict<'static> {
        // Step 2 of #run-global-object-csp-initialization: every policy's initialization.
        let blocked = self.policies().iter().any(|policy| {
            // §6.3.2 step 1: only enforced policies (the context is a WorkerGlobalScope).
            let Some(directive) = applicable_sandbox(policy) else {
                return false;
            };
            // Steps 2-3.
            let flags = SandboxFlags::from_tokens(directive.tokens());
            // Step 4.
            flags.intersects(SandboxFlags::SCRIPTS | SandboxFlags::ORIGIN)
        });
        Verdict::blocked_without_violations(blocked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PolicyList;
    use url::Url;

    #[test]
    fn parse_a_sandboxing_directive_each_token_relaxes_its_flags() {
        assert_eq!(SandboxFlags::parse(" \t"), SandboxFlags::all());
        for (token, relaxed) in TOKENS {
            let flags = SandboxFlags::parse(token);
            assert_eq!(flags, SandboxFlags::all() - *relaxed, "{token}");
            assert_eq!(SandboxFlags::parse(&token.to_uppercase()), flags);
        }
        // The two flags no token relaxes.
        let everything: Vec<_> = TOKENS.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            SandboxFlags::parse(&everything.join(" ")),
            SandboxFlags::NAVIGATION
                | SandboxFlags::DOCUMENT_DOMAIN
                | SandboxFlags::PLUGINS
                | SandboxFlags::STORAGE_AREA_URLS
        );
        // Unknown tokens and near misses are ignored.
        assert_eq!(
            SandboxFlags::parse("allow-script allow-scripts-x allow-plugins"),
            SandboxFlags::all()
        );
        // Custom-protocol navigations: relaxed by any of three tokens.
        for t in [
            "allow-top-navigation-to-custom-protocols",
            "allow-popups",
            "allow-top-navigation",
        ] {
            assert!(!SandboxFlags::parse(t).contains(SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION));
        }
        assert!(
            SandboxFlags::parse("allow-top-navigation-by-user-activation")
                .contains(SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION)
        );
    }

    fn doc(policies: &[(&str, Disposition, PolicySource)]) -> DocumentPolicy {
        let mut list = PolicyList::new();
        for (t, d, s) in policies {
            list.append(PolicyList::parse(t, *d, *s));
        }
        DocumentPolicy::new(&Url::parse("https://app.test/").unwrap(), list)
    }

    #[test]
    fn csp_derived_sandboxing_flags_last_enforced_sandbox_wins() {
        use Disposition::{Enforce, Report};
        use PolicySource::{Header, Meta};
        assert_eq!(
            doc(&[("img-src *", Enforce, Header)]).sandbox_flags(),
            SandboxFlags::empty()
        );
        let p = doc(&[
            ("sandbox", Enforce, Header),
            ("sandbox allow-scripts", Enforce, Header),
            ("sandbox allow-forms", Report, Header),
            ("sandbox allow-modals", Enforce, Meta),
        ]);
        assert_eq!(p.sandbox_flags(), SandboxFlags::parse("allow-scripts"));
        assert_eq!(
            doc(&[("sandbox", Report, Header)]).sandbox_flags(),
            SandboxFlags::empty()
        );
    }

    #[test]
    fn sandbox_init_step_4_worker_blocked_without_scripts_or_same_origin() {
        use Disposition::{Enforce, Report};
        use PolicySource::Header;
        assert!(doc(&[("sandbox", Enforce, Header)])
            .should_block_worker()
            .is_blocked());
        assert!(doc(&[("sandbox allow-same-origin", Enforce, Header)])
            .should_block_worker()
            .is_blocked());
        assert!(
            !doc(&[("sandbox allow-same-origin allow-scripts", Enforce, Header)])
                .should_block_worker()
                .is_blocked()
        );
        // Step 1: report-only policies do nothing.
        assert!(!doc(&[("sandbox", Report, Header)])
            .should_block_worker()
            .is_blocked());
        // Any enforced policy blocks, not only the last.
        assert!(doc(&[
            ("sandbox", Enforce, Header),
            ("sandbox allow-same-origin allow-scripts", Enforce, Header)
        ])
        .should_block_worker()
        .is_blocked());
        assert!(!doc(&[("script-src 'none'", Enforce, Header)])
            .should_block_worker()
            .is_blocked());
    }
}
