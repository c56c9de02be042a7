//! Findings and rates for people and scripts: JSON (docs/cli.md), CSV and XLSX.
//!
//! - ID numbers in evidence (and in auditors' comments) are masked as the first 4 characters,
//!   ten `*` and the last 4 (`5323**********1234`) unless `show_ids` is set.
//! - CSV goes through the one CSV writer ([`crate::sheet_csv`]): UTF-8 with a byte-order
//!   mark, formula-looking texts and identifiers marked with a leading `'`.
//! - In XLSX every cell is written as a text cell, which a spreadsheet never evaluates, so
//!   cells are written as they are.

use std::collections::HashMap;
use std::io::{self, Write};

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Value as Json, json};

use super::finding::{Evidence, EvidenceSource, Finding, FindingKey};
use super::mark::Mark;
use super::rates::{GroupRates, Rate, RateReport};
use super::settings::RateName;
use crate::i18n::{Lang, Text};
use crate::sheet_csv::{Cell, SheetCsv};

/// The marks of findings, by finding identity (as `Store::marks` returns them).
pub type Marks = HashMap<FindingKey, Mark>;

/// How findings are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub lang: Lang,
    /// Write ID numbers in full instead of masked.
    pub show_ids: bool,
}

fn masked(s: &str, show_ids: bool) -> String {
    if show_ids {
        s.to_string()
    } else {
        crate::redact::mask_ids(s)
    }
}

