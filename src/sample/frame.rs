//! The two passes of a draw: [`Frame`] counts the villages and groups of the registry,
//! [`Frame::choose`] picks villages and groups, [`Selection`] keeps the candidates of the
//! picked villages and draws the households.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::model::{
    CensusGroup, Reason, Role, Sample, SampleEntry, SampledVillage, Shortfall, Wanted,
};
use super::plan::SamplePlan;
use super::rng;
use crate::registry::{Household, Status, VillageType};

/// Village types in the order that breaks a tie of the majority.
const TYPES: [VillageType; 3] = [VillageType::Poor, VillageType::Exited, VillageType::NonPoor];

fn type_index(t: VillageType) -> usize {
    match t {
        VillageType::Poor => 0,
        VillageType::Exited => 1,
        VillageType::NonPoor => 2,
    }
}

/// People a household counts for among the poor: its size, at least one.
fn people(h: &Household) -> u64 {
    u64::from(h.household_size.unwrap_or(1).max(1))
}

/// The lookup key of a village, written into `buf` (no allocation once `buf` is large enough).
fn village_key<'b>(buf: &'b mut String, county: &str, township: &str, village: &str) -> &'b str {
    buf.clear();
    buf.push_str(county);
    buf.push('\u{1f}');
    buf.push_str(township);
    buf.push('\u{1f}');
    buf.push_str(village);
    buf.as_str()
}

#[derive(Debug, Clone, Copy, Default)]
struct GroupStats {
    households: u64,
    remote: u64,
}

#[derive(Debug, Clone)]
struct VillageStats {
    county: String,
    township: String,
    village: String,
    households: u64,
    remote: u64,
    poor_people: u64,
    /// Households carrying each village type, in the order of [`TYPES`].
    types: [u64; 3],
    groups: BTreeMap<String, GroupStats>,
}

impl VillageStats {
    /// The village type most households carry (ties in the order of [`TYPES`]).
    fn village_type(&self) -> Option<VillageType> {
        let mut best: Option<(VillageType, u64)> = None;
        for t in TYPES {
            let n = self.types[type_index(t)];
            if n > 0 && best.is_none_or(|(_, m)| n > m) {
                best = Some((t, n));
            }
        }
        best.map(|(t, _)| t)
    }

    fn role(&self) -> Role {
        match self.village_type() {
            Some(VillageType::Poor) => Role::Poor,
            _ => Role::NonPoor,
        }
    }

    fn remote(&self) -> bool {
        self.households > 0 && self.remote * 2 >= self.households
    }

    fn sampled(&self, role: Role) -> SampledVillage {
        SampledVillage {
            county: self.county.clone(),
            township: self.township.clone(),
            village: self.village.clone(),
            role,
            village_type: self.village_type(),
            remote: self.remote(),
            poor_people: self.poor_people,
            households: self.households,
        }
    }
}

/// The sampling frame: per village, its households, remote flags, poor people and village
/// groups; and the latest exit year. The first pass of a draw; it does not depend on the order
/// the households come in.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    index: HashMap<String, usize>,
    villages: Vec<VillageStats>,
    households: u64,
    latest_exit_year: Option<i32>,
    buf: String,
}

impl Frame {
    pub fn new() -> Frame {
        Frame::default()
    }

