//! Interviews and their event logs.
//!
//! Sequence numbers: the stored record's `events` field is the number of events in the log,
//! and the next event gets that number as its sequence. The store assigns it itself, inside
//! the transaction, from the stored record: the `events` field of the record the caller
//! passes is ignored and written back as (stored count + events added). A caller that keeps
//! its own copy adds the number of events it recorded after a successful call.

use serde::Deserialize;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use uuid::Uuid;

use super::{Result, Store, StoreError, bump, decode, encode, keys};
use crate::interview::{Event, InterviewRecord};

fn what(id: Uuid) -> String {
    format!("interview {id}")
}

/// The part of a stored record the write transaction needs.
#[derive(Deserialize)]
struct Head {
    household_id: String,
    #[serde(default)]
    events: u64,
}

/// What the sample's coverage reads of a stored record: which household, who, its status and
/// when it last changed; serde skips over the answers and the result without building them.
#[derive(Debug, Clone, Deserialize)]
pub struct InterviewVisit {
    pub household_id: String,
    pub status: crate::interview::Status,
    pub interviewer: String,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

/// A stored record as reconciliation reads it: everything but `answers`, which serde skips
/// over without building it (a record's answers are about as large as its result).
#[derive(Deserialize)]
struct ForReconciliation {
    interview_id: Uuid,
    household_id: String,
    questionnaire: String,
    questionnaire_version: String,
    status: crate::interview::Status,
    interviewer: String,
    device_id: String,
    started_at: chrono::DateTime<chrono::FixedOffset>,
    updated_at: chrono::DateTime<chrono::FixedOffset>,
    #[serde(default)]
    completed_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    result: serde_json::Value,
    #[serde(default)]
    events: u64,
    #[serde(default)]
    skipped: Vec<crate::interview::Skipped>,
    #[serde(default)]
    review: Option<crate::interview::Review>,
    #[serde(default)]
    chosen: Option<crate::interview::Chosen>,
}

impl From<ForReconciliation> for InterviewRecord {
    fn from(r: ForReconciliation) -> InterviewRecord {
        InterviewRecord {
            interview_id: r.interview_id,
            household_id: r.household_id,
            questionnaire: r.questionnaire,
            questionnaire_version: r.questionnaire_version,
            status: r.status,
            interviewer: r.interviewer,
            device_id: r.device_id,
            started_at: r.started_at,
            updated_at: r.updated_at,
            completed_at: r.completed_at,
            cursor: r.cursor,
            answers: serde_json::Value::Null,
            result: r.result,
            events: r.events,
            skipped: r.skipped,
            review: r.review,
            chosen: r.chosen,
        }
    }
}

impl Store {
    /// Stores a new interview (or rewrites an existing one's record, keeping its event
    /// count), flushed.
    pub fn create_interview(&self, record: &InterviewRecord) -> Result<()> {
        self.write_interview(&[], record)
    }

    /// Saves one answer durably: the event and the interview's updated record in one
    /// transaction, then a flush. When this returns `Ok`, both are on disk.
    /// The record's `events` count is maintained by the store (see the module docs): the
    /// record on disk has the stored count + 1.
    pub fn record_event(&self, event: &Event, record: &InterviewRecord) -> Result<()> {
        self.write_interview(std::slice::from_ref(event), record)
    }

    /// Saves several events (in this order) and the updated record in one transaction, one
    /// flush. With no events it only rewrites the record (e.g. the cursor), still flushed.
    pub fn record_events(&self, events: &[Event], record: &InterviewRecord) -> Result<()> {
        self.write_interview(events, record)
    }

