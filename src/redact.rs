//! Masking resident ID numbers (居民身份证号码) in text shown or exported, in every form people
//! write them: the 18-character number (17 digits and a digit or X), the old 15-digit one,
//! in ASCII or full-width digits, in one piece or in groups split by spaces or hyphens
//! (`5323 2619 4909 1554 80`). A masked number keeps its first 4 and last 4 characters:
//! `5323**********5480`, `5323*******0155`.

use serde_json::Value as Json;

/// A digit, ASCII or full-width, as its ASCII value.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10),
        _ => None,
    }
}

/// The check character X (any case or width).
fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// A character that may split the groups of one number.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '-' | '－')
}

/// A character that joins a number to the code around it (`A5323…`, a longer number): Latin
/// letters and digits, ASCII or full-width. Chinese text around a number does not.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || digit(c).is_some()
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

/// Masks every ID number in a text (see the module docs). Digits that belong to a longer
/// run (a 20-digit household id, a long code) are left alone.
pub fn mask_ids(s: &str) -> String {
    if !may_hold_id(s) {
        return s.to_string();
    }
    // Short texts (an ID number field) are read on the stack.
    let mut short = ['\0'; 64];
    let long: Vec<char>;
    let chars: &[char] = if s.len() <= short.len() {
        let mut n = 0;
        for c in s.chars() {
            short[n] = c;
            n += 1;
        }
        &short[..n]
    } else {
        long = s.chars().collect();
        &long
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_some()
            && (i == 0 || !is_word(chars[i - 1]))
            && let Some((end, digits, want)) = id_at(chars, i)
        {
            out.extend(&digits[..4]);
            out.extend(std::iter::repeat_n('*', want - 8));
            out.extend(&digits[want - 4..want]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// [`mask_ids`] in place: a text without an ID number is left untouched (not copied).
pub fn mask_in_place(s: &mut String) {
    if may_hold_id(s) {
        *s = mask_ids(s);
    }
}

/// Whether a text has 15 digits or more in a row (single separators allowed between them):
/// the cheap test before the careful one, so that most texts are copied as they are.
fn may_hold_id(s: &str) -> bool {
    let mut run = 0usize;
    let mut after_separator = false;
    for c in s.chars() {
        if digit(c).is_some() {
            run += 1;
            if run >= 15 {
                return true;
            }
            after_separator = false;
        } else if run > 0 && !after_separator && is_separator(c) {
            after_separator = true;
        } else {
            run = 0;
            after_separator = false;
        }
    }
    false
}

/// An ID number starting at `start`: where it ends, its digits (ASCII, `X` for the check
/// character) and how many of them it has (18 or 15).
fn id_at(chars: &[char], start: usize) -> Option<(usize, [char; 18], usize)> {
    // Read digits, allowing single separators between groups, up to 18 digits.
    // The digits read, and after each the index where it ends (to try 18, then 15).
    let mut digits = ['0'; 18];
    let mut ends = [0usize; 18];
    let mut n = 0;
    let mut i = start;
    while i < chars.len() && n < 18 {
        let c = chars[i];
        if let Some(d) = digit(c) {
            digits[n] = d;
            i += 1;
            ends[n] = i;
            n += 1;
        } else if n == 17 && is_x(c) {
            digits[n] = 'X';
            i += 1;
            ends[n] = i;
            n += 1;
        } else if is_separator(c)
            && i + 1 < chars.len()
            && (digit(chars[i + 1]).is_some() || (n == 17 && is_x(chars[i + 1])))
            && !is_separator(chars[i - 1])
        {
            i += 1;
        } else {
            break;
        }
    }
    for want in [18, 15] {
        if n < want {
            continue;
        }
        let end = ends[want - 1];
        // The number must stand alone: the next character is not part of a word, nor a
        // digit after a separator (a longer grouped number).
        let next = chars.get(end).copied();
        let grouped_more = next.is_some_and(is_separator)
            && chars.get(end + 1).is_some_and(|&c| digit(c).is_some());
        if next.is_some_and(is_word) || grouped_more {
            continue;
        }
        if want == 15 && digits[..15].contains(&'X') || !plausible(&digits[..want]) {
            continue;
        }
        return Some((end, digits, want));
    }
    None
}

/// Whether digits read like an ID number: a region code that does not start with 0 and a
/// birth date with a real month and day (YYYYMMDD in the 18-digit form, YYMMDD in the
/// 15-digit one). Household ids and other codes of the same length seldom do (the demo
/// county's `999901000000001` does not).
fn plausible(d: &[char]) -> bool {
    let n = |r: std::ops::Range<usize>| -> u32 {
        d[r].iter()
            .fold(0, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(99))
    };
    let month_at = if d.len() == 18 { 10 } else { 8 };
    let (month, day) = (n(month_at..month_at + 2), n(month_at + 2..month_at + 4));
    let year_ok = d.len() == 15 || (1900..=2099).contains(&n(6..10));
    d[0] != '0' && year_ok && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// A JSON value with every ID number in its texts masked (keys are left as they are).
pub fn mask_json(v: &Json) -> Json {
    match v {
        Json::String(s) => Json::String(mask_ids(s)),
        Json::Array(items) => Json::Array(items.iter().map(mask_json).collect()),
        Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), mask_json(v))).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_written_form_is_masked() {
        let cases = [
            ("532326194909155480", "5323**********5480"),
            ("53232619490915548X", "5323**********548X"),
            ("53232619490915548x", "5323**********548X"),
            (
                "户主 532326194909155480，妻 532326195003021229",
                "户主 5323**********5480，妻 5323**********1229",
            ),
            ("5323 2619 4909 1554 80", "5323**********5480"),
            ("532326 19490915 5480", "5323**********5480"),
            ("532326-19490915-548X", "5323**********548X"),
            ("５３２３２６１９４９０９１５５４８０", "5323**********5480"),
            (
                "证件号码５３２３２６１９４９０９１５５４８Ｘ。",
                "证件号码5323**********548X。",
            ),
            ("532326490915548", "5323*******5548"),
            ("旧证 532326 490915 548 已换", "旧证 5323*******5548 已换"),
            ("id=532326194909155480;", "id=5323**********5480;"),
        ];
        for (input, masked) in cases {
            assert_eq!(mask_ids(input), masked, "{input}");
        }
    }

    #[test]
    fn other_numbers_are_left_alone() {
        for s in [
            "999901000000001",
            "99990100000000123456",
            "5323261949091554801",
            "1380013800",
            "人均纯收入 3335 元",
            "2017-12-23",
            "16dd9c9d-4ee5-4165-9ec1-022543238d43",
            "A532326194909155480",
            "户编号 99990100000000123",
            "1 2 3 4 5 6 7 8",
        ] {
            assert_eq!(mask_ids(s), s, "{s}");
        }
    }

    #[test]
    fn json_texts_are_masked() {
        let v =
            serde_json::json!({"a": ["532326194909155480", 3], "b": {"c": "x 532326490915548"}});
        assert_eq!(
            mask_json(&v),
            serde_json::json!({"a": ["5323**********5480", 3], "b": {"c": "x 5323*******5548"}})
        );
    }

    proptest! {
        /// Whatever the text around it, a generated ID number never survives masking.
        #[test]
        fn no_id_survives(
            prefix in "[a-z张王 ，。:=]{0,6}",
            region in "[1-9][0-9]{5}",
            year in 1900u32..2030,
            month in 1u32..=12,
            day in 1u32..=28,
            tail in "[0-9]{3}[0-9X]",
            suffix in "[a-z张王 ，。;]{0,6}",
        ) {
            let digits = format!("{region}{year}{month:02}{day:02}{tail}");
            let text = format!("{prefix} {digits} {suffix}");
            let masked = mask_ids(&text);
            prop_assert!(!masked.contains(&digits), "{masked}");
        }

        #[test]
        fn any_text_is_masked_without_panic(s in "\\PC{0,60}") {
            let _ = mask_ids(&s);
        }
    }
}
