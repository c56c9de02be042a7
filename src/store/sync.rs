//! Answer bundles on the store side (`session/sync.rs` decides what a bundle changes): a
//! bundle's events, new interviews and provisional households written with everything
//! derived from them (records, compact results, the household index, the registry copies,
//! the counters, the index by device), whole or not at all; interviews held aside for a
//! questionnaire this store lacks; and, per recipient, what has been sent already.
//!
//! Whole or not at all: sled keeps what one transaction writes in memory until it ends
//! (about 5 KB a write), so a large bundle is written in parts of whole interviews, each one
//! transaction. A bundle of one part is one transaction. A bundle of several parts keeps a
//! journal of what each write replaced, written in the same transaction as the write, and
//! the marker of an unfinished write (`operation.rs`): a failure undoes the parts written at
//! once, and after a kill the next [`Store::open`] of the folder for writing undoes them
//! before anything reads the store (a read-only open reports the marker instead; every
//! [`Store::begin_import`] checks too). Each part is consistent on its own, so the store
//! between parts is a store that received some of the interviews.
//!
//! ```text
//! sent:    recipient, 0x00, device id              ->  JSON [[first, last], …]: the sequence
//!                                                      numbers of that device's events sent
//!                                                      to that recipient, as runs
//! held:    interview uuid (16), 0x00               ->  the interview's head (JSON)
//!          interview uuid (16), 0x01               ->  its provisional household (JSON)
//!          interview uuid (16), 0x02, event (16)   ->  one of its events (JSON)
//! journal: 0x00                                    ->  the generation of the import under
//!                                                      way (u64 BE)
//!          0x01, generation (8), part (4), n (4)   ->  tree (1), key length (u32 BE), key,
//!                                                      0 | 1, the value it had
//! ```
//!
//! The default recipient (an export without `--to`) is the empty name.

use std::collections::{BTreeMap, HashMap, HashSet};

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use uuid::Uuid;

use super::{Result, Store, StoreError, codec, decode, encode, keys};
use crate::interview::{Event, InterviewRecord};
use crate::registry::Household;
use crate::sync::bundle::InterviewHead;

pub use super::devices::{DeviceEvents, SeqRun};

const HELD_HEAD: u8 = 0;
const HELD_HOUSEHOLD: u8 = 1;
const HELD_EVENT: u8 = 2;

/// What one bundle changes in the store, decided by the session: written whole or not at
/// all by an [`Import`].
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Provisional households the store lacks, needed by the interviews applied.
    pub households: Vec<Household>,
    /// Interviews created or given new events.
    pub interviews: Vec<Merged>,
    /// What is held aside (added to what is held already: a key held stays the same).
    pub hold: Vec<Held>,
    /// Interviews whose held entries are removed (they are applied now).
    pub release: Vec<Uuid>,
}

/// One interview of a bundle: its record as the fold of all its events makes it, and the
/// events new to this store, appended after the ones it has.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The record to store; its `events` count is set by the store.
    pub record: InterviewRecord,
    /// The events to append, in this order.
    pub events: Vec<Event>,
    /// The number of events the stored record counted when the record was made (`None`: a
    /// new interview). The write is refused if the store has changed since.
    pub known: Option<u64>,
}

/// An interview held aside: what is known of it (a part may be missing: events can come
/// before their head).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Held {
    pub interview_id: Uuid,
    pub head: Option<InterviewHead>,
    pub household: Option<Household>,
    pub events: Vec<Event>,
}

/// An event stored but not indexed by device: another event held already has its device
/// and number (a data folder copied to a second laptop numbers its events like the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub event_id: Uuid,
    pub interview_id: Uuid,
    pub device_id: String,
    pub seq: u64,
}

/// What an [`Import`] did beyond what it was asked.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub clashes: Vec<Clash>,
}

fn held_prefix(id: Uuid) -> [u8; 16] {
    *id.as_bytes()
}

fn held_key(id: Uuid, kind: u8) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.push(kind);
    k
}

fn held_event_key(id: Uuid, event: Uuid) -> Vec<u8> {
    let mut k = held_key(id, HELD_EVENT);
    k.extend_from_slice(event.as_bytes());
    k
}

fn sent_prefix(recipient: &str) -> Vec<u8> {
    let mut k = recipient.as_bytes().to_vec();
    k.push(0);
    k
}

/// The union of two lists of runs (each sorted), sorted and joined where they touch.
pub fn union_runs(a: &[SeqRun], b: &[SeqRun]) -> Vec<SeqRun> {
    let mut all: Vec<SeqRun> = a.iter().chain(b).copied().collect();
    all.sort_by_key(|r| (r.first, r.last));
    let mut out: Vec<SeqRun> = Vec::with_capacity(all.len());
    for r in all {
        match out.last_mut() {
            Some(last) if r.first <= last.last.saturating_add(1) => {
                last.last = last.last.max(r.last);
            }
            _ => out.push(r),
        }
    }
    out
}

