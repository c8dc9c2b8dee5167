//! The fuzz targets of `fuzz/` on the stable toolchain: each target's body
//! (`fuzz_bodies.rs`, shared with `fuzz/fuzz_targets/`) runs over its committed seed
//! corpus (`fuzz/seeds/<target>/`), over every regression input (`tests/data/fuzz/<target>/`),
//! and over a few thousand deterministic pseudo-random inputs, so CI exercises every target
//! without nightly or libFuzzer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

use crate::fuzz_bodies;

use std::path::{Path, PathBuf};

#[allow(unused_imports)]
use crate::fuzz_bodies::{Case, CheckInput, Keep, PolicyText};
use arbitrary::{Arbitrary, Unstructured};
#[allow(unused_imports)] // The names a pasted `Case` reproduction uses.
use cspgate::{Destination, Disposition, Initiator, ParserMetadata, PolicySource};

use crate::files::files_in;
use crate::rng::Rng;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed seeds and regression inputs of a target.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = files_in(&root().join("fuzz/seeds").join(target));
    all.extend(files_in(&root().join("tests/data/fuzz").join(target)));
    all
}

fn case_of(bytes: &[u8]) -> Case {
    CheckInput::arbitrary_take_rest(Unstructured::new(bytes))
        .expect("every byte string is an input")
        .0
}

/// Header-like text: grammar pieces, separators and hostile characters.
fn header_like(rng: &mut Rng) -> Vec<u8> {
    const PIECES: &[&str] = &[
        "default-src",
        "script-src",
        "img-src",
        "x-unknown",
        "'self'",
        "'none'",
        "'nonce-abc'",
        "'sha256-AbC='",
        "*",
        "https:",
        "*.a.test",
        "a.test:*",
        "https://a.test:8443/p/",
        "a/b://c",
        ";",
        ",",
        " ",
        "\t",
        "\x0b",
        "\0",
        "é",
        "%",
        "'",
    ];
    let mut s = Vec::new();
    for _ in 0..rng.below(40) {
        if rng.below(6) == 0 {
            s.push(rng.next() as u8);
        } else {
            s.extend_from_slice(PIECES[rng.below(PIECES.len())].as_bytes());
        }
    }
    s
}

#[test]
fn parse_target_over_seeds_and_random_inputs() {
    let seeds = corpus("parse");
    assert!(seeds.len() >= 100, "the parse seeds are missing");
    for (path, bytes) in &seeds {
        assert_eq!(fuzz_bodies::parse(bytes), Keep::Yes, "{}", path.display());
    }
    let mut rng = Rng(0x0dd_ba11_5eed_cafe);
    for i in 0..3000 {
        let input = if i % 2 == 0 {
            rng.bytes(256)
        } else {
            header_like(&mut rng)
        };
        fuzz_bodies::parse(&input);
    }
    // Oversize inputs are rejected, not parsed.
    assert_eq!(
        fuzz_bodies::parse(&vec![b'a'; fuzz_bodies::MAX_PARSE_INPUT + 1]),
        Keep::No
    );
}

#[test]
fn check_target_over_seeds_and_random_inputs() {
    let mut seeds = corpus("check");
    seeds.extend(corpus("differential"));
    assert!(seeds.len() >= 100, "the check seeds are missing");
    let mut kept = 0;
    for (_, bytes) in &seeds {
        if fuzz_bodies::check(&case_of(bytes)) == Keep::Yes {
            kept += 1;
        }
    }
    assert!(kept * 10 >= seeds.len() * 9, "most seeds are real cases");
    let mut rng = Rng(0xc4ec_c0de_0000_0001);
    for _ in 0..3000 {
        fuzz_bodies::check(&case_of(&rng.bytes(400)));
    }
}

#[test]
fn differential_target_over_seeds_and_random_inputs() {
    let seeds = corpus("differential");
    assert!(seeds.len() >= 700, "the differential seeds are missing");
    for (path, bytes) in &seeds {
        assert_eq!(
            fuzz_bodies::differential(&case_of(bytes)),
            Keep::Yes,
            "{}",
            path.display()
        );
    }
    let mut rng = Rng(0xd1ff_d1ff_0000_0002);
    let mut compared = 0;
    for _ in 0..3000 {
        if fuzz_bodies::differential(&case_of(&rng.bytes(400))) == Keep::Yes {
            compared += 1;
        }
    }
    assert!(
        compared > 1000,
        "only {compared} generated cases had URLs that parse"
    );
}

#[test]
fn generated_cases_print_as_rust_and_round_trip_as_text() {
    let mut rng = Rng(0x7e57_0000_0000_0003);
    for _ in 0..200 {
        let case = case_of(&rng.bytes(300));
        let debug = format!("{case:?}");
        assert!(debug.starts_with("Case {") && debug.contains("destination: Destination::"));
        // The text form keeps every field that holds no line feed.
        if !format!("{}{}", case.integrity, case.nonce).contains('\n')
            && case.policies.iter().all(|p| !p.text.contains('\n'))
            && !case.url.contains('\n')
            && !case.document.contains('\n')
        {
            assert_eq!(Case::from_text(&case.to_text()), Some(case));
        }
    }
}

/// A reproduction printed by a fuzzer (`Debug` of the input), pasted as is.
#[test]
fn printed_reproductions_compile() {
    let case = Case {
        policies: vec![PolicyText::new(
            "script-src 'nonce-abc' 'strict-dynamic'",
            Disposition::Enforce,
            PolicySource::Header,
        )],
        document: "https://a.test/".into(),
        url: "https://b.test/x.js".into(),
        destination: Destination::Script,
        initiator: Initiator::None,
        redirect_count: 0,
        nonce: "".into(),
        integrity: "".into(),
        parser_metadata: ParserMetadata::ParserInserted,
    };
    assert_eq!(fuzz_bodies::check(&case), Keep::Yes);
    assert_eq!(fuzz_bodies::differential(&case), Keep::Yes);
}
