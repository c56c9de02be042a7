//! The syntax tree of expressions and the recursive-descent parser that builds it, checking
//! function names, argument counts and literal-only arguments (`registry`, `setting`, `regex`
//! patterns) so that evaluation never meets a malformed tree built by [`parse`].

use std::fmt;

use super::lexer::{Tok, Token, tokenize};

/// A syntax error and the column (1-based, in characters) it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
        }
    }
}

/// The functions of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    Not,
    True,
    False,
    If,
    Selected,
    CountSelected,
    Coalesce,
    StringLength,
    Concat,
    Contains,
    StartsWith,
    Today,
    Int,
    Number,
    String,
    Round,
    Sum,
    Count,
    CountNotIn,
    Min,
    Max,
    Regex,
    ResidentId,
    Registry,
    Setting,
}

impl Func {
    pub const ALL: [Func; 25] = [
        Func::Not,
        Func::True,
        Func::False,
        Func::If,
        Func::Selected,
        Func::CountSelected,
        Func::Coalesce,
        Func::StringLength,
        Func::Concat,
        Func::Contains,
        Func::StartsWith,
        Func::Today,
        Func::Int,
        Func::Number,
        Func::String,
        Func::Round,
        Func::Sum,
        Func::Count,
        Func::CountNotIn,
        Func::Min,
        Func::Max,
        Func::Regex,
        Func::ResidentId,
        Func::Registry,
        Func::Setting,
    ];

    /// The function's name as written.
    pub fn name(self) -> &'static str {
        match self {
            Func::Not => "not",
            Func::True => "true",
            Func::False => "false",
            Func::If => "if",
            Func::Selected => "selected",
            Func::CountSelected => "count-selected",
            Func::Coalesce => "coalesce",
            Func::StringLength => "string-length",
            Func::Concat => "concat",
            Func::Contains => "contains",
            Func::StartsWith => "starts-with",
            Func::Today => "today",
            Func::Int => "int",
            Func::Number => "number",
            Func::String => "string",
            Func::Round => "round",
            Func::Sum => "sum",
            Func::Count => "count",
            Func::CountNotIn => "count-not-in",
            Func::Min => "min",
            Func::Max => "max",
            Func::Regex => "regex",
            Func::ResidentId => "resident-id",
            Func::Registry => "registry",
            Func::Setting => "setting",
        }
    }

    /// The function with this name.
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The least and the most arguments taken (`None`: no upper limit).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::True | Func::False | Func::Today => (0, Some(0)),
            Func::Not
            | Func::CountSelected
            | Func::StringLength
            | Func::Int
            | Func::Number
            | Func::String
            | Func::Sum
            | Func::Count
            | Func::ResidentId
            | Func::Registry
            | Func::Setting => (1, Some(1)),
            Func::Selected | Func::Contains | Func::StartsWith | Func::Regex | Func::CountNotIn => {
                (2, Some(2))
            }
            Func::If => (3, Some(3)),
            Func::Round => (1, Some(2)),
            Func::Coalesce => (2, None),
            Func::Concat | Func::Min | Func::Max => (1, None),
        }
    }

    fn arity_text(self) -> String {
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        match self.arity() {
            (0, Some(0)) => "no arguments".to_string(),
            (lo, Some(hi)) if lo == hi => format!("{lo} {}", plural(lo)),
            (lo, Some(hi)) => format!("{lo} or {hi} arguments"),
            (lo, None) => format!("at least {lo} {}", plural(lo)),
        }
    }
}

/// A parsed expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Number(f64),
    Text(String),
    /// `${id}`.
    Ref(String),
    /// `.`, the answer being checked.
    Current,
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call other than `regex`. The argument of `registry` and `setting` is always
    /// an [`Expr::Text`].
    Call(Func, Vec<Expr>),
    /// `regex(s, 'pattern')` with its pattern compiled.
    Regex(Box<Expr>, regex::Regex),
}

