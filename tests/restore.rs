//! Backups and restores: a restore is whole or nothing, trusts nothing in the file (results
//! recomputed, every value checked), can be retried after any failure; a backup is written
//! whole or not at all, and can be encrypted with a passphrase. `ruhu verify` checks the
//! store against its events and repairs what can be repaired.

mod common;

use std::path::{Path, PathBuf};

use common::walk::answer_file;
use common::{Tmpfs, demo_household, ruhu};
use ruhu::registry::Status;
use serde_json::Value;

/// A data folder with the demo county, two completed interviews and a mark; its backup.
fn filled(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    for (kind, status) in [("exited", Status::Exited), ("poor", Status::Poor)] {
        let file = answer_file(dir, kind);
        let (code, _, err) = ruhu(
            &data,
            &[
                "interview",
                "apply",
                "--household",
                &demo_household(status),
                "--answers",
                file.to_str().unwrap(),
                "--complete",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let backup = dir.join("backup.json");
    let (code, _, err) = ruhu(&data, &["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    (data, backup)
}

fn listing(data: &Path) -> (String, String) {
    let (_, households, _) = ruhu(
        data,
        &["registry", "list", "--format", "json", "--show-ids"],
    );
    let (_, interviews, _) = ruhu(data, &["interview", "list", "--format", "json"]);
    (households, interviews)
}

fn restore(data: &Path, file: &Path) -> (i32, String, String) {
    ruhu(data, &["restore", file.to_str().unwrap()])
}

/// The data folder holds nothing (as before a refused restore).
fn assert_empty(data: &Path) {
    let (h, i) = listing(data);
    assert_eq!(h.trim(), "[\n]", "households left: {h}");
    assert_eq!(i.trim(), "[]", "interviews left: {i}");
}

/// Found by a tester: a truncated backup, a duplicate household or a newer-version backup
/// whose version field comes last left part of the data in place, and a retry was refused
/// ("只能把备份恢复到空文件夹").
#[test]
fn a_refused_restore_leaves_nothing_and_can_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let (source, backup) = filled(dir.path());
    let text = std::fs::read_to_string(&backup).unwrap();
    let target = dir.path().join("target");
    let bad = dir.path().join("bad.json");
    let mut cases: Vec<(String, String, &str)> = Vec::new();
    for cut in [text.len() / 10, text.len() / 2, text.len() - 3] {
        cases.push((
            format!("cut at {cut}"),
            text[..text.floor_char_boundary(cut)].to_string(),
            "不完整",
        ));
    }
    // The first household twice.
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut dup = v.clone();
    let first = dup["households"][0].clone();
    dup["households"].as_array_mut().unwrap().push(first);
    cases.push(("duplicate household".into(), dup.to_string(), "出现了两次"));
    // A newer version, its field last.
    let mut obj = v.as_object().unwrap().clone();
    obj.remove("schema_version");
    let mut newer = serde_json::to_string(&obj).unwrap();
    newer.truncate(newer.len() - 1);
    newer.push_str(",\"schema_version\":99}");
    cases.push(("newer version last".into(), newer, "较新版本"));
    cases.push(("{}".into(), "{}".into(), "不是 ruhu 的备份"));
    for (what, bytes, expected) in &cases {
        std::fs::write(&bad, bytes).unwrap();
        let (code, out, err) = restore(&target, &bad);
        assert_eq!(code, 1, "{what}: {out}{err}");
        assert!(err.contains(expected), "{what}: {err}");
        assert!(
            err.contains("没有恢复任何内容") || err.contains("较新版本"),
            "{what}: {err}"
        );
        assert_empty(&target);
    }
    // The whole backup then restores into the same folder.
    let (code, _, err) = restore(&target, &backup);
    assert_eq!(code, 0, "{err}");
    assert_eq!(listing(&target), listing(&source));
    let (code, out, _) = ruhu(&target, &["verify"]);
    assert_eq!(code, 0, "{out}");
}

fn edited(backup: &Path, dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(backup).unwrap()).unwrap();
    edit(&mut v);
    let path = dir.join("edited.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

/// Found by a tester: an edited `result` became finding evidence while `interview show`
/// recomputed another value; `household_size` 9999 or `"four"` was accepted; settings such
/// as `income_line: "abc"` were accepted.
#[test]
fn a_restore_trusts_nothing_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (source, backup) = filled(dir.path());
    // An edited result is recomputed.
    let file = edited(&backup, dir.path(), |v| {
        for r in v["interviews"].as_array_mut().unwrap() {
            r["result"]["income_per_capita"] = serde_json::json!(99999999);
        }
    });
    let target = dir.path().join("t1");
    let (code, _, err) = restore(&target, &file);
    assert_eq!(code, 0, "{err}");
    let (_, a, _) = ruhu(&source, &["findings", "--all", "--format", "json"]);
    let (_, b, _) = ruhu(&target, &["findings", "--all", "--format", "json"]);
    assert_eq!(a, b);
    assert!(!b.contains("99999999"));
    assert_eq!(ruhu(&target, &["verify"]).0, 0);

    type Edit = Box<dyn Fn(&mut Value)>;
    let refused: Vec<(&str, Edit, &str)> = vec![
        (
            "household_size 9999",
            Box::new(|v| v["households"][0]["household_size"] = serde_json::json!(9999)),
            "household_size",
        ),
        (
            "answer \"four\"",
            Box::new(|v| {
                v["interviews"][0]["answers"]["answers"]["household_size"] =
                    serde_json::json!("four")
            }),
            "household_size",
        ),
        (
            "income_line \"abc\"",
            Box::new(|v| {
                v["settings"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({"key": "income_line", "value": "abc"}))
            }),
            "未知的设置 income_line",
        ),
        (
            "a bad sample plan",
            Box::new(|v| {
                v["settings"].as_array_mut().unwrap().push(
                    serde_json::json!({"key": "sample_plan", "value": {"poor_villages": "three"}}),
                )
            }),
            "sample_plan",
        ),
        (
            "an answer the events do not give",
            Box::new(|v| {
                v["interviews"][0]["answers"]["answers"]["interviewer_name"] =
                    serde_json::json!("别人")
            }),
            "不一致",
        ),
        (
            "an event of an interview that is not there",
            Box::new(|v| {
                let mut e = v["events"][0].clone();
                e["interview_id"] = serde_json::json!(uuid::Uuid::new_v4());
                v["events"].as_array_mut().unwrap().push(e);
            }),
            "不存在的调查",
        ),
        (
            "an ID number with a wrong check digit",
            Box::new(|v| {
                let id = v["households"][0]["head_id_number"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let last = if id.ends_with('0') { '1' } else { '0' };
                let bad = format!("{}{last}", &id[..17]);
                v["households"][0]["head_id_number"] = serde_json::json!(bad);
            }),
            "head_id_number",
        ),
    ];
    for (what, edit, expected) in refused {
        let file = edited(&backup, dir.path(), edit);
        let target = dir.path().join(format!("t-{}", what.len()));
        let (code, out, err) = restore(&target, &file);
        assert_eq!(code, 1, "{what}: {out}{err}");
        assert!(err.contains(expected), "{what}: {err}");
        assert_empty(&target);
    }
}

#[test]
fn an_encrypted_backup_restores_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = filled(dir.path());
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, "村里的口令 2017\n").unwrap();
    let sealed = dir.path().join("backup.age");
    let (code, _, err) = ruhu(
        &source,
        &[
            "backup",
            sealed.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    let names = ruhu::demo::generate(&Default::default());
    let head = names[0].head_name.as_bytes();
    assert!(
        !bytes.windows(head.len()).any(|w| w == head),
        "plaintext in the file"
    );

    let target = dir.path().join("target");
    // Without a passphrase (no terminal here), with a wrong one: refused, nothing restored.
    let (code, _, err) = restore(&target, &sealed);
    assert_eq!(code, 1);
    assert!(err.contains("需要口令"), "{err}");
    let wrong = dir.path().join("wrong.txt");
    std::fs::write(&wrong, "不是这个").unwrap();
    let (code, _, err) = ruhu(
        &target,
        &[
            "restore",
            sealed.to_str().unwrap(),
            "--passphrase-file",
            wrong.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("口令不对"), "{err}");
    assert_empty(&target);
    // An altered file is refused.
    let mut altered = bytes.clone();
    let i = altered.len() / 2;
    altered[i] ^= 0x40;
    let bad = dir.path().join("altered.age");
    std::fs::write(&bad, &altered).unwrap();
    let (code, _, err) = ruhu(
        &target,
        &[
            "restore",
            bad.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("被改动"), "{err}");
    assert_empty(&target);
    let (code, _, err) = ruhu(
        &target,
        &[
            "restore",
            sealed.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(listing(&target), listing(&source));
}

/// Found by a tester: on a full disk `backup b.json` left `b.json` truncated to 4 KB (it
/// wrote in place).
#[test]
fn a_failed_backup_leaves_the_previous_one_whole() {
    let Some(fs) = Tmpfs::mount(1024) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (data, backup) = filled(dir.path());
    let previous = std::fs::read(&backup).unwrap();
    assert!(previous.len() > 200_000, "{}", previous.len());
    let on_stick = fs.path.join("b.json");
    std::fs::write(&on_stick, &previous[..previous.len().min(700_000)]).unwrap();
    let kept = std::fs::read(&on_stick).unwrap();
    fs.fill();
    let (code, _, err) = ruhu(&data, &["backup", on_stick.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("磁盘已满"), "{err}");
    assert_eq!(
        std::fs::read(&on_stick).unwrap(),
        kept,
        "the previous backup changed"
    );
    let left: Vec<_> = std::fs::read_dir(&fs.path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|n| !n.ends_with(".partial")), "{left:?}");
}

#[test]
fn verify_finds_a_record_that_differs_from_its_events_and_repair_mends_it() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = filled(dir.path());
    let (code, out, _) = ruhu(&data, &["verify", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sound"], true);
    assert_eq!(v["interviews"], 2);
    // Change a record behind the events' back.
    {
        let store = ruhu::store::Store::open(&data).unwrap();
        let mut r = store.interviews().next().unwrap().unwrap();
        r.answers["answers"]["interviewer_name"] = serde_json::json!("改过的");
        r.result = serde_json::json!({});
        store.rewrite_record(&r).unwrap();
    }
    let (code, out, _) = ruhu(&data, &["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("保存的答案与答题记录合成的不一致"), "{out}");
    assert!(out.contains("保存的结果与重新计算的不一致"), "{out}");
    let (code, out, _) = ruhu(&data, &["verify", "--repair", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["repaired"]["sound"], true);
    assert_eq!(
        v["repaired"]["rewritten_interviews"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (code, _, _) = ruhu(&data, &["verify"]);
    assert_eq!(code, 0);
}

/// A backup carries each event's number and base and each record's skips and review; a
/// backup of schema 2 (events without numbers or bases) still restores, its events
/// numbered and chained as a store of schema 2 is when it is opened.
#[test]
fn backups_carry_the_causality_of_events_and_older_backups_still_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backup) = filled(dir.path());
    let (_, list, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    let list: Value = serde_json::from_str(&list).unwrap();
    let id = list[0]["interview_id"].as_str().unwrap().to_string();
    let (code, _, err) = ruhu(&data, &["review", "return", &id, "--comment", "再访"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ruhu(&data, &["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 3);
    let events = v["events"].as_array().unwrap();
    assert!(events.iter().all(|e| e["seq"].as_u64().unwrap() > 0));
    assert!(
        events
            .iter()
            .any(|e| e["base"].as_array().is_some_and(|b| !b.is_empty()))
    );
    assert!(events.iter().any(|e| e["op"] == "review"));

    // Restored: the same interviews, the review in effect, a sound store.
    let again = dir.path().join("again");
    let (code, _, err) = restore(&again, &backup);
    assert_eq!(code, 0, "{err}");
    assert_eq!(listing(&again), listing(&data));
    let (code, out, err) = ruhu(&again, &["verify", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");

    // As schema 2 wrote it: no numbers, no bases, no review.
    let old = edited(&backup, dir.path(), |v| {
        v["schema_version"] = 2.into();
        let events = v["events"].as_array_mut().unwrap();
        events.retain(|e| e["op"] != "review");
        for e in events.iter_mut() {
            let e = e.as_object_mut().unwrap();
            e.remove("seq");
            e.remove("base");
        }
        let mut per: std::collections::HashMap<String, u64> = Default::default();
        for e in events.iter() {
            *per.entry(e["interview_id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        for r in v["interviews"].as_array_mut().unwrap() {
            let r = r.as_object_mut().unwrap();
            r.remove("review");
            r["status"] = "completed".into();
            let n = per[r["interview_id"].as_str().unwrap()];
            r["events"] = n.into();
        }
    });
    let older = dir.path().join("older");
    let (code, _, err) = restore(&older, &old);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = ruhu(&older, &["verify", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let backup2 = dir.path().join("backup2.json");
    let (code, _, err) = ruhu(&older, &["backup", backup2.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v2: Value = serde_json::from_str(&std::fs::read_to_string(&backup2).unwrap()).unwrap();
    let events = v2["events"].as_array().unwrap();
    let mut seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=events.len() as u64).collect::<Vec<_>>(),
        "numbered without gaps"
    );
    assert!(
        events
            .iter()
            .any(|e| e["base"].as_array().is_some_and(|b| !b.is_empty()))
    );
}
