//! A bundle written as its records come, for a store too large to hold in memory: each
//! record goes, as its line, into one of three spool files (interviews, households, events:
//! the order of a bundle's lines), while the writer counts them and notes their
//! interviewers, questionnaires and sequence numbers. [`Stream::finish`] then writes the
//! mark, the header made from what was noted, the spooled lines and the closing line to the
//! target, whole or not at all ([`super::write_file`]'s guarantees).
//!
//! The spools are unnamed files (`O_TMPFILE`) in a folder the caller chooses — the store's
//! own, which already holds the same answers — so that nothing is left behind by a kill and
//! an encrypted bundle's content never lies in the clear beside it (on a USB stick, say).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;

use super::write::{Fail, Lines, begin, end, seal_output};
use super::{
    Counts, FormRef, Header, MAX_BUNDLE_BYTES, MAX_LINE_BYTES, MAX_RECORDS, RecordRef, SeqRange,
    ranges_of,
};
use super::{InterviewHead, Seal};
use crate::i18n::Text;
use crate::interview::Event;
use crate::registry::Household;
use crate::tr;

/// One spool: lines, each with its newline.
struct Spool {
    out: BufWriter<File>,
    bytes: u64,
}

impl Spool {
    fn new(dir: &Path) -> io::Result<Spool> {
        Ok(Spool {
            out: BufWriter::with_capacity(1 << 18, tempfile::tempfile_in(dir)?),
            bytes: 0,
        })
    }

    /// The spooled lines from their start.
    fn reader(self) -> io::Result<BufReader<File>> {
        let mut f = self.out.into_inner().map_err(|e| e.into_error())?;
        f.rewind()?;
        Ok(BufReader::with_capacity(1 << 18, f))
    }
}

/// A bundle being written record by record (see the module's description).
pub struct Stream {
    interviews: Spool,
    households: Spool,
    events: Spool,
    counts: Counts,
    interviewers: BTreeSet<String>,
    forms: BTreeSet<(String, String)>,
    seqs: BTreeMap<String, Vec<u64>>,
    line: Vec<u8>,
}

fn io_text(e: &io::Error) -> Text {
    tr!(
        "无法写出答卷包的临时内容：{}",
        "cannot write the bundle's temporary content: {}",
        e
    )
}

impl Stream {
    /// A writer spooling into unnamed files in `spool_dir`.
    pub fn new(spool_dir: &Path) -> Result<Stream, Text> {
        let spool = || Spool::new(spool_dir).map_err(|e| io_text(&e));
        Ok(Stream {
            interviews: spool()?,
            households: spool()?,
            events: spool()?,
            counts: Counts::default(),
            interviewers: BTreeSet::new(),
            forms: BTreeSet::new(),
            seqs: BTreeMap::new(),
            line: Vec::with_capacity(4096),
        })
    }

    fn spool(&mut self, which: usize, r: RecordRef<'_>, what: Text) -> Result<(), Text> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &r)
            .map_err(|e| tr!("无法写成 JSON：{}", "cannot write as JSON: {}", e))?;
        if self.line.len() > MAX_LINE_BYTES {
            return Err(tr!(
                "{} 写成一行有 {} 字节，超过 {} 字节的上限",
                "{} takes {} bytes on one line, over the limit of {} bytes",
                what.zh,
                self.line.len(),
                MAX_LINE_BYTES
            ));
        }
        self.line.push(b'\n');
        let spool = match which {
            0 => &mut self.interviews,
            1 => &mut self.households,
            _ => &mut self.events,
        };
        spool.out.write_all(&self.line).map_err(|e| io_text(&e))?;
        spool.bytes += self.line.len() as u64;
        let total = self.interviews.bytes + self.households.bytes + self.events.bytes;
        if total > MAX_BUNDLE_BYTES {
            return Err(super::write::too_large());
        }
        if self.counts.records() >= MAX_RECORDS {
            return Err(tr!(
                "记录太多：一个答卷包最多 {} 条",
                "too many records: a bundle holds at most {}",
                MAX_RECORDS
            ));
        }
        Ok(())
    }

