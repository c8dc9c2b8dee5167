//! The URL of a request as the matcher sees it, and the CSP list's self-origin, both
//! classified once so that matching compares plain values.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use smallvec::SmallVec;
use url::{Host, Url};

use crate::matching::host::UrlHost;
use crate::names::ascii::{eq_bytes_after_first_word, first_word};
use crate::names::scheme::SchemeSet;
use crate::policy::source_list::SchemeReq;

/// The parts of a URL that matching reads, borrowed from the `Url` (no allocation).
#[derive(Clone, Copy, Debug)]
pub(crate) struct UrlView<'a> {
    /// [`SchemeSet::of`] the scheme: one bit, or none.
    pub(crate) bit: SchemeSet,
    pub(crate) host: UrlHost<'a>,
    /// The explicit port; `None` when absent or the scheme's default (the URL parser drops it).
    pub(crate) port: Option<u16>,
    /// Where the scheme's name and the path come from (see [`UrlView::scheme`] and
    /// [`UrlView::path`]).
    pub(crate) source: ViewSource<'a>,
}

/// What a [`UrlView`] reads its scheme's name and its path from, on demand: most checks need
/// neither (a scheme with a bit is compared by its bit, and few host-sources have a path).
#[derive(Clone, Copy, Debug)]
pub(crate) enum ViewSource<'a> {
    /// A parsed URL.
    Url(&'a Url),
    /// An origin's scheme (lower-case); the path of the origin's serialization, parsed, is "/".
    Origin(&'a str),
}

/// [`SchemeSet::of`] the URL's scheme, read from the serialization's first word when it can
/// be. A plain `match`: `Option::map_or_else` here was kept out of line (callgrind: 9
/// instructions a check).
#[inline(always)]
fn scheme_bit(url: &Url) -> SchemeSet {
    match SchemeSet::of_serialization(url.as_str()) {
        Some(bit) => bit,
        None => SchemeSet::of(url.scheme()),
    }
}

impl<'a> UrlView<'a> {
    // `always`: every request check builds one view; inlined into `check_slot`, the call and
    // the values kept across it go (callgrind: 12 instructions a check). Few places call it.
    #[inline(always)]
    pub(crate) fn new(url: &'a Url) -> UrlView<'a> {
        let bit = scheme_bit(url);
        // `domain()` first: most hosts are domains, and it returns a plain `&str` where
        // `host()` builds a `Host` in memory (callgrind: about 15 instructions a check).
        let host = match url.domain() {
            // A non-special URL's host is opaque, never a domain (URL standard).
            Some(d) if bit.is_special() => UrlHost::Domain(d),
            Some(_) => UrlHost::Other,
            None => match url.host() {
                None => UrlHost::None,
                Some(Host::Domain(_)) => UrlHost::Other,
                Some(Host::Ipv4(a)) => UrlHost::Ipv4(a),
                Some(Host::Ipv6(a)) => UrlHost::Ipv6(a),
            },
        };
        UrlView {
            bit,
            host,
            port: url.port(),
            source: ViewSource::Url(url),
        }
    }

    /// The lower-case scheme. Read only for a scheme without a bit, and by `*` (§6.7.2.8
    /// step 1.2).
    #[inline]
    pub(crate) fn scheme(&self) -> &'a str {
        match self.source {
            ViewSource::Url(url) => url.scheme(),
            ViewSource::Origin(scheme) => scheme,
        }
    }

    /// The URL path serializer's output. Computed on demand: only a host-source with a
    /// path-part that matched the scheme, host and port reads it.
    #[inline]
    pub(crate) fn path(&self) -> &'a str {
        match self.source {
            ViewSource::Url(url) => url.path(),
            ViewSource::Origin(_) => "/",
        }
    }

    /// Does this URL have a tuple origin whose scheme, host and port are its own? (http, https,
    /// ws, wss, ftp; `file:` and non-special URLs have opaque origins, and a `blob:` URL's
    /// origin is its creator's, which `'self'` never matches: see `docs/spec-deviations.md`.)
    #[inline]
    fn has_tuple_origin(&self) -> bool {
        self.bit.intersects(SchemeSet::TUPLE_ORIGIN)
    }
}

