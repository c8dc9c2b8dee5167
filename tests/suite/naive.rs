//! A deliberately naive, spec-literal oracle for Content Security Policy Level 3.
//!
//! This module is a transcription of the algorithms of the CSP3 editor's draft
//! (w3c/webappsec-csp `index.bs` @3e24aea, plus PR #821), one function per spec
//! algorithm, each opened with a link to the algorithm's anchor and carrying the
//! spec's step numbers as comments. It is slow on purpose: policies stay raw strings
//! (directive name -> value tokens) exactly as "parse a serialized CSP" produces
//! them, and every token is re-examined against the ABNF grammar each time it is
//! consulted. The `url` crate is used only to parse URLs and read their parts.
//!
//! It is completely independent of the `cspgate` crate, so that the two can be
//! compared by differential tests and fuzzers. It must never panic on any input.
//!
//! Where all three browser engines agree against the letter of the spec, the
//! project follows the engines; every such place is marked `// DECISION:` with the
//! decision's name (see `tests/conformance/CASES.md`, "Decisions a runner must know").

// The oracle is shared by the tests of `tests/suite/` and by the fuzz targets.

use base64::Engine as _;
use sha2::Digest as _;
use url::{Host, Url};

// ---------------------------------------------------------------------------------------
// Public data model
// ---------------------------------------------------------------------------------------

/// A policy as §2.2 defines it: an ordered directive set (name -> value tokens, as
/// "parse a serialized CSP" produced them), a disposition and a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NaivePolicy {
    pub(crate) directives: Vec<(String, Vec<String>)>,
    pub(crate) disposition: Disposition,
    pub(crate) source: Source,
}

/// <https://w3c.github.io/webappsec-csp/#content-security-policy-object-disposition>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Disposition {
    Enforce,
    Report,
}

/// <https://w3c.github.io/webappsec-csp/#content-security-policy-object-source>
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Header,
    Meta,
}

/// The parts of a Fetch request the CSP algorithms read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NaiveRequest<'a> {
    /// The request's current URL (after redirects, if any).
    pub(crate) url: &'a str,
    /// The request's destination (`""`, `script`, `image`, ...).
    pub(crate) destination: &'a str,
    /// The request's initiator (`""`, `prefetch`, `prerender`, ...).
    pub(crate) initiator: &'a str,
    /// The request's redirect count.
    pub(crate) redirect_count: u32,
    /// The request's cryptographic nonce metadata.
    pub(crate) nonce: &'a str,
    /// The request's integrity metadata (an SRI metadata string).
    pub(crate) integrity: &'a str,
    /// The request's parser metadata: `parser-inserted`, `not-parser-inserted` or `""`.
    pub(crate) parser_metadata: &'a str,
}

/// One violation: the effective directive it names, the violated policy's
/// disposition, and the index of that policy in the list given to the check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NaiveViolation {
    /// The violation's effective directive name.
    pub(crate) directive: String,
    pub(crate) disposition: Disposition,
    pub(crate) policy_index: usize,
    /// The violation's sample (only the Trusted Types algorithms set one here).
    pub(crate) sample: String,
}

/// The result of a check over a whole policy list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NaiveOutcome {
    /// True when at least one enforced policy blocked.
    pub(crate) blocked: bool,
    /// Every violation, report-only ones included, in policy order.
    pub(crate) violations: Vec<NaiveViolation>,
}

impl NaiveOutcome {
    /// Records a violation of `policy` for `directive` ("report a violation"), and blocks when
    /// the policy is enforced (the step after it in every algorithm).
    fn record(&mut self, directive: String, policy: &NaivePolicy, policy_index: usize) {
        self.record_with_sample(directive, policy, policy_index, String::new());
    }

    /// [`NaiveOutcome::record`] for a violation with a sample.
    fn record_with_sample(
        &mut self,
        directive: String,
        policy: &NaivePolicy,
        policy_index: usize,
        sample: String,
    ) {
        self.violations.push(NaiveViolation {
            directive,
            disposition: policy.disposition,
            policy_index,
            sample,
        });
        if policy.disposition == Disposition::Enforce {
            self.blocked = true;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Internal vocabulary
// ---------------------------------------------------------------------------------------

/// "`Allowed`" / "`Blocked`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    Allowed,
    Blocked,
}

/// "`Matches`" / "`Does Not Match`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    Matches,
    DoesNotMatch,
}

/// "`Yes`" / "`No`" of §6.8.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Execute {
    Yes,
    No,
}

/// A tuple origin (scheme, host, port), the port null when it is the default port
/// of the scheme (as a URL's port would be).
#[derive(Clone, Debug, PartialEq, Eq)]
struct TupleOrigin {
    scheme: String,
    host: Host<String>,
    port: Option<u16>,
}

/// The CSP list's self-origin (§2.2), here the origin of the protected document's URL.
#[derive(Clone, Debug)]
struct SelfOrigin {
    /// The scheme used wherever the spec reads "origin's scheme" (`*` and schemeless
    /// host-sources). For an opaque origin it is the document URL's scheme.
    scheme: String,
    /// The tuple origin; `None` when the origin is opaque ('self' then matches nothing).
    tuple: Option<TupleOrigin>,
}

/// A request as the algorithms see it: its current URL already parsed.
struct Request<'a> {
    url: Url,
    destination: &'a str,
    initiator: &'a str,
    redirect_count: u32,
    nonce: &'a str,
    integrity: &'a str,
    parser_metadata: &'a str,
}

/// The element parts the inline algorithms read (null for `javascript:` navigations).
struct Element<'a> {
    /// The value of the element's `nonce` attribute; empty means "no nonce attribute".
    nonce: &'a str,
    parser_inserted: bool,
}

/// <https://url.spec.whatwg.org/#default-port>
fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "ftp" => Some(21),
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// <https://url.spec.whatwg.org/#special-scheme>
fn is_special_scheme(scheme: &str) -> bool {
    matches!(scheme, "ftp" | "file" | "http" | "https" | "ws" | "wss")
}

/// <https://html.spec.whatwg.org/multipage/browsers.html#concept-origin>: a URL's origin,
/// `None` when opaque.
fn origin_of(url: &Url) -> Option<TupleOrigin> {
    match url.origin() {
        url::Origin::Tuple(scheme, host, port) => {
            let port = if Some(port) == default_port(&scheme) {
                None
            } else {
                Some(port)
            };
            Some(TupleOrigin { scheme, host, port })
        }
        url::Origin::Opaque(_) => None,
    }
}

/// The self-origin of the document at `document_url` and `req` as the algorithms see it;
/// `None` when either URL does not parse.
fn request_in_document<'a>(
    document_url: &str,
    req: &NaiveRequest<'a>,
) -> Option<(SelfOrigin, Request<'a>)> {
    let document = Url::parse(document_url).ok()?;
    let url = Url::parse(req.url).ok()?;
    let request = Request {
        url,
        destination: req.destination,
        initiator: req.initiator,
        redirect_count: req.redirect_count,
        nonce: req.nonce,
        integrity: req.integrity,
        parser_metadata: req.parser_metadata,
    };
    Some((self_origin_for(&document), request))
}

/// The self-origin of a CSP list parsed from the response at `document` (§2.2.2 step 4).
fn self_origin_for(document: &Url) -> SelfOrigin {
    let tuple = origin_of(document);
    let scheme = match &tuple {
        Some(t) => t.scheme.clone(),
        // An opaque origin has no scheme; keep the document URL's scheme as the
        // "origin scheme" for `*` and schemeless host-sources.
        None => document.scheme().to_string(),
    };
    SelfOrigin { scheme, tuple }
}

/// <https://infra.spec.whatwg.org/#ascii-whitespace>: TAB, LF, FF, CR, SPACE.
fn is_ascii_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

/// <https://infra.spec.whatwg.org/#ascii-case-insensitive>
fn ascii_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Does the policy contain a directive named `name`?
fn policy_contains(policy: &NaivePolicy, name: &str) -> bool {
    policy.directives.iter().any(|(n, _)| n == name)
}

/// The value of the policy's directive named `name`, if any.
fn directive_value<'p>(policy: &'p NaivePolicy, name: &str) -> Option<&'p [String]> {
    policy
        .directives
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// Steps 3.1-3.2 of <https://w3c.github.io/webappsec-csp/#can-compile-strings> and
/// <https://w3c.github.io/webappsec-csp/#can-compile-wasm-bytes>: the policy's `script-src`,
/// else its `default-src`; `None` when it has neither.
fn script_src_or_default_src(policy: &NaivePolicy) -> Option<&[String]> {
    directive_value(policy, "script-src").or_else(|| directive_value(policy, "default-src"))
}

/// Does the source list contain an expression ASCII case-insensitively equal to `keyword`?
fn list_contains_keyword(list: &[String], keyword: &str) -> bool {
    list.iter().any(|e| ascii_ci(e, keyword))
}

// ---------------------------------------------------------------------------------------
// Parsing (§2.2)
// ---------------------------------------------------------------------------------------

/// <https://w3c.github.io/webappsec-csp/#parse-serialized-policy>
///
/// Literal §2.2.1: no `<meta>` removals here (HTML applies those afterwards, see
/// [`parse_policy_list`]).
pub(crate) fn parse_serialized_policy(
    text: &str,
    disposition: Disposition,
    source: Source,
) -> NaivePolicy {
    // Step 1. (The input is already a string.)
    // Step 2.
    let mut policy = NaivePolicy {
        directives: Vec::new(),
        disposition,
        source,
    };
    // Step 3. Strictly split on ";".
    for token in text.split(';') {
        // Step 3.1.
        let token = token.trim_matches(is_ascii_whitespace);
        // Step 3.2.
        if token.is_empty() || !token.is_ascii() {
            continue;
        }
        // Step 3.3.
        let name_end = token.find(is_ascii_whitespace).unwrap_or(token.len());
        let directive_name = &token[..name_end];
        // Step 3.4.
        let directive_name = directive_name.to_ascii_lowercase();
        // Step 3.5.
        if policy_contains(&policy, &directive_name) {
            continue;
        }
        // Step 3.6. Split the token on ASCII whitespace; the first item is the name
        // itself, which every implementation (and the conformance cases) leave out.
        let directive_value: Vec<String> = token
            .split(is_ascii_whitespace)
            .filter(|s| !s.is_empty())
            .skip(1)
            .map(str::to_string)
            .collect();
        // Steps 3.7-3.8.
        policy.directives.push((directive_name, directive_value));
    }
    // Step 4.
    policy
}

