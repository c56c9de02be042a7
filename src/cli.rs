//! The command line: clap subcommands over the library; the terminal UI is the default.
//! Every command that prints a result takes `--format json` (fields documented in
//! docs/cli.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::i18n::{Lang, Text};
use crate::interview::{Answers, InterviewRecord};
use crate::questionnaire::{self, LoadReport, QuestionType};
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
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate questionnaires (default: the bundled ones); exit 1 on any error.
    Check {
        /// Folder of questionnaire files, or one file.
        dir: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Load the demo registry of a fictional county (演示数据), or write it as a registry CSV.
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
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Interviews without the screen: enter from a file, list, show.
    #[command(subcommand)]
    Interview(InterviewCommand),
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
    /// Household id (户编号) of the registry.
    #[arg(long, required_unless_present = "new_household")]
    household: Option<String>,
    /// Answer file: {"questionnaire": "exited", "answers": {...}, "rosters": {...}}.
    #[arg(long, value_name = "FILE")]
    answers: PathBuf,
    /// Complete the interview (exit 1 naming the missing required answers if it cannot be).
    #[arg(long)]
    complete: bool,
    /// A household the registry does not know (with --head and --village).
    #[arg(long, conflicts_with = "household", requires_all = ["head", "village"])]
    new_household: bool,
    #[arg(long)]
    head: Option<String>,
    #[arg(long)]
    village: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Output format of a command that prints a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A failure at the command line: the message in both languages and the exit code.
struct Failure {
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

fn fail(message: Text) -> Failure {
    Failure { message, code: 1 }
}

/// Runs the program; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("ruhu: {}", f.message.get(lang));
            ExitCode::from(f.code)
        }
    }
}

fn print_json(v: &Json) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn forms(cli: &Cli) -> Result<Forms, Failure> {
    let report = match &cli.questionnaires {
        Some(d) => questionnaire::load_dir(d),
        None => questionnaire::load_bundled(),
    };
    Ok(Forms::from_report(report)?)
}

fn workspace(cli: &Cli) -> Result<Workspace, Failure> {
    let dir = session::data_dir(cli.data.as_deref());
    Ok(Workspace::open(&dir, forms(cli)?)?)
}

