//! `cspgate explain`: a policy as the browser sees it. Every policy with its disposition and
//! delivery; every directive and source expression, classified; what the parser ignored and
//! why (from its warnings, whose byte spans point into the text); and, for every request
//! destination, which directive governs it after fallback.

use std::ops::Range;

use cspgate::url::Url;
use cspgate::{
    effective_directive, legacy_directive_note, Destination, DirectiveKind as D, DirectiveName,
    Initiator, ParseWarning, Policy, PolicyList, PolicySource, SandboxFlags,
};

use crate::input::{Describe, PolicyText};
use crate::sources::{describe, ListContext};
use crate::table::Table;

/// What uses each request destination, for people.
pub fn destination_users(d: Destination) -> &'static str {
    match d {
        Destination::Empty => "fetch(), XHR, WebSocket, EventSource, sendBeacon(), <a ping>",
        Destination::Audio => "<audio>",
        Destination::AudioWorklet => "audioWorklet.addModule()",
        Destination::Document => "top-level navigation",
        Destination::Embed => "<embed>",
        Destination::Font => "@font-face",
        Destination::Frame => "<frame>",
        Destination::IFrame => "<iframe>",
        Destination::Image => "<img>, CSS images, favicons",
        Destination::Json => "JSON module import",
        Destination::Manifest => "<link rel=manifest>",
        Destination::Object => "<object>",
        Destination::PaintWorklet => "CSS.paintWorklet.addModule()",
        Destination::Report => "CSP and Reporting API reports",
        Destination::Script => "<script src>, importScripts(), modules",
        Destination::ServiceWorker => "navigator.serviceWorker.register()",
        Destination::SharedWorker => "new SharedWorker()",
        Destination::Style => "<link rel=stylesheet>, @import",
        Destination::Text => "text module import",
        Destination::Track => "<track>",
        Destination::Video => "<video>",
        Destination::WebIdentity => "FedCM",
        Destination::Worker => "new Worker()",
        Destination::Xslt => "<?xml-stylesheet?> (XSLT)",
        _ => "",
    }
}

/// What a directive governs, in a few words.
fn directive_meaning(d: D) -> &'static str {
    match d {
        D::DefaultSrc => "fallback for the fetch directives this policy does not list",
        D::ChildSrc => "frames and workers, when frame-src / worker-src are absent",
        D::ConnectSrc => "fetch(), XHR, WebSocket, EventSource, sendBeacon(), <a ping>",
        D::FontSrc => "fonts",
        D::FrameSrc => "frames and iframes",
        D::ImgSrc => "images and favicons",
        D::ManifestSrc => "web app manifests",
        D::MediaSrc => "audio, video and text tracks",
        D::ObjectSrc => "<object> and <embed>",
        D::ScriptSrc => {
            "scripts: elements, attributes, eval (and workers without worker-src/child-src)"
        }
        D::ScriptSrcElem => "<script> elements and script requests",
        D::ScriptSrcAttr => "event-handler attributes",
        D::StyleSrc => "styles: stylesheets, <style>, style= attributes",
        D::StyleSrcElem => "stylesheets and <style> elements",
        D::StyleSrcAttr => "style= attributes",
        D::WorkerSrc => "dedicated, shared and service workers",
        D::BaseUri => "the URLs <base href> may set",
        D::FormAction => "where forms may be submitted",
        D::FrameAncestors => "who may embed this page in a frame",
        D::Sandbox => "sandboxes the page like an <iframe sandbox>",
        D::ReportUri => {
            "where violation reports are posted (deprecated, but every browser supports it)"
        }
        D::ReportTo => "the Reporting API endpoint group for violation reports",
        D::UpgradeInsecureRequests => "loads http: URLs over https:",
        D::BlockAllMixedContent => "obsolete: no effect in current browsers",
        D::RequireTrustedTypesFor => "requires Trusted Types for DOM XSS sinks",
        D::TrustedTypes => "which Trusted Types policies may be created",
        D::Webrtc => "whether WebRTC connections are allowed",
        _ => "",
    }
}

