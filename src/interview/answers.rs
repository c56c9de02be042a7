//! An interview's answers: top-level answers and roster rows, and the changes that build them
//! (each change becomes one event in the store's log).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::answer::{Answer, AnswerError};
use crate::questionnaire::{QuestionType, Questionnaire};

/// One row of a roster. The id is stable (a UUID), so rows entered on two laptops never clash.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub values: BTreeMap<String, Answer>,
}

/// All answers of an interview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    pub values: BTreeMap<String, Answer>,
    /// Rows of each roster, in the order they were added.
    pub rosters: BTreeMap<String, Vec<Row>>,
}

/// Key under which a row's id is written in JSON; it cannot clash with a question id.
pub const ROW_ID_KEY: &str = "_row";

/// The row an answer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowRef {
    pub roster: String,
    pub row: String,
}

/// One change to an interview's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// An answer given (`Some`) or cleared (`None`); `row` for a roster question.
    Set {
        question: String,
        row: Option<RowRef>,
        value: Option<Answer>,
    },
    AddRow(RowRef),
    RemoveRow(RowRef),
}

/// A roster row moved: `row` of `roster` goes right after row `after` (`None`: first). Kept
/// apart from [`Change`] because it changes the order of rows, not an answer; it is recorded
/// as its own event (`EventOp::MoveRow`) and merges like any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMove {
    pub roster: String,
    pub row: String,
    pub after: Option<String>,
}

impl Answers {
    /// Moves a row (see [`RowMove`]). A move of a row that is not there, or after one that
    /// is not there (removed meanwhile), changes nothing.
    pub fn move_row(&mut self, m: &RowMove) {
        let Some(rows) = self.rosters.get_mut(&m.roster) else {
            return;
        };
        if m.after.as_deref() == Some(m.row.as_str()) {
            return;
        }
        let Some(from) = rows.iter().position(|r| r.id == m.row) else {
            return;
        };
        if let Some(a) = &m.after
            && !rows.iter().any(|r| &r.id == a)
        {
            return;
        }
        let row = rows.remove(from);
        let to = match &m.after {
            None => 0,
            Some(a) => rows
                .iter()
                .position(|r| &r.id == a)
                .map_or(rows.len(), |i| i + 1),
        };
        rows.insert(to, row);
    }

