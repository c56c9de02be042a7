//! Screen tests with ratatui's TestBackend: the main screens, Chinese text, narrow widths.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ruhu::i18n::Lang;
use ruhu::questionnaire;
use ruhu::session::{Forms, Workspace};
use ruhu::tui::{self, App};

fn app(dir: &std::path::Path, lang: Lang) -> App {
    let forms = Forms::from_report(questionnaire::load_bundled()).unwrap();
    let ws = Workspace::open(dir, forms).unwrap();
    ws.load_households(ruhu::demo::generate_iter(
        &ruhu::demo::DemoOptions::default(),
    ))
    .unwrap();
    App::new(ws, lang, "测试员".into())
}

/// The screen as text, one line per row; wide characters appear once.
fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| tui::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn home_shows_counts_and_the_demo_marker() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path(), Lang::Zh);
    let s = render(&a, 80, 24);
    assert!(s.contains("演示数据"), "{s}");
    assert!(s.contains("300  农户"), "{s}");
    assert!(s.contains("下一步"), "{s}");
    assert!(s.contains("? 帮助"), "{s}");
}

#[test]
fn home_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path(), Lang::En);
    let s = render(&a, 80, 24);
    assert!(s.contains("households"), "{s}");
    assert!(s.contains("demo data"), "{s}");
}

#[test]
fn household_list_search_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    let target = ruhu::demo::generate(&Default::default())[41]
        .head_name
        .clone();
    key(&mut a, KeyCode::Char('1'));
    let s = render(&a, 80, 24);
    assert!(s.contains("户编号"), "{s}");
    assert!(s.contains("共 300 户"), "{s}");
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, &target);
    let s = render(&a, 80, 24);
    assert!(s.contains(&format!("搜索（/）：{target}")), "{s}");
    assert!(!s.contains("共 300 户"), "{s}");
    // the first hit is the household searched for, or another with the same name in it
    let hit = s.lines().nth(4).unwrap();
    assert!(hit.contains(&target) || s.contains(&target), "{s}");
}

#[test]
fn interview_screen_at_80x24_and_narrow() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("入户调查问卷"), "{s}");
    assert!(s.contains("基本信息"), "{s}");
    assert!(s.contains(" · 必答 "), "{s}");
    // Opened at the first question that wants an answer: a free-text answer in Chinese.
    typed(&mut a, "张三丰");
    let s = render(&a, 80, 24);
    assert!(s.contains("> 张三丰"), "{s}");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("已保存"), "{s}");
    // Narrow terminals: no panic, Chinese wrapped within the width.
    for (w, h) in [(40, 12), (24, 8), (12, 5)] {
        let s = render(&a, w, h);
        assert!(s.lines().count() == h as usize);
    }
    let s = render(&a, 40, 16);
    assert!(s.contains("县"), "{s}");
}

#[test]
fn validation_message_as_you_type() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    // PgDn to household size
    for _ in 0..40 {
        let s = render(&a, 80, 24);
        if s.contains("几口人") {
            break;
        }
        key(&mut a, KeyCode::PageDown);
    }
    typed(&mut a, "99");
    let s = render(&a, 80, 24);
    assert!(s.contains("! "), "a refused value shows a message: {s}");
    typed(&mut a, "x");
    let s = render(&a, 80, 24);
    assert!(s.contains("请输入整数"), "{s}");
}

#[test]
fn roster_table_add_and_edit_a_member() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    for _ in 0..40 {
        let s = render(&a, 80, 24);
        if s.contains("a 添加成员") {
            break;
        }
        key(&mut a, KeyCode::PageDown);
    }
    // Rows preloaded from the registry, if any, come first.
    let n = interview(&a).session.interview.rows("members").len();
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "王小梅");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains(&format!("第{}行 王小梅", n + 1)), "{s}");
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 80, 24);
    assert!(s.contains("王小梅"), "{s}");
    assert!(s.contains(&format!("共 {} 行", n + 1)), "{s}");
}

#[test]
fn review_refuses_completion_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 80, 24);
    assert!(s.contains("检查全部答案"), "{s}");
    assert!(s.contains("（未答）"), "{s}");
    key(&mut a, KeyCode::F(10));
    let s = render(&a, 80, 24);
    assert!(s.contains("还不能完成，缺少必答题"), "{s}");
}

#[test]
fn help_lists_the_keys_of_each_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('?'));
    let s = render(&a, 80, 24);
    assert!(s.contains("按键帮助"), "{s}");
    assert!(s.contains("载入演示数据"), "{s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('?'));
    let s = render(&a, 80, 24);
    assert!(s.contains("按村筛选"), "{s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(1));
    let s = render(&a, 80, 24);
    assert!(s.contains("保存并下一题"), "{s}");
}

#[test]
fn a_choice_is_saved_only_when_picked() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    for _ in 0..40 {
        if render(&a, 80, 24).contains("受访人与户主的关系") {
            break;
        }
        key(&mut a, KeyCode::PageDown);
    }
    let s = render(&a, 80, 24);
    assert!(s.contains("按选项前的键选择并进入下一题"), "{s}");
    assert!(s.contains("( ) 1."), "{s}");
    // Enter without a pick saves nothing (the save state does not change) and, the question
    // being required, says so.
    let before = render(&a, 80, 24).lines().last().unwrap().to_string();
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert_eq!(s.lines().last().unwrap(), before, "{s}");
    assert!(s.contains("这是必答题"), "{s}");
    if !s.contains("受访人与户主的关系") {
        key(&mut a, KeyCode::PageUp);
    }
    // A digit picks, saves and moves on.
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 80, 24);
    assert!(s.contains("已保存"), "{s}");
    assert!(!s.contains("受访人与户主的关系"), "moved on: {s}");
    key(&mut a, KeyCode::PageUp);
    let s = render(&a, 80, 24);
    assert!(s.contains("(*) 2."), "{s}");
}

