//! Checks of the members roster, one possible finding per member concerned (信息不符,
//! warnings for the interviewer and the auditor): an answered sex or age that the member's
//! valid resident ID number contradicts (age at the interview's date), a labour capacity
//! the questionnaire's hint rules out for the age or schooling (under `labour_min_age`, in
//! school, or from `elderly_age` up answered as full labour), a second 户主, and a roster
//! whose first row is not the head. Every check is one entry of [`CHECKS`]; each reads only
//! answers given, so a new, empty row flags nothing.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::finding::{Evidence, EvidenceSource, FindingKind, Severity};
use super::scope::ResultScope;
use crate::i18n::{Lang, Text};
use crate::interview::Answer;
use crate::questionnaire::expr::{Scope, Value};
use crate::questionnaire::{Kind, Question, Questionnaire};
use crate::tr;

/// The roster checked and the columns read (DOMAIN.md, core variables); `_row` is the
/// row's id in the result.
pub const ROSTER: &str = "members";
pub(super) const COLUMNS: [&str; 8] = [
    "_row",
    "name",
    "id_number",
    "relation",
    "sex",
    "age",
    "labour",
    "schooling",
];

/// Settings the labour check reads (settings.json `values`); without one, its part of the
/// check is not made.
pub const LABOUR_MIN_AGE: &str = "labour_min_age";
pub const ELDERLY_AGE: &str = "elderly_age";

/// One member check.
pub struct Check {
    /// The finding's rule id (with the member's row, its identity).
    pub id: &'static str,
    pub finding: FindingKind,
    pub severity: Severity,
    /// The message for one member (by index), or `None` when the check does not apply.
    check: fn(&Members, usize) -> Option<Text>,
}

/// Every member check, in the order findings are listed.
pub const CHECKS: &[Check] = &[
    Check {
        id: "member_sex_id_number",
        finding: FindingKind::Mismatch,
        severity: Severity::Warning,
        check: sex_vs_id,
    },
    Check {
        id: "member_age_id_number",
        finding: FindingKind::Mismatch,
        severity: Severity::Warning,
        check: age_vs_id,
    },
    Check {
        id: "member_labour_age",
        finding: FindingKind::Mismatch,
        severity: Severity::Warning,
        check: labour_vs_age,
    },
    Check {
        id: "roster_second_head",
        finding: FindingKind::Mismatch,
        severity: Severity::Warning,
        check: second_head,
    },
    Check {
        id: "roster_head_not_first",
        finding: FindingKind::Mismatch,
        severity: Severity::Warning,
        check: head_not_first,
    },
];

/// The member questions of each questionnaire, for their choice labels.
pub(super) type Labels = HashMap<Kind, HashMap<String, Question>>;

pub(super) fn labels(forms: &[&Questionnaire]) -> Labels {
    forms
        .iter()
        .map(|f| {
            let qs = COLUMNS
                .iter()
                .filter_map(|c| f.question(c).map(|q| (c.to_string(), q.clone())))
                .collect();
            (f.kind, qs)
        })
        .collect()
}

/// The roster as the checks read it: per column (in [`COLUMNS`] order), the values over the
/// rows, lent by the scope.
pub struct Members<'a> {
    columns: [&'a [Value]; COLUMNS.len()],
    questions: Option<&'a HashMap<String, Question>>,
    settings: &'a dyn Scope,
    on: chrono::NaiveDate,
}

impl<'a> Members<'a> {
    fn new(scope: &'a ResultScope, questions: Option<&'a HashMap<String, Question>>) -> Self {
        let columns = COLUMNS.map(|c| match scope.answer_ref(c) {
            Some(Value::List(items)) => items.as_slice(),
            _ => &[],
        });
        Members {
            columns,
            questions,
            settings: scope,
            on: scope.today(),
        }
    }

    fn len(&self) -> usize {
        self.columns[0].len()
    }

