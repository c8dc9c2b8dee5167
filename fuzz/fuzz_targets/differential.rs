//! The compiled matcher against the naive spec-literal oracle (`tests/suite/naive.rs`):
//! the same blocked/allowed answer and the same violations, in policy order. See
//! `tests/suite/fuzz_bodies.rs`.

#![no_main]

// The bodies and the oracle are modules of the `tests/suite` test binary; here they are
// included by path, each target using part of them.
#[path = "../../tests/suite/naive.rs"]
#[allow(dead_code)]
mod naive;
#[path = "../../tests/suite/fuzz_bodies.rs"]
#[allow(dead_code)]
mod fuzz_bodies;

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|input: fuzz_bodies::CheckInput| -> Corpus {
    match fuzz_bodies::differential(&input.0) {
        fuzz_bodies::Keep::Yes => Corpus::Keep,
        fuzz_bodies::Keep::No => Corpus::Reject,
    }
});
