//! End to end: the real binary in a pseudo-terminal. Opens the demo, searches a household by
//! a Chinese name, answers questions including Chinese free text, quits, starts again and
//! finds the answers.

mod common;

use common::pty::Tui;

#[test]
fn rehearse_quit_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    // A name from the demo data that is unique in it.
    let all = ruhu::demo::generate(&Default::default());
    let target = all
        .iter()
        .find(|h| {
            all.iter()
                .filter(|o| {
                    o.head_name.contains(&h.head_name)
                        || o.members.iter().any(|m| m.name.contains(&h.head_name))
                })
                .count()
                == 1
                && h.head_name.chars().count() == 3
        })
        .expect("a unique name");
    let name = target.head_name.clone();

    let mut t = Tui::start(&["--data", &data, "--interviewer", "测试员"]);
    t.wait_for("按 d 载入演示数据");
    t.send("d");
    t.wait_for("已载入 300 户演示数据");
    t.send("1");
    t.wait_for("共 300 户");
    t.send("/");
    t.type_text(&name);
    t.wait_for("共 1 户");
    t.enter();
    t.enter();
    t.wait_for("调查员姓名");
    assert!(t.screen().contains(&name), "{}", t.screen());
    // Opened at the first question that wants an answer (the introduction above it): the
    // interviewer's name in Chinese.
    t.wait_for("调查员姓名");
    t.type_text("李明");
    t.wait_for("> 李明");
    t.enter();
    t.wait_for("已保存");
    // The county is preloaded from the registry: confirm it.
    t.wait_for("> 演示县");
    t.enter();
    t.wait_for("乡（镇）");
    // Pasted text (some input methods commit through paste).
    t.send("\x1b[200~");
    t.send("昙华乡");
    t.send("\x1b[201~");
    t.wait_for("昙华乡");
    t.enter();
    t.wait_for("行政村");
    t.ctrl_c();
    assert!(t.wait_exit());
    drop(t);

    // Start again: the household shows as in progress, and the answers are there.
    let mut t = Tui::start(&["--data", &data]);
    t.wait_for("1  调查进行中");
    t.send("1");
    t.wait_for("共 300 户");
    t.send("/");
    t.type_text(&name);
    t.wait_for("共 1 户");
    assert!(t.screen().contains("进行中"), "{}", t.screen());
    t.enter();
    t.enter();
    // Resumed where work is left: the first question not answered (the place and the head
    // were preloaded from the registry).
    t.wait_for("受访人姓名");
    t.key_f2();
    t.wait_for("检查全部答案");
    let s = t.screen();
    assert!(s.contains("李明"), "{s}");
    assert!(s.contains("昙华乡"), "{s}");
    t.ctrl_c();
    assert!(t.wait_exit());
}

/// The terminal as a user finds it once the program has exited: the normal screen (the
/// shell's line shows), raw mode, bracketed paste and the hidden cursor all off.
fn assert_restored(t: &Tui) {
    let s = t.screen();
    assert!(!t.alternate_screen(), "still on the alternate screen:\n{s}");
    assert!(!t.bracketed_paste(), "bracketed paste still on:\n{s}");
    assert!(!t.cursor_hidden(), "cursor still hidden:\n{s}");
    // On a line of its own: nothing moved the cursor back up over what was printed.
    assert!(
        s.lines().any(|l| l.trim_end() == "tty=cooked"),
        "raw mode still on, or the screen overwritten:\n{s}"
    );
}

#[test]
fn quitting_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let mut t = Tui::start_ruhu_in_shell(&["--data", &data]);
    t.wait_for("按 d 载入演示数据");
    assert!(t.alternate_screen());
    assert!(t.bracketed_paste());
    t.ctrl_c();
    t.wait_for("exit=");
    assert_restored(&t);
    assert!(t.screen().contains("exit=0"), "{}", t.screen());
    assert_eq!(t.wait_exit_code(), 0);
}

