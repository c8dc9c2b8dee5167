//! Subresource Integrity metadata (<https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>).
//!
//! TO BE REPLACED by `cspgate::sri::parse_metadata` (public on the `tt` branch, not merged
//! yet; today the parser cspgate's integrity checks use is crate-private): this module runs
//! the same SRI algorithm locally, so that Servo's preload keys compare metadata the way
//! cspgate reads it.

use crate::HashAlgorithm;

/// One item of integrity metadata: a recognised algorithm and its base64 value
/// (<https://w3c.github.io/webappsec-subresource-integrity/#integrity-metadata>).
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let a = parse_subresource_integrity_metadata("sha256-abc");
/// let b = parse_subresource_integrity_metadata("SHA256-abc?opt");
/// assert_eq!(a, b);
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
// The fields are read through the derived `Eq` and `Debug`, which dead-code analysis skips.
#[allow(dead_code)]
pub struct HashFunction {
    algorithm: HashAlgorithm,
    value: String,
}

/// The result of parsing integrity metadata.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// assert_eq!(parse_subresource_integrity_metadata("  "), SubresourceIntegrityMetadata::NoMetadata);
/// assert_eq!(
///     parse_subresource_integrity_metadata("md5-x"),
///     SubresourceIntegrityMetadata::IntegritySources(vec![])
/// );
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum SubresourceIntegrityMetadata {
    /// The metadata holds no item at all.
    NoMetadata,
    /// The items whose algorithm is recognised, in order.
    IntegritySources(Vec<HashFunction>),
}

/// <https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>: the recognised
/// items of `string`, or [`SubresourceIntegrityMetadata::NoMetadata`] when it holds no item.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let SubresourceIntegrityMetadata::IntegritySources(items) =
///     parse_subresource_integrity_metadata("sha384-abc sha1-zzz sha512-def?x")
/// else { panic!() };
/// assert_eq!(items.len(), 2);
/// ```
pub fn parse_subresource_integrity_metadata(string: &str) -> SubresourceIntegrityMetadata {
    // Step 1.
    let mut result = Vec::new();
    let mut empty = true;
    // Step 2: each item of the metadata split on ASCII whitespace.
    for item in crate::text::split_ascii_whitespace(string) {
        empty = false;
        // Steps 2.1-2.2: options after "?" are dropped.
        let expression = item.split('?').next().unwrap_or("");
        // Steps 2.3-2.6: the algorithm, then the value up to the next "-".
        let mut parts = expression.split('-');
        let algorithm = parts.next().unwrap_or("");
        let value = parts.next().unwrap_or("");
        // Step 2.7: skip algorithms that are not valid SRI hash algorithm tokens.
        let Some(algorithm) = HashAlgorithm::from_name(algorithm) else {
            continue;
        };
        // Steps 2.8-2.9.
        result.push(HashFunction {
            algorithm,
            value: value.to_owned(),
        });
    }
    // Step 3; "no metadata" when there was no item at all.
    if empty {
        SubresourceIntegrityMetadata::NoMetadata
    } else {
        SubresourceIntegrityMetadata::IntegritySources(result)
    }
}
