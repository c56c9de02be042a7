//! The team screen, for the team lead: how far the interviews have got with the sample (per
//! village), and the interviews to review, completed ones first; `a` approves the one
//! selected, `r` returns it with a comment typed here.

use std::any::Any;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::paste::{self, Pasted};
use super::screen::{Nav, Screen};
use super::text::{input_request, pad, truncate, width};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::interview::{Decision, InterviewRecord, Review, Status};
use crate::sample::coverage::Coverage;
use crate::tr;

/// Villages of the coverage shown above the interviews.
const VILLAGE_ROWS: usize = 6;

/// The team screen's state.
pub struct Team {
    coverage: Option<Coverage>,
    interviews: Vec<InterviewRecord>,
    /// Head names by household id, for the rows.
    heads: std::collections::HashMap<String, String>,
    cursor: usize,
    /// The comment being typed for a return, when one is.
    comment: Option<Input>,
    error: Option<Text>,
}

/// The order interviews are reviewed in: completed (waiting for the lead), returned, in
/// progress, approved; then the latest change first.
fn rank(s: Status) -> u8 {
    match s {
        Status::Completed => 0,
        Status::Returned => 1,
        Status::InProgress => 2,
        Status::Approved => 3,
    }
}

impl Team {
    pub fn open(ctx: &mut Ctx) -> Team {
        let mut t = Team {
            coverage: None,
            interviews: Vec::new(),
            heads: Default::default(),
            cursor: 0,
            comment: None,
            error: None,
        };
        t.reload(ctx);
        t
    }

    fn reload(&mut self, ctx: &mut Ctx) {
        self.error = None;
        match ctx.ws.coverage() {
            Ok(c) => self.coverage = c,
            Err(e) => self.error = Some(ctx.note_failure(&e)),
        }
        match ctx
            .ws
            .interview_results()
            .collect::<Result<Vec<InterviewRecord>, _>>()
        {
            Ok(mut all) => {
                all.sort_by(|a, b| {
                    rank(a.status)
                        .cmp(&rank(b.status))
                        .then(b.updated_at.cmp(&a.updated_at))
                });
                for r in &all {
                    if !self.heads.contains_key(&r.household_id)
                        && let Ok(h) = ctx.ws.household(&r.household_id)
                    {
                        self.heads.insert(r.household_id.clone(), h.head_name);
                    }
                }
                self.interviews = all;
            }
            Err(e) => self.error = Some(ctx.note_failure(&e)),
        }
        self.cursor = self.cursor.min(self.interviews.len().saturating_sub(1));
    }

    fn selected(&self) -> Option<&InterviewRecord> {
        self.interviews.get(self.cursor)
    }

    /// Saves a review of the selected interview; says what happened.
    fn decide(&mut self, ctx: &mut Ctx, review: Review) {
        let Some(id) = self.selected().map(|r| r.interview_id) else {
            return;
        };
        if ctx.refused(tr!("审核调查", "review interviews")) {
            return;
        }
        let done = ctx
            .ws
            .resume(id)
            .map_err(|e| e.message())
            .and_then(|mut s| s.review(&ctx.ws, &review).map_err(|e| e.message()));
        match done {
            Ok(Ok(())) => {
                ctx.say(match review.decision {
                    Decision::Approve => tr!("已通过这份调查", "interview approved"),
                    Decision::Return => {
                        tr!(
                            "已退回这份调查，意见随下一个答卷包带回",
                            "interview returned: the comment travels back with the next bundle"
                        )
                    }
                });
                self.reload(ctx);
            }
            Ok(Err(status)) => ctx.flash_error(tr!(
                "这份调查现在{}，不能{}",
                "this interview is {} now: it cannot be {}",
                status.label().get(ctx.lang),
                match review.decision {
                    Decision::Approve => tr!(
                        "通过（只能通过已完成的调查）",
                        "approved (only a completed one can)"
                    ),
                    Decision::Return =>
                        tr!("退回（还没有完成过）", "returned (it was never completed)"),
                }
                .get(ctx.lang)
            )),
            Err(m) => ctx.flash_error(m),
        }
    }
}

