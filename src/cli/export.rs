//! `ruhu export answers` and `ruhu export findings`: tables for analysis. Answers as one
//! table of interviews, one per roster and a codebook (CSV files side by side, one XLSX
//! workbook, or Parquet files); findings as CSV, XLSX, JSON or Parquet. Every file is written
//! owner-only, whole or not at all: all files of an export are written first and only then put
//! in place, so a failed export leaves no half file and the previous files as they were.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::findings::{FindingsFilter, OutputFormat, cannot_export, findings_bytes, selected};
use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::interview::Status;
use crate::private_file::AtomicFile;
use crate::reconcile::export::ExportOptions;
use crate::tables::{AnswersBuilder, Table, TableOptions, codebook};
use crate::tr;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// All answers as tables for analysis: one row per interview with a column per question,
    /// the roster rows in a second table, and a codebook (FILE.csv|xlsx|parquet).
    Answers(AnswersArgs),
    /// The findings (the filters of `ruhu findings`) as FILE.csv|xlsx|json|parquet.
    Findings(FindingsExportArgs),
}

#[derive(Args, Debug)]
pub struct AnswersArgs {
    /// FILE.csv (with FILE.members.csv and FILE.codebook.csv beside it), FILE.xlsx (a sheet
    /// each) or FILE.parquet (with FILE.members.parquet and FILE.codebook.parquet).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only interviews of this status (repeat for several; default: all).
    #[arg(long, value_enum)]
    pub status: Vec<StatusArg>,
    /// Only interviews of this village (行政村 as the interview recorded it, exact name).
    #[arg(long)]
    pub village: Option<String>,
    /// Which interviews: the household visits (the four household questionnaires), or the
    /// cadre talks (a table of their own: their questions are not the households').
    #[arg(long, value_enum, default_value = "household")]
    pub of: Of,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The interviews one answers table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Of {
    Household,
    Cadre,
}

impl Of {
    fn holds(self, kind: crate::questionnaire::Kind) -> bool {
        match self {
            Of::Household => kind.is_household(),
            Of::Cadre => kind == crate::questionnaire::Kind::Cadre,
        }
    }
}

#[derive(Args, Debug)]
pub struct FindingsExportArgs {
    /// FILE.csv, FILE.xlsx, FILE.json or FILE.parquet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub filter: FindingsFilter,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// An interview status as `--status` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    #[value(name = "in_progress")]
    InProgress,
    Completed,
    Approved,
    Returned,
}

impl StatusArg {
    fn status(self) -> Status {
        match self {
            StatusArg::InProgress => Status::InProgress,
            StatusArg::Completed => Status::Completed,
            StatusArg::Approved => Status::Approved,
            StatusArg::Returned => Status::Returned,
        }
    }
}

/// The file format of a table export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TableFormat {
    Csv,
    Xlsx,
    Parquet,
    Json,
}

impl TableFormat {
    fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
            TableFormat::Parquet => "parquet",
            TableFormat::Json => "json",
        }
    }
}

/// The format `out`'s extension names, among `allowed`; anything else is refused naming the
/// file and the formats.
pub(super) fn table_format(out: &Path, allowed: &[TableFormat]) -> Result<TableFormat, Failure> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if let Some(f) = allowed
        .iter()
        .find(|f| ext.as_deref() == Some(f.extension()))
    {
        return Ok(*f);
    }
    let names: Vec<String> = allowed
        .iter()
        .map(|f| format!(".{}", f.extension()))
        .collect();
    Err(fail(crate::i18n::Text::new(
        format!(
            "不知道以什么格式写 {}：文件名请以 {} 结尾（.xls 和 .ods 不支持）",
            out.display(),
            names.join("、")
        ),
        format!(
            "cannot tell which format to write {} in: end the file name with {} (.xls and .ods are not supported)",
            out.display(),
            names.join(", ")
        ),
    )))
}

/// `FILE.members.csv` beside `FILE.csv`: the file of table `name`.
pub(super) fn sibling(out: &Path, name: &str) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!("{stem}.{name}.{ext}"))
}

