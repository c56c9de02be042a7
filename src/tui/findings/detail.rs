//! One finding drawn: what it is and its evidence in words, the auditor's mark; then the
//! household's registry record (labels, values in words, the members with their ID numbers
//! masked, the fields the rule read marked `*`) beside the interview's answers the rule read
//! and the history of the finding's marks (who, when, what, the comment).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Detail, Findings};
use crate::i18n::{Lang, Text};
use crate::questionnaire::Questionnaire;
use crate::reconcile::{EvidenceSource, Finding, MarkRecord};
use crate::registry::{Household, Member};
use crate::tr;
use crate::tui::ctx::Ctx;
use crate::tui::text::{truncate, wrap};
use crate::tui::theme;

/// ID numbers masked unless the app shows them (`--show-ids`).
fn shown(s: &str, show_ids: bool) -> String {
    if show_ids {
        s.to_string()
    } else {
        crate::redact::mask_ids(s)
    }
}

fn yes_no(b: bool, lang: Lang) -> String {
    crate::registry::describe::yes_no(b).get(lang).to_string()
}

/// The registry record as (registry field name, label, value in words), the empty ones left
/// out (`registry::describe`), ID numbers masked unless the app shows them.
pub fn record_rows(
    h: &Household,
    lang: Lang,
    show_ids: bool,
) -> Vec<(&'static str, String, String)> {
    crate::registry::describe::fields(h)
        .into_iter()
        .map(|(name, label, value)| {
            (
                name,
                label.get(lang).to_string(),
                shown(value.get(lang), show_ids),
            )
        })
        .collect()
}

/// A member in one line: name, relation, sex, age, ID number (masked), in words.
fn member_line(m: &Member, form: Option<&Questionnaire>, lang: Lang, show_ids: bool) -> String {
    let choice = |q: &str, name: &str| {
        form.and_then(|f| f.question(q))
            .and_then(|q| q.choice(name))
            .map_or_else(|| name.to_string(), |c| c.label.get(lang).to_string())
    };
    let mut parts = vec![m.name.clone()];
    if !m.relation.is_empty() {
        parts.push(choice("relation", &m.relation));
    }
    if !m.sex.is_empty() {
        parts.push(choice("sex", &m.sex));
    }
    if let Some(a) = m.age {
        parts.push(tr!("{}岁", "age {}", a).get(lang).to_string());
    }
    if !m.id_number.is_empty() {
        parts.push(shown(&m.id_number, show_ids));
    }
    parts.join(" ")
}

/// An answer the rule read, as people read it: the question's label and the answer in words
/// (a choice by its label, yes/no as 是/否, a list over a roster's rows joined by 、).
fn answer_line(
    form: Option<&Questionnaire>,
    id: &str,
    v: &serde_json::Value,
    lang: Lang,
) -> String {
    let q = form.and_then(|f| f.question(id));
    let label = q.map_or_else(|| id.to_string(), |q| q.label.get(lang).to_string());
    tr!(
        "* {}：答 {}",
        "* {}: answered {}",
        label,
        answer_text(q, v, lang)
    )
    .get(lang)
    .to_string()
}

fn answer_text(
    q: Option<&crate::questionnaire::Question>,
    v: &serde_json::Value,
    lang: Lang,
) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => tr!("（未答）", "(none)").get(lang).to_string(),
        J::Bool(b) => yes_no(*b, lang),
        J::String(s) => q
            .and_then(|q| q.choice(s))
            .map_or_else(|| s.clone(), |c| c.label.get(lang).to_string()),
        J::Array(items) => items
            .iter()
            .map(|x| answer_text(q, x, lang))
            .collect::<Vec<_>>()
            .join(tr!("、", ", ").get(lang)),
        other => other.to_string(),
    }
}

/// A setting the rule read, by a name people read.
fn setting_label(name: &str) -> Text {
    match name {
        "income_line" => tr!("贫困线（元/人·年）", "income line (yuan per head a year)"),
        "household_size_tolerance" => tr!("人口数允许的差", "household size tolerance"),
        "income_tolerance" => tr!("收入允许的差（比例）", "income tolerance (fraction)"),
        other => Text::new(other, other),
    }
}

/// One mark of the history: when, who, what, the comment.
pub fn history_line(r: &MarkRecord, lang: Lang, show_ids: bool) -> String {
    let what = match r.status {
        Some(s) => s.label().get(lang).to_string(),
        None => tr!("撤销标记", "cleared").get(lang).to_string(),
    };
    let mut line = format!("{} {} {}", r.at.format("%Y-%m-%d %H:%M"), r.by, what);
    if !r.comment.is_empty() {
        line.push_str(&format!("：{}", shown(&r.comment, show_ids)));
    }
    line
}

fn push_wrapped(out: &mut Vec<Line<'static>>, text: &str, w: usize, style: Style) {
    for l in wrap(text, w.max(4)) {
        out.push(Line::from(Span::styled(l, style)));
    }
}

