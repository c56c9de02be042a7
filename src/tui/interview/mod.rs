//! The interview screen: one question at a time with an input that fits its type, the
//! roster table, the review, and the possible findings beside them. Every answer is one
//! session save; moving away from an edited answer saves it or stays with the reason.

mod draw;
mod panel;
mod review;
mod roster;

use std::any::Any;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::Line;
use tui_input::{Input, InputRequest};
use uuid::Uuid;

use super::ctx::{Ctx, SaveState};
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::screen::{Nav, Screen};
use super::text::input_request;
use crate::i18n::{Lang, Text};
use crate::interview::{Answer, AnswerError, Change, Skipped};
use crate::questionnaire::{Question, QuestionType};
use crate::reconcile::Finding;
use crate::registry::Household;
use crate::session::{RemovedRow, Session, SessionError};
use crate::tr;

/// Editing one roster row question by question.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEdit {
    pub row_id: String,
    /// Index into the roster's questions.
    pub question: usize,
}

/// What waits for the cadre's yes.
#[derive(Debug, Clone, PartialEq)]
enum Confirm {
    /// Removing a roster row: its id and how it reads (row number and name).
    RemoveRow {
        row_id: String,
        label: String,
    },
    Complete,
}

/// A roster row removed, kept to put it back, and how it reads.
#[derive(Debug, Clone)]
struct Removed {
    row: RemovedRow,
    label: String,
}

/// An interview on screen.
pub struct Interview {
    pub session: Session,
    pub household: Household,
    pub input: Input,
    pub choice: usize,
    /// Whether the highlighted choice was picked (by arrows or number) or is the stored
    /// answer: Enter on an untouched choice list saves nothing.
    pub touched: bool,
    pub ticks: Vec<String>,
    /// Whether the cadre typed or pasted into the text input (a value preloaded from the
    /// registry is not an edit until then).
    pub typed: bool,
    /// Validation message for what is being typed or was refused.
    pub message: Option<Text>,
    pub save: SaveState,
    pub row_cursor: usize,
    pub row_edit: Option<RowEdit>,
    /// Review screen cursor, when the review is open.
    pub review: Option<usize>,
    confirm: Option<Confirm>,
    removed: Option<Removed>,
    /// The possible findings on the whole screen (its scroll), when open.
    flags: Option<usize>,
    /// What an assessor would flag from the answers saved so far.
    pub findings: Vec<Finding>,
    /// ID numbers shown in full (`--show-ids`); masked otherwise, but in the field being
    /// edited.
    pub show_ids: bool,
}

/// Resumes the household's latest interview, or starts one; none (with the message shown)
/// when the store takes no writes or cannot be read.
pub fn open(ctx: &mut Ctx, h: Household) -> Option<Box<dyn Screen>> {
    if ctx.refused(tr!("开始或继续调查", "start or resume an interview")) {
        return None;
    }
    let mut starting = false;
    let session: Result<Session, SessionError> = match ctx.ws.latest_interview(&h.household_id) {
        Ok(Some(r)) => ctx.ws.resume(r.interview_id),
        Ok(None) => {
            starting = true;
            ctx.ws.start(&h, &ctx.interviewer)
        }
        Err(e) => Err(e),
    };
    match session {
        Ok(session) => {
            let mut v = Interview {
                session,
                household: h,
                input: Input::default(),
                choice: 0,
                touched: false,
                ticks: Vec::new(),
                typed: false,
                message: None,
                save: SaveState::Idle,
                row_cursor: 0,
                row_edit: None,
                review: None,
                confirm: None,
                removed: None,
                flags: None,
                findings: Vec::new(),
                show_ids: ctx.show_ids,
            };
            v.go_to_work_left();
            v.load_input(ctx.lang);
            v.reflag(ctx);
            Some(Box::new(v))
        }
        Err(e) => {
            let m = if starting {
                ctx.note_session_failure(&e)
            } else {
                e.message()
            };
            ctx.flash_error(m);
            None
        }
    }
}

/// Notes (read out) and calculations need no key: moving skips over them.
fn is_auto(q: &Question) -> bool {
    matches!(q.kind, QuestionType::Note | QuestionType::Calculate(_))
}

