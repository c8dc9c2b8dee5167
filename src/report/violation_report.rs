//! CSP3 §5: turning a [`Violation`] into what the engine sends or fires: the
//! `SecurityPolicyViolationEvent` fields, the legacy `report-uri` body, the Reporting API
//! body for `report-to`, and where to send them. All of it is built on demand, off the check
//! path.

use url::Url;

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::{Resource, Violation};
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;
use crate::policy::Policy;
use crate::report::json;

/// <https://w3c.github.io/webappsec-csp/#strip-url-for-use-in-reports>: the text a report
/// shows for a URL. A URL whose scheme is not `http` or `https` becomes its scheme alone
/// (`data`, `blob`, `wss`, ...); otherwise its fragment, username and password are removed.
///
/// DEVIATION (`docs/spec-deviations.md`, entry 9, fragments in reports): step 2 sets the
/// fragment to the empty string, which would leave a trailing `#`; every engine removes the
/// fragment.
///
/// # Example
///
/// ```
/// use cspgate::strip_url_for_reports;
/// use url::Url;
///
/// let u = Url::parse("https://user:pw@app.test/a?q=1#top")?;
/// assert_eq!(strip_url_for_reports(&u), "https://app.test/a?q=1");
/// assert_eq!(strip_url_for_reports(&Url::parse("data:text/html,hi")?), "data");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn strip_url_for_reports(url: &Url) -> String {
    // Step 1.
    if !matches!(url.scheme(), "http" | "https") {
        return url.scheme().to_owned();
    }
    let mut url = url.clone();
    // Step 2 (see the DEVIATION above).
    url.set_fragment(None);
    // Steps 3-4. An http(s) URL has a host, so neither call can fail.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    // Step 5.
    url.into()
}

/// <https://w3c.github.io/webappsec-csp/#obtain-violation-blocked-uri>
fn blocked_uri(resource: Resource<'_>) -> String {
    match resource {
        // Step 2.
        Resource::Url(u) => strip_url_for_reports(u),
        // Step 3. (Step 1 asserts a URL or a string; a WebRTC violation's null resource
        // becomes the empty string, the default of the event's `blockedURI`.)
        other => other.as_str().unwrap_or("").to_owned(),
    }
}

/// Where a script was running when the violation happened (CSP3 §2.4.1 step 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SourcePosition<'a> {
    file: &'a Url,
    line: u32,
    column: u32,
}

/// What a violation report needs that the check does not know: facts about the global object
/// whose policy was violated (CSP3 §2.4 and §2.4.1).
///
/// # Example
///
/// ```
/// use cspgate::ReportContext;
/// use url::Url;
///
/// let page = Url::parse("https://app.test/page")?;
/// let referrer = Url::parse("https://search.test/?q=app")?;
/// let script = Url::parse("https://app.test/app.js")?;
/// let ctx = ReportContext::new(&page)
///     .referrer(Some(&referrer))
///     .status_code(200)
///     .source_position(&script, 12, 7);
/// assert_eq!(ctx.document_url(), &page);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportContext<'a> {
    document_url: &'a Url,
    referrer: Option<&'a Url>,
    status_code: u16,
    source: Option<SourcePosition<'a>>,
}

