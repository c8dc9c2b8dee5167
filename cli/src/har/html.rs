//! What a document's HTML (a HAR response body) says about its scripts and styles, read with
//! html5ever's tokenizer (Servo's HTML parser): the `<script src>` and
//! `<link rel=stylesheet>` elements the parser inserts, with their `nonce` and `integrity`
//! attributes, and the inline code CSP checks: `<script>` and `<style>` elements' text,
//! event-handler attributes, `style` attributes and `javascript:` URLs (checked when followed,
//! as a navigation).
//!
//! Only what the HTML parser itself creates is seen: elements that scripts insert later are
//! not in the body, which is how they are told apart (they are not parser-inserted).

use std::cell::RefCell;

use cspgate::url::Url;
use cspgate::{Destination, InlineType};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The HTML a scan reads at most: longer bodies are cut (fail-closed for what it finds: an
/// element past the cut is simply not known).
const MAX_BODY: usize = 4 << 20;
/// The inline items a scan keeps at most.
const MAX_ITEMS: usize = 2000;

/// A `<script src>` or `<link rel=stylesheet|preload|modulepreload href>` the parser inserts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    /// The URL, resolved against the document's base URL.
    pub(crate) url: Url,
    /// Its `nonce` attribute, when it is nonceable (no duplicate attributes).
    pub(crate) nonce: Option<String>,
    /// Its `integrity` attribute.
    pub(crate) integrity: Option<String>,
}

/// Inline code CSP checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Inline {
    /// `<script>` text, event handler, `<style>` text or `style` attribute.
    pub(crate) kind: InlineType,
    /// The code, as the element or attribute holds it.
    pub(crate) source: String,
    /// The element's `nonce` attribute.
    pub(crate) nonce: Option<String>,
    /// The element has no duplicate attributes (CSP3 §6.7.3.1 "is element nonceable").
    pub(crate) nonceable: bool,
    /// For people: `<script>`, `onclick=`, `<style>`, `style=`.
    pub(crate) what: String,
}

/// What one document's HTML holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    pub(crate) elements: Vec<Element>,
    pub(crate) inline: Vec<Inline>,
    /// The URLs of `<iframe src>`, `<frame src>`, `<object data>` and `<embed src>`, with
    /// their destination.
    pub(crate) nested: Vec<(Url, Destination)>,
}

impl Scan {
    /// The parser-inserted element that loads `url`, if any.
    pub(crate) fn element(&self, url: &Url) -> Option<&Element> {
        self.elements.iter().find(|e| e.url == *url)
    }

    /// The destination of the element that loads the nested document at `url`.
    pub(crate) fn nested(&self, url: &Url) -> Option<Destination> {
        self.nested.iter().find(|(u, _)| u == url).map(|(_, d)| *d)
    }
}

/// A `<script>` or `<style>` whose text is being read.
struct Open {
    kind: InlineType,
    nonce: Option<String>,
    nonceable: bool,
    text: String,
}

struct Sink {
    document: Url,
    base: RefCell<Option<Url>>,
    scan: RefCell<Scan>,
    open: RefCell<Option<Open>>,
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t StrTendril> {
    tag.attrs
        .iter()
        .find(|a| a.name.local.as_ref() == name)
        .map(|a| &a.value)
}

/// Script types that run: empty, a JavaScript MIME type, or `module`.
fn runs(type_attr: Option<&StrTendril>) -> bool {
    let Some(t) = type_attr else {
        return true;
    };
    let t = t.trim().to_ascii_lowercase();
    t.is_empty()
        || t == "module"
        || matches!(
            t.as_str(),
            "text/javascript"
                | "application/javascript"
                | "application/ecmascript"
                | "text/ecmascript"
                | "application/x-javascript"
                | "text/jscript"
        )
}

impl Sink {
    fn resolve(&self, href: &str) -> Option<Url> {
        let base = self.base.borrow();
        base.as_ref()
            .unwrap_or(&self.document)
            .join(href.trim())
            .ok()
    }

