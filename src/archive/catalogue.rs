//! The archive catalogue (档案台账目录清单, `questionnaires/archive_catalogue.json`): the items
//! of the county, township and village archives that assessors read, as the county notice lists
//! them, with an English gloss, loaded and checked (numbers unique per level, known retention
//! periods).
//!
//! The file: `format` (`ruhu-archive-catalogue`), `version` (1), `source` and `translation`
//! (texts: where the catalogue comes from; that the English is ruhu's translation, not
//! official), and `tables`, one per level, in the notice's order:
//!
//! ```json
//! { "level": "village", "title": { "zh": "村级（动态管理）", "en": "…" },
//!   "categories": [
//!     { "id": "village_identification", "number": 2,
//!       "name": { "zh": "精准识别类", "en": "Precise identification" }, "written": "2.精准识别类",
//!       "items": [
//!         { "number": "2.10", "stage": { "zh": "贫困村识别", "en": "…" },
//!           "text": { "zh": "贫困村初选申报材料；", "en": "…" }, "retention": "30年" } ] } ] }
//! ```
//!
//! `number` of a category and `stage` and `retention` of an item are absent where the notice
//! gives none (county and township tables). An item's `text.zh` is the notice's text after the
//! number, unchanged. Unknown fields are errors.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::i18n::Text;

/// The catalogue compiled into the program.
pub const BUNDLED_CATALOGUE: &str = include_str!("../../questionnaires/archive_catalogue.json");

/// The value of the file's `format` field.
pub const FORMAT: &str = "ruhu-archive-catalogue";
/// The version of the file's format this program reads.
pub const FORMAT_VERSION: u32 = 1;

/// 层级 The level of the place whose archive a table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 县级
    County,
    /// 乡镇级
    Township,
    /// 村级
    Village,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::County, Level::Township, Level::Village];

    /// The stable name used in files and JSON output: `county`, `township`, `village`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Level::County => Text::new("县级", "county"),
            Level::Township => Text::new("乡镇级", "township"),
            Level::Village => Text::new("村级", "village"),
        }
    }
}

/// 保存期限 How long an item is kept, where the notice says (only the village table does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Retention {
    /// 永久 permanently.
    #[serde(rename = "永久")]
    Permanent,
    /// 30年 thirty years.
    #[serde(rename = "30年")]
    ThirtyYears,
}

impl Retention {
    /// The value as the notice and the file write it: `永久`, `30年`.
    pub fn as_str(self) -> &'static str {
        match self {
            Retention::Permanent => "永久",
            Retention::ThirtyYears => "30年",
        }
    }

    /// Reads a value as the notice writes it; `None` for anything else.
    pub fn parse(s: &str) -> Option<Retention> {
        match s {
            "永久" => Some(Retention::Permanent),
            "30年" => Some(Retention::ThirtyYears),
            _ => None,
        }
    }

    pub fn label(self) -> Text {
        match self {
            Retention::Permanent => Text::new("永久", "permanent"),
            Retention::ThirtyYears => Text::new("30年", "30 years"),
        }
    }
}

/// The number of an item as the notice writes it (`1.23`): its category's number and its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemNumber {
    pub major: u32,
    pub minor: u32,
}

impl ItemNumber {
    /// Reads `N.M` (digits only, no leading zero, no sign); `None` for anything else.
    pub fn parse(s: &str) -> Option<ItemNumber> {
        let (a, b) = s.split_once('.')?;
        let part = |p: &str| {
            let ok = !p.is_empty()
                && p.bytes().all(|c| c.is_ascii_digit())
                && (p == "0" || !p.starts_with('0'));
            if ok { p.parse::<u32>().ok() } else { None }
        };
        Some(ItemNumber {
            major: part(a)?,
            minor: part(b)?,
        })
    }
}

impl std::fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// One archive item (归档范围及内容).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub number: ItemNumber,
    /// 阶段 The stage within the category, where the notice names one (village table).
    pub stage: Option<Text>,
    /// The text exactly as the notice writes it (its punctuation and typos kept), with an
    /// English gloss.
    pub text: Text,
    pub retention: Option<Retention>,
}