/// The options of a choice question as (name, label); yes/no gives 是 / 否.
pub fn options(q: &Question, lang: Lang) -> Vec<(String, String)> {
    match &q.kind {
        QuestionType::YesNo => vec![
            ("yes".into(), Text::new("是", "yes").get(lang).to_string()),
            ("no".into(), Text::new("否", "no").get(lang).to_string()),
        ],
        k => k
            .choices()
            .iter()
            .map(|c| (c.name.clone(), c.label.get(lang).to_string()))
            .collect(),
    }
}

/// The key that picks option `i`: 1–9, then a–z.
pub fn option_key(i: usize) -> Option<char> {
    match i {
        0..=8 => char::from_digit(i as u32 + 1, 10),
        9..=34 => char::from_u32('a' as u32 + (i as u32 - 9)),
        _ => None,
    }
}

/// The option a typed key picks (see [`option_key`]; full-width digits too; y/n and 是/否
/// for yes/no).
fn option_of_key(q: &Question, c: char) -> Option<usize> {
    match c {
        'y' | 'Y' | '是' if matches!(q.kind, QuestionType::YesNo) => Some(0),
        'n' | 'N' | '否' if matches!(q.kind, QuestionType::YesNo) => Some(1),
        _ if matches!(q.kind, QuestionType::YesNo) => match c {
            '1' | '１' => Some(0),
            '2' | '２' => Some(1),
            _ => None,
        },
        '1'..='9' => Some(c as usize - '1' as usize),
        '１'..='９' => Some(c as usize - '１' as usize),
        'a'..='z' => Some(c as usize - 'a' as usize + 9),
        _ => None,
    }
}

fn toggle(ticks: &mut Vec<String>, name: &str) {
    if let Some(i) = ticks.iter().position(|t| t == name) {
        ticks.remove(i);
    } else {
        ticks.push(name.to_string());
    }
}

/// The key of an answer among the unsaved: roster row and question, or the roster row added
/// or removed.
fn answer_key(change: &Change) -> String {
    match change {
        Change::Set { question, row, .. } => {
            question_key(row.as_ref().map(|r| r.row.as_str()), question)
        }
        Change::AddRow(r) => format!("{}+{}", r.roster, r.row),
        Change::RemoveRow(r) => format!("{}-{}", r.roster, r.row),
    }
}

fn question_key(row: Option<&str>, question: &str) -> String {
    format!("{}/{question}", row.unwrap_or(""))
}

impl Interview {
    /// A text as shown outside the field being edited: ID numbers masked unless
    /// `--show-ids`.
    pub fn shown(&self, text: String) -> String {
        if self.show_ids {
            text
        } else {
            crate::redact::mask_ids(&text)
        }
    }

    /// The question being answered: a top-level question or, while editing a row, a roster
    /// question.
    pub fn question(&self) -> &Question {
        let q = self.session.interview.current();
        match (&self.row_edit, &q.kind) {
            (Some(e), QuestionType::Roster { questions, .. }) => &questions[e.question],
            _ => q,
        }
    }

    /// The roster row being edited, as (roster id, row index).
    pub fn row_scope(&self) -> Option<(String, usize)> {
        let e = self.row_edit.as_ref()?;
        let roster = self.session.interview.current().id.clone();
        let idx = self
            .session
            .interview
            .answers()
            .row_index(&roster, &e.row_id)?;
        Some((roster, idx))
    }

    /// The stored answer of the question being answered.
    pub fn stored(&self) -> Option<&Answer> {
        let q = self.question();
        match &self.row_edit {
            Some(_) => self.row_values().and_then(|values| values.get(&q.id)),
            None => self.session.interview.answer(&q.id),
        }
    }

    /// The options of a choice question (yes/no included) as (name, label).
    pub fn options(&self, lang: Lang) -> Vec<(String, String)> {
        options(self.question(), lang)
    }

    fn is_roster_table(&self) -> bool {
        self.row_edit.is_none()
            && matches!(
                self.session.interview.current().kind,
                QuestionType::Roster { .. }
            )
    }

