//! `cspgate suggest`: the smallest edits to each policy (source expressions to add, per
//! directive) that allow every request, or a starting policy for a page that has none; then
//! the suggestion is verified by checking every request again with the edited policies.
//!
//! Sources are chosen honestly: `'self'` for same-origin requests, the exact
//! `scheme://host[:port]` for others, `data:` / `blob:` only for such URLs, `wss://host` for
//! WebSockets; never `*`, `'unsafe-inline'` or `'unsafe-eval'`. Host wildcards
//! (`https://*.example.com`) only with `--allow-wildcards`, loudly.
//!
//! A request governed by a fallback (say connect-src → default-src) is allowed by *creating*
//! the specific directive with the fallback's sources plus the new one: adding to default-src
//! would allow the source for every kind of request, and creating connect-src with only the
//! new source would drop default-src's permissions for connect requests.

use anyhow::{bail, Result};
use cspgate::url::Url;
use cspgate::{
    effective_directive, fallback_list, Destination, DirectiveKind as D, Disposition,
    DocumentPolicy, Initiator, InlineType, PolicyList, PolicySource, SourceExpression,
};

use crate::app::Inputs;
use crate::check::{self, Kind};
use crate::contexts::{document_policies, Context, ContextKind};
use crate::engines;
use crate::input::{Describe, Policies, PolicyText};
use crate::requests::RequestSpec;
use crate::sources::meaningful_in;

/// How to suggest.
#[derive(Clone, Debug)]
pub struct Options {
    /// The policy to start from when the page has none.
    pub start_from: String,
    /// Collapse several subdomains of one domain into a host wildcard.
    pub allow_wildcards: bool,
}

/// The order in which new directives are appended.
const NEW_DIRECTIVE_ORDER: &[D] = &[
    D::DefaultSrc,
    D::ScriptSrc,
    D::ScriptSrcElem,
    D::StyleSrc,
    D::StyleSrcElem,
    D::ImgSrc,
    D::FontSrc,
    D::ConnectSrc,
    D::MediaSrc,
    D::FrameSrc,
    D::WorkerSrc,
    D::ManifestSrc,
    D::ObjectSrc,
];

/// The directives a request check may resolve to (the heads of the fallback lists).
const EFFECTIVE: &[D] = &[
    D::ConnectSrc,
    D::ManifestSrc,
    D::ObjectSrc,
    D::FrameSrc,
    D::MediaSrc,
    D::FontSrc,
    D::ImgSrc,
    D::StyleSrcElem,
    D::ScriptSrcElem,
    D::WorkerSrc,
];

/// One source added to a directive, and the requests that need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    /// The source expression.
    pub source: String,
    /// The requests it allows (display text).
    pub requests: Vec<String>,
}

/// An edit of one directive of one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The directive edited, or created.
    pub directive: D,
    /// When the directive is created: the fallback directive it copies.
    pub created_from: Option<D>,
    /// The fallback's tokens copied into the new directive.
    pub copied: Vec<String>,
    /// The fallback's tokens not copied, because they mean nothing in the new directive.
    pub dropped: Vec<String>,
    /// `'none'` was removed (it would be ignored next to a source anyway).
    pub removed_none: bool,
    /// The new sources.
    pub added: Vec<Added>,
    /// The directive's tokens after the edit.
    pub tokens: Vec<String>,
    /// Other effective directives the edited directive governs (they gain the sources too).
    pub also_governs: Vec<D>,
}

/// The suggestion for one policy.
#[derive(Clone, Debug)]
pub struct PolicyPlan {
    /// The policy's number (1-based), as `check` numbers it.
    pub number: usize,
    /// Its disposition and delivery.
    pub text: PolicyText,
    /// The policy before the edits.
    pub before: String,
    /// The edits, in order.
    pub edits: Vec<Edit>,
    /// The policy after the edits.
    pub after: String,
}

/// A request the edits could not allow, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfixed {
    /// The request (display text).
    pub request: String,
    /// Why.
    pub reason: String,
}

