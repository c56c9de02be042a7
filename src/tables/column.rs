//! A table's columns: what each holds (its [`Kind`]), its labels and choices, and its values
//! as Arrow arrays — the one in-memory form that every writer (Parquet, CSV, XLSX) reads.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, Field, Schema};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde_json::Value as Json;

use crate::i18n::Text;
use crate::questionnaire::Choice;

/// The time zone written with every time: instants are stored in UTC.
pub const TIME_ZONE: &str = "UTC";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Decimal,
    YesNo,
    /// A day (`YYYY-MM-DD`).
    Date,
    /// An instant, with the UTC offset it was recorded with kept for the local time.
    Time,
    /// The code (name) of one choice.
    Choice,
    /// The codes of several choices.
    Choices,
}

impl Kind {
    /// The name in the codebook: the questionnaire's type names, and `time` for instants.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Integer => "integer",
            Kind::Decimal => "decimal",
            Kind::YesNo => "yes_no",
            Kind::Date => "date",
            Kind::Time => "time",
            Kind::Choice => "select_one",
            Kind::Choices => "select_multiple",
        }
    }

    /// Whether a value of this kind is a number in a spreadsheet.
    pub fn is_number(self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal)
    }
}

/// One column: its id (the header), what it holds, its label and choices (for the codebook).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub kind: Kind,
    pub label: Text,
    pub choices: Vec<Choice>,
    /// The questionnaires that ask it (empty for the columns every row has).
    pub asked_in: Vec<String>,
}

impl Column {
    pub fn new(id: &str, kind: Kind, zh: &str, en: &str) -> Column {
        Column {
            id: id.to_string(),
            kind,
            label: Text::new(zh, en),
            choices: Vec::new(),
            asked_in: Vec::new(),
        }
    }

    pub fn with_choices(mut self, choices: Vec<Choice>) -> Column {
        self.choices = choices;
        self
    }
}

/// A finished table: its columns and their values.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's name (`answers`, a roster's id, `codebook`, `findings`, ...).
    pub name: String,
    pub columns: Vec<Column>,
    arrays: Vec<ArrayRef>,
    /// Per column: the UTC offsets (seconds east) of a time column's values, else empty.
    offsets: Vec<Vec<i32>>,
    rows: usize,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The values as an Arrow record batch (column names the ids; every column nullable).
    pub fn record_batch(&self) -> Result<RecordBatch, ArrowError> {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .zip(&self.arrays)
            .map(|(c, a)| Field::new(&c.id, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), self.arrays.clone())
    }

    /// The values of column `c`, typed, for reading cell by cell.
    pub fn view(&self, c: usize) -> View<'_> {
        let a = &self.arrays[c];
        match self.columns[c].kind {
            Kind::Text | Kind::Choice => View::Text(a.as_string::<i32>()),
            Kind::Integer => View::Int(a.as_primitive::<Int64Type>()),
            Kind::Decimal => View::Num(a.as_primitive::<Float64Type>()),
            Kind::YesNo => View::Bool(a.as_boolean()),
            Kind::Date => View::Date(a.as_primitive::<Date32Type>()),
            Kind::Time => View::Time(
                a.as_primitive::<TimestampMicrosecondType>(),
                &self.offsets[c],
            ),
            Kind::Choices => View::List(a.as_list::<i32>()),
        }
    }
}

