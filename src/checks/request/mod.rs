//! CSP3 §4.1, the Fetch integration: the request entry points of [`DocumentPolicy`], and the
//! pre-request check of every policy through each directive's pre-request algorithm (§6.1,
//! §6.7.1.1, §6.7.2.1-2). The request's fields, and the verdict cache's key and bypass rules
//! that mirror them, are in `fields.rs`; the cache itself in `cache.rs`, made when a
//! document's checks show it pays by `lazy_cache.rs`.

pub(crate) mod cache;
pub(crate) mod fields;
pub(crate) mod lazy_cache;

use std::sync::Arc;

use crate::checks::document::DocumentPolicy;
use crate::checks::request::cache::{Probe, VerdictCache};
use crate::checks::request::fields::{Request, SlotPlan};
use crate::checks::verdict::{Resource, Verdict, Violation};
use crate::matching::origin::{SelfOrigin, UrlView};
use crate::names::destination::{Effective, Initiator, ParserMetadata};
use crate::names::directive::DirectiveKind;
use crate::names::disposition::Disposition;
use crate::names::keywords::Keywords;
use crate::policy::source_list::ListRef;
use crate::policy::{Logic, Policy};

impl DocumentPolicy {
    /// [`check_request`](DocumentPolicy::check_request) without any cache: always runs the
    /// matching algorithms (tests and fuzzers reach it through `test_hooks::UncachedCheck`).
    pub(crate) fn check_uncached<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        let policies = self.list.as_slice();
        match self.prepare(request) {
            Prepared::Done(v) => v,
            Prepared::Slot(slot) => check_slot(policies, &self.origin, request, slot, Scope::All),
            Prepared::Prefetch => check_prefetch(policies, &self.origin, request, Scope::All),
        }
    }

    /// CSP3 §4.1.1 and §4.1.2 together: checks the request against every policy. The verdict
    /// is blocked when an enforced policy blocks it, and lists the violations of enforced and
    /// report-only policies alike.
    ///
    /// Fetch runs the report-only half before upgrading insecure requests and the enforcing
    /// half after; an engine that wants that precision calls
    /// [`report_request`](DocumentPolicy::report_request) and
    /// [`should_block_request`](DocumentPolicy::should_block_request) at those two points
    /// instead.
    ///
    /// Repeated checks of the same destination and URL origin (and path, where a governing
    /// source has one) are answered from the document's verdict cache when matching them
    /// costs more than a lookup; requests whose nonce, integrity or WebTransport hashes could
    /// change the answer are always matched. The verdict is the same as without the cache for
    /// every request (tests and fuzzers hold it to that).
    ///
    /// Allocation-free whenever at most two policies report a violation.
    #[inline]
    pub fn check_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::All)
    }

    /// <https://w3c.github.io/webappsec-csp/#report-for-request>: the report-only policies
    /// only. The verdict is never blocked.
    pub fn report_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::Only(Disposition::Report))
    }

    /// <https://w3c.github.io/webappsec-csp/#should-block-request>: the enforced policies
    /// only.
    pub fn should_block_request<'r>(&self, request: &Request<'r>) -> Verdict<'r> {
        self.check(request, Scope::Only(Disposition::Enforce))
    }

    /// The effective slot of a request, or its verdict when no policy can object.
    #[inline]
    fn prepare<'r>(&self, request: &Request<'r>) -> Prepared<'r> {
        match slot(request) {
            Some(slot) if !self.governed.contains(slot) => Prepared::Done(Verdict::allowed()),
            Some(slot) => Prepared::Slot(slot),
            None if request.initiator == Initiator::Prefetch && self.any_default_src => {
                Prepared::Prefetch
            }
            None => Prepared::Done(Verdict::allowed()),
        }
    }

    /// `always`: inlined into the caller of `check_request` (itself `#[inline]`), the check
    /// saves no registers of its own; as a function of its own it would pay a frame of 17
    /// instructions (callgrind) on every check.
    #[inline(always)]
    fn check<'r>(&self, request: &Request<'r>, scope: Scope) -> Verdict<'r> {
        let policies = self.list.as_slice();
        let slot = match self.prepare(request) {
            Prepared::Done(v) => return v,
            Prepared::Slot(slot) => slot,
            Prepared::Prefetch => return check_prefetch(policies, &self.origin, request, scope),
        };
        // Slots the plan caches, once the cache exists (see `lazy_cache.rs`) and while it
        // earns its keep (see `VerdictCache::enabled`).
        let mut plan = self.plan.stored(slot);
        if !plan.contains(SlotPlan::KNOWN) {
            plan = self.first_plan(slot);
        }
        if plan.contains(SlotPlan::CACHED) {
            let cache = match self.cache.get() {
                Some(c) => Some(c),
                None => self
                    .cache
                    .count_uncached(self.config.capacity, self.config.always_consult),
            };
            if let Some(cache) = cache.filter(|c| c.enabled()) {
                if let Some(key) = request.cache_key(plan) {
                    if let Some(probe) = cache.probe(key.destination, key.flags, key.url.as_bytes())
                    {
                        return self.check_cached(cache, &probe, slot, request, scope);
                    }
                }
            }
        }
        check_slot(policies, &self.origin, request, slot, scope)
    }

    /// The plan of `slot`, computed by its first check. Takes only `self`, so that the
    /// inlined check keeps no more values live for it.
    #[cold]
    #[inline(never)]
    fn first_plan(&self, slot: Effective) -> SlotPlan {
        self.plan.make(&self.list, self.config, slot)
    }

    #[inline]
    fn check_cached<'r>(
        &self,
        cache: &VerdictCache,
        probe: &Probe<'_>,
        slot: Effective,
        request: &Request<'r>,
        scope: Scope,
    ) -> Verdict<'r> {
        let policies = self.list.as_slice();
        let mask = match cache.get(probe) {
            Some(mask) => mask,
            None => {
                let mask = violated_policies(policies, &self.origin, request, slot, Scope::All);
                cache.insert(probe, mask);
                self.cache.after_miss(cache, self.config.capacity);
                mask
            }
        };
        verdict_from_mask(policies, request, slot, mask, scope)
    }
}

