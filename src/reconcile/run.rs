//! From stored interviews to findings and rates, in one place, for the command line, the
//! terminal screens and the benchmark. It knows no database: [`run_compact`] takes each
//! interview's compact result (`interview::compact`, kept by the store beside each record)
//! with its household; [`run`] takes interview records and a household lookup. Either way a
//! result is read as it is (no event replay, no questionnaire logic run again).

use rustc_hash::FxHashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

use super::engine::{Subject, findings, reconcile_subject};
use super::error::RuleError;
use super::finding::{Finding, FindingKind};
use super::rates::Surveyed;
use super::rules::RuleSet;
use super::scope::ResultScope;
use super::settings::Settings;
use crate::interview::InterviewRecord;
use crate::interview::compact;
use crate::questionnaire::{Kind, Questionnaire};
use crate::registry::Household;

/// Rules and settings, ready to reconcile interviews.
#[derive(Debug, Clone)]
pub struct Reconciler {
    pub rules: RuleSet,
    pub settings: Settings,
}

impl Reconciler {
    /// The rules and settings of a questionnaire folder — its `rules.json` and
    /// `settings.json` where present, the bundled ones otherwise (and without a folder) —
    /// checked against the questionnaires in use. Every problem of both files is listed.
    pub fn load(
        dir: Option<&Path>,
        forms: &[&Questionnaire],
    ) -> Result<Reconciler, Vec<RuleError>> {
        let in_dir = |name: &str| dir.map(|d| d.join(name)).filter(|p| p.is_file());
        let settings = match in_dir("settings.json") {
            Some(p) => Settings::load(&p),
            None => Settings::bundled(),
        };
        let rules = match in_dir("rules.json") {
            Some(p) => RuleSet::load(&p, forms, settings.as_ref().ok()),
            None => RuleSet::bundled(forms, settings.as_ref().ok()),
        };
        match (rules, settings) {
            (Ok(rules), Ok(settings)) => Ok(Reconciler { rules, settings }),
            (rules, settings) => {
                let mut errors = settings.err().unwrap_or_default();
                errors.extend(rules.err().unwrap_or_default());
                Err(errors)
            }
        }
    }

    /// The kind an interview is reconciled as: the kind of the questionnaire it was made
    /// with; a household the registry does not know is non-poor.
    pub fn kind_of(&self, record: &InterviewRecord, household: &Household) -> Kind {
        self.kind_of_questionnaire(&record.questionnaire, household)
    }

    fn kind_of_questionnaire(&self, questionnaire: &str, household: &Household) -> Kind {
        if household.provisional {
            return Kind::NonPoor;
        }
        self.rules
            .kind_of_questionnaire(questionnaire)
            .or_else(|| Kind::parse(questionnaire))
            .unwrap_or_else(|| household.kind())
    }

    /// The findings of one interview (its household looked up by the caller).
    pub fn interview(&self, record: &InterviewRecord, household: &Household) -> Vec<Finding> {
        self.rules.symbols.with_compact(
            |names| compact::encode(record, names),
            |result, code_slots| {
                let subject = Subject {
                    household,
                    result,
                    code_slots,
                    kind: self.kind_of(record, household),
                    interview_id: record.interview_id,
                    in_progress: !record.status.is_done(),
                    interviewer: &record.interviewer,
                };
                reconcile_subject(&subject, &self.rules, &self.settings)
            },
        )
    }
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Also interviews still in progress (their findings are marked `in_progress`).
    pub include_in_progress: bool,
    /// Only this village (exact name).
    pub village: Option<String>,
    pub kind: Option<FindingKind>,
    /// The households visited more than once and which interview of each counts
    /// (`visits.rs`); the others are left out of findings and rates. `None`: every
    /// interview counts.
    pub visits: Option<std::sync::Arc<super::visits::Visits>>,
}

impl Filter {
    pub fn keeps(&self, f: &Finding) -> bool {
        (self.include_in_progress || !f.in_progress)
            && self.village.as_deref().is_none_or(|v| f.village == v)
            && self.kind.is_none_or(|k| f.kind == k)
    }
}

/// What a run over the store gives.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    /// The findings the filter keeps, by county, township, village, household, interview,
    /// then rule order.
    pub findings: Vec<Finding>,
    /// One entry per household with a completed interview (its latest completed one), by
    /// household id: the input of [`rates`](super::rates::rates).
    pub surveyed: Vec<Surveyed>,
    /// Interviews read.
    pub interviews: usize,
    /// Interviews whose household the registry lookup did not find; they are reconciled as
    /// a household unknown to the registry.
    pub unknown_households: usize,
    /// Interviews left out because another visit of their household counts.
    pub not_counting: usize,
    /// Interviews about another subject than a household (a cadre, a project, a place):
    /// reconciled by the rules of their own kind (a project's findings are `project`
    /// findings), never surveyed households, so the household rates do not read them.
    pub other_subjects: usize,
}

/// A stand-in for a household the lookup did not find: no registry values.
fn unknown_household(id: &str) -> Household {
    Household::provisional(id.to_string(), String::new(), String::new())
}

