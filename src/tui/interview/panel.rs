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
        let answered = choice_labels(form.question(&e.name), &e.value, lang);
        let text = match registry_of(e) {
            Some(r) => {
                paired.push(r.name.clone());
                tr!(
                    "  {}：答 {}，建档立卡 {}",
                    "  {}: answered {}, registry {}",
                    label,
                    answered,
                    plain(&r.value, lang)
                )
            }
            None => tr!("  {}：答 {}", "  {}: answered {}", label, answered),
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

/// An answer's value as plain text, a choice by its label (never its name).
fn choice_labels(
    q: Option<&crate::questionnaire::Question>,
    v: &serde_json::Value,
    lang: Lang,
) -> String {
    let label = |name: &str| {
        q.and_then(|q| q.choice(name))
            .map(|c| c.label.get(lang).to_string())
    };
    match v {
        serde_json::Value::String(s) => label(s).unwrap_or_else(|| s.clone()),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| choice_labels(q, x, lang))
            .collect::<Vec<_>>()
            .join("、"),
        other => plain(other, lang),
    }
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
        Status::Approved => tr!("（调查已通过审核）", "(interview approved)"),
        Status::Returned => tr!("（调查已退回）", "(interview returned)"),
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
    show_ids: bool,
) -> Vec<Line<'static>> {
    let w = w.max(4);
    // Masked before wrapping, so that no line break splits a number out of reach.
    let shown = |t: String| {
        if show_ids {
            t
        } else {
            crate::redact::mask_ids(&t)
        }
    };
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
        for l in wrap(&shown(head), w) {
            out.push(Line::from(Span::styled(l, style)));
        }
        if !evidence {
            continue;
        }
        for text in evidence_texts(fnd, form, lang) {
            for l in wrap(&shown(text), w) {
                out.push(Line::from(Span::styled(truncate(&l, w), theme::dim())));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::{Evidence, FindingKind};

    fn finding(evidence: Vec<Evidence>) -> Finding {
        Finding {
            household_id: "1".into(),
            interview_id: uuid::Uuid::nil(),
            head_name: "胡玉琴".into(),
            county: String::new(),
            township: String::new(),
            village: String::new(),
            household_kind: crate::questionnaire::Kind::Exited,
            kind: FindingKind::Mismatch,
            rule: "r".into(),
            severity: Severity::Finding,
            message: crate::i18n::Text::new("家庭人口数与建档立卡不符", "size differs"),
            evidence,
            in_progress: true,
            member: None,
            visits: None,
        }
    }

    #[test]
    fn evidence_reads_in_labels_with_the_registry_beside_the_answer() {
        let forms =
            crate::session::Forms::from_report(crate::questionnaire::load_bundled()).unwrap();
        let form = forms.get(crate::questionnaire::Kind::Exited).unwrap();
        let f = finding(vec![
            Evidence {
                source: EvidenceSource::Answer,
                name: "household_size".into(),
                value: serde_json::json!(5),
            },
            Evidence {
                source: EvidenceSource::Registry,
                name: "household_size".into(),
                value: serde_json::json!(4),
            },
            Evidence {
                source: EvidenceSource::Answer,
                name: "food_problem".into(),
                value: serde_json::json!(["grain_short"]),
            },
            Evidence {
                source: EvidenceSource::Setting,
                name: "household_size_tolerance".into(),
                value: serde_json::json!(0),
            },
        ]);
        let texts = evidence_texts(&f, &form, Lang::Zh);
        let all = texts.join("\n");
        assert!(all.contains("：答 5，建档立卡 4"), "{all}");
        assert!(all.contains("主粮不够吃"), "{all}");
        assert!(
            !all.contains("grain_short") && !all.contains("household_size"),
            "{all}"
        );
        // Every line of the panel within its width, the message whole.
        let lines = lines(&[f], &form, Status::InProgress, Lang::Zh, 21, true, false);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect();
        assert!(
            text.iter().all(|l| crate::tui::text::width(l) <= 21),
            "{text:?}"
        );
        assert!(
            text.concat().contains("家庭人口数与建档立卡不符"),
            "{text:?}"
        );
        assert!(text.concat().contains("（调查进行中）"), "{text:?}");
    }
}