#[test]
fn a_deleted_data_folder_is_shown_warned_about_and_fails_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = common::ruhu(&data, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let data_arg = data.to_str().unwrap().to_string();
    let mut t = Tui::start_ruhu_in_shell(&["--data", &data_arg, "--interviewer", "测试员"]);
    t.wait_for("调查进行中");
    t.send("1");
    t.wait_for("共 300 户");
    t.enter();
    t.wait_for("调查员姓名");
    t.type_text("李明");
    t.wait_for("> 李明");
    t.enter();
    t.wait_for("已保存");
    t.wait_for("> 演示县");

    std::fs::remove_dir_all(&data).unwrap();
    // A correction of the preloaded county is a save: it fails, and says so.
    t.type_text("东");
    t.enter();
    t.wait_for("被删除或移走");
    t.wait_for("! 未保存");
    let s = t.screen();
    assert!(!s.contains("已保存"), "{s}");
    assert!(s.contains("Ctrl+C"), "what to do: {s}");
    // Esc puts the saved county back; another answer is refused with that reason.
    t.esc();
    t.page_down();
    t.wait_for("乡（镇）");
    t.type_text("昙华乡");
    t.enter();
    t.wait_for("不能再保存答案");
    assert!(!t.screen().contains("已保存"), "{}", t.screen());

    t.ctrl_c();
    t.wait_for("exit=");
    assert_restored(&t);
    // On standard error, after the terminal was restored (needs src/cli/mod.rs to print
    // the outcome of tui::run and exit with 1).
    let s = t.screen();
    assert!(s.contains("ruhu: 有 2 个答案没有保存"), "{s}");
    assert!(s.contains("exit=1"), "{s}");
    assert_ne!(t.wait_exit_code(), 0);
}

const ROLE: &str = "RUHU_PTY_TERMINAL_ROLE";

/// Run by `an_error_or_a_panic_inside_the_ui_restores_the_terminal` in a pseudo-terminal
/// (does nothing without its role): sets the terminal up as the UI does, draws, waits for a
/// key, then fails (`error`) or panics (`panic`).
#[test]
#[ignore = "a child of an_error_or_a_panic_inside_the_ui_restores_the_terminal"]
fn child_fails_inside_the_ui() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let r: std::io::Result<()> = ruhu::tui::with_terminal(|t| {
        t.draw(|f| f.render_widget("inside the ui", f.area()))?;
        loop {
            if let ratatui::crossterm::event::Event::Key(_) = ratatui::crossterm::event::read()? {
                break;
            }
        }
        match role.as_str() {
            "panic" => panic!("injected panic"),
            _ => Err(std::io::Error::other("injected error")),
        }
    });
    println!("returned: {r:?}");
}

#[test]
fn an_error_or_a_panic_inside_the_ui_restores_the_terminal() {
    let exe = std::env::current_exe().unwrap();
    for (role, shown) in [
        ("error", "returned: Err(Custom"),
        ("panic", "injected panic"),
    ] {
        let mut t = Tui::start_in_shell(
            exe.to_str().unwrap(),
            &[
                "--ignored",
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "child_fails_inside_the_ui",
            ],
            &[(ROLE, role), ("RUST_BACKTRACE", "0")],
        );
        t.wait_for("inside the ui");
        assert!(t.alternate_screen(), "{role}");
        assert!(t.bracketed_paste(), "{role}");
        t.send("x");
        t.wait_for("exit=");
        assert_restored(&t);
        let s = t.screen();
        let (at, after) = (s.find(shown), s.find("tty=cooked"));
        assert!(
            at.is_some() && at < after,
            "{role}: the message shows above the shell's line: {s}"
        );
    }
}

