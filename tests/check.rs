//! `ruhu check`: passes on the bundled questionnaires, fails with the right message on each
//! broken fixture.

use std::process::Command;

use serde_json::Value;

fn ruhu(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ruhu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn bundled_questionnaires_pass() {
    let (code, out) = ruhu(&["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["ok"], true);
    let ids: Vec<&str> = v["questionnaires"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["poor", "exited", "non_poor", "returned"]);
}

#[test]
fn the_questionnaires_folder_passes_too() {
    let (code, out) = ruhu(&["check", "questionnaires"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("poor.json"), "{out}");
}

/// Checks one broken file: exit 1, an error of `kind` naming `question` and saying `needle`.
fn broken(file: &str, kind: &str, question: Option<&str>, needle: &str) {
    let path = format!("tests/fixtures/broken/{file}");
    let (code, out) = ruhu(&["check", &path, "--format", "json", "--lang", "en"]);
    assert_eq!(code, 1, "{file}: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let errors = v["errors"].as_array().unwrap();
    let hit = errors
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| {
            panic!("{file}: no {kind} error in {out}");
        });
    assert!(hit["file"].as_str().unwrap().ends_with(file));
    assert_eq!(hit["question"].as_str(), question, "{file}: {hit}");
    let en = hit["message"]["en"].as_str().unwrap();
    assert!(en.contains(needle), "{file}: '{en}' lacks '{needle}'");
    assert!(!hit["message"]["zh"].as_str().unwrap().is_empty());
    // The text output names the file and the question too.
    let (code, text) = ruhu(&["check", &path, "--lang", "en"]);
    assert_eq!(code, 1);
    assert!(text.contains(file), "{text}");
    if let Some(q) = question {
        assert!(text.contains(q), "{text}");
    }
}

#[test]
fn bad_json_names_line_and_column() {
    broken("bad_json.json", "json", None, "line 5, column 3");
}

#[test]
fn unknown_type() {
    broken(
        "unknown_type.json",
        "unknown_type",
        Some("slider_q"),
        "'slider'",
    );
}

#[test]
fn duplicate_id() {
    broken(
        "duplicate_id.json",
        "duplicate_id",
        Some("household_size"),
        "twice",
    );
}

#[test]
fn unknown_reference() {
    broken(
        "unknown_reference.json",
        "unknown_reference",
        Some("follow_up"),
        "${no_such_question}",
    );
}

#[test]
fn expression_syntax_error_has_position() {
    broken(
        "expression_syntax.json",
        "expression_syntax",
        Some("follow_up"),
        "column",
    );
}

#[test]
fn calculate_cycle() {
    broken(
        "calculate_cycle.json",
        "calculate_cycle",
        Some("calc_a"),
        "calc_a → calc_b → calc_a",
    );
}

#[test]
fn empty_choice_list() {
    broken(
        "empty_choices.json",
        "empty_choices",
        Some("water_ok"),
        "empty",
    );
}

#[test]
fn constraint_on_a_note() {
    broken(
        "constraint_on_note.json",
        "constraint_on_note",
        Some("intro"),
        "note",
    );
}

#[test]
fn a_folder_lists_every_error_not_just_the_first() {
    let (code, out) = ruhu(&["check", "tests/fixtures/broken", "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut kinds: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    kinds.dedup();
    for k in [
        "json",
        "unknown_type",
        "duplicate_id",
        "unknown_reference",
        "expression_syntax",
        "calculate_cycle",
        "empty_choices",
        "constraint_on_note",
    ] {
        assert!(kinds.contains(&k), "missing {k} in {kinds:?}");
    }
}

#[test]
fn a_missing_folder_is_an_error() {
    let (code, _) = ruhu(&["check", "tests/fixtures/no-such-folder"]);
    assert_eq!(code, 1);
}
