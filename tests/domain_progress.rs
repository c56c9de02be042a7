//! An interview in progress, through the session: no possible finding comes from a question
//! not answered yet (income per head is unknown until every source is answered, a new empty
//! roster row is not an uninsured member); each fires once its answers are given; the
//! findings carry the interview's status.

use chrono::NaiveDate;
use ruhu::interview::{Answer, Status};
use ruhu::reconcile::Finding;
use ruhu::registry::{Household, Member, Status as RegistryStatus};
use ruhu::session::{Forms, Session, Workspace};

pub fn resident_id(seq: u16, male: bool) -> String {
    let birth = NaiveDate::from_ymd_opt(1960 + i32::from(seq), 3, 1).expect("date");
    ruhu::demo::resident_id("532326", birth, seq, male)
}

fn exited_household() -> Household {
    let mut h = Household::provisional("532326100000001".into(), "张德明".into(), "桂花村".into());
    h.provisional = false;
    h.status = RegistryStatus::Exited;
    h.county = "大姚县".into();
    h.township = "昙华乡".into();
    h.household_size = Some(2);
    h.income_per_capita = Some(5000.0);
    h.exit_year = Some(2016);
    h.members = vec![
        Member {
            name: "张德明".into(),
            id_number: resident_id(1, true),
            relation: "head".into(),
            sex: "male".into(),
            age: Some(56),
        },
        Member {
            name: "李秀英".into(),
            id_number: resident_id(2, false),
            relation: "spouse".into(),
            sex: "female".into(),
            age: Some(55),
        },
    ];
    h
}

fn workspace(dir: &std::path::Path) -> Workspace {
    let ws = Workspace::open(dir, Forms::bundled().expect("forms")).expect("open");
    ws.load_households([exited_household()])
        .expect("households");
    ws
}

fn findings(ws: &Workspace, s: &Session) -> Vec<Finding> {
    let h = ws.household(&s.record.household_id).expect("household");
    ws.reconciler()
        .expect("rules")
        .interview(&s.record, &h)
        .into_iter()
        .collect()
}

fn rules(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.rule.as_str()).collect()
}

fn set(ws: &Workspace, s: &mut Session, q: &str, a: Answer) {
    let c = s.interview.set_answer(q, Some(a)).expect(q);
    s.save(ws, &c).expect("save");
}

#[test]
fn nothing_fires_from_unanswered_questions_and_it_fires_once_answered() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = workspace(dir.path());
    let h = ws.household("532326100000001").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    set(&ws, &mut s, "household_size", Answer::Integer(2));
    set(&ws, &mut s, "income_wage", Answer::Decimal(1000.0));
    let row = "new-row".to_string();
    let c = s.interview.add_row("members", row.clone()).expect("row");
    s.save(&ws, &c).expect("save");

    let found = findings(&ws, &s);
    for rule in ["wrong_exit_income", "wrong_exit_medical", "mismatch_income"] {
        assert!(
            !rules(&found).contains(&rule),
            "{rule} fired from unanswered questions: {:?}",
            rules(&found)
        );
    }
    assert!(
        found
            .iter()
            .all(|f| f.interview_status() == Status::InProgress)
    );

    // every income source and the costs answered: the income is known and below the line
    for q in [
        "income_business",
        "income_property",
        "income_transfer",
        "cost_production",
    ] {
        set(&ws, &mut s, q, Answer::Decimal(0.0));
    }
    let found = findings(&ws, &s);
    assert!(
        rules(&found).contains(&"wrong_exit_income"),
        "{:?}",
        rules(&found)
    );
    assert!(!rules(&found).contains(&"wrong_exit_medical"));
    let f = found
        .iter()
        .find(|f| f.rule == "wrong_exit_income")
        .unwrap();
    assert!(f.in_progress);
    assert_eq!(f.interview_status().label().zh, "进行中");

    // the members preloaded from the registry answered insured, the new row uninsured:
    // now a member without insurance
    let preloaded: Vec<String> = s.interview.rows("members")[..2]
        .iter()
        .map(|r| r.id.clone())
        .collect();
    for r in &preloaded {
        let c = s
            .interview
            .set_row_answer("members", r, "medical_insured", Some(Answer::Bool(true)))
            .expect("insured");
        s.save(&ws, &c).expect("save");
        assert!(!rules(&findings(&ws, &s)).contains(&"wrong_exit_medical"));
    }
    let c = s
        .interview
        .set_row_answer(
            "members",
            &row,
            "medical_insured",
            Some(Answer::Bool(false)),
        )
        .expect("insured");
    s.save(&ws, &c).expect("save");
    let found = findings(&ws, &s);
    assert!(
        rules(&found).contains(&"wrong_exit_medical"),
        "{:?}",
        rules(&found)
    );
}

#[test]
fn a_rule_with_one_input_known_true_fires_and_one_known_false_does_not() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = workspace(dir.path());
    let h = ws.household("532326100000001").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    // water unsafe, power not asked yet: "water or power" is already true
    set(&ws, &mut s, "water_ok", Answer::Bool(false));
    assert!(rules(&findings(&ws, &s)).contains(&"wrong_exit_water_power"));
    // fell back, re-registration not answered yet: "fell back and not re-registered" is
    // unknown, so it does not fire; once answered no, it does
    set(&ws, &mut s, "fell_back", Answer::Bool(true));
    let found = findings(&ws, &s);
    assert!(rules(&found).contains(&"returned_fell_back"));
    assert!(!rules(&found).contains(&"missed_fell_back"));
    set(&ws, &mut s, "reregistered", Answer::Bool(false));
    assert!(rules(&findings(&ws, &s)).contains(&"missed_fell_back"));
}
