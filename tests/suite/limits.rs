//! The parser's limits (`src/limits.rs`), one by one: going over each gives a
//! `ParseWarning::LimitExceeded` naming it, keeps what came before intact, and never makes a
//! policy more permissive than CSP3's parse of the whole input. The whole parse is the naive
//! oracle's (`naive.rs`), which has no limits: over many generated inputs and requests,
//! whatever cspgate allows, the oracle allows too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use crate::naive;

use cspgate::limits::{
    MAX_LIST_BYTES, MAX_POLICIES, MAX_SOURCES_PER_DIRECTIVE, MAX_UNKNOWN_DIRECTIVES,
};
use cspgate::url::Url;
use cspgate::{
    effective_directive, Destination, DirectiveKind, Disposition, DocumentPolicy, Initiator, Limit,
    ParseWarning, ParserMetadata, PolicyList, PolicySource, Request,
};

use crate::rng::Rng;

const DOCUMENT: &str = "https://o.test/page";

const DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "script-src-elem",
    "style-src",
    "img-src",
    "connect-src",
    "worker-src",
    "child-src",
    "frame-src",
    "font-src",
    "media-src",
    "object-src",
];

/// A source expression; hosts `h0.test`..`h9.test` are the ones requests use.
fn source(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => rng
            .pick(&["'self'", "'none'", "*", "https:", "data:", "wss:"])
            .into(),
        1 => rng
            .pick(&["'strict-dynamic'", "'unsafe-inline'", "'unsafe-eval'"])
            .into(),
        2 => format!("'nonce-n{}'", rng.below(4)),
        3 => format!("'sha256-d{}'", rng.below(4)),
        4 => format!("*.w{}.test", rng.below(4)),
        5 => format!("https://h{}.test/js/", rng.below(10)),
        6 => format!(
            "h{}.test:{}",
            rng.below(10),
            rng.pick(&["*", "8443", "443"])
        ),
        _ => format!("h{}.test", rng.below(10)),
    }
}

fn directive(rng: &mut Rng, sources: usize) -> String {
    let mut d = String::from(rng.pick(DIRECTIVES));
    for _ in 0..sources {
        d.push(' ');
        d.push_str(&source(rng));
    }
    d
}

