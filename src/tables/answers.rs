//! The answers of many interviews as tables for analysis: one row per interview with one
//! column per top-level question id (the union over the questionnaires, in questionnaire
//! order), and one table per roster with one row per roster row.
//!
//! - In front of the questions: `interview_id, household_id, household_kind, questionnaire,
//!   questionnaire_version, county, township, village, interviewer, status, started_at,
//!   updated_at, completed_at`. The place is what the interview recorded (its identity
//!   questions, preloaded from the registry); the questions of the same ids are not repeated.
//! - A roster's table: `interview_id, household_id, row` (the row's stable id), `row_number`
//!   (from 1, in the interview's order), then one column per roster question.
//! - Values are the interview's result: relevant answers and calculations; a question not
//!   asked or not answered is empty (null).
//! - A question asked with different types by different questionnaires becomes a decimal
//!   column when both are numbers, else a text column.

use rustc_hash::FxHashMap;
use serde_json::Value as Json;

use super::column::{Column, Kind, Table, TableBuilder};
use crate::interview::{InterviewRecord, Status};
use crate::questionnaire::expr::{BinOp, Expr, Func};
use crate::questionnaire::{Choice, Kind as HouseholdKind, Question, QuestionType, Questionnaire};

/// The columns every interview row has, in order.
pub const FRONT: [(&str, &str, &str, Kind); 13] = [
    ("interview_id", "调查编号", "interview id", Kind::Text),
    ("household_id", "户编号", "household id", Kind::Text),
    ("household_kind", "农户类型", "household kind", Kind::Choice),
    ("questionnaire", "问卷", "questionnaire", Kind::Text),
    (
        "questionnaire_version",
        "问卷版本",
        "questionnaire version",
        Kind::Text,
    ),
    ("county", "县", "county", Kind::Text),
    ("township", "乡镇", "township", Kind::Text),
    ("village", "行政村", "village", Kind::Text),
    ("interviewer", "调查员", "interviewer", Kind::Text),
    ("status", "调查状态", "interview status", Kind::Choice),
    ("started_at", "开始时间", "started at", Kind::Time),
    ("updated_at", "最后修改时间", "last changed at", Kind::Time),
    ("completed_at", "完成时间", "completed at", Kind::Time),
];

/// The columns every roster row has, in order.
pub const ROW_FRONT: [(&str, &str, &str, Kind); 4] = [
    ("interview_id", "调查编号", "interview id", Kind::Text),
    ("household_id", "户编号", "household id", Kind::Text),
    ("row", "行编号（不变）", "row id (stable)", Kind::Text),
    ("row_number", "行号", "row number", Kind::Integer),
];

/// The name of the table of interviews.
pub const ANSWERS: &str = "answers";

const STATUSES: [Status; 4] = [
    Status::InProgress,
    Status::Completed,
    Status::Approved,
    Status::Returned,
];

/// The code of a status (as in JSON output and `--status`).
pub fn status_code(s: Status) -> &'static str {
    match s {
        Status::InProgress => "in_progress",
        Status::Completed => "completed",
        Status::Approved => "approved",
        Status::Returned => "returned",
    }
}

fn front_columns() -> Vec<Column> {
    FRONT
        .iter()
        .map(|(id, zh, en, kind)| {
            let c = Column::new(id, *kind, zh, en);
            match *id {
                "household_kind" => c.with_choices(
                    HouseholdKind::ALL
                        .iter()
                        .map(|k| Choice {
                            name: k.id().to_string(),
                            label: k.label(),
                        })
                        .collect(),
                ),
                "status" => c.with_choices(
                    STATUSES
                        .iter()
                        .map(|s| Choice {
                            name: status_code(*s).to_string(),
                            label: s.label(),
                        })
                        .collect(),
                ),
                _ => c,
            }
        })
        .collect()
}

fn row_front_columns() -> Vec<Column> {
    ROW_FRONT
        .iter()
        .map(|(id, zh, en, kind)| Column::new(id, *kind, zh, en))
        .collect()
}

