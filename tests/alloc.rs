//! Checks allocate nothing: a counting global allocator (its own test binary, counting per
//! thread) watches every request shape, cached and uncached, allowed and blocked, and the
//! whole request corpus against real-world policies.
//!
//! The only allocation a check may make is the violation list spilling to the heap when three
//! or more policies report the same request (`Verdict` keeps two inline).

#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests panic on broken fixtures.
// The counting allocator cannot be written without `unsafe`: `GlobalAlloc` is an unsafe
// trait. The library itself stays `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use cspgate::test_hooks::UncachedCheck as _;
use cspgate::url::Url;
use cspgate::{
    CacheConfig, CompilationType, Destination, Disposition, DocumentPolicy, NavigationType,
    PolicyList, PolicySource, Request, SinkGroup,
};

thread_local! {
    /// Allocations (and reallocations) made by this thread.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: never fails for a const-initialised key without a destructor, and must not
    // panic inside the allocator even if it did.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

/// The system allocator, counting calls per thread.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so it
// upholds `GlobalAlloc`'s contract exactly as `System` does; the counter is a thread-local
// `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

const REALISTIC: &str = "default-src 'self'; \
    script-src 'self' 'nonce-r4nd0m' https://www.googletagmanager.com; \
    style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; img-src 'self' data: https:; \
    connect-src 'self' https://api.example.org wss://push.example.org; \
    frame-src https://www.youtube.com; worker-src 'self' blob:; object-src 'none'";

fn document() -> Url {
    Url::parse("https://www.example.org/").unwrap()
}

/// The most allocations any one check of `request` made, over every way of checking it.
fn counted_checks(policy: &DocumentPolicy, request: &Request<'_>) -> u64 {
    let mut worst = 0;
    // Twice: the first cached check may be a miss (and an insert), the second a hit.
    for _ in 0..2 {
        for check in [
            DocumentPolicy::check_request_uncached,
            DocumentPolicy::check_request,
            DocumentPolicy::should_block_request,
            DocumentPolicy::report_request,
        ] {
            let (n, _) = allocations(|| check(policy, request));
            worst = worst.max(n);
        }
    }
    worst
}

/// Destinations whose checks a warm-up makes (one per effective directive a request has).
const WARM_UP_DESTINATIONS: [Destination; 12] = [
    Destination::Empty,
    Destination::Script,
    Destination::Style,
    Destination::Image,
    Destination::Font,
    Destination::Video,
    Destination::Object,
    Destination::IFrame,
    Destination::Worker,
    Destination::Manifest,
    Destination::Document,
    Destination::Report,
];

/// Checks requests of every destination to 64 distinct hosts: a document's source lists are
/// compiled by the first check that reads each (`src/policy/lazy_list.rs`), and its verdict cache
/// made lazily by a check (the small one after 16 expensive checks, the full-size one once
/// the small one has evicted 16 entries); those are the only times a check allocates for
/// them. The tests below measure warmed-up documents, so that what they count is the steady
/// state; `making_the_cache_allocates_once_per_size` bounds the warm-up itself.
fn warm_up(policy: &DocumentPolicy) {
    for destination in WARM_UP_DESTINATIONS {
        for i in 0..64 {
            let url = Url::parse(&format!("https://warm{i}.example.net/x")).unwrap();
            let _ = policy.check_request(&Request::new(&url, destination));
        }
    }
}

fn policy(text: &str, config: CacheConfig) -> DocumentPolicy {
    let list = PolicyList::parse(text, Disposition::Enforce, PolicySource::Header);
    let policy = DocumentPolicy::with_cache(&document(), list, config);
    warm_up(&policy);
    policy
}

/// Both cache configurations: the default (only expensive slots consult the cache) and a
/// cache consulted for every request.
fn both(text: &str) -> [DocumentPolicy; 2] {
    [
        policy(text, CacheConfig::new()),
        policy(text, CacheConfig::new().always_consult(true)),
    ]
}

fn assert_allocation_free(text: &str, url: &str, destination: Destination, nonce: &str) {
    let url = Url::parse(url).unwrap();
    for p in both(text) {
        let request = Request::new(&url, destination).nonce(nonce);
        let n = counted_checks(&p, &request);
        assert_eq!(n, 0, "{url} ({destination:?}) under {text:?} allocated");
    }
}

#[test]
fn allowed_checks_allocate_nothing() {
    let cases = [
        ("https://api.example.org/v1", Destination::Empty, ""),
        ("wss://push.example.org/feed", Destination::Empty, ""),
        ("https://www.example.org/sw.js", Destination::Worker, ""),
        ("blob:https://www.example.org/uuid", Destination::Worker, ""),
        ("https://www.youtube.com/embed/x", Destination::IFrame, ""),
        ("https://cdn.test/app.js", Destination::Script, "r4nd0m"),
        (
            "https://www.googletagmanager.com/gtag/js",
            Destination::Script,
            "",
        ),
        // default-src fallback: no media-src, no font-src.
        ("https://www.example.org/a.mp4", Destination::Video, ""),
        ("https://www.example.org/f.woff2", Destination::Font, ""),
        ("data:image/png;base64,AA", Destination::Image, ""),
        // No directive governs a report upload.
        ("https://evil.test/", Destination::Report, ""),
    ];
    for (url, destination, nonce) in cases {
        assert_allocation_free(REALISTIC, url, destination, nonce);
    }
}

#[test]
fn large_lists_allocate_nothing() {
    let hosts: Vec<String> = (0..1000)
        .map(|i| format!("https://api{i}.service{}.example.net", i % 7))
        .collect();
    let mut text = format!("connect-src 'self' {}", hosts.join(" "));
    text.push_str(" *.wild.example.net https://paths.example.net/api/");
    for url in [
        "https://api999.service5.example.net/v1",
        "https://api0.service0.example.net/",
        "https://deep.sub.wild.example.net/x",
        "https://paths.example.net/api/items?id=3",
    ] {
        assert_allocation_free(&text, url, Destination::Empty, "");
    }
}

#[test]
fn blocked_checks_and_report_only_violations_allocate_nothing() {
    let mut list = PolicyList::parse(REALISTIC, Disposition::Enforce, PolicySource::Header);
    list.push_header("connect-src 'none'; img-src 'self'", Disposition::Report);
    for config in [CacheConfig::new(), CacheConfig::new().always_consult(true)] {
        let p = DocumentPolicy::with_cache(&document(), list.clone(), config);
        warm_up(&p);
        for (url, destination) in [
            // Allowed by the enforced policy, reported by the report-only one.
            ("https://api.example.org/v1", Destination::Empty),
            ("https://cdn.test/a.png", Destination::Image),
            // Blocked by the enforced policy and reported: two violations, inline.
            ("https://tracker.evil.test/c", Destination::Empty),
            ("https://evil.test/x.js", Destination::Script),
            ("https://evil.test/", Destination::Object),
        ] {
            let url = Url::parse(url).unwrap();
            let request = Request::new(&url, destination);
            let n = counted_checks(&p, &request);
            assert_eq!(n, 0, "{url} ({destination:?})");
            assert!(!p.check_request(&request).violations().is_empty());
        }
    }
}

/// The Trusted Types checks: allowed ones allocate nothing, and neither do samples (they
/// borrow the name or value and the sink).
#[test]
fn trusted_types_checks_allocate_nothing() {
    let mut list = PolicyList::parse(
        "trusted-types app-html app-script 'allow-duplicates'; script-src 'self' 'trusted-types-eval'",
        Disposition::Enforce,
        PolicySource::Header,
    );
    list.push_header(
        "require-trusted-types-for 'script'; trusted-types *",
        Disposition::Report,
    );
    let p = DocumentPolicy::new(&document(), list.clone());
    let created = ["app-html".to_owned()];
    let long = "é".repeat(100);
    let js = Url::parse("javascript:void(0)").unwrap();
    let request = Request::new(&js, Destination::Document);
    // The first check that reads script-src compiles its list (`src/policy/lazy_list.rs`).
    let _ = p.check_string_compilation(CompilationType::Eval, "1+1", false);
    for _ in 0..2 {
        // Allowed policy creations, and a refused one (its sample borrows the name).
        let (n, v) = allocations(|| p.check_trusted_types_policy("app-html", &created));
        assert_eq!((n, v.is_allowed()), (0, true));
        let (n, v) = allocations(|| p.check_trusted_types_policy(&long, &created));
        assert_eq!((n, v.is_blocked()), (0, true));
        assert_eq!(v.violations()[0].sample().chars().count(), 40);
        // "Does sink type require trusted types?": a field read.
        let (n, _) = allocations(|| {
            p.requires_trusted_types(SinkGroup::Script, true)
                && !p.requires_trusted_types(SinkGroup::Script, false)
        });
        assert_eq!(n, 0);
        // A report-only mismatch: allowed, reported, no allocation.
        let (n, v) = allocations(|| {
            p.check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, &long)
        });
        assert_eq!((n, v.is_allowed(), v.violations().len()), (0, true, 1));
        // eval: the Trusted Types gate, then script-src.
        let (n, v) = allocations(|| p.check_string_compilation(CompilationType::Eval, "1+1", true));
        assert_eq!((n, v.is_blocked()), (0, true));
        let (n, v) =
            allocations(|| p.check_string_compilation(CompilationType::Eval, "1+1", false));
        assert_eq!((n, v.violations().len()), (0, 2));
        // A javascript: navigation the default policy leaves unconverted (`None`: no
        // conversion, no URL to build).
        let (n, v) = allocations(|| {
            p.check_navigation_request_with_trusted_types(&request, NavigationType::Other, |_| None)
        });
        assert_eq!(n, 0);
        assert!(v.verdict().is_blocked());
    }
    // No Trusted Types directive at all: every check returns at once.
    let plain = DocumentPolicy::new(
        &document(),
        PolicyList::parse(REALISTIC, Disposition::Enforce, PolicySource::Header),
    );
    let (n, v) = allocations(|| {
        (
            plain.check_trusted_types_policy("x", &created).is_allowed(),
            plain
                .check_sink_type_mismatch("Element innerHTML", SinkGroup::Script, "x")
                .is_allowed(),
        )
    });
    assert_eq!((n, v), (0, (true, true)));
}

