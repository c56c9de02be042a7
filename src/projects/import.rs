//! Reading a project file, and a beneficiaries file beside it, with the registry's
//! conventions: the same table reader ([`crate::registry::table::read`]: CSV in UTF-8 or
//! GBK, XLSX, title rows above the header, blank rows ignored), the same row checks (width,
//! undecodable text, control characters), the same rejects file and the same `strict` mode.
//! A bad row is named by its file, line and column. Nothing here knows the store: what is
//! read is handed back whole, for the store to put in place of the stored list.
//!
//! - Project file: one row per project; a project id on an earlier row rejects the later row.
//!   Beneficiaries may be a column (household ids separated by `;` or `、`).
//! - Beneficiaries file: one row per (project id, household id); a project id the project
//!   file does not have (or whose row was rejected) rejects the row, as does a pair listed
//!   before.
//! - `strict`: any rejected row, in either file, imports nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Text};
use crate::registry::encoding::EncodingChoice;
use crate::registry::rejects::{self, RejectsFile};
use crate::registry::rows::{
    check_control, check_garbled, check_row_width, is_blank, is_scientific, join, parse_money,
};
use crate::registry::table::{self, Cells, TableInfo, Visitor};
use crate::tr;

use super::columns::{
    HeaderProblem, ProjectField, ProjectFileKind, ProjectHeader, parse_date, parse_kind,
    parse_status, split_households,
};
use super::{FundSource, Project, ProjectKind};

/// How to read.
#[derive(Debug, Clone)]
pub struct ProjectImportOptions {
    pub encoding: EncodingChoice,
    /// Import nothing if any row is bad.
    pub strict: bool,
    /// The rejects file of the project file (`None`: none); the beneficiaries file's is
    /// always beside it (`<name>.rejects.csv`) when `write_rejects` is set.
    pub rejects_file: Option<PathBuf>,
    pub write_rejects: bool,
    /// The language of the reasons in the rejects files.
    pub lang: Lang,
}

impl Default for ProjectImportOptions {
    fn default() -> Self {
        ProjectImportOptions {
            encoding: EncodingChoice::Auto,
            strict: false,
            rejects_file: None,
            write_rejects: false,
            lang: Lang::Zh,
        }
    }
}

/// A row not imported: its file, line (CSV: the line in the file, header = 1; XLSX: the
/// sheet row), the column at fault as the file heads it (`None`: the whole row) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectReject {
    pub file: PathBuf,
    pub line: u64,
    pub column: Option<String>,
    pub reason: Text,
}

impl ProjectReject {
    /// `列“总投资”：…` / `column "总投资": …`, or the reason alone.
    pub fn reason_with_column(&self) -> Text {
        match &self.column {
            Some(c) => Text::new(
                format!("列“{c}”：{}", self.reason.zh),
                format!("column \"{c}\": {}", self.reason.en),
            ),
            None => self.reason.clone(),
        }
    }

    /// The whole place and reason: `projects.csv 第 5 行，列“总投资”：…`.
    pub fn text(&self) -> Text {
        let file = self.file.display();
        match &self.column {
            Some(c) => Text::new(
                format!("{file} 第 {} 行，列“{c}”：{}", self.line, self.reason.zh),
                format!(
                    "{file}, line {}, column \"{c}\": {}",
                    self.line, self.reason.en
                ),
            ),
            None => Text::new(
                format!("{file} 第 {} 行：{}", self.line, self.reason.zh),
                format!("{file}, line {}: {}", self.line, self.reason.en),
            ),
        }
    }
}

/// What was read of one file.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub path: PathBuf,
    pub table: Option<TableInfo>,
    pub header_line: u64,
    /// Data rows (blank rows not counted).
    pub rows: u64,
    pub ignored_columns: Vec<String>,
    pub notices: Vec<Text>,
    /// The rejects file written, when rows of this file were rejected.
    pub rejects_file: Option<PathBuf>,
}

