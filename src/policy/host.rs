//! Compiled host patterns (the `host-part` of host-sources) and the ranges of a policy's text
//! their names are kept as.

use std::net::Ipv4Addr;

use crate::limits::{to_u32, to_usize};
use crate::parse::parts::is_host_part;

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
        NameRange {
            start: to_u32(crate::names::ascii::offset_in(text, part)),
            len: to_u32(part.len()),
        }
    }

    /// The length of the range, in bytes.
    #[inline]
    pub(crate) fn len(self) -> usize {
        to_usize(self.len)
    }

    #[inline]
    fn range(self) -> core::ops::Range<usize> {
        let start = to_usize(self.start);
        start..start + to_usize(self.len)
    }

    /// The bytes of the range (no char-boundary checks: the hot path compares bytes).
    #[inline]
    pub(crate) fn bytes(self, arena: &str) -> &[u8] {
        arena.as_bytes().get(self.range()).unwrap_or_default()
    }

    /// The text of the range.
    #[inline]
    pub(crate) fn get(self, arena: &str) -> &str {
        arena.get(self.range()).unwrap_or("")
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
    /// Parses a `host-part`: `"*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`.
    #[cfg(test)]
    pub(crate) fn parse(s: &str) -> Option<HostPattern> {
        is_host_part(s).then(|| HostPattern::from_valid(s, s))
    }

    /// Compiles a `host-part` that [`is_host_part`] accepted; `s` is a subslice
    /// of `text`, and the name's range indexes `text`'s lower-cased copy.
    pub(crate) fn from_valid(s: &str, text: &str) -> HostPattern {
        debug_assert!(is_host_part(s));
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
}
