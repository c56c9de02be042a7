//! Reading a CSV export row by row: the encoding detected from the first chunk (or forced),
//! the delimiter from the header line (comma, tab or semicolon), rows of any length kept so
//! that short rows can be reported.
//!
//! Memory stays bounded whatever the file: a record (a line, or several when a quoted cell
//! holds newlines) longer than [`MAX_RECORD_BYTES`] stops the read before the csv crate, which
//! buffers a whole record, can grow further; a record of more than [`MAX_COLUMNS`] cells stops
//! it too; a cell longer than [`MAX_CELL_BYTES`] rejects its row. An opening quote without a
//! closing one (which makes the rest of the file one cell) is reported at the line where it
//! opens.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use crate::i18n::Text;
use crate::limits::{MAX_CELL_BYTES, MAX_COLUMNS};
use crate::tr;

use super::encoding::{Decoding, Encoding, EncodingChoice, detect};
use super::table::{Cells, PROGRESS_EVERY, Visitor, cannot_read};

/// Bytes of one record (as UTF-8): every cell of the widest row at its longest.
pub const MAX_RECORD_BYTES: u64 = (MAX_COLUMNS * MAX_CELL_BYTES) as u64;

/// Counts the bytes read from the file, for the progress bar.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// One chunk the CSV parser has read.
struct Chunk {
    /// Its first byte's offset.
    start: u64,
    /// Newlines before it.
    newlines_before: u64,
    /// Its newlines' offsets in it.
    positions: Vec<u32>,
    /// Its bytes, to look into a record that cannot be read.
    bytes: Vec<u8>,
}

/// Where the newlines are in the text the CSV parser has read, for the chunks it may still be
/// parsing: the csv crate's own line numbers are off after blank lines and in CRLF files.
/// The chunks of the record being parsed are kept; the index also bounds the record.
#[derive(Default)]
struct LineIndex {
    chunks: VecDeque<Chunk>,
    end: u64,
    newlines: u64,
    /// Where the record being parsed starts (just past the previous one).
    record_start: u64,
    /// The input has ended.
    eof: bool,
    /// The read was stopped: the record from `record_start` is longer than the limit.
    too_long: bool,
    /// Buffers of forgotten chunks, used again (no fresh pages for every chunk).
    spare: Vec<(Vec<u32>, Vec<u8>)>,
}

/// A quote that opens a cell and is not closed: the line it is on and the cell (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OpenQuote {
    line: u64,
    field: usize,
}

