//! The API of [`content-security-policy`](https://crates.io/crates/content-security-policy)
//! 0.9, answered by [cspgate](https://docs.rs/cspgate)'s compiled policies.
//!
//! An engine written against 0.9 (Servo) switches with one `[patch]` line and no code change
//! (`compat/README.md` has the lines and the migration guide). Every type, field, variant,
//! method, derive and trait impl of 0.9 is here with the same signature; the answers are
//! CSP3's, not 0.9's where the two differ (the README lists each difference with its spec
//! step), and nothing panics on any input.
//!
//! # How checks run
//!
//! The 0.9 API passes plain data: a [`CspList`] of strings the caller may mutate at any time,
//! and the self-origin on each call. A check finds the compiled form of exactly that content
//! (each policy's directives, disposition and source, and the self-origin) in a bounded,
//! thread-safe cache, compiling it on a miss, and runs cspgate's check on it. The lookup
//! compares the content itself, so a mutated list never gets an answer from its old form.
//!
//! # Example
//!
//! ```
//! use content_security_policy::*;
//!
//! let csp_list = CspList::parse("script-src *.notriddle.com", PolicySource::Header, PolicyDisposition::Enforce);
//! let request = |url: &str| Request {
//!     url: Url::parse(url).unwrap(),
//!     current_url: Url::parse(url).unwrap(),
//!     origin: Origin::Tuple("https".to_string(), url::Host::Domain("notriddle.com".to_owned()), 443),
//!     redirect_count: 0,
//!     destination: Destination::Script,
//!     initiator: Initiator::None,
//!     nonce: String::new(),
//!     integrity_metadata: String::new(),
//!     parser_metadata: ParserMetadata::None,
//! };
//! let (result, _) = csp_list.should_request_be_blocked(&request("https://www.notriddle.com/script.js"));
//! assert_eq!(result, CheckResult::Allowed);
//! let (result, violations) = csp_list.should_request_be_blocked(&request("https://www.evil.example/script.js"));
//! assert_eq!(result, CheckResult::Blocked);
//! assert_eq!(violations[0].directive.name, "script-src-elem");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub extern crate percent_encoding;
pub extern crate url;

mod checks;
mod compiled;
pub mod sandboxing_directive;
mod sri;
mod sync;
mod text;

use std::borrow::Cow;
use std::fmt::{self, Display, Formatter};
use std::str::FromStr;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

pub use sri::{parse_subresource_integrity_metadata, HashFunction, SubresourceIntegrityMetadata};
pub use url::{Origin, Position, Url};

/// A single parsed content security policy
/// (<https://w3c.github.io/webappsec-csp/#content-security-policy-object>).
///
/// Its fields are public and may be changed (Servo drops `<meta>`-ignored directives from
/// `directive_set`); every check reads them as they are at the time of the call.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let mut policy = Policy::parse("default-src 'self'; report-uri /r", PolicySource::Meta, PolicyDisposition::Enforce);
/// policy.directive_set.retain(|d| d.name != "report-uri");
/// assert_eq!(policy.to_string(), "default-src 'self'");
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub struct Policy {
    /// The directives, in order.
    pub directive_set: Vec<Directive>,
    /// Enforced or report-only.
    pub disposition: PolicyDisposition,
    /// Header or `<meta>`.
    pub source: PolicySource,
}

impl Display for Policy {
    /// The directives joined by `"; "`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, directive) in self.directive_set.iter().enumerate() {
            if i != 0 {
                f.write_str("; ")?;
            }
            Display::fmt(directive, f)?;
        }
        Ok(())
    }
}

impl Policy {
    /// Is this a valid `serialized-policy` (CSP3 §2.2.1): at least one directive, each
    /// valid, no name twice?
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// assert!(Policy::parse("img-src *", PolicySource::Header, PolicyDisposition::Enforce).is_valid());
    /// assert!(!Policy::parse(";", PolicySource::Header, PolicyDisposition::Enforce).is_valid());
    /// ```
    pub fn is_valid(&self) -> bool {
        !self.directive_set.is_empty()
            && self.directive_set.iter().all(Directive::is_valid)
            && self.directive_set.iter().enumerate().all(|(i, d)| {
                !self.directive_set[..i]
                    .iter()
                    .any(|e| e.name.eq_ignore_ascii_case(&d.name))
            })
    }

