//! The household as the registry (建档立卡) knows it: identity, status, income, village
//! attributes and members. Interviews are checked against it.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::questionnaire::Kind;
use crate::questionnaire::REGISTRY_FIELDS;
use crate::questionnaire::expr::Value;

/// Registry status (脱贫状态, aar010).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 未脱贫 (aar010 = 0).
    Poor,
    /// 已脱贫 (aar010 = 1 still on benefits, 4 benefits ended).
    Exited,
    /// 返贫 (aar010 = 3).
    Returned,
    /// 非贫困户: not registered poor.
    NonPoor,
}

impl Status {
    /// The questionnaire a household of this status is interviewed with.
    pub fn kind(self) -> Kind {
        match self {
            Status::Poor => Kind::Poor,
            Status::Exited => Kind::Exited,
            Status::Returned => Kind::Returned,
            Status::NonPoor => Kind::NonPoor,
        }
    }

    pub fn label(self) -> Text {
        match self {
            Status::Poor => Text::new("未脱贫", "poor"),
            Status::Exited => Text::new("已脱贫", "exited"),
            Status::Returned => Text::new("返贫", "returned"),
            Status::NonPoor => Text::new("非贫困户", "non-poor"),
        }
    }
}

/// Village attribute (村属性).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VillageType {
    /// 贫困村
    Poor,
    /// 非贫困村
    NonPoor,
    /// 已出列贫困村
    Exited,
}

/// A member of a registered household (members file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Member {
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    /// `relation` choice name of the members roster (head, spouse, child, ...).
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub age: Option<u32>,
}

/// One household of the registry, or a household the registry does not know (provisional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// 户编号 (aac001); for a provisional household, `P-` and a short random id.
    pub household_id: String,
    /// 户主姓名 (aac029).
    pub head_name: String,
    /// 户主证件号码 (aac031).
    #[serde(default)]
    pub head_id_number: String,
    /// 家庭人口数 (aac017).
    #[serde(default)]
    pub household_size: Option<u32>,
    pub status: Status,
    /// 脱贫年度 (aac023).
    #[serde(default)]
    pub exit_year: Option<i32>,
    /// 贫困户属性 (aac006), as exported.
    #[serde(default)]
    pub household_type: String,
    /// 人均纯收入, yuan per year.
    #[serde(default)]
    pub income_per_capita: Option<f64>,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub township: String,
    pub village: String,
    #[serde(default)]
    pub village_group: String,
    /// 帮扶责任人.
    #[serde(default)]
    pub helper: String,
    #[serde(default)]
    pub village_type: Option<VillageType>,
    /// 是否边远.
    #[serde(default)]
    pub remote: bool,
    /// 是否边缘户.
    #[serde(default)]
    pub edge: bool,
    #[serde(default)]
    pub members: Vec<Member>,
    /// Not in the registry: entered during a census visit.
    #[serde(default)]
    pub provisional: bool,
    /// Demo data of the fictional county (演示数据).
    #[serde(default)]
    pub demo: bool,
}

impl Household {
    /// Masks every ID number in the household's texts (for output made without
    /// `--show-ids`: see [`crate::redact`]).
    pub fn mask_ids(&mut self) {
        use crate::redact::mask_in_place;
        for t in [
            &mut self.household_id,
            &mut self.head_name,
            &mut self.head_id_number,
            &mut self.household_type,
            &mut self.county,
            &mut self.township,
            &mut self.village,
            &mut self.village_group,
            &mut self.helper,
        ] {
            mask_in_place(t);
        }
        for m in &mut self.members {
            for t in [&mut m.name, &mut m.id_number, &mut m.relation, &mut m.sex] {
                mask_in_place(t);
            }
        }
    }

    /// The questionnaire kind for this household.
    pub fn kind(&self) -> Kind {
        self.status.kind()
    }

    /// A household the registry does not know, interviewed in a census: reconciled as non-poor.
    pub fn provisional(id: String, head_name: String, village: String) -> Household {
        Household {
            household_id: id,
            head_name,
            head_id_number: String::new(),
            household_size: None,
            status: Status::NonPoor,
            exit_year: None,
            household_type: String::new(),
            income_per_capita: None,
            county: String::new(),
            township: String::new(),
            village,
            village_group: String::new(),
            helper: String::new(),
            village_type: None,
            remote: false,
            edge: false,
            members: Vec::new(),
            provisional: true,
            demo: false,
        }
    }
}

impl Household {
    /// One field as `registry('field')` sees it (by the names of [`REGISTRY_FIELDS`]); an empty
    /// text, an absent number and an unknown name are missing.
    pub fn field_value(&self, name: &str) -> Value {
        let text = |s: &str| {
            if s.is_empty() {
                Value::Missing
            } else {
                Value::Text(s.to_string())
            }
        };
        let num = |n: Option<f64>| n.map_or(Value::Missing, Value::Number);
        match name {
            "household_id" => text(&self.household_id),
            "head_name" => text(&self.head_name),
            "head_id_number" => text(&self.head_id_number),
            "household_size" => num(self.household_size.map(f64::from)),
            "status" => Value::Text(
                match self.status {
                    Status::Poor => "poor",
                    Status::Exited => "exited",
                    Status::Returned => "returned",
                    Status::NonPoor => "non_poor",
                }
                .into(),
            ),
            "exit_year" => num(self.exit_year.map(f64::from)),
            "household_type" => text(&self.household_type),
            "income_per_capita" => num(self.income_per_capita),
            "county" => text(&self.county),
            "township" => text(&self.township),
            "village" => text(&self.village),
            "village_group" => text(&self.village_group),
            "helper" => text(&self.helper),
            "village_type" => match self.village_type {
                Some(VillageType::Poor) => Value::Text("poor".into()),
                Some(VillageType::NonPoor) => Value::Text("non_poor".into()),
                Some(VillageType::Exited) => Value::Text("exited".into()),
                None => Value::Missing,
            },
            "remote" => Value::Bool(self.remote),
            "edge" => Value::Bool(self.edge),
            _ => Value::Missing,
        }
    }

    /// The record as `registry('field')` sees it, by the names of [`REGISTRY_FIELDS`].
    pub fn field_values(&self) -> std::collections::BTreeMap<String, Value> {
        REGISTRY_FIELDS
            .iter()
            .map(|k| (k.to_string(), self.field_value(k)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mask_ids` masks every text of a household, as masking its JSON would: a new text
    /// field left out of it fails here.
    #[test]
    fn masking_the_record_is_masking_its_json() {
        let id = "532326194909155480";
        let mut h: Household = serde_json::from_value(serde_json::json!({
            "household_id": "h", "head_name": "h", "status": "poor", "village": "v",
            "members": [{"name": "m"}],
        }))
        .unwrap();
        let fill = |v: &mut serde_json::Value| {
            fn walk(v: &mut serde_json::Value, id: &str) {
                match v {
                    serde_json::Value::String(s) if s != "poor" => *s = format!("证 {id}"),
                    serde_json::Value::Array(a) => a.iter_mut().for_each(|v| walk(v, id)),
                    serde_json::Value::Object(m) => m.values_mut().for_each(|v| walk(v, id)),
                    _ => {}
                }
            }
            walk(v, id)
        };
        let mut full = serde_json::to_value(&h).unwrap();
        fill(&mut full);
        h = serde_json::from_value(full.clone()).unwrap();
        h.mask_ids();
        let masked = crate::redact::mask_json(&full);
        assert_ne!(masked, full);
        assert_eq!(serde_json::to_value(&h).unwrap(), masked);
    }
}
