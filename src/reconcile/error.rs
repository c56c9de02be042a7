//! Problems in a rules or settings file, reported like questionnaire problems
//! ([`LoadError`](crate::questionnaire::LoadError)): every one found, named by file, rule and
//! field, in both languages.

use serde::Serialize;

use crate::i18n::{Lang, Text};

/// What kind of problem a [`RuleError`] is; stable names for `ruhu check --format json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleErrorKind {
    /// The file could not be read.
    Read,
    /// Not valid JSON, or JSON of the wrong shape (missing or unknown field).
    Json,
    /// `finding` is not one of wrong_exit, missed, wrong_inclusion, returned, mismatch.
    UnknownFinding,
    /// `severity` is not finding or warning.
    UnknownSeverity,
    /// A household kind that is not poor, exited, non_poor or returned.
    UnknownHouseholdKind,
    ExpressionSyntax,
    /// `${id}` that no questionnaire of the rule's household kinds asks.
    UnknownReference,
    /// `registry('field')` of a field the registry does not have.
    UnknownRegistryField,
    /// `setting('name')` of a setting the settings file does not define.
    UnknownSetting,
    /// A rule id (or an income line's year and province) used twice.
    DuplicateId,
    /// A message without its Chinese or English text.
    EmptyMessage,
    /// Any other rule of the format (see questionnaires/RULES.md).
    Invalid,
}

/// One problem in a rules or settings file.
#[derive(Debug, Clone, Serialize)]
pub struct RuleError {
    pub file: String,
    /// The rule the problem is in (rules files only).
    pub rule: Option<String>,
    /// The field, e.g. `expression`, `households`, or a settings path like `income_lines[2]`.
    pub field: Option<String>,
    pub kind: RuleErrorKind,
    pub message: Text,
}

impl RuleError {
    pub fn render(&self, lang: Lang) -> String {
        let what = Text::new("规则", "rule");
        crate::i18n::locate(
            lang,
            &self.file,
            self.rule.as_deref().map(|id| (&what, id)),
            self.field.as_deref(),
            &self.message,
        )
    }
}

/// Collects the errors of one file.
pub(super) struct Errors<'a> {
    pub file: &'a str,
    pub list: Vec<RuleError>,
}

impl<'a> Errors<'a> {
    pub fn new(file: &'a str) -> Self {
        Errors {
            file,
            list: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        rule: Option<&str>,
        field: Option<&str>,
        kind: RuleErrorKind,
        message: Text,
    ) {
        self.list.push(RuleError {
            file: self.file.to_string(),
            rule: rule.map(str::to_string),
            field: field.map(str::to_string),
            kind,
            message,
        });
    }

    pub fn json(&mut self, e: &serde_json::Error) {
        self.push(
            None,
            None,
            RuleErrorKind::Json,
            crate::tr!(
                "JSON 格式错误（第{}行第{}列）：{}",
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                e
            ),
        );
    }

    /// The file could not be read (`why` says so, with the file: see
    /// `questionnaire::read_json_file`).
    pub fn read(&mut self, why: crate::i18n::Text) {
        self.push(None, None, RuleErrorKind::Read, why);
    }
}
