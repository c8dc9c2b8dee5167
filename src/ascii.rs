//! Byte classes of the CSP grammar, and the splitters built on them.
//!
//! Every class is one bit of a `[u8; 256]` table, so a class test is one load and one mask. The
//! table is checked against the grammar's definitions in the tests below.

/// ASCII whitespace as the Infra standard defines it: TAB, LF, FF, CR, SPACE (not VT).
pub(crate) const WS: u8 = 1 << 0;
/// `ALPHA`.
pub(crate) const ALPHA: u8 = 1 << 1;
/// `DIGIT`.
pub(crate) const DIGIT: u8 = 1 << 2;
/// `host-char` = ALPHA / DIGIT / "-".
pub(crate) const HOST: u8 = 1 << 3;
/// Characters allowed after the first one of an RFC 3986 `scheme`: ALPHA / DIGIT / "+" / "-" / ".".
pub(crate) const SCHEME: u8 = 1 << 4;
/// `base64-value` body characters: ALPHA / DIGIT / "+" / "/" / "-" / "_".
pub(crate) const BASE64: u8 = 1 << 5;
/// RFC 3986 `pchar` minus "%" (checked separately) and minus ";" and "," (excluded by CSP):
/// unreserved / sub-delims / ":" / "@".
pub(crate) const PCHAR: u8 = 1 << 6;
/// RFC 3986 `HEXDIG`.
pub(crate) const HEX: u8 = 1 << 7;

const fn build() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0u8;
        if matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ') {
            c |= WS;
        }
        let alpha = b.is_ascii_alphabetic();
        let digit = b.is_ascii_digit();
        if alpha {
            c |= ALPHA;
        }
        if digit {
            c |= DIGIT;
        }
        if alpha || digit || b == b'-' {
            c |= HOST;
        }
        if alpha || digit || matches!(b, b'+' | b'-' | b'.') {
            c |= SCHEME;
        }
        if alpha || digit || matches!(b, b'+' | b'/' | b'-' | b'_') {
            c |= BASE64;
        }
        // unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
        // sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
        // CSP's path-part excludes "," and ";".
        if alpha
            || digit
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b'='
                    | b':'
                    | b'@'
            )
        {
            c |= PCHAR;
        }
        if b.is_ascii_hexdigit() {
            c |= HEX;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// The class table: `CLASSES[b] & CLASS != 0` when byte `b` is in `CLASS`.
pub(crate) static CLASSES: [u8; 256] = build();

/// Is `b` in `class`?
#[inline]
pub(crate) fn is(b: u8, class: u8) -> bool {
    CLASSES[b as usize] & class != 0
}

/// Is every byte of `s` in `class`? (True for the empty string.)
#[inline]
pub(crate) fn all(s: &[u8], class: u8) -> bool {
    s.iter().all(|&b| is(b, class))
}

/// Strips leading and trailing ASCII whitespace (Infra's definition, without VT).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is(c as u8, WS))
}

/// Splits `s` on runs of ASCII whitespace, skipping empty pieces (Infra "split a string on
/// ASCII whitespace").
#[inline]
pub(crate) fn split_ws(s: &str) -> impl Iterator<Item = &str> + Clone {
    s.split(|c: char| c.is_ascii() && is(c as u8, WS))
        .filter(|t| !t.is_empty())
}

/// Byte offset of `inner` inside `outer`; `inner` must be a subslice of `outer`.
#[inline]
pub(crate) fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).wrapping_sub(outer.as_ptr() as usize)
}

/// ASCII case-insensitive "starts with", returning the rest.
#[inline]
pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let n = prefix.len();
    if s.len() >= n && s.as_bytes()[..n].eq_ignore_ascii_case(prefix.as_bytes()) {
        // `prefix` is ASCII, so `n` is a char boundary of `s`.
        s.get(n..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_grammar_definitions() {
        for b in 0..=255u8 {
            assert_eq!(is(b, WS), b"\t\n\x0c\r ".contains(&b), "WS {b:#x}");
            assert_eq!(is(b, ALPHA), b.is_ascii_alphabetic(), "ALPHA {b:#x}");
            assert_eq!(is(b, DIGIT), b.is_ascii_digit(), "DIGIT {b:#x}");
            assert_eq!(is(b, HEX), b.is_ascii_hexdigit(), "HEX {b:#x}");
            assert_eq!(
                is(b, HOST),
                b.is_ascii_alphanumeric() || b == b'-',
                "HOST {b:#x}"
            );
            assert_eq!(
                is(b, BASE64),
                b.is_ascii_alphanumeric() || b"+/-_".contains(&b),
                "BASE64 {b:#x}"
            );
            // Nothing outside printable ASCII is in any grammar class but whitespace.
            if !(0x21..=0x7e).contains(&b) {
                assert_eq!(CLASSES[b as usize] & !WS, 0, "non-VCHAR {b:#x}");
            }
            // The CSP delimiters are never part of a path.
            if b == b';' || b == b',' || b == b'%' || b == b'/' || b == b'?' || b == b'#' {
                assert!(!is(b, PCHAR), "PCHAR {b:#x}");
            }
        }
        assert!(!is(0x0B, WS), "VT is not ASCII whitespace");
    }

    #[test]
    fn split_and_trim_follow_infra() {
        assert_eq!(trim(" \t a b \r\n"), "a b");
        assert_eq!(trim("\x0ba\x0b"), "\x0ba\x0b");
        let v: Vec<_> = split_ws("a\x0cb\rc\nd\te  f").collect();
        assert_eq!(v, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(split_ws("a\x0bb").count(), 1);
        assert_eq!(
            strip_prefix_ignore_case("'NONCE-abc'", "'nonce-"),
            Some("abc'")
        );
        assert_eq!(strip_prefix_ignore_case("'non", "'nonce-"), None);
        assert_eq!(strip_prefix_ignore_case("'nonçe-", "'nonce-"), None);
    }
}
