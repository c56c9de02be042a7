//! The archive checklist of one place (county, township or village): per catalogue item a
//! status (提供齐全 present, 不完整 incomplete, 缺失 missing, 未查 unchecked) and a note,
//! built from answers keyed by question id so that an interview can feed it, and the list of
//! those questions for another module to turn into a questionnaire.
//!
//! Question ids (stable): the status of item `N.M` is `archive_N_M` (item 1.23 → `archive_1_23`),
//! its note `archive_N_M_note`. An id is unique within a level; the level is the checklist's.

use serde::Serialize;
use serde_json::Value;

use super::catalogue::{Category, Item, ItemNumber, Level, Table};
use crate::i18n::Text;

/// The prefix of every checklist question id.
pub const QUESTION_PREFIX: &str = "archive_";
/// The suffix of a note's question id.
pub const NOTE_SUFFIX: &str = "_note";

/// 核查结果 What was found for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 提供齐全 the material is there and complete.
    Present,
    /// 不完整 some of it is there.
    Incomplete,
    /// 缺失 none of it is there.
    Missing,
    /// 未查 not checked yet.
    Unchecked,
}

impl Status {
    /// The statuses an answer can give, in the order of the question's choices.
    pub const ANSWERS: [Status; 3] = [Status::Present, Status::Incomplete, Status::Missing];

    /// The stable name, also the answer's value: `present`, `incomplete`, `missing`, `unchecked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Incomplete => "incomplete",
            Status::Missing => "missing",
            Status::Unchecked => "unchecked",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Status::Present => Text::new("提供齐全", "present"),
            Status::Incomplete => Text::new("不完整", "incomplete"),
            Status::Missing => Text::new("缺失", "missing"),
            Status::Unchecked => Text::new("未查", "unchecked"),
        }
    }

    /// Reads an answer's value (`present`, `incomplete`, `missing`).
    pub fn from_answer(s: &str) -> Option<Status> {
        Status::ANSWERS.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the item has to be fixed (missing or incomplete).
    pub fn needs_fixing(self) -> bool {
        matches!(self, Status::Missing | Status::Incomplete)
    }
}

/// The question id of an item's status: `archive_1_23` for item 1.23.
pub fn question_id(number: ItemNumber) -> String {
    format!("{QUESTION_PREFIX}{}_{}", number.major, number.minor)
}

/// The question id of an item's note: `archive_1_23_note` for item 1.23.
pub fn note_id(number: ItemNumber) -> String {
    format!("{}{NOTE_SUFFIX}", question_id(number))
}

/// What a checklist question id asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Status(ItemNumber),
    Note(ItemNumber),
}

/// Reads a question id made by [`question_id`] or [`note_id`]; `None` for anything else
/// (whether the item is in a table is for the caller to see).
pub fn parse_question_id(id: &str) -> Option<Asked> {
    let rest = id.strip_prefix(QUESTION_PREFIX)?;
    let (rest, note) = match rest.strip_suffix(NOTE_SUFFIX) {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (a, b) = rest.split_once('_')?;
    let number = ItemNumber::parse(&format!("{a}.{b}"))?;
    Some(if note {
        Asked::Note(number)
    } else {
        Asked::Status(number)
    })
}

/// The kind of answer a checklist question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of the choices.
    Choice,
    /// Free text.
    Text,
}

/// One choice of a status question: the answer's value and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckChoice {
    pub value: String,
    pub label: Text,
}

/// A checklist question, independent of the questionnaire format: the status of an item or
/// its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckQuestion {
    pub id: String,
    /// The item, as the notice numbers it (`1.23`).
    pub item: String,
    /// The category's id.
    pub category: String,
    pub kind: QuestionKind,
    /// `1.23 贫困县确定批复；` / `1.23 Approval of …`; a note's label says it is the note.
    pub label: Text,
    /// The three statuses for a status question; empty for a note.
    pub choices: Vec<CheckChoice>,
}

/// The questions of a level's checklist: per item, in the catalogue's order, its status then
/// its note.
pub fn questions(table: &Table) -> Vec<CheckQuestion> {
    let choices: Vec<CheckChoice> = Status::ANSWERS
        .into_iter()
        .map(|s| CheckChoice {
            value: s.as_str().to_string(),
            label: s.label(),
        })
        .collect();
    let mut out = Vec::with_capacity(table.len() * 2);
    for (c, i) in table.items() {
        let n = i.number;
        out.push(CheckQuestion {
            id: question_id(n),
            item: n.to_string(),
            category: c.id.clone(),
            kind: QuestionKind::Choice,
            label: Text::new(format!("{n} {}", i.text.zh), format!("{n} {}", i.text.en)),
            choices: choices.clone(),
        });
        out.push(CheckQuestion {
            id: note_id(n),
            item: n.to_string(),
            category: c.id.clone(),
            kind: QuestionKind::Text,
            label: Text::new(format!("{n} 说明"), format!("{n} note")),
            choices: Vec::new(),
        });
    }
    out
}

