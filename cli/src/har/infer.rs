//! One HAR entry's Fetch destination, inferred from what the entry records, most reliable
//! signal first. Each step is one function; [`infer`] runs them in order:
//!
//! 1. [`skip_reason`]: CORS preflights, extensions' requests and signed exchanges are not
//!    checked at all;
//! 2. [`websocket`]: a WebSocket handshake (`_resourceType: websocket`, `Upgrade: websocket`,
//!    `Sec-Fetch-Dest: websocket` or a `ws(s)` URL) is the empty destination, checked with
//!    its `ws:`/`wss:` URL as the WebSocket API hands it over;
//! 3. [`from_sec_fetch_dest`]: the `Sec-Fetch-Dest` request header is the destination itself;
//! 4. [`from_service_worker_header`]: `Service-Worker: script` marks a service worker's script;
//! 5. [`from_resource_type`]: Chromium's and Playwright's `_resourceType`;
//! 6. [`from_content`]: the response MIME type, then the `Accept` request header, then the
//!    URL's file extension (Firefox HARs have no `_resourceType`, old ones no
//!    `Sec-Fetch-Dest`);
//! 7. otherwise a `fetch()`-like request (the empty destination), said to be assumed.
//!
//! Worker scripts that only later entries reveal (requests made from inside them) are
//! recognised afterwards, by the contexts (`contexts.rs`).

use cspgate::url::Url;
use cspgate::{Destination, Initiator, ParserMetadata};
use serde_json::Value;

use super::model::{essence, header, Entry};
use crate::requests::{Inferred, RequestSpec};

/// What one entry says, normalised once for every step.
pub(super) struct Signals<'e> {
    entry: &'e Entry,
    /// `_resourceType`, lower-case, without `-`, `_` and spaces.
    rt: String,
    /// `Sec-Fetch-Dest`, lower-case.
    sfd: Option<String>,
    /// `Accept`, lower-case.
    accept: String,
    /// The response MIME type essence.
    mime: String,
}

impl<'e> Signals<'e> {
    pub(super) fn of(entry: &'e Entry) -> Signals<'e> {
        let rt = entry
            .resource_type
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        let req = &entry.request;
        Signals {
            entry,
            rt,
            sfd: header(&req.headers, "sec-fetch-dest").map(str::to_ascii_lowercase),
            accept: header(&req.headers, "accept")
                .unwrap_or("")
                .to_ascii_lowercase(),
            mime: entry.mime(),
        }
    }

    fn request_header(&self, name: &str) -> Option<&'e str> {
        header(&self.entry.request.headers, name)
    }
}

/// One entry's inferred request.
pub(super) struct Guess {
    pub(super) spec: RequestSpec,
    /// `Sec-Fetch-Dest: document`: a top-level navigation, never a frame.
    pub(super) top_level: bool,
}

/// A step's answer: the destination and how it was found.
type Found = (Destination, Inferred);

/// Infers one entry's request; `Err` gives why it is not checked at all.
pub(super) fn infer(entry: &Entry, url: &Url) -> Result<Guess, &'static str> {
    let s = Signals::of(entry);
    skip_reason(&s, url).map_or(Ok(()), Err)?;
    let mut spec = RequestSpec::new(url.clone(), Destination::Empty);
    spec.parser_metadata = parser_metadata(entry.initiator.as_ref());
    spec.initiator = initiator(&s);
    if let Some(how) = websocket(&s, url) {
        to_websocket_url(&mut spec.url);
        spec.api = Some("WebSocket");
        spec.inferred = how;
        return Ok(Guess {
            spec,
            top_level: false,
        });
    }
    let (destination, how) = from_sec_fetch_dest(&s)
        .or_else(|| from_service_worker_header(&s))
        .or_else(|| from_resource_type(&s))
        .or_else(|| from_content(&s, url))
        .unwrap_or((Destination::Empty, Inferred::Assumed));
    spec.destination = destination;
    spec.inferred = how;
    spec.guessed = match how {
        Inferred::UrlExtension => {
            Some("from the URL's file extension: the request got no response to tell".to_owned())
        }
        Inferred::Assumed => Some(
            "nothing in the HAR tells its destination: a fetch()-like request is assumed"
                .to_owned(),
        ),
        _ => None,
    };
    if destination == Destination::Empty && spec.initiator == Initiator::None {
        spec.api = Some(empty_destination_api(&s));
    }
    Ok(Guess {
        spec,
        top_level: how == Inferred::SecFetchDest && destination == Destination::Document,
    })
}

