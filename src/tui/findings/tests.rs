//! The findings list's filters, order and counts over made-up findings (no store).

use std::collections::HashMap;

use super::filters::{self, Filters, MarkFilter, SortBy, VillagePlace};
use crate::reconcile::{Finding, FindingKind, Mark, MarkStatus};

fn finding(n: usize, kind: FindingKind, township: &str, village: &str, head: &str) -> Finding {
    serde_json::from_value(serde_json::json!({
        "household_id": format!("99990100000{n:04}"),
        "interview_id": uuid::Uuid::from_u128(n as u128),
        "head_name": head,
        "county": "演示县",
        "township": township,
        "village": village,
        "household_kind": "exited",
        "kind": kind,
        "rule": format!("rule_{n}"),
        "severity": "finding",
        "message": {"zh": "说明", "en": "message"},
        "evidence": [],
        "in_progress": false,
    }))
    .unwrap()
}

fn sample() -> Vec<Finding> {
    use FindingKind::*;
    vec![
        finding(0, Mismatch, "清溪镇", "清溪村第三村民小组", "王建国"),
        finding(1, WrongInclusion, "清溪镇", "清溪村第三村民小组", "王建国"),
        finding(2, WrongExit, "清溪镇", "桂花村", "李秀英"),
        finding(3, Returned, "白云镇", "桂花村", "张三丰"),
        finding(4, Missed, "白云镇", "松林村", "赵四"),
        finding(5, WrongExit, "白云镇", "松林村", "赵四"),
    ]
}

fn mark(f: &Finding, status: MarkStatus) -> Mark {
    Mark {
        interview_id: f.interview_id,
        rule: f.key().1,
        status,
        comment: String::new(),
        by: "赵审核".into(),
        at: crate::session::now(),
    }
}

#[test]
fn kinds_sort_in_the_order_of_the_assessment_not_by_their_english_names() {
    let all = sample();
    let shown = filters::shown(&all, &HashMap::new(), &Filters::default(), SortBy::Kind);
    let kinds: Vec<String> = shown.iter().map(|&i| all[i].kind.label().zh).collect();
    assert_eq!(
        kinds,
        ["错退", "错退", "漏评", "错评", "返贫", "信息不符"],
        "by English names it would be missed, mismatch, returned, …"
    );
    // Ties keep the place order.
    assert_eq!(shown[..2], [2, 5]);
}

#[test]
fn filters_by_review_place_and_search_and_counts_the_reviewed() {
    let all = sample();
    let mut marks = HashMap::new();
    marks.insert(all[2].key(), mark(&all[2], MarkStatus::Confirmed));
    marks.insert(all[4].key(), mark(&all[4], MarkStatus::Dismissed));
    let shown = |f: &Filters| filters::shown(&all, &marks, f, SortBy::Place);
    let every = shown(&Filters::default());
    assert_eq!(filters::reviewed(&all, &marks, &every), 2);
    let unmarked = Filters {
        mark: Some(MarkFilter::Unmarked),
        ..Filters::default()
    };
    assert_eq!(shown(&unmarked), [0, 1, 3, 5]);
    let dismissed = Filters {
        mark: Some(MarkFilter::Dismissed),
        ..Filters::default()
    };
    assert_eq!(shown(&dismissed), [4]);
    // 桂花村 of 清溪镇 is not 桂花村 of 白云镇.
    let village = Filters {
        village: Some(VillagePlace {
            county: "演示县".into(),
            township: "白云镇".into(),
            village: "桂花村".into(),
        }),
        ..Filters::default()
    };
    assert_eq!(shown(&village), [3]);
    let township = Filters {
        township: Some(("演示县".into(), "清溪镇".into())),
        ..Filters::default()
    };
    assert_eq!(shown(&township), [0, 1, 2]);
    let search = Filters {
        search: " 王建 ".into(),
        ..Filters::default()
    };
    assert_eq!(shown(&search), [0, 1]);
    let by_id = Filters {
        search: "00003".into(),
        ..Filters::default()
    };
    assert_eq!(shown(&by_id), [3]);
    assert!(Filters::default().is_empty() && !search.is_empty());
    assert_eq!(
        township.describe(crate::i18n::Lang::Zh),
        "乡镇 演示县 / 清溪镇"
    );
}

#[test]
fn the_villages_to_pick_are_those_with_findings_with_their_counts() {
    let all = sample();
    let mut marks = HashMap::new();
    marks.insert(all[0].key(), mark(&all[0], MarkStatus::Confirmed));
    let v = filters::villages(&all, &marks, &Filters::default());
    let names: Vec<(String, usize, usize)> = v
        .iter()
        .map(|c| (c.value.text(), c.findings, c.unreviewed))
        .collect();
    assert_eq!(
        names,
        [
            ("演示县 / 清溪镇 / 桂花村".to_string(), 1, 1),
            ("演示县 / 清溪镇 / 清溪村第三村民小组".to_string(), 2, 1),
            ("演示县 / 白云镇 / 松林村".to_string(), 2, 2),
            ("演示县 / 白云镇 / 桂花村".to_string(), 1, 1),
        ]
    );
    // Within the township picked, and under the other filters.
    let f = Filters {
        township: Some(("演示县".into(), "白云镇".into())),
        kind: Some(FindingKind::WrongExit),
        ..Filters::default()
    };
    let v = filters::villages(&all, &marks, &f);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].value.village, "松林村");
    assert_eq!(v[0].findings, 1);
}
