//! The workspace a program run works in: the data folder's store and the questionnaires; and
//! an interview session that saves every change durably (event and current answers in one
//! transaction, flushed) before reporting it saved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::i18n::Text;
use crate::interview::causal::{Cell, Heads};
use crate::interview::{
    Answers, Change, Context, Decision, Event, Interview, InterviewRecord, Missing, Origin, Review,
    Skipped, Status,
};
use crate::questionnaire::{Kind, LoadReport, Questionnaire};
use crate::registry::Household;
use crate::store::{Store, StoreError};
use crate::tr;

mod data;
pub mod imports;
mod list;
mod preload;
mod projects;
mod restore;
mod rows;
mod sync;
mod verify;

pub use data::{Imported, RegistryFile};
pub use list::{HouseholdList, InterviewFilter, ListFilter, ListPage, ListRow};
pub use projects::{ProjectImport, ProjectWarning};

pub use preload::{
    MEMBERS, Preload, age_on, from_id_number, preload, registry_member, registry_value,
};
pub use rows::RemovedRow;
pub use sync::{
    ClockFlag, ConflictRow, Duplicate, ExportOptions, ExportReport, FormDiffers, HeldInterview,
    ImportReport, OpenConflict, Resolution, Resolved, Side, conflict_id,
};
pub use verify::{Repair, Verification};

/// Why a workspace operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("questionnaires: {0}")]
    Questionnaires(String),
    #[error("no household {0}")]
    NoHousehold(String),
    #[error("no interview {0}")]
    NoInterview(String),
    #[error("no questionnaire for kind {0}")]
    NoQuestionnaire(String),
    #[error("stored answers do not fit the questionnaire: {0}")]
    BadAnswers(String),
    #[error("no project {0} in the project list")]
    NoProject(String),
}

impl SessionError {
    pub fn message(&self) -> Text {
        match self {
            SessionError::Store(e) => e.message(),
            SessionError::Questionnaires(m) => {
                tr!("问卷有错误：{}", "questionnaires have errors: {}", m)
            }
            SessionError::NoHousehold(id) => {
                tr!("没有户编号为 {} 的农户", "no household with id {}", id)
            }
            SessionError::NoInterview(id) => tr!("没有编号为 {} 的调查", "no interview {}", id),
            SessionError::NoQuestionnaire(k) => {
                tr!("没有 {} 类农户的问卷", "no questionnaire for kind {}", k)
            }
            SessionError::BadAnswers(m) => tr!(
                "已存答案与问卷不符：{}",
                "stored answers do not fit the questionnaire: {}",
                m
            ),
            SessionError::NoProject(id) => tr!(
                "项目清单中没有项目编号为 {} 的项目（先用 ruhu projects import 导入项目清单），未保存任何内容",
                "there is no project {} in the project list (import it with ruhu projects import); nothing saved",
                id
            ),
        }
    }
}

/// The questionnaires in use, one per household kind.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    by_kind: BTreeMap<Kind, Arc<Questionnaire>>,
    /// The folder they come from (`--questionnaires DIR`), whose `rules.json` and
    /// `settings.json` are the ones in use; `None`: the bundled ones.
    dir: Option<PathBuf>,
}

impl Forms {
    /// Takes the questionnaires of a load report, refusing one with errors.
    pub fn from_report(report: LoadReport) -> Result<Forms, SessionError> {
        if let Some(e) = report.errors.first() {
            return Err(SessionError::Questionnaires(format!(
                "{} (+{} more)",
                e.render(crate::i18n::Lang::En),
                report.errors.len() - 1
            )));
        }
        Ok(Forms {
            by_kind: report
                .questionnaires
                .into_iter()
                .map(|q| (q.kind, Arc::new(q)))
                .collect(),
            dir: None,
        })
    }

    /// The questionnaires of a folder, whose rules and settings are then used too.
    pub fn from_dir(dir: &Path) -> Result<Forms, SessionError> {
        let mut forms = Forms::from_report(crate::questionnaire::load_dir(dir))?;
        forms.dir = Some(dir.to_path_buf());
        Ok(forms)
    }

    /// The bundled questionnaires, rules and settings.
    pub fn bundled() -> Result<Forms, SessionError> {
        Forms::from_report(crate::questionnaire::load_bundled())
    }

