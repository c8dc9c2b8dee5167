//! One source expression: the `source-expression` grammar of CSP3 §2.3.1, classified.
//!
//! The parser keeps every token of a directive (as the spec does), and compiles each one once
//! through [`SourceExpression::parse`]. A token that fits no production is
//! [`SourceExpression::Invalid`]: it is inert, it never matches anything, and the parser
//! reports it as a warning.

use core::fmt;

use crate::names::ascii::{self, all, is, ALPHA, BASE64, DIGIT, HOST, PCHAR, SCHEME};
use crate::names::keywords::{HashAlgorithm, Keywords};
use crate::names::scheme::is_scheme;
use crate::parse::parts::{is_host_part, is_path_part};

/// Why a token is not a valid source expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidSource {
    /// A quoted token that is no keyword, nonce or hash (`'unsafe-everything'`, `'self`).
    UnknownKeyword,
    /// `'nonce-...'` whose value is not a `base64-value`.
    BadNonce,
    /// `'shaNNN-...'` whose value is not a `base64-value`.
    BadHash,
    /// A scheme that is not `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    BadScheme,
    /// A host that does not fit `host-part` (empty labels, `_`, a misplaced `*` ...).
    BadHost,
    /// A port that is neither digits nor `*`.
    BadPort,
    /// A path that is not an RFC 3986 `path-absolute`.
    BadPath,
    /// A `?` or `#` directly after the host or port, with no path before it.
    QueryWithoutPath,
}

impl InvalidSource {
    /// A short English explanation.
    pub const fn description(self) -> &'static str {
        match self {
            InvalidSource::UnknownKeyword => "not a CSP keyword, nonce or hash",
            InvalidSource::BadNonce => "the nonce value is not base64 or base64url",
            InvalidSource::BadHash => "the hash value is not base64 or base64url",
            InvalidSource::BadScheme => "the scheme is not a valid URL scheme",
            InvalidSource::BadHost => "the host is not a valid host pattern",
            InvalidSource::BadPort => "the port is neither a number nor *",
            InvalidSource::BadPath => "the path is not a valid absolute path",
            InvalidSource::QueryWithoutPath => "a query or fragment needs a path before it",
        }
    }
}

impl fmt::Display for InvalidSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A port-part, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortPart {
    /// `*`.
    Any,
    /// A number. Values above 65535 are kept saturated at `u32::MAX`; they match no URL.
    Number(u32),
}

