//! Holding one interview's result against the household's registry record: every rule of
//! the household's kind is evaluated over a [`Scope`] that reads the stored result JSON
//! directly (no event replay, no questionnaire logic run again), the registry record and the
//! settings; each rule that comes out true is a [`Finding`] with its evidence.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use uuid::Uuid;

use super::finding::{Evidence, EvidenceSource, Finding};
use super::rules::{Rule, RuleSet};
use super::scope::{ResultScope, registry_value};
use super::settings::Settings;
use crate::interview::compact::{self, Compact};
use crate::questionnaire::Kind;
use crate::questionnaire::REGISTRY_FIELDS;
use crate::questionnaire::expr::{Scope, Value};
use crate::registry::Household;

/// The registry as rules see it, every field at once (see [`registry_value`]): for showing
/// a household's record beside its findings.
pub fn registry_values(household: &Household) -> BTreeMap<String, Value> {
    REGISTRY_FIELDS
        .iter()
        .chain(super::rules::RULE_REGISTRY_FIELDS)
        .copied()
        .map(|f| (f.to_string(), registry_value(household, f)))
        .filter(|(_, v)| !v.is_missing())
        .collect()
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

/// The evidence of a rule: every answer, registry field and setting its expression reads,
/// once each, in the order written.
fn evidence(rule: &Rule, scope: &ResultScope) -> Vec<Evidence> {
    let ast = &rule.expression.ast;
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    for id in ast.references() {
        if seen.insert((EvidenceSource::Answer, id)) {
            let value = if scope.is_roster(id) {
                Json::from(scope.row_count(id))
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
    /// The interview's result (`InterviewRecord::result`), compact.
    pub result: &'a Compact<'a>,
    /// [`Symbols::code_slots`](super::Symbols::code_slots) of the dictionary the result
    /// was encoded with.
    pub code_slots: &'a [Option<usize>],
    /// The kind of questionnaire the interview was made with.
    pub kind: Kind,
    pub interview_id: Uuid,
    pub in_progress: bool,
    /// Who made the interview.
    pub interviewer: &'a str,
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
    /// From the registry record, else the answers.
    pub fn from_scope(scope: &ResultScope) -> Place {
        let household = scope.household();
        let pick = |registry: &str, id: &str| {
            if registry.trim().is_empty() {
                scope.text(id).unwrap_or_default()
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
        s.kind,
        &rules.symbols,
        s.code_slots,
        s.household,
        settings,
    )
    .with_in_progress(s.in_progress);
    findings(s, &scope, rules)
}

/// The findings of a subject whose scope is built already (the rates read the same scope).
pub fn findings(s: &Subject, scope: &ResultScope, rules: &RuleSet) -> Vec<Finding> {
    let mut place: Option<Place> = None;
    let mut out = Vec::new();
    let mut push =
        |kind, rule: String, severity, message, evidence: Vec<Evidence>, member: Option<String>| {
            let p = place.get_or_insert_with(|| {
                let mut p = Place::from_scope(scope);
                // A project's finding is named by the project.
                if !s.kind.is_household() && p.head_name.is_empty() {
                    p.head_name = scope.text("project_name").unwrap_or_default();
                }
                p
            });
            let explanation =
                super::explain::explain(&evidence, scope, &rules.labels, member.as_deref());
            out.push(Finding {
                household_id: s.household.household_id.clone(),
                interview_id: s.interview_id,
                head_name: p.head_name.clone(),
                county: p.county.clone(),
                township: p.township.clone(),
                village: p.village.clone(),
                household_kind: s.kind,
                subject: s.kind.subject(),
                kind,
                rule,
                severity,
                message,
                evidence,
                explanation,
                interviewer: s.interviewer.to_string(),
                in_progress: s.in_progress,
                member,
                visits: None,
            });
        };
    for rule in rules.for_kind(s.kind) {
        // Fires only when true as far as the answers go: an answer not given yet makes
        // what depends on it unknown, and an unknown rule does not fire.
        if rule.expression.ast.known_bool(scope) != Some(true) {
            continue;
        }
        push(
            rule.finding,
            rule.id.clone(),
            rule.severity,
            rule.message.clone(),
            evidence(rule, scope),
            None,
        );
    }
    for m in super::members::check(scope, s.kind, &rules.member_labels) {
        push(
            m.check.finding,
            m.check.id.to_string(),
            m.check.severity,
            m.message,
            m.evidence,
            Some(m.row),
        );
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
    rules.symbols.with_compact(
        |names| compact::encode_result(result, names),
        |result, code_slots| {
            reconcile_subject(
                &Subject {
                    household,
                    result,
                    code_slots,
                    kind,
                    interview_id: Uuid::nil(),
                    in_progress: false,
                    interviewer: "",
                },
                rules,
                settings,
            )
        },
    )
}
