//! A finding's evidence in words, for people (the same lines in the screens, the command
//! line and every export): each answer by its question's label with its value in words
//! (是/否, a choice's label, money in yuan), the registry's value beside it when the rule
//! compared the two, what a computed answer was computed from (the income parts and the
//! household size of the income per head), the registry values and settings read, the
//! members only on one side when the rule compares the household's size or members' ID
//! numbers, and the member concerned of a member check.
//!
//! Question labels: the part of a label before its first colon (`工资性收入（元）：全家…`
//! → `工资性收入`) is its short form; `（元）` / `(yuan)` in it marks an amount of money,
//! shown to the yuan, or to the fen when it is not whole. ID numbers are given in full: a
//! face masks them (`redact::mask_ids`) unless asked.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::finding::{Evidence, EvidenceSource};
use super::scope::ResultScope;
use crate::i18n::Text;
use crate::questionnaire::expr::{Scope, Value};
use crate::questionnaire::{QuestionType, Questionnaire};
use crate::registry::describe::{self, join, money, number, yes_no};
use crate::tr;

/// How one question is named and read.
#[derive(Debug, Clone)]
struct Label {
    /// The short label, without the money mark.
    text: Text,
    /// The label is a question (ends with `？`, `?`), per language: the value follows as an
    /// answer.
    asks: (bool, bool),
    money: bool,
    /// A choice question's choices: name and label.
    choices: Vec<(String, Text)>,
    /// For a calculation: the questions it reads, in the order written.
    parts: Vec<String>,
    /// The registry field it is compared with.
    registry: Option<String>,
    /// A question of a roster: its value is one per row.
    in_roster: bool,
    is_roster: bool,
}

/// The labels of every question of the questionnaires in use (the first questionnaire that
/// has an id names it).
#[derive(Debug, Clone, Default)]
pub(super) struct Labels {
    questions: HashMap<String, Label>,
}

/// The short form of a label: before its first colon, and a question without the
/// parenthesis that follows its question mark (`您家吃水方便、安全吗？（常年有水喝…）`).
fn short(label: &str) -> &str {
    let cut = label
        .find('：')
        .or_else(|| label.find(": "))
        .unwrap_or(label.len());
    let s = label[..cut].trim();
    for mark in ["？（", "? (", "?("] {
        if let Some(i) = s.find(mark)
            && (s.ends_with('）') || s.ends_with(')'))
        {
            // The mark starts with the question mark, which stays.
            return &s[..i + mark.chars().next().map_or(1, char::len_utf8)];
        }
    }
    s
}

fn without_money(zh: &str, en: &str) -> (String, String, bool) {
    let zh_money = zh.contains("（元）") || zh.contains("(元)");
    let en_money = en.contains("(yuan)");
    let zh = zh.replace("（元）", "").replace("(元)", "");
    let en = en.replace(" (yuan)", "").replace("(yuan)", "");
    (
        zh.trim().to_string(),
        en.trim().to_string(),
        zh_money || en_money,
    )
}

fn label_of(q: &crate::questionnaire::Question, in_roster: bool) -> Label {
    let (mut zh, mut en, mut money) = without_money(short(&q.label.zh), short(&q.label.en));
    // A question compared with the registry is named as the registry names the field.
    if let Some(field) = q.registry.as_deref()
        && let Some(l) = describe::field_label(field)
    {
        zh = l.zh;
        en = l.en;
        money |= describe::is_money(field);
    }
    let asks = (zh.ends_with('？') || zh.ends_with('?'), en.ends_with('?'));
    let choices = q
        .kind
        .choices()
        .iter()
        .map(|c| (c.name.clone(), c.label.clone()))
        .collect();
    let parts = match &q.kind {
        QuestionType::Calculate(e) => {
            let mut seen = Vec::new();
            for r in e.ast.references() {
                if !seen.iter().any(|s: &String| s == r) {
                    seen.push(r.to_string());
                }
            }
            seen
        }
        _ => Vec::new(),
    };
    Label {
        text: Text::new(zh, en),
        asks,
        money,
        choices,
        parts,
        registry: q.registry.clone(),
        in_roster,
        is_roster: matches!(q.kind, QuestionType::Roster { .. }),
    }
}

