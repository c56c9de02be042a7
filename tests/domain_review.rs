//! The team lead's review: approving a completed interview, returning one with comments
//! (for the whole interview and per question), and completing a returned one again, each
//! an event of the interview's log that the record follows and `verify` checks.

mod common;

use std::collections::BTreeMap;

use common::walk::walk;
use ruhu::interview::{Decision, EventOp, Review, Status, fold_review};
use ruhu::registry::Household;
use ruhu::session::{Forms, Workspace};

fn review(decision: Decision, comment: &str, questions: &[(&str, &str)]) -> Review {
    Review {
        decision,
        comment: comment.into(),
        questions: questions
            .iter()
            .map(|(q, t)| (q.to_string(), t.to_string()))
            .collect::<BTreeMap<_, _>>(),
        by: String::new(),
        at: None,
    }
}

#[test]
fn a_return_with_comments_reaches_the_record_and_clears_on_completion() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let h: Household = ws.new_household("王小二", "桂花村").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    // Nothing to approve or return yet.
    let approve = review(Decision::Approve, "", &[]);
    assert_eq!(
        s.review(&ws, &approve).expect("store"),
        Err(Status::InProgress)
    );
    let whole = walk(s.interview.form_arc().clone());
    let changes = ruhu::session::enter_answers(&mut s.interview, whole.answers()).expect("answers");
    s.save_many(&ws, &changes).expect("save");
    s.complete(&ws).expect("store").expect("complete");

    let back = review(
        Decision::Return,
        "收入没有问清楚，请再访一次",
        &[("income_wage", "工资性收入要按全年算")],
    );
    s.review(&ws, &back).expect("store").expect("returned");
    let id = s.record.interview_id;
    let stored = ws.interview(id).expect("read").expect("stored");
    assert_eq!(stored.status, Status::Returned);
    let kept = stored.review.clone().expect("a review");
    assert_eq!(kept.decision, Decision::Return);
    assert_eq!(kept.comment, "收入没有问清楚，请再访一次");
    assert_eq!(kept.questions["income_wage"], "工资性收入要按全年算");
    assert_eq!(kept.by, "调查员");
    // The review is an event, and the fold of the log gives the same.
    let log = ws.events(id).expect("events");
    assert_eq!(log.iter().filter(|e| e.op == EventOp::Review).count(), 1);
    assert_eq!(fold_review(&log), Some(kept));
    assert!(ws.verify().expect("verify").is_sound());

    // The interviewer changes an answer: still returned, until completed again.
    let mut s = ws.resume(id).expect("resume");
    let c = s
        .interview
        .set_answer(
            "respondent_name",
            Some(ruhu::interview::Answer::Text("王小三".into())),
        )
        .expect("answer");
    s.save(&ws, &c).expect("save");
    assert_eq!(s.record.status, Status::Returned);
    s.complete(&ws).expect("store").expect("complete");
    let stored = ws.interview(id).expect("read").expect("stored");
    assert_eq!(stored.status, Status::Completed);
    assert_eq!(stored.review, None, "completing again clears the return");

    // Approved: counted as completed; a change reopens it.
    s.review(&ws, &approve).expect("store").expect("approved");
    assert_eq!(
        ws.interview(id).expect("read").expect("stored").status,
        Status::Approved
    );
    assert!(Status::Approved.is_done() && !Status::Returned.is_done());
    assert!(ws.verify().expect("verify").is_sound());
}
