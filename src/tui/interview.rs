//! The interview screen (sections with progress, one question with an input that fits its
//! type, the roster table) and the review screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::{InterviewView, SaveState, review_items};
use super::text::{pad, truncate, width, wrap};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::interview::{Answer, format_number};
use crate::questionnaire::expr::Value;
use crate::questionnaire::{Question, QuestionType};
use crate::reconcile::{Finding, Severity};
use crate::tr;

/// The status line: household, progress and save state.
pub fn status_line(v: &InterviewView, lang: Lang) -> Line<'static> {
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
    Line::from(vec![
        Span::raw(format!(
            " {} {} · {} {}/{} · ",
            v.household.head_name,
            v.household.household_id,
            tr!("必答", "required").get(lang),
            p.answered,
            p.required
        )),
        save,
    ])
}

pub fn draw(f: &mut Frame, v: &InterviewView, findings: &[Finding], lang: Lang, area: Rect) {
    if v.review.is_some() {
        let panel = findings_lines(findings, lang, area.width as usize, true);
        let h = (panel.len() as u16).min(area.height / 2);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(h)]).areas(area);
        draw_review(f, v, lang, top);
        f.render_widget(Paragraph::new(panel), bottom);
        return;
    }
    let side = if area.width >= 70 { 22 } else { 0 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(side), Constraint::Min(10)]).areas(area);
    if side > 0 {
        draw_sections(f, v, findings, lang, left);
    }
    draw_question(f, v, lang, right);
}

/// What an assessor would flag from the answers saved so far: a heading and one or more lines
/// per finding (with its evidence when `detail`).
fn findings_lines(findings: &[Finding], lang: Lang, w: usize, detail: bool) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if findings.is_empty() {
        if detail {
            lines.push(Line::from(Span::styled(
                tr!(
                    " 按目前的答案，考核不会发现问题",
                    " With these answers an assessor would flag nothing"
                )
                .get(lang)
                .to_string(),
                theme::ok(),
            )));
        }
        return lines;
    }
    lines.push(Line::from(Span::styled(
        truncate(
            tr!(
                " 考核可能发现 {} 项：",
                " An assessor may flag {}:",
                findings.len()
            )
            .get(lang),
            w,
        ),
        theme::warn(),
    )));
    for fnd in findings {
        let mark = match fnd.severity {
            Severity::Finding => "!",
            Severity::Warning => "?",
        };
        let head = format!(
            " {mark} {} {}",
            fnd.kind.label().get(lang),
            fnd.message.get(lang)
        );
        let style = match fnd.severity {
            Severity::Finding => theme::error(),
            Severity::Warning => theme::warn(),
        };
        if detail {
            for l in wrap(&head, w) {
                lines.push(Line::from(Span::styled(l, style)));
            }
            let evidence: Vec<String> = fnd
                .evidence
                .iter()
                .map(|e| format!("{}={}", e.name, e.value))
                .collect();
            if !evidence.is_empty() {
                let text = format!("   {}", evidence.join("  "));
                lines.push(Line::from(Span::styled(truncate(&text, w), theme::dim())));
            }
        } else {
            lines.push(Line::from(Span::styled(truncate(&head, w), style)));
        }
    }
    lines
}

fn draw_sections(f: &mut Frame, v: &InterviewView, findings: &[Finding], lang: Lang, area: Rect) {
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
        let title = truncate(s.title.get(lang), inner_w.saturating_sub(mark_w + 2));
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
    if !findings.is_empty() {
        lines.push(Line::default());
        lines.extend(findings_lines(findings, lang, inner_w, false));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::RIGHT)),
        area,
    );
}

/// Text of a computed value.
fn value_text(v: &Value, lang: Lang) -> String {
    match v {
        Value::Missing => tr!("（尚不能计算）", "(cannot compute yet)")
            .get(lang)
            .to_string(),
        Value::Number(n) => format_number(*n),
        Value::Bool(true) => tr!("是", "yes").get(lang).to_string(),
        Value::Bool(false) => tr!("否", "no").get(lang).to_string(),
        Value::Text(s) => s.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Choices(c) => c.join(", "),
        Value::List(l) => l.len().to_string(),
    }
}

