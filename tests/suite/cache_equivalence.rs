//! The verdict cache never changes a verdict: over many generated policy lists and requests,
//! `check_request` (cache miss, then hit), `report_request` and `should_block_request` agree
//! with the cache-free `check_request_uncached`, with tiny caches that evict all the time,
//! and with several threads sharing one document; and documents set up from a `PolicyCache`
//! (sharing policies whose lists are compiled on first use, with verdict caches made lazily)
//! agree with documents whose lists were all compiled while parsing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use std::sync::Arc;

use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{
    CacheConfig, Destination, Disposition, DocumentPolicy, Initiator, ParserMetadata, PolicyCache,
    PolicyList, PolicySource, Request, Verdict, Violation,
};

use crate::rng::Rng;

const DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "script-src-elem",
    "style-src",
    "style-src-elem",
    "connect-src",
    "img-src",
    "worker-src",
    "child-src",
    "frame-src",
    "media-src",
    "object-src",
    "font-src",
    "manifest-src",
];

const SOURCES: &[&str] = &[
    "'self'",
    "'none'",
    "*",
    "https:",
    "http:",
    "data:",
    "blob:",
    "ws:",
    "wss:",
    "app:",
    "a.test",
    "*.a.test",
    "https://b.test",
    "http://b.test:80",
    "https://b.test:8443",
    "b.test:*",
    "https://cdn.test/js/",
    "https://cdn.test/js/app.js",
    "cdn.test/img/",
    "https://cdn.test/%66oo",
    "https://cdn.test/a/",
    "http://*.example.org",
    "wss://push.test",
    "ws://push.test/feed",
    "127.0.0.1",
    "127.0.0.1:8080",
    "*:8443",
    "'nonce-abc'",
    "'nonce-xyz'",
    "'sha256-AAA='",
    "'sha384-BBB'",
    "'strict-dynamic'",
    "'unsafe-inline'",
    "'unsafe-webtransport-hashes'",
    "A.TEST",
    "app://local",
    "app://local/x/",
    "ftp://files.test",
];

const DOCUMENTS: &[&str] = &[
    "https://www.example.org/page",
    "http://a.test:8080/",
    "https://a.test/",
    "http://www.example.org/",
    "data:text/html,hi",
    "app://local/index",
];

const URLS: &[&str] = &[
    "https://www.example.org/",
    "https://www.example.org/js/app.js",
    "http://www.example.org/x",
    "wss://www.example.org/sock",
    "https://a.test/",
    "https://www.a.test/x",
    "https://x.y.a.test/js/app.js",
    "http://a.test:8080/api",
    "https://evila.test/",
    "https://b.test/",
    "https://b.test:8443/",
    "https://b.test:1234/",
    "http://b.test/",
    "https://cdn.test/js/app.js",
    "https://cdn.test/js/app.js?v=2",
    "https://cdn.test/js/",
    "https://cdn.test/js",
    "https://cdn.test/jsx/app.js",
    "https://cdn.test/img/a.png",
    "http://cdn.test/img/a.png",
    "https://cdn.test/foo",
    "https://cdn.test/a%2Fb",
    "https://cdn.test/a/b",
    "https://cdn.test/JS/app.js",
    "wss://push.test/",
    "ws://push.test/feed",
    "ws://push.test/other",
    "https://push.test/feed",
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/",
    "https://[::1]/",
    "https://any.test:8443/",
    "ftp://files.test/f",
    "data:image/png;base64,AA",
    "blob:https://www.example.org/uuid",
    "app://local/x",
    "app://local",
    "app://other/x",
    "file:///etc/passwd",
    "https://user:pw@a.test/",
    "https://a.test./",
    "https://very-long-host-name-to-push-the-key-over-the-limit.subdomain.example.org/and/a/long/path/that/keeps/going/and/going.js",
];

