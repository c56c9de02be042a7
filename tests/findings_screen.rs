//! The auditors' findings screen with 600+ findings from completed interviews of households
//! spread over 130 villages: filters and "已核查 x / y", the search by a Chinese name,
//! Home/End, marking with a typed comment that moves on, the auditor's name asked once,
//! clearing a mark and its history, the village picker, the position kept when the screen
//! is left, the order of kinds, the export that asks where, and the detail's registry record
//! with labels and masked ID numbers. Screens are read as rendered text (TestBackend).

mod common;

use common::auditors::{LONG_VILLAGE, key, open_ws, render, typed};
use ratatui::crossterm::event::KeyCode;
use ruhu::i18n::Lang;
use ruhu::tui::App;

/// Every exited and poor household of the demo registry interviewed: 600+ findings.
const INTERVIEWS: usize = 1000;

fn app(lang: Lang) -> (tempfile::TempDir, std::path::PathBuf, App) {
    common::auditors::app(INTERVIEWS, lang)
}

/// The number after `label` on the screen (`共 612 项` → 612).
fn number_after(screen: &str, label: &str) -> usize {
    let at = screen
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {screen}"));
    screen[at + label.len()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in {screen}"))
}

/// "已核查 x / y" on the screen: (x, y).
fn reviewed(screen: &str) -> (usize, usize) {
    let x = number_after(screen, "已核查");
    let at = screen.find("已核查").unwrap();
    let y = number_after(&screen[at..], "/");
    (x, y)
}

/// Every finding as reconciled, in the list's first order (by place).
fn findings(a: &App) -> Vec<ruhu::reconcile::Finding> {
    let rec = a.reconciler.as_ref().unwrap();
    let filter = ruhu::reconcile::Filter {
        include_in_progress: true,
        ..Default::default()
    };
    a.ws.reconcile(rec, &filter).unwrap().findings
}

/// The detail's first line: kind, severity, household id, head.
fn detail_head(a: &App) -> String {
    render(a, 100, 40).lines().nth(1).unwrap().to_string()
}

#[test]
fn six_hundred_findings_with_filters_and_the_count_reviewed() {
    let (_root, _data, mut a) = app(Lang::Zh);
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 100, 30);
    let all = number_after(&s, "共");
    assert!(all >= 600, "{all} findings: {s}");
    assert_eq!(reviewed(&s), (0, all), "{s}");
    assert!(s.contains("筛选：无"), "{s}");
    // Kind: wrong exits only.
    key(&mut a, KeyCode::Char('k'));
    let s = render(&a, 100, 30);
    assert!(s.contains("类别 错退"), "{s}");
    let wrong_exits = findings(&a)
        .iter()
        .filter(|f| f.kind == ruhu::reconcile::FindingKind::WrongExit)
        .count();
    assert_eq!(reviewed(&s), (0, wrong_exits), "{s}");
    assert!(!s.contains("信息不符"), "{s}");
    // By review: the confirmed ones, none yet.
    key(&mut a, KeyCode::Char('s'));
    key(&mut a, KeyCode::Char('s'));
    let s = render(&a, 100, 30);
    assert!(s.contains("核查 已确认"), "{s}");
    assert_eq!(reviewed(&s), (0, 0), "{s}");
    assert!(s.contains("没有符合筛选的核查发现"), "{s}");
    // A township, picked from its list.
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Char('t'));
    typed(&mut a, "白云");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("乡镇 演示县 / 白云镇"), "{s}");
    let in_township = findings(&a)
        .iter()
        .filter(|f| f.township == "白云镇")
        .count();
    assert!(in_township > 0 && in_township < all);
    assert_eq!(reviewed(&s), (0, in_township), "{s}");
    // 80×24 draws the same count.
    let s = render(&a, 80, 24);
    assert_eq!(reviewed(&s), (0, in_township), "{s}");
}

