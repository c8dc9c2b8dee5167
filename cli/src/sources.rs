//! What a source expression means, and whether it means anything in a given directive:
//! shared by `explain` (to describe a policy) and `suggest` (to copy a fallback directive's
//! sources into a new directive without carrying over sources that would mean nothing there).

use cspgate::url::Url;
use cspgate::{DirectiveKind as D, Keywords, PortPart, SourceExpression};

/// Keywords that people write without their quotes, which makes them host names.
const UNQUOTED: &[&str] = &[
    "self",
    "none",
    "unsafe-inline",
    "unsafe-eval",
    "strict-dynamic",
    "unsafe-hashes",
    "report-sample",
    "wasm-unsafe-eval",
];

fn is_script(d: D) -> bool {
    matches!(d, D::ScriptSrc | D::ScriptSrcElem | D::ScriptSrcAttr)
}

fn is_style(d: D) -> bool {
    matches!(d, D::StyleSrc | D::StyleSrcElem | D::StyleSrcAttr)
}

/// Does this directive run script checks with its list (script-src*, or default-src for
/// scripts)?
fn scripts_read(d: D) -> bool {
    is_script(d) || d == D::DefaultSrc
}

/// Where a keyword has an effect: the directives, as a predicate, and in words.
fn keyword_scope(k: Keywords) -> (fn(D) -> bool, &'static str) {
    if k == Keywords::SELF {
        (|_| true, "every source list")
    } else if k == Keywords::UNSAFE_INLINE
        || k == Keywords::REPORT_SAMPLE
        || k == Keywords::UNSAFE_HASHES
    {
        (
            |d| is_script(d) || is_style(d) || d == D::DefaultSrc,
            "script-src*, style-src* and default-src",
        )
    } else if k == Keywords::UNSAFE_EVAL
        || k == Keywords::WASM_UNSAFE_EVAL
        || k == Keywords::TRUSTED_TYPES_EVAL
    {
        (
            |d| matches!(d, D::ScriptSrc | D::DefaultSrc),
            "script-src and default-src",
        )
    } else if k == Keywords::STRICT_DYNAMIC
        || k == Keywords::REPORT_SHA256
        || k == Keywords::REPORT_SHA384
        || k == Keywords::REPORT_SHA512
    {
        (
            |d| matches!(d, D::ScriptSrc | D::ScriptSrcElem | D::DefaultSrc),
            "script-src, script-src-elem and default-src",
        )
    } else if k == Keywords::UNSAFE_WEBTRANSPORT_HASHES {
        (
            |d| matches!(d, D::ConnectSrc | D::DefaultSrc),
            "connect-src and default-src",
        )
    } else {
        // 'unsafe-allow-redirects': no semantics since navigate-to was removed.
        (
            |_| false,
            "no directive since navigate-to was removed (2022)",
        )
    }
}

fn keyword_meaning(k: Keywords, d: D) -> &'static str {
    if k == Keywords::UNSAFE_INLINE {
        if is_style(d) {
            "inline <style> and style= attributes"
        } else if is_script(d) {
            "inline <script>, event-handler attributes and javascript: URLs"
        } else {
            "inline scripts, styles, event handlers and javascript: URLs"
        }
    } else if k == Keywords::UNSAFE_EVAL {
        "eval(), new Function() and string timers"
    } else if k == Keywords::WASM_UNSAFE_EVAL {
        "WebAssembly compilation"
    } else if k == Keywords::TRUSTED_TYPES_EVAL {
        "eval() of Trusted Types values, when Trusted Types are enforced"
    } else if k == Keywords::STRICT_DYNAMIC {
        "scripts loaded by already-trusted (nonced or hashed) scripts are trusted; host sources, 'self' and 'unsafe-inline' are ignored for scripts"
    } else if k == Keywords::UNSAFE_HASHES {
        "hash sources also allow matching event-handler and style= attributes"
    } else if k == Keywords::REPORT_SAMPLE {
        "violation reports include the first 40 characters of the blocked code"
    } else if k == Keywords::UNSAFE_WEBTRANSPORT_HASHES {
        "WebTransport connections with serverCertificateHashes"
    } else if k == Keywords::REPORT_SHA256
        || k == Keywords::REPORT_SHA384
        || k == Keywords::REPORT_SHA512
    {
        "reports the hash of every script loaded"
    } else {
        "no effect"
    }
}

