//! One interview: typed answers, roster rows, and the pure engine that walks a questionnaire
//! (skip logic, validation, calculations, progress, completion).

mod answer;
mod answers;
pub mod causal;
pub mod compact;
mod engine;
mod record;

pub use answer::{Answer, AnswerError, format_number, parse_date};
pub use answers::{AnswerProblem, Answers, Change, ROW_ID_KEY, Row, RowMove, RowRef};
pub use engine::{Context, Interview, Missing, Progress};
pub use record::{
    Chosen, Decision, Event, EventOp, InterviewRecord, Origin, Review, Skipped, Status,
    apply_choice, apply_review, apply_skip, fold, fold_chosen, fold_review, fold_skipped,
};
