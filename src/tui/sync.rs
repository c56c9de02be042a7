//! The sync screen: what the bundles merged left to settle. Conflicts side by side (the
//! one selected resolved by taking side 1–9), the households visited more than once with
//! the visit that counts, the interviews held aside for a questionnaire this store lacks,
//! and the gaps in what each laptop has sent.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::screen::{Nav, Screen};
use super::text::{truncate, wrap};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::reconcile::visits::{Duplicate, Settled};
use crate::session::{OpenConflict, Resolution};
use crate::sync::bundle::SeqRange;
use crate::tr;

/// The sync screen's state: read when opened and after each resolution.
pub struct Sync {
    conflicts: Vec<OpenConflict>,
    duplicates: Vec<Duplicate>,
    gaps: Vec<SeqRange>,
    held: usize,
    cursor: usize,
    error: Option<Text>,
}

impl Sync {
    pub fn open(ctx: &mut Ctx) -> Sync {
        let mut s = Sync {
            conflicts: Vec::new(),
            duplicates: Vec::new(),
            gaps: Vec::new(),
            held: 0,
            cursor: 0,
            error: None,
        };
        s.reload(ctx);
        s
    }

    fn reload(&mut self, ctx: &mut Ctx) {
        self.error = None;
        let mut fail = |e: crate::store::StoreError, ctx: &mut Ctx| {
            let m = ctx.note_failure(&e);
            self.error.get_or_insert(m);
        };
        match ctx.ws.conflicts() {
            Ok(c) => self.conflicts = c,
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.visits() {
            Ok(v) => self.duplicates = v.all().into_iter().cloned().collect(),
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.gaps() {
            Ok(g) => self.gaps = g,
            Err(e) => fail(e, ctx),
        }
        match ctx.ws.held_count() {
            Ok(n) => self.held = n,
            Err(e) => fail(e, ctx),
        }
        self.cursor = self.cursor.min(self.conflicts.len().saturating_sub(1));
    }

    fn take(&mut self, ctx: &mut Ctx, side: usize) {
        let Some(c) = self.conflicts.get(self.cursor) else {
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
}

impl Screen for Sync {
    fn title(&self, ctx: &Ctx) -> String {
        tr!(
            "同步：冲突、重复入户、待补",
            "sync: conflicts, duplicates, gaps"
        )
        .get(ctx.lang)
        .to_string()
    }

    fn mode(&self) -> Mode {
        Mode::Sync
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => {
                self.cursor = (self.cursor + 1).min(self.conflicts.len().saturating_sub(1))
            }
            Action::TakeSide => self.take(ctx, 1),
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    fn available(&self, _ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::TakeSide => !self.conflicts.is_empty(),
            _ => true,
        }
    }

    fn type_key(&mut self, ctx: &mut Ctx, code: ratatui::crossterm::event::KeyCode) -> Nav {
        if let ratatui::crossterm::event::KeyCode::Char(c @ '2'..='9') = code {
            self.take(ctx, c as usize - '0' as usize);
        }
        Nav::Stay
    }

    fn resumed(&mut self, ctx: &mut Ctx) {
        self.reload(ctx);
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        f.render_widget(Paragraph::new(lines(self, ctx.lang, area)), area);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn lines(s: &Sync, lang: Lang, area: Rect) -> Vec<Line<'static>> {
    let w = area.width as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    let heading = |t: Text| Line::from(Span::styled(truncate(t.get(lang), w), theme::heading()));
    if let Some(e) = &s.error {
        out.push(Line::from(Span::styled(
            truncate(&format!("! {}", e.get(lang)), w),
            theme::error(),
        )));
    }
    out.push(heading(tr!(
        "冲突 {} 个（两台电脑各改了同一答案，互不知情）",
        "conflicts: {} (one answer changed on two laptops, neither seeing the other)",
        s.conflicts.len()
    )));
    if s.conflicts.is_empty() {
        out.push(Line::from(Span::styled(
            tr!("  没有冲突", "  none").get(lang).to_string(),
            theme::dim(),
        )));
    }
    for (i, c) in s.conflicts.iter().enumerate() {
        let selected = i == s.cursor;
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
            if selected { "> " } else { "  " },
            c.household_id,
            c.head_name.clone().unwrap_or_default(),
            c.question.get(lang),
            row
        );
        let style = if selected {
            theme::selected()
        } else {
            Default::default()
        };
        out.push(Line::from(Span::styled(truncate(&title, w), style)));
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
            out.push(Line::from(truncate(&text, w)));
        }
    }
    out.push(Line::default());
    out.push(heading(tr!(
        "重复入户 {} 户",
        "households visited more than once: {}",
        s.duplicates.len()
    )));
    for d in &s.duplicates {
        let how = match d.settled {
            Settled::Chosen => tr!("组长已选定", "chosen by the team lead"),
            Settled::Latest => tr!(
                "尚未选定，暂用最新完成的一次（ruhu sync choose ID）",
                "not chosen: the latest completed counts (ruhu sync choose ID)"
            ),
        };
        let text = format!(
            "  {}  {}  {}",
            d.households.join(" = "),
            tr!("{} 次", "{} visits", d.interviews.len()).get(lang),
            how.get(lang)
        );
        out.push(Line::from(truncate(&text, w)));
    }
    out.push(Line::default());
    let held = tr!(
        "暂存待用 {} 份（本机没有它们的问卷版本；有了之后导入时自动补上）",
        "held aside: {} (this store lacks their questionnaire version; applied once it is here)",
        s.held
    );
    for l in wrap(held.get(lang), w) {
        out.push(Line::from(Span::styled(l, theme::heading())));
    }
    if s.gaps.is_empty() {
        out.push(Line::from(
            tr!(
                "各台电脑的记录都已收齐",
                "every laptop's events have arrived"
            )
            .get(lang)
            .to_string(),
        ));
    }
    for g in &s.gaps {
        let t = tr!(
            "设备 {}：{}–{} 尚未收到",
            "device {}: {}–{} not received yet",
            short_device(&g.device_id),
            g.first,
            g.last
        );
        out.push(Line::from(Span::styled(
            truncate(t.get(lang), w),
            theme::warn(),
        )));
    }
    out
}

/// A device id as people compare them: its first 8 characters.
fn short_device(id: &str) -> String {
    id.chars().take(8).collect()
}
