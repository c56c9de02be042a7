//! The frame around every screen: title bar, key-hint bar (from the key map), status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::ctx::Ctx;
use super::keymap::{self, Action, Mode};
use super::text::{truncate, width, wrap};
use super::theme;
use crate::i18n::Lang;

/// What the frame shows of the screen on top: how keys are read now and which actions can
/// be taken.
pub struct Keys<'a> {
    pub mode: Mode,
    pub available: &'a dyn Fn(Action) -> bool,
}

/// Splits the screen into title, body, hints and status; draws all but the body.
pub fn frame(
    f: &mut Frame,
    ctx: &Ctx,
    keys: &Keys<'_>,
    title: &str,
    status: Option<Line<'static>>,
) -> Rect {
    let area = f.area();
    let banner = banner_lines(ctx, area.width as usize, area.height.saturating_sub(3) / 2);
    let [top, warning, body, hints, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(banner), warning);
    let mut t = format!(" 入户 ruhu · {title}");
    if ctx.counts.demo {
        t.push_str(match ctx.lang {
            Lang::Zh => " · 演示数据",
            Lang::En => " · demo data (演示数据)",
        });
    }
    f.render_widget(
        Paragraph::new(truncate(&t, top.width as usize)).style(theme::title()),
        top,
    );
    f.render_widget(hint_bar(ctx.lang, keys, hints.width as usize), hints);
    let line = match (&ctx.flash, status) {
        (Some((t, err)), _) => {
            let prefix = if *err { "! " } else { "" };
            Line::from(Span::styled(
                truncate(
                    &format!("{prefix}{}", t.get(ctx.lang)),
                    bottom.width as usize,
                ),
                if *err { theme::error() } else { theme::ok() },
            ))
        }
        (None, Some(l)) => l,
        (None, None) => Line::default(),
    };
    f.render_widget(Paragraph::new(line), bottom);
    body
}

/// The banner about the store's trouble (read-only, folder gone), wrapped to the width and
/// cut to `max` lines; none when there is no trouble. Marked by `!` and bold, not only by
/// colour.
fn banner_lines(ctx: &Ctx, w: usize, max: u16) -> Vec<Line<'static>> {
    let Some(text) = ctx.banner() else {
        return Vec::new();
    };
    let max = usize::from(max.max(1));
    let mut lines: Vec<String> = wrap(text.get(ctx.lang), w.saturating_sub(2));
    if lines.len() > max {
        // The rest joins the last line kept, which is then cut (ending in `~`).
        let rest: String = lines.split_off(max).concat();
        if let Some(last) = lines.last_mut() {
            last.push_str(&rest);
            *last = truncate(last, w.saturating_sub(2));
        }
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = if i == 0 { "! " } else { "  " };
            Line::from(Span::styled(
                truncate(&format!("{prefix}{l}"), w),
                theme::error(),
            ))
        })
        .collect()
}

/// The key hints of the current screen that fit; the help key is always kept (last), so that
/// every other key can be found from it.
///
/// An action that cannot be taken now is dimmed, without the reverse key cap, and marked
/// with `×` (not by colour alone).
fn hint_bar(lang: Lang, keys: &Keys<'_>, max: usize) -> Paragraph<'static> {
    let mode = keys.mode;
    let all = keymap::hints(mode);
    let is_help = |e: &keymap::Entry| e.action == Action::Help;
    let help = all.iter().find(|e| is_help(e)).cloned();
    let on = |e: &keymap::Entry| mode == Mode::Help || (keys.available)(e.action);
    let label = |e: &keymap::Entry| {
        let mark = if on(e) { "" } else { "×" };
        format!(" {}{mark} ", e.does.get(lang))
    };
    let item_w = |e: &keymap::Entry| width(&format!(" {}", e.keys)) + width(&label(e));
    let mut budget = max.saturating_sub(help.as_ref().map_or(0, item_w));
    let mut items = Vec::new();
    for item in all.iter().filter(|e| !is_help(e)) {
        let w = item_w(item);
        if w > budget {
            break;
        }
        budget -= w;
        items.push(item.clone());
    }
    items.extend(help);
    let mut spans = Vec::new();
    for e in items {
        let (cap, text) = if on(&e) {
            (
                Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
                Style::default(),
            )
        } else {
            (theme::dim(), theme::dim())
        };
        spans.push(Span::styled(format!(" {}", e.keys), cap));
        spans.push(Span::styled(label(&e), text));
    }
    Paragraph::new(Line::from(spans))
}

/// The smallest body a screen is drawn in.
pub const MIN_BODY: (u16, u16) = (30, 6);

/// When the body is smaller than [`MIN_BODY`], says so in it (and true): nothing is drawn
/// squeezed or cut beyond reading.
pub fn too_small(f: &mut Frame, lang: Lang, body: Rect) -> bool {
    if body.width >= MIN_BODY.0 && body.height >= MIN_BODY.1 {
        return false;
    }
    let area = f.area();
    let t = crate::tr!(
        "终端窗口太小（现在 {}×{}，至少要 {}×{}），请把窗口放大",
        "the terminal is too small ({}×{}; at least {}×{} is needed): make the window bigger",
        area.width,
        area.height,
        MIN_BODY.0,
        MIN_BODY.1 + 3
    );
    let lines: Vec<Line> = wrap(t.get(lang), body.width.max(2) as usize)
        .into_iter()
        .take(body.height.max(1) as usize)
        .map(|l| Line::from(Span::styled(l, theme::warn())))
        .collect();
    f.render_widget(Paragraph::new(lines), body);
    true
}
