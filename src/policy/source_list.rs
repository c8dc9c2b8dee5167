//! A compiled source list (CSP3 §2.3.1), its policy's arena, and the host index of long lists.
//!
//! Every token is classified once, when the list is compiled (by the first check that reads
//! it, `lazy_list.rs`), into typed data: keyword bits, a scheme mask, host-sources sorted for
//! binary search, nonces and hashes. The matching algorithms of
//! §6.7.2 over it are in `src/matching/source_list.rs`.

use std::sync::Arc;

use crate::limits::{to_u32, to_usize, Limit, MAX_SOURCES_PER_DIRECTIVE};
use crate::names::directive::DirectiveKind;
use crate::names::keywords::{HashAlgorithm, Keywords};
use crate::names::scheme::SchemeSet;
use crate::parse::source::{PortPart, SourceExpression};
use crate::parse::warning::{ParseWarning, Span};
use crate::policy::host::{HostPattern, NameRange};

/// The port a host-source requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PortReq {
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
pub(crate) struct SchemeReq {
    pub(crate) mask: SchemeSet,
    pub(crate) other: Option<NameRange>,
}

impl SchemeReq {
    /// Compiles a `scheme-part` (any case), a subslice of `text`; a scheme without a bit is
    /// kept as its range, which indexes `text`'s lower-cased copy.
    pub(crate) fn compile(scheme: &str, text: &str) -> SchemeReq {
        match SchemeSet::of_ignore_case(scheme) {
            b if b.is_empty() => SchemeReq {
                mask: SchemeSet::empty(),
                other: Some(NameRange::of(text, scheme)),
            },
            b => SchemeReq {
                mask: b.part_match(),
                other: None,
            },
        }
    }
}

/// One compiled host-source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct HostSource {
    /// The scheme-part; `None` for a schemeless source, which uses the self-origin's scheme.
    pub(crate) scheme: Option<SchemeReq>,
    /// The host-part; its name is in the arena.
    pub(crate) host: HostPattern,
    pub(crate) port: PortReq,
    /// The path-part, as written (it is a valid `path-absolute`), in the arena.
    pub(crate) path: Option<NameRange>,
    /// The source is exactly `http://host:80...`: it also allows https on 443 (issue #439),
    /// as a schemeless `host:80` does on an http origin.
    pub(crate) http_80: bool,
}

