//! What the compat integration tests share: a plain request, as 0.9's callers build one.

#![allow(dead_code, unreachable_pub)]

use content_security_policy::{Destination, Initiator, ParserMetadata, Request, Url};

/// A request for `url` from `origin` to `destination`, with no redirects, nonce, integrity
/// metadata or parser metadata.
pub fn request(url: &str, origin: &str, destination: Destination) -> Request {
    let url = Url::parse(url).unwrap();
    Request {
        url: url.clone(),
        current_url: url,
        origin: Url::parse(origin).unwrap().origin(),
        redirect_count: 0,
        destination,
        initiator: Initiator::None,
        nonce: String::new(),
        integrity_metadata: String::new(),
        parser_metadata: ParserMetadata::None,
    }
}
