//! The rates screen: whole village names at 80 and 60 columns, grouping by village,
//! township or county, households and people beside each rate, as found and after review,
//! the drawn sample only or every interview, and the export that asks where. Screens are
//! read as rendered text (TestBackend).

mod common;

use common::auditors::{LONG_VILLAGE, key, render};
use ratatui::crossterm::event::KeyCode;
use ruhu::i18n::Lang;
use ruhu::tui::App;

/// Interviews enough for every village to have a few.
const INTERVIEWS: usize = 40;

fn app() -> (tempfile::TempDir, std::path::PathBuf, App) {
    common::auditors::app(INTERVIEWS, Lang::Zh)
}

/// The rows of the screen that hold `text`.
fn rows_with<'a>(s: &'a str, text: &str) -> Vec<&'a str> {
    s.lines().filter(|l| l.contains(text)).collect()
}

#[test]
fn village_names_are_whole_at_80_and_60_columns() {
    let (_root, _data, mut a) = app();
    key(&mut a, KeyCode::Char('3'));
    let s = render(&a, 80, 40);
    assert!(s.contains("错退率（按人数）· 按村 · 全部调查"), "{s}");
    assert!(
        s.contains(" 演示县 / 清溪镇"),
        "the township above its villages: {s}"
    );
    assert!(s.contains(LONG_VILLAGE), "whole at 80 columns: {s}");
    assert!(!s.contains('~'), "nothing cut: {s}");
    // 60 columns: the name wraps in its column, nothing is cut.
    let s = render(&a, 60, 40);
    assert!(!s.contains('~'), "nothing cut at 60: {s}");
    let at = s
        .lines()
        .position(|l| l.contains("清溪村"))
        .unwrap_or_else(|| panic!("{s}"));
    let lines: Vec<&str> = s.lines().collect();
    let first = lines[at].trim_start();
    let second = lines[at + 1].trim_start();
    let joined = format!(
        "{}{}",
        first.split_whitespace().next().unwrap(),
        second.split_whitespace().next().unwrap_or("")
    );
    assert!(joined.starts_with(LONG_VILLAGE), "{joined:?} in {s}");
}

#[test]
fn grouping_switches_and_households_and_people_are_counted() {
    let (_root, _data, mut a) = app();
    let rec = a.reconciler.as_ref().unwrap();
    let surveyed = a.ws.reconcile(rec, &Default::default()).unwrap().surveyed;
    let households = surveyed.len();
    let people: u64 = surveyed.iter().map(|s| u64::from(s.people)).sum();
    key(&mut a, KeyCode::Char('3'));
    let s = render(&a, 100, 60);
    assert!(s.contains("核查前") && s.contains("核查后"), "{s}");
    assert!(s.contains("户数") && s.contains("人数"), "{s}");
    let total = rows_with(&s, "合计");
    assert_eq!(total.len(), 1, "{s}");
    let cells: Vec<&str> = total[0].split_whitespace().collect();
    assert!(
        cells.contains(&households.to_string().as_str()),
        "{total:?}"
    );
    assert!(cells.contains(&people.to_string().as_str()), "{total:?}");
    key(&mut a, KeyCode::Char('g'));
    let s = render(&a, 100, 60);
    assert!(s.contains("按乡镇"), "{s}");
    for t in common::auditors::TOWNSHIPS {
        assert!(s.contains(t), "{t}: {s}");
    }
    assert!(
        !s.contains(LONG_VILLAGE),
        "no villages when grouped by township: {s}"
    );
    key(&mut a, KeyCode::Char('g'));
    let s = render(&a, 100, 60);
    assert!(s.contains("按县") && s.contains(" 演示县"), "{s}");
    key(&mut a, KeyCode::Char('g'));
    assert!(render(&a, 100, 60).contains("按村"));
    // The next rate.
    key(&mut a, KeyCode::Char('r'));
    assert!(render(&a, 100, 60).contains("漏评率（按人数）"));
    // The switches are kept when leaving.
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('3'));
    let s = render(&a, 100, 60);
    assert!(s.contains("漏评率（按人数）· 按乡镇"), "{s}");
}

