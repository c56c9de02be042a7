//! `ruhu registry import | import-members | import-villages | list | villages`: the registry
//! (建档立卡) from county exports into the data folder, and what is stored.
//!
//! Exit codes of the imports: 0 every row went in, 3 some rows were rejected (listed, and
//! written with their reason to the rejects file), 1 the file (or the data folder) could not
//! be read. Reasons are in the `--lang` language, in the JSON output too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value as Json, json};

use super::{Cli, Failure, Format, fail, print_json, shown, workspace};
use crate::i18n::{Lang, Text};
use crate::registry::encoding::EncodingChoice;
use crate::registry::table::Format as TableFormat;
use crate::registry::{Household, ImportOptions, Phase, Summary, rejects};
use crate::session::{Imported, RegistryFile};
use crate::tr;
use crate::tui::text::{pad, width};

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Import a household file (CSV in UTF-8 or GBK, or XLSX); columns by header (README).
    Import(ImportArgs),
    /// Import a members file (户编号, 姓名, 证件号码, 与户主关系, 性别, 年龄).
    ImportMembers(ImportArgs),
    /// Import a village file (县, 乡镇, 行政村, 村属性, 是否边远).
    ImportVillages(ImportArgs),
    /// List stored households.
    List {
        /// Only the households of this village (行政村).
        #[arg(long, value_name = "VILLAGE")]
        village: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List villages: attributes, households and people by status, village groups.
    Villages {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the registry's households and members in the columns `registry import` and
    /// `import-members` read: FILE.csv|xlsx with FILE.members.csv|xlsx beside it, or
    /// FILE.parquet with FILE.members.parquet (English column names, typed) for analysis.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file: .csv (or tab-separated .txt) or .xlsx (first worksheet).
    pub file: PathBuf,
    /// Text encoding of a CSV file (default: detected).
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: EncodingArg,
    /// Import nothing if any row is bad.
    #[arg(long)]
    pub strict: bool,
    /// Where to write rejected rows (default: <name>.rejects.csv beside the file).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "gbk", alias = "gb18030", alias = "gb2312")]
    Gbk,
}

impl From<EncodingArg> for EncodingChoice {
    fn from(e: EncodingArg) -> Self {
        match e {
            EncodingArg::Auto => EncodingChoice::Auto,
            EncodingArg::Utf8 => EncodingChoice::Utf8,
            EncodingArg::Gbk => EncodingChoice::Gbk,
        }
    }
}

pub(super) fn run(cli: &Cli, command: &RegistryCommand) -> Result<ExitCode, Failure> {
    match command {
        RegistryCommand::Import(args) => import(cli, args, Kind::Households),
        RegistryCommand::ImportMembers(args) => import(cli, args, Kind::Members),
        RegistryCommand::ImportVillages(args) => import(cli, args, Kind::Villages),
        RegistryCommand::List { village, format } => list(cli, village.as_deref(), *format),
        RegistryCommand::Villages { format } => villages(cli, *format),
        RegistryCommand::Export { out, format } => export(cli, out, *format),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Households,
    Members,
    Villages,
}

/// The progress bar of a long import (drawn only when stderr is a terminal).
struct Bar {
    bar: ProgressBar,
    phase: Option<Phase>,
    lang: Lang,
    bytes: bool,
}

impl Bar {
    fn new(lang: Lang, bytes: bool) -> Bar {
        Bar {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            phase: None,
            lang,
            bytes,
        }
    }

    fn update(&mut self, phase: Phase, done: u64, total: u64) {
        if self.phase != Some(phase) {
            self.phase = Some(phase);
            let unit = if self.bytes {
                "{bytes}/{total_bytes}"
            } else {
                "{pos}/{len}"
            };
            let template = format!("{{msg}} [{{bar:40}}] {{percent:>3}}% {unit} {{eta}}");
            if let Ok(style) = ProgressStyle::with_template(&template) {
                self.bar.set_style(style.progress_chars("=> "));
            }
            let msg = match phase {
                Phase::Checking => tr!("检查", "checking"),
                Phase::Importing => tr!("导入", "importing"),
            };
            self.bar.set_message(msg.get(self.lang).to_string());
            self.bar.reset();
        }
        self.bar.set_length(total);
        self.bar.set_position(done.min(total));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn import(cli: &Cli, args: &ImportArgs, kind: Kind) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let path = &args.file;
    if let Err(e) = std::fs::metadata(path).and_then(|m| {
        if m.is_file() {
            Ok(())
        } else {
            Err(std::io::Error::other("not a file"))
        }
    }) {
        return Err(fail(tr!(
            "无法读取 {}：{}",
            "cannot read {}: {}",
            path.display(),
            e
        )));
    }
    let default_rejects = rejects::default_path(path);
    if let Some(r) = &args.rejects
        && same_file(r, path)
    {
        return Err(fail(tr!(
            "--rejects 不能是要导入的文件本身：{}",
            "--rejects cannot be the file being imported: {}",
            r.display()
        )));
    }
    let opts = ImportOptions {
        encoding: args.encoding.into(),
        strict: args.strict,
        today: chrono::Local::now().date_naive(),
        rejects_file: Some(
            args.rejects
                .clone()
                .unwrap_or_else(|| default_rejects.clone()),
        ),
        lang,
    };
    let ws = workspace(cli)?;
    let mut bar = Bar::new(lang, TableFormat::of(path) == TableFormat::Csv);
    let mut progress = |phase: Phase, done: u64, total: u64| bar.update(phase, done, total);
    let file = match kind {
        Kind::Households => RegistryFile::Households,
        Kind::Members => RegistryFile::Members,
        Kind::Villages => RegistryFile::Villages,
    };
    let result = ws.import_registry(file, path, &opts, &mut progress)?;
    ws.settle()?;
    bar.finish();
    let Imported {
        summary,
        households_updated,
    } = result.map_err(fail)?;
    // A rejects file left from an earlier run of the same file would mislead.
    let mut removed_stale = false;
    if summary.rejects_file.is_none() && args.rejects.is_none() && default_rejects.is_file() {
        removed_stale = std::fs::remove_file(&default_rejects).is_ok();
    }
    match args.format {
        Format::Json => print_json(
            cli,
            &summary_json(path, &summary, kind, households_updated, args.strict, lang),
        ),
        Format::Text => print_summary(
            cli,
            path,
            &summary,
            kind,
            households_updated,
            removed_stale.then_some(default_rejects.as_path()),
            lang,
        ),
    }
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn format_name(summary: &Summary) -> (&'static str, Option<&'static str>) {
    match &summary.table {
        Some(t) => (
            match t.format {
                TableFormat::Csv => "csv",
                TableFormat::Xlsx => "xlsx",
            },
            t.encoding.map(|e| e.name()),
        ),
        None => ("csv", None),
    }
}

/// The JSON summary (docs/cli.md).
fn summary_json(
    path: &Path,
    s: &Summary,
    kind: Kind,
    households_updated: Option<u64>,
    strict: bool,
    lang: Lang,
) -> Json {
    let (format, encoding) = format_name(s);
    let mut v = json!({
        "file": path,
        "format": format,
        "encoding": encoding,
        "header_line": s.header_line,
        "rows": s.rows,
        "added": s.added,
        "changed": s.changed,
        "unchanged": s.unchanged,
        "rejected": s.rejected.iter().map(|r| json!({
            "line": r.line,
            "reason": r.reason.get(lang),
        })).collect::<Vec<_>>(),
        "ignored_columns": s.ignored_columns,
        "notices": s.notices.iter().map(|n| n.get(lang)).collect::<Vec<_>>(),
        "rejects_file": s.rejects_file,
        "strict": strict,
        "imported": s.imported,
    });
    if kind == Kind::Members {
        v["members"] = json!(s.members);
    }
    if let Some(n) = households_updated {
        v["households_updated"] = json!(n);
    }
    v
}

/// How many rejected rows the text output lists (all are in the rejects file).
const SHOW_REJECTS: usize = 50;

fn print_summary(
    cli: &Cli,
    path: &Path,
    s: &Summary,
    kind: Kind,
    households_updated: Option<u64>,
    removed_stale: Option<&Path>,
    lang: Lang,
) {
    let (format, encoding) = format_name(s);
    let what = match encoding {
        Some(e) => format!("{format}, {e}"),
        None => format.to_string(),
    };
    let unit = match kind {
        Kind::Households | Kind::Members => tr!(" 户", " households"),
        Kind::Villages => tr!(" 个村", " villages"),
    };
    let unit = unit.get(lang);
    let mut out = Vec::new();
    out.push(
        tr!(
            "{}（{}）：读取 {} 行",
            "{} ({}): {} rows read",
            path.display(),
            what,
            s.rows
        )
        .get(lang)
        .to_string(),
    );
    for n in &s.notices {
        out.push(n.get(lang).to_string());
    }
    if !s.ignored_columns.is_empty() {
        let list = s.ignored_columns.join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        });
        out.push(
            tr!("忽略的列：{}", "columns ignored: {}", list)
                .get(lang)
                .to_string(),
        );
    }
    if s.imported {
        let line = match lang {
            Lang::Zh => format!(
                "新增 {}{unit}，更新 {}{unit}，未变 {}{unit}，拒绝 {} 行",
                s.added,
                s.changed,
                s.unchanged,
                s.rejected.len()
            ),
            Lang::En => format!(
                "added {}{unit}, changed {}{unit}, unchanged {}{unit}, {} rows rejected",
                s.added,
                s.changed,
                s.unchanged,
                s.rejected.len()
            ),
        };
        out.push(line);
        if kind == Kind::Members {
            out.push(
                tr!("导入成员 {} 人", "{} members imported", s.members)
                    .get(lang)
                    .to_string(),
            );
        }
        if let Some(n) = households_updated {
            out.push(
                tr!(
                    "按村属性更新了 {} 户",
                    "{} households updated with the village attributes",
                    n
                )
                .get(lang)
                .to_string(),
            );
        }
    } else {
        out.push(
            tr!(
                "--strict：有 {} 行有错误，什么都没有导入",
                "--strict: {} rows are bad, nothing was imported",
                s.rejected.len()
            )
            .get(lang)
            .to_string(),
        );
    }
    for r in s.rejected.iter().take(SHOW_REJECTS) {
        out.push(
            Text::new(
                format!("  第 {} 行：{}", r.line, r.reason.zh),
                format!("  line {}: {}", r.line, r.reason.en),
            )
            .get(lang)
            .to_string(),
        );
    }
    if s.rejected.len() > SHOW_REJECTS {
        out.push(
            tr!(
                "  ……另有 {} 行",
                "  ... and {} more",
                s.rejected.len() - SHOW_REJECTS
            )
            .get(lang)
            .to_string(),
        );
    }
    if let Some(f) = &s.rejects_file {
        out.push(
            tr!(
                "被拒绝的行及原因已写入 {}",
                "rejected rows with their reasons are in {}",
                f.display()
            )
            .get(lang)
            .to_string(),
        );
    }
    if let Some(f) = removed_stale {
        out.push(
            tr!(
                "已删除上次留下的 {}",
                "removed {} left by an earlier import",
                f.display()
            )
            .get(lang)
            .to_string(),
        );
    }
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for line in out {
        if writeln!(w, "{}", shown(cli, &line)).is_err() {
            return;
        }
    }
}

fn list(cli: &Cli, village: Option<&str>, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let keep = |h: &Household| village.is_none_or(|v| h.village == v);
    // Output errors (a closed pipe) end the listing quietly.
    match format {
        Format::Json => {
            // JSON escapes control characters itself; ID numbers are masked in the record.
            let mut write = |s: &str| w.write_all(s.as_bytes()).is_ok();
            let mut first = true;
            write("[");
            for h in ws.households() {
                let h = h?;
                if !keep(&h) {
                    continue;
                }
                let mut h = h;
                if !cli.show_ids {
                    h.mask_ids();
                }
                let text = serde_json::to_string(&h).unwrap_or_default();
                let sep = if first { "\n" } else { ",\n" };
                first = false;
                if !(write(sep) && write(&text)) {
                    return Ok(ExitCode::SUCCESS);
                }
            }
            write("\n]\n");
        }
        Format::Text => {
            let mut write = |s: &str| w.write_all(shown(cli, s).as_bytes()).is_ok();
            let columns: [(Text, usize); 8] = [
                (tr!("户编号", "household id"), 18),
                (tr!("户主", "head"), 8),
                (tr!("状态", "status"), 8),
                (tr!("人口", "size"), 4),
                (tr!("人均纯收入", "income"), 10),
                (tr!("乡镇", "township"), 10),
                (tr!("行政村", "village"), 10),
                (tr!("村民小组", "group"), 8),
            ];
            let head: Vec<String> = columns.iter().map(|(t, w)| pad(t.get(lang), *w)).collect();
            write(head.join(" ").trim_end());
            write("\n");
            let mut n = 0u64;
            for h in ws.households() {
                let h = h?;
                if !keep(&h) {
                    continue;
                }
                n += 1;
                let size = h.household_size.map(|s| s.to_string()).unwrap_or_default();
                let income = h
                    .income_per_capita
                    .map(crate::registry::number_text)
                    .unwrap_or_default();
                let status = h.status.label();
                let cells = [
                    h.household_id.as_str(),
                    &h.head_name,
                    status.get(lang),
                    &size,
                    &income,
                    &h.township,
                    &h.village,
                    &h.village_group,
                ];
                let line: Vec<String> = cells
                    .iter()
                    .zip(&columns)
                    .map(|(c, (_, w))| pad(c, (*w).max(width_floor(c, *w))))
                    .collect();
                let line = line.join(" ");
                if !(write(line.trim_end()) && write("\n")) {
                    return Ok(ExitCode::SUCCESS);
                }
            }
            write(tr!("共 {} 户\n", "{} households\n", n).get(lang));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Household ids are never cut: a longer id widens its cell.
fn width_floor(cell: &str, w: usize) -> usize {
    if cell.is_ascii() { width(cell) } else { w }
}

fn villages(cli: &Cli, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let all = ws.villages()?;
    match format {
        Format::Json => print_json(cli, &serde_json::to_value(&all).unwrap_or_default()),
        Format::Text => {
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            for v in &all {
                let kind = match v.village_type {
                    Some(crate::registry::VillageType::Poor) => tr!("贫困村", "poor village"),
                    Some(crate::registry::VillageType::NonPoor) => {
                        tr!("非贫困村", "non-poor village")
                    }
                    Some(crate::registry::VillageType::Exited) => {
                        tr!("已出列贫困村", "exited poor village")
                    }
                    None => tr!("村属性未知", "village type unknown"),
                };
                let remote = if v.remote {
                    tr!("，边远", ", remote")
                } else {
                    Text::default()
                };
                let line = match lang {
                    Lang::Zh => format!(
                        "{}{}{}  {}{}  {} 户，未脱贫 {} 人，返贫 {} 人，已脱贫 {} 人",
                        v.county,
                        v.township,
                        v.village,
                        kind.zh,
                        remote.zh,
                        v.households(),
                        v.counts.poor.people,
                        v.counts.returned.people,
                        v.counts.exited.people
                    ),
                    Lang::En => format!(
                        "{} {} {}  {}{}  {} households, poor {} people, returned {}, exited {}",
                        v.county,
                        v.township,
                        v.village,
                        kind.en,
                        remote.en,
                        v.households(),
                        v.counts.poor.people,
                        v.counts.returned.people,
                        v.counts.exited.people
                    ),
                };
                if writeln!(w, "{}", shown(cli, &line)).is_err() {
                    break;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ruhu registry export`: the households (not those entered on a census visit, which the
/// registry does not know) and their members, in id order, ID numbers masked unless
/// `--show-ids` (a masked export does not import again).
fn export(cli: &Cli, out: &Path, format: Format) -> Result<ExitCode, Failure> {
    use super::export::{Fill, TableFormat, Written, sibling, table_format, write_all};
    use crate::registry::export as reg;
    use std::cell::{Cell, RefCell};

    let kind = table_format(
        out,
        &[TableFormat::Csv, TableFormat::Xlsx, TableFormat::Parquet],
    )?;
    let ws = workspace(cli)?;
    let failed: RefCell<Option<crate::store::StoreError>> = RefCell::new(None);
    let (households, members) = (Cell::new(0usize), Cell::new(0usize));
    let show_ids = cli.show_ids;
    // Every pass reads the households afresh; the first one counts them.
    let (households_seen, members_seen, failed_at) = (&households, &members, &failed);
    let pass = |count: bool| {
        ws.households().filter_map(move |r| match r {
            Ok(mut h) if !h.provisional => {
                if count {
                    households_seen.set(households_seen.get() + 1);
                    members_seen.set(members_seen.get() + h.members.len());
                }
                if !show_ids {
                    h.mask_ids();
                }
                Some(h)
            }
            Ok(_) => None,
            Err(e) => {
                failed_at.borrow_mut().get_or_insert(e);
                None
            }
        })
    };
    let members_path = sibling(out, "members");
    let files: Vec<(PathBuf, Fill<'_>)> = match kind {
        TableFormat::Xlsx => vec![
            (
                out.to_path_buf(),
                Box::new(|f| {
                    let bytes =
                        reg::write_households_xlsx(pass(true)).map_err(|e| e.to_string())?;
                    f.write_all(&bytes).map_err(|e| e.to_string())
                }),
            ),
            (
                members_path.clone(),
                Box::new(|f| {
                    let bytes = reg::write_members_xlsx(pass(false)).map_err(|e| e.to_string())?;
                    f.write_all(&bytes).map_err(|e| e.to_string())
                }),
            ),
        ],
        TableFormat::Parquet => vec![
            (
                out.to_path_buf(),
                Box::new(|f| {
                    let t = reg::households_table(pass(true));
                    crate::tables::parquet::write_parquet(&t, f).map_err(|e| e.to_string())
                }),
            ),
            (
                members_path.clone(),
                Box::new(|f| {
                    let t = reg::members_table(pass(false));
                    crate::tables::parquet::write_parquet(&t, f).map_err(|e| e.to_string())
                }),
            ),
        ],
        _ => vec![
            (
                out.to_path_buf(),
                Box::new(|f| crate::demo::write_csv(pass(true), f).map_err(|e| e.to_string())),
            ),
            (
                members_path.clone(),
                Box::new(|f| {
                    crate::demo::write_members_csv(pass(false), f).map_err(|e| e.to_string())
                }),
            ),
        ],
    };
    // A store that failed to read on the way leaves no file.
    let checked: Vec<(PathBuf, Fill<'_>)> = files
        .into_iter()
        .map(|(path, fill)| {
            let failed = &failed;
            let fill: Fill<'_> = Box::new(move |f| {
                fill(f)?;
                match failed.borrow().as_ref() {
                    Some(e) => Err(e.to_string()),
                    None => Ok(()),
                }
            });
            (path, fill)
        })
        .collect();
    write_all(checked)?;
    let written = [
        Written {
            path: out.to_path_buf(),
            table: "households".into(),
            rows: households.get(),
        },
        Written {
            path: members_path,
            table: "members".into(),
            rows: members.get(),
        },
    ];
    super::export::report(cli, format, &written, serde_json::json!({}));
    Ok(ExitCode::SUCCESS)
}
