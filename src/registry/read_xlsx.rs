//! Reading the first worksheet of an XLSX workbook row by row (calamine's streaming cell
//! reader: the sheet is never held whole). Cells become text the way a person reads them:
//! whole numbers without `.0` (Excel stores 家庭人口数 3 as 3.0), and numbers too long for
//! Excel to keep exact — ID numbers typed into a number cell — in scientific notation, which
//! the row checks reject with a clear reason instead of a wrong check digit.
//!
//! A workbook is a zip of XML parts, and a few kilobytes of zip can unpack to gigabytes, so
//! nothing is handed to calamine unchecked (the limits are in [`crate::limits`]):
//!
//! - Before calamine opens the workbook, its zip directory is read here (strictly: the zip
//!   crate's reader stops every part at the size the directory declares, so those sizes bound
//!   what calamine can unpack). A part larger than [`MAX_XLSX_PART_BYTES`] is refused, the
//!   shared strings (held in memory) above [`MAX_XLSX_SHARED_STRINGS_BYTES`]. The shared
//!   strings are unpacked once and scanned: no string longer than a row may be, and as many
//!   strings as they declare.
//! - The worksheet is scanned the moment calamine starts reading it (the part calamine
//!   actually reads, found by where it reads in the file): no cell, tag or text longer than
//!   a row may be, so calamine never builds a huge value; the scan also finds the merged
//!   ranges, the rows and the widest row.
//! - While reading: a value beyond [`MAX_COLUMNS`] or [`MAX_SHEET_ROWS`] stops the read (the
//!   declared `<dimension>` is never trusted); a cell longer than [`MAX_CELL_BYTES`] rejects
//!   its row. Rows are padded only to the widest row that has content.
//!
//! Merged ranges read as Excel shows them: the value of a range spanning several rows counts
//! for each of its rows (in the range's first column), and the visitor is told once which
//! ranges were filled ([`Visitor::notice`]).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use calamine::{DataRef, Reader, SheetType, Xlsx};

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

/// Merged ranges of one worksheet (a members file with 户编号 merged over each household's
/// rows has one per household).
const MAX_MERGED_RANGES: usize = 2 * MAX_SHEET_ROWS as usize;

/// Strings in the shared strings of a workbook (calamine keeps them all).
const MAX_SHARED_STRINGS: u64 = 1 << 24;

