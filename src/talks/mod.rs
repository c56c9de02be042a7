//! Cadre talks (交流座谈): the assessment team talks one to one with county, township and
//! village cadres, East–West cooperation cadres on secondment, resident work team members,
//! paired helpers and representatives, on policies, methods, funds and projects, the
//! "三落实", satisfaction and suggestions (`questionnaires/cadre.json`, subject: a person).
//!
//! The knowledge questions are scored against what the program holds ([`Facts`]: the year's
//! income line, the registry's households per village and township, each helper's
//! households; [`score`]), and summed per role and per township with the people to prepare
//! again ([`summarize`]).

mod facts;
mod role;
mod score;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

pub use facts::{Counts, Facts, Helped};
pub use role::Role;
pub use score::{Check, Outcome, Talk, score};

use crate::i18n::Text;

/// One talk with its checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub interview_id: Uuid,
    pub name: String,
    /// `None`: the role is not answered (an interview just begun).
    pub role: Option<Role>,
    pub unit: String,
    pub county: String,
    pub township: String,
    pub village: String,
    /// Whether the talk is completed.
    pub completed: bool,
    pub checks: Vec<Check>,
}

impl Scored {
    /// Scores one talk: the interview's id, whether it is completed, and its result.
    pub fn new(
        interview_id: Uuid,
        completed: bool,
        result: &serde_json::Value,
        facts: &Facts,
    ) -> Option<Scored> {
        let talk = Talk::of_result(result)?;
        Some(Scored {
            interview_id,
            name: talk.text("person_name"),
            role: talk.role(),
            unit: talk.text("person_unit"),
            county: talk.text("county"),
            township: talk.text("township"),
            village: talk.text("village"),
            completed,
            checks: score(&talk, facts),
        })
    }

    /// Checks answered right and checks scored (right or wrong).
    pub fn tally(&self) -> (usize, usize) {
        let right = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Right)
            .count();
        let wrong = self
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Wrong)
            .count();
        (right, right + wrong)
    }

    pub fn wrong(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Wrong)
    }
}

/// The knowledge of one group of people (a role, a township).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The role's id, or the township's name (`county / township`).
    pub key: String,
    pub label: Text,
    /// People talked to (completed talks).
    pub people: usize,
    /// Checks scored, and of them answered right.
    pub scored: usize,
    pub right: usize,
    /// `right / scored`; `None` when nothing was scored.
    pub share: Option<f64>,
    /// People with at least one wrong answer.
    pub to_prepare: usize,
}

/// Completed talks summed per role and per township, and the people to prepare again (at
/// least one knowledge question answered wrong), each with what they got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Completed talks.
    pub talks: usize,
    /// Talks not completed yet (not counted).
    pub in_progress: usize,
    pub by_role: Vec<Group>,
    pub by_township: Vec<Group>,
    pub to_prepare: Vec<Scored>,
}

pub fn summarize(talks: &[Scored]) -> Summary {
    #[derive(Default)]
    struct Acc {
        label: Option<Text>,
        people: usize,
        scored: usize,
        right: usize,
        to_prepare: usize,
    }
    let add = |acc: &mut Acc, s: &Scored| {
        let (right, scored) = s.tally();
        acc.people += 1;
        acc.scored += scored;
        acc.right += right;
        acc.to_prepare += usize::from(right < scored);
    };
    let done: Vec<&Scored> = talks.iter().filter(|t| t.completed).collect();
    let mut roles: BTreeMap<Option<Role>, Acc> = BTreeMap::new();
    let mut townships: BTreeMap<(String, String), Acc> = BTreeMap::new();
    for s in &done {
        add(roles.entry(s.role).or_default(), s);
        if !s.township.is_empty() {
            let acc = townships
                .entry((s.county.clone(), s.township.clone()))
                .or_default();
            acc.label = Some(Text::new(
                format!("{} / {}", s.county, s.township),
                format!("{} / {}", s.county, s.township),
            ));
            add(acc, s);
        }
    }
    let group = |key: String, label: Text, a: Acc| Group {
        key,
        label,
        people: a.people,
        scored: a.scored,
        right: a.right,
        share: (a.scored > 0).then(|| a.right as f64 / a.scored as f64),
        to_prepare: a.to_prepare,
    };
    let by_role = roles
        .into_iter()
        .map(|(r, a)| match r {
            Some(r) => group(r.id().to_string(), r.label(), a),
            None => group(String::new(), Text::new("身份未填", "role not given"), a),
        })
        .collect();
    let by_township = townships
        .into_iter()
        .map(|((c, t), mut a)| {
            let label = a.label.take().unwrap_or_else(|| Text::new("", ""));
            group(format!("{c} / {t}"), label, a)
        })
        .collect();
    let mut to_prepare: Vec<Scored> = done
        .iter()
        .filter(|s| s.wrong().next().is_some())
        .map(|s| (*s).clone())
        .collect();
    to_prepare.sort_by(|a, b| {
        (&a.county, &a.township, &a.village, &a.name).cmp(&(
            &b.county,
            &b.township,
            &b.village,
            &b.name,
        ))
    });
    Summary {
        talks: done.len(),
        in_progress: talks.len() - done.len(),
        by_role,
        by_township,
        to_prepare,
    }
}
