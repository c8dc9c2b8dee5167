//! URL schemes and CSP3's `scheme-part` matching table (§6.7.2.9), as sets of scheme bits.

use bitflags::bitflags;

bitflags! {
    /// A set of the URL schemes CSP3 treats specially, one bit each. Every other scheme has
    /// no bit (its set is empty) and is compared by name.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub(crate) struct SchemeSet: u8 {
        /// `http`.
        const HTTP = 1 << 0;
        /// `https`.
        const HTTPS = 1 << 1;
        /// `ws`.
        const WS = 1 << 2;
        /// `wss`.
        const WSS = 1 << 3;
        /// `ftp`.
        const FTP = 1 << 4;
        /// `file`.
        const FILE = 1 << 5;
    }
}

impl SchemeSet {
    /// The schemes a `*` source matches whatever the protected resource's scheme (§6.7.2.8
    /// step 1, and the project decision for ws/wss: see `docs/spec-deviations.md`).
    pub(crate) const STAR: SchemeSet = SchemeSet::HTTP
        .union(SchemeSet::HTTPS)
        .union(SchemeSet::WS)
        .union(SchemeSet::WSS);

    /// The schemes whose URLs have a tuple origin of their own scheme, host and port (URL
    /// standard: `file:` and non-special URLs have opaque origins).
    pub(crate) const TUPLE_ORIGIN: SchemeSet = SchemeSet::STAR.union(SchemeSet::FTP);

    /// The bit of a lower-case URL scheme, or the empty set for a scheme without one.
    #[inline]
    pub(crate) fn of(scheme: &str) -> SchemeSet {
        match scheme.as_bytes() {
            b"http" => SchemeSet::HTTP,
            b"https" => SchemeSet::HTTPS,
            b"ws" => SchemeSet::WS,
            b"wss" => SchemeSet::WSS,
            b"ftp" => SchemeSet::FTP,
            b"file" => SchemeSet::FILE,
            _ => SchemeSet::empty(),
        }
    }

    /// The bit of the scheme a URL serialization starts with (URL standard: the
    /// lower-case scheme, then `:`), when that scheme has a bit and the serialization is at
    /// least eight bytes long; `None` otherwise (the caller then reads `Url::scheme`).
    ///
    /// One word compared per scheme of the table, where `Url::scheme` and [`SchemeSet::of`]
    /// would slice the serialization and compare the name byte by byte: every check of a URL
    /// starts here.
    #[inline]
    pub(crate) fn of_serialization(serialization: &str) -> Option<SchemeSet> {
        let word = u64::from_le_bytes(*serialization.as_bytes().first_chunk::<8>()?);
        PREFIXES
            .iter()
            .find(|p| word & p.mask == p.word)
            .map(|p| p.bit)
    }

    /// [`SchemeSet::of`] the ASCII lower-case of `scheme`, without building it.
    #[inline]
    pub(crate) fn of_ignore_case(scheme: &str) -> SchemeSet {
        let b = scheme.as_bytes();
        let is = |name: &[u8]| b.eq_ignore_ascii_case(name);
        match b.len() {
            2 if is(b"ws") => SchemeSet::WS,
            3 if is(b"wss") => SchemeSet::WSS,
            3 if is(b"ftp") => SchemeSet::FTP,
            4 if is(b"http") => SchemeSet::HTTP,
            4 if is(b"file") => SchemeSet::FILE,
            5 if is(b"https") => SchemeSet::HTTPS,
            _ => SchemeSet::empty(),
        }
    }

    /// The lower-case name of a one-scheme set (`""` for any other set).
    #[inline]
    pub(crate) fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|&&(bit, _)| bit == self)
            .map_or("", |&(_, name)| name)
    }

    /// Is this one scheme a special scheme of the URL standard (whose hosts are domains or
    /// IPs, never opaque)?
    #[inline]
    pub(crate) fn is_special(self) -> bool {
        !self.is_empty()
    }

    /// The default port of this one scheme (URL standard), if it has one.
    #[inline]
    pub(crate) fn default_port(self) -> Option<u16> {
        if self == SchemeSet::HTTP || self == SchemeSet::WS {
            Some(80)
        } else if self == SchemeSet::HTTPS || self == SchemeSet::WSS {
            Some(443)
        } else if self == SchemeSet::FTP {
            Some(21)
        } else {
            None
        }
    }

    /// The URL schemes that a `scheme-part` naming this one scheme matches (empty for a scheme
    /// without a bit, which matches only itself, by name).
    ///
    /// <https://w3c.github.io/webappsec-csp/#match-schemes>
    #[inline]
    pub(crate) const fn part_match(self) -> SchemeSet {
        // Step 1.1: A matches B when they are equal, ASCII case-insensitively.
        // Step 1.2: "http" also matches "https".
        // Step 1.3: "ws" also matches "wss", "http" and "https".
        // Step 1.4: "wss" also matches "https".
        match self {
            SchemeSet::HTTP => SchemeSet::HTTP.union(SchemeSet::HTTPS),
            SchemeSet::WS => SchemeSet::STAR,
            SchemeSet::WSS => SchemeSet::WSS.union(SchemeSet::HTTPS),
            other => other,
        }
    }
}

