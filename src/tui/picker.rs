//! Picking one of many (the villages of a county, its townships, the interviewers): a list
//! with a count beside each entry and a search line that narrows it as one types (Chinese
//! through paste or an input method too). A screen owns one while it is open and draws it
//! over itself; the first entry, 全部, clears the choice.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;

use super::keymap::Action;
use super::paste::{self, Pasted};
use super::text::{input_request, pad, truncate, width};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::tr;

/// One entry: what is shown, a note beside it (the counts), the value picked.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub label: String,
    pub note: String,
    pub value: T,
}

/// What an action did to the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked<T> {
    /// Still open.
    Open,
    /// Closed without a choice (Esc).
    Cancelled,
    /// Closed with a choice: `None` is 全部 (no filter).
    Chosen(Option<T>),
}

/// The open picker.
#[derive(Debug)]
pub struct Picker<T> {
    title: Text,
    entries: Vec<Entry<T>>,
    search: Input,
    /// Indexes of the entries the search keeps; the 全部 line is not among them.
    shown: Vec<usize>,
    /// 0 is 全部, then `shown`.
    cursor: usize,
    offset: Cell<usize>,
}

impl<T: Clone + PartialEq> Picker<T> {
    /// A picker over `entries`, the cursor on `current` (or on 全部).
    pub fn new(title: Text, entries: Vec<Entry<T>>, current: Option<&T>) -> Picker<T> {
        let cursor = current
            .and_then(|c| entries.iter().position(|e| &e.value == c))
            .map_or(0, |i| i + 1);
        Picker {
            title,
            shown: (0..entries.len()).collect(),
            entries,
            search: Input::default(),
            cursor,
            offset: Cell::new(0),
        }
    }

