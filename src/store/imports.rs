//! The log of answer bundles imported: one entry per bundle, accepted or refused, with the
//! counts of its report; the last [`MAX_IMPORT_LOG`] entries are kept. The log is this
//! laptop's own record: bundles do not carry it; backups do (`store/backup.rs`).
//!
//! ```text
//! imports: time (u64 BE, nanoseconds since 1970 UTC), counter (u32 BE)  ->  entry (JSON)
//! ```
//!
//! Keys only grow: an entry logged while the clock reads earlier than the last key (a clock
//! set back) takes the last key's time with the next counter, so the order of the keys is
//! the order of the imports; the entry keeps the time the clock read.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Result, Store, decode, encode};
use crate::i18n::Text;

/// Entries the log keeps: the oldest go when a new one would make more.
pub const MAX_IMPORT_LOG: usize = 1000;

const KEY_LEN: usize = 12;

/// One bundle imported (or refused), as the log keeps it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportLogEntry {
    /// When the import ran (this laptop's clock).
    pub at: Option<DateTime<FixedOffset>>,
    /// The file as named.
    pub file: Option<String>,
    pub accepted: bool,
    /// From the bundle's header, when it could be read.
    pub bundle_id: Option<Uuid>,
    /// The device that wrote the bundle, and the name people read for it.
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    /// When the bundle was written (the sender's clock).
    pub created_at: Option<DateTime<FixedOffset>>,
    pub interviews_new: usize,
    pub interviews_updated: usize,
    pub interviews_unchanged: usize,
    pub events_new: usize,
    pub conflicts: usize,
    pub duplicates: usize,
    pub held: usize,
    pub gaps: usize,
    /// Why it was refused, in both languages.
    pub error: Option<Text>,
}

fn key(nanos: u64, counter: u32) -> [u8; KEY_LEN] {
    let mut k = [0u8; KEY_LEN];
    k[..8].copy_from_slice(&nanos.to_be_bytes());
    k[8..].copy_from_slice(&counter.to_be_bytes());
    k
}

fn parse_key(k: &[u8]) -> Option<(u64, u32)> {
    let nanos = u64::from_be_bytes(k.get(..8)?.try_into().ok()?);
    let counter = u32::from_be_bytes(k.get(8..KEY_LEN)?.try_into().ok()?);
    Some((nanos, counter))
}

/// Nanoseconds since 1970 of a time (0 before it; the largest after 2262).
fn nanos_of(at: Option<DateTime<FixedOffset>>) -> u64 {
    at.and_then(|t| t.timestamp_nanos_opt())
        .map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

impl Store {
    /// Adds an entry to the log and drops the oldest beyond [`MAX_IMPORT_LOG`]. Not flushed
    /// on its own: it is made durable with the store's next flush (sled's background flush
    /// follows within half a second).
    pub fn log_import(&self, entry: &ImportLogEntry) -> Result<()> {
        self.writable()?;
        let now = nanos_of(entry.at);
        let k = match self.imports.last()? {
            Some((last, _)) => match parse_key(&last) {
                Some((t, c)) if t > now => key(t, c.saturating_add(1)),
                Some((t, c)) if t == now => match c.checked_add(1) {
                    Some(c) => key(t, c),
                    None => key(t.saturating_add(1), 0),
                },
                _ => key(now, 0),
            },
            None => key(now, 0),
        };
        let mut batch = sled::Batch::default();
        batch.insert(&k, encode("import log entry", entry)?);
        let have = self.imports.len();
        if have >= MAX_IMPORT_LOG {
            for old in self.imports.iter().keys().take(have + 1 - MAX_IMPORT_LOG) {
                batch.remove(old?);
            }
        }
        self.imports.apply_batch(batch)?;
        Ok(())
    }

    /// The log of imports, newest first.
    pub fn import_log(&self) -> Result<Vec<ImportLogEntry>> {
        let mut out = Vec::new();
        for kv in self.imports.iter().rev() {
            let (k, v) = kv?;
            out.push(decode(|| format!("import log entry {k:02x?}"), &v)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> ImportLogEntry {
        ImportLogEntry {
            at: Some(chrono::Local::now().fixed_offset()),
            file: Some(format!("{n}.ruhu")),
            accepted: n.is_multiple_of(2),
            events_new: n,
            ..ImportLogEntry::default()
        }
    }

    #[test]
    fn the_log_keeps_the_last_thousand_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for n in 0..MAX_IMPORT_LOG + 5 {
            store.log_import(&entry(n)).unwrap();
        }
        let log = store.import_log().unwrap();
        assert_eq!(log.len(), MAX_IMPORT_LOG);
        assert_eq!(log[0].events_new, MAX_IMPORT_LOG + 4);
        assert_eq!(log[MAX_IMPORT_LOG - 1].events_new, 5);
        assert!(
            log.windows(2)
                .all(|w| w[0].events_new == w[1].events_new + 1)
        );
        // Kept across a reopen.
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        store.log_import(&entry(7777)).unwrap();
        let log = store.import_log().unwrap();
        assert_eq!(log.len(), MAX_IMPORT_LOG);
        assert_eq!(log[0].events_new, 7777);
        assert_eq!(log[MAX_IMPORT_LOG - 1].events_new, 6);
    }

    #[test]
    fn a_clock_set_back_or_the_same_instant_keeps_the_order_of_imports() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let at = chrono::Local::now().fixed_offset();
        let earlier = at - chrono::Duration::days(400);
        for (n, t) in [(1, Some(at)), (2, Some(at)), (3, Some(earlier)), (4, None)] {
            let e = ImportLogEntry {
                at: t,
                events_new: n,
                ..ImportLogEntry::default()
            };
            store.log_import(&e).unwrap();
        }
        let order: Vec<usize> = store
            .import_log()
            .unwrap()
            .iter()
            .map(|e| e.events_new)
            .collect();
        assert_eq!(order, [4, 3, 2, 1]);
        assert_eq!(store.import_log().unwrap()[1].at, Some(earlier));
    }
}
