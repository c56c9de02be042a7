//! Questionnaires: the JSON format (serde), loading with validation, and the expression
//! language their skip logic, constraints and calculations are written in.

pub mod expr;
mod load;
mod schema;

pub use load::{BUNDLED, LoadError, LoadErrorKind, LoadReport, from_str, load_bundled, load_dir};
pub(crate) use load::{read_json_file, strip_bom};
pub use schema::{
    Choice, Constraint, Expression, Kind, Position, Question, QuestionType, Questionnaire,
    REGISTRY_FIELDS, Section,
};
