//! The household list: filters, search typed in Chinese, and the table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, ListState, NewHouseholdState, StatusFilter};
use super::text::{pad, truncate, width};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::interview::Status;
use crate::tr;

fn status_label(s: Option<Status>) -> Text {
    match s {
        None => tr!("未调查", "not started"),
        Some(Status::InProgress) => tr!("进行中", "in progress"),
        Some(Status::Completed) => tr!("已完成", "completed"),
    }
}

pub fn draw(f: &mut Frame, app: &App, l: &ListState, area: Rect) {
    let lang = app.lang;
    let [filters, search, head, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let all = tr!("全部", "all");
    let village = l
        .village
        .clone()
        .unwrap_or_else(|| all.get(lang).to_string());
    let kind = l.kind.map_or_else(
        || all.get(lang).to_string(),
        |k| k.label().get(lang).to_string(),
    );
    let status = match l.status {
        None => all.get(lang).to_string(),
        Some(StatusFilter::NotStarted) => status_label(None).get(lang).to_string(),
        Some(StatusFilter::InProgress) => {
            status_label(Some(Status::InProgress)).get(lang).to_string()
        }
        Some(StatusFilter::Completed) => {
            status_label(Some(Status::Completed)).get(lang).to_string()
        }
    };
    let sample = if l.sample_only {
        tr!("  只看抽样户", "  in sample only")
    } else {
        tr!("", "")
    };
    let line = tr!(
        " 村：{}  类型：{}  调查：{}{}  共 {} 户",
        " village: {}  kind: {}  interview: {}{}  {} shown",
        village,
        kind,
        status,
        sample.get(lang),
        l.shown.len()
    );
    f.render_widget(
        Paragraph::new(truncate(line.get(lang), filters.width as usize)).style(theme::heading()),
        filters,
    );
    let label = tr!(" 搜索（/）：", " search (/): ");
    let label = label.get(lang);
    let value = l.search.value();
    let style = if l.searching {
        theme::selected()
    } else {
        theme::dim()
    };
    let shown = if value.is_empty() && !l.searching {
        tr!("姓名、户编号或身份证号", "name, household id or ID number")
            .get(lang)
            .to_string()
    } else {
        value.to_string()
    };
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(label.to_string()),
            Span::styled(shown, style),
        ])),
        search,
    );
    if l.searching {
        let x = search.x + (width(label) + l.search.visual_cursor()) as u16;
        f.set_cursor_position(Position::new(
            x.min(search.right().saturating_sub(1)),
            search.y,
        ));
    }

    // Columns: id, head, village, kind, status; widths in cells.
    let w = table.width as usize;
    let cols = [16usize, 10, 12, 9, 8];
    let fixed: usize = cols.iter().sum::<usize>() + 4;
    let village_w = cols[2] + w.saturating_sub(fixed).min(8);
    let header = [
        tr!("户编号", "household"),
        tr!("户主", "head"),
        tr!("村（组）", "village"),
        tr!("类型", "kind"),
        tr!("调查", "interview"),
    ];
    let widths = [cols[0], cols[1], village_w, cols[3], cols[4]];
    let head_line: String = header
        .iter()
        .zip(widths)
        .map(|(h, cw)| pad(h.get(lang), cw))
        .collect::<Vec<_>>()
        .join(" ");
    f.render_widget(
        Paragraph::new(truncate(&head_line, w)).style(theme::heading()),
        head,
    );

    let rows_h = table.height as usize;
    let start = l.cursor.saturating_sub(rows_h.saturating_sub(1));
    let mut lines = Vec::new();
    for (pos, &i) in l.shown.iter().enumerate().skip(start).take(rows_h) {
        let r = &l.rows[i];
        let h = &r.household;
        let place = if h.village_group.is_empty() {
            h.village.clone()
        } else {
            format!("{}{}", h.village, h.village_group)
        };
        // `*` marks a household the registry does not know, `+` one drawn in the sample.
        let id = if h.provisional {
            format!("{}*", h.household_id)
        } else if r.in_sample {
            format!("{}+", h.household_id)
        } else {
            h.household_id.clone()
        };
        let cells = [
            id,
            h.head_name.clone(),
            place,
            h.kind().label().get(lang).to_string(),
            status_label(r.status).get(lang).to_string(),
        ];
        let text: String = cells
            .iter()
            .zip(widths)
            .map(|(c, cw)| pad(c, cw))
            .collect::<Vec<_>>()
            .join(" ");
        let text = truncate(&text, w);
        if pos == l.cursor {
            lines.push(Line::from(Span::styled(pad(&text, w), theme::selected())));
        } else {
            lines.push(Line::from(text));
        }
    }
    if l.shown.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!(
                " 没有符合条件的农户（按 x 清除筛选）",
                " no household matches (x clears the filters)"
            )
            .get(lang)
            .to_string(),
            theme::warn(),
        )));
    }
    f.render_widget(Paragraph::new(lines), table);
}

pub fn draw_new(f: &mut Frame, lang: Lang, form: &NewHouseholdState, area: Rect) {
    let mut lines = vec![
        Line::from(Span::styled(
            tr!(
                " 登记建档立卡名单外的农户（普查村民小组时）",
                " A household the registry does not know (census)"
            )
            .get(lang)
            .to_string(),
            theme::heading(),
        )),
        Line::from(
            tr!(
                " 将分配临时户编号，并按非贫困户问卷调查。",
                " It gets a provisional id and the non-poor questionnaire."
            )
            .get(lang)
            .to_string(),
        ),
        Line::default(),
    ];
    let fields = [
        (
            tr!(" 户主姓名：", " head's name: "),
            &form.head,
            !form.on_village,
        ),
        (
            tr!(" 村名：    ", " village:     "),
            &form.village,
            form.on_village,
        ),
    ];
    let mut cursor = None;
    for (i, (label, input, focused)) in fields.iter().enumerate() {
        let label = label.get(lang).to_string();
        let y = area.y + 3 + i as u16;
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
        lines.push(Line::from(vec![
            Span::raw(label),
            Span::styled(format!("{} ", input.value()), style),
        ]));
    }
    if let Some(e) = &form.error {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(" ! {}", e.get(lang)),
            theme::error(),
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(p) = cursor
        && p.y < area.bottom()
    {
        f.set_cursor_position(Position::new(p.x.min(area.right().saturating_sub(1)), p.y));
    }
}
