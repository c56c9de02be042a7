//! Faults of the machine: a full disk, a read-only (write-protected) folder, a data folder
//! deleted while in use, a store locked by another ruhu or written by a newer one. Each gives
//! a clear message in the user's language, nothing saved before is lost, and nothing unsaved
//! is shown as saved.

mod common;

use std::path::Path;

use common::{Tmpfs, demo_household, ruhu};
use ruhu::registry::Status;
use serde_json::Value;

fn small_answers(dir: &Path) -> String {
    let path = dir.join("answers.json");
    std::fs::write(
        &path,
        r#"{"questionnaire": "exited", "answers": {"interviewer_name": "张秀英"}}"#,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn apply(data: &Path, hh: &str, answers: &str, lang: &str) -> (i32, String, String) {
    ruhu(
        data,
        &[
            "--lang",
            lang,
            "interview",
            "apply",
            "--household",
            hh,
            "--answers",
            answers,
            "--format",
            "json",
        ],
    )
}

fn listed(data: &Path) -> Vec<String> {
    let (code, out, err) = ruhu(data, &["interview", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["interview_id"].as_str().unwrap().to_string())
        .collect()
}

/// Found by a tester: a full disk during `interview apply` left the store unreadable
/// ("数据损坏 … the storage engine found damaged data") once space was freed, 3 times of 3:
/// sled left a zero-length `snap.*.generating`.
#[test]
fn a_full_disk_loses_nothing_and_the_store_opens_again_once_space_is_freed() {
    let Some(fs) = Tmpfs::mount(4096) else { return };
    let work = tempfile::tempdir().unwrap();
    let answers = small_answers(work.path());
    let data = fs.path.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let mut saved: Vec<String> = Vec::new();
    for round in 0..3 {
        fs.fill();
        let mut refused = false;
        for _ in 0..300 {
            let lang = if round == 1 { "en" } else { "zh" };
            let (code, out, err) = apply(&data, &hh, &answers, lang);
            if code == 0 {
                let v: Value = serde_json::from_str(&out).unwrap();
                saved.push(v["interview_id"].as_str().unwrap().to_string());
                continue;
            }
            let expected = if lang == "en" {
                "the disk is full"
            } else {
                "磁盘已满"
            };
            assert!(err.contains(expected), "round {round}: {err}");
            assert!(!err.contains("os error") && !err.contains("Os {"), "{err}");
            refused = true;
            break;
        }
        assert!(refused, "round {round}: the disk never filled");
        fs.free();
        let stored = listed(&data);
        for id in &saved {
            assert!(
                stored.contains(id),
                "round {round}: saved interview {id} lost"
            );
        }
        // The refused apply saved nothing, not even an empty interview.
        assert_eq!(stored.len(), saved.len(), "round {round}");
        let (code, out, err) = apply(&data, &hh, &answers, "zh");
        assert_eq!(code, 0, "round {round}, after freeing space: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        saved.push(v["interview_id"].as_str().unwrap().to_string());
    }
}

/// Found by a tester: a read-only data folder (a write-protected stick) refused even
/// listing, findings and backup, and the message mixed languages.
#[test]
fn a_read_only_folder_opens_for_reading_with_a_notice_and_refuses_writes() {
    let Some(fs) = Tmpfs::mount(8192) else { return };
    let work = tempfile::tempdir().unwrap();
    let answers = small_answers(work.path());
    let data = fs.path.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let (code, out, err) = apply(&data, &hh, &answers, "zh");
    assert_eq!(code, 0, "{err}");
    let id: Value = serde_json::from_str(&out).unwrap();
    let id = id["interview_id"].as_str().unwrap().to_string();
    fs.set_read_only(true);

    let (code, out, err) = ruhu(&data, &["interview", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&id), "{out}");
    assert!(err.contains("只读方式打开"), "{err}");
    assert!(!err.contains("the data folder"), "mixed languages: {err}");
    let (code, _, err) = ruhu(&data, &["--lang", "en", "registry", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("opened for reading"), "{err}");
    for args in [
        &["findings", "--all"][..],
        &["rates"][..],
        &["registry", "villages"][..],
    ] {
        let (code, _, err) = ruhu(&data, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let backup = work.path().join("b.json");
    let (code, _, err) = ruhu(&data, &["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&backup).unwrap().contains(&id));

    // Writing is refused, clearly, and the folder is unchanged.
    let before: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let (code, _, err) = apply(&data, &hh, &answers, "zh");
    assert_eq!(code, 1);
    assert!(err.contains("只读") && err.contains("不能保存"), "{err}");
    let (code, _, err) = ruhu(&data, &["--lang", "en", "demo"]);
    assert_eq!(code, 1);
    assert!(err.contains("read-only"), "{err}");
    let after: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    // No copy is left in the temporary folder.
    fs.set_read_only(false);
    assert_eq!(listed(&data), vec![id]);
}

/// Found by a tester: with the data folder deleted under the running program, four more
/// answers showed "已保存" and everything was gone. The next save must say so.
#[test]
fn a_save_into_a_vanished_folder_is_refused() {
    use ruhu::session::{Forms, Workspace};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let forms = Forms::from_report(ruhu::questionnaire::load_bundled()).unwrap();
    let ws = Workspace::open(&data, forms).unwrap();
    ws.load_households(ruhu::demo::generate_iter(&Default::default()))
        .unwrap();
    let h = ws.household(&demo_household(Status::Exited)).unwrap();
    let mut s = ws.start(&h, "李调查").unwrap();
    let change = s.interview.input("interviewer_name", "张秀英").unwrap();
    s.save(&ws, &change).unwrap();

    std::fs::remove_dir_all(&data).unwrap();
    let change = s.interview.input("interviewer_name", "王五").unwrap();
    let e = s.save(&ws, &change).unwrap_err();
    assert!(
        matches!(e, ruhu::store::StoreError::Vanished { .. }),
        "{e:?}"
    );
    assert!(
        e.message().zh.contains("被删除或移走"),
        "{}",
        e.message().zh
    );
    // The engine went back to what was saved.
    assert_eq!(
        s.interview.answer("interviewer_name"),
        Some(&ruhu::interview::Answer::Text("张秀英".into()))
    );

    // A folder moved away (renamed) is noticed the same way.
    let data2 = dir.path().join("data2");
    let ws = Workspace::open(
        &data2,
        Forms::from_report(ruhu::questionnaire::load_bundled()).unwrap(),
    )
    .unwrap();
    ws.load_households(ruhu::demo::generate_iter(&Default::default()))
        .unwrap();
    let mut s = ws.start(&h, "李调查").unwrap();
    std::fs::rename(&data2, dir.path().join("moved")).unwrap();
    let change = s.interview.input("interviewer_name", "张秀英").unwrap();
    assert!(matches!(
        s.save(&ws, &change),
        Err(ruhu::store::StoreError::Vanished { .. })
    ));
}

#[test]
fn a_locked_store_is_refused_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let held = ruhu::store::Store::open(&data).unwrap();
    let (code, _, err) = ruhu(&data, &["interview", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("正被另一个 ruhu 使用"), "{err}");
    let (code, _, err) = ruhu(&data, &["--lang", "en", "interview", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("in use by another ruhu"), "{err}");
    drop(held);
    assert_eq!(ruhu(&data, &["interview", "list"]).0, 0);
}

/// A full disk in the middle of a restore or an import: a clear message, the restore undone
/// (the folder empty, the backup restorable once there is space), the import marked
/// unfinished and finished by running it again.
#[test]
fn a_full_disk_during_restore_or_import_is_said_and_recovered_from() {
    let Some(fs) = Tmpfs::mount(6144) else { return };
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    assert_eq!(ruhu(&source, &["demo", "--households", "3000"]).0, 0);
    let backup = work.path().join("b.json");
    assert_eq!(ruhu(&source, &["backup", backup.to_str().unwrap()]).0, 0);
    let csv = work.path().join("县.csv");
    assert_eq!(
        ruhu(
            &source,
            &[
                "demo",
                "--households",
                "3000",
                "--csv",
                csv.to_str().unwrap()
            ]
        )
        .0,
        0
    );

    // Restore onto a disk that fills up on the way.
    let data = fs.path.join("data");
    assert_eq!(ruhu(&data, &["interview", "list"]).0, 0);
    let ballast = fs.path.join("ballast");
    {
        // Leave about 300 KiB: the store takes more than that.
        use std::io::Write;
        let mut f = std::fs::File::create(&ballast).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        drop(f);
        let len = std::fs::metadata(&ballast).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&ballast)
            .unwrap()
            .set_len(len.saturating_sub(300 * 1024))
            .unwrap();
    }
    let (code, _, err) = ruhu(&data, &["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("磁盘已满"), "{err}");
    std::fs::remove_file(&ballast).unwrap();
    let (code, out, err) = ruhu(&data, &["registry", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "[\n]", "the refused restore left data");
    let (code, _, err) = ruhu(&data, &["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(ruhu(&data, &["verify"]).0, 0);

    // An import into a new folder on a disk that fills up on the way.
    let data2 = fs.path.join("data2");
    assert_eq!(ruhu(&data2, &["interview", "list"]).0, 0);
    fs.fill();
    let (code, _, err) = ruhu(&data2, &["registry", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("磁盘已满"), "{err}");
    fs.free();
    std::fs::remove_dir_all(&data).unwrap();
    let (code, _, err) = ruhu(&data2, &["verify"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ruhu(&data2, &["registry", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, _, err) = ruhu(&data2, &["interview", "list"]);
    assert!(!err.contains("没有完成"), "{err}");
}

/// A store written by a newer ruhu is refused in the user's language, and left alone.
#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    {
        let db = sled::open(&data).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema_version", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let (code, _, err) = ruhu(&data, &["interview", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("较新版本") && err.contains("99"), "{err}");
    let (code, _, err) = ruhu(&data, &["--lang", "en", "registry", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("newer ruhu"), "{err}");
}
