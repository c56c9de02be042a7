//! Reconciliation benchmark (`cargo bench --bench reconcile`): 100,000 completed interviews
//! against a 1,000,000-household registry, from the store to the findings list and rates.
//!
//! The data is built once into `target/bench-data/reconcile/` (a store, restored from a
//! generated backup, and the same data as `households.csv`, `interviews.csv` and
//! `members.csv` for `benches/reconcile_duckdb.py` and `benches/reconcile_pandas.py`); delete
//! the folder to build it again. Every 10th demo household is interviewed; its `result` follows the
//! registry with seeded changes so that every kind of rule fires now and then.
//!
//! Timed, several runs, median: open the store, load the rules, reconcile every interview
//! (the findings list, sorted, and the surveyed households), compute the rates; two ways:
//! `session::reconcile_store` (the compact results beside the registry copies, what the
//! program does) and, for comparison, `reconcile::run` over `Store::interview_results` (whole
//! records without their answers) with one `Store::household` lookup each.
//! Peak memory is the process's VmHWM at the end. Then, in the same run, the peer:
//! `python3 benches/reconcile_duckdb.py` on the same data (skipped, with a line saying so,
//! when Python or its `duckdb` package is missing, or with `RECONCILE_DUCKDB=0`).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value as Json, json};
use uuid::Uuid;

use ruhu::demo::{DemoOptions, generate_iter};
use ruhu::interview::{InterviewRecord, Status};
use ruhu::questionnaire::{Questionnaire, load_bundled};
use ruhu::reconcile::{Filter, GroupBy, Reconciler, rates, run};
use ruhu::registry::Household;
use ruhu::store::Store;

const HOUSEHOLDS: usize = 1_000_000;
const EVERY: usize = 10;
const RUNS: usize = 5;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/reconcile")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn b(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