#[test]
fn making_the_cache_allocates_once_per_size() {
    // A 1,000-host connect-src: expensive enough that the default plan caches it.
    let hosts: Vec<String> = (0..1000)
        .map(|i| format!("https://api{i}.example.net"))
        .collect();
    let text = format!("connect-src 'self' {}", hosts.join(" "));
    let list = PolicyList::parse(&text, Disposition::Enforce, PolicySource::Header);
    let no_cache = CacheConfig::new().capacity(0);
    let (doc, copy) = (document(), list.clone());
    // The list is moved in, so the counts are the document's own: its self-origin's.
    let (without, _) = allocations(|| DocumentPolicy::with_cache(&doc, copy, no_cache));
    let (n, p) = allocations(|| DocumentPolicy::new(&doc, list));
    assert_eq!(
        n, without,
        "DocumentPolicy::new allocates nothing for its cache"
    );
    assert_eq!(p.cache_stats().capacity(), 0);
    let urls: Vec<Url> = (0..2000)
        .map(|i| Url::parse(&format!("https://api{}.example.net/v1", i % 1000)).unwrap())
        .collect();
    // The first check compiles the connect-src list (`src/policy/lazy_list.rs`); the 16th makes
    // the small cache, and the one after its 16th eviction the full-size one: every
    // allocation of the first 2,000 checks is one of those three events.
    let mut events = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let (n, _) = allocations(|| p.check_request(&Request::new(url, Destination::Empty)));
        if n > 0 {
            events.push((i, p.cache_stats().capacity()));
        }
    }
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0], (0, 0), "the list, compiled by the first check");
    assert_eq!(events[1], (15, 16), "the small cache, made by the 16th");
    assert_eq!(events[2].1, cspgate::limits::DEFAULT_CACHE_ENTRIES);
    // From then on, nothing.
    for url in &urls {
        let (n, _) = allocations(|| p.check_request(&Request::new(url, Destination::Empty)));
        assert_eq!(n, 0, "{url}");
    }
}

