//! Running the `cspgate` binary from the integration tests (`tests/cli.rs`,
//! `tests/har_contexts.rs`, `tests/input_errors.rs`): the run itself, its output as text and
//! JSON lines, the shape every input error must have, and scratch folders.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// `tests/data/<sub>` of the CLI crate.
pub fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

/// Runs `cspgate args` in `dir` with nothing on stdin.
pub fn cspgate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cspgate"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the cspgate binary runs")
}

/// The run's stdout, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The run's stderr, which must be UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The run's stdout as JSON lines, each of which must parse.
pub fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Asserts an input error: exit 2, one line on stderr starting `cspgate: error:` containing
/// `what`, nothing on stdout, no panic.
pub fn assert_input_error(o: &Output, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("cspgate: error: "), "{err}");
    assert!(err.contains(what), "{err:?} should contain {what:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty());
}

/// A fresh-enough folder of the temporary directory for this test process: `cspgate-<name>-<pid>`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cspgate-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
