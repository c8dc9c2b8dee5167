//! `cspgate check`: runs every request through the library's check, as a browser would, and
//! records for each the verdict, the effective directive, the directive that decided (after
//! fallback) and the source expression that allowed it.

use cspgate::url::Url;
use cspgate::{
    effective_directive, fallback_list, Destination, DirectiveKind, Disposition, DocumentPolicy,
    Initiator, InlineCheck, Keywords, NavigationType, PolicyList, SourceExpression,
};

use crate::engines::{self, EngineNote};
use crate::progress;
use crate::requests::{InlineCode, RequestSpec};

/// A request's verdict, in three kinds: blocked; allowed but reported by a report-only policy;
/// allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No enforced policy blocks it and no report-only policy reports it.
    Allowed,
    /// An enforced policy blocks it.
    Blocked,
    /// No enforced policy blocks it, but a report-only policy would report it.
    Reported,
    /// The verdict depends on what the HAR does not show (see [`Outcome::unknown`]).
    Unknown,
}

impl Kind {
    /// `allowed`, `blocked` or `reported`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Allowed => "allowed",
            Kind::Blocked => "blocked",
            Kind::Reported => "reported",
            Kind::Unknown => "unknown",
        }
    }
}

/// One policy's objection to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The effective directive, as a violation report names it.
    pub directive: DirectiveKind,
    /// The directive whose sources failed (`default-src` when it stood in for `connect-src`).
    pub governing: DirectiveKind,
    /// The policy's number, 1-based.
    pub policy: usize,
}

/// The check of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The request.
    pub request: RequestSpec,
    /// Its effective directive (`None` when no fetch directive applies).
    pub effective: Option<DirectiveKind>,
    /// Blocked, reported or allowed.
    pub kind: Kind,
    /// The directive that decided in the first enforced policy that has one for this request
    /// (the blocking one when blocked).
    pub decided_by: Option<DirectiveKind>,
    /// The source expression that allowed the request in that policy.
    pub matched: Option<String>,
    /// The first enforced policy that blocks it.
    pub blocked_by: Option<Hit>,
    /// Every enforced policy that blocks it.
    pub blocks: Vec<Hit>,
    /// Every report-only policy that reports it.
    pub reported: Vec<Hit>,
    /// Why the verdict may differ in the browser (nonces and `'strict-dynamic'`).
    pub hint: Option<String>,
    /// When the verdict is [`Kind::Unknown`]: what it depends on, and the verdict of each
    /// reading (`blocked if a form submitted it, allowed otherwise`).
    pub unknown: Option<String>,
    /// The verdict as the request was read (before its alternative readings).
    pub as_read: Kind,
    /// Where browsers decide otherwise (see [`crate::engines`]).
    pub engines: Vec<EngineNote>,
}

impl Outcome {
    /// The effective directive, with the directive that decided when it is a fallback:
    /// `connect-src (via default-src)`; `-` when no fetch directive applies.
    pub fn directive_text(&self) -> String {
        match (self.effective, self.decided_by) {
            (None, _) => "-".to_owned(),
            (Some(e), Some(g)) if g != e => format!("{e} (via {g})"),
            (Some(e), _) => e.to_string(),
        }
    }

    /// The source expression that allowed the request, or why no source was needed, or
    /// `no source matched`.
    pub fn source_text(&self) -> String {
        if let Some(u) = &self.unknown {
            return format!("unknown: {u}");
        }
        if self.kind == Kind::Blocked {
            return match self.blocks.len() {
                0 | 1 => "no source matched".to_owned(),
                n => format!("no source matched (in {n} policies)"),
            };
        }
        let Some(effective) = self.effective else {
            return match (self.request.initiator, self.request.destination) {
                (Initiator::Prerender, _) => "not checked (prerender)".to_owned(),
                (_, Destination::Document) => "not checked (top-level navigation)".to_owned(),
                (_, Destination::Report) => "not checked (report upload)".to_owned(),
                _ => "not checked".to_owned(),
            };
        };
        if self.decided_by.is_none() {
            let chain = match fallback_list(effective) {
                [] => vec![effective.as_str()],
                list => list.iter().map(|d| d.as_str()).collect(),
            };
            return format!("not restricted (no {})", chain.join(" or "));
        }
        match &self.matched {
            Some(t) => t.clone(),
            None if self.request.navigation.is_some() || self.request.inline.is_some() => {
                format!("allowed by {}", self.decided_by.unwrap_or(effective))
            }
            None => "allowed (no URL check applies)".to_owned(),
        }
    }

