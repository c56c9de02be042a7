//! Tables as one XLSX workbook (rows streamed to temporary files, owner-only and removed at
//! once, instead of held in memory), a sheet per table (named by the table: `answers`, a roster's
//! id, `codebook`): numbers as number cells, every other value as a text cell in the same
//! words as the CSV files (`csv::cell_text`), the header row bold and frozen.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::column::{Table, Value};
use crate::i18n::Lang;

/// Rows a worksheet holds, the header included.
pub const MAX_SHEET_ROWS: usize = 1_048_576;

/// The tables as a workbook. A table longer than a sheet holds is an error naming it.
pub fn write_xlsx<'a>(
    tables: impl IntoIterator<Item = &'a Table>,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for table in tables {
        if table.rows() + 1 > MAX_SHEET_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        // Rows are written in order and go to a temporary file as they are done, so that a
        // county's interviews do not sit in memory as cells (3 GB for 100,000 otherwise).
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(&table.name)?;
        for (c, col) in (0u16..).zip(&table.columns) {
            sheet.write_string_with_format(0, c, &col.id, &bold)?;
        }
        let views: Vec<_> = (0..table.columns.len()).map(|c| table.view(c)).collect();
        for r in 0..table.rows() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, view) in (0u16..).zip(&views) {
                match view.get(r) {
                    Value::Null => {}
                    Value::Int(i) => {
                        sheet.write_number(row, c, i as f64)?;
                    }
                    Value::Num(x) => {
                        sheet.write_number(row, c, x)?;
                    }
                    v => {
                        let (s, _) = super::csv::cell_text(&v, lang);
                        sheet.write_string_with_format(row, c, s, &text)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}
