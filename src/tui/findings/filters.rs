//! What the findings list shows: the filters (mark status, kind, severity, county, township,
//! village, interviewer, a search by the head's name or the household id), the order, and
//! how many of the findings shown are reviewed. Pure: no terminal, no store.

use std::collections::{BTreeMap, HashMap};

use crate::i18n::{Lang, Text};
use crate::reconcile::{Finding, FindingKey, FindingKind, Mark, MarkStatus, Severity};
use crate::tr;

/// The auditors' marks by finding.
pub type Marks = HashMap<FindingKey, Mark>;

/// Which findings by their mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkFilter {
    /// Not reviewed yet (no mark, or the mark was cleared).
    Unmarked,
    Confirmed,
    Dismissed,
}

impl MarkFilter {
    pub const ALL: [MarkFilter; 3] = [
        MarkFilter::Unmarked,
        MarkFilter::Confirmed,
        MarkFilter::Dismissed,
    ];

    pub fn label(self) -> Text {
        match self {
            MarkFilter::Unmarked => tr!("未核查", "not reviewed"),
            MarkFilter::Confirmed => MarkStatus::Confirmed.label(),
            MarkFilter::Dismissed => MarkStatus::Dismissed.label(),
        }
    }

    fn keeps(self, mark: Option<&Mark>) -> bool {
        matches!(
            (self, mark.map(|m| m.status)),
            (MarkFilter::Unmarked, None)
                | (MarkFilter::Confirmed, Some(MarkStatus::Confirmed))
                | (MarkFilter::Dismissed, Some(MarkStatus::Dismissed))
        )
    }
}

/// A village in full: a village's name alone is not unique in a province.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VillagePlace {
    pub county: String,
    pub township: String,
    pub village: String,
}

impl VillagePlace {
    pub fn of(f: &Finding) -> VillagePlace {
        VillagePlace {
            county: f.county.clone(),
            township: f.township.clone(),
            village: f.village.clone(),
        }
    }

    /// `演示县 / 清溪镇 / 清溪村`, the parts there are.
    pub fn text(&self) -> String {
        [&self.county, &self.township, &self.village]
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// A township in full (county, township).
pub type TownshipPlace = (String, String);

/// The filters of the findings list; `None` (or an empty search) keeps every finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub mark: Option<MarkFilter>,
    pub kind: Option<FindingKind>,
    pub severity: Option<Severity>,
    pub county: Option<String>,
    pub township: Option<TownshipPlace>,
    pub village: Option<VillagePlace>,
    pub interviewer: Option<String>,
    /// Part of the household head's name or of the household id.
    pub search: String,
}

impl Filters {
    /// Whether the finding (with its mark) is shown.
    pub fn keeps(&self, f: &Finding, mark: Option<&Mark>) -> bool {
        self.keeps_but_place(f, mark)
            && self.county.as_ref().is_none_or(|c| &f.county == c)
            && self
                .township
                .as_ref()
                .is_none_or(|(c, t)| &f.county == c && &f.township == t)
            && self
                .village
                .as_ref()
                .is_none_or(|v| *v == VillagePlace::of(f))
    }

    /// [`Filters::keeps`] without the place filters (county, township, village): what the
    /// lists of places to pick from count.
    pub fn keeps_but_place(&self, f: &Finding, mark: Option<&Mark>) -> bool {
        self.mark.is_none_or(|m| m.keeps(mark))
            && self.kind.is_none_or(|k| f.kind == k)
            && self.severity.is_none_or(|s| f.severity == s)
            && self
                .interviewer
                .as_ref()
                .is_none_or(|i| &f.interviewer == i)
            && matches_search(f, &self.search)
    }

    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The filters set, for the line above the list (`类别 错退，村 演示县 / 清溪镇 / 清溪村`).
    pub fn describe(&self, lang: Lang) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut add = |name: Text, value: String| {
            parts.push(format!("{} {}", name.get(lang), value));
        };
        if let Some(m) = self.mark {
            add(tr!("核查", "review"), m.label().get(lang).to_string());
        }
        if let Some(k) = self.kind {
            add(tr!("类别", "kind"), k.label().get(lang).to_string());
        }
        if let Some(s) = self.severity {
            add(tr!("程度", "severity"), s.label().get(lang).to_string());
        }
        if let Some(c) = &self.county {
            add(tr!("县", "county"), c.clone());
        }
        if let Some((c, t)) = &self.township {
            add(tr!("乡镇", "township"), format!("{c} / {t}"));
        }
        if let Some(v) = &self.village {
            add(tr!("村", "village"), v.text());
        }
        if let Some(i) = &self.interviewer {
            add(tr!("调查员", "interviewer"), i.clone());
        }
        let search = self.search.trim();
        if !search.is_empty() {
            add(tr!("搜索", "search"), search.to_string());
        }
        parts.join(tr!("，", ", ").get(lang))
    }
}