const NONCES: &[&str] = &["", "", "", "abc", "xyz", "ABC"];
const INTEGRITY: &[&str] = &[
    "",
    "",
    "sha256-AAA=",
    "sha256-AAA=",
    "sha384-BBB sha256-AAA=",
    "md5-x",
];

fn random_policy_text(rng: &mut Rng) -> String {
    let directives = 1 + rng.below(4);
    let mut out = Vec::new();
    for _ in 0..directives {
        let mut d = String::from(rng.pick(DIRECTIVES));
        for _ in 0..rng.below(6) {
            d.push(' ');
            d.push_str(rng.pick(SOURCES));
        }
        // Sometimes a long list, to go over the binary-search threshold.
        if rng.chance(15) {
            for i in 0..rng.below(60) {
                d.push_str(&format!(" https://h{i}.test"));
            }
            d.push_str(" *.a.test cdn.test/img/");
        }
        out.push(d);
    }
    out.join("; ")
}

fn random_list(rng: &mut Rng) -> PolicyList {
    let mut list = PolicyList::new();
    for _ in 0..1 + rng.below(3) {
        let disposition = if rng.chance(70) {
            Disposition::Enforce
        } else {
            Disposition::Report
        };
        list.append(PolicyList::parse(
            &random_policy_text(rng),
            disposition,
            PolicySource::Header,
        ));
    }
    list
}

struct Shape {
    url: usize,
    original: Option<usize>,
    destination: Destination,
    initiator: Initiator,
    redirects: u32,
    nonce: &'static str,
    integrity: &'static str,
    parser: ParserMetadata,
    webtransport: bool,
}

fn random_shape(rng: &mut Rng) -> Shape {
    Shape {
        url: rng.below(URLS.len()),
        original: rng.chance(10).then(|| rng.below(URLS.len())),
        destination: rng.pick(Destination::ALL),
        initiator: if rng.chance(85) {
            Initiator::None
        } else {
            rng.pick(Initiator::ALL)
        },
        redirects: if rng.chance(80) {
            0
        } else {
            1 + rng.below(3) as u32
        },
        nonce: rng.pick(NONCES),
        integrity: rng.pick(INTEGRITY),
        parser: rng.pick(ParserMetadata::ALL),
        webtransport: rng.chance(5),
    }
}

fn request<'a>(shape: &Shape, urls: &'a [Url]) -> Request<'a> {
    let mut r = Request::new(&urls[shape.url], shape.destination)
        .initiator(shape.initiator)
        .redirect_count(shape.redirects)
        .nonce(shape.nonce)
        .integrity(shape.integrity)
        .parser_metadata(shape.parser)
        .webtransport_hashes(shape.webtransport);
    if let Some(o) = shape.original {
        r = r.original_url(&urls[o]);
    }
    r
}

fn only<'r>(v: &Verdict<'r>, d: Disposition) -> (bool, Vec<Violation<'r>>) {
    let kept: Vec<_> = v
        .violations()
        .iter()
        .filter(|x| x.disposition() == d)
        .copied()
        .collect();
    (d == Disposition::Enforce && !kept.is_empty(), kept)
}

fn parts<'r>(v: &Verdict<'r>) -> (bool, Vec<Violation<'r>>) {
    (v.is_blocked(), v.violations().to_vec())
}

/// Checks one request every way, against the uncached verdict.
fn check_all_ways(policy: &DocumentPolicy, r: &Request<'_>, what: &dyn Fn() -> String) {
    let want = policy.check_request_uncached(r);
    assert_eq!(policy.check_request(r), want, "first check: {}", what());
    assert_eq!(policy.check_request(r), want, "second check: {}", what());
    assert_eq!(
        parts(&policy.report_request(r)),
        only(&want, Disposition::Report),
        "report_request: {}",
        what()
    );
    assert_eq!(
        parts(&policy.should_block_request(r)),
        only(&want, Disposition::Enforce),
        "should_block_request: {}",
        what()
    );
}

