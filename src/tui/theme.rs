//! Styles. Focus and errors never rely on colour alone (reverse, bold, a `!` prefix), and
//! `NO_COLOR` turns colour off.

use ratatui::style::{Color, Modifier, Style};

fn color_on() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn fg(c: Color) -> Style {
    if color_on() {
        Style::default().fg(c)
    } else {
        Style::default()
    }
}

pub fn title() -> Style {
    Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

pub fn heading() -> Style {
    fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    fg(Color::DarkGray)
}

pub fn error() -> Style {
    fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn ok() -> Style {
    fg(Color::Green)
}

pub fn warn() -> Style {
    fg(Color::Yellow)
}