/// The numbers of `held` that are not in `sent` (both sorted runs), as runs.
pub fn minus_runs(held: &[SeqRun], sent: &[SeqRun]) -> Vec<SeqRun> {
    let sent = union_runs(sent, &[]);
    let mut out = Vec::new();
    for h in union_runs(held, &[]) {
        // The next number of `h` not yet accounted for; `None`: all of `h` is.
        let mut from = Some(h.first);
        for s in &sent {
            let Some(f) = from else { break };
            if s.last < f || s.first > h.last {
                continue;
            }
            if s.first > f {
                out.push(SeqRun {
                    first: f,
                    last: s.first - 1,
                });
            }
            from = if s.last >= h.last {
                None
            } else {
                Some(s.last + 1)
            };
        }
        if let Some(f) = from {
            out.push(SeqRun {
                first: f,
                last: h.last,
            });
        }
    }
    out
}

/// The runs of a list of numbers (any order, repeats allowed).
pub fn runs_of(mut seqs: Vec<u64>) -> Vec<SeqRun> {
    seqs.sort_unstable();
    seqs.dedup();
    let mut out: Vec<SeqRun> = Vec::new();
    for s in seqs {
        match out.last_mut() {
            Some(r) if r.last.checked_add(1) == Some(s) => r.last = s,
            _ => out.push(SeqRun { first: s, last: s }),
        }
    }
    out
}

fn corrupt_held(k: &[u8], e: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(format!("held-aside entry {k:02x?}"), e)
}

impl Store {
    /// The key of the event numbered `seq` of `device` in `events`, if one is indexed.
    pub fn indexed_event(&self, device: &str, seq: u64) -> Result<Option<(Uuid, Uuid)>> {
        match self.by_device.get(super::devices::key(device, seq))? {
            None => Ok(None),
            Some(k) => keys::parse_event(&k)
                .map(|(interview, _, event)| Some((interview, event)))
                .ok_or_else(|| {
                    StoreError::corrupt("event index by device", format!("value {k:02x?}"))
                }),
        }
    }

