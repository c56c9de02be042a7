//! Files for spreadsheets and the terminal: formula injection neutralised in every CSV ruhu
//! writes, identifiers kept as text through open-and-save (LibreOffice itself, when it is
//! installed: CI installs it), the rejects file's "fix and import again" round trip, and
//! escape sequences from data kept off the terminal.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::ruhu;
use serde_json::Value;

const FORMULAS: [&str; 5] = [
    "=cmd|'/c calc'!A1",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "=HYPERLINK(\"x\")",
];

/// A poor village of five poor households whose heads' names are formulas, and two rows
/// with a wrong check digit.
fn hostile_registry(dir: &Path) -> PathBuf {
    let mut text =
        String::from("户编号,户主姓名,证件号码,家庭人口数,脱贫状态,县,乡镇,行政村,村属性\n");
    for (i, name) in FORMULAS.iter().enumerate() {
        let name = name.replace('"', "\"\"");
        text.push_str(&format!(
            "00{},\"{name}\",,3,未脱贫,演示县,清溪乡,桂花村,贫困村\n",
            532326001000 + i
        ));
    }
    // Wrong check digits (the right ones are 5 and X).
    text.push_str(
        "0053232600200001,\"=1+1\",532326197709232175,2,未脱贫,演示县,清溪乡,桂花村,贫困村\n",
    );
    text.push_str(
        "0053232600200002,王五,532326194909155481,2,未脱贫,演示县,清溪乡,桂花村,贫困村\n",
    );
    let path = dir.join("registry.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn cells(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn no_bare_formula(path: &Path) {
    for row in cells(path) {
        for c in row {
            assert!(
                !matches!(c.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) || c == "-",
                "{}: a bare formula cell {c:?}",
                path.display()
            );
        }
    }
}

/// Found by a tester: `sample --out s.csv` wrote `=cmd|'/c calc'!A1`, `+1+1` and `-2+3` bare,
/// and so did the rejects file.
#[test]
fn formulas_are_neutralised_in_the_sample_and_the_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = hostile_registry(dir.path());
    let (code, out, err) = ruhu(&data, &["registry", "import", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{out}{err}");
    let sample = dir.path().join("s.csv");
    let (code, _, err) = ruhu(
        &data,
        &["sample", "--seed", "1", "--out", sample.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let rows = cells(&sample);
    for name in FORMULAS {
        assert!(
            rows.iter().any(|r| r[2] == format!("'{name}")),
            "{name} not in the sample as text: {rows:?}"
        );
    }
    // 户编号 with leading zeros stay text.
    assert!(
        rows[1..].iter().all(|r| r[1].starts_with("'00")),
        "{rows:?}"
    );
    no_bare_formula(&sample);
    let rejects = dir.path().join("registry.rejects.csv");
    no_bare_formula(&rejects);
    let rows = cells(&rejects);
    assert_eq!(rows[1][3], "'=1+1");
    assert_eq!(rows[1][4], "'532326197709232175");
    // Findings and rates exports go through the same writer.
    let findings = dir.path().join("f.csv");
    assert_eq!(
        ruhu(
            &data,
            &["findings", "--all", "--out", findings.to_str().unwrap()]
        )
        .0,
        0
    );
    no_bare_formula(&findings);
}

/// Fixes the two bad ID numbers of the rejects file as a person would (the cell text only).
fn fix_ids(text: &str) -> String {
    text.replace("532326197709232175", "532326197709232173")
        .replace("532326194909155481", "53232619490915548X")
}

fn list(data: &Path) -> Vec<Value> {
    let (code, out, err) = ruhu(
        data,
        &["registry", "list", "--format", "json", "--show-ids"],
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Found by a tester: the rejects file wrote 证件号码 bare, so opening and saving it in a
/// spreadsheet turned them into `5.32326E+17`, and the documented "fix and import again"
/// rejected every row.
#[test]
fn the_rejects_file_fixed_and_imported_again_brings_the_rows_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = hostile_registry(dir.path());
    assert_eq!(
        ruhu(&data, &["registry", "import", file.to_str().unwrap()]).0,
        3
    );
    let rejects = dir.path().join("registry.rejects.csv");
    let fixed = dir.path().join("fixed.csv");
    std::fs::write(&fixed, fix_ids(&std::fs::read_to_string(&rejects).unwrap())).unwrap();
    let (code, out, err) = ruhu(&data, &["registry", "import", fixed.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let all = list(&data);
    assert_eq!(all.len(), 7);
    let h = all
        .iter()
        .find(|h| h["household_id"] == "0053232600200001")
        .unwrap();
    assert_eq!(h["head_name"], "=1+1");
    assert_eq!(h["head_id_number"], "532326197709232173");
}

/// LibreOffice with the import settings of a fresh user: open the CSV, save it as CSV.
fn libreoffice_round_trip(input: &Path, out_dir: &Path) -> Option<PathBuf> {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        assert!(
            std::env::var_os("RUHU_REQUIRE_LIBREOFFICE").is_none(),
            "LibreOffice is not installed (RUHU_REQUIRE_LIBREOFFICE is set)"
        );
        eprintln!("skipped: LibreOffice is not installed");
        return None;
    };
    let profile = out_dir.join("profile");
    let status = Command::new(soffice)
        .env("HOME", out_dir)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .arg("--headless")
        .arg("--infilter=CSV:44/59/9,34,76,1,,0,false,false,true,false,false,0,false")
        .arg("--convert-to")
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false")
        .arg("--outdir")
        .arg(out_dir)
        .arg(input)
        .output()
        .expect("run LibreOffice");
    assert!(status.status.success(), "{status:?}");
    Some(out_dir.join(input.file_name().unwrap()))
}

#[test]
fn the_rejects_file_survives_open_and_save_in_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = hostile_registry(dir.path());
    assert_eq!(
        ruhu(&data, &["registry", "import", file.to_str().unwrap()]).0,
        3
    );
    let saved_dir = dir.path().join("saved");
    std::fs::create_dir(&saved_dir).unwrap();
    let Some(saved) = libreoffice_round_trip(&dir.path().join("registry.rejects.csv"), &saved_dir)
    else {
        return;
    };
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains("E+17"), "{text}");
    let fixed = dir.path().join("fixed.csv");
    std::fs::write(&fixed, fix_ids(&text)).unwrap();
    let (code, out, err) = ruhu(&data, &["registry", "import", fixed.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let all = list(&data);
    assert_eq!(all.len(), 7);
    assert!(
        all.iter()
            .any(|h| h["head_id_number"] == "53232619490915548X")
    );
    assert!(all.iter().any(|h| h["head_name"] == "=1+1"));
}

/// Found by a tester: a 户主姓名 of `\x1b]0;PWN\x07张` or `\x1b[2J王` retitled or cleared the
/// terminal through `registry list`, `findings`, `registry villages`.
#[test]
fn escape_sequences_from_data_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The import refuses such rows.
    let file = dir.path().join("esc.csv");
    std::fs::write(
        &file,
        "户编号,户主姓名,家庭人口数,脱贫状态,行政村\n\
         E1,\"\x1b]0;PWN\x07张\",3,已脱贫,\x1b[2J桂花村\n\
         E2,李四,2,已脱贫,桂花村\n",
    )
    .unwrap();
    let (code, out, err) = ruhu(&data, &["registry", "import", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("控制字符"), "{out}");
    assert!(!out.contains('\x1b') && !err.contains('\x1b'));
    // Data that got into the store another way (an older version, a restored backup) is
    // shown without its escapes.
    {
        let store = ruhu::store::Store::open(&data).unwrap();
        let mut h = ruhu::registry::Household::provisional(
            "E3".into(),
            "\x1b]0;PWN\x07张".into(),
            "\x1b[2J王家村".into(),
        );
        h.provisional = false;
        h.status = ruhu::registry::Status::Exited;
        store.put_household(&h).unwrap();
        store.flush().unwrap();
    }
    for args in [
        &["registry", "list"][..],
        &["registry", "villages"][..],
        &["--lang", "en", "registry", "list"][..],
        &["findings", "--all"][..],
        &["rates"][..],
    ] {
        let (code, out, err) = ruhu(&data, args);
        assert_eq!(code, 0, "{args:?} {err}");
        assert!(
            !out.contains('\x1b') && !out.contains('\x07'),
            "{args:?}: {out:?}"
        );
        assert!(!err.contains('\x1b'), "{args:?}: {err:?}");
    }
    let (_, out, _) = ruhu(&data, &["registry", "list"]);
    assert!(out.contains("\u{FFFD}]0;PWN\u{FFFD}"), "{out}");
    // JSON escapes them.
    let (_, out, _) = ruhu(&data, &["registry", "list", "--format", "json"]);
    assert!(!out.contains('\x1b') && out.contains("\\u001b"), "{out}");
}
