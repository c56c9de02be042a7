//! The roster table of an interview: members added, edited question by question, removed
//! after a yes naming the member, and put back on request.

use ratatui::text::{Line, Span};

use super::super::ctx::{Ctx, SaveState};
use super::super::keymap::Action;
use super::super::screen::Nav;
use super::super::text::{pad, truncate, width};
use super::super::theme;
use super::{Confirm, Interview, Removed, RowEdit};
use crate::i18n::Lang;
use crate::questionnaire::{Question, QuestionType};
use crate::tr;

impl Interview {
    /// The questions of the roster shown now.
    fn roster_questions(&self) -> &[Question] {
        match &self.session.interview.current().kind {
            QuestionType::Roster { questions, .. } => questions,
            _ => &[],
        }
    }

    /// How a row reads in messages: its number and the member's name.
    fn row_label(&self, lang: Lang, i: usize) -> String {
        let iv = &self.session.interview;
        let roster = &iv.current().id;
        let name = iv
            .rows(roster)
            .get(i)
            .and_then(|r| {
                let q = self.roster_questions().iter().find(|q| q.id == "name")?;
                r.values.get("name").map(|a| a.display(q, lang))
            })
            .unwrap_or_default();
        match lang {
            Lang::Zh => format!("第{}行 {}", i + 1, name).trim_end().to_string(),
            Lang::En => format!("row {} {}", i + 1, name).trim_end().to_string(),
        }
    }

