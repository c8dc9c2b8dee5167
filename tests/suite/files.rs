//! The files of a corpus folder, read whole: the seeds and regression inputs the fuzz smoke
//! tests replay (here and in `cli/tests/input_fuzz.rs`).

use std::path::{Path, PathBuf};

/// Every file directly in `dir` with its bytes, sorted by path; none when `dir` is absent.
pub(crate) fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}
