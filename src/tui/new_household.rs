//! The form for a household the registry does not know (a census visit): the head's name,
//! and its village chosen from the villages the registry knows. A new village only on
//! purpose, confirmed.

use std::any::Any;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::ctx::{Ctx, new_household_text};
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::screen::{Nav, Screen};
use super::text::{input_request, truncate, width, wrap};
use super::{interview, theme};
use crate::i18n::Text;
use crate::tr;

/// Villages listed under the village field at most.
const SHOWN_VILLAGES: usize = 6;

/// The new-household form.
pub struct NewHousehold {
    pub head: Input,
    /// What is typed in the village field: it narrows the villages listed.
    pub village: Input,
    pub on_village: bool,
    /// The villages the registry knows, sorted.
    villages: Vec<String>,
    /// The village picked among those listed.
    choice: usize,
    /// A village the registry does not know, waiting for the cadre's yes.
    confirm_new: Option<String>,
    pub error: Option<Text>,
}

impl NewHousehold {
    /// The form; `villages` when the caller has them at hand, else the workspace's.
    pub fn new(ctx: &mut Ctx, villages: Option<Vec<String>>) -> NewHousehold {
        let villages = match villages {
            Some(v) => v,
            None => match ctx.ws.villages() {
                Ok(vs) => {
                    let mut names: Vec<String> = vs.into_iter().map(|v| v.village).collect();
                    names.sort();
                    names.dedup();
                    names
                }
                Err(e) => {
                    ctx.flash_error(e.message());
                    Vec::new()
                }
            },
        };
        NewHousehold {
            head: Input::default(),
            village: Input::default(),
            on_village: false,
            villages,
            choice: 0,
            confirm_new: None,
            error: None,
        }
    }

    /// The known villages that match what is typed (all of them when nothing is).
    pub fn matches(&self) -> Vec<&str> {
        let typed = self.village.value().trim();
        self.villages
            .iter()
            .map(String::as_str)
            .filter(|v| typed.is_empty() || v.contains(typed))
            .collect()
    }

    fn field(&mut self) -> &mut Input {
        if self.on_village {
            &mut self.village
        } else {
            &mut self.head
        }
    }

    fn edited(&mut self) {
        self.error = None;
        self.choice = 0;
    }

    /// Enters the household and opens its interview.
    fn enter(&mut self, ctx: &mut Ctx, village: &str) -> Nav {
        let head = self.head.value().trim().to_string();
        if let Some(why) = ctx.refusal(new_household_text()) {
            self.error = Some(why);
            return Nav::Stay;
        }
        match ctx.ws.new_household(&head, village) {
            Ok(h) => match interview::open(ctx, h) {
                Some(s) => Nav::Replace(s),
                None => Nav::Stay,
            },
            Err(e) => {
                self.error = Some(ctx.note_session_failure(&e));
                Nav::Stay
            }
        }
    }
}

