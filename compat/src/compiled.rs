//! The compiled form of a CSP list's content, found again by that content.
//!
//! The 0.9 API hands every check a [`CspList`](crate::CspList) of plain strings (which the
//! caller may mutate between calls) and, for some checks, the self-origin. A check needs
//! cspgate's [`DocumentPolicy`] for exactly that content. [`lookup`] finds it:
//!
//! 1. in the calling thread's few most recently used entries (no lock), else
//! 2. in a process-wide cache of at most [`CAPACITY`] entries behind a mutex, keyed by a
//!    keyed (per-process random) hash of the content, else
//! 3. by compiling it, and inserting it in both, evicting the least recently used entry.
//!
//! Every hit compares the whole content (each policy's disposition, source, directive names
//! and tokens, and the self-origin) with the entry's own copy: a hash collision or a list
//! mutated since it was compiled can never be answered from another list's compiled form.
//! Content larger than [`MAX_CACHED_BYTES`] is compiled for the call and not kept, so an
//! attacker who controls policy text cannot make the cache hold more than
//! `CAPACITY * MAX_CACHED_BYTES` of keys (plus their compiled forms, which cspgate bounds).

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use cspgate::{Disposition, DocumentPolicy, PolicyList};
use url::{Host, Origin};

use crate::sync::{Mutex, MutexGuard};

use crate::{Policy, PolicyDisposition, PolicySource};

/// Entries of the process-wide cache.
pub(crate) const CAPACITY: usize = 64;
/// Entries each thread keeps without locking.
const RECENT: usize = 4;
/// Content (sum of the directive names' and tokens' lengths) above which a compiled form is
/// not kept.
pub(crate) const MAX_CACHED_BYTES: usize = 64 * 1024;

/// The self-origin part of a key. Every opaque origin compiles to the same answers (`'self'`
/// matches nothing), so all of them share one key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum OriginKey {
    Opaque,
    Tuple(String, Host<String>, u16),
}

impl OriginKey {
    fn new(origin: Option<&Origin>) -> OriginKey {
        match origin {
            Some(Origin::Tuple(scheme, host, port)) => {
                OriginKey::Tuple(scheme.clone(), host.clone(), *port)
            }
            _ => OriginKey::Opaque,
        }
    }

    fn is(&self, origin: Option<&Origin>) -> bool {
        match (self, origin) {
            (OriginKey::Tuple(s, h, p), Some(Origin::Tuple(s2, h2, p2))) => {
                p == p2 && same_str(s, s2) && h == h2
            }
            (OriginKey::Opaque, None | Some(Origin::Opaque(_))) => true,
            _ => false,
        }
    }

    /// The origin cspgate binds as the self-origin (any opaque origin: they all compile to
    /// the same answers).
    fn origin(&self) -> Origin {
        match self {
            OriginKey::Tuple(scheme, host, port) => {
                Origin::Tuple(scheme.clone(), host.clone(), *port)
            }
            OriginKey::Opaque => Origin::new_opaque(),
        }
    }
}

/// One compiled CSP list.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The content it was compiled from.
    policies: Vec<Policy>,
    origin: OriginKey,
    hash: u64,
    /// The compiled policies, bound to the self-origin.
    pub(crate) document: DocumentPolicy,
    /// For each of `document`'s policies, the index of the 0.9 policy it came from.
    map: Vec<u32>,
}

impl Compiled {
    /// The index in the caller's list of the policy `document` has at `index`.
    #[inline]
    pub(crate) fn source_index(&self, index: usize) -> usize {
        self.map.get(index).map_or(usize::MAX, |&i| i as usize)
    }

    #[inline]
    fn is(&self, policies: &[Policy], origin: Option<&Origin>) -> bool {
        self.origin.is(origin) && same_content(&self.policies, policies)
    }
}

/// Same dispositions, sources, directive names and tokens, in the same order.
#[inline]
fn same_content(a: &[Policy], b: &[Policy]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(p, q)| {
            p.disposition == q.disposition
                && p.source == q.source
                && p.directive_set.len() == q.directive_set.len()
                && p.directive_set.iter().zip(&q.directive_set).all(|(d, e)| {
                    same_str(&d.name, &e.name)
                        && d.value.len() == e.value.len()
                        && d.value.iter().zip(&e.value).all(|(t, u)| same_str(t, u))
                })
        })
}

/// String equality, inline. Every lookup compares every name and token of a list, most of
/// them a few bytes long, where a call to `memcmp` costs more than the comparison: up to 16
/// bytes are compared as a head and a tail word that overlap (4 or 8 bytes each; 1 to 3 bytes
/// one by one), longer strings by `memcmp`.
#[inline]
fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    fn head_tail<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        a.first_chunk::<N>() == b.first_chunk::<N>() && a.last_chunk::<N>() == b.last_chunk::<N>()
    }
    match a.len() {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => head_tail::<4>(a, b),
        8..=16 => head_tail::<8>(a, b),
        _ => a == b,
    }
}

