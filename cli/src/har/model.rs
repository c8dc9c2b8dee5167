//! The parts of a HAR file (HTTP Archive 1.2, with Chromium's and Playwright's `_` fields)
//! that `cspgate` reads, and the bytes-to-text step that tolerates what browsers and tools
//! really write: a UTF-8 byte-order mark, UTF-16 files, and Latin-1 bytes in header values.

use serde::Deserialize;
use serde_json::Value;

/// The whole file.
#[derive(Deserialize)]
pub(super) struct HarFile {
    pub(super) log: Option<Log>,
}

/// `log`.
#[derive(Deserialize)]
pub(super) struct Log {
    #[serde(default)]
    pub(super) pages: Vec<Page>,
    pub(super) entries: Option<Vec<Value>>,
}

/// `log.pages[]`.
#[derive(Deserialize)]
pub(super) struct Page {
    #[serde(default)]
    pub(super) id: String,
    #[serde(default)]
    pub(super) title: String,
}

/// `log.entries[]`: one request and its response.
#[derive(Deserialize)]
pub(super) struct Entry {
    pub(super) pageref: Option<String>,
    /// When the request started (ISO 8601).
    #[serde(default, rename = "startedDateTime")]
    pub(super) started: Option<String>,
    pub(super) request: HarRequest,
    #[serde(default)]
    pub(super) response: HarResponse,
    /// Chromium's and Playwright's resource type (`script`, `xhr`, ...).
    #[serde(rename = "_resourceType")]
    pub(super) resource_type: Option<String>,
    /// Chromium's initiator: `{type: parser|script|other, url, stack}`.
    #[serde(rename = "_initiator")]
    pub(super) initiator: Option<Value>,
    /// Playwright's frame of the request.
    #[serde(rename = "_frameref")]
    pub(super) frameref: Option<String>,
    /// Playwright's service worker of the request.
    #[serde(rename = "_serviceWorkerRef")]
    pub(super) service_worker_ref: Option<String>,
}

/// `request`.
#[derive(Deserialize)]
pub(super) struct HarRequest {
    #[serde(default)]
    pub(super) method: String,
    pub(super) url: String,
    #[serde(default)]
    pub(super) headers: Vec<Header>,
}

/// `response`.
#[derive(Deserialize, Default)]
pub(super) struct HarResponse {
    #[serde(default)]
    pub(super) status: f64,
    #[serde(default)]
    pub(super) headers: Vec<Header>,
    #[serde(default)]
    pub(super) content: Content,
    #[serde(default, rename = "redirectURL")]
    pub(super) redirect_url: String,
}

/// `response.content`.
#[derive(Deserialize, Default)]
pub(super) struct Content {
    #[serde(default, rename = "mimeType")]
    pub(super) mime_type: String,
    /// The body, when the HAR embeds it.
    #[serde(default)]
    pub(super) text: Option<String>,
    /// `base64` when `text` is base64-encoded.
    #[serde(default)]
    pub(super) encoding: Option<String>,
}

/// A header line.
#[derive(Deserialize)]
pub(super) struct Header {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) value: String,
}

/// Did a request that started at `a` start before one that started at `b`? Only told for
/// timestamps written alike (UTC, `Z`, same length), which compare as text.
pub(super) fn started_before(a: Option<&str>, b: Option<&str>) -> Option<bool> {
    let (a, b) = (a?, b?);
    (a.ends_with('Z') && b.ends_with('Z') && a.len() == b.len()).then(|| a < b)
}

/// The first header named `name` (ASCII case-insensitive), trimmed.
pub(super) fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.trim())
}

