//! The 0.9 API lets callers mutate a list between checks and hand any self-origin on each
//! call: answers must always come from the list as it is now, from many threads, and hostile
//! input must never panic (40-byte samples that cut multi-byte characters included).

#![allow(clippy::unwrap_used)] // A test: broken fixtures should panic.

mod support;

use content_security_policy::sandboxing_directive::SandboxingFlagSet;
use content_security_policy::*;

use support::request;

fn blocked(list: &CspList, r: &Request) -> bool {
    list.should_request_be_blocked(r).0 == CheckResult::Blocked
}

#[test]
fn a_mutated_list_is_never_answered_from_its_old_form() {
    let mut list = CspList::parse(
        "img-src https://a.test",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let img = request(
        "https://b.test/x.png",
        "https://app.test",
        Destination::Image,
    );
    assert!(blocked(&list, &img));

    // A token added in place.
    list.0[0].directive_set[0]
        .value
        .push("https://b.test".to_owned());
    assert!(!blocked(&list, &img));
    // The same token changed by one byte.
    list.0[0].directive_set[0].value[1] = "https://c.test".to_owned();
    assert!(blocked(&list, &img));
    // The directive renamed.
    list.0[0].directive_set[0].name = "font-src".to_owned();
    assert!(!blocked(&list, &img));
    list.0[0].directive_set[0].name = "img-src".to_owned();
    assert!(blocked(&list, &img));
    // The disposition: a report-only policy reports, never blocks.
    list.0[0].disposition = PolicyDisposition::Report;
    assert!(!blocked(&list, &img));
    assert_eq!(list.report_violations_for_request(&img).len(), 1);
    list.0[0].disposition = PolicyDisposition::Enforce;
    assert!(blocked(&list, &img));
    assert!(list.report_violations_for_request(&img).is_empty());
    // The source: a <meta> policy ignores sandbox.
    list.0[0].directive_set.push(Directive {
        name: "sandbox".into(),
        value: vec![],
    });
    assert!(list.get_sandboxing_flag_set_for_document().is_some());
    list.0[0].source = PolicySource::Meta;
    assert!(list.get_sandboxing_flag_set_for_document().is_none());
    // A directive removed, a policy added, the list emptied.
    list.0[0].directive_set.remove(0);
    assert!(!blocked(&list, &img));
    list.push(Policy::parse(
        "default-src 'none'",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    ));
    assert!(blocked(&list, &img));
    list.0.clear();
    assert!(!blocked(&list, &img));
}

#[test]
fn mutated_trusted_types_directives_are_answered_as_they_are_now() {
    let mut list = CspList::parse(
        "trusted-types one",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let creation =
        |list: &CspList, name: &str| list.is_trusted_type_policy_creation_allowed(name, &[]).0;
    assert_eq!(creation(&list, "one"), CheckResult::Allowed);
    assert_eq!(creation(&list, "two"), CheckResult::Blocked);
    list.0[0].directive_set[0].value[0] = "two".to_owned();
    assert_eq!(creation(&list, "one"), CheckResult::Blocked);
    assert_eq!(creation(&list, "two"), CheckResult::Allowed);
    // A requirement added, made report-only, then renamed away.
    assert!(!list.does_sink_type_require_trusted_types("'script'", true));
    list.0[0].directive_set.push(Directive {
        name: "require-trusted-types-for".into(),
        value: vec!["'script'".into()],
    });
    assert!(list.does_sink_type_require_trusted_types("'script'", false));
    let sink = |list: &CspList| {
        list.should_sink_type_mismatch_violation_be_blocked_by_csp(
            "Element innerHTML",
            "'script'",
            "x",
        )
    };
    assert_eq!(sink(&list).0, CheckResult::Blocked);
    list.0[0].disposition = PolicyDisposition::Report;
    assert!(!list.does_sink_type_require_trusted_types("'script'", false));
    assert!(list.does_sink_type_require_trusted_types("'script'", true));
    let (result, violations) = sink(&list);
    assert_eq!((result, violations.len()), (CheckResult::Allowed, 1));
    list.0[0].directive_set[1].name = "require-trusted-types-for-x".into();
    assert!(!list.does_sink_type_require_trusted_types("'script'", true));
    assert!(sink(&list).1.is_empty());
}

#[test]
fn the_self_origin_is_part_of_the_answer() {
    let list = CspList::parse(
        "script-src 'self'",
        PolicySource::Header,
        PolicyDisposition::Enforce,
    );
    let same = request("https://a.test/s.js", "https://a.test", Destination::Script);
    let other = request("https://a.test/s.js", "https://b.test", Destination::Script);
    for _ in 0..3 {
        assert!(!blocked(&list, &same));
        assert!(blocked(&list, &other));
    }
    // An opaque self-origin: 'self' matches nothing.
    let mut opaque = same.clone();
    opaque.origin = Origin::new_opaque();
    assert!(blocked(&list, &opaque));
    // A self-origin no URL can have: no URL is same-origin with it, not even a near miss.
    let mut odd = same;
    odd.origin = Origin::Tuple("https".into(), url::Host::Domain("a.test/x".into()), 443);
    assert!(blocked(&list, &odd));
}

#[test]
fn many_distinct_lists_and_threads_agree_with_a_fresh_list() {
    // More distinct lists than the cache holds, checked from four threads: every answer is
    // the one a never-cached list of the same content gives.
    let lists: Vec<CspList> = (0..300)
        .map(|i| {
            CspList::parse(
                &format!("img-src https://h{i}.test; connect-src 'self'"),
                PolicySource::Header,
                PolicyDisposition::Enforce,
            )
        })
        .collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let lists = &lists;
            s.spawn(move || {
                for round in 0..3 {
                    for (i, list) in lists.iter().enumerate() {
                        let j = (i + t + round) % lists.len();
                        let r = request(
                            &format!("https://h{j}.test/a.png"),
                            "https://app.test",
                            Destination::Image,
                        );
                        assert_eq!(blocked(list, &r), i != j, "list {i}, host {j}");
                    }
                }
            });
        }
    });
}

