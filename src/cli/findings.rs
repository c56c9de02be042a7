//! `ruhu findings` and `ruhu mark`: the auditors' list of possible wrong exits, missed cases,
//! wrong inclusions, returned households and mismatches, computed from the stored interviews
//! every time, with the auditors' marks; and marking one confirmed or dismissed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Cli, Failure, fail, say, workspace};
use crate::i18n::{Lang, Text};
use crate::reconcile::export::{
    self, ExportOptions, Marks, evidence_text, findings_json, interview_status,
};
use crate::reconcile::{Filter, Finding, FindingKind, MarkStatus, Reconciler, Severity};
use crate::session::Workspace;
use crate::tr;
use crate::tui::text::pad;

/// Output of `ruhu findings` and `ruhu rates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Columns for the terminal.
    Table,
    /// UTF-8 CSV with a byte-order mark (opens in Excel / WPS).
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
    Json,
}

#[derive(Args, Debug)]
pub struct FindingsArgs {
    /// Output format (default: by the extension of --out, else table).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write to this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FindingsFilter,
}

/// Which findings: the filters of `ruhu findings` (and `ruhu export findings`).
#[derive(Args, Debug)]
pub struct FindingsFilter {
    /// Only this village (行政村, exact name).
    #[arg(long)]
    pub village: Option<String>,
    /// Only this kind: wrong_exit, missed, wrong_inclusion, returned, mismatch, project.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<FindingKind>,
    /// Also interviews still in progress (marked so).
    #[arg(long)]
    pub all: bool,
    /// Only findings with this mark: unmarked, confirmed or dismissed.
    #[arg(long, value_enum)]
    pub status: Option<MarkFilter>,
    /// Only this county (县, exact name).
    #[arg(long)]
    pub county: Option<String>,
    /// Only this township (乡镇, exact name).
    #[arg(long)]
    pub township: Option<String>,
    /// Only interviews by this interviewer (exact name).
    #[arg(long, value_name = "NAME")]
    pub by_interviewer: Option<String>,
}

/// Findings by their mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MarkFilter {
    Unmarked,
    Confirmed,
    Dismissed,
}

/// The findings that `filter` selects, with the auditors' marks.
pub(super) fn selected(
    cli: &Cli,
    filter: &FindingsFilter,
) -> Result<(Vec<Finding>, Marks), Failure> {
    let filter_args = filter;
    let (ws, rec) = reconciler(cli)?;
    let filter = Filter {
        include_in_progress: filter.all,
        village: filter.village.clone(),
        kind: filter.kind,
        ..Filter::default()
    };
    let mut found = ws.reconcile(&rec, &filter)?.findings;
    let marks = ws.marks()?;
    let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    found.retain(|f| {
        let mark = marks.get(&f.key()).map(|m| m.status);
        let status = match filter_args.status {
            None => true,
            Some(MarkFilter::Unmarked) => mark.is_none(),
            Some(MarkFilter::Confirmed) => mark == Some(MarkStatus::Confirmed),
            Some(MarkFilter::Dismissed) => mark == Some(MarkStatus::Dismissed),
        };
        status
            && same(&filter_args.county, &f.county)
            && same(&filter_args.township, &f.township)
            && same(&filter_args.by_interviewer, &f.interviewer)
    });
    Ok((found, marks))
}

fn parse_kind(s: &str) -> Result<FindingKind, String> {
    FindingKind::parse(s).ok_or_else(|| {
        let names: Vec<&str> = FindingKind::ALL.iter().map(|k| k.name()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

/// The format asked for, else the one --out's extension names, else `fallback`.
pub(super) fn output_format(
    format: Option<OutputFormat>,
    out: Option<&Path>,
) -> Result<OutputFormat, Failure> {
    let by_extension = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let chosen = match (format, out) {
        (Some(f), _) => f,
        (None, None) => OutputFormat::Table,
        (None, Some(path)) => match by_extension.as_deref() {
            Some("csv") => OutputFormat::Csv,
            Some("xlsx") => OutputFormat::Xlsx,
            Some("json") => OutputFormat::Json,
            Some("txt") => OutputFormat::Table,
            // An .xls, .ods or a name without an extension would get a text table that a
            // spreadsheet program cannot open as what its name says.
            _ => {
                return Err(fail(tr!(
                    "不知道以什么格式写 {}：文件名请以 .xlsx、.csv、.json 或 .txt 结尾（.xls 和 .ods 不支持），或用 --format 指定",
                    "cannot tell which format to write {} in: end the file name with .xlsx, .csv, .json or .txt (.xls and .ods are not supported), or give --format",
                    path.display()
                )));
            }
        },
    };
    if chosen == OutputFormat::Xlsx && out.is_none() {
        return Err(fail(tr!(
            "XLSX 需要用 --out 指定文件",
            "xlsx needs a file: give --out FILE.xlsx"
        )));
    }
    Ok(chosen)
}

/// Writes bytes to `--out`, or to the terminal.
/// Writes bytes to `--out` (owner-only, whole or not at all), or to the terminal with
/// escape sequences from data taken out.
pub(super) fn emit(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(path) => crate::private_file::write_atomic(path, |f| f.write_all(bytes))
            .map_err(|e| fail(crate::i18n::cannot_write(path, &e))),
        None => {
            let text = String::from_utf8_lossy(bytes);
            let clean = crate::printable::clean(&text);
            super::out_bytes(clean.as_bytes()).map_err(|e| fail(super::cannot_write_output(&e)))
        }
    }
}

pub(super) fn cannot_export(e: &dyn std::fmt::Display) -> Failure {
    fail(tr!("无法导出：{}", "cannot export: {}", e))
}

/// The workspace and the rules and settings in use: those of `--questionnaires DIR` where the
/// folder has them, else the bundled ones.
pub(super) fn reconciler(cli: &Cli) -> Result<(Workspace, Reconciler), Failure> {
    let ws = workspace(cli)?;
    let rec = ws.reconciler().map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.render(cli.lang)).collect();
        fail(tr!(
            "核查规则或设置有 {} 处错误（ruhu check 可列出）：\n{}",
            "the rules or settings have {} error(s) (ruhu check lists them):\n{}",
            lines.len(),
            lines.join("\n")
        ))
    })?;
    Ok((ws, rec))
}

