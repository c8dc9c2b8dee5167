//! The quoted vocabularies of source expressions (CSP3 §2.3.1): keyword-sources, and the hash
//! algorithms of hash-sources and SRI metadata.

use bitflags::bitflags;

use crate::names::vocabulary::name_enum;

bitflags! {
    /// The `keyword-source`s of a source list (CSP3 §2.3.1), as a set.
    ///
    /// `'none'` is not here: it is not a keyword-source but a whole-list form, see
    /// [`SourceExpression::None`].
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::Keywords;
    ///
    /// assert_eq!(Keywords::from_token("'SELF'"), Some(Keywords::SELF));
    /// assert_eq!(Keywords::SELF.token(), Some("'self'"));
    /// assert_eq!(Keywords::from_token("self"), None);
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Keywords: u16 {
        /// `'self'`.
        const SELF = 1 << 0;
        /// `'unsafe-inline'`.
        const UNSAFE_INLINE = 1 << 1;
        /// `'unsafe-eval'`.
        const UNSAFE_EVAL = 1 << 2;
        /// `'strict-dynamic'`.
        const STRICT_DYNAMIC = 1 << 3;
        /// `'unsafe-hashes'`.
        const UNSAFE_HASHES = 1 << 4;
        /// `'report-sample'`.
        const REPORT_SAMPLE = 1 << 5;
        /// `'unsafe-allow-redirects'` (in the grammar, without semantics since `navigate-to`
        /// was removed).
        const UNSAFE_ALLOW_REDIRECTS = 1 << 6;
        /// `'wasm-unsafe-eval'`.
        const WASM_UNSAFE_EVAL = 1 << 7;
        /// `'trusted-types-eval'`.
        const TRUSTED_TYPES_EVAL = 1 << 8;
        /// `'report-sha256'`.
        const REPORT_SHA256 = 1 << 9;
        /// `'report-sha384'`.
        const REPORT_SHA384 = 1 << 10;
        /// `'report-sha512'`.
        const REPORT_SHA512 = 1 << 11;
        /// `'unsafe-webtransport-hashes'`.
        const UNSAFE_WEBTRANSPORT_HASHES = 1 << 12;
    }
}

/// The keyword table: every keyword-source's token, and its bit.
pub(crate) const KEYWORD_TOKENS: &[(&str, Keywords)] = &[
    ("'self'", Keywords::SELF),
    ("'unsafe-inline'", Keywords::UNSAFE_INLINE),
    ("'unsafe-eval'", Keywords::UNSAFE_EVAL),
    ("'strict-dynamic'", Keywords::STRICT_DYNAMIC),
    ("'unsafe-hashes'", Keywords::UNSAFE_HASHES),
    ("'report-sample'", Keywords::REPORT_SAMPLE),
    ("'unsafe-allow-redirects'", Keywords::UNSAFE_ALLOW_REDIRECTS),
    ("'wasm-unsafe-eval'", Keywords::WASM_UNSAFE_EVAL),
    ("'trusted-types-eval'", Keywords::TRUSTED_TYPES_EVAL),
    ("'report-sha256'", Keywords::REPORT_SHA256),
    ("'report-sha384'", Keywords::REPORT_SHA384),
    ("'report-sha512'", Keywords::REPORT_SHA512),
    (
        "'unsafe-webtransport-hashes'",
        Keywords::UNSAFE_WEBTRANSPORT_HASHES,
    ),
];

impl Keywords {
    /// The keyword a token spells (ASCII case-insensitive, quotes included).
    pub fn from_token(token: &str) -> Option<Keywords> {
        KEYWORD_TOKENS
            .iter()
            .find(|(t, _)| t.len() == token.len() && t.eq_ignore_ascii_case(token))
            .map(|&(_, k)| k)
    }

    /// The canonical token of a single keyword (`None` for a set of several or none).
    pub fn token(self) -> Option<&'static str> {
        KEYWORD_TOKENS
            .iter()
            .find(|&&(_, k)| k == self)
            .map(|&(t, _)| t)
    }
}

name_enum! {
    /// A hash algorithm of a `hash-source` (and of SRI metadata).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::HashAlgorithm;
    ///
    /// assert_eq!(HashAlgorithm::from_name("SHA384"), Some(HashAlgorithm::Sha384));
    /// assert_eq!(HashAlgorithm::Sha384.as_str(), "sha384");
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum HashAlgorithm, "hash algorithm", "The lower-case name." {
        /// SHA-256.
        Sha256 => "sha256",
        /// SHA-384.
        Sha384 => "sha384",
        /// SHA-512.
        Sha512 => "sha512",
    }
}

impl HashAlgorithm {
    /// Parses `sha256`, `sha384` or `sha512`, ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL
            .iter()
            .copied()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }
}
