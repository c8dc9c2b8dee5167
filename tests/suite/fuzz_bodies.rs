//! The bodies of the fuzz targets of `fuzz/fuzz_targets/`, shared with `tests/suite/fuzz_smoke.rs` so
//! that stable CI runs every target over its seed corpus and over deterministic pseudo-random
//! inputs.
//!
//! - [`parse`]: any bytes, lossily decoded as an engine hands a header value over, parsed as a
//!   header and as `<meta>` content with both dispositions; never panics, keeps every warning
//!   span inside the text, re-serialises to text that parses to the same directives and
//!   tokens, agrees with the spec-literal oracle whenever no limit was hit, and keeps its
//!   memory linear in the input.
//! - [`check`]: a structured case (policies, document, request); the cached and uncached
//!   verdicts agree (also for a list from a process-wide `PolicyCache`, cold and warm, and a
//!   verdict cache its checks make lazily), the enforce and report halves add up to the whole, and
//!   `explain_request` agrees with the verdict.
//! - [`differential`]: the same case through cspgate and through the naive oracle
//!   (`naive.rs`): the same blocked/allowed answer and the same violations, in policy order,
//!   for the request, and for inline content, eval, Wasm, navigations and frame-ancestors
//!   over the same policies, and for the Trusted Types checks (policy creation, sink type
//!   mismatch with samples, string compilation, `javascript:` pre-navigation conversion).
//!
//! A case comes from [`CheckInput`]: either bytes in the readable text format of
//! [`Case::from_text`] (the seeds are conformance cases written that way, so byte-level
//! mutations explore around real facts), or any other bytes read by a grammar-aware
//! `#[derive(Arbitrary)]` generator ([`GenCase`]). Its `Debug` prints the case as Rust code
//! that `tests/suite/fuzz_smoke.rs` can paste into a regression test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Failing is how a fuzz body reports.

use std::fmt;

use arbitrary::{Arbitrary, Unstructured};
use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{
    effective_directive, Destination, Disposition, DocumentPolicy, Initiator, ParseWarning,
    ParserMetadata, PolicyCache, PolicyList, PolicySource, Request, Verdict,
};

use crate::naive;

/// What a body asks libFuzzer to do with an input (mapped to `libfuzzer_sys::Corpus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Add it to the corpus if it found new coverage.
    Yes,
    /// Never add it (oversize, or not a case at all).
    No,
}

/// Inputs of the `parse` target above this size are rejected: the parser is linear, and
/// `tests/suite/hostile.rs` covers the huge shapes; small inputs keep the fuzzer fast.
pub(crate) const MAX_PARSE_INPUT: usize = 64 * 1024;

/// Heap bytes a compiled list may hold per byte of header text, plus a constant per policy
/// and per list. Measured worst case: one-byte host-sources (`a b c ...`, 2 bytes each) cost
/// one `HostSource` (64 bytes) and one index key (16 bytes) each, and the text is kept twice
/// (as delivered and lower-cased): about 42 bytes per byte once `limits::trim_spare` has given
/// back the vectors' spare room; `Policy` itself is 320 bytes.
pub(crate) const MEMORY_PER_INPUT_BYTE: usize = 48;
/// See [`MEMORY_PER_INPUT_BYTE`].
pub(crate) const MEMORY_PER_POLICY: usize = 1024;

/// The directives and tokens of each policy of a list: what a round trip must preserve.
pub(crate) fn shape(list: &PolicyList) -> Vec<Vec<(String, Vec<String>)>> {
    list.iter()
        .map(|p| {
            p.directives()
                .map(|d| {
                    (
                        d.name().as_str().to_owned(),
                        d.tokens().map(str::to_owned).collect(),
                    )
                })
                .collect()
        })
        .collect()
}

fn naive_shape(list: &[naive::NaivePolicy]) -> Vec<Vec<(String, Vec<String>)>> {
    list.iter().map(|p| p.directives.clone()).collect()
}

fn naive_disposition(d: Disposition) -> naive::Disposition {
    match d {
        Disposition::Enforce => naive::Disposition::Enforce,
        Disposition::Report => naive::Disposition::Report,
    }
}

fn naive_source(s: PolicySource) -> naive::Source {
    match s {
        PolicySource::Header => naive::Source::Header,
        PolicySource::Meta => naive::Source::Meta,
    }
}

/// The `parse` target: see the module documentation.
pub(crate) fn parse(data: &[u8]) -> Keep {
    if data.len() > MAX_PARSE_INPUT {
        return Keep::No;
    }
    // What an engine's isomorphic/lossy decode of the header bytes hands over.
    let text = String::from_utf8_lossy(data);
    for source in [PolicySource::Header, PolicySource::Meta] {
        for disposition in [Disposition::Enforce, Disposition::Report] {
            parse_one(&text, disposition, source);
        }
    }
    Keep::Yes
}

