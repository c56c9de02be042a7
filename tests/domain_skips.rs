//! A question passed on purpose without an answer is saved as a skip event: the record
//! lists it, it survives the interview being left and opened again, an answer takes it
//! back, and folding the events in any order gives the same list.

mod common;

use common::walk::walk;
use ruhu::interview::{Answer, EventOp, Skipped, Status, fold_skipped};
use ruhu::registry::Household;
use ruhu::session::{Forms, Workspace};

fn skip(q: &str, row: Option<&str>) -> Skipped {
    Skipped {
        question_id: q.into(),
        row: row.map(str::to_string),
    }
}

#[test]
fn a_skip_is_saved_folded_and_taken_back_by_an_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let h: Household = ws.new_household("王小二", "桂花村").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    // The first save of an interview not stored yet stores it.
    s.mark_skipped(&ws, &skip("respondent_name", None), true)
        .expect("skip");
    s.mark_skipped(&ws, &skip("interview_date", None), true)
        .expect("skip");
    let id = s.record.interview_id;
    let events = ws.events(id).expect("events").len();
    // Saying it again writes nothing.
    s.mark_skipped(&ws, &skip("interview_date", None), true)
        .expect("skip");
    assert_eq!(ws.events(id).expect("events").len(), events);

    let stored = ws.interview(id).expect("read").expect("stored");
    assert_eq!(
        stored.skipped,
        vec![skip("interview_date", None), skip("respondent_name", None)]
    );
    let resumed = ws.resume(id).expect("resume");
    assert_eq!(resumed.record.skipped, stored.skipped);

    // An answer takes a skip back, with no event of its own; so does taking it back.
    let c = s
        .interview
        .set_answer("respondent_name", Some(Answer::Text("王小二".into())))
        .expect("answer");
    s.save(&ws, &c).expect("save");
    s.mark_skipped(&ws, &skip("interview_date", None), false)
        .expect("take back");
    let stored = ws.interview(id).expect("read").expect("stored");
    assert!(stored.skipped.is_empty(), "{:?}", stored.skipped);

    // The log folds to the same list in any order, and verify finds the record as its
    // events make it.
    let mut log = ws.events(id).expect("events");
    assert_eq!(log.iter().filter(|e| e.op == EventOp::Skip).count(), 3);
    assert!(fold_skipped(&log).is_empty());
    log.reverse();
    assert!(fold_skipped(&log).is_empty());
    let without_answer: Vec<_> = log
        .iter()
        .filter(|e| e.op == EventOp::Skip && e.value == serde_json::json!(true))
        .cloned()
        .collect();
    assert_eq!(fold_skipped(&without_answer).len(), 2);
    let check = ws.verify().expect("verify");
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}

#[test]
fn a_skip_in_a_completed_interview_keeps_it_completed() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let h: Household = ws.new_household("李四", "桂花村").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    let whole = walk(s.interview.form_arc().clone());
    let changes = ruhu::session::enter_answers(&mut s.interview, whole.answers()).expect("answers");
    s.save_many(&ws, &changes).expect("save");
    s.complete(&ws).expect("store").expect("complete");
    s.mark_skipped(&ws, &skip("remarks", None), true)
        .expect("skip");
    assert_eq!(s.record.status, Status::Completed);
    let stored = ws
        .interview(s.record.interview_id)
        .expect("read")
        .expect("stored");
    assert_eq!(stored.status, Status::Completed);
    assert_eq!(stored.skipped, vec![skip("remarks", None)]);
    assert!(ws.verify().expect("verify").is_sound());
}

#[test]
fn interview_show_lists_the_questions_skipped_and_not_answered_since() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let id = {
        let ws = Workspace::open(&data, Forms::bundled().expect("forms")).expect("open");
        let h: Household = ws.new_household("王小二", "桂花村").expect("household");
        let mut s = ws.start(&h, "调查员").expect("start");
        s.mark_skipped(&ws, &skip("respondent_name", None), true)
            .expect("skip");
        s.mark_skipped(&ws, &skip("interview_date", None), true)
            .expect("skip");
        let c = s
            .interview
            .set_answer(
                "interview_date",
                Some(Answer::Date(
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
                )),
            )
            .expect("answer");
        s.save(&ws, &c).expect("save");
        s.record.interview_id.to_string()
    };
    let (code, out, err) = common::ruhu(&data, &["interview", "show", &id, "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["skipped"],
        serde_json::json!([{"question": "respondent_name", "row": null}])
    );
    let (code, out, _) = common::ruhu(&data, &["interview", "show", &id]);
    assert_eq!(code, 0);
    let line = out
        .lines()
        .find(|l| l.contains("有意跳过"))
        .expect("a line of skips");
    assert!(
        line.contains("受访人姓名") && !line.contains("调查日期"),
        "{line}"
    );
}
