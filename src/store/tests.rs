use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::interview::{Event, EventOp, InterviewRecord, Status};
use crate::registry::{self, Household, Member, VillageType};

fn at(minute: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2024, 5, 6, 9, minute, 0).single())
        .expect("valid time")
}

fn household(id: &str) -> Household {
    let mut h = Household::provisional(id.to_string(), "李四".into(), "石门村".into());
    h.provisional = false;
    h.status = registry::Status::Exited;
    h.exit_year = Some(2019);
    h.income_per_capita = Some(8432.5);
    h
}

fn zhang_sanfeng() -> Household {
    Household {
        household_id: "522701000000001".into(),
        head_name: "张三丰".into(),
        head_id_number: "522701198001011233".into(),
        household_size: Some(4),
        status: registry::Status::Poor,
        exit_year: None,
        household_type: "一般贫困户".into(),
        income_per_capita: Some(3650.0),
        county: "都匀市".into(),
        township: "墨冲镇".into(),
        village: "桂花村".into(),
        village_group: "三组".into(),
        helper: "王帮扶".into(),
        village_type: Some(VillageType::Poor),
        remote: true,
        edge: false,
        members: vec![
            Member {
                name: "张三丰".into(),
                id_number: "522701198001011233".into(),
                relation: "head".into(),
                sex: "男".into(),
                age: Some(44),
            },
            Member {
                name: "李秀英".into(),
                relation: "spouse".into(),
                sex: "女".into(),
                age: Some(41),
                ..Member::default()
            },
        ],
        provisional: false,
        demo: false,
    }
}

fn record(household_id: &str) -> InterviewRecord {
    InterviewRecord {
        interview_id: Uuid::new_v4(),
        household_id: household_id.to_string(),
        questionnaire: "poor".into(),
        questionnaire_version: "1".into(),
        status: Status::InProgress,
        interviewer: "王五".into(),
        device_id: "dev".into(),
        started_at: at(0),
        updated_at: at(0),
        completed_at: None,
        cursor: None,
        answers: json!({}),
        result: json!({}),
        events: 0,
        skipped: Vec::new(),
        review: None,
        chosen: None,
    }
}

/// An answer event of another device ("dev"), numbered as a bundle brings it.
fn event(r: &InterviewRecord, question: &str, value: serde_json::Value) -> Event {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    Event {
        event_id: Uuid::new_v4(),
        interview_id: r.interview_id,
        at: at(1),
        device_id: "dev".into(),
        seq: SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        base: Vec::new(),
        interviewer: r.interviewer.clone(),
        op: EventOp::Set,
        question_id: question.into(),
        row: None,
        value,
    }
}

fn open(dir: &Path) -> Store {
    Store::open(dir).expect("open store")
}

/// Opens a store just dropped, waiting (beyond `Store::open`'s own wait) while sled's
/// background thread still holds the folder's lock.
pub(super) fn reopen(dir: &Path) -> Store {
    let mut opened = Store::open(dir);
    for _ in 0..100 {
        if !matches!(opened, Err(StoreError::Locked { .. })) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        opened = Store::open(dir);
    }
    opened.expect("reopen store")
}

#[test]
fn first_open_writes_schema_version_and_a_device_id_that_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = {
        let s = open(dir.path());
        assert!(Uuid::parse_str(s.device_id()).is_ok());
        assert_eq!(
            s.meta
                .get(keys::META_SCHEMA_VERSION)
                .expect("get")
                .as_deref(),
            Some(&SCHEMA_VERSION.to_be_bytes()[..])
        );
        s.device_id().to_string()
    };
    assert_eq!(open(dir.path()).device_id(), id);
}

