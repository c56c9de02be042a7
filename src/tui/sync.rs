//! The sync screen: what answer bundles brought and what merging them left to settle. `i`
//! imports a bundle whose path is typed here (and, for an encrypted one, the path of its
//! passphrase or identity file), and shows its report. Below: the conflicts side by side
//! (the one selected resolved by taking side 1–9), the households visited more than once
//! with every visit (`c` makes the one selected count), the interviews held aside with the
//! reason, the gaps in what each laptop has sent, and the bundles imported with their
//! reports, newest first. ↑↓ move over every item, Tab from one part to the next.

use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use uuid::Uuid;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::screen::{Nav, Screen};
use super::text::{input_request, pad, truncate, width, wrap};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::interview::InterviewRecord;
use crate::reconcile::visits::{Duplicate, Settled};
use crate::session::imports::{ImportLogEntry, bundle_is_encrypted, bundle_key_file};
use crate::session::{HeldInterview, ImportReport, OpenConflict, Resolution};
use crate::sync::bundle::{Key, SeqRange};
use crate::tr;

/// Characters a typed or pasted path may have.
const MAX_PATH_CHARS: usize = 4096;

/// Items a page key moves over.
const PAGE: usize = 10;

/// Lines the report of the import just made takes at most.
const REPORT_LINES: usize = 5;

/// A household visited more than once, with the records of its visits.
struct Visits {
    dup: Duplicate,
    head: String,
    /// In the order of `dup.interviews` (the one that counts first).
    records: Vec<InterviewRecord>,
}

/// What can be selected, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Conflict(usize),
    /// A visit: the household (index in `duplicates`) and the visit of it.
    Visit(usize, usize),
    Held(usize),
    Import(usize),
}

impl Item {
    /// The part of the screen it is in, from 0.
    fn part(self) -> usize {
        match self {
            Item::Conflict(_) => 0,
            Item::Visit(..) => 1,
            Item::Held(_) => 2,
            Item::Import(_) => 3,
        }
    }
}

/// What the line at the bottom asks for.
enum Stage {
    /// The bundle file.
    Bundle,
    /// The passphrase or identity file of this encrypted bundle.
    Key(PathBuf),
}

struct Prompt {
    stage: Stage,
    input: Input,
    error: Option<Text>,
}

/// An import asked for, run once a frame says it is under way.
struct Pending {
    path: PathBuf,
    key: Key,
}

/// The sync screen's state: read when opened, after each import, resolution and choice.
pub struct Sync {
    conflicts: Vec<OpenConflict>,
    duplicates: Vec<Visits>,
    held: Vec<HeldInterview>,
    /// Head names of the households held interviews are of, when the store has them.
    held_heads: HashMap<String, String>,
    /// Titles of the questionnaires held interviews are of, by id.
    held_forms: HashMap<String, Text>,
    gaps: Vec<SeqRange>,
    imports: Vec<ImportLogEntry>,
    cursor: usize,
    /// The first line of the list shown (kept between frames so that the list scrolls).
    scroll: Cell<usize>,
    prompt: Option<Prompt>,
    pending: Option<Pending>,
    /// The report of the import made on this screen last.
    last: Option<ImportReport>,
    error: Option<Text>,
}

impl Sync {
    pub fn open(ctx: &mut Ctx) -> Sync {
        let mut s = Sync {
            conflicts: Vec::new(),
            duplicates: Vec::new(),
            held: Vec::new(),
            held_heads: HashMap::new(),
            held_forms: HashMap::new(),
            gaps: Vec::new(),
            imports: Vec::new(),
            cursor: 0,
            scroll: Cell::new(0),
            prompt: None,
            pending: None,
            last: None,
            error: None,
        };
        s.reload(ctx);
        s
    }

