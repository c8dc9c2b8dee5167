//! The `cspgate` command-line tool: check a Content Security Policy against a page's real
//! requests before shipping it, explain a policy, suggest one, and run conformance cases.
//!
//! Each module has one job; `main.rs` only parses the command line and prints:
//!
//! - [`args`]: the command line (clap);
//! - [`app`]: gathers the inputs and runs a subcommand;
//! - [`input`]: files, standard input, policy texts;
//! - [`requests`]: requests from arguments (`DESTINATION:URL`) and request lists;
//! - [`har`]: HAR files: each entry's destination inferred, its context and redirect chain,
//!   and documents' HTML (html5ever) for parser-inserted elements, nonces and inline code;
//! - [`contexts`]: the page, its frames and workers, each with its own policies;
//! - [`check`]: the verdict of every request in its context, with the directive and source
//!   that decided, or `unknown` when the HAR's other readings of it disagree;
//! - [`engines`]: where Chromium and Firefox decide otherwise than the CSP3 letter;
//! - [`report`]: `check`'s table and JSON output;
//! - [`explain`]: a policy as the browser sees it;
//! - [`sources`]: what a source expression means, and where;
//! - [`suggest`]: the smallest edits that allow every request of the page, re-checked;
//! - [`table`]: plain-text tables;
//! - [`progress`]: a progress bar on a terminal;
//! - [`conformance`]: the conformance-case runner.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod args;
pub mod check;
pub mod conformance;
pub mod contexts;
pub mod engines;
pub mod explain;
pub mod har;
pub mod input;
pub mod progress;
pub mod report;
pub mod requests;
pub mod sources;
pub mod suggest;
pub mod table;