fn parse_one(text: &str, disposition: Disposition, source: PolicySource) {
    let mut limited = false;
    let list = PolicyList::parse_with(text, disposition, source, &mut |w| {
        let s = w.span();
        assert!(
            s.start <= s.end && s.end <= text.len(),
            "{w:?} outside the text ({} bytes)",
            text.len()
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{w:?} splits a character"
        );
        let _ = w.to_string();
        if matches!(w, ParseWarning::LimitExceeded { .. }) {
            limited = true;
        }
    });
    for p in &list {
        assert_eq!(p.disposition(), disposition);
        assert_eq!(p.source(), source);
    }
    // Memory stays linear in the input.
    let memory = list.memory_usage();
    let bound = MEMORY_PER_INPUT_BYTE * text.len() + MEMORY_PER_POLICY * (list.len() + 1);
    assert!(
        memory <= bound,
        "{memory} heap bytes for {} bytes of text in {} policies",
        text.len(),
        list.len()
    );
    // Serialise and parse again: the same directives and tokens, and a fixed point.
    let serialised = list.to_string();
    let again = PolicyList::parse(&serialised, disposition, source);
    assert_eq!(
        shape(&list),
        shape(&again),
        "round trip of {text:?} through {serialised:?}"
    );
    assert_eq!(again.to_string(), serialised);
    // The spec-literal parse, when nothing was cut.
    if !limited {
        let naive =
            naive::parse_policy_list(text, naive_disposition(disposition), naive_source(source));
        assert_eq!(
            shape(&list),
            naive_shape(&naive),
            "cspgate and the oracle parse {text:?} ({disposition}, {}) differently",
            source.as_str()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// One policy text of a case, as delivered.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PolicyText {
    /// The header value or `<meta>` content.
    pub(crate) text: String,
    /// Enforced or report-only.
    pub(crate) disposition: Disposition,
    /// Header or `<meta>`.
    pub(crate) source: PolicySource,
}

impl PolicyText {
    /// A policy text.
    pub(crate) fn new(text: &str, disposition: Disposition, source: PolicySource) -> PolicyText {
        PolicyText {
            text: text.to_owned(),
            disposition,
            source,
        }
    }
}

/// A concrete check: the policies of a document, its URL, and one request.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Case {
    /// The policies, in delivery order.
    pub(crate) policies: Vec<PolicyText>,
    /// The document URL, whose origin is the self-origin.
    pub(crate) document: String,
    /// The request's current URL.
    pub(crate) url: String,
    /// Its destination.
    pub(crate) destination: Destination,
    /// Its initiator.
    pub(crate) initiator: Initiator,
    /// How many redirects led to `url`.
    pub(crate) redirect_count: u32,
    /// Its cryptographic nonce metadata.
    pub(crate) nonce: String,
    /// Its integrity metadata.
    pub(crate) integrity: String,
    /// Its parser metadata.
    pub(crate) parser_metadata: ParserMetadata,
}

/// The first line of a case in text form.
pub(crate) const CASE_MAGIC: &str = "cspgate-case 1\n";

impl Case {
    /// A case with no policy and no request fields set.
    pub(crate) fn new(document: &str, url: &str, destination: Destination) -> Case {
        Case {
            policies: Vec::new(),
            document: document.to_owned(),
            url: url.to_owned(),
            destination,
            initiator: Initiator::None,
            redirect_count: 0,
            nonce: String::new(),
            integrity: String::new(),
            parser_metadata: ParserMetadata::None,
        }
    }

    /// Reads a case in text form: [`CASE_MAGIC`], then one `key value` line per field
    /// (`policy enforce|report header|meta TEXT`, `document`, `url`, `destination`,
    /// `initiator`, `redirect-count`, `nonce`, `integrity`, `parser-metadata`). Unknown keys and
    /// unparsable values are ignored (mutated seeds stay cases). `None` without the magic line.
    pub(crate) fn from_text(text: &str) -> Option<Case> {
        let body = text.strip_prefix(CASE_MAGIC)?;
        let mut case = Case::new("", "", Destination::Empty);
        for line in body.split('\n') {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "policy" => {
                    let mut parts = value.splitn(3, ' ');
                    let disposition = match parts.next() {
                        Some("report") => Disposition::Report,
                        _ => Disposition::Enforce,
                    };
                    let source = match parts.next() {
                        Some("meta") => PolicySource::Meta,
                        _ => PolicySource::Header,
                    };
                    let text = parts.next().unwrap_or("");
                    case.policies
                        .push(PolicyText::new(text, disposition, source));
                }
                "document" => case.document = value.to_owned(),
                "url" => case.url = value.to_owned(),
                "destination" => case.destination = value.parse().unwrap_or_default(),
                "initiator" => case.initiator = value.parse().unwrap_or_default(),
                "redirect-count" => case.redirect_count = value.parse().unwrap_or(0),
                "nonce" => case.nonce = value.to_owned(),
                "integrity" => case.integrity = value.to_owned(),
                "parser-metadata" => case.parser_metadata = value.parse().unwrap_or_default(),
                _ => {}
            }
        }
        Some(case)
    }

    /// The text form read by [`Case::from_text`] (fields holding a line feed do not survive).
    pub(crate) fn to_text(&self) -> String {
        let mut s = String::from(CASE_MAGIC);
        for p in &self.policies {
            s.push_str(&format!(
                "policy {} {} {}\n",
                p.disposition,
                p.source.as_str(),
                p.text
            ));
        }
        s.push_str(&format!("document {}\n", self.document));
        s.push_str(&format!("url {}\n", self.url));
        s.push_str(&format!("destination {}\n", self.destination));
        if self.initiator != Initiator::None {
            s.push_str(&format!("initiator {}\n", self.initiator));
        }
        if self.redirect_count != 0 {
            s.push_str(&format!("redirect-count {}\n", self.redirect_count));
        }
        if !self.nonce.is_empty() {
            s.push_str(&format!("nonce {}\n", self.nonce));
        }
        if !self.integrity.is_empty() {
            s.push_str(&format!("integrity {}\n", self.integrity));
        }
        if self.parser_metadata != ParserMetadata::None {
            s.push_str(&format!("parser-metadata {}\n", self.parser_metadata));
        }
        s
    }

    /// The policies through a [`PolicyCache`]: the same list, sharing compiled policies.
    pub(crate) fn cached_policy_list(&self, cache: &PolicyCache) -> PolicyList {
        let mut list = PolicyList::new();
        for p in &self.policies {
            list.append(cache.parse(&p.text, p.disposition, p.source));
        }
        list
    }

    /// Parses the policies into a list, calling `warn` with every warning.
    pub(crate) fn policy_list(&self, warn: &mut dyn FnMut(ParseWarning)) -> PolicyList {
        let mut list = PolicyList::new();
        for p in &self.policies {
            list.append(PolicyList::parse_with(
                &p.text,
                p.disposition,
                p.source,
                warn,
            ));
        }
        list
    }

    /// The request, for a parsed `url`.
    pub(crate) fn request<'a>(&'a self, url: &'a Url) -> Request<'a> {
        Request::new(url, self.destination)
            .initiator(self.initiator)
            .redirect_count(self.redirect_count)
            .nonce(&self.nonce)
            .integrity(&self.integrity)
            .parser_metadata(self.parser_metadata)
    }

    /// The oracle's navigation request to `url`: a document, with only the redirect count
    /// of the case.
    fn naive_navigation_request(&self) -> naive::NaiveRequest<'_> {
        naive::NaiveRequest {
            url: &self.url,
            destination: "document",
            initiator: "",
            redirect_count: self.redirect_count,
            nonce: "",
            integrity: "",
            parser_metadata: "",
        }
    }

    fn naive_policies(&self) -> Vec<naive::NaivePolicy> {
        self.policies
            .iter()
            .flat_map(|p| {
                naive::parse_policy_list(
                    &p.text,
                    naive_disposition(p.disposition),
                    naive_source(p.source),
                )
            })
            .collect()
    }
}

