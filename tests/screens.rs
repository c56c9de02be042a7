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
    assert!(s.contains("必答 0/"), "{s}");
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
    key(&mut a, KeyCode::Char('a'));
    typed(&mut a, "王小梅");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(s.contains("第1行 王小梅"), "{s}");
    key(&mut a, KeyCode::Esc);
    let s = render(&a, 80, 24);
    assert!(s.contains("王小梅"), "{s}");
    assert!(s.contains("共 1 行"), "{s}");
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
    key(&mut a, KeyCode::F(2));
    let s = render(&a, 100, 30);
    assert!(s.contains("考核可能发现"), "review: {s}");
    // The evidence by the question's label, not its variable id.
    assert!(!s.contains("food_ok"), "no variable ids: {s}");
    assert!(
        s.contains("答案 ") && s.contains("不愁吃") && s.contains("：否"),
        "evidence: {s}"
    );
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
    let mut s = a.ws.start(&h, "测试员").unwrap();
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
    assert!(s.contains("类别：错退"), "{s}");
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 100, 30);
    assert!(s.contains("建档立卡"), "{s}");
    assert!(s.contains("调查答案"), "{s}");
    assert!(s.contains("food_ok = false"), "{s}");
    key(&mut a, KeyCode::Char('y'));
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
    // The county, preloaded from the registry: confirming it is a save.
    key(&mut a, KeyCode::Enter);
    let s = render(&a, 80, 24);
    assert!(!s.contains("已保存"), "{s}");
    assert!(s.contains("! 未保存"), "{s}");
    assert!(s.contains("被删除或移走"), "the banner: {s}");
    assert!(s.contains("Ctrl+C"), "what to do: {s}");
    assert_eq!(a.trouble, Some(tui::StoreTrouble::Vanished));
    // Still on the county: the answer was not taken.
    assert!(s.contains("> 演示县"), "{s}");

    // The next answer is refused up front with the same reason, not tried again.
    key(&mut a, KeyCode::PageDown);
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
