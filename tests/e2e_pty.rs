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
    t.wait_for("必答 0/");
    assert!(t.screen().contains(&name), "{}", t.screen());
    // Past the introduction; the interviewer's name in Chinese.
    t.enter();
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
    // Resumed exactly where it stopped.
    t.wait_for("行政村");
    t.key_f2();
    t.wait_for("检查全部答案");
    let s = t.screen();
    assert!(s.contains("李明"), "{s}");
    assert!(s.contains("昙华乡"), "{s}");
    t.ctrl_c();
    assert!(t.wait_exit());
}
