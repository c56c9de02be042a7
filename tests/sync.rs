//! `ruhu sync`: answer bundles between laptops, through the real binary. Two laptops and a
//! team lead (separate data folders, each with the same demo registry), bundles carried as
//! files; stores compared by a full dump (the JSON backup with the store's own device id
//! removed and the events in event-id order).

mod common;

use std::path::{Path, PathBuf};

use common::walk::answer_file;
use common::{laptop, ruhu, run_json};
use serde_json::{Value, json};

/// Exited households of the demo registry (the same in every data folder).
fn exited(n: usize) -> Vec<String> {
    common::demo_households(ruhu::registry::Status::Exited, n)
}

/// Enters a whole exited interview of household `hh` (completed); its id.
fn interview(root: &Path, data: &Path, hh: &str) -> String {
    let file = answer_file(root, "exited");
    let v = run_json(
        data,
        &[
            "interview",
            "apply",
            "--household",
            hh,
            "--answers",
            file.to_str().unwrap(),
            "--complete",
            "--interviewer",
            "李调查",
        ],
    );
    v["interview_id"].as_str().unwrap().to_string()
}

/// Changes answers of a stored interview.
fn change(root: &Path, data: &Path, id: &str, answers: Value, who: &str) {
    let file = root.join(format!("change-{}.json", uuid::Uuid::new_v4()));
    let body = json!({"questionnaire": "exited", "answers": answers});
    std::fs::write(&file, body.to_string()).unwrap();
    run_json(
        data,
        &[
            "interview",
            "apply",
            "--interview",
            id,
            "--answers",
            file.to_str().unwrap(),
            "--interviewer",
            who,
        ],
    );
}

fn export(data: &Path, out: &Path, to: &str) -> Value {
    run_json(
        data,
        &["sync", "export", "--out", out.to_str().unwrap(), "--to", to],
    )
}

