//! What every benchmark shares: criterion's settings, the data of `../shared/data`, the
//! peer crate (`content-security-policy` 0.9, as Servo uses it) driven the way our API is,
//! and the ratio table printed at the end of each run.

#![allow(dead_code)] // Each bench binary uses part of this module.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Benches panic on broken fixtures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use content_security_policy as peer;
use criterion::Criterion;
use cspgate::url::Url;
use cspgate::{Destination, Disposition, PolicyList, PolicySource};

/// The document origin the data's README asks for.
pub(crate) const DOCUMENT: &str = "https://www.example.org/";

/// Criterion with short, fixed times (the machine is shared: keep a full run to minutes);
/// command-line flags such as `--measurement-time` still override.
pub(crate) fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// `../shared/data` next to the crate, or the directory `CSPGATE_SHARED_DATA` names (for a
/// checkout that is not beside `shared/`, such as a git worktree).
pub(crate) fn data_dir() -> PathBuf {
    match std::env::var_os("CSPGATE_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
    }
}

/// The 970 real-world header values, or `None` (with a message) when the data is absent.
pub(crate) fn real_world_policies() -> Option<Vec<String>> {
    let path = data_dir().join("real-world-csp.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text.lines().map(str::to_owned).collect()),
        Err(e) => {
            eprintln!("skipping: cannot read {}: {e}", path.display());
            None
        }
    }
}

/// The `DESTINATION URL` request lines (`-` is the empty destination) whose URL parses (a
/// few of the 3,000 hold a port over 65535, which no engine would request), or `None`.
pub(crate) fn requests() -> Option<Vec<(String, String)>> {
    let path = data_dir().join("requests.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(
            text.lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(_, u)| Url::parse(u).is_ok())
                .map(|(d, u)| {
                    let d = if d == "-" { "" } else { d };
                    (d.to_owned(), u.to_owned())
                })
                .collect(),
        ),
        Err(e) => {
            eprintln!("skipping: cannot read {}: {e}", path.display());
            None
        }
    }
}

/// One request, ready for both crates: our borrowed view's parts, and the peer's owned
/// `Request` (built once, outside the timed loop, as an engine already has its request).
pub(crate) struct Both {
    pub(crate) url: Url,
    pub(crate) destination: Destination,
    pub(crate) nonce: String,
    pub(crate) peer: peer::Request,
}

impl Both {
    pub(crate) fn new(url: &str, destination: &str) -> Both {
        Both::with_nonce(url, destination, "")
    }

    pub(crate) fn with_nonce(url: &str, destination: &str, nonce: &str) -> Both {
        let url = Url::parse(url).unwrap();
        let document = Url::parse(DOCUMENT).unwrap();
        let peer = peer::Request {
            url: url.clone(),
            current_url: url.clone(),
            origin: document.origin(),
            redirect_count: 0,
            destination: peer_destination(destination),
            initiator: peer::Initiator::None,
            nonce: nonce.to_owned(),
            integrity_metadata: String::new(),
            parser_metadata: peer::ParserMetadata::None,
        };
        Both {
            url,
            destination: destination.parse().unwrap(),
            nonce: nonce.to_owned(),
            peer,
        }
    }

    /// Our request (borrowing).
    #[inline]
    pub(crate) fn ours(&self) -> cspgate::Request<'_> {
        cspgate::Request::new(&self.url, self.destination).nonce(&self.nonce)
    }
}

pub(crate) fn peer_destination(d: &str) -> peer::Destination {
    match d.parse() {
        Ok(d) => d,
        Err(peer::InvalidDestination) => panic!("unknown destination {d:?}"),
    }
}

/// Our parse of an enforced header value.
pub(crate) fn ours_list(text: &str) -> PolicyList {
    PolicyList::parse(text, Disposition::Enforce, PolicySource::Header)
}

/// The peer's parse of an enforced header value.
pub(crate) fn peer_list(text: &str) -> peer::CspList {
    peer::CspList::parse(
        text,
        peer::PolicySource::Header,
        peer::PolicyDisposition::Enforce,
    )
}

/// The peer's equivalent of our `check_request`: the enforced check and the report-only
/// check, as Servo's fetch runs them. Returns "blocked".
#[inline]
pub(crate) fn peer_check(list: &peer::CspList, request: &peer::Request) -> bool {
    let reported = list.report_violations_for_request(request);
    let (result, violations) = list.should_request_be_blocked(request);
    std::hint::black_box((&reported, &violations));
    result == peer::CheckResult::Blocked
}

/// Criterion's median estimate (ns) for `group/function/parameter`, if the run made one.
pub(crate) fn median_ns(group: &str, function: &str, parameter: &str) -> Option<f64> {
    let root = match std::env::var_os("CRITERION_HOME") {
        Some(home) => PathBuf::from(home),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(t) => PathBuf::from(t).join("criterion"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion"),
        },
    };
    let path = root
        .join(group)
        .join(function)
        .join(parameter)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("median")?.get("point_estimate")?.as_f64()
}

/// Formats nanoseconds for the table.
pub(crate) fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// Prints, for each parameter of `group`, the medians of `ours` (each of our functions) and
/// `peer`, and the ratio peer / ours: how many times faster we are.
pub(crate) fn print_ratios(group: &str, ours: &[&str], peer: &str, parameters: &[&str]) {
    println!();
    println!("== {group}: medians of this run, and peer / cspgate (x faster)");
    let mut header = format!("{:<22} {:>12}", "case", peer);
    for o in ours {
        header.push_str(&format!(" {:>18} {:>9}", o, "ratio"));
    }
    println!("{header}");
    for p in parameters {
        let theirs = median_ns(group, peer, p);
        let mut line = format!("{:<22} {:>12}", p, theirs.map_or_else(|| "-".into(), time));
        for o in ours {
            let mine = median_ns(group, o, p);
            let ratio = match (theirs, mine) {
                (Some(t), Some(m)) if m > 0.0 && t / m >= 10.0 => format!("{:.0}x", t / m),
                (Some(t), Some(m)) if m > 0.0 => format!("{:.2}x", t / m),
                _ => "-".into(),
            };
            line.push_str(&format!(
                " {:>18} {:>9}",
                mine.map_or_else(|| "-".into(), time),
                ratio
            ));
        }
        println!("{line}");
    }
}

/// A realistic document policy: what a mid-size site with analytics, fonts and video sends.
pub(crate) const REALISTIC: &str = "default-src 'self'; \
    script-src 'self' 'nonce-r4nd0m' https://www.googletagmanager.com https://www.google-analytics.com; \
    style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; \
    img-src 'self' data: https:; font-src 'self' https://fonts.gstatic.com; \
    connect-src 'self' https://api.example.org wss://push.example.org https://www.google-analytics.com; \
    frame-src https://www.youtube.com https://player.vimeo.com; worker-src 'self' blob:; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; \
    report-uri /csp-report";

/// `n` https host-sources, as a connect-src with `'self'`.
pub(crate) fn hosts_policy(n: usize) -> String {
    let hosts: Vec<String> = (0..n)
        .map(|i| format!("https://api{i}.service{}.example.net", i % 7))
        .collect();
    format!("default-src 'self'; connect-src 'self' {}", hosts.join(" "))
}

/// The URL of the last host of [`hosts_policy`]: the peer scans every source before it.
pub(crate) fn last_host_url(n: usize) -> String {
    format!(
        "https://api{}.service{}.example.net/v1/items",
        n - 1,
        (n - 1) % 7
    )
}
