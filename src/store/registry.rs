//! The registry import's way into the store: [`Store::bulk_households`] runs an import with a
//! target whose writes go through the bulk path ([`Store::put_households`]: one flush at the
//! end, crash-safe counter) on a second thread, so that checking rows and writing them overlap;
//! [`Store::household_target`] writes one household at a time (members import).

use std::sync::mpsc;

use super::{Result, Store, StoreError, bump, encode, keys};
use crate::i18n::Text;
use crate::registry::{Household, HouseholdTarget};
use crate::tr;

/// Households waiting for the writer thread; bounds the memory an import holds.
const QUEUE: usize = 4096;

/// An import target that reads from the store and hands writes to the bulk writer thread.
pub struct BulkHouseholds<'a> {
    store: &'a Store,
    tx: mpsc::SyncSender<Household>,
}

impl HouseholdTarget for BulkHouseholds<'_> {
    fn get(&mut self, id: &str) -> std::result::Result<Option<Household>, Text> {
        self.store.household(id).map_err(|e| e.message())
    }

    fn put(&mut self, h: Household) -> std::result::Result<(), Text> {
        self.tx.send(h).map_err(|_| {
            tr!(
                "写入数据文件夹时出错，导入中止",
                "writing to the data folder failed; the import stopped"
            )
        })
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
        let (tx, rx) = mpsc::sync_channel::<Household>(QUEUE);
        std::thread::scope(|scope| {
            let writer = scope.spawn(move || self.put_households(rx));
            let mut target = BulkHouseholds { store: self, tx };
            let result = load(&mut target);
            drop(target);
            let written = writer
                .join()
                .map_err(|_| StoreError::Invalid("the household writer stopped".into()))??;
            Ok((result, written))
        })
    }

    /// A target that writes one household at a time.
    pub fn household_target(&self) -> DirectHouseholds<'_> {
        DirectHouseholds { store: self }
    }
}
