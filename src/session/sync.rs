//! Answer bundles between stores (DESIGN.md "Interviews as event logs"; the file format is
//! `sync::bundle`, docs/bundle.md): export what a recipient has not been sent, import as the
//! union of events by event id, list and resolve conflicts.
//!
//! - **Export** carries, per recipient, the events of every device this store holds (its
//!   own and those it received: interviewer → lead → county) whose numbers were not sent to
//!   that recipient yet. What was sent is kept as runs of numbers per device, not as one
//!   high-water mark, so a lead that receives 41–57 of a device after it relayed 58–70 still
//!   relays 41–57 later. Marks change only after the file is written whole. With nothing to
//!   send, no file is written.
//! - **Import** verifies the whole file first (`bundle::read_file`), then writes all it
//!   changes whole or not at all (`store::sync`: one transaction, or parts of whole
//!   interviews with an undo journal for a large bundle): the new events appended to their
//!   interviews, each interview touched rebuilt from the fold of ALL its events with its
//!   questionnaire (as `ruhu verify` rebuilds one), new interviews created from their heads
//!   with the provisional households they need. An event already held changes nothing, so
//!   imports in any order, repeated or relayed, give the same state.
//! - Interviews whose questionnaire (id and version) this program does not have are **held
//!   aside** in the store, never dropped, and applied by the first import (with or without
//!   a file) that runs with that questionnaire; held events are relayed like the others.
//! - **Conflicts**: cells whose events did not see each other and disagree
//!   (`interview::causal`); a resolution is one event of this device on the cell whose base
//!   names every side, so it closes the conflict wherever it arrives.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::i18n::{Lang, Text};
use crate::interview::causal::{self, Cell};
use crate::interview::{
    Answer, Answers, Event, EventOp, Interview, InterviewRecord, Status, fold, fold_review,
    fold_skipped,
};
use crate::questionnaire::{QuestionType, Questionnaire};
use crate::registry::Household;
use crate::store::StoreError;
use crate::store::sync::{
    DeviceEvents, Held, Incoming, Merged, SeqRun, minus_runs, runs_of, union_runs,
};
use crate::sync::bundle::{Body, FormRef, InterviewHead, Key, Seal, SeqRange, Stream, read_file};
use crate::tr;

use super::Workspace;
use super::verify::context_of;

/// Bytes of an event's texts (device id, question id, row id, interviewer) a bundle may
/// carry: a device id is a UUID, the others are short.
const MAX_EVENT_TEXT_BYTES: usize = crate::limits::MAX_CELL_BYTES;

/// Events (and interviews) written per transaction when a bundle is applied: sled keeps
/// what a transaction writes in memory until it ends (about 5 KB a write), so a bundle is
/// applied in parts of whole interviews, each about this size.
const PART_EVENTS: usize = 5000;

/// Events an event's base may name: one per side of a cell.
const MAX_BASE: usize = 4096;

/// The earliest plausible clock: events made before it are flagged.
fn earliest_clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2015, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// What to export: to whom, everything or only what was not sent, how sealed, named how.
pub struct ExportOptions {
    /// The recipient (`--to`); `None`: the default recipient.
    pub to: Option<String>,
    /// Everything the store holds, whatever was sent before.
    pub all: bool,
    pub seal: Seal,
    /// The name people read for this store (the host, or `--name`).
    pub device_name: String,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub file: PathBuf,
    /// False when there was nothing to send (no file written).
    pub written: bool,
    pub bundle_id: Option<Uuid>,
    pub to: Option<String>,
    pub events: usize,
    pub interviews: usize,
    pub households: usize,
    /// Per device, the numbers carried.
    pub ranges: Vec<SeqRange>,
    /// Whether the marks of what was sent were updated (not on a read-only store).
    pub marked: bool,
}

/// A questionnaire a bundle names whose content differs from this program's copy.
#[derive(Debug, Clone)]
pub struct FormDiffers {
    /// As the bundle names it (with the bundle's hash).
    pub form: FormRef,
    /// This program's copy's title.
    pub title: Text,
}

/// One bundle's import (or, with `file` `None`, the release of held-aside interviews).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub file: Option<PathBuf>,
    pub accepted: bool,
    pub interviews_new: usize,
    pub interviews_updated: usize,
    pub interviews_unchanged: usize,
    pub events_new: usize,
    /// Open conflicts in the interviews the bundle touched.
    pub conflicts: Vec<OpenConflict>,
    /// Households of those interviews that now have two or more interviews.
    pub duplicates: Vec<Duplicate>,
    /// The bundle's interviews held aside (questionnaire missing, or no head yet).
    pub held: Vec<HeldInterview>,
    /// The numbers missing after the import, per device whose events the bundle carried
    /// (a bundle changes no other device's).
    pub gaps: Vec<SeqRange>,
    /// New events whose clock is before 2015 or more than a day after now (applied).
    pub clocks: Vec<ClockFlag>,
    /// New events stored but not indexed: their device and number were taken.
    pub clashes: Vec<crate::store::sync::Clash>,
    /// Questionnaires the bundle names with a content hash other than this program's copy
    /// of the same id and version (the bundle's hash given): the answers are applied with
    /// this program's copy.
    pub forms_differ: Vec<FormDiffers>,
    /// Why the bundle was refused (nothing of it was applied).
    pub error: Option<Text>,
    /// The households of the interviews touched, and the devices whose events came (for
    /// the duplicates and the gaps, once written).
    touched: BTreeSet<String>,
    devices: BTreeSet<String>,
}

impl ImportReport {
    fn refused(file: Option<&Path>, why: Text) -> ImportReport {
        ImportReport {
            file: file.map(Path::to_path_buf),
            error: Some(why),
            ..ImportReport::default()
        }
    }
}

/// A household with several interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub household_id: String,
    pub interviews: Vec<Uuid>,
}

/// An interview held aside.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldInterview {
    pub interview_id: Uuid,
    pub household_id: Option<String>,
    pub questionnaire: Option<String>,
    pub questionnaire_version: Option<String>,
    /// Events held of it.
    pub events: usize,
    pub reason: Text,
}

