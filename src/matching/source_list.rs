//! The URL, nonce and integrity matching algorithms of CSP3 §6.7.2 over a compiled source
//! list: matching a URL reads the [`UrlView`] and compares plain values; it never allocates.

use crate::limits::to_usize;
use crate::matching::host::UrlHost;
use crate::matching::origin::{SelfOrigin, UrlView};
use crate::matching::path::path_part_matches;
use crate::names::keywords::Keywords;
use crate::names::scheme::SchemeSet;
use crate::policy::source_list::{
    name_key, same_name, Arena, HostSource, ListRef, PortReq, SchemeReq, INDEX_THRESHOLD,
};

impl SchemeReq {
    /// <https://w3c.github.io/webappsec-csp/#match-schemes>: does this `scheme-part` match
    /// the URL's scheme? `names` is the lower-case text a scheme without a bit is a range of.
    /// The one scheme matcher: host-sources and the self-origin of schemeless sources use it.
    #[inline]
    pub(crate) fn matches(self, names: &str, u: &UrlView<'_>) -> bool {
        match self.other {
            None => self.mask.intersects(u.bit),
            // `eq_bytes`, not `==`: a call to `memcmp` here made the caller save six registers
            // on every host-source it matched (callgrind: 8 instructions a check).
            Some(name) => {
                u.bit.is_empty()
                    && crate::names::ascii::eq_bytes(name.bytes(names), u.scheme().as_bytes())
            }
        }
    }
}

impl HostSource {
    /// <https://w3c.github.io/webappsec-csp/#match-url-to-source-expression> steps 2-3 for a
    /// host-source. The caller has checked step 3.1 (the URL has a host).
    #[inline]
    fn matches(
        &self,
        arena: &Arena,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        // Step 3.3: host-part.
        self.host.matches(&arena.lower, u.host)
            && self.matches_after_host(arena, u, origin, ignore_paths)
    }

    /// [`HostSource::matches`] when the host-part is known to match.
    #[inline]
    fn matches_after_host(
        &self,
        arena: &Arena,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        // Step 2.1 / step 3.2: the scheme-part, or the origin's scheme, must match.
        let scheme_ok = match self.scheme {
            Some(m) => m.matches(&arena.lower, u),
            None => origin.scheme_part_matches(u),
        };
        // Steps 3.4-3.5: port-part. Step 3.6: path-part, only before any redirect.
        scheme_ok
            && self.port_matches(u, origin)
            && (ignore_paths
                || self
                    .path
                    .is_none_or(|p| path_part_matches(p.get(&arena.text), u.path())))
    }

    /// <https://w3c.github.io/webappsec-csp/#match-ports>
    #[inline]
    fn port_matches(&self, u: &UrlView<'_>, origin: &SelfOrigin) -> bool {
        match self.port {
            // Step 2.
            PortReq::Any => true,
            // Step 4 (null equals null); step 5 never matches a null input.
            PortReq::Default => u.port.is_none(),
            // Step 4, then step 5 (the URL's port is null: compare the scheme's default).
            PortReq::Exact(n) => {
                u.port == Some(n)
                    || (u.port.is_none() && u.bit.default_port() == Some(n))
                    // DEVIATION ("http://host:80 and https", issue #439): every engine lets
                    // an http/80 source allow https on its default port, the scheme-part
                    // written or, for a schemeless source, the origin's (step 3.2).
                    || (u.bit == SchemeSet::HTTPS
                        && u.port.is_none()
                        && (self.http_80 || (self.scheme.is_none() && origin.is_http()))
                        && n == 80)
            }
            PortReq::Never => false,
        }
    }
}

