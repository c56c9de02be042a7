//! `ruhu coverage [--by village|interviewer] [--format json]`: per village or interviewer,
//! the sampled households drawn, interviewed, completed, approved and returned, and the
//! sampled households not visited yet.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::sample::coverage::{Counts, Row};
use crate::tr;
use crate::tui::text::pad;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    Village,
    Interviewer,
}

#[derive(Args, Debug)]
pub struct CoverageArgs {
    /// Rows per village or per interviewer.
    #[arg(long, value_enum, default_value = "village")]
    pub by: By,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub(super) fn coverage(cli: &Cli, args: &CoverageArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let Some(c) = ws.coverage()? else {
        return Err(fail(tr!(
            "还没有抽样：请先运行 ruhu sample --seed N",
            "no sample drawn yet: run ruhu sample --seed N first"
        )));
    };
    let rows: &[Row] = match args.by {
        By::Village => &c.by_village,
        By::Interviewer => &c.by_interviewer,
    };
    match args.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| match args.by {
                    By::Village => json!({
                        "county": r.county, "township": r.township, "village": r.village,
                        "drawn": r.counts.drawn, "interviewed": r.counts.interviewed,
                        "completed": r.counts.completed, "approved": r.counts.approved,
                        "returned": r.counts.returned,
                    }),
                    By::Interviewer => json!({
                        "interviewer": r.interviewer,
                        "interviewed": r.counts.interviewed,
                        "completed": r.counts.completed, "approved": r.counts.approved,
                        "returned": r.counts.returned,
                    }),
                })
                .collect();
            print_json(
                cli,
                &json!({
                    "by": match args.by { By::Village => "village", By::Interviewer => "interviewer" },
                    "rows": rows,
                    "total": c.total,
                    "not_visited": c.not_visited,
                }),
            );
        }
        Format::Text => {
            let first = match args.by {
                By::Village => tr!("村", "village"),
                By::Interviewer => tr!("调查员", "interviewer"),
            };
            let heads = [
                first,
                tr!("抽中", "drawn"),
                tr!("已调查", "interviewed"),
                tr!("已完成", "completed"),
                tr!("已通过", "approved"),
                tr!("已退回", "returned"),
            ];
            let line = |cells: [String; 6]| -> String {
                let mut s = pad(&cells[0], 24);
                for c in &cells[1..] {
                    s.push_str(&pad(c, 10));
                }
                s.trim_end().to_string()
            };
            let counts = |name: String, c: &Counts, drawn: bool| {
                [
                    name,
                    if drawn {
                        c.drawn.to_string()
                    } else {
                        "—".into()
                    },
                    c.interviewed.to_string(),
                    c.completed.to_string(),
                    c.approved.to_string(),
                    c.returned.to_string(),
                ]
            };
            say(cli, &line(heads.map(|h| h.get(lang).to_string())));
            for r in rows {
                let (name, drawn) = match args.by {
                    By::Village => (format!("{}{}", r.township, r.village), true),
                    By::Interviewer => (r.interviewer.clone(), false),
                };
                say(cli, &line(counts(name, &r.counts, drawn)));
            }
            say(
                cli,
                &line(counts(
                    tr!("合计（抽中户）", "total (sampled)")
                        .get(lang)
                        .to_string(),
                    &c.total,
                    true,
                )),
            );
            if c.not_visited.is_empty() {
                say(
                    cli,
                    tr!("抽中户都已调查", "every sampled household has been visited").get(lang),
                );
            } else {
                say(
                    cli,
                    tr!(
                        "尚未调查的抽中户 {} 户：",
                        "{} sampled households not visited yet:",
                        c.not_visited.len()
                    )
                    .get(lang),
                );
                for h in &c.not_visited {
                    say(
                        cli,
                        &format!(
                            "  {}  {}  {}{}{}",
                            h.household_id, h.head_name, h.township, h.village, h.village_group
                        ),
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