/// Prints the case as a Rust expression (`tests/suite/fuzz_smoke.rs` has `Case` and the enums in
/// scope), so that a crash report can be pasted into a regression test.
impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Case {{")?;
        writeln!(f, "    policies: vec![")?;
        for p in &self.policies {
            writeln!(
                f,
                "        PolicyText::new({:?}, Disposition::{:?}, PolicySource::{:?}),",
                p.text, p.disposition, p.source
            )?;
        }
        writeln!(f, "    ],")?;
        writeln!(f, "    document: {:?}.into(),", self.document)?;
        writeln!(f, "    url: {:?}.into(),", self.url)?;
        writeln!(f, "    destination: Destination::{:?},", self.destination)?;
        writeln!(f, "    initiator: Initiator::{:?},", self.initiator)?;
        writeln!(f, "    redirect_count: {},", self.redirect_count)?;
        writeln!(f, "    nonce: {:?}.into(),", self.nonce)?;
        writeln!(f, "    integrity: {:?}.into(),", self.integrity)?;
        writeln!(
            f,
            "    parser_metadata: ParserMetadata::{:?},",
            self.parser_metadata
        )?;
        write!(f, "}}")
    }
}

/// The input of the `check` and `differential` targets: a [`Case`], read from the text form
/// when the bytes start with [`CASE_MAGIC`], else generated by [`GenCase`].
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CheckInput(pub Case);

impl fmt::Debug for CheckInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'a> Arbitrary<'a> for CheckInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(CheckInput(GenCase::arbitrary(u)?.render()))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        let bytes = u.take_rest();
        if bytes.starts_with(CASE_MAGIC.as_bytes()) {
            if let Some(case) = Case::from_text(&String::from_utf8_lossy(bytes)) {
                return Ok(CheckInput(case));
            }
        }
        Ok(CheckInput(
            GenCase::arbitrary_take_rest(Unstructured::new(bytes))?.render(),
        ))
    }
}

/// Policies, URLs and integrity strings longer than this are rejected by the case targets.
pub(crate) const MAX_CASE_TEXT: usize = 16 * 1024;

fn case_too_big(case: &Case) -> bool {
    case.policies.iter().map(|p| p.text.len()).sum::<usize>() > MAX_CASE_TEXT
        || case.policies.len() > 32
        || case.url.len() + case.document.len() + case.integrity.len() + case.nonce.len()
            > MAX_CASE_TEXT
}

/// The `check` target: see the module documentation.
pub(crate) fn check(case: &Case) -> Keep {
    if case_too_big(case) {
        return Keep::No;
    }
    let (Ok(document), Ok(url)) = (Url::parse(&case.document), Url::parse(&case.url)) else {
        return Keep::No;
    };
    let list = case.policy_list(&mut |_| {});
    let n = list.len();
    let policy = DocumentPolicy::new(&document, list);
    let request = case.request(&url);
    let uncached = policy.check_request_uncached(&request);
    // Cold and warm: a cache must never change an answer.
    for _ in 0..2 {
        assert_eq!(
            policy.check_request(&request),
            uncached,
            "cached and uncached verdicts differ for {case:?}"
        );
    }
    // The enforce and report halves (§4.1.2, §4.1.1) add up to the whole check.
    let enforce = policy.should_block_request(&request);
    let report = policy.report_request(&request);
    assert_eq!(enforce.is_blocked(), uncached.is_blocked(), "{case:?}");
    assert!(!report.is_blocked(), "{case:?}");
    let mut halves: Vec<_> = enforce
        .violations()
        .iter()
        .chain(report.violations())
        .copied()
        .collect();
    halves.sort_by_key(|v| v.policy_index());
    assert_eq!(halves, uncached.violations(), "{case:?}");
    check_violations(&policy, &uncached, case, n);
    // Through a process-wide `PolicyCache` (small, so that its admission and eviction run
    // across inputs), cold, warm, then (for one header value asked for again in a row) from
    // the thread's memo: the same policies and the same verdict; and a verdict cache made
    // lazily by the checks themselves never changes it either.
    let shared = shared_policy_cache();
    for _ in 0..3 {
        let list = case.cached_policy_list(shared);
        assert_eq!(list, case.policy_list(&mut |_| {}), "{case:?}");
        let from_cache = DocumentPolicy::new(&document, list);
        assert_eq!(
            from_cache.check_request_uncached(&request),
            uncached,
            "{case:?}"
        );
        for _ in 0..20 {
            assert_eq!(from_cache.check_request(&request), uncached, "{case:?}");
        }
    }
    // The tools' explanation agrees with the verdict, policy by policy.
    let why = policy.explain_request(&request);
    assert_eq!(why.len(), n, "{case:?}");
    for (i, j) in why.iter().enumerate() {
        assert_eq!(j.policy_index(), i);
        let violated = uncached.violations().iter().any(|v| v.policy_index() == i);
        assert_eq!(j.is_allowed(), !violated, "policy {i} of {case:?}");
    }
    Keep::Yes
}

