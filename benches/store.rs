//! Store benchmarks (`cargo bench --bench store`):
//! 1. the durable save of one answer (`record_event`: transaction + flush), 2,000 times on a
//!    store that already holds data: p50, p99, max;
//! 2. start-up on a 1,000,000-household store (built once into target/bench-data/store-1m):
//!    `Store::open` + `household_count` + the first 50 households, what the home screen needs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use serde_json::json;
use uuid::Uuid;

use ruhu::interview::{Event, EventOp, InterviewRecord, Status};
use ruhu::registry::{self, Household, Member, VillageType};
use ruhu::store::Store;

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "吴", "周", "罗", "龙", "杨", "吴",
];
const GIVEN: &[&str] = &[
    "三丰", "秀英", "建国", "桂兰", "志强", "玉梅", "国华", "小红", "德明", "春花", "永福", "金凤",
];
const VILLAGES: &[&str] = &[
    "桂花村",
    "石门村",
    "青山村",
    "龙潭村",
    "高坡村",
    "新寨村",
    "河坝村",
    "茶园村",
];
const TOWNSHIPS: &[&str] = &["墨冲镇", "平浪镇", "归兰乡", "江洲镇"];

/// A tiny deterministic generator (64-bit LCG), enough for synthetic names.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

fn name(rng: &mut Lcg) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn household(i: u64, rng: &mut Lcg) -> Household {
    let head = name(rng);
    let status = match rng.next() % 10 {
        0..=5 => registry::Status::Exited,
        6 | 7 => registry::Status::Poor,
        8 => registry::Status::Returned,
        _ => registry::Status::NonPoor,
    };
    let size = 1 + (rng.next() % 6) as u32;
    let surname: String = head.chars().take(1).collect();
    Household {
        household_id: format!("5227{:011}", i),
        head_name: head.clone(),
        head_id_number: format!(
            "522701{:08}{:04}",
            19_500_101 + rng.next() % 500_000,
            i % 10_000
        ),
        household_size: Some(size),
        status,
        exit_year: (status == registry::Status::Exited).then(|| 2016 + (rng.next() % 5) as i32),
        household_type: "一般贫困户".into(),
        income_per_capita: Some(2_000.0 + (rng.next() % 12_000) as f64),
        county: "都匀市".into(),
        township: rng.pick(TOWNSHIPS).into(),
        village: rng.pick(VILLAGES).into(),
        village_group: format!("{}组", 1 + rng.next() % 9),
        helper: name(rng),
        village_type: Some(VillageType::Poor),
        remote: rng.next().is_multiple_of(4),
        edge: false,
        members: vec![
            Member {
                name: head,
                relation: "head".into(),
                sex: "男".into(),
                age: Some(30 + (rng.next() % 50) as u32),
                ..Member::default()
            },
            Member {
                name: format!("{surname}{}", rng.pick(GIVEN)),
                relation: "spouse".into(),
                sex: "女".into(),
                age: Some(28 + (rng.next() % 50) as u32),
                ..Member::default()
            },
        ],
        provisional: false,
        demo: true,
    }
}

fn households(from: u64, n: u64, seed: u64) -> impl Iterator<Item = Household> {
    let mut rng = Lcg(seed);
    (from..from + n).map(move |i| household(i, &mut rng))
}

fn now() -> chrono::DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

fn record(household_id: String, device: &str) -> InterviewRecord {
    InterviewRecord {
        interview_id: Uuid::new_v4(),
        household_id,
        questionnaire: "exited".into(),
        questionnaire_version: "2024.1".into(),
        status: Status::InProgress,
        interviewer: "王五".into(),
        device_id: device.into(),
        started_at: now(),
        updated_at: now(),
        completed_at: None,
        cursor: None,
        answers: json!({}),
        result: json!({}),
        events: 0,
        skipped: Vec::new(),
        review: None,
        chosen: None,
    }
}

fn event(r: &InterviewRecord, question: usize, value: serde_json::Value) -> Event {
    Event {
        event_id: Uuid::new_v4(),
        interview_id: r.interview_id,
        at: now(),
        device_id: r.device_id.clone(),
        seq: 0,
        base: Vec::new(),
        interviewer: r.interviewer.clone(),
        op: EventOp::Set,
        question_id: format!("q{question:02}"),
        row: None,
        value,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
}

/// Answers of a realistic size: 60 questions answered so far.
fn answers(upto: usize, last: u64) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for q in 0..60.min(upto + 1) {
        m.insert(format!("q{q:02}"), json!(format!("答案 {q} {last}")));
    }
    serde_json::Value::Object(m)
}

