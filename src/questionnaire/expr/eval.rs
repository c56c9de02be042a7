//! Evaluation of parsed expressions over a [`Scope`] (answers, the answer being checked, the
//! registry record, settings, today's date), with the rules for unanswered values; also the
//! resident ID check behind `resident-id(…)`.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::NaiveDate;

use super::parser::{BinOp, Expr, Func};
use super::value::{Value, parse_bool, parse_date, parse_number};

/// What an expression can see.
pub trait Scope {
    /// `${id}`: the answer. Inside a roster row, a question of the same roster gives that row's
    /// answer; outside, a roster question gives `Value::List` of its values over the rows and a
    /// roster id itself gives a `Value::List` with one `Value::Bool(true)` per row (so count()
    /// works).
    fn answer(&self, id: &str) -> Value;
    /// `.`: the answer being checked by a constraint (Missing elsewhere).
    fn current(&self) -> Value;
    fn registry(&self, field: &str) -> Value;
    fn setting(&self, name: &str) -> Value;
    fn today(&self) -> NaiveDate;
    /// Whether `${id}` is not known yet: a question that is asked (relevant) and not answered,
    /// a calculation made from one, or, outside its roster, a roster question not known in
    /// some row. Unknown values propagate in [`Expr::eval_known`]; everywhere else they read
    /// as missing. By default every answer is known.
    fn unknown(&self, id: &str) -> bool {
        let _ = id;
        false
    }
    /// Whether any answer may be unknown ([`Scope::unknown`]); when not, three-valued
    /// evaluation is plain evaluation. By default it may.
    fn may_be_unknown(&self) -> bool {
        true
    }
    /// `${id}` without a copy, when the scope holds the value as it is; the default copies
    /// through [`Scope::answer`].
    fn answer_ref(&self, id: &str) -> Option<&Value> {
        let _ = id;
        None
    }
    /// `registry(field)` without a copy, when the scope holds the value as it is.
    fn registry_ref(&self, field: &str) -> Option<&Value> {
        let _ = field;
        None
    }
}

/// An operand's value, borrowed from the scope when it holds it (an answer, a registry
/// value), else computed.
fn operand<'s>(e: &'s Expr, scope: &'s dyn Scope) -> Cow<'s, Value> {
    match e {
        Expr::Ref(id) => match scope.answer_ref(id) {
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(scope.answer(id)),
        },
        Expr::Call(Func::Registry, args) => match args.first() {
            Some(Expr::Text(field)) => match scope.registry_ref(field) {
                Some(v) => Cow::Borrowed(v),
                None => Cow::Owned(scope.registry(field)),
            },
            _ => Cow::Owned(Value::Missing),
        },
        _ => Cow::Owned(e.eval(scope)),
    }
}

impl Expr {
    /// The value of the expression. Never fails: what cannot be computed is `Value::Missing`.
    pub fn eval(&self, scope: &dyn Scope) -> Value {
        match self {
            Expr::Number(n) => Value::Number(*n),
            Expr::Text(s) => Value::Text(s.clone()),
            Expr::Ref(id) => scope.answer(id),
            Expr::Current => scope.current(),
            Expr::Neg(e) => match e.eval(scope).to_number() {
                Some(n) => number(-n),
                None => Value::Missing,
            },
            Expr::Binary(op, l, r) => binary(*op, l, r, scope),
            Expr::Call(f, args) => call(*f, args, scope),
            Expr::Regex(subject, re) => match subject.eval(scope).to_text() {
                Some(s) => Value::Bool(re.is_match(&s)),
                None => Value::Missing,
            },
        }
    }

    /// The expression as a condition: missing, and anything not true, is false.
    pub fn eval_bool(&self, scope: &dyn Scope) -> bool {
        operand(self, scope).truthy()
    }

