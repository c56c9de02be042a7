//! The interview engine on a small questionnaire that has every question type.

use std::sync::Arc;

use chrono::NaiveDate;
use ruhu::interview::{Answer, AnswerError, Change, Context, Interview};
use ruhu::questionnaire::{self, Questionnaire};

fn form() -> Arc<Questionnaire> {
    let src = include_str!("fixtures/engine_form.json");
    Arc::new(questionnaire::from_str("engine_form.json", src).unwrap_or_else(|e| panic!("{e:?}")))
}

fn ctx() -> Context {
    Context::new(NaiveDate::from_ymd_opt(2017, 12, 23).unwrap())
}

fn current_id(iv: &Interview) -> String {
    iv.current().id.clone()
}

#[test]
fn starts_at_the_first_question_and_walks_in_order() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    assert_eq!(current_id(&iv), "greeting");
    let mut seen = vec![current_id(&iv)];
    while iv.go_next() {
        seen.push(current_id(&iv));
    }
    // fall_reason and fall_other are skipped (fell_back unanswered), the danger section too.
    assert_eq!(
        seen,
        [
            "greeting",
            "respondent",
            "visit_date",
            "household_size",
            "members",
            "medical_insured_all",
            "income_wage",
            "cost_production",
            "income_per_capita",
            "fell_back",
            "house_rating"
        ]
    );
    assert!(!iv.go_next(), "no question after the last");
    assert!(iv.go_previous());
    assert_eq!(current_id(&iv), "fell_back");
}

#[test]
fn every_input_type_takes_its_answer_and_refuses_others() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    // text, Chinese included
    iv.input("respondent", "张三丰").unwrap();
    assert_eq!(
        iv.answer("respondent"),
        Some(&Answer::Text("张三丰".into()))
    );
    // integer, full-width digits as a Chinese input method types them
    iv.input("household_size", "４").unwrap();
    assert_eq!(iv.answer("household_size"), Some(&Answer::Integer(4)));
    assert!(matches!(
        iv.input("household_size", "四口"),
        Err(AnswerError::WrongType {
            expected: "integer"
        })
    ));
    assert!(matches!(
        iv.input("household_size", "3.5"),
        Err(AnswerError::WrongType { .. })
    ));
    // decimal
    iv.input("income_wage", "12000.5").unwrap();
    assert_eq!(iv.answer("income_wage"), Some(&Answer::Decimal(12000.5)));
    assert!(iv.input("income_wage", "abc").is_err());
    // yes_no in Chinese
    iv.input("fell_back", "是").unwrap();
    assert_eq!(iv.answer("fell_back"), Some(&Answer::Bool(true)));
    iv.input("fell_back", "否").unwrap();
    assert_eq!(iv.answer("fell_back"), Some(&Answer::Bool(false)));
    assert!(iv.input("fell_back", "也许").is_err());
    // select_one by number, by name, by Chinese label
    iv.input("house_rating", "2").unwrap();
    assert_eq!(iv.answer("house_rating"), Some(&Answer::Choice("B".into())));
    iv.input("house_rating", "A").unwrap();
    iv.input("house_rating", "D级").unwrap();
    assert_eq!(iv.answer("house_rating"), Some(&Answer::Choice("D".into())));
    assert!(matches!(
        iv.input("house_rating", "E"),
        Err(AnswerError::NotAChoice(_))
    ));
    assert!(iv.input("house_rating", "9").is_err());
    // select_multiple
    iv.input("fell_back", "是").unwrap();
    iv.input("fall_reason", "1、3").unwrap();
    assert_eq!(
        iv.answer("fall_reason"),
        Some(&Answer::Choices(vec!["illness".into(), "other".into()]))
    );
    assert!(
        iv.set_answer(
            "fall_reason",
            Some(Answer::Choices(vec!["illness".into(), "illness".into()]))
        )
        .is_err()
    );
    // date, several spellings
    iv.input("visit_date", "2017年12月20日").unwrap();
    assert_eq!(
        iv.answer("visit_date"),
        Some(&Answer::Date(
            NaiveDate::from_ymd_opt(2017, 12, 20).unwrap()
        ))
    );
    assert!(iv.input("visit_date", "2017-02-30").is_err());
    // note and calculate take no answer
    assert!(matches!(
        iv.input("greeting", "x"),
        Err(AnswerError::NotAnswerable(_))
    ));
    assert!(matches!(
        iv.set_answer("income_per_capita", Some(Answer::Decimal(1.0))),
        Err(AnswerError::NotAnswerable(_))
    ));
    // wrong type built in code
    assert!(
        iv.set_answer("household_size", Some(Answer::Text("4".into())))
            .is_err()
    );
    // unknown question
    assert!(matches!(
        iv.input("no_such", "1"),
        Err(AnswerError::UnknownQuestion(_))
    ));
    // empty input clears
    iv.input("respondent", "  ").unwrap();
    assert_eq!(iv.answer("respondent"), None);
}

