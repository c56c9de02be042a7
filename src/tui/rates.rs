//! The rates screen: one rate at a time per village, township or county (a switch), every
//! place name whole (wrapped in its column), the rate as found beside the rate after review
//! (dismissed findings taken out), the households and people counted, a bar; for the drawn
//! sample only or for every interview (a switch); the export to a file chosen there. The
//! switches and the row selected are kept in the app's state when the screen is left.

use std::any::Any;
use std::cell::Cell;
use std::collections::HashSet;

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::ctx::Ctx;
use super::findings::{export_name, rules_ok};
use super::keymap::{Action, Mode};
use super::paste::Pasted;
use super::path_prompt::{self, ExportFormat, PathPrompt};
use super::screen::{Nav, Screen};
use super::text::{pad, truncate, width, wrap};
use super::theme;
use crate::i18n::{Lang, Text};
use crate::reconcile::export::{percent, rate_label};
use crate::reconcile::{GroupBy, GroupRates, Rate, RateName, RateReport, Settings, Surveyed};
use crate::tr;

/// The switches and the row selected, kept when the screen is left.
#[derive(Debug, Clone, Copy)]
pub struct View {
    by: GroupBy,
    name: RateName,
    sample_only: bool,
    cursor: usize,
}

impl Default for View {
    fn default() -> Self {
        View {
            by: GroupBy::Village,
            name: RateName::WrongExit,
            sample_only: false,
            cursor: 0,
        }
    }
}

/// The rates screen's state.
pub struct Rates {
    /// Every household with a completed interview, as found.
    surveyed: Vec<Surveyed>,
    /// The same after review: the findings auditors dismissed taken out.
    reviewed: Vec<Surveyed>,
    /// The drawn sample's household ids; `None` when no sample is drawn.
    sample: Option<HashSet<String>>,
    view: View,
    pub found: RateReport,
    pub after: RateReport,
    settings: Settings,
    offset: Cell<usize>,
    export: Option<PathPrompt>,
}

/// Reconciles the store into the rates screen, the switches of the last visit put back.
pub fn open(ctx: &mut Ctx) -> Option<Box<dyn Screen>> {
    if !rules_ok(ctx) {
        return None;
    }
    let rec = ctx.reconciler.as_ref().ok()?;
    let settings = rec.settings.clone();
    let out = match ctx.ws.reconcile(rec, &crate::reconcile::Filter::default()) {
        Ok(out) => out,
        Err(e) => {
            ctx.flash_error(e.message());
            return None;
        }
    };
    let marks = ctx.marks()?;
    let sample = match ctx.ws.sample_ids() {
        Ok(ids) if !ids.is_empty() => Some(ids),
        Ok(_) => None,
        Err(e) => {
            ctx.flash_error(e.message());
            None
        }
    };
    let reviewed = crate::reconcile::reviewed(&out.surveyed, &marks);
    let mut view = ctx.rates_view.unwrap_or_default();
    if sample.is_none() {
        view.sample_only = false;
    }
    Some(Box::new(Rates::new(
        out.surveyed,
        reviewed,
        sample,
        settings,
        view,
    )))
}

impl Rates {
    fn new(
        surveyed: Vec<Surveyed>,
        reviewed: Vec<Surveyed>,
        sample: Option<HashSet<String>>,
        settings: Settings,
        view: View,
    ) -> Rates {
        let empty = crate::reconcile::rates(&[], view.by, &settings);
        let mut r = Rates {
            surveyed,
            reviewed,
            sample,
            view,
            found: empty.clone(),
            after: empty,
            settings,
            offset: Cell::new(0),
            export: None,
        };
        r.recount();
        r
    }

    /// The rates again for the switches set.
    fn recount(&mut self) {
        let keep = |s: &&Surveyed| {
            !self.view.sample_only
                || self
                    .sample
                    .as_ref()
                    .is_some_and(|ids| ids.contains(&s.household_id))
        };
        let found: Vec<Surveyed> = self.surveyed.iter().filter(keep).cloned().collect();
        let after: Vec<Surveyed> = self.reviewed.iter().filter(keep).cloned().collect();
        self.found = crate::reconcile::rates(&found, self.view.by, &self.settings);
        self.after = crate::reconcile::rates(&after, self.view.by, &self.settings);
        self.view.cursor = self.view.cursor.min(self.found.groups.len());
    }