/// Schemes of browser extensions: their requests are not the page's.
const EXTENSION_SCHEMES: &[&str] = &[
    "chrome-extension",
    "moz-extension",
    "safari-extension",
    "safari-web-extension",
];

/// Step 1: entries that are not requests of the page's own.
fn skip_reason(s: &Signals<'_>, url: &Url) -> Option<&'static str> {
    let req = &s.entry.request;
    if s.rt == "preflight"
        || (req.method.eq_ignore_ascii_case("OPTIONS")
            && s.request_header("access-control-request-method").is_some())
    {
        return Some("a CORS preflight (CSP checks the request it precedes)");
    }
    if EXTENSION_SCHEMES.contains(&url.scheme()) {
        return Some("a browser extension's request (not the page's)");
    }
    if s.rt == "signedexchange" {
        return Some("a signed exchange (checked as the navigation or prefetch it serves)");
    }
    None
}

/// The Fetch initiator: `Sec-Purpose` / `Purpose` (prefetch, prerender), or Chromium's
/// `prefetch` resource type.
fn initiator(s: &Signals<'_>) -> Initiator {
    let purpose = s
        .request_header("sec-purpose")
        .or_else(|| s.request_header("purpose"))
        .unwrap_or("")
        .to_ascii_lowercase();
    if purpose.contains("prerender") {
        Initiator::Prerender
    } else if purpose.contains("prefetch") || s.rt == "prefetch" {
        Initiator::Prefetch
    } else {
        Initiator::None
    }
}

/// Step 2: a WebSocket handshake, and which signal said so.
fn websocket(s: &Signals<'_>, url: &Url) -> Option<Inferred> {
    let upgrade = s
        .request_header("upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if s.rt == "websocket" {
        Some(Inferred::ResourceType)
    } else if s.sfd.as_deref() == Some("websocket") {
        Some(Inferred::SecFetchDest)
    } else if upgrade || matches!(url.scheme(), "ws" | "wss") {
        Some(Inferred::WebSocket)
    } else {
        None
    }
}

/// A handshake recorded with its `http(s):` URL gets back the `ws(s):` URL the WebSocket API
/// checks.
fn to_websocket_url(url: &mut Url) {
    let ws = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        _ => return,
    };
    // Switching between special schemes always succeeds.
    let _ = url.set_scheme(ws);
}

/// Step 3: `Sec-Fetch-Dest` is the destination itself (`empty` is `""`).
fn from_sec_fetch_dest(s: &Signals<'_>) -> Option<Found> {
    let d = match s.sfd.as_deref()? {
        "empty" => Destination::Empty,
        other => other.parse::<Destination>().ok()?,
    };
    Some((d, Inferred::SecFetchDest))
}

/// Step 4: browsers send `Service-Worker: script` with a service worker's script (and its
/// update checks).
fn from_service_worker_header(s: &Signals<'_>) -> Option<Found> {
    s.request_header("service-worker")
        .filter(|v| v.eq_ignore_ascii_case("script"))
        .map(|_| (Destination::ServiceWorker, Inferred::RequestHeaders))
}

/// Step 5: Chromium's and Playwright's resource type names, and other tools' names for them.
fn from_resource_type(s: &Signals<'_>) -> Option<Found> {
    let d = match s.rt.as_str() {
        "document" => Destination::Document,
        "stylesheet" => Destination::Style,
        "image" => Destination::Image,
        "font" => Destination::Font,
        "script" => Destination::Script,
        "texttrack" => Destination::Track,
        "manifest" => Destination::Manifest,
        "media" if s.mime.starts_with("audio/") => Destination::Audio,
        "media" => Destination::Video,
        "fedcm" => Destination::WebIdentity,
        "cspviolationreport" => Destination::Report,
        "xhr" | "xmlhttprequest" | "fetch" | "eventsource" | "ping" | "beacon" | "wasm"
        | "webtransport" => Destination::Empty,
        // Other tools' names (Firefox's cause types, extension APIs).
        "img" | "imageset" => Destination::Image,
        "subdocument" | "subframe" => Destination::Document,
        "object" => Destination::Object,
        "embed" => Destination::Embed,
        _ => return None,
    };
    Some((d, Inferred::ResourceType))
}

