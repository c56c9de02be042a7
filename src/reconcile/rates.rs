//! The assessment's rates (DOMAIN.md), per village, township or county and in total:
//! wrong-exit, missed and wrong-inclusion rates counted in **people**, acceptance and
//! satisfaction counted in **households**. Each rate carries its numerator, denominator, the
//! failing threshold (a setting) and whether it fails.
//!
//! Definitions (also in questionnaires/RULES.md):
//! - The households counted are those with a completed interview, one interview per household
//!   (the latest completed; see `run.rs`). Only findings of severity `finding` count.
//! - People of a household: its interview's `household_size`, else the registry's, else the
//!   number of member rows, else 1.
//! - wrong exit = people of households with a wrong_exit finding ÷ people of exited
//!   households surveyed.
//! - missed = people of households with a missed finding ÷ people of non-poor households
//!   surveyed (households unknown to the registry included) **plus** the people of any other
//!   household with a missed finding: an exited household that fell back and is not
//!   re-registered is, when surveyed, a poor household outside the poor list, so it joins the
//!   missed denominator exactly when it joins the numerator (the numerator never counts
//!   anyone the denominator does not). It stays in the wrong-exit denominator as well.
//! - wrong inclusion = people of households with a wrong_inclusion finding ÷ people of poor
//!   (未脱贫) households surveyed — the households screened for red flags.
//!   The general form of the three: a household is in a rate's denominator when it is of the
//!   rate's household kind or has a finding of the rate's kind; in its numerator when it has
//!   such a finding.
//! - acceptance (认可度) = households that are satisfied (`satisfaction` very_satisfied or
//!   satisfied) and, for an exited household, also accept their exit (`accepts_exit` true) ÷
//!   households surveyed.
//! - satisfaction = households with `satisfaction` very_satisfied or satisfied ÷ households
//!   surveyed.
//! - failing: an error rate above its threshold, acceptance or satisfaction below it; never
//!   when the denominator is 0 or no threshold is set.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value as Json;

use super::finding::{Finding, FindingKey, FindingKind};
use super::mark::{Mark, MarkStatus};
use super::run::Reconciler;
use super::scope::ResultScope;
use super::settings::{RateName, Settings};
use crate::interview::compact;
use crate::questionnaire::Kind;
use crate::questionnaire::expr::{Scope, Value};
use crate::registry::Household;

/// How rates are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Village,
    Township,
    County,
}

impl GroupBy {
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Village => "village",
            GroupBy::Township => "township",
            GroupBy::County => "county",
        }
    }
}

/// `satisfaction` choices that count as satisfied.
pub const SATISFIED: [&str; 2] = ["very_satisfied", "satisfied"];

/// One surveyed household, as the rates need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Surveyed {
    pub household_id: String,
    pub county: String,
    pub township: String,
    pub village: String,
    /// The kind of questionnaire it was interviewed with.
    pub household_kind: Kind,
    pub people: u32,
    pub accepts_exit: Option<bool>,
    pub satisfaction: Option<String>,
    /// Kinds of the findings that count (severity `finding`).
    pub found: BTreeSet<FindingKind>,
    /// The findings that count, each by kind and identity: what [`reviewed`] takes out
    /// when an auditor dismissed them.
    pub counted: Vec<(FindingKind, FindingKey)>,
}

impl Surveyed {
    /// The household as counted, from its registry record, its interview result (JSON, as
    /// `InterviewRecord::result`) and the findings of that interview (warnings are ignored
    /// here). Rules are not run: the reconciler's rules say which answers to read.
    pub fn new(
        household: &Household,
        result: &Json,
        kind: Kind,
        findings: &[Finding],
        reconciler: &Reconciler,
    ) -> Self {
        let symbols = &reconciler.rules.symbols;
        symbols.with_compact(
            |names| compact::encode_result(result, names),
            |c, code_slots| {
                let scope = ResultScope::new(
                    c,
                    kind,
                    symbols,
                    code_slots,
                    household,
                    &reconciler.settings,
                );
                Surveyed::from_scope(&scope, kind, findings)
            },
        )
    }

