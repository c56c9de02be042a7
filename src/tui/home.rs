//! The home screen: counts and what to do next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::{App, StoreTrouble};
use super::text::wrap;
use super::theme;
use crate::tr;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
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