fn bench_save() {
    const SAVES: usize = 2_000;
    let dir = bench_dir().join("save");
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&dir).expect("open");
    let device = store.device_id().to_string();
    // Some data already there: 10,000 households, 200 interviews of 60 answers each.
    store
        .put_households(households(0, 10_000, 7))
        .expect("households");
    for i in 0..200u64 {
        let mut r = record(format!("5227{i:011}"), &device);
        store.create_interview(&r).expect("create");
        let events: Vec<Event> = (0..60).map(|q| event(&r, q, json!(q))).collect();
        r.answers = answers(59, i);
        store.record_events(&events, &r).expect("events");
    }
    let mut r = record("522700000000042".into(), &device);
    store.create_interview(&r).expect("create");
    let mut times = Vec::with_capacity(SAVES);
    let started = Instant::now();
    for n in 0..SAVES {
        let e = event(&r, n % 60, json!(format!("答案 {n}")));
        r.answers = answers(n % 60, n as u64);
        r.updated_at = e.at;
        let t = Instant::now();
        store.record_event(&e, &r).expect("record_event");
        times.push(t.elapsed());
        r.events += 1;
    }
    let total = started.elapsed();
    times.sort();
    let mean = times.iter().sum::<Duration>() / SAVES as u32;
    println!("1. durable save of one answer (record_event: transaction + flush)");
    println!("   store: 10,000 households, 201 interviews, 12,000 events before the run");
    println!("   | saves | p50 ms | p99 ms | max ms | mean ms | saves/s |");
    println!("   |------:|-------:|-------:|-------:|--------:|--------:|");
    println!(
        "   | {SAVES} | {:.3} | {:.3} | {:.3} | {:.3} | {:.0} |",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times[SAVES - 1]),
        ms(mean),
        SAVES as f64 / total.as_secs_f64()
    );
    assert_eq!(store.events(r.interview_id).expect("events").len(), SAVES);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One start-up in this process: open, count, the first 50 households. Prints
/// `startup <open ms> <total ms>`.
fn startup_child(dir: &Path) {
    let t = Instant::now();
    let store = Store::open(dir).expect("open");
    let opened = t.elapsed();
    let count = store.household_count();
    let first: Vec<Household> = store
        .households()
        .take(50)
        .collect::<Result<_, _>>()
        .expect("households");
    let total = t.elapsed();
    assert_eq!(count, 1_000_000);
    assert_eq!(first.len(), 50);
    println!("startup {} {}", ms(opened), ms(total));
}

/// A start-up in a fresh process (as when the cadre starts ruhu): (open, total).
fn startup_in_child(dir: &Path) -> (Duration, Duration) {
    let out = std::process::Command::new(std::env::current_exe().expect("bench binary"))
        .arg("--startup-child")
        .arg(dir)
        .output()
        .expect("run start-up child");
    assert!(out.status.success(), "start-up child failed: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("startup "))
        .expect("start-up figures");
    let mut it = line
        .split_whitespace()
        .map(|x| Duration::from_secs_f64(x.parse::<f64>().expect("number") / 1000.0));
    let (Some(open), Some(total)) = (it.next(), it.next()) else {
        panic!("bad start-up line {line}")
    };
    (open, total)
}

fn bench_startup() {
    const N: u64 = 1_000_000;
    const RUNS: usize = 9;
    let dir = bench_dir().join("store-1m");
    let done = bench_dir().join("store-1m.complete");
    println!("2. start-up on a 1,000,000-household store (open + household_count + first 50),");
    println!("   each in a fresh process; store in {}", dir.display());
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let store = Store::open(&dir).expect("open");
        let n = store.put_households(households(0, N, 42)).expect("load");
        let took = t.elapsed();
        let size = store.size_on_disk().unwrap_or(0);
        println!(
            "   built: put_households of {n} in {:.1} s ({:.0} households/s), {} MiB on disk",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            size / (1024 * 1024)
        );
        // sled writes its recovery snapshot at open, replaying the log since the last one:
        // without this reopen, the first start after the load would pay this time.
        let t = Instant::now();
        let store = store.reopen().expect("reopen");
        println!(
            "   reopen after the load (= the replay the next start-up would otherwise pay): {:.1} ms",
            ms(t.elapsed())
        );
        drop(store);
        std::fs::write(&done, b"").expect("marker");
        let (open, total) = startup_in_child(&dir);
        println!(
            "   first start after load + reopen: open {:.1} ms, start-up {:.1} ms",
            ms(open),
            ms(total)
        );
    }
    let mut open_times = Vec::new();
    let mut totals = Vec::new();
    for _ in 0..RUNS {
        let (open, total) = startup_in_child(&dir);
        open_times.push(open);
        totals.push(total);
    }
    println!(
        "   runs in order (ms): {}",
        totals
            .iter()
            .map(|t| format!("{:.1}", ms(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    open_times.sort();
    totals.sort();
    println!("   | runs | open median ms | start-up median ms | min ms | max ms |");
    println!("   |-----:|---------------:|-------------------:|-------:|-------:|");
    println!(
        "   | {RUNS} | {:.1} | {:.1} | {:.1} | {:.1} |",
        ms(open_times[RUNS / 2]),
        ms(totals[RUNS / 2]),
        ms(totals[0]),
        ms(totals[RUNS - 1])
    );
}

fn main() {
    ruhu::tune_allocator();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--startup-child") {
        startup_child(Path::new(args.get(i + 1).expect("store folder")));
        return;
    }
    // `cargo bench` passes `--bench`; a name filter picks one part.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let want = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    if want("save") {
        bench_save();
    }
    if want("startup") {
        bench_startup();
    }
}