/// A host owned by the self-origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum OwnedHost {
    /// A domain: its first eight bytes as a word ([`first_word`]: a host whose word differs
    /// is another host, which most cross-origin requests show with one compare, before the
    /// bytes are read), then its bytes (ASCII: the URL parser's output), inline up to 24
    /// bytes: most documents' hosts cost no allocation.
    Domain(u64, SmallVec<[u8; 24]>),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

impl OwnedHost {
    fn domain(d: &str) -> OwnedHost {
        OwnedHost::Domain(first_word(d.as_bytes()), SmallVec::from_slice(d.as_bytes()))
    }

    /// The host of a URL with a special scheme (whose host is never opaque).
    #[inline]
    fn of_special(url: &Url) -> Option<OwnedHost> {
        match url.domain() {
            Some(d) => Some(OwnedHost::domain(d)),
            None => match url.host()? {
                Host::Domain(d) => Some(OwnedHost::domain(d)),
                Host::Ipv4(a) => Some(OwnedHost::Ipv4(a)),
                Host::Ipv6(a) => Some(OwnedHost::Ipv6(a)),
            },
        }
    }

    #[inline]
    fn equals(&self, h: UrlHost<'_>) -> bool {
        match (self, h) {
            (OwnedHost::Domain(word, a), UrlHost::Domain(b)) => {
                *word == first_word(b.as_bytes()) && eq_bytes_after_first_word(a, b.as_bytes())
            }
            (OwnedHost::Ipv4(a), UrlHost::Ipv4(b)) => *a == b,
            (OwnedHost::Ipv6(a), UrlHost::Ipv6(b)) => *a == b,
            _ => false,
        }
    }
}

/// The CSP list's self-origin (CSP3 §2.2): what `'self'`, `*` and schemeless host-sources are
/// resolved against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SelfOrigin {
    /// The origin's scheme; for an opaque origin, the URL's own scheme (engines keep it, and
    /// `*` needs it: CSP3 §6.7.2.8 step 1.2). Borrowed for the schemes of tuple origins.
    scheme: Cow<'static, str>,
    scheme_bit: SchemeSet,
    /// The origin's scheme as a `scheme-part`, for schemeless host-sources (§6.7.2.8 step
    /// 3.2); a scheme without a bit is a range of `scheme`.
    scheme_part: SchemeReq,
    /// Host and port of a tuple origin (port `None` = the scheme's default); `None` for an
    /// opaque origin, which `'self'` never matches.
    tuple: Option<(OwnedHost, Option<u16>)>,
}

impl SelfOrigin {
    /// The self-origin of a document or worker whose URL (or, for local-scheme documents, whose
    /// creator's URL) is `url`.
    pub(crate) fn new(url: &Url) -> SelfOrigin {
        // The URL standard's origin of an http(s), ws(s) or ftp URL is its own scheme, host and
        // port (or the scheme's default): read in place, without `Url::origin`'s copies.
        let bit = scheme_bit(url);
        if bit.intersects(SchemeSet::TUPLE_ORIGIN) {
            if let Some(host) = OwnedHost::of_special(url) {
                // The URL parser already drops a port that is the scheme's default.
                let port = url.port().filter(|&p| bit.default_port() != Some(p));
                return SelfOrigin {
                    scheme: Cow::Borrowed(bit.name()),
                    scheme_bit: bit,
                    scheme_part: SchemeReq {
                        mask: bit.part_match(),
                        other: None,
                    },
                    tuple: Some((host, port)),
                };
            }
        }
        match url.origin() {
            origin @ url::Origin::Tuple(..) => SelfOrigin::from_origin(&origin),
            // An opaque origin keeps the URL's scheme for `*`'s same-scheme branch.
            url::Origin::Opaque(_) => SelfOrigin::build(Cow::Owned(url.scheme().into()), None),
        }
    }

