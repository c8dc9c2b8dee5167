//! The matching layer: the request URL view, the self-origin, and the host, path and SRI
//! matching algorithms of CSP3 §6.7.2.

pub(crate) mod host;
pub(crate) mod origin;
pub(crate) mod path;
pub(crate) mod source_list;
pub mod sri;