#[test]
fn a_newer_schema_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = open(dir.path());
        s.meta
            .insert(
                keys::META_SCHEMA_VERSION,
                &(SCHEMA_VERSION + 1).to_be_bytes(),
            )
            .expect("insert");
        s.flush().expect("flush");
    }
    match Store::open(dir.path()) {
        Err(StoreError::TooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let e = StoreError::TooNew {
        found: 2,
        supported: 1,
    };
    assert!(e.message().zh.contains("较新版本"));
    assert!(e.to_string().contains("newer"));
}

#[test]
fn a_second_open_in_the_same_process_is_locked_and_the_lock_goes_with_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = open(dir.path());
    match Store::open(dir.path()) {
        Err(e @ StoreError::Locked { .. }) => {
            assert!(e.to_string().contains("in use by another ruhu"));
            assert!(e.message().zh.contains("正被另一个 ruhu 使用"));
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(first);
    open(dir.path());
}

#[test]
fn households_round_trip_count_and_survive_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = open(dir.path());
        assert_eq!(s.household_count(), 0);
        s.put_household(&zhang_sanfeng()).expect("put");
        s.put_household(&zhang_sanfeng()).expect("put again");
        assert_eq!(s.household_count(), 1);
        let n = s
            .put_households((0..100).map(|i| household(&format!("H{i:03}"))))
            .expect("bulk");
        assert_eq!(n, 100);
        // Replacing is not adding.
        s.put_households((0..10).map(|i| household(&format!("H{i:03}"))))
            .expect("bulk again");
        assert_eq!(s.household_count(), 101);
        assert!(s.remove_household("H000").expect("remove"));
        assert!(!s.remove_household("H000").expect("remove twice"));
        assert_eq!(s.household_count(), 100);
        s.flush().expect("flush");
    }
    let s = open(dir.path());
    assert_eq!(s.household_count(), 100);
    assert_eq!(
        s.household("522701000000001").expect("get"),
        Some(zhang_sanfeng())
    );
    assert_eq!(s.household("H050").expect("get"), Some(household("H050")));
    assert_eq!(s.household("H000").expect("get"), None);
    let all: Vec<Household> = s.households().collect::<Result<_, _>>().expect("all");
    assert_eq!(all.len(), 100);
    // Bytewise id order: digits before letters.
    assert_eq!(all[0], zhang_sanfeng());
    assert_eq!(all[1].household_id, "H001");
}

#[test]
fn a_chinese_household_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    s.put_household(&zhang_sanfeng()).expect("put");
    let h = s
        .household("522701000000001")
        .expect("get")
        .expect("present");
    assert_eq!(h.head_name, "张三丰");
    assert_eq!(h.village, "桂花村");
    assert_eq!(h, zhang_sanfeng());
}

#[test]
fn a_bulk_load_cut_short_is_recounted_at_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = open(dir.path());
        s.put_households((0..5).map(|i| household(&format!("H{i}"))))
            .expect("bulk");
        // What a crash in the middle of a bulk load leaves: more households than counted.
        s.meta
            .insert(keys::META_COUNTS_DIRTY, &[1u8])
            .expect("mark");
        let changes: Vec<_> = (5..8)
            .map(|i| {
                let h = household(&format!("H{i}"));
                let value = super::codec::encode_household(&h).expect("encode");
                (h.household_id.into_bytes(), Some(value))
            })
            .collect();
        let plan = s.plan(&changes).expect("plan");
        s.households.apply_batch(plan.batch()).expect("write");
        s.flush().expect("flush");
        assert_eq!(s.household_count(), 5);
    }
    let s = open(dir.path());
    assert_eq!(s.household_count(), 8);
    assert!(!s.meta.contains_key(keys::META_COUNTS_DIRTY).expect("get"));
}

