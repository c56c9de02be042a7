//! The one CSV writer of ruhu, for files people open in Excel, WPS or LibreOffice: findings,
//! rates, the sample, the demo registry and the rejects of an import.
//!
//! - UTF-8 with a byte order mark, so that the spreadsheet reads the Chinese; every field
//!   quoted (LibreOffice's import splits unquoted fields at tabs and semicolons too).
//! - A text that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, a
//!   tab, a carriage return or a newline — gets a leading `'`; so does a text that starts
//!   with `'` itself, so that the mark can always be taken off again.
//! - An identifier (户编号, an ID number, any long digit string or one with a leading zero)
//!   gets a leading `'` too: bare, a spreadsheet turns `532326194909155480` into
//!   `5.32326E+17` and drops leading zeros, and saving the file keeps the damage. With the
//!   mark, LibreOffice keeps the text through open-and-save under every import setting
//!   (measured with LibreOffice 7.4: RELIABILITY.md), and Excel shows it as text.
//! - Reading such a file back, [`unmark`] takes exactly one leading `'` off a cell.
//!
//! `="…"` (Excel's text formula) is not used: LibreOffice shows it literally by default and,
//! with formula evaluation on, saves the bare number, which the next opening damages.

use std::io::{self, Write};

/// The characters that make a spreadsheet read a cell as a formula (or that the mark is
/// already on).
fn needs_mark(s: &str) -> bool {
    // A lone `-` (a missing value) or `+` is no formula.
    if s == "-" || s == "+" {
        return false;
    }
    matches!(
        s.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\'')
    )
}

/// A digit string a spreadsheet would not keep as it is: longer than 11 digits (Excel keeps
/// 15 significant digits and shows 12 or more in scientific notation) or with a leading
/// zero; an ID number's final `X` included.
fn looks_like_identifier(s: &str) -> bool {
    let body = s.strip_suffix(['X', 'x']).unwrap_or(s);
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit())
        && (s.len() > 11 || (s.len() > 1 && s.starts_with('0')))
}

/// A text cell as written: marked if a spreadsheet would take it for a formula or damage it
/// as a number.
pub fn text_cell(s: &str) -> String {
    if needs_mark(s) || looks_like_identifier(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A cell as read back from a file this writer (or a spreadsheet saving it) wrote: one
/// leading `'` taken off.
pub fn unmark(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s)
}

/// A cell of a row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Any text (names, labels, evidence, a file's original cell): marked when needed.
    Text(&'a str),
    /// A number this program computed: written as it is when it is a plain number (a
    /// negative one too), else as text.
    Number(&'a str),
}

impl Cell<'_> {
    fn written(self) -> std::borrow::Cow<'static, str> {
        match self {
            Cell::Number(s) if is_plain_number(s) => s.to_string().into(),
            Cell::Number(s) | Cell::Text(s) => text_cell(s).into(),
        }
    }
}

fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
        && !digits.starts_with('.')
        && !looks_like_identifier(digits)
}

/// A CSV file being written (see the module docs).
pub struct SheetCsv<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> SheetCsv<W> {
    /// Starts a file: the byte order mark, then the header row (written as text cells).
    pub fn new<'a>(mut w: W, header: impl IntoIterator<Item = &'a str>) -> io::Result<SheetCsv<W>> {
        w.write_all("\u{feff}".as_bytes())?;
        let out = csv::WriterBuilder::new()
            .flexible(true)
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(w);
        let mut sheet = SheetCsv { out };
        sheet.row(header.into_iter().map(Cell::Text))?;
        Ok(sheet)
    }

    /// One row.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> io::Result<()> {
        let cells: Vec<_> = cells.into_iter().map(Cell::written).collect();
        self.out.write_record(cells.iter().map(|c| c.as_ref()))?;
        Ok(())
    }

    /// One row of text cells.
    pub fn text_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
        self.row(cells.into_iter().map(Cell::Text))
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(rows: &[Vec<Cell<'_>>]) -> String {
        let mut sheet = SheetCsv::new(Vec::new(), ["户编号", "姓名"]).unwrap();
        for r in rows {
            sheet.row(r.iter().copied()).unwrap();
        }
        String::from_utf8(sheet.finish().unwrap()).unwrap()
    }

    #[test]
    fn formulas_are_neutralised_and_identifiers_kept_as_text() {
        let out = written(&[
            vec![
                Cell::Text("532326194909155480"),
                Cell::Text("=cmd|'/c calc'!A1"),
            ],
            vec![Cell::Text("0053232600100010001"), Cell::Text("+1+1")],
            vec![Cell::Text("53232619490915548X"), Cell::Text("-2+3")],
            vec![Cell::Text("@SUM(1)"), Cell::Text("\t=1")],
            vec![Cell::Text("'张三"), Cell::Text("他说\"你好\"")],
            vec![Cell::Number("-2"), Cell::Number("3335.5")],
            vec![Cell::Number("532326194909155480"), Cell::Text("桂花村")],
        ]);
        let expected = "\u{feff}\"户编号\",\"姓名\"\n\
            \"'532326194909155480\",\"'=cmd|'/c calc'!A1\"\n\
            \"'0053232600100010001\",\"'+1+1\"\n\
            \"'53232619490915548X\",\"'-2+3\"\n\
            \"'@SUM(1)\",\"'\t=1\"\n\
            \"''张三\",\"他说\"\"你好\"\"\"\n\
            \"-2\",\"3335.5\"\n\
            \"'532326194909155480\",\"桂花村\"\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn reading_back_takes_one_mark_off() {
        for s in [
            "532326194909155480",
            "=cmd|'/c calc'!A1",
            "'张三",
            "''",
            "桂花村",
            "",
            "-2+3",
        ] {
            assert_eq!(unmark(&text_cell(s)), s);
        }
        // A value typed without the mark reads as it is.
        assert_eq!(unmark("532326194909155480"), "532326194909155480");
    }

    #[test]
    fn short_numbers_and_words_are_written_bare() {
        for s in ["3", "12345678901", "桂花村", "张三", "2017", "-"] {
            assert_eq!(text_cell(s), s);
        }
        for s in ["012", "123456789012", "5323261949091554801"] {
            assert_eq!(text_cell(s), format!("'{s}"));
        }
    }
}
