//! Trusted Types' vocabularies: sink groups (`trusted-types-sink-group`) and the kinds of
//! string compilation CSP3 checks.

use core::fmt;
use core::str::FromStr;

use crate::names::vocabulary::UnknownName;

/// A Trusted Types sink group (`trusted-types-sink-group`): the injection sinks that
/// `require-trusted-types-for` can make require a Trusted Type. `'script'` is the only group
/// the spec defines.
///
/// # Example
///
/// ```
/// use cspgate::SinkGroup;
///
/// assert_eq!("script".parse::<SinkGroup>()?, SinkGroup::Script);
/// assert_eq!(SinkGroup::Script.as_str(), "script");
/// assert!("style".parse::<SinkGroup>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SinkGroup {
    /// `'script'`: the DOM XSS injection sinks.
    Script,
}

impl SinkGroup {
    /// The group's name, unquoted (`script`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SinkGroup::Script => "script",
        }
    }
}

impl fmt::Display for SinkGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SinkGroup {
    type Err = UnknownName;

    /// Parses a sink group name as the DOM integration passes it (`script`), exactly.
    fn from_str(s: &str) -> Result<SinkGroup, UnknownName> {
        match s {
            "script" => Ok(SinkGroup::Script),
            _ => Err(UnknownName::new("trusted types sink group", s)),
        }
    }
}

/// What string compilation is being checked (CSP3 `EnsureCSPDoesNotBlockStringCompilation`'s
/// *compilationType*).
///
/// # Example
///
/// ```
/// use cspgate::CompilationType;
///
/// assert_eq!(CompilationType::Function.sink(), Some("Function"));
/// assert_eq!(CompilationType::Timer.sink(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompilationType {
    /// `eval(string)` (ECMAScript's `"DIRECT"` and `"INDIRECT"`).
    Eval,
    /// `new Function(...)` and its async and generator forms (`"FUNCTION"`).
    Function,
    /// A string passed to `setTimeout` or `setInterval` (`"TIMER"`): HTML already ran the
    /// Trusted Types check of its own sink, so only `script-src` is consulted.
    Timer,
}

impl CompilationType {
    /// The Trusted Types sink name the compilation reports (`eval` or `Function`); `None` for
    /// timers, which skip the Trusted Types steps.
    pub const fn sink(self) -> Option<&'static str> {
        match self {
            CompilationType::Eval => Some("eval"),
            CompilationType::Function => Some("Function"),
            CompilationType::Timer => None,
        }
    }
}
