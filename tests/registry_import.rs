//! `ruhu registry import / import-members / import-villages / list`: the real binary on
//! fixture files (tests/fixtures/registry/), a GBK file and an XLSX workbook made here.

mod common;

use common::ruhu;

use std::path::{Path, PathBuf};

use common::walk::answer_file;
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/registry")
        .join(name)
}

/// A fixture copied into `dir` (so that its rejects file is written there).
fn copy(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(fixture(name), &to).unwrap();
    to
}

/// `ruhu registry <command> FILE --format json [extra]`: exit code and the JSON summary.
fn import_as(data: &Path, command: &str, file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "registry",
        command,
        file.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = ruhu(data, &args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

fn import(data: &Path, file: &Path, extra: &[&str]) -> (i32, Value) {
    import_as(data, "import", file, extra)
}

fn list(data: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["registry", "list", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = ruhu(data, &args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A stored household as JSON, ID numbers in full.
fn household(data: &Path, id: &str) -> Value {
    list(data, &["--show-ids"])
        .into_iter()
        .find(|h| h["household_id"] == id)
        .unwrap_or_else(|| panic!("no household {id}"))
}

fn counts(v: &Value) -> (u64, u64, u64, usize) {
    (
        v["added"].as_u64().unwrap(),
        v["changed"].as_u64().unwrap(),
        v["unchanged"].as_u64().unwrap(),
        v["rejected"].as_array().unwrap().len(),
    )
}

#[test]
fn utf8_with_bom_imports_every_field_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = copy(dir.path(), "households.csv");
    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (4, 0, 0, 0));
    assert_eq!(v["encoding"], "utf-8");
    assert_eq!(v["format"], "csv");
    assert_eq!(v["header_line"], 1);
    assert_eq!(v["rows"], 4);
    assert!(v["rejects_file"].is_null());
    assert!(!dir.path().join("households.rejects.csv").exists());

    let h = household(&data, "532326007000000");
    assert_eq!(h["head_name"], "周国红");
    assert_eq!(h["head_id_number"], "53232619490915548X");
    assert_eq!(h["household_size"], 1);
    assert_eq!(h["status"], "exited");
    assert_eq!(h["exit_year"], 2015);
    assert_eq!(h["household_type"], "低保贫困户");
    assert_eq!(h["income_per_capita"], 7734.0);
    assert_eq!(h["county"], "大姚县");
    assert_eq!(h["township"], "昙华乡");
    assert_eq!(h["village"], "桂花村");
    assert_eq!(h["village_group"], "第3组");
    assert_eq!(h["helper"], "周春");
    assert_eq!(h["village_type"], "non_poor");
    assert_eq!(h["remote"], false);
    assert_eq!(h["edge"], false);
    assert_eq!(h["provisional"], false);
    let statuses: Vec<Value> = list(&data, &[])
        .iter()
        .map(|h| h["status"].clone())
        .collect();
    assert_eq!(statuses, ["exited", "non_poor", "poor", "returned"]);
    assert_eq!(household(&data, "532326007000001")["remote"], true);

    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 0);
    assert_eq!(counts(&v), (0, 0, 4, 0));
}

#[test]
fn a_newer_file_reports_added_changed_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(import(&data, &fixture("households.csv"), &[]).0, 0);
    let (code, v) = import(&data, &fixture("households_v2.csv"), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (1, 1, 3, 0));
    let h = household(&data, "532326007000002");
    assert_eq!(h["status"], "exited");
    assert_eq!(h["exit_year"], 2017);
    assert_eq!(h["income_per_capita"], 3640.0);
    assert_eq!(list(&data, &[]).len(), 5);
}

#[test]
fn utf8_without_bom_national_codes_other_order_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, v) = import(&data, &fixture("households_codes.csv"), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (4, 0, 0, 0));
    assert_eq!(v["ignored_columns"], json!([]));
    let by_id = |id: &str| household(&data, id);
    assert_eq!(by_id("532326007000010")["status"], "exited"); // 1
    assert_eq!(by_id("532326007000011")["status"], "poor"); // 0
    assert_eq!(by_id("532326007000012")["status"], "returned"); // 3
    assert_eq!(by_id("532326007000013")["status"], "exited"); // 4
    let h = by_id("532326007000010");
    assert_eq!(h["head_name"], "张国明");
    assert_eq!(h["head_id_number"], "532326197709232173");
    assert_eq!(h["household_size"], 5);
    assert_eq!(h["exit_year"], 2016);
    assert_eq!(h["household_type"], "01");
    assert_eq!(h["village"], "昙华村");
}

