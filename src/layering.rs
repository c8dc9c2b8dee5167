//! The layers of `src/` and the direction of their dependencies (`docs/design.md`, "The map"):
//! a module may name its own layer and the layers before it, never one after it.

use std::path::Path;

/// The layers, in dependency order: each may use those before it.
const LAYERS: &[&str] = &["names", "parse", "policy", "matching", "checks", "report"];

/// Top-level modules any layer may use (they use no layer themselves).
const SHARED: &[&str] = &["limits", "sync"];

/// The non-test code of a source file: comments dropped, `#[cfg(test)]` modules (always at
/// the end of a file) cut off.
fn code(text: &str) -> String {
    let text = match text.find("\n#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::<first segment>` a piece of code names.
fn crate_paths(code: &str) -> Vec<&str> {
    code.match_indices("crate::")
        .filter(|(i, _)| {
            // Not the tail of another identifier (`$crate::` counts: it is this crate).
            let before = code[..*i].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(i, m)| {
            let rest = &code[i + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn no_layer_reaches_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut files = 0;
    for (rank, layer) in LAYERS.iter().enumerate() {
        let dir = src.join(layer);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let code = code(&text);
            for name in crate_paths(&code) {
                let allowed = match LAYERS.iter().position(|l| *l == name) {
                    Some(r) => r <= rank,
                    None => SHARED.contains(&name),
                };
                if !allowed {
                    problems.push(format!("{}: crate::{name}", path.display()));
                }
            }
        }
    }
    assert!(files > 30, "only {files} files found under src/<layer>/");
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

/// The `.rs` files under `dir`, as paths relative to it (`request/fields.rs`).
fn rust_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            rust_files(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            out.push(format!("{prefix}{name}"));
        }
    }
}

#[test]
fn the_design_map_lists_every_file_of_every_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let design = std::fs::read_to_string(root.join("docs/design.md")).unwrap();
    let mut problems = Vec::new();
    for layer in LAYERS {
        let head = format!("| `src/{layer}/` |");
        let Some(row) = design.lines().find(|l| l.starts_with(&head)) else {
            problems.push(format!("docs/design.md has no row for src/{layer}/"));
            continue;
        };
        // The last column lists the files.
        let listed = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
        let mut files = Vec::new();
        rust_files(&root.join("src").join(layer), "", &mut files);
        for file in &files {
            if file == "mod.rs" && !listed.contains("mod.rs") {
                continue; // a folder's mod.rs is listed only when it holds more than modules
            }
            // `request/{mod,fields,cache}.rs` lists request/mod.rs, ...
            let (dir, stem) = match file.rsplit_once('/') {
                Some((dir, name)) => (format!("{dir}/"), name.trim_end_matches(".rs")),
                None => (String::new(), file.trim_end_matches(".rs")),
            };
            let plain = format!("`{file}`");
            let grouped = listed.contains(&format!("`{dir}{{"))
                && listed
                    .split(&format!("`{dir}{{"))
                    .nth(1)
                    .and_then(|rest| rest.split('}').next())
                    .is_some_and(|group| group.split(',').any(|s| s == stem));
            if !listed.contains(&plain) && !grouped {
                problems.push(format!("src/{layer}/{file} is not in docs/design.md's map"));
            }
        }
        for listed_file in listed.split('`').skip(1).step_by(2) {
            if !listed_file.contains('{') && !files.iter().any(|f| f == listed_file) {
                problems.push(format!(
                    "docs/design.md lists src/{layer}/{listed_file}, which is gone"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_what_it_must() {
    let text = "use crate::checks::x;\n// crate::report\nfn f() { $crate::names::y(); }\n\
                #[cfg(test)]\nmod tests { use crate::report; }";
    assert_eq!(crate_paths(&code(text)), ["checks", "names"]);
}
