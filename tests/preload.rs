//! A new interview starts with what the registry knows: the identity questions (county,
//! township, village, group, household id, head's name) and the members (name, ID number,
//! relation, sex, age: sex and age from a valid ID number where the registry lacks them, age
//! at the interview date), saved as ordinary answer events with the start; never the
//! question answered unprompted (the paired helper's name), whose registry value is there
//! for comparison only. The same identity preload for `ruhu interview apply`, where the
//! file's own answers win.

mod common;

use chrono::NaiveDate;
use common::ruhu;
use ruhu::i18n::Lang;
use ruhu::interview::{Answer, EventOp};
use ruhu::registry::{Household, Member, Status};
use ruhu::session::{self, Forms, Workspace};
use serde_json::Value;

fn id(year: i32, seq: u16, male: bool) -> String {
    let birth = NaiveDate::from_ymd_opt(year, 6, 15).expect("date");
    ruhu::demo::resident_id("532326", birth, seq, male)
}

fn household() -> Household {
    let mut h = Household::provisional("532326100000001".into(), "张德明".into(), "桂花村".into());
    h.provisional = false;
    h.status = Status::Exited;
    h.county = "大姚县".into();
    h.township = "昙华乡".into();
    h.village_group = "第3组".into();
    h.helper = "周春".into();
    h.household_size = Some(2);
    h.exit_year = Some(2016);
    h.members = vec![
        Member {
            name: "张德明".into(),
            id_number: id(1961, 1, true),
            relation: "head".into(),
            sex: "male".into(),
            age: Some(50),
        },
        // no sex or age in the registry: both from the ID number
        Member {
            name: "李秀英".into(),
            id_number: id(1963, 2, false),
            relation: "spouse".into(),
            sex: String::new(),
            age: None,
        },
    ];
    h
}

