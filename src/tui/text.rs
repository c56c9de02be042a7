//! Text measured in terminal cells, never bytes or chars: wrapping and truncating Chinese.

use ratatui::crossterm::event::KeyCode;
use tui_input::InputRequest;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::i18n::Lang;
use crate::interview::format_number;
use crate::questionnaire::expr::Value;
use crate::questionnaire::{Choice, Question, QuestionType, Questionnaire};
use crate::tr;

/// What a key does in a text field (typing and the editing keys), if anything.
pub fn input_request(code: KeyCode) -> Option<InputRequest> {
    Some(match code {
        KeyCode::Char(c) => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}

/// Cuts text into lines of at most `max` cells each, anywhere (no word rule): the lines
/// joined give the text back, so that a cursor can be placed in them.
pub fn hard_wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let mut lines = vec![String::new()];
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max {
            lines.push(String::new());
            w = 0;
        }
        if let Some(l) = lines.last_mut() {
            l.push(c);
        }
        w += cw;
    }
    lines
}

/// Punctuation that must not begin a line (Chinese line-breaking rule).
const NO_LINE_START: &str = "，。、；：？！）」』》〉】,.;:?!)";

/// Display width in cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Wraps text to lines of at most `max` cells, breaking anywhere for Chinese and at spaces
/// for words where it can. Explicit newlines are kept.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for c in para.chars() {
            let cw = c.width().unwrap_or(0);
            if w + cw > max {
                // Break at the last space of an ASCII word if there is one on the line.
                if c != ' '
                    && let Some(pos) = line.rfind(' ')
                    && line[pos..].is_ascii()
                    && pos > 0
                {
                    let rest = line[pos + 1..].to_string();
                    line.truncate(pos);
                    lines.push(std::mem::take(&mut line));
                    line = rest;
                    w = width(&line);
                } else if NO_LINE_START.contains(c) && line.chars().count() > 1 {
                    // Chinese punctuation never starts a line: carry the last char over,
                    // and the one before it while that is punctuation too (“件）” + “。”).
                    let mut carried = String::new();
                    while let Some(last) = line.pop() {
                        carried.insert(0, last);
                        if !NO_LINE_START.contains(last) || line.chars().count() <= 1 {
                            break;
                        }
                    }
                    if width(&carried) + cw > max {
                        // No room to carry (a very narrow column): break here after all.
                        line.push_str(&carried);
                        lines.push(std::mem::take(&mut line));
                        w = 0;
                    } else {
                        lines.push(std::mem::take(&mut line));
                        line = carried;
                        w = width(&line);
                    }
                } else {
                    lines.push(std::mem::take(&mut line));
                    w = 0;
                }
                if c == ' ' {
                    continue;
                }
            }
            line.push(c);
            w += cw;
        }
        lines.push(line);
    }
    lines
}

/// Cuts text to at most `max` cells, ending with `~` when cut (the ellipsis is of ambiguous width).
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    if max > 0 {
        out.push('~');
    }
    out
}

/// A title in `max` cells: whole if it fits, else without a closing part in brackets (a
/// qualifier, `家庭收入（过去12个月）` → `家庭收入`), else cut.
pub fn fit_title(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let trimmed = s.trim_end();
    for (open, close) in [('（', '）'), ('(', ')'), ('【', '】')] {
        if trimmed.ends_with(close)
            && let Some(at) = trimmed.rfind(open)
        {
            let head = trimmed[..at].trim_end();
            if !head.is_empty() && width(head) <= max {
                return head.to_string();
            }
        }
    }
    truncate(s, max)
}

/// Pads text with spaces to exactly `cells` cells (cutting it if longer).
pub fn pad(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cells.saturating_sub(w)))
}

/// Text of the computed value of `q` (a calculation) in `form`: choices by their labels,
/// looked up in the choice lists of the questions its expression refers to.
pub fn computed_text(form: &Questionnaire, q: &Question, v: &Value, lang: Lang) -> String {
    let Value::Choices(names) = v else {
        return value_text(v, lang);
    };
    let QuestionType::Calculate(e) = &q.kind else {
        return value_text(v, lang);
    };
    let lists: Vec<&[Choice]> = e
        .ast
        .references()
        .into_iter()
        .filter_map(|id| form.question(id))
        .map(|r| r.kind.choices())
        .collect();
    names
        .iter()
        .map(|n| {
            lists
                .iter()
                .find_map(|l| l.iter().find(|c| &c.name == n))
                .map_or_else(|| n.clone(), |c| c.label.get(lang).to_string())
        })
        .collect::<Vec<_>>()
        .join(tr!("、", ", ").get(lang))
}