/// <https://w3c.github.io/webappsec-csp/#parse-response-csp> for one header value, or
/// HTML's `<meta http-equiv=Content-Security-Policy>` processing for one meta content.
///
/// Header: the value is split on `,` (extracting header list values) and each piece is
/// parsed; policies with an empty directive set are dropped (§2.2.2 step 2.2).
/// Meta: the whole text is one policy; `report-uri`, `frame-ancestors` and `sandbox`
/// are removed (HTML, CSP3 §3.3); a policy left empty is dropped too (it is inert); a
/// report-only meta is ignored (HTML has no such pragma).
pub(crate) fn parse_policy_list(
    text: &str,
    disposition: Disposition,
    source: Source,
) -> Vec<NaivePolicy> {
    let mut policies = Vec::new();
    match source {
        Source::Header => {
            // §2.2.2 step 2: for each token of the header list values.
            for token in text.split(',') {
                // Step 2.1.
                let policy = parse_serialized_policy(token, disposition, source);
                // Step 2.2.
                if !policy.directives.is_empty() {
                    policies.push(policy);
                }
            }
        }
        Source::Meta => {
            // HTML's `http-equiv` attribute has a "Content security policy" state only
            // (HTML §4.2.5.3, pragma directives): there is no report-only pragma, so a
            // report-only <meta> policy never reaches "parse a serialized CSP".
            if disposition == Disposition::Report {
                return policies;
            }
            // HTML: parse the content as one serialized CSP with source "meta".
            let mut policy = parse_serialized_policy(text, disposition, source);
            // HTML: remove all report-uri, frame-ancestors and sandbox directives.
            policy.directives.retain(|(n, _)| {
                !matches!(n.as_str(), "report-uri" | "frame-ancestors" | "sandbox")
            });
            if !policy.directives.is_empty() {
                policies.push(policy);
            }
        }
    }
    policies
}

// ---------------------------------------------------------------------------------------
// Grammar recognisers (§2.3.1 source-list ABNF, RFC 3986)
// ---------------------------------------------------------------------------------------

/// RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let b = s.as_bytes();
    match b.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// `scheme-source = scheme-part ":"`; returns the scheme-part.
fn is_scheme_source(expression: &str) -> Option<&str> {
    let scheme = expression.strip_suffix(':')?;
    if is_scheme(scheme) {
        Some(scheme)
    } else {
        None
    }
}

/// `host-char = ALPHA / DIGIT / "-"`.
fn is_host_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// `host-part = "*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`.
fn is_host_part(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    let labels = s.strip_prefix("*.").unwrap_or(s);
    let labels = labels.strip_suffix('.').unwrap_or(labels);
    if labels.is_empty() {
        return false;
    }
    labels
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(is_host_char))
}

/// `port-part = 1*DIGIT / "*"`.
fn is_port_part(s: &str) -> bool {
    s == "*" || (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
}

/// RFC 3986 `pchar` (one code unit; `pct-encoded` is checked by the caller), minus
/// ";" and "," as `path-part` requires.
fn is_pchar_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        // unreserved
        || matches!(c, b'-' | b'.' | b'_' | b'~')
        // sub-delims without ";" and ","
        || matches!(c, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b'=')
        || matches!(c, b':' | b'@')
}

/// RFC 3986 `segment = *pchar` (with `pct-encoded = "%" HEXDIG HEXDIG`).
fn is_segment(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok =
                i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
            if !ok {
                return false;
            }
            i += 3;
        } else if is_pchar_byte(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// `path-part = path-absolute (but not including ";" or ",")`, RFC 3986 §3.3:
/// `path-absolute = "/" [ segment-nz *( "/" segment ) ]`.
fn is_path_part(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let mut segments = rest.split('/');
    // segment-nz
    match segments.next() {
        Some(first) if !first.is_empty() && is_segment(first) => {}
        _ => return false,
    }
    segments.all(is_segment)
}

/// The parts of an expression that matches the `host-source` grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HostSource<'a> {
    scheme_part: Option<&'a str>,
    host_part: &'a str,
    port_part: Option<&'a str>,
    /// Empty when the expression has no path-part.
    path_part: &'a str,
}

/// `host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]`;
/// returns its parts when `expression` matches the grammar.
fn is_host_source(expression: &str) -> Option<HostSource<'_>> {
    // [ scheme-part "://" ]
    let (scheme_part, rest) = match expression.find("://") {
        Some(i) if is_scheme(&expression[..i]) => (Some(&expression[..i]), &expression[i + 3..]),
        _ => (None, expression),
    };
    // host-part: its characters are host-chars, "." and "*"; whatever follows must be
    // ":" (port-part), "/" (path-part) or the end.
    let host_end = rest
        .bytes()
        .position(|c| !(is_host_char(c) || c == b'.' || c == b'*'))
        .unwrap_or(rest.len());
    let host_part = &rest[..host_end];
    if !is_host_part(host_part) {
        return None;
    }
    let mut rest = &rest[host_end..];
    // [ ":" port-part ]
    let mut port_part = None;
    if let Some(after_colon) = rest.strip_prefix(':') {
        let port_end = after_colon.find('/').unwrap_or(after_colon.len());
        let port = &after_colon[..port_end];
        if !is_port_part(port) {
            return None;
        }
        port_part = Some(port);
        rest = &after_colon[port_end..];
    }
    // [ path-part ]
    let mut path_part = "";
    if !rest.is_empty() {
        if !rest.starts_with('/') {
            // Includes a query or fragment directly after the host or port (`a.test?x`),
            // which stays invalid.
            return None;
        }
        // DECISION: query/fragment stripping (decision 5). A "?query" or "#fragment"
        // after the path-part is stripped and the rest matched, as all engines do; by
        // the grammar the whole expression would be invalid.
        let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
        let path = &rest[..path_end];
        if !is_path_part(path) {
            return None;
        }
        path_part = path;
    }
    Some(HostSource {
        scheme_part,
        host_part,
        port_part,
        path_part,
    })
}

/// `base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" )`.
fn is_base64_value(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    padding <= 2
        && !body.is_empty()
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_'))
}

/// `nonce-source = "'nonce-" base64-value "'"`; returns the base64-value part.
/// The quoted literal is ASCII case-insensitive (RFC 5234 §2.3).
fn is_nonce_source(expression: &str) -> Option<&str> {
    let b = expression.as_bytes();
    if b.len() < 8 || !b[..7].eq_ignore_ascii_case(b"'nonce-") || b[b.len() - 1] != b'\'' {
        return None;
    }
    let value = expression.get(7..expression.len() - 1)?;
    if is_base64_value(value) {
        Some(value)
    } else {
        None
    }
}

