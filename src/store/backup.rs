//! A plain JSON backup of the whole store (sled is beta software: ruhu must be able to get
//! its data out in a format anyone can read).
//!
//! ```json
//! {"format": "ruhu-store-backup", "schema_version": 3, "device_id": "…",
//!  "households": [Household…], "interviews": [InterviewRecord…],
//!  "events": [Event…], "settings": [{"key": "…", "value": …}…],
//!  "villages": [VillageRecord…], "marks": [Mark…], "sample": Sample | null,
//!  "held": [{"interview_id": "…", "head": InterviewHead | null,
//!            "household": Household | null, "events": [Event…]}…],
//!  "sent": [{"recipient": "…", "devices": {"device id": [[first, last]…]}}…],
//!  "index_clashes": [{"device_id": "…", "seq": 41, "interview_id": "…",
//!                     "event_id": "…"}…],
//!  "imports": [ImportLogEntry…], "mark_history": [MarkRecord…],
//!  "projects": [Project…]}
//! ```
//!
//! Everything after `settings` is optional when restoring: backups written before it was
//! added restore without it (village records, auditors' marks, the drawn sample; then what
//! answer bundles added: the interviews held aside for a questionnaire this store lacks, what
//! was sent to each recipient as runs of each device's numbers, the numbers that several
//! events carry, and the log of bundles imported, oldest first; then every mark given and
//! cleared, by finding and oldest first; then the county's project list, each project checked
//! as an imported one is). What the store derives (compact results, registry copies, the index of
//! events by device) is not written; it is made again on restore.
//!
//! Events are listed by interview, in recorded order, each with its device's number (`seq`)
//! and what it saw (`base`); restoring numbers them again in that order, which gives the
//! same keys, and indexes them by device and number. A number two events carry (a data
//! folder copied to a second laptop) is indexed for one of them only: `index_clashes` names
//! that one, so that the restored index is the same. Both directions stream: a
//! 1,000,000-household store is never held in memory. The device id is written for
//! information; a restored store keeps its own (the events keep theirs, so what was sent of
//! them is still sent).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::{BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::imports::ImportLogEntry;
use super::sync::{Held, Incoming, SeqRun};
use super::{BulkHouseholds, Result, SCHEMA_VERSION, Store, StoreError, devices, encode, keys};
use crate::i18n::Text;
use crate::interview::{Event, InterviewRecord};
use crate::projects::Project;
use crate::reconcile::{Mark, MarkRecord};
use crate::registry::{Household, VillageRecord};
use crate::sample::Sample;
use crate::sync::bundle::InterviewHead;
use crate::tr;

/// The `format` of a backup file.
pub const BACKUP_FORMAT: &str = "ruhu-store-backup";

/// How many records a backup held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackupCounts {
    pub households: usize,
    pub interviews: usize,
    pub events: usize,
    pub settings: usize,
    /// Village records (a village file's 村属性 and 是否边远).
    pub villages: usize,
    /// Auditors' marks on findings.
    pub marks: usize,
    /// Whether a drawn sample was written or restored.
    pub sample: bool,
    /// Interviews held aside for a questionnaire this store lacks.
    pub held: usize,
    /// Recipients of answer bundles with what was sent to them.
    pub sent: usize,
    /// Entries of the log of bundles imported.
    pub imports: usize,
    /// Entries of the auditors' mark histories.
    pub mark_history: usize,
    /// Projects of the county's project list.
    pub projects: usize,
}

#[derive(Serialize, Deserialize)]
struct Setting {
    key: String,
    value: Value,
}

/// An interview held aside, as a backup writes it.
#[derive(Serialize, Deserialize)]
struct HeldAside {
    interview_id: Uuid,
    #[serde(default)]
    head: Option<InterviewHead>,
    #[serde(default)]
    household: Option<Household>,
    #[serde(default)]
    events: Vec<Event>,
}

/// What was sent to one recipient ("" is the default one): per device, the runs of numbers
/// as `[first, last]`.
#[derive(Serialize, Deserialize)]
struct SentTo {
    recipient: String,
    devices: BTreeMap<String, Vec<(u64, u64)>>,
}

/// A device's number that several events carry, and the event the index by device names.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexClash {
    device_id: String,
    seq: u64,
    interview_id: Uuid,
    event_id: Uuid,
}

/// Bytes of the reason a logged import was refused (both languages).
const MAX_LOGGED_ERROR_BYTES: usize = 64 * 1024;

/// Interviews held aside written per transaction on restore, by their events.
const HELD_BATCH_EVENTS: usize = 2000;

/// The file named in the marker of the import that writes held interviews on restore.
const RESTORE_HELD: &str = "(backup)";

fn write_err(e: std::io::Error) -> StoreError {
    StoreError::io(Text::new("备份文件", "the backup"), e)
}

fn json_write_err(e: serde_json::Error) -> StoreError {
    if e.is_io() {
        write_err(e.into())
    } else {
        StoreError::Invalid(format!("cannot encode the backup: {e}"))
    }
}

/// Writes `"name":[items…]`.
fn write_array<W: Write, T: Serialize>(
    w: &mut W,
    name: &str,
    items: impl Iterator<Item = Result<T>>,
) -> Result<usize> {
    write!(w, ",\n\"{name}\":[").map_err(write_err)?;
    let mut n = 0;
    for item in items {
        let item = item?;
        if n > 0 {
            w.write_all(b",").map_err(write_err)?;
        }
        w.write_all(b"\n").map_err(write_err)?;
        serde_json::to_writer(&mut *w, &item).map_err(json_write_err)?;
        n += 1;
    }
    w.write_all(b"]").map_err(write_err)?;
    Ok(n)
}

