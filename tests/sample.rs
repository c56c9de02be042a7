//! The assessment's sample: counts per village and kind, the choice of villages and groups,
//! reproducibility, villages too small, the store and the command line (JSON, CSV, XLSX).

mod common;

use common::ruhu;

use std::collections::{BTreeMap, HashMap, HashSet};

use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use ruhu::demo::{DemoOptions, generate};
use ruhu::questionnaire::Kind;
use ruhu::registry::{Household, Status, VillageType};
use ruhu::sample::{
    Frame, Reason, Role, Sample, SamplePlan, Shortfall, Wanted, draw, write_csv, write_xlsx,
};
use ruhu::store::Store;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Hand-made registries

/// A household of county 甲县, township 一乡.
fn hh(id: &str, village: &str, group: &str, status: Status) -> Household {
    let mut h = Household::provisional(id.to_string(), format!("户主{id}"), village.to_string());
    h.provisional = false;
    h.county = "甲县".into();
    h.township = "一乡".into();
    h.village_group = group.into();
    h.status = status;
    h.household_size = Some(1);
    h
}

/// A village of `n` households of one status and type.
fn village(
    prefix: &str,
    name: &str,
    village_type: Option<VillageType>,
    remote: bool,
    spec: &[(Status, usize)],
) -> Vec<Household> {
    let mut out = Vec::new();
    for &(status, n) in spec {
        for _ in 0..n {
            let mut h = hh(&format!("{prefix}{:04}", out.len()), name, "一组", status);
            h.village_type = village_type;
            h.remote = remote;
            out.push(h);
        }
    }
    out
}

fn demo(households: usize) -> Vec<Household> {
    generate(&DemoOptions {
        households,
        seed: 2017,
    })
}

fn sampled_villages(s: &Sample, role: Role) -> Vec<String> {
    s.villages
        .iter()
        .filter(|v| v.role == role)
        .map(|v| v.village.clone())
        .collect()
}

fn count(s: &Sample, village: &str, reason: Reason) -> usize {
    s.entries
        .iter()
        .filter(|e| e.village == village && e.reason == reason)
        .count()
}

fn assert_no_household_twice(s: &Sample) {
    let mut seen = HashSet::new();
    for e in &s.entries {
        assert!(seen.insert(&e.household_id), "{} twice", e.household_id);
    }
}

// ---------------------------------------------------------------------------------------------
// Counts per village and kind

/// Checks every drawn household against the registry and the plan: reason and kind agree
/// with the record, each village gives min(asked, available) per kind, and a shortfall is
/// reported exactly where available < asked.
fn check_counts(households: &[Household], s: &Sample, plan: &SamplePlan) {
    let by_id: HashMap<&str, &Household> = households
        .iter()
        .map(|h| (h.household_id.as_str(), h))
        .collect();
    for e in &s.entries {
        let h = by_id[e.household_id.as_str()];
        assert_eq!(e.kind, h.kind(), "{}", e.household_id);
        assert_eq!(
            (&e.county, &e.township, &e.village, &e.village_group),
            (&h.county, &h.township, &h.village, &h.village_group)
        );
        assert_eq!(e.head_name, h.head_name);
        match e.reason {
            Reason::PoorInVillage => assert_eq!(h.status, Status::Poor),
            Reason::ExitedInYear => {
                assert_eq!(h.status, Status::Exited);
                assert_eq!(h.exit_year, Some(s.year));
            }
            Reason::EdgeNonPoor => assert!(h.status == Status::NonPoor && h.edge),
            Reason::ReturnedCensus => assert_eq!(h.status, Status::Returned),
            Reason::RemoteGroupCensus => {}
        }
    }
    for v in &s.villages {
        let in_village: Vec<&Household> = households
            .iter()
            .filter(|h| {
                !h.provisional
                    && h.county == v.county
                    && h.township == v.township
                    && h.village == v.village
            })
            .collect();
        let available = [
            (
                Reason::PoorInVillage,
                Wanted::Poor,
                plan.poor_per_village,
                in_village
                    .iter()
                    .filter(|h| h.status == Status::Poor)
                    .count(),
            ),
            (
                Reason::ExitedInYear,
                Wanted::Exited,
                plan.exited_per_village,
                in_village
                    .iter()
                    .filter(|h| h.status == Status::Exited && h.exit_year == Some(s.year))
                    .count(),
            ),
            (
                Reason::EdgeNonPoor,
                Wanted::Edge,
                plan.edge_per_village,
                in_village
                    .iter()
                    .filter(|h| h.status == Status::NonPoor && h.edge)
                    .count(),
            ),
        ];
        for (reason, what, asked, found) in available {
            let drawn = s
                .village_entries(&v.county, &v.township, &v.village)
                .filter(|e| e.reason == reason)
                .count();
            assert_eq!(drawn, found.min(asked as usize), "{} {reason:?}", v.village);
            let short = s.shortfalls.iter().find(|sf| {
                sf.what == what
                    && sf.county == v.county
                    && sf.township == v.township
                    && sf.village == v.village
            });
            if found < asked as usize {
                let sf = short.unwrap_or_else(|| panic!("no shortfall {} {what:?}", v.village));
                assert_eq!((sf.asked, sf.found as usize), (asked, found));
            } else {
                assert!(short.is_none(), "{} {what:?}", v.village);
            }
        }
    }
    assert_no_household_twice(s);
}

