//! The workspace's door to the data folder: what the command line and the terminal UI read
//! and write, as operations of the workspace (its store is private to the session). Most
//! are the store's own; the registry imports also keep the store's "unfinished" marker.

use std::io::Write;
use std::path::Path;

use crate::i18n::Text;
use crate::interview::InterviewRecord;
use crate::reconcile::{FindingKey, Mark};
use crate::registry::{
    Household, HouseholdTarget, ImportOptions, Phase, Summary, Village, VillageIndex,
    VillageRecord, import_households, import_members, read_villages,
};
use crate::sample::Sample;
use crate::store::{BackupCounts, StoreError, Unfinished};

use super::{SessionError, Workspace};

/// Which registry file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryFile {
    Households,
    Members,
    Villages,
}

impl RegistryFile {
    /// The command, as the "unfinished" marker names it.
    pub fn command(self) -> &'static str {
        match self {
            RegistryFile::Households => "registry import",
            RegistryFile::Members => "registry import-members",
            RegistryFile::Villages => "registry import-villages",
        }
    }
}

/// What a registry import did: the file's summary, and for a village file how many
/// households took the village records' attributes.
#[derive(Debug, Clone)]
pub struct Imported {
    pub summary: Summary,
    pub households_updated: Option<u64>,
}

impl Workspace {
    /// The data folder.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// True when the data folder could not be written and was opened for reading.
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    /// The bundle import cut short that opening undid, if any.
    pub fn undid_import(&self) -> Option<&crate::store::Unfinished> {
        self.store.undid_import()
    }

    /// True when opening undid a restore that had been cut short.
    pub fn undid_restore(&self) -> bool {
        self.store.undid_restore()
    }

    /// The import that began and did not finish, if any.
    pub fn unfinished(&self) -> Result<Option<Unfinished>, StoreError> {
        self.store.unfinished()
    }