#[test]
fn english_headers_and_status_words() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, v) = import(&data, &fixture("households_english.csv"), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (4, 0, 0, 0));
    let h = household(&data, "532326007000021");
    assert_eq!(h["status"], "returned");
    assert_eq!(h["edge"], true);
    assert_eq!(h["village_type"], "exited");
    assert_eq!(household(&data, "532326007000022")["remote"], true);
    assert_eq!(household(&data, "532326007000023")["status"], "exited");
    assert_eq!(household(&data, "532326007000020")["status"], "poor");
    assert_eq!(household(&data, "532326007000022")["status"], "non_poor");
}

#[test]
fn gbk_is_detected_and_can_be_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let text = std::fs::read_to_string(fixture("households.csv")).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let file = dir.path().join("gbk.csv");
    std::fs::write(&file, &bytes).unwrap();
    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["encoding"], "gb18030");
    assert_eq!(counts(&v), (4, 0, 0, 0));
    assert_eq!(household(&data, "532326007000003")["head_name"], "吴国红");
    assert_eq!(household(&data, "532326007000003")["village"], "昙华村");

    // Forced: the same file read as GBK gives the same records.
    let (code, v) = import(&data, &file, &["--encoding", "gbk"]);
    assert_eq!(code, 0);
    assert_eq!(counts(&v), (0, 0, 4, 0));
    // Forced wrongly: the header is not found, the file is not read.
    let (code, _, err) = ruhu(
        &data,
        &[
            "registry",
            "import",
            file.to_str().unwrap(),
            "--encoding",
            "utf-8",
        ],
    );
    assert_eq!(code, 1, "{err}");
}

#[test]
fn the_shared_gbk_sample_imports_whole() {
    let sample = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/samples/registry_sample_gbk.csv"
    ));
    if !sample.exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("sample.csv");
    std::fs::copy(sample, &file).unwrap();
    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (60, 0, 0, 0));
    let all = list(&data, &[]);
    for status in ["poor", "exited", "returned", "non_poor"] {
        assert!(all.iter().any(|h| h["status"] == status), "{status}");
    }
    assert!(all.iter().all(|h| h["county"] == "大姚县"));
}

#[test]
fn xlsx_first_sheet_title_row_numbers_as_floats_and_excel_mangled_ids() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("registry.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    // Row 1: a title, as county spreadsheets have; row 2: the header.
    sheet
        .write_string(0, 0, "大姚县建档立卡贫困户信息表")
        .unwrap();
    let header = [
        "户编号",
        "户主姓名",
        "证件号码",
        "家庭人口数",
        "脱贫状态",
        "人均纯收入",
        "行政村",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    // Row 3: numbers as Excel stores them (3.0, a status code 1.0, a household id number).
    sheet.write_number(2, 0, 532326007000040.0).unwrap();
    sheet.write_string(2, 1, "赵志国").unwrap();
    sheet.write_string(2, 2, "532326196409244936").unwrap();
    sheet.write_number(2, 3, 3.0).unwrap();
    sheet.write_number(2, 4, 1.0).unwrap();
    sheet.write_number(2, 5, 3335.5).unwrap();
    sheet.write_string(2, 6, "昙华村").unwrap();
    // Row 4: an ID number that Excel turned into a number.
    sheet.write_string(3, 0, "532326007000041").unwrap();
    sheet.write_string(3, 1, "王文志").unwrap();
    sheet.write_number(3, 2, 532326196112249891.0).unwrap();
    sheet.write_string(3, 4, "未脱贫").unwrap();
    // Row 6 (row 5 left empty): cells left out at the end of the row are empty, not short.
    sheet.write_string(5, 0, "532326007000042").unwrap();
    sheet.write_string(5, 1, "杨明平").unwrap();
    sheet.write_string(5, 4, "非贫困户").unwrap();
    // A second sheet is not read.
    let other = book.add_worksheet();
    other.write_string(0, 0, "户编号").unwrap();
    other.write_string(1, 0, "999").unwrap();
    book.save(&file).unwrap();

    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["format"], "xlsx");
    assert!(v["encoding"].is_null());
    assert_eq!(v["header_line"], 2);
    assert_eq!(counts(&v), (2, 0, 0, 1));
    assert_eq!(v["rejected"][0]["line"], 4);
    let reason = v["rejected"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("Excel"), "{reason}");
    assert!(reason.contains("文本"), "{reason}");
    let h = household(&data, "532326007000040");
    assert_eq!(h["household_size"], 3);
    assert_eq!(h["status"], "exited");
    assert_eq!(h["income_per_capita"], 3335.5);
    assert_eq!(household(&data, "532326007000042")["status"], "non_poor");
    assert!(list(&data, &[]).iter().all(|h| h["household_id"] != "999"));
    // The rejects file is CSV beside the workbook.
    assert!(dir.path().join("registry.rejects.csv").exists());
}

