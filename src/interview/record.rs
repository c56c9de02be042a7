//! Interviews as event logs (DESIGN.md): every answer change is an [`Event`]; an interview's
//! answers are the fold of its events, last writer by `(at, event_id)` winning. The
//! [`InterviewRecord`] keeps the current answers beside the log so that reading an interview
//! never means replaying it.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;

use super::answer::Answer;
use super::answers::{Answers, Change, RowMove, RowRef};
use crate::questionnaire::Questionnaire;

/// Where an interview stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InProgress,
    Completed,
    /// Completed, and approved by the team lead.
    Approved,
    /// Returned by the team lead for another visit or corrections (with a comment);
    /// completing it again clears the return.
    Returned,
}

impl Status {
    /// The status in the user's words: 进行中 / in progress, 已完成 / completed, 已通过 /
    /// approved, 已退回 / returned.
    pub fn label(self) -> crate::i18n::Text {
        match self {
            Status::InProgress => crate::i18n::Text::new("进行中", "in progress"),
            Status::Completed => crate::i18n::Text::new("已完成", "completed"),
            Status::Approved => crate::i18n::Text::new("已通过", "approved"),
            Status::Returned => crate::i18n::Text::new("已退回", "returned"),
        }
    }

    /// Completed (approved or not): what findings and rates count.
    pub fn is_done(self) -> bool {
        matches!(self, Status::Completed | Status::Approved)
    }
}

/// What a team lead decided of an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
}

/// A team lead's review, as its event carries it and the record keeps the one in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub decision: Decision,
    /// For the whole interview.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// Per question id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub questions: std::collections::BTreeMap<String, String>,
    /// Who reviewed, and when (from the event).
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
}

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventOp {
    /// Answer `question_id` (in `row` for a roster question) with `value` (null clears it).
    Set,
    /// Add row `row` to roster `question_id`.
    AddRow,
    /// Remove row `row` from roster `question_id`.
    RemoveRow,
    /// The interview was completed (`value` true) or reopened (false).
    Status,
    /// Move row `row` of roster `question_id` right after row `value.after` (null: first).
    MoveRow,
    /// `question_id` (in `row` for a roster question) was passed on purpose without an
    /// answer (`value` true), or that is taken back (false). An answer given later takes
    /// it back too.
    Skip,
    /// The team lead approved or returned the interview (`value` a [`Review`]); a status
    /// change like [`EventOp::Status`], on the same cell.
    Review,
    /// The team lead chose this interview as the one that counts for its household, of two
    /// or more visits (a duplicate visit); the latest choice among them counts.
    Choose,
}

/// One change of one interview, as stored and as merged between laptops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: Uuid,
    pub interview_id: Uuid,
    /// When it happened: UTC instant with the laptop's local offset.
    pub at: DateTime<FixedOffset>,
    pub device_id: String,
    /// The event's number among its device's events, from 1 with no gaps (0: not numbered
    /// yet, or written before events were numbered). The store numbers its own events as it
    /// writes them.
    #[serde(default)]
    pub seq: u64,
    /// The events of the same cell (`causal.rs`) its author had seen: what it supersedes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base: Vec<Uuid>,
    pub interviewer: String,
    pub op: EventOp,
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default)]
    pub value: Json,
}

/// Who made an event, where and when.
#[derive(Debug, Clone)]
pub struct Origin {
    pub device_id: String,
    pub interviewer: String,
    pub at: DateTime<FixedOffset>,
}

impl Event {
    /// The event that records `change`.
    pub fn from_change(interview_id: Uuid, origin: &Origin, change: &Change) -> Event {
        let (op, question_id, row, value) = match change {
            Change::Set {
                question,
                row,
                value,
            } => (
                EventOp::Set,
                question.clone(),
                row.as_ref().map(|r| r.row.clone()),
                value.as_ref().map_or(Json::Null, Answer::to_json),
            ),
            Change::AddRow(r) => (
                EventOp::AddRow,
                r.roster.clone(),
                Some(r.row.clone()),
                Json::Null,
            ),
            Change::RemoveRow(r) => (
                EventOp::RemoveRow,
                r.roster.clone(),
                Some(r.row.clone()),
                Json::Null,
            ),
        };
        Event::new(interview_id, origin, op, question_id, row, value)
    }

    /// A completion (or reopening) event.
    pub fn status(interview_id: Uuid, origin: &Origin, completed: bool) -> Event {
        Event::new(
            interview_id,
            origin,
            EventOp::Status,
            String::new(),
            None,
            Json::Bool(completed),
        )
    }

    /// The event that records a question passed on purpose (`skipped`) or taken back.
    pub fn skip(interview_id: Uuid, origin: &Origin, skip: &Skipped, skipped: bool) -> Event {
        Event::new(
            interview_id,
            origin,
            EventOp::Skip,
            skip.question_id.clone(),
            skip.row.clone(),
            Json::Bool(skipped),
        )
    }

