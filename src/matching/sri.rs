//! Subresource Integrity metadata (<https://w3c.github.io/webappsec-subresource-integrity/>):
//! parsing a request's `integrity` into algorithm and digest entries, choosing the strongest
//! set, and checking a response body against it.
//!
//! CSP3 reads a request's integrity metadata (§6.7.2.4, `'strict-dynamic'` and hash-sources
//! of script requests); engines also key preloads by it and verify fetched bodies with it.
//!
//! # Example
//!
//! ```
//! use cspgate::sri::{self, HashAlgorithm, IntegrityMetadata};
//!
//! let body = b"alert('Hello, world.');";
//! let integrity = "sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng= \
//!                  sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO";
//! let metadata = IntegrityMetadata::parse(integrity);
//! // sha384 is the strongest algorithm present: only its digest is compared.
//! let strongest = metadata.strongest();
//! assert_eq!(strongest.len(), 1);
//! assert_eq!(strongest[0].algorithm(), HashAlgorithm::Sha384);
//! assert!(sri::bytes_match_metadata(body, integrity));
//! assert!(!sri::bytes_match_metadata(b"tampered", integrity));
//! // No metadata (nothing the user agent recognises) matches any body.
//! assert!(IntegrityMetadata::parse("md5-xyz").is_empty());
//! assert!(sri::bytes_match_metadata(b"anything", "md5-xyz"));
//! ```

use base64::Engine as _;
use sha2::Digest as _;

pub use crate::names::keywords::HashAlgorithm;

/// One recognised item of integrity metadata: its hash algorithm and its base64 digest
/// ("alg" and "val" of SRI's metadata map).
///
/// # Example
///
/// ```
/// use cspgate::sri::{parse_metadata, HashAlgorithm};
///
/// let item = parse_metadata("sha512-abc?opt").next().unwrap();
/// assert_eq!((item.algorithm(), item.value()), (HashAlgorithm::Sha512, "abc"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntegrityItem<'a> {
    pub(crate) algorithm: HashAlgorithm,
    /// The base64-value, possibly empty.
    pub(crate) value: &'a str,
}

impl<'a> IntegrityItem<'a> {
    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The expected digest, base64-encoded as written (possibly empty).
    pub fn value(&self) -> &'a str {
        self.value
    }
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>: the items of
/// `metadata` whose algorithm the user agent recognises (`sha256`, `sha384`, `sha512`, any
/// case), in order, lazily (no allocation).
///
/// # Example
///
/// ```
/// use cspgate::sri::parse_metadata;
///
/// let algorithms: Vec<_> = parse_metadata("sha256-a md5-b SHA384-c")
///     .map(|i| i.algorithm().as_str())
///     .collect();
/// assert_eq!(algorithms, ["sha256", "sha384"]);
/// ```
pub fn parse_metadata(metadata: &str) -> impl Iterator<Item = IntegrityItem<'_>> + Clone {
    // Step 2: for each item of the metadata split on ASCII whitespace. SRI says "splitting
    // metadata on spaces"; its anchors define that as HTML's "split a string on spaces" (now
    // Infra's "split on ASCII whitespace"), its grammar's WSP is HTML's space characters, and
    // Chromium's ParseIntegrityAttribute skips ASCII whitespace. The oracle
    // (`tests/suite/naive.rs`) splits the same way.
    crate::names::ascii::split_ws(metadata).filter_map(|item| {
        // Steps 2.1-2.2: drop options after "?".
        let expression = item.split('?').next().unwrap_or("");
        // Steps 2.3-2.5 and 2.7: split on "-": the algorithm, then the value (or empty).
        let mut parts = expression.split('-');
        let algorithm = parts.next().unwrap_or("");
        let value = parts.next().unwrap_or("");
        // Step 2.6: skip algorithms that are not valid SRI hash algorithm tokens.
        let algorithm = HashAlgorithm::from_name(algorithm)?;
        // Steps 2.8-2.9.
        Some(IntegrityItem { algorithm, value })
    })
}