/// 类别 A category of a table and its items, in the notice's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Stable id, e.g. `county_exit`.
    pub id: String,
    /// The number the notice gives the category (village table: `1.综合管理类` is 1).
    pub number: Option<u32>,
    /// The name without the number and the spaces the notice sets between its characters.
    pub name: Text,
    /// The label exactly as the notice writes it, e.g. `综 合 类`, `1.综合管理类`.
    pub written: String,
    pub items: Vec<Item>,
}

/// The catalogue of one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub level: Level,
    pub title: Text,
    pub categories: Vec<Category>,
}

impl Table {
    /// Every item with its category, in the notice's order.
    pub fn items(&self) -> impl Iterator<Item = (&Category, &Item)> {
        self.categories
            .iter()
            .flat_map(|c| c.items.iter().map(move |i| (c, i)))
    }

    pub fn item(&self, number: ItemNumber) -> Option<(&Category, &Item)> {
        self.items().find(|(_, i)| i.number == number)
    }

    pub fn len(&self) -> usize {
        self.categories.iter().map(|c| c.items.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The whole catalogue: one table per level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub version: u32,
    /// Where the catalogue comes from.
    pub source: Text,
    /// Says that the English glosses are a translation, not official.
    pub translation: Text,
    pub tables: Vec<Table>,
}

impl Catalogue {
    pub fn table(&self, level: Level) -> Option<&Table> {
        self.tables.iter().find(|t| t.level == level)
    }
}

/// Why a catalogue file was refused; the message names the level and the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("档案台账目录不是有效的JSON / the archive catalogue is not valid JSON: {0}")]
    Json(String),
    #[error(
        "档案台账目录格式为 {found}，应为 {FORMAT} {FORMAT_VERSION} / the archive catalogue's format is {found}, expected {FORMAT} {FORMAT_VERSION}"
    )]
    Format { found: String },
    #[error("{level}级有两张表 / two tables for level {level}")]
    DuplicateLevel { level: &'static str },
    #[error("{level}级缺少表 / no table for level {level}")]
    MissingLevel { level: &'static str },
    #[error("{level}级类别 {category} 重复 / category {category} appears twice in level {level}")]
    DuplicateCategory {
        level: &'static str,
        category: String,
    },
    #[error(
        "{level}级类别 {category} 没有条目 / category {category} of level {level} has no items"
    )]
    EmptyCategory {
        level: &'static str,
        category: String,
    },
    #[error(
        "{level}级条目编号 {number} 无效，应为“数字.数字” / item number {number} of level {level} is not N.M"
    )]
    BadNumber { level: &'static str, number: String },
    #[error("{level}级条目 {number} 重复 / item {number} appears twice in level {level}")]
    DuplicateNumber { level: &'static str, number: String },
    #[error(
        "{level}级条目 {number} 编号与类别 {category} 不符 / item {number} of level {level} does not belong to category {category} by its number"
    )]
    NumberOutsideCategory {
        level: &'static str,
        number: String,
        category: String,
    },
    #[error(
        "{level}级条目 {number} 的保存期限“{value}”未知，应为“永久”或“30年” / item {number} of level {level}: unknown retention '{value}' (永久 or 30年)"
    )]
    UnknownRetention {
        level: &'static str,
        number: String,
        value: String,
    },
    #[error("{level}级条目 {number} 的内容为空 / item {number} of level {level} has an empty text")]
    EmptyText { level: &'static str, number: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    format: String,
    version: u32,
    source: Text,
    translation: Text,
    tables: Vec<RawTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    level: Level,
    title: Text,
    categories: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    #[serde(default)]
    number: Option<u32>,
    name: Text,
    written: String,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    number: String,
    #[serde(default)]
    stage: Option<Text>,
    text: Text,
    #[serde(default)]
    retention: Option<String>,
}

