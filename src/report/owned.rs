//! A [`Violation`] that owns its data, for sending across a process boundary: the network
//! process finds violations while fetching, the script thread fires the
//! `SecurityPolicyViolationEvent` and sends the report with its own [`DocumentPolicy`].

use std::borrow::Cow;

use url::Url;

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::{Resource, Violation};
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;
use crate::report::violation_report::{ReportContext, ViolationReport};

/// The owned form of a [`Resource`].
///
/// With the `serde` feature it serializes with CSP3's resource names: `"inline"`, `"eval"`,
/// `"wasm-eval"`, `"trusted-types-policy"`, `"none"`, `{"url": "https://..."}` and
/// `{"trusted-types-sink": "Element innerHTML"}`.
///
/// # Example
///
/// ```
/// use cspgate::{OwnedResource, Resource};
///
/// assert_eq!(OwnedResource::from(Resource::Eval), OwnedResource::Eval);
/// assert_eq!(OwnedResource::Eval.as_resource(), Resource::Eval);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[non_exhaustive]
pub enum OwnedResource {
    /// [`Resource::Url`].
    Url(Url),
    /// [`Resource::Inline`].
    Inline,
    /// [`Resource::Eval`].
    Eval,
    /// [`Resource::WasmEval`].
    WasmEval,
    /// [`Resource::TrustedTypesPolicy`].
    TrustedTypesPolicy,
    /// [`Resource::TrustedTypesSink`], with the sink's name.
    TrustedTypesSink(String),
    /// [`Resource::None`].
    None,
}

impl OwnedResource {
    /// The borrowed form.
    pub fn as_resource(&self) -> Resource<'_> {
        match self {
            OwnedResource::Url(u) => Resource::Url(u),
            OwnedResource::Inline => Resource::Inline,
            OwnedResource::Eval => Resource::Eval,
            OwnedResource::WasmEval => Resource::WasmEval,
            OwnedResource::TrustedTypesPolicy => Resource::TrustedTypesPolicy,
            OwnedResource::TrustedTypesSink(sink) => Resource::TrustedTypesSink(sink),
            OwnedResource::None => Resource::None,
        }
    }
}

impl From<Resource<'_>> for OwnedResource {
    fn from(r: Resource<'_>) -> OwnedResource {
        match r {
            Resource::Url(u) => OwnedResource::Url(u.clone()),
            Resource::Inline => OwnedResource::Inline,
            Resource::Eval => OwnedResource::Eval,
            Resource::WasmEval => OwnedResource::WasmEval,
            Resource::TrustedTypesPolicy => OwnedResource::TrustedTypesPolicy,
            Resource::TrustedTypesSink(sink) => OwnedResource::TrustedTypesSink(sink.to_owned()),
            Resource::None => OwnedResource::None,
        }
    }
}

/// A [`Violation`] with no borrows: `Clone`, `Send`, and with the `serde` feature
/// serializable, so that it can cross IPC (Servo's network process sends the violations of
/// `main_fetch` to the script thread as a `Vec`).
///
/// It carries what the receiving side needs to fire the event and send the report with its
/// own [`DocumentPolicy`] (the one the violation came from, or a copy of it rebuilt from the
/// same [`PolicyList`](crate::PolicyList)): resource, sample, effective and governing
/// directive, disposition and policy index. Directive names and dispositions serialize as
/// their CSP3 names.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, Disposition, DocumentPolicy, OwnedViolation, PolicyList, PolicySource, ReportContext, Request};
/// use url::Url;
///
/// let page = Url::parse("https://app.test/page")?;
/// let list = PolicyList::parse("img-src 'self'; report-to csp", Disposition::Enforce, PolicySource::Header);
/// // The network process:
/// let network_side = DocumentPolicy::new(&page, list.clone());
/// let img = Url::parse("https://cdn.test/a.png")?;
/// let verdict = network_side.check_request(&Request::new(&img, Destination::Image));
/// let sent: Vec<OwnedViolation> = verdict.violations().iter().map(OwnedViolation::from).collect();
/// // The script thread, with its own copy of the document's policy:
/// let script_side = DocumentPolicy::new(&page, list);
/// let report = script_side.owned_violation_report(&sent[0], &ReportContext::new(&page)).unwrap();
/// assert_eq!(report.blocked_uri(), "https://cdn.test/a.png");
/// assert_eq!(report.effective_directive(), "img-src");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OwnedViolation {
    resource: OwnedResource,
    sample: String,
    directive: DirectiveKind,
    governing_directive: DirectiveKind,
    disposition: Disposition,
    policy_index: u32,
}

