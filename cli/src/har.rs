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
use cspgate::{Destination, Disposition, Initiator, ParserMetadata};
use serde::Deserialize;
use serde_json::Value;

use crate::input::{read_text, PolicyText};
use crate::progress;
use crate::requests::{parse_url, Inferred, RequestSpec};

#[derive(Deserialize)]
struct HarFile {
    log: Option<Log>,
}

#[derive(Deserialize)]
struct Log {
    #[serde(default)]
    pages: Vec<Page>,
    entries: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    id: String,
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct Entry {
    pageref: Option<String>,
    request: HarRequest,
    #[serde(default)]
    response: HarResponse,
    #[serde(rename = "_resourceType")]
    resource_type: Option<String>,
    #[serde(rename = "_initiator")]
    initiator: Option<Value>,
}

#[derive(Deserialize)]
struct HarRequest {
    #[serde(default)]
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<Header>,
}

#[derive(Deserialize, Default)]
struct HarResponse {
    #[serde(default)]
    status: f64,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    content: Content,
    #[serde(default, rename = "redirectURL")]
    redirect_url: String,
}

#[derive(Deserialize, Default)]
struct Content {
    #[serde(default, rename = "mimeType")]
    mime_type: String,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

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
    let text = read_text(path)?;
    parse(&text, &path.display().to_string(), page)
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
        let status = self.entry.response.status;
        if !(300.0..400.0).contains(&status) {
            return false;
        }
        let target = if self.entry.response.redirect_url.is_empty() {
            header(&self.entry.response.headers, "location").unwrap_or("")
        } else {
            &self.entry.response.redirect_url
        };
        if target.is_empty() {
            return true;
        }
        self.url
            .join(target)
            .is_ok_and(|t| t.as_str() == next.as_str())
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

/// One entry's inferred request.
struct Guess {
    spec: RequestSpec,
    /// `Sec-Fetch-Dest: document`: a top-level navigation, never a frame.
    top_level: bool,
}

fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.trim())
}

/// The MIME type without parameters, lower-case; empty for Chromium's `x-unknown` (no
/// response).
fn essence(mime: &str) -> String {
    let m = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if m == "x-unknown" {
        String::new()
    } else {
        m
    }
}

fn is_javascript(mime: &str) -> bool {
    matches!(
        mime,
        "application/javascript"
            | "text/javascript"
            | "application/x-javascript"
            | "application/ecmascript"
            | "text/ecmascript"
            | "text/jscript"
            | "module"
    )
}

fn is_font(mime: &str) -> bool {
    mime.starts_with("font/")
        || mime.starts_with("application/font-")
        || mime.starts_with("application/x-font-")
        || mime == "application/vnd.ms-fontobject"
}

fn is_html(mime: &str) -> bool {
    matches!(mime, "text/html" | "application/xhtml+xml")
}

/// Schemes of browser extensions: their requests are not the page's.
const EXTENSION_SCHEMES: &[&str] = &[
    "chrome-extension",
    "moz-extension",
    "safari-extension",
    "safari-web-extension",
];

