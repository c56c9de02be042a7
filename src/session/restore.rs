//! Restoring a backup: the store reads it and checks what it can judge alone
//! (`store/backup.rs`); here every interview goes through its questionnaire as typed answers
//! do, its result is recomputed rather than taken from the file, and at the end the whole
//! store is verified (answers equal the fold of their events, every event under an interview
//! that exists). Any problem undoes the restore.

use std::io::Read;

use crate::i18n::Text;
use crate::interview::InterviewRecord;
use crate::registry::Household;
use crate::store::{BackupCounts, RestoreChecks, Store};

use super::verify::{context_of, enter, form_of, verify_store};
use super::{Forms, SessionError, Workspace};

/// The checks of a restore, with the questionnaires in use.
struct Checks<'f> {
    forms: &'f Forms,
}

/// How many problems a refused restore names.
const SHOWN: usize = 10;

impl RestoreChecks for Checks<'_> {
    fn interview(
        &mut self,
        mut r: InterviewRecord,
        household: Option<&Household>,
    ) -> Result<InterviewRecord, Text> {
        let form = form_of(self.forms, &r)?;
        let iv = enter(&form, &r.answers, context_of(&r, household))?;
        r.answers = iv.answers().to_json();
        // Recomputed, never taken from the file.
        r.result = iv.result().to_json();
        Ok(r)
    }

    fn whole(&mut self, store: &Store) -> Result<(), Text> {
        let (found, _) = verify_store(self.forms, store).map_err(|e| e.message())?;
        if found.is_sound() {
            return Ok(());
        }
        let n = found.problems.len();
        let list: Vec<&Text> = found.problems.iter().take(SHOWN).map(|p| &p.what).collect();
        let more = |zh: bool| {
            if n > SHOWN {
                if zh {
                    format!("……共 {n} 处")
                } else {
                    format!("... {n} in all")
                }
            } else {
                String::new()
            }
        };
        Err(Text::new(
            format!(
                "{} 处不一致：{}{}",
                n,
                list.iter()
                    .map(|t| t.zh.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
                more(true)
            ),
            format!(
                "{} inconsistencies: {}{}",
                n,
                list.iter()
                    .map(|t| t.en.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                more(false)
            ),
        ))
    }
}

impl Workspace {
    /// Restores a backup into this (empty) data folder, whole or not at all (see the module
    /// docs and [`Store::import_json`]).
    pub fn restore(&self, r: impl Read) -> Result<BackupCounts, SessionError> {
        let mut checks = Checks { forms: &self.forms };
        Ok(self.store.import_json(r, &mut checks)?)
    }
}