impl Store {
    /// Writes the whole store as one JSON object (see the module docs).
    pub fn export_json(&self, w: impl Write) -> Result<BackupCounts> {
        let mut w = BufWriter::new(w);
        write!(
            w,
            "{{\"format\":{},\"schema_version\":{SCHEMA_VERSION},\"device_id\":{}",
            serde_json::Value::from(BACKUP_FORMAT),
            serde_json::Value::from(self.device_id()),
        )
        .map_err(write_err)?;
        let mut numbered = 0usize;
        let counts = BackupCounts {
            households: write_array(&mut w, "households", self.households())?,
            interviews: write_array(&mut w, "interviews", self.interviews())?,
            events: write_array(
                &mut w,
                "events",
                self.all_events().inspect(|e| {
                    if e.as_ref().is_ok_and(|e| e.seq > 0) {
                        numbered += 1;
                    }
                }),
            )?,
            settings: write_array(
                &mut w,
                "settings",
                self.settings()
                    .map(|s| s.map(|(key, value)| Setting { key, value })),
            )?,
            villages: write_array(
                &mut w,
                "villages",
                self.village_records()?.into_iter().map(Ok),
            )?,
            marks: write_array(&mut w, "marks", self.marks()?.into_values().map(Ok))?,
            ..BackupCounts::default()
        };
        let sample = self.sample()?;
        write!(w, ",\n\"sample\":").map_err(write_err)?;
        serde_json::to_writer(&mut w, &sample).map_err(json_write_err)?;
        let held = write_array(&mut w, "held", self.held_for_backup())?;
        let sent = write_array(&mut w, "sent", self.sent_for_backup()?.into_iter().map(Ok))?;
        // Every numbered event is indexed unless two carry one number.
        let clashes = if self.by_device.len() == numbered {
            Vec::new()
        } else {
            self.index_clashes()?
        };
        write_array(&mut w, "index_clashes", clashes.into_iter().map(Ok))?;
        let imports = write_array(
            &mut w,
            "imports",
            self.import_log()?.into_iter().rev().map(Ok),
        )?;
        let mark_history = write_array(&mut w, "mark_history", self.mark_histories())?;
        let projects = write_array(&mut w, "projects", self.projects()?.into_iter().map(Ok))?;
        let counts = BackupCounts {
            sample: sample.is_some(),
            held,
            sent,
            imports,
            mark_history,
            projects,
            ..counts
        };
        w.write_all(b"\n}\n").map_err(write_err)?;
        w.flush().map_err(write_err)?;
        Ok(counts)
    }

