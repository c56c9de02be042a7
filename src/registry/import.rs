//! An import run: a registry file streamed row by row through the checks, each good row
//! compared with what is stored (added / changed / unchanged) and handed to a
//! [`HouseholdTarget`], each bad row listed with its line and reason and written to the
//! rejects file. Nothing here knows the store: the store implements the target.
//!
//! - Household file: columns the file lacks keep the stored values; members always stay (they
//!   come from the members file); a missing 村属性 / a remote village comes from the village
//!   records. An id that comes twice is rejected from its second row on (the first row is
//!   imported). Households not in the file are left as they are.
//! - Members file: the rows of a household replace its stored members (rows of one household
//!   need not be together: later rows are added to the first ones).
//! - Village file: read whole (a county has a few hundred villages); the store applies it.
//! - `strict`: a first pass checks every row and writes nothing; only a clean file is then
//!   imported in a second pass.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::i18n::{Lang, Text};
use crate::tr;

use super::columns::{Field, FileKind, Header, HeaderError};
use super::encoding::EncodingChoice;
use super::ids::{IdMap, IdSet};
use super::rejects::RejectsFile;
use super::rows::{self, Reject, cell, check_control, check_garbled, check_width, is_blank, join};
use super::table::{self, Cells, TableInfo, Visitor};
use super::village::{VillageIndex, VillageRecord};
use super::{Household, Member};

/// How a household compares with the stored one of the same id.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Absent,
    /// Stored exactly so.
    Same,
    /// Stored, differently: the stored household.
    Different(Box<Household>),
}

/// Where imported households go: the store, or a map in tests.
pub trait HouseholdTarget {
    /// The stored household with this id.
    fn get(&mut self, id: &str) -> Result<Option<Household>, Text>;
    /// Adds or replaces a household.
    fn put(&mut self, h: Household) -> Result<(), Text>;
    /// Compares `h` with the stored household of its id (a store may answer `Same` without
    /// decoding the stored record).
    fn compare(&mut self, h: &Household) -> Result<Stored, Text> {
        Ok(match self.get(&h.household_id)? {
            None => Stored::Absent,
            Some(s) if s == *h => Stored::Same,
            Some(s) => Stored::Different(Box::new(s)),
        })
    }
}

impl HouseholdTarget for std::collections::BTreeMap<String, Household> {
    fn get(&mut self, id: &str) -> Result<Option<Household>, Text> {
        Ok(std::collections::BTreeMap::get(self, id).cloned())
    }

    fn put(&mut self, h: Household) -> Result<(), Text> {
        self.insert(h.household_id.clone(), h);
        Ok(())
    }
}

/// Which pass a progress report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `--strict`: the first pass, checking only.
    Checking,
    Importing,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub encoding: EncodingChoice,
    /// Import nothing if any row is bad.
    pub strict: bool,
    /// The day ID-number birth dates must not be after.
    pub today: NaiveDate,
    /// Where to write rejected rows (`None`: nowhere).
    pub rejects_file: Option<PathBuf>,
    /// Language of the reasons in the rejects file.
    pub lang: Lang,
}

