//! Tokenizer of the expression language: turns source text into tokens, each with the column it
//! starts at (1-based, counted in characters, not bytes, so Chinese text in a literal counts one
//! column per character).

use super::parser::ParseError;

/// A token's kind and content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Number(f64),
    /// A quoted literal, quotes removed.
    Str(String),
    /// `${id}`, the id only.
    Ref(String),
    /// `.`, the answer being checked.
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Div,
    Mod,
    /// A function name (letters, digits, `_` and inner `-`).
    Name(String),
}

impl Tok {
    /// How the token is named in error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Number(n) => format!("number {}", super::value::format_number(*n)),
            Tok::Str(s) => {
                let short: String = s.chars().take(20).collect();
                let more = if s.chars().nth(20).is_some() {
                    "…"
                } else {
                    ""
                };
                format!("text '{short}{more}'")
            }
            Tok::Ref(id) => format!("${{{id}}}"),
            Tok::Dot => "'.'".into(),
            Tok::Eq => "'='".into(),
            Tok::Ne => "'!='".into(),
            Tok::Lt => "'<'".into(),
            Tok::Le => "'<='".into(),
            Tok::Gt => "'>'".into(),
            Tok::Ge => "'>='".into(),
            Tok::Plus => "'+'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Star => "'*'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::And => "'and'".into(),
            Tok::Or => "'or'".into(),
            Tok::Div => "'div'".into(),
            Tok::Mod => "'mod'".into(),
            Tok::Name(n) => format!("'{n}'"),
        }
    }
}

/// A token and the column it starts at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub column: usize,
}

fn err(column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        column,
        message: message.into(),
    }
}