impl OwnedViolation {
    /// The violation, borrowing from `self`: what the checks return, for
    /// [`DocumentPolicy::violation_report`] and anything else that reads violations.
    pub fn as_violation(&self) -> Violation<'_> {
        Violation {
            directive: self.directive,
            governing: self.governing_directive,
            disposition: self.disposition,
            policy: self.policy_index,
            resource: self.resource.as_resource(),
            sample: &self.sample,
        }
    }

    /// The effective directive ([`Violation::directive`]).
    pub fn directive(&self) -> DirectiveKind {
        self.directive
    }

    /// The governing directive ([`Violation::governing_directive`]).
    pub fn governing_directive(&self) -> DirectiveKind {
        self.governing_directive
    }

    /// Enforced or report-only.
    pub fn disposition(&self) -> Disposition {
        self.disposition
    }

    /// The index of the violated policy in the document's list.
    pub fn policy_index(&self) -> usize {
        self.policy_index as usize
    }

    /// What was blocked or reported.
    pub fn resource(&self) -> &OwnedResource {
        &self.resource
    }

    /// The sample text ([`Violation::sample`]).
    pub fn sample(&self) -> &str {
        &self.sample
    }

    /// The sample as reports carry it ([`Violation::full_sample`]).
    pub fn full_sample(&self) -> Cow<'_, str> {
        self.as_violation().full_sample()
    }
}

impl From<&Violation<'_>> for OwnedViolation {
    fn from(v: &Violation<'_>) -> OwnedViolation {
        OwnedViolation {
            resource: v.resource().into(),
            sample: v.sample().to_owned(),
            directive: v.directive(),
            governing_directive: v.governing_directive(),
            disposition: v.disposition(),
            policy_index: v.policy,
        }
    }
}

impl From<Violation<'_>> for OwnedViolation {
    fn from(v: Violation<'_>) -> OwnedViolation {
        OwnedViolation::from(&v)
    }
}

