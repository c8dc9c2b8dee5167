//! A structured case (policies, document, request): cached and uncached verdicts agree, and
//! so do the enforce/report halves and `explain_request`. See `tests/support/fuzz_bodies.rs`.

#![no_main]

#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|input: fuzz_bodies::CheckInput| -> Corpus {
    match fuzz_bodies::check(&input.0) {
        fuzz_bodies::Keep::Yes => Corpus::Keep,
        fuzz_bodies::Keep::No => Corpus::Reject,
    }
});
