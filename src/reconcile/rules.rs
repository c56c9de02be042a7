//! Reconciliation rules (`questionnaires/rules.json`): each an id, the finding it raises, a
//! severity, the household kinds it applies to, an expression over answers, registry fields
//! and settings, and a bilingual message. Loading checks everything and lists every problem;
//! the format and the bundled rules are documented in questionnaires/RULES.md.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::error::{Errors, RuleError, RuleErrorKind};
use super::finding::{FindingKind, Severity};
use super::scope::Symbols;
use super::settings::Settings;
use crate::i18n::Text;
use crate::questionnaire::expr;
use crate::questionnaire::{Expression, Kind, QuestionType, Questionnaire, REGISTRY_FIELDS};
use crate::tr;

/// The rules compiled into the program.
pub const BUNDLED_RULES: &str = include_str!("../../questionnaires/rules.json");

/// Registry values that only rules can read (no question is bound to them):
/// `member_id_numbers`, the ID numbers of the registry's members (a list).
pub const RULE_REGISTRY_FIELDS: &[&str] = &["member_id_numbers"];

/// True when `registry(field)` names something the registry has.
pub fn is_registry_field(field: &str) -> bool {
    REGISTRY_FIELDS.contains(&field) || RULE_REGISTRY_FIELDS.contains(&field)
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub finding: FindingKind,
    pub severity: Severity,
    /// The household kinds (questionnaires) it applies to.
    pub households: Vec<Kind>,
    /// Fires when true (missing is false).
    pub expression: Expression,
    pub message: Text,
}

impl Rule {
    pub fn applies_to(&self, kind: Kind) -> bool {
        self.households.contains(&kind)
    }
}

/// Which questions of a questionnaire sit in which roster: what the engine needs to read a
/// result the way the interview engine does.
#[derive(Debug, Clone, Default)]
pub(super) struct Shape {
    /// Roster question id → its roster's id.
    pub roster_of: HashMap<String, String>,
    /// Roster ids.
    pub rosters: HashSet<String>,
}

/// A validated set of rules, with the shape of the questionnaires it was checked against.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The file the rules came from.
    pub source: String,
    pub version: String,
    pub rules: Vec<Rule>,
    /// The question ids the rules read, in slots, with the questionnaires' rosters.
    pub(super) symbols: Symbols,
    /// Questionnaire id → household kind.
    questionnaires: HashMap<String, Kind>,
    /// The member questions of each kind's questionnaire, for the member checks' messages.
    pub(super) member_labels: super::members::Labels,
    /// Every question's label, for the evidence in words.
    pub(super) labels: super::explain::Labels,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    version: String,
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    finding: String,
    severity: String,
    households: Vec<String>,
    expression: String,
    message: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    #[serde(default)]
    zh: String,
    #[serde(default)]
    en: String,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn shape(form: &Questionnaire) -> Shape {
    let mut s = Shape::default();
    for q in form.all_questions() {
        if let QuestionType::Roster { questions, .. } = &q.kind {
            s.rosters.insert(q.id.clone());
            for rq in questions {
                s.roster_of.insert(rq.id.clone(), q.id.clone());
            }
            // The member checks read each row's id.
            if q.id == super::members::ROSTER {
                s.roster_of
                    .insert(crate::interview::ROW_ID_KEY.into(), q.id.clone());
            }
        }
    }
    s
}