    /// The event that records a team lead's review.
    pub fn review(interview_id: Uuid, origin: &Origin, review: &Review) -> Event {
        let mut value = serde_json::to_value(review).unwrap_or(Json::Null);
        if let Some(o) = value.as_object_mut() {
            o.remove("by");
            o.remove("at");
        }
        Event::new(
            interview_id,
            origin,
            EventOp::Review,
            String::new(),
            None,
            value,
        )
    }

    /// The review this event records (`by` and `at` from the event); `None` for other
    /// events.
    pub fn to_review(&self) -> Option<Review> {
        if self.op != EventOp::Review {
            return None;
        }
        let mut r: Review = serde_json::from_value(self.value.clone()).ok()?;
        r.by = self.interviewer.clone();
        r.at = Some(self.at);
        Some(r)
    }

    /// The status this status or review event leaves; `None` for other events.
    pub fn to_status(&self) -> Option<Status> {
        match self.op {
            EventOp::Status => Some(if self.value.as_bool() == Some(true) {
                Status::Completed
            } else {
                Status::InProgress
            }),
            EventOp::Review => Some(match self.to_review()?.decision {
                Decision::Approve => Status::Approved,
                Decision::Return => Status::Returned,
            }),
            _ => None,
        }
    }

    /// The event that records the team lead's choice of this interview among the visits
    /// of its household.
    pub fn choose(interview_id: Uuid, origin: &Origin) -> Event {
        Event::new(
            interview_id,
            origin,
            EventOp::Choose,
            String::new(),
            None,
            Json::Bool(true),
        )
    }

    /// The event that records a row move.
    pub fn row_move(interview_id: Uuid, origin: &Origin, m: &RowMove) -> Event {
        Event::new(
            interview_id,
            origin,
            EventOp::MoveRow,
            m.roster.clone(),
            Some(m.row.clone()),
            serde_json::json!({ "after": m.after }),
        )
    }

    /// The row move this event records; `None` for other events.
    pub fn to_row_move(&self) -> Option<RowMove> {
        if self.op != EventOp::MoveRow {
            return None;
        }
        Some(RowMove {
            roster: self.question_id.clone(),
            row: self.row.clone()?,
            after: self
                .value
                .get("after")
                .and_then(Json::as_str)
                .map(str::to_string),
        })
    }

    fn new(
        interview_id: Uuid,
        origin: &Origin,
        op: EventOp,
        question_id: String,
        row: Option<String>,
        value: Json,
    ) -> Event {
        Event {
            event_id: Uuid::new_v4(),
            interview_id,
            at: origin.at,
            device_id: origin.device_id.clone(),
            seq: 0,
            base: Vec::new(),
            interviewer: origin.interviewer.clone(),
            op,
            question_id,
            row,
            value,
        }
    }

    /// The change this event records, read against the questionnaire; `None` for status
    /// events and for values the questionnaire no longer accepts.
    pub fn to_change(&self, form: &Questionnaire) -> Option<Change> {
        let row_ref = |r: &String| RowRef {
            roster: form
                .roster_of(&self.question_id)
                .map_or_else(|| self.question_id.clone(), |q| q.id.clone()),
            row: r.clone(),
        };
        match self.op {
            EventOp::Set => {
                let value = if self.value.is_null() {
                    None
                } else {
                    Some(Answer::from_json(form.question(&self.question_id)?, &self.value).ok()?)
                };
                Some(Change::Set {
                    question: self.question_id.clone(),
                    row: self.row.as_ref().map(row_ref),
                    value,
                })
            }
            EventOp::AddRow => Some(Change::AddRow(row_ref(self.row.as_ref()?))),
            EventOp::RemoveRow => Some(Change::RemoveRow(row_ref(self.row.as_ref()?))),
            EventOp::Status
            | EventOp::MoveRow
            | EventOp::Skip
            | EventOp::Review
            | EventOp::Choose => None,
        }
    }

    /// The order in which events are folded: by time; at one instant, rows are added before
    /// answers are set and answers before rows are removed and the status changes (events
    /// saved together by older versions share one instant, and this is the order they were
    /// made in); the rest of a tie is broken by event id.
    pub fn order_key(&self) -> (DateTime<FixedOffset>, u8, Uuid) {
        let rank = match self.op {
            EventOp::AddRow => 0,
            EventOp::Set | EventOp::MoveRow | EventOp::Skip => 1,
            EventOp::RemoveRow => 2,
            EventOp::Status | EventOp::Review | EventOp::Choose => 3,
        };
        (self.at, rank, self.event_id)
    }
}