/// An event whose clock is implausible.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockFlag {
    pub event_id: Uuid,
    pub interview_id: Uuid,
    pub device_id: String,
    pub at: DateTime<FixedOffset>,
}

/// An open conflict, as listed for people.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenConflict {
    /// Stable: the interview's first 8 hex digits and a hash of the interview and the cell.
    pub id: String,
    pub interview_id: Uuid,
    pub household_id: String,
    /// The household head's name, when the store has the household.
    pub head_name: Option<String>,
    /// `answer`, `row` (a row added or removed), `place` (a row moved), `status`, `skip`.
    pub cell: &'static str,
    pub question_id: String,
    /// The question's label (the roster's for rows; "interview status" for the status).
    pub question: Text,
    pub row: Option<ConflictRow>,
    /// In the fold's order; the last is shown now.
    pub sides: Vec<Side>,
}

impl OpenConflict {
    /// The side shown now, from 1.
    pub fn shown(&self) -> usize {
        self.sides.len()
    }
}

/// The roster row of a conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub id: String,
    /// Its place in the roster now, from 1 (`None`: not in the roster now).
    pub index: Option<usize>,
    /// The first text answered in the row (a member's name).
    pub label: Option<String>,
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub event_id: Uuid,
    pub op: EventOp,
    pub value: Json,
    /// The value as people read it: choices by their labels, yes/no as 是/否.
    pub shown: Text,
    pub interviewer: String,
    pub at: DateTime<FixedOffset>,
    pub device_id: String,
}

/// How a conflict is resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// The value of side N (from 1, in the listed order).
    Take(usize),
    /// A value typed as on the screen, checked by the questionnaire.
    Value(String),
}

/// A resolution written.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub conflict: OpenConflict,
    pub event: Event,
    pub shown: Text,
}

fn in_file(file: Option<&Path>, t: Text) -> Text {
    match file {
        None => t,
        Some(f) => {
            let f = crate::printable::clean_line(&f.display().to_string());
            Text::new(format!("{f}：{}", t.zh), format!("{f}: {}", t.en))
        }
    }
}

fn store_text(e: StoreError) -> Text {
    e.message()
}

