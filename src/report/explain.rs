//! Why a request is allowed or blocked: per policy, the governing directive and the source
//! expression that allowed the request. A slow path for tools (the CLI, devtools), never used
//! by the checks themselves.

use crate::checks::document::DocumentPolicy;
use crate::checks::request::fields::Request;
use crate::checks::request::{self as fetch, pre_request_allows};
use crate::matching::origin::UrlView;
use crate::names::destination::Initiator;
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;
use crate::names::keywords::Keywords;
use crate::parse::source::SourceExpression;
use crate::policy::source_list::{ListRef, OwnedList};
use crate::policy::{Logic, Policy};

/// How one policy judged a request.
///
/// # Example
///
/// ```
/// use cspgate::{Destination, DirectiveKind, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
/// use url::Url;
///
/// let doc = Url::parse("https://app.test/")?;
/// let list = PolicyList::parse("default-src 'self' https://cdn.test", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&doc, list);
/// let url = Url::parse("https://cdn.test/app.js")?;
/// let why = policy.explain_request(&Request::new(&url, Destination::Script));
/// assert!(why[0].is_allowed());
/// assert_eq!(why[0].governing_directive(), Some(DirectiveKind::DefaultSrc));
/// assert_eq!(why[0].matched_source(), Some("https://cdn.test"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyJudgement<'p> {
    policy_index: usize,
    disposition: Disposition,
    governing: Option<DirectiveKind>,
    allowed: bool,
    matched: Option<&'p str>,
}

impl<'p> PolicyJudgement<'p> {
    /// The policy's index in the list.
    pub fn policy_index(&self) -> usize {
        self.policy_index
    }

    /// The policy's disposition.
    pub fn disposition(&self) -> Disposition {
        self.disposition
    }

    /// The directive that decided (`None` when no directive of the policy applies, and the
    /// request is allowed by it).
    pub fn governing_directive(&self) -> Option<DirectiveKind> {
        self.governing
    }

    /// Does this policy allow the request?
    pub fn is_allowed(&self) -> bool {
        self.allowed
    }

    /// The source expression (as written in the policy) that allowed the request, when one
    /// did. `None` when the request was blocked ("no source matched") or when no directive
    /// applies, and for script checks of destinations that are not script-like.
    pub fn matched_source(&self) -> Option<&'p str> {
        self.matched
    }
}

impl DocumentPolicy {
    /// Explains a request: for each policy, the directive that decided and the source
    /// expression that allowed it. Agrees with [`check_request`](DocumentPolicy::check_request)
    /// on every verdict; it is slower (it re-reads the governing directive's tokens) and meant
    /// for tools, not for the network hot path.
    pub fn explain_request(&self, request: &Request<'_>) -> Vec<PolicyJudgement<'_>> {
        let verdict = self.check_request(request);
        let u = UrlView::new(request.url);
        self.policies()
            .iter()
            .enumerate()
            .map(|(i, policy)| {
                let violated = verdict.violations().iter().any(|v| v.policy_index() == i);
                let mut j = PolicyJudgement {
                    policy_index: i,
                    disposition: policy.disposition(),
                    governing: None,
                    allowed: !violated,
                    matched: None,
                };
                if request.initiator == Initiator::Prefetch {
                    if policy.contains(DirectiveKind::DefaultSrc) {
                        j.governing = Some(DirectiveKind::DefaultSrc);
                        if !violated {
                            j.matched = hint_match(self, policy, &u, request);
                        }
                    }
                    return j;
                }
                let Some(g) = fetch::slot(request).and_then(|s| policy.governor(s)) else {
                    return j;
                };
                j.governing = Some(g.directive);
                if !violated {
                    j.matched = policy.directive(g.directive).and_then(|d| {
                        find_token(self, d.tokens(), policy.list(g.list), g.logic, &u, request)
                    });
                }
                j
            })
            .collect()
    }
}

fn hint_match<'p>(
    doc: &DocumentPolicy,
    policy: &'p Policy,
    u: &UrlView<'_>,
    request: &Request<'_>,
) -> Option<&'p str> {
    policy
        .directives()
        .filter(|d| d.name().kind().is_some_and(DirectiveKind::has_source_list))
        .flat_map(|d| d.tokens())
        .find(|t| {
            single(t)
                .as_ref()
                .matches_url(u, doc.origin(), request.redirect_count)
        })
}