/// Infers one entry's request; `Err` gives why it is not checked at all.
fn infer(entry: &Entry, url: &Url) -> Result<Guess, &'static str> {
    let req = &entry.request;
    let rt: String = entry
        .resource_type
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase();
    let sfd = header(&req.headers, "sec-fetch-dest").map(str::to_ascii_lowercase);
    let accept = header(&req.headers, "accept")
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut mime = essence(&entry.response.content.mime_type);
    if mime.is_empty() {
        mime = essence(header(&entry.response.headers, "content-type").unwrap_or(""));
    }

    if rt == "preflight"
        || (req.method.eq_ignore_ascii_case("OPTIONS")
            && header(&req.headers, "access-control-request-method").is_some())
    {
        return Err("a CORS preflight (CSP checks the request it precedes)");
    }
    if EXTENSION_SCHEMES.contains(&url.scheme()) {
        return Err("a browser extension's request (not the page's)");
    }
    if rt == "signedexchange" {
        return Err("a signed exchange (checked as the navigation or prefetch it serves)");
    }

    let mut spec = RequestSpec::new(url.clone(), Destination::Empty);
    spec.parser_metadata = parser_metadata(entry.initiator.as_ref());
    let purpose = header(&req.headers, "sec-purpose")
        .or_else(|| header(&req.headers, "purpose"))
        .unwrap_or("")
        .to_ascii_lowercase();
    spec.initiator = if purpose.contains("prerender") {
        Initiator::Prerender
    } else if purpose.contains("prefetch") || rt == "prefetch" {
        Initiator::Prefetch
    } else {
        Initiator::None
    };

    // 1. WebSocket handshakes keep (or get back) their ws: / wss: URL.
    let upgrade =
        header(&req.headers, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if rt == "websocket"
        || upgrade
        || sfd.as_deref() == Some("websocket")
        || matches!(url.scheme(), "ws" | "wss")
    {
        let ws = match url.scheme() {
            "http" => Some("ws"),
            "https" => Some("wss"),
            _ => None,
        };
        if let Some(scheme) = ws {
            // Switching between special schemes always succeeds.
            let _ = spec.url.set_scheme(scheme);
        }
        spec.api = Some("WebSocket");
        spec.inferred = if rt == "websocket" {
            Inferred::ResourceType
        } else if sfd.as_deref() == Some("websocket") {
            Inferred::SecFetchDest
        } else {
            Inferred::WebSocket
        };
        return Ok(Guess {
            spec,
            top_level: false,
        });
    }

    let empty_api = || empty_destination_api(entry, &rt, &accept, &mime);

    // 2. Sec-Fetch-Dest is the destination itself.
    if let Some(dest) = sfd.as_deref() {
        let parsed = match dest {
            "empty" => Some(Destination::Empty),
            other => other.parse::<Destination>().ok(),
        };
        if let Some(d) = parsed {
            spec.destination = d;
            spec.inferred = Inferred::SecFetchDest;
            if d == Destination::Empty && spec.initiator == Initiator::None {
                spec.api = Some(empty_api());
            }
            return Ok(Guess {
                spec,
                top_level: d == Destination::Document,
            });
        }
    }

    // 3. Chromium's resource type.
    let from_rt = match rt.as_str() {
        "document" => Some(Destination::Document),
        "stylesheet" => Some(Destination::Style),
        "image" => Some(Destination::Image),
        "font" => Some(Destination::Font),
        "script" => Some(Destination::Script),
        "texttrack" => Some(Destination::Track),
        "manifest" => Some(Destination::Manifest),
        "media" if mime.starts_with("audio/") => Some(Destination::Audio),
        "media" => Some(Destination::Video),
        "fedcm" => Some(Destination::WebIdentity),
        "cspviolationreport" => Some(Destination::Report),
        "xhr" | "xmlhttprequest" | "fetch" | "eventsource" | "ping" | "beacon" | "wasm"
        | "webtransport" => Some(Destination::Empty),
        // Other tools' names (Firefox's cause types, extension APIs).
        "img" | "imageset" => Some(Destination::Image),
        "subdocument" | "subframe" => Some(Destination::Document),
        "object" => Some(Destination::Object),
        "embed" => Some(Destination::Embed),
        _ => None,
    };
    if let Some(d) = from_rt {
        spec.destination = d;
        spec.inferred = Inferred::ResourceType;
        if d == Destination::Empty {
            spec.api = Some(empty_api());
        }
        return Ok(Guess {
            spec,
            top_level: false,
        });
    }

    // 4. The response's MIME type, then the request's Accept header.
    let (d, how) = if is_html(&mime) && accept.starts_with("text/html") {
        (Destination::Document, Inferred::MimeType)
    } else if mime == "text/css" {
        (Destination::Style, Inferred::MimeType)
    } else if is_javascript(&mime) {
        (Destination::Script, Inferred::MimeType)
    } else if mime.starts_with("image/") {
        (Destination::Image, Inferred::MimeType)
    } else if is_font(&mime) {
        (Destination::Font, Inferred::MimeType)
    } else if mime.starts_with("audio/") {
        (Destination::Audio, Inferred::MimeType)
    } else if mime.starts_with("video/") {
        (Destination::Video, Inferred::MimeType)
    } else if mime == "text/vtt" {
        (Destination::Track, Inferred::MimeType)
    } else if mime == "application/manifest+json" {
        (Destination::Manifest, Inferred::MimeType)
    } else if accept.starts_with("text/html") {
        (Destination::Document, Inferred::RequestHeaders)
    } else if accept.starts_with("image/") {
        (Destination::Image, Inferred::RequestHeaders)
    } else if accept.starts_with("text/css") {
        (Destination::Style, Inferred::RequestHeaders)
    } else if accept.starts_with("video/") {
        (Destination::Video, Inferred::RequestHeaders)
    } else if accept.starts_with("audio/") {
        (Destination::Audio, Inferred::RequestHeaders)
    } else if accept.starts_with("text/event-stream")
        || mime == "text/event-stream"
        || is_ping(entry)
    {
        (Destination::Empty, Inferred::RequestHeaders)
    } else if !mime.is_empty() {
        // JSON, text, binary data: what fetch() and XHR fetch.
        (Destination::Empty, Inferred::MimeType)
    } else if let Some(d) = from_extension(url) {
        // No response (a blocked request): the file name is all there is.
        (d, Inferred::UrlExtension)
    } else {
        (Destination::Empty, Inferred::Assumed)
    };
    spec.destination = d;
    spec.inferred = how;
    if d == Destination::Empty {
        spec.api = Some(empty_api());
    }
    Ok(Guess {
        spec,
        top_level: false,
    })
}

