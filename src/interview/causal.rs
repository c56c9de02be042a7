//! Causality in an interview's event log (DESIGN.md "Interviews as event logs"): each event
//! names in its `base` the events of the same cell its author had seen. The log is folded in
//! an order that puts every event after those it names, whatever the laptops' clocks say;
//! only events that did not see each other are ordered by time (then by event id), so that
//! the same set of events always folds the same way.
//!
//! A cell's *leaves* are its events that no other event of the cell names: one leaf is the
//! cell's value; several leaves with different values are a conflict, shown with a
//! deterministic winner (the last in the fold's order) until an event whose base names them
//! all resolves it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use uuid::Uuid;

use super::record::{Event, EventOp};

/// What one event changes: an answer, a row's presence, a row's place, the status, a skip.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cell {
    /// The answer to `question` (in `row` for a roster question).
    Answer {
        question: String,
        row: Option<String>,
    },
    /// Whether row `row` of roster `roster` is there (added, removed).
    Row { roster: String, row: String },
    /// Where row `row` of roster `roster` stands.
    Place { roster: String, row: String },
    /// Completed or in progress.
    Status,
    /// Whether `question` (in `row`) was passed on purpose.
    Skip {
        question: String,
        row: Option<String>,
    },
    /// The team lead's choice of this interview among its household's visits.
    Choice,
}

impl Cell {
    /// The cell `e` changes.
    pub fn of(e: &Event) -> Cell {
        let question = e.question_id.clone();
        let row = e.row.clone();
        match e.op {
            EventOp::Set => Cell::Answer { question, row },
            EventOp::AddRow | EventOp::RemoveRow => Cell::Row {
                roster: question,
                row: row.unwrap_or_default(),
            },
            EventOp::MoveRow => Cell::Place {
                roster: question,
                row: row.unwrap_or_default(),
            },
            EventOp::Status | EventOp::Review => Cell::Status,
            EventOp::Skip => Cell::Skip { question, row },
            EventOp::Choose => Cell::Choice,
        }
    }
}

/// The events in the order they are folded: each after the events its base names (those
/// present), and otherwise by time, the kind of change and event id
/// ([`Event::order_key`]). Repeats of an event id count once.
pub fn order(events: &[Event]) -> Vec<&Event> {
    let mut by_id: HashMap<Uuid, &Event> = HashMap::with_capacity(events.len());
    for e in events {
        by_id.entry(e.event_id).or_insert(e);
    }
    // For each event, how many of the events it names are present; and who names it.
    let mut waiting: HashMap<Uuid, usize> = HashMap::with_capacity(by_id.len());
    let mut named_by: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for e in by_id.values() {
        let mut n = 0;
        let mut seen = HashSet::new();
        for b in &e.base {
            if *b != e.event_id && by_id.contains_key(b) && seen.insert(*b) {
                n += 1;
                named_by.entry(*b).or_default().push(e.event_id);
            }
        }
        waiting.insert(e.event_id, n);
    }
    let mut ready: BinaryHeap<Reverse<_>> = by_id
        .values()
        .filter(|e| waiting[&e.event_id] == 0)
        .map(|e| Reverse(e.order_key()))
        .collect();
    let mut out = Vec::with_capacity(by_id.len());
    while let Some(Reverse((_, _, id))) = ready.pop() {
        let e = by_id[&id];
        out.push(e);
        for next in named_by.get(&id).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(next) {
                *n -= 1;
                if *n == 0 {
                    ready.push(Reverse(by_id[next].order_key()));
                }
            }
        }
    }
    if out.len() < by_id.len() {
        // A cycle of bases (only a forged log has one): the rest in time order.
        let placed: HashSet<Uuid> = out.iter().map(|e| e.event_id).collect();
        let mut rest: Vec<&Event> = by_id
            .values()
            .copied()
            .filter(|e| !placed.contains(&e.event_id))
            .collect();
        rest.sort_by_key(|e| e.order_key());
        out.extend(rest);
    }
    out
}