#[test]
fn in_sample_filter_and_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('m'));
    let s = render(&a, 80, 24);
    assert!(s.contains("尚未抽样"), "{s}");
    key(&mut a, KeyCode::Esc);
    let all: Vec<_> = a.ws.households().map(Result::unwrap).collect();
    let sample = ruhu::sample::draw(&all, &Default::default(), 7, 2017);
    a.ws.put_sample(&sample).unwrap();
    a.refresh_counts();
    let s = render(&a, 80, 24);
    assert!(
        s.contains(&format!("{:>8}  抽样户", sample.entries.len())),
        "{s}"
    );
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('m'));
    let s = render(&a, 80, 24);
    assert!(s.contains("只看抽样户"), "{s}");
    assert!(
        s.contains(&format!("共 {} 户", sample.entries.len())),
        "{s}"
    );
    assert!(s.contains('+'), "{s}");
}

#[test]
fn a_rehearsal_shows_what_an_assessor_would_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('k')); // kind: exited
    assert!(render(&a, 80, 24).contains("类型：脱贫户"));
    key(&mut a, KeyCode::Enter);
    for _ in 0..60 {
        if render(&a, 80, 24).contains("不愁吃") {
            break;
        }
        key(&mut a, KeyCode::PageDown);
    }
    key(&mut a, KeyCode::Char('2')); // 否, saved, on to the next question
    let s = render(&a, 80, 24);
    assert!(s.contains("考核可能发现"), "side panel: {s}");
    assert!(s.contains("错退"), "{s}");
    assert!(
        s.contains("调查进行中"),
        "the interview's status beside its findings: {s}"
    );
    // What the difficulty is: a choice, shown by its label in the evidence.
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    assert!(s.contains("考核可能发现"), "review: {s}");
    // The evidence by the question's label, not its variable id.
    assert!(!s.contains("food_ok"), "no variable ids: {s}");
    assert!(!s.contains("grain_short"), "no choice names: {s}");
    assert!(s.contains("不愁吃：否"), "evidence in words: {s}");
}

/// Starts an interview with no roster rows (rows preloaded from the registry removed), for
/// a walk's answers to be entered whole.
fn start_clean(a: &App, h: &ruhu::registry::Household) -> ruhu::session::Session {
    let mut s = a.ws.start(h, "测试员").unwrap();
    let rosters: Vec<String> = s
        .interview
        .form()
        .top_level()
        .filter(|(_, q)| matches!(q.kind, ruhu::questionnaire::QuestionType::Roster { .. }))
        .map(|(_, q)| q.id.clone())
        .collect();
    for r in rosters {
        let ids: Vec<String> = s.interview.rows(&r).iter().map(|x| x.id.clone()).collect();
        for id in ids {
            s.remove_row(&a.ws, &r, &id).unwrap();
        }
    }
    s
}

/// Completes one exited household's interview with food_ok = false: a wrong exit.
fn complete_a_wrong_exit(a: &mut App) -> String {
    use ruhu::interview::Answer;
    let h =
        a.ws.households()
            .map(Result::unwrap)
            .find(|h| h.status == ruhu::registry::Status::Exited)
            .unwrap();
    let form = a.ws.forms.get(h.kind()).unwrap();
    let mut answers = common::walk::walk(form).answers().clone();
    answers.values.insert("food_ok".into(), Answer::Bool(false));
    answers.values.insert(
        "food_problem".into(),
        Answer::Choices(vec!["grain_short".into()]),
    );
    let mut s = start_clean(a, &h);
    let changes = match ruhu::session::enter_answers(&mut s.interview, &answers) {
        Ok(c) => c,
        Err(p) => panic!("{p:?}"),
    };
    s.save_many(&a.ws, &changes).unwrap();
    let _ = s.complete(&a.ws).unwrap();
    h.head_name
}

#[test]
fn findings_screen_detail_mark_and_rates() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    let head = complete_a_wrong_exit(&mut a);
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 100, 30);
    assert!(s.contains("核查发现"), "{s}");
    assert!(s.contains("!错退"), "{s}");
    assert!(s.contains(&head), "{s}");
    key(&mut a, KeyCode::Char('k'));
    let s = render(&a, 100, 30);
    assert!(s.contains("类别 错退"), "{s}");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("建档立卡"), "{s}");
    assert!(s.contains("调查答案"), "{s}");
    assert!(s.contains("不愁吃") && !s.contains("food_ok"), "{s}");
    // Marking asks the auditor's name first, then a comment (Enter: none).
    key(&mut a, KeyCode::Char('y'));
    typed(&mut a, "赵审核");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("已确认"), "{s}");
    assert_eq!(a.ws.marks().unwrap().len(), 1);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('3'));
    let s = render(&a, 100, 30);
    assert!(s.contains("错退率"), "{s}");
    assert!(
        s.contains("100.00% "),
        "one exited household surveyed, one wrong exit: {s}"
    );
    key(&mut a, KeyCode::Char('r'));
    assert!(render(&a, 100, 30).contains("漏评率"));
    // 80×24 and narrow widths draw without panicking
    for (w, h) in [(80, 24), (30, 10)] {
        render(&a, w, h);
    }
}

/// Opens the first household's interview and goes past the introduction to the first free
/// text (the interviewer's name).
fn first_text_question(a: &mut App) {
    key(a, KeyCode::Char('1'));
    // The interview opens at its first unanswered question (the introduction is shown above
    // it and needs no key).
    key(a, KeyCode::Enter);
    assert!(render(a, 80, 24).contains("调查员姓名"));
}

#[test]
fn a_long_paste_is_cut_to_what_the_field_holds_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('/'));
    a.on_paste(&"张".repeat(300_000));
    let l = a.top::<tui::households::Households>().expect("the list");
    assert_eq!(
        l.search.value().chars().count(),
        tui::paste::MAX_SEARCH_CHARS
    );
    let s = render(&a, 80, 24);
    assert!(
        s.contains("粘贴的文字太长（300000 个字），只保留了前 200 个字"),
        "{s}"
    );
    assert!(s.contains("共 0 户"), "{s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);

    // A text question: at most MAX_TEXT_ANSWER_CHARS; newlines become spaces, control
    // characters go.
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    first_text_question(&mut a);
    a.on_paste("李\r\n明\u{1b}");
    let v = a.top::<tui::interview::Interview>().expect("the interview");
    assert_eq!(v.input.value(), "李 明");
    a.on_paste(&"李".repeat(300_000));
    let v = a.top::<tui::interview::Interview>().expect("the interview");
    let max = ruhu::limits::MAX_TEXT_ANSWER_CHARS;
    assert_eq!(v.input.value().chars().count(), max);
    let s = render(&a, 120, 24);
    assert!(s.contains(&format!("只保留了前 {} 个字", max - 3)), "{s}");
    // What was kept is a valid answer and is saved.
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 80, 24).contains("已保存"));
}