    /// <https://w3c.github.io/webappsec-csp/#parse-serialized-policy>
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let p = Policy::parse("Script-Src a b; script-src c; ;img-src", PolicySource::Header, PolicyDisposition::Report);
    /// assert_eq!(p.directive_set.len(), 2);
    /// assert_eq!(p.directive_set[0].name, "script-src");
    /// assert_eq!(p.directive_set[0].value, ["a", "b"]);
    /// assert!(p.directive_set[1].value.is_empty());
    /// ```
    pub fn parse(serialized: &str, source: PolicySource, disposition: PolicyDisposition) -> Policy {
        // Step 1: `serialized` is already a string. Step 2.
        let mut policy = Policy {
            directive_set: Vec::new(),
            disposition,
            source,
        };
        // Step 3: strictly split on ";".
        for token in serialized.split(';') {
            // Step 3.1.
            let token = text::trim(token);
            // Step 3.2.
            if token.is_empty() || !token.is_ascii() {
                continue;
            }
            // Step 3.3: the name runs up to the first ASCII whitespace.
            let end = token
                .bytes()
                .position(text::is_ascii_whitespace)
                .unwrap_or(token.len());
            let (name, rest) = token.split_at(end);
            // Step 3.4.
            let name = name.to_ascii_lowercase();
            // Step 3.5.
            if policy.contains_a_directive_whose_name_is(&name) {
                continue;
            }
            // Step 3.6.
            let value = text::split_ascii_whitespace(rest)
                .map(str::to_owned)
                .collect();
            // Steps 3.7-3.8.
            policy.directive_set.push(Directive { name, value });
        }
        // Step 4.
        policy
    }

    /// Does the directive set contain a directive of that name?
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let p = Policy::parse("img-src *", PolicySource::Header, PolicyDisposition::Enforce);
    /// assert!(p.contains_a_directive_whose_name_is("img-src"));
    /// ```
    pub fn contains_a_directive_whose_name_is(&self, directive_name: &str) -> bool {
        self.directive_set.iter().any(|d| d.name == directive_name)
    }

    /// <https://w3c.github.io/webappsec-csp/#does-request-violate-policy>: the directive that
    /// blocks `request` (for a prefetch, §6.7.2.2), or [`Violates::DoesNotViolate`].
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let p = Policy::parse("default-src 'none'; img-src https:", PolicySource::Header, PolicyDisposition::Enforce);
    /// let url = Url::parse("http://a.test/x.png").unwrap();
    /// let request = Request {
    ///     url: url.clone(), current_url: url, origin: Url::parse("https://a.test").unwrap().origin(),
    ///     redirect_count: 0, destination: Destination::Image, initiator: Initiator::None,
    ///     nonce: String::new(), integrity_metadata: String::new(), parser_metadata: ParserMetadata::None,
    /// };
    /// let Violates::Directive(d) = p.does_request_violate_policy(&request) else { panic!() };
    /// assert_eq!(d.name, "img-src");
    /// ```
    pub fn does_request_violate_policy(&self, request: &Request) -> Violates {
        checks::does_request_violate_policy(self, request, false)
    }

    /// <https://w3c.github.io/webappsec-csp/#does-resource-hint-violate-policy>: `request`
    /// checked as a resource hint (initiator `prefetch`).
    pub fn does_resource_hint_violate_policy(&self, request: &Request) -> Violates {
        checks::does_request_violate_policy(self, request, true)
    }
}

/// A CSP list (<https://w3c.github.io/webappsec-csp/#csp-list>): the policies of a
/// document or worker, in delivery order.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let mut list = CspList::parse("img-src *, script-src 'self'", PolicySource::Header, PolicyDisposition::Enforce);
/// list.append(CspList::parse("style-src 'none'", PolicySource::Header, PolicyDisposition::Report));
/// assert_eq!(list.0.len(), 3);
/// assert_eq!(list.to_string(), "img-src *,script-src 'self',style-src 'none'");
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub struct CspList(pub Vec<Policy>);

impl Display for CspList {
    /// The policies joined by `","`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, policy) in self.0.iter().enumerate() {
            if i != 0 {
                f.write_str(",")?;
            }
            Display::fmt(policy, f)?;
        }
        Ok(())
    }
}

impl CspList {
    /// Is every policy valid ([`Policy::is_valid`])?
    pub fn is_valid(&self) -> bool {
        self.0.iter().all(Policy::is_valid)
    }

    /// <https://w3c.github.io/webappsec-csp/#contains-a-header-delivered-content-security-policy>
    pub fn contains_a_header_delivered_content_security_policy(&self) -> bool {
        self.0.iter().any(|p| p.source == PolicySource::Header)
    }