impl LineIndex {
    fn add(&mut self, buf: &[u8]) {
        let (mut positions, mut bytes) = self.spare.pop().unwrap_or_default();
        positions.clear();
        positions.extend(
            buf.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i as u32),
        );
        bytes.clear();
        bytes.extend_from_slice(buf);
        let n = positions.len() as u64;
        self.chunks.push_back(Chunk {
            start: self.end,
            newlines_before: self.newlines,
            positions,
            bytes,
        });
        self.end += buf.len() as u64;
        self.newlines += n;
    }

    /// Newlines before byte `offset`.
    fn before(&self, offset: u64) -> u64 {
        for c in self.chunks.iter().rev() {
            if offset >= c.start {
                let rel = offset - c.start;
                return c.newlines_before
                    + c.positions.partition_point(|p| u64::from(*p) < rel) as u64;
            }
        }
        0
    }

    fn is_newline(&self, offset: u64) -> bool {
        self.before(offset + 1) > self.before(offset)
    }

    /// Forgets chunks that end before `offset`.
    fn forget_before(&mut self, offset: u64) {
        while self.chunks.len() > 1 && self.chunks[1].start <= offset {
            if let Some(c) = self.chunks.pop_front()
                && self.spare.len() < 4
            {
                self.spare.push((c.positions, c.bytes));
            }
        }
    }

    /// The kept bytes from `from` on, with their offsets.
    fn bytes_from(&self, from: u64) -> impl Iterator<Item = (u64, u8)> + '_ {
        self.chunks
            .iter()
            .filter(move |c| c.start + c.bytes.len() as u64 > from)
            .flat_map(move |c| {
                let skip = from.saturating_sub(c.start) as usize;
                c.bytes[skip..]
                    .iter()
                    .enumerate()
                    .map(move |(i, b)| (c.start + (skip + i) as u64, *b))
            })
    }

    /// Where the record from `from` has its first byte (blank lines before it are no part of
    /// it); the end if there is none yet.
    fn first_content(&self, from: u64) -> u64 {
        self.bytes_from(from)
            .find(|(_, b)| *b != b'\r' && *b != b'\n')
            .map_or(self.end, |(at, _)| at)
    }

    /// A quote opened in the record from `from` and still open at the end of the bytes read,
    /// following the csv crate's rules (a quote opens only at the start of a cell, `""` inside
    /// quotes is a quote).
    fn open_quote(&self, from: u64, delimiter: u8) -> Option<OpenQuote> {
        #[derive(PartialEq)]
        enum Q {
            Start,
            Field,
            Quoted,
            QuoteInQuoted,
        }
        let mut state = Q::Start;
        let (mut field, mut opened_at) = (1usize, 0u64);
        for (at, b) in self.bytes_from(from) {
            let ends = b == b'\r' || b == b'\n';
            state = match state {
                Q::Start | Q::Field | Q::QuoteInQuoted if b == delimiter => {
                    field += 1;
                    Q::Start
                }
                Q::Start | Q::Field | Q::QuoteInQuoted if ends => {
                    field = 1;
                    Q::Start
                }
                Q::Start if b == b'"' => {
                    opened_at = at;
                    Q::Quoted
                }
                Q::Quoted if b == b'"' => Q::QuoteInQuoted,
                Q::Quoted => Q::Quoted,
                Q::QuoteInQuoted if b == b'"' => Q::Quoted,
                _ => Q::Field,
            };
        }
        (state == Q::Quoted).then(|| OpenQuote {
            line: self.before(opened_at) + 1,
            field,
        })
    }

    /// The line a record starts on, from where it ends (`end`: just past its terminator, or
    /// past the `\r` of a CRLF) and the newlines inside its cells.
    fn start_line(&self, end: u64, inner: u64) -> u64 {
        let ended_by_newline = end > 0 && self.is_newline(end - 1);
        (self.before(end) + 1)
            .saturating_sub(inner)
            .saturating_sub(u64::from(ended_by_newline))
            .max(1)
    }

    /// Before more bytes are read: false (and `too_long`) when the record being parsed is
    /// already longer than the limit, so the csv crate, which holds a whole record, stops.
    fn may_read(&mut self) -> bool {
        if self.end - self.record_start <= MAX_RECORD_BYTES {
            return true;
        }
        let first = self.first_content(self.record_start);
        if first > self.record_start {
            // only blank lines so far
            self.record_start = first;
            self.forget_before(first);
        }
        if self.end - self.record_start <= MAX_RECORD_BYTES {
            return true;
        }
        self.too_long = true;
        false
    }
}

/// Feeds every chunk it reads into the line index; stops a record that grows too long.
struct Lines<R> {
    inner: R,
    index: Rc<RefCell<LineIndex>>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.index.borrow_mut().may_read() {
            return Err(std::io::Error::other("record too long"));
        }
        let n = self.inner.read(buf)?;
        let mut index = self.index.borrow_mut();
        index.add(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            index.eof = true;
        }
        Ok(n)
    }
}

const BUFFER: usize = 256 * 1024;