    /// The interviews held aside, one at a time, in id order.
    fn held_for_backup(&self) -> impl Iterator<Item = Result<HeldAside>> + '_ {
        let mut last: Option<Uuid> = None;
        self.held
            .iter()
            .keys()
            .filter_map(move |k| {
                let id = k.map_err(StoreError::from).and_then(|k| {
                    k.get(..16)
                        .and_then(|b| Uuid::from_slice(b).ok())
                        .ok_or_else(|| {
                            StoreError::corrupt("held-aside entry", format!("key {k:02x?}"))
                        })
                });
                match id {
                    Ok(id) if last == Some(id) => None,
                    Ok(id) => {
                        last = Some(id);
                        Some(Ok(id))
                    }
                    Err(e) => Some(Err(e)),
                }
            })
            .filter_map(|id| match id.and_then(|id| self.held_one(id)) {
                Ok(h) => h.map(|h| {
                    Ok(HeldAside {
                        interview_id: h.interview_id,
                        head: h.head,
                        household: h.household,
                        events: h.events,
                    })
                }),
                Err(e) => Some(Err(e)),
            })
    }

    /// What was sent to each recipient, by recipient.
    fn sent_for_backup(&self) -> Result<Vec<SentTo>> {
        let mut recipients = BTreeSet::new();
        for k in self.sent.iter().keys() {
            let k = k?;
            let name = k
                .iter()
                .position(|&b| b == 0)
                .and_then(|end| std::str::from_utf8(&k[..end]).ok())
                .ok_or_else(|| StoreError::corrupt("sent marks", format!("key {k:02x?}")))?;
            recipients.insert(name.to_string());
        }
        let mut out = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            let devices = self
                .sent(&recipient)?
                .into_iter()
                .map(|(d, runs)| (d, runs.iter().map(|r| (r.first, r.last)).collect()))
                .collect();
            out.push(SentTo { recipient, devices });
        }
        Ok(out)
    }

    /// The numbers several events carry, each with the event the index names.
    fn index_clashes(&self) -> Result<Vec<IndexClash>> {
        let mut out: BTreeMap<(String, u64), IndexClash> = BTreeMap::new();
        for e in self.all_events() {
            let e = e?;
            if e.seq == 0 {
                continue;
            }
            let Some(k) = self.by_device.get(devices::key(&e.device_id, e.seq))? else {
                continue;
            };
            let (interview_id, _, event_id) = keys::parse_event(&k).ok_or_else(|| {
                StoreError::corrupt("event index by device", format!("value {k:02x?}"))
            })?;
            if event_id != e.event_id {
                out.entry((e.device_id.clone(), e.seq))
                    .or_insert_with(|| IndexClash {
                        device_id: e.device_id.clone(),
                        seq: e.seq,
                        interview_id,
                        event_id,
                    });
            }
        }
        Ok(out.into_values().collect())
    }

    /// Restores a backup written by [`Store::export_json`] into this store, which must be
    /// empty ([`StoreError::NotEmpty`] otherwise), and flushes. Whole or not at all:
    ///
    /// - a marker is written first; on any error (a file cut short, a record that does not
    ///   pass its checks, a newer format whose version comes last, a full disk) everything
    ///   restored is removed again and the store is empty as before; a restore killed on the
    ///   way leaves the marker, and the next open removes what it had written;
    /// - every record goes through the same checks as what a person enters: households and
    ///   village records those of [`crate::registry::valid`], interviews `check` (the
    ///   questionnaire's checks, with the result recomputed: a result in the file is never
    ///   taken as it is), settings by name; `{}` is no backup.
    ///
    /// `checks` sees every interview record (and returns the record to store) and, at the
    /// end, the whole store.
    pub fn import_json(
        &self,
        r: impl Read,
        checks: &mut dyn RestoreChecks,
    ) -> Result<BackupCounts> {
        self.writable()?;
        self.begin_restore()?;
        match self.restore_from(r, checks) {
            Ok(counts) => {
                self.meta.remove(keys::META_RESTORING)?;
                self.sync()?;
                Ok(counts)
            }
            Err(e) => {
                // Best effort: if this fails too, the marker makes the next open do it.
                let _ = self.abandon_restore();
                Err(e)
            }
        }
    }

    /// Checks that the store is empty (or holds only an abandoned restore, which is removed)
    /// and writes the restore marker, durably.
    fn begin_restore(&self) -> Result<()> {
        if self.meta.contains_key(keys::META_RESTORING)? {
            self.clear_all()?;
        } else if !self.is_empty() {
            return Err(StoreError::NotEmpty {
                path: self.path.clone(),
            });
        }
        self.meta.insert(keys::META_RESTORING, &[1u8])?;
        self.sync()
    }

    /// Removes everything a restore wrote, and its marker.
    pub(super) fn abandon_restore(&self) -> Result<()> {
        self.clear_all()?;
        self.meta.remove(keys::META_RESTORING)?;
        self.sync()
    }

    /// Empties every tree but the store's identity (schema version, device id).
    fn clear_all(&self) -> Result<()> {
        for name in self.db.tree_names() {
            if name.as_ref() == b"meta" || name.as_ref() == b"__sled__default" {
                continue;
            }
            self.db.open_tree(&name)?.clear()?;
        }
        for key in [
            keys::META_HOUSEHOLD_COUNT,
            keys::META_INTERVIEW_COUNT,
            keys::META_COUNTS_DIRTY,
        ] {
            self.meta.remove(key)?;
        }
        self.meta.insert(keys::META_LIST_STALE, &[1u8])?;
        *self.lock_names() = Default::default();
        self.sync()
    }

    fn restore_from(&self, r: impl Read, checks: &mut dyn RestoreChecks) -> Result<BackupCounts> {
        let importer = Importer {
            store: self,
            households: RefCell::new(self.bulk()?),
            failure: RefCell::new(None),
            counts: RefCell::new(BackupCounts::default()),
            next_seq: RefCell::new(HashMap::new()),
            checks: RefCell::new(checks),
            today: chrono::Local::now().date_naive(),
            seen: RefCell::new(Seen::default()),
            held: RefCell::new(HeldBatch::default()),
            clashes: RefCell::new(Vec::new()),
        };
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(r));
        let parsed = (&importer).deserialize(&mut de).and_then(|()| de.end());
        let counts = *importer.counts.borrow();
        let seen = importer.seen.take();
        let clashes = importer.clashes.take();
        let held = importer.held.take();
        let finished = importer.households.into_inner().finish();
        if let Err(e) = parsed {
            return Err(match importer.failure.into_inner() {
                Some(failure) => failure,
                None if e.is_io() => {
                    let io: std::io::Error = e.into();
                    if io.kind() == std::io::ErrorKind::InvalidData {
                        // An encrypted backup whose chunk does not authenticate.
                        bad_backup(tr!(
                            "加密的备份文件不完整或已被改动（校验不符）",
                            "the encrypted backup is incomplete or was altered (it does not authenticate)"
                        ))
                    } else {
                        StoreError::io(Text::new("备份文件", "the backup"), io)
                    }
                }
                None if e.is_eof() => bad_backup(tr!(
                    "文件在第 {} 行第 {} 列中断了（不完整的备份）",
                    "the file ends at line {}, column {} (the backup is incomplete)",
                    e.line(),
                    e.column()
                )),
                None => bad_backup(tr!(
                    "第 {} 行第 {} 列：{}",
                    "line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    e
                )),
            });
        }
        finished?;
        self.hold_aside(held.pending)?;
        if !seen.format {
            return Err(bad_backup(tr!(
                "没有 \"format\": \"{}\"：这不是 ruhu 的备份文件",
                "no \"format\": \"{}\": this is not a ruhu backup",
                BACKUP_FORMAT
            )));
        }
        if !seen.version {
            return Err(bad_backup(tr!(
                "没有 \"schema_version\"",
                "no \"schema_version\""
            )));
        }
        let mut batch = sled::Batch::default();
        batch.insert(
            keys::META_HOUSEHOLD_COUNT,
            &keys::u64_value(counts.households as u64),
        );
        batch.insert(
            keys::META_INTERVIEW_COUNT,
            &keys::u64_value(counts.interviews as u64),
        );
        batch.remove(keys::META_COUNTS_DIRTY);
        self.meta.apply_batch(batch)?;
        // A backup of schema 2 has events without numbers: they are numbered and chained
        // as a store of schema 2 is when it is opened; every event is indexed by device.
        self.index_events()?;
        self.index_as_before(&clashes)?;
        self.rebuild_derived()?;
        importer_checks_whole(self, &mut **importer.checks.borrow_mut())?;
        Ok(counts)
    }

    fn import_interview(&self, r: InterviewRecord) -> Result<()> {
        let id = r.interview_id;
        let value = encode("interview", &r)?;
        if self
            .interviews
            .insert(keys::interview(id), value)?
            .is_some()
        {
            return Err(bad_backup(tr!(
                "调查 {} 出现了两次",
                "interview {} is listed twice",
                id
            )));
        }
        self.by_household
            .insert(keys::by_household(&r.household_id, id), &[])?;
        Ok(())
    }

    fn import_event(&self, e: Event, seq: u64) -> Result<()> {
        let value = encode("event", &e)?;
        let key = keys::event(e.interview_id, seq, e.event_id);
        self.events.insert(key, value)?;
        Ok(())
    }

    /// Writes interviews held aside (in one transaction), flushed.
    fn hold_aside(&self, hold: Vec<Held>) -> Result<()> {
        if hold.is_empty() {
            return Ok(());
        }
        let inc = Incoming {
            hold,
            ..Incoming::default()
        };
        let mut import = self.begin_import(RESTORE_HELD)?;
        import.write(&inc, true)?;
        import.finish()?;
        Ok(())
    }

    /// Makes the index by device name, for each number several events carry, the event it
    /// named in the store the backup was written from.
    fn index_as_before(&self, clashes: &[IndexClash]) -> Result<()> {
        for c in clashes {
            let mut found = None;
            for kv in self.events.scan_prefix(keys::interview(c.interview_id)) {
                let (k, v) = kv?;
                if keys::parse_event(&k).is_some_and(|(_, _, e)| e == c.event_id) {
                    let e: Event = super::decode(|| format!("event {}", c.event_id), &v)?;
                    found = Some((k, e));
                    break;
                }
            }
            match found {
                Some((k, e)) if e.device_id == c.device_id && e.seq == c.seq => {
                    self.by_device
                        .insert(devices::key(&c.device_id, c.seq), k)?;
                }
                _ => {
                    return Err(bad_backup(tr!(
                        "index_clashes：答题记录 {}（设备 {} 的第 {} 号）不在备份里，或编号不同",
                        "index_clashes: event {} (device {}, number {}) is not in the backup, or is numbered otherwise",
                        c.event_id,
                        c.device_id,
                        c.seq
                    )));
                }
            }
        }
        Ok(())
    }

    fn import_setting(&self, s: Setting) -> Result<()> {
        check_setting(&s)?;
        let value = encode("setting", &s.value)?;
        self.settings.insert(s.key.as_bytes(), value)?;
        Ok(())
    }
}