    /// A start tag: its inline attributes, the document or resource it loads, and the
    /// tokenizer state its content needs.
    fn start_tag(&self, tag: &Tag) -> TokenSinkResult<()> {
        let name = tag.name.as_ref();
        let nonceable = !tag.had_duplicate_attributes;
        let nonce = attr(tag, "nonce")
            .filter(|_| nonceable)
            .map(|n| n.to_string());
        self.attribute_code(tag, nonceable);
        self.nested_document(tag);
        match name {
            "base" => {
                let mut base = self.base.borrow_mut();
                if base.is_none() {
                    if let Some(h) = attr(tag, "href") {
                        *base = self.document.join(h.trim()).ok();
                    }
                }
            }
            "script" => {
                if let Some(src) = attr(tag, "src") {
                    self.loading_element(tag, src, nonce);
                } else if runs(attr(tag, "type")) {
                    self.open(InlineType::Script, nonce, nonceable);
                }
                return TokenSinkResult::RawData(RawKind::ScriptData);
            }
            "style" => {
                self.open(InlineType::Style, nonce, nonceable);
                return TokenSinkResult::RawData(RawKind::Rawtext);
            }
            "link" => {
                let rel = attr(tag, "rel")
                    .map(|r| r.to_ascii_lowercase())
                    .unwrap_or_default();
                let loads = rel
                    .split_ascii_whitespace()
                    .any(|r| matches!(r, "stylesheet" | "preload" | "modulepreload"));
                if let Some(href) = attr(tag, "href").filter(|_| loads) {
                    self.loading_element(tag, href, nonce);
                }
            }
            "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
            // With scripting on, as in the browser that made the HAR, <noscript> is raw text.
            "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                return TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "plaintext" => return TokenSinkResult::Plaintext,
            _ => {}
        }
        TokenSinkResult::Continue
    }

    /// Event handlers, `style` attributes and `javascript:` URLs: inline code.
    fn attribute_code(&self, tag: &Tag, nonceable: bool) {
        let name = tag.name.as_ref();
        let mut scan = self.scan.borrow_mut();
        for a in &tag.attrs {
            if scan.inline.len() >= MAX_ITEMS {
                break;
            }
            let n = a.name.local.as_ref();
            let (kind, source, what) = if n.len() > 2 && n.starts_with("on") {
                (
                    InlineType::ScriptAttribute,
                    a.value.to_string(),
                    format!("<{name} {n}=>"),
                )
            } else if n == "style" {
                (
                    InlineType::StyleAttribute,
                    a.value.to_string(),
                    format!("<{name} style=>"),
                )
            } else if matches!(n, "href" | "src" | "action" | "formaction" | "data")
                && a.value
                    .trim_start()
                    .get(..11)
                    .is_some_and(|p| p.eq_ignore_ascii_case("javascript:"))
            {
                // A javascript: URL runs, when followed, as a navigation's inline check.
                (
                    InlineType::Navigation,
                    a.value.trim().to_string(),
                    format!("<{name} {n}=javascript:>"),
                )
            } else {
                continue;
            };
            scan.inline.push(Inline {
                kind,
                source,
                nonce: None,
                nonceable,
                what,
            });
        }
    }

    /// `<iframe src>`, `<frame src>`, `<object data>`, `<embed src>`: the document they load.
    fn nested_document(&self, tag: &Tag) {
        let (a, d) = match tag.name.as_ref() {
            "iframe" => ("src", Destination::IFrame),
            "frame" => ("src", Destination::Frame),
            "object" => ("data", Destination::Object),
            "embed" => ("src", Destination::Embed),
            _ => return,
        };
        if let Some(url) = attr(tag, a).and_then(|v| self.resolve(v)) {
            let mut scan = self.scan.borrow_mut();
            if scan.nested.len() < MAX_ITEMS {
                scan.nested.push((url, d));
            }
        }
    }

