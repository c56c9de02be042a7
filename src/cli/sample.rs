//! `ruhu sample`: draw the assessment's sample from the stored registry, store it, print it,
//! export it for field teams (CSV or XLSX); `--show` prints the stored one again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Datelike;
use clap::Args;
use serde_json::{Value as Json, json};

use super::{Cli, Failure, Format, fail, print_json, workspace};
use crate::i18n::{Lang, Text};
use crate::sample::{Frame, Reason, Role, Sample, SamplePlan, write_csv, write_xlsx};
use crate::session;
use crate::session::Workspace;
use crate::tr;

#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Seed number: the same seed and registry give the same sample.
    #[arg(long, required_unless_present = "show")]
    pub seed: Option<u64>,
    /// Assessment year: households exited in this year are drawn (default: the latest exit
    /// year in the registry).
    #[arg(long, conflicts_with = "show")]
    pub year: Option<i32>,
    /// Print the stored sample instead of drawing a new one.
    #[arg(long, conflicts_with = "seed")]
    pub show: bool,
    /// Also write the sample for field teams: FILE.csv or FILE.xlsx (by the extension).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// The file type of `--out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    Csv,
    Xlsx,
}

fn export_type(path: &Path) -> Result<Export, Failure> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Export::Csv),
        Some("xlsx") => Ok(Export::Xlsx),
        _ => Err(fail(tr!(
            "--out 的文件名须以 .csv 或 .xlsx 结尾：{}",
            "--out must name a .csv or .xlsx file: {}",
            path.display()
        ))),
    }
}

pub(super) fn sample(cli: &Cli, args: &SampleArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let export = args.out.as_deref().map(export_type).transpose()?;
    let ws = workspace(cli)?;
    let sample = match args.seed {
        Some(seed) if !args.show => {
            let s = draw(&ws, seed, args.year)?;
            ws.put_sample(&s)?;
            s
        }
        _ => ws.sample()?.ok_or_else(|| {
            fail(tr!(
                "还没有抽样：先运行 ruhu sample --seed 数字",
                "no sample drawn yet: run ruhu sample --seed N first"
            ))
        })?,
    };
    if let (Some(path), Some(export)) = (&args.out, export) {
        write_out(&sample, path, export)?;
    }
    match args.format {
        Format::Json => print_json(cli, &to_json(&sample, args.out.as_deref())),
        Format::Text => super::out_text(&super::shown(
            cli,
            &summary(&sample, args.out.as_deref(), lang),
        )),
    }
    Ok(ExitCode::SUCCESS)
}

/// The plan: the setting `sample_plan` if there is one, else the seed's numbers.
fn plan(store: &Workspace) -> Result<SamplePlan, Failure> {
    match store.setting(SamplePlan::SETTING)? {
        None => Ok(SamplePlan::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| {
            fail(tr!(
                "设置 {} 有误：{}",
                "the setting {} is invalid: {}",
                SamplePlan::SETTING,
                e
            ))
        }),
    }
}

/// Both passes over the stored registry.
fn draw(store: &Workspace, seed: u64, year: Option<i32>) -> Result<Sample, Failure> {
    let plan = plan(store)?;
    let mut frame = Frame::new();
    for h in store.households() {
        frame.add(&h?);
    }
    if frame.households() == 0 {
        return Err(fail(tr!(
            "登记库里没有农户：先导入登记数据，或运行 ruhu demo 载入演示数据",
            "the registry holds no households: import it first, or load the demo data with ruhu demo"
        )));
    }
    let now = session::now();
    let year = year.or(frame.latest_exit_year()).unwrap_or(now.year() - 1);
    let mut selection = frame.choose(&plan, seed, year);
    for h in store.households() {
        selection.offer(&h?);
    }
    let mut sample = selection.finish();
    sample.drawn_at = Some(now);
    Ok(sample)
}

fn write_out(sample: &Sample, path: &Path, export: Export) -> Result<(), Failure> {
    let written = crate::private_file::write_atomic(path, |w| match export {
        Export::Csv => write_csv(sample, w),
        Export::Xlsx => {
            let bytes = write_xlsx(sample).map_err(std::io::Error::other)?;
            std::io::Write::write_all(w, &bytes)
        }
    });
    written.map_err(|e| fail(crate::i18n::cannot_write(path, &e)))
}