/// A column's values, typed (see [`Table::view`]).
pub enum View<'a> {
    Text(&'a arrow_array::StringArray),
    Int(&'a arrow_array::Int64Array),
    Num(&'a arrow_array::Float64Array),
    Bool(&'a arrow_array::BooleanArray),
    Date(&'a arrow_array::Date32Array),
    Time(&'a arrow_array::TimestampMicrosecondArray, &'a [i32]),
    List(&'a arrow_array::ListArray),
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    /// The instant in the offset it was recorded with (the laptop's local time).
    Time(DateTime<FixedOffset>),
    Choices(Vec<String>),
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

impl View<'_> {
    pub fn get(&self, row: usize) -> Value<'_> {
        let null = match self {
            View::Text(a) => a.is_null(row),
            View::Int(a) => a.is_null(row),
            View::Num(a) => a.is_null(row),
            View::Bool(a) => a.is_null(row),
            View::Date(a) => a.is_null(row),
            View::Time(a, _) => a.is_null(row),
            View::List(a) => a.is_null(row),
        };
        if null {
            return Value::Null;
        }
        match self {
            View::Text(a) => Value::Text(a.value(row)),
            View::Int(a) => Value::Int(a.value(row)),
            View::Num(a) => Value::Num(a.value(row)),
            View::Bool(a) => Value::Bool(a.value(row)),
            View::Date(a) => EPOCH
                .checked_add_signed(chrono::Duration::days(i64::from(a.value(row))))
                .map_or(Value::Null, Value::Date),
            View::Time(a, offsets) => {
                let tz = offsets
                    .get(row)
                    .and_then(|o| FixedOffset::east_opt(*o))
                    .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
                tz.timestamp_micros(a.value(row))
                    .single()
                    .map_or(Value::Null, Value::Time)
            }
            View::List(a) => {
                let items = a.value(row);
                let items = items.as_string::<i32>();
                Value::Choices(
                    (0..items.len())
                        .filter(|&i| !items.is_null(i))
                        .map(|i| items.value(i).to_string())
                        .collect(),
                )
            }
        }
    }
}

/// The values of one column as they are added.
enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Num(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Time(TimestampMicrosecondBuilder, Vec<i32>),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Kind, capacity: usize) -> Builder {
        match kind {
            Kind::Text | Kind::Choice => Builder::Text(StringBuilder::with_capacity(capacity, 0)),
            Kind::Integer => Builder::Int(Int64Builder::with_capacity(capacity)),
            Kind::Decimal => Builder::Num(Float64Builder::with_capacity(capacity)),
            Kind::YesNo => Builder::Bool(BooleanBuilder::with_capacity(capacity)),
            Kind::Date => Builder::Date(Date32Builder::with_capacity(capacity)),
            Kind::Time => Builder::Time(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone(TIME_ZONE),
                Vec::with_capacity(capacity),
            ),
            Kind::Choices => Builder::List(ListBuilder::new(StringBuilder::new())),
        }
    }

    fn null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Int(b) => b.append_null(),
            Builder::Num(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Time(b, o) => {
                b.append_null();
                o.push(0);
            }
            Builder::List(b) => b.append_null(),
        }
    }

    fn finish(self) -> (ArrayRef, Vec<i32>) {
        match self {
            Builder::Text(mut b) => (Arc::new(b.finish()), Vec::new()),
            Builder::Int(mut b) => (Arc::new(b.finish()), Vec::new()),
            Builder::Num(mut b) => (Arc::new(b.finish()), Vec::new()),
            Builder::Bool(mut b) => (Arc::new(b.finish()), Vec::new()),
            Builder::Date(mut b) => (Arc::new(b.finish()), Vec::new()),
            Builder::Time(mut b, o) => (Arc::new(b.finish()), o),
            Builder::List(mut b) => (Arc::new(b.finish()), Vec::new()),
        }
    }
}

/// Days since 1970-01-01 of a date.
fn days(d: NaiveDate) -> Option<i32> {
    i32::try_from(d.signed_duration_since(EPOCH).num_days()).ok()
}

/// A table being filled row by row: every row gives every column one value (or null).
pub struct TableBuilder {
    name: String,
    columns: Vec<Column>,
    builders: Vec<Builder>,
    rows: usize,
}

impl TableBuilder {
    pub fn new(name: &str, columns: Vec<Column>, capacity: usize) -> TableBuilder {
        let builders = columns
            .iter()
            .map(|c| Builder::new(c.kind, capacity))
            .collect();
        TableBuilder {
            name: name.to_string(),
            columns,
            builders,
            rows: 0,
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Ends a row (every column must have been given its value).
    pub fn end_row(&mut self) {
        self.rows += 1;
    }

    /// Column `c` of this row is empty.
    pub fn null(&mut self, c: usize) {
        self.builders[c].null();
    }

    /// A text (or choice code) in column `c`; `None` is empty.
    pub fn text(&mut self, c: usize, v: Option<&str>) {
        match (&mut self.builders[c], v) {
            (Builder::Text(b), Some(s)) => b.append_value(s),
            (b, _) => b.null(),
        }
    }

    pub fn int(&mut self, c: usize, v: Option<i64>) {
        match (&mut self.builders[c], v) {
            (Builder::Int(b), Some(i)) => b.append_value(i),
            (Builder::Num(b), Some(i)) => b.append_value(i as f64),
            (b, _) => b.null(),
        }
    }

    pub fn num(&mut self, c: usize, v: Option<f64>) {
        match (&mut self.builders[c], v) {
            (Builder::Num(b), Some(x)) if x.is_finite() => b.append_value(x),
            (b, _) => b.null(),
        }
    }

    pub fn bool(&mut self, c: usize, v: Option<bool>) {
        match (&mut self.builders[c], v) {
            (Builder::Bool(b), Some(x)) => b.append_value(x),
            (b, _) => b.null(),
        }
    }

    pub fn time(&mut self, c: usize, v: Option<&DateTime<FixedOffset>>) {
        match (&mut self.builders[c], v) {
            (Builder::Time(b, o), Some(t)) => {
                b.append_value(t.timestamp_micros());
                o.push(t.offset().local_minus_utc());
            }
            (b, _) => b.null(),
        }
    }

    /// A value of an answer as the store keeps it (see `interview::Answer::to_json`), read as
    /// column `c`'s kind; a value of another shape is left empty. `mask` masks ID numbers in
    /// texts.
    pub fn json(&mut self, c: usize, v: Option<&Json>, mask: bool) {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            self.builders[c].null();
            return;
        };
        match &mut self.builders[c] {
            Builder::Text(b) => match v {
                Json::String(s) if mask && self.columns[c].kind == Kind::Text => {
                    b.append_value(crate::redact::mask_ids(s))
                }
                Json::String(s) => b.append_value(s),
                Json::Number(n) => b.append_value(n.to_string()),
                Json::Bool(x) => b.append_value(if *x { "true" } else { "false" }),
                _ => b.append_null(),
            },
            Builder::Int(b) => match v.as_i64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }) {
                Some(i) => b.append_value(i),
                None => b.append_null(),
            },
            Builder::Num(b) => match v.as_f64().filter(|f| f.is_finite()) {
                Some(x) => b.append_value(x),
                None => b.append_null(),
            },
            Builder::Bool(b) => match v.as_bool() {
                Some(x) => b.append_value(x),
                None => b.append_null(),
            },
            Builder::Date(b) => match v
                .as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .and_then(days)
            {
                Some(d) => b.append_value(d),
                None => b.append_null(),
            },
            Builder::Time(b, o) => match v
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            {
                Some(t) => {
                    b.append_value(t.timestamp_micros());
                    o.push(t.offset().local_minus_utc());
                }
                None => {
                    b.append_null();
                    o.push(0);
                }
            },
            Builder::List(b) => match v.as_array() {
                Some(items) => {
                    for i in items {
                        match i.as_str() {
                            Some(s) => b.values().append_value(s),
                            None => b.values().append_value(i.to_string()),
                        }
                    }
                    b.append(true);
                }
                None => b.append_null(),
            },
        }
    }

    pub fn finish(self) -> Table {
        let mut arrays = Vec::with_capacity(self.builders.len());
        let mut offsets = Vec::with_capacity(self.builders.len());
        for b in self.builders {
            let (a, o) = b.finish();
            arrays.push(a);
            offsets.push(o);
        }
        Table {
            name: self.name,
            columns: self.columns,
            arrays,
            offsets,
            rows: self.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_back_as_they_went_in() {
        let cols = vec![
            Column::new("name", Kind::Text, "姓名", "name"),
            Column::new("age", Kind::Integer, "年龄", "age"),
            Column::new("income", Kind::Decimal, "收入", "income"),
            Column::new("ok", Kind::YesNo, "是否", "ok"),
            Column::new("day", Kind::Date, "日期", "day"),
            Column::new("at", Kind::Time, "时间", "at"),
            Column::new("aid", Kind::Choices, "帮扶", "aid"),
        ];
        let mut t = TableBuilder::new("t", cols, 2);
        let at = DateTime::parse_from_rfc3339("2017-11-20T10:00:00+08:00").unwrap();
        t.json(0, Some(&json!("张三 532326194909155480")), true);
        t.json(1, Some(&json!(61.0)), false);
        t.json(2, Some(&json!(3335.5)), false);
        t.json(3, Some(&json!(true)), false);
        t.json(4, Some(&json!("2017-12-23")), false);
        t.time(5, Some(&at));
        t.json(6, Some(&json!(["dibao", "industry"])), false);
        t.end_row();
        for c in 0..7 {
            t.json(c, None, false);
        }
        t.end_row();
        let t = t.finish();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.view(0).get(0), Value::Text("张三 5323**********5480"));
        assert_eq!(t.view(1).get(0), Value::Int(61));
        assert_eq!(t.view(2).get(0), Value::Num(3335.5));
        assert_eq!(t.view(3).get(0), Value::Bool(true));
        assert_eq!(
            t.view(4).get(0),
            Value::Date(NaiveDate::from_ymd_opt(2017, 12, 23).unwrap())
        );
        assert_eq!(t.view(5).get(0), Value::Time(at));
        assert_eq!(
            t.view(6).get(0),
            Value::Choices(vec!["dibao".into(), "industry".into()])
        );
        for c in 0..7 {
            assert_eq!(t.view(c).get(1), Value::Null, "column {c}");
        }
        let batch = t.record_batch().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(
            batch.schema().field(5).data_type().to_string(),
            "Timestamp(µs, \"UTC\")"
        );
    }
}