#[test]
fn search_by_a_chinese_name() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    let name = all[all.len() / 2].head_name.clone();
    let expected = all.iter().filter(|f| f.head_name.contains(&name)).count();
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('/'));
    // Chinese comes through the input method as a paste, or typed.
    let (first, rest) = name.split_at(name.char_indices().nth(1).unwrap().0);
    a.on_paste(first);
    typed(&mut a, rest);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains(&format!("搜索（/）：{name}")), "{s}");
    assert_eq!(reviewed(&s), (0, expected), "{s}");
    let rows: Vec<&str> = s.lines().skip(5).take(expected.min(20)).collect();
    assert!(rows.iter().all(|r| r.contains(&name)), "{s}");
    // Esc in the search clears it.
    key(&mut a, KeyCode::Char('/'));
    key(&mut a, KeyCode::Esc);
    assert_eq!(reviewed(&render(&a, 100, 30)), (0, all.len()));
}

#[test]
fn home_end_and_pages_move_over_the_whole_list() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::End);
    key(&mut a, KeyCode::Enter);
    let last = all.last().unwrap();
    assert!(
        detail_head(&a).contains(&last.household_id),
        "{}",
        detail_head(&a)
    );
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert!(
        s.contains(&last.household_id),
        "the last row is in view: {s}"
    );
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::PageDown);
    key(&mut a, KeyCode::Enter);
    assert!(
        detail_head(&a).contains(&all[10].household_id),
        "{}",
        detail_head(&a)
    );
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('?'));
    let help = render(&a, 100, 40);
    assert!(help.contains("Home") && help.contains("第一项"), "{help}");
    assert!(help.contains("End") && help.contains("最后一项"), "{help}");
}

#[test]
fn marking_asks_the_auditor_once_takes_a_comment_and_moves_on() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    assert!(detail_head(&a).contains(&all[0].household_id));
    key(&mut a, KeyCode::Char('y'));
    let s = render(&a, 100, 40);
    assert!(s.contains("核查人员姓名："), "{s}");
    typed(&mut a, "赵审核");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 40);
    assert!(s.contains("已确认，意见："), "{s}");
    a.on_paste("入户核实，");
    typed(&mut a, "属实");
    assert!(render(&a, 100, 40).contains("已确认，意见：入户核实，属实"));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 40);
    assert!(s.contains("已标记已确认"), "{s}");
    // On to the next finding, and the name is not asked again.
    assert!(
        s.lines().nth(1).unwrap().contains(&all[1].household_id) && s.contains(&all[1].message.zh),
        "{s}"
    );
    key(&mut a, KeyCode::Char('n'));
    let s = render(&a, 100, 40);
    assert!(
        !s.contains("核查人员姓名") && s.contains("已排除，意见："),
        "{s}"
    );
    key(&mut a, KeyCode::Enter);
    // Esc cancels a mark: nothing stored.
    key(&mut a, KeyCode::Char('y'));
    key(&mut a, KeyCode::Esc);
    let marks = a.ws.marks().unwrap();
    assert_eq!(marks.len(), 2, "{marks:?}");
    let first = &marks[&all[0].key()];
    assert_eq!(first.by, "赵审核");
    assert_eq!(first.comment, "入户核实，属实");
    assert_eq!(first.status, ruhu::reconcile::MarkStatus::Confirmed);
    assert_eq!(
        marks[&all[1].key()].status,
        ruhu::reconcile::MarkStatus::Dismissed
    );
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert_eq!(reviewed(&s), (2, all.len()), "{s}");
    // In the list too: marking moves the cursor down.
    key(&mut a, KeyCode::Char('y'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    assert!(
        detail_head(&a).contains(&all[4].household_id)
            || all[4].household_id == all[3].household_id
    );
}

#[test]
fn a_village_is_picked_from_the_list_of_villages_with_findings() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    let mut villages: Vec<&str> = all.iter().map(|f| f.village.as_str()).collect();
    villages.sort();
    villages.dedup();
    assert!(villages.len() >= 100, "{}", villages.len());
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('v'));
    let s = render(&a, 100, 30);
    assert!(
        s.contains(&format!("按村筛选（共 {} 个）", villages.len())),
        "{s}"
    );
    assert!(s.contains("全部"), "{s}");
    let in_long = all.iter().filter(|f| f.village == LONG_VILLAGE).count();
    a.on_paste("第三村民");
    let s = render(&a, 100, 30);
    assert!(s.contains("输入以查找：第三村民"), "{s}");
    assert!(
        s.contains(&format!("演示县 / 清溪镇 / {LONG_VILLAGE}"))
            && s.contains(&format!("{in_long} 项，未核查 {in_long}")),
        "{s}"
    );
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(
        s.contains(&format!("村 演示县 / 清溪镇 / {LONG_VILLAGE}")),
        "{s}"
    );
    assert_eq!(reviewed(&s), (0, in_long), "{s}");
    // Home picks 全部 again.
    key(&mut a, KeyCode::Char('v'));
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Enter);
    assert_eq!(reviewed(&render(&a, 100, 30)), (0, all.len()));
}