/// `hash-source = "'" hash-algorithm "-" base64-value "'"`,
/// `hash-algorithm = "sha256" / "sha384" / "sha512"`; returns (hash-algorithm, base64-value).
fn is_hash_source(expression: &str) -> Option<(&str, &str)> {
    let inner = expression.strip_prefix('\'')?.strip_suffix('\'')?;
    let dash = inner.find('-')?;
    let algorithm = &inner[..dash];
    let value = &inner[dash + 1..];
    let known = ["sha256", "sha384", "sha512"]
        .iter()
        .any(|a| ascii_ci(algorithm, a));
    if known && is_base64_value(value) {
        Some((algorithm, value))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// URL matching (§6.7.2)
// ---------------------------------------------------------------------------------------

/// <https://w3c.github.io/webappsec-csp/#match-url-to-source-list>
fn match_url_to_source_list(
    url: &Url,
    source_list: &[String],
    origin: &SelfOrigin,
    redirect_count: u32,
) -> Match {
    // Step 1. (The list is never null here.)
    // Step 2.
    if source_list.is_empty() {
        return Match::DoesNotMatch;
    }
    // Step 3.
    if source_list.len() == 1 && ascii_ci(&source_list[0], "'none'") {
        return Match::DoesNotMatch;
    }
    // Step 4.
    for expression in source_list {
        // Step 4.1.
        if match_url_to_source_expression(url, expression, origin, redirect_count) == Match::Matches
        {
            return Match::Matches;
        }
    }
    // Step 5.
    Match::DoesNotMatch
}

/// <https://w3c.github.io/webappsec-csp/#match-url-to-source-expression>
fn match_url_to_source_expression(
    url: &Url,
    expression: &str,
    origin: &SelfOrigin,
    redirect_count: u32,
) -> Match {
    // DECISION: WebSocket URLs as given (decision 1). `url` is matched with the scheme
    // the API handed over (ws:/wss:), never converted to http(s) first.

    // Step 1.
    if expression == "*" {
        // Step 1.1 "url's scheme is an HTTP(S) scheme".
        // DECISION: `*` matches ws/wss (decision 2): http, https, ws and wss all count.
        let network_scheme = matches!(url.scheme(), "http" | "https" | "ws" | "wss");
        // Step 1.2.
        let same_scheme = url.scheme() == origin.scheme;
        return if network_scheme || same_scheme {
            Match::Matches
        } else {
            Match::DoesNotMatch
        };
    }

    let scheme_source = is_scheme_source(expression);
    let host_source = is_host_source(expression);

    // Step 2.
    if scheme_source.is_some() || host_source.is_some() {
        let scheme_part = scheme_source.or(host_source.and_then(|h| h.scheme_part));
        // Step 2.1.
        if let Some(scheme_part) = scheme_part {
            if scheme_part_match(scheme_part, url.scheme()) == Match::DoesNotMatch {
                return Match::DoesNotMatch;
            }
        }
        // Step 2.2.
        if scheme_source.is_some() {
            return Match::Matches;
        }
    }

    // Step 3.
    if let Some(host_source) = host_source {
        // Step 3.1.
        if url.host().is_none() {
            return Match::DoesNotMatch;
        }
        // Step 3.2.
        if host_source.scheme_part.is_none()
            && scheme_part_match(&origin.scheme, url.scheme()) == Match::DoesNotMatch
        {
            return Match::DoesNotMatch;
        }
        // Step 3.3.
        if host_part_match(host_source.host_part, url) == Match::DoesNotMatch {
            return Match::DoesNotMatch;
        }
        // Step 3.4.
        let port_part = host_source.port_part;
        // Step 3.5.
        // A schemeless source takes the origin's scheme (step 3.2), also for decision 3.
        let scheme_for_port = host_source.scheme_part.or(Some(origin.scheme.as_str()));
        if port_part_match(port_part, url, scheme_for_port) == Match::DoesNotMatch {
            return Match::DoesNotMatch;
        }
        // Step 3.6.
        if !host_source.path_part.is_empty() && redirect_count == 0 {
            // Step 3.6.1.
            let path = url.path();
            // Step 3.6.2.
            if path_part_match(host_source.path_part, path) == Match::DoesNotMatch {
                return Match::DoesNotMatch;
            }
        }
        // Step 3.7.
        return Match::Matches;
    }

    // Step 4.
    if ascii_ci(expression, "'self'") {
        // DECISION: blob: never matches 'self' (decision 7, spec PR #821).
        if url.scheme() == "blob" {
            return Match::DoesNotMatch;
        }
        // An opaque self-origin is the same as no URL's origin and has no host.
        let Some(self_origin) = &origin.tuple else {
            return Match::DoesNotMatch;
        };
        // Step 4.1.
        if origin_of(url).as_ref() == Some(self_origin) {
            return Match::Matches;
        }
        // Step 4.2.
        if let Some(url_host) = url.host() {
            let same_host = url_host.to_owned() == self_origin.host;
            // "the same or the default ports for their respective schemes": both ports
            // are null exactly when they are their scheme's default.
            let ports_ok = self_origin.port == url.port();
            // Step 4.2.1.
            let secure = matches!(url.scheme(), "https" | "wss");
            // Step 4.2.2.
            let insecure_ok = self_origin.scheme == "http" && matches!(url.scheme(), "http" | "ws");
            if same_host && ports_ok && (secure || insecure_ok) {
                return Match::Matches;
            }
        }
        return Match::DoesNotMatch;
    }

    // Step 5.
    Match::DoesNotMatch
}

/// <https://w3c.github.io/webappsec-csp/#match-schemes>
fn scheme_part_match(a: &str, b: &str) -> Match {
    // Step 1.
    let matches = ascii_ci(a, b)
        || (ascii_ci(a, "http") && ascii_ci(b, "https"))
        || (ascii_ci(a, "ws")
            && (ascii_ci(b, "wss") || ascii_ci(b, "http") || ascii_ci(b, "https")))
        || (ascii_ci(a, "wss") && ascii_ci(b, "https"));
    if matches {
        return Match::Matches;
    }
    // Step 2.
    Match::DoesNotMatch
}

/// <https://w3c.github.io/webappsec-csp/#match-hosts>
fn host_part_match(pattern: &str, url: &Url) -> Match {
    // Step 1. "If host is not a domain, return Does Not Match."
    let host = match url.host() {
        // A special URL's non-empty Domain host is a domain; a non-special URL's host
        // (which the url crate also reports as Domain) is an opaque host.
        Some(Host::Domain(d)) if is_special_scheme(url.scheme()) && !d.is_empty() => d,
        Some(Host::Ipv4(address)) => {
            // DECISION: IP-literal host-sources (decision 4). An IPv4-literal pattern
            // matches the same IPv4 address, compared as text with the canonical dotted
            // form; `*` / `*.` wildcards never match an IP address.
            if pattern.starts_with('*') {
                return Match::DoesNotMatch;
            }
            return if pattern == address.to_string() {
                Match::Matches
            } else {
                Match::DoesNotMatch
            };
        }
        _ => return Match::DoesNotMatch,
    };
    // Step 2.
    if pattern == "*" {
        return Match::Matches;
    }
    // Step 3.
    if pattern.starts_with("*.") {
        // Step 3.1.
        let remaining = pattern[1..].to_ascii_lowercase();
        // Step 3.2.
        if host.to_ascii_lowercase().ends_with(&remaining) {
            return Match::Matches;
        }
        // Step 3.3.
        return Match::DoesNotMatch;
    }
    // Step 4.
    if !ascii_ci(pattern, host) {
        return Match::DoesNotMatch;
    }
    // Step 5.
    Match::Matches
}

/// <https://w3c.github.io/webappsec-csp/#match-ports>
///
/// `scheme_part` is the expression's scheme-part, or the origin's scheme for a schemeless
/// source; it is needed only for decision 3.
fn port_part_match(input: Option<&str>, url: &Url, scheme_part: Option<&str>) -> Match {
    // Step 1. (`input` is null, "*" or digits by construction.)
    // Step 2.
    if input == Some("*") {
        return Match::Matches;
    }
    // Step 3. Interpreted as a decimal number (saturating: any huge number is simply
    // not a port).
    let normalized_input: Option<u64> = input.map(|digits| {
        digits.bytes().fold(0u64, |n, d| {
            n.saturating_mul(10)
                .saturating_add(u64::from(d.wrapping_sub(b'0')))
        })
    });
    let url_port = url.port().map(u64::from);
    // Step 4.
    if normalized_input == url_port {
        return Match::Matches;
    }
    // Step 5.
    if url_port.is_none() {
        // Step 5.1.
        let default = default_port(url.scheme()).map(u64::from);
        // Step 5.2.
        if normalized_input == default {
            return Match::Matches;
        }
    }
    // DECISION: http://host:80 matches https://host (decision 3, issue #439). Only a
    // scheme-part "http" (explicit, or a schemeless source on an http origin) with port 80
    // against an https URL on its default port.
    if let (Some(scheme), Some(80)) = (scheme_part, normalized_input) {
        if ascii_ci(scheme, "http") && url.scheme() == "https" && url_port.is_none() {
            return Match::Matches;
        }
    }
    // Step 6.
    Match::DoesNotMatch
}

/// <https://w3c.github.io/webappsec-csp/#match-paths>
fn path_part_match(path_a: &str, path_b: &str) -> Match {
    // Step 1.
    if path_a.is_empty() {
        return Match::Matches;
    }
    // Step 2.
    if path_a == "/" && path_b.is_empty() {
        return Match::Matches;
    }
    // Step 3.
    let exact_match = !path_a.ends_with('/');
    // Step 4.
    let mut path_list_a: Vec<&str> = path_a.split('/').collect();
    let path_list_b: Vec<&str> = path_b.split('/').collect();
    // Step 5.
    if path_list_a.len() > path_list_b.len() {
        return Match::DoesNotMatch;
    }
    // Step 6.
    if exact_match && path_list_a.len() != path_list_b.len() {
        return Match::DoesNotMatch;
    }
    // Step 7.
    if !exact_match {
        // Step 7.1. (The final item is the empty string.)
        // Step 7.2.
        path_list_a.pop();
    }
    // Step 8.
    for (piece_a, piece_b) in path_list_a.iter().zip(path_list_b.iter()) {
        // Steps 8.1-8.3.
        let decoded_piece_a = percent_decode(piece_a);
        let decoded_piece_b = percent_decode(piece_b);
        // Step 8.4.
        if decoded_piece_a != decoded_piece_b {
            return Match::DoesNotMatch;
        }
    }
    // Step 9.
    Match::Matches
}

/// <https://url.spec.whatwg.org/#string-percent-decode>: UTF-8 encode, then percent-decode
/// the bytes (a "%" not followed by two hex digits stays as it is).
fn percent_decode(input: &str) -> Vec<u8> {
    fn hex(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = input.as_bytes();
    let mut output = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%' {
            if let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2)) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    output.push(h * 16 + l);
                    i += 3;
                    continue;
                }
            }
        }
        output.push(byte);
        i += 1;
    }
    output
}

/// <https://w3c.github.io/webappsec-csp/#match-request-to-source-list>
fn match_request_to_source_list(
    request: &Request,
    source_list: &[String],
    origin: &SelfOrigin,
) -> Match {
    match_url_to_source_list(&request.url, source_list, origin, request.redirect_count)
}

/// <https://w3c.github.io/webappsec-csp/#match-nonce-to-source-list>
fn match_nonce_to_source_list(nonce: &str, source_list: &[String]) -> Match {
    // Step 1. (Never null here.)
    // Step 2.
    if nonce.is_empty() {
        return Match::DoesNotMatch;
    }
    // Step 3.
    for expression in source_list {
        // Step 3.1.
        if is_nonce_source(expression) == Some(nonce) {
            return Match::Matches;
        }
    }
    // Step 4.
    Match::DoesNotMatch
}

/// One item of SRI's "parse metadata" result.
struct SriMetadata<'a> {
    alg: &'a str,
    val: &'a str,
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>
/// (w3c/webappsec-subresource-integrity `index.bs` @632bf53).
fn sri_parse_metadata(metadata: &str) -> Vec<SriMetadata<'_>> {
    // Step 1.
    let mut result = Vec::new();
    // Step 2. "Splitting metadata on spaces": on ASCII whitespace (TAB, LF, FF, CR, SPACE),
    // not on U+0020 alone. SRI's own anchors define "splitting tokens on spaces" as HTML's
    // "split a string on spaces" (the name Infra now gives "split on ASCII whitespace"), its
    // grammar separates items by WSP with WSP defined as HTML's space characters, and
    // Chromium's ParseIntegrityAttribute skips ASCII whitespace between items. cspgate's
    // `src/matching/sri.rs` does the same. (Empty pieces would be skipped by step 2.6 either way.)
    for item in metadata
        .split(is_ascii_whitespace)
        .filter(|item| !item.is_empty())
    {
        // Step 2.1. Strictly split on "?".
        let mut expression_and_options = item.split('?');
        // Step 2.2.
        let algorithm_expression = expression_and_options.next().unwrap_or("");
        // Step 2.3.
        let mut base64_value = "";
        // Step 2.4. Strictly split on "-".
        let mut algorithm_and_value = algorithm_expression.split('-');
        // Step 2.5.
        let algorithm = algorithm_and_value.next().unwrap_or("");
        // Step 2.6. A valid SRI hash algorithm token: its ASCII lowercase is one of
        // sha256, sha384, sha512.
        let valid = ["sha256", "sha384", "sha512"]
            .iter()
            .any(|a| ascii_ci(algorithm, a));
        if !valid {
            continue;
        }
        // Step 2.7. Only the second piece of the split (a "-" inside the value cuts it).
        if let Some(value) = algorithm_and_value.next() {
            base64_value = value;
        }
        // Steps 2.8-2.9.
        result.push(SriMetadata {
            alg: algorithm,
            val: base64_value,
        });
    }
    // Step 3.
    result
}

