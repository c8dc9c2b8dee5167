//! Directive names: one table generates the closed vocabulary of CSP3 directives.
//!
//! <https://w3c.github.io/webappsec-csp/#csp-directives>

use core::fmt;

/// What family a directive belongs to, as CSP3 §6 groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DirectiveGroup {
    /// Fetch directives (§6.1) and `worker-src` (§6.2.2): their value is a source list that
    /// governs requests.
    Fetch,
    /// Document directives (§6.3): `base-uri`, `sandbox`.
    Document,
    /// Navigation directives (§6.4): `form-action`, `frame-ancestors`.
    Navigation,
    /// Reporting directives (§6.5): `report-uri`, `report-to`.
    Reporting,
    /// Directives defined elsewhere (`upgrade-insecure-requests`, Trusted Types, `webrtc`, ...).
    Other,
}

/// What a directive's value is, per the directive table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirectiveValue {
    /// A source list whose every kind of source has an effect.
    SourceList,
    /// A source list that only matches URLs: keywords other than `'self'`, nonces and hashes
    /// are inert.
    UrlSourceList,
    /// Anything else (tokens, flags, names, or nothing).
    Other,
}

macro_rules! directives {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, $group:ident, $value:ident; )*) => {
        /// A directive name that CSP3 (or a specification it names) defines.
        ///
        /// Names outside this set are kept by the parser as [`DirectiveName::Unknown`] and
        /// have no effect, as CSP3 §2.2.1 requires.
        ///
        /// # Example
        ///
        /// ```
        /// use cspgate::DirectiveKind;
        ///
        /// assert_eq!(DirectiveKind::from_name("Script-SRC"), Some(DirectiveKind::ScriptSrc));
        /// assert_eq!(DirectiveKind::ScriptSrc.as_str(), "script-src");
        /// assert_eq!(DirectiveKind::from_name("xhr-src"), None);
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum DirectiveKind {
            $( $(#[$doc])* $variant, )*
        }

        impl DirectiveKind {
            /// Every known directive, in table order.
            pub const ALL: &'static [DirectiveKind] = &[ $( DirectiveKind::$variant, )* ];

            /// The directive's name, lower-case, as it appears in a policy.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { $( DirectiveKind::$variant => $name, )* }
            }

            /// The CSP3 family of this directive.
            #[inline]
            pub const fn group(self) -> DirectiveGroup {
                match self { $( DirectiveKind::$variant => DirectiveGroup::$group, )* }
            }

            /// What the directive's value is.
            #[inline]
            pub(crate) const fn value(self) -> DirectiveValue {
                match self { $( DirectiveKind::$variant => DirectiveValue::$value, )* }
            }

            /// Does this directive's value parse as a source list (`serialized-source-list`)?
            #[inline]
            pub const fn has_source_list(self) -> bool {
                !matches!(self.value(), DirectiveValue::Other)
            }

            /// Is this directive's value a source list that only matches URLs
            /// (`base-uri`, `form-action`, `frame-ancestors`), so that its keywords other
            /// than `'self'`, its nonces and its hashes have no effect?
            ///
            /// ```
            /// use cspgate::DirectiveKind;
            ///
            /// assert!(DirectiveKind::FormAction.source_list_matches_urls_only());
            /// assert!(!DirectiveKind::ScriptSrc.source_list_matches_urls_only());
            /// ```
            #[inline]
            pub const fn source_list_matches_urls_only(self) -> bool {
                matches!(self.value(), DirectiveValue::UrlSourceList)
            }

            /// Looks a directive name up, ASCII case-insensitively.
            pub fn from_name(name: &str) -> Option<DirectiveKind> {
                // The table is small; a length pre-check keeps this to one or two compares.
                let b = name.as_bytes();
                $(
                    if b.len() == $name.len() && b.eq_ignore_ascii_case($name.as_bytes()) {
                        return Some(DirectiveKind::$variant);
                    }
                )*
                None
            }
        }
    };
}