    pub(super) fn act_roster(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        let roster = self.session.interview.current().id.clone();
        let n = self.session.interview.rows(&roster).len();
        match action {
            Action::Up => self.row_cursor = self.row_cursor.saturating_sub(1),
            Action::Down => self.row_cursor = (self.row_cursor + 1).min(n.saturating_sub(1)),
            Action::AddRow => {
                let row_id = Self::new_row_id();
                if self.refuse_answer(ctx, format!("{roster}+{row_id}")) {
                    return Nav::Stay;
                }
                match self.session.interview.add_row(&roster, row_id.clone()) {
                    Ok(change) => {
                        if self.persist(ctx, &change) {
                            self.row_cursor = n;
                            self.edit_row(ctx.lang, row_id);
                        }
                    }
                    Err(e) => self.message = Some(e.message()),
                }
            }
            Action::RemoveRow => {
                if let Some(row) = self.session.interview.rows(&roster).get(self.row_cursor) {
                    let row_id = row.id.clone();
                    let label = self.row_label(ctx.lang, self.row_cursor);
                    ctx.say(tr!(
                        "删除{}和他（她）的全部答案吗？按 y 删除，n 取消",
                        "remove {} and all their answers? y removes, n cancels",
                        label
                    ));
                    self.confirm = Some(Confirm::RemoveRow { row_id, label });
                }
            }
            Action::Undo => self.undo_remove(ctx),
            Action::MoveUp => self.move_row(ctx, true),
            Action::MoveDown => self.move_row(ctx, false),
            Action::Confirm => {
                if let Some(row) = self.session.interview.rows(&roster).get(self.row_cursor) {
                    let id = row.id.clone();
                    self.edit_row(ctx.lang, id);
                } else {
                    self.message = Some(tr!("按 a 添加家庭成员", "press a to add a member"));
                }
            }
            Action::NextQuestion => {
                self.note_skip(ctx);
                self.advance(ctx);
            }
            Action::PreviousQuestion => self.retreat(ctx),
            Action::NextSection => self.go_to_section(ctx, true),
            Action::PreviousSection => self.go_to_section(ctx, false),
            Action::Review => self.review = Some(0),
            Action::Flags => self.flags = Some(0),
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    /// A row operation of the session that failed: counted, shown, the row remembered as
    /// not saved.
    fn row_failed(&mut self, ctx: &mut Ctx, key: String, e: &crate::store::StoreError) {
        let m = ctx.note_failure(e);
        ctx.unsaved
            .answers
            .insert((self.session.record.interview_id, key));
        self.save = SaveState::Failed(m.clone());
        self.message = Some(m);
    }

    /// Removes a row (the cadre said yes), keeping it to put back.
    pub(super) fn remove_row(&mut self, ctx: &mut Ctx, row_id: &str, label: String) {
        let roster = self.session.interview.current().id.clone();
        let key = format!("{roster}-{row_id}");
        if self.refuse_answer(ctx, key.clone()) {
            return;
        }
        match self.session.remove_row(&ctx.ws, &roster, row_id) {
            Ok(Some(row)) => {
                ctx.unsaved
                    .answers
                    .remove(&(self.session.record.interview_id, key));
                self.save = SaveState::Saved(self.session.record.updated_at);
                self.reflag(ctx);
                let n = self.session.interview.rows(&roster).len();
                self.row_cursor = self.row_cursor.min(n.saturating_sub(1));
                ctx.say(tr!(
                    "已删除{}；按 u 恢复",
                    "removed {}; u puts it back",
                    label
                ));
                self.removed = Some(Removed { row, label });
            }
            Ok(None) => {}
            Err(e) => self.row_failed(ctx, key, &e),
        }
    }

    /// Puts the row removed last back where it stood, with its answers.
    fn undo_remove(&mut self, ctx: &mut Ctx) {
        let Some(r) = self.removed.take() else {
            ctx.say(tr!("没有可以恢复的成员", "nothing to put back"));
            return;
        };
        if r.row.roster != self.session.interview.current().id {
            self.removed = Some(r);
            return;
        }
        let key = format!("{}+{}", r.row.roster, r.row.row.id);
        if self.refuse_answer(ctx, key.clone()) {
            self.removed = Some(r);
            return;
        }
        match self.session.restore_row(&ctx.ws, &r.row) {
            Ok(true) => {
                self.save = SaveState::Saved(self.session.record.updated_at);
                self.reflag(ctx);
                if let Some(i) = self
                    .session
                    .interview
                    .answers()
                    .row_index(&r.row.roster, &r.row.row.id)
                {
                    self.row_cursor = i;
                }
                ctx.say(tr!("已恢复{}", "put back {}", r.label));
            }
            Ok(false) => ctx.flash_error(tr!(
                "不能恢复{}（这一行已经在，或成员已满）",
                "cannot put back {} (the row is there, or the roster is full)",
                r.label
            )),
            Err(e) => {
                self.row_failed(ctx, key, &e);
                self.removed = Some(r);
            }
        }
    }

    /// Moves the selected row one place up or down.
    fn move_row(&mut self, ctx: &mut Ctx, up: bool) {
        let roster = self.session.interview.current().id.clone();
        let Some(row) = self
            .session
            .interview
            .rows(&roster)
            .get(self.row_cursor)
            .map(|r| r.id.clone())
        else {
            return;
        };
        let key = format!("{roster}~{row}");
        if self.refuse_answer(ctx, key.clone()) {
            return;
        }
        match self.session.move_row(&ctx.ws, &roster, &row, up) {
            Ok(Some(at)) => {
                self.save = SaveState::Saved(at);
                self.reflag(ctx);
                if let Some(i) = self.session.interview.answers().row_index(&roster, &row) {
                    self.row_cursor = i;
                }
            }
            Ok(None) => {}
            Err(e) => self.row_failed(ctx, key, &e),
        }
    }

    /// Starts editing a roster row at its first unanswered question that is shown (its first
    /// shown question when all are answered).
    pub(super) fn edit_row(&mut self, lang: Lang, row_id: String) {
        self.row_edit = Some(RowEdit {
            row_id,
            question: 0,
        });
        let shown: Vec<usize> = (0..self.roster_questions().len())
            .filter(|&qi| self.row_question_shown(qi))
            .collect();
        let first_open = shown.iter().copied().find(|&qi| {
            let q = &self.roster_questions()[qi];
            self.row_values().is_none_or(|v| !v.contains_key(&q.id))
        });
        match first_open.or(shown.first().copied()) {
            Some(qi) => {
                if let Some(e) = self.row_edit.as_mut() {
                    e.question = qi;
                }
            }
            None => self.row_edit = None,
        }
        self.load_input(lang);
    }

    /// The answers of the row being edited.
    pub(super) fn row_values(
        &self,
    ) -> Option<&std::collections::BTreeMap<String, crate::interview::Answer>> {
        let e = self.row_edit.as_ref()?;
        let roster = &self.session.interview.current().id;
        self.session
            .interview
            .rows(roster)
            .iter()
            .find(|r| r.id == e.row_id)
            .map(|r| &r.values)
    }

    /// Whether roster question `qi` is asked in the row being edited now.
    fn row_question_shown(&self, qi: usize) -> bool {
        let Some(q) = self.roster_questions().get(qi) else {
            return false;
        };
        if !q.kind.is_input() {
            return false;
        }
        match self.row_scope() {
            Some((roster, i)) => self.session.interview.is_row_relevant(&roster, i, &q.id),
            None => false,
        }
    }

    /// Moves the row edit to the next question shown; back to the table (on this row) after
    /// the last.
    pub(super) fn next_row_question(&mut self) {
        let count = self.roster_questions().len();
        let at = self.row_scope().map(|(_, i)| i);
        loop {
            let Some(e) = self.row_edit.as_mut() else {
                return;
            };
            e.question += 1;
            if e.question >= count {
                self.row_edit = None;
                self.message = None;
                if let Some(i) = at {
                    self.row_cursor = i;
                }
                return;
            }
            let qi = e.question;
            if self.row_question_shown(qi) {
                return;
            }
        }
    }

    /// Back through the row's questions, or to the table (on this row).
    pub(super) fn previous_row_question(&mut self) {
        let Some(start) = self.row_edit.as_ref().map(|e| e.question) else {
            return;
        };
        let found = (0..start).rev().find(|&qi| self.row_question_shown(qi));
        match found {
            Some(qi) => {
                if let Some(e) = self.row_edit.as_mut() {
                    e.question = qi;
                }
            }
            None => {
                if let Some((_, i)) = self.row_scope() {
                    self.row_cursor = i;
                }
                self.row_edit = None;
            }
        }
    }
}

/// The roster table: a column per question that fits, each as wide as its label and its
/// answers need (within reason), in display cells.
pub(super) fn roster_table(
    lines: &mut Vec<Line<'static>>,
    v: &Interview,
    questions: &[Question],
    max_rows: usize,
    lang: Lang,
    w: usize,
) {
    let iv = &v.session.interview;
    let roster = &iv.current().id;
    let rows = iv.rows(roster);
    let cell = |r: &crate::interview::Row, q: &Question| {
        r.values
            .get(&q.id)
            .map(|a| v.shown(a.display(q, lang)))
            .unwrap_or_default()
    };
    let num_w = 3;
    let mut cols: Vec<(&Question, usize)> = Vec::new();
    let mut used = num_w;
    for q in questions.iter().filter(|q| q.kind.is_input()) {
        let want = rows
            .iter()
            .map(|r| width(&cell(r, q)))
            .chain(std::iter::once(width(q.label.get(lang))))
            .max()
            .unwrap_or(4)
            .clamp(4, 20);
        if used + 1 + want > w {
            // The last column that fits takes what is left, when that is worth showing.
            let rest = w.saturating_sub(used + 1);
            if rest >= width(q.label.get(lang)).max(6) {
                cols.push((q, rest));
            }
            break;
        }
        used += 1 + want;
        cols.push((q, want));
    }
    let header: String = std::iter::once(pad("#", num_w))
        .chain(cols.iter().map(|(q, cw)| pad(q.label.get(lang), *cw)))
        .collect::<Vec<_>>()
        .join(" ");
    lines.push(Line::from(Span::styled(
        truncate(&header, w),
        theme::heading(),
    )));
    for (i, r) in rows.iter().enumerate() {
        let cells: String = std::iter::once(pad(&(i + 1).to_string(), num_w))
            .chain(cols.iter().map(|(q, cw)| pad(&cell(r, q), *cw)))
            .collect::<Vec<_>>()
            .join(" ");
        let style = if i == v.row_cursor {
            theme::selected()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(truncate(&cells, w), style)));
    }
    let more = questions.iter().filter(|q| q.kind.is_input()).count() - cols.len();
    let note = if more > 0 {
        tr!(
            "共 {} 行（最多 {} 行）；另有 {} 栏在检查页和行内",
            "{} rows (at most {}); {} more columns in the row and the review",
            rows.len(),
            max_rows,
            more
        )
    } else {
        tr!(
            "共 {} 行（最多 {} 行）",
            "{} rows (at most {})",
            rows.len(),
            max_rows
        )
    };
    lines.push(Line::from(Span::styled(
        truncate(note.get(lang), w),
        theme::dim(),
    )));
}
