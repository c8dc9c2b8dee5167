//! HTML's sandboxing flag set, and "parse a sandboxing directive"
//! (<https://html.spec.whatwg.org/multipage/browsers.html#parse-a-sandboxing-directive>).
//!
//! The flags keep the names and bit values of `content-security-policy` 0.9, the
//! misspelled `SANBOXED_CUSTOM_PROTOCOLS_...` included: they are part of its API.

use bitflags::bitflags;
use cspgate::SandboxFlags;
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

bitflags! {
    /// An HTML sandboxing flag set: a set bit restricts the document.
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::sandboxing_directive::{parse_a_sandboxing_directive, SandboxingFlagSet};
    ///
    /// let flags = parse_a_sandboxing_directive(&["allow-scripts".to_owned()]);
    /// assert!(!flags.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
    /// assert!(flags.contains(SandboxingFlagSet::SANDBOXED_ORIGIN_BROWSING_CONTEXT_FLAG));
    /// assert_eq!(SandboxingFlagSet::default(), SandboxingFlagSet::empty());
    /// ```
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
    pub struct SandboxingFlagSet: u32 {
        /// The sandboxed navigation browsing context flag (always set).
        const SANDBOXED_NAVIGATION_BROWSING_CONTEXT_FLAG = 0x00000001;
        /// The sandboxed auxiliary navigation browsing context flag (`allow-popups`).
        const SANDBOXED_AUXILIARY_NAVIGATION_BROWSING_CONTEXT_FLAG = 0x00000002;
        /// The sandboxed top-level navigation without user activation browsing context flag
        /// (`allow-top-navigation`).
        const SANDBOXED_TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION_BROWSING_CONTEXT_FLAG
            = 0x00000004;
        /// The sandboxed top-level navigation with user activation browsing context flag
        /// (`allow-top-navigation`, `allow-top-navigation-by-user-activation`).
        const SANDBOXED_TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION_BROWSING_CONTEXT_FLAG
            = 0x00000008;
        /// The sandboxed plugins browsing context flag (no keyword relaxes it).
        const SANDBOXED_PLUGINS_BROWSING_CONTEXT_FLAG = 0x00000010;
        /// The sandboxed origin browsing context flag (`allow-same-origin`).
        const SANDBOXED_ORIGIN_BROWSING_CONTEXT_FLAG = 0x00000020;
        /// The sandboxed forms browsing context flag (`allow-forms`).
        const SANDBOXED_FORMS_BROWSING_CONTEXT_FLAG = 0x00000040;
        /// The sandboxed pointer lock browsing context flag (`allow-pointer-lock`).
        const SANDBOXED_POINTER_LOCK_BROWSING_CONTEXT_FLAG = 0x00000080;
        /// The sandboxed scripts browsing context flag (`allow-scripts`).
        const SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG = 0x00000100;
        /// The sandboxed automatic features browsing context flag (`allow-scripts`).
        const SANDBOXED_AUTOMATIC_FEATURES_BROWSING_CONTEXT_FLAG = 0x00000200;
        /// The sandboxed storage area URLs flag (no keyword relaxes it).
        const SANDBOXED_STORAGE_AREA_URLS_FLAG = 0x00000400;
        /// The sandboxed `document.domain` browsing context flag (always set).
        const SANDBOXED_DOCUMENT_DOMAIN_BROWSING_CONTEXT_FLAG = 0x00000800;
        /// The sandbox propagates to auxiliary browsing contexts flag
        /// (`allow-popups-to-escape-sandbox`).
        const SANDBOX_PROPOGATES_TO_AUXILIARY_BROWSING_CONTEXTS_FLAG = 0x00001000;
        /// The sandboxed modals flag (`allow-modals`).
        const SANDBOXED_MODALS_FLAG = 0x00002000;
        /// The sandboxed orientation lock browsing context flag (`allow-orientation-lock`).
        const SANDBOXED_ORIENTATION_LOCK_BROWSING_CONTEXT_FLAG = 0x00004000;
        /// The sandboxed presentation browsing context flag (`allow-presentation`).
        const SANDBOXED_PRESENTATION_BROWSING_CONTEXT_FLAG = 0x00008000;
        /// The sandboxed downloads browsing context flag (`allow-downloads`).
        const SANDBOXED_DOWNLOADS_BROWSING_CONTEXT_FLAG = 0x0010000;
        /// The sandboxed custom protocols navigation browsing context flag
        /// (`allow-top-navigation-to-custom-protocols`, `allow-popups`,
        /// `allow-top-navigation`).
        const SANBOXED_CUSTOM_PROTOCOLS_NAVIGATION_BROWSING_CONTEXT_FLAG = 0x0020000;
    }
}

