//! Checking the store against itself, for `ruhu verify`: household blocks sound (each
//! decodes, its key is its first id, no two overlap, every household reads), the counters
//! right, the interview index, the event log (every event under an interview that exists,
//! each record's event count), and the derived trees (compact results and registry copies)
//! equal to what the records give, the project list and its beneficiary index. And repairing what can be made again from the records
//! and the events. What the answers are worth (the fold of the events, the results) needs
//! the questionnaires: `session::verify` checks that.

use std::collections::{BTreeMap, HashSet};

use uuid::Uuid;

use super::blocks::{Block, MAX_ENTRIES};
use super::{Result, Store, codec, decode, keys};
use crate::i18n::Text;
use crate::interview::{Event, InterviewRecord, compact};
use crate::tr;

/// A problem `ruhu verify` found in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub what: Text,
    /// Whether `--repair` can make it right (from the records and the events).
    pub repairable: bool,
}

impl Problem {
    pub(super) fn fixable(what: Text) -> Problem {
        Problem {
            what,
            repairable: true,
        }
    }

    pub(super) fn lost(what: Text) -> Problem {
        Problem {
            what,
            repairable: false,
        }
    }
}

/// What the store holds, as counted by a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub households: usize,
    pub interviews: usize,
    pub events: usize,
}

fn key_text(k: &[u8]) -> String {
    String::from_utf8_lossy(k).chars().take(40).collect()
}

impl Store {
    /// Checks the store's own consistency (see the module docs). Reads everything once.
    pub fn check_layout(&self) -> Result<(Vec<Problem>, Tally)> {
        let mut problems = Vec::new();
        let mut tally = Tally::default();
        self.check_blocks(&mut problems, &mut tally)?;
        if self.counter(keys::META_HOUSEHOLD_COUNT)? != tally.households as u64 {
            problems.push(Problem::fixable(tr!(
                "农户计数有误（记为 {}，实有 {}）",
                "the household counter is wrong ({} counted, {} stored)",
                self.counter(keys::META_HOUSEHOLD_COUNT)?,
                tally.households
            )));
        }
        // Interviews, their index and events.
        let mut records: BTreeMap<Uuid, InterviewRecord> = BTreeMap::new();
        for kv in self.interviews.iter() {
            let (k, v) = kv?;
            match decode::<InterviewRecord>(String::new, &v) {
                Ok(r) if k[..] == keys::interview(r.interview_id) => {
                    records.insert(r.interview_id, r);
                }
                Ok(r) => problems.push(Problem::lost(tr!(
                    "调查 {} 存在错误的键下",
                    "interview {} is stored under a wrong key",
                    r.interview_id
                ))),
                Err(e) => problems.push(Problem::lost(tr!(
                    "一条调查记录无法读取：{}",
                    "an interview record cannot be read: {}",
                    e
                ))),
            }
        }
        tally.interviews = records.len();
        if self.counter(keys::META_INTERVIEW_COUNT)? != self.interviews.len() as u64 {
            problems.push(Problem::fixable(tr!(
                "调查计数有误",
                "the interview counter is wrong"
            )));
        }
        let mut indexed: HashSet<(String, Uuid)> = HashSet::new();
        for kv in self.by_household.iter() {
            let (k, _) = kv?;
            let entry = keys::household_of(&k).and_then(|h| {
                let id = Uuid::from_slice(&k[h.len() + 1..]).ok()?;
                Some((String::from_utf8_lossy(h).into_owned(), id))
            });
            match entry {
                Some((h, id)) if records.get(&id).is_some_and(|r| r.household_id == h) => {
                    indexed.insert((h, id));
                }
                _ => problems.push(Problem::fixable(tr!(
                    "调查索引中有一项不对应任何调查",
                    "an entry of the interview index matches no interview"
                ))),
            }
        }
        for r in records.values() {
            if !indexed.contains(&(r.household_id.clone(), r.interview_id)) {
                problems.push(Problem::fixable(tr!(
                    "调查 {} 不在索引中",
                    "interview {} is missing from the index",
                    r.interview_id
                )));
            }
        }
        let mut counts: BTreeMap<Uuid, u64> = BTreeMap::new();
        let mut orphans: BTreeMap<Uuid, u64> = BTreeMap::new();
        for kv in self.events.iter() {
            let (k, v) = kv?;
            tally.events += 1;
            let Some((interview, _, event_id)) = keys::parse_event(&k) else {
                problems.push(Problem::lost(tr!(
                    "一条答题记录的键无法读取",
                    "an answer event has a key that cannot be read"
                )));
                continue;
            };
            match decode::<Event>(String::new, &v) {
                Ok(e) if e.interview_id == interview && e.event_id == event_id => {}
                Ok(_) => problems.push(Problem::lost(tr!(
                    "答题记录 {} 存在错误的键下",
                    "answer event {} is stored under a wrong key",
                    event_id
                ))),
                Err(e) => problems.push(Problem::lost(tr!(
                    "答题记录 {} 无法读取：{}",
                    "answer event {} cannot be read: {}",
                    event_id,
                    e
                ))),
            }
            if records.contains_key(&interview) {
                *counts.entry(interview).or_default() += 1;
            } else {
                *orphans.entry(interview).or_default() += 1;
            }
        }
        for (id, n) in &orphans {
            problems.push(Problem::lost(tr!(
                "{} 条答题记录属于不存在的调查 {}（保留，不能还原成调查）",
                "{} answer events belong to interview {}, which is not stored (kept; they cannot be made into an interview)",
                n,
                id
            )));
        }
        for r in records.values() {
            let n = counts.get(&r.interview_id).copied().unwrap_or(0);
            if r.events != n {
                problems.push(Problem::fixable(tr!(
                    "调查 {} 记有 {} 条答题记录，实有 {} 条",
                    "interview {} counts {} answer events, {} are stored",
                    r.interview_id,
                    r.events,
                    n
                )));
            }
        }
        self.check_derived(&records, &mut problems)?;
        self.check_projects(&mut problems)?;
        Ok((problems, tally))
    }

