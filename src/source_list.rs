//! A compiled source list (CSP3 §2.3.1) and the URL, nonce and integrity matching algorithms
//! of §6.7.2 over it.
//!
//! Every token is classified once, when the list is compiled (by the first check that reads it,
//! `src/lazy_list.rs`), into typed data: keyword bits, a scheme mask, host-sources sorted for
//! binary search, nonces and hashes. Matching a URL then reads
//! the [`UrlView`] and compares plain values; it never allocates.

use std::sync::Arc;

use crate::directive::DirectiveKind;
use crate::host::{HostPattern, NameRange, UrlHost};
use crate::limits::{Limit, MAX_SOURCES_PER_DIRECTIVE};
use crate::origin::{SelfOrigin, UrlView};
use crate::path::path_part_matches;
use crate::scheme::{self, bit};
use crate::source::{HashAlgorithm, Keywords, PortPart, SourceExpression};
use crate::warning::{ParseWarning, Span};

/// The port a host-source requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PortReq {
    /// No port-part: only the URL scheme's default port.
    Default,
    /// `:n` (0..=65535).
    Exact(u16),
    /// `:*`.
    Any,
    /// A port above 65535: matches no URL.
    Never,
}

/// The scheme-part of a host-source, precompiled (§6.7.2.9): the URL scheme bits it
/// matches, or for a scheme without a bit its lower-case name in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct SchemeReq {
    mask: u8,
    other: Option<NameRange>,
}

impl SchemeReq {
    #[inline]
    fn matches(self, names: &str, u: &UrlView<'_>) -> bool {
        match self.other {
            None => self.mask & u.bit != 0,
            Some(name) => u.bit == 0 && name.bytes(names) == u.scheme.as_bytes(),
        }
    }
}

/// One compiled host-source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct HostSource {
    /// The scheme-part; `None` for a schemeless source, which uses the self-origin's scheme.
    scheme: Option<SchemeReq>,
    /// The host-part; its name is in the arena.
    host: HostPattern,
    port: PortReq,
    /// The path-part, as written (it is a valid `path-absolute`), in the arena.
    path: Option<NameRange>,
    /// The source is exactly `http://host:80...`: it also allows https on 443 (issue #439).
    http_80: bool,
}

impl HostSource {
    /// <https://w3c.github.io/webappsec-csp/#match-url-to-source-expression> steps 2-3 for a
    /// host-source. The caller has checked step 3.1 (the URL has a host).
    #[inline]
    fn matches(
        &self,
        arena: &Arena,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        // Step 3.3: host-part.
        self.host.matches(&arena.lower, u.host)
            && self.matches_after_host(arena, u, origin, ignore_paths)
    }

    /// [`HostSource::matches`] when the host-part is known to match.
    #[inline]
    fn matches_after_host(
        &self,
        arena: &Arena,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        // Step 2.1 / step 3.2: the scheme-part, or the origin's scheme, must match.
        let scheme_ok = match self.scheme {
            Some(m) => m.matches(&arena.lower, u),
            None => origin.scheme_part_matches(u),
        };
        // Steps 3.4-3.5: port-part. Step 3.6: path-part, only before any redirect.
        scheme_ok
            && self.port_matches(u)
            && (ignore_paths
                || self
                    .path
                    .is_none_or(|p| path_part_matches(p.get(&arena.text), u.path())))
    }

    /// <https://w3c.github.io/webappsec-csp/#match-ports>
    #[inline]
    fn port_matches(&self, u: &UrlView<'_>) -> bool {
        match self.port {
            // Step 2.
            PortReq::Any => true,
            // Step 4 (null equals null); step 5 never matches a null input.
            PortReq::Default => u.port.is_none(),
            // Step 4, then step 5 (the URL's port is null: compare the scheme's default).
            PortReq::Exact(n) => {
                u.port == Some(n)
                    || (u.port.is_none() && scheme::default_port(u.bit) == Some(n))
                    // DEVIATION ("http://host:80 and https", issue #439): every engine lets
                    // an explicit http/80 source allow https on its default port.
                    || (self.http_80 && u.bit == bit::HTTPS && u.port.is_none())
            }
            PortReq::Never => false,
        }
    }

    /// The exact host, or the suffix (`.rest`) of a `*.rest` pattern: what an indexed list is
    /// sorted and searched by.
    #[inline]
    fn name<'a>(&self, names: &'a str) -> Option<&'a [u8]> {
        match self.host {
            HostPattern::Exact(h) | HostPattern::Suffix(h) => Some(h.bytes(names)),
            _ => None,
        }
    }
}

/// Lists with more host-sources than this are searched by binary search on the host; smaller
/// ones are scanned.
///
/// Measured with callgrind (`docs/performance.md`): a scan costs about 22 instructions per
/// source, the indexed search about 130 more than a scan of a few sources plus 12 per
/// halving. A blocked request (the worst case for a scan) costs the same both ways at 20-24
/// sources; 16 keeps the worst case of a scan below the index's.
pub(crate) const INDEX_THRESHOLD: usize = 16;