    /// Makes every write so far durable (and notices a vanished data folder).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.store.flush()
    }

    /// Every household, in id order, read a block at a time.
    pub fn households(&self) -> impl Iterator<Item = Result<Household, StoreError>> {
        self.store.households()
    }

    /// One household, if stored.
    pub fn find_household(&self, id: &str) -> Result<Option<Household>, StoreError> {
        self.store.household(id)
    }

    /// How many households are stored (no scan).
    pub fn household_count(&self) -> usize {
        self.store.household_count()
    }

    /// How many interviews are held aside for a questionnaire this store lacks.
    pub fn held_count(&self) -> Result<usize, StoreError> {
        Ok(self.store.held()?.len())
    }

    /// How far the interviews have got with the stored sample (`None`: no sample drawn).
    pub fn coverage(&self) -> Result<Option<crate::sample::coverage::Coverage>, StoreError> {
        let Some(sample) = self.store.sample()? else {
            return Ok(None);
        };
        let visits: Vec<crate::sample::coverage::Visit> = self
            .store
            .interview_visits()
            .map(|r| {
                r.map(|r| crate::sample::coverage::Visit {
                    household_id: r.household_id,
                    interviewer: r.interviewer,
                    status: r.status,
                    updated_at: r.updated_at,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(crate::sample::coverage::coverage(
            &sample.entries,
            &visits,
        )))
    }

    /// Closes the store and opens it again: after a bulk load this is where sled replays
    /// what the load logged (about 0.4 s for 1,000,000 households), so that the next start
    /// (a cadre opening the screen) does not.
    pub fn settle(self) -> Result<Workspace, SessionError> {
        let Workspace { store, forms } = self;
        Ok(Workspace {
            store: store.reopen()?,
            forms,
        })
    }

    /// Stores households (the demo county), in bulk; how many.
    pub fn load_households<I: IntoIterator<Item = Household>>(
        &self,
        households: I,
    ) -> Result<usize, StoreError> {
        self.store.put_households(households)
    }

    /// Villages with their attributes and counts.
    pub fn villages(&self) -> Result<Vec<Village>, StoreError> {
        self.store.villages()
    }

    /// The records of the village file.
    pub fn village_records(&self) -> Result<Vec<VillageRecord>, StoreError> {
        self.store.village_records()
    }

    /// One interview's record.
    pub fn interview(&self, id: uuid::Uuid) -> Result<Option<InterviewRecord>, StoreError> {
        self.store.interview(id)
    }

    /// Every interview's record without its raw answers (results only), for lists.
    pub fn interview_results(
        &self,
    ) -> impl Iterator<Item = Result<InterviewRecord, StoreError>> + use<'_> {
        self.store.interview_results()
    }

    /// The auditors' marks, by finding.
    pub fn marks(&self) -> Result<std::collections::HashMap<FindingKey, Mark>, StoreError> {
        self.store.marks()
    }

    /// Stores an auditor's mark, flushed; the finding's history keeps it.
    pub fn put_mark(&self, mark: &Mark) -> Result<(), StoreError> {
        self.store.put_mark(mark)
    }

    /// Clears a finding's mark (the history records who and when), flushed; `false` when
    /// the finding had no mark.
    pub fn clear_mark(&self, finding: &FindingKey, by: &str) -> Result<bool, StoreError> {
        self.store.clear_mark(finding, by, super::now())
    }

    /// The history of a finding's mark, oldest first.
    pub fn mark_history(
        &self,
        finding: &FindingKey,
    ) -> Result<Vec<crate::reconcile::MarkRecord>, StoreError> {
        self.store.mark_history(finding)
    }

    /// The auditor's name kept on this laptop (asked once, then given with every mark).
    pub fn auditor(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .store
            .setting(AUDITOR_SETTING)?
            .and_then(|v| v.as_str().map(str::trim).map(str::to_string))
            .filter(|s| !s.is_empty()))
    }

    /// Keeps the auditor's name, flushed.
    pub fn set_auditor(&self, name: &str) -> Result<(), StoreError> {
        self.store
            .set_setting(AUDITOR_SETTING, &serde_json::Value::from(name.trim()))
    }

    /// The drawn sample, if any.
    pub fn sample(&self) -> Result<Option<Sample>, StoreError> {
        self.store.sample()
    }

    /// The household ids of the drawn sample.
    pub fn sample_ids(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        self.store.sample_ids()
    }

    /// Stores a drawn sample in place of the one before, flushed.
    pub fn put_sample(&self, sample: &Sample) -> Result<(), StoreError> {
        self.store.put_sample(sample)
    }

    /// A setting of the data folder (`sample_plan`).
    pub fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        self.store.setting(key)
    }

    /// Writes the whole store as a backup (see `store/backup.rs`).
    pub fn backup(&self, w: impl Write) -> Result<BackupCounts, StoreError> {
        self.store.export_json(w)
    }

    /// Imports a registry file: households and members in bulk, village records and their
    /// attributes onto the households. The import is marked unfinished until it ends (see
    /// `store/operation.rs`). A file that cannot be read gives its message.
    pub fn import_registry(
        &self,
        kind: RegistryFile,
        path: &Path,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(Phase, u64, u64),
    ) -> Result<Result<Imported, Text>, SessionError> {
        let file = std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string();
        self.store.begin_operation(&Unfinished {
            operation: kind.command().into(),
            file: file.clone(),
            started_at: super::now().to_rfc3339(),
        })?;
        let mut households_updated = None;
        let result = match kind {
            RegistryFile::Households => {
                let villages = VillageIndex::new(self.store.village_records()?);
                let (result, _) = self.store.bulk_households(|target| {
                    // The import rejects an id that comes twice, so it never reads back what
                    // it put: an unsorted file may go through sorted runs on disk.
                    target.allow_spill();
                    import_households(
                        path,
                        opts,
                        &villages,
                        target as &mut dyn HouseholdTarget,
                        progress,
                    )
                })?;
                result
            }
            RegistryFile::Members => {
                let (result, _) = self
                    .store
                    .bulk_households(|target| import_members(path, opts, target, progress))?;
                result
            }
            RegistryFile::Villages => match read_villages(path, opts, progress) {
                Ok((records, mut summary)) => {
                    if summary.imported {
                        let counts = self.store.put_village_records(&records)?;
                        households_updated = Some(self.store.apply_village_records(&records)?);
                        summary.added = counts.added;
                        summary.changed = counts.changed;
                        summary.unchanged = counts.unchanged;
                    }
                    Ok(summary)
                }
                Err(e) => Err(e),
            },
        };
        if result.is_ok() {
            self.store.end_operation(kind.command(), &file)?;
        }
        Ok(result.map(|summary| Imported {
            summary,
            households_updated,
        }))
    }
}

/// The store setting that keeps the auditor's name.
pub const AUDITOR_SETTING: &str = "auditor";