/// Checks what the store cannot judge of a bundle's records; the first problem, naming the
/// record.
fn check_body(body: &Body) -> Result<(), Text> {
    let today = chrono::Local::now().date_naive();
    let bad_text =
        |s: &str, max: usize| s.len() > max || s.chars().any(crate::printable::is_unsafe);
    for h in &body.interviews {
        let why = if h.household_id.is_empty()
            || bad_text(&h.household_id, crate::limits::MAX_ID_BYTES)
        {
            Some(tr!("户编号不能保存", "its household id cannot be stored"))
        } else if h.subject_contradicted() {
            Some(tr!(
                "调查对象的类型 {} 与编号 {} 不符",
                "its subject kind {} does not agree with the key {}",
                h.subject,
                h.household_id
            ))
        } else if bad_text(&h.interviewer, MAX_EVENT_TEXT_BYTES)
            || bad_text(&h.device_id, crate::limits::MAX_ID_BYTES)
            || bad_text(&h.questionnaire, crate::limits::MAX_ID_BYTES)
            || bad_text(&h.questionnaire_version, crate::limits::MAX_ID_BYTES)
            || bad_text(&h.subject, crate::limits::MAX_ID_BYTES)
        {
            Some(tr!(
                "含有过长的文字或控制字符",
                "it holds a text too long or control characters"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Text::new(
                format!("调查 {} 的记录有误：{}", h.interview_id, why.zh),
                format!(
                    "the record of interview {} is invalid: {}",
                    h.interview_id, why.en
                ),
            ));
        }
    }
    for h in body.households.iter().filter(|h| h.provisional) {
        let problems = crate::registry::valid::household_problems(h, today);
        if !problems.is_empty() {
            let joined = crate::registry::rows::join(&problems);
            let id: String = h.household_id.chars().take(40).collect();
            return Err(Text::new(
                format!("农户 {id}：{}", joined.zh),
                format!("household {id}: {}", joined.en),
            ));
        }
    }
    for e in &body.events {
        let why = if e.device_id.is_empty()
            || bad_text(&e.device_id, crate::limits::MAX_ID_BYTES)
            || e.device_id.contains('\0')
        {
            Some(tr!("设备编号有误", "its device id is invalid"))
        } else if bad_text(&e.question_id, MAX_EVENT_TEXT_BYTES)
            || e.row
                .as_deref()
                .is_some_and(|r| bad_text(r, MAX_EVENT_TEXT_BYTES))
            || bad_text(&e.interviewer, MAX_EVENT_TEXT_BYTES)
        {
            Some(tr!(
                "含有过长的文字或控制字符",
                "it holds a text too long or control characters"
            ))
        } else if e.base.len() > MAX_BASE {
            Some(tr!(
                "base 列出的记录太多（{} 条）",
                "its base names too many events ({})",
                e.base.len()
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(Text::new(
                format!(
                    "答题记录 {}（调查 {}）有误：{}",
                    e.event_id, e.interview_id, why.zh
                ),
                format!(
                    "event {} (interview {}) is invalid: {}",
                    e.event_id, e.interview_id, why.en
                ),
            ));
        }
    }
    Ok(())
}

/// The record of an interview known only by its head.
fn record_from_head(h: &InterviewHead) -> InterviewRecord {
    InterviewRecord {
        interview_id: h.interview_id,
        household_id: h.household_id.clone(),
        questionnaire: h.questionnaire.clone(),
        questionnaire_version: h.questionnaire_version.clone(),
        status: Status::InProgress,
        interviewer: h.interviewer.clone(),
        device_id: h.device_id.clone(),
        started_at: h.started_at,
        updated_at: h.started_at,
        completed_at: None,
        cursor: None,
        answers: Answers::default().to_json(),
        result: Answers::default().to_json(),
        events: 0,
        skipped: Vec::new(),
        review: None,
        chosen: None,
    }
}

/// The head of a stored interview.
fn head_of(r: &InterviewRecord) -> InterviewHead {
    InterviewHead {
        interview_id: r.interview_id,
        household_id: r.household_id.clone(),
        subject: r.subject().kind.id().to_string(),
        questionnaire: r.questionnaire.clone(),
        questionnaire_version: r.questionnaire_version.clone(),
        interviewer: r.interviewer.clone(),
        device_id: r.device_id.clone(),
        started_at: r.started_at,
    }
}

/// A record as all its events make it: answers, result, status, skipped questions, review,
/// `updated_at` (the latest event's time) and `completed_at` (the completion in effect)
/// from the fold of `events` with `form`; the result computed by the questionnaire from
/// those answers, as `ruhu verify` computes it. Answers are kept as the fold gives them,
/// also when two laptops' changes together fail a constraint (`ruhu verify` then says so).
/// Each answer of an event was checked when it was made; re-entering all of them here
/// would cost ten times the fold.
pub(super) fn rebuild(
    form: &Arc<Questionnaire>,
    mut r: InterviewRecord,
    events: &[Event],
    household: Option<&Household>,
) -> InterviewRecord {
    let (folded, status) = fold(form, events);
    r.status = status;
    r.skipped = fold_skipped(events);
    r.review = fold_review(events);
    r.chosen = crate::interview::fold_chosen(events);
    if let Some(last) = events.iter().max_by_key(|e| (e.at, e.event_id)) {
        r.updated_at = last.at;
    }
    r.completed_at = if status.is_done() {
        causal::order(events)
            .into_iter()
            .rev()
            .find(|e| e.op == EventOp::Status && e.value.as_bool() == Some(true))
            .map(|e| e.at)
    } else {
        None
    };
    let iv = Interview::with_answers(form.clone(), context_of(&r, household), folded);
    r.answers = iv.answers().to_json();
    r.result = iv.result().to_json();
    r
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cell as a stable text, for the conflict id.
fn cell_key(cell: &Cell) -> String {
    match cell {
        Cell::Answer { question, row } => {
            format!("answer\0{question}\0{}", row.as_deref().unwrap_or(""))
        }
        Cell::Row { roster, row } => format!("row\0{roster}\0{row}"),
        Cell::Place { roster, row } => format!("place\0{roster}\0{row}"),
        Cell::Status => "status".to_string(),
        Cell::Skip { question, row } => {
            format!("skip\0{question}\0{}", row.as_deref().unwrap_or(""))
        }
        Cell::Choice => "choice".to_string(),
    }
}

/// The stable id of a conflict: `3f2b8c1e-a41c09`.
pub fn conflict_id(interview: Uuid, cell: &Cell) -> String {
    let mut h = Sha256::new();
    h.update(interview.as_bytes());
    h.update(cell_key(cell).as_bytes());
    let digest = h.finalize();
    format!(
        "{}-{}",
        &interview.simple().to_string()[..8],
        &hex(&digest)[..6]
    )
}

/// How an event's value reads for people.
fn shown_value(form: Option<&Questionnaire>, answers: &Answers, e: &Event) -> Text {
    match e.op {
        EventOp::Set => {
            if e.value.is_null() {
                return tr!("（清空）", "(cleared)");
            }
            let q = form.and_then(|f| f.question(&e.question_id));
            match q.and_then(|q| Answer::from_json(q, &e.value).ok().map(|a| (q, a))) {
                Some((q, a)) => Text::new(a.display(q, Lang::Zh), a.display(q, Lang::En)),
                None => {
                    let raw = match &e.value {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Text::new(raw.clone(), raw)
                }
            }
        }
        EventOp::AddRow => tr!("加上这一行", "row added"),
        EventOp::RemoveRow => tr!("删去这一行", "row removed"),
        EventOp::MoveRow => match e.value.get("after").and_then(Json::as_str) {
            None => tr!("移到最前", "moved to the top"),
            Some(after) => match answers.row_index(&e.question_id, after) {
                Some(i) => tr!("移到第 {} 行之后", "moved after row {}", i + 1),
                None => tr!("移到另一行之后", "moved after another row"),
            },
        },
        EventOp::Status => {
            if e.value.as_bool() == Some(true) {
                tr!("完成", "completed")
            } else {
                tr!("重新打开", "reopened")
            }
        }
        EventOp::Review => match e.to_review() {
            Some(r) if r.decision == crate::interview::Decision::Approve => {
                tr!("审核通过", "approved")
            }
            Some(r) if r.comment.is_empty() => tr!("退回", "returned"),
            Some(r) => tr!("退回：{}", "returned: {}", r.comment),
            None => tr!("审核", "review"),
        },
        EventOp::Skip => {
            if e.value.as_bool() == Some(true) {
                tr!("有意跳过", "skipped on purpose")
            } else {
                tr!("取消跳过", "skip taken back")
            }
        }
        EventOp::Choose => tr!("选定为计数的一次入户", "chosen as the visit that counts"),
    }
}

/// The label of a question, never its id alone.
fn question_label(form: Option<&Questionnaire>, id: &str) -> Text {
    match form.and_then(|f| f.question(id)) {
        Some(q) => q.label.clone(),
        None => tr!(
            "问卷中没有的题目（{}）",
            "a question the questionnaire does not have ({})",
            id
        ),
    }
}

/// The row of a conflict's cell, as the current answers place it.
fn conflict_row(
    form: Option<&Questionnaire>,
    answers: &Answers,
    cell: &Cell,
) -> Option<ConflictRow> {
    let (roster, row) = match cell {
        Cell::Answer {
            question,
            row: Some(row),
        }
        | Cell::Skip {
            question,
            row: Some(row),
        } => {
            let roster = form
                .and_then(|f| f.roster_of(question))
                .map_or_else(|| question.clone(), |q| q.id.clone());
            (roster, row.clone())
        }
        Cell::Row { roster, row } | Cell::Place { roster, row } => (roster.clone(), row.clone()),
        _ => return None,
    };
    let index = answers.row_index(&roster, &row);
    let label = index.and_then(|i| {
        let r = &answers.rosters.get(&roster)?[i];
        let QuestionType::Roster { questions, .. } = &form?.question(&roster)?.kind else {
            return None;
        };
        questions.iter().find_map(|q| match r.values.get(&q.id) {
            Some(Answer::Text(s)) if matches!(q.kind, QuestionType::Text) => Some(s.clone()),
            _ => None,
        })
    });
    Some(ConflictRow {
        id: row,
        index: index.map(|i| i + 1),
        label,
    })
}

/// The hex SHA-256 of a questionnaire's source as canonical JSON (keys sorted, no spaces):
/// the file it was loaded from, or the bundled text. Empty when neither can be read.
fn form_hash(dir: Option<&Path>, form: &Questionnaire) -> String {
    let text = match dir {
        None => crate::questionnaire::BUNDLED
            .iter()
            .find(|(name, _)| form.source == format!("questionnaires/{name}"))
            .map(|(_, s)| s.to_string()),
        Some(_) => crate::questionnaire::read_json_file(Path::new(&form.source)).ok(),
    };
    let Some(text) = text else {
        return String::new();
    };
    let canonical = serde_json::from_str::<Json>(crate::questionnaire::strip_bom(&text))
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok());
    match canonical {
        Some(bytes) => hex(&Sha256::digest(&bytes)),
        None => String::new(),
    }
}

/// Whether an event's clock is implausible.
fn odd_clock(e: &Event, now: DateTime<Utc>) -> bool {
    let at = e.at.with_timezone(&Utc);
    at < earliest_clock() || at > now + chrono::Duration::days(1)
}

fn clock_flag(e: &Event) -> ClockFlag {
    ClockFlag {
        event_id: e.event_id,
        interview_id: e.interview_id,
        device_id: e.device_id.clone(),
        at: e.at,
    }
}

impl Workspace {
    /// The questionnaire of this id and version, if this program has it.
    fn form_for(&self, id: &str, version: &str) -> Option<Arc<Questionnaire>> {
        self.forms.by_id(id).filter(|f| f.version == version)
    }

    /// Per device, the numbers this store holds (indexed events and events held aside).
    fn held_numbers(&self) -> Result<BTreeMap<String, Vec<SeqRun>>, StoreError> {
        let mut out: BTreeMap<String, Vec<SeqRun>> = BTreeMap::new();
        for d in self.store.device_events()? {
            out.insert(d.device_id, d.held);
        }
        let mut aside: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for h in self.store.held()?.into_values() {
            for e in h.events.iter().filter(|e| e.seq > 0) {
                aside.entry(e.device_id.clone()).or_default().push(e.seq);
            }
        }
        for (device, seqs) in aside {
            let runs = out.entry(device).or_default();
            *runs = union_runs(runs, &runs_of(seqs));
        }
        Ok(out)
    }

    /// The numbers missing below the highest held of the devices named.
    fn gaps_of<'a>(
        &self,
        devices: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<SeqRange>, StoreError> {
        let held = self.store.held()?;
        let mut out = Vec::new();
        for device in devices {
            let aside: Vec<u64> = held
                .values()
                .flat_map(|h| &h.events)
                .filter(|e| e.seq > 0 && e.device_id == device)
                .map(|e| e.seq)
                .collect();
            let d = DeviceEvents {
                device_id: device.to_string(),
                held: union_runs(&self.store.device_runs(device)?, &runs_of(aside)),
            };
            out.extend(d.gaps().into_iter().map(|g| SeqRange {
                device_id: device.to_string(),
                first: g.first,
                last: g.last,
            }));
        }
        Ok(out)
    }

    /// Per device, the numbers missing below the highest held.
    pub fn gaps(&self) -> Result<Vec<SeqRange>, StoreError> {
        let mut out = Vec::new();
        for (device_id, held) in self.held_numbers()? {
            let d = DeviceEvents { device_id, held };
            for g in d.gaps() {
                out.push(SeqRange {
                    device_id: d.device_id.clone(),
                    first: g.first,
                    last: g.last,
                });
            }
        }
        Ok(out)
    }

    /// Writes a bundle of what `opts.to` has not been sent (everything with `opts.all`) to
    /// `path`, whole or not at all, and then marks it sent. Nothing to send: no file. The
    /// records are read from the store as they are written ([`Stream`]): an export holds
    /// one interview's events in memory at a time, and the ids of the interviews carried.
    pub fn export_bundle(&self, path: &Path, opts: &ExportOptions) -> Result<ExportReport, Text> {
        let recipient = opts.to.as_deref().unwrap_or("");
        let held = self.store.held().map_err(store_text)?;
        let mut stream = Stream::new(self.store.path())?;
        let mut ids: BTreeSet<Uuid> = BTreeSet::new();
        // Events held aside, by id: written after the store's, each once.
        let mut aside: HashMap<Uuid, &Event> = HashMap::new();
        let mut add = |stream: &mut Stream, e: &Event| -> Result<(), Text> {
            ids.insert(e.interview_id);
            stream.event(e)
        };
        if opts.all {
            for e in held.values().flat_map(|h| &h.events) {
                aside.insert(e.event_id, e);
            }
            // One interview's events at a time, by device and number.
            let mut group: Vec<Event> = Vec::new();
            let mut flush = |group: &mut Vec<Event>, stream: &mut Stream| -> Result<(), Text> {
                group.sort_by(|a, b| (&a.device_id, a.seq).cmp(&(&b.device_id, b.seq)));
                for e in group.drain(..) {
                    add(stream, &e)?;
                }
                Ok(())
            };
            for e in self.store.every_event() {
                let e = e.map_err(store_text)?;
                aside.remove(&e.event_id);
                if group
                    .first()
                    .is_some_and(|g| g.interview_id != e.interview_id)
                {
                    flush(&mut group, &mut stream)?;
                }
                group.push(e);
            }
            flush(&mut group, &mut stream)?;
            let mut rest: Vec<&Event> = aside.into_values().collect();
            rest.sort_by(|a, b| {
                (a.interview_id, &a.device_id, a.seq).cmp(&(b.interview_id, &b.device_id, b.seq))
            });
            for e in rest {
                add(&mut stream, e)?;
            }
        } else {
            let sent = self.store.sent(recipient).map_err(store_text)?;
            let holds = self.held_numbers().map_err(store_text)?;
            let mut due: HashMap<String, Vec<SeqRun>> = HashMap::new();
            let mut written: HashSet<Uuid> = HashSet::new();
            for (device, runs) in &holds {
                let left = minus_runs(runs, sent.get(device).map_or(&[], Vec::as_slice));
                for r in &left {
                    for e in self.store.events_of_device(device, r.first, r.last) {
                        let e = e.map_err(store_text)?;
                        add(&mut stream, &e)?;
                    }
                }
                due.insert(device.clone(), left);
            }
            for e in held.values().flat_map(|h| &h.events) {
                let wanted = e.seq > 0
                    && due.get(&e.device_id).is_some_and(|runs| {
                        runs.iter().any(|r| r.first <= e.seq && e.seq <= r.last)
                    });
                if wanted && written.insert(e.event_id) {
                    add(&mut stream, e)?;
                }
            }
        }
        if stream.counts().events == 0 {
            return Ok(ExportReport {
                file: path.to_path_buf(),
                written: false,
                bundle_id: None,
                to: opts.to.clone(),
                events: 0,
                interviews: 0,
                households: 0,
                ranges: Vec::new(),
                marked: false,
            });
        }
        // Heads and provisional households of the interviews carried.
        let mut households_seen = HashSet::new();
        for id in ids {
            let (head, carried) = match self.store.interview(id).map_err(store_text)? {
                Some(r) => (Some(head_of(&r)), None),
                None => match held.get(&id) {
                    Some(h) => (h.head.clone(), h.household.clone()),
                    None => (None, None),
                },
            };
            let Some(head) = head else { continue };
            if households_seen.insert(head.household_id.clone()) {
                let stored = self
                    .store
                    .household(&head.household_id)
                    .map_err(store_text)?;
                match stored.or(carried) {
                    Some(h) if h.provisional => stream.household(&h)?,
                    _ => {}
                }
            }
            stream.interview(&head)?;
        }
        let dir = self.forms.dir.as_deref();
        let forms: Vec<FormRef> = stream
            .forms()
            .into_iter()
            .map(|(id, version)| {
                let hash = self
                    .form_for(&id, &version)
                    .map(|f| form_hash(dir, &f))
                    .unwrap_or_default();
                FormRef { id, version, hash }
            })
            .collect();
        let header = stream.header(
            self.store.device_id(),
            opts.device_name.clone(),
            forms,
            opts.to.clone(),
        );
        let ranges = header.ranges.clone();
        let counts = stream.counts();
        stream.finish(path, &header, &opts.seal)?;
        let report = |marked: bool| ExportReport {
            file: path.to_path_buf(),
            written: true,
            bundle_id: Some(header.bundle_id),
            to: opts.to.clone(),
            events: counts.events as usize,
            interviews: counts.interviews as usize,
            households: counts.households as usize,
            ranges: ranges.clone(),
            marked,
        };
        let marked = !self.store.is_read_only();
        if marked {
            let mut carried: BTreeMap<String, Vec<SeqRun>> = BTreeMap::new();
            for r in &ranges {
                carried
                    .entry(r.device_id.clone())
                    .or_default()
                    .push(SeqRun {
                        first: r.first,
                        last: r.last,
                    });
            }
            self.store.mark_sent(recipient, &carried).map_err(|e| {
                let m = e.message();
                Text::new(
                    format!(
                        "答卷包 {} 已写出，但无法记下已发送的内容（下次导出会再带上这些记录）：{}",
                        path.display(),
                        m.zh
                    ),
                    format!(
                        "the bundle {} was written, but what was sent could not be noted (the next export carries these events again): {}",
                        path.display(),
                        m.en
                    ),
                )
            })?;
        }
        Ok(report(marked))
    }

    /// Imports one bundle file: verified whole, then applied whole or not at all. A refused
    /// bundle leaves the store as it was; the report says why, naming the file.
    pub fn import_bundle(&self, path: &Path, key: &Key) -> ImportReport {
        let (header, body) = match read_file(path, key) {
            Ok(read) => read,
            Err(r) => {
                let report = ImportReport::refused(Some(path), r.message);
                self.log_import(&report, None);
                return report;
            }
        };
        if let Err(why) = check_body(&body) {
            let report = ImportReport::refused(Some(path), in_file(Some(path), why));
            self.log_import(&report, Some(&header));
            return report;
        }
        let report = match self.apply_body(&body, false, &path.display().to_string()) {
            Ok(mut r) => {
                r.file = Some(path.to_path_buf());
                r.forms_differ = self.forms_differing(&header);
                r
            }
            Err(why) => ImportReport::refused(Some(path), in_file(Some(path), why)),
        };
        self.log_import(&report, Some(&header));
        report
    }

    /// The questionnaires of `header` this program has under the same id and version but
    /// with other content (a hash the bundle gives that differs from this copy's).
    fn forms_differing(&self, header: &crate::sync::bundle::Header) -> Vec<FormDiffers> {
        let dir = self.forms.dir.as_deref();
        header
            .questionnaires
            .iter()
            .filter(|r| !r.hash.is_empty())
            .filter_map(|r| {
                let f = self.form_for(&r.id, &r.version)?;
                (form_hash(dir, &f) != r.hash).then(|| FormDiffers {
                    form: r.clone(),
                    title: f.title.clone(),
                })
            })
            .collect()
    }

    /// Applies the interviews held aside whose questionnaire this program has now (what an
    /// import does first too). `None` when nothing was held.
    pub fn release_held(&self) -> Option<ImportReport> {
        match self.store.held() {
            Ok(h) if h.is_empty() => None,
            Ok(_) => Some(match self.apply_body(&Body::default(), true, "") {
                Ok(r) => r,
                Err(why) => ImportReport::refused(None, why),
            }),
            Err(e) => Some(ImportReport::refused(None, e.message())),
        }
    }

    /// What a verified bundle changes, written in one transaction; and the report. With
    /// `releasing` (no bundle), the interviews still held are listed too.
    fn apply_body(&self, body: &Body, releasing: bool, file: &str) -> Result<ImportReport, Text> {
        let store = &self.store;
        let mut import = store.begin_import(file).map_err(store_text)?;
        let merged = self.merge(body, releasing, &mut import);
        let mut report = match merged {
            Ok(r) => r,
            Err(why) => {
                return Err(match import.abort() {
                    Ok(()) => why,
                    Err(e) => {
                        let m = e.message();
                        Text::new(
                            format!(
                                "{}；已写入的部分未能撤销（{}），下次 ruhu sync 时会撤销",
                                why.zh, m.zh
                            ),
                            format!(
                                "{}; the part written could not be undone ({}): the next ruhu sync undoes it",
                                why.en, m.en
                            ),
                        )
                    }
                });
            }
        };
        report.clashes = import.finish().map_err(store_text)?.clashes;
        // Households of the interviews touched that now have several.
        for h in std::mem::take(&mut report.touched) {
            let mut ids = store.interview_ids_of(&h).map_err(store_text)?;
            if ids.len() > 1 {
                ids.sort();
                report.duplicates.push(Duplicate {
                    household_id: h,
                    interviews: ids,
                });
            }
        }
        // The gaps of the devices whose events came (a bundle changes no other's).
        report.gaps = self
            .gaps_of(report.devices.iter().map(String::as_str))
            .map_err(store_text)?;
        Ok(report)
    }

    /// Decides what a bundle changes and writes it through `import`, in parts of whole
    /// interviews of about [`PART_EVENTS`] events.
    fn merge(
        &self,
        body: &Body,
        releasing: bool,
        import: &mut crate::store::sync::Import<'_>,
    ) -> Result<ImportReport, Text> {
        let store = &self.store;
        let now = Utc::now();
        let mut heads: BTreeMap<Uuid, &InterviewHead> = BTreeMap::new();
        for h in &body.interviews {
            heads.entry(h.interview_id).or_insert(h);
        }
        let mut households: HashMap<&str, &Household> = HashMap::new();
        for h in body.households.iter().filter(|h| h.provisional) {
            households.entry(h.household_id.as_str()).or_insert(h);
        }
        let mut by_interview: BTreeMap<Uuid, Vec<&Event>> = BTreeMap::new();
        let mut ids_seen = HashSet::new();
        for e in &body.events {
            if ids_seen.insert(e.event_id) {
                by_interview.entry(e.interview_id).or_default().push(e);
            }
        }
        let held_all = store.held().map_err(store_text)?;
        let in_bundle: BTreeSet<Uuid> = heads.keys().chain(by_interview.keys()).copied().collect();
        let candidates: BTreeSet<Uuid> = in_bundle.iter().chain(held_all.keys()).copied().collect();

        let mut report = ImportReport {
            accepted: true,
            ..ImportReport::default()
        };
        let mut inc = Incoming::default();
        // The households of the interviews touched.
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut new_households: HashSet<String> = HashSet::new();
        // An event held already under its device and number.
        let indexed = |e: &Event| -> Result<bool, Text> {
            if e.seq == 0 {
                return Ok(false);
            }
            Ok(store
                .indexed_event(&e.device_id, e.seq)
                .map_err(store_text)?
                .is_some_and(|(_, id)| id == e.event_id))
        };
        let mut pending = 0usize;
        for id in candidates {
            if pending >= PART_EVENTS {
                import.write(&inc, false).map_err(store_text)?;
                inc = Incoming::default();
                pending = 0;
            }
            let held = held_all.get(&id);
            let stored = store.interview(id).map_err(store_text)?;
            let head: Option<InterviewHead> = heads
                .get(&id)
                .map(|h| (*h).clone())
                .or_else(|| held.and_then(|h| h.head.clone()));
            let bundle_events: &[&Event] = by_interview.get(&id).map_or(&[], Vec::as_slice);
            let form = match &stored {
                Some(r) => self.form_for(&r.questionnaire, &r.questionnaire_version),
                None => head
                    .as_ref()
                    .filter(|h| h.subject_kind().is_some())
                    .and_then(|h| self.form_for(&h.questionnaire, &h.questionnaire_version)),
            };
            let household_id = stored
                .as_ref()
                .map(|r| r.household_id.clone())
                .or_else(|| head.as_ref().map(|h| h.household_id.clone()));
            let carried_household = |hid: &str| -> Option<Household> {
                households
                    .get(hid)
                    .map(|h| (*h).clone())
                    .or_else(|| held.and_then(|h| h.household.clone()))
                    .filter(|h| h.household_id == hid)
            };
            let Some(form) = form else {
                if !in_bundle.contains(&id) && !releasing {
                    continue;
                }
                // Held aside: what is new of it.
                let mut known: HashSet<Uuid> = held
                    .map(|h| h.events.iter().map(|e| e.event_id).collect())
                    .unwrap_or_default();
                if stored.is_some() {
                    for e in store.events(id).map_err(store_text)? {
                        known.insert(e.event_id);
                    }
                }
                let mut fresh = Vec::new();
                for e in bundle_events {
                    if !known.contains(&e.event_id) && !indexed(e)? {
                        fresh.push((*e).clone());
                    }
                }
                let new_head = match (stored.is_some(), held.and_then(|h| h.head.as_ref())) {
                    (false, None) => heads.get(&id).map(|h| (*h).clone()),
                    _ => None,
                };
                let new_household = match &household_id {
                    Some(hid)
                        if held.and_then(|h| h.household.as_ref()).is_none()
                            && store.household(hid).map_err(store_text)?.is_none() =>
                    {
                        households.get(hid.as_str()).map(|h| (*h).clone())
                    }
                    _ => None,
                };
                report
                    .clocks
                    .extend(fresh.iter().filter(|e| odd_clock(e, now)).map(clock_flag));
                let count = held.map_or(0, |h| h.events.len()) + fresh.len();
                let reason = match &head {
                    None if stored.is_none() => tr!(
                        "还没有收到这次调查的基本信息（它的记录先到了）",
                        "the interview's head has not arrived yet (its events came first)"
                    ),
                    Some(h) if h.subject_kind().is_none() && stored.is_none() => tr!(
                        "调查对象的类型 {} 本程序还不支持",
                        "subjects of kind {} are not supported by this program",
                        h.subject
                    ),
                    _ => {
                        let (q, v) = stored
                            .as_ref()
                            .map(|r| (r.questionnaire.clone(), r.questionnaire_version.clone()))
                            .or_else(|| {
                                head.as_ref().map(|h| {
                                    (h.questionnaire.clone(), h.questionnaire_version.clone())
                                })
                            })
                            .unwrap_or_default();
                        tr!(
                            "本程序没有问卷 {} 的 {} 版（用 --questionnaires 指定含有它的文件夹后再导入）",
                            "this program does not have version {1} of questionnaire {0} (import again with --questionnaires naming a folder that has it)",
                            q,
                            v
                        )
                    }
                };
                report.held.push(HeldInterview {
                    interview_id: id,
                    household_id: household_id.clone(),
                    questionnaire: stored
                        .as_ref()
                        .map(|r| r.questionnaire.clone())
                        .or_else(|| head.as_ref().map(|h| h.questionnaire.clone())),
                    questionnaire_version: stored
                        .as_ref()
                        .map(|r| r.questionnaire_version.clone())
                        .or_else(|| head.as_ref().map(|h| h.questionnaire_version.clone())),
                    events: count,
                    reason,
                });
                if !fresh.is_empty() || new_head.is_some() || new_household.is_some() {
                    pending += 1 + fresh.len();
                    inc.hold.push(Held {
                        interview_id: id,
                        head: new_head,
                        household: new_household,
                        events: fresh,
                    });
                }
                continue;
            };
            let Some(household_id) = household_id else {
                continue;
            };
            if let Some(h) = held {
                pending += 1 + h.events.len();
                inc.release.push(id);
            }
            let existing = match &stored {
                Some(_) => store.events(id).map_err(store_text)?,
                None => Vec::new(),
            };
            let known: HashSet<Uuid> = existing.iter().map(|e| e.event_id).collect();
            let mut fresh: Vec<Event> = Vec::new();
            let mut fresh_ids = HashSet::new();
            let incoming = bundle_events
                .iter()
                .copied()
                .chain(held.into_iter().flat_map(|h| h.events.iter()));
            for e in incoming {
                if !known.contains(&e.event_id) && fresh_ids.insert(e.event_id) && !indexed(e)? {
                    fresh.push(e.clone());
                }
            }
            if in_bundle.contains(&id) || held.is_some() {
                touched.insert(household_id.clone());
            }
            if let Some(r) = stored.as_ref().filter(|_| fresh.is_empty()) {
                if in_bundle.contains(&id) {
                    report.interviews_unchanged += 1;
                    report
                        .conflicts
                        .extend(self.conflict_views(r, &existing).map_err(store_text)?);
                }
                continue;
            }
            let mut household = store.household(&household_id).map_err(store_text)?;
            if household.is_none()
                && let Some(h) = carried_household(&household_id)
            {
                if new_households.insert(h.household_id.clone()) {
                    inc.households.push(h.clone());
                }
                household = Some(h);
            }
            report
                .clocks
                .extend(fresh.iter().filter(|e| odd_clock(e, now)).map(clock_flag));
            let base = match &stored {
                Some(r) => r.clone(),
                None => match &head {
                    Some(h) => record_from_head(h),
                    None => continue,
                },
            };
            let mut all = existing;
            all.extend(fresh.iter().cloned());
            let record = rebuild(&form, base, &all, household.as_ref());
            report
                .conflicts
                .extend(self.conflict_views(&record, &all).map_err(store_text)?);
            let ordered: Vec<Event> = causal::order(&fresh).into_iter().cloned().collect();
            report.events_new += ordered.len();
            pending += 1 + ordered.len();
            if stored.is_some() {
                report.interviews_updated += 1;
            } else {
                report.interviews_new += 1;
            }
            inc.interviews.push(Merged {
                record,
                events: ordered,
                known: stored.as_ref().map(|r| r.events),
            });
        }
        let writes = !inc.interviews.is_empty()
            || !inc.hold.is_empty()
            || !inc.release.is_empty()
            || !inc.households.is_empty();
        if writes {
            import.write(&inc, true).map_err(store_text)?;
        }
        report.touched = touched;
        report.devices = body
            .events
            .iter()
            .chain(held_all.values().flat_map(|h| h.events.iter()))
            .map(|e| e.device_id.clone())
            .collect();
        Ok(report)
    }

    /// The open conflicts of one stored interview.
    fn conflicts_of(&self, id: Uuid) -> Result<Vec<OpenConflict>, StoreError> {
        let Some(record) = self.store.interview(id)? else {
            return Ok(Vec::new());
        };
        let events = self.store.events(id)?;
        self.conflict_views(&record, &events)
    }

    /// The open conflicts of an interview whose record and events are given.
    fn conflict_views(
        &self,
        record: &InterviewRecord,
        events: &[Event],
    ) -> Result<Vec<OpenConflict>, StoreError> {
        let id = record.interview_id;
        let found = causal::conflicts(events);
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let form = self.form_for(&record.questionnaire, &record.questionnaire_version);
        let form = form.as_deref();
        let answers = form
            .and_then(|f| {
                Answers::from_json(f, &record.answers, || Uuid::new_v4().to_string()).ok()
            })
            .unwrap_or_default();
        let head_name = self
            .store
            .household(&record.household_id)?
            .map(|h| h.head_name);
        Ok(found
            .into_iter()
            .map(|c| {
                let (kind, question_id) = match &c.cell {
                    Cell::Answer { question, .. } => ("answer", question.clone()),
                    Cell::Row { roster, .. } => ("row", roster.clone()),
                    Cell::Place { roster, .. } => ("place", roster.clone()),
                    Cell::Status => ("status", String::new()),
                    Cell::Skip { question, .. } => ("skip", question.clone()),
                    Cell::Choice => ("choice", String::new()),
                };
                let question = match c.cell {
                    Cell::Status => tr!("调查状态", "interview status"),
                    Cell::Choice => tr!("重复入户的选定", "the choice among duplicate visits"),
                    _ => question_label(form, &question_id),
                };
                OpenConflict {
                    id: conflict_id(id, &c.cell),
                    interview_id: id,
                    household_id: record.household_id.clone(),
                    head_name: head_name.clone(),
                    cell: kind,
                    question_id,
                    question,
                    row: conflict_row(form, &answers, &c.cell),
                    sides: c
                        .sides
                        .iter()
                        .map(|e| Side {
                            event_id: e.event_id,
                            op: e.op,
                            value: e.value.clone(),
                            shown: shown_value(form, &answers, e),
                            interviewer: e.interviewer.clone(),
                            at: e.at,
                            device_id: e.device_id.clone(),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// Every open conflict of the store, by interview id.
    pub fn conflicts(&self) -> Result<Vec<OpenConflict>, StoreError> {
        let mut out = Vec::new();
        for id in self.store.interview_ids() {
            out.extend(self.conflicts_of(id?)?);
        }
        Ok(out)
    }

    /// Resolves the open conflict `id` with one event of this device on its cell, whose base
    /// names every side: side N's value, or a value typed as on the screen and checked by
    /// the questionnaire. Saved durably; it travels in the next bundle.
    pub fn resolve(
        &self,
        conflict: &str,
        how: &Resolution,
        interviewer: &str,
    ) -> Result<Resolved, Text> {
        let conflict = conflict.trim();
        let prefix = conflict.split('-').next().unwrap_or("");
        let mut found = None;
        if prefix.len() == 8 && prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            for id in self.store.interview_ids() {
                let id = id.map_err(store_text)?;
                if !id
                    .simple()
                    .to_string()
                    .starts_with(&prefix.to_ascii_lowercase())
                {
                    continue;
                }
                if let Some(c) = self
                    .conflicts_of(id)
                    .map_err(store_text)?
                    .into_iter()
                    .find(|c| c.id.eq_ignore_ascii_case(conflict))
                {
                    found = Some(c);
                    break;
                }
            }
        }
        let Some(c) = found else {
            return Err(tr!(
                "没有编号为 {} 的未解决冲突（ruhu sync conflicts 列出所有冲突）",
                "no open conflict {} (ruhu sync conflicts lists them all)",
                conflict
            ));
        };
        let record = self
            .store
            .interview(c.interview_id)
            .map_err(store_text)?
            .ok_or_else(|| tr!("没有调查 {}", "no interview {}", c.interview_id))?;
        let form = self
            .form_for(&record.questionnaire, &record.questionnaire_version)
            .ok_or_else(|| {
                tr!(
                    "本程序没有问卷 {} 的 {} 版，不能解决这次调查的冲突",
                    "this program does not have version {1} of questionnaire {0}: the conflicts of this interview cannot be resolved here",
                    record.questionnaire,
                    record.questionnaire_version
                )
            })?;
        let events = self.store.events(c.interview_id).map_err(store_text)?;
        let Some(first) = events
            .iter()
            .find(|e| c.sides.first().is_some_and(|s| s.event_id == e.event_id))
        else {
            return Err(tr!(
                "冲突的记录找不到了",
                "the conflict's events are missing"
            ));
        };
        let cell = Cell::of(first);
        let household = self
            .store
            .household(&record.household_id)
            .map_err(store_text)?;
        let (op, value) = match how {
            Resolution::Take(n) => {
                let Some(s) = n.checked_sub(1).and_then(|i| c.sides.get(i)) else {
                    return Err(tr!(
                        "冲突 {} 只有 {} 方（--take 1 到 {}）",
                        "conflict {} has {} sides (--take 1 to {})",
                        c.id,
                        c.sides.len(),
                        c.sides.len()
                    ));
                };
                (s.op, s.value.clone())
            }
            Resolution::Value(text) => {
                let Cell::Answer { question, row } = &cell else {
                    return Err(tr!(
                        "冲突 {} 不是答案的冲突：请用 --take N 选一方",
                        "conflict {} is not one of an answer: take a side with --take N",
                        c.id
                    ));
                };
                let answers =
                    Answers::from_json(&form, &record.answers, || Uuid::new_v4().to_string())
                        .unwrap_or_default();
                let ctx = context_of(&record, household.as_ref());
                let mut iv = Interview::with_answers(form.clone(), ctx, answers);
                let change = match row {
                    None => iv.input(question, text),
                    Some(r) => {
                        let roster = form
                            .roster_of(question)
                            .map_or_else(|| question.clone(), |q| q.id.clone());
                        iv.input_row(&roster, r, question, text)
                    }
                };
                let change = change.map_err(|e| {
                    let m = e.message();
                    Text::new(
                        format!("{}：{}", c.question.zh, m.zh),
                        format!("{}: {}", c.question.en, m.en),
                    )
                })?;
                let value = match change {
                    crate::interview::Change::Set { value, .. } => {
                        value.as_ref().map_or(Json::Null, Answer::to_json)
                    }
                    _ => Json::Null,
                };
                (EventOp::Set, value)
            }
        };
        let mut base: Vec<Uuid> = c.sides.iter().map(|s| s.event_id).collect();
        base.sort();
        let event = Event {
            event_id: Uuid::new_v4(),
            interview_id: c.interview_id,
            at: super::now(),
            device_id: self.store.device_id().to_string(),
            seq: 0,
            base,
            interviewer: interviewer.to_string(),
            op,
            question_id: first.question_id.clone(),
            row: first.row.clone(),
            value,
        };
        let mut all = events;
        all.push(event.clone());
        let rebuilt = rebuild(&form, record, &all, household.as_ref());
        self.store
            .record_events(std::slice::from_ref(&event), &rebuilt)
            .map_err(store_text)?;
        let answers = Answers::from_json(&form, &rebuilt.answers, || Uuid::new_v4().to_string())
            .unwrap_or_default();
        let shown = shown_value(Some(&form), &answers, &event);
        Ok(Resolved {
            conflict: c,
            event,
            shown,
        })
    }
}
