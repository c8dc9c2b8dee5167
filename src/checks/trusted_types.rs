//! The Content Security Policy parts of Trusted Types (w3c/trusted-types, "Integration with
//! Content Security Policy"): the algorithms an engine calls from `trustedTypes.createPolicy()`,
//! from every injection sink, from string compilation (`eval`) and from `javascript:`
//! navigations, over the directives `policy::trusted_types` compiled.

use url::Url;

use crate::checks::document::DocumentPolicy;
use crate::checks::inline::{self, sample_of, InlineCheck, InlineType};
use crate::checks::navigation::{form_action_allows, NavigationType};
use crate::checks::request::fields::Request;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::names::directive::DirectiveKind;
use crate::names::trusted_types::{CompilationType, SinkGroup};
use crate::policy::trusted_types::{summary, tt};
use crate::policy::Policy;

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch> step 3:
/// the `Function` sink's sample loses the synthesized `function anonymous` prefix (or its
/// async and generator forms).
fn strip_function_prefix<'a>(sink: &str, source: &'a str) -> &'a str {
    if sink != "Function" {
        return source;
    }
    // Steps 3.1-3.4, in the spec's order.
    [
        "function anonymous",
        "async function anonymous",
        "function* anonymous",
        "async function* anonymous",
    ]
    .iter()
    .find_map(|p| source.strip_prefix(p))
    .unwrap_or(source)
}

#[cold]
#[inline(never)]
fn violation<'r>(
    policy: &Policy,
    index: usize,
    directive: DirectiveKind,
    resource: Resource<'r>,
    sample: &'r str,
) -> Violation<'r> {
    Violation::new(policy, index, directive, directive, resource).with_sample(sample)
}

/// The outcome of [`DocumentPolicy::check_navigation_request_with_trusted_types`]: the
/// verdict, and the `javascript:` URL that the default policy's conversion produced, which
/// replaces the request's URL.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, Disposition, DocumentPolicy, NavigationType, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse("require-trusted-types-for 'script'", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&doc, list);
/// let js = Url::parse("javascript:void(0)")?;
/// let request = Request::new(&js, Destination::Document);
/// let checked = policy.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |_| None);
/// assert!(checked.verdict().is_blocked());
/// assert_eq!(checked.converted_url(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedNavigation<'r> {
    verdict: Verdict<'r>,
    converted: Option<Url>,
}

impl<'r> TrustedNavigation<'r> {
    /// Blocked or allowed, with the violations of every policy.
    pub fn verdict(&self) -> &Verdict<'r> {
        &self.verdict
    }

    /// The request's new URL, when a `require-trusted-types-for` pre-navigation check
    /// converted it through the default policy; `None` when the URL is unchanged. Navigate to
    /// this URL when the verdict allows it.
    pub fn converted_url(&self) -> Option<&Url> {
        self.converted.as_ref()
    }

    /// The verdict and the converted URL.
    pub fn into_parts(self) -> (Verdict<'r>, Option<Url>) {
        (self.verdict, self.converted)
    }
}

