//! How `cspgate check` prints its outcomes: a table with a summary line, or one JSON object per
//! request.

use cspgate::url::Url;
use cspgate::Destination;
use serde::Serialize;

use crate::check::{Hit, Outcome, Summary};
use crate::input::Policies;
use crate::table::Table;

/// The destination column: `script`, `""` (the empty destination), with the API that made the
/// request and a non-default initiator in parentheses: `"" (WebSocket)`, `image (prefetch)`.
pub fn destination_text(o: &Outcome) -> String {
    let r = &o.request;
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

/// The human-readable report: the document and policies, the table, notes, the summary line.
pub fn table(document: &Url, policies: &Policies, outcomes: &[Outcome]) -> String {
    let mut out = format!("Document: {document}\n");
    if policies.list.is_empty() {
        out.push_str("No policy: every request is allowed (`cspgate suggest` proposes one).\n");
    }
    for h in policies.headings() {
        out.push_str(&h);
        out.push('\n');
    }
    out.push('\n');
    let mut t = Table::new(&["REQUEST", "DESTINATION", "VERDICT", "DIRECTIVE", "SOURCE"]);
    let mut hints: Vec<&str> = Vec::new();
    for o in outcomes {
        let mut source = o.source_text();
        if let Some(r) = o.reported_text() {
            source.push_str("; ");
            source.push_str(&r);
        }
        t.row(vec![
            o.request.display_url(),
            destination_text(o),
            o.kind.as_str().to_owned(),
            o.directive_text(),
            source,
        ]);
        if let Some(h) = &o.hint {
            if !hints.contains(&h.as_str()) {
                hints.push(h);
            }
        }
    }
    out.push_str(&t.render(""));
    out.push('\n');
    for h in hints {
        out.push_str(&format!("note: {h}\n"));
    }
    out.push_str(&Summary::of(outcomes).line());
    out.push('\n');
    out
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

/// One request's JSON object, its keys in this order.
#[derive(Debug, Serialize)]
pub struct OutcomeJson<'a> {
    /// The URL checked.
    pub url: &'a str,
    /// The Fetch destination (`""` for fetch(), XHR, WebSocket, ...).
    pub destination: &'static str,
    /// `allowed` or `blocked` (a report-only violation does not block: see `reported`).
    pub result: &'static str,
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

/// One request's JSON object. `result` is `allowed` or `blocked`; `directive` is the effective
/// directive or null; `matched` the source expression that allowed the request, or null;
/// `governing` the directive that decided after fallback; report-only violations are under
/// `reported`; policies are numbered from 1 as in the table.
pub fn outcome_json(o: &Outcome) -> OutcomeJson<'_> {
    let r = &o.request;
    OutcomeJson {
        url: r.url.as_str(),
        destination: r.destination.as_str(),
        result: if o.kind == crate::check::Kind::Blocked {
            "blocked"
        } else {
            "allowed"
        },
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
pub fn json_lines(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        // Serialising plain strings, numbers and options cannot fail.
        if let Ok(line) = serde_json::to_string(&outcome_json(o)) {
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}
