//! The frame around every screen: title bar, key-hint bar (from the key map), status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use super::keymap;
use super::text::{truncate, width};
use super::theme;
use crate::i18n::Lang;

/// Splits the screen into title, body, hints and status; draws all but the body.
pub fn frame(f: &mut Frame, app: &App, title: &str, status: Option<Line<'static>>) -> Rect {
    let area = f.area();
    let [top, body, hints, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
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

fn hint_bar(app: &App, max: usize) -> Paragraph<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, does) in keymap::hints(app.mode()) {
        let item = format!(" {key} {} ", does.get(app.lang));
        let w = width(&item);
        if used + w > max {
            break;
        }
        used += w;
        spans.push(Span::styled(
            format!(" {key}"),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {} ", does.get(app.lang))));
    }
    Paragraph::new(Line::from(spans))
}
