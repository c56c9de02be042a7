//! Village records (a village file's 村属性 and 是否边远) in the `villages` tree, keyed by
//! county ++ 0x00 ++ township ++ 0x00 ++ village (UTF-8), values serde_json; and the villages
//! as sampling reads them ([`Store::villages`]: the households grouped by village, with the
//! records' attributes).

use super::{Result, Store, decode, encode};
use crate::registry::{Village, VillageIndex, VillageRecord, VillageTally};

const TREE: &str = "villages";

fn key(r: &VillageRecord) -> Vec<u8> {
    let mut k = Vec::with_capacity(r.county.len() + r.township.len() + r.village.len() + 2);
    k.extend_from_slice(r.county.as_bytes());
    k.push(0);
    k.extend_from_slice(r.township.as_bytes());
    k.push(0);
    k.extend_from_slice(r.village.as_bytes());
    k
}

/// What putting village records did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

impl Store {
    fn villages_tree(&self) -> Result<sled::Tree> {
        Ok(self.db.open_tree(TREE)?)
    }

    /// The stored village records, in key order.
    pub fn village_records(&self) -> Result<Vec<VillageRecord>> {
        self.villages_tree()?
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(|| format!("village {}", String::from_utf8_lossy(&k)), &v)
            })
            .collect()
    }

    /// Adds or replaces village records (not flushed).
    pub fn put_village_records(&self, records: &[VillageRecord]) -> Result<RecordCounts> {
        self.writable()?;
        let tree = self.villages_tree()?;
        let mut counts = RecordCounts::default();
        for r in records {
            let value = encode("village", r)?;
            match tree.insert(key(r), value.as_slice())? {
                None => counts.added += 1,
                Some(old) if old.as_ref() == value.as_slice() => counts.unchanged += 1,
                Some(_) => counts.changed += 1,
            }
        }
        Ok(counts)
    }

    /// Brings the households of the villages of `records` in line with them (see
    /// [`VillageRecord::apply`]), then flushes. Returns how many households changed. One scan
    /// of the households; their interviews are not touched.
    pub fn apply_village_records(&self, records: &[VillageRecord]) -> Result<u64> {
        self.writable()?;
        let index = VillageIndex::new(records.iter().cloned());
        let mut changed = 0u64;
        if !index.is_empty() {
            let mut target = self.bulk()?;
            // The writes only replace households under ids already stored, so the blocks
            // being read keep their keys while the target writes.
            let mut run = || -> Result<()> {
                for h in self.households() {
                    let mut h = h?;
                    if let Some(r) = index.find(&h)
                        && r.apply(&mut h)
                    {
                        target.put_encoded(&h)?;
                        changed += 1;
                    }
                }
                Ok(())
            };
            let ran = run();
            target.finish()?;
            ran?;
        }
        self.flush()?;
        Ok(changed)
    }

    /// Every village: its households by status, its groups, its attributes (the village
    /// record's where there is one, else what its households carry). One scan of the
    /// households.
    pub fn villages(&self) -> Result<Vec<Village>> {
        let index = VillageIndex::new(self.village_records()?);
        let mut tally = VillageTally::new();
        for h in self.households() {
            tally.add(&h?);
        }
        Ok(tally.finish(&index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Household, Status, VillageType};

    fn household(id: &str, village: &str, status: Status) -> Household {
        let mut h = Household::provisional(id.to_string(), "李四".into(), village.into());
        h.provisional = false;
        h.county = "大姚县".into();
        h.township = "昙华乡".into();
        h.status = status;
        h.household_size = Some(3);
        h
    }

    #[test]
    fn records_are_kept_applied_and_seen_in_villages() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .put_households([
                household("1", "桂花村", Status::Poor),
                household("2", "桂花村", Status::Exited),
                household("3", "昙华村", Status::NonPoor),
            ])
            .unwrap();
        let rec = VillageRecord {
            county: "大姚县".into(),
            township: String::new(),
            village: "桂花村".into(),
            village_type: Some(VillageType::Poor),
            remote: Some(true),
        };
        let c = store
            .put_village_records(std::slice::from_ref(&rec))
            .unwrap();
        assert_eq!((c.added, c.changed, c.unchanged), (1, 0, 0));
        assert_eq!(
            store
                .apply_village_records(std::slice::from_ref(&rec))
                .unwrap(),
            2
        );
        assert_eq!(
            store
                .apply_village_records(std::slice::from_ref(&rec))
                .unwrap(),
            0
        );
        let c = store
            .put_village_records(std::slice::from_ref(&rec))
            .unwrap();
        assert_eq!((c.added, c.changed, c.unchanged), (0, 0, 1));
        assert_eq!(store.village_records().unwrap(), [rec]);
        let h = store.household("1").unwrap().unwrap();
        assert_eq!(h.village_type, Some(VillageType::Poor));
        assert!(h.remote);
        assert!(!store.household("3").unwrap().unwrap().remote);

        let villages = store.villages().unwrap();
        assert_eq!(villages.len(), 2);
        let g = villages.iter().find(|v| v.village == "桂花村").unwrap();
        assert!(g.in_village_file && g.remote);
        assert_eq!(g.poor_people(), 3);
        assert_eq!(g.registered_people(), 6);
        assert_eq!(store.household_count(), 3);
    }
}