/// <https://w3c.github.io/webappsec-csp/#match-integrity-metadata-to-source-list>
fn match_integrity_metadata_to_source_list(
    integrity_metadata: &str,
    source_list: &[String],
) -> Match {
    // Step 1. (Never null here.)
    // Step 2.
    let integrity_expressions: Vec<(&str, &str)> = source_list
        .iter()
        .filter_map(|e| is_hash_source(e))
        .collect();
    // Step 3.
    if integrity_expressions.is_empty() {
        return Match::DoesNotMatch;
    }
    // Step 4.
    let integrity_sources = sri_parse_metadata(integrity_metadata);
    // Step 5.
    if integrity_sources.is_empty() {
        return Match::DoesNotMatch;
    }
    // Step 6.
    for source in &integrity_sources {
        // Step 6.1.
        let found = integrity_expressions
            .iter()
            .any(|(alg, val)| ascii_ci(alg, source.alg) && *val == source.val);
        if !found {
            return Match::DoesNotMatch;
        }
    }
    // Step 7.
    Match::Matches
}

// ---------------------------------------------------------------------------------------
// Directive algorithms (§6.8)
// ---------------------------------------------------------------------------------------

/// <https://w3c.github.io/webappsec-csp/#effective-directive-for-a-request>
fn effective_directive_for_request(request: &Request) -> Option<&'static str> {
    // Step 1.
    if request.initiator == "prefetch" || request.initiator == "prerender" {
        return Some("default-src");
    }
    // Step 2.
    match request.destination {
        "" => Some("connect-src"),
        "manifest" => Some("manifest-src"),
        "object" | "embed" => Some("object-src"),
        "frame" | "iframe" => Some("frame-src"),
        "audio" | "track" | "video" => Some("media-src"),
        "font" => Some("font-src"),
        "image" => Some("img-src"),
        "style" => Some("style-src-elem"),
        "script" | "xslt" | "audioworklet" | "paintworklet" => Some("script-src-elem"),
        "serviceworker" | "sharedworker" | "worker" => Some("worker-src"),
        "json" | "text" | "webidentity" => Some("connect-src"),
        "report" => None,
        // Step 3.
        _ => Some("connect-src"),
    }
}

/// <https://w3c.github.io/webappsec-csp/#effective-directive-for-inline-check>
fn effective_directive_for_inline_check(type_: &str) -> Option<&'static str> {
    // Step 1.
    match type_ {
        "script" | "navigation" => Some("script-src-elem"),
        "script attribute" => Some("script-src-attr"),
        "style" => Some("style-src-elem"),
        "style attribute" => Some("style-src-attr"),
        // Step 2.
        _ => None,
    }
}

/// <https://w3c.github.io/webappsec-csp/#directive-fallback-list>
fn directive_fallback_list(directive_name: &str) -> &'static [&'static str] {
    // Step 1.
    match directive_name {
        "script-src-elem" => &["script-src-elem", "script-src", "default-src"],
        "script-src-attr" => &["script-src-attr", "script-src", "default-src"],
        "style-src-elem" => &["style-src-elem", "style-src", "default-src"],
        "style-src-attr" => &["style-src-attr", "style-src", "default-src"],
        "worker-src" => &["worker-src", "child-src", "script-src", "default-src"],
        "connect-src" => &["connect-src", "default-src"],
        "manifest-src" => &["manifest-src", "default-src"],
        "object-src" => &["object-src", "default-src"],
        "frame-src" => &["frame-src", "child-src", "default-src"],
        "media-src" => &["media-src", "default-src"],
        "font-src" => &["font-src", "default-src"],
        "img-src" => &["img-src", "default-src"],
        // Step 2.
        _ => &[],
    }
}

/// <https://w3c.github.io/webappsec-csp/#should-directive-execute>
fn should_directive_execute(
    effective_directive_name: Option<&str>,
    directive_name: &str,
    policy: &NaivePolicy,
) -> Execute {
    // A null effective directive has no fallback list.
    let Some(effective_directive_name) = effective_directive_name else {
        return Execute::No;
    };
    // Step 1.
    let directive_fallback_list = directive_fallback_list(effective_directive_name);
    // Step 2.
    for fallback_directive in directive_fallback_list {
        // Step 2.1.
        if directive_name == *fallback_directive {
            return Execute::Yes;
        }
        // Step 2.2.
        if policy_contains(policy, fallback_directive) {
            return Execute::No;
        }
    }
    // Step 3.
    Execute::No
}

// ---------------------------------------------------------------------------------------
// Pre-request checks (§6.1, §6.2.2, §6.7.1)
// ---------------------------------------------------------------------------------------

/// A directive's pre-request check, dispatched on its name; `value` is "this directive's
/// value" (for child-src and default-src delegation: the delegating directive's value).
/// Directives without a pre-request check return "Allowed".
fn pre_request_check(
    name: &str,
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    match name {
        "child-src" | "default-src" => {
            fallback_directive_pre_request(name, value, request, policy, origin)
        }
        "connect-src" => connect_src_pre_request(value, request, policy, origin),
        "font-src" | "frame-src" | "img-src" | "manifest-src" | "media-src" | "object-src"
        | "worker-src" => url_directive_pre_request(name, value, request, policy, origin),
        "script-src" | "script-src-elem" => {
            script_src_pre_request(name, value, request, policy, origin)
        }
        "style-src" | "style-src-elem" => {
            style_src_pre_request(name, value, request, policy, origin)
        }
        _ => Check::Allowed,
    }
}

/// The pre-request check shared by
/// <https://w3c.github.io/webappsec-csp/#child-src-pre-request> and
/// <https://w3c.github.io/webappsec-csp/#default-src-pre-request>: the directives that
/// stand in for others.
fn fallback_directive_pre_request(
    directive_name: &str,
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    let name = effective_directive_for_request(request);
    // Step 2.
    if should_directive_execute(name, directive_name, policy) == Execute::No {
        return Check::Allowed;
    }
    // Step 3. Run the pre-request check of the directive named `name`, using this
    // directive's value for the comparison (`name` is never default-src here: its fallback
    // list is empty).
    match name {
        Some(name) => pre_request_check(name, value, request, policy, origin),
        None => Check::Allowed,
    }
}

/// <https://w3c.github.io/webappsec-csp/#connect-src-pre-request>
fn connect_src_pre_request(
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    let name = effective_directive_for_request(request);
    // Step 2.
    if should_directive_execute(name, "connect-src", policy) == Execute::No {
        return Check::Allowed;
    }
    // Step 3.
    let source_list = value;
    // Step 4. (WebTransport with a hash list: not modelled, the request mode is never
    // "webtransport" here.)
    // Step 5.
    if match_request_to_source_list(request, source_list, origin) == Match::Matches {
        return Check::Allowed;
    }
    // Step 6.
    Check::Blocked
}

/// The pre-request check shared word for word by
/// <https://w3c.github.io/webappsec-csp/#font-src-pre-request>,
/// <https://w3c.github.io/webappsec-csp/#frame-src-pre-request>,
/// <https://w3c.github.io/webappsec-csp/#img-src-pre-request>,
/// <https://w3c.github.io/webappsec-csp/#manifest-src-pre-request>,
/// <https://w3c.github.io/webappsec-csp/#media-src-pre-request>,
/// <https://w3c.github.io/webappsec-csp/#object-src-pre-request> and
/// <https://w3c.github.io/webappsec-csp/#worker-src-pre-request>.
fn url_directive_pre_request(
    directive_name: &str,
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    let name = effective_directive_for_request(request);
    // Step 2.
    if should_directive_execute(name, directive_name, policy) == Execute::No {
        return Check::Allowed;
    }
    // Step 3.
    if match_request_to_source_list(request, value, origin) == Match::DoesNotMatch {
        return Check::Blocked;
    }
    // Step 4.
    Check::Allowed
}

/// <https://w3c.github.io/webappsec-csp/#script-src-pre-request> and
/// <https://w3c.github.io/webappsec-csp/#script-src-elem-pre-request>.
fn script_src_pre_request(
    directive_name: &str,
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    let name = effective_directive_for_request(request);
    // Step 2.
    if should_directive_execute(name, directive_name, policy) == Execute::No {
        return Check::Allowed;
    }
    // Step 3.
    script_directives_pre_request(request, value, policy, origin)
}

/// <https://fetch.spec.whatwg.org/#request-destination-script-like>
fn is_script_like(destination: &str) -> bool {
    matches!(
        destination,
        "audioworklet" | "paintworklet" | "script" | "serviceworker" | "sharedworker" | "worker"
    )
}

/// <https://w3c.github.io/webappsec-csp/#script-pre-request>
fn script_directives_pre_request(
    request: &Request,
    directive_value: &[String],
    _policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    if is_script_like(request.destination) {
        // Step 1.1.
        if match_nonce_to_source_list(request.nonce, directive_value) == Match::Matches {
            return Check::Allowed;
        }
        // Step 1.2.
        if match_integrity_metadata_to_source_list(request.integrity, directive_value)
            == Match::Matches
        {
            return Check::Allowed;
        }
        // Step 1.3.
        if list_contains_keyword(directive_value, "'strict-dynamic'") {
            // Step 1.3.1.
            if request.parser_metadata == "parser-inserted" {
                return Check::Blocked;
            }
            return Check::Allowed;
        }
        // Step 1.4.
        if match_request_to_source_list(request, directive_value, origin) == Match::DoesNotMatch {
            return Check::Blocked;
        }
    }
    // Step 2.
    Check::Allowed
}

