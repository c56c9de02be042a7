//! The household list file: what the household list shows and searches of every household,
//! in one flat file in the data folder (`households.list`), read front to back for each
//! page, so that a screen pages and searches 1,000,000 households in a fraction of a second
//! without holding them (the blocks would take a decode of every household).
//!
//! The file is derived from the household blocks, like the trees of `results.rs`:
//! - a bulk write (an import, the demo county, a restore) marks it out of date in `meta`
//!   before it writes; the list is made again when it is next opened;
//! - a single write (a household entered during a census visit) records its id in the
//!   `list_recent` tree in the same transaction; the list reads those households from the
//!   blocks and skips their older entries in the file, until the next remake.
//!
//! ```text
//! "RUHU-LIST2\n"
//! entries: n × (u32 length, entry)
//! villages: u32 n, n × (county, township, village)        texts are u16 length + UTF-8
//! trailer: u64 n (entries), u64 offset of villages, "RUHU-LIST2\n"
//! entry: status u8, flags u8 (1 provisional), village u32, size u16 (0: none),
//!        household id, head name, village group, search text (u32 length)
//! ```
//!
//! The file is written in one pass and renamed into place without a sync: it is derived, and
//! a file that a crash cut short or left empty fails the trailer check and is made again.
//!
//! The search text is the head's and members' names, the household id and the ID numbers,
//! lower-case, separated by U+001F: a search is a substring test on it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::interview::Status as InterviewStatus;
use crate::registry::{Household, Status};

use super::{Result, Store, StoreError, keys};

const MAGIC: &[u8] = b"RUHU-LIST2\n";
/// The trailer: entry count, offset of the villages, the magic again.
const TRAILER: usize = 16 + MAGIC.len();
/// The file's name in the data folder.
pub(super) const FILE: &str = "households.list";
/// Households changed one by one since the file was made; beyond this many the list is
/// made again when opened.
const MAX_RECENT: usize = 4096;
/// Separates the parts of the search text (none of them holds it: imports refuse control
/// characters).
const SEP: char = '\u{1f}';

/// One household as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub household_id: String,
    pub head_name: String,
    pub status: Status,
    pub county: String,
    pub township: String,
    pub village: String,
    pub village_group: String,
    pub household_size: Option<u32>,
    pub provisional: bool,
}

/// The place of a village.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Place {
    county: String,
    township: String,
    village: String,
}

/// What a filter sees of an entry before it is read whole.
pub struct ListView<'a> {
    pub household_id: &'a str,
    pub status: Status,
}

/// An opened household list: the file, the households changed since it was made.
pub struct ListIndex {
    path: PathBuf,
    villages: Vec<Place>,
    /// Entries in the file.
    entries: u64,
    /// Households in the store when the list was opened.
    total: usize,
    /// Households changed one by one since the file was made, as stored now (`None`:
    /// removed), by id.
    recent: BTreeMap<String, Option<Household>>,
}

fn status_byte(s: Status) -> u8 {
    match s {
        Status::Poor => 0,
        Status::Exited => 1,
        Status::Returned => 2,
        Status::NonPoor => 3,
    }
}

fn byte_status(b: u8) -> Option<Status> {
    Some(match b {
        0 => Status::Poor,
        1 => Status::Exited,
        2 => Status::Returned,
        3 => Status::NonPoor,
        _ => return None,
    })
}

/// The search text of a household.
fn search_text(h: &Household) -> String {
    let mut s = String::with_capacity(64);
    s.push_str(&h.head_name);
    for m in &h.members {
        s.push(SEP);
        s.push_str(&m.name);
    }
    s.push(SEP);
    s.push_str(&h.household_id);
    if !h.head_id_number.is_empty() {
        s.push(SEP);
        s.push_str(&h.head_id_number);
    }
    for m in h.members.iter().filter(|m| !m.id_number.is_empty()) {
        s.push(SEP);
        s.push_str(&m.id_number);
    }
    s.to_lowercase()
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    // Texts are far shorter (an import refuses cells over 4 KiB); a longer one is cut at
    // a character boundary.
    let mut n = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&s.as_bytes()[..n]);
}

fn entry_of(h: &Household) -> ListEntry {
    ListEntry {
        household_id: h.household_id.clone(),
        head_name: h.head_name.clone(),
        status: h.status,
        county: h.county.clone(),
        township: h.township.clone(),
        village: h.village.clone(),
        village_group: h.village_group.clone(),
        household_size: h.household_size,
        provisional: h.provisional,
    }
}