directives! {
    /// `child-src` (§6.1.1): frames and workers, behind `frame-src` and `worker-src`.
    ChildSrc => "child-src", Fetch, SourceList;
    /// `connect-src` (§6.1.2): fetch(), XHR, WebSocket, EventSource, beacons, `<a ping>`.
    ConnectSrc => "connect-src", Fetch, SourceList;
    /// `default-src` (§6.1.3): the fallback of every other fetch directive.
    DefaultSrc => "default-src", Fetch, SourceList;
    /// `font-src` (§6.1.4).
    FontSrc => "font-src", Fetch, SourceList;
    /// `frame-src` (§6.1.5): nested browsing contexts.
    FrameSrc => "frame-src", Fetch, SourceList;
    /// `img-src` (§6.1.6).
    ImgSrc => "img-src", Fetch, SourceList;
    /// `manifest-src` (§6.1.7).
    ManifestSrc => "manifest-src", Fetch, SourceList;
    /// `media-src` (§6.1.8): audio, video, tracks.
    MediaSrc => "media-src", Fetch, SourceList;
    /// `object-src` (§6.1.9): `<object>` and `<embed>`.
    ObjectSrc => "object-src", Fetch, SourceList;
    /// `script-src` (§6.1.10).
    ScriptSrc => "script-src", Fetch, SourceList;
    /// `script-src-elem` (§6.1.11): script requests and `<script>` blocks.
    ScriptSrcElem => "script-src-elem", Fetch, SourceList;
    /// `script-src-attr` (§6.1.12): event handler attributes.
    ScriptSrcAttr => "script-src-attr", Fetch, SourceList;
    /// `style-src` (§6.1.13).
    StyleSrc => "style-src", Fetch, SourceList;
    /// `style-src-elem` (§6.1.14): stylesheet requests and `<style>` blocks.
    StyleSrcElem => "style-src-elem", Fetch, SourceList;
    /// `style-src-attr` (§6.1.15): `style` attributes.
    StyleSrcAttr => "style-src-attr", Fetch, SourceList;
    /// `worker-src` (§6.2.2): dedicated, shared and service workers.
    WorkerSrc => "worker-src", Fetch, SourceList;
    /// `webrtc` (§6.2.1): `'allow'` or `'block'`.
    Webrtc => "webrtc", Other, Other;
    /// `base-uri` (§6.3.1): the document's `<base href>`.
    BaseUri => "base-uri", Document, UrlSourceList;
    /// `sandbox` (§6.3.2): iframe-style sandboxing flags.
    Sandbox => "sandbox", Document, Other;
    /// `form-action` (§6.4.1): form submission targets.
    FormAction => "form-action", Navigation, UrlSourceList;
    /// `frame-ancestors` (§6.4.2): who may embed this document.
    FrameAncestors => "frame-ancestors", Navigation, UrlSourceList;
    /// `report-uri` (§6.5.1, deprecated): legacy report endpoints.
    ReportUri => "report-uri", Reporting, Other;
    /// `report-to` (§6.5.2): a Reporting API endpoint name.
    ReportTo => "report-to", Reporting, Other;
    /// `upgrade-insecure-requests` (Upgrade Insecure Requests §3).
    UpgradeInsecureRequests => "upgrade-insecure-requests", Other, Other;
    /// `block-all-mixed-content` (Mixed Content, obsolete): parsed, has no effect.
    BlockAllMixedContent => "block-all-mixed-content", Other, Other;
    /// `require-trusted-types-for` (Trusted Types).
    RequireTrustedTypesFor => "require-trusted-types-for", Other, Other;
    /// `trusted-types` (Trusted Types).
    TrustedTypes => "trusted-types", Other, Other;
}

/// The number of known directives.
pub(crate) const KNOWN_COUNT: usize = DirectiveKind::ALL.len();

impl DirectiveKind {
    /// Index of this directive in [`DirectiveKind::ALL`].
    #[inline]
    pub(crate) const fn index(self) -> usize {
        // The discriminant of a fieldless enum: its position in the table.
        self as usize
    }
}

