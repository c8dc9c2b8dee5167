//! CSP3 §4.2.3 and §6.7.3: may an inline `<script>`, `<style>`, event handler, `style`
//! attribute or `javascript:` URL run?
//!
//! The check reads each policy's governing directive for the inline type (the table
//! `Policy::finish` precomputed) and runs "does element match source list" (§6.7.3.3) on it:
//! `'unsafe-inline'` (unless a nonce, a hash or, for scripts, `'strict-dynamic'` disables it),
//! the element's nonce, `'strict-dynamic'` for script-inserted scripts, and hash-sources. The
//! source is hashed at most once per algorithm per check, lazily, into stack buffers: an
//! allowed check allocates nothing.

use base64::Engine as _;
use sha2::Digest as _;

use crate::checks::document::DocumentPolicy;
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::names::destination::Effective;
use crate::names::directive::DirectiveKind;
use crate::names::keywords::{HashAlgorithm, Keywords};
use crate::names::vocabulary::name_enum;
use crate::policy::source_list::{HashSource, ListRef};

name_enum! {
    /// The kind of inline behaviour an inline check is about (the `type` of CSP3 §4.2.3 and
    /// §6.7.3).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{DirectiveKind, InlineType};
    ///
    /// let t: InlineType = "script attribute".parse()?;
    /// assert_eq!(t, InlineType::ScriptAttribute);
    /// assert_eq!(t.effective_directive(), DirectiveKind::ScriptSrcAttr);
    /// assert_eq!(InlineType::Navigation.as_str(), "navigation");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum InlineType, "inline check type", "The name CSP3 uses (`\"script attribute\"`, ...)." {
        /// `"script"`: an inline `<script>` element's text.
        Script => "script",
        /// `"script attribute"`: an event handler content attribute (`onclick`, ...).
        ScriptAttribute => "script attribute",
        /// `"style"`: an inline `<style>` element's text.
        Style => "style",
        /// `"style attribute"`: a `style` content attribute.
        StyleAttribute => "style attribute",
        /// `"navigation"`: a navigation to a `javascript:` URL (the source is the whole URL).
        Navigation => "navigation",
    }
}

impl InlineType {
    /// <https://w3c.github.io/webappsec-csp/#effective-directive-for-inline-check>: the
    /// directive a violation of this type names.
    pub const fn effective_directive(self) -> DirectiveKind {
        self.slot().directive()
    }

    /// The governing-table slot of [`InlineType::effective_directive`].
    #[inline]
    pub(crate) const fn slot(self) -> Effective {
        // Step 1 of #effective-directive-for-inline-check.
        match self {
            InlineType::Script | InlineType::Navigation => Effective::ScriptSrcElem,
            InlineType::ScriptAttribute => Effective::ScriptSrcAttr,
            InlineType::Style => Effective::StyleSrcElem,
            InlineType::StyleAttribute => Effective::StyleSrcAttr,
        }
    }
}

/// What an inline check reads about the element (or the `javascript:` URL), borrowed from the
/// engine.
///
/// - `source`: the inline text (the script or style text, the attribute value, or for
///   [`InlineType::Navigation`] the whole `javascript:` URL). CSP3 hashes its UTF-8 encoding;
///   an engine holding UTF-16 converts it first (lone surrogates become U+FFFD, which is
///   what "JavaScript string converting" does).
/// - [`nonce`](InlineCheck::nonce): the element's `[[CryptographicNonce]]`.
/// - [`nonceable`](InlineCheck::nonceable): the result of CSP3 §6.7.3.1 "is element
///   nonceable?", which only the engine can compute (the element has a `nonce` attribute; for a
///   `<script>`, no attribute name or value contains `<script` or `<style`; no
///   duplicate-attribute parse error). It defaults to `false`, so that a forgotten call
///   fails closed: the nonce is then ignored.
/// - [`parser_inserted`](InlineCheck::parser_inserted): whether the HTML parser inserted the
///   element. It defaults to `true` (fail-closed: only a script that is *not*
///   parser-inserted is allowed by `'strict-dynamic'`, §6.7.3.3 step 5.2.1).
///
/// Nonces and `parser_inserted` only matter for [`InlineType::Script`] and
/// [`InlineType::Style`]; a `javascript:` navigation has no element at all.
///
/// # Example
///
/// ```
/// use cspgate::{InlineCheck, InlineType};
///
/// let check = InlineCheck::new(InlineType::Script, "alert(1)")
///     .nonce("r4nd0m")
///     .nonceable(true)
///     .parser_inserted(false);
/// assert_eq!(check.kind(), InlineType::Script);
/// assert_eq!(check.source(), "alert(1)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlineCheck<'a> {
    kind: InlineType,
    source: &'a str,
    nonce: &'a str,
    nonceable: bool,
    parser_inserted: bool,
}