fn to_json(sample: &Sample, out: Option<&Path>) -> Json {
    let mut v = serde_json::to_value(sample).unwrap_or(Json::Null);
    if let Some(list) = v.get_mut("shortfalls").and_then(Json::as_array_mut) {
        for (item, s) in list.iter_mut().zip(&sample.shortfalls) {
            item["message"] = json!(sample.describe(s));
        }
    }
    let counts: serde_json::Map<String, Json> = Reason::ALL
        .into_iter()
        .map(|r| (r.name().to_string(), json!(sample.count(r))))
        .collect();
    v["counts"] = Json::Object(counts);
    v["out"] = json!(out);
    v
}

/// The text summary: per county its villages with counts by reason, the censuses, the
/// shortfalls.
fn summary(sample: &Sample, out: Option<&Path>, lang: Lang) -> String {
    let mut s = String::new();
    let mut line = |t: Text| {
        s.push_str(t.get(lang));
        s.push('\n');
    };
    line(tr!(
        "抽样：随机种子 {}，考核年度 {}，共 {} 户（已保存）",
        "sample: seed {}, assessment year {}, {} households (stored)",
        sample.seed,
        sample.year,
        sample.entries.len()
    ));
    let mut counties: Vec<&str> = Vec::new();
    for c in sample
        .villages
        .iter()
        .map(|v| v.county.as_str())
        .chain(sample.entries.iter().map(|e| e.county.as_str()))
        .chain(sample.shortfalls.iter().map(|s| s.county.as_str()))
    {
        if !counties.contains(&c) {
            counties.push(c);
        }
    }
    for county in counties {
        line(Text::new(county, county));
        for v in sample.villages.iter().filter(|v| v.county == county) {
            let n = |r: Reason| {
                sample
                    .village_entries(&v.county, &v.township, &v.village)
                    .filter(|e| e.reason == r)
                    .count()
            };
            let remote = if v.remote {
                Text::new("，边远", ", remote")
            } else {
                Text::new("", "")
            };
            line(Text::new(
                format!(
                    "  {}{}（{}{}，贫困人口 {} 人）：未脱贫户 {}，{}年脱贫户 {}，边缘户 {}",
                    v.township,
                    v.village,
                    v.role.label().zh,
                    remote.zh,
                    v.poor_people,
                    n(Reason::PoorInVillage),
                    sample.year,
                    n(Reason::ExitedInYear),
                    n(Reason::EdgeNonPoor)
                ),
                format!(
                    "  {} {} ({}{}, {} poor people): {} poor, {} exited in {}, {} edge",
                    v.township,
                    v.village,
                    v.role.label().en,
                    remote.en,
                    v.poor_people,
                    n(Reason::PoorInVillage),
                    n(Reason::ExitedInYear),
                    sample.year,
                    n(Reason::EdgeNonPoor)
                ),
            ));
        }
        let returned = sample
            .entries
            .iter()
            .filter(|e| e.county == county && e.reason == Reason::ReturnedCensus)
            .count();
        line(tr!(
            "  返贫户普查：{} 户",
            "  returned households (census): {}",
            returned
        ));
        for g in sample.census_groups.iter().filter(|g| g.county == county) {
            let in_role = match g.role {
                Role::Poor => Text::new("贫困村", "in a poor village"),
                Role::NonPoor => Text::new("非贫困村", "in a non-poor village"),
            };
            let remote = if g.remote() {
                Text::new("边远", "remote")
            } else {
                Text::new("非边远", "not remote")
            };
            line(tr!(
                "  村民小组普查：{}{}{}（{}，{}）{} 户",
                "  village group census: {} {} {} ({}, {}), households: {}",
                g.township,
                g.village,
                g.village_group,
                in_role.get(lang),
                remote.get(lang),
                g.households
            ));
        }
        for short in sample.shortfalls.iter().filter(|s| s.county == county) {
            line(tr!(
                "  不足：{}",
                "  short: {}",
                sample.describe(short).get(lang)
            ));
        }
    }
    match out {
        Some(path) => line(tr!("已导出到 {}", "written to {}", path.display())),
        None => line(tr!(
            "导出给调查组：ruhu sample --show --out 样本.xlsx（或 .csv）",
            "export for field teams: ruhu sample --show --out sample.xlsx (or .csv)"
        )),
    }
    s
}