    /// The self-origin given as an origin. A tuple origin is the same as that of a URL with
    /// that origin. An opaque origin has no scheme, host or port: `'self'` matches nothing
    /// (CSP3 §6.7.2.8 step 4 compares with the origin, and an opaque origin equals no URL's),
    /// `*`'s same-scheme branch (step 1.2) and schemeless host-sources (step 3.2) match
    /// nothing that reads the origin's scheme.
    pub(crate) fn from_origin(origin: &url::Origin) -> SelfOrigin {
        match origin {
            url::Origin::Tuple(scheme, host, port) => {
                let host = match host {
                    Host::Domain(d) => OwnedHost::domain(d),
                    Host::Ipv4(a) => OwnedHost::Ipv4(*a),
                    Host::Ipv6(a) => OwnedHost::Ipv6(*a),
                };
                let port = if SchemeSet::of(scheme).default_port() == Some(*port) {
                    None
                } else {
                    Some(*port)
                };
                let scheme = match SchemeSet::of(scheme) {
                    bit if bit.intersects(SchemeSet::TUPLE_ORIGIN) => Cow::Borrowed(bit.name()),
                    _ => Cow::Owned(scheme.clone()),
                };
                SelfOrigin::build(scheme, Some((host, port)))
            }
            url::Origin::Opaque(_) => SelfOrigin::build(Cow::Borrowed(""), None),
        }
    }

    fn build(scheme: Cow<'static, str>, tuple: Option<(OwnedHost, Option<u16>)>) -> SelfOrigin {
        SelfOrigin {
            scheme_bit: SchemeSet::of(&scheme),
            scheme_part: SchemeReq::compile(&scheme, &scheme),
            scheme,
            tuple,
        }
    }

    /// The origin's scheme (lower-case).
    pub(crate) fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Is the origin's scheme `http`? (A schemeless `host:80` source then also allows https on
    /// its default port, as `http://host:80` does: see `docs/spec-deviations.md`.)
    #[inline]
    pub(crate) fn is_http(&self) -> bool {
        self.scheme_bit == SchemeSet::HTTP
    }

    /// §6.7.2.8 step 1.2: is the URL's scheme the origin's scheme?
    #[inline]
    pub(crate) fn same_scheme(&self, u: &UrlView<'_>) -> bool {
        crate::names::ascii::eq_bytes(self.scheme.as_bytes(), u.scheme().as_bytes())
    }

    /// §6.7.2.8 step 3.2: does the origin's scheme `scheme-part` match the URL's scheme?
    #[inline]
    pub(crate) fn scheme_part_matches(&self, u: &UrlView<'_>) -> bool {
        self.scheme_part.matches(&self.scheme, u)
    }

    /// <https://w3c.github.io/webappsec-csp/#match-url-to-source-expression> step 4: `'self'`.
    #[inline]
    pub(crate) fn matches_self(&self, u: &UrlView<'_>) -> bool {
        let Some((host, port)) = &self.tuple else {
            return false;
        };
        // DEVIATION ("blob: URLs and 'self'", spec PR #821): a blob: URL never matches.
        // Opaque URL origins never equal a tuple origin either.
        if !u.has_tuple_origin() {
            return false;
        }
        // Both conditions need the same host.
        if !host.equals(u.host) {
            return false;
        }
        // Step 4.1: same origin. Step 4.2: ports equal, or both the default of their scheme
        // (the URL parser and `new` both store a default port as `None`) ...
        if *port != u.port {
            return false;
        }
        if self.scheme_bit == u.bit && !self.scheme_bit.is_empty() {
            return true;
        }
        // ... and step 4.2.1: the URL's scheme is https or wss, or step 4.2.2: the origin's
        // scheme is http and the URL's is http or ws.
        u.bit.intersects(SchemeSet::HTTPS | SchemeSet::WSS)
            || (self.scheme_bit == SchemeSet::HTTP
                && u.bit.intersects(SchemeSet::HTTP | SchemeSet::WS))
    }