/// Imports bundles: the exit code and the reports.
fn import(data: &Path, files: &[&Path], extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args: Vec<&str> = vec!["sync", "import"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(extra);
    args.extend(["--format", "json"]);
    let (code, out, err) = ruhu(data, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v.as_array().unwrap().clone())
}

fn import_ok(data: &Path, files: &[&Path]) -> Vec<Value> {
    let (code, reports) = import(data, files, &[]);
    assert_eq!(code, 0, "{reports:?}");
    reports
}

/// The whole store as a canonical value: the backup without what is the store's own (its
/// device id, what it sent, its log of imports), events in event-id order.
fn dump(data: &Path) -> Value {
    let file = data.with_extension(format!("dump-{}.json", uuid::Uuid::new_v4()));
    let (code, out, err) = ruhu(data, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    // What the store sent and the bundles it imported are its own, like its device id.
    for own in ["device_id", "sent", "imports"] {
        v.as_object_mut().unwrap().remove(own);
    }
    let events = v["events"].as_array_mut().unwrap();
    events.sort_by(|a, b| a["event_id"].as_str().cmp(&b["event_id"].as_str()));
    v
}

fn conflicts(data: &Path) -> Vec<Value> {
    run_json(data, &["sync", "conflicts"])
        .as_array()
        .unwrap()
        .clone()
}

fn answer(data: &Path, id: &str, q: &str) -> Value {
    run_json(data, &["interview", "show", id])["answers"]["answers"][q].clone()
}

fn assert_sound(data: &Path) {
    let (code, out, err) = ruhu(data, &["verify"]);
    assert_eq!(code, 0, "verify: {out}{err}");
}

#[test]
fn two_laptops_merged_in_either_order_and_relayed_give_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let b = laptop(root, "b");
    let hh = exited(3);
    let a1 = interview(root, &a, &hh[0]);
    interview(root, &a, &hh[1]);
    // B visits the second household too (a duplicate visit), and a third.
    interview(root, &b, &hh[1]);
    interview(root, &b, &hh[2]);
    let fa = root.join("a.ruhu");
    let fb = root.join("b.ruhu");
    let ea = export(&a, &fa, "lead");
    assert_eq!(ea["written"], true);
    assert_eq!(ea["interviews"], 2);
    assert_eq!(ea["ranges"].as_array().unwrap().len(), 1, "{ea}");
    export(&b, &fb, "lead");

    let c = laptop(root, "c");
    let d = laptop(root, "d");
    let rc = import_ok(&c, &[&fa, &fb]);
    let rd = import_ok(&d, &[&fb, &fa]);
    assert_eq!(rc[0]["interviews_new"], 2);
    assert_eq!(rc[1]["interviews_new"], 2);
    assert!(rc[0]["events_new"].as_u64().unwrap() > 50);
    // The second bundle makes household 2 a duplicate visit.
    assert_eq!(rc[0]["duplicates"], json!([]));
    assert_eq!(rc[1]["duplicates"][0]["household_id"], hh[1].as_str());
    assert_eq!(
        rd[1]["duplicates"][0]["interviews"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    for r in rc.iter().chain(&rd) {
        assert_eq!(r["accepted"], true);
        assert_eq!(r["error"], Value::Null);
        assert_eq!(r["gaps"], json!([]));
        assert_eq!(r["conflicts"], json!([]));
        for field in [
            "file",
            "accepted",
            "interviews_new",
            "interviews_updated",
            "interviews_unchanged",
            "events_new",
            "conflicts",
            "duplicates",
            "held",
            "gaps",
            "error",
        ] {
            assert!(r.get(field).is_some(), "{field} missing in {r}");
        }
    }
    let merged = dump(&c);
    assert_eq!(merged, dump(&d), "the order of imports changed the store");
    assert_eq!(merged["interviews"].as_array().unwrap().len(), 4);
    assert_sound(&c);
    // The imported record is the laptop's: same answers, status and result.
    let on_a = run_json(&a, &["interview", "show", &a1]);
    let on_c = run_json(&c, &["interview", "show", &a1]);
    for f in [
        "answers",
        "result",
        "status",
        "events",
        "household_id",
        "started_at",
    ] {
        assert_eq!(on_a[f], on_c[f], "{f}");
    }
    // Its times are those of its events: the completion's, the latest event's.
    let log = on_c["log"].as_array().unwrap();
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(at(&on_c["completed_at"]), at(&log.last().unwrap()["at"]));
    let events = dump(&c)["events"].clone();
    let latest = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["interview_id"] == a1.as_str())
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .max()
        .unwrap();
    let updated =
        chrono::DateTime::parse_from_rfc3339(on_c["updated_at"].as_str().unwrap()).unwrap();
    assert_eq!(updated, latest);

    // Relayed lead → county: the same state as the lead's.
    let e = laptop(root, "e");
    let fc = root.join("c.ruhu");
    let ec = export(&c, &fc, "county");
    assert_eq!(
        ec["ranges"].as_array().unwrap().len(),
        2,
        "both laptops' events relayed"
    );
    import_ok(&e, &[&fc]);
    assert_eq!(dump(&e), merged);
    // Nothing new for the county: no file.
    let again = export(&c, &root.join("c2.ruhu"), "county");
    assert_eq!(again["written"], false);
    assert!(!root.join("c2.ruhu").exists());
    // Another recipient is sent everything.
    assert_eq!(export(&c, &root.join("c3.ruhu"), "other")["interviews"], 4);
}

#[test]
fn a_second_import_of_a_bundle_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let hh = exited(2);
    interview(root, &a, &hh[0]);
    interview(root, &a, &hh[1]);
    let fa = root.join("a.ruhu");
    export(&a, &fa, "lead");
    let c = laptop(root, "c");
    let first = import_ok(&c, &[&fa]);
    assert_eq!(first[0]["interviews_new"], 2);
    let before = dump(&c);
    let second = import_ok(&c, &[&fa, &fa]);
    for r in &second {
        assert_eq!(r["interviews_new"], 0);
        assert_eq!(r["interviews_updated"], 0);
        assert_eq!(r["interviews_unchanged"], 2);
        assert_eq!(r["events_new"], 0);
    }
    assert_eq!(dump(&c), before);
    // A laptop importing its own bundle back changes nothing either.
    let before_a = dump(&a);
    let own = import_ok(&a, &[&fa]);
    assert_eq!(own[0]["interviews_unchanged"], 2);
    assert_eq!(dump(&a), before_a);
}

#[test]
fn a_concurrent_edit_is_one_conflict_and_a_resolution_at_the_lead_closes_it_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let b = laptop(root, "b");
    let lead = laptop(root, "lead");
    let hh = exited(1);
    let id = interview(root, &a, &hh[0]);
    let f0 = root.join("a0.ruhu");
    export(&a, &f0, "b");
    import_ok(&b, &[&f0]);
    // Both laptops change the same answers without seeing each other: one to different
    // values (B changes it twice, ending on the value it had), one to the same value.
    change(
        root,
        &a,
        &id,
        json!({"food_ok": false, "house_rating": "C"}),
        "王甲",
    );
    change(root, &b, &id, json!({"food_ok": false}), "李乙");
    change(
        root,
        &b,
        &id,
        json!({"food_ok": true, "house_rating": "C"}),
        "李乙",
    );
    let fa = root.join("a1.ruhu");
    let fb = root.join("b1.ruhu");
    export(&a, &fa, "lead");
    export(&b, &fb, "lead");
    let reports = import_ok(&lead, &[&fa, &fb]);
    assert_eq!(reports[0]["conflicts"], json!([]));
    assert_eq!(reports[1]["conflicts"].as_array().unwrap().len(), 1);

    let open = conflicts(&lead);
    assert_eq!(open.len(), 1, "{open:?}");
    let c = &open[0];
    assert_eq!(c["cell"], "answer");
    assert_eq!(c["question_id"], "food_ok");
    assert_eq!(c["household_id"], hh[0].as_str());
    assert_eq!(c["interview_id"], id.as_str());
    assert!(c["question"].as_str().unwrap().contains("不愁吃"), "{c}");
    let sides = c["sides"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    let shown: Vec<&str> = sides.iter().map(|s| s["shown"].as_str().unwrap()).collect();
    assert!(shown.contains(&"是") && shown.contains(&"否"), "{shown:?}");
    assert_eq!(c["shown_side"], 2);
    // One side from each laptop.
    assert_ne!(sides[0]["device_id"], sides[1]["device_id"]);
    for side in sides {
        for f in [
            "event_id",
            "op",
            "value",
            "interviewer",
            "at",
            "device_id",
            "side",
        ] {
            assert!(side.get(f).is_some(), "{f} missing in {side}");
        }
    }
    // The lead shows the fold's winner, the last side; the same-value edit is no conflict.
    assert_eq!(answer(&lead, &id, "food_ok"), sides[1]["value"]);
    assert_eq!(answer(&lead, &id, "house_rating"), "C");
    // English labels with --lang en.
    let (_, out, _) = ruhu(&lead, &["--lang", "en", "sync", "conflicts"]);
    assert!(out.contains("yes") && out.contains("no"), "{out}");

    // A value the questionnaire refuses is refused, and nothing is written.
    let cid = c["id"].as_str().unwrap();
    let (code, _, err) = ruhu(&lead, &["sync", "resolve", cid, "--value", "也许"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(conflicts(&lead).len(), 1);

    // The lead takes side 1.
    let want = sides[0]["value"].clone();
    let r = run_json(
        &lead,
        &[
            "sync",
            "resolve",
            cid,
            "--take",
            "1",
            "--interviewer",
            "组长",
        ],
    );
    assert_eq!(r["value"], want);
    assert!(conflicts(&lead).is_empty());
    assert_eq!(answer(&lead, &id, "food_ok"), want);
    assert_sound(&lead);

    // The resolution travels back to both laptops and closes the conflict there.
    let la = root.join("lead-a.ruhu");
    let lb = root.join("lead-b.ruhu");
    let ra = export(&lead, &la, "a");
    assert_eq!(ra["ranges"].as_array().unwrap().len(), 3, "{ra}");
    export(&lead, &lb, "b");
    let got_a = import_ok(&a, &[&la]);
    assert_eq!(got_a[0]["conflicts"], json!([]));
    import_ok(&b, &[&lb]);
    for laptop in [&a, &b] {
        assert!(conflicts(laptop).is_empty());
        assert_eq!(answer(laptop, &id, "food_ok"), want);
        assert_sound(laptop);
    }
    // Nothing was deleted: every side is still in the log of each store.
    let events_lead = dump(&lead)["events"].as_array().unwrap().len();
    assert_eq!(dump(&a)["events"].as_array().unwrap().len(), events_lead);
    assert_eq!(dump(&b)["events"].as_array().unwrap().len(), events_lead);
}

#[test]
fn a_resolution_with_a_value_of_its_own_is_checked_and_shown_by_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let b = laptop(root, "b");
    let hh = exited(1);
    let id = interview(root, &a, &hh[0]);
    let f0 = root.join("a0.ruhu");
    export(&a, &f0, "b");
    import_ok(&b, &[&f0]);
    change(root, &a, &id, json!({"house_structure": "wood"}), "王甲");
    change(root, &b, &id, json!({"house_structure": "stone"}), "李乙");
    let fb = root.join("b1.ruhu");
    export(&b, &fb, "a");
    import_ok(&a, &[&fb]);
    let open = conflicts(&a);
    assert_eq!(open.len(), 1);
    let cid = open[0]["id"].as_str().unwrap().to_string();
    // Choices are shown by their labels, never by their names.
    for s in open[0]["sides"].as_array().unwrap() {
        let shown = s["shown"].as_str().unwrap();
        assert_ne!(shown, s["value"].as_str().unwrap(), "{s}");
    }
    let (code, _, err) = ruhu(&a, &["sync", "resolve", &cid, "--value", "no_such_choice"]);
    assert_eq!(code, 1);
    assert!(err.contains("no_such_choice"), "{err}");
    let r = run_json(&a, &["sync", "resolve", &cid, "--value", "brick_wood"]);
    assert_eq!(r["value"], "brick_wood");
    assert!(conflicts(&a).is_empty());
    // The id stays the same until resolved, and is gone after.
    let (code, _, _) = ruhu(&a, &["sync", "resolve", &cid, "--take", "1"]);
    assert_eq!(code, 1);
    assert_sound(&a);
}

/// Writes `bytes` to a new file of `root` named `name`.
fn write(root: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = root.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn damaged_wrong_key_newer_and_foreign_files_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let hh = exited(2);
    interview(root, &a, &hh[0]);
    let good = root.join("good.ruhu");
    export(&a, &good, "x");
    interview(root, &a, &hh[1]);
    let pass = write(root, "pass.txt", b"richtig\n");
    let wrong = write(root, "wrong.txt", b"falsch\n");
    let sealed = root.join("sealed.ruhu");
    run_json(
        &a,
        &[
            "sync",
            "export",
            "--out",
            sealed.to_str().unwrap(),
            "--to",
            "y",
            "--all",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&good).unwrap();
    let mut altered = bytes.clone();
    let at = bytes.len() / 2;
    altered[at] = if altered[at] == b'1' { b'2' } else { b'1' };
    let altered = write(root, "altered.ruhu", &altered);
    let truncated = write(root, "truncated.ruhu", &bytes[..bytes.len() - 20]);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let newer = write(
        root,
        "newer.ruhu",
        text.replacen("{\"ruhu_bundle\":1}", "{\"ruhu_bundle\":2}", 1)
            .as_bytes(),
    );
    let foreign = write(root, "notes.json", b"{\"hello\": 1}\n");

    let c = laptop(root, "c");
    let before = dump(&c);
    for (file, extra, says) in [
        (&altered, vec![], ""),
        (&truncated, vec![], ""),
        (&newer, vec![], "2"),
        (&foreign, vec![], ""),
        (
            &sealed,
            vec!["--passphrase-file", wrong.to_str().unwrap()],
            "",
        ),
        (&sealed, vec![], ""),
    ] {
        let (code, reports) = import(&c, &[file], &extra);
        assert_eq!(code, 1, "{file:?} {reports:?}");
        assert_eq!(reports.len(), 1);
        let r = &reports[0];
        assert_eq!(r["accepted"], false);
        assert_eq!(r["events_new"], 0);
        let why = r["error"].as_str().unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(why.contains(name), "{why} does not name {name}");
        assert!(why.contains(says), "{why}");
        assert_eq!(dump(&c), before, "{file:?} changed the store");
    }
    // The text form says it too, in English with --lang en.
    let (code, out, _) = ruhu(
        &c,
        &[
            "--lang",
            "en",
            "sync",
            "import",
            truncated.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("not imported") && out.contains("truncated.ruhu"),
        "{out}"
    );
    // A refused bundle does not stop the others.
    let (code, reports) = import(&c, &[&truncated, &good], &[]);
    assert_eq!(code, 1);
    assert_eq!(reports[0]["accepted"], false);
    assert_eq!(reports[1]["accepted"], true);
    assert_eq!(reports[1]["interviews_new"], 1);
    // The right passphrase opens the sealed one.
    let (code, reports) = import(
        &c,
        &[&sealed],
        &["--passphrase-file", pass.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{reports:?}");
    assert_eq!(reports[0]["interviews_new"], 1);
    assert_eq!(reports[0]["interviews_unchanged"], 1);
}

#[test]
fn a_bundle_sealed_to_a_recipient_opens_with_its_identity_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    let identity = root.join("lead.key");
    let k = run_json(
        &lead,
        &["sync", "keygen", "--out", identity.to_str().unwrap()],
    );
    let recipient = k["recipient"].as_str().unwrap().to_string();
    assert!(recipient.starts_with("age1"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&identity).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // An identity is never overwritten.
    let (code, _, _) = ruhu(
        &lead,
        &["sync", "keygen", "--out", identity.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let other = root.join("other.key");
    run_json(&lead, &["sync", "keygen", "--out", other.to_str().unwrap()]);

    interview(root, &a, &exited(1)[0]);
    let f = root.join("sealed.ruhu");
    run_json(
        &a,
        &[
            "sync",
            "export",
            "--out",
            f.to_str().unwrap(),
            "--recipient",
            &recipient,
        ],
    );
    assert!(!std::fs::read(&f).unwrap().starts_with(b"{\"ruhu_bundle\""));
    let (code, r) = import(&lead, &[&f], &["--identity", other.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(r[0]["accepted"], false);
    let (code, r) = import(&lead, &[&f], &["--identity", identity.to_str().unwrap()]);
    assert_eq!(code, 0, "{r:?}");
    assert_eq!(r[0]["interviews_new"], 1);
}

#[test]
fn a_gap_is_reported_until_the_missing_bundle_arrives_and_is_relayed_later() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    let county = laptop(root, "county");
    let hh = exited(2);
    interview(root, &a, &hh[0]);
    let f1 = root.join("a1.ruhu");
    let e1 = export(&a, &f1, "lead");
    interview(root, &a, &hh[1]);
    let f2 = root.join("a2.ruhu");
    let e2 = export(&a, &f2, "lead");
    let last1 = e1["ranges"][0]["last"].as_u64().unwrap();
    assert_eq!(e2["ranges"][0]["first"].as_u64().unwrap(), last1 + 1);
    let device = e1["ranges"][0]["device_id"].as_str().unwrap().to_string();

    // The second bundle first: the first one's numbers are missing.
    let r = import_ok(&lead, &[&f2]);
    assert_eq!(
        r[0]["gaps"],
        json!([{"device_id": device, "first": 1, "last": last1}])
    );
    let (_, out, _) = ruhu(&lead, &["sync", "import", f2.to_str().unwrap()]);
    assert!(
        out.contains(&format!("设备 {device}：1–{last1} 尚未收到")),
        "{out}"
    );
    // The lead relays what it has, then receives the rest and relays that too.
    let c1 = root.join("lead1.ruhu");
    let r1 = export(&lead, &c1, "county");
    assert_eq!(r1["ranges"][0]["first"].as_u64().unwrap(), last1 + 1);
    let r = import_ok(&lead, &[&f1]);
    assert_eq!(r[0]["gaps"], json!([]));
    let c2 = root.join("lead2.ruhu");
    let r2 = export(&lead, &c2, "county");
    assert_eq!(
        r2["ranges"],
        json!([{"device_id": device, "first": 1, "last": last1}])
    );
    let got = import_ok(&county, &[&c1]);
    assert_eq!(got[0]["gaps"][0]["last"].as_u64().unwrap(), last1);
    let got = import_ok(&county, &[&c2]);
    assert_eq!(got[0]["gaps"], json!([]));
    assert_eq!(dump(&county), dump(&lead));
}

#[test]
fn interviews_of_a_questionnaire_the_store_lacks_are_held_and_applied_once_it_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let forms = common::questionnaires_with_version(root, "exited", "2099.1");
    let forms = forms.to_str().unwrap();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    let county = laptop(root, "county");
    let file = answer_file(root, "exited");
    let hh = exited(1);
    let v = run_json(
        &a,
        &[
            "--questionnaires",
            forms,
            "interview",
            "apply",
            "--household",
            &hh[0],
            "--answers",
            file.to_str().unwrap(),
            "--complete",
        ],
    );
    let id = v["interview_id"].as_str().unwrap().to_string();
    let fa = root.join("a.ruhu");
    let e = run_json(
        &a,
        &[
            "--questionnaires",
            forms,
            "sync",
            "export",
            "--out",
            fa.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&fa).unwrap();
    assert!(text.contains("\"version\":\"2099.1\""), "{}", &text[..600]);
    assert!(text.contains("\"hash\":\""), "the questionnaire's hash");
    let carried = e["events"].as_u64().unwrap();

    // The lead runs the bundled questionnaires (2017.1): the interview is held aside.
    let r = import_ok(&lead, &[&fa]);
    assert_eq!(r[0]["interviews_new"], 0);
    let held = r[0]["held"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{r:?}");
    assert_eq!(held[0]["interview_id"], id.as_str());
    assert_eq!(held[0]["questionnaire_version"], "2099.1");
    assert_eq!(held[0]["events"].as_u64().unwrap(), carried);
    assert!(held[0]["reason"].as_str().unwrap().contains("2099.1"));
    assert_eq!(run_json(&lead, &["interview", "list"]), json!([]));
    // Held twice is held once.
    let r = import_ok(&lead, &[&fa]);
    assert_eq!(r[0]["held"][0]["events"].as_u64().unwrap(), carried);
    // Held events travel on: the county holds them too.
    let fl = root.join("lead.ruhu");
    let relayed = export(&lead, &fl, "county");
    assert_eq!(relayed["events"].as_u64().unwrap(), carried);
    assert_eq!(relayed["interviews"], 1);
    let r = import_ok(&county, &[&fl]);
    assert_eq!(r[0]["held"].as_array().unwrap().len(), 1);
    // Without a file and still without the questionnaire: still held.
    let r = run_json(&lead, &["sync", "import"]);
    assert_eq!(r[0]["file"], Value::Null);
    assert_eq!(r[0]["interviews_new"], 0);
    // With the questionnaire: applied.
    let r = run_json(&lead, &["--questionnaires", forms, "sync", "import"]);
    assert_eq!(r[0]["interviews_new"], 1, "{r}");
    assert_eq!(r[0]["events_new"].as_u64().unwrap(), carried);
    assert_eq!(r[0]["held"], json!([]));
    let list = run_json(&lead, &["--questionnaires", forms, "interview", "list"]);
    assert_eq!(list[0]["interview_id"], id.as_str());
    assert_eq!(list[0]["status"], "completed");
    let (code, out, err) = ruhu(&lead, &["--questionnaires", forms, "verify"]);
    assert_eq!(code, 0, "{out}{err}");
    // Nothing is held any more.
    let (_, out, _) = ruhu(&lead, &["--questionnaires", forms, "sync", "import"]);
    assert!(out.contains("没有暂存"), "{out}");
    // The county applies it at its next import with the questionnaire, bundle or not.
    let r = import(&county, &[&fa], &["--questionnaires", forms]).1;
    assert_eq!(r[0]["interviews_new"], 1);
    assert_eq!(r[0]["interviews_unchanged"], 0);
}

#[test]
fn events_with_implausible_clocks_are_applied_and_flagged() {
    use ruhu::sync::bundle::{Key, Seal, read_file, write_file};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    interview(root, &a, &exited(1)[0]);
    let fa = root.join("a.ruhu");
    export(&a, &fa, "lead");
    let (header, mut body) = read_file(&fa, &Key::None).unwrap();
    let old = chrono::DateTime::parse_from_rfc3339("1970-01-01T08:00:00+08:00").unwrap();
    let future = chrono::Local::now().fixed_offset() + chrono::Duration::days(400);
    for (i, e) in body.events.iter_mut().enumerate() {
        e.at = if i % 2 == 0 { old } else { future };
    }
    let forged = root.join("clocks.ruhu");
    write_file(&forged, &header, &body, &Seal::None).unwrap();
    let c = laptop(root, "c");
    let r = import_ok(&c, &[&forged]);
    assert_eq!(r[0]["interviews_new"], 1);
    assert_eq!(
        r[0]["clocks"].as_array().unwrap().len(),
        body.events.len(),
        "every event flagged"
    );
    assert_sound(&c);
}