/// What one value token of a directive without a source list means.
fn value_meaning(directive: Option<D>, token: &str) -> String {
    match directive {
        Some(D::ReportUri) => "a URL violation reports are posted to".to_owned(),
        Some(D::ReportTo) => "a Reporting-Endpoints group name".to_owned(),
        // Every allow-* keyword lifts at least one flag; any other token lifts none.
        Some(D::Sandbox) if SandboxFlags::parse(token) != SandboxFlags::all() => {
            "a sandbox flag: lifts one restriction".to_owned()
        }
        Some(D::Sandbox) => "INERT: not a sandbox flag".to_owned(),
        Some(D::UpgradeInsecureRequests | D::BlockAllMixedContent) => {
            "INERT: this directive takes no value".to_owned()
        }
        Some(D::Webrtc) => "'allow' or 'block'".to_owned(),
        Some(D::TrustedTypes) => "a Trusted Types policy name (or keyword)".to_owned(),
        Some(D::RequireTrustedTypesFor) => {
            "what Trusted Types are required for ('script')".to_owned()
        }
        _ => String::new(),
    }
}

/// The distance between two short strings, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Why an unknown directive name might be there.
pub fn unknown_directive_note(name: &str) -> String {
    if let Some(why) = legacy_directive_note(name) {
        return format!("unknown directive: no effect (legacy: {why})");
    }
    let closest = D::ALL
        .iter()
        .map(|k| (edit_distance(name, k.as_str()), k))
        .min_by_key(|(n, _)| *n);
    match closest {
        Some((n, k)) if n <= 2 && name.len() > 3 => {
            format!("unknown directive: no effect (did you mean {k}?)")
        }
        _ => "unknown directive: no effect".to_owned(),
    }
}

/// The ASCII whitespace CSP trims (not vertical tab).
fn is_csp_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// The byte ranges of the text's pieces as the parser splits it (on commas for a header),
/// trimmed.
fn pieces(text: &str, source: PolicySource) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let raw: Vec<&str> = match source {
        PolicySource::Header => text.split(',').collect(),
        PolicySource::Meta => vec![text],
    };
    for piece in raw {
        let lead = piece.len() - piece.trim_start_matches(is_csp_ws).len();
        let trimmed = piece.trim_matches(is_csp_ws);
        out.push(start + lead..start + lead + trimmed.len());
        start += piece.len() + 1;
    }
    out
}

/// The byte offset of `inner` in `outer`, when `inner` is a slice of it.
fn offset_in(outer: &str, inner: &str) -> Option<usize> {
    let off = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (outer.get(off..off + inner.len()) == Some(inner)).then_some(off)
}

/// A warning's message without its `bytes a..b: ` prefix.
fn message(w: &ParseWarning) -> String {
    let s = w.to_string();
    match s.split_once(": ") {
        Some((_, rest)) => rest.to_owned(),
        None => s,
    }
}

/// Warnings the token descriptions already say in their own words.
fn described_by_tokens(w: &ParseWarning) -> bool {
    matches!(
        w,
        ParseWarning::InvalidSource { .. }
            | ParseWarning::IneffectiveSource { .. }
            | ParseWarning::NoneWithOtherSources { .. }
            | ParseWarning::IgnoredQuery { .. }
            | ParseWarning::UnknownDirective { .. }
    )
}

/// The text's policies with their ranges in the text (`None` for a policy the parser added).
fn locate<'p>(
    text: &str,
    source: PolicySource,
    list: &'p PolicyList,
) -> Vec<(&'p Policy, Option<Range<usize>>)> {
    let ranges = pieces(text, source);
    let mut next = 0;
    let mut out = Vec::new();
    for p in list {
        let mut found = None;
        if !p.is_synthetic() {
            let exact =
                (next..ranges.len()).find(|&i| text.get(ranges[i].clone()) == Some(p.text()));
            let prefix = || {
                (next..ranges.len()).find(|&i| {
                    text.get(ranges[i].clone())
                        .is_some_and(|t| t.starts_with(p.text()))
                })
            };
            if let Some(i) = exact.or_else(prefix) {
                found = Some(ranges[i].start..ranges[i].start + p.text().len());
                next = i + 1;
            }
        }
        out.push((p, found));
    }
    out
}

