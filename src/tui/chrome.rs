//! The frame around every screen: title bar, key-hint bar (from the key map), status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use super::keymap;
use super::text::{truncate, width, wrap};
use super::theme;
use crate::i18n::Lang;

/// Splits the screen into title, body, hints and status; draws all but the body.
pub fn frame(f: &mut Frame, app: &App, title: &str, status: Option<Line<'static>>) -> Rect {
    let area = f.area();
    let banner = banner_lines(app, area.width as usize, area.height.saturating_sub(3) / 2);
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
    if app.counts.demo {
        t.push_str(match app.lang {
            Lang::Zh => " · 演示数据",
            Lang::En => " · demo data (演示数据)",
        });
    }
    f.render_widget(
        Paragraph::new(truncate(&t, top.width as usize)).style(theme::title()),
        top,
    );
    f.render_widget(hint_bar(app, hints.width as usize), hints);
    let line = match (&app.flash, status) {
        (Some((t, err)), _) => {
            let prefix = if *err { "! " } else { "" };
            Line::from(Span::styled(
                truncate(
                    &format!("{prefix}{}", t.get(app.lang)),
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
fn banner_lines(app: &App, w: usize, max: u16) -> Vec<Line<'static>> {
    let Some(text) = app.banner() else {
        return Vec::new();
    };
    let max = usize::from(max.max(1));
    let mut lines: Vec<String> = wrap(text.get(app.lang), w.saturating_sub(2));
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
fn hint_bar(app: &App, max: usize) -> Paragraph<'static> {
    let all = keymap::hints(app.mode());
    let is_help = |k: &str| k == "?" || k == "F1";
    let help = all.iter().find(|(k, _)| is_help(k)).cloned();
    let item_w =
        |(key, does): &(&str, crate::i18n::Text)| width(&format!(" {key} {} ", does.get(app.lang)));
    let mut budget = max.saturating_sub(help.as_ref().map_or(0, item_w));
    let mut items = Vec::new();
    for item in all.iter().filter(|(k, _)| !is_help(k)) {
        let w = item_w(item);
        if w > budget {
            break;
        }
        budget -= w;
        items.push(item.clone());
    }
    items.extend(help);
    let mut spans = Vec::new();
    for (key, does) in items {
        spans.push(Span::styled(
            format!(" {key}"),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {} ", does.get(app.lang))));
    }
    Paragraph::new(Line::from(spans))
}
