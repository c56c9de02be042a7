//! `ruhu mark`: an auditor's verdict on a finding — confirmed or dismissed with a comment, or
//! the mark cleared — given by the finding's short id, by interview and rule, or by household
//! (and rule); or every verdict an auditor filled in the 核查结论 column of an exported
//! findings sheet (`--from FILE.xlsx|csv`). Each mark records who (`--auditor`, kept on the
//! laptop once given) and when; the store keeps every mark in the finding's history.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use uuid::Uuid;

use super::findings::reconciler;
use super::{Cli, Failure, Format, fail, print_json, say};
use crate::i18n::Text;
use crate::reconcile::export::{
    COMMENT_COLUMN, FINDING_HEADERS, FINDING_ID_COLUMN, MARK_COLUMN, finding_json,
};
use crate::reconcile::{Filter, Finding, Mark, MarkStatus, Reconciler};
use crate::registry::table::{self, Cells, Visitor};
use crate::session::{self, Workspace};
use crate::tr;

#[derive(Args, Debug)]
pub struct MarkArgs {
    /// The finding's short id (核查编号, as `ruhu findings` and the exports show it).
    #[arg(long, conflicts_with_all = ["interview", "household", "from"])]
    pub id: Option<String>,
    /// The interview of the finding (with --rule).
    #[arg(long, requires = "rule", conflicts_with_all = ["household", "from"])]
    pub interview: Option<Uuid>,
    /// The household of the finding (户编号; with --rule unless it has only one finding).
    #[arg(long, conflicts_with = "from")]
    pub household: Option<String>,
    /// The rule of the finding (a member's finding: `rule@row`, or the rule alone when the
    /// interview has one finding of it).
    #[arg(long, conflicts_with = "from")]
    pub rule: Option<String>,
    /// The discrepancy is real.
    #[arg(long, conflicts_with_all = ["dismiss", "clear", "from"])]
    pub confirm: bool,
    /// Not a discrepancy (say why in --comment).
    #[arg(long, conflicts_with_all = ["clear", "from"])]
    pub dismiss: bool,
    /// Take the finding's mark back (the history keeps it).
    #[arg(long, conflicts_with = "from")]
    pub clear: bool,
    #[arg(long, default_value = "", conflicts_with = "from")]
    pub comment: String,
    /// Read the verdicts of an exported findings sheet (.xlsx or .csv): each row whose
    /// 核查结论 / mark cell is filled (已确认, 已排除, 清除 / confirmed, dismissed, clear).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The auditor's name: `--auditor` (kept for next time), else the one kept, else
/// `--interviewer`, else asked on a terminal once and kept, else (a script) `$USER`.
pub(super) fn auditor(cli: &Cli, ws: &Workspace) -> Result<String, Failure> {
    if let Some(name) = cli
        .auditor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if ws.auditor()?.as_deref() != Some(name) && !ws.is_read_only() {
            ws.set_auditor(name)?;
        }
        return Ok(name.to_string());
    }
    if let Some(name) = ws.auditor()? {
        return Ok(name);
    }
    if let Some(name) = cli
        .interviewer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return Ok(name.to_string());
    }
    let lang = cli.lang;
    if !std::io::stdin().is_terminal() {
        return Ok(super::interviewer(cli));
    }
    {
        eprint!(
            "{}",
            tr!(
                "核查人姓名（只问一次，记在本机）：",
                "auditor's name (asked once, kept on this laptop): "
            )
            .get(lang)
        );
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line).is_ok() {
            let name = line.trim();
            if !name.is_empty() && name.chars().count() <= 40 {
                ws.set_auditor(name)?;
                return Ok(name.to_string());
            }
        }
    }
    Err(fail(tr!(
        "请用 --auditor 姓名 说明核查人（记在本机，以后不必再给）",
        "say who marks with --auditor NAME (kept on this laptop for next time)"
    )))
}

fn no_finding(what: Text, listed: &[&Finding]) -> Failure {
    let ids: Vec<String> = listed
        .iter()
        .map(|f| format!("{} {}", f.short_id(), f.key().1))
        .collect();
    fail(Text::new(
        format!(
            "{}（现有：{}）",
            what.zh,
            if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join("，")
            }
        ),
        format!(
            "{} (there are: {})",
            what.en,
            if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join(", ")
            }
        ),
    ))
}