fn quote_snippet(text: &str, r: Range<usize>) -> String {
    let s = text.get(r).unwrap_or("");
    let s: String = if s.chars().count() > 60 {
        let mut c: String = s.chars().take(59).collect();
        c.push('…');
        c
    } else {
        s.to_owned()
    };
    format!("{s:?}")
}

/// Explains the policies of `texts`, numbered as `check` numbers them. `document` makes
/// `'self'` concrete.
pub fn explain(texts: &[PolicyText], document: Option<&Url>) -> String {
    let mut out = String::new();
    if let Some(d) = document {
        out.push_str(&format!("Document: {d}\n\n"));
    }
    let mut all = PolicyList::new();
    let mut number = 0;
    for t in texts {
        let mut parsed = Parsed::new(t);
        if parsed.list.is_empty() {
            out.push_str(&format!("From {}: no policy.\n", t.from));
            if parsed.warnings.is_empty() {
                out.push_str("  The text has no directive.\n");
            }
        }
        let list = std::mem::take(&mut parsed.list);
        for (policy, range) in locate(&t.text, t.source, &list) {
            number += 1;
            out.push_str(&explain_policy(
                &mut parsed,
                policy,
                range,
                number,
                document,
            ));
        }
        out.push_str(&stray_warnings(&parsed));
        all.append(list);
    }
    out.push_str(&governing_table(&all));
    out
}

/// One policy text, parsed, with its warnings and which of them were already shown.
struct Parsed<'t> {
    text: &'t PolicyText,
    list: PolicyList,
    warnings: Vec<ParseWarning>,
    used: Vec<bool>,
}