    /// Counts one household (provisional households are left out).
    pub fn add(&mut self, h: &Household) {
        if h.provisional {
            return;
        }
        self.households += 1;
        if h.status == Status::Exited
            && let Some(y) = h.exit_year
        {
            self.latest_exit_year = Some(self.latest_exit_year.map_or(y, |l| l.max(y)));
        }
        let key = village_key(&mut self.buf, &h.county, &h.township, &h.village);
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                let i = self.villages.len();
                self.index.insert(key.to_string(), i);
                self.villages.push(VillageStats {
                    county: h.county.clone(),
                    township: h.township.clone(),
                    village: h.village.clone(),
                    households: 0,
                    remote: 0,
                    poor_people: 0,
                    types: [0; 3],
                    groups: BTreeMap::new(),
                });
                i
            }
        };
        let v = &mut self.villages[i];
        v.households += 1;
        v.remote += u64::from(h.remote);
        if matches!(h.status, Status::Poor | Status::Returned) {
            v.poor_people += people(h);
        }
        if let Some(t) = h.village_type {
            v.types[type_index(t)] += 1;
        }
        if !h.village_group.trim().is_empty() {
            let g = match v.groups.get_mut(h.village_group.as_str()) {
                Some(g) => g,
                None => v.groups.entry(h.village_group.clone()).or_default(),
            };
            g.households += 1;
            g.remote += u64::from(h.remote);
        }
    }

    /// Registry households counted (provisional ones left out).
    pub fn households(&self) -> u64 {
        self.households
    }

    /// The latest exit year (脱贫年度) of an exited household: the default assessment year.
    pub fn latest_exit_year(&self) -> Option<i32> {
        self.latest_exit_year
    }

    /// Picks the villages and census groups of every county (see the module docs of
    /// [`crate::sample`]) and gets ready for the second pass.
    pub fn choose(&self, plan: &SamplePlan, seed: u64, year: i32) -> Selection {
        let mut by_county: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, v) in self.villages.iter().enumerate() {
            by_county.entry(v.county.as_str()).or_default().push(i);
        }
        let mut selection = Selection {
            plan: *plan,
            seed,
            year,
            counties: Vec::new(),
            slots: Vec::new(),
            lookup: HashMap::new(),
            groups: Vec::new(),
            returned: HashMap::new(),
            buf: String::new(),
        };
        for (county, mut villages) in by_county {
            villages.sort_by(|&a, &b| {
                let (a, b) = (&self.villages[a], &self.villages[b]);
                (&a.township, &a.village).cmp(&(&b.township, &b.village))
            });
            let county_plan = self.choose_county(&mut selection, county, &villages);
            selection.counties.push(county_plan);
        }
        selection
    }

    fn choose_county(&self, sel: &mut Selection, county: &str, villages: &[usize]) -> CountyPlan {
        let plan = sel.plan;
        let mut shortfalls = Vec::new();
        let (poor, non_poor): (Vec<usize>, Vec<usize>) = villages
            .iter()
            .partition(|&&i| self.villages[i].role() == Role::Poor);

        // Poor villages: the most poor people, remote ones weighted; ties remote first, by lot.
        let mut rng = rng::rng(sel.seed, &["poor_villages", county]);
        let lots = rng::lots(&mut rng, poor.len());
        let mut ranked: Vec<(usize, u64)> = poor.into_iter().zip(lots).collect();
        ranked.sort_by_key(|&(i, lot)| {
            let v = &self.villages[i];
            let percent = if v.remote() {
                u128::from(plan.remote_lean_percent)
            } else {
                100
            };
            (
                Reverse(u128::from(v.poor_people) * percent),
                Reverse(v.remote()),
                lot,
            )
        });
        let want = plan.poor_villages as usize;
        let poor_chosen: Vec<usize> = ranked.into_iter().take(want).map(|(i, _)| i).collect();
        if poor_chosen.len() < want {
            shortfalls.push(county_shortfall(
                county,
                Wanted::PoorVillages,
                plan.poor_villages,
                poor_chosen.len(),
            ));
        }

        // Non-poor villages: by lot, remote ones more likely.
        let mut rng = rng::rng(sel.seed, &["non_poor_villages", county]);
        let weighted: Vec<(usize, u64)> = non_poor
            .into_iter()
            .map(|i| {
                let w = if self.villages[i].remote() {
                    u64::from(plan.non_poor_remote_weight)
                } else {
                    1
                };
                (i, w)
            })
            .collect();
        let want = plan.non_poor_villages as usize;
        let non_poor_chosen = rng::choose_weighted(&mut rng, weighted, want);
        if non_poor_chosen.len() < want {
            shortfalls.push(county_shortfall(
                county,
                Wanted::NonPoorVillages,
                plan.non_poor_villages,
                non_poor_chosen.len(),
            ));
        }

        let mut slots = Vec::new();
        for (role, chosen) in [
            (Role::Poor, &poor_chosen),
            (Role::NonPoor, &non_poor_chosen),
        ] {
            for &i in chosen {
                let v = &self.villages[i];
                let slot = sel.slots.len();
                sel.lookup.insert(
                    village_key(&mut sel.buf, &v.county, &v.township, &v.village).to_string(),
                    slot,
                );
                sel.slots.push(Slot {
                    village: v.sampled(role),
                    poor: Vec::new(),
                    exited: Vec::new(),
                    edge: Vec::new(),
                    groups: Vec::new(),
                });
                slots.push(slot);
            }
        }

        // Remote groups: the largest share of remote households, ties by lot.
        let mut groups = Vec::new();
        for (role, chosen, what, purpose) in [
            (
                Role::Poor,
                &poor_chosen,
                Wanted::RemoteGroupInPoorVillage,
                "remote_group_poor",
            ),
            (
                Role::NonPoor,
                &non_poor_chosen,
                Wanted::RemoteGroupInNonPoorVillage,
                "remote_group_non_poor",
            ),
        ] {
            let mut candidates: Vec<(usize, &str, GroupStats)> = Vec::new();
            for &i in chosen {
                for (name, g) in &self.villages[i].groups {
                    candidates.push((i, name.as_str(), *g));
                }
            }
            let mut rng = rng::rng(sel.seed, &[purpose, county]);
            let lots = rng::lots(&mut rng, candidates.len());
            let mut ranked: Vec<((usize, &str, GroupStats), u64)> =
                candidates.into_iter().zip(lots).collect();
            // Largest share first: a/b > c/d  ⇔  a·d > c·b.
            ranked.sort_by(|(a, lot_a), (b, lot_b)| {
                let left = u128::from(a.2.remote) * u128::from(b.2.households);
                let right = u128::from(b.2.remote) * u128::from(a.2.households);
                right.cmp(&left).then(lot_a.cmp(lot_b))
            });
            let want = plan.remote_groups as usize;
            let picked: Vec<(usize, &str, GroupStats)> =
                ranked.into_iter().take(want).map(|(c, _)| c).collect();
            let remote = picked
                .iter()
                .filter(|(_, _, g)| g.remote * 2 >= g.households)
                .count();
            if remote < want {
                shortfalls.push(county_shortfall(county, what, plan.remote_groups, remote));
            }
            for (i, name, g) in picked {
                let v = &self.villages[i];
                let group = sel.groups.len();
                sel.groups.push((
                    CensusGroup {
                        county: v.county.clone(),
                        township: v.township.clone(),
                        village: v.village.clone(),
                        village_group: name.to_string(),
                        role,
                        households: g.households,
                        remote_households: g.remote,
                    },
                    Vec::new(),
                ));
                if let Some(&slot) = sel.lookup.get(village_key(
                    &mut sel.buf,
                    &v.county,
                    &v.township,
                    &v.village,
                )) {
                    sel.slots[slot].groups.push(group);
                }
                groups.push(group);
            }
        }

        CountyPlan {
            county: county.to_string(),
            slots,
            groups,
            shortfalls,
        }
    }
}

