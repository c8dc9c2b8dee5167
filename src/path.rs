//! The `path-part` of host-sources: its grammar and `path-part` matching (§6.7.2.12).

use percent_encoding::percent_decode;

use crate::ascii::{is, HEX, PCHAR};

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

/// <https://w3c.github.io/webappsec-csp/#match-paths>
///
/// Does the expression path `a` (a valid `path-part`) match the URL path `b` (the URL path
/// serializer's output)? Allocation-free: pieces are percent-decoded lazily and compared
/// byte by byte.
pub(crate) fn path_part_matches(a: &str, b: &str) -> bool {
    // Step 1.
    if a.is_empty() {
        return true;
    }
    // Step 2.
    if a == "/" && b.is_empty() {
        return true;
    }
    // Step 3.
    let exact = !a.ends_with('/');
    // Step 4: strictly split both on "/".
    let count_a = a.bytes().filter(|&c| c == b'/').count() + 1;
    let count_b = b.bytes().filter(|&c| c == b'/').count() + 1;
    // Step 5.
    if count_a > count_b {
        return false;
    }
    // Step 6.
    if exact && count_a != count_b {
        return false;
    }
    // Step 7: drop the final (empty) piece of a directory path.
    let a = if exact { a } else { &a[..a.len() - 1] };
    // Step 8: compare piece by piece after percent-decoding each.
    a.split('/')
        .zip(b.split('/'))
        .all(|(pa, pb)| percent_decode(pa.as_bytes()).eq(percent_decode(pb.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
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

    #[test]
    fn matching_follows_section_6_7_2_12() {
        assert!(path_part_matches("/js/", "/js/app.js"));
        assert!(path_part_matches("/js/", "/js/"));
        assert!(path_part_matches("/js/", "/js/a/b/c"));
        assert!(!path_part_matches("/js/", "/js"));
        assert!(!path_part_matches("/js", "/js/"));
        assert!(path_part_matches("/js/app.js", "/js/app.js"));
        assert!(!path_part_matches("/js/app.js", "/js/app.jsx"));
        assert!(path_part_matches("/", "/anything/at/all"));
        assert!(path_part_matches("/", ""));
        assert!(path_part_matches("/%66oo", "/foo"));
        assert!(path_part_matches("/foo", "/%66oo"));
        assert!(!path_part_matches("/JS/", "/js/x"));
        assert!(!path_part_matches("/a/", "/a%2Fb"));
        assert!(path_part_matches("/a%2Fb", "/a%2fb"));
        assert!(!path_part_matches("/a/b/c", "/a/b"));
        assert!(path_part_matches("/a//", "/a//x"));
        assert!(!path_part_matches("/a//", "/a/x"));
    }
}