/// The delimiter of a header line: the most frequent of comma, tab and semicolon.
fn delimiter(first_line: &[u8]) -> u8 {
    let count = |d: u8| first_line.iter().filter(|&&b| b == d).count();
    let (comma, tab, semi) = (count(b','), count(b'\t'), count(b';'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma && semi > tab {
        b';'
    } else {
        b','
    }
}

/// Reads a CSV file into `visitor`; returns the encoding it was read with.
pub fn read(
    path: &Path,
    choice: EncodingChoice,
    visitor: &mut dyn Visitor,
) -> Result<Encoding, Text> {
    let file = File::open(path).map_err(|e| cannot_read(path, e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let count = Rc::new(Cell::new(0));
    let mut raw = BufReader::with_capacity(
        BUFFER,
        Counting {
            inner: file,
            count: count.clone(),
        },
    );
    let first = raw.fill_buf().map_err(|e| cannot_read(path, e))?;
    let (encoding, bom) = detect(first, choice);
    raw.consume(bom);
    let text: Box<dyn Read> = match encoding {
        Encoding::Utf8 => Box::new(raw),
        other => Box::new(Decoding::new(raw, other)),
    };
    let mut text = BufReader::with_capacity(BUFFER, text);
    let head = text.fill_buf().map_err(|e| cannot_read(path, e))?;
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = delimiter(first_line);
    let index = Rc::new(RefCell::new(LineIndex::default()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(BUFFER)
        .from_reader(Lines {
            inner: text,
            index: index.clone(),
        });

    let mut record = Cells::new();
    let mut rows = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let end = reader.position().byte();
                let mut inner = 0u64;
                let mut long = None;
                for (i, c) in record.iter().enumerate() {
                    if c.len() > MAX_CELL_BYTES && long.is_none() {
                        long = Some((i, c.len()));
                    }
                    inner += c.bytes().filter(|b| *b == b'\n').count() as u64;
                }
                let (line, open) = {
                    let mut index = index.borrow_mut();
                    let line = index.start_line(end, inner);
                    // A record that runs to the end of the file may be an opening quote
                    // that never closes.
                    let open = (index.eof && end == index.end)
                        .then(|| index.open_quote(index.record_start, delimiter))
                        .flatten();
                    index.record_start = end;
                    index.forget_before(end);
                    (line, open)
                };
                if let Some(q) = open {
                    return Err(unclosed_quote(path, q, false));
                }
                // Empty cells at the end (trailing delimiters) do not count.
                let used = match record.len() {
                    n if n > MAX_COLUMNS => {
                        n - record.iter().rev().take_while(|c| c.is_empty()).count()
                    }
                    n => n,
                };
                if used > MAX_COLUMNS {
                    return Err(tr!(
                        "{}：第 {} 行有 {} 列，超过最多 {} 列",
                        "{}: line {} has {} fields, more than the limit of {}",
                        path.display(),
                        line,
                        used,
                        MAX_COLUMNS
                    ));
                }
                match long {
                    Some((i, len)) => visitor.unreadable_row(
                        line,
                        tr!(
                            "第 {} 列的单元格有 {} 字节，超过上限 {} 字节",
                            "the cell in field {} has {} bytes, more than the limit of {}",
                            i + 1,
                            len,
                            MAX_CELL_BYTES
                        ),
                    )?,
                    None => visitor.row(line, &record)?,
                }
            }
            Err(e) => {
                let mut index = index.borrow_mut();
                if index.too_long {
                    let first = index.first_content(index.record_start);
                    return Err(match index.open_quote(first, delimiter) {
                        Some(q) => unclosed_quote(path, q, true),
                        None => tr!(
                            "{}：第 {} 行超过 {} 字节（最多 {} 列，每个单元格最多 {} 字节）：文件可能不是 CSV 表格",
                            "{}: line {} is longer than {} bytes (at most {} fields of {} bytes): the file may not be a CSV table",
                            path.display(),
                            index.before(first) + 1,
                            MAX_RECORD_BYTES,
                            MAX_COLUMNS,
                            MAX_CELL_BYTES
                        ),
                    });
                }
                match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        // The cells are not text: newlines inside them are not counted.
                        let end = reader.position().byte();
                        let line = index.start_line(end, 0);
                        index.record_start = end;
                        index.forget_before(end);
                        drop(index);
                        let reason = tr!(
                            "含有不是 UTF-8 的字符（文件可能是 GBK 编码：试试 --encoding gbk）",
                            "has characters that are not UTF-8 (the file may be GBK: try --encoding gbk)"
                        );
                        visitor.unreadable_row(line, reason)?;
                    }
                    _ => return Err(cannot_read(path, e)),
                }
            }
        }
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            visitor.progress(count.get(), total);
        }
    }
    visitor.progress(total, total);
    Ok(encoding)
}

