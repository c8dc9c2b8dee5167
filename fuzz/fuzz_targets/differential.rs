//! The compiled matcher against the naive spec-literal oracle (`tests/support/naive.rs`):
//! the same blocked/allowed answer and the same violations, in policy order. See
//! `tests/support/fuzz_bodies.rs`.

#![no_main]

#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|input: fuzz_bodies::CheckInput| -> Corpus {
    match fuzz_bodies::differential(&input.0) {
        fuzz_bodies::Keep::Yes => Corpus::Keep,
        fuzz_bodies::Keep::No => Corpus::Reject,
    }
});
