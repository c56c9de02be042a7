//! The household list: filters, search typed in Chinese, and the table, read a page at a time
//! from the workspace's household list (the registry is never held in memory).

use std::any::Any;
use std::cell::Cell;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::ctx::{Ctx, new_household_text};
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::screen::{Nav, Screen};
use super::text::{input_request, pad, truncate, width};
use super::{interview, new_household, theme};
use crate::i18n::Text;
use crate::interview::Status;
use crate::questionnaire::Kind;
use crate::session::{HouseholdList, InterviewFilter, ListFilter, ListPage, ListRow};
use crate::tr;

/// Rows read beyond those on screen, so that a few steps down need no new read.
const READ_AHEAD: usize = 32;

/// The rows a page key moves.
const PAGE: usize = 10;

fn status_label(s: Option<Status>) -> Text {
    match s {
        None => tr!("未调查", "not started"),
        Some(s) => s.label(),
    }
}

/// The household list screen.
pub struct Households {
    /// The list, once opened (opening it may first make the list file: a few seconds on a
    /// large registry, with a message on screen before).
    list: Option<HouseholdList>,
    /// Why the list or the last page could not be read (shown instead of the rows).
    error: Option<Text>,
    pub filter: ListFilter,
    /// The rows read: those on screen and a few more.
    page: ListPage,
    /// The selected row, among all the filter shows.
    cursor: usize,
    /// The first row on screen.
    top: usize,
    villages: Vec<String>,
    pub search: Input,
    searching: bool,
    /// Rows the table had room for at the last frame.
    rows_h: Cell<usize>,
    /// The household to select once the list is open again (back from its interview).
    reselect: Option<String>,
}

impl Households {
    /// The screen before its list is open (see [`Screen::settle`]).
    pub fn opening(ctx: &mut Ctx) -> Households {
        ctx.say(tr!(
            "正在整理户列表…（户数很多时要几秒钟）",
            "preparing the household list… (a few seconds for a large registry)"
        ));
        Households {
            list: None,
            error: None,
            filter: ListFilter::default(),
            page: ListPage::default(),
            cursor: 0,
            top: 0,
            villages: Vec::new(),
            search: Input::default(),
            searching: false,
            rows_h: Cell::new(20),
            reselect: None,
        }
    }

    /// The rows the filter shows in all.
    pub fn total(&self) -> usize {
        self.page.total
    }

    /// The row selected, when it has been read.
    pub fn selected(&self) -> Option<&ListRow> {
        self.cursor
            .checked_sub(self.page.offset)
            .and_then(|i| self.page.rows.get(i))
    }

    /// The rows read now (a page, not the list).
    pub fn rows_read(&self) -> usize {
        self.page.rows.len()
    }

    /// Reads the page with the rows on screen.
    fn read(&mut self) {
        let Some(list) = &self.list else { return };
        let limit = self.rows_h.get().max(1) + READ_AHEAD;
        let offset = self.top.saturating_sub(READ_AHEAD / 4);
        match list.page(&self.filter, offset, limit) {
            Ok(p) => {
                self.page = p;
                self.error = None;
            }
            Err(e) => {
                self.page = ListPage::default();
                self.error = Some(list_error(&e));
            }
        }
        self.cursor = self.cursor.min(self.page.total.saturating_sub(1));
    }

    /// The filter changed: from the top, read again.
    fn refilter(&mut self) {
        #[cfg(test)]
        super::app::runs::bump(&super::app::runs::FILTERS);
        self.filter.search = self.search.value().to_string();
        self.cursor = 0;
        self.top = 0;
        self.read();
    }

    /// Moves the selection to `to` and reads a new page when it leaves the rows read.
    fn move_to(&mut self, to: usize) {
        let last = self.page.total.saturating_sub(1);
        self.cursor = to.min(last);
        let h = self.rows_h.get().max(1);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + h {
            self.top = self.cursor + 1 - h;
        }
        let read_end = self.page.offset + self.page.rows.len();
        let needed_end = (self.top + h).min(self.page.total);
        if self.top < self.page.offset || needed_end > read_end {
            self.read();
        }
    }

    /// Opens the list (and makes its file first when it is out of date).
    fn open(&mut self, ctx: &mut Ctx) {
        match ctx.ws.household_list() {
            Ok(list) => {
                self.villages = list.villages();
                self.list = Some(list);
                ctx.flash = None;
                self.read();
            }
            Err(e) => {
                ctx.flash = None;
                self.error = Some(list_error(&e));
            }
        }
    }
}

/// Why the list could not be read.
fn list_error(e: &crate::store::StoreError) -> Text {
    let m = e.message();
    Text::new(
        format!("读不出户列表：{}", m.zh),
        format!("the household list cannot be read: {}", m.en),
    )
}

/// The next value in a cycle: none → first → ... → last → none.
pub fn cycle<T: Clone + PartialEq>(all: &[T], current: Option<&T>) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(c) => {
            let i = all.iter().position(|x| x == c)?;
            all.get(i + 1).cloned()
        }
    }
}