    /// Three-valued evaluation: `None` when the value cannot be known yet because it depends
    /// on an answer that is not known ([`Scope::unknown`]); else the value [`Expr::eval`]
    /// gives. `and` / `or` are Kleene's (false and unknown is false, true or unknown is
    /// true); `if` with an unknown condition is unknown; `coalesce` stops at an unknown
    /// argument (it supplies a value for a question not asked, not for one not yet
    /// answered); every other operator and function with an unknown operand is unknown.
    pub fn eval_known(&self, scope: &dyn Scope) -> Option<Value> {
        if !scope.may_be_unknown() {
            return Some(self.eval(scope));
        }
        match self {
            Expr::Ref(id) if scope.unknown(id) => None,
            Expr::Number(_) | Expr::Text(_) | Expr::Ref(_) | Expr::Current => {
                Some(self.eval(scope))
            }
            Expr::Binary(BinOp::And, l, r) => {
                let (a, b) = (l.known_bool(scope), r.known_bool(scope));
                match (a, b) {
                    (Some(false), _) | (_, Some(false)) => Some(Value::Bool(false)),
                    (Some(true), Some(true)) => Some(Value::Bool(true)),
                    _ => None,
                }
            }
            Expr::Binary(BinOp::Or, l, r) => {
                let (a, b) = (l.known_bool(scope), r.known_bool(scope));
                match (a, b) {
                    (Some(true), _) | (_, Some(true)) => Some(Value::Bool(true)),
                    (Some(false), Some(false)) => Some(Value::Bool(false)),
                    _ => None,
                }
            }
            Expr::Call(Func::If, args) => {
                let cond = args.first()?.known_bool(scope)?;
                match args.get(if cond { 1 } else { 2 }) {
                    Some(branch) => branch.eval_known(scope),
                    None => Some(Value::Missing),
                }
            }
            Expr::Call(Func::Coalesce, args) => {
                for a in args {
                    let v = a.eval_known(scope)?;
                    if !v.is_blank() {
                        return Some(v);
                    }
                }
                Some(Value::Missing)
            }
            Expr::Neg(e) | Expr::Regex(e, _) => {
                e.eval_known(scope)?;
                Some(self.eval(scope))
            }
            Expr::Binary(_, l, r) => {
                l.eval_known(scope)?;
                r.eval_known(scope)?;
                Some(self.eval(scope))
            }
            Expr::Call(_, args) => {
                for a in args {
                    a.eval_known(scope)?;
                }
                Some(self.eval(scope))
            }
        }
    }

    /// [`Expr::eval_known`] as a condition: `None` unknown, else whether it is true.
    pub fn known_bool(&self, scope: &dyn Scope) -> Option<bool> {
        self.eval_known(scope).map(|v| v.truthy())
    }
}

/// A computed number, or missing when it is not finite; `-0` becomes `0`.
fn number(n: f64) -> Value {
    if !n.is_finite() {
        Value::Missing
    } else if n == 0.0 {
        Value::Number(0.0)
    } else {
        Value::Number(n)
    }
}

fn binary(op: BinOp, l: &Expr, r: &Expr, scope: &dyn Scope) -> Value {
    match op {
        BinOp::Or => Value::Bool(l.eval_bool(scope) || r.eval_bool(scope)),
        BinOp::And => Value::Bool(l.eval_bool(scope) && r.eval_bool(scope)),
        _ => {
            let (a, b) = (operand(l, scope), operand(r, scope));
            let (a, b) = (a.as_ref(), b.as_ref());
            match op {
                BinOp::Eq => Value::Bool(equal(a, b)),
                BinOp::Ne => Value::Bool(!equal(a, b)),
                BinOp::Lt => Value::Bool(compare(a, b) == Some(Ordering::Less)),
                BinOp::Le => Value::Bool(matches!(
                    compare(a, b),
                    Some(Ordering::Less | Ordering::Equal)
                )),
                BinOp::Gt => Value::Bool(compare(a, b) == Some(Ordering::Greater)),
                BinOp::Ge => Value::Bool(matches!(
                    compare(a, b),
                    Some(Ordering::Greater | Ordering::Equal)
                )),
                _ => arithmetic(op, a, b),
            }
        }
    }
}

fn arithmetic(op: BinOp, a: &Value, b: &Value) -> Value {
    let (Some(x), Some(y)) = (a.to_number(), b.to_number()) else {
        return Value::Missing;
    };
    match op {
        BinOp::Add => number(x + y),
        BinOp::Sub => number(x - y),
        BinOp::Mul => number(x * y),
        BinOp::Div if y == 0.0 => Value::Missing,
        BinOp::Div => number(x / y),
        BinOp::Mod if y == 0.0 => Value::Missing,
        BinOp::Mod => number(x % y),
        _ => Value::Missing,
    }
}

/// Numbers this close (relative to their size) are equal, so that sums of decimal amounts
/// compare as written (`0.1 + 0.2 = 0.3`).
const RELATIVE_TOLERANCE: f64 = 1e-12;

fn number_cmp(a: f64, b: f64) -> Option<Ordering> {
    if a == b || (a - b).abs() <= RELATIVE_TOLERANCE * a.abs().max(b.abs()) {
        Some(Ordering::Equal)
    } else {
        a.partial_cmp(&b)
    }
}

fn same_set(a: &[String], b: &[&str]) -> bool {
    a.iter().all(|x| b.contains(&x.as_str())) && b.iter().all(|y| a.iter().any(|x| x == y))
}