/// A backup encrypted with a passphrase typed at the prompt (twice, not shown), restored with
/// it typed again.
#[test]
fn an_encrypted_backup_with_a_typed_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = common::ruhu(&data, &["demo"]);
    assert_eq!(code, 0, "{err}");
    let file = dir.path().join("b.age");
    let (d, f) = (data.to_str().unwrap(), file.to_str().unwrap());
    let mut tui = Tui::start(&["--data", d, "backup", f, "--encrypt"]);
    tui.wait_for("口令");
    tui.type_text("村里的口令");
    tui.enter();
    tui.wait_for("再输入一次");
    tui.type_text("村里的口令");
    tui.enter();
    assert_eq!(tui.wait_exit_code(), 0, "{}", tui.screen());
    assert!(
        !tui.screen().contains("村里的口令"),
        "the passphrase was shown"
    );
    assert!(
        std::fs::read(&file)
            .unwrap()
            .starts_with(b"age-encryption.org/v1")
    );

    let target = dir.path().join("target");
    let t = target.to_str().unwrap();
    let mut tui = Tui::start(&["--data", t, "restore", f]);
    tui.wait_for("口令");
    tui.type_text("村里的口令");
    tui.enter();
    assert_eq!(tui.wait_exit_code(), 0, "{}", tui.screen());
    tui.wait_for("已从");
}

/// The question on screen: the longest label among `candidates` that begins a line of the
/// question pane (after the heading), and whether a roster row is being edited.
fn question_on_screen<'a>(
    screen: &str,
    candidates: &'a [ruhu::questionnaire::Question],
) -> Option<&'a ruhu::questionnaire::Question> {
    let pane: Vec<String> = screen
        .lines()
        .skip(2)
        .filter_map(|l| l.split_once('│').map(|(_, r)| r.trim().to_string()))
        .collect();
    let mut best: Option<&ruhu::questionnaire::Question> = None;
    for line in &pane {
        let line = line.split('│').next().unwrap_or("").trim();
        let line = line.trim_end_matches("（必答）");
        if line.is_empty() {
            continue;
        }
        for q in candidates {
            let label = q.label.zh.as_str();
            let fits = line == label
                || line.starts_with(&format!("{label}（"))
                || (line.chars().count() >= 8 && label.starts_with(line));
            if fits && best.is_none_or(|b| b.label.zh.chars().count() < label.chars().count()) {
                best = Some(q);
            }
        }
        if best.is_some() {
            return best;
        }
    }
    best
}

/// The keys that give `answer` to `q` when the input shows `shown` (a preloaded value is
/// confirmed with Enter).
fn keys_for(
    t: &mut Tui,
    q: &ruhu::questionnaire::Question,
    answer: &ruhu::interview::Answer,
    shown: &str,
) {
    use ruhu::interview::Answer;
    use ruhu::questionnaire::QuestionType;
    let pick = |name: &str| {
        let i = q
            .kind
            .choices()
            .iter()
            .position(|c| c.name == name)
            .unwrap();
        ruhu::tui::interview::option_key(i).unwrap().to_string()
    };
    match (&q.kind, answer) {
        (QuestionType::YesNo, Answer::Bool(b)) => t.send(if *b { "y" } else { "n" }),
        (QuestionType::SelectOne(_), Answer::Choice(c)) => t.send(&pick(c)),
        (QuestionType::SelectMultiple(_), Answer::Choices(cs)) => {
            for c in cs {
                t.send(&pick(c));
            }
            t.enter();
        }
        (_, a) => {
            if shown.is_empty() {
                let text = match a {
                    Answer::Text(s) => s.clone(),
                    Answer::Integer(n) => n.to_string(),
                    Answer::Decimal(d) => d.to_string(),
                    Answer::Date(d) => d.format("%Y-%m-%d").to_string(),
                    other => panic!("{other:?} for {}", q.id),
                };
                t.type_text(&text);
            }
            t.enter();
        }
    }
}

