//! The auditors' screens: the findings table (filter by kind, village and severity; sort;
//! detail with the registry record and the answers side by side; marks; export) and the
//! rates per village with bars.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text::{pad, truncate, wrap};
use super::theme;
use crate::i18n::Lang;
use crate::reconcile::export::{group_place, percent, rate_label, split_evidence};
use crate::reconcile::{Finding, FindingKind, Mark, MarkStatus, RateName, RateReport, Severity};
use crate::registry::Household;
use crate::tr;

/// How the findings table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Village,
    Kind,
    Severity,
}

/// The findings screen's state.
pub struct FindingsState {
    pub all: Vec<Finding>,
    pub marks: HashMap<(uuid::Uuid, String), Mark>,
    pub shown: Vec<usize>,
    pub cursor: usize,
    pub villages: Vec<String>,
    pub village: Option<String>,
    pub kind: Option<FindingKind>,
    pub severity: Option<Severity>,
    pub sort: SortBy,
    /// The detail view of the selected finding, with its household's registry record.
    pub detail: Option<Household>,
}

impl FindingsState {
    pub fn new(all: Vec<Finding>, marks: HashMap<(uuid::Uuid, String), Mark>) -> Self {
        let mut villages: Vec<String> = all.iter().map(|f| f.village.clone()).collect();
        villages.sort();
        villages.dedup();
        let mut s = FindingsState {
            all,
            marks,
            shown: Vec::new(),
            cursor: 0,
            villages,
            village: None,
            kind: None,
            severity: None,
            sort: SortBy::Village,
            detail: None,
        };
        s.apply();
        s
    }

    /// Recomputes the rows shown: filters, then the sort.
    pub fn apply(&mut self) {
        let mut shown: Vec<usize> = (0..self.all.len())
            .filter(|&i| {
                let f = &self.all[i];
                self.village.as_ref().is_none_or(|v| &f.village == v)
                    && self.kind.is_none_or(|k| f.kind == k)
                    && self.severity.is_none_or(|s| f.severity == s)
            })
            .collect();
        let all = &self.all;
        match self.sort {
            SortBy::Village => {}
            SortBy::Kind => shown.sort_by_key(|&i| (all[i].kind.name(), i)),
            SortBy::Severity => shown.sort_by_key(|&i| (all[i].severity.name(), i)),
        }
        self.shown = shown;
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<&Finding> {
        self.shown.get(self.cursor).map(|&i| &self.all[i])
    }
}

fn mark_text(m: Option<&Mark>, lang: Lang) -> String {
    match m.map(|m| m.status) {
        Some(MarkStatus::Confirmed) => tr!("已确认", "confirmed").get(lang).to_string(),
        Some(MarkStatus::Dismissed) => tr!("已排除", "dismissed").get(lang).to_string(),
        None => String::new(),
    }
}

pub fn draw(f: &mut Frame, s: &FindingsState, lang: Lang, area: Rect) {
    if let Some(h) = &s.detail {
        return draw_detail(f, s, h, lang, area);
    }
    let [filters, head, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let all = tr!("全部", "all");
    let all = all.get(lang);
    let sort = match s.sort {
        SortBy::Village => tr!("村", "village"),
        SortBy::Kind => tr!("类别", "kind"),
        SortBy::Severity => tr!("程度", "severity"),
    };
    let line = tr!(
        " 类别：{}  村：{}  程度：{}  排序：{}  共 {} 项",
        " kind: {}  village: {}  severity: {}  sort: {}  {} shown",
        s.kind
            .map_or(all.to_string(), |k| k.label().get(lang).to_string()),
        s.village.clone().unwrap_or_else(|| all.to_string()),
        s.severity
            .map_or(all.to_string(), |v| v.label().get(lang).to_string()),
        sort.get(lang),
        s.shown.len()
    );
    f.render_widget(
        Paragraph::new(truncate(line.get(lang), filters.width as usize)).style(theme::heading()),
        filters,
    );
    let w = table.width as usize;
    let widths = [16usize, 8, 8, 10, 6];
    let header = [
        tr!("户编号", "household"),
        tr!("户主", "head"),
        tr!("村", "village"),
        tr!("类别", "kind"),
        tr!("标记", "mark"),
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
    let rows_h = table.height as usize;
    let start = s.cursor.saturating_sub(rows_h.saturating_sub(1));
    let mut lines = Vec::new();
    for (pos, &i) in s.shown.iter().enumerate().skip(start).take(rows_h) {
        let fnd = &s.all[i];
        let sev = match fnd.severity {
            Severity::Finding => "!",
            Severity::Warning => "?",
        };
        let progress = if fnd.in_progress {
            tr!("（进行中）", " (in progress)").get(lang).to_string()
        } else {
            String::new()
        };
        let cells = [
            fnd.household_id.clone(),
            fnd.head_name.clone(),
            fnd.village.clone(),
            format!("{sev}{}", fnd.kind.label().get(lang)),
            mark_text(s.marks.get(&fnd.key()), lang),
        ];
        let mut text: String = cells
            .iter()
            .zip(widths)
            .map(|(c, cw)| pad(c, cw))
            .collect::<Vec<_>>()
            .join(" ");
        text.push_str(&format!(" {}{progress}", fnd.message.get(lang)));
        let text = truncate(&text, w);
        let style = if pos == s.cursor {
            theme::selected()
        } else if fnd.severity == Severity::Finding {
            Style::default()
        } else {
            theme::dim()
        };
        lines.push(Line::from(Span::styled(pad(&text, w), style)));
    }
    if s.shown.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!(
                " 没有发现问题（或筛选后为空）。完成的调查越多，这里越有内容。",
                " No findings (or none match the filters). Complete interviews to see them here."
            )
            .get(lang)
            .to_string(),
            theme::ok(),
        )));
    }
    f.render_widget(Paragraph::new(lines), table);
}

