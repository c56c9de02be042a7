//! `ruhu export answers`: all answers as tables for analysis, read back with real readers
//! (the `parquet` crate's Arrow reader, calamine for the workbook, the csv crate), checked
//! cell by cell against the interviews that were entered.

mod common;

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{DataType, TimeUnit};
use calamine::{Data, Reader, Xlsx, open_workbook};
use common::walk::answer_file;
use common::{On, applied_id, demo_households, ruhu, run_json};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ruhu::registry::Status;
use serde_json::{Value, json};

/// A data folder with the demo registry and two interviews: an exited household completed
/// (by 李调查) and a poor household in progress (by 王明). Their ids, in that order.
fn store(root: &Path) -> (PathBuf, String, String) {
    let data = root.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let exited = demo_households(Status::Exited, 1).remove(0);
    let poor = demo_households(Status::Poor, 1).remove(0);
    let file = answer_file(root, "exited");
    let done = applied_id(
        &data,
        On::Household(&exited),
        &file,
        &["--interviewer", "李调查", "--complete"],
    );
    // The poor household: another village name and a note in Chinese, not completed.
    let file = answer_file(root, "poor");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    v["answers"]["village"] = json!("石门村");
    v["answers"]["interview_notes"] = json!("户主外出务工，由配偶回答");
    v["answers"].as_object_mut().unwrap().remove("satisfaction");
    std::fs::write(&file, v.to_string()).unwrap();
    let open = applied_id(
        &data,
        On::Household(&poor),
        &file,
        &["--interviewer", "王明"],
    );
    (data, done, open)
}

fn read_parquet(path: &Path) -> RecordBatch {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    // The files here are small: one batch, or none for an empty table.
    assert!(batches.len() <= 1, "one batch");
    batches
        .into_iter()
        .next()
        .unwrap_or_else(|| RecordBatch::new_empty(schema))
}

fn text<'a>(b: &'a RecordBatch, col: &str, row: usize) -> Option<&'a str> {
    let a = b
        .column_by_name(col)
        .unwrap_or_else(|| panic!("no column {col}"));
    let a = a.as_string::<i32>();
    (!a.is_null(row)).then(|| a.value(row))
}

/// The row whose `col` is `value`.
fn row_of(b: &RecordBatch, col: &str, value: &str) -> usize {
    (0..b.num_rows())
        .find(|&r| text(b, col, r) == Some(value))
        .unwrap_or_else(|| panic!("no row with {col} = {value}"))
}

