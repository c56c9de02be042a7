//! The answer bundle: interview events carried from one store to another, as a file anyone
//! can read (docs/bundle.md describes it for hubs and other tools).
//!
//! ```text
//! {"ruhu_bundle":1}                                  the mark, with the format number
//! {"format":1,"program":"ruhu 0.1.0",…}              the header
//! {"interview":{…}}                                  one record per line: interviews,
//! {"household":{…}}                                  provisional households,
//! {"event":{…}}                                      events
//! {"end":{"records":N,"sha256":"…"}}                 the count, and a SHA-256 of all above
//! ```
//!
//! Plain JSON Lines in UTF-8, or that whole file inside age encryption (a passphrase, or an
//! X25519 recipient). [`read`] verifies everything — the mark, the format, every line, the
//! count, the checksum, the header's counts — before it returns anything, and refuses a
//! file that fails any of it with a [`Refusal`] that says what and where. Reading is bounded
//! in memory and time whatever the input: a line, the whole content and the number of
//! records have limits.

mod read;
mod refusal;
mod stream;
mod write;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::interview::Event;
use crate::registry::Household;

pub use read::{Key, read, read_file, read_header, read_header_file};
pub use refusal::{Refusal, RefusalKind};
pub use stream::Stream;
pub use write::{Seal, keygen, recipient_of, write, write_file, write_sealed};

/// The bundle format this ruhu writes and the newest it reads. Bumped when a reader of the
/// previous format could not read the file, or would misread it; fields that a reader may
/// ignore without changing what a record means are added within a format.
pub const FORMAT: u32 = 1;

/// The key of the first line, `{"ruhu_bundle":FORMAT}`.
pub const MARK: &str = "ruhu_bundle";

/// Bytes of one line (without its newline): a record is a few hundred bytes, a header with
/// many interviewers a few kilobytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Bytes of the first line: the mark is 17 bytes. A file whose first line is longer is not
/// a bundle.
pub const MAX_MARK_BYTES: usize = 4096;

/// Bytes of the plain content (a county's 500,000 interviews fit in far less).
pub const MAX_BUNDLE_BYTES: u64 = 2 << 30;

/// Record lines between the header and the closing line.
pub const MAX_RECORDS: u64 = 10_000_000;

/// Bytes of the age header of an encrypted bundle (a passphrase's or one recipient's is
/// about 200).
pub const MAX_SEAL_HEADER_BYTES: u64 = 16 << 10;

/// What a bundle carries, described up front: a reader lists a bundle from this line alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The bundle format, the same as in the first line.
    pub format: u32,
    /// The program that wrote the bundle: `ruhu 0.1.0`.
    pub program: String,
    /// This bundle's id (a relay keeps the ids of bundles it has applied).
    pub bundle_id: Uuid,
    /// The exporting store's device id.
    pub device_id: String,
    /// A name people read: the exporting host, or a name the user gave.
    pub device_name: String,
    /// The recipient named when exporting (`--to`), if any.
    #[serde(default)]
    pub to: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    /// Interviewers of the interviews and events carried, sorted, each once.
    #[serde(default)]
    pub interviewers: Vec<String>,
    /// Per device, the sequence numbers of that device's events carried.
    #[serde(default)]
    pub ranges: Vec<SeqRange>,
    /// The questionnaires the interviews were answered with.
    #[serde(default)]
    pub questionnaires: Vec<FormRef>,
    /// How many records of each kind follow.
    pub counts: Counts,
}

/// Sequence numbers `first..=last` of one device's events.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeqRange {
    pub device_id: String,
    pub first: u64,
    pub last: u64,
}

/// A questionnaire by id, version and content hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FormRef {
    pub id: String,
    pub version: String,
    /// Hex SHA-256 of the questionnaire file's canonical JSON (computed by the exporter).
    pub hash: String,
}

/// How many records of each kind a bundle holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub interviews: u64,
    pub households: u64,
    pub events: u64,
}

impl Counts {
    /// All records.
    pub fn records(&self) -> u64 {
        self.interviews
            .saturating_add(self.households)
            .saturating_add(self.events)
    }
}

/// What a store needs to create an interview it has never seen: facts fixed when the
/// interview started. Everything that changes is in its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewHead {
    pub interview_id: Uuid,
    /// The subject key: the household id, or `kind:id` for another subject
    /// ([`crate::subject`]).
    pub household_id: String,
    /// The kind of subject: `household`, `person`, `project` or `place`. A kind this ruhu
    /// does not know is held aside on import, never dropped.
    pub subject: String,
    pub questionnaire: String,
    pub questionnaire_version: String,
    pub interviewer: String,
    /// The device the interview was started on.
    pub device_id: String,
    pub started_at: DateTime<FixedOffset>,
}

/// The subject kind of a household interview.
pub const SUBJECT_HOUSEHOLD: &str = "household";

impl InterviewHead {
    /// The subject's kind when this ruhu knows it.
    pub fn subject_kind(&self) -> Option<crate::subject::SubjectKind> {
        crate::subject::SubjectKind::parse(&self.subject)
    }