/// 39 ASCII bytes, then a character of `width` bytes: a 40-byte cut lands inside it.
fn straddling(width: usize) -> String {
    let c = match width {
        2 => "é",
        3 => "€",
        _ => "😀",
    };
    format!("{}{c}{c}", "a".repeat(39))
}

#[test]
fn samples_cut_on_character_boundaries() {
    for width in [2, 3, 4] {
        let source = straddling(width);
        let list = CspList::parse(
            "script-src 'none' 'report-sample'; trusted-types a; require-trusted-types-for 'script'",
            PolicySource::Header,
            PolicyDisposition::Enforce,
        );
        let expected_sample = if width == 4 {
            // A surrogate pair would straddle the 40th UTF-16 code unit: left out.
            "a".repeat(39)
        } else {
            format!("{}{}", "a".repeat(39), &source[39..39 + width])
        };
        // Inline.
        let (_, v) = list.should_elements_inline_type_behavior_be_blocked(
            &Element { nonce: None },
            InlineCheckType::Script,
            &source,
        );
        assert_eq!(
            v[0].resource,
            ViolationResource::Inline {
                sample: Some(expected_sample.clone())
            }
        );
        // Eval.
        let (_, v) = list.is_js_evaluation_allowed(&source);
        assert_eq!(
            v[0].resource,
            ViolationResource::Eval {
                sample: Some(expected_sample.clone())
            }
        );
        // A Trusted Types policy name.
        let (_, v) = list.is_trusted_type_policy_creation_allowed(&source, &[]);
        assert_eq!(
            v[0].resource,
            ViolationResource::TrustedTypePolicy {
                sample: expected_sample.clone()
            }
        );
        // A sink value.
        let (_, v) = list.should_sink_type_mismatch_violation_be_blocked_by_csp(
            "Element innerHTML",
            "'script'",
            &source,
        );
        assert_eq!(
            v[0].resource,
            ViolationResource::TrustedTypeSink {
                sample: format!("Element innerHTML|{expected_sample}")
            }
        );
    }
}

