//! compat's Trusted Types answers against the repository's copy of the shared conformance
//! cases (`tests/conformance/cases/trusted-types.jsonl`, kinds `trusted-types-policy`,
//! `trusted-types-sink` and `eval`, defined by `tests/conformance/SCHEMA.md`). A `<meta>`
//! policy is parsed as Servo's `htmlmetaelement.rs` does: `Policy::parse` (no comma split),
//! then its ignored directives removed. An `eval` case runs the engine's sequence of 0.9 calls
//! for string compilation without a default policy: for a plain string, "does sink type
//! require trusted types?" (report-only included) and, if so, the sink type mismatch check
//! with sink `eval` (a block stops there); then `is_js_evaluation_allowed` (or
//! `is_wasm_evaluation_allowed`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test: broken fixtures should panic.

use std::path::Path;

use content_security_policy::*;
use serde_json::Value;

fn list(case: &Value) -> CspList {
    let mut list = CspList(Vec::new());
    for p in case["policies"].as_array().expect("policies") {
        let text = p["text"].as_str().expect("text");
        let disposition = match p["disposition"].as_str() {
            Some("report") => PolicyDisposition::Report,
            _ => PolicyDisposition::Enforce,
        };
        if p["source"].as_str() == Some("meta") {
            // HTML has no report-only <meta>.
            if disposition == PolicyDisposition::Report {
                continue;
            }
            let mut policy = Policy::parse(text, PolicySource::Meta, disposition);
            policy.directive_set.retain(|d| {
                !matches!(
                    d.name.as_str(),
                    "report-uri" | "frame-ancestors" | "sandbox"
                )
            });
            list.push(policy);
        } else {
            list.append(CspList::parse(text, PolicySource::Header, disposition));
        }
    }
    list
}

/// (directive, disposition, sample) of each violation.
fn got(violations: &[Violation]) -> Vec<(String, String, String)> {
    violations
        .iter()
        .map(|v| {
            let sample = match &v.resource {
                ViolationResource::TrustedTypePolicy { sample }
                | ViolationResource::TrustedTypeSink { sample } => sample.clone(),
                ViolationResource::Eval { sample } => sample.clone().unwrap_or_default(),
                ViolationResource::WasmEval => String::new(),
                other => format!("{other:?}"),
            };
            let disposition = match v.policy.disposition {
                PolicyDisposition::Enforce => "enforce",
                PolicyDisposition::Report => "report",
            };
            (v.directive.name.clone(), disposition.to_owned(), sample)
        })
        .collect()
}

fn want(expect: &Value) -> Vec<(String, String, String)> {
    expect["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            (
                v["directive"].as_str().unwrap().to_owned(),
                v["disposition"].as_str().unwrap().to_owned(),
                v["sample"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn trusted_types_cases() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/cases/trusted-types.jsonl");
    let text = std::fs::read_to_string(&path).expect("the repository's Trusted Types cases");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut per_kind = std::collections::BTreeMap::<String, usize>::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON case");
        let list = list(&case);
        let expect = &case["expect"];
        let (result, violations, requires_ok) = match case["kind"].as_str() {
            Some("trusted-types-policy") => {
                let created: Vec<&str> = case["created_names"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let name = case["policy_name"].as_str().expect("policy_name");
                let (r, v) = list.is_trusted_type_policy_creation_allowed(name, &created);
                (r, v, true)
            }
            Some("trusted-types-sink") => {
                let group = format!("'{}'", case["sink_group"].as_str().unwrap_or("script"));
                let requires_ok = list.does_sink_type_require_trusted_types(&group, false)
                    == expect["requires"].as_bool().expect("requires")
                    && list.does_sink_type_require_trusted_types(&group, true)
                        == expect["requires_report_only"]
                            .as_bool()
                            .expect("requires_report_only");
                let (r, v) = list.should_sink_type_mismatch_violation_be_blocked_by_csp(
                    case["sink"].as_str().expect("sink"),
                    &group,
                    case["source"].as_str().expect("source"),
                );
                (r, v, requires_ok)
            }
            Some("eval") => {
                let (r, v) = string_compilation(&list, &case);
                (r, v, true)
            }
            _ => continue,
        };
        checked += 1;
        *per_kind
            .entry(case["kind"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
        let blocked = expect["result"].as_str() == Some("blocked");
        if (result == CheckResult::Blocked) != blocked
            || got(&violations) != want(expect)
            || !requires_ok
        {
            failures.push(format!(
                "{}: got {result:?} {:?}",
                case["id"],
                got(&violations)
            ));
        }
    }
    assert!(checked > 0, "no trusted-types case in {}", path.display());
    assert!(
        failures.is_empty(),
        "{} of {checked} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} Trusted Types cases pass: {per_kind:?}");
}

/// The engine's string compilation checks, as 0.9 calls, without a default policy.
fn string_compilation(list: &CspList, case: &Value) -> (CheckResult, Vec<Violation>) {
    if case["eval"].as_str() == Some("wasm") {
        return list.is_wasm_evaluation_allowed();
    }
    let source = case["source"].as_str().unwrap_or("");
    let trusted = case["trusted_script"].as_bool().unwrap_or(false);
    let mut violations = Vec::new();
    // Trusted Types' "get trusted type compliant string" for a plain string: without a
    // default policy, a required trusted type is a sink type mismatch.
    if !trusted && list.does_sink_type_require_trusted_types("'script'", true) {
        let (result, v) =
            list.should_sink_type_mismatch_violation_be_blocked_by_csp("eval", "'script'", source);
        violations.extend(v);
        if result == CheckResult::Blocked {
            return (result, violations);
        }
    }
    let (result, v) = list.is_js_evaluation_allowed(source);
    violations.extend(v);
    (result, violations)
}
