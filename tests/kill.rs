//! Power cut (SIGKILL) at random points in a registry import, an interview apply, a restore,
//! a backup and an answer bundle's import: afterwards the store is whole (`ruhu verify` finds
//! nothing), the user is told what did not finish (or it was undone), and running the
//! operation again completes it with the same result as a run that was never interrupted.
//! The kill points are drawn from a seed printed on failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::walk::answer_file;
use common::{demo_household, ruhu};
use rand::{Rng, SeedableRng};
use ruhu::registry::Status;
use serde_json::Value;

/// Starts the binary and kills it after `after`; true when it was still running then.
fn run_and_kill(data: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ruhu");
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().expect("wait").is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

/// How long a command takes when it is not interrupted.
fn timed(data: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let (code, out, err) = ruhu(data, args);
    assert!(code == 0 || code == 3, "{args:?}: {out}{err}");
    t.elapsed()
}

fn verify_is_sound(data: &Path, what: &str) {
    let (code, out, err) = ruhu(data, &["verify"]);
    assert_eq!(code, 0, "{what}: the store is not whole: {out}{err}");
}

fn rng(name: &str) -> (u64, rand::rngs::StdRng) {
    let seed = std::env::var("RUHU_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("{name}: RUHU_KILL_SEED={seed}");
    (seed, rand::rngs::StdRng::seed_from_u64(seed))
}

/// Random kill points before `whole`, the upper bound shrinking whenever a run finished
/// before its kill (the machine was faster than when `whole` was measured).
struct KillPoints {
    rng: rand::rngs::StdRng,
    low: u64,
    high: u64,
}

impl KillPoints {
    fn new(rng: rand::rngs::StdRng, low: Duration, whole: Duration) -> KillPoints {
        let low = low.as_micros() as u64;
        KillPoints {
            rng,
            low,
            high: (whole.as_micros() as u64).max(low + 1000),
        }
    }

    fn next(&mut self) -> Duration {
        Duration::from_micros(self.rng.random_range(self.low..self.high))
    }

    /// The run finished before it was killed.
    fn too_late(&mut self) {
        self.high = (self.high * 2 / 3).max(self.low + 1000);
    }
}

fn count(data: &Path, args: &[&str]) -> usize {
    let (code, out, err) = ruhu(data, args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_killed_registry_import_leaves_a_whole_store_and_finishes_when_run_again() {
    let (seed, rng) = rng("import");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("县.csv");
    let (code, _, err) = ruhu(
        &dir.path().join("unused"),
        &[
            "demo",
            "--households",
            "20000",
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let file = csv.to_str().unwrap();
    let whole = timed(&dir.path().join("reference"), &["registry", "import", file]);
    let data = dir.path().join("data");
    let finished = count(
        &dir.path().join("reference"),
        &["registry", "list", "--format", "json"],
    );
    let mut killed = 0;
    let mut points = KillPoints::new(rng, Duration::from_millis(20), whole);
    for round in 0..20 {
        if killed == 6 {
            break;
        }
        let households = || {
            if data.join("db").exists() {
                count(&data, &["registry", "list", "--format", "json"])
            } else {
                0
            }
        };
        let before = households();
        let at = points.next();
        if !run_and_kill(&data, &["registry", "import", file], at) {
            points.too_late();
            continue;
        }
        killed += 1;
        verify_is_sound(
            &data,
            &format!("seed {seed}, round {round}, killed at {at:?}"),
        );
        // Killed before it wrote its marker (a slow start on a loaded machine), the run
        // changed nothing: the store is as the last run left it (empty, or whole after a run
        // that finished), and there is nothing to say. Killed after it removed the marker
        // (while the process closed the store), the import had finished: the store is
        // whole.
        let (_, _, err) = ruhu(&data, &["interview", "list"]);
        let now = households();
        assert!(
            err.contains("没有完成") || now == before || now == finished,
            "seed {seed}, round {round}: no word of the unfinished import, and the store is neither as before ({before}) nor whole ({finished}): {now} households; {err}"
        );
    }
    assert!(
        killed >= 3,
        "seed {seed}: only {killed} runs were killed on the way"
    );
    let (code, out, err) = ruhu(&data, &["registry", "import", file, "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, _, err) = ruhu(&data, &["interview", "list"]);
    assert!(!err.contains("没有完成"), "{err}");
    let list = |d: &Path| ruhu(d, &["registry", "list", "--format", "json", "--show-ids"]).1;
    assert_eq!(list(&data), list(&dir.path().join("reference")));
    verify_is_sound(&data, "after the import finished");
}

#[test]
fn a_killed_apply_saves_the_interview_whole_or_not_at_all() {
    let (seed, rng) = rng("apply");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let answers = answer_file(dir.path(), "exited");
    let hh = demo_household(Status::Exited);
    let args = [
        "interview",
        "apply",
        "--household",
        &hh,
        "--answers",
        answers.to_str().unwrap(),
        "--complete",
    ];
    let whole = timed(&data, &args);
    let mut expected = 1;
    let mut killed = 0;
    let mut points = KillPoints::new(rng, Duration::from_millis(1), whole);
    for round in 0..30 {
        if killed == 10 {
            break;
        }
        let at = points.next();
        if !run_and_kill(&data, &args, at) {
            points.too_late();
            expected += 1;
            continue;
        }
        killed += 1;
        verify_is_sound(
            &data,
            &format!("seed {seed}, round {round}, killed at {at:?}"),
        );
        let (_, out, _) = ruhu(&data, &["interview", "list", "--format", "json"]);
        let list: Value = serde_json::from_str(&out).unwrap();
        let list = list.as_array().unwrap();
        // The killed run saved all of it or nothing: never an interview in progress.
        assert!(
            list.iter().all(|r| r["status"] == "completed"),
            "seed {seed}, round {round}: a half-saved interview: {out}"
        );
        assert!(
            list.len() == expected || list.len() == expected + 1,
            "seed {seed}"
        );
        expected = list.len();
    }
    assert!(
        killed >= 4,
        "seed {seed}: only {killed} runs were killed on the way"
    );
    timed(&data, &args);
    assert_eq!(
        count(&data, &["interview", "list", "--format", "json"]),
        expected + 1
    );
}

#[test]
fn a_killed_restore_is_undone_and_can_be_run_again() {
    let (seed, rng) = rng("restore");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    assert_eq!(ruhu(&source, &["demo", "--households", "3000"]).0, 0);
    for (kind, status) in [("exited", Status::Exited), ("poor", Status::Poor)] {
        let f = answer_file(dir.path(), kind);
        let (code, _, err) = ruhu(
            &source,
            &[
                "interview",
                "apply",
                "--household",
                &demo_household(status),
                "--answers",
                f.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let backup = dir.path().join("b.json");
    assert_eq!(ruhu(&source, &["backup", backup.to_str().unwrap()]).0, 0);
    let file = backup.to_str().unwrap();
    let whole = timed(&dir.path().join("reference"), &["restore", file]);
    let data = dir.path().join("data");
    let mut killed = 0;
    let mut points = KillPoints::new(rng, Duration::from_millis(20), whole);
    for round in 0..20 {
        if killed == 6 {
            break;
        }
        let at = points.next();
        if !run_and_kill(&data, &["restore", file], at) {
            points.too_late();
            // It finished: start again from an empty folder.
            std::fs::remove_dir_all(&data).unwrap();
            continue;
        }
        killed += 1;
        let (code, out, err) = ruhu(&data, &["registry", "list", "--format", "json"]);
        assert_eq!(code, 0, "seed {seed}, round {round}: {err}");
        if err.contains("已撤销") {
            assert_eq!(out.trim(), "[\n]", "seed {seed}, round {round}: {out}");
        } else {
            // Killed before the restore began writing, or after it finished.
            assert!(
                out.trim() == "[\n]" || !err.is_empty() || out.len() > 1000,
                "{err}"
            );
        }
        verify_is_sound(&data, &format!("seed {seed}, round {round}"));
        // Start the next round from what is there: empty, or a finished restore.
        if out.trim() != "[\n]" {
            std::fs::remove_dir_all(&data).unwrap();
        }
    }
    assert!(
        killed >= 3,
        "seed {seed}: only {killed} runs were killed on the way"
    );
    let (code, _, err) = ruhu(&data, &["restore", file]);
    assert_eq!(code, 0, "{err}");
    let list = |d: &Path| {
        (
            ruhu(d, &["registry", "list", "--format", "json", "--show-ids"]).1,
            ruhu(d, &["interview", "list", "--format", "json"]).1,
        )
    };
    assert_eq!(list(&data), list(&source));
}

#[test]
fn a_killed_backup_leaves_the_previous_backup_or_the_new_one_never_half() {
    let (seed, rng) = rng("backup");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo", "--households", "20000"]).0, 0);
    let target = dir.path().join("b.json");
    std::fs::write(&target, "the previous backup").unwrap();
    let file = target.to_str().unwrap();
    let fresh = dir.path().join("fresh.json");
    let whole = timed(&data, &["backup", fresh.to_str().unwrap()]);
    let new = std::fs::read(&fresh).unwrap();
    let mut killed = 0;
    let mut points = KillPoints::new(rng, Duration::from_millis(10), whole);
    for round in 0..20 {
        if killed == 6 {
            break;
        }
        let at = points.next();
        if run_and_kill(&data, &["backup", file], at) {
            killed += 1;
        } else {
            points.too_late();
        }
        let now = std::fs::read(&target).unwrap();
        // The device id line is the same; the backup is byte for byte the fresh one.
        assert!(
            now == b"the previous backup" || now == new,
            "seed {seed}, round {round}: a half-written backup of {} bytes",
            now.len()
        );
        verify_is_sound(&data, &format!("seed {seed}, round {round}"));
    }
    assert!(
        killed >= 3,
        "seed {seed}: only {killed} runs were killed on the way"
    );
    // What a killed backup leaves beside the target is removed by the next one.
    assert_eq!(ruhu(&data, &["backup", file]).0, 0);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The whole store as a canonical value (the JSON backup, see `common::dump`).
fn dump(data: &Path) -> Value {
    common::dump(data)
}

/// Copies a data folder (closed: no ruhu has it open).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn open_workspace(data: &Path) -> ruhu::session::Workspace {
    ruhu::session::Workspace::open(data, ruhu::session::Forms::bundled().unwrap()).unwrap()
}

/// A laptop's data folder with `n` interviews, a team lead's that received the first three
/// in a bundle, and the bundle of the others.
#[derive(Clone)]
struct Bundles {
    laptop: PathBuf,
    lead: PathBuf,
    bundle: PathBuf,
}

fn lead_and_a_bundle(root: &Path, n: usize) -> Bundles {
    use common::walk;
    use ruhu::session::{ExportOptions, Forms, Workspace, enter_answers};
    use ruhu::sync::bundle::{Key, Seal};
    let forms = Forms::bundled().unwrap();
    let laptop = root.join("laptop");
    let ws = Workspace::open(&laptop, forms.clone()).unwrap();
    let form = walk::forms()
        .into_iter()
        .find(|f| f.id == "non_poor")
        .unwrap();
    let answers = walk::walk(form).answers().clone();
    let opts = ExportOptions {
        to: Some("lead".into()),
        all: false,
        seal: Seal::None,
        device_name: "laptop".into(),
    };
    let enter = |from: usize, to: usize| {
        for i in from..to {
            let h = ws.new_household(&format!("王{i}"), "桂花村").unwrap();
            let mut s = ws.start_unsaved(&h, "调查员").unwrap();
            let changes = enter_answers(&mut s.interview, &answers).unwrap();
            assert!(s.save_all(&ws, &changes, true).unwrap().is_empty());
        }
    };
    enter(0, 3);
    let first = root.join("first.ruhu");
    ws.export_bundle(&first, &opts).unwrap();
    enter(3, n);
    let bundle = root.join("bundle.ruhu");
    let r = ws.export_bundle(&bundle, &opts).unwrap();
    assert_eq!(r.interviews, n - 3);
    let lead = root.join("lead");
    let got = open_workspace(&lead).import_bundle(&first, &Key::None);
    assert!(got.accepted, "{:?}", got.error);
    Bundles {
        laptop,
        lead,
        bundle,
    }
}

/// What a `sync import` of the bundle killed between two of its parts leaves: the parts
/// written (the laptop's interviews the lead lacks, in two parts, through the store's own
/// import), the undo journal and the marker of an unfinished write.
fn cut_short_between_parts(b: &Bundles) {
    use ruhu::store::Store;
    use ruhu::store::sync::{Incoming, Merged};
    let laptop = Store::open(&b.laptop).unwrap();
    let lead = Store::open(&b.lead).unwrap();
    let mut parts = [Incoming::default(), Incoming::default()];
    let mut n = 0;
    for r in laptop.interviews() {
        let record = r.unwrap();
        if lead.interview(record.interview_id).unwrap().is_some() {
            continue;
        }
        let part = &mut parts[n % 2];
        n += 1;
        let household = laptop.household(&record.household_id).unwrap().unwrap();
        part.households.push(household);
        part.interviews.push(Merged {
            events: laptop.events(record.interview_id).unwrap(),
            record,
            known: None,
        });
    }
    assert!(n >= 2);
    let mut import = lead.begin_import(b.bundle.to_str().unwrap()).unwrap();
    import.write(&parts[0], false).unwrap();
    import.write(&parts[1], false).unwrap();
    assert!(lead.unfinished().unwrap().is_some());
    // Killed here: neither finished nor undone.
    std::mem::forget(import);
}

/// Whether the data folder holds a bundle import cut short: opened from a copy, which is
/// undone (the folder itself is left as it is).
fn import_cut_short(data: &Path, scratch: &Path) -> bool {
    let _ = std::fs::remove_dir_all(scratch);
    copy_dir(data, scratch);
    let store = ruhu::store::Store::open(scratch).unwrap();
    let cut = store.undid_import().is_some();
    drop(store);
    std::fs::remove_dir_all(scratch).unwrap();
    cut
}

/// A bundle import cut short between its parts is undone when the data folder is next
/// opened for writing, before anything reads it and without another `sync import`; a
/// write-protected folder reports it and is left as it is.
#[test]
fn a_bundle_import_cut_short_is_undone_when_the_folder_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let b = lead_and_a_bundle(root, 12);
    let before = dump(&b.lead);
    let reference = root.join("reference");
    copy_dir(&b.lead, &reference);
    let (code, out, err) = ruhu(&reference, &["sync", "import", b.bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let after = dump(&reference);

    let pristine = root.join("pristine");
    copy_dir(&b.lead, &pristine);
    cut_short_between_parts(&b);
    assert!(import_cut_short(&b.lead, &root.join("scratch")));
    let ws = open_workspace(&b.lead);
    assert!(ws.unfinished().unwrap().is_none());
    assert_eq!(
        ws.interview_results().count(),
        3,
        "the lead's three, no more"
    );
    drop(ws);
    assert_eq!(dump(&b.lead), before);
    verify_is_sound(&b.lead, "after the open");
    let (_, _, err) = ruhu(&b.lead, &["interview", "list"]);
    assert!(!err.contains("没有完成"), "{err}");
    let (code, out, err) = ruhu(&b.lead, &["sync", "import", b.bundle.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(dump(&b.lead), after, "imported again: as never interrupted");

    // The first command that opens the folder undoes it, and says so.
    let again = Bundles {
        lead: root.join("again"),
        ..b.clone()
    };
    copy_dir(&pristine, &again.lead);
    cut_short_between_parts(&again);
    let (code, out, err) = ruhu(&again.lead, &["interview", "list"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("已撤销") && err.contains(again.bundle.to_str().unwrap()),
        "{err}"
    );
    assert_eq!(dump(&again.lead), before);
    let (_, _, err) = ruhu(&again.lead, &["interview", "list"]);
    assert!(!err.contains("已撤销"), "said once: {err}");

    // On a write-protected stick: reported, nothing undone, until it can be written.
    let Some(fs) = common::Tmpfs::mount(64 * 1024) else {
        return;
    };
    let stick = Bundles {
        lead: fs.path.join("lead"),
        ..b
    };
    copy_dir(&pristine, &stick.lead);
    cut_short_between_parts(&stick);
    fs.set_read_only(true);
    {
        let ws = open_workspace(&stick.lead);
        assert!(ws.is_read_only());
        let u = ws.unfinished().unwrap().expect("reported");
        assert_eq!(u.operation, "sync import");
        assert_eq!(u.file, stick.bundle.to_str().unwrap());
        assert!(ws.interview_results().count() > 3, "nothing undone");
    }
    let (_, _, err) = ruhu(&stick.lead, &["interview", "list"]);
    assert!(
        err.contains("sync import") && err.contains("没有完成"),
        "{err}"
    );
    fs.set_read_only(false);
    drop(open_workspace(&stick.lead));
    assert_eq!(dump(&stick.lead), before);
    verify_is_sound(&stick.lead, "on the stick, after the open");
}

/// `sync import` of a large bundle killed at random points: once the folder is opened
/// again, the store is the one before the import or the one after it, never in between,
/// and nothing says an import did not finish; importing again gives the store of an import
/// never interrupted. (Killed between two parts of a bundle applied in parts, the open
/// undoes the parts; see the test above for that state made on purpose.)
#[test]
fn a_killed_bundle_import_leaves_the_store_before_or_after_it() {
    let (seed, rng) = rng("sync import");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let b = lead_and_a_bundle(root, 100);
    let pristine = root.join("pristine");
    copy_dir(&b.lead, &pristine);
    let before = dump(&b.lead);
    let file = b.bundle.to_str().unwrap();
    let reference = root.join("reference");
    copy_dir(&pristine, &reference);
    let whole = timed(&reference, &["sync", "import", file]);
    let after = dump(&reference);
    assert_ne!(after, before);
    let data = root.join("data");
    let scratch = root.join("scratch");
    let (mut killed, mut cut) = (0, 0);
    let mut points = KillPoints::new(rng, whole / 10, whole);
    for round in 0..20 {
        if killed == 6 {
            break;
        }
        let _ = std::fs::remove_dir_all(&data);
        copy_dir(&pristine, &data);
        let at = points.next();
        if !run_and_kill(&data, &["sync", "import", file], at) {
            points.too_late();
            continue;
        }
        killed += 1;
        if import_cut_short(&data, &scratch) {
            cut += 1;
        }
        let ws = open_workspace(&data);
        assert!(
            ws.unfinished().unwrap().is_none(),
            "seed {seed}, round {round}"
        );
        drop(ws);
        let now = dump(&data);
        assert!(
            now == before || now == after,
            "seed {seed}, round {round}, killed at {at:?}: neither the store before the import nor after it"
        );
        verify_is_sound(&data, &format!("seed {seed}, round {round}"));
        let (_, _, err) = ruhu(&data, &["interview", "list"]);
        assert!(
            !err.contains("没有完成"),
            "seed {seed}, round {round}: {err}"
        );
    }
    eprintln!("seed {seed}: {killed} runs killed, {cut} between parts");
    assert!(
        killed >= 3,
        "seed {seed}: only {killed} runs were killed on the way"
    );
    let (code, out, err) = ruhu(&data, &["sync", "import", file]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(dump(&data), after);
}