/// Reads the file's fields one after the other.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn long_text(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

/// An entry of the file, borrowed from the read buffer.
struct Raw<'a> {
    status: Status,
    provisional: bool,
    village: u32,
    size: u16,
    id: &'a str,
    head: &'a str,
    group: &'a str,
    search: &'a [u8],
}

fn parse(b: &[u8]) -> Option<Raw<'_>> {
    let mut c = Cursor { b, at: 0 };
    let status = byte_status(c.u8()?)?;
    let flags = c.u8()?;
    let village = c.u32()?;
    let size = c.u16()?;
    Some(Raw {
        status,
        provisional: flags & 1 == 1,
        village,
        size,
        id: c.text()?,
        head: c.text()?,
        group: c.text()?,
        search: c.long_text()?,
    })
}

fn damaged(path: &Path, what: &str) -> StoreError {
    StoreError::corrupt(format!("the household list {}", path.display()), what)
}

/// A household the list is about to show or count.
enum Candidate<'a> {
    File(Raw<'a>),
    Recent(&'a Household),
}

impl ListIndex {
    /// Households in the list.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The villages, sorted by name.
    pub fn village_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .villages
            .iter()
            .map(|p| p.village.clone())
            .chain(self.recent.values().flatten().map(|h| h.village.clone()))
            .filter(|v| !v.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The entries `offset..offset + limit` of the households that are of `village` (if
    /// given), whose search text holds `needle` (lower-case; empty: every one) and that
    /// `keep` keeps, in household id order; and how many there are in all.
    pub fn query(
        &self,
        village: Option<&str>,
        needle: &str,
        keep: &dyn Fn(&ListView<'_>) -> bool,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<ListEntry>, usize)> {
        let end = offset.saturating_add(limit);
        let mut out = Vec::new();
        let mut n = 0usize;
        self.each(village, needle, keep, &mut |c| {
            if n >= offset && n < end {
                out.push(self.entry(c));
            }
            n += 1;
            true
        })?;
        Ok((out, n))
    }

    /// Where the household `id` stands among what the same filter shows.
    pub fn position(
        &self,
        village: Option<&str>,
        needle: &str,
        keep: &dyn Fn(&ListView<'_>) -> bool,
        id: &str,
    ) -> Result<Option<usize>> {
        let mut n = 0usize;
        let mut found = None;
        self.each(village, needle, keep, &mut |c| {
            let this = match c {
                Candidate::File(r) => r.id,
                Candidate::Recent(h) => h.household_id.as_str(),
            };
            if this == id {
                found = Some(n);
                return false;
            }
            n += 1;
            true
        })?;
        Ok(found)
    }

    fn entry(&self, c: &Candidate<'_>) -> ListEntry {
        match c {
            Candidate::Recent(h) => entry_of(h),
            Candidate::File(r) => {
                let place = self.villages.get(r.village as usize);
                let text = |f: fn(&Place) -> &String| place.map(f).cloned().unwrap_or_default();
                ListEntry {
                    household_id: r.id.to_string(),
                    head_name: r.head.to_string(),
                    status: r.status,
                    county: text(|p| &p.county),
                    township: text(|p| &p.township),
                    village: text(|p| &p.village),
                    village_group: r.group.to_string(),
                    household_size: (r.size > 0).then_some(u32::from(r.size)),
                    provisional: r.provisional,
                }
            }
        }
    }

    /// Hands every household that passes the filter to `each`, in id order, until it says
    /// stop (false).
    fn each(
        &self,
        village: Option<&str>,
        needle: &str,
        keep: &dyn Fn(&ListView<'_>) -> bool,
        each: &mut dyn FnMut(&Candidate<'_>) -> bool,
    ) -> Result<()> {
        let in_village: Option<HashSet<u32>> = village.map(|v| {
            (0..self.villages.len())
                .filter(|&i| self.villages[i].village == v)
                .map(|i| i as u32)
                .collect()
        });
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let passes_recent = |h: &Household| {
            village.is_none_or(|v| h.village == v)
                && (needle.is_empty() || search_text(h).contains(needle))
                && keep(&ListView {
                    household_id: &h.household_id,
                    status: h.status,
                })
        };
        let mut recent = self
            .recent
            .values()
            .flatten()
            .filter(|h| passes_recent(h))
            .peekable();
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) => return Err(StoreError::io(list_text(&self.path), e)),
        };
        let mut r = BufReader::with_capacity(1 << 20, file);
        let mut magic = [0u8; MAGIC.len()];
        read_exact(&mut r, &mut magic, &self.path)?;
        let mut buf = Vec::with_capacity(256);
        for _ in 0..self.entries {
            let mut len = [0u8; 4];
            read_exact(&mut r, &mut len, &self.path)?;
            buf.resize(u32::from_le_bytes(len) as usize, 0);
            read_exact(&mut r, &mut buf, &self.path)?;
            let raw = parse(&buf).ok_or_else(|| damaged(&self.path, "an entry cannot be read"))?;
            // Households changed since the file was made come from the store instead.
            while let Some(h) = recent.peek() {
                if h.household_id.as_str() >= raw.id {
                    break;
                }
                if !each(&Candidate::Recent(h)) {
                    return Ok(());
                }
                recent.next();
            }
            if self.recent.contains_key(raw.id)
                || in_village
                    .as_ref()
                    .is_some_and(|v| !v.contains(&raw.village))
                || (!needle.is_empty() && finder.find(raw.search).is_none())
                || !keep(&ListView {
                    household_id: raw.id,
                    status: raw.status,
                })
            {
                continue;
            }
            if !each(&Candidate::File(raw)) {
                return Ok(());
            }
        }
        for h in recent {
            if !each(&Candidate::Recent(h)) {
                break;
            }
        }
        Ok(())
    }
}

fn list_text(path: &Path) -> crate::i18n::Text {
    crate::tr!(
        "户列表文件 {}",
        "the household list file {}",
        path.display()
    )
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<()> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => damaged(path, "cut short"),
        _ => StoreError::io(list_text(path), e),
    })
}

/// Checks the file's magic and trailer; reads the villages. The entry count and the
/// villages' offset must fit the file's length.
fn read_index(path: &Path) -> Result<(u64, Vec<Place>)> {
    let mut f = File::open(path).map_err(|e| StoreError::io(list_text(path), e))?;
    let len = f
        .metadata()
        .map_err(|e| StoreError::io(list_text(path), e))?
        .len();
    if len < (MAGIC.len() + TRAILER) as u64 {
        return Err(damaged(path, "cut short"));
    }
    let mut magic = [0u8; MAGIC.len()];
    read_exact(&mut f, &mut magic, path)?;
    f.seek(SeekFrom::Start(len - TRAILER as u64))
        .map_err(|e| StoreError::io(list_text(path), e))?;
    let mut trailer = [0u8; TRAILER];
    read_exact(&mut f, &mut trailer, path)?;
    let count = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    let at = u64::from_le_bytes(trailer[8..16].try_into().expect("8 bytes"));
    // Each entry takes at least its length and 6 bytes of fields.
    let fits = at >= MAGIC.len() as u64
        && at <= len - TRAILER as u64
        && count <= (at - MAGIC.len() as u64) / 10;
    if magic != MAGIC || &trailer[16..] != MAGIC || !fits {
        return Err(damaged(path, "not a whole household list"));
    }
    f.seek(SeekFrom::Start(at))
        .map_err(|e| StoreError::io(list_text(path), e))?;
    let mut r = BufReader::new(f.take(len - TRAILER as u64 - at));
    let mut n = [0u8; 4];
    read_exact(&mut r, &mut n, path)?;
    let mut places = Vec::new();
    for _ in 0..u32::from_le_bytes(n) {
        let mut text = || -> Result<String> {
            let mut len = [0u8; 2];
            read_exact(&mut r, &mut len, path)?;
            let mut b = vec![0u8; u16::from_le_bytes(len) as usize];
            read_exact(&mut r, &mut b, path)?;
            String::from_utf8(b).map_err(|_| damaged(path, "a village name is not UTF-8"))
        };
        places.push(Place {
            county: text()?,
            township: text()?,
            village: text()?,
        });
    }
    Ok((count, places))
}

/// A list file being written, household by household in id order, under a temporary
/// name until [`ListWriter::finish`] renames it into place (dropped before: removed).
pub(super) struct ListWriter {
    path: PathBuf,
    temp: PathBuf,
    out: Option<std::io::BufWriter<File>>,
    /// Places by county, township and village joined with SEP.
    places: HashMap<String, u32>,
    order: Vec<Place>,
    key: String,
    entry: Vec<u8>,
    count: u64,
    at: u64,
}

impl ListWriter {
    fn create(path: &Path) -> Result<ListWriter> {
        let temp = path.with_extension("list-partial");
        let io = |e| StoreError::io(list_text(path), e);
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            crate::private_file::create(&temp).map_err(io)?,
        );
        out.write_all(MAGIC).map_err(io)?;
        Ok(ListWriter {
            path: path.to_path_buf(),
            temp,
            out: Some(out),
            places: HashMap::new(),
            order: Vec::new(),
            key: String::new(),
            entry: Vec::new(),
            count: 0,
            at: MAGIC.len() as u64,
        })
    }

    /// Appends a household: after every one appended before it in id order.
    fn push(&mut self, h: &Household) -> Result<()> {
        self.key.clear();
        for part in [&h.county, &h.township, &h.village] {
            self.key.push_str(part);
            self.key.push(SEP);
        }
        let index = match self.places.get(self.key.as_str()) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.order.len()).unwrap_or(u32::MAX);
                self.places.insert(self.key.clone(), i);
                self.order.push(Place {
                    county: h.county.clone(),
                    township: h.township.clone(),
                    village: h.village.clone(),
                });
                i
            }
        };
        let entry = &mut self.entry;
        entry.clear();
        entry.push(status_byte(h.status));
        entry.push(u8::from(h.provisional));
        entry.extend_from_slice(&index.to_le_bytes());
        let size = h
            .household_size
            .map_or(0, |n| n.min(u32::from(u16::MAX)) as u16);
        entry.extend_from_slice(&size.to_le_bytes());
        put_text(entry, &h.household_id);
        put_text(entry, &h.head_name);
        put_text(entry, &h.village_group);
        let search = search_text(h);
        entry.extend_from_slice(&(search.len() as u32).to_le_bytes());
        entry.extend_from_slice(search.as_bytes());
        let io = |e| StoreError::io(list_text(&self.path), e);
        let Some(out) = self.out.as_mut() else {
            return Err(damaged(&self.path, "written after it was finished"));
        };
        out.write_all(&(entry.len() as u32).to_le_bytes())
            .map_err(io)?;
        out.write_all(entry).map_err(io)?;
        self.at += 4 + entry.len() as u64;
        self.count += 1;
        Ok(())
    }

    /// Writes the villages and the trailer and renames the file into place.
    fn finish(mut self) -> Result<(u64, Vec<Place>)> {
        let mut tail = Vec::new();
        tail.extend_from_slice(&(self.order.len() as u32).to_le_bytes());
        for p in &self.order {
            put_text(&mut tail, &p.county);
            put_text(&mut tail, &p.township);
            put_text(&mut tail, &p.village);
        }
        tail.extend_from_slice(&self.count.to_le_bytes());
        tail.extend_from_slice(&self.at.to_le_bytes());
        tail.extend_from_slice(MAGIC);
        let path = self.path.clone();
        let io = |e| StoreError::io(list_text(&path), e);
        let Some(mut out) = self.out.take() else {
            return Err(damaged(&path, "written twice"));
        };
        let written = out
            .write_all(&tail)
            .and_then(|()| out.flush())
            .and_then(|()| {
                drop(out);
                std::fs::rename(&self.temp, &self.path)
            });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&self.temp);
            return Err(io(e));
        }
        Ok((self.count, std::mem::take(&mut self.order)))
    }
}

