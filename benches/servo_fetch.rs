//! What one fetch costs Servo, for the peer (`content-security-policy` 0.9), `compat/` (the
//! same API answered by cspgate) and cspgate used natively (`docs/integration.md`: an `Arc`
//! and a borrowed `Request`), in the same run.
//!
//! Servo's sequence per fetch: the policy container is cloned into the request builder and
//! again when `main_fetch` takes the request; the owned CSP request is built;
//! `report_violations_for_request`, then `should_request_be_blocked` (a blocked request
//! ends there, as a network error); then `should_response_to_request_be_blocked` on the
//! response. Natively the container holds an `Arc<DocumentPolicy>`, the request borrows the
//! engine's URL, and the three calls are `report_request`, `should_block_request` and
//! `check_response`.
//!
//! Two cases: the realistic policy of `benches/common` with a page's worth of requests, and
//! every request of `../shared/data/requests.txt` against every 48th real-world policy (the
//! replay bench's documents; skipped when the data is absent). Each prints the time per
//! fetch and the ratios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::DOCUMENT;
use content_security_policy as peer;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use csp_compat as compat;
use cspgate::url::{Origin, Url};
use cspgate::DocumentPolicy;

/// Servo's `PolicyContainer` with the peer's list.
#[derive(Clone)]
struct PeerContainer {
    csp_list: Option<peer::CspList>,
    referrer_policy: u8,
}

/// Servo's `PolicyContainer` with compat's list.
#[derive(Clone)]
struct CompatContainer {
    csp_list: Option<compat::CspList>,
    referrer_policy: u8,
}

/// Servo's `PolicyContainer` with compat's list behind an `Arc`: the first step of the
/// migration guide (`compat/README.md`), one type changed and no call site.
#[derive(Clone)]
struct CompatArcContainer {
    csp_list: Option<Arc<compat::CspList>>,
    referrer_policy: u8,
}

/// The policy container `docs/integration.md` describes: the compiled policy behind an `Arc`.
#[derive(Clone)]
struct NativeContainer {
    policy: Option<Arc<DocumentPolicy>>,
    referrer_policy: u8,
}

/// One request as the engine holds it before the fetch.
struct EngineRequest {
    url: Url,
    destination: cspgate::Destination,
}

/// Servo's per-fetch calls, for a crate with the 0.9 API (the peer or compat): returns
/// "blocked".
macro_rules! servo_fetch {
    ($krate:ident, $container:expr, $request:expr, $origin:expr, $destination:expr) => {{
        let builder = $container.clone(); // RequestBuilder { policy_container, .. }
        let container = builder.clone(); // main_fetch: the request's policy container
        let request = $request;
        let csp_request = $krate::Request {
            url: request.url.clone(),
            current_url: request.url.clone(),
            origin: $origin.clone(),
            redirect_count: 0,
            destination: $destination,
            initiator: $krate::Initiator::None,
            nonce: String::new(),
            integrity_metadata: String::new(),
            parser_metadata: $krate::ParserMetadata::None,
        };
        let mut blocked = false;
        if let Some(list) = container.csp_list.as_ref() {
            let reported = list.report_violations_for_request(&csp_request);
            black_box(&reported);
            let (result, violations) = list.should_request_be_blocked(&csp_request);
            black_box(&violations);
            blocked = result == $krate::CheckResult::Blocked;
            if !blocked {
                let response = $krate::Response {
                    url: request.url.clone(),
                    redirect_count: csp_request.redirect_count,
                };
                let (result, violations) =
                    list.should_response_to_request_be_blocked(&csp_request, &response);
                black_box(&violations);
                blocked = result == $krate::CheckResult::Blocked;
            }
        }
        black_box((&builder, container.referrer_policy));
        blocked
    }};
}

/// The part of the 0.9 sequence both crates pay whatever they answer: the two deep clones
/// of the policy container and the owned request.
macro_rules! api_floor {
    ($krate:ident, $container:expr, $request:expr, $origin:expr, $destination:expr) => {{
        let builder = $container.clone();
        let container = builder.clone();
        let request = $request;
        let csp_request = $krate::Request {
            url: request.url.clone(),
            current_url: request.url.clone(),
            origin: $origin.clone(),
            redirect_count: 0,
            destination: $destination,
            initiator: $krate::Initiator::None,
            nonce: String::new(),
            integrity_metadata: String::new(),
            parser_metadata: $krate::ParserMetadata::None,
        };
        black_box((&builder, &container, &csp_request));
    }};
}

