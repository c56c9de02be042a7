//! Crash tests of the store: a child process entering answers is killed with SIGKILL at
//! random points, 50 times on the same folder; after each kill the store opens and every
//! acknowledged answer is there. And a second process cannot open a store that is open.
//!
//! The child is this test binary run again with `--ignored --exact <name>` and an
//! environment variable naming its role; run by hand without it, the child tests do nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use serde_json::json;
use uuid::Uuid;

use ruhu::interview::{Event, EventOp, InterviewRecord, Status};
use ruhu::store::{Store, StoreError};

const ROLE: &str = "RUHU_STORE_CRASH_ROLE";
const DIR: &str = "RUHU_STORE_CRASH_DIR";
const INTERVIEW: Uuid = Uuid::from_u128(0x5255_4855_0000_4000_8000_0000_0000_0001);
const ITERATIONS: u64 = 50;

/// The role this process was started in, and its store folder; `None` in the parent.
fn role(name: &str) -> Option<String> {
    if std::env::var(ROLE).ok()?.as_str() != name {
        return None;
    }
    std::env::var(DIR).ok()
}

fn spawn(role: &str, test: &str, dir: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            test,
        ])
        .env(ROLE, role)
        .env(DIR, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child")
}

/// The value `marker` announces on a line (libtest may print on the same line first).
fn marked<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|i| line[i + marker.len()..].trim())
}

fn now() -> chrono::DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

