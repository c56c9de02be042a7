//! The validated questionnaire model: what the interview engine and the screens walk.
//! Built only by the loader (`load.rs`), so every expression in it parsed and every reference
//! in it resolves.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::expr::Expr;
use crate::i18n::Text;

/// The questionnaire kinds: the four household kinds (one questionnaire each), and the
/// notice's other checks, each about a subject of its own ([`Kind::subject`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Poor,
    Exited,
    NonPoor,
    Returned,
    /// A one-to-one talk with a cadre or another person (交流座谈).
    Cadre,
    /// A project checked on site in the notice's eight aspects (实地查核).
    Project,
    /// The archives of a county, township or village read against the catalogue (档案台账).
    Archive,
}

impl Kind {
    /// Every kind, households first.
    pub const ALL: [Kind; 7] = [
        Kind::Poor,
        Kind::Exited,
        Kind::NonPoor,
        Kind::Returned,
        Kind::Cadre,
        Kind::Project,
        Kind::Archive,
    ];

    /// The four household kinds.
    pub const HOUSEHOLDS: [Kind; 4] = [Kind::Poor, Kind::Exited, Kind::NonPoor, Kind::Returned];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Poor => "poor",
            Kind::Exited => "exited",
            Kind::NonPoor => "non_poor",
            Kind::Returned => "returned",
            Kind::Cadre => "cadre",
            Kind::Project => "project",
            Kind::Archive => "archive",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Kind::Poor => Text::new("贫困户", "poor"),
            Kind::Exited => Text::new("脱贫户", "exited"),
            Kind::NonPoor => Text::new("非贫困户", "non-poor"),
            Kind::Returned => Text::new("返贫户", "returned"),
            Kind::Cadre => Text::new("干部访谈", "cadre talk"),
            Kind::Project => Text::new("项目核查", "project check"),
            Kind::Archive => Text::new("档案台账", "archive check"),
        }
    }

    /// What an interview of this kind is about.
    pub fn subject(self) -> crate::subject::SubjectKind {
        use crate::subject::SubjectKind;
        match self {
            Kind::Poor | Kind::Exited | Kind::NonPoor | Kind::Returned => SubjectKind::Household,
            Kind::Cadre => SubjectKind::Person,
            Kind::Project => SubjectKind::Project,
            Kind::Archive => SubjectKind::Place,
        }
    }

    /// One of the four household kinds.
    pub fn is_household(self) -> bool {
        self.subject().is_household()
    }
}

/// Registry fields a question may be bound to (`"registry": "household_size"`).
pub const REGISTRY_FIELDS: &[&str] = &[
    "household_id",
    "head_name",
    "head_id_number",
    "household_size",
    "status",
    "exit_year",
    "household_type",
    "income_per_capita",
    "county",
    "township",
    "village",
    "village_group",
    "helper",
    "village_type",
    "remote",
    "edge",
];

/// An expression with the text it was parsed from.
#[derive(Debug, Clone)]
pub struct Expression {
    pub source: String,
    pub ast: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub label: Text,
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub expr: Expression,
    pub message: Text,
}

/// What a question asks for.
#[derive(Debug, Clone)]
pub enum QuestionType {
    Text,
    Integer,
    Decimal,
    SelectOne(Vec<Choice>),
    SelectMultiple(Vec<Choice>),
    YesNo,
    Date,
    Note,
    Calculate(Expression),
    Roster {
        questions: Vec<Question>,
        max_rows: usize,
    },
}

impl QuestionType {
    /// The name used in questionnaire files.
    pub fn name(&self) -> &'static str {
        match self {
            QuestionType::Text => "text",
            QuestionType::Integer => "integer",
            QuestionType::Decimal => "decimal",
            QuestionType::SelectOne(_) => "select_one",
            QuestionType::SelectMultiple(_) => "select_multiple",
            QuestionType::YesNo => "yes_no",
            QuestionType::Date => "date",
            QuestionType::Note => "note",
            QuestionType::Calculate(_) => "calculate",
            QuestionType::Roster { .. } => "roster",
        }
    }

    pub fn choices(&self) -> &[Choice] {
        match self {
            QuestionType::SelectOne(c) | QuestionType::SelectMultiple(c) => c,
            _ => &[],
        }
    }

    /// Whether the interviewer enters an answer (not a note, calculation or roster).
    pub fn is_input(&self) -> bool {
        !matches!(
            self,
            QuestionType::Note | QuestionType::Calculate(_) | QuestionType::Roster { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub kind: QuestionType,
    pub label: Text,
    pub hint: Option<Text>,
    pub required: bool,
    pub relevant: Option<Expression>,
    pub constraint: Option<Constraint>,
    pub registry: Option<String>,
    /// A new interview starts with the registry value (its `registry` field) filled in, for
    /// the interviewer to confirm or correct (the household's identity).
    pub prefill: bool,
    /// The household answers without prompting (e.g. the paired helper's name): never
    /// prefilled; the registry value is shown only once it is answered, for comparison.
    pub unprompted: bool,
}

impl Question {
    pub fn choice(&self, name: &str) -> Option<&Choice> {
        self.kind.choices().iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub relevant: Option<Expression>,
    pub questions: Vec<Question>,
}

/// Where a question sits: its section, its index there, and for a roster question its index
/// inside the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub section: usize,
    pub question: usize,
    pub in_roster: Option<usize>,
}

/// A loaded, validated questionnaire.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub id: String,
    pub version: String,
    pub kind: Kind,
    pub title: Text,
    pub sections: Vec<Section>,
    /// The file it was loaded from, for messages.
    pub source: String,
    pub(super) index: HashMap<String, Position>,
    /// Calculations in an order where each comes after those it uses.
    pub(super) calc_order: Vec<String>,
}

impl Questionnaire {
    pub fn position(&self, id: &str) -> Option<Position> {
        self.index.get(id).copied()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        let p = self.position(id)?;
        let q = &self.sections[p.section].questions[p.question];
        match (p.in_roster, &q.kind) {
            (None, _) => Some(q),
            (Some(i), QuestionType::Roster { questions, .. }) => questions.get(i),
            (Some(_), _) => None,
        }
    }

    /// The roster a question belongs to, if it is a roster question.
    pub fn roster_of(&self, id: &str) -> Option<&Question> {
        let p = self.position(id)?;
        p.in_roster?;
        Some(&self.sections[p.section].questions[p.question])
    }

    /// Top-level questions in order, with their section index.
    pub fn top_level(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| sec.questions.iter().map(move |q| (s, q)))
    }

    /// Every question, roster questions included (right after their roster).
    pub fn all_questions(&self) -> impl Iterator<Item = &Question> {
        self.top_level().flat_map(|(_, q)| {
            let inner: &[Question] = match &q.kind {
                QuestionType::Roster { questions, .. } => questions,
                _ => &[],
            };
            std::iter::once(q).chain(inner.iter())
        })
    }

    pub fn calc_order(&self) -> &[String] {
        &self.calc_order
    }
}