/// The first 16 bytes of a host name or suffix, big-endian and zero-padded: ordering keys
/// orders names (host names hold no NUL byte), so `(key, name)` sorts like `name`.
#[inline]
fn name_key(name: &[u8]) -> u128 {
    let n = name.len();
    if let Some(first) = name.first_chunk::<16>() {
        return u128::from_be_bytes(*first);
    }
    // Shorter names: overlapping word loads, the overlap shifted out (a byte loop here cost
    // more than the whole scan it speeds up).
    let word = |at: usize| match name.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(w) => u64::from_be_bytes(*w),
        None => 0,
    };
    let half = |at: usize| match name.get(at..).and_then(<[u8]>::first_chunk::<4>) {
        Some(w) => u32::from_be_bytes(*w),
        None => 0,
    };
    if n >= 8 {
        let lo = if n == 8 {
            0
        } else {
            word(n - 8) << (8 * (16 - n))
        };
        u128::from(word(0)) << 64 | u128::from(lo)
    } else if n >= 4 {
        let lo = if n == 4 {
            0
        } else {
            half(n - 4) << (8 * (8 - n))
        };
        u128::from(u64::from(half(0)) << 32 | u64::from(lo)) << 64
    } else {
        name.iter()
            .enumerate()
            .fold(0, |k, (i, &b)| k | u128::from(b) << (120 - 8 * i))
    }
}

/// `a == b`, given that their [`name_key`]s are equal: only the bytes past 16 are left.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && crate::ascii::eq_bytes(
            a.get(16..).unwrap_or_default(),
            b.get(16..).unwrap_or_default(),
        )
}

/// Reorders `v` so that `v[k]` is the old `v[order[k]]` (`order` is a permutation of its
/// indices), in place, in O(n) swaps: each cycle of the permutation is rotated once.
fn apply_permutation<T>(v: &mut [T], order: impl Iterator<Item = usize>) {
    let order: Vec<usize> = order.collect();
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        if done[start] {
            continue;
        }
        // Walk the cycle through `start`: position k takes the element at order[k].
        let mut k = start;
        loop {
            done[k] = true;
            let src = order[k];
            if src == start {
                break;
            }
            v.swap(k, src);
            k = src;
        }
    }
}

/// A run of one of the arena's vectors: where one list's items are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Run {
    start: u32,
    len: u32,
}

impl Run {
    /// The run that starts at `start` and ends at the vector's current length.
    #[inline]
    fn since(start: usize, end: usize) -> Run {
        // Arenas index policies cut at `MAX_LIST_BYTES` (256 KiB), far below `u32::MAX`.
        Run {
            start: start as u32,
            len: (end - start) as u32,
        }
    }

    #[inline]
    fn of<T>(self, v: &[T]) -> &[T] {
        let start = self.start as usize;
        v.get(start..start + self.len as usize).unwrap_or_default()
    }

    #[inline]
    fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// A hash-source as stored: algorithm and base64-value (as written, in the arena).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct StoredHash {
    algorithm: HashAlgorithm,
    value: NameRange,
}

/// A hash-source: algorithm and base64-value as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HashSource<'p> {
    pub(crate) algorithm: HashAlgorithm,
    pub(crate) value: &'p str,
}

/// What the source lists of one policy own, in flat vectors shared by all of them: a few
/// allocations per policy instead of a few per list (parsing the real-world corpus made
/// 42,000 allocations and reallocations with per-list storage; see `docs/performance.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Arena {
    /// The policy's text, as delivered: paths, nonces and hash values are ranges of it.
    text: Arc<str>,
    /// The text ASCII-lower-cased: host names (a suffix with its leading ".") and scheme
    /// names are ranges of it, so that no name is copied out one by one. The same allocation
    /// as `text` when the text has no upper-case letter (most real headers): reading either
    /// costs the same, and the text is held once.
    lower: Arc<str>,
    hosts: Vec<HostSource>,
    /// For indexed lists: the [`name_key`] of each exact host and suffix.
    keys: Vec<u128>,
    /// For indexed lists: the distinct lengths of the `*.` suffixes, sorted.
    suffix_lens: Vec<u32>,
    nonces: Vec<NameRange>,
    schemes: Vec<NameRange>,
    hashes: Vec<StoredHash>,
}

impl Arena {
    /// An arena for the lists of a policy whose text is `text`.
    pub(crate) fn for_text(text: &str) -> Arena {
        let text: Arc<str> = text.into();
        let lower = lower_cased(&text);
        Arena::with_texts(text, lower)
    }

    /// An empty arena over a policy's text and its [`lower_cased`] form (shared, not copied).
    pub(crate) fn with_texts(text: Arc<str>, lower: Arc<str>) -> Arena {
        Arena {
            text,
            lower,
            hosts: Vec::new(),
            keys: Vec::new(),
            suffix_lens: Vec::new(),
            nonces: Vec::new(),
            schemes: Vec::new(),
            hashes: Vec::new(),
        }
    }

