//! The `?` help: the keys of the current screen and the global keys, generated from the key
//! map, with the actions that cannot be taken now marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::keymap::{self, Action, Mode};
use super::text::{pad, truncate, width};
use super::theme;
use crate::i18n::Lang;
use crate::tr;

/// The help of the screen read in `mode`, over `area`; `available` says which actions can
/// be taken now.
pub fn draw(f: &mut Frame, lang: Lang, mode: Mode, available: &dyn Fn(Action) -> bool, area: Rect) {
    let entries = keymap::help(mode);
    let w = area.width.saturating_sub(4).min(76);
    let h = (entries.len() as u16 + 3).min(area.height);
    if w < 4 || h < 3 {
        return;
    }
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let block = Block::default().borders(Borders::ALL).title(truncate(
        tr!(" 按键帮助（Esc 关闭）", " Keys (Esc closes) ").get(lang),
        w.saturating_sub(2) as usize,
    ));
    let inner = block.inner(rect);
    let inner_w = inner.width as usize;
    let key_w = entries
        .iter()
        .map(|e| width(&e.keys) + 2)
        .max()
        .unwrap_or(0)
        .min(inner_w / 2);
    let off = tr!("（现在不可用）", " (not available now)");
    let lines: Vec<Line> = entries
        .iter()
        .map(|e| {
            let on = available(e.action);
            let does = if on {
                e.does.get(lang).to_string()
            } else {
                format!("× {}{}", e.does.get(lang), off.get(lang))
            };
            let style = if on { Default::default() } else { theme::dim() };
            // Every cell of the line is written inside the borders, wide characters included.
            Line::from(vec![
                Span::styled(pad(&e.keys, key_w), theme::heading()),
                Span::styled(pad(&does, inner_w.saturating_sub(key_w)), style),
            ])
        })
        .collect();
    // One more column cleared on each side: a wide character standing across the box's edge
    // would otherwise cover its border.
    let left = rect.x.saturating_sub(1).max(area.x);
    let right = (rect.right() + 1).min(area.right());
    f.render_widget(Clear, Rect::new(left, rect.y, right - left, rect.height));
    f.render_widget(block, rect);
    f.render_widget(Paragraph::new(lines), inner);
}
