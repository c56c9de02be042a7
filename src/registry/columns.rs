//! Which column of a registry file is which field: every accepted header name (Chinese, the
//! national system's code, English) in one table per kind of file, and the mapping of a file's
//! header row onto those fields. README.md ("Registry import") mirrors these tables; a test
//! checks that it lists every name.

use crate::i18n::Text;
use crate::tr;

/// A field of a registry file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    HouseholdId,
    HeadName,
    HeadIdNumber,
    HouseholdSize,
    Status,
    ExitYear,
    HouseholdType,
    IncomePerCapita,
    County,
    Township,
    Village,
    VillageGroup,
    Helper,
    VillageType,
    Remote,
    Edge,
    /// Members file: the member's name.
    MemberName,
    /// Members file: the member's ID number.
    MemberIdNumber,
    Relation,
    Sex,
    Age,
}

/// Number of [`Field`] variants (the size of a header's index).
const FIELDS: usize = 21;

impl Field {
    fn index(self) -> usize {
        self as usize
    }

    /// The field's name for people (used in reasons and messages).
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            Field::HouseholdId => ("户编号", "household id"),
            Field::HeadName => ("户主姓名", "head's name"),
            Field::HeadIdNumber => ("证件号码", "ID number"),
            Field::HouseholdSize => ("家庭人口数", "household size"),
            Field::Status => ("脱贫状态", "status"),
            Field::ExitYear => ("脱贫年度", "exit year"),
            Field::HouseholdType => ("贫困户属性", "household type"),
            Field::IncomePerCapita => ("人均纯收入", "income per head"),
            Field::County => ("县", "county"),
            Field::Township => ("乡镇", "township"),
            Field::Village => ("行政村", "village"),
            Field::VillageGroup => ("村民小组", "village group"),
            Field::Helper => ("帮扶责任人", "paired helper"),
            Field::VillageType => ("村属性", "village type"),
            Field::Remote => ("是否边远", "remote"),
            Field::Edge => ("是否边缘户", "edge household"),
            Field::MemberName => ("姓名", "name"),
            Field::MemberIdNumber => ("证件号码", "ID number"),
            Field::Relation => ("与户主关系", "relation to the head"),
            Field::Sex => ("性别", "sex"),
            Field::Age => ("年龄", "age"),
        };
        Text::new(zh, en)
    }
}

/// The kind of registry file, each with its own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One row per household (`ruhu registry import`).
    Households,
    /// One row per member, keyed by 户编号 (`ruhu registry import-members`).
    Members,
    /// One row per village: 村属性, 是否边远 (`ruhu registry import-villages`).
    Villages,
}

impl FileKind {
    /// The accepted columns of this kind of file.
    pub fn columns(self) -> &'static [Column] {
        match self {
            FileKind::Households => HOUSEHOLD_COLUMNS,
            FileKind::Members => MEMBER_COLUMNS,
            FileKind::Villages => VILLAGE_COLUMNS,
        }
    }

    /// Fields a file of this kind must have a column for.
    pub fn required(self) -> &'static [Field] {
        match self {
            FileKind::Households => &[Field::HouseholdId],
            FileKind::Members => &[Field::HouseholdId, Field::MemberName],
            FileKind::Villages => &[Field::Village],
        }
    }
}

/// The accepted header names of one field.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: Field,
    /// Chinese headers; the first is the one ruhu writes.
    pub chinese: &'static [&'static str],
    /// The national system's column code, where there is one.
    pub code: Option<&'static str>,
    pub english: &'static str,
}

const fn col(
    field: Field,
    chinese: &'static [&'static str],
    code: Option<&'static str>,
    english: &'static str,
) -> Column {
    Column {
        field,
        chinese,
        code,
        english,
    }
}

/// Place and village columns, in household files and village files alike.
const COUNTY: Column = col(Field::County, &["县", "县(市、区)", "县区"], None, "county");
const TOWNSHIP: Column = col(
    Field::Township,
    &["乡镇", "乡(镇)", "乡镇(街道)"],
    None,
    "township",
);
const VILLAGE: Column = col(Field::Village, &["行政村", "村"], None, "village");
const VILLAGE_TYPE: Column = col(Field::VillageType, &["村属性"], None, "village_type");
const REMOTE: Column = col(Field::Remote, &["是否边远"], None, "remote");

