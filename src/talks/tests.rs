//! Talks scored against a small registry with real names.

use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::registry::Household;

fn household(
    id: &str,
    head: &str,
    status: &str,
    exit_year: Option<i32>,
    village: &str,
    helper: &str,
) -> Household {
    serde_json::from_value(json!({
        "household_id": id,
        "head_name": head,
        "status": status,
        "exit_year": exit_year,
        "county": "演示县",
        "township": "清溪镇",
        "village": village,
        "helper": helper,
    }))
    .unwrap()
}

fn facts() -> Facts {
    let hs = vec![
        household("1", "张秀英", "poor", None, "石门村", "李国华"),
        household("2", "王建华", "poor", None, "石门村", "李国华"),
        household("3", "赵小梅", "exited", Some(2017), "石门村", "李国华"),
        household("4", "钱大山", "exited", Some(2016), "石门村", "周红"),
        household("5", "孙有福", "returned", None, "石门村", ""),
        household("6", "吴桂兰", "non_poor", None, "石门村", ""),
        household("7", "郑春生", "poor", None, "桂花村", "周红"),
    ];
    Facts::new(2017, Some(3335.0), hs)
}

fn result(answers: Value) -> Value {
    json!({"answers": answers, "rosters": {}})
}

fn scored(n: u128, answers: Value) -> Scored {
    Scored::new(Uuid::from_u128(n), true, &result(answers), &facts()).unwrap()
}

fn outcome(s: &Scored, q: &str) -> Outcome {
    s.checks
        .iter()
        .find(|c| c.question == q)
        .unwrap_or_else(|| panic!("no check of {q}: {:?}", s.checks))
        .outcome
}

fn village_cadre() -> Scored {
    scored(
        1,
        json!({
            "person_name": "陈志强", "person_role": "village_cadre",
            "county": "演示县", "township": "清溪镇", "village": "石门村",
            "know_income_line": 3335,
            "know_exit_standard": ["income", "food", "clothing", "education", "medical", "housing"],
            "know_exit_procedure": ["review", "verify", "agree", "notice", "strike_off"],
            "know_poor_households": 2,
            "know_exited_households": 2,
            "know_returned_households": 1,
        }),
    )
}

#[test]
fn the_registry_counts_the_village_and_township_as_the_year_has_them() {
    let f = facts();
    let v = f.village("演示县", "清溪镇", "石门村").unwrap();
    assert_eq!(
        (v.poor, v.exited_this_year, v.returned, v.households),
        (2, 1, 1, 6)
    );
    let t = f.township("演示县", "清溪镇").unwrap();
    assert_eq!((t.poor, t.households), (3, 7));
    assert_eq!(f.helped_by("演示县", "李国华").len(), 3);
    assert_eq!(f.helped_by("演示县", " 周红 ").len(), 2);
    assert!(f.helped_by("别县", "李国华").is_empty());
}

#[test]
fn a_village_cadre_is_scored_question_by_question() {
    let s = village_cadre();
    assert_eq!(outcome(&s, "know_income_line"), Outcome::Right);
    assert_eq!(outcome(&s, "know_exit_standard"), Outcome::Right);
    assert_eq!(outcome(&s, "know_exit_procedure"), Outcome::Wrong);
    assert_eq!(outcome(&s, "know_poor_households"), Outcome::Right);
    // One household of 石门村 exited in 2017, not two.
    assert_eq!(outcome(&s, "know_exited_households"), Outcome::Wrong);
    assert_eq!(outcome(&s, "know_returned_households"), Outcome::Right);
    assert_eq!(s.tally(), (4, 6));
    let procedure = s
        .checks
        .iter()
        .find(|c| c.question == "know_exit_procedure")
        .unwrap();
    assert!(
        procedure.expected.zh.contains("乡镇公告"),
        "{:?}",
        procedure.expected
    );
    let exited = s
        .checks
        .iter()
        .find(|c| c.question == "know_exited_households")
        .unwrap();
    assert_eq!(exited.expected.zh, "建档立卡：石门村 1 户");
    assert_eq!(exited.answered.zh, "2 户");
    // No check shows a variable id or a raw choice name.
    for c in &s.checks {
        for t in [&c.label.zh, &c.answered.zh, &c.expected.zh] {
            assert!(
                !t.contains('_') && !t.contains("true") && !t.contains("strike"),
                "{t}"
            );
        }
    }
}

#[test]
fn a_wrong_choice_makes_the_standard_wrong_and_is_counted() {
    let s = scored(
        2,
        json!({
            "person_name": "黄丽", "person_role": "county_cadre", "county": "演示县",
            "know_income_line": 3200,
            "know_exit_standard": ["income", "food", "clothing", "education", "medical", "housing", "car"],
        }),
    );
    assert_eq!(outcome(&s, "know_income_line"), Outcome::Wrong);
    assert_eq!(outcome(&s, "know_exit_standard"), Outcome::Wrong);
    let std = s
        .checks
        .iter()
        .find(|c| c.question == "know_exit_standard")
        .unwrap();
    assert!(
        std.answered.zh.contains("另有 1 项不属于"),
        "{:?}",
        std.answered
    );
    // A county cadre is not asked a village's counts.
    assert!(
        s.checks
            .iter()
            .all(|c| !c.question.ends_with("_households"))
    );
}

