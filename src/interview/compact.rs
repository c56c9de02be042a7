//! An interview's result in a compact form, for reading many at once (reconciliation over a
//! county's interviews): what the record says about the interview (id, questionnaire,
//! status, times) and its `result`, in postcard, read back without copying its texts.
//!
//! It is derived from [`InterviewRecord`]: written beside the record whenever the record is,
//! never edited on its own. The layout is a format byte, then the fields of [`Compact`] in
//! order; a change of layout is a new format byte (and the stored copies are made again from
//! the records).
//!
//! Question ids are written as codes of a [`Names`] dictionary kept beside the results (a
//! store keeps one for all its results): an id is written once in the dictionary instead of
//! once per interview, which makes a result about a third of its size, and a reader maps
//! codes to what it wants with a table instead of comparing texts.

use chrono::{DateTime, FixedOffset, TimeZone};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{InterviewRecord, Status};

const FORMAT: u8 = 3;

/// The code of a question id in a [`Names`] dictionary.
pub type Code = u32;

/// Question ids and their codes, numbered from 0 in the order they were first met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    codes: FxHashMap<String, Code>,
    names: Vec<String>,
}

impl Names {
    /// A dictionary with these names, coded 0, 1, 2… in this order (as a store reads its
    /// dictionary back).
    pub fn from_names(names: impl IntoIterator<Item = String>) -> Names {
        let mut n = Names::default();
        for name in names {
            n.code(&name);
        }
        n
    }

    /// The code of `name`, given the next code when it is new.
    pub fn code(&mut self, name: &str) -> Code {
        if let Some(&c) = self.codes.get(name) {
            return c;
        }
        let c = Code::try_from(self.names.len()).unwrap_or(Code::MAX);
        self.codes.insert(name.to_string(), c);
        self.names.push(name.to_string());
        c
    }

    pub fn name(&self, code: Code) -> Option<&str> {
        self.names.get(code as usize).map(String::as_str)
    }

    /// How many names there are (the next code).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names from code `from` on, with their codes (what a store must add after encoding
    /// with new names).
    pub fn since(&self, from: usize) -> impl Iterator<Item = (Code, &str)> {
        self.names
            .iter()
            .enumerate()
            .skip(from)
            .map(|(i, n)| (i as Code, n.as_str()))
    }

    /// Forgets the names from code `len` on (a write that added them failed).
    pub fn truncate(&mut self, len: usize) {
        for name in self.names.drain(len.min(self.names.len())..) {
            self.codes.remove(&name);
        }
    }
}

/// One answer's value. The same variants, in the same order, as the private owned type the
/// encoder writes. Texts are read as bytes (postcard writes a text and bytes alike), so that
/// reading skips the UTF-8 check of texts nobody looks at; they were UTF-8 when written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(&'a [u8]),
    Many(Vec<&'a [u8]>),
}

#[derive(Serialize)]
enum CellOut {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    Many(Vec<String>),
}

/// A time as milliseconds since the epoch and its UTC offset in seconds.
type Time = (i64, i32);

/// A roster row: question code and value.
pub type RowCells<'a> = Vec<(Code, Cell<'a>)>;

/// An interview as reconciliation reads it, borrowed from the encoded bytes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Compact<'a> {
    pub interview_id: Uuid,
    pub household_id: &'a str,
    pub questionnaire: &'a str,
    pub status: Status,
    /// Who made the interview (empty for a result that is not a stored record).
    pub interviewer: &'a str,
    updated_at: Time,
    completed_at: Option<Time>,
    /// Top-level answers of the result: question code and value.
    #[serde(borrow)]
    pub answers: Vec<(Code, Cell<'a>)>,
    /// Rosters of the result: roster code and its rows.
    #[serde(borrow)]
    pub rosters: Vec<(Code, Vec<RowCells<'a>>)>,
}

/// A roster row as written.
type RowOut = Vec<(Code, CellOut)>;

#[derive(Serialize)]
struct CompactOut<'r> {
    interview_id: Uuid,
    household_id: &'r str,
    questionnaire: &'r str,
    status: Status,
    interviewer: &'r str,
    updated_at: Time,
    completed_at: Option<Time>,
    answers: Vec<(Code, CellOut)>,
    rosters: Vec<(Code, Vec<RowOut>)>,
}

