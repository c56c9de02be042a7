//! The auditors' findings screen, for lists of hundreds: filters (mark status, kind,
//! severity, county, township, village and interviewer picked from lists, a search by the
//! head's name or the household id), the sort, "已核查 x / y", the detail of one finding
//! (its evidence in words, the registry record and the answers the rule read, the history
//! of its marks), marking with a typed comment that moves on to the next finding, clearing a
//! mark, and the export to a file chosen there. The position (filters, sort, the finding
//! selected, the scroll) is kept in the app's state when the screen is left.
//!
//! - `filters.rs`: what the list shows and counts (pure);
//! - `list.rs`: the list drawn; `detail.rs`: one finding drawn.

mod detail;
mod filters;
mod list;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::cell::Cell;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use tui_input::Input;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::path_prompt::{self, ExportFormat, PathPrompt};
use super::picker::{Entry, Picked, Picker};
use super::screen::{Nav, Screen};
use super::text::input_request;
use crate::i18n::{Lang, Text};
use crate::reconcile::export::ExportOptions;
use crate::reconcile::{Finding, FindingKey, FindingKind, Mark, MarkStatus, Severity};
use crate::registry::Household;
use crate::tr;

pub use filters::{Filters, MarkFilter, Marks, SortBy, VillagePlace};

/// Characters of a mark's comment.
const MAX_COMMENT_CHARS: usize = 2000;
/// Characters of the auditor's name.
const MAX_NAME_CHARS: usize = 100;

/// Where the list was when the screen was left: put back when it opens again.
#[derive(Debug, Clone)]
pub struct View {
    filters: Filters,
    sort: SortBy,
    selected: Option<FindingKey>,
    cursor: usize,
    offset: usize,
}

/// A list to pick a filter's value from.
enum Pick {
    Village(Picker<VillagePlace>),
    Township(Picker<(String, String)>),
    Interviewer(Picker<String>),
}

/// What has the keyboard besides the list.
enum Typing {
    /// The search line.
    Search,
    Pick(Pick),
    Export(PathPrompt),
    /// The auditor's name, asked before the first mark when none is known; then the comment.
    Auditor {
        status: MarkStatus,
        input: Input,
    },
    /// The comment of a mark being made.
    Comment {
        status: MarkStatus,
        input: Input,
    },
}

/// One finding opened: its household's registry record and the history of its marks.
pub(super) struct Detail {
    pub household: Household,
    pub history: Vec<crate::reconcile::MarkRecord>,
    /// Lines scrolled past.
    pub scroll: usize,
}

/// The findings screen's state.
pub struct Findings {
    pub(super) all: Vec<Finding>,
    pub(super) marks: Marks,
    pub(super) filters: Filters,
    pub(super) sort: SortBy,
    /// Indexes into `all` of the findings shown, in order.
    pub(super) shown: Vec<usize>,
    pub(super) cursor: usize,
    /// The first row drawn (kept by the drawing so that the list does not jump).
    pub(super) offset: Cell<usize>,
    pub(super) search: Input,
    pub(super) detail: Option<Detail>,
    typing: Option<Typing>,
}

impl Findings {
    pub fn new(all: Vec<Finding>, marks: Marks) -> Self {
        let mut s = Findings {
            all,
            marks,
            filters: Filters::default(),
            sort: SortBy::Place,
            shown: Vec::new(),
            cursor: 0,
            offset: Cell::new(0),
            search: Input::default(),
            detail: None,
            typing: None,
        };
        s.apply();
        s
    }

    /// Recomputes the rows shown, keeping the cursor on the finding it was on when it is
    /// still shown.
    pub fn apply(&mut self) {
        let was = self.selected().map(Finding::key);
        self.filters.search = self.search.value().to_string();
        self.shown = filters::shown(&self.all, &self.marks, &self.filters, self.sort);
        self.select(was.as_ref());
    }

