//! CSP3 §4.4 and §4.5: may a string be compiled as script (`eval`, `Function`, string timers),
//! and may WebAssembly bytes be compiled?

use crate::checks::document::DocumentPolicy;
use crate::checks::inline::sample_of;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::names::directive::DirectiveKind;
use crate::names::keywords::Keywords;
use crate::policy::source_list::ListRef;
use crate::policy::Policy;

/// §4.4.1 steps 3.1-3.2 and §4.5.1 steps 3.1-3.2: the policy's `script-src` list, else its
/// `default-src` list (never `script-src-elem` or `script-src-attr`), with the directive
/// that supplied it.
#[inline]
fn eval_list(policy: &Policy) -> Option<(DirectiveKind, ListRef<'_>)> {
    [DirectiveKind::ScriptSrc, DirectiveKind::DefaultSrc]
        .into_iter()
        .find_map(|d| policy.source_list(d).map(|l| (d, l)))
}

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#can-compile-strings>
    /// (EnsureCSPDoesNotBlockStringCompilation), from step "Let result be Allowed" on: may
    /// `source` be compiled as script by `eval`, `new Function` or a string timer?
    ///
    /// Each policy's `script-src` (else `default-src`) must hold `'unsafe-eval'`; a policy with
    /// neither allows it. The violation names `script-src`, its resource is `eval`, and it
    /// carries a [sample](crate::Violation::sample) of `source` when the list has
    /// `'report-sample'`. On a blocked verdict the engine throws an `EvalError`.
    ///
    /// The Trusted Types steps that precede these (default policy, `TrustedScript` checks)
    /// belong to the engine's Trusted Types implementation; pass their outcome as
    /// `trusted_types_required`, the result of "does sink type require trusted types?" for
    /// `'script'`: when it is `true`, `'trusted-types-eval'` allows compilation like
    /// `'unsafe-eval'` does. Engines without Trusted Types pass `false`.
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
    /// let list = PolicyList::parse("default-src 'self' 'report-sample'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// let verdict = policy.check_eval("alert(document.cookie)", false);
    /// assert!(verdict.is_blocked());
    /// let v = &verdict.violations()[0];
    /// assert_eq!(v.directive().as_str(), "script-src");
    /// assert_eq!(v.resource(), Resource::Eval);
    /// assert_eq!(v.sample(), "alert(document.cookie)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_eval<'r>(&self, source: &'r str, trusted_types_required: bool) -> Verdict<'r> {
        let mut verdict = Verdict::allowed();
        // Step 3.
        for (i, policy) in self.policies().iter().enumerate() {
            // Steps 3.1-3.2.
            let Some((directive, list)) = eval_list(policy) else {
                continue;
            };
            // Step 3.3.
            let keywords = list.keywords();
            // Steps 3.3.1-3.3.2.
            if trusted_types_required && keywords.contains(Keywords::TRUSTED_TYPES_EVAL) {
                continue;
            }
            // Step 3.3.3.
            if keywords.contains(Keywords::UNSAFE_EVAL) {
                continue;
            }
            // Steps 3.3.4-3.3.8.
            let sample = if keywords.contains(Keywords::REPORT_SAMPLE) {
                sample_of(source)
            } else {
                ""
            };
            // "Create a violation object for global, policy, and "script-src"".
            verdict.push(
                Violation::new(
                    policy,
                    i,
                    DirectiveKind::ScriptSrc,
                    directive,
                    Resource::Eval,
                )
                .with_sample(sample),
            );
        }
        // Step 4: a blocked result throws an EvalError.
        verdict
    }

    /// <https://w3c.github.io/webappsec-csp/#can-compile-wasm-bytes>
    /// (EnsureCSPDoesNotBlockWasmByteCompilation): may WebAssembly bytes be compiled?
    ///
    /// Each policy's `script-src` (else `default-src`) must hold `'unsafe-eval'` or
    /// `'wasm-unsafe-eval'`; a policy with neither directive allows it. The violation names
    /// `script-src` with resource `wasm-eval` and no sample. On a blocked verdict the engine
    /// throws a `WebAssembly.CompileError`.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("script-src 'self' 'wasm-unsafe-eval'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    /// assert!(policy.check_wasm().is_allowed());
    /// assert!(policy.check_eval("1 + 1", false).is_blocked());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_wasm(&self) -> Verdict<'static> {
        // Step 2.
        let mut verdict = Verdict::allowed();
        // Step 3.
        for (i, policy) in self.policies().iter().enumerate() {
            // Steps 3.1-3.2.
            let Some((directive, list)) = eval_list(policy) else {
                continue;
            };
            // Step 3.3.
            if list
                .keywords()
                .intersects(Keywords::UNSAFE_EVAL | Keywords::WASM_UNSAFE_EVAL)
            {
                continue;
            }
            // Steps 3.3.1-3.3.4.
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::ScriptSrc,
                directive,
                Resource::WasmEval,
            ));
        }
        // Step 4.
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::doc;
    use crate::Disposition;

    fn enforce(text: &str) -> DocumentPolicy {
        doc(&[(text, Disposition::Enforce)])
    }

    #[test]
    fn can_compile_strings_step_3_2_script_src_else_default_src() {
        assert!(enforce("script-src 'unsafe-eval'")
            .check_eval("x", false)
            .is_allowed());
        assert!(enforce("default-src 'unsafe-eval'")
            .check_eval("x", false)
            .is_allowed());
        // script-src replaces default-src entirely.
        let p = enforce("default-src 'unsafe-eval'; script-src 'self'");
        let v = p.check_eval("x", false);
        assert!(v.is_blocked());
        assert_eq!(
            v.violations()[0].governing_directive(),
            DirectiveKind::ScriptSrc
        );
        let p = enforce("default-src 'self'");
        assert_eq!(
            p.check_eval("x", false).violations()[0].governing_directive(),
            DirectiveKind::DefaultSrc
        );
        // Never script-src-elem or script-src-attr.
        assert!(enforce("script-src-elem 'none'; script-src-attr 'none'")
            .check_eval("x", false)
            .is_allowed());
        assert!(enforce("script-src-elem 'unsafe-eval'; default-src 'self'")
            .check_eval("x", false)
            .is_blocked());
        // No list at all: allowed.
        assert!(enforce("img-src 'none'")
            .check_eval("x", false)
            .is_allowed());
    }

    #[test]
    fn can_compile_strings_step_3_3_2_trusted_types_eval_only_when_required() {
        let p = enforce("script-src 'trusted-types-eval'");
        assert!(p.check_eval("x", true).is_allowed());
        assert!(p.check_eval("x", false).is_blocked());
        // 'unsafe-eval' allows either way.
        assert!(enforce("script-src 'UNSAFE-EVAL'")
            .check_eval("x", true)
            .is_allowed());
    }

    #[test]
    fn can_compile_strings_step_3_3_every_policy_reports_and_samples() {
        let p = doc(&[
            ("script-src 'unsafe-eval'", Disposition::Enforce),
            ("script-src 'self' 'report-sample'", Disposition::Report),
            ("default-src 'none'", Disposition::Enforce),
        ]);
        let long = "y".repeat(60);
        let v = p.check_eval(&long, false);
        assert!(v.is_blocked());
        let got: Vec<_> = v
            .violations()
            .iter()
            .map(|v| (v.policy_index(), v.disposition(), v.sample().len()))
            .collect();
        assert_eq!(
            got,
            [(1, Disposition::Report, 40), (2, Disposition::Enforce, 0)]
        );
        assert!(v
            .violations()
            .iter()
            .all(|v| v.resource() == Resource::Eval && v.directive() == DirectiveKind::ScriptSrc));
        // Only report-only policies object: allowed, reported.
        let p = doc(&[("script-src 'self'", Disposition::Report)]);
        let v = p.check_eval("x", false);
        assert!(v.is_allowed());
        assert_eq!(v.violations().len(), 1);
    }

    #[test]
    fn can_compile_wasm_bytes_step_3_3_unsafe_eval_or_wasm_unsafe_eval() {
        assert!(enforce("script-src 'wasm-unsafe-eval'")
            .check_wasm()
            .is_allowed());
        assert!(enforce("script-src 'unsafe-eval'")
            .check_wasm()
            .is_allowed());
        assert!(enforce("default-src 'Wasm-Unsafe-Eval'")
            .check_wasm()
            .is_allowed());
        assert!(enforce("img-src 'none'").check_wasm().is_allowed());
        let v = enforce("script-src 'self' 'report-sample'").check_wasm();
        assert!(v.is_blocked());
        let v = &v.violations()[0];
        assert_eq!(v.resource(), Resource::WasmEval);
        assert_eq!(v.directive(), DirectiveKind::ScriptSrc);
        assert_eq!(v.sample(), "", "Wasm violations carry no sample");
        // 'wasm-unsafe-eval' does not allow eval.
        assert!(enforce("script-src 'wasm-unsafe-eval'")
            .check_eval("x", false)
            .is_blocked());
    }
}
