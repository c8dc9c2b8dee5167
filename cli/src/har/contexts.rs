//! Which context made each HAR entry, and the chains of redirects.
//!
//! Signals, most reliable first:
//!
//! 1. Playwright's `_serviceWorkerRef`: a service worker's own request;
//! 2. Chromium's `_initiator`: the document (`url`) of a parser-inserted element, or a
//!    worker's script among the URLs of its call stack;
//! 3. a `Referer` that is exactly a worker script's URL: a request from that worker (a
//!    worker's requests carry its script's URL as referrer, where the referrer policy lets
//!    the whole URL through);
//! 4. Playwright's `_frameref`: the frame (for a document entry, the frame it loads into);
//! 5. a `Referer` that is exactly a document's URL: that document;
//! 6. otherwise the current top-level document.
//!
//! Where the context comes from signals 4 to 6, the request is one a worker can make (the
//! empty destination but `sendBeacon()` and `<a ping>`, a script, a nested worker) and a worker
//! of the same origin exists, the request may also have come from that worker (its `Referer`
//! is cut to the origin, or absent): the worker is recorded as an alternative reading (unless
//! the request started before the worker's script was requested), and the verdict is unknown
//! when the readings differ.
//!
//! A document entry is the page (the first), a later top-level document (Playwright's main
//! frame, `Sec-Fetch-Dest: document`, or a POST: a form submission, checked by `form-action`
//! in the document that submitted it), or a frame's (an `<iframe>`, or an `<object>` or
//! `<embed>` when its parent's HTML says so). A worker script (`worker`, `sharedworker`,
//! `serviceworker`, `Service-Worker: script`, or a script that later requests name as their
//! referrer) starts a worker context; a `blob:` or `data:` script no HTML loads is taken for a
//! worker's, and any other script no HTML loads and no `Sec-Fetch-Dest` names is read both as
//! a script and as a worker's. Each context's policies are its response's CSP headers; `blob:`
//! and `data:` workers inherit their creator's. A document's HTML (`html.rs`) tells which of
//! its scripts and stylesheets the parser inserted, with which nonce and integrity, and holds
//! its inline code. A 3xx response whose target is a later entry's URL continues the chain:
//! the hop keeps the destination and context, counts the redirect, and reports the original
//! URL.

use std::collections::HashSet;

use cspgate::url::Url;
use cspgate::{Destination, Disposition, InlineType, NavigationType, ParserMetadata};
use serde_json::Value;

use super::html::{self, Scan};
use super::infer::{is_html, is_javascript};
use super::model::{header, started_before, Entry, RedirectTarget};
use crate::contexts::{Context, ContextKind};
use crate::input::PolicyText;
use crate::requests::{Inferred, InlineCode, RequestSpec};

/// A 3xx waiting for its next hop.
struct Hop {
    target: RedirectTarget,
    count: u32,
    original: Url,
    context: usize,
    destination: Destination,
    navigation: Option<NavigationType>,
    /// The context the chain's final response creates (a document's, a worker's).
    creates: Option<usize>,
    /// The chain is the page's own document: its hops are not requests to check.
    page_document: bool,
}

/// What became of one entry.
pub(super) enum Placed {
    /// A request to check.
    Request(Box<RequestSpec>),
    /// The page's document: no request to check.
    PageDocument,
    /// Not checked, and why.
    Skipped(&'static str),
}

/// Builds the contexts while reading entries in order.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) contexts: Vec<Context>,
    frames: Vec<(String, usize)>,
    service_workers: Vec<(String, usize)>,
    top: Option<usize>,
    top_frameref: Option<String>,
    hops: Vec<Hop>,
    /// Every `Referer` of a request that is not a script or stylesheet (so not a module
    /// import or a CSS subresource): a script URL among them is a worker's.
    referrers: HashSet<String>,
    counts: Vec<(ContextKind, usize)>,
    /// Per context: what its document's HTML holds, when the HAR has it.
    scans: Vec<Option<Scan>>,
    /// Per context: when the request for its document or script started.
    started: Vec<Option<String>>,
    /// Inline code found in documents, to check after the entry that loaded them.
    pub(super) inline: Vec<RequestSpec>,
}

