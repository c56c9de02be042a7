//! What a rule sees of one interview: its answers, read once from the compact result into
//! slots (one per question id any rule, the place or the rates read), the household's
//! registry record and the settings.
//!
//! The slots give what the interview engine's scope gives (`expr::Scope`): a roster id is a
//! list with one `true` per row; a question inside a roster is the list of its values over
//! the rows; any other question is its answer. Which ids are rosters comes from the
//! questionnaire of the interview's kind, or, for a questionnaire not in use, from the rows
//! the result holds.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::rules::Shape;
use super::settings::Settings;
use crate::interview::compact::{self, Cell, Code, Compact, Names, RowCells};
use crate::questionnaire::Kind;
use crate::questionnaire::expr::{Scope, Value};
use crate::registry::Household;

/// Answers read outside the rules: where a household is (`Place`), the rates (`Surveyed`),
/// the interview's date (`today()`), the name of a project checked (`project_name`).
pub const FIXED: [&str; 10] = [
    "county",
    "township",
    "village",
    "head_name",
    "household_size",
    "accepts_exit",
    "satisfaction",
    "interview_date",
    "members",
    "project_name",
];

/// The roster layout of one questionnaire, in slots.
#[derive(Debug, Clone, Default)]
struct KindSlots {
    /// Slots that are roster ids.
    rosters: Vec<usize>,
    /// Slots that are questions inside a roster, with their roster's slot.
    columns: Vec<(usize, usize)>,
    /// For every slot: the slot of the roster its question sits in, if any.
    column_of: Vec<Option<usize>>,
}

/// Question id → slot, for every id read (and every roster of the questionnaires); built
/// once per rule set.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    index: FxHashMap<String, usize>,
    names: Vec<String>,
    kinds: BTreeMap<Kind, KindSlots>,
}

impl Symbols {
    pub(super) fn new<'a>(
        ids: impl IntoIterator<Item = &'a str>,
        shapes: &'a BTreeMap<Kind, Shape>,
    ) -> Symbols {
        let mut s = Symbols::default();
        let rosters = shapes
            .values()
            .flat_map(|sh| sh.rosters.iter().map(String::as_str));
        for id in ids.into_iter().chain(FIXED).chain(rosters) {
            if !s.index.contains_key(id) {
                s.index.insert(id.to_string(), s.names.len());
                s.names.push(id.to_string());
            }
        }
        for (kind, shape) in shapes {
            let mut k = KindSlots {
                column_of: vec![None; s.names.len()],
                ..KindSlots::default()
            };
            for (slot, name) in s.names.iter().enumerate() {
                if shape.rosters.contains(name) {
                    k.rosters.push(slot);
                } else if let Some(roster) = shape.roster_of.get(name)
                    && let Some(&r) = s.index.get(roster)
                {
                    k.columns.push((slot, r));
                    k.column_of[slot] = Some(r);
                }
            }
            s.kinds.insert(*kind, k);
        }
        s
    }

    pub fn slot(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A dictionary that codes every id read, 0… in slot order: results encoded with it
    /// (and the ids it learns) read with [`Symbols::code_slots`] of it as it is now.
    pub fn seeded_names(&self) -> Names {
        Names::from_names(self.names.iter().cloned())
    }

    /// For one result that is not stored: encodes it with [`Symbols::seeded_names`]
    /// (`encode` is `interview::compact::encode` or `encode_result`) and hands it to `f`,
    /// read back, with its code slots.
    pub fn with_compact<R>(
        &self,
        encode: impl FnOnce(&mut Names) -> Vec<u8>,
        f: impl FnOnce(&Compact, &[Option<usize>]) -> R,
    ) -> R {
        let mut names = self.seeded_names();
        let bytes = encode(&mut names);
        // What was just encoded reads back; an empty result stands in if it ever did not.
        let result = compact::decode(&bytes).unwrap_or_else(|_| Compact::empty());
        f(&result, &self.code_slots(&names))
    }

    /// The slot of every code of a dictionary (`None`: an id nothing reads).
    pub fn code_slots(&self, names: &Names) -> Vec<Option<usize>> {
        (0..names.len())
            .map(|c| names.name(c as Code).and_then(|n| self.slot(n)))
            .collect()
    }
}

