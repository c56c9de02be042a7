//! One answer: its typed value, how it is read from JSON and from typed text, and how it
//! enters expressions.

use chrono::NaiveDate;
use serde_json::Value as Json;

use crate::i18n::Text;
use crate::questionnaire::expr::Value;
use crate::questionnaire::{Question, QuestionType};
use crate::tr;

/// The value of an answered question. In JSON (answer files, the store) it is written the
/// natural way: text, number, choice name, array of choice names, boolean, `"YYYY-MM-DD"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Text(String),
    Integer(i64),
    Decimal(f64),
    Choice(String),
    Choices(Vec<String>),
    Bool(bool),
    Date(NaiveDate),
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerError {
    UnknownQuestion(String),
    /// Notes, calculations and rosters take no typed answer.
    NotAnswerable(String),
    WrongType {
        expected: &'static str,
    },
    NotAChoice(String),
    Constraint(Text),
    NotInRoster {
        question: String,
        roster: String,
    },
    UnknownRow(String),
    RosterFull(usize),
    /// A text longer than [`crate::limits::MAX_TEXT_ANSWER_CHARS`].
    TooLong(usize),
}

impl AnswerError {
    pub fn message(&self) -> Text {
        match self {
            AnswerError::UnknownQuestion(q) => tr!("没有问题 {}", "no question '{}'", q),
            AnswerError::NotAnswerable(q) => {
                tr!("{} 不需要填写答案", "'{}' takes no answer", q)
            }
            AnswerError::WrongType { expected } => {
                let zh = match *expected {
                    "integer" => "请输入整数",
                    "decimal" => "请输入数字",
                    "yes_no" => "请回答是或否",
                    "date" => "请输入日期，格式为 2017-12-23",
                    "select_one" => "请选择一个选项",
                    "select_multiple" => "请选择选项（可多选）",
                    _ => "请输入文字",
                };
                let en = match *expected {
                    "integer" => "enter a whole number",
                    "decimal" => "enter a number",
                    "yes_no" => "answer yes or no",
                    "date" => "enter a date like 2017-12-23",
                    "select_one" => "choose one option",
                    "select_multiple" => "choose one or more options",
                    _ => "enter text",
                };
                Text::new(zh, en)
            }
            AnswerError::NotAChoice(c) => tr!("没有选项 {}", "no option '{}'", c),
            AnswerError::Constraint(m) => m.clone(),
            AnswerError::NotInRoster { question, roster } => tr!(
                "问题 {} 不属于花名册 {}",
                "question '{}' is not in roster '{}'",
                question,
                roster
            ),
            AnswerError::UnknownRow(r) => tr!("花名册中没有第 {} 行", "no roster row '{}'", r),
            AnswerError::RosterFull(n) => {
                tr!("最多只能填写 {} 行", "at most {} rows can be entered", n)
            }
            AnswerError::TooLong(n) => tr!(
                "文字太长：有 {} 个字，最多 {} 个字",
                "the text is too long: {} characters, at most {}",
                n,
                crate::limits::MAX_TEXT_ANSWER_CHARS
            ),
        }
    }
}

/// A text answer within [`crate::limits::MAX_TEXT_ANSWER_CHARS`].
fn bounded(s: &str) -> Result<String, AnswerError> {
    // Bytes bound characters from above: most texts need no count.
    if s.len() > crate::limits::MAX_TEXT_ANSWER_CHARS {
        let n = s.chars().count();
        if n > crate::limits::MAX_TEXT_ANSWER_CHARS {
            return Err(AnswerError::TooLong(n));
        }
    }
    Ok(s.to_string())
}

