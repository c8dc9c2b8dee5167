//! Byte classes of the CSP grammar, and the splitters built on them.
//!
//! Every class is one bit of a `[u8; 256]` table, so a class test is one load and one mask. The
//! table is checked against the grammar's definitions in the tests below.

use smallvec::SmallVec;

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
        // `i < 256`: the byte itself.
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
    CLASSES[usize::from(b)] & class != 0
}

/// Is every byte of `s` in `class`? (True for the empty string.)
#[inline]
pub(crate) fn all(s: &[u8], class: u8) -> bool {
    s.iter().all(|&b| is(b, class))
}

/// Strips leading and trailing ASCII whitespace (Infra's definition, without VT).
///
/// Works on bytes: whitespace is ASCII, so every cut is a char boundary.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is(c, WS)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is(c, WS)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or("")
}

/// Splits `s` on runs of ASCII whitespace, skipping empty pieces (Infra "split a string on
/// ASCII whitespace").
#[inline]
pub(crate) fn split_ws(s: &str) -> SplitWs<'_> {
    SplitWs { rest: s }
}

/// The offsets of every `sep` byte of `s`, found eight bytes at a time (the parser's `;`
/// pieces are short: a `memchr` per piece costs more to set up than this whole scan).
pub(crate) fn byte_offsets(s: &str, sep: u8) -> SmallVec<[u32; 32]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    let mut out = SmallVec::new();
    let mut at = 0usize;
    while at < b.len() {
        let w = match b.get(at..).and_then(<[u8]>::first_chunk::<8>) {
            Some(c) => u64::from_le_bytes(*c),
            None => {
                // The tail, padded with bytes that are not `sep`.
                let mut w = [!sep; 8];
                let tail = b.get(at..).unwrap_or_default();
                w[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(w)
            }
        };
        // The high bit of each byte equal to `sep` (exact: no carries between bytes).
        let x = w ^ (ONES * u64::from(sep));
        let mut hits = !(((x & !HIGH).wrapping_add(!HIGH)) | x) & HIGH;
        while hits != 0 {
            // Texts are cut at `MAX_LIST_BYTES` (256 KiB), far below `u32::MAX`.
            out.push((at + hits.trailing_zeros() as usize / 8) as u32);
            hits &= hits - 1;
        }
        at += 8;
    }
    out
}

/// The iterator of [`split_ws`]: a byte scan (whitespace is ASCII, so every cut is a char
/// boundary), much cheaper than a `char` split on the parser's hot loop.
#[derive(Clone, Debug)]
pub(crate) struct SplitWs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for SplitWs<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.rest.as_bytes();
        let start = b.iter().position(|&c| !is_ws(c))?;
        let len = b.get(start..).map_or(0, find_ws);
        let token = self.rest.get(start..start + len)?;
        self.rest = self.rest.get(start + len..).unwrap_or("");
        Some(token)
    }
}

/// Is `c` ASCII whitespace? Whitespace bytes are all at most 0x20: one compare rules out
/// every other byte.
#[inline]
fn is_ws(c: u8) -> bool {
    c <= b' ' && is(c, WS)
}

/// The index of the first ASCII whitespace byte of `b`, or `b.len()`: eight bytes at a time.
#[inline]
fn find_ws(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*chunk);
        // The lowest set bit marks the first byte below 0x21 exactly (bits above it may be
        // borrows, never misses below it).
        let below = w.wrapping_sub(ONES * 0x21) & !w & HIGH;
        if below != 0 {
            // A byte position in the word, 0..8.
            let k = i + (below.trailing_zeros() / 8) as usize;
            if b.get(k).is_some_and(|&c| is_ws(c)) {
                return k;
            }
            // A control byte that is not whitespace (NUL, VT ...): finish byte by byte.
            return k + b
                .get(k..)
                .map_or(0, |t| t.iter().position(|&c| is_ws(c)).unwrap_or(t.len()));
        }
        i += 8;
    }
    i + b
        .get(i..)
        .map_or(0, |t| t.iter().position(|&c| is_ws(c)).unwrap_or(t.len()))
}

/// Byte offset of `inner` inside `outer`; `inner` must be a subslice of `outer`.
#[inline]
pub(crate) fn offset_in(outer: &str, inner: &str) -> usize {
    // Addresses, compared as integers.
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

/// `a == b` for the short strings a check compares (hosts, schemes), inline: word-sized
/// loads instead of a call to `memcmp`, which costs more than the compare for 10-30 bytes.
#[inline]
pub(crate) fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    // Whole words, then the last word (overlapping the one before when `n % 8 != 0`).
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The first eight bytes of `s` (all of it, zero-padded, when shorter) as a word: two strings
/// whose words differ differ; two whose words are equal are compared further by
/// [`eq_bytes_after_first_word`].
#[inline]
pub(crate) fn first_word(s: &[u8]) -> u64 {
    match s.first_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => {
            let mut w = [0u8; 8];
            for (to, from) in w.iter_mut().zip(s) {
                *to = *from;
            }
            u64::from_le_bytes(w)
        }
    }
}