fn content_bytes(policies: &[Policy]) -> usize {
    policies
        .iter()
        .flat_map(|p| &p.directive_set)
        .map(|d| d.name.len() + 1 + d.value.iter().map(|t| t.len() + 1).sum::<usize>())
        .sum()
}

fn hash(policies: &[Policy], origin: &OriginKey) -> u64 {
    static STATE: OnceLock<RandomState> = OnceLock::new();
    let mut h = STATE.get_or_init(RandomState::new).build_hasher();
    origin.hash(&mut h);
    h.write_usize(policies.len());
    for p in policies {
        h.write_u8(p.disposition as u8);
        h.write_u8(p.source as u8);
        h.write_usize(p.directive_set.len());
        for d in &p.directive_set {
            d.name.hash(&mut h);
            d.value.hash(&mut h);
        }
    }
    h.finish()
}

/// The directive names a `<meta>` policy ignores (CSP3 §6.4.2 `frame-ancestors`, §6.3.2
/// `sandbox`; HTML's `http-equiv` processing drops `report-uri` too).
const IGNORED_IN_META: [&str; 3] = ["report-uri", "frame-ancestors", "sandbox"];

/// Writes `policy` as one serialized policy for cspgate's parser: each directive whose name
/// is a `directive-name`, with the tokens of its value that are `directive-value` tokens (a
/// token no parse could produce is dropped, which can only make a source list match less).
fn serialize(policy: &Policy, out: &mut String) {
    for d in &policy.directive_set {
        if !crate::text::is_directive_name(&d.name)
            || (policy.source == PolicySource::Meta
                && IGNORED_IN_META
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&d.name)))
        {
            continue;
        }
        out.push_str(&d.name);
        for t in d
            .value
            .iter()
            .filter(|t| crate::text::is_directive_value_token(t))
        {
            out.push(' ');
            out.push_str(t);
        }
        out.push_str("; ");
    }
}

fn compile(policies: &[Policy], origin: OriginKey, hash: u64) -> Compiled {
    let mut list = PolicyList::new();
    let mut map = Vec::with_capacity(policies.len());
    let mut text = String::new();
    for (i, p) in policies.iter().enumerate() {
        text.clear();
        serialize(p, &mut text);
        let disposition = match p.disposition {
            PolicyDisposition::Enforce => Disposition::Enforce,
            PolicyDisposition::Report => Disposition::Report,
        };
        // Parsed as a header: `serialize` already dropped what a <meta> policy ignores, and
        // a report-only policy object is honoured as one whatever its source (only HTML's
        // <meta> processing, which never makes one, ignores report-only <meta>).
        let parsed = PolicyList::parse(&text, disposition, cspgate::PolicySource::Header);
        map.extend(std::iter::repeat_n(i as u32, parsed.len()));
        list.append(parsed);
    }
    let document = DocumentPolicy::for_origin(&origin.origin(), list);
    Compiled {
        policies: policies.to_vec(),
        origin,
        hash,
        document,
        map,
    }
}

thread_local! {
    static RECENTLY_USED: RefCell<[Option<Arc<Compiled>>; RECENT]> = const { RefCell::new([const { None }; RECENT]) };
}

struct Global {
    entries: Vec<(Arc<Compiled>, u64)>,
    clock: u64,
}

static GLOBAL: Mutex<Global> = Mutex::new(Global {
    entries: Vec::new(),
    clock: 0,
});

/// The process-wide cache.
fn global() -> MutexGuard<'static, Global> {
    GLOBAL.lock()
}

/// The compiled form of `policies` bound to `origin` (`None`: the check reads no
/// self-origin).
pub(crate) fn lookup(policies: &[Policy], origin: Option<&Origin>) -> Arc<Compiled> {
    // 1. This thread's recent entries (moved to the front on a hit).
    let recent = RECENTLY_USED.with(|r| {
        let mut r = r.try_borrow_mut().ok()?;
        let i = r
            .iter()
            .position(|e| e.as_ref().is_some_and(|e| e.is(policies, origin)))?;
        r[..=i].rotate_right(1);
        r[0].clone()
    });
    if let Some(hit) = recent {
        return hit;
    }
    // 2. The process-wide cache.
    let key = OriginKey::new(origin);
    let h = hash(policies, &key);
    let found = {
        let mut g = global();
        g.clock += 1;
        let now = g.clock;
        g.entries
            .iter_mut()
            .find(|(e, _)| e.hash == h && e.is(policies, origin))
            .map(|(e, used)| {
                *used = now;
                Arc::clone(e)
            })
    };
    let compiled = match found {
        Some(e) => e,
        None => {
            // 3. Compile outside the lock.
            let compiled = Arc::new(compile(policies, key, h));
            if content_bytes(policies) > MAX_CACHED_BYTES {
                return compiled;
            }
            let mut g = global();
            let now = g.clock;
            if g.entries.len() >= CAPACITY {
                if let Some(oldest) = g
                    .entries
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(i, _)| i)
                {
                    g.entries.swap_remove(oldest);
                }
            }
            g.entries.push((Arc::clone(&compiled), now));
            compiled
        }
    };
    RECENTLY_USED.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.rotate_right(1);
            r[0] = Some(Arc::clone(&compiled));
        }
    });
    compiled
}