impl<'t> Parsed<'t> {
    fn new(text: &'t PolicyText) -> Parsed<'t> {
        let mut warnings = Vec::new();
        let list = PolicyList::parse_with(&text.text, text.disposition, text.source, &mut |w| {
            warnings.push(w)
        });
        let used = vec![false; warnings.len()];
        Parsed {
            text,
            list,
            warnings,
            used,
        }
    }

    /// The indexes of the warnings whose span lies in `range` (a policy's own warnings).
    fn within(&self, range: &Option<Range<usize>>) -> Vec<usize> {
        let Some(r) = range else {
            return Vec::new();
        };
        (0..self.warnings.len())
            .filter(|&i| {
                let s = self.warnings[i].span();
                s.start >= r.start
                    && s.end <= r.end
                    && !matches!(self.warnings[i], ParseWarning::ReportOnlyInMeta)
            })
            .collect()
    }
}

/// One policy: its heading, its text, a row per directive and per token, and what the
/// parser ignored in it.
fn explain_policy(
    parsed: &mut Parsed<'_>,
    policy: &Policy,
    range: Option<Range<usize>>,
    number: usize,
    document: Option<&Url>,
) -> String {
    let mut out = format!(
        "Policy {number} ({}; from {})\n",
        Describe(policy.disposition(), policy.source()),
        parsed.text.from
    );
    if policy.is_synthetic() {
        out.push_str("  Added by the parser because the input was over a limit: it blocks everything, so that the cut never makes the policy more permissive.\n");
    }
    out.push_str(&format!("  {}\n\n", policy.text()));
    let base = range.as_ref().map(|r| r.start);
    let mine = parsed.within(&range);
    let mut table = Table::new(&["DIRECTIVE", "SOURCE", "KIND", "MEANING"]);
    for d in policy.directives() {
        table.row(directive_row(
            parsed,
            &mine,
            d.name(),
            d.tokens().next().is_none(),
        ));
        let ctx = ListContext::of(d.tokens());
        for token in d.tokens() {
            let span = base
                .and_then(|b| offset_in(policy.text(), token).map(|o| b + o..b + o + token.len()));
            let extra = token_warnings(parsed, &mine, span);
            table.row(token_row(d.name(), token, ctx, document, extra));
        }
    }
    out.push_str(&table.render("  "));
    out.push_str(&ignored_block(parsed, &mine));
    out.push('\n');
    out
}

/// A directive's row: its name and meaning, or why it is inert.
fn directive_row(
    parsed: &mut Parsed<'_>,
    mine: &[usize],
    name: &DirectiveName,
    empty: bool,
) -> Vec<String> {
    let (kind, meaning) = match name {
        DirectiveName::Known(k) => {
            let mut m = directive_meaning(*k).to_owned();
            let ignored = mine.iter().copied().find(|&i| {
                matches!(parsed.warnings[i], ParseWarning::IgnoredInReportOnly { directive, .. } if directive == *k)
            });
            if let Some(i) = ignored {
                parsed.used[i] = true;
                m = format!("INERT: {}", message(&parsed.warnings[i]));
            }
            if k.has_source_list() && empty {
                m.push_str(" — empty list: allows nothing");
            }
            ("directive", m)
        }
        DirectiveName::Unknown(n) => ("INERT", unknown_directive_note(n)),
    };
    vec![
        name.as_str().to_owned(),
        String::new(),
        kind.to_owned(),
        meaning,
    ]
}

/// The messages of the warnings inside a token's span that its description does not already
/// say; marks every warning inside it as shown.
fn token_warnings(
    parsed: &mut Parsed<'_>,
    mine: &[usize],
    span: Option<Range<usize>>,
) -> Vec<String> {
    let Some(s) = span else {
        return Vec::new();
    };
    let mut extra = Vec::new();
    for &i in mine {
        let w = parsed.warnings[i].span();
        if w.start >= s.start && w.end <= s.end {
            parsed.used[i] = true;
            if !described_by_tokens(&parsed.warnings[i]) {
                extra.push(message(&parsed.warnings[i]));
            }
        }
    }
    extra
}

/// A token's row: its kind and meaning in its directive.
fn token_row(
    name: &DirectiveName,
    token: &str,
    ctx: ListContext,
    document: Option<&Url>,
    extra: Vec<String>,
) -> Vec<String> {
    let (kind, mut meaning) = match name.kind() {
        Some(k) if k.has_source_list() => {
            let desc = describe(token, k, ctx, document);
            let mut m = match &desc.inert {
                Some(why) => format!("INERT: {why}"),
                None => desc.meaning.clone(),
            };
            if let Some(n) = &desc.note {
                m.push_str(&format!(" — {n}"));
            }
            (desc.kind.to_owned(), m)
        }
        None => (
            "-".to_owned(),
            "not read: the directive is unknown".to_owned(),
        ),
        Some(k) => ("value".to_owned(), value_meaning(Some(k), token)),
    };
    for e in extra {
        meaning.push_str(&format!(" — {e}"));
    }
    vec![String::new(), token.to_owned(), kind, meaning]
}

/// The policy's warnings not shown in its table: `Ignored by the parser: ...`.
fn ignored_block(parsed: &mut Parsed<'_>, mine: &[usize]) -> String {
    let ignored: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|&i| !parsed.used[i] && !described_by_tokens(&parsed.warnings[i]))
        .collect();
    for &i in mine {
        parsed.used[i] = true;
    }
    if ignored.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n  Ignored by the parser:\n");
    for i in ignored {
        out.push_str(&format!(
            "    {}\n",
            located_message(parsed, &parsed.warnings[i])
        ));
    }
    out
}

/// A warning with the piece of text it is about: `"..." (bytes 3..7): message`.
fn located_message(parsed: &Parsed<'_>, w: &ParseWarning) -> String {
    let s = w.span();
    format!(
        "{} (bytes {}..{}): {}",
        quote_snippet(&parsed.text.text, s.range()),
        s.start,
        s.end,
        message(w)
    )
}

/// Warnings outside every policy: a report-only `<meta>`, pieces that held no directive.
fn stray_warnings(parsed: &Parsed<'_>) -> String {
    let mut out = String::new();
    let from = &parsed.text.from;
    for (i, w) in parsed.warnings.iter().enumerate() {
        if parsed.used[i] {
            continue;
        }
        match w {
            ParseWarning::ReportOnlyInMeta => {
                out.push_str(&format!("From {from}: {}\n\n", message(w)));
            }
            w => {
                out.push_str(&format!("From {from}: {}\n\n", located_message(parsed, w)));
            }
        }
    }
    out
}