#[test]
fn demo_county_counts_per_village_and_kind() {
    let plan = SamplePlan::default();
    for (size, seed) in [(300, 7), (300, 8), (3000, 7), (3000, 2024)] {
        let households = demo(size);
        let s = draw(&households, &plan, seed, 2017);
        assert_eq!(s.villages.len(), 5);
        check_counts(&households, &s, &plan);
        // The demo's three poor villages, ranked; two of its three non-poor ones.
        let mut poor = sampled_villages(&s, Role::Poor);
        poor.sort();
        assert_eq!(poor, ["桂花村", "青山村", "龙潭村"]);
        let non_poor = sampled_villages(&s, Role::NonPoor);
        assert_eq!(non_poor.len(), 2);
        assert!(
            non_poor
                .iter()
                .all(|v| ["石桥村", "松林村", "白沙村"].contains(&v.as_str()))
        );
    }
}

#[test]
fn large_demo_villages_give_the_full_numbers() {
    let households = demo(3000);
    let s = draw(&households, &SamplePlan::default(), 11, 2017);
    for v in sampled_villages(&s, Role::Poor) {
        assert_eq!(count(&s, &v, Reason::PoorInVillage), 5, "{v}");
        assert_eq!(count(&s, &v, Reason::ExitedInYear), 10, "{v}");
    }
    assert!(s.shortfalls.iter().all(|sf| {
        !matches!(sf.what, Wanted::Poor | Wanted::Exited)
            || s.villages
                .iter()
                .any(|v| v.village == sf.village && v.role == Role::NonPoor)
    }));
}

#[test]
fn a_hand_made_village_gives_exactly_the_plan() {
    let mut households = village(
        "A",
        "大村",
        Some(VillageType::Poor),
        false,
        &[(Status::Poor, 12), (Status::NonPoor, 30)],
    );
    for (i, h) in households.iter_mut().enumerate() {
        if h.status == Status::NonPoor && i % 3 == 0 {
            h.edge = true; // 10 edge households
        }
    }
    for i in 0..25 {
        let mut h = hh(&format!("E{i:03}"), "大村", "二组", Status::Exited);
        h.village_type = Some(VillageType::Poor);
        h.exit_year = Some(if i < 14 { 2017 } else { 2016 });
        households.push(h);
    }
    let plan = SamplePlan::default();
    let s = draw(&households, &plan, 3, 2017);
    assert_eq!(count(&s, "大村", Reason::PoorInVillage), 5);
    assert_eq!(count(&s, "大村", Reason::ExitedInYear), 10);
    assert_eq!(count(&s, "大村", Reason::EdgeNonPoor), 5);
    check_counts(&households, &s, &plan);
}

// ---------------------------------------------------------------------------------------------
// Villages too small