pub(super) fn labels(forms: &[&Questionnaire]) -> Labels {
    let mut questions = HashMap::new();
    for f in forms {
        for q in f.all_questions() {
            questions
                .entry(q.id.clone())
                .or_insert_with(|| label_of(q, false));
            if let QuestionType::Roster { questions: rq, .. } = &q.kind {
                for r in rq {
                    questions
                        .entry(r.id.clone())
                        .or_insert_with(|| label_of(r, true));
                }
            }
        }
    }
    Labels { questions }
}

impl Labels {
    /// The questions the calculations among `ids` read: what the explanations read beside
    /// what the rules read.
    pub(super) fn parts_of<'a>(&'a self, ids: &[&'a str]) -> Vec<&'a str> {
        let mut out = Vec::new();
        for id in ids {
            if let Some(l) = self.questions.get(*id) {
                self.walk(&l.parts, 0, &mut |p| out.push(p));
            }
        }
        out
    }

    /// The answers a calculation rests on: its parts, a part that is itself a calculation
    /// by what it reads (to a depth of 3), rosters left out (their rows are counted).
    fn walk<'a>(&'a self, parts: &'a [String], depth: usize, f: &mut dyn FnMut(&'a str)) {
        for p in parts {
            match self.questions.get(p) {
                Some(pl) if !pl.parts.is_empty() && depth < 3 => self.walk(&pl.parts, depth + 1, f),
                Some(pl) if pl.is_roster => {}
                _ => f(p),
            }
        }
    }

    fn name(&self, id: &str) -> Text {
        self.questions
            .get(id)
            .map(|l| l.text.clone())
            .unwrap_or_else(|| Text::new(id, id))
    }
}

/// An answer's value in words, as its question reads it.
fn answer_text(label: Option<&Label>, v: &Json) -> Text {
    match v {
        Json::Null => Text::new("未答", "not answered"),
        Json::Bool(b) => yes_no(*b),
        Json::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            if label.is_some_and(|l| l.money) {
                money(x)
            } else {
                let s = number(x);
                Text::new(s.clone(), s)
            }
        }
        Json::String(s) => label
            .and_then(|l| l.choices.iter().find(|(name, _)| name == s))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| Text::new(s.clone(), s.clone())),
        Json::Array(items) => {
            let parts: Vec<Text> = items.iter().map(|i| answer_text(label, i)).collect();
            join(&parts, "、", ", ")
        }
        Json::Object(_) => Text::new("-", "-"),
    }
}

/// `不愁吃：否`, or for a label that asks, `您家认可已经脱贫了吗？答：否`.
fn stated(label: &Text, asks: (bool, bool), value: &Text) -> Text {
    Text::new(
        if asks.0 {
            format!("{}答：{}", label.zh, value.zh)
        } else {
            format!("{}：{}", label.zh, value.zh)
        },
        if asks.1 {
            format!("{} Answer: {}", label.en, value.en)
        } else {
            format!("{}: {}", label.en, value.en)
        },
    )
}

/// A setting's name and value in words.
fn setting_text(name: &str, v: &Json, scope: &ResultScope) -> Text {
    let x = v.as_f64();
    match (name, x) {
        ("income_line", Some(x)) => {
            let year = scope.settings().assessment_year;
            let m = money(x);
            Text::new(
                format!("{year}年贫困线：{}", m.zh),
                format!("the {year} income line: {}", m.en),
            )
        }
        ("income_tolerance", Some(x)) => {
            let p = number(x * 100.0);
            tr!("收入容许相差：{}%", "income tolerance: {}%", p)
        }
        ("household_size_tolerance", Some(x)) => {
            let n = number(x);
            tr!("人口容许相差：{} 人", "household size tolerance: {}", n)
        }
        _ => {
            let t = answer_text(None, v);
            Text::new(format!("{name}：{}", t.zh), format!("{name}: {}", t.en))
        }
    }
}

/// One person as shown: `李四（532326…）`, or the name alone.
fn person(name: &str, id: &str) -> Text {
    match (name.trim(), id.trim()) {
        ("", "") => Text::new("?", "?"),
        (n, "") => Text::new(n, n),
        ("", i) => Text::new(i, i),
        (n, i) => Text::new(format!("{n}（{i}）"), format!("{n} ({i})")),
    }
}

