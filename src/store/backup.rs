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
    /// empty ([`StoreError::NotEmpty`] otherwise), and flushes. A backup that cannot be read
    /// gives [`StoreError::Corrupt`]; what was restored before the error stays.
    pub fn import_json(&self, r: impl Read) -> Result<BackupCounts> {
        self.writable()?;
        if !self.is_empty() {
            return Err(StoreError::NotEmpty {
                path: self.path.clone(),
            });
        }
        let importer = Importer {
            store: self,
            households: RefCell::new(self.bulk()?),
            failure: RefCell::new(None),
            counts: RefCell::new(BackupCounts::default()),
            next_seq: RefCell::new(HashMap::new()),
        };
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(r));
        let parsed = (&importer).deserialize(&mut de).and_then(|()| de.end());
        let counts = *importer.counts.borrow();
        self.meta.insert(keys::META_COUNTS_DIRTY, &[1u8])?;
        let finished = importer.households.into_inner().finish();
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
        finished?;
        self.rebuild_derived()?;
        if let Err(e) = parsed {
            return Err(match importer.failure.into_inner() {
                Some(failure) => failure,
                None if e.is_io() => StoreError::io(Text::new("备份文件", "the backup"), e.into()),
                None => StoreError::corrupt("backup", e),
            });
        }
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
            return Err(StoreError::corrupt(
                "backup",
                format!("interview {id} is listed twice"),
            ));
        }
        self.by_household
            .insert(keys::by_household(&r.household_id, id), &[])?;
        Ok(())
    }

    fn import_event(&self, e: Event, seq: u64) -> Result<()> {
        let value = encode("event", &e)?;
        self.events
            .insert(keys::event(e.interview_id, seq, e.event_id), value)?;
        Ok(())
    }

    fn import_setting(&self, s: Setting) -> Result<()> {
        let value = encode("setting", &s.value)?;
        self.settings.insert(s.key.as_bytes(), value)?;
        Ok(())
    }
}

/// Reads the backup object, writing each record as it is parsed.
struct Importer<'s> {
    store: &'s Store,
    /// Households go in through the bulk path, in blocks.
    households: RefCell<BulkHouseholds<'s>>,
    /// The store error that stopped the parse, reported instead of the parser's.
    failure: RefCell<Option<StoreError>>,
    counts: RefCell<BackupCounts>,
    next_seq: RefCell<HashMap<Uuid, u64>>,
}

impl Importer<'_> {
    fn check<E: de::Error>(&self, r: Result<()>) -> std::result::Result<(), E> {
        r.map_err(|e| {
            let msg = E::custom(e.to_string());
            *self.failure.borrow_mut() = Some(e);
            msg
        })
    }

    fn household(&self, h: Household) -> Result<()> {
        let mut target = self.households.borrow_mut();
        if target.contains(&h.household_id)? {
            return Err(StoreError::corrupt(
                "backup",
                format!("household {} is listed twice", h.household_id),
            ));
        }
        target.put_encoded(&h)?;
        self.counts.borrow_mut().households += 1;
        Ok(())
    }

    fn interview(&self, r: InterviewRecord) -> Result<()> {
        self.store.import_interview(r)?;
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
        self.store.put_village_records(std::slice::from_ref(&r))?;
        self.counts.borrow_mut().villages += 1;
        Ok(())
    }

    fn mark(&self, m: Mark) -> Result<()> {
        self.store.put_mark(&m)?;
        self.counts.borrow_mut().marks += 1;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &Importer<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &Importer<'_> {
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
                        return Err(de::Error::custom(format!(
                            "format is {format:?}, not {BACKUP_FORMAT:?}"
                        )));
                    }
                }
                "schema_version" => {
                    let found: u32 = map.next_value()?;
                    if found > SCHEMA_VERSION {
                        self.check(Err(StoreError::TooNew {
                            found,
                            supported: SCHEMA_VERSION,
                        }))?;
                    }
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
struct Each<'i, 's, T>(
    &'i Importer<'s>,
    fn(&Importer<'s>, T) -> Result<()>,
    PhantomData<T>,
);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Each<'_, '_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Each<'_, '_, T> {
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