/// The MIME type without parameters, lower-case; empty for Chromium's `x-unknown` (no
/// response).
pub(super) fn essence(mime: &str) -> String {
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

impl Entry {
    /// The response's MIME type essence: `content.mimeType`, else the `Content-Type` header.
    pub(super) fn mime(&self) -> String {
        let m = essence(&self.response.content.mime_type);
        if m.is_empty() {
            essence(header(&self.response.headers, "content-type").unwrap_or(""))
        } else {
            m
        }
    }

    /// The response body as text, when the HAR embeds it (base64 decoded; invalid UTF-8
    /// replaced).
    pub(super) fn body(&self) -> Option<String> {
        let c = &self.response.content;
        let text = c.text.as_ref()?;
        if c.encoding.as_deref() == Some("base64") {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .ok()?;
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        Some(text.clone())
    }

    /// The response is a redirect (3xx): its target, resolved against `url`, when it has one.
    pub(super) fn redirect_target(&self, url: &cspgate::url::Url) -> Option<RedirectTarget> {
        if !(300.0..400.0).contains(&self.response.status) {
            return None;
        }
        let target = if self.response.redirect_url.is_empty() {
            header(&self.response.headers, "location").unwrap_or("")
        } else {
            &self.response.redirect_url
        };
        if target.is_empty() {
            return Some(RedirectTarget::Unknown);
        }
        Some(match url.join(target) {
            Ok(t) => RedirectTarget::Url(t),
            Err(_) => RedirectTarget::Unknown,
        })
    }
}

/// Where a redirect goes.
pub(super) enum RedirectTarget {
    /// The `redirectURL` or `Location`, resolved.
    Url(cspgate::url::Url),
    /// A 3xx without a usable target: the next request of the same kind is taken as its hop.
    Unknown,
}

/// How a HAR file's bytes were decoded, when not plain UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decoding {
    /// UTF-8 (with or without a byte-order mark).
    Utf8,
    /// UTF-16 (little- or big-endian, told by its byte-order mark or its zero bytes).
    Utf16,
    /// UTF-8 with some bytes that are not: read as Latin-1 (windows-1252 in browsers), as
    /// header values sent by old servers are.
    Latin1Bytes,
}

/// Decodes a HAR file's bytes: UTF-8 with or without a byte-order mark, UTF-16 with a
/// byte-order mark (or with the zero bytes of ASCII text), and UTF-8 mixed with stray
/// Latin-1 bytes (each invalid byte is read as the Latin-1 character of that value).
pub(super) fn decode(bytes: &[u8]) -> (String, Decoding) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8_or_latin1(rest);
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, true)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, false)),
        [a, 0, ..] if *a != 0 => Some((bytes, true)),
        [0, b, ..] if *b != 0 => Some((bytes, false)),
        _ => None,
    };
    if let Some((rest, little)) = utf16 {
        let units = rest.chunks(2).map(|c| match (c, little) {
            ([a, b], true) => u16::from_le_bytes([*a, *b]),
            ([a, b], false) => u16::from_be_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        let text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        return (text, Decoding::Utf16);
    }
    decode_utf8_or_latin1(bytes)
}

fn decode_utf8_or_latin1(bytes: &[u8]) -> (String, Decoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), Decoding::Utf8),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            let mut rest = bytes;
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let (good, bad) = rest.split_at(e.valid_up_to());
                        // `good` is valid UTF-8 by construction.
                        out.push_str(std::str::from_utf8(good).unwrap_or(""));
                        if let Some((&b, tail)) = bad.split_first() {
                            out.push(char::from(b));
                            rest = tail;
                        } else {
                            break;
                        }
                    }
                }
            }
            (out, Decoding::Latin1Bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodings() {
        assert_eq!(decode(b"\xEF\xBB\xBF{}"), ("{}".to_owned(), Decoding::Utf8));
        assert_eq!(
            decode(b"\xFF\xFE{\0}\0"),
            ("{}".to_owned(), Decoding::Utf16)
        );
        assert_eq!(decode(b"\0{\0}"), ("{}".to_owned(), Decoding::Utf16));
        assert_eq!(
            decode(b"caf\xE9 \xC3\xA9"),
            ("café é".to_owned(), Decoding::Latin1Bytes)
        );
    }
}
