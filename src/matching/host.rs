//! Host patterns of host-sources: the `host-part` grammar and `host-part` matching (§6.7.2.10).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::names::ascii::{is, HOST};

/// A request URL's host, classified once per check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UrlHost<'a> {
    /// No host (`data:`, `blob:`, `javascript:` ...).
    None,
    /// A domain of a special-scheme URL, lower-case and punycode as the URL parser leaves it.
    Domain(&'a str),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
    /// An opaque host of a non-special URL: never a domain.
    Other,
}

impl UrlHost<'_> {
    /// Is there a host at all (§6.7.2.8 step 3.1)?
    #[inline]
    pub(crate) fn is_some(&self) -> bool {
        !matches!(self, UrlHost::None)
    }
}

/// A range of a policy's text (or of its lower-cased copy), where the host names, paths,
/// nonces and hashes of its source lists are: they are never copied out one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NameRange {
    start: u32,
    len: u32,
}

impl NameRange {
    /// The range of `part`, a subslice of `text`.
    #[inline]
    pub(crate) fn of(text: &str, part: &str) -> NameRange {
        // Policies are cut at `MAX_LIST_BYTES` (256 KiB), far below `u32::MAX`.
        NameRange {
            start: crate::names::ascii::offset_in(text, part) as u32,
            len: part.len() as u32,
        }
    }

    /// The length of the range, in bytes.
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.len as usize
    }

    /// The bytes of the range (no char-boundary checks: the hot path compares bytes).
    #[inline]
    pub(crate) fn bytes(self, arena: &str) -> &[u8] {
        let start = self.start as usize;
        arena
            .as_bytes()
            .get(start..start + self.len as usize)
            .unwrap_or_default()
    }

    /// The text of the range.
    #[inline]
    pub(crate) fn get(self, arena: &str) -> &str {
        let start = self.start as usize;
        arena.get(start..start + self.len as usize).unwrap_or("")
    }
}

/// A compiled `host-part`; names are ranges of the list's arena.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HostPattern {
    /// `*`: any domain.
    Any,
    /// `*.rest`: stored as `.rest`, lower-case; matches any domain ending with it.
    Suffix(NameRange),
    /// A domain, lower-case.
    Exact(NameRange),
    /// An IPv4 literal (project decision: engines compare IP hosts as text).
    Ipv4(Ipv4Addr),
}

impl HostPattern {
    /// Is `s` a `host-part`: `"*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`?
    /// (No allocation; [`HostPattern::from_valid`] then compiles an accepted one.)
    #[inline]
    pub(crate) fn is_host_part(s: &str) -> bool {
        if s == "*" {
            return true;
        }
        let name = s.strip_prefix("*.").unwrap_or(s);
        // The optional trailing "." (#639) is part of the pattern and compared as written.
        let body = name.strip_suffix('.').unwrap_or(name).as_bytes();
        // Labels of host-chars, separated by single dots, none empty.
        let mut label = 0usize;
        for &c in body {
            if c == b'.' {
                if label == 0 {
                    return false;
                }
                label = 0;
            } else if is(c, HOST) {
                label += 1;
            } else {
                return false;
            }
        }
        label > 0
    }

    /// Parses a `host-part`: `"*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`.
    #[cfg(test)]
    pub(crate) fn parse(s: &str) -> Option<HostPattern> {
        HostPattern::is_host_part(s).then(|| HostPattern::from_valid(s, s))
    }