/// Each cspgate flag and the flag of this set that carries the same HTML flag. cspgate's
/// [`SandboxFlags::STORAGE_ACCESS_BY_USER_ACTIVATION`] has no counterpart: 0.9's set does not
/// carry it.
const FROM_CSPGATE: &[(SandboxFlags, SandboxingFlagSet)] = &[
    (
        SandboxFlags::NAVIGATION,
        SandboxingFlagSet::SANDBOXED_NAVIGATION_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::AUXILIARY_NAVIGATION,
        SandboxingFlagSet::SANDBOXED_AUXILIARY_NAVIGATION_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION,
        SandboxingFlagSet::SANDBOXED_TOP_LEVEL_NAVIGATION_WITHOUT_USER_ACTIVATION_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION,
        SandboxingFlagSet::SANDBOXED_TOP_LEVEL_NAVIGATION_WITH_USER_ACTIVATION_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::ORIGIN,
        SandboxingFlagSet::SANDBOXED_ORIGIN_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::FORMS,
        SandboxingFlagSet::SANDBOXED_FORMS_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::POINTER_LOCK,
        SandboxingFlagSet::SANDBOXED_POINTER_LOCK_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::SCRIPTS,
        SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::AUTOMATIC_FEATURES,
        SandboxingFlagSet::SANDBOXED_AUTOMATIC_FEATURES_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::DOCUMENT_DOMAIN,
        SandboxingFlagSet::SANDBOXED_DOCUMENT_DOMAIN_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::PROPAGATES_TO_AUXILIARY_BROWSING_CONTEXTS,
        SandboxingFlagSet::SANDBOX_PROPOGATES_TO_AUXILIARY_BROWSING_CONTEXTS_FLAG,
    ),
    (SandboxFlags::MODALS, SandboxingFlagSet::SANDBOXED_MODALS_FLAG),
    (
        SandboxFlags::PLUGINS,
        SandboxingFlagSet::SANDBOXED_PLUGINS_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::STORAGE_AREA_URLS,
        SandboxingFlagSet::SANDBOXED_STORAGE_AREA_URLS_FLAG,
    ),
    (
        SandboxFlags::ORIENTATION_LOCK,
        SandboxingFlagSet::SANDBOXED_ORIENTATION_LOCK_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::PRESENTATION,
        SandboxingFlagSet::SANDBOXED_PRESENTATION_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::DOWNLOADS,
        SandboxingFlagSet::SANDBOXED_DOWNLOADS_BROWSING_CONTEXT_FLAG,
    ),
    (
        SandboxFlags::CUSTOM_PROTOCOLS_NAVIGATION,
        SandboxingFlagSet::SANBOXED_CUSTOM_PROTOCOLS_NAVIGATION_BROWSING_CONTEXT_FLAG,
    ),
];

/// This set's view of a cspgate flag set.
pub(crate) fn from_cspgate(flags: SandboxFlags) -> SandboxingFlagSet {
    FROM_CSPGATE
        .iter()
        .filter(|(theirs, _)| flags.contains(*theirs))
        .fold(SandboxingFlagSet::empty(), |acc, (_, ours)| acc | *ours)
}

/// <https://html.spec.whatwg.org/multipage/browsers.html#parse-a-sandboxing-directive>,
/// given the tokens of step 1 (the input already split on ASCII whitespace): every flag,
/// minus those the `allow-*` keywords among `tokens` relax. Keywords compare ASCII
/// case-insensitively; unknown tokens are ignored.
///
/// # Example
///
/// ```
/// use content_security_policy::sandboxing_directive::{parse_a_sandboxing_directive, SandboxingFlagSet};
///
/// assert_eq!(parse_a_sandboxing_directive(&[]), SandboxingFlagSet::all());
/// let popups = parse_a_sandboxing_directive(&["allow-popups".to_owned()]);
/// assert_eq!(
///     popups,
///     SandboxingFlagSet::all()
///         - SandboxingFlagSet::SANDBOXED_AUXILIARY_NAVIGATION_BROWSING_CONTEXT_FLAG
///         - SandboxingFlagSet::SANBOXED_CUSTOM_PROTOCOLS_NAVIGATION_BROWSING_CONTEXT_FLAG
/// );
/// ```
pub fn parse_a_sandboxing_directive(tokens: &[String]) -> SandboxingFlagSet {
    // Steps 2-3, by cspgate (a token holding ASCII whitespace, which step 1 cannot produce,
    // names no keyword and relaxes nothing).
    from_cspgate(SandboxFlags::from_tokens(tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_of_this_set_has_one_cspgate_flag() {
        let ours = FROM_CSPGATE
            .iter()
            .fold(SandboxingFlagSet::empty(), |acc, (_, f)| acc | *f);
        assert_eq!(ours, SandboxingFlagSet::all());
        assert_eq!(FROM_CSPGATE.len(), SandboxingFlagSet::all().iter().count());
        for (theirs, ours) in FROM_CSPGATE {
            assert_eq!(theirs.bits().count_ones(), 1);
            assert_eq!(from_cspgate(*theirs), *ours);
        }
        assert_eq!(from_cspgate(SandboxFlags::all()), SandboxingFlagSet::all());
        assert_eq!(
            from_cspgate(SandboxFlags::STORAGE_ACCESS_BY_USER_ACTIVATION),
            SandboxingFlagSet::empty()
        );
    }

    #[test]
    fn no_keyword_relaxes_plugins_or_storage_area_urls() {
        let every_keyword: Vec<String> = [
            "allow-downloads",
            "allow-forms",
            "allow-modals",
            "allow-orientation-lock",
            "allow-pointer-lock",
            "allow-popups",
            "allow-popups-to-escape-sandbox",
            "allow-presentation",
            "allow-same-origin",
            "allow-scripts",
            "allow-top-navigation",
            "allow-top-navigation-by-user-activation",
            "allow-top-navigation-to-custom-protocols",
            "allow-storage-access-by-user-activation",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            parse_a_sandboxing_directive(&every_keyword),
            SandboxingFlagSet::SANDBOXED_NAVIGATION_BROWSING_CONTEXT_FLAG
                | SandboxingFlagSet::SANDBOXED_PLUGINS_BROWSING_CONTEXT_FLAG
                | SandboxingFlagSet::SANDBOXED_STORAGE_AREA_URLS_FLAG
                | SandboxingFlagSet::SANDBOXED_DOCUMENT_DOMAIN_BROWSING_CONTEXT_FLAG
        );
        // A token holding whitespace is no keyword.
        let spaced = parse_a_sandboxing_directive(&["allow-scripts ".to_owned()]);
        assert_eq!(spaced, SandboxingFlagSet::all());
    }
}