#[test]
fn constraints_refuse_with_their_message() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    match iv.input("household_size", "0") {
        Err(AnswerError::Constraint(m)) => assert_eq!(m.zh, "人口数应在1到30之间"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        iv.answer("household_size"),
        None,
        "a refused answer is not kept"
    );
    iv.input("household_size", "30").unwrap();
    assert!(iv.input("household_size", "31").is_err());
    assert!(iv.input("income_wage", "-1").is_err());
    iv.input("income_wage", "0").unwrap();
    // today() is the interview's date
    assert!(iv.input("visit_date", "2017-12-24").is_err());
    iv.input("visit_date", "2017-12-23").unwrap();
}

#[test]
fn skip_logic_keeps_hidden_answers_out_of_the_result() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    iv.input("fell_back", "是").unwrap();
    assert!(iv.is_relevant("fall_reason"));
    assert!(!iv.is_relevant("fall_other"));
    iv.input("fall_reason", "other").unwrap();
    assert!(iv.is_relevant("fall_other"));
    iv.input("fall_other", "儿子生病住院").unwrap();
    assert!(iv.result().values.contains_key("fall_other"));

    // Changing the answer back makes the follow-ups irrelevant: kept, but not in the result.
    iv.input("fell_back", "否").unwrap();
    assert!(!iv.is_relevant("fall_reason"));
    assert!(
        !iv.is_relevant("fall_other"),
        "hidden through a hidden question"
    );
    assert!(iv.answer("fall_other").is_some(), "the value is kept");
    let result = iv.result();
    assert!(!result.values.contains_key("fall_reason"));
    assert!(!result.values.contains_key("fall_other"));
    assert!(iv.missing().iter().all(|m| m.question != "fall_reason"));

    // And changing it again restores them.
    iv.input("fell_back", "是").unwrap();
    assert_eq!(
        iv.result().values.get("fall_other"),
        Some(&Answer::Text("儿子生病住院".into()))
    );
}

#[test]
fn section_relevance_hides_a_whole_section() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    assert!(!iv.is_relevant("repair_planned"));
    iv.input("house_rating", "C").unwrap();
    assert!(iv.is_relevant("repair_planned"));
    assert!(iv.missing().iter().any(|m| m.question == "repair_planned"));
    iv.input("house_rating", "B").unwrap();
    assert!(!iv.is_relevant("repair_planned"));
}

#[test]
fn roster_rows_are_added_edited_removed_and_limited() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    for (i, (name, age, insured)) in [
        ("王建国", "45", "是"),
        ("李秀英", "43", "是"),
        ("王小明", "12", "否"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = format!("row-{i}");
        let change = iv.add_row("members", row.clone()).unwrap();
        assert!(matches!(change, Change::AddRow(_)));
        iv.input_row("members", &row, "name", name).unwrap();
        iv.input_row("members", &row, "age", age).unwrap();
        iv.input_row("members", &row, "medical_insured", insured)
            .unwrap();
    }
    assert_eq!(iv.rows("members").len(), 3);
    assert!(matches!(
        iv.add_row("members", "row-3".into()),
        Err(AnswerError::RosterFull(3))
    ));
    // row-level skip logic: schooling only for the child
    assert!(!iv.is_row_relevant("members", 0, "schooling"));
    assert!(iv.is_row_relevant("members", 2, "schooling"));
    assert!(
        iv.missing()
            .iter()
            .any(|m| m.question == "schooling" && m.row.as_ref().is_some_and(|r| r.1 == 2))
    );
    iv.input_row("members", "row-2", "schooling", "in_school")
        .unwrap();
    // row constraint
    assert!(iv.input_row("members", "row-0", "age", "130").is_err());
    // a question of the roster only in a row
    assert!(matches!(
        iv.input("name", "x"),
        Err(AnswerError::NotInRoster { .. })
    ));
    assert!(matches!(
        iv.input_row("members", "row-0", "household_size", "3"),
        Err(AnswerError::NotInRoster { .. })
    ));
    // per-row calculation summed outside the roster
    assert_eq!(
        iv.value("medical_insured_all"),
        ruhu::questionnaire::expr::Value::Bool(false)
    );
    iv.input_row("members", "row-2", "medical_insured", "是")
        .unwrap();
    assert_eq!(
        iv.value("medical_insured_all"),
        ruhu::questionnaire::expr::Value::Bool(true)
    );
    // edit and remove
    iv.input_row("members", "row-1", "name", "李秀兰").unwrap();
    assert_eq!(
        iv.rows("members")[1].values.get("name"),
        Some(&Answer::Text("李秀兰".into()))
    );
    iv.remove_row("members", "row-0").unwrap();
    assert_eq!(iv.rows("members").len(), 2);
    assert_eq!(iv.rows("members")[0].id, "row-1");
    assert!(matches!(
        iv.remove_row("members", "row-0"),
        Err(AnswerError::UnknownRow(_))
    ));
    iv.add_row("members", "row-4".into()).unwrap();
}

