//! One interview as a pure state machine over a questionnaire: the current question,
//! navigation that skips what is not relevant, checked answers, roster rows, calculations,
//! progress and the completion check. No terminal, no database: every change returns a
//! [`Change`] for the caller to persist.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;

use super::answer::{Answer, AnswerError};
use super::answers::{Answers, Change, Row, RowMove, RowRef};
use crate::questionnaire::expr::{Scope, Value};
use crate::questionnaire::{Question, QuestionType, Questionnaire};

/// What expressions can see besides the answers: the household's registry record, settings,
/// and the date of the interview.
#[derive(Debug, Clone)]
pub struct Context {
    pub registry: BTreeMap<String, Value>,
    pub settings: BTreeMap<String, Value>,
    pub today: NaiveDate,
}

impl Context {
    pub fn new(today: NaiveDate) -> Self {
        Context {
            registry: BTreeMap::new(),
            settings: BTreeMap::new(),
            today,
        }
    }

    pub fn today() -> Self {
        Context::new(chrono::Local::now().date_naive())
    }
}

/// Values as expressions see them: relevant answers and calculations only.
#[derive(Debug, Default, Clone, PartialEq)]
struct Effective {
    top: HashMap<String, Value>,
    /// Per roster, per row (in row order).
    rows: HashMap<String, Vec<HashMap<String, Value>>>,
    /// Calculations that cannot be known yet (they read an answer not given yet).
    unknown_top: HashSet<String>,
    /// Per roster, per row: the row's calculations that cannot be known yet.
    unknown_rows: HashMap<String, Vec<HashSet<String>>>,
}

/// Which questions are not relevant now.
#[derive(Debug, Default, Clone, PartialEq)]
struct Hidden {
    top: HashSet<String>,
    /// Per roster, per row: the roster questions not relevant in that row.
    rows: HashMap<String, Vec<HashSet<String>>>,
}

/// Answered and required counts over the questions that are relevant now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub answered: usize,
    pub required: usize,
}

/// A required answer that is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub question: String,
    /// For a roster question: the roster, the row's index (from 0) and id.
    pub row: Option<(String, usize, String)>,
}

/// Evaluation scope over the effective values, optionally inside one roster row.
struct EvalScope<'a> {
    form: &'a Questionnaire,
    eff: &'a Effective,
    ctx: &'a Context,
    row: Option<(&'a str, usize)>,
    current: Value,
    /// For calculations: the answers as entered and what is not relevant, to tell a
    /// question not answered yet (unknown) from one not asked (missing).
    known: Option<(&'a Answers, &'a Hidden)>,
}

impl EvalScope<'_> {
    /// Whether a question of a roster is unknown in one row.
    fn row_unknown(&self, q: &Question, roster: &str, i: usize) -> bool {
        let Some((raw, hidden)) = self.known else {
            return false;
        };
        if hidden.top.contains(roster)
            || hidden
                .rows
                .get(roster)
                .and_then(|r| r.get(i))
                .is_some_and(|h| h.contains(&q.id))
        {
            return false;
        }
        match &q.kind {
            QuestionType::Calculate(_) => self
                .eff
                .unknown_rows
                .get(roster)
                .and_then(|r| r.get(i))
                .is_some_and(|u| u.contains(&q.id)),
            k if k.is_input() => raw
                .rows(roster)
                .get(i)
                .is_some_and(|r| !r.values.contains_key(&q.id)),
            _ => false,
        }
    }
}