fn interviewer(cli: &Cli) -> String {
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
            let app = crate::tui::App::new(ws, lang, interviewer(&cli));
            crate::tui::run(app).map_err(|e| fail(tr!("终端错误：{}", "terminal error: {}", e)))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Check { dir, format }) => {
            let report = match dir.as_ref().or(cli.questionnaires.as_ref()) {
                Some(d) => questionnaire::load_dir(d),
                None => questionnaire::load_bundled(),
            };
            Ok(check(&report, *format, lang))
        }
        Some(Command::Demo {
            households,
            seed,
            csv,
            format,
        }) => demo(&cli, *households, *seed, csv.as_deref(), *format),
        Some(Command::Interview(InterviewCommand::Apply(args))) => apply(&cli, args),
        Some(Command::Interview(InterviewCommand::List { format })) => {
            let ws = workspace(&cli)?;
            let mut all: Vec<InterviewRecord> = ws.store.interviews().collect::<Result<_, _>>()?;
            all.sort_by_key(|r| r.started_at);
            match format {
                Format::Json => print_json(&Json::Array(all.iter().map(summary).collect())),
                Format::Text => {
                    for r in &all {
                        println!(
                            "{}  {}  {}  {}  {}",
                            r.interview_id,
                            r.household_id,
                            r.questionnaire,
                            status_text(r, lang),
                            r.updated_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                    if all.is_empty() {
                        println!("{}", tr!("还没有调查", "no interviews yet").get(lang));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Interview(InterviewCommand::Show { id, format })) => {
            let ws = workspace(&cli)?;
            let s = ws.resume(*id)?;
            let missing: Vec<Json> = s
                .interview
                .missing()
                .iter()
                .map(|m| json!({"question": m.question, "row": m.row.as_ref().map(|r| r.1)}))
                .collect();
            match format {
                Format::Json => {
                    let mut v = summary(&s.record);
                    v["answers"] = s.record.answers.clone();
                    v["result"] = s.interview.result().to_json();
                    v["missing"] = Json::Array(missing);
                    print_json(&v);
                }
                Format::Text => {
                    let r = &s.record;
                    println!("{}  {}  {}", r.interview_id, r.household_id, status_text(r, lang));
                    let iv = &s.interview;
                    for q in iv.form().all_questions() {
                        if let Some(a) = iv.answer(&q.id) {
                            println!("  {}：{}", q.label.get(lang), a.display(q, lang));
                        }
                        if matches!(q.kind, QuestionType::Roster { .. }) {
                            for (i, row) in iv.rows(&q.id).iter().enumerate() {
                                let cells: Vec<String> = row
                                    .values
                                    .iter()
                                    .filter_map(|(k, a)| iv.form().question(k).map(|rq| a.display(rq, lang)))
                                    .collect();
                                println!("  {} {}：{}", q.label.get(lang), i + 1, cells.join(" "));
                            }
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn status_text(r: &InterviewRecord, lang: Lang) -> &'static str {
    match (r.status, lang) {
        (crate::interview::Status::InProgress, Lang::Zh) => "进行中",
        (crate::interview::Status::Completed, Lang::Zh) => "已完成",
        (crate::interview::Status::InProgress, Lang::En) => "in progress",
        (crate::interview::Status::Completed, Lang::En) => "completed",
    }
}

/// The stable JSON summary of an interview (docs/cli.md).
fn summary(r: &InterviewRecord) -> Json {
    json!({
        "interview_id": r.interview_id,
        "household_id": r.household_id,
        "questionnaire": r.questionnaire,
        "questionnaire_version": r.questionnaire_version,
        "status": r.status,
        "interviewer": r.interviewer,
        "device_id": r.device_id,
        "started_at": r.started_at,
        "updated_at": r.updated_at,
        "completed_at": r.completed_at,
        "events": r.events,
    })
}

fn demo(cli: &Cli, households: usize, seed: u64, csv: Option<&Path>, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let opts = crate::demo::DemoOptions { households, seed };
    if let Some(path) = csv {
        let file = std::fs::File::create(path)
            .map_err(|e| fail(tr!("无法写入 {}：{}", "cannot write {}: {}", path.display(), e)))?;
        crate::demo::write_csv(crate::demo::generate_iter(&opts), std::io::BufWriter::new(file))
            .map_err(|e| fail(tr!("无法写入 {}：{}", "cannot write {}: {}", path.display(), e)))?;
        match format {
            Format::Json => print_json(&json!({"households": households, "seed": seed, "csv": path})),
            Format::Text => println!(
                "{}",
                tr!("已写出 {} 户演示数据到 {}", "wrote {} demo households to {}", households, path.display()).get(lang)
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ws = workspace(cli)?;
    let n = ws.store.put_households(crate::demo::generate_iter(&opts))?;
    match format {
        Format::Json => print_json(&json!({"households": n, "seed": seed, "total": ws.store.household_count()})),
        Format::Text => println!(
            "{}",
            tr!(
                "已载入 {} 户演示数据（演示县，虚构）",
                "loaded {} demo households (a fictional county)",
                n
            )
            .get(lang)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn apply(cli: &Cli, args: &ApplyArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let text = std::fs::read_to_string(&args.answers)
        .map_err(|e| fail(tr!("无法读取 {}：{}", "cannot read {}: {}", args.answers.display(), e)))?;
    let file: Json = serde_json::from_str(&text).map_err(|e| {
        fail(tr!(
            "{}：JSON 格式错误（第{}行第{}列）：{}",
            "{}: invalid JSON at line {}, column {}: {}",
            args.answers.display(),
            e.line(),
            e.column(),
            e
        ))
    })?;
    let ws = workspace(cli)?;
    let household = match (&args.household, args.new_household) {
        (Some(id), _) => ws.household(id)?,
        (None, true) => crate::registry::Household::provisional(
            String::new(),
            args.head.clone().unwrap_or_default(),
            args.village.clone().unwrap_or_default(),
        ),
        (None, false) => return Err(fail(tr!("请给出 --household", "give --household"))),
    };
    let form = ws.forms.get(household.kind())?;
    if let Some(q) = file.get("questionnaire").and_then(Json::as_str)
        && q != form.id
    {
        return Err(fail(tr!(
            "{}：答案文件是 {} 问卷，而这户应使用 {} 问卷",
            "{}: the answer file is for questionnaire '{}', this household takes '{}'",
            args.answers.display(),
            q,
            form.id
        )));
    }
    let problems_out = |problems: Vec<crate::interview::AnswerProblem>| -> Failure {
        let lines: Vec<String> = problems.iter().map(|p| p.render(lang)).collect();
        fail(tr!(
            "{}：{} 个答案有误，未保存任何内容：\n{}",
            "{}: {} invalid answer(s), nothing saved:\n{}",
            args.answers.display(),
            lines.len(),
            lines.join("\n")
        ))
    };
    let answers = Answers::from_json(&form, &file, || Uuid::new_v4().to_string()).map_err(problems_out)?;
    // Check everything through the engine before anything is written.
    let mut trial = crate::interview::Interview::new(form.clone(), crate::interview::Context::today());
    session::enter_answers(&mut trial, &answers).map_err(problems_out)?;

    let household = if args.new_household {
        ws.new_household(&household.head_name, &household.village)?
    } else {
        household
    };
    let mut s = ws.start(&household, &interviewer(cli))?;
    let changes = session::enter_answers(&mut s.interview, &answers).map_err(problems_out)?;
    s.save_many(&ws.store, &changes)?;
    let mut code = ExitCode::SUCCESS;
    let mut missing_text = Vec::new();
    if args.complete
        && let Err(missing) = s.complete(&ws.store)?
    {
        {
            code = ExitCode::from(1);
            missing_text = missing
                .iter()
                .map(|m| match &m.row {
                    Some((r, i, _)) => format!("{}[{}].{}", r, i + 1, m.question),
                    None => m.question.clone(),
                })
                .collect();
        }
    }
    let out = json!({
        "interview_id": s.record.interview_id,
        "household_id": s.record.household_id,
        "status": s.record.status,
    });
    match args.format {
        Format::Json => {
            let mut out = out;
            if !missing_text.is_empty() {
                out["missing"] = json!(missing_text);
            }
            print_json(&out);
        }
        Format::Text => println!(
            "{}",
            tr!(
                "已保存调查 {}（户 {}，{}）",
                "saved interview {} (household {}, {})",
                s.record.interview_id,
                s.record.household_id,
                status_text(&s.record, lang)
            )
            .get(lang)
        ),
    }
    if !missing_text.is_empty() {
        eprintln!(
            "ruhu: {}",
            tr!(
                "不能完成调查，缺少必答题：{}（已保存为进行中）",
                "cannot complete: required answers missing: {} (saved in progress)",
                missing_text.join(", ")
            )
            .get(lang)
        );
    }
    Ok(code)
}

fn check(report: &LoadReport, format: Format, lang: Lang) -> ExitCode {
    let count = |q: &questionnaire::Questionnaire| {
        q.all_questions()
            .filter(|x| !matches!(x.kind, QuestionType::Note))
            .count()
    };
    match format {
        Format::Json => {
            let forms: Vec<_> = report
                .questionnaires
                .iter()
                .map(|q| {
                    json!({
                        "file": q.source,
                        "id": q.id,
                        "version": q.version,
                        "kind": q.kind,
                        "questions": count(q),
                    })
                })
                .collect();
            print_json(&json!({
                "ok": report.errors.is_empty(),
                "questionnaires": forms,
                "errors": report.errors,
            }));
        }
        Format::Text => {
            for q in &report.questionnaires {
                println!(
                    "{}",
                    tr!(
                        "✓ {}  {}（{} 版，{} 个问题）",
                        "ok {}  {} (version {}, {} questions)",
                        q.source,
                        q.title.get(lang),
                        q.version,
                        count(q)
                    )
                    .get(lang)
                );
            }
            for e in &report.errors {
                println!("✗ {}", e.render(lang));
            }
            if !report.errors.is_empty() {
                println!("{}", tr!("共 {} 处错误", "{} error(s)", report.errors.len()).get(lang));
            }
        }
    }
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