    fn reload(&mut self, ctx: &mut Ctx) {
        self.error = None;
        let mut errors: Vec<Text> = Vec::new();
        let mut fail =
            |e: crate::store::StoreError, ctx: &mut Ctx| errors.push(ctx.note_failure(&e));
        match ctx.ws.conflicts() {
            Ok(c) => self.conflicts = c,
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.visits() {
            Ok(v) => {
                let mut out = Vec::new();
                for d in v.all() {
                    let mut records = Vec::new();
                    for id in &d.interviews {
                        match ctx.ws.interview(*id) {
                            Ok(Some(r)) => records.push(r),
                            Ok(None) => {}
                            Err(e) => fail(e, ctx),
                        }
                    }
                    let head = ctx
                        .ws
                        .household(&d.household_id)
                        .map(|h| h.head_name)
                        .unwrap_or_default();
                    out.push(Visits {
                        dup: d.clone(),
                        head,
                        records,
                    });
                }
                self.duplicates = out;
            }
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.held_aside() {
            Ok(h) => {
                self.held_heads.clear();
                self.held_forms.clear();
                for q in h.iter().filter_map(|x| x.questionnaire.as_ref()) {
                    self.held_forms
                        .insert(q.clone(), ctx.ws.questionnaire_name(q));
                }
                for hid in h.iter().filter_map(|x| x.household_id.as_ref()) {
                    if let Ok(hh) = ctx.ws.household(hid) {
                        self.held_heads.insert(hid.clone(), hh.head_name);
                    }
                }
                self.held = h;
            }
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.gaps() {
            Ok(g) => self.gaps = g,
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.imports() {
            Ok(l) => self.imports = l,
            Err(e) => fail(e, ctx),
        }
        self.error = errors.into_iter().next();
        self.cursor = self.cursor.min(self.items().len().saturating_sub(1));
    }

    /// Every item that can be selected, in the order shown.
    fn items(&self) -> Vec<Item> {
        let mut out: Vec<Item> = (0..self.conflicts.len()).map(Item::Conflict).collect();
        for (d, v) in self.duplicates.iter().enumerate() {
            out.extend((0..v.records.len()).map(|i| Item::Visit(d, i)));
        }
        out.extend((0..self.held.len()).map(Item::Held));
        out.extend((0..self.imports.len()).map(Item::Import));
        out
    }

    fn selected(&self) -> Option<Item> {
        self.items().get(self.cursor).copied()
    }

    /// The first item of the next part with items (`forward`), or of the one before.
    fn jump_part(&mut self, forward: bool) {
        let items = self.items();
        let Some(now) = items.get(self.cursor).map(|i| i.part()) else {
            return;
        };
        let firsts: Vec<usize> = (0..items.len())
            .filter(|&i| i == 0 || items[i].part() != items[i - 1].part())
            .collect();
        let at = firsts
            .iter()
            .position(|&i| items[i].part() == now)
            .unwrap_or(0);
        let n = firsts.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.cursor = firsts[next];
    }

    fn take(&mut self, ctx: &mut Ctx, side: usize) {
        let Some(Item::Conflict(i)) = self.selected() else {
            ctx.flash_error(tr!(
                "先用 ↑↓ 选中一个冲突，再按 1–9 取其中一方",
                "select a conflict first (↑↓), then take a side with 1–9"
            ));
            return;
        };
        let Some(c) = self.conflicts.get(i) else {
            return;
        };
        if side == 0 || side > c.sides.len() {
            ctx.flash_error(tr!(
                "这个冲突只有 {} 方",
                "this conflict has {} sides",
                c.sides.len()
            ));
            return;
        }
        if ctx.refused(tr!("解决冲突", "resolve conflicts")) {
            return;
        }
        let id = c.id.clone();
        let who = ctx.interviewer.clone();
        match ctx.ws.resolve(&id, &Resolution::Take(side), &who) {
            Ok(r) => {
                ctx.say(tr!(
                    "已解决：取第 {} 方（{}），随下一个答卷包带到其他电脑",
                    "resolved with side {} ({}): it travels to the other laptops with the next bundle",
                    side,
                    r.shown.get(ctx.lang)
                ));
                self.reload(ctx);
            }
            Err(m) => ctx.flash_error(m),
        }
    }

    /// Makes the visit selected the one that counts for its household.
    fn choose(&mut self, ctx: &mut Ctx) {
        let Some(Item::Visit(d, i)) = self.selected() else {
            ctx.flash_error(tr!(
                "先用 ↑↓ 选中重复入户中的一次，再按 c",
                "select one of the duplicate visits first (↑↓), then press c"
            ));
            return;
        };
        let Some(r) = self.duplicates.get(d).and_then(|v| v.records.get(i)) else {
            return;
        };
        if ctx.refused(tr!("选定计数的入户", "choose the visit that counts")) {
            return;
        }
        let (id, household) = (r.interview_id, r.household_id.clone());
        let who = ctx.interviewer.clone();
        let done = ctx
            .ws
            .resume(id)
            .map_err(|e| e.message())
            .and_then(|mut s| {
                s.write_as(&who);
                s.choose(&ctx.ws).map_err(|e| e.message())
            });
        match done {
            Ok(true) => {
                ctx.say(tr!(
                    "户 {} 以选中的这次入户为准（核查发现和比率只用这一次），随下一个答卷包带到其他电脑",
                    "household {}: the visit selected counts (findings and rates use it alone); it travels with the next bundle",
                    household
                ));
                ctx.refresh_counts();
                self.reload(ctx);
                self.select_visit(id);
            }
            Ok(false) => ctx.flash_error(tr!(
                "户 {} 只有这一次入户，不用选定",
                "household {} has only this visit: there is nothing to choose",
                household
            )),
            Err(m) => ctx.flash_error(m),
        }
    }

    /// Puts the cursor on the visit of an interview, where it is now.
    fn select_visit(&mut self, id: Uuid) {
        let found = self.items().iter().position(|it| match *it {
            Item::Visit(d, i) => self.duplicates[d].records[i].interview_id == id,
            _ => false,
        });
        if let Some(at) = found {
            self.cursor = at;
        }
    }

    /// Enter on the line at the bottom: the bundle's path (then its key file's, when it is
    /// encrypted), and the import is asked for.
    fn confirm_prompt(&mut self, ctx: &mut Ctx) {
        let Some(mut p) = self.prompt.take() else {
            return;
        };
        let path = typed_path(p.input.value());
        if path.as_os_str().is_empty() {
            p.error = Some(match p.stage {
                Stage::Bundle => tr!("请输入答卷包文件的路径", "type the path of the bundle file"),
                Stage::Key(_) => tr!(
                    "请输入口令文件或私钥文件的路径",
                    "type the path of the passphrase or identity file"
                ),
            });
            self.prompt = Some(p);
            return;
        }
        match p.stage {
            Stage::Bundle => match bundle_is_encrypted(&path) {
                Err(e) => {
                    p.error = Some(e);
                    self.prompt = Some(p);
                }
                Ok(true) => {
                    self.prompt = Some(Prompt {
                        stage: Stage::Key(path),
                        input: Input::default(),
                        error: None,
                    });
                }
                Ok(false) => self.ask_import(ctx, path, Key::None),
            },
            Stage::Key(ref bundle) => match bundle_key_file(&path) {
                Err(e) => {
                    p.error = Some(e);
                    self.prompt = Some(p);
                }
                Ok(key) => {
                    let bundle = bundle.clone();
                    self.ask_import(ctx, bundle, key);
                }
            },
        }
    }

    fn ask_import(&mut self, ctx: &mut Ctx, path: PathBuf, key: Key) {
        ctx.say(tr!(
            "正在导入 {}，请稍候",
            "importing {}, please wait",
            file_name(&path.display().to_string())
        ));
        self.pending = Some(Pending { path, key });
    }

    fn import(&mut self, ctx: &mut Ctx, p: Pending) {
        if ctx.refused(import_text()) {
            return;
        }
        let report = ctx.ws.import_bundle(&p.path, &p.key);
        let name = file_name(&p.path.display().to_string());
        match &report.error {
            None => ctx.say(tr!(
                "已导入 {}：新调查 {}，更新 {}，新答题记录 {}",
                "imported {}: {} new interviews, {} updated, {} new answer events",
                name,
                report.interviews_new,
                report.interviews_updated,
                report.events_new
            )),
            Some(e) => ctx.flash_error(tr!(
                "未导入（本机数据没有改变）：{}",
                "not imported (nothing here changed): {}",
                e.get(ctx.lang)
            )),
        }
        ctx.refresh_counts();
        self.last = Some(report);
        self.reload(ctx);
    }
}

fn import_text() -> Text {
    tr!("导入答卷包", "import bundles")
}

/// A path as typed or dropped on the terminal: spaces around it and matching quotes
/// dropped, `~/` the home folder.
fn typed_path(s: &str) -> PathBuf {
    let s = s.trim();
    let s = [('\'', '\''), ('"', '"')]
        .iter()
        .find_map(|(a, b)| {
            s.strip_prefix(*a)
                .and_then(|r| r.strip_suffix(*b))
                .filter(|_| s.len() >= 2)
        })
        .unwrap_or(s)
        .trim();
    match (s.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(s),
    }
}

/// The last part of a path, for a list.
fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

impl Screen for Sync {
    fn title(&self, ctx: &Ctx) -> String {
        tr!(
            "同步：导入答卷包、冲突、重复入户、暂存",
            "sync: bundles, conflicts, duplicates, held aside"
        )
        .get(ctx.lang)
        .to_string()
    }

    fn mode(&self) -> Mode {
        if self.prompt.is_some() {
            Mode::SyncImport
        } else {
            Mode::Sync
        }
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if self.prompt.is_some() {
            match action {
                Action::Confirm => self.confirm_prompt(ctx),
                Action::Back => self.prompt = None,
                _ => {}
            }
            return Nav::Stay;
        }
        let last = self.items().len().saturating_sub(1);
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(PAGE),
            Action::PageDown => self.cursor = (self.cursor + PAGE).min(last),
            Action::NextSection => self.jump_part(true),
            Action::PreviousSection => self.jump_part(false),
            Action::TakeSide => self.take(ctx, 1),
            Action::ChooseVisit => self.choose(ctx),
            Action::ImportBundle if !ctx.refused(import_text()) => {
                self.prompt = Some(Prompt {
                    stage: Stage::Bundle,
                    input: Input::default(),
                    error: None,
                });
            }
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::TakeSide => matches!(self.selected(), Some(Item::Conflict(_))),
            Action::ChooseVisit => match self.selected() {
                Some(Item::Visit(d, i)) => {
                    let v = &self.duplicates[d];
                    let counts = v.records[i].interview_id == v.dup.counting;
                    ctx.trouble.is_none() && !(counts && v.dup.settled == Settled::Chosen)
                }
                _ => false,
            },
            Action::ImportBundle => ctx.trouble.is_none(),
            _ => true,
        }
    }

    fn type_key(&mut self, ctx: &mut Ctx, code: KeyCode) -> Nav {
        if let Some(p) = &mut self.prompt {
            if let Some(req) = input_request(code) {
                p.input.handle(req);
                p.error = None;
            }
            return Nav::Stay;
        }
        if let KeyCode::Char(c @ '2'..='9') = code {
            self.take(ctx, c as usize - '0' as usize);
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        let p = self.prompt.as_mut()?;
        p.error = None;
        Some(paste::insert(&mut p.input, text, MAX_PATH_CHARS))
    }

    fn has_typed_text(&self) -> bool {
        self.prompt
            .as_ref()
            .is_some_and(|p| !p.input.value().is_empty())
    }

    fn resumed(&mut self, ctx: &mut Ctx) {
        self.reload(ctx);
    }

    fn settle(&mut self, ctx: &mut Ctx) -> bool {
        match self.pending.take() {
            Some(p) => {
                self.import(ctx, p);
                true
            }
            None => false,
        }
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, self, ctx.lang, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn styled(text: String, style: Style) -> Line<'static> {
    Line::from(Span::styled(text, style))
}

/// A device id as people compare them: its first 8 characters.
fn short_device(id: &str) -> String {
    id.chars().take(8).collect()
}

/// `41–57` or `41`.
fn run_text(first: u64, last: u64) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    }
}

fn gap_text(g: &SeqRange) -> Text {
    tr!(
        "设备 {}：{} 尚未收到",
        "device {}: {} not received yet",
        short_device(&g.device_id),
        run_text(g.first, g.last)
    )
}

/// The report of the import just made, at most [`REPORT_LINES`] lines.
fn report_lines(r: &ImportReport, lang: Lang, w: usize) -> Vec<Line<'static>> {
    let name = r
        .file
        .as_ref()
        .map(|f| file_name(&f.display().to_string()))
        .unwrap_or_default();
    let mut out = Vec::new();
    match &r.error {
        Some(e) => {
            out.push(styled(
                truncate(
                    tr!(
                        "本次导入 {}：未导入，答卷包被拒收，本机数据没有改变",
                        "this import, {}: refused; nothing here changed",
                        name
                    )
                    .get(lang),
                    w,
                ),
                theme::error(),
            ));
            for l in wrap(e.get(lang), w.saturating_sub(2)).into_iter().take(3) {
                out.push(styled(format!("  {l}"), theme::error()));
            }
        }
        None => {
            out.push(styled(
                truncate(
                    tr!("本次导入 {}：已导入", "this import, {}: imported", name).get(lang),
                    w,
                ),
                theme::ok(),
            ));
            let counts = crate::session::imports::counts_text(
                r.interviews_new,
                r.interviews_updated,
                r.interviews_unchanged,
                r.events_new,
                r.conflicts.len(),
                r.duplicates.len(),
                r.held.len(),
                r.gaps.len(),
            );
            for l in wrap(counts.get(lang), w.saturating_sub(2)) {
                out.push(Line::from(format!("  {l}")));
            }
            let gaps: Vec<String> = r
                .gaps
                .iter()
                .map(|g| gap_text(g).get(lang).to_string())
                .collect();
            if !gaps.is_empty() {
                out.push(styled(
                    truncate(&format!("  {}", gaps.join(tr!("；", "; ").get(lang))), w),
                    theme::warn(),
                ));
            }
            for f in &r.forms_differ {
                let t = tr!(
                    "问卷不同：《{}》{} 版与本机的不同（按本机的导入）",
                    "questionnaire differs: “{}” version {} is not this laptop's (imported with this laptop's)",
                    f.title.get(lang),
                    f.form.version
                );
                out.push(styled(
                    truncate(&format!("  {}", t.get(lang)), w),
                    theme::warn(),
                ));
            }
        }
    }
    out.truncate(REPORT_LINES);
    out
}

/// One line of the list, and the item it belongs to.
struct Row {
    line: Line<'static>,
    item: Option<usize>,
}

fn draw(f: &mut Frame, s: &Sync, lang: Lang, area: Rect) {
    let w = area.width as usize;
    let mut top: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &s.error {
        top.push(styled(
            truncate(&format!("! {}", e.get(lang)), w),
            theme::error(),
        ));
    }
    if let Some(p) = &s.pending {
        top.push(styled(
            truncate(
                tr!(
                    "正在导入 {}，请稍候",
                    "importing {}, please wait",
                    file_name(&p.path.display().to_string())
                )
                .get(lang),
                w,
            ),
            theme::warn(),
        ));
    } else if let Some(r) = &s.last {
        top.extend(report_lines(r, lang, w));
        top.push(Line::default());
    }
    let prompt_h = if s.prompt.is_some() { 3 } else { 0 };
    let rows = list(s, lang, w);
    let height = (area.height as usize).saturating_sub(top.len() + prompt_h);
    // Keep the item selected in view, scrolling as little as possible.
    let sel: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.item == Some(s.cursor))
        .map(|(i, _)| i)
        .collect();
    let mut scroll = s.scroll.get().min(rows.len().saturating_sub(1));
    if let (Some(&first), Some(&last)) = (sel.first(), sel.last()) {
        if last >= scroll + height {
            scroll = (last + 1).saturating_sub(height);
        }
        if first < scroll {
            scroll = first;
        }
        // A part's heading is shown with its first item when there is room.
        if first > 0
            && scroll == first
            && rows[first - 1].item.is_none()
            && last < first + height.saturating_sub(1)
        {
            scroll = first - 1;
        }
    }
    if rows.len() <= height {
        scroll = 0;
    }
    s.scroll.set(scroll);
    let mut lines = top;
    lines.extend(rows.into_iter().skip(scroll).take(height).map(|r| r.line));
    f.render_widget(Paragraph::new(lines), area);
    if let Some(p) = &s.prompt {
        draw_prompt(f, p, lang, area);
    }
}

fn draw_prompt(f: &mut Frame, p: &Prompt, lang: Lang, area: Rect) {
    let w = area.width as usize;
    let label = match &p.stage {
        Stage::Bundle => tr!("答卷包文件：", "bundle file: "),
        Stage::Key(_) => tr!(
            "这个答卷包是加密的。口令文件或私钥文件：",
            "this bundle is encrypted. passphrase or identity file: "
        ),
    }
    .get(lang)
    .to_string();
    let y = area.bottom().saturating_sub(3);
    let rect = Rect::new(area.x, y, area.width, 3.min(area.height));
    // The end of a long path stays in view: the part before the cursor is cut from the left.
    let room = w.saturating_sub(width(&label) + 1);
    let value = p.input.value();
    let before: String = value.chars().take(p.input.cursor()).collect();
    let shown_before = tail(&before, room);
    let after: String = value.chars().skip(p.input.cursor()).collect();
    let shown = format!(
        "{label}{shown_before}{}",
        truncate(&after, room.saturating_sub(width(&shown_before)))
    );
    let third = match &p.error {
        Some(e) => styled(truncate(&format!("! {}", e.get(lang)), w), theme::error()),
        None => styled(
            truncate(
                match p.stage {
                    Stage::Bundle => tr!(
                        "Enter 导入（加密的答卷包接着问口令文件）  Esc 取消",
                        "Enter imports (an encrypted bundle asks for its key file next)  Esc cancels"
                    ),
                    Stage::Key(_) => tr!(
                        "口令文件的第一行是口令；私钥文件由 ruhu sync keygen 写出。Enter 导入  Esc 取消",
                        "a passphrase file holds it in its first line; an identity file is written by ruhu sync keygen. Enter imports  Esc cancels"
                    ),
                }
                .get(lang),
                w,
            ),
            theme::dim(),
        ),
    };
    f.render_widget(
        Paragraph::new(vec![
            styled("─".repeat(w), theme::dim()),
            styled(truncate(&shown, w), theme::warn()),
            third,
        ]),
        rect,
    );
    let x = area.x + (width(&label) + width(&shown_before)).min(w.saturating_sub(1)) as u16;
    if y + 1 < area.bottom() {
        f.set_cursor_position(Position::new(x, y + 1));
    }
}

/// The end of a text in at most `max` cells, starting with `~` when cut.
fn tail(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut w = 1;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > max {
            break;
        }
        kept.push(c);
        w += cw;
    }
    let mut out = String::from(if max > 0 { "~" } else { "" });
    out.extend(kept.into_iter().rev());
    out
}