/// <https://w3c.github.io/webappsec-csp/#style-src-pre-request> and
/// <https://w3c.github.io/webappsec-csp/#style-src-elem-pre-request>.
fn style_src_pre_request(
    directive_name: &str,
    value: &[String],
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Check {
    // Step 1.
    let name = effective_directive_for_request(request);
    // Step 2.
    if should_directive_execute(name, directive_name, policy) == Execute::No {
        return Check::Allowed;
    }
    // Step 3.
    if match_nonce_to_source_list(request.nonce, value) == Match::Matches {
        return Check::Allowed;
    }
    // Step 4.
    if match_request_to_source_list(request, value, origin) == Match::DoesNotMatch {
        return Check::Blocked;
    }
    // Step 5.
    Check::Allowed
}

/// <https://w3c.github.io/webappsec-csp/#does-request-violate-policy>
///
/// Returns the violated directive's name, or `None` for "Does Not Violate".
fn does_request_violate_policy(
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Option<String> {
    // Step 1.
    if request.initiator == "prefetch" {
        return does_resource_hint_violate_policy(request, policy, origin);
    }
    // Step 2.
    let mut violates = None;
    // Step 3.
    for (name, value) in &policy.directives {
        // Step 3.1.
        let result = pre_request_check(name, value, request, policy, origin);
        // Step 3.2.
        if result == Check::Blocked {
            violates = Some(name.clone());
        }
    }
    // Step 4.
    violates
}

/// <https://w3c.github.io/webappsec-csp/#does-resource-hint-violate-policy>
fn does_resource_hint_violate_policy(
    request: &Request,
    policy: &NaivePolicy,
    origin: &SelfOrigin,
) -> Option<String> {
    // Step 1.
    let default_directive = policy.directives.iter().find(|(n, _)| n == "default-src");
    // Step 2.
    let (default_name, default_value) = default_directive?;
    // DECISION: prefetch resource hints (decision 8). The spec's intent: the URL is
    // matched (URL matching only) against the union of the fetch directives' lists,
    // default-src's own list included, and a sub-result of "Matches" (not the spec's
    // literal "Allowed") means "Does Not Violate".
    if match_request_to_source_list(request, default_value, origin) == Match::Matches {
        return None;
    }
    // Step 3.
    for (name, value) in &policy.directives {
        // Step 3.1.
        let listed = matches!(
            name.as_str(),
            "child-src"
                | "connect-src"
                | "font-src"
                | "frame-src"
                | "img-src"
                | "manifest-src"
                | "media-src"
                | "object-src"
                | "script-src"
                | "script-src-elem"
                | "style-src"
                | "style-src-elem"
                | "worker-src"
        );
        if !listed {
            continue;
        }
        // Step 3.2. (The value is a source list.)
        // Step 3.3.
        let result = match_request_to_source_list(request, value, origin);
        // Step 3.4. (DECISION 8: compared with "Matches".)
        if result == Match::Matches {
            return None;
        }
    }
    // Step 4.
    Some(default_name.clone())
}

// ---------------------------------------------------------------------------------------
// Fetch integration (§4.1)
// ---------------------------------------------------------------------------------------

/// <https://w3c.github.io/webappsec-csp/#report-for-request> (report-only policies) and
/// <https://w3c.github.io/webappsec-csp/#should-block-request> (enforced policies),
/// over one CSP list whose self-origin is the origin of `document_url`.
///
/// Returns `None` when `document_url` or the request URL does not parse.
pub(crate) fn check_request(
    policies: &[NaivePolicy],
    document_url: &str,
    req: &NaiveRequest,
) -> Option<NaiveOutcome> {
    let (origin, request) = request_in_document(document_url, req)?;
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // DECISION: top-level navigations are not request-checked (decision 6). A request
    // whose destination is "document" is never blocked (nor reported) by a fetch
    // directive; §6.8.1 step 3 would send it to connect-src. A prefetch is no navigation:
    // "does request violate policy" step 1 sends every prefetch, whatever its destination,
    // to the resource-hint check, and the decision does not touch that path.
    if request.destination == "document" && request.initiator != "prefetch" {
        return Some(outcome);
    }
    // §4.1.1 step 2 / §4.1.2 step 3: for each policy of the CSP list.
    for (policy_index, policy) in policies.iter().enumerate() {
        // §4.1.1 step 2.1 skips enforced policies and §4.1.2 step 3.1 report-only
        // ones; together every policy is examined once, with the same test.
        // §4.1.1 step 2.2 / §4.1.2 step 3.2.
        let violates = does_request_violate_policy(&request, policy, &origin);
        // §4.1.1 step 2.3 / §4.1.2 step 3.3.
        if let Some(violated_directive) = violates {
            // §2.4.2 create a violation for request: its effective directive is the
            // request's effective directive (§6.8.1).
            let directive = effective_directive_for_request(&request)
                .map(str::to_string)
                .unwrap_or(violated_directive);
            // Then §4.1.2 step 3.3.2: `record` marks the outcome blocked for an enforced policy.
            outcome.record(directive, policy, policy_index);
        }
    }
    Some(outcome)
}

/// Does `url` match one source `expression`, for a document at `document_url`?
/// (§6.7.2.8 with the document's origin as the self-origin.) `None` if a URL does not parse.
pub(crate) fn url_matches_expression(
    url: &str,
    expression: &str,
    document_url: &str,
    redirect_count: u32,
) -> Option<bool> {
    let url = Url::parse(url).ok()?;
    let document = Url::parse(document_url).ok()?;
    let origin = self_origin_for(&document);
    Some(
        match_url_to_source_expression(&url, expression, &origin, redirect_count) == Match::Matches,
    )
}

/// Does `url` match a source `list`, for a document at `document_url`? (§6.7.2.7.)
/// `None` if a URL does not parse.
pub(crate) fn url_matches_source_list(
    url: &str,
    list: &[String],
    document_url: &str,
    redirect_count: u32,
) -> Option<bool> {
    let url = Url::parse(url).ok()?;
    let document = Url::parse(document_url).ok()?;
    let origin = self_origin_for(&document);
    Some(match_url_to_source_list(&url, list, &origin, redirect_count) == Match::Matches)
}

// ---------------------------------------------------------------------------------------
// Inline checks (§4.2.3, §6.7.3)
// ---------------------------------------------------------------------------------------

/// A directive's inline check, dispatched on its name:
/// <https://w3c.github.io/webappsec-csp/#default-src-inline>,
/// <https://w3c.github.io/webappsec-csp/#script-src-inline>,
/// <https://w3c.github.io/webappsec-csp/#script-src-elem-inline>,
/// <https://w3c.github.io/webappsec-csp/#script-src-attr-inline>,
/// <https://w3c.github.io/webappsec-csp/#style-src-inline>,
/// <https://w3c.github.io/webappsec-csp/#style-src-elem-inline>,
/// <https://w3c.github.io/webappsec-csp/#style-src-attr-inline>.
/// Other directives return "Allowed".
fn inline_check(
    directive_name: &str,
    value: &[String],
    element: Option<&Element>,
    type_: &str,
    policy: &NaivePolicy,
    source: &str,
) -> Check {
    match directive_name {
        "default-src" => {
            // Step 1.
            let name = effective_directive_for_inline_check(type_);
            // Step 2.
            if should_directive_execute(name, "default-src", policy) == Execute::No {
                return Check::Allowed;
            }
            // Step 3. The inline check of the directive named `name`, with this value.
            match name {
                Some(name) => inline_check(name, value, element, type_, policy, source),
                None => Check::Allowed,
            }
        }
        "script-src" | "script-src-elem" | "script-src-attr" | "style-src" | "style-src-elem"
        | "style-src-attr" => {
            // (script-*: Step 1 asserts element is not null or type is "navigation".)
            // script-*: Step 2 / style-*: Step 1.
            let name = effective_directive_for_inline_check(type_);
            // script-*: Step 3 / style-*: Step 2.
            if should_directive_execute(name, directive_name, policy) == Execute::No {
                return Check::Allowed;
            }
            // script-*: Step 4 / style-*: Step 3.
            if match_element_to_source_list(element, value, type_, source) == Match::DoesNotMatch {
                return Check::Blocked;
            }
            // script-*: Step 5 / style-*: Step 4.
            Check::Allowed
        }
        _ => Check::Allowed,
    }
}

/// <https://w3c.github.io/webappsec-csp/#is-element-nonceable>
///
/// Only step 1 can be evaluated from the inputs: an element has a nonce attribute
/// when its nonce is non-empty; the attribute scan (step 2) and the duplicate-attribute
/// parse error (step 3) are not modelled.
fn is_element_nonceable(element: Option<&Element>) -> bool {
    match element {
        // Step 1.
        None => false,
        Some(element) if element.nonce.is_empty() => false,
        // Step 4.
        Some(_) => true,
    }
}

/// <https://w3c.github.io/webappsec-csp/#allow-all-inline>
fn allow_all_inline(list: &[String], type_: &str) -> bool {
    // Step 1.
    let mut allow_all_inline = false;
    // Step 2.
    for expression in list {
        // Step 2.1.
        if is_nonce_source(expression).is_some() || is_hash_source(expression).is_some() {
            return false;
        }
        // Step 2.2.
        if matches!(type_, "script" | "script attribute" | "navigation")
            && ascii_ci(expression, "'strict-dynamic'")
        {
            return false;
        }
        // Step 2.3.
        if ascii_ci(expression, "'unsafe-inline'") {
            allow_all_inline = true;
        }
    }
    // Step 3.
    allow_all_inline
}

/// <https://w3c.github.io/webappsec-csp/#match-element-to-source-list>
fn match_element_to_source_list(
    element: Option<&Element>,
    list: &[String],
    type_: &str,
    source: &str,
) -> Match {
    // Step 1.
    if allow_all_inline(list, type_) {
        return Match::Matches;
    }
    // Step 2.
    if matches!(type_, "script" | "style") && is_element_nonceable(element) {
        if let Some(element) = element {
            // Step 2.1.
            for expression in list {
                // Step 2.1.1.
                if is_nonce_source(expression) == Some(element.nonce) {
                    return Match::Matches;
                }
            }
        }
    }
    // Step 3.
    let mut unsafe_hashes_flag = false;
    // Step 4.
    for expression in list {
        // Step 4.1.
        if ascii_ci(expression, "'unsafe-hashes'") {
            unsafe_hashes_flag = true;
            break;
        }
    }
    // Step 5.
    if matches!(type_, "script" | "style") || unsafe_hashes_flag {
        // Step 5.1. (A Rust string is already a scalar value string; UTF-8 encode.)
        let source = source.as_bytes();
        // Step 5.2.
        for expression in list {
            // Step 5.2.1.
            if ascii_ci(expression, "'strict-dynamic'") {
                // Step 5.2.1.1.
                let not_parser_inserted = element.is_some_and(|e| !e.parser_inserted);
                if type_ == "script" && not_parser_inserted {
                    return Match::Matches;
                }
            }
            // Step 5.2.2.
            if let Some((hash_algorithm, base64_value)) = is_hash_source(expression) {
                // Steps 5.2.2.1-5.2.2.4.
                let digest: Option<Vec<u8>> = if ascii_ci(hash_algorithm, "sha256") {
                    Some(sha2::Sha256::digest(source).to_vec())
                } else if ascii_ci(hash_algorithm, "sha384") {
                    Some(sha2::Sha384::digest(source).to_vec())
                } else if ascii_ci(hash_algorithm, "sha512") {
                    Some(sha2::Sha512::digest(source).to_vec())
                } else {
                    None
                };
                // Step 5.2.2.5.
                if let Some(digest) = digest {
                    // Step 5.2.2.5.1.
                    let actual = base64::engine::general_purpose::STANDARD.encode(digest);
                    // Step 5.2.2.5.2.
                    let expected = base64_value.replace('-', "+").replace('_', "/");
                    // Step 5.2.2.5.3.
                    if actual == expected {
                        return Match::Matches;
                    }
                }
            }
        }
    }
    // Step 6.
    Match::DoesNotMatch
}

/// <https://w3c.github.io/webappsec-csp/#should-block-inline>
///
/// `kind` is the inline check type: "script", "script attribute", "style",
/// "style attribute" or "navigation" (then the element is null and `source` is the
/// `javascript:` URL). A non-empty `nonce` means the element has a nonce attribute.
pub(crate) fn check_inline(
    policies: &[NaivePolicy],
    kind: &str,
    source: &str,
    nonce: &str,
    parser_inserted: bool,
) -> NaiveOutcome {
    let element = Element {
        nonce,
        parser_inserted,
    };
    let element = if kind == "navigation" {
        None
    } else {
        Some(&element)
    };
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    run_inline_checks(policies, element, kind, source, &mut outcome);
    outcome
}

/// The loop shared by §4.2.3 step 3 and §4.2.4 step 3.1 (`javascript:` navigations).
fn run_inline_checks(
    policies: &[NaivePolicy],
    element: Option<&Element>,
    type_: &str,
    source: &str,
    outcome: &mut NaiveOutcome,
) {
    // Step 3.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Step 3.1.
        for (name, value) in &policy.directives {
            // Step 3.1.1.
            if inline_check(name, value, element, type_, policy, source) == Check::Allowed {
                continue;
            }
            // Step 3.1.2.
            let directive_name = effective_directive_for_inline_check(type_)
                .map(str::to_string)
                .unwrap_or_else(|| name.clone());
            // Steps 3.1.3-3.1.7.
            // Then step 3.1.8: `record` marks the outcome blocked for an enforced policy.
            outcome.record(directive_name, policy, policy_index);
        }
    }
}

// ---------------------------------------------------------------------------------------
// ECMAScript and WebAssembly (§4.4, §4.5)
// ---------------------------------------------------------------------------------------

/// `kind` "javascript": <https://w3c.github.io/webappsec-csp/#can-compile-strings>;
/// `kind` "wasm": <https://w3c.github.io/webappsec-csp/#can-compile-wasm-bytes>.
/// Trusted Types are not modelled (never required). Any other kind is allowed.
pub(crate) fn check_eval(policies: &[NaivePolicy], kind: &str) -> NaiveOutcome {
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // (Both algorithms.) Step 3: for each policy.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Steps 3.1-3.2.
        let Some(source_list) = script_src_or_default_src(policy) else {
            continue;
        };
        let allowed = match kind {
            // §4.4.1 step 3.3: ('trusted-types-eval' only counts when Trusted Types are
            // required, which they never are here.)
            "javascript" => list_contains_keyword(source_list, "'unsafe-eval'"),
            // §4.5.1 step 3.3.
            "wasm" => {
                list_contains_keyword(source_list, "'unsafe-eval'")
                    || list_contains_keyword(source_list, "'wasm-unsafe-eval'")
            }
            _ => true,
        };
        if allowed {
            continue;
        }
        // Violation for "script-src", resource "eval" / "wasm-eval".
        outcome.record("script-src".to_string(), policy, policy_index);
    }
    // Step 4.
    outcome
}

