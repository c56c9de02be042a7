//! Property: answers edited on 2–5 laptops, carried by bundles through random hops in random
//! orders (relays included, conflicts resolved on the way), end in the same state on every
//! laptop and on a store that received every bundle directly, once all have exchanged what
//! they hold. Through the library (`Workspace`), with small stores.

use std::path::PathBuf;

use proptest::prelude::*;
use ruhu::interview::Answer;
use ruhu::session::{ExportOptions, Forms, Resolution, Workspace};
use ruhu::sync::bundle::{Key, Seal};
use serde_json::{Value, json};
use uuid::Uuid;

/// One step of the scenario.
#[derive(Debug, Clone)]
enum Step {
    /// Laptop `at` starts an interview of a new household.
    Start { at: usize },
    /// Laptop `at` answers question `q` (of [`QUESTIONS`]) with value `v` in interview `i`
    /// (of those it has, modulo).
    Edit {
        at: usize,
        i: usize,
        q: usize,
        v: usize,
    },
    /// Laptop `from` sends what `to` has not been sent yet; `to` imports it.
    Send { from: usize, to: usize },
    /// Laptop `at` resolves its first open conflict with side `side` (1 or 2).
    Resolve { at: usize, side: usize },
}

const QUESTIONS: [&str; 4] = [
    "respondent_name",
    "food_ok",
    "income_compared",
    "household_size",
];

fn value(q: usize, v: usize) -> Answer {
    match q {
        0 => Answer::Text(["王秀英", "王秀兰", "李四"][v % 3].into()),
        1 => Answer::Bool(v.is_multiple_of(2)),
        2 => Answer::Choice(["higher", "same", "lower"][v % 3].into()),
        _ => Answer::Integer(1 + (v % 4) as i64),
    }
}

fn step(n: usize) -> impl Strategy<Value = Step> {
    // Edits mostly of two questions of the first interviews, so that laptops meet often.
    prop_oneof![
        1 => (0..n).prop_map(|at| Step::Start { at }),
        6 => (0..n, 0..2usize, prop_oneof![3 => 0..2usize, 1 => 2..4usize], 0..6usize)
            .prop_map(|(at, i, q, v)| Step::Edit { at, i, q, v }),
        4 => (0..n, 0..n).prop_map(|(from, to)| Step::Send { from, to }),
        3 => (0..n, 1..3usize).prop_map(|(at, side)| Step::Resolve { at, side }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Step>, u64)> {
    (2..=5usize).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec(step(n), 6..20).prop_map(move |mut steps| {
                // Every laptop has an interview to edit from the start.
                let mut start = vec![Step::Start { at: 0 }];
                start.extend((1..n).map(|to| Step::Send { from: 0, to }));
                start.append(&mut steps);
                start
            }),
            any::<u64>(),
        )
    })
}

/// A store's state, without what is local by nature (the cursor, the instants a laptop's
/// own saves give its record, its device id).
fn state(ws: &Workspace) -> Value {
    let mut interviews = Vec::new();
    for r in ws.interview_results() {
        let r = ws.interview(r.unwrap().interview_id).unwrap().unwrap();
        let mut events: Vec<Value> = ws
            .events(r.interview_id)
            .unwrap()
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        events.sort_by(|a, b| a["event_id"].as_str().cmp(&b["event_id"].as_str()));
        let mut v = serde_json::to_value(&r).unwrap();
        for local in ["cursor", "updated_at", "completed_at"] {
            v.as_object_mut().unwrap().remove(local);
        }
        interviews.push(json!({"record": v, "events": events}));
    }
    let households: Vec<Value> = ws
        .households()
        .map(|h| serde_json::to_value(h.unwrap()).unwrap())
        .collect();
    let conflicts: Vec<String> = ws.conflicts().unwrap().into_iter().map(|c| c.id).collect();
    json!({"interviews": interviews, "households": households, "conflicts": conflicts})
}

struct Laptop {
    ws: Workspace,
    interviews: Vec<Uuid>,
}

fn export(from: &Laptop, to: &str, all: bool, dir: &std::path::Path) -> Option<PathBuf> {
    let path = dir.join(format!("{}.ruhu", Uuid::new_v4()));
    let opts = ExportOptions {
        to: Some(to.to_string()),
        all,
        seal: Seal::None,
        device_name: "test".into(),
    };
    let r = from.ws.export_bundle(&path, &opts).expect("export");
    r.written.then_some(path)
}

fn import(into: &mut Laptop, file: &std::path::Path) {
    let r = into.ws.import_bundle(file, &Key::None);
    assert!(r.accepted, "{:?}", r.error);
    assert!(r.clashes.is_empty());
    for id in into.ws.interview_results() {
        let id = id.unwrap().interview_id;
        if !into.interviews.contains(&id) {
            into.interviews.push(id);
        }
    }
    into.interviews.sort();
}

