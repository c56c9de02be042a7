//! Which column of a project file is which field: every accepted header (Chinese, English) of
//! the project file and of the beneficiaries file, compared as the registry compares its
//! headers ([`crate::registry::columns::normalize`]: case, spaces, `_`, `-`, a leading `*`
//! and full-width parentheses do not matter); and the values as county lists write them.
//! README.md ("Projects") lists these names; a test checks it.

use chrono::NaiveDate;

use super::{FundSource, ProjectKind, ProjectStatus};
use crate::i18n::Text;
use crate::registry::columns::normalize;

/// A field of a project file or of a beneficiaries file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectField {
    ProjectId,
    Name,
    Kind,
    County,
    Township,
    Village,
    Fund(FundSource),
    Total,
    Approved,
    Started,
    Completed,
    Status,
    /// The project file's column of household ids, or the beneficiaries file's rows.
    Beneficiaries,
    /// The beneficiaries file: one household id per row.
    HouseholdId,
}

impl ProjectField {
    /// The field's name for people (in reasons and messages).
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            ProjectField::ProjectId => ("项目编号", "project id"),
            ProjectField::Name => ("项目名称", "project name"),
            ProjectField::Kind => ("项目类别", "kind"),
            ProjectField::County => ("县", "county"),
            ProjectField::Township => ("乡镇", "township"),
            ProjectField::Village => ("行政村", "village"),
            ProjectField::Fund(s) => return s.label(),
            ProjectField::Total => ("总投资", "total"),
            ProjectField::Approved => ("批复时间", "approval date"),
            ProjectField::Started => ("开工时间", "start date"),
            ProjectField::Completed => ("竣工时间", "completion date"),
            ProjectField::Status => ("项目状态", "status"),
            ProjectField::Beneficiaries => ("受益户", "beneficiary households"),
            ProjectField::HouseholdId => ("户编号", "household id"),
        };
        Text::new(zh, en)
    }
}

/// The two kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectFileKind {
    /// One row per project (`ruhu projects import FILE`).
    Projects,
    /// One row per (project id, household id) (`--beneficiaries FILE2`).
    Beneficiaries,
}

/// The accepted headers of one field; the first Chinese one is what ruhu writes.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: ProjectField,
    pub chinese: &'static [&'static str],
    pub english: &'static str,
}

const fn col(
    field: ProjectField,
    chinese: &'static [&'static str],
    english: &'static str,
) -> Column {
    Column {
        field,
        chinese,
        english,
    }
}

const PROJECT_ID: Column = col(
    ProjectField::ProjectId,
    &["项目编号", "项目代码"],
    "project_id",
);

/// Project file columns.
pub const PROJECT_COLUMNS: &[Column] = &[
    PROJECT_ID,
    col(ProjectField::Name, &["项目名称"], "project_name"),
    col(ProjectField::Kind, &["项目类别", "项目类型"], "kind"),
    col(
        ProjectField::County,
        &["县", "县(市、区)", "县区"],
        "county",
    ),
    col(
        ProjectField::Township,
        &["乡镇", "乡(镇)", "乡镇(街道)"],
        "township",
    ),
    col(
        ProjectField::Village,
        &["行政村", "村", "实施村"],
        "village",
    ),
    col(
        ProjectField::Fund(FundSource::Central),
        &["中央财政", "中央财政资金"],
        "fund_central",
    ),
    col(
        ProjectField::Fund(FundSource::Provincial),
        &["省级财政", "省级财政资金"],
        "fund_provincial",
    ),
    col(
        ProjectField::Fund(FundSource::CityCounty),
        &["市县财政", "市县财政资金"],
        "fund_city_county",
    ),
    col(
        ProjectField::Fund(FundSource::EastWest),
        &["东西部协作资金", "东西部扶贫协作资金", "沪滇协作资金"],
        "fund_east_west",
    ),
    col(
        ProjectField::Fund(FundSource::Integrated),
        &["整合涉农资金", "统筹整合资金"],
        "fund_integrated",
    ),
    col(
        ProjectField::Fund(FundSource::SelfRaised),
        &["自筹资金", "群众自筹", "自筹"],
        "fund_self_raised",
    ),
    col(
        ProjectField::Fund(FundSource::Other),
        &["其他资金"],
        "fund_other",
    ),
    col(
        ProjectField::Total,
        &["总投资", "项目总投资", "投资总额"],
        "total",
    ),
    col(
        ProjectField::Approved,
        &["批复时间", "批复日期"],
        "approved",
    ),
    col(ProjectField::Started, &["开工时间", "开工日期"], "started"),
    col(
        ProjectField::Completed,
        &["竣工时间", "竣工日期", "完工时间"],
        "completed",
    ),
    col(ProjectField::Status, &["项目状态", "实施状态"], "status"),
    col(
        ProjectField::Beneficiaries,
        &["受益户", "受益户编号", "受益农户"],
        "beneficiaries",
    ),
];

