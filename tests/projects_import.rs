//! `ruhu projects import / list / show`: the real binary on a GBK CSV with a beneficiaries
//! file, an XLSX workbook written here, bad rows, the demo's project file, and backups.

mod common;

use std::path::{Path, PathBuf};

use common::ruhu;
use serde_json::Value;

fn json(data: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = ruhu(data, &all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

fn projects(data: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["projects", "list"];
    args.extend_from_slice(extra);
    let (code, v) = json(data, &args);
    assert_eq!(code, 0, "{v}");
    v.as_array().unwrap().clone()
}

/// The demo registry of `n` households in `data` (its project list too).
fn demo(data: &Path, n: usize) -> Vec<Value> {
    let (code, _) = json(data, &["demo", "--households", &n.to_string()]);
    assert_eq!(code, 0);
    let (code, v) = json(data, &["registry", "list", "--show-ids"]);
    assert_eq!(code, 0);
    v.as_array().unwrap().clone()
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

#[test]
fn a_gbk_csv_with_a_beneficiaries_file_imports_warns_and_lists_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let households = demo(&data, 60);
    let h = &households[0];
    let (hid, village, township) = (
        h["household_id"].as_str().unwrap(),
        h["village"].as_str().unwrap(),
        h["township"].as_str().unwrap(),
    );
    let text = format!(
        "2017年脱贫攻坚项目库\r\n\
         项目编号,项目名称,项目类别,乡镇,行政村,中央财政,东西部协作资金,总投资,批复时间,开工时间,竣工时间,项目状态\r\n\
         XM-1,{village}沪滇协作扶贫车间,东西部扶贫协作,{township},{village},,\"500,000\",500000,2017年3月1日,2017/4/1,,在建\r\n\
         XM-2,云雾村道路硬化,基础设施,{township},云雾村,200000,,200000元,2017-05-01,,,未开工\r\n"
    );
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    let file = write(&dir.path().join("项目库.csv"), &gbk);
    let ben = write(
        &dir.path().join("受益户.csv"),
        format!("项目编号,户编号\n{0},{hid}\n{0},888888000000001\n", "XM-1").as_bytes(),
    );
    let (code, v) = json(
        &data,
        &[
            "projects",
            "import",
            file.to_str().unwrap(),
            "--beneficiaries",
            ben.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["encoding"], "gb18030");
    assert_eq!(v["header_line"], 2);
    assert_eq!(
        (v["projects"].as_u64(), v["beneficiaries"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(
        v["removed"].as_u64().unwrap() > 0,
        "the demo's list was replaced"
    );
    let kinds: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unknown_household", "unknown_village"], "{v}");
    assert_eq!(v["warnings"][0]["household_id"], "888888000000001");
    assert_eq!(v["warnings"][1]["village"], "云雾村");

    let all = projects(&data, &[]);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["kind"], "east_west");
    assert_eq!(all[0]["kind_label"], "东西部扶贫协作");
    assert_eq!(all[0]["status"], "under_way");
    assert_eq!(all[0]["funds"]["east_west"], 500000.0);
    assert_eq!(all[0]["approved"], "2017-03-01");
    assert_eq!(projects(&data, &["--kind", "east_west"]).len(), 1);
    assert_eq!(projects(&data, &["--village", "云雾村"]).len(), 1);
    assert_eq!(projects(&data, &["--township", "无此乡"]).len(), 0);
    let of_household = projects(&data, &["--household", hid]);
    assert_eq!(of_household.len(), 1);
    assert_eq!(of_household[0]["project_id"], "XM-1");
    assert!(projects(&data, &["--household", "888888"]).is_empty());
    let (code, _, err) = ruhu(&data, &["projects", "list", "--kind", "roads"]);
    assert_eq!(code, 1);
    assert!(err.contains("east_west"), "{err}");

    // The table: Chinese labels, never choice names or true/false, columns by cells.
    let (code, out, _) = ruhu(&data, &["projects", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("东西部扶贫协作") && out.contains("在建") && out.contains("未开工"),
        "{out}"
    );
    assert!(!out.contains("east_west") && !out.contains("true") && !out.contains("false"));
    assert!(out.contains("共 2 个项目，总投资 700000 元"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let col = |line: &str, needle: &str| {
        let at = line.find(needle).unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(col(lines[1], "东西部"), col(lines[2], "基础设施"), "{out}");
    let (_, out, _) = ruhu(&data, &["--lang", "en", "projects", "list"]);
    assert!(
        out.contains("East–West cooperation") && out.contains("under way"),
        "{out}"
    );

    // One project: the beneficiaries with the head's name, the ID number masked.
    let (code, v) = json(&data, &["projects", "show", "XM-1"]);
    assert_eq!(code, 0);
    let b = v["beneficiary_households"].as_array().unwrap();
    assert_eq!(b[0]["head_name"], h["head_name"]);
    assert_eq!(b[0]["in_registry"], true);
    let id = b[0]["head_id_number"].as_str().unwrap();
    assert!(id.contains("**********"), "{id}");
    assert_eq!(b[1]["in_registry"], false);
    let (code, out, _) = ruhu(&data, &["projects", "show", "XM-1"]);
    assert_eq!(code, 0);
    assert!(out.contains(h["head_name"].as_str().unwrap()), "{out}");
    assert!(out.contains("**********") && !out.contains(h["head_id_number"].as_str().unwrap()));
    assert!(
        out.contains("东西部协作资金 500000 元") && out.contains("不在建档立卡数据中"),
        "{out}"
    );
    let (code, _, err) = ruhu(&data, &["projects", "show", "XM-9"]);
    assert_eq!(code, 1);
    assert!(err.contains("XM-9"));
}

fn workbook(path: &Path, total: &str) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "项目编号",
        "项目名称",
        "项目类别",
        "行政村",
        "总投资",
        "批复时间",
        "开工时间",
        "竣工时间",
        "项目状态",
        "受益户",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "XM-10",
            "危房改造",
            "危房改造",
            "桂花村",
            "80000",
            "2017-02-01",
            "2017-03-01",
            "2017-09-01",
            "已竣工",
            "1;2、3",
        ],
        [
            "XM-11",
            "核桃",
            "产业",
            "桂花村",
            total,
            "2017-02-01",
            "",
            "",
            "未开工",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *cell).unwrap();
        }
    }
    // A date cell, as Excel keeps it (a day number shown as a date).
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 1, 15).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 5, &date, &format)
        .unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_bad_row_of_a_workbook_is_named_by_file_row_and_column_and_strict_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = write(
        &dir.path().join("first.csv"),
        "项目编号,项目名称,项目类别,行政村,总投资,批复时间,项目状态\nXM-1,路,基础设施,桂花村,100,2017-01-01,未开工\n"
            .as_bytes(),
    );
    let (code, v) = json(&data, &["projects", "import", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["warnings"][0]["kind"], "empty_registry");

    let book = dir.path().join("项目.xlsx");
    workbook(&book, "一百万");
    let (code, v) = json(
        &data,
        &["projects", "import", book.to_str().unwrap(), "--strict"],
    );
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["imported"], false);
    let r = &v["rejected"][0];
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_str()),
        (Some(3), Some("总投资")),
        "{v}"
    );
    assert!(r["file"].as_str().unwrap().ends_with("项目.xlsx"));
    assert!(r["reason"].as_str().unwrap().contains("一百万"));
    let stored: Vec<String> = projects(&data, &[])
        .iter()
        .map(|p| p["project_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, ["XM-1"], "nothing of the refused file was saved");
    let (code, out, _) = ruhu(
        &data,
        &["projects", "import", book.to_str().unwrap(), "--strict"],
    );
    assert_eq!(code, 3);
    assert!(out.contains("项目.xlsx 第 3 行，列“总投资”"), "{out}");
    assert!(out.contains("什么都没有导入"), "{out}");
    let (_, out, _) = ruhu(
        &data,
        &[
            "--lang",
            "en",
            "projects",
            "import",
            book.to_str().unwrap(),
            "--strict",
        ],
    );
    assert!(out.contains("line 3, column \"总投资\""), "{out}");

    // Without --strict, as the registry import: the bad row is set aside, the rest replaces
    // the list, the rejects file is beside the workbook.
    let (code, v) = json(&data, &["projects", "import", book.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(v["imported"], true);
    let rejects = dir.path().join("项目.rejects.csv");
    assert_eq!(v["rejects_file"].as_str(), rejects.to_str());
    assert!(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .contains("总投资")
    );
    let all = projects(&data, &[]);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["project_id"], "XM-10");
    assert_eq!(all[0]["kind"], "housing");
    assert_eq!(all[0]["approved"], "2017-01-15", "the date cell");
    assert_eq!(all[0]["beneficiaries"], serde_json::json!(["1", "2", "3"]));

    workbook(&book, "90000");
    let (code, v) = json(&data, &["projects", "import", book.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert!(!rejects.exists(), "the stale rejects file is removed");
    assert_eq!(projects(&data, &[]).len(), 2);

    // A file without a required column is refused whole.
    let bad = write(
        &dir.path().join("bad.csv"),
        "项目编号,项目名称\nXM-1,路\n".as_bytes(),
    );
    let (code, _, err) = ruhu(&data, &["projects", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.csv") && err.contains("项目类别"), "{err}");
    assert_eq!(projects(&data, &[]).len(), 2);
}

#[test]
fn the_demo_writes_a_project_file_that_imports_against_its_registry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reg = dir.path().join("演示县.csv");
    let (code, v) = json(&data, &["demo", "--csv", reg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let file = dir.path().join("projects.csv");
    assert_eq!(v["projects_csv"].as_str(), file.to_str());
    let (code, v) = json(&data, &["registry", "import", reg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = json(&data, &["projects", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["warnings"],
        serde_json::json!([]),
        "every village and household is known"
    );
    let n = v["projects"].as_u64().unwrap();
    assert!((18..=60).contains(&n), "{n}");
    let east_west = projects(&data, &["--kind", "east_west"]);
    assert!(!east_west.is_empty());

    // `ruhu demo` into a data folder loads the same list.
    let other = dir.path().join("other");
    demo(&other, 300);
    let loaded = projects(&other, &[]);
    assert_eq!(loaded, projects(&data, &[]));
}

#[test]
fn projects_survive_a_backup_and_a_backup_without_them_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    demo(&data, 120);
    let before = projects(&data, &[]);
    assert!(!before.is_empty());
    let backup = dir.path().join("backup.json");
    let (code, v) = json(&data, &["backup", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let saved: Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    assert_eq!(saved["projects"].as_array().unwrap().len(), before.len());

    let restored = dir.path().join("restored");
    let (code, v) = json(&restored, &["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(projects(&restored, &[]), before);
    let first = before[0]["project_id"].as_str().unwrap();
    let (code, v) = json(&restored, &["projects", "show", first]);
    assert_eq!(code, 0);
    assert!(
        v["beneficiary_households"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["in_registry"] == true)
    );

    // A backup from before the project list.
    let mut old = saved.clone();
    old.as_object_mut().unwrap().remove("projects");
    let old_file = write(&dir.path().join("old.json"), old.to_string().as_bytes());
    let empty = dir.path().join("from-old");
    let (code, v) = json(&empty, &["restore", old_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert!(projects(&empty, &[]).is_empty());

    // A data folder holding only projects is not empty: a restore does not mix into it.
    let only = dir.path().join("only-projects");
    let file = write(
        &dir.path().join("p.csv"),
        "项目编号,项目名称,项目类别,行政村,总投资,批复时间,项目状态\nXM-1,路,基础设施,桂花村,100,2017-01-01,未开工\n"
            .as_bytes(),
    );
    let (code, _) = json(&only, &["projects", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, _, err) = ruhu(&only, &["restore", backup.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(projects(&only, &[]).len(), 1);
}

/// The first screen's `d` loads the demo's project list with its registry.
#[test]
fn the_screens_demo_key_loads_the_project_list_too() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let forms = ruhu::session::Forms::bundled().unwrap();
    let ws = ruhu::session::Workspace::open(&data, forms).unwrap();
    let mut app = ruhu::tui::App::new(ws, ruhu::i18n::Lang::Zh, "测试员".into());
    app.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE));
    assert_eq!(app.ws.household_count(), 300);
    let loaded = app.ws.projects().unwrap();
    let opts = ruhu::demo::DemoOptions::default();
    assert_eq!(loaded, ruhu::demo::generate_projects(&opts));
    let h = &loaded[0].beneficiaries[0];
    assert!(app.ws.find_household(h).unwrap().is_some());
    assert_eq!(app.ws.projects_of_household(h).unwrap()[0], loaded[0]);
}

/// Starts the binary and kills it (SIGKILL) after `after`; true when it was still running.
fn run_and_kill(data: &Path, args: &[&str], after: std::time::Duration) -> bool {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ruhu");
    let deadline = std::time::Instant::now() + after;
    while std::time::Instant::now() < deadline {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let running = child.try_wait().expect("wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

/// A project file of `n` projects named after `tag`, each with three beneficiaries.
fn many(dir: &Path, tag: &str, n: usize) -> PathBuf {
    let mut text =
        String::from("项目编号,项目名称,项目类别,行政村,总投资,批复时间,项目状态,受益户\n");
    for i in 0..n {
        text.push_str(&format!(
            "XM-{i:05},{tag}{i},产业,桂花村,1000,2017-01-01,未开工,H{i};H{};{tag}-{i}\n",
            i + 1
        ));
    }
    write(&dir.join(format!("{tag}.csv")), text.as_bytes())
}

/// A power cut during an import leaves the old list or the new one, never a mix, and a
/// store `ruhu verify` finds whole.
#[test]
fn a_killed_import_leaves_the_old_list_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (old, new) = (many(dir.path(), "旧", 2000), many(dir.path(), "新", 2500));
    let import = |file: &Path| {
        let (code, v) = json(&data, &["projects", "import", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{v}");
    };
    import(&old);
    let t = std::time::Instant::now();
    import(&new);
    let whole = t.elapsed();
    let mut seen = std::collections::BTreeSet::new();
    for k in 1..=6u32 {
        import(&old);
        let after = whole * k / 6;
        let killed = run_and_kill(&data, &["projects", "import", new.to_str().unwrap()], after);
        let (code, out, err) = ruhu(&data, &["verify"]);
        assert_eq!(code, 0, "killed after {after:?}: {out}{err}");
        let list = projects(&data, &[]);
        let names: std::collections::BTreeSet<String> = list
            .iter()
            .map(|p| p["name"].as_str().unwrap().chars().take(1).collect())
            .collect();
        let state = match (list.len(), names.len()) {
            (2000, 1) if names.contains("旧") => "old",
            (2500, 1) if names.contains("新") => "new",
            _ => panic!(
                "killed after {after:?}: {} projects, names {names:?}",
                list.len()
            ),
        };
        let (code, v) = json(&data, &["projects", "list", "--household", "新-0"]);
        assert_eq!(code, 0);
        assert_eq!(
            v.as_array().unwrap().len(),
            usize::from(state == "new"),
            "the index follows"
        );
        seen.insert((killed, state));
    }
    eprintln!("kill outcomes: {seen:?}");
    import(&new);
    assert_eq!(projects(&data, &[]).len(), 2500);
}
