//! The registry import's way into the store: [`Store::bulk_households`] runs a load with a
//! [`BulkHouseholds`] target. Its writes wait in memory, sorted by id, and go to the store a
//! plan at a time (see `households.rs`): every [`ASCENDING_BATCH`] households while ids come
//! in order (a registry export sorted by 户编号: each plan only appends blocks), else when
//! [`PENDING_BYTES`] have gathered, so that an unsorted file rewrites each block a few times
//! rather than once per household. Reads see the pending writes, and keep the last block
//! read, so that a file in id order reads each block once. One flush at the end.
//!
//! With [`Store::bulk_households`] the plans are written on a second thread while the load
//! goes on reading and checking rows: one plan at most is in flight, and reads see it too.

use std::collections::BTreeMap;
use std::sync::{Arc, mpsc};

use sled::IVec;

use super::blocks::Block;
use super::households::{Change, bad_block, decode_household};
use super::spill::Runs;
use super::{Result, Store, bump, codec, keys};
use crate::i18n::Text;
use crate::registry::{Household, HouseholdTarget, Stored};

/// Bytes of blocks written in one batch.
const PART_BYTES: usize = 2 * 1024 * 1024;
/// Households gathered before a plan while ids come in ascending order.
const ASCENDING_BATCH: usize = 4096;
/// Bytes of encoded households gathered before a plan otherwise (bounds the memory an import
/// holds).
const PENDING_BYTES: usize = 32 * 1024 * 1024;

/// The block last read: its key, the next block's key and the block.
struct Cached {
    key: IVec,
    upper: Option<IVec>,
    block: Block<IVec>,
}

impl Cached {
    fn covers(&self, id: &[u8]) -> bool {
        &self.key[..] <= id && self.upper.as_ref().is_none_or(|u| id < &u[..])
    }
}

/// An import target that gathers writes and applies them in plans (see the module docs).
/// Call [`BulkHouseholds::finish`] at the end; without it the counter is repaired at the next
/// open.
pub struct BulkHouseholds<'a> {
    store: &'a Store,
    pending: BTreeMap<Vec<u8>, Vec<u8>>,
    pending_bytes: usize,
    /// Ids put since the last plan came in ascending order, after every stored block's key.
    ascending: bool,
    last: Vec<u8>,
    cached: Option<Cached>,
    written: usize,
    added: i64,
    /// Ids of the households that have interviews (their registry copies follow them,
    /// `results.rs`), read once.
    interviewed: Arc<rustc_hash::FxHashSet<Vec<u8>>>,
    writer: Option<Writer>,
    /// Whether an unsorted load may go through sorted runs on disk (see `spill.rs`); only
    /// for a load that never reads back what it wrote.
    may_spill: bool,
    runs: Option<Runs>,
    /// [`PENDING_BYTES`]; smaller in tests.
    pending_limit: usize,
    /// The household list as it stood before the load (`list.rs`): whether it was up to
    /// date, and the ids put while they are few enough to be followed one by one.
    list: super::list::AfterBulk,
}

/// The way to the writer thread.
struct Writer {
    tx: mpsc::SyncSender<Arc<Vec<Change>>>,
    done: mpsc::Receiver<Result<i64>>,
    /// The changes the writer has (sorted by id) until it says they are written.
    in_flight: Option<Arc<Vec<Change>>>,
}

