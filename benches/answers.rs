//! Answers to Parquet (`cargo bench --bench answers`): the 100,000 completed interviews of the
//! reconciliation benchmark's store (`target/bench-data/reconcile/store`, built by
//! `cargo bench --bench reconcile`; run that first) exported as `ruhu export answers` does:
//! open the store, read every interview's record, fill the tables (interviews, roster rows,
//! codebook) and write the three Parquet files. Median of 5 runs in one process, each opening
//! the store afresh; the parts are timed too.
//!
//! In the same run, for comparison, DuckDB (`benches/answers_duckdb.py`, the Python package)
//! loads the same two tables from the Parquet files ruhu wrote (not timed) and times
//! `COPY … TO '….parquet' (FORMAT parquet)` of each, median of 5.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ruhu::questionnaire::{Questionnaire, load_bundled};
use ruhu::store::Store;
use ruhu::tables::{AnswersBuilder, TableOptions, codebook};

const RUNS: usize = 5;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

struct Run {
    open: Duration,
    read_and_fill: Duration,
    write_answers: Duration,
    write_all: Duration,
    total: Duration,
    interviews: usize,
    rows: usize,
}

fn write(table: &ruhu::tables::Table, path: &Path) {
    let f = std::fs::File::create(path).expect("create");
    ruhu::tables::parquet::write_parquet(table, std::io::BufWriter::new(f)).expect("parquet");
}

fn once(store_dir: &Path, forms: &[&Questionnaire], out: &Path) -> Run {
    let t0 = Instant::now();
    let store = Store::open(store_dir).expect("open");
    let t1 = Instant::now();
    let mut b = AnswersBuilder::new(forms, TableOptions { show_ids: false }, 100_000);
    let interviews = b.fill(store.interview_results(), |_| true).expect("read");
    let tables = b.finish();
    let book = codebook(tables.tables());
    let t2 = Instant::now();
    write(&tables.answers, &out.join("answers.parquet"));
    let t3 = Instant::now();
    for t in &tables.rosters {
        write(t, &out.join(format!("answers.{}.parquet", t.name)));
    }
    write(&book, &out.join("answers.codebook.parquet"));
    let t4 = Instant::now();
    Run {
        open: t1 - t0,
        read_and_fill: t2 - t1,
        write_answers: t3 - t2,
        write_all: t4 - t2,
        total: t4 - t0,
        interviews,
        rows: tables.rosters.iter().map(|t| t.rows()).sum(),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_default()
}

fn main() {
    ruhu::tune_allocator();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let store_dir = data_dir().join("reconcile/store");
    if !store_dir.join("done").is_file() {
        eprintln!(
            "no data in {}: run `cargo bench --bench reconcile` first (it builds the store once)",
            store_dir.display()
        );
        std::process::exit(1);
    }
    let out = data_dir().join("answers");
    std::fs::create_dir_all(&out).expect("out dir");
    let report = load_bundled();
    let forms: Vec<&Questionnaire> = report.questionnaires.iter().collect();
    let runs: Vec<Run> = (0..RUNS).map(|_| once(&store_dir, &forms, &out)).collect();
    let ms = |f: fn(&Run) -> Duration| median(runs.iter().map(f).collect()).as_secs_f64() * 1e3;
    let totals: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.0}", r.total.as_secs_f64() * 1e3))
        .collect();
    println!(
        "answers to Parquet: {} interviews, {} roster rows, median of {RUNS} runs (ms)",
        runs[0].interviews, runs[0].rows
    );
    println!(
        "open {:.0}  read+fill {:.0}  write answers.parquet {:.0}  write all three {:.0}  total {:.0}  (totals: {})",
        ms(|r| r.open),
        ms(|r| r.read_and_fill),
        ms(|r| r.write_answers),
        ms(|r| r.write_all),
        ms(|r| r.total),
        totals.join(", ")
    );
    println!("peak RSS (VmHWM): {}", vm_hwm());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/answers_duckdb.py");
    let duck = Command::new("python3").arg(&script).arg(&out).output();
    match duck {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            let answers_ms = text
                .lines()
                .find_map(|l| l.strip_prefix("duckdb answers_ms "))
                .and_then(|v| v.trim().parse::<f64>().ok());
            if let Some(d) = answers_ms {
                println!(
                    "ruhu writing answers.parquet from its tables: {:.0} ms = {:.2}x DuckDB's COPY of the same table ({d:.0} ms); ruhu end to end (store to three files): {:.0} ms = {:.2}x",
                    ms(|r| r.write_answers),
                    ms(|r| r.write_answers) / d,
                    ms(|r| r.total),
                    ms(|r| r.total) / d
                );
            }
        }
        Ok(o) => eprintln!(
            "DuckDB comparison failed (pip install duckdb): {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("DuckDB comparison not run: {e}"),
    }
}