/// What the rest of a source list changes about one of its tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListContext {
    /// The list has a nonce- or hash-source.
    pub nonce_or_hash: bool,
    /// The list has `'strict-dynamic'`.
    pub strict_dynamic: bool,
    /// The list has more than one token.
    pub several: bool,
}

impl ListContext {
    /// The context of a directive's tokens.
    pub fn of<'a>(tokens: impl Iterator<Item = &'a str>) -> ListContext {
        let mut c = ListContext::default();
        let mut n = 0;
        for t in tokens {
            n += 1;
            match SourceExpression::parse(t) {
                SourceExpression::Nonce(_) | SourceExpression::Hash(..) => c.nonce_or_hash = true,
                SourceExpression::Keyword(k) if k == Keywords::STRICT_DYNAMIC => {
                    c.strict_dynamic = true
                }
                _ => {}
            }
        }
        c.several = n > 1;
        c
    }
}

/// A source expression, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// `keyword`, `host`, `scheme`, `nonce`, `hash`, `*`, `'none'` or `invalid`.
    pub kind: &'static str,
    /// What it allows.
    pub meaning: String,
    /// Why it has no effect here, when it has none.
    pub inert: Option<String>,
    /// Something worth knowing (a risk, a likely typo, an ignored query).
    pub note: Option<String>,
}

impl Description {
    fn add_note(&mut self, note: impl Into<String>) {
        let note = note.into();
        self.note = Some(match self.note.take() {
            Some(n) => format!("{n}; {note}"),
            None => note,
        });
    }
}

/// The scheme-part match table (§6.7.2.9) in words.
fn scheme_matches(scheme: &str) -> String {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => "http: and https:".to_owned(),
        "https" => "https:".to_owned(),
        "ws" => "ws:, wss:, http: and https:".to_owned(),
        "wss" => "wss: and https:".to_owned(),
        other => format!("{other}:"),
    }
}

/// The origin `'self'` stands for, in words.
fn self_meaning(document: Option<&Url>) -> String {
    let Some(doc) = document else {
        return "the page's own origin".to_owned();
    };
    let origin = doc.origin();
    if !origin.is_tuple() {
        return format!("nothing: {doc} has an opaque origin");
    }
    let host = doc.host_str().unwrap_or("");
    let port = doc.port().map(|p| format!(":{p}")).unwrap_or_default();
    match doc.scheme() {
        "https" => format!("the page's own origin, https://{host}{port} (and wss://{host}{port})"),
        "http" => format!(
            "the page's own origin, http://{host}{port} (and https://, ws://, wss:// on {host}{port})"
        ),
        _ => format!("the page's own origin, {}", origin.ascii_serialization()),
    }
}

/// Where a token is described: its directive, the rest of its list, and the page.
#[derive(Clone, Copy)]
struct Place<'a> {
    directive: D,
    ctx: ListContext,
    document: Option<&'a Url>,
    /// The directive matches URLs only (frame-ancestors, form-action, base-uri).
    url_only: bool,
    /// The list has `'strict-dynamic'` and is read for scripts.
    strict_scripts: bool,
}

const STRICT_DYNAMIC_IGNORES: &str =
    "ignored for scripts because of 'strict-dynamic' (a fallback for older browsers)";

impl Description {
    fn new(kind: &'static str, meaning: impl Into<String>) -> Description {
        Description {
            kind,
            meaning: meaning.into(),
            inert: None,
            note: None,
        }
    }
}

/// Describes one token of directive `directive`, given the rest of its list and the page.
pub fn describe(
    token: &str,
    directive: D,
    ctx: ListContext,
    document: Option<&Url>,
) -> Description {
    let here = Place {
        directive,
        ctx,
        document,
        url_only: matches!(directive, D::FrameAncestors | D::FormAction | D::BaseUri),
        strict_scripts: ctx.strict_dynamic && scripts_read(directive),
    };
    match SourceExpression::parse(token) {
        SourceExpression::None => describe_none(&here),
        SourceExpression::Star => describe_star(&here),
        SourceExpression::Keyword(k) => describe_keyword(k, token, &here),
        SourceExpression::Scheme(s) => describe_scheme(s, &here),
        SourceExpression::Host {
            scheme,
            host,
            port,
            path,
            ignored_suffix,
        } => describe_host(
            HostParts {
                scheme,
                host,
                port,
                path,
                ignored_suffix,
            },
            &here,
        ),
        SourceExpression::Nonce(_) => describe_nonce(&here),
        SourceExpression::Hash(alg, _) => describe_hash(alg, &here),
        SourceExpression::Invalid(reason) => {
            let mut d = Description::new("invalid", "nothing");
            d.inert = Some(format!(
                "not a valid source expression: {}",
                reason.description()
            ));
            d
        }
        _ => Description::new("unknown", "nothing this tool knows"),
    }
}

