//! The household list on a 1,000,000-household store (`cargo bench --bench household_list`):
//! making the list file again from the store (a lost file), opening the list, the first page, a search by a
//! Chinese name, a village, a village and a kind; and the process's peak resident memory.
//! Each measurement runs in a fresh process (the store opened cold as a cadre's laptop
//! opens it); the medians of 5 runs are printed. Figures go to BENCHMARKS.md.
//!
//! The store is built once under target/bench-data/list-store-1m (RUHU_BENCH_ROWS for
//! another size).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ruhu::demo::{DemoOptions, generate_iter};
use ruhu::questionnaire::Kind;
use ruhu::session::{Forms, ListFilter, Workspace};

fn rows() -> usize {
    std::env::var("RUHU_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn store_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("list-store-{}", rows()))
}

/// Peak and current resident memory of this process, in MiB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One measurement, in this (child) process: prints `name ms peak_mib`.
fn child(what: &str, dir: &Path) {
    let t = Instant::now();
    let ws = Workspace::open(dir, Forms::bundled().unwrap()).unwrap();
    let opened = t.elapsed();
    let list = ws.household_list().unwrap();
    let listed = t.elapsed();
    let (name, village) = {
        let p = list
            .page(&ListFilter::default(), list.len() / 2, 1)
            .unwrap();
        let e = &p.rows[0].entry;
        (e.head_name.clone(), e.village.clone())
    };
    let filter = match what {
        "open" | "make" => ListFilter::default(),
        "search" => ListFilter {
            search: name.clone(),
            ..Default::default()
        },
        "village" => ListFilter {
            village: Some(village.clone()),
            ..Default::default()
        },
        "village+kind" => ListFilter {
            village: Some(village.clone()),
            kind: Some(Kind::Exited),
            ..Default::default()
        },
        other => panic!("unknown measurement {other}"),
    };
    let t2 = Instant::now();
    let page = list.page(&filter, 0, 30).unwrap();
    let paged = t2.elapsed();
    let (peak, now) = memory();
    println!(
        "{what} open_store_ms={:.1} open_list_ms={:.1} page_ms={:.1} to_first_page_ms={:.1} total={} peak_mib={peak:.0} rss_mib={now:.0} search={name} village={village}",
        ms(opened),
        ms(listed - opened),
        ms(paged),
        ms(listed + paged),
        page.total,
    );
}

fn run_child(what: &str, dir: &Path) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", what])
        .arg(dir)
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn value(line: &str, key: &str) -> f64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    ruhu::tune_allocator();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let dir = store_dir();
    if !dir.join("conf").exists() {
        let t = Instant::now();
        let ws = Workspace::open(&dir, Forms::bundled().unwrap()).unwrap();
        ws.load_households(generate_iter(&DemoOptions {
            households: rows(),
            seed: 1,
        }))
        .unwrap();
        ws.flush().unwrap();
        println!(
            "built a store of {} households in {:.1?}",
            rows(),
            t.elapsed()
        );
    }
    // A bulk load leaves the list current; measure its making again from the blocks, as
    // when the file was lost or damaged, or a load stopped half way.
    let _ = std::fs::remove_file(dir.join("households.list"));
    let made = run_child("make", &dir);
    println!("list made again from the store: {made}");
    for what in ["open", "search", "village", "village+kind"] {
        let lines: Vec<String> = (0..5).map(|_| run_child(what, &dir)).collect();
        let m = |k: &str| median(lines.iter().map(|l| value(l, k)).collect());
        println!(
            "{what:<13} to first page {:>6.1} ms (store {:.1}, list {:.1}, page {:.1}); shown {}; peak RSS {:.0} MiB",
            m("to_first_page_ms"),
            m("open_store_ms"),
            m("open_list_ms"),
            m("page_ms"),
            m("total"),
            m("peak_mib"),
        );
    }
}
