//! Demo data: the registry households of a fictional county (演示县), reproducible from a seed
//! on every machine, streamed one household at a time so benchmarks can draw a million, and
//! written as registry CSV files shaped like a county export.

mod county;
mod draw;
mod export;
mod household;
mod members;
mod names;
mod projects;
mod resident_id;
pub mod talks;

#[cfg(test)]
mod tests;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::i18n::Text;
use crate::limits::MAX_DEMO_HOUSEHOLDS;
use crate::registry::{Household, Member, Status};

pub use county::{COUNTY, GROUPS_PER_VILLAGE, REGION_CODE};
pub use export::{
    HOUSEHOLD_HEADERS, MEMBER_HEADERS, status_word, village_type_word, write_csv, write_members_csv,
};
pub use members::{relation_word, sex_word};
pub use projects::{PROJECT_HEADERS, PROJECTS_FILE, generate_projects, write_projects_csv};
pub use resident_id::resident_id;

/// The day ages refer to: the end of the 2017 assessment year. A person of age `a` was born in
/// 2017 − `a`.
pub const REFERENCE_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2017, 12, 31) {
    Some(date) => date,
    None => panic!("valid date"),
};

/// Birth years that ages 0 to [`members::MAX_AGE`] span on the reference date.
const FIRST_BIRTH_YEAR: i32 = 2017 - members::MAX_AGE as i32;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Number of households.
    pub households: usize,
    /// Seed of the random draws: the same options give the same data everywhere.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            households: 300,
            seed: 2017,
        }
    }
}

impl DemoOptions {
    /// Refuses a household count the command line should not ask for: none (nothing to load
    /// or write), or more than [`MAX_DEMO_HOUSEHOLDS`] (the county layout alone would not fit
    /// in memory near `usize::MAX`).
    pub fn check(&self) -> Result<(), Text> {
        if (1..=MAX_DEMO_HOUSEHOLDS).contains(&self.households) {
            Ok(())
        } else {
            Err(crate::tr!(
                "演示数据的户数应在 1 到 {} 之间，不能是 {}",
                "the number of demo households must be between 1 and {}, not {}",
                MAX_DEMO_HOUSEHOLDS,
                self.households
            ))
        }
    }
}

/// All demo households at once (the collected [`generate_iter`]).
pub fn generate(opts: &DemoOptions) -> Vec<Household> {
    generate_iter(opts).collect()
}

/// The demo households one at a time, village by village, holding only the county layout.
///
/// Household ids are `999901` and a 9-digit sequence.
///
/// # Panics
/// With more than [`MAX_DEMO_HOUSEHOLDS`] households (see [`DemoOptions::check`]).
pub fn generate_iter(opts: &DemoOptions) -> impl ExactSizeIterator<Item = Household> + use<> {
    assert!(
        opts.households <= MAX_DEMO_HOUSEHOLDS,
        "{} demo households asked, at most {MAX_DEMO_HOUSEHOLDS} are made",
        opts.households
    );
    DemoHouseholds {
        seed: opts.seed,
        villages: county::layout(opts.households, opts.seed),
        next_village: 0,
        village: None,
        remaining: opts.households,
        next_seq: 1,
        codes: resident_id::OrderCodes::new(FIRST_BIRTH_YEAR, REFERENCE_DATE.year()),
    }
}

/// Draw state of the village being filled.
struct VillageState {
    index: usize,
    left: u64,
    rng: ChaCha8Rng,
    group_weights: [u32; GROUPS_PER_VILLAGE as usize],
    helpers: Vec<String>,
}

struct DemoHouseholds {
    seed: u64,
    villages: Vec<county::Village>,
    next_village: usize,
    village: Option<VillageState>,
    remaining: usize,
    next_seq: u64,
    codes: resident_id::OrderCodes,
}