/// The index of an algorithm in SRI's "valid SRI hash algorithm token set" (stronger later).
fn strength(algorithm: HashAlgorithm) -> u8 {
    match algorithm {
        HashAlgorithm::Sha256 => 0,
        HashAlgorithm::Sha384 => 1,
        HashAlgorithm::Sha512 => 2,
    }
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#get-the-strongest-metadata>: the
/// items whose algorithm is the strongest present, in order.
///
/// # Example
///
/// ```
/// use cspgate::sri::{parse_metadata, strongest_metadata};
///
/// let strongest = strongest_metadata(parse_metadata("sha256-a sha512-b sha384-c sha512-d"));
/// let values: Vec<_> = strongest.iter().map(|i| i.value()).collect();
/// assert_eq!(values, ["b", "d"]);
/// ```
pub fn strongest_metadata<'a>(
    set: impl IntoIterator<Item = IntegrityItem<'a>>,
) -> Vec<IntegrityItem<'a>> {
    // Step 1.
    let mut result: Vec<IntegrityItem<'a>> = Vec::new();
    let mut strongest: Option<HashAlgorithm> = None;
    // Step 2.
    for item in set {
        // Step 2.2.
        let Some(current) = strongest else {
            result.push(item);
            strongest = Some(item.algorithm);
            continue;
        };
        // Steps 2.3-2.4.
        let (current_index, new_index) = (strength(current), strength(item.algorithm));
        // Step 2.5.
        if new_index < current_index {
            continue;
        }
        // Step 2.6.
        if new_index > current_index {
            strongest = Some(item.algorithm);
            result.clear();
        }
        // Steps 2.6.2 and 2.7.
        result.push(item);
    }
    // Step 3.
    result
}