#[test]
fn a_deleted_data_folder_shows_not_saved_and_refuses_further_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut a = app(&data, Lang::Zh);
    first_text_question(&mut a);
    typed(&mut a, "李明");
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 80, 24).contains("已保存"));

    std::fs::remove_dir_all(&data).unwrap();
    // The county, preloaded from the registry: a correction of it is a save.
    assert!(render(&a, 80, 24).contains("> 演示县"));
    typed(&mut a, "东");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(!s.contains("已保存"), "{s}");
    assert!(s.contains("! 未保存"), "{s}");
    assert!(s.contains("被删除或移走"), "the banner: {s}");
    assert!(s.contains("Ctrl+C"), "what to do: {s}");
    assert_eq!(a.trouble, Some(tui::StoreTrouble::Vanished));
    // Still on the county: the answer was not taken.
    assert!(s.contains("> 演示县"), "{s}");

    // Esc puts the saved county back; the next answer is refused up front with the same
    // reason, not tried again.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::PageDown);
    assert!(render(&a, 80, 24).contains("乡（镇）"));
    typed(&mut a, "昙华乡");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("不能再保存答案"), "{s}");
    assert!(!s.contains("已保存"), "{s}");
    assert!(s.contains("被删除或移走"), "the banner stays: {s}");
    let v = a.top::<tui::interview::Interview>().expect("the interview");
    assert!(matches!(v.save, tui::SaveState::Failed(_)));

    // Narrow terminals: the banner wraps and is cut, nothing panics.
    for (w, h) in [(40, 12), (24, 8), (12, 5)] {
        let s = render(&a, w, h);
        assert_eq!(s.lines().count(), h as usize);
        assert!(s.contains("! "), "{s}");
    }

    // English too.
    a.lang = Lang::En;
    let s = render(&a, 80, 24);
    assert!(s.contains("NOT saved"), "{s}");
    assert!(s.contains("deleted or moved"), "{s}");

    // Esc puts the typed text back to the saved answer, a second Esc leaves; starting an
    // interview is refused too.
    key(&mut a, KeyCode::Esc);
    assert!(render(&a, 120, 24).contains("typing undone"));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 120, 24);
    assert!(s.contains("no longer start or resume an interview"), "{s}");

    let out = a.finish();
    assert_eq!(out.unsaved_answers, 2, "{out:?}");
    assert!(out.failed_saves >= 2, "{out:?}");
    let w = out.warning().expect("a warning");
    assert!(
        w.zh.starts_with("有 2 个答案没有保存：数据文件夹"),
        "{}",
        w.zh
    );
    assert!(w.en.starts_with("2 answer(s) were NOT saved"), "{}", w.en);
}

#[test]
fn a_clean_run_has_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    first_text_question(&mut a);
    typed(&mut a, "李明");
    key(&mut a, KeyCode::Enter);
    let out = a.finish();
    assert!(out.is_clean(), "{out:?}");
    assert_eq!(out.warning(), None);
}

#[test]
fn a_folder_deleted_while_browsing_is_reported_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut a = app(&data, Lang::Zh);
    std::fs::remove_dir_all(&data).unwrap();
    let out = a.finish();
    assert_eq!(out.unsaved_answers, 0);
    assert_eq!(out.failed_saves, 1);
    assert!(out.warning().unwrap().zh.contains("被删除或移走"));
}

#[test]
fn a_read_only_data_folder_says_so_and_refuses_writes() {
    let Some(fs) = common::Tmpfs::mount(16 * 1024) else {
        return;
    };
    let data = fs.path.join("data");
    drop(app(&data, Lang::Zh));
    fs.set_read_only(true);
    let forms = Forms::from_report(questionnaire::load_bundled()).unwrap();
    let ws = Workspace::open(&data, forms).unwrap();
    assert!(ws.is_read_only());
    let mut a = App::new(ws, Lang::Zh, "测试员".into());
    let s = render(&a, 80, 24);
    assert!(s.contains("只读：数据文件夹"), "{s}");
    assert!(s.contains("可以查看，不能保存"), "{s}");
    assert!(s.contains("300  农户"), "reading works: {s}");
    // No new household, no interview.
    key(&mut a, KeyCode::Char('n'));
    let s = render(&a, 80, 24);
    assert!(s.contains("只读：数据文件夹不能写入，不能登记农户"), "{s}");
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("共 300 户"), "still the list: {s}");
    assert!(s.contains("不能开始或继续调查"), "{s}");
    assert!(s.contains("只读"), "the banner on every screen: {s}");
    // Nothing was entered: nothing to warn about.
    assert!(a.finish().is_clean());
    fs.set_read_only(false);
}

#[test]
fn a_read_only_empty_folder_does_not_load_the_demo() {
    let Some(fs) = common::Tmpfs::mount(16 * 1024) else {
        return;
    };
    let data = fs.path.join("data");
    let forms = || Forms::from_report(questionnaire::load_bundled()).unwrap();
    drop(Workspace::open(&data, forms()).unwrap());
    fs.set_read_only(true);
    let mut a = App::new(
        Workspace::open(&data, forms()).unwrap(),
        Lang::Zh,
        "测试员".into(),
    );
    key(&mut a, KeyCode::Char('d'));
    let s = render(&a, 80, 24);
    assert!(s.contains("不能载入演示数据"), "{s}");
    assert!(s.contains("0  农户"), "{s}");
    assert_eq!(a.ws.household_count(), 0);
    fs.set_read_only(false);
}

// ----- the cadre's path --------------------------------------------------------------

/// Moves through the interview with Tab (questions passed are recorded as skipped) until
/// `label` shows.
fn go_to(a: &mut App, label: &str) {
    for _ in 0..120 {
        if render(a, 100, 30).contains(label) {
            return;
        }
        key(a, KeyCode::Tab);
    }
    panic!("{label} not reached: {}", render(a, 100, 30));
}

fn clear_input(a: &mut App) {
    key(a, KeyCode::End);
    for _ in 0..40 {
        key(a, KeyCode::Backspace);
    }
}

