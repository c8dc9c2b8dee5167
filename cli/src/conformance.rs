//! The conformance runner: evaluates cases in the format of `shared/conformance/SCHEMA.md`.
//!
//! One JSON object per input line; one result line per case. A line that cannot be evaluated
//! (malformed JSON, an unknown kind, an unparsable URL) gets an `error` result; the runner
//! never stops early.

use std::io::{BufRead, Write};

use cspgate::url::Url;
use cspgate::{
    CompilationType, Destination, Disposition, DocumentPolicy, Initiator, InlineCheck, InlineType,
    NavigationType, ParserMetadata, PolicyList, PolicySource, Request, SinkGroup, Verdict,
};
use serde_json::{json, Map, Value};

/// Reads cases from `input`, writes one result line per non-blank line to `output`.
///
/// # Errors
///
/// Only I/O errors; bad cases become `error` lines.
pub fn run(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let result = evaluate_line(&line);
        serde_json::to_writer(&mut output, &result)?;
        output.write_all(b"\n")?;
    }
    output.flush()
}

/// Evaluates one line of JSON into its result object.
pub fn evaluate_line(line: &str) -> Value {
    let case: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"id": Value::Null, "error": format!("malformed JSON: {e}")}),
    };
    let id = case.get("id").cloned().unwrap_or(Value::Null);
    match evaluate(&case) {
        Ok(mut result) => {
            result.insert("id".into(), id);
            Value::Object(result)
        }
        Err(e) => json!({"id": id, "error": e}),
    }
}

fn evaluate(case: &Value) -> Result<Map<String, Value>, String> {
    let kind = str_field(case, "kind")?.ok_or("missing kind")?;
    match kind {
        "parse" => evaluate_parse(case),
        "request" => evaluate_request(case),
        "inline" => evaluate_inline(case),
        "eval" => evaluate_eval(case),
        "frame-ancestors" => evaluate_frame_ancestors(case),
        "navigation" => evaluate_navigation(case),
        "trusted-types-policy" => evaluate_trusted_types_policy(case),
        "trusted-types-sink" => evaluate_trusted_types_sink(case),
        other => Err(format!("kind {other:?} is not supported")),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} is not a string")),
    }
}

fn source_of(v: &Value) -> Result<PolicySource, String> {
    match str_field(v, "source")?.unwrap_or("header") {
        "header" => Ok(PolicySource::Header),
        "meta" => Ok(PolicySource::Meta),
        other => Err(format!("unknown source {other:?}")),
    }
}

fn evaluate_parse(case: &Value) -> Result<Map<String, Value>, String> {
    let text = str_field(case, "text")?.ok_or("missing text")?;
    let list = PolicyList::parse(text, Disposition::Enforce, source_of(case)?);
    let policies: Vec<Value> = list
        .iter()
        .map(|p| {
            let directives: Vec<Value> = p
                .directives()
                .map(|d| json!([d.name().as_str(), d.tokens().collect::<Vec<_>>()]))
                .collect();
            json!({ "directives": directives })
        })
        .collect();
    let mut out = Map::new();
    out.insert("policies".into(), Value::Array(policies));
    Ok(out)
}

/// Builds the policy list of a case's `policies` array.
pub fn policy_list(case: &Value) -> Result<PolicyList, String> {
    let mut list = PolicyList::new();
    let policies = case
        .get("policies")
        .and_then(Value::as_array)
        .ok_or("missing policies")?;
    for p in policies {
        let text = str_field(p, "text")?.ok_or("policy without text")?;
        let disposition = match str_field(p, "disposition")?.unwrap_or("enforce") {
            "enforce" => Disposition::Enforce,
            "report" => Disposition::Report,
            other => return Err(format!("unknown disposition {other:?}")),
        };
        list.append(PolicyList::parse(text, disposition, source_of(p)?));
    }
    Ok(list)
}