/// One finding: the rule, then the registry record and the answers side by side.
fn draw_detail(f: &mut Frame, s: &FindingsState, h: &Household, lang: Lang, area: Rect) {
    let Some(fnd) = s.selected() else { return };
    let w = area.width as usize;
    let mut top = vec![Line::from(Span::styled(
        truncate(
            &format!(
                " {} · {} · {} {}",
                fnd.kind.label().get(lang),
                fnd.severity.label().get(lang),
                tr!("规则", "rule").get(lang),
                fnd.rule
            ),
            w,
        ),
        theme::heading(),
    ))];
    for l in wrap(&format!(" {}", fnd.message.get(lang)), w.saturating_sub(1)) {
        top.push(Line::from(Span::styled(
            l,
            Style::default().add_modifier(Modifier::BOLD),
        )));
    }
    if let Some(m) = s.marks.get(&fnd.key()) {
        top.push(Line::from(Span::styled(
            truncate(
                &format!(
                    " {}：{} {}",
                    mark_text(Some(m), lang),
                    m.by,
                    crate::redact::mask_ids(&m.comment)
                ),
                w,
            ),
            theme::warn(),
        )));
    }
    let top_h = top.len() as u16;
    let [head, body] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(1)]).areas(area);
    f.render_widget(Paragraph::new(top), head);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let (answers, registry_used, settings) = split_evidence(&fnd.evidence);
    let col = |r: Rect| r.width.saturating_sub(2) as usize;
    // Left: the registry record, the fields the rule used first.
    let mut reg: Vec<Line> = Vec::new();
    for e in &registry_used {
        reg.push(Line::from(Span::styled(
            truncate(&format!("* {} = {}", e.name, plain(&e.value)), col(left)),
            theme::warn(),
        )));
    }
    for (k, v) in h.field_values() {
        if registry_used.iter().any(|e| e.name == k) {
            continue;
        }
        let v = crate::reconcile::value_json(&v);
        if !v.is_null() {
            reg.push(Line::from(truncate(
                &format!("  {k} = {}", plain(&v)),
                col(left),
            )));
        }
    }
    f.render_widget(
        Paragraph::new(reg).block(
            Block::default()
                .borders(Borders::ALL)
                .title(tr!(" 建档立卡 ", " Registry ").get(lang).to_string()),
        ),
        left,
    );
    let mut ans: Vec<Line> = Vec::new();
    for e in answers.iter().chain(settings.iter()) {
        let label = e.source.label();
        ans.push(Line::from(truncate(
            &format!("* {} {} = {}", label.get(lang), e.name, plain(&e.value)),
            col(right),
        )));
    }
    f.render_widget(
        Paragraph::new(ans).block(
            Block::default()
                .borders(Borders::ALL)
                .title(tr!(" 调查答案 ", " Answers ").get(lang).to_string()),
        ),
        right,
    );
}

/// The rates screen: one rate at a time, a bar per village, numerator and denominator.
pub fn draw_rates(f: &mut Frame, report: &RateReport, rate: RateName, lang: Lang, area: Rect) {
    let w = area.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        truncate(
            tr!(
                " {}（按 r 换一个指标）  考核年度 {}",
                " {} (r for the next rate)  assessment year {}",
                rate_label(rate).get(lang),
                report.assessment_year
            )
            .get(lang),
            w,
        ),
        theme::heading(),
    ))];
    let label_w = 16usize;
    let tail_w = 22usize;
    let bar_w = w.saturating_sub(label_w + tail_w + 2).max(4);
    let max = report
        .groups
        .iter()
        .chain(std::iter::once(&report.total))
        .filter_map(|g| rate_of(g, rate).rate)
        .fold(0.0f64, f64::max)
        .max(0.01);
    for (i, g) in report
        .groups
        .iter()
        .chain(std::iter::once(&report.total))
        .enumerate()
    {
        if i == report.groups.len() {
            lines.push(Line::default());
        }
        let r = rate_of(g, rate);
        let filled = r
            .rate
            .map_or(0, |x| ((x / max) * bar_w as f64).round() as usize)
            .min(bar_w);
        let place = group_place(g, lang);
        let tail = format!(
            " {} {}/{}{}",
            percent(r.rate),
            r.numerator,
            r.denominator,
            if r.failing { " ✗" } else { "" }
        );
        let bar_style = if r.failing {
            theme::error().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        };
        lines.push(Line::from(vec![
            Span::raw(pad(&format!(" {}", truncate(&place, label_w - 1)), label_w)),
            Span::styled(" ".repeat(filled), bar_style),
            Span::raw(" ".repeat(bar_w - filled)),
            Span::styled(
                truncate(&tail, tail_w),
                if r.failing {
                    theme::error()
                } else {
                    Style::default()
                },
            ),
        ]));
    }
    if report.groups.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!(
                " 还没有完成的调查，无法计算",
                " No completed interviews yet: nothing to count"
            )
            .get(lang)
            .to_string(),
            theme::warn(),
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
}

fn rate_of(g: &crate::reconcile::GroupRates, name: RateName) -> &crate::reconcile::Rate {
    let r = &g.rates;
    match name {
        RateName::WrongExit => &r.wrong_exit,
        RateName::Missed => &r.missed,
        RateName::WrongInclusion => &r.wrong_inclusion,
        RateName::Acceptance => &r.acceptance,
        RateName::Satisfaction => &r.satisfaction,
    }
}

/// A JSON value as a person reads it: texts without quotes, lists joined.
/// A value as shown, ID numbers masked as in the exports.
fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => crate::redact::mask_ids(s),
        serde_json::Value::Null => "-".to_string(),
        serde_json::Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}