/// Beneficiaries file columns.
pub const BENEFICIARY_COLUMNS: &[Column] = &[
    PROJECT_ID,
    col(
        ProjectField::HouseholdId,
        &["户编号", "aac001", "受益户编号"],
        "household_id",
    ),
];

impl ProjectFileKind {
    pub fn columns(self) -> &'static [Column] {
        match self {
            ProjectFileKind::Projects => PROJECT_COLUMNS,
            ProjectFileKind::Beneficiaries => BENEFICIARY_COLUMNS,
        }
    }

    pub fn required(self) -> &'static [ProjectField] {
        match self {
            ProjectFileKind::Projects => &[
                ProjectField::ProjectId,
                ProjectField::Name,
                ProjectField::Kind,
                ProjectField::Approved,
                ProjectField::Status,
            ],
            ProjectFileKind::Beneficiaries => &[ProjectField::ProjectId, ProjectField::HouseholdId],
        }
    }
}

/// The field a header names in a file of this kind.
pub fn field_of(kind: ProjectFileKind, name: &str) -> Option<ProjectField> {
    let n = normalize(name);
    if n.is_empty() {
        return None;
    }
    kind.columns().iter().find_map(|c| {
        let hit = c.chinese.iter().any(|z| normalize(z) == n) || normalize(c.english) == n;
        hit.then_some(c.field)
    })
}

/// A header row mapped onto fields.
#[derive(Debug, Clone)]
pub struct ProjectHeader {
    /// The header cells as in the file.
    pub names: Vec<String>,
    index: Vec<(ProjectField, usize)>,
    /// Headers that name no field (reported, then ignored).
    pub ignored: Vec<String>,
}

/// Why a header row cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderProblem {
    Missing(Vec<ProjectField>),
    Twice {
        first: String,
        second: String,
        field: ProjectField,
    },
}

