//! What the report shows, gathered from a reconciliation, the auditors' marks and the sample's
//! coverage: per county the rates as found and after review (county and villages), the
//! coverage of the drawn sample, and the findings by village with their marks. Pure: it reads
//! domain values and knows nothing of the store, the terminal or HTML.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};

use crate::reconcile::export::Marks;
use crate::reconcile::{
    Finding, GroupBy, GroupRates, Mark, MarkStatus, Settings, Severity, Surveyed, rates,
};
use crate::sample::coverage::{Counts, Coverage, NotVisited, Row};

/// What the report is made from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub settings: &'a Settings,
    /// The findings (completed interviews, those that count), as `reconcile::run` sorts them.
    pub findings: &'a [Finding],
    /// The surveyed households as found (`Reconciliation::surveyed`).
    pub surveyed: &'a [Surveyed],
    /// The same households after review: the findings auditors dismissed taken out
    /// (`reconcile::reviewed`).
    pub reviewed: &'a [Surveyed],
    pub marks: &'a Marks,
    /// Coverage of the drawn sample; `None` when no sample is drawn.
    pub coverage: Option<&'a Coverage>,
    /// Interviews read by the reconciliation.
    pub interviews: usize,
    pub made_at: DateTime<FixedOffset>,
    /// Only this county.
    pub county: Option<&'a str>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub assessment_year: i32,
    pub income_line: Option<f64>,
    pub made_at: DateTime<FixedOffset>,
    /// Interviews read (all counties).
    pub interviews: usize,
    /// A sample is drawn.
    pub sample_drawn: bool,
    pub counties: Vec<County<'a>>,
}

impl Report<'_> {
    /// Households surveyed in the counties shown.
    pub fn households(&self) -> u64 {
        self.counties.iter().map(|c| c.found.households).sum()
    }

    /// Findings in the counties shown.
    pub fn findings(&self) -> usize {
        self.counties.iter().map(County::finding_count).sum()
    }
}

/// One county.
#[derive(Debug, Clone)]
pub struct County<'a> {
    pub name: String,
    /// The county's rates as found.
    pub found: GroupRates,
    /// The county's rates after review.
    pub reviewed: GroupRates,
    /// Per village (township, village order).
    pub villages: Vec<VillageRates>,
    /// `None` when no sample is drawn.
    pub coverage: Option<CountyCoverage>,
    /// The findings by village (township, village order).
    pub findings: Vec<VillageFindings<'a>>,
}

impl County<'_> {
    /// Findings listed (those that count, and the warnings an auditor marked).
    pub fn finding_count(&self) -> usize {
        self.findings.iter().map(|v| v.findings.len()).sum()
    }

    /// Warnings nobody marked, counted but not listed.
    pub fn warnings_not_listed(&self) -> usize {
        self.findings.iter().map(|v| v.warnings_not_listed).sum()
    }

    /// Findings with a mark of this status.
    pub fn marked(&self, status: MarkStatus) -> usize {
        self.findings
            .iter()
            .flat_map(|v| &v.findings)
            .filter(|e| e.mark.is_some_and(|m| m.status == status))
            .count()
    }
}

/// The rates of one village, as found and after review.
#[derive(Debug, Clone)]
pub struct VillageRates {
    pub township: String,
    pub village: String,
    pub found: GroupRates,
    pub reviewed: GroupRates,
}

/// The sample's coverage in one county.
#[derive(Debug, Clone)]
pub struct CountyCoverage {
    pub rows: Vec<Row>,
    pub total: Counts,
    pub not_visited: Vec<NotVisited>,
}

/// The findings of one village.
#[derive(Debug, Clone)]
pub struct VillageFindings<'a> {
    pub township: String,
    pub village: String,
    /// The findings that count (severity `finding`) and the warnings an auditor marked.
    pub findings: Vec<Entry<'a>>,
    /// Warnings nobody marked (member checks and other hints for the interviewer), counted
    /// but not listed: `ruhu findings` lists them.
    pub warnings_not_listed: usize,
}

/// A finding with its mark.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub finding: &'a Finding,
    pub mark: Option<&'a Mark>,
}

/// The counties the inputs know: of the surveyed households, the findings and the sample.
pub fn counties(inputs: &Inputs) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    out.extend(inputs.surveyed.iter().map(|s| s.county.clone()));
    out.extend(inputs.findings.iter().map(|f| f.county.clone()));
    if let Some(c) = inputs.coverage {
        out.extend(c.by_village.iter().map(|r| r.county.clone()));
        out.extend(c.not_visited.iter().map(|h| h.county.clone()));
    }
    out
}

