//! `ruhu demo`: the demo registry of a fictional county, into the store or a CSV.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::tr;

pub(super) fn demo(
    cli: &Cli,
    households: usize,
    seed: u64,
    csv: Option<&Path>,
    format: Format,
) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let opts = crate::demo::DemoOptions { households, seed };
    // Before a file is created or the data folder opened.
    opts.check().map_err(fail)?;
    if let Some(path) = csv {
        let file = std::fs::File::create(path).map_err(|e| {
            fail(tr!(
                "无法写入 {}：{}",
                "cannot write {}: {}",
                path.display(),
                e
            ))
        })?;
        crate::demo::write_csv(
            crate::demo::generate_iter(&opts),
            std::io::BufWriter::new(file),
        )
        .map_err(|e| {
            fail(tr!(
                "无法写入 {}：{}",
                "cannot write {}: {}",
                path.display(),
                e
            ))
        })?;
        match format {
            Format::Json => print_json(
                cli,
                &json!({"households": households, "seed": seed, "csv": path}),
            ),
            Format::Text => say(
                cli,
                tr!(
                    "已写出 {} 户演示数据到 {}",
                    "wrote {} demo households to {}",
                    households,
                    path.display()
                )
                .get(lang),
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ws = workspace(cli)?;
    let n = ws.load_households(crate::demo::generate_iter(&opts))?;
    let ws = ws.settle()?;
    match format {
        Format::Json => print_json(
            cli,
            &json!({"households": n, "seed": seed, "total": ws.household_count()}),
        ),
        Format::Text => say(
            cli,
            tr!(
                "已载入 {} 户演示数据（演示县，虚构）",
                "loaded {} demo households (a fictional county)",
                n
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
