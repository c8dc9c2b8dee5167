//! CSP3 §2.2.1 "parse a serialized CSP" and §2.2.2's split of a header value into policies,
//! in one linear pass: the text level. The policy layer (`src/policy/build.rs`) compiles each
//! directive the pass yields.

use core::ops::Range;

use smallvec::SmallVec;

use crate::limits::{
    to_u32, to_usize, Limit, MAX_LIST_BYTES, MAX_POLICIES, MAX_UNKNOWN_DIRECTIVES,
};
use crate::names::ascii::{self, is, WS};
use crate::names::directive::{DirectiveKind, DirectiveName, KNOWN_COUNT};
use crate::names::disposition::{Disposition, PolicySource};
use crate::parse::warning::{ParseWarning, Span};

/// Splits a header value (comma-separated policies) or a `<meta>` content (one policy) into
/// the pieces "parse a serialized CSP" takes, and hands each to `policy` with its offset in
/// `text`; `policy` says whether the piece gave a (non-empty) policy. Returns whether the
/// input was cut at a limit (the caller then adds a fail-closed policy to an enforced list).
pub(crate) fn split_list(
    text: &str,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
    mut policy: impl FnMut(&str, usize, &mut dyn FnMut(ParseWarning)) -> bool,
) -> bool {
    if source == PolicySource::Meta && disposition == Disposition::Report {
        // HTML has no report-only <meta>; browsers ignore it.
        warn(ParseWarning::ReportOnlyInMeta);
        return false;
    }
    let mut cut = false;
    let text = if text.len() > MAX_LIST_BYTES {
        let mut end = MAX_LIST_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        warn(ParseWarning::LimitExceeded {
            span: Span::new(end, text.len() - end),
            limit: Limit::ListBytes,
        });
        cut = true;
        &text[..end]
    } else {
        text
    };
    let mut kept = 0usize;
    let mut parse_piece = |piece: &str, warn: &mut dyn FnMut(ParseWarning), cut: &mut bool| {
        let base = ascii::offset_in(text, piece);
        if kept == MAX_POLICIES {
            // Only non-empty policies count; an empty piece costs nothing.
            if ascii::trim(piece).is_empty() {
                return;
            }
            if !*cut {
                warn(ParseWarning::LimitExceeded {
                    span: Span::new(base, text.len() - base),
                    limit: Limit::Policies,
                });
            }
            *cut = true;
            return;
        }
        if policy(piece, base, warn) {
            kept += 1;
        }
    };
    match source {
        // §2.2.2: each value of the header list is a policy; a header value holding commas is
        // several values (RFC 9110 #rule).
        PolicySource::Header => {
            for piece in text.split(',') {
                parse_piece(piece, warn, &mut cut);
            }
        }
        // HTML hands the whole content attribute to "parse a serialized CSP".
        PolicySource::Meta => parse_piece(text, warn, &mut cut),
    }
    cut
}

/// One directive of a policy, as §2.2.1 steps 3.1-3.6 read it.
#[derive(Debug)]
pub(crate) struct ParsedDirective<'t> {
    /// Step 3.4: the name, ASCII-lower-cased (or the known directive).
    pub(crate) name: DirectiveName,
    /// The known directive, if the name is one.
    pub(crate) kind: Option<DirectiveKind>,
    /// Step 3.6: the value (its tokens are the value split on ASCII whitespace).
    pub(crate) value: &'t str,
    /// The value's range in the policy text.
    pub(crate) value_range: Range<u32>,
    /// The value's offset in the input the warnings refer to.
    pub(crate) value_offset: usize,
}

/// <https://w3c.github.io/webappsec-csp/#parse-serialized-policy> steps 1-3.6: the directives
/// of one policy, each in turn (the caller runs steps 3.7-3.8 and 4).
#[derive(Debug)]
pub(crate) struct Directives<'t> {
    /// The policy's text, trimmed of ASCII whitespace.
    text: &'t str,
    /// The offset of `text` in the input the warnings refer to.
    base: usize,
    /// The offset of every `;` in `text` (step 3 splits on them).
    semicolons: SmallVec<[u32; 32]>,
    /// The `;`-separated pieces handed out so far.
    piece: usize,
    /// Where the next piece starts in `text`.
    start: usize,
    disposition: Disposition,
    source: PolicySource,
    seen: [bool; KNOWN_COUNT],
    /// The unknown names kept so far, as written (compared ASCII case-insensitively).
    unknown: SmallVec<[&'t str; 4]>,
}