impl DocumentPolicy {
    /// [`violation_report`](DocumentPolicy::violation_report) for a violation that crossed a
    /// process boundary. `None` when it does not fit this document's list: a policy index the
    /// list does not have, or a disposition other than that policy's (the violation came
    /// from another document, or the message was forged).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, OwnedViolation, PolicyList, PolicySource, ReportContext};
    /// use url::Url;
    ///
    /// let page = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("script-src 'self' 'report-sample'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&page, list);
    /// let owned = OwnedViolation::from(&policy.check_eval("alert(1)", false).violations()[0]);
    /// let report = policy.owned_violation_report(&owned, &ReportContext::new(&page)).unwrap();
    /// assert_eq!(report.sample(), "alert(1)");
    /// let other = DocumentPolicy::new(&page, PolicyList::new());
    /// assert!(other.owned_violation_report(&owned, &ReportContext::new(&page)).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn owned_violation_report<'a>(
        &'a self,
        violation: &'a OwnedViolation,
        context: &ReportContext<'_>,
    ) -> Option<ViolationReport<'a>> {
        let policy = self.policies().get(violation.policy_index())?;
        if policy.disposition() != violation.disposition {
            return None;
        }
        self.violation_report(&violation.as_violation(), context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;
    use crate::{Destination, InlineCheck, InlineType, Request, SinkGroup};

    /// One violation of every resource kind, from real checks.
    fn every_kind(p: &DocumentPolicy) -> Vec<OwnedViolation> {
        let url = Url::parse("https://evil.test/x.png").unwrap();
        let mut out: Vec<OwnedViolation> = Vec::new();
        out.extend(
            p.check_request(&Request::new(&url, Destination::Image))
                .violations()
                .iter()
                .map(OwnedViolation::from),
        );
        out.extend(
            p.check_inline(&InlineCheck::new(InlineType::Script, "go()"))
                .violations()
                .iter()
                .map(OwnedViolation::from),
        );
        out.extend(
            p.check_eval("1+1", false)
                .violations()
                .iter()
                .map(OwnedViolation::from),
        );
        out.extend(p.check_wasm().violations().iter().map(OwnedViolation::from));
        out.extend(
            p.check_trusted_types_policy("evil", &[] as &[&str])
                .violations()
                .iter()
                .map(OwnedViolation::from),
        );
        out.extend(
            p.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "<b>hi</b>")
                .violations()
                .iter()
                .map(OwnedViolation::from),
        );
        out
    }

    const POLICY: &str = "img-src 'self'; script-src 'self' 'report-sample'; \
        trusted-types app; require-trusted-types-for 'script'; report-uri /csp";

    #[test]
    fn owned_violations_rebuild_the_same_violation_and_report() {
        let p = doc(&[(POLICY, Disposition::Enforce)]);
        let owned = every_kind(&p);
        assert_eq!(owned.len(), 6);
        let page = Url::parse("https://app.test/").unwrap();
        let ctx = ReportContext::new(&page);
        for o in &owned {
            let v = o.as_violation();
            assert_eq!(OwnedViolation::from(v), *o);
            let direct = p.violation_report(&v, &ctx).unwrap();
            let via = p.owned_violation_report(o, &ctx).unwrap();
            assert_eq!(direct, via);
        }
        let sink = p.owned_violation_report(&owned[5], &ctx).unwrap();
        assert_eq!(sink.blocked_uri(), "trusted-types-sink");
        assert_eq!(sink.sample(), "Element innerHTML|<b>hi</b>");
        assert!(sink.csp_report_json().contains(
            r#""blocked-uri":"trusted-types-sink","effective-directive":"require-trusted-types-for""#
        ));
        assert!(sink
            .report_body_json()
            .contains(r#""sample":"Element innerHTML|<b>hi</b>""#));
        let tt = p.owned_violation_report(&owned[4], &ctx).unwrap();
        assert_eq!(
            (tt.blocked_uri(), tt.effective_directive(), tt.sample()),
            ("trusted-types-policy", "trusted-types", "evil")
        );
        // A mismatched disposition or index is refused.
        let ro = doc(&[(POLICY, Disposition::Report)]);
        assert!(ro.owned_violation_report(&owned[0], &ctx).is_none());
        assert!(doc(&[]).owned_violation_report(&owned[0], &ctx).is_none());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn owned_violations_round_trip_through_json_and_bincode() {
        let p = doc(&[(POLICY, Disposition::Enforce)]);
        let owned = every_kind(&p);
        let json = serde_json::to_string(&owned).unwrap();
        let back: Vec<OwnedViolation> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, owned);
        let bytes = bincode::serialize(&owned).unwrap();
        let back: Vec<OwnedViolation> = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, owned);
        // Spec names on the wire.
        let first = serde_json::to_value(&owned[0]).unwrap();
        assert_eq!(first["resource"]["url"], "https://evil.test/x.png");
        assert_eq!(first["directive"], "img-src");
        assert_eq!(first["disposition"], "enforce");
        let sink = serde_json::to_value(&owned[5]).unwrap();
        assert_eq!(sink["resource"]["trusted-types-sink"], "Element innerHTML");
        assert_eq!(serde_json::to_value(&owned[2]).unwrap()["resource"], "eval");
        // Unknown names are refused.
        let bad = json.replacen("\"img-src\"", "\"image-src\"", 1);
        assert!(serde_json::from_str::<Vec<OwnedViolation>>(&bad).is_err());
    }
}
