//! Writing demo households as registry CSV files in the shape of a county export: through the
//! one CSV writer ([`crate::sheet_csv`]: UTF-8 with a byte order mark, ID numbers and long
//! ids kept as text), the Chinese headers of the registry import columns, one row at a time
//! so any number of households streams through.

use std::borrow::Borrow;
use std::io::{self, Write};

use crate::sheet_csv::SheetCsv;

use crate::registry::{Household, Status, VillageType};

use super::members::{relation_word, sex_word};

/// Headers of the household file, in order (DOMAIN.md, registry import columns).
pub const HOUSEHOLD_HEADERS: [&str; 16] = [
    "乡镇",
    "行政村",
    "村民小组",
    "户编号",
    "户主姓名",
    "证件号码",
    "家庭人口数",
    "脱贫状态",
    "脱贫年度",
    "贫困户属性",
    "人均纯收入",
    "帮扶责任人",
    "村属性",
    "是否边远",
    "是否边缘户",
    "县",
];

/// Headers of the members file, in order.
pub const MEMBER_HEADERS: [&str; 6] = ["户编号", "姓名", "证件号码", "与户主关系", "性别", "年龄"];

/// 脱贫状态 as the registry writes it.
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Poor => "未脱贫",
        Status::Exited => "已脱贫",
        Status::Returned => "返贫",
        Status::NonPoor => "非贫困户",
    }
}

/// 村属性 as the registry writes it.
pub fn village_type_word(village_type: VillageType) -> &'static str {
    match village_type {
        VillageType::Poor => "贫困村",
        VillageType::NonPoor => "非贫困村",
        VillageType::Exited => "已出列贫困村",
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "是" } else { "否" }
}

/// Income without a trailing `.0` for whole yuan.
fn money(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// Writes the household file (one row per household). Accepts owned or borrowed households.
pub fn write_csv<W: Write, H: Borrow<Household>>(
    households: impl IntoIterator<Item = H>,
    w: W,
) -> io::Result<()> {
    let mut out = SheetCsv::new(w, HOUSEHOLD_HEADERS)?;
    for household in households {
        let h = household.borrow();
        let size = h.household_size.map(|n| n.to_string()).unwrap_or_default();
        let exit_year = h.exit_year.map(|y| y.to_string()).unwrap_or_default();
        let income = h.income_per_capita.map(money).unwrap_or_default();
        out.text_row([
            h.township.as_str(),
            &h.village,
            &h.village_group,
            &h.household_id,
            &h.head_name,
            &h.head_id_number,
            &size,
            status_word(h.status),
            &exit_year,
            &h.household_type,
            &income,
            &h.helper,
            h.village_type.map(village_type_word).unwrap_or_default(),
            yes_no(h.remote),
            yes_no(h.edge),
            &h.county,
        ])?;
    }
    out.finish()?;
    Ok(())
}

/// Writes the members file (one row per member, Chinese relation and sex words). Accepts owned
/// or borrowed households.
pub fn write_members_csv<W: Write, H: Borrow<Household>>(
    households: impl IntoIterator<Item = H>,
    w: W,
) -> io::Result<()> {
    let mut out = SheetCsv::new(w, MEMBER_HEADERS)?;
    for household in households {
        let h = household.borrow();
        for m in &h.members {
            let age = m.age.map(|a| a.to_string()).unwrap_or_default();
            out.text_row([
                h.household_id.as_str(),
                &m.name,
                &m.id_number,
                relation_word(&m.relation),
                sex_word(&m.sex),
                &age,
            ])?;
        }
    }
    out.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoOptions, generate};

    const BOM: &[u8] = "\u{feff}".as_bytes();

    fn read(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
        assert!(bytes.starts_with(BOM), "BOM first");
        let mut reader = csv::Reader::from_reader(&bytes[BOM.len()..]);
        let headers = reader.headers().unwrap().iter().map(String::from).collect();
        // Cells as an import reads them (the writer's `'` mark taken off).
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(crate::sheet_csv::unmark).collect())
            .collect();
        (headers, rows)
    }

    #[test]
    fn household_csv_round_trips_with_bom_and_headers() {
        let households = generate(&DemoOptions {
            households: 120,
            seed: 5,
        });
        let mut bytes = Vec::new();
        write_csv(&households, &mut bytes).unwrap();
        let (headers, rows) = read(&bytes);
        assert_eq!(headers, HOUSEHOLD_HEADERS);
        assert_eq!(rows.len(), households.len());
        for (row, h) in rows.iter().zip(&households) {
            assert_eq!(&row[0], h.township);
            assert_eq!(&row[1], h.village);
            assert_eq!(&row[2], h.village_group);
            assert_eq!(&row[3], h.household_id);
            assert_eq!(&row[4], h.head_name);
            assert_eq!(&row[5], h.head_id_number);
            assert_eq!(row[6].parse::<u32>().ok(), h.household_size);
            assert_eq!(&row[7], status_word(h.status));
            assert_eq!(row[8].parse::<i32>().ok(), h.exit_year);
            assert_eq!(&row[9], h.household_type);
            assert_eq!(row[10].parse::<f64>().ok(), h.income_per_capita);
            assert!(!row[10].contains('.'));
            assert_eq!(&row[11], h.helper);
            assert_eq!(&row[12], village_type_word(h.village_type.unwrap()));
            assert_eq!(&row[13], yes_no(h.remote));
            assert_eq!(&row[14], yes_no(h.edge));
            assert_eq!(&row[15], h.county);
        }
        let statuses: std::collections::BTreeSet<_> =
            rows.iter().map(|r| r[7].to_string()).collect();
        assert!(statuses.contains("未脱贫") && statuses.contains("非贫困户"));
    }

    #[test]
    fn members_csv_round_trips_with_chinese_words() {
        let households = generate(&DemoOptions {
            households: 40,
            seed: 6,
        });
        let mut bytes = Vec::new();
        write_members_csv(households.iter(), &mut bytes).unwrap();
        let (headers, rows) = read(&bytes);
        assert_eq!(headers, MEMBER_HEADERS);
        let members: Vec<_> = households
            .iter()
            .flat_map(|h| h.members.iter().map(move |m| (h, m)))
            .collect();
        assert_eq!(rows.len(), members.len());
        for (row, (h, m)) in rows.iter().zip(members) {
            assert_eq!(&row[0], h.household_id);
            assert_eq!(&row[1], m.name);
            assert_eq!(&row[2], m.id_number);
            assert_eq!(&row[3], relation_word(&m.relation));
            assert_eq!(&row[4], sex_word(&m.sex));
            assert_eq!(row[5].parse::<u32>().ok(), m.age);
            assert!(
                ["户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"].contains(&&row[3])
            );
            assert!(["男", "女"].contains(&&row[4]));
        }
    }

    #[test]
    fn owned_households_stream_into_the_writer() {
        let opts = DemoOptions {
            households: 10,
            seed: 1,
        };
        let mut bytes = Vec::new();
        write_csv(crate::demo::generate_iter(&opts), &mut bytes).unwrap();
        let (_, rows) = read(&bytes);
        assert_eq!(rows.len(), 10);
    }

    #[test]
    fn money_drops_whole_decimals_only() {
        assert_eq!(money(3300.0), "3300");
        assert_eq!(money(3300.5), "3300.5");
    }
}