fn native_fetch(container: &NativeContainer, request: &EngineRequest) -> bool {
    let builder = container.clone();
    let container = builder.clone();
    let Some(policy) = container.policy.as_ref() else {
        return false;
    };
    let req = cspgate::Request::new(&request.url, request.destination);
    let _ = black_box(policy.report_request(&req));
    let verdict = policy.should_block_request(&req);
    let blocked = if verdict.is_blocked() {
        true
    } else {
        policy.check_response(&req, &request.url).is_blocked()
    };
    black_box((&builder, container.referrer_policy));
    blocked
}

/// One document: its three containers and origin.
struct Document {
    peer: PeerContainer,
    compat: CompatContainer,
    compat_arc: CompatArcContainer,
    native: NativeContainer,
    origin: Origin,
}

impl Document {
    fn new(text: &str) -> Document {
        let url = Url::parse(DOCUMENT).unwrap();
        Document {
            peer: PeerContainer {
                csp_list: Some(common::peer_list(text)),
                referrer_policy: 0,
            },
            compat: CompatContainer {
                csp_list: Some(compat::CspList::parse(
                    text,
                    compat::PolicySource::Header,
                    compat::PolicyDisposition::Enforce,
                )),
                referrer_policy: 0,
            },
            compat_arc: CompatArcContainer {
                csp_list: Some(Arc::new(compat::CspList::parse(
                    text,
                    compat::PolicySource::Header,
                    compat::PolicyDisposition::Enforce,
                ))),
                referrer_policy: 0,
            },
            native: NativeContainer {
                policy: Some(Arc::new(DocumentPolicy::new(&url, common::ours_list(text)))),
                referrer_policy: 0,
            },
            origin: url.origin(),
        }
    }
}

fn peer_pass(documents: &[Document], requests: &[(EngineRequest, peer::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (r, dest) in requests {
            blocked += usize::from(servo_fetch!(peer, d.peer, black_box(r), d.origin, *dest));
        }
    }
    blocked
}

fn compat_pass(documents: &[Document], requests: &[(EngineRequest, compat::Destination)]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (r, dest) in requests {
            blocked += usize::from(servo_fetch!(
                compat,
                d.compat,
                black_box(r),
                d.origin,
                *dest
            ));
        }
    }
    blocked
}

fn compat_arc_pass(
    documents: &[Document],
    requests: &[(EngineRequest, compat::Destination)],
) -> usize {
    let mut blocked = 0;
    for d in documents {
        for (r, dest) in requests {
            blocked += usize::from(servo_fetch!(
                compat,
                d.compat_arc,
                black_box(r),
                d.origin,
                *dest
            ));
        }
    }
    blocked
}

fn floor_pass(documents: &[Document], requests: &[(EngineRequest, compat::Destination)]) {
    for d in documents {
        for (r, dest) in requests {
            api_floor!(compat, d.compat, black_box(r), d.origin, *dest);
        }
    }
}

fn native_pass(documents: &[Document], requests: &[EngineRequest]) -> usize {
    let mut blocked = 0;
    for d in documents {
        for r in requests {
            blocked += usize::from(native_fetch(&d.native, black_box(r)));
        }
    }
    blocked
}

/// The requests of a page under the realistic policy: allowed and blocked, several
/// destinations.
const PAGE: &[(&str, &str)] = &[
    ("script", "https://www.example.org/app.js"),
    ("script", "https://www.googletagmanager.com/gtm.js?id=GTM-1"),
    ("style", "https://fonts.googleapis.com/css2?family=Inter"),
    ("font", "https://fonts.gstatic.com/s/inter/v1.woff2"),
    ("image", "https://images.example.net/hero.jpg"),
    ("image", "https://www.example.org/logo.svg"),
    ("", "https://api.example.org/v1/cart"),
    ("", "https://www.google-analytics.com/g/collect"),
    ("iframe", "https://www.youtube.com/embed/x"),
    ("script", "https://evil.example/x.js"),
];

