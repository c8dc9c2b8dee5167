//! Subresource Integrity metadata (<https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata>),
//! in 0.9's types, parsed by [`cspgate::sri::parse_metadata`]: Servo's preload keys compare
//! metadata the way cspgate's integrity checks read it.

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
    // "No metadata": the string holds no item at all (only ASCII whitespace).
    if crate::text::split_ascii_whitespace(string).next().is_none() {
        return SubresourceIntegrityMetadata::NoMetadata;
    }
    // Steps 1-3: the items whose algorithm is recognised, in order.
    let items = cspgate::sri::parse_metadata(string)
        .map(|item| HashFunction {
            algorithm: HashAlgorithm::from_cspgate(item.algorithm()),
            value: item.value().to_owned(),
        })
        .collect();
    SubresourceIntegrityMetadata::IntegritySources(items)
}
