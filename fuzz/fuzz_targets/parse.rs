//! Any bytes as a header value (lossily decoded, as an engine hands it over), parsed as a
//! header and as `<meta>` content with both dispositions. See `tests/support/fuzz_bodies.rs`.

#![no_main]

#[path = "../../tests/support/fuzz_bodies.rs"]
mod fuzz_bodies;

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    match fuzz_bodies::parse(data) {
        fuzz_bodies::Keep::Yes => Corpus::Keep,
        fuzz_bodies::Keep::No => Corpus::Reject,
    }
});
