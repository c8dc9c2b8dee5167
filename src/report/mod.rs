//! The report layer: violation reports (CSP3 §5), their JSON, `explain` for tools, and serde.

pub(crate) mod explain;
pub(crate) mod json;
pub(crate) mod owned;
#[cfg(feature = "serde")]
pub(crate) mod serde_impl;
#[cfg(feature = "serde")]
pub(crate) mod serde_names;
pub(crate) mod violation_report;
