//! The assessment's sample (三(二) 抽样安排), drawn from the registry as the assessment team
//! would draw it, reproducible from a seed number on every machine. Pure domain: it reads
//! households and returns a [`Sample`]; storing it and talking to the user are elsewhere.
//!
//! # The rules
//!
//! Per county (households are grouped by county, township and village; provisional households,
//! which the registry does not know, take no part):
//!
//! 1. **Villages.** A village's type is the village type (村属性) most of its households carry
//!    (ties: poor, then exited, then non-poor); a village none of whose households has a type
//!    counts as non-poor. A village is *remote* when at least half of its households are flagged
//!    remote (是否边远).
//!    - *Poor villages* (贫困村): the [`SamplePlan::poor_villages`] with the most registered poor
//!      people, where poor people are the household sizes (家庭人口数; a household without one
//!      counts as one person) of the households that are poor now: status poor (未脱贫) or
//!      returned (返贫). The lean to remote villages: a remote village's count is weighted by
//!      [`SamplePlan::remote_lean_percent`] (150: ×1.5). Ties: remote first, then by lot.
//!    - *Non-poor villages* (非贫困村, 已出列贫困村 and villages of unknown type): the
//!      [`SamplePlan::non_poor_villages`] drawn by lot, a remote village
//!      [`SamplePlan::non_poor_remote_weight`] times as likely as another (2).
//! 2. **Households per sampled village**, each a draw by lot without replacement:
//!    [`SamplePlan::poor_per_village`] poor (status poor), [`SamplePlan::exited_per_village`]
//!    exited in the assessment year (status exited, 脱贫年度 = the year), and
//!    [`SamplePlan::edge_per_village`] non-poor edge households (status non-poor, 边缘户).
//!    A village with fewer gives all it has, and a [`Shortfall`] says so.
//! 3. **Returned census**: every household of the county with status returned (返贫), in any
//!    village. The registry has no year of return, so all returned households are taken.
//! 4. **Remote group census**: [`SamplePlan::remote_groups`] village group(s) (村民小组) among
//!    the groups of the county's sampled poor villages, and as many among those of its sampled
//!    non-poor villages: the groups with the largest share of remote households, ties by lot.
//!    Every household of the group is taken, whatever its status. A group is remote when at least
//!    half of its households are; if there are fewer remote groups than asked, the remotest
//!    other groups are taken and a [`Shortfall`] says so. Households without a group name are
//!    in no group.
//!
//! A household drawn for two reasons appears once, with the first reason in this order:
//! poor in village, exited in year, edge non-poor, returned census, remote group census (only
//! the group census can overlap the others: the other reasons go by status).
//!
//! Reproducibility: every draw uses its own ChaCha8 stream of the seed (`seed_from_u64`), the
//! stream number a fixed hash of what is drawn (county, village, purpose), and candidates are
//! sorted by household id before the draw. The same seed and registry give the same sample on
//! every machine and whatever order the households come in; a change in one village does not
//! move the draw in another.
//!
//! # Two passes
//!
//! A registry of a million households is read twice rather than held in memory: [`Frame`]
//! (the sampling frame) counts villages and groups in a first pass, [`Frame::choose`] picks
//! villages and groups, and [`Selection::offer`] keeps, in a second pass, only the candidates
//! of the chosen villages and the returned households. [`draw`] does both over a slice.

pub mod coverage;
mod export;
mod frame;
mod model;
mod plan;
mod rng;

#[cfg(test)]
mod tests;

pub use export::{CSV_HEADERS, write_csv, write_xlsx};
pub use frame::{Frame, Selection};
pub use model::{
    CensusGroup, Reason, Role, Sample, SampleEntry, SampledVillage, Shortfall, Wanted,
};
pub use plan::SamplePlan;

use crate::registry::Household;

/// Draws the sample of `households` (both passes over the slice): see the module docs.
pub fn draw(households: &[Household], plan: &SamplePlan, seed: u64, year: i32) -> Sample {
    let mut frame = Frame::new();
    for h in households {
        frame.add(h);
    }
    let mut selection = frame.choose(plan, seed, year);
    for h in households {
        selection.offer(h);
    }
    selection.finish()
}
