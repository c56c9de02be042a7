//! Loading questionnaire files: JSON into the validated model, with every error found (not just
//! the first) named by file, question and field.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::expr::{self, Expr};
use super::schema::{
    Choice, Constraint, Expression, Kind, Position, Question, QuestionType, Questionnaire,
    REGISTRY_FIELDS, Section,
};
use crate::i18n::{Lang, Text};
use crate::tr;

/// What kind of problem a [`LoadError`] is; stable names for `--format json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadErrorKind {
    /// The file or folder could not be read.
    Read,
    /// Not valid JSON, or JSON of the wrong shape (missing or unknown field).
    Json,
    UnknownType,
    DuplicateId,
    UnknownReference,
    ExpressionSyntax,
    CalculateCycle,
    EmptyChoices,
    ConstraintOnNote,
    /// Any other rule of the format (see questionnaires/README.md).
    Invalid,
}

/// One problem in a questionnaire file.
#[derive(Debug, Clone, Serialize)]
pub struct LoadError {
    pub file: String,
    /// The question (or section) the problem is in.
    pub question: Option<String>,
    /// The field of the question, e.g. `relevant`.
    pub field: Option<String>,
    pub kind: LoadErrorKind,
    pub message: Text,
}

impl LoadError {
    pub fn render(&self, lang: Lang) -> String {
        let what = Text::new("问题", "question");
        crate::i18n::locate(
            lang,
            &self.file,
            self.question.as_deref().map(|id| (&what, id)),
            self.field.as_deref(),
            &self.message,
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestionnaire {
    id: String,
    version: String,
    kind: String,
    title: Text,
    sections: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    title: Text,
    #[serde(default)]
    relevant: Option<String>,
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    label: Text,
    #[serde(default)]
    hint: Option<Text>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    relevant: Option<String>,
    #[serde(default)]
    constraint: Option<String>,
    #[serde(default)]
    constraint_message: Option<Text>,
    #[serde(default)]
    choices: Option<Vec<RawChoice>>,
    #[serde(default)]
    calculation: Option<String>,
    #[serde(default)]
    registry: Option<String>,
    #[serde(default)]
    questions: Option<Vec<RawQuestion>>,
    #[serde(default)]
    max_rows: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    name: String,
    label: Text,
}

/// Collects the errors of one file.
struct Checker<'a> {
    file: &'a str,
    errors: Vec<LoadError>,
    /// Questions that could not be built (already reported): references to them are not
    /// reported again.
    dropped: HashSet<String>,
}

impl Checker<'_> {
    fn error(
        &mut self,
        question: Option<&str>,
        field: Option<&str>,
        kind: LoadErrorKind,
        message: Text,
    ) {
        self.errors.push(LoadError {
            file: self.file.to_string(),
            question: question.map(str::to_string),
            field: field.map(str::to_string),
            kind,
            message,
        });
    }

    fn text(&mut self, question: Option<&str>, field: &str, text: &Text) {
        if text.zh.trim().is_empty() || text.en.trim().is_empty() {
            self.error(
                question,
                Some(field),
                LoadErrorKind::Invalid,
                tr!("中文和英文都不能为空", "needs both zh and en text"),
            );
        }
    }

    fn expression(&mut self, question: &str, field: &str, source: &str) -> Option<Expression> {
        match expr::parse(source) {
            Ok(ast) => Some(Expression {
                source: source.to_string(),
                ast,
            }),
            Err(e) => {
                self.error(
                    Some(question),
                    Some(field),
                    LoadErrorKind::ExpressionSyntax,
                    tr!(
                        "表达式语法错误，第{}列：{}（{}）",
                        "expression syntax error at column {}: {} (in `{}`)",
                        e.column,
                        e.message,
                        source
                    ),
                );
                None
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Parses and validates one questionnaire. `file` names it in messages.
pub fn from_str(file: &str, src: &str) -> Result<Questionnaire, Vec<LoadError>> {
    let mut ck = Checker {
        file,
        errors: Vec::new(),
        dropped: HashSet::new(),
    };
    let raw: RawQuestionnaire = match serde_json::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            ck.error(
                None,
                None,
                LoadErrorKind::Json,
                tr!(
                    "JSON 格式错误（第{}行第{}列）：{}",
                    "invalid JSON at line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    e
                ),
            );
            return Err(ck.errors);
        }
    };
    let kind = Kind::parse(&raw.kind);
    if kind.is_none() {
        ck.error(
            None,
            Some("kind"),
            LoadErrorKind::Invalid,
            tr!(
                "未知的户类型 {}，应为 poor、exited、non_poor 或 returned",
                "unknown household kind '{}': expected poor, exited, non_poor or returned",
                raw.kind
            ),
        );
    }
    if raw.id.trim().is_empty() || raw.version.trim().is_empty() {
        ck.error(
            None,
            None,
            LoadErrorKind::Invalid,
            tr!("id 和 version 不能为空", "id and version must not be empty"),
        );
    }
    ck.text(None, "title", &raw.title);
    if raw.sections.is_empty() {
        ck.error(
            None,
            Some("sections"),
            LoadErrorKind::Invalid,
            tr!(
                "问卷至少要有一个部分",
                "a questionnaire needs at least one section"
            ),
        );
    }

    let mut index: HashMap<String, Position> = HashMap::new();
    let mut section_ids = HashSet::new();
    let mut sections = Vec::new();
    for (si, rs) in raw.sections.into_iter().enumerate() {
        if !section_ids.insert(rs.id.clone()) {
            ck.error(
                Some(&rs.id),
                None,
                LoadErrorKind::DuplicateId,
                tr!("部分编号 {} 重复", "section id '{}' is used twice", rs.id),
            );
        }
        ck.text(Some(&rs.id), "title", &rs.title);
        if rs.questions.is_empty() {
            ck.error(
                Some(&rs.id),
                Some("questions"),
                LoadErrorKind::Invalid,
                tr!("这一部分没有问题", "the section has no questions"),
            );
        }
        let relevant = rs
            .relevant
            .as_deref()
            .and_then(|s| ck.expression(&rs.id, "relevant", s));
        let mut questions = Vec::new();
        for (qi, rq) in rs.questions.into_iter().enumerate() {
            let pos = Position {
                section: si,
                question: qi,
                in_roster: None,
            };
            if let Some(q) = question(&mut ck, &mut index, rq, pos) {
                questions.push(q);
            }
        }
        sections.push(Section {
            id: rs.id,
            title: rs.title,
            relevant,
            questions,
        });
    }

    let mut form = Questionnaire {
        id: raw.id,
        version: raw.version,
        kind: kind.unwrap_or(Kind::Poor),
        title: raw.title,
        sections,
        source: file.to_string(),
        index,
        calc_order: Vec::new(),
    };
    // A question that failed to build leaves the index pointing past the end; rebuild it.
    form.index = reindex(&form.sections);
    check_references(&mut ck, &form);
    if ck.errors.is_empty() {
        match calc_order(&form) {
            Ok(order) => form.calc_order = order,
            Err(cycle) => ck.error(
                cycle.first().map(String::as_str),
                Some("calculation"),
                LoadErrorKind::CalculateCycle,
                tr!(
                    "计算字段循环引用：{}",
                    "calculations refer to each other in a cycle: {}",
                    cycle.join(" → ")
                ),
            ),
        }
    }
    if ck.errors.is_empty() {
        Ok(form)
    } else {
        Err(ck.errors)
    }
}

fn reindex(sections: &[Section]) -> HashMap<String, Position> {
    let mut index = HashMap::new();
    for (si, s) in sections.iter().enumerate() {
        for (qi, q) in s.questions.iter().enumerate() {
            index.insert(
                q.id.clone(),
                Position {
                    section: si,
                    question: qi,
                    in_roster: None,
                },
            );
            if let QuestionType::Roster { questions, .. } = &q.kind {
                for (ri, rq) in questions.iter().enumerate() {
                    index.insert(
                        rq.id.clone(),
                        Position {
                            section: si,
                            question: qi,
                            in_roster: Some(ri),
                        },
                    );
                }
            }
        }
    }
    index
}

/// Builds one question, reporting what is wrong with it. Returns `None` when it cannot be built.
fn question(
    ck: &mut Checker,
    index: &mut HashMap<String, Position>,
    rq: RawQuestion,
    pos: Position,
) -> Option<Question> {
    let id = rq.id.clone();
    let q = Some(id.as_str());
    if !valid_id(&id) {
        ck.error(
            q,
            Some("id"),
            LoadErrorKind::Invalid,
            tr!(
                "编号只能用小写字母、数字和下划线，并以字母开头",
                "ids are lowercase letters, digits and underscores, starting with a letter"
            ),
        );
    }
    if index.insert(id.clone(), pos).is_some() {
        ck.error(
            q,
            None,
            LoadErrorKind::DuplicateId,
            tr!("编号 {} 重复", "id '{}' is used twice", id),
        );
    }
    ck.text(q, "label", &rq.label);
    if let Some(h) = &rq.hint {
        ck.text(q, "hint", h);
    }
    let ty = rq.kind.as_str();
    let is_select = matches!(ty, "select_one" | "select_multiple");
    let choices = match (&rq.choices, is_select) {
        (Some(list), true) => {
            if list.is_empty() {
                ck.error(
                    q,
                    Some("choices"),
                    LoadErrorKind::EmptyChoices,
                    tr!("选项列表为空", "the choice list is empty"),
                );
            }
            let mut seen = HashSet::new();
            for c in list {
                if c.name.trim().is_empty() {
                    ck.error(
                        q,
                        Some("choices"),
                        LoadErrorKind::Invalid,
                        tr!("选项名不能为空", "a choice name is empty"),
                    );
                }
                if !seen.insert(c.name.as_str()) {
                    ck.error(
                        q,
                        Some("choices"),
                        LoadErrorKind::DuplicateId,
                        tr!("选项 {} 重复", "choice '{}' is listed twice", c.name),
                    );
                }
                ck.text(q, "choices", &c.label);
            }
            list.iter()
                .map(|c| Choice {
                    name: c.name.clone(),
                    label: c.label.clone(),
                })
                .collect()
        }
        (None, true) => {
            ck.error(
                q,
                Some("choices"),
                LoadErrorKind::EmptyChoices,
                tr!("选择题没有选项", "a select question has no choices"),
            );
            Vec::new()
        }
        (Some(_), false) => {
            ck.error(
                q,
                Some("choices"),
                LoadErrorKind::Invalid,
                tr!("只有选择题可以有选项", "only select questions have choices"),
            );
            Vec::new()
        }
        (None, false) => Vec::new(),
    };
    let not_for = |ck: &mut Checker, field: &str, present: bool| {
        if present {
            ck.error(
                q,
                Some(field),
                LoadErrorKind::Invalid,
                tr!(
                    "{} 类型的问题不能有 {}",
                    "a {} question cannot have {}",
                    ty,
                    field
                ),
            );
        }
    };
    if ty != "calculate" {
        not_for(ck, "calculation", rq.calculation.is_some());
    }
    if ty != "roster" {
        not_for(ck, "questions", rq.questions.is_some());
        not_for(ck, "max_rows", rq.max_rows.is_some());
    }
    let kind = match ty {
        "text" => QuestionType::Text,
        "integer" => QuestionType::Integer,
        "decimal" => QuestionType::Decimal,
        "select_one" => QuestionType::SelectOne(choices),
        "select_multiple" => QuestionType::SelectMultiple(choices),
        "yes_no" => QuestionType::YesNo,
        "date" => QuestionType::Date,
        "note" => QuestionType::Note,
        "calculate" => {
            let calc = match &rq.calculation {
                Some(src) => ck.expression(&id, "calculation", src),
                None => {
                    ck.error(
                        q,
                        Some("calculation"),
                        LoadErrorKind::Invalid,
                        tr!(
                            "计算字段缺少 calculation",
                            "a calculate question needs a calculation"
                        ),
                    );
                    None
                }
            };
            match calc {
                Some(c) => QuestionType::Calculate(c),
                None => {
                    ck.dropped.insert(id);
                    return None;
                }
            }
        }
        "roster" => {
            if pos.in_roster.is_some() {
                ck.error(
                    q,
                    None,
                    LoadErrorKind::Invalid,
                    tr!(
                        "花名册里不能再套花名册",
                        "a roster cannot sit inside a roster"
                    ),
                );
            }
            let max_rows = match rq.max_rows {
                Some(n @ 1..=100) => n,
                _ => {
                    ck.error(
                        q,
                        Some("max_rows"),
                        LoadErrorKind::Invalid,
                        tr!(
                            "花名册需要 1 到 100 的行数上限",
                            "a roster needs max_rows between 1 and 100"
                        ),
                    );
                    1
                }
            };
            let raw_inner = rq.questions.unwrap_or_default();
            if raw_inner.is_empty() {
                ck.error(
                    q,
                    Some("questions"),
                    LoadErrorKind::Invalid,
                    tr!("花名册没有问题", "the roster has no questions"),
                );
            }
            let mut questions = Vec::new();
            for (ri, inner) in raw_inner.into_iter().enumerate() {
                let p = Position {
                    in_roster: Some(ri),
                    ..pos
                };
                if let Some(iq) = question(ck, index, inner, p) {
                    questions.push(iq);
                }
            }
            QuestionType::Roster {
                questions,
                max_rows,
            }
        }
        other => {
            ck.error(
                q,
                Some("type"),
                LoadErrorKind::UnknownType,
                tr!("未知的题型 {}", "unknown question type '{}'", other),
            );
            ck.dropped.insert(id);
            return None;
        }
    };
    let constraint = match (&rq.constraint, &rq.constraint_message) {
        (Some(_), _) if ty == "note" => {
            ck.error(
                q,
                Some("constraint"),
                LoadErrorKind::ConstraintOnNote,
                tr!("说明文字不能有约束条件", "a note cannot have a constraint"),
            );
            None
        }
        (Some(_), _) if !kind.is_input() => {
            ck.error(
                q,
                Some("constraint"),
                LoadErrorKind::Invalid,
                tr!(
                    "{} 类型的问题不能有约束条件",
                    "a {} question cannot have a constraint",
                    ty
                ),
            );
            None
        }
        (Some(src), Some(msg)) => {
            ck.text(q, "constraint_message", msg);
            ck.expression(&id, "constraint", src)
                .map(|expr| Constraint {
                    expr,
                    message: msg.clone(),
                })
        }
        (Some(_), None) => {
            ck.error(
                q,
                Some("constraint_message"),
                LoadErrorKind::Invalid,
                tr!(
                    "约束条件需要提示信息",
                    "a constraint needs a constraint_message"
                ),
            );
            None
        }
        (None, Some(_)) => {
            ck.error(
                q,
                Some("constraint_message"),
                LoadErrorKind::Invalid,
                tr!(
                    "有提示信息却没有约束条件",
                    "constraint_message without a constraint"
                ),
            );
            None
        }
        (None, None) => None,
    };
    if rq.required && matches!(ty, "note" | "calculate") {
        ck.error(
            q,
            Some("required"),
            LoadErrorKind::Invalid,
            tr!(
                "{} 类型的问题不能设为必答",
                "a {} question cannot be required",
                ty
            ),
        );
    }
    if let Some(field) = &rq.registry
        && !REGISTRY_FIELDS.contains(&field.as_str())
    {
        ck.error(
            q,
            Some("registry"),
            LoadErrorKind::UnknownReference,
            tr!(
                "未知的建档立卡字段 {}",
                "unknown registry field '{}'",
                field
            ),
        );
    }
    let relevant = rq
        .relevant
        .as_deref()
        .and_then(|s| ck.expression(&id, "relevant", s));
    Some(Question {
        id,
        kind,
        label: rq.label,
        hint: rq.hint,
        required: rq.required,
        relevant,
        constraint,
        registry: rq.registry,
    })
}

/// Every expression of the form, with the question and field it belongs to.
fn expressions(form: &Questionnaire) -> Vec<(&str, &'static str, &Expression)> {
    let mut out = Vec::new();
    for s in &form.sections {
        if let Some(e) = &s.relevant {
            out.push((s.id.as_str(), "relevant", e));
        }
    }
    for q in form.all_questions() {
        if let Some(e) = &q.relevant {
            out.push((q.id.as_str(), "relevant", e));
        }
        if let Some(c) = &q.constraint {
            out.push((q.id.as_str(), "constraint", &c.expr));
        }
        if let QuestionType::Calculate(e) = &q.kind {
            out.push((q.id.as_str(), "calculation", e));
        }
    }
    out
}

fn check_references(ck: &mut Checker, form: &Questionnaire) {
    for (qid, field, e) in expressions(form) {
        for r in e.ast.references() {
            if form.position(r).is_none() && !ck.dropped.contains(r) {
                ck.error(
                    Some(qid),
                    Some(field),
                    LoadErrorKind::UnknownReference,
                    tr!(
                        "引用了不存在的问题 ${{{}}}",
                        "refers to unknown question ${{{}}}",
                        r
                    ),
                );
            }
        }
        if field != "constraint" && e.ast.uses_current() {
            ck.error(
                Some(qid),
                Some(field),
                LoadErrorKind::Invalid,
                tr!(
                    "「.」只能用在约束条件里",
                    "'.' (this answer) is only meaningful in a constraint"
                ),
            );
        }
        for f in e.ast.registry_fields() {
            if !REGISTRY_FIELDS.contains(&f) {
                ck.error(
                    Some(qid),
                    Some(field),
                    LoadErrorKind::UnknownReference,
                    tr!("未知的建档立卡字段 {}", "unknown registry field '{}'", f),
                );
            }
        }
    }
}

/// Orders calculations so that each comes after the calculations it uses, or returns a cycle.
fn calc_order(form: &Questionnaire) -> Result<Vec<String>, Vec<String>> {
    let calcs: BTreeMap<&str, &Expr> = form
        .all_questions()
        .filter_map(|q| match &q.kind {
            QuestionType::Calculate(e) => Some((q.id.as_str(), &e.ast)),
            _ => None,
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        id: &'a str,
        calcs: &BTreeMap<&'a str, &'a Expr>,
        marks: &mut HashMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
        order: &mut Vec<String>,
    ) -> Result<(), Vec<String>> {
        match marks.get(id) {
            Some(Mark::Done) => return Ok(()),
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|s| *s == id).unwrap_or(0);
                let mut cycle: Vec<String> = stack[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Err(cycle);
            }
            None => {}
        }
        marks.insert(id, Mark::Visiting);
        stack.push(id);
        if let Some(e) = calcs.get(id) {
            for r in e.references() {
                if let Some((&dep, _)) = calcs.get_key_value(r) {
                    visit(dep, calcs, marks, stack, order)?;
                }
            }
        }
        stack.pop();
        marks.insert(id, Mark::Done);
        order.push(id.to_string());
        Ok(())
    }
    let mut marks = HashMap::new();
    let mut order = Vec::new();
    for &id in calcs.keys() {
        visit(id, &calcs, &mut marks, &mut Vec::new(), &mut order)?;
    }
    Ok(order)
}

/// The result of loading a folder: what loaded, and every error.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub questionnaires: Vec<Questionnaire>,
    pub errors: Vec<LoadError>,
}

/// Files in a questionnaire folder that hold something other than a questionnaire.
const NOT_QUESTIONNAIRES: &[&str] = &["rules.json", "settings.json"];

/// Loads every `*.json` questionnaire of a folder, or the one file named.
pub fn load_dir(dir: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    if dir.is_file() {
        let name = dir.display().to_string();
        load_files(vec![(name, std::fs::read_to_string(dir))], &mut report);
        return report;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            report.errors.push(LoadError {
                file: dir.display().to_string(),
                question: None,
                field: None,
                kind: LoadErrorKind::Read,
                message: tr!("无法读取文件夹：{}", "cannot read the folder: {}", e),
            });
            return report;
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| !NOT_QUESTIONNAIRES.contains(&n))
        })
        .collect();
    paths.sort();
    let files: Vec<(String, Result<String, std::io::Error>)> = paths
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p)))
        .collect();
    load_files(files, &mut report);
    report
}