impl Expr {
    /// Calls `f` on this node and every node below it, left to right as written.
    fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Number(_) | Expr::Text(_) | Expr::Ref(_) | Expr::Current => {}
            Expr::Neg(e) | Expr::Regex(e, _) => e.visit(f),
            Expr::Binary(_, l, r) => {
                l.visit(f);
                r.visit(f);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.visit(f)),
        }
    }

    /// The id of every `${id}`, in the order written, repeats included.
    pub fn references(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Ref(id) = e {
                out.push(id.as_str());
            }
        });
        out
    }

    /// True when the expression uses `.`.
    pub fn uses_current(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| found |= matches!(e, Expr::Current));
        found
    }

    /// The field of every `registry('field')`, in the order written.
    pub fn registry_fields(&self) -> Vec<&str> {
        self.literal_args(Func::Registry)
    }

    /// The name of every `setting('name')`, in the order written.
    pub fn settings(&self) -> Vec<&str> {
        self.literal_args(Func::Setting)
    }

    fn literal_args(&self, func: Func) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Call(f, args) = e
                && *f == func
                && let Some(Expr::Text(name)) = args.first()
            {
                out.push(name.as_str());
            }
        });
        out
    }
}

/// How deeply parentheses, calls and negations may nest (bounds the parser's recursion).
const MAX_NESTING: usize = 64;
/// How deep the tree may grow, long operator chains included (bounds evaluation's recursion).
const MAX_DEPTH: usize = 256;

/// Parses an expression.
///
/// Precedence, lowest first: `or`; `and`; comparisons; `+ -`; `* div mod`; unary `-`. Binary
/// operators associate to the left, except comparisons, which do not chain: `1 < ${a} < 3` is
/// an error (write `1 < ${a} and ${a} < 3`).
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = tokenize(src)?;
    if toks.is_empty() {
        return Err(ParseError {
            column: 1,
            message: "empty expression".to_string(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end_column: src.chars().count() + 1,
        nesting: 0,
    };
    let (expr, _) = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(p.error(
            t.column,
            format!(
                "unexpected {} after a complete expression (missing operator?)",
                t.tok.describe()
            ),
        ));
    }
    Ok(expr)
}

/// A parsed subtree and its depth.
type Parsed = Result<(Expr, usize), ParseError>;

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// The column just after the last character, where "end of expression" errors point.
    end_column: usize,
    nesting: usize,
}