/// What reading the files found.
#[derive(Debug, Clone)]
pub struct ProjectSummary {
    pub projects_file: FileSummary,
    pub beneficiaries_file: Option<FileSummary>,
    /// Rejected rows of both files, the project file's first, each by line.
    pub rejected: Vec<ProjectReject>,
    /// False when `strict` found bad rows: nothing is to be stored.
    pub imported: bool,
}

/// The projects read (empty when `strict` refused them) and the summary.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    pub projects: Vec<Project>,
    pub summary: ProjectSummary,
}

/// How many rows before the header may be titles (as the registry import).
const MAX_TITLE_ROWS: u32 = 5;

/// A problem of a row: the field at fault and the reason.
type RowProblem = (ProjectField, Text);

/// What differs between the two files.
trait Rows {
    fn kind(&self) -> ProjectFileKind;
    /// Why the file is refused before this row, if it is (a limit reached).
    fn full(&self) -> Option<Text> {
        None
    }
    /// A row that passed the common checks: `Err` rejects it.
    fn row(
        &mut self,
        header: &ProjectHeader,
        line: u64,
        cells: &Cells,
    ) -> Result<(), Vec<RowProblem>>;
}

struct Run<'a, R> {
    path: &'a Path,
    rows: R,
    header: Option<ProjectHeader>,
    title_problem: Option<HeaderProblem>,
    titles: u32,
    summary: FileSummary,
    rejected: Vec<ProjectReject>,
    rejects: Option<RejectsFile>,
}

impl<R: Rows> Run<'_, R> {
    fn file_error(&self, m: Text) -> Text {
        Text::new(
            format!("{}：{}", self.path.display(), m.zh),
            format!("{}: {}", self.path.display(), m.en),
        )
    }

    fn reject(
        &mut self,
        line: u64,
        cells: Option<&Cells>,
        column: Option<String>,
        reason: Text,
    ) -> Result<(), Text> {
        let r = ProjectReject {
            file: self.path.to_path_buf(),
            line,
            column,
            reason,
        };
        if let Some(f) = self.rejects.as_mut() {
            f.write(line, cells, &r.reason_with_column())?;
        }
        self.rejected.push(r);
        Ok(())
    }
}

impl<R: Rows> Visitor for Run<'_, R> {
    fn row(&mut self, line: u64, cells: &Cells) -> Result<(), Text> {
        if is_blank(cells) {
            return Ok(());
        }
        let Some(header) = self.header.as_ref() else {
            let names: Vec<String> = cells.iter().map(str::to_string).collect();
            let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
            match ProjectHeader::map(self.rows.kind(), names) {
                Ok(h) => {
                    if let Some(f) = self.rejects.as_mut() {
                        f.set_header(&h.names);
                    }
                    self.summary.header_line = line;
                    self.summary.ignored_columns = h.ignored.clone();
                    self.header = Some(h);
                }
                Err(e @ HeaderProblem::Missing(_))
                    if filled <= 2 && self.titles < MAX_TITLE_ROWS =>
                {
                    self.titles += 1;
                    self.title_problem = Some(e);
                }
                Err(e) => return Err(self.file_error(e.message())),
            }
            return Ok(());
        };
        if let Some(why) = self.rows.full() {
            return Err(Text::new(
                format!("{}：第 {} 行：{}", self.path.display(), line, why.zh),
                format!("{}: line {}: {}", self.path.display(), line, why.en),
            ));
        }
        self.summary.rows += 1;
        let common = check_row_width(header.width(), cells)
            .or_else(|| check_garbled(cells))
            .or_else(|| check_control(cells));
        if let Some(reason) = common {
            return self.reject(line, Some(cells), None, reason);
        }
        if let Err(problems) = self.rows.row(header, line, cells) {
            let column = problems.first().map(|(f, _)| header.name_of(*f));
            // The first problem is the column's; the others name their field.
            let texts: Vec<Text> = problems
                .iter()
                .enumerate()
                .map(|(i, (f, t))| {
                    if i == 0 {
                        return t.clone();
                    }
                    let l = f.label();
                    Text::new(format!("{}：{}", l.zh, t.zh), format!("{}: {}", l.en, t.en))
                })
                .collect();
            let reason = join(&texts);
            self.reject(line, Some(cells), column, reason)?;
        }
        Ok(())
    }

    fn unreadable_row(&mut self, line: u64, reason: Text) -> Result<(), Text> {
        if self.header.is_none() {
            return Err(Text::new(
                format!("{}：标题行{}", self.path.display(), reason.zh),
                format!("{}: the header row {}", self.path.display(), reason.en),
            ));
        }
        self.summary.rows += 1;
        self.reject(line, None, None, reason)
    }

    fn notice(&mut self, notice: Text) {
        if !self.summary.notices.contains(&notice) {
            self.summary.notices.push(notice);
        }
    }
}