    fn is_choice(&self) -> bool {
        matches!(
            self.question().kind,
            QuestionType::SelectOne(_) | QuestionType::YesNo | QuestionType::SelectMultiple(_)
        )
    }

    /// Whether a top-level question still wants an answer (a roster: no row yet, or a
    /// required answer missing in a row).
    fn unanswered(&self, q: &Question) -> bool {
        let iv = &self.session.interview;
        match &q.kind {
            QuestionType::Roster { .. } => {
                iv.rows(&q.id).is_empty()
                    || iv
                        .missing()
                        .iter()
                        .any(|m| m.row.as_ref().is_some_and(|(r, _, _)| *r == q.id))
            }
            _ => iv.answer(&q.id).is_none(),
        }
    }

    /// Opens the interview where work is left: its first unanswered question that is shown
    /// and wants a key (the review when every one is answered).
    fn go_to_work_left(&mut self) {
        let iv = &self.session.interview;
        let first = iv
            .steps()
            .find(|q| iv.is_relevant(&q.id) && !is_auto(q) && self.unanswered(q))
            .map(|q| q.id.clone());
        match first {
            Some(id) => {
                self.session.interview.go_to(&id);
            }
            None => {
                self.skip_auto_forward();
                self.review = Some(0);
            }
        }
    }

    /// From a note or a calculation, on to the next question that wants a key (staying on
    /// the last one when there is none).
    fn skip_auto_forward(&mut self) {
        while is_auto(self.session.interview.current()) {
            if !self.session.interview.go_next() {
                break;
            }
        }
    }

    /// Loads the input widgets from the stored answer of the question now shown.
    fn load_input(&mut self, lang: Lang) {
        let q = self.question().clone();
        let stored = self.stored().cloned();
        self.message = None;
        self.ticks.clear();
        self.typed = false;
        self.choice = 0;
        self.touched = stored.is_some();
        self.input = Input::default();
        match (&q.kind, &stored) {
            (QuestionType::SelectOne(_), Some(Answer::Choice(c))) => {
                self.choice = q
                    .kind
                    .choices()
                    .iter()
                    .position(|x| &x.name == c)
                    .unwrap_or(0)
            }
            (QuestionType::YesNo, Some(Answer::Bool(b))) => self.choice = if *b { 0 } else { 1 },
            (QuestionType::SelectMultiple(_), Some(Answer::Choices(cs))) => self.ticks = cs.clone(),
            (_, Some(a)) if q.kind.is_input() => {
                let text = match a {
                    Answer::Decimal(d) => d.to_string(),
                    other => other.display(&q, lang),
                };
                self.input = Input::new(text);
            }
            // A date starts from the interview's date, confirmed with Enter (not saved by
            // moving on).
            (QuestionType::Date, None) => {
                let today = self.session.interview.context().today;
                self.input = Input::new(today.format("%Y-%m-%d").to_string());
            }
            // Identity fields start from the registry; the interviewer confirms or corrects.
            // A question answered unprompted never does.
            (QuestionType::Text, None) if q.prefill && !q.unprompted => {
                if let Some(crate::questionnaire::expr::Value::Text(t)) = q
                    .registry
                    .as_ref()
                    .and_then(|f| self.session.interview.context().registry.get(f))
                {
                    self.input = Input::new(t.clone());
                }
            }
            _ => {}
        }
    }

    /// The answer the widgets hold now (`None`: clear).
    fn pending(&self) -> Result<Option<Answer>, AnswerError> {
        let q = self.question();
        match &q.kind {
            QuestionType::SelectOne(_) | QuestionType::YesNo if !self.touched => {
                Ok(self.stored().cloned())
            }
            QuestionType::SelectOne(cs) => {
                Ok(cs.get(self.choice).map(|c| Answer::Choice(c.name.clone())))
            }
            QuestionType::YesNo => Ok(Some(Answer::Bool(self.choice == 0))),
            QuestionType::SelectMultiple(cs) => {
                let picked: Vec<String> = cs
                    .iter()
                    .filter(|c| self.ticks.contains(&c.name))
                    .map(|c| c.name.clone())
                    .collect();
                Ok((!picked.is_empty()).then_some(Answer::Choices(picked)))
            }
            _ => Answer::parse_input(q, self.input.value()),
        }
    }

