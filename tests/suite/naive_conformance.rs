//! Runs the naive spec-literal oracle (`tests/suite/naive.rs`) over every public
//! conformance case (`tests/conformance/cases/*.jsonl`, copies of the shared cases) and compares
//! the results with the expectations the way the shared cases' `score.py` does
//! (`tests/conformance/CASES.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use crate::naive;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::naive::{Disposition, NaiveOutcome, NaivePolicy, NaiveRequest, Source};
use serde_json::{json, Value};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/cases")
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn disposition_name(d: Disposition) -> &'static str {
    match d {
        Disposition::Enforce => "enforce",
        Disposition::Report => "report",
    }
}

/// The case's `policies`, each `text` parsed (comma-split for headers, meta removals).
fn policies_of(case: &Value) -> Result<Vec<NaivePolicy>, String> {
    let mut out = Vec::new();
    let list = case
        .get("policies")
        .and_then(Value::as_array)
        .ok_or("no policies")?;
    for p in list {
        let text = p
            .get("text")
            .and_then(Value::as_str)
            .ok_or("policy without text")?;
        let disposition = match p.get("disposition").and_then(Value::as_str) {
            None | Some("enforce") => Disposition::Enforce,
            Some("report") => Disposition::Report,
            Some(other) => return Err(format!("unknown disposition {other}")),
        };
        let source = match p.get("source").and_then(Value::as_str) {
            None | Some("header") => Source::Header,
            Some("meta") => Source::Meta,
            Some(other) => return Err(format!("unknown source {other}")),
        };
        out.extend(naive::parse_policy_list(text, disposition, source));
    }
    Ok(out)
}

fn request_of(case: &Value) -> Result<NaiveRequest<'_>, String> {
    let r = case.get("request").ok_or("no request")?;
    Ok(NaiveRequest {
        url: r
            .get("url")
            .and_then(Value::as_str)
            .ok_or("request without url")?,
        destination: str_field(r, "destination"),
        initiator: str_field(r, "initiator"),
        redirect_count: r
            .get("redirect_count")
            .and_then(Value::as_u64)
            .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        nonce: str_field(r, "nonce"),
        integrity: str_field(r, "integrity"),
        parser_metadata: str_field(r, "parser_metadata"),
    })
}

/// The runner's result line for an outcome (as SCHEMA.md "The runner" describes it).
fn outcome_json(outcome: &NaiveOutcome) -> Value {
    let violations: Vec<Value> = outcome
        .violations
        .iter()
        .map(|v| {
            json!({
                "directive": v.directive,
                "disposition": disposition_name(v.disposition),
                "sample": v.sample,
            })
        })
        .collect();
    let mut result = json!({
        "result": if outcome.blocked { "blocked" } else { "allowed" },
        "violations": violations,
    });
    if let Some(first) = outcome
        .violations
        .iter()
        .find(|v| v.disposition == Disposition::Enforce)
    {
        result["directive"] = json!(first.directive);
    }
    result
}

/// Evaluates one case with the oracle and returns the runner's result object.
fn evaluate(case: &Value) -> Result<Value, String> {
    let kind = case.get("kind").and_then(Value::as_str).ok_or("no kind")?;
    if kind == "parse" {
        let text = case.get("text").and_then(Value::as_str).ok_or("no text")?;
        let source = match case.get("source").and_then(Value::as_str) {
            None | Some("header") => Source::Header,
            Some("meta") => Source::Meta,
            Some(other) => return Err(format!("unknown source {other}")),
        };
        let policies: Vec<Value> = naive::parse_policy_list(text, Disposition::Enforce, source)
            .iter()
            .map(|p| {
                let directives: Vec<Value> =
                    p.directives.iter().map(|(n, v)| json!([n, v])).collect();
                json!({ "directives": directives })
            })
            .collect();
        return Ok(json!({ "policies": policies }));
    }
    let policies = policies_of(case)?;
    let document = case.get("document").and_then(Value::as_str).unwrap_or("");
    let outcome = match kind {
        "request" => naive::check_request(&policies, document, &request_of(case)?)
            .ok_or("a URL does not parse")?,
        "inline" => {
            let inline = case.get("inline").ok_or("no inline")?;
            naive::check_inline(
                &policies,
                str_field(inline, "type"),
                str_field(inline, "source"),
                str_field(inline, "nonce"),
                inline
                    .get("parser_inserted")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
        }
        "eval" => match str_field(case, "eval") {
            "javascript" => naive::check_string_compilation(
                &policies,
                Some("eval"),
                str_field(case, "source"),
                case.get("trusted_script")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
            other => naive::check_eval(&policies, other),
        },
        "trusted-types-policy" => {
            let created: Vec<&str> = case
                .get("created_names")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            naive::check_trusted_types_policy(&policies, str_field(case, "policy_name"), &created)
        }
        "trusted-types-sink" => {
            let group = case
                .get("sink_group")
                .and_then(Value::as_str)
                .unwrap_or("script");
            let outcome = naive::check_sink_type_mismatch(
                &policies,
                str_field(case, "sink"),
                group,
                str_field(case, "source"),
            );
            let mut result = outcome_json(&outcome);
            result["requires"] = json!(naive::does_sink_type_require_trusted_types(
                &policies, group, false
            ));
            result["requires_report_only"] = json!(naive::does_sink_type_require_trusted_types(
                &policies, group, true
            ));
            return Ok(result);
        }
        "frame-ancestors" => {
            let ancestors: Vec<&str> = case
                .get("ancestors")
                .and_then(Value::as_array)
                .ok_or("no ancestors")?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            naive::check_frame_ancestors(&policies, document, &ancestors)
                .ok_or("a URL does not parse")?
        }
        "navigation" => naive::check_navigation(
            &policies,
            document,
            &request_of(case)?,
            str_field(case, "navigation"),
        )
        .ok_or("a URL does not parse")?,
        other => return Err(format!("unknown kind {other}")),
    };
    Ok(outcome_json(&outcome))
}

/// `score.py`'s `norm_violations`: keep only directive + disposition, and the sample where
/// the expected entry (`like`, at the same position) gives one.
fn norm_violations(v: Option<&Value>, like: Option<&Value>) -> Value {
    let like = like.and_then(Value::as_array);
    match v.and_then(Value::as_array) {
        Some(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    let mut entry = json!({"directive": i.get("directive"), "disposition": i.get("disposition")});
                    if like.and_then(|l| l.get(n)).is_some_and(|r| r.get("sample").is_some()) {
                        entry["sample"] = i.get("sample").cloned().unwrap_or(Value::Null);
                    }
                    entry
                })
                .collect(),
        ),
        None => v.cloned().unwrap_or(Value::Null),
    }
}

