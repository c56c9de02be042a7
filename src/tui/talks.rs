//! The cadre talks screen (交流座谈): the knowledge questions answered right per role or per
//! township, and the people to prepare again with what they answered and what the registry
//! or the settings say (`crate::talks`). Read only; `g` switches the grouping, the arrows
//! scroll.

use std::any::Any;
use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::screen::{Nav, Screen};
use super::text::{pad, wrap};
use super::theme;
use crate::i18n::Lang;
use crate::talks::{Group, Summary};
use crate::tr;

pub struct Talks {
    summary: Summary,
    /// Per township rather than per role.
    by_township: bool,
    /// The first line shown.
    scroll: usize,
    /// The last first line the latest drawing allowed (so that scrolling stops at the end).
    max_scroll: Cell<usize>,
}

/// Opens the screen, or says why it cannot.
pub fn open(ctx: &mut Ctx) -> Option<Box<dyn Screen>> {
    if !super::findings::rules_ok(ctx) {
        return None;
    }
    let rec = ctx.reconciler.as_ref().ok()?;
    match ctx.ws.talks(&rec.settings) {
        Ok(summary) => Some(Box::new(Talks {
            summary,
            by_township: false,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
        })),
        Err(e) => {
            ctx.flash_error(e.message());
            None
        }
    }
}

fn share(g: &Group) -> String {
    g.share
        .map_or_else(|| "—".to_string(), |s| format!("{:.0}%", s * 100.0))
}

impl Talks {
    /// Every line of the screen at `width` cells.
    fn lines(&self, lang: Lang, width: usize) -> Vec<Line<'static>> {
        let s = &self.summary;
        let mut out = vec![Line::from(Span::styled(
            tr!(
                "已完成干部访谈 {} 人（另有 {} 次未完成，不计）",
                "{} cadre talks completed ({} not completed, not counted)",
                s.talks,
                s.in_progress
            )
            .get(lang)
            .to_string(),
            theme::heading(),
        ))];
        if s.talks == 0 {
            let t = tr!(
                "还没有完成的干部访谈。按考核组的问法演练一次访谈，把答案写成文件（问卷 cadre），用 ruhu interview apply --answers 文件 --complete 录入；README 的「干部访谈」一节有示例。",
                "No completed cadre talk yet. Rehearse a talk as the assessors ask, write the answers to a file (questionnaire cadre) and enter it with ruhu interview apply --answers FILE --complete; the README's \"Cadre talks\" section has an example."
            );
            for l in wrap(t.get(lang), width.saturating_sub(1)) {
                out.push(Line::from(Span::styled(l, theme::ok())));
            }
            return out;
        }
        out.push(Line::default());
        let (title, groups) = if self.by_township {
            (tr!("乡镇", "township"), &s.by_township)
        } else {
            (tr!("身份", "role"), &s.by_role)
        };
        let name_width = width.saturating_sub(4 * 11).clamp(12, 40);
        let mut head = pad(title.get(lang), name_width);
        for h in [
            tr!("人数", "people"),
            tr!("答对/题数", "right/all"),
            tr!("答对率", "right"),
            tr!("需再准备", "prepare"),
        ] {
            head.push_str(&pad(h.get(lang), 11));
        }
        out.push(Line::from(Span::styled(
            head.trim_end().to_string(),
            theme::dim(),
        )));
        for g in groups {
            // A long name wraps; the figures stand on its first line.
            let names = wrap(g.label.get(lang), name_width.saturating_sub(1));
            for (i, n) in names.iter().enumerate() {
                let mut line = pad(n, name_width);
                if i == 0 {
                    for c in [
                        g.people.to_string(),
                        format!("{}/{}", g.right, g.scored),
                        share(g),
                        g.to_prepare.to_string(),
                    ] {
                        line.push_str(&pad(&c, 11));
                    }
                }
                out.push(Line::from(line.trim_end().to_string()));
            }
        }
        out.push(Line::default());
        if s.to_prepare.is_empty() {
            out.push(Line::from(Span::styled(
                tr!(
                    "每个人的知识题都答对了（或无法核对）。",
                    "Everyone answered the knowledge questions right (or they cannot be checked)."
                )
                .get(lang)
                .to_string(),
                theme::ok(),
            )));
            return out;
        }
        out.push(Line::from(Span::styled(
            tr!("需再准备的人", "People to prepare again")
                .get(lang)
                .to_string(),
            theme::heading(),
        )));
        for p in &s.to_prepare {
            let role = p
                .role
                .map(|r| r.label().get(lang).to_string())
                .unwrap_or_default();
            let place: Vec<&str> = [&p.township, &p.village]
                .into_iter()
                .map(String::as_str)
                .filter(|x| !x.is_empty())
                .collect();
            let who = format!("{}（{}，{}）", p.name, role, place.join(" "));
            for l in wrap(&who, width.saturating_sub(2)) {
                out.push(Line::from(Span::styled(format!(" {l}"), theme::warn())));
            }
            for c in p.wrong() {
                let t = format!(
                    "{}：{}；{}",
                    c.label.get(lang),
                    c.answered.get(lang),
                    c.expected.get(lang)
                );
                for l in wrap(&t, width.saturating_sub(4)) {
                    out.push(Line::from(format!("   {l}")));
                }
            }
        }
        out
    }
}

impl Screen for Talks {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("干部访谈", "cadre talks").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        Mode::Talks
    }

    fn act(&mut self, _ctx: &mut Ctx, action: Action) -> Nav {
        match action {
            Action::Back => return Nav::Pop,
            Action::CycleGroup => {
                self.by_township = !self.by_township;
                self.scroll = 0;
            }
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll += 1,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::PageDown => self.scroll += 10,
            Action::First => self.scroll = 0,
            _ => {}
        }
        self.scroll = self.scroll.min(self.max_scroll.get());
        Nav::Stay
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        let block = Block::default().borders(Borders::ALL).title(
            tr!(" 干部访谈：知识题答对情况 ", " Cadre talks: knowledge ")
                .get(ctx.lang)
                .to_string(),
        );
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines = self.lines(ctx.lang, inner.width as usize);
        let height = inner.height as usize;
        let max = lines.len().saturating_sub(height);
        self.max_scroll.set(max);
        let top = self.scroll.min(max);
        let shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
        f.render_widget(Paragraph::new(shown), inner);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
