//! The `host-part` and `path-part` productions of the source expression grammar (CSP3
//! §2.3.1), as predicates: the parser asks them whether a token's part is valid.

use crate::names::ascii::{is, HEX, HOST, PCHAR};

/// Is `s` a `host-part`: `"*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]`?
/// (No allocation; the policy layer then compiles an accepted one.)
#[inline]
pub(crate) fn is_host_part(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    let name = s.strip_prefix("*.").unwrap_or(s);
    // The optional trailing "." (#639) is part of the pattern and compared as written.
    let body = name.strip_suffix('.').unwrap_or(name).as_bytes();
    // Labels of host-chars, separated by single dots, none empty.
    let mut label = 0usize;
    for &c in body {
        if c == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if is(c, HOST) {
            label += 1;
        } else {
            return false;
        }
    }
    label > 0
}

/// Is `s` an RFC 3986 `path-absolute` without ";" or ","?
///
/// `path-absolute = "/" [ segment-nz *( "/" segment ) ]`, where a segment is `*pchar` and
/// `pchar = unreserved / pct-encoded / sub-delims / ":" / "@"`.
pub(crate) fn is_path_part(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    // `segment-nz`: the first segment, when present, is not empty ("//x" is not absolute).
    if b.get(1) == Some(&b'/') {
        return false;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'/' => i += 1,
            b'%' if i + 2 < b.len() && is(b[i + 1], HEX) && is(b[i + 2], HEX) => i += 3,
            b'%' => return false,
            c if is(c, PCHAR) => i += 1,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_part_grammar() {
        for ok in [
            "*",
            "a",
            "a.test",
            "*.a.test",
            "a.test.",
            "*.a.",
            "xn--tdaaaaaa.de",
            "-a-.b",
            "1.2.3.4",
        ] {
            assert!(is_host_part(ok), "{ok}");
        }
        for bad in [
            "", ".", "*.", "**", "*a.test", "a..b", ".a", "a_b", "a.*", "*.*", "é.test", "a b",
            "[::1]", "a.test..",
        ] {
            assert!(!is_host_part(bad), "{bad}");
        }
    }

    #[test]
    fn path_part_grammar() {
        for ok in [
            "/",
            "/a",
            "/a/",
            "/a//b",
            "/%66oo",
            "/a:b@c!$&'()*+=-._~",
            "/a/b.js",
        ] {
            assert!(is_path_part(ok), "{ok}");
        }
        for bad in [
            "", "a", "//", "//a", "/a;b", "/a,b", "/%6", "/%zz", "/a b", "/a?b", "/a#b", "/é",
            "/a\\b", "/[",
        ] {
            assert!(!is_path_part(bad), "{bad}");
        }
    }
}