fn draw_question(f: &mut Frame, v: &InterviewView, lang: Lang, area: Rect) {
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
    let required = if q.required {
        tr!("（必答）", " (required)").get(lang).to_string()
    } else {
        String::new()
    };
    for l in wrap(&format!("{}{}", q.label.get(lang), required), w) {
        lines.push(Line::from(Span::styled(
            l,
            ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::BOLD),
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
    if let Some(v) = q
        .registry
        .as_ref()
        .and_then(|f| iv.context().registry.get(f))
        && *v != Value::Missing
    {
        let shown = tr!("建档立卡：{}", "registry: {}", value_text(v, lang));
        lines.push(Line::from(Span::styled(
            truncate(shown.get(lang), w),
            theme::dim(),
        )));
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
                Span::styled(value_text(&iv.value(&q.id), lang), theme::heading()),
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
                    tr!("按数字键或 ↑↓ 选择", "choose with a number or the arrows")
                        .get(lang)
                        .to_string(),
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
                let text = truncate(&format!("{mark} {}. {label}", i + 1), w);
                let focused = i == v.choice && (v.touched || multi);
                let style = if focused {
                    theme::selected()
                } else {
                    Default::default()
                };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
        _ => {
            let prompt = "> ";
            let value = v.input.value();
            let avail = w.saturating_sub(width(prompt) + 1);
            let scroll = v.input.visual_scroll(avail);
            let shown: String = {
                // skip `scroll` cells from the left
                let mut skipped = 0;
                let mut out = String::new();
                for c in value.chars() {
                    let cw = width(&c.to_string());
                    if skipped < scroll {
                        skipped += cw;
                        continue;
                    }
                    out.push(c);
                }
                truncate(&out, avail)
            };
            let y = area.y + lines.len() as u16;
            cursor = Some(Position::new(
                x + (width(prompt) + v.input.visual_cursor().saturating_sub(scroll)) as u16,
                y,
            ));
            lines.push(Line::from(vec![
                Span::raw(prompt),
                Span::styled(shown, theme::selected()),
            ]));
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

fn roster_table(
    lines: &mut Vec<Line>,
    v: &InterviewView,
    questions: &[Question],
    max_rows: usize,
    lang: Lang,
    w: usize,
) {
    let iv = &v.session.interview;
    let roster = &iv.current().id;
    let rows = iv.rows(roster);
    let cols: Vec<&Question> = questions
        .iter()
        .filter(|q| q.kind.is_input())
        .take(5)
        .collect();
    let col_w = [10usize, 8, 6, 5, 8];
    let header: String = std::iter::once(pad("#", 3))
        .chain(
            cols.iter()
                .zip(col_w)
                .map(|(q, cw)| pad(q.label.get(lang), cw)),
        )
        .collect::<Vec<_>>()
        .join(" ");
    lines.push(Line::from(Span::styled(
        truncate(&header, w),
        theme::heading(),
    )));
    for (i, r) in rows.iter().enumerate() {
        let cells: String = std::iter::once(pad(&(i + 1).to_string(), 3))
            .chain(cols.iter().zip(col_w).map(|(q, cw)| {
                pad(
                    &r.values
                        .get(&q.id)
                        .map(|a| a.display(q, lang))
                        .unwrap_or_default(),
                    cw,
                )
            }))
            .collect::<Vec<_>>()
            .join(" ");
        let style = if i == v.row_cursor {
            theme::selected()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(truncate(&cells, w), style)));
    }
    lines.push(Line::from(Span::styled(
        tr!(
            "共 {} 行（最多 {} 行）",
            "{} rows (at most {})",
            rows.len(),
            max_rows
        )
        .get(lang)
        .to_string(),
        theme::dim(),
    )));
}

fn draw_review(f: &mut Frame, v: &InterviewView, lang: Lang, area: Rect) {
    let iv = &v.session.interview;
    let items = review_items(v);
    let cursor = v.review.unwrap_or(0);
    let missing: std::collections::HashSet<String> = iv
        .missing()
        .into_iter()
        .map(|m| m.row.map_or(m.question, |(r, _, _)| r))
        .collect();
    let w = area.width as usize;
    let label_w = (w * 11 / 20).max(10);
    let mut lines = vec![Line::from(Span::styled(
        tr!(
            " 检查全部答案（{} 题，缺 {} 题）",
            " Review all answers ({} questions, {} missing)",
            items.len(),
            missing.len()
        )
        .get(lang)
        .to_string(),
        theme::heading(),
    ))];
    let rows_h = area.height.saturating_sub(1) as usize;
    let start = cursor.saturating_sub(rows_h.saturating_sub(1));
    for (i, id) in items.iter().enumerate().skip(start).take(rows_h) {
        let Some(q) = iv.form().question(id) else {
            continue;
        };
        let answer = match &q.kind {
            QuestionType::Calculate(_) => format!("= {}", value_text(&iv.value(id), lang)),
            QuestionType::Roster { .. } => tr!("{} 行", "{} rows", iv.rows(id).len())
                .get(lang)
                .to_string(),
            _ => iv
                .answer(id)
                .map(|a| a.display(q, lang))
                .unwrap_or_else(|| tr!("（未答）", "(no answer)").get(lang).to_string()),
        };
        let flag = if missing.contains(id) { "! " } else { "  " };
        let text = format!(
            "{flag}{} {}",
            pad(q.label.get(lang), label_w),
            truncate(&answer, w.saturating_sub(label_w + 3))
        );
        let style = if i == cursor {
            theme::selected()
        } else if missing.contains(id) {
            theme::error()
        } else {
            Default::default()
        };
        lines.push(Line::from(Span::styled(truncate(&text, w), style)));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// The title of the interview screen.
pub fn title(v: &InterviewView, lang: Lang) -> String {
    let t: &Text = &v.session.interview.form().title;
    t.get(lang).to_string()
}