    /// Adds an interview's head.
    pub fn interview(&mut self, h: &InterviewHead) -> Result<(), Text> {
        self.spool(
            0,
            RecordRef::Interview(h),
            tr!("访谈 {}", "interview {}", h.interview_id),
        )?;
        self.counts.interviews += 1;
        if !h.interviewer.is_empty() && !self.interviewers.contains(&h.interviewer) {
            self.interviewers.insert(h.interviewer.clone());
        }
        let form = (h.questionnaire.clone(), h.questionnaire_version.clone());
        if !self.forms.contains(&form) {
            self.forms.insert(form);
        }
        Ok(())
    }

    /// Adds a provisional household.
    pub fn household(&mut self, h: &Household) -> Result<(), Text> {
        self.spool(
            1,
            RecordRef::Household(h),
            tr!(
                "户 {}",
                "household {}",
                crate::redact::mask_ids(&h.household_id)
            ),
        )?;
        self.counts.households += 1;
        Ok(())
    }

    /// Adds an event.
    pub fn event(&mut self, e: &Event) -> Result<(), Text> {
        self.spool(
            2,
            RecordRef::Event(e),
            tr!("事件 {}", "event {}", e.event_id),
        )?;
        self.counts.events += 1;
        if !e.interviewer.is_empty() && !self.interviewers.contains(&e.interviewer) {
            self.interviewers.insert(e.interviewer.clone());
        }
        if e.seq > 0 {
            match self.seqs.get_mut(&e.device_id) {
                Some(v) => v.push(e.seq),
                None => {
                    self.seqs.insert(e.device_id.clone(), vec![e.seq]);
                }
            }
        }
        Ok(())
    }

    /// How many records of each kind were added.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The questionnaires (id, version) of the interviews added, sorted.
    pub fn forms(&self) -> Vec<(String, String)> {
        self.forms.iter().cloned().collect()
    }

    /// Per device, the sequence numbers of the numbered events added, as ranges.
    pub fn ranges(&self) -> Vec<SeqRange> {
        ranges_of(
            self.seqs
                .iter()
                .flat_map(|(d, seqs)| seqs.iter().map(move |s| (d.as_str(), *s))),
        )
    }

    /// The header of what was added, from device `device_id` named `device_name`, with
    /// `questionnaires` (the hashes of [`Stream::forms`]) and the recipient `to`.
    pub fn header(
        &self,
        device_id: impl Into<String>,
        device_name: impl Into<String>,
        questionnaires: Vec<FormRef>,
        to: Option<String>,
    ) -> Header {
        let mut h = Header::new(device_id, device_name, &super::Body::default())
            .with_ranges(self.ranges())
            .with_questionnaires(questionnaires);
        h.interviewers = self.interviewers.iter().cloned().collect();
        h.counts = self.counts;
        h.to = to;
        h
    }

    /// Writes the bundle to `path` with `header` (which must count what was added), sealed
    /// as `seal` says: whole or not at all.
    pub fn finish(self, path: &Path, header: &Header, seal: &Seal) -> Result<(), Text> {
        let mark = |t: Text| {
            Text::new(
                format!("{}：{}", path.display(), t.zh),
                format!("{}: {}", path.display(), t.en),
            )
        };
        if header.counts != self.counts {
            return Err(mark(tr!(
                "答卷包头的记录数与写入的内容不符",
                "the header's counts differ from the records written"
            )));
        }
        let mut spools = Vec::with_capacity(3);
        for s in [self.interviews, self.households, self.events] {
            spools.push(s.reader().map_err(|e| mark(io_text(&e)))?);
        }
        let records = self.counts.records();
        crate::private_file::write_atomic(path, |f| {
            seal_output(&mut *f, seal, |w| {
                let mut lines = begin(w, header)?;
                for mut s in spools {
                    copy_lines(&mut s, &mut lines)?;
                }
                if lines.records != records {
                    return Err(Fail::Io(io::Error::other("spooled lines were lost")));
                }
                end(lines)?.flush()?;
                Ok(())
            })
        })
        .map_err(|fail| match fail {
            Fail::Io(e) => crate::i18n::cannot_write(path, &e),
            Fail::Invalid(t) => mark(t),
        })
    }
}

/// Copies spooled lines into `lines`, hashing them and counting them.
fn copy_lines<W: Write>(r: &mut BufReader<File>, lines: &mut Lines<W>) -> Result<(), Fail> {
    let mut buf = vec![0u8; 1 << 18];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Fail::Io(e)),
        };
        lines.raw(&buf[..n])?;
    }
}
