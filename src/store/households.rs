//! Households (the registry): keyed by household id, with a counter in `meta` so that
//! start-up on a 1,000,000-household store never scans.

use sled::Transactional;

use super::{Result, Store, StoreError, bump, decode, encode, keys};
use crate::registry::Household;

fn what(key: &[u8]) -> String {
    format!("household {}", String::from_utf8_lossy(key))
}

impl Store {
    /// Puts (adds or replaces) one household. Not flushed: call [`Store::flush`] when the
    /// change must be on disk.
    pub fn put_household(&self, h: &Household) -> Result<()> {
        let value = encode("household", h)?;
        let key = h.household_id.as_bytes();
        (&self.households, &self.meta).transaction(|(hs, meta)| {
            if hs.insert(key, value.as_slice())?.is_none() {
                bump(meta, keys::META_HOUSEHOLD_COUNT, 1)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Puts many households (a registry import, demo data) and flushes once at the end.
    /// Returns how many were written (added or replaced). While it runs, a marker in `meta`
    /// says the counter is out of date, so that a crash in the middle is repaired by a
    /// recount at the next open.
    pub fn put_households<I: IntoIterator<Item = Household>>(
        &self,
        households: I,
    ) -> Result<usize> {
        self.meta.insert(keys::META_COUNTS_DIRTY, &[1u8])?;
        self.sync()?;
        let mut written = 0usize;
        let mut added = 0u64;
        let load = || -> Result<()> {
            for h in households {
                let value = encode("household", &h)?;
                if self
                    .households
                    .insert(h.household_id.as_bytes(), value)?
                    .is_none()
                {
                    added += 1;
                }
                written += 1;
            }
            Ok(())
        };
        let loaded = load();
        // Count what went in even when the load stopped half way.
        self.meta.transaction(|meta| {
            bump(
                meta,
                keys::META_HOUSEHOLD_COUNT,
                i64::try_from(added).unwrap_or(i64::MAX),
            )?;
            meta.remove(keys::META_COUNTS_DIRTY)?;
            Ok(())
        })?;
        self.sync()?;
        loaded.map(|()| written)
    }

    /// One household by id.
    pub fn household(&self, id: &str) -> Result<Option<Household>> {
        match self.households.get(id.as_bytes())? {
            None => Ok(None),
            Some(v) => decode(|| what(id.as_bytes()), &v).map(Some),
        }
    }

    /// All households, in id order (bytewise), read lazily.
    pub fn households(&self) -> impl Iterator<Item = Result<Household, StoreError>> {
        self.households.iter().map(|kv| {
            let (k, v) = kv?;
            decode(|| what(&k), &v)
        })
    }

    /// How many households the store holds (a counter: no scan).
    pub fn household_count(&self) -> usize {
        self.count_or_scan(keys::META_HOUSEHOLD_COUNT, &self.households)
    }

    /// Removes a household; true when there was one. Not flushed. Its interviews stay.
    pub fn remove_household(&self, id: &str) -> Result<bool> {
        let key = id.as_bytes();
        let removed = (&self.households, &self.meta).transaction(|(hs, meta)| {
            let existed = hs.remove(key)?.is_some();
            if existed {
                bump(meta, keys::META_HOUSEHOLD_COUNT, -1)?;
            }
            Ok(existed)
        })?;
        Ok(removed)
    }
}
