//! Fuzzing regressions: every input kept under `tests/fuzz/<target>/` goes through the body of
//! the fuzz target of that name and must come back without a panic (what the parser answers,
//! Ok or an error, does not matter; no time is measured). The bodies are those of the fuzz
//! crate, `fuzz/src/lib.rs`, included here as a module, so the fuzz targets and this test run
//! the same code without libFuzzer (see fuzz/README.md).
//!
//! Inputs that still make ruhu panic are kept under `tests/fuzz/<target>/pending/`, which this
//! test skips: once the bug is fixed in src/, move the file up into `tests/fuzz/<target>/` so
//! that it is checked from then on.

#[path = "../fuzz/src/lib.rs"]
mod bodies;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The inputs of a target: the files directly in its folder (not `pending/`), in name order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("read the folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every input of `target` through `body`, and lists every input that panicked.
fn check(target: &str, body: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs in tests/fuzz/{target}");
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("read an input");
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {} inputs panicked (move known, unfixed ones to pending/):\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn questionnaire() {
    check("questionnaire", bodies::questionnaire);
}

#[test]
fn expression() {
    check("expression", bodies::expression);
}

#[test]
fn rules_settings() {
    check("rules_settings", bodies::rules_settings);
}

#[test]
fn registry_csv() {
    check("registry_csv", bodies::registry_csv);
}

#[test]
fn registry_xlsx() {
    check("registry_xlsx", bodies::registry_xlsx);
}

#[test]
fn answers() {
    check("answers", bodies::answers);
}

#[test]
fn backup() {
    check("backup", bodies::backup);
}