/// <https://w3c.github.io/webappsec-csp/#should-block-rtc-connection>.
pub(crate) fn check_webrtc(policies: &[NaivePolicy]) -> NaiveOutcome {
    // Step 1.
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2: for each policy, for each directive.
    for (policy_index, policy) in policies.iter().enumerate() {
        for (name, value) in &policy.directives {
            // Step 2.1.1.
            if webrtc_pre_connect_check(name, value) == Check::Allowed {
                continue;
            }
            // Steps 2.1.2-2.1.4: a violation for the directive's name, resource null.
            // Then step 2.1.5: `record` marks the outcome blocked for an enforced policy.
            outcome.record(name.clone(), policy, policy_index);
        }
    }
    // Step 3.
    outcome
}

/// <https://w3c.github.io/webappsec-csp/#webrtc-pre-connect> for the `webrtc` directive;
/// every other directive's check returns "Allowed".
fn webrtc_pre_connect_check(name: &str, value: &[String]) -> Check {
    if name != "webrtc" {
        return Check::Allowed;
    }
    // Step 1.
    if value.len() == 1 && ascii_ci(&value[0], "'allow'") {
        return Check::Allowed;
    }
    // Step 2.
    Check::Blocked
}

// ---------------------------------------------------------------------------------------
// Navigation (§4.2.4, §4.2.5, §6.4)
// ---------------------------------------------------------------------------------------

/// <https://w3c.github.io/webappsec-csp/#frame-ancestors-navigation-response>, run over
/// every (header-delivered) policy's `frame-ancestors` directive as §4.2.5 step 2 does.
///
/// `document_url` is the framed response's URL (its origin is the self-origin);
/// `ancestors` are the URLs of the embedding documents, nearest first. Meta policies
/// are ignored. Returns `None` if a URL does not parse.
pub(crate) fn check_frame_ancestors(
    policies: &[NaivePolicy],
    document_url: &str,
    ancestors: &[&str],
) -> Option<NaiveOutcome> {
    let response_url = Url::parse(document_url).ok()?;
    let ancestor_urls = ancestors
        .iter()
        .map(|a| Url::parse(a).ok())
        .collect::<Option<Vec<Url>>>()?;
    let origin = self_origin_for(&response_url);
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // §4.2.5 step 2: for each policy of the response CSP list.
    for (policy_index, policy) in policies.iter().enumerate() {
        // The directive MUST be ignored when delivered via <meta> (§6.4.2).
        if policy.source == Source::Meta {
            continue;
        }
        // Step 2.1.
        for (name, value) in &policy.directives {
            if name != "frame-ancestors" {
                continue;
            }
            // Step 2.1.1.
            if frame_ancestors_check(value, &response_url, &ancestor_urls, &origin)
                == Check::Allowed
            {
                continue;
            }
            // Steps 2.1.2-2.1.4.
            // Then step 2.1.5: `record` marks the outcome blocked for an enforced policy.
            outcome.record(name.clone(), policy, policy_index);
        }
    }
    Some(outcome)
}

/// <https://url.spec.whatwg.org/#is-local>: about:, blob: or data:.
fn is_local(url: &Url) -> bool {
    matches!(url.scheme(), "about" | "blob" | "data")
}

/// <https://w3c.github.io/webappsec-csp/#frame-ancestors-navigation-response> with check
/// type "response"; the target's ancestry is given as the list of container documents'
/// URLs, nearest first (empty: the target is not a child navigable).
fn frame_ancestors_check(
    value: &[String],
    navigation_response_url: &Url,
    ancestors: &[Url],
    self_origin: &SelfOrigin,
) -> Check {
    // Step 1.
    if is_local(navigation_response_url) {
        return Check::Allowed;
    }
    // Step 2. (request, response and navigation type are unused from here.)
    // Step 3. (The check type is "response".)
    // Step 4.
    if ancestors.is_empty() {
        return Check::Allowed;
    }
    // Steps 5-6: walk every container document up to the top.
    for document_url in ancestors {
        // Step 6.1. (`document_url` is the container document's URL.)
        // Step 6.2. Parse the ASCII serialization of the document's origin.
        let serialization = document_url.origin().ascii_serialization();
        let Ok(origin) = Url::parse(&serialization) else {
            // An opaque origin serializes to "null", which does not parse; the spec is
            // silent, so it is treated as not matching.
            return Check::Blocked;
        };
        // Step 6.3.
        if match_url_to_source_list(&origin, value, self_origin, 0) == Match::DoesNotMatch {
            return Check::Blocked;
        }
        // Step 6.4. (Next ancestor.)
    }
    // Step 7.
    Check::Allowed
}

/// <https://w3c.github.io/webappsec-csp/#form-action-pre-navigate>
fn form_action_pre_navigation(
    value: &[String],
    request: &Request,
    navigation_type: &str,
    origin: &SelfOrigin,
) -> Check {
    // Step 1. (The policy is unused.)
    // Step 2.
    if navigation_type == "form-submission" {
        // Step 2.1.
        if match_request_to_source_list(request, value, origin) == Match::DoesNotMatch {
            return Check::Blocked;
        }
    }
    // Step 3.
    Check::Allowed
}

/// A directive's pre-navigation check (only form-action defines one).
fn pre_navigation_check(
    name: &str,
    value: &[String],
    request: &Request,
    navigation_type: &str,
    origin: &SelfOrigin,
) -> Check {
    match name {
        "form-action" => form_action_pre_navigation(value, request, navigation_type, origin),
        _ => Check::Allowed,
    }
}

/// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>
///
/// `nav_type` is "form-submission" or "other". The policies are the navigation
/// request's policy container's (the initiating document at `document_url`). The inline
/// check for a `javascript:` URL receives the whole URL string (`req.url`) as its
/// source. Returns `None` if a URL does not parse.
pub(crate) fn check_navigation(
    policies: &[NaivePolicy],
    document_url: &str,
    req: &NaiveRequest,
    nav_type: &str,
) -> Option<NaiveOutcome> {
    let (origin, request) = request_in_document(document_url, req)?;
    // Step 1.
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Step 2.1.
        for (name, value) in &policy.directives {
            // Step 2.1.1.
            if pre_navigation_check(name, value, &request, nav_type, &origin) == Check::Allowed {
                continue;
            }
            // Steps 2.1.2-2.1.4.
            // Then step 2.1.5: `record` marks the outcome blocked for an enforced policy.
            outcome.record(name.clone(), policy, policy_index);
        }
    }
    // Step 3.
    if !outcome.blocked && request.url.scheme() == "javascript" {
        // Step 3.1 (the same loop as §4.2.3 step 3, with a null element).
        run_inline_checks(policies, None, "navigation", req.url, &mut outcome);
    }
    // Step 4.
    Some(outcome)
}

