//! What reconciliation reads, kept ready so that a county's interviews are read in one pass
//! of two small trees instead of a full record and a registry lookup each:
//!
//! - `results`: for every interview, its compact result (`interview::compact`), keyed like
//!   `by_household` (household id ++ 0x00 ++ interview uuid), so in household order; written
//!   in the same transaction as the interview's record.
//! - `interviewed`: for every household that has an interview, a copy of its registry record
//!   (the same encoding as in its block), keyed by household id. Every household write
//!   updates the copy of an interviewed household (a bulk write updates them when it is
//!   applied; a crash in between is repaired at the next open, with the counters).
//!
//! - `result_names`: the dictionary the results' question ids are coded with (code, u32
//!   big-endian → id), kept in memory too; new ids are added in the transaction that writes
//!   the result that brought them.
//!
//! All are derived data: [`Store::rebuild_derived`] makes them again from the interviews and
//! households (on first open of an older store, after a restore, after a cut-short bulk
//! load). `meta` keeps the version of their layout.

use std::sync::Arc;

use sled::IVec;

use super::households::decode_household;
use super::{Result, Store, StoreError, decode, keys};
use crate::interview::InterviewRecord;
use crate::interview::compact::{self, Names};
use crate::registry::Household;

/// Which way [`Store::interview_compacts_while`] reads: ascending household ids or
/// descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

type Kv = std::result::Result<(IVec, IVec), sled::Error>;

/// The iterator of [`Store::interview_compacts_while`].
pub struct Compacts<F> {
    direction: Direction,
    results: Box<dyn Iterator<Item = Kv> + Send>,
    households: std::iter::Peekable<Box<dyn Iterator<Item = Kv> + Send>>,
    current: Option<(Vec<u8>, Option<Arc<Household>>)>,
    take: F,
    stopped: bool,
}

impl<F: FnMut(&[u8]) -> bool> Compacts<F> {
    /// Whether household id `a` comes before `b` in the reading direction.
    fn before(&self, a: &[u8], b: &[u8]) -> bool {
        match self.direction {
            Direction::Ascending => a < b,
            Direction::Descending => a > b,
        }
    }

    /// The registry copy of household `id`, skipping the copies before it.
    fn household(&mut self, id: &[u8]) -> Result<Option<Arc<Household>>> {
        loop {
            let hk = match self.households.peek() {
                None => return Ok(None),
                Some(Ok((hk, _))) => hk.clone(),
                Some(Err(_)) => {
                    self.households.next().transpose()?;
                    continue;
                }
            };
            if self.before(&hk, id) {
                self.households.next();
                continue;
            }
            if &hk[..] != id {
                return Ok(None);
            }
            let (hk, hv) = self
                .households
                .next()
                .transpose()?
                .ok_or_else(|| StoreError::Invalid("household copy vanished".into()))?;
            return Ok(Some(Arc::new(decode_household(&hk, &hv)?)));
        }
    }

    fn step(&mut self) -> Option<Result<(Option<Arc<Household>>, IVec)>> {
        if self.stopped {
            return None;
        }
        let (k, v) = match self.results.next()? {
            Ok(kv) => kv,
            Err(e) => return Some(Err(e.into())),
        };
        let Some(id) = keys::household_of(&k) else {
            return Some(Err(StoreError::corrupt(
                "interview results",
                format!("bad key {k:02x?}"),
            )));
        };
        if self
            .current
            .as_ref()
            .is_none_or(|(c, _)| c.as_slice() != id)
        {
            if !(self.take)(id) {
                self.stopped = true;
                return None;
            }
            let found = match self.household(id) {
                Ok(h) => h,
                Err(e) => return Some(Err(e)),
            };
            self.current = Some((id.to_vec(), found));
        }
        // An Arc: a household with several interviews is decoded once.
        let household = self.current.as_ref().and_then(|(_, h)| h.clone());
        Some(Ok((household, v)))
    }
}

impl<F: FnMut(&[u8]) -> bool> Iterator for Compacts<F> {
    type Item = Result<(Option<Arc<Household>>, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step()
    }
}

/// Version of the derived trees' layout; a store with another is rebuilt when opened.
pub const DERIVED_VERSION: u32 = 3;