    /// Whether the widgets hold something other than the saved answer.
    pub fn edited(&self) -> bool {
        if !self.question().kind.is_input() || self.is_roster_table() {
            return false;
        }
        if !self.is_choice() && !self.typed {
            return false;
        }
        match self.pending() {
            Ok(p) => p.as_ref() != self.stored(),
            Err(_) => true,
        }
    }

    /// Validates what is being typed, as it is typed.
    fn validate(&mut self) {
        #[cfg(test)]
        super::app::runs::bump(&super::app::runs::VALIDATIONS);
        let row = self.row_scope();
        self.message = match self.pending() {
            Err(e) => Some(e.message()),
            Ok(None) => None,
            Ok(Some(a)) => {
                let q = self.question().clone();
                self.session
                    .interview
                    .check(&q, &a, row.as_ref().map(|(r, i)| (r.as_str(), *i)))
                    .err()
                    .map(|e| e.message())
            }
        };
    }

    /// Reckons the possible findings again (after a save).
    fn reflag(&mut self, ctx: &Ctx) {
        self.findings = ctx
            .reconciler
            .as_ref()
            .map(|r| r.interview(&self.session.record, &self.household))
            .unwrap_or_default();
    }

    /// Refuses an answer before the engine takes it when the store takes no writes: the save
    /// state and the message say why, and the answer counts as not saved. True when refused.
    fn refuse_answer(&mut self, ctx: &mut Ctx, key: String) -> bool {
        let Some(why) = ctx.refusal(tr!("保存答案", "save answers")) else {
            return false;
        };
        self.save = SaveState::Failed(why.clone());
        self.message = Some(why.clone());
        ctx.answer_unsaved((self.session.record.interview_id, key), why);
        true
    }

    /// Writes a change to the store; shows when it was saved. "Saved" only once the store
    /// says so; a failed save is counted, shown in the save state and beside the answer, and
    /// the answer remembered as not saved.
    fn persist(&mut self, ctx: &mut Ctx, change: &Change) -> bool {
        let key = (self.session.record.interview_id, answer_key(change));
        let here = self.session.interview.current().id.clone();
        let was = self.session.record.status;
        match self.session.save(&ctx.ws, change) {
            Ok(at) => {
                ctx.unsaved.answers.remove(&key);
                self.save = SaveState::Saved(at);
                self.reflag(ctx);
                if was.is_done() && self.session.record.status != was {
                    ctx.say(tr!(
                        "这次调查已完成，修改答案后重新打开（进行中），记入日志；检查后可再完成",
                        "this interview was completed: the change reopened it (in progress, logged); review and complete it again"
                    ));
                }
                true
            }
            Err(e) => {
                // The session went back to the answers on disk: stay on this question, with
                // what was typed still in the widgets.
                if self.session.interview.current().id != here {
                    self.session.interview.go_to(&here);
                }
                let m = ctx.note_failure(&e);
                ctx.unsaved.answers.insert(key);
                self.save = SaveState::Failed(m.clone());
                self.message = Some(m);
                false
            }
        }
    }

    /// Saves the answer in the widgets when it differs from the saved one; false (with the
    /// message shown) when it is refused.
    fn save_current(&mut self, ctx: &mut Ctx) -> bool {
        let q = self.question().clone();
        if !q.kind.is_input() {
            return true;
        }
        let pending = match self.pending() {
            Ok(p) => p,
            Err(e) => {
                self.message = Some(e.message());
                return false;
            }
        };
        if pending.as_ref() == self.stored() {
            return true;
        }
        let row = self.row_edit.as_ref().map(|e| e.row_id.clone());
        if self.refuse_answer(ctx, question_key(row.as_deref(), &q.id)) {
            return false;
        }
        let result = match &row {
            Some(row) => {
                let roster = self.session.interview.current().id.clone();
                self.session
                    .interview
                    .set_row_answer(&roster, row, &q.id, pending)
            }
            None => self.session.interview.set_answer(&q.id, pending),
        };
        match result {
            Ok(change) => self.persist(ctx, &change),
            Err(e) => {
                self.message = Some(e.message());
                false
            }
        }
    }