impl Drop for ListWriter {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// What a bulk load tells the household list (see [`Store::list_before_bulk`]).
#[derive(Default)]
pub(super) struct AfterBulk {
    /// The list was up to date when the load began.
    was_current: bool,
    /// The ids put, while no more than [`MAX_RECENT`]; `None` beyond.
    ids: Option<Vec<Vec<u8>>>,
    /// A load into an empty store that puts households in id order writes the list as it
    /// goes; `None` once one comes out of order (or the store was not empty).
    writer: Option<ListWriter>,
    last: Vec<u8>,
}

impl AfterBulk {
    /// Notes a household put by the load.
    pub(super) fn put(&mut self, h: &Household) {
        let id = h.household_id.as_bytes();
        if self.writer.is_some() {
            let in_order = self.last.is_empty() || id > self.last.as_slice();
            let pushed = in_order && self.writer.as_mut().is_some_and(|w| w.push(h).is_ok());
            if pushed {
                self.last.clear();
                self.last.extend_from_slice(id);
            } else {
                self.writer = None;
            }
        }
        if let Some(ids) = &mut self.ids {
            if ids.len() < MAX_RECENT {
                ids.push(id.to_vec());
            } else {
                self.ids = None;
            }
        }
    }
}

impl Store {
    /// Marks the list out of date before a bulk load (a load cut short leaves it so, and
    /// it is made again when next opened); says whether it was up to date.
    pub(super) fn list_before_bulk(&self) -> Result<AfterBulk> {
        let was_current =
            !self.meta.contains_key(keys::META_LIST_STALE)? && self.work.join(FILE).is_file();
        self.meta.insert(keys::META_LIST_STALE, &[1u8])?;
        let path = self.work.join(FILE);
        let writer = if self.household_count() == 0 {
            ListWriter::create(&path).ok()
        } else {
            None
        };
        Ok(AfterBulk {
            was_current,
            ids: Some(Vec::new()),
            writer,
            last: Vec::new(),
        })
    }