/// A suggestion, verified.
#[derive(Clone, Debug)]
pub struct Suggestion {
    /// The document.
    pub document: Url,
    /// The page had no policy: the plan is a starting policy.
    pub starting: bool,
    /// One plan per policy.
    pub plans: Vec<PolicyPlan>,
    /// `--allow-wildcards` was given.
    pub wildcards_allowed: bool,
    /// Wildcards actually used.
    pub wildcards_used: Vec<String>,
    /// Hosts a wildcard was refused for (shared-hosting domains, public suffixes).
    pub wildcards_refused: Vec<String>,
    /// The re-check of every request against the suggested policies.
    pub recheck: check::Summary,
    /// Requests still blocked or reported after the edits.
    pub unfixed: Vec<Unfixed>,
    /// Requests of frames and workers still blocked or reported by their own policies,
    /// which the suggestion does not change.
    pub elsewhere: Vec<Unfixed>,
    /// The page's requests allowed as read, whose verdict depends on what the HAR does not
    /// show.
    pub uncertain: Vec<Unfixed>,
    /// Other things to say.
    pub notes: Vec<String>,
}

impl Suggestion {
    /// Did the re-check allow every request, with nothing reported?
    pub fn verified(&self) -> bool {
        self.unfixed.is_empty()
    }
}

fn request_text(r: &RequestSpec) -> String {
    if r.inline.is_some() {
        return format!("{} in {}", r.display_url(), r.url);
    }
    let what = match (r.destination, r.api) {
        (Destination::Empty, Some(api)) => api.to_owned(),
        (Destination::Empty, None) => "empty destination".to_owned(),
        (d, _) => d.as_str().to_owned(),
    };
    match r.initiator {
        Initiator::None => format!("{} ({what})", r.display_url()),
        i => format!("{} ({what}, {i})", r.display_url()),
    }
}

/// The directive to edit for a request whose effective directive is `e`, governed by `g`: `g`
/// itself when it is `e` or more specific than the natural directive for `e` (script-src for
/// scripts, style-src for stylesheets, `e` otherwise); else the natural directive, created.
fn target(e: D, g: D) -> D {
    let natural = match e {
        D::ScriptSrcElem | D::ScriptSrcAttr => D::ScriptSrc,
        D::StyleSrcElem | D::StyleSrcAttr => D::StyleSrc,
        other => other,
    };
    let list = fallback_list(e);
    let pos = |d: D| list.iter().position(|x| *x == d).unwrap_or(usize::MAX);
    if pos(g) <= pos(natural) {
        g
    } else {
        natural
    }
}

