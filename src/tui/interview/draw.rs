//! Drawing the interview: the sections with progress, the question with its input, the
//! notes read out before it, the possible findings beside it, the status line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::ctx::SaveState;
use super::super::text::{computed_text, fit_title, hard_wrap, pad, truncate, width, wrap};
use super::super::theme;
use super::review::draw_review;
use super::roster::roster_table;
use super::{Confirm, Interview, option_key, panel};
use crate::i18n::Lang;
use crate::interview::Answer;
use crate::questionnaire::{Question, QuestionType};
use crate::tr;

/// Lines a long text answer takes at most (its start stays in view).
const INPUT_LINES: usize = 4;

/// The status line: household, status, progress and save state.
pub fn status_line(v: &Interview, lang: Lang) -> Line<'static> {
    let p = v.session.interview.progress();
    let save = match &v.save {
        SaveState::Idle => Span::styled(
            tr!("未修改", "no changes").get(lang).to_string(),
            theme::dim(),
        ),
        SaveState::Saved(at) => Span::styled(
            tr!("已保存 {}", "saved {}", at.format("%H:%M:%S"))
                .get(lang)
                .to_string(),
            theme::ok(),
        ),
        SaveState::Failed(e) => Span::styled(
            tr!("! 未保存：{}", "! NOT saved: {}", e.get(lang))
                .get(lang)
                .to_string(),
            theme::error(),
        ),
    };
    let status = v.session.record.status.label();
    Line::from(vec![
        Span::raw(format!(
            " {} {} · {} · {} {}/{} · ",
            v.household.head_name,
            v.household.household_id,
            status.get(lang),
            tr!("必答", "required").get(lang),
            p.answered,
            p.required
        )),
        save,
    ])
}

pub fn draw(f: &mut Frame, v: &Interview, lang: Lang, area: Rect) {
    let form = v.session.interview.form();
    let status = v.session.record.status;
    // The findings with their evidence, as wide as the screen.
    let whole = || {
        panel::lines(
            &v.findings,
            status,
            lang,
            area.width as usize,
            true,
            v.show_ids,
        )
    };
    if let Some(top) = v.flags {
        let lines = whole();
        let top = top.min(lines.len().saturating_sub(1));
        let shown: Vec<Line> = lines.into_iter().skip(top).collect();
        f.render_widget(Paragraph::new(shown), area);
        return;
    }
    if v.review.is_some() {
        let panel = whole();
        let h = (panel.len() as u16).min(area.height / 2);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(area);
        draw_review(f, v, lang, top);
        draw_cut(f, panel, bottom, lang, None);
        draw_confirm(f, v, lang, top);
        return;
    }
    // The sections' column: as wide as their titles need where there is room.
    let titles = form
        .sections
        .iter()
        .map(|s| width(s.title.get(lang)))
        .max()
        .unwrap_or(0) as u16;
    let side = if area.width >= 100 {
        (titles + 8).clamp(22, 30)
    } else if area.width >= 70 {
        22
    } else {
        0
    };
    let right_w = if area.width >= 110 { 34 } else { 0 };
    let [left, middle, right] = Layout::horizontal([
        Constraint::Length(side),
        Constraint::Min(10),
        Constraint::Length(right_w),
    ])
    .areas(area);
    if side > 0 {
        draw_sections(f, v, lang, left, right_w == 0);
    }
    if right_w > 0 {
        let lines = panel::lines(
            &v.findings,
            status,
            lang,
            right_w as usize - 2,
            true,
            v.show_ids,
        );
        draw_cut(f, lines, right, lang, Some(Borders::LEFT));
    }
    draw_question(f, v, lang, middle, side == 0);
    draw_confirm(f, v, lang, middle);
}