    /// A known kind that the subject key contradicts (`subject` says `project`, the key is
    /// a household's): the head is wrong.
    pub fn subject_contradicted(&self) -> bool {
        self.subject_kind()
            .is_some_and(|k| !crate::subject::key_is_of(&self.household_id, k))
    }
}

/// The records of a bundle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub interviews: Vec<InterviewHead>,
    /// Provisional households (found on a visit, not in the registry) the interviews need.
    pub households: Vec<Household>,
    pub events: Vec<Event>,
}

impl Body {
    /// How many records of each kind the body holds.
    pub fn counts(&self) -> Counts {
        Counts {
            interviews: self.interviews.len() as u64,
            households: self.households.len() as u64,
            events: self.events.len() as u64,
        }
    }

    /// The interviewers of the interviews and events, sorted, each once.
    pub fn interviewers(&self) -> Vec<String> {
        let names: BTreeSet<&str> = self
            .interviews
            .iter()
            .map(|i| i.interviewer.as_str())
            .chain(self.events.iter().map(|e| e.interviewer.as_str()))
            .filter(|n| !n.is_empty())
            .collect();
        names.into_iter().map(String::from).collect()
    }

    /// The questionnaires (id, version) the interviews were answered with, sorted, each
    /// once: the exporter adds each one's hash to make the header's [`FormRef`]s.
    pub fn forms(&self) -> Vec<(String, String)> {
        let forms: BTreeSet<(&str, &str)> = self
            .interviews
            .iter()
            .map(|i| (i.questionnaire.as_str(), i.questionnaire_version.as_str()))
            .collect();
        forms
            .into_iter()
            .map(|(id, v)| (id.to_string(), v.to_string()))
            .collect()
    }
}

impl Header {
    /// A header for `body` exported by device `device_id` (named `device_name` for people):
    /// a new bundle id, the program, now, the interviewers and counts of the body. Ranges,
    /// questionnaires and the recipient are the exporter's to add
    /// ([`Header::with_ranges`], [`Header::with_questionnaires`], [`Header::with_to`]).
    pub fn new(
        device_id: impl Into<String>,
        device_name: impl Into<String>,
        body: &Body,
    ) -> Header {
        Header {
            format: FORMAT,
            program: program(),
            bundle_id: Uuid::new_v4(),
            device_id: device_id.into(),
            device_name: device_name.into(),
            to: None,
            created_at: chrono::Local::now().fixed_offset(),
            interviewers: body.interviewers(),
            ranges: Vec::new(),
            questionnaires: Vec::new(),
            counts: body.counts(),
        }
    }

    /// The recipient named when exporting.
    pub fn with_to(mut self, to: impl Into<String>) -> Header {
        self.to = Some(to.into());
        self
    }

    /// The sequence ranges carried (see [`ranges_of`]).
    pub fn with_ranges(mut self, ranges: Vec<SeqRange>) -> Header {
        self.ranges = ranges;
        self
    }

    /// The questionnaires the interviews were answered with.
    pub fn with_questionnaires(mut self, forms: Vec<FormRef>) -> Header {
        self.questionnaires = forms;
        self
    }
}

/// `ruhu 0.1.0`: the program that writes a bundle.
pub fn program() -> String {
    format!("ruhu {}", env!("CARGO_PKG_VERSION"))
}

/// The ranges of sequence numbers of `(device_id, seq)` pairs: per device, sorted, each run
/// of consecutive numbers one range. Repeats are allowed. For a bundle's events:
/// `ranges_of(events.iter().map(|e| (e.device_id.as_str(), e.seq)))`.
pub fn ranges_of<'a>(seqs: impl IntoIterator<Item = (&'a str, u64)>) -> Vec<SeqRange> {
    let mut by_device: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (device, seq) in seqs {
        by_device.entry(device).or_default().push(seq);
    }
    let mut out = Vec::new();
    for (device, mut seqs) in by_device {
        seqs.sort_unstable();
        seqs.dedup();
        let mut run: Option<(u64, u64)> = None;
        for s in seqs {
            run = match run {
                Some((first, last)) if last.checked_add(1) == Some(s) => Some((first, s)),
                Some((first, last)) => {
                    out.push(SeqRange {
                        device_id: device.to_string(),
                        first,
                        last,
                    });
                    Some((s, s))
                }
                None => Some((s, s)),
            };
        }
        if let Some((first, last)) = run {
            out.push(SeqRange {
                device_id: device.to_string(),
                first,
                last,
            });
        }
    }
    out
}

/// One line after the header: a record, or the closing line.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Interview(InterviewHead),
    Household(Household),
    Event(Event),
    End(Trailer),
}

/// A record as written (borrowed).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum RecordRef<'a> {
    Interview(&'a InterviewHead),
    Household(&'a Household),
    Event(&'a Event),
}

/// The closing line's content.
#[derive(Debug, Serialize, Deserialize)]
struct Trailer {
    /// Record lines between the header and this line.
    records: u64,
    /// Lower-case hex SHA-256 of every byte before this line.
    sha256: String,
}

/// The first line's content.
#[derive(Deserialize)]
struct Mark {
    ruhu_bundle: serde_json::Value,
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}