impl HostSource {
    /// The exact host, or the suffix (`.rest`) of a `*.rest` pattern: what an indexed list is
    /// sorted and searched by.
    #[inline]
    pub(crate) fn name<'a>(&self, names: &'a str) -> Option<&'a [u8]> {
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
pub(crate) fn name_key(name: &[u8]) -> u128 {
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
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && crate::names::ascii::eq_bytes(
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
pub(crate) struct Run {
    start: u32,
    pub(crate) len: u32,
}

impl Run {
    /// The run that starts at `start` and ends at the vector's current length.
    #[inline]
    fn since(start: usize, end: usize) -> Run {
        Run {
            start: to_u32(start),
            len: to_u32(end - start),
        }
    }

    #[inline]
    pub(crate) fn of<T>(self, v: &[T]) -> &[T] {
        let start = to_usize(self.start);
        v.get(start..start + to_usize(self.len)).unwrap_or_default()
    }

    #[inline]
    fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// A hash-source as stored: algorithm and base64-value (as written, in the arena).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct StoredHash {
    pub(crate) algorithm: HashAlgorithm,
    pub(crate) value: NameRange,
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
    pub(crate) text: Arc<str>,
    /// The text ASCII-lower-cased: host names (a suffix with its leading ".") and scheme
    /// names are ranges of it, so that no name is copied out one by one. The same allocation
    /// as `text` when the text has no upper-case letter (most real headers): reading either
    /// costs the same, and the text is held once.
    pub(crate) lower: Arc<str>,
    pub(crate) hosts: Vec<HostSource>,
    /// For indexed lists: the [`name_key`] of each exact host and suffix.
    pub(crate) keys: Vec<u128>,
    /// For indexed lists: the distinct lengths of the `*.` suffixes, sorted.
    pub(crate) suffix_lens: Vec<u32>,
    pub(crate) nonces: Vec<NameRange>,
    pub(crate) schemes: Vec<NameRange>,
    pub(crate) hashes: Vec<StoredHash>,
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
    pub(crate) keywords: Keywords,
    /// The list holds `*`.
    pub(crate) star: bool,
    /// URL scheme bits allowed by scheme-sources.
    pub(crate) scheme_mask: SchemeSet,
    /// The list holds a nonce- or hash-source, including any dropped over the limit.
    pub(crate) has_nonce_or_hash: bool,
    /// Host-sources: in source order when scanned; when indexed (more than
    /// [`INDEX_THRESHOLD`]), sorted: exact hosts by name, then `*.` suffixes, then the rest.
    pub(crate) hosts: Run,
    /// Indexed lists: the ends of the exact and suffix runs, relative to `hosts.start`.
    pub(crate) exact_end: u32,
    pub(crate) suffix_end: u32,
    /// Indexed lists: runs of the arena's `keys` (one per source of `..suffix_end`) and
    /// `suffix_lens`.
    pub(crate) keys: Run,
    pub(crate) suffix_lens: Run,
    /// Scheme-sources for schemes without a bit, lower-case.
    pub(crate) schemes: Run,
    pub(crate) nonces: Run,
    /// Sorted by (algorithm, value), so that each integrity item is a binary search.
    pub(crate) hashes: Run,
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
        let url_only = directive.source_list_matches_urls_only();
        for token in crate::names::ascii::split_ws(value) {
            tokens += 1;
            let span = Span::new(
                offset + crate::names::ascii::offset_in(value, token),
                token.len(),
            );
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
                        match SchemeSet::of_ignore_case(s) {
                            b if b.is_empty() => arena.schemes.push(NameRange::of(text, s)),
                            b => list.scheme_mask |= b.part_match(),
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
        if to_usize(list.hosts.len) > INDEX_THRESHOLD {
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
        let start = to_usize(self.hosts.start);
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
        self.exact_end = to_u32(exact_end);
        self.suffix_end = to_u32(suffix_end);
        let keys_start = arena.keys.len();
        arena.keys.extend(
            sources[..suffix_end]
                .iter()
                .map(|s| name_key(s.name(names).unwrap_or_default())),
        );
        self.keys = Run::since(keys_start, arena.keys.len());
        let mut lens: Vec<u32> = sources[exact_end..suffix_end]
            .iter()
            .filter_map(|s| s.name(names).map(|n| to_u32(n.len())))
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
    pub(crate) list: &'p SourceList,
    pub(crate) arena: &'p Arena,
}

impl<'p> ListRef<'p> {
    #[inline]
    pub(crate) fn new(list: &'p SourceList, arena: &'p Arena) -> ListRef<'p> {
        ListRef { list, arena }
    }

    /// The lower-cased policy text, which host and scheme names index.
    #[inline]
    pub(crate) fn names(&self) -> &'p str {
        &self.arena.lower
    }

    /// The policy text, which paths, nonces and hashes index.
    #[inline]
    pub(crate) fn text(&self) -> &'p str {
        &self.arena.text
    }

    #[inline]
    pub(crate) fn hosts(&self) -> &'p [HostSource] {
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
            || !l.scheme_mask.is_empty()
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
            other_schemes: to_usize(self.list.schemes.len),
        }
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
    let scheme = scheme.map(|s| SchemeReq::compile(s, text));
    let port = match port {
        None => PortReq::Default,
        Some(PortPart::Any) => PortReq::Any,
        Some(PortPart::Number(n)) => match u16::try_from(n) {
            Ok(n) => PortReq::Exact(n),
            Err(_) => PortReq::Never,
        },
    };
    let http_80 = port == PortReq::Exact(80)
        && scheme.is_some_and(|s| s.other.is_none() && s.mask == SchemeSet::HTTP.part_match());
    HostSource {
        scheme,
        host: HostPattern::from_valid(host, text),
        port,
        path: path.map(|p| NameRange::of(text, p)),
        http_80,
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// The hot path scans host-sources by the dozen and binary-searches them by the
    /// thousand: keep them small.
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

#[cfg(test)]
mod list_tests {
    use super::*;
    use crate::checks::document::DocumentPolicy;
    use crate::names::destination::Destination;
    use crate::names::disposition::{Disposition, PolicySource};
    use crate::{PolicyList, Request};
    use url::Url;

    /// A policy whose lists are all compiled while parsing (`parse_with`): each list reads
    /// its own hosts, schemes, nonces and hashes, never a neighbour's.
    #[test]
    fn every_list_compiled_at_once_reads_its_own_sources() {
        let text = "img-src a.test; script-src b.test c.test 'nonce-n1'; \
            connect-src d.test e.test f.test data:; style-src 'sha256-abc' g.test";
        let list = PolicyList::parse_with(
            text,
            Disposition::Enforce,
            PolicySource::Header,
            &mut |_| {},
        );
        let doc = DocumentPolicy::new(&Url::parse("https://doc.test/").unwrap(), list);
        let check = |url: &str, d: Destination| {
            let u = Url::parse(url).unwrap();
            let allowed = doc.check_request(&Request::new(&u, d)).is_allowed();
            allowed
        };
        assert!(check("https://a.test/i.png", Destination::Image));
        assert!(!check("https://b.test/i.png", Destination::Image));
        assert!(check("https://c.test/s.js", Destination::Script));
        assert!(!check("https://a.test/s.js", Destination::Script));
        assert!(check("https://f.test/api", Destination::Empty));
        assert!(check("data:,x", Destination::Empty));
        assert!(!check("https://c.test/api", Destination::Empty));
        assert!(check("https://g.test/s.css", Destination::Style));
        assert!(!check("https://f.test/s.css", Destination::Style));
    }

    /// An arena's heap is every vector's room, each counted once, by its element size.
    #[test]
    fn arena_heap_counts_every_vector_once() {
        use core::mem::size_of;
        let mut arena = Arena::for_text("");
        arena.hosts = Vec::with_capacity(1);
        arena.keys = Vec::with_capacity(2);
        arena.suffix_lens = Vec::with_capacity(3);
        arena.nonces = Vec::with_capacity(4);
        arena.schemes = Vec::with_capacity(5);
        arena.hashes = Vec::with_capacity(6);
        let room = [
            arena.hosts.capacity() * size_of::<HostSource>(),
            arena.keys.capacity() * size_of::<u128>(),
            arena.suffix_lens.capacity() * size_of::<u32>(),
            arena.nonces.capacity() * size_of::<NameRange>(),
            arena.schemes.capacity() * size_of::<NameRange>(),
            arena.hashes.capacity() * size_of::<StoredHash>(),
        ];
        assert!(room.iter().all(|&r| r > 0));
        assert_eq!(arena.vectors_heap_size(), room.iter().sum::<usize>());
    }

    fn warnings_of(directive: DirectiveKind, value: &str) -> Vec<ParseWarning> {
        let mut arena = Arena::for_text(value);
        let mut out = Vec::new();
        let _ = SourceList::compile(directive, value, value, 0, &mut arena, &mut |w| out.push(w));
        out
    }

    /// CSP3 §2.3.1: `'none'` with other sources is ignored (a warning names it); alone, it
    /// says nothing is allowed and earns no warning.
    #[test]
    fn none_with_other_sources_warns() {
        let w = warnings_of(DirectiveKind::ImgSrc, "'none' a.test");
        assert!(
            matches!(w[..], [ParseWarning::NoneWithOtherSources { .. }]),
            "{w:?}"
        );
        assert!(warnings_of(DirectiveKind::ImgSrc, "'none'").is_empty());
        assert!(warnings_of(DirectiveKind::ImgSrc, "  'none'  ").is_empty());
    }

    /// Keywords other than `'self'` mean nothing in the lists that only ever match URLs
    /// (base-uri, form-action, frame-ancestors): a warning says so; in fetch directives they
    /// are no warning.
    #[test]
    fn keywords_in_url_only_lists_warn() {
        let w = warnings_of(DirectiveKind::FormAction, "'unsafe-inline' 'self'");
        assert!(
            matches!(w[..], [ParseWarning::IneffectiveSource { .. }]),
            "{w:?}"
        );
        assert!(warnings_of(DirectiveKind::FormAction, "'self' a.test").is_empty());
        assert!(warnings_of(DirectiveKind::FrameSrc, "'unsafe-inline' 'self'").is_empty());
        assert!(warnings_of(DirectiveKind::ScriptSrc, "'unsafe-inline' 'self'").is_empty());
        assert!(warnings_of(DirectiveKind::StyleSrc, "'unsafe-hashes'").is_empty());
    }

    /// A source's `?query` or `#fragment` is ignored, and the warning's span is exactly that
    /// part of the value.
    #[test]
    fn an_ignored_query_is_spanned_exactly() {
        let value = "a.test https://b.test/p?q=1 c.test";
        let w = warnings_of(DirectiveKind::ImgSrc, value);
        let [ParseWarning::IgnoredQuery { span }] = w[..] else {
            panic!("{w:?}");
        };
        assert_eq!(&value[span.start..span.end], "?q=1");
    }

    /// Host names are compared lower-cased, whatever the number of upper-case letters in the
    /// policy's text (the lower-cased copy is made when there is any).
    #[test]
    fn upper_case_hosts_match_in_any_number() {
        for text in [
            "img-src HTTPS://AB.TEST",
            "img-src https://Ab.test",
            "img-src https://AB.test",
        ] {
            let list = PolicyList::parse(text, Disposition::Enforce, PolicySource::Header);
            let doc = DocumentPolicy::new(&Url::parse("https://doc.test/").unwrap(), list);
            let u = Url::parse("https://ab.test/i.png").unwrap();
            let allowed = doc
                .check_request(&Request::new(&u, Destination::Image))
                .is_allowed();
            assert!(allowed, "{text}");
        }
    }

    /// `same_name` compares what the search key leaves out: the length and the bytes past 16.
    #[test]
    fn same_name_compares_past_the_key() {
        assert!(same_name(
            b"a-long-shared-prefix-1.test",
            b"a-long-shared-prefix-1.test"
        ));
        assert!(!same_name(
            b"a-long-shared-prefix-1.test",
            b"a-long-shared-prefix-2.test"
        ));
        assert!(!same_name(
            b"a-long-shared-prefix-1.test",
            b"a-long-shared-prefix-1.tests"
        ));
        assert!(!same_name(b"0123456789abcdef", b"0123456789abcdef0"));
        assert!(same_name(b"short", b"short"));
    }
}