impl<'a> ReportContext<'a> {
    /// The context of a violation in the global whose URL is `document_url` (the violation's
    /// *url*; report-uri endpoints are resolved against it): no referrer, status 0, no script
    /// position.
    pub fn new(document_url: &'a Url) -> ReportContext<'a> {
        ReportContext {
            document_url,
            referrer: None,
            status_code: 0,
            source: None,
        }
    }

    /// Sets the referrer (a `Window`'s `document.referrer`, parsed; `None` for workers or an
    /// empty referrer).
    #[must_use]
    pub fn referrer(mut self, referrer: Option<&'a Url>) -> ReportContext<'a> {
        self.referrer = referrer;
        self
    }

    /// Sets the HTTP status code of the response the global was created from.
    #[must_use]
    pub fn status_code(mut self, status_code: u16) -> ReportContext<'a> {
        self.status_code = status_code;
        self
    }

    /// Sets the position of the running script: its URL **before any redirect** (CSP3
    /// §2.4.1 step 2 note: strip it to its origin if that URL is not known), line and column.
    #[must_use]
    pub fn source_position(mut self, file: &'a Url, line: u32, column: u32) -> ReportContext<'a> {
        self.source = Some(SourcePosition { file, line, column });
        self
    }

    /// The global's URL.
    pub fn document_url(&self) -> &'a Url {
        self.document_url
    }
}

/// Where the reports of one policy go (CSP3 §5.5 steps 4-5).
///
/// # Example
///
/// ```
/// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, ReportContext, ReportDestination, Request};
/// use url::Url;
///
/// let page = Url::parse("https://app.test/page")?;
/// let list = PolicyList::parse("img-src 'none'; report-uri /csp https://r.test/c", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&page, list);
/// let img = Url::parse("https://cdn.test/a.png")?;
/// let verdict = policy.check_request(&Request::new(&img, Destination::Image));
/// let report = policy.violation_report(&verdict.violations()[0], &ReportContext::new(&page)).unwrap();
/// match report.destination() {
///     ReportDestination::ReportUri(urls) => {
///         assert_eq!(urls[0].as_str(), "https://app.test/csp");
///         assert_eq!(urls[1].as_str(), "https://r.test/c");
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportDestination<'p> {
    /// The policy names no endpoint: fire the event only.
    None,
    /// `report-to`: queue a report of type `csp-violation` with
    /// [`ViolationReport::report_body_json`] as its body, for the endpoint of this name
    /// (from `Reporting-Endpoints`). `report-to` overrides `report-uri`, whatever their order.
    ReportTo(&'p str),
    /// `report-uri`: POST [`ViolationReport::csp_report_json`] to each URL (each token
    /// resolved against the global's URL; tokens that do not resolve are skipped), with
    /// `Content-Type: application/csp-report`, destination `report`, mode `no-cors`,
    /// credentials `same-origin`, keepalive, redirect mode `error`; ignore the response.
    ReportUri(Vec<Url>),
}

/// <https://w3c.github.io/webappsec-csp/#report-violation> steps 4-5: the destination of a
/// policy's reports.
fn destination_of<'p>(policy: &'p Policy, base: &Url) -> ReportDestination<'p> {
    // Step 5 (and step 4.1: report-to, when present, disables report-uri).
    if let Some(d) = policy.directive(DirectiveKind::ReportTo) {
        return ReportDestination::ReportTo(d.tokens().next().unwrap_or(""));
    }
    // Step 4.
    let Some(d) = policy.directive(DirectiveKind::ReportUri) else {
        return ReportDestination::None;
    };
    // Steps 4.2.1-4.2.2: parse each token against the violation's url; skip failures.
    let urls: Vec<Url> = d.tokens().filter_map(|t| base.join(t).ok()).collect();
    if urls.is_empty() {
        ReportDestination::None
    } else {
        ReportDestination::ReportUri(urls)
    }
}

/// One violation, ready to be reported: the fields of the `SecurityPolicyViolationEvent` to
/// fire (CSP3 §5.5 step 3), and the two report bodies.
///
/// Built by [`DocumentPolicy::violation_report`]; this is the cold path, and it allocates
/// the stripped URLs.
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, DocumentPolicy, InlineCheck, InlineType, PolicyList, PolicySource, ReportContext};
/// use url::Url;
///
/// let page = Url::parse("https://app.test/page#intro")?;
/// let list = PolicyList::parse("script-src 'self' 'report-sample'; report-to csp", Disposition::Enforce, PolicySource::Header);
/// let policy = DocumentPolicy::new(&page, list);
/// let verdict = policy.check_inline(&InlineCheck::new(InlineType::ScriptAttribute, "doEvil()"));
/// let report = policy
///     .violation_report(&verdict.violations()[0], &ReportContext::new(&page).status_code(200))
///     .unwrap();
/// assert_eq!(report.document_uri(), "https://app.test/page");
/// assert_eq!(report.blocked_uri(), "inline");
/// assert_eq!(report.effective_directive(), "script-src-attr");
/// assert_eq!(report.sample(), "doEvil()");
/// assert_eq!(
///     report.report_body_json(),
///     r#"{"documentURL":"https://app.test/page","referrer":null,"blockedURL":"inline","effectiveDirective":"script-src-attr","originalPolicy":"script-src 'self' 'report-sample'; report-to csp","sourceFile":null,"sample":"doEvil()","disposition":"enforce","statusCode":200,"lineNumber":null,"columnNumber":null}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViolationReport<'a> {
    document_uri: String,
    referrer: Option<String>,
    blocked_uri: String,
    effective_directive: DirectiveKind,
    original_policy: &'a str,
    disposition: Disposition,
    status_code: u16,
    sample: std::borrow::Cow<'a, str>,
    source_file: Option<String>,
    line_number: u32,
    column_number: u32,
    destination: ReportDestination<'a>,
}

