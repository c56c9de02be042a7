//! What the program knows that a cadre should know (交流座谈 knowledge questions): the year's
//! income line from the settings, and from the registry the poor households, the year's
//! exits and the returned households of each village and township, and the households each
//! paired helper (帮扶责任人) is responsible for.

use std::collections::BTreeMap;

use crate::registry::{Household, Status};

/// Households of one place by registry status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// 未脱贫 (registered poor, not exited).
    pub poor: usize,
    /// Exited in the assessment year.
    pub exited_this_year: usize,
    /// 返贫.
    pub returned: usize,
    /// Every household of the place in the registry.
    pub households: usize,
}

impl Counts {
    fn add(&mut self, h: &Household, year: i32) {
        self.households += 1;
        match h.status {
            Status::Poor => self.poor += 1,
            Status::Exited if h.exit_year == Some(year) => self.exited_this_year += 1,
            Status::Returned => self.returned += 1,
            _ => {}
        }
    }
}

/// A household a helper is responsible for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Helped {
    pub household_id: String,
    pub head_name: String,
    pub village: String,
}

/// The facts the knowledge questions are scored against.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The assessment year.
    pub year: i32,
    /// The year's income line (yuan per head), if the settings have one.
    pub income_line: Option<f64>,
    /// By (county, township, village).
    villages: BTreeMap<(String, String, String), Counts>,
    /// By (county, township).
    townships: BTreeMap<(String, String), Counts>,
    /// By (county, helper's name), in household id order.
    helpers: BTreeMap<(String, String), Vec<Helped>>,
}

impl Facts {
    /// The facts of `households` (the registry; provisional households are not in it) for the
    /// assessment year `year`.
    pub fn new(
        year: i32,
        income_line: Option<f64>,
        households: impl IntoIterator<Item = Household>,
    ) -> Facts {
        let mut f = Facts {
            year,
            income_line,
            ..Facts::default()
        };
        for h in households {
            if h.provisional {
                continue;
            }
            f.villages
                .entry((h.county.clone(), h.township.clone(), h.village.clone()))
                .or_default()
                .add(&h, year);
            f.townships
                .entry((h.county.clone(), h.township.clone()))
                .or_default()
                .add(&h, year);
            let helper = h.helper.trim();
            if !helper.is_empty() {
                f.helpers
                    .entry((h.county.clone(), helper.to_string()))
                    .or_default()
                    .push(Helped {
                        household_id: h.household_id.clone(),
                        head_name: h.head_name.clone(),
                        village: h.village.clone(),
                    });
            }
        }
        f
    }

    /// The registry's counts of a village, if it has households there.
    pub fn village(&self, county: &str, township: &str, village: &str) -> Option<Counts> {
        self.villages
            .get(&(county.into(), township.into(), village.into()))
            .copied()
    }

    /// The registry's counts of a township, if it has households there.
    pub fn township(&self, county: &str, township: &str) -> Option<Counts> {
        self.townships
            .get(&(county.into(), township.into()))
            .copied()
    }

    /// The households whose paired helper in the registry is `name`, in `county`.
    pub fn helped_by(&self, county: &str, name: &str) -> &[Helped] {
        self.helpers
            .get(&(county.to_string(), name.trim().to_string()))
            .map_or(&[], Vec::as_slice)
    }
}
