//! Benchmarks of the terminal UI: render time of the interview screen, and start-up time of
//! the program on a 1,000,000-household store (open the store and the questionnaires, build
//! the home screen's state, draw it once). Figures go to BENCHMARKS.md.
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

fn render_bench() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path(), forms()).unwrap();
    ws.load_households(generate_iter(&DemoOptions::default()))
        .unwrap();
    let mut app = App::new(ws, Lang::Zh, "bench".into());
    key(&mut app, KeyCode::Char('1'));
    key(&mut app, KeyCode::Enter);
    // Stand on the roster (the largest question screen) after a few answers.
    key(&mut app, KeyCode::Enter);
    for c in "王建国".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for _ in 0..50 {
            term.draw(|f| tui::draw(f, &app)).unwrap();
        }
        let mut times = Vec::new();
        for _ in 0..2000 {
            let t = Instant::now();
            term.draw(|f| tui::draw(f, &app)).unwrap();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "render interview screen {w}x{h}: p50 {}  p99 {}  max {}  (2000 draws)",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap())
        );
    }
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
    render_bench();
    startup_bench();
}
