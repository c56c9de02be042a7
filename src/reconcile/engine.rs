//! Holding one interview's result against the household's registry record: every rule of
//! the household's kind is evaluated over a [`Scope`] that reads the stored result JSON
//! directly (no event replay, no questionnaire logic run again), the registry record and the
//! settings; each rule that comes out true is a [`Finding`] with its evidence.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use super::finding::{Evidence, EvidenceSource, Finding};
use super::rules::{Rule, RuleSet, Shape};
use super::settings::Settings;
use crate::questionnaire::Kind;
use crate::questionnaire::expr::{Scope, Value};
use crate::registry::Household;

/// The registry as rules see it: `Household::field_values()` plus `member_id_numbers` (the
/// members' ID numbers, upper-cased, missing when the registry lists none). A provisional
/// household (unknown to the registry) has no registry values at all.
pub fn registry_values(household: &Household) -> BTreeMap<String, Value> {
    if household.provisional {
        return BTreeMap::new();
    }
    let mut values = household.field_values();
    let ids: Vec<Value> = household
        .members
        .iter()
        .map(|m| m.id_number.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .map(Value::Text)
        .collect();
    if !ids.is_empty() {
        values.insert("member_id_numbers".to_string(), Value::List(ids));
    }
    values
}

/// An answer of the result JSON as an expression value: numbers, booleans and texts as they
/// are (dates stay `YYYY-MM-DD` texts, which compare with dates), arrays as selections; null
/// and anything else missing.
pub fn json_value(v: &Json) -> Value {
    match v {
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_f64().map_or(Value::Missing, Value::Number),
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(items) => Value::Choices(
            items
                .iter()
                .map(|i| match i {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Json::Null | Json::Object(_) => Value::Missing,
    }
}

/// An expression value as JSON (for evidence): missing is null, whole numbers are integers.
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Missing => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Json::from(*n as i64),
        Value::Number(n) => Json::from(*n),
        Value::Text(s) => Json::String(s.clone()),
        Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::Choices(c) => Json::from(c.clone()),
        Value::List(items) => Json::Array(items.iter().map(value_json).collect()),
    }
}

/// What a rule sees: the result's answers (`{"answers": {...}, "rosters": {...}}`), the
/// registry values and the settings.
pub struct ResultScope<'a> {
    answers: Option<&'a Map<String, Json>>,
    rosters: Option<&'a Map<String, Json>>,
    shape: Option<&'a Shape>,
    registry: BTreeMap<String, Value>,
    settings: &'a Settings,
    today: OnceCell<NaiveDate>,
}

impl<'a> ResultScope<'a> {
    fn new(
        result: &'a Json,
        shape: Option<&'a Shape>,
        registry: BTreeMap<String, Value>,
        settings: &'a Settings,
    ) -> Self {
        ResultScope {
            answers: result.get("answers").and_then(Json::as_object),
            rosters: result.get("rosters").and_then(Json::as_object),
            shape,
            registry,
            settings,
            today: OnceCell::new(),
        }
    }

    #[cfg(test)]
    pub(super) fn for_test(
        result: &'a Json,
        rules: &'a RuleSet,
        kind: Kind,
        registry: BTreeMap<String, Value>,
        settings: &'a Settings,
    ) -> Self {
        ResultScope::new(result, rules.shapes.get(&kind), registry, settings)
    }

    fn rows(&self, roster: &str) -> &'a [Json] {
        self.rosters
            .and_then(|r| r.get(roster))
            .and_then(Json::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether `id` is a roster: as the questionnaire says, else (a questionnaire not in
    /// use) when the result has rows under it.
    fn is_roster(&self, id: &str) -> bool {
        match self.shape {
            Some(s) => s.rosters.contains(id),
            None => self.rosters.is_some_and(|r| r.contains_key(id)),
        }
    }

    /// The roster a question sits in: as the questionnaire says, else the first roster whose
    /// rows answer it.
    fn roster_of(&self, id: &str) -> Option<String> {
        if let Some(s) = self.shape {
            return s.roster_of.get(id).cloned();
        }
        self.rosters?.iter().find_map(|(name, rows)| {
            rows.as_array()?
                .iter()
                .any(|row| row.get(id).is_some())
                .then(|| name.clone())
        })
    }

    fn text_answer(&self, id: &str) -> Option<&'a str> {
        self.answers?
            .get(id)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

impl Scope for ResultScope<'_> {
    fn answer(&self, id: &str) -> Value {
        if self.is_roster(id) {
            return Value::List(vec![Value::Bool(true); self.rows(id).len()]);
        }
        if let Some(roster) = self.roster_of(id) {
            return Value::List(
                self.rows(&roster)
                    .iter()
                    .map(|row| row.get(id).map_or(Value::Missing, json_value))
                    .collect(),
            );
        }
        self.answers
            .and_then(|a| a.get(id))
            .map_or(Value::Missing, json_value)
    }

    fn current(&self) -> Value {
        Value::Missing
    }

    fn registry(&self, field: &str) -> Value {
        self.registry.get(field).cloned().unwrap_or(Value::Missing)
    }

    fn setting(&self, name: &str) -> Value {
        self.settings.value(name)
    }

    /// The interview's date when it was answered, else today.
    fn today(&self) -> NaiveDate {
        *self.today.get_or_init(|| {
            self.text_answer("interview_date")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .unwrap_or_else(|| chrono::Local::now().date_naive())
        })
    }
}

/// The evidence of a rule: every answer, registry field and setting its expression reads,
/// once each, in the order written.
fn evidence(rule: &Rule, scope: &ResultScope) -> Vec<Evidence> {
    let ast = &rule.expression.ast;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in ast.references() {
        if seen.insert((EvidenceSource::Answer, id)) {
            let value = if scope.is_roster(id) {
                Json::from(scope.rows(id).len())
            } else {
                value_json(&scope.answer(id))
            };
            out.push(Evidence {
                source: EvidenceSource::Answer,
                name: id.to_string(),
                value,
            });
        }
    }
    for f in ast.registry_fields() {
        if seen.insert((EvidenceSource::Registry, f)) {
            out.push(Evidence {
                source: EvidenceSource::Registry,
                name: f.to_string(),
                value: value_json(&scope.registry(f)),
            });
        }
    }
    for s in ast.settings() {
        if seen.insert((EvidenceSource::Setting, s)) {
            out.push(Evidence {
                source: EvidenceSource::Setting,
                name: s.to_string(),
                value: value_json(&scope.setting(s)),
            });
        }
    }
    out
}

/// One interview to reconcile.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub household: &'a Household,
    /// The interview's result JSON (`InterviewRecord::result`).
    pub result: &'a Json,
    /// The kind of questionnaire the interview was made with.
    pub kind: Kind,
    pub interview_id: Uuid,
    pub in_progress: bool,
}

/// Where a household is: the registry's names, else (a household the registry does not
/// know) the interview's answers `county`, `township`, `village`, `head_name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub county: String,
    pub township: String,
    pub village: String,
    pub head_name: String,
}

impl Place {
    pub fn of(household: &Household, result: &Json) -> Place {
        let answer = |id: &str| {
            result
                .get("answers")
                .and_then(|a| a.get(id))
                .and_then(Json::as_str)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let pick = |registry: &str, id: &str| {
            if registry.trim().is_empty() {
                answer(id)
            } else {
                registry.to_string()
            }
        };
        Place {
            county: pick(&household.county, "county"),
            township: pick(&household.township, "township"),
            village: pick(&household.village, "village"),
            head_name: pick(&household.head_name, "head_name"),
        }
    }
}

/// Evaluates every rule of the subject's kind; one finding per rule that fires, in rule
/// order.
pub fn reconcile_subject(s: &Subject, rules: &RuleSet, settings: &Settings) -> Vec<Finding> {
    let scope = ResultScope::new(
        s.result,
        rules.shapes.get(&s.kind),
        registry_values(s.household),
        settings,
    );
    let mut place: Option<Place> = None;
    let mut out = Vec::new();
    for rule in rules.for_kind(s.kind) {
        if !rule.expression.ast.eval_bool(&scope) {
            continue;
        }
        let p = place.get_or_insert_with(|| Place::of(s.household, s.result));
        out.push(Finding {
            household_id: s.household.household_id.clone(),
            interview_id: s.interview_id,
            head_name: p.head_name.clone(),
            county: p.county.clone(),
            township: p.township.clone(),
            village: p.village.clone(),
            household_kind: s.kind,
            kind: rule.finding,
            rule: rule.id.clone(),
            severity: rule.severity,
            message: rule.message.clone(),
            evidence: evidence(rule, &scope),
            in_progress: s.in_progress,
        });
    }
    out
}

/// The findings of one household's interview result (`kind`: the questionnaire it was made
/// with). The findings carry a nil interview id and count as completed; use
/// [`reconcile_subject`] to give both.
pub fn reconcile(
    household: &Household,
    result: &Json,
    kind: Kind,
    rules: &RuleSet,
    settings: &Settings,
) -> Vec<Finding> {
    reconcile_subject(
        &Subject {
            household,
            result,
            kind,
            interview_id: Uuid::nil(),
            in_progress: false,
        },
        rules,
        settings,
    )
}