#[test]
fn interviews_round_trip_with_the_household_index_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (record("H1"), record("H1"), record("H10"));
    {
        let s = open(dir.path());
        for r in [&a, &b, &c] {
            s.create_interview(r).expect("create");
        }
        s.create_interview(&a).expect("create again");
        assert_eq!(s.interview_count(), 3);
    }
    let s = open(dir.path());
    assert_eq!(s.interview_count(), 3);
    assert_eq!(s.interview(a.interview_id).expect("get"), Some(a.clone()));
    assert_eq!(s.interview(Uuid::new_v4()).expect("get"), None);
    let mut of_h1: Vec<Uuid> = s
        .interviews_of("H1")
        .expect("of")
        .into_iter()
        .map(|r| r.interview_id)
        .collect();
    of_h1.sort();
    let mut want = vec![a.interview_id, b.interview_id];
    want.sort();
    assert_eq!(of_h1, want);
    assert_eq!(s.interviews_of("H10").expect("of"), vec![c.clone()]);
    assert!(s.interviews_of("H").expect("of").is_empty());
    assert_eq!(s.interviews().count(), 3);

    // Moving an interview to another household moves its index entry.
    let mut moved = c.clone();
    moved.household_id = "H1".into();
    s.create_interview(&moved).expect("move");
    assert_eq!(s.interviews_of("H1").expect("of").len(), 3);
    assert!(s.interviews_of("H10").expect("of").is_empty());
    assert_eq!(s.interview_count(), 3);
}

#[test]
fn events_come_back_in_order_and_the_record_counts_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = record("H1");
    let mut sent = Vec::new();
    {
        let s = open(dir.path());
        s.create_interview(&r).expect("create");
        // 300 events: the sequence crosses a byte boundary (255 → 256).
        for i in 0..300 {
            let e = event(&r, "q1", json!(i));
            r.answers = json!({ "q1": i });
            s.record_event(&e, &r).expect("record");
            r.events += 1;
            sent.push(e);
        }
        let several = vec![event(&r, "q2", json!("甲")), event(&r, "q3", json!(true))];
        r.answers = json!({ "q1": 299, "q2": "甲", "q3": true });
        s.record_events(&several, &r).expect("record several");
        r.events += 2;
        sent.extend(several);
        // The cursor alone: no event.
        r.cursor = Some("q4".into());
        s.record_events(&[], &r).expect("record none");
    }
    let s = open(dir.path());
    assert_eq!(s.events(r.interview_id).expect("events"), sent);
    let stored = s.interview(r.interview_id).expect("get").expect("present");
    assert_eq!(stored, r);
    assert_eq!(stored.events, 302);
    assert!(s.events(Uuid::new_v4()).expect("events").is_empty());
}

#[test]
fn the_store_keeps_the_event_count_whatever_the_caller_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let mut r = record("H1");
    s.create_interview(&r).expect("create");
    let e1 = event(&r, "q1", json!(1));
    s.record_event(&e1, &r).expect("record");
    // A stale copy (events still 0) must not overwrite event #0.
    let e2 = event(&r, "q1", json!(2));
    s.record_event(&e2, &r).expect("record");
    assert_eq!(s.events(r.interview_id).expect("events"), vec![e1, e2]);
    r.events = 99;
    s.create_interview(&r).expect("rewrite");
    assert_eq!(
        s.interview(r.interview_id)
            .expect("get")
            .expect("present")
            .events,
        2
    );
}

#[test]
fn an_event_of_another_interview_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let r = record("H1");
    let other = record("H2");
    let e = event(&other, "q1", json!(1));
    assert!(matches!(
        s.record_event(&e, &r),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.interview_count(), 0);
}

#[test]
fn recording_an_event_for_an_unknown_interview_creates_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let r = record("H1");
    s.record_event(&event(&r, "q1", json!(1)), &r)
        .expect("record");
    assert_eq!(s.interview_count(), 1);
    assert_eq!(s.interviews_of("H1").expect("of").len(), 1);
}

#[test]
fn settings_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = open(dir.path());
        assert_eq!(s.setting("income_line.2023").expect("get"), None);
        s.set_setting("income_line.2023", &json!(4400))
            .expect("set");
        s.set_setting("省份", &json!({"name": "贵州"}))
            .expect("set");
    }
    let s = open(dir.path());
    assert_eq!(
        s.setting("income_line.2023").expect("get"),
        Some(json!(4400))
    );
    assert_eq!(
        s.setting("省份").expect("get"),
        Some(json!({"name": "贵州"}))
    );
    assert_eq!(s.settings().count(), 2);
    assert!(s.remove_setting("省份").expect("remove"));
    assert_eq!(s.setting("省份").expect("get"), None);
}