/// Reconciles every interview: `records` are interview records (e.g.
/// `Store::interview_results()`), `household` looks one household up by id (e.g.
/// `Store::household`). The first error of either stops the run. For many interviews
/// [`run_compact`] over the store's compact results is much faster.
pub fn run<E>(
    reconciler: &Reconciler,
    records: impl IntoIterator<Item = Result<InterviewRecord, E>>,
    mut household: impl FnMut(&str) -> Result<Option<Household>, E>,
    filter: &Filter,
) -> Result<Reconciliation, E> {
    // Every id a rule reads is coded before any result is: ids met later get codes past
    // the table, which read as nothing.
    let mut names = reconciler.rules.symbols.seeded_names();
    let code_slots = reconciler.rules.symbols.code_slots(&names);
    let items = records.into_iter().map(|record| {
        let record = record?;
        let h = household(&record.household_id)?.map(Box::new);
        Ok((h, compact::encode(&record, &mut names)))
    });
    run_compact(reconciler, items, &code_slots, filter, |_| {
        unreachable!("encoded just now")
    })
}

/// Reconciles every interview given as its household (`None`: the registry does not know
/// it) and its compact result (`interview::compact`), encoded with a dictionary whose
/// [`Symbols::code_slots`](super::Symbols::code_slots) are `code_slots`. `corrupt` turns a
/// result that cannot be read into the caller's error. The first error stops the run.
pub fn run_compact<H: AsRef<Household>, B: AsRef<[u8]>, E>(
    reconciler: &Reconciler,
    items: impl IntoIterator<Item = Result<(Option<H>, B), E>>,
    code_slots: &[Option<usize>],
    filter: &Filter,
    corrupt: impl Fn(String) -> E,
) -> Result<Reconciliation, E> {
    let mut out = Reconciliation::default();
    let mut latest: FxHashMap<String, (DateTime<FixedOffset>, Surveyed)> = FxHashMap::default();
    for item in items {
        let (h, bytes) = item?;
        let result = compact::decode(bytes.as_ref()).map_err(&corrupt)?;
        out.interviews += 1;
        let other = crate::subject::looks_like_other_subject(result.household_id);
        if other {
            out.other_subjects += 1;
        }
        let duplicate = filter
            .visits
            .as_ref()
            .and_then(|v| v.of_household(result.household_id));
        if duplicate.is_some_and(|d| d.counting != result.interview_id) {
            out.not_counting += 1;
            continue;
        }
        let completed = result.status.is_done();
        if !completed && !filter.include_in_progress {
            continue;
        }
        let unknown;
        let h = match &h {
            Some(h) if !other => h.as_ref(),
            _ => {
                if !other {
                    out.unknown_households += 1;
                }
                unknown = unknown_household(result.household_id);
                &unknown
            }
        };
        let kind = if other {
            // Another subject is reconciled by the rules of its questionnaire's kind, with
            // no registry values and its place from its answers; one whose questionnaire is
            // not known has no rules.
            match reconciler
                .rules
                .kind_of_questionnaire(result.questionnaire)
                .or_else(|| Kind::parse(result.questionnaire))
                .filter(|k| !k.is_household())
            {
                Some(k) => k,
                None => continue,
            }
        } else {
            reconciler.kind_of_questionnaire(result.questionnaire, h)
        };
        let subject = Subject {
            household: h,
            result: &result,
            code_slots,
            kind,
            interview_id: result.interview_id,
            in_progress: !completed,
            interviewer: result.interviewer,
        };
        let scope = ResultScope::new(
            &result,
            kind,
            &reconciler.rules.symbols,
            code_slots,
            h,
            &reconciler.settings,
        )
        .with_in_progress(!completed);
        let mut found = findings(&subject, &scope, &reconciler.rules);
        if let Some(d) = duplicate {
            for f in &mut found {
                f.visits = Some(super::finding::Visits {
                    count: d.interviews.len(),
                    settled: d.settled,
                });
            }
        }
        if completed && !other {
            let at = result
                .completed_at()
                .or_else(|| result.updated_at())
                .unwrap_or_default();
            let newer = latest
                .get(result.household_id)
                .is_none_or(|(seen, _)| at > *seen);
            if newer {
                let s = Surveyed::from_scope(&scope, kind, &found);
                latest.insert(result.household_id.to_string(), (at, s));
            }
        }
        out.findings
            .extend(found.into_iter().filter(|f| filter.keeps(f)));
    }
    out.surveyed = latest.into_values().map(|(_, s)| s).collect();
    out.sort();
    Ok(out)
}

impl Reconciliation {
    /// Joins runs over disjoint sets of households (parts of the store reconciled side by
    /// side) into what one run over all of them gives.
    pub fn merge(parts: impl IntoIterator<Item = Reconciliation>) -> Reconciliation {
        let mut out = Reconciliation::default();
        for p in parts {
            out.findings.extend(p.findings);
            out.surveyed.extend(p.surveyed);
            out.interviews += p.interviews;
            out.unknown_households += p.unknown_households;
            out.not_counting += p.not_counting;
            out.other_subjects += p.other_subjects;
        }
        out.sort();
        out
    }

    /// Findings by county, township, village, household and interview (a stable sort: rule
    /// order within an interview stays); surveyed households by id.
    fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                &a.county,
                &a.township,
                &a.village,
                &a.household_id,
                a.interview_id,
            )
                .cmp(&(
                    &b.county,
                    &b.township,
                    &b.village,
                    &b.household_id,
                    b.interview_id,
                ))
        });
        self.surveyed
            .sort_by(|a, b| a.household_id.cmp(&b.household_id));
    }
}