/// Reads one file through `rows`.
fn run_file<R: Rows>(
    path: &Path,
    opts: &ProjectImportOptions,
    rejects_path: Option<PathBuf>,
    rows: R,
) -> Result<(FileSummary, Vec<ProjectReject>, R), Text> {
    let mut run = Run {
        path,
        rows,
        header: None,
        title_problem: None,
        titles: 0,
        summary: FileSummary {
            path: path.to_path_buf(),
            table: None,
            header_line: 0,
            rows: 0,
            ignored_columns: Vec::new(),
            notices: Vec::new(),
            rejects_file: None,
        },
        rejected: Vec::new(),
        rejects: rejects_path.map(|p| RejectsFile::new(p, opts.lang)),
    };
    let info = table::read(path, opts.encoding, &mut run)?;
    if run.header.is_none() {
        let m = match run.title_problem.take() {
            Some(p) => p.message(),
            None => tr!("文件是空的，没有标题行", "the file is empty: no header row"),
        };
        return Err(run.file_error(m));
    }
    run.summary.table = Some(info);
    run.summary.rejects_file = match run.rejects.take() {
        Some(f) => f.finish()?,
        None => None,
    };
    run.rejected.sort_by_key(|r| r.line);
    Ok((run.summary, run.rejected, run.rows))
}

/// A cell, trimmed, one leading `'` taken off (as the registry reads cells); `None` when the
/// file has no such column.
fn cell<'c>(header: &ProjectHeader, cells: &'c Cells, field: ProjectField) -> Option<&'c str> {
    let i = header.column(field)?;
    Some(crate::sheet_csv::unmark(cells.get(i).unwrap_or("").trim()).trim())
}

fn missing() -> Text {
    tr!("不能为空", "missing")
}

/// A project id cell: present, within the id limit, not mangled by Excel.
fn project_id(v: Option<&str>, p: &mut Vec<RowProblem>) -> String {
    let v = v.unwrap_or("");
    let f = ProjectField::ProjectId;
    if v.is_empty() {
        p.push((f, missing()));
    } else if v.len() > crate::limits::MAX_PROJECT_ID_BYTES {
        p.push((
            f,
            tr!(
                "太长（{} 字节，最多 {} 字节）",
                "too long ({} bytes, at most {})",
                v.len(),
                crate::limits::MAX_PROJECT_ID_BYTES
            ),
        ));
    } else if is_scientific(v) {
        p.push((
            f,
            tr!(
                "被 Excel 改成了科学计数法（{}）：请把该列设为“文本”后重新导出",
                "turned into scientific notation by Excel ({}): format the column as text and export again",
                v
            ),
        ));
    }
    v.to_string()
}

fn money(v: &str, field: ProjectField, p: &mut Vec<RowProblem>) -> Option<f64> {
    match parse_money(v) {
        Some(n) if n >= 0.0 => Some(n),
        Some(_) => {
            p.push((
                field,
                tr!("金额不能为负：{}", "an amount cannot be negative: {}", v),
            ));
            None
        }
        None => {
            p.push((
                field,
                tr!(
                    "不是金额：{}",
                    "not an amount: {}",
                    v.chars().take(30).collect::<String>()
                ),
            ));
            None
        }
    }
}

fn date(v: &str, field: ProjectField, p: &mut Vec<RowProblem>) -> Option<chrono::NaiveDate> {
    let d = parse_date(v);
    if d.is_none() {
        p.push((
            field,
            tr!(
                "不是日期：{}（可写 2017-03-05、2017/3/5 或 2017年3月5日）",
                "not a date: {} (write 2017-03-05, 2017/3/5 or 2017年3月5日)",
                v.chars().take(30).collect::<String>()
            ),
        ));
    }
    d
}

