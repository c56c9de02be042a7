//! 18-digit resident ID numbers (居民身份证号码, GB 11643): building them with an ISO 7064
//! MOD 11-2 check digit, checking them, and handing out order codes so the demo's numbers are
//! unique per birth date and sex.

use chrono::{Datelike, NaiveDate};

use crate::id_number::check_char;

/// Order codes per birth date and sex: 000–999 hold 500 for each sex.
pub(crate) const CODES_PER_DAY: u16 = 500;

/// A resident ID number: `region` (6 digits), birth date, a three-digit order code and the check
/// character. `seq` picks one of the 500 order codes of the sex (taken modulo 500); the order
/// code is odd for men and even for women, as the 17th digit requires.
///
/// Panics when `region` is not 6 ASCII digits or the birth year is before year 0.
pub fn resident_id(region: &str, birth: NaiveDate, seq: u16, male: bool) -> String {
    assert!(
        region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()),
        "region code must be 6 digits"
    );
    let code = u32::from((seq % CODES_PER_DAY) * 2 + u16::from(male));
    let mut id = String::with_capacity(18);
    id.push_str(region);
    let year = u32::try_from(birth.year()).expect("year after 0");
    push_digits(&mut id, year, 4);
    push_digits(&mut id, birth.month(), 2);
    push_digits(&mut id, birth.day(), 2);
    push_digits(&mut id, code, 3);
    let check = check_char(&id).expect("17 digits");
    id.push(check);
    id
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    let mut divisor = 10u32.pow(width - 1);
    while divisor > 0 {
        out.push(char::from(b'0' + ((value / divisor) % 10) as u8));
        divisor /= 10;
    }
}

/// Hands out order codes per (birth date, sex) in turn, so that no two demo people share an ID
/// number. Memory is bounded by the span of birth years, not by the number of people.
pub(crate) struct OrderCodes {
    first_year: i32,
    /// Next free order number, per day of the span and sex.
    next: Vec<u16>,
}

impl OrderCodes {
    /// Birth years from `first_year` to `last_year` inclusive.
    pub(crate) fn new(first_year: i32, last_year: i32) -> OrderCodes {
        let years = usize::try_from(last_year - first_year + 1).expect("year span");
        OrderCodes {
            first_year,
            next: vec![0; years * 366 * 2],
        }
    }

    /// An ID number for someone born in `birth`'s year. When the day's order codes of that sex
    /// are used up the birth moves on to the next day of the same year (wrapping to 1 January),
    /// so the age in years stays the same; only when a whole year is used up do codes repeat.
    pub(crate) fn issue(
        &mut self,
        region: &str,
        birth: NaiveDate,
        male: bool,
    ) -> (String, NaiveDate) {
        let year = birth.year();
        let offset = usize::try_from(year - self.first_year).expect("birth year within span");
        let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let start = birth.ordinal0();
        let sex = usize::from(male);
        for step in 0..days {
            let ordinal0 = (start + step) % days;
            let slot = (offset * 366 + ordinal0 as usize) * 2 + sex;
            if self.next[slot] < CODES_PER_DAY {
                let seq = scatter(slot, self.next[slot]);
                self.next[slot] += 1;
                let day = NaiveDate::from_yo_opt(year, ordinal0 + 1).expect("day of year");
                return (resident_id(region, day, seq, male), day);
            }
        }
        let slot = (offset * 366 + start as usize) * 2 + sex;
        let seq = scatter(slot, self.next[slot]);
        self.next[slot] = self.next[slot].wrapping_add(1);
        (resident_id(region, birth, seq, male), birth)
    }
}

/// The `n`th order code of a day and sex, starting at an offset that varies with the day so
/// codes look spread out (000–999) rather than all starting at 000; distinct for distinct `n`
/// below [`CODES_PER_DAY`].
fn scatter(slot: usize, n: u16) -> u16 {
    let mixed = (slot as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    let offset = u16::try_from(mixed % u64::from(CODES_PER_DAY)).expect("below 500");
    (offset + n % CODES_PER_DAY) % CODES_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id_number::{birth_date, is_male};

    fn is_valid_resident_id(id: &str) -> bool {
        crate::id_number::is_valid(id, super::super::REFERENCE_DATE)
    }

    #[test]
    fn check_digit_of_the_standard_example() {
        // The example of GB 11643-1999: 11010519491231002X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert!(is_valid_resident_id("11010519491231002X"));
        assert!(is_valid_resident_id("11010519491231002x"));
        assert!(!is_valid_resident_id("110105194912310021"));
        // Rows of the county sample.
        assert!(is_valid_resident_id("53232619490915548X"));
        assert!(is_valid_resident_id("532326195305087230"));
    }

    #[test]
    fn built_ids_carry_check_digit_birth_and_sex() {
        let birth = NaiveDate::from_ymd_opt(1964, 2, 29).unwrap();
        for seq in [0u16, 1, 17, 499, 500, 999] {
            for male in [true, false] {
                let id = resident_id("999901", birth, seq, male);
                assert_eq!(id.len(), 18);
                assert!(is_valid_resident_id(&id), "{id}");
                assert_eq!(birth_date(&id), Some(birth));
                assert_eq!(is_male(&id), Some(male));
                assert!(id.starts_with("99990119640229"));
            }
        }
    }

    #[test]
    fn invalid_dates_and_shapes_are_rejected() {
        let mut bad_date = String::from("99990119630229001");
        bad_date.push(check_char(&bad_date).unwrap());
        assert!(!is_valid_resident_id(&bad_date));
        assert!(!is_valid_resident_id("99990119630229"));
        assert!(!is_valid_resident_id("9999011963022900１X"));
        assert_eq!(check_char("12345"), None);
    }

    #[test]
    fn order_codes_are_unique_then_move_to_the_next_day() {
        let mut codes = OrderCodes::new(1960, 1960);
        let birth = NaiveDate::from_ymd_opt(1960, 12, 31).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..(CODES_PER_DAY as usize + 3) {
            let (id, day) = codes.issue("999901", birth, true);
            assert!(seen.insert(id));
            assert_eq!(day.year(), 1960);
        }
        let (_, day) = codes.issue("999901", birth, true);
        assert_eq!(day, NaiveDate::from_ymd_opt(1960, 1, 1).unwrap());
        let (_, day) = codes.issue("999901", birth, false);
        assert_eq!(day, birth);
    }
}