    pub fn get(&self, kind: Kind) -> Result<Arc<Questionnaire>, SessionError> {
        self.by_kind
            .get(&kind)
            .cloned()
            .ok_or_else(|| SessionError::NoQuestionnaire(kind.id().to_string()))
    }

    /// Every questionnaire in use.
    pub fn all(&self) -> Vec<&Questionnaire> {
        self.by_kind.values().map(|q| q.as_ref()).collect()
    }

    pub fn by_id(&self, id: &str) -> Option<Arc<Questionnaire>> {
        self.by_kind.values().find(|q| q.id == id).cloned()
    }
}

/// The data folder: `--data DIR`, else `RUHU_DATA`, else the platform's data directory.
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("RUHU_DATA").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("ruhu")
}

/// Now, as a UTC instant with the local offset.
pub fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// An opened data folder with its questionnaires.
pub struct Workspace {
    /// Private: the faces go through the workspace's operations (`data.rs`, the session).
    store: Store,
    pub forms: Forms,
}

impl Workspace {
    /// The reconciler in use: the rules and settings of the questionnaires' folder where it
    /// has them, else the bundled ones, checked against the questionnaires in use. Every
    /// problem of a broken rules or settings file is returned, for the face to show.
    pub fn reconciler(
        &self,
    ) -> Result<crate::reconcile::Reconciler, Vec<crate::reconcile::RuleError>> {
        let dir = self.forms.dir.as_deref().filter(|d| d.is_dir());
        crate::reconcile::Reconciler::load(dir, &self.forms.all())
    }

    /// Reconciles every stored interview (see [`reconcile_store`]); of a household
    /// visited more than once only the interview that counts (`reconcile::visits`).
    pub fn reconcile(
        &self,
        reconciler: &crate::reconcile::Reconciler,
        filter: &crate::reconcile::Filter,
    ) -> Result<crate::reconcile::Reconciliation, StoreError> {
        let mut filter = filter.clone();
        if filter.visits.is_none() {
            filter.visits = Some(std::sync::Arc::new(self.visits()?));
        }
        reconcile_store(&self.store, reconciler, &filter)
    }

    /// The households visited more than once, and which interview of each counts.
    pub fn visits(&self) -> Result<crate::reconcile::visits::Visits, StoreError> {
        let mut of = Vec::new();
        // Households entered as new on a visit are the same household when their heads
        // share an ID number.
        let entered_new = |h: &str| h.starts_with("P-");
        for (household, ids) in self.store.households_visited_twice(entered_new)? {
            for id in ids {
                if let Some(r) = self.store.interview(id)? {
                    let group = match head_id_number(&r.answers) {
                        Some(n) if entered_new(&household) => format!("id:{n}"),
                        _ => household.clone(),
                    };
                    of.push(crate::reconcile::visits::VisitOf {
                        interview_id: r.interview_id,
                        household_id: r.household_id,
                        group,
                        status: r.status,
                        updated_at: r.updated_at,
                        chosen: r.chosen.as_ref().map(|c| c.key()),
                    });
                }
            }
        }
        Ok(crate::reconcile::visits::Visits::of(&of))
    }

    pub fn open(dir: &Path, forms: Forms) -> Result<Workspace, SessionError> {
        Ok(Workspace {
            store: Store::open(dir)?,
            forms,
        })
    }

    pub fn household(&self, id: &str) -> Result<Household, SessionError> {
        self.store
            .household(id)?
            .ok_or_else(|| SessionError::NoHousehold(id.to_string()))
    }

