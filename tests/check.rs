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
    assert_eq!(
        ids,
        ["poor", "exited", "non_poor", "returned", "cadre", "project"]
    );
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

/// Runs ruhu; returns the exit code, stdout and stderr.
fn ruhu_full(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ruhu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `ruhu check PATH --format json --lang en`: exit code and output.
fn check_json(path: &std::path::Path) -> (i32, Value) {
    let path = path.to_str().unwrap();
    let (code, out) = ruhu(&["check", path, "--format", "json", "--lang", "en"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, v)
}

#[test]
fn a_folder_without_questionnaires_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    for contents in [&[][..], &["notes.txt", "data.csv"][..]] {
        for name in contents {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let (code, text) = ruhu(&["check", path, "--lang", "en"]);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("no questionnaire found"), "{text}");
        assert!(text.contains(path), "{text}");
        let (code, text) = ruhu(&["check", path]);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("没有问卷"), "{text}");
        let (code, v) = check_json(dir.path());
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["ok"], false);
        assert_eq!(v["questionnaires"], serde_json::json!([]));
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{v}");
        assert_eq!(errors[0]["kind"], "no_questionnaire");
        assert_eq!(errors[0]["file"], path);
        assert_eq!(errors[0]["question"], Value::Null);
        assert!(
            errors[0]["message"]["en"]
                .as_str()
                .unwrap()
                .contains("no questionnaire found")
        );
    }
}

#[test]
fn every_calculate_cycle_is_reported() {
    let (code, out) = ruhu(&[
        "check",
        "tests/fixtures/broken/two_cycles.json",
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let cycles: Vec<(&str, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "calculate_cycle")
        .map(|e| {
            assert_eq!(e["field"], "calculation");
            (
                e["question"].as_str().unwrap(),
                e["message"]["en"].as_str().unwrap(),
            )
        })
        .collect();
    // Each cycle once, starting at its question that comes first in the file.
    assert_eq!(
        cycles,
        [
            (
                "income_b",
                "calculations refer to each other in a cycle: income_b → income_a → income_b"
            ),
            (
                "debt_x",
                "calculations refer to each other in a cycle: debt_x → debt_y → debt_z → debt_x"
            ),
        ],
        "{out}"
    );
    let (code, text) = ruhu(&[
        "check",
        "tests/fixtures/broken/two_cycles.json",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 1);
    assert!(text.contains("income_b → income_a → income_b"), "{text}");
    assert!(text.contains("debt_x → debt_y → debt_z → debt_x"), "{text}");
    assert!(text.contains("2 error(s)"), "{text}");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["poor.json", "exited.json"] {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(std::fs::read(format!("questionnaires/{name}")).unwrap());
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let (code, v) = check_json(dir.path());
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["questionnaires"].as_array().unwrap().len(), 2, "{v}");
    let (code, v) = check_json(&dir.path().join("poor.json"));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["questionnaires"][0]["id"], "poor");
}

#[test]
fn a_questionnaire_over_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    // Sparse: the length says it all; the file is not read.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(ruhu::limits::MAX_JSON_FILE_BYTES + 1)
        .unwrap();
    for path in [dir.path(), big.as_path()] {
        let (code, v) = check_json(path);
        assert_eq!(code, 1, "{v}");
        let e = &v["errors"][0];
        assert_eq!(e["kind"], "read", "{v}");
        assert!(e["file"].as_str().unwrap().ends_with("big.json"), "{v}");
        let en = e["message"]["en"].as_str().unwrap();
        assert!(en.contains("too large"), "{en}");
        assert!(en.contains("16777217 bytes"), "{en}");
        assert!(en.contains("16777216"), "{en}");
    }
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let deep = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let roster = format!(
        r#"{}{{"id": "q", "type": "text", "label": {{"zh": "问", "en": "Q"}}}}{}"#,
        r#"{"id": "r", "type": "roster", "label": {"zh": "表", "en": "R"}, "max_rows": 1, "questions": ["#
            .repeat(deep),
        "]}".repeat(deep)
    );
    let with = |question: &str| {
        format!(
            r#"{{"id": "t", "version": "1", "kind": "poor", "title": {{"zh": "测试", "en": "Test"}},
                "sections": [{{"id": "s", "title": {{"zh": "部分", "en": "Part"}},
                "questions": [{question}]}}]}}"#
        )
    };
    let expression = |e: &str| {
        with(&format!(
            r#"{{"id": "q", "type": "text", "label": {{"zh": "问", "en": "Q"}}, "relevant": "{e}"}}"#
        ))
    };
    let cases = [
        ("rosters.json", with(&roster), "json"),
        (
            "parens.json",
            expression(&format!("{}1{}", "(".repeat(deep), ")".repeat(deep))),
            "expression_syntax",
        ),
        (
            "nots.json",
            expression(&format!(
                "{}true(){}",
                "not(".repeat(deep),
                ")".repeat(deep)
            )),
            "expression_syntax",
        ),
    ];
    for (name, src, kind) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, src).unwrap();
        let (code, v) = check_json(&path);
        assert_eq!(code, 1, "{name}: {v}");
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{name}: {v}");
        assert_eq!(errors[0]["kind"], kind, "{name}: {v}");
        let en = errors[0]["message"]["en"].as_str().unwrap();
        assert!(
            en.contains("recursion limit") || en.contains("nested too deeply"),
            "{name}: {en}"
        );
    }
}

#[test]
fn demo_refuses_household_counts_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let csv = dir.path().join("demo.csv");
    let csv = csv.to_str().unwrap();
    let max = ruhu::limits::MAX_DEMO_HOUSEHOLDS;
    let too_many = (max + 1).to_string();
    for n in ["18446744073709551615", too_many.as_str(), "0"] {
        for to_csv in [false, true] {
            let mut args = vec!["--data", data, "--lang", "en", "demo", "--households", n];
            if to_csv {
                args.extend(["--csv", csv]);
            }
            let (code, out, err) = ruhu_full(&args);
            assert_eq!(code, 1, "{n} {to_csv}: {out} {err}");
            assert!(
                err.contains(&format!(
                    "the number of demo households must be between 1 and {max}, not {n}"
                )),
                "{n}: {err}"
            );
            assert!(out.is_empty(), "{out}");
            assert!(!std::path::Path::new(csv).exists(), "no CSV written");
            assert!(!std::path::Path::new(data).exists(), "no data folder made");
        }
    }
    // The limit itself is fine (not run here: it takes a while); a small count works.
    let (code, out, err) = ruhu_full(&["--data", data, "demo", "--households", "3", "--csv", csv]);
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(std::fs::read_to_string(csv).unwrap().lines().count(), 4);
}