#[test]
fn the_position_is_kept_when_leaving_and_coming_back() {
    let (_root, _data, mut a) = app(Lang::Zh);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('o'));
    for _ in 0..25 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let before = detail_head(&a);
    key(&mut a, KeyCode::Esc);
    let list = render(&a, 100, 30);
    key(&mut a, KeyCode::Esc);
    assert!(render(&a, 100, 30).contains("首页"));
    // Back through the home screen, and by a jump from another screen.
    key(&mut a, KeyCode::Char('2'));
    assert_eq!(render(&a, 100, 30), list);
    key(&mut a, KeyCode::Char('3'));
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 100, 30);
    assert!(s.contains("类别 错退") && s.contains("排序：类别"), "{s}");
    key(&mut a, KeyCode::Enter);
    assert_eq!(detail_head(&a), before);
}

#[test]
fn sorting_by_kind_follows_the_order_of_the_assessment() {
    let (_root, _data, mut a) = app(Lang::Zh);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('o'));
    let s = render(&a, 100, 30);
    assert!(s.contains("排序：类别"), "{s}");
    let order = ["错退", "漏评", "错评", "返贫", "信息不符"];
    // Every 50th finding from the first to the last: the kinds come in that order.
    let total = reviewed(&s).1;
    let mut seen = Vec::new();
    key(&mut a, KeyCode::Home);
    for _ in 0..=total / 50 {
        key(&mut a, KeyCode::Enter);
        let head = detail_head(&a);
        key(&mut a, KeyCode::Esc);
        seen.push(order.iter().position(|k| head.contains(k)).unwrap());
        for _ in 0..5 {
            key(&mut a, KeyCode::PageDown);
        }
    }
    key(&mut a, KeyCode::End);
    key(&mut a, KeyCode::Enter);
    let head = detail_head(&a);
    seen.push(order.iter().position(|k| head.contains(k)).unwrap());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.first(), Some(&0), "{seen:?}");
    assert_eq!(seen.last(), Some(&4), "{seen:?}");
    assert!(seen.contains(&2), "{seen:?}");
}

