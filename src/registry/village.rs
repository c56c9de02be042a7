//! Villages: what a village file says about a village ([`VillageRecord`]: 村属性, 是否边远),
//! and the view of a village that sampling reads ([`Village`]: its attributes, households and
//! people by status, groups with their remote flag), built from the households.
//!
//! Where the attributes live: each [`Household`] carries `village_type` and `remote` (the
//! registry export has them as columns on every row), and the village file's records are
//! kept in the store beside the households. Importing a village file writes the records and
//! brings the households of those villages in line (`village_type` set; `remote` set on every
//! household of a remote village, while 否 leaves a household's own flag, which may mark a
//! remote village group). Importing households later fills a missing 村属性 / 是否边远 from
//! the record. [`Village`] takes the record's attributes where there is one, else what its
//! households carry.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Household, Status, VillageType};

/// One village of a village file. An empty `county` / `township` (of the record or of the
/// household) matches any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageRecord {
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub township: String,
    pub village: String,
    /// 村属性; `None` when the file has no value (the households keep theirs).
    #[serde(default)]
    pub village_type: Option<VillageType>,
    /// 是否边远; `None` when the file has no value.
    #[serde(default)]
    pub remote: Option<bool>,
}

impl VillageRecord {
    /// True when the household lies in this village.
    pub fn matches(&self, h: &Household) -> bool {
        let part =
            |mine: &str, theirs: &str| mine.is_empty() || theirs.is_empty() || mine == theirs;
        h.village == self.village
            && part(&self.county, &h.county)
            && part(&self.township, &h.township)
    }

    /// Brings a household of this village in line with the record; true when it changed.
    pub fn apply(&self, h: &mut Household) -> bool {
        let mut changed = false;
        if let Some(t) = self.village_type
            && h.village_type != Some(t)
        {
            h.village_type = Some(t);
            changed = true;
        }
        if self.remote == Some(true) && !h.remote {
            h.remote = true;
            changed = true;
        }
        changed
    }

    /// How many of county/township are given (a more specific record wins).
    fn specificity(&self) -> usize {
        usize::from(!self.county.is_empty()) + usize::from(!self.township.is_empty())
    }

    /// The (county, township, village) key.
    pub fn key(&self) -> (&str, &str, &str) {
        (&self.county, &self.township, &self.village)
    }
}

/// Village records looked up by the households they cover.
#[derive(Debug, Clone, Default)]
pub struct VillageIndex {
    by_name: HashMap<String, Vec<VillageRecord>>,
}

impl VillageIndex {
    pub fn new(records: impl IntoIterator<Item = VillageRecord>) -> VillageIndex {
        let mut by_name: HashMap<String, Vec<VillageRecord>> = HashMap::new();
        for r in records {
            by_name.entry(r.village.clone()).or_default().push(r);
        }
        for list in by_name.values_mut() {
            list.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        }
        VillageIndex { by_name }
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The record of the household's village (the most specific one that matches).
    pub fn find(&self, h: &Household) -> Option<&VillageRecord> {
        self.by_name.get(&h.village)?.iter().find(|r| r.matches(h))
    }

    fn records(&self) -> impl Iterator<Item = &VillageRecord> {
        self.by_name.values().flatten()
    }
}

/// Households and people (家庭人口数, else the members listed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub households: u64,
    pub people: u64,
}

impl Tally {
    fn add(&mut self, people: u64) {
        self.households += 1;
        self.people += people;
    }

    fn plus(self, other: Tally) -> Tally {
        Tally {
            households: self.households + other.households,
            people: self.people + other.people,
        }
    }
}

/// A village's households by registry status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub poor: Tally,
    pub exited: Tally,
    pub returned: Tally,
    pub non_poor: Tally,
}

impl StatusCounts {
    fn slot(&mut self, s: Status) -> &mut Tally {
        match s {
            Status::Poor => &mut self.poor,
            Status::Exited => &mut self.exited,
            Status::Returned => &mut self.returned,
            Status::NonPoor => &mut self.non_poor,
        }
    }
}

/// A village group (村民小组) of a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageGroup {
    pub name: String,
    pub households: u64,
    /// Every household of the group is marked remote (是否边远).
    pub remote: bool,
}

