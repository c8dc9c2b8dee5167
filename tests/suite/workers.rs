//! Workers created from `blob:` and `data:` URLs (CSP3 §6.2.2 `worker-src`, with its fallback
//! list worker-src → child-src → script-src → default-src), checked as requests, and the
//! worker's own `sandbox` initialization (§6.3.2).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use cspgate::url::Url;
use cspgate::{
    Destination, DirectiveKind, Disposition, DocumentPolicy, PolicyList, PolicySource, Request,
};

const WORKERS: [Destination; 3] = [
    Destination::Worker,
    Destination::SharedWorker,
    Destination::ServiceWorker,
];

/// The verdict for a worker script at `url`: (blocked, effective directive of the violation).
fn worker(policy: &str, url: &str, destination: Destination) -> (bool, Option<DirectiveKind>) {
    let doc = Url::parse("https://app.test/page").unwrap();
    let p = DocumentPolicy::new(
        &doc,
        PolicyList::parse(policy, Disposition::Enforce, PolicySource::Header),
    );
    let u = Url::parse(url).unwrap();
    let v = p.check_request(&Request::new(&u, destination));
    let directive = v.violations().first().map(|v| v.directive());
    (v.is_blocked(), directive)
}

const BLOB: &str = "blob:https://app.test/6f1c2a4e-0000-4000-8000-000000000000";
const DATA: &str = "data:application/javascript,postMessage(1)";

#[test]
fn blob_and_data_workers_need_their_scheme_in_worker_src() {
    for d in WORKERS {
        assert_eq!(worker("worker-src blob:", BLOB, d), (false, None), "{d}");
        assert_eq!(worker("worker-src data:", DATA, d), (false, None), "{d}");
        assert_eq!(
            worker("worker-src blob:", DATA, d),
            (true, Some(DirectiveKind::WorkerSrc)),
            "{d}"
        );
        // 'self' and * never match blob: or data: (blob: and 'self': deviation 7).
        for p in ["worker-src 'self'", "worker-src *", "worker-src https:"] {
            assert_eq!(
                worker(p, BLOB, d),
                (true, Some(DirectiveKind::WorkerSrc)),
                "{p}"
            );
            assert_eq!(
                worker(p, DATA, d),
                (true, Some(DirectiveKind::WorkerSrc)),
                "{p}"
            );
        }
    }
}

#[test]
fn blob_and_data_workers_follow_the_fallback_list() {
    let w = Destination::Worker;
    // child-src stands in for worker-src; the violation still names worker-src.
    assert_eq!(worker("child-src blob:", BLOB, w), (false, None));
    assert_eq!(
        worker("child-src 'self'; script-src blob:", BLOB, w),
        (true, Some(DirectiveKind::WorkerSrc))
    );
    // Then script-src, then default-src.
    assert_eq!(worker("script-src blob: data:", DATA, w), (false, None));
    assert_eq!(worker("default-src data:", DATA, w), (false, None));
    assert_eq!(
        worker("default-src 'self'", BLOB, w),
        (true, Some(DirectiveKind::WorkerSrc))
    );
    // worker-src, when present, is the only list consulted.
    assert_eq!(
        worker(
            "worker-src 'none'; script-src blob:; default-src blob:",
            BLOB,
            w
        ),
        (true, Some(DirectiveKind::WorkerSrc))
    );
    // script-src-elem is not in the worker fallback list.
    assert_eq!(worker("script-src-elem 'none'", BLOB, w), (false, None));
    // Nothing governs workers: allowed.
    assert_eq!(worker("img-src 'none'", BLOB, w), (false, None));
}

#[test]
fn script_src_governing_a_worker_runs_the_script_checks() {
    // Workers are never parser-inserted, so 'strict-dynamic' in script-src admits them ...
    assert_eq!(
        worker("script-src 'strict-dynamic'", BLOB, Destination::Worker),
        (false, None)
    );
    // ... but not in worker-src or default-src standing in for it, which only match URLs.
    assert_eq!(
        worker("worker-src 'strict-dynamic'", BLOB, Destination::Worker),
        (true, Some(DirectiveKind::WorkerSrc))
    );
    assert_eq!(
        worker("default-src 'strict-dynamic'", BLOB, Destination::Worker),
        (true, Some(DirectiveKind::WorkerSrc))
    );
}

#[test]
fn the_worker_global_keeps_its_creators_self_origin_and_sandbox() {
    // A blob: worker's global gets a copy of its creator's policies and self-origin: built
    // from the creator's URL, 'self' still means the creator's origin in the worker.
    let creator = Url::parse("https://app.test/page").unwrap();
    let list = PolicyList::parse(
        "connect-src 'self'; sandbox allow-scripts",
        Disposition::Enforce,
        PolicySource::Header,
    );
    let worker_policy = DocumentPolicy::new(&creator, list);
    let api = Url::parse("https://app.test/api").unwrap();
    assert!(worker_policy
        .check_request(&Request::new(&api, Destination::Empty))
        .is_allowed());
    // sandbox without allow-same-origin: the worker may not run.
    assert!(worker_policy.should_block_worker().is_blocked());
}
