//! Where browsers decide otherwise than cspgate, which keeps the letter of CSP3: the rows of
//! the table "Where the letter is kept although engines differ" in `docs/spec-deviations.md`
//! that a page's requests meet, plus Chromium's frame check of `<object>` and `<embed>`
//! documents. Each applies to an outcome by what decided it (the matching source, the
//! destination), and says what the engines do, so that a row that disagrees with a browser
//! says why, and `suggest` can write a policy that holds in all of them.

use cspgate::url::Url;
use cspgate::{Destination, DirectiveKind, DocumentPolicy, PortPart, SourceExpression};

use crate::check::{check_one, Kind, Outcome};

/// What one engine does with a request, where it differs from cspgate's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineNote {
    /// The engines that do it: `chromium`, `chromium, firefox`.
    pub engines: &'static str,
    /// Their verdict.
    pub verdict: Kind,
    /// The directive that decides there.
    pub directive: DirectiveKind,
    /// Why, for people.
    pub why: &'static str,
}

/// One difference: when it applies to an outcome, and what the engines do.
struct Difference {
    engines: &'static str,
    why: &'static str,
    applies: fn(&Outcome, &DocumentPolicy) -> Option<DirectiveKind>,
}

/// The differences a HAR's requests can meet, one row each.
const DIFFERENCES: &[Difference] = &[
    Difference {
        engines: "chromium, firefox",
        why: "a ws:/wss: source does not match http:/https: URLs in Chromium and Firefox (CSP3 §6.7.2.9 lets it; docs/spec-deviations.md, letter kept)",
        applies: websocket_source_on_http,
    },
    Difference {
        engines: "chromium",
        why: "Chromium does not upgrade an http: source to https: on a non-default port (CSP3 §6.7.2.9 does; docs/spec-deviations.md, letter kept)",
        applies: upgrade_on_other_port,
    },
    Difference {
        engines: "chromium",
        why: "Chromium also checks a document loaded by <object> or <embed> against frame-src (CSP3 checks object-src only)",
        applies: plugin_document_frame_src,
    },
];

/// The engine notes that apply to an outcome checked in `policy`.
pub fn notes(outcome: &Outcome, policy: &DocumentPolicy) -> Vec<EngineNote> {
    if outcome.kind != Kind::Allowed && outcome.kind != Kind::Reported {
        return Vec::new();
    }
    DIFFERENCES
        .iter()
        .filter_map(|d| {
            (d.applies)(outcome, policy).map(|directive| EngineNote {
                engines: d.engines,
                verdict: Kind::Blocked,
                directive,
                why: d.why,
            })
        })
        .collect()
}

/// The scheme a matched host- or scheme-source stands for (a host-source without a scheme
/// takes the page's).
fn source_scheme<'s>(source: &'s SourceExpression<'s>, page: &'s str) -> Option<&'s str> {
    match source {
        SourceExpression::Scheme(s) => Some(s),
        SourceExpression::Host { scheme, .. } => Some(scheme.unwrap_or(page)),
        _ => None,
    }
}

fn matched<'o>(o: &'o Outcome) -> Option<SourceExpression<'o>> {
    o.matched.as_deref().map(SourceExpression::parse)
}

fn websocket_source_on_http(o: &Outcome, policy: &DocumentPolicy) -> Option<DirectiveKind> {
    let source = matched(o)?;
    let scheme = source_scheme(&source, policy.self_scheme())?.to_ascii_lowercase();
    let url = &o.request.url;
    (matches!(scheme.as_str(), "ws" | "wss") && matches!(url.scheme(), "http" | "https"))
        .then_some(o.decided_by?)
}

fn upgrade_on_other_port(o: &Outcome, policy: &DocumentPolicy) -> Option<DirectiveKind> {
    let source = matched(o)?;
    let SourceExpression::Host { port, .. } = source else {
        return None;
    };
    let scheme = source_scheme(&source, policy.self_scheme())?.to_ascii_lowercase();
    let url: &Url = &o.request.url;
    let upgraded =
        (scheme == "http" && url.scheme() == "https") || (scheme == "ws" && url.scheme() == "wss");
    let other_port = url.port().is_some() || matches!(port, Some(PortPart::Number(n)) if n != 443);
    (upgraded && other_port).then_some(o.decided_by?)
}

fn plugin_document_frame_src(o: &Outcome, policy: &DocumentPolicy) -> Option<DirectiveKind> {
    if !matches!(
        o.request.destination,
        Destination::Object | Destination::Embed
    ) {
        return None;
    }
    let mut frame = o.request.clone();
    frame.destination = Destination::IFrame;
    let checked = check_one(policy, &frame);
    (checked.kind == Kind::Blocked).then_some(DirectiveKind::FrameSrc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::RequestSpec;
    use cspgate::{Disposition, PolicyList, PolicySource};

    fn run(policy: &str, dest: Destination, url: &str) -> Vec<EngineNote> {
        let doc = Url::parse("https://app.test/").unwrap();
        let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
        let p = DocumentPolicy::new(&doc, list);
        let spec = RequestSpec::new(Url::parse(url).unwrap(), dest);
        notes(&check_one(&p, &spec), &p)
    }

    #[test]
    fn differences() {
        let n = run(
            "connect-src wss://api.test",
            Destination::Empty,
            "https://api.test/x",
        );
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].engines, "chromium, firefox");
        let n = run(
            "img-src http://a.test:8080",
            Destination::Image,
            "https://a.test:8080/x.png",
        );
        assert_eq!((n.len(), n[0].engines), (1, "chromium"));
        assert!(run(
            "img-src http://a.test",
            Destination::Image,
            "https://a.test/x.png"
        )
        .is_empty());
        let n = run(
            "object-src *; frame-src 'none'",
            Destination::Object,
            "https://b.test/doc.html",
        );
        assert_eq!(n[0].directive, DirectiveKind::FrameSrc);
        assert!(run(
            "object-src *",
            Destination::Object,
            "https://b.test/doc.html"
        )
        .is_empty());
    }
}
