//! The review of an interview: every question shown with its answer, what is missing, what
//! was skipped on purpose, and completing it (after a yes).

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::ctx::{Ctx, SaveState};
use super::super::keymap::Action;
use super::super::screen::Nav;
use super::super::text::computed_text;
use super::super::text::{pad, truncate, width};
use super::super::theme;
use super::{Confirm, Interview};
use crate::i18n::Lang;
use crate::questionnaire::QuestionType;
use crate::tr;

/// The ids listed on the review screen: every relevant top-level question but notes.
pub fn review_items(v: &Interview) -> Vec<String> {
    let iv = &v.session.interview;
    iv.steps()
        .filter(|q| !matches!(q.kind, QuestionType::Note) && iv.is_relevant(&q.id))
        .map(|q| q.id.clone())
        .collect()
}

impl Interview {
    pub(super) fn act_review(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        let lang = ctx.lang;
        let items = review_items(self);
        let cursor = self.review.unwrap_or(0);
        let last = items.len().saturating_sub(1);
        match action {
            Action::Up => self.review = Some(cursor.saturating_sub(1)),
            Action::Down => self.review = Some((cursor + 1).min(last)),
            Action::PageUp => self.review = Some(cursor.saturating_sub(10)),
            Action::PageDown => self.review = Some((cursor + 10).min(last)),
            Action::Back => self.review = None,
            Action::Flags => self.flags = Some(0),
            Action::Confirm => {
                if let Some(id) = items.get(cursor) {
                    self.session.interview.go_to(id);
                    self.review = None;
                    self.row_edit = None;
                    self.row_cursor = 0;
                    self.load_input(lang);
                }
            }
            Action::Complete => {
                if let Some(why) = ctx.refusal(tr!("完成调查", "complete the interview")) {
                    self.save = SaveState::Failed(why.clone());
                    ctx.flash_error(why);
                } else if let Some(m) = self.missing_message(lang) {
                    ctx.flash_error(m);
                } else {
                    ctx.say(tr!(
                        "完成这次调查吗？完成后仍可修改。按 y 完成，n 取消",
                        "complete this interview? It can still be changed afterwards. y completes, n cancels"
                    ));
                    self.confirm = Some(Confirm::Complete);
                }
            }
            _ => {}
        }
        Nav::Stay
    }

    /// Why the interview cannot be completed yet, naming what is missing.
    fn missing_message(&self, lang: Lang) -> Option<crate::i18n::Text> {
        let missing = self.session.interview.missing();
        if missing.is_empty() {
            return None;
        }
        let form = self.session.interview.form();
        let names: Vec<String> = missing
            .iter()
            .take(6)
            .map(|m| {
                let label = form
                    .question(&m.question)
                    .map_or(m.question.clone(), |q| q.label.get(lang).to_string());
                match &m.row {
                    Some((_, i, _)) => match lang {
                        Lang::Zh => format!("第{}行{}", i + 1, label),
                        Lang::En => format!("row {} {}", i + 1, label),
                    },
                    None => label,
                }
            })
            .collect();
        let more = missing.len().saturating_sub(6);
        let list = names.join(if lang == Lang::Zh { "、" } else { "; " });
        Some(if more > 0 {
            tr!(
                "还不能完成，缺少必答题：{} 等{}题",
                "cannot complete yet, required answers missing: {} and {} more",
                list,
                more
            )
        } else {
            tr!(
                "还不能完成，缺少必答题：{}",
                "cannot complete yet, required answers missing: {}",
                list
            )
        })
    }

    /// Completes the interview (the cadre said yes).
    /// True when it was completed and saved.
    pub(super) fn complete(&mut self, ctx: &mut Ctx) -> bool {
        match self.session.complete(&ctx.ws) {
            Ok(Ok(())) => {
                ctx.say(tr!("调查已完成并保存", "interview completed and saved"));
                self.save = SaveState::Saved(self.session.record.updated_at);
                self.reflag(ctx);
                true
            }
            Ok(Err(_)) => {
                if let Some(m) = self.missing_message(ctx.lang) {
                    ctx.flash_error(m);
                }
                false
            }
            Err(e) => {
                let m = ctx.note_failure(&e);
                self.save = SaveState::Failed(m.clone());
                ctx.flash_error(m);
                false
            }
        }
    }
}

