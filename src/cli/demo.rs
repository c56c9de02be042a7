//! `ruhu demo`: the demo registry of a fictional county and its project list, into the store
//! or as CSV files.

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
    talks: bool,
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
        let projects = crate::demo::generate_projects(&opts);
        let projects_path = path
            .parent()
            .unwrap_or(Path::new(""))
            .join(crate::demo::PROJECTS_FILE);
        let written = std::fs::File::create(&projects_path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            crate::demo::write_projects_csv(&projects, &mut w)?;
            std::io::Write::flush(&mut w)
        });
        written.map_err(|e| {
            fail(tr!(
                "无法写入 {}：{}",
                "cannot write {}: {}",
                projects_path.display(),
                e
            ))
        })?;
        match format {
            Format::Json => print_json(
                cli,
                &json!({"households": households, "seed": seed, "csv": path,
                        "projects": projects.len(), "projects_csv": projects_path}),
            ),
            Format::Text => say(
                cli,
                tr!(
                    "已写出 {} 户演示数据到 {}，{} 个项目到 {}",
                    "wrote {} demo households to {} and {} projects to {}",
                    households,
                    path.display(),
                    projects.len(),
                    projects_path.display()
                )
                .get(lang),
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ws = workspace(cli)?;
    let n = ws.load_households(crate::demo::generate_iter(&opts))?;
    let projects = crate::demo::generate_projects(&opts);
    ws.load_projects(&projects)?;
    let ws = ws.settle()?;
    let talks = if talks { ws.load_demo_talks(seed)? } else { 0 };
    match format {
        Format::Json => print_json(
            cli,
            &json!({"households": n, "seed": seed, "total": ws.household_count(),
                    "projects": projects.len(), "talks": talks}),
        ),
        Format::Text => say(
            cli,
            tr!(
                "已载入 {} 户演示数据、{} 个项目和 {} 次干部访谈（演示县，虚构）",
                "loaded {} demo households, {} projects and {} cadre talks (a fictional county)",
                n,
                projects.len(),
                talks
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