impl Parser {
    fn error(&self, column: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    /// The column of the next token, or the end column.
    fn column(&self) -> usize {
        self.toks
            .get(self.pos)
            .map_or(self.end_column, |t| t.column)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// One level deeper, at the `(` or `-` at `column`; past [`MAX_NESTING`] an error there.
    fn enter(&mut self, column: usize) -> Result<(), ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            let message = format!("expression is nested too deeply (at most {MAX_NESTING} levels)");
            return Err(self.error(column, message));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    fn binary(&self, op: BinOp, column: usize, l: (Expr, usize), r: (Expr, usize)) -> Parsed {
        let depth = l.1.max(r.1) + 1;
        if depth > MAX_DEPTH {
            return Err(self.error(column, "expression is too long or nested too deeply"));
        }
        Ok((Expr::Binary(op, Box::new(l.0), Box::new(r.0)), depth))
    }

    /// A left-associative level: operands from `next`, operators from `op_of`.
    fn left_assoc(
        &mut self,
        next: fn(&mut Parser) -> Parsed,
        op_of: fn(&Tok) -> Option<BinOp>,
    ) -> Parsed {
        let mut left = next(self)?;
        while let Some(op) = self.peek().and_then(op_of) {
            let column = self.column();
            self.pos += 1;
            let right = next(self)?;
            left = self.binary(op, column, left, right)?;
        }
        Ok(left)
    }

    fn or(&mut self) -> Parsed {
        self.left_assoc(Parser::and, |t| (*t == Tok::Or).then_some(BinOp::Or))
    }

    fn and(&mut self) -> Parsed {
        self.left_assoc(Parser::comparison, |t| {
            (*t == Tok::And).then_some(BinOp::And)
        })
    }

    fn comparison(&mut self) -> Parsed {
        fn op_of(t: &Tok) -> Option<BinOp> {
            Some(match t {
                Tok::Eq => BinOp::Eq,
                Tok::Ne => BinOp::Ne,
                Tok::Lt => BinOp::Lt,
                Tok::Le => BinOp::Le,
                Tok::Gt => BinOp::Gt,
                Tok::Ge => BinOp::Ge,
                _ => return None,
            })
        }
        let left = self.additive()?;
        let Some(op) = self.peek().and_then(op_of) else {
            return Ok(left);
        };
        let column = self.column();
        self.pos += 1;
        let right = self.additive()?;
        let result = self.binary(op, column, left, right)?;
        if let Some(next) = self.peek().and_then(op_of) {
            return Err(self.error(
                self.column(),
                format!(
                    "comparisons do not chain: combine them with 'and' instead of a second '{}'",
                    next.symbol()
                ),
            ));
        }
        Ok(result)
    }

    fn additive(&mut self) -> Parsed {
        self.left_assoc(Parser::multiplicative, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Parsed {
        self.left_assoc(Parser::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Div => Some(BinOp::Div),
            Tok::Mod => Some(BinOp::Mod),
            _ => None,
        })
    }

    fn unary(&mut self) -> Parsed {
        if self.peek() != Some(&Tok::Minus) {
            return self.primary();
        }
        let column = self.column();
        self.pos += 1;
        self.enter(column)?;
        let (operand, depth) = self.unary()?;
        self.leave();
        if depth + 1 > MAX_DEPTH {
            return Err(self.error(column, "expression is too long or nested too deeply"));
        }
        Ok((Expr::Neg(Box::new(operand)), depth + 1))
    }

    fn primary(&mut self) -> Parsed {
        let Some(token) = self.toks.get(self.pos).cloned() else {
            return Err(self.error(
                self.end_column,
                "unexpected end of expression: expected a value",
            ));
        };
        self.pos += 1;
        let column = token.column;
        match token.tok {
            Tok::Number(n) => Ok((Expr::Number(n), 1)),
            Tok::Str(s) => Ok((Expr::Text(s), 1)),
            Tok::Ref(id) => Ok((Expr::Ref(id), 1)),
            Tok::Dot => Ok((Expr::Current, 1)),
            Tok::LParen => {
                self.enter(column)?;
                let inner = self.or()?;
                self.close(column, "'('")?;
                self.leave();
                Ok(inner)
            }
            Tok::Name(name) => self.call(name, column),
            other => Err(self.error(
                column,
                format!("expected a value, found {}", other.describe()),
            )),
        }
    }

    /// Expects the `)` closing the `(` at `open_column`.
    fn close(&mut self, open_column: usize, what: &str) -> Result<(), ParseError> {
        match self.peek() {
            Some(Tok::RParen) => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.error(open_column, format!("unclosed {what}: expected ')'"))),
            Some(other) => Err(self.error(
                self.column(),
                format!("expected ')' or an operator, found {}", other.describe()),
            )),
        }
    }

    fn call(&mut self, name: String, column: usize) -> Parsed {
        let func = Func::from_name(&name);
        if self.peek() != Some(&Tok::LParen) {
            return Err(match func {
                Some(_) => self.error(
                    column,
                    format!("'{name}' is a function: write {name}(…)"),
                ),
                None => self.error(
                    column,
                    format!(
                        "unknown name '{name}': texts are quoted ('{name}'), answers are written ${{{name}}}"
                    ),
                ),
            });
        }
        let Some(func) = func else {
            return Err(self.error(column, format!("unknown function '{name}'")));
        };
        let open = self.column();
        self.pos += 1;
        self.enter(column)?;
        let mut args: Vec<(Expr, usize)> = Vec::new();
        let mut arg_columns = Vec::new();
        if !self.eat(&Tok::RParen) {
            loop {
                arg_columns.push(self.column());
                args.push(self.or()?);
                if self.eat(&Tok::Comma) {
                    continue;
                }
                match self.peek() {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        break;
                    }
                    None => {
                        return Err(
                            self.error(open, format!("unclosed '(' of {name}(…): expected ')'"))
                        );
                    }
                    Some(other) => {
                        return Err(self.error(
                            self.column(),
                            format!(
                                "expected ',' or ')' in {name}(…), found {}",
                                other.describe()
                            ),
                        ));
                    }
                }
            }
        }
        self.leave();
        let (lo, hi) = func.arity();
        if args.len() < lo || hi.is_some_and(|hi| args.len() > hi) {
            return Err(self.error(
                column,
                format!("{name}() takes {}, {} given", func.arity_text(), args.len()),
            ));
        }
        let depth = args.iter().map(|a| a.1).max().unwrap_or(0) + 1;
        if depth > MAX_DEPTH {
            return Err(self.error(column, "expression is too long or nested too deeply"));
        }
        let mut args: Vec<Expr> = args.into_iter().map(|a| a.0).collect();
        match func {
            Func::Registry | Func::Setting => {
                if !matches!(args.first(), Some(Expr::Text(_))) {
                    let what = if func == Func::Registry {
                        "field"
                    } else {
                        "setting"
                    };
                    return Err(self.error(
                        arg_columns.first().copied().unwrap_or(open),
                        format!("{name}() takes a quoted {what} name, like {name}('name')"),
                    ));
                }
                Ok((Expr::Call(func, args), depth))
            }
            Func::Regex => {
                let pattern_column = arg_columns.get(1).copied().unwrap_or(open);
                let Some(Expr::Text(pattern)) = args.pop() else {
                    return Err(self.error(
                        pattern_column,
                        "regex() takes its pattern as a quoted text, like regex(., '^[0-9]+$')",
                    ));
                };
                let re = regex::RegexBuilder::new(&pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        self.error(
                            pattern_column,
                            format!("invalid regular expression: {}", regex_error_text(&e)),
                        )
                    })?;
                let subject = args.pop().unwrap_or(Expr::Text(String::new()));
                Ok((Expr::Regex(Box::new(subject), re), depth))
            }
            _ => Ok((Expr::Call(func, args), depth)),
        }
    }
}

