//! A realistic walk through a questionnaire: answers by question id (a roster of five
//! members included), shared by the tests that need a whole interview.

use std::sync::Arc;

use chrono::NaiveDate;
use ruhu::demo::resident_id;
use ruhu::interview::{Answer, Context, Interview};
use ruhu::questionnaire::{self, Kind, Question, QuestionType, Questionnaire};

/// The four bundled household questionnaires (the walk answers a household's questions).
pub fn forms() -> Vec<Arc<Questionnaire>> {
    let report = questionnaire::load_bundled();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .questionnaires
        .into_iter()
        .filter(|q| q.kind.is_household())
        .map(Arc::new)
        .collect()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A realistic answer for a top-level question, by id, else by type.
pub fn answer_for(q: &Question, kind: Kind) -> Option<Answer> {
    let text = |s: &str| Some(Answer::Text(s.into()));
    let choice = |s: &str| Some(Answer::Choice(s.into()));
    let yes = |b: bool| Some(Answer::Bool(b));
    let money = |d: f64| Some(Answer::Decimal(d));
    match q.id.as_str() {
        "county" => return text("大姚县"),
        "township" => return text("昙华乡"),
        "village" => return text("桂花村"),
        "village_group" => return text("第3组"),
        "household_id" => return text("532326007000003"),
        "head_name" | "respondent_name" => return text("王建国"),
        "respondent_relation" => return choice("head"),
        "interview_date" => return Some(Answer::Date(date(2017, 12, 20))),
        "household_size" => return Some(Answer::Integer(5)),
        "income_wage" => return money(12000.0),
        "income_business" => return money(8000.0),
        "income_property" => return money(500.0),
        "income_transfer" => return money(2400.0),
        "cost_production" => return money(3000.0),
        "food_ok" | "clothing_ok" | "water_ok" | "power_ok" | "helper_known" | "accepts_exit" => {
            return yes(true);
        }
        "fell_back" | "applied_refused" | "illness_untreated" | "had_medical_costs" => {
            return yes(false);
        }
        id if id.starts_with("red_") => return yes(false),
        "reregistered" => return yes(kind == Kind::Returned),
        "children_out_of_school" => return Some(Answer::Integer(0)),
        "house_rating" => return choice("B"),
        "policy_awareness" => return choice("partly"),
        "satisfaction" => return choice("satisfied"),
        "exit_year" => return Some(Answer::Integer(2017)),
        "returned_year" => return Some(Answer::Integer(2018)),
        "returned_cause" => return choice("illness"),
        "measures_received" => {
            return Some(Answer::Choices(vec![
                "industry".into(),
                "education".into(),
                "health".into(),
            ]));
        }
        "helper_name" => return text("周春"),
        "policies_named" => return text("产业扶持发了仔猪，孩子上学有营养餐补助"),
        _ => {}
    }
    match &q.kind {
        QuestionType::Text => text("无"),
        QuestionType::Integer => Some(Answer::Integer(if q.id.contains("year") {
            2018
        } else {
            1
        })),
        QuestionType::Decimal if q.id.contains("area") => money(96.0),
        QuestionType::Decimal => money(0.0),
        QuestionType::SelectOne(cs) => choice(&cs[0].name),
        QuestionType::SelectMultiple(cs) => Some(Answer::Choices(vec![cs[0].name.clone()])),
        QuestionType::YesNo => yes(true),
        QuestionType::Date => Some(Answer::Date(date(2017, 12, 20))),
        _ => None,
    }
}

/// The five members: name, relation, sex, age, health, works away.
pub const MEMBERS: [(&str, &str, &str, i64, &str, bool); 5] = [
    ("王建国", "head", "male", 52, "healthy", false),
    ("李秀英", "spouse", "female", 50, "chronic", false),
    ("王小军", "child", "male", 24, "healthy", true),
    ("王小梅", "child", "female", 14, "healthy", false),
    ("王德福", "parent", "male", 78, "serious", false),
];

pub fn member_answer(q: &Question, m: usize) -> Option<Answer> {
    let (name, relation, sex, age, health, away) = MEMBERS[m];
    let birth = date(2017 - age as i32, 3, 1 + m as u32);
    Some(match q.id.as_str() {
        "name" => Answer::Text(name.into()),
        "id_number" => Answer::Text(resident_id("532326", birth, 100 + m as u16, sex == "male")),
        "relation" => Answer::Choice(relation.into()),
        "sex" => Answer::Choice(sex.into()),
        "age" => Answer::Integer(age),
        "schooling" => Answer::Choice(if age < 18 { "in_school" } else { "graduated" }.into()),
        "health" => Answer::Choice(health.into()),
        "labour" => Answer::Choice(if age > 70 { "none" } else { "ordinary" }.into()),
        "works_away" => Answer::Bool(away),
        "medical_insured" => Answer::Bool(true),
        _ => return answer_for(q, Kind::Poor),
    })
}

pub fn walk(form: Arc<Questionnaire>) -> Interview {
    let kind = form.kind;
    let mut iv = Interview::new(form.clone(), Context::new(date(2017, 12, 23)));
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 500, "{}: the walk does not end", form.id);
        let q = iv.current().clone();
        match &q.kind {
            QuestionType::Roster { questions, .. } if q.id == "members" => {
                for m in 0..MEMBERS.len() {
                    let row = format!("member-{m}");
                    iv.add_row("members", row.clone()).unwrap();
                    for rq in questions.iter().filter(|rq| rq.kind.is_input()) {
                        if !iv.is_row_relevant("members", m, &rq.id) {
                            continue;
                        }
                        if let Some(a) = member_answer(rq, m) {
                            iv.set_row_answer("members", &row, &rq.id, Some(a))
                                .unwrap_or_else(|e| panic!("{} {}: {e:?}", form.id, rq.id));
                        }
                    }
                }
            }
            k if k.is_input() => {
                if let Some(a) = answer_for(&q, kind) {
                    iv.set_answer(&q.id, Some(a))
                        .unwrap_or_else(|e| panic!("{} {}: {e:?}", form.id, q.id));
                }
            }
            _ => {}
        }
        if !iv.go_next() {
            break;
        }
    }
    iv
}

/// A whole, valid answer file for a questionnaire kind (`ruhu interview apply` reads it),
/// written into `dir` as `<kind>.json`.
pub fn answer_file(dir: &std::path::Path, kind: &str) -> std::path::PathBuf {
    answer_file_with(dir, kind, kind, serde_json::json!({}))
}

/// [`answer_file`] with some top-level answers changed (`changes`: id → answer), written as
/// `<name>.json`.
pub fn answer_file_with(
    dir: &std::path::Path,
    name: &str,
    kind: &str,
    changes: serde_json::Value,
) -> std::path::PathBuf {
    let form = forms().into_iter().find(|f| f.id == kind).unwrap();
    let iv = walk(form);
    let mut v = iv.answers().to_json();
    v["questionnaire"] = serde_json::json!(kind);
    for (k, val) in changes.as_object().expect("changes are an object") {
        v["answers"][k] = val.clone();
    }
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    path
}