/// Step 6: the response's MIME type, then the request's `Accept` header, then (for a
/// request that got no response) the URL's file extension.
fn from_content(s: &Signals<'_>, url: &Url) -> Option<Found> {
    from_mime_type(s)
        .map(|d| (d, Inferred::MimeType))
        .or_else(|| from_request_headers(s).map(|d| (d, Inferred::RequestHeaders)))
        .or_else(|| {
            // JSON, text, binary data: what fetch() and XHR fetch.
            (!s.mime.is_empty()).then_some((Destination::Empty, Inferred::MimeType))
        })
        .or_else(|| from_extension(url).map(|d| (d, Inferred::UrlExtension)))
}

fn from_mime_type(s: &Signals<'_>) -> Option<Destination> {
    let mime = s.mime.as_str();
    Some(if is_html(mime) && s.accept.starts_with("text/html") {
        Destination::Document
    } else if mime == "text/css" {
        Destination::Style
    } else if is_javascript(mime) {
        Destination::Script
    } else if mime.starts_with("image/") {
        Destination::Image
    } else if is_font(mime) {
        Destination::Font
    } else if mime.starts_with("audio/") {
        Destination::Audio
    } else if mime.starts_with("video/") {
        Destination::Video
    } else if mime == "text/vtt" {
        Destination::Track
    } else if mime == "application/manifest+json" {
        Destination::Manifest
    } else {
        return None;
    })
}

fn from_request_headers(s: &Signals<'_>) -> Option<Destination> {
    let accept = s.accept.as_str();
    Some(if accept.starts_with("text/html") {
        Destination::Document
    } else if accept.starts_with("image/") {
        Destination::Image
    } else if accept.starts_with("text/css") {
        Destination::Style
    } else if accept.starts_with("video/") {
        Destination::Video
    } else if accept.starts_with("audio/") {
        Destination::Audio
    } else if accept.starts_with("text/event-stream") || s.mime == "text/event-stream" || is_ping(s)
    {
        Destination::Empty
    } else {
        return None;
    })
}

pub(super) fn is_javascript(mime: &str) -> bool {
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

pub(super) fn is_html(mime: &str) -> bool {
    matches!(mime, "text/html" | "application/xhtml+xml")
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
fn is_ping(s: &Signals<'_>) -> bool {
    s.request_header("ping-to").is_some()
        || s.request_header("ping-from").is_some()
        || s.request_header("content-type")
            .is_some_and(|c| essence(c) == "text/ping")
}

/// Which API made a request with the empty destination.
fn empty_destination_api(s: &Signals<'_>) -> &'static str {
    match s.rt.as_str() {
        "xhr" | "xmlhttprequest" => return "XHR",
        "beacon" => return "sendBeacon()",
        "fetch" => return "fetch()",
        "eventsource" => return "EventSource",
        "wasm" => return "fetch() (WebAssembly)",
        "webtransport" => return "WebTransport",
        "ping" if is_ping(s) => return "<a ping>",
        "ping" => return "sendBeacon()",
        _ => {}
    }
    if s.accept.starts_with("text/event-stream") || s.mime == "text/event-stream" {
        "EventSource"
    } else if is_ping(s) {
        "<a ping>"
    } else if s
        .request_header("x-requested-with")
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
    fn service_worker_header_beats_resource_type() {
        let (d, _, how, _) = guess(
            r#"{"request":{"url":"http://a.test/sw.js","headers":[{"name":"Service-Worker","value":"script"}]},"_resourceType":"script"}"#,
        );
        assert_eq!(
            (d, how),
            (Destination::ServiceWorker, Inferred::RequestHeaders)
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

    #[test]
    fn preflights_are_skipped() {
        let e = entry(
            r#"{"request":{"method":"OPTIONS","url":"https://a.test/x","headers":[{"name":"Access-Control-Request-Method","value":"PUT"}]}}"#,
        );
        assert!(infer(&e, &Url::parse("https://a.test/x").unwrap()).is_err());
    }
}
