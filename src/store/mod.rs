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
//! `sample.rs`), the project list and its beneficiary index (`projects.rs`).
//! Other values are serde_json.

mod backup;
mod blocks;
mod check;
mod codec;
mod devices;
mod error;
mod files;
mod households;
pub mod imports;
mod interviews;
mod keys;
mod list;
mod marks;
mod migrate;
mod operation;
mod projects;
mod registry;
mod results;
mod sample;
mod settings;
mod spill;
pub mod sync;
mod villages;

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use uuid::Uuid;

pub use backup::{BACKUP_FORMAT, BackupCounts, RestoreChecks};
pub use check::{Problem, Tally};
pub use error::StoreError;
pub use interviews::InterviewVisit;
pub use list::{ListEntry, ListIndex, ListView};
pub use operation::Unfinished;
pub use projects::ProjectCounts;
pub use registry::BulkHouseholds;
pub use results::{Compacts, Direction};

/// The store schema this ruhu writes and reads. Opening a store written with a higher version
/// fails with [`StoreError::TooNew`]; an older one is brought up to date when opened
/// (`migrate.rs`). Version 1 kept one JSON household per key in `households`; version 2 keeps
/// them in blocks in `household_blocks`.
pub const SCHEMA_VERSION: u32 = 3;

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
    /// The folder the user named (the store's files are in it, or copied from it).
    path: PathBuf,
    /// The folder the store's files are in: `path`, or the private copy of a read-only one.
    work: PathBuf,
    /// Households written one by one since the household list was made (`list.rs`).
    list_recent: sled::Tree,
    /// Events by device and number (`devices.rs`).
    by_device: sled::Tree,
    /// What was sent to each recipient of answer bundles (`sync.rs`).
    sent: sled::Tree,
    /// Interviews held aside for a questionnaire this store lacks (`sync.rs`).
    held: sled::Tree,
    /// What a bundle applied in several transactions wrote, to undo it (`sync.rs`).
    journal: sled::Tree,
    /// The log of bundles imported (`imports.rs`).
    imports: sled::Tree,
    /// True when this open undid a restore that had been cut short.
    restore_undone: bool,
    /// The answer bundle applied in parts that this open undid (it had been cut short).
    import_undone: Option<Unfinished>,
    /// The private copy a read-only folder was opened from (removed when the store is
    /// dropped, after sled: fields drop in order).
    read_only: Option<tempfile::TempDir>,
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
    ///
    /// - The folder and the store's files are made owner-only (0700 / 0600).
    /// - What a failed write leaves behind is cleared before sled reads the folder: a snapshot
    ///   sled had begun to write when the disk filled up (`snap.*.generating`, zero bytes or cut
    ///   short: sled writes snapshots there and renames them when complete, and the log holds
    ///   everything they would), and the sorted runs of an import that was killed.
    /// - A restore cut short is undone (the folder is empty again: [`Store::undid_restore`]),
    ///   and so is an answer bundle applied in parts that was cut short (killed): what its
    ///   parts wrote is put back from its undo journal before anything reads the store
    ///   ([`Store::undid_import`]).
    /// - A folder that cannot be written (a write-protected stick) is opened read-only from a
    ///   private copy in the temporary folder: reading works, every write gives
    ///   [`StoreError::ReadOnly`]. Nothing is undone there: a bundle cut short stays as it
    ///   is, and [`Store::unfinished`] says so.
    pub fn open(dir: &Path) -> Result<Store> {
        match std::fs::create_dir_all(dir) {
            Ok(()) => {}
            Err(e) if dir.is_dir() && is_read_only(&e) => return Store::open_read_only(dir),
            Err(e) => return Err(StoreError::io(folder_text(dir), e)),
        }
        match Store::open_in(dir, dir, true) {
            Err(StoreError::Io { source, .. }) if is_read_only(&source) => {
                Store::open_read_only(dir)
            }
            other => other,
        }
    }

    /// Opens a private copy of a folder that cannot be written.
    fn open_read_only(dir: &Path) -> Result<Store> {
        let copy = files::copy_for_reading(dir).map_err(|e| StoreError::io(folder_text(dir), e))?;
        let mut store = Store::open_in(copy.path(), dir, false)?;
        store.read_only = Some(copy);
        Ok(store)
    }

    /// Opens the sled database in `work`; `shown` is the folder the user named. Only a
    /// `writable` store undoes what was cut short.
    fn open_in(work: &Path, shown: &Path, writable: bool) -> Result<Store> {
        files::make_private(work).map_err(|e| StoreError::io(folder_text(shown), e))?;
        let db = Store::open_db(work, shown)?;
        // Under the lock: no other ruhu uses the folder now.
        files::remove_spill_leftovers(work);
        files::make_files_private(work).map_err(|e| StoreError::io(folder_text(shown), e))?;
        let db_path = work.join("db");
        let db_file = File::open(&db_path).map_err(|e| StoreError::io(file_text(&db_path), e))?;
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
            list_recent: db.open_tree("list_recent")?,
            by_device: db.open_tree("by_device")?,
            sent: db.open_tree("sent")?,
            held: db.open_tree("held")?,
            journal: db.open_tree("journal")?,
            imports: db.open_tree("imports")?,
            names: Default::default(),
            db,
            db_file,
            device_id: String::new(),
            path: shown.to_path_buf(),
            work: work.to_path_buf(),
            restore_undone: false,
            import_undone: None,
            read_only: None,
        };
        let (created, migrated) = store.check_schema()?;
        let (device_id, new_id) = store.load_device_id()?;
        store.device_id = device_id;
        if store.meta.contains_key(keys::META_RESTORING)? {
            // A restore was cut short (killed, power cut): undo what it wrote.
            store.abandon_restore()?;
            store.restore_undone = true;
        }
        if writable {
            store.import_undone = store.undo_import_cut_short()?;
        }
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
            File::open(work)
                .and_then(|d| d.sync_all())
                .map_err(|e| StoreError::io(folder_text(shown), e))?;
        }
        Ok(store)
    }

    /// Opens sled in `work`. A store closed a moment ago (by this process or one that just
    /// exited) may still hold its lock while sled's background thread winds down: this waits
    /// briefly before reporting it locked. Damage that sled reports when it reads its
    /// snapshot is retried once after removing unfinished snapshots.
    fn open_db(work: &Path, shown: &Path) -> Result<sled::Db> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let mut cleared = false;
        loop {
            let opened = sled::Config::new()
                .path(work)
                .cache_capacity(CACHE_CAPACITY)
                .mode(sled::Mode::HighThroughput)
                .open()
                .map_err(|e| open_error(shown, e));
            match opened {
                Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                // sled opened the folder (so it held the lock) and found a snapshot it
                // could not read: one it had not finished writing.
                Err(StoreError::Corrupt { .. }) if !cleared => {
                    cleared = true;
                    if files::remove_unfinished_snapshots(work)
                        .map_err(|e| StoreError::io(folder_text(shown), e))?
                        == 0
                    {
                        break opened;
                    }
                }
                other => break other,
            }
        }
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
            .map_err(|e| StoreError::io(file_text(&self.path.join("db")), e))?;
        self.check_present()
    }

    /// Fails with [`StoreError::Vanished`] when the store file this store writes is no longer
    /// the one in the data folder: the folder was deleted (the file has no name left) or moved
    /// or replaced. sled keeps writing to the open file either way, so without this every
    /// answer after would look saved.
    fn check_present(&self) -> Result<()> {
        if self.read_only.is_some() {
            return Ok(());
        }
        let vanished = || StoreError::Vanished {
            path: self.path.clone(),
        };
        let open = self.db_file.metadata().map_err(|_| vanished())?;
        let named = std::fs::metadata(self.path.join("db")).map_err(|_| vanished())?;
        if files::same_file(&open, &named) {
            Ok(())
        } else {
            Err(vanished())
        }
    }

    /// True when opening undid a restore that had been cut short: the folder is empty again
    /// and the backup can be restored anew.
    pub fn undid_restore(&self) -> bool {
        self.restore_undone
    }

    /// The answer bundle applied in parts (`sync import`) that opening undid because it had
    /// been cut short: the store is as before that import, and the file can be imported
    /// again.
    pub fn undid_import(&self) -> Option<&Unfinished> {
        self.import_undone.as_ref()
    }

    /// Undoes an answer bundle applied in parts that was cut short, if there is one: the
    /// marker of the unfinished write it named, or `None` when there was nothing to undo.
    fn undo_import_cut_short(&self) -> Result<Option<Unfinished>> {
        let marker = self
            .unfinished()?
            .filter(|u| u.operation == sync::IMPORT_OPERATION);
        if self.journal.is_empty() && marker.is_none() {
            return Ok(None);
        }
        let undone = self.undo_unfinished_import()?;
        Ok(marker.filter(|_| undone))
    }

    /// True when the store was opened read-only (see [`Store::open`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Refuses a write to a store opened read-only.
    pub(super) fn writable(&self) -> Result<()> {
        match self.read_only {
            None => Ok(()),
            Some(_) => Err(StoreError::ReadOnly {
                path: self.path.clone(),
            }),
        }
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
                    self.migrate_from_2()?;
                    Ok((false, true))
                }
                Some(2) => {
                    self.migrate_from_2()?;
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

    /// True when the store holds no households, interviews, events, settings or projects.
    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
            && self.interviews.is_empty()
            && self.events.is_empty()
            && self.settings.is_empty()
            && self.has_no_projects().unwrap_or(false)
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

/// An error that means the folder cannot be written.
fn is_read_only(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

/// "the data folder DIR" in both languages.
fn folder_text(dir: &Path) -> crate::i18n::Text {
    crate::tr!("数据文件夹 {}", "the data folder {}", dir.display())
}

/// "the store file FILE" in both languages.
fn file_text(file: &Path) -> crate::i18n::Text {
    crate::tr!("存储文件 {}", "the store file {}", file.display())
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
