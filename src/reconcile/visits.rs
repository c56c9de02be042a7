//! Duplicate visits: a household interviewed more than once (on two laptops, or twice on
//! one), or two households entered as new on a visit whose heads share an ID number, keep
//! every interview, and one of them counts for findings, rates and exports: the one the team
//! lead chose (the latest choice among them), else the latest completed one, else the
//! latest. Pure domain: it reads the interviews' summaries.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::interview::Status;

/// What the choice needs of one interview.
#[derive(Debug, Clone)]
pub struct VisitOf {
    pub interview_id: Uuid,
    pub household_id: String,
    /// What makes visits the same household's: its id, or for households entered as new
    /// on a visit, `id:` and the head's ID number.
    pub group: String,
    pub status: Status,
    pub updated_at: DateTime<FixedOffset>,
    /// The team lead's choice of this interview, if any: when, and the event (ties).
    pub chosen: Option<(DateTime<FixedOffset>, Uuid)>,
}

/// How the interview that counts was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settled {
    /// The team lead chose it.
    Chosen,
    /// Nobody chose yet: the latest completed (else the latest) stands in.
    Latest,
}

/// One household visited more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The household (the first, by id, of a group of new households sharing a head's ID
    /// number).
    pub household_id: String,
    /// Every household of the group (one, unless new households share a head's ID number).
    pub households: Vec<String>,
    /// Every interview of the household, the one that counts first, then the latest.
    pub interviews: Vec<Uuid>,
    pub counting: Uuid,
    pub settled: Settled,
}

/// The duplicate visits of a store, and which interview of each counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visits {
    by_group: HashMap<String, Duplicate>,
    /// The group of each household of a duplicate.
    group_of: HashMap<String, String>,
}

impl Visits {
    /// Groups `visits` by household and settles which interview of each group counts.
    pub fn of(visits: &[VisitOf]) -> Visits {
        let mut groups: BTreeMap<&str, Vec<&VisitOf>> = BTreeMap::new();
        for v in visits {
            let g = groups.entry(v.group.as_str()).or_default();
            // A visit given twice (as its household's, and as a new household's) counts once.
            if !g.iter().any(|o| o.interview_id == v.interview_id) {
                g.push(v);
            }
        }
        let mut by_group = HashMap::new();
        let mut group_of = HashMap::new();
        for (key, mut group) in groups {
            if group.len() < 2 {
                continue;
            }
            let mut households: Vec<String> =
                group.iter().map(|v| v.household_id.clone()).collect();
            households.sort();
            households.dedup();
            let chosen = group
                .iter()
                .filter_map(|v| v.chosen.map(|c| (c, v.interview_id)))
                .max();
            let (counting, settled) = match chosen {
                Some((_, id)) => (id, Settled::Chosen),
                None => {
                    let latest = group
                        .iter()
                        .max_by_key(|v| (v.status.is_done(), v.updated_at, v.interview_id))
                        .map(|v| v.interview_id)
                        .unwrap_or_default();
                    (latest, Settled::Latest)
                }
            };
            group.sort_by_key(|v| {
                (
                    v.interview_id != counting,
                    std::cmp::Reverse(v.updated_at),
                    v.interview_id,
                )
            });
            for h in &households {
                group_of.insert(h.clone(), key.to_string());
            }
            by_group.insert(
                key.to_string(),
                Duplicate {
                    household_id: households[0].clone(),
                    households,
                    interviews: group.iter().map(|v| v.interview_id).collect(),
                    counting,
                    settled,
                },
            );
        }
        Visits { by_group, group_of }
    }

    /// Whether an interview counts: the only one of its household, or the one settled.
    pub fn counts(&self, household_id: &str, interview: Uuid) -> bool {
        self.of_household(household_id)
            .is_none_or(|d| d.counting == interview)
    }

    /// The household's duplicate visits, if it has any.
    pub fn of_household(&self, household_id: &str) -> Option<&Duplicate> {
        self.by_group.get(self.group_of.get(household_id)?)
    }

    /// Every household visited more than once, by household id.
    pub fn all(&self) -> Vec<&Duplicate> {
        let mut out: Vec<&Duplicate> = self.by_group.values().collect();
        out.sort_by(|a, b| a.household_id.cmp(&b.household_id));
        out
    }

    pub fn is_empty(&self) -> bool {
        self.by_group.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .and_then(|tz| tz.with_ymd_and_hms(2026, 12, 1, 9, minute, 0).single())
            .expect("time")
    }

    fn visit(n: u128, household: &str, status: Status, minute: u32) -> VisitOf {
        VisitOf {
            interview_id: Uuid::from_u128(n),
            household_id: household.into(),
            group: household.into(),
            status,
            updated_at: at(minute),
            chosen: None,
        }
    }

    #[test]
    fn the_chosen_interview_counts_else_the_latest_completed() {
        let mut visits = vec![
            visit(1, "H1", Status::Completed, 1),
            visit(2, "H1", Status::InProgress, 5),
            visit(3, "H2", Status::Completed, 2),
        ];
        let v = Visits::of(&visits);
        // H1: nobody chose; the completed one stands in over a later one in progress.
        let d = v.of_household("H1").expect("duplicate");
        assert_eq!(
            (d.counting, d.settled),
            (Uuid::from_u128(1), Settled::Latest)
        );
        assert!(v.counts("H1", Uuid::from_u128(1)) && !v.counts("H1", Uuid::from_u128(2)));
        // H2 was visited once: it counts, and is no duplicate.
        assert!(v.of_household("H2").is_none() && v.counts("H2", Uuid::from_u128(3)));
        // The lead chooses the second; a later choice of the first wins again.
        visits[1].chosen = Some((at(10), Uuid::from_u128(100)));
        let v = Visits::of(&visits);
        let d = v.of_household("H1").expect("duplicate");
        assert_eq!(
            (d.counting, d.settled),
            (Uuid::from_u128(2), Settled::Chosen)
        );
        assert_eq!(
            d.interviews[0],
            Uuid::from_u128(2),
            "the one that counts first"
        );
        visits[0].chosen = Some((at(11), Uuid::from_u128(101)));
        assert_eq!(
            Visits::of(&visits)
                .of_household("H1")
                .expect("dup")
                .counting,
            Uuid::from_u128(1)
        );
        assert_eq!(Visits::of(&visits).all().len(), 1);
    }

    #[test]
    fn new_households_whose_heads_share_an_id_number_are_one_household_visited_twice() {
        let mut a = visit(1, "P-aaaa", Status::Completed, 1);
        let mut b = visit(2, "P-bbbb", Status::Completed, 2);
        let c = visit(3, "P-cccc", Status::Completed, 3);
        a.group = "id:532326198001011234".into();
        b.group = "id:532326198001011234".into();
        let v = Visits::of(&[a, b, c]);
        let d = v.of_household("P-bbbb").expect("duplicate");
        assert_eq!(d.households, ["P-aaaa", "P-bbbb"]);
        assert_eq!(d.counting, Uuid::from_u128(2));
        assert!(!v.counts("P-aaaa", Uuid::from_u128(1)));
        assert!(v.counts("P-cccc", Uuid::from_u128(3)));
    }
}
