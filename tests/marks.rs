//! Review that counts, through the binary: marks by short id and by household, who marked
//! (`--auditor`, kept once given), clearing and the history; findings by mark status,
//! county, township and interviewer; rates as found and after review, for the sample only;
//! and the verdicts an auditor filled in an exported sheet read back (`mark --from`).

mod common;

use std::path::Path;

use common::walk::answer_file_with;
use common::{On, applied_id, demo_households, ruhu, run_json};
use ruhu::registry::Status;
use serde_json::{Value, json};

/// Demo data with three exited households below the line (wrong exits) made by two
/// interviewers, and a poor household with a car.
fn setup(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    let data = dir.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let low = answer_file_with(dir, "low", "exited", json!({"income_wage": 0}));
    let car = answer_file_with(
        dir,
        "car",
        "poor",
        json!({"red_vehicle": true, "red_detail": "有一辆面包车"}),
    );
    let mut households = Vec::new();
    for (i, h) in demo_households(Status::Exited, 3).iter().enumerate() {
        let who = if i == 0 { "王明" } else { "李华" };
        applied_id(
            &data,
            On::Household(h),
            &low,
            &["--complete", "--interviewer", who],
        );
        households.push(h.clone());
    }
    let poor = demo_households(Status::Poor, 1);
    applied_id(&data, On::Household(&poor[0]), &car, &["--complete"]);
    households.push(poor[0].clone());
    (data, households)
}

fn findings(data: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["findings"];
    args.extend_from_slice(extra);
    run_json(data, &args).as_array().expect("array").clone()
}

fn wrong_exit_of(list: &[Value], household: &str) -> Value {
    list.iter()
        .find(|f| f["household_id"] == household && f["rule"] == "wrong_exit_income")
        .unwrap_or_else(|| panic!("a wrong exit of {household}"))
        .clone()
}

fn wrong_exit_rate(data: &Path, extra: &[&str]) -> (u64, u64) {
    let mut args = vec!["rates", "--by", "county"];
    args.extend_from_slice(extra);
    let v = run_json(data, &args);
    let r = &v["total"]["rates"]["wrong_exit"];
    (
        r["numerator"].as_u64().expect("numerator"),
        r["denominator"].as_u64().expect("denominator"),
    )
}