#[test]
fn a_corrupt_record_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    s.households
        .insert("H1", &b"{not json"[..])
        .expect("insert");
    match s.household("H1") {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "household block H1"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // A good block holding a damaged household.
    s.households
        .insert(
            "H1",
            super::blocks::encode([(&b"H1"[..], &b"\x01\xff"[..])].into_iter()).unwrap(),
        )
        .expect("insert");
    match s.household("H1") {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "household H1"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(
        s.households().next(),
        Some(Err(StoreError::Corrupt { .. }))
    ));
    let r = record("H1");
    s.interviews
        .insert(keys::interview(r.interview_id), &b"[]"[..])
        .expect("insert");
    assert!(matches!(
        s.interview(r.interview_id),
        Err(StoreError::Corrupt { .. })
    ));
    // A save on a corrupt record fails and writes nothing.
    assert!(matches!(
        s.record_event(&event(&r, "q1", json!(1)), &r),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(s.events(r.interview_id).expect("events").is_empty());
}

fn fill(s: &Store) -> Vec<InterviewRecord> {
    s.put_households([zhang_sanfeng(), household("H1"), household("H2")])
        .expect("households");
    let mut records = Vec::new();
    for hh in ["522701000000001", "H1", "H1"] {
        let mut r = record(hh);
        s.create_interview(&r).expect("create");
        for i in 0..5 {
            r.answers = json!({ "q1": i, "name": "张三丰" });
            s.record_event(&event(&r, "q1", json!(i)), &r)
                .expect("record");
            r.events += 1;
        }
        records.push(r);
    }
    s.set_setting(
        crate::sample::SamplePlan::SETTING,
        &json!({"poor_per_village": 4}),
    )
    .expect("set");
    s.put_village_records(&[crate::registry::VillageRecord {
        county: "都匀市".into(),
        township: "墨冲镇".into(),
        village: "桂花村".into(),
        village_type: Some(registry::VillageType::Poor),
        remote: Some(true),
    }])
    .expect("villages");
    s.put_mark(&crate::reconcile::Mark {
        interview_id: records[0].interview_id,
        rule: "wrong_exit_income".into(),
        status: crate::reconcile::MarkStatus::Confirmed,
        comment: "已核实".into(),
        by: "审计员".into(),
        at: at(0),
    })
    .expect("mark");
    // A mark changed: the one in effect and a history of two.
    s.put_mark(&crate::reconcile::Mark {
        interview_id: records[0].interview_id,
        rule: "wrong_exit_income".into(),
        status: crate::reconcile::MarkStatus::Dismissed,
        comment: "复核后排除".into(),
        by: "王审计".into(),
        at: at(1),
    })
    .expect("mark again");
    s.put_sample(&super::sample::tests::sample(
        7,
        &[("H1", crate::sample::Reason::PoorInVillage)],
    ))
    .expect("sample");
    records
}

/// Restore checks that take every record as it is (the store's own checks still apply;
/// the questionnaires' are tested with the workspace).
pub(super) struct Accept;

impl super::RestoreChecks for Accept {
    fn interview(
        &mut self,
        r: InterviewRecord,
        _: Option<&Household>,
    ) -> std::result::Result<InterviewRecord, crate::i18n::Text> {
        Ok(r)
    }

    fn whole(&mut self, _: &Store) -> std::result::Result<(), crate::i18n::Text> {
        Ok(())
    }
}

#[test]
fn export_then_import_into_a_fresh_store_gives_the_same_data() {
    let a_dir = tempfile::tempdir().expect("tempdir");
    let b_dir = tempfile::tempdir().expect("tempdir");
    let a = open(a_dir.path());
    let records = fill(&a);
    let mut backup = Vec::new();
    let counts = a.export_json(&mut backup).expect("export");
    assert_eq!(
        counts,
        BackupCounts {
            households: 3,
            interviews: 3,
            events: 15,
            settings: 1,
            villages: 1,
            marks: 1,
            sample: true,
            mark_history: 2,
            ..BackupCounts::default()
        }
    );
    let text = String::from_utf8(backup.clone()).expect("utf-8");
    assert!(text.contains("张三丰") && text.contains("桂花村"));
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("plain JSON");
    assert_eq!(parsed["format"], BACKUP_FORMAT);

    {
        let b = open(b_dir.path());
        assert_eq!(
            b.import_json(&backup[..], &mut Accept).expect("import"),
            counts
        );
    }
    let b = open(b_dir.path());
    let all = |s: &Store| {
        (
            s.households()
                .collect::<Result<Vec<_>, _>>()
                .expect("households"),
            s.interviews()
                .collect::<Result<Vec<_>, _>>()
                .expect("interviews"),
            s.all_events()
                .collect::<Result<Vec<_>, _>>()
                .expect("events"),
            s.settings()
                .collect::<Result<Vec<_>, _>>()
                .expect("settings"),
            s.village_records().expect("villages"),
            s.marks().expect("marks"),
            s.mark_histories()
                .collect::<Result<Vec<_>, _>>()
                .expect("mark history"),
            s.sample().expect("sample"),
            s.sample_ids().expect("sample index"),
        )
    };
    assert_eq!(all(&a), all(&b));
    assert_eq!(
        a.events
            .iter()
            .keys()
            .collect::<Result<Vec<_>, _>>()
            .expect("keys"),
        b.events
            .iter()
            .keys()
            .collect::<Result<Vec<_>, _>>()
            .expect("keys")
    );
    assert_eq!(b.household_count(), 3);
    assert_eq!(b.interview_count(), 3);
    assert_eq!(b.interviews_of("H1").expect("of").len(), 2);
    for r in &records {
        assert_eq!(b.interview(r.interview_id).expect("get").as_ref(), Some(r));
        assert_eq!(
            b.events(r.interview_id).expect("events"),
            a.events(r.interview_id).expect("events")
        );
    }
    // Restoring twice is refused.
    assert!(matches!(
        b.import_json(&backup[..], &mut Accept),
        Err(StoreError::NotEmpty { .. })
    ));
}

#[test]
fn a_bad_backup_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    for bad in [
        &b"{\"format\":\"something else\"}"[..],
        b"{\"households\":[{\"household_id\":1}]}",
        b"{\"households\":[",
        b"[]",
    ] {
        assert!(
            matches!(
                s.import_json(bad, &mut Accept),
                Err(StoreError::BadBackup { .. })
            ),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let too_new = br#"{"format":"ruhu-store-backup","schema_version":9,"households":[]}"#;
    assert!(matches!(
        s.import_json(&too_new[..], &mut Accept),
        Err(StoreError::TooNew { found: 9, .. })
    ));
}

#[test]
fn reopen_keeps_everything_and_the_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let id = s.device_id().to_string();
    let records = fill(&s);
    let s = s.reopen().expect("reopen");
    assert_eq!(s.device_id(), id);
    assert_eq!(s.household_count(), 3);
    assert_eq!(
        s.interview(records[0].interview_id).expect("get").as_ref(),
        Some(&records[0])
    );
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Locked { .. })
    ));
}