/// The kind of value a calculation gives, read from its expression (`None`: cannot tell).
fn calc_kind(e: &Expr, form: &Questionnaire, depth: usize) -> Option<Kind> {
    if depth > 16 {
        return None;
    }
    let number = Some(Kind::Decimal);
    match e {
        Expr::Number(_) | Expr::Neg(_) => number,
        Expr::Text(_) => Some(Kind::Text),
        Expr::Ref(id) => form
            .question(id)
            .and_then(|q| question_kind(q, form, depth + 1)),
        Expr::Current => None,
        Expr::Binary(op, _, _) => match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => number,
            _ => Some(Kind::YesNo),
        },
        Expr::Regex(..) => Some(Kind::YesNo),
        Expr::Call(f, args) => match f {
            Func::Not
            | Func::True
            | Func::False
            | Func::Selected
            | Func::Contains
            | Func::StartsWith
            | Func::Regex
            | Func::ResidentId => Some(Kind::YesNo),
            Func::CountSelected
            | Func::StringLength
            | Func::Int
            | Func::Count
            | Func::CountNotIn => Some(Kind::Integer),
            Func::Number | Func::Round | Func::Sum | Func::Min | Func::Max => number,
            Func::Concat | Func::String | Func::Registry => Some(Kind::Text),
            Func::Today => Some(Kind::Date),
            Func::Setting => None,
            Func::If => {
                let a = args.get(1).and_then(|a| calc_kind(a, form, depth + 1));
                let b = args.get(2).and_then(|b| calc_kind(b, form, depth + 1));
                match (a, b) {
                    (Some(a), Some(b)) => Some(merge(a, b)),
                    (a, b) => a.or(b),
                }
            }
            Func::Coalesce => args
                .iter()
                .filter_map(|a| calc_kind(a, form, depth + 1))
                .reduce(merge),
        },
    }
}

/// The kind of column two questionnaires' versions of one question share.
fn merge(a: Kind, b: Kind) -> Kind {
    match (a, b) {
        (a, b) if a == b => a,
        (a, b) if a.is_number() && b.is_number() => Kind::Decimal,
        _ => Kind::Text,
    }
}

/// The column kind of a question (`None` for notes and rosters, which are no column).
fn question_kind(q: &Question, form: &Questionnaire, depth: usize) -> Option<Kind> {
    Some(match &q.kind {
        QuestionType::Text => Kind::Text,
        QuestionType::Integer => Kind::Integer,
        QuestionType::Decimal => Kind::Decimal,
        QuestionType::SelectOne(_) => Kind::Choice,
        QuestionType::SelectMultiple(_) => Kind::Choices,
        QuestionType::YesNo => Kind::YesNo,
        QuestionType::Date => Kind::Date,
        QuestionType::Calculate(e) => calc_kind(&e.ast, form, depth).unwrap_or(Kind::Text),
        QuestionType::Note | QuestionType::Roster { .. } => return None,
    })
}

/// Adds (or merges into an existing column) one question.
fn add_question(
    columns: &mut Vec<Column>,
    index: &mut FxHashMap<String, usize>,
    q: &Question,
    form: &Questionnaire,
) {
    let Some(kind) = question_kind(q, form, 0) else {
        return;
    };
    match index.get(&q.id) {
        Some(&c) => {
            let col = &mut columns[c];
            col.kind = merge(col.kind, kind);
            for choice in q.kind.choices() {
                if !col.choices.iter().any(|x| x.name == choice.name) {
                    col.choices.push(choice.clone());
                }
            }
            if !col.asked_in.contains(&form.id) {
                col.asked_in.push(form.id.clone());
            }
        }
        None => {
            index.insert(q.id.clone(), columns.len());
            columns.push(Column {
                id: q.id.clone(),
                kind,
                label: q.label.clone(),
                choices: q.kind.choices().to_vec(),
                asked_in: vec![form.id.clone()],
            });
        }
    }
}

/// How the tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// ID numbers in full (else masked in every text).
    pub show_ids: bool,
}

struct RosterTable {
    id: String,
    table: TableBuilder,
    index: FxHashMap<String, usize>,
}

/// The answers tables being filled, one interview at a time (see the module docs).
pub struct AnswersBuilder {
    answers: TableBuilder,
    index: FxHashMap<String, usize>,
    rosters: Vec<RosterTable>,
    kinds: FxHashMap<String, HouseholdKind>,
    opts: TableOptions,
}

/// The tables of answers: the interviews, one table per roster, in questionnaire order.
pub struct AnswerTables {
    pub answers: Table,
    pub rosters: Vec<Table>,
}

impl AnswerTables {
    /// The answers table, then the rosters' tables.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        std::iter::once(&self.answers).chain(&self.rosters)
    }
}

