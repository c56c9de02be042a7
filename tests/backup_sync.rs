//! Backups of a store that answer bundles have reached, through the real binary: the
//! interviews held aside for a questionnaire the store lacks, what was sent to each
//! recipient, the events' numbers by device and what the team lead decided (review, the
//! visit that counts, questions skipped) all come back with a restore, so the restored store
//! goes on as the first would have. Backups written before these existed still restore.

mod common;

use std::path::{Path, PathBuf};

use common::walk::answer_file;
use common::{On, applied_id, dump, laptop, questionnaires_with_version, ruhu, run_json};
use ruhu::registry::Status;
use serde_json::{Value, json};

/// Households of the demo registry of a status (the same in every data folder: same seed).
fn households(status: Status, n: usize) -> Vec<String> {
    common::demo_households(status, n)
}

fn export(data: &Path, out: &Path, to: &str, extra: &[&str]) -> Value {
    let mut args = vec!["sync", "export", "--out", out.to_str().unwrap(), "--to", to];
    args.extend_from_slice(extra);
    run_json(data, &args)
}

fn import(data: &Path, file: &Path) -> Value {
    let r = run_json(data, &["sync", "import", file.to_str().unwrap()]);
    assert_eq!(r[0]["accepted"], true, "{r}");
    r[0].clone()
}

fn backup_and_restore(root: &Path, data: &Path, name: &str) -> (PathBuf, Value) {
    let backup = root.join(format!("{name}.json"));
    let counts = run_json(data, &["backup", backup.to_str().unwrap()]);
    let restored = root.join(name);
    let again = run_json(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(again, {
        let mut c = counts.clone();
        c["file"] = again["file"].clone();
        c
    });
    (restored, counts)
}

/// The events held of each device (the index by device), as the store reads it.
fn device_events(data: &Path) -> Vec<(String, Vec<(u64, u64)>)> {
    let store = ruhu::store::Store::open(data).unwrap();
    store
        .device_events()
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                d.device_id,
                d.held.iter().map(|r| (r.first, r.last)).collect(),
            )
        })
        .collect()
}

fn assert_sound(data: &Path, extra: &[&str]) {
    let mut args = extra.to_vec();
    args.push("verify");
    let (code, out, err) = ruhu(data, &args);
    assert_eq!(code, 0, "verify: {out}{err}");
}

