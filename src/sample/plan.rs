//! The numbers of the sampling plan: settings, with the seed's numbers as the default.

use serde::{Deserialize, Serialize};

/// How many villages, households and groups to draw. The default is the seed's plan (three
/// poor and two non-poor villages per county; five poor, ten exited and five edge households
/// per village; one remote group each in a poor and a non-poor village). Stored as the setting
/// `sample_plan` (any field left out takes its default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplePlan {
    /// Poor villages (贫困村) per county, those with the most poor people.
    pub poor_villages: u32,
    /// Non-poor villages (非贫困村, 已出列贫困村) per county, drawn by lot.
    pub non_poor_villages: u32,
    /// Poor households (未脱贫) per sampled village.
    pub poor_per_village: u32,
    /// Households exited in the assessment year per sampled village.
    pub exited_per_village: u32,
    /// Non-poor edge households (边缘户) per sampled village.
    pub edge_per_village: u32,
    /// Remote village groups per county in sampled poor villages, and as many in sampled
    /// non-poor villages; every household of each is taken.
    pub remote_groups: u32,
    /// The lean of the poor-village ranking to remote villages: a remote village's poor people
    /// count this many percent (150 = ×1.5).
    pub remote_lean_percent: u32,
    /// The lean of the non-poor-village draw to remote villages: a remote village is this many
    /// times as likely to be drawn as another (at least 1).
    pub non_poor_remote_weight: u32,
}

impl Default for SamplePlan {
    fn default() -> Self {
        SamplePlan {
            poor_villages: 3,
            non_poor_villages: 2,
            poor_per_village: 5,
            exited_per_village: 10,
            edge_per_village: 5,
            remote_groups: 1,
            remote_lean_percent: 150,
            non_poor_remote_weight: 2,
        }
    }
}

impl SamplePlan {
    /// The setting that holds the plan.
    pub const SETTING: &'static str = "sample_plan";
}