fn kinds_accepted() -> Text {
    let zh: Vec<String> = ProjectKind::ALL.iter().map(|k| k.label().zh).collect();
    let en: Vec<&str> = ProjectKind::ALL.iter().map(|k| k.name()).collect();
    Text::new(zh.join("、"), en.join(", "))
}

/// One project row.
pub(crate) fn project_row(
    header: &ProjectHeader,
    cells: &Cells,
) -> Result<Project, Vec<RowProblem>> {
    use ProjectField as F;
    let mut p: Vec<RowProblem> = Vec::new();
    let text = |f: F| cell(header, cells, f).unwrap_or("").to_string();
    let id = project_id(cell(header, cells, F::ProjectId), &mut p);
    let name = text(F::Name);
    if name.is_empty() {
        p.push((F::Name, missing()));
    }
    let kind_cell = text(F::Kind);
    let kind = if kind_cell.is_empty() {
        p.push((F::Kind, missing()));
        None
    } else {
        let k = parse_kind(&kind_cell);
        if k.is_none() {
            p.push((
                F::Kind,
                super::columns::unknown_value(&kind_cell, kinds_accepted()),
            ));
        }
        k
    };
    let mut funds = BTreeMap::new();
    for s in FundSource::ALL {
        if let Some(v) = cell(header, cells, F::Fund(s))
            && !v.is_empty()
            && let Some(n) = money(v, F::Fund(s), &mut p)
            && n > 0.0
        {
            funds.insert(s, n);
        }
    }
    let total = match cell(header, cells, F::Total) {
        Some(v) if !v.is_empty() => money(v, F::Total, &mut p),
        _ if !funds.is_empty() => Some(funds.values().sum()),
        _ => {
            p.push((
                F::Total,
                tr!(
                    "没有总投资，也没有分来源的资金",
                    "missing, and no funds by source to add up"
                ),
            ));
            None
        }
    };
    let approved_cell = text(F::Approved);
    let approved = if approved_cell.is_empty() {
        p.push((F::Approved, missing()));
        None
    } else {
        date(&approved_cell, F::Approved, &mut p)
    };
    let optional_date = |f: F, p: &mut Vec<RowProblem>| match cell(header, cells, f) {
        Some(v) if !v.is_empty() => date(v, f, p),
        _ => None,
    };
    let started = optional_date(F::Started, &mut p);
    let completed = optional_date(F::Completed, &mut p);
    let status_cell = text(F::Status);
    let status = if status_cell.is_empty() {
        p.push((F::Status, missing()));
        None
    } else {
        let s = parse_status(&status_cell);
        if s.is_none() {
            p.push((
                F::Status,
                super::columns::unknown_value(
                    &status_cell,
                    tr!("未开工、在建、已竣工", "planned, under_way, completed"),
                ),
            ));
        }
        s
    };
    let beneficiaries = cell(header, cells, F::Beneficiaries)
        .map(split_households)
        .unwrap_or_default();
    let (Some(kind), Some(total), Some(approved), Some(status)) = (kind, total, approved, status)
    else {
        return Err(p);
    };
    if !p.is_empty() {
        return Err(p);
    }
    let project = Project {
        project_id: id,
        name,
        kind,
        county: text(F::County),
        township: text(F::Township),
        village: text(F::Village),
        funds,
        total,
        approved,
        started,
        completed,
        status,
        beneficiaries,
    };
    let problems = project.problems();
    if problems.is_empty() {
        Ok(project)
    } else {
        Err(problems.into_iter().map(|q| (q.field, q.message)).collect())
    }
}

struct ProjectRows {
    projects: Vec<Project>,
    /// Project id → the line it was first read on.
    seen: HashMap<String, u64>,
    /// Ids of rows that were rejected (their beneficiaries' rows are rejected too).
    rejected_ids: HashSet<String>,
}

impl Rows for ProjectRows {
    fn kind(&self) -> ProjectFileKind {
        ProjectFileKind::Projects
    }