#[test]
fn three_violations_allocate_once() {
    let mut list = PolicyList::new();
    for _ in 0..3 {
        list.push_header("connect-src 'none'", Disposition::Report);
    }
    let p = DocumentPolicy::new(&document(), list);
    let url = Url::parse("https://evil.test/").unwrap();
    let request = Request::new(&url, Destination::Empty);
    // The first check compiles the three lists (`src/policy/lazy_list.rs`).
    let _ = p.check_request(&request);
    let (n, _) = allocations(|| assert_eq!(p.check_request(&request).violations().len(), 3));
    assert_eq!(n, 1, "the violation list spills once");
}

#[test]
fn the_request_corpus_allocates_only_for_three_violations() {
    // `CSPGATE_SHARED_DATA` names the data elsewhere (a git worktree), as for the benches.
    let data = std::env::var_os("CSPGATE_SHARED_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
        std::path::PathBuf::from,
    );
    let (Ok(policies), Ok(requests)) = (
        std::fs::read_to_string(data.join("real-world-csp.txt")),
        std::fs::read_to_string(data.join("requests.txt")),
    ) else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let requests: Vec<(Destination, Url)> = requests
        .lines()
        .filter_map(|l| l.split_once(' '))
        // A few lines hold URLs the URL parser rejects (a port over 65535): no request.
        .filter_map(|(d, u)| {
            let d = if d == "-" { "" } else { d };
            Some((d.parse().unwrap(), Url::parse(u).ok()?))
        })
        .collect();
    let mut checks = 0u64;
    // Every 10th policy, both cache configurations: a few seconds in debug builds.
    for text in policies.lines().step_by(10) {
        for p in both(text) {
            for (destination, url) in &requests {
                let request = Request::new(url, *destination);
                let (n, v) = allocations(|| p.check_request(&request));
                checks += 1;
                let spills = v.violations().len() > 2;
                assert!(
                    n <= u64::from(spills),
                    "{n} allocations: {url} under {text:?}"
                );
            }
        }
    }
    assert!(checks > 100_000);
}