/// One small cache for every input of the process, as an engine holds one.
fn shared_policy_cache() -> &'static PolicyCache {
    static CACHE: std::sync::OnceLock<PolicyCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| PolicyCache::new(32, 256 * 1024))
}

fn check_violations(policy: &DocumentPolicy, verdict: &Verdict<'_>, case: &Case, n: usize) {
    let mut last = None;
    let effective = effective_directive(case.destination, case.initiator);
    for v in verdict.violations() {
        assert!(v.policy_index() < n, "{case:?}");
        // One violation per policy, in policy order.
        assert!(last < Some(v.policy_index()), "{case:?}");
        last = Some(v.policy_index());
        let p = &policy.policies()[v.policy_index()];
        assert_eq!(v.disposition(), p.disposition(), "{case:?}");
        assert_eq!(Some(v.directive()), effective, "{case:?}");
        assert!(p.contains(v.governing_directive()), "{case:?}");
    }
    assert_eq!(
        verdict.is_blocked(),
        verdict
            .violations()
            .iter()
            .any(|v| v.disposition() == Disposition::Enforce),
        "{case:?}"
    );
}

/// The `differential` target: see the module documentation.
pub(crate) fn differential(case: &Case) -> Keep {
    if case_too_big(case) {
        return Keep::No;
    }
    let (Ok(document), Ok(url)) = (Url::parse(&case.document), Url::parse(&case.url)) else {
        return Keep::No;
    };
    let mut limited = false;
    let list = case.policy_list(&mut |w| {
        if matches!(w, ParseWarning::LimitExceeded { .. }) {
            limited = true;
        }
    });
    let policy = DocumentPolicy::new(&document, list);
    let verdict = policy.check_request_uncached(&case.request(&url));
    let oracle = naive::check_request(
        &case.naive_policies(),
        &case.document,
        &naive::NaiveRequest {
            url: &case.url,
            destination: case.destination.as_str(),
            initiator: case.initiator.as_str(),
            redirect_count: case.redirect_count,
            nonce: &case.nonce,
            integrity: &case.integrity,
            parser_metadata: case.parser_metadata.as_str(),
        },
    )
    .expect("the oracle parses the URLs cspgate parsed");
    if limited {
        // Cut at a limit: fail-closed, never more permissive than the whole input.
        assert!(
            verdict.is_blocked() || !oracle.blocked,
            "a cut policy allowed what the whole one blocks: {case:?}"
        );
        return Keep::Yes;
    }
    assert_eq!(
        outcome(&verdict),
        naive_outcome(&oracle),
        "cspgate (left) and the oracle (right) disagree on {case:?}"
    );
    other_checks(case, &policy, &url, &document);
    Keep::Yes
}

/// A verdict as the oracle reports one: blocked, and (directive, disposition, policy index).
type Outcome = (bool, Vec<(String, naive::Disposition, usize)>);

fn outcome(verdict: &Verdict<'_>) -> Outcome {
    (
        verdict.is_blocked(),
        verdict
            .violations()
            .iter()
            .map(|v| {
                (
                    v.directive().as_str().to_owned(),
                    naive_disposition(v.disposition()),
                    v.policy_index(),
                )
            })
            .collect(),
    )
}

fn naive_outcome(o: &naive::NaiveOutcome) -> Outcome {
    (
        o.blocked,
        o.violations
            .iter()
            .map(|v| (v.directive.clone(), v.disposition, v.policy_index))
            .collect(),
    )
}