fn parse_url(s: &str) -> Result<Url, String> {
    Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))
}

/// The case's protected document: its URL and its compiled policy.
fn document_policy(case: &Value) -> Result<(Url, DocumentPolicy), String> {
    let document = parse_url(str_field(case, "document")?.ok_or("missing document")?)?;
    let policy = DocumentPolicy::new(&document, policy_list(case)?);
    Ok((document, policy))
}

fn evaluate_request(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let r = case.get("request").ok_or("missing request")?;
    let url = parse_url(str_field(r, "url")?.ok_or("request without url")?)?;
    let destination: Destination = str_field(r, "destination")?
        .unwrap_or("")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let initiator: Initiator = str_field(r, "initiator")?
        .unwrap_or("")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let parser_metadata: ParserMetadata = str_field(r, "parser_metadata")?
        .unwrap_or("")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let redirect_count = redirect_count_of(r)?;
    let request = Request::new(&url, destination)
        .initiator(initiator)
        .parser_metadata(parser_metadata)
        .redirect_count(redirect_count)
        .nonce(str_field(r, "nonce")?.unwrap_or(""))
        .integrity(str_field(r, "integrity")?.unwrap_or(""));
    let verdict = policy.check_request(&request);
    Ok(verdict_json(&verdict))
}

fn redirect_count_of(r: &Value) -> Result<u32, String> {
    match r.get("redirect_count") {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| "redirect_count is not a small non-negative integer".to_owned()),
    }
}

/// kind `inline`: `inline.type`, `inline.source`, `inline.nonce` (empty: the element has no
/// nonce attribute, so it is not nonceable), `inline.parser_inserted` (default true).
fn evaluate_inline(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let i = case.get("inline").ok_or("missing inline")?;
    let kind: InlineType = str_field(i, "type")?
        .ok_or("inline without type")?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let nonce = str_field(i, "nonce")?.unwrap_or("");
    let parser_inserted = match i.get("parser_inserted") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("parser_inserted is not a boolean".into()),
    };
    let check = InlineCheck::new(kind, str_field(i, "source")?.unwrap_or(""))
        .nonce(nonce)
        .nonceable(!nonce.is_empty())
        .parser_inserted(parser_inserted);
    let verdict = policy.check_inline(&check);
    Ok(verdict_json(&verdict))
}

/// kind `eval`: `"eval": "javascript"` or `"wasm"`; for JavaScript, `source` (the string) and
/// `trusted_script` (it is a `TrustedScript`) feed the Trusted Types steps.
fn evaluate_eval(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let source = str_field(case, "source")?.unwrap_or("");
    let trusted = bool_field(case, "trusted_script", false)?;
    match str_field(case, "eval")?.ok_or("missing eval")? {
        "javascript" => Ok(verdict_json(&policy.check_string_compilation(
            CompilationType::Eval,
            source,
            trusted,
        ))),
        "wasm" => Ok(verdict_json(&policy.check_wasm())),
        other => Err(format!("unknown eval kind {other:?}")),
    }
}

fn bool_field(v: &Value, key: &str, default: bool) -> Result<bool, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{key} is not a boolean")),
    }
}

/// kind `trusted-types-policy`: `policy_name` passed to `createPolicy()`, `created_names` the
/// names already created.
fn evaluate_trusted_types_policy(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let name = str_field(case, "policy_name")?.ok_or("missing policy_name")?;
    let created = match case.get("created_names") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|n| n.as_str().ok_or("created_names holds a non-string"))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err("created_names is not an array".into()),
    };
    Ok(verdict_json(
        &policy.check_trusted_types_policy(name, &created),
    ))
}