#[test]
fn parquet_files_have_typed_columns_and_the_values_entered() {
    let dir = tempfile::tempdir().unwrap();
    let (data, done, open) = store(dir.path());
    let out = dir.path().join("答案.parquet");
    let v = run_json(
        &data,
        &["export", "answers", "--out", out.to_str().unwrap()],
    );
    assert_eq!(v["interviews"], 2);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{v}");
    assert_eq!(files[0]["table"], "answers");
    assert_eq!(files[0]["rows"], 2);
    assert_eq!(files[1]["table"], "members");
    assert_eq!(files[1]["rows"], 10);
    assert_eq!(files[2]["table"], "codebook");
    let members_path = dir.path().join("答案.members.parquet");
    let codebook_path = dir.path().join("答案.codebook.parquet");
    assert_eq!(files[1]["path"], members_path.to_str().unwrap());
    for p in [&out, &members_path, &codebook_path] {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }

    let b = read_parquet(&out);
    assert_eq!(b.num_rows(), 2);
    let schema = b.schema();
    let ty = |c: &str| schema.field_with_name(c).unwrap().data_type().clone();
    // The front columns in order, then the questions.
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        &names[..13],
        [
            "interview_id",
            "household_id",
            "household_kind",
            "questionnaire",
            "questionnaire_version",
            "county",
            "township",
            "village",
            "interviewer",
            "status",
            "started_at",
            "updated_at",
            "completed_at"
        ]
    );
    for core in [
        "household_size",
        "income_per_capita",
        "food_ok",
        "house_rating",
        "accepts_exit",
        "red_vehicle",
        "applied_refused",
        "returned_cause",
    ] {
        assert!(names.contains(&core), "core variable {core} is a column");
    }
    assert!(
        !names.contains(&"members"),
        "a roster is a table of its own"
    );
    assert!(!names.contains(&"intro"), "notes are no column");
    assert_eq!(ty("household_size"), DataType::Int64);
    assert_eq!(ty("income_wage"), DataType::Float64);
    assert_eq!(ty("income_per_capita"), DataType::Float64);
    assert_eq!(ty("food_ok"), DataType::Boolean);
    assert_eq!(ty("medical_insured_all"), DataType::Boolean);
    assert_eq!(ty("interview_date"), DataType::Date32);
    assert_eq!(ty("house_rating"), DataType::Utf8);
    assert_eq!(
        ty("started_at"),
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert!(
        matches!(ty("measures_received"), DataType::List(f) if *f.data_type() == DataType::Utf8)
    );

    let e = row_of(&b, "interview_id", &done);
    let p = row_of(&b, "interview_id", &open);
    assert_eq!(text(&b, "household_kind", e), Some("exited"));
    assert_eq!(text(&b, "household_kind", p), Some("poor"));
    assert_eq!(text(&b, "questionnaire_version", e), Some("2017.1"));
    assert_eq!(text(&b, "status", e), Some("completed"));
    assert_eq!(text(&b, "status", p), Some("in_progress"));
    assert_eq!(text(&b, "interviewer", e), Some("李调查"));
    assert_eq!(text(&b, "interviewer", p), Some("王明"));
    assert_eq!(text(&b, "county", e), Some("大姚县"));
    assert_eq!(text(&b, "village", e), Some("桂花村"));
    assert_eq!(text(&b, "village", p), Some("石门村"));
    assert_eq!(
        text(&b, "interview_notes", p),
        Some("户主外出务工，由配偶回答")
    );
    assert_eq!(
        text(&b, "policies_named", e),
        Some("产业扶持发了仔猪，孩子上学有营养餐补助")
    );
    let int = |c: &str, r: usize| {
        let a = b.column_by_name(c).unwrap().as_primitive::<Int64Type>();
        (!a.is_null(r)).then(|| a.value(r))
    };
    let num = |c: &str, r: usize| {
        let a = b.column_by_name(c).unwrap().as_primitive::<Float64Type>();
        (!a.is_null(r)).then(|| a.value(r))
    };
    let boolean = |c: &str, r: usize| {
        let a = b.column_by_name(c).unwrap().as_boolean();
        (!a.is_null(r)).then(|| a.value(r))
    };
    assert_eq!(int("household_size", e), Some(5));
    assert_eq!(int("exit_year", e), Some(2017));
    assert_eq!(num("income_wage", e), Some(12000.0));
    // (12000 + 8000 + 500 + 2400 − 3000) ÷ 5
    assert_eq!(num("income_per_capita", e), Some(3980.0));
    assert_eq!(boolean("food_ok", e), Some(true));
    assert_eq!(boolean("fell_back", e), Some(false));
    assert_eq!(boolean("medical_insured_all", e), Some(true));
    assert_eq!(text(&b, "house_rating", e), Some("B"));
    assert_eq!(text(&b, "satisfaction", e), Some("satisfied"));
    // Not asked of a poor household, not answered: null.
    assert_eq!(boolean("accepts_exit", p), None);
    assert_eq!(text(&b, "satisfaction", p), None);
    assert_eq!(boolean("red_vehicle", p), Some(false));
    let dates = b
        .column_by_name("interview_date")
        .unwrap()
        .as_primitive::<Date32Type>();
    let day = chrono::NaiveDate::from_ymd_opt(2017, 12, 20).unwrap();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    assert_eq!(i64::from(dates.value(e)), (day - epoch).num_days());
    let measures = b
        .column_by_name("measures_received")
        .unwrap()
        .as_list::<i32>();
    let m = measures.value(e);
    let m = m.as_string::<i32>();
    let m: Vec<&str> = (0..m.len()).map(|i| m.value(i)).collect();
    assert_eq!(m, ["industry", "education", "health"]);
    let completed = b
        .column_by_name("completed_at")
        .unwrap()
        .as_primitive::<TimestampMicrosecondType>();
    assert!(!completed.is_null(e));
    assert!(
        completed.is_null(p),
        "an interview in progress has no completion time"
    );
    let started = b
        .column_by_name("started_at")
        .unwrap()
        .as_primitive::<TimestampMicrosecondType>();
    let now = chrono::Utc::now().timestamp_micros();
    assert!(
        (now - started.value(e)).abs() < 600_000_000,
        "a time of today, in UTC"
    );

    // The members: keyed by interview and row, in the interview's order.
    let m = read_parquet(&members_path);
    assert_eq!(m.num_rows(), 10);
    let member_schema = m.schema();
    let names: Vec<&str> = member_schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(
        &names[..4],
        ["interview_id", "household_id", "row", "row_number"]
    );
    let rows: Vec<usize> = (0..m.num_rows())
        .filter(|&r| text(&m, "interview_id", r) == Some(done.as_str()))
        .collect();
    assert_eq!(rows.len(), 5);
    let first = rows[0];
    assert_eq!(text(&m, "row", first), Some("member-0"));
    assert_eq!(text(&m, "name", first), Some("王建国"));
    assert_eq!(text(&m, "relation", first), Some("head"));
    let number = m
        .column_by_name("row_number")
        .unwrap()
        .as_primitive::<Int64Type>();
    let ages = m.column_by_name("age").unwrap().as_primitive::<Int64Type>();
    let r4 = rows[4];
    assert_eq!(text(&m, "name", r4), Some("王德福"));
    assert_eq!(number.value(r4), 5);
    assert_eq!(ages.value(r4), 78);
    assert_eq!(
        m.column_by_name("medical_insured").unwrap().data_type(),
        &DataType::Boolean
    );
    // ID numbers masked without --show-ids.
    let id = text(&m, "id_number", first).unwrap();
    assert!(id.starts_with("5323") && id.contains("**********"), "{id}");

    // The codebook: labels, types, choices and the table of each column.
    let c = read_parquet(&codebook_path);
    let find = |table: &str, q: &str| {
        (0..c.num_rows())
            .find(|&r| text(&c, "table", r) == Some(table) && text(&c, "question_id", r) == Some(q))
            .unwrap_or_else(|| panic!("no codebook row for {table}.{q}"))
    };
    let r = find("answers", "house_rating");
    assert_eq!(text(&c, "type", r), Some("select_one"));
    assert_eq!(text(&c, "label_zh", r), Some("住房安全等级"));
    assert!(text(&c, "choices_zh", r).unwrap().starts_with("A="));
    assert!(text(&c, "choices_en", r).unwrap().contains("D="));
    assert_eq!(
        text(&c, "asked_in", r),
        Some("poor,exited,non_poor,returned")
    );
    let r = find("answers", "accepts_exit");
    assert_eq!(text(&c, "type", r), Some("yes_no"));
    assert_eq!(text(&c, "asked_in", r), Some("exited"));
    let r = find("members", "sex");
    assert!(text(&c, "choices_zh", r).unwrap().contains("male=男"));
    let r = find("answers", "status");
    assert!(
        text(&c, "choices_zh", r)
            .unwrap()
            .contains("in_progress=进行中")
    );
    assert_eq!(
        text(&c, "type", find("answers", "started_at")),
        Some("time")
    );
}