    fn full(&self) -> Option<Text> {
        (self.seen.len() >= crate::limits::MAX_PROJECTS).then(|| {
            tr!(
                "项目超过 {} 个，文件不能导入",
                "more than {} projects: the file cannot be imported",
                crate::limits::MAX_PROJECTS
            )
        })
    }

    fn row(
        &mut self,
        header: &ProjectHeader,
        line: u64,
        cells: &Cells,
    ) -> Result<(), Vec<RowProblem>> {
        let id = cell(header, cells, ProjectField::ProjectId)
            .unwrap_or("")
            .to_string();
        if !id.is_empty()
            && let Some(first) = self.seen.get(&id)
        {
            return Err(vec![(
                ProjectField::ProjectId,
                tr!(
                    "项目编号 {} 在文件中重复（第 {} 行已有）",
                    "project id {} twice in the file (first on line {})",
                    id,
                    first
                ),
            )]);
        }
        match project_row(header, cells) {
            Ok(p) => {
                self.seen.insert(id, line);
                self.projects.push(p);
                Ok(())
            }
            Err(e) => {
                if !id.is_empty() {
                    self.seen.insert(id.clone(), line);
                    self.rejected_ids.insert(id);
                }
                Err(e)
            }
        }
    }
}

struct BeneficiaryRows<'p> {
    /// Project id → index in `projects`.
    index: HashMap<String, usize>,
    projects: &'p mut Vec<Project>,
    rejected_ids: &'p HashSet<String>,
    /// (project, household) → the line it was first listed on (0: the project file).
    seen: HashMap<(String, String), u64>,
}

impl Rows for BeneficiaryRows<'_> {
    fn kind(&self) -> ProjectFileKind {
        ProjectFileKind::Beneficiaries
    }

    fn row(
        &mut self,
        header: &ProjectHeader,
        line: u64,
        cells: &Cells,
    ) -> Result<(), Vec<RowProblem>> {
        let mut p = Vec::new();
        let project = project_id(cell(header, cells, ProjectField::ProjectId), &mut p);
        let household = cell(header, cells, ProjectField::HouseholdId)
            .unwrap_or("")
            .to_string();
        let f = ProjectField::HouseholdId;
        if household.is_empty() {
            p.push((f, missing()));
        } else if household.len() > crate::limits::MAX_ID_BYTES {
            p.push((
                f,
                tr!(
                    "太长（{} 字节，最多 {} 字节）",
                    "too long ({} bytes, at most {})",
                    household.len(),
                    crate::limits::MAX_ID_BYTES
                ),
            ));
        } else if is_scientific(&household) {
            p.push((
                f,
                tr!(
                    "被 Excel 改成了科学计数法（{}）：请把该列设为“文本”后重新导出",
                    "turned into scientific notation by Excel ({}): format the column as text and export again",
                    household
                ),
            ));
        }
        if !p.is_empty() {
            return Err(p);
        }
        let Some(&i) = self.index.get(&project) else {
            let why = if self.rejected_ids.contains(&project) {
                tr!(
                    "项目 {} 在项目文件中被拒绝了",
                    "project {} was rejected in the project file",
                    project
                )
            } else {
                tr!(
                    "项目文件中没有项目 {}",
                    "the project file has no project {}",
                    project
                )
            };
            return Err(vec![(ProjectField::ProjectId, why)]);
        };
        let key = (project, household);
        if let Some(first) = self.seen.get(&key) {
            let why = if *first == 0 {
                tr!(
                    "户编号 {} 已列在项目文件的受益户中",
                    "household id {} is already among the project file's beneficiaries",
                    key.1
                )
            } else {
                tr!(
                    "这一对项目编号和户编号重复（第 {} 行已有）",
                    "this project and household are listed twice (first on line {})",
                    first
                )
            };
            return Err(vec![(f, why)]);
        }
        if self.projects[i].beneficiaries.len() >= crate::limits::MAX_PROJECT_BENEFICIARIES {
            return Err(vec![(
                f,
                tr!(
                    "项目 {} 已有 {} 户受益户，一个项目最多这么多",
                    "project {} has {} beneficiary households already, the most one may have",
                    key.0,
                    crate::limits::MAX_PROJECT_BENEFICIARIES
                ),
            )]);
        }
        self.projects[i].beneficiaries.push(key.1.clone());
        self.seen.insert(key, line);
        Ok(())
    }
}

