//! Stress of the verdict cache: 2 to 8 threads share one `DocumentPolicy` and check a mix of
//! repeated URLs (hits), never-repeated URLs (misses, inserts, evictions) and floods of
//! distinct URLs (which switch the sampling cache off, then on again), and every verdict is
//! compared with the cache-free `check_request_uncached`.
//!
//! `cargo test` runs it briefly. For minutes, in release:
//!
//! ```sh
//! CSPGATE_STRESS_SECS=300 cargo test --release --test suite cache_stress -- --ignored --nocapture
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use cspgate::test_hooks::UncachedCheck;
use cspgate::url::Url;
use cspgate::{CacheConfig, Destination, Disposition, DocumentPolicy, PolicyList, PolicySource};
use cspgate::{ParserMetadata, Request};

use crate::rng::Rng;

/// Policies whose lists are long enough to be cached, with a report-only one beside.
fn policies() -> PolicyList {
    let hosts: Vec<String> = (0..80).map(|i| format!("https://h{i}.test")).collect();
    let mut list = PolicyList::parse(
        &format!(
            "img-src 'self' {} *.img.test https://cdn.test/images/; \
             script-src 'nonce-n0nce' https://cdn.test/js/ {}; \
             connect-src 'self' wss://push.test https://api.test/v1/ {}; \
             style-src 'self' https://cdn.test/css/app.css",
            hosts.join(" "),
            hosts[..40].join(" "),
            hosts[40..].join(" ")
        ),
        Disposition::Enforce,
        PolicySource::Header,
    );
    list.append(PolicyList::parse(
        &format!("default-src 'none'; img-src {}", hosts[..20].join(" ")),
        Disposition::Report,
        PolicySource::Header,
    ));
    list
}

/// The first `HOT` URLs of the pool are most of the repeated requests.
const HOT: usize = 6;

const DESTINATIONS: &[Destination] = &[
    Destination::Image,
    Destination::Script,
    Destination::Empty,
    Destination::Style,
    Destination::Font,
];

/// A URL that some of the policies' sources match and others do not.
fn url_text(rng: &mut Rng, unique: Option<u64>) -> String {
    let host = match rng.below(6) {
        0 => format!("h{}.test", rng.below(100)),
        1 => format!("x{}.img.test", rng.below(5)),
        2 => "cdn.test".to_owned(),
        3 => "app.test".to_owned(),
        4 => "api.test".to_owned(),
        _ => "evil.test".to_owned(),
    };
    let scheme = ["https", "http", "wss"][rng.below(3)];
    let dir = ["images", "js", "css", "v1", "x"][rng.below(5)];
    match unique {
        Some(n) => format!("{scheme}://{host}/{dir}/{n}.bin"),
        None => format!("{scheme}://{host}/{dir}/{}.js", rng.below(4)),
    }
}

/// What one thread saw.
#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    checks: u64,
    blocked: u64,
}

/// Checks until `deadline` or `max_checks`, comparing every verdict with the uncached one.
fn worker(
    policy: &DocumentPolicy,
    pool: &[Url],
    seed: u64,
    max_checks: u64,
    deadline: Instant,
) -> Tally {
    let mut rng = Rng(seed | 1);
    let mut tally = Tally::default();
    let mut unique = seed << 32;
    let mut flood = 0;
    while tally.checks < max_checks && (tally.checks % 256 != 0 || Instant::now() < deadline) {
        if flood == 0 && rng.below(2_500) == 0 {
            // A flood: hundreds of distinct URLs in a row.
            flood = 200 + rng.below(800);
        }
        let fresh;
        let url = if flood > 0 || rng.chance(30) {
            flood = flood.saturating_sub(1);
            unique += 1;
            fresh = Url::parse(&url_text(&mut rng, Some(unique))).unwrap();
            &fresh
        } else if rng.chance(65) {
            // A few hot URLs, as a page's repeated requests.
            &pool[rng.below(HOT)]
        } else {
            &pool[rng.below(pool.len())]
        };
        let mut r = Request::new(url, rng.pick(DESTINATIONS));
        if rng.chance(20) {
            r = r.nonce("n0nce");
        }
        if rng.chance(10) {
            r = r.parser_metadata(ParserMetadata::NotParserInserted);
        }
        let cached = policy.check_request(&r);
        let want = policy.check_request_uncached(&r);
        assert_eq!(cached, want, "{url} as {:?}", r.destination());
        tally.checks += 1;
        tally.blocked += u64::from(want.is_blocked());
    }
    tally
}