impl ImportOptions {
    pub fn new(today: NaiveDate) -> ImportOptions {
        ImportOptions {
            encoding: EncodingChoice::Auto,
            strict: false,
            today,
            rejects_file: None,
            lang: Lang::Zh,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Households (members file: households that had no members; village file: village
    /// records) added.
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Rejected rows, by line.
    pub rejected: Vec<Reject>,
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// The line of the header row.
    pub header_line: u64,
    /// Headers that name no field.
    pub ignored_columns: Vec<String>,
    pub table: Option<TableInfo>,
    /// False when `strict` found bad rows and nothing was imported.
    pub imported: bool,
    /// The rejects file, when rows were rejected and one was asked for.
    pub rejects_file: Option<PathBuf>,
    /// Members file: member rows imported.
    pub members: u64,
    /// What the user should know about how the file was read (merged cells filled in).
    pub notices: Vec<Text>,
}

/// The part of a row's handling that depends on the kind of file.
trait Handler {
    /// A data row that passed the width and encoding checks: `Some(reason)` rejects it.
    fn row(&mut self, header: &Header, line: u64, cells: &Cells) -> Result<Option<Text>, Text>;
    /// The end of the file.
    fn finish(&mut self) -> Result<(), Text> {
        Ok(())
    }
    /// Rows rejected later than they were read (members of an unknown household).
    fn late_rejects(&mut self) -> Vec<(u64, Cells, Text)> {
        Vec::new()
    }
}

/// What is common to every kind of file: finding the header, blank, short and garbled rows,
/// the rejects.
struct Run<'a, H> {
    path: &'a Path,
    kind: FileKind,
    header: Option<Header>,
    title_error: Option<HeaderError>,
    titles: u32,
    summary: Summary,
    rejects: Option<RejectsFile>,
    handler: H,
    phase: Phase,
    progress: &'a mut dyn FnMut(Phase, u64, u64),
}

/// How many rows before the header may be titles (one or two cells, e.g. "建档立卡贫困户信息表").
const MAX_TITLE_ROWS: u32 = 5;

impl<H: Handler> Run<'_, H> {
    fn reject(&mut self, line: u64, cells: Option<&Cells>, reason: Text) -> Result<(), Text> {
        if let Some(f) = self.rejects.as_mut() {
            f.write(line, cells, &reason)?;
        }
        self.summary.rejected.push(Reject { line, reason });
        Ok(())
    }

    fn file_error(&self, e: &HeaderError) -> Text {
        let m = e.message();
        Text::new(
            format!("{}：{}", self.path.display(), m.zh),
            format!("{}: {}", self.path.display(), m.en),
        )
    }

    fn take_late_rejects(&mut self) -> Result<(), Text> {
        for (line, cells, reason) in self.handler.late_rejects() {
            self.reject(line, Some(&cells), reason)?;
        }
        Ok(())
    }
}

impl<H: Handler> Visitor for Run<'_, H> {
    fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text> {
        if is_blank(cells) {
            return Ok(());
        }
        let Some(header) = self.header.as_ref() else {
            let names: Vec<String> = cells.iter().map(str::to_string).collect();
            let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
            match Header::map(self.kind, names) {
                Ok(h) => {
                    if let Some(f) = self.rejects.as_mut() {
                        f.set_header(&h.names);
                    }
                    self.summary.header_line = line;
                    self.summary.ignored_columns = h.ignored.clone();
                    self.header = Some(h);
                }
                Err(e @ HeaderError::Missing(_)) if filled <= 2 && self.titles < MAX_TITLE_ROWS => {
                    self.titles += 1;
                    self.title_error = Some(e);
                }
                Err(e) => return Err(self.file_error(&e)),
            }
            return Ok(());
        };
        self.summary.rows += 1;
        let reason = match check_width(header, cells)
            .or_else(|| check_garbled(cells))
            .or_else(|| check_control(cells))
        {
            Some(r) => Some(r),
            None => self.handler.row(header, line, cells)?,
        };
        if let Some(r) = reason {
            self.reject(line, Some(cells), r)?;
        }
        self.take_late_rejects()
    }

    fn unreadable_row(&mut self, line: u64, reason: Text) -> Result<(), Text> {
        if self.header.is_none() {
            return Err(Text::new(
                format!("{}：标题行{}", self.path.display(), reason.zh),
                format!("{}: the header row {}", self.path.display(), reason.en),
            ));
        }
        self.summary.rows += 1;
        self.reject(line, None, reason)
    }

    fn progress(&mut self, done: u64, total: u64) {
        (self.progress)(self.phase, done, total);
    }

    fn notice(&mut self, notice: Text) {
        // `--strict` reads the file twice: say it once.
        if !self.summary.notices.contains(&notice) {
            self.summary.notices.push(notice);
        }
    }
}