    /// Approximate heap bytes owned.
    pub(crate) fn heap_size(&self) -> usize {
        let scheme = match &self.scheme {
            Cow::Borrowed(_) => 0,
            Cow::Owned(s) => s.capacity(),
        };
        scheme
            + match &self.tuple {
                Some((OwnedHost::Domain(_, d), _)) if d.spilled() => d.capacity(),
                _ => 0,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_matches(origin: &str, url: &str) -> bool {
        let o = SelfOrigin::new(&Url::parse(origin).unwrap());
        let u = Url::parse(url).unwrap();
        o.matches_self(&UrlView::new(&u))
    }

    /// Worked examples of `'self'` (§6.7.2.8 step 4).
    #[test]
    fn self_follows_section_6_7_2_8_step_4() {
        assert!(self_matches("https://a.test", "https://a.test/x"));
        assert!(self_matches("https://a.test", "wss://a.test/sock"));
        assert!(!self_matches("https://a.test", "ws://a.test/sock"));
        assert!(!self_matches("https://a.test", "http://a.test/"));
        assert!(self_matches("http://a.test", "https://a.test/"));
        assert!(self_matches("http://a.test", "ws://a.test/"));
        assert!(self_matches("http://a.test", "wss://a.test/"));
        assert!(self_matches("http://a.test:8080", "https://a.test:8080/"));
        assert!(!self_matches("http://a.test:8080", "https://a.test/"));
        assert!(!self_matches("https://a.test", "https://www.a.test/"));
        assert!(!self_matches("data:text/html,hi", "https://a.test/"));
        assert!(!self_matches("https://a.test", "blob:https://a.test/uuid"));
        assert!(!self_matches("https://a.test", "https://a.test:8443/"));
        assert!(self_matches("http://[::1]:8000", "http://[::1]:8000/x"));
        assert!(!self_matches("http://[::1]:8000", "http://[::2]:8000/x"));
        // An IPv4 host is compared as an address, with its port.
        assert!(self_matches(
            "http://10.0.0.1:8080",
            "http://10.0.0.1:8080/x"
        ));
        assert!(!self_matches(
            "http://10.0.0.1:8080",
            "http://10.0.0.2:8080/x"
        ));
        assert!(!self_matches("http://10.0.0.1:8080", "http://10.0.0.1/x"));
        assert!(!self_matches("http://10.0.0.1", "http://a.test/x"));
        assert!(self_matches("ftp://a.test", "ftp://a.test/x"));
        assert!(!self_matches("file:///x", "file:///x"));
        // A blob document inherits its creator's origin.
        assert!(self_matches("blob:https://a.test/uuid", "https://a.test/x"));
    }

    /// The domain's first word decides most compares: hosts of every length from 1 to 40 bytes, equal, differing in one byte at each place,
    /// or one byte shorter or longer, compare as their text does.
    #[test]
    fn self_domain_compares_as_its_text() {
        let letters = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn";
        for len in 1..=letters.len() {
            let host = &letters[..len];
            let o = SelfOrigin::new(&Url::parse(&format!("https://{host}/")).unwrap());
            let mut others = vec![host.to_owned(), letters[..len - 1].to_owned()];
            others.extend(letters.get(..len + 1).map(str::to_owned));
            for i in 0..len {
                let mut b = host.as_bytes().to_vec();
                b[i] = if b[i] == b'z' { b'y' } else { b'z' };
                others.push(String::from_utf8(b).unwrap());
            }
            for other in others.iter().filter(|h| !h.is_empty()) {
                let u = Url::parse(&format!("https://{other}/x")).unwrap();
                assert_eq!(
                    o.matches_self(&UrlView::new(&u)),
                    other == host,
                    "{host} against {other}"
                );
            }
        }
    }

    /// What the self-origin owns on the heap: a host past the 24 bytes kept inline, and the
    /// scheme of an opaque origin (tuple origins name a static scheme).
    #[test]
    fn heap_size_counts_a_long_host_and_an_owned_scheme() {
        let heap = |url: &str| SelfOrigin::new(&Url::parse(url).unwrap()).heap_size();
        assert_eq!(heap("https://short.test/"), 0);
        // A tuple origin given as an origin names its scheme statically too.
        let origin = Url::parse("wss://short.test/").unwrap().origin();
        assert_eq!(SelfOrigin::from_origin(&origin).heap_size(), 0);
        assert_eq!(heap("http://10.0.0.1/"), 0);
        let long = "a-host-name-longer-than-24.example.test";
        assert!(heap(&format!("https://{long}/")) >= long.len());
        assert!(heap("app://local/") >= "app".len());
        assert!(heap("app://local/") < heap(&format!("https://{long}/")));
        assert_eq!(
            heap(&format!("app://{long}/")),
            heap("app://local/"),
            "an opaque origin keeps no host"
        );
    }

    #[test]
    fn the_origin_read_in_place_is_the_url_standards() {
        for url in [
            "https://a.test/x",
            "http://A.TEST:80/",
            "https://a.test:443/",
            "http://a.test:8080/",
            "wss://[::1]:9/",
            "ws://10.0.0.1/",
            "ftp://a.test:21/",
            "ftp://a.test:2121/",
            "blob:https://a.test:8443/uuid",
            "file:///x",
            "data:,x",
            "app://local/",
        ] {
            let u = Url::parse(url).unwrap();
            let o = SelfOrigin::new(&u);
            match u.origin() {
                url::Origin::Tuple(scheme, host, port) => {
                    assert_eq!(o.scheme(), scheme, "{url}");
                    let (h, p) = o.tuple.clone().unwrap();
                    let want = match host {
                        Host::Domain(d) => OwnedHost::domain(&d),
                        Host::Ipv4(a) => OwnedHost::Ipv4(a),
                        Host::Ipv6(a) => OwnedHost::Ipv6(a),
                    };
                    assert_eq!(h, want, "{url}");
                    let default = SchemeSet::of(&scheme).default_port();
                    assert_eq!(p.or(default), Some(port), "{url}");
                    // A default port is stored as `None`.
                    assert!(p.is_none() || p != default, "{url}");
                }
                url::Origin::Opaque(_) => assert!(o.tuple.is_none(), "{url}"),
            }
        }
    }

    #[test]
    fn a_tuple_origin_gives_the_self_origin_of_its_urls() {
        for u in [
            "https://a.test/x",
            "http://a.test:8080/",
            "http://[::1]:8000/",
            "ws://127.0.0.1/",
            "ftp://a.test/",
            "blob:https://a.test/uuid",
        ] {
            let url = Url::parse(u).unwrap();
            assert_eq!(
                SelfOrigin::from_origin(&url.origin()),
                SelfOrigin::new(&url),
                "{u}"
            );
        }
    }

    #[test]
    fn an_opaque_origin_matches_nothing_that_reads_it() {
        let opaque = SelfOrigin::from_origin(&Url::parse("data:,x").unwrap().origin());
        for u in [
            "https://a.test/",
            "http://a.test/",
            "data:,x",
            "app://h/",
            "wss://a.test/",
        ] {
            let url = Url::parse(u).unwrap();
            let v = UrlView::new(&url);
            assert!(!opaque.matches_self(&v), "{u}");
            assert!(!opaque.same_scheme(&v), "{u}");
            assert!(!opaque.scheme_part_matches(&v), "{u}");
        }
        assert_eq!(opaque.scheme(), "");
    }

    #[test]
    fn document_policy_for_an_opaque_origin() {
        use crate::{Destination, Disposition, DocumentPolicy, PolicyList, PolicySource, Request};
        let check = |policy: &str, origin: &url::Origin, url: &str| {
            let list = PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header);
            let url = Url::parse(url).unwrap();
            let policy = DocumentPolicy::for_origin(origin, list);
            let allowed = policy
                .check_request(&Request::new(&url, Destination::Image))
                .is_allowed();
            allowed
        };
        let opaque = url::Origin::new_opaque();
        let tuple = Url::parse("https://a.test/").unwrap().origin();
        // 'self': the tuple origin's own URLs only; nothing for an opaque origin.
        assert!(check("img-src 'self'", &tuple, "https://a.test/i.png"));
        assert!(!check("img-src 'self'", &opaque, "https://a.test/i.png"));
        // '*' still matches HTTP(S) URLs (step 1.1), not a scheme it would share with the
        // origin (step 1.2).
        assert!(check("img-src *", &opaque, "https://b.test/i.png"));
        assert!(!check("img-src *", &opaque, "data:image/png,x"));
        // Schemeless host-sources need the origin's scheme (step 3.2); explicit ones do not.
        assert!(check("img-src b.test", &tuple, "https://b.test/i.png"));
        assert!(!check("img-src b.test", &opaque, "https://b.test/i.png"));
        assert!(check(
            "img-src https://b.test",
            &opaque,
            "https://b.test/i.png"
        ));
    }

    #[test]
    fn url_view_classifies_hosts() {
        let u = Url::parse("app://local/x").unwrap();
        assert_eq!(UrlView::new(&u).host, UrlHost::Other);
        let u = Url::parse("https://EXAMPLE.test:443/").unwrap();
        let v = UrlView::new(&u);
        assert_eq!(v.host, UrlHost::Domain("example.test"));
        assert_eq!(v.port, None);
        let u = Url::parse("data:,x").unwrap();
        assert_eq!(UrlView::new(&u).host, UrlHost::None);
    }
}