/// Runs `threads` workers on one policy per cache configuration, each for `per_thread`
/// checks or `slice`, whichever ends first; returns checks, blocked, hits and misses.
fn run(threads: u64, per_thread: u64, slice: Duration, seed: u64) -> (u64, u64, u64, u64) {
    let doc = Url::parse("https://app.test/").unwrap();
    let mut rng = Rng(seed);
    let pool: Arc<Vec<Url>> = Arc::new(
        (0..40)
            .map(|_| Url::parse(&url_text(&mut rng, None)).unwrap())
            .collect(),
    );
    let (mut checks, mut blocked, mut hits, mut misses) = (0, 0, 0, 0);
    for config in [
        // One set of four: every insert evicts, writers collide on one stripe.
        CacheConfig::new().capacity(4).always_consult(true),
        CacheConfig::new().capacity(64).always_consult(true),
        // The default: sampling switches the cache off in floods.
        CacheConfig::new(),
    ] {
        let policy = Arc::new(DocumentPolicy::with_cache(&doc, policies(), config));
        let deadline = Instant::now() + slice;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let policy = Arc::clone(&policy);
                let pool = Arc::clone(&pool);
                let seed = rng.next() ^ t;
                std::thread::spawn(move || worker(&policy, &pool, seed, per_thread, deadline))
            })
            .collect();
        for h in handles {
            let t = h.join().unwrap();
            checks += t.checks;
            blocked += t.blocked;
        }
        let s = policy.cache_stats();
        hits += s.hits();
        misses += s.misses();
    }
    (checks, blocked, hits, misses)
}

#[test]
fn threads_sharing_one_policy_agree_with_the_uncached_check() {
    let far = Duration::from_secs(3600);
    for threads in [2, 3, 8] {
        let (checks, blocked, hits, misses) = run(threads, 1_500, far, 0x57e5_5000 + threads);
        assert_eq!(checks, 3 * threads * 1_500);
        // The mix reaches both verdicts, hits and misses.
        assert!(
            blocked > checks / 10 && blocked < checks * 9 / 10,
            "{blocked}/{checks}"
        );
        // Hundreds of hits at least (tiny caches and floods make most checks misses, and the
        // default cache switches itself off on this mix).
        assert!(hits > checks / 20, "{hits} hits of {checks}");
        assert!(misses > checks / 10, "{misses} misses of {checks}");
    }
}

/// The long run: `CSPGATE_STRESS_SECS` seconds (default 60), thread counts 2 to 8 in turn.
#[test]
#[ignore = "minutes long; run in release with CSPGATE_STRESS_SECS"]
fn long_stress() {
    let secs: u64 = std::env::var("CSPGATE_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let start = Instant::now();
    let slice = Duration::from_secs(secs) / 7 / 3;
    let (mut checks, mut blocked, mut hits, mut misses) = (0, 0, 0, 0);
    for threads in 2..=8u64 {
        let t0 = Instant::now();
        let r = run(threads, u64::MAX, slice, 0x10_0000 * threads);
        checks += r.0;
        blocked += r.1;
        hits += r.2;
        misses += r.3;
        println!(
            "{threads} threads: {} checks in {:.1} s ({} hits, {} misses), all equal to the uncached verdict",
            r.0,
            t0.elapsed().as_secs_f64(),
            r.2,
            r.3
        );
    }
    println!(
        "total: {checks} checks ({blocked} blocked) in {:.1} s; cache {hits} hits, {misses} misses \
         (the rest bypassed the cache); 0 mismatches",
        start.elapsed().as_secs_f64()
    );
    assert!(checks > 0);
}