/// Reads one file through a handler: the summary of the common part and the handler.
fn run_file<H: Handler>(
    path: &Path,
    opts: &ImportOptions,
    kind: FileKind,
    handler: H,
    rejects: Option<RejectsFile>,
    phase: Phase,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<(Summary, H), Text> {
    let mut run = Run {
        path,
        kind,
        header: None,
        title_error: None,
        titles: 0,
        summary: Summary::default(),
        rejects,
        handler,
        phase,
        progress,
    };
    let info = table::read(path, opts.encoding, &mut run)?;
    if run.header.is_none() {
        let e = run.title_error.take().unwrap_or(HeaderError::Empty);
        return Err(run.file_error(&e));
    }
    run.handler.finish()?;
    run.take_late_rejects()?;
    let mut summary = run.summary;
    summary.table = Some(info);
    summary.rejected.sort_by_key(|r| r.line);
    summary.rejects_file = match run.rejects {
        Some(f) => f.finish()?,
        None => None,
    };
    summary.imported = true;
    Ok((summary, run.handler))
}

fn rejects_file(opts: &ImportOptions) -> Option<RejectsFile> {
    opts.rejects_file
        .clone()
        .map(|p| RejectsFile::new(p, opts.lang))
}

/// Counts of a handler.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    added: u64,
    changed: u64,
    unchanged: u64,
}

/// One pass over the file: `write` (false: check only), the rejects file, the phase.
type Pass<'p, T> = dyn FnMut(
        bool,
        Option<RejectsFile>,
        Phase,
        &mut dyn FnMut(Phase, u64, u64),
    ) -> Result<(Summary, T), Text>
    + 'p;

/// Runs `pass` once, or, strict, a checking pass first and the import only if it is clean.
fn passes<T: Default>(
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Phase, u64, u64),
    pass: &mut Pass<'_, T>,
) -> Result<(Summary, T), Text> {
    if opts.strict {
        let (check, _) = pass(false, rejects_file(opts), Phase::Checking, progress)?;
        if !check.rejected.is_empty() {
            let summary = Summary {
                imported: false,
                ..check
            };
            return Ok((summary, T::default()));
        }
        pass(true, None, Phase::Importing, progress)
    } else {
        pass(true, rejects_file(opts), Phase::Importing, progress)
    }
}

// ---------------------------------------------------------------------------------------
// Households

struct Households<'a> {
    today: NaiveDate,
    villages: &'a VillageIndex,
    target: &'a mut dyn HouseholdTarget,
    write: bool,
    seen: IdSet,
    counts: Counts,
}

/// The household to store: the row's fields, the stored household's for columns the file
/// lacks, the stored members, the village record's attributes where the row has none.
pub fn merge(
    header: &Header,
    mut h: Household,
    stored: Option<&Household>,
    villages: &VillageIndex,
) -> Household {
    if let Some(s) = stored {
        let keep_text = |f: Field, new: &mut String, old: &String| {
            if !header.has(f) {
                new.clone_from(old);
            }
        };
        keep_text(Field::HeadName, &mut h.head_name, &s.head_name);
        keep_text(
            Field::HeadIdNumber,
            &mut h.head_id_number,
            &s.head_id_number,
        );
        keep_text(
            Field::HouseholdType,
            &mut h.household_type,
            &s.household_type,
        );
        keep_text(Field::County, &mut h.county, &s.county);
        keep_text(Field::Township, &mut h.township, &s.township);
        keep_text(Field::Village, &mut h.village, &s.village);
        keep_text(Field::VillageGroup, &mut h.village_group, &s.village_group);
        keep_text(Field::Helper, &mut h.helper, &s.helper);
        if !header.has(Field::HouseholdSize) {
            h.household_size = s.household_size;
        }
        if !header.has(Field::Status) {
            h.status = s.status;
        }
        if !header.has(Field::ExitYear) {
            h.exit_year = s.exit_year;
        }
        if !header.has(Field::IncomePerCapita) {
            h.income_per_capita = s.income_per_capita;
        }
        if !header.has(Field::VillageType) {
            h.village_type = s.village_type;
        }
        if !header.has(Field::Remote) {
            h.remote = s.remote;
        }
        if !header.has(Field::Edge) {
            h.edge = s.edge;
        }
        h.members.clone_from(&s.members);
    }
    h.provisional = false;
    h.demo = false;
    if !villages.is_empty()
        && let Some(r) = villages.find(&h)
    {
        if h.village_type.is_none() {
            h.village_type = r.village_type;
        }
        if r.remote == Some(true) {
            h.remote = true;
        }
    }
    h
}