/// Every line of the list, each with the index of the item it shows.
fn list(s: &Sync, lang: Lang, w: usize) -> Vec<Row> {
    let items = s.items();
    let index = |it: Item| items.iter().position(|x| *x == it);
    let mut out: Vec<Row> = Vec::new();
    let plain = |line: Line<'static>| Row { line, item: None };
    let heading = |t: Text| plain(styled(truncate(t.get(lang), w), theme::heading()));
    let none = |t: Text| plain(styled(truncate(t.get(lang), w), theme::dim()));
    let sel_style = |on: bool| {
        if on {
            theme::selected()
        } else {
            Style::default()
        }
    };
    let mark = |on: bool| if on { "> " } else { "  " };

    // Conflicts.
    out.push(heading(tr!(
        "冲突 {} 个（两台电脑各改了同一答案，互不知情）",
        "conflicts: {} (one answer changed on two laptops, neither seeing the other)",
        s.conflicts.len()
    )));
    if s.conflicts.is_empty() {
        out.push(none(tr!("  没有冲突", "  none")));
    }
    for (i, c) in s.conflicts.iter().enumerate() {
        let at = index(Item::Conflict(i));
        let on = at == Some(s.cursor);
        let row = c
            .row
            .as_ref()
            .map(|r| {
                let name = r.label.clone().unwrap_or_default();
                match r.index {
                    Some(n) => tr!("第{}行 {}", "row {} {}", n, name).get(lang).to_string(),
                    None => name,
                }
            })
            .unwrap_or_default();
        let title = format!(
            "{}{} {} · {} {}",
            mark(on),
            c.household_id,
            c.head_name.clone().unwrap_or_default(),
            c.question.get(lang),
            row
        );
        out.push(Row {
            line: styled(truncate(&title, w), sel_style(on)),
            item: at,
        });
        for (n, side) in c.sides.iter().enumerate() {
            let now = if n + 1 == c.shown() {
                tr!("（现在显示）", " (shown now)").get(lang).to_string()
            } else {
                String::new()
            };
            let text = format!(
                "    {}) {}{}  — {} · {} · {}",
                n + 1,
                side.shown.get(lang),
                now,
                side.interviewer,
                short_device(&side.device_id),
                side.at.format("%m-%d %H:%M")
            );
            out.push(Row {
                line: Line::from(truncate(&text, w)),
                item: at,
            });
        }
    }

    // Duplicate visits.
    out.push(plain(Line::default()));
    out.push(heading(tr!(
        "重复入户 {} 户（选中其中一次，按 c 以它为准）",
        "households visited more than once: {} (select a visit, c makes it count)",
        s.duplicates.len()
    )));
    if s.duplicates.is_empty() {
        out.push(none(tr!("  没有", "  none")));
    }
    for (d, v) in s.duplicates.iter().enumerate() {
        let how = match v.dup.settled {
            Settled::Chosen => tr!("组长已选定", "chosen by the team lead"),
            Settled::Latest => tr!(
                "尚未选定：暂以最新完成的一次为准",
                "not chosen yet: the latest completed counts"
            ),
        };
        let text = format!(
            "  {} {}  {}  {}",
            v.dup.households.join(" = "),
            v.head,
            tr!("入户 {} 次", "{} visits", v.records.len()).get(lang),
            how.get(lang)
        );
        out.push(plain(Line::from(truncate(&text, w))));
        for (i, r) in v.records.iter().enumerate() {
            let at = index(Item::Visit(d, i));
            let on = at == Some(s.cursor);
            let counts = r.interview_id == v.dup.counting;
            let why = match (counts, v.dup.settled) {
                (false, _) => String::new(),
                (true, Settled::Chosen) => {
                    let by = r.chosen.as_ref().map(|c| c.by.as_str());
                    match by.filter(|b| !b.is_empty()) {
                        Some(by) => tr!("  【以此为准：{} 选定】", "  [counts: chosen by {}]", by),
                        _ => tr!("  【以此为准：组长选定】", "  [counts: chosen]"),
                    }
                    .get(lang)
                    .to_string()
                }
                (true, Settled::Latest) => tr!(
                    "  【暂以此为准：最新完成】",
                    "  [counts for now: the latest done]"
                )
                .get(lang)
                .to_string(),
            };
            let text = format!(
                "{}  {} · {} · {} · {}{}",
                mark(on),
                r.interviewer,
                tr!("设备 {}", "device {}", short_device(&r.device_id)).get(lang),
                r.status.label().get(lang),
                r.updated_at.format("%m-%d %H:%M"),
                why
            );
            let style = if on {
                theme::selected()
            } else if counts {
                theme::ok()
            } else {
                Style::default()
            };
            out.push(Row {
                line: styled(truncate(&text, w), style),
                item: at,
            });
        }
    }

    // Held aside.
    out.push(plain(Line::default()));
    out.push(heading(tr!(
        "暂存待用 {} 份（未丢弃：问卷齐了之后导入时自动补上）",
        "held aside: {} (never dropped: applied once their questionnaire is here)",
        s.held.len()
    )));
    if s.held.is_empty() {
        out.push(none(tr!("  没有", "  none")));
    }
    for (i, h) in s.held.iter().enumerate() {
        let at = index(Item::Held(i));
        let on = at == Some(s.cursor);
        let household = match &h.household_id {
            Some(id) => match s.held_heads.get(id) {
                Some(head) => tr!("户 {} {}", "household {} {}", id, head),
                None => tr!("户 {}", "household {}", id),
            },
            None => tr!("农户未知", "household not known yet"),
        };
        let form = match (&h.questionnaire, &h.questionnaire_version) {
            (Some(q), Some(v)) => {
                let name = s.held_forms.get(q).map_or(q.as_str(), |t| t.get(lang));
                tr!("{} {} 版", "{} version {}", name, v)
            }
            _ => tr!("问卷未知", "questionnaire not known yet"),
        };
        let text = format!(
            "{}{} · {} · {}",
            mark(on),
            household.get(lang),
            form.get(lang),
            tr!("{} 条记录", "{} events", h.events).get(lang)
        );
        out.push(Row {
            line: styled(truncate(&text, w), sel_style(on)),
            item: at,
        });
        let reason = format!("{}{}", tr!("原因：", "why: ").get(lang), h.reason.get(lang));
        let reason_lines = if on {
            wrap(&reason, w.saturating_sub(4))
        } else {
            vec![truncate(&reason, w.saturating_sub(4))]
        };
        for l in reason_lines {
            out.push(Row {
                line: styled(format!("    {l}"), theme::dim()),
                item: at,
            });
        }
    }

    // Gaps.
    out.push(plain(Line::default()));
    if s.gaps.is_empty() {
        out.push(plain(Line::from(truncate(
            tr!(
                "各台电脑的记录都已收齐",
                "every laptop's events have arrived"
            )
            .get(lang),
            w,
        ))));
    } else {
        out.push(heading(tr!(
            "尚未收到的记录（缺一个答卷包）：",
            "events not received yet (a bundle is missing):"
        )));
    }
    for g in &s.gaps {
        out.push(plain(styled(
            truncate(&format!("  {}", gap_text(g).get(lang)), w),
            theme::warn(),
        )));
    }

    // Bundles imported.
    out.push(plain(Line::default()));
    out.push(heading(tr!(
        "已导入的答卷包 {} 个（最新的在前；按 i 导入）",
        "bundles imported: {} (newest first; i imports one)",
        s.imports.len()
    )));
    if s.imports.is_empty() {
        out.push(none(tr!("  还没有导入过答卷包", "  none yet")));
    }
    for (i, e) in s.imports.iter().enumerate() {
        let at = index(Item::Import(i));
        let on = at == Some(s.cursor);
        for line in import_lines(e, lang, w, on) {
            out.push(Row { line, item: at });
        }
    }
    out
}