/// The lines above the two columns.
fn top_lines(fnd: &Finding, s: &Findings, ctx: &Ctx, w: usize) -> Vec<Line<'static>> {
    let lang = ctx.lang;
    let show = ctx.show_ids;
    let mut top = Vec::new();
    let status = crate::reconcile::export::finding_status(fnd);
    push_wrapped(
        &mut top,
        &format!(
            " {} · {} · {} {} {} · {}",
            fnd.kind.label().get(lang),
            fnd.severity.label().get(lang),
            fnd.household_id,
            fnd.head_name,
            super::VillagePlace::of(fnd).text(),
            status.get(lang)
        ),
        w,
        theme::heading(),
    );
    let mut who = tr!("调查员 {}", "interviewer {}", fnd.interviewer)
        .get(lang)
        .to_string();
    who.push_str(&format!(
        "  {} {}",
        tr!("规则", "rule").get(lang),
        fnd.key().1
    ));
    push_wrapped(&mut top, &format!(" {who}"), w, theme::dim());
    push_wrapped(
        &mut top,
        &format!(" {}", fnd.message.get(lang)),
        w,
        Style::default().add_modifier(Modifier::BOLD),
    );
    for e in &fnd.explanation {
        push_wrapped(
            &mut top,
            &format!("   {}", shown(e.get(lang), show)),
            w,
            Style::default(),
        );
    }
    let mark = match s.mark(fnd) {
        Some(m) => {
            let mut t = format!(
                " {}：{}  {}",
                tr!("核查", "review").get(lang),
                m.status.label().get(lang),
                tr!("（{} {}）", " ({} {})", m.by, m.at.format("%Y-%m-%d %H:%M")).get(lang)
            );
            if !m.comment.is_empty() {
                t.push_str(&format!(" {}", shown(&m.comment, show)));
            }
            t
        }
        None => tr!(
            " 核查：未核查（y 确认  n 排除）",
            " review: not reviewed (y confirms, n dismisses)"
        )
        .get(lang)
        .to_string(),
    };
    push_wrapped(&mut top, &mark, w, theme::warn());
    top
}

pub fn draw(f: &mut Frame, s: &Findings, d: &Detail, ctx: &Ctx, area: Rect) {
    let Some(fnd) = s.selected() else { return };
    let lang = ctx.lang;
    let show = ctx.show_ids;
    let w = area.width as usize;
    let mut top = top_lines(fnd, s, ctx, w.saturating_sub(1));
    // Keep room for the columns: the top takes at most half the height.
    top.truncate((area.height / 2).max(3) as usize);
    let [head, body] =
        Layout::vertical([Constraint::Length(top.len() as u16), Constraint::Min(1)]).areas(area);
    f.render_widget(Paragraph::new(top), head);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let col = |r: Rect| r.width.saturating_sub(2) as usize;
    let form = ctx.ws.forms.get(fnd.household_kind).ok();
    let form = form.as_deref();
    let used: Vec<&str> = fnd
        .evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Registry)
        .map(|e| e.name.as_str())
        .collect();
    // Left: the registry record.
    let mut reg: Vec<Line<'static>> = Vec::new();
    let h = &d.household;
    if h.provisional {
        push_wrapped(
            &mut reg,
            tr!(
                "名单外农户：建档立卡里没有这一户",
                "not in the registry: a household the registry does not know"
            )
            .get(lang),
            col(left),
            theme::warn(),
        );
    }
    for (name, label, value) in record_rows(h, lang, show) {
        let mark = if used.contains(&name) { "*" } else { " " };
        let style = if used.contains(&name) {
            theme::warn()
        } else {
            Style::default()
        };
        push_wrapped(
            &mut reg,
            tr!("{} {}：{}", "{} {}: {}", mark, label, value).get(lang),
            col(left),
            style,
        );
    }
    if !h.members.is_empty() {
        let mark = if used.contains(&"member_id_numbers") {
            "*"
        } else {
            " "
        };
        push_wrapped(
            &mut reg,
            tr!(
                "{} 家庭成员（{} 人）",
                "{} members ({})",
                mark,
                h.members.len()
            )
            .get(lang),
            col(left),
            theme::heading(),
        );
        for m in &h.members {
            push_wrapped(
                &mut reg,
                &format!("   {}", member_line(m, form, lang, show)),
                col(left),
                Style::default(),
            );
        }
    }
    // Right: the answers the rule read (with the registry's value beside where it compared
    // the two), the settings, then the history of marks.
    let mut ans: Vec<Line<'static>> = Vec::new();
    for e in fnd
        .evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Answer)
    {
        let t = answer_line(form, &e.name, &e.value, lang);
        push_wrapped(&mut ans, &shown(&t, show), col(right), Style::default());
    }
    for e in fnd
        .evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Setting)
    {
        let t = tr!(
            "  设置 {}：{}",
            "  setting {}: {}",
            setting_label(&e.name).get(lang),
            crate::reconcile::export::json_text(&e.value)
        );
        push_wrapped(&mut ans, t.get(lang), col(right), theme::dim());
    }
    ans.push(Line::default());
    push_wrapped(
        &mut ans,
        tr!("核查记录", "history of marks").get(lang),
        col(right),
        theme::heading(),
    );
    if d.history.is_empty() {
        push_wrapped(
            &mut ans,
            tr!("  还没有标记", "  no mark yet").get(lang),
            col(right),
            theme::dim(),
        );
    }
    for r in &d.history {
        push_wrapped(
            &mut ans,
            &format!("  {}", history_line(r, lang, show)),
            col(right),
            Style::default(),
        );
    }
    let scroll = d.scroll.min(reg.len().max(ans.len()).saturating_sub(1));
    let skip = |lines: Vec<Line<'static>>| lines.into_iter().skip(scroll).collect::<Vec<_>>();
    let title = |t: Text| truncate(&format!(" {} ", t.get(lang)), col(left));
    f.render_widget(
        Paragraph::new(skip(reg)).block(Block::default().borders(Borders::ALL).title(title(tr!(
            "建档立卡（* 规则用到的）",
            "registry (* read by the rule)"
        )))),
        left,
    );
    f.render_widget(
        Paragraph::new(skip(ans)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title(tr!("调查答案与核查记录", "answers and marks"))),
        ),
        right,
    );
}
