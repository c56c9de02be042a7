//! The expression language of questionnaires and rules (XLSForm spelling): parsed once into an
//! AST at load time, then evaluated over an interview's answers, a registry record and settings.
//! Semantics, unanswered values included, are documented in `questionnaires/README.md`.

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod value;

pub use eval::{Scope, resident_id_valid};
pub use parser::{BinOp, Expr, Func, ParseError, parse};
pub use value::Value;