#[test]
fn a_village_with_fewer_than_asked_gives_all_it_has_and_says_so() {
    let mut households = village(
        "S",
        "小村",
        Some(VillageType::Poor),
        false,
        &[(Status::Poor, 2), (Status::Exited, 5), (Status::NonPoor, 5)],
    );
    for (i, h) in households.iter_mut().enumerate() {
        if h.status == Status::Exited {
            h.exit_year = Some(if i < 5 { 2017 } else { 2016 }); // 3 in 2017
        }
        if h.status == Status::NonPoor && i == 7 {
            h.edge = true;
        }
    }
    let s = draw(&households, &SamplePlan::default(), 1, 2017);
    assert_eq!(count(&s, "小村", Reason::PoorInVillage), 2);
    assert_eq!(count(&s, "小村", Reason::ExitedInYear), 3);
    assert_eq!(count(&s, "小村", Reason::EdgeNonPoor), 1);
    let short = |what: Wanted| -> Option<(u32, u32)> {
        s.shortfalls
            .iter()
            .find(|sf| sf.what == what && sf.village == "小村")
            .map(|sf| (sf.asked, sf.found))
    };
    assert_eq!(short(Wanted::Poor), Some((5, 2)));
    assert_eq!(short(Wanted::Exited), Some((10, 3)));
    assert_eq!(short(Wanted::Edge), Some((5, 1)));
    // The county itself is short of villages.
    let county = |what: Wanted| {
        s.shortfalls
            .iter()
            .find(|sf| sf.what == what && sf.village.is_empty())
            .map(|sf| (sf.asked, sf.found))
    };
    assert_eq!(county(Wanted::PoorVillages), Some((3, 1)));
    assert_eq!(county(Wanted::NonPoorVillages), Some((2, 0)));
    assert_eq!(county(Wanted::RemoteGroupInNonPoorVillage), Some((1, 0)));
    // Said plainly.
    let exited = s
        .shortfalls
        .iter()
        .find(|sf| sf.what == Wanted::Exited)
        .expect("exited shortfall");
    assert_eq!(
        s.describe(exited).zh,
        "一乡小村：2017年脱贫户只有 3 户，少于 10 户，已全部抽取"
    );
    assert_eq!(
        s.describe(exited).en,
        "一乡小村: households exited in 2017: 3 of 10 asked; all taken"
    );
    let none = Shortfall {
        what: Wanted::Edge,
        asked: 5,
        found: 0,
        ..exited.clone()
    };
    assert_eq!(
        s.describe(&none).zh,
        "一乡小村：没有边缘户（非贫困户）（应抽 5 户）"
    );
    let villages = s
        .shortfalls
        .iter()
        .find(|sf| sf.what == Wanted::PoorVillages)
        .expect("villages");
    assert_eq!(
        s.describe(villages).zh,
        "甲县：贫困村只有 1 个，少于 3 个，已全部抽取"
    );
}

