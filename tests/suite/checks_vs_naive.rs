//! Differential tests: the compiled inline, eval, Wasm, navigation and frame-ancestors checks
//! against the spec-literal oracle (`tests/suite/naive.rs`), over thousands of generated
//! policies and inputs. Verdicts and violations (directive, disposition, policy index) must
//! agree exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use crate::naive;

use base64::Engine as _;
use cspgate::url::{Origin, Url};
use cspgate::{
    Destination, Disposition, DocumentPolicy, InlineCheck, InlineType, NavigationType, PolicyList,
    PolicySource, Request, Verdict,
};
use sha2::Digest as _;

use crate::rng::Rng;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const SOURCES: &[&str] = &["alert(1)", "p{color:red}", "javascript:alert(1)", "x"];

/// Hash-source tokens for the sources above, in several spellings.
fn hash_tokens() -> Vec<String> {
    let mut out = Vec::new();
    for s in SOURCES {
        let d256 = b64(&sha2::Sha256::digest(s.as_bytes()));
        let d384 = b64(&sha2::Sha384::digest(s.as_bytes()));
        let d512 = b64(&sha2::Sha512::digest(s.as_bytes()));
        out.push(format!("'sha256-{d256}'"));
        out.push(format!("'SHA384-{d384}'"));
        out.push(format!(
            "'sha512-{}'",
            d512.replace('+', "-").replace('/', "_")
        ));
        out.push(format!("'sha256-{}'", d256.trim_end_matches('=')));
    }
    out
}

fn policy_text(rng: &mut Rng, hashes: &[String]) -> String {
    const NAMES: &[&str] = &[
        "default-src",
        "script-src",
        "script-src-elem",
        "script-src-attr",
        "style-src",
        "style-src-elem",
        "style-src-attr",
        "form-action",
        "frame-ancestors",
        "img-src",
        "base-uri",
        "x-unknown",
    ];
    const TOKENS: &[&str] = &[
        "'unsafe-inline'",
        "'unsafe-inline'",
        "'nonce-abc'",
        "'nonce-xyz'",
        "'strict-dynamic'",
        "'unsafe-hashes'",
        "'unsafe-eval'",
        "'wasm-unsafe-eval'",
        "'report-sample'",
        "'self'",
        "'none'",
        "*",
        "https:",
        "javascript:",
        "a.test",
        "https://a.test/forms/",
        "*.b.test",
        "http://f.test:8000",
        "'nonce-'",
        "'UNSAFE-INLINE'",
    ];
    let mut directives = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let mut d = String::from(rng.pick(NAMES));
        for _ in 0..rng.below(4) {
            d.push(' ');
            if rng.below(4) == 0 {
                d.push_str(&hashes[rng.below(hashes.len())]);
            } else {
                d.push_str(rng.pick(TOKENS));
            }
        }
        directives.push(d);
    }
    directives.join("; ")
}

/// A random CSP list, in both representations.
fn policies(rng: &mut Rng, hashes: &[String]) -> (PolicyList, Vec<naive::NaivePolicy>) {
    let mut list = PolicyList::new();
    let mut oracle = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let text = policy_text(rng, hashes);
        let (d, nd) = if rng.below(3) == 0 {
            (Disposition::Report, naive::Disposition::Report)
        } else {
            (Disposition::Enforce, naive::Disposition::Enforce)
        };
        // Report-only <meta> policies are ignored; only combine meta with enforce.
        let (s, ns) = if d == Disposition::Enforce && rng.below(4) == 0 {
            (PolicySource::Meta, naive::Source::Meta)
        } else {
            (PolicySource::Header, naive::Source::Header)
        };
        list.append(PolicyList::parse(&text, d, s));
        oracle.extend(naive::parse_policy_list(&text, nd, ns));
    }
    assert_eq!(list.len(), oracle.len(), "{list}");
    (list, oracle)
}

/// (blocked, [(directive, enforce?, policy index)]) of each side.
type Outcome = (bool, Vec<(String, bool, usize)>);

fn ours(v: &Verdict<'_>) -> Outcome {
    (
        v.is_blocked(),
        v.violations()
            .iter()
            .map(|v| {
                (
                    v.directive().as_str().to_owned(),
                    v.disposition() == Disposition::Enforce,
                    v.policy_index(),
                )
            })
            .collect(),
    )
}

fn theirs(o: &naive::NaiveOutcome) -> Outcome {
    (
        o.blocked,
        o.violations
            .iter()
            .map(|v| {
                (
                    v.directive.clone(),
                    v.disposition == naive::Disposition::Enforce,
                    v.policy_index,
                )
            })
            .collect(),
    )
}

const DOCUMENT: &str = "https://f.test/page";

/// Counts outcomes, so that a generator that only ever allows (or blocks) fails the test.
#[derive(Default)]
struct Tally {
    blocked: usize,
    allowed: usize,
    reported_only: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        if o.0 {
            self.blocked += 1;
        } else if o.1.is_empty() {
            self.allowed += 1;
        } else {
            self.reported_only += 1;
        }
    }

    /// At least `n / share` of each kind (a hundredth for report-only ones).
    fn check(&self, n: usize, share: usize) {
        assert!(
            self.blocked > n / share,
            "only {} blocked of {n}",
            self.blocked
        );
        assert!(
            self.allowed > n / share,
            "only {} allowed of {n}",
            self.allowed
        );
        assert!(
            self.reported_only > n / 100,
            "only {} report-only of {n}",
            self.reported_only
        );
    }
}

