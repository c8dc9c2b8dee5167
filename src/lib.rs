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
//! - [The checks](#the-checks)
//! - [Sharing between threads and processes](#sharing-between-threads-and-processes)
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
//! # The checks
//!
//! Every CSP3 hook an engine calls is a method of [`DocumentPolicy`] that returns a
//! [`Verdict`] (blocked or not, and the violations of enforced and report-only policies):
//!
//! | when | method | CSP3 |
//! |---|---|---|
//! | each request and redirect hop (Fetch main fetch) | [`report_request`](DocumentPolicy::report_request), then [`should_block_request`](DocumentPolicy::should_block_request) (or [`check_request`](DocumentPolicy::check_request) for both) | §4.1.1, §4.1.2 |
//! | the response | [`check_response`](DocumentPolicy::check_response), [`hash_reports`](DocumentPolicy::hash_reports) | §4.1.3, §4.1.4 |
//! | inline `<script>`, `<style>`, event handlers, `style` attributes | [`check_inline`](DocumentPolicy::check_inline) | §4.2.3 |
//! | a navigation request (form submissions, `javascript:` URLs) | [`check_navigation_request`](DocumentPolicy::check_navigation_request) | §4.2.4 |
//! | a navigation response in a frame (`frame-ancestors`) | [`check_navigation_response`](DocumentPolicy::check_navigation_response) | §4.2.5 |
//! | `eval`, `Function`, string timers; WebAssembly | [`check_eval`](DocumentPolicy::check_eval), [`check_wasm`](DocumentPolicy::check_wasm) | §4.4, §4.5 |
//! | `<base href>` | [`check_base_uri`](DocumentPolicy::check_base_uri) | §6.3.1 |
//! | document and worker creation | [`sandbox_flags`](DocumentPolicy::sandbox_flags), [`should_block_worker`](DocumentPolicy::should_block_worker), [`upgrade_insecure_requests`](DocumentPolicy::upgrade_insecure_requests) | §6.3.2, UIR |
//! | `trustedTypes.createPolicy()` | [`check_trusted_types_policy`](DocumentPolicy::check_trusted_types_policy) | Trusted Types |
//! | a string at an injection sink | [`requires_trusted_types`](DocumentPolicy::requires_trusted_types), [`check_sink_type_mismatch`](DocumentPolicy::check_sink_type_mismatch) | Trusted Types |
//! | `eval` with Trusted Types | [`check_string_compilation`](DocumentPolicy::check_string_compilation), [`trusted_types_required_for_eval`](DocumentPolicy::trusted_types_required_for_eval) | §4.4 |
//! | a `javascript:` navigation with Trusted Types | [`check_navigation_request_with_trusted_types`](DocumentPolicy::check_navigation_request_with_trusted_types) | §4.2.4, Trusted Types |
//! | reporting a violation | [`violation_report`](DocumentPolicy::violation_report), [`owned_violation_report`](DocumentPolicy::owned_violation_report) | §5 |
//!
//! The self-origin is given as a URL ([`DocumentPolicy::new`]) or as an origin, opaque ones
//! included ([`DocumentPolicy::for_origin`]). The [`sri`] module parses and checks
//! Subresource Integrity metadata.
//!
//! `docs/integration.md` walks through wiring them into an engine, with Servo as the example.
//!
//! # Sharing between threads and processes
//!
//! [`DocumentPolicy`] and [`PolicyList`] are `Send + Sync` and immutable: build one
//! `DocumentPolicy` per document or worker global and hand the network layer an
//! `Arc<DocumentPolicy>`. Each request carries a clone of that `Arc` (a reference count
//! increment), **never a deep copy** of the policies; checks take `&self` from any thread.
//! When a `<meta>` policy arrives later, build a new `DocumentPolicy` from the extended
//! [`PolicyList`] and swap the `Arc` the document hands to new requests; requests already in
//! flight keep the one they were started with.
//!
//! Across a process boundary (IPC), send the [`PolicyList`] and the self-origin URL, not the
//! compiled form: with the `serde` feature a `PolicyList` serializes as its policies'
//! delivered text, disposition and source, and deserializing parses them again, which gives
//! an equal list. Violations travel as [`OwnedViolation`]s (no borrows); the receiving side
//! builds their reports with its own `DocumentPolicy`.
//!
//! # Design
//!
//! - [`PolicyList::parse`] splits a header value on commas and semicolons in one linear pass;
//!   each source list is compiled once, by the first check that reads it (lock-free
//!   afterwards): keywords become bits, schemes a mask, hosts sorted patterns (exact, `*.`
//!   suffix, `*`), ports numbers, paths checked strings.
//! - A process-wide [`PolicyCache`] hands out the compiled policies of a header value it has
//!   seen (shared by reference count) instead of parsing it again.
//! - Each [`Policy`] precomputes, for every effective directive, which of its directives
//!   governs after walking the fallback list (§6.8.3-§6.8.4), so a check never searches by
//!   name.
//! - [`DocumentPolicy`] binds the list to its self-origin, precomputed once; a check reads
//!   the request URL's scheme, host, port and path in place and compares plain values.
//! - [`Verdict`] and [`Violation`] borrow the request and name policies by index: an allowed
//!   check allocates nothing.
//! - Where matching is expensive (long host lists, paths, several policies), a bounded
//!   per-document verdict cache ([`CacheConfig`], [`CacheStats`]), made once the document's
//!   checks show it pays, answers repeated checks of the same destination and origin with
//!   lock-free reads; it never changes a verdict.
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
//! (fuzzers in `fuzz/`, hostile inputs in `tests/suite/hostile.rs`, `benches/scaling.rs`).
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
//! - `serde` (off by default): `Serialize` and `Deserialize` for [`PolicyList`] (see
//!   [above](#sharing-between-threads-and-processes)), for [`OwnedViolation`], for the enums an
//!   engine keeps in its own types ([`Destination`], [`Initiator`], [`ParserMetadata`],
//!   [`InlineType`], [`NavigationType`], [`Disposition`], [`PolicySource`], [`DirectiveKind`],
//!   [`SinkGroup`]: as their spec names) and for [`SandboxFlags`] (as flag names); and
//!   `Serialize` for [`ViolationReport`] (its `CSPViolationReportBody`). It turns on `url`'s
//!   `serde` feature.
//!
//! The default build depends on `url`, `smallvec`, `parking_lot`, `bitflags`,
//! `percent-encoding`, and `sha2` and `base64` for hash-sources; no JSON library (report
//! bodies are written by a small escaper that follows `JSON.stringify`).

