//! Events by device: every event is numbered among its device's events (`seq`, from 1, no
//! gaps), and the `by_device` tree lists them by (device, seq), so that what a store holds
//! of each device, and what it lacks, is read without a scan of the events.
//!
//! ```text
//! by_device: device id, 0x00, seq (u64 big-endian)  ->  the event's key in `events`
//! ```
//!
//! The store numbers its own events as it writes them (`interviews.rs`): the next number is
//! one after the last of its device in `by_device`, read under the same lock as the write.
//! Events written before events were numbered (a store of schema 2, a backup of it) are
//! numbered and chained (`interview::causal::chain_legacy`) by [`Store::index_events`].

use std::collections::HashMap;

use uuid::Uuid;

use super::{Result, Store, StoreError, decode, encode, keys};
use crate::interview::Event;
use crate::interview::causal::chain_legacy;

/// The `by_device` key of an event.
pub(super) fn key(device: &str, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(device.len() + 9);
    k.extend_from_slice(device.as_bytes());
    k.push(0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The device and seq of a `by_device` key.
fn parse(k: &[u8]) -> Option<(&str, u64)> {
    if k.len() < 9 {
        return None;
    }
    let (device, rest) = k.split_at(k.len() - 9);
    if rest[0] != 0 {
        return None;
    }
    let seq = u64::from_be_bytes(rest[1..].try_into().ok()?);
    Some((std::str::from_utf8(device).ok()?, seq))
}

/// A run of sequence numbers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRun {
    pub first: u64,
    pub last: u64,
}

/// What a store holds of one device's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEvents {
    pub device_id: String,
    /// The numbers held, as runs in order.
    pub held: Vec<SeqRun>,
}

impl DeviceEvents {
    /// The numbers missing below the highest held: events not received yet.
    pub fn gaps(&self) -> Vec<SeqRun> {
        let mut out = Vec::new();
        let mut next = 1;
        for r in &self.held {
            if r.first > next {
                out.push(SeqRun {
                    first: next,
                    last: r.first - 1,
                });
            }
            next = r.last + 1;
        }
        out
    }
}

impl Store {
    /// The last number given to an event of `device` here (0: none).
    pub(super) fn last_seq(&self, device: &str) -> Result<u64> {
        let mut prefix = device.as_bytes().to_vec();
        prefix.push(0);
        match self.by_device.scan_prefix(&prefix).next_back() {
            None => Ok(0),
            Some(kv) => {
                let (k, _) = kv?;
                parse(&k).map(|(_, seq)| seq).ok_or_else(|| bad_key(&k))
            }
        }
    }

    /// The events held of every device, by device id.
    pub fn device_events(&self) -> Result<Vec<DeviceEvents>> {
        let mut out: Vec<DeviceEvents> = Vec::new();
        for kv in self.by_device.iter() {
            let (k, _) = kv?;
            let (device, seq) = parse(&k).ok_or_else(|| bad_key(&k))?;
            if out.last().is_none_or(|d| d.device_id != device) {
                out.push(DeviceEvents {
                    device_id: device.to_string(),
                    held: Vec::new(),
                });
            }
            if let Some(d) = out.last_mut() {
                match d.held.last_mut() {
                    Some(r) if r.last + 1 == seq => r.last = seq,
                    _ => d.held.push(SeqRun {
                        first: seq,
                        last: seq,
                    }),
                }
            }
        }
        Ok(out)
    }

    /// Numbers and chains the events that have no number (written before events were
    /// numbered), interview by interview, and makes `by_device` again from every event.
    /// Returns how many events were numbered. Flushed.
    pub(super) fn index_events(&self) -> Result<usize> {
        self.by_device.clear()?;
        // Numbers already given, per device, so that new ones follow them.
        let mut last: HashMap<String, u64> = HashMap::new();
        let mut index = sled::Batch::default();
        let mut pending = 0usize;
        for kv in self.events.iter() {
            let (k, v) = kv?;
            let e: Event = decode(|| format!("event with key {k:02x?}"), &v)?;
            if e.seq > 0 {
                let top = last.entry(e.device_id.clone()).or_default();
                *top = (*top).max(e.seq);
                index.insert(key(&e.device_id, e.seq), &k[..]);
                pending += 1;
                if pending >= 4096 {
                    self.by_device.apply_batch(std::mem::take(&mut index))?;
                    pending = 0;
                }
            }
        }
        self.by_device.apply_batch(index)?;
        // The unnumbered, one interview at a time (its events are together in `events`).
        let mut numbered = 0;
        let mut current: Option<Uuid> = None;
        let mut group: Vec<(sled::IVec, Event)> = Vec::new();
        for kv in self.events.iter() {
            let (k, v) = kv?;
            let Some((interview, _, _)) = keys::parse_event(&k) else {
                return Err(StoreError::corrupt("event key", format!("{k:02x?}")));
            };
            if current != Some(interview) {
                numbered += self.number(&mut group, &mut last)?;
                current = Some(interview);
            }
            let e: Event = decode(|| format!("event with key {k:02x?}"), &v)?;
            group.push((k, e));
        }
        numbered += self.number(&mut group, &mut last)?;
        self.sync()?;
        Ok(numbered)
    }

    /// Numbers and chains one interview's unnumbered events (emptying `group`).
    fn number(
        &self,
        group: &mut Vec<(sled::IVec, Event)>,
        last: &mut HashMap<String, u64>,
    ) -> Result<usize> {
        if group.iter().all(|(_, e)| e.seq > 0) {
            group.clear();
            return Ok(0);
        }
        let mut events: Vec<Event> = group.iter().map(|(_, e)| e.clone()).collect();
        chain_legacy(&mut events);
        // In the order they were made, per device.
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| events[i].order_key());
        let mut batch = sled::Batch::default();
        let mut index = sled::Batch::default();
        let mut n = 0;
        for i in order {
            let e = &mut events[i];
            if e.seq > 0 {
                continue;
            }
            let top = last.entry(e.device_id.clone()).or_default();
            *top += 1;
            e.seq = *top;
            let k = &group[i].0;
            batch.insert(k, encode("event", e)?);
            index.insert(key(&e.device_id, e.seq), &k[..]);
            n += 1;
        }
        self.events.apply_batch(batch)?;
        self.by_device.apply_batch(index)?;
        group.clear();
        Ok(n)
    }
}

fn bad_key(k: &[u8]) -> StoreError {
    StoreError::corrupt("event index by device", format!("key {k:02x?}"))
}
