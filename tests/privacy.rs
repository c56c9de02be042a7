//! The privacy of households: every file ruhu writes is owner-only whatever the umask, and
//! no full ID number appears in any output made without `--show-ids` (the terminal, JSON,
//! exports, reject reasons, auditors' comments).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::walk::answer_file;
use common::{demo_household, ruhu};
use ruhu::registry::Status;
use serde_json::Value;

/// Runs the binary under umask 022 (files any local user could read, if ruhu followed it).
fn ruhu_umask_022(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_ruhu"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run ruhu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and folder under `p` (and `p` itself).
fn all_paths(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_path_buf()];
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            out.extend(all_paths(&e.unwrap().path()));
        }
    }
    out
}

/// A registry file with one good row and one with a wrong check digit.
fn registry_with_a_bad_id(dir: &Path) -> (PathBuf, String) {
    let bad = "532326194909155481";
    let path = dir.join("登记.csv");
    std::fs::write(
        &path,
        format!(
            "户编号,户主姓名,证件号码,家庭人口数,脱贫状态,行政村\n\
             H-0001,张三,53232619490915548X,3,未脱贫,桂花村\n\
             H-0002,李四,{bad},2,未脱贫,桂花村\n"
        ),
    )
    .unwrap();
    (path, bad.to_string())
}

#[test]
fn everything_ruhu_writes_is_owner_only_under_umask_022() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let o = |name: &str| out.join(name).to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let (code, stdout, err) = ruhu_umask_022(&data, args);
        assert!(code == 0 || code == 3, "{args:?}: {stdout}{err}");
    };
    run(&["demo"]);
    let answers = answer_file(dir.path(), "exited");
    let hh = demo_household(Status::Exited);
    run(&[
        "interview",
        "apply",
        "--household",
        &hh,
        "--answers",
        answers.to_str().unwrap(),
        "--complete",
    ]);
    run(&["backup", &o("备份.json")]);
    run(&["findings", "--out", &o("findings.csv")]);
    run(&["findings", "--out", &o("findings.xlsx")]);
    run(&["rates", "--format", "csv", "--out", &o("rates.csv")]);
    run(&["sample", "--seed", "3", "--out", &o("sample.csv")]);
    run(&["sample", "--show", "--out", &o("sample.xlsx")]);
    run(&["demo", "--households", "20", "--csv", &o("demo.csv")]);
    let (bad_file, _) = registry_with_a_bad_id(&out);
    run(&["registry", "import", bad_file.to_str().unwrap()]);
    assert!(out.join("登记.rejects.csv").exists());

    let mut checked = 0;
    for p in all_paths(&data).into_iter().chain(
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p != &bad_file),
    ) {
        assert_eq!(mode(&p) & 0o077, 0, "{} is {:o}", p.display(), mode(&p));
        checked += 1;
    }
    assert!(checked >= 12, "{checked}");
    assert_eq!(mode(&data), 0o700);
}

/// Every ID number of the demo county and of the answer files.
fn every_id_number(answers: &[PathBuf]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for h in ruhu::demo::generate(&Default::default()) {
        ids.push(h.head_id_number.clone());
        ids.extend(h.members.iter().map(|m| m.id_number.clone()));
    }
    for a in answers {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(a).unwrap()).unwrap();
        for row in v["rosters"]["members"].as_array().into_iter().flatten() {
            if let Some(id) = row["values"]["id_number"].as_str() {
                ids.push(id.to_string());
            }
        }
    }
    ids.retain(|id| id.len() == 18);
    ids.sort();
    ids.dedup();
    ids
}

/// The texts of every cell of a workbook.
fn xlsx_text(path: &Path) -> String {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut text = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                text.push_str(&c.to_string());
                text.push('\t');
            }
            text.push('\n');
        }
    }
    text
}

#[test]
fn no_full_id_number_appears_in_any_output_without_show_ids() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let exited = answer_file(dir.path(), "exited");
    let poor = answer_file(dir.path(), "poor");
    let ids = every_id_number(&[exited.clone(), poor.clone()]);
    assert!(ids.len() > 300, "{}", ids.len());

    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut run = |args: &[&str]| -> String {
        let (code, stdout, err) = ruhu(&data, args);
        assert!(code == 0 || code == 3, "{args:?}: {stdout}{err}");
        outputs.push((format!("{args:?}"), format!("{stdout}{err}")));
        stdout
    };
    let mut interview_ids = Vec::new();
    for (file, status) in [(&exited, Status::Exited), (&poor, Status::Poor)] {
        let hh = demo_household(status);
        let v = run(&[
            "interview",
            "apply",
            "--household",
            &hh,
            "--answers",
            file.to_str().unwrap(),
            "--complete",
            "--format",
            "json",
        ]);
        let v: Value = serde_json::from_str(&v).unwrap();
        interview_ids.push(v["interview_id"].as_str().unwrap().to_string());
    }
    let findings: Value =
        serde_json::from_str(&run(&["findings", "--all", "--format", "json"])).unwrap();
    let first = &findings[0];
    // An auditor writes an ID number into a comment.
    run(&[
        "mark",
        "--interview",
        first["interview_id"].as_str().unwrap(),
        "--rule",
        first["rule"].as_str().unwrap(),
        "--confirm",
        "--comment",
        &format!("户主证件号 {} 与登记不一致", ids[0]),
    ]);
    let o = |name: &str| out.join(name).to_str().unwrap().to_string();
    for args in [
        &["registry", "list"][..],
        &["registry", "list", "--format", "json"][..],
        &["registry", "villages", "--format", "json"][..],
        &["interview", "list", "--format", "json"][..],
        &["interview", "show", &interview_ids[0]][..],
        &["interview", "show", &interview_ids[1], "--format", "json"][..],
        &["findings", "--all"][..],
        &["findings", "--all", "--format", "json"][..],
        &["findings", "--all", "--format", "csv"][..],
        &["findings", "--all", "--out", &o("f.csv")][..],
        &["findings", "--all", "--out", &o("f.xlsx")][..],
        &["findings", "--all", "--out", &o("f.json")][..],
        &["rates", "--format", "json"][..],
        &["sample", "--seed", "5", "--format", "json"][..],
    ] {
        run(args);
    }
    // Reject reasons name the bad ID number: on the terminal, in JSON and in the rejects
    // file's reason column.
    let (bad_file, bad) = registry_with_a_bad_id(&out);
    let mut ids = ids;
    ids.push(bad.clone());
    for format in ["text", "json"] {
        run(&[
            "registry",
            "import",
            bad_file.to_str().unwrap(),
            "--format",
            format,
        ]);
    }
    let rejects = std::fs::read_to_string(out.join("登记.rejects.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(rejects.trim_start_matches('\u{feff}').as_bytes());
    let reasons: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().get(1).unwrap().to_string())
        .collect();
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("5323**********5481"), "{}", reasons[0]);
    outputs.push(("rejects reason".into(), reasons.join("\n")));
    for name in ["f.csv", "f.json"] {
        outputs.push((
            name.into(),
            std::fs::read_to_string(out.join(name)).unwrap(),
        ));
    }
    outputs.push(("f.xlsx".into(), xlsx_text(&out.join("f.xlsx"))));

    for (what, text) in &outputs {
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{what} shows {id}");
        }
    }
    // The masked form is there (the check above could fail), and --show-ids shows them.
    assert!(outputs.iter().any(|(_, t)| t.contains("**********")));
    let (_, full, _) = ruhu(
        &data,
        &["registry", "list", "--format", "json", "--show-ids"],
    );
    assert!(ids.iter().filter(|id| full.contains(id.as_str())).count() > 100);
}