/// The message of an opening quote that does not close: the rest of the file would be one
/// cell, or (`too_long`) no closing quote comes within what a record may hold.
fn unclosed_quote(path: &Path, q: OpenQuote, too_long: bool) -> Text {
    let (file, line, field) = (path.display(), q.line, q.field);
    if too_long {
        return Text::new(
            format!(
                "{file}：第 {line} 行第 {field} 个单元格的开引号（\"）之后 {MAX_RECORD_BYTES} 字节内没有结束引号：请补上结束引号，或去掉这个引号"
            ),
            format!(
                "{file}: the opening quote (\") of field {field} on line {line} is not closed within {MAX_RECORD_BYTES} bytes: add the closing quote or remove this one"
            ),
        );
    }
    Text::new(
        format!(
            "{file}：第 {line} 行第 {field} 个单元格的开引号（\"）没有对应的结束引号（从这里到文件末尾都会被读成这一个单元格）：请补上结束引号，或去掉这个引号"
        ),
        format!(
            "{file}: the opening quote (\") of field {field} on line {line} has no closing quote (everything from there to the end of the file would be read as that one cell): add the closing quote or remove this one"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (cells, line) of every record of `data`.
    fn lines(data: &str) -> Vec<(String, u64)> {
        struct Collect(Vec<(String, u64)>);
        impl Visitor for Collect {
            fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text> {
                self.0
                    .push((cells.iter().collect::<Vec<_>>().join("|"), line));
                Ok(())
            }
            fn unreadable_row(&mut self, line: u64, _: Text) -> Result<(), Text> {
                self.0.push(("?".into(), line));
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.csv");
        std::fs::write(&p, data).unwrap();
        let mut c = Collect(Vec::new());
        read(&p, EncodingChoice::Auto, &mut c).unwrap();
        c.0
    }

    #[test]
    fn lines_are_right_with_crlf_blank_lines_and_multiline_cells() {
        let expect = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            v.iter().map(|(s, l)| (s.to_string(), *l)).collect()
        };
        assert_eq!(
            lines("a,b\r\nc,d\r\ne,f\r\n"),
            expect(&[("a|b", 1), ("c|d", 2), ("e|f", 3)])
        );
        assert_eq!(
            lines("a,b\n\nc,d\n\n\ne,f"),
            expect(&[("a|b", 1), ("c|d", 3), ("e|f", 6)])
        );
        assert_eq!(
            lines("a,b\r\n\r\n\"x\r\ny\",z\r\ng,h\r\n"),
            expect(&[("a|b", 1), ("x\r\ny|z", 3), ("g|h", 5)])
        );
        assert_eq!(
            lines("\u{feff}a,b\n\"1\n\n2\",c\nd,e\n"),
            expect(&[("a|b", 1), ("1\n\n2|c", 2), ("d|e", 5)])
        );
        // over many chunks
        let big: String = (0..100_000).map(|i| format!("{i},x\r\n")).collect();
        let got = lines(&big);
        assert_eq!(got.len(), 100_000);
        assert!(got.iter().enumerate().all(|(i, (_, l))| *l == i as u64 + 1));
    }

    #[test]
    fn an_open_quote_is_found_as_the_csv_crate_reads_quotes() {
        let open = |text: &str| {
            let mut index = LineIndex::default();
            index.add(text.as_bytes());
            index.open_quote(0, b',')
        };
        let at = |line, field| Some(OpenQuote { line, field });
        assert_eq!(open("a,b\n1,\"x\n2,y\n"), at(2, 2));
        assert_eq!(open("a,b\n1,\"x\"\"y\n"), at(2, 2));
        assert_eq!(open("a,b\n1,\"x\"\"y\"\n"), None);
        // a quote inside a cell is a character, not a quote
        assert_eq!(open("a,b\n1,x\"y\n"), None);
        assert_eq!(open("a,b\r\n\r\n\"1"), at(3, 1));
        assert_eq!(open("a,b\n\"1\n\n2\",c\n"), None);
    }

    #[test]
    fn delimiter_is_taken_from_the_header_line() {
        assert_eq!(delimiter("户编号,户主姓名,县".as_bytes()), b',');
        assert_eq!(delimiter("户编号\t户主姓名\t县".as_bytes()), b'\t');
        assert_eq!(delimiter("户编号;户主姓名;县".as_bytes()), b';');
        assert_eq!(delimiter(b""), b',');
    }
}