    /// The household as counted, from the scope its rules were evaluated in.
    pub fn from_scope(scope: &ResultScope, kind: Kind, findings: &[Finding]) -> Self {
        let household = scope.household();
        let place = super::engine::Place::from_scope(scope);
        let rows = Some(scope.row_count("members")).filter(|n| *n > 0);
        let people = match scope.answer("household_size") {
            Value::Number(n) if n.is_finite() && n >= 0.0 => {
                Some(n.round().min(f64::from(u32::MAX)) as u32)
            }
            _ => None,
        }
        .or(household.household_size.filter(|_| !household.provisional))
        .or(rows.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
        .unwrap_or(1);
        Surveyed {
            household_id: household.household_id.clone(),
            county: place.county,
            township: place.township,
            village: place.village,
            household_kind: kind,
            people,
            accepts_exit: match scope.answer("accepts_exit") {
                Value::Bool(b) => Some(b),
                _ => None,
            },
            satisfaction: match scope.answer("satisfaction") {
                Value::Text(t) => Some(t),
                _ => None,
            },
            found: findings
                .iter()
                .filter(|f| f.severity == super::finding::Severity::Finding)
                .map(|f| f.kind)
                .collect(),
            counted: findings
                .iter()
                .filter(|f| f.severity == super::finding::Severity::Finding)
                .map(|f| (f.kind, f.key()))
                .collect(),
        }
    }

    fn satisfied(&self) -> bool {
        self.satisfaction
            .as_deref()
            .is_some_and(|s| SATISFIED.contains(&s))
    }

    fn accepting(&self) -> bool {
        self.satisfied() && (self.household_kind != Kind::Exited || self.accepts_exit == Some(true))
    }
}

/// What a rate counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    People,
    Households,
}

/// One rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    /// numerator ÷ denominator as a fraction; `None` when the denominator is 0.
    pub rate: Option<f64>,
    /// The failing threshold (a fraction), if one is set.
    pub threshold: Option<f64>,
    /// Beyond the threshold: above it for an error rate, below it for acceptance and
    /// satisfaction.
    pub failing: bool,
    pub unit: Unit,
}

impl Rate {
    fn new(name: RateName, numerator: u64, denominator: u64, settings: &Settings) -> Rate {
        let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        let threshold = settings.threshold(name);
        let failing = match (rate, threshold) {
            (Some(r), Some(t)) if name.fails_above() => r > t,
            (Some(r), Some(t)) => r < t,
            _ => false,
        };
        Rate {
            numerator,
            denominator,
            rate,
            threshold,
            failing,
            unit: if name.fails_above() {
                Unit::People
            } else {
                Unit::Households
            },
        }
    }
}

/// The five rates of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    pub wrong_exit: Rate,
    pub missed: Rate,
    pub wrong_inclusion: Rate,
    pub acceptance: Rate,
    pub satisfaction: Rate,
}

impl Rates {
    /// The rates by name, in a fixed order.
    pub fn iter(&self) -> [(RateName, &Rate); 5] {
        [
            (RateName::WrongExit, &self.wrong_exit),
            (RateName::Missed, &self.missed),
            (RateName::WrongInclusion, &self.wrong_inclusion),
            (RateName::Acceptance, &self.acceptance),
            (RateName::Satisfaction, &self.satisfaction),
        ]
    }

    /// True when any rate fails.
    pub fn any_failing(&self) -> bool {
        self.iter().iter().any(|(_, r)| r.failing)
    }
}

/// The rates of one village, township or county (or of everything: all names `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRates {
    pub county: Option<String>,
    pub township: Option<String>,
    pub village: Option<String>,
    /// Households surveyed (completed interviews).
    pub households: u64,
    /// Their people.
    pub people: u64,
    pub rates: Rates,
}

/// Rates per group and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateReport {
    pub by: GroupBy,
    pub assessment_year: i32,
    pub income_line: Option<f64>,
    pub groups: Vec<GroupRates>,
    pub total: GroupRates,
}