/// A file written: where, which table (or tables), how many rows.
pub(super) struct Written {
    pub path: PathBuf,
    pub table: String,
    pub rows: usize,
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> Failure {
    fail(tr!(
        "无法写出 {}：{}",
        "cannot write {}: {}",
        path.display(),
        e
    ))
}

/// What fills one file of an export.
pub(super) type Fill<'a> = Box<dyn FnOnce(&mut AtomicFile) -> Result<(), String> + 'a>;

/// Writes `files` (path and what fills it) each to a temporary file, and only when all are
/// written puts them in place.
pub(super) fn write_all(files: Vec<(PathBuf, Fill<'_>)>) -> Result<(), Failure> {
    // A target that is a folder would fail at its rename, after others were put in place.
    if let Some((path, _)) = files.iter().find(|(p, _)| p.is_dir()) {
        return Err(fail(tr!(
            "无法写出 {}：这是一个文件夹",
            "cannot write {}: it is a folder",
            path.display()
        )));
    }
    let mut done = Vec::with_capacity(files.len());
    for (path, fill) in files {
        let mut f =
            AtomicFile::create(&path).map_err(|e| fail(crate::i18n::cannot_write(&path, &e)))?;
        fill(&mut f).map_err(|e| write_error(&path, &e))?;
        f.flush()
            .map_err(|e| fail(crate::i18n::cannot_write(&path, &e)))?;
        done.push((path, f));
    }
    for (path, f) in done {
        f.commit()
            .map_err(|e| fail(crate::i18n::cannot_write(&path, &e)))?;
    }
    Ok(())
}

/// Writes tables as `format` at `out`: one workbook for XLSX, else the first table at `out`
/// and each other beside it (`FILE.<table>.<ext>`).
pub(super) fn write_tables(
    out: &Path,
    format: TableFormat,
    tables: &[&Table],
    lang: crate::i18n::Lang,
) -> Result<Vec<Written>, Failure> {
    let mut written = Vec::new();
    let mut files: Vec<(PathBuf, Fill<'static>)> = Vec::new();
    match format {
        TableFormat::Xlsx => {
            let bytes = crate::tables::xlsx::write_xlsx(tables.iter().copied(), lang)
                .map_err(|e| cannot_export(&e))?;
            for t in tables {
                written.push(Written {
                    path: out.to_path_buf(),
                    table: t.name.clone(),
                    rows: t.rows(),
                });
            }
            files.push((
                out.to_path_buf(),
                Box::new(move |f| f.write_all(&bytes).map_err(|e| e.to_string())),
            ));
        }
        TableFormat::Csv | TableFormat::Parquet | TableFormat::Json => {
            for (i, t) in tables.iter().enumerate() {
                let path = if i == 0 {
                    out.to_path_buf()
                } else {
                    sibling(out, &t.name)
                };
                written.push(Written {
                    path: path.clone(),
                    table: t.name.clone(),
                    rows: t.rows(),
                });
                let t: &Table = t;
                let t = t.clone();
                files.push((
                    path,
                    Box::new(move |f| match format {
                        TableFormat::Parquet => {
                            crate::tables::parquet::write_parquet(&t, f).map_err(|e| e.to_string())
                        }
                        _ => crate::tables::csv::write_csv(&t, lang, f).map_err(|e| e.to_string()),
                    }),
                ));
            }
        }
    }
    write_all(files)?;
    Ok(written)
}

pub(super) fn run(cli: &Cli, command: &ExportCommand) -> Result<ExitCode, Failure> {
    match command {
        ExportCommand::Answers(args) => answers(cli, args),
        ExportCommand::Findings(args) => findings(cli, args),
    }
}

pub(super) fn report(cli: &Cli, format: Format, written: &[Written], extra: serde_json::Value) {
    match format {
        Format::Json => {
            let files: Vec<_> = written
                .iter()
                .map(|w| json!({"path": w.path, "table": w.table, "rows": w.rows}))
                .collect();
            let mut v = json!({ "files": files });
            if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
                for (k, x) in e {
                    o.insert(k.clone(), x.clone());
                }
            }
            print_json(cli, &v);
        }
        Format::Text => {
            for w in written {
                say(
                    cli,
                    tr!(
                        "已写出 {}：{} 行（{}）",
                        "wrote {}: {} row(s) ({})",
                        w.path.display(),
                        w.rows,
                        w.table
                    )
                    .get(cli.lang),
                );
            }
        }
    }
}

fn answers(cli: &Cli, args: &AnswersArgs) -> Result<ExitCode, Failure> {
    let format = table_format(
        &args.out,
        &[TableFormat::Csv, TableFormat::Xlsx, TableFormat::Parquet],
    )?;
    let ws = workspace(cli)?;
    let forms: Vec<_> = ws
        .forms
        .all()
        .into_iter()
        .filter(|f| args.of.holds(f.kind))
        .collect();
    let ids: Vec<&str> = forms.iter().map(|f| f.id.as_str()).collect();
    let statuses: Vec<Status> = args.status.iter().map(|s| s.status()).collect();
    let mut builder = AnswersBuilder::new(
        &forms,
        TableOptions {
            show_ids: cli.show_ids,
        },
        1024,
    );
    let village = args.village.as_deref();
    let interviews = builder.fill(ws.interview_results(), |r| {
        ids.contains(&r.questionnaire.as_str())
            && (statuses.is_empty() || statuses.contains(&r.status))
            && village.is_none_or(|v| {
                r.result
                    .get("answers")
                    .and_then(|a| a.get("village"))
                    .and_then(|x| x.as_str())
                    == Some(v)
            })
    })?;
    let tables = builder.finish();
    let book = codebook(tables.tables());
    let mut all: Vec<&Table> = tables.tables().collect();
    all.push(&book);
    let written = write_tables(&args.out, format, &all, cli.lang)?;
    report(
        cli,
        args.format,
        &written,
        json!({ "interviews": interviews }),
    );
    Ok(ExitCode::SUCCESS)
}

fn findings(cli: &Cli, args: &FindingsExportArgs) -> Result<ExitCode, Failure> {
    let format = table_format(
        &args.out,
        &[
            TableFormat::Csv,
            TableFormat::Xlsx,
            TableFormat::Json,
            TableFormat::Parquet,
        ],
    )?;
    let (list, marks) = selected(cli, &args.filter)?;
    let opts = ExportOptions {
        lang: cli.lang,
        show_ids: cli.show_ids,
    };
    let written = match format {
        TableFormat::Parquet => {
            let table = crate::tables::findings::findings_table(&list, &marks, opts);
            write_tables(&args.out, format, &[&table], cli.lang)?
        }
        other => {
            let output = match other {
                TableFormat::Csv => OutputFormat::Csv,
                TableFormat::Xlsx => OutputFormat::Xlsx,
                _ => OutputFormat::Json,
            };
            let bytes = findings_bytes(output, &list, &marks, opts, args.filter.all)?;
            write_all(vec![(
                args.out.clone(),
                Box::new(move |f: &mut AtomicFile| f.write_all(&bytes).map_err(|e| e.to_string())),
            )])?;
            vec![Written {
                path: args.out.clone(),
                table: crate::tables::findings::FINDINGS.to_string(),
                rows: list.len(),
            }]
        }
    };
    report(cli, args.format, &written, json!({}));
    Ok(ExitCode::SUCCESS)
}
