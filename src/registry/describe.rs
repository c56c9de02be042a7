//! A registry record as people read it: each field by its label (户编号, 脱贫状态, 村属性 …)
//! with its value in words (已脱贫, 贫困村, 是/否, money in yuan), and the members one line
//! each. ID numbers are given in full: a face masks them (`redact::mask_ids`) unless asked.

use super::household::{Household, Member, Status, VillageType};
use crate::i18n::Text;
use crate::questionnaire::expr::Value;
use crate::tr;

/// The label of a registry field as rules and questions name it (`household_size`,
/// `village_type`, `member_id_numbers` …); `None` for a name the registry does not have.
pub fn field_label(field: &str) -> Option<Text> {
    let (zh, en) = match field {
        "household_id" => ("户编号", "household id"),
        "head_name" => ("户主姓名", "head's name"),
        "head_id_number" => ("户主证件号码", "head's ID number"),
        "household_size" => ("家庭人口数", "household size"),
        "status" => ("脱贫状态", "poverty status"),
        "exit_year" => ("脱贫年度", "exit year"),
        "household_type" => ("贫困户属性", "household type"),
        "income_per_capita" => ("人均纯收入", "income per head"),
        "county" => ("县", "county"),
        "township" => ("乡镇", "township"),
        "village" => ("行政村", "village"),
        "village_group" => ("村民小组", "village group"),
        "helper" => ("帮扶责任人", "paired helper"),
        "village_type" => ("村属性", "village type"),
        "remote" => ("是否边远", "remote"),
        "edge" => ("是否边缘户", "edge household"),
        "member_id_numbers" => ("家庭成员证件号码", "members' ID numbers"),
        _ => return None,
    };
    Some(Text::new(zh, en))
}

/// Whether a registry field is an amount of money (yuan).
pub fn is_money(field: &str) -> bool {
    field == "income_per_capita"
}

/// Yes or no in words.
pub fn yes_no(b: bool) -> Text {
    if b {
        Text::new("是", "yes")
    } else {
        Text::new("否", "no")
    }
}

/// Not given: the text shown for a missing value.
pub fn missing() -> Text {
    Text::new("（无）", "(none)")
}

/// An amount in yuan: whole yuan when it is whole, else to the fen; thousands grouped
/// (`3,335 元`, `1,550.33 元`).
pub fn money(x: f64) -> Text {
    let n = grouped(x);
    Text::new(format!("{n} 元"), format!("{n} yuan"))
}

/// A number for people: integers as they are, others to at most two decimals (`2017`,
/// `0.3`, `1550.33`).
pub fn number(x: f64) -> String {
    grouped(x).replace(',', "")
}

/// A number to at most two decimals with thousands grouped (`12,000`, `1,550.33`).
pub fn grouped(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let fen = (x * 100.0).round();
    let negative = fen < 0.0;
    let fen = fen.abs();
    let whole = (fen / 100.0).trunc();
    let cents = (fen - whole * 100.0).round() as u64;
    let digits = format!("{whole:.0}");
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative && (whole > 0.0 || cents > 0) {
        "-"
    } else {
        ""
    };
    match cents {
        0 => format!("{sign}{grouped}"),
        c if c % 10 == 0 => format!("{sign}{grouped}.{}", c / 10),
        c => format!("{sign}{grouped}.{c:02}"),
    }
}

fn status_label(s: &str) -> Option<Text> {
    let status = match s {
        "poor" => Status::Poor,
        "exited" => Status::Exited,
        "returned" => Status::Returned,
        "non_poor" => Status::NonPoor,
        _ => return None,
    };
    Some(status.label())
}

/// The label of a village type.
pub fn village_type_label(t: VillageType) -> Text {
    match t {
        VillageType::Poor => Text::new("贫困村", "poor village"),
        VillageType::NonPoor => Text::new("非贫困村", "non-poor village"),
        VillageType::Exited => Text::new("已出列贫困村", "exited poor village"),
    }
}

/// A registry value (as `Household::field_value` or a rule's `registry('…')` gives it) in
/// words: a status or village type by its label, yes/no, money in yuan, a list joined by `、`.
pub fn value_text(field: &str, v: &Value) -> Text {
    match v {
        Value::Missing => missing(),
        Value::Bool(b) => yes_no(*b),
        Value::Number(n) if is_money(field) => money(*n),
        Value::Number(n) => {
            let n = number(*n);
            Text::new(n.clone(), n)
        }
        Value::Text(s) => match field {
            "status" => status_label(s),
            "village_type" => match s.as_str() {
                "poor" => Some(village_type_label(VillageType::Poor)),
                "non_poor" => Some(village_type_label(VillageType::NonPoor)),
                "exited" => Some(village_type_label(VillageType::Exited)),
                _ => None,
            },
            _ => None,
        }
        .unwrap_or_else(|| Text::new(s.clone(), s.clone())),
        Value::Date(d) => {
            let d = d.format("%Y-%m-%d").to_string();
            Text::new(d.clone(), d)
        }
        Value::Choices(items) => Text::new(items.join("、"), items.join(", ")),
        Value::List(items) => {
            let parts: Vec<Text> = items.iter().map(|i| value_text(field, i)).collect();
            join(&parts, "、", ", ")
        }
    }
}

/// Texts joined, each language with its own separator.
pub fn join(parts: &[Text], zh: &str, en: &str) -> Text {
    Text::new(
        parts
            .iter()
            .map(|p| p.zh.as_str())
            .collect::<Vec<_>>()
            .join(zh),
        parts
            .iter()
            .map(|p| p.en.as_str())
            .collect::<Vec<_>>()
            .join(en),
    )
}

