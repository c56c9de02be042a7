//! Changing an answer of a completed interview reopens it: the status goes back to in
//! progress, and the log records the reopening as a status event.

mod common;

use common::walk::walk;
use ruhu::interview::{Answer, EventOp, Status};
use ruhu::registry::Household;
use ruhu::session::{Forms, Workspace};

#[test]
fn changing_an_answer_of_a_completed_interview_reopens_it_in_status_and_log() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let h: Household = ws.new_household("王小二", "桂花村").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    let c = s
        .interview
        .set_answer("respondent_name", Some(Answer::Text("王小二".into())))
        .expect("answer");
    s.save(&ws, &c).expect("save");
    assert!(
        s.complete(&ws).expect("store").is_err(),
        "required answers missing"
    );
    assert_eq!(s.record.status, Status::InProgress);

    // every answer of a whole walk, then completed
    let whole = walk(s.interview.form_arc().clone());
    let changes = ruhu::session::enter_answers(&mut s.interview, whole.answers()).expect("answers");
    s.save_many(&ws, &changes).expect("save");
    s.complete(&ws).expect("store").expect("complete");
    assert_eq!(s.record.status, Status::Completed);
    assert!(s.record.completed_at.is_some());

    // a change reopens it, in the session, in the store and in the log
    let c = s
        .interview
        .set_answer("respondent_name", Some(Answer::Text("王二".into())))
        .expect("answer");
    s.save(&ws, &c).expect("save");
    assert_eq!(s.record.status, Status::InProgress);
    assert_eq!(s.record.completed_at, None);
    let stored = ws.resume(s.record.interview_id).expect("resume");
    assert_eq!(stored.record.status, Status::InProgress);
    let log = ws.events(s.record.interview_id).expect("events");
    let statuses: Vec<bool> = log
        .iter()
        .filter(|e| e.op == EventOp::Status)
        .map(|e| e.value.as_bool().expect("bool"))
        .collect();
    assert_eq!(statuses, vec![true, false], "completed, then reopened");
    // the reopening comes before the change in the log
    let reopen = log
        .iter()
        .position(|e| e.op == EventOp::Status && e.value == false);
    let change = log.iter().rposition(|e| e.question_id == "respondent_name");
    assert!(reopen < change);
    // the log folds to the same status
    let (_, folded) = ruhu::interview::fold(s.interview.form(), &log);
    assert_eq!(folded, Status::InProgress);

    // completing again, then reopening without a change
    s.complete(&ws).expect("store").expect("complete");
    s.reopen(&ws).expect("reopen");
    assert_eq!(s.record.status, Status::InProgress);
    let n = ws.events(s.record.interview_id).expect("events").len();
    s.reopen(&ws).expect("reopen again");
    assert_eq!(
        ws.events(s.record.interview_id).expect("events").len(),
        n,
        "reopening an interview in progress writes nothing"
    );
}
