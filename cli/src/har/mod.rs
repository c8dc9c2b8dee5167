//! HAR files exported from a browser's developer tools: the page's document URL and policies,
//! and each entry's request with its Fetch destination inferred.
//!
//! Inference, most reliable first:
//!
//! 1. a WebSocket handshake (`_resourceType: websocket`, `Upgrade: websocket`,
//!    `Sec-Fetch-Dest: websocket` or a `ws(s)` URL) is the empty destination, checked with its
//!    `ws:`/`wss:` URL as the WebSocket API hands it over;
//! 2. the `Sec-Fetch-Dest` request header is the Fetch destination (`empty` is `""`);
//! 3. Chromium's `_resourceType` (document, stylesheet, image, media, font, script,
//!    texttrack, xhr, fetch, eventsource, websocket, manifest, ping, ...);
//! 4. the response MIME type, then the `Accept` request header (Firefox HARs have no
//!    `_resourceType`, and old ones no `Sec-Fetch-Dest`);
//! 5. otherwise a `fetch()`-like request (the empty destination).
//!
//! The first document entry is the page (following its redirects); a document entry after it
//! is a frame (`iframe`), unless `Sec-Fetch-Dest: document` says it is a later top-level
//! navigation. `_initiator.type` gives the parser metadata (`parser` → parser-inserted,
//! `script` → not parser-inserted), and `Sec-Purpose: prefetch` the `prefetch` initiator.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cspgate::url::Url;
use cspgate::{Destination, Disposition};

use crate::input::{read_bytes, PolicyText};
use crate::progress;
use crate::requests::{parse_url, RequestSpec};

mod infer;
mod model;

use infer::infer;
use model::{Entry, HarFile, Page};

/// What a HAR says about one page.
#[derive(Clone, Debug, Default)]
pub struct HarPage {
    /// The URL of the page's document (after redirects), if the HAR has a document entry.
    pub document: Option<Url>,
    /// The `Content-Security-Policy` and `Content-Security-Policy-Report-Only` header values of
    /// the document response, in order.
    pub policies: Vec<PolicyText>,
    /// The requests the page made, in HAR order, the document itself left out.
    pub requests: Vec<RequestSpec>,
    /// Things worth telling the user (skipped entries, ignored headers, several pages).
    pub notes: Vec<String>,
}

/// Reads and interprets a HAR file. `page` (1-based) picks one of several pages.
///
/// # Errors
///
/// An unreadable file, invalid JSON, a file that is not a HAR, a HAR without entries, an
/// entry with an invalid URL, a page number out of range.
pub fn read(path: &Path, page: Option<usize>) -> Result<HarPage> {
    let bytes = read_bytes(path)?;
    let name = path.display().to_string();
    let (text, decoding) = model::decode(&bytes);
    let mut har = parse(&text, &name, page)?;
    match decoding {
        model::Decoding::Utf8 => {}
        model::Decoding::Utf16 => har.notes.push(format!("{name} is UTF-16; read as such")),
        model::Decoding::Latin1Bytes => har.notes.push(format!(
            "{name} is not valid UTF-8: its stray bytes were read as Latin-1 characters"
        )),
    }
    Ok(har)
}