fn interview(a: &App) -> &tui::interview::Interview {
    a.top::<tui::interview::Interview>().expect("the interview")
}

#[test]
fn moving_on_saves_an_edited_answer_or_stays_and_esc_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "调查日期");
    // A date starts from the interview's date.
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert!(render(&a, 100, 30).contains(&format!("> {today}")));
    clear_input(&mut a);
    typed(&mut a, "2017-12-23");
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 100, 30).contains("已保存"));
    // Back, a new date typed over the saved one, PgDn: the new date is saved.
    key(&mut a, KeyCode::PageUp);
    go_to(&mut a, "调查日期");
    clear_input(&mut a);
    typed(&mut a, "2017-12-24");
    key(&mut a, KeyCode::PageDown);
    let s = render(&a, 100, 30);
    assert!(!s.contains("调查日期（必答）"), "moved on: {s}");
    assert_eq!(
        interview(&a)
            .session
            .interview
            .answer("interview_date")
            .map(|x| x.to_json()),
        Some(serde_json::json!("2017-12-24"))
    );
    key(&mut a, KeyCode::PageUp);
    assert!(render(&a, 100, 30).contains("> 2017-12-24"));
    // An impossible date and the arrow down: it stays, with the reason.
    clear_input(&mut a);
    typed(&mut a, "2017-13-40");
    key(&mut a, KeyCode::Down);
    let s = render(&a, 100, 30);
    assert!(
        s.contains("调查日期（必答）") && s.contains("> 2017-13-40"),
        "{s}"
    );
    assert!(s.contains("! "), "the reason: {s}");
    // Esc puts the saved answer back, visibly.
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert!(s.contains("> 2017-12-24"), "{s}");
    assert!(
        s.contains("已撤销输入，恢复为保存的答案：2017-12-24"),
        "{s}"
    );
}

#[test]
fn moving_does_not_write_the_record_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    let id = interview(&a).session.record.interview_id;
    // Passing unanswered questions with Tab records each as skipped, once.
    for _ in 0..6 {
        key(&mut a, KeyCode::Tab);
    }
    let before = a.ws.interview(id).unwrap().unwrap();
    let skips = before.skipped.len();
    assert!(skips > 0, "{before:?}");
    // Going back and over them again writes nothing.
    for _ in 0..6 {
        key(&mut a, KeyCode::PageUp);
    }
    for _ in 0..6 {
        key(&mut a, KeyCode::Tab);
    }
    key(&mut a, KeyCode::PageUp);
    key(&mut a, KeyCode::Esc);
    let after = a.ws.interview(id).unwrap().unwrap();
    assert_eq!(after.updated_at, before.updated_at);
    assert_eq!(after.cursor, before.cursor);
    assert_eq!(after.events, before.events);
    assert_eq!(after.skipped.len(), skips);
}

#[test]
fn enter_on_an_empty_required_question_stays_and_a_skip_is_listed_in_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "受访人姓名");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("受访人姓名"), "stays: {s}");
    assert!(s.contains("这是必答题"), "{s}");
    // Tab passes it on purpose; the review lists it as skipped.
    key(&mut a, KeyCode::Tab);
    assert!(!render(&a, 100, 30).contains("受访人姓名"));
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    assert!(s.contains("跳过 "), "{s}");
    let line = s.lines().find(|l| l.contains("受访人姓名")).unwrap();
    assert!(line.contains("（跳过）"), "{line}");
    // The skip is saved: left and opened again, the review still lists it.
    while a.depth() > 1 {
        key(&mut a, KeyCode::Esc);
    }
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    let line = s.lines().find(|l| l.contains("受访人姓名")).unwrap();
    assert!(line.contains("（跳过）"), "after reopening: {s}");
    // An answer takes the skip back.
    key(&mut a, KeyCode::Esc);
    go_to(&mut a, "受访人姓名");
    typed(&mut a, "张桂英");
    key(&mut a, KeyCode::Enter);
    let record = &interview(&a).session.record;
    assert!(
        !record
            .skipped
            .iter()
            .any(|s| s.question_id == "respondent_name"),
        "{:?}",
        record.skipped
    );
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    let line = s.lines().find(|l| l.contains("受访人姓名")).unwrap();
    assert!(
        line.contains("张桂英") && !line.contains("（跳过）"),
        "{line}"
    );
}

#[test]
fn a_hidden_follow_up_never_takes_the_next_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "受访人与户主的关系");
    // 户主本人: the follow-up stays hidden, the date comes next and takes what is typed.
    key(&mut a, KeyCode::Char('1'));
    let s = render(&a, 100, 30);
    assert!(s.contains("调查日期"), "{s}");
    assert!(!s.contains("请说明与户主的关系"), "{s}");
    key(&mut a, KeyCode::PageUp);
    assert!(render(&a, 100, 30).contains("受访人与户主的关系"));
    // 其他: the follow-up shows and takes the typing.
    key(&mut a, KeyCode::Char('8'));
    assert!(render(&a, 100, 30).contains("请说明与户主的关系"));
    typed(&mut a, "表亲");
    key(&mut a, KeyCode::Enter);
    let iv = &interview(&a).session.interview;
    assert!(iv.answer("respondent_relation_other").is_some());
    assert!(iv.answer("interview_date").is_none());
}

/// The members roster of a fresh interview, one member added with a name (after the rows
/// preloaded from the registry, if any); returns how many rows there were before.
fn roster_with_one_member(a: &mut App) -> usize {
    key(a, KeyCode::Char('1'));
    key(a, KeyCode::Enter);
    go_to(a, "请逐一登记家庭成员");
    let n = interview(a).session.interview.rows("members").len();
    key(a, KeyCode::Char('a'));
    typed(a, "王芳");
    key(a, KeyCode::Enter);
    n
}

