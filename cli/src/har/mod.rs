//! HAR files exported from a browser's developer tools or recorded by Playwright: the
//! page's document URL and policies, the contexts its requests ran in (frames, workers,
//! documents a navigation switched to, each with its own policies), and each entry's request.
//!
//! - `model.rs`: the HAR's fields, and decoding (UTF-8 with or without a byte-order mark,
//!   UTF-16, stray Latin-1 bytes);
//! - `infer.rs`: each entry's Fetch destination, one function per inference step;
//! - `contexts.rs`: which context made each entry, navigations, frames, workers, and
//!   redirect chains.
//!
//! Entries are read one by one, so that a broken entry is named by its number.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cspgate::url::Url;

use crate::input::{read_bytes, PolicyText};
use crate::progress;
use crate::requests::{parse_url, RequestSpec};

mod contexts;
mod html;
mod infer;
mod model;

use contexts::{Builder, Placed};
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
    /// The contexts the requests ran in: the page first (when the HAR has its document),
    /// then frames, workers and later top-level documents, in HAR order.
    pub contexts: Vec<crate::contexts::Context>,
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
    let chosen: Vec<(usize, &Entry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| match (&selected, &e.pageref) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        })
        .map(|(i, e)| (i + 1, e))
        .collect();
    let all: Vec<&Entry> = chosen.iter().map(|(_, e)| *e).collect();
    let mut builder = Builder::new(&all);
    let bar = progress::bar(chosen.len() as u64, "reading HAR");
    let mut skipped: Vec<&'static str> = Vec::new();
    for (number, entry) in chosen {
        bar.inc(1);
        let url = parse_url(entry.request.url.trim())
            .with_context(|| format!("{name}: entry {number}"))?;
        let guess = match infer(entry, &url) {
            Ok(g) => g,
            Err(reason) => {
                skipped.push(reason);
                continue;
            }
        };
        match builder.place(number, entry, guess.spec, guess.top_level, &mut out.notes) {
            Placed::Request(spec) => out.requests.push(*spec),
            Placed::PageDocument => {}
            Placed::Skipped(reason) => skipped.push(reason),
        }
        out.requests.append(&mut builder.inline);
    }
    bar.finish_and_clear();
    match builder.page() {
        Some(p) => {
            out.document = Some(p.url.clone());
            out.policies = p.policies.clone();
        }
        None => out.notes.push(format!(
            "{name} has no document entry: give the page's URL with --document and its policy with --policy"
        )),
    }
    out.contexts = builder.contexts;
    if let Some(n) = skipped_note(&skipped) {
        out.notes.push(n);
    }
    Ok(out)
}

/// `skipped 3 HAR entries: 2 × a CORS preflight ..., 1 × ...`.
fn skipped_note(skipped: &[&str]) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for r in skipped {
        match reasons.iter_mut().find(|(x, _)| x == r) {
            Some((_, n)) => *n += 1,
            None => reasons.push((r, 1)),
        }
    }
    let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} × {r}")).collect();
    Some(format!(
        "skipped {} HAR entr{}: {}",
        skipped.len(),
        if skipped.len() == 1 { "y" } else { "ies" },
        list.join(", ")
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use cspgate::url::Url;
    use cspgate::Destination;

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
