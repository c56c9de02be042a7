//! `ruhu check`: validates questionnaires, and the reconciliation rules and settings beside
//! them, and prints every error.
//!
//! - no path: the bundled questionnaires, rules and settings;
//! - a folder: its questionnaires, and its `rules.json` and `settings.json` when present (the
//!   rules checked against the folder's questionnaires — the bundled ones for kinds the folder
//!   lacks — and its settings, else the bundled settings);
//! - a file named `rules.json` or `*.rules.json`: that rules file, against the bundled
//!   questionnaires and the `settings.json` beside it (else the bundled settings);
//! - a file named `settings.json` or `*.settings.json`: that settings file;
//! - any other file: one questionnaire.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value as Json, json};

use super::{Format, print_report};
use crate::i18n::Lang;
use crate::questionnaire::{self, Kind, LoadReport, QuestionType, Questionnaire};
use crate::reconcile::{RuleError, RuleSet, Settings};
use crate::tr;

/// What one run checks.
struct Checked {
    /// Questionnaires reported (not when checking a rules or settings file alone).
    report: Option<LoadReport>,
    settings: Option<(String, Result<Settings, Vec<RuleError>>)>,
    rules: Option<(String, Result<RuleSet, Vec<RuleError>>)>,
}

fn named(path: &Path, suffix: &str) -> bool {
    path.is_file()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n == suffix || n.ends_with(&format!(".{suffix}")))
}

/// The questionnaires to check rules against: those loaded, the bundled ones for the kinds
/// they lack.
fn forms_for_rules(report: Option<&LoadReport>) -> Vec<Questionnaire> {
    let mut by_kind: BTreeMap<Kind, Questionnaire> = BTreeMap::new();
    for q in questionnaire::load_bundled().questionnaires {
        by_kind.insert(q.kind, q);
    }
    if let Some(r) = report {
        for q in &r.questionnaires {
            by_kind.insert(q.kind, q.clone());
        }
    }
    by_kind.into_values().collect()
}

fn check_rules(
    file: String,
    path: Option<&Path>,
    forms: &[Questionnaire],
    settings: Option<&Settings>,
) -> (String, Result<RuleSet, Vec<RuleError>>) {
    let refs: Vec<&Questionnaire> = forms.iter().collect();
    let result = match path {
        Some(p) => RuleSet::load(p, &refs, settings),
        None => RuleSet::bundled(&refs, settings),
    };
    (file, result)
}

fn gather(path: Option<&Path>) -> Checked {
    let Some(path) = path else {
        let report = questionnaire::load_bundled();
        let settings = Settings::bundled();
        let forms = forms_for_rules(Some(&report));
        let rules = check_rules(
            "questionnaires/rules.json".into(),
            None,
            &forms,
            settings.as_ref().ok(),
        );
        return Checked {
            report: Some(report),
            settings: Some(("questionnaires/settings.json".into(), settings)),
            rules: Some(rules),
        };
    };
    let show = |p: &Path| p.display().to_string();
    if named(path, "rules.json") {
        let beside: Option<PathBuf> = path
            .parent()
            .map(|d| d.join("settings.json"))
            .filter(|p| p.is_file());
        let settings = beside.as_ref().map(|p| (show(p), Settings::load(p)));
        let for_rules = match &settings {
            Some((_, s)) => s.as_ref().ok().cloned(),
            None => Settings::bundled().ok(),
        };
        let forms = forms_for_rules(None);
        return Checked {
            report: None,
            rules: Some(check_rules(
                show(path),
                Some(path),
                &forms,
                for_rules.as_ref(),
            )),
            settings,
        };
    }
    if named(path, "settings.json") {
        return Checked {
            report: None,
            settings: Some((show(path), Settings::load(path))),
            rules: None,
        };
    }
    let report = questionnaire::load_dir(path);
    if !path.is_dir() {
        return Checked {
            report: Some(report),
            settings: None,
            rules: None,
        };
    }
    let settings_path = path.join("settings.json");
    let settings = settings_path
        .is_file()
        .then(|| (show(&settings_path), Settings::load(&settings_path)));
    let for_rules = match &settings {
        Some((_, s)) => s.as_ref().ok().cloned(),
        None => Settings::bundled().ok(),
    };
    let rules_path = path.join("rules.json");
    let rules = rules_path.is_file().then(|| {
        let forms = forms_for_rules(Some(&report));
        check_rules(
            show(&rules_path),
            Some(&rules_path),
            &forms,
            for_rules.as_ref(),
        )
    });
    Checked {
        report: Some(report),
        settings,
        rules,
    }
}

