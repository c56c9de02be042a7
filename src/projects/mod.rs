//! The county's project list (脱贫攻坚与东西部扶贫协作项目): each project with its kind, place,
//! funds by source, dates, status and beneficiary households (户编号 of the registry), its
//! validation, and its import from project files (`import.rs`, through the registry's table
//! reader). Plain Rust: no store, no terminal.

pub mod columns;
pub mod import;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::limits::{MAX_CELL_BYTES, MAX_ID_BYTES, MAX_PROJECT_ID_BYTES};
use crate::tr;

pub use columns::ProjectField;
pub use import::{ProjectFiles, ProjectReject, ProjectSummary, read_projects};

/// 项目类别. The serde names are the stable choice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Industry,
    Infrastructure,
    Housing,
    Relocation,
    Employment,
    Education,
    Health,
    EastWest,
    Other,
}

impl ProjectKind {
    pub const ALL: [ProjectKind; 9] = [
        ProjectKind::Industry,
        ProjectKind::Infrastructure,
        ProjectKind::Housing,
        ProjectKind::Relocation,
        ProjectKind::Employment,
        ProjectKind::Education,
        ProjectKind::Health,
        ProjectKind::EastWest,
        ProjectKind::Other,
    ];

    /// The stable choice name (`east_west`).
    pub fn name(self) -> &'static str {
        match self {
            ProjectKind::Industry => "industry",
            ProjectKind::Infrastructure => "infrastructure",
            ProjectKind::Housing => "housing",
            ProjectKind::Relocation => "relocation",
            ProjectKind::Employment => "employment",
            ProjectKind::Education => "education",
            ProjectKind::Health => "health",
            ProjectKind::EastWest => "east_west",
            ProjectKind::Other => "other",
        }
    }

    pub fn label(self) -> Text {
        let (zh, en) = match self {
            ProjectKind::Industry => ("产业", "industry"),
            ProjectKind::Infrastructure => ("基础设施", "infrastructure"),
            ProjectKind::Housing => ("住房/危房改造", "housing"),
            ProjectKind::Relocation => ("易地扶贫搬迁", "relocation"),
            ProjectKind::Employment => ("就业", "employment"),
            ProjectKind::Education => ("教育", "education"),
            ProjectKind::Health => ("健康", "health"),
            ProjectKind::EastWest => ("东西部扶贫协作", "East–West cooperation"),
            ProjectKind::Other => ("其他", "other"),
        };
        Text::new(zh, en)
    }

    /// By its choice name (`--kind east_west`).
    pub fn from_name(s: &str) -> Option<ProjectKind> {
        ProjectKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// Where a project's money comes from. The serde names are the stable source ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 中央财政
    Central,
    /// 省级财政
    Provincial,
    /// 市县财政
    CityCounty,
    /// 东西部协作资金
    EastWest,
    /// 整合涉农资金
    Integrated,
    /// 自筹 / 群众自筹
    SelfRaised,
    /// 其他
    Other,
}

impl FundSource {
    pub const ALL: [FundSource; 7] = [
        FundSource::Central,
        FundSource::Provincial,
        FundSource::CityCounty,
        FundSource::EastWest,
        FundSource::Integrated,
        FundSource::SelfRaised,
        FundSource::Other,
    ];

    /// The stable source id (`city_county`).
    pub fn id(self) -> &'static str {
        match self {
            FundSource::Central => "central",
            FundSource::Provincial => "provincial",
            FundSource::CityCounty => "city_county",
            FundSource::EastWest => "east_west",
            FundSource::Integrated => "integrated",
            FundSource::SelfRaised => "self_raised",
            FundSource::Other => "other",
        }
    }

    pub fn label(self) -> Text {
        let (zh, en) = match self {
            FundSource::Central => ("中央财政", "central government"),
            FundSource::Provincial => ("省级财政", "province"),
            FundSource::CityCounty => ("市县财政", "city and county"),
            FundSource::EastWest => ("东西部协作资金", "East–West cooperation funds"),
            FundSource::Integrated => ("整合涉农资金", "integrated agricultural funds"),
            FundSource::SelfRaised => ("自筹/群众自筹", "raised by the people"),
            FundSource::Other => ("其他", "other"),
        };
        Text::new(zh, en)
    }
}

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planned,
    UnderWay,
    Completed,
}

