//! What every screen shares: the workspace, the rules in use, the language, the store's
//! trouble and what was not saved, the counts of the home screen and the message line.
//! Screens reach the store only through the workspace's operations.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::i18n::{Lang, Text};
use crate::reconcile::{Reconciler, RuleError};
use crate::session::{SessionError, Workspace};
use crate::store::StoreError;
use crate::tr;

/// Counts shown on the home screen.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub households: usize,
    pub in_sample: usize,
    pub in_progress: usize,
    pub completed: usize,
    /// Interviews returned by the team lead, waiting for another visit.
    pub returned: usize,
    pub demo: bool,
    /// Why some of the counts could not be read (shown, never a silent zero).
    pub error: Option<Text>,
}

/// Save state shown in the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Idle,
    Saved(DateTime<FixedOffset>),
    Failed(Text),
}

/// Why the store takes no writes now: a banner on every screen says so, and what would write
/// is refused up front with that reason instead of failing on each save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreTrouble {
    /// Opened from a folder that cannot be written (a write-protected stick): looking only.
    ReadOnly,
    /// The data folder was deleted or moved while in use: nothing entered since is saved.
    Vanished,
}

/// What did not get saved in this run (reported when the program ends, see [`Outcome`]).
#[derive(Debug, Clone, Default)]
pub struct Unsaved {
    /// Answers whose last save failed or was refused, as (interview, row/question); an answer
    /// saved later leaves the set again.
    pub(super) answers: BTreeSet<(Uuid, String)>,
    /// Writes that failed or were refused (answers, completions, households, auditors' marks).
    pub(super) failures: usize,
    pub(super) last_error: Option<Text>,
}

/// How a run of the terminal UI ended: what was not saved. The caller prints
/// [`Outcome::warning`] once the terminal is restored and exits with 1 when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Answers entered and not saved.
    pub unsaved_answers: usize,
    /// Writes that failed or were refused.
    pub failed_saves: usize,
    /// Why the last one failed.
    pub last_error: Option<Text>,
}

impl Outcome {
    /// True when everything entered was saved.
    pub fn is_clean(&self) -> bool {
        self.unsaved_answers == 0 && self.failed_saves == 0
    }

    /// The warning for standard error (without the `ruhu: ` prefix), when something was not
    /// saved.
    pub fn warning(&self) -> Option<Text> {
        if self.is_clean() {
            return None;
        }
        let why = self
            .last_error
            .clone()
            .unwrap_or_else(|| tr!("原因不明", "reason unknown"));
        let (n, m) = (self.unsaved_answers, self.failed_saves);
        Some(if n > 0 {
            Text::new(
                format!(
                    "有 {n} 个答案没有保存：{}。请检查数据文件夹（或从备份恢复），再打开这些调查重新输入。",
                    why.zh
                ),
                format!(
                    "{n} answer(s) were NOT saved: {}. Check the data folder (or restore a backup), then open those interviews and enter them again.",
                    why.en
                ),
            )
        } else {
            Text::new(
                format!(
                    "有 {m} 次保存失败：{}。请检查数据文件夹和最后输入的调查。",
                    why.zh
                ),
                format!(
                    "{m} save(s) failed: {}. Check the data folder and the interviews entered last.",
                    why.en
                ),
            )
        })
    }
}

/// The services and state every screen shares.
pub struct Ctx {
    pub ws: Workspace,
    /// The rules and settings in use, or every problem of a broken rules or settings file
    /// (shown where findings would be).
    pub reconciler: Result<Reconciler, Vec<RuleError>>,
    pub lang: Lang,
    pub interviewer: String,
    /// The message line: a text and whether it is an error.
    pub flash: Option<(Text, bool)>,
    pub counts: Counts,
    /// Why the store takes no writes, when it does not (shown as a banner).
    pub trouble: Option<StoreTrouble>,
    /// What was not saved in this run.
    pub unsaved: Unsaved,
    /// Show ID numbers in full (`--show-ids`); masked everywhere but the field being edited
    /// otherwise.
    pub show_ids: bool,
    /// The auditor's name recorded with marks: the one given to the app (`App::with_auditor`,
    /// for a command-line flag), else the one kept in the store, else asked before the first
    /// mark.
    pub auditor: Option<String>,
    /// Where the findings list was when it was left (filters, sort, selection, scroll).
    pub(super) findings_view: Option<super::findings::View>,
    /// The rates screen's switches when it was left.
    pub(super) rates_view: Option<super::rates::View>,
}

impl Ctx {
    pub fn new(ws: Workspace, lang: Lang, interviewer: String) -> Ctx {
        let reconciler = ws.reconciler();
        let trouble = ws.is_read_only().then_some(StoreTrouble::ReadOnly);
        let mut ctx = Ctx {
            ws,
            reconciler,
            lang,
            interviewer,
            flash: None,
            counts: Counts::default(),
            trouble,
            unsaved: Unsaved::default(),
            show_ids: false,
            auditor: None,
            findings_view: None,
            rates_view: None,
        };
        ctx.refresh_counts();
        ctx
    }

