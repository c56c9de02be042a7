//! Answer bundles on the store side (`session/sync.rs` decides what a bundle changes): a
//! bundle's events, new interviews and provisional households written in ONE transaction
//! with everything derived from them (records, compact results, the household index, the
//! registry copies, the counters, the index by device); interviews held aside for a
//! questionnaire this store lacks; and, per recipient, what has been sent already.
//!
//! ```text
//! sent: recipient, 0x00, device id                  ->  JSON [[first, last], …]: the sequence
//!                                                       numbers of that device's events sent
//!                                                       to that recipient, as runs
//! held: interview uuid (16), 0x00                   ->  the interview's head (JSON)
//!       interview uuid (16), 0x01                   ->  its provisional household (JSON)
//!       interview uuid (16), 0x02, event uuid (16)  ->  one of its events (JSON)
//! ```
//!
//! The default recipient (an export without `--to`) is the empty name.

use std::collections::{BTreeMap, HashMap, HashSet};

use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use uuid::Uuid;

use super::{Result, Store, StoreError, bump, codec, decode, encode, keys};
use crate::interview::{Event, InterviewRecord};
use crate::registry::Household;
use crate::sync::bundle::InterviewHead;

pub use super::devices::{DeviceEvents, SeqRun};

const HELD_HEAD: u8 = 0;
const HELD_HOUSEHOLD: u8 = 1;
const HELD_EVENT: u8 = 2;

/// What one bundle changes in the store, decided by the session: written whole or not at
/// all by [`Store::apply_incoming`].
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

/// What [`Store::apply_incoming`] did beyond what it was asked.
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

    /// The events of `device` numbered `first..=last` that are indexed, in number order.
    pub fn events_of_device(&self, device: &str, first: u64, last: u64) -> Result<Vec<Event>> {
        let from = super::devices::key(device, first);
        let to = super::devices::key(device, last);
        let mut out = Vec::new();
        for kv in self.by_device.range(from..=to) {
            let (_, k) = kv?;
            match self.events.get(&k)? {
                Some(v) => out.push(decode(|| format!("event with key {k:02x?}"), &v)?),
                None => {
                    return Err(StoreError::corrupt(
                        "event index by device",
                        format!("event key {k:02x?} is indexed but not stored"),
                    ));
                }
            }
        }
        Ok(out)
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

    /// Writes what a bundle changes (see [`Incoming`]) in one transaction, then flushes:
    /// when this returns `Ok` all of it is on disk, and on `Err` none of it was written.
    pub fn apply_incoming(&self, inc: &Incoming) -> Result<Applied> {
        self.writable()?;
        // The same lock as every interview write: nothing else writes events meanwhile.
        let mut names = self.lock_names();
        let known_names = names.len();
        let prepared = self.prepare(inc, &mut names);
        let prepared = match prepared {
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
        let written = (
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
        )
            .transaction(
                |(
                    interviews,
                    log,
                    index,
                    meta,
                    results,
                    interviewed,
                    coded,
                    devices,
                    hs,
                    recent,
                    held,
                )| {
                    for (code, name) in &new_names {
                        coded.insert(&code[..], name.as_bytes())?;
                    }
                    for (k, v) in &p.blocks.writes {
                        match v {
                            Some(v) => hs.insert(k.as_slice(), v.as_slice())?,
                            None => hs.remove(k.as_slice())?,
                        };
                    }
                    for id in &p.added_households {
                        recent.insert(id.as_slice(), &[])?;
                    }
                    if p.blocks.delta != 0 {
                        bump(meta, keys::META_HOUSEHOLD_COUNT, p.blocks.delta)?;
                    }
                    let mut created = 0i64;
                    for w in &p.writes {
                        let stored = interviews.get(w.key)?;
                        let count = match &stored {
                            None => None,
                            Some(v) => Some(
                                decode::<StoredHead>(|| format!("interview {}", w.id), v)
                                    .map_err(ConflictableTransactionError::Abort)?
                                    .events,
                            ),
                        };
                        if count != w.known {
                            return Err(ConflictableTransactionError::Abort(StoreError::Invalid(
                                format!(
                                    "interview {} changed while the bundle was being applied",
                                    w.id
                                ),
                            )));
                        }
                        for (k, v, indexed) in &w.events {
                            log.insert(&k[..], v.as_slice())?;
                            if let Some(d) = indexed {
                                devices.insert(d.as_slice(), &k[..])?;
                            }
                        }
                        interviews.insert(&w.key, w.record.as_slice())?;
                        let hk = keys::by_household(&w.household, w.id);
                        results.insert(hk.as_slice(), w.compact.as_slice())?;
                        if w.known.is_none() {
                            index.insert(hk, &[])?;
                            created += 1;
                        }
                        if let Some(copy) = &w.copy {
                            interviewed.insert(w.household.as_bytes(), copy.as_slice())?;
                        }
                    }
                    if created != 0 {
                        bump(meta, keys::META_INTERVIEW_COUNT, created)?;
                    }
                    for k in &p.unhold {
                        held.remove(k.as_slice())?;
                    }
                    for (k, v) in &p.hold {
                        held.insert(k.as_slice(), v.as_slice())?;
                    }
                    Ok(())
                },
            );
        if written.is_err() {
            names.truncate(known_names);
        }
        drop(names);
        written?;
        self.sync()?;
        Ok(Applied {
            clashes: prepared.clashes,
        })
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
