//! Reading the first worksheet of an XLSX workbook row by row (calamine's streaming cell
//! reader: the sheet is never held whole). Cells become text the way a person reads them:
//! whole numbers without `.0` (Excel stores 家庭人口数 3 as 3.0), and numbers too long for
//! Excel to keep exact — ID numbers typed into a number cell — in scientific notation, which
//! the row checks reject with a clear reason instead of a wrong check digit.
//!
//! A workbook is a zip of XML parts, and a few kilobytes of zip can unpack to gigabytes, so
//! nothing is handed to calamine unchecked (the limits are in [`crate::limits`]):
//!
//! - Before calamine opens the workbook, its parts are listed here with the zip crate,
//!   calamine's own zip reader, whose reader fails a part that unpacks to more than the size
//!   the zip directory declares: those sizes bound what calamine can unpack. A workbook of
//!   more than [`MAX_XLSX_PARTS`] parts is refused, a part larger than
//!   [`MAX_XLSX_PART_BYTES`], the shared strings (held in memory) above
//!   [`MAX_XLSX_SHARED_STRINGS_BYTES`]. The shared strings are unpacked once, a chunk at a
//!   time, and scanned: no string longer than a row may be, and as many strings as they
//!   declare.
//! - The worksheet is scanned the moment calamine starts reading it (the part calamine
//!   actually reads, found by where it reads in the file, whatever the workbook's
//!   relationships name): no cell, tag or text longer than a row may be, so calamine never
//!   builds a huge value; the scan also finds the merged ranges, the rows and the widest row.
//! - While reading: a value beyond [`MAX_COLUMNS`] or [`MAX_SHEET_ROWS`] stops the read (the
//!   declared `<dimension>` is never trusted); a cell longer than [`MAX_CELL_BYTES`] rejects
//!   its row. Rows are padded only to the widest row that has content.
//!
//! Merged ranges read as Excel shows them: the value of a range spanning several rows counts
//! for each of its rows (in the range's first column), and the visitor is told once which
//! ranges were filled ([`Visitor::notice`]).

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use calamine::{DataRef, Reader, SheetType, Xlsx};
use zip::ZipArchive;
use zip::result::ZipError;

use crate::i18n::Text;
use crate::limits::{
    MAX_CELL_BYTES, MAX_COLUMNS, MAX_SHEET_ROWS, MAX_XLSX_PART_BYTES, MAX_XLSX_SHARED_STRINGS_BYTES,
};
use crate::tr;

use super::table::{Cells, PROGRESS_EVERY, Visitor, cannot_read};

/// Numbers at or above this are no longer exact in a double (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Bytes of XML that one cell (or one tag, one run of text, one shared string) may take in a
/// part: a whole row's worth. Nothing longer is ever handed to calamine.
const MAX_XML_RUN: u64 = (MAX_COLUMNS * MAX_CELL_BYTES) as u64;

// Limits of this reader not (yet) in `crate::limits`.

/// Uncompressed bytes of the small parts calamine reads whole when it opens a workbook
/// (`styles.xml`, `workbook.xml`, `theme*.xml`, `*.rels`): real ones have a few kilobytes to a
/// few megabytes, and calamine keeps a record per style, sheet or name in them.
const MAX_XLSX_SMALL_PART_BYTES: u64 = 64 << 20;

/// Parts (files in the zip) of one workbook: real ones have 10 to a few hundred.
const MAX_XLSX_PARTS: usize = 4096;

/// Bytes the zip crate may read to list the parts of a workbook, its end records and its
/// directory: a real directory has about 100 bytes a part, 400 KB for [`MAX_XLSX_PARTS`].
/// The list the crate builds takes about ten times the bytes it reads, and a directory can
/// declare a million parts in 50 MB.
const MAX_XLSX_DIRECTORY_BYTES: u64 = 2 << 20;

/// Merged ranges of one worksheet (a members file with 户编号 merged over each household's
/// rows has one per household).
const MAX_MERGED_RANGES: usize = 2 * MAX_SHEET_ROWS as usize;

/// Strings in the shared strings of a workbook (calamine keeps them all).
const MAX_SHARED_STRINGS: u64 = 1 << 24;

/// How many filled merged ranges the notice names (the rest are counted).
const NOTICE_RANGES: usize = 10;

/// Bytes of a part unpacked and scanned at a time.
const SCAN_CHUNK: usize = 256 << 10;

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

/// Bytes of a cell's text, without making it (numbers and the like are short).
fn text_len(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        DataRef::SharedString(s) => s.len(),
        DataRef::Empty => 0,
        _ => 1,
    }
}

/// The letters of a column: 0 → A, 26 → AA.
fn column_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        letters.push(b'A' + d);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's name: row 6, column 1 → B7.
fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), u64::from(row) + 1)
}

/// Reads the first worksheet of the workbook at `path` into `visitor`.
pub fn read(path: &Path, visitor: &mut dyn Visitor) -> Result<(), Text> {
    let mut parts = Parts::open(path)?;
    for i in 0..parts.list.len() {
        if parts.list[i].is_shared_strings() {
            parts.scan(path, i, scan::Kind::SharedStrings)?;
        }
    }
    let file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let shared = Rc::new(RefCell::new(Shared {
        path: path.to_path_buf(),
        scanned: vec![false; parts.list.len()],
        parts,
        sheet_phase: false,
        failure: None,
        sheet: None,
    }));
    let guard = Guard {
        file: io::BufReader::with_capacity(64 * 1024, file),
        pos: 0,
        shared: shared.clone(),
    };
    let failed = |e: calamine::XlsxError| -> Text {
        match shared.borrow_mut().failure.take() {
            Some(t) => t,
            None => cannot_read(path, e),
        }
    };
    let mut book: Xlsx<_> = Xlsx::new(guard).map_err(failed)?;
    let sheet = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| cannot_read(path, "no worksheet"))?;
    shared.borrow_mut().sheet_phase = true;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(failed)?;
    // calamine read the worksheet from somewhere the guard did not see: not read unchecked.
    let found = shared
        .borrow_mut()
        .sheet
        .take()
        .ok_or_else(|| cannot_read(path, "the worksheet could not be checked"))?;
    let mut rows = SheetRows::new(path, &found);
    loop {
        let next = cells.next_cell().map_err(failed)?;
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        rows.cell(r, c, cell.get_value(), visitor)?;
    }
    rows.finish(visitor)
}

// ---------------------------------------------------------------------------------------
// The parts of the workbook

/// One part (a file in the zip) as the zip crate lists it.
struct Part {
    /// Its index in the zip crate's list.
    index: usize,
    name: String,
    /// Lower case, `\` as `/` (calamine finds parts so).
    key: String,
    /// Uncompressed bytes, as declared: the zip crate's reader fails a part that unpacks to
    /// more, for calamine as for the scans here.
    size: u64,
    /// Where its local header starts in the file.
    header: u64,
}