/// Text of a computed value.
pub fn value_text(v: &Value, lang: Lang) -> String {
    match v {
        Value::Missing => tr!("（尚不能计算）", "(cannot compute yet)")
            .get(lang)
            .to_string(),
        Value::Number(n) => format_number(*n),
        Value::Bool(true) => tr!("是", "yes").get(lang).to_string(),
        Value::Bool(false) => tr!("否", "no").get(lang).to_string(),
        Value::Text(s) => s.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Choices(c) => c.join(", "),
        Value::List(l) => l.len().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_too_wide_loses_its_bracketed_part_before_it_is_cut() {
        assert_eq!(
            fit_title("家庭收入（过去12个月）", 30),
            "家庭收入（过去12个月）"
        );
        assert_eq!(fit_title("家庭收入（过去12个月）", 14), "家庭收入");
        assert_eq!(fit_title("Income (last 12 months)", 10), "Income");
        assert_eq!(fit_title("两不愁三保障情况核实", 9), "两不愁三~");
        assert!(width(&fit_title("两不愁三保障情况核实", 9)) <= 9);
        assert_eq!(fit_title("（全部在括号里）", 6), "（全~");
    }

    #[test]
    fn a_computed_choice_shows_its_label_not_its_name() {
        let src = r#"{"id": "t", "version": "1", "kind": "poor",
            "title": {"zh": "测试", "en": "Test"},
            "sections": [{"id": "s", "title": {"zh": "部分", "en": "Part"}, "questions": [
              {"id": "aid", "type": "select_multiple", "label": {"zh": "帮扶", "en": "Aid"},
               "choices": [{"name": "cash", "label": {"zh": "现金", "en": "cash"}},
                           {"name": "housing", "label": {"zh": "危房改造", "en": "housing"}}]},
              {"id": "aid_copy", "type": "calculate", "label": {"zh": "帮扶（计算）", "en": "Aid"},
               "calculation": "${aid}"}]}]}"#;
        let form = crate::questionnaire::from_str("t.json", src).expect("form");
        let q = form.question("aid_copy").expect("calc");
        let v = Value::Choices(vec!["housing".into(), "cash".into(), "other".into()]);
        assert_eq!(
            computed_text(&form, q, &v, Lang::Zh),
            "危房改造、现金、other"
        );
        assert_eq!(
            computed_text(&form, q, &v, Lang::En),
            "housing, cash, other"
        );
        assert_eq!(
            computed_text(&form, q, &Value::Number(2.5), Lang::Zh),
            "2.5"
        );
    }

    #[test]
    fn chinese_is_two_cells_a_char() {
        assert_eq!(width("张三丰"), 6);
        assert_eq!(width("ab张"), 4);
    }

    #[test]
    fn wraps_chinese_by_cells() {
        let lines = wrap("家庭共同生活共享收入的人口数", 10);
        assert_eq!(lines, ["家庭共同生", "活共享收入", "的人口数"]);
        assert!(lines.iter().all(|l| width(l) <= 10));
    }

    #[test]
    fn punctuation_does_not_start_a_line() {
        let lines = wrap("大约需要三十分钟。调查结果保密", 16);
        assert_eq!(lines, ["大约需要三十分", "钟。调查结果保密"]);
    }

    #[test]
    fn two_punctuation_marks_together_do_not_start_a_line() {
        let text = "您好！我是考核组的入户调查员（出示工作证件）。今天到您家来";
        for max in 2..40 {
            for l in wrap(text, max) {
                assert!(width(&l) <= max, "{l:?} wider than {max}");
            }
        }
        for max in 6..40 {
            for l in wrap(text, max).iter().skip(1) {
                let first = l.chars().next().unwrap();
                assert!(!NO_LINE_START.contains(first), "{l:?} at {max}");
            }
            assert_eq!(wrap(text, max).concat(), text, "nothing lost at {max}");
        }
    }

    #[test]
    fn wraps_english_at_spaces() {
        let lines = wrap("people living and sharing income", 12);
        assert_eq!(lines, ["people", "living and", "sharing", "income"]);
    }

    #[test]
    fn never_splits_a_wide_char_past_the_edge() {
        for max in 2..8 {
            for l in wrap("a张b三c丰d", max) {
                assert!(width(&l) <= max, "{l} > {max}");
            }
        }
    }

    #[test]
    fn truncates_and_pads_by_cells() {
        assert_eq!(truncate("桂花村第三组", 7), "桂花村~");
        assert_eq!(width(&pad("桂花村", 10)), 10);
        assert_eq!(pad("桂花村第三组", 5), "桂花~");
        assert_eq!(width(&pad("桂花村第三组", 5)), 5);
    }
}