/// What [`DocumentPolicy::prepare`] found.
enum Prepared<'r> {
    /// No policy can object.
    Done(Verdict<'r>),
    /// Check the governing directives of this slot.
    Slot(Effective),
    /// A prefetch in a document with default-src: the resource-hint algorithm.
    Prefetch,
}

/// Which policies a check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every policy (report-only ones only report).
    All,
    /// Only policies of this disposition (§4.1.1 runs report-only ones, §4.1.2 enforced ones).
    Only(Disposition),
}

impl Scope {
    #[inline]
    pub(crate) fn includes(self, d: Disposition) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(x) => x == d,
        }
    }
}

/// The effective-directive slot of a request, or `None` when no fetch directive can execute
/// for it (§6.8.1 with §6.8.4).
#[inline]
pub(crate) fn slot(request: &Request<'_>) -> Option<Effective> {
    match request.initiator {
        // §6.8.1 step 1 makes default-src the effective directive of a prerender, and
        // default-src has an empty fallback list (§6.8.3), so no directive executes (§6.8.4).
        Initiator::Prerender => None,
        // Prefetches take the resource-hint path instead (§6.7.2.1 step 1).
        Initiator::Prefetch => None,
        _ => Effective::for_destination(request.destination),
    }
}

/// §6.7.2.1 step 1: the resource-hint check of a prefetch, over the policies in `scope`.
pub(crate) fn check_prefetch<'r>(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'r>,
    scope: Scope,
) -> Verdict<'r> {
    let mut verdict = Verdict::allowed();
    let u = UrlView::new(request.url);
    for (i, policy) in policies.iter().enumerate() {
        if scope.includes(policy.disposition) && resource_hint_violates(policy, origin, &u, request)
        {
            verdict.push(Violation::new(
                policy,
                i,
                DirectiveKind::DefaultSrc,
                DirectiveKind::DefaultSrc,
                // §2.4.2 step 3: the request's original URL, never the current one.
                Resource::Url(request.reported_url()),
            ));
        }
    }
    verdict
}

/// <https://w3c.github.io/webappsec-csp/#should-block-request> and
/// <https://w3c.github.io/webappsec-csp/#report-for-request>, over the policies in `scope`,
/// for a request that is not a prefetch and whose effective slot is `slot`.
// `always`, with `pre_request_allows`: the one-policy check of a list the plan does not cache
// is then one frame, the caller's (callgrind: 44-46 instructions fewer a check than separate
// frames); a cache hit pays 13 more for the larger inlined body.
#[inline(always)]
pub(crate) fn check_slot<'r>(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'r>,
    slot: Effective,
    scope: Scope,
) -> Verdict<'r> {
    // Most documents have one policy: its step alone, no loop and no bit set.
    if let [policy] = policies {
        return if policy_blocks(policy, origin, None, request, slot, scope) {
            verdict_from_mask(policies, request, slot, 1, scope)
        } else {
            Verdict::allowed()
        };
    }
    check_slot_several(policies, origin, request, slot, scope)
}

