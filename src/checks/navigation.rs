//! CSP3 §4.2.4 and §4.2.5, with the navigation directives of §6.4: `form-action`,
//! `javascript:` URLs, and `frame-ancestors`.

use url::{Host, Origin, Url};

use crate::checks::document::DocumentPolicy;
use crate::checks::inline::{self, InlineCheck, InlineType};
use crate::checks::request::fields::Request;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::matching::host::UrlHost;
use crate::matching::origin::{SelfOrigin, UrlView, ViewSource};
use crate::names::directive::DirectiveKind;
use crate::names::disposition::PolicySource;
use crate::names::scheme::SchemeSet;
use crate::names::vocabulary::name_enum;
use crate::policy::source_list::ListRef;

name_enum! {
    /// The type of a navigation (CSP3 §4.2.4): a form submission, or anything else.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::NavigationType;
    ///
    /// assert_eq!("form-submission".parse::<NavigationType>()?, NavigationType::FormSubmission);
    /// assert_eq!(NavigationType::Other.as_str(), "other");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[non_exhaustive]
    pub enum NavigationType, "navigation type", "`\"form-submission\"` or `\"other\"`." {
        /// `"form-submission"`: a `<form>` submission (checked by `form-action`).
        FormSubmission => "form-submission",
        /// `"other"`: any other navigation.
        #[default]
        Other => "other",
    }
}

/// <https://w3c.github.io/webappsec-csp/#form-action-pre-navigate>
#[inline]
pub(crate) fn form_action_allows(
    list: ListRef<'_>,
    navigation: NavigationType,
    origin: &SelfOrigin,
    request: &Request<'_>,
) -> bool {
    // Step 1: the policy is unused. Step 2.
    if navigation == NavigationType::FormSubmission {
        // Step 2.1: #match-request-to-source-list (the current URL, the redirect count: paths
        // are ignored after a redirect).
        return list.matches_url(&UrlView::new(request.url), origin, request.redirect_count);
    }
    // Step 3.
    true
}

/// <https://url.spec.whatwg.org/#is-local>: about:, blob: or data:.
#[inline]
fn is_local(url: &Url) -> bool {
    matches!(url.scheme(), "about" | "blob" | "data")
}

/// Does a domain pass the URL host parser unchanged and stay a domain? (ASCII lower-case
/// letters, digits, `-` and `.`; no `xn--` label, which the parser would validate; not
/// ending in a number, which it would parse as IPv4.) `url::Url::origin` only produces such
/// domains; anything else takes the literal path.
fn is_canonical_domain(d: &str) -> bool {
    let plain = !d.is_empty()
        && d.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !plain || d.split('.').any(|l| l.starts_with("xn--")) {
        return false;
    }
    // URL "ends in a number": the last label (after one trailing empty label) is all digits
    // or starts with "0x".
    let trimmed = d.strip_suffix('.').unwrap_or(d);
    let last = trimmed.rsplit('.').next().unwrap_or("");
    let numeric = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    !(numeric || last.starts_with("0x"))
}

/// The URL that parsing the ASCII serialization of a tuple origin gives, as a [`UrlView`],
/// when it can be read off the origin directly (http, https, ws, wss or ftp, with a
/// canonical host): no allocation.
fn origin_view<'o>(scheme: &'o str, host: &'o Host<String>, port: u16) -> Option<UrlView<'o>> {
    let b = SchemeSet::of(scheme);
    if !b.intersects(SchemeSet::TUPLE_ORIGIN) {
        return None;
    }
    let host = match host {
        Host::Domain(d) if is_canonical_domain(d) => UrlHost::Domain(d),
        Host::Domain(_) => return None,
        Host::Ipv4(a) => UrlHost::Ipv4(*a),
        Host::Ipv6(a) => UrlHost::Ipv6(*a),
    };
    Some(UrlView {
        bit: b,
        host,
        // The serialization omits the default port, and the parsed URL's port is then null.
        port: if b.default_port() == Some(port) {
            None
        } else {
            Some(port)
        },
        // The serialization has no path: the special URL's path is "/".
        source: ViewSource::Origin(scheme),
    })
}

