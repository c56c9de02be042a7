//! The codebook of exported tables: one row per column of each table, with its labels in
//! Chinese and English, its type, its choices (`code=label` pairs, `; ` between them) and the
//! questionnaires that ask it — what an analyst needs to read the codes of the other tables.

use super::column::{Column, Kind, Table, TableBuilder};

/// The codebook's name.
pub const CODEBOOK: &str = "codebook";

/// The codebook's columns, in order.
pub const CODEBOOK_COLUMNS: [(&str, &str, &str); 8] = [
    ("table", "表", "table"),
    ("question_id", "列（问题编号）", "column (question id)"),
    ("label_zh", "中文标签", "label in Chinese"),
    ("label_en", "英文标签", "label in English"),
    ("type", "类型", "type"),
    ("choices_zh", "选项（中文）", "choices (Chinese)"),
    ("choices_en", "选项（英文）", "choices (English)"),
    ("asked_in", "所在问卷", "asked in questionnaires"),
];

/// `code=label; code=label` of a column's choices, in one language.
fn choices(c: &Column, zh: bool) -> String {
    c.choices
        .iter()
        .map(|ch| {
            format!(
                "{}={}",
                ch.name,
                if zh { &ch.label.zh } else { &ch.label.en }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The codebook of `tables`, each column in table order.
pub fn codebook<'a>(tables: impl IntoIterator<Item = &'a Table>) -> Table {
    let columns = CODEBOOK_COLUMNS
        .iter()
        .map(|(id, zh, en)| Column::new(id, Kind::Text, zh, en))
        .collect();
    let mut t = TableBuilder::new(CODEBOOK, columns, 256);
    for table in tables {
        for c in &table.columns {
            t.text(0, Some(&table.name));
            t.text(1, Some(&c.id));
            t.text(2, Some(&c.label.zh));
            t.text(3, Some(&c.label.en));
            t.text(4, Some(c.kind.name()));
            let (zh, en) = (choices(c, true), choices(c, false));
            t.text(5, Some(zh.as_str()).filter(|s| !s.is_empty()));
            t.text(6, Some(en.as_str()).filter(|s| !s.is_empty()));
            let asked = c.asked_in.join(",");
            t.text(7, Some(asked.as_str()).filter(|s| !s.is_empty()));
            t.end_row();
        }
    }
    t.finish()
}
