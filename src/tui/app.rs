//! The application state of the terminal UI and how actions change it. Rendering lives in the
//! screen modules and only reads this state; every business rule is a call into the domain
//! (`interview`) or the workspace (`session`).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};
use uuid::Uuid;

use super::keymap::{self, Action, Mode};
use super::paste;
use crate::i18n::{Lang, Text};
use crate::interview::{Answer, AnswerError, Change, Status as InterviewStatus};
use crate::questionnaire::{Kind, Question, QuestionType};
use crate::registry::Household;
use crate::session::{Session, SessionError, Workspace};
use crate::store::StoreError;
use crate::tr;

/// How often the household filters and the answer validation ran (tests show that a paste
/// runs them once, whatever its length).
#[cfg(test)]
pub(super) mod runs {
    use std::cell::Cell;

    thread_local! {
        pub static FILTERS: Cell<usize> = const { Cell::new(0) };
        pub static VALIDATIONS: Cell<usize> = const { Cell::new(0) };
    }

    pub fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>) {
        counter.with(|c| c.set(c.get() + 1));
    }
}

/// Counts shown on the home screen.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub households: usize,
    pub in_sample: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub demo: bool,
}

/// Filter on interview status in the household list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    NotStarted,
    InProgress,
    Completed,
}

/// One household in the list, with where its interview stands.
#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub household: Household,
    pub status: Option<InterviewStatus>,
    /// Drawn in the stored sample (`ruhu sample`).
    pub in_sample: bool,
}

/// The household list: all households, the filters, the search, the selection.
#[derive(Debug, Clone)]
pub struct ListState {
    pub rows: Vec<HouseholdRow>,
    pub shown: Vec<usize>,
    pub cursor: usize,
    pub villages: Vec<String>,
    pub village: Option<String>,
    pub kind: Option<Kind>,
    pub status: Option<StatusFilter>,
    pub sample_only: bool,
    pub search: Input,
    pub searching: bool,
}

impl ListState {
    pub fn new(rows: Vec<HouseholdRow>) -> Self {
        let mut villages: Vec<String> = rows.iter().map(|r| r.household.village.clone()).collect();
        villages.sort();
        villages.dedup();
        let mut s = ListState {
            rows,
            shown: Vec::new(),
            cursor: 0,
            villages,
            village: None,
            kind: None,
            status: None,
            sample_only: false,
            search: Input::default(),
            searching: false,
        };
        s.apply_filters();
        s
    }

    /// Recomputes which households are shown.
    pub fn apply_filters(&mut self) {
        #[cfg(test)]
        runs::bump(&runs::FILTERS);
        let needle = self.search.value().trim().to_lowercase();
        self.shown = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let h = &r.household;
                self.village.as_ref().is_none_or(|v| &h.village == v)
                    && self.kind.is_none_or(|k| h.kind() == k)
                    && (!self.sample_only || r.in_sample)
                    && self.status.is_none_or(|s| match s {
                        StatusFilter::NotStarted => r.status.is_none(),
                        StatusFilter::InProgress => r.status == Some(InterviewStatus::InProgress),
                        StatusFilter::Completed => r.status == Some(InterviewStatus::Completed),
                    })
                    && (needle.is_empty() || matches_search(h, &needle))
            })
            .map(|(i, _)| i)
            .collect();
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&HouseholdRow> {
        self.shown.get(self.cursor).map(|&i| &self.rows[i])
    }
}

/// Search by head's or a member's name, household id or ID number.
fn matches_search(h: &Household, needle: &str) -> bool {
    h.head_name.contains(needle)
        || h.household_id.to_lowercase().contains(needle)
        || h.head_id_number.to_lowercase().contains(needle)
        || h.members
            .iter()
            .any(|m| m.name.contains(needle) || m.id_number.to_lowercase().contains(needle))
}

/// The form for a household the registry does not know.
#[derive(Debug, Clone, Default)]
pub struct NewHouseholdState {
    pub head: Input,
    pub village: Input,
    pub on_village: bool,
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
    answers: BTreeSet<(Uuid, String)>,
    /// Writes that failed or were refused (answers, completions, the place in an interview,
    /// households, auditors' marks).
    failures: usize,
    last_error: Option<Text>,
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

/// Editing one roster row question by question.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEdit {
    pub row_id: String,
    /// Index into the roster's questions.
    pub question: usize,
}

/// An interview on screen.
pub struct InterviewView {
    pub session: Session,
    pub household: Household,
    pub input: Input,
    pub choice: usize,
    /// Whether the highlighted choice was picked (by arrows or number) or is the stored
    /// answer: Enter on an untouched choice list saves nothing.
    pub touched: bool,
    pub ticks: Vec<String>,
    /// Validation message for what is being typed or was refused.
    pub message: Option<Text>,
    pub save: SaveState,
    pub row_cursor: usize,
    pub row_edit: Option<RowEdit>,
    /// Review screen cursor, when the review is open.
    pub review: Option<usize>,
    /// The list to go back to.
    pub list: Option<Box<ListState>>,
}

impl InterviewView {
    /// The question being answered: a top-level question or, while editing a row, a roster
    /// question.
    pub fn question(&self) -> &Question {
        let q = self.session.interview.current();
        match (&self.row_edit, &q.kind) {
            (Some(e), QuestionType::Roster { questions, .. }) => &questions[e.question],
            _ => q,
        }
    }

    /// The roster row being edited, as (roster id, row index).
    pub fn row_scope(&self) -> Option<(String, usize)> {
        let e = self.row_edit.as_ref()?;
        let roster = self.session.interview.current().id.clone();
        let idx = self
            .session
            .interview
            .answers()
            .row_index(&roster, &e.row_id)?;
        Some((roster, idx))
    }