fn load_files(files: Vec<(String, Result<String, std::io::Error>)>, report: &mut LoadReport) {
    for (name, content) in files {
        match content {
            Ok(src) => match from_str(&name, &src) {
                Ok(q) => report.questionnaires.push(q),
                Err(errs) => report.errors.extend(errs),
            },
            Err(e) => report.errors.push(LoadError {
                file: name,
                question: None,
                field: None,
                kind: LoadErrorKind::Read,
                message: tr!("无法读取文件：{}", "cannot read the file: {}", e),
            }),
        }
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut kinds: HashMap<Kind, String> = HashMap::new();
    for q in &report.questionnaires {
        if let Some(other) = ids.insert(q.id.clone(), q.source.clone()) {
            report.errors.push(LoadError {
                file: q.source.clone(),
                question: None,
                field: Some("id".into()),
                kind: LoadErrorKind::DuplicateId,
                message: tr!(
                    "问卷编号 {} 与 {} 重复",
                    "questionnaire id '{}' is also used by {}",
                    q.id,
                    other
                ),
            });
        }
        if let Some(other) = kinds.insert(q.kind, q.source.clone()) {
            report.errors.push(LoadError {
                file: q.source.clone(),
                question: None,
                field: Some("kind".into()),
                kind: LoadErrorKind::DuplicateId,
                message: tr!(
                    "户类型 {} 已有问卷 {}",
                    "kind '{}' already has a questionnaire in {}",
                    q.kind.id(),
                    other
                ),
            });
        }
    }
}

/// The questionnaires compiled into the program.
pub const BUNDLED: &[(&str, &str)] = &[
    ("poor.json", include_str!("../../questionnaires/poor.json")),
    (
        "exited.json",
        include_str!("../../questionnaires/exited.json"),
    ),
    (
        "non_poor.json",
        include_str!("../../questionnaires/non_poor.json"),
    ),
    (
        "returned.json",
        include_str!("../../questionnaires/returned.json"),
    ),
];

/// Loads the bundled questionnaires.
pub fn load_bundled() -> LoadReport {
    let mut report = LoadReport::default();
    load_files(
        BUNDLED
            .iter()
            .map(|(n, s)| (format!("questionnaires/{n}"), Ok(s.to_string())))
            .collect(),
        &mut report,
    );
    report
}