/// One interview's result for household `h`: mostly what the registry says, with seeded
/// differences.
fn result_of(h: &Household, rng: &mut ChaCha8Rng) -> Json {
    let kind = h.kind().id();
    let mut size = h.household_size.unwrap_or(h.members.len() as u32).max(1) as i64;
    if rng.random_bool(0.03) {
        size += if rng.random_bool(0.5) { 1 } else { -1 };
        size = size.max(1);
    }
    let reg_income = h.income_per_capita.unwrap_or(5_000.0);
    let mut per_head = reg_income * rng.random_range(0.85..1.15);
    if rng.random_bool(0.02) {
        per_head = rng.random_range(1_500.0..3_300.0);
    }
    if rng.random_bool(0.02) {
        per_head *= 1.6;
    }
    let per_head = (per_head * 100.0).round() / 100.0;
    let total = per_head * size as f64;
    let cost = (total * 0.1).round();
    let wage = ((total + cost) * 0.6).round();
    let business = ((total + cost) * 0.2).round();
    let transfer = (total + cost - wage - business).round();
    let mut a = Map::new();
    let mut put = |k: &str, v: Json| {
        a.insert(k.to_string(), v);
    };
    put("household_id", json!(h.household_id));
    put("head_name", json!(h.head_name));
    put("county", json!(h.county));
    put("township", json!(h.township));
    put("village", json!(h.village));
    put("respondent_name", json!(h.head_name));
    put("respondent_relation", json!("self"));
    put("interview_date", json!("2017-11-20"));
    put("household_size", json!(size));
    put("income_wage", json!(wage));
    put("income_business", json!(business));
    put("income_property", json!(0));
    put("income_transfer", json!(transfer));
    put("cost_production", json!(cost));
    put("income_per_capita", json!(per_head));
    put("food_ok", json!(!rng.random_bool(0.01)));
    put("clothing_ok", json!(!rng.random_bool(0.01)));
    put(
        "children_out_of_school",
        json!(i64::from(rng.random_bool(0.005))),
    );
    let insured_all = !rng.random_bool(0.02);
    put("medical_insured_all", json!(insured_all));
    put("family_doctor", json!(true));
    let rating = if rng.random_bool(0.01) { "C" } else { "A" };
    put("house_rating", json!(rating));
    put("water_ok", json!(!rng.random_bool(0.01)));
    put("power_ok", json!(!rng.random_bool(0.005)));
    let sat = ["very_satisfied", "satisfied", "fair", "dissatisfied"][rng.random_range(0..4)];
    put("satisfaction", json!(sat));
    match kind {
        "exited" => {
            put("accepts_exit", json!(!rng.random_bool(0.02)));
            let fell = rng.random_bool(0.01);
            put("fell_back", json!(fell));
            if fell {
                put("reregistered", json!(rng.random_bool(0.5)));
            }
            let mut year = h.exit_year.unwrap_or(2016);
            if rng.random_bool(0.01) {
                year += 1;
            }
            put("exit_year", json!(year));
        }
        "returned" => put("reregistered", json!(!rng.random_bool(0.1))),
        "poor" => {
            for r in [
                "red_public_servant",
                "red_village_cadre",
                "red_vehicle",
                "red_town_house",
                "red_company",
                "red_large_scale",
                "red_split_household",
            ] {
                put(r, json!(rng.random_bool(0.003)));
            }
        }
        _ => {
            let refused = rng.random_bool(0.05);
            put("applied_refused", json!(refused));
            for e in [
                "edge_dibao",
                "edge_dangerous_house",
                "edge_illness",
                "edge_no_labour",
                "edge_elderly_alone",
            ] {
                put(e, json!(rng.random_bool(0.1)));
            }
        }
    }
    // The members as a careful interviewer answers them: the age on the interview date from
    // the ID number, the labour capacity the age allows (none under 16, weak from 65); now and
    // then a slip the member checks catch.
    let on = chrono::NaiveDate::from_ymd_opt(2017, 11, 20).unwrap();
    let mut rows = Vec::new();
    for (i, m) in h.members.iter().take(size as usize).enumerate() {
        let mut id = m.id_number.clone();
        if rng.random_bool(0.005) {
            id = format!("52270119800101{:04}", rng.random_range(0..10_000));
        }
        let mut age = ruhu::id_number::sex_and_age(&m.id_number, on)
            .map(|(_, a)| a)
            .or(m.age.map(i64::from));
        if rng.random_bool(0.005) {
            age = age.map(|a| a + 1);
        }
        let mut labour = match age {
            Some(a) if a < 16 => "none",
            Some(a) if a >= 65 => "weak",
            _ => "ordinary",
        };
        if rng.random_bool(0.005) {
            labour = "ordinary";
        }
        rows.push(json!({
            "_row": format!("r{}", i + 1),
            "name": m.name,
            "id_number": id,
            "relation": m.relation,
            "sex": m.sex,
            "age": age,
            "health": "healthy",
            "labour": labour,
            "medical_insured": insured_all || i > 0,
            "pension_insured": true,
        }));
    }
    json!({"answers": a, "rosters": {"members": rows}})
}

