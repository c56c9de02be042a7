//! Loading questionnaire files: JSON into the validated model, with every error found (not just
//! the first) named by file, question and field.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::expr::{self, Expr};
use super::schema::{
    Choice, Constraint, Expression, Kind, Position, Question, QuestionType, Questionnaire,
    REGISTRY_FIELDS, Section,
};
use crate::i18n::{Lang, Text};
use crate::limits::MAX_JSON_FILE_BYTES;
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
    /// A folder holds no questionnaire file.
    NoQuestionnaire,
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
    prefill: bool,
    #[serde(default)]
    unprompted: bool,
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
                        quoted(source)
                    ),
                );
                None
            }
        }
    }
}

/// Characters of an expression quoted in a message; a longer one is cut (an expression nested
/// 100,000 levels deep must not make a 100,000-character message).
const MAX_QUOTED_CHARS: usize = 80;

/// The expression as quoted in a message: whole, or its first [`MAX_QUOTED_CHARS`] characters
/// and `…`.
fn quoted(source: &str) -> String {
    match source.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &source[..cut]),
        None => source.to_string(),
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Parses and validates one questionnaire. `file` names it in messages. A UTF-8 byte order
/// mark at the start (Windows Notepad writes one) is skipped.
pub fn from_str(file: &str, src: &str) -> Result<Questionnaire, Vec<LoadError>> {
    let src = strip_bom(src);
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
        ck.error(None, Some("kind"), LoadErrorKind::Invalid, {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
            tr!(
                "未知的问卷类型 {}，应为 {} 之一",
                "unknown questionnaire kind '{}': expected one of {}",
                raw.kind,
                kinds.join(", ")
            )
        });
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
    match calc_order(&form) {
        Ok(order) => form.calc_order = order,
        Err(cycles) => {
            for cycle in &cycles.listed {
                ck.error(
                    cycle.first().map(String::as_str),
                    Some("calculation"),
                    LoadErrorKind::CalculateCycle,
                    tr!(
                        "计算字段循环引用：{}",
                        "calculations refer to each other in a cycle: {}",
                        cycle.join(" → ")
                    ),
                );
            }
            if cycles.more {
                ck.error(
                    None,
                    Some("calculation"),
                    LoadErrorKind::CalculateCycle,
                    tr!(
                        "还有更多计算字段循环引用，只列出了前 {} 个",
                        "more calculation cycles than the {} listed",
                        MAX_CYCLES_LISTED
                    ),
                );
            }
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
    if rq.prefill && rq.registry.is_none() {
        ck.error(
            q,
            Some("prefill"),
            LoadErrorKind::Invalid,
            tr!(
                "prefill 需要 registry：预填的值来自建档立卡字段",
                "prefill needs a registry binding: the value filled in comes from it"
            ),
        );
    }
    if rq.prefill && rq.unprompted {
        ck.error(
            q,
            Some("prefill"),
            LoadErrorKind::Invalid,
            tr!(
                "不要提示（unprompted）的问题不能预填",
                "a question answered unprompted cannot be prefilled"
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
        prefill: rq.prefill,
        unprompted: rq.unprompted,
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

/// At most this many calculation cycles are listed for one file (each takes a search through
/// the calculations; a file of thousands of calculations referring to each other must not take
/// minutes to report).
const MAX_CYCLES_LISTED: usize = 100;

/// The calculation cycles of a questionnaire: each a list of question ids in order, the first
/// repeated at the end (`a → b → a`).
struct Cycles {
    listed: Vec<Vec<String>>,
    /// There are more cycles than [`MAX_CYCLES_LISTED`].
    more: bool,
}

/// Orders calculations so that each comes after the calculations it uses, or finds every cycle.
///
/// Every reference from one calculation to another that closes a cycle is on a listed cycle
/// (until [`MAX_CYCLES_LISTED`]), each cycle listed once: the shortest one through that
/// reference, starting at its question that comes first in the questionnaire, so the same
/// cycle reads the same whichever question it is found from. No recursion: a chain of
/// 100,000 calculations needs no deep stack.
fn calc_order(form: &Questionnaire) -> Result<Vec<String>, Cycles> {
    // The calculations in questionnaire order (a repeated id, already reported, once).
    let mut ids: Vec<&str> = Vec::new();
    let mut exprs: Vec<&Expr> = Vec::new();
    let mut node: HashMap<&str, usize> = HashMap::new();
    for q in form.all_questions() {
        if let QuestionType::Calculate(e) = &q.kind
            && !node.contains_key(q.id.as_str())
        {
            node.insert(q.id.as_str(), ids.len());
            ids.push(q.id.as_str());
            exprs.push(&e.ast);
        }
    }
    let n = ids.len();
    // uses[v]: the calculations v refers to, in the order written, each once.
    let uses: Vec<Vec<usize>> = exprs
        .iter()
        .map(|e| {
            let mut out: Vec<usize> = Vec::new();
            for r in e.references() {
                if let Some(&w) = node.get(r)
                    && !out.contains(&w)
                {
                    out.push(w);
                }
            }
            out
        })
        .collect();

    // Strongly connected components (Tarjan's algorithm with an explicit stack). Roots are
    // taken in id order; a component is complete when its root finishes, so components come
    // out with the calculations they use before them: for a questionnaire without cycles,
    // the order is the post-order of a depth-first search, each calculation after its inputs.
    let mut roots: Vec<usize> = (0..n).collect();
    roots.sort_by_key(|&v| ids[v]);
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![usize::MAX; n];
    let mut components: Vec<Vec<usize>> = Vec::new();
    let mut counter = 0;
    for root in roots {
        if index[root].is_some() {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = Some(counter);
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next)) = calls.last_mut() {
            if let Some(&w) = uses[v].get(*next) {
                *next += 1;
                match index[w] {
                    None => {
                        index[w] = Some(counter);
                        low[w] = counter;
                        counter += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        calls.push((w, 0));
                    }
                    Some(iw) if on_stack[w] => low[v] = low[v].min(iw),
                    Some(_) => {}
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if Some(low[v]) == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = components.len();
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(members);
            }
        }
    }
    let cyclic = |v: usize| components[component[v]].len() > 1 || uses[v].contains(&v);
    if !(0..n).any(cyclic) {
        return Ok(components
            .iter()
            .flatten()
            .map(|&v| ids[v].to_string())
            .collect());
    }

    // Every reference v → w inside a component is on a cycle: v → w, then the shortest way
    // back from w to v within the component. References on a listed cycle are covered.
    let mut covered: HashSet<(usize, usize)> = HashSet::new();
    let mut listed: Vec<Vec<String>> = Vec::new();
    let mut more = false;
    'search: for v in 0..n {
        for &w in &uses[v] {
            if component[w] != component[v] || covered.contains(&(v, w)) {
                continue;
            }
            if listed.len() == MAX_CYCLES_LISTED {
                more = true;
                break 'search;
            }
            let mut cycle = vec![v];
            cycle.extend(shortest_path(&uses, &component, w, v));
            cycle.pop(); // v again
            for (i, &a) in cycle.iter().enumerate() {
                covered.insert((a, cycle[(i + 1) % cycle.len()]));
            }
            // Start at the calculation that comes first in the questionnaire.
            let first = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
            cycle.rotate_left(first);
            cycle.push(cycle[0]);
            listed.push(cycle.iter().map(|&a| ids[a].to_string()).collect());
        }
    }
    Err(Cycles { listed, more })
}

/// The shortest path `from` … `to` through the references, staying in `from`'s component
/// (where `to` is reachable), both ends included.
fn shortest_path(uses: &[Vec<usize>], component: &[usize], from: usize, to: usize) -> Vec<usize> {
    let mut came_from: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    came_from.insert(from, from);
    while let Some(v) = queue.pop_front() {
        if v == to {
            break;
        }
        for &w in &uses[v] {
            if component[w] == component[from] && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![to];
    let mut at = to;
    while at != from {
        match came_from.get(&at) {
            Some(&prev) => {
                path.push(prev);
                at = prev;
            }
            None => break, // cannot happen: `to` is in the component, so reachable
        }
    }
    path.reverse();
    path
}

/// The result of loading a folder: what loaded, and every error.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub questionnaires: Vec<Questionnaire>,
    pub errors: Vec<LoadError>,
}

/// Files in a questionnaire folder that hold something other than a questionnaire (the
/// archive catalogue is read by `crate::archive`).
const NOT_QUESTIONNAIRES: &[&str] = &["rules.json", "settings.json", "archive_catalogue.json"];

/// Skips a UTF-8 byte order mark at the start of a text (Windows Notepad saves one).
pub(crate) fn strip_bom(src: &str) -> &str {
    src.strip_prefix('\u{feff}').unwrap_or(src)
}

/// Why a JSON file could not be read.
#[derive(Debug)]
enum ReadError {
    Io(std::io::Error),
    /// Larger than [`MAX_JSON_FILE_BYTES`]: its length when known before reading.
    TooLarge(Option<u64>),
    /// Not UTF-8: the offset (from 0) of the first bad byte.
    NotUtf8(usize),
}

impl ReadError {
    fn message(&self) -> Text {
        match self {
            ReadError::Io(e) => tr!("无法读取文件：{}", "cannot read the file: {}", e),
            ReadError::TooLarge(Some(len)) => tr!(
                "文件太大：{} 字节，超过上限 {} 字节（{} MiB）",
                "the file is too large: {} bytes, more than the limit of {} bytes ({} MiB)",
                len,
                MAX_JSON_FILE_BYTES,
                MAX_JSON_FILE_BYTES >> 20
            ),
            ReadError::TooLarge(None) => tr!(
                "文件太大：超过上限 {} 字节（{} MiB）",
                "the file is too large: more than the limit of {} bytes ({} MiB)",
                MAX_JSON_FILE_BYTES,
                MAX_JSON_FILE_BYTES >> 20
            ),
            ReadError::NotUtf8(at) => tr!(
                "文件不是 UTF-8 编码（第 {} 个字节）：请另存为 UTF-8",
                "the file is not UTF-8 text (at byte {}): save it as UTF-8",
                at + 1
            ),
        }
    }
}

/// Reads at most `limit` bytes from `r`; more is [`ReadError::TooLarge`]. `expected` (the
/// file's length, when known) sizes the buffer.
fn read_limited(r: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::with_capacity(usize::try_from(expected.min(limit)).unwrap_or(0));
    r.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge(None));
    }
    Ok(buf)
}

/// Reads a questionnaire, rules or settings file: UTF-8, a byte order mark skipped, at most
/// [`MAX_JSON_FILE_BYTES`]. A larger file is refused from its length without being read, and
/// the read stops past the limit in case the file grows meanwhile (or is no regular file).
fn read_json(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > MAX_JSON_FILE_BYTES {
        return Err(ReadError::TooLarge(Some(len)));
    }
    let bytes = read_limited(file, MAX_JSON_FILE_BYTES, len)?;
    let mut text =
        String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// [`read_json`] with its error as a message (the file is named by the caller): for the rules
/// and settings files too.
pub(crate) fn read_json_file(path: &Path) -> Result<String, Text> {
    read_json(path).map_err(|e| e.message())
}

/// Loads every `*.json` questionnaire of a folder, or the one file named. A folder without
/// any is an error ([`LoadErrorKind::NoQuestionnaire`]).
pub fn load_dir(dir: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    if dir.is_file() {
        let name = dir.display().to_string();
        load_files([(name, read_json_file(dir))], &mut report);
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
    if paths.is_empty() {
        report.errors.push(LoadError {
            file: dir.display().to_string(),
            question: None,
            field: None,
            kind: LoadErrorKind::NoQuestionnaire,
            message: tr!(
                "这个文件夹里没有问卷（除 rules.json、settings.json 外没有 .json 文件）",
                "no questionnaire found in this folder (no .json file besides rules.json and settings.json)"
            ),
        });
        return report;
    }
    paths.sort();
    // One file's text at a time: each is read, parsed and dropped before the next.
    let files = paths
        .iter()
        .map(|p| (p.display().to_string(), read_json_file(p)));
    load_files(files, &mut report);
    report
}

fn load_files(
    files: impl IntoIterator<Item = (String, Result<String, Text>)>,
    report: &mut LoadReport,
) {
    for (name, content) in files {
        match content {
            Ok(src) => match from_str(&name, &src) {
                Ok(q) => report.questionnaires.push(q),
                Err(errs) => report.errors.extend(errs),
            },
            Err(message) => report.errors.push(LoadError {
                file: name,
                question: None,
                field: None,
                kind: LoadErrorKind::Read,
                message,
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
    (
        "cadre.json",
        include_str!("../../questionnaires/cadre.json"),
    ),
    (
        "project.json",
        include_str!("../../questionnaires/project.json"),
    ),
];

/// Loads the bundled questionnaires.
pub fn load_bundled() -> LoadReport {
    let mut report = LoadReport::default();
    load_files(
        BUNDLED
            .iter()
            .map(|(n, s)| (format!("questionnaires/{n}"), Ok(s.to_string()))),
        &mut report,
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A questionnaire of one section with these questions (JSON objects).
    fn form(questions: &[String]) -> String {
        format!(
            r#"{{"id": "t", "version": "1", "kind": "poor",
                "title": {{"zh": "测试", "en": "Test"}},
                "sections": [{{"id": "s", "title": {{"zh": "部分", "en": "Part"}},
                               "questions": [{}]}}]}}"#,
            questions.join(",")
        )
    }

    fn calc(id: &str, calculation: &str) -> String {
        format!(
            r#"{{"id": "{id}", "type": "calculate", "label": {{"zh": "算", "en": "Calc"}},
                "calculation": "{calculation}"}}"#
        )
    }

    fn integer(id: &str) -> String {
        format!(r#"{{"id": "{id}", "type": "integer", "label": {{"zh": "数", "en": "Number"}}}}"#)
    }

    /// The cycles reported, as their English messages' `a → b → a`.
    fn cycles(src: &str) -> Vec<String> {
        let errors = from_str("t.json", src).expect_err("cycles");
        errors
            .iter()
            .filter(|e| e.kind == LoadErrorKind::CalculateCycle)
            .map(|e| {
                let msg = e.message.en.rsplit(": ").next().unwrap().to_string();
                assert_eq!(
                    e.question.as_deref(),
                    msg.split(" → ").next(),
                    "the error names the cycle's first question"
                );
                assert_eq!(e.field.as_deref(), Some("calculation"));
                msg
            })
            .collect()
    }

    #[test]
    fn every_cycle_is_reported_once() {
        let src = form(&[
            calc("a", "${b} + 1"),
            calc("b", "${a} + 1"),
            integer("n"),
            calc("c", "${d} + ${n}"),
            calc("d", "${e}"),
            calc("e", "${c} * 2"),
            calc("f", "${f} + 1"),
            calc("ok", "${n} + ${ok_too}"),
            calc("ok_too", "${n}"),
        ]);
        assert_eq!(
            cycles(&src),
            ["a → b → a", "c → d → e → c", "f → f"],
            "each cycle once"
        );
    }

    #[test]
    fn a_cycle_reads_the_same_from_wherever_it_is_found() {
        // Ids in reverse alphabetical order: a search from the alphabetically first one
        // enters the cycle in the middle; the message starts at the first in the form.
        let src = form(&[
            calc("z_three", "${y_two}"),
            calc("y_two", "${x_one}"),
            calc("x_one", "${z_three}"),
        ]);
        assert_eq!(cycles(&src), ["z_three → y_two → x_one → z_three"]);
    }

    #[test]
    fn cycles_sharing_a_question_are_each_reported() {
        let src = form(&[
            calc("hub", "${left} + ${right}"),
            calc("left", "${hub}"),
            calc("right", "${hub} + ${left}"),
        ]);
        assert_eq!(
            cycles(&src),
            [
                "hub → left → hub",
                "hub → right → hub",
                "hub → right → left → hub"
            ],
            "every reference that closes a cycle is on a reported one"
        );
    }

    #[test]
    fn cycles_are_reported_beside_other_errors() {
        let src = form(&[calc("a", "${b} + ${missing}"), calc("b", "${a}")]);
        let errors = from_str("t.json", &src).expect_err("errors");
        let kinds: Vec<_> = errors.iter().map(|e| e.kind).collect();
        assert!(
            kinds.contains(&LoadErrorKind::UnknownReference),
            "{kinds:?}"
        );
        assert!(kinds.contains(&LoadErrorKind::CalculateCycle), "{kinds:?}");
    }

    #[test]
    fn many_cycles_are_listed_up_to_the_limit() {
        let mut qs = Vec::new();
        for i in 0..MAX_CYCLES_LISTED + 5 {
            qs.push(calc(&format!("a{i}"), &format!("${{b{i}}}")));
            qs.push(calc(&format!("b{i}"), &format!("${{a{i}}}")));
        }
        let errors = from_str("t.json", &form(&qs)).expect_err("cycles");
        assert_eq!(errors.len(), MAX_CYCLES_LISTED + 1);
        assert!(errors[MAX_CYCLES_LISTED].message.en.contains("more"));
    }

    #[test]
    fn calculations_come_after_their_inputs() {
        let src = form(&[
            integer("n"),
            calc("total", "${part} + ${other}"),
            calc("part", "${n} * 2"),
            calc("other", "${part} + 1"),
        ]);
        let q = from_str("t.json", &src).expect("loads");
        assert_eq!(q.calc_order(), ["part", "other", "total"]);
    }

    /// Runs `f` on a thread with a small stack (1 MiB; the main thread has 8 MiB, test threads
    /// 2 MiB): deep input must not need a deep stack. Unbounded, 100,000 levels would need
    /// about a gigabyte; at the limits (64 nested expressions, serde_json's 128 levels) a debug
    /// build needs about 600 KiB.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no stack overflow")
    }

    #[test]
    fn a_long_chain_of_calculations_needs_no_deep_stack() {
        let n = 20_000;
        let mut qs = vec![integer("n")];
        qs.extend((0..n).map(|i| {
            let input = if i + 1 == n {
                "${n}".to_string()
            } else {
                format!("${{c{}}}", i + 1)
            };
            calc(&format!("c{i}"), &input)
        }));
        let src = form(&qs);
        let order = on_small_stack(move || {
            from_str("t.json", &src)
                .map(|q| q.calc_order().len())
                .map_err(|e| e.len())
        });
        assert_eq!(order, Ok(n));
    }

    #[test]
    fn json_nested_100000_levels_deep_is_an_error() {
        let deep = 100_000;
        // Rosters in rosters: the one place the format nests; serde_json's recursion limit
        // (128) stops it.
        let roster = format!(
            r#"{}{{"id": "q", "type": "text", "label": {{"zh": "问", "en": "Q"}}}}{}"#,
            r#"{"id": "r", "type": "roster", "label": {"zh": "表", "en": "R"}, "max_rows": 1, "questions": ["#
                .repeat(deep),
            "]}".repeat(deep)
        );
        let nested = [
            (form(&[roster]), "recursion limit"),
            (
                format!("{}{}", "[".repeat(deep), "]".repeat(deep)),
                "invalid",
            ),
            (
                form(&[format!(
                    r#"{{"id": "q", "type": "text", "label": {}1{}}}"#,
                    r#"{"zh": "#.repeat(deep),
                    "}".repeat(deep)
                )]),
                "invalid",
            ),
        ];
        for (src, needle) in nested {
            let errors = on_small_stack(move || from_str("t.json", &src).expect_err("refused"));
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].kind, LoadErrorKind::Json);
            assert!(
                errors[0].message.en.contains(needle),
                "{}",
                errors[0].message.en
            );
        }
    }

    #[test]
    fn expressions_nested_100000_levels_deep_are_an_error() {
        let deep = 100_000;
        for expression in [
            format!("{}1{}", "(".repeat(deep), ")".repeat(deep)),
            format!("{}true(){}", "not(".repeat(deep), ")".repeat(deep)),
            format!("{}1", "-".repeat(deep)),
        ] {
            let src = form(&[
                integer("n"),
                format!(
                    r#"{{"id": "q", "type": "text", "label": {{"zh": "问", "en": "Q"}},
                        "relevant": "{expression}"}}"#
                ),
            ]);
            let errors = on_small_stack(move || from_str("t.json", &src).expect_err("refused"));
            assert_eq!(errors.len(), 1);
            let e = &errors[0];
            assert_eq!(e.kind, LoadErrorKind::ExpressionSyntax);
            assert_eq!(e.question.as_deref(), Some("q"));
            assert!(
                e.message.en.contains("nested too deeply"),
                "{}",
                e.message.en
            );
            // The message quotes the start of the expression, not all of it.
            assert!(e.message.en.chars().count() < 300, "{}", e.message.en);
            assert!(e.message.zh.chars().count() < 300, "{}", e.message.zh);
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (_, poor) = BUNDLED[0];
        let q = from_str("poor.json", &format!("\u{feff}{poor}")).expect("loads");
        assert_eq!(q.id, "poor");
        assert_eq!(strip_bom("\u{feff}x"), "x");
        assert_eq!(strip_bom("x\u{feff}"), "x\u{feff}");
    }

    #[test]
    fn a_file_is_read_with_its_byte_order_mark_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poor.json");
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(BUNDLED[0].1.as_bytes());
        std::fs::write(&path, bytes).unwrap();
        let text = read_json_file(&path).expect("read");
        assert!(text.starts_with('{'));
        let report = load_dir(dir.path());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.questionnaires.len(), 1);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_from_its_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        // Sparse: nothing is written, and nothing must be read.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_JSON_FILE_BYTES + 1)
            .unwrap();
        let message = read_json_file(&path).expect_err("too large");
        assert!(
            message
                .en
                .contains(&format!("{} bytes, more than", MAX_JSON_FILE_BYTES + 1)),
            "{}",
            message.en
        );
        let report = load_dir(dir.path());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].kind, LoadErrorKind::Read);
        assert!(report.errors[0].file.ends_with("big.json"));
    }

    #[test]
    fn a_read_stops_past_the_limit() {
        // An endless stream (a file that keeps growing, a device): the read stops.
        let err = read_limited(std::io::repeat(b' '), 1000, 10).expect_err("too large");
        assert!(matches!(err, ReadError::TooLarge(None)), "{err:?}");
        assert!(err.message().en.contains("more than the limit"));
        let ok = read_limited(&b"{}"[..], 2, 2).expect("at the limit");
        assert_eq!(ok, b"{}");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_named_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.json");
        std::fs::write(&path, b"{\"id\": \"\xb2\xe2\"}").unwrap();
        let message = read_json_file(&path).expect_err("not UTF-8");
        assert!(message.en.contains("not UTF-8"), "{}", message.en);
        assert!(message.en.contains("at byte 9"), "{}", message.en);
    }

    #[test]
    fn a_folder_without_questionnaires_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let report = load_dir(dir.path());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].kind, LoadErrorKind::NoQuestionnaire);
        std::fs::write(dir.path().join("rules.json"), "{}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        let report = load_dir(dir.path());
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].kind, LoadErrorKind::NoQuestionnaire);
        assert!(
            report.errors[0]
                .render(Lang::En)
                .contains("no questionnaire found"),
        );
    }
}