impl Handler for Households<'_> {
    fn row(&mut self, header: &Header, line: u64, cells: &Cells) -> Result<Option<Text>, Text> {
        let id = cell(header, cells, Field::HouseholdId).unwrap_or("");
        let mut reasons = Vec::new();
        if !id.is_empty()
            && let Some(first) = self.seen.first_seen(id, line)
        {
            reasons.push(tr!(
                "户编号 {} 在文件中重复（第 {} 行已有）",
                "household id {} twice in the file (first on line {})",
                id,
                first
            ));
        }
        let new = match rows::household(header, line, cells, self.today) {
            Err(r) => {
                reasons.push(r.reason);
                return Ok(Some(join(&reasons)));
            }
            Ok(_) if !reasons.is_empty() => return Ok(Some(join(&reasons))),
            Ok(h) => h,
        };
        // First as if nothing were stored: most rows of a new or an unchanged file stop here.
        let candidate = merge(header, new, None, self.villages);
        let merged = match self.target.compare(&candidate)? {
            Stored::Same => {
                self.counts.unchanged += 1;
                return Ok(None);
            }
            Stored::Absent => {
                if !header.has(Field::Status) {
                    return Ok(Some(tr!(
                        "文件没有脱贫状态列，库中也没有这一户：无法确定其状态",
                        "the file has no status column and the household is not stored: its status is unknown"
                    )));
                }
                self.counts.added += 1;
                candidate
            }
            Stored::Different(stored) => {
                let merged = merge(header, candidate, Some(&stored), self.villages);
                if merged == *stored {
                    self.counts.unchanged += 1;
                    return Ok(None);
                }
                self.counts.changed += 1;
                merged
            }
        };
        if self.write {
            self.target.put(merged)?;
        }
        Ok(None)
    }
}

/// Imports a household file.
pub fn import_households(
    path: &Path,
    opts: &ImportOptions,
    villages: &VillageIndex,
    target: &mut dyn HouseholdTarget,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<Summary, Text> {
    let (mut summary, counts) = passes(opts, progress, &mut |write, rejects, phase, progress| {
        let handler = Households {
            today: opts.today,
            villages,
            target: &mut *target,
            write,
            seen: IdSet::new(),
            counts: Counts::default(),
        };
        let (s, h) = run_file(
            path,
            opts,
            FileKind::Households,
            handler,
            rejects,
            phase,
            progress,
        )?;
        Ok((s, h.counts))
    })?;
    summary.added = counts.added;
    summary.changed = counts.changed;
    summary.unchanged = counts.unchanged;
    Ok(summary)
}

// ---------------------------------------------------------------------------------------
// Members

/// What the first rows of a household found: the stored members' fingerprint and what was
/// counted then.
#[derive(Debug, Clone, Copy)]
struct Touched {
    before: u64,
    counted: Class,
    again: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Added,
    Changed,
    Unchanged,
}

fn fingerprint(members: &[Member]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    members.len().hash(&mut h);
    for m in members {
        (&m.name, &m.id_number, &m.relation, &m.sex, m.age).hash(&mut h);
    }
    h.finish()
}

fn classify(before: &[Member], after: &[Member]) -> Class {
    if before == after {
        Class::Unchanged
    } else if before.is_empty() {
        Class::Added
    } else {
        Class::Changed
    }
}

struct Group {
    id: String,
    members: Vec<Member>,
    rows: Vec<(u64, Cells)>,
}

struct Members<'a> {
    today: NaiveDate,
    target: &'a mut dyn HouseholdTarget,
    write: bool,
    group: Option<Group>,
    touched: IdMap<Touched>,
    again: Vec<String>,
    counts: Counts,
    members: u64,
    late: Vec<(u64, Cells, Text)>,
}

