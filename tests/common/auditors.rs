//! A data folder for the auditors' screens: the demo registry spread over 130 villages of
//! four townships (the first named 清溪村第三村民小组), and completed interviews of exited
//! households failing the exit standard and of poor households hitting every red flag, by
//! three interviewers; made once per test program and copied for each test. Also the
//! screen as text and keys, as the screen tests use them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ruhu::i18n::Lang;
use ruhu::interview::Answer;
use ruhu::registry::{Household, Status};
use ruhu::session::{Forms, Workspace};
use ruhu::tui::{self, App};

/// The village of the first household: a long name, whole on every screen.
pub const LONG_VILLAGE: &str = "清溪村第三村民小组";
pub const TOWNSHIPS: [&str; 4] = ["清溪镇", "白云镇", "石门乡", "龙泉乡"];
pub const INTERVIEWERS: [&str; 3] = ["张明", "李芳", "王强"];

/// 130 village names: 清溪村, 清溪上村, …; the first is [`LONG_VILLAGE`].
fn village(n: usize) -> (String, String) {
    const A: [&str; 10] = [
        "清溪", "桂花", "石桥", "青山", "松林", "龙潭", "白沙", "梨园", "竹林", "河口",
    ];
    const B: [&str; 13] = [
        "", "上", "下", "东", "西", "南", "北", "新", "老", "中", "大", "小", "前",
    ];
    let n = n % 130;
    let name = if n == 0 {
        LONG_VILLAGE.to_string()
    } else {
        format!("{}{}村", A[n % 10], B[n / 10])
    };
    (TOWNSHIPS[n % 4].to_string(), name)
}

/// The demo registry with its households spread over 130 villages of four townships.
pub fn households() -> Vec<Household> {
    let mut hs = ruhu::demo::generate(&Default::default());
    // The households interviewed (exited, poor) one per village in turn, the others after.
    let mut interviewed = 0;
    let mut others = 0;
    for h in hs.iter_mut() {
        let n = if matches!(h.status, Status::Exited | Status::Poor) {
            interviewed += 1;
            interviewed - 1
        } else {
            others += 1;
            others - 1
        };
        let (t, v) = village(n);
        h.county = "演示县".into();
        h.township = t;
        h.village = v;
    }
    hs
}

/// Answers of a walk through the household's questionnaire that fail the exit standard
/// (exited) or hit every red flag (poor); other kinds are not interviewed.
fn failing_answers(ws: &Workspace, h: &Household) -> Option<ruhu::interview::Answers> {
    let form = ws.forms.get(h.kind()).unwrap();
    let mut answers = super::walk::walk(form.clone()).answers().clone();
    let v = &mut answers.values;
    match h.status {
        Status::Exited => {
            v.insert("food_ok".into(), Answer::Bool(false));
            v.insert(
                "food_problem".into(),
                Answer::Choices(vec!["grain_short".into()]),
            );
            v.insert("clothing_ok".into(), Answer::Bool(false));
            v.insert("clothing_problem".into(), Answer::Text("冬衣不够".into()));
            v.insert("house_rating".into(), Answer::Choice("D".into()));
            v.insert("accepts_exit".into(), Answer::Bool(false));
            v.insert("water_ok".into(), Answer::Bool(false));
        }
        Status::Poor => {
            for q in form.top_level().map(|(_, q)| q) {
                if q.id.starts_with("red_")
                    && matches!(q.kind, ruhu::questionnaire::QuestionType::YesNo)
                {
                    v.insert(q.id.clone(), Answer::Bool(true));
                }
            }
        }
        _ => return None,
    }
    Some(answers)
}

/// A data folder made once for every test: the registry above and a completed interview of
/// each exited and poor household (by three interviewers), copied for each test.
pub fn template(interviews: usize) -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ws = open_ws(dir.path());
        let hs = households();
        ws.load_households(hs.clone()).unwrap();
        for (n, h) in hs
            .iter()
            .filter(|h| matches!(h.status, Status::Exited | Status::Poor))
            .take(interviews)
            .enumerate()
        {
            let Some(answers) = failing_answers(&ws, h) else {
                continue;
            };
            let mut s = clean_start(&ws, h, INTERVIEWERS[n % 3]);
            let changes = match ruhu::session::enter_answers(&mut s.interview, &answers) {
                Ok(c) => c,
                Err(p) => panic!("{}: {p:?}", h.household_id),
            };
            s.save_many(&ws, &changes).unwrap();
            // Follow-up questions the failing answers opened: the walk's answer for each.
            let form = ws.forms.get(h.kind()).unwrap();
            for _ in 0..5 {
                let missing = match s.complete(&ws).unwrap() {
                    Ok(()) => break,
                    Err(m) => m,
                };
                let mut more = ruhu::interview::Answers::default();
                for m in missing {
                    let q = form.question(&m.question).unwrap();
                    let answer = match q.kind {
                        ruhu::questionnaire::QuestionType::Text => {
                            Answer::Text("见村委会记录".into())
                        }
                        _ => super::walk::answer_for(q, h.kind()).unwrap(),
                    };
                    more.values.insert(m.question.clone(), answer);
                }
                let changes = ruhu::session::enter_answers(&mut s.interview, &more).unwrap();
                s.save_many(&ws, &changes).unwrap();
            }
            assert!(s.interview.missing().is_empty(), "{}", h.household_id);
        }
        dir
    })
    .path()
}

pub fn open_ws(dir: &Path) -> Workspace {
    let forms = Forms::from_report(ruhu::questionnaire::load_bundled()).unwrap();
    Workspace::open(dir, forms).unwrap()
}

/// An interview with no roster rows preloaded (the walk enters its own).
fn clean_start(ws: &Workspace, h: &Household, by: &str) -> ruhu::session::Session {
    let mut s = ws.start(h, by).unwrap();
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
            s.remove_row(ws, &r, &id).unwrap();
        }
    }
    s
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A test's own copy of the template: its folder (kept alive) and the app on it.
pub fn app(interviews: usize, lang: Lang) -> (tempfile::TempDir, PathBuf, App) {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    copy_dir(template(interviews), &data);
    let app = App::new(open_ws(&data), lang, "测试员".into());
    (root, data, app)
}

/// The screen as text, one line per row; wide characters appear once.
pub fn render(app: &App, w: u16, h: u16) -> String {
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

pub fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}
