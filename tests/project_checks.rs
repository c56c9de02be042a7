//! Projects checked on site (实地查核) end to end: the project questionnaire entered from an
//! answer file about a project of the demo's list (its identity from the list), one
//! `project` finding per weak aspect of the notice's eight, the household rates untouched,
//! an unknown project refused; and the beneficiary cross-check of the household
//! questionnaires.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use common::{laptop, ruhu, run_json};

/// Every aspect answered as it should be.
fn sound() -> serde_json::Map<String, Value> {
    let v = json!({
        "checked_by": "李华", "check_date": "2017-12-20",
        "plan_document": true, "plan_approved": true, "plan_consulted": true,
        "progress_on_time": true, "progress_as_planned": true,
        "funds_paid_as_planned": true, "funds_accounted": true, "funds_misused": false,
        "beneficiaries_by_rules": true, "beneficiaries_public": true,
        "burden_beyond_share": false,
        "benefits_as_planned": true, "benefits_known": true,
        "notice_before": true, "notice_after": true,
        "supervised": true, "acceptance_signed": true,
    });
    v.as_object().unwrap().clone()
}

fn write(dir: &Path, name: &str, questionnaire: &str, answers: Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({"questionnaire": questionnaire, "answers": answers})).unwrap(),
    )
    .unwrap();
    path
}

fn check(data: &Path, project: &str, file: &Path) -> (i32, String, String) {
    ruhu(
        data,
        &[
            "--interviewer",
            "李华",
            "interview",
            "apply",
            "--subject",
            project,
            "--answers",
            file.to_str().unwrap(),
            "--complete",
            "--format",
            "json",
        ],
    )
}

fn first_project(data: &Path) -> Value {
    run_json(data, &["projects", "list"]).as_array().unwrap()[0].clone()
}

#[test]
fn a_project_with_two_weak_aspects_gives_those_two_findings_and_leaves_the_rates() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "a");
    let p = first_project(&data);
    let id = p["project_id"].as_str().unwrap();
    let rates_before = run_json(&data, &["rates"]);
    let households_before = run_json(&data, &["findings"]);

    let mut answers = sound();
    answers.insert("acceptance_signed".into(), json!(false));
    answers.insert("burden_beyond_share".into(), json!(true));
    let file = write(root.path(), "p.json", "project", Value::Object(answers));
    let (code, out, err) = check(&data, id, &file);
    assert_eq!(code, 0, "{out}{err}");
    let saved: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(saved["subject"], "project");
    assert_eq!(saved["subject_id"], id);

    // The identity the file left out comes from the project list.
    let shown = run_json(
        &data,
        &["interview", "show", saved["interview_id"].as_str().unwrap()],
    );
    assert_eq!(shown["answers"]["answers"]["project_id"], id, "{shown}");
    assert_eq!(shown["answers"]["answers"]["project_name"], p["name"]);
    assert_eq!(shown["answers"]["answers"]["village"], p["village"]);

    let found = run_json(&data, &["findings", "--kind", "project"]);
    let found = found.as_array().unwrap();
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["project_burden", "project_acceptance"], "{found:?}");
    for f in found {
        assert_eq!(f["household_id"], format!("project:{id}"));
        assert_eq!(f["subject"], "project");
        assert_eq!(f["kind"], "project");
        assert_eq!(f["head_name"], p["name"]);
        assert_eq!(f["village"], p["village"]);
    }
    assert!(
        found[0]["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("自身负担")
    );
    assert!(found[1]["message"]["zh"].as_str().unwrap().contains("验收"));
    // The household rules did not fire on the project, nor the project rules on households.
    let all = run_json(&data, &["findings"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), households_before.as_array().unwrap().len() + 2);
    for f in all {
        let is_project = f["subject"] == "project";
        assert_eq!(is_project, f["kind"] == "project", "{f}");
        assert_eq!(
            is_project,
            f["rule"].as_str().unwrap().starts_with("project_")
        );
    }
    // The household rates stay as they were.
    assert_eq!(run_json(&data, &["rates"]), rates_before);

    // A sound project gives nothing.
    let second = run_json(&data, &["projects", "list"]).as_array().unwrap()[1].clone();
    let file = write(root.path(), "q.json", "project", Value::Object(sound()));
    let (code, out, err) = check(&data, second["project_id"].as_str().unwrap(), &file);
    assert_eq!(code, 0, "{out}{err}");
    let found = run_json(&data, &["findings", "--kind", "project"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
}

#[test]
fn an_unknown_project_is_refused_by_name_and_nothing_is_saved() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "a");
    let before = run_json(&data, &["interview", "list"]);
    let file = write(root.path(), "p.json", "project", Value::Object(sound()));
    let (code, out, err) = check(&data, "XM-NO-SUCH", &file);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("XM-NO-SUCH"), "{err}");
    assert!(err.contains("项目清单"), "{err}");
    assert_eq!(run_json(&data, &["interview", "list"]), before);
}
