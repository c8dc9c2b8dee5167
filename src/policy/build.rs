//! Building a [`Policy`] from the directives the parser yields (CSP3 §2.2.1 steps 3.7-4):
//! each source list is recorded as a range of the policy's text (compiled when a check first
//! reads it, `lazy_list.rs`, or at once when the caller wants every warning), and the
//! governing table is filled once the policy is complete.

use std::sync::Arc;

use smallvec::SmallVec;

use crate::limits::trim_spare;
use crate::names::destination::EFFECTIVE_COUNT;
use crate::names::directive::KNOWN_COUNT;
use crate::names::disposition::{Disposition, PolicySource};
use crate::parse::parser::{split_list, Directives};
use crate::parse::warning::ParseWarning;
use crate::policy::lazy_list::{LazyList, PolicyText};
use crate::policy::{Directive, DirectiveIndex, ListIndex, Policy};

/// The policy an enforced list gets when the parser had to cut it at a limit: it blocks every
/// fetch, inline script and style, eval, form submission, `<base>` and framing, and carries
/// every other restricting directive at its strictest (all sandbox flags, Trusted Types for
/// every sink with no policy allowed, WebRTC blocked, insecure requests upgraded), so that
/// whatever the cut tail held, the list is never more permissive than the whole input.
pub(crate) const FAIL_CLOSED_POLICY: &str = "default-src 'none'; form-action 'none'; \
     base-uri 'none'; frame-ancestors 'none'; sandbox; webrtc 'block'; \
     require-trusted-types-for 'script'; trusted-types 'none'; upgrade-insecure-requests";

/// Parses a header value (comma-separated policies) or a `<meta>` content (one policy),
/// appending the non-empty policies to `out`, and compiles every source list now, reporting
/// what each token raises.
pub(crate) fn parse_list(
    text: &str,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
    out: &mut Vec<Arc<Policy>>,
) {
    parse_list_as(text, disposition, source, warn, out, Compile::Now);
}

/// [`parse_list`] without the source lists' warnings, leaving each source list to be
/// compiled when a check first reads it (`lazy_list.rs`). The warnings of the split itself
/// still reach `warn`.
pub(crate) fn parse_list_lazily(
    text: &str,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
    out: &mut Vec<Arc<Policy>>,
) {
    parse_list_as(text, disposition, source, warn, out, Compile::OnFirstUse);
}

/// When a policy's source lists are compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compile {
    /// While parsing, with every warning their tokens raise.
    Now,
    /// When a check first reads them.
    OnFirstUse,
}

fn parse_list_as(
    text: &str,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
    out: &mut Vec<Arc<Policy>>,
    compile: Compile,
) {
    let cut = split_list(
        text,
        disposition,
        source,
        warn,
        |piece, base, warn| match parse_policy_as(piece, base, disposition, source, warn, compile) {
            Some(p) => {
                out.push(Arc::new(p));
                true
            }
            None => false,
        },
    );
    if cut && disposition == Disposition::Enforce {
        if let Some(mut p) = parse_policy_as(
            FAIL_CLOSED_POLICY,
            0,
            disposition,
            source,
            &mut |_| {},
            compile,
        ) {
            p.synthetic = true;
            out.push(Arc::new(p));
        }
    }
    // A growing vector keeps room for several policies: given back once the list is complete.
    if out.capacity() > out.len() {
        out.shrink_to_fit();
    }
}

/// <https://w3c.github.io/webappsec-csp/#parse-serialized-policy>
///
/// `base` is the offset of `text` in the input the warnings refer to. Returns `None` for a
/// policy with no directives (§2.2.2 drops it).
#[cfg(feature = "serde")]
pub(crate) fn parse_policy(
    text: &str,
    base: usize,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
) -> Option<Policy> {
    parse_policy_as(text, base, disposition, source, warn, Compile::Now)
}