impl<'a> ViolationReport<'a> {
    /// The `Content-Type` of a `report-uri` body.
    pub const CSP_REPORT_CONTENT_TYPE: &'static str = "application/csp-report";

    /// The Reporting API report type of a `report-to` report.
    pub const REPORT_TYPE: &'static str = "csp-violation";

    /// `documentURI`: the global's URL, stripped for reports.
    pub fn document_uri(&self) -> &str {
        &self.document_uri
    }

    /// `referrer`: the stripped referrer; empty when there is none.
    pub fn referrer(&self) -> &str {
        self.referrer.as_deref().unwrap_or("")
    }

    /// `blockedURI`: the stripped URL of the resource, or `inline`, `eval`, `wasm-eval`.
    pub fn blocked_uri(&self) -> &str {
        &self.blocked_uri
    }

    /// `effectiveDirective`, e.g. `connect-src`.
    pub fn effective_directive(&self) -> &'static str {
        self.effective_directive.as_str()
    }

    /// `violatedDirective`: the same value as `effectiveDirective` (a historical alias).
    pub fn violated_directive(&self) -> &'static str {
        self.effective_directive.as_str()
    }

    /// `originalPolicy`: the violated policy as delivered (one comma-separated piece of its
    /// header value, trimmed), which is what the engines send.
    pub fn original_policy(&self) -> &'a str {
        self.original_policy
    }

    /// `disposition`: `"enforce"` or `"report"`.
    pub fn disposition(&self) -> Disposition {
        self.disposition
    }

    /// `statusCode`.
    pub fn status_code(&self) -> u16 {
        self.status_code
    }

    /// `sample`: up to 40 characters of the inline source, eval string or Trusted Types
    /// policy name, `sink|` and up to 40 characters of a value refused by
    /// `require-trusted-types-for`, or empty.
    pub fn sample(&self) -> &str {
        &self.sample
    }

    /// `sourceFile`: the stripped script URL; empty when no script was running.
    pub fn source_file(&self) -> &str {
        self.source_file.as_deref().unwrap_or("")
    }

    /// `lineNumber` (0 when no script was running).
    pub fn line_number(&self) -> u32 {
        self.line_number
    }

    /// `columnNumber` (0 when no script was running).
    pub fn column_number(&self) -> u32 {
        self.column_number
    }

    /// Where to send the reports of the violated policy.
    pub fn destination(&self) -> &ReportDestination<'a> {
        &self.destination
    }

    /// <https://w3c.github.io/webappsec-csp/#deprecated-serialize-violation>: the
    /// `report-uri` body, `{"csp-report": {...}}`, with every key of the spec's map in its
    /// order (`source-file`, `line-number` and `column-number` only when a script was
    /// running; a missing referrer as `""`).
    #[cold]
    #[inline(never)]
    pub fn csp_report_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.original_policy.len());
        let mut outer = json::Object::new(&mut out);
        // Step 4: «[ "csp-report" → body ]».
        let mut body = outer.object("csp-report");
        // Step 1.
        body.string("document-uri", &self.document_uri)
            .string("referrer", self.referrer())
            .string("blocked-uri", &self.blocked_uri)
            .string("effective-directive", self.effective_directive())
            .string("violated-directive", self.violated_directive())
            .string("original-policy", self.original_policy)
            .string("disposition", self.disposition.as_str())
            .number("status-code", u64::from(self.status_code))
            .string("script-sample", &self.sample);
        // Step 2.
        if let Some(file) = &self.source_file {
            body.string("source-file", file)
                .number("line-number", u64::from(self.line_number))
                .number("column-number", u64::from(self.column_number));
        }
        body.finish();
        outer.finish();
        out
    }

    /// The `CSPViolationReportBody` of a `report-to` report (CSP3 §5.5 step 5.1), as the
    /// JSON object the Reporting API puts under `"body"` (the engine's Reporting API adds
    /// the envelope: `type` [`csp-violation`](ViolationReport::REPORT_TYPE), `age`, `url`,
    /// `user_agent`). `referrer` and `sourceFile` are `null` when absent, and `lineNumber`
    /// and `columnNumber` are `null` when there is no source file.
    #[cold]
    #[inline(never)]
    pub fn report_body_json(&self) -> String {
        let mut out = String::with_capacity(256 + self.original_policy.len());
        let has_source = self.source_file.is_some();
        let mut body = json::Object::new(&mut out);
        body.string("documentURL", &self.document_uri)
            .opt_string("referrer", self.referrer.as_deref())
            .string("blockedURL", &self.blocked_uri)
            .string("effectiveDirective", self.effective_directive())
            .string("originalPolicy", self.original_policy)
            .opt_string("sourceFile", self.source_file.as_deref())
            .string("sample", &self.sample)
            .string("disposition", self.disposition.as_str())
            .number("statusCode", u64::from(self.status_code))
            .opt_number(
                "lineNumber",
                has_source.then_some(u64::from(self.line_number)),
            )
            .opt_number(
                "columnNumber",
                has_source.then_some(u64::from(self.column_number)),
            );
        body.finish();
        out
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ViolationReport<'_> {
    /// Serializes the `CSPViolationReportBody` (the keys of
    /// [`ViolationReport::report_body_json`]).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let has_source = self.source_file.is_some();
        let mut s = serializer.serialize_struct("CSPViolationReportBody", 11)?;
        s.serialize_field("documentURL", &self.document_uri)?;
        s.serialize_field("referrer", &self.referrer)?;
        s.serialize_field("blockedURL", &self.blocked_uri)?;
        s.serialize_field("effectiveDirective", self.effective_directive())?;
        s.serialize_field("originalPolicy", self.original_policy)?;
        s.serialize_field("sourceFile", &self.source_file)?;
        s.serialize_field("sample", &*self.sample)?;
        s.serialize_field("disposition", self.disposition.as_str())?;
        s.serialize_field("statusCode", &self.status_code)?;
        s.serialize_field("lineNumber", &has_source.then_some(self.line_number))?;
        s.serialize_field("columnNumber", &has_source.then_some(self.column_number))?;
        s.end()
    }
}

