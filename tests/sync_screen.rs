//! The sync screen with ratatui's TestBackend: bundles imported from the screen (plain,
//! encrypted, refused) with their reports and the log of imports; the visit that counts
//! chosen there; what is held aside, with the reason; Chinese file names measured in cells.
//! Laptops are data folders filled through the real binary, as in tests/sync.rs.

mod common;

use std::path::{Path, PathBuf};

use common::walk::answer_file;
use common::{laptop, ruhu, run_json};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ruhu::i18n::Lang;
use ruhu::session::{Forms, Workspace};
use ruhu::tui::{self, App};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// Exited households of the demo registry (the same in every data folder).
fn exited(n: usize) -> Vec<String> {
    common::demo_households(ruhu::registry::Status::Exited, n)
}

/// Enters a whole exited interview of household `hh` (completed) as `who`; its id.
fn interview(root: &Path, data: &Path, hh: &str, who: &str, extra: &[&str]) -> String {
    let file = answer_file(root, "exited");
    let mut args = vec![
        "interview",
        "apply",
        "--household",
        hh,
        "--answers",
        file.to_str().unwrap(),
        "--complete",
        "--interviewer",
        who,
    ];
    args.extend_from_slice(extra);
    let v = run_json(data, &args);
    v["interview_id"].as_str().unwrap().to_string()
}