/// The first token that, on its own, allows the request under the governing logic.
fn find_token<'p>(
    doc: &DocumentPolicy,
    tokens: impl Iterator<Item = &'p str> + Clone,
    whole: ListRef<'_>,
    logic: Logic,
    u: &UrlView<'_>,
    request: &Request<'_>,
) -> Option<&'p str> {
    let origin = doc.origin();
    if logic == Logic::Script {
        if !request.destination.is_script_like() {
            return None;
        }
        // §6.7.1.1 steps 1.1-1.3 come before URLs: a nonce, the hashes, 'strict-dynamic'.
        if let Some(t) = tokens
            .clone()
            .find(|t| matches!(SourceExpression::parse(t), SourceExpression::Nonce(n) if n == request.nonce))
        {
            return Some(t);
        }
        if whole.matches_integrity(request.integrity) {
            return tokens
                .clone()
                .find(|t| matches!(SourceExpression::parse(t), SourceExpression::Hash(..)));
        }
        if whole.keywords().contains(Keywords::STRICT_DYNAMIC) {
            return tokens.clone().find(|t| {
                SourceExpression::parse(t) == SourceExpression::Keyword(Keywords::STRICT_DYNAMIC)
            });
        }
    }
    if logic == Logic::Style {
        if let Some(t) = tokens.clone().find(|t| {
            matches!(SourceExpression::parse(t), SourceExpression::Nonce(n) if n == request.nonce)
        }) {
            return Some(t);
        }
    }
    if logic == Logic::Connect && request.webtransport_hashes {
        return tokens.clone().find(|t| {
            SourceExpression::parse(t)
                == SourceExpression::Keyword(Keywords::UNSAFE_WEBTRANSPORT_HASHES)
        });
    }
    tokens.clone().find(|t| {
        let one = single(t);
        let one = one.as_ref();
        one.has_url_sources() && pre_request_allows(one, Logic::Plain, origin, u, request)
    })
}

fn single(token: &str) -> OwnedList {
    OwnedList::compile(DirectiveKind::DefaultSrc, token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Destination, ParserMetadata, PolicyList, PolicySource};
    use url::Url;

    fn explain(
        policy: &str,
        url: &str,
        f: impl Fn(Request<'_>) -> Request<'_>,
    ) -> Vec<(bool, Option<String>)> {
        let doc = Url::parse("https://app.test/").unwrap();
        let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
        let p = DocumentPolicy::new(&doc, list);
        let u = Url::parse(url).unwrap();
        let r = f(Request::new(&u, Destination::Script));
        p.explain_request(&r)
            .iter()
            .map(|j| (j.is_allowed(), j.matched_source().map(str::to_owned)))
            .collect()
    }

    #[test]
    fn names_the_source_that_allowed() {
        assert_eq!(
            explain(
                "script-src 'none' a.test 'self'",
                "https://app.test/x.js",
                |r| r
            ),
            [(true, Some("'self'".into()))]
        );
        assert_eq!(
            explain(
                "script-src 'nonce-abc' 'strict-dynamic' https:",
                "https://x.test/",
                |r| r.parser_metadata(ParserMetadata::NotParserInserted)
            ),
            [(true, Some("'strict-dynamic'".into()))]
        );
        assert_eq!(
            explain(
                "script-src 'nonce-abc' 'strict-dynamic'",
                "https://x.test/",
                |r| r.nonce("abc")
            ),
            [(true, Some("'nonce-abc'".into()))]
        );
        // A host-source, a scheme-source and `*`, each after a token that matches no URL.
        assert_eq!(
            explain("script-src a.test b.test", "https://b.test/x.js", |r| r),
            [(true, Some("b.test".into()))]
        );
        assert_eq!(
            explain(
                "script-src 'unsafe-inline' https:",
                "https://z.test/",
                |r| r
            ),
            [(true, Some("https:".into()))]
        );
        assert_eq!(
            explain("script-src 'unsafe-eval' *", "https://z.test/", |r| r),
            [(true, Some("*".into()))]
        );
        assert_eq!(
            explain(
                "script-src 'unsafe-inline' app:",
                "app://x.test/y.js",
                |r| r
            ),
            [(true, Some("app:".into()))]
        );
        assert_eq!(
            explain(
                "script-src https://a.test, img-src *",
                "https://b.test/",
                |r| r
            ),
            [(false, None), (true, None)]
        );
    }
}