/// Draws lines in an area; when they do not fit, the last line says that F3 shows them all.
fn draw_cut(
    f: &mut Frame,
    mut lines: Vec<Line<'static>>,
    area: Rect,
    lang: Lang,
    border: Option<Borders>,
) {
    let inner_h = area.height as usize;
    if lines.len() > inner_h && inner_h > 0 {
        lines.truncate(inner_h - 1);
        lines.push(Line::from(Span::styled(
            tr!(" 按 F3 看全部", " F3 shows all").get(lang).to_string(),
            theme::heading(),
        )));
    }
    let p = Paragraph::new(lines);
    let p = match border {
        Some(b) => p.block(Block::default().borders(b)),
        None => p,
    };
    f.render_widget(p, area);
}

/// The question waiting for a yes, over the bottom of the area.
fn draw_confirm(f: &mut Frame, v: &Interview, lang: Lang, area: Rect) {
    let Some(c) = &v.confirm else { return };
    let text = match c {
        Confirm::RemoveRow { label, .. } => tr!(
            "删除{}和他（她）的全部答案吗？按 y 删除，n 取消（删除后可按 u 恢复）",
            "remove {} and all their answers? y removes, n cancels (u puts it back)",
            label
        ),
        Confirm::Complete => tr!(
            "完成这次调查吗？按 y 完成，n 取消",
            "complete this interview? y completes, n cancels"
        ),
    };
    let w = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = wrap(text.get(lang), w)
        .into_iter()
        .map(|l| Line::from(Span::styled(pad(&l, w), theme::selected())))
        .collect();
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect::new(area.x, area.bottom().saturating_sub(h), area.width, h);
    f.render_widget(ratatui::widgets::Clear, rect);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL)),
        rect,
    );
}

