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

/// Describes one token of directive `directive`, given the rest of its list and the page.
pub fn describe(
    token: &str,
    directive: D,
    ctx: ListContext,
    document: Option<&Url>,
) -> Description {
    let mut d = Description {
        kind: "",
        meaning: String::new(),
        inert: None,
        note: None,
    };
    let url_only = matches!(directive, D::FrameAncestors | D::FormAction | D::BaseUri);
    let strict_scripts = ctx.strict_dynamic && scripts_read(directive);
    match SourceExpression::parse(token) {
        SourceExpression::None => {
            d.kind = "'none'";
            d.meaning = "nothing".to_owned();
            if ctx.several {
                d.inert = Some("'none' is ignored when other sources are listed".to_owned());
            }
        }
        SourceExpression::Star => {
            d.kind = "*";
            d.meaning = "any http:, https:, ws: or wss: URL, and the page's own scheme; not data:, blob: or filesystem:".to_owned();
            if strict_scripts {
                d.add_note("ignored for scripts because of 'strict-dynamic' (a fallback for older browsers)".to_owned());
            } else if scripts_read(directive) && !url_only {
                d.add_note("risky: lets a script from any host run".to_owned());
            }
        }
        SourceExpression::Keyword(k) => {
            d.kind = "keyword";
            let (applies, scope) = keyword_scope(k);
            if k == Keywords::SELF {
                d.meaning = self_meaning(document);
                if strict_scripts {
                    d.add_note("ignored for scripts because of 'strict-dynamic' (a fallback for older browsers)".to_owned());
                }
            } else {
                d.meaning = keyword_meaning(k, directive).to_owned();
            }
            if url_only && k != Keywords::SELF {
                d.inert = Some(format!(
                    "{directive} only matches URLs: keywords other than 'self' mean nothing here"
                ));
            } else if !applies(directive) {
                d.inert = Some(format!(
                    "{token} means nothing in {directive}: it works in {scope}"
                ));
            } else if k == Keywords::UNSAFE_INLINE && ctx.nonce_or_hash {
                d.inert = Some(
                    "the list has a nonce or hash, which turns 'unsafe-inline' off".to_owned(),
                );
            } else if k == Keywords::UNSAFE_INLINE && strict_scripts && !is_style(directive) {
                d.inert = Some(
                    "the list has 'strict-dynamic', which turns 'unsafe-inline' off for scripts"
                        .to_owned(),
                );
            } else if k == Keywords::UNSAFE_INLINE && is_script(directive) {
                d.add_note("risky: inline script injection (XSS) is allowed".to_owned());
            } else if k == Keywords::UNSAFE_EVAL {
                d.add_note("risky: code built from strings runs".to_owned());
            }
        }
        SourceExpression::Scheme(s) => {
            d.kind = "scheme";
            d.meaning = format!("any {} URL", scheme_matches(s));
            let lower = s.to_ascii_lowercase();
            if strict_scripts {
                d.add_note("ignored for scripts because of 'strict-dynamic' (a fallback for older browsers)".to_owned());
            } else if scripts_read(directive)
                && matches!(lower.as_str(), "http" | "https" | "data" | "blob")
            {
                d.add_note(format!("risky in {directive}: any {lower}: script can run"));
            }
        }
        SourceExpression::Host {
            scheme,
            host,
            port,
            path,
            ignored_suffix,
        } => {
            d.kind = "host";
            let schemes = match scheme {
                Some(s) => format!("over {}", scheme_matches(s)),
                None => match document.map(Url::scheme) {
                    Some(s) => format!("over {} (the page's scheme)", scheme_matches(s)),
                    None => "over the page's scheme".to_owned(),
                },
            };
            let host_text = if host == "*" {
                "any host".to_owned()
            } else if let Some(rest) = host.strip_prefix("*.") {
                format!("any subdomain of {rest} (not {rest} itself)")
            } else if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
                format!("the IP address {host}")
            } else {
                host.to_ascii_lowercase()
            };
            let port_text = match port {
                None => "default port".to_owned(),
                Some(PortPart::Any) => "any port".to_owned(),
                Some(PortPart::Number(n)) if n > 65535 => {
                    "no port (over 65535: matches nothing)".to_owned()
                }
                Some(PortPart::Number(n)) => format!("port {n}"),
            };
            let path_text = match path {
                None | Some("/") => "any path".to_owned(),
                Some(p) if p.ends_with('/') => format!("paths under {p}"),
                Some(p) => format!("exactly the path {p}"),
            };
            d.meaning = format!("{host_text} {schemes}, {port_text}, {path_text}");
            if let Some(q) = ignored_suffix {
                d.add_note(format!("the {q:?} part is ignored, as every browser does"));
            }
            if scheme.is_none() && port.is_none() && path.is_none() {
                let lower = host.to_ascii_lowercase();
                let quoted = ["nonce-", "sha256-", "sha384-", "sha512-"]
                    .iter()
                    .any(|p| lower.starts_with(p));
                if UNQUOTED.contains(&lower.as_str()) || quoted {
                    d.add_note(format!(
                        "a host named {host}: did you mean '{host}', with single quotes?"
                    ));
                }
            }
            if strict_scripts {
                d.add_note("ignored for scripts because of 'strict-dynamic' (a fallback for older browsers)".to_owned());
            }
        }
        SourceExpression::Nonce(_) => {
            d.kind = "nonce";
            d.meaning = "elements whose nonce attribute has this value".to_owned();
            if matches!(directive, D::ScriptSrcAttr | D::StyleSrcAttr) {
                d.inert = Some("nonces never apply to attributes".to_owned());
            } else if !(is_script(directive) || is_style(directive) || directive == D::DefaultSrc) {
                d.inert = Some(format!(
                    "nonces mean nothing in {directive}: only scripts and styles carry them"
                ));
            }
        }
        SourceExpression::Hash(alg, _) => {
            d.kind = "hash";
            d.meaning = format!("inline code, or a resource with integrity metadata, whose {alg} hash is this value");
            if !(is_script(directive) || is_style(directive) || directive == D::DefaultSrc) {
                d.inert = Some(format!(
                    "hashes mean nothing in {directive}: only scripts and styles use them"
                ));
            }
        }
        SourceExpression::Invalid(reason) => {
            d.kind = "invalid";
            d.meaning = "nothing".to_owned();
            d.inert = Some(format!(
                "not a valid source expression: {}",
                reason.description()
            ));
        }
        _ => {
            d.kind = "unknown";
            d.meaning = "nothing this tool knows".to_owned();
        }
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