impl RuleSet {
    /// Parses and validates a rules file; `file` names it in messages. `forms` are the
    /// questionnaires in use: every `${id}` of a rule must be a question of at least one of
    /// them whose kind the rule applies to. With `settings`, every `setting('name')` must be
    /// defined there (without, setting names are not checked).
    pub fn from_str(
        file: &str,
        src: &str,
        forms: &[&Questionnaire],
        settings: Option<&Settings>,
    ) -> Result<RuleSet, Vec<RuleError>> {
        let mut errs = Errors::new(file);
        let raw: RawRules = match serde_json::from_str(crate::questionnaire::strip_bom(src)) {
            Ok(r) => r,
            Err(e) => {
                errs.json(&e);
                return Err(errs.list);
            }
        };
        if raw.version.trim().is_empty() {
            errs.push(
                None,
                Some("version"),
                RuleErrorKind::Invalid,
                tr!("version 不能为空", "version must not be empty"),
            );
        }
        let mut seen = HashSet::new();
        let mut rules = Vec::new();
        for r in raw.rules {
            if let Some(rule) = check_rule(&mut errs, r, &mut seen, forms, settings) {
                rules.push(rule);
            }
        }
        if !errs.list.is_empty() {
            return Err(errs.list);
        }
        let shapes: BTreeMap<Kind, Shape> = forms.iter().map(|f| (f.kind, shape(f))).collect();
        let labels = super::explain::labels(forms);
        let read: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.expression.ast.references())
            .collect();
        // The explanations also read what a computed answer is computed from.
        let parts = labels.parts_of(&read);
        let symbols = Symbols::new(
            read.iter()
                .copied()
                .chain(super::members::COLUMNS)
                .chain(parts),
            &shapes,
        );
        Ok(RuleSet {
            source: file.to_string(),
            version: raw.version,
            rules,
            symbols,
            questionnaires: forms.iter().map(|f| (f.id.clone(), f.kind)).collect(),
            member_labels: super::members::labels(forms),
            labels,
        })
    }

    /// The rules compiled into the program, checked against `forms` and `settings`.
    pub fn bundled(
        forms: &[&Questionnaire],
        settings: Option<&Settings>,
    ) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::from_str("questionnaires/rules.json", BUNDLED_RULES, forms, settings)
    }

    /// Reads and validates a rules file.
    pub fn load(
        path: &Path,
        forms: &[&Questionnaire],
        settings: Option<&Settings>,
    ) -> Result<RuleSet, Vec<RuleError>> {
        let file = path.display().to_string();
        match crate::questionnaire::read_json_file(path) {
            Ok(src) => RuleSet::from_str(&file, &src, forms, settings),
            Err(e) => {
                let mut errs = Errors::new(&file);
                errs.read(e);
                Err(errs.list)
            }
        }
    }

    /// The question ids the rules read, in slots.
    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// The rules that apply to a household kind, in file order.
    pub fn for_kind(&self, kind: Kind) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.applies_to(kind))
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The household kind of a questionnaire id, as the questionnaires in use say.
    pub fn kind_of_questionnaire(&self, id: &str) -> Option<Kind> {
        self.questionnaires.get(id).copied()
    }
}

