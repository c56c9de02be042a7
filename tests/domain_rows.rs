//! Roster rows through the session: moved up and down (events, so the order survives a
//! resume and a replay of the log), removed and restored with their answers in their place.

use ruhu::interview::{Answer, fold};
use ruhu::registry::Household;
use ruhu::session::{Forms, Session, Workspace};

fn names(s: &Session) -> Vec<String> {
    s.interview
        .rows("members")
        .iter()
        .map(|r| match r.values.get("name") {
            Some(Answer::Text(t)) => t.clone(),
            _ => String::new(),
        })
        .collect()
}

fn with_three_members(ws: &Workspace) -> Session {
    let h: Household = ws.new_household("王小二", "桂花村").expect("household");
    let mut s = ws.start(&h, "调查员").expect("start");
    for (i, name) in ["王小二", "李梅", "王小三"].iter().enumerate() {
        let row = format!("row-{i}");
        let add = s.interview.add_row("members", row.clone()).expect("row");
        let set = s
            .interview
            .set_row_answer("members", &row, "name", Some(Answer::Text((*name).into())))
            .expect("name");
        let age = s
            .interview
            .set_row_answer("members", &row, "age", Some(Answer::Integer(30 + i as i64)))
            .expect("age");
        s.save_many(ws, &[add, set, age]).expect("save");
    }
    s
}

#[test]
fn rows_move_up_and_down_as_events_that_replay() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let mut s = with_three_members(&ws);
    assert!(
        s.move_row(&ws, "members", "row-2", true)
            .expect("move")
            .is_some()
    );
    assert_eq!(names(&s), ["王小二", "王小三", "李梅"]);
    assert!(
        s.move_row(&ws, "members", "row-2", true)
            .expect("move")
            .is_some()
    );
    assert_eq!(names(&s), ["王小三", "王小二", "李梅"]);
    assert!(
        s.move_row(&ws, "members", "row-2", true)
            .expect("move")
            .is_none(),
        "the first row cannot go up"
    );
    assert!(
        s.move_row(&ws, "members", "row-1", false)
            .expect("move")
            .is_none()
    );
    assert!(
        s.move_row(&ws, "members", "row-0", false)
            .expect("move")
            .is_some()
    );
    assert_eq!(names(&s), ["王小三", "李梅", "王小二"]);
    assert!(
        s.move_row(&ws, "members", "nothing", true)
            .expect("move")
            .is_none()
    );

    let resumed = ws.resume(s.record.interview_id).expect("resume");
    assert_eq!(names(&resumed), ["王小三", "李梅", "王小二"]);
    let log = ws.events(s.record.interview_id).expect("events");
    let (folded, _) = fold(s.interview.form(), &log);
    assert_eq!(
        &folded,
        s.interview.answers(),
        "the log gives the same order"
    );
    // in any order of the events
    let mut reversed = log.clone();
    reversed.reverse();
    assert_eq!(fold(s.interview.form(), &reversed).0, folded);
    // the store agrees with its events (what `ruhu verify` checks)
    let v = ws.verify().expect("verify");
    assert!(v.is_sound(), "{:?}", v.problems.len());
}

#[test]
fn a_removed_row_is_restored_with_its_answers_in_its_place() {
    let dir = tempfile::tempdir().expect("dir");
    let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
    let mut s = with_three_members(&ws);
    let removed = s
        .remove_row(&ws, "members", "row-1")
        .expect("remove")
        .expect("there");
    assert_eq!(names(&s), ["王小二", "王小三"]);
    assert_eq!(removed.after.as_deref(), Some("row-0"));
    assert_eq!(
        ws.resume(s.record.interview_id)
            .map(|r| names(&r))
            .expect("resume"),
        ["王小二", "王小三"]
    );
    assert!(s.restore_row(&ws, &removed).expect("restore"));
    assert_eq!(names(&s), ["王小二", "李梅", "王小三"]);
    let row = &s.interview.rows("members")[1];
    assert_eq!(row.id, "row-1");
    assert_eq!(row.values.get("age"), Some(&Answer::Integer(31)));
    assert!(
        !s.restore_row(&ws, &removed).expect("again"),
        "it is back already"
    );

    let resumed = ws.resume(s.record.interview_id).expect("resume");
    assert_eq!(names(&resumed), ["王小二", "李梅", "王小三"]);
    let (folded, _) = fold(
        s.interview.form(),
        &ws.events(s.record.interview_id).unwrap(),
    );
    assert_eq!(&folded, s.interview.answers());

    // the first row removed comes back first
    let first = s
        .remove_row(&ws, "members", "row-0")
        .expect("remove")
        .expect("there");
    assert_eq!(first.after, None);
    assert!(s.restore_row(&ws, &first).expect("restore"));
    assert_eq!(names(&s), ["王小二", "李梅", "王小三"]);
    assert!(ws.verify().expect("verify").is_sound());
}