/// [`read`] on the text of a HAR file; `name` labels error messages.
///
/// # Errors
///
/// As [`read`].
pub fn parse(text: &str, name: &str, page: Option<usize>) -> Result<HarPage> {
    let har: HarFile = serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => anyhow!("{name} is not a valid HAR file: {e}"),
            _ => anyhow!("{name} is not valid JSON: {e}"),
        }
    })?;
    let log = har
        .log
        .ok_or_else(|| anyhow!("{name} is not a HAR file: it has no \"log\" object"))?;
    let entries = log
        .entries
        .ok_or_else(|| anyhow!("{name} is not a HAR file: it has no \"log.entries\" list"))?;
    if entries.is_empty() {
        bail!("{name} has no entries: export the HAR after the page has loaded");
    }
    let entries = entries
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value::<Entry>(v)
                .map_err(|e| anyhow!("{name}: entry {} is not a valid HAR entry: {e}", i + 1))
        })
        .collect::<Result<Vec<Entry>>>()?;
    let mut out = HarPage::default();
    let selected = select_page(&log.pages, page, name, &mut out.notes)?;
    let bar = progress::bar(entries.len() as u64, "reading HAR");
    let mut main: Option<MainDocument<'_>> = None;
    let mut skipped: Vec<(usize, &'static str)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        bar.inc(1);
        let number = i + 1;
        if let (Some(want), Some(got)) = (&selected, &entry.pageref) {
            if want != got {
                continue;
            }
        }
        let url = parse_url(entry.request.url.trim())
            .with_context(|| format!("{name}: entry {number}"))?;
        let guess = match infer(entry, &url) {
            Ok(g) => g,
            Err(reason) => {
                skipped.push((number, reason));
                continue;
            }
        };
        if guess.spec.destination == Destination::Document {
            match &main {
                None => {
                    main = Some(MainDocument::new(entry, url));
                    continue;
                }
                Some(m) if m.redirects_to(&url) => {
                    skipped.push((number - 1, "a redirect of the page's document"));
                    main = Some(MainDocument::new(entry, url));
                    continue;
                }
                Some(_) => {}
            }
            let mut spec = guess.spec;
            if guess.top_level {
                // Sec-Fetch-Dest: document after the page: a later top-level navigation.
                spec.api = Some("navigation");
            } else {
                // A document after the page's own is a frame.
                spec.destination = Destination::IFrame;
            }
            spec.entry = Some(number);
            out.requests.push(spec);
            continue;
        }
        let mut spec = guess.spec;
        spec.entry = Some(number);
        out.requests.push(spec);
    }
    bar.finish_and_clear();
    if let Some(m) = main {
        out.policies = m.policies(&mut out.notes);
        out.document = Some(m.url);
    } else {
        out.notes.push(format!(
            "{name} has no document entry: give the page's URL with --document and its policy with --policy"
        ));
    }
    if !skipped.is_empty() {
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for (_, r) in &skipped {
            match reasons.iter_mut().find(|(x, _)| x == r) {
                Some((_, n)) => *n += 1,
                None => reasons.push((r, 1)),
            }
        }
        let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} × {r}")).collect();
        out.notes.push(format!(
            "skipped {} HAR entr{}: {}",
            skipped.len(),
            if skipped.len() == 1 { "y" } else { "ies" },
            list.join(", ")
        ));
    }
    Ok(out)
}

/// Picks the page whose entries to read: `None` when the HAR has no pages (every entry counts).
fn select_page(
    pages: &[Page],
    page: Option<usize>,
    name: &str,
    notes: &mut Vec<String>,
) -> Result<Option<String>> {
    match page {
        Some(n) => {
            let p = n.checked_sub(1).and_then(|i| pages.get(i)).ok_or_else(|| {
                anyhow!(
                    "{name} has {} page(s); --page {n} is not one of them",
                    pages.len()
                )
            })?;
            Ok(Some(p.id.clone()))
        }
        None if pages.len() > 1 => {
            notes.push(format!(
                "{name} has {} pages; reading page 1 ({}), use --page N for another",
                pages.len(),
                pages[0].title
            ));
            Ok(Some(pages[0].id.clone()))
        }
        None => Ok(None),
    }
}

/// The page's document entry, possibly a redirect to the next one.
struct MainDocument<'h> {
    entry: &'h Entry,
    url: Url,
}

impl<'h> MainDocument<'h> {
    fn new(entry: &'h Entry, url: Url) -> Self {
        MainDocument { entry, url }
    }

    /// Is this document a redirect (3xx) to `next`? A redirect without a target accepts the
    /// next document.
    fn redirects_to(&self, next: &Url) -> bool {
        self.entry
            .redirect_target(&self.url)
            .is_some_and(|t| t.is(next))
    }

