//! Tables for analysis: the answers of many interviews (one row per interview, one table per
//! roster), findings and the registry as columns with types, a codebook to read their codes,
//! and writers for Parquet, CSV and XLSX. No store and no terminal here: the command line
//! hands in the records and writes the files.

pub mod answers;
pub mod codebook;
pub mod column;
pub mod csv;
pub mod findings;
pub mod parquet;
pub mod xlsx;

pub use answers::{AnswerTables, AnswersBuilder, TableOptions};
pub use codebook::codebook;
pub use column::{Column, Kind, Table, TableBuilder, Value, View};