/// <https://w3c.github.io/trusted-types/dist/spec/#require-trusted-types-for-pre-navigation-check>
/// steps 1-7 on `url`: `Ok(None)` when the URL is not `javascript:` ("Allowed", unchanged),
/// `Ok(Some(new))` when the default policy converted it, `Err(())` for "Blocked".
fn require_trusted_types_pre_navigation(
    url: &Url,
    default_policy: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<Option<Url>, ()> {
    // Step 1.
    if url.scheme() != "javascript" {
        return Ok(None);
    }
    // Steps 2-3: the serialization without its leading "javascript:".
    let encoded = url.as_str().get("javascript:".len()..).unwrap_or("");
    // Step 4: "Process value with a default policy" (TrustedScript, "Location href").
    let converted = default_policy(encoded).ok_or(())?;
    // Steps 5-6.
    let new_url = Url::parse(&format!("javascript:{converted}")).map_err(|_| ())?;
    // Step 7 (the caller sets the request's URL) and step 8.
    Ok(Some(new_url))
}

impl DocumentPolicy {
    /// <https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy>: may
    /// `trustedTypes.createPolicy(policy_name)` create a policy, given the names of the
    /// policies this global already created?
    ///
    /// Each policy's `trusted-types` directive must list the name (or hold `*`); a name
    /// already created also needs `'allow-duplicates'`; `'none'` alone allows nothing. A
    /// policy without the directive allows any name. A violation names `trusted-types`, its
    /// resource is [`Resource::TrustedTypesPolicy`] and its sample the first 40 characters of
    /// the name. On a blocked verdict `createPolicy` throws a `TypeError`.
    ///
    /// Allocation-free whenever at most two policies report a violation.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource, Resource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("trusted-types app-html 'allow-duplicates'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(policy.check_trusted_types_policy("app-html", &["app-html"]).is_allowed());
    /// let verdict = policy.check_trusted_types_policy("evil", &[] as &[&str]);
    /// assert!(verdict.is_blocked());
    /// let v = &verdict.violations()[0];
    /// assert_eq!(v.directive().as_str(), "trusted-types");
    /// assert_eq!(v.resource(), Resource::TrustedTypesPolicy);
    /// assert_eq!(v.sample(), "evil");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_trusted_types_policy<'r, S: AsRef<str>>(
        &self,
        policy_name: &'r str,
        created_policy_names: &[S],
    ) -> Verdict<'r> {
        // Step 1.
        let mut verdict = Verdict::allowed();
        if self.trusted_types & summary::ANY_TRUSTED_TYPES == 0 {
            return verdict;
        }
        let created = || {
            created_policy_names
                .iter()
                .any(|n| n.as_ref() == policy_name)
        };
        // Step 2.
        for (i, policy) in self.policies().iter().enumerate() {
            let t = &policy.trusted_types;
            // Step 2.1.
            let mut create_violation = false;
            // Steps 2.2-2.3.
            if !t.has(tt::PRESENT) {
                continue;
            }
            // Step 2.4.
            if t.has(tt::NONE_ONLY) {
                create_violation = true;
            }
            // Step 2.5.
            if !t.has(tt::ALLOW_DUPLICATES) && created() {
                create_violation = true;
            }
            // Step 2.6.
            if !t.has(tt::WILDCARD) && !t.contains_name(policy.text(), policy_name) {
                create_violation = true;
            }
            // Step 2.7.
            if !create_violation {
                continue;
            }
            // Steps 2.8-2.12 (`push` sets "Blocked" for an enforced policy).
            verdict.push(violation(
                policy,
                i,
                DirectiveKind::TrustedTypes,
                Resource::TrustedTypesPolicy,
                sample_of(policy_name),
            ));
        }
        // Step 3.
        verdict
    }

    /// <https://w3c.github.io/trusted-types/dist/spec/#does-sink-type-require-trusted-types>:
    /// does an injection sink of `group` require a Trusted Type? With
    /// `include_report_only_policies`, a report-only `require-trusted-types-for` counts too.
    ///
    /// Precomputed when the `DocumentPolicy` is built: this reads a field.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource, SinkGroup};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("require-trusted-types-for 'script'", Disposition::Report, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(!policy.requires_trusted_types(SinkGroup::Script, false));
    /// assert!(policy.requires_trusted_types(SinkGroup::Script, true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn requires_trusted_types(
        &self,
        group: SinkGroup,
        include_report_only_policies: bool,
    ) -> bool {
        // Steps 1.1-1.6 ran over every policy when the document was built (`summarize`).
        let bit = match (group, include_report_only_policies) {
            (SinkGroup::Script, false) => summary::SCRIPT_ENFORCED,
            (SinkGroup::Script, true) => summary::SCRIPT_ANY,
        };
        self.trusted_types & bit != 0
    }

    /// The `trusted_types_required` argument of [`check_eval`](DocumentPolicy::check_eval):
    /// "does sink type require trusted types?" for `'script'`, enforced policies only (the
    /// condition under which `'trusted-types-eval'` counts). A field read.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("require-trusted-types-for 'script'; script-src 'trusted-types-eval'",
    ///     Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// // The default policy (in the engine) returned a TrustedScript for this string:
    /// assert!(policy.check_eval("1 + 1", policy.trusted_types_required_for_eval()).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn trusted_types_required_for_eval(&self) -> bool {
        self.requires_trusted_types(SinkGroup::Script, false)
    }

    /// <https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch>:
    /// a plain string `source` reached the injection sink `sink` (`Element innerHTML`,
    /// `HTMLScriptElement src`, `eval`, `Function`, ...) of `group`, and no default policy
    /// turned it into a Trusted Type. Is it blocked?
    ///
    /// Every policy whose `require-trusted-types-for` names the group reports a violation
    /// naming `require-trusted-types-for`, with resource
    /// [`Resource::TrustedTypesSink`]`(sink)` and sample `sink|` + the first 40 characters of
    /// `source` ([`Violation::full_sample`]; for the sink `Function`, after stripping its
    /// `function anonymous` prefix). The verdict is blocked when one of them is enforced: the
    /// engine then throws a `TypeError`.
    ///
    /// Allocation-free whenever at most two policies report a violation.
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
    /// let verdict = policy.check_sink_type_mismatch("Function", SinkGroup::Script, "function anonymous(\n) {\nreturn 1\n}");
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].full_sample(), "Function|(\n) {\nreturn 1\n}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_sink_type_mismatch<'r>(
        &self,
        sink: &'r str,
        group: SinkGroup,
        source: &'r str,
    ) -> Verdict<'r> {
        // Step 1.
        let mut verdict = Verdict::allowed();
        // No policy names the group: step 4 skips every policy.
        if !self.requires_trusted_types(group, true) {
            return verdict;
        }
        // Steps 2-3.
        let sample = strip_function_prefix(sink, source);
        // Step 4.
        for (i, policy) in self.policies().iter().enumerate() {
            // Steps 4.1-4.3.
            if !policy.trusted_types.requires(group) {
                continue;
            }
            // Steps 4.4-4.9 (`push` sets "Blocked" for an enforced policy).
            verdict.push(violation(
                policy,
                i,
                DirectiveKind::RequireTrustedTypesFor,
                Resource::TrustedTypesSink(sink),
                sample_of(sample),
            ));
        }
        // Step 5.
        verdict
    }

    /// <https://w3c.github.io/webappsec-csp/#can-compile-strings>
    /// (EnsureCSPDoesNotBlockStringCompilation) whole, for an engine whose global has no
    /// Trusted Types default policy: may `source` be compiled as script?
    ///
    /// `source_is_trusted` is the algorithm's *isTrusted*: the argument (and every parameter,
    /// for `Function`) is a `TrustedScript` whose data equals the string. When it is `false`
    /// and some policy requires trusted types for `'script'`, "get trusted type compliant
    /// string" runs [`check_sink_type_mismatch`](DocumentPolicy::check_sink_type_mismatch)
    /// with sink `eval` or `Function`; an enforced requirement blocks there (an `EvalError`),
    /// before `script-src` is consulted. Then [`check_eval`](DocumentPolicy::check_eval)
    /// runs, with `'trusted-types-eval'` counting while an enforced policy requires trusted
    /// types. Violations come in that order.
    ///
    /// An engine with a default policy runs "get trusted type compliant string" itself
    /// ([`requires_trusted_types`](DocumentPolicy::requires_trusted_types), its default
    /// policy, then `check_sink_type_mismatch` if the policy returned nothing) and calls
    /// `check_eval(source, policy.trusted_types_required_for_eval())`.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{CompilationType, Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("require-trusted-types-for 'script'; script-src 'trusted-types-eval'",
    ///     Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(policy.check_string_compilation(CompilationType::Eval, "1+1", true).is_allowed());
    /// let verdict = policy.check_string_compilation(CompilationType::Eval, "1+1", false);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "require-trusted-types-for");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_string_compilation<'r>(
        &self,
        compilation: CompilationType,
        source: &'r str,
        source_is_trusted: bool,
    ) -> Verdict<'r> {
        let mut verdict = Verdict::allowed();
        // Step 1 ("TIMER": the source string is the code string) or step 2.
        if let Some(sink) = compilation.sink() {
            // Steps 2.2-2.5: the engine computed isTrusted. Step 2.6: "get trusted type
            // compliant string" with TrustedScript, the sink, and 'script': a TrustedScript
            // passes at its step 1; a plain string passes when no policy (report-only
            // included) requires trusted types (its steps 2-3); else, with no default policy,
            // the sink type mismatch check decides (its step 6).
            if !source_is_trusted && self.requires_trusted_types(SinkGroup::Script, true) {
                verdict = self.check_sink_type_mismatch(sink, SinkGroup::Script, source);
                // Step 2.7: the TypeError becomes an EvalError.
                if verdict.is_blocked() {
                    return verdict;
                }
            }
            // Step 2.8: without a default policy the string is unchanged.
        }
        // Steps 3-7.
        let rest = self.check_eval(source, self.trusted_types_required_for_eval());
        for v in rest.violations {
            verdict.push(v);
        }
        verdict
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request> with the
    /// pre-navigation checks of both directives that have one: `form-action` and Trusted
    /// Types' `require-trusted-types-for`
    /// (<https://w3c.github.io/trusted-types/dist/spec/#require-trusted-types-for-pre-navigation-check>).
    /// [`check_navigation_request`](DocumentPolicy::check_navigation_request) is the same
    /// without Trusted Types.
    ///
    /// For a `javascript:` URL and each policy with a `require-trusted-types-for` directive
    /// (whatever its value, as the spec's check reads none), `default_policy` is called with
    /// the URL's serialization after `javascript:`: it runs the engine's "process value with
    /// a default policy" (`TrustedScript`, sink `Location href`) and returns the converted
    /// script, or `None` when there is no default policy, it threw, or it returned no
    /// `TrustedScript`. `None` (or a result that does not parse as a URL) is "Blocked" for
    /// that policy: a violation naming `require-trusted-types-for` with the request's URL as
    /// resource. Otherwise the request's URL becomes `javascript:` + the result, which later
    /// policies and the inline check of step 3 see, and which
    /// [`TrustedNavigation::converted_url`] hands back: navigate to it.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, NavigationType, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("require-trusted-types-for 'script'; script-src 'unsafe-inline'",
    ///     Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let js = Url::parse("javascript:alert(1)")?;
    /// let request = Request::new(&js, Destination::Document);
    /// // The default policy's createScript rewrites the script.
    /// let checked = policy.check_navigation_request_with_trusted_types(&request, NavigationType::Other,
    ///     |script| Some(script.replace("alert", "console.log")));
    /// assert!(checked.verdict().is_allowed());
    /// assert_eq!(checked.converted_url().unwrap().as_str(), "javascript:console.log(1)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_navigation_request_with_trusted_types<'r, F>(
        &self,
        request: &Request<'r>,
        navigation: NavigationType,
        mut default_policy: F,
    ) -> TrustedNavigation<'r>
    where
        F: FnMut(&str) -> Option<String>,
    {
        if self.trusted_types & summary::ANY_REQUIRE == 0 {
            return TrustedNavigation {
                verdict: self.check_navigation_request(request, navigation),
                converted: None,
            };
        }
        // The request's URL as the pre-navigation checks leave it.
        let mut converted: Option<Url> = None;
        // Step 1.
        let mut verdict = Verdict::allowed();
        // Step 2.
        for (i, policy) in self.policies().iter().enumerate() {
            // Step 2.1: the directives with a pre-navigation check, in the policy's order.
            let form_action = policy.directive_index(DirectiveKind::FormAction);
            let require = policy.directive_index(DirectiveKind::RequireTrustedTypesFor);
            let order = match (form_action, require) {
                (Some(f), Some(r)) if r < f => [true, false],
                _ => [false, true],
            };
            for is_require in order {
                let blocked = if is_require {
                    if require.is_none() {
                        continue;
                    }
                    let current = converted.as_ref().unwrap_or(request.url);
                    match require_trusted_types_pre_navigation(current, &mut default_policy) {
                        Ok(None) => false,
                        Ok(Some(new_url)) => {
                            converted = Some(new_url);
                            false
                        }
                        Err(()) => true,
                    }
                } else {
                    let Some(list) = policy.source_list(DirectiveKind::FormAction) else {
                        continue;
                    };
                    let current = Request {
                        url: converted.as_ref().unwrap_or(request.url),
                        ..*request
                    };
                    !form_action_allows(list, navigation, self.origin(), &current)
                };
                // Step 2.1.1.
                if !blocked {
                    continue;
                }
                // Steps 2.1.2-2.1.5: the resource is the request's URL (its original URL).
                let directive = if is_require {
                    DirectiveKind::RequireTrustedTypesFor
                } else {
                    DirectiveKind::FormAction
                };
                verdict.push(violation(
                    policy,
                    i,
                    directive,
                    Resource::Url(request.reported_url()),
                    "",
                ));
            }
        }
        // Step 3, on the current URL (the converted one, if any).
        let current = converted.as_ref().unwrap_or(request.url);
        if verdict.is_allowed() && current.scheme() == "javascript" {
            let check = InlineCheck::new(InlineType::Navigation, current.as_str());
            let mut inline_verdict = Verdict::allowed();
            inline::run(self, &check, &mut inline_verdict);
            // Navigation violations carry no sample and the resource "inline" (§4.2.4 step
            // 3.1.1.3-3.1.1.4): nothing borrows the converted URL.
            for v in inline_verdict.violations() {
                verdict.push(Violation {
                    resource: Resource::Inline,
                    sample: "",
                    ..*v
                });
            }
        }
        // Step 4.
        TrustedNavigation { verdict, converted }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;
    use crate::{Destination, Disposition};

    fn enforce(text: &str) -> DocumentPolicy {
        doc(&[(text, Disposition::Enforce)])
    }

    fn blocked_names(p: &DocumentPolicy, name: &str, created: &[&str]) -> bool {
        p.check_trusted_types_policy(name, created).is_blocked()
    }

    #[test]
    fn should_block_create_policy_step_2_6_names_and_wildcard() {
        let p = enforce("trusted-types one two a$b");
        assert!(!blocked_names(&p, "one", &[]));
        assert!(!blocked_names(&p, "two", &[]));
        assert!(blocked_names(&p, "One", &[]), "names are case-sensitive");
        assert!(
            blocked_names(&p, "a$b", &[]),
            "an invalid token allows nothing"
        );
        assert!(blocked_names(&p, "", &[]));
        let star = enforce("trusted-types *");
        assert!(!blocked_names(&star, "anything at all", &[]));
        assert!(!blocked_names(&star, "", &[]));
        assert!(blocked_names(&enforce("trusted-types one*"), "one", &[]));
        // The empty directive and 'none' allow nothing; 'none' beside a name is ignored.
        assert!(blocked_names(&enforce("trusted-types"), "a", &[]));
        assert!(blocked_names(&enforce("trusted-types 'none'"), "a", &[]));
        assert!(blocked_names(
            &enforce("trusted-types 'NONE'"),
            "'none'",
            &[]
        ));
        assert!(!blocked_names(&enforce("trusted-types 'none' a"), "a", &[]));
        assert!(!blocked_names(&enforce("trusted-types 'none' *"), "a", &[]));
        // No trusted-types directive: anything goes.
        assert!(!blocked_names(
            &enforce("require-trusted-types-for 'script'"),
            "a",
            &[]
        ));
    }

    #[test]
    fn should_block_create_policy_step_2_5_duplicates() {
        let p = enforce("trusted-types one");
        assert!(blocked_names(&p, "one", &["one"]));
        assert!(!blocked_names(&p, "one", &["two"]));
        let dup = enforce("trusted-types one 'Allow-Duplicates'");
        assert!(!blocked_names(&dup, "one", &["one"]));
        assert!(blocked_names(&dup, "two", &["one"]));
        assert!(blocked_names(&enforce("trusted-types *"), "x", &["x"]));
        // Unquoted, it is a policy name.
        assert!(blocked_names(
            &enforce("trusted-types allow-duplicates"),
            "x",
            &["x"]
        ));
        // Owned names work as well as borrowed ones.
        let owned = vec![String::from("one")];
        assert!(p.check_trusted_types_policy("one", &owned).is_blocked());
    }

    #[test]
    fn should_block_create_policy_violations_per_policy_with_samples() {
        let p = doc(&[
            ("trusted-types a", Disposition::Enforce),
            ("img-src *", Disposition::Enforce),
            ("trusted-types b", Disposition::Report),
        ]);
        let v = p.check_trusted_types_policy("c", &[] as &[&str]);
        assert!(v.is_blocked());
        let got: Vec<_> = v
            .violations()
            .iter()
            .map(|v| (v.policy_index(), v.disposition(), v.directive(), v.sample()))
            .collect();
        assert_eq!(
            got,
            [
                (0, Disposition::Enforce, DirectiveKind::TrustedTypes, "c"),
                (2, Disposition::Report, DirectiveKind::TrustedTypes, "c")
            ]
        );
        let v = p.check_trusted_types_policy("a", &[] as &[&str]);
        assert!(v.is_allowed());
        assert_eq!(v.violations().len(), 1);
        let long = "p".repeat(41);
        let v = p.check_trusted_types_policy(&long, &[] as &[&str]);
        assert_eq!(v.violations()[0].sample().len(), 40);
        let astral = format!("{}😀bc", "a".repeat(39));
        let v = p.check_trusted_types_policy(&astral, &[] as &[&str]);
        assert_eq!(v.violations()[0].sample(), "a".repeat(39));
    }

    #[test]
    fn does_sink_type_require_trusted_types_steps_1_to_2() {
        let cases = [
            (
                "require-trusted-types-for 'script'",
                Disposition::Enforce,
                true,
                true,
            ),
            (
                "require-trusted-types-for 'SCRIPT'",
                Disposition::Enforce,
                true,
                true,
            ),
            (
                "require-trusted-types-for 'script'",
                Disposition::Report,
                false,
                true,
            ),
            (
                "require-trusted-types-for 'style'",
                Disposition::Enforce,
                false,
                false,
            ),
            (
                "require-trusted-types-for",
                Disposition::Enforce,
                false,
                false,
            ),
            (
                "require-trusted-types-for 'script''script'",
                Disposition::Enforce,
                false,
                false,
            ),
            (
                "require-trusted-types-for x 'script' y",
                Disposition::Enforce,
                true,
                true,
            ),
            ("trusted-types one", Disposition::Enforce, false, false),
        ];
        for (text, d, enforced, any) in cases {
            let p = doc(&[(text, d)]);
            assert_eq!(
                p.requires_trusted_types(SinkGroup::Script, false),
                enforced,
                "{text}"
            );
            assert_eq!(
                p.requires_trusted_types(SinkGroup::Script, true),
                any,
                "{text}"
            );
            assert_eq!(p.trusted_types_required_for_eval(), enforced, "{text}");
        }
    }

    #[test]
    fn should_block_sink_type_mismatch_samples_and_function_prefix() {
        let p = enforce("require-trusted-types-for 'script'");
        let v = p.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "a|b");
        assert!(v.is_blocked());
        let x = &v.violations()[0];
        assert_eq!(x.directive(), DirectiveKind::RequireTrustedTypesFor);
        assert_eq!(
            x.resource(),
            Resource::TrustedTypesSink("Element innerHTML")
        );
        assert_eq!(x.full_sample(), "Element innerHTML|a|b");
        for (source, want) in [
            ("function anonymous(\n) {\n}", "(\n) {\n}"),
            ("async function anonymous(a\n) {\n}", "(a\n) {\n}"),
            ("function* anonymous(\n) {\n}", "(\n) {\n}"),
            ("async function* anonymous(\n) {\n}", "(\n) {\n}"),
            ("return 1", "return 1"),
            ("Function anonymous()", "Function anonymous()"),
        ] {
            let v = p.check_sink_type_mismatch("Function", SinkGroup::Script, source);
            assert_eq!(v.violations()[0].sample(), want, "{source:?}");
        }
        // Only the Function sink strips.
        let v = p.check_sink_type_mismatch("eval", SinkGroup::Script, "function anonymous()");
        assert_eq!(v.violations()[0].full_sample(), "eval|function anonymous()");
        // 40 UTF-16 code units of the value; the sink name comes on top.
        let ys = "y".repeat(41);
        let v = p.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, &ys);
        assert_eq!(v.violations()[0].sample(), "y".repeat(40));
        let cats = "🐱".repeat(45);
        let v = p.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, &cats);
        assert_eq!(v.violations()[0].sample(), "🐱".repeat(20));
        // Report-only: allowed with a report; no requirement: nothing.
        let ro = doc(&[("require-trusted-types-for 'script'", Disposition::Report)]);
        let v = ro.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "x");
        assert!(v.is_allowed());
        assert_eq!(v.violations()[0].disposition(), Disposition::Report);
        let none = enforce("trusted-types one");
        assert_eq!(
            none.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "x"),
            Verdict::allowed()
        );
    }

    #[test]
    fn string_compilation_trusted_types_gate_then_script_src() {
        let p = enforce("require-trusted-types-for 'script'; script-src 'trusted-types-eval'");
        assert!(p
            .check_string_compilation(CompilationType::Eval, "1", true)
            .is_allowed());
        let v = p.check_string_compilation(CompilationType::Eval, "1", false);
        assert!(v.is_blocked());
        assert_eq!(v.violations().len(), 1);
        assert_eq!(v.violations()[0].full_sample(), "eval|1");
        // Timers skip the Trusted Types steps.
        assert!(p
            .check_string_compilation(CompilationType::Timer, "1", false)
            .is_allowed());
        // 'trusted-types-eval' needs an enforced requirement.
        let p = doc(&[
            ("script-src 'trusted-types-eval'", Disposition::Enforce),
            ("require-trusted-types-for 'script'", Disposition::Report),
        ]);
        let v = p.check_string_compilation(CompilationType::Function, "x", false);
        let got: Vec<_> = v.violations().iter().map(|v| v.directive()).collect();
        assert_eq!(
            got,
            [
                DirectiveKind::RequireTrustedTypesFor,
                DirectiveKind::ScriptSrc
            ]
        );
        assert!(v.is_blocked());
    }

    #[test]
    fn pre_navigation_check_converts_javascript_urls() {
        let js = Url::parse("javascript:alert(1)").unwrap();
        let request = Request::new(&js, Destination::Document);
        let p = enforce("require-trusted-types-for 'script'");
        // No default policy: blocked, with the request URL as resource.
        let checked =
            p.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |_| {
                None
            });
        assert!(checked.verdict().is_blocked());
        let v = &checked.verdict().violations()[0];
        assert_eq!(v.directive(), DirectiveKind::RequireTrustedTypesFor);
        assert_eq!(v.resource(), Resource::Url(&js));
        // The conversion reaches the engine; script-src then checks the converted URL.
        let mut seen = Vec::new();
        let p = enforce("require-trusted-types-for 'script'; script-src 'sha256-x'");
        let checked =
            p.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |s| {
                seen.push(s.to_owned());
                Some("void 0".into())
            });
        assert_eq!(seen, ["alert(1)"]);
        assert_eq!(
            checked.converted_url().unwrap().as_str(),
            "javascript:void 0"
        );
        assert!(checked.verdict().is_blocked());
        assert_eq!(
            checked.verdict().violations()[0].directive(),
            DirectiveKind::ScriptSrcElem
        );
        // Report-only: reported, not blocked; other URLs are never converted.
        let ro = doc(&[("require-trusted-types-for 'script'", Disposition::Report)]);
        let checked =
            ro.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |_| {
                None
            });
        assert!(checked.verdict().is_allowed());
        assert_eq!(checked.verdict().violations().len(), 1);
        let https = Url::parse("https://a.test/").unwrap();
        let checked = p.check_navigation_request_with_trusted_types(
            &Request::new(&https, Destination::Document),
            NavigationType::Other,
            |_| panic!("only javascript: URLs are converted"),
        );
        assert_eq!(checked.into_parts(), (Verdict::allowed(), None));
    }

    /// The directives a form submission of `request` violates, in the verdict's order.
    fn form_submission_violations(p: &DocumentPolicy, request: &Request<'_>) -> Vec<DirectiveKind> {
        let checked = p.check_navigation_request_with_trusted_types(
            request,
            NavigationType::FormSubmission,
            |_| None,
        );
        checked
            .verdict()
            .violations()
            .iter()
            .map(|v| v.directive())
            .collect()
    }

    #[test]
    fn pre_navigation_checks_run_in_directive_order() {
        let js = Url::parse("javascript:go()").unwrap();
        let request = Request::new(&js, Destination::Document);
        let p = enforce("form-action 'none'; require-trusted-types-for 'script'");
        assert_eq!(
            form_submission_violations(&p, &request),
            [
                DirectiveKind::FormAction,
                DirectiveKind::RequireTrustedTypesFor
            ]
        );
        let p = enforce("require-trusted-types-for 'script'; form-action 'none'");
        assert_eq!(
            form_submission_violations(&p, &request),
            [
                DirectiveKind::RequireTrustedTypesFor,
                DirectiveKind::FormAction
            ]
        );
        // Without Trusted Types directives it is check_navigation_request.
        let p = enforce("script-src 'none'");
        let plain = p.check_navigation_request(&request, NavigationType::Other);
        let tt =
            p.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |_| {
                None
            });
        assert_eq!(tt.verdict(), &plain);
    }
}
