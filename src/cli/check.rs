//! `ruhu check`: validates questionnaires and prints every error.

use std::process::ExitCode;

use serde_json::json;

use super::{Format, print_json};
use crate::i18n::Lang;
use crate::questionnaire::{self, LoadReport, QuestionType};
use crate::tr;

pub(super) fn check(report: &LoadReport, format: Format, lang: Lang) -> ExitCode {
    let count = |q: &questionnaire::Questionnaire| {
        q.all_questions()
            .filter(|x| !matches!(x.kind, QuestionType::Note))
            .count()
    };
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
            print_json(&json!({
                "ok": report.errors.is_empty(),
                "questionnaires": forms,
                "errors": report.errors,
            }));
        }
        Format::Text => {
            for q in &report.questionnaires {
                println!(
                    "{}",
                    tr!(
                        "✓ {}  {}（{} 版，{} 个问题）",
                        "ok {}  {} (version {}, {} questions)",
                        q.source,
                        q.title.get(lang),
                        q.version,
                        count(q)
                    )
                    .get(lang)
                );
            }
            for e in &report.errors {
                println!("✗ {}", e.render(lang));
            }
            if !report.errors.is_empty() {
                println!(
                    "{}",
                    tr!("共 {} 处错误", "{} error(s)", report.errors.len()).get(lang)
                );
            }
        }
    }
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
