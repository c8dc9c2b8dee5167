//! The integration tests, as one test binary: the spec-literal oracle (`naive.rs`), the
//! generator (`rng.rs`) and the fuzz bodies (`fuzz_bodies.rs`) are compiled once and shared.
//! Only `tests/alloc.rs`, which installs its own global allocator, is a binary of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

mod files;
mod fuzz_bodies;
mod naive;
mod rng;

mod cache_equivalence;
mod cache_stress;
mod checks_vs_naive;
mod deviations;
mod fuzz_smoke;
mod hostile;
mod limits;
mod memory;
mod naive_conformance;
mod parse_properties;
mod workers;