/// Per county, the rates of each (township, village).
type VillagesByCounty = BTreeMap<String, BTreeMap<(String, String), GroupRates>>;

/// Splits rates by village into counties: county → (township, village) → rates.
fn by_county(
    surveyed: &[Surveyed],
    settings: &Settings,
) -> (BTreeMap<String, GroupRates>, VillagesByCounty) {
    let counties = rates(surveyed, GroupBy::County, settings)
        .groups
        .into_iter()
        .map(|g| (g.county.clone().unwrap_or_default(), g))
        .collect();
    let mut villages = VillagesByCounty::new();
    for g in rates(surveyed, GroupBy::Village, settings).groups {
        let key = (
            g.township.clone().unwrap_or_default(),
            g.village.clone().unwrap_or_default(),
        );
        villages
            .entry(g.county.clone().unwrap_or_default())
            .or_default()
            .insert(key, g);
    }
    (counties, villages)
}

/// Rates of nobody: every rate with a denominator of 0.
fn empty_rates(county: &str, settings: &Settings) -> GroupRates {
    let mut g = rates(&[], GroupBy::County, settings).total;
    g.county = Some(county.to_string());
    g
}

/// Gathers the report.
pub fn build<'a>(inputs: &Inputs<'a>) -> Report<'a> {
    let settings = inputs.settings;
    let (found_c, found_v) = by_county(inputs.surveyed, settings);
    let (reviewed_c, reviewed_v) = by_county(inputs.reviewed, settings);
    let mut findings: BTreeMap<&str, Vec<VillageFindings<'a>>> = BTreeMap::new();
    for f in inputs.findings {
        let list = findings.entry(f.county.as_str()).or_default();
        let same = list
            .last()
            .is_some_and(|v| v.township == f.township && v.village == f.village);
        if !same {
            list.push(VillageFindings {
                township: f.township.clone(),
                village: f.village.clone(),
                findings: Vec::new(),
                warnings_not_listed: 0,
            });
        }
        let mark = inputs.marks.get(&f.key());
        if let Some(v) = list.last_mut() {
            if f.severity == Severity::Warning && mark.is_none() {
                v.warnings_not_listed += 1;
            } else {
                v.findings.push(Entry { finding: f, mark });
            }
        }
    }
    // A county asked for is shown even when nothing of it is there yet.
    let names: Vec<String> = match inputs.county {
        Some(only) => vec![only.to_string()],
        None => counties(inputs).into_iter().collect(),
    };
    let counties = names
        .into_iter()
        .map(|name| {
            let found = found_c
                .get(&name)
                .cloned()
                .unwrap_or_else(|| empty_rates(&name, settings));
            let reviewed = reviewed_c
                .get(&name)
                .cloned()
                .unwrap_or_else(|| empty_rates(&name, settings));
            let none = BTreeMap::new();
            let fv = found_v.get(&name).unwrap_or(&none);
            let rv = reviewed_v.get(&name).unwrap_or(&none);
            let villages = fv
                .iter()
                .map(|((township, village), g)| VillageRates {
                    township: township.clone(),
                    village: village.clone(),
                    found: g.clone(),
                    reviewed: rv
                        .get(&(township.clone(), village.clone()))
                        .cloned()
                        .unwrap_or_else(|| g.clone()),
                })
                .collect();
            let coverage = inputs.coverage.map(|c| CountyCoverage {
                rows: c
                    .by_village
                    .iter()
                    .filter(|r| r.county == name)
                    .cloned()
                    .collect(),
                total: c.by_village.iter().filter(|r| r.county == name).fold(
                    Counts::default(),
                    |mut t, r| {
                        t.drawn += r.counts.drawn;
                        t.interviewed += r.counts.interviewed;
                        t.completed += r.counts.completed;
                        t.approved += r.counts.approved;
                        t.returned += r.counts.returned;
                        t
                    },
                ),
                not_visited: c
                    .not_visited
                    .iter()
                    .filter(|h| h.county == name)
                    .cloned()
                    .collect(),
            });
            let findings = findings.remove(name.as_str()).unwrap_or_default();
            County {
                name,
                found,
                reviewed,
                villages,
                coverage,
                findings,
            }
        })
        .collect();
    Report {
        assessment_year: settings.assessment_year,
        income_line: settings.income_line(),
        made_at: inputs.made_at,
        interviews: inputs.interviews,
        sample_drawn: inputs.coverage.is_some(),
        counties,
    }
}
