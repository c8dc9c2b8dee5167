//! Malformed input files through the binary: one `cspgate: error:` line and exit 2, never a
//! panic. The inputs are those the `cli_input` fuzz target (`support/input_fuzz.rs`) showed to
//! matter, and the encodings every reader shares.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on broken fixtures.

#[path = "support/binary.rs"]
mod binary;

use std::path::PathBuf;
use std::process::Output;

use binary::assert_input_error;

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let path = binary::scratch("input-errors").join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn cspgate(args: &[&str]) -> Output {
    binary::cspgate_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

const DOC: [&str; 2] = ["--document", "https://app.example.com/"];

#[test]
fn a_har_with_a_latin1_byte_is_read_and_its_bad_entry_named() {
    // A stray Latin-1 byte does not reject the HAR: the text is read, and the entry that is
    // not an entry is named.
    let har = scratch("latin1.har", b"{\"log\": {\"entries\": [\"caf\xe9\"]}}");
    let h = har.to_str().unwrap();
    assert_input_error(
        &cspgate(&["check", "--har", h]),
        "latin1.har: entry 1 is not a valid HAR entry",
    );
}

#[test]
fn invalid_utf8_is_one_line_naming_the_file_and_offset() {
    let list = scratch("latin1.txt", b"image https://app.example.com/\xff.png\n");
    let l = list.to_str().unwrap();
    assert_input_error(
        &cspgate(&[&["check"][..], &DOC, &["--requests", l]].concat()),
        "latin1.txt is not UTF-8 text: invalid byte at offset 30",
    );
    assert_input_error(
        &cspgate(
            &[
                &["check", "--policy-file", l][..],
                &DOC,
                &["https://a.example/"],
            ]
            .concat(),
        ),
        "latin1.txt is not UTF-8 text",
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_text() {
    let har = scratch(
        "bom.har",
        b"\xEF\xBB\xBF{\"log\": {\"entries\": [{\"request\": {\"url\": \"https://app.example.com/\"}, \"_resourceType\": \"document\"}, {\"request\": {\"url\": \"https://cdn.example.net/a.png\"}, \"_resourceType\": \"image\"}]}}",
    );
    let policy = scratch("bom-policy.txt", b"\xEF\xBB\xBFimg-src 'self'\n");
    let o = cspgate(&[
        "check",
        "--json",
        "--har",
        har.to_str().unwrap(),
        "--policy-file",
        policy.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("\"img-src\""), "{out}");
}
