//! The project list through the workspace: an import (the files read, checked against the
//! registry, then put in place of the stored list in one transaction), the list, one
//! project, a household's projects, and the demo county's list.

use std::path::Path;

use crate::i18n::Text;
use crate::projects::import::ProjectImportOptions;
use crate::projects::{Project, ProjectSummary, read_projects};
use crate::registry::Household;
use crate::store::{ProjectCounts, StoreError};
use crate::tr;

use super::{SessionError, Workspace};

/// Something the registry does not know: said, never a reason to refuse the import.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectWarning {
    /// A beneficiary household id that no stored household has.
    UnknownHousehold {
        project_id: String,
        household_id: String,
    },
    /// A project in a village the registry has no household in.
    UnknownVillage {
        project_id: String,
        county: String,
        township: String,
        village: String,
    },
    /// No household is stored: beneficiaries and villages could not be checked.
    EmptyRegistry,
}

impl ProjectWarning {
    /// The stable kind name (JSON).
    pub fn kind(&self) -> &'static str {
        match self {
            ProjectWarning::UnknownHousehold { .. } => "unknown_household",
            ProjectWarning::UnknownVillage { .. } => "unknown_village",
            ProjectWarning::EmptyRegistry => "empty_registry",
        }
    }

    pub fn message(&self) -> Text {
        match self {
            ProjectWarning::UnknownHousehold {
                project_id,
                household_id,
            } => tr!(
                "项目 {} 的受益户 {} 不在建档立卡数据中",
                "project {}: beneficiary household {} is not in the registry",
                project_id,
                household_id
            ),
            ProjectWarning::UnknownVillage {
                project_id,
                county,
                township,
                village,
            } => {
                let place = [county, township, village]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>();
                tr!(
                    "项目 {} 所在的村 {} 不在建档立卡数据中",
                    "project {}: the village {} is not in the registry",
                    project_id,
                    place.join(" ")
                )
            }
            ProjectWarning::EmptyRegistry => tr!(
                "还没有导入建档立卡数据：受益户和村没有核对",
                "no registry is loaded: beneficiaries and villages were not checked"
            ),
        }
    }
}

/// What a project import did.
#[derive(Debug, Clone)]
pub struct ProjectImport {
    pub summary: ProjectSummary,
    /// How the new list compares with the stored one (`None`: nothing was stored).
    pub counts: Option<ProjectCounts>,
    pub projects: usize,
    pub beneficiaries: usize,
    pub warnings: Vec<ProjectWarning>,
}

/// True when `a` names the place `b` spells: the village's name, and county and township
/// where both give them.
fn same_place(p: &Project, county: &str, township: &str, village: &str) -> bool {
    let agree = |x: &str, y: &str| x.is_empty() || y.is_empty() || x == y;
    p.village == village && agree(&p.county, county) && agree(&p.township, township)
}

impl Workspace {
    /// Reads a project file (and its beneficiaries file), checks the beneficiaries and the
    /// villages against the registry (warnings), and, unless `strict` refused it, puts the
    /// projects read in place of the stored list, in one transaction. A file that cannot be
    /// read gives its message, and nothing is stored.
    pub fn import_projects(
        &self,
        path: &Path,
        beneficiaries: Option<&Path>,
        opts: &ProjectImportOptions,
    ) -> Result<Result<ProjectImport, Text>, SessionError> {
        let files = match read_projects(path, beneficiaries, opts) {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        let warnings = self.project_warnings(&files.projects)?;
        let counts = if files.summary.imported {
            Some(self.store.replace_projects(&files.projects)?)
        } else {
            None
        };
        Ok(Ok(ProjectImport {
            projects: files.projects.len(),
            beneficiaries: files.projects.iter().map(|p| p.beneficiaries.len()).sum(),
            summary: files.summary,
            counts,
            warnings,
        }))
    }

    /// What the registry does not know of these projects.
    pub fn project_warnings(
        &self,
        projects: &[Project],
    ) -> Result<Vec<ProjectWarning>, StoreError> {
        let mut out = Vec::new();
        if projects.is_empty() {
            return Ok(out);
        }
        if self.household_count() == 0 {
            out.push(ProjectWarning::EmptyRegistry);
            return Ok(out);
        }
        let villages = self.villages()?;
        for p in projects {
            if !p.village.is_empty()
                && !villages
                    .iter()
                    .any(|v| same_place(p, &v.county, &v.township, &v.village))
            {
                out.push(ProjectWarning::UnknownVillage {
                    project_id: p.project_id.clone(),
                    county: p.county.clone(),
                    township: p.township.clone(),
                    village: p.village.clone(),
                });
            }
            for h in &p.beneficiaries {
                if self.store.household(h)?.is_none() {
                    out.push(ProjectWarning::UnknownHousehold {
                        project_id: p.project_id.clone(),
                        household_id: h.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Puts a list in place of the stored one (the demo county's), flushed.
    pub fn load_projects(&self, projects: &[Project]) -> Result<ProjectCounts, StoreError> {
        self.store.replace_projects(projects)
    }

    /// Every stored project, in id order.
    pub fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.store.projects()
    }

    /// One project, if stored.
    pub fn project(&self, id: &str) -> Result<Option<Project>, StoreError> {
        self.store.project(id)
    }

    /// The projects a household benefits from.
    pub fn projects_of_household(&self, household_id: &str) -> Result<Vec<Project>, StoreError> {
        self.store.projects_of_household(household_id)
    }

    /// A project's beneficiaries with their registry records (`None`: not in the registry).
    pub fn beneficiary_households(
        &self,
        p: &Project,
    ) -> Result<Vec<(String, Option<Household>)>, StoreError> {
        p.beneficiaries
            .iter()
            .map(|h| Ok((h.clone(), self.store.household(h)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Forms;

    #[test]
    fn an_import_warns_of_what_the_registry_does_not_know_and_replaces_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path(), Forms::bundled().unwrap()).unwrap();
        let file = dir.path().join("p.csv");
        std::fs::write(
            &file,
            "项目编号,项目名称,项目类别,行政村,总投资,批复时间,项目状态,受益户\n\
             P1,路,基础设施,桂花村,100,2017-01-01,未开工,H1\n",
        )
        .unwrap();
        let r = ws
            .import_projects(&file, None, &ProjectImportOptions::default())
            .unwrap()
            .unwrap();
        assert_eq!(r.warnings, [ProjectWarning::EmptyRegistry]);
        assert_eq!(r.counts.unwrap().added, 1);
        let mut h = Household::provisional("H2".into(), "张三".into(), "桂花村".into());
        h.provisional = false;
        ws.load_households([h]).unwrap();
        let r = ws
            .import_projects(&file, None, &ProjectImportOptions::default())
            .unwrap()
            .unwrap();
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert_eq!(r.warnings[0].kind(), "unknown_household");
        assert_eq!(r.counts.unwrap().unchanged, 1);
        assert_eq!(ws.projects_of_household("H1").unwrap().len(), 1);
        std::fs::write(
            &file,
            "项目编号,项目名称,项目类别,行政村,总投资,批复时间,项目状态,受益户\n\
             P2,路,基础设施,石桥村,100,2017-01-01,未开工,H2\n",
        )
        .unwrap();
        let r = ws
            .import_projects(&file, None, &ProjectImportOptions::default())
            .unwrap()
            .unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].message().zh.contains("石桥村"));
        assert_eq!(r.counts.unwrap().removed, 1);
        assert!(ws.project("P1").unwrap().is_none());
        assert_eq!(ws.projects_of_household("H2").unwrap()[0].project_id, "P2");
    }
}