    /// <https://w3c.github.io/webappsec-csp/#parse-serialized-policy-list>: the non-empty
    /// policies of a comma-separated list.
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse(" , img-src *,, script-src a", PolicySource::Header, PolicyDisposition::Enforce);
    /// assert_eq!(list.0.len(), 2);
    /// ```
    pub fn parse(list: &str, source: PolicySource, disposition: PolicyDisposition) -> CspList {
        // Step 1.
        let mut policies = Vec::new();
        // Step 2.
        for token in text::split_commas(list) {
            // Step 2.1.
            let policy = Policy::parse(token, source, disposition);
            // Step 2.2.
            if policy.directive_set.is_empty() {
                continue;
            }
            // Step 2.3.
            policies.push(policy);
        }
        // Step 3.
        CspList(policies)
    }

    /// Appends the policies of `other`.
    pub fn append(&mut self, mut other: CspList) {
        self.0.append(&mut other.0);
    }

    /// Appends a policy.
    pub fn push(&mut self, policy: Policy) {
        self.0.push(policy);
    }

    /// <https://w3c.github.io/webappsec-csp/#report-for-request>: the violations of the
    /// report-only policies.
    pub fn report_violations_for_request(&self, request: &Request) -> Vec<Violation> {
        checks::report_violations_for_request(self, request)
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-request>: the enforced policies.
    pub fn should_request_be_blocked(&self, request: &Request) -> (CheckResult, Vec<Violation>) {
        checks::should_request_be_blocked(self, request)
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-response>: every policy's
    /// post-request checks, on the response's URL.
    pub fn should_response_to_request_be_blocked(
        &self,
        request: &Request,
        response: &Response,
    ) -> (CheckResult, Vec<Violation>) {
        checks::should_response_to_request_be_blocked(self, request, response)
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-inline>: may this inline script,
    /// style, event handler, style attribute or `javascript:` URL run?
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("script-src 'nonce-abc' 'report-sample'", PolicySource::Header, PolicyDisposition::Enforce);
    /// let nonced = Element { nonce: Some("abc".into()) };
    /// let (result, _) = list.should_elements_inline_type_behavior_be_blocked(&nonced, InlineCheckType::Script, "go()");
    /// assert_eq!(result, CheckResult::Allowed);
    /// let (result, violations) = list.should_elements_inline_type_behavior_be_blocked(&Element { nonce: None }, InlineCheckType::Script, "go()");
    /// assert_eq!(result, CheckResult::Blocked);
    /// assert_eq!(violations[0].resource, ViolationResource::Inline { sample: Some("go()".into()) });
    /// ```
    pub fn should_elements_inline_type_behavior_be_blocked(
        &self,
        element: &Element,
        type_: InlineCheckType,
        source: &str,
    ) -> (CheckResult, Vec<Violation>) {
        checks::inline(self, element, type_, source)
    }

    /// <https://w3c.github.io/webappsec-csp/#allow-base-for-document>: may a `<base>` element
    /// set the document's base URL to `base`? `self_origin` is the document's origin.
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("base-uri 'self'", PolicySource::Header, PolicyDisposition::Enforce);
    /// let origin = Url::parse("https://a.test/").unwrap().origin();
    /// let (result, _) = list.is_base_allowed_for_document(&Url::parse("https://a.test/b/").unwrap(), &origin);
    /// assert_eq!(result, CheckResult::Allowed);
    /// let (result, _) = list.is_base_allowed_for_document(&Url::parse("https://b.test/").unwrap(), &origin);
    /// assert_eq!(result, CheckResult::Blocked);
    /// ```
    pub fn is_base_allowed_for_document(
        &self,
        base: &Url,
        self_origin: &Origin,
    ) -> (CheckResult, Vec<Violation>) {
        checks::base(self, base, self_origin)
    }

    /// Trusted Types: "Should Trusted Type policy creation be blocked by Content Security
    /// Policy?" (<https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy>).
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("trusted-types app", PolicySource::Header, PolicyDisposition::Enforce);
    /// assert_eq!(list.is_trusted_type_policy_creation_allowed("app", &[]).0, CheckResult::Allowed);
    /// assert_eq!(list.is_trusted_type_policy_creation_allowed("app", &["app"]).0, CheckResult::Blocked);
    /// ```
    pub fn is_trusted_type_policy_creation_allowed(
        &self,
        policy_name: &str,
        created_policy_names: &[&str],
    ) -> (CheckResult, Vec<Violation>) {
        checks::trusted_types_policy_creation(self, policy_name, created_policy_names)
    }

    /// Trusted Types: "Does sink type require trusted types?"
    /// (<https://w3c.github.io/trusted-types/dist/spec/#abstract-opdef-does-sink-type-require-trusted-types>).
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("require-trusted-types-for 'script'", PolicySource::Header, PolicyDisposition::Report);
    /// assert!(!list.does_sink_type_require_trusted_types("'script'", false));
    /// assert!(list.does_sink_type_require_trusted_types("'script'", true));
    /// ```
    pub fn does_sink_type_require_trusted_types(
        &self,
        sink_group: &str,
        include_report_only_policies: bool,
    ) -> bool {
        checks::trusted_types_required(self, sink_group, include_report_only_policies)
    }

    /// Trusted Types: "Should sink type mismatch violation be blocked by Content Security
    /// Policy?" (<https://w3c.github.io/trusted-types/dist/spec/#should-block-sink-type-mismatch>).
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("require-trusted-types-for 'script'", PolicySource::Header, PolicyDisposition::Enforce);
    /// let (result, v) = list.should_sink_type_mismatch_violation_be_blocked_by_csp("Function", "'script'", "function anonymous() {}");
    /// assert_eq!(result, CheckResult::Blocked);
    /// assert_eq!(v[0].resource, ViolationResource::TrustedTypeSink { sample: "Function|() {}".into() });
    /// ```
    pub fn should_sink_type_mismatch_violation_be_blocked_by_csp(
        &self,
        sink: &str,
        sink_group: &str,
        source: &str,
    ) -> (CheckResult, Vec<Violation>) {
        checks::trusted_types_sink_type_mismatch(self, sink, sink_group, source)
    }

    /// HTML's CSP-derived sandboxing flags
    /// (<https://html.spec.whatwg.org/multipage/browsers.html#csp-derived-sandboxing-flags>):
    /// the flags of the last enforced, header-delivered policy with a `sandbox` directive;
    /// `None` when there is none (the empty set).
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    /// use content_security_policy::sandboxing_directive::SandboxingFlagSet;
    ///
    /// let mut list = CspList::parse("sandbox", PolicySource::Header, PolicyDisposition::Enforce);
    /// list.append(CspList::parse("sandbox allow-scripts", PolicySource::Header, PolicyDisposition::Enforce));
    /// let flags = list.get_sandboxing_flag_set_for_document().unwrap();
    /// assert!(!flags.contains(SandboxingFlagSet::SANDBOXED_SCRIPTS_BROWSING_CONTEXT_FLAG));
    /// ```
    pub fn get_sandboxing_flag_set_for_document(
        &self,
    ) -> Option<sandboxing_directive::SandboxingFlagSet> {
        checks::sandbox(self)
    }

    /// <https://w3c.github.io/webappsec-csp/#can-compile-strings>: may `source` be compiled
    /// as script (`eval`, `new Function`, string timers)?
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("default-src 'self'", PolicySource::Header, PolicyDisposition::Enforce);
    /// let (result, v) = list.is_js_evaluation_allowed("1 + 1");
    /// assert_eq!(result, CheckResult::Blocked);
    /// assert_eq!(v[0].directive.name, "script-src");
    /// ```
    pub fn is_js_evaluation_allowed(&self, source: &str) -> (CheckResult, Vec<Violation>) {
        checks::eval(self, source)
    }

    /// <https://w3c.github.io/webappsec-csp/#can-compile-wasm-bytes>: may WebAssembly be
    /// compiled?
    pub fn is_wasm_evaluation_allowed(&self) -> (CheckResult, Vec<Violation>) {
        checks::wasm(self)
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>: `form-action`
    /// for form submissions, Trusted Types' `require-trusted-types-for` for `javascript:`
    /// URLs (`url_processor` is the engine's default-policy conversion: `None` when it
    /// fails; the converted URL is written to `request.url`), then the inline check of a
    /// `javascript:` URL.
    ///
    /// Without Trusted Types, pass `|s: &str| Some(s.to_owned())`.
    ///
    /// # Example
    ///
    /// ```
    /// use content_security_policy::*;
    ///
    /// let list = CspList::parse("script-src 'self'", PolicySource::Header, PolicyDisposition::Enforce);
    /// let url = Url::parse("javascript:alert(1)").unwrap();
    /// let mut request = Request {
    ///     url: url.clone(), current_url: url, origin: Url::parse("https://a.test").unwrap().origin(),
    ///     redirect_count: 0, destination: Destination::Document, initiator: Initiator::None,
    ///     nonce: String::new(), integrity_metadata: String::new(), parser_metadata: ParserMetadata::None,
    /// };
    /// let (result, _) = list.should_navigation_request_be_blocked(&mut request, NavigationCheckType::Other, |s| Some(s.to_owned()));
    /// assert_eq!(result, CheckResult::Blocked);
    /// ```
    pub fn should_navigation_request_be_blocked<TrustedTypesUrlProcessor>(
        &self,
        request: &mut Request,
        navigation_check_type: NavigationCheckType,
        url_processor: TrustedTypesUrlProcessor,
    ) -> (CheckResult, Vec<Violation>)
    where
        TrustedTypesUrlProcessor: FnMut(&str) -> Option<String>,
    {
        checks::navigation_request(self, request, navigation_check_type, url_processor)
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-navigation-response>: may this
    /// response be rendered in a navigable whose ancestors' origins (as URLs, nearest first)
    /// are `parent_navigable_origins`? `self_origin` is the response's origin.
    #[allow(clippy::ptr_arg)] // 0.9's signature.
    pub fn should_navigation_response_to_navigation_request_be_blocked(
        &self,
        response: &Response,
        self_origin: &Origin,
        parent_navigable_origins: &Vec<Url>,
    ) -> (CheckResult, Vec<Violation>) {
        checks::navigation_response(self, response, self_origin, parent_navigable_origins)
    }
}

/// The element of an inline check.
///
/// # Example
///
/// ```
/// use content_security_policy::Element;
///
/// let nonceable = Element { nonce: Some("abc".into()) };
/// assert_eq!(nonceable.nonce.as_deref(), Some("abc"));
/// ```
#[derive(Clone, Debug)]
pub struct Element<'a> {
    /// The element's nonce; `None` when it has none, and when it is not
    /// [nonceable](https://w3c.github.io/webappsec-csp/#is-element-nonceable).
    pub nonce: Option<Cow<'a, str>>,
}

/// The type of an inline check (<https://w3c.github.io/webappsec-csp/#should-block-inline>).
///
/// # Example
///
/// ```
/// use content_security_policy::InlineCheckType;
///
/// assert_ne!(InlineCheckType::Script, InlineCheckType::ScriptAttribute);
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum InlineCheckType {
    /// `"script"`: an inline `<script>`.
    Script,
    /// `"script attribute"`: an event handler.
    ScriptAttribute,
    /// `"style"`: an inline `<style>`.
    Style,
    /// `"style attribute"`: a `style` attribute.
    StyleAttribute,
    /// `"navigation"`: a `javascript:` URL.
    Navigation,
}

/// The type of a navigation check
/// (<https://w3c.github.io/webappsec-csp/#directive-pre-navigation-check>).
///
/// # Example
///
/// ```
/// use content_security_policy::NavigationCheckType;
///
/// assert_ne!(NavigationCheckType::FormSubmission, NavigationCheckType::Other);
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum NavigationCheckType {
    /// A form submission (`form-action` applies).
    FormSubmission,
    /// Any other navigation.
    Other,
}

/// The parts of a Fetch request (<https://fetch.spec.whatwg.org/#concept-request>) that CSP
/// reads.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let url = Url::parse("https://cdn.test/a.js").unwrap();
/// let request = Request {
///     url: url.clone(),
///     current_url: url,
///     origin: Url::parse("https://app.test").unwrap().origin(),
///     redirect_count: 0,
///     destination: Destination::Script,
///     initiator: Initiator::None,
///     nonce: String::new(),
///     integrity_metadata: String::new(),
///     parser_metadata: ParserMetadata::ParserInserted,
/// };
/// assert!(request.destination.is_script_like());
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    /// The request's URL (before redirects): what violations report.
    pub url: Url,
    /// The current URL (after redirects): what is checked.
    pub current_url: Url,
    /// The request's origin, used as the policies' self-origin.
    pub origin: Origin,
    /// The number of redirects so far (above 0, source paths are ignored).
    pub redirect_count: u32,
    /// The destination.
    pub destination: Destination,
    /// The initiator.
    pub initiator: Initiator,
    /// The cryptographic nonce metadata.
    pub nonce: String,
    /// The integrity metadata.
    pub integrity_metadata: String,
    /// The parser metadata.
    pub parser_metadata: ParserMetadata,
}

/// A request's parser metadata
/// (<https://fetch.spec.whatwg.org/#concept-request-parser-metadata>).
///
/// # Example
///
/// ```
/// use content_security_policy::ParserMetadata;
///
/// assert_ne!(ParserMetadata::ParserInserted, ParserMetadata::None);
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum ParserMetadata {
    /// `"parser-inserted"`.
    ParserInserted,
    /// `"not-parser-inserted"`.
    NotParserInserted,
    /// The empty string.
    None,
}

/// A request's initiator (<https://fetch.spec.whatwg.org/#concept-request-initiator>).
///
/// # Example
///
/// ```
/// use content_security_policy::Initiator;
///
/// assert_ne!(Initiator::Prefetch, Initiator::None);
/// ```
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Initiator {
    /// `"download"`.
    Download,
    /// `"imageset"`.
    ImageSet,
    /// `"manifest"`.
    Manifest,
    /// `"prefetch"`: checked as a resource hint.
    Prefetch,
    /// `"prerender"`.
    Prerender,
    /// Not a Fetch initiator: treated as the empty string.
    Fetch,
    /// `"xslt"`.
    Xslt,
    /// The empty string.
    None,
}

/// A request's destination (<https://fetch.spec.whatwg.org/#concept-request-destination>).
///
/// # Example
///
/// ```
/// use content_security_policy::Destination;
///
/// let d: Destination = "sharedworker".parse().ok().unwrap();
/// assert_eq!(d, Destination::SharedWorker);
/// assert_eq!(d.as_str(), "sharedworker");
/// assert!(d.is_script_like());
/// ```
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Destination {
    /// The empty string: `fetch()`, XHR, WebSocket, EventSource, beacons.
    None,
    /// `"audio"`.
    Audio,
    /// `"audioworklet"`.
    AudioWorklet,
    /// `"document"`.
    Document,
    /// `"embed"`.
    Embed,
    /// `"font"`.
    Font,
    /// `"frame"`.
    Frame,
    /// `"iframe"`.
    IFrame,
    /// `"image"`.
    Image,
    /// `"json"`.
    Json,
    /// `"manifest"`.
    Manifest,
    /// `"object"`.
    Object,
    /// `"paintworklet"`.
    PaintWorklet,
    /// `"report"`.
    Report,
    /// `"script"`.
    Script,
    /// `"serviceworker"`.
    ServiceWorker,
    /// `"sharedworker"`.
    SharedWorker,
    /// `"style"`.
    Style,
    /// `"text"`.
    Text,
    /// `"track"`.
    Track,
    /// `"video"`.
    Video,
    /// `"webidentity"`.
    WebIdentity,
    /// `"worker"`.
    Worker,
    /// `"xslt"`.
    Xslt,
}

/// The error of parsing an unknown [`Destination`].
///
/// # Example
///
/// ```
/// use content_security_policy::{Destination, InvalidDestination};
///
/// assert!(matches!("bogus".parse::<Destination>(), Err(InvalidDestination)));
/// ```
#[allow(missing_debug_implementations)] // 0.9 derives nothing on it.
pub struct InvalidDestination;

/// Every destination with its Fetch name: one table for `FromStr` and `as_str`.
const DESTINATIONS: [(Destination, &str); 24] = [
    (Destination::None, ""),
    (Destination::Audio, "audio"),
    (Destination::AudioWorklet, "audioworklet"),
    (Destination::Document, "document"),
    (Destination::Embed, "embed"),
    (Destination::Font, "font"),
    (Destination::Frame, "frame"),
    (Destination::IFrame, "iframe"),
    (Destination::Image, "image"),
    (Destination::Json, "json"),
    (Destination::Manifest, "manifest"),
    (Destination::Object, "object"),
    (Destination::PaintWorklet, "paintworklet"),
    (Destination::Report, "report"),
    (Destination::Script, "script"),
    (Destination::ServiceWorker, "serviceworker"),
    (Destination::SharedWorker, "sharedworker"),
    (Destination::Style, "style"),
    (Destination::Text, "text"),
    (Destination::Track, "track"),
    (Destination::Video, "video"),
    (Destination::WebIdentity, "webidentity"),
    (Destination::Worker, "worker"),
    (Destination::Xslt, "xslt"),
];

impl FromStr for Destination {
    type Err = InvalidDestination;

    /// Parses a Fetch destination name, exactly (`""` is [`Destination::None`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DESTINATIONS
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(d, _)| *d)
            .ok_or(InvalidDestination)
    }
}

impl Destination {
    /// Is the destination script-like (<https://fetch.spec.whatwg.org/#request-destination-script-like>):
    /// audioworklet, paintworklet, script, serviceworker, sharedworker or worker?
    pub fn is_script_like(self) -> bool {
        checks::destination(self).is_script_like()
    }

