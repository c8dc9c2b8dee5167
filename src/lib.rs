//! Content Security Policy Level 3 enforcement for browser engines.
//!
//! cspgate parses `Content-Security-Policy` headers and `<meta>` policies once, compiles them
//! into plain data, and answers CSP3's checks ("should this request be blocked?") without
//! allocating, locking or re-parsing anything.
//!
//! # Contents
//!
//! - [Should I use this crate?](#should-i-use-this-crate)
//! - [Example](#example)
//! - [Design](#design)
//! - [Limits](#limits)
//! - [Conventions](#conventions)
//! - [Crate features](#crate-features)
//!
//! # Should I use this crate?
//!
//! Use it if you build a user agent (or a tool that must answer exactly as one would):
//! a browser engine's network layer, a crawler, a proxy that predicts what a policy will block.
//! It follows the CSP3 editor's draft (`w3c/webappsec-csp` `index.bs`), and the three major
//! engines where all of them agree against the letter and a spec issue tracks it; every such
//! place is listed in `docs/spec-deviations.md`. If you need to *write* policies, its CLI
//! (`cspgate check`, `explain`, `suggest`) is the tool.
//!
//! # Example
//!
//! ```
//! use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
//! use url::Url;
//!
//! // When the document's response arrives: parse its headers once.
//! let doc = Url::parse("https://example.com/page")?;
//! let mut list = PolicyList::parse(
//!     "default-src 'self'; connect-src 'self' wss://push.example.com",
//!     Disposition::Enforce,
//!     PolicySource::Header,
//! );
//! list.push_header("img-src https:", Disposition::Report);
//! let policy = std::sync::Arc::new(DocumentPolicy::new(&doc, list));
//!
//! // For every request the document makes, on any thread:
//! let ws = Url::parse("wss://push.example.com/feed")?;
//! assert!(policy.check_request(&Request::new(&ws, Destination::Empty)).is_allowed());
//! let script = Url::parse("https://cdn.test/lib.js")?;
//! let verdict = policy.check_request(&Request::new(&script, Destination::Script));
//! assert!(verdict.is_blocked());
//! assert_eq!(verdict.violations()[0].directive().as_str(), "script-src-elem");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design
//!
//! - [`PolicyList::parse`] splits a header value on commas and semicolons in one linear pass
//!   and compiles every source list: keywords become bits, schemes a mask, hosts sorted
//!   patterns (exact, `*.` suffix, `*`), ports numbers, paths checked strings.
//! - Each [`Policy`] precomputes, for every effective directive, which of its directives
//!   governs after walking the fallback list (§6.8.3-§6.8.4), so a check never searches by
//!   name.
//! - [`DocumentPolicy`] binds the list to its self-origin, precomputed once; a check reads
//!   the request URL's scheme, host, port and path in place and compares plain values.
//! - [`Verdict`] and [`Violation`] borrow the request and name policies by index: an allowed
//!   check allocates nothing.
//!
//! `docs/design.md` has the details.
//!
//! # Limits
//!
//! Parsing is linear in its input and never fails; hostile input is cut at the limits of the
//! [`limits`] module, and a cut never makes a policy more permissive than CSP3's parse of the
//! whole input. A check costs at worst time linear in the request's URL and the policy, and
//! usually a few binary searches; it never allocates unless three policies report violations.
//! `docs/threat-model.md` lists what an attacker controls and how each guarantee is tested
//! (fuzzers in `fuzz/`, hostile inputs in `tests/hostile.rs`, `benches/scaling.rs`).
//!
//! # Conventions
//!
//! - Parse functions never fail: what CSP3 ignores is ignored, and reported through an
//!   optional warning callback ([`PolicyList::parse_with`]).
//! - Functions that run a CSP3 algorithm link it and number its steps in comments.
//! - Names of directives, destinations, initiators and keywords are closed enums generated
//!   from one table each, with `as_str` and `FromStr`.
//!
//! # Crate features
//!
//! None yet: the default build depends on `url`, `smallvec`, `parking_lot`, `bitflags` and
//! `percent-encoding` only.

#![forbid(unsafe_code)]

mod ascii;
mod destination;
mod directive;
mod document;
mod explain;
mod fetch;
mod host;
pub mod limits;
mod origin;
mod parser;
mod path;
mod policy;
mod policy_list;
mod request;
mod scheme;
mod source;
mod source_list;
mod sri;
mod verdict;
mod warning;

pub use destination::{
    effective_directive, fallback_list, Destination, Initiator, ParserMetadata, UnknownName,
};
pub use directive::{legacy_directive_note, DirectiveGroup, DirectiveKind, DirectiveName};
pub use document::DocumentPolicy;
pub use explain::PolicyJudgement;
pub use limits::Limit;
pub use policy::{DirectiveRef, Disposition, Policy, PolicySource};
pub use policy_list::PolicyList;
pub use request::Request;
pub use source::{HashAlgorithm, InvalidSource, Keywords, PortPart, SourceExpression};
pub use verdict::{Resource, Verdict, Violation};
pub use warning::{ParseWarning, Span};

/// Re-exported so that engines and tools use the same `url` the API takes.
pub use url;

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<DocumentPolicy>();
        assert_send_sync::<PolicyList>();
        assert_send_sync::<Policy>();
        assert_send_sync::<Verdict<'static>>();
        assert_send_sync::<Request<'static>>();
        assert_send_sync::<ParseWarning>();
    }
}