/// The `differential` target's other checks on the same policies (cases over a limit are not
/// compared here): inline content of every type (its source the request URL's text, its nonce
/// the request's), eval, Wasm and WebRTC, the navigation request to the case's URL, and
/// frame-ancestors with the case's URL as the only ancestor of the document.
fn other_checks(case: &Case, policy: &DocumentPolicy, url: &Url, document: &Url) {
    use cspgate::{InlineCheck, InlineType, NavigationType};
    let oracle = case.naive_policies();
    let parser_inserted = case.parser_metadata != ParserMetadata::NotParserInserted;
    for &kind in InlineType::ALL {
        for source in [case.url.as_str(), "alert(1)"] {
            let check = InlineCheck::new(kind, source)
                .nonce(&case.nonce)
                .nonceable(!case.nonce.is_empty())
                .parser_inserted(parser_inserted);
            let want =
                naive::check_inline(&oracle, kind.as_str(), source, &case.nonce, parser_inserted);
            assert_eq!(
                outcome(&policy.check_inline(&check)),
                naive_outcome(&want),
                "inline {kind} {source:?}: cspgate (left), oracle (right) on {case:?}"
            );
        }
    }
    assert_eq!(
        outcome(&policy.check_eval(&case.url, false)),
        naive_outcome(&naive::check_eval(&oracle, "javascript")),
        "eval: cspgate (left), oracle (right) on {case:?}"
    );
    assert_eq!(
        outcome(&policy.check_wasm()),
        naive_outcome(&naive::check_eval(&oracle, "wasm")),
        "wasm: cspgate (left), oracle (right) on {case:?}"
    );
    assert_eq!(
        outcome(&policy.check_webrtc()),
        naive_outcome(&naive::check_webrtc(&oracle)),
        "webrtc: cspgate (left), oracle (right) on {case:?}"
    );
    let request = Request::new(url, Destination::Document).redirect_count(case.redirect_count);
    for (nav, name) in [
        (NavigationType::FormSubmission, "form-submission"),
        (NavigationType::Other, "other"),
    ] {
        let want = naive::check_navigation(
            &oracle,
            &case.document,
            &case.naive_navigation_request(),
            name,
        )
        .expect("the oracle parses the URLs cspgate parsed");
        assert_eq!(
            outcome(&policy.check_navigation_request(&request, nav)),
            naive_outcome(&want),
            "{name} navigation: cspgate (left), oracle (right) on {case:?}"
        );
    }
    let want = naive::check_frame_ancestors(&oracle, &case.document, &[&case.url])
        .expect("the oracle parses the URLs cspgate parsed");
    assert_eq!(
        outcome(&policy.check_navigation_response(document, &[url.origin()])),
        naive_outcome(&want),
        "frame-ancestors: cspgate (left), oracle (right) on {case:?}"
    );
    trusted_types_checks(case, policy, url, &oracle);
    // Random policies seldom combine `require-trusted-types-for` with `'script'`: the same
    // checks again with a report-only Trusted Types policy added, so that samples, the
    // `Function` prefix and conversions are compared on every case.
    if oracle.len() < 16 {
        const EXTRA: &str = "require-trusted-types-for 'script'; trusted-types one *";
        let mut list = policy.policies().clone();
        list.push_header(EXTRA, Disposition::Report);
        let extra = DocumentPolicy::new(document, list);
        let mut extra_oracle = oracle.clone();
        extra_oracle.extend(naive::parse_policy_list(
            EXTRA,
            naive::Disposition::Report,
            naive::Source::Header,
        ));
        trusted_types_checks(case, &extra, url, &extra_oracle);
    }
}

/// A verdict with each violation's full sample.
fn sampled(verdict: &Verdict<'_>) -> (Outcome, Vec<String>) {
    (
        outcome(verdict),
        verdict
            .violations()
            .iter()
            .map(|v| v.full_sample().into_owned())
            .collect(),
    )
}

fn naive_sampled(o: &naive::NaiveOutcome) -> (Outcome, Vec<String>) {
    (
        naive_outcome(o),
        o.violations.iter().map(|v| v.sample.clone()).collect(),
    )
}