    /// The Fetch name of the destination.
    pub const fn as_str(&self) -> &'static str {
        DESTINATIONS[*self as usize].1
    }
}

/// A response (<https://fetch.spec.whatwg.org/#concept-response>): the parts CSP reads.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let response = Response { url: Url::parse("https://cdn.test/a.js").unwrap(), redirect_count: 0 };
/// assert_eq!(response.url.host_str(), Some("cdn.test"));
/// ```
#[derive(Clone, Debug)]
pub struct Response {
    /// The response's URL.
    pub url: Url,
    /// The redirect count of the request that got it (checks read the request's).
    pub redirect_count: u32,
}

/// A violation (<https://w3c.github.io/webappsec-csp/#violation>): what to report.
///
/// # Example
///
/// ```
/// use content_security_policy::*;
///
/// let list = CspList::parse("default-src 'self' 'report-sample'", PolicySource::Header, PolicyDisposition::Enforce);
/// let (_, violations) = list.is_js_evaluation_allowed("alert(1)");
/// let v = &violations[0];
/// assert_eq!(v.resource, ViolationResource::Eval { sample: Some("alert(1)".into()) });
/// assert_eq!(v.directive.value, ["'self'", "'report-sample'"]);
/// assert_eq!(v.policy.to_string(), "default-src 'self' 'report-sample'");
/// ```
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub struct Violation {
    /// What was blocked or reported.
    pub resource: ViolationResource,
    /// The effective directive's name, with the value of the directive that failed.
    pub directive: Directive,
    /// The violated policy.
    pub policy: Policy,
}