    /// Gives back the spare room of the arena's vectors once its policy is complete.
    pub(crate) fn trim(&mut self) {
        use crate::limits::trim_spare;
        trim_spare(&mut self.hosts);
        trim_spare(&mut self.keys);
        trim_spare(&mut self.suffix_lens);
        trim_spare(&mut self.nonces);
        trim_spare(&mut self.schemes);
        trim_spare(&mut self.hashes);
    }

    /// Heap bytes of the arena's vectors (not the texts, which its lists share).
    pub(crate) fn vectors_heap_size(&self) -> usize {
        use core::mem::size_of;
        self.hosts.capacity() * size_of::<HostSource>()
            + self.keys.capacity() * size_of::<u128>()
            + self.suffix_lens.capacity() * size_of::<u32>()
            + (self.nonces.capacity() + self.schemes.capacity()) * size_of::<NameRange>()
            + self.hashes.capacity() * size_of::<StoredHash>()
    }
}

/// `text` ASCII-lower-cased: the same allocation when it has no upper-case letter (most real
/// headers), else a copy lower-cased in place.
pub(crate) fn lower_cased(text: &Arc<str>) -> Arc<str> {
    // A branch-free scan (it vectorises).
    let upper = text
        .bytes()
        .fold(false, |any, b| any | (b.wrapping_sub(b'A') < 26));
    if !upper {
        return Arc::clone(text);
    }
    let mut lower: Arc<str> = (**text).into();
    if let Some(l) = Arc::get_mut(&mut lower) {
        l.make_ascii_lowercase();
    }
    lower
}

/// A compiled source list: flags, and runs of its policy's [`Arena`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct SourceList {
    keywords: Keywords,
    /// The list holds `*`.
    star: bool,
    /// URL scheme bits allowed by scheme-sources.
    scheme_mask: u8,
    /// The list holds a nonce- or hash-source, including any dropped over the limit.
    has_nonce_or_hash: bool,
    /// Host-sources: in source order when scanned; when indexed (more than
    /// [`INDEX_THRESHOLD`]), sorted: exact hosts by name, then `*.` suffixes, then the rest.
    hosts: Run,
    /// Indexed lists: the ends of the exact and suffix runs, relative to `hosts.start`.
    exact_end: u32,
    suffix_end: u32,
    /// Indexed lists: runs of the arena's `keys` (one per source of `..suffix_end`) and
    /// `suffix_lens`.
    keys: Run,
    suffix_lens: Run,
    /// Scheme-sources for schemes without a bit, lower-case.
    schemes: Run,
    nonces: Run,
    /// Sorted by (algorithm, value), so that each integrity item is a binary search.
    hashes: Run,
}

/// What [`ListRef::cache_facts`] reports.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ListFacts {
    pub(crate) paths: bool,
    pub(crate) nonces: bool,
    pub(crate) hashes: bool,
    pub(crate) host_sources: usize,
    pub(crate) other_schemes: usize,
}