    /// What report-only policies would report: `reported by policy 2 (img-src)`.
    pub fn reported_text(&self) -> Option<String> {
        if self.reported.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .reported
            .iter()
            .map(|h| {
                if h.governing == h.directive {
                    format!("policy {} ({})", h.policy, h.directive)
                } else {
                    format!("policy {} ({} via {})", h.policy, h.directive, h.governing)
                }
            })
            .collect();
        Some(format!("reported by {}", parts.join(", ")))
    }
}

/// Counts of a check run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests checked.
    pub total: usize,
    /// Allowed, nothing reported.
    pub allowed: usize,
    /// Blocked by an enforced policy.
    pub blocked: usize,
    /// Allowed, but reported by a report-only policy.
    pub reported: usize,
    /// Depends on what the HAR does not show.
    pub unknown: usize,
}

impl Summary {
    /// Counts the outcomes.
    pub fn of(outcomes: &[Outcome]) -> Summary {
        let mut s = Summary {
            total: outcomes.len(),
            ..Summary::default()
        };
        for o in outcomes {
            match o.kind {
                Kind::Allowed => s.allowed += 1,
                Kind::Blocked => s.blocked += 1,
                Kind::Reported => s.reported += 1,
                Kind::Unknown => s.unknown += 1,
            }
        }
        s
    }

    /// `5 requests: 3 allowed, 1 blocked, 1 reported` (and `, 1 unknown` when some are).
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} request{}: {} allowed, {} blocked, {} reported",
            self.total,
            if self.total == 1 { "" } else { "s" },
            self.allowed,
            self.blocked,
            self.reported
        );
        if self.unknown > 0 {
            s.push_str(&format!(", {} unknown", self.unknown));
        }
        s
    }
}

/// Checks every request against the policies of the document at `document` (one context).
pub fn check(document: &Url, list: &PolicyList, requests: &[RequestSpec]) -> Vec<Outcome> {
    let policy = DocumentPolicy::new(document, list.clone());
    check_in(std::slice::from_ref(&policy), requests)
}

/// Checks every request against the policies of its context (`documents[spec.context]`).
pub fn check_in(documents: &[DocumentPolicy], requests: &[RequestSpec]) -> Vec<Outcome> {
    let bar = progress::bar(requests.len() as u64, "checking");
    let out = requests
        .iter()
        .map(|r| {
            bar.inc(1);
            check_with_alternatives(documents, r)
        })
        .collect();
    bar.finish_and_clear();
    out
}

/// Checks one request; when one of its alternative readings gets another verdict, the
/// verdict is unknown and says what it depends on.
fn check_with_alternatives(documents: &[DocumentPolicy], spec: &RequestSpec) -> Outcome {
    let Some(doc) = documents.get(spec.context).or(documents.first()) else {
        return check_one(&DocumentPolicy::new(&spec.url, PolicyList::new()), spec);
    };
    let mut outcome = check_one(doc, spec);
    outcome.engines = engines::notes(&outcome, doc);
    let mut differing: Vec<String> = Vec::new();
    let mut alternatives = spec.alternatives.clone();
    if let Some(why) = spec.nonce_unknown {
        // Each reading so far, with each nonce of the context's policies.
        let mut readings = vec![spec.alternative(why)];
        readings.extend(alternatives.iter().cloned());
        for n in policy_nonces(doc.policies()) {
            for r in &readings {
                let mut a = r.clone();
                a.nonce = Some(n.clone());
                a.depends_on = why.to_owned();
                alternatives.push(a);
            }
        }
    }
    for alt in &alternatives {
        let other = spec.with(alt);
        let Some(doc) = documents.get(other.context) else {
            continue;
        };
        let o = check_one(doc, &other);
        let text = format!("{} if {}", o.kind.as_str(), alt.depends_on);
        if o.kind != outcome.kind && !differing.contains(&text) {
            differing.push(text);
        }
    }
    if !differing.is_empty() {
        outcome.unknown = Some(format!(
            "{} as read, {}",
            outcome.kind.as_str(),
            differing.join(", ")
        ));
        outcome.as_read = outcome.kind;
        outcome.kind = Kind::Unknown;
    }
    outcome
}

/// The nonce values of the policies' nonce sources.
fn policy_nonces(list: &PolicyList) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in list {
        for d in p.directives() {
            for tok in d.tokens() {
                if let SourceExpression::Nonce(n) = SourceExpression::parse(tok) {
                    if !out.iter().any(|x| x == n) {
                        out.push(n.to_owned());
                    }
                }
            }
        }
    }
    out
}

