//! The sample for field teams: a CSV (UTF-8 with a byte-order mark, so that Excel and WPS read
//! the Chinese) or an XLSX workbook, with Chinese headers and labels.
//!
//! The CSV goes through the one CSV writer ([`crate::sheet_csv`]): a long household id is
//! written as `'999901000000001`, which a spreadsheet keeps as text instead of a rounded
//! number, and texts that look like formulas are marked the same way. The XLSX stores every
//! cell but the row number as a text cell.

use std::io::{self, Write};

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::sheet_csv::SheetCsv;

use super::model::{Sample, SampleEntry, place};

/// Columns of the sample sheet, in order.
pub const CSV_HEADERS: [&str; 10] = [
    "序号",
    "户编号",
    "户主姓名",
    "县",
    "乡镇",
    "行政村",
    "村民小组",
    "农户类型",
    "抽取原因",
    "原因代码",
];

/// The cells of one row, the household id as plain text.
fn row(n: usize, e: &SampleEntry) -> [String; 10] {
    [
        n.to_string(),
        e.household_id.clone(),
        e.head_name.clone(),
        e.county.clone(),
        e.township.clone(),
        e.village.clone(),
        e.village_group.clone(),
        e.kind.label().zh,
        e.reason.label().zh,
        e.reason.name().to_string(),
    ]
}

/// Writes the sample as CSV: BOM, header row, one row per household.
pub fn write_csv(sample: &Sample, w: impl Write) -> io::Result<()> {
    let mut csv = SheetCsv::new(w, CSV_HEADERS)?;
    for (i, e) in sample.entries.iter().enumerate() {
        let cells = row(i + 1, e);
        csv.text_row(cells.iter().map(String::as_str))?;
    }
    csv.finish()?;
    Ok(())
}

fn cell_count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The sample as an XLSX workbook: sheet 样本 (one row per household, every cell text) and
/// sheet 说明 (seed, year, sampled villages, census groups, shortfalls).
pub fn write_xlsx(sample: &Sample) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");

    let sheet = book.add_worksheet();
    sheet.set_name("样本")?;
    for (c, h) in (0u16..).zip(CSV_HEADERS) {
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    for (i, e) in sample.entries.iter().enumerate() {
        let r = cell_count(i + 1);
        for (c, cell) in (0u16..).zip(row(i + 1, e)) {
            if c == 0 {
                sheet.write_number(r, c, (i + 1) as f64)?;
            } else {
                sheet.write_string_with_format(r, c, cell, &text)?;
            }
        }
    }
    for (c, width) in (0u16..).zip([6, 18, 10, 18, 10, 10, 10, 10, 28, 20]) {
        sheet.set_column_width(c, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = cell_count(sample.entries.len());
    sheet.autofilter(0, 0, last, (CSV_HEADERS.len() - 1) as u16)?;

    let notes = book.add_worksheet();
    notes.set_name("说明")?;
    let mut r = 0u32;
    let mut line = |cells: &[String], bold_row: bool| -> Result<(), XlsxError> {
        for (c, cell) in (0u16..).zip(cells) {
            if bold_row {
                notes.write_string_with_format(r, c, cell, &bold)?;
            } else {
                notes.write_string_with_format(r, c, cell, &text)?;
            }
        }
        r += 1;
        Ok(())
    };
    line(&["随机种子".into(), sample.seed.to_string()], false)?;
    line(&["考核年度".into(), sample.year.to_string()], false)?;
    if let Some(at) = sample.drawn_at {
        // The laptop's local time as it was recorded, as a person reads it.
        line(
            &[
                "抽取时间".into(),
                at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ],
            false,
        )?;
    }
    line(
        &["样本户数".into(), sample.entries.len().to_string()],
        false,
    )?;
    line(&[], false)?;
    line(
        &[
            "样本村".into(),
            "县".into(),
            "类别".into(),
            "边远".into(),
            "贫困人口".into(),
            "户数".into(),
        ],
        true,
    )?;
    for v in &sample.villages {
        line(
            &[
                place(&v.township, &v.village),
                v.county.clone(),
                v.role.label().zh,
                if v.remote { "是" } else { "否" }.into(),
                v.poor_people.to_string(),
                v.households.to_string(),
            ],
            false,
        )?;
    }
    line(&[], false)?;
    line(
        &[
            "普查村民小组".into(),
            "县".into(),
            "所在村类别".into(),
            "边远户".into(),
            "户数".into(),
        ],
        true,
    )?;
    for g in &sample.census_groups {
        line(
            &[
                format!("{}{}", place(&g.township, &g.village), g.village_group),
                g.county.clone(),
                g.role.label().zh,
                g.remote_households.to_string(),
                g.households.to_string(),
            ],
            false,
        )?;
    }
    if !sample.shortfalls.is_empty() {
        line(&[], false)?;
        line(&["不足说明".into()], true)?;
        for s in &sample.shortfalls {
            line(&[sample.describe(s).zh], false)?;
        }
    }
    notes.set_column_width(0, 40)?;
    for c in 1..6u16 {
        notes.set_column_width(c, 14)?;
    }
    book.save_to_buffer()
}
