//! The registry attributes of one demo household: status by village attribute, 贫困户属性,
//! household size, head's sex and age, exit year and income per head. Incomes cluster around
//! the income line so that reconciliation has near-misses to find.

use rand::Rng;

use crate::registry::{Status, VillageType};

use super::draw::{Weighted, between, chance, hump};

/// Income line (yuan per head and year) the demo incomes are shaped around. It only shapes the
/// demo data; the line the checks use is a setting elsewhere.
pub(crate) const INCOME_LINE: u32 = 3300;

/// 贫困户属性 (aac006) as exported.
pub(crate) const TYPE_ORDINARY: &str = "一般贫困户";
pub(crate) const TYPE_DIBAO: &str = "低保贫困户";
pub(crate) const TYPE_TEKUN: &str = "特困供养贫困户";

/// Status mix per village attribute, in tenths of a percent. Poor villages hold more poor and
/// exited households; over the six named villages this gives about 10% poor, 31% exited, 2%
/// returned.
static STATUS_POOR_VILLAGE: Weighted<Status> = Weighted::new(&[
    (Status::Poor, 140),
    (Status::Exited, 380),
    (Status::Returned, 30),
    (Status::NonPoor, 450),
]);
static STATUS_EXITED_VILLAGE: Weighted<Status> = Weighted::new(&[
    (Status::Poor, 60),
    (Status::Exited, 360),
    (Status::Returned, 20),
    (Status::NonPoor, 560),
]);
static STATUS_NON_POOR_VILLAGE: Weighted<Status> = Weighted::new(&[
    (Status::Poor, 60),
    (Status::Exited, 200),
    (Status::Returned, 10),
    (Status::NonPoor, 730),
]);

static HOUSEHOLD_TYPES: Weighted<&str> =
    Weighted::new(&[(TYPE_ORDINARY, 76), (TYPE_DIBAO, 19), (TYPE_TEKUN, 5)]);

static EXIT_YEARS: Weighted<i32> = Weighted::new(&[(2014, 6), (2015, 16), (2016, 34), (2017, 44)]);

static SIZES: Weighted<u32> =
    Weighted::new(&[(1, 5), (2, 12), (3, 22), (4, 27), (5, 20), (6, 9), (7, 5)]);

/// Registry status of a household in a village of the given attribute.
pub(crate) fn status<R: Rng>(rng: &mut R, village_type: VillageType) -> Status {
    let table = match village_type {
        VillageType::Poor => &STATUS_POOR_VILLAGE,
        VillageType::Exited => &STATUS_EXITED_VILLAGE,
        VillageType::NonPoor => &STATUS_NON_POOR_VILLAGE,
    };
    *table.pick(rng)
}

/// 贫困户属性 of a registered household (poor, exited, returned); empty for non-poor ones.
pub(crate) fn household_type<R: Rng>(rng: &mut R, status: Status) -> &'static str {
    match status {
        Status::NonPoor => "",
        _ => HOUSEHOLD_TYPES.pick(rng),
    }
}

/// 家庭人口数: 1–7, mostly 3–5; households under 特困供养 have one or two people.
pub(crate) fn size<R: Rng>(rng: &mut R, household_type: &str) -> u32 {
    if household_type == TYPE_TEKUN {
        if chance(rng, 700) { 1 } else { 2 }
    } else {
        *SIZES.pick(rng)
    }
}

/// Head's sex (true = male) and age (25–85). People living alone and 特困供养 heads are older.
pub(crate) fn head<R: Rng>(rng: &mut R, household_type: &str, size: u32) -> (bool, u32) {
    let male = chance(rng, 820);
    let age = if household_type == TYPE_TEKUN {
        between(rng, 60, 85)
    } else if size == 1 {
        hump(rng, 40, 85)
    } else {
        hump(rng, 25, 85)
    };
    (male, age)
}

/// 脱贫年度 of an exited household: 2014–2017, most in 2016–2017.
pub(crate) fn exit_year<R: Rng>(rng: &mut R) -> i32 {
    *EXIT_YEARS.pick(rng)
}

/// 是否边缘户: about one non-poor household in ten lives just above the line.
pub(crate) fn edge<R: Rng>(rng: &mut R, status: Status) -> bool {
    status == Status::NonPoor && chance(rng, 100)
}

/// 人均纯收入 in whole yuan. Poor and returned households mostly below the line, exited ones
/// mostly 3500–9000 with a few just over or under it, edge households near it, the other
/// non-poor 6000–20000.
pub(crate) fn income<R: Rng>(rng: &mut R, status: Status, edge: bool) -> u32 {
    let line = INCOME_LINE;
    let roll = between(rng, 0, 999);
    match status {
        Status::Poor => match roll {
            0..800 => hump(rng, 1200, line),
            800..920 => between(rng, line + 1, 4200),
            _ => between(rng, 4201, 9000),
        },
        Status::Returned => match roll {
            0..850 => hump(rng, 1200, line),
            _ => between(rng, line + 1, 5000),
        },
        Status::Exited => match roll {
            0..50 => between(rng, 2600, line - 1),
            50..120 => between(rng, line, line + 400),
            _ => hump(rng, 3500, 9000),
        },
        Status::NonPoor if edge => match roll {
            0..150 => between(rng, 2500, line - 1),
            _ => hump(rng, line, 7000),
        },
        Status::NonPoor => match roll {
            0..10 => between(rng, 3000, 5999),
            _ => hump(rng, 6000, 20000),
        },
    }
}