pub(super) fn check(path: Option<&Path>, format: Format, lang: Lang) -> ExitCode {
    let checked = gather(path);
    let count = |q: &questionnaire::Questionnaire| {
        q.all_questions()
            .filter(|x| !matches!(x.kind, QuestionType::Note))
            .count()
    };
    let empty = LoadReport::default();
    let report = checked.report.as_ref().unwrap_or(&empty);
    let rule_errors: Vec<&RuleError> = checked
        .settings
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .chain(checked.rules.iter().filter_map(|(_, r)| r.as_ref().err()))
        .flatten()
        .collect();
    let ok = report.errors.is_empty() && rule_errors.is_empty();
    match format {
        Format::Json => {
            let forms: Vec<_> = report
                .questionnaires
                .iter()
                .map(|q| {
                    json!({
                        "file": q.source,
                        "id": q.id,
                        "version": q.version,
                        "kind": q.kind,
                        "questions": count(q),
                    })
                })
                .collect();
            let mut errors: Vec<Json> = report
                .errors
                .iter()
                .map(|e| serde_json::to_value(e).unwrap_or_default())
                .collect();
            errors.extend(
                rule_errors
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap_or_default()),
            );
            let settings = checked.settings.as_ref().map(|(file, s)| match s {
                Ok(s) => json!({
                    "file": file,
                    "ok": true,
                    "assessment_year": s.assessment_year,
                    "province": s.province,
                    "income_line": s.income_line(),
                }),
                Err(_) => json!({"file": file, "ok": false}),
            });
            let rules = checked.rules.as_ref().map(|(file, r)| match r {
                Ok(r) => json!({
                    "file": file,
                    "ok": true,
                    "version": r.version,
                    "rules": r.rules.len(),
                }),
                Err(_) => json!({"file": file, "ok": false}),
            });
            print_report(&json!({
                "ok": ok,
                "questionnaires": forms,
                "rules": rules,
                "settings": settings,
                "errors": errors,
            }));
        }
        Format::Text => {
            for q in &report.questionnaires {
                super::out_line(
                    tr!(
                        "✓ {}  {}（{} 版，{} 个问题）",
                        "ok {}  {} (version {}, {} questions)",
                        q.source,
                        q.title.get(lang),
                        q.version,
                        count(q)
                    )
                    .get(lang),
                );
            }
            if let Some((file, Ok(s))) = &checked.settings {
                super::out_line(
                    tr!(
                        "✓ {}  考核年度 {}，贫困线 {} 元",
                        "ok {}  assessment year {}, income line {} yuan",
                        file,
                        s.assessment_year,
                        s.income_line()
                            .map_or_else(|| "-".to_string(), |l| l.to_string())
                    )
                    .get(lang),
                );
            }
            if let Some((file, Ok(r))) = &checked.rules {
                super::out_line(
                    tr!(
                        "✓ {}  {} 条核查规则（{} 版）",
                        "ok {}  {} reconciliation rules (version {})",
                        file,
                        r.rules.len(),
                        r.version
                    )
                    .get(lang),
                );
            }
            for e in &report.errors {
                super::out_line(&format!("✗ {}", e.render(lang)));
            }
            for e in &rule_errors {
                super::out_line(&format!("✗ {}", e.render(lang)));
            }
            let n = report.errors.len() + rule_errors.len();
            if n > 0 {
                super::out_line(tr!("共 {} 处错误", "{} error(s)", n).get(lang));
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
