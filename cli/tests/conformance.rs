//! Runs every shared conformance case (`tests/conformance/cases/*.jsonl`) through the runner's
//! evaluator and compares the results as `shared/conformance/score.py` does.
//!
//! `cargo test -p cspgate-cli --test conformance -- [FILTER]` runs the cases whose id contains
//! FILTER. The run fails on an unexpected failure, on a stale or unexplained entry of
//! `expected_failures.txt`, and when the copies differ from `../shared/conformance/cases/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cspgate_cli::conformance::evaluate_line;
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

fn jsonl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

/// `score.py`'s comparison: `None` when the result passes, else a description.
fn compare(case: &Value, got: &Value) -> Option<String> {
    if let Some(e) = got.get("error") {
        return Some(format!("error: {e}"));
    }
    let expect = &case["expect"];
    if case["kind"] == "parse" {
        return (got.get("policies") != expect.get("policies")).then(|| {
            format!(
                "expected policies {}, got {}",
                expect["policies"],
                got.get("policies").unwrap_or(&Value::Null)
            )
        });
    }
    let mut problems = Vec::new();
    if got.get("result") != expect.get("result") {
        problems.push(format!(
            "result: expected {}, got {}",
            expect["result"],
            got.get("result").unwrap_or(&Value::Null)
        ));
    }
    if expect["result"] == "blocked" {
        if let Some(d) = expect.get("directive") {
            if got.get("directive") != Some(d) {
                problems.push(format!(
                    "directive: expected {d}, got {}",
                    got.get("directive").unwrap_or(&Value::Null)
                ));
            }
        }
    }
    if let Some(want) = expect.get("violations") {
        let norm = |v: Option<&Value>, keep_samples: bool| -> Value {
            match v {
                Some(Value::Array(items)) => Value::Array(
                    items
                        .iter()
                        .map(|i| {
                            let mut entry = serde_json::json!({
                                "directive": i.get("directive"),
                                "disposition": i.get("disposition"),
                            });
                            // score.py compares a sample only where the expectation gives one.
                            if let Some(sample) = i.get("sample").filter(|_| keep_samples) {
                                entry["sample"] = sample.clone();
                            }
                            entry
                        })
                        .collect(),
                ),
                Some(other) => other.clone(),
                None => Value::Null,
            }
        };
        let (w, mut g) = (norm(Some(want), true), norm(got.get("violations"), false));
        // Keep the runner's samples exactly where the expectation has one.
        if let (Value::Array(ws), Value::Array(gs), Some(Value::Array(raw))) =
            (&w, &mut g, got.get("violations"))
        {
            for ((we, ge), re) in ws.iter().zip(gs.iter_mut()).zip(raw) {
                if we.get("sample").is_some() {
                    ge["sample"] = re.get("sample").cloned().unwrap_or(Value::Null);
                }
            }
        }
        if w != g {
            problems.push(format!("violations: expected {w}, got {g}"));
        }
    }
    // `trusted-types-sink`: the two "does sink type require trusted types?" answers.
    for flag in ["requires", "requires_report_only"] {
        if let Some(want) = expect.get(flag) {
            if got.get(flag) != Some(want) {
                problems.push(format!(
                    "{flag}: expected {want}, got {}",
                    got.get(flag).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

struct Expected {
    kinds: BTreeMap<String, String>,
    ids: BTreeMap<String, String>,
    errors: Vec<String>,
}

fn load_expected(path: &Path) -> Expected {
    let text = fs::read_to_string(path).unwrap_or_default();
    let mut e = Expected {
        kinds: BTreeMap::new(),
        ids: BTreeMap::new(),
        errors: Vec::new(),
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, reason)) = line.split_once(" -- ") else {
            e.errors.push(format!(
                "expected_failures.txt:{}: no ` -- reason`: {line}",
                n + 1
            ));
            continue;
        };
        let (key, reason) = (key.trim().to_owned(), reason.trim().to_owned());
        if reason.is_empty() {
            e.errors
                .push(format!("expected_failures.txt:{}: empty reason", n + 1));
        }
        match key.strip_prefix("kind:") {
            Some(kind) => e.kinds.insert(kind.to_owned(), reason),
            None => e.ids.insert(key, reason),
        };
    }
    e
}

/// The copies must equal the shared cases, file for file.
fn check_sync(copies: &Path, problems: &mut Vec<String>) {
    let shared = repo_root().join("../shared/conformance/cases");
    if !shared.is_dir() {
        eprintln!(
            "note: {} not found; skipping the sync check of the copied cases",
            shared.display()
        );
        return;
    }
    let names = |dir: &Path| -> BTreeSet<String> {
        jsonl_files(dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    let (ours, theirs) = (names(copies), names(&shared));
    for missing in theirs.difference(&ours) {
        problems.push(format!(
            "shared case file {missing} is not copied into tests/conformance/cases"
        ));
    }
    for extra in ours.difference(&theirs) {
        problems.push(format!(
            "tests/conformance/cases/{extra} is not among the shared case files"
        ));
    }
    for name in ours.intersection(&theirs) {
        if fs::read(copies.join(name)).ok() != fs::read(shared.join(name)).ok() {
            problems.push(format!(
                "tests/conformance/cases/{name} differs from ../shared/conformance/cases/{name}: copy it again"
            ));
        }
    }
}

fn main() -> ExitCode {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = repo_root().join("tests/conformance");
    let cases_dir = dir.join("cases");
    let expected = load_expected(&dir.join("expected_failures.txt"));
    let mut problems = expected.errors.clone();
    check_sync(&cases_dir, &mut problems);

    // (file, kind) -> (passed, failed, expected failures)
    let mut counts: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    let mut seen_ids = BTreeSet::new();
    let mut kind_all_pass: BTreeMap<String, bool> = BTreeMap::new();
    for file in jsonl_files(&cases_dir) {
        let fname = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&file).expect("readable case file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("case files are valid JSON");
            let id = case["id"].as_str().unwrap_or("").to_owned();
            let kind = case["kind"].as_str().unwrap_or("").to_owned();
            if filter.as_ref().is_some_and(|f| !id.contains(f.as_str())) {
                continue;
            }
            seen_ids.insert(id.clone());
            let failure = compare(&case, &evaluate_line(line));
            let entry = counts.entry((fname.clone(), kind.clone())).or_default();
            let expected_reason = expected.ids.get(&id).or(expected.kinds.get(&kind));
            let all = kind_all_pass.entry(kind.clone()).or_insert(true);
            if failure.is_some() {
                *all = false;
            }
            match (failure, expected_reason) {
                (None, _) => {
                    entry.0 += 1;
                    if expected.ids.contains_key(&id) {
                        problems.push(format!(
                            "{id} passes but expected_failures.txt lists it: remove the line"
                        ));
                    }
                }
                (Some(_), Some(_)) => entry.2 += 1,
                (Some(why), None) => {
                    entry.1 += 1;
                    problems.push(format!("{id} ({fname}) failed: {why}"));
                }
            }
        }
    }
    if filter.is_none() {
        for kind in expected.kinds.keys() {
            match kind_all_pass.get(kind) {
                Some(true) => problems.push(format!(
                    "every {kind} case passes but expected_failures.txt lists kind:{kind}: remove the line"
                )),
                None => problems.push(format!("expected_failures.txt names unknown kind {kind}")),
                Some(false) => {}
            }
        }
        for id in expected.ids.keys() {
            if !seen_ids.contains(id) {
                problems.push(format!("expected_failures.txt names unknown case {id}"));
            }
        }
    }

    println!(
        "{:<18} {:<16} {:>6} {:>6} {:>9}",
        "file", "kind", "pass", "fail", "expected"
    );
    let (mut p, mut f, mut x) = (0, 0, 0);
    for ((file, kind), (pass, fail, exp)) in &counts {
        println!("{file:<18} {kind:<16} {pass:>6} {fail:>6} {exp:>9}");
        p += pass;
        f += fail;
        x += exp;
    }
    println!("{:<18} {:<16} {p:>6} {f:>6} {x:>9}", "total", "");
    if problems.is_empty() {
        println!("conformance: ok");
        ExitCode::SUCCESS
    } else {
        for problem in &problems {
            println!("FAIL {problem}");
        }
        println!("conformance: {} problem(s)", problems.len());
        ExitCode::FAILURE
    }
}
