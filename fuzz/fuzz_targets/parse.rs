//! Any bytes as a header value (lossily decoded, as an engine hands it over), parsed as a
//! header and as `<meta>` content with both dispositions. See `tests/suite/fuzz_bodies.rs`.

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

fuzz_target!(|data: &[u8]| -> Corpus {
    match fuzz_bodies::parse(data) {
        fuzz_bodies::Keep::Yes => Corpus::Keep,
        fuzz_bodies::Keep::No => Corpus::Reject,
    }
});
