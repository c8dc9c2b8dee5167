//! The requests to check: what one looks like, and how to read them from command-line
//! arguments (`URL` or `DESTINATION:URL`) and from request-list files (`DESTINATION URL` lines).

use std::fmt;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cspgate::url::Url;
use cspgate::{Destination, Initiator, InlineType, NavigationType, ParserMetadata, Request};

/// Where a request's destination came from: the user said so, or it was inferred from a HAR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inferred {
    /// Given on the command line or in a request-list file.
    Given,
    /// The `Sec-Fetch-Dest` request header: the Fetch destination itself.
    SecFetchDest,
    /// Chromium's `_resourceType`.
    ResourceType,
    /// The request looks like a WebSocket handshake (`Upgrade: websocket` or a `ws(s)` URL).
    WebSocket,
    /// The response's MIME type.
    MimeType,
    /// The request's `Accept` header (or other request headers).
    RequestHeaders,
    /// The URL's file extension (a request that got no response).
    UrlExtension,
    /// Nothing told: a `fetch()`-like request (the empty destination) was assumed.
    Assumed,
    /// Later entries: requests made from inside a script show it is a worker's.
    LaterEntries,
    /// The document's HTML (inline code).
    Html,
}

impl Inferred {
    /// A short name, as printed in JSON output (`given`, `sec-fetch-dest`, `_resourceType`...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Inferred::Given => "given",
            Inferred::SecFetchDest => "sec-fetch-dest",
            Inferred::ResourceType => "_resourceType",
            Inferred::WebSocket => "websocket-handshake",
            Inferred::MimeType => "mime-type",
            Inferred::RequestHeaders => "request-headers",
            Inferred::UrlExtension => "url-extension",
            Inferred::Assumed => "assumed",
            Inferred::LaterEntries => "later-entries",
            Inferred::Html => "html",
        }
    }
}

impl fmt::Display for Inferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request to check, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSpec {
    /// The URL as the browser checks it (a WebSocket keeps its `ws:`/`wss:` URL).
    pub url: Url,
    /// The Fetch destination.
    pub destination: Destination,
    /// The Fetch initiator (`prefetch` for `<link rel=prefetch>`).
    pub initiator: Initiator,
    /// Whether the HTML parser inserted the element (matters under `'strict-dynamic'`).
    pub parser_metadata: ParserMetadata,
    /// The nonce the element carries, if any.
    pub nonce: Option<String>,
    /// The web API or element that made the request, when known (`XHR`, `WebSocket`, ...).
    pub api: Option<&'static str>,
    /// How the destination was determined.
    pub inferred: Inferred,
    /// The number (1-based) of the HAR entry it came from.
    pub entry: Option<usize>,
    /// The context that made it (an index into the run's contexts; 0 is the page).
    pub context: usize,
    /// How many redirects led to this URL (0 for the first request of a chain).
    pub redirect_count: u32,
    /// The URL the redirect chain started from, reported in violations.
    pub original_url: Option<Url>,
    /// A navigation, checked by the navigation check of its initiator's policies
    /// (`form-action`, `javascript:` URLs) instead of a fetch directive.
    pub navigation: Option<NavigationType>,
    /// Why the destination or the context is a guess, when it is one.
    pub guessed: Option<String>,
    /// What else the request may have been, when the HAR does not tell: if any of these
    /// gets another verdict, the verdict is unknown.
    pub alternatives: Vec<Alternative>,
    /// The element's `integrity` attribute, when its document's HTML shows it.
    pub integrity: Option<String>,
    /// When the HAR cannot show whether the element carried a nonce: why. Each nonce of the
    /// context's policies is then checked as an alternative reading.
    pub nonce_unknown: Option<&'static str>,
    /// Not a request: inline code of the document at `url` (CSP's inline check).
    pub inline: Option<InlineCode>,
}

/// Inline code in a document: a `<script>` or `<style>` element's text, an event handler or
/// a `style` attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineCode {
    /// Its inline type.
    pub kind: InlineType,
    /// The code.
    pub source: String,
    /// The element's nonce, if any.
    pub nonce: Option<String>,
    /// The element is nonceable (no duplicate attributes).
    pub nonceable: bool,
    /// Its number among the document's inline code (1-based), and what it is: `<script>`,
    /// `<p onclick=>`.
    pub label: String,
}

/// Another reading of a request the HAR does not pin down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    /// The context it may have come from.
    pub context: usize,
    /// The destination it may have had.
    pub destination: Destination,
    /// The navigation type it may have had.
    pub navigation: Option<NavigationType>,
    /// The nonce it may have carried.
    pub nonce: Option<String>,
    /// Whether the parser may have inserted it.
    pub parser_metadata: ParserMetadata,
    /// What the verdict then depends on, for people: `whether a form submitted it`.
    pub depends_on: String,
}