#[test]
fn inline_checks_agree_with_the_oracle() {
    let hashes = hash_tokens();
    let mut rng = Rng(0x5eed_0001);
    let doc = Url::parse(DOCUMENT).unwrap();
    let mut tally = Tally::default();
    for _ in 0..6000 {
        let (list, oracle) = policies(&mut rng, &hashes);
        let p = DocumentPolicy::new(&doc, list);
        let kind = rng.pick(InlineType::ALL);
        let source = rng.pick(SOURCES);
        let nonce = rng.pick(&["", "abc", "xyz", "ABC"]);
        let parser_inserted = rng.below(2) == 0;
        let check = InlineCheck::new(kind, source)
            .nonce(nonce)
            .nonceable(!nonce.is_empty())
            .parser_inserted(parser_inserted);
        let want = theirs(&naive::check_inline(
            &oracle,
            kind.as_str(),
            source,
            nonce,
            parser_inserted,
        ));
        tally.add(&want);
        assert_eq!(
            ours(&p.check_inline(&check)),
            want,
            "{} / {check:?}",
            p.policies()
        );
    }
    tally.check(6000, 10);
}

#[test]
fn eval_and_wasm_agree_with_the_oracle() {
    let hashes = hash_tokens();
    let mut rng = Rng(0x5eed_0002);
    let doc = Url::parse(DOCUMENT).unwrap();
    let mut tally = Tally::default();
    for _ in 0..3000 {
        let (list, oracle) = policies(&mut rng, &hashes);
        let p = DocumentPolicy::new(&doc, list);
        let want = theirs(&naive::check_eval(&oracle, "javascript"));
        tally.add(&want);
        assert_eq!(ours(&p.check_eval("x", false)), want, "{}", p.policies());
        assert_eq!(
            ours(&p.check_wasm()),
            theirs(&naive::check_eval(&oracle, "wasm")),
            "{}",
            p.policies()
        );
    }
    tally.check(3000, 10);
}

#[test]
fn navigation_requests_agree_with_the_oracle() {
    let hashes = hash_tokens();
    let mut rng = Rng(0x5eed_0003);
    let doc = Url::parse(DOCUMENT).unwrap();
    let mut tally = Tally::default();
    const URLS: &[&str] = &[
        "https://f.test/submit",
        "https://a.test/forms/post",
        "https://a.test/other",
        "https://x.b.test/",
        "http://f.test:8000/",
        "javascript:alert(1)",
        "javascript:void(0)",
        "data:text/html,x",
    ];
    for _ in 0..6000 {
        let (list, oracle) = policies(&mut rng, &hashes);
        let p = DocumentPolicy::new(&doc, list);
        let url = rng.pick(URLS);
        let redirects = rng.below(2) as u32;
        let (nav, nav_name) = rng.pick(&[
            (NavigationType::FormSubmission, "form-submission"),
            (NavigationType::Other, "other"),
        ]);
        let u = Url::parse(url).unwrap();
        let request = Request::new(&u, Destination::Document).redirect_count(redirects);
        let want = naive::check_navigation(
            &oracle,
            DOCUMENT,
            &naive::NaiveRequest {
                url,
                destination: "document",
                initiator: "",
                redirect_count: redirects,
                nonce: "",
                integrity: "",
                parser_metadata: "",
            },
            nav_name,
        )
        .unwrap();
        tally.add(&theirs(&want));
        assert_eq!(
            ours(&p.check_navigation_request(&request, nav)),
            theirs(&want),
            "{} / {url} {nav_name} {redirects}",
            p.policies()
        );
    }
    tally.check(6000, 10);
}

#[test]
fn frame_ancestors_agree_with_the_oracle() {
    let hashes = hash_tokens();
    let mut rng = Rng(0x5eed_0004);
    let mut tally = Tally::default();
    const RESPONSES: &[&str] = &[
        "https://f.test/page",
        "http://f.test:8000/x",
        "data:text/html,x",
    ];
    const ANCESTORS: &[&str] = &[
        "https://f.test/top",
        "https://a.test/x?y",
        "https://www.b.test/",
        "http://f.test:8000/",
        "http://a.test/",
        "https://evil.test/",
    ];
    for _ in 0..6000 {
        let (list, oracle) = policies(&mut rng, &hashes);
        let response = rng.pick(RESPONSES);
        let r = Url::parse(response).unwrap();
        let p = DocumentPolicy::new(&r, list);
        let ancestors: Vec<&str> = (0..rng.below(4)).map(|_| rng.pick(ANCESTORS)).collect();
        let origins: Vec<Origin> = ancestors
            .iter()
            .map(|a| Url::parse(a).unwrap().origin())
            .collect();
        let want = naive::check_frame_ancestors(&oracle, response, &ancestors).unwrap();
        let got = ours(&p.check_navigation_response(&r, &origins));
        tally.add(&got);
        assert_eq!(
            got,
            theirs(&want),
            "{} / {response} in {ancestors:?}",
            p.policies()
        );
    }
    tally.check(6000, 20);
}
