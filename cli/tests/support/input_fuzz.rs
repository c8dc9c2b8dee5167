//! The body of the `cli_input` fuzz target (`fuzz/fuzz_targets/cli_input.rs`), shared with
//! the stable smoke test `tests/input_fuzz.rs`: the CLI's input readers on hostile bytes.
//!
//! Every input goes through the text decoder (invalid UTF-8); then JSON goes through the HAR
//! reader (with no page, page 1 and page 2 selected), and the same bytes drive [`GenHar`], a
//! HAR-shaped JSON document whose every field may be missing, `null`, or of the wrong type;
//! other text goes through the request-list and policy-file readers. What must hold:
//!
//! - no panic, in the readers or in what runs on what they read (`check`, its table and JSON,
//!   `explain`);
//! - an error is one non-empty line (the binary prints it as `cspgate: error: ...` and exits
//!   2, as `tests/cli.rs` shows for each reader).

#![allow(dead_code, unreachable_pub)]

use arbitrary::{Arbitrary, Unstructured};
use cspgate_cli::app::Inputs;
use cspgate_cli::contexts::Context;
use cspgate_cli::input::{self, Policies, PolicyText};
use cspgate_cli::{check, explain, har, report, requests};
use serde_json::{Map, Number, Value};

/// Asserts that a reader's error is one line, as the binary prints it.
pub fn assert_one_line(e: &anyhow::Error, what: &str) {
    let line = format!("{e:#}");
    assert!(!line.is_empty(), "{what}: an empty error");
    assert!(
        !line.contains(['\n', '\r']),
        "{what}: the error is not one line: {line:?}"
    );
}

/// What one input produced, for the smoke test's sanity counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// Readers that accepted the input.
    pub accepted: usize,
    /// Readers that rejected it (with a one-line error).
    pub rejected: usize,
}

impl Outcome {
    fn tally<T>(&mut self, r: &anyhow::Result<T>, what: &str) {
        match r {
            Ok(_) => self.accepted += 1,
            Err(e) => {
                assert_one_line(e, what);
                self.rejected += 1;
            }
        }
    }
}

/// What the readers produced goes on to `check` and `explain` only when it is this small: the
/// target is the readers, and the library has its own fuzz targets.
const MAX_POLICIES: usize = 4;
const MAX_REQUESTS: usize = 16;

/// The document and policy that request lists are checked against.
const DOCUMENT: &str = "https://app.example.com/";
const POLICY: &str = "default-src 'self'; img-src * data:; script-src 'nonce-n' 'strict-dynamic'";

/// Runs everything on `data`.
pub fn run(data: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let decoded = input::decode(data.to_vec(), "fuzz.txt");
    out.tally(&decoded, "decode");
    // Invalid UTF-8 still exercises the readers, as the replacement characters a lossy
    // reader would see.
    let text = match decoded {
        Ok(t) => t,
        Err(_) => String::from_utf8_lossy(data).into_owned(),
    };
    // JSON goes to the HAR reader (and drives the generator); anything else to the line
    // readers. (Each reader's first-byte errors are cheap and the same for all other text.)
    if text.trim_start().starts_with(['{', '[']) {
        read_har(&text, &mut out);
        if let Ok(generated) = GenHar::arbitrary_take_rest(Unstructured::new(data)) {
            if let Ok(json) = serde_json::to_string(&generated.0) {
                read_har(&json, &mut out);
            }
        }
    } else {
        read_requests(&text, &mut out);
        read_policies(&text, &mut out);
        out.tally(&har::parse(&text, "fuzz.har", None), "HAR");
    }
    out
}

fn read_har(text: &str, out: &mut Outcome) {
    // Page selection matters only when there are pages.
    let pages: &[Option<usize>] = if text.contains("pages") {
        &[None, Some(1), Some(2)]
    } else {
        &[None]
    };
    for &page in pages {
        let r = har::parse(text, "fuzz.har", page);
        out.tally(&r, "HAR");
        let Ok(page) = r else { continue };
        for n in &page.notes {
            assert!(!n.contains('\n'), "a note is one line: {n:?}");
        }
        if page.policies.len() > MAX_POLICIES || page.requests.len() > MAX_REQUESTS {
            continue;
        }
        let document = page.document.clone().unwrap_or_else(doc);
        let mut contexts = page.contexts.clone();
        if contexts.is_empty() {
            contexts.push(Context::page(document.clone(), page.policies.clone()));
        }
        let documents = cspgate_cli::contexts::document_policies(&contexts);
        let outcomes = check::check_in(&documents, &page.requests);
        assert_eq!(outcomes.len(), page.requests.len());
        let inputs = Inputs {
            document,
            policies: Policies::new(page.policies.clone()),
            requests: page.requests.clone(),
            contexts,
        };
        let _ = report::table(&inputs, &outcomes);
        let _ = report::json_lines(&outcomes, &inputs.contexts);
        let _ = explain::explain(&page.policies, page.document.as_ref());
    }
}

fn read_requests(text: &str, out: &mut Outcome) {
    let r = requests::parse_list(text, "fuzz.txt");
    out.tally(&r, "request list");
    if let Some(list) = r.ok().filter(|l| l.len() <= MAX_REQUESTS) {
        let policies = Policies::new(vec![PolicyText::header(
            POLICY,
            cspgate::Disposition::Enforce,
            "--policy",
        )]);
        let outcomes = check::check(&doc(), &policies.list, &list);
        let contexts = vec![Context::page(doc(), policies.texts.clone())];
        let inputs = Inputs {
            document: doc(),
            policies,
            requests: list,
            contexts,
        };
        let _ = report::table(&inputs, &outcomes);
        let _ = report::json_lines(&outcomes, &inputs.contexts);
    }
    // The first line as a command-line argument.
    if let Some(line) = text.lines().next() {
        out.tally(&requests::parse_arg(line), "argument");
    }
}

