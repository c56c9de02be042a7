//! The fictional county (演示县) of the demo data: townships, villages with their attributes
//! and village groups, and how many households each village gets. Small counts keep the six
//! named villages of two townships; large counts add numbered villages of about 400 households.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::registry::VillageType;

use super::draw::{Weighted, between, chance};

/// County name written on every demo household; says plainly that the data is made up.
pub const COUNTY: &str = "演示县（演示数据）";
/// Fictional administrative code of the county (no real region has it): prefix of household
/// ids and region code of ID numbers.
pub const REGION_CODE: &str = "999901";
/// Village groups per village (第1组 … 第6组).
pub const GROUPS_PER_VILLAGE: u8 = 6;

/// Up to this many households the county has only its six named villages.
const SMALL_COUNTY_MAX: usize = 3000;
/// Households per village aimed at when villages are added for large counts.
const HOUSEHOLDS_PER_ADDED_VILLAGE: usize = 400;
/// Villages per added township.
const VILLAGES_PER_ADDED_TOWNSHIP: usize = 12;

/// A named village: name, village attribute, remote as a whole.
type NamedVillage = (&'static str, VillageType, bool);

/// The two named townships and their three named villages each.
const NAMED: [(&str, [NamedVillage; 3]); 2] = [
    (
        "清溪乡",
        [
            ("桂花村", VillageType::Poor, true),
            ("石桥村", VillageType::NonPoor, false),
            ("青山村", VillageType::Poor, false),
        ],
    ),
    (
        "白云镇",
        [
            ("松林村", VillageType::Exited, false),
            ("龙潭村", VillageType::Poor, true),
            ("白沙村", VillageType::NonPoor, false),
        ],
    ),
];

/// Village attribute of an added village.
static ADDED_TYPES: Weighted<VillageType> = Weighted::new(&[
    (VillageType::Poor, 40),
    (VillageType::Exited, 10),
    (VillageType::NonPoor, 50),
]);

/// One administrative village (行政村) of the demo county.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Village {
    pub township: String,
    pub name: String,
    pub village_type: VillageType,
    /// The whole village is remote (边远).
    pub remote: bool,
    /// Index (0-based) of the village group that lies far out; its households are remote.
    pub remote_group: u8,
    /// Households of this village in the demo data.
    pub households: u64,
}

/// Number of villages for a household count.
pub(crate) fn village_count(households: usize) -> usize {
    if households <= SMALL_COUNTY_MAX {
        6
    } else {
        households.div_ceil(HOUSEHOLDS_PER_ADDED_VILLAGE)
    }
}

/// The villages of the county for `households` households, with the households spread over
/// them by random weights (70–130). Drawn from stream 0 of the seed.
pub(crate) fn layout(households: usize, seed: u64) -> Vec<Village> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let count = village_count(households);
    let mut villages = Vec::with_capacity(count);
    for (township, named) in NAMED {
        for (name, village_type, remote) in named {
            villages.push(Village {
                township: township.to_string(),
                name: name.to_string(),
                village_type,
                remote,
                remote_group: 0,
                households: 0,
            });
        }
    }
    for i in villages.len()..count {
        let village_type = *ADDED_TYPES.pick(&mut rng);
        let remote_per_mille = if village_type == VillageType::Poor {
            350
        } else {
            150
        };
        let township = 3 + (i - 6) / VILLAGES_PER_ADDED_TOWNSHIP;
        villages.push(Village {
            township: format!("演示乡{township:03}"),
            name: format!("演示村{:03}", i + 1),
            village_type,
            remote: chance(&mut rng, remote_per_mille),
            remote_group: 0,
            households: 0,
        });
    }
    let groups = u32::from(GROUPS_PER_VILLAGE);
    let weights: Vec<u64> = villages
        .iter()
        .map(|_| u64::from(between(&mut rng, 70, 130)))
        .collect();
    for village in &mut villages {
        village.remote_group = u8::try_from(rng.random_range(0..groups)).expect("few groups");
    }
    let total: u64 = weights.iter().sum();
    let n = households as u128;
    let mut cumulative = 0u64;
    let mut given = 0u64;
    for (village, weight) in villages.iter_mut().zip(&weights) {
        cumulative += weight;
        let upto = u64::try_from(n * u128::from(cumulative) / u128::from(total))
            .expect("household count fits u64");
        village.households = upto - given;
        given = upto;
    }
    villages
}

/// Name of a village group by 0-based index: 第1组 ….
pub(crate) fn group_name(index: u8) -> String {
    format!("第{}组", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counties_keep_six_named_villages_in_two_townships() {
        let villages = layout(300, 2017);
        assert_eq!(villages.len(), 6);
        assert_eq!(villages.iter().map(|v| v.households).sum::<u64>(), 300);
        assert!(villages.iter().all(|v| v.households > 20));
        let poor = villages
            .iter()
            .filter(|v| v.village_type == VillageType::Poor)
            .count();
        assert_eq!(poor, 3);
        assert!(
            villages
                .iter()
                .any(|v| v.village_type == VillageType::Exited)
        );
        assert!(villages.iter().any(|v| v.remote));
        assert!(villages.iter().all(|v| v.remote_group < GROUPS_PER_VILLAGE));
    }

    #[test]
    fn large_counties_add_numbered_villages_of_about_400_households() {
        let villages = layout(1_000_000, 2017);
        assert_eq!(villages.len(), 2500);
        assert_eq!(
            villages.iter().map(|v| v.households).sum::<u64>(),
            1_000_000
        );
        assert!(villages.iter().all(|v| (200..=600).contains(&v.households)));
        assert_eq!(villages[6].name, "演示村007");
        assert_eq!(villages[6].township, "演示乡003");
        assert_eq!(villages[2499].township, "演示乡210");
        let names: std::collections::BTreeSet<_> = villages.iter().map(|v| &v.name).collect();
        assert_eq!(names.len(), villages.len());
    }

    #[test]
    fn tiny_counts_may_leave_villages_empty() {
        let villages = layout(2, 1);
        assert_eq!(villages.len(), 6);
        assert_eq!(villages.iter().map(|v| v.households).sum::<u64>(), 2);
    }
}