/// What reconciliation reads: (household id, head name of the registry copy, interview id).
fn compacts(s: &Store) -> Vec<(String, Option<String>, Uuid)> {
    s.interview_compacts()
        .map(|item| {
            let (h, bytes) = item.expect("read");
            let c = crate::interview::compact::decode(&bytes).expect("decode");
            (
                c.household_id.to_string(),
                h.map(|h| h.head_name.clone()),
                c.interview_id,
            )
        })
        .collect()
}

#[test]
fn results_and_registry_copies_follow_every_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    s.put_households((0..300).map(|i| household(&format!("H{i:03}"))))
        .expect("households");
    // Interviews of two registered households (one twice) and of one the registry lacks.
    let mut a = record("H010");
    a.result = json!({"answers": {"food_ok": true}, "rosters": {"members": [{"age": 3}]}});
    let b = record("H200");
    let b2 = record("H200");
    let p = record("P-unknown");
    for r in [&a, &b, &b2, &p] {
        s.create_interview(r).expect("interview");
    }
    let got = compacts(&s);
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], ("H010".into(), Some("李四".into()), a.interview_id));
    assert!(
        got[1..3]
            .iter()
            .all(|(h, n, _)| h == "H200" && n.as_deref() == Some("李四"))
    );
    assert_eq!(got[3], ("P-unknown".into(), None, p.interview_id));
    // A single put, a bulk put and a removal reach the copies.
    let mut h = household("H010");
    h.head_name = "王五".into();
    s.put_household(&h).expect("put");
    let ((), _) = s
        .bulk_households(|t| {
            let mut h = household("H200");
            h.head_name = "赵六".into();
            t.put_encoded(&h).expect("put");
            t.put_encoded(&household("H201")).expect("put");
        })
        .expect("bulk");
    let got = compacts(&s);
    assert_eq!(got[0].1.as_deref(), Some("王五"));
    assert_eq!(got[1].1.as_deref(), Some("赵六"));
    assert!(s.remove_household("H010").expect("remove"));
    assert_eq!(compacts(&s)[0].1, None);
    // A household registered after its interview started gets its copy at the next save.
    s.put_household(&household("P-unknown")).expect("put");
    s.record_events(&[], &p).expect("save");
    assert_eq!(compacts(&s)[3].1.as_deref(), Some("李四"));
    // Moving an interview to another household moves its result.
    let mut moved = a.clone();
    moved.household_id = "H201".into();
    s.record_events(&[], &moved).expect("save");
    let got = compacts(&s);
    assert_eq!(got.len(), 4);
    assert!(
        got.iter()
            .any(|(h, _, id)| h == "H201" && *id == a.interview_id)
    );
    assert!(!got.iter().any(|(h, _, _)| h == "H010"));
    // The dictionary codes every id of the results once, and survives a reopen.
    let names = s.result_names();
    assert_eq!(names.len(), 3, "food_ok, age, members");
    // Made again from scratch, the derived trees say the same.
    let before = compacts(&s);
    s.meta.remove(keys::META_DERIVED_VERSION).expect("remove");
    drop(s);
    let s = reopen(dir.path());
    assert_eq!(compacts(&s), before);
    assert_eq!(s.result_names().len(), names.len());
    // A damaged dictionary is made again, with the results, at the next open.
    s.names_tree.remove(0u32.to_be_bytes()).expect("remove");
    s.flush().expect("flush");
    drop(s);
    let s = reopen(dir.path());
    assert_eq!(compacts(&s), before);
    assert_eq!(s.result_names().len(), names.len());
    // A restored backup has them too.
    let mut backup = Vec::new();
    s.export_json(&mut backup).expect("export");
    let dir2 = tempfile::tempdir().expect("tempdir");
    let restored = open(dir2.path());
    restored
        .import_json(&backup[..], &mut Accept)
        .expect("import");
    assert_eq!(compacts(&restored), before);
}