impl ProjectStatus {
    pub fn name(self) -> &'static str {
        match self {
            ProjectStatus::Planned => "planned",
            ProjectStatus::UnderWay => "under_way",
            ProjectStatus::Completed => "completed",
        }
    }

    pub fn label(self) -> Text {
        match self {
            ProjectStatus::Planned => tr!("未开工", "planned"),
            ProjectStatus::UnderWay => tr!("在建", "under way"),
            ProjectStatus::Completed => tr!("已竣工", "completed"),
        }
    }
}

/// One project of the county's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// 项目编号.
    pub project_id: String,
    /// 项目名称.
    pub name: String,
    pub kind: ProjectKind,
    /// The place, as the registry spells it (empty when the file does not say).
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub township: String,
    #[serde(default)]
    pub village: String,
    /// Yuan by source (sources without money are absent).
    #[serde(default)]
    pub funds: BTreeMap<FundSource, f64>,
    /// 总投资, yuan.
    pub total: f64,
    /// 批复时间.
    pub approved: NaiveDate,
    /// 开工时间.
    #[serde(default)]
    pub started: Option<NaiveDate>,
    /// 竣工时间.
    #[serde(default)]
    pub completed: Option<NaiveDate>,
    pub status: ProjectStatus,
    /// 受益户: household ids (户编号) of the registry, in the order given, each once.
    #[serde(default)]
    pub beneficiaries: Vec<String>,
}

/// A problem of one project: the field and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: ProjectField,
    pub message: Text,
}

impl Problem {
    fn new(field: ProjectField, message: Text) -> Problem {
        Problem { field, message }
    }

    /// The message with the field's name in front: `竣工时间：早于开工时间`.
    pub fn text(&self) -> Text {
        let l = self.field.label();
        Text::new(
            format!("{}：{}", l.zh, self.message.zh),
            format!("{}: {}", l.en, self.message.en),
        )
    }
}

/// Amounts are compared to the fen.
const CENT: f64 = 0.005;

fn check_text(p: &mut Vec<Problem>, field: ProjectField, v: &str, max: usize) {
    if v.len() > max {
        p.push(Problem::new(
            field,
            tr!(
                "太长（{} 字节，最多 {}）",
                "too long ({} bytes, at most {})",
                v.len(),
                max
            ),
        ));
    }
    if v.chars().any(crate::printable::is_unsafe) {
        p.push(Problem::new(
            field,
            tr!("含有控制字符", "holds control characters"),
        ));
    }
}

fn check_amount(p: &mut Vec<Problem>, field: ProjectField, v: f64) {
    if !v.is_finite() || v < 0.0 {
        p.push(Problem::new(
            field,
            tr!("金额不能为负：{}", "an amount cannot be negative: {}", v),
        ));
    }
}

impl Project {
    /// The sum of the funds by source.
    pub fn funds_sum(&self) -> f64 {
        self.funds.values().sum()
    }