    /// The events of `device` numbered `first..=last` that are indexed, in number order,
    /// read as they are taken.
    pub fn events_of_device(
        &self,
        device: &str,
        first: u64,
        last: u64,
    ) -> impl Iterator<Item = Result<Event>> + '_ {
        let from = super::devices::key(device, first);
        let to = super::devices::key(device, last);
        self.by_device.range(from..=to).map(move |kv| {
            let (_, k) = kv?;
            match self.events.get(&k)? {
                Some(v) => decode(|| format!("event with key {k:02x?}"), &v),
                None => Err(StoreError::corrupt(
                    "event index by device",
                    format!("event key {k:02x?} is indexed but not stored"),
                )),
            }
        })
    }

    /// Every event of every interview (by interview, then as recorded).
    pub fn every_event(&self) -> impl Iterator<Item = Result<Event, StoreError>> + '_ {
        self.all_events()
    }

    /// The ids of the interviews stored, in id order (keys only: no record is decoded).
    pub fn interview_ids(&self) -> impl Iterator<Item = Result<Uuid, StoreError>> + '_ {
        self.interviews.iter().keys().map(|k| {
            let k = k?;
            Uuid::from_slice(&k)
                .map_err(|_| StoreError::corrupt("interview key", format!("{k:02x?}")))
        })
    }

    /// The numbers held of one device's events (indexed), as runs in order.
    pub fn device_runs(&self, device: &str) -> Result<Vec<SeqRun>> {
        let mut prefix = device.as_bytes().to_vec();
        prefix.push(0);
        let mut out: Vec<SeqRun> = Vec::new();
        for k in self.by_device.scan_prefix(&prefix).keys() {
            let k = k?;
            let Some(seq) = k
                .get(prefix.len()..)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
            else {
                // A longer device id that shares the prefix.
                continue;
            };
            match out.last_mut() {
                Some(r) if r.last.checked_add(1) == Some(seq) => r.last = seq,
                _ => out.push(SeqRun {
                    first: seq,
                    last: seq,
                }),
            }
        }
        Ok(out)
    }

    /// The ids of the interviews of one household (the index only: no record is read).
    pub fn interview_ids_of(&self, household_id: &str) -> Result<Vec<Uuid>> {
        let prefix = keys::by_household_prefix(household_id);
        let mut out = Vec::new();
        for k in self.by_household.scan_prefix(&prefix).keys() {
            if let Some(id) = keys::parse_by_household(&prefix, &k?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Everything held aside, by interview id.
    pub fn held(&self) -> Result<BTreeMap<Uuid, Held>> {
        let mut out: BTreeMap<Uuid, Held> = BTreeMap::new();
        for kv in self.held.iter() {
            let (k, v) = kv?;
            self.read_held(&k, &v, &mut out)?;
        }
        Ok(out)
    }

    /// What is held aside of one interview, if anything.
    pub fn held_one(&self, id: Uuid) -> Result<Option<Held>> {
        let mut out = BTreeMap::new();
        for kv in self.held.scan_prefix(held_prefix(id)) {
            let (k, v) = kv?;
            self.read_held(&k, &v, &mut out)?;
        }
        Ok(out.remove(&id))
    }

    fn read_held(&self, k: &[u8], v: &[u8], out: &mut BTreeMap<Uuid, Held>) -> Result<()> {
        if k.len() < 17 {
            return Err(corrupt_held(k, "short key"));
        }
        let id = Uuid::from_slice(&k[..16]).map_err(|e| corrupt_held(k, e))?;
        let entry = out.entry(id).or_insert_with(|| Held {
            interview_id: id,
            ..Held::default()
        });
        match k[16] {
            HELD_HEAD => {
                entry.head = Some(serde_json::from_slice(v).map_err(|e| corrupt_held(k, e))?);
            }
            HELD_HOUSEHOLD => {
                entry.household = Some(serde_json::from_slice(v).map_err(|e| corrupt_held(k, e))?);
            }
            HELD_EVENT => entry
                .events
                .push(serde_json::from_slice(v).map_err(|e| corrupt_held(k, e))?),
            other => return Err(corrupt_held(k, format!("unknown kind {other}"))),
        }
        Ok(())
    }

    /// Per device, the numbers already sent to `recipient` ("" is the default recipient).
    pub fn sent(&self, recipient: &str) -> Result<BTreeMap<String, Vec<SeqRun>>> {
        let prefix = sent_prefix(recipient);
        let mut out = BTreeMap::new();
        for kv in self.sent.scan_prefix(&prefix) {
            let (k, v) = kv?;
            let device = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            let pairs: Vec<(u64, u64)> = serde_json::from_slice(&v)
                .map_err(|e| StoreError::corrupt(format!("sent marks of {device}"), e))?;
            let runs: Vec<SeqRun> = pairs
                .into_iter()
                .filter(|(f, l)| f <= l)
                .map(|(first, last)| SeqRun { first, last })
                .collect();
            out.insert(device, union_runs(&runs, &[]));
        }
        Ok(out)
    }

    /// Adds to what was sent to `recipient` the runs given per device, in one batch,
    /// flushed.
    pub fn mark_sent(
        &self,
        recipient: &str,
        carried: &BTreeMap<String, Vec<SeqRun>>,
    ) -> Result<()> {
        self.writable()?;
        let before = self.sent(recipient)?;
        let mut batch = sled::Batch::default();
        for (device, runs) in carried {
            if runs.is_empty() {
                continue;
            }
            let all = union_runs(before.get(device).map_or(&[], Vec::as_slice), runs);
            let pairs: Vec<(u64, u64)> = all.iter().map(|r| (r.first, r.last)).collect();
            let mut k = sent_prefix(recipient);
            k.extend_from_slice(device.as_bytes());
            batch.insert(k, encode("sent marks", &pairs)?);
        }
        self.sent.apply_batch(batch)?;
        self.sync()
    }

    /// Begins applying a bundle (read from `file`, for the marker of an unfinished write):
    /// first undoes what an earlier one that was cut short (killed) had written.
    pub fn begin_import(&self, file: &str) -> Result<Import<'_>> {
        self.writable()?;
        self.undo_unfinished_import()?;
        Ok(Import {
            store: self,
            file: file.to_string(),
            generation: None,
            chunks: 0,
            applied: Applied::default(),
        })
    }

    /// Undoes what a bundle applied in several transactions wrote, if it did not finish (a
    /// kill, or an undo that failed too): returns whether there was one. Flushed.
    pub fn undo_unfinished_import(&self) -> Result<bool> {
        let Some(v) = self.journal.get(JOURNAL_MARKER)? else {
            // Finished (or undone) but stopped before its marker of an unfinished write
            // was removed.
            if let Some(u) = self.unfinished()?
                && u.operation == IMPORT_OPERATION
            {
                self.end_operation(&u.operation, &u.file)?;
            }
            self.clear_journal()?;
            return Ok(false);
        };
        let generation =
            keys::parse_u64(&v).ok_or_else(|| StoreError::corrupt("import journal", "marker"))?;
        self.undo_generation(generation)?;
        self.journal.remove(JOURNAL_MARKER)?;
        self.clear_journal()?;
        if let Some(u) = self.unfinished()?
            && u.operation == IMPORT_OPERATION
        {
            self.end_operation(&u.operation, &u.file)?;
        }
        self.sync()?;
        Ok(true)
    }

    /// Puts back, newest first, what the journal of `generation` says was there before,
    /// a bounded number of writes per transaction (each removes its journal entries).
    fn undo_generation(&self, generation: u64) -> Result<()> {
        let prefix = journal_prefix(generation);
        loop {
            // Journal entries, each with the writes it undoes, up to about UNDO_BATCH writes.
            let mut entries: Vec<(sled::IVec, Vec<JournalEntry>)> = Vec::new();
            let mut writes = 0;
            for kv in self.journal.scan_prefix(&prefix).rev() {
                let (k, v) = kv?;
                let e = JournalEntry::decode(&v)
                    .ok_or_else(|| StoreError::corrupt("import journal", format!("{k:02x?}")))?;
                writes += e.len();
                entries.push((k, e));
                if writes >= UNDO_BATCH {
                    break;
                }
            }
            if entries.is_empty() {
                return Ok(());
            }
            let trees = self.journaled_trees();
            trees.as_slice().transaction(|t: &Vec<TransactionalTree>| {
                for (k, undo) in &entries {
                    for e in undo {
                        let tree = t.get(e.tree as usize).ok_or_else(|| {
                            ConflictableTransactionError::Abort(StoreError::corrupt(
                                "import journal",
                                "unknown tree",
                            ))
                        })?;
                        match &e.old {
                            Some(old) => tree.insert(e.key.as_slice(), old.as_slice())?,
                            None => tree.remove(e.key.as_slice())?,
                        };
                    }
                    t[JOURNAL].remove(k)?;
                }
                Ok(())
            })?;
        }
    }

    /// Removes journal entries left without a marker (a finished import's), in batches.
    fn clear_journal(&self) -> Result<()> {
        loop {
            let mut batch = sled::Batch::default();
            let mut n = 0;
            for k in self
                .journal
                .range(&[JOURNAL_ENTRY][..]..)
                .keys()
                .take(UNDO_BATCH)
            {
                batch.remove(k?);
                n += 1;
            }
            if n == 0 {
                return Ok(());
            }
            self.journal.apply_batch(batch)?;
        }
    }

    /// The trees a bundle writes, in the order of the journal's tree numbers.
    fn journaled_trees(&self) -> Vec<&sled::Tree> {
        vec![
            &self.interviews,
            &self.events,
            &self.by_household,
            &self.meta,
            &self.results,
            &self.interviewed,
            &self.names_tree,
            &self.by_device,
            &self.households,
            &self.list_recent,
            &self.held,
            &self.journal,
        ]
    }

    /// Writes one part of a bundle in one transaction; with `journal`, what each write
    /// replaces goes into the journal of that generation and part, in the same transaction.
    fn write_part(
        &self,
        inc: &Incoming,
        journal: Option<(u64, u32)>,
        applied: &mut Applied,
    ) -> Result<()> {
        // The same lock as every interview write: nothing else writes events meanwhile.
        let mut names = self.lock_names();
        let known_names = names.len();
        let prepared = match self.prepare(inc, &mut names) {
            Ok(p) => p,
            Err(e) => {
                names.truncate(known_names);
                return Err(e);
            }
        };
        let new_names: Vec<([u8; 4], String)> = names
            .since(known_names)
            .map(|(c, n)| (c.to_be_bytes(), n.to_string()))
            .collect();
        let p = &prepared;
        let trees = self.journaled_trees();
        let written = trees.as_slice().transaction(|t: &Vec<TransactionalTree>| {
            let mut w = Writer { t, journal, n: 0 };
            // The dictionary only grows: its names are not journaled.
            for (code, name) in &new_names {
                t[NAMES].insert(&code[..], name.as_bytes())?;
            }
            for (k, v) in &p.blocks.writes {
                w.put(HOUSEHOLDS, k, v.as_deref())?;
            }
            for id in &p.added_households {
                w.put(LIST_RECENT, id, Some(&[]))?;
            }
            if p.blocks.delta != 0 {
                w.bump(keys::META_HOUSEHOLD_COUNT, p.blocks.delta)?;
            }
            let mut created = 0i64;
            for x in &p.writes {
                let stored = t[INTERVIEWS].get(x.key)?;
                let count = match &stored {
                    None => None,
                    Some(v) => Some(
                        decode::<StoredHead>(|| format!("interview {}", x.id), v)
                            .map_err(ConflictableTransactionError::Abort)?
                            .events,
                    ),
                };
                if count != x.known {
                    return Err(ConflictableTransactionError::Abort(StoreError::Invalid(
                        format!(
                            "interview {} changed while the bundle was being applied",
                            x.id
                        ),
                    )));
                }
                // New keys: an event new to the interview, a number no event has.
                let mut fresh: Vec<(usize, &[u8], &[u8])> = Vec::with_capacity(2 * x.events.len());
                for (k, v, indexed) in &x.events {
                    fresh.push((EVENTS, &k[..], v));
                    if let Some(d) = indexed {
                        fresh.push((BY_DEVICE, d, &k[..]));
                    }
                }
                w.put_new(&fresh)?;
                w.put(INTERVIEWS, &x.key, Some(&x.record))?;
                let hk = keys::by_household(&x.household, x.id);
                w.put(RESULTS, &hk, Some(&x.compact))?;
                if x.known.is_none() {
                    w.put(BY_HOUSEHOLD, &hk, Some(&[]))?;
                    created += 1;
                }
                if let Some(copy) = &x.copy {
                    w.put(INTERVIEWED, x.household.as_bytes(), Some(copy))?;
                }
            }
            if created != 0 {
                w.bump(keys::META_INTERVIEW_COUNT, created)?;
            }
            for k in &p.unhold {
                w.put(HELD, k, None)?;
            }
            for (k, v) in &p.hold {
                w.put(HELD, k, Some(v))?;
            }
            Ok(())
        });
        if written.is_err() {
            names.truncate(known_names);
        }
        drop(names);
        written?;
        applied.clashes.extend(prepared.clashes);
        Ok(())
    }

    /// Everything the transaction writes, encoded and checked beforehand.
    fn prepare(
        &self,
        inc: &Incoming,
        names: &mut crate::interview::compact::Names,
    ) -> Result<Prepared> {
        // Households the store lacks, sorted by id, each once.
        let mut changes: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
        let mut seen_households = HashSet::new();
        for h in &inc.households {
            let id = h.household_id.as_bytes().to_vec();
            if !seen_households.insert(id.clone()) || self.household_payload(&id)?.is_some() {
                continue;
            }
            changes.push((id, Some(codec::encode_household(h)?)));
        }
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        let blocks = self.plan(&changes)?;
        let new_payloads: HashMap<&[u8], &[u8]> = changes
            .iter()
            .filter_map(|(id, v)| v.as_deref().map(|v| (id.as_slice(), v)))
            .collect();
        let mut clashes = Vec::new();
        let mut numbered: HashMap<(String, u64), Uuid> = HashMap::new();
        let mut writes = Vec::with_capacity(inc.interviews.len());
        let mut copied: HashSet<String> = HashSet::new();
        let mut ids = HashSet::new();
        for m in &inc.interviews {
            let id = m.record.interview_id;
            if !ids.insert(id) {
                return Err(StoreError::Invalid(format!(
                    "interview {id} is given twice in one bundle"
                )));
            }
            if let Some(e) = m.events.iter().find(|e| e.interview_id != id) {
                return Err(StoreError::Invalid(format!(
                    "event {} belongs to interview {}, not to {id}",
                    e.event_id, e.interview_id
                )));
            }
            let first = m.known.unwrap_or(0);
            let mut events = Vec::with_capacity(m.events.len());
            for (i, e) in m.events.iter().enumerate() {
                let k = keys::event(id, first + i as u64, e.event_id);
                let mut indexed = None;
                if e.seq > 0 {
                    let slot = (e.device_id.clone(), e.seq);
                    let taken = numbered.contains_key(&slot)
                        || self
                            .by_device
                            .contains_key(super::devices::key(&e.device_id, e.seq))?;
                    if taken {
                        clashes.push(Clash {
                            event_id: e.event_id,
                            interview_id: id,
                            device_id: e.device_id.clone(),
                            seq: e.seq,
                        });
                    } else {
                        numbered.insert(slot, e.event_id);
                        indexed = Some(super::devices::key(&e.device_id, e.seq));
                    }
                }
                events.push((k, encode("event", e)?, indexed));
            }
            let mut record = m.record.clone();
            record.events = first + m.events.len() as u64;
            let household = record.household_id.clone();
            let copy = if copied.contains(&household)
                || self.interviewed.contains_key(household.as_bytes())?
            {
                None
            } else {
                match new_payloads.get(household.as_bytes()) {
                    Some(p) => Some(p.to_vec()),
                    None => self.household_payload(household.as_bytes())?,
                }
            };
            if copy.is_some() {
                copied.insert(household.clone());
            }
            let compact = crate::interview::compact::encode(&record, names);
            writes.push(Write {
                id,
                key: keys::interview(id),
                record: encode("interview", &record)?,
                compact,
                household,
                copy,
                events,
                known: m.known,
            });
        }
        let mut unhold = Vec::new();
        for id in &inc.release {
            for k in self.held.scan_prefix(held_prefix(*id)).keys() {
                unhold.push(k?.to_vec());
            }
        }
        let mut hold = Vec::new();
        for h in &inc.hold {
            let id = h.interview_id;
            if let Some(head) = &h.head {
                hold.push((held_key(id, HELD_HEAD), encode("held interview", head)?));
            }
            if let Some(hh) = &h.household {
                hold.push((held_key(id, HELD_HOUSEHOLD), encode("held household", hh)?));
            }
            for e in &h.events {
                if e.interview_id != id {
                    return Err(StoreError::Invalid(format!(
                        "held event {} belongs to interview {}, not to {id}",
                        e.event_id, e.interview_id
                    )));
                }
                hold.push((held_event_key(id, e.event_id), encode("held event", e)?));
            }
        }
        Ok(Prepared {
            added_households: changes.into_iter().map(|(id, _)| id).collect(),
            blocks,
            writes,
            unhold,
            hold,
            clashes,
        })
    }
}

/// The journal's marker: the generation of the import under way.
const JOURNAL_MARKER: &[u8] = &[0];
/// The first byte of a journal entry's key: then the generation, the part, the write.
const JOURNAL_ENTRY: u8 = 1;
/// Journal entries undone per transaction.
const UNDO_BATCH: usize = 1000;
/// The operation named in the marker of an unfinished write (`operation.rs`).
pub const IMPORT_OPERATION: &str = "sync import";

// The trees of [`Store::journaled_trees`], by number.
const INTERVIEWS: usize = 0;
const EVENTS: usize = 1;
const BY_HOUSEHOLD: usize = 2;
const META: usize = 3;
const RESULTS: usize = 4;
const INTERVIEWED: usize = 5;
const NAMES: usize = 6;
const BY_DEVICE: usize = 7;
const HOUSEHOLDS: usize = 8;
const LIST_RECENT: usize = 9;
const HELD: usize = 10;
const JOURNAL: usize = 11;

fn journal_prefix(generation: u64) -> Vec<u8> {
    let mut k = vec![JOURNAL_ENTRY];
    k.extend_from_slice(&generation.to_be_bytes());
    k
}

/// One write of a journaled part: the tree, the key, and what the key held before.
struct JournalEntry {
    tree: u8,
    key: Vec<u8>,
    old: Option<Vec<u8>>,
}

/// The first byte of a journal value listing keys that were absent (one interview's new
/// events and their index entries): then, for each, `tree (1) ++ key length (u32 BE) ++ key`.
const JOURNAL_NEW_KEYS: u8 = 0xFF;

impl JournalEntry {
    /// `tree (1) ++ key length (u32 BE) ++ key ++ 0 | 1 ++ old value`.
    fn encode(tree: usize, key: &[u8], old: Option<&[u8]>) -> Vec<u8> {
        let mut v = Vec::with_capacity(6 + key.len() + old.map_or(0, <[u8]>::len));
        v.push(tree as u8);
        v.extend_from_slice(&(key.len() as u32).to_be_bytes());
        v.extend_from_slice(key);
        match old {
            None => v.push(0),
            Some(o) => {
                v.push(1);
                v.extend_from_slice(o);
            }
        }
        v
    }

    /// One value for many keys that were absent ([`JOURNAL_NEW_KEYS`]).
    fn encode_new(keys: &[(usize, &[u8])]) -> Vec<u8> {
        let mut v = vec![JOURNAL_NEW_KEYS];
        for (tree, key) in keys {
            v.push(*tree as u8);
            v.extend_from_slice(&(key.len() as u32).to_be_bytes());
            v.extend_from_slice(key);
        }
        v
    }

    /// The writes a journal value undoes.
    fn decode(v: &[u8]) -> Option<Vec<JournalEntry>> {
        let (&first, mut rest) = v.split_first()?;
        if first != JOURNAL_NEW_KEYS {
            let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
            let key = rest.get(4..4 + len)?.to_vec();
            let (&has, old) = rest.get(4 + len..)?.split_first()?;
            return Some(vec![JournalEntry {
                tree: first,
                key,
                old: (has == 1).then(|| old.to_vec()),
            }]);
        }
        let mut out = Vec::new();
        while let Some((&tree, r)) = rest.split_first() {
            let len = u32::from_be_bytes(r.get(..4)?.try_into().ok()?) as usize;
            out.push(JournalEntry {
                tree,
                key: r.get(4..4 + len)?.to_vec(),
                old: None,
            });
            rest = &r[4 + len..];
        }
        Some(out)
    }
}

/// Writes inside a part's transaction, journaled when the part is.
struct Writer<'t> {
    t: &'t [TransactionalTree],
    journal: Option<(u64, u32)>,
    n: u32,
}