impl SourceList {
    /// Compiles the tokens of a directive value into `arena`. `value` is a subslice of
    /// `text`, the text `arena` was made for; `offset` is the value's offset in the text the
    /// warnings refer to.
    pub(crate) fn compile(
        directive: DirectiveKind,
        value: &str,
        text: &str,
        offset: usize,
        arena: &mut Arena,
        warn: &mut dyn FnMut(ParseWarning),
    ) -> SourceList {
        let mut list = SourceList::default();
        let hosts_start = arena.hosts.len();
        let (nonces_start, schemes_start, hashes_start) =
            (arena.nonces.len(), arena.schemes.len(), arena.hashes.len());
        let mut kept = 0usize;
        let mut none_span = None;
        let mut tokens = 0usize;
        let url_only = matches!(
            directive,
            DirectiveKind::FrameAncestors | DirectiveKind::FormAction | DirectiveKind::BaseUri
        );
        for token in crate::ascii::split_ws(value) {
            tokens += 1;
            let span = Span::new(offset + crate::ascii::offset_in(value, token), token.len());
            let expr = SourceExpression::parse(token);
            let stores = matches!(
                expr,
                SourceExpression::Scheme(_)
                    | SourceExpression::Host { .. }
                    | SourceExpression::Nonce(_)
                    | SourceExpression::Hash(..)
            );
            if stores {
                if kept == MAX_SOURCES_PER_DIRECTIVE {
                    warn(ParseWarning::LimitExceeded {
                        span,
                        limit: Limit::SourcesPerDirective,
                    });
                }
                kept += 1;
            }
            let over = kept > MAX_SOURCES_PER_DIRECTIVE;
            match expr {
                SourceExpression::None => none_span = Some(span),
                SourceExpression::Star => list.star = true,
                SourceExpression::Keyword(k) => {
                    if url_only && k != Keywords::SELF {
                        warn(ParseWarning::IneffectiveSource { span, directive });
                    }
                    list.keywords |= k;
                }
                SourceExpression::Scheme(s) => {
                    if !over {
                        match scheme::classify_ignore_case(s) {
                            0 => arena.schemes.push(NameRange::of(text, s)),
                            b => list.scheme_mask |= scheme::part_match_mask(b),
                        }
                    }
                }
                SourceExpression::Host {
                    scheme,
                    host,
                    port,
                    path,
                    ignored_suffix,
                } => {
                    if let Some(q) = ignored_suffix {
                        let at = span.end - q.len();
                        warn(ParseWarning::IgnoredQuery {
                            span: Span::new(at, q.len()),
                        });
                    }
                    if !over {
                        arena
                            .hosts
                            .push(compile_host(scheme, host, port, path, text));
                    }
                }
                SourceExpression::Nonce(n) => {
                    if url_only {
                        warn(ParseWarning::IneffectiveSource { span, directive });
                    }
                    list.has_nonce_or_hash = true;
                    if !over {
                        arena.nonces.push(NameRange::of(text, n));
                    }
                }
                SourceExpression::Hash(algorithm, v) => {
                    if url_only {
                        warn(ParseWarning::IneffectiveSource { span, directive });
                    }
                    list.has_nonce_or_hash = true;
                    if !over {
                        arena.hashes.push(StoredHash {
                            algorithm,
                            value: NameRange::of(text, v),
                        });
                    }
                }
                SourceExpression::Invalid(reason) => {
                    warn(ParseWarning::InvalidSource { span, reason });
                }
            }
        }
        if let Some(span) = none_span {
            if tokens > 1 {
                warn(ParseWarning::NoneWithOtherSources { span });
            }
        }
        list.hosts = Run::since(hosts_start, arena.hosts.len());
        list.nonces = Run::since(nonces_start, arena.nonces.len());
        list.schemes = Run::since(schemes_start, arena.schemes.len());
        list.hashes = Run::since(hashes_start, arena.hashes.len());
        if list.hashes.len > 1 {
            let text = &arena.text;
            arena.hashes[hashes_start..].sort_unstable_by(|a, b| {
                (a.algorithm, a.value.bytes(text)).cmp(&(b.algorithm, b.value.bytes(text)))
            });
        }
        if list.hosts.len as usize > INDEX_THRESHOLD {
            list.index(arena);
        }
        list
    }

    /// Sorts the list's host-sources for binary search and records their keys and suffix
    /// lengths in the arena. Only lists searched through the index need this.
    fn index(&mut self, arena: &mut Arena) {
        fn rank(s: &HostSource) -> u8 {
            match s.host {
                HostPattern::Exact(_) => 0,
                HostPattern::Suffix(_) => 1,
                _ => 2,
            }
        }
        let names = &*arena.lower;
        let start = self.hosts.start as usize;
        let sources = &mut arena.hosts[start..];
        // Sort a permutation by (rank, first 15 bytes of the name, name, position), which
        // orders like a stable sort by (rank, name) but mostly compares one integer computed
        // once per source; then apply it.
        let mut order: Vec<(u128, usize)> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = s.name(names).unwrap_or_default();
                (u128::from(rank(s)) << 120 | name_key(name) >> 8, i)
            })
            .collect();
        {
            let sources = &*sources;
            let name = |i: usize| {
                sources
                    .get(i)
                    .and_then(|s| s.name(names))
                    .unwrap_or_default()
            };
            order.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| name(a.1).cmp(name(b.1)))
                    .then(a.1.cmp(&b.1))
            });
        }
        apply_permutation(sources, order.iter().map(|o| o.1));
        let exact_end = sources.partition_point(|s| rank(s) == 0);
        let suffix_end = sources.partition_point(|s| rank(s) <= 1);
        self.exact_end = exact_end as u32;
        self.suffix_end = suffix_end as u32;
        let keys_start = arena.keys.len();
        arena.keys.extend(
            sources[..suffix_end]
                .iter()
                .map(|s| name_key(s.name(names).unwrap_or_default())),
        );
        self.keys = Run::since(keys_start, arena.keys.len());
        let mut lens: Vec<u32> = sources[exact_end..suffix_end]
            .iter()
            .filter_map(|s| s.name(names).map(|n| n.len() as u32))
            .collect();
        lens.sort_unstable();
        lens.dedup();
        let lens_start = arena.suffix_lens.len();
        arena.suffix_lens.extend(lens);
        self.suffix_lens = Run::since(lens_start, arena.suffix_lens.len());
    }
}

/// A compiled source list with the arena it points into: what the checks read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListRef<'p> {
    list: &'p SourceList,
    arena: &'p Arena,
}