/// Exports everything of `data` not sent yet into `root/name`.
fn export(data: &Path, root: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = root.join(name);
    let mut args = vec!["sync", "export", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let v = run_json(data, &args);
    assert_eq!(v["written"], true, "{v}");
    out
}

/// The whole store as a canonical value (the JSON backup without what is the store's own:
/// the device id, what it sent, its log of imports; events in event-id order).
fn dump(data: &Path) -> Value {
    let file = data.with_extension(format!("dump-{}.json", uuid::Uuid::new_v4()));
    let (code, out, err) = ruhu(data, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    // What the store sent and the bundles it imported are its own, like its device id.
    for own in ["device_id", "sent", "imports"] {
        v.as_object_mut().unwrap().remove(own);
    }
    let events = v["events"].as_array_mut().unwrap();
    events.sort_by(|a, b| a["event_id"].as_str().cmp(&b["event_id"].as_str()));
    v
}

/// The app on a data folder, on the sync screen.
fn sync_screen(data: &Path, forms: Option<&Path>, lang: Lang, who: &str) -> App {
    let forms = match forms {
        Some(dir) => Forms::from_dir(dir).unwrap(),
        None => Forms::bundled().unwrap(),
    };
    let ws = Workspace::open(data, forms).unwrap();
    let mut app = App::new(ws, lang, who.into());
    key(&mut app, KeyCode::Char('5'));
    app
}

/// The screen as text, one line per row (wide characters once), and the cursor.
fn render_at(app: &App, w: u16, h: u16) -> (String, (u16, u16)) {
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
            skip = UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    let c = t.get_cursor_position().unwrap();
    (out, (c.x, c.y))
}

fn render(app: &App) -> String {
    render_at(app, 100, 40).0
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Imports `file` from the screen: `i`, the path, Enter.
fn import_on_screen(app: &mut App, file: &Path) {
    key(app, KeyCode::Char('i'));
    typed(app, file.to_str().unwrap());
    key(app, KeyCode::Enter);
}

/// Text for people: labels and words, never program names or raw values.
fn assert_labels(s: &str) {
    for raw in [
        "true",
        "false",
        "null",
        "None",
        "Some(",
        "in_progress",
        "Chosen",
        "Latest",
        "exited",
        "respondent_",
        "household_id",
    ] {
        assert!(!s.contains(raw), "{raw} shown on the screen:\n{s}");
    }
}

#[test]
fn a_bundle_imported_from_the_screen_shows_its_report_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    interview(root, &a, &exited(1)[0], "李调查", &[]);
    let file = export(
        &a,
        root,
        "李调查-1205.ruhu",
        &["--to", "lead", "--name", "李调查的电脑"],
    );

    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    let s = render(&app);
    assert!(s.contains("已导入的答卷包 0 个"), "{s}");
    assert!(s.contains("还没有导入过答卷包"), "{s}");
    assert!(s.contains("i 导入答卷包"), "the key bar: {s}");
    key(&mut app, KeyCode::Char('i'));
    let s = render(&app);
    assert!(s.contains("答卷包文件："), "{s}");
    // An empty path or a file that is not there: said on the line, which stays open.
    key(&mut app, KeyCode::Enter);
    assert!(render(&app).contains("请输入答卷包文件的路径"));
    typed(&mut app, "/没有/这个.ruhu");
    key(&mut app, KeyCode::Enter);
    let s = render(&app);
    assert!(s.contains("无法读取 /没有/这个.ruhu"), "{s}");
    assert!(app.ws.imports().unwrap().is_empty(), "nothing was imported");
    key(&mut app, KeyCode::Esc);
    assert!(!render(&app).contains("答卷包文件："));

    import_on_screen(&mut app, &file);
    let s = render(&app);
    assert!(s.contains("本次导入 李调查-1205.ruhu：已导入"), "{s}");
    assert!(s.contains("新调查 1，更新 0，未变 0，新答题记录"), "{s}");
    assert!(s.contains("冲突 0，重复入户 0，暂存 0，待补 0"), "{s}");
    assert!(s.contains("已导入的答卷包 1 个"), "{s}");
    let row = s
        .lines()
        .find(|l| l.contains("已导入") && l.contains("李调查-1205.ruhu") && l.contains("新 1"))
        .unwrap_or_else(|| panic!("the log's row: {s}"));
    assert!(row.contains("来自 李调查的电脑"), "{row}");
    assert!(
        s.contains("已导入 李调查-1205.ruhu：新调查 1"),
        "the message line: {s}"
    );
    assert_labels(&s);
    let log = app.ws.imports().unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0].accepted);
    assert_eq!(log[0].interviews_new, 1);
    assert!(log[0].events_new > 50);
    assert_eq!(log[0].device_name.as_deref(), Some("李调查的电脑"));
    assert!(log[0].bundle_id.is_some());
    assert_eq!(app.ws.interview_results().count(), 1);
    // The selected entry shows its whole report: the bundle, who wrote it, the counts.
    key(&mut app, KeyCode::Tab);
    let s = render(&app);
    assert!(s.contains(&format!("文件：{}", file.display())), "{s}");
    assert!(
        s.contains(&format!("答卷包 {}", log[0].bundle_id.unwrap())),
        "{s}"
    );

    // The same bundle again changes nothing, and says so; the log has both, newest first.
    import_on_screen(&mut app, &file);
    let s = render(&app);
    assert!(s.contains("新调查 0，更新 0，未变 1，新答题记录 0"), "{s}");
    let log = app.ws.imports().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].interviews_unchanged, 1);
    assert_eq!(log[1].interviews_new, 1);
    drop(app);
    let cli = run_json(&lead, &["sync", "imports"]);
    assert_eq!(cli.as_array().unwrap().len(), 2);

    // In English.
    let mut app = sync_screen(&lead, None, Lang::En, "lead");
    import_on_screen(&mut app, &file);
    let s = render(&app);
    assert!(s.contains("this import, 李调查-1205.ruhu: imported"), "{s}");
    assert!(s.contains("bundles imported: 3 (newest first"), "{s}");
    assert_labels(&s);
}