#[test]
fn a_backup_without_villages_marks_or_sample_restores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let old = br#"{"format":"ruhu-store-backup","schema_version":1,"device_id":"d",
        "households":[],"interviews":[],"events":[],"settings":[]}"#;
    assert_eq!(
        s.import_json(&old[..], &mut Accept).expect("import"),
        BackupCounts::default()
    );
    assert_eq!(s.sample().expect("sample"), None);
}

#[test]
fn opening_clears_a_killed_imports_runs_and_an_unfinished_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let s = open(dir.path());
        s.put_household(&household("H1")).unwrap();
        s.flush().unwrap();
    }
    // What a killed import and a full disk leave.
    std::fs::create_dir(dir.path().join(".import-0123")).unwrap();
    std::fs::write(dir.path().join(".import-0123/0.run"), "张三").unwrap();
    std::fs::write(dir.path().join("snap.FFFFFFFFFFFFFFFF.generating"), b"").unwrap();
    let s = reopen(dir.path());
    assert!(s.household("H1").unwrap().is_some());
    assert!(!dir.path().join(".import-0123").exists());
    assert!(!dir.path().join("snap.FFFFFFFFFFFFFFFF.generating").exists());
}

#[test]
fn check_layout_finds_damaged_blocks_and_wrong_counters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    s.put_households((0..100).map(|i| household(&format!("H{i:03}"))))
        .unwrap();
    let (problems, tally) = s.check_layout().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(tally.households, 100);
    // A wrong counter can be repaired.
    s.meta
        .insert(keys::META_HOUSEHOLD_COUNT, &keys::u64_value(7))
        .unwrap();
    let (problems, _) = s.check_layout().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].repairable);
    s.repair_layout().unwrap();
    assert!(s.check_layout().unwrap().0.is_empty());
    assert_eq!(s.household_count(), 100);
    // A damaged block cannot.
    let (k, v) = s.households.iter().next().unwrap().unwrap();
    s.households.insert(k, &v[..v.len() - 3]).unwrap();
    let (problems, _) = s.check_layout().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| !p.repairable && p.what.en.contains("damaged")),
        "{problems:?}"
    );
}

