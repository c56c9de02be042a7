//! The household list as a screen pages through it: filtered by village, household kind,
//! interview status and the drawn sample, searched by name, household id or ID number, a
//! page at a time, without the registry in memory. The list reads the store's household
//! list file (`store/list.rs`); what interviews and the sample add (status, in sample) is
//! held here, small (one entry per interviewed or sampled household).

use std::collections::{HashMap, HashSet};

use crate::interview::Status as InterviewStatus;
use crate::questionnaire::Kind;
use crate::store::{ListEntry, ListIndex, ListView, StoreError};

use super::Workspace;

/// Which interviews a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterviewFilter {
    NotStarted,
    InProgress,
    /// Returned by the team lead: waiting for another visit.
    Returned,
    /// Completed or approved.
    Completed,
}

/// What a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only the households of this village (行政村).
    pub village: Option<String>,
    /// Only households of this kind (the registry status).
    pub kind: Option<Kind>,
    pub interview: Option<InterviewFilter>,
    /// Only households of the drawn sample.
    pub sample_only: bool,
    /// Part of the head's or a member's name, of the household id or of an ID number (case
    /// and surrounding spaces do not matter).
    pub search: String,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub entry: ListEntry,
    /// The household's latest interview, if any.
    pub interview: Option<InterviewStatus>,
    pub in_sample: bool,
}

/// One page of the list and how many households the filter shows in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    /// Households the filter shows (all pages).
    pub total: usize,
    /// The place of the page's first row among them.
    pub offset: usize,
}

/// The list of a workspace: the index and the interview and sample facts beside it. Made
/// by [`Workspace::household_list`]; [`HouseholdList::refresh`] after an interview or the
/// sample changes.
pub struct HouseholdList {
    index: ListIndex,
    interviews: HashMap<String, InterviewStatus>,
    sample: HashSet<String>,
}

impl Workspace {
    /// Opens the household list (making the store's list file again first when the
    /// households changed in bulk since it was made: about 4 s per million households).
    pub fn household_list(&self) -> Result<HouseholdList, StoreError> {
        let mut list = HouseholdList {
            index: self.store.household_list()?,
            interviews: HashMap::new(),
            sample: HashSet::new(),
        };
        list.refresh(self)?;
        Ok(list)
    }
}

impl HouseholdList {
    /// Reads the interview statuses and the sample again, and the households changed one by
    /// one since the list was opened (a household entered during a census visit).
    pub fn refresh(&mut self, ws: &Workspace) -> Result<(), StoreError> {
        self.interviews = ws.store.interview_statuses()?;
        self.sample = ws.store.sample_ids()?;
        self.index = ws.store.household_list()?;
        Ok(())
    }

    /// The villages of the registry, sorted.
    pub fn villages(&self) -> Vec<String> {
        self.index.village_names()
    }

    /// Households in the store.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// One page: the rows `offset..offset + limit` of what `filter` shows.
    pub fn page(
        &self,
        filter: &ListFilter,
        offset: usize,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let needle = filter.search.trim().to_lowercase();
        let keep = |e: &ListView<'_>| self.keeps(filter, e);
        let (entries, total) =
            self.index
                .query(filter.village.as_deref(), &needle, &keep, offset, limit)?;
        let rows = entries
            .into_iter()
            .map(|entry| ListRow {
                interview: self.interviews.get(&entry.household_id).copied(),
                in_sample: self.sample.contains(&entry.household_id),
                entry,
            })
            .collect();
        Ok(ListPage {
            rows,
            total,
            offset,
        })
    }

    /// Where a household stands in what `filter` shows (to keep the selection on it).
    pub fn position(
        &self,
        filter: &ListFilter,
        household_id: &str,
    ) -> Result<Option<usize>, StoreError> {
        let needle = filter.search.trim().to_lowercase();
        let keep = |e: &ListView<'_>| self.keeps(filter, e);
        self.index
            .position(filter.village.as_deref(), &needle, &keep, household_id)
    }

    /// The filters the list file cannot judge: kind, interview status, sample.
    fn keeps(&self, filter: &ListFilter, e: &ListView<'_>) -> bool {
        let status = self.interviews.get(e.household_id).copied();
        filter.kind.is_none_or(|k| e.status.kind() == k)
            && (!filter.sample_only || self.sample.contains(e.household_id))
            && filter.interview.is_none_or(|f| match f {
                InterviewFilter::NotStarted => status.is_none(),
                InterviewFilter::InProgress => status == Some(InterviewStatus::InProgress),
                InterviewFilter::Returned => status == Some(InterviewStatus::Returned),
                InterviewFilter::Completed => status.is_some_and(InterviewStatus::is_done),
            })
    }
}