/// The effort of a whole interview: an exited household, four members, every question that
/// shows answered, completed; the keys sent are counted and printed.
#[test]
fn a_whole_exited_interview_through_the_terminal_and_its_keys() {
    use ruhu::questionnaire::{Kind, QuestionType};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let all = ruhu::demo::generate(&Default::default());
    let h = all
        .iter()
        .find(|h| h.kind() == Kind::Exited && h.members.len() == 4)
        .or_else(|| all.iter().find(|h| h.kind() == Kind::Exited))
        .unwrap();
    let forms = ruhu::session::Forms::from_report(ruhu::questionnaire::load_bundled()).unwrap();
    let form = forms.get(Kind::Exited).unwrap();
    let top: Vec<ruhu::questionnaire::Question> = form
        .top_level()
        .map(|(_, q)| q.clone())
        .filter(|q| !matches!(q.kind, QuestionType::Note | QuestionType::Calculate(_)))
        .collect();
    let members: Vec<ruhu::questionnaire::Question> = form
        .top_level()
        .find_map(|(_, q)| match &q.kind {
            QuestionType::Roster { questions, .. } => Some(questions.clone()),
            _ => None,
        })
        .unwrap()
        .into_iter()
        .filter(|q| q.kind.is_input())
        .collect();

    let (code, _, err) = common::ruhu(dir.path(), &["demo"]);
    assert_eq!(code, 0, "{err}");
    let mut t = Tui::start_sized(&["--data", &data, "--interviewer", "测试员"], 200, 50);
    t.wait_for("农户");
    let setup = t.keys;
    t.send("1");
    t.wait_for("共 300 户");
    t.send("/");
    t.type_text(&h.household_id);
    t.wait_for("共 1 户");
    t.enter();
    t.enter();
    t.wait_for("必答");
    let opened = t.keys;

    // The rows of the roster table ("共 N 行").
    let rows_re = |s: &str| -> Option<usize> {
        s.split("共 ")
            .skip(1)
            .find_map(|rest| rest.split_once(" 行").and_then(|(n, _)| n.parse().ok()))
    };
    // Rows edited to their end, and the row being edited.
    let mut done_rows = 0usize;
    let mut editing: Option<usize> = None;
    let mut steps = 0;
    let mut before = String::new();
    loop {
        steps += 1;
        assert!(steps < 600, "stuck: {}", t.screen());
        let s = t.settled_after(&before);
        before = s.clone();
        if s.contains("检查全部答案（") {
            assert!(
                !s.contains("缺 ") || s.contains("缺 0 题"),
                "answers missing: {s}"
            );
            t.key_f10();
            t.wait_for("完成这次调查吗");
            t.send("y");
            t.wait_for("调查已完成并保存");
            break;
        }
        if s.contains("a 添加成员") {
            // The roster table: four members, each row edited in turn.
            let n = rows_re(&s).expect("the row count");
            if let Some(k) = editing.take() {
                done_rows = done_rows.max(k);
            }
            if n > 4 {
                // More rows than the walk's members: the last ones go.
                for _ in 0..n {
                    t.down();
                }
                t.send("d");
                t.send("y");
                continue;
            }
            if done_rows < n {
                if done_rows > 0 {
                    t.down();
                }
                t.enter();
            } else if n < 4 {
                t.send("a");
            } else {
                t.tab();
            }
            continue;
        }
        let in_row = s.contains("家庭成员 · 第");
        let q = if in_row {
            question_on_screen(&s, &members)
        } else {
            question_on_screen(&s, &top)
        };
        let Some(q) = q else {
            panic!("no question recognised: {s}");
        };
        let answer = if in_row {
            let row: usize = s
                .split("家庭成员 · 第")
                .nth(1)
                .and_then(|r| r.split('行').next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            editing = Some(row);
            common::walk::member_answer(q, (row - 1).min(4))
        } else {
            common::walk::answer_for(q, Kind::Exited)
        };
        let shown = s
            .lines()
            .find_map(|l| {
                l.split_once("│ > ")
                    .map(|(_, r)| r.split('│').next().unwrap().trim().to_string())
            })
            .unwrap_or_default();
        match answer {
            Some(a) => keys_for(&mut t, q, &a, &shown),
            None => t.tab(),
        }
    }
    let keys = t.keys - opened;
    println!(
        "keys for the whole exited interview (four members, every question answered): {keys} (opening it: {})",
        opened - setup
    );
    assert!(keys <= 250, "{keys} keys");
    t.ctrl_c();
    assert!(t.wait_exit());
}