fn run_case(
    c: &mut Criterion,
    case: &str,
    documents: &[Document],
    requests: &[(String, String)],
) -> usize {
    let engine: Vec<EngineRequest> = requests
        .iter()
        .map(|(d, u)| EngineRequest {
            url: Url::parse(u).unwrap(),
            destination: d.parse().unwrap(),
        })
        .collect();
    let with_peer: Vec<_> = requests
        .iter()
        .map(|(d, u)| {
            (
                EngineRequest {
                    url: Url::parse(u).unwrap(),
                    destination: cspgate::Destination::Empty,
                },
                common::peer_destination(d),
            )
        })
        .collect();
    let with_compat: Vec<_> = requests
        .iter()
        .map(|(d, u)| {
            (
                EngineRequest {
                    url: Url::parse(u).unwrap(),
                    destination: cspgate::Destination::Empty,
                },
                d.parse::<compat::Destination>()
                    .ok()
                    .expect("a Fetch destination"),
            )
        })
        .collect();
    let fetches = documents.len() * requests.len();
    println!(
        "servo-fetch/{case}: {} documents x {} requests = {fetches} fetches; blocked: peer {}, \
         compat {}, native {}",
        documents.len(),
        requests.len(),
        peer_pass(documents, &with_peer),
        compat_pass(documents, &with_compat),
        native_pass(documents, &engine),
    );
    let mut group = c.benchmark_group("servo-fetch");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(fetches as u64));
    group.bench_function(BenchmarkId::new("peer", case), |b| {
        b.iter(|| peer_pass(documents, &with_peer))
    });
    group.bench_function(BenchmarkId::new("compat", case), |b| {
        b.iter(|| compat_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("compat-arc", case), |b| {
        b.iter(|| compat_arc_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("api-floor", case), |b| {
        b.iter(|| floor_pass(documents, &with_compat))
    });
    group.bench_function(BenchmarkId::new("native", case), |b| {
        b.iter(|| native_pass(documents, &engine))
    });
    group.finish();
    fetches
}

/// Every `STRIDE`th real-world policy is a document (as in `benches/replay.rs`).
const STRIDE: usize = 48;

fn main() {
    let mut c = common::criterion();
    let mut cases = Vec::new();

    let realistic = [Document::new(common::REALISTIC)];
    let page: Vec<(String, String)> = PAGE
        .iter()
        .map(|(d, u)| ((*d).to_owned(), (*u).to_owned()))
        .collect();
    cases.push((
        "realistic",
        run_case(&mut c, "realistic", &realistic, &page),
    ));

    match (common::real_world_policies(), common::requests()) {
        (Some(policies), Some(requests)) => {
            let documents: Vec<Document> = policies
                .iter()
                .step_by(STRIDE)
                .map(|t| Document::new(t))
                .collect();
            cases.push((
                "requests.txt",
                run_case(&mut c, "requests.txt", &documents, &requests),
            ));
        }
        _ => eprintln!("skipping servo-fetch/requests.txt: ../shared/data is absent"),
    }
    c.final_summary();

    println!();
    println!("== servo-fetch: median time per fetch, and peer / x (x faster)");
    println!(
        "{:<14} {:>11} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7}",
        "case",
        "peer",
        "compat",
        "ratio",
        "compat-arc",
        "ratio",
        "native",
        "ratio",
        "api-floor",
        "ratio"
    );
    for (case, fetches) in cases {
        let per = |f: &str| common::median_ns("servo-fetch", f, case).map(|ns| ns / fetches as f64);
        let (p, m, a, n, f) = (
            per("peer"),
            per("compat"),
            per("compat-arc"),
            per("native"),
            per("api-floor"),
        );
        let ratio = |x: Option<f64>| match (p, x) {
            (Some(p), Some(x)) if x > 0.0 => format!("{:.1}x", p / x),
            _ => "-".into(),
        };
        let t = |x: Option<f64>| x.map_or_else(|| "-".into(), common::time);
        println!(
            "{:<14} {:>11} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7} {:>11} {:>7}",
            case,
            t(p),
            t(m),
            ratio(m),
            t(a),
            ratio(a),
            t(n),
            ratio(n),
            t(f),
            ratio(f)
        );
    }
}