fn time(t: &DateTime<FixedOffset>) -> Time {
    (t.timestamp_millis(), t.offset().local_minus_utc())
}

fn from_time((ms, offset): Time) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(offset)?;
    tz.timestamp_millis_opt(ms).single()
}

fn cell(v: &Json) -> CellOut {
    match v {
        Json::Null | Json::Object(_) => CellOut::Null,
        Json::Bool(b) => CellOut::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => CellOut::Int(i),
            None => n.as_f64().map_or(CellOut::Null, CellOut::Num),
        },
        Json::String(s) => CellOut::Text(s.clone()),
        Json::Array(items) => CellOut::Many(
            items
                .iter()
                .map(|i| match i {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
    }
}

fn cells(map: Option<&serde_json::Map<String, Json>>, names: &mut Names) -> Vec<(Code, CellOut)> {
    map.into_iter()
        .flatten()
        .map(|(k, v)| (names.code(k), cell(v)))
        .collect()
}

/// Encodes what reconciliation needs of a record: its head and its `result` (answers under
/// `"answers"`, roster rows under `"rosters"`; anything else in the result is left out),
/// question ids coded by `names` (which learns the new ones).
pub fn encode(record: &InterviewRecord, names: &mut Names) -> Vec<u8> {
    write(
        Head {
            interview_id: record.interview_id,
            household_id: &record.household_id,
            questionnaire: &record.questionnaire,
            status: record.status,
            interviewer: &record.interviewer,
            updated_at: time(&record.updated_at),
            completed_at: record.completed_at.as_ref().map(time),
        },
        &record.result,
        names,
    )
}

/// Encodes a result alone (nil interview id, empty household and questionnaire, in
/// progress, times at the epoch): for reconciling a result that is not a stored record.
pub fn encode_result(result: &Json, names: &mut Names) -> Vec<u8> {
    write(
        Head {
            interview_id: Uuid::nil(),
            household_id: "",
            questionnaire: "",
            status: Status::InProgress,
            interviewer: "",
            updated_at: (0, 0),
            completed_at: None,
        },
        result,
        names,
    )
}

struct Head<'r> {
    interview_id: Uuid,
    household_id: &'r str,
    questionnaire: &'r str,
    status: Status,
    interviewer: &'r str,
    updated_at: Time,
    completed_at: Option<Time>,
}

fn write(head: Head, result: &Json, names: &mut Names) -> Vec<u8> {
    let rosters = result
        .get("rosters")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(roster, rows)| {
            let rows = rows
                .as_array()
                .into_iter()
                .flatten()
                .map(|row| cells(row.as_object(), names))
                .collect();
            (names.code(roster), rows)
        })
        .collect();
    let out = CompactOut {
        interview_id: head.interview_id,
        household_id: head.household_id,
        questionnaire: head.questionnaire,
        status: head.status,
        interviewer: head.interviewer,
        updated_at: head.updated_at,
        completed_at: head.completed_at,
        answers: cells(result.get("answers").and_then(Json::as_object), names),
        rosters,
    };
    let mut bytes = vec![FORMAT];
    // Writing into a Vec cannot fail, and every field is serializable.
    postcard::to_io(&out, &mut bytes).expect("encoding into memory");
    bytes
}

/// Reads an encoded record; `Err` says what is wrong with the bytes.
pub fn decode(bytes: &[u8]) -> Result<Compact<'_>, String> {
    match bytes.split_first() {
        Some((&FORMAT, rest)) => postcard::from_bytes(rest).map_err(|e| e.to_string()),
        Some((f, _)) => Err(format!("unknown result format {f}")),
        None => Err("empty record".into()),
    }
}

