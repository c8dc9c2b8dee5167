//! Properties of the parser over many generated inputs: it never panics, it never fails, and
//! serialising a parsed list and parsing it again gives the same policies.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use cspgate::{Disposition, PolicyList, PolicySource};

use crate::rng::Rng;

/// Pieces that exercise every branch of the grammar, plus hostile bytes.
const PIECES: &[&str] = &[
    "default-src",
    "script-src",
    "img-src",
    "SCRIPT-SRC",
    "connect-src",
    "frame-ancestors",
    "sandbox",
    "report-uri",
    "x-unknown",
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'nonce-abc'",
    "'sha256-AbC='",
    "'strict-dynamic'",
    "*",
    "https:",
    "data:",
    "*.a.test",
    "a.test:*",
    "https://a.test:8443/p/",
    "http://[::1]",
    "127.0.0.1",
    "a.test/x?y#z",
    "'",
    "''",
    ";",
    ",",
    " ",
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    "é",
    "\u{a0}",
    "\0",
    "%",
    "%zz",
    ":",
    "//",
    "\u{fffd}",
    "'nonce-",
    "sha256-",
    "*.",
    ".",
    "-",
    "?",
    "#",
];

fn random_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(24) {
        if rng.below(8) == 0 {
            // Any char at all, including surrogate-adjacent and control ones.
            let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}');
            s.push(c);
        } else {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
        if rng.below(3) == 0 {
            s.push(' ');
        }
    }
    s
}

#[test]
fn parsing_never_panics_and_round_trips() {
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    for i in 0..20_000 {
        let text = random_text(&mut rng);
        let source = if i % 3 == 0 {
            PolicySource::Meta
        } else {
            PolicySource::Header
        };
        let disposition = if i % 5 == 0 {
            Disposition::Report
        } else {
            Disposition::Enforce
        };
        let list = PolicyList::parse_with(&text, disposition, source, &mut |w| {
            // Every warning's span lies inside the text.
            assert!(w.span().end <= text.len(), "{w:?} outside {text:?}");
        });
        // Serialise each policy and parse it again: the same directives come back.
        for policy in &list {
            let again = PolicyList::parse(&policy.to_string(), disposition, source);
            assert_eq!(again.len(), 1, "{text:?} -> {policy}");
            let a: Vec<_> = policy
                .directives()
                .map(|d| (d.name().clone(), d.tokens().collect::<Vec<_>>()))
                .collect();
            let b: Vec<_> = again[0]
                .directives()
                .map(|d| (d.name().clone(), d.tokens().collect::<Vec<_>>()))
                .collect();
            assert_eq!(a, b, "round trip of {text:?}");
        }
    }
}

#[test]
fn whole_header_round_trips_through_display() {
    let text = "default-src 'self' ; script-src 'nonce-a' https://cdn.test/js/, img-src *";
    let list = PolicyList::parse(text, Disposition::Enforce, PolicySource::Header);
    assert_eq!(
        list.to_string(),
        "default-src 'self'; script-src 'nonce-a' https://cdn.test/js/, img-src *"
    );
    let again = PolicyList::parse(
        &list.to_string(),
        Disposition::Enforce,
        PolicySource::Header,
    );
    assert_eq!(again.to_string(), list.to_string());
    assert_eq!(again.len(), 2);
}