fn texts(v: Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Text(s) => s,
                Value::Missing => String::new(),
                other => super::engine::value_json(&other).to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn normal_id(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// The members found on one side only: the interview's roster against the registry's
/// members, matched by ID number where both have one, else by name. `None` when the
/// registry lists no members.
fn member_difference(scope: &ResultScope) -> Option<Text> {
    let registry = &scope.household().members;
    if registry.is_empty() {
        return None;
    }
    let names = texts(scope.answer("name"));
    let ids = texts(scope.answer("id_number"));
    let rows = names.len().max(ids.len());
    let interview: Vec<(String, String)> = (0..rows)
        .map(|i| {
            (
                names.get(i).cloned().unwrap_or_default(),
                ids.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let mut matched = vec![false; registry.len()];
    let mut only_interview = Vec::new();
    for (name, id) in &interview {
        let found = registry.iter().enumerate().position(|(j, m)| {
            !matched[j]
                && if !id.trim().is_empty() && !m.id_number.trim().is_empty() {
                    normal_id(id) == normal_id(&m.id_number)
                } else {
                    !name.trim().is_empty() && name.trim() == m.name.trim()
                }
        });
        match found {
            Some(j) => matched[j] = true,
            None => only_interview.push(person(name, id)),
        }
    }
    let only_registry: Vec<Text> = registry
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(m, _)| person(&m.name, &m.id_number))
        .collect();
    if only_interview.is_empty() && only_registry.is_empty() {
        return Some(tr!(
            "成员：调查登记 {} 人，建档立卡 {} 人，逐一对上",
            "members: {} recorded, {} in the registry, each matched",
            interview.len(),
            registry.len()
        ));
    }
    let list = |v: &[Text]| {
        if v.is_empty() {
            Text::new("无", "none")
        } else {
            join(v, "、", ", ")
        }
    };
    let (a, b) = (list(&only_interview), list(&only_registry));
    Some(Text::new(
        format!("只在调查中的成员：{}；只在建档立卡中的成员：{}", a.zh, b.zh),
        format!(
            "members only in the interview: {}; only in the registry: {}",
            a.en, b.en
        ),
    ))
}

/// What a computed answer was computed from: `计算自：工资性收入 3,000 元，…，家庭人口 3`.
/// A roster question among the parts gives its value per member.
fn parts_text(label: &Label, labels: &Labels, scope: &ResultScope) -> Option<Text> {
    if label.parts.is_empty() {
        return None;
    }
    let names = texts(scope.answer("name"));
    let mut items = Vec::new();
    let mut parts = Vec::new();
    labels.walk(&label.parts, 0, &mut |p| parts.push(p));
    let mut seen = Vec::new();
    for p in parts {
        if seen.contains(&p) {
            continue;
        }
        seen.push(p);
        let pl = labels.questions.get(p);
        let name = labels.name(p);
        let v = scope.answer(p);
        if pl.is_some_and(|l| l.in_roster) {
            let values = match v {
                Value::List(items) => items,
                _ => Vec::new(),
            };
            let per: Vec<Text> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let who = names.get(i).filter(|n| !n.is_empty()).cloned();
                    let who = who.unwrap_or_else(|| format!("#{}", i + 1));
                    let t = answer_text(pl, &super::engine::value_json(v));
                    Text::new(format!("{who} {}", t.zh), format!("{who} {}", t.en))
                })
                .collect();
            let per = join(&per, "、", ", ");
            items.push(Text::new(
                format!("{}（{}）", name.zh, per.zh),
                format!("{} ({})", name.en, per.en),
            ));
        } else {
            let t = answer_text(pl, &super::engine::value_json(&v));
            items.push(Text::new(
                format!("{} {}", name.zh, t.zh),
                format!("{} {}", name.en, t.en),
            ));
        }
    }
    let all = join(&items, "，", ", ");
    Some(Text::new(
        format!("{}计算自：{}", label.text.zh, all.zh),
        format!("{} is computed from: {}", label.text.en, all.en),
    ))
}

/// The member of a member check: `成员：李四（532326…），第 2 行`.
fn member_concerned(scope: &ResultScope, row: &str) -> Option<Text> {
    let rows = texts(scope.answer(crate::interview::ROW_ID_KEY));
    let i = rows
        .iter()
        .position(|r| r == row)
        .or_else(|| row.parse::<usize>().ok())?;
    let name = texts(scope.answer("name"))
        .get(i)
        .cloned()
        .unwrap_or_default();
    let id = texts(scope.answer("id_number"))
        .get(i)
        .cloned()
        .unwrap_or_default();
    let who = person(&name, &id);
    let n = i + 1;
    Some(Text::new(
        format!("成员：{}，第 {n} 行", who.zh),
        format!("member: {}, row {n}", who.en),
    ))
}

/// The lines of a finding's evidence in words.
pub(super) fn explain(
    evidence: &[Evidence],
    scope: &ResultScope,
    labels: &Labels,
    member_row: Option<&str>,
) -> Vec<Text> {
    let mut out = Vec::new();
    if let Some(row) = member_row
        && let Some(t) = member_concerned(scope, row)
    {
        out.push(t);
    }
    let registry = |field: &str| {
        evidence
            .iter()
            .find(|r| r.source == EvidenceSource::Registry && r.name == field)
    };
    let mut paired: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    // The members' ID numbers are shown as the members on one side only.
    let reads_member_ids = registry("member_id_numbers").is_some();
    for e in evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Answer)
    {
        let label = labels.questions.get(&e.name);
        if reads_member_ids && e.name == "id_number" {
            continue;
        }
        if member_row.is_some() && label.is_some_and(|l| l.in_roster) {
            // A member check's evidence is that member's row: named once above, each answer
            // as it is.
            let name = labels.name(&e.name);
            let v = answer_text(label, &e.value);
            out.push(stated(&name, (false, false), &v));
            continue;
        }
        if scope.is_roster(&e.name) {
            // A roster's evidence is its number of rows.
            let n = e.value.as_u64().unwrap_or_default();
            out.push(if e.name == super::members::ROSTER {
                tr!("家庭成员：登记 {} 人", "roster: {} people recorded", n)
            } else {
                let name = labels.name(&e.name);
                Text::new(
                    format!("{}：{n} 行", name.zh),
                    format!("{}: {n} row(s)", name.en),
                )
            });
            continue;
        }
        let name = labels.name(&e.name);
        let v = answer_text(label, &e.value);
        let pair = label
            .and_then(|l| l.registry.as_deref())
            .and_then(|field| registry(field).map(|r| (field, r)));
        match pair {
            Some((field, r)) => {
                paired.push(field);
                let rv = describe::value_text(field, &super::engine::json_value(&r.value));
                let rv = if label.is_some_and(|l| l.money)
                    && let Some(x) = r.value.as_f64()
                {
                    money(x)
                } else {
                    rv
                };
                out.push(Text::new(
                    format!("{}：调查 {}，建档立卡 {}", name.zh, v.zh, rv.zh),
                    format!("{}: interview {}, registry {}", name.en, v.en, rv.en),
                ));
            }
            None => out.push(stated(&name, label.map_or((false, false), |l| l.asks), &v)),
        }
        if let Some(l) = label
            && let Some(t) = parts_text(l, labels, scope)
        {
            parts.push(t);
        }
    }
    out.extend(parts);
    let mut compares_members = false;
    for e in evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Registry && !paired.contains(&e.name.as_str()))
    {
        if e.name == "member_id_numbers" || e.name == "household_size" {
            compares_members = true;
        }
        if e.name == "member_id_numbers" {
            continue;
        }
        let label = describe::field_label(&e.name).unwrap_or_else(|| Text::new(&e.name, &e.name));
        let v = describe::value_text(&e.name, &super::engine::json_value(&e.value));
        out.push(Text::new(
            format!("建档立卡{}：{}", label.zh, v.zh),
            format!("registry {}: {}", label.en, v.en),
        ));
    }
    if paired.contains(&"household_size") {
        compares_members = true;
    }
    if compares_members && let Some(t) = member_difference(scope) {
        out.push(t);
    }
    for e in evidence
        .iter()
        .filter(|e| e.source == EvidenceSource::Setting)
    {
        out.push(setting_text(&e.name, &e.value, scope));
    }
    out
}