impl Writer<'_> {
    /// Writes keys known to be absent (an interview's new events, their index entries):
    /// one journal entry lists them all, without reading them.
    fn put_new(
        &mut self,
        writes: &[(usize, &[u8], &[u8])],
    ) -> std::result::Result<(), ConflictableTransactionError<StoreError>> {
        if let Some((generation, part)) = self.journal
            && !writes.is_empty()
        {
            let keys: Vec<(usize, &[u8])> = writes.iter().map(|(t, k, _)| (*t, *k)).collect();
            self.t[JOURNAL].insert(
                self.journal_key(generation, part),
                JournalEntry::encode_new(&keys),
            )?;
        }
        for (tree, key, value) in writes {
            self.t[*tree].insert(*key, *value)?;
        }
        Ok(())
    }

    fn journal_key(&mut self, generation: u64, part: u32) -> Vec<u8> {
        let mut k = journal_prefix(generation);
        k.extend_from_slice(&part.to_be_bytes());
        k.extend_from_slice(&self.n.to_be_bytes());
        self.n += 1;
        k
    }

    fn put(
        &mut self,
        tree: usize,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> std::result::Result<(), ConflictableTransactionError<StoreError>> {
        if let Some((generation, part)) = self.journal {
            let old = self.t[tree].get(key)?;
            let k = self.journal_key(generation, part);
            self.t[JOURNAL].insert(k, JournalEntry::encode(tree, key, old.as_deref()))?;
        }
        match value {
            Some(v) => self.t[tree].insert(key, v)?,
            None => self.t[tree].remove(key)?,
        };
        Ok(())
    }

    /// Adds `delta` to a counter of `meta`.
    fn bump(
        &mut self,
        key: &[u8],
        delta: i64,
    ) -> std::result::Result<(), ConflictableTransactionError<StoreError>> {
        let now = match self.t[META].get(key)? {
            None => 0,
            Some(v) => keys::parse_u64(&v).ok_or_else(|| {
                ConflictableTransactionError::Abort(StoreError::corrupt(
                    format!("counter {}", String::from_utf8_lossy(key)),
                    format!("{} bytes instead of 8", v.len()),
                ))
            })?,
        };
        let next = now.saturating_add_signed(delta);
        self.put(META, key, Some(&keys::u64_value(next)))
    }
}