/// The leaves of every cell, kept up to date as events are made: what the base of the next
/// event of a cell names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heads {
    leaves: HashMap<Cell, Vec<Uuid>>,
}

impl Heads {
    /// The leaves of the cells of `events` (any order, repeats allowed).
    pub fn of(events: &[Event]) -> Heads {
        let mut heads = Heads::default();
        for e in order(events) {
            heads.apply(e);
        }
        heads
    }

    /// What an event on `cell` made now has seen: the cell's leaves, sorted.
    pub fn base_for(&self, cell: &Cell) -> Vec<Uuid> {
        let mut base = self.leaves.get(cell).cloned().unwrap_or_default();
        base.sort();
        base
    }

    /// Takes `e` in: it supersedes what its base names.
    pub fn apply(&mut self, e: &Event) {
        let leaves = self.leaves.entry(Cell::of(e)).or_default();
        if leaves.contains(&e.event_id) {
            return;
        }
        leaves.retain(|l| !e.base.contains(l));
        leaves.push(e.event_id);
    }

    /// The leaves of `cell`.
    pub fn leaves(&self, cell: &Cell) -> &[Uuid] {
        self.leaves.get(cell).map_or(&[], Vec::as_slice)
    }

    /// The cells with more than one leaf.
    pub fn split(&self) -> impl Iterator<Item = (&Cell, &[Uuid])> {
        self.leaves
            .iter()
            .filter(|(_, l)| l.len() > 1)
            .map(|(c, l)| (c, l.as_slice()))
    }
}

/// A cell whose events did not see each other and disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub cell: Cell,
    /// The leaves, in the fold's order: the last is the value shown now.
    pub sides: Vec<Event>,
}

impl Conflict {
    /// The side shown now (the fold's winner).
    pub fn shown(&self) -> &Event {
        self.sides.last().expect("a conflict has two sides")
    }
}

