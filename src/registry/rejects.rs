//! The rejects file: every rejected row with its line and reason, then the row's original
//! cells under the file's own headers, so that it can be fixed in Excel and imported again
//! (行号 and 原因 are then ignored columns). Written through the one CSV writer
//! ([`crate::sheet_csv`]): UTF-8 with a byte order mark, ID numbers and long ids marked with
//! a leading `'` so that opening and saving the file in a spreadsheet keeps them whole, and
//! formula-looking cells neutralised. The reasons mask ID numbers (the cells beside them hold
//! the row as it was). Created only when a row is rejected, owner-only, and put in place when
//! the import ends (a killed import leaves no half-written rejects file).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Text};
use crate::private_file::AtomicFile;
use crate::sheet_csv::{SheetCsv, unmark};

use super::table::Cells;

/// `<name>.rejects.csv` beside the input file.
pub fn default_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "registry".to_string());
    input.with_file_name(format!("{stem}.rejects.csv"))
}

/// Writes rejected rows as they come.
pub struct RejectsFile {
    path: PathBuf,
    lang: Lang,
    header: Vec<String>,
    out: Option<SheetCsv<AtomicFile>>,
}

impl RejectsFile {
    pub fn new(path: PathBuf, lang: Lang) -> RejectsFile {
        RejectsFile {
            path,
            lang,
            header: Vec::new(),
            out: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The original header of the file being read.
    pub fn set_header(&mut self, names: &[String]) {
        self.header = names.to_vec();
    }

    fn writer(&mut self) -> Result<&mut SheetCsv<AtomicFile>, Text> {
        if self.out.is_none() {
            let path = &self.path;
            let file = AtomicFile::create(path).map_err(|e| write_error(path, &e))?;
            let head = ["行号", "原因"]
                .into_iter()
                .chain(self.header.iter().map(|h| unmark(h)));
            let w = SheetCsv::new(file, head).map_err(|e| write_error(path, &e))?;
            self.out = Some(w);
        }
        Ok(self.out.as_mut().expect("opened above"))
    }

    /// One rejected row (`cells` is `None` when the row could not be decoded).
    pub fn write(&mut self, line: u64, cells: Option<&Cells>, reason: &Text) -> Result<(), Text> {
        let reason = crate::redact::mask_ids(reason.get(self.lang));
        let path = self.path.clone();
        let w = self.writer()?;
        let line = line.to_string();
        let mut record = vec![line.as_str(), reason.as_str()];
        if let Some(c) = cells {
            // The cells as the row meant them: a mark a spreadsheet kept is written once.
            record.extend(c.iter().map(unmark));
        }
        w.text_row(record).map_err(|e| write_error(&path, &e))
    }

    /// Puts the file in place; the path when anything was written.
    pub fn finish(mut self) -> Result<Option<PathBuf>, Text> {
        match self.out.take() {
            None => Ok(None),
            Some(w) => {
                let mut file = w.finish().map_err(|e| write_error(&self.path, &e))?;
                file.flush().map_err(|e| write_error(&self.path, &e))?;
                file.commit().map_err(|e| write_error(&self.path, &e))?;
                Ok(Some(self.path))
            }
        }
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> Text {
    crate::i18n::cannot_write(path, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_is_beside_the_input() {
        assert_eq!(
            default_path(Path::new("/a/b/reg.xlsx")),
            PathBuf::from("/a/b/reg.rejects.csv")
        );
        assert_eq!(
            default_path(Path::new("reg")),
            PathBuf::from("reg.rejects.csv")
        );
    }
}
