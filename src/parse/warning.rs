//! Parse diagnostics, delivered on a side channel: parsing itself never fails.

use core::fmt;
use core::ops::Range;

use crate::limits::Limit;
use crate::names::directive::DirectiveKind;
use crate::parse::source::InvalidSource;

/// A byte range of the text given to the parser.
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, PolicyList, PolicySource};
///
/// let text = "img-src a.test; img-src b.test";
/// let mut warnings = Vec::new();
/// PolicyList::parse_with(text, Disposition::Enforce, PolicySource::Header, &mut |w| warnings.push(w));
/// assert_eq!(&text[warnings[0].span().range()], "img-src b.test");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset after the last byte.
    pub end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, len: usize) -> Span {
        Span {
            start,
            end: start + len,
        }
    }

    /// The span as a range, to slice the parsed text with.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

/// Something the parser ignored or repaired, with where it was.
///
/// Each warning says what the parser did; none of them stops parsing. The spans index the
/// text passed to [`PolicyList::parse_with`](crate::PolicyList::parse_with).
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, ParseWarning, PolicyList, PolicySource};
///
/// let mut warnings = Vec::new();
/// let list = PolicyList::parse_with(
///     "script-src 'self' https://a_b.test",
///     Disposition::Enforce,
///     PolicySource::Header,
///     &mut |w| warnings.push(w),
/// );
/// assert_eq!(list.len(), 1);
/// assert!(matches!(warnings[0], ParseWarning::InvalidSource { .. }));
/// assert_eq!(
///     warnings[0].to_string(),
///     "bytes 18..34: invalid source expression, ignored: the host is not a valid host pattern"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseWarning {
    /// A directive whose name already appeared in the policy; CSP3 keeps the first
    /// (§2.2.1 step 3.5).
    DuplicateDirective {
        /// The ignored directive.
        span: Span,
    },
    /// A directive containing a non-ASCII character, dropped whole (§2.2.1 step 3.2).
    NonAsciiDirective {
        /// The dropped directive.
        span: Span,
    },
    /// A directive name CSP3 does not define: kept, but it has no effect.
    UnknownDirective {
        /// The name.
        span: Span,
    },
    /// A token that fits no source-expression production: kept, but it never matches.
    InvalidSource {
        /// The token.
        span: Span,
        /// Which production failed.
        reason: InvalidSource,
    },
    /// A source expression that means nothing in this directive (a nonce in `frame-ancestors`,
    /// `'unsafe-eval'` in `img-src` ...).
    IneffectiveSource {
        /// The token.
        span: Span,
        /// The directive it appears in.
        directive: DirectiveKind,
    },
    /// `'none'` together with other sources: it is ignored (§6.7.2.7 step 3).
    NoneWithOtherSources {
        /// The `'none'` token.
        span: Span,
    },
    /// A query or fragment after a source's path, ignored as every engine does.
    IgnoredQuery {
        /// The ignored `?...` or `#...` part.
        span: Span,
    },
    /// A directive that `<meta>` policies may not carry (`report-uri`, `frame-ancestors`,
    /// `sandbox`): removed.
    IgnoredInMeta {
        /// The removed directive.
        span: Span,
        /// Which one.
        directive: DirectiveKind,
    },
    /// A report-only policy delivered in `<meta>`: HTML ignores it.
    ReportOnlyInMeta,
    /// A token of `trusted-types` that is no `tt-expression` (policy name, `*`, `'none'`,
    /// `'allow-duplicates'`), or of `require-trusted-types-for` that is no sink group
    /// keyword (`'script'`): ignored, it allows or requires nothing.
    InvalidTrustedTypesToken {
        /// The token.
        span: Span,
        /// The directive it appears in.
        directive: crate::names::directive::DirectiveKind,
    },
    /// A directive ignored in a report-only policy (`sandbox`, `upgrade-insecure-requests`).
    IgnoredInReportOnly {
        /// The directive.
        span: Span,
        /// Which one.
        directive: DirectiveKind,
    },
    /// Input over one of the parser's limits was cut; the policy kept is never more
    /// permissive than the whole input's (see [`Limit`]).
    LimitExceeded {
        /// Where the cut happened.
        span: Span,
        /// Which limit.
        limit: Limit,
    },
}

impl ParseWarning {
    /// Where in the parsed text the warning points (empty span for whole-input warnings).
    pub fn span(&self) -> Span {
        match *self {
            ParseWarning::DuplicateDirective { span }
            | ParseWarning::NonAsciiDirective { span }
            | ParseWarning::UnknownDirective { span }
            | ParseWarning::InvalidSource { span, .. }
            | ParseWarning::IneffectiveSource { span, .. }
            | ParseWarning::NoneWithOtherSources { span }
            | ParseWarning::IgnoredQuery { span }
            | ParseWarning::IgnoredInMeta { span, .. }
            | ParseWarning::IgnoredInReportOnly { span, .. }
            | ParseWarning::InvalidTrustedTypesToken { span, .. }
            | ParseWarning::LimitExceeded { span, .. } => span,
            ParseWarning::ReportOnlyInMeta => Span { start: 0, end: 0 },
        }
    }
}

impl fmt::Display for ParseWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.span();
        write!(f, "bytes {}..{}: ", s.start, s.end)?;
        match self {
            ParseWarning::DuplicateDirective { .. } => {
                f.write_str("duplicate directive, ignored (the first one wins)")
            }
            ParseWarning::NonAsciiDirective { .. } => {
                f.write_str("directive contains a non-ASCII character, ignored whole")
            }
            ParseWarning::UnknownDirective { .. } => {
                f.write_str("unknown directive name, it has no effect")
            }
            ParseWarning::InvalidSource { reason, .. } => {
                write!(f, "invalid source expression, ignored: {reason}")
            }
            ParseWarning::IneffectiveSource { directive, .. } => {
                write!(f, "this source expression has no effect in {directive}")
            }
            ParseWarning::NoneWithOtherSources { .. } => {
                f.write_str("'none' is ignored when other sources are listed")
            }
            ParseWarning::IgnoredQuery { .. } => {
                f.write_str("query or fragment in a source expression, ignored")
            }
            ParseWarning::IgnoredInMeta { directive, .. } => {
                write!(f, "{directive} is not allowed in a <meta> policy, ignored")
            }
            ParseWarning::ReportOnlyInMeta => {
                f.write_str("report-only policies cannot be delivered in <meta>, ignored")
            }
            ParseWarning::IgnoredInReportOnly { directive, .. } => {
                write!(f, "{directive} has no effect in a report-only policy")
            }
            ParseWarning::InvalidTrustedTypesToken { directive, .. } => {
                write!(f, "not a valid {directive} value, ignored")
            }
            ParseWarning::LimitExceeded { limit, .. } => write!(f, "{limit}"),
        }
    }
}