/// The Trusted Types checks over the case's policies: policy names and sink values taken
/// from the case (its nonce, its URL) and a few fixed ones.
fn trusted_types_checks(
    case: &Case,
    policy: &DocumentPolicy,
    url: &Url,
    oracle: &[naive::NaivePolicy],
) {
    use cspgate::{CompilationType, NavigationType, SinkGroup};
    for name in [case.nonce.as_str(), "one", "default", case.url.as_str()] {
        for created in [&[][..], &[name][..], &["one"][..]] {
            assert_eq!(
                sampled(&policy.check_trusted_types_policy(name, created)),
                naive_sampled(&naive::check_trusted_types_policy(oracle, name, created)),
                "createPolicy({name:?}) after {created:?}: cspgate (left), oracle (right) on {case:?}"
            );
        }
    }
    for include_report_only in [false, true] {
        assert_eq!(
            policy.requires_trusted_types(SinkGroup::Script, include_report_only),
            naive::does_sink_type_require_trusted_types(oracle, "script", include_report_only),
            "does sink type require trusted types ({include_report_only}) on {case:?}"
        );
    }
    let function_source = format!("function anonymous(\n) {{\n{}\n}}", case.url);
    for sink in ["Element innerHTML", "Function", "eval", ""] {
        for source in [
            case.url.as_str(),
            case.nonce.as_str(),
            function_source.as_str(),
        ] {
            assert_eq!(
                sampled(&policy.check_sink_type_mismatch(sink, SinkGroup::Script, source)),
                naive_sampled(&naive::check_sink_type_mismatch(
                    oracle, sink, "script", source
                )),
                "sink {sink:?} = {source:?}: cspgate (left), oracle (right) on {case:?}"
            );
        }
    }
    for (compilation, sink) in [
        (CompilationType::Eval, Some("eval")),
        (CompilationType::Function, Some("Function")),
        (CompilationType::Timer, None),
    ] {
        for trusted in [false, true] {
            assert_eq!(
                sampled(&policy.check_string_compilation(compilation, &case.url, trusted)).0,
                naive_sampled(&naive::check_string_compilation(
                    oracle, sink, &case.url, trusted
                ))
                .0,
                "{compilation:?} (trusted {trusted}): cspgate (left), oracle (right) on {case:?}"
            );
        }
    }
    // The javascript: pre-navigation check, with no default policy, one that rewrites the
    // script, and one whose output is not a URL's text after `javascript:` (still parses).
    let request = Request::new(url, Destination::Document).redirect_count(case.redirect_count);
    let naive_request = case.naive_navigation_request();
    type Convert = fn(&str) -> Option<String>;
    let conversions: [Convert; 3] = [
        |_| None,
        |s| Some(format!("void({})", s.len())),
        |s| Some(s.to_uppercase()),
    ];
    for (nav, name) in [
        (NavigationType::FormSubmission, "form-submission"),
        (NavigationType::Other, "other"),
    ] {
        for convert in conversions {
            let ours = policy.check_navigation_request_with_trusted_types(&request, nav, convert);
            let (want, want_url) = naive::check_navigation_with_trusted_types(
                oracle,
                &case.document,
                &naive_request,
                name,
                &mut |s| convert(s),
            )
            .expect("the oracle parses the URLs cspgate parsed");
            assert_eq!(
                outcome(ours.verdict()),
                naive_outcome(&want),
                "{name} navigation with Trusted Types: cspgate (left), oracle (right) on {case:?}"
            );
            let ours_url = ours.converted_url().unwrap_or(url).as_str();
            assert_eq!(ours_url, want_url, "converted URL on {case:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The grammar-aware generator
// ---------------------------------------------------------------------------------------

fn pick<T: Copy>(table: &[T], i: u8) -> T {
    table[usize::from(i) % table.len()]
}

/// Host labels from [`LABELS`], at most 8, joined by dots (`a` when there are none), with a
/// trailing dot when asked.
fn push_labels(out: &mut String, labels: &[u8], trailing_dot: bool) {
    if labels.is_empty() {
        out.push('a');
    }
    for (i, l) in labels.iter().take(8).enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(pick(LABELS, *l));
    }
    if trailing_dot {
        out.push('.');
    }
}

const DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "style-src",
    "style-src-elem",
    "style-src-attr",
    "img-src",
    "connect-src",
    "worker-src",
    "child-src",
    "frame-src",
    "font-src",
    "media-src",
    "object-src",
    "manifest-src",
    "base-uri",
    "form-action",
    "frame-ancestors",
    "sandbox",
    "report-uri",
    "report-to",
    "upgrade-insecure-requests",
    "block-all-mixed-content",
    "trusted-types",
    "require-trusted-types-for",
    "webrtc",
    "DEFAULT-SRC",
    "Script-Src",
    "IMG-src",
    "prefetch-src",
    "xhr-src",
    "x-unknown",
    "'frame-ancestors'",
    "script-src\u{b}",
    "img-src:",
];

const KEYWORDS: &[&str] = &[
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashes'",
    "'report-sample'",
    "'wasm-unsafe-eval'",
    "'unsafe-allow-redirects'",
    "'SELF'",
    "'None'",
    "'Strict-Dynamic'",
    "self",
    "none",
    "'self",
    "'unsafe-webtransport-hashes'",
    "'allow'",
    "'block'",
    "'ALLOW'",
    "'script'",
    "'SCRIPT'",
    "'allow-duplicates'",
    "'trusted-types-eval'",
    "*",
    "one",
    "default",
    "a$b",
];

const SCHEMES: &[&str] = &[
    "http",
    "https",
    "ws",
    "wss",
    "data",
    "blob",
    "ftp",
    "file",
    "app",
    "custom+x.y-z",
    "javascript",
    "about",
    "filesystem",
    "HTTPS",
    "Http",
    "WSS",
    "1http",
    "a_b",
];

const LABELS: &[&str] = &[
    "a",
    "b",
    "test",
    "www",
    "cdn",
    "a-b",
    "A",
    "TEST",
    "xn--tdaaaaaa",
    "1",
    "127",
    "0",
    "example",
    "com",
    "localhost",
    "-",
    "a_b",
    "x",
];

const IPS: &[&str] = &[
    "127.0.0.1",
    "192.0.2.10",
    "10.0.0.1",
    "0x7f.0.0.1",
    "1.2.3",
    "[::1]",
    "[2001:db8::1]",
    "01.2.3.4",
];

const PORTS: &[&str] = &[
    "80",
    "443",
    "8080",
    "8443",
    "21",
    "0",
    "65535",
    "65536",
    "080",
    "99999999999",
    "*",
    "",
    "8a",
];

const SEGMENTS: &[&str] = &[
    "", "js", "app.js", "a", "b", "%2F", "%2f", "%66oo", "foo", "A", "%zz", "%", "..", ".", "~",
    "%41", "x:y", "@", "é", ";", ",", "a b", "%00", "//",
];

const SUFFIXES: &[&str] = &["?v=1", "?", "#frag", "?a/b", "#", "?x#y"];

const NONCES: &[&str] = &[
    "abc", "ABC", "r4nd0m", "a+/_-b==", "abc=", "", "=", "a===", "a b", "nonce",
];

const ALGORITHMS: &[&str] = &[
    "sha256", "sha384", "sha512", "SHA256", "Sha512", "sha1", "md5", "sha-256", "",
];

const DIGESTS: &[&str] = &[
    "AAA=", "BBB", "a-b_c", "abc", "", "==", "AAA", "a+/=", "x?y",
];

const INTEGRITY_SEPARATORS: &[&str] = &[" ", "  ", "\t", "\n", "\r\n", "\u{c}", "\u{b}", "\u{a0}"];

const RAW_TOKENS: &[&str] = &[
    "*.",
    "*:*",
    "*:8443",
    "https://",
    "://",
    "a.test/x://y",
    "a/b://c",
    "a/?x://b",
    "http://a.test:80",
    "https://a.test:80",
    "a.test?x",
    "a.test/x?y#z",
    "127.0.0.1:8080",
    "http://192.0.2.10",
    "[::1]",
    "http://[::1]",
    "é",
    "\u{0}",
    "%",
    "'",
    "''",
    "a.test.",
    "*.a.test.",
    "1.2.3",
    "a..b",
    "*.*",
    "**",
    "'nonce-'",
    "'sha256-'",
    "'nonce-abc",
    "nonce-abc",
    "https://*.a.test:*/js/",
    "ws:",
    "wss:",
    "HTTP:",
    "a.test:",
    "a.test:/x",
];

const DOCUMENTS: &[&str] = &[
    "https://a.test/",
    "https://o.test/page",
    "http://a.test/",
    "http://a.test:8080/",
    "https://a.test:8443/",
    "http://127.0.0.1:8080/",
    "https://[::1]/",
    "data:text/html,x",
    "app://x/",
    "blob:https://a.test/uuid",
    "file:///x",
    "about:blank",
    "wss://a.test/",
    "ftp://a.test/",
];

/// Where directives of a generated policy are joined.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub(crate) enum GenSep {
    /// `;`
    Semi,
    /// `; `
    SemiSpace,
    /// ` ;`
    SpaceSemi,
    /// `;;`
    SemiSemi,
    /// `,` (a new policy in a header, a character in `<meta>`).
    Comma,
    /// `, `
    CommaSpace,
    /// `;\t`
    SemiTab,
    /// `;\n`
    SemiNewline,
}

impl GenSep {
    fn as_str(self) -> &'static str {
        match self {
            GenSep::Semi => ";",
            GenSep::SemiSpace => "; ",
            GenSep::SpaceSemi => " ;",
            GenSep::SemiSemi => ";;",
            GenSep::Comma => ",",
            GenSep::CommaSpace => ", ",
            GenSep::SemiTab => ";\t",
            GenSep::SemiNewline => ";\n",
        }
    }
}

