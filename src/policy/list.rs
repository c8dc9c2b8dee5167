//! A list of policies (the `policies` of a CSP list, CSP3 §2.2).

use core::fmt;
use core::ops::Index;
use std::sync::Arc;

use smallvec::SmallVec;

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
/// Each compiled policy is held by reference count: cloning a list, or getting one from a
/// [`PolicyCache`](crate::PolicyCache), shares the policies instead of copying them.
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
    /// The policies in one shared allocation: cloning a list, and a
    /// [`PolicyCache`](crate::PolicyCache) hit, is one reference count; appending copies the
    /// pointers once per call. Never optional: the check path reads it without a branch.
    policies: Arc<[Arc<Policy>]>,
}

impl PolicyList {
    /// An empty list.
    ///
    /// # Example
    ///
    /// ```
    /// let list = cspgate::PolicyList::new();
    /// assert!(list.is_empty());
    /// ```
    pub fn new() -> PolicyList {
        PolicyList::default()
    }

    /// Runs `f` on the policies as a vector, then shares them again.
    fn edit(&mut self, f: impl FnOnce(&mut Vec<Arc<Policy>>)) {
        let mut v: Vec<Arc<Policy>> = self.policies.to_vec();
        f(&mut v);
        self.policies = v.into();
    }

    /// Parses one header value (its comma-separated policies) or one `<meta>` content (a
    /// single policy), dropping empty policies.
    ///
    /// A `<meta>` policy loses its `report-uri`, `frame-ancestors` and `sandbox` directives,
    /// and a report-only `<meta>` policy is ignored, as HTML requires.
    ///
    /// Each source list is compiled when a check first reads it (see `docs/design.md`);
    /// [`PolicyList::parse_with`] compiles them all at once, to report their warnings.
    pub fn parse(text: &str, disposition: Disposition, source: PolicySource) -> PolicyList {
        let mut list = PolicyList::new();
        list.edit(|v| build::parse_list_lazily(text, disposition, source, &mut |_| {}, v));
        list
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
        list.edit(|v| build::parse_list(text, disposition, source, warn, v));
        list
    }

    /// Parses and appends a header value.
    pub fn push_header(&mut self, text: &str, disposition: Disposition) {
        self.edit(|v| {
            build::parse_list_lazily(text, disposition, PolicySource::Header, &mut |_| {}, v);
        });
    }

    /// [`PolicyList::push_header`], calling `warn` with everything the parser ignored or
    /// repaired (compiling every source list now, to report their warnings).
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
        self.edit(|v| build::parse_list(text, disposition, PolicySource::Header, warn, v));
    }

    /// Parses and appends a `<meta http-equiv="Content-Security-Policy">` content.
    pub fn push_meta(&mut self, text: &str) {
        self.edit(|v| {
            build::parse_list_lazily(
                text,
                Disposition::Enforce,
                PolicySource::Meta,
                &mut |_| {},
                v,
            );
        });
    }

    /// [`PolicyList::push_meta`], calling `warn` with everything the parser ignored or
    /// repaired (compiling every source list now, to report their warnings).
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
        self.edit(|v| build::parse_list(text, Disposition::Enforce, PolicySource::Meta, warn, v));
    }

    /// Appends every policy of `other`.
    pub fn append(&mut self, other: PolicyList) {
        if self.is_empty() {
            *self = other;
        } else if !other.is_empty() {
            self.edit(|v| v.extend_from_slice(other.as_slice()));
        }
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Does the list hold no policy?
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policies, in order.
    pub fn iter(&self) -> PolicyIter<'_> {
        PolicyIter(self.as_slice().iter())
    }

    /// The policy at `index`, if any.
    pub fn get(&self, index: usize) -> Option<&Policy> {
        self.as_slice().get(index).map(|p| &**p)
    }

    /// CSP3 §2.2: does the list contain a header-delivered policy?
    pub fn contains_header_delivered_policy(&self) -> bool {
        self.as_slice()
            .iter()
            .any(|p| p.source() == PolicySource::Header)
    }

    /// Approximate heap bytes of the compiled list: its policies (each counted once, however
    /// often the list holds it; shared ones in full) and the list's own room.
    pub fn memory_usage(&self) -> usize {
        // The shared slice: two counts and the pointers.
        let mut total = 2 * core::mem::size_of::<usize>() + core::mem::size_of_val(&*self.policies);
        let mut seen: SmallVec<[*const Policy; 8]> = SmallVec::new();
        for p in self.as_slice() {
            let at = Arc::as_ptr(p);
            if !seen.contains(&at) {
                seen.push(at);
                total += policy_bytes(p);
            }
        }
        total
    }

    /// Appends an already parsed policy.
    #[cfg(feature = "serde")]
    pub(crate) fn push_parsed(&mut self, policy: Policy) {
        self.edit(|v| v.push(Arc::new(policy)));
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[Arc<Policy>] {
        &self.policies
    }
}

impl Index<usize> for PolicyList {
    type Output = Policy;

    /// # Panics
    ///
    /// When `index` is out of bounds, like a slice.
    fn index(&self, index: usize) -> &Policy {
        &self.as_slice()[index]
    }
}

/// The heap bytes of one shared policy: its reference-counted allocation (two counts and the
/// `Policy`) and what the policy owns.
pub(crate) fn policy_bytes(p: &Policy) -> usize {
    2 * core::mem::size_of::<usize>() + core::mem::size_of::<Policy>() + p.heap_size()
}

/// The policies of a [`PolicyList`], in order ([`PolicyList::iter`]).
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, PolicyList, PolicySource};
///
/// let list = PolicyList::parse("img-src a.test, script-src 'self'", Disposition::Enforce,
///     PolicySource::Header);
/// let names: Vec<String> = list.iter().map(|p| p.to_string()).collect();
/// assert_eq!(names, ["img-src a.test", "script-src 'self'"]);
/// ```
#[derive(Clone, Debug)]
pub struct PolicyIter<'a>(core::slice::Iter<'a, Arc<Policy>>);

impl<'a> Iterator for PolicyIter<'a> {
    type Item = &'a Policy;

    #[inline]
    fn next(&mut self) -> Option<&'a Policy> {
        self.0.next().map(|p| &**p)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for PolicyIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|p| &**p)
    }
}

impl ExactSizeIterator for PolicyIter<'_> {}

impl core::iter::FusedIterator for PolicyIter<'_> {}

impl<'a> IntoIterator for &'a PolicyList {
    type Item = &'a Policy;
    type IntoIter = PolicyIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Display for PolicyList {
    /// Serialises the list as one header value: policies joined by `", "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(p, f)?;
        }
        Ok(())
    }
}