/// Checks one rule; `None` when it cannot be built (its problems are reported).
fn check_rule(
    errs: &mut Errors,
    r: RawRule,
    seen: &mut HashSet<String>,
    forms: &[&Questionnaire],
    settings: Option<&Settings>,
) -> Option<Rule> {
    let id = r.id.clone();
    let rid = Some(id.as_str());
    let before = errs.list.len();
    if !valid_id(&id) {
        errs.push(
            rid,
            Some("id"),
            RuleErrorKind::Invalid,
            tr!(
                "规则编号只能用小写字母、数字和下划线，并以字母开头",
                "rule ids are lowercase letters, digits and underscores, starting with a letter"
            ),
        );
    }
    if !seen.insert(id.clone()) {
        errs.push(
            rid,
            Some("id"),
            RuleErrorKind::DuplicateId,
            tr!("规则编号 {} 重复", "rule id '{}' is used twice", id),
        );
    }
    let finding = FindingKind::parse(&r.finding);
    if finding.is_none() {
        errs.push(
            rid,
            Some("finding"),
            RuleErrorKind::UnknownFinding,
            tr!(
                "未知的问题类别 {}，应为 wrong_exit、missed、wrong_inclusion、returned、mismatch 或 project",
                "unknown finding '{}': expected wrong_exit, missed, wrong_inclusion, returned, mismatch or project",
                r.finding
            ),
        );
    }
    let severity = Severity::parse(&r.severity);
    if severity.is_none() {
        errs.push(
            rid,
            Some("severity"),
            RuleErrorKind::UnknownSeverity,
            tr!(
                "未知的级别 {}，应为 finding 或 warning",
                "unknown severity '{}': expected finding or warning",
                r.severity
            ),
        );
    }
    if r.households.is_empty() {
        errs.push(
            rid,
            Some("households"),
            RuleErrorKind::Invalid,
            tr!(
                "规则至少要适用于一类农户",
                "a rule applies to at least one household kind"
            ),
        );
    }
    let mut households = Vec::new();
    for h in &r.households {
        match Kind::parse(h) {
            Some(k) => {
                if !households.contains(&k) {
                    households.push(k);
                }
            }
            None => errs.push(
                rid,
                Some("households"),
                RuleErrorKind::UnknownHouseholdKind,
                {
                    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
                    tr!(
                        "未知的问卷类型 {}，应为 {} 之一",
                        "unknown questionnaire kind '{}': expected one of {}",
                        h,
                        kinds.join(", ")
                    )
                },
            ),
        }
    }
    if r.message.zh.trim().is_empty() || r.message.en.trim().is_empty() {
        errs.push(
            rid,
            Some("message"),
            RuleErrorKind::EmptyMessage,
            tr!(
                "说明的中文和英文都不能为空",
                "the message needs both zh and en text"
            ),
        );
    }
    let ast = match expr::parse(&r.expression) {
        Ok(ast) => Some(ast),
        Err(e) => {
            errs.push(
                rid,
                Some("expression"),
                RuleErrorKind::ExpressionSyntax,
                tr!(
                    "表达式语法错误，第{}列：{}（{}）",
                    "expression syntax error at column {}: {} (in `{}`)",
                    e.column,
                    e.message,
                    r.expression
                ),
            );
            None
        }
    };
    if let Some(ast) = &ast {
        check_expression(errs, &id, ast, &households, forms, settings);
    }
    if errs.list.len() > before {
        return None;
    }
    Some(Rule {
        id,
        finding: finding?,
        severity: severity?,
        households,
        expression: Expression {
            source: r.expression,
            ast: ast?,
        },
        message: Text::new(r.message.zh, r.message.en),
    })
}

fn check_expression(
    errs: &mut Errors,
    id: &str,
    ast: &expr::Expr,
    households: &[Kind],
    forms: &[&Questionnaire],
    settings: Option<&Settings>,
) {
    let rid = Some(id);
    let field = Some("expression");
    if ast.uses_current() {
        errs.push(
            rid,
            field,
            RuleErrorKind::Invalid,
            tr!(
                "「.」只能用在问卷的约束条件里",
                "'.' (this answer) is only meaningful in a questionnaire's constraint"
            ),
        );
    }
    let mut reported = HashSet::new();
    // Without a valid household kind (already reported) references cannot be judged.
    let references = if households.is_empty() {
        Vec::new()
    } else {
        ast.references()
    };
    for q in references {
        let asked = forms
            .iter()
            .filter(|f| households.contains(&f.kind))
            .any(|f| f.position(q).is_some());
        if !asked && reported.insert(q) {
            let kinds: Vec<&str> = households.iter().map(|k| k.id()).collect();
            errs.push(
                rid,
                field,
                RuleErrorKind::UnknownReference,
                tr!(
                    "引用了问卷（{}）中不存在的问题 ${{{}}}",
                    "refers to ${{{1}}}, which no questionnaire of its households ({0}) asks",
                    kinds.join("、"),
                    q
                ),
            );
        }
    }
    for f in ast.registry_fields() {
        if !is_registry_field(f) {
            errs.push(
                rid,
                field,
                RuleErrorKind::UnknownRegistryField,
                tr!("未知的建档立卡字段 {}", "unknown registry field '{}'", f),
            );
        }
    }
    if let Some(settings) = settings {
        for s in ast.settings() {
            if !settings.has(s) {
                errs.push(
                    rid,
                    field,
                    RuleErrorKind::UnknownSetting,
                    tr!(
                        "设置中没有 {}（有：{}）",
                        "unknown setting '{}' (defined: {})",
                        s,
                        settings.names().join(", ")
                    ),
                );
            }
        }
    }
}