/// Folds events (in any order, repeats allowed) into answers and status, in causal order
/// (`causal.rs`): the same set of events always gives the same result.
pub fn fold(form: &Questionnaire, events: &[Event]) -> (Answers, Status) {
    let sorted = super::causal::order(events);
    let mut answers = Answers::default();
    let mut status = Status::InProgress;
    for e in sorted {
        if matches!(e.op, EventOp::Status | EventOp::Review) {
            if let Some(s) = e.to_status() {
                status = s;
            }
        } else if let Some(m) = e.to_row_move() {
            answers.move_row(&m);
        } else if let Some(c) = e.to_change(form) {
            answers.apply(&c);
        }
    }
    (answers, status)
}

/// A question passed on purpose without an answer: its id and, for a roster question, the
/// row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Skipped {
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
}

impl Skipped {
    /// What `e` (a skip or an answer) says of.
    fn of(e: &Event) -> Skipped {
        Skipped {
            question_id: e.question_id.clone(),
            row: e.row.clone(),
        }
    }
}

/// Keeps `skipped` (sorted, each once) as `e` leaves it: a skip adds, taking it back or an
/// answer given removes. Other events change nothing.
pub fn apply_skip(skipped: &mut Vec<Skipped>, e: &Event) {
    let adds = match e.op {
        EventOp::Skip => e.value.as_bool() == Some(true),
        EventOp::Set if !e.value.is_null() => false,
        _ => return,
    };
    let s = Skipped::of(e);
    match skipped.binary_search(&s) {
        Ok(i) if !adds => {
            skipped.remove(i);
        }
        Err(i) if adds => skipped.insert(i, s),
        _ => {}
    }
}

/// The review in effect that events (in any order) leave: the last status change, when it
/// is a review.
pub fn fold_review(events: &[Event]) -> Option<Review> {
    let mut review = None;
    for e in super::causal::order(events) {
        apply_review(&mut review, e);
    }
    review
}

/// Keeps the review in effect as `e` leaves it: a review sets it, a completion or
/// reopening clears it.
pub fn apply_review(review: &mut Option<Review>, e: &Event) {
    match e.op {
        EventOp::Review => *review = e.to_review(),
        EventOp::Status => *review = None,
        _ => {}
    }
}

/// When, by whom and by which event an interview was chosen as the one that counts for its
/// household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chosen {
    pub at: DateTime<FixedOffset>,
    pub by: String,
    pub event_id: Uuid,
}

impl Chosen {
    /// Which of two choices is the later (time, then event id): the one that counts.
    pub fn key(&self) -> (DateTime<FixedOffset>, Uuid) {
        (self.at, self.event_id)
    }
}

/// Keeps the latest choice as `e` leaves it.
pub fn apply_choice(chosen: &mut Option<Chosen>, e: &Event) {
    if e.op != EventOp::Choose {
        return;
    }
    let c = Chosen {
        at: e.at,
        by: e.interviewer.clone(),
        event_id: e.event_id,
    };
    if chosen.as_ref().is_none_or(|old| c.key() > old.key()) {
        *chosen = Some(c);
    }
}

/// The latest choice among events (any order).
pub fn fold_chosen(events: &[Event]) -> Option<Chosen> {
    let mut chosen = None;
    for e in events {
        apply_choice(&mut chosen, e);
    }
    chosen
}

/// The questions passed on purpose that events (in any order, repeats allowed) leave.
pub fn fold_skipped(events: &[Event]) -> Vec<Skipped> {
    let sorted = super::causal::order(events);
    let mut skipped = Vec::new();
    for e in sorted {
        apply_skip(&mut skipped, e);
    }
    skipped
}

/// An interview as stored: who, what, where it stands, and its current answers (the fold of
/// its events, kept up to date in the same transaction as each event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewRecord {
    pub interview_id: Uuid,
    pub household_id: String,
    /// Questionnaire id and version the answers were given to.
    pub questionnaire: String,
    pub questionnaire_version: String,
    pub status: Status,
    pub interviewer: String,
    pub device_id: String,
    pub started_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub completed_at: Option<DateTime<FixedOffset>>,
    /// The question the interview stood at, to resume exactly there.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Current answers, as [`Answers::to_json`] writes them (answers kept for questions no
    /// longer relevant included).
    pub answers: Json,
    /// The interview's result (`Interview::result`): relevant answers with calculations, in
    /// the same JSON shape. What reconciliation and exports read, without replaying events or
    /// re-running the questionnaire's logic.
    #[serde(default)]
    pub result: Json,
    /// How many events the log holds.
    #[serde(default)]
    pub events: u64,
    /// Questions passed on purpose without an answer, sorted ([`fold_skipped`] of the
    /// events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// The team lead's review in effect ([`fold_review`] of the events): set by a review,
    /// cleared by a completion or reopening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// The team lead's latest choice of this interview as the one that counts for its
    /// household ([`fold_chosen`] of the events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Chosen>,
}

impl InterviewRecord {
    /// Whom or what the interview is about, read from its subject key (`household_id`; see
    /// [`crate::subject`]).
    pub fn subject(&self) -> crate::subject::Subject {
        crate::subject::Subject::from_key(&self.household_id)
    }
}