impl BulkHouseholds<'_> {
    /// The stored payload of `id` (not the pending one).
    fn stored(&mut self, id: &[u8]) -> Result<Option<Vec<u8>>> {
        if !self.cached.as_ref().is_some_and(|c| c.covers(id)) {
            self.cached = None;
            let Some((key, value)) = self.store.block_of(id, false)? else {
                return Ok(None);
            };
            let upper = self.store.block_after(&key)?;
            let block = Block::decode(value).map_err(|e| bad_block(&key, e))?;
            self.cached = Some(Cached { key, upper, block });
        }
        Ok(self
            .cached
            .as_ref()
            .and_then(|c| c.block.find(id))
            .map(<[u8]>::to_vec))
    }

    fn payload(&mut self, id: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(p) = self.pending.get(id) {
            return Ok(Some(p.clone()));
        }
        if let Some(changes) = self.writer.as_ref().and_then(|w| w.in_flight.as_ref())
            && let Ok(i) = changes.binary_search_by(|(k, _)| k.as_slice().cmp(id))
        {
            return Ok(changes[i].1.clone());
        }
        self.stored(id)
    }

    /// Whether a household is stored or pending.
    pub fn contains(&mut self, id: &str) -> Result<bool> {
        Ok(self.payload(id.as_bytes())?.is_some())
    }

    /// Waits for the plan in flight, if any, and counts it.
    fn wait(&mut self) -> Result<()> {
        let Some(w) = &mut self.writer else {
            return Ok(());
        };
        if w.in_flight.take().is_some() {
            // What the reads cached may predate it.
            self.cached = None;
            let done = w.done.recv().map_err(|_| writer_stopped())?;
            self.added += done?;
        }
        Ok(())
    }

    /// Adds or replaces a household (written with the next plan).
    pub fn put_encoded(&mut self, h: &Household) -> Result<()> {
        let value = codec::encode_household(h)?;
        self.list.put(h);
        let id = h.household_id.as_bytes();
        if self.pending.is_empty() {
            // In order so far when nothing stored comes after it; once runs are on disk,
            // everything goes through them, so that a later put is never overtaken.
            self.ascending = self.runs.is_none() && self.store.block_after(id)?.is_none();
        } else if id <= self.last.as_slice() {
            self.ascending = false;
        }
        self.last.clear();
        self.last.extend_from_slice(id);
        self.pending_bytes += id.len() + value.len();
        if let Some(old) = self.pending.insert(id.to_vec(), value) {
            self.pending_bytes -= old.len();
        }
        self.written += 1;
        if self.ascending && self.pending.len() >= ASCENDING_BATCH {
            self.apply()?;
        } else if self.pending_bytes >= self.pending_limit {
            if self.may_spill {
                self.spill()?;
            } else {
                self.apply()?;
            }
        }
        Ok(())
    }

    /// Lets an unsorted load go through sorted runs on disk (`spill.rs`): for a load that
    /// never reads a household it has put (the registry import, which rejects an id that
    /// comes twice); reads do not see households in a run until [`BulkHouseholds::finish`].
    pub fn allow_spill(&mut self) {
        self.may_spill = true;
    }

    /// Writes what is pending as a sorted run.
    fn spill(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.runs.is_none() {
            self.runs = Some(Runs::new(self.store.path())?);
        }
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        if let Some(runs) = &mut self.runs {
            runs.write(pending.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))?;
        }
        Ok(())
    }

    /// Writes what is pending (hands it to the writer thread, if there is one).
    fn apply(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let changes: Arc<Vec<Change>> = Arc::new(
            std::mem::take(&mut self.pending)
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
        );
        self.pending_bytes = 0;
        if self.writer.is_none() {
            self.cached = None;
            self.added += self.store.write_changes(&changes, &self.interviewed)?;
            return Ok(());
        }
        self.wait()?;
        if let Some(w) = &mut self.writer {
            w.in_flight = Some(Arc::clone(&changes));
            w.tx.send(changes).map_err(|_| writer_stopped())?;
        }
        Ok(())
    }

    /// Merges the sorted runs (and what is pending) into the store in id order.
    fn finish_runs(&mut self) -> Result<()> {
        self.spill()?;
        self.wait()?;
        let Some(runs) = self.runs.take() else {
            return Ok(());
        };
        let (store, interviewed, added) = (self.store, &self.interviewed, &mut self.added);
        runs.merge(ASCENDING_BATCH, |changes| {
            *added += store.write_changes(&changes, interviewed)?;
            Ok(())
        })?;
        self.cached = None;
        Ok(())
    }

    /// Writes what is pending, brings the counter up to date and flushes. Returns how many
    /// households were written (added or replaced).
    pub fn finish(mut self) -> Result<usize> {
        let applied = if self.runs.is_some() {
            self.finish_runs()
        } else {
            self.apply().and_then(|()| self.wait())
        };
        self.writer = None;
        // Count what went in even when the last plan failed.
        let added = self.added;
        self.store.meta.transaction(|meta| {
            bump(meta, keys::META_HOUSEHOLD_COUNT, added)?;
            meta.remove(keys::META_COUNTS_DIRTY)?;
            Ok(())
        })?;
        self.store.sync()?;
        applied?;
        // The household list follows: the few households put are read from the blocks when
        // it is opened; after more, the list file is made now, where the user already waits
        // for the load, rather than at the next opening of the households screen.
        self.store.list_after_bulk(std::mem::take(&mut self.list));
        Ok(self.written)
    }
}