    fn write_interview(&self, events: &[Event], record: &InterviewRecord) -> Result<()> {
        self.writable()?;
        let id = record.interview_id;
        if let Some(e) = events.iter().find(|e| e.interview_id != id) {
            return Err(StoreError::Invalid(format!(
                "event {} belongs to interview {}, not to {id}",
                e.event_id, e.interview_id
            )));
        }
        // New question ids go into the dictionary with the result that brings them; if the
        // write fails they are taken out of the copy in memory again. The same lock keeps
        // the numbering of this device's events in one writer's hands.
        let mut names = self.lock_names();
        let mut seq = self.last_seq(&self.device_id)?;
        let mut values = Vec::with_capacity(events.len());
        let mut numbered = Vec::with_capacity(events.len());
        for e in events {
            let mut e = e.clone();
            if e.seq == 0 && e.device_id == self.device_id {
                seq += 1;
                e.seq = seq;
            }
            values.push((e.event_id, encode("event", &e)?));
            numbered.push((e.device_id, e.seq));
        }
        let key = keys::interview(id);
        let added = events.len() as u64;
        let known = names.len();
        let compact = crate::interview::compact::encode(record, &mut names);
        let new_names: Vec<([u8; 4], String)> = names
            .since(known)
            .map(|(c, n)| (c.to_be_bytes(), n.to_string()))
            .collect();
        // The registry copy of a household interviewed for the first time (later household
        // writes keep it current).
        let hid = record.household_id.as_bytes();
        let copy = if self.interviewed.contains_key(hid)? {
            None
        } else {
            self.household_payload(hid)?
        };
        let written = (
            &self.interviews,
            &self.events,
            &self.by_household,
            &self.meta,
            &self.results,
            &self.interviewed,
            &self.names_tree,
            &self.by_device,
        )
            .transaction(
                |(interviews, log, index, meta, results, interviewed, coded, devices)| {
                    for (code, name) in &new_names {
                        coded.insert(&code[..], name.as_bytes())?;
                    }
                    let stored: Option<Head> = match interviews.get(key)? {
                        None => None,
                        Some(v) => Some(
                            decode(|| what(id), &v).map_err(ConflictableTransactionError::Abort)?,
                        ),
                    };
                    let first = stored.as_ref().map_or(0, |h| h.events);
                    for (i, ((event_id, value), (device, seq))) in
                        values.iter().zip(&numbered).enumerate()
                    {
                        let k = keys::event(id, first + i as u64, *event_id);
                        log.insert(&k[..], value.as_slice())?;
                        if *seq > 0 {
                            devices.insert(super::devices::key(device, *seq), &k[..])?;
                        }
                    }
                    let mut record = record.clone();
                    record.events = first + added;
                    let value = encode("interview", &record)
                        .map_err(ConflictableTransactionError::Abort)?;
                    interviews.insert(&key, value)?;
                    results.insert(
                        keys::by_household(&record.household_id, id),
                        compact.as_slice(),
                    )?;
                    if let Some(copy) = &copy {
                        interviewed.insert(hid, copy.as_slice())?;
                    }
                    match &stored {
                        None => {
                            index.insert(keys::by_household(&record.household_id, id), &[])?;
                            bump(meta, keys::META_INTERVIEW_COUNT, 1)?;
                        }
                        Some(h) if h.household_id != record.household_id => {
                            index.remove(keys::by_household(&h.household_id, id))?;
                            results.remove(keys::by_household(&h.household_id, id))?;
                            index.insert(keys::by_household(&record.household_id, id), &[])?;
                        }
                        Some(_) => {}
                    }
                    Ok(())
                },
            );
        if written.is_err() {
            names.truncate(known);
        }
        drop(names);
        written?;
        self.sync()?;
        Ok(())
    }

    /// One interview's record.
    pub fn interview(&self, id: Uuid) -> Result<Option<InterviewRecord>> {
        match self.interviews.get(keys::interview(id))? {
            None => Ok(None),
            Some(v) => decode(|| what(id), &v).map(Some),
        }
    }

    /// All interview records, in interview-id order, read lazily.
    pub fn interviews(&self) -> impl Iterator<Item = Result<InterviewRecord, StoreError>> {
        self.interviews.iter().map(|kv| {
            let (k, v) = kv?;
            decode(
                || match Uuid::from_slice(&k) {
                    Ok(id) => what(id),
                    Err(_) => format!("interview with key {k:02x?}"),
                },
                &v,
            )
        })
    }