/// [`check_slot`] for lists of several policies. Out of line, so that the one-policy path
/// keeps a small frame (callgrind: 9 instructions a check when inlined).
#[inline(never)]
fn check_slot_several<'r>(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'r>,
    slot: Effective,
    scope: Scope,
) -> Verdict<'r> {
    if policies.len() > 64 {
        return check_slot_many(policies, origin, request, slot, scope);
    }
    // The violated policies as a bit set first: the common allowed verdict is then built
    // straight into the caller's return slot.
    let mask = violated_policies(policies, origin, request, slot, scope);
    verdict_from_mask(policies, request, slot, mask, scope)
}

/// [`check_slot`] for lists of more than 64 policies (which a bit set cannot hold).
#[cold]
#[inline(never)]
fn check_slot_many<'r>(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'r>,
    slot: Effective,
    scope: Scope,
) -> Verdict<'r> {
    let mut verdict = Verdict::allowed();
    for (i, policy) in blocking_policies(policies, origin, request, slot, scope) {
        push_violation(&mut verdict, policy, i, request, slot);
    }
    verdict
}

/// Records that `policy` (the list's `i`th) blocks `request` in `slot`: the effective
/// directive, the directive that governed, and the request's original URL (§2.4.2 step 3).
fn push_violation<'r>(
    verdict: &mut Verdict<'r>,
    policy: &Policy,
    i: usize,
    request: &Request<'r>,
    slot: Effective,
) {
    if let Some(g) = policy.governor(slot) {
        verdict.push(Violation::new(
            policy,
            i,
            slot.directive(),
            g.directive,
            Resource::Url(request.reported_url()),
        ));
    }
}

/// The policies in `scope` whose governing directive for `slot` blocks the request (bit `i`
/// for policy `i`; the caller guarantees at most 64 policies): §4.1.2 step 3 over every
/// policy, as a bit set. Not for prefetches (§6.7.2.1 step 1).
#[inline]
pub(crate) fn violated_policies(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'_>,
    slot: Effective,
    scope: Scope,
) -> u64 {
    debug_assert!(policies.len() <= 64);
    blocking_policies(policies, origin, request, slot, scope)
        .fold(0, |mask, (i, _)| mask | 1 << (i & 63))
}

/// <https://w3c.github.io/webappsec-csp/#should-block-request> step 3 (and
/// <https://w3c.github.io/webappsec-csp/#report-for-request>'s): for each policy in `scope`,
/// in order, whose governing directive for `slot` blocks the request, the policy's index, the
/// policy and that directive. Not for prefetches (§6.7.2.1 step 1). The one per-policy loop of
/// the request check.
#[inline(always)]
fn blocking_policies<'p, 'r: 'p>(
    policies: &'p [Arc<Policy>],
    origin: &'p SelfOrigin,
    request: &'p Request<'r>,
    slot: Effective,
    scope: Scope,
) -> impl Iterator<Item = (usize, &'p Policy)> + 'p {
    debug_assert!(request.initiator != Initiator::Prefetch);
    let u = UrlView::new(request.url);
    // Step 3: for each policy ...
    policies.iter().enumerate().filter_map(move |(i, policy)| {
        policy_blocks(policy, origin, Some(&u), request, slot, scope).then_some((i, &**policy))
    })
}

/// The step of [`blocking_policies`] for one policy: is the policy in `scope`, and does its
/// governing directive for `slot` block the request? The one per-policy step of the request
/// check. `view` is the view of the request URL when the caller has one (several policies
/// share it); with `None`, the view is built here, only once a directive is to run (a
/// one-policy document builds it only then). Built in place rather than by a closure, which
/// LLVM kept out of line: a call and the view's stores to memory (callgrind: 10 instructions
/// a check).
#[inline(always)]
fn policy_blocks(
    policy: &Policy,
    origin: &SelfOrigin,
    view: Option<&UrlView<'_>>,
    request: &Request<'_>,
    slot: Effective,
    scope: Scope,
) -> bool {
    // §6.7.2.1 step 3, with §6.8.4: only the governing directive can block.
    let Some(g) = policy.governor(slot) else {
        return false;
    };
    if !scope.includes(policy.disposition) {
        return false;
    }
    // The view first: the list read below may compile the list (a call), and fewer values
    // are then live across that call.
    let built;
    let u = match view {
        Some(u) => u,
        None => {
            built = UrlView::new(request.url);
            &built
        }
    };
    !pre_request_allows(policy.list(g.list), g.logic, origin, u, request)
}

/// The verdict of a request whose violated policies (over every disposition) are `mask`,
/// restricted to `scope`: the violations `check_request` would have pushed, in policy order.
#[inline]
pub(crate) fn verdict_from_mask<'r>(
    policies: &[Arc<Policy>],
    request: &Request<'r>,
    slot: Effective,
    mask: u64,
    scope: Scope,
) -> Verdict<'r> {
    if mask == 0 {
        return Verdict::allowed();
    }
    violations_from_mask(policies, request, slot, mask, scope)
}