    /// Every problem of the project (empty: it may be stored), each naming its field.
    pub fn problems(&self) -> Vec<Problem> {
        use ProjectField as F;
        let mut p = Vec::new();
        if self.project_id.is_empty() {
            p.push(Problem::new(F::ProjectId, tr!("不能为空", "missing")));
        }
        check_text(&mut p, F::ProjectId, &self.project_id, MAX_PROJECT_ID_BYTES);
        if self.name.trim().is_empty() {
            p.push(Problem::new(F::Name, tr!("不能为空", "missing")));
        }
        for (f, v) in [
            (F::Name, &self.name),
            (F::County, &self.county),
            (F::Township, &self.township),
            (F::Village, &self.village),
        ] {
            check_text(&mut p, f, v, MAX_CELL_BYTES);
        }
        if self.village.is_empty() && self.township.is_empty() {
            p.push(Problem::new(
                F::Village,
                tr!(
                    "没有实施地点：行政村和乡镇至少要有一个",
                    "no place: give the village or at least the township"
                ),
            ));
        }
        for (s, v) in &self.funds {
            check_amount(&mut p, F::Fund(*s), *v);
        }
        check_amount(&mut p, F::Total, self.total);
        if !self.funds.is_empty() && (self.funds_sum() - self.total).abs() > CENT {
            p.push(Problem::new(
                F::Total,
                tr!(
                    "{} 元，与各项资金之和 {} 元不符",
                    "{} yuan, but the funds by source add up to {} yuan",
                    crate::registry::number_text(self.total),
                    crate::registry::number_text(self.funds_sum())
                ),
            ));
        }
        if let Some(s) = self.started
            && s < self.approved
        {
            p.push(Problem::new(
                F::Started,
                tr!(
                    "{} 早于批复时间 {}",
                    "{} is before the approval on {}",
                    s,
                    self.approved
                ),
            ));
        }
        if let Some(c) = self.completed {
            match self.started {
                None => p.push(Problem::new(
                    F::Started,
                    tr!(
                        "有竣工时间却没有开工时间",
                        "missing, though the project has a completion date"
                    ),
                )),
                Some(s) if c < s => p.push(Problem::new(
                    F::Completed,
                    tr!("{} 早于开工时间 {}", "{} is before the start on {}", c, s),
                )),
                Some(_) => {}
            }
        }
        match self.status {
            ProjectStatus::Completed if self.completed.is_none() => p.push(Problem::new(
                F::Completed,
                tr!(
                    "项目已竣工，但没有竣工时间",
                    "missing, though the project is completed"
                ),
            )),
            ProjectStatus::Planned if self.started.is_some() => p.push(Problem::new(
                F::Status,
                tr!(
                    "未开工，但有开工时间",
                    "planned, but the project has a start date"
                ),
            )),
            ProjectStatus::UnderWay if self.completed.is_some() => p.push(Problem::new(
                F::Status,
                tr!(
                    "在建，但有竣工时间",
                    "under way, but the project has a completion date"
                ),
            )),
            _ => {}
        }
        if self.beneficiaries.len() > crate::limits::MAX_PROJECT_BENEFICIARIES {
            p.push(Problem::new(
                F::Beneficiaries,
                tr!(
                    "{} 户，一个项目最多 {} 户",
                    "{} households, at most {} for one project",
                    self.beneficiaries.len(),
                    crate::limits::MAX_PROJECT_BENEFICIARIES
                ),
            ));
            return p;
        }
        let mut seen = std::collections::HashSet::new();
        for b in &self.beneficiaries {
            if b.is_empty() || b.len() > MAX_ID_BYTES {
                p.push(Problem::new(
                    F::Beneficiaries,
                    tr!(
                        "户编号应为 1 到 {} 字节：{}",
                        "a household id must be 1 to {} bytes: {}",
                        MAX_ID_BYTES,
                        b.chars().take(20).collect::<String>()
                    ),
                ));
            } else if b.chars().any(crate::printable::is_unsafe) {
                p.push(Problem::new(
                    F::Beneficiaries,
                    tr!(
                        "户编号含有控制字符",
                        "a household id holds control characters"
                    ),
                ));
            } else if !seen.insert(b.as_str()) {
                p.push(Problem::new(
                    F::Beneficiaries,
                    tr!("户编号 {} 列了两次", "household id {} is listed twice", b),
                ));
            }
        }
        p
    }

    /// True when the project takes place in this place (a filter left `None` matches all).
    pub fn is_in(
        &self,
        county: Option<&str>,
        township: Option<&str>,
        village: Option<&str>,
    ) -> bool {
        county.is_none_or(|c| self.county == c)
            && township.is_none_or(|t| self.township == t)
            && village.is_none_or(|v| self.village == v)
    }
}