    /// A `<script src>` or `<link href>` the parser inserts.
    fn loading_element(&self, tag: &Tag, href: &str, nonce: Option<String>) {
        if let Some(url) = self.resolve(href) {
            let mut scan = self.scan.borrow_mut();
            if scan.elements.len() < MAX_ITEMS {
                scan.elements.push(Element {
                    url,
                    nonce,
                    integrity: attr(tag, "integrity").map(|i| i.to_string()),
                });
            }
        }
    }

    /// Starts reading an inline `<script>` or `<style>`'s text.
    fn open(&self, kind: InlineType, nonce: Option<String>, nonceable: bool) {
        *self.open.borrow_mut() = Some(Open {
            kind,
            nonce,
            nonceable,
            text: String::new(),
        });
    }

    fn end_tag(&self, name: &str) {
        if !matches!(name, "script" | "style") {
            return;
        }
        if let Some(open) = self.open.borrow_mut().take() {
            let mut scan = self.scan.borrow_mut();
            if scan.inline.len() < MAX_ITEMS {
                let what = if open.kind == InlineType::Script {
                    "<script>"
                } else {
                    "<style>"
                };
                scan.inline.push(Inline {
                    kind: open.kind,
                    source: open.text,
                    nonce: open.nonce,
                    nonceable: open.nonceable,
                    what: what.to_owned(),
                });
            }
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return self.start_tag(&tag),
                TagKind::EndTag => self.end_tag(tag.name.as_ref()),
            },
            Token::CharacterTokens(t) => {
                if let Some(open) = self.open.borrow_mut().as_mut() {
                    if open.text.len() < MAX_BODY {
                        open.text.push_str(&t);
                    }
                }
            }
            Token::NullCharacterToken => {
                if let Some(open) = self.open.borrow_mut().as_mut() {
                    open.text.push('\u{FFFD}');
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Scans a document's HTML; `document` is its URL (the base URL unless `<base href>`).
pub(crate) fn scan(body: &str, document: &Url) -> Scan {
    let mut end = body.len().min(MAX_BODY);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let sink = Sink {
        document: document.clone(),
        base: RefCell::new(None),
        scan: RefCell::new(Scan::default()),
        open: RefCell::new(None),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&body[..end]));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.scan.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_and_inline_code() {
        let doc = Url::parse("https://app.test/dir/page").unwrap();
        let s = scan(
            r#"<!doctype html><base href="https://cdn.test/base/">
<script nonce="abc" src="a.js" integrity="sha384-xyz"></script>
<script type="application/json">{"not": "code"}</script>
<script nonce=n1>alert("</p>")</script>
<link rel="stylesheet" href="/s.css"><style>p{color:red}</style>
<p onclick="go()" style="color: blue">x</p><a href="javascript:go()">go</a>
<script nonce=a nonce=b src="dup.js"></script>"#,
            &doc,
        );
        assert_eq!(
            s.elements
                .iter()
                .map(|e| (e.url.as_str(), e.nonce.as_deref(), e.integrity.as_deref()))
                .collect::<Vec<_>>(),
            [
                (
                    "https://cdn.test/base/a.js",
                    Some("abc"),
                    Some("sha384-xyz")
                ),
                ("https://cdn.test/s.css", None, None),
                ("https://cdn.test/base/dup.js", None, None),
            ]
        );
        let inline: Vec<(InlineType, &str, Option<&str>)> = s
            .inline
            .iter()
            .map(|i| (i.kind, i.source.as_str(), i.nonce.as_deref()))
            .collect();
        assert_eq!(
            inline,
            [
                (InlineType::Script, "alert(\"</p>\")", Some("n1")),
                (InlineType::Style, "p{color:red}", None),
                (InlineType::ScriptAttribute, "go()", None),
                (InlineType::StyleAttribute, "color: blue", None),
                (InlineType::Navigation, "javascript:go()", None),
            ]
        );
    }
}