    /// Before moving away: an edited answer is saved, or (false) the move is refused with the
    /// reason on screen, the typed text kept.
    fn leave_question(&mut self, ctx: &mut Ctx) -> bool {
        !self.edited() || self.save_current(ctx)
    }

    /// Notes a question passed without an answer (saved; listed in the review). An
    /// answered question needs nothing: its answer took any earlier skip back.
    fn note_skip(&mut self, ctx: &mut Ctx) {
        if self.is_roster_table() || !self.question().kind.is_input() || self.stored().is_some() {
            return;
        }
        let skip = Skipped {
            question_id: self.question().id.clone(),
            row: self.row_edit.as_ref().map(|e| e.row_id.clone()),
        };
        if let Some(why) = ctx.refusal(tr!("记下跳过的题", "note a skipped question")) {
            self.save = SaveState::Failed(why);
            return;
        }
        if let Err(e) = self.session.mark_skipped(&ctx.ws, &skip, true) {
            let m = ctx.note_failure(&e);
            self.save = SaveState::Failed(m);
        }
    }

    /// On to the next question (after the last: the review).
    fn advance(&mut self, ctx: &mut Ctx) {
        if self.row_edit.is_some() {
            self.next_row_question();
        } else {
            let mut moved = false;
            while self.session.interview.go_next() {
                moved = true;
                if !is_auto(self.session.interview.current()) {
                    break;
                }
            }
            if !moved || is_auto(self.session.interview.current()) {
                self.review = Some(0);
                ctx.say(tr!(
                    "已到最后一题，请检查答案后完成调查",
                    "last question: review and complete"
                ));
            }
            self.row_cursor = 0;
        }
        self.load_input(ctx.lang);
    }

    /// Back to the previous question that wants a key (or from a row's first question to the
    /// table).
    fn retreat(&mut self, ctx: &mut Ctx) {
        if self.row_edit.is_some() {
            self.previous_row_question();
        } else {
            let here = self.session.interview.current().id.clone();
            loop {
                if !self.session.interview.go_previous() {
                    self.session.interview.go_to(&here);
                    break;
                }
                if !is_auto(self.session.interview.current()) {
                    break;
                }
            }
            self.row_cursor = 0;
        }
        self.load_input(ctx.lang);
    }

    /// To the first question that wants a key in the next (or previous) section that has one.
    pub(super) fn go_to_section(&mut self, ctx: &mut Ctx, next: bool) {
        let iv = &self.session.interview;
        let form = iv.form();
        let section = |id: &str| form.position(id).map(|p| p.section);
        let here = iv.current_section();
        let wants = |q: &&Question| iv.is_relevant(&q.id) && !is_auto(q);
        let target = if next {
            iv.steps()
                .filter(wants)
                .find(|q| section(&q.id).is_some_and(|s| s > here))
                .map(|q| q.id.clone())
        } else {
            // The previous section's first question.
            let prev = iv
                .steps()
                .filter(wants)
                .filter_map(|q| section(&q.id).filter(|&s| s < here))
                .max();
            prev.and_then(|p| {
                iv.steps()
                    .filter(wants)
                    .find(|q| section(&q.id) == Some(p))
                    .map(|q| q.id.clone())
            })
        };
        if let Some(id) = target {
            self.row_edit = None;
            self.row_cursor = 0;
            self.session.interview.go_to(&id);
            self.load_input(ctx.lang);
        }
    }

    /// Esc: typed text is put back to the saved answer (said so), else back out of a row,
    /// else out of the interview.
    fn back(&mut self, ctx: &mut Ctx) -> Nav {
        if self.edited() {
            self.load_input(ctx.lang);
            let shown = match self.stored() {
                Some(a) => tr!(
                    "已撤销输入，恢复为保存的答案：{}",
                    "typing undone: back to the saved answer {}",
                    self.shown(a.display(self.question(), ctx.lang))
                ),
                None => tr!(
                    "已撤销输入（这一题还没有答案）",
                    "typing undone (this question has no answer yet)"
                ),
            };
            ctx.say(shown);
            return Nav::Stay;
        }
        if let Some((_, i)) = self.row_scope() {
            self.row_edit = None;
            self.row_cursor = i;
            self.message = None;
            return Nav::Stay;
        }
        Nav::Pop
    }

