//! What a checklist comes to: completeness per category and overall, and the items to fix,
//! as values with stable JSON shapes (serde).
//!
//! The summary ([`Summary`]):
//!
//! ```json
//! {
//!   "place": { "level": "village", "name": "某某村" },
//!   "categories": [
//!     { "id": "village_management", "name": { "zh": "综合管理类", "en": "General management" },
//!       "total": 6, "present": 4, "incomplete": 1, "missing": 1, "unchecked": 0,
//!       "share_present": 0.6667 }
//!   ],
//!   "overall": { "total": 48, "present": 4, "incomplete": 1, "missing": 1, "unchecked": 42,
//!                "share_present": 0.0833 }
//! }
//! ```
//!
//! `share_present` is present ÷ total (unchecked items count as not present), rounded to four
//! decimals; 0 for an empty category. The fix list ([`FixList`]), missing and incomplete items
//! in the catalogue's order:
//!
//! ```json
//! {
//!   "place": { "level": "village", "name": "某某村" },
//!   "fixes": [
//!     { "question": "archive_2_8", "number": "2.8",
//!       "category": { "id": "village_identification", "name": { "zh": "精准识别类", "en": "…" } },
//!       "stage": { "zh": "贫困户识别", "en": "…" },
//!       "text": { "zh": "举报信箱、举报电话照片依据及核实情况 支撑性材料等；", "en": "…" },
//!       "retention": "永久", "status": "incomplete", "note": "缺举报电话照片" }
//!   ]
//! }
//! ```
//!
//! `stage`, `retention` and `note` are `null` where there is none.

use serde::Serialize;

use super::catalogue::Retention;
use super::checklist::{Checklist, Entry, Place, Status, question_id};
use crate::i18n::Text;

/// How many items have each status.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Counts {
    pub total: usize,
    pub present: usize,
    pub incomplete: usize,
    pub missing: usize,
    pub unchecked: usize,
    /// present ÷ total, four decimals; 0 when total is 0.
    pub share_present: f64,
}

impl Counts {
    fn of<'e, 'a: 'e>(entries: impl IntoIterator<Item = &'e Entry<'a>>) -> Counts {
        let mut c = Counts::default();
        for e in entries {
            c.total += 1;
            match e.status {
                Status::Present => c.present += 1,
                Status::Incomplete => c.incomplete += 1,
                Status::Missing => c.missing += 1,
                Status::Unchecked => c.unchecked += 1,
            }
        }
        c.share_present = if c.total == 0 {
            0.0
        } else {
            (c.present as f64 / c.total as f64 * 10_000.0).round() / 10_000.0
        };
        c
    }
}

/// A category's counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategorySummary {
    pub id: String,
    pub name: Text,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Completeness of one place's archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub place: Place,
    pub categories: Vec<CategorySummary>,
    pub overall: Counts,
}

/// A category as a fix names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRef {
    pub id: String,
    pub name: Text,
}

/// An item to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The item's status question id (`archive_2_8`).
    pub question: String,
    /// The item's number as the notice writes it (`2.8`).
    pub number: String,
    pub category: CategoryRef,
    pub stage: Option<Text>,
    pub text: Text,
    pub retention: Option<Retention>,
    /// `missing` or `incomplete`.
    pub status: Status,
    pub note: Option<String>,
}

/// The items of one place to fix, in the catalogue's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixList {
    pub place: Place,
    pub fixes: Vec<Fix>,
}