#[test]
fn cached_and_uncached_verdicts_agree() {
    let urls: Vec<Url> = URLS.iter().map(|u| Url::parse(u).unwrap()).collect();
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut hits = 0;
    let mut blocked = 0;
    let mut allowed = 0;
    for case in 0..400 {
        let list = random_list(&mut rng);
        let doc = Url::parse(rng.pick(DOCUMENTS)).unwrap();
        // A tiny cache evicts all the time; a large one keeps everything; the default one
        // only caches the expensive slots.
        let capacity = rng.pick(&[1usize, 4, 8, 256]);
        let configs = [
            CacheConfig::new().capacity(capacity).always_consult(true),
            CacheConfig::new(),
        ];
        for config in configs {
            let policy = DocumentPolicy::with_cache(&doc, list.clone(), config);
            for _ in 0..60 {
                let shape = random_shape(&mut rng);
                let r = request(&shape, &urls);
                let what = || {
                    format!(
                        "case {case}, document {doc}, policy {list:?}, url {}, destination {:?}, \
                         initiator {:?}, redirects {}, nonce {:?}, integrity {:?}, parser {:?}, \
                         webtransport {}",
                        URLS[shape.url],
                        shape.destination,
                        shape.initiator,
                        shape.redirects,
                        shape.nonce,
                        shape.integrity,
                        shape.parser,
                        shape.webtransport
                    )
                };
                check_all_ways(&policy, &r, &what);
                if policy.check_request_uncached(&r).is_blocked() {
                    blocked += 1;
                } else {
                    allowed += 1;
                }
            }
            hits += policy.cache_stats().hits();
        }
    }
    // The generator must exercise the cache and both outcomes.
    assert!(hits > 10_000, "only {hits} cache hits");
    assert!(
        blocked > 5_000 && allowed > 5_000,
        "{blocked} blocked, {allowed} allowed"
    );
}

#[test]
fn documents_from_a_policy_cache_agree_with_fresh_parses() {
    let urls: Vec<Url> = URLS.iter().map(|u| Url::parse(u).unwrap()).collect();
    let mut rng = Rng(0x5eed_cafe_f00d_0003);
    // A pool of header values that documents draw from (sites repeat their header), and a
    // cache too small for all of them, so that admission and eviction run too.
    let pool: Vec<(String, Disposition)> = (0..80)
        .map(|_| {
            let d = if rng.chance(70) {
                Disposition::Enforce
            } else {
                Disposition::Report
            };
            (random_policy_text(&mut rng), d)
        })
        .collect();
    let cache = PolicyCache::new(32, 256 * 1024);
    let mut lazily_made = 0;
    for case in 0..400 {
        let headers: Vec<&(String, Disposition)> = (0..1 + rng.below(2))
            .map(|_| &pool[rng.below(pool.len())])
            .collect();
        let mut shared = PolicyList::new();
        let mut fresh = PolicyList::new();
        for (text, d) in &headers {
            shared.append(cache.parse(text, *d, PolicySource::Header));
            // Compiled while parsing (`parse_with`), where the cache's lists are compiled by
            // their first check.
            fresh.append(PolicyList::parse_with(
                text,
                *d,
                PolicySource::Header,
                &mut |_| {},
            ));
        }
        assert_eq!(shared, fresh, "case {case}");
        let doc = Url::parse(rng.pick(DOCUMENTS)).unwrap();
        let from_cache = DocumentPolicy::new(&doc, shared);
        let parsed = DocumentPolicy::new(&doc, fresh);
        for _ in 0..60 {
            let shape = random_shape(&mut rng);
            let r = request(&shape, &urls);
            let what = || format!("case {case}, document {doc}, headers {headers:?}");
            assert_eq!(
                from_cache.check_request(&r),
                parsed.check_request_uncached(&r),
                "{}",
                what()
            );
            check_all_ways(&from_cache, &r, &what);
        }
        if from_cache.cache_stats().capacity() > 0 {
            lazily_made += 1;
        }
    }
    assert!(cache.hits() > 200, "{} hits", cache.hits());
    assert!(cache.len() <= 32);
    // Some documents' checks made a verdict cache (their long lists are worth it).
    assert!(
        lazily_made > 10,
        "{lazily_made} documents made a verdict cache"
    );
}