impl AnswersBuilder {
    /// The columns of `forms` (in this order), for about `capacity` interviews.
    pub fn new(forms: &[&Questionnaire], opts: TableOptions, capacity: usize) -> AnswersBuilder {
        let mut columns = front_columns();
        let mut index: FxHashMap<String, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut rosters: Vec<(String, Vec<Column>, FxHashMap<String, usize>)> = Vec::new();
        let mut kinds = FxHashMap::default();
        for form in forms {
            kinds.insert(form.id.clone(), form.kind);
            for (_, q) in form.top_level() {
                if let QuestionType::Roster { questions, .. } = &q.kind {
                    let at = match rosters.iter().position(|(id, _, _)| *id == q.id) {
                        Some(at) => at,
                        None => {
                            let cols = row_front_columns();
                            let idx = cols
                                .iter()
                                .enumerate()
                                .map(|(i, c)| (c.id.clone(), i))
                                .collect();
                            rosters.push((q.id.clone(), cols, idx));
                            rosters.len() - 1
                        }
                    };
                    let (_, cols, idx) = &mut rosters[at];
                    for inner in questions {
                        if !ROW_FRONT.iter().any(|f| f.0 == inner.id) {
                            add_question(cols, idx, inner, form);
                        }
                    }
                } else if FRONT.iter().any(|f| f.0 == q.id) {
                    // An identity question of a front column: its value goes there.
                    let col = &mut columns[index[&q.id]];
                    if !col.asked_in.contains(&form.id) {
                        col.asked_in.push(form.id.clone());
                    }
                } else {
                    add_question(&mut columns, &mut index, q, form);
                }
            }
        }
        // The front columns' own sources are the record: only the place comes from answers.
        for f in FRONT {
            if !matches!(f.0, "county" | "township" | "village") {
                columns[index[f.0]].asked_in.clear();
            }
        }
        AnswersBuilder {
            answers: TableBuilder::new(ANSWERS, columns, capacity),
            index,
            rosters: rosters
                .into_iter()
                .map(|(id, cols, index)| RosterTable {
                    table: TableBuilder::new(&id, cols, capacity * 4),
                    id,
                    index,
                })
                .collect(),
            kinds,
            opts,
        }
    }

    /// The columns of the answers table.
    pub fn columns(&self) -> &[Column] {
        self.answers.columns()
    }

    /// Adds one interview (its `result`: relevant answers with calculations).
    pub fn push(&mut self, r: &InterviewRecord) {
        let mask = !self.opts.show_ids;
        let id = r.interview_id.to_string();
        let household = if mask {
            crate::redact::mask_ids(&r.household_id)
        } else {
            r.household_id.clone()
        };
        let mut slots: Vec<Option<&Json>> = vec![None; self.answers.columns().len()];
        if let Some(answers) = r.result.get("answers").and_then(Json::as_object) {
            for (k, v) in answers {
                if let Some(&c) = self.index.get(k) {
                    slots[c] = Some(v);
                }
            }
        }
        let t = &mut self.answers;
        let kind = self.kinds.get(&r.questionnaire).map(|k| k.id());
        for (c, slot) in slots.iter().enumerate() {
            match FRONT.get(c).map(|f| f.0) {
                Some("interview_id") => t.text(c, Some(&id)),
                Some("household_id") => t.text(c, Some(&household)),
                Some("household_kind") => t.text(c, kind),
                Some("questionnaire") => t.text(c, Some(&r.questionnaire)),
                Some("questionnaire_version") => t.text(c, Some(&r.questionnaire_version)),
                Some("interviewer") => t.text(
                    c,
                    Some(&if mask {
                        crate::redact::mask_ids(&r.interviewer)
                    } else {
                        r.interviewer.clone()
                    }),
                ),
                Some("status") => t.text(c, Some(status_code(r.status))),
                Some("started_at") => t.time(c, Some(&r.started_at)),
                Some("updated_at") => t.time(c, Some(&r.updated_at)),
                Some("completed_at") => t.time(c, r.completed_at.as_ref()),
                _ => t.json(c, *slot, mask),
            }
        }
        t.end_row();
        let rosters = r.result.get("rosters").and_then(Json::as_object);
        for roster in &mut self.rosters {
            let rows = rosters
                .and_then(|m| m.get(&roster.id))
                .and_then(Json::as_array);
            for (n, row) in rows.into_iter().flatten().enumerate() {
                let Some(row) = row.as_object() else {
                    continue;
                };
                let t = &mut roster.table;
                let ncols = t.columns().len();
                t.text(0, Some(&id));
                t.text(1, Some(&household));
                t.text(
                    2,
                    row.get(crate::interview::ROW_ID_KEY).and_then(Json::as_str),
                );
                t.int(3, i64::try_from(n + 1).ok());
                let mut cells: Vec<Option<&Json>> = vec![None; ncols];
                for (k, v) in row {
                    if let Some(&c) = roster.index.get(k)
                        && c >= ROW_FRONT.len()
                    {
                        cells[c] = Some(v);
                    }
                }
                for (c, v) in cells.iter().enumerate().skip(ROW_FRONT.len()) {
                    t.json(c, *v, mask);
                }
                t.end_row();
            }
        }
    }