    /// How many entries the search keeps (全部 not counted).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    fn refilter(&mut self) {
        let q = self.search.value().trim().to_lowercase();
        self.shown = (0..self.entries.len())
            .filter(|&i| q.is_empty() || self.entries[i].label.to_lowercase().contains(&q))
            .collect();
        // With a search, the first match is where Enter goes.
        self.cursor = if q.is_empty() {
            0
        } else {
            usize::from(!self.shown.is_empty())
        };
    }

    /// Moves, picks or cancels.
    pub fn act(&mut self, action: Action) -> Picked<T> {
        let last = self.shown.len();
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(last),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(10),
            Action::PageDown => self.cursor = (self.cursor + 10).min(last),
            Action::First => self.cursor = 0,
            Action::Last => self.cursor = last,
            Action::Confirm => {
                return Picked::Chosen(match self.cursor {
                    0 => None,
                    n => self
                        .shown
                        .get(n - 1)
                        .map(|&i| self.entries[i].value.clone()),
                });
            }
            Action::Back => return Picked::Cancelled,
            _ => {}
        }
        Picked::Open
    }

    /// A typed key: into the search.
    pub fn type_key(&mut self, code: KeyCode) {
        if let Some(req) = input_request(code) {
            self.search.handle(req);
            self.refilter();
        }
    }

    /// Pasted text: into the search, once.
    pub fn paste(&mut self, text: &str) -> Pasted {
        let p = paste::insert(&mut self.search, text, paste::MAX_SEARCH_CHARS);
        self.refilter();
        p
    }

    /// Draws the picker in a box over `area` and puts the cursor in its search line.
    pub fn draw(&self, f: &mut Frame, lang: Lang, area: Rect) {
        let w = area.width.saturating_sub(4).max(10);
        let h = area.height.saturating_sub(2).max(5);
        let rect = Rect {
            x: area.x + (area.width.saturating_sub(w)) / 2,
            y: area.y + (area.height.saturating_sub(h)) / 2,
            width: w.min(area.width),
            height: h.min(area.height),
        };
        f.render_widget(Clear, rect);
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {}（{}）",
            self.title.get(lang),
            tr!("共 {} 个", "{} in all", self.entries.len()).get(lang)
        ));
        let inner = block.inner(rect);
        f.render_widget(block, rect);
        let cw = inner.width as usize;
        let label = tr!("输入以查找：", "type to search: ");
        let label = label.get(lang);
        let mut lines = vec![Line::from(vec![
            Span::styled(label.to_string(), theme::heading()),
            Span::raw(truncate(
                self.search.value(),
                cw.saturating_sub(width(label)),
            )),
        ])];
        let rows = (inner.height as usize).saturating_sub(1);
        let total = self.shown.len() + 1;
        let mut offset = self.offset.get().min(total.saturating_sub(1));
        if self.cursor < offset {
            offset = self.cursor;
        } else if rows > 0 && self.cursor >= offset + rows {
            offset = self.cursor + 1 - rows;
        }
        self.offset.set(offset);
        for pos in offset..(offset + rows).min(total) {
            let (text, note) = if pos == 0 {
                (tr!("全部", "all").get(lang).to_string(), String::new())
            } else {
                let e = &self.entries[self.shown[pos - 1]];
                (e.label.clone(), e.note.clone())
            };
            let note_w = width(&note);
            let text_w = cw.saturating_sub(note_w + 2).max(4);
            let line = format!(" {} {note}", pad(&text, text_w));
            let style = if pos == self.cursor {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            lines.push(Line::from(Span::styled(pad(&line, cw), style)));
        }
        if self.shown.is_empty() {
            lines.push(Line::from(Span::styled(
                tr!(" 没有符合的", " nothing matches").get(lang).to_string(),
                theme::warn(),
            )));
        }
        f.render_widget(Paragraph::new(lines), inner);
        let x =
            inner.x + (width(label) + self.search.visual_cursor()).min(cw.saturating_sub(1)) as u16;
        f.set_cursor_position(Position::new(x, inner.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn villages() -> Picker<String> {
        let names = ["清溪村", "桂花村", "清溪村第三村民小组", "石门村"];
        let entries = names
            .iter()
            .map(|n| Entry {
                label: n.to_string(),
                note: "3 项".into(),
                value: n.to_string(),
            })
            .collect();
        Picker::new(tr!("村", "village"), entries, None)
    }

    #[test]
    fn typing_narrows_the_list_and_enter_picks_the_first_match() {
        let mut p = villages();
        assert_eq!(p.len(), 4);
        p.paste("清溪");
        assert_eq!(p.len(), 2);
        p.type_key(KeyCode::Char('村'));
        p.type_key(KeyCode::Char('第'));
        assert_eq!(p.len(), 1);
        assert_eq!(
            p.act(Action::Confirm),
            Picked::Chosen(Some("清溪村第三村民小组".to_string()))
        );
    }

    #[test]
    fn the_first_line_clears_the_choice_and_esc_cancels() {
        let mut p = villages();
        assert_eq!(p.act(Action::Last), Picked::Open);
        assert_eq!(
            p.act(Action::Confirm),
            Picked::Chosen(Some("石门村".into()))
        );
        assert_eq!(p.act(Action::First), Picked::Open);
        assert_eq!(p.act(Action::Confirm), Picked::Chosen(None));
        assert_eq!(p.act(Action::Back), Picked::Cancelled);
        p.paste("不存在");
        assert!(p.is_empty());
        p.act(Action::Down);
        assert_eq!(p.act(Action::Confirm), Picked::Chosen(None));
    }

    #[test]
    fn opens_on_the_current_choice() {
        let entries = vec![
            Entry {
                label: "a".into(),
                note: String::new(),
                value: 1,
            },
            Entry {
                label: "b".into(),
                note: String::new(),
                value: 2,
            },
        ];
        let mut p = Picker::new(tr!("村", "village"), entries, Some(&2));
        assert_eq!(p.act(Action::Confirm), Picked::Chosen(Some(2)));
    }
}