#[test]
fn the_drawn_sample_only_or_every_interview() {
    let (_root, data, mut a) = app();
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('m'));
    assert!(
        render(&a, 100, 40).contains("还没有抽样"),
        "no sample drawn yet"
    );
    drop(a);
    let (code, out, err) = common::ruhu(&data, &["sample", "--seed", "7"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut a = App::new(common::auditors::open_ws(&data), Lang::Zh, "测试员".into());
    let ids = a.ws.sample_ids().unwrap();
    let rec = a.reconciler.as_ref().unwrap();
    let surveyed = a.ws.reconcile(rec, &Default::default()).unwrap().surveyed;
    let in_sample = surveyed
        .iter()
        .filter(|s| ids.contains(&s.household_id))
        .count();
    assert!(
        in_sample < surveyed.len(),
        "{in_sample} of {}",
        surveyed.len()
    );
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::Char('g'));
    let every = render(&a, 100, 40);
    key(&mut a, KeyCode::Char('m'));
    let s = render(&a, 100, 40);
    assert!(s.contains("只看抽样户"), "{s}");
    let total = rows_with(&s, "合计");
    assert!(
        total[0]
            .split_whitespace()
            .any(|c| c == in_sample.to_string()),
        "{in_sample} households of the sample: {s}\n{every}"
    );
}

#[test]
fn the_export_asks_where_and_says_the_whole_path() {
    let (root, data, mut a) = app();
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('x'));
    let s = render(&a, 160, 30);
    let parent = std::path::absolute(&data).unwrap();
    let parent = parent.parent().unwrap().display().to_string();
    assert!(s.contains("导出比率到："), "{s}");
    assert!(s.contains(&format!("{parent}/比率-按村-")), "{s}");
    for _ in 0..400 {
        key(&mut a, KeyCode::Backspace);
    }
    let bad = root.path().join("比率.ods");
    a.on_paste(&bad.display().to_string());
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 160, 30).contains("不知道以什么格式写"));
    for _ in 0..3 {
        key(&mut a, KeyCode::Backspace);
    }
    ruhu_type(&mut a, "csv");
    key(&mut a, KeyCode::Enter);
    let good = root.path().join("比率.csv");
    let s = render(&a, 160, 30);
    assert!(
        s.contains(&format!(
            "已导出比率（核查后，全部调查）到 {}",
            good.display()
        )),
        "{s}"
    );
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(text.contains(LONG_VILLAGE), "{text}");
    assert!(text.contains("错退率"), "{text}");
}

fn ruhu_type(a: &mut App, text: &str) {
    common::auditors::typed(a, text);
}
#[test]
fn rates_after_review_leave_out_the_findings_dismissed() {
    let (_root, _data, mut a) = app();
    let rec = a.reconciler.as_ref().unwrap();
    let filter = ruhu::reconcile::Filter::default();
    let found = a.ws.reconcile(rec, &filter).unwrap().findings;
    let long: Vec<_> = found.iter().filter(|f| f.village == LONG_VILLAGE).collect();
    assert!(!long.is_empty());
    for f in &long {
        let m = ruhu::reconcile::Mark::for_finding(
            f,
            ruhu::reconcile::MarkStatus::Dismissed,
            "入户核实，情况属实无误",
            "赵审核",
            ruhu::session::now(),
        );
        a.ws.put_mark(&m).unwrap();
    }
    let kind = long[0].household_kind;
    key(&mut a, KeyCode::Char('3'));
    if kind == ruhu::questionnaire::Kind::Poor {
        key(&mut a, KeyCode::Char('r'));
        key(&mut a, KeyCode::Char('r'));
    }
    let s = render(&a, 100, 60);
    let row = rows_with(&s, LONG_VILLAGE);
    assert_eq!(row.len(), 1, "{s}");
    let cells: Vec<&str> = row[0].split_whitespace().collect();
    // 村 | as found: 100.00% n/n✗ | after review: 0.00% 0/n | households | people
    assert!(cells[1] == "100.00%" && cells[2].ends_with('✗'), "{row:?}");
    assert!(cells[3] == "0.00%" && cells[4].starts_with("0/"), "{row:?}");
}