/// The hash-source of inline code: `'sha256-<base64 of its SHA-256>'` (CSP3 §6.7.2.6).
fn hash_source(code: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(code.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The honest source for one request in directive `directive`.
fn candidate(document: &Url, r: &RequestSpec, directive: D) -> String {
    let url = &r.url;
    let scheme = url.scheme();
    let host = url.host_str().unwrap_or("");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    match scheme {
        "http" | "https" => {
            // Probe 'self' with the destination the directive checks (an <object> document
            // that Chromium checks by frame-src is probed as a frame).
            let mut probe = r.clone();
            if directive == D::FrameSrc {
                probe.destination = Destination::IFrame;
            }
            // 'self' only for the page's own scheme, or an upgrade on default ports: Chromium
            // does not upgrade on other ports (docs/spec-deviations.md, letter kept).
            let upgrade_elsewhere = scheme != document.scheme() && url.port().is_some();
            if !upgrade_elsewhere && allows(document, &format!("{directive} 'self'"), &probe) {
                "'self'".to_owned()
            } else {
                format!("{scheme}://{host}{port}")
            }
        }
        "ws" | "wss" => format!("{scheme}://{host}{port}"),
        other => format!("{other}:"),
    }
}

/// Does `policy` (one enforced header) allow the request on `document`?
fn allows(document: &Url, policy: &str, r: &RequestSpec) -> bool {
    let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
    let doc = DocumentPolicy::new(document, list);
    check::check_one(&doc, r).blocks.is_empty()
}

/// Domains under which anyone can have a subdomain: never wildcarded.
const SHARED_DOMAINS: &[&str] = &[
    "github.io",
    "githubusercontent.com",
    "herokuapp.com",
    "cloudfront.net",
    "amazonaws.com",
    "s3.amazonaws.com",
    "appspot.com",
    "azurewebsites.net",
    "blob.core.windows.net",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "blogspot.com",
    "glitch.me",
    "onrender.com",
    "fly.dev",
    "ngrok.io",
    "ngrok-free.app",
];

/// Second-level labels under which a two-label name is a public suffix (`co.uk`).
const SECOND_LEVEL: &[&str] = &[
    "co", "com", "net", "org", "gov", "edu", "ac", "ne", "or", "go", "gob", "mil", "ltd", "plc",
    "sch", "nic",
];

/// May `parent` carry a wildcard (`*.parent`)? Not a public suffix or a shared-hosting domain,
/// as far as this short list knows.
fn wildcard_ok(parent: &str) -> bool {
    let labels: Vec<&str> = parent.split('.').collect();
    if labels.len() < 2 || SHARED_DOMAINS.contains(&parent) {
        return false;
    }
    !(labels.len() == 2 && labels[1].len() == 2 && SECOND_LEVEL.contains(&labels[0]))
}

/// Collapses host sources `scheme://a.parent`, `scheme://b.parent` into
/// `scheme://*.parent`, keeping the request lists.
fn collapse(added: Vec<Added>, used: &mut Vec<String>, refused: &mut Vec<String>) -> Vec<Added> {
    // Group by (scheme, parent, port) the exact host sources.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, a) in added.iter().enumerate() {
        let SourceExpression::Host {
            scheme: Some(scheme),
            host,
            port,
            path: None,
            ..
        } = SourceExpression::parse(&a.source)
        else {
            continue;
        };
        if host.starts_with('*')
            || host.parse::<std::net::Ipv4Addr>().is_ok()
            || host.starts_with('[')
        {
            continue;
        }
        let Some((_, parent)) = host.split_once('.') else {
            continue;
        };
        let port = match port {
            Some(cspgate::PortPart::Number(n)) => format!(":{n}"),
            _ => String::new(),
        };
        let key = format!("{scheme}://*.{parent}{port}");
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut replace: Vec<(usize, String)> = Vec::new();
    for (key, members) in groups {
        if members.len() < 2 {
            continue;
        }
        let parent = key
            .split("://*.")
            .nth(1)
            .unwrap_or("")
            .split(':')
            .next()
            .unwrap_or("");
        if !wildcard_ok(parent) {
            if !refused.contains(&parent.to_owned()) {
                refused.push(parent.to_owned());
            }
            continue;
        }
        for m in members {
            replace.push((m, key.clone()));
        }
        if !used.contains(&key) {
            used.push(key);
        }
    }
    let mut out: Vec<Added> = Vec::new();
    for (i, a) in added.into_iter().enumerate() {
        let source = replace
            .iter()
            .find(|(m, _)| *m == i)
            .map_or(a.source, |(_, k)| k.clone());
        match out.iter_mut().find(|x| x.source == source) {
            Some(x) => x.requests.extend(a.requests),
            None => out.push(Added {
                source,
                requests: a.requests,
            }),
        }
    }
    out
}

/// Serialises a policy with its edits applied: edited directives in place, created ones
/// appended.
fn rewrite(policy: &cspgate::Policy, edits: &[Edit]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let join = |name: &str, tokens: &[String]| {
        let mut s = name.to_owned();
        for t in tokens {
            s.push(' ');
            s.push_str(t);
        }
        s
    };
    for d in policy.directives() {
        let edited = edits
            .iter()
            .find(|e| e.created_from.is_none() && d.name().kind() == Some(e.directive));
        match edited {
            Some(e) => parts.push(join(d.name().as_str(), &e.tokens)),
            None => parts.push(join(
                d.name().as_str(),
                &d.tokens().map(str::to_owned).collect::<Vec<_>>(),
            )),
        }
    }
    for e in edits.iter().filter(|e| e.created_from.is_some()) {
        parts.push(join(e.directive.as_str(), &e.tokens));
    }
    parts.join("; ")
}

/// Suggests edits for every policy of the inputs (or a starting policy), and verifies them:
/// `collect` what each policy lacks, `plan` the edits, `rewrite` the policies, and
/// `verify` by checking every request again.
///
/// # Errors
///
/// A starting policy (`--start-from`) with no directive.
pub fn suggest(inputs: &Inputs, options: &Options) -> Result<Suggestion> {
    let starting = inputs.policies.list.is_empty();
    let policies = if starting {
        starting_policy(&options.start_from)?
    } else {
        inputs.policies.clone()
    };
    let document = &inputs.document;
    let mut notes = Vec::new();
    let needs = collect(inputs, &policies, &mut notes);
    let mut wildcards = Wildcards::default();
    let plans = needs
        .into_iter()
        .enumerate()
        .map(|(i, wanted)| plan(&policies, i, wanted, options, &mut wildcards))
        .collect::<Vec<_>>();
    let Verified {
        recheck,
        unfixed,
        elsewhere,
        uncertain,
    } = verify(inputs, &plans);
    notes.extend(closing_notes(inputs, starting));
    Ok(Suggestion {
        document: document.clone(),
        starting,
        plans,
        wildcards_allowed: options.allow_wildcards,
        wildcards_used: wildcards.used,
        wildcards_refused: wildcards.refused,
        recheck,
        unfixed,
        elsewhere,
        uncertain,
        notes,
    })
}

/// The `--start-from` policy.
fn starting_policy(text: &str) -> Result<Policies> {
    let p = Policies::new(vec![PolicyText::header(
        text,
        Disposition::Enforce,
        "--start-from",
    )]);
    if p.list.is_empty() {
        bail!("--start-from {text:?} has no directive");
    }
    Ok(p)
}

/// What one directive of one policy needs: the directive to edit (or create), the directive
/// that governs its requests now, and the sources to add with their requests.
#[derive(Clone, Debug)]
struct Need {
    target: D,
    governing: D,
    added: Vec<Added>,
}

/// Wildcards used and refused, over all policies.
#[derive(Default)]
struct Wildcards {
    used: Vec<String>,
    refused: Vec<String>,
}

/// Step 1: checks every request of the page (not its frames' or workers': their own
/// policies govern them), and for each violation records the source to add to the directive
/// to edit, per policy.
fn collect(inputs: &Inputs, policies: &Policies, notes: &mut Vec<String>) -> Vec<Vec<Need>> {
    let document = &inputs.document;
    let doc = DocumentPolicy::new(document, policies.list.clone());
    let mut needs: Vec<Vec<Need>> = vec![Vec::new(); policies.list.len()];
    let mut elsewhere = 0;
    for r in &inputs.requests {
        if !is_pages(inputs, r) {
            elsewhere += 1;
            continue;
        }
        let outcome = check::check_one(&doc, r);
        // Where an engine blocks what the letter allows, the policy must allow it there too.
        let engine_hits: Vec<check::Hit> = engines::notes(&outcome, &doc)
            .iter()
            .flat_map(|n| engine_hits(policies, r, n.directive))
            .collect();
        for hit in outcome
            .blocks
            .iter()
            .chain(&outcome.reported)
            .chain(&engine_hits)
        {
            if let Some(list) = needs.get_mut(hit.policy - 1) {
                need_for_hit(document, policies, r, hit, list, notes);
            }
        }
    }
    if elsewhere > 0 {
        notes.push(format!(
            "{elsewhere} request{} made by frames, workers or documents with other policies {} checked against their own policies (their response headers), not the page's: no source was added for {}",
            if elsewhere == 1 { "" } else { "s" },
            if elsewhere == 1 { "is" } else { "are" },
            if elsewhere == 1 { "it" } else { "them" },
        ));
    }
    needs
}

/// What one policy's objection to a request needs: the source (or inline code's hash) to
/// add to the directive to edit.
fn need_for_hit(
    document: &Url,
    policies: &Policies,
    r: &RequestSpec,
    hit: &check::Hit,
    list: &mut Vec<Need>,
    notes: &mut Vec<String>,
) {
    let Some(policy) = policies.list.get(hit.policy - 1) else {
        return;
    };
    // A prefetch is allowed when any fetch directive matches: use the one of its destination.
    let e = if hit.directive == D::DefaultSrc {
        effective_directive(r.destination, Initiator::None).unwrap_or(D::DefaultSrc)
    } else {
        hit.directive
    };
    let g = policy.governing_directive(e).unwrap_or(hit.governing);
    let t = target(e, g);
    if r.url.scheme() == "http" && document.scheme() == "https" {
        let n = "an http: request from an https: page is mixed content: browsers upgrade or block it whatever the policy says; serve it over https:".to_owned();
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    let Some(code) = &r.inline else {
        add_need(list, t, g, candidate(document, r, t), request_text(r));
        return;
    };
    // Inline code: its hash; attributes and javascript: URLs also need 'unsafe-hashes'.
    if matches!(
        code.kind,
        InlineType::ScriptAttribute | InlineType::StyleAttribute | InlineType::Navigation
    ) {
        add_need(list, t, g, "'unsafe-hashes'".to_owned(), request_text(r));
    }
    add_need(list, t, g, hash_source(&code.source), request_text(r));
    if code.kind == InlineType::Navigation {
        // Chromium and WebKit hash the whole javascript: URL, Firefox what follows the
        // scheme (docs/spec-deviations.md, letter kept): both, so that it runs in all three.
        if let Some(rest) = code.source.get("javascript:".len()..) {
            add_need(list, t, g, hash_source(rest), request_text(r));
        }
    }
}

/// The policies in which `directive` (what an engine checks the request by) governs it.
fn engine_hits(policies: &Policies, r: &RequestSpec, directive: D) -> Vec<check::Hit> {
    let e = if directive == D::FrameSrc {
        D::FrameSrc
    } else {
        effective_directive(r.destination, r.initiator).unwrap_or(directive)
    };
    policies
        .list
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.governing_directive(e).map(|g| check::Hit {
                directive: e,
                governing: g,
                policy: i + 1,
            })
        })
        .collect()
}

/// Is this request the page's own: made by a top-level document with the page's policies
/// (a document a navigation led to that has other policies is not the page's)?
fn is_pages(inputs: &Inputs, r: &RequestSpec) -> bool {
    inputs
        .contexts
        .get(r.context)
        .is_none_or(|c| has_pages_policies(inputs, c))
}

fn has_pages_policies(inputs: &Inputs, c: &Context) -> bool {
    c.kind == ContextKind::Page
        && inputs
            .contexts
            .first()
            .is_none_or(|page| page.policies == c.policies)
}

/// Records that directive `t` (governed by `g`) needs `source` for `request`.
fn add_need(list: &mut Vec<Need>, t: D, g: D, source: String, request: String) {
    let i = match list.iter().position(|n| n.target == t) {
        Some(i) => i,
        None => {
            list.push(Need {
                target: t,
                governing: g,
                added: Vec::new(),
            });
            list.len() - 1
        }
    };
    let need = &mut list[i];
    match need.added.iter_mut().find(|a| a.source == source) {
        Some(a) => {
            if !a.requests.contains(&request) {
                a.requests.push(request);
            }
        }
        None => need.added.push(Added {
            source,
            requests: vec![request],
        }),
    }
}

/// Step 2: the edits of policy `i`, in [`NEW_DIRECTIVE_ORDER`], and the policy rewritten.
fn plan(
    policies: &Policies,
    i: usize,
    mut wanted: Vec<Need>,
    options: &Options,
    wildcards: &mut Wildcards,
) -> PolicyPlan {
    let policy = &policies.list[i];
    wanted.sort_by_key(|n| {
        NEW_DIRECTIVE_ORDER
            .iter()
            .position(|d| *d == n.target)
            .unwrap_or(usize::MAX)
    });
    let edits: Vec<Edit> = wanted
        .into_iter()
        .map(|mut need| {
            if options.allow_wildcards {
                need.added = collapse(need.added, &mut wildcards.used, &mut wildcards.refused);
            }
            plan_edit(policy, need)
        })
        .collect();
    let text = policies
        .text(i)
        .cloned()
        .unwrap_or_else(|| PolicyText::header(policy.text(), policy.disposition(), ""));
    let after = if edits.is_empty() {
        policy.text().to_owned()
    } else {
        rewrite(policy, &edits)
    };
    PolicyPlan {
        number: i + 1,
        text,
        before: policy.text().to_owned(),
        edits,
        after,
    }
}

/// One edit: the directive's tokens (or, for a new directive, the meaningful tokens of the
/// directive it replaces as fallback), without `'none'`, plus the new sources.
fn plan_edit(policy: &cspgate::Policy, need: Need) -> Edit {
    let Need {
        target: t,
        governing: g,
        added,
    } = need;
    let (base, created_from): (Vec<String>, Option<D>) = match policy.directive(t) {
        Some(d) => (d.tokens().map(str::to_owned).collect(), None),
        None => (
            policy
                .directive(g)
                .map(|d| d.tokens().map(str::to_owned).collect())
                .unwrap_or_default(),
            Some(g),
        ),
    };
    let mut tokens = Vec::new();
    let mut copied = Vec::new();
    let mut dropped = Vec::new();
    let mut removed_none = false;
    for tok in base {
        if matches!(SourceExpression::parse(&tok), SourceExpression::None) {
            removed_none = true;
            continue;
        }
        if created_from.is_some() {
            if meaningful_in(&tok, t) {
                copied.push(tok.clone());
            } else {
                dropped.push(tok);
                continue;
            }
        }
        tokens.push(tok);
    }
    let added: Vec<Added> = added
        .into_iter()
        .filter(|a| !tokens.iter().any(|x| x.eq_ignore_ascii_case(&a.source)))
        .collect();
    tokens.extend(added.iter().map(|a| a.source.clone()));
    let also_governs = if created_from.is_none() {
        also_governed(policy, t)
    } else {
        Vec::new()
    };
    Edit {
        directive: t,
        created_from,
        copied,
        dropped,
        removed_none,
        added,
        tokens,
        also_governs,
    }
}

/// The other effective directives that directive `t` governs in `policy` (they gain its new
/// sources too), beside the `-elem` directive of script-src and style-src.
fn also_governed(policy: &cspgate::Policy, t: D) -> Vec<D> {
    EFFECTIVE
        .iter()
        .copied()
        .filter(|e| policy.governing_directive(*e) == Some(t) && *e != t)
        .filter(|e| !(t == D::ScriptSrc && *e == D::ScriptSrcElem))
        .filter(|e| !(t == D::StyleSrc && *e == D::StyleSrcElem))
        .collect()
}

/// Step 4: checks every request again, the page's documents under the suggested policies
/// and the other contexts under their own: the summary, and the requests still not allowed,
/// with why.
fn verify(inputs: &Inputs, plans: &[PolicyPlan]) -> Verified {
    let new_texts: Vec<PolicyText> = plans
        .iter()
        .map(|p| PolicyText {
            text: p.after.clone(),
            ..p.text.clone()
        })
        .collect();
    let mut contexts = inputs.contexts.clone();
    for c in contexts.iter_mut() {
        if has_pages_policies(inputs, c) {
            c.policies = new_texts.clone();
        }
    }
    if contexts.is_empty() {
        contexts.push(Context::page(inputs.document.clone(), new_texts));
    }
    let documents = document_policies(&contexts);
    let outcomes = check::check_in(&documents, &inputs.requests);
    let recheck = check::Summary::of(&outcomes);
    let (mut unfixed, mut elsewhere) = (Vec::new(), Vec::new());
    // An unknown verdict fails the suggestion when the request as read is not allowed; one
    // that only another reading blocks is told apart (`uncertain`).
    for o in outcomes
        .iter()
        .filter(|o| o.kind != Kind::Allowed && o.as_read != Kind::Allowed)
    {
        let u = Unfixed {
            request: request_text(&o.request),
            reason: unfixed_reason(o),
        };
        match contexts.get(o.request.context) {
            Some(c) if !is_pages(inputs, &o.request) => elsewhere.push(Unfixed {
                request: format!("{}: {}", c.label, u.request),
                ..u
            }),
            _ => unfixed.push(u),
        }
    }
    Verified {
        uncertain: uncertain(inputs, &outcomes),
        recheck,
        unfixed,
        elsewhere,
    }
}

/// What the re-check found.
struct Verified {
    recheck: check::Summary,
    unfixed: Vec<Unfixed>,
    elsewhere: Vec<Unfixed>,
    uncertain: Vec<Unfixed>,
}

/// The page's requests allowed as read whose verdict another reading changes.
fn uncertain(inputs: &Inputs, outcomes: &[check::Outcome]) -> Vec<Unfixed> {
    outcomes
        .iter()
        .filter(|o| o.kind == Kind::Unknown && o.as_read == Kind::Allowed)
        .filter(|o| is_pages(inputs, &o.request))
        .map(|o| Unfixed {
            request: request_text(&o.request),
            reason: unfixed_reason(o),
        })
        .collect()
}

fn unfixed_reason(o: &check::Outcome) -> String {
    if let Some(u) = &o.unknown {
        return format!("unknown: {u}");
    }
    o.hint.clone().unwrap_or_else(|| {
        format!(
            "still {} by {}",
            o.kind.as_str(),
            o.blocked_by.or(o.reported.first().copied()).map_or_else(
                || "a policy".to_owned(),
                |h| format!("policy {}'s {}", h.policy, h.governing)
            )
        )
    })
}

/// What to tell about every suggestion of this kind.
fn closing_notes(inputs: &Inputs, starting: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if starting {
        notes.push("a HAR does not show inline <script>, <style> or style= attributes: this policy blocks them. Give inline scripts and styles a nonce or a hash ('unsafe-inline' is never suggested)".to_owned());
        notes.push(
            "deploy it as Content-Security-Policy-Report-Only first, and watch the reports"
                .to_owned(),
        );
    }
    if inputs
        .requests
        .iter()
        .any(|r| r.destination == Destination::Document)
    {
        notes.push(
            "top-level navigations are not checked by fetch directives; they need no source"
                .to_owned(),
        );
    }
    notes
}

impl Suggestion {
    /// The suggestion as text: the wildcard warning, each policy's edits and result, the
    /// verification, notes.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.wildcards_allowed {
            out.push_str(&wildcard_banner(&self.wildcards_used));
        }
        out.push_str(&format!("Document: {}\n", self.document));
        if self.starting {
            out.push_str(&format!(
                "The page has no policy. Starting from --start-from \"{}\", a policy that allows every request:\n",
                self.plans.first().map_or("", |p| p.before.as_str())
            ));
        }
        for p in &self.plans {
            out.push('\n');
            out.push_str(&self.render_plan(p));
        }
        out.push('\n');
        if self.verified() {
            out.push_str(&format!(
                "Re-checked with cspgate: all {} requests against the suggested {}: {}.{}\n",
                self.recheck.total,
                if self.plans.len() == 1 {
                    "policy"
                } else {
                    "policies"
                },
                self.recheck.line().split(": ").nth(1).unwrap_or(""),
                if self.elsewhere.is_empty() {
                    ""
                } else {
                    " Every request of the page is allowed."
                }
            ));
        } else {
            out.push_str(&format!(
                "NOT ALLOWED: re-checked with cspgate, {} requests against the suggested policies: {}.\nThese requests cannot be allowed by adding sources:\n",
                self.recheck.total,
                self.recheck.line().split(": ").nth(1).unwrap_or("")
            ));
            for u in &self.unfixed {
                out.push_str(&format!("  {}: {}\n", u.request, u.reason));
            }
        }
        if !self.uncertain.is_empty() {
            out.push_str("Allowed as the HAR reads them, but other readings of what it does not show would block:\n");
            for u in &self.uncertain {
                out.push_str(&format!("  {}: {}\n", u.request, u.reason));
            }
        }
        if !self.elsewhere.is_empty() {
            out.push_str("Blocked or reported in frames and workers by their own policies (their response headers; this suggestion does not change them):\n");
            for u in &self.elsewhere {
                out.push_str(&format!("  {}: {}\n", u.request, u.reason));
            }
        }
        for r in &self.wildcards_refused {
            out.push_str(&format!(
                "note: no wildcard for *.{r}: anyone can get a subdomain of {r} (or it is a public suffix); exact hosts kept\n"
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }

    fn render_plan(&self, p: &PolicyPlan) -> String {
        let mut out = String::new();
        let head = format!(
            "Policy {} ({}; from {})",
            p.number,
            Describe(p.text.disposition, p.text.source),
            p.text.from
        );
        if p.edits.is_empty() {
            out.push_str(&format!(
                "{head}: no change needed.\n  {}\n",
                p.text.delivery(&p.before)
            ));
            return out;
        }
        out.push_str(&format!("{head}\n  was: {}\n", p.before));
        for e in &p.edits {
            let sources: Vec<&str> = e.added.iter().map(|a| a.source.as_str()).collect();
            match e.created_from {
                None => {
                    out.push_str(&format!("  {}: add {}\n", e.directive, sources.join(" ")));
                    if e.removed_none {
                        out.push_str(&format!(
                            "    ('none' removed from {}: it is ignored next to other sources)\n",
                            e.directive
                        ));
                    }
                    if !e.also_governs.is_empty() {
                        let names: Vec<&str> = e.also_governs.iter().map(|d| d.as_str()).collect();
                        out.push_str(&format!(
                            "    ({} also governs {} here: those requests may use the new sources too)\n",
                            e.directive,
                            names.join(", ")
                        ));
                    }
                }
                Some(from) => {
                    out.push_str(&format!(
                        "  {}: create it: {} {}\n",
                        e.directive,
                        e.directive,
                        e.tokens.join(" ")
                    ));
                    let kept = if e.copied.is_empty() {
                        format!("{from} has no source to keep, so it gets only")
                    } else {
                        format!(
                            "it keeps {from}'s sources ({}) and adds",
                            e.copied.join(" ")
                        )
                    };
                    out.push_str(&format!(
                        "    {d} is not in this policy, so these requests fall back to {from}. A new {d} replaces\n    {from} for them instead of adding to it: {kept} {}.\n",
                        sources.join(" "),
                        d = e.directive,
                    ));
                    if !e.dropped.is_empty() {
                        out.push_str(&format!(
                            "    Not copied, as they mean nothing in {}: {}\n",
                            e.directive,
                            e.dropped.join(" ")
                        ));
                    }
                }
            }
            for a in &e.added {
                for r in &a.requests {
                    out.push_str(&format!("      {}  for {r}\n", a.source));
                }
            }
        }
        out.push_str(&format!("  now: {}\n", p.text.delivery(&p.after)));
        out
    }
}

fn wildcard_banner(used: &[String]) -> String {
    let bar = "!".repeat(78);
    let mut out = format!("{bar}\n!!! WILDCARDS ON (--allow-wildcards)\n");
    if used.is_empty() {
        out.push_str("!!! No wildcard was needed: every suggested host is exact.\n");
    } else {
        out.push_str(&format!(
            "!!! This suggestion uses host wildcards: {}\n",
            used.join(" ")
        ));
        out.push_str("!!! A wildcard allows EVERY subdomain, including ones you do not control and\n!!! ones an attacker can take over (dangling DNS, user content). Prefer exact hosts.\n");
    }
    out.push_str(&bar);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(target(D::ConnectSrc, D::DefaultSrc), D::ConnectSrc);
        assert_eq!(target(D::ScriptSrcElem, D::ScriptSrc), D::ScriptSrc);
        assert_eq!(target(D::ScriptSrcElem, D::ScriptSrcElem), D::ScriptSrcElem);
        assert_eq!(target(D::ScriptSrcElem, D::DefaultSrc), D::ScriptSrc);
        assert_eq!(target(D::WorkerSrc, D::ScriptSrc), D::WorkerSrc);
        assert_eq!(target(D::FrameSrc, D::ChildSrc), D::FrameSrc);
    }

    #[test]
    fn wildcards_respect_public_suffixes() {
        assert!(wildcard_ok("example.com"));
        assert!(!wildcard_ok("co.uk"));
        assert!(!wildcard_ok("github.io"));
        assert!(!wildcard_ok("com"));
        let added = vec![
            Added {
                source: "https://a.cdn.test".into(),
                requests: vec!["1".into()],
            },
            Added {
                source: "https://b.cdn.test".into(),
                requests: vec!["2".into()],
            },
            Added {
                source: "https://x.github.io".into(),
                requests: vec!["3".into()],
            },
            Added {
                source: "https://y.github.io".into(),
                requests: vec!["4".into()],
            },
        ];
        let (mut used, mut refused) = (Vec::new(), Vec::new());
        let out = collapse(added, &mut used, &mut refused);
        assert_eq!(out[0].source, "https://*.cdn.test");
        assert_eq!(out[0].requests, ["1", "2"]);
        assert_eq!(out.len(), 3);
        assert_eq!(refused, ["github.io"]);
    }
}