    /// Puts the cursor on the finding `key` if shown, else keeps its row (clamped).
    fn select(&mut self, key: Option<&FindingKey>) {
        if let Some(pos) = key.and_then(|k| self.position(k)) {
            self.cursor = pos;
        }
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    fn position(&self, key: &FindingKey) -> Option<usize> {
        self.shown.iter().position(|&i| &self.all[i].key() == key)
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.shown.get(self.cursor).map(|&i| &self.all[i])
    }

    /// The findings shown, in order.
    pub fn shown(&self) -> impl Iterator<Item = &Finding> {
        self.shown.iter().map(|&i| &self.all[i])
    }

    /// How many findings are shown and how many of those are reviewed (marked).
    pub fn reviewed(&self) -> (usize, usize) {
        (
            filters::reviewed(&self.all, &self.marks, &self.shown),
            self.shown.len(),
        )
    }

    /// The mark of a finding.
    pub fn mark(&self, f: &Finding) -> Option<&Mark> {
        self.marks.get(&f.key())
    }

    fn view(&self) -> View {
        View {
            filters: self.filters.clone(),
            sort: self.sort,
            selected: self.selected().map(Finding::key),
            cursor: self.cursor,
            offset: self.offset.get(),
        }
    }

    fn restore(&mut self, v: View) {
        self.search = Input::new(v.filters.search.clone());
        self.filters = v.filters;
        self.sort = v.sort;
        self.cursor = v.cursor;
        self.offset.set(v.offset);
        self.shown = filters::shown(&self.all, &self.marks, &self.filters, self.sort);
        self.select(v.selected.as_ref());
    }

    fn open_detail(&mut self, ctx: &mut Ctx) {
        let Some(f) = self.selected() else {
            self.detail = None;
            return;
        };
        let household = match ctx.ws.find_household(&f.household_id) {
            Ok(Some(h)) => h,
            Ok(None) => Household::provisional(
                f.household_id.clone(),
                f.head_name.clone(),
                f.village.clone(),
            ),
            Err(e) => {
                ctx.flash_error(e.message());
                return;
            }
        };
        let history = history(ctx, &f.key());
        self.detail = Some(Detail {
            household,
            history,
            scroll: 0,
        });
    }

    fn move_to(&mut self, ctx: &mut Ctx, cursor: usize) {
        self.cursor = cursor.min(self.shown.len().saturating_sub(1));
        if self.detail.is_some() {
            self.open_detail(ctx);
        }
    }

    fn pick(&mut self, ctx: &Ctx, action: Action) {
        let lang = ctx.lang;
        let note = |n: usize, open: usize| {
            tr!("{} 项，未核查 {}", "{}, {} not reviewed", n, open)
                .get(lang)
                .to_string()
        };
        let pick = match action {
            Action::PickVillage => {
                let entries = filters::villages(&self.all, &self.marks, &self.filters)
                    .into_iter()
                    .map(|c| Entry {
                        label: c.value.text(),
                        note: note(c.findings, c.unreviewed),
                        value: c.value,
                    })
                    .collect();
                Pick::Village(Picker::new(
                    tr!("按村筛选", "village"),
                    entries,
                    self.filters.village.as_ref(),
                ))
            }
            Action::PickTownship => {
                let entries = filters::townships(&self.all, &self.marks, &self.filters)
                    .into_iter()
                    .map(|c| Entry {
                        label: format!("{} / {}", c.value.0, c.value.1),
                        note: note(c.findings, c.unreviewed),
                        value: c.value,
                    })
                    .collect();
                Pick::Township(Picker::new(
                    tr!("按乡镇筛选", "township"),
                    entries,
                    self.filters.township.as_ref(),
                ))
            }
            _ => {
                let entries = filters::interviewers(&self.all, &self.marks, &self.filters)
                    .into_iter()
                    .map(|c| Entry {
                        label: if c.value.is_empty() {
                            tr!("（未填写）", "(none given)").get(lang).to_string()
                        } else {
                            c.value.clone()
                        },
                        note: note(c.findings, c.unreviewed),
                        value: c.value,
                    })
                    .collect();
                Pick::Interviewer(Picker::new(
                    tr!("按调查员筛选", "interviewer"),
                    entries,
                    self.filters.interviewer.as_ref(),
                ))
            }
        };
        self.typing = Some(Typing::Pick(pick));
    }

    /// Starts a mark: the auditor's name first if none is known, then the comment.
    fn start_mark(&mut self, ctx: &mut Ctx, status: MarkStatus) {
        if ctx.refused(tr!("标记核查发现", "mark findings")) || self.selected().is_none() {
            return;
        }
        let input = Input::default();
        self.typing = Some(match auditor(ctx) {
            Some(_) => Typing::Comment { status, input },
            None => Typing::Auditor { status, input },
        });
    }

    /// Saves the mark of the finding selected and moves to the next finding.
    fn save_mark(&mut self, ctx: &mut Ctx, status: MarkStatus, comment: &str) -> bool {
        let Some(f) = self.selected() else {
            return true;
        };
        let by = auditor(ctx).unwrap_or_default();
        let mark = Mark::for_finding(f, status, comment, &by, crate::session::now());
        let next = self.shown.get(self.cursor + 1).map(|&i| self.all[i].key());
        match ctx.ws.put_mark(&mark) {
            Ok(()) => {
                let key = f.key();
                ctx.say(tr!(
                    "已标记{}：{} {}（{}）",
                    "marked {}: {} {} ({})",
                    status.label().get(ctx.lang),
                    f.household_id,
                    f.head_name,
                    f.kind.label().get(ctx.lang)
                ));
                self.marks.insert(key, mark);
                self.after_change(ctx, next);
                true
            }
            Err(e) => {
                let m = ctx.note_failure(&e);
                ctx.flash_error(m);
                false
            }
        }
    }

    /// After a mark was made: the list again, the cursor on `next` (the finding after the
    /// one marked, still shown whatever the filters, its mark unchanged); on the last one,
    /// the cursor stays.
    fn after_change(&mut self, ctx: &mut Ctx, next: Option<FindingKey>) {
        let row = self.cursor;
        self.shown = filters::shown(&self.all, &self.marks, &self.filters, self.sort);
        self.cursor = next
            .as_ref()
            .and_then(|k| self.position(k))
            .unwrap_or(row)
            .min(self.shown.len().saturating_sub(1));
        if self.detail.is_some() {
            self.open_detail(ctx);
        }
    }

    fn clear_mark(&mut self, ctx: &mut Ctx) {
        if ctx.refused(tr!("撤销核查标记", "clear marks")) {
            return;
        }
        let Some(f) = self.selected() else { return };
        let key = f.key();
        let (id, head) = (f.household_id.clone(), f.head_name.clone());
        if !self.marks.contains_key(&key) {
            ctx.say(tr!("这一项还没有标记", "this finding has no mark to clear"));
            return;
        }
        let by = auditor(ctx).unwrap_or_else(|| ctx.interviewer.clone());
        match ctx.ws.clear_mark(&key, &by) {
            Ok(_) => {
                self.marks.remove(&key);
                ctx.say(tr!("已撤销标记：{} {}", "mark cleared: {} {}", id, head));
                self.shown = filters::shown(&self.all, &self.marks, &self.filters, self.sort);
                self.select(Some(&key));
                if self.detail.is_some() {
                    self.open_detail(ctx);
                }
            }
            Err(e) => {
                let m = ctx.note_failure(&e);
                ctx.flash_error(m);
            }
        }
    }

    fn export(&self, ctx: &mut Ctx, path: &std::path::Path, format: ExportFormat) {
        let shown: Vec<Finding> = self.shown().cloned().collect();
        let opts = ExportOptions {
            lang: ctx.lang,
            show_ids: ctx.show_ids,
        };
        use crate::reconcile::export as x;
        let bytes: Result<Vec<u8>, String> = match format {
            ExportFormat::Xlsx => {
                x::write_findings_xlsx(&shown, &self.marks, opts).map_err(|e| e.to_string())
            }
            ExportFormat::Csv => {
                let mut buf = Vec::new();
                x::write_findings_csv(&shown, &self.marks, opts, &mut buf)
                    .map(|()| buf)
                    .map_err(|e| e.to_string())
            }
            ExportFormat::Json => {
                let v = x::findings_json(&shown, &self.marks, ctx.show_ids);
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                Ok(s.into_bytes())
            }
        };
        let written = bytes
            .map_err(|e| tr!("无法导出：{}", "cannot export: {}", e))
            .and_then(|b| path_prompt::write(path, &b));
        match written {
            Ok(()) => ctx.say(tr!(
                "已导出 {} 项到 {}",
                "exported {} finding(s) to {}",
                shown.len(),
                path.display()
            )),
            Err(e) => ctx.flash_error(e),
        }
    }

    /// An action while something other than the list has the keyboard.
    fn act_typing(&mut self, ctx: &mut Ctx, typing: Typing, action: Action) {
        match typing {
            Typing::Search => match action {
                Action::Back => {
                    self.search = Input::default();
                    self.apply();
                }
                Action::Confirm => {}
                _ => self.typing = Some(Typing::Search),
            },
            Typing::Pick(mut pick) => {
                let done = match &mut pick {
                    Pick::Village(p) => match p.act(action) {
                        Picked::Open => false,
                        Picked::Cancelled => true,
                        Picked::Chosen(v) => {
                            self.filters.village = v;
                            true
                        }
                    },
                    Pick::Township(p) => match p.act(action) {
                        Picked::Open => false,
                        Picked::Cancelled => true,
                        Picked::Chosen(v) => {
                            // A village of another township would show nothing.
                            if v.is_some() {
                                self.filters.village = None;
                            }
                            self.filters.township = v;
                            true
                        }
                    },
                    Pick::Interviewer(p) => match p.act(action) {
                        Picked::Open => false,
                        Picked::Cancelled => true,
                        Picked::Chosen(v) => {
                            self.filters.interviewer = v;
                            true
                        }
                    },
                };
                if done {
                    self.apply();
                } else {
                    self.typing = Some(Typing::Pick(pick));
                }
            }
            Typing::Export(mut prompt) => match action {
                Action::Back => ctx.say(tr!("没有导出", "nothing exported")),
                Action::Confirm => match prompt.submit() {
                    Some((path, format)) => self.export(ctx, &path, format),
                    None => self.typing = Some(Typing::Export(prompt)),
                },
                _ => self.typing = Some(Typing::Export(prompt)),
            },
            Typing::Auditor { status, input } => match action {
                Action::Back => ctx.say(tr!("没有标记", "not marked")),
                Action::Confirm => {
                    let name = input.value().trim().to_string();
                    if name.is_empty() {
                        ctx.flash_error(tr!(
                            "请输入核查人员的姓名（记在每个标记上）",
                            "type the auditor's name (recorded with each mark)"
                        ));
                        self.typing = Some(Typing::Auditor { status, input });
                    } else {
                        set_auditor(ctx, &name);
                        self.typing = Some(Typing::Comment {
                            status,
                            input: Input::default(),
                        });
                    }
                }
                _ => self.typing = Some(Typing::Auditor { status, input }),
            },
            Typing::Comment { status, input } => match action {
                Action::Back => ctx.say(tr!("没有标记", "not marked")),
                Action::Confirm => {
                    if !self.save_mark(ctx, status, input.value()) {
                        self.typing = Some(Typing::Comment { status, input });
                    }
                }
                _ => self.typing = Some(Typing::Comment { status, input }),
            },
        }
    }
}

/// The history of a finding's marks (oldest first), or none with the reason shown.
fn history(ctx: &mut Ctx, key: &FindingKey) -> Vec<crate::reconcile::MarkRecord> {
    match ctx.ws.mark_history(key) {
        Ok(h) => h,
        Err(e) => {
            ctx.flash_error(tr!(
                "读不出标记记录：{}",
                "the history of marks cannot be read: {}",
                e.message().get(ctx.lang)
            ));
            Vec::new()
        }
    }
}

/// The auditor's name: the one given to the app ([`App::with_auditor`](super::App::with_auditor)),
/// else the one kept in the store, else the one typed in this run.
fn auditor(ctx: &mut Ctx) -> Option<String> {
    if ctx.auditor.is_none() {
        ctx.auditor = ctx.ws.auditor().ok().flatten().filter(|n| !n.is_empty());
    }
    ctx.auditor.clone()
}

/// Keeps the auditor's name typed, in this run and in the store (asked once on a laptop).
fn set_auditor(ctx: &mut Ctx, name: &str) {
    ctx.auditor = Some(name.to_string());
    if let Err(e) = ctx.ws.set_auditor(name) {
        let m = ctx.note_failure(&e);
        ctx.flash_error(m);
    }
}

/// Reconciles the store into the findings screen, the position of the last visit put back;
/// none (with the message shown) when the rules are broken or the store cannot be read.
pub fn open(ctx: &mut Ctx) -> Option<Box<dyn Screen>> {
    if !rules_ok(ctx) {
        return None;
    }
    let rec = ctx.reconciler.as_ref().ok()?;
    let filter = crate::reconcile::Filter {
        include_in_progress: true,
        ..Default::default()
    };
    let out = match ctx.ws.reconcile(rec, &filter) {
        Ok(out) => out,
        Err(e) => {
            ctx.flash_error(e.message());
            return None;
        }
    };
    let marks = ctx.marks()?;
    let mut s = Findings::new(out.findings, marks);
    if let Some(v) = ctx.findings_view.take() {
        s.restore(v);
    }
    Some(Box::new(s))
}

/// Whether the rules in use are sound; if not, the first problem is shown.
pub(super) fn rules_ok(ctx: &mut Ctx) -> bool {
    if let Err(errors) = &ctx.reconciler {
        let first = errors
            .first()
            .map(|e| e.render(ctx.lang))
            .unwrap_or_default();
        let m = tr!(
            "核查规则或设置有 {} 处错误（ruhu check 可全部列出），例如：{}",
            "the rules or settings have {} error(s) (ruhu check lists them all), e.g. {}",
            errors.len(),
            first
        );
        ctx.flash_error(m);
        return false;
    }
    true
}

/// The file name an export is offered under: what, the date and time, the ending.
pub(super) fn export_name(ctx: &Ctx, stem: Text) -> std::path::PathBuf {
    let name = format!(
        "{}-{}.xlsx",
        stem.get(ctx.lang),
        crate::session::now().format("%Y%m%d-%H%M")
    );
    path_prompt::default_folder(ctx.ws.path()).join(name)
}

fn cycle<T: Clone + PartialEq>(all: &[T], current: Option<&T>) -> Option<T> {
    super::households::cycle(all, current)
}

impl Screen for Findings {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("核查发现", "findings").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        match &self.typing {
            Some(Typing::Search) => Mode::Search,
            Some(Typing::Pick(_)) => Mode::Picker,
            Some(Typing::Export(_)) => Mode::ExportPath,
            Some(Typing::Auditor { .. } | Typing::Comment { .. }) => Mode::MarkComment,
            None if self.detail.is_some() => Mode::FindingDetail,
            None => Mode::Findings,
        }
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::MarkConfirmed | Action::MarkDismissed => {
                ctx.trouble.is_none() && self.selected().is_some()
            }
            Action::ClearMark => {
                ctx.trouble.is_none() && self.selected().is_some_and(|f| self.mark(f).is_some())
            }
            Action::Confirm if self.typing.is_none() => self.selected().is_some(),
            Action::Export => !self.shown.is_empty(),
            Action::ClearFilters => !self.filters.is_empty(),
            _ => true,
        }
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if let Some(t) = self.typing.take() {
            self.act_typing(ctx, t, action);
            return Nav::Stay;
        }
        let last = self.shown.len().saturating_sub(1);
        let page = 10;
        match action {
            Action::Up => self.move_to(ctx, self.cursor.saturating_sub(1)),
            Action::Down => self.move_to(ctx, (self.cursor + 1).min(last)),
            Action::PageUp if self.detail.is_some() => {
                if let Some(d) = &mut self.detail {
                    d.scroll = d.scroll.saturating_sub(page);
                }
            }
            Action::PageDown if self.detail.is_some() => {
                if let Some(d) = &mut self.detail {
                    d.scroll += page;
                }
            }
            Action::PageUp => self.move_to(ctx, self.cursor.saturating_sub(page)),
            Action::PageDown => self.move_to(ctx, self.cursor + page),
            Action::First => self.move_to(ctx, 0),
            Action::Last => self.move_to(ctx, last),
            Action::StartSearch => self.typing = Some(Typing::Search),
            Action::CycleStatus => {
                self.filters.mark = cycle(&MarkFilter::ALL, self.filters.mark.as_ref());
                self.apply();
            }
            Action::CycleKind => {
                self.filters.kind = cycle(&FindingKind::ALL, self.filters.kind.as_ref());
                self.apply();
            }
            Action::CycleSeverity => {
                self.filters.severity = cycle(&Severity::ALL, self.filters.severity.as_ref());
                self.apply();
            }
            Action::CycleCounty => {
                let counties: Vec<String> =
                    filters::counties(&self.all, &self.marks, &self.filters)
                        .into_iter()
                        .map(|c| c.value)
                        .collect();
                self.filters.county = cycle(&counties, self.filters.county.as_ref());
                // A township or village of another county would show nothing.
                self.filters.township = None;
                self.filters.village = None;
                self.apply();
            }
            Action::PickVillage | Action::PickTownship | Action::PickInterviewer => {
                self.pick(ctx, action)
            }
            Action::ClearFilters => {
                self.filters = Filters::default();
                self.search = Input::default();
                self.apply();
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.apply();
            }
            Action::Confirm => self.open_detail(ctx),
            Action::MarkConfirmed => self.start_mark(ctx, MarkStatus::Confirmed),
            Action::MarkDismissed => self.start_mark(ctx, MarkStatus::Dismissed),
            Action::ClearMark => self.clear_mark(ctx),
            Action::Export => {
                let name = export_name(ctx, tr!("核查发现", "findings"));
                self.typing = Some(Typing::Export(PathPrompt::new(
                    tr!("核查发现", "the findings"),
                    &name,
                )));
            }
            Action::Back if self.detail.is_some() => self.detail = None,
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    fn type_key(&mut self, _ctx: &mut Ctx, code: KeyCode) -> Nav {
        match &mut self.typing {
            Some(Typing::Search) => {
                if let Some(req) = input_request(code) {
                    self.search.handle(req);
                    self.apply();
                }
            }
            Some(Typing::Pick(Pick::Village(p))) => p.type_key(code),
            Some(Typing::Pick(Pick::Township(p))) => p.type_key(code),
            Some(Typing::Pick(Pick::Interviewer(p))) => p.type_key(code),
            Some(Typing::Export(p)) => p.type_key(code),
            Some(Typing::Auditor { input, .. } | Typing::Comment { input, .. }) => {
                if let Some(req) = input_request(code) {
                    input.handle(req);
                }
            }
            None => {}
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        Some(match self.typing.as_mut()? {
            Typing::Search => {
                let p = paste::insert(&mut self.search, text, paste::MAX_SEARCH_CHARS);
                self.apply();
                p
            }
            Typing::Pick(Pick::Village(p)) => p.paste(text),
            Typing::Pick(Pick::Township(p)) => p.paste(text),
            Typing::Pick(Pick::Interviewer(p)) => p.paste(text),
            Typing::Export(p) => p.paste(text),
            Typing::Auditor { input, .. } => paste::insert(input, text, MAX_NAME_CHARS),
            Typing::Comment { input, .. } => paste::insert(input, text, MAX_COMMENT_CHARS),
        })
    }

    fn has_typed_text(&self) -> bool {
        match &self.typing {
            Some(Typing::Search) => !self.search.value().is_empty(),
            Some(Typing::Auditor { input, .. } | Typing::Comment { input, .. }) => {
                !input.value().is_empty()
            }
            Some(Typing::Export(p)) => !p.input.value().is_empty(),
            Some(Typing::Pick(_)) => true,
            None => false,
        }
    }

    fn leave(&mut self, ctx: &mut Ctx) {
        ctx.findings_view = Some(self.view());
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        let prompt_h = match &self.typing {
            Some(Typing::Export(_) | Typing::Auditor { .. } | Typing::Comment { .. }) => 3,
            _ => 0,
        };
        let body = Rect {
            height: area.height.saturating_sub(prompt_h),
            ..area
        };
        let prompt = Rect {
            y: body.bottom(),
            height: area.height - body.height,
            ..area
        };
        match &self.detail {
            Some(d) => detail::draw(f, self, d, ctx, body),
            None => list::draw(
                f,
                self,
                ctx,
                body,
                matches!(self.typing, Some(Typing::Search)),
            ),
        }
        let lang = ctx.lang;
        match &self.typing {
            Some(Typing::Pick(Pick::Village(p))) => p.draw(f, lang, area),
            Some(Typing::Pick(Pick::Township(p))) => p.draw(f, lang, area),
            Some(Typing::Pick(Pick::Interviewer(p))) => p.draw(f, lang, area),
            Some(Typing::Export(p)) => p.draw(f, lang, prompt),
            Some(Typing::Auditor { input, .. }) => draw_line(
                f,
                lang,
                prompt,
                tr!("核查人员姓名：", "auditor's name: "),
                input,
                tr!(
                    "记在每个标记上，本机只问一次。Enter 确定  Esc 取消",
                    "recorded with each mark, asked once on this laptop. Enter OK  Esc cancels"
                ),
            ),
            Some(Typing::Comment { status, input }) => draw_line(
                f,
                lang,
                prompt,
                tr!("{}，意见：", "{}, comment: ", status.label().get(lang)),
                input,
                tr!(
                    "Enter 保存标记并到下一项（意见可以不写）  Esc 取消",
                    "Enter saves the mark and goes to the next finding (the comment may be empty)  Esc cancels"
                ),
            ),
            _ => {}
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A text line at the bottom: a rule, the label and what is typed (the cursor in it), a hint.
fn draw_line(f: &mut Frame, lang: Lang, area: Rect, label: Text, input: &Input, hint: Text) {
    use super::text::{truncate, width};
    use super::theme;
    use ratatui::layout::Position;
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    let w = area.width as usize;
    let label = label.get(lang).to_string();
    let room = w.saturating_sub(width(&label) + 1);
    let value = input.value();
    let before: String = value.chars().take(input.cursor()).collect();
    let skip = width(&before).saturating_sub(room);
    let shown: String = {
        let mut acc = 0;
        value
            .chars()
            .skip_while(|c| {
                let keep = acc < skip;
                acc += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                keep
            })
            .collect()
    };
    f.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled("─".repeat(w), theme::dim())),
            Line::from(vec![
                Span::styled(label.clone(), theme::heading()),
                Span::raw(truncate(&shown, room)),
            ]),
            Line::from(Span::styled(truncate(hint.get(lang), w), theme::dim())),
        ]),
        area,
    );
    if area.height > 1 {
        let x = area.x
            + (width(&label) + width(&before).saturating_sub(skip)).min(w.saturating_sub(1)) as u16;
        f.set_cursor_position(Position::new(x, area.y + 1));
    }
}