/// A bundle being applied ([`Store::begin_import`]): parts written with [`Import::write`],
/// then [`Import::finish`], or [`Import::abort`] to undo. A bundle written in one part is
/// one transaction; one of several parts is journaled from its first part on, and marked
/// unfinished (`operation.rs`) until it is finished or undone, so that what a failure or a
/// kill leaves is undone: at once, or by the next [`Store::begin_import`].
pub struct Import<'s> {
    store: &'s Store,
    file: String,
    /// The journal's generation, once a part was journaled.
    generation: Option<u64>,
    chunks: u32,
    applied: Applied,
}

impl Import<'_> {
    /// Writes one part (whole interviews). `last`: no part follows, so that a bundle of
    /// one part needs no journal.
    pub fn write(&mut self, inc: &Incoming, last: bool) -> Result<()> {
        let store = self.store;
        if self.generation.is_none() && !last {
            let generation = chrono::Utc::now()
                .timestamp_nanos_opt()
                .map_or(1, |n| n as u64);
            store.begin_operation(&super::Unfinished {
                operation: IMPORT_OPERATION.to_string(),
                file: self.file.clone(),
                started_at: chrono::Local::now().to_rfc3339(),
            })?;
            store
                .journal
                .insert(JOURNAL_MARKER, &keys::u64_value(generation))?;
            store.sync()?;
            self.generation = Some(generation);
        }
        let journal = self.generation.map(|g| (g, self.chunks));
        store.write_part(inc, journal, &mut self.applied)?;
        self.chunks += 1;
        Ok(())
    }

    /// Ends the import: everything written stays (flushed).
    pub fn finish(self) -> Result<Applied> {
        let store = self.store;
        if self.generation.is_some() {
            store.journal.remove(JOURNAL_MARKER)?;
            store.sync()?;
            store.end_operation(IMPORT_OPERATION, &self.file)?;
            store.clear_journal()?;
        }
        store.sync()?;
        Ok(self.applied)
    }

    /// Undoes every part written (a part that failed wrote nothing).
    pub fn abort(self) -> Result<()> {
        if self.generation.is_some() {
            self.store.undo_unfinished_import()?;
        }
        Ok(())
    }
}