#[test]
fn a_restored_lead_sends_nothing_twice_and_applies_what_was_held_once_the_questionnaire_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let forms = questionnaires_with_version(root, "exited", "2099.1");
    let forms = forms.to_str().unwrap();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    let exited = households(Status::Exited, 1);
    let poor = households(Status::Poor, 1);
    let exited_file = answer_file(root, "exited");
    let poor_file = answer_file(root, "poor");
    // Laptop A runs a newer exited questionnaire: its interview is held aside at the lead.
    let with_forms = ["--questionnaires", forms, "--complete"];
    let held_id = applied_id(&a, On::Household(&exited[0]), &exited_file, &with_forms);
    let poor_id = applied_id(&a, On::Household(&poor[0]), &poor_file, &with_forms);
    let fa = root.join("a.ruhu");
    export(&a, &fa, "lead", &["--questionnaires", forms]);
    let r = import(&lead, &fa);
    assert_eq!(r["interviews_new"], 1, "{r}");
    assert_eq!(r["held"][0]["interview_id"], held_id.as_str(), "{r}");

    // The lead visits the poor household too and chooses its own visit, returns A's with a
    // comment, and passes a question of its own interview on purpose.
    let own = applied_id(&lead, On::Household(&poor[0]), &poor_file, &["--complete"]);
    run_json(&lead, &["sync", "choose", &own]);
    run_json(
        &lead,
        &["review", "return", &poor_id, "--comment", "收入要再核实"],
    );
    {
        let ws = ruhu::session::Workspace::open(&lead, ruhu::session::Forms::bundled().unwrap())
            .unwrap();
        let mut s = ws.resume(own.parse().unwrap()).unwrap();
        let skip = ruhu::interview::Skipped {
            question_id: "policies_named".into(),
            row: None,
        };
        s.mark_skipped(&ws, &skip, true).unwrap();
    }
    // What the lead sends the county is marked; a second export has nothing new.
    let fl = root.join("lead.ruhu");
    let sent = export(&lead, &fl, "county", &[]);
    assert_eq!(sent["written"], true);
    assert!(sent["events"].as_u64().unwrap() > 100, "{sent}");
    assert_eq!(
        export(&lead, &root.join("again.ruhu"), "county", &[])["written"],
        false
    );

    let (restored, counts) = backup_and_restore(root, &lead, "restored");
    assert_eq!(counts["held"], 1, "{counts}");
    assert_eq!(counts["sent"], 1, "{counts}: to the county");
    let before = dump(&lead);
    assert_eq!(dump(&restored), before);
    // The log of bundles imported comes back as it was.
    let log = run_json(&lead, &["sync", "imports"]);
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(run_json(&restored, &["sync", "imports"]), log);
    assert_eq!(counts["imports"], 1);
    assert_eq!(before["held"][0]["interview_id"], held_id.as_str());
    assert!(!before["held"][0]["events"].as_array().unwrap().is_empty());
    assert!(
        before["sent"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["recipient"] == "county")
    );
    // The records keep what the lead decided.
    let record = |id: &str| {
        before["interviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["interview_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(record(&poor_id)["status"], "returned");
    assert_eq!(record(&poor_id)["review"]["comment"], "收入要再核实");
    assert!(record(&own)["chosen"].is_object(), "{}", record(&own));
    assert_eq!(
        record(&own)["skipped"],
        json!([{"question_id": "policies_named"}])
    );
    // The events keep their numbers and bases, and the index by device is the same.
    let events = before["events"].as_array().unwrap();
    assert!(events.iter().all(|e| e["seq"].as_u64().unwrap() > 0));
    assert_eq!(device_events(&restored), device_events(&lead));
    assert_eq!(device_events(&lead).len(), 2, "A's laptop and the lead's");
    assert_sound(&restored, &[]);

    // Nothing is sent twice to the county; a new recipient gets the same from both.
    let none = export(&restored, &root.join("r-county.ruhu"), "county", &[]);
    assert_eq!(none["written"], false, "{none}");
    let from_lead = export(&lead, &root.join("l-other.ruhu"), "other", &[]);
    let from_restored = export(&restored, &root.join("r-other.ruhu"), "other", &[]);
    for field in ["events", "interviews", "households", "ranges"] {
        assert_eq!(from_restored[field], from_lead[field], "{field}");
    }
    // A change made after the restore is all that goes to the county.
    let change = root.join("change.json");
    std::fs::write(
        &change,
        json!({"questionnaire": "poor", "answers": {"respondent_name": "王秀兰"}}).to_string(),
    )
    .unwrap();
    applied_id(&restored, On::Interview(&own), &change, &[]);
    let next = export(&restored, &root.join("r-county2.ruhu"), "county", &[]);
    assert_eq!(next["written"], true);
    assert_eq!(next["interviews"], 1, "{next}");
    assert!(next["events"].as_u64().unwrap() <= 3, "{next}");

    // With the questionnaire, the held interview is applied on both.
    for data in [&lead, &restored] {
        let r = run_json(data, &["--questionnaires", forms, "sync", "import"]);
        assert_eq!(r[0]["interviews_new"], 1, "{r}");
        assert_eq!(r[0]["held"], json!([]));
        assert_sound(data, &["--questionnaires", forms]);
    }
    let list = |d: &Path| {
        let list = run_json(d, &["--questionnaires", forms, "interview", "list"]);
        let mut ids: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["interview_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert!(list(&restored).contains(&held_id));
    assert_eq!(list(&restored), list(&lead));
}

/// A backup as ruhu wrote it before backups carried what answer bundles add (no `held`,
/// `sent`, `index_clashes` or `imports`): it restores, and the next backup has them, empty.
#[test]
fn a_backup_written_before_the_bundle_arrays_still_restores() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/backup/schema3_before_bundle_arrays.json");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let old: Value = serde_json::from_str(&text).unwrap();
    for absent in ["held", "sent", "index_clashes", "imports"] {
        assert!(old.get(absent).is_none(), "{absent}");
    }
    let data = dir.path().join("data");
    let counts = run_json(&data, &["restore", fixture.to_str().unwrap()]);
    assert_eq!(counts["households"], 3);
    assert_eq!(counts["interviews"], 1);
    assert_eq!(counts["events"], 9);
    assert_eq!(
        (counts["held"].clone(), counts["sent"].clone()),
        (json!(0), json!(0))
    );
    assert_sound(&data, &[]);
    let now = dump(&data);
    assert_eq!(now["held"], json!([]));
    assert_eq!(now["sent"], json!([]));
    assert_eq!(now["index_clashes"], json!([]));
    assert_eq!(run_json(&data, &["sync", "imports"]), json!([]));
    // Everything the old backup held is there as it was.
    let mut was = old.clone();
    was.as_object_mut().unwrap().remove("device_id");
    for field in [
        "households",
        "interviews",
        "settings",
        "villages",
        "marks",
        "sample",
    ] {
        assert_eq!(now[field], was[field], "{field}");
    }
    let mut events = was["events"].as_array().unwrap().clone();
    events.sort_by(|a, b| a["event_id"].as_str().cmp(&b["event_id"].as_str()));
    assert_eq!(now["events"], json!(events));
    // The restored store exports its events with the numbers they had.
    let out = dir.path().join("all.ruhu");
    let e = export(&data, &out, "lead", &[]);
    assert_eq!(e["events"], 9);
}

/// A bundle answered with a questionnaire of the same id and version as the receiver's but
/// other content (an edited file) is imported with the receiver's copy and reported, naming
/// the questionnaire; the same questionnaire on both sides reports nothing.
#[test]
fn a_questionnaire_that_differs_under_the_same_version_is_reported_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let exited = households(Status::Exited, 1);
    let file = answer_file(root, "exited");
    applied_id(&a, On::Household(&exited[0]), &file, &["--complete"]);
    let bundle = root.join("a.ruhu");
    export(&a, &bundle, "lead", &[]);

    let same = laptop(root, "same");
    let r = import(&same, &bundle);
    assert_eq!(r["forms_differ"], serde_json::json!([]), "{r}");

    // The lead's copy of the exited questionnaire has another title, the same version.
    let forms = common::questionnaires_edited(root, "edited", "exited", |v| {
        v["title"]["zh"] = serde_json::json!("脱贫户调查表（改过的）")
    });
    let lead = laptop(root, "lead");
    let forms = forms.to_str().unwrap();
    let r = run_json(
        &lead,
        &[
            "sync",
            "import",
            bundle.to_str().unwrap(),
            "--questionnaires",
            forms,
        ],
    );
    assert_eq!(r[0]["accepted"], true, "{r}");
    assert_eq!(r[0]["interviews_new"], 1, "{r}");
    assert_eq!(r[0]["forms_differ"][0]["id"], "exited", "{r}");
    assert_eq!(r[0]["forms_differ"].as_array().unwrap().len(), 1, "{r}");
    let (code, out, err) = ruhu(
        &lead,
        &[
            "sync",
            "import",
            bundle.to_str().unwrap(),
            "--questionnaires",
            forms,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("问卷不同") && out.contains("（改过的）"),
        "the title, {out}"
    );
}
