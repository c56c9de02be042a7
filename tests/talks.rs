//! Cadre talks end to end: entered from answer files (a person as the subject), scored
//! against the demo registry and the settings, summed per role and township, carried to
//! another laptop in an answer bundle and kept through a backup.

mod common;

use std::path::Path;

use serde_json::{Value, json};

use common::{laptop, ruhu, run_json};

/// The demo registry's households of one village, as `registry list` gives them.
fn village(data: &Path, name: &str) -> Vec<Value> {
    let all = run_json(data, &["registry", "list"]);
    all.as_array()
        .unwrap()
        .iter()
        .filter(|h| h["village"] == name)
        .cloned()
        .collect()
}

fn talk(dir: &Path, name: &str, answers: Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({"questionnaire": "cadre", "answers": answers})).unwrap(),
    )
    .unwrap();
    path
}

fn apply(data: &Path, file: &Path) -> Value {
    run_json(
        data,
        &[
            "--interviewer",
            "王明",
            "interview",
            "apply",
            "--answers",
            file.to_str().unwrap(),
            "--complete",
        ],
    )
}

#[test]
fn talks_are_scored_against_the_registry_and_travel_like_interviews() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "a");
    let hs = village(&data, "桂花村");
    let first = &hs[0];
    let (county, township) = (
        first["county"].as_str().unwrap().to_string(),
        first["township"].as_str().unwrap().to_string(),
    );
    let count = |status: &str| hs.iter().filter(|h| h["status"] == status).count();
    let exited_2017 = hs
        .iter()
        .filter(|h| h["status"] == "exited" && h["exit_year"] == 2017)
        .count();
    // A village cadre who knows the poor and returned households but not the year's exits.
    let cadre = talk(
        root.path(),
        "cadre.json",
        json!({
            "person_name": "陈志强", "person_role": "village_cadre",
            "county": county, "township": township, "village": "桂花村",
            "interview_date": "2017-12-20",
            "know_income_line": 3335,
            "know_exit_standard": ["income", "food", "clothing", "education", "medical", "housing"],
            "know_exit_procedure": ["review", "verify", "agree", "notice", "announce", "strike_off"],
            "know_measures": ["industry", "dibao"],
            "know_poor_households": count("poor"),
            "know_exited_households": exited_2017 + 1,
            "know_returned_households": count("returned"),
            "know_projects": false, "know_fund_rules": true,
            "duty_responsibility": "well", "duty_policy": "partly", "duty_work": "well",
            "satisfaction": "satisfied",
        }),
    );
    let saved = apply(&data, &cadre);
    assert_eq!(saved["subject"], "person", "{saved}");
    assert!(
        saved["subject_id"].as_str().unwrap().starts_with("R-"),
        "{saved}"
    );
    assert_eq!(saved["status"], "completed");

    // A paired helper of the demo registry who names every household helped.
    let all = run_json(&data, &["registry", "list"]);
    let all = all.as_array().unwrap();
    let helper = all
        .iter()
        .filter_map(|h| h["helper"].as_str())
        .find(|n| !n.is_empty())
        .unwrap()
        .to_string();
    let helped: Vec<&Value> = all
        .iter()
        .filter(|h| h["helper"] == helper.as_str() && h["county"] == county.as_str())
        .collect();
    let heads: Vec<&str> = helped
        .iter()
        .map(|h| h["head_name"].as_str().unwrap())
        .collect();
    let pairing = talk(
        root.path(),
        "helper.json",
        json!({
            "person_name": helper, "person_role": "helper",
            "county": county, "township": helped[0]["township"], "village": helped[0]["village"],
            "interview_date": "2017-12-21",
            "know_income_line": 3335,
            "know_exit_standard": ["income", "food", "clothing", "education", "medical", "housing"],
            "know_exit_procedure": ["review", "verify", "agree", "notice", "announce", "strike_off"],
            "know_measures": ["industry"],
            "helped_households": helped.len(), "helped_heads": heads.join("、"),
            "know_projects": true, "projects_named": "核桃种植", "know_fund_rules": true,
            "duty_responsibility": "well", "duty_policy": "well", "duty_work": "well",
            "satisfaction": "very_satisfied",
        }),
    );
    apply(&data, &pairing);

    let summary = run_json(&data, &["talks"]);
    assert_eq!(summary["talks"], 2, "{summary}");
    let role = |id: &str| {
        summary["by_role"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}: {summary}"))
    };
    let v = role("village_cadre");
    assert_eq!(
        (v["scored"].as_u64(), v["right"].as_u64()),
        (Some(6), Some(5)),
        "{v}"
    );
    assert_eq!(v["to_prepare"], 1);
    let h = role("helper");
    assert_eq!(
        (h["scored"].as_u64(), h["right"].as_u64()),
        (Some(5), Some(5)),
        "{h}"
    );
    assert_eq!(h["to_prepare"], 0);
    let prepare = summary["to_prepare"].as_array().unwrap();
    assert_eq!(prepare.len(), 1);
    assert_eq!(prepare[0]["name"], "陈志强");
    let wrong: Vec<&Value> = prepare[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "wrong")
        .collect();
    assert_eq!(wrong.len(), 1);
    assert_eq!(wrong[0]["question"], "know_exited_households");
    assert_eq!(
        wrong[0]["expected"]["zh"],
        format!("建档立卡：桂花村 {exited_2017} 户")
    );

    // The table says it in words.
    let (code, text, err) = ruhu(&data, &["talks"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("村干部") && text.contains("结对帮扶责任人"),
        "{text}"
    );
    assert!(
        text.contains("陈志强") && text.contains("当年脱贫户数"),
        "{text}"
    );
    assert!(
        !text.contains("village_cadre") && !text.contains("know_"),
        "{text}"
    );

    // The household rules and rates leave the talks out.
    let rates = run_json(&data, &["rates"]);
    assert!(!rates.to_string().contains("陈志强"));

    // The talks as a table of their own; the households' table leaves them out.
    let talks_csv = root.path().join("talks.csv");
    run_json(
        &data,
        &[
            "export",
            "answers",
            "--out",
            talks_csv.to_str().unwrap(),
            "--of",
            "cadre",
        ],
    );
    let mut rows = csv::Reader::from_path(&talks_csv).unwrap();
    let headers = rows.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}: {headers:?}"))
    };
    assert!(records.iter().any(|r| &r[col("person_name")] == "陈志强"));
    assert!(
        records
            .iter()
            .all(|r| r[col("household_id")].starts_with("person:R-"))
    );
    let households_csv = root.path().join("households.csv");
    let out = run_json(
        &data,
        &[
            "export",
            "answers",
            "--out",
            households_csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out["interviews"], 0, "{out}");

    // To the lead's laptop in a bundle: the same talks, the same scores.
    let bundle = root.path().join("a.ruhu");
    run_json(
        &data,
        &["sync", "export", "--out", bundle.to_str().unwrap(), "--all"],
    );
    let lead = laptop(root.path(), "lead");
    let (code, out, err) = ruhu(
        &lead,
        &[
            "sync",
            "import",
            bundle.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let imported: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(imported[0]["held"], json!([]), "{imported}");
    assert_eq!(run_json(&lead, &["talks"]), summary);

    // Through a backup into an empty folder.
    let backup = root.path().join("backup.json");
    run_json(&data, &["backup", backup.to_str().unwrap()]);
    let restored = root.path().join("restored");
    run_json(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(run_json(&restored, &["talks"]), summary);
}

#[test]
fn a_household_answer_file_without_a_household_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "a");
    let file = root.path().join("exited.json");
    std::fs::write(
        &file,
        r#"{"questionnaire": "exited", "answers": {"food_ok": true}}"#,
    )
    .unwrap();
    let (code, out, err) = ruhu(
        &data,
        &["interview", "apply", "--answers", file.to_str().unwrap()],
    );
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("--household") && err.contains("exited"),
        "{err}"
    );
    let listed = run_json(&data, &["interview", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 0);
    // A cadre talk whose answers break a constraint saves nothing, naming the question.
    let bad = talk(
        root.path(),
        "bad.json",
        json!({"person_name": "何平", "person_role": "county_cadre", "know_income_line": -5}),
    );
    let (code, _, err) = ruhu(
        &data,
        &["interview", "apply", "--answers", bad.to_str().unwrap()],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("know_income_line") || err.contains("收入标准"),
        "{err}"
    );
    assert_eq!(
        run_json(&data, &["interview", "list"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn the_talks_screen_is_reachable_from_the_first_screen_and_names_who_to_prepare() {
    use common::auditors::{key, open_ws, render};
    use ratatui::crossterm::event::KeyCode;
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "a");
    let hs = village(&data, "桂花村");
    let county = hs[0]["county"].as_str().unwrap().to_string();
    let township = hs[0]["township"].as_str().unwrap().to_string();
    let file = talk(
        root.path(),
        "talk.json",
        json!({
            "person_name": "陈志强", "person_role": "village_cadre",
            "county": county, "township": township, "village": "桂花村",
            "interview_date": "2017-12-20",
            "know_income_line": 3000,
            "know_exit_standard": ["income", "food", "clothing", "education", "medical", "housing"],
            "know_exit_procedure": ["review", "verify", "agree", "notice", "announce", "strike_off"],
            "know_measures": ["industry"],
            "know_poor_households": 0, "know_exited_households": 0, "know_returned_households": 0,
            "know_projects": false, "know_fund_rules": true,
            "duty_responsibility": "well", "duty_policy": "partly", "duty_work": "well",
            "satisfaction": "satisfied",
        }),
    );
    apply(&data, &file);
    let mut app = ruhu::tui::App::new(open_ws(&data), ruhu::i18n::Lang::Zh, "测试员".into());
    key(&mut app, KeyCode::Char('6'));
    let screen = render(&app, 100, 40);
    assert!(screen.contains("干部访谈"), "{screen}");
    assert!(screen.contains("村干部"), "{screen}");
    assert!(screen.contains("需再准备的人"), "{screen}");
    assert!(screen.contains("陈志强"), "{screen}");
    assert!(
        screen.contains("脱贫收入标准：3,000 元；2017 年为 3,335 元"),
        "{screen}"
    );
    assert!(
        !screen.contains("village_cadre") && !screen.contains("know_"),
        "{screen}"
    );
    key(&mut app, KeyCode::Char('g'));
    let by_township = render(&app, 100, 40);
    assert!(
        by_township.contains(&format!("{county} / {township}")),
        "{by_township}"
    );
    // Narrow: the lines wrap, nothing is lost or panics.
    let narrow = render(&app, 50, 40);
    assert!(narrow.contains("陈志强"), "{narrow}");
    key(&mut app, KeyCode::Esc);
    let home = render(&app, 100, 40);
    assert!(home.contains("概况"), "{home}");
}

#[test]
fn the_demo_talks_are_completed_reproducible_and_give_people_to_prepare() {
    let root = tempfile::tempdir().unwrap();
    let summaries: Vec<Value> = ["a", "b"]
        .iter()
        .map(|name| {
            let data = root.path().join(name);
            let loaded = run_json(&data, &["demo", "--talks"]);
            assert!(loaded["talks"].as_u64().unwrap() >= 10, "{loaded}");
            let mut s = run_json(&data, &["talks"]);
            assert_eq!(s["talks"], loaded["talks"], "{s}");
            assert_eq!(s["in_progress"], 0, "every demo talk is completed: {s}");
            // Interview ids are new on each laptop; the rest is the seed's.
            for p in s["to_prepare"].as_array_mut().unwrap() {
                p.as_object_mut().unwrap().remove("interview_id");
            }
            s
        })
        .collect();
    assert_eq!(summaries[0], summaries[1]);
    let s = &summaries[0];
    assert!(!s["to_prepare"].as_array().unwrap().is_empty(), "{s}");
    let roles: Vec<&str> = s["by_role"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["key"].as_str())
        .collect();
    for r in [
        "county_cadre",
        "township_cadre",
        "village_cadre",
        "east_west_cadre",
        "work_team",
        "helper",
    ] {
        assert!(roles.contains(&r), "{r}: {roles:?}");
    }
    // Without --talks the demo enters no interview.
    let plain = root.path().join("plain");
    run_json(&plain, &["demo"]);
    assert_eq!(run_json(&plain, &["talks"])["talks"], 0);
}