    /// All interview records as reconciliation needs them, in interview-id order, read
    /// lazily: like [`Store::interviews`] but with `answers` left out (`Null`), so that only
    /// the `result` is built — about half the decoding work. For reading results (findings,
    /// rates, exports), never for writing a record back.
    pub fn interview_results(&self) -> impl Iterator<Item = Result<InterviewRecord, StoreError>> {
        self.interviews.iter().map(|kv| {
            let (k, v) = kv?;
            decode::<ForReconciliation>(
                || match Uuid::from_slice(&k) {
                    Ok(id) => what(id),
                    Err(_) => format!("interview with key {k:02x?}"),
                },
                &v,
            )
            .map(InterviewRecord::from)
        })
    }

    /// Every interview as the sample's coverage needs it (household, interviewer, status,
    /// last change), in interview-id order: nothing of the answers or the result is built,
    /// several times less work than [`Store::interview_results`].
    pub fn interview_visits(&self) -> impl Iterator<Item = Result<InterviewVisit, StoreError>> {
        self.interviews.iter().map(|kv| {
            let (k, v) = kv?;
            decode::<InterviewVisit>(
                || match Uuid::from_slice(&k) {
                    Ok(id) => what(id),
                    Err(_) => format!("interview with key {k:02x?}"),
                },
                &v,
            )
        })
    }

    /// The interviews of one household (index scan), in interview-id order.
    pub fn interviews_of(&self, household_id: &str) -> Result<Vec<InterviewRecord>> {
        let prefix = keys::by_household_prefix(household_id);
        let mut out = Vec::new();
        for kv in self.by_household.scan_prefix(&prefix) {
            let (k, _) = kv?;
            // A longer household id that contains 0x00 shares the prefix: not ours.
            let Some(id) = keys::parse_by_household(&prefix, &k) else {
                continue;
            };
            match self.interview(id)? {
                Some(r) => out.push(r),
                None => {
                    return Err(StoreError::corrupt(
                        format!("interview index of household {household_id}"),
                        format!("interview {id} is listed but not stored"),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The households with two or more interviews, and the households `also` keeps (by
    /// id), with their interview ids: one pass over the interview index, nothing decoded.
    pub fn households_visited_twice(
        &self,
        also: impl Fn(&str) -> bool,
    ) -> Result<Vec<(String, Vec<Uuid>)>> {
        let mut out: Vec<(String, Vec<Uuid>)> = Vec::new();
        let mut current: Option<(Vec<u8>, Vec<Uuid>)> = None;
        let flush = |c: Option<(Vec<u8>, Vec<Uuid>)>, out: &mut Vec<(String, Vec<Uuid>)>| {
            if let Some((h, ids)) = c {
                let h = String::from_utf8_lossy(&h).into_owned();
                if ids.len() > 1 || also(&h) {
                    out.push((h, ids));
                }
            }
        };
        for kv in self.by_household.iter().keys() {
            let k = kv?;
            let Some(h) = keys::household_of(&k) else {
                continue;
            };
            let Ok(id) = Uuid::from_slice(&k[h.len() + 1..]) else {
                continue;
            };
            match &mut current {
                Some((ch, ids)) if ch.as_slice() == h => ids.push(id),
                _ => {
                    flush(current.take(), &mut out);
                    current = Some((h.to_vec(), vec![id]));
                }
            }
        }
        flush(current, &mut out);
        Ok(out)
    }

    /// How many interviews the store holds (a counter: no scan).
    pub fn interview_count(&self) -> usize {
        self.count_or_scan(keys::META_INTERVIEW_COUNT, || self.interviews.len())
    }

    /// An interview's events in the order they were recorded.
    pub fn events(&self, interview: Uuid) -> Result<Vec<Event>> {
        self.events
            .scan_prefix(keys::interview(interview))
            .map(|kv| {
                let (k, v) = kv?;
                decode(|| event_what(&k), &v)
            })
            .collect()
    }

    /// All events of all interviews, by interview then sequence.
    pub(super) fn all_events(&self) -> impl Iterator<Item = Result<Event, StoreError>> {
        self.events.iter().map(|kv| {
            let (k, v) = kv?;
            decode(|| event_what(&k), &v)
        })
    }
}

fn event_what(key: &[u8]) -> String {
    match keys::parse_event(key) {
        Some((interview, seq, event)) => format!("event {event} (#{seq} of interview {interview})"),
        None => format!("event with key {key:02x?}"),
    }
}