impl DocumentPolicy {
    /// Builds the report of a violation this policy produced (CSP3 §5.5 "report a
    /// violation", everything but the sending): the event's fields, both report bodies, and
    /// the destination. `None` when `violation` names a policy index this list does not
    /// have (it came from another `DocumentPolicy`).
    ///
    /// Call it only for violations you report: it allocates.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, ReportContext, ReportDestination, Request};
    /// use url::Url;
    ///
    /// let page = Url::parse("https://app.test/page")?;
    /// let list = PolicyList::parse("connect-src 'self'; report-uri /csp-reports", Disposition::Enforce, PolicySource::Header);
    /// let policy = DocumentPolicy::new(&page, list);
    /// let api = Url::parse("https://evil.test/collect#x")?;
    /// let verdict = policy.check_request(&Request::new(&api, Destination::Empty));
    /// let report = policy.violation_report(&verdict.violations()[0], &ReportContext::new(&page)).unwrap();
    /// assert_eq!(report.blocked_uri(), "https://evil.test/collect");
    /// assert!(report.csp_report_json().starts_with(r#"{"csp-report":{"document-uri":"https://app.test/page","#));
    /// assert!(matches!(report.destination(), ReportDestination::ReportUri(u) if u[0].path() == "/csp-reports"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cold]
    #[inline(never)]
    pub fn violation_report<'a>(
        &'a self,
        violation: &Violation<'a>,
        context: &ReportContext<'_>,
    ) -> Option<ViolationReport<'a>> {
        let policy = self.policies().get(violation.policy_index())?;
        Some(ViolationReport {
            document_uri: strip_url_for_reports(context.document_url),
            referrer: context.referrer.map(strip_url_for_reports),
            blocked_uri: blocked_uri(violation.resource()),
            effective_directive: violation.directive(),
            original_policy: policy.text(),
            disposition: violation.disposition(),
            status_code: context.status_code,
            sample: violation.full_sample(),
            source_file: context.source.map(|s| strip_url_for_reports(s.file)),
            line_number: context.source.map_or(0, |s| s.line),
            column_number: context.source.map_or(0, |s| s.column),
            destination: destination_of(policy, context.document_url),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Destination, InlineCheck, InlineType, PolicyList, PolicySource, Request};
    use serde_json::Value;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn policy(text: &str, d: Disposition) -> DocumentPolicy {
        DocumentPolicy::new(
            &url("https://app.test/page"),
            PolicyList::parse(text, d, PolicySource::Header),
        )
    }

    #[test]
    fn strip_url_for_use_in_reports_steps_1_to_5() {
        for (input, want) in [
            (
                "https://u:p@a.test:8443/x/y?q=1#f",
                "https://a.test:8443/x/y?q=1",
            ),
            ("http://u@a.test/", "http://a.test/"),
            ("https://a.test/#", "https://a.test/"),
            ("data:text/plain,secret", "data"),
            ("blob:https://a.test/uuid", "blob"),
            ("wss://a.test/socket", "wss"),
            ("about:blank", "about"),
            ("javascript:alert(1)", "javascript"),
            ("chrome-extension://abc/x", "chrome-extension"),
        ] {
            assert_eq!(strip_url_for_reports(&url(input)), want, "{input}");
        }
    }

    #[test]
    fn obtain_blocked_uri_steps_2_and_3() {
        let u = url("https://x.test/a#b");
        assert_eq!(blocked_uri(Resource::Url(&u)), "https://x.test/a");
        assert_eq!(blocked_uri(Resource::Inline), "inline");
        assert_eq!(blocked_uri(Resource::Eval), "eval");
        assert_eq!(blocked_uri(Resource::WasmEval), "wasm-eval");
        // §4.3.1 leaves a WebRTC violation's resource null, which step 1 does not expect.
        assert_eq!(blocked_uri(Resource::None), "");
    }

    #[test]
    fn deprecated_serialize_violation_has_every_key_in_order() {
        let p = policy(
            "script-src 'self'; report-uri https://r.test/\"quoted\"",
            Disposition::Report,
        );
        let v = p.check_eval("eval('x')", false);
        let page = url("https://u:p@app.test/page#frag");
        let referrer = url("https://ref.test/r#x");
        let ctx = ReportContext::new(&page)
            .referrer(Some(&referrer))
            .status_code(404);
        let r = p.violation_report(&v.violations()[0], &ctx).unwrap();
        let json = r.csp_report_json();
        let parsed: Value = serde_json::from_str(&json).unwrap();
        let body = parsed["csp-report"].as_object().unwrap();
        let keys: Vec<&str> = body.keys().map(String::as_str).collect();
        // serde_json's map is sorted; check the text order separately.
        assert_eq!(keys.len(), 9);
        let order = [
            "document-uri",
            "referrer",
            "blocked-uri",
            "effective-directive",
            "violated-directive",
            "original-policy",
            "disposition",
            "status-code",
            "script-sample",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|k| json.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert_eq!(body["document-uri"], "https://app.test/page");
        assert_eq!(body["referrer"], "https://ref.test/r");
        assert_eq!(body["blocked-uri"], "eval");
        assert_eq!(body["effective-directive"], "script-src");
        assert_eq!(body["violated-directive"], "script-src");
        assert_eq!(
            body["original-policy"],
            "script-src 'self'; report-uri https://r.test/\"quoted\""
        );
        assert_eq!(body["disposition"], "report");
        assert_eq!(body["status-code"], 404);
        assert_eq!(body["script-sample"], "");
    }

    #[test]
    fn deprecated_serialize_violation_step_2_source_position() {
        let p = policy("script-src 'self' 'report-sample'", Disposition::Enforce);
        let v = p.check_eval("eval(\"\\n\")\u{1}", false);
        let page = url("https://app.test/page");
        let file = url("https://app.test/lib.js#L3");
        let ctx = ReportContext::new(&page).source_position(&file, 3, 14);
        let r = p.violation_report(&v.violations()[0], &ctx).unwrap();
        let parsed: Value = serde_json::from_str(&r.csp_report_json()).unwrap();
        let body = &parsed["csp-report"];
        assert_eq!(body["source-file"], "https://app.test/lib.js");
        assert_eq!(body["line-number"], 3);
        assert_eq!(body["column-number"], 14);
        assert_eq!(body["script-sample"], "eval(\"\\n\")\u{1}");
        assert_eq!(body["referrer"], "");
        // The report-to body has them too, and nulls without a source file.
        let b: Value = serde_json::from_str(&r.report_body_json()).unwrap();
        assert_eq!(b["sourceFile"], "https://app.test/lib.js");
        assert_eq!(b["lineNumber"], 3);
        let r = p
            .violation_report(&v.violations()[0], &ReportContext::new(&page))
            .unwrap();
        let b: Value = serde_json::from_str(&r.report_body_json()).unwrap();
        assert!(b["sourceFile"].is_null() && b["lineNumber"].is_null() && b["referrer"].is_null());
        assert_eq!(r.source_file(), "");
        assert_eq!(r.line_number(), 0);
    }

    #[test]
    fn report_violation_step_5_body_has_every_csp_violation_report_body_key() {
        let p = policy("img-src 'none'; report-to main", Disposition::Enforce);
        let img = url("https://cdn.test/a.png?x=1#y");
        let v = p.check_request(&Request::new(&img, Destination::Image));
        let page = url("https://app.test/page");
        let r = p
            .violation_report(
                &v.violations()[0],
                &ReportContext::new(&page).status_code(200),
            )
            .unwrap();
        let b: Value = serde_json::from_str(&r.report_body_json()).unwrap();
        let mut keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "blockedURL",
                "columnNumber",
                "disposition",
                "documentURL",
                "effectiveDirective",
                "lineNumber",
                "originalPolicy",
                "referrer",
                "sample",
                "sourceFile",
                "statusCode"
            ]
        );
        assert_eq!(b["blockedURL"], "https://cdn.test/a.png?x=1");
        assert_eq!(b["effectiveDirective"], "img-src");
        assert_eq!(b["statusCode"], 200);
        assert_eq!(r.destination(), &ReportDestination::ReportTo("main"));
    }

    #[test]
    fn report_violation_steps_4_and_5_report_to_overrides_report_uri() {
        let page = url("https://app.test/dir/page");
        let check = |text: &str, want: ReportDestination<'_>| {
            let p = policy(text, Disposition::Enforce);
            let v = p.check_wasm();
            let r = p
                .violation_report(&v.violations()[0], &ReportContext::new(&page))
                .unwrap();
            assert_eq!(r.destination(), &want, "{text}");
        };
        check(
            "report-uri /a; script-src 'none'; report-to g",
            ReportDestination::ReportTo("g"),
        );
        check(
            "script-src 'none'; report-uri rel https://x.test/abs http://[bad",
            ReportDestination::ReportUri(vec![
                url("https://app.test/dir/rel"),
                url("https://x.test/abs"),
            ]),
        );
        check("script-src 'none'", ReportDestination::None);
        check(
            "script-src 'none'; report-uri http://[bad",
            ReportDestination::None,
        );
    }

    #[test]
    fn report_for_inline_and_frame_ancestors() {
        let p = policy("style-src 'report-sample'", Disposition::Enforce);
        let long = format!("color:red;{}", "x".repeat(60));
        let v = p.check_inline(&InlineCheck::new(InlineType::StyleAttribute, &long));
        let page = url("https://app.test/page");
        let r = p
            .violation_report(&v.violations()[0], &ReportContext::new(&page))
            .unwrap();
        assert_eq!(r.blocked_uri(), "inline");
        assert_eq!(r.sample().chars().count(), 40);
        assert_eq!(r.effective_directive(), "style-src-attr");
        // A violation of another document's policy list is not ours to report.
        let other = policy("img-src 'none', img-src 'none'", Disposition::Enforce);
        let img = url("https://x.test/");
        let v2 = other.check_request(&Request::new(&img, Destination::Image));
        assert!(p
            .violation_report(&v2.violations()[1], &ReportContext::new(&page))
            .is_none());
    }

    #[test]
    fn event_fields() {
        let p = policy("connect-src 'none'", Disposition::Report);
        let api = url("https://api.test/x");
        let v = p.check_request(&Request::new(&api, Destination::Empty));
        let page = url("https://app.test/page");
        let r = p
            .violation_report(&v.violations()[0], &ReportContext::new(&page))
            .unwrap();
        assert_eq!(r.document_uri(), "https://app.test/page");
        assert_eq!(r.referrer(), "");
        assert_eq!(r.blocked_uri(), "https://api.test/x");
        assert_eq!(r.effective_directive(), "connect-src");
        assert_eq!(r.violated_directive(), "connect-src");
        assert_eq!(r.original_policy(), "connect-src 'none'");
        assert_eq!(r.disposition(), Disposition::Report);
        assert_eq!(r.status_code(), 0);
        assert_eq!(r.sample(), "");
        assert_eq!(r.column_number(), 0);
    }
}