/// [`eq_bytes`] for two strings whose first eight bytes (all of them, when shorter, with
/// zeros after them) are known to be equal: compares the lengths, then the rest.
#[inline]
pub(crate) fn eq_bytes_after_first_word(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let mut i = 8;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    // The last word, overlapping the first when `n < 16` (and all of it equal when `n <= 8`).
    n <= 8 || word(a, n - 8) == word(b, n - 8)
}

/// `s[i..i + 8]` as a native-endian word (0 when out of bounds, which callers never are).
#[inline]
fn word(s: &[u8], i: usize) -> u64 {
    match s.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        Some(w) => u64::from_ne_bytes(*w),
        None => 0,
    }
}

/// `s.ends_with(suffix)`, with [`eq_bytes`].
#[inline]
pub(crate) fn ends_with_bytes(s: &[u8], suffix: &[u8]) -> bool {
    match s.len().checked_sub(suffix.len()) {
        Some(start) => s.get(start..).is_some_and(|tail| eq_bytes(tail, suffix)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_finds_every_byte() {
        for text in [
            "",
            ";",
            "a;b",
            ";;;",
            "img-src a; script-src b;",
            "x;y;z;0123456789abcdef;",
        ] {
            let want: Vec<u32> = text.match_indices(';').map(|(i, _)| i as u32).collect();
            assert_eq!(byte_offsets(text, b';').to_vec(), want, "{text:?}");
        }
        let long = "a;".repeat(100) + "é;";
        let want: Vec<u32> = long.match_indices(';').map(|(i, _)| i as u32).collect();
        assert_eq!(byte_offsets(&long, b';').to_vec(), want);
    }

    #[test]
    fn eq_bytes_is_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "www.example.org",
            "www.example.orh",
            "xww.example.org",
        ];
        for a in words {
            for b in words {
                assert_eq!(eq_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
                assert_eq!(
                    ends_with_bytes(a.as_bytes(), b.as_bytes()),
                    a.ends_with(b),
                    "{a:?} ends with {b:?}"
                );
            }
        }
        // Every position of a difference is seen.
        let base = b"0123456789abcdefghijklmnopqrstu".to_vec();
        for len in 0..base.len() {
            for i in 0..len {
                let mut other = base[..len].to_vec();
                other[i] ^= 1;
                assert!(!eq_bytes(&base[..len], &other), "len {len}, byte {i}");
            }
            let copy = base[..len].to_vec();
            assert!(eq_bytes(&base[..len], &copy));
        }
    }

    /// `first_word` is the first eight bytes, zero-padded: a short string is all of it.
    #[test]
    fn first_word_pads_with_zeros() {
        assert_eq!(first_word(b"a.test"), u64::from_le_bytes(*b"a.test\0\0"));
        assert_eq!(first_word(b"abcdefghij"), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(first_word(b""), 0);
    }

    /// `eq_bytes_after_first_word` on strings whose first eight bytes agree: equality, every
    /// byte past the eighth read, and a length difference seen.
    #[test]
    fn eq_bytes_after_first_word_compares_the_rest() {
        let base = b"0123456789abcdefghijklmnopqrstuvwxyz".to_vec();
        for len in 0..base.len() {
            let a = &base[..len];
            let copy = a.to_vec();
            assert!(eq_bytes_after_first_word(a, &copy), "len {len}");
            for i in 8..len {
                let mut other = a.to_vec();
                other[i] ^= 1;
                assert!(!eq_bytes_after_first_word(a, &other), "len {len}, byte {i}");
            }
            if len > 0 {
                assert!(!eq_bytes_after_first_word(a, &base[..len - 1]), "len {len}");
            }
        }
    }

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
    fn find_ws_is_the_first_whitespace_byte() {
        let bytes: &[u8] = b"ab\tc\x0bd\x00e \nf\x0c\rg\x7f\x80h";
        for start in 0..bytes.len() {
            for end in start..=bytes.len() {
                let s = &bytes[start..end];
                let want = s.iter().position(|&c| is(c, WS)).unwrap_or(s.len());
                assert_eq!(find_ws(s), want, "{s:?}");
            }
        }
        let long = [b"0123456789abcdef\x0b\x01xyz".as_slice(), b" tail"].concat();
        assert_eq!(find_ws(&long), 21);
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