fn policy(rng: &mut Rng) -> String {
    (0..1 + rng.below(4))
        .map(|_| {
            let n = rng.below(6);
            directive(rng, n)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A request drawn from the hosts and schemes the generated policies name.
struct Req {
    url: String,
    destination: Destination,
    initiator: Initiator,
    nonce: String,
    integrity: String,
    parser_metadata: ParserMetadata,
}

fn request(rng: &mut Rng) -> Req {
    let url = match rng.below(8) {
        0 => "https://o.test/self.js".into(),
        1 => format!("https://x.w{}.test/a", rng.below(5)),
        2 => "data:text/plain,x".into(),
        3 => format!("wss://h{}.test/s", rng.below(10)),
        4 => format!("https://h{}.test:8443/js/app.js", rng.below(10)),
        _ => format!(
            "https://h{}.test/{}",
            rng.below(11),
            rng.pick(&["js/app.js", "", "img.png"])
        ),
    };
    Req {
        url,
        destination: Destination::ALL[rng.below(Destination::ALL.len())],
        initiator: if rng.below(10) == 0 {
            Initiator::Prefetch
        } else {
            Initiator::None
        },
        nonce: if rng.below(3) == 0 {
            format!("n{}", rng.below(5))
        } else {
            String::new()
        },
        integrity: if rng.below(4) == 0 {
            format!("sha256-d{}", rng.below(5))
        } else {
            String::new()
        },
        parser_metadata: ParserMetadata::ALL[rng.below(3)],
    }
}

/// The header values of a document, with the limits each one hit.
struct Input {
    headers: Vec<(String, Disposition)>,
}

impl Input {
    /// Parses with cspgate, returning the list and the limits hit.
    fn parse(&self) -> (PolicyList, Vec<Limit>) {
        let mut list = PolicyList::new();
        let mut hit = Vec::new();
        for (text, disposition) in &self.headers {
            list.append(PolicyList::parse_with(
                text,
                *disposition,
                PolicySource::Header,
                &mut |w| {
                    if let ParseWarning::LimitExceeded { limit, .. } = w {
                        hit.push(limit);
                    }
                },
            ));
        }
        (list, hit)
    }

    fn naive(&self) -> Vec<naive::NaivePolicy> {
        self.headers
            .iter()
            .flat_map(|(text, d)| {
                let d = match d {
                    Disposition::Enforce => naive::Disposition::Enforce,
                    Disposition::Report => naive::Disposition::Report,
                };
                naive::parse_policy_list(text, d, naive::Source::Header)
            })
            .collect()
    }
}

/// For `requests` generated requests: whatever cspgate allows, the oracle allows. Returns
/// how many requests each allowed and blocked, and how many verdicts were identical.
fn never_more_permissive(input: &Input, rng: &mut Rng, requests: usize) -> Counts {
    let (list, _) = input.parse();
    let doc = Url::parse(DOCUMENT).unwrap();
    let policy = DocumentPolicy::new(&doc, list);
    let naive_policies = input.naive();
    let mut counts = Counts::default();
    for _ in 0..requests {
        let r = request(rng);
        let url = Url::parse(&r.url).unwrap();
        let ours = policy.check_request(
            &Request::new(&url, r.destination)
                .initiator(r.initiator)
                .nonce(&r.nonce)
                .integrity(&r.integrity)
                .parser_metadata(r.parser_metadata),
        );
        let theirs = naive::check_request(
            &naive_policies,
            DOCUMENT,
            &naive::NaiveRequest {
                url: &r.url,
                destination: r.destination.as_str(),
                initiator: r.initiator.as_str(),
                redirect_count: 0,
                nonce: &r.nonce,
                integrity: &r.integrity,
                parser_metadata: r.parser_metadata.as_str(),
            },
        )
        .unwrap();
        assert!(
            ours.is_blocked() || !theirs.blocked,
            "the cut list allows {} ({}) that the whole input blocks",
            r.url,
            r.destination
        );
        counts.allowed += usize::from(ours.is_allowed());
        // xslt takes the script algorithm, which never blocks a destination that is not
        // script-like (docs/spec-deviations.md); the others are governed by default-src.
        let governed = effective_directive(r.destination, r.initiator).is_some()
            && r.destination != Destination::Xslt;
        counts.governed_allowed += usize::from(governed && ours.is_allowed());
        counts.spec_allowed += usize::from(!theirs.blocked);
        counts.same += usize::from(ours.is_blocked() == theirs.blocked);
    }
    counts
}

#[derive(Debug, Default)]
struct Counts {
    allowed: usize,
    /// Allowed requests that some fetch directive could have blocked.
    governed_allowed: usize,
    spec_allowed: usize,
    same: usize,
}

#[test]
fn over_max_list_bytes_the_tail_is_cut_and_the_list_fails_closed() {
    let mut rng = Rng(0x1157_b7e5);
    for round in 0..6 {
        // Long policies (long paths keep the oracle's token count modest) past the limit;
        // the cut falls wherever the bytes say, mid-token included.
        let mut text = String::new();
        while text.len() <= MAX_LIST_BYTES + 1000 {
            let mut d = directive(&mut rng, 3);
            d.push_str(&format!(" https://h1.test/{}/", "p".repeat(rng.below(600))));
            text.push_str(&d);
            text.push_str(if rng.below(8) == 0 { ", " } else { "; " });
        }
        let disposition = if round % 2 == 0 {
            Disposition::Enforce
        } else {
            Disposition::Report
        };
        let input = Input {
            headers: vec![
                (text, disposition),
                // An ordinary enforced policy beside it keeps some requests allowed.
                ("img-src *; script-src 'self'".into(), Disposition::Enforce),
            ],
        };
        let (list, hit) = input.parse();
        assert_eq!(hit, [Limit::ListBytes]);
        let synthetic = list.iter().filter(|p| p.is_synthetic()).count();
        assert_eq!(synthetic, usize::from(disposition == Disposition::Enforce));
        let counts = never_more_permissive(&input, &mut rng, 60);
        if disposition == Disposition::Enforce {
            // The fail-closed policy blocks every fetch a fetch directive governs.
            assert_eq!(counts.governed_allowed, 0, "{counts:?} for an enforced cut");
        } else {
            // Report-only policies never block: the enforced one decides alone, as in the
            // whole input.
            assert_eq!(counts.same, 60, "{counts:?}");
        }
    }
}

#[test]
fn over_max_policies_the_rest_are_dropped_and_the_list_fails_closed() {
    let mut rng = Rng(0x9011_c1e5);
    for round in 0..8 {
        // Permissive policies up to the limit, so that the restrictions cut with the tail
        // decide the verdicts.
        let n = MAX_POLICIES + 1 + rng.below(40);
        let text = (0..n)
            .map(|i| {
                if i < MAX_POLICIES {
                    "default-src * data: wss: 'unsafe-inline'".to_owned()
                } else {
                    policy(&mut rng)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let report = round % 2 == 1;
        let mut headers = vec![(
            text,
            if report {
                Disposition::Report
            } else {
                Disposition::Enforce
            },
        )];
        headers.push(("img-src *".into(), Disposition::Enforce));
        let input = Input { headers };
        let (list, hit) = input.parse();
        assert_eq!(hit, [Limit::Policies]);
        // The first MAX_POLICIES policies are kept as written.
        let naive = input.naive();
        for (ours, theirs) in list.iter().zip(&naive).take(MAX_POLICIES) {
            let ours: Vec<_> = ours
                .directives()
                .map(|d| {
                    (
                        d.name().as_str().to_owned(),
                        d.tokens().map(str::to_owned).collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(ours, theirs.directives);
        }
        let counts = never_more_permissive(&input, &mut rng, 60);
        if report {
            assert_eq!(counts.same, 60, "{counts:?}");
        } else {
            assert_eq!(counts.governed_allowed, 0, "{counts:?} for an enforced cut");
        }
    }
}

#[test]
fn over_max_unknown_directives_only_inert_names_are_dropped() {
    let mut rng = Rng(0x0dd_d1e5);
    for _ in 0..8 {
        // Many unknown directives interleaved with known ones: the known ones after the
        // limit still count, so the verdicts are exactly the whole input's.
        let mut parts = Vec::new();
        let mut unknown = 0;
        for i in 0..200 {
            if rng.below(10) == 0 {
                let n = rng.below(5);
                parts.push(directive(&mut rng, n));
            } else {
                parts.push(format!("x-unknown-{i} {}", source(&mut rng)));
                unknown += 1;
            }
        }
        parts.push(directive(&mut rng, 3));
        let input = Input {
            headers: vec![(parts.join("; "), Disposition::Enforce)],
        };
        let (list, hit) = input.parse();
        // One warning per unknown directive past the limit.
        assert_eq!(hit.len(), unknown - MAX_UNKNOWN_DIRECTIVES);
        assert!(hit.iter().all(|l| *l == Limit::UnknownDirectives));
        assert_eq!(
            list[0]
                .directives()
                .filter(|d| d.name().kind().is_none())
                .count(),
            MAX_UNKNOWN_DIRECTIVES
        );
        assert!(list.iter().all(|p| !p.is_synthetic()));
        let counts = never_more_permissive(&input, &mut rng, 100);
        assert_eq!(counts.same, 100, "unknown directives are inert: {counts:?}");
    }
}

#[test]
fn over_max_sources_per_directive_only_url_sources_nonces_and_hashes_are_dropped() {
    let mut rng = Rng(0x50_7ce5);
    for round in 0..4 {
        // Filler hosts up to the limit, then the sources requests can match: all dropped,
        // except keywords, which are always read.
        let mut sources: Vec<String> = (0..MAX_SOURCES_PER_DIRECTIVE)
            .map(|i| format!("filler{i}.test"))
            .collect();
        for _ in 0..20 {
            sources.push(source(&mut rng));
        }
        let name = ["script-src", "default-src", "img-src", "connect-src"][round];
        let text = format!("{name} {}; style-src 'self'", sources.join(" "));
        let input = Input {
            headers: vec![(text, Disposition::Enforce)],
        };
        let (list, hit) = input.parse();
        assert_eq!(hit, [Limit::SourcesPerDirective]);
        assert_eq!(list.len(), 1);
        assert!(list[0].contains(DirectiveKind::StyleSrc));
        never_more_permissive(&input, &mut rng, 40);
    }
    // The presence of a dropped nonce still disables 'unsafe-inline' (as the whole list's
    // nonce would), and a dropped host no longer matches.
    let mut sources: Vec<String> = (0..MAX_SOURCES_PER_DIRECTIVE)
        .map(|i| format!("filler{i}.test"))
        .collect();
    sources.extend(["'nonce-late'".into(), "late.test".into()]);
    let list = PolicyList::parse(
        &format!("script-src {}", sources.join(" ")),
        Disposition::Enforce,
        PolicySource::Header,
    );
    let doc = Url::parse(DOCUMENT).unwrap();
    let policy = DocumentPolicy::new(&doc, list);
    let late = Url::parse("https://late.test/a.js").unwrap();
    assert!(policy
        .check_request(&Request::new(&late, Destination::Script))
        .is_blocked());
    let filler = Url::parse("https://filler4095.test/a.js").unwrap();
    assert!(policy
        .check_request(&Request::new(&filler, Destination::Script))
        .is_allowed());
}