/// The part of a stored record the transaction checks.
#[derive(serde::Deserialize)]
struct StoredHead {
    #[serde(default)]
    events: u64,
}

/// One interview's writes, encoded.
struct Write {
    id: Uuid,
    key: [u8; 16],
    record: Vec<u8>,
    compact: Vec<u8>,
    household: String,
    /// The registry copy of its household, when the store has none yet.
    copy: Option<Vec<u8>>,
    events: Vec<EventWrite>,
    known: Option<u64>,
}

/// One event's writes: its key, its value, and its `by_device` key when it is indexed.
type EventWrite = ([u8; keys::EVENT_KEY_LEN], Vec<u8>, Option<Vec<u8>>);

/// A bundle's writes, encoded.
struct Prepared {
    added_households: Vec<Vec<u8>>,
    blocks: super::households::Plan,
    writes: Vec<Write>,
    unhold: Vec<Vec<u8>>,
    hold: Vec<(Vec<u8>, Vec<u8>)>,
    clashes: Vec<Clash>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A record of a new interview (built from JSON: fields added later take defaults).
    fn record(id: Uuid, household: &str) -> InterviewRecord {
        serde_json::from_value(json!({
            "interview_id": id,
            "household_id": household,
            "questionnaire": "non_poor",
            "questionnaire_version": "2017.1",
            "status": "in_progress",
            "interviewer": "李调查",
            "device_id": "laptop-a",
            "started_at": "2024-03-05T09:00:00+08:00",
            "updated_at": "2024-03-05T09:00:00+08:00",
            "answers": {},
        }))
        .expect("record")
    }

