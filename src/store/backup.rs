//! A plain JSON backup of the whole store (sled is beta software: ruhu must be able to get
//! its data out in a format anyone can read).
//!
//! ```json
//! {"format": "ruhu-store-backup", "schema_version": 1, "device_id": "…",
//!  "households": [Household…], "interviews": [InterviewRecord…],
//!  "events": [Event…], "settings": [{"key": "…", "value": …}…],
//!  "villages": [VillageRecord…], "marks": [Mark…], "sample": Sample | null}
//! ```
//!
//! The last three (village records, auditors' marks, the drawn sample) are optional when
//! restoring: backups written before they were added restore without them. What the store
//! derives (compact results, registry copies) is not written; it is made again on restore.
//!
//! Events are listed by interview, in recorded order; restoring numbers them again in that
//! order, which gives the same keys. Both directions stream: a 1,000,000-household store is
//! never held in memory. The device id is written for information; a restored store keeps
//! its own.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{BulkHouseholds, Result, SCHEMA_VERSION, Store, StoreError, encode, keys};
use crate::i18n::Text;
use crate::interview::{Event, InterviewRecord};
use crate::reconcile::Mark;
use crate::registry::{Household, VillageRecord};
use crate::sample::Sample;
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
}

#[derive(Serialize, Deserialize)]
struct Setting {
    key: String,
    value: Value,
}

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
        let counts = BackupCounts {
            households: write_array(&mut w, "households", self.households())?,
            interviews: write_array(&mut w, "interviews", self.interviews())?,
            events: write_array(&mut w, "events", self.all_events())?,
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
            sample: false,
        };
        let sample = self.sample()?;
        write!(w, ",\n\"sample\":").map_err(write_err)?;
        serde_json::to_writer(&mut w, &sample).map_err(json_write_err)?;
        let counts = BackupCounts {
            sample: sample.is_some(),
            ..counts
        };
        w.write_all(b"\n}\n").map_err(write_err)?;
        w.flush().map_err(write_err)?;
        Ok(counts)
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
        };
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(r));
        let parsed = (&importer).deserialize(&mut de).and_then(|()| de.end());
        let counts = *importer.counts.borrow();
        let seen = importer.seen.take();
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