impl Members<'_> {
    fn count(&mut self, class: Class, delta: i64) {
        let slot = match class {
            Class::Added => &mut self.counts.added,
            Class::Changed => &mut self.counts.changed,
            Class::Unchanged => &mut self.counts.unchanged,
        };
        *slot = slot.saturating_add_signed(delta);
    }

    fn flush(&mut self) -> Result<(), Text> {
        let Some(group) = self.group.take() else {
            return Ok(());
        };
        let Some(mut h) = self.target.get(&group.id)? else {
            for (line, cells) in group.rows {
                self.late.push((
                    line,
                    cells,
                    tr!(
                        "户编号 {} 不在库中：请先导入农户文件",
                        "household id {} is not stored: import the household file first",
                        group.id
                    ),
                ));
            }
            return Ok(());
        };
        self.members += group.members.len() as u64;
        let after = match self.touched.get_mut(&group.id) {
            None => {
                let class = classify(&h.members, &group.members);
                self.touched.insert_new(
                    &group.id,
                    Touched {
                        before: fingerprint(&h.members),
                        counted: class,
                        again: false,
                    },
                );
                self.count(class, 1);
                group.members
            }
            Some(t) => {
                if !t.again {
                    t.again = true;
                    self.again.push(group.id.clone());
                }
                let mut all = std::mem::take(&mut h.members);
                all.extend(group.members);
                all
            }
        };
        if h.members != after {
            h.members = after;
            if self.write {
                self.target.put(h)?;
            }
        }
        Ok(())
    }
}

impl Handler for Members<'_> {
    fn row(&mut self, header: &Header, line: u64, cells: &Cells) -> Result<Option<Text>, Text> {
        let (id, member) = match rows::member(header, line, cells, self.today) {
            Ok(x) => x,
            Err(r) => return Ok(Some(r.reason)),
        };
        if self.group.as_ref().is_some_and(|g| g.id != id) {
            self.flush()?;
        }
        let group = self.group.get_or_insert_with(|| Group {
            id,
            members: Vec::new(),
            rows: Vec::new(),
        });
        if !member.id_number.is_empty()
            && group
                .members
                .iter()
                .any(|m| m.id_number == member.id_number)
        {
            return Ok(Some(tr!(
                "证件号码 {} 在本户中已列出",
                "ID number {} is already listed in this household",
                member.id_number
            )));
        }
        group.members.push(member);
        group.rows.push((line, cells.clone()));
        Ok(None)
    }

    fn finish(&mut self) -> Result<(), Text> {
        self.flush()?;
        // Households whose rows were not together: count them by their final members.
        for id in std::mem::take(&mut self.again) {
            let Some(t) = self.touched.get(&id).copied() else {
                continue;
            };
            let Some(h) = self.target.get(&id)? else {
                continue;
            };
            let now = if fingerprint(&h.members) == t.before {
                Class::Unchanged
            } else if t.counted == Class::Added {
                Class::Added
            } else {
                Class::Changed
            };
            self.count(t.counted, -1);
            self.count(now, 1);
        }
        Ok(())
    }

    fn late_rejects(&mut self) -> Vec<(u64, Cells, Text)> {
        std::mem::take(&mut self.late)
    }
}