/// A generated host-part.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) enum GenHost {
    /// Labels from a table, optionally `*.`-prefixed and dot-terminated.
    Labels {
        /// `*.` prefix.
        wildcard: bool,
        /// Label indices.
        labels: Vec<u8>,
        /// A final `.`.
        trailing_dot: bool,
    },
    /// `*`.
    Star,
    /// An IP literal from a table.
    Ip(u8),
}

impl GenHost {
    fn render(&self, out: &mut String) {
        match self {
            GenHost::Labels {
                wildcard,
                labels,
                trailing_dot,
            } => {
                if *wildcard {
                    out.push_str("*.");
                }
                push_labels(out, labels, *trailing_dot);
            }
            GenHost::Star => out.push('*'),
            GenHost::Ip(i) => out.push_str(pick(IPS, *i)),
        }
    }
}

/// A generated path (for sources and URLs).
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenPath {
    segments: Vec<u8>,
    trailing_slash: bool,
}

impl GenPath {
    fn render(&self, out: &mut String) {
        for s in self.segments.iter().take(6) {
            out.push('/');
            out.push_str(pick(SEGMENTS, *s));
        }
        if self.trailing_slash || self.segments.is_empty() {
            out.push('/');
        }
    }
}

/// A generated source expression.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) enum GenSource {
    /// A keyword (or a near miss).
    Keyword(u8),
    /// `*`.
    Star,
    /// `scheme:`.
    Scheme(u8),
    /// `[scheme://]host[:port][/path][?query]`.
    Host {
        /// Scheme index.
        scheme: Option<u8>,
        /// Host.
        host: GenHost,
        /// Port index.
        port: Option<u8>,
        /// Path.
        path: Option<GenPath>,
        /// Query or fragment index.
        suffix: Option<u8>,
    },
    /// `'nonce-…'`.
    Nonce(u8),
    /// `'alg-…'`.
    Hash(u8, u8),
    /// An odd token from a table.
    Raw(u8),
}

impl GenSource {
    fn render(&self, out: &mut String) {
        match self {
            GenSource::Keyword(i) => out.push_str(pick(KEYWORDS, *i)),
            GenSource::Star => out.push('*'),
            GenSource::Scheme(i) => {
                out.push_str(pick(SCHEMES, *i));
                out.push(':');
            }
            GenSource::Host {
                scheme,
                host,
                port,
                path,
                suffix,
            } => {
                if let Some(s) = scheme {
                    out.push_str(pick(SCHEMES, *s));
                    out.push_str("://");
                }
                host.render(out);
                if let Some(p) = port {
                    out.push(':');
                    out.push_str(pick(PORTS, *p));
                }
                if let Some(p) = path {
                    p.render(out);
                }
                if let Some(q) = suffix {
                    out.push_str(pick(SUFFIXES, *q));
                }
            }
            GenSource::Nonce(i) => {
                out.push_str("'nonce-");
                out.push_str(pick(NONCES, *i));
                out.push('\'');
            }
            GenSource::Hash(a, d) => {
                out.push('\'');
                out.push_str(pick(ALGORITHMS, *a));
                out.push('-');
                out.push_str(pick(DIGESTS, *d));
                out.push('\'');
            }
            GenSource::Raw(i) => out.push_str(pick(RAW_TOKENS, *i)),
        }
    }
}

/// A generated directive.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenDirective {
    name: u8,
    sources: Vec<GenSource>,
    /// Tabs instead of spaces between tokens.
    tabs: bool,
    sep: GenSep,
}

/// A generated policy text.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) enum GenPolicyText {
    /// Directives from the grammar.
    Grammar(Vec<GenDirective>),
    /// `default-src` with these sources first, so that the policy governs every request.
    DefaultSrc(Vec<GenSource>, Vec<GenDirective>),
    /// The directive governing the request's destination first (`script-src` for scripts,
    /// ...), then others.
    Governing(Vec<GenSource>, Vec<GenDirective>),
    /// Any bytes, lossily decoded.
    Raw(Vec<u8>),
}

/// A generated policy.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenPolicy {
    text: GenPolicyText,
    report: bool,
    meta: bool,
}

fn render_directives(directives: &[GenDirective], text: &mut String) {
    for d in directives.iter().take(12) {
        text.push_str(pick(DIRECTIVES, d.name));
        render_sources(&d.sources, d.tabs, text);
        text.push_str(d.sep.as_str());
    }
}

fn render_sources(sources: &[GenSource], tabs: bool, text: &mut String) {
    for s in sources.iter().take(12) {
        text.push(if tabs { '\t' } else { ' ' });
        s.render(text);
    }
}

