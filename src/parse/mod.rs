//! The parse layer: CSP3 §2.2 (policy and directive parsing), §2.3.1 (the source expression
//! grammar) and the warnings parsing reports. It depends on `names` and `policy`'s compiled
//! forms, which it builds.

pub(crate) mod parser;
pub(crate) mod parts;
pub(crate) mod source;
pub(crate) mod warning;
