//! The command line: clap subcommands over the library; the terminal UI is the default.
//! Every command that prints a result takes `--format json` (fields documented in
//! docs/cli.md).

mod backup;
mod check;
mod coverage;
mod demo;
mod duplicates;
mod export;
mod findings;
mod interview;
mod mark;
mod projects;
mod rates;
mod registry;
mod report;
mod review;
mod sample;
mod sync;
mod talks;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::i18n::{Lang, Text};
use crate::session::{self, Forms, Workspace};
use crate::tr;

#[derive(Parser, Debug)]
#[command(
    name = "ruhu",
    version,
    about = "入户：脱贫攻坚成效考核入户调查演练与核查 / rehearse and check household interviews"
)]
pub struct Cli {
    /// Language of the interface and messages.
    #[arg(long, global = true, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Data folder (default: $RUHU_DATA, else the platform's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Use the questionnaires of this folder instead of the bundled ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub questionnaires: Option<PathBuf>,
    /// Interviewer's name recorded with each answer (default: $USER).
    #[arg(long, global = true, value_name = "NAME")]
    pub interviewer: Option<String>,
    /// The auditor's name recorded with each mark (kept on this laptop once given; default:
    /// the name kept, else asked on a terminal).
    #[arg(long, global = true, value_name = "NAME")]
    pub auditor: Option<String>,
    /// Show ID numbers in full (they are masked, `5323**********1234`, in every output
    /// otherwise: the terminal, JSON, exports, reject reasons).
    #[arg(long, global = true)]
    pub show_ids: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate questionnaires, reconciliation rules and settings (default: the bundled ones); exit 1 on any error.
    Check {
        /// Folder of questionnaire files, or one file.
        dir: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Load the demo registry of a fictional county (演示数据) and its project list, or write
    /// them as a registry CSV with projects.csv beside it.
    Demo {
        /// Number of households.
        #[arg(long, default_value_t = 300)]
        households: usize,
        /// Seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2017)]
        seed: u64,
        /// Write a registry CSV (UTF-8) instead of loading the data folder.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Also enter the demo county's cadre talks (completed, some with wrong answers), as
        /// the first screen's `d` does.
        #[arg(long, conflicts_with = "csv")]
        talks: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the whole store (households, interviews with their events, settings) to a
    /// plain JSON file.
    Backup {
        file: PathBuf,
        #[command(flatten)]
        encryption: backup::Encryption,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Check the store against its answer events: answers, results, index, counters, the
    /// copies kept for reconciliation, household blocks; exit 1 on a problem.
    Verify {
        /// Make again what can be made from the answer events, and say what cannot.
        #[arg(long)]
        repair: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Restore a backup (plain or encrypted) into an empty data folder: whole or not at all.
    Restore {
        file: PathBuf,
        /// The passphrase of an encrypted backup, in the first line of this file (else it is
        /// asked for on a terminal).
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Interviews without the screen: enter from a file, list, show.
    #[command(subcommand)]
    Interview(InterviewCommand),
    /// Draw the assessment's sample from the registry (per county 3 poor + 2 non-poor villages,
    /// households per village, returned and remote-group censuses), store it, export it.
    Sample(sample::SampleArgs),
    /// List possible wrong exits (错退), missed cases (漏评), wrong inclusions (错评), returned
    /// households (返贫) and mismatches (信息不符), with evidence and auditors' marks.
    Findings(findings::FindingsArgs),
    /// Wrong-exit, missed and wrong-inclusion rates (people), acceptance and satisfaction
    /// (households), per village, township or county.
    Rates(rates::RatesArgs),
    /// Mark a finding confirmed or dismissed with a comment, or clear its mark (every mark
    /// kept in a history); or read the marks an auditor filled in an exported sheet.
    Mark(mark::MarkArgs),
    /// The registry (建档立卡): import county exports (CSV in UTF-8 or GBK, XLSX) of
    /// households, members and villages; list what is stored.
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// The county's project list (脱贫攻坚与东西部扶贫协作项目): import it (CSV or XLSX, a
    /// beneficiaries file beside it), list it, show one project with its beneficiaries.
    #[command(subcommand)]
    Projects(projects::ProjectsCommand),
    /// Answer bundles between laptops: export, import, keys, conflicts and their resolution.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// How far the interviews have got with the sample, per village or interviewer.
    Coverage(coverage::CoverageArgs),
    /// The team lead's review of an interview: approve it, or return it with comments.
    #[command(subcommand)]
    Review(review::ReviewCommand),
    /// Tables for analysis: all answers (CSV, XLSX, Parquet with a codebook), findings.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Cadre talks (交流座谈) scored: per role and township the knowledge questions answered
    /// right, and the people to prepare again.
    Talks(talks::TalksArgs),
    /// A report to print or send: per county the rates as found and after review, charts by
    /// village, coverage of the sample, the findings with evidence and marks (one HTML file).
    Report(report::ReportArgs),
}

#[derive(Subcommand, Debug)]
pub enum InterviewCommand {
    /// Enter an interview from an answer file, through the same checks as the screen.
    Apply(ApplyArgs),
    /// List stored interviews.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Show one stored interview with its answers.
    Show {
        id: Uuid,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// Household id (户编号) of the registry. Not needed when the answer file is for a
    /// questionnaire about another subject (a cadre talk: `"questionnaire": "cadre"`).
    #[arg(long)]
    pub household: Option<String>,
    /// For a questionnaire about another subject than a household: the subject's id within
    /// its kind (a project id, a place); a person talked to gets a new id when it is not given.
    #[arg(long, value_name = "ID", conflicts_with_all = ["household", "new_household", "interview"])]
    pub subject: Option<String>,
    /// Change answers of this stored interview instead: only the answers the file gives
    /// change (rows by their `_row` id: a known row keeps its other answers).
    #[arg(long, conflicts_with_all = ["household", "new_household"])]
    pub interview: Option<Uuid>,
    /// Answer file: {"questionnaire": "exited", "answers": {...}, "rosters": {...}}.
    #[arg(long, value_name = "FILE")]
    pub answers: PathBuf,
    /// Complete the interview (exit 1 naming the missing required answers if it cannot be).
    #[arg(long)]
    pub complete: bool,
    /// A household the registry does not know (with --head and --village).
    #[arg(long, conflicts_with = "household", requires_all = ["head", "village"])]
    pub new_household: bool,
    #[arg(long)]
    pub head: Option<String>,
    #[arg(long)]
    pub village: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Output format of a command that prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A failure at the command line: the message in both languages and the exit code.
pub(crate) struct Failure {
    message: Text,
    code: u8,
}

impl<E: Into<session::SessionError>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            message: e.into().message(),
            code: 1,
        }
    }
}

pub(crate) fn fail(message: Text) -> Failure {
    Failure { message, code: 1 }
}

/// Runs the program; returns the process exit code.
pub fn main() -> ExitCode {
    crate::tune_allocator();
    crate::private_file::owner_only_umask();
    let cli = Cli::parse();
    let (lang, show_ids) = (cli.lang, cli.show_ids);
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("ruhu: {}", shown_as(show_ids, f.message.get(lang)));
            ExitCode::from(f.code)
        }
    }
}

/// Text as printed: characters that would act on the terminal (escape sequences in data)
/// replaced, ID numbers masked unless `--show-ids`.
pub(crate) fn shown(cli: &Cli, s: &str) -> String {
    shown_as(cli.show_ids, s)
}

fn shown_as(show_ids: bool, s: &str) -> String {
    let clean = crate::printable::clean(s);
    if show_ids {
        clean.into_owned()
    } else {
        crate::redact::mask_ids(&clean)
    }
}

/// Prints a line (see [`shown`]).
pub(crate) fn say(cli: &Cli, s: &str) {
    out_line(&shown(cli, s));
}

/// Set once standard output's reader has gone (`ruhu interview list | head`).
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes `bytes` to standard output. A reader that has gone ends the output quietly: nothing
/// more is written, and the command finishes as it would have (what it saved stays saved).
/// Any other output error is said once on standard error.
pub(crate) fn out_bytes(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut w = std::io::stdout().lock();
    match w.write_all(bytes).and_then(|()| w.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other,
    }
}

/// Writes a line to standard output (see [`out_bytes`]).
pub(crate) fn out_line(text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    out_text(&line);
}

/// Writes text as it is to standard output (see [`out_bytes`]).
pub(crate) fn out_text(text: &str) {
    if let Err(e) = out_bytes(text.as_bytes()) {
        STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
        let t = cannot_write_output(&e);
        eprintln!("ruhu: {} / {}", t.zh, t.en);
    }
}

/// Why standard output could not be written (a full disk under a redirect, say).
pub(crate) fn cannot_write_output(e: &std::io::Error) -> crate::i18n::Text {
    let why = crate::i18n::io_reason(e);
    crate::i18n::Text::new(
        format!("无法输出：{}", why.zh),
        format!("cannot write the output: {}", why.en),
    )
}

/// Prints a line to standard error (see [`shown`]).
pub(crate) fn warn(cli: &Cli, s: &str) {
    eprintln!("ruhu: {}", shown(cli, s));
}

/// A JSON result as printed: ID numbers in its texts masked unless `--show-ids` (control
/// characters are escaped by JSON itself).
pub(crate) fn json_shown(cli: &Cli, v: &Json) -> Json {
    if cli.show_ids {
        v.clone()
    } else {
        crate::redact::mask_json(v)
    }
}

/// Prints a JSON report that holds no data of households (`ruhu check`).
pub(crate) fn print_report(v: &Json) {
    out_line(&serde_json::to_string_pretty(v).unwrap_or_default());
}

/// Prints a JSON result (see [`json_shown`]).
pub(crate) fn print_json(cli: &Cli, v: &Json) {
    out_line(&serde_json::to_string_pretty(&json_shown(cli, v)).unwrap_or_default());
}

pub(crate) fn forms(cli: &Cli) -> Result<Forms, Failure> {
    Ok(match &cli.questionnaires {
        Some(d) => Forms::from_dir(d)?,
        None => Forms::bundled()?,
    })
}

pub(crate) fn workspace(cli: &Cli) -> Result<Workspace, Failure> {
    let dir = session::data_dir(cli.data.as_deref());
    let ws = Workspace::open(&dir, forms(cli)?)?;
    if let Some(u) = ws.unfinished()? {
        warn(
            cli,
            tr!(
                "上次的 ruhu {}（文件 {}，{} 开始）没有完成：数据文件夹里可能只有其中一部分；再导入一次该文件即可完成",
                "the last ruhu {} (file {}, begun {}) did not finish: the data folder may hold only part of it; import the same file again to finish it",
                u.operation,
                u.file,
                u.started_at
            )
            .get(cli.lang),
        );
    }
    if let Some(u) = ws.undid_import() {
        warn(
            cli,
            tr!(
                "上次导入答卷包 {}（{} 开始）没有完成（被中断），已撤销：数据文件夹和导入前一样；再导入一次该文件即可",
                "the last import of the bundle {} (begun {}) did not finish (it was interrupted) and was undone: the data folder is as it was before; import the file again",
                u.file,
                u.started_at
            )
            .get(cli.lang),
        );
    }
    if ws.undid_restore() {
        warn(
            cli,
            tr!(
                "上次恢复备份没有完成（被中断），已撤销：数据文件夹 {} 又是空的，可以重新恢复",
                "the last restore did not finish (it was interrupted) and was undone: the data folder {} is empty again and the backup can be restored anew",
                dir.display()
            )
            .get(cli.lang),
        );
    }
    if ws.is_read_only() {
        warn(
            cli,
            tr!(
                "注意：数据文件夹 {} 不能写入（只读或写保护），已以只读方式打开：可以查看和导出，不能保存更改",
                "note: the data folder {} cannot be written (read-only or write-protected); it was opened for reading: you can list and export, not change",
                dir.display()
            )
            .get(cli.lang),
        );
    }
    Ok(ws)
}

pub(crate) fn interviewer(cli: &Cli) -> String {
    cli.interviewer
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "调查员".to_string())
}
fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    match &cli.command {
        None => {
            let ws = workspace(&cli)?;
            if let Some(name) = cli
                .auditor
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                && !ws.is_read_only()
            {
                ws.set_auditor(name)?;
            }
            let app = crate::tui::App::new(ws, lang, interviewer(&cli))
                .with_show_ids(cli.show_ids)
                .with_auditor(cli.auditor.clone());
            let outcome = crate::tui::run(app)
                .map_err(|e| fail(tr!("终端错误：{}", "terminal error: {}", e)))?;
            match outcome.warning() {
                Some(w) => {
                    warn(&cli, w.get(lang));
                    Ok(ExitCode::FAILURE)
                }
                None => Ok(ExitCode::SUCCESS),
            }
        }
        Some(Command::Check { dir, format }) => Ok(check::check(
            dir.as_ref()
                .or(cli.questionnaires.as_ref())
                .map(PathBuf::as_path),
            *format,
            lang,
        )),
        Some(Command::Demo {
            households,
            seed,
            csv,
            talks,
            format,
        }) => demo::demo(&cli, *households, *seed, csv.as_deref(), *talks, *format),
        Some(Command::Backup {
            file,
            encryption,
            format,
        }) => backup::backup(&cli, file, encryption, *format),
        Some(Command::Restore {
            file,
            passphrase_file,
            format,
        }) => {
            let enc = backup::Encryption {
                passphrase_file: passphrase_file.clone(),
                encrypt: false,
            };
            backup::restore(&cli, file, &enc, *format)
        }
        Some(Command::Verify { repair, format }) => verify::verify(&cli, *repair, *format),
        Some(Command::Interview(InterviewCommand::Apply(args))) => interview::apply(&cli, args),
        Some(Command::Interview(InterviewCommand::List { format })) => {
            interview::list(&cli, *format)
        }
        Some(Command::Interview(InterviewCommand::Show { id, format })) => {
            interview::show(&cli, *id, *format)
        }
        Some(Command::Sample(args)) => sample::sample(&cli, args),
        Some(Command::Findings(args)) => findings::findings(&cli, args),
        Some(Command::Rates(args)) => rates::rates_command(&cli, args),
        Some(Command::Mark(args)) => mark::mark(&cli, args),
        Some(Command::Registry(command)) => registry::run(&cli, command),
        Some(Command::Projects(command)) => projects::run(&cli, command),
        Some(Command::Sync(command)) => sync::run(&cli, command),
        Some(Command::Review(command)) => review::run(&cli, command),
        Some(Command::Coverage(args)) => coverage::coverage(&cli, args),
        Some(Command::Export(command)) => export::run(&cli, command),
        Some(Command::Report(args)) => report::report(&cli, args),
        Some(Command::Talks(args)) => talks::talks(&cli, args),
    }
}