    /// A choice question: the option a key picks; single choice and yes/no are then saved and
    /// the interview moves on; multiple choice ticks it.
    fn choose_by_key(&mut self, ctx: &mut Ctx, c: char) {
        let q = self.question().clone();
        let opts = options(&q, ctx.lang);
        let Some(i) = option_of_key(&q, c).filter(|&i| i < opts.len()) else {
            return;
        };
        self.choice = i;
        self.touched = true;
        if matches!(q.kind, QuestionType::SelectMultiple(_)) {
            toggle(&mut self.ticks, &opts[i].0);
            self.validate();
            return;
        }
        self.validate();
        if self.save_current(ctx) {
            self.advance(ctx);
        }
    }

    fn act_question(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        let lang = ctx.lang;
        match action {
            Action::Up | Action::Down if self.is_choice() => {
                let n = self.options(lang).len();
                if n > 0 {
                    self.choice = if !self.touched && self.stored().is_none() {
                        if action == Action::Up { n - 1 } else { 0 }
                    } else if action == Action::Up {
                        (self.choice + n - 1) % n
                    } else {
                        (self.choice + 1) % n
                    };
                    self.touched = true;
                    if !matches!(self.question().kind, QuestionType::SelectMultiple(_)) {
                        self.validate();
                    }
                }
            }
            Action::Toggle => {
                let q = self.question().clone();
                if let QuestionType::SelectMultiple(cs) = &q.kind {
                    if let Some(c) = cs.get(self.choice) {
                        toggle(&mut self.ticks, &c.name);
                    }
                    self.validate();
                } else if q.kind.is_input() && !self.is_choice() {
                    self.input.handle(InputRequest::InsertChar(' '));
                    self.typed = true;
                    self.validate();
                }
            }
            Action::Confirm => {
                if !self.question().kind.is_input() {
                    self.advance(ctx);
                    return Nav::Stay;
                }
                match self.pending() {
                    Err(e) => self.message = Some(e.message()),
                    Ok(None) if self.stored().is_none() && self.question().required => {
                        self.message = Some(tr!(
                            "这是必答题，请先回答（有意不答请按 Tab 跳过）",
                            "this question is required: answer it first (Tab skips it on purpose)"
                        ));
                    }
                    Ok(_) => {
                        if self.save_current(ctx) {
                            self.note_skip(ctx);
                            self.advance(ctx);
                        }
                    }
                }
            }
            Action::NextQuestion | Action::Down if self.leave_question(ctx) => {
                self.note_skip(ctx);
                self.advance(ctx);
            }
            Action::PreviousQuestion | Action::Up if self.leave_question(ctx) => self.retreat(ctx),
            Action::Review if self.leave_question(ctx) => {
                self.row_edit = None;
                self.review = Some(0);
            }
            Action::NextSection | Action::PreviousSection if self.leave_question(ctx) => {
                self.note_skip(ctx);
                self.go_to_section(ctx, action == Action::NextSection);
            }
            Action::Flags => self.flags = Some(0),
            Action::Back => return self.back(ctx),
            _ => {}
        }
        Nav::Stay
    }
}

impl Screen for Interview {
    fn title(&self, ctx: &Ctx) -> String {
        self.session
            .interview
            .form()
            .title
            .get(ctx.lang)
            .to_string()
    }

