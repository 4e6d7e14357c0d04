//! The layering ARCHITECTURE.md promises, checked from the source text: a
//! top-level module names only modules of its own layer's bottom-up
//! predecessors, and inside `chart` and `scaling` no two files import each
//! other round a circle. Reading text, not the compiler's graph, is enough
//! here because the code only reaches other modules by `crate::` paths and,
//! inside a module, by `super::` paths and sibling names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules, bottom layer first. A module may use modules of any
/// lower layer, never of its own layer or above (except itself).
const LAYERS: &[&[&str]] = &[
    &["units", "engine", "rng", "calendar", "catalog", "query", "fmt", "hash"],
    &["scaling"],
    &["scenario"],
    &["observed", "model"],
    &["report"],
    &["chart"],
    &["sweep", "calibrate", "import", "diff"],
    &["optimize"],
    &["cli"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The text of a file without its comments, so that a doc comment naming a
/// module is not taken for a use of it.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `crate::NAME` in `code`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        names.insert(name);
    }
    names
}

#[test]
fn top_level_modules_only_use_lower_layers() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(module) else {
            wrong.push(format!("{}: module `{module}` is in no layer of this test (add it)", rel.display()));
            continue;
        };
        for used in crate_paths(&code_of(file)) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(_) => wrong.push(format!("{}: `{module}` uses `{used}`, which is not below it", rel.display())),
                None => wrong.push(format!("{}: uses `crate::{used}`, in no layer", rel.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

/// Which sibling files each file of a module directory names. `mod.rs` is the
/// module's face (it declares and re-exports its files), so it is left out.
fn sibling_uses(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut stems = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        if p.extension().is_some_and(|e| e == "rs") && stem != "mod" && stem != "tests" && stem != "test_fixtures" {
            stems.insert(stem);
        }
    }
    let mut uses = BTreeMap::new();
    for stem in &stems {
        let code = code_of(&dir.join(format!("{stem}.rs")));
        let named = stems
            .iter()
            .filter(|other| *other != stem)
            .filter(|other| {
                code.contains(&format!("super::{other}::"))
                    || code.contains(&format!("super::{other}}}"))
                    || code.contains(&format!("super::{{{other}"))
                    || code.contains(&format!("::{other}::"))
            })
            .cloned()
            .collect();
        uses.insert(stem.clone(), named);
    }
    uses
}

/// A circle of files in `uses`, if any, as "a -> b -> a".
fn find_circle(uses: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit(
        node: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle.join(" -> "));
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in uses.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, uses, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    uses.keys().find_map(|start| visit(start, uses, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_circles_inside_modules() {
    for module in ["chart", "scaling", "model", "scenario", "sweep", "calibrate", "import"] {
        let dir = src().join(module);
        if let Some(circle) = find_circle(&sibling_uses(&dir)) {
            panic!("files of src/{module}/ import each other round a circle: {circle}");
        }
    }
}

#[test]
fn the_circle_finder_finds_a_planted_circle() {
    // The checker must be able to fail: a -> b -> c -> a is a circle, d alone is not.
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    uses.insert("a".into(), ["b".to_string()].into());
    uses.insert("b".into(), ["c".to_string()].into());
    uses.insert("c".into(), ["a".to_string()].into());
    uses.insert("d".into(), BTreeSet::new());
    assert_eq!(find_circle(&uses).as_deref(), Some("a -> b -> c -> a"));
    uses.get_mut("c").unwrap().clear();
    assert_eq!(find_circle(&uses), None);
}
