//! Text from data made safe to print on a terminal: a name in a registry file can hold escape
//! sequences (`\x1b]0;…\x07` retitles the terminal, `\x1b[2J` clears it). Control characters
//! (C0 but tab and newline, DEL, C1) and the invisible bidirectional overrides that can make
//! a line read differently from what it holds are replaced by `�`.

/// True for a character that must not reach a terminal from data.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text with every unsafe character replaced by `�`.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    s.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect::<String>()
        .into()
}

/// One line of text: newlines and tabs become spaces too (a cell in a table).
pub fn clean_line(s: &str) -> String {
    clean(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_do_not_pass() {
        assert_eq!(clean("\x1b]0;PWN\x07张"), "\u{FFFD}]0;PWN\u{FFFD}张");
        assert_eq!(clean("\x1b[2J王"), "\u{FFFD}[2J王");
        assert_eq!(clean("a\u{9b}31mb"), "a\u{FFFD}31mb");
        assert_eq!(clean("李\u{202E}四"), "李\u{FFFD}四");
        assert_eq!(clean("a\rb\x7f"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(clean("第一行\n\t第二行"), "第一行\n\t第二行");
        assert_eq!(clean_line("a\nb\tc"), "a b c");
        assert!(matches!(clean("张三"), std::borrow::Cow::Borrowed(_)));
    }
}