    fn mode(&self) -> Mode {
        if self.confirm.is_some() {
            Mode::Confirm
        } else if self.flags.is_some() {
            Mode::Flags
        } else if self.review.is_some() {
            Mode::Review
        } else if self.is_roster_table() {
            Mode::Roster
        } else {
            Mode::Question
        }
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::Complete => {
                ctx.trouble.is_none() && self.session.interview.missing().is_empty()
            }
            Action::RemoveRow => {
                let roster = &self.session.interview.current().id;
                self.row_cursor < self.session.interview.rows(roster).len()
            }
            Action::Undo => self.removed.is_some(),
            Action::MoveUp => self.row_cursor > 0,
            Action::MoveDown => {
                let roster = &self.session.interview.current().id;
                self.row_cursor + 1 < self.session.interview.rows(roster).len()
            }
            Action::Flags => !self.findings.is_empty(),
            _ => true,
        }
    }

    fn has_typed_text(&self) -> bool {
        !self.input.value().is_empty()
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if let Some(c) = self.confirm.take() {
            if action == Action::Yes {
                return self.confirmed(ctx, c);
            }
            ctx.say(tr!("已取消", "cancelled"));
            return Nav::Stay;
        }
        if let Some(top) = self.flags {
            match action {
                Action::Up => self.flags = Some(top.saturating_sub(1)),
                Action::Down => self.flags = Some(top + 1),
                Action::Back | Action::Flags => self.flags = None,
                _ => {}
            }
            return Nav::Stay;
        }
        if self.review.is_some() {
            return self.act_review(ctx, action);
        }
        if self.is_roster_table() {
            return self.act_roster(ctx, action);
        }
        self.act_question(ctx, action)
    }

    fn type_key(&mut self, ctx: &mut Ctx, code: KeyCode) -> Nav {
        if self.review.is_some() || self.confirm.is_some() || self.is_roster_table() {
            return Nav::Stay;
        }
        if self.is_choice() {
            if let KeyCode::Char(c) = code {
                self.choose_by_key(ctx, c);
            }
        } else if self.question().kind.is_input()
            && let Some(req) = input_request(code)
        {
            self.input.handle(req);
            self.typed = true;
            self.validate();
        }
        Nav::Stay
    }

    fn paste(&mut self, ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        if self.review.is_some() || self.confirm.is_some() || self.is_roster_table() {
            return None;
        }
        if self.is_choice() {
            // Read as keys: the first that picks a single choice saves it and moves on, and
            // the rest of the paste is not read into the next question.
            let total = text.chars().count();
            let kept = total.min(paste::MAX_CHOICE_KEYS);
            let q = self.question().clone();
            let multi = matches!(q.kind, QuestionType::SelectMultiple(_));
            for c in text.chars().take(kept) {
                if multi {
                    if let Some(i) =
                        option_of_key(&q, c).filter(|&i| i < self.options(ctx.lang).len())
                    {
                        self.choice = i;
                        self.touched = true;
                        let name = self.options(ctx.lang)[i].0.clone();
                        toggle(&mut self.ticks, &name);
                    }
                } else if option_of_key(&q, c).is_some_and(|i| i < self.options(ctx.lang).len()) {
                    // As typed: saved, and the interview moves on.
                    self.choose_by_key(ctx, c);
                    return Some(Pasted {
                        kept,
                        total,
                        cap: paste::MAX_CHOICE_KEYS,
                    });
                }
            }
            self.validate();
            return Some(Pasted {
                kept,
                total,
                cap: paste::MAX_CHOICE_KEYS,
            });
        }
        if self.question().kind.is_input() {
            let p = paste::insert(&mut self.input, text, crate::limits::MAX_TEXT_ANSWER_CHARS);
            self.validate();
            return Some(p);
        }
        None
    }

    fn leave(&mut self, ctx: &mut Ctx) {
        // Leaving with a valid edited answer keeps it (quitting, a jump elsewhere).
        if ctx.trouble.is_none() && self.edited() && self.pending().is_ok() {
            self.save_current(ctx);
        }
    }

    fn status(&self, ctx: &Ctx) -> Option<Line<'static>> {
        Some(draw::status_line(self, ctx.lang))
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw::draw(f, self, ctx.lang, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Interview {
    /// Does what the cadre said yes to.
    fn confirmed(&mut self, ctx: &mut Ctx, c: Confirm) -> Nav {
        match c {
            Confirm::RemoveRow { row_id, label } => {
                self.remove_row(ctx, &row_id, label);
                Nav::Stay
            }
            // Completed: back to where the interview was opened from.
            Confirm::Complete if self.complete(ctx) => Nav::Pop,
            Confirm::Complete => Nav::Stay,
        }
    }

    /// A new row id.
    fn new_row_id() -> String {
        Uuid::new_v4().to_string()
    }
}
