//! The drawn sample: tree `sample` holds it whole under the key `current`; tree
//! `sample_households` indexes it, household id → reason name, so that "is this household in
//! the sample" is one read and the ids of the sample are one key scan. Drawing again replaces
//! both in one transaction.
//!
//! The JSON backup does not carry the sample: drawing again with the same seed on the restored
//! registry gives the same sample.

use std::collections::HashSet;

use sled::Transactional;

use super::{Result, Store, StoreError, decode, encode};
use crate::sample::{Reason, Sample};

const SAMPLE_TREE: &str = "sample";
const INDEX_TREE: &str = "sample_households";
const CURRENT: &[u8] = b"current";

impl Store {
    fn sample_trees(&self) -> Result<(sled::Tree, sled::Tree)> {
        Ok((
            self.db.open_tree(SAMPLE_TREE)?,
            self.db.open_tree(INDEX_TREE)?,
        ))
    }

    /// Stores the sample in place of the one stored before, flushed.
    pub fn put_sample(&self, sample: &Sample) -> Result<()> {
        self.writable()?;
        self.write_sample(Some(sample))?;
        Ok(())
    }

    /// Replaces (or with `None` removes) the sample and its index in one transaction, then
    /// flushes. True when a sample was stored before.
    fn write_sample(&self, sample: Option<&Sample>) -> Result<bool> {
        let (tree, index) = self.sample_trees()?;
        let value = sample.map(|s| encode("sample", s)).transpose()?;
        let old: Vec<sled::IVec> = index.iter().keys().collect::<Result<_, sled::Error>>()?;
        let existed = (&tree, &index).transaction(|(tree, index)| {
            for k in &old {
                index.remove(k)?;
            }
            let existed = match (sample, &value) {
                (Some(sample), Some(value)) => {
                    for e in &sample.entries {
                        index.insert(e.household_id.as_bytes(), e.reason.name().as_bytes())?;
                    }
                    tree.insert(CURRENT, value.as_slice())?
                }
                _ => tree.remove(CURRENT)?,
            };
            Ok::<bool, sled::transaction::ConflictableTransactionError<StoreError>>(
                existed.is_some(),
            )
        })?;
        self.sync()?;
        Ok(existed)
    }

    /// The stored sample, if one was drawn.
    pub fn sample(&self) -> Result<Option<Sample>> {
        let (tree, _) = self.sample_trees()?;
        match tree.get(CURRENT)? {
            None => Ok(None),
            Some(v) => decode(|| "sample".to_string(), &v).map(Some),
        }
    }

    /// Removes the stored sample, flushed; true when there was one.
    pub fn remove_sample(&self) -> Result<bool> {
        self.writable()?;
        self.write_sample(None)
    }

    /// The household ids of the stored sample (empty when none): one key scan, for the
    /// household list's "in sample" filter.
    pub fn sample_ids(&self) -> Result<HashSet<String>> {
        let (_, index) = self.sample_trees()?;
        let mut ids = HashSet::with_capacity(index.len());
        for k in index.iter().keys() {
            let k = k?;
            let id = String::from_utf8(k.to_vec())
                .map_err(|e| StoreError::corrupt("sample household id", e))?;
            ids.insert(id);
        }
        Ok(ids)
    }

    /// Whether a household is in the stored sample: one read.
    pub fn in_sample(&self, household_id: &str) -> Result<bool> {
        let (_, index) = self.sample_trees()?;
        Ok(index.contains_key(household_id.as_bytes())?)
    }

    /// Why a household is in the stored sample; `None` when it is not.
    pub fn sample_reason(&self, household_id: &str) -> Result<Option<Reason>> {
        let (_, index) = self.sample_trees()?;
        match index.get(household_id.as_bytes())? {
            None => Ok(None),
            Some(v) => {
                let name =
                    std::str::from_utf8(&v).map_err(|e| StoreError::corrupt("sample reason", e))?;
                Reason::parse(name)
                    .map(Some)
                    .ok_or_else(|| StoreError::corrupt("sample reason", name))
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::questionnaire::Kind;
    use crate::sample::{SampleEntry, SamplePlan};

    pub(in crate::store) fn entry(id: &str, reason: Reason) -> SampleEntry {
        SampleEntry {
            household_id: id.into(),
            head_name: "张三".into(),
            county: "演示县".into(),
            township: "清溪乡".into(),
            village: "桂花村".into(),
            village_group: "第1组".into(),
            kind: Kind::Poor,
            reason,
        }
    }

    pub(in crate::store) fn sample(seed: u64, ids: &[(&str, Reason)]) -> Sample {
        Sample {
            seed,
            year: 2017,
            drawn_at: None,
            plan: SamplePlan::default(),
            villages: Vec::new(),
            census_groups: Vec::new(),
            entries: ids.iter().map(|(id, r)| entry(id, *r)).collect(),
            shortfalls: Vec::new(),
        }
    }

    #[test]
    fn a_new_sample_replaces_the_old_one_and_its_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.sample().expect("read"), None);
        assert!(store.sample_ids().expect("ids").is_empty());
        assert!(!store.in_sample("1").expect("in"));

        let first = sample(
            1,
            &[("1", Reason::PoorInVillage), ("2", Reason::ReturnedCensus)],
        );
        store.put_sample(&first).expect("put");
        assert_eq!(store.sample().expect("read"), Some(first));
        assert!(store.in_sample("1").expect("in"));
        assert_eq!(
            store.sample_reason("2").expect("reason"),
            Some(Reason::ReturnedCensus)
        );

        let second = sample(
            2,
            &[("2", Reason::EdgeNonPoor), ("3", Reason::ExitedInYear)],
        );
        store.put_sample(&second).expect("put");
        let ids = store.sample_ids().expect("ids");
        assert_eq!(ids, HashSet::from(["2".to_string(), "3".to_string()]));
        assert!(!store.in_sample("1").expect("in"));
        assert_eq!(
            store.sample_reason("2").expect("reason"),
            Some(Reason::EdgeNonPoor)
        );
        drop(store);

        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.sample().expect("read").map(|s| s.seed), Some(2));
        assert!(store.remove_sample().expect("remove"));
        assert_eq!(store.sample().expect("read"), None);
        assert!(store.sample_ids().expect("ids").is_empty());
    }
}