/// <https://w3c.github.io/webappsec-csp/#frame-ancestors-navigation-response> steps 6.2-6.3
/// for one ancestor: does the parsed serialization of its origin match the list?
fn ancestor_matches(list: ListRef<'_>, ancestor: &Origin, self_origin: &SelfOrigin) -> bool {
    match ancestor {
        // An opaque origin serializes to "null", which the URL parser rejects: the spec says
        // nothing more, and no source list can match it (engines agree).
        Origin::Opaque(_) => false,
        Origin::Tuple(scheme, host, port) => match origin_view(scheme, host, *port) {
            // Step 6.3, with redirect count 0.
            Some(view) => list.matches_url(&view, self_origin, 0),
            // Step 6.2 literally, for origins that are not what `Url::origin` produces.
            None => Url::parse(&ancestor.ascii_serialization())
                .is_ok_and(|u| list.matches_url(&UrlView::new(&u), self_origin, 0)),
        },
    }
}

/// <https://w3c.github.io/webappsec-csp/#frame-ancestors-navigation-response> with check type
/// "response".
fn frame_ancestors_allows<'o>(
    list: ListRef<'_>,
    response_url: &Url,
    ancestors: impl IntoIterator<Item = &'o Origin>,
    self_origin: &SelfOrigin,
) -> bool {
    // Step 1.
    if is_local(response_url) {
        return true;
    }
    // Steps 2-3: the check type is "response". Steps 4-6: every container document's origin,
    // nearest first, up to the top; none means the target is not a child navigable.
    // Step 6.3.
    ancestors
        .into_iter()
        .all(|a| ancestor_matches(list, a, self_origin))
    // Step 7.
}

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>: may this
    /// navigation request proceed? Call it on the policy of the navigation's *initiator*
    /// (its policy container's CSP list), for the request and for every redirect hop.
    ///
    /// 1. For a [form submission](NavigationType::FormSubmission), each policy's
    ///    `form-action` must match the request's current URL (paths are ignored once
    ///    redirected; `form-action` never falls back to `default-src`). A violation names
    ///    `form-action`, with the request's original URL as resource.
    /// 2. Then, unless an enforced policy already blocked it, a `javascript:` URL runs the
    ///    inline check of type `navigation` with the whole URL as source (the
    ///    [`Url`]'s serialization: what Chromium and WebKit hash): violations name
    ///    `script-src-elem`, resource `inline`, no sample (§4.2.4 step 3 sets none).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, NavigationType, PolicyList, PolicySource, Request};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse("form-action 'self'; script-src 'self'", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&doc, list);
    ///
    /// let post = Url::parse("https://evil.test/steal")?;
    /// let verdict = policy.check_navigation_request(&Request::new(&post, Destination::Document), NavigationType::FormSubmission);
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "form-action");
    ///
    /// let js = Url::parse("javascript:alert(1)")?;
    /// let verdict = policy.check_navigation_request(&Request::new(&js, Destination::Document), NavigationType::Other);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "script-src-elem");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_navigation_request<'r>(
        &self,
        request: &Request<'r>,
        navigation: NavigationType,
    ) -> Verdict<'r> {
        // Step 1.
        let mut verdict = Verdict::allowed();
        // Step 2.
        for (i, policy) in self.policies().iter().enumerate() {
            // Step 2.1: form-action is the only directive with a pre-navigation check.
            let Some(list) = policy.source_list(DirectiveKind::FormAction) else {
                continue;
            };
            // Step 2.1.1.
            if form_action_allows(list, navigation, self.origin(), request) {
                continue;
            }
            // Steps 2.1.2-2.1.5: the resource is the request's URL (its original URL).
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::FormAction,
                DirectiveKind::FormAction,
                Resource::Url(request.reported_url()),
            ));
        }
        // Step 3.
        if verdict.is_allowed() && request.url.scheme() == "javascript" {
            // Step 3.1: the inline check of type "navigation", with a null element and the
            // current URL as source.
            let check = InlineCheck::new(InlineType::Navigation, request.url.as_str());
            inline::run(self, &check, &mut verdict);
        }
        // Step 4.
        verdict
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-navigation-response>: may the
    /// navigation response at `response_url` be rendered in a navigable whose ancestors'
    /// origins are `ancestors`? Call it on the **response's** policy (its CSP list, whose
    /// self-origin is the response URL's origin).
    ///
    /// `ancestors` are the origins of the container documents, nearest first, up to the top
    /// (empty for a top-level navigable). Each policy's `frame-ancestors` (§6.4.2) must match
    /// every ancestor: the parsed serialization of its origin, with redirect count 0. An
    /// opaque origin matches nothing. A response with a local URL (about:, blob:, data:) is
    /// always allowed. `frame-ancestors` never falls back to `default-src`, and is ignored
    /// in `<meta>` policies. A violation names `frame-ancestors`, with the response URL as
    /// resource.
    ///
    /// The second half of §4.2.5 runs the initiator's policies with check type "source",
    /// for which `frame-ancestors` (the only directive with a navigation response check)
    /// always allows: there is nothing to call for it.
    ///
    /// Allocation-free for origins as [`url::Url::origin`] produces them.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let framed = Url::parse("https://bank.test/transfer")?;
    /// let list = PolicyList::parse("frame-ancestors 'self' https://partner.test", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&framed, list);
    ///
    /// let partner = Url::parse("https://partner.test/embed")?.origin();
    /// let evil = Url::parse("https://evil.test/")?.origin();
    /// assert!(policy.check_navigation_response(&framed, [&partner]).is_allowed());
    /// let verdict = policy.check_navigation_response(&framed, [&partner, &evil]);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "frame-ancestors");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_navigation_response<'r, 'o, I>(
        &self,
        response_url: &'r Url,
        ancestors: I,
    ) -> Verdict<'r>
    where
        I: IntoIterator<Item = &'o Origin> + Clone,
    {
        // Step 1.
        let mut verdict = Verdict::allowed();
        // Step 2.
        for (i, policy) in self.policies().iter().enumerate() {
            // §6.4.2: frame-ancestors MUST be ignored in a <meta> policy (the parser already
            // drops it there).
            if policy.source() == PolicySource::Meta {
                continue;
            }
            // Step 2.1: frame-ancestors is the only directive with a navigation response
            // check.
            let Some(list) = policy.source_list(DirectiveKind::FrameAncestors) else {
                continue;
            };
            // Step 2.1.1.
            if frame_ancestors_allows(list, response_url, ancestors.clone(), self.origin()) {
                continue;
            }
            // Steps 2.1.2-2.1.5.
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::FrameAncestors,
                DirectiveKind::FrameAncestors,
                Resource::Url(response_url),
            ));
        }
        // Steps 3-4.
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::source_list::OwnedList;
    use crate::{Destination, Disposition, PolicyList};

    fn doc_at(url: &str, policy: &str) -> DocumentPolicy {
        let u = Url::parse(url).unwrap();
        DocumentPolicy::new(
            &u,
            PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header),
        )
    }

    fn form(policy: &str, url: &str, redirects: u32) -> Verdict<'static> {
        let p = doc_at("https://a.test/page", policy);
        let u = Box::leak(Box::new(Url::parse(url).unwrap()));
        let r = Request::new(u, Destination::Document).redirect_count(redirects);
        p.check_navigation_request(&r, NavigationType::FormSubmission)
    }

    fn framed(policy: &str, response: &str, ancestors: &[&str]) -> bool {
        let p = doc_at(response, policy);
        let origins: Vec<Origin> = ancestors
            .iter()
            .map(|a| Url::parse(a).unwrap().origin())
            .collect();
        let r = Url::parse(response).unwrap();
        let allowed = p.check_navigation_response(&r, &origins).is_allowed();
        allowed
    }

    #[test]
    fn form_action_pre_navigate_step_2_only_form_submissions() {
        assert!(form("form-action 'self'", "https://b.test/", 0).is_blocked());
        assert!(form("form-action 'self'", "https://a.test/s", 0).is_allowed());
        let p = doc_at("https://a.test/", "form-action 'none'");
        let u = Url::parse("https://b.test/").unwrap();
        let r = Request::new(&u, Destination::Document);
        assert!(p
            .check_navigation_request(&r, NavigationType::Other)
            .is_allowed());
    }

    #[test]
    fn form_action_pre_navigate_step_2_1_paths_ignored_after_redirects() {
        let p = "form-action https://a.test/forms/";
        assert!(form(p, "https://a.test/other", 0).is_blocked());
        assert!(form(p, "https://a.test/other", 1).is_allowed());
        assert!(form(p, "https://b.test/forms/x", 1).is_blocked());
    }

    #[test]
    fn form_action_never_falls_back_to_default_src() {
        assert!(form("default-src 'none'", "https://b.test/", 0).is_allowed());
    }

    #[test]
    fn should_block_navigation_request_step_2_1_3_resource_is_the_original_url() {
        let p = doc_at("https://a.test/", "form-action 'self'");
        let original = Url::parse("https://a.test/post").unwrap();
        let current = Url::parse("https://b.test/landing").unwrap();
        let r = Request::new(&current, Destination::Document)
            .original_url(&original)
            .redirect_count(1);
        let v = p.check_navigation_request(&r, NavigationType::FormSubmission);
        assert_eq!(v.violations()[0].resource(), Resource::Url(&original));
    }

    #[test]
    fn should_block_navigation_request_step_3_javascript_urls_are_inline_checked() {
        let p = doc_at("https://a.test/", "script-src 'self'");
        let js = Url::parse("javascript:alert(1)").unwrap();
        let v = p.check_navigation_request(
            &Request::new(&js, Destination::Document),
            NavigationType::Other,
        );
        assert!(v.is_blocked());
        let v = &v.violations()[0];
        assert_eq!(v.directive(), DirectiveKind::ScriptSrcElem);
        assert_eq!(v.resource(), Resource::Inline);
        // The source hashed is the whole URL.
        let hash = {
            use base64::Engine as _;
            use sha2::Digest as _;
            base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(b"javascript:alert(1)"))
        };
        let p = doc_at(
            "https://a.test/",
            &format!("script-src 'unsafe-hashes' 'sha256-{hash}'"),
        );
        assert!(p
            .check_navigation_request(
                &Request::new(&js, Destination::Document),
                NavigationType::Other
            )
            .is_allowed());
    }

    #[test]
    fn should_block_navigation_request_step_3_skipped_once_blocked() {
        // form-action blocks: no inline check, so one violation only.
        let v = form(
            "form-action 'none'; script-src 'none'",
            "javascript:alert(1)",
            0,
        );
        assert_eq!(v.violations().len(), 1);
        assert_eq!(v.violations()[0].directive(), DirectiveKind::FormAction);
        // A report-only form-action violation does not stop the inline check.
        let u = Url::parse("https://a.test/").unwrap();
        let mut list = PolicyList::parse(
            "form-action 'none'",
            Disposition::Report,
            PolicySource::Header,
        );
        list.push_header("script-src 'none'", Disposition::Enforce);
        let p = DocumentPolicy::new(&u, list);
        let js = Url::parse("javascript:void(0)").unwrap();
        let v = p.check_navigation_request(
            &Request::new(&js, Destination::Document),
            NavigationType::FormSubmission,
        );
        assert!(v.is_blocked());
        assert_eq!(v.violations().len(), 2);
    }

    #[test]
    fn frame_ancestors_step_6_every_ancestor_must_match() {
        let p = "frame-ancestors 'self'";
        let r = "https://f.test/framed";
        assert!(framed(p, r, &["https://f.test/a", "https://f.test/b"]));
        assert!(!framed(p, r, &["https://f.test/a", "https://evil.test/"]));
        assert!(!framed(p, r, &["https://evil.test/", "https://f.test/"]));
        // Step 4: not a child navigable.
        assert!(framed("frame-ancestors 'none'", r, &[]));
        assert!(!framed("frame-ancestors 'none'", r, &["https://f.test/"]));
    }

    #[test]
    fn frame_ancestors_step_6_2_matches_the_origin_not_the_url() {
        // The ancestor's path and query are not part of its origin: path-parts see "/".
        assert!(framed(
            "frame-ancestors https://a.test",
            "https://f.test/",
            &["https://a.test/deep/path?q=1"]
        ));
        assert!(!framed(
            "frame-ancestors https://a.test/deep/",
            "https://f.test/",
            &["https://a.test/deep/x"]
        ));
        assert!(framed(
            "frame-ancestors https://a.test/",
            "https://f.test/",
            &["https://a.test/deep/x"]
        ));
        // Ports: explicit and default.
        assert!(framed(
            "frame-ancestors http://a.test:8000",
            "https://f.test/",
            &["http://a.test:8000/"]
        ));
        assert!(!framed(
            "frame-ancestors http://a.test",
            "https://f.test/",
            &["http://a.test:8000/"]
        ));
        assert!(framed(
            "frame-ancestors http://a.test",
            "https://f.test/",
            &["http://A.TEST:80/"]
        ));
        // An IPv6 literal is no host-part (the source is invalid), but 'self' matches it.
        assert!(!framed(
            "frame-ancestors http://[::1]:8080",
            "http://[::1]:8080/",
            &["http://[::1]:8080/x"]
        ));
        assert!(framed(
            "frame-ancestors 'self'",
            "http://[::1]:8080/",
            &["http://[::1]:8080/x"]
        ));
        assert!(framed(
            "frame-ancestors *.a.test",
            "https://f.test/",
            &["https://www.a.test/"]
        ));
    }

    #[test]
    fn frame_ancestors_opaque_ancestor_never_matches() {
        let p = doc_at("https://f.test/", "frame-ancestors *");
        let r = Url::parse("https://f.test/").unwrap();
        let opaque = Url::parse("data:text/html,x").unwrap().origin();
        assert!(!opaque.is_tuple());
        assert!(p.check_navigation_response(&r, [&opaque]).is_blocked());
    }

    #[test]
    fn frame_ancestors_step_1_local_response_urls_are_allowed() {
        for url in [
            "data:text/html,x",
            "about:blank",
            "blob:https://f.test/uuid",
        ] {
            let p = DocumentPolicy::new(
                &Url::parse("https://f.test/").unwrap(),
                PolicyList::parse(
                    "frame-ancestors 'none'",
                    Disposition::Enforce,
                    PolicySource::Header,
                ),
            );
            let r = Url::parse(url).unwrap();
            let evil = Url::parse("https://evil.test/").unwrap().origin();
            assert!(
                p.check_navigation_response(&r, [&evil]).is_allowed(),
                "{url}"
            );
        }
    }

    #[test]
    fn frame_ancestors_no_default_src_fallback_and_meta_ignored() {
        assert!(framed(
            "default-src 'none'",
            "https://f.test/",
            &["https://e.test/"]
        ));
        let u = Url::parse("https://f.test/").unwrap();
        let p = DocumentPolicy::new(
            &u,
            PolicyList::parse(
                "frame-ancestors 'none'",
                Disposition::Enforce,
                PolicySource::Meta,
            ),
        );
        let evil = Url::parse("https://e.test/").unwrap().origin();
        assert!(p.check_navigation_response(&u, [&evil]).is_allowed());
    }

    #[test]
    fn frame_ancestors_violation_reports_the_response_url() {
        let mut list = PolicyList::parse(
            "frame-ancestors 'none'",
            Disposition::Report,
            PolicySource::Header,
        );
        list.push_header("frame-ancestors *", Disposition::Enforce);
        let u = Url::parse("https://f.test/page#frag").unwrap();
        let p = DocumentPolicy::new(&u, list);
        let evil = Url::parse("https://e.test/").unwrap().origin();
        let v = p.check_navigation_response(&u, [&evil]);
        assert!(v.is_allowed());
        assert_eq!(v.violations().len(), 1);
        assert_eq!(v.violations()[0].resource(), Resource::Url(&u));
        assert_eq!(v.violations()[0].disposition(), Disposition::Report);
    }

    #[test]
    fn origin_fast_path_agrees_with_parsing_the_serialization() {
        let lists = [
            "'self'",
            "*",
            "https:",
            "http://a.test",
            "a.test:8080",
            "*.b.test",
            "127.0.0.1",
            "https://a.test/p/",
        ];
        let self_origin = SelfOrigin::new(&Url::parse("https://a.test/").unwrap());
        let origins = [
            "https://a.test/",
            "http://a.test:8080/",
            "https://x.b.test/",
            "http://127.0.0.1/",
            "https://[::1]/",
            "ftp://a.test/",
            "ws://a.test/",
            "https://xn--tdaaaaaa.de/",
            "https://a.test.:444/",
        ];
        for l in lists {
            let owned = OwnedList::compile(DirectiveKind::FrameAncestors, l);
            let list = owned.as_ref();
            for o in origins {
                let origin = Url::parse(o).unwrap().origin();
                let literal = Url::parse(&origin.ascii_serialization()).unwrap();
                let want = list.matches_url(&UrlView::new(&literal), &self_origin, 0);
                assert_eq!(
                    ancestor_matches(list, &origin, &self_origin),
                    want,
                    "{l} vs {o}"
                );
            }
        }
        // Hand-made origins the URL parser would change take the literal path.
        let odd = Origin::Tuple("https".into(), Host::Domain("A.TEST".into()), 443);
        let list = OwnedList::compile(DirectiveKind::FrameAncestors, "https://a.test");
        assert!(ancestor_matches(list.as_ref(), &odd, &self_origin));
        assert!(!is_canonical_domain("1.2.3.4"));
        assert!(!is_canonical_domain("a.0x10"));
        assert!(!is_canonical_domain("xn--bad"));
        assert!(is_canonical_domain("a-b.c0.test."));
    }
}
