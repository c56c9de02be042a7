//! The report as one self-contained HTML file: inline styles (print CSS for A4: a county per
//! page run, table rows kept whole, table headers repeated), charts as inline SVG, no script,
//! no font file, no address outside the file. Chinese renders with the reader's system fonts
//! (a `font-family` list of the common CJK fonts). Every text from data is escaped, and ID
//! numbers in it are masked unless asked otherwise.

use std::borrow::Cow;
use std::fmt::Write;

use super::model::{County, CountyCoverage, Entry, Report, VillageFindings};
use super::svg::{self, Bar, Chart};
use crate::i18n::Lang;
use crate::reconcile::export::{ExportOptions, evidence_text, percent, rate_label};
use crate::reconcile::{GroupRates, MarkStatus, Rate, RateName, Severity};

/// Text escaped for HTML content and attribute values.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The CJK fonts a reader's system is likely to have, then the generic family.
pub const FONT_FAMILY: &str = r#""Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun", "Songti SC", sans-serif"#;

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { font-family: FONTS; font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 8mm 4mm; background: #ffffff; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 15pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #1f4e96; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 9pt; }
th, td { border: 1px solid #b8b8b8; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #eef2f8; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
.fail { color: #c62828; font-weight: bold; }
.pass { color: #2e7d32; }
.note { color: #555555; font-size: 9pt; }
.empty { padding: 3mm; border: 1px dashed #b8b8b8; color: #555555; }
.meta td { border: none; padding: 0.5mm 3mm 0.5mm 0; }
.meta { width: auto; font-size: 10pt; }
figure { margin: 2mm 0 4mm; }
figcaption { font-weight: bold; font-size: 10pt; margin-bottom: 1mm; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: FONTS; }
.mark-confirmed { color: #1f4e96; font-weight: bold; }
.mark-dismissed { color: #6d6d6d; font-weight: bold; }
.unmarked { color: #8a6d00; }
.evidence { font-size: 8.5pt; color: #333333; }
table.findings { table-layout: fixed; }
table.findings td { overflow-wrap: anywhere; word-break: break-word; }
ul.not-visited { columns: 3; column-gap: 6mm; margin: 0 0 3mm; padding-left: 5mm; font-size: 9pt; }
ul.not-visited li { break-inside: avoid; }
p.village-list { margin: 2mm 0 1mm; font-weight: bold; font-size: 9.5pt; }
.county { margin-top: 8mm; }
@page { size: A4; margin: 14mm 12mm 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .county { margin-top: 0; }
  .county + .county { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr, figure, svg, .meta { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  th { background: #eef2f8 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

struct Writer {
    out: String,
    lang: Lang,
    opts: ExportOptions,
}

impl Writer {
    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A text from data: ID numbers masked unless `--show-ids`, escaped.
    fn data(&self, s: &str) -> String {
        if self.opts.show_ids {
            escape(s).into_owned()
        } else {
            escape(&crate::redact::mask_ids(s)).into_owned()
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }
}

/// The report as HTML. Household ids (户编号) are written as they are, as in the findings
/// exports: the county office finds a household by them.
pub fn write(report: &Report, opts: ExportOptions) -> String {
    let mut w = Writer {
        out: String::with_capacity(64 * 1024 + report.findings() * 700),
        lang: opts.lang,
        opts,
    };
    let title = w.t("脱贫攻坚成效考核 入户核查报告", "Household check report");
    let lang_attr = w.t("zh-CN", "en");
    let _ = writeln!(
        w.out,
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{}</style>\n</head>\n<body>",
        STYLE.replace("FONTS", FONT_FAMILY)
    );
    header(&mut w, report, title);
    if report.counties.is_empty() {
        let note = w.t(
            "没有可报告的内容：还没有调查，也没有抽样。",
            "There is nothing to report: no interviews and no sample yet.",
        );
        let _ = writeln!(w.out, "<p class=\"empty\">{note}</p>");
    }
    for c in &report.counties {
        county(&mut w, report, c);
    }
    w.push("</body>\n</html>\n");
    w.out
}

fn header(w: &mut Writer, report: &Report, title: &str) {
    let _ = write!(w.out, "<header>\n<h1>{title}</h1>\n<table class=\"meta\">");
    let line = report
        .income_line
        .map_or_else(|| "-".to_string(), |l| format!("{l}"));
    let rows = [
        (
            w.t("考核年度", "Assessment year"),
            report.assessment_year.to_string(),
        ),
        (
            w.t(
                "贫困线（年人均纯收入）",
                "Income line (net income per head)",
            ),
            format!("{line} {}", w.t("元", "yuan")),
        ),
        (
            w.t("生成时间", "Made"),
            report.made_at.format("%Y-%m-%d %H:%M").to_string(),
        ),
        (
            w.t("调查", "Interviews"),
            match w.lang {
                Lang::Zh => format!(
                    "读取调查 {} 份；本报告各县已完成调查的农户 {} 户",
                    report.interviews,
                    report.households()
                ),
                Lang::En => format!(
                    "{} interviews read; {} households with a completed interview in the counties of this report",
                    report.interviews,
                    report.households()
                ),
            },
        ),
        (
            w.t("县", "Counties"),
            if report.counties.is_empty() {
                "-".to_string()
            } else {
                report
                    .counties
                    .iter()
                    .map(|c| w.data(&c.name))
                    .collect::<Vec<_>>()
                    .join(w.t("、", ", "))
            },
        ),
    ];
    for (k, v) in rows {
        let _ = write!(w.out, "<tr><td>{k}</td><td>{v}</td></tr>");
    }
    w.push("</table>\n");
    let note = w.t(
        "错退率、漏评率、错评率按人数计，认可度、满意度按户数计。“发现时”为核查规则发现的全部问题；“复核后”不计核查人员已排除的问题。",
        "Wrong-exit, missed and wrong-inclusion rates count people; acceptance and satisfaction count households. \u{201c}As found\u{201d}: every finding the rules raised; \u{201c}after review\u{201d}: without the findings auditors dismissed.",
    );
    let _ = writeln!(w.out, "<p class=\"note\">{note}</p>\n</header>");
}

fn county(w: &mut Writer, report: &Report, c: &County) {
    let name = w.data(&c.name);
    let _ = writeln!(w.out, "<section class=\"county\">\n<h2>{name}</h2>");
    let n = c.finding_count();
    let confirmed = c.marked(MarkStatus::Confirmed);
    let dismissed = c.marked(MarkStatus::Dismissed);
    let summary = match w.lang {
        Lang::Zh => format!(
            "已完成调查 {} 户 {} 人；核查问题 {} 条（已确认 {}，已排除 {}，未核查 {}）",
            c.found.households,
            c.found.people,
            n,
            confirmed,
            dismissed,
            n - confirmed - dismissed
        ),
        Lang::En => format!(
            "{} households ({} people) with a completed interview; {} findings ({} confirmed, {} dismissed, {} not reviewed)",
            c.found.households,
            c.found.people,
            n,
            confirmed,
            dismissed,
            n - confirmed - dismissed
        ),
    };
    let _ = writeln!(w.out, "<p>{summary}</p>");
    rates_table(w, c);
    charts(w, c);
    coverage(w, report, c.coverage.as_ref());
    findings(w, &c.findings);
    w.push("</section>\n");
}

/// `> 2.00%` (failing above) or `< 90.00%` (failing below); `-` without a threshold.
fn threshold_text(name: RateName, r: &Rate) -> String {
    match r.threshold {
        None => "-".to_string(),
        Some(_) if name.fails_above() => format!("&gt; {}", percent(r.threshold)),
        Some(_) => format!("&lt; {}", percent(r.threshold)),
    }
}

fn result_cell(w: &Writer, r: &Rate) -> String {
    if r.failing {
        format!("<td class=\"fail\">✗ {}</td>", w.t("不达标", "failing"))
    } else if r.rate.is_none() || r.threshold.is_none() {
        "<td>-</td>".to_string()
    } else {
        format!("<td class=\"pass\">{}</td>", w.t("达标", "passing"))
    }
}

fn unit(w: &Writer, name: RateName) -> &'static str {
    match (name.fails_above(), w.lang) {
        (true, Lang::Zh) => "人",
        (true, Lang::En) => "people",
        (false, Lang::Zh) => "户",
        (false, Lang::En) => "households",
    }
}

fn rate(g: &GroupRates, name: RateName) -> &Rate {
    g.rates
        .iter()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| r)
        .unwrap_or(&g.rates.wrong_exit)
}

fn rates_table(w: &mut Writer, c: &County) {
    let heading = w.t("比率：发现时与复核后", "Rates as found and after review");
    let _ = write!(
        w.out,
        "<h3>{heading}</h3>\n<table class=\"rates\"><thead><tr><th rowspan=\"2\">{}</th><th rowspan=\"2\">{}</th><th colspan=\"3\">{}</th><th colspan=\"3\">{}</th></tr><tr><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        w.t("指标", "Rate"),
        w.t("不达标线", "Failing if"),
        w.t("发现时", "As found"),
        w.t("复核后", "After review"),
        w.t("比率", "rate"),
        w.t("分子/分母", "of"),
        w.t("结果", "result"),
        w.t("比率", "rate"),
        w.t("分子/分母", "of"),
        w.t("结果", "result"),
    );
    for name in RateName::ALL {
        let found = rate(&c.found, name);
        let reviewed = rate(&c.reviewed, name);
        let u = unit(w, name);
        let _ = write!(
            w.out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {} {u}</td>{}<td class=\"num\">{}</td><td class=\"num\">{} / {} {u}</td>{}</tr>",
            rate_label(name).get(w.lang),
            threshold_text(name, found),
            percent(found.rate),
            found.numerator,
            found.denominator,
            result_cell(w, found),
            percent(reviewed.rate),
            reviewed.numerator,
            reviewed.denominator,
            result_cell(w, reviewed),
        );
    }
    w.push("</tbody></table>\n");
    if c.found.households == 0 {
        let note = w.t(
            "本县还没有已完成的调查，比率无从计算。",
            "No interview of this county is completed yet: there is nothing to count.",
        );
        let _ = writeln!(w.out, "<p class=\"empty\">{note}</p>");
    }
}

fn charts(w: &mut Writer, c: &County) {
    if c.villages.is_empty() {
        return;
    }
    let heading = w.t("各村比率", "Rates by village");
    let _ = writeln!(w.out, "<h3>{heading}</h3>");
    let legend = [
        w.t("发现时", "as found"),
        w.t("复核后", "after review"),
        w.t("不达标线", "threshold"),
        w.t("复核后不达标", "failing after review"),
        w.t("无样本", "none counted"),
    ];
    for name in RateName::ALL {
        let bars: Vec<Bar> = c
            .villages
            .iter()
            .map(|v| {
                let found = rate(&v.found, name);
                let reviewed = rate(&v.reviewed, name);
                Bar {
                    label: if v.township.is_empty() {
                        v.village.clone()
                    } else {
                        format!("{}{}", v.township, v.village)
                    },
                    found: found.rate,
                    reviewed: reviewed.rate,
                    failing: reviewed.failing,
                }
            })
            .collect();
        let label = rate_label(name).get(w.lang).to_string();
        let threshold = rate(&c.found, name).threshold;
        let title = match w.lang {
            Lang::Zh => format!("{label}（按村）"),
            Lang::En => format!("{label} by village"),
        };
        let caption = match (threshold, w.lang) {
            (None, _) => title.clone(),
            (Some(t), Lang::Zh) => format!(
                "{title}：{}{}为不达标",
                if name.fails_above() {
                    "高于"
                } else {
                    "低于"
                },
                percent(Some(t))
            ),
            (Some(t), Lang::En) => format!(
                "{title}: failing {} {}",
                if name.fails_above() { "above" } else { "below" },
                percent(Some(t))
            ),
        };
        let chart = svg::bar_chart(&Chart {
            title: &title,
            bars: &bars,
            threshold,
            legend,
        });
        let caption = w.data(&caption);
        let _ = writeln!(
            w.out,
            "<figure class=\"rate-chart\" data-rate=\"{}\"><figcaption>{caption}</figcaption>{chart}</figure>",
            name.name()
        );
    }
}

fn coverage(w: &mut Writer, report: &Report, c: Option<&CountyCoverage>) {
    let heading = w.t("抽样覆盖", "Coverage of the sample");
    let _ = writeln!(w.out, "<h3>{heading}</h3>");
    let Some(c) = c.filter(|_| report.sample_drawn) else {
        let note = w.t(
            "还没有抽样（ruhu sample --seed N），无从统计覆盖。",
            "No sample is drawn yet (ruhu sample --seed N): there is no coverage to show.",
        );
        let _ = writeln!(w.out, "<p class=\"empty\">{note}</p>");
        return;
    };
    if c.rows.is_empty() {
        let note = w.t(
            "本县没有抽中的农户。",
            "No household of this county is in the sample.",
        );
        let _ = writeln!(w.out, "<p class=\"empty\">{note}</p>");
        return;
    }
    let _ = write!(
        w.out,
        "<table class=\"coverage\"><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        w.t("乡镇", "Township"),
        w.t("村", "Village"),
        w.t("抽中", "Drawn"),
        w.t("已调查", "Interviewed"),
        w.t("已完成", "Completed"),
        w.t("已通过", "Approved"),
        w.t("已退回", "Returned"),
        w.t("完成比例", "Completed share"),
    );
    let share = |done: usize, drawn: usize| {
        if drawn == 0 {
            "-".to_string()
        } else {
            percent(Some(done as f64 / drawn as f64))
        }
    };
    for r in &c.rows {
        let _ = write!(
            w.out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            w.data(&r.township),
            w.data(&r.village),
            r.counts.drawn,
            r.counts.interviewed,
            r.counts.completed,
            r.counts.approved,
            r.counts.returned,
            share(r.counts.completed, r.counts.drawn)
        );
    }
    let t = &c.total;
    let _ = writeln!(
        w.out,
        "<tr><th colspan=\"2\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></tbody></table>",
        w.t("合计", "Total"),
        t.drawn,
        t.interviewed,
        t.completed,
        t.approved,
        t.returned,
        share(t.completed, t.drawn)
    );
    if c.not_visited.is_empty() {
        let note = w.t(
            "抽中户都已调查。",
            "Every sampled household has been visited.",
        );
        let _ = writeln!(w.out, "<p class=\"note\">{note}</p>");
        return;
    }
    let heading = match w.lang {
        Lang::Zh => format!("尚未调查的抽中户（{} 户）", c.not_visited.len()),
        Lang::En => format!(
            "Sampled households not visited yet ({})",
            c.not_visited.len()
        ),
    };
    let _ = writeln!(w.out, "<h4>{heading}</h4>");
    // By village, in columns: the list can be long.
    let mut i = 0;
    while i < c.not_visited.len() {
        let first = &c.not_visited[i];
        let n = c.not_visited[i..]
            .iter()
            .take_while(|h| h.township == first.township && h.village == first.village)
            .count();
        let count = match w.lang {
            Lang::Zh => format!("（{n} 户）"),
            Lang::En => format!(" ({n})"),
        };
        let _ = write!(
            w.out,
            "<p class=\"village-list\">{}{}{count}</p><ul class=\"not-visited\">",
            w.data(&first.township),
            w.data(&first.village)
        );
        for h in &c.not_visited[i..i + n] {
            let _ = write!(
                w.out,
                "<li>{} {} <span class=\"note\">{}</span></li>",
                escape(&h.household_id),
                w.data(&h.head_name),
                w.data(&h.village_group),
            );
        }
        w.push("</ul>\n");
        i += n;
    }
}

fn findings(w: &mut Writer, villages: &[VillageFindings]) {
    let heading = w.t("核查问题（按村）", "Findings by village");
    let _ = writeln!(w.out, "<h3>{heading}</h3>");
    if villages.is_empty() {
        let note = w.t(
            "本县没有核查问题。",
            "The rules raised no finding in this county.",
        );
        let _ = writeln!(w.out, "<p class=\"empty\">{note}</p>");
        return;
    }
    let unlisted: usize = villages.iter().map(|v| v.warnings_not_listed).sum();
    if unlisted > 0 {
        let note = match w.lang {
            Lang::Zh => format!(
                "下表列出计入比率的问题和核查人员已标记的提示；另有未标记的提示 {unlisted} 条（成员信息核对等，供调查员参考）未列出，可用 ruhu findings 查看。"
            ),
            Lang::En => format!(
                "Listed: the findings that count toward the rates, and the warnings an auditor marked; {unlisted} unmarked warnings (member checks and other hints for the interviewer) are not listed: ruhu findings lists them."
            ),
        };
        let _ = writeln!(w.out, "<p class=\"note\">{note}</p>");
    }
    for v in villages {
        let name = format!("{}{}", v.township, v.village);
        let count = match (w.lang, v.warnings_not_listed) {
            (Lang::Zh, 0) => format!("（{} 条）", v.findings.len()),
            (Lang::Zh, n) => format!("（{} 条；未列出的提示 {n} 条）", v.findings.len()),
            (Lang::En, 0) => format!(" ({})", v.findings.len()),
            (Lang::En, n) => format!(" ({}; {n} unlisted warnings)", v.findings.len()),
        };
        if v.findings.is_empty() {
            let _ = writeln!(w.out, "<h4>{}{count}</h4>", w.data(&name));
            continue;
        }
        let _ = write!(
            w.out,
            "<h4>{}{count}</h4>\n<table class=\"findings\"><colgroup><col style=\"width:18%\"><col style=\"width:9%\"><col style=\"width:8%\"><col style=\"width:24%\"><col style=\"width:25%\"><col style=\"width:16%\"></colgroup><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            w.data(&name),
            w.t("户编号", "Household"),
            w.t("户主", "Head"),
            w.t("类别", "Kind"),
            w.t("说明", "Finding"),
            w.t("依据", "Evidence"),
            w.t("核查结论", "Auditor's mark"),
        );
        for e in &v.findings {
            finding_row(w, e);
        }
        w.push("</tbody></table>\n");
    }
}

fn finding_row(w: &mut Writer, e: &Entry) {
    let f = e.finding;
    let mut kind = f.kind.label().get(w.lang).to_string();
    if f.severity == Severity::Warning {
        kind.push_str(w.t("（提示）", " (warning)"));
    }
    let message = match &f.visits {
        Some(v) => format!("{}（{}）", f.message.get(w.lang), v.text().get(w.lang)),
        None => f.message.get(w.lang).to_string(),
    };
    let evidence = evidence_text(f, w.opts);
    let mark = match e.mark {
        None => format!(
            "<span class=\"unmarked\">{}</span>",
            w.t("未核查", "not reviewed")
        ),
        Some(m) => {
            let class = match m.status {
                MarkStatus::Confirmed => "mark-confirmed",
                MarkStatus::Dismissed => "mark-dismissed",
            };
            let mut s = format!(
                "<span class=\"{class}\">{}</span>",
                m.status.label().get(w.lang)
            );
            if !m.comment.is_empty() {
                let _ = write!(s, "<br>{}", w.data(&m.comment));
            }
            let _ = write!(
                s,
                "<br><span class=\"note\">{} {}</span>",
                w.data(&m.by),
                m.at.format("%Y-%m-%d %H:%M")
            );
            s
        }
    };
    let _ = write!(
        w.out,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"evidence\">{}</td><td>{mark}</td></tr>",
        escape(&f.household_id),
        w.data(&f.head_name),
        escape(&kind),
        w.data(&message),
        // Already masked as asked (`evidence_text` takes the options).
        escape(&evidence),
    );
}
