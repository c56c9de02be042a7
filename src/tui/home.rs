//! The home screen: counts, what to do next, and the way to every other screen.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::ctx::{Ctx, StoreTrouble, new_household_text};
use super::keymap::{Action, Mode};
use super::screen::{Nav, Screen};
use super::text::wrap;
use super::theme;
use super::{findings, households, new_household, rates, sync, talks, team};
use crate::tr;

/// The home screen (no state of its own: the counts are shared).
pub struct Home;

impl Screen for Home {
    fn title(&self, ctx: &Ctx) -> String {
        tr!("首页", "home").get(ctx.lang).to_string()
    }

    fn mode(&self) -> Mode {
        Mode::Home
    }

    fn act(&mut self, ctx: &mut Ctx, action: Action) -> Nav {
        match action {
            Action::OpenHouseholds => Nav::Push(Box::new(households::Households::opening(ctx))),
            Action::NewHousehold if ctx.refused(new_household_text()) => Nav::Stay,
            Action::NewHousehold => {
                Nav::Push(Box::new(new_household::NewHousehold::new(ctx, None)))
            }
            Action::OpenFindings => findings::open(ctx).map_or(Nav::Stay, Nav::Push),
            Action::OpenRates => rates::open(ctx).map_or(Nav::Stay, Nav::Push),
            Action::OpenTeam => Nav::Push(Box::new(team::Team::open(ctx))),
            Action::OpenSync => Nav::Push(Box::new(sync::Sync::open(ctx))),
            Action::OpenTalks => talks::open(ctx).map_or(Nav::Stay, Nav::Push),
            Action::LoadDemo => {
                load_demo(ctx);
                Nav::Stay
            }
            Action::Back => Nav::Quit,
            _ => Nav::Stay,
        }
    }

    fn available(&self, ctx: &Ctx, action: Action) -> bool {
        match action {
            Action::LoadDemo => ctx.trouble.is_none() && ctx.counts.households == 0,
            Action::NewHousehold => ctx.trouble.is_none(),
            _ => true,
        }
    }

    fn resumed(&mut self, ctx: &mut Ctx) {
        ctx.refresh_counts();
    }

    fn draw(&self, f: &mut Frame, ctx: &Ctx, area: Rect) {
        draw(f, ctx, area)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Loads the demo households and their project list into an empty store.
fn load_demo(ctx: &mut Ctx) {
    if ctx.refused(tr!("载入演示数据", "load the demo data")) {
        return;
    }
    if ctx.counts.households > 0 {
        ctx.say(tr!(
            "已有农户数据，未载入演示数据",
            "households already loaded: demo data not added"
        ));
        return;
    }
    let opts = crate::demo::DemoOptions::default();
    let loaded = ctx
        .ws
        .load_households(crate::demo::generate_iter(&opts))
        .and_then(|n| {
            ctx.ws
                .load_projects(&crate::demo::generate_projects(&opts))
                .map(|_| n)
        })
        .map_err(crate::session::SessionError::from)
        .and_then(|n| ctx.ws.load_demo_talks(opts.seed).map(|t| (n, t)));
    match loaded {
        Ok((n, talks)) => {
            ctx.say(tr!(
                "已载入 {} 户演示数据和 {} 次干部访谈（虚构的演示县）",
                "loaded {} demo households and {} cadre talks (a fictional county)",
                n,
                talks
            ));
            ctx.refresh_counts();
        }
        Err(crate::session::SessionError::Store(e)) => {
            let m = ctx.note_failure(&e);
            ctx.flash_error(m);
        }
        Err(e) => ctx.flash_error(e.message()),
    }
}

fn draw(f: &mut Frame, app: &Ctx, area: Rect) {
    let c = &app.counts;
    let lang = app.lang;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(tr!(" 概况 ", " Overview ").get(lang).to_string());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let rows = [
        (tr!("农户", "households"), c.households),
        (tr!("抽样户", "in sample"), c.in_sample),
        (tr!("调查进行中", "interviews in progress"), c.in_progress),
        (tr!("调查已完成", "interviews completed"), c.completed),
        (tr!("组长退回待补", "returned by the team lead"), c.returned),
    ];
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(label, n)| {
            Line::from(vec![
                Span::styled(format!("{n:>8}  "), theme::heading()),
                Span::raw(label.get(lang).to_string()),
            ])
        })
        .collect();
    if let Some(e) = &c.error {
        let t = tr!(
            "! 有些数字读不出来：{}",
            "! some counts cannot be read: {}",
            e.get(lang)
        );
        for l in wrap(t.get(lang), inner.width.saturating_sub(2) as usize) {
            lines.push(Line::from(Span::styled(format!(" {l}"), theme::error())));
        }
    }
    lines.push(Line::default());
    let next = if app.trouble == Some(StoreTrouble::ReadOnly) {
        tr!(
            "数据文件夹是只读的：可以按 1 查看农户列表，按 2、3 查看核查发现和比率；不能载入演示数据、登记农户或进行调查。",
            "The data folder is read-only: press 1 for the household list, 2 and 3 for findings and rates; demo data, new households and interviews are not possible."
        )
    } else if c.households == 0 {
        tr!(
            "这是一个空的数据文件夹。按 d 载入演示数据（虚构的演示县，几百户四类农户），或按 n 登记一户名单外农户。",
            "This data folder is empty. Press d to load the demo data (a fictional county, a few hundred households of all four kinds), or n to enter a household."
        )
    } else if c.returned > 0 {
        tr!(
            "下一步：组长退回了调查。按 1 打开农户列表，按 s 筛选「已退回」，按意见补正后重新完成。",
            "Next: the team lead returned interviews. Press 1 for the household list, s to filter the returned ones, correct them as the comments say and complete them again."
        )
    } else if c.in_progress > 0 {
        tr!(
            "下一步：按 1 打开农户列表，按 s 筛选「进行中」，继续未完成的调查。",
            "Next: press 1 for the household list, s to filter interviews in progress, and finish them."
        )
    } else {
        tr!(
            "下一步：按 1 打开农户列表，用 / 按姓名、户编号或身份证号搜索，按 Enter 开始入户调查演练。",
            "Next: press 1 for the household list, / to search by name, household id or ID number, Enter to rehearse an interview."
        )
    };
    for l in wrap(next.get(lang), inner.width.saturating_sub(2) as usize) {
        lines.push(Line::from(Span::styled(format!(" {l}"), theme::ok())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
