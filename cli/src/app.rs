//! Runs a parsed command line: gathers the inputs (HAR, policies, requests, document URL),
//! calls the subcommand, and returns its output and exit status. `main` only prints.

use std::io::Write;

use anyhow::{anyhow, bail, Context as _, Result};
use cspgate::url::Url;
use cspgate::{Destination, Disposition};

use crate::args::{
    CheckArgs, Command, ExplainArgs, PageArgs, PolicyArgs, RequestArgs, SuggestArgs,
};
use crate::contexts::{self, Context, ContextKind};
use crate::har::{self, HarPage};
use crate::input::{self, Policies, PolicyText};
use crate::requests::{self, RequestSpec};
use crate::{check, explain, report, suggest};

/// How a run ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: nothing blocked.
    Clean,
    /// Exit 1: something is blocked (check), or a suggestion failed its verification.
    Findings,
}

impl Status {
    /// The process exit code: 0 or 1 (input and usage errors exit 2).
    pub const fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
        }
    }
}

/// What a subcommand produced: its standard output, and its exit status.
#[derive(Clone, Debug)]
pub struct Output {
    /// Everything to print on standard output.
    pub stdout: String,
    /// The exit status.
    pub status: Status,
}

/// Prints a note on standard error (`cspgate: note: ...`), ignoring failures to write it.
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "cspgate: note: {msg}");
}

/// Runs `check`, `explain` or `suggest` (`conformance` streams, and is run by `main`).
///
/// # Errors
///
/// Usage and input errors: an unreadable file, a broken HAR, a malformed URL, a missing input.
pub fn run(command: &Command) -> Result<Output> {
    match command {
        Command::Check(a) => run_check(a),
        Command::Explain(a) => run_explain(a),
        Command::Suggest(a) => run_suggest(a),
        Command::Conformance => bail!("conformance is run by main"),
    }
}

/// The inputs of `check` and `suggest`.
#[derive(Debug)]
pub struct Inputs {
    /// The page's URL.
    pub document: Url,
    /// The policies to check.
    pub policies: Policies,
    /// The requests, in input order: the HAR's, then the request files', then the arguments'.
    pub requests: Vec<RequestSpec>,
    /// The contexts the requests ran in; the first is the page (`document`, `policies`).
    /// Requests given on the command line or in request files are the page's.
    pub contexts: Vec<Context>,
}

fn load_har(page: &PageArgs) -> Result<Option<HarPage>> {
    let Some(path) = &page.har else {
        return Ok(None);
    };
    let har = har::read(path, page.page)?;
    for n in &har.notes {
        note(n);
    }
    Ok(Some(har))
}

/// The policies of the command line, or else the HAR's document headers.
fn gather_policies(args: &PolicyArgs, har: Option<&HarPage>) -> Result<Vec<PolicyText>> {
    let mut texts = Vec::new();
    for p in &args.policy {
        texts.push(PolicyText::header(p, Disposition::Enforce, "--policy"));
    }
    for p in &args.report_only {
        texts.push(PolicyText::header(p, Disposition::Report, "--report-only"));
    }
    for path in &args.policy_file {
        let text = input::read_text(path)?;
        texts.extend(input::parse_policy_file(&text, &path.display().to_string()));
    }
    for m in &args.meta {
        texts.push(PolicyText::meta(m, "--meta"));
    }
    if args.any() {
        if har.is_some_and(|h| !h.policies.is_empty()) {
            note("the policies given on the command line replace the HAR's");
        }
        return Ok(texts);
    }
    Ok(har.map(|h| h.policies.clone()).unwrap_or_default())
}

fn gather_document(page: &PageArgs, har: Option<&HarPage>) -> Result<Option<Url>> {
    match &page.document {
        Some(d) => requests::parse_url(d).context("--document").map(Some),
        None => Ok(har.and_then(|h| h.document.clone())),
    }
}