impl Builder {
    /// A builder that knows every entry's `Referer` in advance.
    pub(super) fn new(entries: &[&Entry]) -> Builder {
        let mut referrers: HashSet<String> = HashSet::new();
        for e in entries {
            let rt = e
                .resource_type
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            // Module imports name the importing script as referrer, and CSS subresources
            // their stylesheet: neither is a worker's request.
            let sfd = header(&e.request.headers, "sec-fetch-dest").unwrap_or("");
            let mime = e.mime();
            if matches!(rt.as_str(), "script" | "stylesheet" | "other")
                || matches!(sfd, "script" | "style")
                || is_javascript(&mime)
                || mime == "text/css"
            {
                continue;
            }
            if let Some(r) = header(&e.request.headers, "referer") {
                referrers.insert(r.to_owned());
            }
        }
        Builder {
            referrers,
            ..Builder::default()
        }
    }

    /// The page's top-level document (the first context), if a document entry was seen.
    pub(super) fn page(&self) -> Option<&Context> {
        self.contexts.first()
    }

    fn label(&mut self, kind: ContextKind) -> String {
        let n = match self.counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.counts.push((kind, 1));
                1
            }
        };
        if kind == ContextKind::Page && n == 1 {
            "page".to_owned()
        } else {
            format!("{kind}#{n}")
        }
    }

    fn add(
        &mut self,
        kind: ContextKind,
        url: Url,
        entry: &Entry,
        number: usize,
        parent: Option<usize>,
        notes: &mut Vec<String>,
    ) -> usize {
        let label = self.label(kind);
        let inherits = kind.is_worker() && matches!(url.scheme(), "blob" | "data");
        let policies = match parent {
            Some(p) if inherits => self.contexts[p].policies.clone(),
            _ => policies_of(entry, &label, notes),
        };
        self.contexts.push(Context {
            kind,
            url,
            policies,
            parent,
            label,
            entry: Some(number),
            inherits,
        });
        self.scans.push(None);
        self.started.push(entry.started.clone());
        let c = self.contexts.len() - 1;
        self.read_html(c, entry, number);
        c
    }

    /// Reads a document's HTML: its parser-inserted elements, and its inline code as
    /// requests to check.
    fn read_html(&mut self, c: usize, entry: &Entry, number: usize) {
        let context = &self.contexts[c];
        if !matches!(context.kind, ContextKind::Page | ContextKind::Frame)
            || !is_html(&entry.mime())
        {
            return;
        }
        let Some(body) = entry.body() else {
            return;
        };
        let scan = html::scan(&body, &context.url);
        for (k, code) in scan.inline.iter().enumerate() {
            let destination = match code.kind {
                InlineType::Style | InlineType::StyleAttribute => Destination::Style,
                _ => Destination::Script,
            };
            let mut spec = RequestSpec::new(context.url.clone(), destination);
            spec.inline = Some(InlineCode {
                kind: code.kind,
                source: code.source.clone(),
                nonce: code.nonce.clone(),
                nonceable: code.nonceable,
                label: format!("inline #{} {}", k + 1, code.what),
            });
            spec.inferred = Inferred::Html;
            spec.context = c;
            spec.entry = Some(number);
            self.inline.push(spec);
        }
        self.scans[c] = Some(scan);
    }

    /// What the document's HTML says of a script or stylesheet it loads: parser-inserted
    /// with its nonce and integrity, or inserted by a script. What the HAR cannot show (no
    /// HTML, or a script-inserted element's nonce) becomes alternative readings.
    fn apply_html(&self, spec: &mut RequestSpec) {
        let Some(context) = self.contexts.get(spec.context) else {
            return;
        };
        if !matches!(context.kind, ContextKind::Page | ContextKind::Frame)
            || !matches!(spec.destination, Destination::Script | Destination::Style)
        {
            return;
        }
        match self.scans.get(spec.context).and_then(Option::as_ref) {
            Some(scan) => match scan.element(&spec.url) {
                Some(e) => {
                    spec.parser_metadata = ParserMetadata::ParserInserted;
                    spec.nonce = e.nonce.clone();
                    spec.integrity = e.integrity.clone();
                }
                None => {
                    spec.parser_metadata = ParserMetadata::NotParserInserted;
                    spec.nonce_unknown =
                        Some("the script that inserted it gave it the policy's nonce");
                }
            },
            None => {
                let why =
                    "its element's nonce or parser insertion (the HAR has no HTML of its document)";
                spec.nonce_unknown = Some(why);
                if spec.parser_metadata == ParserMetadata::None {
                    for p in [
                        ParserMetadata::ParserInserted,
                        ParserMetadata::NotParserInserted,
                    ] {
                        let mut a = spec.alternative(why);
                        a.parser_metadata = p;
                        spec.alternatives.push(a);
                    }
                }
            }
        }
    }

    /// The chain's final response: the context it created now has this URL and policies.
    fn redo(&mut self, i: usize, url: Url, entry: &Entry, number: usize, notes: &mut Vec<String>) {
        let label = self.contexts[i].label.clone();
        let policies = policies_of(entry, &label, notes);
        let c = &mut self.contexts[i];
        c.url = url;
        c.policies = policies;
        c.entry = Some(number);
        self.read_html(i, entry, number);
    }

    /// Places one entry: its context, its redirect chain, the contexts it creates.
    pub(super) fn place(
        &mut self,
        number: usize,
        entry: &Entry,
        mut spec: RequestSpec,
        sec_fetch_document: bool,
        notes: &mut Vec<String>,
    ) -> Placed {
        spec.entry = Some(number);
        if let Some(hop) = self.take_hop(&spec.url, spec.destination) {
            return self.continue_chain(number, entry, spec, hop, notes);
        }
        if spec.destination == Destination::Document {
            return self.place_document(number, entry, spec, sec_fetch_document, notes);
        }
        self.read_script_kind(&mut spec, entry);
        let (owner, mut alternatives) = if spec.destination == Destination::ServiceWorker {
            // Only documents register service workers.
            let top = self.top.unwrap_or(0);
            (self.document_by_referrer(entry).unwrap_or(top), Vec::new())
        } else {
            self.owner(entry)
        };
        if !worker_can_request(&spec) {
            alternatives.clear();
        }
        spec.context = owner;
        self.apply_html(&mut spec);
        for alt in alternatives {
            let label = self.contexts[alt].label.clone();
            let mut a = spec.alternative(format!("{label} made it"));
            a.context = alt;
            spec.alternatives.push(a);
        }
        self.start_context(number, entry, &mut spec, owner, notes);
        Placed::Request(Box::new(spec))
    }

    /// What a script entry is when nothing says: a worker's (later requests name it as their
    /// referrer), most likely a worker's (a `blob:`/`data:` script no HTML loads), or read both
    /// ways (a script no HTML loads and no `Sec-Fetch-Dest` names).
    fn read_script_kind(&self, spec: &mut RequestSpec, entry: &Entry) {
        if self.is_worker_script(spec, entry) && spec.inferred != Inferred::SecFetchDest {
            spec.destination = Destination::Worker;
            spec.inferred = Inferred::LaterEntries;
            spec.guessed = Some(
                "a worker's script: later requests came from inside it (dedicated or shared: the HAR does not say; worker-src governs both)".to_owned(),
            );
        }
        let local_script = spec.destination == Destination::Script
            && spec.inferred != Inferred::SecFetchDest
            && matches!(spec.url.scheme(), "blob" | "data")
            && !self.in_html(&spec.url);
        if local_script {
            // A blob:/data: script no document's HTML loads: most likely a worker's (they
            // are how workers are built from strings); read both ways.
            spec.alternatives
                .push(spec.alternative("a <script> element loaded it"));
            spec.destination = Destination::Worker;
            spec.guessed = Some(
                "a blob: or data: script that no document's HTML loads: a worker's, most likely (the HAR does not say)".to_owned(),
            );
        }
        if spec.destination == Destination::Script
            && !matches!(
                spec.inferred,
                Inferred::SecFetchDest | Inferred::LaterEntries
            )
            && spec.parser_metadata != ParserMetadata::ParserInserted
            && !self.in_html(&spec.url)
        {
            // Nothing says whether a script no HTML loads is a worker's (a HAR without
            // Sec-Fetch-Dest calls both "script"): read it both ways.
            let mut a = spec.alternative("it is a worker's script (the HAR does not say)");
            a.destination = Destination::Worker;
            spec.alternatives.push(a);
        }
    }

    /// A frame's or a worker's request starts its context.
    fn start_context(
        &mut self,
        number: usize,
        entry: &Entry,
        spec: &mut RequestSpec,
        owner: usize,
        notes: &mut Vec<String>,
    ) {
        if matches!(spec.destination, Destination::IFrame | Destination::Frame) {
            let parent = self.document_by_referrer(entry).unwrap_or(owner);
            spec.context = parent;
            spec.alternatives.clear();
            self.add_document(ContextKind::Frame, number, entry, spec, parent, notes);
        } else if let Some(kind) = worker_kind(spec.destination) {
            let c = self.add(kind, spec.url.clone(), entry, number, Some(owner), notes);
            if let (ContextKind::ServiceWorker, Some(r)) = (kind, &entry.service_worker_ref) {
                self.service_workers.push((r.clone(), c));
            }
            self.push_hop(entry, spec, Some(c), false);
        } else {
            self.push_hop(entry, spec, None, false);
        }
    }

    fn take_hop(&mut self, url: &Url, destination: Destination) -> Option<Hop> {
        let i = self.hops.iter().position(|h| match &h.target {
            RedirectTarget::Url(t) => t.as_str() == url.as_str(),
            RedirectTarget::Unknown => h.destination == destination,
        })?;
        Some(self.hops.remove(i))
    }

    fn push_hop(&mut self, entry: &Entry, spec: &RequestSpec, creates: Option<usize>, page: bool) {
        if let Some(target) = entry.redirect_target(&spec.url) {
            self.hops.push(Hop {
                target,
                count: spec.redirect_count,
                original: spec
                    .original_url
                    .clone()
                    .unwrap_or_else(|| spec.url.clone()),
                context: spec.context,
                destination: spec.destination,
                navigation: spec.navigation,
                creates,
                page_document: page,
            });
        }
    }

    /// The hop after a redirect: same destination, context and navigation; one more
    /// redirect; the chain's original URL.
    fn continue_chain(
        &mut self,
        number: usize,
        entry: &Entry,
        mut spec: RequestSpec,
        hop: Hop,
        notes: &mut Vec<String>,
    ) -> Placed {
        if let Some(c) = hop.creates {
            self.redo(c, spec.url.clone(), entry, number, notes);
        }
        if hop.page_document {
            self.push_hop(entry, &spec, hop.creates, true);
            return Placed::Skipped("a redirect of the page's document");
        }
        spec.destination = hop.destination;
        spec.context = hop.context;
        spec.navigation = hop.navigation;
        spec.redirect_count = hop.count + 1;
        spec.original_url = Some(hop.original.clone());
        if spec.navigation.is_some() {
            spec.api = Some("navigation");
        }
        self.push_hop(entry, &spec, hop.creates, false);
        Placed::Request(Box::new(spec))
    }

    /// A document entry: the page, a later top-level document, or a frame's.
    fn place_document(
        &mut self,
        number: usize,
        entry: &Entry,
        mut spec: RequestSpec,
        sec_fetch_document: bool,
        notes: &mut Vec<String>,
    ) -> Placed {
        let Some(top) = self.top else {
            let c = self.add(
                ContextKind::Page,
                spec.url.clone(),
                entry,
                number,
                None,
                notes,
            );
            self.top = Some(c);
            self.top_frameref = entry.frameref.clone();
            if let Some(f) = &entry.frameref {
                self.frames.push((f.clone(), c));
            }
            spec.context = c;
            self.push_hop(entry, &spec, Some(c), true);
            return Placed::PageDocument;
        };
        let top_level = match (&entry.frameref, &self.top_frameref) {
            (Some(f), Some(t)) => f == t,
            // Without Playwright's frames: Sec-Fetch-Dest, or a form's POST (a form submitted
            // into a frame is rarer than one that navigates the tab).
            _ => sec_fetch_document || entry.request.method.eq_ignore_ascii_case("POST"),
        };
        if top_level {
            self.place_navigation(number, entry, &mut spec, top, notes);
        } else {
            self.place_frame(number, entry, &mut spec, top, notes);
        }
        Placed::Request(Box::new(spec))
    }

    /// A top-level navigation: the navigation check of the document that started it (the one
    /// its Referer names, else the current one); the new document is the page's context from
    /// here on.
    fn place_navigation(
        &mut self,
        number: usize,
        entry: &Entry,
        spec: &mut RequestSpec,
        top: usize,
        notes: &mut Vec<String>,
    ) {
        let form = entry.request.method.eq_ignore_ascii_case("POST");
        spec.context = self.document_by_referrer(entry).unwrap_or(top);
        spec.navigation = Some(if form {
            NavigationType::FormSubmission
        } else {
            NavigationType::Other
        });
        spec.api = Some(if form {
            "form submission"
        } else {
            "navigation"
        });
        if !form && spec.url.query().is_some() {
            let mut a = spec.alternative("a GET form submitted it");
            a.navigation = Some(NavigationType::FormSubmission);
            spec.alternatives.push(a);
        }
        let c = self.add_document(ContextKind::Page, number, entry, spec, top, notes);
        self.top = Some(c);
    }

    /// A frame's document: checked by frame-src (or, for an `<object>` or `<embed>` the
    /// parent's HTML shows, object-src) in its parent.
    fn place_frame(
        &mut self,
        number: usize,
        entry: &Entry,
        spec: &mut RequestSpec,
        top: usize,
        notes: &mut Vec<String>,
    ) {
        let parent = self.document_by_referrer(entry).unwrap_or(top);
        spec.destination = self
            .scans
            .get(parent)
            .and_then(Option::as_ref)
            .and_then(|scan| scan.nested(&spec.url))
            .unwrap_or(Destination::IFrame);
        spec.context = parent;
        if entry.request.method.eq_ignore_ascii_case("POST") {
            spec.api = Some("form submission into a frame");
        }
        self.add_document(ContextKind::Frame, number, entry, spec, parent, notes);
    }

    /// The document `spec` navigates to, in `parent`: a new context of `kind` (the page or a
    /// frame), found again by the entry's frame reference when it has one, the request its
    /// first hop.
    fn add_document(
        &mut self,
        kind: ContextKind,
        number: usize,
        entry: &Entry,
        spec: &RequestSpec,
        parent: usize,
        notes: &mut Vec<String>,
    ) -> usize {
        let c = self.add(kind, spec.url.clone(), entry, number, Some(parent), notes);
        if let Some(f) = &entry.frameref {
            self.frames.push((f.clone(), c));
        }
        self.push_hop(entry, spec, Some(c), false);
        c
    }

    /// Does some document's HTML load this URL with an element?
    fn in_html(&self, url: &Url) -> bool {
        self.scans
            .iter()
            .flatten()
            .any(|scan| scan.element(url).is_some())
    }

    /// Is this script entry a worker's script, by later requests made from inside it?
    fn is_worker_script(&self, spec: &RequestSpec, entry: &Entry) -> bool {
        if spec.destination != Destination::Script {
            return false;
        }
        if entry
            .initiator
            .as_ref()
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
            == Some("parser")
        {
            return false;
        }
        self.referrers.contains(spec.url.as_str())
    }

    /// Without Playwright's frames, a `Referer` cut to an origin other than the top-level
    /// document's names the most recent frame of that origin.
    fn document_by_origin(&self, entry: &Entry, top: usize) -> Option<usize> {
        let origin = Url::parse(header(&entry.request.headers, "referer")?)
            .ok()?
            .origin();
        if self
            .contexts
            .get(top)
            .is_some_and(|c| c.url.origin() == origin)
        {
            return None;
        }
        self.contexts
            .iter()
            .rposition(|c| c.kind == ContextKind::Frame && c.url.origin() == origin)
    }

    /// The most recent document context (page or frame) whose URL is the entry's `Referer`.
    fn document_by_referrer(&self, entry: &Entry) -> Option<usize> {
        let r = header(&entry.request.headers, "referer")?;
        self.contexts
            .iter()
            .rposition(|c| !c.kind.is_worker() && c.url.as_str() == r)
    }

    /// The context that made the entry, and the other contexts that may have.
    fn owner(&mut self, entry: &Entry) -> (usize, Vec<usize>) {
        if let Some(c) = self.sure_owner(entry) {
            return (c, Vec::new());
        }
        // 4-6. Playwright's frame, the referring document, the top-level document.
        let frame = entry
            .frameref
            .as_ref()
            .and_then(|f| self.frames.iter().rev().find(|(x, _)| x == f))
            .map(|(_, c)| *c);
        let exact = self.document_by_referrer(entry);
        let top = self.top.unwrap_or(0);
        let owner = frame
            .or(exact)
            .or_else(|| self.document_by_origin(entry, top))
            .unwrap_or(top);
        let referrer = header(&entry.request.headers, "referer").and_then(|r| Url::parse(r).ok());
        let whole = referrer.as_ref().is_some_and(|r| whole_url(r, entry));
        if exact.is_some() && exact == Some(owner) && whole {
            // The document's whole URL as referrer: a worker's would be its script's.
            return (owner, Vec::new());
        }
        let origin = referrer.map(|u| u.origin());
        (owner, self.worker_alternatives(entry, owner, origin))
    }

    /// Signals 1 to 3: the context an entry surely comes from.
    fn sure_owner(&mut self, entry: &Entry) -> Option<usize> {
        // 1. Playwright's service worker reference.
        if let Some(r) = &entry.service_worker_ref {
            if let Some((_, c)) = self.service_workers.iter().find(|(x, _)| x == r) {
                return Some(*c);
            }
            let mapped = |i: usize| self.service_workers.iter().any(|(_, x)| *x == i);
            let unmapped = (0..self.contexts.len())
                .rev()
                .find(|&i| self.contexts[i].kind == ContextKind::ServiceWorker && !mapped(i));
            if let Some(c) = unmapped {
                self.service_workers.push((r.clone(), c));
                return Some(c);
            }
        }
        let find = |worker: bool, url: &str| {
            self.contexts
                .iter()
                .rposition(|c| c.kind.is_worker() == worker && c.url.as_str() == url)
        };
        // 2. Chromium's initiator: the document of a parser-inserted element...
        let parser_document = entry
            .initiator
            .as_ref()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some("parser"))
            .and_then(|i| i.get("url"))
            .and_then(Value::as_str);
        if let Some(c) = parser_document.and_then(|u| find(false, u)) {
            return Some(c);
        }
        // ...or a worker's script on the call stack.
        if let Some(c) = stack_urls(entry.initiator.as_ref())
            .into_iter()
            .find_map(|u| find(true, u))
        {
            return Some(c);
        }
        // 3. A worker script's URL as referrer.
        header(&entry.request.headers, "referer").and_then(|r| find(true, r))
    }

    /// The dedicated and shared workers of `owner` (of `origin`, when the referrer tells it)
    /// that may have made the entry: those whose script was requested before it started.
    fn worker_alternatives(
        &self,
        entry: &Entry,
        owner: usize,
        origin: Option<cspgate::url::Origin>,
    ) -> Vec<usize> {
        self.contexts
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.kind, ContextKind::Worker | ContextKind::SharedWorker))
            .filter(|(_, c)| origin.as_ref().is_none_or(|o| c.url.origin() == *o))
            .filter(|(_, c)| c.parent == Some(owner) || c.kind == ContextKind::SharedWorker)
            .filter(|(i, _)| {
                let script = self.started.get(*i).and_then(Option::as_deref);
                started_before(entry.started.as_deref(), script) != Some(true)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Is this `Referer` a whole URL, not one cut to its origin? The default referrer policy
/// (`strict-origin-when-cross-origin`) sends only the origin with a cross-origin request, so
/// a bare origin there could be any context of that origin's.
fn whole_url(referrer: &Url, entry: &Entry) -> bool {
    let same_origin =
        Url::parse(entry.request.url.trim()).is_ok_and(|u| u.origin() == referrer.origin());
    same_origin || referrer.path() != "/" || referrer.query().is_some()
}

/// The script URLs of Chromium's `_initiator.stack` (its call frames, then its parents'),
/// at most 64.
fn stack_urls(initiator: Option<&Value>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = initiator.and_then(|i| i.get("stack"));
    while let Some(st) = stack {
        if let Some(frames) = st.get("callFrames").and_then(Value::as_array) {
            for f in frames {
                if let Some(u) = f.get("url").and_then(Value::as_str) {
                    if !u.is_empty() && out.len() < 64 {
                        out.push(u);
                    }
                }
            }
        }
        stack = st.get("parent");
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// Could a worker have made this request? Workers fetch with the empty destination
/// (`fetch()`, XHR, WebSocket, EventSource; not `sendBeacon()` or `<a ping>`, which they
/// lack), import scripts, and start nested workers; nothing else.
fn worker_can_request(spec: &RequestSpec) -> bool {
    match spec.destination {
        Destination::Empty => !matches!(spec.api, Some("sendBeacon()" | "<a ping>")),
        Destination::Script | Destination::Worker | Destination::SharedWorker => true,
        _ => false,
    }
}

/// The context a worker script starts.
fn worker_kind(d: Destination) -> Option<ContextKind> {
    match d {
        Destination::Worker => Some(ContextKind::Worker),
        Destination::SharedWorker => Some(ContextKind::SharedWorker),
        Destination::ServiceWorker => Some(ContextKind::ServiceWorker),
        _ => None,
    }
}

/// The `Content-Security-Policy` and `Content-Security-Policy-Report-Only` header values of
/// an entry's response, in order. A header value that holds line breaks is several header
/// lines merged.
pub(super) fn policies_of(entry: &Entry, label: &str, notes: &mut Vec<String>) -> Vec<PolicyText> {
    let mut out = Vec::new();
    for h in &entry.response.headers {
        let disposition = match h.name.to_ascii_lowercase().as_str() {
            "content-security-policy" => Disposition::Enforce,
            "content-security-policy-report-only" => Disposition::Report,
            "x-content-security-policy" | "x-webkit-csp" => {
                notes.push(format!(
                    "the {label} document's {} header is a pre-standard prefixed header that browsers ignore; it was not read",
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
                if label == "page" {
                    format!("HAR: {} response header", h.name)
                } else {
                    format!("HAR: {label}'s {} response header", h.name)
                },
            ));
        }
    }
    out
}
