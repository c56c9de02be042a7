//! What a new interview starts with from the registry (建档立卡): the household's identity
//! (questions marked `prefill`: county, township, village, group, household id, head's
//! name) and its members in the roster (name, ID number, relation, sex, and age), for the
//! interviewer to confirm or correct; and the registry value of a question, shown beside
//! the answer for comparison. A question answered unprompted (`unprompted`, e.g. the paired
//! helper's name) is never prefilled.

use chrono::NaiveDate;
use serde_json::Value as Json;

use crate::i18n::{Lang, Text};
use crate::interview::{Answer, Change, Interview, Row};
use crate::questionnaire::{Question, QuestionType};
use crate::registry::{Household, Member};

/// The roster the registry's members go into, and its columns (DOMAIN.md, core variables).
pub const MEMBERS: &str = "members";
const MEMBER_COLUMNS: [&str; 5] = ["name", "id_number", "relation", "sex", "age"];

/// What to preload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preload {
    /// The identity questions only (an answer file brings its own roster).
    Identity,
    /// The identity questions and the registry's members.
    Everything,
}

pub use crate::id_number::{age_on, sex_and_age as from_id_number};

/// A registry member's value for a roster column, as JSON of the answer file's shape: sex
/// and age from a valid ID number where the registry lacks them (age always at `on`, the
/// interview's date, when the ID number gives it).
fn member_json(m: &Member, column: &str, on: NaiveDate) -> Option<Json> {
    let text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| Json::String(s.to_string()))
    };
    let from_id = from_id_number(&m.id_number, on);
    match column {
        "name" => text(&m.name),
        "id_number" => text(&m.id_number.to_ascii_uppercase()),
        "relation" => text(&m.relation),
        "sex" => text(&m.sex).or_else(|| from_id.map(|(sex, _)| Json::from(sex))),
        "age" => from_id
            .map(|(_, age)| Json::from(age))
            .or_else(|| m.age.map(Json::from)),
        _ => None,
    }
}

/// The registry value a question is bound to, as JSON (`None`: the registry has none).
fn field_json(h: &Household, q: &Question) -> Option<Json> {
    let field = q.registry.as_deref()?;
    let v = crate::reconcile::value_json(&h.field_value(field));
    (!v.is_null()).then_some(v)
}

/// Fills the engine of a new interview with what the registry knows (see [`Preload`]) and
/// returns the changes made, in order, to be saved as ordinary answer events. Each value
/// goes through the engine's checks; one it refuses (a relation the questionnaire does not
/// list, say) is left for the interviewer. `new_row_id` names each member's row.
pub fn preload(
    interview: &mut Interview,
    h: &Household,
    what: Preload,
    mut new_row_id: impl FnMut() -> String,
) -> Vec<Change> {
    let form = interview.form_arc().clone();
    let on = interview.context().today;
    let mut changes = Vec::new();
    for (_, q) in form.top_level() {
        if !q.prefill || q.unprompted || interview.answer(&q.id).is_some() {
            continue;
        }
        let Some(json) = field_json(h, q) else {
            continue;
        };
        if let Ok(a) = Answer::from_json(q, &json)
            && let Ok(c) = interview.set_answer(&q.id, Some(a))
        {
            changes.push(c);
        }
    }
    if what == Preload::Everything && interview.rows(MEMBERS).is_empty() {
        for m in &h.members {
            let row = new_row_id();
            let Ok(c) = interview.add_row(MEMBERS, row.clone()) else {
                break;
            };
            changes.push(c);
            for column in MEMBER_COLUMNS {
                let Some(q) = form.question(column) else {
                    continue;
                };
                if q.unprompted {
                    continue;
                }
                let Some(json) = member_json(m, column, on) else {
                    continue;
                };
                if let Ok(a) = Answer::from_json(q, &json)
                    && let Ok(c) = interview.set_row_answer(MEMBERS, &row, column, Some(a))
                {
                    changes.push(c);
                }
            }
        }
    }
    changes
}