/// The one-line reason of a regex error (its own text spans several lines).
fn regex_error_text(e: &regex::Error) -> String {
    let full = e.to_string();
    full.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: ").map(str::to_string))
        .unwrap_or_else(|| full.lines().last().unwrap_or("").trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_name_reads_back() {
        for f in Func::ALL {
            assert_eq!(Func::from_name(f.name()), Some(f));
        }
        assert_eq!(Func::from_name("nope"), None);
    }

    #[test]
    fn arity_texts() {
        assert_eq!(Func::Today.arity_text(), "no arguments");
        assert_eq!(Func::Not.arity_text(), "1 argument");
        assert_eq!(Func::If.arity_text(), "3 arguments");
        assert_eq!(Func::Round.arity_text(), "1 or 2 arguments");
        assert_eq!(Func::Coalesce.arity_text(), "at least 2 arguments");
        assert_eq!(Func::Concat.arity_text(), "at least 1 argument");
    }

    #[test]
    fn nesting_too_deep_points_at_the_level_past_the_limit() {
        let deep = 100_000;
        let cases = [
            (format!("{}1{}", "(".repeat(deep), ")".repeat(deep)), 65),
            (format!("{}1", "-".repeat(deep)), 65),
            (
                format!("{}true(){}", "not(".repeat(deep), ")".repeat(deep)),
                4 * 64 + 1,
            ),
            (format!("1 + {}1{}", "(".repeat(deep), ")".repeat(deep)), 69),
        ];
        for (src, column) in cases {
            // A small stack: the depth is bounded, not the input.
            let e = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || parse(&src).expect_err("too deep"))
                .expect("thread")
                .join()
                .expect("no stack overflow");
            assert_eq!(e.column, column, "{e}");
            assert_eq!(
                e.message,
                format!("expression is nested too deeply (at most {MAX_NESTING} levels)")
            );
        }
        let fine = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn regex_error_is_one_line() {
        let unclosed_group = String::from("(");
        let e = regex::Regex::new(&unclosed_group).expect_err("invalid");
        let t = regex_error_text(&e);
        assert!(!t.contains('\n'));
        assert!(!t.is_empty());
    }
}