impl DemoHouseholds {
    /// Starts the next village that has households; each village draws from its own stream.
    fn open_village(&mut self) -> bool {
        while self.next_village < self.villages.len() {
            let index = self.next_village;
            self.next_village += 1;
            let left = self.villages[index].households;
            if left == 0 {
                continue;
            }
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(index as u64 + 1);
            let remote_group = self.villages[index].remote_group;
            let mut group_weights = [0; GROUPS_PER_VILLAGE as usize];
            for (g, weight) in group_weights.iter_mut().enumerate() {
                *weight = if g == usize::from(remote_group) {
                    draw::between(&mut rng, 6, 12)
                } else {
                    draw::between(&mut rng, 12, 24)
                };
            }
            let helper_count = draw::between(&mut rng, 4, 8);
            let helpers = (0..helper_count)
                .map(|_| {
                    let male = draw::chance(&mut rng, 600);
                    let age = draw::between(&mut rng, 25, 55);
                    let surname = names::surname(&mut rng);
                    names::full_name(&mut rng, surname, male, REFERENCE_DATE.year() - age as i32)
                })
                .collect();
            self.village = Some(VillageState {
                index,
                left,
                rng,
                group_weights,
                helpers,
            });
            return true;
        }
        false
    }

    fn household(&mut self) -> Household {
        let state = self.village.as_mut().expect("open village");
        state.left -= 1;
        let village = &self.villages[state.index];
        let rng = &mut state.rng;

        let status = household::status(rng, village.village_type);
        let household_type = household::household_type(rng, status);
        let size = household::size(rng, household_type);
        let (head_male, head_age) = household::head(rng, household_type, size);
        let surname = names::surname(rng);
        let people = members::family(
            rng,
            size,
            head_male,
            head_age,
            surname,
            REFERENCE_DATE.year(),
        );
        let exit_year = (status == Status::Exited).then(|| household::exit_year(rng));
        let edge = household::edge(rng, status);
        let income = household::income(rng, status, edge);
        let helper = if status == Status::NonPoor {
            String::new()
        } else {
            draw::one_of(rng, &state.helpers).clone()
        };
        let group = pick_group(rng, &state.group_weights);

        let members: Vec<Member> = people
            .into_iter()
            .map(|p| {
                let year = REFERENCE_DATE.year() - p.age as i32;
                let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
                    366
                } else {
                    365
                };
                let day = rng.random_range(1..=days);
                let birth = NaiveDate::from_yo_opt(year, day).expect("day of year");
                let (id_number, _) = self.codes.issue(REGION_CODE, birth, p.male);
                Member {
                    name: p.name,
                    id_number,
                    relation: p.relation.name().to_string(),
                    sex: if p.male { "male" } else { "female" }.to_string(),
                    age: Some(p.age),
                }
            })
            .collect();

        let seq = self.next_seq;
        self.next_seq += 1;
        Household {
            household_id: format!("{REGION_CODE}{seq:09}"),
            head_name: members[0].name.clone(),
            head_id_number: members[0].id_number.clone(),
            household_size: Some(size),
            status,
            exit_year,
            household_type: household_type.to_string(),
            income_per_capita: Some(f64::from(income)),
            county: COUNTY.to_string(),
            township: village.township.clone(),
            village: village.name.clone(),
            village_group: county::group_name(group),
            helper,
            village_type: Some(village.village_type),
            remote: village.remote || group == village.remote_group,
            edge,
            members,
            provisional: false,
            demo: true,
        }
    }
}

/// A village group index, by the village's group weights.
fn pick_group<R: Rng>(rng: &mut R, weights: &[u32; GROUPS_PER_VILLAGE as usize]) -> u8 {
    let total: u32 = weights.iter().sum();
    let mut ticket = rng.random_range(0..total);
    for (g, weight) in weights.iter().enumerate() {
        if ticket < *weight {
            return u8::try_from(g).expect("few groups");
        }
        ticket -= weight;
    }
    unreachable!("ticket is below the total weight")
}

impl Iterator for DemoHouseholds {
    type Item = Household;

    fn next(&mut self) -> Option<Household> {
        if self.remaining == 0 {
            return None;
        }
        while self.village.as_ref().is_none_or(|v| v.left == 0) {
            if !self.open_village() {
                return None;
            }
        }
        self.remaining -= 1;
        Some(self.household())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for DemoHouseholds {}