    /// Adds the interviews of `records` that `keep` accepts, reading the records on a second
    /// thread while this one fills the tables (reading and decoding records takes about as
    /// long as filling the tables). The first error of `records` stops the reading and is
    /// returned. Returns how many interviews were added.
    pub fn fill<E, I>(
        &mut self,
        records: I,
        keep: impl Fn(&InterviewRecord) -> bool,
    ) -> Result<usize, E>
    where
        E: Send,
        I: Iterator<Item = Result<InterviewRecord, E>> + Send,
    {
        const CHUNK: usize = 256;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<InterviewRecord>, E>>(8);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                for r in records {
                    match r {
                        Ok(r) => {
                            chunk.push(r);
                            if chunk.len() == CHUNK {
                                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                                if tx.send(Ok(full)).is_err() {
                                    return;
                                }
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                let _ = tx.send(Ok(chunk));
            });
            let mut added = 0;
            for chunk in rx {
                for r in chunk? {
                    if keep(&r) {
                        self.push(&r);
                        added += 1;
                    }
                }
            }
            Ok(added)
        })
    }

    pub fn finish(self) -> AnswerTables {
        AnswerTables {
            answers: self.answers.finish(),
            rosters: self.rosters.into_iter().map(|r| r.table.finish()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use serde_json::json;
    use uuid::Uuid;

    fn record(n: u128, status: Status, income: f64) -> InterviewRecord {
        let at = DateTime::parse_from_rfc3339("2017-11-20T10:00:00+08:00").unwrap();
        InterviewRecord {
            interview_id: Uuid::from_u128(n),
            household_id: format!("99990100000000{n}"),
            questionnaire: "exited".into(),
            questionnaire_version: "2017.1".into(),
            status,
            interviewer: "王明".into(),
            device_id: "d".into(),
            started_at: at,
            updated_at: at,
            completed_at: None,
            cursor: None,
            answers: json!({}),
            result: json!({
                "answers": {"income_per_capita": income, "village": "桂花村", "food_ok": true},
                "rosters": {"members": [{"_row": "r1", "name": "张三丰", "age": 61}]}
            }),
            events: 0,
            skipped: Vec::new(),
            review: None,
            chosen: None,
        }
    }

    #[test]
    fn fill_keeps_what_it_is_asked_to_and_stops_at_a_read_error() {
        let report = crate::questionnaire::load_bundled();
        let forms: Vec<&Questionnaire> = report.questionnaires.iter().collect();
        let opts = TableOptions { show_ids: false };
        let mut b = AnswersBuilder::new(&forms, opts, 4);
        let records = (0..600u128).map(|n| {
            Ok::<_, String>(record(
                n,
                if n % 3 == 0 {
                    Status::Completed
                } else {
                    Status::InProgress
                },
                n as f64,
            ))
        });
        let added = b.fill(records, |r| r.status == Status::Completed).unwrap();
        assert_eq!(added, 200);
        let t = b.finish();
        assert_eq!(t.answers.rows(), 200);
        assert_eq!(t.rosters[0].rows(), 200);
        let c = t
            .answers
            .columns
            .iter()
            .position(|c| c.id == "income_per_capita")
            .unwrap();
        // In the order read: interviews 0, 3, 6, …
        assert_eq!(t.answers.view(c).get(1), super::super::Value::Num(3.0));
        let v = t
            .answers
            .columns
            .iter()
            .position(|c| c.id == "village")
            .unwrap();
        assert_eq!(
            t.answers.view(v).get(0),
            super::super::Value::Text("桂花村")
        );

        let mut b = AnswersBuilder::new(&forms, opts, 4);
        let records = (0..1000u128).map(|n| {
            if n == 700 {
                Err("record 700 is damaged".to_string())
            } else {
                Ok(record(n, Status::Completed, 1.0))
            }
        });
        assert_eq!(
            b.fill(records, |_| true),
            Err("record 700 is damaged".to_string())
        );
    }
}