#[test]
fn hostile_fields_never_panic() {
    // Fields no parse produces: empty and non-ASCII names and tokens, separators inside
    // tokens, duplicates, huge values.
    let weird = [
        "",
        " ",
        ";",
        ",",
        "é",
        "'self'; img-src *",
        "*",
        "'nonce-'",
        "'sha256-'",
        "https://",
        "\u{0}",
        "'report-sample'",
        "x".repeat(100_000).leak(),
    ];
    let mut policy = Policy {
        directive_set: Vec::new(),
        disposition: PolicyDisposition::Enforce,
        source: PolicySource::Meta,
    };
    for name in [
        "",
        "IMG-SRC",
        "img-src",
        "img-src",
        "script-src",
        "sandbox",
        "é",
        "a b",
        "trusted-types",
        "require-trusted-types-for",
    ] {
        policy.directive_set.push(Directive {
            name: name.to_owned(),
            value: weird.iter().map(|s| s.to_string()).collect(),
        });
    }
    let list = CspList(vec![
        policy.clone(),
        Policy {
            source: PolicySource::Header,
            ..policy
        },
    ]);
    let r = request("https://a.test/x", "https://a.test", Destination::Image);
    let _ = list.should_request_be_blocked(&r);
    let _ = list.report_violations_for_request(&r);
    let _ = list.should_response_to_request_be_blocked(
        &r,
        &Response {
            url: r.url.clone(),
            redirect_count: 9,
        },
    );
    let _ = list.should_elements_inline_type_behavior_be_blocked(
        &Element {
            nonce: Some("é".into()),
        },
        InlineCheckType::Style,
        "é",
    );
    let _ = list.is_js_evaluation_allowed("é");
    let _ = list.is_wasm_evaluation_allowed();
    let _ = list.is_base_allowed_for_document(&r.url, &Origin::new_opaque());
    let _ = list.is_trusted_type_policy_creation_allowed("é", &["é"]);
    let _ = list.should_sink_type_mismatch_violation_be_blocked_by_csp(
        "Function",
        "é",
        "function anonymousé",
    );
    let flags = list.get_sandboxing_flag_set_for_document().unwrap();
    assert!(flags.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
    let _ = list.should_navigation_response_to_navigation_request_be_blocked(
        &Response {
            url: r.url.clone(),
            redirect_count: 0,
        },
        &Origin::new_opaque(),
        &vec![Url::parse("data:,x").unwrap(), r.url.clone()],
    );
    let mut nav = request("javascript:é", "https://a.test", Destination::Document);
    let _ = list.should_navigation_request_be_blocked(
        &mut nav,
        NavigationCheckType::FormSubmission,
        |s| Some(format!("{s}\u{0}#%")),
    );
    for d in &list.0[0].directive_set {
        let _ = d.pre_request_check(&r, &list.0[0]);
        let _ = d.inline_check(
            &Element { nonce: None },
            InlineCheckType::Navigation,
            &list.0[0],
            "é",
        );
        let _ = d.get_sandboxing_flag_set_for_document(&list.0[1]);
        let _ = d.is_valid();
    }
    assert!(!list.is_valid());
    let _ = list.to_string();
    // Parsing cut input never panics either.
    let text = format!("img-src {}", straddling(4));
    for n in (0..=text.len()).filter(|&n| text.is_char_boundary(n)) {
        let list = CspList::parse(&text[..n], PolicySource::Header, PolicyDisposition::Report);
        let _ = list.report_violations_for_request(&r);
    }
}