    /// Brings the list up to date after a bulk load that finished: a few households put
    /// into a list that was up to date join the households changed one by one; otherwise
    /// the list file is made again now. The list is derived: if this fails, it stays
    /// marked out of date and is made when next opened.
    pub(super) fn list_after_bulk(&self, mut after: AfterBulk) {
        if let Some(w) = after.writer.take()
            && self.install_list(w).is_ok()
        {
            return;
        }
        let follow = |ids: &[Vec<u8>]| -> Result<bool> {
            if self.list_recent.len() + ids.len() > MAX_RECENT {
                return Ok(false);
            }
            let mut batch = sled::Batch::default();
            for id in ids {
                batch.insert(id.as_slice(), &[]);
            }
            self.list_recent.apply_batch(batch)?;
            self.meta.remove(keys::META_LIST_STALE)?;
            Ok(true)
        };
        let followed = match &after.ids {
            Some(ids) if after.was_current => follow(ids).unwrap_or(false),
            _ => false,
        };
        if !followed {
            let _ = self.make_list(&self.work.join(FILE));
        }
    }

    /// The household list (made again first when it is out of date or missing).
    pub fn household_list(&self) -> Result<ListIndex> {
        let path = self.work.join(FILE);
        let recent_ids: Vec<String> = self
            .list_recent
            .iter()
            .keys()
            .map(|k| k.map(|k| String::from_utf8_lossy(&k).into_owned()))
            .collect::<std::result::Result<_, _>>()?;
        let stale = self.meta.contains_key(keys::META_LIST_STALE)?
            || recent_ids.len() > MAX_RECENT
            || !path.is_file();
        let (entries, villages) = if stale {
            self.make_list(&path)?
        } else {
            match read_index(&path) {
                Ok(v) => v,
                // A damaged list is made again: it is derived.
                Err(_) => self.make_list(&path)?,
            }
        };
        let mut recent = BTreeMap::new();
        if !stale {
            for id in recent_ids {
                let h = self.household(&id)?;
                recent.insert(id, h);
            }
        }
        Ok(ListIndex {
            path,
            villages,
            entries,
            total: self.household_count(),
            recent,
        })
    }