/// A member in words: name, sex, age, relation and ID number as far as the registry has
/// them (`李秀英，女，58岁，配偶，证件号码 532326…`). Relation and sex are the registry's
/// codes or words as exported.
pub fn member_text(m: &Member) -> Text {
    let mut zh = vec![if m.name.is_empty() {
        "（无姓名）".to_string()
    } else {
        m.name.clone()
    }];
    let mut en = vec![if m.name.is_empty() {
        "(no name)".to_string()
    } else {
        m.name.clone()
    }];
    let sex = |s: &str| match s {
        "male" | "男" | "1" => Some(("男", "male")),
        "female" | "女" | "2" => Some(("女", "female")),
        _ => None,
    };
    if let Some((z, e)) = sex(m.sex.trim()) {
        zh.push(z.to_string());
        en.push(e.to_string());
    }
    if let Some(age) = m.age {
        zh.push(format!("{age}岁"));
        en.push(format!("{age} years"));
    }
    if !m.relation.trim().is_empty() {
        let r = relation_label(m.relation.trim());
        zh.push(r.zh);
        en.push(r.en);
    }
    if !m.id_number.trim().is_empty() {
        zh.push(format!("证件号码 {}", m.id_number.trim()));
        en.push(format!("ID {}", m.id_number.trim()));
    }
    Text::new(zh.join("，"), en.join(", "))
}

/// The relation to the head in words, for the roster's choice names and the common words.
fn relation_label(r: &str) -> Text {
    let (zh, en) = match r {
        "head" => ("户主", "head"),
        "spouse" => ("配偶", "spouse"),
        "child" => ("子女", "child"),
        "child_in_law" => ("儿媳/女婿", "child-in-law"),
        "grandchild" => ("孙子女", "grandchild"),
        "parent" => ("父母", "parent"),
        "parent_in_law" => ("岳父母/公婆", "parent-in-law"),
        "grandparent" => ("祖父母", "grandparent"),
        "sibling" => ("兄弟姐妹", "sibling"),
        "other" => ("其他", "other"),
        other => (other, other),
    };
    Text::new(zh, en)
}

/// The registry's fields of a record in the order of its columns, each as (field name as
/// rules name it, label, value in words), the empty ones left out; none for a household the
/// registry does not know.
pub fn fields(h: &Household) -> Vec<(&'static str, Text, Text)> {
    if h.provisional {
        return Vec::new();
    }
    crate::questionnaire::REGISTRY_FIELDS
        .iter()
        .filter_map(|field| {
            let v = h.field_value(field);
            if v.is_missing() {
                return None;
            }
            Some((*field, field_label(field)?, value_text(field, &v)))
        })
        .collect()
}

/// The record as label–value pairs in the order of the registry's columns, every field it
/// has (empty ones left out), then one pair per member (`成员 1` …).
pub fn describe(h: &Household) -> Vec<(Text, Text)> {
    let mut out = Vec::new();
    if h.provisional {
        out.push((
            Text::new("建档立卡", "registry"),
            Text::new(
                "建档立卡中没有此户（入户时新登记）",
                "not in the registry (entered on a visit)",
            ),
        ));
        return out;
    }
    out.extend(fields(h).into_iter().map(|(_, l, v)| (l, v)));
    for (i, m) in h.members.iter().enumerate() {
        out.push((tr!("成员 {}", "member {}", i + 1), member_text(m)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn numbers_are_grouped_and_rounded_to_the_fen() {
        assert_eq!(grouped(3335.0), "3,335");
        assert_eq!(grouped(1550.3333), "1,550.33");
        assert_eq!(grouped(0.3), "0.3");
        assert_eq!(grouped(-1200.5), "-1,200.5");
        assert_eq!(grouped(999.999), "1,000");
        assert_eq!(grouped(1234567.0), "1,234,567");
        assert_eq!(number(2017.0), "2017");
        assert_eq!(number(12.0), "12");
        assert_eq!(money(3335.0).get(Lang::Zh), "3,335 元");
        assert_eq!(money(1550.333).get(Lang::En), "1,550.33 yuan");
    }

    #[test]
    fn a_record_reads_in_labels_and_words() {
        let h: Household = serde_json::from_value(serde_json::json!({
            "household_id": "5323260010010001", "head_name": "李德明", "status": "exited",
            "exit_year": 2016, "income_per_capita": 4120.5, "village": "清溪村",
            "village_type": "poor", "remote": true, "household_size": 3,
            "members": [{"name": "李德明", "id_number": "532326194909155480", "sex": "male",
                         "age": 68, "relation": "head"}],
        }))
        .expect("household");
        let lines: Vec<String> = describe(&h)
            .iter()
            .map(|(l, v)| format!("{}：{}", l.zh, v.zh))
            .collect();
        for want in [
            "脱贫状态：已脱贫",
            "村属性：贫困村",
            "是否边远：是",
            "是否边缘户：否",
            "人均纯收入：4,120.5 元",
            "家庭人口数：3",
            "成员 1：李德明，男，68岁，户主，证件号码 532326194909155480",
        ] {
            assert!(lines.iter().any(|l| l == want), "{want} in {lines:?}");
        }
        assert!(
            lines
                .iter()
                .all(|l| !l.contains("true") && !l.contains("exited"))
        );
    }
}