fn writer_stopped() -> super::StoreError {
    super::StoreError::Invalid("the household writer stopped".into())
}

impl HouseholdTarget for BulkHouseholds<'_> {
    fn get(&mut self, id: &str) -> std::result::Result<Option<Household>, Text> {
        let mut read = || -> Result<Option<Household>> {
            match self.payload(id.as_bytes())? {
                None => Ok(None),
                Some(p) => decode_household(id.as_bytes(), &p).map(Some),
            }
        };
        read().map_err(|e| e.message())
    }

    fn put(&mut self, h: Household) -> std::result::Result<(), Text> {
        self.put_encoded(&h).map_err(|e| e.message())
    }

    fn compare(&mut self, h: &Household) -> std::result::Result<Stored, Text> {
        let mut compare = || -> Result<Stored> {
            let id = h.household_id.as_bytes();
            let Some(raw) = self.payload(id)? else {
                return Ok(Stored::Absent);
            };
            if codec::encode_household(h)? == raw {
                return Ok(Stored::Same);
            }
            Ok(Stored::Different(Box::new(decode_household(id, &raw)?)))
        };
        compare().map_err(|e| e.message())
    }
}

impl Store {
    /// The ids of the households that have interviews (from the interview index).
    fn interviewed_ids(&self) -> Result<rustc_hash::FxHashSet<Vec<u8>>> {
        let mut ids = rustc_hash::FxHashSet::default();
        for k in self.by_household.iter().keys() {
            if let Some(id) = keys::household_of(&k?) {
                ids.insert(id.to_vec());
            }
        }
        Ok(ids)
    }