#[test]
fn an_empty_registry_gives_an_empty_sample() {
    let s = draw(&[], &SamplePlan::default(), 1, 2017);
    assert!(s.entries.is_empty() && s.villages.is_empty() && s.shortfalls.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Villages: 3 poor by poor people with the remote lean, 2 non-poor

/// A poor village with `people` poor people (one poor household of that size).
fn poor_village(name: &str, people: u32, remote: bool) -> Vec<Household> {
    let mut hs = village(
        name,
        name,
        Some(VillageType::Poor),
        remote,
        &[(Status::Poor, 1), (Status::NonPoor, 3)],
    );
    hs[0].household_size = Some(people);
    hs
}

#[test]
fn poor_villages_are_those_with_the_most_poor_people_leaning_to_remote_ones() {
    let mut households = Vec::new();
    households.extend(poor_village("甲村", 10, false)); // 10
    households.extend(poor_village("乙村", 8, true)); // 8 × 1.5 = 12
    households.extend(poor_village("丙村", 9, false)); // 9
    households.extend(poor_village("丁村", 7, true)); // 7 × 1.5 = 10.5
    households.extend(poor_village("戊村", 3, true)); // 4.5
    for seed in 0..5 {
        let s = draw(&households, &SamplePlan::default(), seed, 2017);
        assert_eq!(sampled_villages(&s, Role::Poor), ["乙村", "丁村", "甲村"]);
        let first = &s.villages[0];
        assert!(first.remote);
        assert_eq!(first.poor_people, 8);
    }
    // Without the lean, the plain count decides.
    let plan = SamplePlan {
        remote_lean_percent: 100,
        ..SamplePlan::default()
    };
    let s = draw(&households, &plan, 0, 2017);
    assert_eq!(sampled_villages(&s, Role::Poor), ["甲村", "丙村", "乙村"]);
}

#[test]
fn poor_people_count_poor_and_returned_households_by_size() {
    let mut a = village(
        "A",
        "甲村",
        Some(VillageType::Poor),
        false,
        &[
            (Status::Poor, 2),
            (Status::Returned, 1),
            (Status::Exited, 9),
        ],
    );
    a[0].household_size = Some(4);
    a[1].household_size = None; // counts as one person
    a[2].household_size = Some(3);
    let s = draw(&a, &SamplePlan::default(), 0, 2017);
    assert_eq!(s.villages[0].poor_people, 4 + 1 + 3);
}

#[test]
fn a_tie_goes_to_the_remote_village() {
    let mut households = poor_village("甲村", 10, false);
    households.extend(poor_village("乙村", 10, true));
    let plan = SamplePlan {
        remote_lean_percent: 100,
        poor_villages: 1,
        ..SamplePlan::default()
    };
    for seed in 0..5 {
        let s = draw(&households, &plan, seed, 2017);
        assert_eq!(sampled_villages(&s, Role::Poor), ["乙村"]);
    }
}

#[test]
fn exited_and_unknown_villages_count_as_non_poor_and_the_majority_type_decides() {
    let mut households = Vec::new();
    households.extend(village(
        "X",
        "出列村",
        Some(VillageType::Exited),
        false,
        &[(Status::Poor, 3)],
    ));
    households.extend(village("U", "未知村", None, false, &[(Status::Poor, 3)]));
    // Two households say poor village, one says non-poor: a poor village.
    let mut mixed = village(
        "M",
        "混合村",
        Some(VillageType::Poor),
        false,
        &[(Status::Poor, 3)],
    );
    mixed[2].village_type = Some(VillageType::NonPoor);
    households.extend(mixed);
    let s = draw(&households, &SamplePlan::default(), 0, 2017);
    assert_eq!(sampled_villages(&s, Role::Poor), ["混合村"]);
    let mut non_poor = sampled_villages(&s, Role::NonPoor);
    non_poor.sort();
    assert_eq!(non_poor, ["出列村", "未知村"]);
    let unknown = s
        .villages
        .iter()
        .find(|v| v.village == "未知村")
        .expect("v");
    assert_eq!(unknown.village_type, None);
    let exited = s
        .villages
        .iter()
        .find(|v| v.village == "出列村")
        .expect("v");
    assert_eq!(exited.village_type, Some(VillageType::Exited));
}

#[test]
fn non_poor_villages_are_drawn_by_lot_leaning_to_remote_ones() {
    let mut households = Vec::new();
    for (i, remote) in [true, false, false, false, false, false]
        .into_iter()
        .enumerate()
    {
        households.extend(village(
            &format!("N{i}"),
            &format!("村{i}"),
            Some(VillageType::NonPoor),
            remote,
            &[(Status::NonPoor, 4)],
        ));
    }
    let plan = SamplePlan {
        non_poor_villages: 1,
        non_poor_remote_weight: 100,
        ..SamplePlan::default()
    };
    let mut remote_drawn = 0;
    let mut drawn = HashSet::new();
    for seed in 0..40 {
        let s = draw(&households, &plan, seed, 2017);
        let v = sampled_villages(&s, Role::NonPoor);
        assert_eq!(v.len(), 1);
        remote_drawn += usize::from(v[0] == "村0");
        drawn.insert(v[0].clone());
    }
    assert!(remote_drawn >= 34, "remote drawn {remote_drawn} of 40");
    // Without a lean, different seeds draw different villages.
    let plan = SamplePlan {
        non_poor_remote_weight: 1,
        ..plan
    };
    let drawn: HashSet<String> = (0..40)
        .map(|seed| {
            sampled_villages(&draw(&households, &plan, seed, 2017), Role::NonPoor)[0].clone()
        })
        .collect();
    assert!(drawn.len() >= 4, "{drawn:?}");
}

#[test]
fn every_county_gets_its_own_villages_and_returned_census() {
    let mut households = demo(300);
    let mut other = demo(300);
    for h in &mut other {
        h.county = "乙县".into();
        h.household_id = format!("B{}", h.household_id);
    }
    households.extend(other);
    let plan = SamplePlan::default();
    let s = draw(&households, &plan, 5, 2017);
    check_counts(&households, &s, &plan);
    let per_county: BTreeMap<&str, (usize, usize)> =
        s.villages.iter().fold(BTreeMap::new(), |mut m, v| {
            let e = m.entry(v.county.as_str()).or_insert((0, 0));
            match v.role {
                Role::Poor => e.0 += 1,
                Role::NonPoor => e.1 += 1,
            }
            m
        });
    assert_eq!(per_county.len(), 2);
    assert!(per_county.values().all(|&c| c == (3, 2)), "{per_county:?}");
    let groups: Vec<(&str, Role)> = s
        .census_groups
        .iter()
        .map(|g| (g.county.as_str(), g.role))
        .collect();
    assert_eq!(groups.len(), 4);
    for county in ["乙县", "演示县（演示数据）"] {
        assert!(groups.contains(&(county, Role::Poor)));
        assert!(groups.contains(&(county, Role::NonPoor)));
    }
}

// ---------------------------------------------------------------------------------------------
// Censuses

#[test]
fn every_returned_household_is_in_the_sample() {
    let households = demo(3000);
    let s = draw(&households, &SamplePlan::default(), 9, 2017);
    let returned: HashSet<&str> = households
        .iter()
        .filter(|h| h.status == Status::Returned)
        .map(|h| h.household_id.as_str())
        .collect();
    assert!(returned.len() > 20);
    let census: HashSet<&str> = s
        .entries
        .iter()
        .filter(|e| e.reason == Reason::ReturnedCensus)
        .map(|e| e.household_id.as_str())
        .collect();
    assert_eq!(census, returned);
    // Also from villages that were not sampled.
    let sampled: HashSet<&str> = s.villages.iter().map(|v| v.village.as_str()).collect();
    assert!(
        s.entries
            .iter()
            .any(|e| e.reason == Reason::ReturnedCensus && !sampled.contains(e.village.as_str()))
    );
}

#[test]
fn every_household_of_the_remote_groups_is_in_the_sample() {
    for seed in [1, 2, 3] {
        let households = demo(3000);
        let s = draw(&households, &SamplePlan::default(), seed, 2017);
        assert_eq!(s.census_groups.len(), 2);
        let ids: HashMap<&str, Reason> = s
            .entries
            .iter()
            .map(|e| (e.household_id.as_str(), e.reason))
            .collect();
        for g in &s.census_groups {
            assert!(g.remote(), "{g:?}");
            let v = s
                .villages
                .iter()
                .find(|v| v.township == g.township && v.village == g.village)
                .expect("the group's village is sampled");
            assert_eq!(v.role, g.role);
            let members: Vec<&Household> = households
                .iter()
                .filter(|h| {
                    h.township == g.township
                        && h.village == g.village
                        && h.village_group == g.village_group
                })
                .collect();
            assert_eq!(members.len() as u64, g.households);
            assert!(members.iter().all(|h| h.remote));
            for h in members {
                let reason = ids
                    .get(h.household_id.as_str())
                    .unwrap_or_else(|| panic!("{} of the group is missing", h.household_id));
                // Drawn earlier for another reason, or for the census.
                match h.status {
                    Status::Returned => assert_eq!(*reason, Reason::ReturnedCensus),
                    Status::NonPoor if !h.edge => {
                        assert_eq!(*reason, Reason::RemoteGroupCensus)
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(
            s.census_groups.iter().map(|g| g.role).collect::<Vec<_>>(),
            [Role::Poor, Role::NonPoor]
        );
    }
}

#[test]
fn the_remote_group_is_the_one_flagged_remote() {
    let mut households = Vec::new();
    for (i, (group, remote)) in [("一组", false), ("二组", true), ("三组", false)]
        .into_iter()
        .enumerate()
    {
        for j in 0..4 {
            let mut h = hh(&format!("G{i}{j}"), "山村", group, Status::Exited);
            h.village_type = Some(VillageType::Poor);
            h.remote = remote;
            h.exit_year = Some(2015);
            households.push(h);
        }
    }
    households[0].remote = true; // one remote household does not make 一组 remote
    for seed in 0..10 {
        let s = draw(&households, &SamplePlan::default(), seed, 2017);
        let g = &s.census_groups[0];
        assert_eq!(g.village_group, "二组");
        assert_eq!((g.households, g.remote_households), (4, 4));
        let census: Vec<&str> = s
            .entries
            .iter()
            .filter(|e| e.reason == Reason::RemoteGroupCensus)
            .map(|e| e.household_id.as_str())
            .collect();
        assert_eq!(census, ["G10", "G11", "G12", "G13"]);
        assert!(
            !s.shortfalls
                .iter()
                .any(|sf| sf.what == Wanted::RemoteGroupInPoorVillage)
        );
    }
}

#[test]
fn without_remote_flags_a_group_is_still_censused_and_the_shortfall_said() {
    let mut households = village(
        "P",
        "平村",
        Some(VillageType::Poor),
        false,
        &[(Status::Poor, 6)],
    );
    households[3].village_group = "二组".into();
    let mut nameless = village(
        "Q",
        "无组村",
        Some(VillageType::NonPoor),
        false,
        &[(Status::NonPoor, 3)],
    );
    for h in &mut nameless {
        h.village_group = " ".into();
    }
    households.extend(nameless);
    let s = draw(&households, &SamplePlan::default(), 4, 2017);
    assert_eq!(s.census_groups.len(), 1);
    let g = &s.census_groups[0];
    assert!(!g.remote());
    assert_eq!(g.role, Role::Poor);
    let poor_short = s
        .shortfalls
        .iter()
        .find(|sf| sf.what == Wanted::RemoteGroupInPoorVillage)
        .expect("poor group shortfall");
    assert_eq!((poor_short.asked, poor_short.found), (1, 0));
    assert_eq!(
        s.describe(poor_short).zh,
        "甲县：样本贫困村中没有边远村民小组，另取最偏远的 1 个村民小组普查"
    );
    let non_poor_short = s
        .shortfalls
        .iter()
        .find(|sf| sf.what == Wanted::RemoteGroupInNonPoorVillage)
        .expect("non-poor group shortfall");
    assert_eq!(
        s.describe(non_poor_short).zh,
        "甲县：样本非贫困村中没有边远村民小组，没有其他村民小组可普查"
    );
}

#[test]
fn provisional_households_take_no_part() {
    let mut households = village(
        "P",
        "平村",
        Some(VillageType::Poor),
        false,
        &[(Status::Poor, 3)],
    );
    let mut p = Household::provisional("P-1234abcd".into(), "新户".into(), "平村".into());
    p.county = "甲县".into();
    p.township = "一乡".into();
    p.village_group = "一组".into();
    p.status = Status::Returned;
    households.push(p);
    let s = draw(&households, &SamplePlan::default(), 4, 2017);
    assert!(s.entries.iter().all(|e| e.household_id != "P-1234abcd"));
    assert_eq!(s.villages[0].households, 3);
}

// ---------------------------------------------------------------------------------------------
// Reproducibility

#[test]
fn the_same_seed_and_registry_give_the_same_sample() {
    let households = demo(3000);
    let plan = SamplePlan::default();
    let a = draw(&households, &plan, 42, 2017);
    let b = draw(&households, &plan, 42, 2017);
    assert_eq!(a, b);

    let mut shuffled = households.clone();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(1));
    assert_eq!(draw(&shuffled, &plan, 42, 2017), a);
    shuffled.reverse();
    assert_eq!(draw(&shuffled, &plan, 42, 2017), a);

    let c = draw(&households, &plan, 43, 2017);
    assert_ne!(a.entries, c.entries);
    assert_eq!(c.seed, 43);
}

#[test]
fn a_change_in_one_village_does_not_move_the_draw_in_another() {
    let households = demo(3000);
    let plan = SamplePlan::default();
    let a = draw(&households, &plan, 42, 2017);
    let poor_village = &a.villages[0];
    // Add an unrelated household in a village that is not sampled.
    let unsampled = households
        .iter()
        .find(|h| !a.villages.iter().any(|v| v.village == h.village))
        .map(|h| h.village.clone());
    let mut more = households.clone();
    let mut extra = households[0].clone();
    extra.household_id = "999901999999999".into();
    extra.status = Status::NonPoor;
    extra.edge = false;
    extra.remote = false;
    if let Some(v) = unsampled {
        extra.village = v;
    }
    more.push(extra);
    let b = draw(&more, &plan, 42, 2017);
    let drawn = |s: &Sample| -> Vec<String> {
        s.village_entries(
            &poor_village.county,
            &poor_village.township,
            &poor_village.village,
        )
        .filter(|e| e.reason == Reason::PoorInVillage)
        .map(|e| e.household_id.clone())
        .collect()
    };
    assert_eq!(drawn(&a), drawn(&b));
}

#[test]
fn the_two_passes_give_what_draw_gives() {
    let households = demo(300);
    let plan = SamplePlan::default();
    let mut frame = Frame::new();
    for h in households.iter().rev() {
        frame.add(h);
    }
    assert_eq!(frame.households(), 300);
    assert_eq!(frame.latest_exit_year(), Some(2017));
    let mut selection = frame.choose(&plan, 7, 2017);
    assert_eq!(selection.year(), 2017);
    for h in &households {
        selection.offer(h);
    }
    assert_eq!(selection.finish(), draw(&households, &plan, 7, 2017));
}

#[test]
fn only_households_exited_in_the_year_are_drawn_as_exited() {
    let households = demo(3000);
    let s2016 = draw(&households, &SamplePlan::default(), 1, 2016);
    assert!(s2016.count(Reason::ExitedInYear) > 0);
    check_counts(&households, &s2016, &SamplePlan::default());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any small registry: no panic, no household twice, never more than asked, every
    /// shortfall's found equals what was drawn.
    #[test]
    fn any_registry_gives_a_consistent_sample(
        rows in prop::collection::vec(
            (0u8..3, 0u8..4, 0u8..3, 0u8..4, 0u8..4, any::<bool>(), any::<bool>(), 0u32..8),
            0..120,
        ),
        seed in any::<u64>(),
    ) {
        let statuses = [Status::Poor, Status::Exited, Status::Returned, Status::NonPoor];
        let types = [None, Some(VillageType::Poor), Some(VillageType::Exited), Some(VillageType::NonPoor)];
        let households: Vec<Household> = rows
            .iter()
            .enumerate()
            .map(|(i, &(county, village, group, status, vtype, remote, edge, size))| {
                let mut h = hh(&format!("{i:05}"), &format!("村{village}"), &format!("{group}组"), statuses[status as usize]);
                h.county = format!("县{county}");
                h.village_type = types[vtype as usize];
                h.remote = remote;
                h.edge = edge;
                h.household_size = Some(size);
                h.exit_year = Some(2016 + (i as i32 % 2));
                h
            })
            .collect();
        let plan = SamplePlan::default();
        let s = draw(&households, &plan, seed, 2017);
        check_counts(&households, &s, &plan);
        let counties: HashSet<&str> = households.iter().map(|h| h.county.as_str()).collect();
        prop_assert!(s.villages.len() <= counties.len() * 5);
        let returned = households.iter().filter(|h| h.status == Status::Returned).count();
        prop_assert_eq!(s.count(Reason::ReturnedCensus), returned);
    }
}

// ---------------------------------------------------------------------------------------------
// Store

#[test]
fn the_store_keeps_the_sample_and_its_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    store.put_households(demo(300)).expect("households");
    let mut frame = Frame::new();
    for h in store.households() {
        frame.add(&h.expect("household"));
    }
    let mut selection = frame.choose(&SamplePlan::default(), 7, 2017);
    for h in store.households() {
        selection.offer(&h.expect("household"));
    }
    let s = selection.finish();
    store.put_sample(&s).expect("put");
    assert_eq!(store.sample().expect("get").as_ref(), Some(&s));
    let ids = store.sample_ids().expect("ids");
    assert_eq!(ids.len(), s.entries.len());
    for e in &s.entries {
        assert!(ids.contains(&e.household_id));
        assert!(store.in_sample(&e.household_id).expect("in"));
        assert_eq!(
            store.sample_reason(&e.household_id).expect("reason"),
            Some(e.reason)
        );
    }
    let outside = store
        .households()
        .map(|h| h.expect("household").household_id)
        .find(|id| !ids.contains(id))
        .expect("a household outside the sample");
    assert!(!store.in_sample(&outside).expect("in"));
}

// ---------------------------------------------------------------------------------------------
// Export

#[test]
fn csv_export_has_a_bom_chinese_headers_and_ids_as_text() {
    let s = draw(&demo(300), &SamplePlan::default(), 7, 2017);
    let mut buf = Vec::new();
    write_csv(&s, &mut buf).expect("csv");
    assert!(buf.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(buf[3..].to_vec()).expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers[..3], ["序号", "户编号", "户主姓名"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), s.entries.len());
    for (row, e) in rows.iter().zip(&s.entries) {
        assert_eq!(&row[1], format!("'{}", e.household_id));
        assert_eq!(&row[2], e.head_name);
        assert_eq!(&row[5], e.village);
        assert_eq!(&row[7], e.kind.label().zh);
        assert_eq!(&row[8], e.reason.label().zh);
        assert_eq!(&row[9], e.reason.name());
    }
}

#[test]
fn xlsx_export_reads_back_with_ids_as_text() {
    use calamine::{Data, Reader, Xlsx};
    let mut s = draw(&demo(300), &SamplePlan::default(), 7, 2017);
    s.drawn_at =
        Some(chrono::DateTime::parse_from_rfc3339("2024-03-05T09:30:07.123456789+08:00").unwrap());
    let bytes = write_xlsx(&s).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
    assert_eq!(book.sheet_names(), ["样本", "说明"]);
    let range = book.worksheet_range("样本").expect("sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), s.entries.len() + 1);
    assert_eq!(rows[0][1], Data::String("户编号".into()));
    for (row, e) in rows[1..].iter().zip(&s.entries) {
        assert_eq!(row[1], Data::String(e.household_id.clone()));
        assert_eq!(row[8], Data::String(e.reason.label().zh));
    }
    let notes = book.worksheet_range("说明").expect("notes");
    let cells: Vec<String> = notes.cells().map(|(_, _, d)| d.to_string()).collect();
    assert!(cells.contains(&"7".to_string()));
    assert!(cells.iter().any(|c| c.contains("已全部抽取")));
    // The time it was drawn, as a person reads it: the laptop's local time.
    assert!(
        cells.contains(&"2024-03-05 09:30:07".to_string()),
        "{cells:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Command line

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn cli_draws_stores_shows_and_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (code, _, err) = ruhu(&data, &["sample", "--seed", "7"]);
    assert_eq!(code, 1, "empty registry");
    assert!(err.contains("ruhu demo"), "{err}");
    let (code, _, err) = ruhu(&data, &["sample", "--show"]);
    assert_eq!(code, 1);
    assert!(err.contains("--seed"), "{err}");

    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let (code, out, err) = ruhu(&data, &["sample", "--seed", "7", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_of(&out);
    assert_eq!(v["seed"], 7);
    assert_eq!(v["year"], 2017, "the latest exit year of the demo registry");
    let entries = v["entries"].as_array().expect("entries");
    let expected = draw(&demo(300), &SamplePlan::default(), 7, 2017);
    assert_eq!(entries.len(), expected.entries.len());
    for (e, x) in entries.iter().zip(&expected.entries) {
        assert_eq!(e["household_id"], json!(x.household_id));
        assert_eq!(e["village"], json!(x.village));
        assert_eq!(e["reason"], json!(x.reason.name()));
        for field in ["township", "county", "village_group", "kind", "head_name"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
    let shortfalls = v["shortfalls"].as_array().expect("shortfalls");
    assert!(!shortfalls.is_empty());
    for s in shortfalls {
        for field in ["village", "what", "asked", "found"] {
            assert!(s.get(field).is_some(), "{field}");
        }
        assert!(
            s["message"]["zh"]
                .as_str()
                .is_some_and(|m| m.contains("户") || m.contains("个"))
        );
    }
    assert_eq!(
        v["counts"]["poor_in_village"],
        json!(expected.count(Reason::PoorInVillage))
    );

    // Shown again without drawing; the same seed draws the same again.
    let (code, shown, _) = ruhu(&data, &["sample", "--show", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json_of(&shown)["entries"], v["entries"]);
    assert_eq!(json_of(&shown)["drawn_at"], v["drawn_at"]);
    let (_, again, _) = ruhu(&data, &["sample", "--seed", "7", "--format", "json"]);
    assert_eq!(json_of(&again)["entries"], v["entries"]);
    let (_, other, _) = ruhu(
        &data,
        &[
            "sample", "--seed", "8", "--year", "2016", "--format", "json",
        ],
    );
    let other = json_of(&other);
    assert_eq!(other["year"], 2016);
    assert_ne!(other["entries"], v["entries"]);
    // The last draw is the stored one.
    let (_, shown, _) = ruhu(&data, &["sample", "--show", "--format", "json"]);
    assert_eq!(json_of(&shown)["seed"], 8);

    // Text, in both languages.
    let (code, text, _) = ruhu(&data, &["sample", "--seed", "7"]);
    assert_eq!(code, 0);
    assert!(text.contains("随机种子 7"), "{text}");
    assert!(text.contains("已全部抽取"), "{text}");
    let (_, text, _) = ruhu(&data, &["--lang", "en", "sample", "--show"]);
    assert!(text.contains("seed 7"), "{text}");
    assert!(text.contains("all taken"), "{text}");

    // Export.
    let csv_path = dir.path().join("样本.csv");
    let (code, _, err) = ruhu(
        &data,
        &[
            "sample",
            "--show",
            "--out",
            csv_path.to_str().expect("path"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&csv_path).expect("csv");
    assert!(bytes.starts_with("\u{feff}\"序号\",\"户编号\"".as_bytes()));
    let xlsx_path = dir.path().join("sample.XLSX");
    let (code, out, err) = ruhu(
        &data,
        &[
            "sample",
            "--seed",
            "7",
            "--out",
            xlsx_path.to_str().expect("path"),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_of(&out)["out"], json!(xlsx_path));
    let bytes = std::fs::read(&xlsx_path).expect("xlsx");
    assert!(bytes.starts_with(b"PK"), "a zip file");

    let (code, _, err) = ruhu(&data, &["sample", "--seed", "9", "--out", "x.txt"]);
    assert_eq!(code, 1);
    assert!(err.contains(".xlsx"), "{err}");
    let (_, shown, _) = ruhu(&data, &["sample", "--show", "--format", "json"]);
    assert_eq!(json_of(&shown)["seed"], 7, "a bad --out draws nothing");

    // Usage errors.
    assert_eq!(ruhu(&data, &["sample"]).0, 2);
    assert_eq!(ruhu(&data, &["sample", "--show", "--seed", "1"]).0, 2);
}

#[test]
fn cli_uses_the_plan_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    {
        let store = Store::open(&data).expect("open");
        store
            .set_setting(
                SamplePlan::SETTING,
                &json!({"poor_villages": 1, "non_poor_villages": 1, "poor_per_village": 2}),
            )
            .expect("setting");
    }
    let (code, out, err) = ruhu(&data, &["sample", "--seed", "3", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json_of(&out);
    assert_eq!(v["villages"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["plan"]["poor_per_village"], 2);
    assert_eq!(v["counts"]["poor_in_village"], 2 + 1); // 2 in the poor village, 1 in the other

    {
        let store = Store::open(&data).expect("open");
        store
            .set_setting(SamplePlan::SETTING, &json!({"poor_villages": "three"}))
            .expect("setting");
    }
    let (code, _, err) = ruhu(&data, &["sample", "--seed", "3"]);
    assert_eq!(code, 1);
    assert!(err.contains("sample_plan"), "{err}");
}

#[test]
fn kinds_in_the_json_are_the_questionnaire_kinds() {
    let s = draw(&demo(300), &SamplePlan::default(), 7, 2017);
    let v = serde_json::to_value(&s).expect("json");
    let kinds: HashSet<String> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_string())
        .collect();
    for k in &kinds {
        assert!(Kind::parse(k).is_some(), "{k}");
    }
}
