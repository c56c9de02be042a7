//! Settings of reconciliation (`questionnaires/settings.json`): the assessment year and
//! province, the income line per year (optionally per province), named values such as
//! tolerances, and the failing thresholds of the rates. Every number the rules and rates use
//! comes from here, never from a constant in code. The format is in questionnaires/RULES.md.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value as Json;

use super::error::{Errors, RuleError, RuleErrorKind};
use crate::questionnaire::expr::Value;
use crate::tr;

/// The settings compiled into the program.
pub const BUNDLED_SETTINGS: &str = include_str!("../../questionnaires/settings.json");

/// The name `setting('income_line')` reads: the line of the assessment year (and province).
pub const INCOME_LINE: &str = "income_line";
/// The name `setting('assessment_year')` reads.
pub const ASSESSMENT_YEAR: &str = "assessment_year";

/// One income line (贫困线): yuan per head and year.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomeLine {
    pub year: i32,
    /// `None`: the national line; else the line of this province, which overrides it.
    pub province: Option<String>,
    pub line: f64,
}

/// The rate a threshold belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateName {
    WrongExit,
    Missed,
    WrongInclusion,
    Acceptance,
    Satisfaction,
}

impl RateName {
    pub const ALL: [RateName; 5] = [
        RateName::WrongExit,
        RateName::Missed,
        RateName::WrongInclusion,
        RateName::Acceptance,
        RateName::Satisfaction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RateName::WrongExit => "wrong_exit",
            RateName::Missed => "missed",
            RateName::WrongInclusion => "wrong_inclusion",
            RateName::Acceptance => "acceptance",
            RateName::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<RateName> {
        RateName::ALL.into_iter().find(|r| r.name() == s)
    }

    /// True for the error rates (failing above the threshold); false for acceptance and
    /// satisfaction (failing below it).
    pub fn fails_above(self) -> bool {
        matches!(
            self,
            RateName::WrongExit | RateName::Missed | RateName::WrongInclusion
        )
    }
}

/// Reconciliation settings, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The file they came from.
    pub source: String,
    /// 考核年度: the year whose income line the rules use.
    pub assessment_year: i32,
    /// The province assessed; selects a province's own income line when there is one.
    pub province: Option<String>,
    pub income_lines: Vec<IncomeLine>,
    /// Named values (`setting('name')`): tolerances and other local numbers.
    pub values: BTreeMap<String, Value>,
    /// Failing thresholds of the rates, as fractions (0.02 = 2%).
    pub thresholds: BTreeMap<RateName, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    assessment_year: i32,
    #[serde(default)]
    province: Option<String>,
    income_lines: Vec<RawLine>,
    #[serde(default)]
    values: BTreeMap<String, Json>,
    #[serde(default)]
    thresholds: BTreeMap<String, Json>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    year: i32,
    #[serde(default)]
    province: Option<String>,
    line: f64,
}

/// Years a setting may name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn valid_name(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