    /// The rows: every group, then the total.
    fn rows(&self) -> usize {
        self.found.groups.len() + 1
    }

    fn export(&self, ctx: &mut Ctx, path: &std::path::Path, format: ExportFormat) {
        use crate::reconcile::export as x;
        let report = &self.after;
        let bytes: Result<Vec<u8>, String> = match format {
            ExportFormat::Xlsx => x::write_rates_xlsx(report, ctx.lang).map_err(|e| e.to_string()),
            ExportFormat::Csv => {
                let mut buf = Vec::new();
                x::write_rates_csv(report, ctx.lang, &mut buf)
                    .map(|()| buf)
                    .map_err(|e| e.to_string())
            }
            ExportFormat::Json => {
                let v = serde_json::json!({
                    "as_found": self.found,
                    "after_review": self.after,
                    "sample_only": self.view.sample_only,
                });
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                Ok(s.into_bytes())
            }
        };
        let written = bytes
            .map_err(|e| tr!("无法导出：{}", "cannot export: {}", e))
            .and_then(|b| path_prompt::write(path, &b));
        match written {
            Ok(()) => ctx.say(tr!(
                "已导出比率（核查后，{}）到 {}",
                "exported the rates (after review, {}) to {}",
                scope_text(self.view.sample_only).get(ctx.lang),
                path.display()
            )),
            Err(e) => ctx.flash_error(e),
        }
    }
}

fn group_text(by: GroupBy) -> Text {
    match by {
        GroupBy::Village => tr!("按村", "by village"),
        GroupBy::Township => tr!("按乡镇", "by township"),
        GroupBy::County => tr!("按县", "by county"),
    }
}

fn scope_text(sample_only: bool) -> Text {
    if sample_only {
        tr!("只看抽样户", "drawn sample only")
    } else {
        tr!("全部调查", "every interview")
    }
}

