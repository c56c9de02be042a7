//! Interviews whose subject is not a household (a person, a project, a place): answer
//! bundles carry the subject's kind, a store holds aside what it cannot answer yet, a head
//! whose kind and key disagree is refused, the registry keeps household ids apart from
//! other subjects' keys, and the household rules and rates leave other subjects out.

mod common;

use std::path::Path;

use serde_json::{Value, json};
use uuid::Uuid;

use common::{laptop, ruhu, run_json};
use ruhu::interview::{Event, InterviewRecord, Status};
use ruhu::questionnaire::{Questionnaire, load_bundled};
use ruhu::reconcile::{Filter, Reconciler};
use ruhu::subject::{Subject, SubjectKind};
use ruhu::sync::bundle::{Body, Header, InterviewHead, ranges_of, write};

const DEVICE: &str = "7d1c2b3a-0000-4000-8000-0000000000aa";

fn uuid(n: u64) -> Uuid {
    Uuid::from_u64_pair(0x5355_424a, n)
}

fn head(n: u64, subject: &str, key: &str, questionnaire: &str) -> InterviewHead {
    InterviewHead {
        interview_id: uuid(n),
        household_id: key.into(),
        subject: subject.into(),
        questionnaire: questionnaire.into(),
        questionnaire_version: "2017.1".into(),
        interviewer: "李桂花".into(),
        device_id: DEVICE.into(),
        started_at: "2017-12-20T09:00:00+08:00".parse().unwrap(),
    }
}

fn event(n: u64, interview: Uuid) -> Event {
    serde_json::from_value(json!({
        "event_id": uuid(1_000 + n),
        "interview_id": interview,
        "at": "2017-12-20T09:30:00+08:00",
        "device_id": DEVICE,
        "seq": n,
        "interviewer": "李桂花",
        "op": "set",
        "question_id": "project_name",
        "value": "石门村核桃产业项目",
    }))
    .unwrap()
}

/// A bundle of these heads, one event each.
fn bundle(dir: &Path, name: &str, heads: Vec<InterviewHead>) -> std::path::PathBuf {
    let mut body = Body::default();
    for (i, h) in heads.into_iter().enumerate() {
        body.events.push(event(i as u64 + 1, h.interview_id));
        body.interviews.push(h);
    }
    let seqs = (1..=body.events.len() as u64).map(|s| (DEVICE, s));
    let header = Header::new(DEVICE, "石门村 笔记本", &body).with_ranges(ranges_of(seqs));
    let path = dir.join(name);
    let mut out = Vec::new();
    write(&mut out, &header, &body).unwrap();
    std::fs::write(&path, out).unwrap();
    path
}

fn import(data: &Path, file: &Path) -> (i32, Value) {
    let (code, out, err) = ruhu(
        data,
        &["sync", "import", file.to_str().unwrap(), "--format", "json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

#[test]
fn other_subjects_travel_in_bundles_and_wait_for_their_questionnaire() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "lead");
    let project = Subject::new(SubjectKind::Project, "XM-2017-003");
    let file = bundle(
        root.path(),
        "subjects.ruhu",
        vec![
            // A project checked with a questionnaire this store does not have.
            head(1, "project", &project.key(), "project_survey"),
            head(2, "shelter", "shelter:7", "shelter"),
        ],
    );
    let (code, reports) = import(&data, &file);
    assert_eq!(code, 0, "{reports}");
    let held = reports[0]["held"].as_array().expect("held");
    assert_eq!(held.len(), 2, "{reports}");
    let reason = |n: u64| {
        held.iter()
            .find(|h| h["interview_id"] == uuid(n).to_string())
            .and_then(|h| h["reason"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    // The project is a subject this ruhu knows: it waits for its questionnaire only.
    assert!(!reason(1).contains("不支持"), "{}", reason(1));
    assert!(reason(1).contains("project_survey"), "{}", reason(1));
    // A kind of subject it does not know is held too, never dropped, and says why.
    assert!(reason(2).contains("shelter"), "{}", reason(2));
    assert!(reason(2).contains("不支持"), "{}", reason(2));
    // Both survive in a backup with their heads.
    let dump = common::dump(&data);
    let held = dump["held"].as_array().expect("held in the backup");
    let subjects: Vec<&str> = held
        .iter()
        .filter_map(|h| h["head"]["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"project"), "{held:?}");
    assert!(subjects.contains(&"shelter"), "{held:?}");
}

#[test]
fn a_head_whose_kind_and_key_disagree_is_refused_and_nothing_changes() {
    let root = tempfile::tempdir().unwrap();
    let data = laptop(root.path(), "lead");
    let before = common::dump(&data);
    // A project's head keyed like a household.
    let file = bundle(
        root.path(),
        "wrong.ruhu",
        vec![head(3, "project", "532325100101000123", "project")],
    );
    let (code, reports) = import(&data, &file);
    assert_ne!(code, 0, "{reports}");
    let text = reports.to_string();
    assert!(text.contains(&uuid(3).to_string()), "{text}");
    assert!(text.contains("不符"), "{text}");
    let mut after = common::dump(&data);
    // The refused import is logged; nothing else changes.
    after.as_object_mut().unwrap().remove("imports");
    assert_eq!(before, after);
}

#[test]
fn the_registry_refuses_household_ids_that_read_as_another_subject() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let file = root.path().join("households.csv");
    std::fs::write(
        &file,
        "户编号,户主姓名,脱贫状态,县,乡镇,行政村\n\
         532325100101000123,张三,未脱贫,演示县,青山镇,桂花村\n\
         project:9,李四,未脱贫,演示县,青山镇,桂花村\n",
    )
    .unwrap();
    let (code, out, err) = ruhu(
        &data,
        &[
            "registry",
            "import",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_ne!(code, 0, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("project:"), "{all}");
    assert!(all.contains('3'), "the row is named: {all}");
    let listed = run_json(&data, &["registry", "list"]);
    assert_eq!(
        listed["households"].as_array().map_or(0, Vec::len),
        0,
        "{listed}"
    );
}

#[test]
fn household_rules_and_rates_leave_other_subjects_out() {
    let report = load_bundled();
    let forms: Vec<&Questionnaire> = report.questionnaires.iter().collect();
    let rec = Reconciler::load(None, &forms).expect("rules");
    let at = "2017-12-20T09:00:00+08:00".parse().unwrap();
    // A completed interview of a project, whose answers would fire household rules.
    let record = InterviewRecord {
        interview_id: uuid(9),
        household_id: Subject::new(SubjectKind::Project, "XM-2017-003").key(),
        questionnaire: "exited".into(),
        questionnaire_version: "2017.1".into(),
        status: Status::Completed,
        interviewer: "李桂花".into(),
        device_id: DEVICE.into(),
        started_at: at,
        updated_at: at,
        completed_at: Some(at),
        cursor: None,
        answers: json!({"answers": {"food_ok": false, "income_per_capita": 100}}),
        result: json!({"answers": {"food_ok": false, "income_per_capita": 100}}),
        events: 1,
        skipped: Vec::new(),
        review: None,
        chosen: None,
    };
    assert_eq!(record.subject().kind, SubjectKind::Project);
    let out = ruhu::reconcile::run(
        &rec,
        [Ok::<_, ruhu::store::StoreError>(record)],
        |_| Ok(None),
        &Filter::default(),
    )
    .expect("run");
    assert_eq!(out.interviews, 1);
    assert_eq!(out.other_subjects, 1);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
    assert!(out.surveyed.is_empty());
}