#[test]
fn esc_from_a_half_filled_row_keeps_the_selection_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    let n = roster_with_one_member(&mut a);
    // Leave the first row, then fill a second one half way.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "李强");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Tab); // the ID number, skipped
    key(&mut a, KeyCode::Char('3')); // 子女
    key(&mut a, KeyCode::Char('1')); // 男
    assert!(render(&a, 100, 30).contains("年龄"));
    typed(&mut a, "35");
    // Esc puts the age back (none yet), and says so; a second Esc goes to the table.
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert!(s.contains("已撤销输入（这一题还没有答案）"), "{s}");
    assert!(s.contains("年龄") && !s.contains("> 35"), "{s}");
    key(&mut a, KeyCode::Esc);
    let v = interview(&a);
    assert!(v.row_edit.is_none());
    assert_eq!(v.row_cursor, n + 1, "the half-filled row stays selected");
    let s = render(&a, 100, 30);
    let selected = s.lines().find(|l| l.contains("李强")).unwrap();
    assert!(selected.starts_with("") && selected.contains("子女"), "{s}");
}

#[test]
fn removing_a_member_asks_naming_them_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    let n = roster_with_one_member(&mut a);
    key(&mut a, KeyCode::Esc);
    let rows = |k: usize| format!("共 {k} 行");
    assert!(render(&a, 100, 30).contains(&rows(n + 1)));
    assert_eq!(interview(&a).row_cursor, n, "on the new row");
    key(&mut a, KeyCode::Char('d'));
    let s = render(&a, 100, 30);
    assert!(s.contains(&format!("删除第{}行 王芳", n + 1)), "{s}");
    // n keeps the member.
    key(&mut a, KeyCode::Char('n'));
    assert!(render(&a, 100, 30).contains(&rows(n + 1)));
    key(&mut a, KeyCode::Char('d'));
    key(&mut a, KeyCode::Char('y'));
    let s = render(&a, 100, 30);
    assert!(s.contains(&rows(n)), "{s}");
    assert_eq!(interview(&a).session.interview.rows("members").len(), n);
    assert!(s.contains("按 u 恢复"), "{s}");
    // u puts the member back with the answers, saved again.
    key(&mut a, KeyCode::Char('u'));
    let s = render(&a, 100, 30);
    assert!(s.contains(&rows(n + 1)) && s.contains("王芳"), "{s}");
    let id = interview(&a).session.record.interview_id;
    let stored = a.ws.interview(id).unwrap().unwrap();
    assert!(stored.answers.to_string().contains("王芳"), "saved again");
}

#[test]
fn roster_headers_and_a_long_answer_use_the_width_there_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    roster_with_one_member(&mut a);
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    let header = s
        .lines()
        .find(|l| l.contains("姓名") && l.contains('#'))
        .unwrap();
    assert!(!header.contains('~'), "{header}");
    for col in ["身份证号码", "与户主关系", "性别"] {
        assert!(header.contains(col), "{col}: {header}");
    }
    // A long text answer: its start stays in view, over several lines.
    key(&mut a, KeyCode::Enter);
    clear_input(&mut a);
    let long: String = "张王李赵刘陈杨黄周吴".repeat(6);
    typed(&mut a, &long);
    let s = render(&a, 80, 24);
    assert!(s.contains("> 张王李赵刘陈"), "{s}");
}

#[test]
fn single_choice_keys_and_options_past_nine() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    // The intro note needs no key: the first screen is a question, the note above it.
    let s = render(&a, 100, 30);
    assert!(s.contains("您好！我是") && s.contains("调查员姓名"), "{s}");
    go_to(&mut a, "受访人与户主的关系");
    assert!(render(&a, 100, 30).contains("( ) 8. 其他"));
    // A digit pasted (an input method may commit through paste) does what a typed one does:
    // the option is saved and the interview moves on; the rest of the paste stays out of
    // the next question.
    a.on_paste("1 9");
    let v = interview(&a);
    assert_eq!(
        v.session
            .interview
            .answer("respondent_relation")
            .map(|x| x.to_json()),
        Some(serde_json::json!("head"))
    );
    let s = render(&a, 100, 30);
    assert!(!s.contains("受访人与户主的关系"), "moved on: {s}");
    assert!(!s.contains("> 9") && !s.contains("> 1 9"), "{s}");
    // Ten or more options: the tenth is reached by `a` (shown as its key).
    go_to(&mut a, "您家享受过扶贫政策或帮扶措施吗");
    key(&mut a, KeyCode::Char('1'));
    let s = render(&a, 100, 30);
    assert!(s.contains("您家享受了哪些帮扶措施"), "{s}");
    assert!(s.contains("[ ] a. "), "{s}");
    key(&mut a, KeyCode::Char('a'));
    assert!(render(&a, 100, 30).contains("[x] a. "));
}

#[test]
fn completing_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    let h =
        a.ws.households()
            .map(Result::unwrap)
            .find(|h| h.status == ruhu::registry::Status::Exited)
            .unwrap();
    let form = a.ws.forms.get(h.kind()).unwrap();
    let answers = common::walk::walk(form).answers().clone();
    let mut s = start_clean(&a, &h);
    let changes = match ruhu::session::enter_answers(&mut s.interview, &answers) {
        Ok(c) => c,
        Err(p) => panic!("{p:?}"),
    };
    s.save_many(&a.ws, &changes).unwrap();
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, &h.household_id);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    // Every question answered: it opens on the review.
    let s = render(&a, 100, 30);
    assert!(s.contains("检查全部答案（进行中"), "{s}");
    key(&mut a, KeyCode::F(10));
    assert!(render(&a, 100, 30).contains("完成这次调查吗"));
    key(&mut a, KeyCode::Char('n'));
    let s = render(&a, 100, 30);
    assert!(s.contains("已取消") && s.contains("进行中"), "{s}");
    key(&mut a, KeyCode::F(10));
    key(&mut a, KeyCode::Char('y'));
    let s = render(&a, 100, 30);
    assert!(s.contains("调查已完成并保存"), "{s}");
    assert!(s.contains("已完成"), "back on the list: {s}");
    // Changing an answer of the completed interview reopens it, visibly.
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("检查全部答案（已完成"), "{s}");
    key(&mut a, KeyCode::Enter); // the first question listed: the interviewer's name
    typed(&mut a, "甲");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("重新打开"), "{s}");
    assert!(s.contains("（调查进行中）"), "{s}");
    assert_eq!(
        interview(&a).session.record.status,
        ruhu::interview::Status::InProgress
    );
}