/// kind `trusted-types-sink`: a plain string `source` at `sink` of `sink_group` (default
/// `script`), with no default policy. A group the spec does not define is named by no
/// policy: nothing requires trusted types for it.
fn evaluate_trusted_types_sink(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let sink = str_field(case, "sink")?.ok_or("missing sink")?;
    let source = str_field(case, "source")?.ok_or("missing source")?;
    let group = str_field(case, "sink_group")?.unwrap_or("script");
    let mut out = match group.parse::<SinkGroup>() {
        Ok(group) => {
            let mut out = verdict_json(&policy.check_sink_type_mismatch(sink, group, source));
            out.insert(
                "requires".into(),
                json!(policy.requires_trusted_types(group, false)),
            );
            out.insert(
                "requires_report_only".into(),
                json!(policy.requires_trusted_types(group, true)),
            );
            out
        }
        Err(_) => {
            let mut out = verdict_json(&Verdict::default());
            out.insert("requires".into(), json!(false));
            out.insert("requires_report_only".into(), json!(false));
            out
        }
    };
    out.entry("violations").or_insert_with(|| json!([]));
    Ok(out)
}

/// kind `frame-ancestors`: the framed response is `document`; `ancestors` are the URLs of
/// the embedding documents, whose origins are checked.
fn evaluate_frame_ancestors(case: &Value) -> Result<Map<String, Value>, String> {
    let (document, policy) = document_policy(case)?;
    let ancestors = case
        .get("ancestors")
        .and_then(Value::as_array)
        .ok_or("missing ancestors")?
        .iter()
        .map(|a| {
            a.as_str()
                .ok_or_else(|| "ancestor is not a string".to_owned())
                .and_then(parse_url)
                .map(|u| u.origin())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let verdict = policy.check_navigation_response(&document, &ancestors);
    Ok(verdict_json(&verdict))
}

/// kind `navigation`: `request.url` (and `redirect_count`) navigated to by the document,
/// `navigation` `form-submission` or `other`.
fn evaluate_navigation(case: &Value) -> Result<Map<String, Value>, String> {
    let (_, policy) = document_policy(case)?;
    let r = case.get("request").ok_or("missing request")?;
    let url = parse_url(str_field(r, "url")?.ok_or("request without url")?)?;
    let destination: Destination = str_field(r, "destination")?
        .unwrap_or("document")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let navigation: NavigationType = str_field(case, "navigation")?
        .unwrap_or("other")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let request = Request::new(&url, destination).redirect_count(redirect_count_of(r)?);
    let verdict = policy.check_navigation_request(&request, navigation);
    Ok(verdict_json(&verdict))
}

/// The `result`, `directive` and `violations` keys of a verdict.
pub fn verdict_json(verdict: &Verdict<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "result".into(),
        json!(if verdict.is_blocked() {
            "blocked"
        } else {
            "allowed"
        }),
    );
    if let Some(v) = verdict
        .violations()
        .iter()
        .find(|v| v.disposition() == Disposition::Enforce)
    {
        out.insert("directive".into(), json!(v.directive().as_str()));
    }
    let violations: Vec<Value> = verdict
        .violations()
        .iter()
        .map(|v| {
            json!({
                "directive": v.directive().as_str(),
                "disposition": v.disposition().as_str(),
                "sample": v.full_sample(),
            })
        })
        .collect();
    out.insert("violations".into(), Value::Array(violations));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_become_errors_and_never_stop_the_run() {
        let input = "not json\n\n{\"id\":\"x\"}\n{\"id\":\"y\",\"kind\":\"request\",\"policies\":[],\"document\":\"::\",\"request\":{\"url\":\"https://a/\"}}\n{\"id\":\"z\",\"kind\":\"parse\",\"text\":\"img-src a\"}\n";
        let mut out = Vec::new();
        run(input.as_bytes(), &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("malformed JSON"));
        assert_eq!(lines[1]["id"], "x");
        assert!(lines[1].get("error").is_some());
        assert!(lines[2]["error"].as_str().unwrap().contains("invalid URL"));
        assert_eq!(lines[3]["policies"][0]["directives"][0][0], "img-src");
    }
}