impl Scope for EvalScope<'_> {
    fn answer(&self, id: &str) -> Value {
        if let Some(roster) = self.form.roster_of(id) {
            let rows = self.eff.rows.get(&roster.id);
            if let Some((r, i)) = self.row
                && r == roster.id
            {
                return rows
                    .and_then(|rs| rs.get(i))
                    .and_then(|m| m.get(id))
                    .cloned()
                    .unwrap_or(Value::Missing);
            }
            return Value::List(
                rows.map(|rs| {
                    rs.iter()
                        .map(|m| m.get(id).cloned().unwrap_or(Value::Missing))
                        .collect()
                })
                .unwrap_or_default(),
            );
        }
        if let Some(q) = self.form.question(id)
            && matches!(q.kind, QuestionType::Roster { .. })
        {
            let n = self.eff.rows.get(id).map_or(0, Vec::len);
            return Value::List(vec![Value::Bool(true); n]);
        }
        self.eff.top.get(id).cloned().unwrap_or(Value::Missing)
    }

    fn current(&self) -> Value {
        self.current.clone()
    }

    fn registry(&self, field: &str) -> Value {
        self.ctx
            .registry
            .get(field)
            .cloned()
            .unwrap_or(Value::Missing)
    }

    fn setting(&self, name: &str) -> Value {
        self.ctx
            .settings
            .get(name)
            .cloned()
            .unwrap_or(Value::Missing)
    }

    fn today(&self) -> NaiveDate {
        self.ctx.today
    }

    fn unknown(&self, id: &str) -> bool {
        let Some((raw, hidden)) = self.known else {
            return false;
        };
        let Some(q) = self.form.question(id) else {
            return false;
        };
        if let Some(roster) = self.form.roster_of(id) {
            if let Some((r, i)) = self.row
                && r == roster.id
            {
                return self.row_unknown(q, &roster.id, i);
            }
            let n = raw.rows(&roster.id).len();
            return (0..n).any(|i| self.row_unknown(q, &roster.id, i));
        }
        if hidden.top.contains(id) {
            return false;
        }
        match &q.kind {
            QuestionType::Calculate(_) => self.eff.unknown_top.contains(id),
            k if k.is_input() => !raw.values.contains_key(id),
            _ => false,
        }
    }
}

/// How many times relevance and calculations are recomputed until they settle. Forms whose
/// skip logic only looks backwards settle in two passes.
const MAX_PASSES: usize = 8;

/// One interview in progress.
#[derive(Debug, Clone)]
pub struct Interview {
    form: Arc<Questionnaire>,
    ctx: Context,
    raw: Answers,
    eff: Effective,
    hidden: Hidden,
    /// Top-level questions in order, as (section, question) indices: the steps.
    flow: Vec<(usize, usize)>,
    cursor: usize,
}

impl Interview {
    pub fn new(form: Arc<Questionnaire>, ctx: Context) -> Self {
        Self::with_answers(form, ctx, Answers::default())
    }