impl Answer {
    /// The answer as an expression value.
    pub fn to_value(&self) -> Value {
        match self {
            Answer::Text(s) | Answer::Choice(s) => Value::Text(s.clone()),
            Answer::Integer(i) => Value::Number(*i as f64),
            Answer::Decimal(d) => Value::Number(*d),
            Answer::Choices(c) => Value::Choices(c.clone()),
            Answer::Bool(b) => Value::Bool(*b),
            Answer::Date(d) => Value::Date(*d),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Answer::Text(s) | Answer::Choice(s) => Json::String(s.clone()),
            Answer::Integer(i) => Json::from(*i),
            Answer::Decimal(d) => Json::from(*d),
            Answer::Choices(c) => Json::from(c.clone()),
            Answer::Bool(b) => Json::Bool(*b),
            Answer::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        }
    }

    /// Reads an answer to `q` from JSON, checking type and choices (not the constraint).
    pub fn from_json(q: &Question, json: &Json) -> Result<Answer, AnswerError> {
        let wrong = || AnswerError::WrongType {
            expected: q.kind.name(),
        };
        let answer = match &q.kind {
            QuestionType::Text => Answer::Text(bounded(json.as_str().ok_or_else(wrong)?)?),
            QuestionType::Integer => match json {
                Json::Number(n) => match n.as_i64() {
                    Some(i) => Answer::Integer(i),
                    None => match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                            Answer::Integer(f as i64)
                        }
                        _ => return Err(wrong()),
                    },
                },
                _ => return Err(wrong()),
            },
            QuestionType::Decimal => {
                Answer::Decimal(json.as_f64().filter(|f| f.is_finite()).ok_or_else(wrong)?)
            }
            QuestionType::SelectOne(_) => {
                Answer::Choice(json.as_str().ok_or_else(wrong)?.to_string())
            }
            QuestionType::SelectMultiple(_) => {
                let arr = json.as_array().ok_or_else(wrong)?;
                let mut names = Vec::new();
                for v in arr {
                    names.push(v.as_str().ok_or_else(wrong)?.to_string());
                }
                Answer::Choices(names)
            }
            QuestionType::YesNo => Answer::Bool(json.as_bool().ok_or_else(wrong)?),
            QuestionType::Date => {
                Answer::Date(parse_date(json.as_str().ok_or_else(wrong)?).ok_or_else(wrong)?)
            }
            QuestionType::Note | QuestionType::Calculate(_) | QuestionType::Roster { .. } => {
                return Err(AnswerError::NotAnswerable(q.id.clone()));
            }
        };
        answer.check_choices(q)?;
        Ok(answer)
    }

    /// Reads an answer to `q` from what was typed: numbers may be typed with full-width digits,
    /// choices by name or by their number in the list (from 1), yes/no as 是/否, y/n, 1/0.
    /// Empty input is `Ok(None)` (clears the answer).
    pub fn parse_input(q: &Question, input: &str) -> Result<Option<Answer>, AnswerError> {
        let raw = input.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let norm = normalize_width(raw);
        let wrong = || AnswerError::WrongType {
            expected: q.kind.name(),
        };
        let choice = |token: &str| -> Result<String, AnswerError> {
            let choices = q.kind.choices();
            if let Some(c) = choices.iter().find(|c| c.name == token) {
                return Ok(c.name.clone());
            }
            if let Ok(n) = token.parse::<usize>()
                && n >= 1
                && n <= choices.len()
            {
                return Ok(choices[n - 1].name.clone());
            }
            if let Some(c) = choices
                .iter()
                .find(|c| c.label.zh == token || c.label.en.eq_ignore_ascii_case(token))
            {
                return Ok(c.name.clone());
            }
            Err(AnswerError::NotAChoice(token.to_string()))
        };
        let answer = match &q.kind {
            QuestionType::Text => Answer::Text(bounded(raw)?),
            QuestionType::Integer => {
                Answer::Integer(norm.replace(',', "").parse().map_err(|_| wrong())?)
            }
            QuestionType::Decimal => Answer::Decimal(
                norm.replace(',', "")
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .ok_or_else(wrong)?,
            ),
            QuestionType::SelectOne(_) => Answer::Choice(choice(&norm)?),
            QuestionType::SelectMultiple(_) => {
                let mut names: Vec<String> = Vec::new();
                for token in norm
                    .split(|c: char| c == ',' || c == '、' || c.is_whitespace())
                    .filter(|t| !t.is_empty())
                {
                    let name = choice(token)?;
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                Answer::Choices(names)
            }
            QuestionType::YesNo => match norm.to_lowercase().as_str() {
                "是" | "y" | "yes" | "1" | "true" | "有" => Answer::Bool(true),
                "否" | "n" | "no" | "0" | "false" | "无" | "没有" => Answer::Bool(false),
                _ => return Err(wrong()),
            },
            QuestionType::Date => Answer::Date(parse_date(&norm).ok_or_else(wrong)?),
            QuestionType::Note | QuestionType::Calculate(_) | QuestionType::Roster { .. } => {
                return Err(AnswerError::NotAnswerable(q.id.clone()));
            }
        };
        Ok(Some(answer))
    }

    fn check_choices(&self, q: &Question) -> Result<(), AnswerError> {
        let names: Vec<&String> = match self {
            Answer::Choice(c) => vec![c],
            Answer::Choices(cs) => {
                let mut seen = std::collections::HashSet::new();
                if let Some(dup) = cs.iter().find(|c| !seen.insert(*c)) {
                    return Err(AnswerError::NotAChoice(dup.clone()));
                }
                cs.iter().collect()
            }
            _ => return Ok(()),
        };
        match names.into_iter().find(|n| q.choice(n).is_none()) {
            Some(bad) => Err(AnswerError::NotAChoice(bad.clone())),
            None => Ok(()),
        }
    }

    /// Whether this answer fits the question's type (used for answers built in code).
    pub(crate) fn check_type(&self, q: &Question) -> Result<(), AnswerError> {
        let ok = matches!(
            (self, &q.kind),
            (Answer::Text(_), QuestionType::Text)
                | (Answer::Integer(_), QuestionType::Integer)
                | (Answer::Decimal(_), QuestionType::Decimal)
                | (Answer::Integer(_), QuestionType::Decimal)
                | (Answer::Choice(_), QuestionType::SelectOne(_))
                | (Answer::Choices(_), QuestionType::SelectMultiple(_))
                | (Answer::Bool(_), QuestionType::YesNo)
                | (Answer::Date(_), QuestionType::Date)
        );
        if !q.kind.is_input() {
            return Err(AnswerError::NotAnswerable(q.id.clone()));
        }
        if !ok {
            return Err(AnswerError::WrongType {
                expected: q.kind.name(),
            });
        }
        if let Answer::Decimal(d) = self
            && !d.is_finite()
        {
            return Err(AnswerError::WrongType {
                expected: "decimal",
            });
        }
        self.check_choices(q)
    }

    /// How the answer reads on screen.
    pub fn display(&self, q: &Question, lang: crate::i18n::Lang) -> String {
        let label = |name: &str| {
            q.choice(name)
                .map(|c| c.label.get(lang).to_string())
                .unwrap_or_else(|| name.to_string())
        };
        match self {
            Answer::Text(s) => s.clone(),
            Answer::Integer(i) => i.to_string(),
            Answer::Decimal(d) => format_number(*d),
            Answer::Choice(c) => label(c),
            Answer::Choices(cs) => cs.iter().map(|c| label(c)).collect::<Vec<_>>().join(
                if lang == crate::i18n::Lang::Zh {
                    "、"
                } else {
                    ", "
                },
            ),
            Answer::Bool(b) => match (b, lang) {
                (true, crate::i18n::Lang::Zh) => "是".into(),
                (false, crate::i18n::Lang::Zh) => "否".into(),
                (true, _) => "yes".into(),
                (false, _) => "no".into(),
            },
            Answer::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A number as a person writes it: no trailing zeros, at most two decimals.
pub fn format_number(d: f64) -> String {
    let s = format!("{d:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Full-width digits, letters and punctuation (as a Chinese input method types them) to ASCII.
fn normalize_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' => '.',
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Reads `2017-12-23`, `2017/12/23`, `2017.12.23`, `20171223` or `2017年12月23日`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}