fn value(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Missing,
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Int(i) => Value::Number(*i as f64),
        Cell::Num(n) => Value::Number(*n),
        Cell::Text(s) => Value::Text(text(s)),
        Cell::Many(items) => Value::Choices(items.iter().map(|s| text(s)).collect()),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn column(rows: &[RowCells], code: Code) -> Value {
    Value::List(
        rows.iter()
            .map(|row| {
                row.iter()
                    .find(|(k, _)| *k == code)
                    .map_or(Value::Missing, |(_, c)| value(c))
            })
            .collect(),
    )
}

/// One interview as rules see it (see the module docs).
pub struct ResultScope<'a> {
    symbols: &'a Symbols,
    slots: Vec<Value>,
    /// Which slots are roster ids.
    rosters: Vec<bool>,
    household: &'a Household,
    settings: &'a Settings,
    today: OnceCell<NaiveDate>,
    /// `registry('member_id_numbers')`, made once (a rule may read it several times).
    member_ids: OnceCell<Value>,
    /// The interview is still in progress: an answer it lacks may still be given, so it is
    /// unknown (rules do not fire from it), not missing.
    in_progress: bool,
}

impl<'a> ResultScope<'a> {
    /// Reads the answers of `result` (an interview made with a questionnaire of `kind`);
    /// `code_slots` are [`Symbols::code_slots`] of the dictionary it was encoded with.
    pub fn new(
        result: &Compact,
        kind: Kind,
        symbols: &'a Symbols,
        code_slots: &[Option<usize>],
        household: &'a Household,
        settings: &'a Settings,
    ) -> Self {
        let slot = |c: Code| code_slots.get(c as usize).copied().flatten();
        let n = symbols.len();
        let mut slots = vec![Value::Missing; n];
        let mut rosters = vec![false; n];
        for (c, cell) in &result.answers {
            if let Some(s) = slot(*c) {
                slots[s] = value(cell);
            }
        }
        match symbols.kinds.get(&kind) {
            Some(k) => {
                for &s in &k.rosters {
                    slots[s] = Value::List(Vec::new());
                    rosters[s] = true;
                }
                for &(s, _) in &k.columns {
                    slots[s] = Value::List(Vec::new());
                }
                for (rc, rows) in &result.rosters {
                    let Some(r) = slot(*rc).filter(|&r| rosters[r]) else {
                        continue;
                    };
                    slots[r] = Value::List(vec![Value::Bool(true); rows.len()]);
                    for &(s, of) in &k.columns {
                        if of == r {
                            slots[s] = Value::List(vec![Value::Missing; rows.len()]);
                        }
                    }
                    // One pass over the cells: each goes to its question's list.
                    for (i, row) in rows.iter().enumerate() {
                        for (cc, cell) in row {
                            if let Some(s) = slot(*cc)
                                && k.column_of[s] == Some(r)
                                && let Value::List(items) = &mut slots[s]
                                && let Some(item) = items.get_mut(i)
                            {
                                *item = value(cell);
                            }
                        }
                    }
                }
            }
            None => {
                // A questionnaire not in use: rosters as the result has them; a question
                // belongs to the first roster (by id: results keep rosters in id order)
                // whose rows answer it.
                for (rc, rows) in &result.rosters {
                    if let Some(s) = slot(*rc) {
                        slots[s] = Value::List(vec![Value::Bool(true); rows.len()]);
                        rosters[s] = true;
                    }
                }
                let mut done = vec![false; n];
                for (_, rows) in &result.rosters {
                    for row in rows {
                        for (cc, _) in row {
                            if let Some(s) = slot(*cc)
                                && !done[s]
                                && !rosters[s]
                            {
                                done[s] = true;
                                slots[s] = column(rows, *cc);
                            }
                        }
                    }
                }
            }
        }
        ResultScope {
            symbols,
            slots,
            rosters,
            household,
            settings,
            today: OnceCell::new(),
            member_ids: OnceCell::new(),
            in_progress: false,
        }
    }

