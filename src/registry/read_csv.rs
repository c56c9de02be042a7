//! Reading a CSV export row by row: the encoding detected from the first chunk (or forced),
//! the delimiter from the header line (comma, tab or semicolon), rows of any length kept so
//! that short rows can be reported.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use crate::tr;

use super::encoding::{Decoding, Encoding, EncodingChoice, detect};
use super::table::{Cells, PROGRESS_EVERY, Visitor, cannot_read};
use crate::i18n::Text;

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

/// Where the newlines are in the text the CSV parser has read, for the chunks it may still be
/// parsing: the csv crate's own line numbers are off after blank lines and in CRLF files.
#[derive(Default)]
struct LineIndex {
    /// Per chunk: its first byte's offset, the newlines before it, its newlines' offsets.
    chunks: VecDeque<(u64, u64, Vec<u32>)>,
    end: u64,
    newlines: u64,
}

impl LineIndex {
    fn add(&mut self, buf: &[u8]) {
        let positions: Vec<u32> = buf
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i as u32)
            .collect();
        let n = positions.len() as u64;
        self.chunks.push_back((self.end, self.newlines, positions));
        self.end += buf.len() as u64;
        self.newlines += n;
    }

    /// Newlines before byte `offset`.
    fn before(&self, offset: u64) -> u64 {
        for (start, before, positions) in self.chunks.iter().rev() {
            if offset >= *start {
                let rel = offset - start;
                return before + positions.partition_point(|p| u64::from(*p) < rel) as u64;
            }
        }
        0
    }

    fn is_newline(&self, offset: u64) -> bool {
        self.before(offset + 1) > self.before(offset)
    }

    /// Forgets chunks that end before `offset`.
    fn forget_before(&mut self, offset: u64) {
        while self.chunks.len() > 1 && self.chunks[1].0 <= offset {
            self.chunks.pop_front();
        }
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
}

/// Feeds every chunk it reads into the line index.
struct Lines<R> {
    inner: R,
    index: Rc<RefCell<LineIndex>>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.index.borrow_mut().add(&buf[..n]);
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
                let inner = record
                    .iter()
                    .map(|c| c.bytes().filter(|b| *b == b'\n').count() as u64)
                    .sum();
                let line = {
                    let mut index = index.borrow_mut();
                    let line = index.start_line(end, inner);
                    index.forget_before(end);
                    line
                };
                visitor.row(line, &record)?;
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Utf8 { .. } => {
                    // The cells are not text: newlines inside them are not counted.
                    let line = index.borrow().start_line(reader.position().byte(), 0);
                    let reason = tr!(
                        "含有不是 UTF-8 的字符（文件可能是 GBK 编码：试试 --encoding gbk）",
                        "has characters that are not UTF-8 (the file may be GBK: try --encoding gbk)"
                    );
                    visitor.unreadable_row(line, reason)?;
                }
                _ => return Err(cannot_read(path, e)),
            },
        }
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            visitor.progress(count.get(), total);
        }
    }
    visitor.progress(total, total);
    Ok(encoding)
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
    fn delimiter_is_taken_from_the_header_line() {
        assert_eq!(delimiter("户编号,户主姓名,县".as_bytes()), b',');
        assert_eq!(delimiter("户编号\t户主姓名\t县".as_bytes()), b'\t');
        assert_eq!(delimiter("户编号;户主姓名;县".as_bytes()), b';');
        assert_eq!(delimiter(b""), b',');
    }
}