    /// The stored answer of the question being answered.
    pub fn stored(&self) -> Option<&Answer> {
        let q = self.question();
        match &self.row_edit {
            Some(e) => {
                let roster = &self.session.interview.current().id;
                self.session
                    .interview
                    .rows(roster)
                    .iter()
                    .find(|r| r.id == e.row_id)
                    .and_then(|r| r.values.get(&q.id))
            }
            None => self.session.interview.answer(&q.id),
        }
    }

    /// The options of a choice question (yes/no included) as (name, label).
    pub fn options(&self, lang: Lang) -> Vec<(String, String)> {
        options(self.question(), lang)
    }

    /// Loads the input widgets from the stored answer of the question now shown.
    fn load_input(&mut self, lang: Lang) {
        let q = self.question().clone();
        let stored = self.stored().cloned();
        self.message = None;
        self.ticks.clear();
        self.choice = 0;
        self.touched = stored.is_some();
        self.input = Input::default();
        match (&q.kind, &stored) {
            (QuestionType::SelectOne(_), Some(Answer::Choice(c))) => {
                self.choice = q
                    .kind
                    .choices()
                    .iter()
                    .position(|x| &x.name == c)
                    .unwrap_or(0)
            }
            (QuestionType::YesNo, Some(Answer::Bool(b))) => self.choice = if *b { 0 } else { 1 },
            (QuestionType::SelectMultiple(_), Some(Answer::Choices(cs))) => self.ticks = cs.clone(),
            (_, Some(a)) if q.kind.is_input() => {
                let text = match a {
                    Answer::Decimal(d) => d.to_string(),
                    other => other.display(&q, lang),
                };
                self.input = Input::new(text);
            }
            // Identity fields start from the registry; the interviewer confirms or corrects.
            (QuestionType::Text, None) => {
                if let Some(crate::questionnaire::expr::Value::Text(t)) = q
                    .registry
                    .as_ref()
                    .and_then(|f| self.session.interview.context().registry.get(f))
                {
                    self.input = Input::new(t.clone());
                }
            }
            _ => {}
        }
    }

    /// The answer the widgets hold now (`None`: clear).
    fn pending(&self) -> Result<Option<Answer>, AnswerError> {
        let q = self.question();
        match &q.kind {
            QuestionType::SelectOne(_) | QuestionType::YesNo if !self.touched => {
                Ok(self.stored().cloned())
            }
            QuestionType::SelectOne(cs) => {
                Ok(cs.get(self.choice).map(|c| Answer::Choice(c.name.clone())))
            }
            QuestionType::YesNo => Ok(Some(Answer::Bool(self.choice == 0))),
            QuestionType::SelectMultiple(cs) => {
                let picked: Vec<String> = cs
                    .iter()
                    .filter(|c| self.ticks.contains(&c.name))
                    .map(|c| c.name.clone())
                    .collect();
                Ok((!picked.is_empty()).then_some(Answer::Choices(picked)))
            }
            _ => Answer::parse_input(q, self.input.value()),
        }
    }

    /// Validates what is being typed, as it is typed.
    fn validate(&mut self) {
        #[cfg(test)]
        runs::bump(&runs::VALIDATIONS);
        let row = self.row_scope();
        self.message = match self.pending() {
            Err(e) => Some(e.message()),
            Ok(None) => None,
            Ok(Some(a)) => {
                let q = self.question().clone();
                self.session
                    .interview
                    .check(&q, &a, row.as_ref().map(|(r, i)| (r.as_str(), *i)))
                    .err()
                    .map(|e| e.message())
            }
        };
    }
}

/// The options of a choice question as (name, label); yes/no gives 是 / 否.
pub fn options(q: &Question, lang: Lang) -> Vec<(String, String)> {
    match &q.kind {
        QuestionType::YesNo => vec![
            ("yes".into(), Text::new("是", "yes").get(lang).to_string()),
            ("no".into(), Text::new("否", "no").get(lang).to_string()),
        ],
        k => k
            .choices()
            .iter()
            .map(|c| (c.name.clone(), c.label.get(lang).to_string()))
            .collect(),
    }
}

pub enum Screen {
    Home,
    Households(Box<ListState>),
    NewHousehold(Box<NewHouseholdState>, Option<Box<ListState>>),
    Interview(Box<InterviewView>),
    Findings(Box<super::findings::FindingsState>),
    Rates(
        Box<crate::reconcile::RateReport>,
        crate::reconcile::RateName,
    ),
}

/// The whole state of the terminal UI.
pub struct App {
    pub ws: Workspace,
    /// Rules and settings for the findings a rehearsal raises (none when they do not load).
    /// The rules and settings in use, or every problem of a broken rules or settings file
    /// (shown where findings would be).
    pub reconciler: Result<crate::reconcile::Reconciler, Vec<crate::reconcile::RuleError>>,
    pub lang: Lang,
    pub interviewer: String,
    pub screen: Screen,
    pub help: bool,
    pub flash: Option<(Text, bool)>,
    pub counts: Counts,
    pub quit: bool,
    /// Why the store takes no writes, when it does not (shown as a banner).
    pub trouble: Option<StoreTrouble>,
    /// What was not saved in this run.
    pub unsaved: Unsaved,
}

impl App {
    pub fn new(ws: Workspace, lang: Lang, interviewer: String) -> Self {
        let reconciler = ws.reconciler();
        let trouble = ws.is_read_only().then_some(StoreTrouble::ReadOnly);
        let mut app = App {
            reconciler,
            trouble,
            unsaved: Unsaved::default(),
            ws,
            lang,
            interviewer,
            screen: Screen::Home,
            help: false,
            flash: None,
            counts: Counts::default(),
            quit: false,
        };
        app.refresh_counts();
        app
    }