impl<'p> ListRef<'p> {
    #[inline]
    pub(crate) fn new(list: &'p SourceList, arena: &'p Arena) -> ListRef<'p> {
        ListRef { list, arena }
    }

    /// The lower-cased policy text, which host and scheme names index.
    #[inline]
    fn names(&self) -> &'p str {
        &self.arena.lower
    }

    /// The policy text, which paths, nonces and hashes index.
    #[inline]
    fn text(&self) -> &'p str {
        &self.arena.text
    }

    #[inline]
    fn hosts(&self) -> &'p [HostSource] {
        self.list.hosts.of(&self.arena.hosts)
    }

    /// The keyword-sources of the list.
    #[inline]
    pub(crate) fn keywords(&self) -> Keywords {
        self.list.keywords
    }

    /// Does the list hold a nonce-source or a hash-source (CSP3 §6.7.3.2 step 2.1), counting
    /// any dropped over the source limit?
    #[inline]
    pub(crate) fn has_nonce_or_hash(&self) -> bool {
        self.list.has_nonce_or_hash
    }

    /// The hash-sources, as written.
    #[inline]
    pub(crate) fn hashes(&self) -> impl Iterator<Item = HashSource<'p>> + 'p {
        let text = self.text();
        self.list
            .hashes
            .of(&self.arena.hashes)
            .iter()
            .map(move |h| HashSource {
                algorithm: h.algorithm,
                value: h.value.get(text),
            })
    }

    /// Is any URL at all matched by some source of the list? (False for `'none'`, an empty
    /// list, or a list of keywords, nonces and hashes only.)
    #[inline]
    pub(crate) fn has_url_sources(&self) -> bool {
        let l = self.list;
        l.star
            || l.keywords.contains(Keywords::SELF)
            || l.scheme_mask != 0
            || !l.schemes.is_empty()
            || !l.hosts.is_empty()
    }

    /// Facts the verdict cache plans with: does any host-source have a path-part (so the
    /// URL's path can change the answer), is there a nonce, a hash (so a request's nonce or
    /// integrity can), and how much work does matching a URL cost (`docs/performance.md`).
    pub(crate) fn cache_facts(&self) -> ListFacts {
        let hosts = self.hosts();
        ListFacts {
            paths: hosts.iter().any(|s| s.path.is_some()),
            nonces: !self.list.nonces.is_empty(),
            hashes: !self.list.hashes.is_empty(),
            host_sources: hosts.len(),
            other_schemes: self.list.schemes.len as usize,
        }
    }

    /// <https://w3c.github.io/webappsec-csp/#match-url-to-source-list>
    #[inline]
    pub(crate) fn matches_url(
        &self,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        redirect_count: u32,
    ) -> bool {
        let l = self.list;
        // Steps 2-3: an empty list, or `'none'` alone, holds no source below, so it matches
        // nothing. Step 4: any expression.
        // Step 4 / §6.7.2.8 step 1: `*`.
        // DEVIATION ("`*` and WebSockets"): ws and wss count with http and https.
        if l.star && (u.bit & bit::STAR != 0 || origin.same_scheme(u)) {
            return true;
        }
        // §6.7.2.8 step 2: scheme-sources (which ignore host, port and path).
        if l.scheme_mask & u.bit != 0
            || (u.bit == 0
                && l.schemes
                    .of(&self.arena.schemes)
                    .iter()
                    .any(|s| s.bytes(self.names()) == u.scheme.as_bytes()))
        {
            return true;
        }
        // §6.7.2.8 step 4: 'self'.
        if l.keywords.contains(Keywords::SELF) && origin.matches_self(u) {
            return true;
        }
        // §6.7.2.8 step 3: host-sources; step 3.1: the URL must have a host.
        u.host.is_some() && self.hosts_match(u, origin, redirect_count > 0)
    }

    #[inline]
    fn hosts_match(&self, u: &UrlView<'_>, origin: &SelfOrigin, ignore_paths: bool) -> bool {
        let arena = self.arena;
        let hosts = self.hosts();
        if hosts.len() <= INDEX_THRESHOLD {
            return hosts
                .iter()
                .any(|s| s.matches(arena, u, origin, ignore_paths));
        }
        let (exact_end, suffix_end) = (self.list.exact_end as usize, self.list.suffix_end as usize);
        if let UrlHost::Domain(h) = u.host {
            // Exact hosts equal to the URL's.
            if self.search(0..exact_end, h.as_bytes(), u, origin, ignore_paths) {
                return true;
            }
            // `*.rest` patterns: `.rest` must be a suffix of the host starting at a dot.
            if suffix_end > exact_end {
                let lens = self.list.suffix_lens.of(&self.arena.suffix_lens);
                for (i, _) in h.match_indices('.') {
                    let tail = &h.as_bytes()[i..];
                    if lens.binary_search(&(tail.len() as u32)).is_err() {
                        continue;
                    }
                    if self.search(exact_end..suffix_end, tail, u, origin, ignore_paths) {
                        return true;
                    }
                }
            }
        }
        hosts
            .get(suffix_end..)
            .unwrap_or_default()
            .iter()
            .any(|s| s.matches(arena, u, origin, ignore_paths))
    }

    /// Does a source of the indexed run `range` (sorted by name, with its keys) named exactly
    /// `name` match the URL? A binary search on `(key, name)`, then a scan of the equal run.
    #[inline]
    fn search(
        &self,
        range: core::ops::Range<usize>,
        name: &[u8],
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        let names = self.names();
        let keys = self.list.keys.of(&self.arena.keys);
        let (Some(sources), Some(keys)) = (self.hosts().get(range.clone()), keys.get(range)) else {
            debug_assert!(false, "ranges come from SourceList::index");
            return false;
        };
        let key = name_key(name);
        // The first index whose (key, name) is not below the probe's.
        let (mut lo, mut hi) = (0, keys.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            // `mid < hi <= keys.len() == sources.len()`.
            let below = match keys[mid].cmp(&key) {
                core::cmp::Ordering::Less => true,
                core::cmp::Ordering::Greater => false,
                core::cmp::Ordering::Equal => sources[mid].name(names).unwrap_or_default() < name,
            };
            if below {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        keys[lo..]
            .iter()
            .zip(&sources[lo..])
            .take_while(|(k, s)| **k == key && same_name(s.name(names).unwrap_or_default(), name))
            // The host-part matched: `name` is the URL's host, or a suffix of it at a dot.
            .any(|(_, s)| s.matches_after_host(self.arena, u, origin, ignore_paths))
    }

    /// <https://w3c.github.io/webappsec-csp/#match-nonce-to-source-list>
    #[inline]
    pub(crate) fn matches_nonce(&self, nonce: &str) -> bool {
        // Step 2.
        if nonce.is_empty() {
            return false;
        }
        // Step 3: an exact, case-sensitive compare, no decoding.
        let text = self.text();
        self.list
            .nonces
            .of(&self.arena.nonces)
            .iter()
            .any(|n| n.bytes(text) == nonce.as_bytes())
    }

    /// <https://w3c.github.io/webappsec-csp/#match-integrity-metadata-to-source-list>
    pub(crate) fn matches_integrity(&self, integrity: &str) -> bool {
        let hashes = self.list.hashes.of(&self.arena.hashes);
        // Steps 2-3.
        if hashes.is_empty() {
            return false;
        }
        let text = self.text();
        // Steps 4-7: every recognised SRI item needs an identical hash-source, and there must
        // be at least one item.
        let mut any = false;
        for item in crate::sri::parse_metadata(integrity) {
            any = true;
            let found = hashes
                .binary_search_by(|h| {
                    (h.algorithm, h.value.bytes(text)).cmp(&(item.algorithm, item.value.as_bytes()))
                })
                .is_ok();
            if !found {
                return false;
            }
        }
        any
    }
}

/// A source list compiled on its own, with its own arena (tools and tests; policies share one
/// arena between their lists).
#[derive(Clone, Debug)]
pub(crate) struct OwnedList {
    list: SourceList,
    arena: Arena,
}

impl OwnedList {
    /// Compiles `value` as the value of `directive`, ignoring warnings.
    pub(crate) fn compile(directive: DirectiveKind, value: &str) -> OwnedList {
        let mut arena = Arena::for_text(value);
        let list = SourceList::compile(directive, value, value, 0, &mut arena, &mut |_| {});
        OwnedList { list, arena }
    }

    /// The list, ready for matching.
    #[inline]
    pub(crate) fn as_ref(&self) -> ListRef<'_> {
        ListRef::new(&self.list, &self.arena)
    }
}