#[cfg(test)]
thread_local! {
    /// How many digests this thread computed (tests assert "once per algorithm").
    static DIGESTS_COMPUTED: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#apply-algorithm-to-response>: the
/// padded base64 encoding of `bytes`' digest.
///
/// # Example
///
/// ```
/// use cspgate::sri::{apply_algorithm, HashAlgorithm};
///
/// assert_eq!(apply_algorithm(HashAlgorithm::Sha256, b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
/// ```
pub fn apply_algorithm(algorithm: HashAlgorithm, bytes: &[u8]) -> String {
    #[cfg(test)]
    DIGESTS_COMPUTED.with(|c| c.set(c.get() + 1));
    let b64 = &base64::engine::general_purpose::STANDARD;
    // Steps 1-2.
    match algorithm {
        HashAlgorithm::Sha256 => b64.encode(sha2::Sha256::digest(bytes)),
        HashAlgorithm::Sha384 => b64.encode(sha2::Sha384::digest(bytes)),
        HashAlgorithm::Sha512 => b64.encode(sha2::Sha512::digest(bytes)),
    }
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#does-response-match-metadatalist>:
/// does `bytes` match the integrity metadata `metadata_list`? True when the metadata has no
/// recognised item, or when the digest of one item of the strongest algorithm present is
/// (case-sensitively) the item's value.
///
/// # Example
///
/// ```
/// use cspgate::sri::bytes_match_metadata;
///
/// let empty_sha256 = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
/// assert!(bytes_match_metadata(b"", empty_sha256));
/// assert!(!bytes_match_metadata(b"x", empty_sha256));
/// // A weaker algorithm that matches does not count when a stronger one is present.
/// assert!(!bytes_match_metadata(b"", &format!("{empty_sha256} sha512-AAAA")));
/// ```
pub fn bytes_match_metadata(bytes: &[u8], metadata_list: &str) -> bool {
    // Step 1.
    let parsed = parse_metadata(metadata_list);
    // Step 2.
    if parsed.clone().next().is_none() {
        return true;
    }
    // Step 3.
    let metadata = strongest_metadata(parsed);
    // Step 4: each algorithm's digest computed once.
    let mut actual: Option<(HashAlgorithm, String)> = None;
    for item in metadata {
        // Steps 4.1-4.3.
        let value = match &actual {
            Some((a, v)) if *a == item.algorithm => v,
            _ => {
                let computed = apply_algorithm(item.algorithm, bytes);
                &actual.insert((item.algorithm, computed)).1
            }
        };
        // Step 4.4.
        if value.as_str() == item.value {
            return true;
        }
    }
    // Step 5.
    false
}

/// Parsed integrity metadata that owns its digests: `Eq` and `Hash`, so that an engine can
/// keep it in a key (Servo's preload key holds a request's integrity metadata).
///
/// # Example
///
/// ```
/// use cspgate::sri::IntegrityMetadata;
///
/// let a = IntegrityMetadata::parse("sha256-abc?x md5-zzz");
/// let b = IntegrityMetadata::parse("  SHA256-abc ");
/// assert_eq!(a, b); // the same recognised items
/// assert!(IntegrityMetadata::parse("").is_empty()); // "no metadata"
/// assert!(a.matches(b"body") == cspgate::sri::bytes_match_metadata(b"body", "sha256-abc"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IntegrityMetadata {
    items: Vec<(HashAlgorithm, Box<str>)>,
}

impl IntegrityMetadata {
    /// [`parse_metadata`], kept.
    pub fn parse(metadata: &str) -> IntegrityMetadata {
        IntegrityMetadata {
            items: parse_metadata(metadata)
                .map(|i| (i.algorithm, i.value.into()))
                .collect(),
        }
    }

    /// No recognised item: SRI's empty set, which every body matches.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items, in order.
    pub fn items(&self) -> impl ExactSizeIterator<Item = IntegrityItem<'_>> + Clone {
        self.items.iter().map(|(algorithm, value)| IntegrityItem {
            algorithm: *algorithm,
            value,
        })
    }

    /// [`strongest_metadata`] of the items.
    pub fn strongest(&self) -> Vec<IntegrityItem<'_>> {
        strongest_metadata(self.items())
    }

    /// [`bytes_match_metadata`] against these items.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        if self.is_empty() {
            return true;
        }
        self.strongest()
            .iter()
            .any(|item| apply_algorithm(item.algorithm, bytes) == item.value)
    }
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

    #[test]
    fn parse_metadata_steps_2_7_to_2_9_item_value_is_the_text_after_the_dash() {
        let values: Vec<_> = parse_metadata("sha512-abc?opt sha256 SHA384-x/y+z=")
            .map(|i| i.value())
            .collect();
        assert_eq!(values, ["abc", "", "x/y+z="]);
    }

    #[test]
    fn get_the_strongest_metadata_of_owned_metadata() {
        let m = IntegrityMetadata::parse("sha256-a sha512-b sha384-c sha512-d");
        let strongest: Vec<_> = m
            .strongest()
            .iter()
            .map(|i| (i.algorithm(), i.value()))
            .collect();
        assert_eq!(
            strongest,
            [(HashAlgorithm::Sha512, "b"), (HashAlgorithm::Sha512, "d")]
        );
        assert!(IntegrityMetadata::default().strongest().is_empty());
    }

    #[test]
    fn does_response_match_metadata_list_step_4_owned_metadata_matches_its_digest() {
        let body = b"console.log(1)";
        let d384 = apply_algorithm(HashAlgorithm::Sha384, body);
        let m = IntegrityMetadata::parse(&format!("sha256-wrong sha384-wrong sha384-{d384}"));
        assert!(m.matches(body));
        assert!(!m.matches(b"console.log(2)"));
    }

    #[test]
    fn does_response_match_metadata_list_step_4_hashes_the_body_once() {
        let body = b"console.log(1)";
        let d256 = apply_algorithm(HashAlgorithm::Sha256, body);
        let cases = [
            ("sha256-a sha256-b sha256-c sha256-d".to_owned(), false),
            (format!("sha256-a sha256-b sha256-{d256}"), true),
            (format!("sha512-a sha256-{d256} sha512-b"), false),
        ];
        for (metadata, expected) in cases {
            DIGESTS_COMPUTED.with(|c| c.set(0));
            assert_eq!(
                bytes_match_metadata(body, &metadata),
                expected,
                "{metadata}"
            );
            assert_eq!(DIGESTS_COMPUTED.with(|c| c.get()), 1, "{metadata}");
        }
    }

    #[test]
    fn get_the_strongest_metadata_steps_2_5_to_2_7() {
        fn values(s: &str) -> Vec<&str> {
            strongest_metadata(parse_metadata(s))
                .into_iter()
                .map(|i| i.value)
                .collect()
        }
        assert_eq!(values("sha256-a"), ["a"]);
        assert_eq!(values("sha256-a sha256-b"), ["a", "b"]);
        assert_eq!(values("sha512-a sha256-b sha384-c"), ["a"]);
        assert_eq!(values("sha256-a sha384-b sha384-c sha256-d"), ["b", "c"]);
        assert!(values("").is_empty());
    }

    #[test]
    fn do_bytes_match_metadata_list() {
        let body = b"console.log(1)";
        let d256 = apply_algorithm(HashAlgorithm::Sha256, body);
        let d512 = apply_algorithm(HashAlgorithm::Sha512, body);
        assert!(bytes_match_metadata(body, ""));
        assert!(bytes_match_metadata(body, "md5-abc"));
        assert!(bytes_match_metadata(body, &format!("sha256-{d256}")));
        assert!(bytes_match_metadata(
            body,
            &format!("sha256-wrong sha256-{d256}")
        ));
        // Only the strongest algorithm counts.
        assert!(!bytes_match_metadata(
            body,
            &format!("sha256-{d256} sha512-wrong")
        ));
        assert!(bytes_match_metadata(
            body,
            &format!("sha256-wrong sha512-{d512}")
        ));
        // Case-sensitive, padded comparison; options are ignored.
        assert!(!bytes_match_metadata(
            body,
            &format!("sha256-{}", d256.to_lowercase())
        ));
        assert!(bytes_match_metadata(
            body,
            &format!("sha256-{d256}?ct=text/js")
        ));
        assert!(!bytes_match_metadata(
            body,
            &format!("sha256-{}", d256.trim_end_matches('='))
        ));
        // The owned form agrees.
        for m in [
            "",
            "md5-x",
            "sha256-wrong",
            &format!("sha384-x sha256-{d256}"),
        ] {
            assert_eq!(
                IntegrityMetadata::parse(m).matches(body),
                bytes_match_metadata(body, m),
                "{m}"
            );
        }
    }
}
