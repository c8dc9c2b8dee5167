//! Servo's per-fetch CSP sequence (`benches/common/servo.rs`, which `benches/servo_fetch.rs`
//! times) run a fixed number of times, for counting instructions with callgrind: the figure
//! that stays put on a loaded machine, where criterion's times do not.
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
#[macro_use]
#[path = "../benches/common/servo.rs"]
mod servo;

use std::hint::black_box;

use content_security_policy as peer;
use csp_compat as compat;
use cspgate::url::Url;
use servo::{native_fetch, Document};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let variant = args.get(1).map_or("compat", String::as_str);
    let passes: usize = args
        .get(2)
        .map_or(1, |n| n.parse().expect("a number of passes"));
    let corpus = args.get(3).is_some_and(|a| a == "corpus");

    let requests: Vec<(String, String)> = if corpus {
        common::requests()
            .expect("../shared/data (or CSPGATE_SHARED_DATA)")
            .into_iter()
            .step_by(10)
            .collect()
    } else {
        servo::page()
    };
    let texts: Vec<String> = if corpus {
        common::real_world_policies()
            .expect("../shared/data (or CSPGATE_SHARED_DATA)")
            .into_iter()
            .step_by(48)
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
    let documents: Vec<Document> = texts.iter().map(|t| Document::new(t)).collect();

    let mut blocked = 0usize;
    for _ in 0..passes {
        for d in &documents {
            for (i, url) in urls.iter().enumerate() {
                let url = black_box(url);
                blocked += usize::from(match variant {
                    "peer" => servo_fetch!(peer, d.peer, url, d.origin, peer_destinations[i], true),
                    "compat" => servo_fetch!(
                        compat,
                        d.compat,
                        url,
                        d.origin,
                        compat_destinations[i],
                        true
                    ),
                    "compat-arc" => servo_fetch!(
                        compat,
                        d.compat_arc,
                        url,
                        d.origin,
                        compat_destinations[i],
                        true
                    ),
                    "floor" => servo_fetch!(
                        compat,
                        d.compat,
                        url,
                        d.origin,
                        compat_destinations[i],
                        false
                    ),
                    "native" => native_fetch(&d.native, url, destinations[i]),
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