fn describe_none(here: &Place<'_>) -> Description {
    let mut d = Description::new("'none'", "nothing");
    if here.ctx.several {
        d.inert = Some("'none' is ignored when other sources are listed".to_owned());
    }
    d
}

fn describe_star(here: &Place<'_>) -> Description {
    let mut d = Description::new(
        "*",
        "any http:, https:, ws: or wss: URL, and the page's own scheme; not data:, blob: or filesystem:",
    );
    if here.strict_scripts {
        d.add_note(STRICT_DYNAMIC_IGNORES);
    } else if scripts_read(here.directive) && !here.url_only {
        d.add_note("risky: lets a script from any host run");
    }
    d
}

fn describe_keyword(k: Keywords, token: &str, here: &Place<'_>) -> Description {
    let directive = here.directive;
    let meaning = if k == Keywords::SELF {
        self_meaning(here.document)
    } else {
        keyword_meaning(k, directive).to_owned()
    };
    let mut d = Description::new("keyword", meaning);
    if k == Keywords::SELF && here.strict_scripts {
        d.add_note(STRICT_DYNAMIC_IGNORES);
    }
    let (applies, scope) = keyword_scope(k);
    let unsafe_inline = k == Keywords::UNSAFE_INLINE;
    if here.url_only && k != Keywords::SELF {
        d.inert = Some(format!(
            "{directive} only matches URLs: keywords other than 'self' mean nothing here"
        ));
    } else if !applies(directive) {
        d.inert = Some(format!(
            "{token} means nothing in {directive}: it works in {scope}"
        ));
    } else if unsafe_inline && here.ctx.nonce_or_hash {
        d.inert = Some("the list has a nonce or hash, which turns 'unsafe-inline' off".to_owned());
    } else if unsafe_inline && here.strict_scripts && !is_style(directive) {
        d.inert = Some(
            "the list has 'strict-dynamic', which turns 'unsafe-inline' off for scripts".to_owned(),
        );
    } else if unsafe_inline && is_script(directive) {
        d.add_note("risky: inline script injection (XSS) is allowed");
    } else if k == Keywords::UNSAFE_EVAL {
        d.add_note("risky: code built from strings runs");
    }
    d
}

fn describe_scheme(s: &str, here: &Place<'_>) -> Description {
    let mut d = Description::new("scheme", format!("any {} URL", scheme_matches(s)));
    let lower = s.to_ascii_lowercase();
    if here.strict_scripts {
        d.add_note(STRICT_DYNAMIC_IGNORES);
    } else if scripts_read(here.directive)
        && matches!(lower.as_str(), "http" | "https" | "data" | "blob")
    {
        d.add_note(format!(
            "risky in {}: any {lower}: script can run",
            here.directive
        ));
    }
    d
}

/// The parts of a host-source.
struct HostParts<'t> {
    scheme: Option<&'t str>,
    host: &'t str,
    port: Option<PortPart>,
    path: Option<&'t str>,
    ignored_suffix: Option<&'t str>,
}

fn describe_host(h: HostParts<'_>, here: &Place<'_>) -> Description {
    let schemes = match h.scheme {
        Some(s) => format!("over {}", scheme_matches(s)),
        None => match here.document.map(Url::scheme) {
            Some(s) => format!("over {} (the page's scheme)", scheme_matches(s)),
            None => "over the page's scheme".to_owned(),
        },
    };
    let mut d = Description::new(
        "host",
        format!(
            "{} {schemes}, {}, {}",
            host_meaning(h.host),
            port_meaning(h.port),
            path_meaning(h.path)
        ),
    );
    if let Some(q) = h.ignored_suffix {
        d.add_note(format!("the {q:?} part is ignored, as every browser does"));
    }
    if h.scheme.is_none() && h.port.is_none() && h.path.is_none() {
        if let Some(typo) = unquoted_keyword_note(h.host) {
            d.add_note(typo);
        }
    }
    if here.strict_scripts {
        d.add_note(STRICT_DYNAMIC_IGNORES);
    }
    d
}

fn host_meaning(host: &str) -> String {
    if host == "*" {
        "any host".to_owned()
    } else if let Some(rest) = host.strip_prefix("*.") {
        format!("any subdomain of {rest} (not {rest} itself)")
    } else if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        format!("the IP address {host}")
    } else {
        host.to_ascii_lowercase()
    }
}