    /// Compiles a `host-part` that [`HostPattern::is_host_part`] accepted; `s` is a subslice
    /// of `text`, and the name's range indexes `text`'s lower-cased copy.
    pub(crate) fn from_valid(s: &str, text: &str) -> HostPattern {
        debug_assert!(HostPattern::is_host_part(s));
        if s == "*" {
            return HostPattern::Any;
        }
        if let Some(name) = s.strip_prefix('*') {
            // `.rest`: keep the leading "." so that a suffix compare never matches the apex
            // or `evil<rest>`.
            return HostPattern::Suffix(NameRange::of(text, name));
        }
        // DEVIATION (docs/spec-deviations.md, "IP-literal host-sources"): a dotted-decimal
        // IPv4 literal matches the same address.
        if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            if let Ok(ip) = s.parse::<Ipv4Addr>() {
                return HostPattern::Ipv4(ip);
            }
        }
        HostPattern::Exact(NameRange::of(text, s))
    }

    /// <https://w3c.github.io/webappsec-csp/#match-hosts>
    // `always`: left to itself LLVM calls this once per source of a scanned list, and the
    // call costs more than the compare (callgrind: 38 -> 22 instructions per scanned source).
    #[inline(always)]
    pub(crate) fn matches(&self, arena: &str, host: UrlHost<'_>) -> bool {
        match (self, host) {
            // DEVIATION (IP literals): an IPv4 pattern compares with an IPv4 host.
            (HostPattern::Ipv4(p), UrlHost::Ipv4(h)) => *p == h,
            // Step 1: a host that is not a domain never matches.
            (_, UrlHost::None | UrlHost::Other | UrlHost::Ipv4(_) | UrlHost::Ipv6(_)) => false,
            (HostPattern::Ipv4(_), UrlHost::Domain(_)) => false,
            // Step 2.
            (HostPattern::Any, UrlHost::Domain(_)) => true,
            // Step 3: the URL parser already lower-cased the domain.
            (HostPattern::Suffix(rest), UrlHost::Domain(h)) => {
                // The length test first: it rules out most names without reading them.
                rest.len() <= h.len()
                    && crate::names::ascii::ends_with_bytes(h.as_bytes(), rest.bytes(arena))
            }
            // Step 4.
            (HostPattern::Exact(p), UrlHost::Domain(h)) => {
                p.len() == h.len() && crate::names::ascii::eq_bytes(p.bytes(arena), h.as_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> UrlHost<'_> {
        UrlHost::Domain(s)
    }

    #[test]
    fn grammar() {
        for ok in [
            "*",
            "a",
            "a.test",
            "*.a.test",
            "a.test.",
            "*.a.",
            "xn--tdaaaaaa.de",
            "-a-.b",
            "1.2.3.4",
        ] {
            assert!(HostPattern::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", ".", "*.", "**", "*a.test", "a..b", ".a", "a_b", "a.*", "*.*", "é.test", "a b",
            "[::1]", "a.test..",
        ] {
            assert!(HostPattern::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn matching_follows_section_6_7_2_10() {
        // A pattern whose names index its own lower-cased text.
        let m = |pattern: &str, host: UrlHost<'_>| {
            let p = HostPattern::parse(pattern).unwrap();
            p.matches(&pattern.to_ascii_lowercase(), host)
        };
        assert!(m("*.a.test", d("www.a.test")));
        assert!(m("*.a.test", d("x.y.a.test")));
        assert!(!m("*.a.test", d("a.test")));
        assert!(!m("*.a.test", d("evila.test")));
        assert!(m("A.TEST", d("a.test")));
        assert!(m("*", d("any.test")));
        assert!(!m("a.test.", d("a.test")));
        assert!(!m("a.test", d("a.test.")));
        assert!(!m("*", UrlHost::Ipv4(Ipv4Addr::LOCALHOST)));
        assert!(!m("*", UrlHost::Other));
        assert!(!m("*", UrlHost::None));
        // Project decision: IPv4 literals compare as addresses.
        assert!(m("127.0.0.1", UrlHost::Ipv4(Ipv4Addr::LOCALHOST)));
        assert!(!m("127.0.0.1", UrlHost::Ipv4(Ipv4Addr::new(127, 0, 0, 2))));
        assert!(!m("*.0.0.1", UrlHost::Ipv4(Ipv4Addr::LOCALHOST)));
        assert!(!m("127.0.0.1", d("127.0.0.1.test")));
    }
}
