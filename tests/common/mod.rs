//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

pub mod auditors;
pub mod pty;
pub mod walk;

use std::path::Path;
use std::process::Command;

/// Runs the real binary on a data folder: exit code, stdout, stderr.
pub fn ruhu(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run ruhu");
    let mut err = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&out.status) {
        err.push_str(&format!("\n[ruhu {args:?} was ended by signal {signal}]"));
    }
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    )
}

/// A small tmpfs mounted for one test (needs root): a real file system that fills up and
/// can be made read-only. `None` when mounting is not allowed here; set
/// `RUHU_REQUIRE_TMPFS=1` (CI does) to make that a failure instead of a skipped test.
pub struct Tmpfs {
    pub path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    pub fn mount(size_kib: u64) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fs");
        std::fs::create_dir(&path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size_kib}k"))
            .arg("tmpfs")
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("RUHU_REQUIRE_TMPFS").is_none(),
                "cannot mount a tmpfs (RUHU_REQUIRE_TMPFS is set)"
            );
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Tmpfs { path, _dir: dir })
    }

    /// Fills the file system to the last byte with a filler file.
    pub fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path.join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        while f.write_all(&chunk).is_ok() {}
        for _ in 0..4096 {
            if f.write_all(&[0]).is_err() {
                break;
            }
        }
        let _ = f.sync_all();
    }

    /// Removes the filler: space is free again.
    pub fn free(&self) {
        let _ = std::fs::remove_file(self.path.join("filler"));
    }

    /// Remounts the file system read-only (a write-protected stick) or back.
    pub fn set_read_only(&self, read_only: bool) {
        let opt = if read_only {
            "remount,ro"
        } else {
            "remount,rw"
        };
        let ok = Command::new("mount")
            .args(["-o", opt])
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mount -o {opt}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// The household id of the first demo household of a status.
pub fn demo_household(status: ruhu::registry::Status) -> String {
    ruhu::demo::generate(&Default::default())
        .into_iter()
        .find(|h| h.status == status)
        .unwrap()
        .household_id
}

/// What `ruhu interview apply` enters an answer file into.
#[derive(Debug, Clone, Copy)]
pub enum On<'a> {
    /// A new interview of this household (`--household ID`).
    Household(&'a str),
    /// An interview stored already (`--interview ID`).
    Interview(&'a str),
}

/// Runs `ruhu interview apply` of `answers` on a data folder, `extra` arguments after
/// (`--complete`, `--interviewer NAME`, `--lang en`, ...): exit code, stdout, stderr.
pub fn apply(data: &Path, on: On, answers: &Path, extra: &[&str]) -> (i32, String, String) {
    let (flag, id) = match on {
        On::Household(id) => ("--household", id),
        On::Interview(id) => ("--interview", id),
    };
    let answers = answers.to_str().expect("a UTF-8 path");
    let mut args = vec!["interview", "apply", flag, id, "--answers", answers];
    args.extend_from_slice(extra);
    ruhu(data, &args)
}

/// [`apply`] that must succeed, with `--format json`: what it printed (`interview_id`,
/// `household_id`, `status`).
pub fn applied(data: &Path, on: On, answers: &Path, extra: &[&str]) -> serde_json::Value {
    let mut all = extra.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = apply(data, on, answers, &all);
    assert_eq!(code, 0, "interview apply {on:?}: {out}{err}");
    serde_json::from_str(&out).expect("interview apply prints JSON")
}

/// The id of the interview [`applied`] printed.
pub fn applied_id(data: &Path, on: On, answers: &Path, extra: &[&str]) -> String {
    applied(data, on, answers, extra)["interview_id"]
        .as_str()
        .expect("interview_id")
        .to_string()
}

/// A copy of the bundled questionnaires in `root/NAME`, with questionnaire `kind` changed
/// by `edit` (its JSON); the folder.
pub fn questionnaires_edited(
    root: &Path,
    name: &str,
    kind: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> std::path::PathBuf {
    let q = root.join(name);
    std::fs::create_dir_all(&q).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires");
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&p, q.join(p.file_name().unwrap())).unwrap();
        }
    }
    let file = q.join(format!("{kind}.json"));
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    q
}

/// A copy of the bundled questionnaires in `root/forms` whose questionnaire `kind` has
/// another version (a questionnaire a store with the bundled ones lacks).
pub fn questionnaires_with_version(root: &Path, kind: &str, version: &str) -> std::path::PathBuf {
    questionnaires_edited(root, "forms", kind, |v| {
        v["version"] = serde_json::json!(version)
    })
}

/// The first `n` households of one status in the demo registry (the same in every data
/// folder the demo made).
pub fn demo_households(status: ruhu::registry::Status, n: usize) -> Vec<String> {
    ruhu::demo::generate(&Default::default())
        .into_iter()
        .filter(|h| h.status == status)
        .take(n)
        .map(|h| h.household_id)
        .collect()
}

/// A data folder `root/NAME` with the demo registry.
pub fn laptop(root: &Path, name: &str) -> std::path::PathBuf {
    let data = root.join(name);
    let (code, out, err) = ruhu(&data, &["demo"]);
    assert_eq!(code, 0, "{out}{err}");
    data
}

/// Runs ruhu with `--format json` added; it must succeed. What it printed.
pub fn run_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = ruhu(data, &all);
    assert_eq!(code, 0, "ruhu {args:?}: {out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The whole store as a canonical value: its JSON backup without the store's own device
/// id and its log of bundles imported (this laptop's history, with its clock's times),
/// events in event-id order.
pub fn dump(data: &Path) -> serde_json::Value {
    let file = data.with_extension(format!("dump-{}.json", uuid::Uuid::new_v4()));
    let (code, out, err) = ruhu(data, &["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    v.as_object_mut().unwrap().remove("device_id");
    v.as_object_mut().unwrap().remove("imports");
    let events = v["events"].as_array_mut().unwrap();
    events.sort_by(|a, b| a["event_id"].as_str().cmp(&b["event_id"].as_str()));
    v
}