/// 被查单位 The place whose archive is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub level: Level,
    /// The place's name, e.g. `大姚县`, `金碧镇`, `某某村`.
    pub name: String,
}

/// Why an answer could not go into a checklist; the message names the question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    #[error("被查单位名称为空 / the place's name is empty")]
    EmptyPlace,
    #[error("{level}级档案台账没有问题 {id} / no question {id} in the {level} archive checklist")]
    UnknownQuestion { level: &'static str, id: String },
    #[error(
        "问题 {id} 的答案 {value} 无效，应为 present、incomplete 或 missing / question {id}: answer {value} is not present, incomplete or missing"
    )]
    BadStatus { id: String, value: String },
    #[error("问题 {id} 的答案 {value} 不是文字 / question {id}: answer {value} is not text")]
    BadNote { id: String, value: String },
}

/// What was found for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub category: &'a Category,
    pub item: &'a Item,
    pub status: Status,
    /// The note, when one was given (empty text is none).
    pub note: Option<String>,
}

/// The checklist of one place: every item of its level's table, in the catalogue's order.
#[derive(Debug, Clone)]
pub struct Checklist<'a> {
    pub place: Place,
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Checklist<'a> {
    /// A checklist with every item unchecked. The table's level is the place's.
    pub fn new(table: &'a Table, name: &str) -> Result<Checklist<'a>, ChecklistError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ChecklistError::EmptyPlace);
        }
        Ok(Checklist {
            place: Place {
                level: table.level,
                name: name.to_string(),
            },
            entries: table
                .items()
                .map(|(category, item)| Entry {
                    category,
                    item,
                    status: Status::Unchecked,
                    note: None,
                })
                .collect(),
        })
    }

    /// A checklist from answers (question id → value): a status question takes `"present"`,
    /// `"incomplete"` or `"missing"` (null leaves the item unchecked), a note question a string
    /// (null or blank: no note). An id that is not a question of this level is refused.
    pub fn from_answers<'v, K: AsRef<str>>(
        table: &'a Table,
        name: &str,
        answers: impl IntoIterator<Item = (K, &'v Value)>,
    ) -> Result<Checklist<'a>, ChecklistError> {
        let mut list = Checklist::new(table, name)?;
        for (id, value) in answers {
            list.answer(id.as_ref(), value)?;
        }
        Ok(list)
    }

    /// Applies one answer (see [`Checklist::from_answers`]).
    pub fn answer(&mut self, id: &str, value: &Value) -> Result<(), ChecklistError> {
        let unknown = || ChecklistError::UnknownQuestion {
            level: self.place.level.as_str(),
            id: id.to_string(),
        };
        let asked = parse_question_id(id).ok_or_else(unknown)?;
        let number = match asked {
            Asked::Status(n) | Asked::Note(n) => n,
        };
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.item.number == number)
            .ok_or_else(unknown)?;
        match asked {
            Asked::Status(_) => {
                entry.status = match value {
                    Value::Null => Status::Unchecked,
                    Value::String(s) => {
                        Status::from_answer(s).ok_or_else(|| ChecklistError::BadStatus {
                            id: id.to_string(),
                            value: value.to_string(),
                        })?
                    }
                    _ => {
                        return Err(ChecklistError::BadStatus {
                            id: id.to_string(),
                            value: value.to_string(),
                        });
                    }
                }
            }
            Asked::Note(_) => {
                entry.note = match value {
                    Value::Null => None,
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some(s.trim().to_string()),
                    _ => {
                        return Err(ChecklistError::BadNote {
                            id: id.to_string(),
                            value: value.to_string(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The entry of an item.
    pub fn entry(&self, number: ItemNumber) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.item.number == number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::catalogue::{Catalogue, bundled};
    use serde_json::json;

    fn cat() -> Catalogue {
        bundled().unwrap()
    }

    fn n(s: &str) -> ItemNumber {
        ItemNumber::parse(s).unwrap()
    }

    #[test]
    fn question_ids_are_made_and_read_back() {
        assert_eq!(question_id(n("1.23")), "archive_1_23");
        assert_eq!(note_id(n("1.23")), "archive_1_23_note");
        assert_eq!(
            parse_question_id("archive_1_23"),
            Some(Asked::Status(n("1.23")))
        );
        assert_eq!(
            parse_question_id("archive_3_19_note"),
            Some(Asked::Note(n("3.19")))
        );
        for bad in [
            "archive_1",
            "archive_1_2_3",
            "archive__1",
            "archive_1_01",
            "archive_1_2_notes",
            "1_2",
            "archive_a_b",
        ] {
            assert_eq!(parse_question_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn questions_are_status_then_note_per_item_in_order() {
        let c = cat();
        let t = c.table(Level::County).unwrap();
        let qs = questions(t);
        assert_eq!(qs.len(), 60);
        assert_eq!(qs[0].id, "archive_1_1");
        assert_eq!(qs[1].id, "archive_1_1_note");
        assert_eq!(qs[1].kind, QuestionKind::Text);
        let q = qs.iter().find(|q| q.id == "archive_1_23").unwrap();
        assert_eq!(q.label.zh, "1.23 贫困县确定批复；");
        assert_eq!(q.category, "county_exit");
        let values: Vec<&str> = q.choices.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["present", "incomplete", "missing"]);
        assert_eq!(q.choices[0].label.zh, "提供齐全");
        // Every question id reads back to its item.
        for q in &qs {
            let asked = parse_question_id(&q.id).unwrap();
            let (Asked::Status(num) | Asked::Note(num)) = asked;
            assert_eq!(num.to_string(), q.item);
        }
    }

    #[test]
    fn answers_set_status_and_note_and_the_rest_stay_unchecked() {
        let c = cat();
        let t = c.table(Level::Village).unwrap();
        let answers = [
            ("archive_2_7", json!("present")),
            ("archive_2_8", json!("incomplete")),
            ("archive_2_8_note", json!("  缺举报电话照片 ")),
            ("archive_4_11", json!("missing")),
            ("archive_4_11_note", json!("")),
            ("archive_1_1", Value::Null),
        ];
        let list =
            Checklist::from_answers(t, "某某村", answers.iter().map(|(k, v)| (*k, v))).unwrap();
        assert_eq!(list.place.level, Level::Village);
        assert_eq!(list.entries.len(), 48);
        assert_eq!(list.entry(n("2.7")).unwrap().status, Status::Present);
        let e = list.entry(n("2.8")).unwrap();
        assert_eq!(e.status, Status::Incomplete);
        assert_eq!(e.note.as_deref(), Some("缺举报电话照片"));
        let e = list.entry(n("4.11")).unwrap();
        assert_eq!(e.status, Status::Missing);
        assert_eq!(e.note, None);
        assert_eq!(list.entry(n("1.1")).unwrap().status, Status::Unchecked);
        assert_eq!(list.entry(n("3.1")).unwrap().status, Status::Unchecked);
    }

    #[test]
    fn unknown_ids_and_bad_values_are_refused_naming_the_question() {
        let c = cat();
        let t = c.table(Level::Township).unwrap();
        // 2.7 is a village item, not a township one.
        let e =
            Checklist::from_answers(t, "金碧镇", [("archive_2_7", &json!("present"))]).unwrap_err();
        assert_eq!(
            e,
            ChecklistError::UnknownQuestion {
                level: "township",
                id: "archive_2_7".into()
            }
        );
        assert!(e.to_string().contains("archive_2_7"));
        let e = Checklist::from_answers(t, "金碧镇", [("household_id", &json!("x"))]).unwrap_err();
        assert!(e.to_string().contains("household_id"));
        let e =
            Checklist::from_answers(t, "金碧镇", [("archive_2_1", &json!("齐全"))]).unwrap_err();
        assert!(matches!(e, ChecklistError::BadStatus { .. }));
        assert!(e.to_string().contains("archive_2_1"));
        let e = Checklist::from_answers(t, "金碧镇", [("archive_2_1", &json!(1))]).unwrap_err();
        assert!(matches!(e, ChecklistError::BadStatus { .. }));
        let e = Checklist::from_answers(t, "金碧镇", [("archive_2_1_note", &json!(["a"]))])
            .unwrap_err();
        assert!(matches!(e, ChecklistError::BadNote { .. }));
        assert_eq!(
            Checklist::new(t, "  ").unwrap_err(),
            ChecklistError::EmptyPlace
        );
    }
}
