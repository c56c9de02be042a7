//! The findings list drawn: "已核查 x / y", the filters set, the search line, the table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Findings;
use crate::i18n::Lang;
use crate::reconcile::{Finding, Mark, Severity};
use crate::tr;
use crate::tui::ctx::Ctx;
use crate::tui::text::{pad, truncate, width};
use crate::tui::theme;

/// The mark of a finding in a cell.
pub fn mark_text(m: Option<&Mark>, lang: Lang) -> String {
    m.map(|m| m.status.label().get(lang).to_string())
        .unwrap_or_else(|| tr!("未核查", "-").get(lang).to_string())
}

pub fn draw(f: &mut Frame, s: &Findings, ctx: &Ctx, area: Rect, searching: bool) {
    let lang = ctx.lang;
    let [counts, filters, search, head, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let w = area.width as usize;
    let (reviewed, shown) = s.reviewed();
    let line = tr!(
        " 已核查 {} / {}（共 {} 项）  排序：{}",
        " reviewed {} of {} ({} in all)  sorted by {}",
        reviewed,
        shown,
        s.all.len(),
        s.sort.label().get(lang)
    );
    f.render_widget(
        Paragraph::new(truncate(line.get(lang), w)).style(theme::heading()),
        counts,
    );
    let set = s.filters.describe(lang);
    let set = if set.is_empty() {
        tr!(
            " 筛选：无（s 核查状态 k 类别 v 村 t 乡镇 c 县 i 调查员 e 程度）",
            " filters: none (s review, k kind, v village, t township, c county, i interviewer, e severity)"
        )
        .get(lang)
        .to_string()
    } else {
        format!(
            " {}{set}{}",
            tr!("筛选：", "filters: ").get(lang),
            tr!("（a 清除）", " (a clears)").get(lang)
        )
    };
    f.render_widget(Paragraph::new(truncate(&set, w)), filters);
    let label = tr!(" 搜索（/）：", " search (/): ");
    let label = label.get(lang);
    let value = s.search.value();
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label.to_string(), theme::dim()),
            Span::raw(truncate(value, w.saturating_sub(width(label)))),
        ])),
        search,
    );
    if searching {
        let x =
            search.x + (width(label) + s.search.visual_cursor()).min(w.saturating_sub(1)) as u16;
        f.set_cursor_position(Position::new(x, search.y));
    }
    let widths = [16usize, 8, 12, 10, 8];
    let header = [
        tr!("户编号", "household"),
        tr!("户主", "head"),
        tr!("村", "village"),
        tr!("类别", "kind"),
        tr!("核查", "review"),
    ];
    let mut head_line: String = header
        .iter()
        .zip(widths)
        .map(|(h, cw)| pad(h.get(lang), cw))
        .collect::<Vec<_>>()
        .join(" ");
    head_line.push_str(&format!(" {}", tr!("说明", "message").get(lang)));
    f.render_widget(
        Paragraph::new(truncate(&head_line, w)).style(theme::heading()),
        head,
    );
    let rows_h = (table.height as usize).max(1);
    let mut offset = s.offset.get().min(s.shown.len().saturating_sub(1));
    if s.cursor < offset {
        offset = s.cursor;
    } else if s.cursor >= offset + rows_h {
        offset = s.cursor + 1 - rows_h;
    }
    s.offset.set(offset);
    let mut lines = Vec::new();
    for (pos, fnd) in s.shown().enumerate().skip(offset).take(rows_h) {
        let text = row(fnd, s.mark(fnd), &widths, lang);
        let style = if pos == s.cursor {
            theme::selected()
        } else if fnd.severity == Severity::Finding {
            Style::default()
        } else {
            theme::dim()
        };
        lines.push(Line::from(Span::styled(pad(&truncate(&text, w), w), style)));
    }
    if s.shown.is_empty() {
        lines.push(Line::from(Span::styled(
            if s.all.is_empty() {
                tr!(
                    " 没有发现问题。完成的调查越多，这里越有内容。",
                    " No findings. Complete interviews to see them here."
                )
            } else {
                tr!(
                    " 没有符合筛选的核查发现（a 清除筛选）",
                    " No findings match the filters (a clears them)"
                )
            }
            .get(lang)
            .to_string(),
            theme::ok(),
        )));
    }
    f.render_widget(Paragraph::new(lines), table);
}

fn row(fnd: &Finding, mark: Option<&Mark>, widths: &[usize; 5], lang: Lang) -> String {
    let sev = match fnd.severity {
        Severity::Finding => "!",
        Severity::Warning => "?",
    };
    let mut note = if fnd.in_progress {
        tr!("（进行中）", " (in progress)").get(lang).to_string()
    } else {
        String::new()
    };
    if let Some(v) = &fnd.visits {
        note.push_str(&format!("（{}）", v.text().get(lang)));
    }
    let cells = [
        fnd.household_id.clone(),
        fnd.head_name.clone(),
        fnd.village.clone(),
        format!("{sev}{}", fnd.kind.label().get(lang)),
        mark_text(mark, lang),
    ];
    let mut text: String = cells
        .iter()
        .zip(widths)
        .map(|(c, cw)| pad(c, *cw))
        .collect::<Vec<_>>()
        .join(" ");
    text.push_str(&format!(" {}{note}", fnd.message.get(lang)));
    text
}