impl Compact<'_> {
    /// A result with no answers (nil interview, in progress, times at the epoch).
    pub fn empty() -> Self {
        Compact {
            interview_id: Uuid::nil(),
            household_id: "",
            questionnaire: "",
            status: Status::InProgress,
            interviewer: "",
            updated_at: (0, 0),
            completed_at: None,
            answers: Vec::new(),
            rosters: Vec::new(),
        }
    }

    pub fn updated_at(&self) -> Option<DateTime<FixedOffset>> {
        from_time(self.updated_at)
    }

    pub fn completed_at(&self) -> Option<DateTime<FixedOffset>> {
        self.completed_at.and_then(from_time)
    }

    /// The rows of a roster, by its code (none when the result has no such roster).
    pub fn rows(&self, roster: Code) -> &[RowCells<'_>] {
        self.rosters
            .iter()
            .find(|(r, _)| *r == roster)
            .map_or(&[], |(_, rows)| rows.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> InterviewRecord {
        let at = DateTime::parse_from_rfc3339("2017-11-20T10:00:00.123+08:00").unwrap();
        InterviewRecord {
            interview_id: Uuid::from_u128(7),
            household_id: "522701000000001".into(),
            questionnaire: "exited".into(),
            questionnaire_version: "2017.1".into(),
            status: Status::Completed,
            interviewer: "王明".into(),
            device_id: "d".into(),
            started_at: at,
            updated_at: at,
            completed_at: Some(at),
            cursor: None,
            answers: json!({}),
            result: json!({
                "answers": {"head_name": "张三丰", "household_size": 4, "income_per_capita": 3980.5,
                            "food_ok": true, "note": null, "aid": ["dibao", "wubao"], "odd": [1, "a"]},
                "rosters": {"members": [{"_row": "r1", "name": "张三丰", "age": 61}, {"_row": "r2"}]}
            }),
            events: 12,
            skipped: Vec::new(),
            review: None,
            chosen: None,
        }
    }

    #[test]
    fn round_trip_borrows_texts_and_keeps_times() {
        let r = record();
        let mut names = Names::default();
        let bytes = encode(&r, &mut names);
        let c = decode(&bytes).unwrap();
        assert_eq!(c.interview_id, r.interview_id);
        assert_eq!(c.household_id, "522701000000001");
        assert_eq!(c.questionnaire, "exited");
        assert_eq!(c.status, Status::Completed);
        assert_eq!(c.completed_at(), r.completed_at);
        assert_eq!(c.updated_at(), Some(r.updated_at));
        let code = |id: &str| Names::clone(&names).code(id);
        let a = |id: &str| {
            c.answers
                .iter()
                .find(|(k, _)| *k == code(id))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(a("head_name"), Some(Cell::Text("张三丰".as_bytes())));
        assert_eq!(a("household_size"), Some(Cell::Int(4)));
        assert_eq!(a("income_per_capita"), Some(Cell::Num(3980.5)));
        assert_eq!(a("food_ok"), Some(Cell::Bool(true)));
        assert_eq!(a("note"), Some(Cell::Null));
        assert_eq!(
            a("aid"),
            Some(Cell::Many(vec![&b"dibao"[..], &b"wubao"[..]]))
        );
        assert_eq!(a("odd"), Some(Cell::Many(vec![&b"1"[..], &b"a"[..]])));
        let rows = c.rows(code("members"));
        assert_eq!(rows.len(), 2);
        assert!(rows[0].contains(&(code("age"), Cell::Int(61))));
        assert!(c.rows(code("absent")).is_empty());
        // The ids are in the dictionary once each; a second record adds nothing.
        let before = names.len();
        assert_eq!(names.name(code("age")), Some("age"));
        encode(&r, &mut names);
        assert_eq!(names.len(), before);
        let mut again = Names::from_names(names.since(0).map(|(_, n)| n.to_string()));
        assert_eq!(again, names);
        again.code("new");
        again.truncate(before);
        assert_eq!(again, names);
    }

    #[test]
    fn damaged_bytes_are_errors() {
        let bytes = encode(&record(), &mut Names::default());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "cut at {n}");
        }
        assert!(decode(b"{}").is_err());
    }
}
