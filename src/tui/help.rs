//! The `?` help: the keys of the current screen, generated from the key map.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::keymap::{self, Mode};
use super::text::{pad, truncate};
use super::theme;
use crate::i18n::Lang;
use crate::tr;

pub fn draw(f: &mut Frame, mode: Mode, lang: Lang, area: Rect) {
    let entries = keymap::help(mode);
    let w = area.width.saturating_sub(4).min(70);
    let h = (entries.len() as u16 + 3).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let inner_w = w.saturating_sub(2) as usize;
    let lines: Vec<Line> = entries
        .iter()
        .map(|(k, does)| {
            Line::from(vec![
                Span::styled(pad(k, 18), theme::heading()),
                Span::raw(truncate(does.get(lang), inner_w.saturating_sub(18))),
            ])
        })
        .collect();
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default().borders(Borders::ALL).title(
                tr!(" 按键帮助（Esc 关闭）", " Keys (Esc closes) ")
                    .get(lang)
                    .to_string(),
            ),
        ),
        rect,
    );
}
