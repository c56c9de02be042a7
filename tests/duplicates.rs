//! A household interviewed twice: both interviews are kept, one counts for findings and
//! rates (the team lead's choice, else the latest completed), and the findings say so.

mod common;

use common::walk::answer_file;
use common::{demo_household, ruhu};
use ruhu::registry::Status;
use serde_json::Value;

fn findings(data: &std::path::Path) -> Vec<Value> {
    let (code, out, err) = ruhu(data, &["findings", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_household_visited_twice_counts_once_and_its_findings_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let hh = demo_household(Status::Exited);
    let file = answer_file(dir.path(), "exited");
    let apply = || {
        let (code, out, err) = ruhu(
            &data,
            &[
                "interview",
                "apply",
                "--household",
                &hh,
                "--answers",
                file.to_str().unwrap(),
                "--complete",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        serde_json::from_str::<Value>(&out).unwrap()["interview_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = apply();
    let once = findings(&data);
    assert!(!once.is_empty(), "the walk's answers raise findings");
    assert!(once.iter().all(|f| f["visits"].is_null()));
    let second = apply();
    assert_ne!(first, second);
    let (_, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "both interviews kept");

    let twice = findings(&data);
    assert_eq!(twice.len(), once.len(), "counted once, not twice");
    assert!(twice.iter().all(|f| f["interview_id"] == second.as_str()));
    assert!(twice.iter().all(|f| f["visits"]["count"] == 2));
    assert!(twice.iter().all(|f| f["visits"]["settled"] == "latest"));
    let (_, text, _) = ruhu(&data, &["findings"]);
    assert!(text.contains("此户入户 2 次"), "{text}");

    // Listed, the latest counting for now.
    let (code, out, err) = ruhu(&data, &["sync", "duplicates", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d.as_array().unwrap().len(), 1);
    assert_eq!(d[0]["household_id"], hh.as_str());
    assert_eq!(d[0]["counting"], second.as_str());
    assert_eq!(d[0]["settled"], "latest");
    assert_eq!(d[0]["interviews"].as_array().unwrap().len(), 2);

    // The lead chooses the first: findings come from it, and say so.
    let (code, out, err) = ruhu(&data, &["sync", "choose", &first]);
    assert_eq!(code, 0, "{out}{err}");
    let chosen = findings(&data);
    assert_eq!(chosen.len(), once.len());
    assert!(chosen.iter().all(|f| f["interview_id"] == first.as_str()));
    assert!(chosen.iter().all(|f| f["visits"]["settled"] == "chosen"));
    let (_, out, _) = ruhu(&data, &["sync", "duplicates", "--format", "json"]);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d[0]["counting"], first.as_str());
    let (_, text, _) = ruhu(&data, &["sync", "duplicates"]);
    assert!(text.contains("组长已选定"), "{text}");
    // The choice is an event the store checks like the others.
    let (code, out, err) = ruhu(&data, &["verify", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");

    // A household visited once has nothing to choose.
    let other = demo_household(Status::Poor);
    let poor = answer_file(dir.path(), "poor");
    let (code, out, err) = ruhu(
        &data,
        &[
            "interview",
            "apply",
            "--household",
            &other,
            "--answers",
            poor.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let single = serde_json::from_str::<Value>(&out).unwrap()["interview_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, _, err) = ruhu(&data, &["sync", "choose", &single]);
    assert_eq!(code, 1);
    assert!(err.contains("只有这一次入户"), "{err}");
}

#[test]
fn two_new_households_whose_heads_share_an_id_number_are_one_visited_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let file = answer_file(dir.path(), "non_poor");
    let enter = |head: &str| {
        let (code, out, err) = ruhu(
            &data,
            &[
                "interview",
                "apply",
                "--new-household",
                "--head",
                head,
                "--village",
                "桂花村",
                "--answers",
                file.to_str().unwrap(),
                "--complete",
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let a = enter("王建国");
    let of = |all: &[Value], h: &Value| all.iter().filter(|f| f["household_id"] == *h).count();
    let before = of(&findings(&data), &a["household_id"]);
    assert!(before > 0, "the walk's answers raise findings");
    let b = enter("王健国");
    assert_ne!(a["household_id"], b["household_id"]);
    let (code, out, err) = ruhu(&data, &["sync", "duplicates", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    let households = d[0]["households"].as_array().unwrap();
    assert_eq!(households.len(), 2);
    assert_eq!(d[0]["counting"], b["interview_id"]);
    // Findings come from the one that counts only.
    let all = findings(&data);
    assert_eq!(of(&all, &a["household_id"]), 0);
    assert_eq!(of(&all, &b["household_id"]), before);
}
