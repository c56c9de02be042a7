//! 18-digit resident ID numbers (居民身份证号码, GB 11643): the ISO 7064 MOD 11-2 check
//! character, the birth date and sex they carry, and why a number is not valid. One place for
//! the rule, used by the expression language (`resident-id()`), the registry importer and the
//! demo data.

use chrono::{Datelike, NaiveDate};

use crate::i18n::Text;
use crate::tr;

/// Weights of the first 17 digits for the check character.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by (weighted sum mod 11).
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why an ID number is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// Not 18 characters, or not 17 digits and a digit or `X`.
    Shape,
    WrongCheckDigit,
    /// Digits 7–14 are not a real date from 1900 up to today.
    ImpossibleBirthDate,
}

impl IdProblem {
    pub fn message(self) -> Text {
        match self {
            IdProblem::Shape => tr!(
                "身份证号码应为18位（17位数字加一位数字或X）",
                "an ID number has 18 characters: 17 digits and a digit or X"
            ),
            IdProblem::WrongCheckDigit => tr!(
                "身份证号码校验位错误",
                "the ID number's check digit is wrong"
            ),
            IdProblem::ImpossibleBirthDate => {
                tr!(
                    "身份证号码中的出生日期不存在",
                    "the ID number's birth date is impossible"
                )
            }
        }
    }
}

/// The check character for the first 17 digits, or `None` when they are not 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// The birth date written in an ID number, if it is a real date.
pub fn birth_date(id: &str) -> Option<NaiveDate> {
    let digits = id.get(6..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        digits[0..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..8].parse().ok()?,
    )
}

/// Whether the 17th digit says male.
pub fn is_male(id: &str) -> Option<bool> {
    let digit = id.as_bytes().get(16)?;
    digit.is_ascii_digit().then_some((digit - b'0') % 2 == 1)
}

/// Checks an ID number: shape, check character (`x` accepted for `X`), and a birth date from
/// 1900 up to `today`.
pub fn check(id: &str, today: NaiveDate) -> Result<(), IdProblem> {
    if id.len() != 18 || !id.is_ascii() {
        return Err(IdProblem::Shape);
    }
    let (first17, last) = id.split_at(17);
    let expected = check_char(first17).ok_or(IdProblem::Shape)?;
    let last = last.chars().next().map(|c| c.to_ascii_uppercase());
    if !matches!(last, Some('0'..='9' | 'X')) {
        return Err(IdProblem::Shape);
    }
    if last != Some(expected) {
        return Err(IdProblem::WrongCheckDigit);
    }
    match birth_date(id) {
        Some(b) if b.year() >= 1900 && b <= today => Ok(()),
        _ => Err(IdProblem::ImpossibleBirthDate),
    }
}

/// Whether an ID number is valid (see [`check`]).
pub fn is_valid(id: &str, today: NaiveDate) -> bool {
    check(id, today).is_ok()
}

/// Completed years from `birth` to `on` (0 before the first birthday).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0)
}

/// The sex (`male` / `female`, the members roster's choice names) and the age in completed
/// years on `on` that a valid ID number gives; `None` when it is not valid on `on`.
pub fn sex_and_age(id: &str, on: NaiveDate) -> Option<(&'static str, i64)> {
    let id = id.trim();
    check(id, on).ok()?;
    let male = is_male(id)?;
    Some((
        if male { "male" } else { "female" },
        age_on(birth_date(id)?, on),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 12, 23).unwrap()
    }

    #[test]
    fn known_numbers() {
        assert_eq!(check("11010519491231002X", today()), Ok(()));
        assert_eq!(check("11010519491231002x", today()), Ok(()));
        assert_eq!(check("53232619490915548X", today()), Ok(()));
        assert_eq!(
            check("110105194912310021", today()),
            Err(IdProblem::WrongCheckDigit)
        );
        assert_eq!(check("1101051949123100", today()), Err(IdProblem::Shape));
        assert_eq!(check("11010519491231002Y", today()), Err(IdProblem::Shape));
        assert_eq!(
            check("１１0105194912310021", today()),
            Err(IdProblem::Shape)
        );
        assert_eq!(is_male("11010519491231002X"), Some(false));
        assert_eq!(
            birth_date("11010519491231002X"),
            NaiveDate::from_ymd_opt(1949, 12, 31)
        );
    }

    #[test]
    fn sex_and_age_at_a_date() {
        let on = NaiveDate::from_ymd_opt(2017, 12, 30).unwrap();
        assert_eq!(sex_and_age("11010519491231002X", on), Some(("female", 67)));
        let next_day = NaiveDate::from_ymd_opt(2017, 12, 31).unwrap();
        assert_eq!(
            sex_and_age("11010519491231002X", next_day),
            Some(("female", 68))
        );
        assert_eq!(
            sex_and_age(" 11010519491231002x ", next_day),
            Some(("female", 68))
        );
        assert_eq!(sex_and_age("110105194912310021", on), None, "check digit");
        assert_eq!(sex_and_age("", on), None);
        let male = format!(
            "11010520100101001{}",
            check_char("11010520100101001").unwrap()
        );
        assert_eq!(sex_and_age(&male, on), Some(("male", 7)));
    }

    #[test]
    fn impossible_birth_dates() {
        // 30 February, with a correct check character
        let first17 = "11010519490230002";
        let id = format!("{first17}{}", check_char(first17).unwrap());
        assert_eq!(check(&id, today()), Err(IdProblem::ImpossibleBirthDate));
        // born after today
        let first17 = "11010520200101002";
        let id = format!("{first17}{}", check_char(first17).unwrap());
        assert_eq!(check(&id, today()), Err(IdProblem::ImpossibleBirthDate));
    }
}
