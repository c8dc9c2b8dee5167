//! The Trusted Types directives `trusted-types` and `require-trusted-types-for`
//! (w3c/trusted-types, "Integration with Content Security Policy"), compiled when a policy is
//! parsed.
//!
//! Keyword matching: the grammars spell `'none'`, `'allow-duplicates'` and `'script'` as ABNF
//! strings, which RFC 5234 §2.3 makes case-insensitive, so they match ASCII
//! case-insensitively here (like every CSP keyword). Policy names are case-sensitive: a
//! `tt-policy-name` matches only the identical string.

use crate::names::directive::DirectiveKind;
use crate::names::trusted_types::SinkGroup;
use crate::parse::warning::{ParseWarning, Span};
use crate::policy::Policy;

/// Bits of [`CompiledTrustedTypes::flags`].
pub(crate) mod tt {
    /// The policy has a `trusted-types` directive.
    pub(crate) const PRESENT: u8 = 1 << 0;
    /// Its value holds `*` (`tt-wildcard`).
    pub(crate) const WILDCARD: u8 = 1 << 1;
    /// Its value holds `'allow-duplicates'`.
    pub(crate) const ALLOW_DUPLICATES: u8 = 1 << 2;
    /// Its value holds only `'none'` keywords (at least one).
    pub(crate) const NONE_ONLY: u8 = 1 << 3;
    /// The policy has a `require-trusted-types-for` directive.
    pub(crate) const REQUIRE_PRESENT: u8 = 1 << 4;
    /// Its value holds `'script'`.
    pub(crate) const REQUIRE_SCRIPT: u8 = 1 << 5;
}

/// Bits of [`DocumentPolicy`](crate::DocumentPolicy)'s Trusted Types summary, computed when it is built.
pub(crate) mod summary {
    /// An enforced policy requires trusted types for `'script'`.
    pub(crate) const SCRIPT_ENFORCED: u8 = 1 << 0;
    /// Some policy (enforced or report-only) requires trusted types for `'script'`.
    pub(crate) const SCRIPT_ANY: u8 = 1 << 1;
    /// Some policy has a `trusted-types` directive.
    pub(crate) const ANY_TRUSTED_TYPES: u8 = 1 << 2;
    /// Some policy has a `require-trusted-types-for` directive.
    pub(crate) const ANY_REQUIRE: u8 = 1 << 3;
}

/// One policy's `trusted-types` and `require-trusted-types-for` directives, compiled: flags,
/// and the `tt-policy-name`s of `trusted-types` as byte ranges of the policy's text, sorted by
/// name for binary search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct CompiledTrustedTypes {
    flags: u8,
    names: Box<[(u32, u32)]>,
}

/// `tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%" )`.
fn is_policy_name(token: &str) -> bool {
    !token.is_empty()
        && token.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'#' | b'=' | b'_' | b'/' | b'@' | b'.' | b'%')
        })
}

/// Reports the tokens of a `trusted-types` or `require-trusted-types-for` value that the
/// grammar does not allow (`value` starts at byte `offset` of the parsed text). Other
/// directives have nothing to report here.
pub(crate) fn warn_invalid_tokens(
    directive: DirectiveKind,
    value: &str,
    offset: usize,
    warn: &mut dyn FnMut(ParseWarning),
) {
    let valid: fn(&str) -> bool = match directive {
        DirectiveKind::TrustedTypes => |t| {
            t == "*"
                || t.eq_ignore_ascii_case("'none'")
                || t.eq_ignore_ascii_case("'allow-duplicates'")
                || is_policy_name(t)
        },
        DirectiveKind::RequireTrustedTypesFor => |t| t.eq_ignore_ascii_case("'script'"),
        _ => return,
    };
    for token in crate::names::ascii::split_ws(value).filter(|t| !valid(t)) {
        warn(ParseWarning::InvalidTrustedTypesToken {
            span: Span::new(
                offset + crate::names::ascii::offset_in(value, token),
                token.len(),
            ),
            directive,
        });
    }
}

