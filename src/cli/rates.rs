//! `ruhu rates`: the assessment's rates per village, township or county and in total, from
//! the completed interviews, each with numerator, denominator and whether it fails.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::findings::{OutputFormat, emit, output_format, reconciler};
use super::{Cli, Failure, fail, say};
use crate::i18n::{Lang, Text};
use crate::reconcile::export::{self, group_place, percent, rate_label};
use crate::reconcile::{Filter, GroupBy, RateName, RateReport, Settings, rates, reviewed};
use crate::tr;
use crate::tui::text::{pad, width};

/// How rates are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    Village,
    Township,
    County,
}

#[derive(Args, Debug)]
pub struct RatesArgs {
    /// Group by village (行政村), township (乡镇) or county (县).
    #[arg(long, value_enum, default_value = "village")]
    pub by: By,
    /// Output format (default: by the extension of --out, else table).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write to this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// After review: the findings an auditor dismissed do not count.
    #[arg(long)]
    pub reviewed: bool,
    /// Only the households of the drawn sample (`ruhu sample`), not every interview.
    #[arg(long)]
    pub sample: bool,
}

pub(super) fn rates_command(cli: &Cli, args: &RatesArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let format = output_format(args.format, args.out.as_deref())?;
    let (ws, rec) = reconciler(cli)?;
    let result = ws.reconcile(&rec, &Filter::default())?;
    let by = match args.by {
        By::Village => GroupBy::Village,
        By::Township => GroupBy::Township,
        By::County => GroupBy::County,
    };
    let mut surveyed = result.surveyed;
    if args.sample {
        let drawn = ws.sample_ids()?;
        if drawn.is_empty() {
            return Err(fail(tr!(
                "还没有抽样：先用 ruhu sample 抽取样本，或去掉 --sample 按全部调查计算",
                "no sample is drawn: draw one with ruhu sample, or leave out --sample to count every interview"
            )));
        }
        surveyed.retain(|s| drawn.contains(&s.household_id));
    }
    if args.reviewed {
        surveyed = reviewed(&surveyed, &ws.marks()?);
    }
    let report = rates(&surveyed, by, &rec.settings);
    let cannot = |e: &dyn std::fmt::Display| fail(tr!("无法导出：{}", "cannot export: {}", e));
    let bytes = match format {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&report).unwrap_or_default();
            v["reviewed"] = serde_json::Value::Bool(args.reviewed);
            v["sample_only"] = serde_json::Value::Bool(args.sample);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
        OutputFormat::Csv => {
            let mut buf = Vec::new();
            export::write_rates_csv(&report, lang, &mut buf).map_err(|e| cannot(&e))?;
            buf
        }
        OutputFormat::Xlsx => export::write_rates_xlsx(&report, lang).map_err(|e| cannot(&e))?,
        OutputFormat::Table => {
            let scope = match (args.reviewed, args.sample) {
                (false, false) => tr!("按核查发现计（全部调查）", "as found (every interview)"),
                (true, false) => tr!(
                    "核查后：已排除的问题不计（全部调查）",
                    "after review: dismissed findings do not count (every interview)"
                ),
                (false, true) => tr!(
                    "按核查发现计（仅抽中户）",
                    "as found (the drawn sample only)"
                ),
                (true, true) => tr!(
                    "核查后：已排除的问题不计（仅抽中户）",
                    "after review: dismissed findings do not count (the drawn sample only)"
                ),
            };
            format!(
                "{}\n{}",
                scope.get(lang),
                table(&report, &rec.settings, lang)
            )
            .into_bytes()
        }
    };
    emit(args.out.as_deref(), &bytes)?;
    if let Some(path) = &args.out {
        say(
            cli,
            tr!("已写出比率到 {}", "wrote the rates to {}", path.display()).get(lang),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One rate in a cell: `2.50% 1/40 ✗` (✗: failing).
fn cell(r: &crate::reconcile::Rate) -> String {
    format!(
        "{} {}/{}{}",
        percent(r.rate),
        r.numerator,
        r.denominator,
        if r.failing { " ✗" } else { "" }
    )
}

fn table(report: &RateReport, settings: &Settings, lang: Lang) -> String {
    let t = |zh: &str, en: &str| Text::new(zh, en).get(lang).to_string();
    let place_width = report
        .groups
        .iter()
        .chain(std::iter::once(&report.total))
        .map(|g| width(&group_place(g, lang)))
        .max()
        .unwrap_or(0)
        .clamp(8, 48);
    let mut out = String::new();
    out.push_str(
        tr!(
            "考核年度 {}，贫困线 {} 元；错退、漏评、错评按人数，认可度、满意度按户数",
            "assessment year {}, income line {} yuan; wrong exit, missed and wrong inclusion in people, acceptance and satisfaction in households",
            report.assessment_year,
            report
                .income_line
                .map_or_else(|| "-".to_string(), |l| format!("{l}"))
        )
        .get(lang),
    );
    out.push('\n');
    let mut head = vec![
        pad(&t("地区", "place"), place_width),
        pad(&t("户数", "hh"), 6),
        pad(&t("人数", "people"), 7),
    ];
    for name in RateName::ALL {
        head.push(pad(rate_label(name).get(lang), 20));
    }
    out.push_str(head.join(" ").trim_end());
    out.push('\n');
    for g in report.groups.iter().chain(std::iter::once(&report.total)) {
        let mut row = vec![
            pad(&group_place(g, lang), place_width),
            pad(&g.households.to_string(), 6),
            pad(&g.people.to_string(), 7),
        ];
        for (_, r) in g.rates.iter() {
            row.push(pad(&cell(r), 20));
        }
        out.push_str(row.join(" ").trim_end());
        out.push('\n');
    }
    let thresholds: Vec<String> = RateName::ALL
        .into_iter()
        .filter_map(|name| {
            let t = settings.threshold(name)?;
            let op = if name.fails_above() { ">" } else { "<" };
            Some(format!(
                "{} {op} {}",
                rate_label(name).get(lang),
                percent(Some(t))
            ))
        })
        .collect();
    out.push_str(
        tr!(
            "✗ 不达标：{}",
            "✗ failing: {}",
            if thresholds.is_empty() {
                "-".to_string()
            } else {
                thresholds.join(match lang {
                    Lang::Zh => "，",
                    Lang::En => ", ",
                })
            }
        )
        .get(lang),
    );
    out.push('\n');
    out
}