pub(super) fn draw_review(f: &mut Frame, v: &Interview, lang: Lang, area: Rect) {
    let iv = &v.session.interview;
    let items = review_items(v);
    let cursor = v.review.unwrap_or(0);
    let missing: HashSet<String> = iv
        .missing()
        .into_iter()
        .map(|m| m.row.map_or(m.question, |(r, _, _)| r))
        .collect();
    let skipped = &v.session.record.skipped;
    let skipped_in = |id: &str, q: &crate::questionnaire::Question| -> usize {
        match &q.kind {
            QuestionType::Roster { .. } => {
                let rows = iv.rows(id);
                skipped
                    .iter()
                    .filter_map(|s| Some((s.row.as_deref()?, s.question_id.as_str())))
                    .filter(|(row, qid)| {
                        rows.iter()
                            .find(|r| r.id == *row)
                            .is_some_and(|r| !r.values.contains_key(*qid))
                    })
                    .count()
            }
            _ => usize::from(
                skipped
                    .iter()
                    .any(|s| s.row.is_none() && s.question_id == id)
                    && iv.answer(id).is_none(),
            ),
        }
    };
    let skipped_total: usize = items
        .iter()
        .filter_map(|id| iv.form().question(id).map(|q| skipped_in(id, q)))
        .sum();
    let w = area.width as usize;
    let label_w = (w * 11 / 20).max(10);
    let status = v.session.record.status.label();
    let mut lines = vec![Line::from(Span::styled(
        truncate(
            tr!(
                " 检查全部答案（{}；{} 题，缺 {} 题，跳过 {} 题）",
                " Review all answers ({}; {} questions, {} missing, {} skipped)",
                status.get(lang),
                items.len(),
                missing.len(),
                skipped_total
            )
            .get(lang),
            w,
        ),
        theme::heading(),
    ))];
    // The team lead's comment on a returned interview, above the answers it is about.
    let review = v
        .session
        .record
        .review
        .as_ref()
        .filter(|r| r.decision == crate::interview::Decision::Return);
    if let Some(r) = review.filter(|r| !r.comment.is_empty()) {
        let t = tr!(
            "! 组长退回（{}）：{}",
            "! returned by the team lead ({}): {}",
            r.by,
            r.comment
        );
        lines.push(Line::from(Span::styled(
            truncate(t.get(lang), w),
            theme::warn(),
        )));
    }
    let rows_h = area.height.saturating_sub(lines.len() as u16) as usize;
    let start = cursor.saturating_sub(rows_h.saturating_sub(1));
    for (i, id) in items.iter().enumerate().skip(start).take(rows_h) {
        let Some(q) = iv.form().question(id) else {
            continue;
        };
        let skipped = skipped_in(id, q);
        let mut answer = match &q.kind {
            QuestionType::Calculate(_) => {
                format!("= {}", computed_text(iv.form(), q, &iv.value(id), lang))
            }
            QuestionType::Roster { .. } => tr!("{} 行", "{} rows", iv.rows(id).len())
                .get(lang)
                .to_string(),
            _ => iv
                .answer(id)
                .map(|a| v.shown(a.display(q, lang)))
                .unwrap_or_else(|| {
                    if skipped > 0 {
                        tr!("（跳过）", "(skipped)").get(lang).to_string()
                    } else {
                        tr!("（未答）", "(no answer)").get(lang).to_string()
                    }
                }),
        };
        // The registry's value beside an answer that differs from it.
        if let (Some(given), Some(reg)) = (
            iv.answer(id).map(|a| a.display(q, lang)),
            v.session.registry_value(&v.household, id, None),
        ) && given != reg.get(lang)
        {
            let reg = v.shown(reg.get(lang).to_string());
            answer.push_str(tr!("（建档立卡：{}）", " (registry: {})", reg).get(lang));
        }
        if let Some(c) = review.and_then(|r| r.questions.get(id)) {
            answer.push_str(tr!("（组长：{}）", " (team lead: {})", c).get(lang));
        }
        if matches!(q.kind, QuestionType::Roster { .. }) && skipped > 0 {
            answer.push_str(tr!("，跳过 {} 题", ", {} skipped", skipped).get(lang));
        }
        let commented = review.is_some_and(|r| r.questions.contains_key(id));
        let flag = if missing.contains(id) || commented {
            "! "
        } else if skipped > 0 {
            "- "
        } else {
            "  "
        };
        let label = truncate(q.label.get(lang), label_w);
        let text = format!(
            "{flag}{} {}",
            pad(&label, label_w.max(width(&label))),
            truncate(&answer, w.saturating_sub(label_w + 3))
        );
        let style = if i == cursor {
            theme::selected()
        } else if missing.contains(id) {
            theme::error()
        } else if skipped > 0 || commented {
            theme::warn()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(truncate(&text, w), style)));
    }
    f.render_widget(Paragraph::new(lines), area);
}