/// The settings a store holds, each checked as its reader will read it.
fn check_setting(s: &Setting) -> Result<()> {
    match s.key.as_str() {
        crate::sample::SamplePlan::SETTING => {
            serde_json::from_value::<crate::sample::SamplePlan>(s.value.clone()).map_err(|e| {
                bad_backup(tr!(
                    "设置 {} 有误：{}",
                    "the setting {} is invalid: {}",
                    s.key,
                    e
                ))
            })?;
            Ok(())
        }
        other => Err(bad_backup(tr!(
            "未知的设置 {}（数据文件夹只保存 {}）",
            "unknown setting {} (a data folder holds only {})",
            other,
            crate::sample::SamplePlan::SETTING
        ))),
    }
}

fn bad_backup(detail: Text) -> StoreError {
    StoreError::BadBackup { detail }
}

/// Which of the backup's header fields were read.
#[derive(Default)]
struct Seen {
    format: bool,
    version: bool,
}

/// What a restore checks that the store cannot judge alone (the questionnaires).
pub trait RestoreChecks {
    /// An interview record as restored, with its household's record if the backup has it:
    /// checked as entered answers are, its result recomputed. The record to store.
    fn interview(
        &mut self,
        r: InterviewRecord,
        household: Option<&Household>,
    ) -> std::result::Result<InterviewRecord, Text>;

    /// The whole store once everything is written (events against answers, ...), before
    /// the restore counts as done.
    fn whole(&mut self, store: &Store) -> std::result::Result<(), Text>;
}

fn importer_checks_whole(store: &Store, checks: &mut dyn RestoreChecks) -> Result<()> {
    checks.whole(store).map_err(bad_backup)
}

/// Reads the backup object, writing each record as it is parsed.
struct Importer<'s, 'c> {
    store: &'s Store,
    /// Households go in through the bulk path, in blocks.
    households: RefCell<BulkHouseholds<'s>>,
    /// The store error that stopped the parse, reported instead of the parser's.
    failure: RefCell<Option<StoreError>>,
    counts: RefCell<BackupCounts>,
    next_seq: RefCell<HashMap<Uuid, u64>>,
    checks: RefCell<&'c mut dyn RestoreChecks>,
    /// The day ID-number birth dates must not be after.
    today: chrono::NaiveDate,
    seen: RefCell<Seen>,
    /// Interviews held aside not written yet.
    held: RefCell<HeldBatch>,
    /// Numbers several events carry: set in the index once the events are indexed.
    clashes: RefCell<Vec<IndexClash>>,
}