    /// Enters a household the registry does not know (census visit): it gets a provisional id
    /// `P-` + 8 hex digits and is reconciled as non-poor.
    pub fn new_household(&self, head: &str, village: &str) -> Result<Household, SessionError> {
        let id = format!("P-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let h = Household::provisional(id, head.trim().to_string(), village.trim().to_string());
        self.store.put_household(&h)?;
        self.store.flush()?;
        Ok(h)
    }

    /// The interview context for a household: its registry record and today.
    fn context(&self, h: &Household) -> Context {
        let mut ctx = Context::today();
        if !h.provisional {
            ctx.registry = h.field_values();
        }
        ctx
    }

    /// For the preload of a household the registry does not know: its county and township
    /// from the registry's village of that name (when there is exactly one; households
    /// entered this way have no county and do not count), so that the
    /// interview's identity questions start with them; the household itself is unchanged.
    fn with_known_village(&self, h: &Household) -> Result<Household, SessionError> {
        let mut out = h.clone();
        if h.provisional && h.county.is_empty() && h.township.is_empty() && !h.village.is_empty() {
            let known: Vec<_> = self
                .store
                .villages()?
                .into_iter()
                .filter(|v| v.village == h.village && !v.county.is_empty())
                .collect();
            if let [v] = known.as_slice() {
                out.county = v.county.clone();
                out.township = v.township.clone();
            }
        }
        Ok(out)
    }

    /// Starts a new interview of a household with the questionnaire of its kind, preloaded
    /// from the registry (identity questions and members, see [`preload`]) and stored at once
    /// with its preloaded answers, in one transaction (it shows in the lists before the
    /// first answer).
    pub fn start(&self, h: &Household, interviewer: &str) -> Result<Session, SessionError> {
        let mut s = self.start_unsaved(h, interviewer)?;
        s.save_many(self, &[])?;
        Ok(s)
    }

    /// A new interview of a household, preloaded like [`Workspace::start`], that is not
    /// stored until its first save (an answer file is entered whole: nothing of it is stored
    /// unless all of it is); the preloaded answers are saved with it.
    pub fn start_unsaved(&self, h: &Household, interviewer: &str) -> Result<Session, SessionError> {
        self.start_preloaded(h, interviewer, Preload::Everything)
    }

    /// A new interview, not stored yet, preloaded with `what` from the registry record (a
    /// household the registry does not know: the head's name and village it was entered
    /// with). Answers given later win over the preloaded ones.
    pub fn start_preloaded(
        &self,
        h: &Household,
        interviewer: &str,
        what: Preload,
    ) -> Result<Session, SessionError> {
        let form = self.forms.get(h.kind())?;
        let at = now();
        let record = InterviewRecord {
            interview_id: Uuid::new_v4(),
            household_id: h.household_id.clone(),
            questionnaire: form.id.clone(),
            questionnaire_version: form.version.clone(),
            status: Status::InProgress,
            interviewer: interviewer.to_string(),
            device_id: self.store.device_id().to_string(),
            started_at: at,
            updated_at: at,
            completed_at: None,
            cursor: None,
            answers: Answers::default().to_json(),
            result: Answers::default().to_json(),
            events: 0,
            skipped: Vec::new(),
            review: None,
            chosen: None,
        };
        let mut interview = Interview::new(form, self.context(h));
        let known = self.with_known_village(h)?;
        let preloaded = preload(&mut interview, &known, what, || Uuid::new_v4().to_string());
        Ok(Session {
            record,
            interview,
            preloaded,
            heads: Heads::default(),
            author: None,
        })
    }

    /// A new interview about a subject other than a household (a person talked to, a
    /// project, a place), with the questionnaire of `kind`, not stored until its first save.
    /// A person gets a new id (`R-` and twelve hex digits): each talk is its own subject.
    pub fn start_subject(
        &self,
        kind: Kind,
        id: Option<&str>,
        interviewer: &str,
    ) -> Result<Session, SessionError> {
        let subject_kind = kind.subject();
        if subject_kind.is_household() {
            return Err(SessionError::NoQuestionnaire(kind.id().to_string()));
        }
        let id = match id {
            Some(id) => id.to_string(),
            None => format!("R-{}", &Uuid::new_v4().simple().to_string()[..12]),
        };
        // A project checked on site is one of the stored list.
        let project = match subject_kind {
            crate::subject::SubjectKind::Project => Some(
                self.store
                    .project(&id)?
                    .ok_or_else(|| SessionError::NoProject(id.clone()))?,
            ),
            _ => None,
        };
        let form = self.forms.get(kind)?;
        let at = now();
        let record = InterviewRecord {
            interview_id: Uuid::new_v4(),
            household_id: crate::subject::Subject::new(subject_kind, id).key(),
            questionnaire: form.id.clone(),
            questionnaire_version: form.version.clone(),
            status: Status::InProgress,
            interviewer: interviewer.to_string(),
            device_id: self.store.device_id().to_string(),
            started_at: at,
            updated_at: at,
            completed_at: None,
            cursor: None,
            answers: Answers::default().to_json(),
            result: Answers::default().to_json(),
            events: 0,
            skipped: Vec::new(),
            review: None,
            chosen: None,
        };
        let mut interview = Interview::new(form, Context::today());
        let preloaded = match &project {
            Some(p) => preload::preload_project(&mut interview, p),
            None => Vec::new(),
        };
        Ok(Session {
            record,
            interview,
            preloaded,
            heads: Heads::default(),
            author: None,
        })
    }

    /// Every cadre talk scored against the settings and the registry, and summed
    /// (`crate::talks`).
    pub fn talks(
        &self,
        settings: &crate::reconcile::Settings,
    ) -> Result<crate::talks::Summary, SessionError> {
        // The registry read once, household by household (a county of 500,000 is not held).
        let mut failed = None;
        let households = self
            .store
            .households()
            .map_while(|r| r.map_err(|e| failed = Some(e)).ok());
        let facts =
            crate::talks::Facts::new(settings.assessment_year, settings.income_line(), households);
        if let Some(e) = failed {
            return Err(e.into());
        }
        let cadre = self.forms.get(Kind::Cadre).ok().map(|f| f.id.clone());
        let mut scored = Vec::new();
        for r in self.store.interview_results() {
            let r = r?;
            if r.subject().kind != crate::subject::SubjectKind::Person
                || cadre.as_deref() != Some(r.questionnaire.as_str())
            {
                continue;
            }
            if let Some(s) =
                crate::talks::Scored::new(r.interview_id, r.status.is_done(), &r.result, &facts)
            {
                scored.push(s);
            }
        }
        Ok(crate::talks::summarize(&scored))
    }

    /// Enters the demo county's cadre talks (`crate::demo::talks`), completed, about the
    /// stored registry: how many.
    pub fn load_demo_talks(&self, seed: u64) -> Result<usize, SessionError> {
        let settings = self
            .reconciler()
            .map(|r| r.settings)
            .or_else(|_| crate::reconcile::Settings::bundled())
            .map_err(|_| SessionError::Questionnaires("settings".into()))?;
        let households: Vec<Household> = self
            .store
            .households()
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut places: crate::demo::talks::Places = Vec::new();
        let mut helpers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for h in &households {
            let place = (h.county.clone(), h.township.clone(), h.village.clone());
            if !places.contains(&place) {
                places.push(place);
            }
            if !h.helper.trim().is_empty() {
                helpers
                    .entry((h.county.clone(), h.helper.trim().to_string()))
                    .or_default()
                    .push(h.head_name.clone());
            }
        }
        let facts =
            crate::talks::Facts::new(settings.assessment_year, settings.income_line(), households);
        let form = self.forms.get(Kind::Cadre)?;
        let files = crate::demo::talks::talks(&facts, &places, &helpers, seed);
        for file in &files {
            let bad = |p: Vec<crate::interview::AnswerProblem>| {
                SessionError::BadAnswers(
                    p.iter()
                        .map(|x| x.render(crate::i18n::Lang::En))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            };
            let answers =
                Answers::from_json(&form, file, || Uuid::new_v4().to_string()).map_err(bad)?;
            let mut s = self.start_subject(Kind::Cadre, None, "王明")?;
            let changes = enter_answers(&mut s.interview, &answers).map_err(bad)?;
            s.save_all(self, &changes, true)?;
        }
        Ok(files.len())
    }

    /// Opens a stored interview where it stopped.
    pub fn resume(&self, id: Uuid) -> Result<Session, SessionError> {
        let record = self
            .store
            .interview(id)?
            .ok_or_else(|| SessionError::NoInterview(id.to_string()))?;
        let form = self
            .forms
            .by_id(&record.questionnaire)
            .ok_or_else(|| SessionError::NoQuestionnaire(record.questionnaire.clone()))?;
        let answers = Answers::from_json(&form, &record.answers, || Uuid::new_v4().to_string())
            .map_err(|p| {
                SessionError::BadAnswers(
                    p.iter()
                        .map(|x| x.render(crate::i18n::Lang::En))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
        let ctx = match self.store.household(&record.household_id)? {
            Some(h) => self.context(&h),
            None => Context::today(),
        };
        let mut interview = Interview::with_answers(form, ctx, answers);
        if let Some(c) = &record.cursor {
            interview.go_to(c);
        }
        let heads = Heads::of(&self.store.events(id)?);
        Ok(Session {
            record,
            interview,
            preloaded: Vec::new(),
            heads,
            author: None,
        })
    }

    /// The event log of an interview, in the order it is folded (answers, rows, and status
    /// changes: completed, reopened): each event after those it saw (`causal.rs`).
    pub fn events(&self, interview: Uuid) -> Result<Vec<Event>, SessionError> {
        let events = self.store.events(interview)?;
        Ok(crate::interview::causal::order(&events)
            .into_iter()
            .cloned()
            .collect())
    }

    /// The most recent interview of a household, if any.
    pub fn latest_interview(
        &self,
        household_id: &str,
    ) -> Result<Option<InterviewRecord>, SessionError> {
        let mut all = self.store.interviews_of(household_id)?;
        all.sort_by_key(|r| r.updated_at);
        Ok(all.pop())
    }
}

/// One interview being entered: the engine plus its stored record.
pub struct Session {
    pub record: InterviewRecord,
    pub interview: Interview,
    /// Answers preloaded from the registry into an interview not stored yet: saved with its
    /// first save, before the changes given there.
    preloaded: Vec<Change>,
    /// The leaves of each cell of the log: what the next event of a cell has seen.
    heads: Heads,
    /// Who writes the events saved from now on, when not the interview's own interviewer.
    author: Option<String>,
}

impl Session {
    fn origin(&self, store: &Store) -> Origin {
        Origin {
            device_id: store.device_id().to_string(),
            interviewer: self
                .author
                .clone()
                .unwrap_or_else(|| self.record.interviewer.clone()),
            at: now(),
        }
    }

    /// Has the events saved from now on carry `name` as their interviewer (the person who
    /// makes the change), instead of the interviewer who began the interview; the record
    /// keeps the latter.
    pub fn write_as(&mut self, name: &str) {
        self.author = Some(name.to_string());
    }

    fn persist(
        &mut self,
        store: &Store,
        mut events: Vec<Event>,
        at: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        // Each event names what its author saw of its cell, the events before it in this
        // batch included.
        let mut heads = self.heads.clone();
        for e in &mut events {
            e.base = heads.base_for(&Cell::of(e));
            heads.apply(e);
        }
        let mut record = self.record.clone();
        record.answers = self.interview.answers().to_json();
        record.result = self.interview.result().to_json();
        record.cursor = Some(self.interview.current().id.clone());
        record.updated_at = at;
        for e in &events {
            crate::interview::apply_skip(&mut record.skipped, e);
            crate::interview::apply_review(&mut record.review, e);
            crate::interview::apply_choice(&mut record.chosen, e);
        }
        store.record_events(&events, &record)?;
        record.events += events.len() as u64;
        self.record = record;
        self.heads = heads;
        Ok(())
    }

    /// Saves a change the engine has made (durably: flushed) and returns when it was saved.
    /// On failure the interview goes back to what is on disk. A change to a completed
    /// interview reopens it (see [`Session::reopen_for_change`]).
    pub fn save(
        &mut self,
        ws: &Workspace,
        change: &Change,
    ) -> Result<DateTime<FixedOffset>, StoreError> {
        self.save_many(ws, std::slice::from_ref(change))
    }

    /// When the interview is completed: the event that reopens it (status back to in
    /// progress, recorded in its log), with the record changed to match. `None` when it is
    /// in progress already.
    fn reopen_for_change(&mut self, origin: &Origin) -> Option<Event> {
        if !self.record.status.is_done() {
            return None;
        }
        self.record.status = Status::InProgress;
        self.record.completed_at = None;
        Some(Event::status(self.record.interview_id, origin, false))
    }

    /// Rebuilds the engine from the last saved answers.
    fn revert(&mut self) {
        let at = self.interview.current().id.clone();
        let form = self.interview.form_arc().clone();
        if let Ok(a) =
            Answers::from_json(&form, &self.record.answers, || Uuid::new_v4().to_string())
        {
            let ctx = self.interview.context().clone();
            self.interview = Interview::with_answers(form, ctx, a);
            // Back where the cadre was, not at the first question.
            self.interview.go_to(&at);
        }
    }

    /// Completes the interview, or lists the required answers still missing.
    pub fn complete(&mut self, ws: &Workspace) -> Result<Result<(), Vec<Missing>>, StoreError> {
        let store = &ws.store;
        let missing = self.interview.missing();
        if !missing.is_empty() {
            return Ok(Err(missing));
        }
        if self.record.status.is_done() && self.preloaded.is_empty() {
            return Ok(Ok(()));
        }
        let origin = self.origin(store);
        let preloaded = std::mem::take(&mut self.preloaded);
        let mut events = batch_events(self.record.interview_id, &origin, &preloaded);
        let done = Origin {
            at: origin.at + chrono::Duration::nanoseconds(events.len() as i64),
            ..origin.clone()
        };
        events.push(Event::status(self.record.interview_id, &done, true));
        let before = self.record.clone();
        self.record.status = Status::Completed;
        self.record.completed_at = Some(origin.at);
        if let Err(e) = self.persist(store, events, origin.at) {
            self.record = before;
            self.preloaded = preloaded;
            return Err(e);
        }
        Ok(Ok(()))
    }
}

impl Session {
    /// Saves several changes the engine has made and, with `complete`, the completion, all
    /// in one transaction (one flush): either all of it is stored or none. Completion is
    /// left out when required answers are missing; they are returned. Changes to a
    /// completed interview reopen it first (a status event in its log).
    pub fn save_all(
        &mut self,
        ws: &Workspace,
        changes: &[Change],
        complete: bool,
    ) -> Result<Vec<Missing>, StoreError> {
        self.save_changes(ws, changes, complete)
            .map(|(missing, _)| missing)
    }

    /// [`Session::save_all`], and the instant the changes were saved at.
    fn save_changes(
        &mut self,
        ws: &Workspace,
        changes: &[Change],
        complete: bool,
    ) -> Result<(Vec<Missing>, DateTime<FixedOffset>), StoreError> {
        let store = &ws.store;
        let origin = self.origin(store);
        let before = self.record.clone();
        let preloaded = std::mem::take(&mut self.preloaded);
        let changes: Vec<Change> = preloaded.iter().chain(changes).cloned().collect();
        let changes = changes.as_slice();
        let mut events: Vec<Event> = if changes.is_empty() {
            Vec::new()
        } else {
            self.reopen_for_change(&origin).into_iter().collect()
        };
        // After the reopening, in the log's order.
        let changed = Origin {
            at: origin.at + chrono::Duration::nanoseconds(events.len() as i64),
            ..origin.clone()
        };
        events.extend(batch_events(self.record.interview_id, &changed, changes));
        let missing = if complete {
            self.interview.missing()
        } else {
            Vec::new()
        };
        if complete && missing.is_empty() && !self.record.status.is_done() {
            let after = Origin {
                at: origin.at + chrono::Duration::nanoseconds(events.len() as i64),
                ..origin.clone()
            };
            events.push(Event::status(self.record.interview_id, &after, true));
            self.record.status = Status::Completed;
            self.record.completed_at = Some(origin.at);
        }
        if let Err(e) = self.persist(store, events, origin.at) {
            self.record = before;
            self.revert();
            self.keep_preloaded(preloaded);
            return Err(e);
        }
        Ok((missing, origin.at))
    }

    /// Saves several changes the engine has made in one transaction (one flush). Changes to
    /// a completed interview reopen it first (a status event in its log).
    pub fn save_many(
        &mut self,
        ws: &Workspace,
        changes: &[Change],
    ) -> Result<DateTime<FixedOffset>, StoreError> {
        self.save_changes(ws, changes, false).map(|(_, at)| at)
    }

    /// After a failed first save: the preloaded answers stay, in the engine and to be
    /// saved, so that nothing the registry gave is lost.
    fn keep_preloaded(&mut self, preloaded: Vec<Change>) {
        if self.record.events == 0 {
            for c in &preloaded {
                self.interview.apply(c);
            }
            self.preloaded = preloaded;
        }
    }

    /// Records that a question was passed on purpose without an answer (`skipped`), or takes
    /// that back; the review lists the questions passed. Nothing is written when the record
    /// says so already. Not a change of an answer: a completed interview stays completed.
    pub fn mark_skipped(
        &mut self,
        ws: &Workspace,
        skip: &Skipped,
        skipped: bool,
    ) -> Result<(), StoreError> {
        if self.record.skipped.binary_search(skip).is_ok() == skipped {
            return Ok(());
        }
        let store = &ws.store;
        let origin = self.origin(store);
        let before = self.record.clone();
        // An interview not stored yet is stored with its preloaded answers first.
        let preloaded = std::mem::take(&mut self.preloaded);
        let mut events = batch_events(self.record.interview_id, &origin, &preloaded);
        let after = Origin {
            at: origin.at + chrono::Duration::nanoseconds(events.len() as i64),
            ..origin.clone()
        };
        events.push(Event::skip(self.record.interview_id, &after, skip, skipped));
        if let Err(e) = self.persist(store, events, origin.at) {
            self.record = before;
            self.keep_preloaded(preloaded);
            return Err(e);
        }
        Ok(())
    }

    /// The team lead's review: approves a completed interview, or returns one (completed,
    /// approved or returned before) with a comment for the whole interview and per
    /// question, as an event that travels with the lead's bundles. `Ok(Err(status))` when
    /// the interview is not in a state to take it (approving one not completed).
    pub fn review(
        &mut self,
        ws: &Workspace,
        review: &Review,
    ) -> Result<Result<(), Status>, StoreError> {
        let fits = match review.decision {
            Decision::Approve => self.record.status == Status::Completed,
            Decision::Return => self.record.status != Status::InProgress,
        };
        if !fits {
            return Ok(Err(self.record.status));
        }
        let store = &ws.store;
        let origin = self.origin(store);
        let before = self.record.clone();
        let event = Event::review(self.record.interview_id, &origin, review);
        self.record.status = match review.decision {
            Decision::Approve => Status::Approved,
            Decision::Return => Status::Returned,
        };
        if let Err(e) = self.persist(store, vec![event], origin.at) {
            self.record = before;
            return Err(e);
        }
        Ok(Ok(()))
    }

    /// The team lead's choice of this interview as the one that counts for its household,
    /// of two or more visits: an event of its log (the latest choice among the visits
    /// counts). `Ok(false)` when the household has no other interview.
    pub fn choose(&mut self, ws: &Workspace) -> Result<bool, StoreError> {
        if ws.store.interviews_of(&self.record.household_id)?.len() < 2 {
            return Ok(false);
        }
        let store = &ws.store;
        let origin = self.origin(store);
        let before = self.record.clone();
        let event = Event::choose(self.record.interview_id, &origin);
        if let Err(e) = self.persist(store, vec![event], origin.at) {
            self.record = before;
            return Err(e);
        }
        Ok(true)
    }

    /// Reopens a completed interview without changing an answer (status back to in
    /// progress, recorded in its log). Nothing is written when it is in progress already.
    pub fn reopen(&mut self, ws: &Workspace) -> Result<(), StoreError> {
        let store = &ws.store;
        let origin = self.origin(store);
        let before = self.record.clone();
        let Some(event) = self.reopen_for_change(&origin) else {
            return Ok(());
        };
        if let Err(e) = self.persist(store, vec![event], origin.at) {
            self.record = before;
            return Err(e);
        }
        Ok(())
    }
}

/// The head's ID number in an interview's answers (the members roster's row of the 户主),
/// when given.
fn head_id_number(answers: &serde_json::Value) -> Option<String> {
    answers["rosters"]["members"]
        .as_array()?
        .iter()
        .find(|row| row["relation"] == "head")?["id_number"]
        .as_str()
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty())
}

/// The events of changes saved together, an instant (a nanosecond) apart in their order, so
/// that folding them in any order gives the same answers.
fn batch_events(interview: Uuid, origin: &Origin, changes: &[Change]) -> Vec<Event> {
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let at = Origin {
                at: origin.at + chrono::Duration::nanoseconds(i as i64),
                ..origin.clone()
            };
            Event::from_change(interview, &at, c)
        })
        .collect()
}

/// Enters a whole interview through the engine, as `ruhu interview apply` does: every answer
/// checked (type, choices, constraint). Returns the changes in order, or every problem.
pub fn enter_answers(
    interview: &mut Interview,
    answers: &Answers,
) -> Result<Vec<Change>, Vec<crate::interview::AnswerProblem>> {
    use crate::interview::AnswerProblem;
    let form = interview.form_arc().clone();
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    // In questionnaire order, so constraints see the answers before them.
    for q in form.all_questions() {
        if let Some(a) = answers.values.get(&q.id) {
            match interview.set_answer(&q.id, Some(a.clone())) {
                Ok(c) => changes.push(c),
                Err(e) => problems.push(AnswerProblem::new(&q.id, None, e)),
            }
        }
        if let Some(rows) = answers.rosters.get(&q.id) {
            for (i, row) in rows.iter().enumerate() {
                // A row the interview has already (an existing interview changed) keeps its
                // place and its other answers.
                let known = interview.answers().row_index(&q.id, &row.id).is_some();
                if !known {
                    match interview.add_row(&q.id, row.id.clone()) {
                        Ok(c) => changes.push(c),
                        Err(e) => {
                            problems.push(AnswerProblem::new(&q.id, Some(i), e));
                            continue;
                        }
                    }
                }
                let crate::questionnaire::QuestionType::Roster { questions, .. } = &q.kind else {
                    continue;
                };
                for rq in questions {
                    if let Some(a) = row.values.get(&rq.id) {
                        match interview.set_row_answer(&q.id, &row.id, &rq.id, Some(a.clone())) {
                            Ok(c) => changes.push(c),
                            Err(e) => problems.push(AnswerProblem::new(&rq.id, Some(i), e)),
                        }
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// Reconciles every interview of a store (its compact result with its household's registry
/// copy, see `store/results.rs`). With more than one core, two threads read from either end
/// of the households and stop where the other has been (each household is claimed by one of
/// them under a lock before it is read); the two parts are joined.
pub fn reconcile_store(
    store: &Store,
    reconciler: &crate::reconcile::Reconciler,
    filter: &crate::reconcile::Filter,
) -> Result<crate::reconcile::Reconciliation, StoreError> {
    use crate::store::Direction;
    use std::sync::Mutex;

    let code_slots = reconciler.rules.symbols().code_slots(&store.result_names());
    let code_slots = code_slots.as_slice();
    let corrupt = |e| StoreError::corrupt("interview result", e);
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !parallel {
        return crate::reconcile::run_compact(
            reconciler,
            store.interview_compacts(),
            code_slots,
            filter,
            corrupt,
        );
    }
    // The last household each reader claimed: ascending, descending.
    type Claimed = (Option<Vec<u8>>, Option<Vec<u8>>);
    let claimed: Mutex<Claimed> = Mutex::new((None, None));
    let claim = |direction: Direction, id: &[u8]| {
        let mut c = claimed.lock().unwrap_or_else(|e| e.into_inner());
        match direction {
            Direction::Ascending if c.1.as_deref().is_none_or(|other| id < other) => {
                c.0 = Some(id.to_vec());
                true
            }
            Direction::Descending if c.0.as_deref().is_none_or(|other| id > other) => {
                c.1 = Some(id.to_vec());
                true
            }
            _ => false,
        }
    };
    let parts: Vec<Result<_, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = [Direction::Ascending, Direction::Descending]
            .into_iter()
            .map(|direction| {
                let claim = &claim;
                scope.spawn(move || {
                    crate::reconcile::run_compact(
                        reconciler,
                        store.interview_compacts_while(direction, |id| claim(direction, id)),
                        code_slots,
                        filter,
                        corrupt,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Invalid(
                        "a reconciliation thread stopped".into(),
                    ))
                })
            })
            .collect()
    });
    Ok(crate::reconcile::Reconciliation::merge(
        parts.into_iter().collect::<Result<Vec<_>, _>>()?,
    ))
}
