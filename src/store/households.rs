//! Households (the registry), stored in blocks of neighbouring ids (`blocks.rs`), each
//! household encoded by `codec.rs`, with a counter in `meta` so that start-up on a
//! 1,000,000-household store never scans.
//!
//! Every write goes through [`Store::plan`]: given changes sorted by id, it reads the blocks
//! they fall in, merges, cuts the result into blocks again and returns the block writes. The
//! single-household calls apply a plan in one transaction with the counter; the bulk path
//! (`registry.rs`) applies many changes per plan.

use std::ops::Bound;

use sled::{IVec, Transactional};

use super::blocks::{self, Block};
use super::{Result, Store, StoreError, bump, codec, keys};
use crate::registry::Household;

/// One change to the households: its id and the encoded household, or `None` to remove it.
pub(super) type Change = (Vec<u8>, Option<Vec<u8>>);

/// The block writes that carry out a list of changes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Block key and new block bytes, or `None` to remove the block.
    pub writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Households added minus households removed.
    pub delta: i64,
}

impl Plan {
    pub fn batch(&self) -> sled::Batch {
        let mut batch = sled::Batch::default();
        for (k, v) in &self.writes {
            match v {
                Some(v) => batch.insert(k.as_slice(), v.as_slice()),
                None => batch.remove(k.as_slice()),
            }
        }
        batch
    }
}

fn what(id: &[u8]) -> String {
    format!("household {}", String::from_utf8_lossy(id))
}

pub(super) fn bad_block(key: &[u8], e: String) -> StoreError {
    StoreError::corrupt(
        format!("household block {}", String::from_utf8_lossy(key)),
        e,
    )
}

/// A household's encoded payload, decoded.
pub(super) fn decode_household(id: &[u8], payload: &[u8]) -> Result<Household> {
    codec::decode_household(payload).map_err(|e| StoreError::corrupt(what(id), e))
}

impl Store {
    /// The block `id` belongs in: the last block whose key is not after `id`; with
    /// `for_insert`, when `id` comes before every block, the first block.
    pub(super) fn block_of(&self, id: &[u8], for_insert: bool) -> Result<Option<(IVec, IVec)>> {
        if let Some(kv) = self.households.range(..=id).next_back() {
            return Ok(Some(kv?));
        }
        if for_insert {
            return Ok(self.households.iter().next().transpose()?);
        }
        Ok(None)
    }

    /// The key of the block after the one under `key`, if any.
    pub(super) fn block_after(&self, key: &[u8]) -> Result<Option<IVec>> {
        let next = self
            .households
            .range::<&[u8], _>((Bound::Excluded(key), Bound::Unbounded))
            .next()
            .transpose()?;
        Ok(next.map(|(k, _)| k))
    }

    /// The block writes for `changes` (sorted by id, each id once), against the store as it
    /// is now. Apply one plan before making the next.
    pub(super) fn plan(&self, changes: &[Change]) -> Result<Plan> {
        let mut all = Plan::default();
        self.plan_each(changes, usize::MAX, |p| {
            all.writes.extend(p.writes);
            all.delta += p.delta;
            Ok(())
        })?;
        Ok(all)
    }

    /// [`Store::plan`] in parts of about `part_bytes` of block writes, each handed to `apply`
    /// (which must write it before the next part is planned) and each whole for the blocks it
    /// touches: applied as one batch, a part never loses or doubles a household.
    pub(super) fn plan_each(
        &self,
        changes: &[Change],
        part_bytes: usize,
        mut apply: impl FnMut(Plan) -> Result<()>,
    ) -> Result<()> {
        let mut plan = Plan::default();
        let mut bytes = 0usize;
        let mut i = 0;
        while i < changes.len() {
            let found = self.block_of(&changes[i].0, true)?;
            let (old_key, upper, block) = match found {
                None => (None, None, None),
                Some((k, v)) => {
                    let upper = self.block_after(&k)?;
                    let block = Block::decode(v).map_err(|e| bad_block(&k, e))?;
                    (Some(k), upper, Some(block))
                }
            };
            // The changes that fall in this block: up to the next block's key. The block
            // found is never after changes[i], or it is the first block and the next key is
            // after it, so at least one change is taken.
            let end = match &upper {
                None => changes.len(),
                Some(u) => i + changes[i..].partition_point(|(id, _)| id.as_slice() < &u[..]),
            };
            let (merged, delta) =
                blocks::merge(block.iter().flat_map(|b| b.iter()), &changes[i..end]);
            plan.delta += delta;
            let mut at = 0;
            let mut kept_old_key = false;
            for n in blocks::cuts(merged.len()) {
                let part = &merged[at..at + n];
                at += n;
                let key = part[0].0;
                kept_old_key |= old_key.as_ref().is_some_and(|k| &k[..] == key);
                let block = blocks::encode(part.iter().copied()).map_err(|e| bad_block(key, e))?;
                bytes += block.len();
                plan.writes.push((key.to_vec(), Some(block)));
            }
            if let Some(k) = old_key
                && !kept_old_key
            {
                plan.writes.push((k.to_vec(), None));
            }
            i = end;
            // Planning on reads the blocks after this one only: what was applied stays
            // before them.
            if bytes >= part_bytes {
                apply(std::mem::take(&mut plan))?;
                bytes = 0;
            }
        }
        if !plan.writes.is_empty() || plan.delta != 0 {
            apply(plan)?;
        }
        Ok(())
    }

