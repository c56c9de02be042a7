//! `ruhu report --out FILE.html [--county C]`: the report to print or send, one
//! self-contained HTML file (see `report/`), written owner-only and whole or not at all.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::findings::reconciler;
use super::{Cli, Failure, Format, fail, print_json, say};
use crate::reconcile::export::{ExportOptions, Marks};
use crate::reconcile::{Filter, MarkStatus, RateName, Surveyed};
use crate::report::{self, Inputs, model};
use crate::tr;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The file to write (its name ends in .html or .htm).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only this county (县, exact name).
    #[arg(long)]
    pub county: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The surveyed households after review: what the rates after review are computed from.
fn reviewed(surveyed: &[Surveyed], marks: &Marks) -> Vec<Surveyed> {
    crate::reconcile::reviewed(surveyed, marks)
}

pub(super) fn report(cli: &Cli, args: &ReportArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let html_name = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !html_name {
        return Err(fail(tr!(
            "报告是 HTML 文件：{} 的文件名请以 .html 或 .htm 结尾",
            "the report is an HTML file: end the name {} with .html or .htm",
            args.out.display()
        )));
    }
    let (ws, rec) = reconciler(cli)?;
    let result = ws.reconcile(&rec, &Filter::default())?;
    let marks = ws.marks()?;
    let coverage = ws.coverage()?;
    let after = reviewed(&result.surveyed, &marks);
    let mut inputs = Inputs {
        settings: &rec.settings,
        findings: &result.findings,
        surveyed: &result.surveyed,
        reviewed: &after,
        marks: &marks,
        coverage: coverage.as_ref(),
        interviews: result.interviews,
        made_at: crate::session::now(),
        county: None,
    };
    if let Some(asked) = &args.county {
        let mut known = model::counties(&inputs);
        if !known.contains(asked) {
            // A county of the registry with nothing in it yet is reported as such.
            let registry: BTreeSet<String> = ws.villages()?.into_iter().map(|v| v.county).collect();
            if !registry.contains(asked) {
                known.extend(registry);
                let names: Vec<String> = known.into_iter().filter(|c| !c.is_empty()).collect();
                return Err(fail(tr!(
                    "没有名为 {} 的县；有：{}",
                    "there is no county '{}'; there are: {}",
                    asked,
                    if names.is_empty() {
                        "-".to_string()
                    } else {
                        names.join(match lang {
                            crate::i18n::Lang::Zh => "、",
                            crate::i18n::Lang::En => ", ",
                        })
                    }
                )));
            }
        }
        inputs.county = Some(asked);
    }
    let built = report::build(&inputs);
    let html = report::write_html(
        &built,
        ExportOptions {
            lang,
            show_ids: cli.show_ids,
        },
    );
    crate::private_file::write_atomic(&args.out, |f| f.write_all(html.as_bytes()))
        .map_err(|e| fail(crate::i18n::cannot_write(&args.out, &e)))?;
    match args.format {
        Format::Json => {
            let failing = |g: &crate::reconcile::GroupRates| -> Vec<&str> {
                g.rates
                    .iter()
                    .into_iter()
                    .filter(|(_, r)| r.failing)
                    .map(|(n, _)| RateName::name(n))
                    .collect()
            };
            let counties: Vec<serde_json::Value> = built
                .counties
                .iter()
                .map(|c| {
                    let n = c.finding_count();
                    let confirmed = c.marked(MarkStatus::Confirmed);
                    let dismissed = c.marked(MarkStatus::Dismissed);
                    json!({
                        "county": c.name,
                        "villages": c.villages.len(),
                        "households": c.found.households,
                        "people": c.found.people,
                        "findings": n,
                        "confirmed": confirmed,
                        "dismissed": dismissed,
                        "unmarked": n - confirmed - dismissed,
                        "warnings_not_listed": c.warnings_not_listed(),
                        "failing_as_found": failing(&c.found),
                        "failing_after_review": failing(&c.reviewed),
                        "sampled": c.coverage.as_ref().map(|v| v.total.drawn),
                    })
                })
                .collect();
            print_json(
                cli,
                &json!({
                    "path": args.out,
                    "bytes": html.len(),
                    "interviews": built.interviews,
                    "households": built.households(),
                    "findings": built.findings(),
                    "sample_drawn": built.sample_drawn,
                    "counties": counties,
                }),
            );
        }
        Format::Text => say(
            cli,
            tr!(
                "已写出报告到 {}：{} 个县，已完成调查 {} 户，核查问题 {} 条",
                "wrote the report to {}: {} county(ies), {} household(s) with a completed interview, {} finding(s)",
                args.out.display(),
                built.counties.len(),
                built.households(),
                built.findings()
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