/// `=`: missing equals only missing and `''`; a number equals a text that reads as the same
/// number; a boolean equals `'yes'`/`'true'` or `'no'`/`'false'` and 1 or 0; a date equals its
/// `YYYY-MM-DD` text; selections are equal as sets (a text as its space-separated names).
fn equal(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Missing, other) | (other, Missing) => other.is_blank(),
        (Text(x), Text(y)) => x == y,
        (Number(x), Number(y)) => number_cmp(*x, *y) == Some(Ordering::Equal),
        (Number(n), Text(t)) | (Text(t), Number(n)) => {
            parse_number(t).is_some_and(|m| number_cmp(*n, m) == Some(Ordering::Equal))
        }
        (Bool(x), Bool(y)) => x == y,
        (Bool(x), Text(t)) | (Text(t), Bool(x)) => parse_bool(t) == Some(*x),
        (Bool(x), Number(n)) | (Number(n), Bool(x)) => *n == if *x { 1.0 } else { 0.0 },
        (Date(x), Date(y)) => x == y,
        (Date(d), Text(t)) | (Text(t), Date(d)) => parse_date(t) == Some(*d),
        (Choices(x), Choices(y)) => same_set(x, &y.iter().map(String::as_str).collect::<Vec<_>>()),
        (Choices(c), Text(t)) | (Text(t), Choices(c)) => {
            same_set(c, &t.split_whitespace().collect::<Vec<_>>())
        }
        (List(x), List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        _ => false,
    }
}

/// The order of two values for `<` `<=` `>` `>=`, or `None` when they cannot be ordered (a
/// missing operand, a text that does not read as a number or date against one, booleans,
/// selections, lists).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Number(x), Number(y)) => number_cmp(*x, *y),
        (Number(n), Text(t)) => number_cmp(*n, parse_number(t)?),
        (Text(t), Number(n)) => number_cmp(parse_number(t)?, *n),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Date(d), Text(t)) => Some(d.cmp(&parse_date(t)?)),
        (Text(t), Date(d)) => Some(parse_date(t)?.cmp(d)),
        (Text(x), Text(y)) => match (parse_number(x), parse_number(y)) {
            (Some(m), Some(n)) => number_cmp(m, n),
            _ => Some(x.cmp(y)),
        },
        _ => None,
    }
}

/// The values of one argument, rows of a list spread out.
fn spread(v: &Value) -> &[Value] {
    match v {
        Value::List(items) => items,
        other => std::slice::from_ref(other),
    }
}

