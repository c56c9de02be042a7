//! `ruhu interview apply / list / show`: entering interviews without the screen.

mod common;

use common::{On, applied, applied_id, apply, demo_household, ruhu};

use std::path::Path;

use common::walk::answer_file;
use ruhu::registry::Status;
use serde_json::{Value, json};

#[test]
fn apply_complete_then_list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let v = applied(
        &data,
        On::Household(&hh),
        &file,
        &["--interviewer", "李调查", "--complete"],
    );
    assert_eq!(v["household_id"], hh);
    assert_eq!(v["status"], "completed");
    let id = v["interview_id"].as_str().unwrap().to_string();

    let (code, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["interviewer"], "李调查");
    assert_eq!(list[0]["questionnaire"], "exited");
    assert!(list[0]["events"].as_u64().unwrap() > 50);

    let (code, out, _) = ruhu(&data, &["interview", "show", &id, "--format", "json"]);
    assert_eq!(code, 0);
    let show: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(show["result"]["answers"]["income_per_capita"], 3980.0);
    assert_eq!(
        show["answers"]["rosters"]["members"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(show["answers"]["rosters"]["members"][0]["name"], "王建国");
    assert_eq!(show["missing"].as_array().unwrap().len(), 0);
    let log = show["log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["status"], "completed");

    let (code, out, _) = ruhu(&data, &["interview", "show", &id]);
    assert_eq!(code, 0);
    assert!(out.contains("王建国"), "{out}");
    assert!(out.contains("完成"), "{out}");
}

#[test]
fn invalid_answers_are_all_listed_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        json!({
            "questionnaire": "exited",
            "answers": {"household_size": 0, "house_rating": "E", "food_ok": "yes", "no_such": 1},
            "rosters": {"members": [{"name": "张三", "age": "forty", "id_number": "110105194912310021"}]}
        })
        .to_string(),
    )
    .unwrap();
    let (code, _, err) = apply(&data, On::Household(&hh), &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    for needle in [
        "house_rating",
        "food_ok",
        "no_such",
        "'age' (row 1)",
        "nothing saved",
    ] {
        assert!(err.contains(needle), "missing {needle} in {err}");
    }
    let (_, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    assert_eq!(out.trim(), "[]");

    // Type-correct but refused by constraints: listed too (household size 0, bad ID number).
    std::fs::write(
        &file,
        json!({
            "questionnaire": "exited",
            "answers": {"household_size": 0},
            "rosters": {"members": [{"name": "张三", "id_number": "110105194912310021"}]}
        })
        .to_string(),
    )
    .unwrap();
    let (code, _, err) = apply(&data, On::Household(&hh), &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(err.contains("household_size"), "{err}");
    assert!(err.contains("'id_number' (row 1)"), "{err}");
    let (_, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    assert_eq!(out.trim(), "[]");
}

#[test]
fn incomplete_answers_are_saved_in_progress_and_completion_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Poor);
    let file = dir.path().join("part.json");
    std::fs::write(
        &file,
        json!({"questionnaire": "poor", "answers": {"household_size": 4, "food_ok": true}})
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        applied(&data, On::Household(&hh), &file, &[])["status"],
        "in_progress"
    );
    let (code, out, err) = apply(
        &data,
        On::Household(&hh),
        &file,
        &["--lang", "en", "--complete", "--format", "json"],
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "in_progress");
    assert!(
        v["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "satisfaction"),
        "{out}"
    );
    assert!(err.contains("satisfaction"), "{err}");
    // A questionnaire that does not fit the household is refused.
    std::fs::write(
        &file,
        json!({"questionnaire": "exited", "answers": {}}).to_string(),
    )
    .unwrap();
    let (code, _, err) = apply(&data, On::Household(&hh), &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(err.contains("'exited'"), "{err}");
}

#[test]
fn a_household_the_registry_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = answer_file(dir.path(), "non_poor");
    let (code, out, err) = ruhu(
        &data,
        &[
            "interview",
            "apply",
            "--new-household",
            "--head",
            "杨老五",
            "--village",
            "桂花村",
            "--answers",
            file.to_str().unwrap(),
            "--complete",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["household_id"].as_str().unwrap().starts_with("P-"));
    assert_eq!(v["status"], "completed");
}

#[test]
fn unknown_household_and_bad_json_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("x.json");
    std::fs::write(&file, "{\n \"answers\": {,}\n}").unwrap();
    let (code, _, err) = apply(&data, On::Household("1"), &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(err.contains("line 2"), "{err}");
    std::fs::write(&file, "{}").unwrap();
    let (code, _, err) = apply(&data, On::Household("nope"), &file, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(err.contains("no household with id nope"), "{err}");
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let id = applied_id(&data, On::Household(&hh), &file, &[]);
    let backup = dir.path().join("backup.json");
    let (code, out, _) = ruhu(
        &data,
        &["backup", backup.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, 0);
    let counts: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(counts["households"], 300);
    assert_eq!(counts["interviews"], 1);

    let other = dir.path().join("restored");
    let (code, _, err) = ruhu(&other, &["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let show = |d: &Path| {
        let (code, out, _) = ruhu(d, &["interview", "show", &id, "--format", "json"]);
        assert_eq!(code, 0);
        let mut v: Value = serde_json::from_str(&out).unwrap();
        v.as_object_mut().unwrap().remove("device_id");
        v
    };
    let (a, b) = (show(&data), show(&other));
    assert_eq!(a["answers"], b["answers"]);
    assert_eq!(a["result"], b["result"]);
    assert_eq!(a["events"], b["events"]);
    // A second restore into a folder that is not empty is refused.
    let (code, _, err) = ruhu(
        &other,
        &["--lang", "en", "restore", backup.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(!err.is_empty());
}

#[test]
fn interview_results_read_everything_but_the_raw_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let (code, _, _) = apply(&data, On::Household(&hh), &file, &[]);
    assert_eq!(code, 0);
    let store = ruhu::store::Store::open(&data).unwrap();
    let full: Vec<_> = store.interviews().map(Result::unwrap).collect();
    let light: Vec<_> = store.interview_results().map(Result::unwrap).collect();
    assert_eq!(full.len(), 1);
    assert_eq!(light.len(), 1);
    assert!(light[0].answers.is_null());
    assert_eq!(light[0].result, full[0].result);
    assert_eq!(light[0].interview_id, full[0].interview_id);
    assert_eq!(light[0].events, full[0].events);
    assert!(!full[0].answers.is_null());
}

/// Found by a tester: `null` or `[]` answer files created an empty interview with exit 0,
/// and a UTF-8 byte order mark on an answer file was refused.
#[test]
fn hostile_answer_files_are_refused_and_save_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let apply_bytes = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        apply(&data, On::Household(&hh), &path, &[])
    };
    let long = "长".repeat(ruhu::limits::MAX_TEXT_ANSWER_CHARS + 1);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("null.json", b"null".to_vec(), "JSON 对象"),
        ("list.json", b"[]".to_vec(), "JSON 对象"),
        ("text.json", b"\"answers\"".to_vec(), "JSON 对象"),
        ("empty.json", b"{}".to_vec(), "没有任何答案"),
        (
            "no_answers.json",
            br#"{"questionnaire": "exited", "answers": {}}"#.to_vec(),
            "没有任何答案",
        ),
        (
            "long.json",
            format!(
                r#"{{"questionnaire": "exited", "answers": {{"interviewer_name": "{long}"}}}}"#
            )
            .into_bytes(),
            "文字太长",
        ),
    ];
    for (name, bytes, expected) in cases {
        let (code, out, err) = apply_bytes(name, &bytes);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            err.contains(name),
            "{name}: the message names the file: {err}"
        );
    }
    // A file over the size limit is refused before it is read.
    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(ruhu::limits::MAX_JSON_FILE_BYTES + 1).unwrap();
    let (code, _, err) = apply(&data, On::Household(&hh), &big, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("文件太大"), "{err}");
    let (_, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    assert_eq!(out.trim(), "[]", "nothing was saved");

    // A byte order mark is fine.
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(
        r#"{"questionnaire": "exited", "answers": {"interviewer_name": "李调查"}}"#.as_bytes(),
    );
    let (code, _, err) = apply_bytes("bom.json", &bom);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn apply_to_an_existing_interview_changes_only_the_answers_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let id = applied_id(&data, On::Household(&hh), &file, &[]);
    let show = |data: &Path| -> Value {
        let (code, out, err) = ruhu(data, &["interview", "show", &id, "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let before = show(&data);
    let first_row = before["answers"]["rosters"]["members"][0]["_row"]
        .as_str()
        .unwrap()
        .to_string();

    // One answer, and one answer of the first member (by its row id).
    let change = dir.path().join("change.json");
    std::fs::write(
        &change,
        json!({"questionnaire": "exited",
               "answers": {"respondent_name": "王秀兰"},
               "rosters": {"members": [{"_row": first_row, "name": "王建民"}]}})
        .to_string(),
    )
    .unwrap();
    let run = |f: &Path| apply(&data, On::Interview(&id), f, &[]);
    let (code, out, err) = run(&change);
    assert_eq!(code, 0, "{out}{err}");
    let after = show(&data);
    assert_eq!(after["answers"]["answers"]["respondent_name"], "王秀兰");
    let members = after["answers"]["rosters"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 5, "no row added or lost");
    assert_eq!(members[0]["name"], "王建民");
    assert_eq!(
        members[0]["relation"],
        before["answers"]["rosters"]["members"][0]["relation"]
    );
    assert_eq!(
        after["events"].as_u64().unwrap(),
        before["events"].as_u64().unwrap() + 2,
        "two answers written, nothing else"
    );
    let mut same = after["answers"]["answers"].clone();
    same["respondent_name"] = before["answers"]["answers"]["respondent_name"].clone();
    assert_eq!(same, before["answers"]["answers"], "the other answers stay");

    // Given again: nothing differs, nothing is written.
    let (code, _, _) = run(&change);
    assert_eq!(code, 0);
    assert_eq!(show(&data)["events"], after["events"]);

    // An invalid answer: refused, nothing saved.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        json!({"questionnaire": "exited", "answers": {"respondent_name": "李四", "household_size": -3}})
            .to_string(),
    )
    .unwrap();
    let (code, _, err) = run(&bad);
    assert_ne!(code, 0);
    assert!(
        err.contains("household_size") || err.contains("家庭人口"),
        "{err}"
    );
    assert_eq!(show(&data)["answers"], after["answers"]);
}

#[test]
fn review_return_and_approve_at_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let file = answer_file(dir.path(), "exited");
    let hh = demo_household(Status::Exited);
    let id = applied_id(&data, On::Household(&hh), &file, &["--complete"]);
    let id = id.as_str();
    let (code, out, err) = ruhu(
        &data,
        &[
            "review",
            "return",
            id,
            "--comment",
            "收入要再核实",
            "--question",
            "income_wage=按全年算",
            "--interviewer",
            "张组长",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "returned");
    assert_eq!(v["review"]["questions"]["income_wage"], "按全年算");
    // The return is the lead's: its event carries the name given, not the interviewer's.
    {
        let store = ruhu::store::Store::open(&data).unwrap();
        let events = store.events(id.parse().unwrap()).unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.interviewer, "张组长", "{last:?}");
    }
    let (_, out, _) = ruhu(&data, &["interview", "list"]);
    assert!(
        out.contains("已退回") && out.contains("意见：收入要再核实"),
        "{out}"
    );
    // Approving a returned interview is refused until it is completed again.
    let (code, _, err) = ruhu(&data, &["review", "approve", id]);
    assert_eq!(code, 1);
    assert!(err.contains("已退回"), "{err}");
    // An unknown question, and a return without a comment, are refused.
    let (code, _, err) = ruhu(
        &data,
        &[
            "review",
            "return",
            id,
            "--comment",
            "x",
            "--question",
            "nope",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("nope"), "{err}");
    let (code, _, _) = ruhu(&data, &["review", "return", id, "--comment", " "]);
    assert_eq!(code, 1);
}

/// `interview apply --interview ID --interviewer NAME` writes its events as NAME (who
/// changed the answers); without `--interviewer`, as the interviewer who began the
/// interview. The record keeps the interviewer who began it.
#[test]
fn apply_to_an_existing_interview_writes_as_the_interviewer_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let id = applied_id(
        &data,
        On::Household(&hh),
        &file,
        &["--interviewer", "李调查", "--complete"],
    );
    let change = |name: &str, value: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            json!({"questionnaire": "exited", "answers": {"respondent_name": value}}).to_string(),
        )
        .unwrap();
        path
    };
    let by_lead = change("lead.json", "王秀兰");
    let v = applied(
        &data,
        On::Interview(&id),
        &by_lead,
        &["--interviewer", "张组长"],
    );
    assert_eq!(v["status"], "in_progress", "a change reopens it");
    let by_default = change("default.json", "王秀英");
    applied(&data, On::Interview(&id), &by_default, &[]);
    // A name that cannot travel in a bundle is refused; nothing is saved.
    let refused = change("refused.json", "赵");
    let (code, _, err) = apply(
        &data,
        On::Interview(&id),
        &refused,
        &["--interviewer", "坏\u{1b}[2J"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--interviewer"), "{err}");

    let store = ruhu::store::Store::open(&data).unwrap();
    let uuid: uuid::Uuid = id.parse().unwrap();
    let events = store.events(uuid).unwrap();
    let written: Vec<(String, String)> = events
        .iter()
        .filter(|e| e.question_id == "respondent_name")
        .map(|e| {
            (
                e.value.as_str().unwrap_or_default().to_string(),
                e.interviewer.clone(),
            )
        })
        .collect();
    assert_eq!(
        written,
        [
            ("王建国".to_string(), "李调查".to_string()),
            ("王秀兰".to_string(), "张组长".to_string()),
            ("王秀英".to_string(), "李调查".to_string()),
        ]
    );
    // The reopening is the lead's change too.
    let reopened: Vec<&str> = events
        .iter()
        .filter(|e| e.op == ruhu::interview::EventOp::Status && e.value == json!(false))
        .map(|e| e.interviewer.as_str())
        .collect();
    assert_eq!(reopened, ["张组长"]);
    assert_eq!(
        store.interview(uuid).unwrap().unwrap().interviewer,
        "李调查"
    );
}
