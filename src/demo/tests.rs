//! Tests of the generated county as a whole: reproducibility, status mix, ids, ID numbers,
//! layout and members.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;

use super::*;
use crate::id_number::{birth_date, is_male};
use crate::registry::VillageType;

fn is_valid_resident_id(id: &str) -> bool {
    crate::id_number::is_valid(id, REFERENCE_DATE)
}

fn opts(households: usize, seed: u64) -> DemoOptions {
    DemoOptions { households, seed }
}

#[test]
fn default_options() {
    assert_eq!(
        DemoOptions::default(),
        DemoOptions {
            households: 300,
            seed: 2017
        }
    );
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = generate(&opts(500, 42));
    let b = generate(&opts(500, 42));
    let c = generate(&opts(500, 43));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(
        a.iter().map(|h| &h.head_name).collect::<Vec<_>>(),
        c.iter().map(|h| &h.head_name).collect::<Vec<_>>()
    );
    let streamed: Vec<_> = generate_iter(&opts(500, 42)).collect();
    assert_eq!(a, streamed);
}

/// Pins a few values of the default data so that a change of dependency or platform that
/// alters the draws is noticed.
#[test]
fn default_data_is_pinned() {
    let households = generate(&DemoOptions::default());
    assert_eq!(households.len(), 300);
    assert_eq!(households[0].household_id, "999901000000001");
    assert_eq!(households[299].household_id, "999901000000300");
    let fingerprint: u64 = households
        .iter()
        .flat_map(|h| h.head_id_number.bytes().chain(h.head_name.bytes()))
        .fold(0xcbf2_9ce4_8422_2325, |acc, b| {
            (acc ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    assert_eq!(fingerprint, PINNED_FINGERPRINT, "default demo data changed");
}

const PINNED_FINGERPRINT: u64 = 9_074_681_867_597_038_408;

#[test]
fn status_mix_of_a_thousand_households() {
    let households = generate(&opts(1000, 2017));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &households {
        *counts.entry(status_word(h.status)).or_default() += 1;
    }
    let poor = counts.get("未脱贫").copied().unwrap_or(0);
    let exited = counts.get("已脱贫").copied().unwrap_or(0);
    let returned = counts.get("返贫").copied().unwrap_or(0);
    let non_poor = counts.get("非贫困户").copied().unwrap_or(0);
    let edge = households.iter().filter(|h| h.edge).count();
    let mut per_village: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for h in &households {
        *per_village.entry((&h.township, &h.village)).or_default() += 1;
    }
    println!("status: {counts:?}, edge {edge}");
    println!("villages: {per_village:?}");
    assert_eq!(poor + exited + returned + non_poor, 1000);
    assert!((60..=140).contains(&poor), "poor {poor}");
    assert!((240..=380).contains(&exited), "exited {exited}");
    assert!((5..=45).contains(&returned), "returned {returned}");
    assert!((480..=680).contains(&non_poor), "non-poor {non_poor}");
    assert!(
        edge * 100 >= non_poor * 5 && edge * 100 <= non_poor * 16,
        "edge {edge} of {non_poor}"
    );
    assert!(
        households
            .iter()
            .filter(|h| h.edge)
            .all(|h| h.status == Status::NonPoor)
    );

    let exited_years: BTreeMap<i32, usize> =
        households
            .iter()
            .filter_map(|h| h.exit_year)
            .fold(BTreeMap::new(), |mut m, y| {
                *m.entry(y).or_default() += 1;
                m
            });
    assert!(exited_years.keys().all(|y| (2014..=2017).contains(y)));
    assert!(exited_years[&2016] + exited_years[&2017] > exited * 6 / 10);

    let line = 3300.0;
    let income = |h: &Household| h.income_per_capita.unwrap();
    let below = |s: Status| {
        households
            .iter()
            .filter(|h| h.status == s && income(h) < line)
            .count()
    };
    assert!(below(Status::Poor) * 10 >= poor * 7);
    let exited_below = below(Status::Exited);
    assert!(
        exited_below > 0 && exited_below * 10 < exited,
        "{exited_below}"
    );
    assert!(
        households
            .iter()
            .filter(|h| h.status == Status::NonPoor && !h.edge)
            .all(|h| income(h) >= 3000.0)
    );
    let types: BTreeSet<&str> = households
        .iter()
        .map(|h| h.household_type.as_str())
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["", "一般贫困户", "低保贫困户", "特困供养贫困户"])
    );
}

#[test]
fn registered_and_non_poor_households_carry_the_right_fields() {
    for h in generate(&opts(1000, 9)) {
        assert!(h.demo);
        assert!(!h.provisional);
        assert_eq!(h.county, COUNTY);
        assert!(h.county.contains("演示"));
        let registered = h.status != Status::NonPoor;
        assert_eq!(!h.helper.is_empty(), registered, "{h:?}");
        assert_eq!(!h.household_type.is_empty(), registered, "{h:?}");
        assert_eq!(h.exit_year.is_some(), h.status == Status::Exited);
        let size = h.household_size.unwrap();
        assert!((1..=7).contains(&size));
        if h.household_type == "特困供养贫困户" {
            assert!(size <= 2);
        }
    }
}

#[test]
fn household_ids_are_unique_fifteen_digits() {
    let households = generate(&opts(5000, 1));
    let ids: BTreeSet<&str> = households.iter().map(|h| h.household_id.as_str()).collect();
    assert_eq!(ids.len(), households.len());
    assert!(ids.iter().all(|id| {
        id.len() == 15 && id.starts_with(REGION_CODE) && id.bytes().all(|b| b.is_ascii_digit())
    }));
}

#[test]
fn every_id_number_is_valid_unique_and_fits_age_and_sex() {
    let households = generate(&opts(3000, 2017));
    let mut seen = BTreeSet::new();
    for h in &households {
        assert_eq!(h.head_id_number, h.members[0].id_number);
        assert_eq!(h.head_name, h.members[0].name);
        let head_age = h.members[0].age.unwrap();
        assert!((25..=85).contains(&head_age), "{head_age}");
        for m in &h.members {
            let id = &m.id_number;
            assert!(is_valid_resident_id(id), "{id}");
            assert!(id.starts_with(REGION_CODE));
            let birth = birth_date(id).unwrap();
            let age = m.age.unwrap();
            assert_eq!(REFERENCE_DATE.year() - birth.year(), age as i32, "{id}");
            assert!(birth <= REFERENCE_DATE);
            assert_eq!(is_male(id), Some(m.sex == "male"), "{id}");
            assert!(seen.insert(id.clone()), "duplicate {id}");
        }
    }
}

#[test]
fn three_hundred_households_live_in_six_villages_of_two_townships() {
    let households = generate(&DemoOptions::default());
    let townships: BTreeSet<&str> = households.iter().map(|h| h.township.as_str()).collect();
    let villages: BTreeMap<&str, (&str, VillageType, bool)> = households
        .iter()
        .map(|h| {
            (
                h.village.as_str(),
                (h.township.as_str(), h.village_type.unwrap(), h.remote),
            )
        })
        .collect();
    assert_eq!(townships.len(), 2);
    assert_eq!(villages.len(), 6);
    let of_type = |t| villages.values().filter(|v| v.1 == t).count();
    assert!(of_type(VillageType::Poor) >= 3);
    assert_eq!(of_type(VillageType::Exited), 1);
    for township in &townships {
        assert_eq!(villages.values().filter(|v| v.0 == *township).count(), 3);
    }
    // Every village has a remote group, and some villages are remote as a whole.
    for village in villages.keys() {
        let in_village: Vec<_> = households
            .iter()
            .filter(|h| h.village == *village)
            .collect();
        assert!(in_village.len() >= 20);
        assert!(in_village.iter().any(|h| h.remote), "{village}");
        let groups: BTreeSet<&str> = in_village
            .iter()
            .map(|h| h.village_group.as_str())
            .collect();
        assert!(
            groups
                .iter()
                .all(|g| g.starts_with('第') && g.ends_with('组'))
        );
        assert!(groups.len() >= 4);
    }
    let remote_villages = villages
        .keys()
        .filter(|v| {
            households
                .iter()
                .filter(|h| h.village == **v)
                .all(|h| h.remote)
        })
        .count();
    assert!(remote_villages >= 1);
}

#[test]
fn members_match_household_size_head_first() {
    let mut relations = BTreeSet::new();
    for h in generate(&opts(2000, 3)) {
        assert_eq!(h.members.len() as u32, h.household_size.unwrap());
        assert_eq!(h.members[0].relation, "head");
        assert_eq!(h.members.iter().filter(|m| m.relation == "head").count(), 1);
        for m in &h.members {
            assert!(["male", "female"].contains(&m.sex.as_str()));
            assert!(!m.name.is_empty());
            relations.insert(m.relation.clone());
        }
    }
    for r in ["head", "spouse", "child", "parent", "grandchild"] {
        assert!(relations.contains(r), "{r}");
    }
    assert!(relations.iter().all(|r| {
        [
            "head",
            "spouse",
            "child",
            "parent",
            "grandchild",
            "sibling",
            "other",
        ]
        .contains(&r.as_str())
    }));
}

#[test]
fn large_counts_scale_villages() {
    let it = generate_iter(&opts(10_000, 2017));
    assert_eq!(it.len(), 10_000);
    let households: Vec<_> = it.collect();
    let villages: BTreeSet<&str> = households.iter().map(|h| h.village.as_str()).collect();
    assert_eq!(villages.len(), 25);
    assert!(villages.contains("桂花村") && villages.contains("演示村007"));
}

#[test]
fn zero_households() {
    assert!(generate(&opts(0, 1)).is_empty());
}

/// A million households through the iterator; run with
/// `cargo test --release demo::tests::million -- --ignored --nocapture` to time it.
#[test]
#[ignore = "takes a while in debug builds"]
fn million_households_stream() {
    let start = std::time::Instant::now();
    let mut count = 0usize;
    let mut members = 0usize;
    let mut last_id = String::new();
    for h in generate_iter(&opts(1_000_000, 2017)) {
        count += 1;
        members += h.members.len();
        last_id = h.household_id;
    }
    let elapsed = start.elapsed();
    println!("1,000,000 households ({members} members) in {elapsed:?}");
    assert_eq!(count, 1_000_000);
    assert_eq!(last_id, "999901001000000");
}

/// Writing a million households as CSV to a sink; timed like the one above.
#[test]
#[ignore = "takes a while in debug builds"]
fn million_households_to_csv() {
    let start = std::time::Instant::now();
    write_csv(generate_iter(&opts(1_000_000, 2017)), std::io::sink()).unwrap();
    println!(
        "1,000,000 households written as CSV in {:?}",
        start.elapsed()
    );
}

#[test]
fn household_counts_are_checked() {
    use crate::limits::MAX_DEMO_HOUSEHOLDS;
    for n in [1, 300, MAX_DEMO_HOUSEHOLDS] {
        assert!(opts(n, 1).check().is_ok(), "{n}");
    }
    for n in [0, MAX_DEMO_HOUSEHOLDS + 1, usize::MAX] {
        let e = opts(n, 1).check().expect_err("refused");
        assert!(e.en.contains(&format!("between 1 and {MAX_DEMO_HOUSEHOLDS}, not {n}")));
        assert!(!e.zh.is_empty());
    }
}

#[test]
#[should_panic(expected = "at most")]
fn too_many_households_panic_before_allocating() {
    // Unchecked, the county layout for usize::MAX households asks for petabytes and the
    // allocator aborts the process.
    let _ = generate_iter(&opts(usize::MAX, 1));
}