/// A source expression, classified by the CSP3 grammar. Borrows the token.
///
/// # Example
///
/// ```
/// use cspgate::{SourceExpression, PortPart};
///
/// match SourceExpression::parse("https://*.cdn.test:8443/js/") {
///     SourceExpression::Host { scheme, host, port, path, .. } => {
///         assert_eq!(scheme, Some("https"));
///         assert_eq!(host, "*.cdn.test");
///         assert_eq!(port, Some(PortPart::Number(8443)));
///         assert_eq!(path, Some("/js/"));
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(SourceExpression::parse("'none'"), SourceExpression::None));
/// assert!(SourceExpression::parse("https://a_b.test").is_invalid());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceExpression<'a> {
    /// `'none'`: means "nothing" only when it is the whole list.
    None,
    /// `*`.
    Star,
    /// A `keyword-source`.
    Keyword(Keywords),
    /// A `scheme-source` (`https:`); the scheme without its colon.
    Scheme(&'a str),
    /// A `host-source`.
    Host {
        /// The scheme-part, if given.
        scheme: Option<&'a str>,
        /// The host-part as written.
        host: &'a str,
        /// The port-part, if given.
        port: Option<PortPart>,
        /// The path-part, if given.
        path: Option<&'a str>,
        /// A query or fragment that followed the path and was ignored (see
        /// `docs/spec-deviations.md`).
        ignored_suffix: Option<&'a str>,
    },
    /// `'nonce-...'`: the base64-value.
    Nonce(&'a str),
    /// `'shaNNN-...'`: the algorithm and the base64-value as written.
    Hash(HashAlgorithm, &'a str),
    /// Fits no production: inert.
    Invalid(InvalidSource),
}

impl<'a> SourceExpression<'a> {
    /// Classifies one token of a source list. Never fails: a token that fits no production is
    /// [`SourceExpression::Invalid`].
    pub fn parse(token: &'a str) -> SourceExpression<'a> {
        if token == "*" {
            return SourceExpression::Star;
        }
        if token.starts_with('\'') {
            return parse_quoted(token);
        }
        // scheme-source = scheme-part ":" -- only when the token ends right after the colon.
        if let Some(scheme) = token.strip_suffix(':') {
            if is_scheme(scheme) {
                return SourceExpression::Scheme(scheme);
            }
        }
        parse_host_source(token)
    }

    /// Is this token inert because it fits no production?
    pub fn is_invalid(&self) -> bool {
        matches!(self, SourceExpression::Invalid(_))
    }
}

/// Is `s` a `base64-value`: `1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2"="`?
pub(crate) fn is_base64_value(s: &str) -> bool {
    let b = s.as_bytes();
    let body = b.len() - b.iter().rev().take(2).take_while(|&&c| c == b'=').count();
    body > 0 && all(&b[..body], BASE64)
}

fn parse_quoted(token: &str) -> SourceExpression<'_> {
    if token.eq_ignore_ascii_case("'none'") {
        return SourceExpression::None;
    }
    if let Some(k) = Keywords::from_token(token) {
        return SourceExpression::Keyword(k);
    }
    let Some(inner) = token.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) else {
        return SourceExpression::Invalid(InvalidSource::UnknownKeyword);
    };
    if let Some(value) = ascii::strip_prefix_ignore_case(inner, "nonce-") {
        return if is_base64_value(value) {
            SourceExpression::Nonce(value)
        } else {
            SourceExpression::Invalid(InvalidSource::BadNonce)
        };
    }
    if let Some((alg, value)) = inner.split_once('-') {
        if let Some(alg) = HashAlgorithm::from_name(alg) {
            return if is_base64_value(value) {
                SourceExpression::Hash(alg, value)
            } else {
                SourceExpression::Invalid(InvalidSource::BadHash)
            };
        }
    }
    SourceExpression::Invalid(InvalidSource::UnknownKeyword)
}

/// The first "://" of `token` at or after `from`.
#[inline]
fn find_scheme_separator(token: &str, from: usize) -> Option<usize> {
    let b = token.as_bytes();
    let mut at = from;
    while let Some(i) = b.get(at..)?.iter().position(|&c| c == b':') {
        if b.get(at + i..at + i + 3) == Some(b"://") {
            return Some(at + i);
        }
        at += i + 1;
    }
    None
}

/// The common shapes of a valid host-source, in one pass over the token: an optional
/// `scheme://`, a host-part, an optional numeric or `*` port, an optional path without `%`.
///
/// Returns `None` for anything else (a query, a percent escape, any invalid byte), which
/// [`parse_host_source`] then classifies in full; where this returns a result, it is the one
/// [`parse_host_source`] would give (`tests::fast_path_agrees_with_the_general_parser`).
#[inline]
fn fast_host_source(token: &str) -> Option<SourceExpression<'_>> {
    let b = token.as_bytes();
    let n = b.len();
    let mut i = 0;
    // `[ scheme-part "://" ]`: scheme characters never include a delimiter, so a run of them
    // followed by "://" is the scheme-part.
    let mut scheme = None;
    if b.first().is_some_and(|&c| is(c, ALPHA)) {
        let mut j = 1;
        while j < n && is(b[j], SCHEME) {
            j += 1;
        }
        if b.get(j..j + 3) == Some(b"://") {
            scheme = Some(token.get(..j)?);
            i = j + 3;
        }
    }
    // `host-part = "*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`.
    let host_start = i;
    let labels_expected = if b.get(i) == Some(&b'*') {
        i += 1;
        if b.get(i) == Some(&b'.') {
            i += 1;
            true
        } else {
            false
        }
    } else {
        true
    };
    if labels_expected {
        let (mut label, mut dots) = (0usize, 0usize);
        while let Some(&c) = b.get(i) {
            if is(c, HOST) {
                label += 1;
            } else if c == b'.' && label > 0 {
                label = 0;
                dots += 1;
            } else {
                break;
            }
            i += 1;
        }
        // A last label, or a trailing "." after at least one label.
        let prefix_dot = b.get(host_start) == Some(&b'*');
        if label == 0 && (dots == 0 || b.get(i.wrapping_sub(1)) != Some(&b'.')) {
            return None;
        }
        // `*.` needs a label of its own after it (`*.` alone is no host).
        if prefix_dot && label == 0 && dots == 0 {
            return None;
        }
    }
    let host = token.get(host_start..i)?;
    // `[ ":" port-part ]`, `port-part = 1*DIGIT / "*"`.
    let mut port = None;
    if b.get(i) == Some(&b':') {
        i += 1;
        if b.get(i) == Some(&b'*') {
            i += 1;
            port = Some(PortPart::Any);
        } else {
            let digits = b.get(i..)?.iter().take_while(|&&c| is(c, DIGIT)).count();
            if digits == 0 {
                return None;
            }
            let n = b[i..i + digits].iter().fold(0u32, |n, &d| {
                n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
            });
            port = Some(PortPart::Number(if n > 65535 { u32::MAX } else { n }));
            i += digits;
        }
    }
    // `[ path-part ]`: "/" then path characters, the first segment not empty; no "%" (the
    // general parser checks escapes).
    let path_start = i;
    if b.get(i) == Some(&b'/') {
        if b.get(i + 1) == Some(&b'/') {
            return None;
        }
        i += 1;
        while let Some(&c) = b.get(i) {
            if c != b'/' && !is(c, PCHAR) {
                return None;
            }
            i += 1;
        }
    }
    if i != n {
        return None;
    }
    let path = token.get(path_start..)?;
    Some(SourceExpression::Host {
        scheme,
        host,
        port,
        path: if path.is_empty() { None } else { Some(path) },
        ignored_suffix: None,
    })
}

