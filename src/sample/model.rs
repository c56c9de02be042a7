//! What a draw gives: the sampled villages and groups, one entry per household with the reason
//! it was drawn, and the shortfalls of villages that had fewer than asked.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::SamplePlan;
use crate::i18n::Text;
use crate::questionnaire::Kind;
use crate::registry::VillageType;
use crate::tr;

/// Why a household is in the sample. The names (`poor_in_village`, ...) are stable: the
/// store, the JSON output and scripts use them. The order of the variants is the order of
/// precedence when a household is drawn for two reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// One of the poor households drawn in a sampled village.
    PoorInVillage,
    /// One of the households exited in the assessment year drawn in a sampled village.
    ExitedInYear,
    /// One of the non-poor edge households drawn in a sampled village.
    EdgeNonPoor,
    /// Census of every returned household of the county.
    ReturnedCensus,
    /// Census of every household of a remote village group.
    RemoteGroupCensus,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::PoorInVillage,
        Reason::ExitedInYear,
        Reason::EdgeNonPoor,
        Reason::ReturnedCensus,
        Reason::RemoteGroupCensus,
    ];

    /// The stable name.
    pub fn name(self) -> &'static str {
        match self {
            Reason::PoorInVillage => "poor_in_village",
            Reason::ExitedInYear => "exited_in_year",
            Reason::EdgeNonPoor => "edge_non_poor",
            Reason::ReturnedCensus => "returned_census",
            Reason::RemoteGroupCensus => "remote_group_census",
        }
    }

    pub fn parse(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.name() == name)
    }

    /// What the reason means, for people.
    pub fn label(self) -> Text {
        match self {
            Reason::PoorInVillage => Text::new("样本村抽取的未脱贫户", "poor, drawn in village"),
            Reason::ExitedInYear => Text::new(
                "样本村抽取的当年脱贫户",
                "exited in the year, drawn in village",
            ),
            Reason::EdgeNonPoor => Text::new(
                "样本村抽取的边缘户（非贫困户）",
                "non-poor edge household, drawn in village",
            ),
            Reason::ReturnedCensus => Text::new("返贫户普查", "returned: census"),
            Reason::RemoteGroupCensus => {
                Text::new("边远村民小组普查", "remote village group: census")
            }
        }
    }
}

/// Whether a village was sampled as a poor or as a non-poor village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 贫困村
    Poor,
    /// 非贫困村 (已出列贫困村 and villages of unknown type included)
    NonPoor,
}

impl Role {
    pub fn label(self) -> Text {
        match self {
            Role::Poor => Text::new("贫困村", "poor village"),
            Role::NonPoor => Text::new("非贫困村", "non-poor village"),
        }
    }
}

/// One household of the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleEntry {
    /// 户编号.
    pub household_id: String,
    /// 户主姓名.
    #[serde(default)]
    pub head_name: String,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub township: String,
    pub village: String,
    #[serde(default)]
    pub village_group: String,
    /// The household's kind (its registry status): the questionnaire it is interviewed with.
    pub kind: Kind,
    pub reason: Reason,
}

/// A sampled village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledVillage {
    pub county: String,
    pub township: String,
    pub village: String,
    pub role: Role,
    /// The village type most of its households carry; `None` when none has one.
    pub village_type: Option<VillageType>,
    /// At least half of its households are flagged remote.
    pub remote: bool,
    /// People of its households that are poor now (status poor or returned).
    pub poor_people: u64,
    /// Registry households of the village.
    pub households: u64,
}

/// A village group whose every household is in the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CensusGroup {
    pub county: String,
    pub township: String,
    pub village: String,
    pub village_group: String,
    /// The role of its village (a group in a poor village, a group in a non-poor village).
    pub role: Role,
    /// Registry households of the group.
    pub households: u64,
    /// How many of them are flagged remote.
    pub remote_households: u64,
}

impl CensusGroup {
    /// At least half of its households are flagged remote.
    pub fn remote(&self) -> bool {
        self.remote_households * 2 >= self.households && self.households > 0
    }
}

/// What a shortfall is short of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wanted {
    /// Poor villages in the county.
    PoorVillages,
    /// Non-poor villages in the county.
    NonPoorVillages,
    /// Poor households in a village.
    Poor,
    /// Households exited in the year in a village.
    Exited,
    /// Non-poor edge households in a village.
    Edge,
    /// Remote village groups in the county's sampled poor villages.
    RemoteGroupInPoorVillage,
    /// Remote village groups in the county's sampled non-poor villages.
    RemoteGroupInNonPoorVillage,
}

/// Fewer were found than the plan asks: everything found was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    pub county: String,
    /// Empty for a shortfall of the county as a whole (villages, groups).
    #[serde(default)]
    pub township: String,
    /// Empty for a shortfall of the county as a whole (villages, groups).
    #[serde(default)]
    pub village: String,
    pub what: Wanted,
    pub asked: u32,
    pub found: u32,
}

