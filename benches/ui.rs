//! Benchmarks of the terminal UI: key to redraw (the key handled by the screen, the frame
//! drawn) at 100×30 and 80×24, and on a 1,000,000-household store the start-up (open the
//! store and the questionnaires, the home screen drawn), the household list opened and a
//! Chinese name searched. Figures go to BENCHMARKS.md.
//!
//! Run: `cargo bench --bench ui`. The 1M store is built once under target/bench-data/.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ruhu::demo::{DemoOptions, generate_iter};
use ruhu::i18n::Lang;
use ruhu::questionnaire;
use ruhu::session::{Forms, Workspace};
use ruhu::tui::{self, App};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn forms() -> Forms {
    Forms::from_report(questionnaire::load_bundled()).expect("bundled questionnaires")
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Key to redraw: the time from a key (handled by the screen) to the frame drawn, for keys
/// a cadre presses most, at 100×30 and 80×24.
fn frame_bench() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path(), forms()).unwrap();
    ws.load_households(generate_iter(&DemoOptions::default()))
        .unwrap();
    let mut app = App::new(ws, Lang::Zh, "bench".into());
    key(&mut app, KeyCode::Char('1'));
    key(&mut app, KeyCode::Enter);
    for (w, h) in [(100u16, 30u16), (80, 24)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        // Typing into a text question (validation as typed) and deleting it again.
        let mut times = Vec::new();
        for i in 0..2000 {
            let code = if i % 2 == 0 {
                KeyCode::Char('张')
            } else {
                KeyCode::Backspace
            };
            let t = Instant::now();
            key(&mut app, code);
            term.draw(|f| tui::draw(f, &app)).unwrap();
            times.push(t.elapsed());
        }
        report(&format!("key→redraw, typing a text answer, {w}x{h}"), times);
        // Moving on and back (no write: nothing was edited).
        let mut times = Vec::new();
        for i in 0..1000 {
            let code = if i % 2 == 0 {
                KeyCode::Tab
            } else {
                KeyCode::BackTab
            };
            let t = Instant::now();
            key(&mut app, code);
            term.draw(|f| tui::draw(f, &app)).unwrap();
            times.push(t.elapsed());
        }
        report(
            &format!("key→redraw, next and previous question, {w}x{h}"),
            times,
        );
        // Drawing alone on the roster screen.
        let mut times = Vec::new();
        for _ in 0..1000 {
            let t = Instant::now();
            term.draw(|f| tui::draw(f, &app)).unwrap();
            times.push(t.elapsed());
        }
        report(&format!("redraw of the interview screen, {w}x{h}"), times);
    }
    // The household list: a page down and back (a page read when it leaves the rows read).
    key(&mut app, KeyCode::Esc);
    for (w, h) in [(100u16, 30u16), (80, 24)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut times = Vec::new();
        for i in 0..1000 {
            let code = if (i / 20) % 2 == 0 {
                KeyCode::PageDown
            } else {
                KeyCode::PageUp
            };
            let t = Instant::now();
            key(&mut app, code);
            term.draw(|f| tui::draw(f, &app)).unwrap();
            times.push(t.elapsed());
        }
        report(
            &format!("key→redraw, household list page keys, {w}x{h}"),
            times,
        );
    }
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what}: p50 {}  p99 {}  max {}  ({} keys)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap()),
        times.len()
    );
}

fn startup_bench() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/ui-store-1m");
    if !path.join("conf").exists() {
        let t = Instant::now();
        let ws = Workspace::open(&path, forms()).unwrap();
        let n = ws
            .load_households(generate_iter(&DemoOptions {
                households: 1_000_000,
                seed: 1,
            }))
            .unwrap();
        println!(
            "built a {n}-household store in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let ws = Workspace::open(&path, forms()).unwrap();
        let app = App::new(ws, Lang::Zh, "bench".into());
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| tui::draw(f, &app)).unwrap();
        times.push(t.elapsed());
        assert!(app.counts.households >= 1_000_000);
        drop(app);
    }
    // The household list on the same store: open it (the list file made on the first open
    // after the import), then a Chinese name searched.
    let ws = Workspace::open(&path, forms()).unwrap();
    let mut app = App::new(ws, Lang::Zh, "bench".into());
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let t = Instant::now();
    key(&mut app, KeyCode::Char('1'));
    term.draw(|f| tui::draw(f, &app)).unwrap();
    println!(
        "household list opened on 1,000,000 households: {}",
        ms(t.elapsed())
    );
    key(&mut app, KeyCode::Esc);
    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        key(&mut app, KeyCode::Char('1'));
        term.draw(|f| tui::draw(f, &app)).unwrap();
        opens.push(t.elapsed());
        key(&mut app, KeyCode::Esc);
    }
    report("household list opened again (list file made)", opens);
    key(&mut app, KeyCode::Char('1'));
    key(&mut app, KeyCode::Char('/'));
    let t = Instant::now();
    app.on_paste("张桂英");
    term.draw(|f| tui::draw(f, &app)).unwrap();
    println!(
        "search 张桂英 (one paste) on 1,000,000 households: {}",
        ms(t.elapsed())
    );
    times.sort();
    println!(
        "start-up on a 1,000,000-household store (open store + questionnaires, home screen drawn): median {}  min {}  max {}  (7 runs)",
        ms(percentile(&times, 0.5)),
        ms(times[0]),
        ms(*times.last().unwrap())
    );
}

fn main() {
    ruhu::tune_allocator();
    frame_bench();
    startup_bench();
}