impl Screen for Team {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("组长：进度与审核", "team lead: coverage and review")
            .get(ctx.lang)
            .to_string()
    }

    fn mode(&self) -> Mode {
        if self.comment.is_some() {
            Mode::TeamComment
        } else {
            Mode::Team
        }
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if let Some(input) = &self.comment {
            match action {
                Action::Confirm => {
                    let text = input.value().trim().to_string();
                    if text.is_empty() {
                        ctx.flash_error(tr!(
                            "退回要写明原因",
                            "a return says why: type the comment"
                        ));
                        return Nav::Stay;
                    }
                    self.comment = None;
                    self.decide(
                        ctx,
                        Review {
                            decision: Decision::Return,
                            comment: text,
                            questions: Default::default(),
                            by: String::new(),
                            at: None,
                        },
                    );
                }
                Action::Back => self.comment = None,
                _ => {}
            }
            return Nav::Stay;
        }
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => {
                self.cursor = (self.cursor + 1).min(self.interviews.len().saturating_sub(1))
            }
            Action::Approve => self.decide(
                ctx,
                Review {
                    decision: Decision::Approve,
                    comment: String::new(),
                    questions: Default::default(),
                    by: String::new(),
                    at: None,
                },
            ),
            Action::ReturnInterview if self.selected().is_some() => {
                self.comment = Some(Input::default());
            }
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    fn available(&self, _ctx: &Ctx, action: Action) -> bool {
        let status = self.selected().map(|r| r.status);
        match action {
            Action::Approve => status == Some(Status::Completed),
            Action::ReturnInterview => status.is_some_and(|s| s != Status::InProgress),
            _ => true,
        }
    }

    fn type_key(&mut self, _ctx: &mut Ctx, code: KeyCode) -> Nav {
        if let (Some(input), Some(req)) = (&mut self.comment, input_request(code)) {
            input.handle(req);
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        let input = self.comment.as_mut()?;
        Some(paste::insert(input, text, paste::MAX_NAME_CHARS * 8))
    }

    fn has_typed_text(&self) -> bool {
        self.comment.as_ref().is_some_and(|i| !i.value().is_empty())
    }

    fn resumed(&mut self, ctx: &mut Ctx) {
        self.reload(ctx);
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, self, ctx.lang, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn draw(f: &mut Frame, t: &Team, lang: Lang, area: Rect) {
    let w = area.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &t.error {
        lines.push(Line::from(Span::styled(
            truncate(&format!("! {}", e.get(lang)), w),
            theme::error(),
        )));
    }
    let counts_head = |first: &str| {
        let mut s = pad(first, 24);
        for h in [
            tr!("抽中", "drawn"),
            tr!("已调查", "visited"),
            tr!("已完成", "done"),
            tr!("已通过", "approved"),
            tr!("已退回", "returned"),
        ] {
            s.push_str(&pad(h.get(lang), 9));
        }
        s
    };
    match &t.coverage {
        None => lines.push(Line::from(Span::styled(
            truncate(
                tr!(
                    "还没有抽样（ruhu sample --seed N），没有进度可看",
                    "no sample drawn yet (ruhu sample --seed N): no coverage to show"
                )
                .get(lang),
                w,
            ),
            theme::dim(),
        ))),
        Some(c) => {
            lines.push(Line::from(Span::styled(
                truncate(&counts_head(tr!("村", "village").get(lang)), w),
                theme::heading(),
            )));
            let row = |name: String, k: &crate::sample::coverage::Counts| {
                let mut s = pad(&name, 24);
                for n in [k.drawn, k.interviewed, k.completed, k.approved, k.returned] {
                    s.push_str(&pad(&n.to_string(), 9));
                }
                truncate(&s, w)
            };
            for r in c.by_village.iter().take(VILLAGE_ROWS) {
                lines.push(Line::from(row(
                    format!("{}{}", r.township, r.village),
                    &r.counts,
                )));
            }
            if c.by_village.len() > VILLAGE_ROWS {
                lines.push(Line::from(Span::styled(
                    tr!(
                        "……另有 {} 个村（ruhu coverage 列出全部）",
                        "… {} more villages (ruhu coverage lists them all)",
                        c.by_village.len() - VILLAGE_ROWS
                    )
                    .get(lang)
                    .to_string(),
                    theme::dim(),
                )));
            }
            lines.push(Line::from(Span::styled(
                row(tr!("合计", "total").get(lang).to_string(), &c.total),
                theme::heading(),
            )));
            lines.push(Line::from(
                tr!(
                    "尚未调查的抽中户：{} 户",
                    "sampled households not visited yet: {}",
                    c.not_visited.len()
                )
                .get(lang)
                .to_string(),
            ));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        truncate(
            tr!(
                "调查（待审核的在前）：{} 份",
                "interviews (waiting for review first): {}",
                t.interviews.len()
            )
            .get(lang),
            w,
        ),
        theme::heading(),
    )));
    let top = lines.len();
    let comment_h = usize::from(t.comment.is_some()) * 2;
    let rows_h = (area.height as usize).saturating_sub(top + comment_h);
    let start = t.cursor.saturating_sub(rows_h.saturating_sub(1));
    for (i, r) in t.interviews.iter().enumerate().skip(start).take(rows_h) {
        let head = t.heads.get(&r.household_id).cloned().unwrap_or_default();
        let mut text = format!(
            "{}{}{}{}{}",
            pad(&r.household_id, 17),
            pad(&head, 10),
            pad(&r.interviewer, 10),
            pad(r.status.label().get(lang), 8),
            r.updated_at.format("%m-%d %H:%M")
        );
        if let Some(c) = r.review.as_ref().filter(|v| !v.comment.is_empty()) {
            text.push_str("  ");
            text.push_str(&c.comment);
        }
        let style = if i == t.cursor {
            theme::selected()
        } else if r.status == Status::Completed {
            theme::ok()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(truncate(&text, w), style)));
    }
    if t.interviews.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!("还没有调查", "no interviews yet").get(lang).to_string(),
            theme::dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(input) = &t.comment {
        let label = tr!("退回意见：", "comment for the return: ")
            .get(lang)
            .to_string();
        let y = area.bottom().saturating_sub(2);
        let line = Rect::new(area.x, y, area.width, 2);
        let shown = format!("{label}{}", input.value());
        f.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(truncate(&shown, w), theme::warn())),
                Line::from(Span::styled(
                    tr!("Enter 退回  Esc 取消", "Enter returns it  Esc cancels")
                        .get(lang)
                        .to_string(),
                    theme::dim(),
                )),
            ]),
            line,
        );
        let x = area.x + (width(&label) + input.visual_cursor()).min(w.saturating_sub(1)) as u16;
        f.set_cursor_position(Position::new(x, y));
    }
}