impl Settings {
    /// Parses and validates a settings file; `file` names it in messages. Every problem is
    /// listed.
    pub fn from_str(file: &str, src: &str) -> Result<Settings, Vec<RuleError>> {
        let mut errs = Errors::new(file);
        let raw: RawSettings = match serde_json::from_str(crate::questionnaire::strip_bom(src)) {
            Ok(r) => r,
            Err(e) => {
                errs.json(&e);
                return Err(errs.list);
            }
        };
        let invalid = |errs: &mut Errors, field: &str, message| {
            errs.push(None, Some(field), RuleErrorKind::Invalid, message);
        };
        if !YEARS.contains(&raw.assessment_year) {
            invalid(
                &mut errs,
                "assessment_year",
                tr!(
                    "考核年度 {} 不在 2000 到 2100 之间",
                    "assessment year {} is not between 2000 and 2100",
                    raw.assessment_year
                ),
            );
        }
        let province = raw.province.map(|p| p.trim().to_string());
        if province.as_deref() == Some("") {
            invalid(
                &mut errs,
                "province",
                tr!(
                    "省份不能为空（不设省份请删去或写 null）",
                    "the province is empty (leave it out or write null for none)"
                ),
            );
        }
        let province = province.filter(|p| !p.is_empty());

        if raw.income_lines.is_empty() {
            invalid(
                &mut errs,
                "income_lines",
                tr!("至少要有一条贫困线", "at least one income line is needed"),
            );
        }
        let mut lines: Vec<IncomeLine> = Vec::new();
        for (i, l) in raw.income_lines.into_iter().enumerate() {
            let field = format!("income_lines[{i}]");
            let p = l.province.map(|p| p.trim().to_string());
            if p.as_deref() == Some("") {
                invalid(
                    &mut errs,
                    &field,
                    tr!("省份不能为空", "the province is empty"),
                );
                continue;
            }
            if !YEARS.contains(&l.year) {
                invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "年份 {} 不在 2000 到 2100 之间",
                        "year {} is not between 2000 and 2100",
                        l.year
                    ),
                );
            }
            if !(l.line.is_finite() && l.line > 0.0) {
                invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "贫困线应为正数，而不是 {}",
                        "an income line is a positive number, not {}",
                        l.line
                    ),
                );
            }
            let line = IncomeLine {
                year: l.year,
                province: p.filter(|p| !p.is_empty()),
                line: l.line,
            };
            if lines
                .iter()
                .any(|o| o.year == line.year && o.province == line.province)
            {
                errs.push(
                    None,
                    Some(&field),
                    RuleErrorKind::DuplicateId,
                    tr!(
                        "{} 年{}的贫困线写了两次",
                        "the income line of {}{} is given twice",
                        line.year,
                        line.province
                            .as_deref()
                            .map(|p| format!(" ({p})"))
                            .unwrap_or_default()
                    ),
                );
            }
            lines.push(line);
        }

        let mut values = BTreeMap::new();
        for (name, v) in raw.values {
            let field = format!("values.{name}");
            if !valid_name(&name) {
                invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "设置名只能用小写字母、数字和下划线，并以字母开头",
                        "setting names are lowercase letters, digits and underscores, starting with a letter"
                    ),
                );
            }
            if name == INCOME_LINE || name == ASSESSMENT_YEAR {
                invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "{} 由考核年度和贫困线算出，不能另设",
                        "{} is derived from the assessment year and income lines; it cannot be set here",
                        name
                    ),
                );
            }
            let value = match &v {
                Json::Number(n) => n.as_f64().map(Value::Number),
                Json::Bool(b) => Some(Value::Bool(*b)),
                Json::String(s) => Some(Value::Text(s.clone())),
                _ => None,
            };
            match value {
                Some(value) => {
                    values.insert(name, value);
                }
                None => invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "设置值应为数字、true/false 或文字",
                        "a setting's value is a number, true/false or a text"
                    ),
                ),
            }
        }

        let mut thresholds = BTreeMap::new();
        for (name, v) in raw.thresholds {
            let field = format!("thresholds.{name}");
            let Some(rate) = RateName::parse(&name) else {
                invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "未知的比率 {}，应为 wrong_exit、missed、wrong_inclusion、acceptance 或 satisfaction",
                        "unknown rate '{}': expected wrong_exit, missed, wrong_inclusion, acceptance or satisfaction",
                        name
                    ),
                );
                continue;
            };
            match v.as_f64() {
                Some(x) if (0.0..=1.0).contains(&x) => {
                    thresholds.insert(rate, x);
                }
                _ => invalid(
                    &mut errs,
                    &field,
                    tr!(
                        "阈值是 0 到 1 之间的比例（0.02 即 2%），而不是 {}",
                        "a threshold is a fraction between 0 and 1 (0.02 = 2%), not {}",
                        v
                    ),
                ),
            }
        }

        let settings = Settings {
            source: file.to_string(),
            assessment_year: raw.assessment_year,
            province,
            income_lines: lines,
            values,
            thresholds,
        };
        if errs.list.is_empty() && settings.income_line().is_none() {
            invalid(
                &mut errs,
                "income_lines",
                tr!(
                    "没有考核年度 {} 的贫困线",
                    "there is no income line for the assessment year {}",
                    settings.assessment_year
                ),
            );
        }
        if errs.list.is_empty() {
            Ok(settings)
        } else {
            Err(errs.list)
        }
    }

    /// The settings compiled into the program.
    pub fn bundled() -> Result<Settings, Vec<RuleError>> {
        Settings::from_str("questionnaires/settings.json", BUNDLED_SETTINGS)
    }

    /// Reads and validates a settings file.
    pub fn load(path: &Path) -> Result<Settings, Vec<RuleError>> {
        let file = path.display().to_string();
        match crate::questionnaire::read_json_file(path) {
            Ok(src) => Settings::from_str(&file, &src),
            Err(e) => {
                let mut errs = Errors::new(&file);
                errs.read(e);
                Err(errs.list)
            }
        }
    }

    /// The income line of a year: the province's own line when `province` has one, else the
    /// national line.
    pub fn income_line_for(&self, year: i32, province: Option<&str>) -> Option<f64> {
        let find = |p: Option<&str>| {
            self.income_lines
                .iter()
                .find(|l| l.year == year && l.province.as_deref() == p)
                .map(|l| l.line)
        };
        province.and_then(|p| find(Some(p))).or_else(|| find(None))
    }

    /// `setting('income_line')`: the line of the assessment year and province.
    pub fn income_line(&self) -> Option<f64> {
        self.income_line_for(self.assessment_year, self.province.as_deref())
    }

    /// What `setting(name)` sees: `income_line`, `assessment_year`, or a named value; missing
    /// for any other name.
    pub fn value(&self, name: &str) -> Value {
        match name {
            INCOME_LINE => self.income_line().map_or(Value::Missing, Value::Number),
            ASSESSMENT_YEAR => Value::Number(f64::from(self.assessment_year)),
            _ => self.values.get(name).cloned().unwrap_or(Value::Missing),
        }
    }

    /// Whether `setting(name)` is defined.
    pub fn has(&self, name: &str) -> bool {
        name == INCOME_LINE || name == ASSESSMENT_YEAR || self.values.contains_key(name)
    }

    /// Every name `setting(…)` can read.
    pub fn names(&self) -> Vec<&str> {
        let mut out = vec![INCOME_LINE, ASSESSMENT_YEAR];
        out.extend(self.values.keys().map(String::as_str));
        out
    }

    /// The failing threshold of a rate, if one is set.
    pub fn threshold(&self, rate: RateName) -> Option<f64> {
        self.thresholds.get(&rate).copied()
    }
}