/// The household list's ids and head names, through its query.
fn listed(s: &Store) -> Vec<(String, String)> {
    let list = s.household_list().unwrap();
    let (entries, total) = list.query(None, "", &|_| true, 0, usize::MAX).unwrap();
    assert_eq!(total, entries.len());
    entries
        .into_iter()
        .map(|e| (e.household_id, e.head_name))
        .collect()
}

fn stored(s: &Store) -> Vec<(String, String)> {
    s.households()
        .map(|h| h.map(|h| (h.household_id, h.head_name)).unwrap())
        .collect()
}

#[test]
fn a_bulk_load_leaves_the_household_list_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let file = dir.path().join(list::FILE);
    let partial = dir.path().join("households.list-partial");
    let current = |s: &Store| !s.meta.contains_key(keys::META_LIST_STALE).unwrap();

    // Into an empty store in id order: the list is written as the households go in.
    s.put_households((0..300).map(|i| household(&format!("H{i:04}"))))
        .unwrap();
    assert!(current(&s) && file.is_file() && !partial.exists());
    let made = std::fs::read(&file).unwrap();
    assert_eq!(listed(&s), stored(&s));

    // A few more into a current list: followed one by one, the file is left as it was.
    s.put_households((0..5).map(|i| {
        let mut h = household(&format!("H{:04}", i * 2 + 1));
        h.head_name = format!("王{i}");
        h
    }))
    .unwrap();
    assert!(current(&s));
    assert_eq!(s.list_recent.len(), 5);
    assert_eq!(std::fs::read(&file).unwrap(), made);
    assert_eq!(listed(&s), stored(&s));
    assert!(listed(&s).contains(&("H0003".into(), "王1".into())));

    // More than can be followed, out of order: the file is made again at the end.
    s.put_households((0..5000).rev().map(|i| {
        let mut h = household(&format!("G{i:05}"));
        h.head_name = format!("刘{i}");
        h
    }))
    .unwrap();
    assert!(current(&s) && !partial.exists());
    assert_eq!(s.list_recent.len(), 0);
    assert_ne!(std::fs::read(&file).unwrap(), made);
    assert_eq!(listed(&s).len(), 5300);
    assert_eq!(listed(&s), stored(&s));
}

#[test]
fn an_unordered_load_into_an_empty_store_makes_the_list_at_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    // Out of order, and one id twice (the later one stays).
    let mut ids: Vec<String> = (0..200)
        .map(|i| format!("H{:04}", (i * 37) % 200))
        .collect();
    ids.push("H0007".into());
    s.put_households(ids.iter().enumerate().map(|(n, id)| {
        let mut h = household(id);
        h.head_name = format!("陈{n}");
        h
    }))
    .unwrap();
    assert!(!s.meta.contains_key(keys::META_LIST_STALE).unwrap());
    assert!(!dir.path().join("households.list-partial").exists());
    let shown = listed(&s);
    assert_eq!(shown, stored(&s));
    assert_eq!(shown.len(), 200);
    assert!(shown.contains(&("H0007".into(), "陈200".into())));
}

