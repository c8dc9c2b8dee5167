//! Writes the seed corpora of the fuzz targets.
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds
//! ```
//!
//! - `parse`: one file per line of `../shared/data/real-world-csp.txt`;
//! - `differential`: every `request` case of `../shared/conformance/cases/*.jsonl`, in the text
//!   form of `Case::from_text`;
//! - `check`: real-world policies paired with real-world requests
//!   (`../shared/data/requests.txt`) on the document `https://www.example.org/`.
//!
//! The committed seeds (`fuzz/seeds/<target>/`) are a fixed selection: every eighth real-world
//! line, every conformance request case, 200 real-world pairs. The whole sets go to
//! `fuzz/corpus/<target>/` (ignored by git), where `cargo fuzz run` grows its corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/suite/naive.rs"]
#[allow(dead_code)]
mod naive;
#[path = "../tests/suite/fuzz_bodies.rs"]
#[allow(dead_code)]
mod fuzz_bodies;

use std::path::{Path, PathBuf};

use cspgate::{Destination, Disposition, Initiator, ParserMetadata, PolicySource};
use fuzz_bodies::{Case, PolicyText};
use serde_json::Value;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A request case of the conformance corpus, as a `Case`.
fn case_of(v: &Value) -> Option<Case> {
    let r = v.get("request")?;
    let mut case = Case::new(
        str_of(v, "document"),
        str_of(r, "url"),
        str_of(r, "destination").parse().ok()?,
    );
    for p in v.get("policies")?.as_array()? {
        case.policies.push(PolicyText::new(
            str_of(p, "text"),
            if str_of(p, "disposition") == "report" {
                Disposition::Report
            } else {
                Disposition::Enforce
            },
            if str_of(p, "source") == "meta" {
                PolicySource::Meta
            } else {
                PolicySource::Header
            },
        ));
    }
    case.initiator = str_of(r, "initiator").parse::<Initiator>().ok()?;
    case.redirect_count = r.get("redirect_count").and_then(Value::as_u64).unwrap_or(0) as u32;
    case.nonce = str_of(r, "nonce").to_owned();
    case.integrity = str_of(r, "integrity").to_owned();
    case.parser_metadata = str_of(r, "parser_metadata")
        .parse::<ParserMetadata>()
        .ok()?;
    Some(case)
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = fuzz.join("../../shared");
    let seeds = fuzz.join("seeds");
    let corpus = fuzz.join("corpus");

    // parse
    let real = std::fs::read_to_string(shared.join("data/real-world-csp.txt")).unwrap();
    let lines: Vec<&str> = real.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, line) in lines.iter().enumerate() {
        let name = format!("real-world-{:04}", i + 1);
        write(&corpus.join("parse"), &name, line.as_bytes());
        if i % 8 == 0 {
            write(&seeds.join("parse"), &name, line.as_bytes());
        }
    }

    // differential
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("conformance/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut n = 0;
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if str_of(&v, "kind") != "request" {
                continue;
            }
            let case = case_of(&v).unwrap_or_else(|| panic!("unreadable case {line}"));
            let name: String = str_of(&v, "id")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            write(
                &seeds.join("differential"),
                &name,
                case.to_text().as_bytes(),
            );
            write(
                &corpus.join("differential"),
                &name,
                case.to_text().as_bytes(),
            );
            n += 1;
        }
    }

    // check
    let requests = std::fs::read_to_string(shared.join("data/requests.txt")).unwrap();
    let requests: Vec<(&str, &str)> = requests.lines().filter_map(|l| l.split_once(' ')).collect();
    for i in 0..2000 {
        let policy = lines[(i * 7) % lines.len()];
        let (destination, url) = requests[(i * 13) % requests.len()];
        let destination = if destination == "-" { "" } else { destination };
        let mut case = Case::new(
            "https://www.example.org/",
            url,
            destination.parse().unwrap_or(Destination::Empty),
        );
        case.policies.push(PolicyText::new(
            policy,
            Disposition::Enforce,
            PolicySource::Header,
        ));
        let name = format!("real-world-pair-{i:04}");
        write(&corpus.join("check"), &name, case.to_text().as_bytes());
        if i < 200 {
            write(&seeds.join("check"), &name, case.to_text().as_bytes());
        }
    }
    println!(
        "parse: {} lines; differential: {n} conformance cases; check: 2000 pairs",
        lines.len()
    );
}