#![forbid(unsafe_code)]

mod checks;
#[cfg(test)]
mod layering;
pub mod limits;
mod matching;
mod names;
mod parse;
mod policy;
mod report;
mod sync;
#[doc(hidden)]
pub mod test_hooks;
#[cfg(test)]
mod test_support;

pub use checks::document::DocumentPolicy;
pub use checks::inline::{InlineCheck, InlineType};
pub use checks::navigation::NavigationType;
pub use checks::request::cache::{CacheConfig, CacheStats};
pub use checks::request::fields::Request;
pub use checks::response::HashReport;
pub use checks::sandbox::{parse_a_sandboxing_directive, SandboxFlags};
pub use checks::trusted_types::TrustedNavigation;
pub use checks::verdict::{Resource, Verdict, Violation};
pub use limits::Limit;
pub use matching::sri;
pub use names::destination::{
    effective_directive, fallback_list, Destination, Initiator, ParserMetadata,
};
pub use names::directive::{legacy_directive_note, DirectiveGroup, DirectiveKind, DirectiveName};
pub use names::disposition::{Disposition, PolicySource};
pub use names::keywords::{HashAlgorithm, Keywords};
pub use names::trusted_types::{CompilationType, SinkGroup};
pub use names::vocabulary::UnknownName;
pub use parse::source::{InvalidSource, PortPart, SourceExpression};
pub use parse::warning::{ParseWarning, Span};
pub use policy::list::{PolicyIter, PolicyList};
pub use policy::policy_cache::{
    PolicyCache, DEFAULT_POLICY_CACHE_BYTES, DEFAULT_POLICY_CACHE_ENTRIES,
};
pub use policy::{DirectiveRef, Policy};
pub use report::explain::PolicyJudgement;
pub use report::owned::{OwnedResource, OwnedViolation};
pub use report::violation_report::{
    strip_url_for_reports, ReportContext, ReportDestination, ViolationReport,
};

/// Re-exported so that engines and tools use the same `url` the API takes.
pub use url;

// A `DocumentPolicy` is shared by `Arc` with network threads: this must keep compiling.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DocumentPolicy>();
    assert_send_sync::<PolicyList>();
};

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
        assert_send_sync::<InlineCheck<'static>>();
        assert_send_sync::<ViolationReport<'static>>();
        assert_send_sync::<ReportContext<'static>>();
        assert_send_sync::<HashReport<'static>>();
        assert_send_sync::<SandboxFlags>();
        assert_send_sync::<OwnedViolation>();
        assert_send_sync::<TrustedNavigation<'static>>();
    }
}
