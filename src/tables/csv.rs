//! Tables as CSV files for spreadsheets, through the one CSV writer ([`crate::sheet_csv`]):
//! a header of column ids, numbers as numbers, yes/no as the word in the user's language
//! (是/否, yes/no), choice codes as they are (the codebook reads them; several joined by
//! `,`), dates `YYYY-MM-DD`, times in the local time they were recorded in
//! (`YYYY-MM-DD HH:MM:SS`), empty where unanswered.

use std::io::{self, Write};

use super::column::{Table, Value};
use crate::i18n::Lang;
use crate::sheet_csv::{Cell, SheetCsv};

/// The word for yes or no in `lang`.
pub fn yes_no(b: bool, lang: Lang) -> &'static str {
    match (lang, b) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

/// A value as the text of a spreadsheet cell, and whether it is a number.
pub fn cell_text(v: &Value<'_>, lang: Lang) -> (String, bool) {
    match v {
        Value::Null => (String::new(), false),
        Value::Text(s) => (s.to_string(), false),
        Value::Int(i) => (i.to_string(), true),
        Value::Num(x) => (x.to_string(), true),
        Value::Bool(b) => (yes_no(*b, lang).to_string(), false),
        Value::Date(d) => (d.format("%Y-%m-%d").to_string(), false),
        Value::Time(t) => (t.format("%Y-%m-%d %H:%M:%S").to_string(), false),
        Value::Choices(c) => (c.join(","), false),
    }
}

/// Writes `table` as CSV (BOM, header row of column ids, one row per table row).
pub fn write_csv(table: &Table, lang: Lang, w: impl Write) -> io::Result<()> {
    let mut csv = SheetCsv::new(w, table.columns.iter().map(|c| c.id.as_str()))?;
    let views: Vec<_> = (0..table.columns.len()).map(|c| table.view(c)).collect();
    let mut cells: Vec<(String, bool)> = Vec::with_capacity(views.len());
    for r in 0..table.rows() {
        cells.clear();
        cells.extend(views.iter().map(|v| cell_text(&v.get(r), lang)));
        csv.row(cells.iter().map(|(s, number)| {
            if *number {
                Cell::Number(s)
            } else {
                Cell::Text(s)
            }
        }))?;
    }
    csv.finish()?;
    Ok(())
}