fn county_shortfall(county: &str, what: Wanted, asked: u32, found: usize) -> Shortfall {
    Shortfall {
        county: county.to_string(),
        township: String::new(),
        village: String::new(),
        what,
        asked,
        found: u32::try_from(found).unwrap_or(u32::MAX),
    }
}

/// A sampled village and its candidates.
#[derive(Debug, Clone)]
struct Slot {
    village: SampledVillage,
    poor: Vec<SampleEntry>,
    exited: Vec<SampleEntry>,
    edge: Vec<SampleEntry>,
    /// Indexes of its census groups in [`Selection::groups`].
    groups: Vec<usize>,
}

#[derive(Debug, Clone)]
struct CountyPlan {
    county: String,
    slots: Vec<usize>,
    groups: Vec<usize>,
    shortfalls: Vec<Shortfall>,
}

/// The villages and groups picked; the second pass of a draw collects their candidates with
/// [`Selection::offer`], and [`Selection::finish`] draws the households.
#[derive(Debug, Clone)]
pub struct Selection {
    plan: SamplePlan,
    seed: u64,
    year: i32,
    counties: Vec<CountyPlan>,
    slots: Vec<Slot>,
    lookup: HashMap<String, usize>,
    /// Census groups and their households.
    groups: Vec<(CensusGroup, Vec<SampleEntry>)>,
    /// Returned households by county.
    returned: HashMap<String, Vec<SampleEntry>>,
    buf: String,
}

fn entry(h: &Household, reason: Reason) -> SampleEntry {
    SampleEntry {
        household_id: h.household_id.clone(),
        head_name: h.head_name.clone(),
        county: h.county.clone(),
        township: h.township.clone(),
        village: h.village.clone(),
        village_group: h.village_group.clone(),
        kind: h.kind(),
        reason,
    }
}

/// Sorts by household id and drops a repeated id (a household offered twice).
fn by_id(entries: &mut Vec<SampleEntry>) {
    entries.sort_by(|a, b| {
        a.household_id
            .cmp(&b.household_id)
            .then_with(|| a.cmp_key(b))
    });
    entries.dedup_by(|a, b| a.household_id == b.household_id);
}

