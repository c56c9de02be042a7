//! Reading the first worksheet of an XLSX workbook row by row (calamine's streaming cell
//! reader: the sheet is never held whole). Cells become text the way a person reads them:
//! whole numbers without `.0` (Excel stores 家庭人口数 3 as 3.0), and numbers too long for
//! Excel to keep exact — ID numbers typed into a number cell — in scientific notation, which
//! the row checks reject with a clear reason instead of a wrong check digit.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{DataRef, Reader, SheetType, Xlsx};

use crate::i18n::Text;

use super::table::{Cells, PROGRESS_EVERY, Visitor, cannot_read};

/// Numbers at or above this are no longer exact in a double (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// The text of a number cell.
pub fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 {
        if v.abs() < EXACT {
            // exact: print as the integer it is
            return format!("{}", v as i64);
        }
        return format!("{v:E}");
    }
    v.to_string()
}

fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Reads the first worksheet of the workbook at `path` into `visitor`.
pub fn read(path: &Path, visitor: &mut dyn Visitor) -> Result<(), Text> {
    let file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let mut book: Xlsx<_> =
        Xlsx::new(BufReader::with_capacity(256 * 1024, file)).map_err(|e| cannot_read(path, e))?;
    let sheet = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| cannot_read(path, "no worksheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| cannot_read(path, e))?;
    let dims = cells.dimensions();
    let total = u64::from(dims.end.0) + 1;
    // Every row as wide as the sheet: cells left empty at the end of a row are not in the file.
    let width = dims.end.1.saturating_add(1);
    let mut record = Cells::new();
    let mut row: Option<u32> = None;
    let mut col = 0u32;
    let mut rows = 0u64;
    loop {
        let next = cells.next_cell().map_err(|e| cannot_read(path, e))?;
        let position = next.as_ref().map(|c| c.get_position());
        // A new row (or the end): hand over the row being built.
        if let Some(r) = row
            && position.is_none_or(|(nr, _)| nr != r)
        {
            while col < width {
                record.push_field("");
                col += 1;
            }
            visitor.row(u64::from(r) + 1, &record)?;
            rows += 1;
            if rows.is_multiple_of(PROGRESS_EVERY) {
                visitor.progress(u64::from(r) + 1, total);
            }
            row = None;
        }
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        if row.is_none() {
            row = Some(r);
            record.clear();
            col = 0;
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        // Cells come in column order; empty ones are left out of the file.
        while col < c {
            record.push_field("");
            col += 1;
        }
        if col == c {
            record.push_field(&text);
            col += 1;
        }
    }
    visitor.progress(total, total);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(3335.5), "3335.5");
        assert_eq!(number_text(532326007000000.0), "532326007000000");
        assert_eq!(number_text(-2.0), "-2");
        let id = number_text(532326194909155480.0);
        assert!(id.contains('E'), "{id}");
    }
}
