//! Archives (档案台账): the catalogue of the items the assessors read at county, township and
//! village, as the county notice lists them, and the checklist of one place against it, with
//! what it comes to (completeness, items to fix). Knows nothing of the terminal or the store.

pub mod catalogue;
pub mod checklist;
pub mod summary;

pub use catalogue::{
    BUNDLED_CATALOGUE, Catalogue, CatalogueError, Category, Item, ItemNumber, Level, Retention,
    Table,
};
pub use checklist::{
    Asked, CheckChoice, CheckQuestion, Checklist, ChecklistError, Entry, Place, QuestionKind,
    Status, note_id, parse_question_id, question_id, questions,
};
pub use summary::{CategoryRef, CategorySummary, Counts, Fix, FixList, Summary};