/// A JSON value as text: texts as they are, lists joined by `,`, missing as `—`.
pub fn json_text(v: &Json) -> String {
    match v {
        Json::Null => "-".to_string(),
        Json::String(s) => s.clone(),
        Json::Bool(true) => "yes".to_string(),
        Json::Bool(false) => "no".to_string(),
        Json::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// A finding's evidence in words as one line (its explanation's lines joined by `；`),
/// ID numbers masked unless `show_ids`: the text of the evidence column of every export and
/// of the command line. A finding without an explanation gives its evidence by name.
pub fn evidence_text(f: &Finding, opts: ExportOptions) -> String {
    let sep = match opts.lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    };
    if f.explanation.is_empty() {
        return f
            .evidence
            .iter()
            .map(|e| {
                format!(
                    "{} {}={}",
                    e.source.label().get(opts.lang),
                    e.name,
                    masked(&json_text(&e.value), opts.show_ids)
                )
            })
            .collect::<Vec<_>>()
            .join(sep);
    }
    f.explanation
        .iter()
        .map(|t| masked(t.get(opts.lang), opts.show_ids))
        .collect::<Vec<_>>()
        .join(sep)
}

/// A finding's explanation, line by line, in one language, ID numbers masked unless
/// `show_ids` (for a screen or report that shows the lines one under another).
pub fn explanation_lines(f: &Finding, opts: ExportOptions) -> Vec<String> {
    f.explanation
        .iter()
        .map(|t| masked(t.get(opts.lang), opts.show_ids))
        .collect()
}

/// The JSON of a mark (`null` without one).
pub fn mark_json(mark: Option<&Mark>, show_ids: bool) -> Json {
    match mark {
        None => Json::Null,
        Some(m) => json!({
            "status": m.status,
            "comment": masked(&m.comment, show_ids),
            "by": m.by,
            "at": m.at,
        }),
    }
}

/// The stable JSON of a finding with its mark (docs/cli.md).
pub fn finding_json(f: &Finding, mark: Option<&Mark>, show_ids: bool) -> Json {
    let evidence: Vec<Json> = f
        .evidence
        .iter()
        .map(|e| {
            json!({
                "source": e.source,
                "name": e.name,
                "value": if show_ids { e.value.clone() } else { crate::redact::mask_json(&e.value) },
            })
        })
        .collect();
    json!({
        "finding_id": f.short_id(),
        "household_id": f.household_id,
        "interview_id": f.interview_id,
        "head_name": f.head_name,
        "county": f.county,
        "township": f.township,
        "village": f.village,
        "household_kind": f.household_kind,
        "subject": f.subject,
        "kind": f.kind,
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "evidence": evidence,
        "explanation": f.explanation.iter().map(|t| json!({
            "zh": masked(&t.zh, show_ids),
            "en": masked(&t.en, show_ids),
        })).collect::<Vec<_>>(),
        "interviewer": f.interviewer,
        "in_progress": f.in_progress,
        "visits": f.visits,
        "mark": mark_json(mark, show_ids),
    })
}

/// Findings as a JSON array.
pub fn findings_json(findings: &[Finding], marks: &Marks, show_ids: bool) -> Json {
    Json::Array(
        findings
            .iter()
            .map(|f| finding_json(f, marks.get(&f.key()), show_ids))
            .collect(),
    )
}

/// Column headers of the findings sheet.
pub const FINDING_HEADERS: [(&str, &str); 19] = [
    ("户编号", "household_id"),
    ("户主", "head_name"),
    ("县", "county"),
    ("乡镇", "township"),
    ("村", "village"),
    ("农户类型", "household_kind"),
    ("调查编号", "interview_id"),
    ("调查状态", "interview_status"),
    ("类别", "kind"),
    ("规则", "rule"),
    ("级别", "severity"),
    ("说明", "message"),
    ("依据", "evidence"),
    ("核查结论", "mark"),
    ("核查意见", "comment"),
    ("核查人", "marked_by"),
    ("核查时间", "marked_at"),
    ("调查员", "interviewer"),
    ("核查编号", "finding_id"),
];

fn header(h: (&str, &str), lang: Lang) -> String {
    match lang {
        Lang::Zh => h.0.to_string(),
        Lang::En => h.1.to_string(),
    }
}

/// The text of whether the interview is completed.
pub fn interview_status(in_progress: bool) -> Text {
    if in_progress {
        Text::new("进行中", "in progress")
    } else {
        Text::new("已完成", "completed")
    }
}

/// Whether the interview is completed and, for a household visited more than once, which
/// visit this is.
pub fn finding_status(f: &Finding) -> Text {
    let status = interview_status(f.in_progress);
    match &f.visits {
        None => status,
        Some(v) => Text::new(
            format!("{}；{}", status.zh, v.text().zh),
            format!("{}; {}", status.en, v.text().en),
        ),
    }
}

/// The cells of one finding, as people read them (labels in `lang`, IDs masked unless
/// asked), before any spreadsheet escaping.
pub fn finding_cells(f: &Finding, mark: Option<&Mark>, opts: ExportOptions) -> [String; 19] {
    let l = opts.lang;
    [
        f.household_id.clone(),
        f.head_name.clone(),
        f.county.clone(),
        f.township.clone(),
        f.village.clone(),
        f.household_kind.label().get(l).to_string(),
        f.interview_id.to_string(),
        finding_status(f).get(l).to_string(),
        f.kind.label().get(l).to_string(),
        f.rule.clone(),
        f.severity.label().get(l).to_string(),
        f.message.get(l).to_string(),
        evidence_text(f, opts),
        mark.map(|m| m.status.label().get(l).to_string())
            .unwrap_or_default(),
        mark.map(|m| masked(&m.comment, opts.show_ids))
            .unwrap_or_default(),
        mark.map(|m| m.by.clone()).unwrap_or_default(),
        mark.map(|m| m.at.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        f.interviewer.clone(),
        f.short_id(),
    ]
}

/// The column of the findings sheet an auditor fills with a verdict: `核查结论` / `mark`.
pub const MARK_COLUMN: usize = 13;
/// The comment column: `核查意见` / `comment`.
pub const COMMENT_COLUMN: usize = 14;
/// The finding's short id: `核查编号` / `finding_id`.
pub const FINDING_ID_COLUMN: usize = 18;

/// Writes findings as CSV (BOM, header row, one row per finding, formula-safe cells).
pub fn write_findings_csv(
    findings: &[Finding],
    marks: &Marks,
    opts: ExportOptions,
    w: impl Write,
) -> io::Result<()> {
    let headers: Vec<String> = FINDING_HEADERS
        .iter()
        .map(|h| header(*h, opts.lang))
        .collect();
    let mut csv = SheetCsv::new(w, headers.iter().map(String::as_str))?;
    for f in findings {
        let cells = finding_cells(f, marks.get(&f.key()), opts);
        csv.text_row(cells.iter().map(String::as_str))?;
    }
    csv.finish()?;
    Ok(())
}

fn col(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn row(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Findings as an XLSX workbook: one sheet, every cell text.
pub fn write_findings_xlsx(
    findings: &[Finding],
    marks: &Marks,
    opts: ExportOptions,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(match opts.lang {
        Lang::Zh => "核查问题",
        Lang::En => "findings",
    })?;
    for (c, h) in FINDING_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), header(*h, opts.lang), &bold)?;
    }
    for (i, f) in findings.iter().enumerate() {
        for (c, cell) in finding_cells(f, marks.get(&f.key()), opts)
            .iter()
            .enumerate()
        {
            sheet.write_string_with_format(row(i + 1), col(c), cell, &text)?;
        }
    }
    let widths = [
        18, 10, 14, 10, 10, 10, 38, 8, 8, 30, 6, 50, 60, 8, 30, 10, 16, 10, 14,
    ];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c), *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, row(findings.len()), col(FINDING_HEADERS.len() - 1))?;
    book.save_to_buffer()
}

/// The name of a rate for people.
pub fn rate_label(name: RateName) -> Text {
    match name {
        RateName::WrongExit => Text::new("错退率", "wrong-exit rate"),
        RateName::Missed => Text::new("漏评率", "missed rate"),
        RateName::WrongInclusion => Text::new("错评率", "wrong-inclusion rate"),
        RateName::Acceptance => Text::new("认可度", "acceptance"),
        RateName::Satisfaction => Text::new("满意度", "satisfaction"),
    }
}

/// A fraction as a percentage with two decimals (`2.50%`), `-` when there is none (ASCII:
/// the dash "—" is of ambiguous width and takes two cells in many Chinese terminals).
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{:.2}%", x * 100.0))
}