#[test]
fn every_bad_row_kind_is_rejected_with_its_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = copy(dir.path(), "bad_rows.csv");
    let (code, v) = import(&data, &file, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(counts(&v), (2, 0, 0, 8));
    let rejected = v["rejected"].as_array().unwrap();
    let expect: [(u64, &str); 8] = [
        (3, "校验位错误"),
        (4, "出生日期不存在"),
        (5, "缺少户编号"),
        (6, "户编号 532326007000030 在文件中重复（第 2 行已有）"),
        (7, "人均纯收入不是数字：两千"),
        (8, "家庭人口数不是整数：三口"),
        (9, "未知的脱贫状态：脱贫中"),
        (10, "行不完整"),
    ];
    for (r, (line, reason)) in rejected.iter().zip(expect) {
        assert_eq!(r["line"], line, "{r}");
        let got = r["reason"].as_str().unwrap();
        assert!(got.contains(reason), "line {line}: {got}");
    }
    let ids: Vec<Value> = list(&data, &[])
        .iter()
        .map(|h| h["household_id"].clone())
        .collect();
    assert_eq!(ids, ["532326007000030", "532326007000037"]);
    // The first of the duplicated rows went in.
    assert_eq!(household(&data, "532326007000030")["head_name"], "好户一");

    // The rejects file: UTF-8 with BOM, 行号 and 原因, then the original columns.
    let rejects = dir.path().join("bad_rows.rejects.csv");
    assert_eq!(v["rejects_file"], json!(rejects));
    let bytes = std::fs::read(&rejects).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let head: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&head[..3], ["行号", "原因", "户编号"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(&rows[0][0], "3");
    assert_eq!(&rows[0][3], "校验错");
    assert_eq!(&rows[7][0], "10");

    // English reasons with --lang en; text output lists the rows.
    let (code, out, _) = ruhu(
        &data,
        &["--lang", "en", "registry", "import", file.to_str().unwrap()],
    );
    assert_eq!(code, 3);
    assert!(out.contains("line 3: "), "{out}");
    assert!(out.contains("check digit"), "{out}");
    assert!(out.contains("short row"), "{out}");
    assert!(out.contains("unknown status"), "{out}");
    let (_, v) = import(
        &data,
        &file,
        &["--rejects", dir.path().join("r.csv").to_str().unwrap()],
    );
    assert!(dir.path().join("r.csv").exists());
    assert_eq!(counts(&v), (0, 0, 2, 8));
    let (_, v) = import(&data, &file, &[]);
    assert!(
        v["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("校验位")
    );
    let (_, out, _) = ruhu(
        &data,
        &[
            "--lang",
            "en",
            "registry",
            "import",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["rejected"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("household id missing")
    );
}

#[test]
fn strict_imports_nothing_when_a_row_is_bad() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = copy(dir.path(), "bad_rows.csv");
    let (code, v) = import(&data, &file, &["--strict"]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["imported"], false);
    assert_eq!(counts(&v), (0, 0, 0, 8));
    assert!(list(&data, &[]).is_empty());
    assert!(dir.path().join("bad_rows.rejects.csv").exists());

    let (code, v) = import(&data, &fixture("households.csv"), &["--strict"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["imported"], true);
    assert_eq!(counts(&v), (4, 0, 0, 0));
    assert_eq!(list(&data, &[]).len(), 4);
}

#[test]
fn a_stale_rejects_file_is_removed_when_the_file_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = copy(dir.path(), "households.csv");
    let stale = dir.path().join("households.rejects.csv");
    std::fs::write(&stale, "old").unwrap();
    let (code, _) = import(&data, &file, &[]);
    assert_eq!(code, 0);
    assert!(!stale.exists());
}

#[test]
fn unreadable_files_exit_1_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let missing = dir.path().join("missing.csv");
    let (code, _, err) = ruhu(&data, &["registry", "import", missing.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("missing.csv"), "{err}");

    let no_id = dir.path().join("no_id.csv");
    std::fs::write(&no_id, "户主姓名,脱贫状态\n张三,未脱贫\n").unwrap();
    let (code, _, err) = ruhu(&data, &["registry", "import", no_id.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("户编号"), "{err}");
    let (code, _, err) = ruhu(
        &data,
        &[
            "--lang",
            "en",
            "registry",
            "import",
            no_id.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("required columns missing: household id"),
        "{err}"
    );

    let not_zip = dir.path().join("broken.xlsx");
    std::fs::write(&not_zip, "this is not a workbook").unwrap();
    let (code, _, err) = ruhu(&data, &["registry", "import", not_zip.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");

    let file = copy(dir.path(), "households.csv");
    let (code, _, err) = ruhu(
        &data,
        &[
            "registry",
            "import",
            file.to_str().unwrap(),
            "--rejects",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(std::fs::read_to_string(&file).unwrap().contains("周国红"));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = ruhu(&data, &["registry", "import", empty.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(list(&data, &[]).is_empty());
}

#[test]
fn an_import_never_touches_interviews() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(import(&data, &fixture("households.csv"), &[]).0, 0);
    // 532326007000000 is exited: interview it.
    let answers = answer_file(dir.path(), "exited");
    let (code, out, err) = ruhu(
        &data,
        &[
            "interview",
            "apply",
            "--household",
            "532326007000000",
            "--answers",
            answers.to_str().unwrap(),
            "--complete",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let id = serde_json::from_str::<Value>(&out).unwrap()["interview_id"]
        .as_str()
        .unwrap()
        .to_string();
    let before_list = ruhu(&data, &["interview", "list", "--format", "json"]).1;
    let before_show = ruhu(&data, &["interview", "show", &id, "--format", "json"]).1;

    // A file with only 户编号 and 帮扶责任人: the helper changes, everything else stays.
    let helpers = dir.path().join("helpers.csv");
    std::fs::write(&helpers, "户编号,帮扶责任人\n532326007000000,李新\n").unwrap();
    let (code, v) = import(&data, &helpers, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (0, 1, 0, 0));
    let h = household(&data, "532326007000000");
    assert_eq!(h["helper"], "李新");
    assert_eq!(h["status"], "exited");
    assert_eq!(h["head_name"], "周国红");
    assert_eq!(import(&data, &fixture("households_v2.csv"), &[]).0, 0);

    assert_eq!(
        ruhu(&data, &["interview", "list", "--format", "json"]).1,
        before_list
    );
    assert_eq!(
        ruhu(&data, &["interview", "show", &id, "--format", "json"]).1,
        before_show
    );

    // A household unknown to the store cannot come from a file without status.
    std::fs::write(&helpers, "户编号,帮扶责任人\n532326000000999,李新\n").unwrap();
    let (code, v) = import(&data, &helpers, &[]);
    assert_eq!(code, 3);
    assert!(
        v["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("脱贫状态")
    );
}

#[test]
fn members_file_replaces_members_and_rejects_unknown_households() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(import(&data, &fixture("households.csv"), &[]).0, 0);
    let file = copy(dir.path(), "members.csv");
    let (code, v) = import_as(&data, "import-members", &file, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(counts(&v), (3, 0, 0, 1));
    assert_eq!(v["members"], 4);
    assert_eq!(v["rejected"][0]["line"], 5);
    assert!(
        v["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("不在库中")
    );
    let h = household(&data, "532326007000002");
    let members = h["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[1]["name"], "王小明");
    assert_eq!(members[1]["relation"], "child");
    assert_eq!(members[1]["sex"], "male");
    assert_eq!(members[1]["age"], 37);
    assert_eq!(members[0]["relation"], "head");

    // Again: nothing changes. A household import keeps the members.
    let (_, v) = import_as(&data, "import-members", &file, &[]);
    assert_eq!(counts(&v), (0, 0, 3, 1));
    let (_, v) = import(&data, &fixture("households_v2.csv"), &[]);
    assert_eq!(counts(&v), (1, 1, 3, 0));
    assert_eq!(
        household(&data, "532326007000002")["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Rows of one household apart: they are added together and counted once.
    let apart = dir.path().join("apart.csv");
    std::fs::write(
        &apart,
        "户编号,姓名,与户主关系\n532326007000001,刘明国,户主\n532326007000000,周国红,户主\n532326007000001,刘小国,子女\n",
    )
    .unwrap();
    let (code, v) = import_as(&data, "import-members", &apart, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(counts(&v), (1, 1, 0, 0));
    let m = household(&data, "532326007000001")["members"].clone();
    assert_eq!(m.as_array().unwrap().len(), 2);
    let (_, v) = import_as(&data, "import-members", &apart, &[]);
    assert_eq!(counts(&v), (0, 0, 2, 0));
}

#[test]
fn village_file_sets_village_attributes_of_its_households() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(import(&data, &fixture("households.csv"), &[]).0, 0);
    let file = copy(dir.path(), "villages.csv");
    let (code, v) = import_as(&data, "import-villages", &file, &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(counts(&v), (2, 0, 0, 1));
    assert_eq!(v["rejected"][0]["line"], 4);
    assert!(
        v["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("重复")
    );
    assert_eq!(v["households_updated"], 2);
    let h = household(&data, "532326007000000"); // 桂花村
    assert_eq!(h["village_type"], "exited");
    assert_eq!(h["remote"], true);
    let h = household(&data, "532326007000002"); // 湾碧村
    assert_eq!(h["village_type"], "non_poor");
    assert_eq!(h["remote"], false);

    // Again: nothing changes.
    let (_, v) = import_as(&data, "import-villages", &file, &[]);
    assert_eq!(counts(&v), (0, 0, 2, 1));
    assert_eq!(v["households_updated"], 0);

    // A household file without village columns takes the attributes from the records.
    let plain = dir.path().join("plain.csv");
    std::fs::write(
        &plain,
        "户编号,户主姓名,脱贫状态,县,乡镇,行政村\n532326007000050,新户,未脱贫,大姚县,昙华乡,桂花村\n",
    )
    .unwrap();
    assert_eq!(import(&data, &plain, &[]).0, 0);
    let h = household(&data, "532326007000050");
    assert_eq!(h["village_type"], "exited");
    assert_eq!(h["remote"], true);

    // The village view sampling reads.
    let (code, out, _) = ruhu(&data, &["registry", "villages", "--format", "json"]);
    assert_eq!(code, 0);
    let villages: Vec<Value> = serde_json::from_str(&out).unwrap();
    let g = villages.iter().find(|v| v["village"] == "桂花村").unwrap();
    assert_eq!(g["village_type"], "exited");
    assert_eq!(g["remote"], true);
    assert_eq!(g["in_village_file"], true);
    assert_eq!(g["counts"]["exited"]["households"], 1);
    assert_eq!(g["counts"]["poor"]["households"], 1);
}

#[test]
fn list_filters_by_village_and_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(import(&data, &fixture("households.csv"), &[]).0, 0);
    let in_village = list(&data, &["--village", "昙华村"]);
    assert_eq!(in_village.len(), 2);
    assert!(in_village.iter().all(|h| h["village"] == "昙华村"));
    assert!(list(&data, &["--village", "无此村"]).is_empty());
    let (code, out, _) = ruhu(&data, &["registry", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("户编号") && out.contains("周国红") && out.contains("共 4 户"),
        "{out}"
    );
    let (_, out, _) = ruhu(&data, &["--lang", "en", "registry", "list"]);
    assert!(
        out.contains("household id") && out.contains("4 households"),
        "{out}"
    );
}

/// Found by a tester: merged XLSX cells gave an empty 乡镇 without a warning. The value of a
/// merged range counts for every row it spans, and the import says so.
#[test]
fn merged_cells_fill_their_rows_and_the_import_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("合并.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    for (c, h) in ["户编号", "乡镇", "行政村", "户主姓名", "脱贫状态"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    for (i, name) in ["张三", "李四", "王五"].iter().enumerate() {
        let r = 1 + i as u32;
        s.write_string(r, 0, format!("M{i}")).unwrap();
        s.write_string(r, 2, "桂花村").unwrap();
        s.write_string(r, 3, *name).unwrap();
        s.write_string(r, 4, "未脱贫").unwrap();
    }
    s.merge_range(1, 1, 3, 1, "清溪乡", &plain).unwrap();
    book.save(&path).unwrap();
    let (code, out, err) = ruhu(&data, &["registry", "import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("合并单元格 B2:B4"), "{out}");
    let (_, out, _) = ruhu(
        &data,
        &[
            "--lang",
            "en",
            "registry",
            "import",
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["notices"].as_array().unwrap().len(), 1, "{v}");
    let all = list(&data, &[]);
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|h| h["township"] == "清溪乡"), "{all:?}");
}
