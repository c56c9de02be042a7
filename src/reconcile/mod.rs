//! Reconciliation: each household's interview result held against its registry (建档立卡)
//! record by rules that are data (`questionnaires/rules.json`, documented in
//! questionnaires/RULES.md), giving possible wrong exits (错退), missed cases (漏评), wrong
//! inclusions (错评), returned households (返贫) and data mismatches (信息不符), and the
//! assessment's rates. Pure domain: no database, no terminal.
//!
//! Where to start:
//! - [`Reconciler::load`] — rules and settings (bundled, or a questionnaire folder's), checked
//!   against the questionnaires in use;
//! - [`run()`] — every stored interview → findings (filtered) and the surveyed households;
//!   [`Reconciler::interview`] for one;
//! - [`rates()`] — the rates of the surveyed households per village, township or county;
//! - [`export`] — JSON, CSV and XLSX of findings (with auditors' [`Mark`]s) and rates;
//! - [`reconcile()`] — one household's result against its record, without a store.

mod engine;
mod error;
mod explain;
pub mod export;
mod finding;
mod mark;
pub mod members;
mod rates;
mod rules;
mod run;
mod scope;
mod settings;
#[cfg(test)]
mod tests;
pub mod visits;

pub use engine::{
    Place, Subject, json_value, reconcile, reconcile_subject, registry_values, value_json,
};
pub use error::{RuleError, RuleErrorKind};
pub use finding::{Evidence, EvidenceSource, Finding, FindingKey, FindingKind, Severity};
pub use mark::{Mark, MarkRecord, MarkStatus};
pub use rates::{
    GroupBy, GroupRates, Rate, RateReport, Rates, SATISFIED, Surveyed, Unit, rates, reviewed,
};
pub use rules::{BUNDLED_RULES, RULE_REGISTRY_FIELDS, Rule, RuleSet, is_registry_field};
pub use run::{Filter, Reconciler, Reconciliation, run, run_compact};
pub use scope::{ResultScope, Symbols, registry_value};
pub use settings::{
    ASSESSMENT_YEAR, BUNDLED_SETTINGS, INCOME_LINE, IncomeLine, RateName, Settings,
};