/// Each scheme bit and its name: [`SchemeSet::of`] is this table read the other way (a test
/// holds them together). `https` first: [`SchemeSet::of_serialization`] tries the rows in
/// this order, and most requests are https.
const NAMES: [(SchemeSet, &str); 6] = [
    (SchemeSet::HTTPS, "https"),
    (SchemeSet::HTTP, "http"),
    (SchemeSet::WS, "ws"),
    (SchemeSet::WSS, "wss"),
    (SchemeSet::FTP, "ftp"),
    (SchemeSet::FILE, "file"),
];

/// A scheme of [`NAMES`] followed by `:`, as the first bytes of a URL serialization read as
/// one little-endian word: the bytes' values, and the mask that keeps just those bytes.
#[derive(Clone, Copy)]
struct Prefix {
    word: u64,
    mask: u64,
    bit: SchemeSet,
}

/// [`NAMES`] as [`Prefix`]es, in the same order (every name with its `:` fits a word).
const PREFIXES: [Prefix; NAMES.len()] = {
    let mut out = [Prefix {
        word: 0,
        mask: 0,
        bit: SchemeSet::empty(),
    }; NAMES.len()];
    let mut i = 0;
    while i < NAMES.len() {
        let (bit, name) = NAMES[i];
        let bytes = name.as_bytes();
        let mut word = (b':' as u64) << (8 * bytes.len());
        let mut j = 0;
        while j < bytes.len() {
            word |= (bytes[j] as u64) << (8 * j);
            j += 1;
        }
        out[i] = Prefix {
            word,
            mask: u64::MAX >> (64 - 8 * (bytes.len() + 1)),
            bit,
        };
        i += 1;
    }
    out
};

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
        ];
        for (a, matches) in rows {
            let set = SchemeSet::of_ignore_case(a).part_match();
            for b in urls {
                assert_eq!(
                    set.intersects(SchemeSet::of(b)),
                    matches.contains(&b),
                    "{a} vs {b}"
                );
            }
        }
        // Schemes without a bit match only themselves, by name (`SchemeReq`).
        for a in ["data", "BLOB", "x"] {
            assert!(SchemeSet::of_ignore_case(a).part_match().is_empty(), "{a}");
        }
    }

    #[test]
    fn of_ignore_case_is_of_the_lower_case() {
        for s in [
            "http", "HTTP", "Https", "ws", "WSS", "ftp", "FiLe", "data", "blob", "httpss", "htt",
            "", "é", "wsé", "blobs", "httpz", "xttps", "wsx", "ftpx", "ftq", "filf", "httq",
        ] {
            assert_eq!(
                SchemeSet::of_ignore_case(s),
                SchemeSet::of(&s.to_ascii_lowercase()),
                "{s}"
            );
        }
    }

    #[test]
    fn names_and_bits_agree() {
        for (bit, name) in NAMES {
            assert_eq!(bit.bits().count_ones(), 1);
            assert_eq!(bit.name(), name);
            assert_eq!(SchemeSet::of(name), bit);
            assert_eq!(SchemeSet::of_ignore_case(&name.to_ascii_uppercase()), bit);
        }
        assert_eq!(SchemeSet::all().iter().count(), NAMES.len());
        assert_eq!(SchemeSet::empty().name(), "");
        assert_eq!((SchemeSet::HTTP | SchemeSet::WS).name(), "");
    }

    #[test]
    fn of_serialization_reads_the_scheme_before_the_colon() {
        let urls = [
            "https://a.test/",
            "http://a.test/",
            "ws://a.test/",
            "wss://a.test/",
            "ftp://a.test/",
            "file:///etc/hosts",
            "httpsx://a.test/",
            "http+x://a.test/",
            "https-a://a.test",
            "wsx://a.test/",
            "files:///a/b/c",
            "ftps://a.test/",
            "blob:https://a.test/1",
            "data:text/plain,hello",
            "javascript:alert(1)",
            "about:blank",
            "h:/abcdefg",
        ];
        for text in urls {
            let url = url::Url::parse(text).unwrap();
            let want = SchemeSet::of(url.scheme());
            match SchemeSet::of_serialization(url.as_str()) {
                Some(bit) => {
                    assert_eq!((bit, bit.name()), (want, url.scheme()), "{text}");
                    assert!(!bit.is_empty());
                }
                None => assert!(want.is_empty(), "{text}: {want:?} missed"),
            }
        }
        // Shorter than a word: left to the caller, whatever the scheme.
        assert_eq!(SchemeSet::of_serialization("ws://a/"), None);
        assert_eq!(SchemeSet::of_serialization(""), None);
        // Each name needs its colon right after it.
        assert_eq!(
            SchemeSet::of_serialization("https://"),
            Some(SchemeSet::HTTPS)
        );
        assert_eq!(SchemeSet::of_serialization("httpss://x"), None);
        assert_eq!(SchemeSet::of_serialization("HTTPS://x"), None);
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