#[test]
fn the_export_asks_where_refuses_an_unknown_format_and_says_the_whole_path() {
    let (root, data, mut a) = app(Lang::Zh);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('x'));
    let s = render(&a, 160, 30);
    let parent = std::path::absolute(&data).unwrap();
    let parent = parent.parent().unwrap().display().to_string();
    assert!(s.contains("导出核查发现到："), "{s}");
    assert!(s.contains(&format!("{parent}/核查发现-")), "{s}");
    assert!(s.contains(".xlsx"), "{s}");
    // Clear the name offered and type another.
    for _ in 0..400 {
        key(&mut a, KeyCode::Backspace);
    }
    let bad = root.path().join("核查结果.xls");
    a.on_paste(&bad.display().to_string());
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 30);
    assert!(s.contains("不知道以什么格式写"), "{s}");
    assert!(!bad.exists());
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 30);
    let good = root.path().join("核查结果.xlsx");
    let wrong_exits = findings(&a)
        .iter()
        .filter(|f| f.kind == ruhu::reconcile::FindingKind::WrongExit)
        .count();
    assert!(
        s.contains(&format!("已导出 {wrong_exits} 项到 {}", good.display())),
        "{s}"
    );
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&good).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner-only: {mode:o}");
    }
    // A file there is written over only after a second Enter.
    key(&mut a, KeyCode::Char('x'));
    for _ in 0..400 {
        key(&mut a, KeyCode::Backspace);
    }
    a.on_paste(&good.display().to_string());
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 160, 30).contains("再按 Enter 覆盖"));
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 160, 30).contains("已导出"));
}

#[test]
fn the_detail_shows_the_registry_record_in_words_and_masks_id_numbers() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    let first = &all[0];
    let h = a.ws.household(&first.household_id).unwrap();
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 120, 50);
    assert!(s.contains("建档立卡"), "{s}");
    assert!(
        s.contains(&format!("脱贫状态：{}", h.status.label().zh)),
        "{s}"
    );
    assert!(s.contains(&format!("户主姓名：{}", h.head_name)), "{s}");
    if let Some(t) = h.village_type {
        let word = match t {
            ruhu::registry::VillageType::Poor => "贫困村",
            ruhu::registry::VillageType::NonPoor => "非贫困村",
            ruhu::registry::VillageType::Exited => "已出列贫困村",
        };
        assert!(s.contains(&format!("村属性：{word}")), "{s}");
    }
    assert!(
        s.contains("是否边远：是") || s.contains("是否边远：否"),
        "{s}"
    );
    assert!(s.contains("家庭成员（"), "{s}");
    for m in &h.members {
        assert!(s.contains(&m.name), "{} missing: {s}", m.name);
        if m.id_number.len() == 18 {
            assert!(!s.contains(&m.id_number), "{} in full: {s}", m.id_number);
            assert!(
                s.contains(&m.id_number[..4]) && s.contains("**********"),
                "{s}"
            );
        }
    }
    assert!(!s.contains(&h.head_id_number), "{s}");
    // The answers the rule read, by their labels, no variable ids or true/false.
    assert!(s.contains("调查答案"), "{s}");
    assert!(!s.contains("true") && !s.contains("false"), "{s}");
    // --show-ids shows them in full.
    let (_root2, data2, _) = app(Lang::Zh);
    let mut b = App::new(open_ws(&data2), Lang::Zh, "测试员".into()).with_show_ids(true);
    key(&mut b, KeyCode::Char('2'));
    key(&mut b, KeyCode::Enter);
    let s = render(&b, 120, 50);
    assert!(s.contains(&h.head_id_number), "{s}");
}

#[test]
fn a_mark_can_be_cleared_and_every_mark_is_in_the_history_shown() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('y'));
    typed(&mut a, "赵审核");
    key(&mut a, KeyCode::Enter);
    typed(&mut a, "第一次核实属实");
    key(&mut a, KeyCode::Enter);
    // Back to the finding marked, and clear it.
    key(&mut a, KeyCode::Up);
    let s = render(&a, 120, 50);
    assert!(
        s.contains("核查：已确认") && s.contains("第一次核实属实"),
        "{s}"
    );
    key(&mut a, KeyCode::Char('u'));
    let s = render(&a, 120, 50);
    assert!(s.contains("已撤销标记"), "{s}");
    assert!(s.contains("核查：未核查"), "{s}");
    assert!(
        s.contains("赵审核 已确认：第一次核实属实") && s.contains("赵审核 撤销标记"),
        "the history: {s}"
    );
    assert!(a.ws.marks().unwrap().is_empty());
    // Marked again: three entries, the latest counts.
    key(&mut a, KeyCode::Char('n'));
    typed(&mut a, "复核后排除");
    key(&mut a, KeyCode::Enter);
    let history = a.ws.mark_history(&all[0].key()).unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(history[1].status, None);
    assert_eq!(
        a.ws.marks().unwrap()[&all[0].key()].status,
        ruhu::reconcile::MarkStatus::Dismissed
    );
    key(&mut a, KeyCode::Up);
    let s = render(&a, 120, 50);
    assert!(s.contains("赵审核 已排除：复核后排除"), "{s}");
    key(&mut a, KeyCode::Esc);
    assert_eq!(reviewed(&render(&a, 100, 30)), (1, all.len()));
}

