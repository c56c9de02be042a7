//! The registry import's way into the store: [`Store::bulk_households`] runs an import with a
//! target whose writes go through the bulk path (as [`Store::put_households`]: one flush at
//! the end, crash-safe counter) on a second thread that only inserts, so that reading,
//! checking and encoding rows overlap with sled's work;
//! [`Store::household_target`] writes one household at a time (members import).

use std::sync::mpsc;

use super::{Result, Store, StoreError, bump, decode, encode, keys};
use crate::i18n::Text;
use crate::registry::{Household, HouseholdTarget, Stored};
use crate::tr;

/// Households per batch handed to the writer thread, and batches waiting for it: bounds the
/// memory an import holds (about 16 × 512 encoded households).
const BATCH: usize = 512;
const QUEUE: usize = 16;

/// An encoded household on its way to the writer thread: key and value.
type Encoded = (Vec<u8>, Vec<u8>);

/// An import target that reads from the store and hands writes, encoded, to the writer thread.
pub struct BulkHouseholds<'a> {
    store: &'a Store,
    tx: mpsc::SyncSender<Vec<Encoded>>,
    batch: Vec<Encoded>,
    /// The store held no household when the import began: nothing to read back (the import
    /// rejects an id that comes twice, so it never reads what it wrote).
    empty: bool,
}

impl BulkHouseholds<'_> {
    fn send(&mut self) -> std::result::Result<(), Text> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(batch).map_err(|_| {
            tr!(
                "写入数据文件夹时出错，导入中止",
                "writing to the data folder failed; the import stopped"
            )
        })
    }
}

impl HouseholdTarget for BulkHouseholds<'_> {
    fn get(&mut self, id: &str) -> std::result::Result<Option<Household>, Text> {
        if self.empty {
            return Ok(None);
        }
        self.store.household(id).map_err(|e| e.message())
    }

    fn put(&mut self, h: Household) -> std::result::Result<(), Text> {
        let value = encode("household", &h).map_err(|e| e.message())?;
        self.batch.push((h.household_id.into_bytes(), value));
        if self.batch.len() >= BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn compare(&mut self, h: &Household) -> std::result::Result<Stored, Text> {
        if self.empty {
            return Ok(Stored::Absent);
        }
        let compare = || -> Result<Stored> {
            let Some(raw) = self.store.households.get(h.household_id.as_bytes())? else {
                return Ok(Stored::Absent);
            };
            if encode("household", h)? == raw.as_ref() {
                return Ok(Stored::Same);
            }
            let stored = decode(|| format!("household {}", h.household_id), &raw)?;
            Ok(Stored::Different(Box::new(stored)))
        };
        compare().map_err(|e| e.message())
    }
}

/// An import target that writes each household at once (not flushed: call [`Store::flush`]).
/// Households it adds are counted.
pub struct DirectHouseholds<'a> {
    store: &'a Store,
}

impl HouseholdTarget for DirectHouseholds<'_> {
    fn get(&mut self, id: &str) -> std::result::Result<Option<Household>, Text> {
        self.store.household(id).map_err(|e| e.message())
    }

    fn put(&mut self, h: Household) -> std::result::Result<(), Text> {
        let put = || -> Result<()> {
            let value = encode("household", &h)?;
            if self
                .store
                .households
                .insert(h.household_id.as_bytes(), value)?
                .is_none()
            {
                self.store
                    .meta
                    .transaction(|meta| bump(meta, keys::META_HOUSEHOLD_COUNT, 1))?;
            }
            Ok(())
        };
        put().map_err(|e| e.message())
    }
}

