//! `ruhu coverage`: the sample's households drawn, interviewed, completed, approved and
//! returned per village and per interviewer, and those not visited yet.

mod common;

use common::ruhu;
use common::walk::answer_file;
use serde_json::Value;

#[test]
fn coverage_counts_the_sample_by_village_and_interviewer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    // Before a sample: said, exit 1.
    let (code, _, err) = ruhu(&data, &["coverage"]);
    assert_eq!(code, 1);
    assert!(err.contains("还没有抽样"), "{err}");
    let (code, out, err) = ruhu(&data, &["sample", "--seed", "7", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let sample: Value = serde_json::from_str(&out).unwrap();
    let entries = sample["entries"].as_array().unwrap();
    let exited: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "exited")
        .take(2)
        .collect();
    assert_eq!(exited.len(), 2, "{sample}");
    let file = answer_file(dir.path(), "exited");
    let mut ids = Vec::new();
    for e in &exited {
        let (code, out, err) = ruhu(
            &data,
            &[
                "interview",
                "apply",
                "--household",
                e["household_id"].as_str().unwrap(),
                "--answers",
                file.to_str().unwrap(),
                "--complete",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        ids.push(v["interview_id"].as_str().unwrap().to_string());
    }
    let (code, _, err) = ruhu(&data, &["review", "return", &ids[1], "--comment", "再访"]);
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = ruhu(&data, &["coverage", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let c: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(c["by"], "village");
    assert_eq!(
        c["total"]["drawn"].as_u64().unwrap() as usize,
        entries.len()
    );
    assert_eq!(c["total"]["interviewed"], 2);
    assert_eq!(c["total"]["completed"], 1);
    assert_eq!(c["total"]["returned"], 1);
    assert_eq!(
        c["not_visited"].as_array().unwrap().len(),
        entries.len() - 2
    );
    let rows = c["rows"].as_array().unwrap();
    let drawn: u64 = rows.iter().map(|r| r["drawn"].as_u64().unwrap()).sum();
    assert_eq!(drawn as usize, entries.len());
    let village = exited[0]["village"].as_str().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["village"] == village && r["interviewed"].as_u64().unwrap() >= 1),
        "{c}"
    );

    let (code, out, _) = ruhu(
        &data,
        &["coverage", "--by", "interviewer", "--format", "json"],
    );
    assert_eq!(code, 0);
    let c: Value = serde_json::from_str(&out).unwrap();
    let rows = c["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{c}");
    assert_eq!(rows[0]["interviewed"], 2);
    assert_eq!(rows[0]["returned"], 1);

    let (code, out, _) = ruhu(&data, &["coverage"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("抽中") && out.contains("尚未调查的抽中户"),
        "{out}"
    );
}