impl<'t> Directives<'t> {
    /// The directives of `text`, a policy whose offset in the input the warnings refer to is
    /// `base`.
    pub(crate) fn new(
        text: &'t str,
        base: usize,
        disposition: Disposition,
        source: PolicySource,
    ) -> Directives<'t> {
        let policy_text = ascii::trim(text);
        Directives {
            text: policy_text,
            base: base + ascii::offset_in(text, policy_text),
            // Step 3: for each token of the text strictly split on ";".
            semicolons: ascii::byte_offsets(policy_text, b';'),
            piece: 0,
            start: 0,
            disposition,
            source,
            seen: [false; KNOWN_COUNT],
            unknown: SmallVec::new(),
        }
    }

    /// The policy's text, trimmed: what directive values are ranges of.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// At most how many directives the policy has (one per `;`-separated piece).
    pub(crate) fn max_count(&self) -> usize {
        self.semicolons.len() + 1
    }

    /// The next `;`-separated piece of the text (step 3's strict split).
    fn next_piece(&mut self) -> Option<&'t str> {
        if self.piece > self.semicolons.len() {
            return None;
        }
        let end = self
            .semicolons
            .get(self.piece)
            .map_or(self.text.len(), |&e| to_usize(e));
        let raw = self.text.get(self.start..end).unwrap_or_default();
        self.piece += 1;
        self.start = end + 1;
        Some(raw)
    }

    /// The next directive the policy keeps, reporting what it skips through `warn`.
    pub(crate) fn next_directive(
        &mut self,
        warn: &mut dyn FnMut(ParseWarning),
    ) -> Option<ParsedDirective<'t>> {
        while let Some(raw) = self.next_piece() {
            // Step 3.1: strip leading and trailing ASCII whitespace.
            let token = ascii::trim(raw);
            // Step 3.2: skip empty tokens, and tokens that are not ASCII (the whole directive).
            if token.is_empty() {
                continue;
            }
            let at = ascii::offset_in(self.text, token);
            let span = Span::new(self.base + at, token.len());
            if !token.is_ascii() {
                warn(ParseWarning::NonAsciiDirective { span });
                continue;
            }
            // Steps 3.3-3.4: the name is the leading run of non-whitespace, ASCII-lower-cased.
            let name_len = token.bytes().position(|b| is(b, WS)).unwrap_or(token.len());
            let name = &token[..name_len];
            let name_span = Span::new(span.start, name_len);
            let kind = DirectiveKind::from_name(name);
            // Step 3.5: a directive already present wins.
            let duplicate = match kind {
                Some(k) => core::mem::replace(&mut self.seen[k.index()], true),
                None => self.unknown.iter().any(|u| u.eq_ignore_ascii_case(name)),
            };
            if duplicate {
                warn(ParseWarning::DuplicateDirective { span });
                continue;
            }
            // Step 3.6: the value; its tokens are the value split on ASCII whitespace.
            let value = &token[name_len..];
            let value_range = to_u32(at + name_len)..to_u32(at + token.len());
            let value_offset = span.start + name_len;
            let name = match kind {
                Some(k) => {
                    // HTML's <meta> processing removes these after parsing.
                    if self.source == PolicySource::Meta
                        && matches!(
                            k,
                            DirectiveKind::ReportUri
                                | DirectiveKind::FrameAncestors
                                | DirectiveKind::Sandbox
                        )
                    {
                        warn(ParseWarning::IgnoredInMeta { span, directive: k });
                        continue;
                    }
                    if self.disposition == Disposition::Report
                        && matches!(
                            k,
                            DirectiveKind::Sandbox | DirectiveKind::UpgradeInsecureRequests
                        )
                    {
                        warn(ParseWarning::IgnoredInReportOnly { span, directive: k });
                    }
                    DirectiveName::Known(k)
                }
                None => {
                    if self.unknown.len() == MAX_UNKNOWN_DIRECTIVES {
                        warn(ParseWarning::LimitExceeded {
                            span,
                            limit: Limit::UnknownDirectives,
                        });
                        continue;
                    }
                    let lower: Box<str> = name.to_ascii_lowercase().into();
                    self.unknown.push(name);
                    warn(ParseWarning::UnknownDirective { span: name_span });
                    DirectiveName::Unknown(lower)
                }
            };
            return Some(ParsedDirective {
                name,
                kind,
                value,
                value_range,
                value_offset,
            });
        }
        None
    }
}
