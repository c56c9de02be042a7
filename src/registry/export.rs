//! The registry (households and members) written back out: CSV and XLSX in the columns and
//! words that `ruhu registry import` / `import-members` read (the Chinese headers of a county
//! export, [`crate::demo::HOUSEHOLD_HEADERS`] and [`crate::demo::MEMBER_HEADERS`]), so that an
//! export imports again into an empty store to the same records; and Parquet tables for
//! analysis with the English field names as columns and typed values.
//!
//! Households the registry does not know (provisional, entered on a census visit) are no
//! registry records and are left out. Masking ID numbers is the caller's (a masked export does
//! not import again: its ID numbers are refused).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{Household, Status, VillageType};
use crate::demo::{
    HOUSEHOLD_HEADERS, MEMBER_HEADERS, relation_word, sex_word, status_word, village_type_word,
};
use crate::questionnaire::Choice;
use crate::tables::{Column, Kind, Table, TableBuilder};

fn yes_no(flag: bool) -> &'static str {
    if flag { "是" } else { "否" }
}

/// A household's cells in the order of [`HOUSEHOLD_HEADERS`], numbers as numbers.
enum Cell<'a> {
    Text(&'a str),
    Number(Option<f64>),
}

fn household_cells(h: &Household) -> [Cell<'_>; 16] {
    [
        Cell::Text(&h.township),
        Cell::Text(&h.village),
        Cell::Text(&h.village_group),
        Cell::Text(&h.household_id),
        Cell::Text(&h.head_name),
        Cell::Text(&h.head_id_number),
        Cell::Number(h.household_size.map(f64::from)),
        Cell::Text(status_word(h.status)),
        Cell::Number(h.exit_year.map(f64::from)),
        Cell::Text(&h.household_type),
        Cell::Number(h.income_per_capita),
        Cell::Text(&h.helper),
        Cell::Text(h.village_type.map(village_type_word).unwrap_or_default()),
        Cell::Text(yes_no(h.remote)),
        Cell::Text(yes_no(h.edge)),
        Cell::Text(&h.county),
    ]
}