    /// Resumes an interview from its stored answers.
    pub fn with_answers(form: Arc<Questionnaire>, ctx: Context, answers: Answers) -> Self {
        let flow = form
            .sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| (0..sec.questions.len()).map(move |q| (s, q)))
            .collect();
        let mut iv = Interview {
            form,
            ctx,
            raw: answers,
            eff: Effective::default(),
            hidden: Hidden::default(),
            flow,
            cursor: 0,
        };
        iv.refresh();
        if !iv.is_relevant(&iv.current().id) {
            iv.go_next();
        }
        iv
    }

    pub fn form(&self) -> &Questionnaire {
        &self.form
    }

    pub fn form_arc(&self) -> &Arc<Questionnaire> {
        &self.form
    }

    fn step(&self, i: usize) -> &Question {
        let (s, q) = self.flow[i];
        &self.form.sections[s].questions[q]
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Everything entered, relevant or not.
    pub fn answers(&self) -> &Answers {
        &self.raw
    }

    // ----- navigation -------------------------------------------------------------------

    /// The question the interview stands at.
    pub fn current(&self) -> &Question {
        self.step(self.cursor)
    }

    /// The section of the current question.
    pub fn current_section(&self) -> usize {
        self.flow[self.cursor].0
    }

    /// Index of the current step in [`Interview::steps`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The top-level questions, in order.
    pub fn steps(&self) -> impl Iterator<Item = &Question> {
        (0..self.flow.len()).map(|i| self.step(i))
    }

    /// Moves to the next relevant question; false when there is none (the cursor stays).
    pub fn go_next(&mut self) -> bool {
        match (self.cursor + 1..self.flow.len()).find(|&i| self.is_relevant(&self.step(i).id)) {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    /// Moves to the previous relevant question; false when there is none.
    pub fn go_previous(&mut self) -> bool {
        match (0..self.cursor)
            .rev()
            .find(|&i| self.is_relevant(&self.step(i).id))
        {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    /// Jumps to a top-level question (relevant or not, e.g. from the review screen).
    pub fn go_to(&mut self, id: &str) -> bool {
        match (0..self.flow.len()).find(|&i| self.step(i).id == id) {
            Some(i) => {
                self.cursor = i;
                true
            }
            None => false,
        }
    }

    /// Whether there is a relevant question after the current one.
    pub fn has_next(&self) -> bool {
        (self.cursor + 1..self.flow.len()).any(|i| self.is_relevant(&self.step(i).id))
    }

    // ----- state ------------------------------------------------------------------------

    /// Whether a top-level question (or a section's question) is relevant now. Roster
    /// questions: see [`Interview::is_row_relevant`].
    pub fn is_relevant(&self, id: &str) -> bool {
        !self.hidden.top.contains(id)
    }

    pub fn is_row_relevant(&self, roster: &str, row: usize, id: &str) -> bool {
        !self.hidden.top.contains(roster)
            && self
                .hidden
                .rows
                .get(roster)
                .and_then(|r| r.get(row))
                .is_none_or(|h| !h.contains(id))
    }

    /// Whether a section is relevant (its own `relevant`).
    pub fn is_section_relevant(&self, section: usize) -> bool {
        self.form.sections[section]
            .relevant
            .as_ref()
            .is_none_or(|e| e.ast.eval_bool(&self.scope(None, Value::Missing)))
    }

    /// The value of a question as expressions see it (missing when not relevant); for a
    /// calculation, its computed value.
    pub fn value(&self, id: &str) -> Value {
        self.eff.top.get(id).cloned().unwrap_or(Value::Missing)
    }

    /// The value of a roster question in one row, as expressions see it.
    pub fn row_value(&self, roster: &str, row: usize, id: &str) -> Value {
        self.eff
            .rows
            .get(roster)
            .and_then(|r| r.get(row))
            .and_then(|m| m.get(id))
            .cloned()
            .unwrap_or(Value::Missing)
    }

    /// Whether a calculation cannot be computed yet because an answer it reads is not given
    /// yet (its value is then missing). `row`: the row index, for a calculation of a roster.
    pub fn is_unknown(&self, id: &str, row: Option<usize>) -> bool {
        match (self.form.roster_of(id), row) {
            (Some(roster), Some(i)) => self
                .eff
                .unknown_rows
                .get(&roster.id)
                .and_then(|r| r.get(i))
                .is_some_and(|u| u.contains(id)),
            (None, _) => self.eff.unknown_top.contains(id),
            (Some(_), None) => false,
        }
    }

    /// The stored answer to a top-level question, relevant or not.
    pub fn answer(&self, id: &str) -> Option<&Answer> {
        self.raw.values.get(id)
    }

    pub fn rows(&self, roster: &str) -> &[Row] {
        self.raw.rows(roster)
    }

    // ----- changes ----------------------------------------------------------------------

    /// Sets (or with `None` clears) the answer to a top-level question, checked for type,
    /// choices and constraint.
    pub fn set_answer(&mut self, id: &str, value: Option<Answer>) -> Result<Change, AnswerError> {
        let q = self.input_question(id)?;
        if self.form.roster_of(id).is_some() {
            return Err(AnswerError::NotInRoster {
                question: id.to_string(),
                roster: String::new(),
            });
        }
        if let Some(v) = &value {
            v.check_type(q)?;
            self.check_constraint(q, v, None)?;
        }
        let change = Change::Set {
            question: id.to_string(),
            row: None,
            value,
        };
        self.apply(&change);
        Ok(change)
    }

    /// Sets the answer to a top-level question from typed text.
    pub fn input(&mut self, id: &str, text: &str) -> Result<Change, AnswerError> {
        let q = self.input_question(id)?;
        let value = Answer::parse_input(q, text)?;
        self.set_answer(id, value)
    }

    /// Sets (or clears) the answer to a roster question in one row.
    pub fn set_row_answer(
        &mut self,
        roster: &str,
        row: &str,
        id: &str,
        value: Option<Answer>,
    ) -> Result<Change, AnswerError> {
        let q = self.input_question(id)?;
        if self.form.roster_of(id).is_none_or(|r| r.id != roster) {
            return Err(AnswerError::NotInRoster {
                question: id.to_string(),
                roster: roster.to_string(),
            });
        }
        let index = self
            .raw
            .row_index(roster, row)
            .ok_or_else(|| AnswerError::UnknownRow(row.to_string()))?;
        if let Some(v) = &value {
            v.check_type(q)?;
            self.check_constraint(q, v, Some((roster, index)))?;
        }
        let change = Change::Set {
            question: id.to_string(),
            row: Some(RowRef {
                roster: roster.to_string(),
                row: row.to_string(),
            }),
            value,
        };
        self.apply(&change);
        Ok(change)
    }

    /// Sets a roster answer from typed text.
    pub fn input_row(
        &mut self,
        roster: &str,
        row: &str,
        id: &str,
        text: &str,
    ) -> Result<Change, AnswerError> {
        let q = self.input_question(id)?;
        let value = Answer::parse_input(q, text)?;
        self.set_row_answer(roster, row, id, value)
    }

    /// Adds an empty row to a roster, with the given id (a new UUID from the caller).
    pub fn add_row(&mut self, roster: &str, row_id: String) -> Result<Change, AnswerError> {
        let q = self
            .form
            .question(roster)
            .ok_or_else(|| AnswerError::UnknownQuestion(roster.to_string()))?;
        let QuestionType::Roster { max_rows, .. } = &q.kind else {
            return Err(AnswerError::WrongType { expected: "roster" });
        };
        if self.raw.rows(roster).len() >= *max_rows {
            return Err(AnswerError::RosterFull(*max_rows));
        }
        let change = Change::AddRow(RowRef {
            roster: roster.to_string(),
            row: row_id,
        });
        self.apply(&change);
        Ok(change)
    }

    pub fn remove_row(&mut self, roster: &str, row: &str) -> Result<Change, AnswerError> {
        if self.raw.row_index(roster, row).is_none() {
            return Err(AnswerError::UnknownRow(row.to_string()));
        }
        let change = Change::RemoveRow(RowRef {
            roster: roster.to_string(),
            row: row.to_string(),
        });
        self.apply(&change);
        Ok(change)
    }

    /// Moves a row one place up (`up`) or down in its roster. `None` when it is first (up)
    /// or last (down) already; else the move, applied, for the caller to persist.
    pub fn move_row(
        &mut self,
        roster: &str,
        row: &str,
        up: bool,
    ) -> Result<Option<RowMove>, AnswerError> {
        let rows = self.raw.rows(roster);
        let i = self
            .raw
            .row_index(roster, row)
            .ok_or_else(|| AnswerError::UnknownRow(row.to_string()))?;
        let after = match (up, i) {
            (true, 0) => return Ok(None),
            (true, 1) => None,
            (true, i) => Some(rows[i - 2].id.clone()),
            (false, i) if i + 1 >= rows.len() => return Ok(None),
            (false, i) => Some(rows[i + 1].id.clone()),
        };
        let m = RowMove {
            roster: roster.to_string(),
            row: row.to_string(),
            after,
        };
        self.apply_move(&m);
        Ok(Some(m))
    }

    /// Applies a row move without checking it (replaying stored events), then recomputes.
    pub fn apply_move(&mut self, m: &RowMove) {
        self.raw.move_row(m);
        self.refresh();
    }

    /// Applies a change without checking it (replaying stored events), then recomputes.
    pub fn apply(&mut self, change: &Change) {
        self.raw.apply(change);
        self.refresh();
    }

    /// Checks a would-be answer against the question's constraint without setting it (for
    /// validation as the interviewer types). `row` is the row index for a roster question.
    pub fn check(
        &self,
        q: &Question,
        value: &Answer,
        row: Option<(&str, usize)>,
    ) -> Result<(), AnswerError> {
        value.check_type(q)?;
        self.check_constraint(q, value, row)
    }

    fn input_question(&self, id: &str) -> Result<&Question, AnswerError> {
        let q = self
            .form
            .question(id)
            .ok_or_else(|| AnswerError::UnknownQuestion(id.to_string()))?;
        if !q.kind.is_input() {
            return Err(AnswerError::NotAnswerable(id.to_string()));
        }
        Ok(q)
    }

    fn check_constraint(
        &self,
        q: &Question,
        value: &Answer,
        row: Option<(&str, usize)>,
    ) -> Result<(), AnswerError> {
        let Some(c) = &q.constraint else {
            return Ok(());
        };
        let scope = self.scope(row, value.to_value());
        match c.expr.ast.eval(&scope) {
            Value::Missing => Ok(()),
            v if v.truthy() => Ok(()),
            _ => Err(AnswerError::Constraint(c.message.clone())),
        }
    }

    fn scope<'a>(&'a self, row: Option<(&'a str, usize)>, current: Value) -> EvalScope<'a> {
        EvalScope {
            form: &self.form,
            eff: &self.eff,
            ctx: &self.ctx,
            row,
            current,
            known: None,
        }
    }

    // ----- derived state ----------------------------------------------------------------

    /// Recomputes calculations and relevance until they settle.
    fn refresh(&mut self) {
        let mut hidden = Hidden::default();
        for _ in 0..MAX_PASSES {
            let eff = self.effective(&hidden);
            let next = self.hidden_with(&eff);
            self.eff = eff;
            if next == hidden {
                break;
            }
            hidden = next;
        }
        self.eff = self.effective(&hidden);
        self.hidden = hidden;
    }

    /// Relevant answers plus calculations, given which questions are hidden.
    fn effective(&self, hidden: &Hidden) -> Effective {
        let mut eff = Effective::default();
        for (id, a) in &self.raw.values {
            if !hidden.top.contains(id) {
                eff.top.insert(id.clone(), a.to_value());
            }
        }
        for (roster, rows) in &self.raw.rosters {
            if hidden.top.contains(roster) {
                continue;
            }
            let row_hidden = hidden.rows.get(roster);
            let vals = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let h = row_hidden.and_then(|h| h.get(i));
                    r.values
                        .iter()
                        .filter(|(id, _)| h.is_none_or(|h| !h.contains(*id)))
                        .map(|(id, a)| (id.clone(), a.to_value()))
                        .collect()
                })
                .collect();
            eff.rows.insert(roster.clone(), vals);
        }
        for id in self.form.calc_order() {
            let Some(q) = self.form.question(id) else {
                continue;
            };
            let QuestionType::Calculate(expr) = &q.kind else {
                continue;
            };
            match self.form.roster_of(id) {
                Some(roster) => {
                    let n = eff.rows.get(&roster.id).map_or(0, Vec::len);
                    for i in 0..n {
                        let shown = hidden
                            .rows
                            .get(&roster.id)
                            .and_then(|h| h.get(i))
                            .is_none_or(|h| !h.contains(id));
                        let v = if shown {
                            let scope = EvalScope {
                                form: &self.form,
                                eff: &eff,
                                ctx: &self.ctx,
                                row: Some((&roster.id, i)),
                                current: Value::Missing,
                                known: Some((&self.raw, hidden)),
                            };
                            expr.ast.eval_known(&scope)
                        } else {
                            Some(Value::Missing)
                        };
                        if v.is_none() {
                            let unknown = eff.unknown_rows.entry(roster.id.clone()).or_default();
                            if unknown.len() < n {
                                unknown.resize_with(n, HashSet::new);
                            }
                            unknown[i].insert(id.clone());
                        }
                        if let Some(row) = eff.rows.get_mut(&roster.id).and_then(|r| r.get_mut(i)) {
                            set_or_remove(row, id, v.unwrap_or(Value::Missing));
                        }
                    }
                }
                None => {
                    let v = if hidden.top.contains(id) {
                        Some(Value::Missing)
                    } else {
                        let scope = EvalScope {
                            form: &self.form,
                            eff: &eff,
                            ctx: &self.ctx,
                            row: None,
                            current: Value::Missing,
                            known: Some((&self.raw, hidden)),
                        };
                        expr.ast.eval_known(&scope)
                    };
                    if v.is_none() {
                        eff.unknown_top.insert(id.clone());
                    }
                    set_or_remove(&mut eff.top, id, v.unwrap_or(Value::Missing));
                }
            }
        }
        eff
    }

    /// Which questions are not relevant, judged on the given values.
    fn hidden_with(&self, eff: &Effective) -> Hidden {
        let mut hidden = Hidden::default();
        let top = EvalScope {
            form: &self.form,
            eff,
            ctx: &self.ctx,
            row: None,
            current: Value::Missing,
            known: None,
        };
        for section in &self.form.sections {
            let section_shown = section
                .relevant
                .as_ref()
                .is_none_or(|e| e.ast.eval_bool(&top));
            for q in &section.questions {
                let shown =
                    section_shown && q.relevant.as_ref().is_none_or(|e| e.ast.eval_bool(&top));
                if !shown {
                    hidden.top.insert(q.id.clone());
                    continue;
                }
                if let QuestionType::Roster { questions, .. } = &q.kind {
                    let n = self.raw.rows(&q.id).len();
                    let per_row = (0..n)
                        .map(|i| {
                            let scope = EvalScope {
                                form: &self.form,
                                eff,
                                ctx: &self.ctx,
                                row: Some((&q.id, i)),
                                current: Value::Missing,
                                known: None,
                            };
                            questions
                                .iter()
                                .filter(|rq| {
                                    rq.relevant
                                        .as_ref()
                                        .is_some_and(|e| !e.ast.eval_bool(&scope))
                                })
                                .map(|rq| rq.id.clone())
                                .collect()
                        })
                        .collect();
                    hidden.rows.insert(q.id.clone(), per_row);
                }
            }
        }
        hidden
    }

    // ----- progress and completion ------------------------------------------------------

    /// Answered required questions over required questions, among those relevant now
    /// (roster rows included; a required roster needs at least one row).
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        self.walk_required(|answered, _| {
            p.required += 1;
            if answered {
                p.answered += 1;
            }
        });
        p
    }

    /// Progress of one section's questions.
    pub fn section_progress(&self, section: usize) -> Progress {
        self.progress_by_section()
            .get(section)
            .copied()
            .unwrap_or_default()
    }

    /// Progress of every section, in one pass.
    pub fn progress_by_section(&self) -> Vec<Progress> {
        let mut out = vec![Progress::default(); self.form.sections.len()];
        self.walk_required(|answered, m| {
            let top = m
                .row
                .as_ref()
                .map_or(m.question.as_str(), |(r, _, _)| r.as_str());
            if let Some(p) = self
                .form
                .position(top)
                .and_then(|pos| out.get_mut(pos.section))
            {
                p.required += 1;
                if answered {
                    p.answered += 1;
                }
            }
        });
        out
    }

    /// The required answers still missing; empty when the interview can be completed.
    pub fn missing(&self) -> Vec<Missing> {
        let mut out = Vec::new();
        self.walk_required(|answered, m| {
            if !answered {
                out.push(m);
            }
        });
        out
    }

    fn walk_required(&self, mut visit: impl FnMut(bool, Missing)) {
        for (_, q) in self.form.top_level() {
            if !self.is_relevant(&q.id) {
                continue;
            }
            match &q.kind {
                QuestionType::Roster { questions, .. } => {
                    let rows = self.raw.rows(&q.id);
                    if q.required {
                        visit(
                            !rows.is_empty(),
                            Missing {
                                question: q.id.clone(),
                                row: None,
                            },
                        );
                    }
                    for (i, row) in rows.iter().enumerate() {
                        for rq in questions.iter().filter(|rq| rq.required) {
                            if self.is_row_relevant(&q.id, i, &rq.id) {
                                visit(
                                    row.values.contains_key(&rq.id),
                                    Missing {
                                        question: rq.id.clone(),
                                        row: Some((q.id.clone(), i, row.id.clone())),
                                    },
                                );
                            }
                        }
                    }
                }
                _ if q.required => visit(
                    self.raw.values.contains_key(&q.id),
                    Missing {
                        question: q.id.clone(),
                        row: None,
                    },
                ),
                _ => {}
            }
        }
    }

    /// The interview's result: relevant answers only, calculations included (as decimals,
    /// booleans, texts or dates). Answers kept for questions that are no longer relevant are
    /// left out.
    pub fn result(&self) -> Answers {
        let mut out = Answers::default();
        for (id, a) in &self.raw.values {
            if self.is_relevant(id) {
                out.values.insert(id.clone(), a.clone());
            }
        }
        for (id, v) in &self.eff.top {
            if let Some(q) = self.form.question(id)
                && matches!(q.kind, QuestionType::Calculate(_))
                && let Some(a) = value_to_answer(v)
            {
                out.values.insert(id.clone(), a);
            }
        }
        for (roster, rows) in &self.raw.rosters {
            if !self.is_relevant(roster) {
                continue;
            }
            let out_rows = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut values: BTreeMap<String, Answer> = r
                        .values
                        .iter()
                        .filter(|(id, _)| self.is_row_relevant(roster, i, id))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if let Some(m) = self.eff.rows.get(roster).and_then(|x| x.get(i)) {
                        for (id, v) in m {
                            if !r.values.contains_key(id)
                                && let Some(a) = value_to_answer(v)
                            {
                                values.insert(id.clone(), a);
                            }
                        }
                    }
                    Row {
                        id: r.id.clone(),
                        values,
                    }
                })
                .collect();
            out.rosters.insert(roster.clone(), out_rows);
        }
        out
    }
}

fn set_or_remove(map: &mut HashMap<String, Value>, id: &str, v: Value) {
    if v == Value::Missing {
        map.remove(id);
    } else {
        map.insert(id.to_string(), v);
    }
}

fn value_to_answer(v: &Value) -> Option<Answer> {
    match v {
        Value::Number(n) if n.is_finite() => Some(Answer::Decimal(*n)),
        Value::Bool(b) => Some(Answer::Bool(*b)),
        Value::Text(s) => Some(Answer::Text(s.clone())),
        Value::Date(d) => Some(Answer::Date(*d)),
        Value::Choices(c) => Some(Answer::Choices(c.clone())),
        _ => None,
    }
}
