//! Auditors' marks on findings: tree `marks`, key = interview uuid (16 bytes) ++ rule id
//! (UTF-8), value = the [`Mark`] in effect as JSON. Findings themselves are never stored; a
//! mark is found again by the identity of the finding it was made on. The latest mark of a
//! finding replaces the one before.
//!
//! Tree `mark_history` keeps every mark given and every clearing ([`MarkRecord`]), key =
//! the same key ++ 0x00 ++ a number from sled's id generator (u64 big-endian, increasing),
//! written in the same transaction as the mark in effect. A store from before the history
//! has marks without one: such a mark is its own history.

use std::collections::HashMap;

use uuid::Uuid;

use sled::Transactional;

use super::{Result, Store, StoreError, decode, encode};
use crate::reconcile::{FindingKey, Mark, MarkRecord};

const MARKS_TREE: &str = "marks";
const HISTORY_TREE: &str = "mark_history";

fn history_prefix(interview: Uuid, rule: &str) -> Vec<u8> {
    let mut k = key(interview, rule);
    k.push(0);
    k
}

fn key(interview: Uuid, rule: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(16 + rule.len());
    k.extend_from_slice(interview.as_bytes());
    k.extend_from_slice(rule.as_bytes());
    k
}

fn what(k: &[u8]) -> String {
    match (k.get(..16).map(Uuid::from_slice), k.get(16..)) {
        (Some(Ok(id)), Some(rule)) => {
            format!(
                "mark of rule {} on interview {id}",
                String::from_utf8_lossy(rule)
            )
        }
        _ => format!("mark with key {k:02x?}"),
    }
}

impl Store {
    fn marks_tree(&self) -> Result<sled::Tree> {
        Ok(self.db.open_tree(MARKS_TREE)?)
    }

    fn history_tree(&self) -> Result<sled::Tree> {
        Ok(self.db.open_tree(HISTORY_TREE)?)
    }

    /// Stores a mark (replacing the finding's earlier one) and adds it to the finding's
    /// history, in one transaction; flushed.
    pub fn put_mark(&self, mark: &Mark) -> Result<()> {
        self.writable()?;
        self.write_mark(&MarkRecord::from(mark))?;
        self.sync()
    }

