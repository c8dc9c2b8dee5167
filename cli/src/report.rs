//! How `cspgate check` prints its outcomes: a table with a summary line, or one JSON object per
//! request.

use cspgate::url::Url;
use cspgate::Destination;
use serde::Serialize;

use crate::app::Inputs;
use crate::check::{Hit, Kind, Outcome, Summary};
use crate::contexts::{Context, ContextKind};
use crate::input::Policies;
use crate::requests::shorten_url;
use crate::table::Table;

/// The destination column: `script`, `""` (the empty destination), with the API that made the
/// request and a non-default initiator in parentheses: `"" (WebSocket)`, `image (prefetch)`.
pub fn destination_text(o: &Outcome) -> String {
    let r = &o.request;
    if let Some(i) = &r.inline {
        return format!("inline {}", i.kind.as_str());
    }
    let mut s = match r.destination {
        Destination::Empty => "\"\"".to_owned(),
        d => d.as_str().to_owned(),
    };
    let mut extra: Vec<&str> = Vec::new();
    if matches!(r.destination, Destination::Empty | Destination::Document) {
        extra.extend(r.api);
    }
    if r.initiator != cspgate::Initiator::None {
        extra.push(r.initiator.as_str());
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

/// The human-readable report: the document and policies, the other contexts with theirs,
/// the table (with a CONTEXT column when there are several), notes, the summary line.
pub fn table(inputs: &Inputs, outcomes: &[Outcome]) -> String {
    let mut out = format!("Document: {}\n", inputs.document);
    if inputs.policies.list.is_empty() {
        out.push_str("No policy: every request is allowed (`cspgate suggest` proposes one).\n");
    }
    for h in inputs.policies.headings() {
        out.push_str(&h);
        out.push('\n');
    }
    let several = inputs.contexts.len() > 1;
    if several {
        out.push_str(&contexts_block(&inputs.contexts));
    }
    out.push('\n');
    let mut header = vec!["REQUEST", "DESTINATION", "VERDICT", "DIRECTIVE", "SOURCE"];
    if several {
        header.insert(0, "CONTEXT");
    }
    let mut t = Table::new(&header);
    for o in outcomes {
        let mut row = vec![
            o.request.display_url(),
            destination_text(o),
            o.kind.as_str().to_owned(),
            o.directive_text(),
            source_cell(o),
        ];
        if several {
            let label = inputs
                .contexts
                .get(o.request.context)
                .map_or("page", |c| c.label.as_str());
            row.insert(0, label.to_owned());
        }
        t.row(row);
    }
    out.push_str(&t.render(""));
    out.push('\n');
    for n in footer_notes(outcomes) {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&Summary::of(outcomes).line());
    out.push('\n');
    out
}

/// The SOURCE cell: the source that allowed the request (or why none), what report-only
/// policies report, and the redirect it came through.
fn source_cell(o: &Outcome) -> String {
    let mut source = o.source_text();
    if let Some(r) = o.reported_text() {
        source.push_str("; ");
        source.push_str(&r);
    }
    for e in &o.engines {
        source.push_str(&format!(
            "; {}: {} ({})",
            e.engines,
            e.verdict.as_str(),
            e.directive
        ));
    }
    if o.request.redirect_count > 0 {
        if let Some(orig) = &o.request.original_url {
            source.push_str(&format!(
                "; after {} redirect{} from {}",
                o.request.redirect_count,
                if o.request.redirect_count == 1 {
                    ""
                } else {
                    "s"
                },
                shorten_url(orig.as_str())
            ));
        }
    }
    source
}

/// Every context but the page, with its own policies.
fn contexts_block(contexts: &[Context]) -> String {
    let mut out = String::from(
        "\nContexts (each request is checked against the policies of the context that made it):\n",
    );
    for c in contexts {
        out.push_str(&format!("  {}\n", c.heading(contexts)));
        if c.kind == ContextKind::Page && c.label == "page" {
            continue;
        }
        if c.inherits {
            out.push_str("    policies inherited from its creator\n");
        }
        let p = Policies::new(c.policies.clone());
        if p.list.is_empty() {
            out.push_str("    no policy\n");
        }
        for h in p.headings() {
            out.push_str(&format!("    {h}\n"));
        }
    }
    out
}

/// The notes under the table (printed to standard error with `--json`): what the HAR could
/// not show, guessed destinations, nonces and `'strict-dynamic'`.
pub fn footer_notes(outcomes: &[Outcome]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    let mut push = |n: String| {
        if !notes.contains(&n) {
            notes.push(n);
        }
    };
    for o in outcomes {
        if let Some(h) = &o.hint {
            push(h.clone());
        }
        for e in &o.engines {
            push(format!("{}: {}", e.engines, e.why));
        }
    }
    // Guessed destinations, one note per reason.
    let mut guesses: Vec<(&str, Vec<String>)> = Vec::new();
    for o in outcomes {
        if let Some(g) = &o.request.guessed {
            let item = format!(
                "{} ({})",
                o.request.display_url(),
                o.request.destination.as_str()
            );
            match guesses.iter_mut().find(|(r, _)| r == g) {
                Some((_, v)) => v.push(item),
                None => guesses.push((g, vec![item])),
            }
        }
    }
    for (reason, items) in guesses {
        push(format!(
            "destination guessed, {reason}: {}",
            items.join(", ")
        ));
    }
    let unknown = outcomes.iter().filter(|o| o.kind == Kind::Unknown).count();
    if unknown > 0 {
        push(format!(
            "{unknown} verdict{} depend{} on what the HAR does not show (the SOURCE column says what); each reading was checked",
            if unknown == 1 { "" } else { "s" },
            if unknown == 1 { "s" } else { "" },
        ));
    }
    notes
}

/// A policy's objection to a request, in JSON.
#[derive(Debug, Serialize)]
pub struct HitJson {
    /// The effective directive (what a violation report names).
    pub directive: &'static str,
    /// The directive whose sources failed, after fallback.
    pub governing: &'static str,
    /// The policy's number, 1-based as in the table.
    pub policy: usize,
}

impl From<&Hit> for HitJson {
    fn from(h: &Hit) -> Self {
        HitJson {
            directive: h.directive.as_str(),
            governing: h.governing.as_str(),
            policy: h.policy,
        }
    }
}

/// What some engines do with a request, in JSON.
#[derive(Debug, Serialize)]
pub struct EngineJson {
    /// `chromium`, `chromium, firefox`.
    pub engines: &'static str,
    /// Their verdict.
    pub result: &'static str,
    /// The directive that decides there.
    pub directive: &'static str,
    /// Why.
    pub why: &'static str,
}

/// One request's JSON object, its keys in this order.
#[derive(Debug, Serialize)]
pub struct OutcomeJson<'a> {
    /// The URL checked.
    pub url: &'a str,
    /// The Fetch destination (`""` for fetch(), XHR, WebSocket, ...).
    pub destination: &'static str,
    /// `allowed`, `blocked`, `reported` (allowed, but a report-only policy reports it; see
    /// `reported`) or `unknown` (see `depends_on`).
    pub result: &'static str,
    /// When the result is `unknown`: what it depends on, and each reading's verdict.
    pub depends_on: Option<&'a str>,
    /// The context that made the request (`page`, `frame#1`, `worker#1`, ...).
    pub context: &'a str,
    /// That context's URL.
    pub context_url: &'a str,
    /// Other contexts that may have made it, when the HAR does not tell (see `depends_on`):
    /// each its label and URL.
    pub other_contexts: Vec<[&'a str; 2]>,
    /// How many redirects led to this URL.
    pub redirect_count: u32,
    /// The URL the redirect chain started from, when redirected.
    pub original_url: Option<&'a str>,
    /// `form-submission` or `other` for navigations, checked by the navigation check.
    pub navigation: Option<&'static str>,
    /// Why the destination is a guess, when it is one.
    pub guessed: Option<&'a str>,
    /// For inline code (not a request): its inline type (`script`, `script attribute`,
    /// `style`, `style attribute`); `url` is then its document's.
    pub inline: Option<&'static str>,
    /// For inline code: what it is (`inline #2 <p onclick=>`).
    pub code: Option<&'a str>,
    /// For inline code: its first 40 characters, as a violation report's sample holds them.
    pub sample: Option<String>,
    /// Where browsers decide otherwise than cspgate (which keeps the CSP3 letter).
    pub engines: Vec<EngineJson>,
    /// The effective directive, or null when no fetch directive applies.
    pub directive: Option<&'static str>,
    /// The source expression that allowed the request, or null.
    pub matched: Option<&'a str>,
    /// The directive that decided, after fallback, or null when none applies.
    pub governing: Option<&'static str>,
    /// The first enforced policy that blocks the request, or null.
    pub blocked_by: Option<HitJson>,
    /// The report-only policies that would report the request.
    pub reported: Vec<HitJson>,
    /// The API that made the request, when known (`XHR`, `WebSocket`, ...).
    pub api: Option<&'static str>,
    /// The Fetch initiator (`""`, `prefetch`, ...).
    pub initiator: &'static str,
    /// How the destination was determined (`given`, `sec-fetch-dest`, `_resourceType`, ...).
    pub inferred_from: &'static str,
    /// The HAR entry number (1-based), for requests read from a HAR.
    pub entry: Option<usize>,
}

/// One request's JSON object. `result` is `allowed`, `blocked`, `reported` or `unknown`; `directive` is the effective
/// directive or null; `matched` the source expression that allowed the request, or null;
/// `governing` the directive that decided after fallback; report-only violations are under
/// `reported`; policies are numbered from 1 as in the table.
pub fn outcome_json<'a>(o: &'a Outcome, contexts: &'a [Context]) -> OutcomeJson<'a> {
    let r = &o.request;
    let context = contexts.get(r.context);
    OutcomeJson {
        url: r.url.as_str(),
        destination: r.destination.as_str(),
        result: o.kind.as_str(),
        depends_on: o.unknown.as_deref(),
        context: context.map_or("page", |c| c.label.as_str()),
        context_url: context.map_or("", |c| c.url.as_str()),
        other_contexts: r
            .alternatives
            .iter()
            .filter(|a| a.context != r.context)
            .filter_map(|a| {
                contexts
                    .get(a.context)
                    .map(|c| [c.label.as_str(), c.url.as_str()])
            })
            .collect(),
        redirect_count: r.redirect_count,
        original_url: r.original_url.as_ref().map(Url::as_str),
        navigation: r.navigation.map(|n| n.as_str()),
        guessed: r.guessed.as_deref(),
        inline: r.inline.as_ref().map(|i| i.kind.as_str()),
        code: r.inline.as_ref().map(|i| i.label.as_str()),
        sample: r
            .inline
            .as_ref()
            .map(|i| i.source.chars().take(40).collect()),
        engines: o
            .engines
            .iter()
            .map(|e| EngineJson {
                engines: e.engines,
                result: e.verdict.as_str(),
                directive: e.directive.as_str(),
                why: e.why,
            })
            .collect(),
        directive: o.effective.map(|d| d.as_str()),
        matched: o.matched.as_deref(),
        governing: o.decided_by.map(|d| d.as_str()),
        blocked_by: o.blocked_by.as_ref().map(HitJson::from),
        reported: o.reported.iter().map(HitJson::from).collect(),
        api: r.api,
        initiator: r.initiator.as_str(),
        inferred_from: r.inferred.as_str(),
        entry: r.entry,
    }
}

/// One JSON object per line, in input order.
pub fn json_lines(outcomes: &[Outcome], contexts: &[Context]) -> String {
    let mut out = String::new();
    for o in outcomes {
        // Serialising plain strings, numbers and options cannot fail.
        if let Ok(line) = serde_json::to_string(&outcome_json(o, contexts)) {
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}