impl RequestSpec {
    /// A request the user described: no initiator, no parser metadata, no nonce.
    pub fn new(url: Url, destination: Destination) -> RequestSpec {
        RequestSpec {
            url,
            destination,
            initiator: Initiator::None,
            parser_metadata: ParserMetadata::None,
            nonce: None,
            api: None,
            inferred: Inferred::Given,
            entry: None,
            context: 0,
            redirect_count: 0,
            original_url: None,
            navigation: None,
            guessed: None,
            alternatives: Vec::new(),
            integrity: None,
            nonce_unknown: None,
            inline: None,
        }
    }

    /// The library's request for this one.
    pub fn to_request(&self) -> Request<'_> {
        let mut request = Request::new(&self.url, self.destination)
            .initiator(self.initiator)
            .parser_metadata(self.parser_metadata);
        if let Some(n) = &self.nonce {
            request = request.nonce(n);
        }
        if self.redirect_count > 0 {
            request = request.redirect_count(self.redirect_count);
        }
        if let Some(o) = &self.original_url {
            request = request.original_url(o);
        }
        if let Some(i) = &self.integrity {
            request = request.integrity(i);
        }
        request
    }

    /// This request read as `alt` says.
    pub fn with(&self, alt: &Alternative) -> RequestSpec {
        RequestSpec {
            context: alt.context,
            destination: alt.destination,
            navigation: alt.navigation,
            nonce: alt.nonce.clone(),
            parser_metadata: alt.parser_metadata,
            alternatives: Vec::new(),
            ..self.clone()
        }
    }

    /// An alternative that changes nothing yet: start from it and change one field.
    pub fn alternative(&self, depends_on: impl Into<String>) -> Alternative {
        Alternative {
            context: self.context,
            destination: self.destination,
            navigation: self.navigation,
            nonce: self.nonce.clone(),
            parser_metadata: self.parser_metadata,
            depends_on: depends_on.into(),
        }
    }

    /// The URL for display: `data:` URLs are cut to 48 characters, since they can be huge.
    pub fn display_url(&self) -> String {
        if let Some(i) = &self.inline {
            let mut code: String = i.source.split_whitespace().collect::<Vec<_>>().join(" ");
            if code.chars().count() > 40 {
                code = code.chars().take(39).collect::<String>() + "…";
            }
            return format!("{} {code:?}", i.label);
        }
        shorten_url(self.url.as_str())
    }
}

/// Cuts a `data:` URL (or any URL over 160 characters) for display, marking the cut with `…`.
pub fn shorten_url(url: &str) -> String {
    let limit = if url.starts_with("data:") { 48 } else { 160 };
    if url.chars().count() <= limit {
        return url.to_owned();
    }
    let mut s: String = url.chars().take(limit - 1).collect();
    s.push('…');
    s
}

/// Schemes whose URLs wrap another URL (`blob:https://...`): their prefix is never a
/// destination, and never mistaken for a mistyped one.
const WRAPPING_SCHEMES: &[&str] = &["blob", "filesystem", "view-source"];

/// Parses an absolute URL, with an error message that says what was wrong and where.
pub fn parse_url(text: &str) -> Result<Url> {
    Url::parse(text).map_err(|e| match e {
        cspgate::url::ParseError::RelativeUrlWithoutBase => {
            // Suggest a scheme only when the rest would then parse, e.g. `example.com/x`.
            let guess = format!("https://{}", text.trim_start_matches('/'));
            match Url::parse(&guess) {
                Ok(_) if !text.contains(char::is_whitespace) => anyhow!(
                    "invalid URL {text:?}: it is relative; give an absolute URL such as {guess}"
                ),
                _ => anyhow!("invalid URL {text:?}: it is relative; give an absolute URL"),
            }
        }
        e => anyhow!("invalid URL {text:?}: {e}"),
    })
}

/// Parses a destination name: a Fetch destination (`script`, `worker`, ...) or `-` / `""` for
/// the empty destination (fetch(), XHR, WebSocket, EventSource, sendBeacon, `<a ping>`).
pub fn parse_destination(name: &str) -> Result<Destination> {
    if name == "-" || name == "\"\"" {
        return Ok(Destination::Empty);
    }
    name.to_ascii_lowercase()
        .parse::<Destination>()
        .map_err(|_| {
            anyhow!(
                "unknown request destination {name:?} (known: {})",
                known_destinations()
            )
        })
}

/// The Fetch destination names, comma-separated, for error messages.
pub fn known_destinations() -> String {
    let mut names: Vec<&str> = vec!["- (empty)"];
    names.extend(
        Destination::ALL
            .iter()
            .filter(|d| **d != Destination::Empty)
            .map(|d| d.as_str()),
    );
    names.join(", ")
}

