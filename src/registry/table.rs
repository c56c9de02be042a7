//! A registry file as a stream of rows, whatever its format: the CSV and XLSX readers call a
//! [`Visitor`] with the header row, then each row with its line (CSV: the line in the file
//! where the row starts, header = 1; XLSX: the sheet row), so that no file is ever held whole.

use std::path::Path;

use crate::i18n::Text;
use crate::tr;

use super::encoding::{Encoding, EncodingChoice};
use super::{read_csv, read_xlsx};

/// The cells of one row (cells past the end read as missing).
pub type Cells = csv::StringRecord;

/// How often, in rows, readers report progress.
pub const PROGRESS_EVERY: u64 = 8192;

/// What a reader calls: `row` for every row, the header row included (the visitor decides
/// which row is the header: exports often start with a title row), or `unreadable_row`.
pub trait Visitor {
    /// One row. An error stops the read (the file is not imported further).
    fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text>;
    /// A row that could not be decoded (e.g. not UTF-8). An error stops the read.
    fn unreadable_row(&mut self, line: u64, reason: Text) -> Result<(), Text>;
    /// Progress: `done` of `total` (bytes of a CSV file, rows of a sheet).
    fn progress(&mut self, _done: u64, _total: u64) {}
    /// Something the user should know about how the file was read, said once per file and
    /// naming the file (e.g. which merged cells of a workbook were filled into every row).
    /// Not a problem: the read goes on.
    fn notice(&mut self, _notice: Text) {}
}

/// The file formats ruhu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// By the file's extension: `.xlsx`/`.xlsm` are workbooks, everything else is CSV (or
    /// tab-separated text).
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx" | "xlsm") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub format: Format,
    /// The text encoding of a CSV file; `None` for a workbook.
    pub encoding: Option<Encoding>,
}

/// Reads the file at `path` into `visitor`. An error means the file could not be read (or the
/// visitor stopped): the message names the file and why.
pub fn read(
    path: &Path,
    encoding: EncodingChoice,
    visitor: &mut dyn Visitor,
) -> Result<TableInfo, Text> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("xls" | "ods" | "xlsb" | "et")) {
        return Err(tr!(
            "{}：不支持这种表格格式，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
            "{}: this spreadsheet format is not supported; save it as .xlsx or CSV",
            path.display()
        ));
    }
    match Format::of(path) {
        Format::Csv => read_csv::read(path, encoding, visitor).map(|enc| TableInfo {
            format: Format::Csv,
            encoding: Some(enc),
        }),
        Format::Xlsx => read_xlsx::read(path, visitor).map(|()| TableInfo {
            format: Format::Xlsx,
            encoding: None,
        }),
    }
}

/// The message of a file that cannot be opened or read.
pub(crate) fn cannot_read(path: &Path, e: impl std::fmt::Display) -> Text {
    tr!("无法读取 {}：{}", "cannot read {}: {}", path.display(), e)
}