impl Part {
    fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or("")
    }

    /// calamine reads `<folder>sharedStrings.xml`, whatever the folder.
    fn is_shared_strings(&self) -> bool {
        self.file_name() == "sharedstrings.xml"
    }

    /// The other parts calamine reads whole when it opens a workbook.
    fn is_small_part(&self) -> bool {
        let name = self.file_name();
        name == "styles.xml"
            || name == "workbook.xml"
            || name.ends_with(".rels")
            || (name.starts_with("theme") && self.key.contains("theme/"))
    }
}

/// The parts of a workbook, read with the zip crate on a file handle of their own. calamine
/// reads the file through the same crate, so both see the same parts at the same places.
struct Parts {
    zip: ZipArchive<Limited>,
    /// By where they start in the file.
    list: Vec<Part>,
    /// Where the central directory starts: the end of the last part.
    directory: u64,
}

impl Parts {
    /// Lists the parts of the workbook at `path` and refuses it if it has too many, one
    /// larger than its limit, or two that share bytes, before anything is unpacked.
    fn open(path: &Path) -> Result<Parts, Text> {
        let file = File::open(path).map_err(|e| cannot_read(path, e))?;
        let left = Rc::new(Cell::new(MAX_XLSX_DIRECTORY_BYTES));
        let listed = ZipArchive::new(Limited {
            file,
            left: left.clone(),
        });
        let mut zip = match listed {
            Ok(zip) => zip,
            Err(_) if left.get() == 0 => {
                return Err(tr!(
                    "{}：工作簿的 zip 目录超过 {} 字节：不是正常的 Excel 文件",
                    "{}: the zip directory of the workbook is larger than {} bytes: not a normal Excel file",
                    path.display(),
                    MAX_XLSX_DIRECTORY_BYTES
                ));
            }
            Err(e) => return Err(not_a_workbook(path, e)),
        };
        left.set(u64::MAX);
        if zip.len() > MAX_XLSX_PARTS {
            return Err(tr!(
                "{}：工作簿有 {} 个部件，超过上限 {} 个",
                "{}: the workbook has {} parts, more than the limit of {}",
                path.display(),
                zip.len(),
                MAX_XLSX_PARTS
            ));
        }
        let mut list = Vec::with_capacity(zip.len());
        for index in 0..zip.len() {
            let entry = zip
                .by_index_data(index)
                .map_err(|e| not_a_workbook(path, e))?;
            let name = entry
                .name()
                .map_err(|e| not_a_workbook(path, e))?
                .into_owned();
            list.push(Part {
                index,
                key: name.replace('\\', "/").to_ascii_lowercase(),
                name,
                size: entry.size(),
                header: entry.header_start(),
            });
        }
        list.sort_by_key(|p| p.header);
        check_sizes(path, &list)?;
        // The guard knows the part calamine reads by where it reads: every byte must belong to
        // one part at most (reads each local header, a few bytes per part).
        if zip
            .has_overlapping_entries()
            .map_err(|e| not_a_workbook(path, e))?
        {
            return Err(not_sound(path, "overlapping parts"));
        }
        let directory = zip.central_directory_start();
        Ok(Parts {
            zip,
            list,
            directory,
        })
    }

    /// The part whose bytes (from its local header to the next part) contain `pos`.
    fn at(&self, pos: u64) -> Option<usize> {
        let i = self.list.partition_point(|p| p.header <= pos);
        let i = i.checked_sub(1)?;
        (pos < self.directory).then_some(i)
    }

    /// Unpacks part `i` through the zip crate's reader, a chunk at a time, and scans it; an
    /// error names the file and what is wrong.
    fn scan(&mut self, path: &Path, i: usize, kind: scan::Kind) -> Result<scan::Found, Text> {
        let part = &self.list[i];
        let damaged = |why: &dyn std::fmt::Display| {
            tr!(
                "{}：工作簿中的 {} 已损坏（{}）",
                "{}: the part {} of the workbook is damaged ({})",
                path.display(),
                part.name,
                why
            )
        };
        let mut entry = self.zip.by_index(part.index).map_err(|e| match e {
            ZipError::Io(e) => cannot_read(path, e),
            e => damaged(&e),
        })?;
        let mut scanner = scan::Scanner::new(kind);
        let mut buf = vec![0u8; SCAN_CHUNK];
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => scanner.feed(&buf[..n]).map_err(|p| p.text(path, part))?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if grew_past_declared_size(&e) => {
                    return Err(scan::Problem::Larger.text(path, part));
                }
                Err(e) if is_bad_data(&e) => return Err(damaged(&e)),
                Err(e) => return Err(cannot_read(path, e)),
            }
        }
        scanner.finish().map_err(|p| p.text(path, part))
    }
}

/// The workbook file as the zip crate reads it: `left` bytes at most (while it lists the
/// parts; unlimited then).
struct Limited {
    file: File,
    left: Rc<Cell<u64>>,
}

impl Read for Limited {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left.get();
        if left == 0 {
            return Err(io::Error::other("the zip directory is too large"));
        }
        let k = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..k])?;
        self.left.set(left - n as u64);
        Ok(n)
    }
}

impl Seek for Limited {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.file.seek(to)
    }
}

/// The error of the zip crate's reader when a part unpacks to more than it declares
/// (`Crc32Reader` in zip 9.8.2: `InvalidData`, "File is larger than its declared uncompressed
/// size"). Were the message to change, such a part would still be refused, as damaged.
fn grew_past_declared_size(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData
        && e.to_string()
            .contains("larger than its declared uncompressed size")
}

