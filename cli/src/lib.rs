//! The `cspgate` command-line tool: check a Content Security Policy against a page's real
//! requests before shipping it, explain a policy, suggest one, and run conformance cases.

pub mod conformance;