#[test]
fn the_workbook_has_three_sheets_with_numbers_words_and_local_times() {
    let dir = tempfile::tempdir().unwrap();
    let (data, done, _) = store(dir.path());
    let re = regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").unwrap();
    for (lang, yes) in [("zh", "是"), ("en", "yes")] {
        let out = dir.path().join(format!("答案-{lang}.xlsx"));
        let (code, _, err) = ruhu(
            &data,
            &[
                "--lang",
                lang,
                "export",
                "answers",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let mut book: Xlsx<_> = open_workbook(&out).unwrap();
        assert_eq!(book.sheet_names(), ["answers", "members", "codebook"]);
        let sheet = book.worksheet_range("answers").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows.len(), 3, "header and two interviews");
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let row = rows
            .iter()
            .find(|r| r[col("interview_id")].to_string() == done)
            .unwrap();
        assert_eq!(row[col("income_per_capita")], Data::Float(3980.0));
        assert_eq!(row[col("household_size")], Data::Float(5.0));
        assert_eq!(row[col("food_ok")], Data::String(yes.into()));
        assert_eq!(row[col("house_rating")], Data::String("B".into()));
        assert_eq!(
            row[col("interview_date")],
            Data::String("2017-12-20".into())
        );
        assert_eq!(
            row[col("measures_received")],
            Data::String("industry,education,health".into())
        );
        let started = row[col("started_at")].to_string();
        assert!(re.is_match(&started), "{started}");
        let members = book.worksheet_range("members").unwrap();
        assert_eq!(members.rows().count(), 11);
        let codebook = book.worksheet_range("codebook").unwrap();
        assert!(codebook.rows().any(|r| r[1] == "house_rating"));
    }
}

/// The CSV cells as a spreadsheet shows them: the writer's `'` mark taken off.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).expect("BOM");
    let mut r = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(|c| ruhu::sheet_csv::unmark(c).to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn csv_files_side_by_side_masked_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (data, done, open) = store(dir.path());
    let out = dir.path().join("答案.csv");
    let (code, stdout, err) = ruhu(
        &data,
        &["export", "answers", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("答案.members.csv") && stdout.contains("10 行"),
        "{stdout}"
    );
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 2);
    let e = rows.iter().find(|r| r["interview_id"] == done).unwrap();
    assert_eq!(e["income_per_capita"], "3980");
    assert_eq!(e["food_ok"], "是");
    assert_eq!(e["fell_back"], "否");
    assert_eq!(e["interview_date"], "2017-12-20");
    assert_eq!(e["status"], "completed");
    assert_eq!(e["accepts_exit"], "是");
    let p = rows.iter().find(|r| r["interview_id"] == open).unwrap();
    assert_eq!(p["accepts_exit"], "", "not asked: empty");
    assert_eq!(p["completed_at"], "");
    let members = read_csv(&dir.path().join("答案.members.csv"));
    assert_eq!(members.len(), 10);
    let head = members
        .iter()
        .find(|m| m["interview_id"] == done && m["row_number"] == "1")
        .unwrap();
    assert_eq!(head["name"], "王建国");
    assert_eq!(head["row"], "member-0");
    let masked = head["id_number"].clone();
    assert!(masked.contains("**********"), "{masked}");
    let codebook = read_csv(&dir.path().join("答案.codebook.csv"));
    let q = codebook
        .iter()
        .find(|r| r["table"] == "answers" && r["question_id"] == "satisfaction")
        .unwrap();
    assert_eq!(q["type"], "select_one");
    assert!(q["choices_zh"].contains("satisfied="), "{q:?}");

    // --show-ids: the ID number in full, the same as the answer file gave.
    let (code, _, err) = ruhu(
        &data,
        &[
            "--show-ids",
            "export",
            "answers",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let members = read_csv(&dir.path().join("答案.members.csv"));
    let head = members
        .iter()
        .find(|m| m["interview_id"] == done && m["row_number"] == "1")
        .unwrap();
    let full = &head["id_number"];
    assert_eq!(full.len(), 18);
    assert!(!full.contains('*'));
    assert_eq!(&full[..4], &masked[..4]);
    assert_eq!(&full[14..], &masked[masked.len() - 4..]);
}

#[test]
fn status_and_village_choose_the_interviews() {
    let dir = tempfile::tempdir().unwrap();
    let (data, done, open) = store(dir.path());
    let out = dir.path().join("a.parquet");
    let out = out.to_str().unwrap();
    let count = |extra: &[&str]| {
        let mut args = vec!["export", "answers", "--out", out];
        args.extend_from_slice(extra);
        run_json(&data, &args)["interviews"].as_u64().unwrap()
    };
    assert_eq!(count(&["--status", "completed"]), 1);
    let b = read_parquet(Path::new(out));
    assert_eq!(text(&b, "interview_id", 0), Some(done.as_str()));
    assert_eq!(count(&["--status", "in_progress"]), 1);
    let b = read_parquet(Path::new(out));
    assert_eq!(text(&b, "interview_id", 0), Some(open.as_str()));
    assert_eq!(
        count(&["--status", "completed", "--status", "in_progress"]),
        2
    );
    assert_eq!(count(&["--status", "approved"]), 0);
    assert_eq!(count(&["--village", "石门村"]), 1);
    assert_eq!(count(&["--village", "石门村", "--status", "completed"]), 0);
    // An empty selection is still a file with its columns.
    let b = read_parquet(Path::new(out));
    assert_eq!(b.num_rows(), 0);
    assert!(b.schema().field_with_name("income_per_capita").is_ok());
    let (code, _, err) = ruhu(
        &data,
        &["export", "answers", "--out", out, "--status", "done"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("in_progress"), "{err}");
}

#[test]
fn a_name_of_no_format_or_a_folder_in_the_way_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _, _) = store(dir.path());
    for name in ["答案.xls", "答案.ods", "答案", "答案.json"] {
        let file = dir.path().join(name);
        let path = file.to_str().unwrap();
        let (code, _, err) = ruhu(&data, &["export", "answers", "--out", path]);
        assert_eq!(code, 1, "{name}");
        assert!(err.contains(path), "{err}");
        assert!(
            err.contains(".parquet") && err.contains(".xlsx") && err.contains(".csv"),
            "{err}"
        );
        let (_, _, err) = ruhu(&data, &["--lang", "en", "export", "answers", "--out", path]);
        assert!(err.contains("cannot tell which format"), "{err}");
    }
    // The members file's name is taken by a folder: no file at all is put in place, and an
    // earlier export stays as it was.
    let out = dir.path().join("b.csv");
    std::fs::write(&out, "earlier").unwrap();
    std::fs::create_dir(dir.path().join("b.members.csv")).unwrap();
    let (code, _, err) = ruhu(
        &data,
        &["export", "answers", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(err.contains("b.members.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier");
    assert!(!dir.path().join("b.codebook.csv").exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".partial")), "{names:?}");
    // A folder that does not exist: a message naming the file.
    let missing = dir.path().join("无此文件夹/a.parquet");
    let (code, _, err) = ruhu(
        &data,
        &["export", "answers", "--out", missing.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(err.contains("无此文件夹"), "{err}");
}
