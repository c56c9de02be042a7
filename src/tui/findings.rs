//! The auditors' screens: the findings table (filter by kind, village and severity; sort;
//! detail with the registry record and the answers side by side; marks; export) and the
//! rates per village with bars.

use std::any::Any;
use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::ctx::Ctx;
use super::households::cycle;
use super::keymap::{Action, Mode};
use super::rates::Rates;
use super::screen::{Nav, Screen};
use super::text::{pad, truncate, wrap};
use super::theme;
use crate::i18n::Lang;
use crate::reconcile::export::split_evidence;
use crate::reconcile::{Finding, FindingKind, Mark, MarkStatus, Severity};
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
pub struct Findings {
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

impl Findings {
    pub fn new(all: Vec<Finding>, marks: HashMap<(uuid::Uuid, String), Mark>) -> Self {
        let mut villages: Vec<String> = all.iter().map(|f| f.village.clone()).collect();
        villages.sort();
        villages.dedup();
        let mut s = Findings {
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

fn draw(f: &mut Frame, s: &Findings, lang: Lang, area: Rect) {
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
        let mut progress = if fnd.in_progress {
            tr!("（进行中）", " (in progress)").get(lang).to_string()
        } else {
            String::new()
        };
        if let Some(v) = &fnd.visits {
            progress.push_str(&format!("（{}）", v.text().get(lang)));
        }
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
fn draw_detail(f: &mut Frame, s: &Findings, h: &Household, lang: Lang, area: Rect) {
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

fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => crate::redact::mask_ids(s),
        serde_json::Value::Null => "-".to_string(),
        serde_json::Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

/// Reconciles the store: the findings screen, or (`rates`) the rates per village; none (with
/// the message shown) when the rules are broken or the store cannot be read.
pub fn open(ctx: &mut Ctx, rates: bool) -> Option<Box<dyn Screen>> {
    let rec = match &ctx.reconciler {
        Ok(rec) => rec,
        Err(errors) => {
            let first = errors
                .first()
                .map(|e| e.render(ctx.lang))
                .unwrap_or_default();
            let m = tr!(
                "核查规则或设置有 {} 处错误（ruhu check 可全部列出），例如：{}",
                "the rules or settings have {} error(s) (ruhu check lists them all), e.g. {}",
                errors.len(),
                first
            );
            ctx.flash_error(m);
            return None;
        }
    };
    let filter = crate::reconcile::Filter {
        include_in_progress: !rates,
        ..Default::default()
    };
    let out = match ctx.ws.reconcile(rec, &filter) {
        Ok(out) => out,
        Err(e) => {
            ctx.flash_error(e.message());
            return None;
        }
    };
    if rates {
        let report = crate::reconcile::rates(
            &out.surveyed,
            crate::reconcile::GroupBy::Village,
            &rec.settings,
        );
        return Some(Box::new(Rates::new(report)));
    }
    let marks = match ctx.ws.marks() {
        Ok(m) => m,
        Err(e) => {
            ctx.flash_error(tr!(
                "读不出核查标记：{}",
                "the marks cannot be read: {}",
                e.message().get(ctx.lang)
            ));
            return None;
        }
    };
    Some(Box::new(Findings::new(out.findings, marks)))
}

impl Screen for Findings {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("核查发现", "findings").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        if self.detail.is_some() {
            Mode::FindingDetail
        } else {
            Mode::Findings
        }
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::MarkConfirmed | Action::MarkDismissed => {
                ctx.trouble.is_none() && self.selected().is_some()
            }
            Action::Confirm | Action::Export => self.selected().is_some(),
            _ => true,
        }
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        let s = self;
        let last = s.shown.len().saturating_sub(1);
        match action {
            Action::Up => s.cursor = s.cursor.saturating_sub(1),
            Action::Down => s.cursor = (s.cursor + 1).min(last),
            Action::PageUp => s.cursor = s.cursor.saturating_sub(10),
            Action::PageDown => s.cursor = (s.cursor + 10).min(last),
            Action::CycleKind => {
                use crate::reconcile::FindingKind::*;
                s.kind = cycle(
                    &[WrongExit, Missed, WrongInclusion, Returned, Mismatch],
                    s.kind.as_ref(),
                );
                s.apply();
            }
            Action::CycleVillage => {
                s.village = cycle(&s.villages, s.village.as_ref());
                s.apply();
            }
            Action::CycleSeverity => {
                use crate::reconcile::Severity::*;
                s.severity = cycle(&[Finding, Warning], s.severity.as_ref());
                s.apply();
            }
            Action::Sort => {
                s.sort = match s.sort {
                    SortBy::Village => SortBy::Kind,
                    SortBy::Kind => SortBy::Severity,
                    SortBy::Severity => SortBy::Village,
                };
                s.apply();
            }
            Action::Confirm => {
                if let Some(f) = s.selected() {
                    match ctx.ws.find_household(&f.household_id) {
                        Ok(Some(h)) => s.detail = Some(h),
                        Ok(None) => {
                            s.detail = Some(Household::provisional(
                                f.household_id.clone(),
                                f.head_name.clone(),
                                f.village.clone(),
                            ))
                        }
                        Err(e) => ctx.flash_error(e.message()),
                    }
                }
            }
            Action::MarkConfirmed | Action::MarkDismissed
                if ctx.refused(tr!("标记核查发现", "mark findings")) => {}
            Action::MarkConfirmed | Action::MarkDismissed => {
                if let Some(f) = s.selected() {
                    let mark = crate::reconcile::Mark {
                        interview_id: f.interview_id,
                        rule: f.rule.clone(),
                        status: if action == Action::MarkConfirmed {
                            MarkStatus::Confirmed
                        } else {
                            MarkStatus::Dismissed
                        },
                        comment: String::new(),
                        by: ctx.interviewer.clone(),
                        at: crate::session::now(),
                    };
                    match ctx.ws.put_mark(&mark) {
                        Ok(()) => {
                            s.marks.insert(mark.key(), mark);
                        }
                        Err(e) => {
                            let m = ctx.note_failure(&e);
                            ctx.flash_error(m);
                        }
                    }
                }
            }
            Action::Export => {
                let shown: Vec<Finding> = s.shown.iter().map(|&i| s.all[i].clone()).collect();
                let opts = crate::reconcile::export::ExportOptions {
                    lang: ctx.lang,
                    show_ids: false,
                };
                let path = std::path::PathBuf::from(format!(
                    "ruhu-findings-{}.xlsx",
                    crate::session::now().format("%Y%m%d-%H%M%S")
                ));
                let written = crate::reconcile::export::write_findings_xlsx(&shown, &s.marks, opts)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| std::fs::write(&path, bytes).map_err(|e| e.to_string()));
                match written {
                    Ok(()) => ctx.say(tr!(
                        "已导出 {} 项到 {}",
                        "exported {} findings to {}",
                        shown.len(),
                        path.display()
                    )),
                    Err(e) => ctx.flash_error(tr!("导出失败：{}", "export failed: {}", e)),
                }
            }
            Action::Back if s.detail.is_some() => s.detail = None,
            Action::Back => return Nav::Pop,
            _ => {}
        }
        if s.detail.is_some() && matches!(action, Action::Up | Action::Down) {
            let id = s.selected().map(|f| f.household_id.clone());
            if let Some(id) = id {
                match ctx.ws.household(&id) {
                    Ok(h) => s.detail = Some(h),
                    Err(e) => ctx.flash_error(e.message()),
                }
            }
        }
        Nav::Stay
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, self, ctx.lang, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