fn text(s: &session::Session, q: &str) -> Option<String> {
    match s.interview.answer(q) {
        Some(Answer::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

#[test]
fn a_registered_household_starts_with_its_identity_and_members() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    ws.load_households([household()]).expect("households");
    let h = ws.household("532326100000001").expect("household");
    let s = ws.start(&h, "调查员").expect("start");
    assert_eq!(text(&s, "county").as_deref(), Some("大姚县"));
    assert_eq!(text(&s, "township").as_deref(), Some("昙华乡"));
    assert_eq!(text(&s, "village").as_deref(), Some("桂花村"));
    assert_eq!(text(&s, "village_group").as_deref(), Some("第3组"));
    assert_eq!(text(&s, "household_id").as_deref(), Some("532326100000001"));
    assert_eq!(text(&s, "head_name").as_deref(), Some("张德明"));
    assert_eq!(
        s.interview.answer("helper_name"),
        None,
        "answered unprompted"
    );
    assert_eq!(
        s.interview.answer("household_size"),
        None,
        "asked, not prefilled"
    );

    let today = s.interview.context().today;
    let rows = s.interview.rows("members");
    assert_eq!(rows.len(), 2);
    let (head, spouse) = (&rows[0], &rows[1]);
    assert_eq!(
        head.values.get("name"),
        Some(&Answer::Text("张德明".into()))
    );
    assert_eq!(
        head.values.get("relation"),
        Some(&Answer::Choice("head".into()))
    );
    assert_eq!(head.values.get("sex"), Some(&Answer::Choice("male".into())));
    assert_eq!(
        spouse.values.get("id_number"),
        Some(&Answer::Text(id(1963, 2, false)))
    );
    assert_eq!(
        spouse.values.get("sex"),
        Some(&Answer::Choice("female".into()))
    );
    let age = session::age_on(NaiveDate::from_ymd_opt(1963, 6, 15).unwrap(), today);
    assert_eq!(spouse.values.get("age"), Some(&Answer::Integer(age)));
    // the ID number's age, not the registry's stale 50
    let head_age = session::age_on(NaiveDate::from_ymd_opt(1961, 6, 15).unwrap(), today);
    assert_eq!(head.values.get("age"), Some(&Answer::Integer(head_age)));

    // stored with the start, as ordinary answer events
    let log = ws.events(s.record.interview_id).expect("events");
    assert!(
        log.iter()
            .all(|e| matches!(e.op, EventOp::Set | EventOp::AddRow))
    );
    assert!(log.iter().any(|e| e.question_id == "county"));
    assert_eq!(s.record.events as usize, log.len());
    let resumed = ws.resume(s.record.interview_id).expect("resume");
    assert_eq!(resumed.interview.answers(), s.interview.answers());

    // the registry's values beside the answers, by question id and row id
    let helper = s.registry_value(&h, "helper_name", None).expect("helper");
    assert_eq!(helper.zh, "周春");
    let spouse_row = s.interview.rows("members")[1].id.clone();
    let sex = s.registry_value(&h, "sex", Some(&spouse_row)).expect("sex");
    assert_eq!(sex.zh, "女");
    assert_eq!(
        s.registry_value(&h, "sex", None),
        None,
        "a roster question needs its row"
    );
    assert_eq!(
        s.registry_value(&h, "food_ok", None),
        None,
        "not bound to the registry"
    );
    assert_eq!(s.interview_date(), s.interview.context().today);
    assert!(
        ws.verify().expect("verify").is_sound(),
        "the store agrees with its events"
    );
}

#[test]
fn the_registry_value_is_shown_in_words_beside_the_answer() {
    let h = household();
    let forms = Forms::bundled().expect("forms");
    let form = forms.get(ruhu::questionnaire::Kind::Exited).expect("form");
    let on = NaiveDate::from_ymd_opt(2017, 12, 20).unwrap();
    let q = |id: &str| form.question(id).expect(id).clone();
    let helper = session::registry_value(&h, &q("helper_name"), None, on).expect("helper");
    assert_eq!(helper.get(Lang::Zh), "周春");
    assert!(q("helper_name").unprompted);
    assert!(q("county").prefill && !q("county").unprompted);
    // a roster row: its registry member by ID number, in labels
    let mut row = ruhu::interview::Row {
        id: "r".into(),
        values: Default::default(),
    };
    row.values
        .insert("id_number".into(), Answer::Text(id(1963, 2, false)));
    let sex = session::registry_value(&h, &q("sex"), Some(&row), on).expect("sex");
    assert_eq!((sex.zh.as_str(), sex.en.as_str()), ("女", "Female"));
    let rel = session::registry_value(&h, &q("relation"), Some(&row), on).expect("relation");
    assert_eq!(rel.zh, "配偶");
    let age = session::registry_value(&h, &q("age"), Some(&row), on).expect("age");
    assert_eq!(age.zh, "54");
    // by name when the row has no ID number
    let mut by_name = ruhu::interview::Row {
        id: "n".into(),
        values: Default::default(),
    };
    by_name
        .values
        .insert("name".into(), Answer::Text("张德明".into()));
    let relation = session::registry_value(&h, &q("relation"), Some(&by_name), on).unwrap();
    assert_eq!(relation.en, "Head");
    // nothing for a household the registry does not know
    let p = Household::provisional("P-1".into(), "王".into(), "桂花村".into());
    assert_eq!(session::registry_value(&p, &q("county"), None, on), None);
}

#[test]
fn a_household_not_in_the_registry_starts_with_the_head_and_place_given() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    ws.load_households([household()]).expect("households");
    let h = ws.new_household(" 王小二 ", "桂花村").expect("new");
    let s = ws.start(&h, "调查员").expect("start");
    assert_eq!(text(&s, "head_name").as_deref(), Some("王小二"));
    assert_eq!(text(&s, "village").as_deref(), Some("桂花村"));
    assert_eq!(
        text(&s, "county").as_deref(),
        Some("大姚县"),
        "from the village"
    );
    assert_eq!(text(&s, "township").as_deref(), Some("昙华乡"));
    assert_eq!(text(&s, "household_id"), Some(h.household_id.clone()));
    assert!(s.interview.rows("members").is_empty());
}

fn answer_file(dir: &std::path::Path, answers: Value) -> std::path::PathBuf {
    let path = dir.join("answers.json");
    let v = serde_json::json!({"questionnaire": "exited", "answers": answers});
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

#[test]
fn interview_apply_fills_the_identity_the_file_leaves_out_and_the_file_wins() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = common::demo_household(Status::Exited);
    let demo = ruhu::demo::generate(&Default::default())
        .into_iter()
        .find(|h| h.household_id == hh)
        .unwrap();
    let file = answer_file(
        dir.path(),
        serde_json::json!({"township": "另一个乡", "household_size": 3}),
    );
    let (code, out, err) = ruhu(
        &data,
        &[
            "interview",
            "apply",
            "--household",
            &hh,
            "--answers",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let id = v["interview_id"].as_str().unwrap().to_string();
    let (_, out, _) = ruhu(&data, &["interview", "show", &id, "--format", "json"]);
    let show: Value = serde_json::from_str(&out).unwrap();
    let answers = &show["answers"]["answers"];
    assert_eq!(answers["county"], demo.county.as_str());
    assert_eq!(answers["village"], demo.village.as_str());
    assert_eq!(answers["head_name"], demo.head_name.as_str());
    assert_eq!(answers["township"], "另一个乡", "the file's answer wins");
    assert_eq!(answers["household_size"], 3);
    assert!(answers.get("helper_name").is_none());
    assert!(
        show["answers"]["rosters"]["members"]
            .as_array()
            .is_none_or(|rows| rows.is_empty()),
        "the file brings its own roster"
    );
}
