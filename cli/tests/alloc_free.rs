//! Allowed checks allocate nothing: inline (hashes included), eval, Wasm, navigation
//! (form-action, `javascript:`), frame-ancestors, the post-request check, base-uri and the
//! document flags. A counting global allocator watches each call.
//!
//! This binary holds a single test, so no other test thread allocates while it counts. It
//! lives in the CLI crate because a global allocator needs `unsafe`, which the library
//! forbids in every one of its targets; the allocator only forwards to `System` and counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cspgate::url::Url;
use cspgate::{
    Destination, Disposition, DocumentPolicy, InlineCheck, InlineType, NavigationType, PolicyList,
    PolicySource, Request,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to the system allocator with its caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` made.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let out = f();
    (ALLOCATIONS.load(Ordering::SeqCst) - before, out)
}

#[test]
fn allowed_checks_allocate_nothing() {
    // CSP3's own example: the SHA-256 of this source.
    let source = "alert('Hello, world.');";
    let digest = "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=";
    let page = Url::parse("https://app.test/page").unwrap();
    let mut list = PolicyList::parse(
        &format!(
            "default-src 'self'; script-src 'nonce-n' 'sha384-AAAA' 'sha256-{digest}' 'unsafe-hashes' 'unsafe-eval' 'report-sample'; \
             style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self' https://partner.test; base-uri 'self'"
        ),
        Disposition::Enforce,
        PolicySource::Header,
    );
    list.push_header(
        "script-src 'unsafe-inline' 'unsafe-eval' 'sha256-AAAA='",
        Disposition::Report,
    );
    let policy = DocumentPolicy::new(&page, list);
    let js_policy = DocumentPolicy::new(
        &page,
        PolicyList::parse(
            "script-src 'self' 'unsafe-inline'",
            Disposition::Enforce,
            PolicySource::Header,
        ),
    );

    let hashed = InlineCheck::new(InlineType::Script, source);
    let handler = InlineCheck::new(InlineType::ScriptAttribute, source);
    let nonced = InlineCheck::new(InlineType::Script, "x()")
        .nonce("n")
        .nonceable(true);
    let style = InlineCheck::new(InlineType::StyleAttribute, "color: red");
    let form = Url::parse("https://app.test/submit").unwrap();
    let form_request = Request::new(&form, Destination::Document);
    let js = Url::parse(&format!("javascript:{source}")).unwrap();
    let js_request = Request::new(&js, Destination::Document);
    let partner = Url::parse("https://partner.test/embed").unwrap().origin();
    let top = Url::parse("https://app.test/").unwrap().origin();
    let ancestors = [&partner, &top];
    let img = Url::parse("https://app.test/a.png").unwrap();
    let img_request = Request::new(&img, Destination::Image);
    let base = Url::parse("https://app.test/v2/").unwrap();

    // Warm up lazily initialised runtime state (thread-locals, stdout) before counting.
    let _ = policy.check_inline(&hashed);

    type Check<'a> = (&'static str, Box<dyn Fn() -> bool + 'a>);
    let checks: Vec<Check<'_>> = vec![
        (
            "inline hash",
            Box::new(|| policy.check_inline(&hashed).is_allowed()),
        ),
        (
            "inline handler with 'unsafe-hashes'",
            Box::new(|| policy.check_inline(&handler).is_allowed()),
        ),
        (
            "inline nonce",
            Box::new(|| policy.check_inline(&nonced).is_allowed()),
        ),
        (
            "style attribute",
            Box::new(|| policy.check_inline(&style).is_allowed()),
        ),
        (
            "eval",
            Box::new(|| policy.check_eval("1 + 1", false).is_allowed()),
        ),
        ("wasm", Box::new(|| policy.check_wasm().is_allowed())),
        (
            "form-action",
            Box::new(|| {
                policy
                    .check_navigation_request(&form_request, NavigationType::FormSubmission)
                    .is_allowed()
            }),
        ),
        (
            "javascript: URL",
            Box::new(|| {
                js_policy
                    .check_navigation_request(&js_request, NavigationType::Other)
                    .is_allowed()
            }),
        ),
        (
            "frame-ancestors",
            Box::new(|| {
                policy
                    .check_navigation_response(&page, ancestors)
                    .is_allowed()
            }),
        ),
        (
            "post-request",
            Box::new(|| policy.check_response(&img_request, &img).is_allowed()),
        ),
        (
            "base-uri",
            Box::new(|| policy.check_base_uri(&base).is_allowed()),
        ),
        (
            "document flags",
            Box::new(|| {
                policy.sandbox_flags().is_empty()
                    && !policy.should_block_worker().is_blocked()
                    && !policy.upgrade_insecure_requests()
                    && !policy.should_block_plugin_without_url().is_blocked()
            }),
        ),
    ];
    for (name, check) in &checks {
        // The first check that reads a source list compiles it (once per document, see
        // `src/policy/lazy_list.rs`): warm up, then count.
        let _ = check();
        let (n, allowed) = allocations(check);
        assert!(allowed, "{name} should be allowed");
        assert_eq!(n, 0, "{name} allocated {n} times");
    }
    // The counter works: building a report allocates.
    let eval = policy.check_eval("1", false);
    assert!(eval.is_allowed());
    let (n, _) =
        allocations(|| policy.check_inline(&InlineCheck::new(InlineType::Script, "evil()")));
    // One report-only violation fits inline in the verdict: still nothing.
    assert_eq!(n, 0);
    let (n, _) = allocations(|| cspgate::strip_url_for_reports(&page));
    assert!(n > 0);
}