/// Checks one request in one context: a navigation by the navigation check, anything else by
/// the request check.
pub fn check_one(policy: &DocumentPolicy, spec: &RequestSpec) -> Outcome {
    if let Some(code) = &spec.inline {
        return check_inline(policy, spec, code);
    }
    match spec.navigation {
        Some(n) => check_navigation(policy, spec, n),
        None => check_fetch(policy, spec),
    }
}

/// Inline code: the inline check (CSP3 §4.2.3) of its document's policies, as parsed from
/// the HTML (so parser-inserted).
fn check_inline(policy: &DocumentPolicy, spec: &RequestSpec, code: &InlineCode) -> Outcome {
    let mut check = InlineCheck::new(code.kind, &code.source)
        .nonceable(code.nonceable)
        .parser_inserted(true);
    if let Some(n) = &code.nonce {
        check = check.nonce(n);
    }
    let verdict = policy.check_inline(&check);
    let effective = code.kind.effective_directive();
    let mut outcome = verdict_outcome(spec, &verdict, Some(effective));
    outcome.decided_by = outcome.decided_by.or_else(|| {
        policy.policies().iter().find_map(|p| {
            (p.disposition() == Disposition::Enforce)
                .then(|| p.governing_directive(effective))
                .flatten()
        })
    });
    outcome
}

/// The outcome `verdict` gives `spec`, its effective directive `effective`: decided by the
/// first blocking policy's governing directive, if any; no source, hint or engine notes.
fn verdict_outcome(
    spec: &RequestSpec,
    verdict: &cspgate::Verdict<'_>,
    effective: Option<DirectiveKind>,
) -> Outcome {
    let blocks = hits(verdict, Disposition::Enforce);
    let reported = hits(verdict, Disposition::Report);
    let kind = kind_of(verdict, &reported);
    Outcome {
        request: spec.clone(),
        effective,
        kind,
        as_read: kind,
        decided_by: blocks.first().map(|b| b.governing),
        matched: None,
        blocked_by: blocks.first().copied(),
        blocks,
        reported,
        hint: None,
        unknown: None,
        engines: Vec::new(),
    }
}

fn hits(verdict: &cspgate::Verdict<'_>, disposition: Disposition) -> Vec<Hit> {
    verdict
        .violations()
        .iter()
        .filter(|v| v.disposition() == disposition)
        .map(|v| Hit {
            directive: v.directive(),
            governing: v.governing_directive(),
            policy: v.policy_index() + 1,
        })
        .collect()
}

fn kind_of(verdict: &cspgate::Verdict<'_>, reported: &[Hit]) -> Kind {
    if verdict.is_blocked() {
        Kind::Blocked
    } else if reported.is_empty() {
        Kind::Allowed
    } else {
        Kind::Reported
    }
}

/// A navigation: `form-action` for a form submission, the inline check for a `javascript:`
/// URL, nothing else (CSP3 §4.2.4).
fn check_navigation(policy: &DocumentPolicy, spec: &RequestSpec, n: NavigationType) -> Outcome {
    let request = spec.to_request();
    let verdict = policy.check_navigation_request(&request, n);
    let effective = if n == NavigationType::FormSubmission {
        Some(DirectiveKind::FormAction)
    } else if spec.url.scheme() == "javascript" {
        Some(DirectiveKind::ScriptSrcElem)
    } else {
        None
    };
    let applies = effective.filter(|d| {
        policy.policies().iter().any(|p| {
            p.disposition() == Disposition::Enforce
                && (p.contains(*d) || p.governing_directive(*d).is_some())
        })
    });
    let mut outcome = verdict_outcome(spec, &verdict, effective);
    outcome.decided_by = outcome.decided_by.or(applies);
    outcome
}

/// A fetch: the request check (CSP3 §4.1.2), with the source that allowed it.
fn check_fetch(policy: &DocumentPolicy, spec: &RequestSpec) -> Outcome {
    let request = spec.to_request();
    let verdict = policy.check_request(&request);
    let mut outcome = verdict_outcome(
        spec,
        &verdict,
        effective_directive(spec.destination, spec.initiator),
    );
    match outcome.blocked_by {
        Some(b) => outcome.hint = nonce_hint(policy.policies(), spec, &b),
        None => {
            if let Some(j) = policy.explain_request(&request).iter().find(|j| {
                j.disposition() == Disposition::Enforce && j.governing_directive().is_some()
            }) {
                outcome.decided_by = j.governing_directive();
                outcome.matched = j.matched_source().map(str::to_owned);
            }
        }
    }
    outcome
}

