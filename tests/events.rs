//! The event log: an interview's answers are the fold of its events, in any order.

use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset};
use ruhu::interview::{Context, Event, Interview, Origin, Status, fold};
use ruhu::questionnaire;
use uuid::Uuid;

fn form() -> Arc<questionnaire::Questionnaire> {
    let src = include_str!("fixtures/engine_form.json");
    Arc::new(questionnaire::from_str("engine_form.json", src).unwrap())
}

fn t0() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2017-12-20T09:00:00+08:00").unwrap()
}

#[test]
fn fold_is_order_independent_and_idempotent() {
    let f = form();
    let mut iv = Interview::new(f.clone(), Context::new(t0().date_naive()));
    let id = Uuid::new_v4();
    let mut events = Vec::new();
    let mut at = t0();
    let mut record = |iv_change: ruhu::interview::Change, events: &mut Vec<Event>| {
        at += Duration::seconds(7);
        let origin = Origin {
            device_id: "laptop-1".into(),
            interviewer: "李明".into(),
            at,
        };
        events.push(Event::from_change(id, &origin, &iv_change));
    };
    record(iv.input("respondent", "王建国").unwrap(), &mut events);
    record(iv.input("household_size", "3").unwrap(), &mut events);
    record(iv.add_row("members", "r1".into()).unwrap(), &mut events);
    record(
        iv.input_row("members", "r1", "name", "王建国").unwrap(),
        &mut events,
    );
    record(iv.add_row("members", "r2".into()).unwrap(), &mut events);
    record(
        iv.input_row("members", "r2", "name", "李秀英").unwrap(),
        &mut events,
    );
    record(iv.input("household_size", "2").unwrap(), &mut events);
    record(iv.remove_row("members", "r2").unwrap(), &mut events);
    record(iv.input("respondent", "").unwrap(), &mut events);

    let (answers, status) = fold(&f, &events);
    assert_eq!(&answers, iv.answers());
    assert_eq!(status, Status::InProgress);

    // Any order, and events seen twice (a bundle merged again), give the same answers.
    let mut shuffled = events.clone();
    shuffled.reverse();
    shuffled.extend(events.iter().take(4).cloned());
    shuffled.rotate_left(3);
    assert_eq!(fold(&f, &shuffled).0, answers);

    // A completion event completes it.
    let done = Event::status(
        id,
        &Origin {
            device_id: "laptop-1".into(),
            interviewer: "李明".into(),
            at: at + Duration::seconds(60),
        },
        true,
    );
    shuffled.push(done);
    assert_eq!(fold(&f, &shuffled).1, Status::Completed);
}

#[test]
fn last_writer_wins_by_time_then_event_id() {
    let f = form();
    let mut iv = Interview::new(f.clone(), Context::new(t0().date_naive()));
    let id = Uuid::new_v4();
    let origin = |dev: &str, secs: i64| Origin {
        device_id: dev.into(),
        interviewer: "x".into(),
        at: t0() + Duration::seconds(secs),
    };
    let a = Event::from_change(id, &origin("a", 10), &iv.input("respondent", "甲").unwrap());
    let b = Event::from_change(id, &origin("b", 20), &iv.input("respondent", "乙").unwrap());
    assert_eq!(
        fold(&f, &[b.clone(), a.clone()]).0.values["respondent"],
        ruhu::interview::Answer::Text("乙".into())
    );
    // Same instant: the larger event id wins, whatever the order they arrive in.
    let mut a2 = a.clone();
    a2.at = b.at;
    let winner = if a2.event_id > b.event_id {
        "甲"
    } else {
        "乙"
    };
    for pair in [[a2.clone(), b.clone()], [b.clone(), a2.clone()]] {
        assert_eq!(
            fold(&f, &pair).0.values["respondent"],
            ruhu::interview::Answer::Text(winner.into())
        );
    }
}