/// The problems of a project joined in one text (`；` / `; `).
pub fn problems_text(problems: &[Problem]) -> Text {
    let texts: Vec<Text> = problems.iter().map(Problem::text).collect();
    crate::registry::rows::join(&texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn project() -> Project {
        Project {
            project_id: "DY2017-001".into(),
            name: "桂花村核桃提质增效".into(),
            kind: ProjectKind::Industry,
            county: "大姚县".into(),
            township: "昙华乡".into(),
            village: "桂花村".into(),
            funds: BTreeMap::from([
                (FundSource::Central, 300_000.0),
                (FundSource::SelfRaised, 20_000.0),
            ]),
            total: 320_000.0,
            approved: NaiveDate::from_ymd_opt(2017, 3, 1).unwrap(),
            started: NaiveDate::from_ymd_opt(2017, 4, 1),
            completed: NaiveDate::from_ymd_opt(2017, 10, 30),
            status: ProjectStatus::Completed,
            beneficiaries: vec!["1".into(), "2".into()],
        }
    }

    #[test]
    fn a_sound_project_has_no_problem_and_round_trips_through_json() {
        let p = project();
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["kind"], "industry");
        assert_eq!(json["funds"]["self_raised"], 20_000.0);
        assert_eq!(json["status"], "completed");
        let back: Project = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn every_problem_names_its_field_in_both_languages() {
        let mut p = project();
        p.total = 1.0;
        p.completed = NaiveDate::from_ymd_opt(2017, 3, 15);
        p.beneficiaries.push("1".into());
        p.name = " ".into();
        let problems = p.problems();
        let fields: Vec<ProjectField> = problems.iter().map(|p| p.field).collect();
        assert!(fields.contains(&ProjectField::Total), "{fields:?}");
        assert!(fields.contains(&ProjectField::Completed));
        assert!(fields.contains(&ProjectField::Beneficiaries));
        assert!(fields.contains(&ProjectField::Name));
        let t = problems_text(&problems);
        assert!(
            t.zh.contains("总投资") && t.zh.contains("竣工时间") && t.zh.contains("受益户"),
            "{}",
            t.zh
        );
        assert!(
            t.en.contains("total") && t.en.contains("completion date"),
            "{}",
            t.en
        );
    }

    #[test]
    fn a_project_id_leaves_room_for_its_subject_key() {
        let mut p = project();
        p.project_id = "X".repeat(MAX_PROJECT_ID_BYTES);
        assert!(p.problems().is_empty());
        assert!(format!("project:{}", p.project_id).len() <= MAX_ID_BYTES);
        p.project_id.push('X');
        assert_eq!(p.problems()[0].field, ProjectField::ProjectId);
    }

    #[test]
    fn status_and_dates_must_agree() {
        let mut p = project();
        p.completed = None;
        assert_eq!(p.problems()[0].field, ProjectField::Completed);
        p.status = ProjectStatus::Planned;
        assert_eq!(p.problems()[0].field, ProjectField::Status);
        p.started = None;
        assert!(p.problems().is_empty());
        p.started = NaiveDate::from_ymd_opt(2016, 1, 1);
        p.status = ProjectStatus::UnderWay;
        assert_eq!(p.problems()[0].field, ProjectField::Started);
        let mut q = project();
        q.funds.insert(FundSource::Other, -5.0);
        q.total = 319_995.0;
        assert!(
            q.problems()
                .iter()
                .any(|p| p.field == ProjectField::Fund(FundSource::Other))
        );
    }

    #[test]
    fn names_and_labels_are_stable() {
        for k in ProjectKind::ALL {
            assert_eq!(ProjectKind::from_name(k.name()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.name());
            assert!(!k.label().zh.is_empty() && !k.label().en.is_empty());
        }
        for s in FundSource::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.id());
        }
        for s in [
            ProjectStatus::Planned,
            ProjectStatus::UnderWay,
            ProjectStatus::Completed,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}
