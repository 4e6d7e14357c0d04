//! The corpus of bad scenarios in tests/bad/: each `X.toml` must be refused
//! with exit code 1, no panic, and exactly the problems listed in
//! `X.expected` (all of them: `validate` reports every problem at once), so
//! that any change to an error message shows up as a diff.
//! `ECSIM_BLESS=1 cargo test --release bad_corpus` rewrites the expectations.

use std::path::Path;
use std::process::Command;

#[test]
fn bad_corpus_is_refused_with_the_expected_messages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("ECSIM_BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "the corpus shrank to {}", files.len());
    let mut mismatches = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap();
        let out =
            Command::new(env!("CARGO_BIN_EXE_ecsim")).arg("validate").arg(rel).current_dir(root).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: expected exit 1\n{stderr}", rel.display());
        assert!(!stderr.contains("panicked"), "{}: panic\n{stderr}", rel.display());
        // Every problem line; the closing count line is the CLI's, not the file's.
        let problems = stderr.lines().filter(|l| !l.starts_with("error: ")).collect::<Vec<_>>().join("\n");
        let expected_path = file.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, format!("{problems}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != problems {
            mismatches.push(format!("{}:\n  expected: {}\n  actual:   {problems}", rel.display(), expected.trim_end()));
        }
    }
    assert!(mismatches.is_empty(), "error messages changed (ECSIM_BLESS=1 to accept):\n{}", mismatches.join("\n"));
}