/// Reads a project file and, if given, its beneficiaries file. An error means a file could
/// not be read (missing, no header, two columns for one field, a limit): nothing is to be
/// stored, and the message names the file.
pub fn read_projects(
    path: &Path,
    beneficiaries: Option<&Path>,
    opts: &ProjectImportOptions,
) -> Result<ProjectFiles, Text> {
    let rejects_of = |p: &Path, given: Option<PathBuf>| {
        opts.write_rejects
            .then(|| given.unwrap_or_else(|| rejects::default_path(p)))
    };
    let rows = ProjectRows {
        projects: Vec::new(),
        seen: HashMap::new(),
        rejected_ids: HashSet::new(),
    };
    let (summary, mut rejected, rows) = run_file(
        path,
        opts,
        rejects_of(path, opts.rejects_file.clone()),
        rows,
    )?;
    let ProjectRows {
        mut projects,
        rejected_ids,
        ..
    } = rows;
    let mut second = None;
    if let Some(b) = beneficiaries {
        let index = projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.project_id.clone(), i))
            .collect();
        let seen = projects
            .iter()
            .flat_map(|p| {
                p.beneficiaries
                    .iter()
                    .map(|h| ((p.project_id.clone(), h.clone()), 0))
            })
            .collect();
        let rows = BeneficiaryRows {
            index,
            projects: &mut projects,
            rejected_ids: &rejected_ids,
            seen,
        };
        let (s, r, _) = run_file(b, opts, rejects_of(b, None), rows)?;
        rejected.extend(r);
        second = Some(s);
    }
    let imported = !opts.strict || rejected.is_empty();
    if !imported {
        projects.clear();
    }
    Ok(ProjectFiles {
        projects,
        summary: ProjectSummary {
            projects_file: summary,
            beneficiaries_file: second,
            rejected,
            imported,
        },
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::projects::ProjectStatus;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        p
    }

    const HEAD: &str = "项目编号,项目名称,项目类别,乡镇,行政村,中央财政,东西部协作资金,总投资,批复时间,开工时间,竣工时间,项目状态,受益户\n";

    #[test]
    fn rows_are_read_with_title_rows_and_beneficiaries_in_a_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "p.csv",
            &format!(
                "2017年扶贫项目库,,\n{HEAD}P1,核桃提质,产业,清溪乡,桂花村,\"100,000\",,100000元,2017/3/1,2017/4/1,2017/10/1,已竣工,1;2、3\n\
                 P2,沪滇协作培训,东西部扶贫协作,清溪乡,桂花村,,50000,,2017-05-01,,,未开工,\n"
            ),
        );
        let r = read_projects(&p, None, &ProjectImportOptions::default()).unwrap();
        assert!(r.summary.rejected.is_empty(), "{:?}", r.summary.rejected);
        assert_eq!(r.summary.projects_file.header_line, 2);
        assert_eq!(r.projects.len(), 2);
        assert_eq!(r.projects[0].beneficiaries, ["1", "2", "3"]);
        assert_eq!(r.projects[0].total, 100_000.0);
        assert_eq!(r.projects[1].total, 50_000.0);
        assert_eq!(r.projects[1].kind, ProjectKind::EastWest);
        assert_eq!(r.projects[1].status, ProjectStatus::Planned);
    }

    #[test]
    fn a_bad_row_names_its_line_and_column_and_strict_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "p.csv",
            &format!(
                "{HEAD}P1,核桃,产业,清溪乡,桂花村,100,,100,2017-03-01,,,未开工,\n\
                 P2,道路,基础设施,清溪乡,桂花村,100,,abc,2017-13-01,,,未开工,\n\
                 P1,重复,产业,清溪乡,桂花村,100,,100,2017-03-01,,,未开工,\n"
            ),
        );
        let r = read_projects(&p, None, &ProjectImportOptions::default()).unwrap();
        assert_eq!(r.projects.len(), 1);
        let lines: Vec<(u64, Option<&str>)> = r
            .summary
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_deref()))
            .collect();
        assert_eq!(lines, [(3, Some("总投资")), (4, Some("项目编号"))]);
        assert!(
            r.summary.rejected[0]
                .text()
                .zh
                .contains("p.csv 第 3 行，列“总投资”")
        );
        let reason = &r.summary.rejected[0].reason;
        assert!(
            reason
                .zh
                .starts_with("不是金额：abc；批复时间：不是日期：2017-13-01"),
            "{}",
            reason.zh
        );
        assert!(
            reason
                .en
                .starts_with("not an amount: abc; approval date: not a date")
        );
        let strict = ProjectImportOptions {
            strict: true,
            ..Default::default()
        };
        let r = read_projects(&p, None, &strict).unwrap();
        assert!(!r.summary.imported && r.projects.is_empty());
    }

    #[test]
    fn the_beneficiaries_file_adds_households_and_rejects_unknown_projects() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "p.csv",
            &format!("{HEAD}P1,核桃,产业,清溪乡,桂花村,100,,100,2017-03-01,,,未开工,9\n"),
        );
        let b = file(
            &dir,
            "b.csv",
            "项目编号,户编号\nP1,1\nP1,2\nP1,1\nP9,3\nP1,9\n",
        );
        let opts = ProjectImportOptions {
            write_rejects: true,
            ..Default::default()
        };
        let r = read_projects(&p, Some(&b), &opts).unwrap();
        assert_eq!(r.projects[0].beneficiaries, ["9", "1", "2"]);
        let lines: Vec<u64> = r.summary.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 5, 6]);
        assert!(r.summary.rejected.iter().all(|r| r.file == b));
        let rejects = r.summary.beneficiaries_file.unwrap().rejects_file.unwrap();
        assert_eq!(rejects, dir.path().join("b.rejects.csv"));
        assert!(r.summary.projects_file.rejects_file.is_none());
    }

    #[test]
    fn a_project_with_too_many_beneficiaries_is_rejected_and_the_list_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(
            &dir,
            "p.csv",
            &format!("{HEAD}P1,核桃,产业,清溪乡,桂花村,100,,100,2017-03-01,,,未开工,\n"),
        );
        let n = crate::limits::MAX_PROJECT_BENEFICIARIES + 1;
        let mut rows = String::from("项目编号,户编号\n");
        for i in 0..n {
            rows.push_str(&format!("P1,{i}\n"));
        }
        let b = file(&dir, "b.csv", &rows);
        let r = read_projects(&p, Some(&b), &ProjectImportOptions::default()).unwrap();
        assert_eq!(r.summary.rejected.len(), 1);
        assert_eq!(r.summary.rejected[0].line, n as u64 + 1);
        assert_eq!(
            r.projects[0].beneficiaries.len(),
            crate::limits::MAX_PROJECT_BENEFICIARIES
        );
        let rows = ProjectRows {
            projects: Vec::new(),
            seen: (0..crate::limits::MAX_PROJECTS)
                .map(|i| (i.to_string(), 1))
                .collect(),
            rejected_ids: HashSet::new(),
        };
        assert!(rows.full().is_some());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_files_never_panic(
            head in proptest::sample::select(vec![HEAD, "项目编号,户编号\n", ""]),
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            ext in proptest::sample::select(vec!["csv", "xlsx"]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = head.as_bytes().to_vec();
            bytes.extend_from_slice(&body);
            let p = dir.path().join(format!("f.{ext}"));
            std::fs::write(&p, &bytes).unwrap();
            let _ = read_projects(&p, Some(&p), &ProjectImportOptions::default());
        }
    }

    #[test]
    fn a_file_without_the_required_columns_is_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(&dir, "p.csv", "项目编号,项目名称\nP1,核桃\n");
        let e = read_projects(&p, None, &ProjectImportOptions::default()).unwrap_err();
        assert!(
            e.zh.contains("p.csv") && e.zh.contains("项目类别"),
            "{}",
            e.zh
        );
    }
}
