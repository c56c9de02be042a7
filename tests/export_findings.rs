//! `ruhu export findings`: the findings of `ruhu findings` (the same filters) as CSV, XLSX,
//! JSON or Parquet; the Parquet read back with the parquet crate's Arrow reader.

mod common;

use std::fs::File;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use common::walk::answer_file;
use common::{On, applied_id, demo_households, ruhu, run_json};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ruhu::registry::Status;
use serde_json::{Value, json};

#[test]
fn findings_as_parquet_with_marks_and_the_same_files_as_ruhu_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    // An exited household that does not accept its exit and earns below the line.
    let hh = demo_households(Status::Exited, 1).remove(0);
    let file = answer_file(dir.path(), "exited");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    v["answers"]["accepts_exit"] = json!(false);
    v["answers"]["not_accept_reason"] = json!("觉得收入还不稳定");
    v["answers"]["income_wage"] = json!(1000.0);
    v["answers"]["income_business"] = json!(0.0);
    std::fs::write(&file, v.to_string()).unwrap();
    let id = applied_id(&data, On::Household(&hh), &file, &["--complete"]);
    let listed = run_json(&data, &["findings"]);
    let listed = listed.as_array().unwrap();
    assert!(listed.len() >= 2, "{listed:?}");
    let rule = listed[0]["rule"].as_str().unwrap().to_string();
    let (code, _, err) = ruhu(
        &data,
        &[
            "mark",
            "--interview",
            &id,
            "--rule",
            &rule,
            "--confirm",
            "--comment",
            "入户核实属实",
        ],
    );
    assert_eq!(code, 0, "{err}");

    let out = dir.path().join("核查.parquet");
    let v = run_json(
        &data,
        &["export", "findings", "--out", out.to_str().unwrap()],
    );
    assert_eq!(v["files"][0]["rows"], listed.len());
    let f = File::open(&out).unwrap();
    let b: RecordBatch = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(b.num_rows(), listed.len());
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let headers: Vec<&str> = ruhu::reconcile::export::FINDING_HEADERS
        .iter()
        .map(|h| h.1)
        .collect();
    assert_eq!(&names[..headers.len()], &headers[..]);
    assert_eq!(
        &names[headers.len()..],
        ["kind_code", "severity_code", "mark_code", "in_progress"]
    );
    assert_eq!(
        schema.field_with_name("marked_at").unwrap().data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    let s = |c: &str, r: usize| {
        let a = b.column_by_name(c).unwrap().as_string::<i32>();
        (!a.is_null(r)).then(|| a.value(r).to_string())
    };
    let marked_at = b
        .column_by_name("marked_at")
        .unwrap()
        .as_primitive::<TimestampMicrosecondType>();
    for (r, f) in listed.iter().enumerate() {
        assert_eq!(s("household_id", r).as_deref(), f["household_id"].as_str());
        assert_eq!(s("rule", r).as_deref(), f["rule"].as_str());
        assert_eq!(s("kind_code", r).as_deref(), f["kind"].as_str());
        assert_eq!(s("severity_code", r).as_deref(), f["severity"].as_str());
        assert_eq!(s("message", r).as_deref(), f["message"]["zh"].as_str());
        let marked = f["rule"] == rule.as_str();
        assert_eq!(s("mark_code", r).as_deref(), marked.then_some("confirmed"));
        assert_eq!(!marked_at.is_null(r), marked);
        if marked {
            assert_eq!(s("comment", r).as_deref(), Some("入户核实属实"));
            assert_eq!(s("mark", r).as_deref(), Some("已确认"));
        }
    }
    let progress = b.column_by_name("in_progress").unwrap().as_boolean();
    assert!(!progress.value(0));

    // CSV, XLSX and JSON are the files `ruhu findings --out` writes.
    for ext in ["csv", "xlsx", "json"] {
        let a = dir.path().join(format!("a.{ext}"));
        let b = dir.path().join(format!("b.{ext}"));
        assert_eq!(
            ruhu(&data, &["findings", "--out", a.to_str().unwrap()]).0,
            0
        );
        let (code, _, err) = ruhu(&data, &["export", "findings", "--out", b.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        if ext == "xlsx" {
            use calamine::{Reader, Xlsx, open_workbook};
            let rows = |p: &std::path::Path| {
                let mut w: Xlsx<_> = open_workbook(p).unwrap();
                let r = w.worksheet_range("核查问题").unwrap();
                r.rows()
                    .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            };
            assert_eq!(rows(&a), rows(&b));
        } else {
            assert_eq!(
                std::fs::read(&a).unwrap(),
                std::fs::read(&b).unwrap(),
                "{ext}"
            );
        }
    }

    // The filters of `ruhu findings`.
    let kind = listed[0]["kind"].as_str().unwrap();
    let same_kind = listed.iter().filter(|f| f["kind"] == kind).count();
    let v = run_json(
        &data,
        &[
            "export",
            "findings",
            "--kind",
            kind,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(v["files"][0]["rows"], same_kind);
    let v = run_json(
        &data,
        &[
            "export",
            "findings",
            "--village",
            "无此村",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(v["files"][0]["rows"], 0);
    let (code, _, err) = ruhu(&data, &["export", "findings", "--out", "核查.ods"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(".parquet") && err.contains("核查.ods"),
        "{err}"
    );
}
