//! Roster rows in a session: moved up or down (an event, so a new order merges like any
//! other change), removed with what is needed to restore them, and restored with their
//! answers where they stood.

use chrono::{DateTime, FixedOffset};

use super::{Origin, Session, Workspace, batch_events};
use crate::interview::{Change, Event, Row, RowMove, RowRef};
use crate::store::StoreError;

/// A row removed from a roster, as it was: its id, its answers and the row it stood after
/// (`None`: it was first). [`Session::restore_row`] puts it back.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedRow {
    pub roster: String,
    pub row: Row,
    pub after: Option<String>,
}

impl Session {
    /// Moves a roster row one place up (`up`) or down, saved as an event (one durable
    /// write). `Ok(None)` when nothing moved (first row up, last row down, or no such row);
    /// else when it was saved. A completed interview is reopened.
    pub fn move_row(
        &mut self,
        ws: &Workspace,
        roster: &str,
        row: &str,
        up: bool,
    ) -> Result<Option<DateTime<FixedOffset>>, StoreError> {
        let Ok(Some(m)) = self.interview.move_row(roster, row, up) else {
            return Ok(None);
        };
        let origin = self.origin(&ws.store);
        let before = self.record.clone();
        let mut events: Vec<Event> = self.reopen_for_change(&origin).into_iter().collect();
        let at = Origin {
            at: origin.at + chrono::Duration::nanoseconds(events.len() as i64),
            ..origin.clone()
        };
        events.push(Event::row_move(self.record.interview_id, &at, &m));
        self.write(ws, events, origin.at, before)
            .map(|()| Some(origin.at))
    }

    /// Removes a roster row (one durable write) and returns it as it was, for
    /// [`Session::restore_row`]; `Ok(None)` when there is no such row.
    pub fn remove_row(
        &mut self,
        ws: &Workspace,
        roster: &str,
        row: &str,
    ) -> Result<Option<RemovedRow>, StoreError> {
        let rows = self.interview.rows(roster);
        let Some(i) = rows.iter().position(|r| r.id == row) else {
            return Ok(None);
        };
        let removed = RemovedRow {
            roster: roster.to_string(),
            row: rows[i].clone(),
            after: i.checked_sub(1).map(|p| rows[p].id.clone()),
        };
        let Ok(change) = self.interview.remove_row(roster, row) else {
            return Ok(None);
        };
        self.save(ws, &change)?;
        Ok(Some(removed))
    }

    /// Puts a removed row back with its id, its answers and its place (right after the row
    /// it followed, first if that one is gone too), in one transaction. `Ok(false)` when it
    /// cannot come back: the row is there already or the roster is full.
    pub fn restore_row(
        &mut self,
        ws: &Workspace,
        removed: &RemovedRow,
    ) -> Result<bool, StoreError> {
        let roster = removed.roster.as_str();
        if self
            .interview
            .answers()
            .row_index(roster, &removed.row.id)
            .is_some()
        {
            return Ok(false);
        }
        let Ok(add) = self.interview.add_row(roster, removed.row.id.clone()) else {
            return Ok(false);
        };
        let mut changes = vec![add];
        for (question, value) in &removed.row.values {
            let c = Change::Set {
                question: question.clone(),
                row: Some(RowRef {
                    roster: roster.to_string(),
                    row: removed.row.id.clone(),
                }),
                value: Some(value.clone()),
            };
            // The answers were accepted when they were given: they come back as they were.
            self.interview.apply(&c);
            changes.push(c);
        }
        let after = removed
            .after
            .clone()
            .filter(|a| self.interview.answers().row_index(roster, a).is_some());
        let m = RowMove {
            roster: roster.to_string(),
            row: removed.row.id.clone(),
            after,
        };
        self.interview.apply_move(&m);
        let origin = self.origin(&ws.store);
        let before = self.record.clone();
        let mut events: Vec<Event> = self.reopen_for_change(&origin).into_iter().collect();
        let at = |n: usize| Origin {
            at: origin.at + chrono::Duration::nanoseconds(n as i64),
            ..origin.clone()
        };
        events.extend(batch_events(
            self.record.interview_id,
            &at(events.len()),
            &changes,
        ));
        events.push(Event::row_move(
            self.record.interview_id,
            &at(events.len()),
            &m,
        ));
        self.write(ws, events, origin.at, before)?;
        Ok(true)
    }

    /// Writes events made by a row operation; on failure the record and the engine go back
    /// to what is on disk.
    fn write(
        &mut self,
        ws: &Workspace,
        events: Vec<Event>,
        at: DateTime<FixedOffset>,
        before: crate::interview::InterviewRecord,
    ) -> Result<(), StoreError> {
        if let Err(e) = self.persist(&ws.store, events, at) {
            self.record = before;
            self.revert();
            return Err(e);
        }
        Ok(())
    }
}