/// A document set up from a header a `PolicyCache` has seen allocates nothing: the list is one
/// shared reference count, the self-origin's host (up to 24 bytes) is kept inline, and the
/// verdict cache is made later, by checks. A longer host costs its one allocation.
#[test]
fn a_warm_setup_allocates_nothing() {
    let cache = cspgate::PolicyCache::default();
    let doc = document();
    let first = DocumentPolicy::new(
        &doc,
        cache.parse(REALISTIC, Disposition::Enforce, PolicySource::Header),
    );
    let (n, second) = allocations(|| {
        DocumentPolicy::new(
            &doc,
            cache.parse(REALISTIC, Disposition::Enforce, PolicySource::Header),
        )
    });
    assert_eq!(n, 0, "a warm setup allocated");
    assert_eq!(cache.hits(), 1);
    assert_eq!(first.policies(), second.policies());
    // Dropping it frees without allocating, and the cache keeps the policies.
    let (n, ()) = allocations(|| drop(second));
    assert_eq!(n, 0);
    // The next ones come from the thread's memo (and one in 17 from the shard again):
    // nothing allocated either.
    let (n, ()) = allocations(|| {
        for _ in 0..40 {
            drop(DocumentPolicy::new(
                &doc,
                cache.parse(REALISTIC, Disposition::Enforce, PolicySource::Header),
            ));
        }
    });
    assert_eq!(n, 0, "a setup answered by the memo allocated");
    assert_eq!(cache.hits(), 41);
    let long = Url::parse("https://a-rather-long-host-name.example.test/").unwrap();
    let (n, _) = allocations(|| {
        DocumentPolicy::new(
            &long,
            cache.parse(REALISTIC, Disposition::Enforce, PolicySource::Header),
        )
    });
    assert_eq!(n, 1, "the host past 24 bytes");
}
