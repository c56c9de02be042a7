//! How far the teams have got with the sample: per village and per interviewer, the
//! households drawn, interviewed, completed, approved and returned, and the sampled
//! households nobody has visited yet. Pure domain: it reads the sample and the interviews'
//! summaries; storing and showing are elsewhere.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::SampleEntry;
use crate::interview::Status;

/// What coverage needs of one interview.
#[derive(Debug, Clone)]
pub struct Visit {
    pub household_id: String,
    pub interviewer: String,
    pub status: Status,
    /// When it last changed (RFC 3339 sorts as time within one offset; only used to pick
    /// the latest of several visits).
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

/// The counts of one village or interviewer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Sampled households (per village; per interviewer: none is assigned, so 0).
    pub drawn: usize,
    /// Households with at least one interview.
    pub interviewed: usize,
    /// Of those, whose latest interview is completed or approved.
    pub completed: usize,
    pub approved: usize,
    pub returned: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.interviewed += 1;
        match status {
            Status::Completed => self.completed += 1,
            Status::Approved => {
                self.completed += 1;
                self.approved += 1;
            }
            Status::Returned => self.returned += 1,
            Status::InProgress => {}
        }
    }
}

/// One row: a village (county, township, village) or an interviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub county: String,
    pub township: String,
    pub village: String,
    pub interviewer: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A sampled household nobody has interviewed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotVisited {
    pub household_id: String,
    pub head_name: String,
    pub county: String,
    pub township: String,
    pub village: String,
    pub village_group: String,
}

/// Coverage of the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub by_village: Vec<Row>,
    pub by_interviewer: Vec<Row>,
    pub total: Counts,
    pub not_visited: Vec<NotVisited>,
}

/// Coverage of `sample` by `visits`. A household visited more than once counts once, by its
/// latest interview; per interviewer, each interviewer's latest interview of each household
/// counts (interviews of households outside the sample included: a census visit).
pub fn coverage(sample: &[SampleEntry], visits: &[Visit]) -> Coverage {
    let mut latest: HashMap<&str, &Visit> = HashMap::new();
    let mut per_interviewer: BTreeMap<&str, HashMap<&str, &Visit>> = BTreeMap::new();
    for v in visits {
        let slot = latest.entry(v.household_id.as_str()).or_insert(v);
        if v.updated_at > slot.updated_at {
            *slot = v;
        }
        let mine = per_interviewer.entry(v.interviewer.as_str()).or_default();
        let slot = mine.entry(v.household_id.as_str()).or_insert(v);
        if v.updated_at > slot.updated_at {
            *slot = v;
        }
    }
    let mut villages: BTreeMap<(&str, &str, &str), Counts> = BTreeMap::new();
    let mut total = Counts::default();
    let mut not_visited = Vec::new();
    for e in sample {
        let c = villages
            .entry((&e.county, &e.township, &e.village))
            .or_default();
        c.drawn += 1;
        total.drawn += 1;
        match latest.get(e.household_id.as_str()) {
            Some(v) => {
                c.add(v.status);
                total.add(v.status);
            }
            None => not_visited.push(NotVisited {
                household_id: e.household_id.clone(),
                head_name: e.head_name.clone(),
                county: e.county.clone(),
                township: e.township.clone(),
                village: e.village.clone(),
                village_group: e.village_group.clone(),
            }),
        }
    }
    let by_village = villages
        .into_iter()
        .map(|((county, township, village), counts)| Row {
            county: county.to_string(),
            township: township.to_string(),
            village: village.to_string(),
            interviewer: String::new(),
            counts,
        })
        .collect();
    let by_interviewer = per_interviewer
        .into_iter()
        .map(|(who, households)| {
            let mut counts = Counts::default();
            for v in households.values() {
                counts.add(v.status);
            }
            Row {
                county: String::new(),
                township: String::new(),
                village: String::new(),
                interviewer: who.to_string(),
                counts,
            }
        })
        .collect();
    not_visited.sort_by(|a, b| {
        (&a.county, &a.township, &a.village, &a.household_id).cmp(&(
            &b.county,
            &b.township,
            &b.village,
            &b.household_id,
        ))
    });
    Coverage {
        by_village,
        by_interviewer,
        total,
        not_visited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::Kind;
    use crate::sample::Reason;
    use chrono::TimeZone;

    fn entry(id: &str, village: &str) -> SampleEntry {
        SampleEntry {
            household_id: id.into(),
            head_name: format!("户主{id}"),
            county: "演示县".into(),
            township: "清溪乡".into(),
            village: village.into(),
            village_group: "第1组".into(),
            kind: Kind::Poor,
            reason: Reason::PoorInVillage,
        }
    }

    fn visit(id: &str, who: &str, status: Status, minute: u32) -> Visit {
        Visit {
            household_id: id.into(),
            interviewer: who.into(),
            status,
            updated_at: chrono::FixedOffset::east_opt(8 * 3600)
                .and_then(|tz| tz.with_ymd_and_hms(2026, 12, 1, 9, minute, 0).single())
                .expect("time"),
        }
    }

    #[test]
    fn counts_per_village_and_interviewer_and_lists_who_is_not_visited() {
        let sample = vec![
            entry("1", "桂花村"),
            entry("2", "桂花村"),
            entry("3", "桂花村"),
            entry("4", "石门村"),
        ];
        let visits = vec![
            visit("1", "王调查", Status::InProgress, 1),
            // Visited again: the later counts.
            visit("1", "李调查", Status::Approved, 5),
            visit("2", "王调查", Status::Returned, 2),
            visit("4", "李调查", Status::Completed, 3),
            // Outside the sample (a census visit): the interviewer's row only.
            visit("9", "李调查", Status::Completed, 4),
        ];
        let c = coverage(&sample, &visits);
        let guihua = &c.by_village[0];
        assert_eq!(guihua.village, "桂花村");
        assert_eq!(
            guihua.counts,
            Counts {
                drawn: 3,
                interviewed: 2,
                completed: 1,
                approved: 1,
                returned: 1
            }
        );
        assert_eq!(c.by_village[1].counts.completed, 1);
        assert_eq!(c.total.drawn, 4);
        assert_eq!(c.total.interviewed, 3);
        assert_eq!(c.not_visited.len(), 1);
        assert_eq!(c.not_visited[0].household_id, "3");
        let li = c
            .by_interviewer
            .iter()
            .find(|r| r.interviewer == "李调查")
            .expect("row");
        assert_eq!(
            (
                li.counts.interviewed,
                li.counts.completed,
                li.counts.approved
            ),
            (3, 3, 1)
        );
        let wang = c
            .by_interviewer
            .iter()
            .find(|r| r.interviewer == "王调查")
            .expect("row");
        assert_eq!((wang.counts.interviewed, wang.counts.returned), (2, 1));
    }
}