/// Characters allowed in a question id inside `${…}`.
fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `src` into tokens. Quoted literals have no escapes: a text containing `'` is written
/// in double quotes and the other way round.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let starts_number =
            c.is_ascii_digit() || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit()));
        if starts_number {
            let start = i;
            while at(i).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
            }
            if at(i) == Some('.') && at(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
                while at(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| err(column, format!("number {text} is too large")))?;
            out.push(Token {
                tok: Tok::Number(n),
                column,
            });
        } else if c == '\'' || c == '"' {
            let Some(len) = chars[i + 1..].iter().position(|&d| d == c) else {
                return Err(err(
                    column,
                    format!("unterminated text: the {c} opened here is never closed"),
                ));
            };
            let text: String = chars[i + 1..i + 1 + len].iter().collect();
            i += len + 2;
            out.push(Token {
                tok: Tok::Str(text),
                column,
            });
        } else if c == '$' {
            if at(i + 1) != Some('{') {
                return Err(err(
                    column,
                    "expected '{' after '$' (references are written ${id})",
                ));
            }
            let start = i + 2;
            let mut j = start;
            while at(j).is_some_and(id_char) {
                j += 1;
            }
            match at(j) {
                None => return Err(err(column, "unclosed '${': expected a question id and '}'")),
                Some('}') if j == start => {
                    return Err(err(column, "empty reference '${}': expected a question id"));
                }
                Some('}') => {}
                Some(other) => {
                    return Err(err(
                        j + 1,
                        format!("expected '}}' to close '${{', found '{other}'"),
                    ));
                }
            }
            let id: String = chars[start..j].iter().collect();
            i = j + 1;
            out.push(Token {
                tok: Tok::Ref(id),
                column,
            });
        } else if c.is_ascii_alphabetic() {
            let start = i;
            loop {
                match at(i) {
                    Some(d) if d.is_ascii_alphanumeric() || d == '_' => i += 1,
                    Some('-') if at(i + 1).is_some_and(|d| d.is_ascii_alphabetic()) => i += 1,
                    _ => break,
                }
            }
            let name: String = chars[start..i].iter().collect();
            let tok = match name.as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "div" => Tok::Div,
                "mod" => Tok::Mod,
                _ => Tok::Name(name),
            };
            out.push(Token { tok, column });
        } else {
            let next = at(i + 1);
            let (tok, len) = match c {
                '.' => (Tok::Dot, 1),
                '=' => (Tok::Eq, 1),
                '!' if next == Some('=') => (Tok::Ne, 2),
                '<' if next == Some('=') => (Tok::Le, 2),
                '<' => (Tok::Lt, 1),
                '>' if next == Some('=') => (Tok::Ge, 2),
                '>' => (Tok::Gt, 1),
                '+' => (Tok::Plus, 1),
                '-' => (Tok::Minus, 1),
                '*' => (Tok::Star, 1),
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                ',' => (Tok::Comma, 1),
                '!' => return Err(err(column, "unexpected '!': use != or not(…)")),
                '/' => return Err(err(column, "unexpected '/': division is written div")),
                other => return Err(err(column, format!("unexpected character '{other}'"))),
            };
            i += len;
            out.push(Token { tok, column });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, usize)> {
        tokenize(src)
            .expect("tokenizes")
            .into_iter()
            .map(|t| (t.tok, t.column))
            .collect()
    }

    #[test]
    fn every_token_kind() {
        let toks = kinds(
            "12 3.5 .5 'a' \"b\" ${q_1} . = != < <= > >= + - * ( ) , and or div mod count-selected x1",
        );
        let expected = vec![
            Tok::Number(12.0),
            Tok::Number(3.5),
            Tok::Number(0.5),
            Tok::Str("a".into()),
            Tok::Str("b".into()),
            Tok::Ref("q_1".into()),
            Tok::Dot,
            Tok::Eq,
            Tok::Ne,
            Tok::Lt,
            Tok::Le,
            Tok::Gt,
            Tok::Ge,
            Tok::Plus,
            Tok::Minus,
            Tok::Star,
            Tok::LParen,
            Tok::RParen,
            Tok::Comma,
            Tok::And,
            Tok::Or,
            Tok::Div,
            Tok::Mod,
            Tok::Name("count-selected".into()),
            Tok::Name("x1".into()),
        ];
        assert_eq!(
            toks.into_iter().map(|(t, _)| t).collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn columns_count_characters() {
        let toks = kinds("'张三' = ${name}");
        assert_eq!(toks[0], (Tok::Str("张三".into()), 1));
        assert_eq!(toks[1], (Tok::Eq, 6));
        assert_eq!(toks[2], (Tok::Ref("name".into()), 8));
    }

    #[test]
    fn quotes_of_the_other_kind_inside_a_literal() {
        assert_eq!(kinds("\"it's\"")[0].0, Tok::Str("it's".into()));
        assert_eq!(kinds("'say \"hi\"'")[0].0, Tok::Str("say \"hi\"".into()));
    }

    #[test]
    fn minus_after_a_name_is_an_operator_unless_a_letter_follows() {
        assert_eq!(
            kinds("7 mod-2")
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>(),
            vec![Tok::Number(7.0), Tok::Mod, Tok::Minus, Tok::Number(2.0)]
        );
        assert_eq!(kinds("starts-with")[0].0, Tok::Name("starts-with".into()));
    }

    #[test]
    fn a_dot_then_digits_is_a_number_and_digits_then_a_dot_are_not_joined() {
        assert_eq!(
            kinds("1.").into_iter().map(|(t, _)| t).collect::<Vec<_>>(),
            vec![Tok::Number(1.0), Tok::Dot]
        );
    }

    #[test]
    fn errors_point_at_their_column() {
        let e = tokenize("1 + '张三").expect_err("unterminated");
        assert_eq!(e.column, 5);
        assert!(e.message.contains("unterminated"), "{}", e.message);
        let e = tokenize("'张' + ${abc").expect_err("unclosed");
        assert_eq!(e.column, 7);
        assert!(e.message.contains("unclosed"), "{}", e.message);
        let e = tokenize("${a b}").expect_err("bad id");
        assert_eq!(e.column, 4);
        assert_eq!(tokenize("${}").expect_err("empty").column, 1);
        assert_eq!(tokenize("$x").expect_err("no brace").column, 1);
        assert_eq!(tokenize("1 / 2").expect_err("slash").column, 3);
        assert_eq!(tokenize("1 ! 2").expect_err("bang").column, 3);
        assert_eq!(tokenize("'好' 张").expect_err("bare han").column, 5);
        let big = "9".repeat(400);
        assert_eq!(tokenize(&big).expect_err("too large").column, 1);
    }
}