/// A village as sampling sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Village {
    pub county: String,
    pub township: String,
    pub village: String,
    /// The village file's 村属性, else the one most of its households carry.
    pub village_type: Option<VillageType>,
    /// The village file's 是否边远, else: every household is marked remote.
    pub remote: bool,
    /// The village file has a record of it.
    pub in_village_file: bool,
    pub counts: StatusCounts,
    /// Its village groups, by name.
    pub groups: Vec<VillageGroup>,
}

impl Village {
    /// People of households registered poor and not exited (未脱贫 and 返贫).
    pub fn poor_people(&self) -> u64 {
        self.counts.poor.plus(self.counts.returned).people
    }

    /// People of every registered household (建档立卡: 未脱贫, 已脱贫, 返贫).
    pub fn registered_people(&self) -> u64 {
        self.counts
            .poor
            .plus(self.counts.returned)
            .plus(self.counts.exited)
            .people
    }

    /// All households of the village.
    pub fn households(&self) -> u64 {
        let c = &self.counts;
        c.poor.households + c.exited.households + c.returned.households + c.non_poor.households
    }
}

#[derive(Default)]
struct Acc {
    types: [u64; 3],
    remote: u64,
    households: u64,
    counts: StatusCounts,
    /// name → (households, remote households)
    groups: HashMap<String, (u64, u64)>,
}

/// Builds [`Village`]s from households seen one at a time (holding one entry per village).
#[derive(Default)]
pub struct VillageTally {
    villages: HashMap<(String, String, String), Acc>,
}

impl VillageTally {
    pub fn new() -> VillageTally {
        VillageTally::default()
    }

    pub fn add(&mut self, h: &Household) {
        let key = (h.county.clone(), h.township.clone(), h.village.clone());
        let acc = self.villages.entry(key).or_default();
        acc.households += 1;
        if let Some(t) = h.village_type {
            acc.types[type_index(t)] += 1;
        }
        acc.remote += u64::from(h.remote);
        let people = h.household_size.map_or(h.members.len() as u64, u64::from);
        acc.counts.slot(h.status).add(people);
        if !h.village_group.trim().is_empty() {
            let g = acc.groups.entry(h.village_group.clone()).or_default();
            g.0 += 1;
            g.1 += u64::from(h.remote);
        }
    }

    /// The villages, with the records' attributes, sorted by county, township, village.
    /// Records of villages without households are listed too (with no households).
    pub fn finish(self, records: &VillageIndex) -> Vec<Village> {
        let mut out: Vec<Village> = Vec::with_capacity(self.villages.len());
        let mut covered: std::collections::HashSet<(String, String, String)> =
            std::collections::HashSet::new();
        for ((county, township, village), acc) in self.villages {
            let probe = Household {
                county: county.clone(),
                township: township.clone(),
                ..Household::provisional(String::new(), String::new(), village.clone())
            };
            let record = records.find(&probe);
            if let Some(r) = record {
                covered.insert((r.county.clone(), r.township.clone(), r.village.clone()));
            }
            let from_households = TYPES
                .iter()
                .zip(acc.types)
                .filter(|(_, n)| *n > 0)
                .max_by(|a, b| a.1.cmp(&b.1).then(type_index(*b.0).cmp(&type_index(*a.0))))
                .map(|(t, _)| *t);
            let mut groups: Vec<VillageGroup> = acc
                .groups
                .into_iter()
                .map(|(name, (n, remote))| VillageGroup {
                    name,
                    households: n,
                    remote: n > 0 && remote == n,
                })
                .collect();
            groups.sort_by(|a, b| a.name.cmp(&b.name));
            out.push(Village {
                village_type: record.and_then(|r| r.village_type).or(from_households),
                remote: record
                    .and_then(|r| r.remote)
                    .unwrap_or(acc.households > 0 && acc.remote == acc.households),
                in_village_file: record.is_some(),
                counts: acc.counts,
                groups,
                county,
                township,
                village,
            });
        }
        for r in records.records() {
            if covered.contains(&(r.county.clone(), r.township.clone(), r.village.clone())) {
                continue;
            }
            out.push(Village {
                county: r.county.clone(),
                township: r.township.clone(),
                village: r.village.clone(),
                village_type: r.village_type,
                remote: r.remote.unwrap_or(false),
                in_village_file: true,
                counts: StatusCounts::default(),
                groups: Vec::new(),
            });
        }
        out.sort_by(|a, b| {
            (&a.county, &a.township, &a.village).cmp(&(&b.county, &b.township, &b.village))
        });
        out
    }
}