    fn event(interview: Uuid, seq: u64) -> Event {
        serde_json::from_value(json!({
            "event_id": Uuid::new_v4(),
            "interview_id": interview,
            "at": "2024-03-05T09:30:00+08:00",
            "device_id": "laptop-a",
            "seq": seq,
            "interviewer": "李调查",
            "op": "set",
            "question_id": format!("q{seq}"),
            "value": seq,
        }))
        .expect("event")
    }

    /// A part of `n` new interviews of 3 events each, numbered from `seq`.
    fn part(n: usize, seq: &mut u64) -> Incoming {
        let mut inc = Incoming::default();
        for i in 0..n {
            let id = Uuid::new_v4();
            let events = (0..3)
                .map(|_| {
                    *seq += 1;
                    event(id, *seq)
                })
                .collect();
            inc.interviews.push(Merged {
                record: record(id, &format!("P-{i:08}")),
                events,
                known: None,
            });
        }
        inc.households = (0..n)
            .map(|i| Household::provisional(format!("P-{i:08}"), "王".into(), "桂花村".into()))
            .collect();
        let aside = Uuid::new_v4();
        inc.hold.push(Held {
            interview_id: aside,
            head: None,
            household: None,
            events: vec![event(aside, 0)],
        });
        inc
    }

    /// Every tree a bundle writes, but the dictionary (which only grows) and the journal.
    fn dump(store: &Store) -> Vec<(usize, Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        for (i, t) in store.journaled_trees().into_iter().enumerate() {
            if i == NAMES || i == JOURNAL {
                continue;
            }
            for kv in t.iter() {
                let (k, v) = kv.expect("read");
                out.push((i, k.to_vec(), v.to_vec()));
            }
        }
        out
    }