    /// Clears the mark of a finding (`by` and `at` recorded in its history); flushed.
    /// Clearing a finding without a mark records nothing and says so (`false`).
    pub fn clear_mark(
        &self,
        finding: &FindingKey,
        by: &str,
        at: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<bool> {
        self.writable()?;
        if self.mark(finding.0, &finding.1)?.is_none() {
            return Ok(false);
        }
        self.write_mark(&MarkRecord {
            interview_id: finding.0,
            rule: finding.1.clone(),
            status: None,
            comment: String::new(),
            by: by.to_string(),
            at,
        })?;
        self.sync()?;
        Ok(true)
    }

    /// Writes one history entry and the mark in effect after it, in one transaction.
    fn write_mark(&self, record: &MarkRecord) -> Result<()> {
        let marks = self.marks_tree()?;
        let history = self.history_tree()?;
        let k = key(record.interview_id, &record.rule);
        let mut hk = history_prefix(record.interview_id, &record.rule);
        hk.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
        let entry = encode("mark history", record)?;
        let current = match record.status {
            Some(status) => Some(encode(
                "mark",
                &Mark {
                    interview_id: record.interview_id,
                    rule: record.rule.clone(),
                    status,
                    comment: record.comment.clone(),
                    by: record.by.clone(),
                    at: record.at,
                },
            )?),
            None => None,
        };
        (&marks, &history)
            .transaction(|(m, h)| {
                h.insert(hk.as_slice(), entry.as_slice())?;
                match &current {
                    Some(v) => m.insert(k.as_slice(), v.as_slice())?,
                    None => m.remove(k.as_slice())?,
                };
                Ok::<(), sled::transaction::ConflictableTransactionError<StoreError>>(())
            })
            .map_err(StoreError::from)?;
        Ok(())
    }

    /// Stores a mark in effect without flushing or history (a restore flushes once at the
    /// end and restores the history on its own).
    pub(super) fn put_mark_unsynced(&self, mark: &Mark) -> Result<()> {
        let tree = self.marks_tree()?;
        tree.insert(key(mark.interview_id, &mark.rule), encode("mark", mark)?)?;
        Ok(())
    }

    /// Adds one history entry without flushing (a restore).
    pub(super) fn put_mark_history_unsynced(&self, record: &MarkRecord) -> Result<()> {
        let mut hk = history_prefix(record.interview_id, &record.rule);
        hk.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
        self.history_tree()?
            .insert(hk, encode("mark history", record)?)?;
        Ok(())
    }

    /// The history of one finding's mark, oldest first. A mark made before the store kept
    /// histories is its own history.
    pub fn mark_history(&self, finding: &FindingKey) -> Result<Vec<MarkRecord>> {
        let prefix = history_prefix(finding.0, &finding.1);
        let mut out = Vec::new();
        for kv in self.history_tree()?.scan_prefix(&prefix) {
            let (k, v) = kv?;
            out.push(decode(
                || format!("history of the {}", what(&k[..prefix.len() - 1])),
                &v,
            )?);
        }
        if out.is_empty()
            && let Some(m) = self.mark(finding.0, &finding.1)?
        {
            out.push(MarkRecord::from(&m));
        }
        Ok(out)
    }

    /// Every history entry of every finding, by finding and then oldest first (a backup).
    pub fn mark_histories(&self) -> impl Iterator<Item = Result<MarkRecord>> + use<> {
        let tree = self.history_tree();
        let iter: Box<dyn Iterator<Item = Result<MarkRecord>>> = match tree {
            Err(e) => Box::new(std::iter::once(Err(e))),
            Ok(t) => Box::new(t.iter().map(|kv| {
                let (k, v) = kv?;
                decode(|| format!("mark history entry {k:02x?}"), &v)
            })),
        };
        iter
    }

    /// The mark of one finding, if any.
    pub fn mark(&self, interview: Uuid, rule: &str) -> Result<Option<Mark>> {
        let k = key(interview, rule);
        match self.marks_tree()?.get(&k)? {
            None => Ok(None),
            Some(v) => decode(|| what(&k), &v).map(Some),
        }
    }

    /// Every mark, by finding identity (interview id, rule id).
    pub fn marks(&self) -> Result<HashMap<FindingKey, Mark>> {
        let mut out = HashMap::new();
        for kv in self.marks_tree()?.iter() {
            let (k, v) = kv?;
            let mark: Mark = decode(|| what(&k), &v)?;
            if k.as_ref() != key(mark.interview_id, &mark.rule).as_slice() {
                return Err(StoreError::corrupt(
                    what(&k),
                    "the key does not match the mark",
                ));
            }
            out.insert(mark.key(), mark);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::MarkStatus;

    fn mark(interview: Uuid, rule: &str, status: MarkStatus, comment: &str) -> Mark {
        Mark {
            interview_id: interview,
            rule: rule.to_string(),
            status,
            comment: comment.to_string(),
            by: "审计员".to_string(),
            at: chrono::DateTime::parse_from_rfc3339("2017-12-24T10:00:00+08:00").expect("date"),
        }
    }

    #[test]
    fn marks_are_kept_per_finding_and_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        assert!(store.marks().expect("marks").is_empty());
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        store
            .put_mark(&mark(
                a,
                "wrong_exit_income",
                MarkStatus::Confirmed,
                "核实属实",
            ))
            .expect("put");
        store
            .put_mark(&mark(a, "mismatch_income", MarkStatus::Dismissed, ""))
            .expect("put");
        store
            .put_mark(&mark(
                b,
                "wrong_exit_income",
                MarkStatus::Dismissed,
                "收入已核",
            ))
            .expect("put");
        store
            .put_mark(&mark(
                a,
                "wrong_exit_income",
                MarkStatus::Dismissed,
                "复核后排除",
            ))
            .expect("replace");
        let all = store.marks().expect("marks");
        assert_eq!(all.len(), 3);
        let m = &all[&(a, "wrong_exit_income".to_string())];
        assert_eq!(m.status, MarkStatus::Dismissed);
        assert_eq!(m.comment, "复核后排除");
        assert_eq!(
            store.mark(b, "wrong_exit_income").expect("one"),
            Some(mark(
                b,
                "wrong_exit_income",
                MarkStatus::Dismissed,
                "收入已核"
            ))
        );
        assert_eq!(store.mark(b, "nope").expect("none"), None);
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.marks().expect("marks").len(), 3);
    }

    #[test]
    fn every_mark_and_clearing_is_kept_in_the_history() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        let a = Uuid::from_u128(1);
        let key = (a, "member_age_id_number@r2".to_string());
        store
            .put_mark(&mark(a, &key.1, MarkStatus::Confirmed, "核实属实"))
            .expect("put");
        let mut later = mark(a, &key.1, MarkStatus::Dismissed, "户口本上年龄已更正");
        later.by = "李审计".into();
        store.put_mark(&later).expect("again");
        assert!(store.clear_mark(&key, "王审计", later.at).expect("clear"));
        // Clearing again: nothing to clear, nothing recorded.
        assert!(!store.clear_mark(&key, "王审计", later.at).expect("clear"));
        assert_eq!(store.mark(a, &key.1).expect("mark"), None);
        let history = store.mark_history(&key).expect("history");
        let seen: Vec<(Option<MarkStatus>, &str, &str)> = history
            .iter()
            .map(|r| (r.status, r.by.as_str(), r.comment.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (Some(MarkStatus::Confirmed), "审计员", "核实属实"),
                (Some(MarkStatus::Dismissed), "李审计", "户口本上年龄已更正"),
                (None, "王审计", ""),
            ]
        );
        // Another finding of the same interview has a history of its own.
        assert!(
            store
                .mark_history(&(a, "member_age_id_number".into()))
                .expect("none")
                .is_empty()
        );
        // A mark from before the store kept histories is its own history.
        let old = mark(a, "wrong_exit_income", MarkStatus::Confirmed, "旧标记");
        store.put_mark_unsynced(&old).expect("old");
        assert_eq!(
            store.mark_history(&old.key()).expect("history"),
            vec![MarkRecord::from(&old)]
        );
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.mark_histories().count(), 3);
    }
}