/// The open conflicts of one interview's events: cells with several leaves of different
/// values (leaves that agree are no conflict). Sorted by cell.
pub fn conflicts(events: &[Event]) -> Vec<Conflict> {
    let ordered = order(events);
    let mut heads = Heads::default();
    let mut position: HashMap<Uuid, usize> = HashMap::with_capacity(ordered.len());
    for (i, e) in ordered.iter().enumerate() {
        heads.apply(e);
        position.insert(e.event_id, i);
    }
    let mut out: Vec<Conflict> = heads
        .split()
        .filter_map(|(cell, leaves)| {
            let mut sides: Vec<&Event> = leaves
                .iter()
                .filter_map(|id| position.get(id).map(|&i| ordered[i]))
                .collect();
            sides.sort_by_key(|e| position[&e.event_id]);
            let first = sides.first()?;
            let differ = sides
                .iter()
                .any(|s| s.op != first.op || s.value != first.value);
            differ.then(|| Conflict {
                cell: cell.clone(),
                sides: sides.into_iter().cloned().collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.cell.cmp(&b.cell));
    out
}

/// Gives events that carry no causality (written before events were numbered and named
/// their base: `seq` 0 and no base) the base they would have had: each names the event of
/// its cell before it in time order. Numbered events keep what they have. Returns how many
/// events were given a base.
pub fn chain_legacy(events: &mut [Event]) -> usize {
    let mut idx: Vec<usize> = (0..events.len()).collect();
    idx.sort_by_key(|&i| events[i].order_key());
    let mut last: HashMap<Cell, Uuid> = HashMap::new();
    let mut given = 0;
    for i in idx {
        let cell = Cell::of(&events[i]);
        let id = events[i].event_id;
        if events[i].seq == 0
            && events[i].base.is_empty()
            && let Some(prev) = last.get(&cell)
            && *prev != id
        {
            events[i].base = vec![*prev];
            given += 1;
        }
        last.insert(cell, id);
    }
    given
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, FixedOffset, TimeZone};
    use serde_json::json;

    fn at(minute: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .and_then(|tz| tz.with_ymd_and_hms(2026, 11, 30, 9, minute, 0).single())
            .expect("time")
    }

    fn set(q: &str, value: serde_json::Value, minute: u32, base: &[&Event]) -> Event {
        Event {
            event_id: Uuid::new_v4(),
            interview_id: Uuid::nil(),
            at: at(minute),
            device_id: "A".into(),
            seq: 0,
            base: base.iter().map(|e| e.event_id).collect(),
            interviewer: "王".into(),
            op: EventOp::Set,
            question_id: q.into(),
            row: None,
            value,
        }
    }

    #[test]
    fn an_event_comes_after_what_it_saw_whatever_the_clocks() {
        let first = set("name", json!("王秀英"), 30, &[]);
        // Made after seeing `first`, on a laptop whose clock says 1970.
        let mut later = set("name", json!("王秀兰"), 0, &[&first]);
        later.at = FixedOffset::east_opt(0)
            .and_then(|tz| tz.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single())
            .expect("time");
        for events in [
            vec![first.clone(), later.clone()],
            vec![later.clone(), first.clone()],
        ] {
            let o = order(&events);
            assert_eq!(o.last().map(|e| e.event_id), Some(later.event_id));
            assert!(conflicts(&events).is_empty());
        }
    }

    #[test]
    fn edits_that_did_not_see_each_other_conflict_unless_they_agree() {
        let first = set("name", json!("王秀英"), 1, &[]);
        let a = set("name", json!("王秀兰"), 2, &[&first]);
        let b = set("name", json!("王秀芳"), 3, &[&first]);
        let same = set("name", json!("王秀兰"), 4, &[&first]);
        let c = conflicts(&[first.clone(), a.clone(), b.clone()]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].sides.len(), 2);
        assert_eq!(c[0].shown().event_id, b.event_id, "the later shown");
        assert!(conflicts(&[first.clone(), a.clone(), same.clone()]).is_empty());
        // A resolution names both sides: one leaf again.
        let resolved = set("name", json!("王秀兰"), 5, &[&a, &b]);
        let events = vec![first, a, b, resolved.clone()];
        assert!(conflicts(&events).is_empty());
        let heads = Heads::of(&events);
        let cell = Cell::of(&resolved);
        assert_eq!(heads.leaves(&cell), &[resolved.event_id]);
        assert_eq!(heads.base_for(&cell), vec![resolved.event_id]);
    }

    #[test]
    fn the_order_is_the_same_for_any_arrangement_and_repeats() {
        let a = set("x", json!(1), 5, &[]);
        let b = set("y", json!(2), 3, &[]);
        let c = set("x", json!(3), 1, &[&a]);
        let d = set("x", json!(4), 2, &[&a]);
        let all = vec![a.clone(), b.clone(), c.clone(), d.clone()];
        let want: Vec<Uuid> = order(&all).iter().map(|e| e.event_id).collect();
        let mut shuffled = vec![d.clone(), c, b, a.clone(), d, a];
        let got: Vec<Uuid> = order(&shuffled).iter().map(|e| e.event_id).collect();
        assert_eq!(got, want);
        shuffled.reverse();
        let got: Vec<Uuid> = order(&shuffled).iter().map(|e| e.event_id).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_legacy_log_is_chained_by_time_per_cell() {
        let mut events = vec![
            set("x", json!(2), 2, &[]),
            set("y", json!(1), 1, &[]),
            set("x", json!(1), 1, &[]),
        ];
        assert_eq!(chain_legacy(&mut events), 1);
        assert_eq!(events[0].base, vec![events[2].event_id]);
        assert!(events[1].base.is_empty() && events[2].base.is_empty());
        assert!(conflicts(&events).is_empty());
        // Chaining again gives nothing more.
        assert_eq!(chain_legacy(&mut events), 0);
    }
}