impl<'a> InlineCheck<'a> {
    /// A check of inline behaviour of type `kind` whose text is `source`; no nonce, not
    /// nonceable, parser-inserted.
    #[inline]
    pub fn new(kind: InlineType, source: &'a str) -> InlineCheck<'a> {
        InlineCheck {
            kind,
            source,
            nonce: "",
            nonceable: false,
            parser_inserted: true,
        }
    }

    /// Sets the element's nonce (its `[[CryptographicNonce]]` internal slot).
    #[inline]
    #[must_use]
    pub fn nonce(mut self, nonce: &'a str) -> InlineCheck<'a> {
        self.nonce = nonce;
        self
    }

    /// Sets whether the element is nonceable (CSP3 §6.7.3.1, computed by the engine).
    #[inline]
    #[must_use]
    pub fn nonceable(mut self, nonceable: bool) -> InlineCheck<'a> {
        self.nonceable = nonceable;
        self
    }

    /// Sets whether the HTML parser inserted the element.
    #[inline]
    #[must_use]
    pub fn parser_inserted(mut self, parser_inserted: bool) -> InlineCheck<'a> {
        self.parser_inserted = parser_inserted;
        self
    }

    /// The inline type.
    #[inline]
    pub fn kind(&self) -> InlineType {
        self.kind
    }

    /// The inline text.
    #[inline]
    pub fn source(&self) -> &'a str {
        self.source
    }
}

/// The base64 text of the source's SHA-2 digests, each computed on first use and kept for the
/// rest of one check (all policies): a source is hashed at most once per algorithm.
struct Digests<'s> {
    source: &'s [u8],
    sha256: Option<[u8; 44]>,
    sha384: Option<[u8; 64]>,
    sha512: Option<[u8; 88]>,
}