impl Store {
    /// Runs `load` with a target whose writes go through [`Store::put_households`] on a second
    /// thread (flushed once at the end). Returns what `load` returned and how many households
    /// were written. A failed write stops `load` (its `put` fails) and is returned here.
    pub fn bulk_households<R>(
        &self,
        load: impl FnOnce(&mut BulkHouseholds<'_>) -> R,
    ) -> Result<(R, usize)> {
        let (tx, rx) = mpsc::sync_channel::<Vec<Encoded>>(QUEUE);
        let empty = self.households.is_empty();
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || self.load_encoded(rx));
            let mut target = BulkHouseholds {
                store: self,
                tx,
                batch: Vec::with_capacity(BATCH),
                empty,
            };
            let result = load(&mut target);
            // The last batch; a failed writer reports its own error below.
            let _ = target.send();
            drop(target);
            let written = writer
                .join()
                .map_err(|_| StoreError::Invalid("the household writer stopped".into()))??;
            Ok((result, written))
        })
    }

    /// The bulk path of [`Store::put_households`] for households encoded already: a marker
    /// says the counter is out of date while it runs (a crash is repaired by a recount at the
    /// next open), one flush at the end.
    fn load_encoded(&self, rx: mpsc::Receiver<Vec<Encoded>>) -> Result<usize> {
        self.meta.insert(keys::META_COUNTS_DIRTY, &[1u8])?;
        self.db.flush()?;
        let mut written = 0usize;
        let mut added = 0u64;
        let load = || -> Result<()> {
            for (key, value) in rx.into_iter().flatten() {
                if self.households.insert(key, value)?.is_none() {
                    added += 1;
                }
                written += 1;
            }
            Ok(())
        };
        let loaded = load();
        self.meta.transaction(|meta| {
            bump(
                meta,
                keys::META_HOUSEHOLD_COUNT,
                i64::try_from(added).unwrap_or(i64::MAX),
            )?;
            meta.remove(keys::META_COUNTS_DIRTY)?;
            Ok(())
        })?;
        self.db.flush()?;
        loaded.map(|()| written)
    }

    /// A target that writes one household at a time.
    pub fn household_target(&self) -> DirectHouseholds<'_> {
        DirectHouseholds { store: self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Status;

    fn household(id: &str) -> Household {
        let mut h = Household::provisional(id.to_string(), "李四".into(), "石门村".into());
        h.provisional = false;
        h.status = Status::Exited;
        h
    }

    #[test]
    fn bulk_writes_count_and_compare_without_decoding_equal_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ((), written) = store
            .bulk_households(|t| {
                assert_eq!(t.compare(&household("1")).unwrap(), Stored::Absent);
                for i in 0..1500 {
                    t.put(household(&i.to_string())).unwrap();
                }
            })
            .unwrap();
        assert_eq!(written, 1500);
        assert_eq!(store.household_count(), 1500);
        let ((), _) = store
            .bulk_households(|t| {
                assert_eq!(t.compare(&household("7")).unwrap(), Stored::Same);
                let mut other = household("7");
                other.head_name = "王五".into();
                match t.compare(&other).unwrap() {
                    Stored::Different(s) => assert_eq!(s.head_name, "李四"),
                    s => panic!("{s:?}"),
                }
                assert_eq!(t.compare(&household("x")).unwrap(), Stored::Absent);
                t.put(other).unwrap();
                t.put(household("new")).unwrap();
            })
            .unwrap();
        assert_eq!(store.household_count(), 1501);
        assert_eq!(store.household("7").unwrap().unwrap().head_name, "王五");
        // reopened: the counter is right and no recount is pending (sled's background
        // thread may hold the folder's lock a moment after the drop)
        drop(store);
        let mut reopened = Store::open(dir.path());
        for _ in 0..100 {
            if !matches!(reopened, Err(StoreError::Locked { .. })) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            reopened = Store::open(dir.path());
        }
        let store = reopened.unwrap();
        assert_eq!(store.household_count(), 1501);
        assert!(!store.meta.contains_key(keys::META_COUNTS_DIRTY).unwrap());
    }

    #[test]
    fn direct_target_counts_added_households() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut t = store.household_target();
        t.put(household("1")).unwrap();
        t.put(household("1")).unwrap();
        assert_eq!(t.get("1").unwrap().unwrap().head_name, "李四");
        store.flush().unwrap();
        assert_eq!(store.household_count(), 1);
    }
}