/// Cells of the file name column of the list of imports.
const FILE_CELLS: usize = 22;

/// One bundle imported: a line, and its whole report below it when selected.
fn import_lines(e: &ImportLogEntry, lang: Lang, w: usize, on: bool) -> Vec<Line<'static>> {
    let when =
        e.at.map(|t| t.format("%m-%d %H:%M").to_string())
            .unwrap_or_default();
    let file = e.file.as_deref().map(file_name).unwrap_or_default();
    let (status, style) = if e.accepted {
        (tr!("已导入", "imported"), Style::default())
    } else {
        (tr!("未导入", "refused"), theme::error())
    };
    let rest = if e.accepted {
        let mut t = tr!(
            "新 {} 更新 {} 未变 {} 记录 {}",
            "new {} upd {} same {} events {}",
            e.interviews_new,
            e.interviews_updated,
            e.interviews_unchanged,
            e.events_new
        )
        .get(lang)
        .to_string();
        for (n, label) in [
            (e.conflicts, tr!("冲突", "conflicts")),
            (e.duplicates, tr!("重复", "duplicates")),
            (e.held, tr!("暂存", "held")),
            (e.gaps, tr!("待补", "gaps")),
        ] {
            if n > 0 {
                t.push_str(&format!(" {} {n}", label.get(lang)));
            }
        }
        if let Some(name) = e.device_name.as_deref().filter(|n| !n.is_empty()) {
            t.push_str(&format!("  {}", tr!("来自 {}", "from {}", name).get(lang)));
        }
        t
    } else {
        e.error
            .as_ref()
            .map(|x| x.get(lang).to_string())
            .unwrap_or_default()
    };
    let text = format!(
        "{}{} {} {} {}",
        if on { "> " } else { "  " },
        pad(&when, 11),
        pad(status.get(lang), 8),
        pad(&file, FILE_CELLS),
        rest
    );
    let first = if on { theme::selected() } else { style };
    let mut out = vec![styled(truncate(&text, w), first)];
    if !on {
        return out;
    }
    let indent = "      ";
    let inner = w.saturating_sub(indent.len());
    let mut detail: Vec<(String, Style)> = Vec::new();
    if let Some(f) = &e.file {
        let t = tr!("文件：{}", "file: {}", f);
        detail.extend(
            wrap(t.get(lang), inner)
                .into_iter()
                .map(|l| (l, Style::default())),
        );
    }
    if let Some(id) = e.bundle_id {
        let from = match (&e.device_name, &e.device_id) {
            (Some(n), Some(d)) if !n.is_empty() => {
                tr!("{}（设备 {}）", "{} (device {})", n, short_device(d))
            }
            (_, Some(d)) => tr!("设备 {}", "device {}", short_device(d)),
            _ => tr!("未知的电脑", "an unknown laptop"),
        };
        let when = e
            .created_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let t = tr!(
            "答卷包 {}：{} 于 {} 写出",
            "bundle {}: written by {} at {}",
            id,
            from.get(lang),
            when
        );
        detail.extend(
            wrap(t.get(lang), inner)
                .into_iter()
                .map(|l| (l, Style::default())),
        );
    }
    match &e.error {
        None => {
            let t = crate::session::imports::counts_text(
                e.interviews_new,
                e.interviews_updated,
                e.interviews_unchanged,
                e.events_new,
                e.conflicts,
                e.duplicates,
                e.held,
                e.gaps,
            );
            detail.extend(
                wrap(t.get(lang), inner)
                    .into_iter()
                    .map(|l| (l, Style::default())),
            );
        }
        Some(x) => {
            let t = tr!(
                "未导入，本机数据没有改变。原因：{}",
                "refused, nothing here changed. why: {}",
                x.get(lang)
            );
            detail.extend(
                wrap(t.get(lang), inner)
                    .into_iter()
                    .map(|l| (l, theme::error())),
            );
        }
    }
    out.extend(
        detail
            .into_iter()
            .map(|(l, st)| styled(format!("{indent}{l}"), st)),
    );
    out
}
