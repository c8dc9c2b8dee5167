//! URL schemes and CSP3's `scheme-part` matching (§6.7.2.9), precompiled into bit masks.

/// One bit per scheme CSP3 treats specially; every other scheme is compared by name.
pub(crate) mod bit {
    pub(crate) const HTTP: u8 = 1 << 0;
    pub(crate) const HTTPS: u8 = 1 << 1;
    pub(crate) const WS: u8 = 1 << 2;
    pub(crate) const WSS: u8 = 1 << 3;
    pub(crate) const FTP: u8 = 1 << 4;
    pub(crate) const FILE: u8 = 1 << 5;
    /// The schemes a `*` source matches whatever the protected resource's scheme (§6.7.2.8
    /// step 1, and the project decision for ws/wss: see `docs/spec-deviations.md`).
    pub(crate) const STAR: u8 = HTTP | HTTPS | WS | WSS;
}

/// The bit of a lower-case URL scheme, or 0 for a scheme without one.
#[inline]
pub(crate) fn classify(scheme: &str) -> u8 {
    match scheme.as_bytes() {
        b"http" => bit::HTTP,
        b"https" => bit::HTTPS,
        b"ws" => bit::WS,
        b"wss" => bit::WSS,
        b"ftp" => bit::FTP,
        b"file" => bit::FILE,
        _ => 0,
    }
}

/// [`classify`] of the ASCII lower-case of `scheme`, without building it.
#[inline]
pub(crate) fn classify_ignore_case(scheme: &str) -> u8 {
    let b = scheme.as_bytes();
    let is = |name: &[u8]| b.eq_ignore_ascii_case(name);
    match b.len() {
        2 if is(b"ws") => bit::WS,
        3 if is(b"wss") => bit::WSS,
        3 if is(b"ftp") => bit::FTP,
        4 if is(b"http") => bit::HTTP,
        4 if is(b"file") => bit::FILE,
        5 if is(b"https") => bit::HTTPS,
        _ => 0,
    }
}

/// Is this bit a special scheme of the URL standard (whose hosts are domains or IPs, never
/// opaque)?
#[inline]
pub(crate) fn is_special(bit: u8) -> bool {
    bit != 0
}

/// The default port of a scheme's bit (URL standard), if it has one.
#[inline]
pub(crate) fn default_port(bit: u8) -> Option<u16> {
    match bit {
        bit::HTTP | bit::WS => Some(80),
        bit::HTTPS | bit::WSS => Some(443),
        bit::FTP => Some(21),
        _ => None,
    }
}

/// The URL scheme bits that a `scheme-part` whose own bit is `b` matches (0 for a scheme
/// without a bit, which matches only itself, by name).
///
/// <https://w3c.github.io/webappsec-csp/#match-schemes>
#[inline]
pub(crate) const fn part_match_mask(b: u8) -> u8 {
    // Step 1.1: A matches B when they are equal, ASCII case-insensitively.
    // Step 1.2: "http" also matches "https".
    // Step 1.3: "ws" also matches "wss", "http" and "https".
    // Step 1.4: "wss" also matches "https".
    match b {
        bit::HTTP => bit::HTTP | bit::HTTPS,
        bit::WS => bit::WS | bit::WSS | bit::HTTP | bit::HTTPS,
        bit::WSS => bit::WSS | bit::HTTPS,
        other => other,
    }
}

/// The set of URL schemes one `scheme-part` matches, precompiled.
///
/// <https://w3c.github.io/webappsec-csp/#match-schemes>
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SchemeMatcher {
    /// URL scheme bits this scheme-part matches.
    mask: u8,
    /// For a scheme without a bit: its lower-case name, matched by equality only.
    other: Option<Box<str>>,
}

impl SchemeMatcher {
    /// Compiles a `scheme-part` (any case).
    pub(crate) fn new(scheme: &str) -> SchemeMatcher {
        let b = classify_ignore_case(scheme);
        SchemeMatcher {
            mask: part_match_mask(b),
            other: if b == 0 {
                Some(scheme.to_ascii_lowercase().into_boxed_str())
            } else {
                None
            },
        }
    }

    /// Does this scheme-part match a URL scheme (lower-case, as the URL parser leaves it) whose
    /// bit is `url_bit`?
    #[inline]
    pub(crate) fn matches(&self, url_bit: u8, url_scheme: &str) -> bool {
        if url_bit != 0 {
            self.mask & url_bit != 0
        } else {
            self.other.as_deref() == Some(url_scheme)
        }
    }

    /// Approximate heap bytes owned.
    pub(crate) fn heap_size(&self) -> usize {
        self.other.as_ref().map_or(0, |s| s.len())
    }
}

/// Is `s` an RFC 3986 `scheme`: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )?
#[inline]
pub(crate) fn is_scheme(s: &str) -> bool {
    use crate::names::ascii::{all, is, ALPHA, SCHEME};
    match s.as_bytes().split_first() {
        Some((&first, rest)) => is(first, ALPHA) && all(rest, SCHEME),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of §6.7.2.9, row by row (A = expression, B = url scheme).
    #[test]
    fn scheme_part_match_table() {
        let urls = ["http", "https", "ws", "wss", "ftp", "data", "blob", "x"];
        let rows: &[(&str, &[&str])] = &[
            ("http", &["http", "https"]),
            ("https", &["https"]),
            ("ws", &["http", "https", "ws", "wss"]),
            ("wss", &["https", "wss"]),
            ("ftp", &["ftp"]),
            ("data", &["data"]),
            ("BLOB", &["blob"]),
            ("x", &["x"]),
        ];
        for (a, matches) in rows {
            let m = SchemeMatcher::new(a);
            for b in urls {
                assert_eq!(
                    m.matches(classify(b), b),
                    matches.contains(&b),
                    "{a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn classify_ignore_case_is_classify_of_the_lower_case() {
        for s in [
            "http", "HTTP", "Https", "ws", "WSS", "ftp", "FiLe", "data", "blob", "httpss", "htt",
            "", "é", "wsé",
        ] {
            assert_eq!(
                classify_ignore_case(s),
                classify(&s.to_ascii_lowercase()),
                "{s}"
            );
        }
    }

    #[test]
    fn scheme_grammar() {
        assert!(is_scheme("https"));
        assert!(is_scheme("a+b-c.d1"));
        assert!(!is_scheme("1a"));
        assert!(!is_scheme(""));
        assert!(!is_scheme("a_b"));
        assert!(!is_scheme("é"));
    }
}
