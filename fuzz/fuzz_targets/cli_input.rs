//! Any bytes as the CLI's inputs: a HAR file, a request list, a policy file (and the same bytes
//! as a generated HAR-shaped document). See `cli/tests/support/input_fuzz.rs`.

#![no_main]

#[path = "../../cli/tests/support/input_fuzz.rs"]
mod input_fuzz;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    input_fuzz::run(data);
});