    /// A bulk target (see [`BulkHouseholds`]). Marks the counter out of date until
    /// [`BulkHouseholds::finish`].
    pub fn bulk(&self) -> Result<BulkHouseholds<'_>> {
        self.writable()?;
        self.meta.insert(keys::META_COUNTS_DIRTY, &[1u8])?;
        // Until the load has finished the household list is out of date: made again when
        // next opened, should the load stop half way (`list.rs`).
        let list = self.list_before_bulk()?;
        self.sync()?;
        Ok(BulkHouseholds {
            store: self,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            ascending: true,
            last: Vec::new(),
            cached: None,
            written: 0,
            added: 0,
            interviewed: Arc::new(self.interviewed_ids()?),
            writer: None,
            may_spill: false,
            runs: None,
            pending_limit: PENDING_BYTES,
            list,
        })
    }

    /// Runs `load` with a bulk target, then finishes it (also when `load` failed: what went
    /// in is counted and flushed). Returns what `load` returned and how many households were
    /// written.
    ///
    /// The writes go to sled on a second thread (see the module docs).
    pub fn bulk_households<R>(
        &self,
        load: impl FnOnce(&mut BulkHouseholds<'_>) -> R,
    ) -> Result<(R, usize)> {
        let mut target = self.bulk()?;
        let (tx, rx) = mpsc::sync_channel::<Arc<Vec<Change>>>(1);
        let (done_tx, done) = mpsc::channel();
        let interviewed = Arc::clone(&target.interviewed);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for changes in rx {
                    let written = self.write_changes(&changes, &interviewed);
                    if done_tx.send(written).is_err() {
                        break;
                    }
                }
            });
            target.writer = Some(Writer {
                tx,
                done,
                in_flight: None,
            });
            let result = load(&mut target);
            let written = target.finish()?;
            Ok((result, written))
        })
    }

    /// Writes changes (sorted by id, each once) to the blocks, in batches, and to the
    /// registry copies of the `interviewed` households among them. Returns households added
    /// minus removed.
    fn write_changes(
        &self,
        changes: &[Change],
        interviewed: &rustc_hash::FxHashSet<Vec<u8>>,
    ) -> Result<i64> {
        let mut added = 0;
        self.plan_each(changes, PART_BYTES, |plan| {
            self.households.apply_batch(plan.batch())?;
            added += plan.delta;
            Ok(())
        })?;
        if !interviewed.is_empty() {
            let mut copies = sled::Batch::default();
            for (id, v) in changes {
                if interviewed.contains(id) {
                    match v {
                        Some(v) => copies.insert(id.as_slice(), v.as_slice()),
                        None => copies.remove(id.as_slice()),
                    }
                }
            }
            self.interviewed.apply_batch(copies)?;
        }
        Ok(added)
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
        let store = crate::store::tests::reopen(dir.path());
        assert_eq!(store.household_count(), 1501);
        assert!(!store.meta.contains_key(keys::META_COUNTS_DIRTY).unwrap());
    }

    #[test]
    fn reads_see_pending_writes_and_unsorted_ids_land_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Ids out of order, some before and between stored blocks, one put twice.
        store
            .put_households((0..300).map(|i| household(&format!("{:04}", i * 3))))
            .unwrap();
        let ((), written) = store
            .bulk_households(|t| {
                for i in (0..300).rev() {
                    t.put(household(&format!("{:04}", i * 3 + 1))).unwrap();
                }
                let mut h = household("0001");
                h.head_name = "王五".into();
                t.put(h).unwrap();
                assert_eq!(t.get("0001").unwrap().unwrap().head_name, "王五");
                assert_eq!(t.get("0003").unwrap().unwrap().head_name, "李四");
                assert_eq!(t.get("0002").unwrap(), None);
            })
            .unwrap();
        assert_eq!(written, 301);
        assert_eq!(store.household_count(), 600);
        let ids: Vec<String> = store
            .households()
            .map(|h| h.unwrap().household_id)
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 600);
        assert_eq!(store.household("0001").unwrap().unwrap().head_name, "王五");
        assert_eq!(store.count_households(), 600);
    }

    #[test]
    fn single_puts_and_removals_keep_blocks_and_counter_right() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Descending single puts: every one goes before the first block.
        for i in (0..200).rev() {
            store
                .put_household(&household(&format!("H{i:03}")))
                .unwrap();
        }
        assert_eq!(store.household_count(), 200);
        for i in (0..200).step_by(2) {
            assert!(store.remove_household(&format!("H{i:03}")).unwrap());
        }
        assert!(!store.remove_household("H000").unwrap());
        assert_eq!(store.household_count(), 100);
        assert_eq!(store.count_households(), 100);
        assert_eq!(store.household("H000").unwrap(), None);
        assert!(store.household("H001").unwrap().is_some());
        for i in (1..200).step_by(2) {
            assert!(store.remove_household(&format!("H{i:03}")).unwrap());
        }
        assert_eq!(store.households().count(), 0);
        assert!(store.households.is_empty());
    }

    #[test]
    fn an_unsorted_load_through_runs_lands_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Some stored already; the load brings new ones out of order and replaces one.
        store
            .put_households((0..50).map(|i| household(&format!("{:05}", i * 7))))
            .unwrap();
        let mut ids: Vec<String> = (0..3000)
            .map(|i| format!("{:05}", (i * 7919) % 30011 + 1))
            .collect();
        ids.push("00007".into());
        let ((), written) = store
            .bulk_households(|t| {
                t.allow_spill();
                t.pending_limit = 64 * 1024;
                for id in &ids {
                    let mut h = household(id);
                    h.head_name = "王五".into();
                    // A little over 200 bytes each: PENDING_BYTES is reached several times.
                    h.helper = "帮扶".repeat(30);
                    t.put_encoded(&h).unwrap();
                }
                assert!(t.runs.is_some(), "went through runs");
            })
            .unwrap();
        assert_eq!(written, 3001);
        let mut want: std::collections::BTreeSet<String> = ids.iter().cloned().collect();
        want.extend((0..50).map(|i| format!("{:05}", i * 7)));
        let got: Vec<String> = store
            .households()
            .map(|h| h.unwrap().household_id)
            .collect();
        assert_eq!(got, want.iter().cloned().collect::<Vec<_>>());
        assert_eq!(store.household_count(), want.len());
        assert_eq!(store.household("00007").unwrap().unwrap().head_name, "王五");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".import-")),
            "the runs are removed"
        );
    }
}
