//! Hard limits on what the parser keeps from hostile input.
//!
//! Parsing is linear in the input whatever its size; these limits bound the memory a compiled
//! policy holds and the work a check does. Going over one never makes a policy more
//! permissive than CSP3's parse of the whole input would be: see each constant, and
//! `docs/threat-model.md`.

use core::fmt;

/// Bytes of one header value (or `<meta>` content) that are parsed.
///
/// Chromium refuses responses whose headers exceed 256 KiB in total, so no network header can
/// be longer; `<meta>` content can be. Text past the limit is not parsed, and an enforced list
/// that was cut gets a final policy that blocks every fetch, inline script and style, eval,
/// form submission, `<base>` and framing, and sets `sandbox`, Trusted Types, `webrtc 'block'`
/// and `upgrade-insecure-requests`: the directives lost with the tail could only have added
/// restrictions, and this policy adds them all. (A `<meta>` policy cannot carry `sandbox` or
/// `frame-ancestors`, so its fail-closed policy lacks them too.)
pub const MAX_LIST_BYTES: usize = 256 * 1024;

/// Policies kept from one header value.
///
/// Every policy costs a step of every check. Past the limit, report-only policies are dropped
/// (they never block), and an enforced list gets the blocking policy described at
/// [`MAX_LIST_BYTES`] in place of the policies dropped.
pub const MAX_POLICIES: usize = 64;

/// Directives with names CSP3 does not define kept per policy.
///
/// Known directives are at most one each (the first wins), so only unknown names can repeat
/// without bound; they have no effect on any check, so dropping them changes nothing but the
/// policy's serialisation.
pub const MAX_UNKNOWN_DIRECTIVES: usize = 64;

/// Scheme, host, nonce and hash sources kept per directive.
///
/// The largest real-world list seen has 221. Past the limit, further URL sources, nonces and
/// hashes are dropped (fewer sources match fewer requests), while keywords are still read and
/// the presence of a dropped nonce or hash is still recorded, because a nonce or hash disables
/// `'unsafe-inline'` (§6.7.3.2).
pub const MAX_SOURCES_PER_DIRECTIVE: usize = 4096;

/// Entries of a document's verdict cache unless its
/// [`CacheConfig`](crate::CacheConfig) says otherwise.
///
/// 256 entries of 128 bytes (32 KiB, allocated once per document, and only once its checks
/// have outgrown a first cache of 16 entries: see [`CacheConfig`](crate::CacheConfig)) hold the distinct (destination, origin) pairs of the busiest real pages with
/// room to spare; past it, the oldest entry of the key's set is evicted. See
/// `docs/performance.md`.
pub const DEFAULT_CACHE_ENTRIES: usize = 256;

/// The most entries a verdict cache can be given (8 MiB).
///
/// [`CacheConfig::capacity`](crate::CacheConfig::capacity) caps larger requests at this.
pub const MAX_CACHE_ENTRIES: usize = 65_536;

/// Spare bytes a compiled policy's vector may keep past its length.
///
/// The vectors of a policy grow while it is parsed, and doubling can leave half of one unused;
/// with one-byte host-sources (`a b c ...`, 64 bytes of `HostSource` for 2 bytes of text) that
/// alone exceeded the documented bound of 48 heap bytes per header byte. [`trim_spare`] gives
/// the room back once a policy is complete.
const MAX_SPARE_BYTES: usize = 64;

/// Shrinks `v` to its length when more than [`MAX_SPARE_BYTES`] of it are unused (a
/// reallocation, once per vector and policy, and only then).
pub(crate) fn trim_spare<T>(v: &mut Vec<T>) {
    if (v.capacity() - v.len()) * core::mem::size_of::<T>() > MAX_SPARE_BYTES {
        v.shrink_to_fit();
    }
}

/// An offset or length inside a policy's text or arena, as compiled policies store it.
///
/// Policies are cut at [`MAX_LIST_BYTES`] (256 KiB), so every such value fits in a `u32`, and a
/// `u32` widens to `usize` without loss on every target with at least 32-bit pointers, which
/// is all the crate builds for (asserted below). These two functions are the only place the
/// compiled forms convert between the two.
#[inline]
pub(crate) const fn to_u32(n: usize) -> u32 {
    debug_assert!(n <= MAX_LIST_BYTES);
    n as u32
}

/// See [`to_u32`].
#[inline]
pub(crate) const fn to_usize(n: u32) -> usize {
    n as usize
}

const _: () = assert!(MAX_LIST_BYTES <= u32::MAX as usize && usize::BITS >= 32);

/// Which limit a [`ParseWarning::LimitExceeded`](crate::ParseWarning::LimitExceeded) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`MAX_LIST_BYTES`].
    ListBytes,
    /// [`MAX_POLICIES`].
    Policies,
    /// [`MAX_UNKNOWN_DIRECTIVES`].
    UnknownDirectives,
    /// [`MAX_SOURCES_PER_DIRECTIVE`].
    SourcesPerDirective,
}

impl Limit {
    /// The limit's value.
    pub const fn value(self) -> usize {
        match self {
            Limit::ListBytes => MAX_LIST_BYTES,
            Limit::Policies => MAX_POLICIES,
            Limit::UnknownDirectives => MAX_UNKNOWN_DIRECTIVES,
            Limit::SourcesPerDirective => MAX_SOURCES_PER_DIRECTIVE,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Limit::ListBytes => "bytes per header value",
            Limit::Policies => "policies per header value",
            Limit::UnknownDirectives => "unknown directives per policy",
            Limit::SourcesPerDirective => "sources per directive",
        };
        write!(
            f,
            "over the limit of {} {what}; the rest is cut (fail-closed)",
            self.value()
        )
    }
}