    #[test]
    fn a_bundle_in_parts_is_undone_when_a_later_part_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let mut seq = 0;
        let mut first = store.begin_import("a.ruhu").expect("begin");
        first.write(&part(2, &mut seq), true).expect("write");
        first.finish().expect("finish");
        let before = dump(&store);
        let counts = (store.interview_count(), store.household_count());

        let mut import = store.begin_import("b.ruhu").expect("begin");
        import.write(&part(3, &mut seq), false).expect("part 1");
        import.write(&part(3, &mut seq), false).expect("part 2");
        assert_eq!(store.interview_count(), counts.0 + 6);
        assert!(store.unfinished().expect("marker").is_some());
        // A part that does not fit the store (an interview counted otherwise) fails whole.
        let mut bad = part(1, &mut seq);
        bad.interviews[0].known = Some(7);
        assert!(import.write(&bad, true).is_err());
        import.abort().expect("abort");
        assert_eq!(dump(&store), before);
        assert_eq!((store.interview_count(), store.household_count()), counts);
        assert!(store.unfinished().expect("marker").is_none());
        assert!(store.journal.is_empty());
        let (problems, _) = store.check_layout().expect("check");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_bundle_in_parts_cut_short_is_undone_when_the_store_is_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut seq = 0;
        let before = {
            let store = Store::open(dir.path()).expect("open");
            let mut first = store.begin_import("a.ruhu").expect("begin");
            first.write(&part(2, &mut seq), true).expect("write");
            first.finish().expect("finish");
            let before = dump(&store);
            let mut import = store.begin_import("b.ruhu").expect("begin");
            import.write(&part(3, &mut seq), false).expect("part 1");
            import.write(&part(3, &mut seq), false).expect("part 2");
            // Killed here: neither finished nor undone.
            std::mem::forget(import);
            before
        };
        let store = Store::open(dir.path()).expect("open again");
        assert_eq!(dump(&store), before);
        assert!(store.unfinished().expect("marker").is_none());
        let u = store.undid_import().expect("undone when opened");
        assert_eq!(
            (u.operation.as_str(), u.file.as_str()),
            (IMPORT_OPERATION, "b.ruhu")
        );
        let again = store.begin_import("c.ruhu").expect("begin");
        assert_eq!(dump(&store), before);
        assert!(store.unfinished().expect("marker").is_none());
        again.finish().expect("finish");
        let (problems, _) = store.check_layout().expect("check");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_bundle_in_parts_that_finishes_keeps_every_part_and_no_journal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let mut seq = 0;
        let mut import = store.begin_import("a.ruhu").expect("begin");
        import.write(&part(3, &mut seq), false).expect("part 1");
        import.write(&part(4, &mut seq), true).expect("part 2");
        import.finish().expect("finish");
        assert_eq!(store.interview_count(), 7);
        assert!(store.journal.is_empty());
        assert!(store.unfinished().expect("marker").is_none());
        assert_eq!(
            store.device_runs("laptop-a").expect("runs"),
            vec![SeqRun { first: 1, last: 21 }]
        );
        let (problems, _) = store.check_layout().expect("check");
        assert!(problems.is_empty(), "{problems:?}");
    }

    fn run(first: u64, last: u64) -> SeqRun {
        SeqRun { first, last }
    }

    #[test]
    fn runs_join_and_subtract() {
        assert_eq!(
            union_runs(&[run(1, 3), run(10, 12)], &[run(4, 5), run(11, 20)]),
            vec![run(1, 5), run(10, 20)]
        );
        assert_eq!(
            minus_runs(&[run(1, 100)], &[run(58, 70)]),
            vec![run(1, 57), run(71, 100)]
        );
        assert_eq!(minus_runs(&[run(1, 10)], &[run(1, 10)]), vec![]);
        assert_eq!(
            minus_runs(&[run(1, 10)], &[run(2, 3), run(5, 5), run(9, 12)]),
            vec![run(1, 1), run(4, 4), run(6, 8)]
        );
        assert_eq!(minus_runs(&[run(5, 6)], &[]), vec![run(5, 6)]);
        assert_eq!(
            runs_of(vec![3, 1, 2, 2, 7, u64::MAX]),
            vec![run(1, 3), run(7, 7), run(u64::MAX, u64::MAX)]
        );
        assert_eq!(
            union_runs(&[run(u64::MAX - 1, u64::MAX)], &[run(u64::MAX, u64::MAX)]),
            vec![run(u64::MAX - 1, u64::MAX)]
        );
    }
}