impl Screen for Households {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("农户列表", "households").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        if self.searching {
            Mode::Search
        } else {
            Mode::Households
        }
    }

    fn settle(&mut self, ctx: &mut Ctx) -> bool {
        if self.list.is_some() || self.error.is_some() {
            return false;
        }
        self.open(ctx);
        true
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::Confirm if !self.searching => {
                self.selected().is_some() && ctx.trouble.is_none()
            }
            Action::NewHousehold => ctx.trouble.is_none(),
            Action::CycleSample => ctx.counts.in_sample > 0,
            _ => true,
        }
    }

    fn has_typed_text(&self) -> bool {
        !self.search.value().is_empty()
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if self.searching {
            match action {
                Action::Confirm => self.searching = false,
                Action::Back => {
                    self.searching = false;
                    self.search = Input::default();
                    self.refilter();
                }
                _ => {}
            }
            return Nav::Stay;
        }
        match action {
            Action::Up => self.move_to(self.cursor.saturating_sub(1)),
            Action::Down => self.move_to(self.cursor + 1),
            Action::PageUp => self.move_to(self.cursor.saturating_sub(PAGE)),
            Action::PageDown => self.move_to(self.cursor + PAGE),
            Action::StartSearch => self.searching = true,
            Action::CycleVillage => {
                self.filter.village = cycle(&self.villages, self.filter.village.as_ref());
                self.refilter();
            }
            Action::CycleKind => {
                self.filter.kind = cycle(&Kind::HOUSEHOLDS, self.filter.kind.as_ref());
                self.refilter();
            }
            Action::CycleStatus => {
                use InterviewFilter::*;
                self.filter.interview = cycle(
                    &[NotStarted, InProgress, Returned, Completed],
                    self.filter.interview.as_ref(),
                );
                self.refilter();
            }
            Action::CycleSample => {
                if ctx.counts.in_sample > 0 || self.filter.sample_only {
                    self.filter.sample_only = !self.filter.sample_only;
                    self.refilter();
                } else {
                    ctx.say(tr!(
                        "尚未抽样：先运行 ruhu sample --seed N",
                        "no sample drawn yet: run ruhu sample --seed N first"
                    ));
                }
            }
            Action::ClearFilters => {
                self.filter = ListFilter::default();
                self.search = Input::default();
                self.refilter();
            }
            Action::NewHousehold if ctx.refused(new_household_text()) => {}
            Action::NewHousehold => {
                let villages = self.villages.clone();
                return Nav::Push(Box::new(new_household::NewHousehold::new(
                    ctx,
                    Some(villages),
                )));
            }
            Action::Back => return Nav::Pop,
            Action::Confirm => {
                if ctx.refused(tr!("开始或继续调查", "start or resume an interview")) {
                    return Nav::Stay;
                }
                let Some(row) = self.selected() else {
                    return Nav::Stay;
                };
                let id = row.entry.household_id.clone();
                match ctx.ws.household(&id) {
                    Ok(h) => {
                        self.reselect = Some(id);
                        if let Some(s) = interview::open(ctx, h) {
                            return Nav::Push(s);
                        }
                    }
                    Err(e) => ctx.flash_error(e.message()),
                }
            }
            _ => {}
        }
        Nav::Stay
    }

    fn resumed(&mut self, ctx: &mut Ctx) {
        ctx.refresh_counts();
        let Some(list) = &mut self.list else {
            return;
        };
        if let Err(e) = list.refresh(&ctx.ws) {
            // The rows read before stay on screen; the message says why they are not new.
            ctx.flash_error(list_error(&e));
            return;
        }
        self.villages = list.villages();
        let at = self
            .reselect
            .take()
            .and_then(|id| list.position(&self.filter, &id).ok().flatten());
        self.read();
        if let Some(at) = at {
            self.move_to(at);
        }
    }

    fn type_key(&mut self, _ctx: &mut Ctx, code: KeyCode) -> Nav {
        if let Some(req) = input_request(code).filter(|_| self.searching) {
            self.search.handle(req);
            self.refilter();
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        if !self.searching {
            return None;
        }
        let p = paste::insert(&mut self.search, text, paste::MAX_SEARCH_CHARS);
        self.refilter();
        Some(p)
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, ctx, self, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn draw(f: &mut Frame, ctx: &Ctx, l: &Households, area: Rect) {
    let lang = ctx.lang;
    let [filters, search, head, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    l.rows_h.set(table.height as usize);
    let all = tr!("全部", "all");
    let village = l
        .filter
        .village
        .clone()
        .unwrap_or_else(|| all.get(lang).to_string());
    let kind = l.filter.kind.map_or_else(
        || all.get(lang).to_string(),
        |k| k.label().get(lang).to_string(),
    );
    let status = match l.filter.interview {
        None => all.get(lang).to_string(),
        Some(InterviewFilter::NotStarted) => status_label(None).get(lang).to_string(),
        Some(InterviewFilter::InProgress) => {
            status_label(Some(Status::InProgress)).get(lang).to_string()
        }
        Some(InterviewFilter::Returned) => {
            status_label(Some(Status::Returned)).get(lang).to_string()
        }
        Some(InterviewFilter::Completed) => {
            status_label(Some(Status::Completed)).get(lang).to_string()
        }
    };
    let sample = if l.filter.sample_only {
        tr!("  只看抽样户", "  in sample only")
    } else {
        tr!("", "")
    };
    // No count before the list is open (or when it cannot be read).
    let total = if l.list.is_some() && l.error.is_none() {
        l.page.total.to_string()
    } else {
        "-".to_string()
    };
    let line = tr!(
        " 村：{}  类型：{}  调查：{}{}  共 {} 户",
        " village: {}  kind: {}  interview: {}{}  {} shown",
        village,
        kind,
        status,
        sample.get(lang),
        total
    );
    f.render_widget(
        Paragraph::new(truncate(line.get(lang), filters.width as usize)).style(theme::heading()),
        filters,
    );
    let label = tr!(" 搜索（/）：", " search (/): ");
    let label = label.get(lang);
    let value = l.search.value();
    let style = if l.searching {
        theme::selected()
    } else {
        theme::dim()
    };
    let shown = if value.is_empty() && !l.searching {
        tr!("姓名、户编号或身份证号", "name, household id or ID number")
            .get(lang)
            .to_string()
    } else {
        let avail = (search.width as usize).saturating_sub(width(label) + 1);
        truncate(value, avail)
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(label.to_string()),
            Span::styled(shown, style),
        ])),
        search,
    );
    if l.searching {
        let x = search.x + (width(label) + l.search.visual_cursor()) as u16;
        f.set_cursor_position(Position::new(
            x.min(search.right().saturating_sub(1)),
            search.y,
        ));
    }

    // Columns: id, head, village (group), kind, status; widths in cells, the village taking
    // what is left.
    let w = table.width as usize;
    let cols = [16usize, 10, 12, 9, 8];
    let fixed: usize = cols.iter().sum::<usize>() + 4;
    let village_w = cols[2] + w.saturating_sub(fixed).min(12);
    let header = [
        tr!("户编号", "household"),
        tr!("户主", "head"),
        tr!("村（组）", "village"),
        tr!("类型", "kind"),
        tr!("调查", "interview"),
    ];
    let widths = [cols[0], cols[1], village_w, cols[3], cols[4]];
    let head_line: String = header
        .iter()
        .zip(widths)
        .map(|(h, cw)| pad(h.get(lang), cw))
        .collect::<Vec<_>>()
        .join(" ");
    f.render_widget(
        Paragraph::new(truncate(&head_line, w)).style(theme::heading()),
        head,
    );

    let mut lines = Vec::new();
    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(
            truncate(&format!(" ! {}", e.get(lang)), w),
            theme::error(),
        )));
        f.render_widget(Paragraph::new(lines), table);
        return;
    }
    if l.list.is_none() {
        lines.push(Line::from(Span::styled(
            tr!(" 正在整理户列表…", " preparing the household list…")
                .get(lang)
                .to_string(),
            theme::dim(),
        )));
        f.render_widget(Paragraph::new(lines), table);
        return;
    }
    let rows_h = table.height as usize;
    let first = l.top.saturating_sub(l.page.offset);
    for (i, r) in l.page.rows.iter().enumerate().skip(first).take(rows_h) {
        let pos = l.page.offset + i;
        let h = &r.entry;
        let place = if h.village_group.is_empty() {
            h.village.clone()
        } else {
            format!("{}{}", h.village, h.village_group)
        };
        // `*` marks a household the registry does not know, `+` one drawn in the sample.
        let id = if h.provisional {
            format!("{}*", h.household_id)
        } else if r.in_sample {
            format!("{}+", h.household_id)
        } else {
            h.household_id.clone()
        };
        let cells = [
            id,
            h.head_name.clone(),
            place,
            h.status.kind().label().get(lang).to_string(),
            status_label(r.interview).get(lang).to_string(),
        ];
        let text: String = cells
            .iter()
            .zip(widths)
            .map(|(c, cw)| pad(c, cw))
            .collect::<Vec<_>>()
            .join(" ");
        let text = truncate(&text, w);
        if pos == l.cursor {
            lines.push(Line::from(Span::styled(pad(&text, w), theme::selected())));
        } else {
            lines.push(Line::from(text));
        }
    }
    if l.page.total == 0 {
        lines.push(Line::from(Span::styled(
            tr!(
                " 没有符合条件的农户（按 x 清除筛选）",
                " no household matches (x clears the filters)"
            )
            .get(lang)
            .to_string(),
            theme::warn(),
        )));
    }
    f.render_widget(Paragraph::new(lines), table);
}