#[test]
fn a_helper_names_the_heads_of_the_households_helped() {
    let s = scored(
        3,
        json!({
            "person_name": "李国华", "person_role": "helper", "county": "演示县",
            "township": "清溪镇", "village": "石门村",
            "helped_households": 3,
            "helped_heads": "张秀英、王建华",
        }),
    );
    assert_eq!(outcome(&s, "helped_households"), Outcome::Right);
    assert_eq!(outcome(&s, "helped_heads"), Outcome::Wrong);
    let heads = s
        .checks
        .iter()
        .find(|c| c.question == "helped_heads")
        .unwrap();
    assert!(
        heads.expected.zh.contains("未说出：赵小梅"),
        "{:?}",
        heads.expected
    );
    assert!(
        heads.answered.zh.starts_with("说出 2 户"),
        "{:?}",
        heads.answered
    );
}

#[test]
fn a_head_is_named_by_the_whole_name_only() {
    let hs = vec![
        household("1", "王斌", "poor", None, "石门村", "周红"),
        household("2", "王斌文", "poor", None, "石门村", "周红"),
    ];
    let f = Facts::new(2017, Some(3335.0), hs);
    let talk = result(
        json!({"person_name": "周红", "person_role": "helper", "county": "演示县",
                             "helped_heads": "王斌文，张三"}),
    );
    let s = Scored::new(Uuid::nil(), true, &talk, &f).unwrap();
    let heads = s
        .checks
        .iter()
        .find(|c| c.question == "helped_heads")
        .unwrap();
    assert_eq!(heads.outcome, Outcome::Wrong);
    assert!(
        heads.expected.zh.ends_with("未说出：王斌"),
        "{:?}",
        heads.expected
    );
}

#[test]
fn what_the_facts_cannot_settle_is_left_unscored_and_says_why() {
    let helper = scored(
        4,
        json!({"person_name": "不在册", "person_role": "helper", "county": "演示县",
               "helped_households": 2, "helped_heads": "某某"}),
    );
    assert_eq!(outcome(&helper, "helped_households"), Outcome::Unscored);
    assert_eq!(helper.tally(), (0, 0));
    let cadre = scored(
        5,
        json!({"person_name": "何平", "person_role": "village_cadre", "county": "演示县",
               "township": "清溪镇", "village": "云岭村", "know_poor_households": 4}),
    );
    let c = &cadre.checks[0];
    assert_eq!(c.outcome, Outcome::Unscored);
    assert!(c.expected.zh.contains("云岭村"), "{:?}", c.expected);
    let no_line = Facts::new(2031, None, Vec::new());
    let talk = result(json!({"person_role": "county_cadre", "know_income_line": 5000}));
    let s = Scored::new(Uuid::nil(), true, &talk, &no_line).unwrap();
    assert_eq!(s.checks[0].outcome, Outcome::Unscored);
    assert!(s.checks[0].expected.zh.contains("2031"));
}

#[test]
fn talks_sum_per_role_and_township_with_the_people_to_prepare() {
    let mut all = vec![
        village_cadre(),
        scored(
            6,
            json!({"person_name": "刘洋", "person_role": "village_cadre", "county": "演示县",
                   "township": "清溪镇", "village": "桂花村", "know_income_line": 3335,
                   "know_poor_households": 1}),
        ),
    ];
    let mut unfinished = scored(7, json!({"person_name": "未完", "person_role": "helper"}));
    unfinished.completed = false;
    all.push(unfinished);
    let sum = summarize(&all);
    assert_eq!((sum.talks, sum.in_progress), (2, 1));
    let role = &sum.by_role[0];
    assert_eq!(role.key, "village_cadre");
    assert_eq!(role.label.zh, "村干部");
    assert_eq!(
        (role.people, role.right, role.scored, role.to_prepare),
        (2, 6, 8, 1)
    );
    assert_eq!(role.share, Some(0.75));
    assert_eq!(sum.by_township.len(), 1);
    assert_eq!(sum.by_township[0].label.zh, "演示县 / 清溪镇");
    assert_eq!(sum.to_prepare.len(), 1);
    assert_eq!(sum.to_prepare[0].name, "陈志强");
}

#[test]
fn the_questionnaire_offers_exactly_the_roles() {
    let report = crate::questionnaire::load_bundled();
    let form = report
        .questionnaires
        .iter()
        .find(|q| q.kind == crate::questionnaire::Kind::Cadre)
        .expect("the cadre questionnaire is bundled");
    let q = form.question("person_role").expect("person_role");
    let crate::questionnaire::QuestionType::SelectOne(choices) = &q.kind else {
        panic!("person_role is select_one");
    };
    let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(names, roles);
    for (c, r) in choices.iter().zip(Role::ALL) {
        assert_eq!(c.label.zh, r.label().zh);
    }
    for id in [
        "know_income_line",
        "know_exit_standard",
        "know_exit_procedure",
        "know_poor_households",
        "know_exited_households",
        "know_returned_households",
        "helped_households",
        "helped_heads",
        "person_name",
        "county",
        "township",
        "village",
    ] {
        assert!(form.question(id).is_some(), "{id}");
    }
}