/// Interviews held aside read and not written yet, and the ids read so far.
#[derive(Default)]
struct HeldBatch {
    pending: Vec<Held>,
    events: usize,
    ids: HashSet<Uuid>,
}

/// A text of a held interview, a recipient or a device: within `max` bytes, no control
/// characters.
fn bad_text(s: &str, max: usize) -> bool {
    s.len() > max || s.chars().any(crate::printable::is_unsafe)
}

/// A device id as events carry it: 1 to 64 bytes, no control characters.
fn bad_device(s: &str) -> bool {
    s.is_empty() || bad_text(s, crate::limits::MAX_ID_BYTES)
}

/// Why an event of a held interview cannot be kept, if it cannot.
fn held_event_problem(id: Uuid, e: &Event) -> Option<Text> {
    if e.interview_id != id {
        Some(tr!(
            "答题记录 {} 属于调查 {}",
            "event {} belongs to interview {}",
            e.event_id,
            e.interview_id
        ))
    } else if bad_device(&e.device_id) {
        Some(tr!(
            "答题记录 {} 的设备编号有误",
            "event {}: its device id is invalid",
            e.event_id
        ))
    } else if bad_text(&e.question_id, crate::limits::MAX_CELL_BYTES)
        || bad_text(&e.interviewer, crate::limits::MAX_CELL_BYTES)
        || e.row
            .as_deref()
            .is_some_and(|r| bad_text(r, crate::limits::MAX_CELL_BYTES))
    {
        Some(tr!(
            "答题记录 {} 含有过长的文字或控制字符",
            "event {} holds a text too long or control characters",
            e.event_id
        ))
    } else {
        None
    }
}

impl Importer<'_, '_> {
    fn check<E: de::Error>(&self, r: Result<()>) -> std::result::Result<(), E> {
        r.map_err(|e| {
            let msg = E::custom(e.to_string());
            *self.failure.borrow_mut() = Some(e);
            msg
        })
    }

    fn household(&self, h: Household) -> Result<()> {
        let problems = crate::registry::valid::household_problems(&h, self.today);
        if !problems.is_empty() {
            let joined = crate::registry::rows::join(&problems);
            let id: String = h.household_id.chars().take(40).collect();
            return Err(bad_backup(Text::new(
                format!("农户 {id}：{}", joined.zh),
                format!("household {id}: {}", joined.en),
            )));
        }
        let mut target = self.households.borrow_mut();
        if target.contains(&h.household_id)? {
            return Err(bad_backup(tr!(
                "农户 {} 出现了两次",
                "household {} is listed twice",
                h.household_id
            )));
        }
        target.put_encoded(&h)?;
        self.counts.borrow_mut().households += 1;
        Ok(())
    }

    fn interview(&self, r: InterviewRecord) -> Result<()> {
        let id = r.interview_id;
        let household = {
            use crate::registry::import::HouseholdTarget;
            self.households
                .borrow_mut()
                .get(&r.household_id)
                .map_err(bad_backup)?
        };
        let checked = self
            .checks
            .borrow_mut()
            .interview(r, household.as_ref())
            .map_err(|why| {
                bad_backup(Text::new(
                    format!("调查 {id}：{}", why.zh),
                    format!("interview {id}: {}", why.en),
                ))
            })?;
        self.store.import_interview(checked)?;
        self.counts.borrow_mut().interviews += 1;
        Ok(())
    }

    fn event(&self, e: Event) -> Result<()> {
        let seq = {
            let mut next = self.next_seq.borrow_mut();
            let n = next.entry(e.interview_id).or_insert(0);
            let seq = *n;
            *n += 1;
            seq
        };
        self.store.import_event(e, seq)?;
        self.counts.borrow_mut().events += 1;
        Ok(())
    }

    fn setting(&self, s: Setting) -> Result<()> {
        self.store.import_setting(s)?;
        self.counts.borrow_mut().settings += 1;
        Ok(())
    }

    fn village(&self, r: VillageRecord) -> Result<()> {
        let problems = crate::registry::valid::village_problems(&r);
        if !problems.is_empty() {
            let joined = crate::registry::rows::join(&problems);
            return Err(bad_backup(Text::new(
                format!("村 {}：{}", r.village, joined.zh),
                format!("village {}: {}", r.village, joined.en),
            )));
        }
        self.store.put_village_records(std::slice::from_ref(&r))?;
        self.counts.borrow_mut().villages += 1;
        Ok(())
    }

    fn mark(&self, m: Mark) -> Result<()> {
        self.store.put_mark_unsynced(&m)?;
        self.counts.borrow_mut().marks += 1;
        Ok(())
    }

    fn mark_record(&self, m: MarkRecord) -> Result<()> {
        let cell = crate::limits::MAX_CELL_BYTES;
        if m.rule.len() > cell || m.comment.len() > cell || m.by.len() > cell {
            return Err(bad_backup(tr!(
                "mark_history：第 {} 条核查记录的文字太长",
                "mark_history: entry {} holds a text too long",
                self.counts.borrow().mark_history + 1
            )));
        }
        self.store.put_mark_history_unsynced(&m)?;
        self.counts.borrow_mut().mark_history += 1;
        Ok(())
    }