fn draw_sections(f: &mut Frame, v: &Interview, lang: Lang, area: Rect, with_findings: bool) {
    let iv = &v.session.interview;
    let current = iv.current_section();
    let inner_w = area.width.saturating_sub(1) as usize;
    let mut lines = Vec::new();
    let progress = iv.progress_by_section();
    for (i, s) in iv.form().sections.iter().enumerate() {
        let p = progress[i];
        let mark = if !iv.is_section_relevant(i) {
            "-".to_string()
        } else if p.required > 0 && p.answered == p.required {
            "✓".to_string()
        } else {
            format!("{}/{}", p.answered, p.required)
        };
        let mark_w = width(&mark);
        let title = fit_title(s.title.get(lang), inner_w.saturating_sub(mark_w + 2));
        let text = format!(
            "{}{}",
            pad(&title, inner_w.saturating_sub(mark_w + 1)),
            mark
        );
        let style = if i == current {
            theme::selected()
        } else if !iv.is_section_relevant(i) {
            theme::dim()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    if with_findings && !v.findings.is_empty() {
        lines.push(Line::default());
        lines.extend(panel::lines(
            &v.findings,
            v.session.record.status,
            lang,
            inner_w,
            false,
            v.show_ids,
        ));
    }
    draw_cut(f, lines, area, lang, Some(Borders::RIGHT));
}

/// The notes (read out) just before the current question in the flow, shown above it since
/// moving skips over them.
fn notes_before(v: &Interview, lang: Lang) -> Vec<String> {
    if v.row_edit.is_some() {
        return Vec::new();
    }
    let iv = &v.session.interview;
    let steps: Vec<&Question> = iv.steps().collect();
    let mut out = Vec::new();
    for q in steps[..iv.cursor().min(steps.len())].iter().rev() {
        match q.kind {
            QuestionType::Note if iv.is_relevant(&q.id) => out.push(q.label.get(lang).to_string()),
            QuestionType::Calculate(_) => continue,
            _ if !iv.is_relevant(&q.id) => continue,
            _ => break,
        }
    }
    out.reverse();
    out
}

fn draw_question(f: &mut Frame, v: &Interview, lang: Lang, area: Rect, narrow: bool) {
    let iv = &v.session.interview;
    let q = v.question();
    let w = area.width.saturating_sub(2) as usize;
    let x = area.x + 1;
    let mut lines: Vec<Line> = Vec::new();
    let section = &iv.form().sections[iv.current_section()];
    let mut heading = section.title.get(lang).to_string();
    if let Some((roster, i)) = v.row_scope() {
        let name = iv.rows(&roster)[i]
            .values
            .get("name")
            .map(|a| a.display(q, lang))
            .unwrap_or_default();
        heading = tr!(
            "{} · 第{}行 {}",
            "{} · row {} {}",
            section.title.get(lang),
            i + 1,
            name
        )
        .get(lang)
        .to_string();
    }
    lines.push(Line::from(Span::styled(
        truncate(&heading, w),
        theme::heading(),
    )));
    // A returned interview says why, on every question, until it is completed again.
    if let Some(r) = v
        .session
        .record
        .review
        .as_ref()
        .filter(|r| r.decision == crate::interview::Decision::Return && !r.comment.is_empty())
    {
        let t = tr!(
            "! 组长退回（{}）：{}",
            "! returned by the team lead ({}): {}",
            r.by,
            r.comment
        );
        for l in wrap(t.get(lang), w) {
            lines.push(Line::from(Span::styled(l, theme::warn())));
        }
    }
    let notes = notes_before(v, lang);
    for note in &notes {
        for l in wrap(note, w) {
            lines.push(Line::from(Span::styled(l, theme::dim())));
        }
    }
    if !notes.is_empty() {
        lines.push(Line::default());
    }
    let required = if q.required {
        tr!("（必答）", " (required)").get(lang).to_string()
    } else {
        String::new()
    };
    for l in wrap(&format!("{}{}", q.label.get(lang), required), w) {
        lines.push(Line::from(Span::styled(
            l,
            Style::default().add_modifier(Modifier::BOLD),
        )));
    }
    if let Some(h) = &q.hint {
        for l in wrap(
            &format!("{}{}", tr!("提示：", "Hint: ").get(lang), h.get(lang)),
            w,
        ) {
            lines.push(Line::from(Span::styled(l, theme::dim())));
        }
    }
    if let Some(c) = v
        .session
        .record
        .review
        .as_ref()
        .and_then(|r| r.questions.get(&q.id))
    {
        let t = tr!("组长意见：{}", "Team lead: {}", c);
        for l in wrap(t.get(lang), w) {
            lines.push(Line::from(Span::styled(l, theme::warn())));
        }
    }
    let row_id = v.row_edit.as_ref().map(|e| e.row_id.as_str());
    if let Some(val) = v.session.registry_value(&v.household, &q.id, row_id)
        // Answered unprompted: the registry's value only once there is an answer to compare.
        && (!q.unprompted || v.stored().is_some())
    {
        let shown = tr!(
            "建档立卡：{}",
            "registry: {}",
            v.shown(val.get(lang).to_string())
        );
        for l in wrap(shown.get(lang), w) {
            lines.push(Line::from(Span::styled(l, theme::dim())));
        }
    }
    lines.push(Line::default());
    let mut cursor: Option<Position> = None;
    match &q.kind {
        QuestionType::Note => {
            lines.push(Line::from(Span::styled(
                tr!("（说明，按 Enter 继续）", "(read out, Enter to go on)")
                    .get(lang)
                    .to_string(),
                theme::dim(),
            )));
        }
        QuestionType::Calculate(_) => {
            lines.push(Line::from(vec![
                Span::raw("= "),
                Span::styled(
                    computed_text(iv.form(), q, &iv.value(&q.id), lang),
                    theme::heading(),
                ),
                Span::styled(
                    tr!("  （自动计算）", "  (computed)").get(lang).to_string(),
                    theme::dim(),
                ),
            ]));
        }
        QuestionType::Roster {
            questions,
            max_rows,
        } => {
            roster_table(&mut lines, v, questions, *max_rows, lang, w);
        }
        QuestionType::SelectOne(_) | QuestionType::YesNo | QuestionType::SelectMultiple(_) => {
            let multi = matches!(q.kind, QuestionType::SelectMultiple(_));
            if !v.touched && !multi {
                lines.push(Line::from(Span::styled(
                    truncate(
                        tr!(
                            "按选项前的键选择并进入下一题，或用 ↑↓ 和 Enter",
                            "press an option's key to answer and go on, or ↑↓ and Enter"
                        )
                        .get(lang),
                        w,
                    ),
                    theme::dim(),
                )));
            }
            for (i, (name, label)) in v.options(lang).iter().enumerate() {
                let mark = if multi {
                    if v.ticks.contains(name) { "[x]" } else { "[ ]" }
                } else if stored_is(v.stored(), q, name) {
                    "(*)"
                } else {
                    "( )"
                };
                let k = option_key(i).map_or(" ".to_string(), |c| c.to_string());
                let focused = i == v.choice && (v.touched || multi);
                let style = if focused {
                    theme::selected()
                } else {
                    Default::default()
                };
                for (j, l) in wrap(&format!("{mark} {k}. {label}"), w)
                    .into_iter()
                    .enumerate()
                {
                    let l = if j == 0 { l } else { format!("      {l}") };
                    lines.push(Line::from(Span::styled(truncate(&l, w), style)));
                }
            }
        }
        _ => {
            let prompt = "> ";
            let avail = w.saturating_sub(width(prompt) + 1).max(2);
            let value = v.input.value();
            let parts = hard_wrap(value, avail);
            // Where the cursor falls: the line and the cells before it on that line.
            let before: String = value.chars().take(v.input.cursor()).collect();
            let cur_parts = hard_wrap(&before, avail);
            let mut cur_line = cur_parts.len() - 1;
            let mut cur_col = cur_parts.last().map_or(0, |l| width(l));
            if cur_col >= avail {
                cur_line += 1;
                cur_col = 0;
            }
            // The start stays in view; past the lines there is room for, the window follows
            // the cursor.
            let first = cur_line.saturating_sub(INPUT_LINES - 1);
            let y0 = area.y + lines.len() as u16;
            for (i, part) in parts.iter().enumerate().skip(first).take(INPUT_LINES) {
                let lead = if i == 0 { prompt } else { "  " };
                lines.push(Line::from(vec![
                    Span::raw(lead),
                    Span::styled(part.clone(), theme::selected()),
                ]));
            }
            if parts.len() > first + INPUT_LINES {
                lines.push(Line::from(Span::styled(
                    tr!("  （后面还有）", "  (continues)").get(lang).to_string(),
                    theme::dim(),
                )));
            }
            cursor = Some(Position::new(
                x + (width(prompt) + cur_col) as u16,
                y0 + (cur_line - first) as u16,
            ));
            if matches!(q.kind, QuestionType::Date) {
                lines.push(Line::from(Span::styled(
                    tr!("格式：2017-12-23", "format: 2017-12-23")
                        .get(lang)
                        .to_string(),
                    theme::dim(),
                )));
            }
        }
    }
    if let Some(m) = &v.message {
        lines.push(Line::default());
        for l in wrap(&format!("! {}", m.get(lang)), w) {
            lines.push(Line::from(Span::styled(l, theme::error())));
        }
    }
    if narrow && !v.findings.is_empty() {
        lines.push(Line::default());
        let t = tr!(
            "考核可能发现 {} 项，按 F3 查看",
            "an assessor may flag {}: F3 shows them",
            v.findings.len()
        );
        for l in wrap(t.get(lang), w) {
            lines.push(Line::from(Span::styled(l, theme::warn())));
        }
    }
    let inner = Rect::new(x, area.y, area.width.saturating_sub(1), area.height);
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(p) = cursor
        && p.y < area.bottom()
    {
        f.set_cursor_position(Position::new(p.x.min(area.right().saturating_sub(1)), p.y));
    }
}

fn stored_is(stored: Option<&Answer>, q: &Question, name: &str) -> bool {
    match (stored, &q.kind) {
        (Some(Answer::Choice(c)), _) => c == name,
        (Some(Answer::Bool(b)), QuestionType::YesNo) => {
            (*b && name == "yes") || (!*b && name == "no")
        }
        _ => false,
    }
}