/// `score.py`'s `check`: Ok(()) on pass, Err((expected, got)) on failure.
fn compare(case: &Value, got: &Value) -> Result<(), (Value, Value)> {
    let expect = case.get("expect").cloned().unwrap_or(Value::Null);
    if case.get("kind").and_then(Value::as_str) == Some("parse") {
        let want = expect.get("policies").cloned().unwrap_or(Value::Null);
        let have = got.get("policies").cloned().unwrap_or(Value::Null);
        if want == have {
            return Ok(());
        }
        return Err((json!({ "policies": want }), json!({ "policies": have })));
    }
    let exp_result = expect.get("result").cloned().unwrap_or(Value::Null);
    let got_result = got.get("result").cloned().unwrap_or(Value::Null);
    let mut want = json!({ "result": exp_result });
    let mut have = json!({ "result": got_result });
    let mut ok = exp_result == got_result;
    if exp_result == "blocked" {
        if let Some(directive) = expect.get("directive") {
            want["directive"] = directive.clone();
            have["directive"] = got.get("directive").cloned().unwrap_or(Value::Null);
            ok = ok && got.get("directive") == Some(directive);
        }
    }
    if expect.get("violations").is_some() {
        want["violations"] = norm_violations(expect.get("violations"), expect.get("violations"));
        have["violations"] = norm_violations(got.get("violations"), expect.get("violations"));
        ok = ok && want["violations"] == have["violations"];
    }
    for flag in ["requires", "requires_report_only"] {
        if let Some(w) = expect.get(flag) {
            want[flag] = w.clone();
            have[flag] = got.get(flag).cloned().unwrap_or(Value::Null);
            ok = ok && got.get(flag) == Some(w);
        }
    }
    if ok {
        Ok(())
    } else {
        Err((want, have))
    }
}

/// The case ids `tests/conformance/expected_failures.txt` lists with a reason: the runner's
/// known failures, which the oracle may share (the same decision is missing from both).
fn expected_failures() -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/expected_failures.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" -- "))
        .filter(|(id, why)| !id.starts_with("kind:") && !why.trim().is_empty())
        .map(|(id, _)| id.trim().to_owned())
        .collect()
}

#[test]
fn naive_oracle_passes_every_conformance_case() {
    let dir = cases_dir();
    let known = expected_failures();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());

    // (file, kind) -> (passed, failed)
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = 0;
    // With NAIVE_RESULTS=path set, also write the runner's result lines (SCHEMA.md
    // "The runner") so that `score.py` can cross-check this comparison.
    let mut results_out = String::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let case: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON: {e}", n + 1));
            total += 1;
            let id = str_field(&case, "id").to_string();
            let kind = str_field(&case, "kind").to_string();
            let entry = counts.entry((name.clone(), kind)).or_default();
            let verdict = match evaluate(&case) {
                Ok(got) => {
                    let mut line = got.clone();
                    line["id"] = json!(id);
                    results_out.push_str(&line.to_string());
                    results_out.push('\n');
                    compare(&case, &got)
                }
                Err(why) => Err((
                    case.get("expect").cloned().unwrap_or(Value::Null),
                    json!({ "error": why }),
                )),
            };
            match verdict {
                Ok(()) => entry.0 += 1,
                Err((want, have)) if known.contains(&id) => {
                    println!("expected failure (expected_failures.txt): {id}: {want} / {have}");
                }
                Err((want, have)) => {
                    entry.1 += 1;
                    failures.push(format!(
                        "  {id}\n    expected: {want}\n    got:      {have}"
                    ));
                }
            }
        }
    }

    if let Some(path) = std::env::var_os("NAIVE_RESULTS") {
        std::fs::write(&path, &results_out).expect("write NAIVE_RESULTS");
    }
    println!("naive oracle over {total} conformance cases:");
    for ((file, kind), (passed, failed)) in &counts {
        println!("  {file:<18} {kind:<16} {passed:>4} passed, {failed:>3} failed");
    }
    let passed: usize = counts.values().map(|c| c.0).sum();
    println!("  total: {passed} passed, {} failed", failures.len());
    if !failures.is_empty() {
        println!("failures ({}):", failures.len());
        for f in &failures {
            println!("{f}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} conformance cases failed",
        failures.len()
    );
}