#[test]
fn a_terminal_too_small_says_so_and_the_help_keeps_its_borders() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    assert!(render(&a, 24, 7).contains("终端窗口太小"));
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(1));
    for w in [80u16, 81, 47, 100] {
        let h = 30;
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| tui::draw(f, &a)).unwrap();
        let buf = t.backend().buffer().clone();
        // The help box: find its top-left corner, then its right border on every line.
        let (mut x0, mut y0) = (None, None);
        'find: for y in 0..h {
            for x in 0..w {
                if buf[(x, y)].symbol() == "┌" {
                    (x0, y0) = (Some(x), Some(y));
                    break 'find;
                }
            }
        }
        let (Some(x0), Some(y0)) = (x0, y0) else {
            panic!("no help box at {w}: {}", render(&a, w, h))
        };
        let x1 = (x0..w)
            .rev()
            .find(|&x| buf[(x, y0)].symbol() == "┐")
            .unwrap();
        let y1 = (y0..h).find(|&y| buf[(x0, y)].symbol() == "└").unwrap();
        for y in y0 + 1..y1 {
            assert_eq!(
                buf[(x0, y)].symbol(),
                "│",
                "left border, {w} wide, line {y}"
            );
            assert_eq!(
                buf[(x1, y)].symbol(),
                "│",
                "right border, {w} wide, line {y}"
            );
        }
    }
}

#[test]
fn possible_findings_full_screen_when_narrow() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('k')); // exited
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "不愁吃");
    key(&mut a, KeyCode::Char('2'));
    let s = render(&a, 60, 24);
    assert!(s.contains("按 F3 查看"), "{s}");
    key(&mut a, KeyCode::F(3));
    let s = render(&a, 60, 24);
    assert!(s.contains("错退") && s.contains("调查进行中"), "{s}");
    assert!(s.contains("不愁吃：否"), "evidence in words: {s}");
    // Every line within the width, the messages whole.
    let msg = interview(&a).findings[0].message.zh.clone();
    let flat: String = s.lines().map(str::trim_end).collect();
    assert!(flat.contains(&msg), "{msg} in {s}");
    key(&mut a, KeyCode::Esc);
    assert!(render(&a, 60, 24).contains("按 F3 查看"));
}

#[test]
fn a_household_not_in_the_registry_gets_a_village_the_registry_knows() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('n'));
    typed(&mut a, "李四");
    key(&mut a, KeyCode::Enter);
    typed(&mut a, "桂花");
    let s = render(&a, 100, 30);
    assert!(s.contains("桂花村"), "the registry's village offered: {s}");
    key(&mut a, KeyCode::Enter);
    let v = interview(&a);
    assert_eq!(v.household.village, "桂花村");
    assert!(v.household.provisional);
    let pid = v.household.household_id.clone();
    assert!(pid.starts_with("P-"), "{pid}");
    // The form's head and village fill the identity questions, with the county and township
    // of the registry's 桂花村; the review shows the provisional id.
    let iv = &v.session.interview;
    let text = |id: &str| iv.answer(id).map(|a| a.to_json().to_string());
    assert_eq!(text("head_name").as_deref(), Some("\"李四\""));
    assert_eq!(text("village").as_deref(), Some("\"桂花村\""));
    assert_eq!(text("household_id"), Some(format!("\"{pid}\"")));
    assert!(
        text("county").is_some_and(|c| c.contains("演示县")),
        "{:?}",
        text("county")
    );
    assert!(
        text("township").is_some(),
        "township from the registry's village"
    );
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    assert!(s.contains(&pid), "the provisional id in the review: {s}");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);

    // A village the registry does not know only after a yes.
    key(&mut a, KeyCode::Char('n'));
    typed(&mut a, "王五");
    key(&mut a, KeyCode::Enter);
    typed(&mut a, "向阳");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("「向阳」不是名单上的村"), "{s}");
    key(&mut a, KeyCode::Char('n'));
    assert!(a.top::<tui::new_household::NewHousehold>().is_some());
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('y'));
    assert_eq!(interview(&a).household.village, "向阳");
}

#[test]
fn the_list_reads_a_page_not_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    let l = a.top::<tui::households::Households>().unwrap();
    assert_eq!(l.total(), 300);
    assert!(l.rows_read() < 100, "{} rows read", l.rows_read());
    for _ in 0..40 {
        key(&mut a, KeyCode::PageDown);
    }
    let l = a.top::<tui::households::Households>().unwrap();
    assert!(l.rows_read() < 100);
    let last = ruhu::demo::generate(&Default::default())
        .into_iter()
        .map(|h| h.household_id)
        .max()
        .unwrap();
    let s = render(&a, 100, 30);
    assert!(s.contains(&last), "the last household at the end: {s}");
    assert_eq!(l.selected().unwrap().entry.household_id, last);
}

#[test]
fn the_helpers_name_is_asked_unprompted() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "您知道您家的帮扶责任人是谁吗");
    key(&mut a, KeyCode::Char('y'));
    let s = render(&a, 100, 30);
    assert!(s.contains("帮扶责任人姓名"), "{s}");
    // Nothing filled in, no registry value to read out.
    let input = s.lines().find(|l| l.contains("│ >")).unwrap();
    assert_eq!(
        input
            .split("│ >")
            .nth(1)
            .unwrap()
            .split('│')
            .next()
            .unwrap()
            .trim(),
        ""
    );
    assert!(!s.contains("建档立卡："), "{s}");
    typed(&mut a, "周春");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::PageUp);
    let s = render(&a, 100, 30);
    assert!(s.contains("> 周春"), "{s}");
    if interview(&a).household.helper.is_empty() {
        return;
    }
    assert!(
        s.contains("建档立卡："),
        "the registry's value beside the answer: {s}"
    );
}

#[test]
fn the_key_bar_and_the_help_mark_what_cannot_be_done_now() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::F(2));
    // Answers missing: completing is marked in the bar and in the help.
    let s = render(&a, 100, 30);
    assert!(s.contains("F10 完成调查×"), "{s}");
    key(&mut a, KeyCode::F(1));
    let s = render(&a, 100, 30);
    let line = s.lines().find(|l| l.contains("完成调查")).unwrap();
    assert!(line.contains("（现在不可用）"), "{line}");
    // The global keys are in every screen's help, declared once.
    assert!(s.contains("Ctrl+C") && s.contains("? / F1"), "{s}");
    key(&mut a, KeyCode::Esc);
    // The home screen: the demo cannot be loaded twice.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert!(s.contains("d 载入演示数据×"), "{s}");
}