/// Builds the store and the CSV files, unless they are there.
fn build(dir: &Path) {
    let store_dir = dir.join("store");
    if store_dir.join("done").is_file() {
        return;
    }
    eprintln!("building {} (once)…", dir.display());
    let t = Instant::now();
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("dir");
    let backup_path = dir.join("backup.json");
    let mut backup = BufWriter::new(File::create(&backup_path).expect("backup"));
    let mut hcsv = BufWriter::new(File::create(dir.join("households.csv")).expect("csv"));
    let mut icsv = BufWriter::new(File::create(dir.join("interviews.csv")).expect("csv"));
    let mut mcsv = BufWriter::new(File::create(dir.join("members.csv")).expect("csv"));
    writeln!(
        mcsv,
        "interview_id,row,name,id_number,relation,sex,age,labour,interview_date"
    )
    .unwrap();
    writeln!(
        hcsv,
        "household_id,status,household_size,income_per_capita,exit_year,county,township,village,member_id_numbers"
    )
    .unwrap();
    const BOOLS: &[&str] = &[
        "food_ok",
        "clothing_ok",
        "medical_insured_all",
        "water_ok",
        "power_ok",
        "accepts_exit",
        "fell_back",
        "reregistered",
        "red_public_servant",
        "red_village_cadre",
        "red_vehicle",
        "red_town_house",
        "red_company",
        "red_large_scale",
        "red_split_household",
        "applied_refused",
        "edge_dibao",
        "edge_dangerous_house",
        "edge_illness",
        "edge_no_labour",
        "edge_elderly_alone",
    ];
    writeln!(
        icsv,
        "interview_id,household_id,questionnaire,status,household_size,income_per_capita,children_out_of_school,house_rating,exit_year,satisfaction,members_count,{},id_numbers",
        BOOLS.join(",")
    )
    .unwrap();
    write!(
        backup,
        "{{\"format\":\"ruhu-store-backup\",\"schema_version\":1,\"device_id\":\"bench\",\"households\":["
    )
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut records = Vec::new();
    let at: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2017-11-20T10:00:00+08:00").unwrap();
    for (i, h) in generate_iter(&DemoOptions {
        households: HOUSEHOLDS,
        seed: 1,
    })
    .enumerate()
    {
        if i > 0 {
            backup.write_all(b",").unwrap();
        }
        serde_json::to_writer(&mut backup, &h).unwrap();
        let ids: Vec<&str> = h.members.iter().map(|m| m.id_number.as_str()).collect();
        let status = serde_json::to_value(h.status).unwrap();
        writeln!(
            hcsv,
            "{},{},{},{},{},{},{},{},{}",
            csv_field(&h.household_id),
            status.as_str().unwrap_or_default(),
            opt(h.household_size),
            opt(h.income_per_capita),
            opt(h.exit_year),
            csv_field(&h.county),
            csv_field(&h.township),
            csv_field(&h.village),
            ids.join(";")
        )
        .unwrap();
        if i % EVERY != 3 {
            continue;
        }
        let result = result_of(&h, &mut rng);
        let id = Uuid::from_u128(rng.random());
        let ans = &result["answers"];
        let members = result["rosters"]["members"].as_array().unwrap();
        let row_ids: Vec<&str> = members
            .iter()
            .filter_map(|m| m["id_number"].as_str())
            .collect();
        let bools: Vec<&str> = BOOLS
            .iter()
            .map(|k| ans.get(*k).and_then(Json::as_bool).map_or("", b))
            .collect();
        writeln!(
            icsv,
            "{id},{},{},completed,{},{},{},{},{},{},{},{},{}",
            csv_field(&h.household_id),
            h.kind().id(),
            ans["household_size"],
            ans["income_per_capita"],
            ans["children_out_of_school"],
            ans["house_rating"].as_str().unwrap_or_default(),
            ans.get("exit_year")
                .map(|v| v.to_string())
                .unwrap_or_default(),
            ans["satisfaction"].as_str().unwrap_or_default(),
            members.len(),
            bools.join(","),
            row_ids.join(";")
        )
        .unwrap();
        for (row, m) in members.iter().enumerate() {
            let text = |k: &str| csv_field(m[k].as_str().unwrap_or_default());
            writeln!(
                mcsv,
                "{id},{},{},{},{},{},{},{},2017-11-20",
                row + 1,
                text("name"),
                text("id_number"),
                text("relation"),
                text("sex"),
                m["age"].as_i64().map(|a| a.to_string()).unwrap_or_default(),
                text("labour"),
            )
            .unwrap();
        }
        // The stored answers: the result plus what only the interview keeps (notes, the
        // answers of questions no longer relevant).
        let mut answers = result.clone();
        if let Some(m) = answers["answers"].as_object_mut() {
            m.insert("interviewer_name".into(), json!("王明"));
            m.insert("red_flags_note".into(), json!(""));
            m.insert("food_problem_note".into(), json!(""));
        }
        records.push(InterviewRecord {
            interview_id: id,
            household_id: h.household_id.clone(),
            questionnaire: h.kind().id().to_string(),
            questionnaire_version: "2017.1".into(),
            status: Status::Completed,
            interviewer: "王明".into(),
            device_id: "bench".into(),
            started_at: at,
            updated_at: at,
            completed_at: Some(at),
            cursor: None,
            answers,
            result,
            events: 0,
            skipped: Vec::new(),
            review: None,
            chosen: None,
        });
    }
    write!(backup, "],\"interviews\":[").unwrap();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            backup.write_all(b",").unwrap();
        }
        serde_json::to_writer(&mut backup, r).unwrap();
    }
    write!(backup, "],\"events\":[],\"settings\":[]}}").unwrap();
    drop(records);
    backup.flush().unwrap();
    hcsv.flush().unwrap();
    icsv.flush().unwrap();
    mcsv.flush().unwrap();
    drop(backup);
    let store = Store::open(&store_dir).expect("store");
    // The bench's records have no events: the store's own checks apply, the questionnaires'
    // (and the events against the answers) are left out.
    struct Built;
    impl ruhu::store::RestoreChecks for Built {
        fn interview(
            &mut self,
            r: ruhu::interview::InterviewRecord,
            _: Option<&ruhu::registry::Household>,
        ) -> Result<ruhu::interview::InterviewRecord, ruhu::i18n::Text> {
            Ok(r)
        }
        fn whole(&mut self, _: &Store) -> Result<(), ruhu::i18n::Text> {
            Ok(())
        }
    }
    let counts = store
        .import_json(File::open(&backup_path).expect("backup"), &mut Built)
        .expect("import");
    store.flush().expect("flush");
    drop(store);
    let _ = fs::remove_file(&backup_path);
    fs::write(store_dir.join("done"), b"").unwrap();
    eprintln!(
        "built: {} households, {} interviews in {:.2?}",
        counts.households,
        counts.interviews,
        t.elapsed()
    );
}