/// When the blocking directive allows elements by nonce or `'strict-dynamic'`, a browser may
/// have allowed a script or stylesheet that a HAR cannot show carried the nonce.
fn nonce_hint(list: &PolicyList, spec: &RequestSpec, hit: &Hit) -> Option<String> {
    let d = spec.destination;
    if !(d.is_script_like() || d == Destination::Style) {
        return None;
    }
    let directive = list.get(hit.policy - 1)?.directive(hit.governing)?;
    let mut nonce = false;
    let mut strict_dynamic = false;
    for t in directive.tokens() {
        match SourceExpression::parse(t) {
            SourceExpression::Nonce(_) => nonce = true,
            SourceExpression::Keyword(k) if k == Keywords::STRICT_DYNAMIC => strict_dynamic = true,
            _ => {}
        }
    }
    let g = hit.governing;
    if spec.nonce_unknown.is_some() {
        // The verdict already says it depends on the nonce.
        return None;
    }
    if spec.entry.is_some() && spec.nonce.is_none() {
        // The document's HTML shows the element, without the policy's nonce.
        return (nonce || strict_dynamic).then(|| format!(
            "policy {}'s {g} allows elements carrying its nonce (or a matching hash); the document's HTML shows {} without one",
            hit.policy,
            spec.url
        ));
    }
    if strict_dynamic && d.is_script_like() {
        Some(format!(
            "policy {}'s {g} has 'strict-dynamic': host sources are ignored, and a script inserted by the HTML parser loads only with the policy's nonce or a matching hash; a HAR does not record nonce attributes (--nonce VALUE checks scripts as if they carried one)",
            hit.policy
        ))
    } else if nonce && spec.nonce.is_none() {
        Some(format!(
            "policy {}'s {g} allows elements carrying its nonce; a HAR does not record nonce attributes (--nonce VALUE checks scripts and stylesheets as if they carried one)",
            hit.policy
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cspgate::PolicySource;

    fn run(policy: &str, dest: Destination, url: &str) -> Outcome {
        let doc = Url::parse("https://app.test/").unwrap();
        let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
        let spec = RequestSpec::new(Url::parse(url).unwrap(), dest);
        check(&doc, &list, &[spec]).remove(0)
    }

    #[test]
    fn blocked_by_a_fallback() {
        let o = run("default-src 'self'", Destination::Empty, "https://x.test/");
        assert_eq!(o.kind, Kind::Blocked);
        assert_eq!(o.directive_text(), "connect-src (via default-src)");
        assert_eq!(o.source_text(), "no source matched");
    }

    #[test]
    fn allowed_and_not_restricted() {
        let o = run(
            "default-src 'self' https://cdn.test",
            Destination::Script,
            "https://cdn.test/a.js",
        );
        assert_eq!(o.kind, Kind::Allowed);
        assert_eq!(o.matched.as_deref(), Some("https://cdn.test"));
        let o = run(
            "img-src 'self'",
            Destination::Script,
            "https://cdn.test/a.js",
        );
        assert_eq!(
            o.source_text(),
            "not restricted (no script-src-elem or script-src or default-src)"
        );
        let o = run(
            "default-src 'none'",
            Destination::Document,
            "https://cdn.test/",
        );
        assert_eq!(o.kind, Kind::Allowed);
        assert_eq!(o.directive_text(), "-");
    }

    #[test]
    fn strict_dynamic_gets_a_hint() {
        let doc = Url::parse("https://app.test/").unwrap();
        let list = PolicyList::parse(
            "script-src 'nonce-abc' 'strict-dynamic'",
            Disposition::Enforce,
            PolicySource::Header,
        );
        let mut spec = RequestSpec::new(
            Url::parse("https://cdn.test/a.js").unwrap(),
            Destination::Script,
        );
        spec.parser_metadata = cspgate::ParserMetadata::ParserInserted;
        let o = check(&doc, &list, &[spec.clone()]).remove(0);
        assert_eq!(o.kind, Kind::Blocked);
        assert!(o.hint.unwrap().contains("'strict-dynamic'"));
        spec.nonce = Some("abc".into());
        let o = check(&doc, &list, &[spec]).remove(0);
        assert_eq!(o.kind, Kind::Allowed);
        assert_eq!(o.matched.as_deref(), Some("'nonce-abc'"));
    }
}
