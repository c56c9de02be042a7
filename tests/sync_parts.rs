//! A bundle larger than one transaction's part (5,000 events) is applied in parts and gives
//! the same store as the laptop that wrote it; imported again, nothing changes. Through the
//! library, with whole interviews entered as `ruhu interview apply` enters them.

mod common;

use common::walk;
use ruhu::session::{ExportOptions, Forms, Workspace, enter_answers};
use ruhu::sync::bundle::{Key, Seal};
use serde_json::{Value, json};

/// Records (without what is local to a laptop) and events, in id order.
fn state(ws: &Workspace) -> Value {
    let mut out = Vec::new();
    for r in ws.interview_results() {
        let r = ws.interview(r.unwrap().interview_id).unwrap().unwrap();
        let mut ids: Vec<String> = ws
            .events(r.interview_id)
            .unwrap()
            .iter()
            .map(|e| e.event_id.to_string())
            .collect();
        ids.sort();
        let mut v = serde_json::to_value(&r).unwrap();
        for local in ["cursor", "updated_at", "completed_at"] {
            v.as_object_mut().unwrap().remove(local);
        }
        out.push(json!({"record": v, "events": ids}));
    }
    json!(out)
}

#[test]
fn a_bundle_of_several_parts_gives_the_laptops_store() {
    let dir = tempfile::tempdir().unwrap();
    let forms = Forms::bundled().unwrap();
    let laptop = Workspace::open(&dir.path().join("laptop"), forms.clone()).unwrap();
    let form = walk::forms()
        .into_iter()
        .find(|f| f.id == "non_poor")
        .unwrap();
    let answers = walk::walk(form).answers().clone();
    let mut events = 0;
    for i in 0..70 {
        let h = laptop.new_household(&format!("王{i}"), "桂花村").unwrap();
        let mut s = laptop.start_unsaved(&h, "调查员").unwrap();
        let changes = enter_answers(&mut s.interview, &answers).unwrap();
        assert!(s.save_all(&laptop, &changes, true).unwrap().is_empty());
        events += s.record.events;
    }
    assert!(events > 5_000, "{events} events: one part only");
    let file = dir.path().join("all.ruhu");
    let opts = ExportOptions {
        to: Some("lead".into()),
        all: false,
        seal: Seal::None,
        device_name: "laptop".into(),
    };
    let r = laptop.export_bundle(&file, &opts).unwrap();
    assert_eq!(r.interviews, 70);
    assert_eq!(r.households, 70);

    let lead = Workspace::open(&dir.path().join("lead"), forms).unwrap();
    let got = lead.import_bundle(&file, &Key::None);
    assert!(got.accepted, "{:?}", got.error);
    assert_eq!(got.interviews_new, 70);
    assert_eq!(got.events_new as u64, events);
    assert!(lead.unfinished().unwrap().is_none());
    assert_eq!(state(&lead), state(&laptop));
    assert!(lead.verify().unwrap().is_sound());
    assert_eq!(lead.household_count(), 70);
    let again = lead.import_bundle(&file, &Key::None);
    assert_eq!(again.interviews_unchanged, 70);
    assert_eq!(again.events_new, 0);
    assert_eq!(state(&lead), state(&laptop));
}
