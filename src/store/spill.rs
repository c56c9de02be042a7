//! Sorted runs of households on disk, for a bulk load whose ids do not come in order: each
//! run is a batch of pending writes, sorted, written to a file in the data folder; at the end
//! the runs are merged and the households go into their blocks in id order, each block
//! written once. Without this, every batch of an unsorted file rewrites most blocks of the
//! store (a shuffled million: 16 s and 415 MiB instead of a few seconds and ~200 MiB).
//!
//! A run file is a sequence of `id_len (u32 LE) id payload_len (u32 LE) payload`, ids
//! ascending. The folder (`.import-<uuid>` in the data folder) is removed when the runs are
//! dropped; one left by a crash is removed by the next load that spills.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::households::Change;
use super::{Result, StoreError};

use super::files::SPILL_PREFIX as PREFIX;

/// The runs written so far.
pub(super) struct Runs {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

fn io(what: &Path, e: std::io::Error) -> StoreError {
    StoreError::io(
        crate::tr!(
            "导入用的临时排序文件 {}",
            "the import's sorted runs {}",
            what.display()
        ),
        e,
    )
}

impl Runs {
    /// A folder for runs in the data folder (owner-only: the runs hold registry data).
    /// Folders left by a crash are removed when the store is opened.
    pub fn new(data: &Path) -> Result<Runs> {
        let dir = data.join(format!("{PREFIX}{}", uuid::Uuid::new_v4().simple()));
        {
            use std::os::unix::fs::DirBuilderExt;
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&dir)
                .map_err(|e| io(&dir, e))?;
        }
        Ok(Runs {
            dir,
            files: Vec::new(),
        })
    }

    /// Writes one run (entries in ascending id order).
    pub fn write<'a>(&mut self, entries: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Result<()> {
        let path = self.dir.join(format!("{}.run", self.files.len()));
        let file = crate::private_file::create(&path).map_err(|e| io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        for (id, payload) in entries {
            for part in [id, payload] {
                let len = u32::try_from(part.len())
                    .map_err(|_| StoreError::Invalid("a household too large to import".into()))?;
                w.write_all(&len.to_le_bytes()).map_err(|e| io(&path, e))?;
                w.write_all(part).map_err(|e| io(&path, e))?;
            }
        }
        w.flush().map_err(|e| io(&path, e))?;
        self.files.push(path);
        Ok(())
    }

    /// Merges the runs and hands the households to `each` in ascending id order, in chunks
    /// of `chunk`; an id in several runs comes once, from the latest run.
    pub fn merge(
        &self,
        chunk: usize,
        mut each: impl FnMut(Vec<Change>) -> Result<()>,
    ) -> Result<()> {
        let mut readers = Vec::with_capacity(self.files.len());
        for path in &self.files {
            let file = File::open(path).map_err(|e| io(path, e))?;
            readers.push(RunReader {
                path: path.clone(),
                r: BufReader::with_capacity(256 * 1024, file),
            });
        }
        let mut heads: Vec<Option<Vec<u8>>> = vec![None; readers.len()];
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some((id, payload)) = r.next()? {
                heads[i] = Some(payload);
                heap.push(Reverse((id, i)));
            }
        }
        let mut out: Vec<Change> = Vec::with_capacity(chunk);
        while let Some(Reverse((id, i))) = heap.pop() {
            let payload = heads[i].take().unwrap_or_default();
            if let Some((id2, payload2)) = readers[i].next()? {
                heads[i] = Some(payload2);
                heap.push(Reverse((id2, i)));
            }
            // Equal ids pop in run order: the later run's replaces the earlier one's.
            match out.last_mut() {
                Some((last, v)) if *last == id => *v = Some(payload),
                _ => {
                    if out.len() >= chunk {
                        each(std::mem::replace(&mut out, Vec::with_capacity(chunk)))?;
                    }
                    out.push((id, Some(payload)));
                }
            }
        }
        if !out.is_empty() {
            each(out)?;
        }
        Ok(())
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

struct RunReader {
    path: PathBuf,
    r: BufReader<File>,
}

impl RunReader {
    fn part(&mut self) -> Result<Option<Vec<u8>>> {
        let mut len = [0u8; 4];
        match self.r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io(&self.path, e)),
        }
        let mut buf = vec![0u8; u32::from_le_bytes(len) as usize];
        self.r.read_exact(&mut buf).map_err(|e| io(&self.path, e))?;
        Ok(Some(buf))
    }

    fn next(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let Some(id) = self.part()? else {
            return Ok(None);
        };
        let Some(payload) = self.part()? else {
            return Err(StoreError::corrupt(
                format!("the import's sorted run {}", self.path.display()),
                "cut short",
            ));
        };
        Ok(Some((id, payload)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_in_order_and_the_later_run_wins() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = Runs::new(dir.path()).unwrap();
        let run = |ids: &[(&str, &str)]| -> Vec<(Vec<u8>, Vec<u8>)> {
            ids.iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect()
        };
        for r in [
            run(&[("a", "1"), ("c", "1"), ("e", "1")]),
            run(&[("b", "2"), ("c", "2"), ("张", "2")]),
            run(&[]),
            run(&[("d", "3")]),
        ] {
            runs.write(r.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
                .unwrap();
        }
        let mut chunks = Vec::new();
        runs.merge(2, |c| {
            chunks.push(c);
            Ok(())
        })
        .unwrap();
        assert!(chunks.iter().all(|c| c.len() <= 2));
        let all: Vec<(String, String)> = chunks
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    String::from_utf8(k).unwrap(),
                    String::from_utf8(v.unwrap()).unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = [
            ("a", "1"),
            ("b", "2"),
            ("c", "2"),
            ("d", "3"),
            ("e", "1"),
            ("张", "2"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(all, want);
        let folder = runs.dir.clone();
        drop(runs);
        assert!(!folder.exists());
    }
}
