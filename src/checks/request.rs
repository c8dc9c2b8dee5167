//! A borrowed view of a Fetch request: the fields CSP reads.

use url::Url;

use crate::names::destination::{Destination, Initiator, ParserMetadata};

/// The parts of a Fetch request that CSP's request checks read, borrowed from the engine's own
/// request object. Building one is free: no allocation, no copy of the URL.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, ParserMetadata, Request};
/// use url::Url;
///
/// let url = Url::parse("https://cdn.test/app.js")?;
/// let request = Request::new(&url, Destination::Script)
///     .nonce("r4nd0m")
///     .parser_metadata(ParserMetadata::ParserInserted);
/// assert_eq!(request.destination(), Destination::Script);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub(crate) url: &'a Url,
    pub(crate) original_url: Option<&'a Url>,
    pub(crate) destination: Destination,
    pub(crate) initiator: Initiator,
    pub(crate) redirect_count: u32,
    pub(crate) nonce: &'a str,
    pub(crate) integrity: &'a str,
    pub(crate) parser_metadata: ParserMetadata,
    pub(crate) webtransport_hashes: bool,
}

impl<'a> Request<'a> {
    /// A request for `url` (Fetch's *current URL*: after redirects, if any) with that
    /// destination, no initiator, no redirect, no nonce, integrity or parser metadata.
    #[inline]
    pub fn new(url: &'a Url, destination: Destination) -> Request<'a> {
        Request {
            url,
            original_url: None,
            destination,
            initiator: Initiator::None,
            redirect_count: 0,
            nonce: "",
            integrity: "",
            parser_metadata: ParserMetadata::None,
            webtransport_hashes: false,
        }
    }

    /// Sets the Fetch initiator (`prefetch` and `prerender` change the effective directive).
    #[inline]
    #[must_use]
    pub fn initiator(mut self, initiator: Initiator) -> Request<'a> {
        self.initiator = initiator;
        self
    }

    /// Sets the redirect count: above 0, source paths are ignored (CSP3 §7.6).
    #[inline]
    #[must_use]
    pub fn redirect_count(mut self, count: u32) -> Request<'a> {
        self.redirect_count = count;
        self
    }

    /// Sets the cryptographic nonce metadata (the element's `nonce`).
    #[inline]
    #[must_use]
    pub fn nonce(mut self, nonce: &'a str) -> Request<'a> {
        self.nonce = nonce;
        self
    }

    /// Sets the integrity metadata (the element's `integrity`).
    #[inline]
    #[must_use]
    pub fn integrity(mut self, integrity: &'a str) -> Request<'a> {
        self.integrity = integrity;
        self
    }

    /// Sets the parser metadata (whether the HTML parser inserted the element).
    #[inline]
    #[must_use]
    pub fn parser_metadata(mut self, parser_metadata: ParserMetadata) -> Request<'a> {
        self.parser_metadata = parser_metadata;
        self
    }

    /// Sets the request's original URL (Fetch's *url*, before redirects), which violations
    /// report instead of the current URL so that redirect targets do not leak (CSP3 §2.4.2).
    /// Defaults to the current URL.
    #[inline]
    #[must_use]
    pub fn original_url(mut self, url: &'a Url) -> Request<'a> {
        self.original_url = Some(url);
        self
    }

    /// Marks a WebTransport request whose `serverCertificateHashes` list is not empty: only
    /// `'unsafe-webtransport-hashes'` allows it (CSP3 §6.1.2).
    #[inline]
    #[must_use]
    pub fn webtransport_hashes(mut self, present: bool) -> Request<'a> {
        self.webtransport_hashes = present;
        self
    }

    /// The URL being checked (the current URL).
    #[inline]
    pub fn url(&self) -> &'a Url {
        self.url
    }

    /// The URL violations report: the original URL if set, else the current URL.
    #[inline]
    pub fn reported_url(&self) -> &'a Url {
        self.original_url.unwrap_or(self.url)
    }

    /// The destination.
    #[inline]
    pub fn destination(&self) -> Destination {
        self.destination
    }
}
