//! What reconciliation reports: a [`Finding`] is one rule firing for one interview, with the
//! answers, registry values and settings that made it fire. Findings are computed from the
//! data every time, never stored as truth; only an auditor's [`Mark`](super::Mark) is stored.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::i18n::Text;
use crate::questionnaire::Kind;

/// The kinds of finding (DOMAIN.md, "Discrepancies the tool flags"). Stable snake_case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// 错退: an exited household that does not meet the exit standard.
    WrongExit,
    /// 漏评: a household outside the poor list that meets the poverty criteria.
    Missed,
    /// 错评: a registered poor household that hits a red flag.
    WrongInclusion,
    /// 返贫: a household that fell back into poverty.
    Returned,
    /// 信息不符: the interview and the registry disagree beyond a tolerance.
    Mismatch,
    /// 项目问题: a project checked on site is weak in one of the notice's eight aspects, or
    /// a beneficiary household says it received nothing from a project of the list. Never
    /// counted in the household rates.
    Project,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::WrongExit,
        FindingKind::Missed,
        FindingKind::WrongInclusion,
        FindingKind::Returned,
        FindingKind::Mismatch,
        FindingKind::Project,
    ];

    /// The stable name (`wrong_exit`, `missed`, `wrong_inclusion`, `returned`, `mismatch`,
    /// `project`).
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::WrongExit => "wrong_exit",
            FindingKind::Missed => "missed",
            FindingKind::WrongInclusion => "wrong_inclusion",
            FindingKind::Returned => "returned",
            FindingKind::Mismatch => "mismatch",
            FindingKind::Project => "project",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn label(self) -> Text {
        match self {
            FindingKind::WrongExit => Text::new("错退", "wrong exit"),
            FindingKind::Missed => Text::new("漏评", "missed"),
            FindingKind::WrongInclusion => Text::new("错评", "wrong inclusion"),
            FindingKind::Returned => Text::new("返贫", "returned"),
            FindingKind::Mismatch => Text::new("信息不符", "mismatch"),
            FindingKind::Project => Text::new("项目问题", "project"),
        }
    }
}

/// How strong a finding is. Only `finding` counts toward the rates; a `warning` is listed for
/// the auditor and not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Finding,
    Warning,
}

impl Severity {
    pub const ALL: [Severity; 2] = [Severity::Finding, Severity::Warning];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Finding => "finding",
            Severity::Warning => "warning",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Severity::Finding => Text::new("问题", "finding"),
            Severity::Warning => Text::new("提示", "warning"),
        }
    }
}

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// An answer of the interview (`${id}`); a roster question gives the list over its rows.
    Answer,
    /// A registry value (`registry('field')`).
    Registry,
    /// A setting (`setting('name')`).
    Setting,
}

impl EvidenceSource {
    pub fn label(self) -> Text {
        match self {
            EvidenceSource::Answer => Text::new("答案", "answer"),
            EvidenceSource::Registry => Text::new("建档立卡", "registry"),
            EvidenceSource::Setting => Text::new("设置", "setting"),
        }
    }
}

/// One value a rule's expression read: what fired it, for the auditor to see side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub source: EvidenceSource,
    /// The question id, registry field or setting name.
    pub name: String,
    /// The value as JSON: null when missing, a list for a roster question, the number of rows
    /// for a roster itself.
    pub value: Json,
}

/// One rule that fired for one interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub household_id: String,
    pub interview_id: Uuid,
    /// 户主姓名 (registry, else the interview's answer).
    pub head_name: String,
    pub county: String,
    pub township: String,
    pub village: String,
    /// The kind of household the interview was made with (its questionnaire; `project` for
    /// a project check).
    pub household_kind: Kind,
    /// What the interview is about: `household`, or `project` (then `household_id` is the
    /// subject key `project:ID`, and `head_name` the project's name).
    #[serde(default)]
    pub subject: crate::subject::SubjectKind,
    pub kind: FindingKind,
    /// The rule's id.
    pub rule: String,
    pub severity: Severity,
    pub message: Text,
    pub evidence: Vec<Evidence>,
    /// The evidence in words, one line each (labels, values in words, the registry beside
    /// the answer; see `reconcile::explain`). ID numbers in full: outputs mask them.
    #[serde(default)]
    pub explanation: Vec<Text>,
    /// Who made the interview.
    #[serde(default)]
    pub interviewer: String,
    /// The interview is not completed yet (listed only on request).
    pub in_progress: bool,
    /// For a check of one member of the roster (`reconcile::members`): the member's row id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The household was visited more than once: how many interviews it has, and how the
    /// one this finding comes from was settled as the one that counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<Visits>,
}

/// The visits of a household visited more than once (see `reconcile::visits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visits {
    pub count: usize,
    pub settled: super::visits::Settled,
}

impl Visits {
    /// What a finding of a duplicate visit says of it.
    pub fn text(&self) -> Text {
        match self.settled {
            super::visits::Settled::Chosen => crate::tr!(
                "此户入户 {} 次，采用组长选定的一次",
                "this household was visited {} times: the visit the team lead chose counts",
                self.count
            ),
            super::visits::Settled::Latest => crate::tr!(
                "此户入户 {} 次，组长尚未选定，暂用最新完成的一次",
                "this household was visited {} times and the team lead has not chosen yet: the latest completed visit counts",
                self.count
            ),
        }
    }
}

/// A finding's identity: the interview and the rule. Marks are kept under it.
pub type FindingKey = (Uuid, String);

/// The short id of a finding's identity (see [`Finding::short_id`]).
pub fn short_id(key: &FindingKey) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(key.0.as_bytes());
    h.update(key.1.as_bytes());
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Finding {
    pub fn key(&self) -> FindingKey {
        match &self.member {
            Some(row) => (self.interview_id, format!("{}@{row}", self.rule)),
            None => (self.interview_id, self.rule.clone()),
        }
    }

    /// A short id of the finding for people to type and for a spreadsheet column (12 hex
    /// digits of a SHA-256 of its identity): the same finding has the same id every time it
    /// is computed, on every laptop.
    pub fn short_id(&self) -> String {
        short_id(&self.key())
    }

    /// The status of the interview the finding comes from, to show beside it (进行中 /
    /// 已完成): a finding of an interview in progress may still change.
    pub fn interview_status(&self) -> crate::interview::Status {
        if self.in_progress {
            crate::interview::Status::InProgress
        } else {
            crate::interview::Status::Completed
        }
    }

    /// Counts toward the rates (severity `finding`, interview completed).
    pub fn counts(&self) -> bool {
        self.severity == Severity::Finding && !self.in_progress
    }
}
