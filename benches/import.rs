//! Registry import benchmark (`cargo bench --bench import`), on generated households
//! (`ruhu demo --households N --csv FILE`, N = $RUHU_BENCH_ROWS, default 1,000,000; the file
//! is kept in target/bench-data/):
//! 1. reading and checking every row, nothing stored (in process): UTF-8, then the same file
//!    in GBK;
//! 2. `ruhu registry import FILE` into an empty data folder (the release binary, wall time and
//!    peak memory by /usr/bin/time where there is one);
//! 3. the same file again (every household unchanged);
//! 4. for scale, the store's own bulk path (`Store::put_households`) with the same households
//!    and no file: the floor of step 2.
//!
//! `RUHU_BENCH_ONLY=check` stops after 1 (for profiling).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ruhu::i18n::Text;
use ruhu::registry::{self, Household, HouseholdTarget, ImportOptions, VillageIndex};

/// Counts what would be written.
struct Discard(u64);

impl HouseholdTarget for Discard {
    fn get(&mut self, _id: &str) -> Result<Option<Household>, Text> {
        Ok(None)
    }

    fn put(&mut self, _h: Household) -> Result<(), Text> {
        self.0 += 1;
        Ok(())
    }
}

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data")
}

fn ruhu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ruhu"))
}

/// Runs a command, under /usr/bin/time when there is one: wall time and peak RSS (KiB).
fn measured(mut cmd: Command) -> (Duration, Option<u64>, std::process::Output) {
    let time = Path::new("/usr/bin/time");
    let report = bench_dir().join("time.txt");
    let mut run = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&report);
        c.arg(cmd.get_program());
        c.args(cmd.get_args());
        c
    } else {
        std::mem::replace(&mut cmd, Command::new("true"))
    };
    let start = Instant::now();
    let out = run.output().expect("run ruhu");
    let took = start.elapsed();
    let rss = std::fs::read_to_string(&report)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    let _ = std::fs::remove_file(&report);
    (took, rss, out)
}

fn check_only(path: &Path) -> (Duration, u64) {
    let opts = ImportOptions::new(chrono::Local::now().date_naive());
    let mut target = Discard(0);
    let start = Instant::now();
    let summary = registry::import_households(
        path,
        &opts,
        &VillageIndex::default(),
        &mut target,
        &mut |_, _, _| {},
    )
    .expect("read the file");
    assert!(
        summary.rejected.is_empty(),
        "{:?}",
        summary.rejected.first()
    );
    (start.elapsed(), target.0)
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".into(), |k| format!("{} MiB", k / 1024))
}

fn main() {
    ruhu::tune_allocator();
    let rows: usize = std::env::var("RUHU_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).expect("bench folder");
    let csv = dir.join(format!("registry-{rows}.csv"));
    if !csv.exists() {
        let start = Instant::now();
        let out = ruhu()
            .args(["demo", "--households", &rows.to_string(), "--csv"])
            .arg(&csv)
            .output()
            .expect("ruhu demo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!("generated {} in {:.1?}", csv.display(), start.elapsed());
    }
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    println!(
        "file: {rows} households, {} MiB (UTF-8)",
        size / (1024 * 1024)
    );

    // 1. read and check only
    let (took, n) = check_only(&csv);
    assert_eq!(n as usize, rows);
    println!("read + check, UTF-8:       {:>6.2} s", took.as_secs_f64());
    let gbk = dir.join(format!("registry-{rows}-gbk.csv"));
    if !gbk.exists() {
        let text = std::fs::read_to_string(&csv).expect("read the CSV");
        let (bytes, _, _) = encoding_rs::GBK.encode(text.trim_start_matches('\u{feff}'));
        std::fs::write(&gbk, &bytes).expect("write the GBK file");
    }
    let (took, _) = check_only(&gbk);
    println!("read + check, GBK:         {:>6.2} s", took.as_secs_f64());

    if std::env::var("RUHU_BENCH_ONLY").is_ok_and(|v| v == "check") {
        return;
    }

    // 2. import into an empty store, 3. again
    let data = dir.join("import-store");
    let _ = std::fs::remove_dir_all(&data);
    for run in ["import, empty store", "import again, unchanged"] {
        let mut cmd = ruhu();
        cmd.arg("--data")
            .arg(&data)
            .args(["registry", "import", "--format", "json"])
            .arg(&csv);
        let (took, rss, out) = measured(cmd);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
        println!(
            "{run:<26} {:>6.2} s  peak RSS {}  (added {}, changed {}, unchanged {})",
            took.as_secs_f64(),
            mib(rss),
            v["added"],
            v["changed"],
            v["unchanged"]
        );
    }
    let _ = std::fs::remove_dir_all(&data);

    // 4. the floor: the store's own bulk path with the same households, no file
    let opts = ruhu::demo::DemoOptions {
        households: rows,
        seed: 2017,
    };
    let plain = |mut h: Household| {
        h.members.clear();
        h.demo = false;
        h
    };
    let start = Instant::now();
    let n = ruhu::demo::generate_iter(&opts).map(plain).count();
    let generation = start.elapsed();
    let store_dir = dir.join("put-households-store");
    let _ = std::fs::remove_dir_all(&store_dir);
    let store = ruhu::store::Store::open(&store_dir).expect("open a store");
    let start = Instant::now();
    let written = store
        .put_households(ruhu::demo::generate_iter(&opts).map(plain))
        .expect("put households");
    let took = start.elapsed().saturating_sub(generation);
    assert_eq!(written, n);
    println!(
        "Store::put_households alone {:>6.2} s  (same households, generating them not counted)",
        took.as_secs_f64()
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&store_dir);
}