fn gather(page: &PageArgs, policies: &PolicyArgs, reqs: &RequestArgs) -> Result<Inputs> {
    let har = load_har(page)?;
    let document = gather_document(page, har.as_ref())?.ok_or_else(|| {
        anyhow!("no document URL: give --document URL (the page the policy protects), or a --har with the page's document")
    })?;
    let texts = gather_policies(policies, har.as_ref())?;
    let contexts = gather_contexts(&document, &texts, policies.any(), har.as_ref());
    let mut requests = har.map(|h| h.requests).unwrap_or_default();
    for path in &reqs.request_files {
        requests.extend(requests::read_list(path)?);
    }
    for r in &reqs.requests {
        requests.push(requests::parse_arg(r)?);
    }
    if requests.is_empty() {
        bail!("no requests to check: give URLs, --requests FILE or --har FILE");
    }
    if let Some(n) = &reqs.nonce {
        // The HAR's requests carry what their documents' HTML shows (and alternatives for
        // what it cannot show); the nonce is for the requests described by hand.
        for r in requests.iter_mut().filter(|r| r.entry.is_none()) {
            if r.destination.is_script_like() || r.destination == Destination::Style {
                r.nonce = Some(n.clone());
            }
        }
    }
    Ok(Inputs {
        document,
        policies: Policies::new(texts),
        requests,
        contexts,
    })
}

/// The HAR's contexts (or the page alone): the page has `document` and `texts`; policies
/// given on the command line replace those of every top-level document.
fn gather_contexts(
    document: &Url,
    texts: &[PolicyText],
    replace: bool,
    har: Option<&HarPage>,
) -> Vec<Context> {
    let mut contexts = har.map(|h| h.contexts.clone()).unwrap_or_default();
    match contexts.first_mut() {
        Some(page) => {
            page.url = document.clone();
            page.policies = texts.to_vec();
        }
        None => contexts.push(Context::page(document.clone(), texts.to_vec())),
    }
    if replace {
        for c in contexts.iter_mut().filter(|c| c.kind == ContextKind::Page) {
            c.policies = texts.to_vec();
        }
    }
    contexts
}

fn run_check(a: &CheckArgs) -> Result<Output> {
    let inputs = gather(&a.page, &a.policies, &a.requests)?;
    let documents = contexts::document_policies(&inputs.contexts);
    let outcomes = check::check_in(&documents, &inputs.requests);
    let summary = check::Summary::of(&outcomes);
    let stdout = if a.json {
        for n in report::footer_notes(&outcomes) {
            note(&n);
        }
        report::json_lines(&outcomes, &inputs.contexts)
    } else {
        report::table(&inputs, &outcomes)
    };
    let findings = summary.blocked > 0 || (a.fail_on_report && summary.reported > 0);
    Ok(Output {
        stdout,
        status: if findings {
            Status::Findings
        } else {
            Status::Clean
        },
    })
}

fn run_explain(a: &ExplainArgs) -> Result<Output> {
    let har = load_har(&a.page)?;
    let document = gather_document(&a.page, har.as_ref())?;
    let texts = gather_policies(&a.policies, har.as_ref())?;
    if texts.is_empty() {
        bail!("no policy to explain: give --policy TEXT, --report-only TEXT, --policy-file PATH, --meta TEXT, or a --har whose document has a policy");
    }
    Ok(Output {
        stdout: explain::explain(&texts, document.as_ref()),
        status: Status::Clean,
    })
}

fn run_suggest(a: &SuggestArgs) -> Result<Output> {
    let inputs = gather(&a.page, &a.policies, &a.requests)?;
    let options = suggest::Options {
        start_from: a.start_from.clone(),
        allow_wildcards: a.allow_wildcards,
    };
    let s = suggest::suggest(&inputs, &options)?;
    Ok(Output {
        stdout: s.render(),
        status: if s.verified() {
            Status::Clean
        } else {
            Status::Findings
        },
    })
}