impl CompiledTrustedTypes {
    /// Compiles the policy's two Trusted Types directives. Tokens that are not a
    /// `tt-expression` (or a `trusted-types-sink-group-keyword`) are ignored: they allow
    /// nothing, not even their own text.
    pub(crate) fn compile(policy: &Policy) -> CompiledTrustedTypes {
        let text = policy.text();
        let mut flags = 0u8;
        let mut names: Vec<(u32, u32)> = Vec::new();
        if let Some(d) = policy.directive(DirectiveKind::TrustedTypes) {
            flags |= tt::PRESENT;
            let (mut any, mut only_none) = (false, true);
            for token in d.tokens() {
                any = true;
                if token.eq_ignore_ascii_case("'none'") {
                    continue;
                }
                only_none = false;
                if token == "*" {
                    flags |= tt::WILDCARD;
                } else if token.eq_ignore_ascii_case("'allow-duplicates'") {
                    flags |= tt::ALLOW_DUPLICATES;
                } else if is_policy_name(token) {
                    let start = crate::names::ascii::offset_in(text, token);
                    names.push((start as u32, (start + token.len()) as u32));
                }
            }
            if any && only_none {
                flags |= tt::NONE_ONLY;
            }
        }
        if let Some(d) = policy.directive(DirectiveKind::RequireTrustedTypesFor) {
            flags |= tt::REQUIRE_PRESENT;
            if d.tokens().any(|t| t.eq_ignore_ascii_case("'script'")) {
                flags |= tt::REQUIRE_SCRIPT;
            }
        }
        let slice = |&(s, e): &(u32, u32)| text.get(s as usize..e as usize).unwrap_or("");
        names.sort_unstable_by(|a, b| slice(a).cmp(slice(b)));
        names.dedup_by(|a, b| slice(a) == slice(b));
        CompiledTrustedTypes {
            flags,
            names: names.into_boxed_slice(),
        }
    }

    #[inline]
    pub(crate) fn has(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    /// Does the `trusted-types` value hold a `tt-policy-name` equal to `name`?
    pub(crate) fn contains_name(&self, text: &str, name: &str) -> bool {
        self.names
            .binary_search_by(|&(s, e)| text.get(s as usize..e as usize).unwrap_or("").cmp(name))
            .is_ok()
    }

    /// Does `require-trusted-types-for` name the group?
    #[inline]
    pub(crate) fn requires(&self, group: SinkGroup) -> bool {
        match group {
            SinkGroup::Script => self.has(tt::REQUIRE_SCRIPT),
        }
    }

    /// Heap bytes owned.
    pub(crate) fn heap_size(&self) -> usize {
        core::mem::size_of_val(&*self.names)
    }
}

/// The Trusted Types summary bits of a CSP list (see [`summary`]).
pub(crate) fn summarize(policies: &[std::sync::Arc<Policy>]) -> u8 {
    let mut bits = 0;
    for p in policies {
        let t = &p.trusted_types;
        if t.has(tt::REQUIRE_SCRIPT) {
            bits |= summary::SCRIPT_ANY;
            if p.disposition() == crate::names::disposition::Disposition::Enforce {
                bits |= summary::SCRIPT_ENFORCED;
            }
        }
        if t.has(tt::PRESENT) {
            bits |= summary::ANY_TRUSTED_TYPES;
        }
        if t.has(tt::REQUIRE_PRESENT) {
            bits |= summary::ANY_REQUIRE;
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::disposition::{Disposition, PolicySource};

    #[test]
    fn tt_policy_name_grammar() {
        for ok in ["a", "policy#name", "u@h", "50%", "a-b_c/d=e.f", "ABC09"] {
            assert!(is_policy_name(ok), "{ok}");
        }
        for bad in ["", "a$b", "'one'", "\"two\"", "one*", "*", "a,b", "é"] {
            assert!(!is_policy_name(bad), "{bad}");
        }
    }

    #[test]
    fn invalid_tokens_are_reported_with_their_spans() {
        let text = "trusted-types one a$b * 'none' 'x'; require-trusted-types-for 'script' 'style'";
        let mut got = Vec::new();
        crate::PolicyList::parse_with(text, Disposition::Enforce, PolicySource::Header, &mut |w| {
            if let ParseWarning::InvalidTrustedTypesToken { span, directive } = w {
                got.push((&text[span.range()], directive));
            }
        });
        assert_eq!(
            got,
            [
                ("a$b", DirectiveKind::TrustedTypes),
                ("'x'", DirectiveKind::TrustedTypes),
                ("'style'", DirectiveKind::RequireTrustedTypesFor)
            ]
        );
    }
}