/// A violation's resource (<https://w3c.github.io/webappsec-csp/#violation-resource>).
///
/// # Example
///
/// ```
/// use content_security_policy::ViolationResource;
///
/// assert_ne!(ViolationResource::WasmEval, ViolationResource::Eval { sample: None });
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub enum ViolationResource {
    /// A URL (a request's URL before redirects).
    Url(Url),
    /// `"inline"`, with the first 40 characters of the source under `'report-sample'`.
    Inline {
        /// The sample.
        sample: Option<String>,
    },
    /// `"trusted-types-policy"`, with the policy name's first 40 characters.
    TrustedTypePolicy {
        /// The sample.
        sample: String,
    },
    /// `"trusted-types-sink"`, with `sink|` and the value's first 40 characters.
    TrustedTypeSink {
        /// The sample.
        sample: String,
    },
    /// `"eval"`, with the first 40 characters of the source under `'report-sample'`.
    Eval {
        /// The sample.
        sample: Option<String>,
    },
    /// `"wasm-eval"`.
    WasmEval,
}

/// The answer of a check: "Allowed" or "Blocked".
///
/// # Example
///
/// ```
/// use content_security_policy::CheckResult;
///
/// assert_ne!(CheckResult::Allowed, CheckResult::Blocked);
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub enum CheckResult {
    /// Allowed.
    Allowed,
    /// Blocked.
    Blocked,
}

