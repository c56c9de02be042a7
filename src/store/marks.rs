//! Auditors' marks on findings: tree `marks`, key = interview uuid (16 bytes) ++ rule id
//! (UTF-8), value = the [`Mark`] as JSON. Findings themselves are never stored; a mark is
//! found again by the identity of the finding it was made on. The latest mark of a finding
//! replaces the one before.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Result, Store, StoreError, decode, encode};
use crate::reconcile::{FindingKey, Mark};

const MARKS_TREE: &str = "marks";

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

    /// Stores a mark (replacing the finding's earlier one), flushed.
    pub fn put_mark(&self, mark: &Mark) -> Result<()> {
        self.writable()?;
        self.put_mark_unsynced(mark)?;
        self.sync()
    }

    /// Stores a mark without flushing (a restore flushes once at the end).
    pub(super) fn put_mark_unsynced(&self, mark: &Mark) -> Result<()> {
        let tree = self.marks_tree()?;
        tree.insert(key(mark.interview_id, &mark.rule), encode("mark", mark)?)?;
        Ok(())
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
}