fn call(f: Func, args: &[Expr], scope: &dyn Scope) -> Value {
    let arg = |i: usize| args.get(i).map_or(Value::Missing, |e| e.eval(scope));
    // An argument only read: borrowed from the scope where it can be.
    let read = |i: usize| {
        args.get(i)
            .map_or(Cow::Owned(Value::Missing), |e| operand(e, scope))
    };
    let text_arg = |i: usize| read(i).to_text();
    match f {
        Func::Not => Value::Bool(!read(0).truthy()),
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::If => {
            if read(0).truthy() {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::Selected => {
            let Some(name) = text_arg(1) else {
                return Value::Bool(false);
            };
            Value::Bool(match read(0).as_ref() {
                Value::Missing | Value::List(_) => false,
                Value::Choices(c) => c.contains(&name),
                Value::Text(t) => *t == name || t.split_whitespace().any(|p| p == name),
                other => other.to_text() == Some(name),
            })
        }
        Func::CountSelected => match read(0).as_ref() {
            Value::Missing => Value::Number(0.0),
            Value::Choices(c) => Value::Number(c.len() as f64),
            Value::Text(t) => Value::Number(t.split_whitespace().count() as f64),
            _ => Value::Missing,
        },
        Func::Coalesce => args
            .iter()
            .map(|e| e.eval(scope))
            .find(|v| !v.is_blank())
            .unwrap_or(Value::Missing),
        Func::StringLength => Value::Number(text_arg(0).map_or(0, |s| s.chars().count()) as f64),
        Func::Concat => Value::Text(
            args.iter()
                .filter_map(|e| e.eval(scope).to_text())
                .collect(),
        ),
        Func::Contains | Func::StartsWith => match (text_arg(0), text_arg(1)) {
            (Some(s), Some(t)) => Value::Bool(if f == Func::Contains {
                s.contains(&t)
            } else {
                s.starts_with(&t)
            }),
            _ => Value::Missing,
        },
        Func::Today => Value::Date(scope.today()),
        Func::Int => match read(0).to_number() {
            Some(n) if n.abs() <= MAX_EXACT_INTEGER => number(n.trunc()),
            _ => Value::Missing,
        },
        Func::Number => read(0).to_number().map_or(Value::Missing, Value::Number),
        Func::String => Value::Text(text_arg(0).unwrap_or_default()),
        Func::Round => {
            let Some(x) = read(0).to_number() else {
                return Value::Missing;
            };
            let digits = if args.len() > 1 {
                match read(1).to_number() {
                    Some(d) => d.trunc().clamp(-400.0, 400.0) as i32,
                    None => return Value::Missing,
                }
            } else {
                0
            };
            number(round_half_away(x, digits))
        }
        Func::Sum => number(
            spread(&read(0))
                .iter()
                .filter_map(Value::to_number)
                .sum::<f64>(),
        ),
        Func::Count => {
            Value::Number(spread(&read(0)).iter().filter(|v| !v.is_blank()).count() as f64)
        }
        Func::CountNotIn => {
            let (needles, haystack) = (read(0), read(1));
            let haystack = spread(&haystack);
            Value::Number(
                spread(&needles)
                    .iter()
                    .filter(|v| !v.is_blank() && !haystack.iter().any(|h| equal(v, h)))
                    .count() as f64,
            )
        }
        Func::Min | Func::Max => {
            let operands: Vec<Cow<Value>> = args.iter().map(|e| operand(e, scope)).collect();
            let values: Vec<&Value> = operands
                .iter()
                .flat_map(|v| spread(v))
                .filter(|v| !v.is_blank())
                .collect();
            extreme(&values, f == Func::Max)
        }
        // `parse` builds `Expr::Regex` for regex(…); a hand-built call has no compiled pattern.
        Func::Regex => Value::Missing,
        Func::ResidentId => match text_arg(0) {
            Some(s) => Value::Bool(resident_id_valid(&s, scope.today())),
            None => Value::Missing,
        },
        Func::Registry => match args.first() {
            Some(Expr::Text(field)) => scope.registry(field),
            _ => Value::Missing,
        },
        Func::Setting => match args.first() {
            Some(Expr::Text(name)) => scope.setting(name),
            _ => Value::Missing,
        },
    }
}

/// Above this magnitude `int(x)` is missing: the number no longer holds every whole number.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// `min` / `max`: of dates when every value is a date, else of the values that read as numbers.
fn extreme(values: &[&Value], max: bool) -> Value {
    let pick = |o: Ordering| {
        if max {
            o == Ordering::Greater
        } else {
            o == Ordering::Less
        }
    };
    if !values.is_empty() && values.iter().all(|v| matches!(v, Value::Date(_))) {
        let mut best: Option<NaiveDate> = None;
        for v in values {
            if let Value::Date(d) = *v
                && best.is_none_or(|b| pick(d.cmp(&b)))
            {
                best = Some(*d);
            }
        }
        return best.map_or(Value::Missing, Value::Date);
    }
    values
        .iter()
        .filter_map(|v| v.to_number())
        .reduce(|a, b| {
            if pick(b.partial_cmp(&a).unwrap_or(Ordering::Equal)) {
                b
            } else {
                a
            }
        })
        .map_or(Value::Missing, number)
}

/// Rounds `x` to `digits` decimal places (negative: to tens, hundreds, …), half away from zero,
/// on the decimal digits of `x` as written (so `round(2.675, 2)` is 2.68 although the binary
/// number is slightly below 2.675).
fn round_half_away(x: f64, digits: i32) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // Shortest decimal form: "d.ddddde±x".
    let sci = format!("{:e}", x.abs());
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return x;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return x;
    };
    let ds: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // The value is 0.d1d2d3… × 10^(exponent+1); keep the digits down to 10^-digits.
    let keep = i64::from(exponent) + 1 + i64::from(digits);
    if keep >= ds.len() as i64 {
        return x;
    }
    if keep < 0 {
        return 0.0;
    }
    let keep = keep as usize;
    let mut kept: u64 = ds[..keep].iter().fold(0, |acc, &d| acc * 10 + u64::from(d));
    if ds[keep] >= 5 {
        kept += 1;
    }
    let scale = i64::from(exponent) + 1 - keep as i64;
    let rounded = format!("{kept}e{scale}").parse::<f64>().unwrap_or(x.abs());
    if x < 0.0 { -rounded } else { rounded }
}

/// True when `s` is a resident ID number: 17 digits and a check character (a digit, or `X` /
/// `x`) that is right by ISO 7064 MOD 11-2, with digits 7–14 a real birth date from 1900 up to
/// `today` (the rule lives in [`crate::id_number`]).
pub fn resident_id_valid(s: &str, today: NaiveDate) -> bool {
    crate::id_number::is_valid(s, today)
}
