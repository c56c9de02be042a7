//! `ruhu backup FILE` / `ruhu restore FILE`: the whole store as plain JSON, because sled is
//! beta software and a cadre's answers must outlive it.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::store::BackupCounts;
use crate::tr;

fn report(cli: &Cli, format: Format, path: &Path, c: BackupCounts, restored: bool) {
    match format {
        Format::Json => print_json(
            cli,
            &json!({
                "file": path,
                "households": c.households,
                "interviews": c.interviews,
                "events": c.events,
                "settings": c.settings,
                "villages": c.villages,
                "marks": c.marks,
                "sample": c.sample,
            }),
        ),
        Format::Text => {
            let t = if restored {
                tr!(
                    "已从 {} 恢复：{} 户，{} 次调查，{} 条答题记录",
                    "restored from {}: {} households, {} interviews, {} answer events",
                    path.display(),
                    c.households,
                    c.interviews,
                    c.events
                )
            } else {
                tr!(
                    "已备份到 {}：{} 户，{} 次调查，{} 条答题记录",
                    "backed up to {}: {} households, {} interviews, {} answer events",
                    path.display(),
                    c.households,
                    c.interviews,
                    c.events
                )
            };
            say(cli, t.get(cli.lang));
        }
    }
}

pub(super) fn backup(cli: &Cli, path: &Path, format: Format) -> Result<ExitCode, Failure> {
    let ws = workspace(cli)?;
    let file = std::fs::File::create(path).map_err(|e| {
        fail(tr!(
            "无法写入 {}：{}",
            "cannot write {}: {}",
            path.display(),
            e
        ))
    })?;
    let counts = ws.store.export_json(std::io::BufWriter::new(file))?;
    report(cli, format, path, counts, false);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn restore(cli: &Cli, path: &Path, format: Format) -> Result<ExitCode, Failure> {
    let file = std::fs::File::open(path).map_err(|e| {
        fail(tr!(
            "无法读取 {}：{}",
            "cannot read {}: {}",
            path.display(),
            e
        ))
    })?;
    let ws = workspace(cli)?;
    let counts = ws.store.import_json(std::io::BufReader::new(file))?;
    report(cli, format, path, counts, true);
    Ok(ExitCode::SUCCESS)
}