impl ListRef<'_> {
    /// <https://w3c.github.io/webappsec-csp/#match-url-to-source-list>
    #[inline]
    pub(crate) fn matches_url(
        &self,
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        redirect_count: u32,
    ) -> bool {
        let l = self.list;
        // Steps 2-3: an empty list, or `'none'` alone, holds no source below, so it matches
        // nothing. Step 4: any expression.
        // Step 4 / §6.7.2.8 step 1: `*`.
        // DEVIATION ("`*` and WebSockets"): ws and wss count with http and https.
        if l.star && (u.bit.intersects(SchemeSet::STAR) || origin.same_scheme(u)) {
            return true;
        }
        // §6.7.2.8 step 2: scheme-sources (which ignore host, port and path).
        if l.scheme_mask.intersects(u.bit)
            || (u.bit.is_empty()
                && l.schemes
                    .of(&self.arena.schemes)
                    .iter()
                    .any(|s| s.bytes(self.names()) == u.scheme().as_bytes()))
        {
            return true;
        }
        // §6.7.2.8 step 4: 'self'.
        if l.keywords.contains(Keywords::SELF) && origin.matches_self(u) {
            return true;
        }
        // §6.7.2.8 step 3: host-sources; step 3.1: the URL must have a host.
        u.host.is_some() && self.hosts_match(u, origin, redirect_count > 0)
    }

    #[inline]
    fn hosts_match(&self, u: &UrlView<'_>, origin: &SelfOrigin, ignore_paths: bool) -> bool {
        let arena = self.arena;
        let hosts = self.hosts();
        if hosts.len() <= INDEX_THRESHOLD {
            return hosts
                .iter()
                .any(|s| s.matches(arena, u, origin, ignore_paths));
        }
        let (exact_end, suffix_end) = (
            to_usize(self.list.exact_end),
            to_usize(self.list.suffix_end),
        );
        if let UrlHost::Domain(h) = u.host {
            // Exact hosts equal to the URL's.
            if self.search(0..exact_end, h.as_bytes(), u, origin, ignore_paths) {
                return true;
            }
            // `*.rest` patterns: `.rest` must be a suffix of the host starting at a dot.
            if suffix_end > exact_end {
                let lens = self.list.suffix_lens.of(&self.arena.suffix_lens);
                for (i, _) in h.match_indices('.') {
                    let tail = &h.as_bytes()[i..];
                    // A tail longer than any policy is no suffix of one.
                    let Ok(len) = u32::try_from(tail.len()) else {
                        continue;
                    };
                    if lens.binary_search(&len).is_err() {
                        continue;
                    }
                    if self.search(exact_end..suffix_end, tail, u, origin, ignore_paths) {
                        return true;
                    }
                }
            }
        }
        hosts
            .get(suffix_end..)
            .unwrap_or_default()
            .iter()
            .any(|s| s.matches(arena, u, origin, ignore_paths))
    }

    /// Does a source of the indexed run `range` (sorted by name, with its keys) named exactly
    /// `name` match the URL? A binary search on `(key, name)`, then a scan of the equal run.
    #[inline]
    fn search(
        &self,
        range: core::ops::Range<usize>,
        name: &[u8],
        u: &UrlView<'_>,
        origin: &SelfOrigin,
        ignore_paths: bool,
    ) -> bool {
        let names = self.names();
        let keys = self.list.keys.of(&self.arena.keys);
        let (Some(sources), Some(keys)) = (self.hosts().get(range.clone()), keys.get(range)) else {
            debug_assert!(false, "ranges come from SourceList::index");
            return false;
        };
        let key = name_key(name);
        // The first index whose (key, name) is not below the probe's.
        let (mut lo, mut hi) = (0, keys.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            // `mid < hi <= keys.len() == sources.len()`.
            let below = match keys[mid].cmp(&key) {
                core::cmp::Ordering::Less => true,
                core::cmp::Ordering::Greater => false,
                core::cmp::Ordering::Equal => sources[mid].name(names).unwrap_or_default() < name,
            };
            if below {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        keys[lo..]
            .iter()
            .zip(&sources[lo..])
            .take_while(|(k, s)| **k == key && same_name(s.name(names).unwrap_or_default(), name))
            // The host-part matched: `name` is the URL's host, or a suffix of it at a dot.
            .any(|(_, s)| s.matches_after_host(self.arena, u, origin, ignore_paths))
    }

    /// <https://w3c.github.io/webappsec-csp/#match-nonce-to-source-list>
    #[inline]
    pub(crate) fn matches_nonce(&self, nonce: &str) -> bool {
        // Step 2.
        if nonce.is_empty() {
            return false;
        }
        // Step 3: an exact, case-sensitive compare, no decoding.
        let text = self.text();
        self.list
            .nonces
            .of(&self.arena.nonces)
            .iter()
            .any(|n| n.bytes(text) == nonce.as_bytes())
    }

    /// <https://w3c.github.io/webappsec-csp/#match-integrity-metadata-to-source-list>
    pub(crate) fn matches_integrity(&self, integrity: &str) -> bool {
        let hashes = self.list.hashes.of(&self.arena.hashes);
        // Steps 2-3.
        if hashes.is_empty() {
            return false;
        }
        let text = self.text();
        // Steps 4-7: every recognised SRI item needs an identical hash-source, and there must
        // be at least one item.
        let mut any = false;
        for item in crate::matching::sri::parse_metadata(integrity) {
            any = true;
            let found = hashes
                .binary_search_by(|h| {
                    (h.algorithm, h.value.bytes(text)).cmp(&(item.algorithm, item.value.as_bytes()))
                })
                .is_ok();
            if !found {
                return false;
            }
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::directive::DirectiveKind;
    use crate::policy::source_list::OwnedList;
    use url::Url;

    fn list(text: &str) -> OwnedList {
        OwnedList::compile(DirectiveKind::ImgSrc, text)
    }

    fn m_redirect(expr: &str, origin: &str, url: &str, redirects: u32) -> bool {
        let o = SelfOrigin::new(&Url::parse(origin).unwrap());
        let u = Url::parse(url).unwrap();
        list(expr)
            .as_ref()
            .matches_url(&UrlView::new(&u), &o, redirects)
    }

    const O: &str = "https://o.test/";

    /// Worked examples of URL matching (§6.7.2.8-§6.7.2.12), as one table so that every
    /// failing row is reported; the `'self'` examples are in `origin.rs`.
    #[test]
    fn worked_examples() {
        // (source list, self-origin, URL, redirect count, matches)
        let cases: &[(&str, &str, &str, u32, bool)] = &[
            // Scheme handling.
            ("https:", "https://a.test", "http://b.test/", 0, false),
            ("http:", "https://a.test", "https://b.test/", 0, true),
            ("https:", "https://a.test", "https://b.test:8443/", 0, true),
            (
                "data:",
                "https://a.test",
                "data:image/png;base64,AA",
                0,
                true,
            ),
            (
                "blob:",
                "https://a.test",
                "blob:https://a.test/uuid",
                0,
                true,
            ),
            (
                "https:",
                "https://a.test",
                "blob:https://a.test/uuid",
                0,
                false,
            ),
            ("ws:", "https://a.test", "wss://b.test/", 0, true),
            ("ws:", "https://a.test", "https://b.test/", 0, true),
            ("wss:", "https://a.test", "https://b.test/", 0, true),
            (
                "http://b.test",
                "https://a.test",
                "https://b.test/",
                0,
                true,
            ),
            (
                "https://b.test",
                "http://a.test",
                "http://b.test/",
                0,
                false,
            ),
            (
                "https://b.test",
                "https://a.test",
                "wss://b.test/",
                0,
                false,
            ),
            // Schemeless host-sources.
            ("b.test", "https://a.test", "https://b.test/", 0, true),
            ("b.test", "https://a.test", "http://b.test/", 0, false),
            ("b.test", "http://a.test", "https://b.test/", 0, true),
            ("b.test", "https://a.test", "wss://b.test/", 0, false),
            ("b.test", "http://a.test", "ws://b.test/", 0, false),
            // `*`.
            ("*", "https://a.test", "http://x.test/", 0, true),
            ("*", "https://a.test", "data:text/plain,hi", 0, false),
            ("*", "https://a.test", "blob:https://a.test/u", 0, false),
            ("*", "https://a.test", "wss://x.test/", 0, true),
            ("*", "app://local", "app://local/x", 0, true),
            ("*", "https://a.test", "ftp://x.test/", 0, false),
            // Host part.
            ("*.a.test", O, "https://www.a.test/", 0, true),
            ("*.a.test", O, "https://x.y.a.test/", 0, true),
            ("*.a.test", O, "https://a.test/", 0, false),
            ("*.a.test", O, "https://evila.test/", 0, false),
            ("A.TEST", O, "https://a.test/", 0, true),
            ("https://*:8443", O, "https://any.test:8443/", 0, true),
            ("a.test.", O, "https://a.test/", 0, false),
            ("a.test", O, "https://a.test./", 0, false),
            ("127.0.0.1", "http://o.test", "http://127.0.0.1/", 0, true),
            ("xn--tdaaaaaa.de", O, "https://üüüüüü.de/", 0, true),
            // Port part.
            ("https://a.test", O, "https://a.test:443/", 0, true),
            ("https://a.test", O, "https://a.test:8443/", 0, false),
            ("https://a.test:443", O, "https://a.test/", 0, true),
            ("http://a.test:80", O, "https://a.test/", 0, true),
            ("http://a.test:8080", O, "https://a.test:8080/", 0, true),
            ("https://a.test:80", O, "https://a.test/", 0, false),
            ("a.test:80", "http://o.test/", "https://a.test/", 0, true),
            (
                "a.test:80",
                "http://o.test/",
                "https://a.test:8443/",
                0,
                false,
            ),
            // On an https origin the source reads as https://a.test:80.
            ("a.test:80", O, "https://a.test/", 0, false),
            (
                "a.test:*",
                "https://o.test",
                "https://a.test:1234/",
                0,
                true,
            ),
            // Path part.
            ("https://a.test/js/", O, "https://a.test/js/app.js", 0, true),
            ("https://a.test/js/", O, "https://a.test/js", 0, false),
            ("https://a.test/js", O, "https://a.test/js/", 0, false),
            (
                "https://a.test/js/app.js",
                O,
                "https://a.test/js/app.js?v=3",
                0,
                true,
            ),
            (
                "https://a.test/",
                O,
                "https://a.test/anything/at/all",
                0,
                true,
            ),
            ("https://a.test/%66oo", O, "https://a.test/foo", 0, true),
            ("https://a.test/JS/", O, "https://a.test/js/x", 0, false),
            ("https://a.test/a/", O, "https://a.test/a%2Fb", 0, false),
            ("https://b.test/only", O, "https://b.test/other", 1, true),
            ("https://b.test/only", O, "https://b.test/other", 0, false),
            // 'none' and lists.
            ("'none'", O, "https://o.test/", 0, false),
            ("'none' https://a.test", O, "https://a.test/", 0, true),
            ("", O, "https://o.test/", 0, false),
            ("'nonce-x' 'unsafe-inline'", O, "https://o.test/", 0, false),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter(|&&(expr, origin, url, redirects, want)| {
                m_redirect(expr, origin, url, redirects) != want
            })
            .map(|(expr, origin, url, redirects, want)| {
                format!("{expr:?} on {origin} for {url} (redirects {redirects}): want {want}")
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn big_lists_match_like_small_ones() {
        let mut hosts: Vec<String> = (0..200).map(|i| format!("h{i}.test")).collect();
        hosts.extend((0..50).map(|i| format!("*.w{i}.test")));
        hosts.push("https://p.test/x/".into());
        hosts.push("*:8443".into());
        hosts.push("10.0.0.1".into());
        let owned = list(&hosts.join(" "));
        let big = owned.as_ref();
        let o = SelfOrigin::new(&Url::parse(O).unwrap());
        for (url, want) in [
            ("https://h0.test/", true),
            ("https://h199.test/a", true),
            ("https://h200.test/", false),
            ("https://a.b.w7.test/", true),
            ("https://w7.test/", false),
            ("https://p.test/x/y", true),
            ("https://p.test/y", false),
            ("https://zzz.test:8443/", true),
            ("https://10.0.0.1/", true),
            ("http://h1.test/", false),
            ("data:,x", false),
        ] {
            let u = Url::parse(url).unwrap();
            let v = UrlView::new(&u);
            assert_eq!(big.matches_url(&v, &o, 0), want, "{url}");
            // The same answer as a linear scan of every source.
            let linear = big
                .hosts()
                .iter()
                .any(|s| s.matches(big.arena, &v, &o, false))
                && v.host.is_some();
            assert_eq!(linear, want, "linear {url}");
        }
    }

    /// Suffixes of many lengths, and hosts far longer than any of them, through the index.
    #[test]
    fn indexed_suffixes_of_every_length() {
        let mut sources: Vec<String> = (0..20).map(|i| format!("e{i}.test")).collect();
        sources.extend((1..12).map(|n| format!("*.{}test", "a.".repeat(n))));
        sources.push("*.b.test".into());
        let owned = list(&sources.join(" "));
        let big = owned.as_ref();
        let lens = big.list.suffix_lens.of(&big.arena.suffix_lens);
        assert!(!lens.is_empty() && lens.windows(2).all(|w| w[0] < w[1]));
        let o = SelfOrigin::new(&Url::parse(O).unwrap());
        for (host, want) in [
            ("x.a.test".to_owned(), true),
            (format!("x.{}test", "a.".repeat(11)), true),
            (format!("{}test", "a.".repeat(12)), true),
            ("a.test".to_owned(), false),
            (format!("{}test", "a.".repeat(5000)), true),
            (format!("{}btest", "a.".repeat(5000)), false),
            ("x.b.test".to_owned(), true),
            ("b.test".to_owned(), false),
        ] {
            let u = Url::parse(&format!("https://{host}/")).unwrap();
            let v = UrlView::new(&u);
            assert_eq!(big.matches_url(&v, &o, 0), want, "{}", &host[..20]);
            let linear = big
                .hosts()
                .iter()
                .any(|s| s.matches(big.arena, &v, &o, false));
            assert_eq!(linear, want);
        }
    }

    /// Hosts whose first 16 bytes (the index's search key) are equal are told apart by their
    /// whole names: the search orders them by name, and only sources of the URL's exact host
    /// go on to the port and path steps (§6.7.2.8 steps 3.3-3.6).
    #[test]
    fn indexed_hosts_sharing_their_search_key() {
        let mut sources: Vec<String> = (10..40)
            .map(|i| format!("https://a-long-shared-prefix-{i}.test"))
            .collect();
        // Listed with a port only: the default-port URL of this host must not match, however
        // many neighbours of the same key allow their own host on any port.
        sources.push("https://a-long-shared-prefix-port.test:8443".into());
        let owned = list(&sources.join(" "));
        let big = owned.as_ref();
        assert!(big.hosts().len() > INDEX_THRESHOLD);
        let o = SelfOrigin::new(&Url::parse(O).unwrap());
        let mut urls: Vec<(String, bool)> = (10..40)
            .map(|i| (format!("https://a-long-shared-prefix-{i}.test/x"), true))
            .collect();
        urls.extend([
            ("https://a-long-shared-prefix-port.test:8443/".into(), true),
            ("https://a-long-shared-prefix-port.test/".into(), false),
            ("https://a-long-shared-prefix-40.test/".into(), false),
            ("https://a-long-shared-prefix-1.test/".into(), false),
            ("https://a-long-shared-prefix-.test/".into(), false),
        ]);
        for (url, want) in urls {
            let u = Url::parse(&url).unwrap();
            let v = UrlView::new(&u);
            assert_eq!(big.matches_url(&v, &o, 0), want, "{url}");
        }
    }

    #[test]
    fn integrity_against_many_hashes() {
        let hashes: Vec<String> = (0..500)
            .rev()
            .map(|i| format!("'sha{}-h{i}'", [256, 384, 512][i % 3]))
            .collect();
        let owned = list(&hashes.join(" "));
        let l = owned.as_ref();
        assert!(l.matches_integrity("sha256-h0 sha384-h1 sha512-h2 sha256-h498"));
        assert!(l.matches_integrity(&"sha512-h5 ".repeat(1000)));
        assert!(!l.matches_integrity("sha256-h0 sha256-h1"));
        assert!(!l.matches_integrity("sha384-h0"));
        assert!(!l.matches_integrity("sha256-h500"));
    }

    #[test]
    fn name_keys_are_the_first_16_bytes_zero_padded() {
        let text = b"abcdefghijklmnopqrstuvwxyz";
        for n in 0..=text.len() {
            let mut padded = [0u8; 16];
            let m = n.min(16);
            padded[..m].copy_from_slice(&text[..m]);
            assert_eq!(
                name_key(&text[..n]),
                u128::from_be_bytes(padded),
                "length {n}"
            );
        }
    }

    #[test]
    fn nonces_and_integrity() {
        let owned = list("'nonce-abc' 'sha256-AAA=' 'sha384-BBB'");
        let l = owned.as_ref();
        assert!(l.matches_nonce("abc"));
        assert!(!l.matches_nonce("ABC"));
        assert!(!l.matches_nonce(""));
        assert!(l.has_nonce_or_hash());
        assert!(l.matches_integrity("sha256-AAA="));
        assert!(l.matches_integrity("SHA256-AAA=?opt sha384-BBB"));
        assert!(!l.matches_integrity("sha256-AAA= sha512-CCC"));
        assert!(!l.matches_integrity(""));
        assert!(!l.matches_integrity("md5-AAA="));
        assert!(!list("'nonce-abc'")
            .as_ref()
            .matches_integrity("sha256-AAA="));
    }
}