fn sheet_row(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The households as a workbook of one sheet (户信息) in the import's columns.
pub fn write_households_xlsx(
    households: impl IntoIterator<Item = Household>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("户信息")?;
    for (c, h) in (0u16..).zip(HOUSEHOLD_HEADERS) {
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    for (i, h) in households.into_iter().enumerate() {
        let r = sheet_row(i + 1);
        if r as usize >= crate::tables::xlsx::MAX_SHEET_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        for (c, cell) in (0u16..).zip(household_cells(&h)) {
            match cell {
                Cell::Text(s) => {
                    sheet.write_string_with_format(r, c, s, &text)?;
                }
                Cell::Number(Some(x)) => {
                    sheet.write_number(r, c, x)?;
                }
                Cell::Number(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The members as a workbook of one sheet (家庭成员) in the members import's columns.
pub fn write_members_xlsx(
    households: impl IntoIterator<Item = Household>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("家庭成员")?;
    for (c, h) in (0u16..).zip(MEMBER_HEADERS) {
        sheet.write_string_with_format(0, c, h, &bold)?;
    }
    let mut r = 0usize;
    for h in households {
        for m in &h.members {
            r += 1;
            if r >= crate::tables::xlsx::MAX_SHEET_ROWS {
                return Err(XlsxError::RowColumnLimitError);
            }
            let row = sheet_row(r);
            for (c, s) in (0u16..).zip([
                h.household_id.as_str(),
                &m.name,
                &m.id_number,
                relation_word(&m.relation),
                sex_word(&m.sex),
            ]) {
                sheet.write_string_with_format(row, c, s, &text)?;
            }
            if let Some(age) = m.age {
                sheet.write_number(row, 5, f64::from(age))?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

fn status_code(s: Status) -> &'static str {
    match s {
        Status::Poor => "poor",
        Status::Exited => "exited",
        Status::Returned => "returned",
        Status::NonPoor => "non_poor",
    }
}

fn village_type_code(v: VillageType) -> &'static str {
    match v {
        VillageType::Poor => "poor",
        VillageType::NonPoor => "non_poor",
        VillageType::Exited => "exited",
    }
}

/// The households table (Parquet): the import's English field names as columns.
pub fn households_table(households: impl IntoIterator<Item = Household>) -> Table {
    let status_choices = [
        Status::Poor,
        Status::Exited,
        Status::Returned,
        Status::NonPoor,
    ]
    .iter()
    .map(|s| Choice {
        name: status_code(*s).to_string(),
        label: s.label(),
    })
    .collect();
    let village_choices = [VillageType::Poor, VillageType::NonPoor, VillageType::Exited]
        .iter()
        .map(|v| Choice {
            name: village_type_code(*v).to_string(),
            label: crate::i18n::Text::new(
                village_type_word(*v),
                match v {
                    VillageType::Poor => "poor village",
                    VillageType::NonPoor => "non-poor village",
                    VillageType::Exited => "exited poor village",
                },
            ),
        })
        .collect();
    let columns = vec![
        Column::new("household_id", Kind::Text, "户编号", "household id"),
        Column::new("head_name", Kind::Text, "户主姓名", "head's name"),
        Column::new("head_id_number", Kind::Text, "证件号码", "head's ID number"),
        Column::new(
            "household_size",
            Kind::Integer,
            "家庭人口数",
            "household size",
        ),
        Column::new("status", Kind::Choice, "脱贫状态", "status").with_choices(status_choices),
        Column::new("exit_year", Kind::Integer, "脱贫年度", "exit year"),
        Column::new("household_type", Kind::Text, "贫困户属性", "household type"),
        Column::new(
            "income_per_capita",
            Kind::Decimal,
            "人均纯收入",
            "net income per head",
        ),
        Column::new("county", Kind::Text, "县", "county"),
        Column::new("township", Kind::Text, "乡镇", "township"),
        Column::new("village", Kind::Text, "行政村", "village"),
        Column::new("village_group", Kind::Text, "村民小组", "village group"),
        Column::new("helper", Kind::Text, "帮扶责任人", "paired helper"),
        Column::new("village_type", Kind::Choice, "村属性", "village type")
            .with_choices(village_choices),
        Column::new("remote", Kind::YesNo, "是否边远", "remote"),
        Column::new("edge", Kind::YesNo, "是否边缘户", "edge household"),
    ];
    let mut t = TableBuilder::new("households", columns, 1024);
    for h in households {
        t.text(0, Some(&h.household_id));
        t.text(1, Some(&h.head_name));
        t.text(2, Some(h.head_id_number.as_str()).filter(|s| !s.is_empty()));
        t.int(3, h.household_size.map(i64::from));
        t.text(4, Some(status_code(h.status)));
        t.int(5, h.exit_year.map(i64::from));
        t.text(6, Some(h.household_type.as_str()).filter(|s| !s.is_empty()));
        t.num(7, h.income_per_capita);
        t.text(8, Some(&h.county));
        t.text(9, Some(&h.township));
        t.text(10, Some(&h.village));
        t.text(11, Some(&h.village_group));
        t.text(12, Some(h.helper.as_str()).filter(|s| !s.is_empty()));
        t.text(13, h.village_type.map(village_type_code));
        t.bool(14, Some(h.remote));
        t.bool(15, Some(h.edge));
        t.end_row();
    }
    t.finish()
}

/// The members table (Parquet): one row per member, keyed by household id.
pub fn members_table(households: impl IntoIterator<Item = Household>) -> Table {
    let columns = vec![
        Column::new("household_id", Kind::Text, "户编号", "household id"),
        Column::new("name", Kind::Text, "姓名", "name"),
        Column::new("id_number", Kind::Text, "证件号码", "ID number"),
        Column::new(
            "relation",
            Kind::Choice,
            "与户主关系",
            "relation to the head",
        ),
        Column::new("sex", Kind::Choice, "性别", "sex"),
        Column::new("age", Kind::Integer, "年龄", "age"),
    ];
    let mut t = TableBuilder::new("members", columns, 4096);
    for h in households {
        for m in &h.members {
            t.text(0, Some(&h.household_id));
            t.text(1, Some(&m.name));
            t.text(2, Some(m.id_number.as_str()).filter(|s| !s.is_empty()));
            t.text(3, Some(m.relation.as_str()).filter(|s| !s.is_empty()));
            t.text(4, Some(m.sex.as_str()).filter(|s| !s.is_empty()));
            t.int(5, m.age.map(i64::from));
            t.end_row();
        }
    }
    t.finish()
}