/// For every destination, the effective directive and, per policy, the directive that governs
/// it after fallback (§6.8.1, §6.8.3-§6.8.4).
pub fn governing_table(list: &PolicyList) -> String {
    let mut header: Vec<String> = vec!["DESTINATION".into(), "USED BY".into(), "EFFECTIVE".into()];
    for (i, p) in list.iter().enumerate() {
        header.push(match p.disposition() {
            cspgate::Disposition::Enforce => format!("POLICY {}", i + 1),
            cspgate::Disposition::Report => format!("POLICY {} (REPORT-ONLY)", i + 1),
        });
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(&header_refs);
    for &dest in Destination::ALL {
        let name = match dest {
            Destination::Empty => "\"\"".to_owned(),
            d => d.as_str().to_owned(),
        };
        let effective = effective_directive(dest, Initiator::None);
        let mut row = vec![
            name,
            destination_users(dest).to_owned(),
            effective.map_or_else(|| "(not checked)".to_owned(), |e| e.to_string()),
        ];
        for p in list {
            row.push(match effective {
                None => "-".to_owned(),
                Some(e) => match p.governing_directive(e) {
                    Some(g) if g == e => g.to_string(),
                    Some(g) => format!("{g} (fallback)"),
                    None => "not restricted".to_owned(),
                },
            });
        }
        t.row(row);
    }
    let mut row = vec![
        "(prefetch)".to_owned(),
        "<link rel=prefetch>, initiator prefetch".to_owned(),
        D::DefaultSrc.to_string(),
    ];
    for p in list {
        row.push(if p.contains(D::DefaultSrc) {
            "default-src (any fetch directive's sources)".to_owned()
        } else {
            "not restricted".to_owned()
        });
    }
    t.row(row);
    let mut out = String::from(
        "Which directive governs each request destination, after fallback (CSP3 §6.8):\n\n",
    );
    out.push_str(&t.render("  "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cspgate::Disposition;

    #[test]
    fn sandbox_values_are_the_allow_keywords() {
        let flag = "a sandbox flag: lifts one restriction";
        for token in [
            "allow-downloads",
            "ALLOW-Scripts",
            "allow-top-navigation-to-custom-protocols",
            "allow-storage-access-by-user-activation",
        ] {
            assert_eq!(value_meaning(Some(D::Sandbox), token), flag, "{token}");
        }
        for token in ["allow-everything", "scripts", "", "allow-scripts,"] {
            assert_eq!(
                value_meaning(Some(D::Sandbox), token),
                "INERT: not a sandbox flag",
                "{token:?}"
            );
        }
    }

    #[test]
    fn pieces_and_locations() {
        let text = " img-src a , , script-src b";
        assert_eq!(
            pieces(text, PolicySource::Header),
            vec![1..10, 13..13, 15..27]
        );
        let list = PolicyList::parse(text, Disposition::Enforce, PolicySource::Header);
        let loc = locate(text, PolicySource::Header, &list);
        assert_eq!(loc[0].1, Some(1..10));
        assert_eq!(loc[1].1, Some(15..27));
    }

    #[test]
    fn unknown_directives() {
        assert!(unknown_directive_note("xhr-src").contains("connect-src"));
        assert!(unknown_directive_note("scripts-src").contains("did you mean script-src?"));
        assert_eq!(
            unknown_directive_note("x-custom"),
            "unknown directive: no effect"
        );
    }

    #[test]
    fn explains_ignored_parts() {
        let t = PolicyText::header(
            "default-src 'self'; img-src a.test; IMG-SRC b.test; xhr-src 'self'; script-src é; connect-src 'none' https://api.test https://a_b.test",
            Disposition::Enforce,
            "--policy",
        );
        let doc = Url::parse("https://app.test/").unwrap();
        let out = explain(&[t], Some(&doc));
        assert!(out.contains("duplicate directive, ignored"), "{out}");
        assert!(out.contains("\"IMG-SRC b.test\""), "{out}");
        assert!(
            out.contains("directive contains a non-ASCII character"),
            "{out}"
        );
        assert!(
            out.contains("Mozilla's pre-standard name; use connect-src"),
            "{out}"
        );
        assert!(
            out.contains("INERT: 'none' is ignored when other sources are listed"),
            "{out}"
        );
        assert!(
            out.contains(
                "INERT: not a valid source expression: the host is not a valid host pattern"
            ),
            "{out}"
        );
        assert!(
            out.contains("https://app.test (and wss://app.test)"),
            "{out}"
        );
    }
}