/// The place of a group: `县 / 乡镇 / 村` as far as grouped; the total is 合计 / total.
pub fn group_place(g: &GroupRates, lang: Lang) -> String {
    let parts: Vec<&str> = [&g.county, &g.township, &g.village]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if g.county.is_none() {
        return Text::new("合计", "total").get(lang).to_string();
    }
    parts
        .iter()
        .map(|p| if p.is_empty() { "-" } else { p })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Column headers of the rates sheet (one row per group and rate).
pub const RATE_HEADERS: [(&str, &str); 11] = [
    ("县", "county"),
    ("乡镇", "township"),
    ("村", "village"),
    ("指标", "rate"),
    ("分子", "numerator"),
    ("分母", "denominator"),
    ("单位", "unit"),
    ("比率", "value"),
    ("阈值", "threshold"),
    ("结果", "result"),
    ("指标代码", "rate_id"),
];

/// The rows of the rates sheet: every group, then the total.
pub fn rate_rows(report: &RateReport, lang: Lang) -> Vec<[String; 11]> {
    let total_label = Text::new("合计", "total").get(lang).to_string();
    rate_entries(report)
        .map(|(g, name, r)| rate_cells(g, name, r, lang, &total_label))
        .collect()
}

/// Every group's rates, then the total's: the rows of the rates sheet.
fn rate_entries(report: &RateReport) -> impl Iterator<Item = (&GroupRates, RateName, &Rate)> {
    report
        .groups
        .iter()
        .chain(std::iter::once(&report.total))
        .flat_map(|g| g.rates.iter().map(move |(name, r)| (g, name, r)))
}

fn rate_cells(
    g: &GroupRates,
    name: RateName,
    r: &Rate,
    lang: Lang,
    total_label: &str,
) -> [String; 11] {
    let unit = match r.unit {
        super::rates::Unit::People => Text::new("人", "people"),
        super::rates::Unit::Households => Text::new("户", "households"),
    };
    let result = if r.failing {
        Text::new("不达标", "failing")
    } else if r.threshold.is_none() || r.rate.is_none() {
        Text::new("", "")
    } else {
        Text::new("达标", "passing")
    };
    [
        g.county.clone().unwrap_or_else(|| total_label.to_string()),
        g.township.clone().unwrap_or_default(),
        g.village.clone().unwrap_or_default(),
        rate_label(name).get(lang).to_string(),
        r.numerator.to_string(),
        r.denominator.to_string(),
        unit.get(lang).to_string(),
        percent(r.rate),
        percent(r.threshold),
        result.get(lang).to_string(),
        name.name().to_string(),
    ]
}

/// Writes the rates as CSV (BOM, formula-safe cells).
pub fn write_rates_csv(report: &RateReport, lang: Lang, w: impl Write) -> io::Result<()> {
    let headers: Vec<String> = RATE_HEADERS.iter().map(|h| header(*h, lang)).collect();
    let mut csv = SheetCsv::new(w, headers.iter().map(String::as_str))?;
    for cells in rate_rows(report, lang) {
        // Numerator, denominator, rate and threshold are numbers.
        csv.row(cells.iter().enumerate().map(|(i, c)| match i {
            4 | 5 | 7 | 8 => Cell::Number(c),
            _ => Cell::Text(c),
        }))?;
    }
    csv.finish()?;
    Ok(())
}

/// The rates as an XLSX workbook: numerators and denominators as numbers, the rate and its
/// threshold as fractions shown as percentages (`0.00%`), so that a spreadsheet sorts and
/// sums them; an empty cell where there is none.
pub fn write_rates_xlsx(report: &RateReport, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let pct = Format::new().set_num_format("0.00%");
    let sheet = book.add_worksheet();
    sheet.set_name(match lang {
        Lang::Zh => "比率",
        Lang::En => "rates",
    })?;
    for (c, h) in RATE_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), header(*h, lang), &bold)?;
    }
    let rows = rate_rows(report, lang);
    for (i, (cells, (_, _, rate))) in rows.iter().zip(rate_entries(report)).enumerate() {
        let r = row(i + 1);
        for (c, cell) in cells.iter().enumerate() {
            match c {
                4 => sheet.write_number(r, col(c), rate.numerator as f64)?,
                5 => sheet.write_number(r, col(c), rate.denominator as f64)?,
                7 | 8 => match if c == 7 { rate.rate } else { rate.threshold } {
                    Some(x) => sheet.write_number_with_format(r, col(c), x, &pct)?,
                    None => sheet,
                },
                _ => sheet.write_string_with_format(r, col(c), cell, &text)?,
            };
        }
    }
    for (c, w) in [14, 10, 10, 14, 8, 8, 6, 10, 10, 8, 16].iter().enumerate() {
        sheet.set_column_width(col(c), *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// Evidence split by source: answers, registry values, settings (for a screen that shows the
/// registry and the answers side by side).
pub fn split_evidence(evidence: &[Evidence]) -> (Vec<&Evidence>, Vec<&Evidence>, Vec<&Evidence>) {
    let pick = |s: EvidenceSource| evidence.iter().filter(move |e| e.source == s).collect();
    (
        pick(EvidenceSource::Answer),
        pick(EvidenceSource::Registry),
        pick(EvidenceSource::Setting),
    )
}