/// The directive that most directly governs a destination (§6.8.1's effective directive,
/// `script-src` and `style-src` for their `-elem` forms).
fn governing_name(destination: Destination) -> &'static str {
    match cspgate::effective_directive(destination, Initiator::None) {
        Some(cspgate::DirectiveKind::ScriptSrcElem) => "script-src",
        Some(cspgate::DirectiveKind::StyleSrcElem) => "style-src",
        Some(d) => d.as_str(),
        None => "default-src",
    }
}

impl GenPolicy {
    fn render(&self, destination: Destination) -> PolicyText {
        let mut text = String::new();
        match &self.text {
            GenPolicyText::Grammar(directives) => render_directives(directives, &mut text),
            GenPolicyText::DefaultSrc(sources, directives) => {
                text.push_str("default-src");
                render_sources(sources, false, &mut text);
                text.push(';');
                render_directives(directives, &mut text);
            }
            GenPolicyText::Governing(sources, directives) => {
                text.push_str(governing_name(destination));
                render_sources(sources, false, &mut text);
                text.push(';');
                render_directives(directives, &mut text);
            }
            GenPolicyText::Raw(bytes) => text.push_str(&String::from_utf8_lossy(bytes)),
        }
        PolicyText {
            text,
            disposition: if self.report {
                Disposition::Report
            } else {
                Disposition::Enforce
            },
            source: if self.meta {
                PolicySource::Meta
            } else {
                PolicySource::Header
            },
        }
    }
}

/// A generated URL.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenUrl {
    scheme: u8,
    host: GenUrlHost,
    port: Option<u16>,
    path: GenPath,
    suffix: Option<u8>,
}

/// The host of a generated URL.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) enum GenUrlHost {
    /// Labels from the table.
    Labels {
        /// Label indices.
        labels: Vec<u8>,
        /// A final `.`.
        trailing_dot: bool,
        /// Upper-cased.
        upper: bool,
    },
    /// An IP literal from the table.
    Ip(u8),
    /// Percent-escaped labels (`%61.test`).
    Escaped(u8),
}

impl GenUrl {
    fn render(&self) -> String {
        let scheme = pick(SCHEMES, self.scheme);
        let mut out = String::new();
        match scheme.to_ascii_lowercase().as_str() {
            "data" => {
                out.push_str("data:text/plain,");
                self.path.render(&mut out);
                return out;
            }
            "javascript" => return "javascript:alert(1)".into(),
            "about" => return "about:blank".into(),
            "blob" => out.push_str("blob:https://"),
            _ => {
                out.push_str(scheme);
                out.push_str("://");
            }
        }
        match &self.host {
            GenUrlHost::Labels {
                labels,
                trailing_dot,
                upper,
            } => {
                let mut h = String::new();
                push_labels(&mut h, labels, *trailing_dot);
                if *upper {
                    h.make_ascii_uppercase();
                }
                out.push_str(&h);
            }
            GenUrlHost::Ip(i) => out.push_str(pick(IPS, *i)),
            GenUrlHost::Escaped(l) => {
                out.push_str("%61");
                out.push_str(pick(LABELS, *l));
                out.push_str(".test");
            }
        }
        if let Some(p) = self.port {
            out.push_str(&format!(
                ":{}",
                pick(&[80, 443, 8080, 8443, 21, p], (p % 6) as u8)
            ));
        }
        self.path.render(&mut out);
        if let Some(q) = self.suffix {
            out.push_str(pick(SUFFIXES, q));
        }
        out
    }
}

/// A generated document URL.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) enum GenDocument {
    /// One of a table of typical documents.
    Table(u8),
    /// Any generated URL.
    Url(GenUrl),
}

/// A generated integrity item.
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenIntegrity {
    algorithm: u8,
    digest: u8,
    option: bool,
    separator: u8,
}

/// A generated case: the grammar-aware half of [`CheckInput`].
#[derive(Arbitrary, Clone, Debug)]
pub(crate) struct GenCase {
    policies: Vec<GenPolicy>,
    document: GenDocument,
    url: GenUrl,
    destination: u8,
    initiator: u8,
    redirect_count: u8,
    nonce: Option<u8>,
    integrity: Vec<GenIntegrity>,
    parser_metadata: u8,
}

impl GenCase {
    /// The concrete case.
    pub(crate) fn render(&self) -> Case {
        let mut integrity = String::new();
        for i in self.integrity.iter().take(4) {
            integrity.push_str(pick(ALGORITHMS, i.algorithm));
            integrity.push('-');
            integrity.push_str(pick(DIGESTS, i.digest));
            if i.option {
                integrity.push_str("?opt");
            }
            integrity.push_str(pick(INTEGRITY_SEPARATORS, i.separator));
        }
        let destination = pick(Destination::ALL, self.destination);
        Case {
            policies: self
                .policies
                .iter()
                .take(6)
                .map(|p| p.render(destination))
                .collect(),
            document: match &self.document {
                GenDocument::Table(i) => pick(DOCUMENTS, *i).to_owned(),
                GenDocument::Url(u) => u.render(),
            },
            url: self.url.render(),
            destination,
            // Mostly no initiator; sometimes prefetch, prerender and the others.
            initiator: if self.initiator < 192 {
                Initiator::None
            } else {
                pick(Initiator::ALL, self.initiator)
            },
            redirect_count: match self.redirect_count {
                0..=191 => 0,
                192..=253 => 1,
                _ => u32::MAX,
            },
            nonce: self
                .nonce
                .map_or_else(String::new, |i| pick(NONCES, i).to_owned()),
            integrity,
            parser_metadata: pick(ParserMetadata::ALL, self.parser_metadata),
        }
    }
}