fn port_meaning(port: Option<PortPart>) -> String {
    match port {
        None => "default port".to_owned(),
        Some(PortPart::Any) => "any port".to_owned(),
        Some(PortPart::Number(n)) if n > 65535 => {
            "no port (over 65535: matches nothing)".to_owned()
        }
        Some(PortPart::Number(n)) => format!("port {n}"),
    }
}

fn path_meaning(path: Option<&str>) -> String {
    match path {
        None | Some("/") => "any path".to_owned(),
        Some(p) if p.ends_with('/') => format!("paths under {p}"),
        Some(p) => format!("exactly the path {p}"),
    }
}

/// A bare host that is a keyword or a nonce/hash without its quotes: a likely typo.
fn unquoted_keyword_note(host: &str) -> Option<String> {
    let lower = host.to_ascii_lowercase();
    let quoted = ["nonce-", "sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| lower.starts_with(p));
    (UNQUOTED.contains(&lower.as_str()) || quoted)
        .then(|| format!("a host named {host}: did you mean '{host}', with single quotes?"))
}

fn describe_nonce(here: &Place<'_>) -> Description {
    let directive = here.directive;
    let mut d = Description::new("nonce", "elements whose nonce attribute has this value");
    if matches!(directive, D::ScriptSrcAttr | D::StyleSrcAttr) {
        d.inert = Some("nonces never apply to attributes".to_owned());
    } else if !(is_script(directive) || is_style(directive) || directive == D::DefaultSrc) {
        d.inert = Some(format!(
            "nonces mean nothing in {directive}: only scripts and styles carry them"
        ));
    }
    d
}

fn describe_hash(alg: cspgate::HashAlgorithm, here: &Place<'_>) -> Description {
    let directive = here.directive;
    let mut d = Description::new(
        "hash",
        format!(
            "inline code, or a resource with integrity metadata, whose {alg} hash is this value"
        ),
    );
    if !(is_script(directive) || is_style(directive) || directive == D::DefaultSrc) {
        d.inert = Some(format!(
            "hashes mean nothing in {directive}: only scripts and styles use them"
        ));
    }
    d
}

/// Does this token mean anything in `directive`, whatever else its list holds? Used to copy a
/// fallback directive's sources into a new, more specific directive: `'none'` and invalid
/// tokens are never copied, nor keywords, nonces or hashes that the new directive ignores.
pub fn meaningful_in(token: &str, directive: D) -> bool {
    let d = describe(token, directive, ListContext::default(), None);
    d.inert.is_none() && d.kind != "'none'" && d.kind != "invalid"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_per_directive() {
        assert!(meaningful_in("'self'", D::ImgSrc));
        assert!(!meaningful_in("'unsafe-eval'", D::ImgSrc));
        assert!(meaningful_in("'unsafe-eval'", D::ScriptSrc));
        assert!(!meaningful_in("'unsafe-eval'", D::ScriptSrcElem));
        assert!(!meaningful_in("'nonce-abc'", D::ConnectSrc));
        assert!(meaningful_in("'nonce-abc'", D::StyleSrc));
        assert!(!meaningful_in("'none'", D::ImgSrc));
        assert!(!meaningful_in("https://a_b.test", D::ImgSrc));
        assert!(meaningful_in("https://cdn.test", D::ImgSrc));
        assert!(!meaningful_in("'unsafe-inline'", D::FrameAncestors));
    }

    #[test]
    fn context_and_hosts() {
        let ctx = ListContext::of(["'unsafe-inline'", "'nonce-abc'"].into_iter());
        let d = describe("'unsafe-inline'", D::ScriptSrc, ctx, None);
        assert!(d.inert.unwrap().contains("nonce or hash"));
        let d = describe(
            "https://*.cdn.test:8443/js/",
            D::ScriptSrc,
            ListContext::default(),
            None,
        );
        assert_eq!(
            d.meaning,
            "any subdomain of cdn.test (not cdn.test itself) over https:, port 8443, paths under /js/"
        );
        let d = describe("self", D::ImgSrc, ListContext::default(), None);
        assert!(d.note.unwrap().contains("did you mean 'self'"));
        let doc = Url::parse("https://app.test/").unwrap();
        let d = describe("'self'", D::ImgSrc, ListContext::default(), Some(&doc));
        assert_eq!(
            d.meaning,
            "the page's own origin, https://app.test (and wss://app.test)"
        );
    }
}