#[test]
fn an_encrypted_bundle_asks_for_its_key_file_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    interview(root, &a, &exited(1)[0], "李调查", &[]);
    let pass = root.join("口令.txt");
    std::fs::write(&pass, "richtig\n").unwrap();
    let wrong = root.join("wrong.txt");
    std::fs::write(&wrong, "falsch\n").unwrap();
    let sealed = export(
        &a,
        root,
        "sealed.ruhu",
        &["--passphrase-file", pass.to_str().unwrap()],
    );
    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    import_on_screen(&mut app, &sealed);
    let s = render(&app);
    assert!(
        s.contains("这个答卷包是加密的。口令文件或私钥文件："),
        "{s}"
    );
    assert!(app.ws.imports().unwrap().is_empty(), "nothing tried yet");
    // A key file that is not there: said, and asked again.
    typed(&mut app, "/没有/口令.txt");
    key(&mut app, KeyCode::Enter);
    let s = render(&app);
    assert!(s.contains("无法读取 /没有/口令.txt"), "{s}");
    assert!(s.contains("这个答卷包是加密的"), "{s}");
    for _ in 0.."/没有/口令.txt".chars().count() {
        key(&mut app, KeyCode::Backspace);
    }
    // The wrong passphrase: refused, logged, nothing imported.
    typed(&mut app, wrong.to_str().unwrap());
    key(&mut app, KeyCode::Enter);
    let s = render(&app);
    assert!(s.contains("本次导入 sealed.ruhu：未导入"), "{s}");
    assert!(
        s.contains("未导入（本机数据没有改变）"),
        "the message line: {s}"
    );
    let log = app.ws.imports().unwrap();
    assert_eq!(log.len(), 1);
    assert!(!log[0].accepted);
    assert!(log[0].error.as_ref().unwrap().zh.contains("sealed.ruhu"));
    assert_eq!(app.ws.interview_results().count(), 0);
    // The right one opens it.
    import_on_screen(&mut app, &sealed);
    typed(&mut app, pass.to_str().unwrap());
    key(&mut app, KeyCode::Enter);
    let s = render(&app);
    assert!(s.contains("本次导入 sealed.ruhu：已导入"), "{s}");
    assert!(s.contains("新调查 1"), "{s}");
    assert_eq!(app.ws.imports().unwrap().len(), 2);
    assert_eq!(app.ws.interview_results().count(), 1);
    assert_labels(&s);
}

#[test]
fn an_altered_bundle_is_refused_on_the_screen_logged_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    interview(root, &a, &exited(1)[0], "李调查", &[]);
    let good = export(&a, root, "good.ruhu", &[]);
    let mut bytes = std::fs::read(&good).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let altered = root.join("改过的.ruhu");
    std::fs::write(&altered, &bytes).unwrap();
    let before = dump(&lead);

    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    import_on_screen(&mut app, &altered);
    let s = render(&app);
    assert!(
        s.contains("本次导入 改过的.ruhu：未导入，答卷包被拒收，本机数据没有改变"),
        "{s}"
    );
    let row = s
        .lines()
        .find(|l| l.contains("未导入") && l.contains("改过的.ruhu") && !l.contains("本次导入"))
        .unwrap_or_else(|| panic!("the log's row: {s}"));
    assert!(row.starts_with("> ") || row.starts_with("  "), "{row}");
    let log = app.ws.imports().unwrap();
    assert_eq!(log.len(), 1);
    assert!(!log[0].accepted);
    let why = log[0].error.clone().unwrap();
    assert!(why.zh.contains("改过的.ruhu"), "{why:?}");
    // The reason is on the screen as the report says it.
    let first_words: String = why.zh.chars().take(12).collect();
    assert!(s.contains(&first_words), "{first_words} not in {s}");
    assert_eq!(log[0].interviews_new + log[0].events_new, 0);
    assert_labels(&s);
    drop(app);
    assert_eq!(dump(&lead), before, "the store changed");
    let cli = run_json(&lead, &["sync", "imports"]);
    assert_eq!(cli[0]["accepted"], false);
    assert!(cli[0]["error"].as_str().unwrap().contains("改过的.ruhu"));
}