    pub fn refresh_counts(&mut self) {
        let mut c = Counts {
            households: self.ws.household_count(),
            in_sample: self.ws.sample_ids().map_or(0, |s| s.len()),
            ..Counts::default()
        };
        for r in self.ws.interview_results().flatten() {
            match r.status {
                InterviewStatus::InProgress => c.in_progress += 1,
                InterviewStatus::Completed => c.completed += 1,
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

    /// How keys are read now.
    pub fn mode(&self) -> Mode {
        if self.help {
            return Mode::Help;
        }
        self.screen_mode()
    }

    /// How the screen under the help reads keys (the help lists these).
    pub fn screen_mode(&self) -> Mode {
        match &self.screen {
            Screen::Home => Mode::Home,
            Screen::Households(l) if l.searching => Mode::Search,
            Screen::Households(_) => Mode::Households,
            Screen::NewHousehold(..) => Mode::NewHousehold,
            Screen::Findings(f) if f.detail.is_some() => Mode::FindingDetail,
            Screen::Findings(_) => Mode::Findings,
            Screen::Rates(..) => Mode::Rates,
            Screen::Interview(v) => {
                if v.review.is_some() {
                    Mode::Review
                } else if v.row_edit.is_none()
                    && matches!(
                        v.session.interview.current().kind,
                        QuestionType::Roster { .. }
                    )
                {
                    Mode::Roster
                } else {
                    Mode::Question
                }
            }
        }
    }

    fn flash_error(&mut self, t: Text) {
        self.flash = Some((t, true));
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
    fn refusal(&self, what: Text) -> Option<Text> {
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
    fn refused(&mut self, what: Text) -> bool {
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
    fn note_failure(&mut self, e: &StoreError) -> Text {
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

    /// [`App::note_failure`] for a workspace write.
    fn note_session_failure(&mut self, e: &SessionError) -> Text {
        match e {
            SessionError::Store(e) => self.note_failure(e),
            other => other.message(),
        }
    }

    /// Refuses an answer (`key`: see [`answer_key`]) before the engine takes it when the
    /// store takes no writes: the save state and the message say why, and the answer counts
    /// as not saved. True when refused.
    fn refuse_answer(&mut self, v: &mut InterviewView, key: String) -> bool {
        let Some(why) = self.refusal(tr!("保存答案", "save answers")) else {
            return false;
        };
        v.save = SaveState::Failed(why.clone());
        v.message = Some(why.clone());
        self.unsaved
            .answers
            .insert((v.session.record.interview_id, key));
        self.unsaved.failures += 1;
        self.unsaved.last_error.get_or_insert(why);
        true
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

    pub fn on_key(&mut self, key: KeyEvent) {
        let mode = self.mode();
        if let Some(action) = keymap::lookup(mode, &key) {
            // `?` opens help while answering only when nothing has been typed.
            let typing_question_mark = action == Action::Help
                && mode == Mode::Question
                && key.code == KeyCode::Char('?')
                && matches!(&self.screen, Screen::Interview(v) if !v.input.value().is_empty());
            if !typing_question_mark {
                self.flash = None;
                self.act(action);
                return;
            }
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return;
        }
        self.type_key(key.code);
    }

    /// Pasted text goes where typed text goes, in one step: it is inserted at the cursor
    /// whole (line breaks and tabs as spaces, other control characters dropped, at most what
    /// the field holds), then the search filters or the validation run once.
    pub fn on_paste(&mut self, text: &str) {
        let text = paste::clean(text);
        if text.is_empty() {
            return;
        }
        let lang = self.lang;
        let pasted = match &mut self.screen {
            Screen::Households(l) if l.searching => {
                let p = paste::insert(&mut l.search, &text, paste::MAX_SEARCH_CHARS);
                l.cursor = 0;
                l.apply_filters();
                Some(p)
            }
            Screen::NewHousehold(f, _) => {
                let field = if f.on_village {
                    &mut f.village
                } else {
                    &mut f.head
                };
                f.error = None;
                Some(paste::insert(field, &text, paste::MAX_NAME_CHARS))
            }
            Screen::Interview(v) if v.review.is_none() => {
                let q = v.question().clone();
                match &q.kind {
                    QuestionType::SelectOne(_)
                    | QuestionType::YesNo
                    | QuestionType::SelectMultiple(_) => {
                        let total = text.chars().count();
                        let kept = total.min(paste::MAX_CHOICE_KEYS);
                        for c in text.chars().take(kept) {
                            choose_by_key(v, &q, c, lang);
                        }
                        v.validate();
                        Some(paste::Pasted {
                            kept,
                            total,
                            cap: paste::MAX_CHOICE_KEYS,
                        })
                    }
                    k if k.is_input() => {
                        let p = paste::insert(
                            &mut v.input,
                            &text,
                            crate::limits::MAX_TEXT_ANSWER_CHARS,
                        );
                        v.validate();
                        Some(p)
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(message) = pasted.and_then(|p| p.message()) {
            self.flash_error(message);
        }
    }

    fn type_key(&mut self, code: KeyCode) {
        let req = match code {
            KeyCode::Char(c) => InputRequest::InsertChar(c),
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right => InputRequest::GoToNextChar,
            KeyCode::Home => InputRequest::GoToStart,
            KeyCode::End => InputRequest::GoToEnd,
            _ => return,
        };
        let lang = self.lang;
        match &mut self.screen {
            Screen::Households(l) if l.searching => {
                l.search.handle(req);
                l.cursor = 0;
                l.apply_filters();
            }
            Screen::NewHousehold(f, _) => {
                let field = if f.on_village {
                    &mut f.village
                } else {
                    &mut f.head
                };
                field.handle(req);
                f.error = None;
            }
            Screen::Interview(v) if v.review.is_none() => {
                let q = v.question().clone();
                match &q.kind {
                    QuestionType::SelectOne(_)
                    | QuestionType::YesNo
                    | QuestionType::SelectMultiple(_) => {
                        if let KeyCode::Char(c) = code
                            && choose_by_key(v, &q, c, lang)
                        {
                            v.validate();
                        }
                    }
                    k if k.is_input() => {
                        v.input.handle(req);
                        v.validate();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn act(&mut self, action: Action) {
        if action == Action::Quit {
            self.leave_interview();
            self.quit = true;
            return;
        }
        if self.help {
            if action == Action::Back {
                self.help = false;
            }
            return;
        }
        if action == Action::Help {
            self.help = true;
            return;
        }
        let screen = std::mem::replace(&mut self.screen, Screen::Home);
        self.screen = match screen {
            Screen::Home => self.act_home(action),
            Screen::Households(l) => self.act_list(l, action),
            Screen::NewHousehold(f, back) => self.act_new(f, back, action),
            Screen::Interview(v) => self.act_interview(v, action),
            Screen::Findings(f) => self.act_findings(f, action),
            Screen::Rates(r, name) => match action {
                Action::NextRate => {
                    let names: Vec<_> = r.total.rates.iter().iter().map(|(n, _)| *n).collect();
                    let i = names.iter().position(|n| *n == name).unwrap_or(0);
                    Screen::Rates(r, names[(i + 1) % names.len()])
                }
                Action::Back => Screen::Home,
                _ => Screen::Rates(r, name),
            },
        };
    }

    fn act_home(&mut self, action: Action) -> Screen {
        match action {
            Action::OpenHouseholds => self.open_list(),
            Action::NewHousehold if self.refused(new_household_text()) => Screen::Home,
            Action::NewHousehold => Screen::NewHousehold(Box::default(), None),
            Action::OpenFindings => self.open_findings(false),
            Action::OpenRates => self.open_findings(true),
            Action::LoadDemo if self.refused(tr!("载入演示数据", "load the demo data")) => {
                Screen::Home
            }
            Action::LoadDemo => {
                if self.counts.households > 0 {
                    self.flash = Some((
                        tr!(
                            "已有农户数据，未载入演示数据",
                            "households already loaded: demo data not added"
                        ),
                        false,
                    ));
                } else {
                    let opts = crate::demo::DemoOptions::default();
                    match self.ws.load_households(crate::demo::generate_iter(&opts)) {
                        Ok(n) => {
                            self.flash = Some((
                                tr!(
                                    "已载入 {} 户演示数据（虚构的演示县）",
                                    "loaded {} demo households (a fictional county)",
                                    n
                                ),
                                false,
                            ));
                            self.refresh_counts();
                        }
                        Err(e) => {
                            let m = self.note_failure(&e);
                            self.flash_error(m);
                        }
                    }
                }
                Screen::Home
            }
            Action::Back => {
                self.quit = true;
                Screen::Home
            }
            _ => Screen::Home,
        }
    }

    /// Reconciles the store: the findings screen, or (`rates`) the rates per village.
    fn open_findings(&mut self, rates: bool) -> Screen {
        let rec = match &self.reconciler {
            Ok(rec) => rec,
            Err(errors) => {
                let first = errors
                    .first()
                    .map(|e| e.render(self.lang))
                    .unwrap_or_default();
                self.flash_error(tr!(
                    "核查规则或设置有 {} 处错误（ruhu check 可全部列出），例如：{}",
                    "the rules or settings have {} error(s) (ruhu check lists them all), e.g. {}",
                    errors.len(),
                    first
                ));
                return Screen::Home;
            }
        };
        let store = &self.ws;
        let filter = crate::reconcile::Filter {
            include_in_progress: !rates,
            ..Default::default()
        };
        let out = match self.ws.reconcile(rec, &filter) {
            Ok(out) => out,
            Err(e) => {
                self.flash_error(e.message());
                return Screen::Home;
            }
        };
        if rates {
            let report = crate::reconcile::rates(
                &out.surveyed,
                crate::reconcile::GroupBy::Village,
                &rec.settings,
            );
            return Screen::Rates(Box::new(report), crate::reconcile::RateName::WrongExit);
        }
        let marks = store.marks().unwrap_or_default();
        Screen::Findings(Box::new(super::findings::FindingsState::new(
            out.findings,
            marks,
        )))
    }

    fn act_findings(
        &mut self,
        mut s: Box<super::findings::FindingsState>,
        action: Action,
    ) -> Screen {
        use super::findings::SortBy;
        let last = s.shown.len().saturating_sub(1);
        match action {
            Action::Up => s.cursor = s.cursor.saturating_sub(1),
            Action::Down => s.cursor = (s.cursor + 1).min(last),
            Action::PageUp => s.cursor = s.cursor.saturating_sub(10),
            Action::PageDown => s.cursor = (s.cursor + 10).min(last),
            Action::CycleKind => {
                use crate::reconcile::FindingKind::*;
                s.kind = cycle(
                    &[WrongExit, Missed, WrongInclusion, Returned, Mismatch],
                    s.kind.as_ref(),
                );
                s.apply();
            }
            Action::CycleVillage => {
                s.village = cycle(&s.villages, s.village.as_ref());
                s.apply();
            }
            Action::CycleSeverity => {
                use crate::reconcile::Severity::*;
                s.severity = cycle(&[Finding, Warning], s.severity.as_ref());
                s.apply();
            }
            Action::Sort => {
                s.sort = match s.sort {
                    SortBy::Village => SortBy::Kind,
                    SortBy::Kind => SortBy::Severity,
                    SortBy::Severity => SortBy::Village,
                };
                s.apply();
            }
            Action::Confirm => {
                if let Some(f) = s.selected() {
                    match self.ws.find_household(&f.household_id) {
                        Ok(Some(h)) => s.detail = Some(h),
                        Ok(None) => {
                            s.detail = Some(Household::provisional(
                                f.household_id.clone(),
                                f.head_name.clone(),
                                f.village.clone(),
                            ))
                        }
                        Err(e) => self.flash_error(e.message()),
                    }
                }
            }
            Action::MarkConfirmed | Action::MarkDismissed
                if self.refused(tr!("标记核查发现", "mark findings")) => {}
            Action::MarkConfirmed | Action::MarkDismissed => {
                if let Some(f) = s.selected() {
                    let mark = crate::reconcile::Mark {
                        interview_id: f.interview_id,
                        rule: f.rule.clone(),
                        status: if action == Action::MarkConfirmed {
                            crate::reconcile::MarkStatus::Confirmed
                        } else {
                            crate::reconcile::MarkStatus::Dismissed
                        },
                        comment: String::new(),
                        by: self.interviewer.clone(),
                        at: crate::session::now(),
                    };
                    match self.ws.put_mark(&mark) {
                        Ok(()) => {
                            s.marks.insert(mark.key(), mark);
                        }
                        Err(e) => {
                            let m = self.note_failure(&e);
                            self.flash_error(m);
                        }
                    }
                }
            }
            Action::Export => {
                let shown: Vec<crate::reconcile::Finding> =
                    s.shown.iter().map(|&i| s.all[i].clone()).collect();
                let opts = crate::reconcile::export::ExportOptions {
                    lang: self.lang,
                    show_ids: false,
                };
                let path = std::path::PathBuf::from(format!(
                    "ruhu-findings-{}.xlsx",
                    crate::session::now().format("%Y%m%d-%H%M%S")
                ));
                let written = crate::reconcile::export::write_findings_xlsx(&shown, &s.marks, opts)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| std::fs::write(&path, bytes).map_err(|e| e.to_string()));
                self.flash = Some(match written {
                    Ok(()) => (
                        tr!(
                            "已导出 {} 项到 {}",
                            "exported {} findings to {}",
                            shown.len(),
                            path.display()
                        ),
                        false,
                    ),
                    Err(e) => (tr!("导出失败：{}", "export failed: {}", e), true),
                });
            }
            Action::Back if s.detail.is_some() => s.detail = None,
            Action::Back => return Screen::Home,
            _ => {}
        }
        if s.detail.is_some() && matches!(action, Action::Up | Action::Down) {
            let id = s.selected().map(|f| f.household_id.clone());
            if let Some(id) = id {
                s.detail = self.ws.household(&id).ok().or(s.detail.take());
            }
        }
        Screen::Findings(s)
    }

    /// The findings an assessor would raise from this interview's saved answers so far.
    pub fn findings(&self, v: &InterviewView) -> Vec<crate::reconcile::Finding> {
        self.reconciler
            .as_ref()
            .map(|r| r.interview(&v.session.record, &v.household))
            .unwrap_or_default()
    }

    /// Loads the household list with each household's interview status.
    pub fn open_list(&mut self) -> Screen {
        let mut status = std::collections::HashMap::new();
        for r in self.ws.interview_results().flatten() {
            let e = status.entry(r.household_id.clone()).or_insert(r.status);
            if r.status == InterviewStatus::Completed {
                *e = r.status;
            }
        }
        let sample = self.ws.sample_ids().unwrap_or_default();
        let rows = self
            .ws
            .households()
            .flatten()
            .map(|h| HouseholdRow {
                status: status.get(&h.household_id).copied(),
                in_sample: sample.contains(&h.household_id),
                household: h,
            })
            .collect();
        Screen::Households(Box::new(ListState::new(rows)))
    }

    fn act_list(&mut self, mut l: Box<ListState>, action: Action) -> Screen {
        if l.searching {
            match action {
                Action::Confirm => l.searching = false,
                Action::Back => {
                    l.searching = false;
                    l.search = Input::default();
                    l.apply_filters();
                }
                _ => {}
            }
            return Screen::Households(l);
        }
        let page = 10;
        match action {
            Action::Up => l.cursor = l.cursor.saturating_sub(1),
            Action::Down => l.cursor = (l.cursor + 1).min(l.shown.len().saturating_sub(1)),
            Action::PageUp => l.cursor = l.cursor.saturating_sub(page),
            Action::PageDown => l.cursor = (l.cursor + page).min(l.shown.len().saturating_sub(1)),
            Action::StartSearch => l.searching = true,
            Action::CycleVillage => {
                l.village = cycle(&l.villages, l.village.as_ref());
                l.apply_filters();
            }
            Action::CycleKind => {
                l.kind = cycle(&Kind::ALL, l.kind.as_ref());
                l.apply_filters();
            }
            Action::CycleStatus => {
                use StatusFilter::*;
                l.status = cycle(&[NotStarted, InProgress, Completed], l.status.as_ref());
                l.apply_filters();
            }
            Action::CycleSample => {
                if l.rows.iter().any(|r| r.in_sample) {
                    l.sample_only = !l.sample_only;
                    l.apply_filters();
                } else {
                    self.flash = Some((
                        tr!(
                            "尚未抽样：先运行 ruhu sample --seed N",
                            "no sample drawn yet: run ruhu sample --seed N first"
                        ),
                        false,
                    ));
                }
            }
            Action::ClearFilters => {
                l.sample_only = false;
                l.village = None;
                l.kind = None;
                l.status = None;
                l.search = Input::default();
                l.apply_filters();
            }
            Action::NewHousehold if self.refused(new_household_text()) => {}
            Action::NewHousehold => return Screen::NewHousehold(Box::default(), Some(l)),
            Action::Back => {
                self.refresh_counts();
                return Screen::Home;
            }
            Action::Confirm => {
                if let Some(row) = l.selected().cloned() {
                    return self.open_interview(row.household, Some(l));
                }
            }
            _ => {}
        }
        Screen::Households(l)
    }

    fn act_new(
        &mut self,
        mut f: Box<NewHouseholdState>,
        back: Option<Box<ListState>>,
        action: Action,
    ) -> Screen {
        match action {
            Action::NextField => f.on_village = !f.on_village,
            Action::Back => {
                return match back {
                    Some(l) => Screen::Households(l),
                    None => Screen::Home,
                };
            }
            Action::Confirm => {
                let head = f.head.value().trim().to_string();
                let village = f.village.value().trim().to_string();
                if head.is_empty() || village.is_empty() {
                    f.error = Some(tr!(
                        "请填写户主姓名和村名",
                        "enter the head's name and the village"
                    ));
                    f.on_village = !head.is_empty();
                } else if let Some(why) = self.refusal(new_household_text()) {
                    f.error = Some(why);
                } else {
                    match self.ws.new_household(&head, &village) {
                        Ok(h) => return self.open_interview(h, back),
                        Err(e) => f.error = Some(self.note_session_failure(&e)),
                    }
                }
            }
            _ => {}
        }
        Screen::NewHousehold(f, back)
    }

    /// Resumes the household's latest interview, or starts one.
    fn open_interview(&mut self, h: Household, list: Option<Box<ListState>>) -> Screen {
        if self.refused(tr!("开始或继续调查", "start or resume an interview")) {
            return match list {
                Some(l) => Screen::Households(l),
                None => Screen::Home,
            };
        }
        let mut starting = false;
        let session: Result<Session, SessionError> = match self.ws.latest_interview(&h.household_id)
        {
            Ok(Some(r)) => self.ws.resume(r.interview_id),
            Ok(None) => {
                starting = true;
                self.ws.start(&h, &self.interviewer)
            }
            Err(e) => Err(e),
        };
        match session {
            Ok(session) => {
                let mut v = InterviewView {
                    session,
                    household: h,
                    input: Input::default(),
                    choice: 0,
                    touched: false,
                    ticks: Vec::new(),
                    message: None,
                    save: SaveState::Idle,
                    row_cursor: 0,
                    row_edit: None,
                    review: None,
                    list,
                };
                v.load_input(self.lang);
                Screen::Interview(Box::new(v))
            }
            Err(e) => {
                let m = if starting {
                    self.note_session_failure(&e)
                } else {
                    e.message()
                };
                self.flash_error(m);
                match list {
                    Some(l) => Screen::Households(l),
                    None => Screen::Home,
                }
            }
        }
    }

    /// Saves where the interview stands, when leaving it.
    pub(super) fn leave_interview(&mut self) {
        if self.trouble.is_some() {
            return;
        }
        if let Screen::Interview(v) = &mut self.screen
            && let Err(e) = v.session.save_cursor(&self.ws)
        {
            let m = self.note_failure(&e);
            if let Screen::Interview(v) = &mut self.screen {
                v.save = SaveState::Failed(m.clone());
            }
            self.flash_error(m);
        }
    }

    fn act_interview(&mut self, mut v: Box<InterviewView>, action: Action) -> Screen {
        let lang = self.lang;
        if let Some(cursor) = v.review {
            let items = review_items(&v);
            match action {
                Action::Up => v.review = Some(cursor.saturating_sub(1)),
                Action::Down => v.review = Some((cursor + 1).min(items.len().saturating_sub(1))),
                Action::PageUp => v.review = Some(cursor.saturating_sub(10)),
                Action::PageDown => {
                    v.review = Some((cursor + 10).min(items.len().saturating_sub(1)))
                }
                Action::Back => v.review = None,
                Action::Confirm => {
                    if let Some(id) = items.get(cursor) {
                        v.session.interview.go_to(id);
                        v.review = None;
                        v.row_edit = None;
                        v.load_input(lang);
                    }
                }
                Action::Complete if self.trouble.is_some() => {
                    if let Some(why) = self.refusal(tr!("完成调查", "complete the interview")) {
                        v.save = SaveState::Failed(why.clone());
                        self.flash_error(why);
                    }
                }
                Action::Complete => match v.session.complete(&self.ws) {
                    Ok(Ok(())) => {
                        self.flash = Some((
                            tr!("调查已完成并保存", "interview completed and saved"),
                            false,
                        ));
                        v.save = SaveState::Saved(v.session.record.updated_at);
                        return self.back_to_list(v);
                    }
                    Ok(Err(missing)) => {
                        let form = v.session.interview.form();
                        let names: Vec<String> = missing
                            .iter()
                            .take(6)
                            .map(|m| {
                                let label = form
                                    .question(&m.question)
                                    .map_or(m.question.clone(), |q| q.label.get(lang).to_string());
                                match &m.row {
                                    Some((_, i, _)) => match lang {
                                        Lang::Zh => format!("第{}行{}", i + 1, label),
                                        Lang::En => format!("row {} {}", i + 1, label),
                                    },
                                    None => label,
                                }
                            })
                            .collect();
                        let more = missing.len().saturating_sub(6);
                        let list = names.join(if lang == Lang::Zh { "、" } else { "; " });
                        self.flash_error(if more > 0 {
                            tr!(
                                "还不能完成，缺少必答题：{} 等{}题",
                                "cannot complete yet, required answers missing: {} and {} more",
                                list,
                                more
                            )
                        } else {
                            tr!(
                                "还不能完成，缺少必答题：{}",
                                "cannot complete yet, required answers missing: {}",
                                list
                            )
                        });
                    }
                    Err(e) => {
                        let m = self.note_failure(&e);
                        v.save = SaveState::Failed(m.clone());
                        self.flash_error(m);
                    }
                },
                _ => {}
            }
            return Screen::Interview(v);
        }
        let is_roster_table = v.row_edit.is_none()
            && matches!(
                v.session.interview.current().kind,
                QuestionType::Roster { .. }
            );
        if is_roster_table {
            return self.act_roster(v, action);
        }
        match action {
            Action::Up | Action::Down => {
                let n = v.options(lang).len();
                if n > 0 {
                    v.choice = if !v.touched && v.stored().is_none() {
                        if action == Action::Up { n - 1 } else { 0 }
                    } else if action == Action::Up {
                        (v.choice + n - 1) % n
                    } else {
                        (v.choice + 1) % n
                    };
                    v.touched = true;
                    if matches!(
                        v.question().kind,
                        QuestionType::SelectOne(_) | QuestionType::YesNo
                    ) {
                        v.validate();
                    }
                }
            }
            Action::Toggle => {
                let q = v.question().clone();
                if let QuestionType::SelectMultiple(cs) = &q.kind {
                    if let Some(c) = cs.get(v.choice) {
                        toggle(&mut v.ticks, &c.name);
                    }
                    v.validate();
                } else if q.kind.is_input()
                    && !matches!(q.kind, QuestionType::SelectOne(_) | QuestionType::YesNo)
                {
                    v.input.handle(InputRequest::InsertChar(' '));
                    v.validate();
                }
            }
            Action::Confirm if self.save_current(&mut v) => self.advance(&mut v),
            Action::NextQuestion => self.advance(&mut v),
            Action::PreviousQuestion => self.retreat(&mut v),
            Action::Review => {
                v.row_edit = None;
                v.review = Some(0);
                self.remember_cursor(&mut v);
            }
            Action::Back => {
                if v.row_edit.is_some() {
                    v.row_edit = None;
                    v.message = None;
                } else {
                    return self.back_to_list(v);
                }
            }
            _ => {}
        }
        Screen::Interview(v)
    }

    fn act_roster(&mut self, mut v: Box<InterviewView>, action: Action) -> Screen {
        let roster = v.session.interview.current().id.clone();
        let n = v.session.interview.rows(&roster).len();
        match action {
            Action::Up => v.row_cursor = v.row_cursor.saturating_sub(1),
            Action::Down => v.row_cursor = (v.row_cursor + 1).min(n.saturating_sub(1)),
            Action::AddRow => {
                let row_id = Uuid::new_v4().to_string();
                if self.refuse_answer(&mut v, format!("{roster}+{row_id}")) {
                    return Screen::Interview(v);
                }
                match v.session.interview.add_row(&roster, row_id.clone()) {
                    Ok(change) => {
                        if self.persist(&mut v, &change) {
                            v.row_cursor = n;
                            self.edit_row(&mut v, row_id);
                        }
                    }
                    Err(e) => v.message = Some(e.message()),
                }
            }
            Action::RemoveRow => {
                if let Some(row) = v.session.interview.rows(&roster).get(v.row_cursor).cloned() {
                    if self.refuse_answer(&mut v, format!("{roster}-{}", row.id)) {
                        return Screen::Interview(v);
                    }
                    match v.session.interview.remove_row(&roster, &row.id) {
                        Ok(change) => {
                            self.persist(&mut v, &change);
                            v.row_cursor = v.row_cursor.min(n.saturating_sub(2));
                        }
                        Err(e) => v.message = Some(e.message()),
                    }
                }
            }
            Action::Confirm => {
                if let Some(row) = v.session.interview.rows(&roster).get(v.row_cursor).cloned() {
                    self.edit_row(&mut v, row.id);
                } else {
                    v.message = Some(tr!("按 a 添加家庭成员", "press a to add a member"));
                }
            }
            Action::NextQuestion => self.advance(&mut v),
            Action::PreviousQuestion => self.retreat(&mut v),
            Action::Review => {
                v.review = Some(0);
                self.remember_cursor(&mut v);
            }
            Action::Back => return self.back_to_list(v),
            _ => {}
        }
        Screen::Interview(v)
    }

    /// Starts editing a roster row at its first relevant question.
    fn edit_row(&mut self, v: &mut InterviewView, row_id: String) {
        v.row_edit = Some(RowEdit {
            row_id,
            question: 0,
        });
        if !self.row_question_shown(v) {
            self.next_row_question(v);
        }
        v.load_input(self.lang);
    }

    fn row_question_shown(&self, v: &InterviewView) -> bool {
        let q = v.question();
        if !q.kind.is_input() {
            return false;
        }
        match v.row_scope() {
            Some((roster, i)) => v.session.interview.is_row_relevant(&roster, i, &q.id),
            None => false,
        }
    }

    /// Moves the row edit to the next relevant question; back to the table after the last.
    fn next_row_question(&mut self, v: &mut InterviewView) {
        let count = match &v.session.interview.current().kind {
            QuestionType::Roster { questions, .. } => questions.len(),
            _ => 0,
        };
        loop {
            let Some(e) = v.row_edit.as_mut() else { return };
            e.question += 1;
            if e.question >= count {
                v.row_edit = None;
                v.message = None;
                return;
            }
            if self.row_question_shown(v) {
                return;
            }
        }
    }

    /// Saves the answer in the widgets; false (with the message shown) when it is refused.
    fn save_current(&mut self, v: &mut InterviewView) -> bool {
        let q = v.question().clone();
        if !q.kind.is_input() {
            return true;
        }
        let pending = match v.pending() {
            Ok(p) => p,
            Err(e) => {
                v.message = Some(e.message());
                return false;
            }
        };
        if pending.as_ref() == v.stored() {
            return true;
        }
        let row = v.row_edit.as_ref().map(|e| e.row_id.as_str());
        if self.refuse_answer(v, question_key(row, &q.id)) {
            return false;
        }
        let result = match &v.row_edit {
            Some(e) => {
                let roster = v.session.interview.current().id.clone();
                let row = e.row_id.clone();
                v.session
                    .interview
                    .set_row_answer(&roster, &row, &q.id, pending)
            }
            None => v.session.interview.set_answer(&q.id, pending),
        };
        match result {
            Ok(change) => self.persist(v, &change),
            Err(e) => {
                v.message = Some(e.message());
                false
            }
        }
    }

    /// Writes a change to the store; shows when it was saved.
    /// "Saved" only once the store says so; a failed save is counted, shown in the save
    /// state and beside the answer, and the answer remembered as not saved.
    fn persist(&mut self, v: &mut InterviewView, change: &Change) -> bool {
        let key = (v.session.record.interview_id, answer_key(change));
        let here = v.session.interview.current().id.clone();
        match v.session.save(&self.ws, change) {
            Ok(at) => {
                self.unsaved.answers.remove(&key);
                v.save = SaveState::Saved(at);
                true
            }
            Err(e) => {
                // The session went back to the answers on disk, and its engine to the first
                // question: stay on this one, with what was typed still in the widgets.
                if v.session.interview.current().id != here {
                    v.session.interview.go_to(&here);
                }
                let m = self.note_failure(&e);
                self.unsaved.answers.insert(key);
                v.save = SaveState::Failed(m.clone());
                v.message = Some(m);
                false
            }
        }
    }

    /// Saves where the interview stands (nothing once the store takes no writes: the banner
    /// says so).
    fn remember_cursor(&mut self, v: &mut InterviewView) {
        if self.trouble.is_some() {
            return;
        }
        if let Err(e) = v.session.save_cursor(&self.ws) {
            let m = self.note_failure(&e);
            v.save = SaveState::Failed(m);
        }
    }

    fn advance(&mut self, v: &mut InterviewView) {
        if v.row_edit.is_some() {
            self.next_row_question(v);
        } else if !v.session.interview.go_next() {
            v.review = Some(0);
            self.flash = Some((
                tr!(
                    "已到最后一题，请检查答案后完成调查",
                    "last question: review and complete"
                ),
                false,
            ));
        }
        v.row_cursor = 0;
        v.load_input(self.lang);
        self.remember_cursor(v);
    }

    fn retreat(&mut self, v: &mut InterviewView) {
        if let Some(e) = v.row_edit.as_mut() {
            // back through the row's questions, or to the table
            let roster = v.session.interview.current().id.clone();
            let idx = v.session.interview.answers().row_index(&roster, &e.row_id);
            let start = e.question;
            let found = (0..start).rev().find(|&qi| {
                let QuestionType::Roster { questions, .. } = &v.session.interview.current().kind
                else {
                    return false;
                };
                questions[qi].kind.is_input()
                    && idx.is_some_and(|i| {
                        v.session
                            .interview
                            .is_row_relevant(&roster, i, &questions[qi].id)
                    })
            });
            match (found, v.row_edit.as_mut()) {
                (Some(qi), Some(e)) => e.question = qi,
                _ => v.row_edit = None,
            }
        } else {
            v.session.interview.go_previous();
        }
        v.load_input(self.lang);
        self.remember_cursor(v);
    }

    fn back_to_list(&mut self, mut v: Box<InterviewView>) -> Screen {
        self.remember_cursor(&mut v);
        self.refresh_counts();
        let id = v.household.household_id.clone();
        let status = v.session.record.status;
        match v.list.take() {
            Some(mut l) => {
                for r in l.rows.iter_mut().filter(|r| r.household.household_id == id) {
                    r.status = Some(status);
                }
                if !l.rows.iter().any(|r| r.household.household_id == id) {
                    l.rows.push(HouseholdRow {
                        household: v.household.clone(),
                        status: Some(status),
                        in_sample: false,
                    });
                }
                l.apply_filters();
                Screen::Households(l)
            }
            None => self.open_list(),
        }
    }
}

/// "Enter a household" for refusals.
fn new_household_text() -> Text {
    tr!("登记农户", "enter a household")
}

/// The key of an answer among the unsaved (see [`Unsaved`]): roster row and question, or
/// the roster row added or removed.
fn answer_key(change: &Change) -> String {
    match change {
        Change::Set { question, row, .. } => {
            question_key(row.as_ref().map(|r| r.row.as_str()), question)
        }
        Change::AddRow(r) => format!("{}+{}", r.roster, r.row),
        Change::RemoveRow(r) => format!("{}-{}", r.roster, r.row),
    }
}

fn question_key(row: Option<&str>, question: &str) -> String {
    format!("{}/{question}", row.unwrap_or(""))
}

/// The ids listed on the review screen: every relevant top-level question but notes.
pub fn review_items(v: &InterviewView) -> Vec<String> {
    let iv = &v.session.interview;
    iv.steps()
        .filter(|q| !matches!(q.kind, QuestionType::Note) && iv.is_relevant(&q.id))
        .map(|q| q.id.clone())
        .collect()
}

fn toggle(ticks: &mut Vec<String>, name: &str) {
    if let Some(i) = ticks.iter().position(|t| t == name) {
        ticks.remove(i);
    } else {
        ticks.push(name.to_string());
    }
}

/// Choice by typed key: a number picks (or ticks) that option; y/n and 是/否 answer yes/no.
/// True when the key picked something (the caller validates).
fn choose_by_key(v: &mut InterviewView, q: &Question, c: char, lang: Lang) -> bool {
    let opts = options(q, lang);
    let index = match c {
        '1'..='9' => Some(c as usize - '1' as usize),
        '０'..='９' => (c as u32).checked_sub('１' as u32).map(|n| n as usize),
        'y' | 'Y' | '是' if matches!(q.kind, QuestionType::YesNo) => Some(0),
        'n' | 'N' | '否' if matches!(q.kind, QuestionType::YesNo) => Some(1),
        _ => None,
    };
    if let Some(i) = index.filter(|&i| i < opts.len()) {
        v.choice = i;
        v.touched = true;
        if matches!(q.kind, QuestionType::SelectMultiple(_)) {
            toggle(&mut v.ticks, &opts[i].0);
        }
        return true;
    }
    false
}

/// The next value in a cycle: none → first → ... → last → none.
fn cycle<T: Clone + PartialEq>(all: &[T], current: Option<&T>) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(c) => {
            let i = all.iter().position(|x| x == c)?;
            all.get(i + 1).cloned()
        }
    }
}