/// Imports a members file (the households must be stored already).
pub fn import_members(
    path: &Path,
    opts: &ImportOptions,
    target: &mut dyn HouseholdTarget,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<Summary, Text> {
    let (mut summary, (counts, members)) =
        passes(opts, progress, &mut |write, rejects, phase, progress| {
            let handler = Members {
                today: opts.today,
                target: &mut *target,
                write,
                group: None,
                touched: IdMap::new(),
                again: Vec::new(),
                counts: Counts::default(),
                members: 0,
                late: Vec::new(),
            };
            let (s, h) = run_file(
                path,
                opts,
                FileKind::Members,
                handler,
                rejects,
                phase,
                progress,
            )?;
            Ok((s, (h.counts, h.members)))
        })?;
    summary.added = counts.added;
    summary.changed = counts.changed;
    summary.unchanged = counts.unchanged;
    summary.members = members;
    Ok(summary)
}

// ---------------------------------------------------------------------------------------
// Villages

#[derive(Default)]
struct Villages {
    seen: HashMap<(String, String, String), u64>,
    records: Vec<VillageRecord>,
}

impl Handler for Villages {
    fn row(&mut self, header: &Header, line: u64, cells: &Cells) -> Result<Option<Text>, Text> {
        let r = match rows::village(header, line, cells) {
            Ok(r) => r,
            Err(r) => return Ok(Some(r.reason)),
        };
        let key = (r.county.clone(), r.township.clone(), r.village.clone());
        if let Some(first) = self.seen.get(&key) {
            return Ok(Some(tr!(
                "村 {} 在文件中重复（第 {} 行已有）",
                "village {} twice in the file (first on line {})",
                r.village,
                first
            )));
        }
        self.seen.insert(key, line);
        self.records.push(r);
        Ok(None)
    }
}

/// Reads a village file: its records (empty when `strict` found bad rows) and the summary
/// of the reading (the counts are for the store to fill in).
pub fn read_villages(
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<(Vec<VillageRecord>, Summary), Text> {
    let (mut summary, v) = run_file(
        path,
        opts,
        FileKind::Villages,
        Villages::default(),
        rejects_file(opts),
        Phase::Importing,
        progress,
    )?;
    if opts.strict && !summary.rejected.is_empty() {
        summary.imported = false;
        return Ok((Vec::new(), summary));
    }
    Ok((v.records, summary))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Write;

    use super::*;
    use crate::registry::{Status, VillageType};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 6, 1).unwrap()
    }

    fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p
    }

    fn run(path: &Path, opts: &ImportOptions, store: &mut BTreeMap<String, Household>) -> Summary {
        import_households(
            path,
            opts,
            &VillageIndex::default(),
            store,
            &mut |_, _, _| {},
        )
        .unwrap()
    }

    #[test]
    fn title_rows_blank_rows_trailing_commas_and_multiline_cells() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "t.csv",
            "大姚县建档立卡户,,\n\n户编号,户主姓名,脱贫状态\n1,\"张\n三\",未脱贫,\n,,\n2,李四,坏\n3,王五,0\n"
                .as_bytes(),
        );
        let mut store = BTreeMap::new();
        let s = run(&p, &ImportOptions::new(today()), &mut store);
        assert_eq!(s.header_line, 3);
        assert_eq!((s.added, s.rows), (2, 3));
        assert_eq!(s.rejected.len(), 1);
        // the record of line 4 spans two lines: the next one starts on line 6 (after a blank)
        assert_eq!(s.rejected[0].line, 7);
        assert_eq!(store["1"].head_name, "张\n三");
    }

    #[test]
    fn absent_columns_keep_stored_values_and_members() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = BTreeMap::new();
        let mut h = Household::provisional("7".into(), "赵六".into(), "桂花村".into());
        h.provisional = false;
        h.status = Status::Exited;
        h.exit_year = Some(2016);
        h.members = vec![Member {
            name: "赵六".into(),
            ..Member::default()
        }];
        store.insert("7".to_string(), h.clone());
        let p = file(&dir, "h.csv", "户编号,帮扶责任人\n7,李新\n".as_bytes());
        let s = run(&p, &ImportOptions::new(today()), &mut store);
        assert_eq!((s.added, s.changed, s.unchanged), (0, 1, 0));
        let now = &store["7"];
        assert_eq!(now.helper, "李新");
        assert_eq!(now.status, Status::Exited);
        assert_eq!(now.exit_year, Some(2016));
        assert_eq!(now.village, "桂花村");
        assert_eq!(now.members.len(), 1);
        let s = run(&p, &ImportOptions::new(today()), &mut store);
        assert_eq!((s.added, s.changed, s.unchanged), (0, 0, 1));
    }

    #[test]
    fn village_records_fill_what_the_row_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "v.csv",
            "户编号,脱贫状态,行政村,村属性\n1,0,桂花村,\n2,0,桂花村,贫困村\n".as_bytes(),
        );
        let villages = VillageIndex::new([VillageRecord {
            county: String::new(),
            township: String::new(),
            village: "桂花村".into(),
            village_type: Some(VillageType::Exited),
            remote: Some(true),
        }]);
        let mut store = BTreeMap::new();
        import_households(
            &p,
            &ImportOptions::new(today()),
            &villages,
            &mut store,
            &mut |_, _, _| {},
        )
        .unwrap();
        assert_eq!(store["1"].village_type, Some(VillageType::Exited));
        assert_eq!(store["2"].village_type, Some(VillageType::Poor));
        assert!(store["1"].remote && store["2"].remote);
    }

    #[test]
    fn strict_writes_nothing_and_reports_every_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "s.csv",
            "户编号,脱贫状态\n1,0\n2,9\n3,1\n,0\n".as_bytes(),
        );
        let mut store = BTreeMap::new();
        let opts = ImportOptions {
            strict: true,
            ..ImportOptions::new(today())
        };
        let s = run(&p, &opts, &mut store);
        assert!(!s.imported);
        assert!(store.is_empty());
        let lines: Vec<u64> = s.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 5]);
        let ok = file(&dir, "ok.csv", "户编号,脱贫状态\n1,0\n".as_bytes());
        let s = run(&ok, &opts, &mut store);
        assert!(s.imported);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_row_that_is_not_utf8_is_rejected_in_a_utf8_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = "\u{feff}户编号,户主姓名,脱贫状态\r\n1,张三,0\r\n"
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(b"2,");
        bytes.extend_from_slice(&encoding_rs::GBK.encode("李四").0);
        bytes.extend_from_slice(",0\r\n3,王五,0\r\n".as_bytes());
        let p = file(&dir, "mixed.csv", &bytes);
        let mut store = BTreeMap::new();
        let s = run(&p, &ImportOptions::new(today()), &mut store);
        assert_eq!(s.added, 2);
        assert_eq!(s.rejected.len(), 1);
        assert_eq!(s.rejected[0].line, 3);
        assert!(s.rejected[0].reason.zh.contains("UTF-8"));
    }

    #[test]
    fn progress_reaches_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "p.csv", "户编号,脱贫状态\n1,0\n".as_bytes());
        let mut last = (0, 0);
        import_households(
            &p,
            &ImportOptions::new(today()),
            &VillageIndex::default(),
            &mut BTreeMap::new(),
            &mut |_, done, total| last = (done, total),
        )
        .unwrap();
        assert!(last.1 > 0 && last.0 == last.1, "{last:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_files_never_panic(
            head in proptest::sample::select(vec![
                "户编号,户主姓名,证件号码,家庭人口数,脱贫状态,人均纯收入\n",
                "aac001;aar010;aac017\n",
                "",
            ]),
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            ext in proptest::sample::select(vec!["csv", "xlsx"]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = head.as_bytes().to_vec();
            bytes.extend_from_slice(&body);
            let p = file(&dir, &format!("f.{ext}"), &bytes);
            let mut store = BTreeMap::new();
            let _ = import_households(
                &p,
                &ImportOptions::new(today()),
                &VillageIndex::default(),
                &mut store,
                &mut |_, _, _| {},
            );
            let _ = import_members(&p, &ImportOptions::new(today()), &mut store, &mut |_, _, _| {});
            let _ = read_villages(&p, &ImportOptions::new(today()), &mut |_, _, _| {});
        }
    }
}
