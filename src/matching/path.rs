//! `path-part` matching (§6.7.2.12).

use percent_encoding::percent_decode;

use crate::names::ascii::{is, HEX};

/// <https://w3c.github.io/webappsec-csp/#match-paths>
///
/// Does the expression path `a` (a valid `path-part`) match the URL path `b` (the URL path
/// serializer's output)? Allocation-free, and linear in `a` alone: pieces are percent-decoded
/// lazily and compared byte by byte, and `b` is read only as far as `a`'s pieces can match
/// (at most three bytes of `b` per decoded byte of `a`, plus one per piece), so a huge URL
/// path costs nothing more against each of thousands of sources.
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
    // Step 7, done first: a directory path drops its final (empty) piece from the compare.
    let compared = if exact { a } else { &a[..a.len() - 1] };
    // Steps 4, 5 and 8 in one walk: strictly split both on "/" and compare piece by piece
    // after percent-decoding each; `b` running out of pieces first is step 5's "longer".
    let mut rest = b;
    for (i, piece) in compared.split('/').enumerate() {
        if i > 0 {
            match rest.strip_prefix('/') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match match_piece(piece, rest) {
            Some(len) => rest = &rest[len..],
            None => return false,
        }
    }
    if exact {
        // Step 6: as many pieces in `b` as in `a`.
        rest.is_empty()
    } else {
        // Step 5: `b` has at least the dropped (empty) piece's position.
        rest.starts_with('/')
    }
}

/// Step 8.1-8.4 for one piece: does the percent-decoded `piece` equal the percent-decoded
/// first piece of `b` (up to its first "/")? Returns that piece's length in `b`.
fn match_piece(piece: &str, b: &str) -> Option<usize> {
    let mut want = percent_decode(piece.as_bytes());
    let b = b.as_bytes();
    let mut i = 0;
    loop {
        // The next decoded byte of b's piece ("/" is no hex digit, so "%" never decodes
        // across the end of a piece).
        let got = match b.get(i) {
            None | Some(b'/') => None,
            Some(b'%') if i + 2 < b.len() && is(b[i + 1], HEX) && is(b[i + 2], HEX) => {
                i += 3;
                Some(hex(b[i - 2]) << 4 | hex(b[i - 1]))
            }
            Some(&c) => {
                i += 1;
                Some(c)
            }
        };
        match (want.next(), got) {
            (None, None) => return Some(i),
            (Some(x), Some(y)) if x == y => {}
            _ => return None,
        }
    }
}

/// The value of an ASCII hex digit (the caller has checked [`HEX`]).
fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.wrapping_sub(b'A').wrapping_add(10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_section_6_7_2_12() {
        // (expression path, URL path, matches)
        let cases = [
            ("/js/", "/js/app.js", true),
            ("/js/", "/js/", true),
            ("/js/", "/js/a/b/c", true),
            ("/js/", "/js", false),
            ("/js", "/js/", false),
            ("/js/app.js", "/js/app.js", true),
            ("/js/app.js", "/js/app.jsx", false),
            ("/", "/anything/at/all", true),
            ("/", "", true),
            ("/%66oo", "/foo", true),
            ("/foo", "/%66oo", true),
            ("/JS/", "/js/x", false),
            ("/a/", "/a%2Fb", false),
            ("/a%2Fb", "/a%2fb", true),
            ("/a/b/c", "/a/b", false),
            ("/a//", "/a//x", true),
            ("/a//", "/a/x", false),
            ("/a%2F", "/a%2f", true),
            ("/%41/", "/A/x", true),
            ("/a", "/a%", false),
            ("/a%", "/a%", true),
            ("/a%4", "/a%4", true),
            ("/a%4", "/a%41", false),
            ("/a/", "", false),
            ("/a", "", false),
            // Step 8.3: the URL's escapes decode with either case of hex digit, at any place
            // of a piece ("%4a" is "J", "%6A" is "j").
            ("/J", "/%4a", true),
            ("/j", "/%4a", false),
            ("/j", "/%6A", true),
            ("/abA/", "/ab%41/x", true),
            ("/abA", "/ab%41", true),
            ("/abB", "/ab%41", false),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter(|&&(a, b, want)| path_part_matches(a, b) != want)
            .map(|(a, b, want)| format!("{a:?} vs {b:?}: want {want}"))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The piece walk gives the answer of the spec's split-and-count algorithm.
    #[test]
    fn matches_the_literal_algorithm() {
        fn literal(a: &str, b: &str) -> bool {
            if a.is_empty() || (a == "/" && b.is_empty()) {
                return true;
            }
            let exact = !a.ends_with('/');
            let mut pa: Vec<&str> = a.split('/').collect();
            let pb: Vec<&str> = b.split('/').collect();
            if pa.len() > pb.len() || (exact && pa.len() != pb.len()) {
                return false;
            }
            if !exact {
                pa.pop();
            }
            pa.iter().zip(&pb).all(|(x, y)| {
                percent_decode(x.as_bytes()).collect::<Vec<_>>()
                    == percent_decode(y.as_bytes()).collect::<Vec<_>>()
            })
        }
        let pieces = [
            "", "a", "A", "%41", "%61", "%2F", "%2f", "%", "%4", "b", "a%",
        ];
        let mut paths = vec![String::new()];
        for x in pieces {
            paths.push(format!("/{x}"));
            for y in pieces {
                paths.push(format!("/{x}/{y}"));
                paths.push(format!("/{x}/{y}/"));
            }
        }
        for a in &paths {
            for b in &paths {
                assert_eq!(path_part_matches(a, b), literal(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    /// A URL path of a million bytes is read only as far as the source path can match.
    #[test]
    fn reads_only_a_prefix_of_huge_url_paths() {
        let huge = format!("/js/{}", "a".repeat(1 << 20));
        assert!(path_part_matches("/js/", &huge));
        assert!(!path_part_matches("/js/app.js", &huge));
        assert!(!path_part_matches("/js", &huge));
        let deep = "/x".repeat(1 << 19);
        assert!(path_part_matches("/x/x/", &deep));
        assert!(!path_part_matches("/x/x", &deep));
    }
}