pub(super) fn findings(cli: &Cli, args: &FindingsArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let format = output_format(args.format, args.out.as_deref())?;
    let (list, marks) = selected(cli, &args.filter)?;
    let list = &list;
    let opts = ExportOptions {
        lang,
        show_ids: cli.show_ids,
    };
    let bytes = findings_bytes(format, list, &marks, opts, args.filter.all)?;
    emit(args.out.as_deref(), &bytes)?;
    if let Some(path) = &args.out {
        say(
            cli,
            tr!(
                "已写出 {} 条核查结果到 {}",
                "wrote {} finding(s) to {}",
                list.len(),
                path.display()
            )
            .get(lang),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The findings in one of the formats of `ruhu findings`.
pub(super) fn findings_bytes(
    format: OutputFormat,
    list: &[Finding],
    marks: &Marks,
    opts: ExportOptions,
    all: bool,
) -> Result<Vec<u8>, Failure> {
    Ok(match format {
        OutputFormat::Json => {
            let v = findings_json(list, marks, opts.show_ids);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        OutputFormat::Csv => {
            let mut buf = Vec::new();
            export::write_findings_csv(list, marks, opts, &mut buf)
                .map_err(|e| cannot_export(&e))?;
            buf
        }
        OutputFormat::Xlsx => {
            export::write_findings_xlsx(list, marks, opts).map_err(|e| cannot_export(&e))?
        }
        OutputFormat::Table => table(list, marks, opts, all).into_bytes(),
    })
}

/// The findings as columns measured in terminal cells, with a count by kind at the end.
fn table(list: &[Finding], marks: &Marks, opts: ExportOptions, all: bool) -> String {
    let lang = opts.lang;
    let t = |zh: &str, en: &str| Text::new(zh, en).get(lang).to_string();
    let mut columns: Vec<(String, usize)> = vec![
        (t("编号", "id"), 12),
        (t("户编号", "household"), 18),
        (t("村", "village"), 12),
        (t("类别", "kind"), 16),
        (t("级别", "severity"), 8),
    ];
    if all {
        columns.push((t("调查", "interview"), 11));
    }
    columns.extend([
        (t("核查", "mark"), 9),
        (t("规则", "rule"), 31),
        (t("说明", "message"), 46),
    ]);
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        for (cell, (_, w)) in cells.iter().zip(&columns) {
            out.push_str(&pad(cell, *w));
            out.push(' ');
        }
        out.push_str(cells.last().map_or("", String::as_str));
        out.push('\n');
    };
    let mut head: Vec<String> = columns.iter().map(|(h, _)| h.clone()).collect();
    head.push(t("依据", "evidence"));
    line(&head, &mut out);
    let rule_width: usize = columns.iter().map(|(_, w)| w + 1).sum::<usize>() + 8;
    out.push_str(&"─".repeat(rule_width));
    out.push('\n');
    for f in list {
        let mark = marks.get(&f.key());
        let mut cells = vec![
            f.short_id(),
            f.household_id.clone(),
            f.village.clone(),
            f.kind.label().get(lang).to_string(),
            f.severity.label().get(lang).to_string(),
        ];
        if all {
            cells.push(interview_status(f.in_progress).get(lang).to_string());
        }
        let message = match &f.visits {
            Some(v) => format!("{}（{}）", f.message.get(lang), v.text().get(lang)),
            None => f.message.get(lang).to_string(),
        };
        cells.extend([
            mark.map(|m| m.status.label().get(lang).to_string())
                .unwrap_or_else(|| "-".to_string()),
            f.rule.clone(),
            message,
            match mark.filter(|m| !m.comment.is_empty()) {
                Some(m) => format!(
                    "{}  [{}：{}]",
                    evidence_text(f, opts),
                    m.status.label().get(lang),
                    if opts.show_ids {
                        m.comment.clone()
                    } else {
                        crate::redact::mask_ids(&m.comment)
                    }
                ),
                None => evidence_text(f, opts),
            },
        ]);
        line(&cells, &mut out);
    }
    out.push_str(&summary(list, lang));
    out.push('\n');
    out
}

/// `共 5 条问题（错退 2，漏评 1，…）；提示 3 条`.
fn summary(list: &[Finding], lang: Lang) -> String {
    if list.is_empty() {
        return tr!("没有核查结果", "no findings").get(lang).to_string();
    }
    let mut by_kind: BTreeMap<FindingKind, usize> = BTreeMap::new();
    let mut warnings = 0;
    for f in list {
        if f.severity == Severity::Warning {
            warnings += 1;
        } else {
            *by_kind.entry(f.kind).or_default() += 1;
        }
    }
    let parts: Vec<String> = by_kind
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label().get(lang)))
        .collect();
    let findings = list.len() - warnings;
    match lang {
        Lang::Zh => {
            let detail = if parts.is_empty() {
                String::new()
            } else {
                format!("（{}）", parts.join("，"))
            };
            format!("共 {findings} 条问题{detail}；提示 {warnings} 条")
        }
        Lang::En => {
            let detail = if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join(", "))
            };
            format!("{findings} finding(s){detail}; {warnings} warning(s)")
        }
    }
}