    /// Counts the households, the sample and the interviews again (the home screen).
    pub fn refresh_counts(&mut self) {
        let mut c = Counts {
            households: self.ws.household_count(),
            ..Counts::default()
        };
        match self.ws.sample_ids() {
            Ok(s) => c.in_sample = s.len(),
            Err(e) => c.error = Some(e.message()),
        }
        for r in self.ws.interview_results() {
            match r {
                Ok(r) => match r.status {
                    s if s.is_done() => c.completed += 1,
                    crate::interview::Status::Returned => c.returned += 1,
                    _ => c.in_progress += 1,
                },
                Err(e) => {
                    c.error.get_or_insert(e.message());
                }
            }
        }
        c.demo = self
            .ws
            .households()
            .next()
            .and_then(Result::ok)
            .is_some_and(|h| h.demo);
        self.counts = c;
    }

    /// Shows a message on the message line.
    pub fn say(&mut self, t: Text) {
        self.flash = Some((t, false));
    }

    /// Shows an error on the message line.
    pub fn flash_error(&mut self, t: Text) {
        self.flash = Some((t, true));
    }

    /// The auditors' marks, or `None` with the failure flashed (for a screen that opens
    /// on them).
    pub fn marks(&mut self) -> Option<crate::reconcile::export::Marks> {
        match self.ws.marks() {
            Ok(m) => Some(m),
            Err(e) => {
                let t = tr!(
                    "读不出核查标记：{}",
                    "the marks cannot be read: {}",
                    e.message().get(self.lang)
                );
                self.flash_error(t);
                None
            }
        }
    }

    /// The banner about the store's trouble, shown on every screen while there is one.
    pub fn banner(&self) -> Option<Text> {
        let path = self.ws.path().display();
        Some(match self.trouble? {
            StoreTrouble::ReadOnly => tr!(
                "只读：数据文件夹 {} 不能写入，可以查看，不能保存（不能载入演示数据、登记农户或进行调查）",
                "read-only: the data folder {} cannot be written; you can look, not save (no demo data, new households or interviews)",
                path
            ),
            StoreTrouble::Vanished => tr!(
                "数据文件夹 {} 在使用中被删除或移走了：此后输入的答案都没有保存，也不能再保存。请按 Ctrl+C 退出，检查数据文件夹，或用 ruhu restore 从备份恢复。",
                "the data folder {} was deleted or moved while in use: answers entered since are NOT saved and cannot be. Press Ctrl+C to quit, check the folder, or restore a backup (ruhu restore).",
                path
            ),
        })
    }

    /// Why `what` (a write) is refused up front, when the store takes no writes.
    pub fn refusal(&self, what: Text) -> Option<Text> {
        Some(match self.trouble? {
            StoreTrouble::ReadOnly => Text::new(
                format!("只读：数据文件夹不能写入，不能{}", what.zh),
                format!(
                    "read-only: the data folder cannot be written, so you cannot {}",
                    what.en
                ),
            ),
            StoreTrouble::Vanished => Text::new(
                format!("数据文件夹已被删除或移走，不能再{}", what.zh),
                format!(
                    "the data folder was deleted or moved: you can no longer {}",
                    what.en
                ),
            ),
        })
    }

    /// Refuses `what` with a message when the store takes no writes; true when refused.
    pub fn refused(&mut self, what: Text) -> bool {
        match self.refusal(what) {
            Some(why) => {
                self.flash_error(why);
                true
            }
            None => false,
        }
    }

    /// Counts a failed write and learns from it (a vanished folder or a read-only store takes
    /// no more writes); returns the message.
    pub fn note_failure(&mut self, e: &StoreError) -> Text {
        match e {
            StoreError::Vanished { .. } => self.trouble = Some(StoreTrouble::Vanished),
            StoreError::ReadOnly { .. } => {
                self.trouble.get_or_insert(StoreTrouble::ReadOnly);
            }
            _ => {}
        }
        let m = e.message();
        self.unsaved.failures += 1;
        self.unsaved.last_error = Some(m.clone());
        m
    }

    /// [`Ctx::note_failure`] for a workspace write.
    pub fn note_session_failure(&mut self, e: &SessionError) -> Text {
        match e {
            SessionError::Store(e) => self.note_failure(e),
            other => other.message(),
        }
    }

    /// Records an answer refused or failed (`key`: interview and row/question).
    pub fn answer_unsaved(&mut self, key: (Uuid, String), why: Text) {
        self.unsaved.answers.insert(key);
        self.unsaved.failures += 1;
        self.unsaved.last_error.get_or_insert(why);
    }

    /// Ends the run: checks once more that the data folder is still there and says what was
    /// not saved.
    pub fn finish(&mut self) -> Outcome {
        if self.trouble.is_none()
            && let Err(e) = self.ws.flush()
        {
            self.note_failure(&e);
        }
        Outcome {
            unsaved_answers: self.unsaved.answers.len(),
            failed_saves: self.unsaved.failures,
            last_error: self.unsaved.last_error.clone(),
        }
    }
}

/// "Enter a household" for refusals.
pub fn new_household_text() -> Text {
    tr!("登记农户", "enter a household")
}