/// Household file columns (DOMAIN.md, "Registry import columns").
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    col(
        Field::HouseholdId,
        &["户编号"],
        Some("aac001"),
        "household_id",
    ),
    col(Field::HeadName, &["户主姓名"], Some("aac029"), "head_name"),
    col(
        Field::HeadIdNumber,
        &["证件号码", "户主证件号码", "户主身份证号码", "身份证号码"],
        Some("aac031"),
        "head_id_number",
    ),
    col(
        Field::HouseholdSize,
        &["家庭人口数", "家庭人口", "人口数"],
        Some("aac017"),
        "household_size",
    ),
    col(
        Field::Status,
        &["脱贫状态", "贫困状态", "贫困户状态"],
        Some("aar010"),
        "status",
    ),
    col(
        Field::ExitYear,
        &["脱贫年度", "脱贫年份"],
        Some("aac023"),
        "exit_year",
    ),
    col(
        Field::HouseholdType,
        &["贫困户属性"],
        Some("aac006"),
        "household_type",
    ),
    col(
        Field::IncomePerCapita,
        &["人均纯收入", "年人均纯收入"],
        None,
        "income_per_capita",
    ),
    COUNTY,
    TOWNSHIP,
    VILLAGE,
    col(
        Field::VillageGroup,
        &["村民小组", "组"],
        None,
        "village_group",
    ),
    col(Field::Helper, &["帮扶责任人"], None, "helper"),
    VILLAGE_TYPE,
    REMOTE,
    col(Field::Edge, &["是否边缘户"], None, "edge"),
];

/// Members file columns.
pub const MEMBER_COLUMNS: &[Column] = &[
    col(
        Field::HouseholdId,
        &["户编号"],
        Some("aac001"),
        "household_id",
    ),
    col(Field::MemberName, &["姓名", "成员姓名"], None, "name"),
    col(
        Field::MemberIdNumber,
        &["证件号码", "身份证号码"],
        None,
        "id_number",
    ),
    col(Field::Relation, &["与户主关系"], None, "relation"),
    col(Field::Sex, &["性别"], None, "sex"),
    col(Field::Age, &["年龄"], None, "age"),
];

/// Village file columns.
pub const VILLAGE_COLUMNS: &[Column] = &[COUNTY, TOWNSHIP, VILLAGE, VILLAGE_TYPE, REMOTE];

/// A header as compared: no spaces (ASCII or full-width), no `_`/`-`, no `*` marking a
/// required column, ASCII lower case, full-width parentheses as ASCII ones.
pub fn normalize(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | '\u{3000}'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The field a header names in a file of this kind, if any.
pub fn field_of(kind: FileKind, name: &str) -> Option<Field> {
    let n = normalize(name);
    if n.is_empty() {
        return None;
    }
    kind.columns().iter().find_map(|c| {
        let hit = c.chinese.iter().any(|z| normalize(z) == n)
            || c.code.is_some_and(|code| normalize(code) == n)
            || normalize(c.english) == n;
        hit.then_some(c.field)
    })
}

/// Why a header row cannot be used: the file is not imported.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderError {
    /// No header row at all (an empty file or sheet).
    Empty,
    /// Required columns are missing.
    Missing(Vec<Field>),
    /// Two columns name the same field.
    Twice {
        field: Field,
        first: String,
        second: String,
    },
}

impl HeaderError {
    pub fn message(&self) -> Text {
        match self {
            HeaderError::Empty => tr!("文件是空的，没有标题行", "the file is empty: no header row"),
            HeaderError::Missing(fields) => {
                let zh: Vec<String> = fields.iter().map(|f| f.label().zh).collect();
                let en: Vec<String> = fields.iter().map(|f| f.label().en).collect();
                Text::new(
                    format!(
                        "缺少必需的列：{}（可接受的列名见 README“Registry import”一节）",
                        zh.join("、")
                    ),
                    format!(
                        "required columns missing: {} (accepted names: README, \"Registry import\")",
                        en.join(", ")
                    ),
                )
            }
            HeaderError::Twice {
                field,
                first,
                second,
            } => Text::new(
                format!(
                    "“{first}”和“{second}”两列都是{}，只能有一列",
                    field.label().zh
                ),
                format!(
                    "columns \"{first}\" and \"{second}\" both give the {}; keep one",
                    field.label().en
                ),
            ),
        }
    }
}

/// A file's header row mapped onto fields.
#[derive(Debug, Clone)]
pub struct Header {
    /// The header cells as in the file.
    pub names: Vec<String>,
    index: [Option<usize>; FIELDS],
    /// Headers that name no field (reported, then ignored).
    pub ignored: Vec<String>,
}

