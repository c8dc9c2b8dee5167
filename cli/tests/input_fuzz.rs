//! The `cli_input` fuzz target (`fuzz/fuzz_targets/cli_input.rs`) on the stable toolchain: its
//! body (`support/input_fuzz.rs`) runs over the CLI's test files, the target's committed seeds
//! (`../fuzz/seeds/cli_input/`), the regression inputs of `tests/data/fuzz/cli_input/`, and a
//! thousand deterministic pseudo-random inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

#[path = "../../tests/suite/files.rs"]
mod files;
#[path = "support/input_fuzz.rs"]
mod input_fuzz;
#[allow(dead_code)] // The suite's generator: this test draws only raw numbers from it.
#[path = "../../tests/suite/rng.rs"]
mod rng;

use std::path::{Path, PathBuf};

use files::files_in;
use rng::Rng;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

#[test]
fn test_files_and_regressions() {
    let mut files = files_in(&data());
    files.extend(files_in(&data().join("../../../fuzz/seeds/cli_input")));
    files.extend(files_in(&data().join("fuzz/cli_input")));
    let mut accepted = 0;
    for (path, bytes) in &files {
        let o = input_fuzz::run(bytes);
        eprintln!("{}: {o:?}", path.display());
        accepted += o.accepted;
    }
    assert!(files.len() >= 25, "{} files", files.len());
    assert!(accepted > files.len(), "the readers accept the good files");
}

/// Bytes that break JSON, lines and UTF-8.
const SPICE: &[u8] = b"{}[]\",:\xff\0\n";

#[test]
fn mutated_test_files_and_random_bytes() {
    let seeds: Vec<Vec<u8>> = files_in(&data())
        .into_iter()
        .map(|(_, b)| b)
        .filter(|b| b.len() < 4_000)
        .collect();
    let mut rng = Rng(0x0c11_1a90_0000_0001);
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..1_000 {
        let input: Vec<u8> = if i % 3 == 0 {
            // Random bytes: mostly the generated-HAR path.
            (0..rng.next() % 512).map(|_| rng.next() as u8).collect()
        } else {
            // A test file with a few bytes overwritten, cut, or spliced.
            let mut b = seeds[(rng.next() % seeds.len() as u64) as usize].clone();
            for _ in 0..1 + rng.next() % 4 {
                if b.is_empty() {
                    break;
                }
                let at = (rng.next() % b.len() as u64) as usize;
                match rng.next() % 4 {
                    0 => b[at] = rng.next() as u8,
                    1 => b.truncate(at),
                    2 => b.insert(at, SPICE[(rng.next() % SPICE.len() as u64) as usize]),
                    _ => {
                        let from = (rng.next() % b.len() as u64) as usize;
                        let piece: Vec<u8> = b[from..b.len().min(from + 40)].to_vec();
                        b.splice(at..at, piece);
                    }
                }
            }
            b
        };
        let o = input_fuzz::run(&input);
        accepted += o.accepted;
        rejected += o.rejected;
    }
    // The inputs reach both outcomes of the readers.
    assert!(
        accepted > 1_000 && rejected > 1_000,
        "{accepted} accepted, {rejected} rejected"
    );
}
