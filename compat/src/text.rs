//! Infra's string primitives on `&str`, as CSP3's parser uses them.

/// <https://infra.spec.whatwg.org/#ascii-whitespace>: TAB, LF, FF, CR, SPACE.
#[inline]
pub(crate) fn is_ascii_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// <https://infra.spec.whatwg.org/#strip-leading-and-trailing-ascii-whitespace>
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_ascii_whitespace(c as u8))
}

/// <https://infra.spec.whatwg.org/#split-on-ascii-whitespace>
pub(crate) fn split_ascii_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c.is_ascii() && is_ascii_whitespace(c as u8))
        .filter(|t| !t.is_empty())
}

/// <https://infra.spec.whatwg.org/#split-on-commas>: strictly split on `,`, each piece
/// stripped of leading and trailing ASCII whitespace.
pub(crate) fn split_commas(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(trim)
}

/// A directive name per the `directive-name` grammar (CSP3 §2.2.1): 1*( ALPHA / DIGIT / "-" ).
pub(crate) fn is_directive_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// One token of a `directive-value` (CSP3 §2.2.1): 1*( %x21-%x2B / %x2D-%x3A / %x3C-%x7E ),
/// i.e. visible ASCII except `,` and `;`.
pub(crate) fn is_directive_value_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x21..=0x7E).contains(&b) && b != b',' && b != b';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infra_splits() {
        assert_eq!(
            split_ascii_whitespace(" a\t b\x0C").collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(split_commas(" a , b,").collect::<Vec<_>>(), ["a", "b", ""]);
        assert_eq!(trim("\u{A0} x \n"), "\u{A0} x");
    }
}