/// Errors of the unpacking (a bad deflate stream, a wrong checksum, data cut short), as
/// against errors of reading the file.
fn is_bad_data(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

/// The signature of an OLE file: a password-protected workbook or an old .xls.
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Why the zip crate could not list the parts of the file at `path`.
fn not_a_workbook(path: &Path, e: ZipError) -> Text {
    let mut head = [0u8; 8];
    let ole = File::open(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok() && head == OLE);
    if ole {
        return tr!(
            "{}：文件有密码保护，或是旧的 .xls 格式：请在 Excel/WPS 中去掉密码并另存为 .xlsx",
            "{}: the workbook is password-protected or an old .xls file: remove the password and save it as .xlsx",
            path.display()
        );
    }
    match e {
        ZipError::Io(e) if e.kind() != io::ErrorKind::UnexpectedEof => cannot_read(path, e),
        e => not_sound(path, e),
    }
}

fn not_sound(path: &Path, why: impl std::fmt::Display) -> Text {
    tr!(
        "{}：不是完好的 .xlsx 文件（{}）",
        "{}: not a sound .xlsx file ({})",
        path.display(),
        why
    )
}

/// Refuses a workbook with a part larger than its limit (by the sizes the zip directory
/// declares: calamine's zip reader stops each part there).
fn check_sizes(path: &Path, parts: &[Part]) -> Result<(), Text> {
    for p in parts {
        let limit = if p.is_shared_strings() {
            MAX_XLSX_SHARED_STRINGS_BYTES
        } else if p.is_small_part() {
            MAX_XLSX_SMALL_PART_BYTES
        } else {
            MAX_XLSX_PART_BYTES
        };
        if p.size > limit {
            return Err(tr!(
                "{}：工作簿中的 {} 解压后有 {} 字节，超过上限 {} 字节",
                "{}: the part {} of the workbook is {} bytes uncompressed, more than the limit of {}",
                path.display(),
                p.name,
                p.size,
                limit
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Rows

/// A value of a merged range waiting to fill the rows below its first one.
struct Fill {
    col: u32,
    last_row: u32,
    value: String,
    range: usize,
}

/// Turns the cells calamine gives into rows for the visitor: limits, merged ranges, padding.
struct SheetRows<'a> {
    path: &'a Path,
    /// Merged ranges over several rows, by first row.
    merges: Vec<scan::Merge>,
    next_merge: usize,
    fills: Vec<Fill>,
    /// Which merged ranges filled a row.
    filled: Vec<bool>,
    /// The width every row is padded to: the widest row with content (bounded).
    width: usize,
    total: u64,
    record: Cells,
    spare: Cells,
    row: Option<u32>,
    col: u32,
    has_value: bool,
    /// A cell of the row too long to read: (column, bytes).
    long: Option<(u32, usize)>,
    rows: u64,
}

impl<'a> SheetRows<'a> {
    fn new(path: &'a Path, found: &scan::Found) -> SheetRows<'a> {
        let mut merges: Vec<scan::Merge> = found
            .merges
            .iter()
            .copied()
            .filter(|m| m.last_row > m.first_row)
            .collect();
        merges.sort_by_key(|m| (m.first_row, m.first_col));
        let rows = found.rows.max(found.last_row).clamp(1, MAX_SHEET_ROWS);
        SheetRows {
            path,
            filled: vec![false; merges.len()],
            merges,
            next_merge: 0,
            fills: Vec::new(),
            width: found
                .last_col
                .map_or(0, |c| (c as usize + 1).min(MAX_COLUMNS)),
            total: rows,
            record: Cells::new(),
            spare: Cells::new(),
            row: None,
            col: 0,
            has_value: false,
            long: None,
            rows: 0,
        }
    }

    fn cell(
        &mut self,
        r: u32,
        c: u32,
        value: &DataRef<'_>,
        visitor: &mut dyn Visitor,
    ) -> Result<(), Text> {
        if self.row.is_some_and(|row| row != r) {
            self.end_row(visitor)?;
        }
        if self.row.is_none() {
            self.row = Some(r);
            self.record.clear();
            self.col = 0;
            self.has_value = false;
            self.long = None;
        }
        let len = text_len(value);
        if len == 0 {
            return Ok(());
        }
        if u64::from(r) >= MAX_SHEET_ROWS {
            return Err(tr!(
                "{}：工作表第 {} 行有内容，超出了最多 {} 行",
                "{}: row {} of the worksheet has a value, beyond the limit of {} rows",
                self.path.display(),
                u64::from(r) + 1,
                MAX_SHEET_ROWS
            ));
        }
        if c as usize >= MAX_COLUMNS {
            return Err(tr!(
                "{}：工作表第 {} 行的 {} 列（第 {} 列）有内容，超出了最多 {} 列",
                "{}: row {} of the worksheet has a value in column {} (the {}th), beyond the limit of {} columns",
                self.path.display(),
                u64::from(r) + 1,
                column_name(c),
                u64::from(c) + 1,
                MAX_COLUMNS
            ));
        }
        if len > MAX_CELL_BYTES {
            self.long.get_or_insert((c, len));
            return Ok(());
        }
        if self.long.is_some() {
            return Ok(());
        }
        let text = cell_text(value);
        if text.is_empty() {
            return Ok(());
        }
        // Cells come in column order; empty ones are left out of the file.
        while self.col < c {
            self.record.push_field("");
            self.col += 1;
        }
        if self.col == c {
            self.record.push_field(&text);
            self.col += 1;
            self.has_value = true;
        }
        Ok(())
    }

    /// Hands over the row being built.
    fn end_row(&mut self, visitor: &mut dyn Visitor) -> Result<(), Text> {
        let Some(r) = self.row.take() else {
            return Ok(());
        };
        let line = u64::from(r) + 1;
        self.fills.retain(|f| f.last_row >= r);
        // Ranges whose first row had no cells have no value.
        while self
            .merges
            .get(self.next_merge)
            .is_some_and(|m| m.first_row < r)
        {
            self.next_merge += 1;
        }
        if let Some((c, len)) = self.long {
            visitor.unreadable_row(
                line,
                tr!(
                    "{} 列的单元格有 {} 字节，超过上限 {} 字节",
                    "the cell in column {} has {} bytes, more than the limit of {}",
                    column_name(c),
                    len,
                    MAX_CELL_BYTES
                ),
            )?;
        } else {
            // A row of its own values gets the values of the merged ranges over it; a row
            // that would only hold merged values stays blank.
            if self.has_value && !self.fills.is_empty() {
                self.fill_row();
            }
            while self.record.len() < self.width {
                self.record.push_field("");
            }
            visitor.row(line, &self.record)?;
        }
        while let Some(m) = self.merges.get(self.next_merge)
            && m.first_row == r
        {
            let value = self.record.get(m.first_col as usize).unwrap_or("");
            if !value.is_empty() && self.long.is_none() {
                let fill = Fill {
                    col: m.first_col,
                    last_row: m.last_row,
                    value: value.to_string(),
                    range: self.next_merge,
                };
                self.fills.retain(|f| f.col != fill.col);
                self.fills.push(fill);
            }
            self.next_merge += 1;
        }
        self.rows += 1;
        if self.rows.is_multiple_of(PROGRESS_EVERY) {
            visitor.progress(line.min(self.total), self.total);
        }
        Ok(())
    }

    /// Puts the values of the merged ranges over the current row into it.
    fn fill_row(&mut self) {
        let widest = self.fills.iter().map(|f| f.col as usize + 1).max();
        let n = self.record.len().max(widest.unwrap_or(0));
        self.spare.clear();
        for i in 0..n {
            match self.fills.iter().find(|f| f.col as usize == i) {
                Some(f) => {
                    self.spare.push_field(&f.value);
                    self.filled[f.range] = true;
                }
                None => self.spare.push_field(self.record.get(i).unwrap_or("")),
            }
        }
        std::mem::swap(&mut self.record, &mut self.spare);
    }

    fn finish(mut self, visitor: &mut dyn Visitor) -> Result<(), Text> {
        self.end_row(visitor)?;
        let filled: Vec<String> = self
            .merges
            .iter()
            .zip(&self.filled)
            .filter(|(_, f)| **f)
            .map(|(m, _)| m.name())
            .collect();
        if !filled.is_empty() {
            visitor.notice(merged_notice(self.path, &filled));
        }
        visitor.progress(self.total, self.total);
        Ok(())
    }
}

/// The notice of the merged ranges whose values were filled into their rows.
fn merged_notice(path: &Path, ranges: &[String]) -> Text {
    let shown = &ranges[..ranges.len().min(NOTICE_RANGES)];
    let more = ranges.len() - shown.len();
    let (zh_more, en_more) = if more > 0 {
        (
            format!(" 等共 {} 处", ranges.len()),
            format!(" and {more} more"),
        )
    } else {
        (String::new(), String::new())
    };
    Text::new(
        format!(
            "{}：合并单元格 {}{zh_more} 的值已填入其中的每一行（按 Excel 的显示）",
            path.display(),
            shown.join("、")
        ),
        format!(
            "{}: the value of the merged cells {}{en_more} was filled into each of their rows (as Excel shows it)",
            path.display(),
            shown.join(", ")
        ),
    )
}

// ---------------------------------------------------------------------------------------
// The file as calamine reads it

/// What the reader and the guard share.
struct Shared {
    path: PathBuf,
    parts: Parts,
    /// Set once the workbook is open: the part read next is the worksheet.
    sheet_phase: bool,
    /// By the place of the part in `parts.list`.
    scanned: Vec<bool>,
    /// Why the guard stopped calamine.
    failure: Option<Text>,
    /// What the scan of the worksheet found.
    sheet: Option<scan::Found>,
}

/// The workbook file handed to calamine: the first time calamine reads a part after the
/// workbook is open (the worksheet), that part is scanned before calamine gets a byte of it.
struct Guard {
    file: io::BufReader<File>,
    pos: u64,
    shared: Rc<RefCell<Shared>>,
}

impl Shared {
    fn visit(&mut self, pos: u64) -> io::Result<()> {
        let refused = || io::Error::other("refused by the workbook check");
        if self.failure.is_some() {
            return Err(refused());
        }
        if !self.sheet_phase {
            return Ok(());
        }
        let Some(i) = self.parts.at(pos) else {
            return Ok(());
        };
        if self.scanned[i] {
            return Ok(());
        }
        self.scanned[i] = true;
        match self.parts.scan(&self.path, i, scan::Kind::Sheet) {
            Ok(found) => {
                if self.sheet.is_none() {
                    self.sheet = Some(found);
                }
                Ok(())
            }
            Err(t) => {
                self.failure = Some(t);
                Err(refused())
            }
        }
    }
}

impl Read for Guard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.shared.borrow_mut().visit(self.pos)?;
        let n = self.file.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Guard {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

// ---------------------------------------------------------------------------------------
// Scanning the XML of a part

/// A scan of a part's XML as its bytes go by, cutting it where quick-xml (calamine's XML
/// reader) cuts it into events: every event, every cell (`<c>…</c>`) and every shared string
/// (`<si>…</si>`) must be shorter than [`MAX_XML_RUN`], so that no event calamine reads and
/// no value it builds can be larger. A DOCTYPE (never in a workbook) is refused. The
/// worksheet's merged ranges, rows and widest row are collected on the way.
mod scan {
    use std::path::Path;

    use super::Part;
    use super::{MAX_MERGED_RANGES, MAX_SHARED_STRINGS, MAX_XML_RUN, cell_name, column_name};
    use crate::i18n::Text;
    use crate::limits::{MAX_CELL_BYTES, MAX_COLUMNS, MAX_SHEET_ROWS};
    use crate::tr;

    /// Shared strings may declare this many more than they hold (calamine reserves room for
    /// the declared count).
    const COUNT_SLACK: u64 = 1 << 20;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        Sheet,
        SharedStrings,
    }

    /// A merged range, rows and columns from 0.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Merge {
        pub first_row: u32,
        pub first_col: u32,
        pub last_row: u32,
        pub last_col: u32,
    }

    impl Merge {
        /// `B2:B10`; a range over several columns says which column it fills.
        pub fn name(&self) -> String {
            let range = format!(
                "{}:{}",
                cell_name(self.first_row, self.first_col),
                cell_name(self.last_row, self.last_col)
            );
            if self.last_col > self.first_col {
                format!("{range}（{}）", column_name(self.first_col))
            } else {
                range
            }
        }
    }

    #[derive(Debug, Default)]
    pub struct Found {
        /// `<row>` elements.
        pub rows: u64,
        /// The last row number seen (from 1).
        pub last_row: u64,
        /// The rightmost column of a cell with content.
        pub last_col: Option<u32>,
        pub merges: Vec<Merge>,
        /// `<si>` elements.
        pub strings: u64,
        pub unique_count: Option<u64>,
    }

    #[derive(Debug)]
    pub enum Problem {
        /// Larger than the declared size.
        Larger,
        /// A tag, text, comment … longer than the limit, near this row (worksheet).
        Markup(Option<u32>),
        /// A cell longer than the limit.
        Cell {
            row: u32,
            col: u32,
        },
        /// The n-th shared string (from 1) is longer than the limit.
        SharedString(u64),
        Doctype,
        Merges,
        Strings(u64),
        /// Declared, held.
        Count(u64, u64),
        /// Not XML a workbook has (`<!` not followed by a comment or CDATA; the end of the
        /// part inside a tag).
        Malformed,
        /// A cell, row or range reference calamine cannot read (its arithmetic would
        /// overflow: a panic in a debug build, a wrong cell in a release build).
        Reference(String),
    }

    impl Problem {
        pub fn text(self, path: &Path, part: &Part) -> Text {
            let (file, size, part) = (path.display(), part.size, &part.name);
            match self {
                Problem::Larger => tr!(
                    "{}：工作簿中的 {} 解压后比它声明的 {} 字节大：文件已损坏",
                    "{}: the part {} of the workbook is larger uncompressed than the {} bytes it declares: the file is damaged",
                    file,
                    part,
                    size
                ),
                Problem::Markup(row) => {
                    let (zh, en) = match row {
                        Some(r) => (
                            format!("（第 {} 行附近）", u64::from(r) + 1),
                            format!(" (near row {})", u64::from(r) + 1),
                        ),
                        None => (String::new(), String::new()),
                    };
                    Text::new(
                        format!(
                            "{file}：工作簿中的 {part}{zh}有一段超过 {MAX_XML_RUN} 字节的 XML：不是正常的 Excel 文件"
                        ),
                        format!(
                            "{file}: the part {part} of the workbook{en} has a piece of XML longer than {MAX_XML_RUN} bytes: not a normal Excel file"
                        ),
                    )
                }
                Problem::Cell { row, col } => {
                    let (line, letters, name) =
                        (u64::from(row) + 1, column_name(col), cell_name(row, col));
                    Text::new(
                        format!(
                            "{file}：工作表第 {line} 行 {letters} 列（{name}）的单元格超过 {MAX_XML_RUN} 字节，无法读取（每个单元格最多 {MAX_CELL_BYTES} 字节）"
                        ),
                        format!(
                            "{file}: the cell {name} (row {line}, column {letters}) of the worksheet is longer than {MAX_XML_RUN} bytes and cannot be read (a cell holds at most {MAX_CELL_BYTES})"
                        ),
                    )
                }
                Problem::SharedString(n) => Text::new(
                    format!(
                        "{file}：共享字符串 {part} 中的第 {n} 个字符串超过 {MAX_XML_RUN} 字节，无法读取"
                    ),
                    format!(
                        "{file}: string {n} of the shared strings {part} is longer than {MAX_XML_RUN} bytes and cannot be read"
                    ),
                ),
                Problem::Doctype => tr!(
                    "{}：工作簿中的 {} 含有 DOCTYPE 声明：不是 Excel 写出的文件",
                    "{}: the part {} of the workbook has a DOCTYPE declaration: not a file Excel writes",
                    file,
                    part
                ),
                Problem::Merges => tr!(
                    "{}：工作表有超过 {} 处合并单元格",
                    "{}: the worksheet has more than {} merged ranges",
                    file,
                    MAX_MERGED_RANGES
                ),
                Problem::Strings(n) => tr!(
                    "{}：共享字符串 {} 有 {} 个字符串，超过上限 {} 个",
                    "{}: the shared strings {} hold {} strings, more than the limit of {}",
                    file,
                    part,
                    n,
                    MAX_SHARED_STRINGS
                ),
                Problem::Count(declared, held) => tr!(
                    "{}：共享字符串 {} 声明有 {} 个字符串，实际只有 {} 个：文件已损坏",
                    "{}: the shared strings {} declare {} strings but hold {}: the file is damaged",
                    file,
                    part,
                    declared,
                    held
                ),
                Problem::Reference(r) => tr!(
                    "{}：工作表中的单元格地址 {} 超出了 Excel 的范围（最大为 XFD1048576）：文件已损坏",
                    "{}: the worksheet has the cell reference {}, beyond what Excel allows (XFD1048576 at most): the file is damaged",
                    file,
                    r
                ),
                Problem::Malformed => tr!(
                    "{}：工作簿中的 {} 不是完好的 XML：文件已损坏",
                    "{}: the part {} of the workbook is not sound XML: the file is damaged",
                    file,
                    part
                ),
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum State {
        Text,
        /// Just after `<`.
        Open,
        /// Just after `<!`.
        Bang,
        /// A start or end tag; the quote we are in, if any.
        Tag(u8),
        Comment,
        Cdata,
        Pi,
    }

    pub struct Scanner {
        kind: Kind,
        state: State,
        /// Bytes fed so far.
        pos: u64,
        /// Where the current event (text, tag, comment …) started.
        start: u64,
        /// The last two bytes of a comment, CDATA or PI.
        last2: [u8; 2],
        /// The bytes so far of a tag begun in an earlier chunk (at most `MAX_XML_RUN`).
        tag: Vec<u8>,
        /// Inside `<c>` or `<si>`: where it started.
        element: Option<u64>,
        element_cell: (u32, u32),
        /// calamine's position: the row and the column of the next cell.
        row: u32,
        col: u32,
        found: Found,
    }

    /// The tags the scan looks at, by their name without prefix.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Name {
        C,
        Row,
        MergeCell,
        Dimension,
        Si,
        Sst,
        Other,
    }

    fn classify(local: &[u8]) -> Name {
        match (local.len(), local.first()) {
            (1, Some(b'c')) => Name::C,
            (2, Some(b's')) if local == b"si" => Name::Si,
            (3, Some(b'r')) if local == b"row" => Name::Row,
            (3, Some(b's')) if local == b"sst" => Name::Sst,
            (9, Some(b'm')) if local == b"mergeCell" => Name::MergeCell,
            (9, Some(b'd')) if local == b"dimension" => Name::Dimension,
            _ => Name::Other,
        }
    }

    fn is_space(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\r' | b'\n')
    }

    /// The value of attribute `key` in a tag's bytes after its name.
    fn attr<'a>(tag: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
        // The usual case first: the attribute right after the name, in double quotes.
        if tag.len() > key.len() + 2
            && tag[0] == b' '
            && tag[1..1 + key.len()].iter().zip(key).all(|(a, b)| a == b)
            && tag[1 + key.len()] == b'='
            && tag[2 + key.len()] == b'"'
        {
            let v = &tag[3 + key.len()..];
            return v.iter().position(|&b| b == b'"').map(|e| &v[..e]);
        }
        let mut i = 0;
        while i < tag.len() {
            while i < tag.len() && (is_space(tag[i]) || tag[i] == b'/') {
                i += 1;
            }
            let name_start = i;
            while i < tag.len() && !is_space(tag[i]) && tag[i] != b'=' && tag[i] != b'/' {
                i += 1;
            }
            let name = &tag[name_start..i];
            while i < tag.len() && is_space(tag[i]) {
                i += 1;
            }
            if tag.get(i) != Some(&b'=') {
                if i == name_start {
                    i += 1;
                }
                continue;
            }
            i += 1;
            while i < tag.len() && is_space(tag[i]) {
                i += 1;
            }
            let q = *tag.get(i)?;
            if q != b'"' && q != b'\'' {
                return None;
            }
            let v_start = i + 1;
            let v_end = v_start + tag[v_start..].iter().position(|&b| b == q)?;
            if name == key {
                return Some(&tag[v_start..v_end]);
            }
            i = v_end + 1;
        }
        None
    }

    /// `B7` → (row 6, column 1); `$B$7` too.
    pub fn parse_cell(s: &[u8]) -> Option<(u32, u32)> {
        let mut i = 0;
        if s.get(i) == Some(&b'$') {
            i += 1;
        }
        let mut col: u64 = 0;
        let letters = i;
        while let Some(&b) = s.get(i).filter(|b| b.is_ascii_alphabetic()) {
            col = col * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
            if col > u64::from(u32::MAX) {
                return None;
            }
            i += 1;
        }
        if i == letters {
            return None;
        }
        if s.get(i) == Some(&b'$') {
            i += 1;
        }
        let row = parse_number(&s[i..])?;
        if row == 0 || row > u64::from(u32::MAX) {
            return None;
        }
        Some(((row - 1) as u32, (col - 1) as u32))
    }

    /// `0042` → 42 (calamine skips leading zeros too); `None` if not a plain number.
    fn parse_number(s: &[u8]) -> Option<u64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let digits = &s[s.iter().position(|&d| d != b'0').unwrap_or(s.len())..];
        if digits.len() > 19 {
            return Some(u64::MAX);
        }
        Some(
            digits
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
        )
    }

    /// A tag's name (with its prefix) and the bytes after it; whether it closes (`</c>`).
    fn split_tag(tag: &[u8]) -> (bool, &[u8], &[u8]) {
        let (closing, t) = match tag.first() {
            Some(b'/') => (true, &tag[1..]),
            _ => (false, tag),
        };
        let n = t
            .iter()
            .position(|&b| is_space(b) || b == b'/')
            .unwrap_or(t.len());
        (closing, &t[..n], &t[n..])
    }

    fn reference(r: &[u8]) -> Problem {
        Problem::Reference(String::from_utf8_lossy(&r[..r.len().min(40)]).into_owned())
    }

    /// A reference as calamine reads it (`get_row_column`): `Ok(None)` when calamine reports
    /// it as an error, `Err` when its u32 arithmetic would overflow.
    fn calamine_ref(r: &[u8]) -> Result<Option<(u32, u32)>, Problem> {
        let (mut col, mut row, mut digits) = (0u64, 0u64, false);
        for &b in r {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' if !digits => {
                    col = col * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1;
                }
                b'0'..=b'9' => {
                    digits = true;
                    row = row * 10 + u64::from(b - b'0');
                }
                _ => return Ok(None),
            }
            if col > u64::from(u32::MAX) || row > u64::from(u32::MAX) {
                return Err(reference(r));
            }
        }
        if row == 0 || col == 0 {
            return Ok(None);
        }
        Ok(Some(((row - 1) as u32, (col - 1) as u32)))
    }

    /// A `<dimension ref>` calamine can read: each end readable, the end not before the start
    /// (calamine subtracts them).
    fn check_dimension(r: &[u8]) -> Result<(), Problem> {
        let mut ends = Vec::new();
        for part in r.split(|&b| b == b':') {
            match calamine_ref(part)? {
                Some(e) => ends.push(e),
                None => return Ok(()),
            }
        }
        if let [a, b] = ends[..]
            && (b.0 < a.0 || b.1 < a.1)
        {
            return Err(reference(r));
        }
        Ok(())
    }

    /// Where a tag ends (its `>`) outside quotes, as quick-xml's element parser finds it; the
    /// quote still open when it does not end in `bytes`.
    fn tag_end(bytes: &[u8], mut quote: u8) -> (Option<usize>, u8) {
        for (k, &b) in bytes.iter().enumerate() {
            if quote != 0 {
                if b == quote {
                    quote = 0;
                }
            } else if b == b'>' {
                return (Some(k), 0);
            } else if b == b'"' || b == b'\'' {
                quote = b;
            }
        }
        (None, quote)
    }

    impl Scanner {
        pub fn new(kind: Kind) -> Scanner {
            Scanner {
                kind,
                state: State::Text,
                pos: 0,
                start: 0,
                last2: [0; 2],
                tag: Vec::new(),
                element: None,
                element_cell: (0, 0),
                row: 0,
                col: 0,
                found: Found::default(),
            }
        }

        /// The limits at `at`, an offset inside (or just past) the current event.
        fn check(&self, at: u64) -> Result<(), Problem> {
            if let Some(e) = self.element
                && at - e > MAX_XML_RUN
            {
                return Err(match self.kind {
                    Kind::Sheet => Problem::Cell {
                        row: self.element_cell.0,
                        col: self.element_cell.1,
                    },
                    Kind::SharedStrings => Problem::SharedString(self.found.strings),
                });
            }
            if at - self.start > MAX_XML_RUN {
                return Err(match self.kind {
                    Kind::Sheet => Problem::Markup(Some(self.row)),
                    Kind::SharedStrings => Problem::Markup(None),
                });
            }
            Ok(())
        }

        pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Problem> {
            let base = self.pos;
            let mut i = 0;
            while i < chunk.len() {
                match self.state {
                    State::Text => {
                        // The usual run of text and whole tags, without going through the
                        // states for each.
                        loop {
                            let Some(k) = chunk[i..].iter().position(|&b| b == b'<') else {
                                i = chunk.len();
                                break;
                            };
                            i += k;
                            self.check(base + i as u64)?;
                            self.start = base + i as u64;
                            i += 1;
                            self.state = State::Open;
                            let rest = &chunk[i..];
                            // The tags around every value: `<v>`, `</v>`, `<t>`, `</t>`, and
                            // the end of a cell or a shared string.
                            let (n, closes) = match (self.kind, rest) {
                                (_, [b'v' | b't', b'>', ..]) => (2, false),
                                (_, [b'/', b'v' | b't', b'>', ..]) => (3, false),
                                (Kind::Sheet, [b'/', b'c', b'>', ..]) => (3, true),
                                (Kind::SharedStrings, [b'/', b's', b'i', b'>', ..]) => (4, true),
                                _ => (0, false),
                            };
                            if n > 0 {
                                i += n;
                                if closes {
                                    self.check(base + i as u64)?;
                                    self.element = None;
                                }
                                self.state = State::Text;
                                self.start = base + i as u64;
                                continue;
                            }
                            // A cell tag, `<c r="B7" …>`, as Excel writes it.
                            if self.kind == Kind::Sheet
                                && rest.starts_with(b"c r=\"")
                                && let Some(q) = rest[5..].iter().take(24).position(|&b| b == b'"')
                                && let (Some(e), _) = tag_end(&rest[6 + q..], 0)
                            {
                                let end = 6 + q + e;
                                i += end + 1;
                                self.check(base + i as u64)?;
                                self.state = State::Text;
                                self.start_cell(Some(&rest[5..5 + q]), rest[end - 1] == b'/')?;
                                self.start = base + i as u64;
                                continue;
                            }
                            if matches!(rest.first(), None | Some(b'!' | b'?')) {
                                break;
                            }
                            let (Some(e), _) = tag_end(rest, 0) else {
                                break;
                            };
                            i += e + 1;
                            self.check(base + i as u64)?;
                            self.state = State::Text;
                            self.end_tag(&rest[..e])?;
                            self.start = base + i as u64;
                        }
                    }
                    State::Open => {
                        self.state = match chunk[i] {
                            b'!' => State::Bang,
                            b'?' => {
                                self.last2 = [0, b'?'];
                                State::Pi
                            }
                            // the tag's first byte: part of its name, or a quote
                            _ => {
                                self.tag.clear();
                                State::Tag(0)
                            }
                        };
                        if matches!(self.state, State::Bang | State::Pi) {
                            i += 1;
                        }
                    }
                    State::Bang => {
                        let b = chunk[i];
                        i += 1;
                        self.last2 = [0, b];
                        self.state = match b {
                            b'-' => State::Comment,
                            b'[' => State::Cdata,
                            b'D' | b'd' => return Err(Problem::Doctype),
                            _ => return Err(Problem::Malformed),
                        };
                    }
                    State::Tag(q) => {
                        let rest = &chunk[i..];
                        let (end, quote) = tag_end(rest, q);
                        match end {
                            Some(k) => {
                                i += k + 1;
                                self.check(base + i as u64)?;
                                self.state = State::Text;
                                if self.tag.is_empty() {
                                    self.end_tag(&rest[..k])?;
                                } else {
                                    let mut tag = std::mem::take(&mut self.tag);
                                    tag.extend_from_slice(&rest[..k]);
                                    let done = self.end_tag(&tag);
                                    tag.clear();
                                    self.tag = tag;
                                    done?;
                                }
                                self.start = base + i as u64;
                            }
                            None => {
                                // a tag across chunks (bounded: `check` below)
                                self.tag.extend_from_slice(rest);
                                i = chunk.len();
                                self.state = State::Tag(quote);
                            }
                        }
                    }
                    State::Comment | State::Cdata | State::Pi => {
                        let mut end = None;
                        for (k, &b) in chunk[i..].iter().enumerate() {
                            if b == b'>' {
                                let done = match self.state {
                                    // quick-xml ends a comment at `-->`, no earlier than
                                    // `<!---->`
                                    State::Comment => {
                                        self.last2 == [b'-', b'-']
                                            && base + (i + k) as u64 - self.start >= 6
                                    }
                                    State::Cdata => self.last2 == [b']', b']'],
                                    _ => self.last2[1] == b'?',
                                };
                                if done {
                                    end = Some(k);
                                    break;
                                }
                            }
                            self.last2 = [self.last2[1], b];
                        }
                        match end {
                            Some(k) => {
                                i += k + 1;
                                self.check(base + i as u64)?;
                                self.state = State::Text;
                                self.start = base + i as u64;
                            }
                            None => i = chunk.len(),
                        }
                    }
                }
            }
            self.pos = base + chunk.len() as u64;
            self.check(self.pos)
        }

        /// A `<c>` tag with its `r` attribute: calamine's position, else the one after the
        /// last cell.
        fn start_cell(&mut self, r: Option<&[u8]>, empty: bool) -> Result<(), Problem> {
            if let Some(r) = r
                && let Some((r, c)) = calamine_ref(r)?
            {
                self.row = r;
                self.col = c;
            }
            let cell = (self.row, self.col);
            self.col = self.col.saturating_add(1);
            if !empty && self.element.is_none() {
                self.element = Some(self.start);
                self.element_cell = cell;
                let col = cell.1.min(MAX_COLUMNS as u32);
                self.found.last_col = Some(self.found.last_col.map_or(col, |c| c.max(col)));
            }
            Ok(())
        }

        /// A start or end tag is complete: `tag` is its bytes between `<` and `>`.
        fn end_tag(&mut self, tag: &[u8]) -> Result<(), Problem> {
            let (closing, name, attrs) = split_tag(tag);
            let local = match name.iter().rposition(|&b| b == b':') {
                Some(c) => &name[c + 1..],
                None => name,
            };
            // `<c/>`: quick-xml's empty element, `/` right before `>`
            let empty = !closing && tag.last() == Some(&b'/');
            let tag_start = self.start;
            match (self.kind, closing, classify(local)) {
                (Kind::Sheet, false, Name::C) => self.start_cell(attr(attrs, b"r"), empty)?,
                (Kind::Sheet, true, Name::C) => self.element = None,
                (Kind::Sheet, false, Name::Row) => {
                    self.found.rows += 1;
                    if let Some(r) = attr(attrs, b"r") {
                        calamine_ref(r)?;
                        if let Some(n) = parse_number(r)
                            && n >= 1
                        {
                            self.row = (n - 1).min(u64::from(u32::MAX)) as u32;
                            self.found.last_row = self.found.last_row.max(n);
                        }
                    }
                    self.col = 0;
                    if empty {
                        self.row = self.row.saturating_add(1);
                    }
                }
                (Kind::Sheet, true, Name::Row) => {
                    self.row = self.row.saturating_add(1);
                    self.col = 0;
                }
                (Kind::Sheet, false, Name::Dimension) => {
                    if let Some(r) = attr(attrs, b"ref") {
                        check_dimension(r)?;
                    }
                }
                (Kind::Sheet, false, Name::MergeCell) => {
                    if let Some(m) = attr(attrs, b"ref").and_then(parse_range) {
                        if self.found.merges.len() >= MAX_MERGED_RANGES {
                            return Err(Problem::Merges);
                        }
                        self.found.merges.push(m);
                    }
                }
                (Kind::SharedStrings, false, Name::Sst) => {
                    // A count calamine cannot parse reserves nothing.
                    self.found.unique_count = attr(attrs, b"uniqueCount").and_then(parse_number);
                }
                (Kind::SharedStrings, false, Name::Si) => {
                    self.found.strings += 1;
                    if self.found.strings > MAX_SHARED_STRINGS {
                        return Err(Problem::Strings(self.found.strings));
                    }
                    if !empty && self.element.is_none() {
                        self.element = Some(tag_start);
                    }
                }
                (Kind::SharedStrings, true, Name::Si) => self.element = None,
                _ => {}
            }
            Ok(())
        }

        pub fn finish(self) -> Result<Found, Problem> {
            if self.state != State::Text {
                return Err(Problem::Malformed);
            }
            if let Some(declared) = self.found.unique_count
                && declared > self.found.strings.saturating_add(COUNT_SLACK)
            {
                return Err(Problem::Count(declared, self.found.strings));
            }
            Ok(self.found)
        }
    }

    /// `B2:B10` → the range; a single cell is no range.
    fn parse_range(s: &[u8]) -> Option<Merge> {
        let colon = s.iter().position(|&b| b == b':')?;
        let (a, b) = (parse_cell(&s[..colon])?, parse_cell(&s[colon + 1..])?);
        let last_row_max = (MAX_SHEET_ROWS - 1) as u32;
        let m = Merge {
            first_row: a.0.min(b.0),
            first_col: a.1.min(b.1),
            last_row: a.0.max(b.0).min(last_row_max),
            last_col: a.1.max(b.1),
        };
        let useful = m.first_col < MAX_COLUMNS as u32 && m.first_row <= last_row_max;
        useful.then_some(m)
    }
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

    /// A workbook of `rows` rows of text that packs well, badly (stored deflate blocks) and in
    /// between, over many blocks, with a long string every 97 rows.
    fn workbook(path: &Path, rows: u32) {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for r in 0..rows {
            let noise: String = (0..(next() % 60))
                .map(|_| char::from_u32(0x4E00 + next() % 2000).unwrap_or('x'))
                .collect();
            sheet.write_string(r, 0, &noise).unwrap();
            sheet.write_number(r, 1, f64::from(next())).unwrap();
            sheet.write_string(r, 2, "清溪乡").unwrap();
            if r % 97 == 0 {
                let long: String = (0..3000)
                    .map(|_| (b'!' + (next() % 90) as u8) as char)
                    .collect();
                sheet.write_string(r, 3, &long).unwrap();
            }
        }
        book.save(path).unwrap();
    }

    #[test]
    fn parts_are_found_by_where_they_lie_and_scan_whole() {
        let dir = tempfile::tempdir().unwrap();
        for rows in [3u32, 20000] {
            let path = dir.path().join(format!("w{rows}.xlsx"));
            workbook(&path, rows);
            let mut parts = Parts::open(&path).unwrap_or_else(|e| panic!("{e:?}"));
            // From its local header to the next part, the bytes are the part's.
            for (i, p) in parts.list.iter().enumerate() {
                let end = parts.list.get(i + 1).map_or(parts.directory, |n| n.header);
                assert_eq!(parts.at(p.header), Some(i), "{}", p.name);
                assert_eq!(parts.at(end - 1), Some(i), "{}", p.name);
            }
            assert_eq!(parts.at(parts.directory), None);
            let place = |key: &str| parts.list.iter().position(|p| p.key == key).unwrap();
            let (sheet, strings) = (
                place("xl/worksheets/sheet1.xml"),
                place("xl/sharedstrings.xml"),
            );
            let found = parts.scan(&path, sheet, scan::Kind::Sheet);
            let found = found.unwrap_or_else(|e| panic!("{e:?}"));
            let n = u64::from(rows);
            assert_eq!(
                (found.rows, found.last_row, found.last_col),
                (n, n, Some(3))
            );
            let found = parts.scan(&path, strings, scan::Kind::SharedStrings);
            let found = found.unwrap_or_else(|e| panic!("{e:?}"));
            assert!(found.strings > n / 2, "{found:?}");
            assert_eq!(found.unique_count, Some(found.strings));
        }
    }

    /// `RUHU_CHECK_XLSX=FILE cargo test --lib -- --ignored a_given_workbook` runs the checks
    /// of the shared strings and the worksheets on a real workbook.
    #[test]
    #[ignore]
    fn a_given_workbook_passes_the_checks() {
        let Some(p) = std::env::var_os("RUHU_CHECK_XLSX") else {
            return;
        };
        let path = Path::new(&p);
        let mut parts = Parts::open(path).unwrap_or_else(|e| panic!("{e:?}"));
        for i in 0..parts.list.len() {
            let part = &parts.list[i];
            let kind = if part.is_shared_strings() {
                scan::Kind::SharedStrings
            } else if part.key.contains("worksheets/") {
                scan::Kind::Sheet
            } else {
                continue;
            };
            let (name, size) = (part.name.clone(), part.size);
            let found = parts
                .scan(path, i, kind)
                .unwrap_or_else(|e| panic!("{e:?}"));
            eprintln!(
                "{name}: {size} bytes, {} rows, {} merged ranges, {} strings",
                found.rows,
                found.merges.len(),
                found.strings
            );
        }
    }

    /// Scans `xml` fed in chunks of `size` bytes.
    fn scan_in(kind: scan::Kind, xml: &[u8], size: usize) -> Result<scan::Found, scan::Problem> {
        let mut s = scan::Scanner::new(kind);
        for chunk in xml.chunks(size) {
            s.feed(chunk)?;
        }
        s.finish()
    }

    #[test]
    fn the_sheet_scan_finds_rows_widest_row_and_merges_in_any_chunking() {
        let xml = br#"<?xml version="1.0"?><worksheet xmlns="x"><dimension ref="A1:ZZZZZZ4000000"/>
<!-- a comment with <c r="Z9"> and > inside --><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a <b> c]]></t></is></c><c r="XFD1" s="1"/></row>
<row r="2"><c r="B2" s="3"><v>7</v></c><c><v>8</v></c></row>
<x:row r="5"><x:c r="D5" t='s' a=">"><x:v>0</x:v></x:c></x:row>
</sheetData><mergeCells count="2"><mergeCell ref="B2:B10"/><mergeCell ref="A1:P2"/><mergeCell ref="C3"/></mergeCells></worksheet>"#;
        let expect = |f: &scan::Found| {
            assert_eq!((f.rows, f.last_row, f.last_col), (3, 5, Some(3)));
            let names: Vec<String> = f.merges.iter().map(scan::Merge::name).collect();
            assert_eq!(names, ["B2:B10", "A1:P2（A）"]);
        };
        for size in [1, 2, 3, 7, 64, xml.len()] {
            match scan_in(scan::Kind::Sheet, xml, size) {
                Ok(f) => expect(&f),
                Err(p) => panic!("{size}: {p:?}"),
            }
        }
    }

    #[test]
    fn the_scan_stops_long_cells_tags_and_strings_and_refuses_doctype() {
        let long = "x".repeat(MAX_XML_RUN as usize + 1);
        let cell = format!(
            r#"<worksheet><sheetData><row r="7"><c r="C7" t="inlineStr"><is><t>{long}</t></is></c></row></sheetData></worksheet>"#
        );
        let runs = format!(
            r#"<worksheet><sheetData><row r="3"><c r="B3" t="inlineStr"><is>{}</is></c></row></sheetData></worksheet>"#,
            "<r><t>abcdefgh</t></r>".repeat(MAX_XML_RUN as usize / 20)
        );
        for (xml, row, col) in [(cell, 6, 2), (runs, 2, 1)] {
            match scan_in(scan::Kind::Sheet, xml.as_bytes(), 65536) {
                Err(scan::Problem::Cell { row: r, col: c }) => assert_eq!((r, c), (row, col)),
                other => panic!("{other:?}"),
            }
        }
        let tag = format!(r#"<worksheet a="{}>"/>"#, ">".repeat(MAX_XML_RUN as usize));
        assert!(matches!(
            scan_in(scan::Kind::Sheet, tag.as_bytes(), 4096),
            Err(scan::Problem::Markup(_))
        ));
        let comment = format!(
            "<a><!-- {} --></a>",
            "<b>".repeat(MAX_XML_RUN as usize / 3 + 1)
        );
        assert!(matches!(
            scan_in(scan::Kind::Sheet, comment.as_bytes(), 4096),
            Err(scan::Problem::Markup(_))
        ));
        assert!(matches!(
            scan_in(scan::Kind::Sheet, b"<!DOCTYPE x [<!ENTITY a 'b'>]><a/>", 5),
            Err(scan::Problem::Doctype)
        ));
        let si = format!("<sst><si><t>a</t></si><si><t>{long}</t></si></sst>");
        assert!(matches!(
            scan_in(scan::Kind::SharedStrings, si.as_bytes(), 1000),
            Err(scan::Problem::SharedString(2))
        ));
    }

    #[test]
    fn shared_strings_must_hold_about_as_many_strings_as_they_declare() {
        let ns = format!(r#"xmlns="{}""#, "n".repeat(400));
        let ok = format!(r#"<sst {ns} count="3" uniqueCount="2"><si><t>a</t></si><si/></sst>"#);
        let f = scan_in(scan::Kind::SharedStrings, ok.as_bytes(), 100).unwrap();
        assert_eq!((f.strings, f.unique_count), (2, Some(2)));
        let lie = format!(r#"<sst {ns} uniqueCount="0004000000000"><si><t>a</t></si></sst>"#);
        assert!(matches!(
            scan_in(scan::Kind::SharedStrings, lie.as_bytes(), 100),
            Err(scan::Problem::Count(4_000_000_000, 1))
        ));
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(scan::parse_cell(b"ZZZZZZ1"), Some((0, 321_272_405)));
        assert_eq!(column_name(321_272_405), "ZZZZZZ");
        assert_eq!(scan::parse_cell(b"$B$7"), Some((6, 1)));
        assert_eq!(scan::parse_cell(b"B0"), None);
        assert_eq!(scan::parse_cell(b"7"), None);
    }
}
