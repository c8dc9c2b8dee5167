//! The little JSON writing violation reports need, with no JSON library: objects of string,
//! integer and null members, written the way Infra's "serialize an Infra value to JSON bytes"
//! (that is, `JSON.stringify`) writes them.

use core::fmt::Write as _;

/// Writes `s` as a JSON string, escaped exactly as `JSON.stringify` escapes it: `"` and `\`
/// with a backslash; backspace, form feed, line feed, carriage return and tab by their short
/// escapes; every other code point below U+0020 as `\u00xx` (lower-case hex). Everything else,
/// U+007F and U+2028 included, is written as is (a Rust string has no lone surrogates).
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1f => None,
            _ => continue,
        };
        // Bytes below 0x80 are whole characters: slicing around them stays on boundaries.
        out.push_str(s.get(start..i).unwrap_or(""));
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

/// A JSON object being written: `{"key":value,...}`.
pub(crate) struct Object<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Object<'o> {
    pub(crate) fn new(out: &'o mut String) -> Object<'o> {
        out.push('{');
        Object { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_string(self.out, key);
        self.out.push(':');
    }

    pub(crate) fn string(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        write_string(self.out, value);
        self
    }

    pub(crate) fn opt_string(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.string(key, v),
            None => self.null(key),
        }
    }

    pub(crate) fn number(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    pub(crate) fn opt_number(&mut self, key: &str, value: Option<u64>) -> &mut Self {
        match value {
            Some(v) => self.number(key, v),
            None => self.null(key),
        }
    }

    pub(crate) fn null(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.out.push_str("null");
        self
    }

    /// Starts a nested object as the value of `key`; finish it before using `self` again.
    pub(crate) fn object(&mut self, key: &str) -> Object<'_> {
        self.key(key);
        Object::new(self.out)
    }

    pub(crate) fn finish(&mut self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, s);
        out
    }

    #[test]
    fn escapes_like_json_stringify() {
        assert_eq!(string(""), r#""""#);
        assert_eq!(string("plain 'text' / é ✓ 𝄞"), "\"plain 'text' / é ✓ 𝄞\"");
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(string("\u{0}\u{1}\u{1f}x"), r#""\u0000\u0001\u001fx""#);
        assert_eq!(string("\u{7f}\u{2028}"), "\"\u{7f}\u{2028}\"");
    }

    #[test]
    fn escaped_strings_round_trip_through_a_json_parser() {
        let mut all = String::new();
        for c in (0u32..0x300).chain([0x2028, 0xfffd, 0x1f600]) {
            all.extend(char::from_u32(c));
        }
        let json = string(&all);
        let back: String = serde_json::from_str(&json).unwrap();
        assert_eq!(back, all);
        // And serde_json escapes the same way (it follows JSON.stringify too).
        assert_eq!(json, serde_json::to_string(&all).unwrap());
    }

    #[test]
    fn objects() {
        let mut out = String::new();
        let mut o = Object::new(&mut out);
        o.string("a", "x")
            .number("n", 7)
            .null("z")
            .opt_string("s", None);
        o.opt_number("m", Some(3));
        let mut inner = o.object("in");
        inner.string("k", "v");
        inner.finish();
        o.finish();
        assert_eq!(
            out,
            r#"{"a":"x","n":7,"z":null,"s":null,"m":3,"in":{"k":"v"}}"#
        );
    }
}