#[cfg(test)]
thread_local! {
    /// How many digests this thread computed (tests assert "once per algorithm per check").
    static DIGESTS_COMPUTED: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

/// The padded base64 encoding of a digest, into a buffer of exactly its length.
fn encode<const N: usize>(digest: &[u8]) -> [u8; N] {
    #[cfg(test)]
    DIGESTS_COMPUTED.with(|c| c.set(c.get() + 1));
    let mut out = [0u8; N];
    // `N` is the padded base64 length of the digest (44, 64, 88), so this cannot fail; if it
    // did, the zero bytes would equal no base64 text and the hash would match nothing.
    let written = base64::engine::general_purpose::STANDARD.encode_slice(digest, &mut out);
    debug_assert_eq!(written.ok(), Some(N));
    out
}

impl<'s> Digests<'s> {
    fn new(source: &'s str) -> Digests<'s> {
        Digests {
            // §6.7.3.3 step 5.1: UTF-8 encode (a `str` is already a scalar value string).
            source: source.as_bytes(),
            sha256: None,
            sha384: None,
            sha512: None,
        }
    }

    /// §6.7.3.3 step 5.2.2.5.1: "the result of base64 encoding the result of applying
    /// algorithm to source".
    fn base64(&mut self, algorithm: HashAlgorithm) -> &[u8] {
        let source = self.source;
        match algorithm {
            HashAlgorithm::Sha256 => self
                .sha256
                .get_or_insert_with(|| encode(&sha2::Sha256::digest(source))),
            HashAlgorithm::Sha384 => self
                .sha384
                .get_or_insert_with(|| encode(&sha2::Sha384::digest(source))),
            HashAlgorithm::Sha512 => self
                .sha512
                .get_or_insert_with(|| encode(&sha2::Sha512::digest(source))),
        }
    }
}

/// §6.7.3.3 steps 5.2.2.1-5.2.2.5: does one hash-source match the source?
///
/// The comparison is CSP3's textual one: the padded base64 text of the digest must be
/// identical to the expression's base64-value with `-` read as `+` and `_` as `/`. So a value
/// without its `=` padding never matches, and neither does any other spelling of the digest.
fn hash_matches(hash: &HashSource, digests: &mut Digests<'_>) -> bool {
    // Steps 5.2.2.1-5.2.2.4: the algorithm (the parser only keeps sha256, sha384, sha512).
    // Step 5.2.2.5.1.
    let actual = digests.base64(hash.algorithm);
    // Steps 5.2.2.5.2-5.2.2.5.3: compare with the value after the base64url replacements.
    let expected = hash.value.as_bytes();
    actual.len() == expected.len()
        && actual.iter().zip(expected).all(|(&a, &e)| {
            let e = match e {
                b'-' => b'+',
                b'_' => b'/',
                other => other,
            };
            a == e
        })
}

/// <https://w3c.github.io/webappsec-csp/#allow-all-inline>
fn allows_all_inline(list: ListRef<'_>, kind: InlineType) -> bool {
    // Step 2.1: any nonce-source or hash-source disables 'unsafe-inline'.
    if list.has_nonce_or_hash() {
        return false;
    }
    let keywords = list.keywords();
    // Step 2.2: so does 'strict-dynamic', for scripts, event handlers and javascript: URLs.
    if matches!(
        kind,
        InlineType::Script | InlineType::ScriptAttribute | InlineType::Navigation
    ) && keywords.contains(Keywords::STRICT_DYNAMIC)
    {
        return false;
    }
    // Steps 1, 2.3 and 3.
    keywords.contains(Keywords::UNSAFE_INLINE)
}

/// <https://w3c.github.io/webappsec-csp/#match-element-to-source-list>
fn element_matches(list: ListRef<'_>, check: &InlineCheck<'_>, digests: &mut Digests<'_>) -> bool {
    let script_or_style = matches!(check.kind, InlineType::Script | InlineType::Style);
    // Step 1.
    if allows_all_inline(list, check.kind) {
        return true;
    }
    // Step 2: nonces, for nonceable <script> and <style> elements only. Step 2.1.1 compares
    // the value exactly (an empty nonce matches nothing: a nonce-source's value is not empty).
    if script_or_style && check.nonceable && list.matches_nonce(check.nonce) {
        return true;
    }
    // Steps 3-4.
    let unsafe_hashes = list.keywords().contains(Keywords::UNSAFE_HASHES);
    // Step 5.
    if script_or_style || unsafe_hashes {
        // Step 5.2.1 ('strict-dynamic' and a script that is not parser-inserted) and step
        // 5.2.2 (hash-sources) each answer "Matches" on their own, so testing one before the
        // other gives the result of the spec's single loop.
        if check.kind == InlineType::Script
            && !check.parser_inserted
            && list.keywords().contains(Keywords::STRICT_DYNAMIC)
        {
            return true;
        }
        // Step 5.2.2.
        if list.hashes().any(|h| hash_matches(&h, digests)) {
            return true;
        }
    }
    // Step 6.
    false
}

/// The first 40 characters of `source` (CSP3 §2.4 *sample*).
///
/// Characters are counted as UTF-16 code units, as Infra strings and the engines count them,
/// except that a surrogate pair is never split: a character that would straddle the 40th
/// unit is left out.
pub(crate) fn sample_of(source: &str) -> &str {
    const SAMPLE_UNITS: usize = 40;
    let mut units = 0;
    for (i, c) in source.char_indices() {
        units += c.len_utf16();
        if units > SAMPLE_UNITS {
            return source.get(..i).unwrap_or("");
        }
    }
    source
}

/// The loop of <https://w3c.github.io/webappsec-csp/#should-block-inline> step 3, shared with
/// step 3.1 of <https://w3c.github.io/webappsec-csp/#should-block-navigation-request>.
pub(crate) fn run<'r>(doc: &DocumentPolicy, check: &InlineCheck<'r>, verdict: &mut Verdict<'r>) {
    let slot = check.kind.slot();
    let mut digests = Digests::new(check.source);
    // Step 3.
    for (i, policy) in doc.policies().iter().enumerate() {
        // Step 3.1: every directive's inline check; by §6.8.4 only the governing directive of
        // the effective directive's fallback list can answer "Blocked" (default-src, script-src
        // and the others run §6.7.3.3 on their own value). No governing directive: allowed.
        let Some(g) = policy.governor(slot) else {
            continue;
        };
        let list = policy.list(g.list);
        // Step 3.1.1.
        if element_matches(list, check, &mut digests) {
            continue;
        }
        // Steps 3.1.2-3.1.8.
        // Step 3.1.2 (§4.2.4 step 3.1.1.1); step 3.1.4: the resource is "inline".
        let violation = Violation::new(
            policy,
            i,
            check.kind.effective_directive(),
            g.directive,
            Resource::Inline,
        );
        // Step 3.1.6: the sample, when the failing directive asks for one. §4.2.4 step 3
        // sets none for a javascript: navigation.
        verdict.push(
            if check.kind != InlineType::Navigation
                && list.keywords().contains(Keywords::REPORT_SAMPLE)
            {
                violation.with_sample(sample_of(check.source))
            } else {
                violation
            },
        );
    }
}

impl DocumentPolicy {
    /// <https://w3c.github.io/webappsec-csp/#should-block-inline>: may this inline script,
    /// style, event handler or style attribute run (or apply)?
    ///
    /// Every policy is checked: the verdict is blocked when an enforced policy objects, and
    /// lists the violations of enforced and report-only policies alike (resource `inline`,
    /// effective directive `script-src-elem`, `script-src-attr`, `style-src-elem` or
    /// `style-src-attr`, and a [sample](crate::Violation::sample) when the failing directive
    /// has `'report-sample'`). A policy with no `script-src*`, `style-src*` or `default-src`
    /// for the type allows it.
    ///
    /// For a `javascript:` URL use
    /// [`check_navigation_request`](DocumentPolicy::check_navigation_request), which runs the
    /// same check with type `navigation` after `form-action`; calling this with
    /// [`InlineType::Navigation`] runs that half alone (no element, no sample).
    ///
    /// Allocation-free whenever at most two policies report a violation; the source is hashed
    /// at most once per hash algorithm that some governing list names.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Disposition, DocumentPolicy, InlineCheck, InlineType, PolicyList, PolicySource};
    /// use url::Url;
    ///
    /// let doc = Url::parse("https://app.test/")?;
    /// let list = PolicyList::parse(
    ///     "script-src 'nonce-r4nd0m' 'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=' 'report-sample'",
    ///     Disposition::Enforce,
    ///     PolicySource::Header,
    /// );
    /// let policy = DocumentPolicy::new(&doc, list);
    ///
    /// // A nonceable <script nonce="r4nd0m">.
    /// let nonced = InlineCheck::new(InlineType::Script, "run()").nonce("r4nd0m").nonceable(true);
    /// assert!(policy.check_inline(&nonced).is_allowed());
    /// // A script whose text has the listed SHA-256.
    /// let hashed = InlineCheck::new(InlineType::Script, "alert('Hello, world.');");
    /// assert!(policy.check_inline(&hashed).is_allowed());
    /// // An event handler: nonces never apply, and hashes only with 'unsafe-hashes'.
    /// let handler = InlineCheck::new(InlineType::ScriptAttribute, "alert('Hello, world.');");
    /// let verdict = policy.check_inline(&handler);
    /// assert!(verdict.is_blocked());
    /// assert_eq!(verdict.violations()[0].directive().as_str(), "script-src-attr");
    /// assert_eq!(verdict.violations()[0].sample(), "alert('Hello, world.');");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_inline<'r>(&self, check: &InlineCheck<'r>) -> Verdict<'r> {
        // Steps 1-2.
        let mut verdict = Verdict::allowed();
        // Step 3.
        run(self, check, &mut verdict);
        // Step 4.
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Disposition, PolicyList, PolicySource};
    use url::Url;

    /// SHA-256 of `alert('Hello, world.');` (CSP3's own example).
    const HELLO: &str = "alert('Hello, world.');";
    const HELLO_256: &str = "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=";

    fn doc(policy: &str) -> DocumentPolicy {
        let url = Url::parse("https://app.test/").unwrap();
        DocumentPolicy::new(
            &url,
            PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header),
        )
    }

    fn allowed(policy: &str, check: InlineCheck<'_>) -> bool {
        doc(policy).check_inline(&check).is_allowed()
    }

    fn script(source: &str) -> InlineCheck<'_> {
        InlineCheck::new(InlineType::Script, source)
    }

    fn b64(digest: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(digest)
    }

    #[test]
    fn inline_check_source_is_the_text_it_was_built_with() {
        let check = InlineCheck::new(InlineType::StyleAttribute, "color: red")
            .nonce("n")
            .nonceable(true)
            .parser_inserted(false);
        assert_eq!(check.source(), "color: red");
        assert_eq!(InlineCheck::new(InlineType::Script, "").source(), "");
    }

    #[test]
    fn effective_directive_for_inline_check_step_1() {
        use DirectiveKind as D;
        let want = [
            (InlineType::Script, D::ScriptSrcElem),
            (InlineType::ScriptAttribute, D::ScriptSrcAttr),
            (InlineType::Style, D::StyleSrcElem),
            (InlineType::StyleAttribute, D::StyleSrcAttr),
            (InlineType::Navigation, D::ScriptSrcElem),
        ];
        for (t, d) in want {
            assert_eq!(t.effective_directive(), d);
            assert_eq!(t.as_str().parse::<InlineType>(), Ok(t));
        }
        assert!("Script".parse::<InlineType>().is_err());
    }

    #[test]
    fn should_block_inline_no_governing_directive_allows() {
        assert!(allowed("img-src 'none'; connect-src 'none'", script("x")));
        assert!(allowed(
            "script-src 'none'",
            InlineCheck::new(InlineType::Style, "p{}")
        ));
        assert!(allowed(
            "style-src 'none'",
            InlineCheck::new(InlineType::ScriptAttribute, "f()")
        ));
        assert!(!allowed("default-src 'self'", script("x")));
    }

    #[test]
    fn allow_all_inline_step_2_3_unsafe_inline_allows_every_type() {
        for &t in InlineType::ALL {
            let p = match t {
                InlineType::Style | InlineType::StyleAttribute => "style-src 'unsafe-inline'",
                _ => "script-src 'unsafe-inline'",
            };
            assert!(allowed(p, InlineCheck::new(t, "x")), "{t}");
            assert!(
                allowed(&p.to_uppercase(), InlineCheck::new(t, "x")),
                "{t}, upper case"
            );
        }
    }

    #[test]
    fn allow_all_inline_step_2_1_nonce_disables_unsafe_inline() {
        for t in [
            InlineType::Script,
            InlineType::ScriptAttribute,
            InlineType::Navigation,
        ] {
            assert!(!allowed(
                "script-src 'unsafe-inline' 'nonce-abc'",
                InlineCheck::new(t, "x")
            ));
        }
        assert!(!allowed(
            "style-src 'unsafe-inline' 'nonce-abc'",
            InlineCheck::new(InlineType::StyleAttribute, "color:red")
        ));
        // An invalid nonce token is not a nonce-source: 'unsafe-inline' still applies.
        assert!(allowed("script-src 'unsafe-inline' 'nonce-'", script("x")));
    }

    #[test]
    fn allow_all_inline_step_2_1_hash_disables_unsafe_inline() {
        assert!(!allowed(
            "script-src 'unsafe-inline' 'sha256-AAAA'",
            InlineCheck::new(InlineType::ScriptAttribute, "x")
        ));
        assert!(!allowed(
            "style-src 'sha512-AAAA' 'unsafe-inline'",
            InlineCheck::new(InlineType::Style, "p{}")
        ));
    }

    #[test]
    fn allow_all_inline_step_2_2_strict_dynamic_disables_unsafe_inline_for_scripts_only() {
        let p = "default-src 'unsafe-inline' 'strict-dynamic'";
        assert!(!allowed(p, script("x")));
        assert!(!allowed(
            p,
            InlineCheck::new(InlineType::ScriptAttribute, "x")
        ));
        assert!(!allowed(
            p,
            InlineCheck::new(InlineType::Navigation, "javascript:x")
        ));
        assert!(allowed(p, InlineCheck::new(InlineType::Style, "p{}")));
        assert!(allowed(
            p,
            InlineCheck::new(InlineType::StyleAttribute, "a:b")
        ));
    }

    #[test]
    fn match_element_step_2_nonce_needs_a_nonceable_script_or_style() {
        let p = "script-src 'nonce-abc'; style-src 'nonce-abc'";
        assert!(allowed(p, script("x").nonce("abc").nonceable(true)));
        assert!(allowed(
            p,
            InlineCheck::new(InlineType::Style, "p{}")
                .nonce("abc")
                .nonceable(true)
        ));
        // Not nonceable (§6.7.3.1 said no, or the engine did not say yes).
        assert!(!allowed(p, script("x").nonce("abc")));
        assert!(!allowed(p, script("x").nonce("abc").nonceable(false)));
        // Exact, case-sensitive comparison.
        assert!(!allowed(p, script("x").nonce("ABC").nonceable(true)));
        assert!(!allowed(p, script("x").nonce("abcd").nonceable(true)));
        assert!(!allowed(p, script("x").nonce("").nonceable(true)));
        // Never for attributes or javascript: URLs.
        for t in [
            InlineType::ScriptAttribute,
            InlineType::StyleAttribute,
            InlineType::Navigation,
        ] {
            assert!(!allowed(
                p,
                InlineCheck::new(t, "x").nonce("abc").nonceable(true)
            ));
        }
    }

    #[test]
    fn match_element_step_5_hashes_apply_to_script_and_style() {
        let p = format!("script-src 'sha256-{HELLO_256}'; style-src 'sha256-{HELLO_256}'");
        assert!(allowed(&p, script(HELLO)));
        assert!(allowed(&p, InlineCheck::new(InlineType::Style, HELLO)));
        // One byte more or less: another digest.
        assert!(!allowed(&p, script(&HELLO[..HELLO.len() - 1])));
        assert!(!allowed(&p, script(&format!(" {HELLO}"))));
        // Step 5 applies to attributes and javascript: URLs only with 'unsafe-hashes'.
        for t in [
            InlineType::ScriptAttribute,
            InlineType::StyleAttribute,
            InlineType::Navigation,
        ] {
            assert!(!allowed(&p, InlineCheck::new(t, HELLO)), "{t}");
        }
    }

    #[test]
    fn match_element_step_4_unsafe_hashes_extends_hashes_to_attributes_and_navigation() {
        let p = format!(
            "script-src 'unsafe-hashes' 'sha256-{HELLO_256}'; style-src 'UNSAFE-HASHES' 'sha256-{HELLO_256}'"
        );
        for t in [
            InlineType::ScriptAttribute,
            InlineType::StyleAttribute,
            InlineType::Navigation,
        ] {
            assert!(allowed(&p, InlineCheck::new(t, HELLO)), "{t}");
            assert!(!allowed(&p, InlineCheck::new(t, "other()")), "{t}");
        }
    }

    #[test]
    fn match_element_step_5_2_2_every_algorithm_and_base64url() {
        let source = "console.log('é ✓ 𝄞')";
        let d256 = b64(&sha2::Sha256::digest(source.as_bytes()));
        let d384 = b64(&sha2::Sha384::digest(source.as_bytes()));
        let d512 = b64(&sha2::Sha512::digest(source.as_bytes()));
        for (alg, d) in [("sha256", &d256), ("SHA384", &d384), ("Sha512", &d512)] {
            assert!(allowed(&format!("script-src '{alg}-{d}'"), script(source)));
            // Step 5.2.2.5.2: base64url spellings are the same value.
            let url_safe = d.replace('+', "-").replace('/', "_");
            assert!(allowed(
                &format!("script-src '{alg}-{url_safe}'"),
                script(source)
            ));
        }
        // The algorithm must be the digest's.
        assert!(!allowed(
            &format!("script-src 'sha384-{d256}'"),
            script(source)
        ));
    }

    #[test]
    fn match_element_step_5_2_2_5_3_comparison_is_textual_so_padding_matters() {
        // A SHA-256 digest's base64 text ends in one "=": without it the text differs.
        assert!(HELLO_256.ends_with('='));
        let unpadded = HELLO_256.trim_end_matches('=');
        assert!(!allowed(
            &format!("script-src 'sha256-{unpadded}'"),
            script(HELLO)
        ));
        // A SHA-512 digest's text ends in "==".
        let d512 = b64(&sha2::Sha512::digest(HELLO.as_bytes()));
        assert!(d512.ends_with("=="));
        assert!(allowed(
            &format!("script-src 'sha512-{d512}'"),
            script(HELLO)
        ));
        let one_pad = &d512[..d512.len() - 1];
        assert!(!allowed(
            &format!("script-src 'sha512-{one_pad}'"),
            script(HELLO)
        ));
        // A SHA-384 digest has no padding; adding some breaks the match.
        let d384 = b64(&sha2::Sha384::digest(HELLO.as_bytes()));
        assert!(!d384.ends_with('='));
        assert!(allowed(
            &format!("script-src 'sha384-{d384}'"),
            script(HELLO)
        ));
        assert!(!allowed(
            &format!("script-src 'sha384-{d384}='"),
            script(HELLO)
        ));
    }

    #[test]
    fn match_element_step_5_2_1_strict_dynamic_allows_script_inserted_scripts() {
        let p = "script-src 'strict-dynamic' 'nonce-abc'";
        assert!(allowed(p, script("x").parser_inserted(false)));
        // Parser-inserted scripts still need the nonce or a hash.
        assert!(!allowed(p, script("x").parser_inserted(true)));
        assert!(!allowed(p, script("x")));
        // Only type "script": not event handlers, even with 'unsafe-hashes'.
        assert!(!allowed(
            "script-src 'strict-dynamic' 'unsafe-hashes'",
            InlineCheck::new(InlineType::ScriptAttribute, "x").parser_inserted(false)
        ));
        // Not styles either.
        assert!(!allowed(
            "style-src 'strict-dynamic'",
            InlineCheck::new(InlineType::Style, "p{}").parser_inserted(false)
        ));
    }

    #[test]
    fn hashes_each_algorithm_once_per_check() {
        let d = b64(&sha2::Sha256::digest(HELLO.as_bytes()));
        let many: String = (0..50).map(|i| format!("'sha256-{i}AAAA=' ")).collect();
        let policies = format!(
            "script-src {many} 'sha384-AAAA' 'sha512-BBBB', script-src {many}, default-src 'sha256-{d}'"
        );
        let p = doc(&policies);
        DIGESTS_COMPUTED.with(|c| c.set(0));
        let verdict = p.check_inline(&script(HELLO));
        // Three policies, over a hundred hash-sources: each algorithm hashed once.
        assert_eq!(DIGESTS_COMPUTED.with(|c| c.get()), 3);
        assert_eq!(verdict.violations().len(), 2);
        // Nothing is hashed when no governing list holds a hash.
        DIGESTS_COMPUTED.with(|c| c.set(0));
        let p = doc("script-src 'nonce-a', script-src 'unsafe-inline'");
        assert!(p.check_inline(&script(HELLO)).is_blocked());
        assert_eq!(DIGESTS_COMPUTED.with(|c| c.get()), 0);
    }

    #[test]
    fn should_block_inline_step_3_every_policy_reports() {
        let url = Url::parse("https://app.test/").unwrap();
        let mut list = PolicyList::parse(
            "script-src 'unsafe-inline'",
            Disposition::Enforce,
            PolicySource::Header,
        );
        list.push_header("default-src 'none'", Disposition::Report);
        list.push_header(
            "script-src-elem 'none'; script-src 'unsafe-inline'",
            Disposition::Enforce,
        );
        let p = DocumentPolicy::new(&url, list);
        let verdict = p.check_inline(&script("x"));
        assert!(verdict.is_blocked());
        let v: Vec<_> = verdict
            .violations()
            .iter()
            .map(|v| (v.policy_index(), v.disposition(), v.governing_directive()))
            .collect();
        assert_eq!(
            v,
            [
                (1, Disposition::Report, DirectiveKind::DefaultSrc),
                (2, Disposition::Enforce, DirectiveKind::ScriptSrcElem)
            ]
        );
        assert!(verdict
            .violations()
            .iter()
            .all(|v| v.resource() == Resource::Inline
                && v.directive() == DirectiveKind::ScriptSrcElem));
    }

    #[test]
    fn should_block_inline_step_3_1_6_sample_needs_report_sample_in_the_failing_directive() {
        let long = "x".repeat(100);
        let v = doc("script-src 'report-sample'").check_inline(&script(&long));
        assert_eq!(v.violations()[0].sample(), "x".repeat(40));
        let v = doc("default-src 'report-sample'").check_inline(&script("short"));
        assert_eq!(v.violations()[0].sample(), "short");
        // 'report-sample' in a directive that does not govern: no sample.
        let v = doc("script-src 'none'; default-src 'report-sample'").check_inline(&script("s"));
        assert_eq!(v.violations()[0].sample(), "");
        // §4.2.4 step 3 gives javascript: navigations no sample.
        let v = doc("script-src 'report-sample'")
            .check_inline(&InlineCheck::new(InlineType::Navigation, "javascript:x"));
        assert_eq!(v.violations()[0].sample(), "");
    }

    #[test]
    fn sample_counts_utf16_units_and_never_splits_a_character() {
        assert_eq!(sample_of(""), "");
        assert_eq!(sample_of(&"é".repeat(50)), "é".repeat(40));
        // 𝄞 is two UTF-16 units: 20 of them fill the 40 units.
        assert_eq!(sample_of(&"𝄞".repeat(30)), "𝄞".repeat(20));
        // 39 units then a pair: the pair would straddle unit 40 and is left out.
        let s = format!("{}𝄞tail", "a".repeat(39));
        assert_eq!(sample_of(&s), "a".repeat(39));
    }

    #[test]
    fn allowed_inline_checks_do_not_allocate_violations() {
        let p = doc(&format!("script-src 'sha256-{HELLO_256}' 'nonce-n'"));
        let v = p.check_inline(&script(HELLO));
        assert!(v.is_allowed() && v.violations().is_empty() && !v.violations.spilled());
    }
}