/// The destination a file name suggests, for requests that got no response.
fn from_extension(url: &Url) -> Option<Destination> {
    let name = url.path_segments()?.next_back()?.to_ascii_lowercase();
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "js" | "mjs" => Destination::Script,
        "css" => Destination::Style,
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "ico" => Destination::Image,
        "woff" | "woff2" | "ttf" | "otf" | "eot" => Destination::Font,
        "mp4" | "webm" | "ogv" | "m3u8" => Destination::Video,
        "mp3" | "ogg" | "oga" | "wav" | "flac" | "m4a" => Destination::Audio,
        "vtt" => Destination::Track,
        "webmanifest" => Destination::Manifest,
        _ => return None,
    })
}

/// `<a ping>` posts `text/ping` with `Ping-To` / `Ping-From` headers.
fn is_ping(entry: &Entry) -> bool {
    let h = &entry.request.headers;
    header(h, "ping-to").is_some()
        || header(h, "ping-from").is_some()
        || header(h, "content-type").is_some_and(|c| essence(c) == "text/ping")
}

/// Which API made a request with the empty destination.
fn empty_destination_api(entry: &Entry, rt: &str, accept: &str, mime: &str) -> &'static str {
    match rt {
        "xhr" | "xmlhttprequest" => return "XHR",
        "beacon" => return "sendBeacon()",
        "fetch" => return "fetch()",
        "eventsource" => return "EventSource",
        "wasm" => return "fetch() (WebAssembly)",
        "webtransport" => return "WebTransport",
        "ping" if is_ping(entry) => return "<a ping>",
        "ping" => return "sendBeacon()",
        _ => {}
    }
    if accept.starts_with("text/event-stream") || mime == "text/event-stream" {
        "EventSource"
    } else if is_ping(entry) {
        "<a ping>"
    } else if header(&entry.request.headers, "x-requested-with")
        .is_some_and(|x| x.eq_ignore_ascii_case("XMLHttpRequest"))
    {
        "XHR"
    } else {
        "fetch()/XHR"
    }
}