    pub fn rows(&self, roster: &str) -> &[Row] {
        self.rosters.get(roster).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn row_index(&self, roster: &str, row: &str) -> Option<usize> {
        self.rows(roster).iter().position(|r| r.id == row)
    }

    /// Applies a change without checking it (replaying the event log). A change to a row that
    /// does not exist (removed meanwhile) is ignored.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Set {
                question,
                row: None,
                value,
            } => match value {
                Some(v) => {
                    self.values.insert(question.clone(), v.clone());
                }
                None => {
                    self.values.remove(question);
                }
            },
            Change::Set {
                question,
                row: Some(r),
                value,
            } => {
                if let Some(row) = self
                    .rosters
                    .get_mut(&r.roster)
                    .and_then(|rows| rows.iter_mut().find(|x| x.id == r.row))
                {
                    match value {
                        Some(v) => {
                            row.values.insert(question.clone(), v.clone());
                        }
                        None => {
                            row.values.remove(question);
                        }
                    }
                }
            }
            Change::AddRow(r) => {
                let rows = self.rosters.entry(r.roster.clone()).or_default();
                if !rows.iter().any(|x| x.id == r.row) {
                    rows.push(Row {
                        id: r.row.clone(),
                        values: BTreeMap::new(),
                    });
                }
            }
            Change::RemoveRow(r) => {
                if let Some(rows) = self.rosters.get_mut(&r.roster) {
                    rows.retain(|x| x.id != r.row);
                }
            }
        }
    }

    /// `{"answers": {id: value}, "rosters": {roster: [{"_row": id, question: value}]}}`.
    pub fn to_json(&self) -> Json {
        let answers: Map<String, Json> = self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        let rosters: Map<String, Json> = self
            .rosters
            .iter()
            .map(|(k, rows)| {
                let rows: Vec<Json> = rows
                    .iter()
                    .map(|r| {
                        let mut m: Map<String, Json> = r
                            .values
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_json()))
                            .collect();
                        m.insert(ROW_ID_KEY.into(), Json::String(r.id.clone()));
                        Json::Object(m)
                    })
                    .collect();
                (k.clone(), Json::Array(rows))
            })
            .collect();
        serde_json::json!({ "answers": answers, "rosters": rosters })
    }

    /// Reads answers written by [`Answers::to_json`] (or an answer file), checking every value's
    /// type and choices against the questionnaire. Rows without `_row` get a new id from
    /// `new_row_id`. Every problem is listed, with the question and row it is in.
    pub fn from_json(
        form: &Questionnaire,
        json: &Json,
        mut new_row_id: impl FnMut() -> String,
    ) -> Result<Answers, Vec<AnswerProblem>> {
        let mut out = Answers::default();
        let mut problems = Vec::new();
        let empty = Map::new();
        let answers = json
            .get("answers")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        for (id, v) in answers {
            if v.is_null() {
                continue;
            }
            match form.question(id) {
                None => problems.push(AnswerProblem::new(
                    id,
                    None,
                    AnswerError::UnknownQuestion(id.clone()),
                )),
                Some(_) if form.roster_of(id).is_some() => problems.push(AnswerProblem::new(
                    id,
                    None,
                    AnswerError::NotInRoster {
                        question: id.clone(),
                        roster: String::new(),
                    },
                )),
                Some(q) => match Answer::from_json(q, v) {
                    Ok(a) => {
                        out.values.insert(id.clone(), a);
                    }
                    Err(e) => problems.push(AnswerProblem::new(id, None, e)),
                },
            }
        }
        let rosters = json
            .get("rosters")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        for (rid, rows) in rosters {
            let Some(roster) = form.question(rid) else {
                problems.push(AnswerProblem::new(
                    rid,
                    None,
                    AnswerError::UnknownQuestion(rid.clone()),
                ));
                continue;
            };
            let QuestionType::Roster { max_rows, .. } = &roster.kind else {
                problems.push(AnswerProblem::new(
                    rid,
                    None,
                    AnswerError::WrongType { expected: "roster" },
                ));
                continue;
            };
            let Some(rows) = rows.as_array() else {
                problems.push(AnswerProblem::new(
                    rid,
                    None,
                    AnswerError::WrongType { expected: "roster" },
                ));
                continue;
            };
            if rows.len() > *max_rows {
                problems.push(AnswerProblem::new(
                    rid,
                    None,
                    AnswerError::RosterFull(*max_rows),
                ));
            }
            let mut out_rows = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let Some(obj) = row.as_object() else {
                    problems.push(AnswerProblem::new(
                        rid,
                        Some(i),
                        AnswerError::WrongType { expected: "roster" },
                    ));
                    continue;
                };
                let id = obj
                    .get(ROW_ID_KEY)
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(&mut new_row_id);
                let mut values = BTreeMap::new();
                for (qid, v) in obj {
                    if qid == ROW_ID_KEY || v.is_null() {
                        continue;
                    }
                    match form.question(qid) {
                        Some(q) if form.roster_of(qid).is_some_and(|r| r.id == *rid) => {
                            match Answer::from_json(q, v) {
                                Ok(a) => {
                                    values.insert(qid.clone(), a);
                                }
                                Err(e) => problems.push(AnswerProblem::new(qid, Some(i), e)),
                            }
                        }
                        Some(_) => problems.push(AnswerProblem::new(
                            qid,
                            Some(i),
                            AnswerError::NotInRoster {
                                question: qid.clone(),
                                roster: rid.clone(),
                            },
                        )),
                        None => problems.push(AnswerProblem::new(
                            qid,
                            Some(i),
                            AnswerError::UnknownQuestion(qid.clone()),
                        )),
                    }
                }
                out_rows.push(Row { id, values });
            }
            out.rosters.insert(rid.clone(), out_rows);
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// A refused answer with where it is: the question and, in a roster, the row (from 0).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerProblem {
    pub question: String,
    pub row: Option<usize>,
    pub error: AnswerError,
}

impl AnswerProblem {
    pub fn new(question: &str, row: Option<usize>, error: AnswerError) -> Self {
        AnswerProblem {
            question: question.to_string(),
            row,
            error,
        }
    }

    pub fn render(&self, lang: crate::i18n::Lang) -> String {
        let msg = self.error.message();
        match (lang, self.row) {
            (crate::i18n::Lang::Zh, Some(r)) => {
                format!("问题 {}（第{}行）：{}", self.question, r + 1, msg.zh)
            }
            (crate::i18n::Lang::Zh, None) => format!("问题 {}：{}", self.question, msg.zh),
            (_, Some(r)) => format!("question '{}' (row {}): {}", self.question, r + 1, msg.en),
            (_, None) => format!("question '{}': {}", self.question, msg.en),
        }
    }
}
