//! The layout ARCHITECTURE.md describes, checked: each top-level module of
//! `src/` uses only the layers below it (so there is no cycle), `lib.rs` only
//! declares modules, `main.rs` stays thin, and no file grows past 400 lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules, lowest layer first. A module may use only the
/// modules before it.
const LAYERS: &[&str] = &[
    "plain_text",
    "secret",
    "client_id",
    "company_names",
    "login_url",
    "pasted_address",
    "config",
    "salesforce",
    "signin",
    "flow",
    "web",
    "commands",
];

const MAX_LINES: usize = 400;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level module a file of `src/` belongs to (`web/api.rs` → `web`).
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

/// The top-level modules a text names as `crate::name` or `crate::{a, b}`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or_default()
                .split(',')
                .collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    used
}

#[test]
fn each_top_level_module_uses_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        if module == "lib" || module == "main" {
            continue;
        }
        let rank = LAYERS
            .iter()
            .position(|layer| *layer == module)
            .unwrap_or_else(|| panic!("{module} is not in LAYERS; add it where it belongs"));
        let text = std::fs::read_to_string(&file).expect("read");
        for used in crate_paths(&text) {
            match LAYERS.iter().position(|layer| *layer == used) {
                Some(used_rank) if used_rank < rank || used == module => {}
                _ => wrong.push(format!("{} uses crate::{used}", file.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_layer_check_notices_an_upward_use() {
    let used = crate_paths("use crate::web::AppState;\nuse crate::{flow, secret::OAuthState};");
    assert_eq!(
        used,
        BTreeSet::from(["flow".to_owned(), "secret".to_owned(), "web".to_owned()])
    );
}

#[test]
fn lib_only_declares_the_layers_and_main_stays_thin() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let mut declared = BTreeSet::new();
    for line in lib.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("//") || line.starts_with("#!") {
            continue;
        }
        let name = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
            .unwrap_or_else(|| panic!("lib.rs should only declare modules: {line}"));
        declared.insert(name.to_owned());
    }
    let layers: BTreeSet<String> = LAYERS.iter().map(|l| (*l).to_owned()).collect();
    assert_eq!(declared, layers);
    let main = std::fs::read_to_string(src().join("main.rs")).expect("main.rs");
    assert!(
        main.lines().count() <= 60,
        "main.rs should fit on one screen"
    );
}

#[test]
fn no_source_file_is_over_400_lines() {
    let long: Vec<String> = rust_files(&src())
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file)
                .expect("read")
                .lines()
                .count();
            (lines > MAX_LINES).then(|| format!("{}: {lines}", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}