/// Reads and checks a catalogue file's text.
pub fn from_str(src: &str) -> Result<Catalogue, CatalogueError> {
    let src = crate::questionnaire::strip_bom(src);
    let raw: RawCatalogue =
        serde_json::from_str(src).map_err(|e| CatalogueError::Json(e.to_string()))?;
    if raw.format != FORMAT || raw.version != FORMAT_VERSION {
        return Err(CatalogueError::Format {
            found: format!("{} {}", raw.format, raw.version),
        });
    }
    let mut tables = Vec::new();
    for t in raw.tables {
        let level = t.level.as_str();
        if tables.iter().any(|x: &Table| x.level == t.level) {
            return Err(CatalogueError::DuplicateLevel { level });
        }
        let mut numbers = HashSet::new();
        let mut ids = HashSet::new();
        let mut categories = Vec::new();
        for c in t.categories {
            if !ids.insert(c.id.clone()) {
                return Err(CatalogueError::DuplicateCategory {
                    level,
                    category: c.id,
                });
            }
            if c.items.is_empty() {
                return Err(CatalogueError::EmptyCategory {
                    level,
                    category: c.id,
                });
            }
            let mut items = Vec::new();
            for i in c.items {
                let number =
                    ItemNumber::parse(&i.number).ok_or_else(|| CatalogueError::BadNumber {
                        level,
                        number: i.number.clone(),
                    })?;
                if !numbers.insert(number) {
                    return Err(CatalogueError::DuplicateNumber {
                        level,
                        number: i.number,
                    });
                }
                if c.number.is_some_and(|n| n != number.major) {
                    return Err(CatalogueError::NumberOutsideCategory {
                        level,
                        number: i.number,
                        category: c.id,
                    });
                }
                if i.text.zh.trim().is_empty() {
                    return Err(CatalogueError::EmptyText {
                        level,
                        number: i.number,
                    });
                }
                let retention = match i.retention {
                    None => None,
                    Some(v) => Some(Retention::parse(&v).ok_or_else(|| {
                        CatalogueError::UnknownRetention {
                            level,
                            number: i.number.clone(),
                            value: v.clone(),
                        }
                    })?),
                };
                items.push(Item {
                    number,
                    stage: i.stage,
                    text: i.text,
                    retention,
                });
            }
            categories.push(Category {
                id: c.id,
                number: c.number,
                name: c.name,
                written: c.written,
                items,
            });
        }
        tables.push(Table {
            level: t.level,
            title: t.title,
            categories,
        });
    }
    for level in Level::ALL {
        if !tables.iter().any(|t| t.level == level) {
            return Err(CatalogueError::MissingLevel {
                level: level.as_str(),
            });
        }
    }
    Ok(Catalogue {
        version: raw.version,
        source: raw.source,
        translation: raw.translation,
        tables,
    })
}