/// Village types in tie-break order.
const TYPES: [VillageType; 3] = [VillageType::Poor, VillageType::Exited, VillageType::NonPoor];

fn type_index(t: VillageType) -> usize {
    match t {
        VillageType::Poor => 0,
        VillageType::Exited => 1,
        VillageType::NonPoor => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hh(
        id: &str,
        village: &str,
        group: &str,
        status: Status,
        size: u32,
        remote: bool,
    ) -> Household {
        let mut h = Household::provisional(id.into(), "户主".into(), village.into());
        h.provisional = false;
        h.county = "大姚县".into();
        h.township = "昙华乡".into();
        h.village_group = group.into();
        h.status = status;
        h.household_size = Some(size);
        h.remote = remote;
        h
    }

    #[test]
    fn villages_count_people_by_status_and_find_remote_groups() {
        let mut t = VillageTally::new();
        let mut a = hh("1", "桂花村", "第1组", Status::Poor, 3, true);
        a.village_type = Some(VillageType::Poor);
        t.add(&a);
        t.add(&hh("2", "桂花村", "第1组", Status::Returned, 2, true));
        t.add(&hh("3", "桂花村", "第2组", Status::Exited, 4, false));
        t.add(&hh("4", "桂花村", "第2组", Status::NonPoor, 5, true));
        t.add(&hh("5", "昙华村", "第1组", Status::NonPoor, 1, true));
        let v = t.finish(&VillageIndex::default());
        assert_eq!(v.len(), 2);
        let g = &v[1];
        assert_eq!(g.village, "桂花村");
        assert_eq!(g.poor_people(), 5);
        assert_eq!(g.registered_people(), 9);
        assert_eq!(g.households(), 4);
        assert_eq!(g.village_type, Some(VillageType::Poor));
        assert!(!g.remote);
        assert!(g.groups[0].remote && !g.groups[1].remote);
        assert!(v[0].remote, "every household of 昙华村 is remote");
    }

    #[test]
    fn records_win_and_sync_households() {
        let rec = VillageRecord {
            county: String::new(),
            township: "昙华乡".into(),
            village: "桂花村".into(),
            village_type: Some(VillageType::Exited),
            remote: Some(true),
        };
        let idx = VillageIndex::new([rec.clone()]);
        let mut h = hh("1", "桂花村", "第1组", Status::Poor, 3, false);
        assert!(idx.find(&h).is_some());
        assert!(rec.apply(&mut h));
        assert_eq!(h.village_type, Some(VillageType::Exited));
        assert!(h.remote);
        assert!(!rec.apply(&mut h), "applying twice changes nothing");
        let mut no_county = hh("9", "桂花村", "", Status::Poor, 3, false);
        no_county.county.clear();
        no_county.township.clear();
        assert!(
            idx.find(&no_county).is_some(),
            "a household without county matches"
        );
        let other = hh("2", "桂花村", "", Status::Poor, 3, false);
        let mut elsewhere = other.clone();
        elsewhere.township = "湾碧乡".into();
        assert!(idx.find(&elsewhere).is_none());

        let mut t = VillageTally::new();
        t.add(&other);
        let idx2 = VillageIndex::new([
            rec,
            VillageRecord {
                county: String::new(),
                township: String::new(),
                village: "无人村".into(),
                village_type: Some(VillageType::NonPoor),
                remote: None,
            },
        ]);
        let v = t.finish(&idx2);
        assert_eq!(v.len(), 2);
        let g = v.iter().find(|v| v.village == "桂花村").unwrap();
        assert!(g.in_village_file && g.remote);
        assert_eq!(g.village_type, Some(VillageType::Exited));
        assert_eq!(
            v.iter()
                .find(|v| v.village == "无人村")
                .unwrap()
                .households(),
            0
        );
    }
}