/// The search matches part of the head's name or of the household id (case does not matter
/// for ids with letters, such as provisional `P-` ids).
fn matches_search(f: &Finding, search: &str) -> bool {
    let s = search.trim();
    if s.is_empty() {
        return true;
    }
    let lower = s.to_lowercase();
    f.head_name.contains(s) || f.household_id.to_lowercase().contains(&lower)
}

/// How the findings list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// County, township, village, household (the order reconciliation gives).
    Place,
    /// By kind in the order of [`FindingKind::ALL`], then place.
    Kind,
    /// Findings before warnings, then place.
    Severity,
}

impl SortBy {
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Place => SortBy::Kind,
            SortBy::Kind => SortBy::Severity,
            SortBy::Severity => SortBy::Place,
        }
    }

    pub fn label(self) -> Text {
        match self {
            SortBy::Place => tr!("地区", "place"),
            SortBy::Kind => tr!("类别", "kind"),
            SortBy::Severity => tr!("程度", "severity"),
        }
    }
}

/// The place of a kind in the sort by kind and in the kind filter: the order of DOMAIN.md
/// and of the rates (错退, 漏评, 错评, 返贫, 信息不符), the same in both languages, so that a
/// list sorted by kind reads as the assessment reports it (not by the kinds' English names).
pub fn kind_rank(k: FindingKind) -> usize {
    FindingKind::ALL
        .iter()
        .position(|x| *x == k)
        .unwrap_or(usize::MAX)
}

/// The indexes into `all` of the findings the filters keep, in the order asked for (ties in
/// the order of `all`, which is by place).
pub fn shown(all: &[Finding], marks: &Marks, filters: &Filters, sort: SortBy) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..all.len())
        .filter(|&i| filters.keeps(&all[i], marks.get(&all[i].key())))
        .collect();
    match sort {
        SortBy::Place => {}
        SortBy::Kind => shown.sort_by_key(|&i| (kind_rank(all[i].kind), i)),
        SortBy::Severity => shown.sort_by_key(|&i| (all[i].severity, i)),
    }
    shown
}

/// How many of the findings shown carry a mark (the line "已核查 x / y").
pub fn reviewed(all: &[Finding], marks: &Marks, shown: &[usize]) -> usize {
    shown
        .iter()
        .filter(|&&i| marks.contains_key(&all[i].key()))
        .count()
}

/// A value to pick, with how many findings it has (under the other filters) and how many of
/// those are not reviewed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted<T> {
    pub value: T,
    pub findings: usize,
    pub unreviewed: usize,
}

/// The villages that have findings (under the filters but the place ones, within the
/// county or township picked), each with its counts, in place order.
pub fn villages(all: &[Finding], marks: &Marks, filters: &Filters) -> Vec<Counted<VillagePlace>> {
    counted(all, marks, filters, |f| {
        let in_county = filters.county.as_ref().is_none_or(|c| &f.county == c);
        let in_township = filters
            .township
            .as_ref()
            .is_none_or(|(c, t)| &f.county == c && &f.township == t);
        (in_county && in_township).then(|| VillagePlace::of(f))
    })
}

/// The townships that have findings (within the county picked), with their counts.
pub fn townships(all: &[Finding], marks: &Marks, filters: &Filters) -> Vec<Counted<TownshipPlace>> {
    counted(all, marks, filters, |f| {
        filters
            .county
            .as_ref()
            .is_none_or(|c| &f.county == c)
            .then(|| (f.county.clone(), f.township.clone()))
    })
}

/// The counties that have findings, with their counts.
pub fn counties(all: &[Finding], marks: &Marks, filters: &Filters) -> Vec<Counted<String>> {
    counted(all, marks, filters, |f| Some(f.county.clone()))
}

/// The interviewers of the findings (under the filters but the interviewer one), with their
/// counts.
pub fn interviewers(all: &[Finding], marks: &Marks, filters: &Filters) -> Vec<Counted<String>> {
    let others = Filters {
        interviewer: None,
        ..filters.clone()
    };
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in all {
        let mark = marks.get(&f.key());
        if others.keeps(f, mark) {
            let e = by.entry(f.interviewer.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(mark.is_none());
        }
    }
    into_counted(by)
}

fn counted<T: Ord>(
    all: &[Finding],
    marks: &Marks,
    filters: &Filters,
    key: impl Fn(&Finding) -> Option<T>,
) -> Vec<Counted<T>> {
    let mut by: BTreeMap<T, (usize, usize)> = BTreeMap::new();
    for f in all {
        let mark = marks.get(&f.key());
        if !filters.keeps_but_place(f, mark) {
            continue;
        }
        if let Some(k) = key(f) {
            let e = by.entry(k).or_default();
            e.0 += 1;
            e.1 += usize::from(mark.is_none());
        }
    }
    into_counted(by)
}

fn into_counted<T>(by: BTreeMap<T, (usize, usize)>) -> Vec<Counted<T>> {
    by.into_iter()
        .map(|(value, (findings, unreviewed))| Counted {
            value,
            findings,
            unreviewed,
        })
        .collect()
}
