//! The store: the only module that knows sled. It keeps households, interviews with their
//! event logs, settings and its own metadata in one sled database in the data folder, and
//! hides trees, keys and encoding behind the small API of [`Store`].
//!
//! Durability: every answer is saved by [`Store::record_event`] /
//! [`Store::record_events`], which write the event(s), the interview's current record and its
//! compact result in one sled transaction, then flush sled's buffers and `fdatasync` the store file before
//! returning (see [`Store::sync`]). Only after that may the
//! screen say "saved". Because sled is beta software, [`Store::export_json`] writes the whole
//! store as plain JSON and [`Store::import_json`] restores it into an empty folder.
//!
//! Trees (keys in `keys.rs`): `meta` (schema version, device id, counters),
//! `household_blocks` (households in blocks, `blocks.rs`, encoded by `codec.rs`),
//! `interviews`, `events`, `by_household` (index: household → interviews), `settings`,
//! what reconciliation reads (`results`, `interviewed`, `result_names`: `results.rs`), the
//! village records, auditors' marks and the drawn sample (`villages.rs`, `marks.rs`,
//! `sample.rs`).
//! Other values are serde_json.

mod backup;
mod blocks;
mod codec;
mod error;
mod households;
mod interviews;
mod keys;
mod marks;
mod migrate;
mod registry;
mod results;
mod sample;
mod settings;
mod spill;
mod villages;

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use uuid::Uuid;

pub use backup::{BACKUP_FORMAT, BackupCounts};
pub use error::StoreError;
pub use registry::BulkHouseholds;
pub use results::{Compacts, Direction};

/// The store schema this ruhu writes and reads. Opening a store written with a higher version
/// fails with [`StoreError::TooNew`]; an older one is brought up to date when opened
/// (`migrate.rs`). Version 1 kept one JSON household per key in `households`; version 2 keeps
/// them in blocks in `household_blocks`.
pub const SCHEMA_VERSION: u32 = 2;

/// sled's page cache: modest, so that a 1,000,000-household store runs on an old laptop.
const CACHE_CAPACITY: u64 = 64 * 1024 * 1024;

