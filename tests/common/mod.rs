//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

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
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
