//! A list of policies (the `policies` of a CSP list, CSP3 §2.2).

use core::fmt;
use core::ops::Index;

use crate::names::disposition::{Disposition, PolicySource};
use crate::parse::warning::ParseWarning;
use crate::policy::build;
use crate::policy::Policy;

/// The policies delivered with a document or worker, in delivery order.
///
/// Every policy is enforced (or reported) independently: a request must satisfy all of them
/// (CSP3 §8.1). Build one with [`PolicyList::parse`] for each `Content-Security-Policy` and
/// `Content-Security-Policy-Report-Only` header value and `<meta>` element, appending as they
/// arrive; then hand it to [`DocumentPolicy::new`](crate::DocumentPolicy::new).
///
/// Parsing never fails: what CSP3's lenient parser ignores is ignored, and reported through
/// [`PolicyList::parse_with`]'s warning callback.
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, PolicyList, PolicySource};
///
/// let mut list = PolicyList::parse(
///     "default-src 'self', img-src *",
///     Disposition::Enforce,
///     PolicySource::Header,
/// );
/// list.push_header("script-src 'none'", Disposition::Report);
/// list.push_meta("connect-src https://api.test");
/// assert_eq!(list.len(), 4);
/// assert_eq!(list[2].disposition(), Disposition::Report);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PolicyList {
    policies: Vec<Policy>,
}

impl PolicyList {
    /// An empty list.
    pub const fn new() -> PolicyList {
        PolicyList {
            policies: Vec::new(),
        }
    }

    /// Parses one header value (its comma-separated policies) or one `<meta>` content (a
    /// single policy), dropping empty policies.
    ///
    /// A `<meta>` policy loses its `report-uri`, `frame-ancestors` and `sandbox` directives,
    /// and a report-only `<meta>` policy is ignored, as HTML requires.
    pub fn parse(text: &str, disposition: Disposition, source: PolicySource) -> PolicyList {
        PolicyList::parse_with(text, disposition, source, &mut |_| {})
    }

    /// [`PolicyList::parse`], calling `warn` with everything the parser ignored or repaired.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, ParseWarning, PolicyList, PolicySource};
    ///
    /// let mut warnings = Vec::new();
    /// let list = PolicyList::parse_with("img-src 'none' a.test", Disposition::Enforce,
    ///     PolicySource::Header, &mut |w| warnings.push(w));
    /// assert!(matches!(warnings[..], [ParseWarning::NoneWithOtherSources { .. }]));
    /// ```
    pub fn parse_with(
        text: &str,
        disposition: Disposition,
        source: PolicySource,
        warn: &mut dyn FnMut(ParseWarning),
    ) -> PolicyList {
        let mut list = PolicyList::new();
        build::parse_list(text, disposition, source, warn, &mut list.policies);
        list
    }

    /// Parses and appends a header value.
    pub fn push_header(&mut self, text: &str, disposition: Disposition) {
        self.push_header_with(text, disposition, &mut |_| {});
    }

    /// [`PolicyList::push_header`], calling `warn` with everything the parser ignored or
    /// repaired.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, ParseWarning, PolicyList};
    ///
    /// let mut list = PolicyList::new();
    /// let mut warnings = Vec::new();
    /// list.push_header_with("img-src 'self'; img-src *", Disposition::Enforce, &mut |w| {
    ///     warnings.push(w)
    /// });
    /// assert_eq!(list.len(), 1);
    /// assert!(matches!(warnings[..], [ParseWarning::DuplicateDirective { .. }]));
    /// ```
    pub fn push_header_with(
        &mut self,
        text: &str,
        disposition: Disposition,
        warn: &mut dyn FnMut(ParseWarning),
    ) {
        build::parse_list(
            text,
            disposition,
            PolicySource::Header,
            warn,
            &mut self.policies,
        );
    }

    /// Parses and appends a `<meta http-equiv="Content-Security-Policy">` content.
    pub fn push_meta(&mut self, text: &str) {
        self.push_meta_with(text, &mut |_| {});
    }

    /// [`PolicyList::push_meta`], calling `warn` with everything the parser ignored or
    /// repaired.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{DirectiveKind, ParseWarning, PolicyList};
    ///
    /// let mut list = PolicyList::new();
    /// let mut warnings = Vec::new();
    /// list.push_meta_with("frame-ancestors 'none'; img-src 'self'", &mut |w| warnings.push(w));
    /// assert!(!list[0].contains(DirectiveKind::FrameAncestors));
    /// assert!(matches!(warnings[..], [ParseWarning::IgnoredInMeta { .. }]));
    /// ```
    pub fn push_meta_with(&mut self, text: &str, warn: &mut dyn FnMut(ParseWarning)) {
        build::parse_list(
            text,
            Disposition::Enforce,
            PolicySource::Meta,
            warn,
            &mut self.policies,
        );
    }

    /// Appends every policy of `other`.
    pub fn append(&mut self, mut other: PolicyList) {
        self.policies.append(&mut other.policies);
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Does the list hold no policy?
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policies, in order.
    pub fn iter(&self) -> core::slice::Iter<'_, Policy> {
        self.policies.iter()
    }

    /// The policy at `index`, if any.
    pub fn get(&self, index: usize) -> Option<&Policy> {
        self.policies.get(index)
    }

    /// CSP3 §2.2: does the list contain a header-delivered policy?
    pub fn contains_header_delivered_policy(&self) -> bool {
        self.policies
            .iter()
            .any(|p| p.source() == PolicySource::Header)
    }

    /// Approximate heap bytes owned by the compiled list.
    pub fn memory_usage(&self) -> usize {
        self.policies.capacity() * core::mem::size_of::<Policy>()
            + self.policies.iter().map(Policy::heap_size).sum::<usize>()
    }

    /// Appends an already parsed policy.
    #[cfg(feature = "serde")]
    pub(crate) fn push_parsed(&mut self, policy: Policy) {
        self.policies.push(policy);
    }

    pub(crate) fn as_slice(&self) -> &[Policy] {
        &self.policies
    }
}

impl Index<usize> for PolicyList {
    type Output = Policy;

    /// # Panics
    ///
    /// When `index` is out of bounds, like a slice.
    fn index(&self, index: usize) -> &Policy {
        &self.policies[index]
    }
}

impl<'a> IntoIterator for &'a PolicyList {
    type Item = &'a Policy;
    type IntoIter = core::slice::Iter<'a, Policy>;

    fn into_iter(self) -> Self::IntoIter {
        self.policies.iter()
    }
}

impl fmt::Display for PolicyList {
    /// Serialises the list as one header value: policies joined by `", "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.policies.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(p, f)?;
        }
        Ok(())
    }
}