/// The identity questions of a project check the project list answers: id, name and
/// place (`project_id`, `project_name`, `county`, `township`, `village`).
pub const PROJECT_IDENTITY: [&str; 5] = [
    "project_id",
    "project_name",
    "county",
    "township",
    "village",
];

/// Fills the engine of a new project check with the project's identity from the project
/// list (the answer file's own answers, entered after, win); returns the changes made.
pub fn preload_project(interview: &mut Interview, p: &crate::projects::Project) -> Vec<Change> {
    let mut changes = Vec::new();
    for id in PROJECT_IDENTITY {
        let value = match id {
            "project_id" => &p.project_id,
            "project_name" => &p.name,
            "county" => &p.county,
            "township" => &p.township,
            _ => &p.village,
        };
        if value.trim().is_empty() || interview.answer(id).is_some() {
            continue;
        }
        if interview.form().question(id).is_none() {
            continue;
        }
        if let Ok(c) = interview.set_answer(id, Some(Answer::Text(value.clone()))) {
            changes.push(c);
        }
    }
    changes
}

/// The registry member a roster row stands for: the one with the row's ID number, else
/// the one with its name.
pub fn registry_member<'a>(h: &'a Household, row: &Row) -> Option<&'a Member> {
    let answer = |id: &str| match row.values.get(id) {
        Some(Answer::Text(t)) => Some(t.trim().to_string()),
        _ => None,
    };
    if let Some(id) = answer("id_number").filter(|s| !s.is_empty())
        && let Some(m) = h
            .members
            .iter()
            .find(|m| m.id_number.trim().eq_ignore_ascii_case(&id))
    {
        return Some(m);
    }
    let name = answer("name").filter(|s| !s.is_empty())?;
    h.members.iter().find(|m| m.name.trim() == name)
}

/// The registry's value of a question, as shown beside the answer for comparison (choice
/// labels, 是/否, numbers as written; never ids): for a top-level question, the registry
/// field it is bound to; for a question of the members roster, `row`'s member in the
/// registry (by ID number, else name) and its name, ID number, relation, sex or age (age at
/// `on`, from a valid ID number where it gives it). `None` when the registry has no value,
/// and for a household the registry does not know.
pub fn registry_value(
    h: &Household,
    q: &Question,
    row: Option<&Row>,
    on: NaiveDate,
) -> Option<Text> {
    if h.provisional || matches!(q.kind, QuestionType::Roster { .. }) {
        return None;
    }
    let json = match row {
        Some(row) if MEMBER_COLUMNS.contains(&q.id.as_str()) => {
            member_json(registry_member(h, row)?, &q.id, on)?
        }
        Some(_) => return None,
        None => field_json(h, q)?,
    };
    let shown = |lang: Lang| match Answer::from_json(q, &json) {
        Ok(a) => a.display(q, lang),
        Err(_) => match &json {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        },
    };
    Some(Text::new(shown(Lang::Zh), shown(Lang::En)))
}

impl super::Session {
    /// The interview's date: its `interview_date` answer, else the day it is entered (the
    /// date ages are computed at).
    pub fn interview_date(&self) -> NaiveDate {
        match self.interview.answer("interview_date") {
            Some(Answer::Date(d)) => *d,
            _ => self.interview.context().today,
        }
    }

    /// [`registry_value`] of a question of this interview, by id; `row` is the row's id for
    /// a roster question. For showing beside the answer (after it, for a question answered
    /// unprompted).
    pub fn registry_value(
        &self,
        h: &Household,
        question_id: &str,
        row: Option<&str>,
    ) -> Option<Text> {
        let form = self.interview.form();
        let q = form.question(question_id)?;
        let row = match (form.roster_of(question_id), row) {
            (Some(roster), Some(id)) => Some(
                self.interview
                    .rows(&roster.id)
                    .iter()
                    .find(|r| r.id == id)?,
            ),
            (Some(_), None) => return None,
            (None, _) => None,
        };
        registry_value(h, q, row, self.interview_date())
    }
}
