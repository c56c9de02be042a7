//! Bringing a store written by an older ruhu up to date, once, when it is opened.
//!
//! Version 1 → 2: households move from one JSON value per id (tree `households`) to blocks
//! of postcard (tree `household_blocks`). The old tree stays until the new one is complete
//! and the version says 2: a crash in between starts the conversion again at the next open.

use super::blocks;
use super::{Result, Store, StoreError, codec, keys};
use crate::registry::Household;

/// The tree of household blocks (schema 2).
pub const HOUSEHOLD_BLOCKS: &str = "household_blocks";
/// The tree of schema 1: one JSON household per id.
const HOUSEHOLDS_V1: &str = "households";

impl Store {
    pub(super) fn migrate_from_1(&self) -> Result<()> {
        let old = self.db.open_tree(HOUSEHOLDS_V1)?;
        self.households.clear()?;
        self.meta.insert(keys::META_LIST_STALE, &[1u8])?;
        let mut part: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(blocks::MAX_ENTRIES);
        let write = |part: &mut Vec<(Vec<u8>, Vec<u8>)>| -> Result<()> {
            if let Some((first, _)) = part.first() {
                let block = blocks::encode(part.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
                    .map_err(|e| super::households::bad_block(first, e))?;
                self.households.insert(first.as_slice(), block)?;
            }
            part.clear();
            Ok(())
        };
        for kv in old.iter() {
            let (k, v) = kv?;
            let h: Household = serde_json::from_slice(&v).map_err(|e| {
                StoreError::corrupt(format!("household {}", String::from_utf8_lossy(&k)), e)
            })?;
            part.push((k.to_vec(), codec::encode_household(&h)?));
            if part.len() == blocks::MAX_ENTRIES {
                write(&mut part)?;
            }
        }
        write(&mut part)?;
        self.meta
            .insert(keys::META_SCHEMA_VERSION, &2u32.to_be_bytes())?;
        self.sync()?;
        self.db.drop_tree(HOUSEHOLDS_V1)?;
        Ok(())
    }

    /// Schema 3 numbers every event among its device's events and names what each one saw
    /// of its cell (`devices.rs`): the events of schema 2 are numbered in the order they
    /// were made and chained by time, cell by cell.
    pub(super) fn migrate_from_2(&self) -> Result<()> {
        self.index_events()?;
        self.meta.insert(
            keys::META_SCHEMA_VERSION,
            &super::SCHEMA_VERSION.to_be_bytes(),
        )?;
        self.sync()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Status;

    #[test]
    fn a_version_1_store_is_converted_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            // What ruhu wrote at schema 1.
            let db = sled::open(dir.path()).unwrap();
            let meta = db.open_tree("meta").unwrap();
            meta.insert(keys::META_SCHEMA_VERSION, &1u32.to_be_bytes())
                .unwrap();
            meta.insert(keys::META_HOUSEHOLD_COUNT, &keys::u64_value(150))
                .unwrap();
            let old = db.open_tree(HOUSEHOLDS_V1).unwrap();
            for i in 0..150 {
                let mut h =
                    Household::provisional(format!("H{i:03}"), "张三".into(), "桂花村".into());
                h.provisional = false;
                h.status = Status::Poor;
                old.insert(h.household_id.as_bytes(), serde_json::to_vec(&h).unwrap())
                    .unwrap();
            }
            db.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.household_count(), 150);
        assert_eq!(store.count_households(), 150);
        let h = store.household("H077").unwrap().unwrap();
        assert_eq!((h.head_name.as_str(), h.status), ("张三", Status::Poor));
        assert_eq!(store.households().count(), 150);
        assert!(
            !store
                .db
                .tree_names()
                .iter()
                .any(|n| &n[..] == HOUSEHOLDS_V1.as_bytes())
        );
        drop(store);
        // Opened again: nothing to convert.
        assert_eq!(
            crate::store::tests::reopen(dir.path()).household_count(),
            150
        );
    }
}