    /// The policies of the document response's headers. A header value that holds line
    /// breaks is several header lines merged.
    fn policies(&self, notes: &mut Vec<String>) -> Vec<PolicyText> {
        let mut out = Vec::new();
        for h in &self.entry.response.headers {
            let disposition = match h.name.to_ascii_lowercase().as_str() {
                "content-security-policy" => Disposition::Enforce,
                "content-security-policy-report-only" => Disposition::Report,
                "x-content-security-policy" | "x-webkit-csp" => {
                    notes.push(format!(
                        "the document's {} header is a pre-standard prefixed header that browsers ignore; it was not read",
                        h.name
                    ));
                    continue;
                }
                _ => continue,
            };
            for value in h.value.split('\n').map(str::trim).filter(|v| !v.is_empty()) {
                out.push(PolicyText::header(
                    value,
                    disposition,
                    format!("HAR: {} response header", h.name),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(entries: &[&str], pages: &str) -> String {
        format!(
            r#"{{"log":{{"pages":[{pages}],"entries":[{}]}}}}"#,
            entries.join(",")
        )
    }

    fn doc_entry(url: &str, page: &str, status: u16, headers: &str) -> String {
        format!(
            r#"{{"pageref":"{page}","request":{{"url":"{url}","headers":[{{"name":"Sec-Fetch-Dest","value":"document"}}]}},"response":{{"status":{status},"headers":[{headers}],"content":{{"mimeType":"text/html"}}}},"_resourceType":"document"}}"#
        )
    }

    #[test]
    fn redirects_pages_and_navigations() {
        let csp = r#"{"name":"Content-Security-Policy","value":"img-src 'self'\nscript-src 'none'"},{"name":"X-WebKit-CSP","value":"default-src *"}"#;
        let text = page(
            &[
                &doc_entry(
                    "http://a.test/",
                    "p1",
                    301,
                    r#"{"name":"Location","value":"https://a.test/"}"#,
                ),
                &doc_entry("https://a.test/", "p1", 200, csp),
                r#"{"pageref":"p1","request":{"url":"https://a.test/x.png"},"_resourceType":"image"}"#,
                &doc_entry("https://a.test/next", "p1", 200, ""),
                r#"{"pageref":"p1","request":{"url":"https://b.test/frame"},"response":{"content":{"mimeType":"text/html"}},"_resourceType":"document"}"#,
                &doc_entry("https://c.test/", "p2", 200, ""),
            ],
            r#"{"id":"p1","title":"A"},{"id":"p2","title":"C"}"#,
        );
        let p = parse(&text, "t.har", None).unwrap();
        assert_eq!(
            p.document.as_ref().map(Url::as_str),
            Some("https://a.test/")
        );
        let texts: Vec<&str> = p.policies.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["img-src 'self'", "script-src 'none'"]);
        let dests: Vec<(&str, Destination)> = p
            .requests
            .iter()
            .map(|r| (r.url.as_str(), r.destination))
            .collect();
        assert_eq!(
            dests,
            [
                ("https://a.test/x.png", Destination::Image),
                ("https://a.test/next", Destination::Document),
                ("https://b.test/frame", Destination::IFrame),
            ]
        );
        let notes = p.notes.join("\n");
        assert!(notes.contains("has 2 pages; reading page 1 (A)"), "{notes}");
        assert!(notes.contains("X-WebKit-CSP"), "{notes}");
        assert!(
            notes.contains("1 × a redirect of the page's document"),
            "{notes}"
        );
        let p2 = parse(&text, "t.har", Some(2)).unwrap();
        assert_eq!(
            p2.document.as_ref().map(Url::as_str),
            Some("https://c.test/")
        );
        assert!(p2.requests.is_empty());
        let e = parse(&text, "t.har", Some(3)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.har has 2 page(s); --page 3 is not one of them"
        );
    }

    #[test]
    fn entries_with_bad_urls_are_errors() {
        let text = page(&[r#"{"request":{"url":"https://a b/"}}"#], "");
        let e = parse(&text, "t.har", None).unwrap_err();
        assert!(
            format!("{e:#}").starts_with("t.har: entry 1: invalid URL"),
            "{e:#}"
        );
    }
}
