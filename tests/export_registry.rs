//! `ruhu registry export`: the households and members in the columns `ruhu registry import`
//! and `import-members` read. Exported and imported into an empty data folder, the records
//! are the same; the Parquet tables read back typed.

mod common;

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use common::{ruhu, run_json};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

/// The households as `registry list` gives them in full, without the flag that says they were
/// loaded by `ruhu demo` (an import is never demo data).
fn records(data: &Path) -> Vec<Value> {
    let v = run_json(data, &["--show-ids", "registry", "list"]);
    v.as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(|mut h| {
            h.as_object_mut().unwrap().remove("demo");
            h
        })
        .collect()
}

#[test]
fn an_export_imports_again_into_an_empty_store_to_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo", "--households", "120"]).0, 0);
    let before = records(&data);
    assert_eq!(before.len(), 120);
    for ext in ["csv", "xlsx"] {
        let out = dir.path().join(format!("建档立卡.{ext}"));
        let v = run_json(
            &data,
            &[
                "--show-ids",
                "registry",
                "export",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(v["files"][0]["rows"], 120, "{v}");
        assert_eq!(v["files"][1]["table"], "members");
        let members = dir.path().join(format!("建档立卡.members.{ext}"));
        assert_eq!(v["files"][1]["path"], members.to_str().unwrap());
        let people: usize = before
            .iter()
            .map(|h| h["members"].as_array().unwrap().len())
            .sum();
        assert_eq!(v["files"][1]["rows"], people);

        let again = dir.path().join(format!("again-{ext}"));
        let (code, out, err) = ruhu(&again, &["registry", "import", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{ext}: {out}{err}");
        let (code, out, err) = ruhu(
            &again,
            &["registry", "import-members", members.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{ext}: {out}{err}");
        let after = records(&again);
        assert_eq!(after.len(), before.len());
        for (a, b) in after.iter().zip(&before) {
            assert_eq!(a, b, "{ext}: household {}", b["household_id"]);
        }
    }
}

#[test]
fn id_numbers_are_masked_unless_asked_and_parquet_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo", "--households", "40"]).0, 0);
    let full = records(&data);
    let out = dir.path().join("r.csv");
    let (code, _, err) = ruhu(
        &data,
        &["registry", "export", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let id = full[0]["head_id_number"].as_str().unwrap();
    assert!(!text.contains(id), "an ID number in full");
    assert!(text.contains(&format!("{}**********{}", &id[..4], &id[14..])));
    assert!(
        text.contains("户编号") && text.contains("脱贫状态"),
        "the import's headers"
    );

    let out = dir.path().join("r.parquet");
    let v = run_json(
        &data,
        &["registry", "export", "--out", out.to_str().unwrap()],
    );
    assert_eq!(v["files"][0]["rows"], 40);
    let read = |p: &Path| -> RecordBatch {
        let f = File::open(p).unwrap();
        let mut r = ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap();
        r.next().unwrap().unwrap()
    };
    let b = read(&out);
    assert_eq!(b.num_rows(), 40);
    let schema = b.schema();
    let ty = |c: &str| schema.field_with_name(c).unwrap().data_type().clone();
    assert_eq!(ty("household_size"), DataType::Int64);
    assert_eq!(ty("income_per_capita"), DataType::Float64);
    assert_eq!(ty("remote"), DataType::Boolean);
    let h = &full[0];
    let s = |c: &str| {
        b.column_by_name(c)
            .unwrap()
            .as_string::<i32>()
            .value(0)
            .to_string()
    };
    assert_eq!(s("household_id"), h["household_id"].as_str().unwrap());
    assert_eq!(s("head_name"), h["head_name"].as_str().unwrap());
    assert_eq!(s("village"), h["village"].as_str().unwrap());
    assert_eq!(s("status"), h["status"].as_str().unwrap());
    assert!(s("head_id_number").contains("**********"));
    let size = b
        .column_by_name("household_size")
        .unwrap()
        .as_primitive::<Int64Type>();
    assert_eq!(size.value(0), h["household_size"].as_i64().unwrap());
    let income = b
        .column_by_name("income_per_capita")
        .unwrap()
        .as_primitive::<Float64Type>();
    assert_eq!(income.value(0), h["income_per_capita"].as_f64().unwrap());
    assert_eq!(
        b.column_by_name("remote").unwrap().as_boolean().value(0),
        h["remote"].as_bool().unwrap()
    );
    let m = read(&dir.path().join("r.members.parquet"));
    let people: usize = full
        .iter()
        .map(|h| h["members"].as_array().unwrap().len())
        .sum();
    assert_eq!(m.num_rows(), people);
    let name = m.column_by_name("name").unwrap().as_string::<i32>();
    assert_eq!(name.value(0), h["members"][0]["name"].as_str().unwrap());
    let age = m.column_by_name("age").unwrap().as_primitive::<Int64Type>();
    assert!(!age.is_null(0));

    let bad = dir.path().join("r.xls");
    let (code, _, err) = ruhu(
        &data,
        &["registry", "export", "--out", bad.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(err.contains(".parquet") && err.contains("r.xls"), "{err}");
    assert!(!bad.exists());
}