#[test]
fn the_list_says_it_is_being_prepared_before_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    // As the event loop does: a frame is drawn before the slow work runs.
    a.settle_at_once = false;
    key(&mut a, KeyCode::Char('1'));
    let s = render(&a, 100, 30);
    assert!(s.contains("正在整理户列表"), "{s}");
    assert!(s.contains("共 - 户"), "no count yet: {s}");
    assert!(a.settle());
    let s = render(&a, 100, 30);
    assert!(s.contains("共 300 户") && !s.contains("正在整理"), "{s}");
    assert!(!a.settle(), "nothing more to do");
}

#[test]
fn another_section_saves_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    first_text_question(&mut a);
    typed(&mut a, "李明");
    a.on_key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::CONTROL));
    let s = render(&a, 100, 30);
    assert!(
        s.contains("家庭成员 ·") || s.contains("您家现在共同生活"),
        "{s}"
    );
    assert!(s.contains("已保存"), "{s}");
    a.on_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::CONTROL));
    let s = render(&a, 100, 30);
    assert!(s.contains("调查员姓名") && s.contains("> 李明"), "{s}");
    // An invalid answer keeps the section from changing.
    go_to(&mut a, "调查日期");
    clear_input(&mut a);
    typed(&mut a, "2017-02-30");
    a.on_key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::CONTROL));
    let s = render(&a, 100, 30);
    assert!(s.contains("调查日期（必答）") && s.contains("! "), "{s}");
}

#[test]
fn id_numbers_are_masked_on_the_screen_unless_asked() {
    let all = ruhu::demo::generate(&Default::default());
    let h = all.iter().min_by_key(|h| h.household_id.clone()).unwrap();
    let ids: Vec<&str> = h
        .members
        .iter()
        .map(|m| m.id_number.as_str())
        .filter(|s| s.len() == 18)
        .collect();
    assert!(ids.len() >= 2, "{h:?}");
    for show in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(dir.path(), Lang::Zh).with_show_ids(show);
        key(&mut a, KeyCode::Char('1'));
        key(&mut a, KeyCode::Enter);
        go_to(&mut a, "a 添加成员");
        let s = render(&a, 120, 30);
        for id in &ids {
            let masked = format!("{}**********{}", &id[..4], &id[14..]);
            if show {
                assert!(s.contains(id), "{id} in full with --show-ids: {s}");
            } else {
                assert!(!s.contains(id), "{id} shown in full: {s}");
                assert!(s.contains(&masked), "{masked}: {s}");
            }
        }
    }
}

#[test]
fn a_member_moved_up_or_down_stays_moved_and_a_first_row_not_the_head_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    go_to(&mut a, "a 添加成员");
    let names = |a: &App| -> Vec<String> {
        interview(a)
            .session
            .interview
            .rows("members")
            .iter()
            .map(|r| {
                r.values
                    .get("name")
                    .map(|n| n.to_json().to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    let head_not_first = |a: &App| {
        interview(a)
            .findings
            .iter()
            .any(|f| f.rule == "roster_head_not_first")
    };
    let before = names(&a);
    assert!(before.len() >= 2, "{before:?}");
    assert!(!head_not_first(&a));
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char('['));
    let moved = names(&a);
    assert_eq!(moved[0], before[1]);
    assert_eq!(moved[1], before[0]);
    assert!(head_not_first(&a), "the head is no longer first");
    // The order is stored: the interview opened again has it.
    let id = interview(&a).session.record.interview_id;
    let stored = a.ctx.ws.resume(id).unwrap();
    let first = stored.interview.rows("members")[0]
        .values
        .get("name")
        .unwrap()
        .to_json();
    assert_eq!(first.to_string(), before[1]);
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(names(&a), before);
    assert!(!head_not_first(&a));
}

#[test]
fn at_80_columns_a_long_section_title_keeps_its_words_not_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    let line = s
        .lines()
        .find(|l| l.contains("家庭收入"))
        .unwrap_or_else(|| panic!("{s}"));
    let sections = line.split('│').next().unwrap();
    assert!(!sections.contains('~'), "{s}");
    // At 100 columns there is room for the whole title.
    let s = render(&a, 100, 30);
    assert!(s.contains("家庭收入（过去12个月）"), "{s}");
}

#[test]
fn a_returned_interview_is_counted_filtered_and_shows_the_team_leads_comments() {
    use ruhu::interview::{Decision, Review};
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    // The first household of the list, interviewed, completed and returned by the lead.
    let list = a.ws.household_list().unwrap();
    let first = list
        .page(&ruhu::session::ListFilter::default(), 0, 1)
        .unwrap()
        .rows[0]
        .entry
        .household_id
        .clone();
    let h = a.ws.household(&first).unwrap();
    let mut s =
        a.ws.start_preloaded(&h, "测试员", ruhu::session::Preload::Identity)
            .unwrap();
    let whole = common::walk::walk(s.interview.form_arc().clone());
    let changes = ruhu::session::enter_answers(&mut s.interview, whole.answers()).unwrap();
    s.save_many(&a.ws, &changes).unwrap();
    s.complete(&a.ws).unwrap().unwrap();
    let question = "respondent_name".to_string();
    let label = s
        .interview
        .form()
        .question(&question)
        .unwrap()
        .label
        .zh
        .clone();
    s.review(
        &a.ws,
        &Review {
            decision: Decision::Return,
            comment: "收入没有问清楚".into(),
            questions: [(question.clone(), "请核对这一题".to_string())].into(),
            by: String::new(),
            at: None,
        },
    )
    .unwrap()
    .unwrap();
    a.ctx.refresh_counts();
    let home = render(&a, 100, 30);
    let line = home.lines().find(|l| l.contains("组长退回待补")).unwrap();
    assert!(line.contains('1'), "{home}");
    assert!(home.contains("筛选「已退回」"), "{home}");

    key(&mut a, KeyCode::Char('1'));
    // The status filter goes round: not started, in progress, returned.
    for _ in 0..3 {
        key(&mut a, KeyCode::Char('s'));
    }
    let s = render(&a, 100, 30);
    assert!(s.contains("共 1 户"), "{s}");
    key(&mut a, KeyCode::Enter);
    // Every answer given: it opens on the review, which says why it came back.
    let s = render(&a, 100, 30);
    assert!(s.contains("! 组长退回（测试员）：收入没有问清楚"), "{s}");
    let line = s.lines().find(|l| l.contains(&label)).unwrap();
    assert!(line.contains("（组长：请核对这一题）"), "{line}");
    // On the questions too.
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 100, 30);
    assert!(s.contains("! 组长退回（测试员）：收入没有问清楚"), "{s}");
    go_to(&mut a, &label);
    let s = render(&a, 100, 30);
    assert!(s.contains("组长意见：请核对这一题"), "{s}");
}

