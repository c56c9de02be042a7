//! Values an expression computes with.

use chrono::{Datelike, NaiveDate};

/// A value during evaluation. `Missing` is an unanswered question, a question that is not
/// relevant, or a computation that could not be done (division by zero, missing operand).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Missing,
    Bool(bool),
    Number(f64),
    Text(String),
    Date(NaiveDate),
    /// The choices of a select_multiple answer.
    Choices(Vec<String>),
    /// The values of a roster question over all rows (outside the roster).
    List(Vec<Value>),
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl Value {
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// Unanswered in the sense of `= ''`: missing or the empty text.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Missing => true,
            Value::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    /// The value as a condition: missing is false, a boolean is itself, a number is true when
    /// non-zero, a text, selection or list when non-empty, a date always.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Missing => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Text(s) => !s.is_empty(),
            Value::Date(_) => true,
            Value::Choices(c) => !c.is_empty(),
            Value::List(l) => !l.is_empty(),
        }
    }

    /// The value as a number: numbers as they are (finite only), texts that read as numbers,
    /// booleans as 1 / 0, dates as days since 1970-01-01. `None` when there is no such number.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n).filter(|n| n.is_finite()),
            Value::Text(s) => parse_number(s),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Date(d) => Some(f64::from(d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)),
            Value::Missing | Value::Choices(_) | Value::List(_) => None,
        }
    }

    /// The value as text: numbers without a needless fraction (`3`, `3.5`), booleans as
    /// `yes` / `no`, dates as `YYYY-MM-DD`, selections and lists joined by spaces (missing
    /// rows left out). `None` for missing.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Missing => None,
            Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Text(s) => Some(s.clone()),
            Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Value::Choices(c) => Some(c.join(" ")),
            Value::List(l) => Some(
                l.iter()
                    .filter_map(Value::to_text)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
}

/// Reads a text as a finite number (surrounding whitespace allowed).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Reads a `YYYY-MM-DD` text as a date.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Reads `yes` / `true` and `no` / `false` (any letter case) as a boolean.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("yes") || t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("no") || t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A number as text: whole numbers without a fraction, others in the shortest form that reads
/// back as the same number.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