#[cfg(test)]
pub(crate) fn global_len() -> usize {
    global().entries.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn every_opaque_origin_shares_a_key() {
        let key = OriginKey::new(Some(&Origin::new_opaque()));
        assert!(key.is(Some(&Origin::new_opaque())));
        assert!(key.is(None));
        let tuple = Url::parse("https://a.test").unwrap().origin();
        assert!(!key.is(Some(&tuple)));
        assert!(OriginKey::new(Some(&tuple)).is(Some(&tuple)));
    }

    fn list(i: usize) -> Vec<Policy> {
        crate::CspList::parse(
            &format!("img-src https://bound{i}.test"),
            PolicySource::Header,
            PolicyDisposition::Enforce,
        )
        .0
    }

    #[test]
    fn the_cache_stays_bounded() {
        let origin = Url::parse("https://app.test").unwrap().origin();
        for i in 0..CAPACITY * 4 {
            let compiled = lookup(&list(i), Some(&origin));
            assert!(compiled.is(&list(i), Some(&origin)));
            assert!(global_len() <= CAPACITY);
        }
        // Content over the per-entry bound is compiled for the call and not kept.
        let big = crate::CspList::parse(
            &format!(
                "img-src {}",
                "https://x.test ".repeat(MAX_CACHED_BYTES / 10)
            ),
            PolicySource::Header,
            PolicyDisposition::Enforce,
        )
        .0;
        let first = lookup(&big, None);
        let second = lookup(&big, None);
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(GLOBAL
            .lock()
            .entries
            .iter()
            .all(|(e, _)| content_bytes(&e.policies) <= MAX_CACHED_BYTES));
    }

    #[test]
    fn equal_content_finds_the_same_entry() {
        let origin = Url::parse("https://app.test").unwrap().origin();
        let a = lookup(&list(100_000), Some(&origin));
        let b = lookup(&list(100_000), Some(&origin));
        assert!(Arc::ptr_eq(&a, &b));
        let other_origin = Url::parse("https://other.test").unwrap().origin();
        let c = lookup(&list(100_000), Some(&other_origin));
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn keys_bind_their_origin() {
        let same = Url::parse("https://a.test/x.png").unwrap();
        for (origin, self_matches) in [
            (Url::parse("https://a.test").unwrap().origin(), true),
            (Url::parse("https://a.test:8443").unwrap().origin(), false),
            // CSP3 §6.7.2.8 step 4.2: an http self-origin's 'self' allows https too.
            (Url::parse("http://a.test").unwrap().origin(), true),
            (Url::parse("https://b.test").unwrap().origin(), false),
            (Origin::new_opaque(), false),
        ] {
            let compiled = lookup(&self_list(), Some(&origin));
            let request = cspgate::Request::new(&same, cspgate::Destination::Image);
            assert_eq!(
                compiled.document.check_request(&request).is_allowed(),
                self_matches,
                "{origin:?}"
            );
        }
        // An opaque self-origin has no scheme either: a schemeless host-source, which takes
        // the self-origin's scheme, matches nothing through it.
        let list = crate::CspList::parse(
            "img-src a.test",
            PolicySource::Header,
            PolicyDisposition::Enforce,
        )
        .0;
        let request = cspgate::Request::new(&same, cspgate::Destination::Image);
        let other = Url::parse("https://b.test").unwrap().origin();
        let compiled = lookup(&list, Some(&other));
        assert!(compiled.document.check_request(&request).is_allowed());
        let compiled = lookup(&list, Some(&Origin::new_opaque()));
        assert!(compiled.document.check_request(&request).is_blocked());
    }

    #[test]
    fn same_str_is_string_equality() {
        let listed = "a b ab ba abc abd abcd abce abcde xbcde abcdefg abcdefh abcdefgh abcdefgx \
                      xbcdefgh abcdefghi abcdefghj https://a.test https://b.test 'self' 'none' é \
                      e\u{301} abcdefghijklmnopq abcdefghijklmnopr abcdefghXjklmnopq";
        let words: Vec<&str> = std::iter::once("")
            .chain(listed.split_ascii_whitespace())
            .collect();
        for &a in &words {
            for &b in &words {
                assert_eq!(same_str(a, b), a == b, "{a:?} {b:?}");
            }
        }
        // Every single-byte difference at every position of every length up to 40.
        for len in 0..40 {
            let a = "k".repeat(len);
            assert!(same_str(&a, &a.clone()));
            for i in 0..len {
                let mut b = a.clone().into_bytes();
                b[i] = b'j';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_str(&a, &b), "{len} {i}");
            }
        }
    }

    fn self_list() -> Vec<Policy> {
        crate::CspList::parse(
            "img-src 'self'",
            PolicySource::Header,
            PolicyDisposition::Enforce,
        )
        .0
    }
}
