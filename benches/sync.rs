//! Answer bundles (`cargo bench --bench sync`), in one run:
//!
//! 1. **import**: 100 bundles of 200 interviews each (60 answer events an interview, the
//!    first 60 changes of a whole interview of the household's questionnaire, from 10
//!    laptops) into a store holding the 20,000 demo households the interviews are of, through
//!    `Workspace::import_bundle` (verify, union, records rebuilt through the questionnaire,
//!    one transaction and one flush per bundle); beside it, reading and verifying the same
//!    files alone, and inserting their events into a bare sled tree as key-values (event id
//!    → JSON, one batch and one flush per bundle);
//! 2. **export** of the resulting 20,000-interview store: everything (`--all`), then an
//!    incremental export with nothing new;
//! 3. **conflicts**: listing the open conflicts of the whole store (none);
//! 4. peak memory (VmHWM) after each part (the bare sled tree comes last, with the store's
//!    cache size, so that it does not count in the store's figures).
//!
//! The bundles are written once into `target/bench-data/sync/bundles` (delete the folder to
//! write them again); the stores are made anew every run. Times are printed, never asserted.
//! `SYNC_BENCH_BUNDLES=N` imports only the first N bundles (for profiling).

#[path = "../tests/common/walk.rs"]
#[allow(dead_code)]
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ruhu::interview::{Change, Context, Event, Interview, Origin};
use ruhu::questionnaire::{Kind, Questionnaire};
use ruhu::session::{ExportOptions, Forms, Workspace};
use ruhu::sync::bundle::{
    Body, Header, InterviewHead, Key, Seal, ranges_of, read_file, write_file,
};
use uuid::Uuid;

const BUNDLES: usize = 100;
const PER_BUNDLE: usize = 200;
const EVENTS_PER_INTERVIEW: usize = 60;
const LAPTOPS: usize = 10;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn vm_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The changes of a whole interview of each questionnaire, through the engine.
fn templates() -> BTreeMap<Kind, (std::sync::Arc<Questionnaire>, Vec<Change>)> {
    let mut out = BTreeMap::new();
    for form in walk::forms() {
        let walked = walk::walk(form.clone());
        let mut iv = Interview::new(form.clone(), Context::new(walk::date(2017, 12, 20)));
        let changes = ruhu::session::enter_answers(&mut iv, walked.answers())
            .unwrap_or_else(|p| panic!("{:?}", p));
        out.insert(form.kind, (form, changes));
    }
    out
}

/// Writes the bundles (once).
fn make_bundles(dir: &Path) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = (0..BUNDLES)
        .map(|b| dir.join(format!("bundle-{b:03}.ruhu")))
        .collect();
    if files.iter().all(|f| f.exists()) {
        return files;
    }
    std::fs::create_dir_all(dir).unwrap();
    let households = ruhu::demo::generate(&ruhu::demo::DemoOptions {
        households: BUNDLES * PER_BUNDLE,
        ..Default::default()
    });
    let templates = templates();
    let devices: Vec<String> = (0..LAPTOPS).map(|_| Uuid::new_v4().to_string()).collect();
    let mut next_seq = [1u64; LAPTOPS];
    let start = chrono::DateTime::parse_from_rfc3339("2024-03-05T09:00:00+08:00").unwrap();
    let mut made = 0;
    for (b, file) in files.iter().enumerate() {
        let laptop = b % LAPTOPS;
        let device = &devices[laptop];
        let mut body = Body::default();
        for i in 0..PER_BUNDLE {
            let h = &households[b * PER_BUNDLE + i];
            let (form, changes) = &templates[&h.kind()];
            let id = Uuid::new_v4();
            let at = start + chrono::Duration::minutes((b * PER_BUNDLE + i) as i64);
            body.interviews.push(InterviewHead {
                interview_id: id,
                household_id: h.household_id.clone(),
                subject: ruhu::sync::bundle::SUBJECT_HOUSEHOLD.into(),
                questionnaire: form.id.clone(),
                questionnaire_version: form.version.clone(),
                interviewer: "李调查".into(),
                device_id: device.clone(),
                started_at: at,
            });
            for (k, c) in changes.iter().take(EVENTS_PER_INTERVIEW).enumerate() {
                let origin = Origin {
                    device_id: device.clone(),
                    interviewer: "李调查".into(),
                    at: at + chrono::Duration::seconds(k as i64),
                };
                let mut e = Event::from_change(id, &origin, c);
                e.seq = next_seq[laptop];
                next_seq[laptop] += 1;
                body.events.push(e);
                made += 1;
            }
        }
        let ranges = ranges_of(body.events.iter().map(|e| (e.device_id.as_str(), e.seq)));
        let header =
            Header::new(device.clone(), format!("laptop {laptop}"), &body).with_ranges(ranges);
        write_file(file, &header, &body, &Seal::None).unwrap();
    }
    println!(
        "wrote {BUNDLES} bundles, {made} events, into {}",
        dir.display()
    );
    files
}

