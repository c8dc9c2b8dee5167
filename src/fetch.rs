//! CSP3 §4.1, the Fetch integration: the pre-request check of every policy, through each
//! directive's pre-request algorithm (§6.1, §6.7.1.1, §6.7.2.1-2).

use std::sync::Arc;

use crate::destination::{Effective, Initiator, ParserMetadata};
use crate::directive::DirectiveKind;
use crate::origin::{SelfOrigin, UrlView};
use crate::policy::{Disposition, Logic, Policy};
use crate::request::Request;
use crate::source::Keywords;
use crate::source_list::ListRef;
use crate::verdict::{Resource, Verdict, Violation};

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
            verdict.push(violation(
                policy,
                i,
                DirectiveKind::DefaultSrc,
                DirectiveKind::DefaultSrc,
                request,
            ));
        }
    }
    verdict
}

/// <https://w3c.github.io/webappsec-csp/#should-block-request> and
/// <https://w3c.github.io/webappsec-csp/#report-for-request>, over the policies in `scope`,
/// for a request that is not a prefetch and whose effective slot is `slot`.
// `never`: kept out of `DocumentPolicy::check`, whose cache-hit path it would otherwise crowd
// (callgrind: 15 instructions more per hit when inlined).
#[inline(never)]
pub(crate) fn check_slot<'r>(
    policies: &[Arc<Policy>],
    origin: &SelfOrigin,
    request: &Request<'r>,
    slot: Effective,
    scope: Scope,
) -> Verdict<'r> {
    // Most documents have one policy: no loop, no bit set.
    if let [policy] = policies {
        let Some(g) = policy.governor(slot) else {
            return Verdict::allowed();
        };
        if !scope.includes(policy.disposition) {
            return Verdict::allowed();
        }
        let u = UrlView::new(request.url);
        if pre_request_allows(policy.list(g.list), g.logic, origin, &u, request) {
            return Verdict::allowed();
        }
        return verdict_from_mask(policies, request, slot, 1, scope);
    }
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
    let u = UrlView::new(request.url);
    // Step 3 of §4.1.2 (and §4.1.1): for each policy ...
    for (i, policy) in policies.iter().enumerate() {
        // §6.7.2.1 step 3: every directive's pre-request check; by §6.8.4 only the governing
        // directive of the effective directive's fallback list can answer Blocked.
        let Some(g) = policy.governor(slot) else {
            continue;
        };
        if !scope.includes(policy.disposition) {
            continue;
        }
        if !pre_request_allows(policy.list(g.list), g.logic, origin, &u, request) {
            verdict.push(violation(policy, i, slot.directive(), g.directive, request));
        }
    }
    verdict
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
    debug_assert!(request.initiator != Initiator::Prefetch);
    let u = UrlView::new(request.url);
    let mut mask = 0u64;
    // Step 3: for each policy ...
    for (i, policy) in policies.iter().enumerate() {
        // §6.7.2.1 step 3, with §6.8.4: only the governing directive can block.
        let Some(g) = policy.governor(slot) else {
            continue;
        };
        if !scope.includes(policy.disposition) {
            continue;
        }
        if !pre_request_allows(policy.list(g.list), g.logic, origin, &u, request) {
            mask |= 1 << (i & 63);
        }
    }
    mask
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
        if let Some(g) = policy.governor(slot) {
            verdict.push(violation(policy, i, slot.directive(), g.directive, request));
        }
    }
    verdict
}

/// One governing directive's pre-request check (§6.1.x, after its should-execute step).
#[inline(never)]
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

#[cold]
#[inline(never)]
fn violation<'r>(
    policy: &Policy,
    index: usize,
    directive: DirectiveKind,
    governing: DirectiveKind,
    request: &Request<'r>,
) -> Violation<'r> {
    Violation {
        directive,
        governing,
        disposition: policy.disposition,
        policy: index as u32,
        // §2.4.2 step 3: the request's original URL, never the current one.
        resource: Resource::Url(request.reported_url()),
        sample: "",
    }
}
