//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Test a Content Security Policy against a page's real requests before shipping it.
#[derive(Debug, Parser)]
#[command(
    name = "cspgate",
    version,
    about,
    after_help = "Exit status: 0 when every request is allowed, 1 when a request is blocked \
                  (check) or a suggestion could not be verified (suggest), 2 on a usage or input error."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check requests (URLs, a request list or a HAR) against a policy, as a browser would.
    Check(CheckArgs),
    /// Show a policy as the browser sees it: every directive and source expression, what is
    /// ignored and why, and which directive governs each request destination.
    Explain(ExplainArgs),
    /// Suggest the smallest edits to a policy (or a starting policy) that allow every request.
    Suggest(SuggestArgs),
    /// Run conformance cases: JSON lines on standard input, one result line each on standard
    /// output (format: shared/conformance/SCHEMA.md).
    Conformance,
}

/// Where policies come from. With none of these, a HAR's document headers are used.
#[derive(Debug, Default, Args)]
pub struct PolicyArgs {
    /// An enforced policy: a `Content-Security-Policy` header value (repeatable).
    #[arg(long = "policy", value_name = "TEXT")]
    pub policy: Vec<String>,
    /// A report-only policy: a `Content-Security-Policy-Report-Only` header value (repeatable).
    #[arg(long = "report-only", value_name = "TEXT")]
    pub report_only: Vec<String>,
    /// A file of header values, one per line (`Content-Security-Policy-Report-Only: ...` lines
    /// are report-only; `#` starts a comment).
    #[arg(long = "policy-file", value_name = "PATH")]
    pub policy_file: Vec<PathBuf>,
    /// A `<meta http-equiv="Content-Security-Policy">` content (repeatable).
    #[arg(long = "meta", value_name = "TEXT")]
    pub meta: Vec<String>,
}

impl PolicyArgs {
    /// Was any policy given on the command line?
    pub fn any(&self) -> bool {
        !(self.policy.is_empty()
            && self.report_only.is_empty()
            && self.policy_file.is_empty()
            && self.meta.is_empty())
    }
}

/// The page: its URL and, optionally, a HAR of its requests.
#[derive(Debug, Default, Args)]
pub struct PageArgs {
    /// The document's URL (what `'self'` means). Defaults to the HAR's first document.
    #[arg(long, value_name = "URL")]
    pub document: Option<String>,
    /// A HAR file exported from the browser's developer tools (Network panel, "Save all as
    /// HAR"); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Which page of a HAR that holds several (1-based).
    #[arg(long, value_name = "N", requires = "har")]
    pub page: Option<usize>,
}

/// The requests, besides a HAR's.
#[derive(Debug, Default, Args)]
pub struct RequestArgs {
    /// Requests: `URL` (the empty destination, as for fetch()) or `DESTINATION:URL`, e.g.
    /// `script:https://cdn.test/a.js`, `worker:https://app.test/w.js`.
    #[arg(value_name = "REQUEST")]
    pub requests: Vec<String>,
    /// A file of requests: one `DESTINATION URL` per line, `-` for the empty destination
    /// (repeatable; `-` as the file reads standard input).
    #[arg(long = "requests", value_name = "FILE")]
    pub request_files: Vec<PathBuf>,
    /// Check the scripts and stylesheets given as arguments or in request files as if their
    /// elements carried this nonce (a HAR's requests carry what their document's HTML shows).
    #[arg(long, value_name = "VALUE")]
    pub nonce: Option<String>,
}

/// `cspgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policies.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The page.
    #[command(flatten)]
    pub page: PageArgs,
    /// The requests.
    #[command(flatten)]
    pub requests: RequestArgs,
    /// Print one JSON object per request instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 also when a report-only policy reports a request.
    #[arg(long)]
    pub fail_on_report: bool,
}

/// `cspgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The policies.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The page.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `cspgate suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The policies.
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// The page.
    #[command(flatten)]
    pub page: PageArgs,
    /// The requests.
    #[command(flatten)]
    pub requests: RequestArgs,
    /// The policy to start from when the page has none.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "default-src 'self'; object-src 'none'; base-uri 'self'"
    )]
    pub start_from: String,
    /// Allow host wildcards (`https://*.example.com`) where several subdomains of one domain
    /// are needed. Wildcards allow every subdomain, including ones you do not control.
    #[arg(long)]
    pub allow_wildcards: bool,
}
