//! Subresource Integrity metadata, as CSP3 §6.7.2.4 reads a request's `integrity`.

use crate::names::keywords::HashAlgorithm;

/// One recognised item of integrity metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IntegrityItem<'a> {
    pub(crate) algorithm: HashAlgorithm,
    /// The base64-value, possibly empty.
    pub(crate) value: &'a str,
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>
///
/// Yields the items whose algorithm the user agent recognises, lazily (no allocation).
pub(crate) fn parse_metadata(metadata: &str) -> impl Iterator<Item = IntegrityItem<'_>> {
    // Step 2: for each item of the metadata split on ASCII whitespace. SRI says "splitting
    // metadata on spaces"; its anchors define that as HTML's "split a string on spaces" (now
    // Infra's "split on ASCII whitespace"), its grammar's WSP is HTML's space characters, and
    // Chromium's ParseIntegrityAttribute skips ASCII whitespace. The oracle
    // (`tests/suite/naive.rs`) splits the same way.
    crate::names::ascii::split_ws(metadata).filter_map(|item| {
        // Steps 2.1-2.2: drop options after "?".
        let expression = item.split('?').next().unwrap_or("");
        // Steps 2.3-2.6: split on "-": the algorithm, then the value (or empty).
        let mut parts = expression.split('-');
        let algorithm = parts.next().unwrap_or("");
        let value = parts.next().unwrap_or("");
        // Step 2.7: skip algorithms that are not valid SRI hash algorithm tokens.
        let algorithm = HashAlgorithm::from_name(algorithm)?;
        Some(IntegrityItem { algorithm, value })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_sri_algorithm() {
        let items: Vec<_> =
            parse_metadata(" sha256-abc?x=1\tSHA512-def md5-zzz sha384 bogus ").collect();
        assert_eq!(
            items,
            [
                IntegrityItem {
                    algorithm: HashAlgorithm::Sha256,
                    value: "abc"
                },
                IntegrityItem {
                    algorithm: HashAlgorithm::Sha512,
                    value: "def"
                },
                IntegrityItem {
                    algorithm: HashAlgorithm::Sha384,
                    value: ""
                },
            ]
        );
        // The value ends at the next "-" (SRI step 2.4 splits on every "-").
        assert_eq!(parse_metadata("sha256-a-b").next().unwrap().value, "a");
        assert_eq!(parse_metadata("").count(), 0);
    }
}