impl Header {
    /// Maps a header row; fails when a required column is missing or a field has two columns.
    pub fn map(kind: FileKind, names: Vec<String>) -> Result<Header, HeaderError> {
        if names.iter().all(|n| n.trim().is_empty()) {
            return Err(HeaderError::Empty);
        }
        let mut index = [None; FIELDS];
        let mut ignored = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match field_of(kind, name) {
                Some(f) => {
                    if let Some(first) = index[f.index()] {
                        let first: usize = first;
                        return Err(HeaderError::Twice {
                            field: f,
                            first: names[first].trim().to_string(),
                            second: name.trim().to_string(),
                        });
                    }
                    index[f.index()] = Some(i);
                }
                None if name.trim().is_empty() => {}
                None => ignored.push(name.trim().to_string()),
            }
        }
        let missing: Vec<Field> = kind
            .required()
            .iter()
            .copied()
            .filter(|f| index[f.index()].is_none())
            .collect();
        if !missing.is_empty() {
            return Err(HeaderError::Missing(missing));
        }
        Ok(Header {
            names,
            index,
            ignored,
        })
    }

    /// The column of a field, if the file has one.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.index[field.index()]
    }

    pub fn has(&self, field: Field) -> bool {
        self.column(field).is_some()
    }

    /// Number of header cells.
    pub fn width(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_table_maps_each_name_to_its_field() {
        for kind in [FileKind::Households, FileKind::Members, FileKind::Villages] {
            for c in kind.columns() {
                for z in c.chinese {
                    assert_eq!(field_of(kind, z), Some(c.field), "{z}");
                }
                if let Some(code) = c.code {
                    assert_eq!(field_of(kind, code), Some(c.field), "{code}");
                    assert_eq!(field_of(kind, &code.to_uppercase()), Some(c.field));
                }
                assert_eq!(field_of(kind, c.english), Some(c.field), "{}", c.english);
            }
        }
    }

    #[test]
    fn names_are_unambiguous_within_a_file_kind() {
        for kind in [FileKind::Households, FileKind::Members, FileKind::Villages] {
            let mut seen = std::collections::HashMap::new();
            for c in kind.columns() {
                let all = c.chinese.iter().copied().chain(c.code).chain([c.english]);
                for name in all {
                    if let Some(other) = seen.insert(normalize(name), c.field) {
                        panic!("{name} names both {other:?} and {:?}", c.field);
                    }
                }
            }
        }
    }

    #[test]
    fn headers_are_found_in_any_order_with_spaces_bom_and_marks() {
        let h = Header::map(
            FileKind::Households,
            names(&[
                "\u{feff} 户主姓名 ",
                "*户编号",
                "AAR010",
                "Household ID2",
                "县（市、区）",
            ]),
        )
        .unwrap();
        assert_eq!(h.column(Field::HouseholdId), Some(1));
        assert_eq!(h.column(Field::HeadName), Some(0));
        assert_eq!(h.column(Field::Status), Some(2));
        assert_eq!(h.column(Field::County), Some(4));
        assert_eq!(h.ignored, ["Household ID2"]);
        let en = Header::map(FileKind::Households, names(&["Household ID", "head_name"])).unwrap();
        assert_eq!(en.column(Field::HouseholdId), Some(0));
    }

    #[test]
    fn missing_and_doubled_columns_are_file_errors() {
        let e = Header::map(FileKind::Households, names(&["户主姓名"])).unwrap_err();
        assert_eq!(e, HeaderError::Missing(vec![Field::HouseholdId]));
        assert!(e.message().zh.contains("户编号"));
        assert!(
            e.message().en.contains("household id"),
            "{}",
            e.message().en
        );
        let e = Header::map(FileKind::Households, names(&["户编号", "aac001"])).unwrap_err();
        assert!(matches!(e, HeaderError::Twice { .. }));
        assert!(
            e.message().en.contains("household id"),
            "{}",
            e.message().en
        );
        assert_eq!(
            Header::map(FileKind::Households, names(&["", " "])).unwrap_err(),
            HeaderError::Empty
        );
    }

    #[test]
    fn readme_lists_every_accepted_name() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let Ok(readme) = std::fs::read_to_string(path) else {
            return;
        };
        let Some(start) = readme.find("## Registry import") else {
            panic!("README.md has no \"Registry import\" section");
        };
        let section = &readme[start..];
        let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
        let section = &section[..end];
        for kind in [FileKind::Households, FileKind::Members, FileKind::Villages] {
            for c in kind.columns() {
                for name in c.chinese.iter().copied().chain(c.code).chain([c.english]) {
                    assert!(
                        section.contains(&format!("`{name}`")),
                        "README \"Registry import\" does not list `{name}`"
                    );
                }
            }
        }
    }
}