// ---------------------------------------------------------------------------------------
// Trusted Types (w3c/trusted-types, "Integration with Content Security Policy")
// ---------------------------------------------------------------------------------------

/// "the substring of |s| containing its first 40 characters": 40 UTF-16 code units, a
/// surrogate pair never split (the corpus decision; a character that would cross the limit
/// is left out).
fn first_40_characters(s: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        units += c.len_utf16();
        if units > 40 {
            break;
        }
        out.push(c);
    }
    out
}

/// `tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%")`.
fn is_tt_policy_name(token: &str) -> bool {
    !token.is_empty()
        && token
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c.is_ascii_digit() || "-#=_/@.%".contains(c))
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy>
pub(crate) fn check_trusted_types_policy(
    policies: &[NaivePolicy],
    policy_name: &str,
    created_policy_names: &[&str],
) -> NaiveOutcome {
    // Step 1.
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Step 2.1.
        let mut create_violation = false;
        // Steps 2.2-2.3.
        let Some(value) = directive_value(policy, "trusted-types") else {
            continue;
        };
        // Step 2.4: the value only contains the tt-keyword 'none'.
        if !value.is_empty() && value.iter().all(|t| ascii_ci(t, "'none'")) {
            create_violation = true;
        }
        // Step 2.5.
        if created_policy_names.contains(&policy_name)
            && !value.iter().any(|t| ascii_ci(t, "'allow-duplicates'"))
        {
            create_violation = true;
        }
        // Step 2.6.
        let has_name = value
            .iter()
            .any(|t| is_tt_policy_name(t) && t.as_str() == policy_name);
        let has_wildcard = value.iter().any(|t| t == "*");
        if !has_name && !has_wildcard {
            create_violation = true;
        }
        // Step 2.7.
        if !create_violation {
            continue;
        }
        // Steps 2.8-2.12.
        outcome.record_with_sample(
            "trusted-types".to_string(),
            policy,
            policy_index,
            first_40_characters(policy_name),
        );
    }
    // Step 3.
    outcome
}

/// Does a `require-trusted-types-for` value contain a trusted-types-sink-group that matches
/// `sink_group`? (`'script'` is the only group the grammar has.)
fn names_sink_group(value: &[String], sink_group: &str) -> bool {
    sink_group == "script" && value.iter().any(|t| ascii_ci(t, "'script'"))
}

/// <https://w3c.github.io/trusted-types/dist/spec/#does-sink-type-require-trusted-types>
pub(crate) fn does_sink_type_require_trusted_types(
    policies: &[NaivePolicy],
    sink_group: &str,
    include_report_only_policies: bool,
) -> bool {
    // Step 1.
    for policy in policies {
        // Steps 1.1-1.2.
        let Some(value) = directive_value(policy, "require-trusted-types-for") else {
            continue;
        };
        // Step 1.3.
        if !names_sink_group(value, sink_group) {
            continue;
        }
        // Steps 1.4-1.5.
        if policy.disposition == Disposition::Enforce {
            return true;
        }
        // Step 1.6.
        if include_report_only_policies {
            return true;
        }
    }
    // Step 2.
    false
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch>
pub(crate) fn check_sink_type_mismatch(
    policies: &[NaivePolicy],
    sink: &str,
    sink_group: &str,
    source: &str,
) -> NaiveOutcome {
    // Step 1.
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2.
    let mut sample = source;
    // Step 3.
    if sink == "Function" {
        if let Some(rest) = sample.strip_prefix("function anonymous") {
            sample = rest;
        } else if let Some(rest) = sample.strip_prefix("async function anonymous") {
            sample = rest;
        } else if let Some(rest) = sample.strip_prefix("function* anonymous") {
            sample = rest;
        } else if let Some(rest) = sample.strip_prefix("async function* anonymous") {
            sample = rest;
        }
    }
    // Step 4.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Steps 4.1-4.2.
        let Some(value) = directive_value(policy, "require-trusted-types-for") else {
            continue;
        };
        // Step 4.3.
        if !names_sink_group(value, sink_group) {
            continue;
        }
        // Steps 4.4-4.9.
        let trimmed = first_40_characters(sample);
        outcome.record_with_sample(
            "require-trusted-types-for".to_string(),
            policy,
            policy_index,
            [sink, trimmed.as_str()].join("|"),
        );
    }
    // Step 5.
    outcome
}

/// <https://w3c.github.io/webappsec-csp/#can-compile-strings> with its Trusted Types steps,
/// for a global without a default policy. `compilation_sink` is `Some("eval")` or
/// `Some("Function")`, `None` for a timer; `is_trusted` the algorithm's isTrusted.
pub(crate) fn check_string_compilation(
    policies: &[NaivePolicy],
    compilation_sink: Option<&str>,
    source: &str,
    is_trusted: bool,
) -> NaiveOutcome {
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2 (step 1 for a timer: nothing to do).
    if let Some(sink) = compilation_sink {
        // Step 2.6: get trusted type compliant string. Its step 1: a TrustedScript passes.
        if !is_trusted {
            // Its steps 2-3.
            if does_sink_type_require_trusted_types(policies, "script", true) {
                // Its steps 4-6: no default policy, so the mismatch check decides.
                outcome = check_sink_type_mismatch(policies, sink, "script", source);
                // Step 2.7.
                if outcome.blocked {
                    return outcome;
                }
            }
        }
    }
    // Step 3.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Steps 3.1-3.2.
        let Some(source_list) = script_src_or_default_src(policy) else {
            continue;
        };
        // Step 3.3.1.
        let trusted_types_required =
            does_sink_type_require_trusted_types(policies, "script", false);
        // Step 3.3.2.
        if trusted_types_required && list_contains_keyword(source_list, "'trusted-types-eval'") {
            continue;
        }
        // Step 3.3.3.
        if list_contains_keyword(source_list, "'unsafe-eval'") {
            continue;
        }
        // Steps 3.3.4-3.3.8.
        outcome.record("script-src".to_string(), policy, policy_index);
    }
    // Step 4.
    outcome
}