impl HeaderProblem {
    pub fn message(&self) -> Text {
        match self {
            HeaderProblem::Missing(fields) => {
                let zh: Vec<String> = fields.iter().map(|f| f.label().zh).collect();
                let en: Vec<String> = fields.iter().map(|f| f.label().en).collect();
                Text::new(
                    format!(
                        "缺少必需的列：{}（可接受的列名见 README“Projects”一节）",
                        zh.join("、")
                    ),
                    format!(
                        "required columns missing: {} (accepted names: README, \"Projects\")",
                        en.join(", ")
                    ),
                )
            }
            HeaderProblem::Twice {
                first,
                second,
                field,
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

impl ProjectHeader {
    pub fn map(kind: ProjectFileKind, names: Vec<String>) -> Result<ProjectHeader, HeaderProblem> {
        let mut index: Vec<(ProjectField, usize)> = Vec::new();
        let mut ignored = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match field_of(kind, name) {
                Some(f) => {
                    if let Some((_, first)) = index.iter().find(|(g, _)| *g == f) {
                        return Err(HeaderProblem::Twice {
                            first: names[*first].trim().to_string(),
                            second: name.trim().to_string(),
                            field: f,
                        });
                    }
                    index.push((f, i));
                }
                None if name.trim().is_empty() => {}
                None => ignored.push(name.trim().to_string()),
            }
        }
        let missing: Vec<ProjectField> = kind
            .required()
            .iter()
            .copied()
            .filter(|f| !index.iter().any(|(g, _)| g == f))
            .collect();
        if !missing.is_empty() {
            return Err(HeaderProblem::Missing(missing));
        }
        Ok(ProjectHeader {
            names,
            index,
            ignored,
        })
    }

    pub fn column(&self, field: ProjectField) -> Option<usize> {
        self.index
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }

    /// The header of a field's column as the file writes it (or the field's label).
    pub fn name_of(&self, field: ProjectField) -> String {
        self.column(field)
            .and_then(|i| self.names.get(i))
            .map(|n| n.trim().trim_start_matches('\u{feff}').to_string())
            .unwrap_or_else(|| field.label().zh)
    }

    pub fn width(&self) -> usize {
        self.names.len()
    }
}

/// 项目类别 as words (Chinese or the choice names).
pub fn parse_kind(v: &str) -> Option<ProjectKind> {
    let s = normalize(v);
    if let Some(k) = ProjectKind::from_name(&v.trim().to_ascii_lowercase()) {
        return Some(k);
    }
    Some(match s.as_str() {
        "产业" | "产业发展" | "产业扶贫" | "产业项目" => ProjectKind::Industry,
        "基础设施" | "基础设施建设" | "村组道路" => ProjectKind::Infrastructure,
        "住房" | "危房改造" | "农村危房改造" | "住房保障" | "住房/危房改造" => {
            ProjectKind::Housing
        }
        "易地扶贫搬迁" | "易地搬迁" | "搬迁" => ProjectKind::Relocation,
        "就业" | "就业扶贫" | "转移就业" => ProjectKind::Employment,
        "教育" | "教育扶贫" => ProjectKind::Education,
        "健康" | "健康扶贫" | "医疗" => ProjectKind::Health,
        "东西部扶贫协作" | "东西部协作" | "沪滇协作" | "沪滇扶贫协作" | "eastwest" => {
            ProjectKind::EastWest
        }
        "其他" => ProjectKind::Other,
        _ => return None,
    })
}

/// 项目状态 as words (Chinese or the choice names).
pub fn parse_status(v: &str) -> Option<ProjectStatus> {
    let s = normalize(v);
    Some(match s.as_str() {
        "planned" | "未开工" | "计划" | "拟实施" | "待实施" => ProjectStatus::Planned,
        "underway" | "在建" | "实施中" | "已开工" | "进行中" => ProjectStatus::UnderWay,
        "completed" | "已竣工" | "竣工" | "已完工" | "完工" | "已完成" => {
            ProjectStatus::Completed
        }
        _ => return None,
    })
}

/// The day numbers read as dates: 1954-10-04 to 2119-01-10 (a bare `2017` is no date).
const SERIAL_FROM: i64 = 20_000;
const SERIAL_TO: i64 = 80_000;

/// A date as county lists write it: `2017-03-05`, `2017/3/5`, `2017.3.5`, `2017年3月5日`,
/// `20170305`, a time after it (`2017-03-05 00:00:00`), or a spreadsheet's day number
/// (`42799`, what a date cell of a workbook holds).
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    let day_part = v.split([' ', 'T']).next().unwrap_or(v);
    if day_part.len() == 8 && day_part.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(day_part, "%Y%m%d").ok();
    }
    if let Some(serial) = crate::registry::rows::parse_whole(v).or_else(|| {
        // A date-time cell: a day number with a fraction.
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.floor() as i64)
    }) && (SERIAL_FROM..=SERIAL_TO).contains(&serial)
    {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return base.checked_add_days(chrono::Days::new(serial as u64));
    }
    let cleaned: String = day_part
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            '日' => ' ',
            c => c,
        })
        .collect();
    let parts: Vec<&str> = cleaned.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Household ids of a beneficiaries cell: separated by `;`, `；`, `、`, `,`, `，` or line