#[test]
fn marks_by_short_id_and_household_with_who_history_and_clearing() {
    let dir = tempfile::tempdir().expect("dir");
    let (data, hh) = setup(dir.path());
    let list = findings(&data, &[]);
    let first = wrong_exit_of(&list, &hh[0]);
    let id = first["finding_id"]
        .as_str()
        .expect("finding_id")
        .to_string();
    assert_eq!(id.len(), 12, "{id}");
    // The same finding has the same id the next time it is computed.
    assert_eq!(
        wrong_exit_of(&findings(&data, &[]), &hh[0])["finding_id"],
        id
    );

    // By short id, the auditor named once.
    let (code, out, err) = ruhu(
        &data,
        &[
            "--auditor",
            "审计员甲",
            "mark",
            "--id",
            &id,
            "--confirm",
            "--comment",
            "入户核实：确无务工收入",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let m: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(m["mark"]["by"], "审计员甲");
    assert_eq!(m["history"].as_array().expect("history").len(), 1);
    // Next time without --auditor: the name kept is used.
    let (code, out, err) = ruhu(
        &data,
        &[
            "mark",
            "--id",
            &id,
            "--dismiss",
            "--comment",
            "复核：已外出务工",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let m: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(m["mark"]["status"], "dismissed");
    assert_eq!(m["mark"]["by"], "审计员甲");

    // By household: the poor household has one finding that counts and may be named alone;
    // an exited household with several needs --rule, and the error lists their ids.
    let (code, _, err) = ruhu(&data, &["mark", "--household", &hh[1], "--confirm"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("有多条核查结果") && err.contains("wrong_exit_income"),
        "{err}"
    );
    let (code, out, err) = ruhu(
        &data,
        &[
            "mark",
            "--household",
            &hh[1],
            "--rule",
            "wrong_exit_income",
            "--confirm",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("已标记 已确认") && out.contains("审计员甲"),
        "{out}"
    );
    let (code, _, err) = ruhu(&data, &["mark", "--id", "000000000000", "--confirm"]);
    assert_eq!(code, 1);
    assert!(err.contains("没有编号为 000000000000 的核查结果"), "{err}");

    // Clearing: the mark is gone, the history keeps all three.
    let (code, out, err) = ruhu(&data, &["mark", "--id", &id, "--clear", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let m: Value = serde_json::from_str(&out).expect("json");
    assert!(m["mark"].is_null(), "{m}");
    let history = m["history"].as_array().expect("history");
    let statuses: Vec<&Value> = history.iter().map(|h| &h["status"]).collect();
    assert_eq!(
        statuses,
        [&json!("confirmed"), &json!("dismissed"), &Value::Null]
    );
    assert_eq!(history[1]["comment"], "复核：已外出务工");
    assert!(wrong_exit_of(&findings(&data, &[]), &hh[0])["mark"].is_null());
}

#[test]
fn findings_filter_by_mark_place_and_interviewer_and_rates_count_the_review() {
    let dir = tempfile::tempdir().expect("dir");
    let (data, hh) = setup(dir.path());
    let all = findings(&data, &[]);
    let county = all[0]["county"].as_str().expect("county").to_string();
    let township = wrong_exit_of(&all, &hh[0])["township"]
        .as_str()
        .expect("township")
        .to_string();
    // Interviewer: only 王明's interview.
    let by = findings(&data, &["--by-interviewer", "王明"]);
    assert!(!by.is_empty());
    assert!(
        by.iter()
            .all(|f| f["household_id"] == hh[0].as_str() && f["interviewer"] == "王明")
    );
    // County and township.
    assert_eq!(findings(&data, &["--county", &county]).len(), all.len());
    assert!(findings(&data, &["--county", "没有这个县"]).is_empty());
    let in_township = findings(&data, &["--township", &township]);
    assert!(!in_township.is_empty());
    assert!(
        in_township
            .iter()
            .all(|f| f["township"] == township.as_str())
    );

    // As found: 3 exited households below the line.
    let (found_n, found_d) = wrong_exit_rate(&data, &[]);
    assert!(found_n > 0);
    // Dismiss the first household's wrong exits, confirm the second's.
    for f in all
        .iter()
        .filter(|f| f["kind"] == "wrong_exit" && f["severity"] == "finding")
    {
        let verdict = if f["household_id"] == hh[0].as_str() {
            "--dismiss"
        } else {
            "--confirm"
        };
        let id = f["finding_id"].as_str().expect("id");
        let (code, _, err) = ruhu(
            &data,
            &["--auditor", "审计员甲", "mark", "--id", id, verdict],
        );
        assert_eq!(code, 0, "{err}");
    }
    let dismissed = findings(&data, &["--status", "dismissed"]);
    let confirmed = findings(&data, &["--status", "confirmed"]);
    let unmarked = findings(&data, &["--status", "unmarked"]);
    assert!(
        dismissed
            .iter()
            .all(|f| f["household_id"] == hh[0].as_str())
    );
    assert!(!dismissed.is_empty() && !confirmed.is_empty() && !unmarked.is_empty());
    assert_eq!(
        dismissed.len() + confirmed.len() + unmarked.len(),
        all.len()
    );

    // After review the first household leaves the numerator, not the denominator.
    let size = run_json(&data, &["rates", "--by", "county"]);
    assert_eq!(size["reviewed"], false);
    let (after_n, after_d) = wrong_exit_rate(&data, &["--reviewed"]);
    assert_eq!(after_d, found_d);
    assert!(after_n < found_n, "{after_n} < {found_n}");
    let (code, out, _) = ruhu(&data, &["rates", "--reviewed"]);
    assert_eq!(code, 0);
    assert!(out.contains("核查后：已排除的问题不计"), "{out}");
    // The sample only: none drawn yet, said so; once drawn, only its households count.
    let (code, _, err) = ruhu(&data, &["rates", "--sample"]);
    assert_eq!(code, 1);
    assert!(err.contains("还没有抽样"), "{err}");
    let (code, _, err) = ruhu(&data, &["sample", "--seed", "7"]);
    assert_eq!(code, 0, "{err}");
    let v = run_json(&data, &["rates", "--sample", "--by", "county"]);
    assert_eq!(v["sample_only"], true);
    assert!(v["total"]["households"].as_u64().expect("households") <= 4);
}

#[test]
fn verdicts_filled_in_an_exported_sheet_are_read_back() {
    let dir = tempfile::tempdir().expect("dir");
    let (data, hh) = setup(dir.path());
    let all = findings(&data, &[]);
    let first = wrong_exit_of(&all, &hh[0]);
    let second = wrong_exit_of(&all, &hh[1]);
    let third = wrong_exit_of(&all, &hh[2]);
    // The third was marked before; the sheet shows its mark and the auditor leaves it.
    let third_id = third["finding_id"].as_str().expect("id");
    assert_eq!(ruhu(&data, &["mark", "--id", third_id, "--confirm"]).0, 0);

    // The auditor fills the workbook in a spreadsheet: read it, write it again with the
    // verdicts (as a spreadsheet program saves it).
    let xlsx = dir.path().join("核查结果.xlsx");
    let (code, _, err) = ruhu(&data, &["findings", "--out", xlsx.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(&xlsx).expect("open");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    let (id_col, mark_col, comment_col) = (col("核查编号"), col("核查结论"), col("核查意见"));
    let mut filled = rust_xlsxwriter::Workbook::new();
    let ws = filled.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let mut cell = cell.clone();
            if r > 0 && row[id_col] == first["finding_id"].as_str().unwrap() {
                if c == mark_col {
                    cell = "已排除".into();
                } else if c == comment_col {
                    cell = "复核：家中有人外出务工".into();
                }
            }
            if r > 0 && row[id_col] == second["finding_id"].as_str().unwrap() && c == mark_col {
                cell = "已确认".into();
            }
            ws.write_string(r as u32, c as u16, &cell).expect("cell");
        }
    }
    let back = dir.path().join("已填写.xlsx");
    filled.save(&back).expect("save");
    let (code, out, err) = ruhu(
        &data,
        &[
            "--auditor",
            "审计员乙",
            "mark",
            "--from",
            back.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (v["marked"].clone(), v["cleared"].clone()),
        (json!(2), json!(0))
    );
    let now = findings(&data, &[]);
    let f1 = wrong_exit_of(&now, &hh[0]);
    assert_eq!(f1["mark"]["status"], "dismissed");
    assert_eq!(f1["mark"]["comment"], "复核：家中有人外出务工");
    assert_eq!(f1["mark"]["by"], "审计员乙");
    assert_eq!(wrong_exit_of(&now, &hh[1])["mark"]["status"], "confirmed");
    assert_eq!(wrong_exit_of(&now, &hh[2])["mark"]["status"], "confirmed");
    assert_eq!(
        v["unchanged"], 1,
        "the third row shows the mark it has: {v}"
    );
    // Read again: nothing changes.
    let v = run_json(&data, &["mark", "--from", back.to_str().unwrap()]);
    assert_eq!(
        (v["marked"].clone(), v["unchanged"].clone()),
        (json!(0), json!(3))
    );

    // A CSV export filled with a verdict nobody knows: refused naming the row, nothing
    // marked (the good row before it included).
    let csv = dir.path().join("findings.csv");
    assert_eq!(
        ruhu(&data, &["findings", "--out", csv.to_str().unwrap()]).0,
        0
    );
    let mut reader = csv::Reader::from_path(&csv).expect("csv");
    let headers = reader.headers().expect("headers").clone();
    let mut out = csv::Writer::from_path(dir.path().join("filled.csv")).expect("writer");
    out.write_record(&headers).expect("header");
    for (i, rec) in reader.records().enumerate() {
        let mut rec: Vec<String> = rec.expect("row").iter().map(str::to_string).collect();
        let m = headers.iter().position(|h| h == "核查结论").expect("mark");
        rec[m] = match i {
            0 => "清除".into(),
            1 => "也许".into(),
            _ => rec[m].clone(),
        };
        out.write_record(&rec).expect("row");
    }
    out.flush().expect("flush");
    drop(out);
    let before = findings(&data, &[]);
    let (code, _, err) = ruhu(
        &data,
        &[
            "mark",
            "--from",
            dir.path().join("filled.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("第 3 行") && err.contains("也许") && err.contains("没有标记任何结果"),
        "{err}"
    );
    assert_eq!(findings(&data, &[]), before, "nothing marked");
    // A sheet that is not a findings export.
    std::fs::write(dir.path().join("other.csv"), "a,b\n1,2\n").expect("write");
    let (code, _, err) = ruhu(
        &data,
        &[
            "mark",
            "--from",
            dir.path().join("other.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("找不到「核查编号」"), "{err}");
}