    fn value(&self, column: &str, i: usize) -> &Value {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|c| self.columns[c].get(i))
            .unwrap_or(&Value::Missing)
    }

    fn text(&self, column: &str, i: usize) -> Option<&str> {
        match self.value(column, i) {
            Value::Text(t) if !t.trim().is_empty() => Some(t.trim()),
            _ => None,
        }
    }

    fn number(&self, column: &str, i: usize) -> Option<i64> {
        match self.value(column, i) {
            Value::Number(n) if n.is_finite() && n.fract() == 0.0 => Some(*n as i64),
            _ => None,
        }
    }

    /// How a member is named in a message: the name, else the row's number.
    fn who(&self, i: usize) -> Text {
        match self.text("name", i) {
            Some(n) => Text::new(n, n),
            None => tr!("第{}行的成员", "the member in row {}", i + 1),
        }
    }

    /// A choice as the questionnaire labels it.
    fn label(&self, column: &str, choice: &str) -> Text {
        let shown = |lang: Lang| {
            self.questions
                .and_then(|qs| qs.get(column))
                .map(|q| Answer::Choice(choice.to_string()).display(q, lang))
                .unwrap_or_else(|| choice.to_string())
        };
        Text::new(shown(Lang::Zh), shown(Lang::En))
    }

    /// Sex and age the member's ID number gives, if it is valid.
    fn id_says(&self, i: usize) -> Option<(&'static str, i64)> {
        crate::id_number::sex_and_age(self.text("id_number", i)?, self.on)
    }

    fn setting(&self, name: &str) -> Option<i64> {
        match self.settings.setting(name) {
            Value::Number(n) if n.is_finite() => Some(n as i64),
            _ => None,
        }
    }
}

fn sex_vs_id(m: &Members, i: usize) -> Option<Text> {
    let answered = m.text("sex", i)?;
    let (sex, _) = m.id_says(i)?;
    if answered == sex {
        return None;
    }
    let (who, a, b) = (m.who(i), m.label("sex", answered), m.label("sex", sex));
    Some(Text::new(
        format!(
            "{}：性别答的是「{}」，身份证号码显示为「{}」，请核对",
            who.zh, a.zh, b.zh
        ),
        format!(
            "{}: sex answered '{}', the ID number says '{}'; check",
            who.en, a.en, b.en
        ),
    ))
}

fn age_vs_id(m: &Members, i: usize) -> Option<Text> {
    let answered = m.number("age", i)?;
    let (_, age) = m.id_says(i)?;
    if answered == age {
        return None;
    }
    let who = m.who(i);
    Some(Text::new(
        format!(
            "{}：年龄答的是{}岁，按身份证号码到调查日期为{}岁，请核对",
            who.zh, answered, age
        ),
        format!(
            "{}: age answered {}, the ID number gives {} on the interview date; check",
            who.en, answered, age
        ),
    ))
}

/// The age the checks go by: the answer, else the ID number's.
fn age_of(m: &Members, i: usize) -> Option<i64> {
    m.number("age", i).or_else(|| m.id_says(i).map(|(_, a)| a))
}

fn labour_vs_age(m: &Members, i: usize) -> Option<Text> {
    let labour = m.text("labour", i)?;
    let has_labour = labour != "none";
    let full = matches!(labour, "ordinary" | "skilled");
    let who = m.who(i);
    let shown = m.label("labour", labour);
    let age = age_of(m, i);
    if let (Some(age), Some(min)) = (age, m.setting(LABOUR_MIN_AGE))
        && age < min
        && has_labour
    {
        return Some(Text::new(
            format!(
                "{}：{}岁，劳动能力答的是「{}」；{}周岁以下应为无劳动力",
                who.zh, age, shown.zh, min
            ),
            format!(
                "{}: aged {}, labour capacity answered '{}'; under {} it is none",
                who.en, age, shown.en, min
            ),
        ));
    }
    if has_labour && m.text("schooling", i) == Some("in_school") {
        return Some(Text::new(
            format!(
                "{}：在校生，劳动能力答的是「{}」；在校生应为无劳动力",
                who.zh, shown.zh
            ),
            format!(
                "{}: in school, labour capacity answered '{}'; a student has none",
                who.en, shown.en
            ),
        ));
    }
    if let (Some(age), Some(old)) = (age, m.setting(ELDERLY_AGE))
        && age >= old
        && full
    {
        return Some(Text::new(
            format!(
                "{}：{}岁，劳动能力答的是「{}」，请核实（老人一般为弱劳动力或无劳动力）",
                who.zh, age, shown.zh
            ),
            format!(
                "{}: aged {}, labour capacity answered '{}'; verify (elderly members are usually weak or without labour)",
                who.en, age, shown.en
            ),
        ));
    }
    None
}