/// Two laptops that visited the same household, merged at the lead (a duplicate visit);
/// with `conflict`, also an interview changed on both sides (a conflict at the lead).
fn lead_with_a_duplicate(root: &Path, conflict: bool) -> PathBuf {
    let a = laptop(root, "a");
    let b = laptop(root, "b");
    let lead = laptop(root, "lead");
    let hh = exited(2);
    interview(root, &a, &hh[0], "李调查", &[]);
    interview(root, &b, &hh[0], "张调查", &[]);
    let mut files = vec![
        export(&a, root, "a1.ruhu", &[]),
        export(&b, root, "b1.ruhu", &[]),
    ];
    if conflict {
        let id = interview(root, &a, &hh[1], "李调查", &[]);
        let shared = export(&a, root, "a2.ruhu", &["--to", "lead"]);
        let (code, out, err) = ruhu(&lead, &["sync", "import", shared.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        let (code, out, err) = ruhu(&b, &["sync", "import", shared.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        for (d, name) in [(&a, "王秀英"), (&b, "王秀兰")] {
            let change = root.join("change.json");
            let body = json!({"questionnaire": "exited", "answers": {"respondent_name": name}});
            std::fs::write(&change, body.to_string()).unwrap();
            run_json(
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
        }
        files.push(export(&a, root, "a3.ruhu", &["--to", "lead"]));
        files.push(export(&b, root, "b3.ruhu", &["--to", "lead"]));
    }
    let mut args = vec!["sync", "import"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let (code, out, err) = ruhu(&lead, &args);
    assert_eq!(code, 0, "{out}{err}");
    lead
}

#[test]
fn the_visit_that_counts_is_chosen_on_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let lead = lead_with_a_duplicate(dir.path(), false);
    let before = run_json(&lead, &["sync", "duplicates"]);
    assert_eq!(before[0]["settled"], "latest");
    let other = before[0]["interviews"][1]["interview_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other_by = before[0]["interviews"][1]["interviewer"]
        .as_str()
        .unwrap()
        .to_string();

    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    let s = render(&app);
    assert!(s.contains("重复入户 1 户"), "{s}");
    assert!(s.contains("尚未选定：暂以最新完成的一次为准"), "{s}");
    assert!(s.contains("【暂以此为准：最新完成】"), "{s}");
    assert!(s.contains("入户 2 次"), "{s}");
    assert_labels(&s);
    // The first item is the visit that counts now; the second is the other one.
    key(&mut app, KeyCode::Down);
    let s = render(&app);
    let selected = s.lines().find(|l| l.starts_with(">")).unwrap();
    assert!(selected.contains(&other_by), "{selected}");
    assert!(!selected.contains("为准"), "{selected}");
    // Taking a side there is not a conflict's: said.
    key(&mut app, KeyCode::Char('1'));
    assert!(render(&app).contains("先用 ↑↓ 选中一个冲突"));
    key(&mut app, KeyCode::Char('c'));
    let s = render(&app);
    assert!(s.contains("以选中的这次入户为准"), "the message line: {s}");
    assert!(s.contains("组长已选定"), "{s}");
    let selected = s.lines().find(|l| l.starts_with(">")).unwrap();
    assert!(selected.contains(&other_by), "still selected: {selected}");
    assert!(selected.contains("【以此为准：王组长 选定】"), "{selected}");
    assert_labels(&s);
    // Choosing it again is not offered.
    key(&mut app, KeyCode::Char('?'));
    let s = render(&app);
    assert!(s.contains("× 以选中的这次入户为准"), "{s}");
    drop(app);
    let after = run_json(&lead, &["sync", "duplicates"]);
    assert_eq!(after[0]["settled"], "chosen");
    assert_eq!(after[0]["counting"], other.as_str());
    let chosen = after[0]["interviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["interview_id"] == other.as_str())
        .unwrap();
    assert_eq!(chosen["counts"], true);
    assert_eq!(chosen["chosen_by"], "王组长");
    let (code, out, err) = ruhu(&lead, &["verify"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn the_cursor_moves_over_conflicts_and_visits_and_tab_goes_from_part_to_part() {
    let dir = tempfile::tempdir().unwrap();
    let lead = lead_with_a_duplicate(dir.path(), true);
    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    let s = render(&app);
    assert!(s.contains("冲突 1 个"), "{s}");
    assert!(s.contains("重复入户 1 户"), "{s}");
    // The command line's imports are in the log too.
    assert!(s.contains("已导入的答卷包 5 个"), "{s}");
    let selected = |app: &App| {
        render(app)
            .lines()
            .find(|l| l.starts_with('>'))
            .unwrap_or_default()
            .to_string()
    };
    assert!(selected(&app).contains("受访人姓名"), "a conflict first");
    // `c` on a conflict is not a visit's.
    key(&mut app, KeyCode::Char('c'));
    assert!(render(&app).contains("先用 ↑↓ 选中重复入户中的一次"));
    key(&mut app, KeyCode::Tab);
    let l = selected(&app);
    assert!(
        l.contains("设备") && l.contains("为准"),
        "the visit that counts: {l}"
    );
    key(&mut app, KeyCode::Down);
    let l = selected(&app);
    assert!(
        l.contains("设备") && !l.contains("为准"),
        "the other visit: {l}"
    );
    key(&mut app, KeyCode::Tab);
    let l = selected(&app);
    assert!(
        l.contains("已导入") && l.contains("b3.ruhu"),
        "the newest import: {l}"
    );
    key(&mut app, KeyCode::Tab);
    assert!(
        selected(&app).contains("受访人姓名"),
        "round to the conflicts"
    );
    key(&mut app, KeyCode::BackTab);
    assert!(selected(&app).contains("b3.ruhu"));
    key(&mut app, KeyCode::BackTab);
    assert!(selected(&app).contains("为准"));
    key(&mut app, KeyCode::PageDown);
    assert!(selected(&app).contains("a2.ruhu"), "the oldest import");
    key(&mut app, KeyCode::PageUp);
    assert!(selected(&app).contains("受访人姓名"));
    // 2 takes the second side of the conflict selected.
    key(&mut app, KeyCode::Char('2'));
    let s = render(&app);
    assert!(s.contains("冲突 0 个"), "{s}");
    assert!(s.contains("已解决：取第 2 方"), "{s}");
    assert_labels(&s);
    // The help lists every key of the screen.
    key(&mut app, KeyCode::Char('?'));
    let s = render(&app);
    for k in [
        "上一项",
        "下一项",
        "上一页",
        "下一页",
        "下一部分",
        "上一部分",
        "取第几方解决冲突",
        "以选中的这次入户为准",
        "导入答卷包",
        "返回",
        "帮助",
    ] {
        assert!(s.contains(k), "{k} missing in the help: {s}");
    }
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('i'));
    key(&mut app, KeyCode::F(1));
    let s = render(&app);
    assert!(s.contains("取消导入") && s.contains("确定"), "{s}");
}

/// A copy of the bundled questionnaires whose exited questionnaire has another version.
fn questionnaires_with_exited_version(root: &Path, version: &str) -> PathBuf {
    let q = root.join("forms");
    std::fs::create_dir_all(&q).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires");
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&p, q.join(p.file_name().unwrap())).unwrap();
        }
    }
    let exited = q.join("exited.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&exited).unwrap()).unwrap();
    v["version"] = json!(version);
    std::fs::write(&exited, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    q
}

#[test]
fn interviews_held_aside_are_listed_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let forms = questionnaires_with_exited_version(root, "2099.1");
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    let hh = exited(1)[0].clone();
    let head = ruhu::demo::generate(&Default::default())
        .into_iter()
        .find(|h| h.household_id == hh)
        .unwrap()
        .head_name;
    interview(
        root,
        &a,
        &hh,
        "李调查",
        &["--questionnaires", forms.to_str().unwrap()],
    );
    let file = export(
        &a,
        root,
        "新版问卷.ruhu",
        &["--questionnaires", forms.to_str().unwrap()],
    );

    // The lead runs the bundled questionnaires: the interview is held aside.
    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    import_on_screen(&mut app, &file);
    let s = render(&app);
    assert!(s.contains("冲突 0，重复入户 0，暂存 1"), "{s}");
    assert!(s.contains("暂存待用 1 份"), "{s}");
    let line = s
        .lines()
        .find(|l| l.contains(&format!("户 {hh} {head}")))
        .unwrap_or_else(|| panic!("the held interview: {s}"));
    assert!(line.contains("脱贫户入户调查问卷 2099.1 版"), "{line}");
    assert!(line.contains("条记录"), "{line}");
    assert!(
        s.contains("原因：本程序没有「脱贫户入户调查问卷」问卷的 2099.1 版"),
        "{s}"
    );
    assert_labels(&s);
    let held = app.ws.held_aside().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].household_id.as_deref(), Some(hh.as_str()));
    assert_eq!(held[0].questionnaire_version.as_deref(), Some("2099.1"));
    assert!(held[0].events > 50);
    drop(app);

    // With that questionnaire, the reason says it is applied by the next import.
    let mut app = sync_screen(&lead, Some(&forms), Lang::En, "lead");
    let s = render(&app);
    assert!(s.contains("held aside: 1"), "{s}");
    assert!(s.contains("is here now: applied"), "{s}");
    // And the next import applies it.
    import_on_screen(&mut app, &file);
    let s = render(&app);
    assert!(s.contains("held aside: 0"), "{s}");
    assert!(s.contains("1 new interviews"), "{s}");
    assert_eq!(app.ws.interview_results().count(), 1);
}

#[test]
fn long_chinese_file_names_fit_in_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    interview(root, &a, &exited(1)[0], "李调查", &[]);
    let folder = root.join("桂花村第三村民小组的答卷包文件夹（十二月）");
    std::fs::create_dir_all(&folder).unwrap();
    let name = "第三村民小组李调查员十二月五日入户调查答卷包（第二批次，含补访户）.ruhu";
    let file = export(
        &a,
        &folder,
        name,
        &["--name", "桂花村第三村民小组李调查员的笔记本电脑"],
    );
    let mut app = sync_screen(&lead, None, Lang::Zh, "王组长");
    key(&mut app, KeyCode::Char('i'));
    typed(&mut app, file.to_str().unwrap());
    // The end of the path stays in view, the cursor after it, inside the screen.
    let (s, (x, _)) = render_at(&app, 80, 24);
    assert!(s.contains("含补访户）.ruhu"), "{s}");
    assert!(
        s.contains("答卷包文件：~"),
        "cut from the left, marked: {s}"
    );
    assert!(x < 80, "cursor at {x}");
    for l in s.lines() {
        assert!(UnicodeWidthStr::width(l) <= 80, "{l} is wider than 80");
    }
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Tab);
    for (w, h) in [(80, 24), (80, 40), (60, 24), (40, 20)] {
        let (s, _) = render_at(&app, w, h);
        for l in s.lines() {
            assert!(
                UnicodeWidthStr::width(l) <= w as usize,
                "{l} is wider than {w}:\n{s}"
            );
        }
    }
    let (s, _) = render_at(&app, 80, 40);
    // The report's first line is cut in cells, with a mark.
    let report = s.lines().find(|l| l.contains("本次导入")).unwrap();
    assert!(report.trim_end().ends_with('~'), "{report}");
    assert!(report.contains("本次导入 第三村民小组"), "{report}");
    // The log's row: the name cut to its column, the counts after it.
    let row = s
        .lines()
        .find(|l| l.starts_with("> ") && l.contains("已导入"))
        .unwrap_or_else(|| panic!("the log's row: {s}"));
    assert!(row.contains("第三村民小组李调查员~"), "{row}");
    assert!(row.contains("新 1 更新 0 未变 0 记录"), "{row}");
    // The whole path, wrapped by cells below it.
    let joined: String = s.lines().map(|l| l.trim()).collect::<Vec<_>>().join("");
    assert!(joined.contains(&format!("文件：{}", file.display())), "{s}");
    assert!(
        joined.contains("桂花村第三村民小组李调查员的笔记本电脑"),
        "{s}"
    );
    assert_labels(&s);
}

#[test]
fn sync_imports_lists_the_log_as_json_with_stable_fields() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = laptop(root, "a");
    let lead = laptop(root, "lead");
    assert_eq!(run_json(&lead, &["sync", "imports"]), json!([]));
    let (code, out, _) = ruhu(&lead, &["sync", "imports"]);
    assert_eq!(code, 0);
    assert!(out.contains("还没有导入过答卷包"), "{out}");
    interview(root, &a, &exited(1)[0], "李调查", &[]);
    let good = export(&a, root, "good.ruhu", &["--name", "李调查的电脑"]);
    let bytes = std::fs::read(&good).unwrap();
    let cut = root.join("cut.ruhu");
    std::fs::write(&cut, &bytes[..bytes.len() - 20]).unwrap();
    let (code, _, _) = ruhu(
        &lead,
        &[
            "sync",
            "import",
            good.to_str().unwrap(),
            cut.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "the cut one is refused");
    let v = run_json(&lead, &["sync", "imports"]);
    let log = v.as_array().unwrap();
    assert_eq!(log.len(), 2);
    let fields = [
        "at",
        "file",
        "accepted",
        "bundle_id",
        "device_id",
        "device_name",
        "created_at",
        "interviews_new",
        "interviews_updated",
        "interviews_unchanged",
        "events_new",
        "conflicts",
        "duplicates",
        "held",
        "gaps",
        "error",
    ];
    for e in log {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = fields.to_vec();
        want.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, want, "{e}");
        assert!(e["at"].as_str().unwrap().contains('T'), "RFC 3339: {e}");
    }
    // Newest first: the cut one was imported last.
    let (refused, accepted) = (&log[0], &log[1]);
    assert_eq!(refused["accepted"], false);
    assert!(refused["file"].as_str().unwrap().ends_with("cut.ruhu"));
    assert!(refused["error"].as_str().unwrap().contains("cut.ruhu"));
    assert_eq!(refused["bundle_id"], Value::Null);
    assert_eq!(refused["events_new"], 0);
    assert_eq!(accepted["accepted"], true);
    assert_eq!(accepted["error"], Value::Null);
    assert_eq!(accepted["interviews_new"], 1);
    assert_eq!(accepted["interviews_updated"], 0);
    assert_eq!(accepted["interviews_unchanged"], 0);
    assert!(accepted["events_new"].as_u64().unwrap() > 50);
    for n in ["conflicts", "duplicates", "held", "gaps"] {
        assert_eq!(accepted[n], 0, "{n}: {accepted}");
    }
    assert_eq!(accepted["device_name"], "李调查的电脑");
    assert_eq!(accepted["bundle_id"].as_str().unwrap().len(), 36);
    assert_eq!(accepted["device_id"].as_str().unwrap().len(), 36);
    assert!(accepted["created_at"].as_str().unwrap().contains('T'));
    // The text form, and English.
    let (_, out, _) = ruhu(&lead, &["sync", "imports"]);
    assert!(out.contains("未导入") && out.contains("cut.ruhu"), "{out}");
    assert!(
        out.contains("已导入") && out.contains("来自 李调查的电脑"),
        "{out}"
    );
    let v = run_json(&lead, &["--lang", "en", "sync", "imports"]);
    assert!(v[0]["error"].as_str().unwrap().is_ascii(), "{v}");
}

#[test]
fn a_read_only_folder_refuses_an_import_from_the_screen() {
    let Some(fs) = common::Tmpfs::mount(16 * 1024) else {
        return;
    };
    let data = fs.path.join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    fs.set_read_only(true);
    let mut app = sync_screen(&data, None, Lang::Zh, "王组长");
    key(&mut app, KeyCode::Char('i'));
    let s = render(&app);
    assert!(
        s.contains("只读：数据文件夹不能写入，不能导入答卷包"),
        "{s}"
    );
    assert!(!s.contains("答卷包文件："), "no prompt: {s}");
    key(&mut app, KeyCode::Char('?'));
    assert!(render(&app).contains("× 导入答卷包"));
    drop(app);
    fs.set_read_only(false);
}
