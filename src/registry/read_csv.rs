//! Reading a CSV export row by row: the encoding detected from the first chunk (or forced),
//! the delimiter from the header line (comma, tab or semicolon), rows of any length kept so
//! that short rows can be reported.

use std::cell::Cell;
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(first_line))
        .buffer_capacity(BUFFER)
        .from_reader(text);

    let mut record = Cells::new();
    let mut rows = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                visitor.row(line, &record)?;
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Utf8 { pos, .. } => {
                    let line = pos.as_ref().map_or(0, |p| p.line());
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

    #[test]
    fn delimiter_is_taken_from_the_header_line() {
        assert_eq!(delimiter("户编号,户主姓名,县".as_bytes()), b',');
        assert_eq!(delimiter("户编号\t户主姓名\t县".as_bytes()), b'\t');
        assert_eq!(delimiter("户编号;户主姓名;县".as_bytes()), b';');
        assert_eq!(delimiter(b""), b',');
    }
}
