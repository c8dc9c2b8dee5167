//! The Content Security Policy algorithms of Trusted Types
//! (<https://w3c.github.io/trusted-types/dist/spec/#integration-with-content-security-policy>).
//!
//! TO BE REPLACED by cspgate's Trusted Types checks when they reach this branch (they are on
//! the `tt` branch, not merged yet): [`policy_creation`] by
//! `DocumentPolicy::check_trusted_types_policy`, [`sink_type_requires`] by
//! `DocumentPolicy::requires_trusted_types(SinkGroup::Script, ..)`, [`sink_type_mismatch`] by
//! `DocumentPolicy::check_sink_type_mismatch`, [`pre_navigation`] by
//! `DocumentPolicy::check_navigation_request_with_trusted_types`. Until then this module runs
//! the spec's steps on the 0.9 strings directly: narrow, and exact.

use crate::text::first_40_characters;
use crate::{
    CheckResult, CspList, Directive, Policy, PolicyDisposition, Request, Url, Violation,
    ViolationResource,
};

/// The policy's first directive of that name.
fn directive<'p>(policy: &'p Policy, name: &str) -> Option<&'p Directive> {
    policy.directive_set.iter().find(|d| d.name == name)
}

/// A `tt-keyword` or `trusted-types-sink-group` is a quoted ABNF literal: it matches ASCII
/// case-insensitively.
fn is_keyword(token: &str, keyword: &str) -> bool {
    token.eq_ignore_ascii_case(keyword)
}

/// `tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%")`
fn is_tt_policy_name(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-#=_/@.%".contains(&b))
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy>
pub(crate) fn policy_creation(
    list: &CspList,
    policy_name: &str,
    created_policy_names: &[&str],
) -> (CheckResult, Vec<Violation>) {
    // Step 1.
    let mut result = CheckResult::Allowed;
    let mut violations = Vec::new();
    // Step 2.
    for policy in &list.0 {
        // Step 2.1.
        let mut create_violation = false;
        // Steps 2.2-2.3.
        let Some(directive) = directive(policy, "trusted-types") else {
            continue;
        };
        let value = &directive.value;
        // Step 2.4: the value's only tt-expression is 'none'.
        if value.len() == 1 && is_keyword(&value[0], "'none'") {
            create_violation = true;
        }
        // Step 2.5.
        if created_policy_names.contains(&policy_name)
            && !value.iter().any(|t| is_keyword(t, "'allow-duplicates'"))
        {
            create_violation = true;
        }
        // Step 2.6: a tt-policy-name equal to the name, or a tt-wildcard.
        let named = value
            .iter()
            .any(|t| is_tt_policy_name(t) && t == policy_name);
        if !named && !value.iter().any(|t| t == "*") {
            create_violation = true;
        }
        // Step 2.7.
        if !create_violation {
            continue;
        }
        // Steps 2.8-2.11.
        violations.push(Violation {
            resource: ViolationResource::TrustedTypePolicy {
                sample: first_40_characters(policy_name).to_owned(),
            },
            directive: directive.clone(),
            policy: policy.clone(),
        });
        // Step 2.12.
        if policy.disposition == PolicyDisposition::Enforce {
            result = CheckResult::Blocked;
        }
    }
    // Step 3.
    (result, violations)
}

/// <https://w3c.github.io/trusted-types/dist/spec/#abstract-opdef-does-sink-type-require-trusted-types>
pub(crate) fn sink_type_requires(
    list: &CspList,
    sink_group: &str,
    include_report_only_policies: bool,
) -> bool {
    // Step 1.
    for policy in &list.0 {
        // Steps 1.1-1.2.
        let Some(directive) = directive(policy, "require-trusted-types-for") else {
            continue;
        };
        // Step 1.3.
        if !directive.value.iter().any(|t| is_keyword(t, sink_group)) {
            continue;
        }
        // Steps 1.4-1.6.
        if policy.disposition == PolicyDisposition::Enforce || include_report_only_policies {
            return true;
        }
    }
    // Step 2.
    false
}

/// <https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch>
pub(crate) fn sink_type_mismatch(
    list: &CspList,
    sink: &str,
    sink_group: &str,
    source: &str,
) -> (CheckResult, Vec<Violation>) {
    // Step 1.
    let mut result = CheckResult::Allowed;
    let mut violations = Vec::new();
    // Step 2.
    let mut sample = source;
    // Step 3: strip the prefix the Function constructor adds.
    if sink == "Function" {
        for prefix in [
            "function anonymous",
            "async function anonymous",
            "function* anonymous",
            "async function* anonymous",
        ] {
            if let Some(rest) = sample.strip_prefix(prefix) {
                sample = rest;
                break;
            }
        }
    }
    // Step 4.6 (the same for every policy): the first 40 characters.
    let trimmed_sample = first_40_characters(sample);
    // Step 4.
    for policy in &list.0 {
        // Steps 4.1-4.2.
        let Some(directive) = directive(policy, "require-trusted-types-for") else {
            continue;
        };
        // Step 4.3.
        if !directive.value.iter().any(|t| is_keyword(t, sink_group)) {
            continue;
        }
        // Steps 4.4-4.8.
        violations.push(Violation {
            resource: ViolationResource::TrustedTypeSink {
                sample: format!("{sink}|{trimmed_sample}"),
            },
            directive: directive.clone(),
            policy: policy.clone(),
        });
        // Step 4.9.
        if policy.disposition == PolicyDisposition::Enforce {
            result = CheckResult::Blocked;
        }
    }
    // Step 5.
    (result, violations)
}

/// <https://w3c.github.io/trusted-types/dist/spec/#require-trusted-types-for-pre-navigation-check>:
/// the pre-navigation check of a `require-trusted-types-for` directive (its steps do not
/// read the directive's value).
pub(crate) fn pre_navigation<F>(request: &mut Request, url_processor: &mut F) -> CheckResult
where
    F: FnMut(&str) -> Option<String>,
{
    // Step 1.
    if request.url.scheme() != "javascript" {
        return CheckResult::Allowed;
    }
    // Steps 2-3: the serialization without the leading "javascript:".
    let encoded_script_source = request
        .url
        .as_str()
        .get("javascript:".len()..)
        .unwrap_or("");
    // Step 4.
    let Some(converted) = url_processor(encoded_script_source) else {
        return CheckResult::Blocked;
    };
    // Steps 5-6.
    let Ok(new_url) = Url::parse(&format!("javascript:{converted}")) else {
        return CheckResult::Blocked;
    };
    // Step 7: the request's URL; its current URL too when there was no redirect (Fetch's
    // URL list then holds one URL, which is both).
    if request.current_url == request.url {
        request.current_url = new_url.clone();
    }
    request.url = new_url;
    // Step 8.
    CheckResult::Allowed
}