/// <https://w3c.github.io/trusted-types/dist/spec/#require-trusted-types-for-pre-navigation-check>:
/// `Some(new url)` or `None` ("Blocked"); `Ok` with the URL unchanged when not javascript:.
fn require_trusted_types_for_pre_navigation(
    url: &Url,
    default_policy: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<Url, ()> {
    // Step 1.
    if url.scheme() != "javascript" {
        return Ok(url.clone());
    }
    // Step 2.
    let url_string = url.to_string();
    // Step 3.
    let encoded_script_source = &url_string["javascript:".len()..];
    // Step 4.
    let Some(converted_script_source) = default_policy(encoded_script_source) else {
        return Err(());
    };
    // Step 5.
    let url_string = format!("javascript:{converted_script_source}");
    // Step 6.
    let Ok(new_url) = Url::parse(&url_string) else {
        return Err(());
    };
    // Steps 7-8.
    Ok(new_url)
}

/// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request> with both
/// directives' pre-navigation checks (form-action, require-trusted-types-for). Returns the
/// outcome and the request's final URL.
pub(crate) fn check_navigation_with_trusted_types(
    policies: &[NaivePolicy],
    document_url: &str,
    req: &NaiveRequest,
    nav_type: &str,
    default_policy: &mut dyn FnMut(&str) -> Option<String>,
) -> Option<(NaiveOutcome, String)> {
    let (origin, mut request) = request_in_document(document_url, req)?;
    // Step 1.
    let mut outcome = NaiveOutcome {
        blocked: false,
        violations: Vec::new(),
    };
    // Step 2.
    for (policy_index, policy) in policies.iter().enumerate() {
        // Step 2.1.
        for (name, value) in &policy.directives {
            // Step 2.1.1.
            let check = match name.as_str() {
                "require-trusted-types-for" => {
                    match require_trusted_types_for_pre_navigation(&request.url, default_policy) {
                        Ok(url) => {
                            request.url = url;
                            Check::Allowed
                        }
                        Err(()) => Check::Blocked,
                    }
                }
                _ => pre_navigation_check(name, value, &request, nav_type, &origin),
            };
            if check == Check::Allowed {
                continue;
            }
            // Steps 2.1.2-2.1.5.
            outcome.record(name.clone(), policy, policy_index);
        }
    }
    // Step 3.
    if !outcome.blocked && request.url.scheme() == "javascript" {
        run_inline_checks(
            policies,
            None,
            "navigation",
            request.url.as_str(),
            &mut outcome,
        );
    }
    // Step 4.
    Some((outcome, request.url.to_string()))
}

// ---------------------------------------------------------------------------------------
// Unit tests: worked examples of URL matching (§6.7.2)
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Example's expression | protected resource (document URL) | url -> expected.
    fn m(expression: &str, document: &str, url: &str) -> bool {
        url_matches_expression(url, expression, document, 0).expect("example URLs parse")
    }

    fn list(tokens: &[&str]) -> Vec<String> {
        tokens.iter().map(|t| t.to_string()).collect()
    }

    /// Origin for examples whose protected origin is "–" (irrelevant).
    const ANY: &str = "https://o.test/";

    #[test]
    fn scheme_handling_examples_1_to_12() {
        assert!(!m("https:", "https://a.test", "http://b.test/")); // 1
        assert!(m("http:", "https://a.test", "https://b.test/")); // 2
        assert!(m("https:", "https://a.test", "https://b.test:8443/")); // 3
        assert!(m("data:", "https://a.test", "data:image/png;base64,AA")); // 4
        assert!(m("blob:", "https://a.test", "blob:https://a.test/uuid")); // 5
        assert!(!m("https:", "https://a.test", "blob:https://a.test/uuid")); // 6
        assert!(m("ws:", "https://a.test", "wss://b.test/")); // 7
        assert!(m("ws:", "https://a.test", "https://b.test/")); // 8 (per the table)
        assert!(m("wss:", "https://a.test", "https://b.test/")); // 9 (per the table)
        assert!(m("http://b.test", "https://a.test", "https://b.test/")); // 10
        assert!(!m("https://b.test", "http://a.test", "http://b.test/")); // 11
        assert!(!m("https://b.test", "https://a.test", "wss://b.test/")); // 12 (decision 1)
    }

    #[test]
    fn schemeless_host_source_examples_13_to_17() {
        assert!(m("b.test", "https://a.test", "https://b.test/")); // 13
        assert!(!m("b.test", "https://a.test", "http://b.test/")); // 14
        assert!(m("b.test", "http://a.test", "https://b.test/")); // 15
        assert!(!m("b.test", "https://a.test", "wss://b.test/")); // 16 (decision 1)
        assert!(!m("b.test", "http://a.test", "ws://b.test/")); // 17
    }

    #[test]
    fn wildcard_examples_18_to_23() {
        assert!(m("*", "https://a.test", "http://x.test/")); // 18
        assert!(!m("*", "https://a.test", "data:text/plain,hi")); // 19
        assert!(!m("*", "https://a.test", "blob:https://a.test/u")); // 20
        assert!(m("*", "https://a.test", "wss://x.test/")); // 21 (decision 2)
        assert!(m("*", "app://local", "app://local/x")); // 22
        assert!(!m("*", "https://a.test", "ftp://x.test/")); // 23
    }

    #[test]
    fn host_part_examples_24_to_32() {
        assert!(m("*.a.test", ANY, "https://www.a.test/")); // 24
        assert!(m("*.a.test", ANY, "https://x.y.a.test/")); // 25
        assert!(!m("*.a.test", ANY, "https://a.test/")); // 26
        assert!(!m("*.a.test", ANY, "https://evila.test/")); // 27
        assert!(m("A.TEST", ANY, "https://a.test/")); // 28
        assert!(m("https://*:8443", ANY, "https://any.test:8443/")); // 29
        assert!(!m("a.test.", ANY, "https://a.test/")); // 30
        assert!(!m("a.test", ANY, "https://a.test./")); // 30
        assert!(m("127.0.0.1", "http://o.test/", "http://127.0.0.1/")); // 31 (decision 4)
        assert!(!m("*.0.0.1", "http://o.test/", "http://127.0.0.1/")); // decision 4
        assert!(m("xn--tdaaaaaa.de", ANY, "https://üüüüüü.de/")); // 32
    }

    #[test]
    fn port_part_examples_33_to_39() {
        assert!(m("https://a.test", ANY, "https://a.test:443/")); // 33
        assert!(!m("https://a.test", ANY, "https://a.test:8443/")); // 34
        assert!(m("https://a.test:443", ANY, "https://a.test/")); // 35
        assert!(m("http://a.test:80", ANY, "https://a.test/")); // 36 (decision 3)
        assert!(m("http://a.test:8080", ANY, "https://a.test:8080/")); // 37
        assert!(!m("https://a.test:80", ANY, "https://a.test/")); // 38
        assert!(m("a.test:*", "https://o.test", "https://a.test:1234/")); // 39
    }

    #[test]
    fn path_part_examples_40_to_48() {
        assert!(m("https://a.test/js/", ANY, "https://a.test/js/app.js")); // 40
        assert!(!m("https://a.test/js/", ANY, "https://a.test/js")); // 41
        assert!(!m("https://a.test/js", ANY, "https://a.test/js/")); // 42
        assert!(m(
            "https://a.test/js/app.js",
            ANY,
            "https://a.test/js/app.js?v=3"
        )); // 43
        assert!(m("https://a.test/", ANY, "https://a.test/anything/at/all")); // 44
        assert!(m("https://a.test/%66oo", ANY, "https://a.test/foo")); // 45
        assert!(!m("https://a.test/JS/", ANY, "https://a.test/js/x")); // 46
        assert!(!m("https://a.test/a/", ANY, "https://a.test/a%2Fb")); // 47
                                                                       // 48: paths are ignored once the request has been redirected.
        assert!(!m("https://b.test/only", ANY, "https://b.test/other"));
        assert_eq!(
            url_matches_expression("https://b.test/other", "https://b.test/only", ANY, 1),
            Some(true)
        );
    }

    #[test]
    fn self_examples_49_to_57() {
        assert!(m("'self'", "https://a.test", "https://a.test/x")); // 49
        assert!(m("'self'", "https://a.test", "wss://a.test/sock")); // 50
        assert!(!m("'self'", "https://a.test", "ws://a.test/sock")); // 51
        assert!(!m("'self'", "https://a.test", "http://a.test/")); // 52
        assert!(m("'self'", "http://a.test", "https://a.test/")); // 53
        assert!(m("'self'", "http://a.test", "ws://a.test/")); // 53
        assert!(m("'self'", "http://a.test", "wss://a.test/")); // 53
        assert!(m("'self'", "http://a.test:8080", "https://a.test:8080/")); // 54
        assert!(!m("'self'", "http://a.test:8080", "https://a.test/")); // 55
        assert!(!m("'self'", "https://a.test", "https://www.a.test/")); // 56
        assert!(!m("'self'", "data:text/html,hi", "data:text/html,hi")); // 57
        assert!(!m("'self'", "data:text/html,hi", "https://a.test/")); // 57
        assert!(!m("'SELF'", "https://a.test", "blob:https://a.test/u")); // decision 7
    }

    #[test]
    fn none_and_list_examples_58() {
        let url = "https://a.test/";
        assert_eq!(
            url_matches_source_list(url, &list(&["'none'"]), ANY, 0),
            Some(false)
        );
        assert_eq!(
            url_matches_source_list(url, &list(&["'none'", "https://a.test"]), ANY, 0),
            Some(true)
        );
        assert_eq!(
            url_matches_source_list(url, &list(&[]), ANY, 0),
            Some(false)
        );
        assert_eq!(
            url_matches_source_list(url, &list(&["'nonce-x'", "'unsafe-inline'"]), ANY, 0),
            Some(false)
        );
        assert!(!m("'none'", ANY, url));
    }

    /// Deterministic junk from an alphabet rich in grammar delimiters and non-ASCII.
    fn junk(state: &mut u64, max_len: usize) -> String {
        const ALPHABET: &[&str] = &[
            "a",
            "Z",
            "0",
            "9",
            ".",
            "-",
            "_",
            "*",
            ":",
            "/",
            "//",
            "?",
            "#",
            "%",
            "%2F",
            "'",
            "=",
            "+",
            ";",
            ",",
            " ",
            "\t",
            "[",
            "]",
            "@",
            "é",
            "ü",
            "\u{0}",
            "https",
            "ws",
            "blob:",
            "data:",
            "'self'",
            "'none'",
            "'nonce-",
            "'sha256-",
            "'strict-dynamic'",
            "'unsafe-inline'",
            "'unsafe-hashes'",
            "127.0.0.1",
            "a.test",
            "80",
            "443",
            "javascript:",
        ];
        let mut next = || {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state
        };
        let len = (next() % (max_len as u64 + 1)) as usize;
        (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn no_panic_on_generated_inputs() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let documents = [
            "https://a.test/",
            "http://127.0.0.1:8080/",
            "data:text/html,x",
            "app://x/",
        ];
        for i in 0..4000 {
            let document = documents[i % documents.len()];
            let text = junk(&mut state, 12);
            let url = match i % 3 {
                0 => format!("https://{}", junk(&mut state, 4)),
                1 => format!("javascript:{}", junk(&mut state, 4)),
                _ => junk(&mut state, 6),
            };
            let expression = junk(&mut state, 5);
            let nonce = junk(&mut state, 2);
            let integrity = junk(&mut state, 4);
            for source in [Source::Header, Source::Meta] {
                let policies = parse_policy_list(&text, Disposition::Enforce, source);
                let req = NaiveRequest {
                    url: &url,
                    destination: ["", "script", "worker", "style", "document"][i % 5],
                    initiator: ["", "prefetch", "prerender"][i % 3],
                    redirect_count: (i % 2) as u32,
                    nonce: &nonce,
                    integrity: &integrity,
                    parser_metadata: ["", "parser-inserted"][i % 2],
                };
                let _ = check_request(&policies, document, &req);
                let _ = check_navigation(&policies, document, &req, "form-submission");
                let _ = check_inline(&policies, "script", &url, &nonce, i % 2 == 0);
                let _ = check_inline(&policies, "style attribute", &url, &nonce, false);
                let _ = check_eval(&policies, "wasm");
                let _ = check_frame_ancestors(&policies, document, &[url.as_str()]);
            }
            let _ = url_matches_expression(&url, &expression, document, 0);
            let _ = url_matches_source_list(&url, &[expression.clone(), text.clone()], document, 1);
        }
    }

    #[test]
    fn grammar_recognisers() {
        assert_eq!(is_scheme_source("https:"), Some("https"));
        assert_eq!(is_scheme_source("1x:"), None);
        let hs = is_host_source("https://*.a.test:8443/p/q?x#y").expect("valid with decision 5");
        assert_eq!(hs.scheme_part, Some("https"));
        assert_eq!(hs.host_part, "*.a.test");
        assert_eq!(hs.port_part, Some("8443"));
        assert_eq!(hs.path_part, "/p/q");
        assert!(is_host_source("a.test?x").is_none());
        assert!(is_host_source("a.test:80?x").is_none());
        assert!(is_host_source("a..test").is_none());
        assert!(is_host_source("[::1]").is_none());
        assert!(is_host_source("localhost:8080").is_some());
        assert_eq!(is_nonce_source("'NONCE-abc='"), Some("abc="));
        assert_eq!(is_nonce_source("'nonce-a=b'"), None);
        assert_eq!(
            is_hash_source("'SHA256-ab_-+/=='"),
            Some(("SHA256", "ab_-+/=="))
        );
        assert_eq!(is_hash_source("'sha1-abc'"), None);
        // Arbitrary junk never panics.
        for junk in [
            "",
            "'",
            "''",
            "'nonce-'",
            "é:",
            "a.test:é",
            "*.",
            "https://",
            "://x",
        ] {
            let _ = url_matches_expression("https://a.test/", junk, ANY, 0);
            let _ = is_host_source(junk);
            let _ = is_nonce_source(junk);
            let _ = is_hash_source(junk);
        }
    }
}