/// How many filled merged ranges the notice names (the rest are counted).
const NOTICE_RANGES: usize = 10;

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
    let mut file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let archive = match container::open(&mut file) {
        Ok(a) => a,
        Err(p) => return Err(p.text(path, &mut file)),
    };
    check_sizes(path, &archive)?;
    for entry in archive.entries.iter().filter(|e| e.is_shared_strings()) {
        scan_part(path, entry, scan::Kind::SharedStrings)?;
    }
    let shared = Rc::new(RefCell::new(Shared {
        path: path.to_path_buf(),
        scanned: vec![false; archive.entries.len()],
        archive,
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

/// Refuses a workbook with a part larger than its limit (by the sizes the zip directory
/// declares: calamine's zip reader stops each part there).
fn check_sizes(path: &Path, archive: &container::Archive) -> Result<(), Text> {
    for e in &archive.entries {
        let limit = if e.is_shared_strings() {
            MAX_XLSX_SHARED_STRINGS_BYTES
        } else if e.is_small_part() {
            MAX_XLSX_SMALL_PART_BYTES
        } else {
            MAX_XLSX_PART_BYTES
        };
        if e.size > limit {
            return Err(tr!(
                "{}：工作簿中的 {} 解压后有 {} 字节，超过上限 {} 字节",
                "{}: the part {} of the workbook is {} bytes uncompressed, more than the limit of {}",
                path.display(),
                e.name,
                e.size,
                limit
            ));
        }
    }
    Ok(())
}

/// Unpacks one part and scans it; an error names the file and what is wrong.
fn scan_part(path: &Path, entry: &container::Entry, kind: scan::Kind) -> Result<scan::Found, Text> {
    let mut file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let mut scanner = scan::Scanner::new(kind);
    let mut total = 0u64;
    let mut sink = |chunk: &[u8]| -> Result<(), scan::Problem> {
        total += chunk.len() as u64;
        if total > entry.size {
            return Err(scan::Problem::Larger);
        }
        scanner.feed(chunk)
    };
    let streamed = container::stream(&mut file, entry, &mut sink);
    let problem = match streamed {
        Ok(()) => match scanner.finish() {
            Ok(found) => return Ok(found),
            Err(p) => p,
        },
        Err(container::StreamError::Io(e)) => return Err(cannot_read(path, e)),
        Err(container::StreamError::Corrupt(why)) => {
            return Err(tr!(
                "{}：工作簿中的 {} 已损坏（{}）",
                "{}: the part {} of the workbook is damaged ({})",
                path.display(),
                entry.name,
                why
            ));
        }
        Err(container::StreamError::Sink(p)) => p,
    };
    Err(problem.text(path, entry))
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
    archive: container::Archive,
    /// Set once the workbook is open: the part read next is the worksheet.
    sheet_phase: bool,
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
        let Some(i) = self.archive.entry_at(pos) else {
            return Ok(());
        };
        if self.scanned[i] {
            return Ok(());
        }
        self.scanned[i] = true;
        match scan_part(&self.path, &self.archive.entries[i], scan::Kind::Sheet) {
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
// The zip container

/// The zip directory of a workbook, read the way calamine's zip crate reads it (the central
/// directory; the local header only for where the data starts), but strictly: one end
/// record, the directory right before it, no prepended data, no two parts of one name, no
/// overlapping parts. Files Excel, WPS and LibreOffice write pass; a file the zip crate could
/// read differently does not.
mod container {
    use std::collections::HashSet;
    use std::fs::File;
    use std::io::{self, Read, Seek, SeekFrom};
    use std::path::Path;

    use super::inflate;
    use crate::i18n::Text;
    use crate::tr;

    use super::MAX_XLSX_PARTS;

    /// Bytes of a central directory (a real one has a few kilobytes).
    const MAX_DIRECTORY_BYTES: u64 = 16 << 20;

    pub struct Entry {
        pub name: String,
        /// Lower case, `\` as `/` (calamine finds parts so).
        pub key: String,
        pub method: u16,
        pub flags: u16,
        /// The checksum, as declared (the zip crate checks it; the tests check the unpacking).
        #[cfg_attr(not(test), allow(dead_code))]
        pub crc: u32,
        pub compressed: u64,
        /// Uncompressed bytes, as declared.
        pub size: u64,
        pub header: u64,
        pub data: u64,
    }

    impl Entry {
        pub fn end(&self) -> u64 {
            self.data + self.compressed
        }

        fn file_name(&self) -> &str {
            self.key.rsplit('/').next().unwrap_or("")
        }

        /// calamine reads `<folder>sharedStrings.xml`, whatever the folder.
        pub fn is_shared_strings(&self) -> bool {
            self.file_name() == "sharedstrings.xml"
        }

        /// The other parts calamine reads whole when it opens a workbook.
        pub fn is_small_part(&self) -> bool {
            let name = self.file_name();
            name == "styles.xml"
                || name == "workbook.xml"
                || name.ends_with(".rels")
                || (name.starts_with("theme") && self.key.contains("theme/"))
        }
    }

    pub struct Archive {
        /// By where they start in the file.
        pub entries: Vec<Entry>,
    }

    impl Archive {
        /// The part whose bytes (local header or data) contain `pos`.
        pub fn entry_at(&self, pos: u64) -> Option<usize> {
            let i = self.entries.partition_point(|e| e.header <= pos);
            let i = i.checked_sub(1)?;
            (pos < self.entries[i].end().max(self.entries[i].data)).then_some(i)
        }
    }

    pub enum Problem {
        Io(io::Error),
        Bad(&'static str),
        Parts(usize),
    }

    impl From<io::Error> for Problem {
        fn from(e: io::Error) -> Self {
            Problem::Io(e)
        }
    }

    /// The signature of an OLE file: a password-protected workbook or an old .xls.
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    impl Problem {
        pub fn text(self, path: &Path, file: &mut File) -> Text {
            let mut head = [0u8; 8];
            let ole = file.seek(SeekFrom::Start(0)).is_ok()
                && file.read_exact(&mut head).is_ok()
                && head == OLE;
            if ole {
                return tr!(
                    "{}：文件有密码保护，或是旧的 .xls 格式：请在 Excel/WPS 中去掉密码并另存为 .xlsx",
                    "{}: the workbook is password-protected or an old .xls file: remove the password and save it as .xlsx",
                    path.display()
                );
            }
            match self {
                Problem::Io(e) => super::cannot_read(path, e),
                Problem::Bad(why) => tr!(
                    "{}：不是完好的 .xlsx 文件（{}）",
                    "{}: not a sound .xlsx file ({})",
                    path.display(),
                    why
                ),
                Problem::Parts(n) => tr!(
                    "{}：工作簿有 {} 个部件，超过上限 {} 个",
                    "{}: the workbook has {} parts, more than the limit of {}",
                    path.display(),
                    n,
                    MAX_XLSX_PARTS
                ),
            }
        }
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(a)
    }

    fn read_at(file: &mut File, at: u64, len: usize) -> Result<Vec<u8>, Problem> {
        file.seek(SeekFrom::Start(at))?;
        let mut buf = vec![0u8; len];
        file.read_exact(&mut buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => Problem::Bad("truncated"),
            _ => Problem::Io(e),
        })?;
        Ok(buf)
    }

    const EOCD: u32 = 0x0605_4b50;
    const EOCD64: u32 = 0x0606_4b50;
    const LOCATOR: u32 = 0x0706_4b50;
    const CENTRAL: u32 = 0x0201_4b50;
    const LOCAL: u32 = 0x0403_4b50;

    pub fn open(file: &mut File) -> Result<Archive, Problem> {
        let len = file.seek(SeekFrom::End(0))?;
        if len < 22 {
            return Err(Problem::Bad("not a zip file"));
        }
        let tail_len = len.min(22 + 0xFFFF);
        let tail = read_at(file, len - tail_len, tail_len as usize)?;
        // The end record: the one whose comment ends exactly at the end of the file.
        let mut found = None;
        for i in (0..=tail.len() - 22).rev() {
            if u32_at(&tail, i) == EOCD && i + 22 + usize::from(u16_at(&tail, i + 20)) == tail.len()
            {
                if found.is_some() {
                    return Err(Problem::Bad("two end records"));
                }
                found = Some(i);
            }
        }
        let Some(i) = found else {
            return Err(Problem::Bad("not a zip file"));
        };
        let eocd_pos = len - tail_len + i as u64;
        let e = &tail[i..i + 22];
        let (disk, cd_disk) = (u16_at(e, 4), u16_at(e, 6));
        let mut count = u64::from(u16_at(e, 10));
        let mut cd_size = u64::from(u32_at(e, 12));
        let mut cd_offset = u64::from(u32_at(e, 16));
        if disk != 0 || cd_disk != 0 || u16_at(e, 8) != u16_at(e, 10) {
            return Err(Problem::Bad("multi-disk zip"));
        }
        // The end of the directory: the end record, or a zip64 end record before it.
        let mut cd_end = eocd_pos;
        let locator = eocd_pos
            .checked_sub(20)
            .map(|at| read_at(file, at, 20))
            .transpose()?
            .filter(|l| u32_at(l, 0) == LOCATOR);
        if let Some(l) = locator {
            let at = u64_at(&l, 8);
            if at >= eocd_pos - 20 || u32_at(&l, 4) != 0 || u32_at(&l, 16) > 1 {
                return Err(Problem::Bad("zip64 locator"));
            }
            let r = read_at(file, at, 56)?;
            if u32_at(&r, 0) != EOCD64 || u32_at(&r, 16) != 0 || u32_at(&r, 20) != 0 {
                return Err(Problem::Bad("zip64 end record"));
            }
            let (c64, s64, o64) = (u64_at(&r, 32), u64_at(&r, 40), u64_at(&r, 48));
            let agrees = |short: u64, long: u64, max: u64| short == max || short == long;
            if u64_at(&r, 24) != c64
                || !agrees(count, c64, 0xFFFF)
                || !agrees(cd_size, s64, 0xFFFF_FFFF)
                || !agrees(cd_offset, o64, 0xFFFF_FFFF)
            {
                return Err(Problem::Bad("zip64 end record"));
            }
            (count, cd_size, cd_offset, cd_end) = (c64, s64, o64, at);
        } else if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
            return Err(Problem::Bad("zip64 without locator"));
        }
        if count > super::MAX_XLSX_PARTS as u64 {
            return Err(Problem::Parts(count.min(usize::MAX as u64) as usize));
        }
        if cd_offset.checked_add(cd_size) != Some(cd_end) || cd_size > MAX_DIRECTORY_BYTES {
            return Err(Problem::Bad("central directory"));
        }
        let cd = read_at(file, cd_offset, cd_size as usize)?;
        let mut entries = Vec::with_capacity(count as usize);
        let mut keys = HashSet::new();
        let mut at = 0usize;
        for _ in 0..count {
            if at + 46 > cd.len() || u32_at(&cd, at) != CENTRAL {
                return Err(Problem::Bad("central directory"));
            }
            let h = &cd[at..at + 46];
            let (n, m, k) = (
                usize::from(u16_at(h, 28)),
                usize::from(u16_at(h, 30)),
                usize::from(u16_at(h, 32)),
            );
            if at + 46 + n + m + k > cd.len() || u16_at(h, 34) != 0 {
                return Err(Problem::Bad("central directory"));
            }
            let name_raw = &cd[at + 46..at + 46 + n];
            let extra = &cd[at + 46 + n..at + 46 + n + m];
            let mut size = u64::from(u32_at(h, 24));
            let mut compressed = u64::from(u32_at(h, 20));
            let mut header = u64::from(u32_at(h, 42));
            zip64_sizes(extra, &mut size, &mut compressed, &mut header)?;
            let name = String::from_utf8_lossy(name_raw).into_owned();
            let key = name.replace('\\', "/").to_ascii_lowercase();
            if !keys.insert(key.clone()) {
                return Err(Problem::Bad("two parts of one name"));
            }
            entries.push(Entry {
                name,
                key,
                method: u16_at(h, 10),
                flags: u16_at(h, 8),
                crc: u32_at(h, 16),
                compressed,
                size,
                header,
                data: 0,
            });
            at += 46 + n + m + k;
        }
        if at != cd.len() {
            return Err(Problem::Bad("central directory"));
        }
        for e in &mut entries {
            let l = read_at(file, e.header, 30)?;
            if u32_at(&l, 0) != LOCAL {
                return Err(Problem::Bad("local header"));
            }
            e.data = e.header + 30 + u64::from(u16_at(&l, 26)) + u64::from(u16_at(&l, 28));
        }
        entries.sort_by_key(|e| e.header);
        for (i, e) in entries.iter().enumerate() {
            let next = entries.get(i + 1).map_or(cd_offset, |n| n.header);
            if e.data
                .checked_add(e.compressed)
                .is_none_or(|end| end > next)
            {
                return Err(Problem::Bad("overlapping parts"));
            }
        }
        Ok(Archive { entries })
    }

    /// The zip64 extra field: the 64-bit sizes of the fields saturated in the record, in order.
    fn zip64_sizes(
        mut extra: &[u8],
        size: &mut u64,
        compressed: &mut u64,
        header: &mut u64,
    ) -> Result<(), Problem> {
        while extra.len() >= 4 {
            let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
            if 4 + len > extra.len() {
                return Err(Problem::Bad("extra field"));
            }
            if id == 1 {
                let mut field = &extra[4..4 + len];
                for v in [size, compressed, header] {
                    if *v == 0xFFFF_FFFF {
                        if field.len() < 8 {
                            return Err(Problem::Bad("zip64 extra field"));
                        }
                        *v = u64_at(field, 0);
                        field = &field[8..];
                    }
                }
                return Ok(());
            }
            extra = &extra[4 + len..];
        }
        Ok(())
    }

    pub enum StreamError<E> {
        Io(io::Error),
        Corrupt(&'static str),
        Sink(E),
    }

    /// The uncompressed bytes of a part, in chunks.
    pub fn stream<E>(
        file: &mut File,
        e: &Entry,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), StreamError<E>> {
        if e.flags & 1 != 0 {
            return Err(StreamError::Corrupt("encrypted"));
        }
        file.seek(SeekFrom::Start(e.data))
            .map_err(StreamError::Io)?;
        let mut raw = file.take(e.compressed);
        match e.method {
            0 => {
                let mut buf = vec![0u8; 1 << 16];
                loop {
                    let n = match raw.read(&mut buf) {
                        Ok(0) => return Ok(()),
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(StreamError::Io(e)),
                    };
                    sink(&buf[..n]).map_err(StreamError::Sink)?;
                }
            }
            8 => inflate::inflate(raw, sink).map_err(|e| match e {
                inflate::Error::Io(e) => StreamError::Io(e),
                inflate::Error::Corrupt(why) => StreamError::Corrupt(why),
                inflate::Error::Sink(e) => StreamError::Sink(e),
            }),
            _ => Err(StreamError::Corrupt("unsupported compression")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deflate

/// Unpacking a deflate stream (RFC 1951), to look at a part before calamine reads it; the
/// output goes to a sink in chunks, so a part of any size takes a fixed 350 KB. Errors where
/// zlib errors, so that what this reads is what calamine's zip reader reads.
mod inflate {
    use std::io::{self, Read};

    pub enum Error<E> {
        Io(io::Error),
        Corrupt(&'static str),
        Sink(E),
    }

    impl<E> From<io::Error> for Error<E> {
        fn from(e: io::Error) -> Self {
            Error::Io(e)
        }
    }

    const WINDOW: usize = 1 << 15;
    /// The output is handed over when this much is buffered (the window kept).
    const FLUSH: usize = WINDOW + (1 << 18);
    const FAST_BITS: u32 = 10;
    const FAST_MASK: u64 = (1 << FAST_BITS) - 1;

    const LEN_BASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEN_EXTRA: [u8; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DIST_BASE: [u16; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DIST_EXTRA: [u8; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];
    const ORDER: [usize; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];

    /// A canonical Huffman code: a table for codes of up to `FAST_BITS` bits, counts and
    /// symbols for the longer ones.
    struct Huffman {
        /// By the next `FAST_BITS` bits: `length << 9 | symbol`, 0 for a longer code.
        fast: Vec<u16>,
        count: [u16; 16],
        symbol: Vec<u16>,
    }

    impl Huffman {
        fn new(lengths: &[u8]) -> Result<Huffman, &'static str> {
            let mut count = [0u16; 16];
            for &l in lengths {
                count[usize::from(l)] += 1;
            }
            count[0] = 0;
            let mut left: i32 = 1;
            for c in &count[1..] {
                left = (left << 1) - i32::from(*c);
                if left < 0 {
                    return Err("over-subscribed code");
                }
            }
            let mut offs = [0u16; 16];
            for len in 1..15 {
                offs[len + 1] = offs[len] + count[len];
            }
            let mut next = [0u32; 16];
            let mut code = 0u32;
            for len in 1..16 {
                code = (code + u32::from(count[len - 1])) << 1;
                next[len] = code;
            }
            let mut fast = vec![0u16; 1 << FAST_BITS];
            let mut symbol = vec![0u16; lengths.len()];
            for (sym, &l) in lengths.iter().enumerate() {
                if l == 0 {
                    continue;
                }
                let l = usize::from(l);
                symbol[usize::from(offs[l])] = sym as u16;
                offs[l] += 1;
                let c = next[l];
                next[l] += 1;
                if l as u32 <= FAST_BITS {
                    let rev = (c.reverse_bits() >> (32 - l)) as usize;
                    let entry = ((l as u16) << 9) | sym as u16;
                    let mut k = rev;
                    while k < 1 << FAST_BITS {
                        fast[k] = entry;
                        k += 1 << l;
                    }
                }
            }
            Ok(Huffman {
                fast,
                count,
                symbol,
            })
        }
    }

    /// The compressed bits, least significant first. Above `n`, `bits` holds either zeros or
    /// the next unread bytes (refills read eight bytes at once).
    struct Input<R> {
        inner: R,
        buf: Vec<u8>,
        pos: usize,
        len: usize,
        eof: bool,
        bits: u64,
        n: u32,
    }

    impl<R: Read> Input<R> {
        /// At least 56 bits, unless the input ends.
        fn refill(&mut self) -> io::Result<()> {
            while self.n < 56 {
                if self.len - self.pos >= 8 {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(&self.buf[self.pos..self.pos + 8]);
                    self.bits |= u64::from_le_bytes(w) << self.n;
                    let k = (63 - self.n) / 8;
                    self.pos += k as usize;
                    self.n += k * 8;
                    return Ok(());
                }
                if self.pos < self.len {
                    self.bits |= u64::from(self.buf[self.pos]) << self.n;
                    self.pos += 1;
                    self.n += 8;
                    continue;
                }
                if self.eof {
                    return Ok(());
                }
                self.fill()?;
            }
            Ok(())
        }

        /// Reads more input once all of `buf` is used.
        fn fill(&mut self) -> io::Result<()> {
            loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => {
                        self.pos = 0;
                        self.len = n;
                        self.eof = n == 0;
                        return Ok(());
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
        }

        fn take<E>(&mut self, k: u32) -> Result<u32, Error<E>> {
            if k > self.n {
                return Err(Error::Corrupt("truncated"));
            }
            let v = (self.bits & ((1u64 << k) - 1)) as u32;
            self.bits >>= k;
            self.n -= k;
            Ok(v)
        }

        fn decode<E>(&mut self, h: &Huffman) -> Result<u16, Error<E>> {
            let e = h.fast[(self.bits & FAST_MASK) as usize];
            if e != 0 {
                let l = u32::from(e >> 9);
                if l > self.n {
                    return Err(Error::Corrupt("truncated"));
                }
                self.bits >>= l;
                self.n -= l;
                return Ok(e & 0x1FF);
            }
            // A longer code, bit by bit (as zlib's `puff` does).
            let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
            for len in 1..16u32 {
                code |= ((self.bits >> (len - 1)) & 1) as i32;
                let count = i32::from(h.count[len as usize]);
                if code - count < first {
                    if len > self.n {
                        return Err(Error::Corrupt("truncated"));
                    }
                    self.bits >>= len;
                    self.n -= len;
                    return Ok(h.symbol[(index + code - first) as usize]);
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            Err(Error::Corrupt("invalid code"))
        }
    }

    /// The output with the last 32 KB kept for back references.
    struct Output<'s, E> {
        buf: Vec<u8>,
        p: usize,
        start: usize,
        sink: &'s mut dyn FnMut(&[u8]) -> Result<(), E>,
    }

    impl<E> Output<'_, E> {
        fn flush_if_full(&mut self) -> Result<(), Error<E>> {
            if self.p >= FLUSH {
                (self.sink)(&self.buf[self.start..self.p]).map_err(Error::Sink)?;
                self.buf.copy_within(self.p - WINDOW..self.p, 0);
                self.p = WINDOW;
                self.start = WINDOW;
            }
            Ok(())
        }
    }

    pub fn inflate<R: Read, E>(
        input: R,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), Error<E>> {
        let mut inp = Input {
            inner: input,
            buf: vec![0u8; 1 << 16],
            pos: 0,
            len: 0,
            eof: false,
            bits: 0,
            n: 0,
        };
        let mut out = Output {
            buf: vec![0u8; FLUSH + 259],
            p: 0,
            start: 0,
            sink,
        };
        let mut fixed: Option<(Huffman, Huffman)> = None;
        loop {
            inp.refill()?;
            let last = inp.take(1)?;
            match inp.take(2)? {
                0 => stored(&mut inp, &mut out)?,
                1 => {
                    if fixed.is_none() {
                        let mut lit = [8u8; 288];
                        lit[144..256].fill(9);
                        lit[256..280].fill(7);
                        fixed = Some((
                            Huffman::new(&lit).map_err(Error::Corrupt)?,
                            Huffman::new(&[5u8; 30]).map_err(Error::Corrupt)?,
                        ));
                    }
                    if let Some((lit, dist)) = &fixed {
                        codes(&mut inp, &mut out, lit, dist)?;
                    }
                }
                2 => {
                    let (lit, dist) = dynamic(&mut inp)?;
                    codes(&mut inp, &mut out, &lit, &dist)?;
                }
                _ => return Err(Error::Corrupt("invalid block type")),
            }
            if last == 1 {
                break;
            }
        }
        if out.p > out.start {
            (out.sink)(&out.buf[out.start..out.p]).map_err(Error::Sink)?;
        }
        Ok(())
    }

    fn stored<R: Read, E>(inp: &mut Input<R>, out: &mut Output<'_, E>) -> Result<(), Error<E>> {
        let skip = inp.n % 8;
        inp.take(skip)?;
        inp.refill()?;
        let len = inp.take(16)?;
        let nlen = inp.take(16)?;
        if len != !nlen & 0xFFFF {
            return Err(Error::Corrupt("stored block length"));
        }
        let mut left = len as usize;
        while left > 0 && inp.n >= 8 {
            out.buf[out.p] = inp.take(8)? as u8;
            out.p += 1;
            left -= 1;
            out.flush_if_full()?;
        }
        if left == 0 {
            return Ok(());
        }
        // The bit buffer is empty: copy straight from the input.
        inp.bits = 0;
        while left > 0 {
            if inp.pos == inp.len {
                if inp.eof {
                    return Err(Error::Corrupt("truncated"));
                }
                inp.fill()?;
                continue;
            }
            let k = left.min(inp.len - inp.pos).min(FLUSH - out.p);
            out.buf[out.p..out.p + k].copy_from_slice(&inp.buf[inp.pos..inp.pos + k]);
            inp.pos += k;
            out.p += k;
            left -= k;
            out.flush_if_full()?;
        }
        Ok(())
    }

    fn dynamic<R: Read, E>(inp: &mut Input<R>) -> Result<(Huffman, Huffman), Error<E>> {
        inp.refill()?;
        let nlen = inp.take(5)? as usize + 257;
        let ndist = inp.take(5)? as usize + 1;
        let ncode = inp.take(4)? as usize + 4;
        if nlen > 286 || ndist > 30 {
            return Err(Error::Corrupt("too many length or distance codes"));
        }
        let mut lengths = [0u8; 19];
        for &i in &ORDER[..ncode] {
            inp.refill()?;
            lengths[i] = inp.take(3)? as u8;
        }
        let lencode = Huffman::new(&lengths).map_err(Error::Corrupt)?;
        let mut lens = [0u8; 286 + 30];
        let mut i = 0;
        while i < nlen + ndist {
            inp.refill()?;
            let sym = inp.decode(&lencode)?;
            let (value, times) = match sym {
                0..=15 => (sym as u8, 1),
                16 => {
                    let Some(&prev) = i.checked_sub(1).map(|p| &lens[p]) else {
                        return Err(Error::Corrupt("repeat with no first length"));
                    };
                    (prev, 3 + inp.take(2)? as usize)
                }
                17 => (0, 3 + inp.take(3)? as usize),
                _ => (0, 11 + inp.take(7)? as usize),
            };
            if i + times > nlen + ndist {
                return Err(Error::Corrupt("too many lengths"));
            }
            lens[i..i + times].fill(value);
            i += times;
        }
        if lens[256] == 0 {
            return Err(Error::Corrupt("no end-of-block code"));
        }
        let lit = Huffman::new(&lens[..nlen]).map_err(Error::Corrupt)?;
        let dist = Huffman::new(&lens[nlen..nlen + ndist]).map_err(Error::Corrupt)?;
        Ok((lit, dist))
    }

    fn codes<R: Read, E>(
        inp: &mut Input<R>,
        out: &mut Output<'_, E>,
        lit: &Huffman,
        dist: &Huffman,
    ) -> Result<(), Error<E>> {
        loop {
            inp.refill()?;
            let sym = inp.decode(lit)?;
            if sym < 256 {
                out.buf[out.p] = sym as u8;
                out.p += 1;
            } else if sym == 256 {
                return Ok(());
            } else {
                let i = usize::from(sym - 257);
                if i >= 29 {
                    return Err(Error::Corrupt("invalid length code"));
                }
                let len = usize::from(LEN_BASE[i]) + inp.take(u32::from(LEN_EXTRA[i]))? as usize;
                let ds = usize::from(inp.decode(dist)?);
                if ds >= 30 {
                    return Err(Error::Corrupt("invalid distance code"));
                }
                let d = usize::from(DIST_BASE[ds]) + inp.take(u32::from(DIST_EXTRA[ds]))? as usize;
                if d > out.p {
                    return Err(Error::Corrupt("distance too far back"));
                }
                let from = out.p - d;
                if d >= len {
                    out.buf.copy_within(from..from + len, out.p);
                } else {
                    for k in 0..len {
                        out.buf[out.p + k] = out.buf[from + k];
                    }
                }
                out.p += len;
            }
            out.flush_if_full()?;
        }
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

    use super::container::Entry;
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
        pub fn text(self, path: &Path, entry: &Entry) -> Text {
            let (file, part) = (path.display(), &entry.name);
            match self {
                Problem::Larger => tr!(
                    "{}：工作簿中的 {} 解压后比它声明的 {} 字节大：文件已损坏",
                    "{}: the part {} of the workbook is larger uncompressed than the {} bytes it declares: the file is damaged",
                    file,
                    part,
                    entry.size
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

    /// CRC-32 as zip uses it.
    fn crc32(crc: u32, bytes: &[u8]) -> u32 {
        let mut c = !crc;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    /// Every part of the workbook at `path` unpacks to its declared size and checksum.
    fn assert_parts_unpack(path: &Path) -> u64 {
        let mut file = File::open(path).unwrap();
        let archive = container::open(&mut file).unwrap_or_else(|_| panic!("{path:?}"));
        let mut total = 0;
        for e in &archive.entries {
            let (mut n, mut crc) = (0u64, 0u32);
            let mut sink = |b: &[u8]| -> Result<(), ()> {
                n += b.len() as u64;
                crc = crc32(crc, b);
                Ok(())
            };
            assert!(
                container::stream(&mut file, e, &mut sink).is_ok(),
                "{}",
                e.name
            );
            assert_eq!((n, crc), (e.size, e.crc), "{}", e.name);
            total += n;
        }
        total
    }

    #[test]
    fn parts_unpack_as_the_zip_crate_packed_them() {
        let dir = tempfile::tempdir().unwrap();
        // Text that compresses well, badly (stored blocks) and in between, over many blocks.
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for (k, rows) in [(0, 3u32), (1, 2000), (2, 20000)] {
            let path = dir.path().join(format!("w{k}.xlsx"));
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
            book.save(&path).unwrap();
            assert!(assert_parts_unpack(&path) > 0);
        }
    }

    /// `RUHU_CHECK_XLSX=FILE cargo test --lib -- --ignored parts_of_a_given` checks the
    /// unpacking against a real workbook.
    #[test]
    #[ignore]
    fn parts_of_a_given_workbook_unpack() {
        if let Some(p) = std::env::var_os("RUHU_CHECK_XLSX") {
            let n = assert_parts_unpack(Path::new(&p));
            eprintln!("{n} bytes unpacked");
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
    fn stored_deflate_blocks_unpack() {
        // two stored blocks, the first not final
        let mut raw = vec![0x00, 3, 0, !3u8, 0xFF];
        raw.extend_from_slice(b"abc");
        raw.extend_from_slice(&[0x01, 2, 0, !2u8, 0xFF]);
        raw.extend_from_slice(b"de");
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| -> Result<(), ()> {
            out.extend_from_slice(b);
            Ok(())
        };
        assert!(inflate::inflate(&raw[..], &mut sink).is_ok());
        assert_eq!(out, b"abcde");
        let mut sink = |_: &[u8]| -> Result<(), ()> { Ok(()) };
        assert!(inflate::inflate(&raw[..6], &mut sink).is_err());
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