impl Screen for NewHousehold {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("名单外农户", "new household").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        if self.confirm_new.is_some() {
            Mode::Confirm
        } else {
            Mode::NewHousehold
        }
    }

    fn has_typed_text(&self) -> bool {
        true
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if let Some(v) = self.confirm_new.clone() {
            return match action {
                Action::Yes => {
                    self.confirm_new = None;
                    self.enter(ctx, &v)
                }
                _ => {
                    self.confirm_new = None;
                    Nav::Stay
                }
            };
        }
        let n = self.matches().len();
        match action {
            Action::NextField => self.on_village = !self.on_village,
            Action::Up | Action::Down if !self.on_village => self.on_village = true,
            Action::Up if self.choice == 0 => self.on_village = false,
            Action::Up => self.choice -= 1,
            Action::Down => self.choice = (self.choice + 1).min(n.saturating_sub(1)),
            Action::Back => return Nav::Pop,
            Action::Confirm => {
                let head = self.head.value().trim().to_string();
                let typed = self.village.value().trim().to_string();
                if head.is_empty() {
                    self.error = Some(tr!("请填写户主姓名", "enter the head's name"));
                    self.on_village = false;
                    return Nav::Stay;
                }
                if !self.on_village {
                    self.on_village = true;
                    return Nav::Stay;
                }
                let exact = self.villages.iter().find(|v| **v == typed).cloned();
                let picked =
                    exact.or_else(|| self.matches().get(self.choice).map(|s| s.to_string()));
                match picked {
                    Some(v) => return self.enter(ctx, &v),
                    None if typed.is_empty() => {
                        self.error = Some(tr!("请填写村名", "enter the village"));
                    }
                    None => self.confirm_new = Some(typed),
                }
            }
            _ => {}
        }
        Nav::Stay
    }

    fn type_key(&mut self, _ctx: &mut Ctx, code: KeyCode) -> Nav {
        if self.confirm_new.is_some() {
            return Nav::Stay;
        }
        if let Some(req) = input_request(code) {
            self.field().handle(req);
            self.edited();
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        let p = paste::insert(self.field(), text, paste::MAX_NAME_CHARS);
        self.edited();
        Some(p)
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, ctx, self, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn draw(f: &mut Frame, ctx: &Ctx, form: &NewHousehold, area: Rect) {
    let lang = ctx.lang;
    let w = area.width as usize;
    let mut lines = vec![
        Line::from(Span::styled(
            truncate(
                tr!(
                    " 登记建档立卡名单外的农户（普查村民小组时）",
                    " A household the registry does not know (census)"
                )
                .get(lang),
                w,
            ),
            theme::heading(),
        )),
        Line::from(truncate(
            tr!(
                " 将分配临时户编号，并按非贫困户问卷调查。",
                " It gets a provisional id and the non-poor questionnaire."
            )
            .get(lang),
            w,
        )),
        Line::default(),
    ];
    let fields = [
        (
            tr!(" 户主姓名：", " head's name: "),
            &form.head,
            !form.on_village,
        ),
        (
            tr!(" 村（输入几个字挑选）：", " village (type to narrow): "),
            &form.village,
            form.on_village,
        ),
    ];
    let mut cursor = None;
    for (label, input, focused) in fields.iter() {
        let label = label.get(lang).to_string();
        let y = area.y + lines.len() as u16;
        if *focused {
            cursor = Some(Position::new(
                area.x + (width(&label) + input.visual_cursor()) as u16,
                y,
            ));
        }
        let style = if *focused {
            theme::selected()
        } else {
            Default::default()
        };
        let avail = w.saturating_sub(width(&label) + 1);
        lines.push(Line::from(vec![
            Span::raw(label),
            Span::styled(format!("{} ", truncate(input.value(), avail)), style),
        ]));
    }
    let matches = form.matches();
    if form.on_village {
        if matches.is_empty() {
            lines.push(Line::from(Span::styled(
                truncate(
                    tr!(
                        "   名单上没有这个村；按 Enter 可以新建（要确认）",
                        "   no such village in the registry; Enter makes a new one (asks first)"
                    )
                    .get(lang),
                    w,
                ),
                theme::warn(),
            )));
        }
        let start = form.choice.saturating_sub(SHOWN_VILLAGES - 1);
        for (i, v) in matches.iter().enumerate().skip(start).take(SHOWN_VILLAGES) {
            let text = truncate(&format!("   {v}"), w);
            let style = if i == form.choice {
                theme::selected()
            } else {
                Default::default()
            };
            lines.push(Line::from(Span::styled(text, style)));
        }
        if matches.len() > SHOWN_VILLAGES {
            lines.push(Line::from(Span::styled(
                truncate(
                    tr!(
                        "   共 {} 个村，↑↓ 挑选",
                        "   {} villages, ↑↓ to pick",
                        matches.len()
                    )
                    .get(lang),
                    w,
                ),
                theme::dim(),
            )));
        }
    }
    if let Some(v) = &form.confirm_new {
        lines.push(Line::default());
        let t = tr!(
            "「{}」不是名单上的村。新建这个村吗？按 y 新建，n 或 Esc 回去挑选",
            "“{}” is not a village of the registry. Make it a new village? y makes it, n or Esc goes back",
            v
        );
        for l in wrap(t.get(lang), w.saturating_sub(2)) {
            lines.push(Line::from(Span::styled(format!(" {l}"), theme::warn())));
        }
    }
    if let Some(e) = &form.error {
        lines.push(Line::default());
        for l in wrap(&format!("! {}", e.get(lang)), w.saturating_sub(2)) {
            lines.push(Line::from(Span::styled(format!(" {l}"), theme::error())));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(p) = cursor
        && p.y < area.bottom()
        && form.confirm_new.is_none()
    {
        f.set_cursor_position(Position::new(p.x.min(area.right().saturating_sub(1)), p.y));
    }
}