#[cold]
#[inline(never)]
fn violations_from_mask<'r>(
    policies: &[Arc<Policy>],
    request: &Request<'r>,
    slot: Effective,
    mut mask: u64,
    scope: Scope,
) -> Verdict<'r> {
    let mut verdict = Verdict::allowed();
    while mask != 0 {
        // A bit position, 0..64.
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let Some(policy) = policies.get(i) else {
            debug_assert!(
                false,
                "a cached verdict names policy {i} of {}",
                policies.len()
            );
            continue;
        };
        if !scope.includes(policy.disposition) {
            continue;
        }
        push_violation(&mut verdict, policy, i, request, slot);
    }
    verdict
}

/// One governing directive's pre-request check (§6.1.x, after its should-execute step).
/// Inlined into [`check_slot`] (see there); `matches_url` stays a call, since inlining it too
/// costs the host-source lists more than it saves the `'self'` ones.
#[inline(always)]
pub(crate) fn pre_request_allows(
    list: ListRef<'_>,
    logic: Logic,
    origin: &SelfOrigin,
    u: &UrlView<'_>,
    request: &Request<'_>,
) -> bool {
    match logic {
        Logic::Plain => list.matches_url(u, origin, request.redirect_count),
        // §6.1.2 steps 4-6.
        Logic::Connect => {
            if request.webtransport_hashes {
                return list
                    .keywords()
                    .contains(Keywords::UNSAFE_WEBTRANSPORT_HASHES);
            }
            list.matches_url(u, origin, request.redirect_count)
        }
        // §6.1.13 / §6.1.14 steps 3-5.
        Logic::Style => {
            list.matches_nonce(request.nonce) || list.matches_url(u, origin, request.redirect_count)
        }
        // §6.7.1.1.
        Logic::Script => {
            // Step 1: only script-like destinations are checked; step 2: others are allowed.
            if !request.destination.is_script_like() {
                return true;
            }
            // Step 1.1.
            if list.matches_nonce(request.nonce) {
                return true;
            }
            // Step 1.2.
            if !request.integrity.is_empty() && list.matches_integrity(request.integrity) {
                return true;
            }
            // Step 1.3.
            if list.keywords().contains(Keywords::STRICT_DYNAMIC) {
                return request.parser_metadata != ParserMetadata::ParserInserted;
            }
            // Step 1.4.
            list.matches_url(u, origin, request.redirect_count)
        }
    }
}

/// <https://w3c.github.io/webappsec-csp/#does-resource-hint-violate-policy>
///
/// DEVIATION ("resource hints", docs/spec-deviations.md): step 3.3 compares the list result
/// with "Allowed", which it never is; we implement the intent the note states (the hint is
/// allowed when any fetch directive's list, default-src's included, matches the URL).
fn resource_hint_violates(
    policy: &Policy,
    origin: &SelfOrigin,
    u: &UrlView<'_>,
    request: &Request<'_>,
) -> bool {
    // Steps 1-2: no default-src, no violation.
    if !policy.contains(DirectiveKind::DefaultSrc) {
        return false;
    }
    // Step 3.
    !policy.hint_lists.iter().any(|&l| {
        policy
            .list(l)
            .matches_url(u, origin, request.redirect_count)
    })
}