    /// Whether any interview is stored for household `id` (its registry copy must follow it).
    pub(super) fn has_interviews(&self, id: &[u8]) -> Result<bool> {
        let mut prefix = id.to_vec();
        prefix.push(0);
        for kv in self.by_household.scan_prefix(&prefix) {
            let (k, _) = kv?;
            if keys::household_of(&k) == Some(id) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Applies changes (sorted by id, each once) in one transaction with the counter and
    /// the registry copies of interviewed households.
    fn change_households(&self, changes: &[Change]) -> Result<i64> {
        let plan = self.plan(changes)?;
        let mut copies = Vec::new();
        for (id, v) in changes {
            if self.has_interviews(id)? {
                copies.push((id.as_slice(), v.as_deref()));
            }
        }
        (
            &self.households,
            &self.meta,
            &self.interviewed,
            &self.list_recent,
        )
            .transaction(|(hs, meta, copied, recent)| {
                for (k, v) in &plan.writes {
                    match v {
                        Some(v) => hs.insert(k.as_slice(), v.as_slice())?,
                        None => hs.remove(k.as_slice())?,
                    };
                }
                // The household list reads these from the blocks until it is made again.
                for (id, _) in changes {
                    recent.insert(id.as_slice(), &[])?;
                }
                for (id, v) in &copies {
                    match v {
                        Some(v) => copied.insert(*id, *v)?,
                        None => copied.remove(*id)?,
                    };
                }
                if plan.delta != 0 {
                    bump(meta, keys::META_HOUSEHOLD_COUNT, plan.delta)?;
                }
                Ok(())
            })?;
        Ok(plan.delta)
    }

    /// Puts (adds or replaces) one household. Not flushed: call [`Store::flush`] when the
    /// change must be on disk.
    pub fn put_household(&self, h: &Household) -> Result<()> {
        self.writable()?;
        let value = codec::encode_household(h)?;
        self.change_households(&[(h.household_id.as_bytes().to_vec(), Some(value))])?;
        Ok(())
    }

    /// Puts many households (a registry import, demo data) through the bulk path and
    /// flushes once at the end. Returns how many were written (added or replaced). While it
    /// runs, a marker in `meta` says the counter is out of date, so that a crash in the
    /// middle is repaired by a recount at the next open.
    pub fn put_households<I: IntoIterator<Item = Household>>(
        &self,
        households: I,
    ) -> Result<usize> {
        self.writable()?;
        let (loaded, written) = self.bulk_households(|t| -> Result<()> {
            for h in households {
                t.put_encoded(&h)?;
            }
            Ok(())
        })?;
        loaded.map(|()| written)
    }

    /// The encoded record of a household, if stored.
    pub(super) fn household_payload(&self, id: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some((k, v)) = self.block_of(id, false)? else {
            return Ok(None);
        };
        let block = Block::decode(v).map_err(|e| bad_block(&k, e))?;
        Ok(block.find(id).map(<[u8]>::to_vec))
    }

    /// One household by id.
    pub fn household(&self, id: &str) -> Result<Option<Household>> {
        match self.household_payload(id.as_bytes())? {
            None => Ok(None),
            Some(p) => decode_household(id.as_bytes(), &p).map(Some),
        }
    }

    /// All households, in id order (bytewise), read a block at a time.
    pub fn households(&self) -> impl Iterator<Item = Result<Household, StoreError>> {
        self.households.iter().flat_map(|kv| {
            let read = || -> Result<Vec<Result<Household>>> {
                let (k, v) = kv?;
                let block = Block::decode(v).map_err(|e| bad_block(&k, e))?;
                Ok(block
                    .iter()
                    .map(|(id, p)| decode_household(id, p))
                    .collect())
            };
            read().unwrap_or_else(|e| vec![Err(e)])
        })
    }

    /// How many households the store holds (a counter: no scan).
    pub fn household_count(&self) -> usize {
        self.count_or_scan(keys::META_HOUSEHOLD_COUNT, || self.count_households())
    }

    /// Counts the households by reading every block (only for repairing the counter).
    pub(super) fn count_households(&self) -> usize {
        self.households
            .iter()
            .values()
            .filter_map(|v| v.ok())
            .filter_map(|v| Block::decode(v).ok())
            .map(|b| b.len())
            .sum()
    }

    /// Removes a household; true when there was one. Not flushed. Its interviews stay.
    pub fn remove_household(&self, id: &str) -> Result<bool> {
        self.writable()?;
        if self.household_payload(id.as_bytes())?.is_none() {
            return Ok(false);
        }
        let removed = self.change_households(&[(id.as_bytes().to_vec(), None)])?;
        Ok(removed < 0)
    }
}
