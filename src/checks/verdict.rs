//! The outcome of a check: allowed or blocked, and the violations it produced.

use smallvec::SmallVec;
use url::Url;

use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;
use crate::policy::Policy;

/// What a violation is about (CSP3 §2.4 *resource*).
///
/// # Example
///
/// ```
/// use cspgate::Resource;
///
/// assert_eq!(Resource::Eval.as_str(), Some("eval"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resource<'r> {
    /// A URL: the request's original URL, or the checked URL of a navigation, `<base>` or
    /// ancestor.
    Url(&'r Url),
    /// Inline script, style, event handler, `javascript:` URL, or a `<base>` element.
    Inline,
    /// A string compiled as script (`eval`, `Function`, string timers).
    Eval,
    /// WebAssembly compilation.
    WasmEval,
    /// A Trusted Types policy creation refused by `trusted-types` (Trusted Types
    /// `#should-block-create-policy`).
    TrustedTypesPolicy,
    /// A string that reached an injection sink where `require-trusted-types-for` requires a
    /// Trusted Type (`#should-block-sink-type-mismatch`). It holds the sink's name
    /// (`Element innerHTML`, `eval`, ...), which the violation's sample starts with.
    TrustedTypesSink(&'r str),
    /// No resource: CSP3 leaves it null for a WebRTC connection (§4.3.1 step 2.1.3); reports
    /// carry an empty blocked URI.
    None,
}

impl Resource<'_> {
    /// The keyword CSP3 uses for non-URL resources (`inline`, `eval`, `wasm-eval`), and the
    /// Trusted Types ones (`trusted-types-policy`, `trusted-types-sink`); `None` for a URL
    /// and for no resource.
    pub const fn as_str(&self) -> Option<&'static str> {
        match self {
            Resource::Url(_) => None,
            Resource::Inline => Some("inline"),
            Resource::Eval => Some("eval"),
            Resource::WasmEval => Some("wasm-eval"),
            Resource::TrustedTypesPolicy => Some("trusted-types-policy"),
            Resource::TrustedTypesSink(_) => Some("trusted-types-sink"),
            Resource::None => None,
        }
    }
}

/// One violation: which policy, which directive, what resource.
///
/// It borrows the request's URL and refers to its policy by index, so producing one copies
/// nothing; [`DocumentPolicy`](crate::DocumentPolicy) turns it into a report when asked.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, DirectiveKind, DocumentPolicy, Disposition, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse("default-src 'self'", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&doc, list);
/// let url = Url::parse("https://elsewhere.test/api")?;
/// let verdict = policy.check_request(&Request::new(&url, Destination::Empty));
/// let v = &verdict.violations()[0];
/// assert_eq!(v.directive(), DirectiveKind::ConnectSrc);
/// assert_eq!(v.governing_directive(), DirectiveKind::DefaultSrc);
/// assert_eq!(v.policy_index(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation<'r> {
    pub(crate) directive: DirectiveKind,
    pub(crate) governing: DirectiveKind,
    pub(crate) disposition: Disposition,
    pub(crate) policy: u32,
    pub(crate) resource: Resource<'r>,
    pub(crate) sample: &'r str,
}