impl Screen for Rates {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("比率", "rates").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        if self.export.is_some() {
            Mode::ExportPath
        } else {
            Mode::Rates
        }
    }

    fn available(&self, _ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::CycleSample => self.sample.is_some(),
            Action::Export => !self.found.groups.is_empty(),
            _ => true,
        }
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        if let Some(mut p) = self.export.take() {
            match action {
                Action::Back => ctx.say(tr!("没有导出", "nothing exported")),
                Action::Confirm => match p.submit() {
                    Some((path, format)) => self.export(ctx, &path, format),
                    None => self.export = Some(p),
                },
                _ => self.export = Some(p),
            }
            return Nav::Stay;
        }
        let last = self.rows() - 1;
        let c = &mut self.view.cursor;
        match action {
            Action::NextRate => {
                let i = RateName::ALL
                    .iter()
                    .position(|n| *n == self.view.name)
                    .unwrap_or(0);
                self.view.name = RateName::ALL[(i + 1) % RateName::ALL.len()];
            }
            Action::CycleGroup => {
                self.view.by = match self.view.by {
                    GroupBy::Village => GroupBy::Township,
                    GroupBy::Township => GroupBy::County,
                    GroupBy::County => GroupBy::Village,
                };
                self.view.cursor = 0;
                self.recount();
            }
            Action::CycleSample => match self.sample {
                Some(_) => {
                    self.view.sample_only = !self.view.sample_only;
                    self.view.cursor = 0;
                    self.recount();
                }
                None => ctx.flash_error(tr!(
                    "还没有抽样（ruhu sample 抽取），只能看全部调查",
                    "no sample drawn yet (ruhu sample draws one): every interview is shown"
                )),
            },
            Action::Up => *c = c.saturating_sub(1),
            Action::Down => *c = (*c + 1).min(last),
            Action::PageUp => *c = c.saturating_sub(10),
            Action::PageDown => *c = (*c + 10).min(last),
            Action::First => *c = 0,
            Action::Last => *c = last,
            Action::Export => {
                let stem = Text::new(
                    format!("比率-{}", group_text(self.view.by).zh),
                    format!("rates-{}", self.view.by.name()),
                );
                let name = export_name(ctx, stem);
                self.export = Some(PathPrompt::new(tr!("比率", "the rates"), &name));
            }
            Action::Back => return Nav::Pop,
            _ => {}
        }
        Nav::Stay
    }

    fn type_key(&mut self, _ctx: &mut Ctx, code: KeyCode) -> Nav {
        if let Some(p) = &mut self.export {
            p.type_key(code);
        }
        Nav::Stay
    }

    fn paste(&mut self, _ctx: &mut Ctx, text: &str) -> Option<Pasted> {
        Some(self.export.as_mut()?.paste(text))
    }

    fn has_typed_text(&self) -> bool {
        self.export.is_some()
    }

    fn leave(&mut self, ctx: &mut Ctx) {
        ctx.rates_view = Some(self.view);
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        let prompt_h = if self.export.is_some() { 3 } else { 0 };
        let body = Rect {
            height: area.height.saturating_sub(prompt_h),
            ..area
        };
        draw_rates(f, self, ctx.lang, body);
        if let Some(p) = &self.export {
            let prompt = Rect {
                y: body.bottom(),
                height: area.height - body.height,
                ..area
            };
            p.draw(f, ctx.lang, prompt);
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn rate_of(g: &GroupRates, name: RateName) -> &Rate {
    let r = &g.rates;
    match name {
        RateName::WrongExit => &r.wrong_exit,
        RateName::Missed => &r.missed,
        RateName::WrongInclusion => &r.wrong_inclusion,
        RateName::Acceptance => &r.acceptance,
        RateName::Satisfaction => &r.satisfaction,
    }
}

/// A rate in a cell: `2.50% 1/40`, `✗` when failing.
fn cell(r: &Rate) -> String {
    format!(
        "{} {}/{}{}",
        percent(r.rate),
        r.numerator,
        r.denominator,
        if r.failing { "✗" } else { "" }
    )
}

/// The heading a group sits under (the county and township of a village), if any.
fn heading_of(g: &GroupRates, by: GroupBy) -> Option<String> {
    let part = |s: &Option<String>| {
        s.as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("-")
            .to_string()
    };
    match by {
        GroupBy::Village => Some(format!("{} / {}", part(&g.county), part(&g.township))),
        GroupBy::Township => Some(part(&g.county)),
        GroupBy::County => None,
    }
}

/// The name of a group in its column: the village, township or county (the total: 合计).
fn label_of(g: &GroupRates, by: GroupBy, lang: Lang) -> String {
    if g.county.is_none() {
        return tr!("合计", "total").get(lang).to_string();
    }
    let name = match by {
        GroupBy::Village => &g.village,
        GroupBy::Township => &g.township,
        GroupBy::County => &g.county,
    };
    name.as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("-")
        .to_string()
}

/// Widths of the number columns: as found, after review, households, people.
const NUMBERS: [usize; 4] = [14, 14, 6, 7];

fn draw_rates(f: &mut Frame, r: &Rates, lang: Lang, area: Rect) {
    let w = area.width as usize;
    let name = r.view.name;
    let unit = if name.fails_above() {
        tr!("按人数", "in people")
    } else {
        tr!("按户数", "in households")
    };
    let mut lines: Vec<Line> = Vec::new();
    let head = tr!(
        " {}（{}）· {} · {} · 考核年度 {}",
        " {} ({}) · {} · {} · assessment year {}",
        rate_label(name).get(lang),
        unit.get(lang),
        group_text(r.view.by).get(lang),
        scope_text(r.view.sample_only).get(lang),
        r.found.assessment_year
    );
    for l in wrap(head.get(lang), w.saturating_sub(1).max(4)) {
        lines.push(Line::from(Span::styled(l, theme::heading())));
    }
    let groups: Vec<(&GroupRates, &GroupRates)> = r
        .found
        .groups
        .iter()
        .chain(std::iter::once(&r.found.total))
        .map(|g| {
            let after = r
                .after
                .groups
                .iter()
                .find(|a| {
                    a.county == g.county && a.township == g.township && a.village == g.village
                })
                .unwrap_or(if g.county.is_none() {
                    &r.after.total
                } else {
                    g
                });
            (g, after)
        })
        .collect();
    let fixed: usize = NUMBERS.iter().map(|n| n + 1).sum::<usize>() + 1;
    let longest = groups
        .iter()
        .map(|(g, _)| width(&label_of(g, r.view.by, lang)))
        .max()
        .unwrap_or(4);
    let label_w = longest.min(w.saturating_sub(fixed + 4)).max(6);
    let bar_w = w.saturating_sub(label_w + fixed);
    let headers = [
        tr!("核查前", "as found"),
        tr!("核查后", "reviewed"),
        tr!("户数", "hh"),
        tr!("人数", "people"),
    ];
    let mut head_line = format!(" {}", pad(tr!("地区", "place").get(lang), label_w));
    for (h, cw) in headers.iter().zip(NUMBERS) {
        head_line.push(' ');
        head_line.push_str(&pad(h.get(lang), cw));
    }
    lines.push(Line::from(Span::styled(
        truncate(&head_line, w),
        theme::heading(),
    )));
    let top = lines.len();
    let max = groups
        .iter()
        .filter_map(|(g, _)| rate_of(g, name).rate)
        .fold(0.0f64, f64::max)
        .max(0.01);
    // The rows, each with the index of its first line.
    let mut body: Vec<Line> = Vec::new();
    let mut starts = Vec::new();
    let mut last_heading: Option<String> = None;
    for (i, (g, after)) in groups.iter().enumerate() {
        let total = g.county.is_none();
        if total {
            body.push(Line::default());
        } else if let Some(h) = heading_of(g, r.view.by)
            && last_heading.as_ref() != Some(&h)
        {
            for l in wrap(&format!(" {h}"), w.saturating_sub(1).max(4)) {
                body.push(Line::from(Span::styled(l, theme::dim())));
            }
            last_heading = Some(h);
        }
        starts.push(body.len());
        let found = rate_of(g, name);
        let reviewed = rate_of(after, name);
        let label_style = if i == r.view.cursor {
            theme::selected()
        } else if total {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let number_style = |x: &Rate| {
            if x.failing {
                theme::error()
            } else {
                Style::default()
            }
        };
        let filled = found
            .rate
            .map_or(0, |x| ((x / max) * bar_w as f64).round() as usize)
            .min(bar_w);
        let bar_style = if found.failing {
            theme::error().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        };
        for (n, part) in wrap(&label_of(g, r.view.by, lang), label_w)
            .into_iter()
            .enumerate()
        {
            let mut spans = vec![
                Span::raw(" "),
                Span::styled(pad(&part, label_w), label_style),
            ];
            if n == 0 {
                let cells = [
                    (cell(found), number_style(found)),
                    (cell(reviewed), number_style(reviewed)),
                    (g.households.to_string(), Style::default()),
                    (g.people.to_string(), Style::default()),
                ];
                for ((text, style), cw) in cells.into_iter().zip(NUMBERS) {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(pad(&text, cw), style));
                }
                if bar_w > 1 {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(" ".repeat(filled.min(bar_w - 1)), bar_style));
                }
            }
            body.push(Line::from(spans));
        }
    }
    if r.found.groups.is_empty() {
        body.push(Line::from(Span::styled(
            if r.view.sample_only {
                tr!(
                    " 抽样户还没有完成的调查，无法计算",
                    " No completed interview of the drawn sample yet: nothing to count"
                )
            } else {
                tr!(
                    " 还没有完成的调查，无法计算",
                    " No completed interviews yet: nothing to count"
                )
            }
            .get(lang)
            .to_string(),
            theme::warn(),
        )));
    }
    // Keep the row selected in view.
    let room = (area.height as usize).saturating_sub(top).max(1);
    let at = starts.get(r.view.cursor).copied().unwrap_or(0);
    let end = starts.get(r.view.cursor + 1).copied().unwrap_or(body.len());
    let mut offset = r.offset.get();
    if at < offset {
        offset = at;
    } else if end > offset + room {
        offset = end.saturating_sub(room);
    }
    r.offset.set(offset);
    lines.extend(body.into_iter().skip(offset).take(room));
    f.render_widget(Paragraph::new(lines), area);
}