/// How long opening waits for a lock that a store closed a moment ago may still hold.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(750);

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An opened data folder. It holds the folder's lock until dropped: a second `Store::open`
/// of the same folder (from another process or this one) fails with [`StoreError::Locked`].
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    households: sled::Tree,
    interviews: sled::Tree,
    events: sled::Tree,
    by_household: sled::Tree,
    settings: sled::Tree,
    /// Compact interview results for reconciliation (`results.rs`).
    results: sled::Tree,
    /// Registry copies of interviewed households (`results.rs`).
    interviewed: sled::Tree,
    /// The dictionary of question ids of `results` (`results.rs`), and its copy in memory.
    names_tree: sled::Tree,
    names: std::sync::Mutex<crate::interview::compact::Names>,
    /// sled's log file, opened again read-only to make saves durable (see [`Store::sync`]).
    db_file: File,
    device_id: String,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`: checks the schema version, and on first
    /// open writes it and a new device id.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::io(format!("the data folder {}", dir.display()), e))?;
        // A store closed a moment ago (by this process or one that just exited) may still
        // hold its lock while sled's background thread winds down: wait briefly before
        // reporting it locked.
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let db = loop {
            let opened = sled::Config::new()
                .path(dir)
                .cache_capacity(CACHE_CAPACITY)
                .mode(sled::Mode::HighThroughput)
                .open()
                .map_err(|e| open_error(dir, e));
            match opened {
                Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => break other?,
            }
        };
        let db_path = dir.join("db");
        let db_file = File::open(&db_path)
            .map_err(|e| StoreError::io(format!("the store file {}", db_path.display()), e))?;
        let mut store = Store {
            meta: db.open_tree("meta")?,
            households: db.open_tree(migrate::HOUSEHOLD_BLOCKS)?,
            interviews: db.open_tree("interviews")?,
            events: db.open_tree("events")?,
            by_household: db.open_tree("by_household")?,
            settings: db.open_tree("settings")?,
            results: db.open_tree("results")?,
            interviewed: db.open_tree("interviewed")?,
            names_tree: db.open_tree("result_names")?,
            names: Default::default(),
            db,
            db_file,
            device_id: String::new(),
            path: dir.to_path_buf(),
        };
        let (created, migrated) = store.check_schema()?;
        let (device_id, new_id) = store.load_device_id()?;
        store.device_id = device_id;
        let names_whole = store.load_names()?;
        let mut repaired = store.repair_counts()?;
        if !names_whole || store.derived_outdated()? {
            store.rebuild_derived()?;
            repaired = true;
        }
        if created || migrated || new_id || repaired {
            store.sync()?;
        }
        if created {
            // The folder's entries (sled's files) must survive a power cut too.
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| StoreError::io(format!("the data folder {}", dir.display()), e))?;
        }
        Ok(store)
    }

    /// Closes the store and opens it again. sled writes its recovery snapshot when it opens,
    /// replaying the log written since the last one: after a bulk load (a whole registry
    /// through [`Store::put_households`]) calling this moves that replay (about 0.4–0.5 s for
    /// 1,000,000 households) from the next start-up into the import, where the user already
    /// waits. On error the store is closed.
    pub fn reopen(self) -> Result<Store> {
        let path = self.path.clone();
        drop(self);
        Store::open(&path)
    }

    /// The folder the store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This laptop's device id (uuid v4), made on the store's first open and kept since.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Writes everything to disk before returning (see [`Store::sync`]).
    pub fn flush(&self) -> Result<()> {
        self.sync()
    }

    /// Makes every write so far durable. sled's `flush` writes its buffers and, on Linux,
    /// waits with `sync_file_range`, which neither flushes the disk's write cache nor the
    /// file's size; sled's background thread does a real `fsync` only every 500 ms. So after
    /// sled's flush the store calls `fdatasync` on its own handle of the same file: when
    /// this returns, the data would survive a power cut, not only a crash of ruhu.
    pub(crate) fn sync(&self) -> Result<()> {
        self.db.flush()?;
        self.db_file
            .sync_data()
            .map_err(|e| StoreError::io(format!("the store file in {}", self.path.display()), e))
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    /// Writes the schema version on first open; refuses a newer one; brings an older one up
    /// to date. Returns (created, migrated).
    fn check_schema(&self) -> Result<(bool, bool)> {
        match self.meta.get(keys::META_SCHEMA_VERSION)? {
            None => {
                self.meta
                    .insert(keys::META_SCHEMA_VERSION, &SCHEMA_VERSION.to_be_bytes())?;
                Ok((true, false))
            }
            Some(v) => match keys::parse_u32(&v) {
                Some(found) if found == SCHEMA_VERSION => Ok((false, false)),
                Some(found) if found > SCHEMA_VERSION => Err(StoreError::TooNew {
                    found,
                    supported: SCHEMA_VERSION,
                }),
                Some(1) => {
                    self.migrate_from_1()?;
                    Ok((false, true))
                }
                Some(found) => Err(StoreError::corrupt(
                    "store schema version",
                    format!("unknown version {found}"),
                )),
                None => Err(StoreError::corrupt(
                    "store schema version",
                    format!("{} bytes instead of 4", v.len()),
                )),
            },
        }
    }

    /// The device id, made now if the store has none. True when it was made.
    fn load_device_id(&self) -> Result<(String, bool)> {
        if let Some(v) = self.meta.get(keys::META_DEVICE_ID)? {
            let id = std::str::from_utf8(&v)
                .map_err(|e| StoreError::corrupt("device id", e))?
                .to_string();
            return Ok((id, false));
        }
        let id = Uuid::new_v4().to_string();
        self.meta.insert(keys::META_DEVICE_ID, id.as_bytes())?;
        Ok((id, true))
    }

    /// Recounts households and interviews when a bulk load was cut short (or the counters are
    /// missing). True when it wrote. This is the only full scan, and it only happens then.
    fn repair_counts(&self) -> Result<bool> {
        let dirty = self.meta.contains_key(keys::META_COUNTS_DIRTY)?;
        let missing = |key: &[u8], tree: &sled::Tree| -> Result<bool> {
            Ok(!self.meta.contains_key(key)? && !tree.is_empty())
        };
        if !dirty
            && !missing(keys::META_HOUSEHOLD_COUNT, &self.households)?
            && !missing(keys::META_INTERVIEW_COUNT, &self.interviews)?
        {
            return Ok(false);
        }
        let mut batch = sled::Batch::default();
        batch.insert(
            keys::META_HOUSEHOLD_COUNT,
            &keys::u64_value(self.count_households() as u64),
        );
        batch.insert(
            keys::META_INTERVIEW_COUNT,
            &keys::u64_value(self.interviews.len() as u64),
        );
        batch.remove(keys::META_COUNTS_DIRTY);
        // A bulk load cut short may have left registry copies behind.
        self.copy_interviewed()?;
        self.meta.apply_batch(batch)?;
        Ok(true)
    }

    /// A counter of `meta` (0 when absent).
    fn counter(&self, key: &[u8]) -> Result<u64> {
        match self.meta.get(key)? {
            None => Ok(0),
            Some(v) => keys::parse_u64(&v).ok_or_else(|| bad_counter(key, &v)),
        }
    }

    /// A counter for callers that cannot fail: on an unreadable counter, the slow count.
    fn count_or_scan(&self, key: &[u8], scan: impl FnOnce() -> usize) -> usize {
        match self.counter(key) {
            Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
            Err(_) => scan(),
        }
    }

    /// True when the store holds no households, interviews, events or settings.
    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
            && self.interviews.is_empty()
            && self.events.is_empty()
            && self.settings.is_empty()
    }
}

/// Maps the error of opening sled, recognising the lock held by another process.
fn open_error(dir: &Path, e: sled::Error) -> StoreError {
    if let sled::Error::Io(io) = &e
        && (io.kind() == std::io::ErrorKind::WouldBlock
            || io.to_string().contains("could not acquire lock"))
    {
        return StoreError::Locked {
            path: dir.to_path_buf(),
        };
    }
    e.into()
}

fn bad_counter(key: &[u8], v: &[u8]) -> StoreError {
    StoreError::corrupt(
        format!("counter {}", String::from_utf8_lossy(key)),
        format!("{} bytes instead of 8", v.len()),
    )
}

/// Adds `delta` to a `meta` counter inside a transaction.
fn bump(
    meta: &TransactionalTree,
    key: &[u8],
    delta: i64,
) -> std::result::Result<(), ConflictableTransactionError<StoreError>> {
    let now = match meta.get(key)? {
        None => 0,
        Some(v) => keys::parse_u64(&v)
            .ok_or_else(|| ConflictableTransactionError::Abort(bad_counter(key, &v)))?,
    };
    let next = now.saturating_add_signed(delta);
    meta.insert(key, &keys::u64_value(next))?;
    Ok(())
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Invalid(format!("cannot encode {what}: {e}")))
}

fn decode<T: DeserializeOwned>(what: impl FnOnce() -> String, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::corrupt(what(), e))
}

#[cfg(test)]
mod tests;