impl<'r> Violation<'r> {
    /// CSP3 §2.4.1 "create a violation object for global, policy, and directive": policy
    /// `index` of the list violated `directive` (the effective directive reports name),
    /// which its `governing` directive enforced, about `resource`, with no sample. The one
    /// way every check builds a violation.
    #[inline]
    pub(crate) fn new(
        policy: &Policy,
        index: usize,
        directive: DirectiveKind,
        governing: DirectiveKind,
        resource: Resource<'r>,
    ) -> Violation<'r> {
        Violation {
            directive,
            governing,
            disposition: policy.disposition(),
            // A list holds far fewer than 2^32 policies (each is parsed from text).
            policy: u32::try_from(index).unwrap_or(u32::MAX),
            resource,
            sample: "",
        }
    }

    /// The violation with a sample (CSP3 §5.5: for inline checks and eval whose failing
    /// directive has `'report-sample'`).
    #[inline]
    pub(crate) fn with_sample(mut self, sample: &'r str) -> Violation<'r> {
        self.sample = sample;
        self
    }

    /// The effective directive (CSP3 §2.4 *effective directive*): the directive reports name,
    /// e.g. `connect-src` even when `default-src` did the blocking.
    #[inline]
    pub fn directive(&self) -> DirectiveKind {
        self.directive
    }

    /// The directive whose value failed to allow the resource (`default-src` when it stood in
    /// for `connect-src`). Useful to explain a block; reports use [`Violation::directive`].
    #[inline]
    pub fn governing_directive(&self) -> DirectiveKind {
        self.governing
    }

    /// Enforced (the action was blocked) or report-only.
    #[inline]
    pub fn disposition(&self) -> Disposition {
        self.disposition
    }

    /// The index of the violated policy in the document's [`PolicyList`](crate::PolicyList).
    #[inline]
    pub fn policy_index(&self) -> usize {
        // A `u32` widens to `usize` on every target the crate builds for (`limits::to_usize`).
        crate::limits::to_usize(self.policy)
    }

    /// What was blocked or reported.
    #[inline]
    pub fn resource(&self) -> Resource<'r> {
        self.resource
    }

    /// The first 40 characters (UTF-16 code units, never splitting a surrogate pair) of the
    /// inline source or eval string, when the failing directive has `'report-sample'` (CSP3
    /// §5.5); of the policy name of a `trusted-types` violation; of the value of a
    /// `require-trusted-types-for` violation. Empty otherwise.
    ///
    /// The sample of a `trusted-types-sink` violation is `sink|` followed by this text (the
    /// sink's name is in [`Resource::TrustedTypesSink`]): [`Violation::full_sample`] joins
    /// them, and reports carry the joined text.
    #[inline]
    pub fn sample(&self) -> &'r str {
        self.sample
    }

    /// The violation's *sample* as CSP3 and Trusted Types define it: [`Violation::sample`],
    /// preceded by `sink|` for a `trusted-types-sink` violation (which allocates; nothing else
    /// does).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource, SinkGroup};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("require-trusted-types-for 'script'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let verdict = policy.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "<img src=x>");
    /// let v = &verdict.violations()[0];
    /// assert_eq!(v.sample(), "<img src=x>");
    /// assert_eq!(v.full_sample(), "Element innerHTML|<img src=x>");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn full_sample(&self) -> std::borrow::Cow<'r, str> {
        match self.resource {
            Resource::TrustedTypesSink(sink) => {
                // "concatenating the list « sink, trimmedSample » using "|" as a separator".
                std::borrow::Cow::Owned(format!("{sink}|{}", self.sample))
            }
            _ => std::borrow::Cow::Borrowed(self.sample),
        }
    }
}

/// The violations of one check; inline storage for the common case of one or two.
pub(crate) type Violations<'r> = SmallVec<[Violation<'r>; 2]>;

/// The answer to a check: blocked when an enforced policy objects; the violations of every
/// policy that objects, enforced or report-only, in policy order.
///
/// An allowed check with no report-only violation allocates nothing.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, DocumentPolicy, Disposition, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let mut list = PolicyList::parse("img-src *", Disposition::Enforce, PolicySource::Header);
/// list.push_header("img-src 'self'", Disposition::Report);
/// let policy = DocumentPolicy::new(&doc, list);
/// let img = Url::parse("https://cdn.test/a.png")?;
/// let verdict = policy.check_request(&Request::new(&img, Destination::Image));
/// assert!(!verdict.is_blocked());
/// assert_eq!(verdict.violations().len(), 1); // reported by the report-only policy
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a verdict says whether to block; ignoring it allows everything"]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict<'r> {
    pub(crate) blocked: bool,
    pub(crate) violations: Violations<'r>,
}

impl<'r> Verdict<'r> {
    /// The verdict of a hook the spec gives no violation to report (`sandbox` for workers,
    /// plugins without a URL).
    #[inline]
    pub(crate) fn blocked_without_violations(blocked: bool) -> Verdict<'r> {
        Verdict {
            blocked,
            violations: Violations::new(),
        }
    }

    /// The verdict of a check that found no violation.
    #[inline]
    pub(crate) fn allowed() -> Verdict<'r> {
        Verdict {
            blocked: false,
            violations: SmallVec::new(),
        }
    }

    /// Did an enforced policy block it?
    #[inline]
    pub fn is_blocked(&self) -> bool {
        self.blocked
    }

    /// Is it allowed (possibly with report-only violations)?
    #[inline]
    pub fn is_allowed(&self) -> bool {
        !self.blocked
    }

    /// Every violation, enforced and report-only, in policy order.
    #[inline]
    pub fn violations(&self) -> &[Violation<'r>] {
        &self.violations
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn push(&mut self, v: Violation<'r>) {
        if v.disposition == Disposition::Enforce {
            self.blocked = true;
        }
        self.violations.push(v);
    }
}