    fn project(&self, p: Project) -> Result<()> {
        let problems = p.problems();
        if !problems.is_empty() {
            let id: String = p.project_id.chars().take(40).collect();
            let joined = crate::projects::problems_text(&problems);
            return Err(bad_backup(Text::new(
                format!("项目 {id}：{}", joined.zh),
                format!("project {id}: {}", joined.en),
            )));
        }
        if self.store.project(&p.project_id)?.is_some() {
            return Err(bad_backup(tr!(
                "项目 {} 出现了两次",
                "project {} is listed twice",
                p.project_id
            )));
        }
        self.store.put_project_unsynced(&p)?;
        self.counts.borrow_mut().projects += 1;
        Ok(())
    }

    fn held(&self, h: HeldAside) -> Result<()> {
        let id = h.interview_id;
        let refused = |why: Text| {
            bad_backup(Text::new(
                format!("暂存的调查 {id}：{}", why.zh),
                format!("interview {id} held aside: {}", why.en),
            ))
        };
        if let Some(head) = &h.head {
            if head.interview_id != id {
                return Err(refused(tr!(
                    "调查信息写的是调查 {}",
                    "its head is of interview {}",
                    head.interview_id
                )));
            }
            let texts = [
                &head.household_id,
                &head.subject,
                &head.questionnaire,
                &head.questionnaire_version,
                &head.device_id,
            ];
            if texts
                .iter()
                .any(|t| bad_text(t, crate::limits::MAX_ID_BYTES))
                || bad_text(&head.interviewer, crate::limits::MAX_CELL_BYTES)
            {
                return Err(refused(tr!(
                    "调查信息含有过长的文字或控制字符",
                    "its head holds a text too long or control characters"
                )));
            }
        }
        if let Some(hh) = &h.household {
            let problems = crate::registry::valid::household_problems(hh, self.today);
            if !problems.is_empty() {
                return Err(refused(crate::registry::rows::join(&problems)));
            }
        }
        if let Some(why) = h.events.iter().find_map(|e| held_event_problem(id, e)) {
            return Err(refused(why));
        }
        let full = {
            let mut batch = self.held.borrow_mut();
            if !batch.ids.insert(id) {
                return Err(bad_backup(tr!(
                    "暂存的调查 {} 出现了两次",
                    "interview {} held aside is listed twice",
                    id
                )));
            }
            batch.events += h.events.len();
            batch.pending.push(Held {
                interview_id: id,
                head: h.head,
                household: h.household,
                events: h.events,
            });
            batch.events >= HELD_BATCH_EVENTS
        };
        if full {
            let pending = {
                let mut batch = self.held.borrow_mut();
                batch.events = 0;
                std::mem::take(&mut batch.pending)
            };
            self.store.hold_aside(pending)?;
        }
        self.counts.borrow_mut().held += 1;
        Ok(())
    }

    fn sent(&self, s: SentTo) -> Result<()> {
        if !s.recipient.is_empty() && bad_device(&s.recipient) {
            return Err(bad_backup(tr!(
                "sent：收件人 {:?} 不是 1 到 {} 字节、不含控制字符的名字",
                "sent: recipient {:?} is not a name of 1 to {} bytes without control characters",
                crate::printable::clean(&s.recipient),
                crate::limits::MAX_ID_BYTES
            )));
        }
        let mut carried = BTreeMap::new();
        for (device, pairs) in s.devices {
            if bad_device(&device) {
                return Err(bad_backup(tr!(
                    "sent：发给 {:?} 的设备编号 {:?} 有误",
                    "sent: the device id {1:?} of what was sent to {0:?} is invalid",
                    crate::printable::clean(&s.recipient),
                    crate::printable::clean(&device)
                )));
            }
            if let Some((first, last)) = pairs.iter().find(|(f, l)| *f == 0 || f > l) {
                return Err(bad_backup(tr!(
                    "sent：设备 {} 的编号段 [{}, {}] 有误（编号从 1 起，前者不大于后者）",
                    "sent: the run [{1}, {2}] of device {0} is invalid (numbers start at 1, the first not above the last)",
                    device,
                    first,
                    last
                )));
            }
            let runs: Vec<SeqRun> = pairs
                .into_iter()
                .map(|(first, last)| SeqRun { first, last })
                .collect();
            carried.insert(device, runs);
        }
        self.store.mark_sent(&s.recipient, &carried)?;
        self.counts.borrow_mut().sent += 1;
        Ok(())
    }

