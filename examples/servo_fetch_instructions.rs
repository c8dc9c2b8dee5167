//! Servo's per-fetch CSP sequence (`benches/servo_fetch.rs` describes it) run a fixed number
//! of times, for counting instructions with callgrind: the figure that stays put on a loaded
//! machine, where criterion's times do not.
//!
//! Variants: `peer` (content-security-policy 0.9), `compat` (compat/), `compat-arc` (compat/
//! with the container's list behind an `Arc`), `floor` (the two container clones and the
//! owned request alone), `native` (cspgate: `Arc<DocumentPolicy>`, borrowed `Request`).
//! Cases: the realistic policy of `benches/common` with a page of 10 requests, or (`corpus`)
//! every 48th real-world policy with every 10th request of `requests.txt` (from
//! `../shared/data`, or the directory `CSPGATE_SHARED_DATA` names).
//!
//! Instructions per fetch are the difference of two runs (1 and 2 passes) divided by the
//! fetches of one pass, which the program prints:
//!
//! ```sh
//! cargo build --release --example servo_fetch_instructions
//! for n in 1 2; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/servo_fetch_instructions compat $n corpus
//! done
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // Broken fixtures should stop it.

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;

use content_security_policy as peer;
use csp_compat as compat;
use cspgate::url::Url;
use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};

/// A page's requests under the realistic policy (`benches/servo_fetch.rs`'s `PAGE`).
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

#[derive(Clone)]
struct Container<T> {
    csp_list: Option<T>,
    referrer_policy: u8,
}

macro_rules! fetch {
    ($krate:ident, $container:expr, $url:expr, $origin:expr, $destination:expr, $checks:expr) => {{
        let builder = $container.clone();
        let container = builder.clone();
        let request = $krate::Request {
            url: $url.clone(),
            current_url: $url.clone(),
            origin: $origin.clone(),
            redirect_count: 0,
            destination: $destination,
            initiator: $krate::Initiator::None,
            nonce: String::new(),
            integrity_metadata: String::new(),
            parser_metadata: $krate::ParserMetadata::None,
        };
        let mut blocked = false;
        match container.csp_list.as_ref() {
            Some(list) if $checks => {
                black_box(list.report_violations_for_request(&request));
                let (result, violations) = list.should_request_be_blocked(&request);
                black_box(&violations);
                blocked = result == $krate::CheckResult::Blocked;
                if !blocked {
                    let response = $krate::Response {
                        url: $url.clone(),
                        redirect_count: 0,
                    };
                    let (result, violations) =
                        list.should_response_to_request_be_blocked(&request, &response);
                    black_box(&violations);
                    blocked = result == $krate::CheckResult::Blocked;
                }
            }
            _ => {
                black_box(&request);
            }
        }
        black_box((&builder, container.referrer_policy));
        blocked
    }};
}

fn data(file: &str) -> String {
    std::fs::read_to_string(common::data_dir().join(file))
        .expect("../shared/data (or CSPGATE_SHARED_DATA)")
}

struct Document {
    peer: Container<peer::CspList>,
    compat: Container<compat::CspList>,
    compat_arc: Container<Arc<compat::CspList>>,
    native: Container<Arc<DocumentPolicy>>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let variant = args.get(1).map_or("compat", String::as_str);
    let passes: usize = args
        .get(2)
        .map_or(1, |n| n.parse().expect("a number of passes"));
    let corpus = args.get(3).is_some_and(|a| a == "corpus");

    let document = Url::parse("https://www.example.org/").unwrap();
    let origin = document.origin();
    let requests: Vec<(String, String)> = if corpus {
        data("requests.txt")
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(_, u)| Url::parse(u).is_ok())
            .map(|(d, u)| (if d == "-" { "" } else { d }.to_owned(), u.to_owned()))
            .step_by(10)
            .collect()
    } else {
        PAGE.iter()
            .map(|(d, u)| ((*d).to_owned(), (*u).to_owned()))
            .collect()
    };
    let texts: Vec<String> = if corpus {
        data("real-world-csp.txt")
            .lines()
            .step_by(48)
            .map(str::to_owned)
            .collect()
    } else {
        vec![common::REALISTIC.to_owned()]
    };
    let urls: Vec<Url> = requests
        .iter()
        .map(|(_, u)| Url::parse(u).unwrap())
        .collect();
    let peer_destinations: Vec<peer::Destination> = requests
        .iter()
        .map(|(d, _)| d.parse().ok().unwrap())
        .collect();
    let compat_destinations: Vec<compat::Destination> = requests
        .iter()
        .map(|(d, _)| d.parse().ok().unwrap())
        .collect();
    let destinations: Vec<cspgate::Destination> =
        requests.iter().map(|(d, _)| d.parse().unwrap()).collect();
    let documents: Vec<Document> = texts
        .iter()
        .map(|t| {
            let list = || {
                compat::CspList::parse(
                    t,
                    compat::PolicySource::Header,
                    compat::PolicyDisposition::Enforce,
                )
            };
            Document {
                peer: Container {
                    csp_list: Some(peer::CspList::parse(
                        t,
                        peer::PolicySource::Header,
                        peer::PolicyDisposition::Enforce,
                    )),
                    referrer_policy: 0,
                },
                compat: Container {
                    csp_list: Some(list()),
                    referrer_policy: 0,
                },
                compat_arc: Container {
                    csp_list: Some(Arc::new(list())),
                    referrer_policy: 0,
                },
                native: Container {
                    csp_list: Some(Arc::new(DocumentPolicy::new(
                        &document,
                        PolicyList::parse(t, Disposition::Enforce, PolicySource::Header),
                    ))),
                    referrer_policy: 0,
                },
            }
        })
        .collect();

    let mut blocked = 0usize;
    for _ in 0..passes {
        for d in &documents {
            for (i, url) in urls.iter().enumerate() {
                let url = black_box(url);
                blocked += usize::from(match variant {
                    "peer" => fetch!(peer, d.peer, url, origin, peer_destinations[i], true),
                    "compat" => fetch!(compat, d.compat, url, origin, compat_destinations[i], true),
                    "compat-arc" => {
                        fetch!(
                            compat,
                            d.compat_arc,
                            url,
                            origin,
                            compat_destinations[i],
                            true
                        )
                    }
                    "floor" => fetch!(compat, d.compat, url, origin, compat_destinations[i], false),
                    "native" => {
                        let builder = d.native.clone();
                        let container = builder.clone();
                        let policy = container.csp_list.as_ref().unwrap();
                        let request = cspgate::Request::new(url, destinations[i]);
                        let _ = black_box(policy.report_request(&request));
                        let verdict = policy.should_block_request(&request);
                        let blocked = verdict.is_blocked()
                            || policy.check_response(&request, url).is_blocked();
                        black_box((&builder, container.referrer_policy));
                        blocked
                    }
                    other => panic!("unknown variant {other}"),
                });
            }
        }
    }
    println!(
        "{variant}: {passes} pass(es) of {} fetches; {blocked} blocked",
        documents.len() * urls.len()
    );
}
