//! A command whose reader stops early (`ruhu interview list | head`) ends quietly: no panic,
//! no message, exit 0, and the store as it was.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use ruhu::session::{Forms, Workspace};

/// A store of `n` demo households, each with an interview started.
fn store_with_interviews(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path(), Forms::bundled().unwrap()).unwrap();
    let households = ruhu::demo::generate(&ruhu::demo::DemoOptions {
        households: n,
        ..Default::default()
    });
    ws.load_households(households.clone()).unwrap();
    let ws = ws.settle().unwrap();
    for h in &households {
        ws.start(h, "李调查").unwrap();
    }
    dir
}

/// Runs `args` with its output read for `keep` bytes and then closed.
fn run_closed_early(data: &std::path::Path, args: &[&str], keep: usize) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .arg("--data")
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = vec![0u8; keep];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_listing_whose_reader_stops_early_ends_quietly() {
    let dir = store_with_interviews(900);
    for args in [
        &["interview", "list"][..],
        &["interview", "list", "--format", "json"][..],
        &["registry", "list"][..],
        &["registry", "list", "--format", "json"][..],
    ] {
        let (code, err) = run_closed_early(dir.path(), args, 64);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.trim().is_empty(), "{args:?}: {err}");
    }
    // The store is whole: every interview is still listed.
    let v = common::run_json(dir.path(), &["interview", "list"]);
    assert_eq!(v.as_array().map(Vec::len), Some(900), "{v}");
}
