//! The rates per village: one rate at a time, a bar per village.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::ctx::Ctx;
use super::keymap::{Action, Mode};
use super::screen::{Nav, Screen};
use super::text::{pad, truncate};
use super::theme;
use crate::i18n::Lang;
use crate::reconcile::export::{group_place, percent, rate_label};
use crate::reconcile::{RateName, RateReport};
use crate::tr;

/// The rates screen: the report and the rate shown.
pub struct Rates {
    report: RateReport,
    name: RateName,
}

impl Rates {
    pub fn new(report: RateReport) -> Rates {
        Rates {
            report,
            name: RateName::WrongExit,
        }
    }
}

impl Screen for Rates {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("各村比率", "rates by village")
            .get(ctx.lang)
            .to_string()
    }

    fn mode(&self) -> Mode {
        Mode::Rates
    }

    fn act(&mut self, _ctx: &mut Ctx, action: Action) -> Nav {
        match action {
            Action::NextRate => {
                let names: Vec<_> = self
                    .report
                    .total
                    .rates
                    .iter()
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                let i = names.iter().position(|n| *n == self.name).unwrap_or(0);
                if let Some(n) = names.get((i + 1) % names.len().max(1)) {
                    self.name = *n;
                }
                Nav::Stay
            }
            Action::Back => Nav::Pop,
            _ => Nav::Stay,
        }
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw_rates(f, &self.report, self.name, ctx.lang, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The rates screen: one rate at a time, a bar per village, numerator and denominator.
fn draw_rates(f: &mut Frame, report: &RateReport, rate: RateName, lang: Lang, area: Rect) {
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