    /// Writes the list file from the blocks, then marks it up to date. On a read-only store
    /// it goes into the private copy.
    fn make_list(&self, path: &Path) -> Result<(u64, Vec<Place>)> {
        let mut w = ListWriter::create(path)?;
        for h in self.households() {
            w.push(&h?)?;
        }
        self.install_list(w)
    }

    /// Puts a written list in place and marks it up to date.
    fn install_list(&self, w: ListWriter) -> Result<(u64, Vec<Place>)> {
        let made = w.finish()?;
        self.list_recent.clear()?;
        self.meta.remove(keys::META_LIST_STALE)?;
        Ok(made)
    }

    /// The status of each household's latest interview (by last change).
    pub fn interview_statuses(&self) -> Result<HashMap<String, InterviewStatus>> {
        let mut latest: HashMap<String, (i64, InterviewStatus)> = HashMap::new();
        for kv in self.results.iter() {
            let (_, v) = kv?;
            let c = crate::interview::compact::decode(&v)
                .map_err(|e| StoreError::corrupt("interview result", e))?;
            let at = c.updated_at().map_or(i64::MIN, |t| t.timestamp_micros());
            let slot = latest
                .entry(c.household_id.to_string())
                .or_insert((i64::MIN, c.status));
            if at >= slot.0 {
                *slot = (at, c.status);
            }
        }
        Ok(latest.into_iter().map(|(k, (_, s))| (k, s)).collect())
    }
}