/// A drawn sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub seed: u64,
    /// The assessment year: exited households of this year were drawn.
    pub year: i32,
    /// When it was drawn (set by the caller; the draw itself does not read the clock).
    #[serde(default)]
    pub drawn_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub plan: SamplePlan,
    /// Sampled villages: per county, the poor villages by rank, then the non-poor in drawn order.
    #[serde(default)]
    pub villages: Vec<SampledVillage>,
    /// The village groups of the censuses.
    #[serde(default)]
    pub census_groups: Vec<CensusGroup>,
    /// Per county: each sampled village's drawn households (by reason, then id), the returned
    /// census, the group censuses. No household twice.
    pub entries: Vec<SampleEntry>,
    #[serde(default)]
    pub shortfalls: Vec<Shortfall>,
}

/// `乡镇村` as people name a village: township and village.
pub(crate) fn place(township: &str, village: &str) -> String {
    format!("{township}{village}")
}

impl Sample {
    /// How many entries have the reason.
    pub fn count(&self, reason: Reason) -> usize {
        self.entries.iter().filter(|e| e.reason == reason).count()
    }

    /// The entries of one village (any reason).
    pub fn village_entries<'a>(
        &'a self,
        county: &'a str,
        township: &'a str,
        village: &'a str,
    ) -> impl Iterator<Item = &'a SampleEntry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.county == county && e.township == township && e.village == village)
    }

    /// A shortfall said plainly, e.g. 清溪乡桂花村：边缘户只有 3 户，少于 5 户，已全部抽取.
    pub fn describe(&self, s: &Shortfall) -> Text {
        let at = place(&s.township, &s.village);
        let (asked, found) = (s.asked, s.found);
        match s.what {
            Wanted::PoorVillages => short(&s.county, "贫困村", "poor villages", "个", asked, found),
            Wanted::NonPoorVillages => short(
                &s.county,
                "非贫困村（含已出列贫困村）",
                "non-poor villages (exited poor villages included)",
                "个",
                asked,
                found,
            ),
            Wanted::Poor => short(&at, "未脱贫户", "poor households", "户", asked, found),
            Wanted::Exited => short(
                &at,
                &format!("{}年脱贫户", self.year),
                &format!("households exited in {}", self.year),
                "户",
                asked,
                found,
            ),
            Wanted::Edge => short(
                &at,
                "边缘户（非贫困户）",
                "non-poor edge households",
                "户",
                asked,
                found,
            ),
            Wanted::RemoteGroupInPoorVillage | Wanted::RemoteGroupInNonPoorVillage => {
                let role = if s.what == Wanted::RemoteGroupInPoorVillage {
                    Role::Poor
                } else {
                    Role::NonPoor
                };
                let others = self
                    .census_groups
                    .iter()
                    .filter(|g| g.county == s.county && g.role == role && !g.remote())
                    .count();
                let (role_zh, role_en) = (role.label().zh, role.label().en);
                let head = if found == 0 {
                    Text::new(
                        format!("{}：样本{role_zh}中没有边远村民小组", s.county),
                        format!(
                            "{}: no remote village group in the sampled {role_en}s",
                            s.county
                        ),
                    )
                } else {
                    Text::new(
                        format!(
                            "{}：样本{role_zh}中边远村民小组只有 {found} 个，少于 {asked} 个",
                            s.county
                        ),
                        format!(
                            "{}: remote village groups in the sampled {role_en}s: {found} of {asked} asked",
                            s.county
                        ),
                    )
                };
                let tail = if others > 0 {
                    tr!(
                        "，另取最偏远的 {} 个村民小组普查",
                        "; the {} remotest other groups are censused instead",
                        others
                    )
                } else {
                    tr!("，没有其他村民小组可普查", "; no other group to census")
                };
                Text::new(head.zh + &tail.zh, head.en + &tail.en)
            }
        }
    }
}

/// "X：边缘户只有 3 户，少于 5 户，已全部抽取" / "X: non-poor edge households: 3 of 5 asked; all
/// taken"; with none found, "X：没有…（应抽 5 户）".
fn short(at: &str, zh: &str, en: &str, unit: &str, asked: u32, found: u32) -> Text {
    if found == 0 {
        Text::new(
            format!("{at}：没有{zh}（应抽 {asked} {unit}）"),
            format!("{at}: no {en} ({asked} asked)"),
        )
    } else {
        Text::new(
            format!("{at}：{zh}只有 {found} {unit}，少于 {asked} {unit}，已全部抽取"),
            format!("{at}: {en}: {found} of {asked} asked; all taken"),
        )
    }
}