/// Compiles the parts of a host-source that [`SourceExpression::parse`] accepted (so the
/// host-part is valid).
fn compile_host(
    scheme: Option<&str>,
    host: &str,
    port: Option<PortPart>,
    path: Option<&str>,
    text: &str,
) -> HostSource {
    let scheme = scheme.map(|s| match scheme::classify_ignore_case(s) {
        0 => SchemeReq {
            mask: 0,
            other: Some(NameRange::of(text, s)),
        },
        b => SchemeReq {
            mask: scheme::part_match_mask(b),
            other: None,
        },
    });
    let port = match port {
        None => PortReq::Default,
        Some(PortPart::Any) => PortReq::Any,
        Some(PortPart::Number(n)) => match u16::try_from(n) {
            Ok(n) => PortReq::Exact(n),
            Err(_) => PortReq::Never,
        },
    };
    let http_80 = port == PortReq::Exact(80)
        && scheme
            .is_some_and(|s| s.other.is_none() && s.mask == scheme::part_match_mask(bit::HTTP));
    HostSource {
        scheme,
        host: HostPattern::from_valid(host, text),
        port,
        path: path.map(|p| NameRange::of(text, p)),
        http_80,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn list(text: &str) -> OwnedList {
        OwnedList::compile(DirectiveKind::ImgSrc, text)
    }

    fn m(expr: &str, origin: &str, url: &str) -> bool {
        m_redirect(expr, origin, url, 0)
    }

    fn m_redirect(expr: &str, origin: &str, url: &str, redirects: u32) -> bool {
        let o = SelfOrigin::new(&Url::parse(origin).unwrap());
        let u = Url::parse(url).unwrap();
        list(expr)
            .as_ref()
            .matches_url(&UrlView::new(&u), &o, redirects)
    }

    const O: &str = "https://o.test/";

    /// The digest's worked examples 1-48 and 58 (49-57 are in `origin.rs`).
    #[test]
    fn digest_worked_examples() {
        // Scheme handling.
        assert!(!m("https:", "https://a.test", "http://b.test/"));
        assert!(m("http:", "https://a.test", "https://b.test/"));
        assert!(m("https:", "https://a.test", "https://b.test:8443/"));
        assert!(m("data:", "https://a.test", "data:image/png;base64,AA"));
        assert!(m("blob:", "https://a.test", "blob:https://a.test/uuid"));
        assert!(!m("https:", "https://a.test", "blob:https://a.test/uuid"));
        assert!(m("ws:", "https://a.test", "wss://b.test/"));
        assert!(m("ws:", "https://a.test", "https://b.test/"));
        assert!(m("wss:", "https://a.test", "https://b.test/"));
        assert!(m("http://b.test", "https://a.test", "https://b.test/"));
        assert!(!m("https://b.test", "http://a.test", "http://b.test/"));
        assert!(!m("https://b.test", "https://a.test", "wss://b.test/"));
        // Schemeless host-sources.
        assert!(m("b.test", "https://a.test", "https://b.test/"));
        assert!(!m("b.test", "https://a.test", "http://b.test/"));
        assert!(m("b.test", "http://a.test", "https://b.test/"));
        assert!(!m("b.test", "https://a.test", "wss://b.test/"));
        assert!(!m("b.test", "http://a.test", "ws://b.test/"));
        // `*`.
        assert!(m("*", "https://a.test", "http://x.test/"));
        assert!(!m("*", "https://a.test", "data:text/plain,hi"));
        assert!(!m("*", "https://a.test", "blob:https://a.test/u"));
        assert!(
            m("*", "https://a.test", "wss://x.test/"),
            "project decision"
        );
        assert!(m("*", "app://local", "app://local/x"));
        assert!(!m("*", "https://a.test", "ftp://x.test/"));
        // Host part.
        assert!(m("*.a.test", O, "https://www.a.test/"));
        assert!(m("*.a.test", O, "https://x.y.a.test/"));
        assert!(!m("*.a.test", O, "https://a.test/"));
        assert!(!m("*.a.test", O, "https://evila.test/"));
        assert!(m("A.TEST", O, "https://a.test/"));
        assert!(m("https://*:8443", O, "https://any.test:8443/"));
        assert!(!m("a.test.", O, "https://a.test/"));
        assert!(!m("a.test", O, "https://a.test./"));
        assert!(
            m("127.0.0.1", "http://o.test", "http://127.0.0.1/"),
            "decision"
        );
        assert!(m("xn--tdaaaaaa.de", O, "https://üüüüüü.de/"));
        // Port part.
        assert!(m("https://a.test", O, "https://a.test:443/"));
        assert!(!m("https://a.test", O, "https://a.test:8443/"));
        assert!(m("https://a.test:443", O, "https://a.test/"));
        assert!(m("http://a.test:80", O, "https://a.test/"), "decision #439");
        assert!(m("http://a.test:8080", O, "https://a.test:8080/"));
        assert!(!m("https://a.test:80", O, "https://a.test/"));
        assert!(m("a.test:*", "https://o.test", "https://a.test:1234/"));
        // Path part.
        assert!(m("https://a.test/js/", O, "https://a.test/js/app.js"));
        assert!(!m("https://a.test/js/", O, "https://a.test/js"));
        assert!(!m("https://a.test/js", O, "https://a.test/js/"));
        assert!(m(
            "https://a.test/js/app.js",
            O,
            "https://a.test/js/app.js?v=3"
        ));
        assert!(m("https://a.test/", O, "https://a.test/anything/at/all"));
        assert!(m("https://a.test/%66oo", O, "https://a.test/foo"));
        assert!(!m("https://a.test/JS/", O, "https://a.test/js/x"));
        assert!(!m("https://a.test/a/", O, "https://a.test/a%2Fb"));
        assert!(m_redirect(
            "https://b.test/only",
            O,
            "https://b.test/other",
            1
        ));
        assert!(!m_redirect(
            "https://b.test/only",
            O,
            "https://b.test/other",
            0
        ));
        // 'none' and lists.
        assert!(!m("'none'", O, "https://o.test/"));
        assert!(m("'none' https://a.test", O, "https://a.test/"));
        assert!(!m("", O, "https://o.test/"));
        assert!(!m("'nonce-x' 'unsafe-inline'", O, "https://o.test/"));
    }

    #[test]
    fn big_lists_match_like_small_ones() {
        let mut hosts: Vec<String> = (0..200).map(|i| format!("h{i}.test")).collect();
        hosts.extend((0..50).map(|i| format!("*.w{i}.test")));
        hosts.push("https://p.test/x/".into());
        hosts.push("*:8443".into());
        hosts.push("10.0.0.1".into());
        let owned = list(&hosts.join(" "));
        let big = owned.as_ref();
        let o = SelfOrigin::new(&Url::parse(O).unwrap());
        for (url, want) in [
            ("https://h0.test/", true),
            ("https://h199.test/a", true),
            ("https://h200.test/", false),
            ("https://a.b.w7.test/", true),
            ("https://w7.test/", false),
            ("https://p.test/x/y", true),
            ("https://p.test/y", false),
            ("https://zzz.test:8443/", true),
            ("https://10.0.0.1/", true),
            ("http://h1.test/", false),
            ("data:,x", false),
        ] {
            let u = Url::parse(url).unwrap();
            let v = UrlView::new(&u);
            assert_eq!(big.matches_url(&v, &o, 0), want, "{url}");
            // The same answer as a linear scan of every source.
            let linear = big
                .hosts()
                .iter()
                .any(|s| s.matches(big.arena, &v, &o, false))
                && v.host.is_some();
            assert_eq!(linear, want, "linear {url}");
        }
    }

    /// Suffixes of many lengths, and hosts far longer than any of them, through the index.
    #[test]
    fn indexed_suffixes_of_every_length() {
        let mut sources: Vec<String> = (0..20).map(|i| format!("e{i}.test")).collect();
        sources.extend((1..12).map(|n| format!("*.{}test", "a.".repeat(n))));
        sources.push("*.b.test".into());
        let owned = list(&sources.join(" "));
        let big = owned.as_ref();
        let lens = big.list.suffix_lens.of(&big.arena.suffix_lens);
        assert!(!lens.is_empty() && lens.windows(2).all(|w| w[0] < w[1]));
        let o = SelfOrigin::new(&Url::parse(O).unwrap());
        for (host, want) in [
            ("x.a.test".to_owned(), true),
            (format!("x.{}test", "a.".repeat(11)), true),
            (format!("{}test", "a.".repeat(12)), true),
            ("a.test".to_owned(), false),
            (format!("{}test", "a.".repeat(5000)), true),
            (format!("{}btest", "a.".repeat(5000)), false),
            ("x.b.test".to_owned(), true),
            ("b.test".to_owned(), false),
        ] {
            let u = Url::parse(&format!("https://{host}/")).unwrap();
            let v = UrlView::new(&u);
            assert_eq!(big.matches_url(&v, &o, 0), want, "{}", &host[..20]);
            let linear = big
                .hosts()
                .iter()
                .any(|s| s.matches(big.arena, &v, &o, false));
            assert_eq!(linear, want);
        }
    }

    #[test]
    fn integrity_against_many_hashes() {
        let hashes: Vec<String> = (0..500)
            .rev()
            .map(|i| format!("'sha{}-h{i}'", [256, 384, 512][i % 3]))
            .collect();
        let owned = list(&hashes.join(" "));
        let l = owned.as_ref();
        assert!(l.matches_integrity("sha256-h0 sha384-h1 sha512-h2 sha256-h498"));
        assert!(l.matches_integrity(&"sha512-h5 ".repeat(1000)));
        assert!(!l.matches_integrity("sha256-h0 sha256-h1"));
        assert!(!l.matches_integrity("sha384-h0"));
        assert!(!l.matches_integrity("sha256-h500"));
    }

    #[test]
    fn name_keys_are_the_first_16_bytes_zero_padded() {
        let text = b"abcdefghijklmnopqrstuvwxyz";
        for n in 0..=text.len() {
            let mut padded = [0u8; 16];
            let m = n.min(16);
            padded[..m].copy_from_slice(&text[..m]);
            assert_eq!(
                name_key(&text[..n]),
                u128::from_be_bytes(padded),
                "length {n}"
            );
        }
    }

    #[test]
    fn nonces_and_integrity() {
        let owned = list("'nonce-abc' 'sha256-AAA=' 'sha384-BBB'");
        let l = owned.as_ref();
        assert!(l.matches_nonce("abc"));
        assert!(!l.matches_nonce("ABC"));
        assert!(!l.matches_nonce(""));
        assert!(l.has_nonce_or_hash());
        assert!(l.matches_integrity("sha256-AAA="));
        assert!(l.matches_integrity("SHA256-AAA=?opt sha384-BBB"));
        assert!(!l.matches_integrity("sha256-AAA= sha512-CCC"));
        assert!(!l.matches_integrity(""));
        assert!(!l.matches_integrity("md5-AAA="));
        assert!(!list("'nonce-abc'")
            .as_ref()
            .matches_integrity("sha256-AAA="));
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// The hot path scans host-sources by the dozen and binary-searches them by the
    /// thousand: keep them small (style rule 12).
    #[test]
    fn compiled_sources_stay_small() {
        let host = core::mem::size_of::<HostPattern>();
        assert!(host <= 12, "HostPattern grew to {host} bytes");
        let source = core::mem::size_of::<HostSource>();
        assert!(source <= 64, "HostSource grew to {source} bytes");
        let list = core::mem::size_of::<SourceList>();
        assert!(list <= 176, "SourceList grew to {list} bytes");
        assert_eq!(
            core::mem::size_of::<Option<NameRange>>(),
            12,
            "a path range should cost 12 bytes"
        );
    }
}