impl fmt::Display for DirectiveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Directive names that some browser or an earlier draft once understood and CSP3 no longer
/// defines, with what replaced them. The parser keeps them as unknown (inert) directives; tools
/// use this table to say why.
pub(crate) const LEGACY_DIRECTIVES: &[(&str, &str)] = &[
    ("xhr-src", "Mozilla's pre-standard name; use connect-src"),
    ("allow", "Mozilla's pre-standard name; use default-src"),
    (
        "options",
        "Mozilla's pre-standard syntax; use 'unsafe-inline' / 'unsafe-eval' sources",
    ),
    ("policy-uri", "removed before CSP 1.0"),
    ("frame-options", "never standardised; use frame-ancestors"),
    (
        "prefetch-src",
        "removed from CSP3 in 2023; prefetches are checked against default-src",
    ),
    ("navigate-to", "removed from CSP3 in 2022"),
    ("plugin-types", "removed in 2021; use object-src 'none'"),
    (
        "reflected-xss",
        "removed from CSP2 drafts; browsers ignore it",
    ),
    ("referrer", "removed; use the Referrer-Policy header"),
    (
        "disown-opener",
        "never shipped; use Cross-Origin-Opener-Policy",
    ),
    ("require-sri-for", "never shipped in browsers"),
    ("fenced-frame-src", "Chromium-only; not in CSP3"),
    ("treat-as-public-address", "Chromium-only; not in CSP3"),
];

/// Why a directive name that CSP3 does not define might still appear in a policy.
///
/// # Example
///
/// ```
/// assert!(cspgate::legacy_directive_note("XHR-SRC").unwrap().contains("connect-src"));
/// assert_eq!(cspgate::legacy_directive_note("img-src"), None);
/// ```
pub fn legacy_directive_note(name: &str) -> Option<&'static str> {
    LEGACY_DIRECTIVES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, why)| *why)
}

/// A directive name as the parser stored it: a known directive or any other name.
///
/// # Example
///
/// ```
/// use cspgate::{DirectiveKind, DirectiveName};
///
/// assert_eq!(DirectiveName::parse("IMG-SRC"), DirectiveName::Known(DirectiveKind::ImgSrc));
/// assert_eq!(DirectiveName::parse("X-Custom").as_str(), "x-custom");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DirectiveName {
    /// A directive CSP3 defines.
    Known(DirectiveKind),
    /// Any other name, ASCII-lower-cased. It has no effect on any check.
    Unknown(Box<str>),
}

impl DirectiveName {
    /// Classifies a directive name (ASCII case-insensitive).
    pub fn parse(name: &str) -> DirectiveName {
        match DirectiveKind::from_name(name) {
            Some(k) => DirectiveName::Known(k),
            None => DirectiveName::Unknown(name.to_ascii_lowercase().into_boxed_str()),
        }
    }

    /// The lower-case name.
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            DirectiveName::Known(k) => k.as_str(),
            DirectiveName::Unknown(s) => s,
        }
    }

    /// The known directive, if it is one.
    #[inline]
    pub fn kind(&self) -> Option<DirectiveKind> {
        match self {
            DirectiveName::Known(k) => Some(*k),
            DirectiveName::Unknown(_) => None,
        }
    }
}

impl fmt::Display for DirectiveName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips() {
        for (i, &k) in DirectiveKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
            assert_eq!(DirectiveKind::from_name(k.as_str()), Some(k));
            assert_eq!(
                DirectiveKind::from_name(&k.as_str().to_ascii_uppercase()),
                Some(k)
            );
            assert_eq!(k.as_str(), k.as_str().to_ascii_lowercase());
            assert_eq!(k.to_string(), k.as_str());
        }
        assert_eq!(KNOWN_COUNT, 27);
    }

    #[test]
    fn legacy_directive_note_finds_the_note_case_insensitively() {
        assert_eq!(
            legacy_directive_note("XHR-SRC"),
            Some("Mozilla's pre-standard name; use connect-src")
        );
        for (name, why) in LEGACY_DIRECTIVES {
            assert_eq!(legacy_directive_note(name), Some(*why), "{name}");
            assert!(!why.is_empty(), "{name}");
        }
        assert_eq!(legacy_directive_note("img-src"), None);
        assert_eq!(legacy_directive_note(""), None);
    }

    #[test]
    fn directive_name_displays_its_lower_case_name() {
        assert_eq!(DirectiveName::parse("IMG-SRC").to_string(), "img-src");
        assert_eq!(DirectiveName::parse("X-Custom").to_string(), "x-custom");
    }

    #[test]
    fn legacy_names_are_not_known() {
        for (name, _) in LEGACY_DIRECTIVES {
            assert_eq!(DirectiveKind::from_name(name), None, "{name}");
        }
        assert_eq!(DirectiveKind::from_name("script-src "), None);
        assert_eq!(DirectiveKind::from_name("script"), None);
    }
}
