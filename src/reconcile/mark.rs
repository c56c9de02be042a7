//! An auditor's verdict on a finding: confirmed or dismissed, with a comment. The finding
//! itself is recomputed from the data every time; the mark is what is stored, under the
//! finding's identity (interview id, rule id).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::finding::FindingKey;
use crate::i18n::Text;

/// What the auditor decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkStatus {
    /// Verified: the discrepancy is real.
    Confirmed,
    /// Verified: not a discrepancy (explained in the comment).
    Dismissed,
}

impl MarkStatus {
    pub fn name(self) -> &'static str {
        match self {
            MarkStatus::Confirmed => "confirmed",
            MarkStatus::Dismissed => "dismissed",
        }
    }

    pub fn label(self) -> Text {
        match self {
            MarkStatus::Confirmed => Text::new("已确认", "confirmed"),
            MarkStatus::Dismissed => Text::new("已排除", "dismissed"),
        }
    }
}

/// A mark on one finding. The latest mark of a finding replaces the one before; every mark
/// and every clearing is kept in its history ([`MarkRecord`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub interview_id: Uuid,
    /// The rule id of the finding.
    pub rule: String,
    pub status: MarkStatus,
    #[serde(default)]
    pub comment: String,
    /// Who marked it.
    pub by: String,
    pub at: DateTime<FixedOffset>,
}

impl Mark {
    pub fn key(&self) -> FindingKey {
        (self.interview_id, self.rule.clone())
    }

    /// A mark on a finding, made now by `by`. Its `rule` is the finding's identity (with
    /// `@row` for a member's finding), so that it is found again under [`Finding::key`].
    pub fn for_finding(
        f: &super::Finding,
        status: MarkStatus,
        comment: &str,
        by: &str,
        at: DateTime<FixedOffset>,
    ) -> Mark {
        let (interview_id, rule) = f.key();
        Mark {
            interview_id,
            rule,
            status,
            comment: comment.trim().to_string(),
            by: by.trim().to_string(),
            at,
        }
    }
}

/// One entry of a finding's mark history: a mark given, or (`status` `None`) the mark
/// cleared. The latest entry is the one in effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkRecord {
    pub interview_id: Uuid,
    /// The finding's identity (rule id, with `@row` for a member's finding).
    pub rule: String,
    /// `None`: the mark was cleared.
    pub status: Option<MarkStatus>,
    #[serde(default)]
    pub comment: String,
    pub by: String,
    pub at: DateTime<FixedOffset>,
}

impl MarkRecord {
    pub fn key(&self) -> FindingKey {
        (self.interview_id, self.rule.clone())
    }
}

impl From<&Mark> for MarkRecord {
    fn from(m: &Mark) -> Self {
        MarkRecord {
            interview_id: m.interview_id,
            rule: m.rule.clone(),
            status: Some(m.status),
            comment: m.comment.clone(),
            by: m.by.clone(),
            at: m.at,
        }
    }
}
