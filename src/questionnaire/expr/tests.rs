//! Tests of the expression language as a whole: parsing, errors, every operator and function,
//! the rules for missing values, and a property test that no input makes it panic.

use std::collections::HashMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A scope backed by maps.
struct TestScope {
    answers: HashMap<String, Value>,
    current: Value,
    registry: HashMap<String, Value>,
    settings: HashMap<String, Value>,
    today: NaiveDate,
}

impl Scope for TestScope {
    fn answer(&self, id: &str) -> Value {
        self.answers.get(id).cloned().unwrap_or(Value::Missing)
    }
    fn current(&self) -> Value {
        self.current.clone()
    }
    fn registry(&self, field: &str) -> Value {
        self.registry.get(field).cloned().unwrap_or(Value::Missing)
    }
    fn setting(&self, name: &str) -> Value {
        self.settings.get(name).cloned().unwrap_or(Value::Missing)
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn num(n: f64) -> Value {
    Value::Number(n)
}

fn scope() -> TestScope {
    let answers: HashMap<String, Value> = [
        ("size", num(4.0)),
        ("zero", num(0.0)),
        ("half", num(0.5)),
        ("income", num(3200.5)),
        ("name", text("张三丰")),
        ("empty", text("")),
        ("numtext", text("12")),
        ("insured", Value::Bool(true)),
        ("working", Value::Bool(false)),
        ("visit", Value::Date(date(2017, 12, 23))),
        ("aid", Value::Choices(vec!["cash".into(), "housing".into()])),
        ("none_selected", Value::Choices(vec![])),
        ("reason", text("illness")),
        ("id_number", text("11010519491231002X")),
        ("members", Value::List(vec![Value::Bool(true); 3])),
        ("no_rows", Value::List(vec![])),
        (
            "member_age",
            Value::List(vec![num(40.0), Value::Missing, num(12.0)]),
        ),
        (
            "member_uninsured",
            Value::List(vec![num(0.0), num(1.0), Value::Missing]),
        ),
        (
            "member_name",
            Value::List(vec![text("张三"), Value::Missing, text("李四")]),
        ),
        (
            "member_birth",
            Value::List(vec![
                Value::Date(date(1980, 5, 1)),
                Value::Date(date(2005, 1, 9)),
            ]),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    TestScope {
        answers,
        current: num(7.0),
        registry: [("household_size", num(5.0)), ("status", text("exited"))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        settings: [("income_line", num(3335.0))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        today: date(2017, 12, 23),
    }
}

fn p(src: &str) -> Expr {
    parse(src).unwrap_or_else(|e| panic!("`{src}` should parse: {e}"))
}

fn ev(src: &str) -> Value {
    p(src).eval(&scope())
}

fn ev_with(src: &str, current: Value) -> Value {
    let mut s = scope();
    s.current = current;
    p(src).eval(&s)
}

fn yes(src: &str) -> bool {
    match ev(src) {
        Value::Bool(b) => b,
        other => panic!("`{src}` gave {other:?}, not a boolean"),
    }
}

fn assert_true(src: &str) {
    assert!(yes(src), "`{src}` should be true");
}

fn assert_false(src: &str) {
    assert!(!yes(src), "`{src}` should be false");
}

fn err(src: &str) -> ParseError {
    match parse(src) {
        Ok(e) => panic!("`{src}` should not parse, got {e:?}"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- literals and references

#[test]
fn literals() {
    assert_eq!(ev("12"), num(12.0));
    assert_eq!(ev("3.5"), num(3.5));
    assert_eq!(ev("'text'"), text("text"));
    assert_eq!(ev("\"text\""), text("text"));
    assert_eq!(ev("'张三'"), text("张三"));
    assert_eq!(ev("''"), text(""));
}

#[test]
fn references_and_current() {
    assert_eq!(ev("${size}"), num(4.0));
    assert_eq!(ev("${unknown}"), Value::Missing);
    assert_eq!(ev("."), num(7.0));
    assert_eq!(ev_with(".", Value::Missing), Value::Missing);
}

// ---------------------------------------------------------------- operators

#[test]
fn arithmetic_operators() {
    assert_eq!(ev("1 + 2"), num(3.0));
    assert_eq!(ev("5 - 7"), num(-2.0));
    assert_eq!(ev("3 * 4"), num(12.0));
    assert_eq!(ev("7 div 2"), num(3.5));
    assert_eq!(ev("7 mod 3"), num(1.0));
    assert_eq!(ev("-7 mod 3"), num(-1.0));
    assert_eq!(ev("7.5 mod 2"), num(1.5));
    assert_eq!(ev("-${size}"), num(-4.0));
    assert_eq!(ev("--3"), num(3.0));
    assert_eq!(ev("${income} * 2"), num(6401.0));
    assert_eq!(ev("${numtext} + 1"), num(13.0));
    assert_eq!(ev("${insured} + ${working}"), num(1.0));
}

#[test]
fn comparison_operators() {
    assert_true("1 = 1");
    assert_false("1 = 2");
    assert_true("1 != 2");
    assert_false("1 != 1");
    assert_true("1 < 2");
    assert_false("2 < 2");
    assert_true("2 <= 2");
    assert_false("3 <= 2");
    assert_true("3 > 2");
    assert_false("2 > 2");
    assert_true("2 >= 2");
    assert_false("1 >= 2");
    assert_true("'a' = 'a'");
    assert_true("'a' != 'b'");
    assert_true("'abc' < 'abd'");
    assert_true("${name} = '张三丰'");
}

#[test]
fn logic_operators() {
    assert_true("1 = 1 and 2 = 2");
    assert_false("1 = 1 and 2 = 3");
    assert_true("1 = 2 or 2 = 2");
    assert_false("1 = 2 or 2 = 3");
    assert_eq!(ev("1 and 'x'"), Value::Bool(true));
    assert_eq!(ev("0 or ''"), Value::Bool(false));
}

#[test]
fn precedence() {
    assert_eq!(ev("1 + 2 * 3"), num(7.0));
    assert_eq!(ev("(1 + 2) * 3"), num(9.0));
    assert_eq!(ev("10 - 4 - 3"), num(3.0));
    assert_eq!(ev("12 div 3 div 2"), num(2.0));
    assert_eq!(ev("2 + 7 mod 3"), num(3.0));
    assert_eq!(ev("-2 * 3"), num(-6.0));
    assert_eq!(ev("- 2 + 3"), num(1.0));
    assert_eq!(ev("1 + 2 = 3"), Value::Bool(true));
    // or < and < comparison
    assert_true("1 = 1 or 1 = 2 and 1 = 2");
    assert_false("(1 = 1 or 1 = 2) and 1 = 2");
    assert_true("${size} > 0 and ${size} <= 30");
    let e = p("1 or 2 and 3 = 4 + 5 * -6");
    match e {
        Expr::Binary(BinOp::Or, _, r) => match *r {
            Expr::Binary(BinOp::And, _, r) => match *r {
                Expr::Binary(BinOp::Eq, _, r) => match *r {
                    Expr::Binary(BinOp::Add, _, r) => match *r {
                        Expr::Binary(BinOp::Mul, _, r) => assert!(matches!(*r, Expr::Neg(_))),
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn comparisons_do_not_chain() {
    let e = err("1 < 2 < 3");
    assert_eq!(e.column, 7);
    assert!(e.message.contains("and"), "{}", e.message);
    assert!(parse("(1 < 2) = true()").is_ok());
}

// ---------------------------------------------------------------- missing values

#[test]
fn missing_in_arithmetic_is_missing() {
    for op in ["+", "-", "*", "div", "mod"] {
        assert_eq!(ev(&format!("${{q}} {op} 1")), Value::Missing, "{op}");
        assert_eq!(ev(&format!("1 {op} ${{q}}")), Value::Missing, "{op}");
    }
    assert_eq!(ev("-${q}"), Value::Missing);
    assert_eq!(ev("'abc' + 1"), Value::Missing);
    assert_eq!(ev("${empty} + 1"), Value::Missing);
}

#[test]
fn division_by_zero_is_missing() {
    assert_eq!(ev("1 div 0"), Value::Missing);
    assert_eq!(ev("1 div ${zero}"), Value::Missing);
    assert_eq!(ev("1 mod 0"), Value::Missing);
}

#[test]
fn overflow_is_missing() {
    let big = format!("{}0", "9".repeat(300));
    assert_eq!(ev(&format!("{big} * {big}")), Value::Missing);
}

#[test]
fn missing_equals_only_missing_and_empty_text() {
    assert_true("${q} = ''");
    assert_true("'' = ${q}");
    assert_true("${q} = ${other}");
    assert_true("${empty} = ${q}");
    assert_false("${q} != ''");
    assert_false("${q} = 0");
    assert_false("${q} = 'x'");
    assert_false("${q} = false()");
    assert_true("${q} != 0");
    assert_false("${size} = ''");
    assert_false("${none_selected} = ${q}");
}

#[test]
fn ordering_with_missing_is_false() {
    for op in ["<", "<=", ">", ">="] {
        assert_false(&format!("${{q}} {op} 1"));
        assert_false(&format!("1 {op} ${{q}}"));
        assert_false(&format!("${{q}} {op} ${{q}}"));
    }
}

#[test]
fn missing_as_a_condition_is_false() {
    assert!(!p("${q}").eval_bool(&scope()));
    assert_true("not(${q})");
    assert_false("${q} and true()");
    assert_true("${q} or true()");
    assert_eq!(ev("if(${q}, 1, 2)"), num(2.0));
    assert!(!p("1 div 0").eval_bool(&scope()));
}

#[test]
fn missing_in_functions() {
    assert_eq!(ev("string-length(${q})"), num(0.0));
    assert_eq!(ev("count-selected(${q})"), num(0.0));
    assert_false("selected(${q}, 'cash')");
    assert_eq!(ev("sum(${q})"), num(0.0));
    assert_eq!(ev("count(${q})"), num(0.0));
    assert_eq!(ev("count-not-in(${q}, ${q})"), num(0.0));
    assert_eq!(ev("min(${q})"), Value::Missing);
    assert_eq!(ev("max(${q})"), Value::Missing);
    assert_eq!(ev("int(${q})"), Value::Missing);
    assert_eq!(ev("number(${q})"), Value::Missing);
    assert_eq!(ev("string(${q})"), text(""));
    assert_eq!(ev("round(${q})"), Value::Missing);
    assert_eq!(ev("round(1.5, ${q})"), Value::Missing);
    assert_eq!(ev("concat('a', ${q}, 'b')"), text("ab"));
    assert_eq!(ev("contains(${q}, 'a')"), Value::Missing);
    assert_eq!(ev("starts-with('a', ${q})"), Value::Missing);
    assert_eq!(ev("regex(${q}, 'a')"), Value::Missing);
    assert_eq!(ev("resident-id(${q})"), Value::Missing);
    assert_eq!(ev("coalesce(${q}, ${other})"), Value::Missing);
}

// ---------------------------------------------------------------- mixed-type comparisons

#[test]
fn numbers_and_numeric_text_compare_as_numbers() {
    assert_true("${numtext} = 12");
    assert_true("12 = '12.0'");
    assert_true("'9' < 10");
    assert_true("${numtext} > 9");
    assert_true("'10' > '9'");
    assert_false("'abc' = 0");
    assert_false("'abc' < 1");
    assert_false("'abc' > 1");
    assert_true("'12' != '12.0'");
}

#[test]
fn decimal_sums_compare_as_written() {
    assert_true("0.1 + 0.2 = 0.3");
    assert_true("0.1 + 0.2 <= 0.3");
    assert_false("0.1 + 0.2 > 0.3");
}

#[test]
fn booleans_compare_with_true_false_and_yes_no() {
    assert_true("${insured} = true()");
    assert_true("${insured} = 'yes'");
    assert_true("'yes' = ${insured}");
    assert_true("${working} = 'no'");
    assert_true("${working} = false()");
    assert_false("${working} = 'yes'");
    assert_true("${insured} != 'no'");
    assert_true("${insured} = 1");
    assert_true("true() = true()");
    assert_false("true() = false()");
    assert_false("${insured} = 'maybe'");
}

#[test]
fn dates_compare_with_dates_and_date_text() {
    assert_true("${visit} = '2017-12-23'");
    assert_true("${visit} = today()");
    assert_true("${visit} > '2017-01-01'");
    assert_true("'2018-01-01' > ${visit}");
    assert_true("${visit} <= today()");
    assert_false("${visit} < today()");
    assert_false("${visit} = 'not a date'");
    assert_false("${visit} < 'not a date'");
}

#[test]
fn selections_compare_as_sets() {
    assert_true("${aid} = 'housing cash'");
    assert_false("${aid} = 'cash'");
    assert_true("${none_selected} = ''");
}

// ---------------------------------------------------------------- functions

#[test]
fn not_true_false_if() {
    assert_true("not(false())");
    assert_false("not(true())");
    assert_false("not(1)");
    assert_true("not(0)");
    assert_true("not('')");
    assert_eq!(ev("true()"), Value::Bool(true));
    assert_eq!(ev("false()"), Value::Bool(false));
    assert_eq!(ev("if(${size} > 3, 'big', 'small')"), text("big"));
    assert_eq!(ev("if(${size} > 5, 'big', 'small')"), text("small"));
    assert_eq!(ev("if(${insured}, 0, 1)"), num(0.0));
}

#[test]
fn selected_and_count_selected() {
    assert_true("selected(${aid}, 'cash')");
    assert_false("selected(${aid}, 'loan')");
    assert_true("selected(${reason}, 'illness')");
    assert_false("selected(${reason}, 'ill')");
    assert_true("selected(${insured}, 'yes')");
    assert_false("selected(${aid}, ${q})");
    assert_eq!(ev("count-selected(${aid})"), num(2.0));
    assert_eq!(ev("count-selected(${none_selected})"), num(0.0));
    assert_eq!(ev("count-selected(${reason})"), num(1.0));
    assert_eq!(ev("count-selected(${empty})"), num(0.0));
}

#[test]
fn coalesce_takes_the_first_answered() {
    assert_eq!(ev("coalesce(${q}, 0)"), num(0.0));
    assert_eq!(ev("coalesce(${size}, 0)"), num(4.0));
    assert_eq!(ev("coalesce(${empty}, ${q}, 'x', 'y')"), text("x"));
    assert_eq!(ev("coalesce(${q}, 0) + 1"), num(1.0));
}

#[test]
fn text_functions() {
    assert_eq!(ev("string-length('张三丰')"), num(3.0));
    assert_eq!(ev("string-length(${name})"), num(3.0));
    assert_eq!(ev("string-length('abc')"), num(3.0));
    assert_eq!(ev("string-length(12345)"), num(5.0));
    assert_eq!(
        ev("concat('户主', ${name}, '，', ${size}, '人')"),
        text("户主张三丰，4人")
    );
    assert_eq!(ev("concat(${member_name})"), text("张三 李四"));
    assert_true("contains(${name}, '三')");
    assert_false("contains(${name}, '四')");
    assert_true("starts-with(${name}, '张')");
    assert_false("starts-with(${name}, '三')");
    assert_true("contains(${size}, '4')");
}

#[test]
fn today_function() {
    assert_eq!(ev("today()"), Value::Date(date(2017, 12, 23)));
    assert_eq!(ev("today() - ${visit}"), num(0.0));
    assert_eq!(ev("today() - '2017-12-22'"), Value::Missing);
}

#[test]
fn conversions() {
    assert_eq!(ev("int(3.7)"), num(3.0));
    assert_eq!(ev("int(-3.7)"), num(-3.0));
    assert_eq!(ev("int(-0.5)"), num(0.0));
    assert_eq!(ev("int('42.9')"), num(42.0));
    assert_eq!(ev("int('abc')"), Value::Missing);
    assert_eq!(ev(&format!("int({})", "9".repeat(30))), Value::Missing);
    assert_eq!(ev("number('3.25')"), num(3.25));
    assert_eq!(ev("number(' 7 ')"), num(7.0));
    assert_eq!(ev("number('abc')"), Value::Missing);
    assert_eq!(ev("number('inf')"), Value::Missing);
    assert_eq!(ev("number('NaN')"), Value::Missing);
    assert_eq!(ev("number(${insured})"), num(1.0));
    assert_eq!(ev("string(3)"), text("3"));
    assert_eq!(ev("string(3.5)"), text("3.5"));
    assert_eq!(ev("string(${insured})"), text("yes"));
    assert_eq!(ev("string(${visit})"), text("2017-12-23"));
    assert_eq!(ev("string(${aid})"), text("cash housing"));
    assert_eq!(ev("string('张')"), text("张"));
}

#[test]
fn round_half_away_from_zero() {
    assert_eq!(ev("round(2.5)"), num(3.0));
    assert_eq!(ev("round(-2.5)"), num(-3.0));
    assert_eq!(ev("round(2.4)"), num(2.0));
    assert_eq!(ev("round(0.5)"), num(1.0));
    assert_eq!(ev("round(0.4)"), num(0.0));
    assert_eq!(ev("round(-0.4)"), num(0.0));
    assert_eq!(ev("round(2.675, 2)"), num(2.68));
    assert_eq!(ev("round(1.005, 2)"), num(1.01));
    assert_eq!(ev("round(-1.005, 2)"), num(-1.01));
    assert_eq!(ev("round(1.23456, 3)"), num(1.235));
    assert_eq!(ev("round(1234.5, -2)"), num(1200.0));
    assert_eq!(ev("round(1250, -2)"), num(1300.0));
    assert_eq!(ev("round(49, -2)"), num(0.0));
    assert_eq!(ev("round(50, -2)"), num(100.0));
    assert_eq!(ev("round(0.001, 1)"), num(0.0));
    assert_eq!(ev("round(1.25, 20)"), num(1.25));
    assert_eq!(ev("round(1.25, 1.9)"), num(1.3));
    assert_eq!(ev("round(99999, -1000)"), num(0.0));
    assert_eq!(ev("round(0.95, 1)"), num(1.0));
    assert_eq!(ev("round(999.5)"), num(1000.0));
}

#[test]
fn roster_aggregates() {
    assert_eq!(ev("count(${members})"), num(3.0));
    assert_eq!(ev("count(${no_rows})"), num(0.0));
    assert_eq!(ev("count(${member_age})"), num(2.0));
    assert_eq!(ev("sum(${member_age})"), num(52.0));
    assert_eq!(ev("sum(${member_uninsured})"), num(1.0));
    assert_eq!(ev("sum(${no_rows})"), num(0.0));
    assert_eq!(ev("min(${member_age})"), num(12.0));
    assert_eq!(ev("max(${member_age})"), num(40.0));
    assert_eq!(ev("min(${no_rows})"), Value::Missing);
    assert_eq!(ev("max(${no_rows})"), Value::Missing);
    assert_eq!(ev("min(${member_birth})"), Value::Date(date(1980, 5, 1)));
    assert_eq!(ev("max(${member_birth})"), Value::Date(date(2005, 1, 9)));
    assert_eq!(ev("max(${size}, 10, ${q})"), num(10.0));
    assert_eq!(ev("min(${member_age}, 3)"), num(3.0));
    assert_eq!(ev("sum(${size})"), num(4.0));
    assert_eq!(ev("count(${size})"), num(1.0));
    assert_true("count(${members}) > 0 and sum(${member_uninsured}) = 1");
}

#[test]
fn count_not_in_compares_lists() {
    // member_name: 张三, (missing), 李四.
    assert_eq!(ev("count-not-in(${member_name}, ${member_name})"), num(0.0));
    assert_eq!(ev("count-not-in(${member_name}, '张三')"), num(1.0));
    assert_eq!(ev("count-not-in('王五', ${member_name})"), num(1.0));
    assert_eq!(ev("count-not-in('李四', ${member_name})"), num(0.0));
    // Unanswered values on the left are skipped; nothing on the right finds nothing.
    assert_eq!(ev("count-not-in(${member_name}, ${q})"), num(2.0));
    assert_eq!(ev("count-not-in(${q}, ${member_name})"), num(0.0));
    assert_eq!(ev("count-not-in(${no_rows}, ${member_name})"), num(0.0));
    // Values compare as with `=`: numbers with numeric text.
    assert_eq!(ev("count-not-in(${member_age}, '12')"), num(1.0));
    assert_eq!(ev("count-not-in(${member_age}, ${member_age})"), num(0.0));
    assert_true("count-not-in(${member_name}, '张三') = 1");
}

#[test]
fn regex_function() {
    assert_true("regex('110105', '^[0-9]{6}$')");
    assert_false("regex('11010a', '^[0-9]{6}$')");
    assert_true("regex(${name}, '^张')");
    assert_true("regex('abc', 'b')");
    assert_true("regex(${size}, '^4$')");
    assert_eq!(
        ev_with("regex(., '^\\d{3}$')", text("123")),
        Value::Bool(true)
    );
}

#[test]
fn resident_id_function() {
    assert_true("resident-id('11010519491231002X')");
    assert_true("resident-id('11010519491231002x')");
    assert_true("resident-id('53232619490915548X')");
    assert_true("resident-id(${id_number})");
    assert_false("resident-id('11010519491231003X')");
    assert_false("resident-id('110105194912310021')");
    assert_false("resident-id('1101051949123100')");
    assert_false("resident-id('张三')");
    assert_eq!(
        ev_with("resident-id(.)", text("11010519491231002X")),
        Value::Bool(true)
    );
}

#[test]
fn registry_and_setting() {
    assert_eq!(ev("registry('household_size')"), num(5.0));
    assert_eq!(ev("registry('village')"), Value::Missing);
    assert_true("${size} != registry('household_size')");
    assert_true("registry('status') = 'exited'");
    assert_eq!(ev("setting('income_line')"), num(3335.0));
    assert_eq!(ev("setting('unset')"), Value::Missing);
    assert_true("${income} < setting('income_line')");
}

// ---------------------------------------------------------------- resident IDs

/// Builds a valid ID from its first 17 characters.
fn with_check(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

#[test]
fn resident_id_rules() {
    let today = date(2017, 12, 23);
    assert!(resident_id_valid("11010519491231002X", today));
    assert!(resident_id_valid("53232619490915548X", today));
    assert!(
        !resident_id_valid("11010519491231012X", today),
        "one digit changed"
    );
    assert!(
        !resident_id_valid("53232619490915549X", today),
        "one digit changed"
    );
    // Right check digit, impossible dates.
    let feb30 = with_check("11010519490230002");
    assert!(!resident_id_valid(&feb30, today), "{feb30}");
    let month13 = with_check("11010519491331002");
    assert!(!resident_id_valid(&month13, today));
    // Before 1900 and after today.
    let old = with_check("11010518991231002");
    assert!(!resident_id_valid(&old, today));
    let first_day = with_check("11010519000101002");
    assert!(resident_id_valid(&first_day, today));
    let future = with_check("11010520171224002");
    assert!(!resident_id_valid(&future, today));
    let born_today = with_check("11010520171223002");
    assert!(resident_id_valid(&born_today, today));
    // Shape.
    assert!(!resident_id_valid("", today));
    assert!(!resident_id_valid("11010519491231002", today));
    assert!(!resident_id_valid("11010519491231002XX", today));
    assert!(
        !resident_id_valid("1101051949123100２X", today),
        "full-width digit"
    );
    assert!(!resident_id_valid("X1010519491231002X", today));
    assert!(!resident_id_valid(
        "张三丰张三丰张三丰张三丰张三丰张三丰",
        today
    ));
    assert!(!resident_id_valid(" 11010519491231002X", today));
}

// ---------------------------------------------------------------- parse errors

#[test]
fn error_display() {
    let e = err("1 +");
    assert_eq!(e.to_string(), format!("column {}: {}", e.column, e.message));
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("column 4: "));
}

#[test]
fn unclosed_parenthesis() {
    let e = err("1 + (2");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("unclosed"), "{}", e.message);
    let e = err("'张三' = (2");
    assert_eq!(e.column, 8);
    let e = err("1 + (2 3)");
    assert_eq!(e.column, 8);
    let e = err("count(${a}");
    assert_eq!(e.column, 6);
}

#[test]
fn chinese_literals_shift_columns_by_characters() {
    // 1-based columns: '张三丰' spans columns 1–5, so `+` is at 7 and `)` at 9.
    let e = err("'张三丰' + )");
    assert_eq!(e.column, 9);
    let e = err("'abc' + )");
    assert_eq!(e.column, 9);
    let e = err("'张三丰张三丰' = ${x");
    assert_eq!(e.column, 12);
}

#[test]
fn unterminated_text_and_reference() {
    let e = err("${a} = 'abc");
    assert_eq!(e.column, 8);
    assert!(e.message.contains("unterminated"), "{}", e.message);
    let e = err("${a} = \"abc'");
    assert_eq!(e.column, 8);
    let e = err("1 + ${abc");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("${"), "{}", e.message);
}

#[test]
fn empty_expression() {
    for src in ["", "   ", "\t\n"] {
        let e = err(src);
        assert_eq!(e.column, 1);
        assert!(e.message.contains("empty"), "{}", e.message);
    }
    assert_eq!(err("()").column, 2);
}

#[test]
fn unexpected_and_trailing_tokens() {
    let e = err("1 2");
    assert_eq!(e.column, 3);
    let e = err("${a} ${b}");
    assert_eq!(e.column, 6);
    let e = err("1 + 2)");
    assert_eq!(e.column, 6);
    let e = err("* 2");
    assert_eq!(e.column, 1);
    let e = err("1 +");
    assert_eq!(e.column, 4);
    assert!(e.message.contains("end"), "{}", e.message);
    let e = err("1 and and 2");
    assert_eq!(e.column, 7);
    let e = err("1 == 2");
    assert_eq!(e.column, 4);
    let e = err("if(1, 2 3)");
    assert_eq!(e.column, 9);
}

#[test]
fn unknown_function_and_names() {
    let e = err("foo(1)");
    assert_eq!(e.column, 1);
    assert!(
        e.message.contains("unknown function 'foo'"),
        "{}",
        e.message
    );
    let e = err("1 + count-rows(${a})");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("count-rows"), "{}", e.message);
    let e = err("${a} = yes");
    assert_eq!(e.column, 8);
    assert!(e.message.contains("yes"), "{}", e.message);
    let e = err("${a} = true");
    assert!(e.message.contains("true("), "{}", e.message);
    let e = err("Today()");
    assert!(e.message.contains("Today"), "{}", e.message);
}

#[test]
fn wrong_number_of_arguments() {
    let cases = [
        ("not()", "not", "1 argument"),
        ("not(1, 2)", "not", "1 argument"),
        ("true(1)", "true", "no arguments"),
        ("false(1)", "false", "no arguments"),
        ("today(1)", "today", "no arguments"),
        ("if(1, 2)", "if", "3 arguments"),
        ("selected(${a})", "selected", "2 arguments"),
        ("count-selected()", "count-selected", "1 argument"),
        ("coalesce(${a})", "coalesce", "at least 2 arguments"),
        ("string-length()", "string-length", "1 argument"),
        ("concat()", "concat", "at least 1 argument"),
        ("contains('a')", "contains", "2 arguments"),
        ("starts-with('a', 'b', 'c')", "starts-with", "2 arguments"),
        ("int()", "int", "1 argument"),
        ("number(1, 2)", "number", "1 argument"),
        ("string()", "string", "1 argument"),
        ("round()", "round", "1 or 2 arguments"),
        ("round(1, 2, 3)", "round", "1 or 2 arguments"),
        ("sum()", "sum", "1 argument"),
        ("count(1, 2)", "count", "1 argument"),
        ("count-not-in(${a})", "count-not-in", "2 arguments"),
        ("min()", "min", "at least 1 argument"),
        ("max()", "max", "at least 1 argument"),
        ("regex('a')", "regex", "2 arguments"),
        ("resident-id()", "resident-id", "1 argument"),
        ("registry()", "registry", "1 argument"),
        ("setting('a', 'b')", "setting", "1 argument"),
    ];
    for (src, name, expected) in cases {
        let e = err(src);
        assert_eq!(e.column, 1, "{src}");
        assert!(e.message.contains(name), "{src}: {}", e.message);
        assert!(e.message.contains(expected), "{src}: {}", e.message);
    }
    let e = err("1 + if(1)");
    assert_eq!(e.column, 5);
}

#[test]
fn literal_only_arguments() {
    let e = err("registry(${a})");
    assert_eq!(e.column, 10);
    assert!(e.message.contains("registry"), "{}", e.message);
    let e = err("setting(concat('a', 'b'))");
    assert_eq!(e.column, 9);
    assert!(e.message.contains("setting"), "{}", e.message);
    let e = err("regex(., ${pattern})");
    assert_eq!(e.column, 10);
    let e = err("regex(., '(')");
    assert_eq!(e.column, 10);
    assert!(e.message.contains("regular expression"), "{}", e.message);
    assert!(!e.message.contains('\n'));
    let e = err("'张三' = regex(., '[')");
    assert_eq!(e.column, 17);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(err(&deep).message.contains("deeply"));
    let negs = format!("{}1", "-".repeat(10_000));
    assert!(err(&negs).message.contains("deeply"));
    let chain = format!("1{}", " + 1".repeat(100_000));
    assert!(err(&chain).message.contains("deeply"));
    let calls = format!("{}1{}", "not(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&calls).is_err());
    // Realistic sizes are fine.
    let fine = format!("1{}", " + 1".repeat(200));
    assert_eq!(ev(&fine), num(201.0));
    let nested = format!("{}1{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(ev(&nested), num(1.0));
}

// ---------------------------------------------------------------- tree helpers

#[test]
fn references_in_order_with_repeats() {
    let e = p("${a} + if(${b} > ${a}, sum(${c}), regex(${d}, 'x')) + -${e}");
    assert_eq!(e.references(), vec!["a", "b", "a", "c", "d", "e"]);
    assert!(p("1 + 2").references().is_empty());
}

#[test]
fn uses_current_helper() {
    assert!(p(". >= 1 and . <= 30").uses_current());
    assert!(p("regex(., 'x')").uses_current());
    assert!(p("not(-.)").uses_current());
    assert!(!p("${a} >= 1").uses_current());
    assert!(!p("'.'").uses_current());
}

#[test]
fn registry_fields_and_settings_helpers() {
    let e = p(
        "registry('household_size') = ${size} and ${income} < setting('income_line') \
               or registry('status') = 'exited' and setting('year') > 0",
    );
    assert_eq!(e.registry_fields(), vec!["household_size", "status"]);
    assert_eq!(e.settings(), vec!["income_line", "year"]);
    assert!(p("'registry' = 'setting'").registry_fields().is_empty());
}

#[test]
fn whitespace_is_free_and_quotes_nest() {
    assert_eq!(ev("\t1\n+\r\n2 "), num(3.0));
    assert_eq!(ev("1+2*3"), num(7.0));
    assert_eq!(ev("\"it's\""), text("it's"));
    assert_eq!(ev("7 mod-2"), num(1.0));
    assert_eq!(ev("${size}-1"), num(3.0));
}

#[test]
fn readme_examples() {
    let mut s = scope();
    s.answers.insert("household_size".into(), num(4.0));
    assert!(p("${household_size} > 0").eval_bool(&s));
    s.current = num(31.0);
    assert!(!p(". >= 1 and . <= 30").eval_bool(&s));
    s.current = num(30.0);
    assert!(p(". >= 1 and . <= 30").eval_bool(&s));
    let mut row = scope();
    row.answers
        .insert("medical_insured".into(), Value::Bool(false));
    assert_eq!(p("if(${medical_insured}, 0, 1)").eval(&row), num(1.0));
    assert!(
        p("count(${members}) > 0 and sum(${member_uninsured}) = 0")
            .eval(&scope())
            .eq(&Value::Bool(false))
    );
    assert_eq!(ev("7 div 2"), num(3.5));
}

#[test]
fn hand_built_trees_do_not_panic() {
    let s = scope();
    for f in Func::ALL {
        assert!(matches!(
            Expr::Call(f, vec![]).eval(&s),
            Value::Missing | Value::Bool(_) | Value::Number(_) | Value::Text(_) | Value::Date(_)
        ));
        let _ = Expr::Call(f, vec![Expr::Current; 5]).eval(&s);
    }
}

// ---------------------------------------------------------------- property test

/// Strings matching a regular expression (compiled once, not per generated value).
fn pattern(re: &str) -> impl Strategy<Value = String> {
    prop::string::string_regex(re).expect("valid generator pattern")
}

/// Pieces of the language, glued together into token soup (with one free-form piece).
fn token_soup() -> impl Strategy<Value = String> {
    let mut pieces: Vec<String> = [
        "${size}",
        "${name}",
        "${q}",
        "${aid}",
        "${members}",
        "${member_age}",
        "${visit}",
        "${insured}",
        ".",
        "0",
        "-1",
        "2.5",
        "1e308",
        "99999999999999999999",
        "'张三'",
        "''",
        "'2017-12-23'",
        "'11010519491231002X'",
        "'",
        "\"",
        "${",
        "}",
        "$",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "and",
        "or",
        "div",
        "mod",
        "(",
        ")",
        ",",
        " ",
        "foo",
        "x-",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    pieces.extend(Func::ALL.iter().map(|f| format!("{}(", f.name())));
    (
        prop::collection::vec(prop::sample::select(pieces), 0..40),
        pattern("[a-z-]{0,8}|'[^']{0,6}'"),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut v, free, at)| {
            let i = at.index(v.len() + 1);
            v.insert(i, free);
            v.concat()
        })
}

/// Well-formed expressions built from the grammar, so evaluation is exercised deeply.
fn well_formed() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("${size}".to_string()),
        Just("${q}".to_string()),
        Just("${name}".to_string()),
        Just("${aid}".to_string()),
        Just("${member_age}".to_string()),
        Just("${members}".to_string()),
        Just("${visit}".to_string()),
        Just("${insured}".to_string()),
        Just("${empty}".to_string()),
        Just(".".to_string()),
        Just("today()".to_string()),
        Just("registry('household_size')".to_string()),
        Just("setting('income_line')".to_string()),
        (-1e6f64..1e6).prop_map(|n| format!("{}", n.abs())),
        pattern("[0-9]{1,25}"),
        pattern("'[^'\\\\]{0,8}'"),
    ];
    leaf.prop_recursive(6, 64, 4, |inner| {
        let op = prop::sample::select(vec![
            "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod", "and", "or",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            (
                prop::sample::select(Func::ALL.to_vec()),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(f, mut args)| {
                    // Mostly the right number of arguments, so that most calls parse.
                    let (lo, hi) = f.arity();
                    args.truncate(hi.unwrap_or(usize::MAX));
                    while args.len() < lo {
                        args.push("'1'".to_string());
                    }
                    format!("{}({})", f.name(), args.join(", "))
                }),
            (inner.clone(), pattern("[a-z0-9^$.*+?]{0,6}"))
                .prop_map(|(a, pat)| format!("regex({a}, '{pat}')")),
            (inner.clone(), -30i32..30).prop_map(|(a, d)| format!("round({a}, {d})")),
        ]
    })
}

fn eval_everywhere(src: &str) {
    if let Ok(e) = parse(src) {
        let mut s = scope();
        let _ = e.eval(&s);
        let _ = e.eval_bool(&s);
        let _ = (
            e.references(),
            e.uses_current(),
            e.registry_fields(),
            e.settings(),
        );
        s.current = Value::Missing;
        let _ = e.eval(&s);
        s.current = text("张三丰");
        let _ = e.eval(&s);
        s.current = Value::List(vec![Value::Missing, num(f64::MAX), text("x")]);
        let _ = e.eval(&s);
    }
}

/// The same scope, lending its answers and registry values and saying none is unknown: what
/// the reconciliation's scope does to evaluate without copies.
struct Lending(TestScope);

impl Scope for Lending {
    fn answer(&self, id: &str) -> Value {
        self.0.answer(id)
    }
    fn current(&self) -> Value {
        self.0.current()
    }
    fn registry(&self, field: &str) -> Value {
        self.0.registry(field)
    }
    fn setting(&self, name: &str) -> Value {
        self.0.setting(name)
    }
    fn today(&self) -> NaiveDate {
        self.0.today()
    }
    fn may_be_unknown(&self) -> bool {
        false
    }
    fn answer_ref(&self, id: &str) -> Option<&Value> {
        self.0.answers.get(id).or(Some(&Value::Missing))
    }
    fn registry_ref(&self, field: &str) -> Option<&Value> {
        self.0.registry.get(field)
    }
}

/// A lending scope gives what the copying one gives, for `eval` and `eval_known`.
fn same_when_lent(src: &str) {
    let Ok(e) = parse(src) else { return };
    let (copying, lending) = (scope(), Lending(scope()));
    let shown = |v: Value| format!("{v:?}");
    assert_eq!(shown(e.eval(&copying)), shown(e.eval(&lending)), "`{src}`");
    assert_eq!(
        e.eval_known(&copying).map(shown),
        e.eval_known(&lending).map(shown),
        "`{src}`"
    );
}

#[test]
fn lent_values_evaluate_as_copies() {
    for src in [
        "count(${member_age}) + sum(${member_uninsured})",
        "count-not-in(${member_name}, ${member_name}) = 0",
        "max(${member_age}, ${size}) > 30 and min(${member_birth}) < today()",
        "selected(${aid}, 'cash') or count-selected(${aid}) = 2",
        "registry('household_size') - ${size} = 1 and registry('status') = 'exited'",
        "if(${insured}, ${income}, 0) >= setting('income_line') * 0.5",
        "coalesce(${nothing}, ${empty}, ${name}) = '张三丰' and not(${working})",
        "int(${half} * 10) + round(${income}, -2) + number(${numtext})",
    ] {
        same_when_lent(src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lending_scope_evaluates_as_the_copying_one(src in well_formed()) {
        same_when_lent(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        eval_everywhere(&src);
    }

    #[test]
    fn token_soup_never_panics(src in token_soup()) {
        eval_everywhere(&src);
    }

    #[test]
    fn well_formed_expressions_parse_and_evaluate(src in well_formed()) {
        eval_everywhere(&src);
    }

    #[test]
    fn errors_point_inside_or_just_after_the_source(src in token_soup()) {
        if let Err(e) = parse(&src) {
            prop_assert!(e.column >= 1);
            prop_assert!(e.column <= src.chars().count() + 1);
        }
    }

    #[test]
    fn resident_id_check_never_panics(s in "\\PC{0,20}", digits in "[0-9]{17}[0-9Xx]") {
        let today = date(2017, 12, 23);
        let _ = resident_id_valid(&s, today);
        let _ = resident_id_valid(&digits, today);
    }
}

/// A scope where `u` (and the list `rows`) are asked and not answered yet.
struct UnknownScope(TestScope);

impl Scope for UnknownScope {
    fn answer(&self, id: &str) -> Value {
        match id {
            "rows" => Value::List(vec![num(1.0), Value::Missing]),
            _ => self.0.answer(id),
        }
    }
    fn current(&self) -> Value {
        self.0.current()
    }
    fn registry(&self, field: &str) -> Value {
        self.0.registry(field)
    }
    fn setting(&self, name: &str) -> Value {
        self.0.setting(name)
    }
    fn today(&self) -> NaiveDate {
        self.0.today()
    }
    fn unknown(&self, id: &str) -> bool {
        id == "u" || id == "rows"
    }
}

#[test]
fn unknown_answers_propagate_in_three_valued_evaluation() {
    let s = UnknownScope(scope());
    let known = |src: &str| parse(src).expect(src).eval_known(&s);
    // unknown operands make the result unknown …
    for src in [
        "${u}",
        "${u} + 1",
        "${u} < 3",
        "${u} = 1",
        "not(${u})",
        "if(${u}, 1, 2)",
        "coalesce(${u}, 0)",
        "sum(${rows})",
        "count(${rows})",
        "${size} > 1 and ${u} > 1",
        "${zero} > 1 or ${u} > 1",
    ] {
        assert_eq!(known(src), None, "{src}");
    }
    // … unless the rest decides it (Kleene's and / or), or they are not read
    assert_eq!(known("${zero} > 1 and ${u} > 1"), Some(Value::Bool(false)));
    assert_eq!(known("${size} > 1 or ${u} > 1"), Some(Value::Bool(true)));
    assert_eq!(known("if(${size} > 1, 5, ${u})"), Some(num(5.0)));
    // a missing answer that is not unknown (not asked) is what eval gives
    assert_eq!(known("coalesce(${nothing}, 0)"), Some(num(0.0)));
    assert_eq!(known("${nothing} < 3"), Some(Value::Bool(false)));
    // the ordinary evaluation is unchanged: unknown reads as missing
    assert_eq!(parse("coalesce(${u}, 0)").unwrap().eval(&s), num(0.0));
}