#[test]
fn threads_sharing_one_document_agree_with_the_uncached_path() {
    let urls: Vec<Url> = URLS.iter().map(|u| Url::parse(u).unwrap()).collect();
    let urls = Arc::new(urls);
    let mut rng = Rng(0xdead_beef_0000_0002);
    for _ in 0..6 {
        let list = random_list(&mut rng);
        let doc = Url::parse(rng.pick(DOCUMENTS)).unwrap();
        // Two sets: writers and readers collide on the same entries constantly.
        let config = CacheConfig::new().capacity(8).always_consult(true);
        let policy = Arc::new(DocumentPolicy::with_cache(&doc, list, config));
        let threads: Vec<_> = (0..3u64)
            .map(|t| {
                let policy = Arc::clone(&policy);
                let urls = Arc::clone(&urls);
                let mut rng = Rng(rng.next() | 1 | t << 40);
                std::thread::spawn(move || {
                    for _ in 0..3_000 {
                        let shape = random_shape(&mut rng);
                        let r = request(&shape, &urls);
                        let want = policy.check_request_uncached(&r);
                        assert_eq!(policy.check_request(&r), want, "{}", URLS[shape.url]);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}

#[test]
fn clones_start_empty_and_agree() {
    let doc = Url::parse("https://www.example.org/").unwrap();
    let hosts: Vec<String> = (0..100).map(|i| format!("https://h{i}.test")).collect();
    let list = PolicyList::parse(
        &format!("connect-src 'self' {}", hosts.join(" ")),
        Disposition::Enforce,
        PolicySource::Header,
    );
    let policy = DocumentPolicy::new(&doc, list);
    let url = Url::parse("https://h42.test/api").unwrap();
    let r = Request::new(&url, Destination::Empty);
    // The 16th check makes the cache (a miss); the 17th hits.
    for _ in 0..17 {
        assert!(policy.check_request(&r).is_allowed());
    }
    assert_eq!(policy.cache_stats().hits(), 1, "a 100-host list is cached");
    let clone = policy.clone();
    assert_eq!(clone.cache_stats().hits() + clone.cache_stats().misses(), 0);
    // The clone shares the compiled policies and makes its own cache when it pays.
    assert_eq!(clone.cache_stats().capacity(), 0);
    assert!(core::ptr::eq(&clone.policies()[0], &policy.policies()[0]));
    for _ in 0..17 {
        assert!(clone.check_request(&r).is_allowed());
    }
    assert_eq!(
        clone.cache_stats().capacity(),
        policy.cache_stats().capacity()
    );
    let evil = Url::parse("https://evil.test/").unwrap();
    let r = Request::new(&evil, Destination::Empty);
    assert_eq!(clone.check_request(&r), policy.check_request_uncached(&r));
    assert!(clone.check_request(&r).is_blocked());
}

#[test]
fn lists_of_more_than_64_policies_are_checked_without_the_cache() {
    let doc = Url::parse("https://www.example.org/").unwrap();
    let mut list = PolicyList::new();
    for i in 0..70 {
        list.push_header(
            &format!("img-src 'self' https://h{i}.test"),
            Disposition::Report,
        );
    }
    let policy = DocumentPolicy::with_cache(&doc, list, CacheConfig::new().always_consult(true));
    let url = Url::parse("https://h3.test/a.png").unwrap();
    let r = Request::new(&url, Destination::Image);
    let v = policy.check_request(&r);
    assert_eq!(v, policy.check_request_uncached(&r));
    assert_eq!(v.violations().len(), 69);
    assert_eq!(policy.cache_stats().capacity(), 0);
}