/// An answer event of this store's device at minute `minute`.
fn own_event(s: &Store, r: &InterviewRecord, q: &str, v: serde_json::Value, minute: u32) -> Event {
    let mut e = event(r, q, v);
    e.device_id = s.device_id().to_string();
    e.seq = 0;
    e.at = at(minute);
    e
}

#[test]
fn own_events_are_numbered_without_gaps_and_listed_by_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = open(dir.path());
    let (a, b) = (record("H1"), record("H2"));
    s.record_events(
        &[
            own_event(&s, &a, "name", json!("王秀英"), 1),
            own_event(&s, &a, "age", json!(40), 2),
        ],
        &a,
    )
    .unwrap();
    // Another device's event, as a bundle brings it, keeps its number.
    let mut theirs = event(&b, "name", json!("李四"));
    theirs.device_id = "laptop-2".into();
    theirs.seq = 7;
    s.record_events(&[own_event(&s, &b, "name", json!("张三"), 3), theirs], &b)
        .unwrap();
    let seqs: Vec<u64> = s
        .all_events()
        .map(|e| e.unwrap())
        .filter(|e| e.device_id == s.device_id())
        .map(|e| e.seq)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    let held = s.device_events().unwrap();
    let mine = held.iter().find(|d| d.device_id == s.device_id()).unwrap();
    assert_eq!(mine.held, vec![devices::SeqRun { first: 1, last: 3 }]);
    assert!(mine.gaps().is_empty());
    let other = held.iter().find(|d| d.device_id == "laptop-2").unwrap();
    assert_eq!(other.gaps(), vec![devices::SeqRun { first: 1, last: 6 }]);
    // Numbering goes on after a reopen.
    drop(s);
    let s = reopen(dir.path());
    s.record_events(&[own_event(&s, &a, "age", json!(41), 4)], &a)
        .unwrap();
    assert_eq!(s.last_seq(s.device_id()).unwrap(), 4);
}

#[test]
fn a_schema_2_store_has_its_events_numbered_and_chained_when_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let device = {
        let s = open(dir.path());
        let a = record("H1");
        // Written out of time order: numbers follow the time they were made.
        s.record_events(
            &[
                own_event(&s, &a, "name", json!("王秀兰"), 5),
                own_event(&s, &a, "name", json!("王秀英"), 1),
                own_event(&s, &a, "age", json!(40), 3),
            ],
            &a,
        )
        .unwrap();
        // As schema 2 left them: no numbers, no bases, no index.
        for kv in s.events.iter() {
            let (k, v) = kv.unwrap();
            let mut e: Event = serde_json::from_slice(&v).unwrap();
            e.seq = 0;
            e.base.clear();
            s.events.insert(k, serde_json::to_vec(&e).unwrap()).unwrap();
        }
        s.by_device.clear().unwrap();
        s.meta
            .insert(keys::META_SCHEMA_VERSION, &2u32.to_be_bytes())
            .unwrap();
        s.flush().unwrap();
        s.device_id().to_string()
    };
    let s = reopen(dir.path());
    assert_eq!(
        s.meta.get(keys::META_SCHEMA_VERSION).unwrap().as_deref(),
        Some(&SCHEMA_VERSION.to_be_bytes()[..])
    );
    let mut events: Vec<Event> = s.all_events().map(|e| e.unwrap()).collect();
    events.sort_by_key(|e| e.seq);
    let made: Vec<(u64, u32)> = events
        .iter()
        .map(|e| (e.seq, chrono::Timelike::minute(&e.at)))
        .collect();
    assert_eq!(made, vec![(1, 1), (2, 3), (3, 5)]);
    // The later name saw the earlier one; the age saw nothing of its cell.
    assert_eq!(events[2].base, vec![events[0].event_id]);
    assert!(events[0].base.is_empty() && events[1].base.is_empty());
    assert!(crate::interview::causal::conflicts(&events).is_empty());
    let held = s.device_events().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].device_id, device);
    assert_eq!(held[0].held, vec![devices::SeqRun { first: 1, last: 3 }]);
}
