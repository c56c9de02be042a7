//! Report benchmark (`cargo bench --bench report`): `ruhu report` on 100,000 completed
//! interviews against a 1,000,000-household registry, beside the reconciliation alone in the
//! same run (the floor: a report cannot be made faster than the reconciliation it shows).
//!
//! Data: the store `benches/reconcile.rs` builds in `target/bench-data/reconcile/` (run
//! `cargo bench --bench reconcile` first), copied once into `target/bench-data/report/`
//! with, added there, a sample drawn with seed 2017 and auditors' marks on every 25th finding
//! (every other one of them dismissed); delete that folder to make it again.
//!
//! Timed, median of 5 runs each, alternating, in one process (each run opens the store
//! afresh):
//! - `reconcile + rates`: open the data folder, load the rules, reconcile every interview,
//!   rates by village (what `ruhu rates` does);
//! - `report`: what `ruhu report --out FILE.html` does: open, rules, reconcile, the marks, the
//!   sample's coverage, the rates after review, gathering the report, writing the HTML and
//!   the file (owner-only, whole).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ruhu::i18n::Lang;
use ruhu::reconcile::export::ExportOptions;
use ruhu::reconcile::{Filter, GroupBy, Mark, MarkStatus, rates};
use ruhu::sample::{Frame, SamplePlan};
use ruhu::session::{Forms, Workspace};

const RUNS: usize = 5;

fn bench_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("dir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The reconcile benchmark's store, copied, with a sample and marks added (once).
fn prepare() -> PathBuf {
    let source = bench_data().join("reconcile/store");
    let dir = bench_data().join("report");
    let store = dir.join("store");
    if dir.join("done").is_file() {
        return store;
    }
    assert!(
        source.join("done").is_file(),
        "no data: run `cargo bench --bench reconcile` first (it builds {})",
        source.display()
    );
    eprintln!(
        "copying {} and adding a sample and marks (once)…",
        source.display()
    );
    let t = Instant::now();
    let _ = fs::remove_dir_all(&dir);
    copy_dir(&source, &store);
    let ws = Workspace::open(&store, Forms::bundled().expect("forms")).expect("open");
    let mut frame = Frame::new();
    for h in ws.households() {
        frame.add(&h.expect("household"));
    }
    let year = frame.latest_exit_year().unwrap_or(2017);
    let mut selection = frame.choose(&SamplePlan::default(), 2017, year);
    for h in ws.households() {
        selection.offer(&h.expect("household"));
    }
    let mut sample = selection.finish();
    sample.drawn_at = Some(ruhu::session::now());
    ws.put_sample(&sample).expect("sample");
    let rec = ws.reconciler().expect("rules");
    let result = ws.reconcile(&rec, &Filter::default()).expect("reconcile");
    let mut marked = 0;
    for (i, f) in result.findings.iter().enumerate().step_by(25) {
        let mark = Mark {
            interview_id: f.interview_id,
            rule: f.key().1,
            status: if i % 50 == 0 {
                MarkStatus::Confirmed
            } else {
                MarkStatus::Dismissed
            },
            comment: "入户复核".into(),
            by: "审计员".into(),
            at: ruhu::session::now(),
        };
        ws.put_mark(&mark).expect("mark");
        marked += 1;
    }
    ws.flush().expect("flush");
    drop(ws);
    fs::write(dir.join("done"), b"").expect("done");
    eprintln!(
        "prepared: a sample of {} households, {marked} marks, in {:.1?}",
        sample.entries.len(),
        t.elapsed()
    );
    store
}

fn reconcile_only(store: &Path) -> Duration {
    let t = Instant::now();
    let ws = Workspace::open(store, Forms::bundled().expect("forms")).expect("open");
    let rec = ws.reconciler().expect("rules");
    let result = ws.reconcile(&rec, &Filter::default()).expect("reconcile");
    let r = rates(&result.surveyed, GroupBy::Village, &rec.settings);
    std::hint::black_box(&r);
    t.elapsed()
}

struct Run {
    reconcile: Duration,
    marks: Duration,
    coverage: Duration,
    review: Duration,
    model: Duration,
    html: Duration,
    write: Duration,
    total: Duration,
    bytes: usize,
    findings: usize,
    unlisted: usize,
    counties: usize,
    sampled: usize,
}

fn report(store: &Path, out: &Path) -> Run {
    let t0 = Instant::now();
    let ws = Workspace::open(store, Forms::bundled().expect("forms")).expect("open");
    let rec = ws.reconciler().expect("rules");
    let result = ws.reconcile(&rec, &Filter::default()).expect("reconcile");
    let t1 = Instant::now();
    let marks = ws.marks().expect("marks");
    let tm = Instant::now();
    let coverage = ws.coverage().expect("coverage");
    let t2 = Instant::now();
    let after = ruhu::reconcile::reviewed(&result.surveyed, &marks);
    let tr = Instant::now();
    let inputs = ruhu::report::Inputs {
        settings: &rec.settings,
        findings: &result.findings,
        surveyed: &result.surveyed,
        reviewed: &after,
        marks: &marks,
        coverage: coverage.as_ref(),
        interviews: result.interviews,
        made_at: ruhu::session::now(),
        county: None,
    };
    let built = ruhu::report::build(&inputs);
    let t3 = Instant::now();
    let html = ruhu::report::write_html(
        &built,
        ExportOptions {
            lang: Lang::Zh,
            show_ids: false,
        },
    );
    let t4 = Instant::now();
    ruhu::private_file::write_atomic(out, |f| std::io::Write::write_all(f, html.as_bytes()))
        .expect("write");
    let t5 = Instant::now();
    Run {
        reconcile: t1 - t0,
        marks: tm - t1,
        coverage: t2 - tm,
        review: tr - t2,
        model: t3 - tr,
        html: t4 - t3,
        write: t5 - t4,
        total: t5 - t0,
        bytes: html.len(),
        findings: built.findings(),
        unlisted: built.counties.iter().map(|c| c.warnings_not_listed()).sum(),
        counties: built.counties.len(),
        sampled: coverage.map_or(0, |c| c.total.drawn),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    ruhu::tune_allocator();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let store = prepare();
    let out = bench_data().join("report/report.html");
    let mut floor = Vec::new();
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        floor.push(reconcile_only(&store));
        runs.push(report(&store, &out));
    }
    let first = &runs[0];
    println!(
        "report: 100,000 interviews x 1,000,000 households, {} counties, {} findings listed ({} unmarked warnings counted, not listed), {} sampled households; median of {RUNS} runs",
        first.counties, first.findings, first.unlisted, first.sampled
    );
    println!(
        "reconcile + rates (the floor): {} (runs: {})",
        ms(median(floor.clone())),
        floor.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
    );
    let m = |f: fn(&Run) -> Duration| ms(median(runs.iter().map(f).collect()));
    println!(
        "report: total {} = open, rules and reconcile {} + marks {} + coverage {} + after review {} + rates and model {} + HTML {} + file {}",
        m(|r| r.total),
        m(|r| r.reconcile),
        m(|r| r.marks),
        m(|r| r.coverage),
        m(|r| r.review),
        m(|r| r.model),
        m(|r| r.html),
        m(|r| r.write)
    );
    println!(
        "report runs: {}; HTML {:.1} MB",
        runs.iter()
            .map(|r| ms(r.total))
            .collect::<Vec<_>>()
            .join(", "),
        first.bytes as f64 / 1e6
    );
}
