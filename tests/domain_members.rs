//! Checks of the members roster: sex and age against a valid ID number (age at the
//! interview's date), labour capacity the hint rules out for the age or schooling, a second
//! 户主, and a first row that is not the head; each a warning naming the member, and
//! nothing from a new, empty row. Reordering the rows changes which row is first.

use chrono::NaiveDate;
use ruhu::interview::Answer;
use ruhu::reconcile::{Finding, FindingKind, Severity};
use ruhu::registry::{Household, Status};
use ruhu::session::{Forms, Session, Workspace};

fn id(birth: NaiveDate, seq: u16, male: bool) -> String {
    ruhu::demo::resident_id("532326", birth, seq, male)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    ws: Workspace,
    s: Session,
}

fn start() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let mut h = Household::provisional("532326100000009".into(), "赵大山".into(), "桂花村".into());
    h.provisional = false;
    h.status = Status::Poor;
    ws.load_households([h]).expect("households");
    let h = ws.household("532326100000009").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    let c = s
        .interview
        .set_answer("interview_date", Some(Answer::Date(date(2017, 12, 20))))
        .expect("date");
    s.save(&ws, &c).expect("save");
    Fixture { _dir: dir, ws, s }
}

impl Fixture {
    fn member(&mut self, row: &str, answers: &[(&str, Answer)]) {
        let mut changes = Vec::new();
        if self
            .s
            .interview
            .answers()
            .row_index("members", row)
            .is_none()
        {
            changes.push(
                self.s
                    .interview
                    .add_row("members", row.into())
                    .expect("row"),
            );
        }
        for (q, a) in answers {
            changes.push(
                self.s
                    .interview
                    .set_row_answer("members", row, q, Some(a.clone()))
                    .unwrap_or_else(|e| panic!("{q}: {e:?}")),
            );
        }
        self.s.save_many(&self.ws, &changes).expect("save");
    }

    fn findings(&self) -> Vec<Finding> {
        let h = self
            .ws
            .household(&self.s.record.household_id)
            .expect("household");
        self.ws
            .reconciler()
            .expect("rules")
            .interview(&self.s.record, &h)
            .into_iter()
            .filter(|f| f.member.is_some())
            .collect()
    }

    fn messages(&self, rule: &str) -> Vec<String> {
        self.findings()
            .into_iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.message.zh)
            .collect()
    }
}

fn text(s: &str) -> Answer {
    Answer::Text(s.into())
}

fn choice(s: &str) -> Answer {
    Answer::Choice(s.into())
}

#[test]
fn sex_and_age_that_the_id_number_contradicts_are_flagged_by_name() {
    let mut f = start();
    f.member(
        "r0",
        &[("name", text("赵大山")), ("relation", choice("head"))],
    );
    // a new, empty row: nothing from it
    f.member("r1", &[]);
    assert!(f.findings().is_empty(), "{:?}", f.findings());
    // born 1980-07-01, female: 37 at the interview date
    let spouse = id(date(1980, 7, 1), 2, false);
    f.member(
        "r1",
        &[
            ("name", text("钱小红")),
            ("id_number", text(&spouse)),
            ("sex", choice("male")),
            ("age", Answer::Integer(40)),
        ],
    );
    assert_eq!(
        f.messages("member_sex_id_number"),
        ["钱小红：性别答的是「男」，身份证号码显示为「女」，请核对"]
    );
    assert_eq!(
        f.messages("member_age_id_number"),
        ["钱小红：年龄答的是40岁，按身份证号码到调查日期为37岁，请核对"]
    );
    let all = f.findings();
    assert!(all.iter().all(|x| x.severity == Severity::Warning
        && x.kind == FindingKind::Mismatch
        && x.member.as_deref() == Some("r1")));
    assert!(
        all[0].message.en.contains("the ID number says 'Female'"),
        "{}",
        all[0].message.en
    );
    // the two findings of one member have their own identities (for marks)
    assert_ne!(all[0].key(), all[1].key());
    // answered as the ID number says: nothing
    f.member(
        "r1",
        &[("sex", choice("female")), ("age", Answer::Integer(37))],
    );
    assert!(f.findings().is_empty(), "{:?}", f.findings());
}

#[test]
fn labour_the_hint_rules_out_for_the_age_is_flagged() {
    let mut f = start();
    f.member(
        "r0",
        &[("name", text("赵大山")), ("relation", choice("head"))],
    );
    f.member(
        "r1",
        &[
            ("name", text("赵小宝")),
            ("age", Answer::Integer(10)),
            ("labour", choice("ordinary")),
        ],
    );
    assert_eq!(
        f.messages("member_labour_age"),
        ["赵小宝：10岁，劳动能力答的是「普通劳动力」；16周岁以下应为无劳动力"]
    );
    f.member("r1", &[("labour", choice("none"))]);
    assert!(f.messages("member_labour_age").is_empty());
    f.member(
        "r2",
        &[
            ("name", text("赵老汉")),
            ("age", Answer::Integer(78)),
            ("labour", choice("ordinary")),
        ],
    );
    assert_eq!(f.messages("member_labour_age").len(), 1);
    assert!(f.messages("member_labour_age")[0].starts_with("赵老汉：78岁"));
    f.member("r2", &[("labour", choice("weak"))]);
    assert!(
        f.messages("member_labour_age").is_empty(),
        "weak labour at 78 is plausible"
    );
    // a student of 18 answered as labour
    f.member(
        "r3",
        &[
            ("name", text("赵同学")),
            ("age", Answer::Integer(18)),
            ("schooling", choice("in_school")),
            ("labour", choice("ordinary")),
        ],
    );
    assert_eq!(
        f.messages("member_labour_age"),
        ["赵同学：在校生，劳动能力答的是「普通劳动力」；在校生应为无劳动力"]
    );
}

#[test]
fn a_second_head_and_a_first_row_not_the_head_are_flagged_and_reordering_fixes_it() {
    let mut f = start();
    f.member(
        "r0",
        &[("name", text("钱小红")), ("relation", choice("spouse"))],
    );
    f.member(
        "r1",
        &[("name", text("赵大山")), ("relation", choice("head"))],
    );
    assert_eq!(
        f.messages("roster_head_not_first"),
        ["成员表第一行是钱小红（配偶），户主赵大山应排在第一行"]
    );
    assert!(f.messages("roster_second_head").is_empty());
    // the head moved up: first row is the head now
    let ws = &f.ws;
    assert!(
        f.s.move_row(ws, "members", "r1", true)
            .expect("move")
            .is_some()
    );
    assert!(f.messages("roster_head_not_first").is_empty());
    // a first row without a name, not the head
    f.member("r9", &[("relation", choice("child"))]);
    assert!(
        f.s.move_row(&f.ws, "members", "r9", true)
            .expect("move")
            .is_some()
    );
    assert!(
        f.s.move_row(&f.ws, "members", "r9", true)
            .expect("move")
            .is_some()
    );
    assert_eq!(
        f.messages("roster_head_not_first"),
        ["成员表第一行（子女），户主赵大山应排在第一行"]
    );
    assert!(
        f.s.remove_row(&f.ws, "members", "r9")
            .expect("remove")
            .is_some()
    );
    assert!(f.messages("roster_head_not_first").is_empty());
    f.member(
        "r2",
        &[("name", text("赵二山")), ("relation", choice("head"))],
    );
    assert_eq!(
        f.messages("roster_second_head"),
        ["有2名成员的与户主关系为「户主」（赵大山、赵二山），一户只能有一名户主"]
    );
    assert_eq!(f.findings().len(), 1, "flagged once, at the second head");
}