/// The one finding the arguments name, among `all`.
fn chosen<'a>(args: &MarkArgs, all: &'a [Finding]) -> Result<&'a Finding, Failure> {
    let rule_matches = |f: &Finding, rule: &str| f.key().1 == rule || f.rule == rule;
    if let Some(id) = &args.id {
        let id = id.trim().to_ascii_lowercase();
        return all.iter().find(|f| f.short_id() == id).ok_or_else(|| {
            fail(tr!(
                "没有编号为 {} 的核查结果（ruhu findings 列出编号）",
                "there is no finding {} (ruhu findings lists the ids)",
                id
            ))
        });
    }
    let (of, what): (Vec<&Finding>, Text) = match (&args.interview, &args.household) {
        (Some(i), _) => (
            all.iter().filter(|f| f.interview_id == *i).collect(),
            tr!("调查 {}", "interview {}", i),
        ),
        (None, Some(h)) => (
            all.iter().filter(|f| &f.household_id == h).collect(),
            tr!("户 {}", "household {}", h),
        ),
        (None, None) => {
            return Err(fail(tr!(
                "请用 --id、--interview 加 --rule 或 --household 指明核查结果",
                "name the finding with --id, --interview and --rule, or --household"
            )));
        }
    };
    let matching: Vec<&Finding> = match &args.rule {
        Some(rule) => of
            .iter()
            .copied()
            .filter(|f| rule_matches(f, rule))
            .collect(),
        None => of.clone(),
    };
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(no_finding(
            match &args.rule {
                Some(r) => Text::new(
                    format!("{}现在没有规则 {r} 的核查结果", what.zh),
                    format!("{} has no finding of rule '{r}' now", what.en),
                ),
                None => Text::new(
                    format!("{}现在没有核查结果", what.zh),
                    format!("{} has no finding now", what.en),
                ),
            },
            &of,
        )),
        _ => Err(no_finding(
            Text::new(
                format!("{}有多条核查结果，请用 --id 或 --rule 指明", what.zh),
                format!(
                    "{} has several findings: say which with --id or --rule",
                    what.en
                ),
            ),
            &matching,
        )),
    }
}

/// Every finding, interviews in progress included (a mark may be given on either).
fn all_findings(ws: &Workspace, rec: &Reconciler) -> Result<Vec<Finding>, Failure> {
    let filter = Filter {
        include_in_progress: true,
        ..Filter::default()
    };
    Ok(ws.reconcile(rec, &filter)?.findings)
}

