//! The contexts a page's requests run in: the top-level document (and each document a
//! navigation replaced it with), its frames, and its dedicated, shared and service workers.
//! Each has its own URL (what `'self'` means there) and its own policies (the response
//! headers of its document or worker script): a browser checks a request against the policy
//! of the context that made it, never against the page's when a frame or a worker made it.

use std::fmt;

use cspgate::url::Url;
use cspgate::DocumentPolicy;

use crate::input::{Policies, PolicyText};

/// What kind of context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextKind {
    /// A top-level document: the page, or a document a top-level navigation replaced it with.
    Page,
    /// A frame's document (`<iframe>`, `<frame>`).
    Frame,
    /// A dedicated worker (`new Worker()`).
    Worker,
    /// A shared worker (`new SharedWorker()`).
    SharedWorker,
    /// A service worker.
    ServiceWorker,
}

impl ContextKind {
    /// `page`, `frame`, `worker`, `sharedworker` or `serviceworker`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContextKind::Page => "page",
            ContextKind::Frame => "frame",
            ContextKind::Worker => "worker",
            ContextKind::SharedWorker => "sharedworker",
            ContextKind::ServiceWorker => "serviceworker",
        }
    }

    /// Is it a worker of some kind?
    pub const fn is_worker(self) -> bool {
        matches!(
            self,
            ContextKind::Worker | ContextKind::SharedWorker | ContextKind::ServiceWorker
        )
    }
}

impl fmt::Display for ContextKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One context.
#[derive(Clone, Debug)]
pub struct Context {
    /// Its kind.
    pub kind: ContextKind,
    /// Its URL: the document's or the worker script's, after redirects.
    pub url: Url,
    /// Its policies, in order.
    pub policies: Vec<PolicyText>,
    /// The context that created it (a frame's parent, a worker's creator).
    pub parent: Option<usize>,
    /// Its name in the output: `page`, `page#2`, `frame#1`, `worker#1`...
    pub label: String,
    /// The HAR entry of its document or script.
    pub entry: Option<usize>,
    /// Its policies are inherited from its creator (a `blob:` or `data:` worker).
    pub inherits: bool,
}

impl Context {
    /// The page's top-level document at `url`, with `policies`.
    ///
    /// ```
    /// use cspgate_cli::contexts::Context;
    /// let c = Context::page(cspgate::url::Url::parse("https://a.test/").unwrap(), Vec::new());
    /// assert_eq!(c.label, "page");
    /// ```
    pub fn page(url: Url, policies: Vec<PolicyText>) -> Context {
        Context {
            kind: ContextKind::Page,
            url,
            policies,
            parent: None,
            label: "page".to_owned(),
            entry: None,
            inherits: false,
        }
    }

    /// One line for the list of contexts above the table.
    pub fn heading(&self, contexts: &[Context]) -> String {
        let what = match self.kind {
            ContextKind::Page => "top-level document",
            ContextKind::Frame => "frame",
            ContextKind::Worker => "dedicated worker",
            ContextKind::SharedWorker => "shared worker",
            ContextKind::ServiceWorker => "service worker",
        };
        let mut s = format!("{}: {what} {}", self.label, self.url);
        if let Some(p) = self.parent.and_then(|p| contexts.get(p)) {
            s.push_str(&format!(", made by {}", p.label));
        }
        if let Some(e) = self.entry {
            s.push_str(&format!(" (HAR entry {e})"));
        }
        s
    }
}

/// The library's document policy of every context, built once: index `i` is context `i`'s.
pub fn document_policies(contexts: &[Context]) -> Vec<DocumentPolicy> {
    contexts
        .iter()
        .map(|c| DocumentPolicy::new(&c.url, Policies::new(c.policies.clone()).list))
        .collect()
}
