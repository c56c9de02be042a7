//! What every stored household and village record holds, checked whole: a record that comes
//! from anywhere but a registry file's row checks (a backup being restored, an answer bundle)
//! goes through these, which keep the same bounds as the import's row checks (`rows.rs`).

use chrono::NaiveDate;

use crate::i18n::Text;
use crate::limits::{MAX_CELL_BYTES, MAX_ID_BYTES, MAX_ROSTER_ROWS};
use crate::tr;

use super::{Household, Member, VillageRecord};

/// A text field: bounded, no control characters.
fn text(problems: &mut Vec<Text>, name: &str, v: &str) {
    if v.len() > MAX_CELL_BYTES {
        problems.push(tr!(
            "{} 太长（{} 字节，最多 {}）",
            "{} is too long ({} bytes, at most {})",
            name,
            v.len(),
            MAX_CELL_BYTES
        ));
    }
    if v.chars().any(crate::printable::is_unsafe) {
        problems.push(tr!("{} 含有控制字符", "{} holds control characters", name));
    }
}

fn id_number(problems: &mut Vec<Text>, name: &str, v: &str, today: NaiveDate) {
    if !v.is_empty()
        && let Err(p) = crate::id_number::check(v, today)
    {
        let m = p.message();
        problems.push(Text::new(
            format!("{name}：{}", m.zh),
            format!("{name}: {}", m.en),
        ));
    }
}

fn member(problems: &mut Vec<Text>, i: usize, m: &Member, today: NaiveDate) {
    let at = |f: &str| format!("members[{}].{f}", i + 1);
    for (f, v) in [
        ("name", &m.name),
        ("relation", &m.relation),
        ("sex", &m.sex),
    ] {
        text(problems, &at(f), v);
    }
    id_number(problems, &at("id_number"), &m.id_number, today);
    if m.age.is_some_and(|a| a > 130) {
        problems.push(tr!("{} 不合理", "{} is out of range", at("age")));
    }
}

/// Every problem of a household record (empty: it may be stored).
pub fn household_problems(h: &Household, today: NaiveDate) -> Vec<Text> {
    let mut p = Vec::new();
    if h.household_id.is_empty() || h.household_id.len() > MAX_ID_BYTES {
        p.push(tr!(
            "household_id 应为 1 到 {} 字节，这里是 {} 字节",
            "household_id must be 1 to {} bytes, not {}",
            MAX_ID_BYTES,
            h.household_id.len()
        ));
    }
    if h.household_id.chars().any(crate::printable::is_unsafe) {
        p.push(tr!(
            "household_id 含有控制字符",
            "household_id holds control characters"
        ));
    }
    if crate::subject::looks_like_other_subject(&h.household_id) {
        p.push(super::rows::other_subject_id(&h.household_id));
    }
    for (name, v) in [
        ("head_name", &h.head_name),
        ("household_type", &h.household_type),
        ("county", &h.county),
        ("township", &h.township),
        ("village", &h.village),
        ("village_group", &h.village_group),
        ("helper", &h.helper),
    ] {
        text(&mut p, name, v);
    }
    id_number(&mut p, "head_id_number", &h.head_id_number, today);
    if h.household_size.is_some_and(|n| !(1..=99).contains(&n)) {
        p.push(tr!(
            "household_size 应在 1 到 99 之间",
            "household_size must be 1 to 99"
        ));
    }
    if h.exit_year.is_some_and(|y| !(1978..=2100).contains(&y)) {
        p.push(tr!(
            "exit_year 不是合理的年份",
            "exit_year is not a plausible year"
        ));
    }
    if h.income_per_capita
        .is_some_and(|x| !x.is_finite() || x.abs() >= 1e9)
    {
        p.push(tr!(
            "income_per_capita 不是合理的金额",
            "income_per_capita is not a plausible amount"
        ));
    }
    if h.members.len() > MAX_ROSTER_ROWS {
        p.push(tr!(
            "成员太多（{} 人，最多 {}）",
            "too many members ({}, at most {})",
            h.members.len(),
            MAX_ROSTER_ROWS
        ));
    } else {
        for (i, m) in h.members.iter().enumerate() {
            member(&mut p, i, m, today);
        }
    }
    p
}

/// Every problem of a village record.
pub fn village_problems(r: &VillageRecord) -> Vec<Text> {
    let mut p = Vec::new();
    if r.village.is_empty() {
        p.push(tr!("缺少行政村名称", "village name missing"));
    }
    for (name, v) in [
        ("county", &r.county),
        ("township", &r.township),
        ("village", &r.village),
    ] {
        text(&mut p, name, v);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn a_sound_household_has_no_problem_and_each_bad_field_is_named() {
        let mut h = Household::provisional("H1".into(), "张三".into(), "桂花村".into());
        h.head_id_number = "53232619490915548X".into();
        h.household_size = Some(3);
        assert!(household_problems(&h, today()).is_empty());
        let mut bad = h.clone();
        bad.household_size = Some(9999);
        bad.head_id_number = "532326194909155481".into();
        bad.head_name = "\x1b[2J王".into();
        bad.income_per_capita = Some(f64::NAN);
        bad.household_id = "1".repeat(65_536);
        let p = household_problems(&bad, today());
        let all: Vec<&str> = p.iter().map(|t| t.en.as_str()).collect();
        assert_eq!(p.len(), 5, "{all:?}");
        assert!(all.iter().any(|m| m.contains("household_size")));
        assert!(all.iter().any(|m| m.contains("head_id_number")));
        assert!(all.iter().any(|m| m.contains("head_name holds control")));
        assert!(all.iter().any(|m| m.contains("income_per_capita")));
        assert!(all.iter().any(|m| m.contains("household_id must be")));
    }
}