impl SampleEntry {
    /// Everything but the id, to order two records of one id the same way every time.
    fn cmp_key(&self, other: &SampleEntry) -> std::cmp::Ordering {
        (
            &self.head_name,
            &self.county,
            &self.township,
            &self.village,
            &self.village_group,
        )
            .cmp(&(
                &other.head_name,
                &other.county,
                &other.township,
                &other.village,
                &other.village_group,
            ))
    }
}

impl Selection {
    /// The assessment year of the draw.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Keeps the household if it may be drawn: a candidate of a sampled village, a returned
    /// household, or a household of a census group.
    pub fn offer(&mut self, h: &Household) {
        if h.provisional {
            return;
        }
        if h.status == Status::Returned {
            match self.returned.get_mut(h.county.as_str()) {
                Some(list) => list.push(entry(h, Reason::ReturnedCensus)),
                None => {
                    self.returned
                        .insert(h.county.clone(), vec![entry(h, Reason::ReturnedCensus)]);
                }
            }
        }
        let key = village_key(&mut self.buf, &h.county, &h.township, &h.village);
        let Some(&slot) = self.lookup.get(key) else {
            return;
        };
        let slot = &mut self.slots[slot];
        match h.status {
            Status::Poor => slot.poor.push(entry(h, Reason::PoorInVillage)),
            Status::Exited if h.exit_year == Some(self.year) => {
                slot.exited.push(entry(h, Reason::ExitedInYear));
            }
            Status::NonPoor if h.edge => slot.edge.push(entry(h, Reason::EdgeNonPoor)),
            _ => {}
        }
        for &g in &slot.groups {
            let (group, members) = &mut self.groups[g];
            if group.village_group == h.village_group {
                members.push(entry(h, Reason::RemoteGroupCensus));
            }
        }
    }

    /// Draws the households and gives the sample.
    pub fn finish(mut self) -> Sample {
        let plan = self.plan;
        let mut sample = Sample {
            seed: self.seed,
            year: self.year,
            drawn_at: None,
            plan,
            villages: Vec::new(),
            census_groups: Vec::new(),
            entries: Vec::new(),
            shortfalls: Vec::new(),
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut push = |entries: &mut Vec<SampleEntry>, e: SampleEntry| {
            if seen.insert(e.household_id.clone()) {
                entries.push(e);
            }
        };
        let counties = std::mem::take(&mut self.counties);
        for county in counties {
            sample.shortfalls.extend(county.shortfalls);
            for &s in &county.slots {
                let slot = &mut self.slots[s];
                let v = &slot.village;
                for (candidates, asked, what, purpose) in [
                    (&mut slot.poor, plan.poor_per_village, Wanted::Poor, "poor"),
                    (
                        &mut slot.exited,
                        plan.exited_per_village,
                        Wanted::Exited,
                        "exited",
                    ),
                    (&mut slot.edge, plan.edge_per_village, Wanted::Edge, "edge"),
                ] {
                    let mut candidates = std::mem::take(candidates);
                    by_id(&mut candidates);
                    let found = candidates.len();
                    let mut rng =
                        rng::rng(self.seed, &[purpose, &v.county, &v.township, &v.village]);
                    let mut drawn = rng::choose(&mut rng, candidates, asked as usize);
                    drawn.sort_by(|a, b| a.household_id.cmp(&b.household_id));
                    for e in drawn {
                        push(&mut sample.entries, e);
                    }
                    if found < asked as usize {
                        sample.shortfalls.push(Shortfall {
                            county: v.county.clone(),
                            township: v.township.clone(),
                            village: v.village.clone(),
                            what,
                            asked,
                            found: u32::try_from(found).unwrap_or(u32::MAX),
                        });
                    }
                }
                sample.villages.push(slot.village.clone());
            }
            let mut returned = self.returned.remove(&county.county).unwrap_or_default();
            by_id(&mut returned);
            returned.sort_by(|a, b| {
                (&a.township, &a.village, &a.village_group, &a.household_id).cmp(&(
                    &b.township,
                    &b.village,
                    &b.village_group,
                    &b.household_id,
                ))
            });
            for e in returned {
                push(&mut sample.entries, e);
            }
            for &g in &county.groups {
                let (group, members) = &mut self.groups[g];
                let mut members = std::mem::take(members);
                by_id(&mut members);
                for e in members {
                    push(&mut sample.entries, e);
                }
                sample.census_groups.push(group.clone());
            }
        }
        sample
    }
}