    fn import_entry(&self, e: ImportLogEntry) -> Result<()> {
        let cell = crate::limits::MAX_CELL_BYTES;
        let long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.len() > cell);
        if long(&e.file)
            || long(&e.device_id)
            || long(&e.device_name)
            || e.error
                .as_ref()
                .is_some_and(|t| t.zh.len() + t.en.len() > MAX_LOGGED_ERROR_BYTES)
        {
            return Err(bad_backup(tr!(
                "imports：第 {} 条导入记录的文字太长",
                "imports: entry {} of the log holds a text too long",
                self.counts.borrow().imports + 1
            )));
        }
        self.store.log_import(&e)?;
        self.counts.borrow_mut().imports += 1;
        Ok(())
    }

    fn clash(&self, c: IndexClash) -> Result<()> {
        if bad_device(&c.device_id) || c.seq == 0 {
            return Err(bad_backup(tr!(
                "index_clashes：答题记录 {} 的设备或编号有误",
                "index_clashes: the device or number of event {} is invalid",
                c.event_id
            )));
        }
        self.clashes.borrow_mut().push(c);
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &Importer<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &Importer<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a ruhu store backup (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let format: String = map.next_value()?;
                    if format != BACKUP_FORMAT {
                        self.check(Err(bad_backup(tr!(
                            "format 是 {:?}，不是 {:?}：这不是 ruhu 的备份文件",
                            "format is {:?}, not {:?}: this is not a ruhu backup",
                            format,
                            BACKUP_FORMAT
                        ))))?;
                    }
                    self.seen.borrow_mut().format = true;
                }
                "schema_version" => {
                    let found: u32 = map.next_value()?;
                    if found > SCHEMA_VERSION {
                        self.check(Err(StoreError::TooNew {
                            found,
                            supported: SCHEMA_VERSION,
                        }))?;
                    }
                    self.seen.borrow_mut().version = true;
                }
                "households" => {
                    map.next_value_seed(Each(self, Importer::household, PhantomData))?
                }
                "interviews" => {
                    map.next_value_seed(Each(self, Importer::interview, PhantomData))?
                }
                "events" => map.next_value_seed(Each(self, Importer::event, PhantomData))?,
                "settings" => map.next_value_seed(Each(self, Importer::setting, PhantomData))?,
                "villages" => map.next_value_seed(Each(self, Importer::village, PhantomData))?,
                "marks" => map.next_value_seed(Each(self, Importer::mark, PhantomData))?,
                "held" => map.next_value_seed(Each(self, Importer::held, PhantomData))?,
                "sent" => map.next_value_seed(Each(self, Importer::sent, PhantomData))?,
                "index_clashes" => map.next_value_seed(Each(self, Importer::clash, PhantomData))?,
                "imports" => {
                    map.next_value_seed(Each(self, Importer::import_entry, PhantomData))?
                }
                "mark_history" => {
                    map.next_value_seed(Each(self, Importer::mark_record, PhantomData))?
                }
                "projects" => map.next_value_seed(Each(self, Importer::project, PhantomData))?,
                "sample" => {
                    let sample: Option<Sample> = map.next_value()?;
                    if let Some(sample) = sample {
                        self.check(self.store.put_sample(&sample))?;
                        self.counts.borrow_mut().sample = true;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An array whose items are handed to a function one by one as they are parsed.
struct Each<'i, 's, 'c, T>(
    &'i Importer<'s, 'c>,
    fn(&Importer<'s, 'c>, T) -> Result<()>,
    PhantomData<T>,
);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Each<'_, '_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Each<'_, '_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let Each(importer, put, _) = self;
        while let Some(item) = seq.next_element::<T>()? {
            importer.check(put(importer, item))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sync::Merged;
    use crate::store::tests::Accept;
    use serde_json::json;

    fn record(id: Uuid, household: &str) -> InterviewRecord {
        serde_json::from_value(json!({
            "interview_id": id,
            "household_id": household,
            "questionnaire": "non_poor",
            "questionnaire_version": "2017.1",
            "status": "in_progress",
            "interviewer": "李调查",
            "device_id": "laptop-a",
            "started_at": "2024-03-05T09:00:00+08:00",
            "updated_at": "2024-03-05T09:00:00+08:00",
            "answers": {},
        }))
        .expect("record")
    }

    fn event(interview: Uuid, device: &str, seq: u64) -> Event {
        serde_json::from_value(json!({
            "event_id": Uuid::new_v4(),
            "interview_id": interview,
            "at": "2024-03-05T09:30:00+08:00",
            "device_id": device,
            "seq": seq,
            "interviewer": "李调查",
            "op": "set",
            "question_id": format!("q{seq}"),
            "value": seq,
        }))
        .expect("event")
    }

    /// The keys and values of a tree, in order.
    type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

    /// Every key and value of the trees a backup carries or the store makes again from it.
    fn trees(store: &Store) -> Vec<(&'static str, Pairs)> {
        [
            ("events", &store.events),
            ("interviews", &store.interviews),
            ("by_device", &store.by_device),
            ("held", &store.held),
            ("sent", &store.sent),
            ("imports", &store.imports),
        ]
        .into_iter()
        .map(|(name, t)| {
            let kv = t
                .iter()
                .map(|kv| {
                    let (k, v) = kv.expect("read");
                    (k.to_vec(), v.to_vec())
                })
                .collect();
            (name, kv)
        })
        .collect()
    }

    /// Two laptops whose data folder was copied number their events alike: the store keeps
    /// both events of a number and indexes the first. Held-aside interviews and the marks of
    /// what was sent come through a backup too, and the index is the same after it.
    #[test]
    fn held_interviews_sent_marks_and_the_index_of_a_shared_number_survive_a_backup() {
        let a_dir = tempfile::tempdir().expect("tempdir");
        let b_dir = tempfile::tempdir().expect("tempdir");
        let a = Store::open(a_dir.path()).expect("open");
        // The second interview sorts after the first: indexed in key order, the last event
        // of a number would win.
        let (x, y) = (Uuid::new_v4(), Uuid::new_v4());
        let (first, second) = (x.min(y), x.max(y));
        let inc = |id: Uuid, household: &str, events: Vec<Event>| Incoming {
            households: vec![Household::provisional(
                household.into(),
                "王".into(),
                "桂花村".into(),
            )],
            interviews: vec![Merged {
                record: record(id, household),
                events,
                known: None,
            }],
            ..Incoming::default()
        };
        let mut import = a.begin_import("1.ruhu").expect("begin");
        let one = inc(
            first,
            "P-1",
            vec![event(first, "laptop-a", 1), event(first, "laptop-a", 2)],
        );
        import.write(&one, true).expect("write");
        import.finish().expect("finish");
        // The copy's event number 2, in another interview.
        let mut import = a.begin_import("2.ruhu").expect("begin");
        let clash = event(second, "laptop-a", 2);
        let two = inc(
            second,
            "P-2",
            vec![clash.clone(), event(second, "laptop-a", 3)],
        );
        import.write(&two, true).expect("write");
        let applied = import.finish().expect("finish");
        assert_eq!(applied.clashes.len(), 1);
        let aside = Uuid::new_v4();
        let mut import = a.begin_import("3.ruhu").expect("begin");
        let held = Incoming {
            hold: vec![Held {
                interview_id: aside,
                head: None,
                household: Some(Household::provisional(
                    "P-9".into(),
                    "李".into(),
                    "桂花村".into(),
                )),
                events: vec![event(aside, "laptop-c", 7), event(aside, "laptop-c", 8)],
            }],
            ..Incoming::default()
        };
        import.write(&held, true).expect("write");
        import.finish().expect("finish");
        let runs = |first, last| vec![SeqRun { first, last }];
        a.mark_sent(
            "lead",
            &BTreeMap::from([("laptop-a".to_string(), runs(1, 3))]),
        )
        .expect("sent");
        a.mark_sent("", &BTreeMap::from([("laptop-c".to_string(), runs(7, 8))]))
            .expect("sent");

        for (n, file) in ["1.ruhu", "2.ruhu", "3.ruhu"].into_iter().enumerate() {
            a.log_import(&crate::store::imports::ImportLogEntry {
                at: Some(chrono::Local::now().fixed_offset()),
                file: Some(file.into()),
                accepted: true,
                events_new: n,
                ..Default::default()
            })
            .expect("log");
        }

        let mut backup = Vec::new();
        let counts = a.export_json(&mut backup).expect("export");
        assert_eq!(
            (counts.events, counts.held, counts.sent, counts.imports),
            (4, 1, 2, 3)
        );
        let v: Value = serde_json::from_slice(&backup).expect("JSON");
        assert_eq!(v["index_clashes"].as_array().expect("clashes").len(), 1);
        assert_eq!(v["index_clashes"][0]["interview_id"], json!(first));
        assert_eq!(v["held"][0]["events"].as_array().expect("events").len(), 2);

        let b = Store::open(b_dir.path()).expect("open");
        let restored = b.import_json(&backup[..], &mut Accept).expect("restore");
        assert_eq!(restored, counts);
        assert_eq!(trees(&b), trees(&a));
        assert_eq!(b.held().expect("held"), a.held().expect("held"));
        assert_eq!(b.sent("lead").expect("sent"), a.sent("lead").expect("sent"));
        assert_eq!(b.import_log().expect("log"), a.import_log().expect("log"));
        let mut again = Vec::new();
        b.export_json(&mut again).expect("export");
        let strip = |bytes: &[u8]| {
            let mut v: Value = serde_json::from_slice(bytes).expect("JSON");
            v.as_object_mut().expect("object").remove("device_id");
            v
        };
        assert_eq!(strip(&again), strip(&backup));
        let (problems, _) = b.check_layout().expect("check");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_backup_without_the_arrays_of_answer_bundles_restores_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = json!({"format": BACKUP_FORMAT, "schema_version": 3, "households": [],
                         "interviews": [], "events": [], "settings": []});
        let s = Store::open(dir.path()).expect("open");
        let counts = s
            .import_json(old.to_string().as_bytes(), &mut Accept)
            .expect("restore");
        assert_eq!(counts, BackupCounts::default());
        drop(s);
        let id = Uuid::new_v4();
        let bad = |field: &str, value: Value| {
            let mut v = old.clone();
            v[field] = value;
            v.to_string()
        };
        let cases = [
            (
                bad(
                    "held",
                    json!([{"interview_id": id, "events": [event(Uuid::new_v4(), "x", 1)]}]),
                ),
                "belongs to interview",
            ),
            (
                bad("held", json!([{"interview_id": id}, {"interview_id": id}])),
                "listed twice",
            ),
            (
                bad(
                    "sent",
                    json!([{"recipient": "lead", "devices": {"laptop-a": [[5, 2]]}}]),
                ),
                "[5, 2]",
            ),
            (
                bad("sent", json!([{"recipient": "a\u{1b}[2J", "devices": {}}])),
                "recipient",
            ),
            (
                bad(
                    "index_clashes",
                    json!([{"device_id": "laptop-a", "seq": 2, "interview_id": id,
                             "event_id": Uuid::new_v4()}]),
                ),
                "index_clashes",
            ),
            (
                bad(
                    "projects",
                    json!([{"project_id": "P1", "name": "路", "kind": "infrastructure",
                             "village": "桂花村", "total": -1.0, "approved": "2017-03-01",
                             "status": "planned"}]),
                ),
                "P1",
            ),
            (
                bad(
                    "mark_history",
                    json!([{"interview_id": id, "rule": "wrong_exit_income",
                             "status": "confirmed", "comment": "长".repeat(40_000),
                             "by": "审计员", "at": "2017-12-24T10:00:00+08:00"}]),
                ),
                "mark_history",
            ),
        ];
        for (text, expected) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            let s = Store::open(dir.path()).expect("open");
            let e = s
                .import_json(text.as_bytes(), &mut Accept)
                .expect_err(expected);
            assert!(e.to_string().contains(expected), "{expected}: {e}");
            assert!(s.held.is_empty() && s.sent.is_empty(), "{expected}");
            assert!(s.is_empty());
        }
    }
}