/// Chromium's `_initiator.type`: `parser` for elements the HTML parser created, `script` for
/// those script created.
fn parser_metadata(initiator: Option<&Value>) -> ParserMetadata {
    match initiator
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str)
    {
        Some("parser") => ParserMetadata::ParserInserted,
        Some("script") => ParserMetadata::NotParserInserted,
        _ => ParserMetadata::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Entry {
        serde_json::from_str(json).unwrap()
    }

    fn guess(json: &str) -> (Destination, Option<&'static str>, Inferred, String) {
        let e = entry(json);
        let url = Url::parse(&e.request.url).unwrap();
        let g = infer(&e, &url).unwrap();
        (
            g.spec.destination,
            g.spec.api,
            g.spec.inferred,
            g.spec.url.to_string(),
        )
    }

    #[test]
    fn sec_fetch_dest_wins() {
        let (d, api, how, _) = guess(
            r#"{"request":{"url":"https://a.test/w.js","headers":[{"name":"Sec-Fetch-Dest","value":"worker"}]},
                "response":{"content":{"mimeType":"text/javascript"}},"_resourceType":"script"}"#,
        );
        assert_eq!(
            (d, api, how),
            (Destination::Worker, None, Inferred::SecFetchDest)
        );
    }

    #[test]
    fn websockets_keep_ws_urls() {
        let (d, api, _, url) = guess(
            r#"{"request":{"url":"https://a.test/ws","headers":[{"name":"Upgrade","value":"websocket"}]}}"#,
        );
        assert_eq!((d, api), (Destination::Empty, Some("WebSocket")));
        assert_eq!(url, "wss://a.test/ws");
        let (_, _, how, url) =
            guess(r#"{"request":{"url":"wss://a.test/ws"},"_resourceType":"websocket"}"#);
        assert_eq!(
            (how, url.as_str()),
            (Inferred::ResourceType, "wss://a.test/ws")
        );
    }

    #[test]
    fn resource_types_and_mime_types() {
        let cases = [
            (r#""_resourceType":"stylesheet""#, Destination::Style),
            (
                r#""_resourceType":"CSPViolationReport""#,
                Destination::Report,
            ),
            (
                r#""_resourceType":"media","response":{"content":{"mimeType":"audio/mpeg"}}"#,
                Destination::Audio,
            ),
            (
                r#""response":{"content":{"mimeType":"font/woff2"}}"#,
                Destination::Font,
            ),
            (
                r#""response":{"content":{"mimeType":"application/javascript; charset=utf-8"}}"#,
                Destination::Script,
            ),
            (
                r#""response":{"content":{"mimeType":"application/json"}}"#,
                Destination::Empty,
            ),
            (
                r#""response":{"content":{"mimeType":"x-unknown"}},"_resourceType":"other""#,
                Destination::Script,
            ),
        ];
        for (extra, want) in cases {
            let json = format!(r#"{{"request":{{"url":"https://a.test/x.js"}},{extra}}}"#);
            assert_eq!(guess(&json).0, want, "{extra}");
        }
        let (_, api, ..) = guess(
            r#"{"request":{"url":"https://a.test/b","headers":[{"name":"Content-Type","value":"text/ping"}]},"_resourceType":"ping"}"#,
        );
        assert_eq!(api, Some("<a ping>"));
        let (_, api, ..) =
            guess(r#"{"request":{"url":"https://a.test/b"},"_resourceType":"ping"}"#);
        assert_eq!(api, Some("sendBeacon()"));
    }

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

    #[test]
    fn preflights_are_skipped() {
        let e = entry(
            r#"{"request":{"method":"OPTIONS","url":"https://a.test/x","headers":[{"name":"Access-Control-Request-Method","value":"PUT"}]}}"#,
        );
        assert!(infer(&e, &Url::parse("https://a.test/x").unwrap()).is_err());
    }
}