/// The catalogue compiled into the program, checked.
pub fn bundled() -> Result<Catalogue, CatalogueError> {
    from_str(BUNDLED_CATALOGUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled_ok() -> Catalogue {
        bundled().expect("the bundled catalogue loads")
    }

    /// A small valid file with one table per level; `item` is the village item's JSON.
    fn small(item: &str) -> String {
        let table = |level: &str, items: &str| {
            format!(
                r#"{{"level":"{level}","title":{{"zh":"表","en":"table"}},"categories":[
                {{"id":"{level}_c","number":1,"name":{{"zh":"综合类","en":"General"}},"written":"1.综合类","items":[{items}]}}]}}"#
            )
        };
        let plain = r#"{"number":"1.1","text":{"zh":"材料；","en":"materials"}}"#;
        format!(
            r#"{{"format":"ruhu-archive-catalogue","version":1,"source":{{"zh":"通知","en":"notice"}},
            "translation":{{"zh":"译文","en":"translation"}},"tables":[{},{},{}]}}"#,
            table("county", plain),
            table("township", plain),
            table("village", item)
        )
    }

    #[test]
    fn the_bundled_catalogue_has_the_three_tables_of_the_notice() {
        let c = bundled_ok();
        assert_eq!(c.table(Level::County).unwrap().len(), 30);
        assert_eq!(c.table(Level::Township).unwrap().len(), 15);
        assert_eq!(c.table(Level::Village).unwrap().len(), 48);
        let county = c.table(Level::County).unwrap();
        let (cat, item) = county.item(ItemNumber::parse("1.23").unwrap()).unwrap();
        assert_eq!(cat.name.zh, "贫困县摘帽退出类");
        assert_eq!(item.text.zh, "贫困县确定批复；");
        assert_eq!(item.retention, None);
        assert!(c.translation.en.contains("not official"));
    }

    #[test]
    fn the_township_item_above_its_label_belongs_to_the_exit_category() {
        let c = bundled_ok();
        let t = c.table(Level::Township).unwrap();
        let (cat, item) = t.item(ItemNumber::parse("2.1").unwrap()).unwrap();
        assert_eq!(cat.name.zh, "贫困乡退出类");
        assert_eq!(cat.written, "贫 困 乡 退 出 类");
        assert_eq!(item.text.zh, "贫困乡确定批复；");
    }

    #[test]
    fn village_items_keep_the_notice_s_text_stage_and_retention() {
        let c = bundled_ok();
        let v = c.table(Level::Village).unwrap();
        let get = |n: &str| v.item(ItemNumber::parse(n).unwrap()).unwrap();
        let (cat, i) = get("3.1");
        assert_eq!(cat.name.zh, "精准施策类");
        assert_eq!(i.text.zh, "特色产项目的材料；");
        assert_eq!(i.stage.as_ref().unwrap().zh, "贫困人口精准帮扶");
        assert_eq!(i.retention, Some(Retention::ThirtyYears));
        let (_, i) = get("3.18");
        assert_eq!(i.text.zh, "用地政策支持扶贫的材料;");
        assert_eq!(i.stage.as_ref().unwrap().zh, "贫困村精准扶贫");
        assert_eq!(i.retention, Some(Retention::Permanent));
        let (_, i) = get("4.11");
        assert_eq!(i.text.zh, "公示公告等文件材料。");
        let (_, i) = get("2.10");
        assert_eq!(i.retention, Some(Retention::ThirtyYears));
        assert!(v.items().all(|(_, i)| i.retention.is_some()));
    }

    #[test]
    fn an_unknown_retention_is_refused_naming_the_item() {
        let src = small(r#"{"number":"1.7","text":{"zh":"材料；","en":"m"},"retention":"10年"}"#);
        let e = from_str(&src).unwrap_err();
        assert!(matches!(e, CatalogueError::UnknownRetention { .. }));
        let msg = e.to_string();
        assert!(msg.contains("1.7") && msg.contains("10年") && msg.contains("village"));
    }

    #[test]
    fn a_number_twice_in_a_level_is_refused_naming_it() {
        let src = small(
            r#"{"number":"1.2","text":{"zh":"甲；","en":"a"}},{"number":"1.2","text":{"zh":"乙；","en":"b"}}"#,
        );
        let e = from_str(&src).unwrap_err();
        assert_eq!(
            e,
            CatalogueError::DuplicateNumber {
                level: "village",
                number: "1.2".into()
            }
        );
        assert!(e.to_string().contains("1.2"));
    }

    #[test]
    fn bad_numbers_and_numbers_outside_their_category_are_refused() {
        for n in ["1", "1.", ".1", "1.01", "a.1", "1.1.1", "-1.1"] {
            let src = small(&format!(
                r#"{{"number":"{n}","text":{{"zh":"甲","en":"a"}}}}"#
            ));
            let e = from_str(&src).unwrap_err();
            assert!(matches!(e, CatalogueError::BadNumber { .. }), "{n}: {e}");
        }
        let src = small(r#"{"number":"2.1","text":{"zh":"甲","en":"a"}}"#);
        assert!(matches!(
            from_str(&src).unwrap_err(),
            CatalogueError::NumberOutsideCategory { .. }
        ));
    }

    #[test]
    fn the_small_file_loads_and_a_missing_level_or_wrong_format_is_refused() {
        let ok = small(r#"{"number":"1.1","text":{"zh":"甲","en":"a"},"retention":"永久"}"#);
        assert!(from_str(&ok).is_ok());
        let wrong = ok.replacen("\"version\":1", "\"version\":2", 1);
        assert!(matches!(
            from_str(&wrong).unwrap_err(),
            CatalogueError::Format { .. }
        ));
        let v: serde_json::Value = serde_json::from_str(&ok).unwrap();
        let mut v2 = v.clone();
        v2["tables"].as_array_mut().unwrap().pop();
        assert_eq!(
            from_str(&v2.to_string()).unwrap_err(),
            CatalogueError::MissingLevel { level: "village" }
        );
        let mut v3 = v;
        v3["tables"][0]["categories"][0]["items"][0]["colour"] = "red".into();
        assert!(matches!(
            from_str(&v3.to_string()).unwrap_err(),
            CatalogueError::Json(_)
        ));
    }
}