/// The answer of <https://w3c.github.io/webappsec-csp/#does-request-violate-policy>.
///
/// # Example
///
/// ```
/// use content_security_policy::Violates;
///
/// assert_eq!(Violates::DoesNotViolate, Violates::DoesNotViolate);
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub enum Violates {
    /// No directive objects.
    DoesNotViolate,
    /// This directive blocks the request.
    Directive(Directive),
}

/// A policy's disposition (<https://w3c.github.io/webappsec-csp/#policy-disposition>).
///
/// # Example
///
/// ```
/// use content_security_policy::PolicyDisposition;
///
/// assert_ne!(PolicyDisposition::Enforce, PolicyDisposition::Report);
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub enum PolicyDisposition {
    /// Violations block.
    Enforce,
    /// Violations are only reported.
    Report,
}

/// How a policy was delivered (<https://w3c.github.io/webappsec-csp/#policy-source>).
///
/// # Example
///
/// ```
/// use content_security_policy::PolicySource;
///
/// assert_ne!(PolicySource::Header, PolicySource::Meta);
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub enum PolicySource {
    /// An HTTP response header.
    Header,
    /// A `<meta http-equiv>` element: `report-uri`, `frame-ancestors` and `sandbox` are
    /// ignored in it.
    Meta,
}