#[test]
fn the_auditors_name_is_kept_in_the_store_and_the_command_line_overrides_it() {
    let (_root, data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('y'));
    assert!(render(&a, 100, 30).contains("核查人员姓名："));
    typed(&mut a, "赵审核");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    drop(a);
    // The next run on this laptop does not ask again.
    let mut b = App::new(open_ws(&data), Lang::Zh, "测试员".into());
    key(&mut b, KeyCode::Char('2'));
    key(&mut b, KeyCode::Char('s')); // the findings not reviewed yet
    key(&mut b, KeyCode::Char('y'));
    let s = render(&b, 100, 30);
    assert!(
        !s.contains("核查人员姓名") && s.contains("已确认，意见："),
        "{s}"
    );
    key(&mut b, KeyCode::Enter);
    drop(b);
    // --auditor wins over the stored name.
    let mut c =
        App::new(open_ws(&data), Lang::Zh, "测试员".into()).with_auditor(Some("钱核查".into()));
    key(&mut c, KeyCode::Char('2'));
    key(&mut c, KeyCode::Char('s'));
    key(&mut c, KeyCode::Char('y'));
    key(&mut c, KeyCode::Enter);
    let marks = c.ws.marks().unwrap();
    assert_eq!(marks[&all[0].key()].by, "赵审核");
    assert_eq!(marks[&all[1].key()].by, "赵审核");
    assert_eq!(marks[&all[2].key()].by, "钱核查");
}

#[test]
fn the_interviewer_filter_is_picked_from_a_list() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    let by_li = all.iter().filter(|f| f.interviewer == "李芳").count();
    assert!(by_li > 0 && by_li < all.len());
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Char('i'));
    let s = render(&a, 100, 30);
    for name in common::auditors::INTERVIEWERS {
        assert!(s.contains(name), "{name}: {s}");
    }
    assert!(s.contains(&format!("{by_li} 项，未核查 {by_li}")), "{s}");
    typed(&mut a, "李");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("调查员 李芳"), "{s}");
    assert_eq!(reviewed(&s), (0, by_li), "{s}");
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 100, 40).contains("调查员 李芳"));
}

#[test]
fn the_detail_gives_the_evidence_in_words() {
    let (_root, _data, mut a) = app(Lang::Zh);
    let all = findings(&a);
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 160, 50);
    assert!(!all[0].explanation.is_empty());
    for line in &all[0].explanation {
        let masked = ruhu::redact::mask_ids(&line.zh);
        let start: String = masked.chars().take(12).collect();
        assert!(s.contains(&start), "{start:?}: {s}");
    }
}

#[test]
fn the_screen_in_english_at_80_columns() {
    let (_root, _data, mut a) = app(Lang::En);
    let all = findings(&a).len();
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 80, 24);
    assert!(s.contains(&format!("reviewed 0 of {all}")), "{s}");
    assert!(s.contains("filters: none"), "{s}");
    key(&mut a, KeyCode::Char('v'));
    let s = render(&a, 80, 24);
    assert!(s.contains("type to search:") && s.contains("all"), "{s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("registry (* read by the rule)"), "{s}");
    assert!(
        s.contains("status: exited") || s.contains("status: poor"),
        "{s}"
    );
}