    fn check_blocks(&self, problems: &mut Vec<Problem>, tally: &mut Tally) -> Result<()> {
        let mut last_id: Option<Vec<u8>> = None;
        for kv in self.households.iter() {
            let (k, v) = kv?;
            let block = match Block::decode(&v[..]) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(Problem::lost(tr!(
                        "农户块 {} 已损坏（{}）：其中的农户无法读取，请重新导入建档立卡数据",
                        "household block {} is damaged ({}): its households cannot be read; import the registry again",
                        key_text(&k),
                        e
                    )));
                    continue;
                }
            };
            if block.len() == 0 || block.entry(0).0 != &k[..] {
                problems.push(Problem::lost(tr!(
                    "农户块 {} 的键与其第一户不符",
                    "household block {} is not keyed by its first household",
                    key_text(&k)
                )));
            }
            if block.len() > MAX_ENTRIES {
                problems.push(Problem::lost(tr!(
                    "农户块 {} 有 {} 户，超过 {}",
                    "household block {} holds {} households, more than {}",
                    key_text(&k),
                    block.len(),
                    MAX_ENTRIES
                )));
            }
            if let (Some(last), Some((first, _))) = (&last_id, block.iter().next())
                && first <= last.as_slice()
            {
                problems.push(Problem::lost(tr!(
                    "农户块 {} 与前一块重叠",
                    "household block {} overlaps the one before it",
                    key_text(&k)
                )));
            }
            for (id, payload) in block.iter() {
                if let Err(e) = codec::decode_household(payload) {
                    problems.push(Problem::lost(tr!(
                        "农户 {} 的记录无法读取（{}）：请重新导入建档立卡数据",
                        "household {} cannot be read ({}): import the registry again",
                        key_text(id),
                        e
                    )));
                }
                tally.households += 1;
            }
            last_id = block.iter().last().map(|(id, _)| id.to_vec());
        }
        Ok(())
    }

    /// The compact results and registry copies against the records and households.
    fn check_derived(
        &self,
        records: &BTreeMap<Uuid, InterviewRecord>,
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let mut names = self.lock_names().clone();
        let mut expected: HashSet<Vec<u8>> = HashSet::new();
        let mut wrong = 0usize;
        for r in records.values() {
            let key = keys::by_household(&r.household_id, r.interview_id);
            let want = compact::encode(r, &mut names);
            match self.results.get(&key)? {
                Some(v) if v.as_ref() == want.as_slice() => {}
                _ => wrong += 1,
            }
            expected.insert(key);
        }
        let extra = self
            .results
            .iter()
            .keys()
            .filter(|k| k.as_ref().is_ok_and(|k| !expected.contains(k.as_ref())))
            .count();
        if wrong + extra > 0 {
            problems.push(Problem::fixable(tr!(
                "{} 个调查的核查用结果副本与调查记录不符",
                "the copies of {} interview results kept for reconciliation differ from the records",
                wrong + extra
            )));
        }
        let interviewed: HashSet<&[u8]> = records
            .values()
            .map(|r| r.household_id.as_bytes())
            .collect();
        let mut bad_copies = 0usize;
        for id in &interviewed {
            let copy = self.interviewed.get(id)?;
            let stored = self.household_payload(id)?;
            if copy.as_deref() != stored.as_deref() {
                bad_copies += 1;
            }
        }
        for kv in self.interviewed.iter() {
            let (k, _) = kv?;
            if !interviewed.contains(&k[..]) {
                bad_copies += 1;
            }
        }
        if bad_copies > 0 {
            problems.push(Problem::fixable(tr!(
                "{} 户的建档立卡副本与农户记录不符",
                "the registry copies of {} households differ from the household records",
                bad_copies
            )));
        }
        Ok(())
    }

    /// Makes again what can be made from the records and the events: the interview index,
    /// each record's event count, the counters and the derived trees. Flushed.
    pub fn repair_layout(&self) -> Result<()> {
        self.writable()?;
        self.by_household.clear()?;
        let mut fixed: Vec<InterviewRecord> = Vec::new();
        for kv in self.interviews.iter() {
            let (k, v) = kv?;
            let Ok(r) = decode::<InterviewRecord>(String::new, &v) else {
                continue;
            };
            if k.as_ref() != keys::interview(r.interview_id) {
                continue;
            }
            self.by_household
                .insert(keys::by_household(&r.household_id, r.interview_id), &[])?;
            let n = self
                .events
                .scan_prefix(keys::interview(r.interview_id))
                .count() as u64;
            if n != r.events {
                fixed.push(InterviewRecord { events: n, ..r });
            }
        }
        for r in fixed {
            self.interviews.insert(
                keys::interview(r.interview_id),
                super::encode("interview", &r)?,
            )?;
        }
        self.repair_project_index()?;
        self.meta.insert(keys::META_COUNTS_DIRTY, &[1u8])?;
        self.repair_counts()?;
        self.rebuild_derived()
    }

    /// Writes an interview's record as it should be (answers and result made again from its
    /// events), keeping its events; the derived copies follow. Flushed.
    pub fn rewrite_record(&self, record: &InterviewRecord) -> Result<()> {
        self.record_events(&[], record)
    }
}