#[test]
fn the_team_screen_shows_coverage_and_approves_or_returns_with_a_typed_comment() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path(), Lang::Zh);
    // Two completed interviews of the first two households of the list.
    let list = a.ws.household_list().unwrap();
    let page = list
        .page(&ruhu::session::ListFilter::default(), 0, 2)
        .unwrap();
    let mut ids = Vec::new();
    for row in &page.rows {
        let h = a.ws.household(&row.entry.household_id).unwrap();
        let mut s =
            a.ws.start_preloaded(&h, "测试员", ruhu::session::Preload::Identity)
                .unwrap();
        let whole = common::walk::walk(s.interview.form_arc().clone());
        let changes = ruhu::session::enter_answers(&mut s.interview, whole.answers()).unwrap();
        s.save_many(&a.ws, &changes).unwrap();
        s.complete(&a.ws).unwrap().unwrap();
        ids.push(s.record.interview_id);
    }
    key(&mut a, KeyCode::Char('4'));
    let s = render(&a, 100, 30);
    assert!(s.contains("组长：进度与审核"), "{s}");
    assert!(s.contains("还没有抽样"), "{s}");
    assert!(s.contains("调查（待审核的在前）：2 份"), "{s}");
    // The first row approved.
    key(&mut a, KeyCode::Char('a'));
    let approved = ids
        .iter()
        .filter(|id| {
            a.ws.interview(**id).unwrap().unwrap().status == ruhu::interview::Status::Approved
        })
        .count();
    assert_eq!(approved, 1);
    let s = render(&a, 100, 30);
    assert!(s.contains("已通过这份调查"), "{s}");
    // The other (now first: waiting for review) returned with a comment typed here.
    key(&mut a, KeyCode::Char('r'));
    assert!(render(&a, 100, 30).contains("退回意见："));
    key(&mut a, KeyCode::Enter);
    assert!(render(&a, 100, 30).contains("退回要写明原因"));
    typed(&mut a, "家庭人口要再核实");
    key(&mut a, KeyCode::Enter);
    let returned: Vec<_> = ids
        .iter()
        .map(|id| a.ws.interview(*id).unwrap().unwrap())
        .filter(|r| r.status == ruhu::interview::Status::Returned)
        .collect();
    assert_eq!(returned.len(), 1);
    assert_eq!(
        returned[0].review.as_ref().unwrap().comment,
        "家庭人口要再核实"
    );
    let s = render(&a, 100, 30);
    assert!(s.contains("家庭人口要再核实"), "{s}");
    // Help lists the screen's keys; approving a returned one is marked unavailable.
    key(&mut a, KeyCode::Char('?'));
    let s = render(&a, 100, 30);
    assert!(s.contains("退回（写意见）") && s.contains("通过"), "{s}");
}

#[test]
fn the_sync_screen_lists_a_conflict_side_by_side_and_resolves_it() {
    use common::ruhu;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        assert_eq!(ruhu(d, &["demo"]).0, 0);
    }
    let hh = common::demo_household(ruhu::registry::Status::Exited);
    let file = common::walk::answer_file(dir.path(), "exited");
    let (code, out, err) = ruhu(
        &a,
        &[
            "interview",
            "apply",
            "--household",
            &hh,
            "--answers",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let id = serde_json::from_str::<serde_json::Value>(&out).unwrap()["interview_id"]
        .as_str()
        .unwrap()
        .to_string();
    let bundle = |from: &std::path::Path, name: &str| {
        let f = dir.path().join(name);
        let (code, out, err) = ruhu(from, &["sync", "export", "--out", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        f
    };
    let import = |to: &std::path::Path, f: &std::path::Path| {
        let (code, out, err) = ruhu(to, &["sync", "import", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
    };
    import(&b, &bundle(&a, "1.bundle"));
    // The same answer changed on both laptops, neither seeing the other.
    for (d, name) in [(&a, "王秀英"), (&b, "王秀兰")] {
        let change = dir.path().join("change.json");
        std::fs::write(
            &change,
            serde_json::json!({"questionnaire": "exited", "answers": {"respondent_name": name}})
                .to_string(),
        )
        .unwrap();
        let (code, out, err) = ruhu(
            d,
            &[
                "interview",
                "apply",
                "--interview",
                &id,
                "--answers",
                change.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    import(&b, &bundle(&a, "2.bundle"));

    let forms = Forms::from_report(questionnaire::load_bundled()).unwrap();
    let ws = Workspace::open(&b, forms).unwrap();
    let mut app = App::new(ws, Lang::Zh, "组长".into());
    key(&mut app, KeyCode::Char('5'));
    let s = render(&app, 100, 30);
    assert!(s.contains("冲突 1 个"), "{s}");
    assert!(s.contains("受访人姓名"), "{s}");
    assert!(s.contains("1) 王秀") && s.contains("2) 王秀"), "{s}");
    assert!(s.contains("（现在显示）"), "{s}");
    assert!(s.contains("各台电脑的记录都已收齐"), "{s}");
    // Side 2 is taken: the conflict closes, and the answer is that side's.
    let second = s
        .lines()
        .find(|l| l.contains("2) 王秀"))
        .map(|l| {
            if l.contains("王秀英") {
                "王秀英"
            } else {
                "王秀兰"
            }
        })
        .unwrap();
    key(&mut app, KeyCode::Char('2'));
    let s = render(&app, 100, 30);
    assert!(s.contains("冲突 0 个"), "{s}");
    assert!(s.contains("已解决：取第 2 方"), "{s}");
    let r = app.ws.interview(id.parse().unwrap()).unwrap().unwrap();
    assert_eq!(r.answers["answers"]["respondent_name"], second);
}