fn main() {
    ruhu::tune_allocator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/sync");
    let mut files = make_bundles(&root.join("bundles"));
    if let Some(n) = std::env::var("SYNC_BENCH_BUNDLES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        files.truncate(n.max(1));
    }
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    println!(
        "{} bundles, {:.1} MB in all; {} interviews x {} events",
        files.len(),
        bytes as f64 / 1e6,
        files.len() * PER_BUNDLE,
        EVENTS_PER_INTERVIEW
    );

    // Reading and verifying alone.
    let t = Instant::now();
    let mut events = 0usize;
    for f in &files {
        let (_, body) = read_file(f, &Key::None).unwrap();
        events += body.events.len();
    }
    let read = t.elapsed();
    println!("read + verify only: {} ({events} events)", secs(read));

    // The store.
    let data = root.join("store");
    let _ = std::fs::remove_dir_all(&data);
    let forms = Forms::bundled().unwrap();
    let ws = Workspace::open(&data, forms.clone()).unwrap();
    ws.load_households(ruhu::demo::generate(&ruhu::demo::DemoOptions {
        households: BUNDLES * PER_BUNDLE,
        ..Default::default()
    }))
    .unwrap();
    let ws = ws.settle().unwrap();
    println!(
        "peak memory before the imports (VmHWM; the registry loaded): {}",
        vm_hwm()
    );
    let mut each = Vec::with_capacity(files.len());
    let t = Instant::now();
    for f in &files {
        let one = Instant::now();
        let r = ws.import_bundle(f, &Key::None);
        assert!(r.accepted, "{:?}", r.error);
        assert_eq!(r.interviews_new, PER_BUNDLE);
        each.push(one.elapsed());
        if std::env::var("SYNC_BENCH_RSS").is_ok() {
            println!("after {}: {}", f.display(), vm_rss());
        }
    }
    let import = t.elapsed();
    each.sort();
    println!(
        "import into the store: {} (per bundle p50 {:.0} ms, max {:.0} ms; {:.0} interviews/s)",
        secs(import),
        each[each.len() / 2].as_secs_f64() * 1e3,
        each[each.len() - 1].as_secs_f64() * 1e3,
        (files.len() * PER_BUNDLE) as f64 / import.as_secs_f64()
    );
    println!("peak memory after the imports (VmHWM): {}", vm_hwm());
    let t = Instant::now();
    let again = ws.import_bundle(&files[0], &Key::None);
    assert_eq!(again.interviews_unchanged, PER_BUNDLE);
    println!(
        "the first bundle again (nothing new): {}",
        secs(t.elapsed())
    );
    drop(ws);

    // Export of the whole store.
    let ws = Workspace::open(&data, forms).unwrap();
    let out = root.join("export.ruhu");
    let opts = ExportOptions {
        to: Some("county".into()),
        all: true,
        seal: Seal::None,
        device_name: "bench".into(),
    };
    let t = Instant::now();
    let r = ws.export_bundle(&out, &opts).unwrap();
    let export = t.elapsed();
    println!(
        "export --all of {} interviews, {} events: {} ({:.1} MB)",
        r.interviews,
        r.events,
        secs(export),
        std::fs::metadata(&out).unwrap().len() as f64 / 1e6
    );
    let t = Instant::now();
    let r = ws
        .export_bundle(
            &root.join("nothing.ruhu"),
            &ExportOptions { all: false, ..opts },
        )
        .unwrap();
    assert!(!r.written);
    println!("incremental export, nothing new: {}", secs(t.elapsed()));
    let t = Instant::now();
    let open = ws.conflicts().unwrap();
    println!(
        "conflicts of the whole store ({}): {}",
        open.len(),
        secs(t.elapsed())
    );
    println!(
        "peak memory after export and conflicts (VmHWM): {}",
        vm_hwm()
    );
    let _ = std::fs::remove_file(&out);
    drop(ws);

    // Bare key-values in sled.
    let bare_dir = root.join("bare");
    let _ = std::fs::remove_dir_all(&bare_dir);
    // The store's settings: the same page cache, the same mode.
    let db = sled::Config::new()
        .path(&bare_dir)
        .cache_capacity(64 * 1024 * 1024)
        .mode(sled::Mode::HighThroughput)
        .open()
        .unwrap();
    let tree = db.open_tree("events").unwrap();
    let t = Instant::now();
    for f in &files {
        let (_, body) = read_file(f, &Key::None).unwrap();
        let mut batch = sled::Batch::default();
        for e in &body.events {
            batch.insert(e.event_id.as_bytes(), serde_json::to_vec(e).unwrap());
        }
        tree.apply_batch(batch).unwrap();
        db.flush().unwrap();
    }
    let bare = t.elapsed();
    drop(tree);
    drop(db);
    let _ = std::fs::remove_dir_all(&bare_dir);
    println!(
        "bare sled key-values (read + verify + insert + flush): {}; the store's import took {:.1}x that",
        secs(bare),
        import.as_secs_f64() / bare.as_secs_f64()
    );
}
