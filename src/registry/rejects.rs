//! The rejects file: every rejected row with its line and reason, then the row's original
//! cells under the file's own headers, so that it can be fixed in Excel and imported again
//! (行号 and 原因 are then ignored columns). UTF-8 with a byte order mark so that Excel shows
//! the Chinese; created only when a row is rejected.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Text};

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
    out: Option<csv::Writer<BufWriter<File>>>,
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

    fn writer(&mut self) -> Result<&mut csv::Writer<BufWriter<File>>, Text> {
        if self.out.is_none() {
            let path = &self.path;
            let mut file = BufWriter::new(File::create(path).map_err(|e| write_error(path, e))?);
            file.write_all("\u{feff}".as_bytes())
                .map_err(|e| write_error(path, e))?;
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(file);
            let mut head = vec!["行号".to_string(), "原因".to_string()];
            head.extend(self.header.iter().cloned());
            w.write_record(&head).map_err(|e| write_error(path, e))?;
            self.out = Some(w);
        }
        Ok(self.out.as_mut().expect("opened above"))
    }

    /// One rejected row (`cells` is `None` when the row could not be decoded).
    pub fn write(&mut self, line: u64, cells: Option<&Cells>, reason: &Text) -> Result<(), Text> {
        let lang = self.lang;
        let path = self.path.clone();
        let w = self.writer()?;
        let line = line.to_string();
        let mut record = vec![line.as_str(), reason.get(lang)];
        if let Some(c) = cells {
            record.extend(c.iter());
        }
        w.write_record(&record).map_err(|e| write_error(&path, e))
    }

    /// Flushes; the path when anything was written.
    pub fn finish(mut self) -> Result<Option<PathBuf>, Text> {
        match self.out.take() {
            None => Ok(None),
            Some(mut w) => {
                w.flush().map_err(|e| write_error(&self.path, e))?;
                Ok(Some(self.path))
            }
        }
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Text {
    crate::tr!("无法写入 {}：{}", "cannot write {}: {}", path.display(), e)
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