/// Parses a request given as a command-line argument: `URL` (the empty destination, as for
/// `fetch()`) or `DESTINATION:URL` (`script:https://cdn.test/a.js`).
///
/// The prefix is a destination only when it is a Fetch destination name and what follows the
/// colon is an absolute URL; so `https://x` is a URL. A prefix that is not a destination name
/// in front of a `scheme://` URL (`picture:https://x`) is an error, not a URL with scheme
/// `picture`.
///
/// # Errors
///
/// An unknown destination, or a URL that does not parse.
pub fn parse_arg(arg: &str) -> Result<RequestSpec> {
    let arg = arg.trim();
    if let Some((prefix, rest)) = arg.split_once(':') {
        let lower = prefix.to_ascii_lowercase();
        if !prefix.is_empty() {
            if let Ok(destination) = lower.parse::<Destination>() {
                let url = parse_url(rest).with_context(|| format!("in request {arg:?}"))?;
                return Ok(RequestSpec::new(url, destination));
            }
            let rest_is_url = rest.contains("://") && Url::parse(rest).is_ok();
            if rest_is_url && !WRAPPING_SCHEMES.contains(&lower.as_str()) {
                bail!(
                    "unknown request destination {prefix:?} in {arg:?} (known: {})",
                    known_destinations()
                );
            }
        }
    }
    Ok(RequestSpec::new(parse_url(arg)?, Destination::Empty))
}

/// Parses a request list: one `DESTINATION URL [INITIATOR]` per line, `-` for the empty
/// destination; a line with a single field is read like a command-line argument. Blank lines
/// and lines starting with `#` are skipped. `name` labels error messages (`requests.txt:3: ...`).
///
/// # Errors
///
/// The first bad line, with its number.
pub fn parse_list(text: &str, name: &str) -> Result<Vec<RequestSpec>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let spec = match fields[..] {
            [single] => parse_arg(single),
            [dest, url] => parse_line(dest, url, None),
            [dest, url, initiator] => parse_line(dest, url, Some(initiator)),
            _ => Err(anyhow!(
                "expected DESTINATION URL [INITIATOR], found {} fields",
                fields.len()
            )),
        };
        out.push(spec.with_context(|| format!("{name}:{}", i + 1))?);
    }
    Ok(out)
}

fn parse_line(dest: &str, url: &str, initiator: Option<&str>) -> Result<RequestSpec> {
    let mut spec = RequestSpec::new(parse_url(url)?, parse_destination(dest)?);
    if let Some(i) = initiator {
        spec.initiator = i.parse::<Initiator>().map_err(|e| {
            anyhow!("{e} (known: download, imageset, manifest, prefetch, prerender, xslt)")
        })?;
    }
    Ok(spec)
}

/// Reads a request-list file (`-` is standard input).
///
/// # Errors
///
/// An unreadable file, or a bad line.
pub fn read_list(path: &Path) -> Result<Vec<RequestSpec>> {
    let text = crate::input::read_text(path)?;
    parse_list(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_with_and_without_destinations() {
        let r = parse_arg("https://x.test/a").unwrap();
        assert_eq!(r.destination, Destination::Empty);
        assert_eq!(r.url.as_str(), "https://x.test/a");
        let r = parse_arg("script:https://cdn.test/a.js").unwrap();
        assert_eq!(r.destination, Destination::Script);
        assert_eq!(r.url.as_str(), "https://cdn.test/a.js");
        let r = parse_arg("worker:wss://x.test/").unwrap();
        assert_eq!(r.destination, Destination::Worker);
        // Wrapping schemes are URLs, not destinations.
        let r = parse_arg("blob:https://x.test/uuid").unwrap();
        assert_eq!(r.destination, Destination::Empty);
        assert_eq!(r.url.scheme(), "blob");
        let r = parse_arg("data:text/plain,hi").unwrap();
        assert_eq!(r.url.scheme(), "data");
        let e = parse_arg("picture:https://x.test/").unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown request destination \"picture\""),
            "{e}"
        );
        let e = parse_arg("script:not a url").unwrap_err();
        assert!(format!("{e:#}").contains("invalid URL"), "{e:#}");
        let e = parse_arg("example.com/x").unwrap_err();
        assert!(e.to_string().contains("relative"), "{e}");
    }

    #[test]
    fn list_lines() {
        let text = "# comment\n\nscript https://a.test/x.js\n- wss://b.test/\nimage https://c.test/p prefetch\nhttps://d.test/\n";
        let list = parse_list(text, "r.txt").unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list[0].destination, Destination::Script);
        assert_eq!(list[1].destination, Destination::Empty);
        assert_eq!(list[2].initiator, Initiator::Prefetch);
        assert_eq!(list[3].destination, Destination::Empty);
        let e =
            parse_list("script https://a.test/\npicture https://b.test/\n", "r.txt").unwrap_err();
        assert_eq!(
            format!("{e:#}").split(" (known").next().unwrap(),
            "r.txt:2: unknown request destination \"picture\""
        );
    }

    #[test]
    fn data_urls_are_shortened_for_display() {
        let long = format!("data:image/png;base64,{}", "A".repeat(100));
        let s = shorten_url(&long);
        assert_eq!(s.chars().count(), 48);
        assert!(s.ends_with('…'));
        assert_eq!(shorten_url("https://a.test/"), "https://a.test/");
    }
}