pub(super) fn mark(cli: &Cli, args: &MarkArgs) -> Result<ExitCode, Failure> {
    if let Some(path) = &args.from {
        return from_sheet(cli, args, path);
    }
    if !(args.confirm || args.dismiss || args.clear) {
        return Err(fail(tr!(
            "请说明结论：--confirm（属实）、--dismiss（排除）或 --clear（撤销）",
            "say the verdict: --confirm, --dismiss or --clear"
        )));
    }
    let lang = cli.lang;
    let (ws, rec) = reconciler(cli)?;
    let all = all_findings(&ws, &rec)?;
    let finding = chosen(args, &all)?;
    let by = auditor(cli, &ws)?;
    let key = finding.key();
    let mark = if args.clear {
        if !ws.clear_mark(&key, &by)? {
            say(
                cli,
                tr!(
                    "{} 没有核查标记，无需撤销",
                    "{} has no mark: nothing to clear",
                    finding.short_id()
                )
                .get(lang),
            );
        }
        None
    } else {
        let status = if args.confirm {
            MarkStatus::Confirmed
        } else {
            MarkStatus::Dismissed
        };
        let m = Mark::for_finding(finding, status, &args.comment, &by, session::now());
        ws.put_mark(&m)?;
        Some(m)
    };
    match args.format {
        Format::Json => {
            let mut v = finding_json(finding, mark.as_ref(), cli.show_ids);
            v["history"] = serde_json::to_value(ws.mark_history(&key)?).unwrap_or_default();
            print_json(cli, &v)
        }
        Format::Text => say(
            cli,
            match &mark {
                Some(m) => tr!(
                    "已标记 {}：{}，户 {}，{}（{}），核查人 {}",
                    "marked {}: {}, household {}, {} ({}), by {}",
                    m.status.label().get(lang),
                    finding.short_id(),
                    finding.household_id,
                    finding.rule,
                    finding.message.get(lang),
                    by
                ),
                None => tr!(
                    "已撤销核查标记：{}，户 {}，{}",
                    "mark cleared: {}, household {}, {}",
                    finding.short_id(),
                    finding.household_id,
                    finding.rule
                ),
            }
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// A verdict as an auditor types it in the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Mark(MarkStatus),
    Clear,
}

fn verdict(cell: &str) -> Option<Verdict> {
    match cell.trim().to_lowercase().as_str() {
        "已确认" | "确认" | "属实" | "confirmed" | "confirm" => {
            Some(Verdict::Mark(MarkStatus::Confirmed))
        }
        "已排除" | "排除" | "dismissed" | "dismiss" => {
            Some(Verdict::Mark(MarkStatus::Dismissed))
        }
        "清除" | "撤销" | "clear" | "cleared" => Some(Verdict::Clear),
        _ => None,
    }
}

/// The rows of a filled sheet: (line, finding id, verdict cell, comment cell).
#[derive(Default)]
struct SheetRows {
    columns: Option<(usize, usize, usize)>,
    rows: Vec<(u64, String, String, String)>,
    problems: Vec<Text>,
}

const MAX_ROWS: usize = 1_000_000;

impl Visitor for SheetRows {
    fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text> {
        let cell = |i: usize| {
            crate::sheet_csv::unmark(cells.get(i).unwrap_or(""))
                .trim()
                .to_string()
        };
        match self.columns {
            None => {
                let find = |i: usize| {
                    let (zh, en) = FINDING_HEADERS[i];
                    (0..cells.len()).find(|&c| {
                        let h = cell(c);
                        h == zh || h.eq_ignore_ascii_case(en)
                    })
                };
                if let (Some(id), Some(m), Some(c)) = (
                    find(FINDING_ID_COLUMN),
                    find(MARK_COLUMN),
                    find(COMMENT_COLUMN),
                ) {
                    self.columns = Some((id, m, c));
                }
            }
            Some((id, m, c)) => {
                if self.rows.len() >= MAX_ROWS {
                    return Err(tr!(
                        "超过 {} 行，不再读取",
                        "more than {} rows: not read further",
                        MAX_ROWS
                    ));
                }
                let (id, m, c) = (cell(id), cell(m), cell(c));
                if !(id.is_empty() && m.is_empty()) {
                    self.rows.push((line, id, m, c));
                }
            }
        }
        Ok(())
    }

    fn unreadable_row(&mut self, line: u64, reason: Text) -> Result<(), Text> {
        self.problems.push(Text::new(
            format!("第 {line} 行：{}", reason.zh),
            format!("row {line}: {}", reason.en),
        ));
        Ok(())
    }
}

/// What `mark --from` does with one row.
enum Change<'a> {
    Put(Mark),
    Clear(&'a Finding),
}

fn from_sheet(cli: &Cli, args: &MarkArgs, path: &std::path::Path) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let (ws, rec) = reconciler(cli)?;
    let mut rows = SheetRows::default();
    table::read(path, Default::default(), &mut rows).map_err(fail)?;
    let file = path.display().to_string();
    if rows.columns.is_none() {
        return Err(fail(tr!(
            "{}：找不到「核查编号」「核查结论」「核查意见」列（用 ruhu findings --out 导出的表填写）",
            "{}: no finding_id, mark and comment columns (fill in a sheet exported with ruhu findings --out)",
            file
        )));
    }
    let all = all_findings(&ws, &rec)?;
    let by_id: HashMap<String, &Finding> = all.iter().map(|f| (f.short_id(), f)).collect();
    let marks = ws.marks()?;
    let mut problems = rows.problems;
    let mut changes = Vec::new();
    let mut unchanged = 0usize;
    for (line, id, cell, comment) in &rows.rows {
        if cell.is_empty() {
            continue;
        }
        let Some(v) = verdict(cell) else {
            problems.push(tr!(
                "第 {} 行：核查结论「{}」不明，应为 已确认、已排除 或 清除",
                "row {}: mark '{}' is not one of confirmed, dismissed, clear",
                line,
                crate::printable::clean(cell)
            ));
            continue;
        };
        let Some(f) = by_id.get(&id.to_ascii_lowercase()) else {
            problems.push(tr!(
                "第 {} 行：没有编号为 {} 的核查结果（数据已变，或不是本机导出的表）",
                "row {}: there is no finding {} (the data changed, or the sheet is from another store)",
                line,
                crate::printable::clean(id)
            ));
            continue;
        };
        if comment.len() > crate::limits::MAX_CELL_BYTES {
            problems.push(tr!(
                "第 {} 行：核查意见太长",
                "row {}: the comment is too long",
                line
            ));
            continue;
        }
        let current = marks.get(&f.key());
        match v {
            Verdict::Clear if current.is_none() => unchanged += 1,
            Verdict::Clear => changes.push(Change::Clear(f)),
            Verdict::Mark(status)
                if current.is_some_and(|m| m.status == status && m.comment == *comment) =>
            {
                unchanged += 1
            }
            Verdict::Mark(status) => changes.push(Change::Put(Mark::for_finding(
                f,
                status,
                comment,
                "",
                session::now(),
            ))),
        }
    }
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| p.get(lang).to_string()).collect();
        return Err(fail(tr!(
            "{}：{} 处问题，没有标记任何结果：\n{}",
            "{}: {} problem(s); nothing was marked:\n{}",
            file,
            lines.len(),
            lines.join("\n")
        )));
    }
    let by = if changes.is_empty() {
        String::new()
    } else {
        auditor(cli, &ws)?
    };
    let (mut marked, mut cleared) = (0usize, 0usize);
    for c in changes {
        match c {
            Change::Put(mut m) => {
                m.by = by.clone();
                ws.put_mark(&m)?;
                marked += 1;
            }
            Change::Clear(f) => {
                ws.clear_mark(&f.key(), &by)?;
                cleared += 1;
            }
        }
    }
    match args.format {
        Format::Json => print_json(
            cli,
            &json!({
                "file": path,
                "rows": rows.rows.len(),
                "marked": marked,
                "cleared": cleared,
                "unchanged": unchanged,
            }),
        ),
        Format::Text => say(
            cli,
            tr!(
                "{}：标记 {} 条，撤销 {} 条，未变 {} 条",
                "{}: {} marked, {} cleared, {} unchanged",
                file,
                marked,
                cleared,
                unchanged
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