impl Store {
    /// Makes `results` and `interviewed` again from the interviews and households, then
    /// records the layout version. Flushed.
    pub fn rebuild_derived(&self) -> Result<()> {
        self.results.clear()?;
        self.interviewed.clear()?;
        self.names_tree.clear()?;
        let mut names = self.lock_names();
        *names = Names::default();
        let mut batch = sled::Batch::default();
        let mut n = 0;
        for kv in self.interviews.iter() {
            let (k, v) = kv?;
            let record: InterviewRecord = decode(|| format!("interview with key {k:02x?}"), &v)?;
            batch.insert(
                keys::by_household(&record.household_id, record.interview_id),
                compact::encode(&record, &mut names),
            );
            n += 1;
            if n % 4096 == 0 {
                self.results.apply_batch(std::mem::take(&mut batch))?;
            }
        }
        self.results.apply_batch(batch)?;
        let mut coded = sled::Batch::default();
        for (code, name) in names.since(0) {
            coded.insert(&code.to_be_bytes(), name.as_bytes());
        }
        self.names_tree.apply_batch(coded)?;
        drop(names);
        self.copy_interviewed()?;
        self.meta
            .insert(keys::META_DERIVED_VERSION, &DERIVED_VERSION.to_be_bytes())?;
        self.sync()
    }

    /// The dictionary in memory (a poisoned lock still holds a whole dictionary: it is only
    /// changed by appending, and cut back on a failed write).
    pub(super) fn lock_names(&self) -> std::sync::MutexGuard<'_, Names> {
        self.names.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the dictionary into memory. False when it is damaged (an entry out of
    /// sequence or not UTF-8): the derived trees must then be made again.
    pub(super) fn load_names(&self) -> Result<bool> {
        let mut names = Vec::new();
        for kv in self.names_tree.iter() {
            let (k, v) = kv?;
            let code = keys::parse_u32(&k);
            match (code, std::str::from_utf8(&v)) {
                (Some(c), Ok(name)) if c as usize == names.len() => names.push(name.to_string()),
                _ => return Ok(false),
            }
        }
        *self.lock_names() = Names::from_names(names);
        Ok(true)
    }

    /// The dictionary the stored results are coded with (a copy).
    pub fn result_names(&self) -> Names {
        self.lock_names().clone()
    }

    /// Makes the `interviewed` copies again from the interview index and the households.
    pub(super) fn copy_interviewed(&self) -> Result<()> {
        self.interviewed.clear()?;
        let mut last: Option<Vec<u8>> = None;
        for kv in self.by_household.iter() {
            let (k, _) = kv?;
            let Some(id) = keys::household_of(&k) else {
                continue;
            };
            if last.as_deref() == Some(id) {
                continue;
            }
            if let Some(payload) = self.household_payload(id)? {
                self.interviewed.insert(id, payload)?;
            }
            last = Some(id.to_vec());
        }
        Ok(())
    }

    /// Whether the derived trees need making again (version missing or different).
    pub(super) fn derived_outdated(&self) -> Result<bool> {
        Ok(self
            .meta
            .get(keys::META_DERIVED_VERSION)?
            .and_then(|v| keys::parse_u32(&v))
            != Some(DERIVED_VERSION))
    }

    /// Every interview's compact result (see `interview::compact`) with its household's
    /// registry record (`None`: the registry does not know it), in household order: one
    /// pass over `results` beside one over `interviewed`.
    pub fn interview_compacts(&self) -> Compacts<impl FnMut(&[u8]) -> bool + use<>> {
        self.interview_compacts_while(Direction::Ascending, |_| true)
    }

    /// [`Store::interview_compacts`] read in `direction`, for as long as `take` agrees:
    /// it is asked before each household's first interview, and a `false` ends the reading.
    /// Two readers, one from each end, that stop where the other has been share the work
    /// without a first pass to cut it (`session::reconcile_store`).
    pub fn interview_compacts_while<F: FnMut(&[u8]) -> bool>(
        &self,
        direction: Direction,
        take: F,
    ) -> Compacts<F> {
        let (results, households): (
            Box<dyn Iterator<Item = Kv> + Send>,
            Box<dyn Iterator<Item = Kv> + Send>,
        ) = match direction {
            Direction::Ascending => (
                Box::new(self.results.iter()),
                Box::new(self.interviewed.iter()),
            ),
            Direction::Descending => (
                Box::new(self.results.iter().rev()),
                Box::new(self.interviewed.iter().rev()),
            ),
        };
        Compacts {
            direction,
            results,
            households: households.peekable(),
            current: None,
            take,
            stopped: false,
        }
    }
}