/// Rows whose relation is answered 户主.
fn heads(m: &Members) -> Vec<usize> {
    (0..m.len())
        .filter(|&i| m.text("relation", i) == Some("head"))
        .collect()
}

fn second_head(m: &Members, i: usize) -> Option<Text> {
    let heads = heads(m);
    // Flagged once, at the second head.
    if heads.len() < 2 || heads.get(1) != Some(&i) {
        return None;
    }
    let names = |lang: Lang| {
        heads
            .iter()
            .map(|&h| m.who(h).get(lang).to_string())
            .collect::<Vec<_>>()
    };
    Some(Text::new(
        format!(
            "有{}名成员的与户主关系为「户主」（{}），一户只能有一名户主",
            heads.len(),
            names(Lang::Zh).join("、")
        ),
        format!(
            "{} members are recorded as the head ({}); a household has one head",
            heads.len(),
            names(Lang::En).join(", ")
        ),
    ))
}

fn head_not_first(m: &Members, i: usize) -> Option<Text> {
    if i != 0 {
        return None;
    }
    let relation = m.text("relation", 0)?;
    if relation == "head" {
        return None;
    }
    let shown = m.label("relation", relation);
    // The first row, named: "第一行是钱小红（配偶）", else "第一行（配偶）".
    let who = match m.text("name", 0) {
        Some(n) => Text::new(format!("是{n}"), format!("is {n}")),
        None => Text::new("", "is a member"),
    };
    let head = heads(m).first().map(|&h| m.who(h));
    Some(match head {
        Some(h) => Text::new(
            format!(
                "成员表第一行{}（{}），户主{}应排在第一行",
                who.zh, shown.zh, h.zh
            ),
            format!(
                "the first row {} ({}); the head, {}, comes first",
                who.en, shown.en, h.en
            ),
        ),
        None => Text::new(
            format!(
                "成员表第一行{}（{}），不是户主；户主应排在第一行",
                who.zh, shown.zh
            ),
            format!(
                "the first row {} ({}), not the head; the head comes first",
                who.en, shown.en
            ),
        ),
    })
}

/// One member finding before it is placed: the check, the row (index and id), the message
/// and the row's answers it read.
pub(super) struct MemberFinding {
    pub check: &'static Check,
    pub row: String,
    pub message: Text,
    pub evidence: Vec<Evidence>,
}

/// Every member check over the result's roster.
pub(super) fn check(scope: &ResultScope, kind: Kind, labels: &Labels) -> Vec<MemberFinding> {
    let m = Members::new(scope, labels.get(&kind));
    let mut out = Vec::new();
    for c in CHECKS {
        for i in 0..m.len() {
            let Some(message) = (c.check)(&m, i) else {
                continue;
            };
            let row = m
                .text("_row", i)
                .map_or_else(|| i.to_string(), str::to_string);
            let evidence = ["name", "relation", "sex", "age", "labour", "schooling"]
                .iter()
                .filter(|col| !m.value(col, i).is_missing())
                .map(|col| Evidence {
                    source: EvidenceSource::Answer,
                    name: (*col).to_string(),
                    value: super::engine::value_json(m.value(col, i)),
                })
                .collect::<Vec<_>>();
            out.push(MemberFinding {
                check: c,
                row,
                message,
                evidence: if evidence.is_empty() {
                    vec![Evidence {
                        source: EvidenceSource::Answer,
                        name: ROSTER.into(),
                        value: Json::from(m.len()),
                    }]
                } else {
                    evidence
                },
            });
        }
    }
    out
}