impl Checklist<'_> {
    /// Counts per category (in the catalogue's order) and overall.
    pub fn summary(&self) -> Summary {
        let mut categories: Vec<CategorySummary> = Vec::new();
        for e in &self.entries {
            if categories.last().is_none_or(|c| c.id != e.category.id) {
                let of_category = self
                    .entries
                    .iter()
                    .filter(|x| x.category.id == e.category.id);
                categories.push(CategorySummary {
                    id: e.category.id.clone(),
                    name: e.category.name.clone(),
                    counts: Counts::of(of_category),
                });
            }
        }
        Summary {
            place: self.place.clone(),
            categories,
            overall: Counts::of(&self.entries),
        }
    }

    /// The missing and incomplete items, in the catalogue's order.
    pub fn fixes(&self) -> FixList {
        let fixes = self
            .entries
            .iter()
            .filter(|e| e.status.needs_fixing())
            .map(|e| Fix {
                question: question_id(e.item.number),
                number: e.item.number.to_string(),
                category: CategoryRef {
                    id: e.category.id.clone(),
                    name: e.category.name.clone(),
                },
                stage: e.item.stage.clone(),
                text: e.item.text.clone(),
                retention: e.item.retention,
                status: e.status,
                note: e.note.clone(),
            })
            .collect();
        FixList {
            place: self.place.clone(),
            fixes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::catalogue::{Level, bundled};
    use serde_json::{Value, json};

    #[test]
    fn counts_per_category_and_overall() {
        let c = bundled().unwrap();
        let t = c.table(Level::County).unwrap();
        let answers = [
            ("archive_1_1", json!("present")),
            ("archive_1_2", json!("present")),
            ("archive_1_3", json!("incomplete")),
            ("archive_1_23", json!("missing")),
            ("archive_1_24", json!("present")),
        ];
        let list =
            Checklist::from_answers(t, "大姚县", answers.iter().map(|(k, v)| (*k, v))).unwrap();
        let s = list.summary();
        assert_eq!(s.categories.len(), 2);
        let g = &s.categories[0];
        assert_eq!(g.id, "county_general");
        assert_eq!(
            (g.counts.total, g.counts.present, g.counts.incomplete),
            (22, 2, 1)
        );
        assert_eq!(g.counts.unchecked, 19);
        assert_eq!(g.counts.share_present, 0.0909);
        let x = &s.categories[1];
        assert_eq!(
            (x.counts.total, x.counts.missing, x.counts.present),
            (8, 1, 1)
        );
        assert_eq!(x.counts.share_present, 0.125);
        assert_eq!(s.overall.total, 30);
        assert_eq!(s.overall.present, 3);
        assert_eq!(s.overall.unchecked, 25);
        assert_eq!(s.overall.share_present, 0.1);
    }

    #[test]
    fn the_json_shapes_have_the_documented_fields() {
        let c = bundled().unwrap();
        let t = c.table(Level::Village).unwrap();
        let answers = [
            ("archive_2_8", json!("incomplete")),
            ("archive_2_8_note", json!("缺举报电话照片")),
        ];
        let list =
            Checklist::from_answers(t, "某某村", answers.iter().map(|(k, v)| (*k, v))).unwrap();
        let s: Value = serde_json::to_value(list.summary()).unwrap();
        assert_eq!(s["place"], json!({"level": "village", "name": "某某村"}));
        let first = &s["categories"][0];
        for k in [
            "id",
            "name",
            "total",
            "present",
            "incomplete",
            "missing",
            "unchecked",
            "share_present",
        ] {
            assert!(first.get(k).is_some(), "{k}");
        }
        assert_eq!(s["overall"]["total"], 48);
        let f: Value = serde_json::to_value(list.fixes()).unwrap();
        assert_eq!(
            f["fixes"][0],
            json!({
                "question": "archive_2_8",
                "number": "2.8",
                "category": {"id": "village_identification",
                             "name": {"zh": "精准识别类", "en": "Precise identification"}},
                "stage": {"zh": "贫困户识别", "en": "Identifying poor households"},
                "text": t.item(crate::archive::catalogue::ItemNumber::parse("2.8").unwrap())
                    .map(|(_, i)| serde_json::to_value(&i.text).unwrap()).unwrap(),
                "retention": "永久",
                "status": "incomplete",
                "note": "缺举报电话照片"
            })
        );
        let empty = Checklist::new(t, "某某村").unwrap();
        assert_eq!(empty.fixes().fixes.len(), 0);
        assert_eq!(empty.summary().overall.share_present, 0.0);
    }
}