/// A directive (<https://w3c.github.io/webappsec-csp/#directives>): a name and its value's
/// tokens.
///
/// # Example
///
/// ```
/// use content_security_policy::Directive;
///
/// let d = Directive { name: "img-src".into(), value: vec!["'self'".into(), "https:".into()] };
/// assert!(d.is_valid());
/// assert_eq!(d.to_string(), "img-src 'self' https:");
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[cfg_attr(feature = "serde", derive(Deserialize, Serialize))]
pub struct Directive {
    /// The name (lower-case when parsed).
    pub name: String,
    /// The value, split on ASCII whitespace.
    pub value: Vec<String>,
}

impl Display for Directive {
    /// The name, then each token after one space.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for token in &self.value {
            f.write_str(" ")?;
            f.write_str(token)?;
        }
        Ok(())
    }
}

impl Directive {
    /// Is this a valid `serialized-directive` (CSP3 §2.2.1): a `directive-name` and
    /// `directive-value` tokens?
    pub fn is_valid(&self) -> bool {
        text::is_directive_name(&self.name)
            && self.value.iter().all(|t| text::is_directive_value_token(t))
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-pre-request-check>: does this
    /// directive, in `policy`, block `request`?
    pub fn pre_request_check(&self, request: &Request, policy: &Policy) -> CheckResult {
        checks::directive_request(self, request, None, policy)
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-post-request-check>: does this
    /// directive, in `policy`, block the response to `request`?
    pub fn post_request_check(
        &self,
        request: &Request,
        response: &Response,
        policy: &Policy,
    ) -> CheckResult {
        checks::directive_request(self, request, Some(response), policy)
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-inline-check>: does this directive,
    /// in `policy`, block the inline behaviour?
    pub fn inline_check(
        &self,
        element: &Element,
        type_: InlineCheckType,
        policy: &Policy,
        source: &str,
    ) -> CheckResult {
        checks::directive_inline(self, element, type_, policy, source)
    }

    /// The sandboxing flags of this `sandbox` directive in `policy` (HTML's CSP-derived
    /// sandboxing flags, step 5); `None` when the policy does not enforce it (report-only,
    /// or delivered in `<meta>`) or the directive is not `sandbox`.
    pub fn get_sandboxing_flag_set_for_document(
        &self,
        policy: &Policy,
    ) -> Option<sandboxing_directive::SandboxingFlagSet> {
        let applies = self.name.eq_ignore_ascii_case("sandbox")
            && policy.disposition == PolicyDisposition::Enforce
            && policy.source == PolicySource::Header;
        applies.then(|| sandboxing_directive::parse_a_sandboxing_directive(&self.value))
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-pre-navigation-check>: `form-action`
    /// and `require-trusted-types-for`; every other directive allows.
    pub fn pre_navigation_check<TrustedTypesUrlProcessor>(
        &self,
        request: &mut Request,
        type_: NavigationCheckType,
        url_processor: TrustedTypesUrlProcessor,
        policy: &Policy,
    ) -> CheckResult
    where
        TrustedTypesUrlProcessor: FnMut(&str) -> Option<String>,
    {
        checks::directive_navigation(self, request, type_, url_processor, policy)
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-navigation-response-check>:
    /// `frame-ancestors`; every other directive allows.
    #[allow(clippy::ptr_arg)] // 0.9's signature.
    pub fn navigation_response_check(
        &self,
        response: &Response,
        self_origin: &Origin,
        parent_navigable_origins: &Vec<Url>,
        policy: &Policy,
    ) -> CheckResult {
        checks::directive_navigation_response(
            self,
            response,
            self_origin,
            parent_navigable_origins,
            policy,
        )
    }
}

/// The result of matching against a source list
/// (<https://w3c.github.io/webappsec-csp/#match-element-to-source-list>).
///
/// # Example
///
/// ```
/// use content_security_policy::MatchResult;
///
/// assert_ne!(MatchResult::Matches, MatchResult::DoesNotMatch);
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum MatchResult {
    /// "Matches".
    Matches,
    /// "Does Not Match".
    DoesNotMatch,
}

/// A hash algorithm of hash-sources and integrity metadata.
///
/// # Example
///
/// ```
/// use content_security_policy::HashAlgorithm;
///
/// assert_eq!(HashAlgorithm::from_name("SHA256"), Some(HashAlgorithm::Sha256));
/// assert_eq!(
///     HashAlgorithm::Sha256.apply("alert('Hello, world.');"),
///     "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="
/// );
/// ```
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The same algorithm as cspgate names it (crate-private: 0.9's API has no cspgate).
    pub(crate) const fn from_cspgate(a: cspgate::HashAlgorithm) -> HashAlgorithm {
        match a {
            cspgate::HashAlgorithm::Sha256 => HashAlgorithm::Sha256,
            cspgate::HashAlgorithm::Sha384 => HashAlgorithm::Sha384,
            cspgate::HashAlgorithm::Sha512 => HashAlgorithm::Sha512,
        }
    }

    /// The algorithm of a `hash-algorithm` token (`sha256`, `sha384`, `sha512`), compared
    /// ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        cspgate::HashAlgorithm::from_name(name).map(HashAlgorithm::from_cspgate)
    }

    /// The standard (padded) base64 of the digest of `value`'s UTF-8 bytes (SRI's "apply
    /// algorithm to bytes", [`cspgate::sri::apply_algorithm`]).
    pub fn apply(self, value: &str) -> String {
        let algorithm = match self {
            HashAlgorithm::Sha256 => cspgate::HashAlgorithm::Sha256,
            HashAlgorithm::Sha384 => cspgate::HashAlgorithm::Sha384,
            HashAlgorithm::Sha512 => cspgate::HashAlgorithm::Sha512,
        };
        cspgate::sri::apply_algorithm(algorithm, value.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_names_round_trip_and_match_cspgate() {
        for (d, name) in DESTINATIONS {
            assert_eq!(d.as_str(), name);
            assert!(matches!(name.parse::<Destination>(), Ok(p) if p == d));
            assert_eq!(checks::destination(d).as_str(), name);
        }
        assert!("Script".parse::<Destination>().is_err());
    }
}