#[test]
fn calculations_recompute_and_handle_missing_values() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    use ruhu::questionnaire::expr::Value;
    assert_eq!(iv.value("income_per_capita"), Value::Missing);
    assert!(iv.is_unknown("income_per_capita", None));
    iv.input("income_wage", "12000").unwrap();
    assert_eq!(
        iv.value("income_per_capita"),
        Value::Missing,
        "no household size yet"
    );
    iv.input("household_size", "4").unwrap();
    assert_eq!(
        iv.value("income_per_capita"),
        Value::Missing,
        "costs not answered yet: unknown, not counted as 0"
    );
    assert!(iv.is_unknown("income_per_capita", None));
    iv.input("cost_production", "0").unwrap();
    assert!(!iv.is_unknown("income_per_capita", None));
    assert_eq!(iv.value("income_per_capita"), Value::Number(3000.0));
    iv.input("cost_production", "2000").unwrap();
    assert_eq!(iv.value("income_per_capita"), Value::Number(2500.0));
    iv.input("household_size", "5").unwrap();
    assert_eq!(iv.value("income_per_capita"), Value::Number(2000.0));
    assert_eq!(
        iv.result().values.get("income_per_capita"),
        Some(&Answer::Decimal(2000.0))
    );
    // an empty roster: not all insured (known: nobody is listed)
    assert_eq!(iv.value("medical_insured_all"), Value::Bool(false));
    assert!(!iv.is_unknown("medical_insured_all", None));
    // a new, unanswered row is not an uninsured member: unknown until it is answered
    iv.add_row("members", "r1".into()).unwrap();
    assert!(iv.is_unknown("member_uninsured", Some(0)));
    assert!(iv.is_unknown("medical_insured_all", None));
    assert_eq!(iv.value("medical_insured_all"), Value::Missing);
    assert!(!iv.result().values.contains_key("medical_insured_all"));
    iv.set_row_answer("members", "r1", "medical_insured", Some(Answer::Bool(true)))
        .unwrap();
    assert_eq!(iv.value("medical_insured_all"), Value::Bool(true));
    iv.add_row("members", "r2".into()).unwrap();
    assert_eq!(iv.value("medical_insured_all"), Value::Missing);
    iv.set_row_answer(
        "members",
        "r2",
        "medical_insured",
        Some(Answer::Bool(false)),
    )
    .unwrap();
    assert_eq!(iv.value("medical_insured_all"), Value::Bool(false));
}

#[test]
fn progress_and_completion_check() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    let p = iv.progress();
    // respondent, household_size, members, income_wage, fell_back, house_rating
    assert_eq!((p.answered, p.required), (0, 6));
    let missing: Vec<String> = iv.missing().into_iter().map(|m| m.question).collect();
    assert_eq!(
        missing,
        [
            "respondent",
            "household_size",
            "members",
            "income_wage",
            "fell_back",
            "house_rating"
        ]
    );
    iv.input("respondent", "王建国").unwrap();
    iv.input("household_size", "1").unwrap();
    iv.add_row("members", "r1".into()).unwrap();
    // the new row brings its required questions: name, age, medical_insured
    let p = iv.progress();
    assert_eq!((p.answered, p.required), (3, 9));
    iv.input_row("members", "r1", "name", "王建国").unwrap();
    iv.input_row("members", "r1", "age", "61").unwrap();
    iv.input_row("members", "r1", "medical_insured", "是")
        .unwrap();
    iv.input("income_wage", "5000").unwrap();
    iv.input("fell_back", "否").unwrap();
    assert_eq!(iv.missing().len(), 1);
    iv.input("house_rating", "A").unwrap();
    assert!(iv.missing().is_empty());
    let p = iv.progress();
    assert_eq!(p.answered, p.required);
    assert_eq!(iv.section_progress(1).required, 5);
}

#[test]
fn replaying_changes_rebuilds_the_same_interview() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    let log = vec![
        iv.input("respondent", "张三丰").unwrap(),
        iv.add_row("members", "r1".into()).unwrap(),
        iv.input_row("members", "r1", "name", "张三丰").unwrap(),
        iv.input("house_rating", "C").unwrap(),
        iv.input("repair_planned", "是").unwrap(),
    ];
    let mut replay = Interview::new(f.clone(), ctx());
    for c in &log {
        replay.apply(c);
    }
    assert_eq!(replay.answers(), iv.answers());
    assert_eq!(replay.result(), iv.result());
    assert!(replay.is_relevant("repair_planned"));
}

#[test]
fn go_to_and_resume_where_it_stopped() {
    let f = form();
    let mut iv = Interview::new(f.clone(), ctx());
    assert!(iv.go_to("income_wage"));
    assert_eq!(current_id(&iv), "income_wage");
    assert!(!iv.go_to("name"), "roster questions are not steps");
    let resumed = Interview::with_answers(f.clone(), ctx(), iv.answers().clone());
    assert_eq!(current_id(&resumed), "greeting");
}