fn read_policies(text: &str, out: &mut Outcome) {
    let texts = input::parse_policy_file(text, "fuzz.txt");
    out.accepted += 1;
    if texts.len() > MAX_POLICIES {
        return;
    }
    let policies = Policies::new(texts.clone());
    let _ = policies.headings();
    let _ = explain::explain(&texts, Some(&doc()));
    let Ok(list) = requests::parse_list("script https://cdn.test/a.js\n- wss://x.test/", "r")
    else {
        unreachable!("the fixed request list parses");
    };
    let _ = check::check(&doc(), &policies.list, &list);
}

fn doc() -> cspgate::url::Url {
    match cspgate::url::Url::parse(DOCUMENT) {
        Ok(u) => u,
        Err(_) => unreachable!("the fixed document URL parses"),
    }
}

/// A HAR-shaped JSON document: the fields a HAR reader looks at, each missing, `null`, of its
/// type, or of a wrong one.
#[derive(Debug)]
pub struct GenHar(pub Value);

/// Object keys: HAR's fields and the extensions the reader knows.
const KEYS: &[&str] = &[
    "log",
    "entries",
    "pages",
    "id",
    "title",
    "pageref",
    "request",
    "response",
    "method",
    "url",
    "headers",
    "name",
    "value",
    "status",
    "content",
    "mimeType",
    "redirectURL",
    "_resourceType",
    "_initiator",
    "type",
    "version",
];

/// String values: URLs, header names and values, resource types, MIME types.
const STRINGS: &[&str] = &[
    "",
    "https://app.example.com/",
    "http://app.example.com/",
    "https://app.example.com/a.js",
    "wss://push.example.com/",
    "data:image/png;base64,AA",
    "blob:https://app.example.com/uuid",
    "chrome-extension://abc/x.js",
    "app.example.com/x",
    "https://exa mple.com/",
    "https://a.test:99999/",
    "/relative",
    "Content-Security-Policy",
    "content-security-policy-report-only",
    "X-WebKit-CSP",
    "default-src 'self'; img-src *",
    "script-src 'none'\nimg-src 'self'",
    "Sec-Fetch-Dest",
    "document",
    "empty",
    "websocket",
    "iframe",
    "Upgrade",
    "Location",
    "Accept",
    "text/html",
    "text/css",
    "image/png",
    "application/javascript; charset=utf-8",
    "x-unknown",
    "Sec-Purpose",
    "prefetch;prerender",
    "OPTIONS",
    "Access-Control-Request-Method",
    "parser",
    "script",
    "xhr",
    "ping",
    "media",
    "preflight",
    "p1",
    "p2",
    "\u{0}",
    "é\u{FEFF}",
];

/// Status codes and odd numbers.
const NUMBERS: &[f64] = &[
    0.0, 200.0, 301.0, 302.0, 399.999, 400.0, -1.0, 1e300, -0.0, 0.5,
];

fn gen_value(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Value> {
    let choice = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match choice {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => Number::from_f64(*u.choose(NUMBERS)?).map_or(Value::Null, Value::Number),
        3 => Value::String((*u.choose(STRINGS)?).to_owned()),
        4 => Value::String(String::arbitrary(u)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(gen_value(u, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let n = u.int_in_range(0..=6)?;
            let mut map = Map::new();
            for _ in 0..n {
                let key = (*u.choose(KEYS)?).to_owned();
                map.insert(key, gen_value(u, depth - 1)?);
            }
            Value::Object(map)
        }
    })
}

impl<'a> Arbitrary<'a> for GenHar {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        // Mostly a HAR's skeleton, so that the generator reaches the entries; sometimes any
        // value at the top.
        if u.ratio(1, 8)? {
            return Ok(GenHar(gen_value(u, 5)?));
        }
        let n = u.int_in_range(0..=6)?;
        let mut entries = Vec::new();
        for _ in 0..n {
            let mut entry = Map::new();
            for key in [
                "pageref",
                "request",
                "response",
                "_resourceType",
                "_initiator",
            ] {
                if u.ratio(3, 4)? {
                    let v = if key == "request" || key == "response" {
                        gen_value(u, 3).map(|v| match v {
                            Value::Object(_) => v,
                            _ if u.ratio(1, 4).unwrap_or(false) => v,
                            _ => Value::Object(Map::new()),
                        })?
                    } else {
                        gen_value(u, 2)?
                    };
                    entry.insert(key.to_owned(), v);
                }
            }
            // A request object with a URL, most of the time.
            if let Some(Value::Object(req)) = entry.get_mut("request") {
                if u.ratio(3, 4)? {
                    req.insert(
                        "url".to_owned(),
                        Value::String((*u.choose(STRINGS)?).to_owned()),
                    );
                }
            }
            entries.push(Value::Object(entry));
        }
        let mut log = Map::new();
        if u.ratio(7, 8)? {
            log.insert("entries".to_owned(), Value::Array(entries));
        }
        if u.ratio(1, 2)? {
            log.insert("pages".to_owned(), gen_value(u, 2)?);
        }
        let mut top = Map::new();
        top.insert("log".to_owned(), Value::Object(log));
        Ok(GenHar(Value::Object(top)))
    }
}