    /// Reads the result as that of an interview still in progress (or not): its unanswered
    /// questions are then unknown to the rules (see [`Scope::unknown`]).
    pub fn with_in_progress(mut self, in_progress: bool) -> Self {
        self.in_progress = in_progress;
        self
    }

    /// Whether `id` is a roster (see the module docs).
    pub fn is_roster(&self, id: &str) -> bool {
        self.symbols.slot(id).is_some_and(|s| self.rosters[s])
    }

    /// The number of rows of a roster id (0 for anything else).
    pub fn row_count(&self, id: &str) -> usize {
        match self.symbols.slot(id).map(|s| &self.slots[s]) {
            Some(Value::List(rows)) if self.is_roster(id) => rows.len(),
            _ => 0,
        }
    }

    /// An answer's text, trimmed; `None` when unanswered or blank.
    pub fn text(&self, id: &str) -> Option<String> {
        match self.symbols.slot(id).map(|s| &self.slots[s]) {
            Some(Value::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
            _ => None,
        }
    }

    pub fn household(&self) -> &Household {
        self.household
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }
}

/// The registry as rules see it: [`Household::field_value`] plus `member_id_numbers` (the
/// members' ID numbers, upper-cased; missing when the registry lists none). A provisional
/// household (unknown to the registry) has no registry values at all.
pub fn registry_value(household: &Household, field: &str) -> Value {
    if household.provisional {
        return Value::Missing;
    }
    if field == "member_id_numbers" {
        let ids: Vec<Value> = household
            .members
            .iter()
            .map(|m| m.id_number.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .map(Value::Text)
            .collect();
        return if ids.is_empty() {
            Value::Missing
        } else {
            Value::List(ids)
        };
    }
    household.field_value(field)
}

impl Scope for ResultScope<'_> {
    fn answer(&self, id: &str) -> Value {
        self.symbols
            .slot(id)
            .map_or(Value::Missing, |s| self.slots[s].clone())
    }

    fn answer_ref(&self, id: &str) -> Option<&Value> {
        Some(
            self.symbols
                .slot(id)
                .map_or(&Value::Missing, |s| &self.slots[s]),
        )
    }

    fn current(&self) -> Value {
        Value::Missing
    }

    fn registry(&self, field: &str) -> Value {
        match self.registry_ref(field) {
            Some(v) => v.clone(),
            None => registry_value(self.household, field),
        }
    }

    /// `member_id_numbers` is made once and lent (a rule may read it several times).
    fn registry_ref(&self, field: &str) -> Option<&Value> {
        (field == "member_id_numbers").then(|| {
            self.member_ids
                .get_or_init(|| registry_value(self.household, field))
        })
    }

    fn may_be_unknown(&self) -> bool {
        self.in_progress
    }

    fn setting(&self, name: &str) -> Value {
        self.settings.value(name)
    }

    /// In an interview in progress, an answer the result lacks (in any row, for a roster
    /// question) is not known yet. A completed interview's result is all there is.
    fn unknown(&self, id: &str) -> bool {
        if !self.in_progress || self.is_roster(id) {
            return false;
        }
        match self.symbols.slot(id).map(|s| &self.slots[s]) {
            None | Some(Value::Missing) => true,
            Some(Value::List(items)) => items.iter().any(Value::is_missing),
            Some(_) => false,
        }
    }

    /// The interview's date when it was answered, else today.
    fn today(&self) -> NaiveDate {
        *self.today.get_or_init(|| {
            self.text("interview_date")
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .unwrap_or_else(|| chrono::Local::now().date_naive())
        })
    }
}