fn new_record(device_id: &str) -> InterviewRecord {
    InterviewRecord {
        interview_id: INTERVIEW,
        household_id: "522701000000001".into(),
        questionnaire: "poor".into(),
        questionnaire_version: "1".into(),
        status: Status::InProgress,
        interviewer: "王五".into(),
        device_id: device_id.into(),
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

fn answer(device_id: &str, n: u64) -> Event {
    Event {
        event_id: Uuid::new_v4(),
        interview_id: INTERVIEW,
        at: now(),
        device_id: device_id.into(),
        seq: 0,
        base: Vec::new(),
        interviewer: "王五".into(),
        op: EventOp::Set,
        question_id: "income".into(),
        row: None,
        value: json!(n),
    }
}

/// The child: enters answers 1, 2, 3, … (continuing from what is stored) until killed,
/// printing `ack <n>` only after the save of `n` returned.
#[test]
#[ignore = "child process of acknowledged_answers_survive_sigkill"]
fn child_writer() {
    let Some(dir) = role("writer") else { return };
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let device = store.device_id().to_string();
    let mut record = match store.interview(INTERVIEW).expect("read interview") {
        Some(r) => r,
        None => {
            let r = new_record(&device);
            store.create_interview(&r).expect("create interview");
            r
        }
    };
    let mut n = record.answers["income"].as_u64().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut saves = 0u64;
    while Instant::now() < deadline {
        saves += 1;
        // Every seventh save records two answers in one transaction.
        let events: Vec<Event> = if saves.is_multiple_of(7) {
            vec![answer(&device, n + 1), answer(&device, n + 2)]
        } else {
            vec![answer(&device, n + 1)]
        };
        n += events.len() as u64;
        record.answers = json!({ "income": n });
        record.updated_at = now();
        if let [one] = events.as_slice() {
            store.record_event(one, &record).expect("record_event");
        } else {
            store
                .record_events(&events, &record)
                .expect("record_events");
        }
        record.events += events.len() as u64;
        writeln!(out, "ack {n}").expect("stdout");
        out.flush().expect("stdout");
    }
}

/// The child: tries to open a store and says what happened.
#[test]
#[ignore = "child process of a_second_process_gets_locked"]
fn child_lock_probe() {
    let Some(dir) = role("lock_probe") else {
        return;
    };
    let result = match Store::open(Path::new(&dir)) {
        Ok(_) => "opened".to_string(),
        Err(e @ StoreError::Locked { .. }) => format!("locked {e}"),
        Err(e) => format!("error {e}"),
    };
    println!("probe: {result}");
}

/// A small deterministic PRNG (xorshift64*), so that no extra crate is needed.
struct XorShift(u64);

impl XorShift {
    fn seeded(iteration: u64) -> XorShift {
        XorShift((iteration + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Opens the store after a kill and checks it holds exactly answers 1..=k for some k no
/// smaller than the last acknowledged one, the record agreeing with its log.
fn check_after_kill(dir: &Path, last_acked: u64, iteration: u64) -> u64 {
    let store = Store::open(dir)
        .unwrap_or_else(|e| panic!("iteration {iteration}: the store does not open: {e}"));
    let Some(record) = store.interview(INTERVIEW).expect("read interview") else {
        assert_eq!(
            last_acked, 0,
            "iteration {iteration}: acknowledged answers lost with their interview"
        );
        return 0;
    };
    let events = store.events(INTERVIEW).expect("read events");
    let values: Vec<u64> = events
        .iter()
        .map(|e| e.value.as_u64().expect("numeric answer"))
        .collect();
    let k = values.len() as u64;
    assert!(
        values.iter().copied().eq(1..=k),
        "iteration {iteration}: the log is not 1..={k}: {values:?}"
    );
    assert!(
        k >= last_acked,
        "iteration {iteration}: answer {last_acked} was acknowledged but the log ends at {k}"
    );
    assert_eq!(
        record.events, k,
        "iteration {iteration}: record and log disagree on the count"
    );
    assert_eq!(
        record.answers["income"].as_u64(),
        Some(k),
        "iteration {iteration}: the current answer is not the last logged one"
    );
    assert_eq!(store.interview_count(), 1);
    k
}

#[test]
fn acknowledged_answers_survive_sigkill() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut last_acked = 0u64;
    let mut total_acks = 0usize;
    let mut during_work = 0usize;
    for iteration in 0..ITERATIONS {
        let mut rng = XorShift::seeded(iteration);
        let mut child = spawn("writer", "child_writer", dir.path());
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = marked(&line, "ack ").and_then(|n| n.parse::<u64>().ok())
                    && tx.send(n).is_err()
                {
                    break;
                }
            }
        });
        let mut acks = Vec::new();
        // Every fifth child is killed wherever it is (opening, recovering, first saves);
        // the others once they are saving answers.
        if iteration % 5 != 0 {
            let first = rx
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| {
                    panic!("iteration {iteration}: the writer acknowledged nothing")
                });
            acks.push(first);
        }
        thread::sleep(Duration::from_millis(rng.between(5, 60)));
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("iteration {iteration}: the writer stopped by itself: {status}");
        }
        child.kill().expect("SIGKILL the writer");
        child.wait().expect("reap the writer");
        reader.join().expect("reader thread");
        acks.extend(rx.try_iter());
        assert!(
            acks.windows(2).all(|w| w[0] < w[1]),
            "acks out of order: {acks:?}"
        );
        if let Some(&n) = acks.last() {
            assert!(
                n > last_acked,
                "iteration {iteration}: acks went back from {last_acked} to {n}"
            );
            last_acked = n;
            during_work += 1;
        }
        total_acks += acks.len();
        let k = check_after_kill(dir.path(), last_acked, iteration);
        assert!(k >= last_acked);
    }
    eprintln!(
        "crash test: {ITERATIONS} kills ({during_work} while saving), {total_acks} acknowledged saves, all there; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(during_work >= 40, "too few kills hit saves: {during_work}");
}

fn probe(dir: &Path) -> String {
    let child = spawn("lock_probe", "child_lock_probe", dir);
    let out = child.wait_with_output().expect("probe output");
    assert!(out.status.success(), "probe failed: {:?}", out.status);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| marked(l, "probe: ").map(str::to_string))
        .expect("probe result")
}

#[test]
fn a_second_process_gets_locked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let result = probe(dir.path());
    assert!(result.starts_with("locked"), "second process: {result}");
    assert!(result.contains("in use by another ruhu"), "{result}");
    drop(store);
    assert_eq!(
        probe(dir.path()),
        "opened",
        "the lock goes with the first process's store"
    );
}