/// Counts of one group.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    households: u64,
    people: u64,
    /// (numerator, denominator) of wrong exit, missed, wrong inclusion.
    errors: [(u64, u64); 3],
    accepting: u64,
    satisfied: u64,
}

/// The error rates: name, household kind of the denominator, finding kind counted.
const ERROR_RATES: [(RateName, Kind, FindingKind); 3] = [
    (RateName::WrongExit, Kind::Exited, FindingKind::WrongExit),
    (RateName::Missed, Kind::NonPoor, FindingKind::Missed),
    (
        RateName::WrongInclusion,
        Kind::Poor,
        FindingKind::WrongInclusion,
    ),
];

impl Tally {
    fn add(&mut self, s: &Surveyed) {
        let people = u64::from(s.people);
        self.households += 1;
        self.people += people;
        for (i, (_, base, kind)) in ERROR_RATES.iter().enumerate() {
            let has = s.found.contains(kind);
            if has || s.household_kind == *base {
                self.errors[i].1 += people;
            }
            if has {
                self.errors[i].0 += people;
            }
        }
        self.accepting += u64::from(s.accepting());
        self.satisfied += u64::from(s.satisfied());
    }

    fn rates(&self, settings: &Settings) -> Rates {
        let e = |i: usize| {
            Rate::new(
                ERROR_RATES[i].0,
                self.errors[i].0,
                self.errors[i].1,
                settings,
            )
        };
        Rates {
            wrong_exit: e(0),
            missed: e(1),
            wrong_inclusion: e(2),
            acceptance: Rate::new(
                RateName::Acceptance,
                self.accepting,
                self.households,
                settings,
            ),
            satisfaction: Rate::new(
                RateName::Satisfaction,
                self.satisfied,
                self.households,
                settings,
            ),
        }
    }
}

/// The surveyed households after review: the findings an auditor dismissed (their mark in
/// effect) no longer count, so a household whose every finding of a kind was dismissed
/// leaves that rate's numerator (and, when it is not of the rate's household kind, its
/// denominator). Confirmed and unmarked findings still count.
pub fn reviewed(
    surveyed: &[Surveyed],
    marks: &std::collections::HashMap<FindingKey, Mark>,
) -> Vec<Surveyed> {
    let dismissed = |k: &FindingKey| {
        marks
            .get(k)
            .is_some_and(|m| m.status == MarkStatus::Dismissed)
    };
    surveyed
        .iter()
        .map(|s| {
            let counted: Vec<(FindingKind, FindingKey)> = s
                .counted
                .iter()
                .filter(|(_, k)| !dismissed(k))
                .cloned()
                .collect();
            Surveyed {
                found: counted.iter().map(|(kind, _)| *kind).collect(),
                counted,
                ..s.clone()
            }
        })
        .collect()
}

/// The rates of the surveyed households, grouped, with the total. Groups are in order of
/// county, township, village names.
pub fn rates(surveyed: &[Surveyed], by: GroupBy, settings: &Settings) -> RateReport {
    type Key = (String, Option<String>, Option<String>);
    let mut groups: BTreeMap<Key, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for s in surveyed {
        let key = match by {
            GroupBy::County => (s.county.clone(), None, None),
            GroupBy::Township => (s.county.clone(), Some(s.township.clone()), None),
            GroupBy::Village => (
                s.county.clone(),
                Some(s.township.clone()),
                Some(s.village.clone()),
            ),
        };
        groups.entry(key).or_default().add(s);
        total.add(s);
    }
    let group = |key: Option<Key>, t: &Tally| {
        let (county, township, village) = match key {
            Some((c, t, v)) => (Some(c), t, v),
            None => (None, None, None),
        };
        GroupRates {
            county,
            township,
            village,
            households: t.households,
            people: t.people,
            rates: t.rates(settings),
        }
    };
    RateReport {
        by,
        assessment_year: settings.assessment_year,
        income_line: settings.income_line(),
        groups: groups
            .into_iter()
            .map(|(k, t)| group(Some(k), &t))
            .collect(),
        total: group(None, &total),
    }
}
