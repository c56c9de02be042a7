//! `ruhu projects import | list | show`: the county's project list (脱贫攻坚与东西部扶贫协作
//! 项目) from a project file (and a beneficiaries file), and what is stored.
//!
//! Exit codes of the import, as the registry import's: 0 every row went in, 3 some rows were
//! rejected (listed with file, line and column, and written to the rejects file; with
//! `--strict` nothing was imported), 1 a file (or the data folder) could not be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value as Json, json};

use super::registry::EncodingArg;
use super::{Cli, Failure, Format, fail, out_line, print_json, shown};
use crate::i18n::{Lang, Text};
use crate::projects::import::{FileSummary, ProjectImportOptions};
use crate::projects::{FundSource, Project, ProjectKind};
use crate::registry::table::Format as TableFormat;
use crate::registry::{Household, number_text, rejects};
use crate::session::{ProjectImport, ProjectWarning};
use crate::tr;
use crate::tui::text::{pad, width};

#[derive(Subcommand, Debug)]
pub enum ProjectsCommand {
    /// Import the project list (CSV in UTF-8 or GBK, or XLSX), replacing the stored one;
    /// columns by header (README, "Projects").
    Import(ProjectImportArgs),
    /// List stored projects.
    List {
        #[arg(long, value_name = "COUNTY")]
        county: Option<String>,
        #[arg(long, value_name = "TOWNSHIP")]
        township: Option<String>,
        #[arg(long, value_name = "VILLAGE")]
        village: Option<String>,
        /// industry, infrastructure, housing, relocation, employment, education, health,
        /// east_west, other.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Only the projects this household (户编号) benefits from.
        #[arg(long, value_name = "ID")]
        household: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Show one project with its funds and its beneficiary households.
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct ProjectImportArgs {
    /// The project file: .csv (or tab-separated .txt) or .xlsx (first worksheet).
    pub file: PathBuf,
    /// A second file with one row per (项目编号, 户编号).
    #[arg(long, value_name = "FILE2")]
    pub beneficiaries: Option<PathBuf>,
    /// Text encoding of a CSV file (default: detected).
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: EncodingArg,
    /// Import nothing if any row is bad.
    #[arg(long)]
    pub strict: bool,
    /// Where to write the project file's rejected rows (default: <name>.rejects.csv beside
    /// it; the beneficiaries file's always go beside that file).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub(super) fn run(cli: &Cli, command: &ProjectsCommand) -> Result<ExitCode, Failure> {
    match command {
        ProjectsCommand::Import(args) => import(cli, args),
        ProjectsCommand::List {
            county,
            township,
            village,
            kind,
            household,
            format,
        } => {
            let kind = match kind {
                None => None,
                Some(k) => Some(ProjectKind::from_name(k).ok_or_else(|| {
                    let names: Vec<&str> = ProjectKind::ALL.iter().map(|k| k.name()).collect();
                    fail(tr!(
                        "未知的项目类别 {}（可用：{}）",
                        "unknown project kind {} (use {})",
                        k,
                        names.join(", ")
                    ))
                })?),
            };
            let filter = ListFilter {
                county: county.as_deref(),
                township: township.as_deref(),
                village: village.as_deref(),
                kind,
                household: household.as_deref(),
            };
            list(cli, &filter, *format)
        }
        ProjectsCommand::Show { id, format } => show(cli, id, *format),
    }
}

fn readable(path: &Path) -> Result<(), Failure> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(fail(tr!(
            "无法读取 {}：不是文件",
            "cannot read {}: not a file",
            path.display()
        ))),
        Err(e) => Err(fail(tr!(
            "无法读取 {}：{}",
            "cannot read {}: {}",
            path.display(),
            e
        ))),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn import(cli: &Cli, args: &ProjectImportArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    readable(&args.file)?;
    if let Some(b) = &args.beneficiaries {
        readable(b)?;
    }
    if let Some(r) = &args.rejects
        && (same_file(r, &args.file)
            || args.beneficiaries.as_ref().is_some_and(|b| same_file(r, b)))
    {
        return Err(fail(tr!(
            "--rejects 不能是要导入的文件本身：{}",
            "--rejects cannot be a file being imported: {}",
            r.display()
        )));
    }
    let opts = ProjectImportOptions {
        encoding: args.encoding.into(),
        strict: args.strict,
        rejects_file: args.rejects.clone(),
        write_rejects: true,
        lang,
    };
    let ws = super::workspace(cli)?;
    let result = ws
        .import_projects(&args.file, args.beneficiaries.as_deref(), &opts)?
        .map_err(fail)?;
    // A rejects file left from an earlier run of the same file would mislead.
    let mut removed = Vec::new();
    let files = [
        Some(&result.summary.projects_file).filter(|_| args.rejects.is_none()),
        result.summary.beneficiaries_file.as_ref(),
    ];
    for f in files.into_iter().flatten() {
        let stale = rejects::default_path(&f.path);
        if f.rejects_file.is_none() && stale.is_file() && std::fs::remove_file(&stale).is_ok() {
            removed.push(stale);
        }
    }
    match args.format {
        Format::Json => print_json(cli, &import_json(&result, args.strict, lang)),
        Format::Text => print_import(cli, &result, &removed, lang),
    }
    Ok(if result.summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn file_json(f: &FileSummary, lang: Lang) -> Json {
    let (format, encoding) = match &f.table {
        Some(t) => (
            match t.format {
                TableFormat::Csv => "csv",
                TableFormat::Xlsx => "xlsx",
            },
            t.encoding.map(|e| e.name()),
        ),
        None => ("csv", None),
    };
    json!({
        "file": f.path,
        "format": format,
        "encoding": encoding,
        "header_line": f.header_line,
        "rows": f.rows,
        "ignored_columns": f.ignored_columns,
        "notices": f.notices.iter().map(|n| n.get(lang)).collect::<Vec<_>>(),
        "rejects_file": f.rejects_file,
    })
}

fn warning_json(w: &ProjectWarning, lang: Lang) -> Json {
    let mut v = json!({"kind": w.kind(), "message": w.message().get(lang)});
    match w {
        ProjectWarning::UnknownHousehold {
            project_id,
            household_id,
        } => {
            v["project_id"] = json!(project_id);
            v["household_id"] = json!(household_id);
        }
        ProjectWarning::UnknownVillage {
            project_id,
            county,
            township,
            village,
        } => {
            v["project_id"] = json!(project_id);
            v["county"] = json!(county);
            v["township"] = json!(township);
            v["village"] = json!(village);
        }
        ProjectWarning::EmptyRegistry => {}
    }
    v
}

/// The JSON summary of an import (docs/cli.md).
fn import_json(r: &ProjectImport, strict: bool, lang: Lang) -> Json {
    let counts = r.counts.unwrap_or_default();
    let mut v = file_json(&r.summary.projects_file, lang);
    v["beneficiaries_file"] = r
        .summary
        .beneficiaries_file
        .as_ref()
        .map_or(Json::Null, |f| file_json(f, lang));
    v["projects"] = json!(r.projects);
    v["beneficiaries"] = json!(r.beneficiaries);
    v["added"] = json!(counts.added);
    v["changed"] = json!(counts.changed);
    v["unchanged"] = json!(counts.unchanged);
    v["removed"] = json!(counts.removed);
    v["rejected"] = r
        .summary
        .rejected
        .iter()
        .map(|x| {
            json!({
                "file": x.file,
                "line": x.line,
                "column": x.column,
                "reason": x.reason.get(lang),
            })
        })
        .collect();
    v["warnings"] = r.warnings.iter().map(|w| warning_json(w, lang)).collect();
    v["strict"] = json!(strict);
    v["imported"] = json!(r.summary.imported);
    v
}

/// How many rejected rows and warnings the text output lists.
const SHOW_AT_MOST: usize = 50;

fn file_line(f: &FileSummary, lang: Lang) -> String {
    let what = match &f.table {
        Some(t) => match (t.format, t.encoding) {
            (TableFormat::Xlsx, _) => "xlsx".to_string(),
            (TableFormat::Csv, Some(e)) => format!("csv, {}", e.name()),
            (TableFormat::Csv, None) => "csv".to_string(),
        },
        None => "csv".to_string(),
    };
    tr!(
        "{}（{}）：读取 {} 行",
        "{} ({}): {} rows read",
        f.path.display(),
        what,
        f.rows
    )
    .get(lang)
    .to_string()
}

fn print_import(cli: &Cli, r: &ProjectImport, removed: &[PathBuf], lang: Lang) {
    let s = &r.summary;
    let mut out = Vec::new();
    for f in std::iter::once(&s.projects_file).chain(s.beneficiaries_file.as_ref()) {
        out.push(file_line(f, lang));
        out.extend(f.notices.iter().map(|n| n.get(lang).to_string()));
        if !f.ignored_columns.is_empty() {
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            out.push(
                tr!(
                    "忽略的列：{}",
                    "columns ignored: {}",
                    f.ignored_columns.join(sep)
                )
                .get(lang)
                .to_string(),
            );
        }
    }
    match r.counts {
        Some(c) => out.push(
            tr!(
                "项目 {} 个（新增 {}，更新 {}，未变 {}，删除 {}），受益户 {} 户次，拒绝 {} 行",
                "{} projects ({} added, {} changed, {} unchanged, {} removed), {} beneficiary households, {} rows rejected",
                r.projects,
                c.added,
                c.changed,
                c.unchanged,
                c.removed,
                r.beneficiaries,
                s.rejected.len()
            )
            .get(lang)
            .to_string(),
        ),
        None => out.push(
            tr!(
                "--strict：有 {} 行有错误，什么都没有导入（库中的项目未变）",
                "--strict: {} rows are bad, nothing was imported (the stored projects are as they were)",
                s.rejected.len()
            )
            .get(lang)
            .to_string(),
        ),
    }
    for x in s.rejected.iter().take(SHOW_AT_MOST) {
        out.push(format!("  {}", x.text().get(lang)));
    }
    if s.rejected.len() > SHOW_AT_MOST {
        out.push(
            tr!(
                "  ……另有 {} 行",
                "  ... and {} more",
                s.rejected.len() - SHOW_AT_MOST
            )
            .get(lang)
            .to_string(),
        );
    }
    for w in r.warnings.iter().take(SHOW_AT_MOST) {
        out.push(
            tr!("注意：{}", "note: {}", w.message().get(lang))
                .get(lang)
                .to_string(),
        );
    }
    if r.warnings.len() > SHOW_AT_MOST {
        out.push(
            tr!(
                "  ……另有 {} 条注意事项",
                "  ... and {} more notes",
                r.warnings.len() - SHOW_AT_MOST
            )
            .get(lang)
            .to_string(),
        );
    }
    for f in std::iter::once(&s.projects_file).chain(s.beneficiaries_file.as_ref()) {
        if let Some(p) = &f.rejects_file {
            out.push(
                tr!(
                    "被拒绝的行及原因已写入 {}",
                    "rejected rows with their reasons are in {}",
                    p.display()
                )
                .get(lang)
                .to_string(),
            );
        }
    }
    for p in removed {
        out.push(
            tr!(
                "已删除上次留下的 {}",
                "removed {} left by an earlier import",
                p.display()
            )
            .get(lang)
            .to_string(),
        );
    }
    for line in out {
        out_line(&shown(cli, &line));
    }
}

/// A project as JSON: the stored fields and their labels in the user's language.
fn project_json(p: &Project, lang: Lang) -> Json {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    v["kind_label"] = json!(p.kind.label().get(lang));
    v["status_label"] = json!(p.status.label().get(lang));
    v
}

/// Display cells the listing gives a project's name and a place at most.
const NAME_CELLS: usize = 30;
const PLACE_CELLS: usize = 16;

fn money(v: f64) -> String {
    number_text((v * 100.0).round() / 100.0)
}

/// What `projects list` keeps.
struct ListFilter<'a> {
    county: Option<&'a str>,
    township: Option<&'a str>,
    village: Option<&'a str>,
    kind: Option<ProjectKind>,
    household: Option<&'a str>,
}

fn list(cli: &Cli, f: &ListFilter<'_>, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = super::workspace(cli)?;
    let all = match f.household {
        // Through the beneficiary index.
        Some(h) => ws.projects_of_household(h)?,
        None => ws.projects()?,
    };
    let projects: Vec<Project> = all
        .into_iter()
        .filter(|p| p.is_in(f.county, f.township, f.village) && f.kind.is_none_or(|k| p.kind == k))
        .collect();
    match format {
        Format::Json => print_json(
            cli,
            &Json::Array(projects.iter().map(|p| project_json(p, lang)).collect()),
        ),
        Format::Text => {
            let heads: [Text; 8] = [
                tr!("项目编号", "project id"),
                tr!("项目名称", "name"),
                tr!("类别", "kind"),
                tr!("乡镇", "township"),
                tr!("行政村", "village"),
                tr!("总投资（元）", "total (yuan)"),
                tr!("状态", "status"),
                tr!("受益户", "households"),
            ];
            let rows: Vec<[String; 8]> = projects
                .iter()
                .map(|p| {
                    [
                        p.project_id.clone(),
                        p.name.clone(),
                        p.kind.label().get(lang).to_string(),
                        p.township.clone(),
                        p.village.clone(),
                        money(p.total),
                        p.status.label().get(lang).to_string(),
                        p.beneficiaries.len().to_string(),
                    ]
                })
                .collect();
            // Each column as wide as its widest cell, in display cells; names and places
            // are cut (with `~`) beyond a bound so that a line stays readable.
            let widths: Vec<usize> = (0..heads.len())
                .map(|i| {
                    let widest = rows
                        .iter()
                        .map(|r| width(&r[i]))
                        .chain([width(heads[i].get(lang))])
                        .max()
                        .unwrap_or(0);
                    match i {
                        1 => widest.min(NAME_CELLS),
                        3 | 4 => widest.min(PLACE_CELLS),
                        _ => widest,
                    }
                })
                .collect();
            let line = |cells: &[&str]| -> String {
                let padded: Vec<String> =
                    cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
                padded.join("  ").trim_end().to_string()
            };
            let head: Vec<&str> = heads.iter().map(|t| t.get(lang)).collect();
            out_line(&line(&head));
            let mut total = 0.0;
            for (p, r) in projects.iter().zip(&rows) {
                total += p.total;
                let cells: Vec<&str> = r.iter().map(String::as_str).collect();
                out_line(&shown(cli, &line(&cells)));
            }
            out_line(
                tr!(
                    "共 {} 个项目，总投资 {} 元",
                    "{} projects, {} yuan in all",
                    projects.len(),
                    money(total)
                )
                .get(lang),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(cli: &Cli, id: &str, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = super::workspace(cli)?;
    let Some(p) = ws.project(id)? else {
        return Err(fail(tr!(
            "没有项目编号为 {} 的项目",
            "no project with id {}",
            id
        )));
    };
    let households: Vec<(String, Option<Household>)> = ws
        .beneficiary_households(&p)?
        .into_iter()
        .map(|(id, h)| {
            let h = h.map(|mut h| {
                if !cli.show_ids {
                    h.mask_ids();
                }
                h
            });
            (id, h)
        })
        .collect();
    match format {
        Format::Json => {
            let mut v = project_json(&p, lang);
            v["beneficiary_households"] = households
                .iter()
                .map(|(id, h)| match h {
                    None => json!({"household_id": id, "in_registry": false}),
                    Some(h) => json!({
                        "household_id": id,
                        "in_registry": true,
                        "head_name": h.head_name,
                        "head_id_number": h.head_id_number,
                        "status": h.status,
                        "status_label": h.status.label().get(lang),
                        "township": h.township,
                        "village": h.village,
                        "village_group": h.village_group,
                    }),
                })
                .collect();
            print_json(cli, &v);
        }
        Format::Text => {
            let none = tr!("无", "none");
            let date = |d: Option<chrono::NaiveDate>| {
                d.map(|d| d.to_string())
                    .unwrap_or_else(|| none.get(lang).to_string())
            };
            let yuan = |v: f64| tr!("{} 元", "{} yuan", money(v)).get(lang).to_string();
            let funds: Vec<String> = FundSource::ALL
                .iter()
                .filter_map(|s| {
                    p.funds
                        .get(s)
                        .map(|v| format!("{} {}", s.label().get(lang), yuan(*v)))
                })
                .collect();
            let place: Vec<&str> = [&p.county, &p.township, &p.village]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(String::as_str)
                .collect();
            let sep = if lang == Lang::Zh { "；" } else { "; " };
            let rows: [(Text, String); 10] = [
                (tr!("项目编号", "project id"), p.project_id.clone()),
                (tr!("项目名称", "name"), p.name.clone()),
                (
                    tr!("项目类别", "kind"),
                    p.kind.label().get(lang).to_string(),
                ),
                (tr!("地点", "place"), place.join(" ")),
                (
                    tr!("资金", "funds"),
                    if funds.is_empty() {
                        none.get(lang).to_string()
                    } else {
                        funds.join(sep)
                    },
                ),
                (tr!("总投资", "total"), yuan(p.total)),
                (tr!("批复时间", "approved"), p.approved.to_string()),
                (tr!("开工时间", "started"), date(p.started)),
                (tr!("竣工时间", "completed"), date(p.completed)),
                (
                    tr!("项目状态", "status"),
                    p.status.label().get(lang).to_string(),
                ),
            ];
            for (label, value) in &rows {
                out_line(&shown(
                    cli,
                    &format!("{} {value}", pad(label.get(lang), 10)),
                ));
            }
            out_line(
                tr!(
                    "受益户（{} 户）",
                    "beneficiary households ({})",
                    households.len()
                )
                .get(lang),
            );
            if !households.is_empty() {
                let columns: [(Text, usize); 5] = [
                    (tr!("户编号", "household id"), 16),
                    (tr!("户主", "head"), 8),
                    (tr!("证件号码", "ID number"), 18),
                    (tr!("状态", "status"), 8),
                    (tr!("村民小组", "group"), 8),
                ];
                let head: Vec<String> = columns.iter().map(|(t, w)| pad(t.get(lang), *w)).collect();
                out_line(&format!("  {}", head.join(" ").trim_end()));
                let unknown = tr!("（不在建档立卡数据中）", "(not in the registry)");
                for (id, h) in &households {
                    let cells: Vec<String> = match h {
                        Some(h) => vec![
                            id.clone(),
                            h.head_name.clone(),
                            h.head_id_number.clone(),
                            h.status.label().get(lang).to_string(),
                            h.village_group.clone(),
                        ],
                        None => vec![id.clone(), unknown.get(lang).to_string()],
                    };
                    let line: Vec<String> = cells
                        .iter()
                        .zip(&columns)
                        .enumerate()
                        .map(|(i, (c, (_, w)))| {
                            let last = i + 1 == cells.len();
                            let w = if i == 0 || last {
                                (*w).max(width(c))
                            } else {
                                *w
                            };
                            pad(c, w)
                        })
                        .collect();
                    out_line(&shown(cli, &format!("  {}", line.join(" ").trim_end())));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