/// Runs a scenario; how many conflicts were resolved on the way.
fn run(n: usize, steps: &[Step], seed: u64) -> Result<usize, TestCaseError> {
    let mut resolved = 0;
    let dir = tempfile::tempdir().unwrap();
    let forms = Forms::bundled().unwrap();
    let mut laptops: Vec<Laptop> = (0..n)
        .map(|i| Laptop {
            ws: Workspace::open(&dir.path().join(format!("l{i}")), forms.clone()).unwrap(),
            interviews: Vec::new(),
        })
        .collect();
    let bundles = dir.path().join("bundles");
    std::fs::create_dir(&bundles).unwrap();
    let mut sent: Vec<PathBuf> = Vec::new();
    for s in steps {
        match *s {
            Step::Start { at } => {
                let l = &mut laptops[at];
                let h = l.ws.new_household("王秀英", "桂花村").unwrap();
                let session = l.ws.start(&h, "调查员").unwrap();
                l.interviews.push(session.record.interview_id);
            }
            Step::Edit { at, i, q, v } => {
                let l = &laptops[at];
                if l.interviews.is_empty() {
                    continue;
                }
                let id = l.interviews[i % l.interviews.len()];
                let mut session = l.ws.resume(id).unwrap();
                let change = session
                    .interview
                    .set_answer(QUESTIONS[q], Some(value(q, v)))
                    .unwrap();
                session.save(&l.ws, &change).unwrap();
            }
            Step::Send { from, to } if from != to => {
                if let Some(f) = export(&laptops[from], &format!("l{to}"), false, &bundles) {
                    import(&mut laptops[to], &f);
                    sent.push(f);
                }
            }
            Step::Send { .. } => {}
            Step::Resolve { at, side } => {
                let l = &laptops[at];
                if let Some(c) = l.ws.conflicts().unwrap().first() {
                    l.ws.resolve(&c.id, &Resolution::Take(side), "组长")
                        .unwrap();
                    resolved += 1;
                }
            }
        }
    }
    // Everyone sends everything it holds to everyone, in a shuffled order; a store that
    // never took part receives every bundle ever written, in another order.
    let finals: Vec<PathBuf> = laptops
        .iter()
        .filter_map(|l| export(l, "final", true, &bundles))
        .collect();
    let mut rng = seed;
    let mut shuffled = |mut v: Vec<PathBuf>| {
        for i in (1..v.len()).rev() {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            v.swap(i, (rng >> 33) as usize % (i + 1));
        }
        v
    };
    for l in laptops.iter_mut() {
        for f in shuffled(finals.clone()) {
            import(l, &f);
        }
    }
    let mut sink = Laptop {
        ws: Workspace::open(&dir.path().join("sink"), forms).unwrap(),
        interviews: Vec::new(),
    };
    let mut everything = sent;
    everything.extend(finals);
    for f in shuffled(everything) {
        import(&mut sink, &f);
    }
    let want = state(&sink.ws);
    for (i, l) in laptops.iter().enumerate() {
        prop_assert_eq!(&state(&l.ws), &want, "laptop {} differs from the sink", i);
        prop_assert!(l.ws.verify().unwrap().is_sound());
    }
    prop_assert!(sink.ws.verify().unwrap().is_sound());
    // One laptop resolves what is left open; its bundle closes the conflicts everywhere.
    let lead = (seed % n as u64) as usize;
    let open = laptops[lead].ws.conflicts().unwrap();
    for c in &open {
        let side = 1 + (seed as usize / 7) % c.sides.len();
        laptops[lead]
            .ws
            .resolve(&c.id, &Resolution::Take(side), "组长")
            .unwrap();
        resolved += 1;
    }
    if let Some(f) = export(&laptops[lead], "final", false, &bundles) {
        for l in laptops.iter_mut().chain(std::iter::once(&mut sink)) {
            import(l, &f);
        }
    }
    let want = state(&sink.ws);
    prop_assert_eq!(&want["conflicts"], &json!([]));
    for (i, l) in laptops.iter().enumerate() {
        prop_assert_eq!(
            &state(&l.ws),
            &want,
            "laptop {} differs after the resolutions",
            i
        );
    }
    prop_assert!(sink.ws.gaps().unwrap().is_empty());
    Ok(resolved)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn edits_relayed_in_any_order_converge((n, steps, seed) in scenario()) {
        run(n, &steps, seed)?;
    }
}

#[test]
fn a_fixed_scenario_with_a_relay_and_a_resolution_converges() {
    use Step::*;
    let steps = [
        Start { at: 0 },
        Send { from: 0, to: 1 },
        Send { from: 1, to: 2 },
        Edit {
            at: 0,
            i: 0,
            q: 0,
            v: 1,
        },
        Edit {
            at: 2,
            i: 0,
            q: 0,
            v: 2,
        },
        Edit {
            at: 1,
            i: 0,
            q: 1,
            v: 0,
        },
        Send { from: 2, to: 1 },
        Send { from: 0, to: 1 },
        Resolve { at: 1, side: 2 },
        Start { at: 2 },
        Send { from: 1, to: 0 },
    ];
    assert_eq!(
        run(3, &steps, 7).unwrap(),
        1,
        "the concurrent edits conflicted"
    );
}
