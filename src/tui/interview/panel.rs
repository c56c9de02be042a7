//! The possible findings of an interview in progress: what an assessor would flag from the
//! answers saved so far, each message whole (wrapped by display cells), its evidence named
//! by the questions' labels, the answer beside the registry's value.

use ratatui::text::{Line, Span};

use super::super::text::{truncate, wrap};
use super::super::theme;
use crate::i18n::Lang;
use crate::interview::Status;
use crate::questionnaire::Questionnaire;
use crate::reconcile::{EvidenceSource, Finding, Severity};
use crate::tr;

/// How a piece of evidence is named: the label of the question it is (or that shows the
/// registry field), else its name.
fn evidence_label(form: &Questionnaire, source: EvidenceSource, name: &str, lang: Lang) -> String {
    let by_question = match source {
        EvidenceSource::Answer => form.question(name),
        EvidenceSource::Registry => form
            .top_level()
            .map(|(_, q)| q)
            .find(|q| q.registry.as_deref() == Some(name)),
        EvidenceSource::Setting => None,
    };
    by_question.map_or_else(|| name.to_string(), |q| q.label.get(lang).to_string())
}

/// The evidence of a finding as the cadre reads it: each answer with the registry's value
/// beside it when the rule compared the two, then registry values on their own. The
/// assessment's settings (thresholds) are left to the auditors' screen.
fn evidence_texts(fnd: &Finding, form: &Questionnaire, lang: Lang) -> Vec<String> {
    let registry_of = |e: &crate::reconcile::Evidence| {
        form.question(&e.name)
            .and_then(|q| q.registry.clone())
            .and_then(|field| {
                fnd.evidence
                    .iter()
                    .find(|r| r.source == EvidenceSource::Registry && r.name == field)
            })
    };
    let mut paired = Vec::new();
    let mut out = Vec::new();
    for e in fnd
        .evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Answer)
    {
        let label = evidence_label(form, e.source, &e.name, lang);
        let text = match registry_of(e) {
            Some(r) => {
                paired.push(r.name.clone());
                tr!(
                    "  {}：答 {}，建档立卡 {}",
                    "  {}: answered {}, registry {}",
                    label,
                    plain(&e.value, lang),
                    plain(&r.value, lang)
                )
            }
            None => tr!(
                "  {}：答 {}",
                "  {}: answered {}",
                label,
                plain(&e.value, lang)
            ),
        };
        out.push(text.get(lang).to_string());
    }
    for e in fnd
        .evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Registry && !paired.contains(&e.name))
    {
        let t = tr!(
            "  建档立卡 {}：{}",
            "  registry {}: {}",
            evidence_label(form, e.source, &e.name, lang),
            plain(&e.value, lang)
        );
        out.push(t.get(lang).to_string());
    }
    out
}

/// A JSON value as plain text (no quotes; null as a dash).
fn plain(v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::Null => tr!("（未答）", "(none)").get(lang).to_string(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => tr!("是", "yes").get(lang).to_string(),
        serde_json::Value::Bool(false) => tr!("否", "no").get(lang).to_string(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| plain(x, lang))
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

/// The heading: how many, and that the interview is still in progress when it is.
fn heading(findings: &[Finding], status: Status, lang: Lang) -> String {
    let state = match status {
        Status::InProgress => tr!("（调查进行中）", "(interview in progress)"),
        Status::Completed => tr!("（调查已完成）", "(interview completed)"),
    };
    let head = if findings.is_empty() {
        tr!(
            "按目前的答案，考核不会发现问题",
            "With these answers an assessor would flag nothing"
        )
    } else {
        tr!(
            "考核可能发现 {} 项：",
            "An assessor may flag {}:",
            findings.len()
        )
    };
    format!("{}\n{}", head.get(lang), state.get(lang))
}

/// The findings as lines of at most `w` cells: every message whole, and (with `evidence`)
/// the answers and registry values behind each.
pub fn lines(
    findings: &[Finding],
    form: &Questionnaire,
    status: Status,
    lang: Lang,
    w: usize,
    evidence: bool,
) -> Vec<Line<'static>> {
    let w = w.max(4);
    let mut out = Vec::new();
    let style = if findings.is_empty() {
        theme::ok()
    } else {
        theme::warn()
    };
    for l in wrap(&heading(findings, status, lang), w) {
        out.push(Line::from(Span::styled(l, style)));
    }
    for fnd in findings {
        let mark = match fnd.severity {
            Severity::Finding => "!",
            Severity::Warning => "?",
        };
        let style = match fnd.severity {
            Severity::Finding => theme::error(),
            Severity::Warning => theme::warn(),
        };
        let head = format!(
            "{mark} {}：{}",
            fnd.kind.label().get(lang),
            fnd.message.get(lang)
        );
        for l in wrap(&head, w) {
            out.push(Line::from(Span::styled(l, style)));
        }
        if !evidence {
            continue;
        }
        for text in evidence_texts(fnd, form, lang) {
            for l in wrap(&text, w) {
                out.push(Line::from(Span::styled(truncate(&l, w), theme::dim())));
            }
        }
    }
    out
}
