//! The checks layer: [`DocumentPolicy`](crate::DocumentPolicy) and one module per CSP3 hook.

pub(crate) mod base_uri;
pub(crate) mod document;
pub(crate) mod document_directives;
pub(crate) mod eval;
pub(crate) mod inline;
pub(crate) mod navigation;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod sandbox;
pub(crate) mod trusted_types;
pub(crate) mod verdict;
pub(crate) mod webrtc;
