//! Pasted text (a paste, or an input method that commits through paste): cleaned and put into
//! a text field in one step, bounded, however long it is. Typing it character by character
//! would re-run the search filter or the validation once per character.

use tui_input::Input;

use crate::i18n::Text;
use crate::tr;

/// Characters a paste may bring into the household search (a name, an id, an ID number).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Characters a paste may bring into a field of the new-household form (a name, a village).
pub const MAX_NAME_CHARS: usize = 200;

/// Characters of a paste read as keys by a choice question (numbers, y/n, 是/否).
pub const MAX_CHOICE_KEYS: usize = 200;

/// A paste as it could have been typed: a line break (CR LF, CR, LF, or a Unicode line or
/// paragraph separator) or a tab becomes a space, other control characters are dropped.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_cr = false;
    for c in text.chars() {
        let was_cr = std::mem::replace(&mut after_cr, c == '\r');
        match c {
            '\n' if was_cr => {}
            '\r' | '\n' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// What a paste put into a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pasted {
    /// Characters of the paste that went in.
    pub kept: usize,
    /// Characters of the (cleaned) paste.
    pub total: usize,
    /// The most characters the field holds.
    pub cap: usize,
}

impl Pasted {
    /// True when part of the paste was left out.
    pub fn was_cut(&self) -> bool {
        self.kept < self.total
    }

    /// What to tell the user when the paste was cut.
    pub fn message(&self) -> Option<Text> {
        if !self.was_cut() {
            None
        } else if self.kept == 0 {
            Some(tr!(
                "这一栏最多 {} 个字，已经满了：粘贴的文字没有加入",
                "this field holds at most {} characters and is full: nothing was pasted",
                self.cap
            ))
        } else {
            Some(tr!(
                "粘贴的文字太长（{} 个字），只保留了前 {} 个字（这一栏最多 {} 个字）",
                "the pasted text is too long ({} characters): only the first {} were kept (this field holds at most {})",
                self.total,
                self.kept,
                self.cap
            ))
        }
    }
}

/// Inserts `text` at the cursor of `input` in one step, so that the field holds at most `cap`
/// characters; the cursor ends after what was inserted. Linear in the lengths of both.
pub fn insert(input: &mut Input, text: &str, cap: usize) -> Pasted {
    let value = input.value();
    let have = value.chars().count();
    let total = text.chars().count();
    let kept = total.min(cap.saturating_sub(have));
    let pasted = Pasted { kept, total, cap };
    if kept == 0 {
        return pasted;
    }
    // tui-input counts its cursor in chars (code points).
    let cursor = input.cursor().min(have);
    let at = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(b, _)| b);
    let end = text.char_indices().nth(kept).map_or(text.len(), |(b, _)| b);
    let mut joined = String::with_capacity(value.len() + end);
    joined.push_str(&value[..at]);
    joined.push_str(&text[..end]);
    joined.push_str(&value[at..]);
    *input = Input::new(joined).with_cursor(cursor + kept);
    pasted
}

#[cfg(test)]
mod tests {
    use super::*;
    use tui_input::InputRequest;

    #[test]
    fn line_breaks_and_tabs_become_spaces_control_characters_go() {
        assert_eq!(clean("张三\r\n李四\n王五\r赵六"), "张三 李四 王五 赵六");
        assert_eq!(clean("a\tb\u{7}c\u{1b}[31md\u{2028}e"), "a bc[31md e");
        assert_eq!(clean("\r\n\r\n"), "  ");
    }

    #[test]
    fn inserts_at_the_cursor_in_one_step() {
        let mut input = Input::new("张三丰".into());
        input.handle(InputRequest::GoToPrevChar);
        let p = insert(&mut input, "李四", 100);
        assert_eq!(input.value(), "张三李四丰");
        assert_eq!(input.cursor(), 4);
        assert_eq!(input.visual_cursor(), 8);
        assert!(!p.was_cut());
        assert_eq!(p.message(), None);
    }

    #[test]
    fn the_field_never_grows_past_the_cap() {
        let mut input = Input::new("ab".into());
        let p = insert(&mut input, &"字".repeat(10), 5);
        assert_eq!(input.value(), "ab字字字");
        assert_eq!(
            p,
            Pasted {
                kept: 3,
                total: 10,
                cap: 5
            }
        );
        assert!(p.message().unwrap().zh.contains("只保留了前 3 个字"));
        let p = insert(&mut input, "x", 5);
        assert_eq!(input.value(), "ab字字字");
        assert_eq!(p.kept, 0);
        assert!(p.message().unwrap().zh.contains("已经满了"));
    }
}
