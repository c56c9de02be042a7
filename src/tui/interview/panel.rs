//! The possible findings of an interview in progress: what an assessor would flag from the
//! answers saved so far, each message whole (wrapped by display cells), its evidence in
//! words (`Finding::explanation`, the same lines as the auditors' screens and exports).

use ratatui::text::{Line, Span};

use super::super::text::{truncate, wrap};
use super::super::theme;
use crate::i18n::Lang;
use crate::interview::Status;
use crate::reconcile::{Finding, Severity};
use crate::tr;

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
        for text in &fnd.explanation {
            for l in wrap(&shown(format!("  {}", text.get(lang))), w) {
                out.push(Line::from(Span::styled(truncate(&l, w), theme::dim())));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_reads_in_labels_with_the_registry_beside_the_answer() {
        let forms =
            crate::session::Forms::from_report(crate::questionnaire::load_bundled()).unwrap();
        let settings = crate::reconcile::Settings::bundled().unwrap();
        let all_forms = forms.all();
        let rules = crate::reconcile::RuleSet::bundled(&all_forms, Some(&settings)).unwrap();
        let mut h = crate::registry::Household::provisional(
            "5323260010010001".into(),
            "胡玉琴".into(),
            "清溪村".into(),
        );
        h.provisional = false;
        h.status = crate::registry::Status::Exited;
        h.household_size = Some(4);
        let result = serde_json::json!({"answers": {"household_size": 5, "food_ok": false}});
        let found = crate::reconcile::reconcile(
            &h,
            &result,
            crate::questionnaire::Kind::Exited,
            &rules,
            &settings,
        );
        let f = found
            .iter()
            .find(|f| f.rule == "mismatch_household_size")
            .expect("size finding");
        let texts: Vec<&str> = f.explanation.iter().map(|t| t.get(Lang::Zh)).collect();
        let all = texts.join("\n");
        assert!(all.contains("家庭人口数：调查 5，建档立卡 4"), "{all}");
        assert!(!all.contains("household_size"), "{all}");
        // Every line of the panel within its width, the message whole, the evidence in it.
        let lines = lines(&found, Status::InProgress, Lang::Zh, 21, true, false);
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
        assert!(text.concat().contains("不愁吃：否"), "{text:?}");
        assert!(text.concat().contains("（调查进行中）"), "{text:?}");
    }
}