/// `host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]`
fn parse_host_source(token: &str) -> SourceExpression<'_> {
    match fast_host_source(token) {
        Some(expr) => expr,
        None => parse_host_source_general(token),
    }
}

/// [`parse_host_source`] for every token, the unusual ones included.
fn parse_host_source_general(token: &str) -> SourceExpression<'_> {
    // `[ scheme-part "://" ]` only when a scheme precedes the first "://". Otherwise a "://"
    // after a "/" belongs to the path (`a.test/x://y` is host `a.test`, path `/x://y`); one
    // before any "/" could only end a host or port, which it never validly does.
    //
    // Byte scans (the delimiters are ASCII, so every cut is a char boundary): the first
    // delimiter decides whether a scheme-part is there; only tokens with another ":" are
    // searched for a later "://".
    let b = token.as_bytes();
    let is_delim = |c: &u8| matches!(c, b':' | b'/' | b'?' | b'#');
    let first = b.iter().position(is_delim);
    let (scheme, start) = match first {
        Some(i) if b.get(i..i + 3) == Some(b"://") => {
            let scheme = &token[..i];
            if !is_scheme(scheme) {
                return SourceExpression::Invalid(InvalidSource::BadScheme);
            }
            (Some(scheme), i + 3)
        }
        Some(i) => {
            // A later first "://" is part of a path when a "/" comes before it.
            if let Some(sep) = find_scheme_separator(token, i) {
                if !b[..sep].contains(&b'/') {
                    return SourceExpression::Invalid(InvalidSource::BadScheme);
                }
            }
            (None, 0)
        }
        None => (None, 0),
    };
    // After the scheme: the first `:` or `/` ends the host, the first `?` or `#` the path.
    let rest = b.get(start..).unwrap_or_default();
    let (host_end, query) = match rest.iter().position(is_delim) {
        Some(d) if matches!(rest[d], b'?' | b'#') => (None, Some(start + d)),
        Some(d) => (
            Some(start + d),
            rest[d..]
                .iter()
                .position(|&c| c == b'?' || c == b'#')
                .map(|q| start + d + q),
        ),
        None => (None, None),
    };
    // DEVIATION (docs/spec-deviations.md, "query or fragment in a source"): engines drop a
    // query or fragment that follows a path; by the grammar the token would be invalid.
    let end = query.unwrap_or(token.len());
    let (main, ignored_suffix) = (&token[start..end], query.map(|q| &token[q..]));
    let host_end = host_end.map_or(main.len(), |h| h - start);
    let host = &main[..host_end];
    let after_host = &main[host_end..];
    let (port_text, path) = match after_host.strip_prefix(':') {
        Some(p) => {
            let end = p.bytes().position(|c| c == b'/').unwrap_or(p.len());
            (Some(&p[..end]), &p[end..])
        }
        None => (None, after_host),
    };
    if !is_host_part(host) {
        return SourceExpression::Invalid(InvalidSource::BadHost);
    }
    let port = match port_text {
        None => None,
        Some("*") => Some(PortPart::Any),
        Some(p) if !p.is_empty() && all(p.as_bytes(), DIGIT) => {
            let n = p.bytes().fold(0u32, |n, d| {
                n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
            });
            Some(PortPart::Number(if n > 65535 { u32::MAX } else { n }))
        }
        Some(_) => return SourceExpression::Invalid(InvalidSource::BadPort),
    };
    if ignored_suffix.is_some() && path.is_empty() {
        return SourceExpression::Invalid(InvalidSource::QueryWithoutPath);
    }
    if !path.is_empty() && !is_path_part(path) {
        return SourceExpression::Invalid(InvalidSource::BadPath);
    }
    SourceExpression::Host {
        scheme,
        host,
        port,
        path: if path.is_empty() { None } else { Some(path) },
        ignored_suffix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SourceExpression as S;

    /// The general host-source parser, without the fast path.
    fn general(token: &str) -> SourceExpression<'_> {
        parse_host_source_general(token)
    }

    #[test]
    fn fast_path_agrees_with_the_general_parser() {
        const PIECES: &[&str] = &[
            "https", "http", "a", "A", "b-c", "1", "0x", "*", ".", ":", "/", "//", "://", "?", "#",
            "%", "%41", "+", "_", "~", "@", "!", "8080", "99999", "é", " ", "test", "x:y",
        ];
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut fast_answers = 0;
        for _ in 0..200_000 {
            let token: String = (0..1 + next(8))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            if let Some(fast) = fast_host_source(&token) {
                fast_answers += 1;
                assert_eq!(fast, general(&token), "{token:?}");
            }
        }
        for token in [
            "https://a.test",
            "*.a.test",
            "a.test:8080/x/",
            "https://*:*",
            "a.test.",
            "*.a.",
            "127.0.0.1",
            "a.test/x://y",
            "https://a.test/p:q@r!$&'()*+=-._~",
        ] {
            assert_eq!(fast_host_source(token), Some(general(token)), "{token}");
        }
        for token in [
            "*.", "a..b", "a.test?x", "a/%41", "a.test:", "*a", "//a", "a//b", ":80",
        ] {
            assert_eq!(fast_host_source(token), None, "{token}");
        }
        assert!(
            fast_answers > 1_000,
            "the generator rarely reaches the fast path"
        );
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(S::parse("'SELF'"), S::Keyword(Keywords::SELF));
        assert_eq!(
            S::parse("'Unsafe-Inline'"),
            S::Keyword(Keywords::UNSAFE_INLINE)
        );
        assert_eq!(S::parse("'NONE'"), S::None);
        assert_eq!(S::parse("'self"), S::Invalid(InvalidSource::UnknownKeyword));
        assert_eq!(
            S::parse("'wasm-eval'"),
            S::Invalid(InvalidSource::UnknownKeyword)
        );
        for (t, k) in crate::names::keywords::KEYWORD_TOKENS {
            assert_eq!(S::parse(t), S::Keyword(*k));
            assert_eq!(k.token(), Some(*t));
        }
        // Unquoted keywords are host names.
        assert!(matches!(S::parse("self"), S::Host { host: "self", .. }));
    }

    #[test]
    fn nonces_and_hashes() {
        assert_eq!(S::parse("'nonce-abc'"), S::Nonce("abc"));
        assert_eq!(S::parse("'NONCE-a+/_-b=='"), S::Nonce("a+/_-b=="));
        assert_eq!(S::parse("'nonce-'"), S::Invalid(InvalidSource::BadNonce));
        assert_eq!(
            S::parse("'nonce-a==='"),
            S::Invalid(InvalidSource::BadNonce)
        );
        assert_eq!(S::parse("'nonce-=='"), S::Invalid(InvalidSource::BadNonce));
        assert_eq!(S::parse("'nonce-a=b'"), S::Invalid(InvalidSource::BadNonce));
        assert_eq!(
            S::parse("'SHA256-abc='"),
            S::Hash(HashAlgorithm::Sha256, "abc=")
        );
        assert_eq!(
            S::parse("'sha512-a-b_c'"),
            S::Hash(HashAlgorithm::Sha512, "a-b_c")
        );
        assert_eq!(
            S::parse("'sha1-abc'"),
            S::Invalid(InvalidSource::UnknownKeyword)
        );
        assert_eq!(S::parse("'sha256-'"), S::Invalid(InvalidSource::BadHash));
        assert_eq!(
            S::parse("'sha-256-abc'"),
            S::Invalid(InvalidSource::UnknownKeyword)
        );
    }

    #[test]
    fn schemes_and_hosts() {
        assert_eq!(S::parse("https:"), S::Scheme("https"));
        assert_eq!(S::parse("custom.x-y+z:"), S::Scheme("custom.x-y+z"));
        assert_eq!(S::parse("*"), S::Star);
        assert_eq!(
            S::parse("localhost:8080"),
            S::Host {
                scheme: None,
                host: "localhost",
                port: Some(PortPart::Number(8080)),
                path: None,
                ignored_suffix: None
            }
        );
        assert_eq!(
            S::parse("*:*"),
            S::Host {
                scheme: None,
                host: "*",
                port: Some(PortPart::Any),
                path: None,
                ignored_suffix: None
            }
        );
        assert_eq!(
            S::parse("https://a.test:99999"),
            S::Host {
                scheme: Some("https"),
                host: "a.test",
                port: Some(PortPart::Number(u32::MAX)),
                path: None,
                ignored_suffix: None
            }
        );
        assert_eq!(
            S::parse("https://cdn.test/lib/app.js?v=2"),
            S::Host {
                scheme: Some("https"),
                host: "cdn.test",
                port: None,
                path: Some("/lib/app.js"),
                ignored_suffix: Some("?v=2")
            }
        );
        assert_eq!(
            S::parse("a.test?x"),
            S::Invalid(InvalidSource::QueryWithoutPath)
        );
        assert_eq!(S::parse("1a:"), S::Invalid(InvalidSource::BadPort));
        assert_eq!(S::parse("https://"), S::Invalid(InvalidSource::BadHost));
        assert_eq!(
            S::parse("http://a.test:"),
            S::Invalid(InvalidSource::BadPort)
        );
        assert_eq!(
            S::parse("http://a.test:8a"),
            S::Invalid(InvalidSource::BadPort)
        );
        assert_eq!(S::parse("1http://a"), S::Invalid(InvalidSource::BadScheme));
        assert_eq!(S::parse("a?x://b"), S::Invalid(InvalidSource::BadScheme));
        // Found in review for the differential fuzzer: a "://" inside the path is no scheme
        // delimiter (`host-part path-part`; `path-absolute` allows ":" and empty segments).
        assert_eq!(
            S::parse("a.test/x://y"),
            S::Host {
                scheme: None,
                host: "a.test",
                port: None,
                path: Some("/x://y"),
                ignored_suffix: None
            }
        );
        assert_eq!(
            S::parse("https://a.test/x://y"),
            S::Host {
                scheme: Some("https"),
                host: "a.test",
                port: None,
                path: Some("/x://y"),
                ignored_suffix: None
            }
        );
        assert_eq!(
            S::parse("a/?q://z"),
            S::Host {
                scheme: None,
                host: "a",
                port: None,
                path: Some("/"),
                ignored_suffix: Some("?q://z")
            }
        );
        assert_eq!(S::parse("a.test/x y"), S::Invalid(InvalidSource::BadPath));
        assert_eq!(S::parse("a.test//x"), S::Invalid(InvalidSource::BadPath));
        assert_eq!(S::parse("[::1]"), S::Invalid(InvalidSource::BadHost));
        assert_eq!(S::parse("a.test,"), S::Invalid(InvalidSource::BadHost));
    }

    #[test]
    fn base64_value_grammar() {
        assert!(is_base64_value("a"));
        assert!(is_base64_value("a="));
        assert!(is_base64_value("a=="));
        assert!(!is_base64_value("a==="));
        assert!(!is_base64_value(""));
        assert!(!is_base64_value("="));
        assert!(!is_base64_value("a b"));
    }
}
