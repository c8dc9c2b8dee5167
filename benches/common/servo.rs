//! Servo's per-fetch CSP sequence, shared by `benches/servo_fetch.rs` (criterion times) and
//! `examples/servo_fetch_instructions.rs` (instruction counts), so that both measure the same
//! code.
//!
//! Per fetch: the policy container is cloned into the request builder and again when
//! `main_fetch` takes the request; the owned CSP request is built;
//! `report_violations_for_request`, then `should_request_be_blocked` (a blocked request
//! ends there, as a network error); then `should_response_to_request_be_blocked` on the
//! response. Natively the container holds an `Arc<DocumentPolicy>`, the request borrows the
//! engine's URL, and the three calls are `report_request`, `should_block_request` and
//! `check_response`.

#![allow(dead_code)] // Each binary uses part of this module.

use std::hint::black_box;
use std::sync::Arc;

use csp_compat as compat;
use cspgate::url::{Origin, Url};
use cspgate::DocumentPolicy;

use crate::common;

/// The requests of a page under the realistic policy: allowed and blocked, several
/// destinations.
pub(crate) const PAGE: &[(&str, &str)] = &[
    ("script", "https://www.example.org/app.js"),
    ("script", "https://www.googletagmanager.com/gtm.js?id=GTM-1"),
    ("style", "https://fonts.googleapis.com/css2?family=Inter"),
    ("font", "https://fonts.gstatic.com/s/inter/v1.woff2"),
    ("image", "https://images.example.net/hero.jpg"),
    ("image", "https://www.example.org/logo.svg"),
    ("", "https://api.example.org/v1/cart"),
    ("", "https://www.google-analytics.com/g/collect"),
    ("iframe", "https://www.youtube.com/embed/x"),
    ("script", "https://evil.example/x.js"),
];

/// [`PAGE`] as owned (destination, URL) pairs, the shape of `common::requests()`.
pub(crate) fn page() -> Vec<(String, String)> {
    PAGE.iter()
        .map(|(d, u)| ((*d).to_owned(), (*u).to_owned()))
        .collect()
}

/// Servo's `PolicyContainer`, with the list type of the crate it is measured with.
#[derive(Clone)]
pub(crate) struct Container<T> {
    pub(crate) csp_list: Option<T>,
    pub(crate) referrer_policy: u8,
}

impl<T> Container<T> {
    fn new(list: T) -> Container<T> {
        Container {
            csp_list: Some(list),
            referrer_policy: 0,
        }
    }
}

/// One document: its policy in each container, and its origin.
pub(crate) struct Document {
    /// The peer's list.
    pub(crate) peer: Container<content_security_policy::CspList>,
    /// compat's list.
    pub(crate) compat: Container<compat::CspList>,
    /// compat's list behind an `Arc`: the first step of the migration guide
    /// (`compat/README.md`), one type changed and no call site.
    pub(crate) compat_arc: Container<Arc<compat::CspList>>,
    /// The policy container `docs/integration.md` describes: the compiled policy behind an
    /// `Arc`.
    pub(crate) native: Container<Arc<DocumentPolicy>>,
    pub(crate) origin: Origin,
}

impl Document {
    /// The document `common::DOCUMENT` with the enforced header value `text`.
    pub(crate) fn new(text: &str) -> Document {
        let url = Url::parse(common::DOCUMENT).unwrap();
        let compat_list = || {
            compat::CspList::parse(
                text,
                compat::PolicySource::Header,
                compat::PolicyDisposition::Enforce,
            )
        };
        Document {
            peer: Container::new(common::peer_list(text)),
            compat: Container::new(compat_list()),
            compat_arc: Container::new(Arc::new(compat_list())),
            native: Container::new(Arc::new(DocumentPolicy::new(&url, common::ours_list(text)))),
            origin: url.origin(),
        }
    }
}

/// Servo's per-fetch calls for a crate with the 0.9 API (`$krate`: the peer or compat) on
/// `$url`: returns "blocked". With `$checks` false only what the 0.9 API costs whatever it
/// answers: the two deep clones of the policy container and the owned request.
macro_rules! servo_fetch {
    ($krate:ident, $container:expr, $url:expr, $origin:expr, $destination:expr, $checks:expr) => {{
        let builder = $container.clone(); // RequestBuilder { policy_container, .. }
        let container = builder.clone(); // main_fetch: the request's policy container
        let url = $url;
        let request = $krate::Request {
            url: url.clone(),
            current_url: url.clone(),
            origin: $origin.clone(),
            redirect_count: 0,
            destination: $destination,
            initiator: $krate::Initiator::None,
            nonce: String::new(),
            integrity_metadata: String::new(),
            parser_metadata: $krate::ParserMetadata::None,
        };
        let mut blocked = false;
        match container.csp_list.as_ref() {
            Some(list) if $checks => {
                std::hint::black_box(list.report_violations_for_request(&request));
                let (result, violations) = list.should_request_be_blocked(&request);
                std::hint::black_box(&violations);
                blocked = result == $krate::CheckResult::Blocked;
                if !blocked {
                    let response = $krate::Response {
                        url: url.clone(),
                        redirect_count: request.redirect_count,
                    };
                    let (result, violations) =
                        list.should_response_to_request_be_blocked(&request, &response);
                    std::hint::black_box(&violations);
                    blocked = result == $krate::CheckResult::Blocked;
                }
            }
            _ => {
                std::hint::black_box(&request);
            }
        }
        std::hint::black_box((&builder, container.referrer_policy));
        blocked
    }};
}

/// The same fetch natively: returns "blocked".
pub(crate) fn native_fetch(
    container: &Container<Arc<DocumentPolicy>>,
    url: &Url,
    destination: cspgate::Destination,
) -> bool {
    let builder = container.clone();
    let container = builder.clone();
    let Some(policy) = container.csp_list.as_ref() else {
        return false;
    };
    let request = cspgate::Request::new(url, destination);
    let _ = black_box(policy.report_request(&request));
    let verdict = policy.should_block_request(&request);
    let blocked = verdict.is_blocked() || policy.check_response(&request, url).is_blocked();
    black_box((&builder, container.referrer_policy));
    blocked
}
