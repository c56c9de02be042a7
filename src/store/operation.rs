//! The marker of a long write that is not finished: a registry import writes many batches,
//! each whole, but a kill or a full disk on the way leaves part of the file in the store. The
//! marker is written (durably) before the first batch and removed after the last; while it is
//! there, every command says which import did not finish, and importing the same file again
//! finishes it (an import is idempotent: rows already in are "unchanged").

use serde::{Deserialize, Serialize};

use super::{Result, Store, decode, encode, keys};

/// A write that began and did not end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfinished {
    /// What it was: `registry import`, `registry import-members`, `registry import-villages`.
    pub operation: String,
    /// The file it read.
    pub file: String,
    /// When it began (RFC 3339).
    pub started_at: String,
}

impl Store {
    /// Writes the marker of a long write (flushed). Replaces an earlier one.
    pub fn begin_operation(&self, u: &Unfinished) -> Result<()> {
        self.writable()?;
        self.meta
            .insert(keys::META_UNFINISHED, encode("operation marker", u)?)?;
        self.sync()
    }

    /// Removes the marker after the write finished, if it is the one of `file` (flushed).
    pub fn end_operation(&self, operation: &str, file: &str) -> Result<()> {
        self.writable()?;
        if self
            .unfinished()?
            .is_some_and(|u| u.operation == operation && u.file == file)
        {
            self.meta.remove(keys::META_UNFINISHED)?;
            self.sync()?;
        }
        Ok(())
    }

    /// The long write that did not finish, if any.
    pub fn unfinished(&self) -> Result<Option<Unfinished>> {
        match self.meta.get(keys::META_UNFINISHED)? {
            None => Ok(None),
            Some(v) => decode(|| "operation marker".into(), &v).map(Some),
        }
    }
}