fn parse_policy_as(
    text: &str,
    base: usize,
    disposition: Disposition,
    source: PolicySource,
    warn: &mut dyn FnMut(ParseWarning),
    compile: Compile,
) -> Option<Policy> {
    let mut parsed = Directives::new(text, base, disposition, source);
    let policy_text = parsed.text();
    // Room for every `;`-separated piece up front: growing these vectors cost more than the
    // whole scan of the text. Empty pieces (`;;;`) leave room unused, given back below.
    let pieces = parsed.max_count();
    let mut directives = Vec::with_capacity(pieces);
    let mut lists = Vec::with_capacity(pieces);
    let mut by_kind = [None; KNOWN_COUNT];
    let text = PolicyText::new(policy_text);
    while let Some(d) = parsed.next_directive(warn) {
        let list = match d.kind {
            Some(k) if k.has_source_list() => {
                let index = ListIndex::new(lists.len());
                lists.push(match compile {
                    Compile::Now => LazyList::compiled_now(
                        k,
                        d.value_range.clone(),
                        &text,
                        d.value_offset,
                        warn,
                    ),
                    Compile::OnFirstUse => LazyList::new(k, d.value_range.clone()),
                });
                index
            }
            _ => None,
        };
        if let Some(k) = d.kind {
            by_kind[k.index()] = DirectiveIndex::new(directives.len());
            crate::policy::trusted_types::warn_invalid_tokens(k, d.value, d.value_offset, warn);
        }
        // Steps 3.7-3.8.
        directives.push(Directive {
            name: d.name,
            value: d.value_range,
            list,
        });
    }
    // Step 4 (and §2.2.2): a policy without directives is dropped.
    if directives.is_empty() {
        return None;
    }
    trim_spare(&mut directives);
    trim_spare(&mut lists);
    let mut policy = Policy {
        disposition,
        source,
        directives,
        by_kind,
        lists,
        text,
        governing: [None; EFFECTIVE_COUNT],
        hint_lists: SmallVec::new(),
        synthetic: false,
        trusted_types: Default::default(),
        summary: Default::default(),
    };
    policy.finish();
    Some(policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_POLICIES;
    use crate::names::directive::DirectiveKind;

    fn parse(text: &str, source: PolicySource) -> (Vec<Arc<Policy>>, Vec<ParseWarning>) {
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        parse_list(
            text,
            Disposition::Enforce,
            source,
            &mut |w| warnings.push(w),
            &mut out,
        );
        (out, warnings)
    }

    #[test]
    fn the_policy_vector_holds_no_spare_room() {
        // A growing vector gives a one-policy header room for four.
        let room = |text: &str, source| {
            let (out, _) = parse(text, source);
            (out.len(), out.capacity())
        };
        assert_eq!(
            room("upgrade-insecure-requests", PolicySource::Header),
            (1, 1)
        );
        assert_eq!(
            room("img-src a, script-src b", PolicySource::Header),
            (2, 2)
        );
        assert_eq!(room("img-src a, script-src b", PolicySource::Meta), (1, 1));
        let five = "img-src a, script-src b, style-src c, font-src d, media-src e";
        assert_eq!(room(five, PolicySource::Header), (5, 5));
        // Over the limit: the kept policies and the fail-closed one.
        let many = "img-src a,".repeat(2 * MAX_POLICIES);
        let n = MAX_POLICIES + 1;
        assert_eq!(room(&many, PolicySource::Header), (n, n));
        assert_eq!(room(",,,,", PolicySource::Header), (0, 0));
    }

    fn directives(p: &Policy) -> Vec<(String, Vec<String>)> {
        p.directives()
            .map(|d| {
                (
                    d.name().as_str().to_owned(),
                    d.tokens().map(str::to_owned).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn splits_names_and_values_per_section_2_2_1() {
        let (ps, _) = parse(
            " Script-SRC 'self'  a.test ;; img-src\tb.test;x-y ,, , style-src",
            PolicySource::Header,
        );
        assert_eq!(ps.len(), 2);
        assert_eq!(
            directives(&ps[0]),
            [
                ("script-src".into(), vec!["'self'".into(), "a.test".into()]),
                ("img-src".into(), vec!["b.test".into()]),
                ("x-y".into(), vec![]),
            ]
        );
        assert_eq!(directives(&ps[1]), [("style-src".into(), vec![])]);
        // Vertical tab is not whitespace: it belongs to the name.
        let (ps, _) = parse("img-src\x0ba.test", PolicySource::Header);
        assert_eq!(directives(&ps[0]), [("img-src\x0ba.test".into(), vec![])]);
    }

    #[test]
    fn duplicates_non_ascii_and_meta() {
        let text = "img-src a; IMG-SRC b; script-src é; foo 1; FOO 2";
        let (ps, w) = parse(text, PolicySource::Header);
        assert_eq!(
            directives(&ps[0]),
            [
                ("img-src".into(), vec!["a".into()]),
                ("foo".into(), vec!["1".into()])
            ]
        );
        let kinds: Vec<_> = w.iter().map(|w| &text[w.span().range()]).collect();
        assert_eq!(kinds, ["IMG-SRC b", "script-src é", "foo", "FOO 2"]);
        assert!(matches!(w[1], ParseWarning::NonAsciiDirective { .. }));

        let (ps, w) = parse(
            "frame-ancestors 'none'; sandbox; report-uri /r; img-src a, b",
            PolicySource::Meta,
        );
        assert_eq!(ps.len(), 1, "meta content is not comma-split");
        assert_eq!(
            directives(&ps[0]),
            [("img-src".into(), vec!["a,".into(), "b".into()])]
        );
        assert_eq!(
            w.iter()
                .filter(|w| matches!(w, ParseWarning::IgnoredInMeta { .. }))
                .count(),
            3
        );
    }

    #[test]
    fn report_only_meta_is_ignored() {
        let mut out = Vec::new();
        let mut w = Vec::new();
        parse_list(
            "img-src 'none'",
            Disposition::Report,
            PolicySource::Meta,
            &mut |x| w.push(x),
            &mut out,
        );
        assert!(out.is_empty());
        assert_eq!(w, [ParseWarning::ReportOnlyInMeta]);
    }

    #[test]
    fn limits_fail_closed() {
        let many: String = (0..MAX_POLICIES + 5)
            .map(|i| format!("img-src h{i}.test"))
            .collect::<Vec<_>>()
            .join(",");
        let (ps, w) = parse(&many, PolicySource::Header);
        assert_eq!(ps.len(), MAX_POLICIES + 1);
        let fail_closed = ps.last().unwrap();
        assert!(fail_closed.is_synthetic());
        // Every restricting directive CSP3 and its companions define, at its strictest.
        for d in DirectiveKind::ALL {
            let restricts = !matches!(
                d,
                DirectiveKind::ReportUri
                    | DirectiveKind::ReportTo
                    | DirectiveKind::BlockAllMixedContent
            );
            // default-src 'none' stands in for every other fetch directive.
            let covered = fail_closed.contains(*d)
                || (d.group() == crate::names::directive::DirectiveGroup::Fetch
                    && fail_closed.contains(DirectiveKind::DefaultSrc));
            assert_eq!(covered, restricts, "{d}");
        }
        assert_eq!(
            w.iter()
                .filter(|w| matches!(w, ParseWarning::LimitExceeded { .. }))
                .count(),
            1
        );
        // Report-only lists drop the extra policies without a blocking policy.
        let mut out = Vec::new();
        parse_list(
            &many,
            Disposition::Report,
            PolicySource::Header,
            &mut |_| {},
            &mut out,
        );
        assert_eq!(out.len(), MAX_POLICIES);
        assert!(out.iter().all(|p| !p.is_synthetic()));
        // 100,000 commas are nothing at all.
        let (ps, w) = parse(&",".repeat(100_000), PolicySource::Header);
        assert!(ps.is_empty() && w.is_empty());
    }
}