struct Run {
    open: Duration,
    load: Duration,
    run: Duration,
    rates: Duration,
    total: Duration,
    interviews: usize,
    findings: usize,
}

fn once(store_dir: &Path, forms: &[&Questionnaire], fast: bool) -> Run {
    let t0 = Instant::now();
    let store = Store::open(store_dir).expect("open");
    let t1 = Instant::now();
    let rec = Reconciler::load(None, forms).expect("rules");
    let t2 = Instant::now();
    let filter = Filter::default();
    let out = if fast {
        ruhu::session::reconcile_store(&store, &rec, &filter)
    } else {
        run(
            &rec,
            store.interview_results(),
            |id| store.household(id),
            &filter,
        )
    }
    .expect("run");
    let t3 = Instant::now();
    let report = rates(&out.surveyed, GroupBy::Village, &rec.settings);
    std::hint::black_box(&report);
    let t4 = Instant::now();
    Run {
        open: t1 - t0,
        load: t2 - t1,
        run: t3 - t2,
        rates: t4 - t3,
        total: t4 - t0,
        interviews: out.interviews,
        findings: out.findings.len(),
    }
}

/// Where the time goes: reading the interviews alone, then the household lookups alone.
fn parts(store_dir: &Path, forms: &[&Questionnaire]) {
    let store = Store::open(store_dir).expect("open");
    let t = Instant::now();
    let mut bytes = 0;
    let mut known = 0;
    for item in store.interview_compacts() {
        let (h, v) = item.expect("read");
        bytes += v.len();
        known += usize::from(h.is_some());
    }
    println!(
        "interview_compacts(): {known} households, {bytes} bytes of results: {:.2?}",
        t.elapsed()
    );
    let t = Instant::now();
    let mut n = 0;
    for item in store.interview_compacts() {
        let (_, v) = item.expect("read");
        n += ruhu::interview::compact::decode(&v)
            .expect("decode")
            .answers
            .len();
    }
    println!("… and decoding them ({n} answers): {:.2?}", t.elapsed());
    let t = Instant::now();
    let ids: Vec<String> = store
        .interview_results()
        .map(|r| r.expect("read").household_id)
        .collect();
    println!(
        "read {} interviews (no answers): {:.2?}",
        ids.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let n = store.interviews().count();
    println!("read {n} interviews (full): {:.2?}", t.elapsed());
    let t = Instant::now();
    let mut hs = Vec::new();
    for id in &ids {
        hs.push(store.household(id).expect("household").expect("known"));
    }
    println!("{} household lookups: {:.2?}", hs.len(), t.elapsed());
    let rec = Reconciler::load(None, forms).expect("rules");
    let records: Vec<_> = store
        .interview_results()
        .map(|r| r.expect("read"))
        .collect();
    let t = Instant::now();
    let mut n = 0;
    for (r, h) in records.iter().zip(&hs) {
        n += rec.interview(r, h).len();
    }
    println!(
        "rules on {} interviews: {:.2?} ({n} findings)",
        records.len(),
        t.elapsed()
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn vm_hwm() -> String {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn main() {
    ruhu::tune_allocator();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not run us for long.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = dir();
    build(&dir);
    let store_dir = dir.join("store");
    let report = load_bundled();
    let forms: Vec<&Questionnaire> = report.questionnaires.iter().collect();
    let mode = std::env::var("RECONCILE_BENCH").unwrap_or_default();
    if mode == "parts" {
        parts(&store_dir, &forms);
        return;
    }
    println!(
        "reconcile: {} interviews x {} households, median of {RUNS} runs",
        HOUSEHOLDS / EVERY,
        HOUSEHOLDS
    );
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}",
        "read", "open", "rules", "run", "rates", "total", "interviews", "findings"
    );
    for (name, fast) in [("records + lookups", false), ("reconcile_store()", true)] {
        if (mode == "fast" && !fast) || (mode == "full" && fast) {
            continue;
        }
        let runs: Vec<Run> = (0..RUNS).map(|_| once(&store_dir, &forms, fast)).collect();
        let ms = |f: fn(&Run) -> Duration| {
            format!(
                "{:.0} ms",
                median(runs.iter().map(f).collect()).as_secs_f64() * 1e3
            )
        };
        println!(
            "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>11} {:>9}",
            name,
            ms(|r| r.open),
            ms(|r| r.load),
            ms(|r| r.run),
            ms(|r| r.rates),
            ms(|r| r.total),
            runs[0].interviews,
            runs[0].findings
        );
    }
    println!("peak memory (VmHWM): {}", vm_hwm());
    by_rule(&store_dir, &forms);
    if std::env::var("RECONCILE_DUCKDB").as_deref() != Ok("0") {
        duckdb_peer(&dir);
    }
}

/// The findings per rule (a member's rule without its row), to compare with the peer's.
fn by_rule(store_dir: &Path, forms: &[&Questionnaire]) {
    let store = Store::open(store_dir).expect("open");
    let rec = Reconciler::load(None, forms).expect("rules");
    let out = ruhu::session::reconcile_store(&store, &rec, &Filter::default()).expect("run");
    let mut counts = std::collections::BTreeMap::new();
    for f in &out.findings {
        *counts.entry(f.rule.as_str()).or_insert(0usize) += 1;
    }
    println!("ruhu's findings by rule:");
    for (rule, n) in counts {
        println!("  {rule:<34} {n}");
    }
}

/// DuckDB on the same data, the same rules translated by hand, in the same run.
fn duckdb_peer(dir: &Path) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/reconcile_duckdb.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg(dir)
        .status()
    {
        Ok(s) if s.success() => {}
        Ok(s) => println!(
            "duckdb peer: {} exited with {s} (pip install duckdb)",
            script.display()
        ),
        Err(e) => println!("duckdb peer: python3 not run: {e}"),
    }
}