/// breaks; empty pieces dropped; one leading `'` (a spreadsheet's text mark) taken off each.
pub fn split_households(v: &str) -> Vec<String> {
    v.split([';', '；', '、', ',', '，', '\n', '\r'])
        .map(|s| crate::sheet_csv::unmark(s.trim()).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The separator ruhu writes between household ids.
pub const HOUSEHOLD_SEPARATOR: &str = ";";

/// A reason for an unknown value: what is accepted.
pub fn unknown_value(v: &str, accepted: Text) -> Text {
    let v: String = v.chars().take(30).collect();
    Text::new(
        format!("无法识别“{v}”（可用：{}）", accepted.zh),
        format!("not understood: \"{v}\" (use {})", accepted.en),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_maps_to_its_field_and_none_is_ambiguous() {
        for kind in [ProjectFileKind::Projects, ProjectFileKind::Beneficiaries] {
            let mut seen = std::collections::HashMap::new();
            for c in kind.columns() {
                for name in c.chinese.iter().copied().chain([c.english]) {
                    assert_eq!(field_of(kind, name), Some(c.field), "{name}");
                    if let Some(other) = seen.insert(normalize(name), c.field) {
                        panic!("{name} names both {other:?} and {:?}", c.field);
                    }
                }
            }
        }
    }

    #[test]
    fn readme_lists_every_accepted_name() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let Ok(readme) = std::fs::read_to_string(path) else {
            return;
        };
        let start = readme
            .find("## Projects")
            .expect("README has a \"Projects\" section");
        let section = &readme[start..];
        let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
        let section = &section[..end];
        for kind in [ProjectFileKind::Projects, ProjectFileKind::Beneficiaries] {
            for c in kind.columns() {
                for name in c.chinese.iter().copied().chain([c.english]) {
                    assert!(
                        section.contains(&format!("`{name}`")),
                        "README \"Projects\" does not list `{name}`"
                    );
                }
            }
        }
    }

    #[test]
    fn headers_are_mapped_and_problems_named() {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let h = ProjectHeader::map(
            ProjectFileKind::Projects,
            names(&[
                "*项目编号",
                "项目名称",
                "项目类别",
                "批复时间",
                "项目状态",
                "备注",
            ]),
        )
        .unwrap();
        assert_eq!(h.column(ProjectField::ProjectId), Some(0));
        assert_eq!(h.name_of(ProjectField::ProjectId), "*项目编号");
        assert_eq!(h.ignored, ["备注"]);
        let e = ProjectHeader::map(ProjectFileKind::Projects, names(&["项目编号"])).unwrap_err();
        assert!(e.message().zh.contains("项目名称"), "{}", e.message().zh);
        let e = ProjectHeader::map(
            ProjectFileKind::Beneficiaries,
            names(&["项目编号", "户编号", "aac001"]),
        )
        .unwrap_err();
        assert!(matches!(e, HeaderProblem::Twice { .. }));
    }

    #[test]
    fn values_are_read_as_lists_write_them() {
        let d = NaiveDate::from_ymd_opt(2017, 3, 5);
        for v in [
            "2017-03-05",
            "2017/3/5",
            "2017.3.5",
            "2017年3月5日",
            "20170305",
            "2017-03-05 00:00:00",
            "42799",
        ] {
            assert_eq!(parse_date(v), d, "{v}");
        }
        assert_eq!(parse_date("2017-02-30"), None);
        assert_eq!(parse_date("2017"), None, "a year is no day number");
        assert_eq!(parse_date("去年"), None);
        assert_eq!(parse_kind("东西部扶贫协作"), Some(ProjectKind::EastWest));
        assert_eq!(parse_kind("east_west"), Some(ProjectKind::EastWest));
        assert_eq!(parse_kind("农村危房改造"), Some(ProjectKind::Housing));
        assert_eq!(parse_kind("别的"), None);
        assert_eq!(parse_status("在建"), Some(ProjectStatus::UnderWay));
        assert_eq!(parse_status("under_way"), Some(ProjectStatus::UnderWay));
        assert_eq!(split_households("1;2、 3，'4\n\n"), ["1", "2", "3", "4"]);
    }
}
