//! The county's project list: tree `projects`, key = the project id (UTF-8), value = the
//! [`Project`] as serde_json; and the beneficiary index, tree `project_beneficiaries`, key =
//! household id ++ 0x00 ++ project id, value empty, so that the projects of one household are
//! a prefix scan. An import replaces the whole list and its index in one transaction.
//!
//! Both trees came within schema version 3 without a migration: a store written before them
//! simply has no projects.

use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use super::check::Problem;
use super::{Result, Store, StoreError, decode, encode};
use crate::projects::Project;
use crate::tr;

const TREE: &str = "projects";
const BY_HOUSEHOLD: &str = "project_beneficiaries";

fn beneficiary_prefix(household_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(household_id.len() + 1);
    k.extend_from_slice(household_id.as_bytes());
    k.push(0);
    k
}

fn beneficiary_key(household_id: &str, project_id: &str) -> Vec<u8> {
    let mut k = beneficiary_prefix(household_id);
    k.extend_from_slice(project_id.as_bytes());
    k
}

/// How a replaced list compares with the one before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectCounts {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    /// Stored projects the new list does not have.
    pub removed: u64,
}

impl Store {
    fn projects_tree(&self) -> Result<sled::Tree> {
        Ok(self.db.open_tree(TREE)?)
    }

    fn beneficiaries_tree(&self) -> Result<sled::Tree> {
        Ok(self.db.open_tree(BY_HOUSEHOLD)?)
    }

    /// True when no project is stored.
    pub fn has_no_projects(&self) -> Result<bool> {
        Ok(self.projects_tree()?.is_empty())
    }

    /// Puts `projects` in place of the stored list and its beneficiary index, in one
    /// transaction, then flushes: afterwards the store holds the old list or the new one,
    /// never a mix. Ids must be unique and valid (the import checks them; so does this).
    pub fn replace_projects(&self, projects: &[Project]) -> Result<ProjectCounts> {
        self.writable()?;
        let tree = self.projects_tree()?;
        let index = self.beneficiaries_tree()?;
        let mut counts = ProjectCounts::default();
        let mut new = Vec::with_capacity(projects.len());
        let mut ids = std::collections::HashSet::new();
        for p in projects {
            super::codec::check_id(&p.project_id)?;
            if !ids.insert(p.project_id.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "project {} is listed twice",
                    p.project_id
                )));
            }
            let value = encode("project", p)?;
            match tree.get(p.project_id.as_bytes())? {
                None => counts.added += 1,
                Some(old) if old.as_ref() == value.as_slice() => counts.unchanged += 1,
                Some(_) => counts.changed += 1,
            }
            new.push((p.project_id.as_bytes().to_vec(), value));
        }
        let mut old_keys = Vec::new();
        for k in tree.iter().keys() {
            let k = k?;
            if !ids.contains(String::from_utf8_lossy(&k).as_ref()) {
                counts.removed += 1;
            }
            old_keys.push(k);
        }
        let old_index: Vec<sled::IVec> =
            index.iter().keys().collect::<std::result::Result<_, _>>()?;
        let new_index: Vec<Vec<u8>> = projects
            .iter()
            .flat_map(|p| {
                p.beneficiaries
                    .iter()
                    .map(|h| beneficiary_key(h, &p.project_id))
            })
            .collect();
        (&tree, &index)
            .transaction(|(t, i)| {
                for k in &old_keys {
                    t.remove(k)?;
                }
                for k in &old_index {
                    i.remove(k)?;
                }
                for (k, v) in &new {
                    t.insert(k.as_slice(), v.as_slice())?;
                }
                for k in &new_index {
                    i.insert(k.as_slice(), &[])?;
                }
                Ok::<(), ConflictableTransactionError<StoreError>>(())
            })
            .map_err(StoreError::from)?;
        self.sync()?;
        Ok(counts)
    }

    /// Adds one project and its index entries without flushing (a restore); refuses an id
    /// already stored.
    pub(super) fn put_project_unsynced(&self, p: &Project) -> Result<()> {
        super::codec::check_id(&p.project_id)?;
        let tree = self.projects_tree()?;
        if tree.contains_key(p.project_id.as_bytes())? {
            return Err(StoreError::Invalid(format!(
                "project {} is listed twice",
                p.project_id
            )));
        }
        tree.insert(p.project_id.as_bytes(), encode("project", p)?)?;
        let index = self.beneficiaries_tree()?;
        for h in &p.beneficiaries {
            index.insert(beneficiary_key(h, &p.project_id), &[])?;
        }
        Ok(())
    }

    /// Every stored project, in id order (a county's list is a few thousand at most).
    pub fn projects(&self) -> Result<Vec<Project>> {
        self.projects_tree()?
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(|| format!("project {}", String::from_utf8_lossy(&k)), &v)
            })
            .collect()
    }

    /// One project, if stored.
    pub fn project(&self, id: &str) -> Result<Option<Project>> {
        match self.projects_tree()?.get(id.as_bytes())? {
            None => Ok(None),
            Some(v) => decode(|| format!("project {id}"), &v).map(Some),
        }
    }

    /// The projects a household benefits from, in project id order.
    pub fn projects_of_household(&self, household_id: &str) -> Result<Vec<Project>> {
        let prefix = beneficiary_prefix(household_id);
        let mut out = Vec::new();
        for k in self.beneficiaries_tree()?.scan_prefix(&prefix).keys() {
            let k = k?;
            let id = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            match self.project(&id)? {
                Some(p) => out.push(p),
                None => {
                    return Err(StoreError::corrupt(
                        format!("beneficiary index of household {household_id}"),
                        format!("it names project {id}, which is not stored"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// `ruhu verify`: every project reads, under its own id, and the beneficiary index is
    /// exactly what the projects give (an index that differs can be made again).
    pub(super) fn check_projects(&self, problems: &mut Vec<Problem>) -> Result<()> {
        let mut expected = std::collections::HashSet::new();
        for kv in self.projects_tree()?.iter() {
            let (k, v) = kv?;
            let key = String::from_utf8_lossy(&k)
                .chars()
                .take(40)
                .collect::<String>();
            match decode::<Project>(String::new, &v) {
                Ok(p) if p.project_id.as_bytes() == k.as_ref() => {
                    expected.extend(
                        p.beneficiaries
                            .iter()
                            .map(|h| beneficiary_key(h, &p.project_id)),
                    );
                }
                Ok(p) => problems.push(Problem::lost(tr!(
                    "项目 {} 存在错误的键 {} 下",
                    "project {} is stored under a wrong key {}",
                    p.project_id,
                    key
                ))),
                Err(e) => problems.push(Problem::lost(tr!(
                    "项目 {} 无法读取：{}",
                    "project {} cannot be read: {}",
                    key,
                    e
                ))),
            }
        }
        let mut extra = 0usize;
        let mut present = 0usize;
        for k in self.beneficiaries_tree()?.iter().keys() {
            if expected.contains(k?.as_ref()) {
                present += 1;
            } else {
                extra += 1;
            }
        }
        let missing = expected.len() - present;
        if extra > 0 || missing > 0 {
            problems.push(Problem::fixable(tr!(
                "项目受益户索引与项目不符（多 {} 条，缺 {} 条）",
                "the projects' beneficiary index differs from the projects ({} entries too many, {} missing)",
                extra,
                missing
            )));
        }
        Ok(())
    }

    /// Makes the beneficiary index again from the projects that read (not flushed).
    pub(super) fn repair_project_index(&self) -> Result<()> {
        let index = self.beneficiaries_tree()?;
        index.clear()?;
        for kv in self.projects_tree()?.iter() {
            let (k, v) = kv?;
            if let Ok(p) = decode::<Project>(String::new, &v)
                && p.project_id.as_bytes() == k.as_ref()
            {
                for h in &p.beneficiaries {
                    index.insert(beneficiary_key(h, &p.project_id), &[])?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projects::{ProjectKind, ProjectStatus};

    fn project(id: &str, beneficiaries: &[&str]) -> Project {
        Project {
            project_id: id.into(),
            name: format!("项目{id}"),
            kind: ProjectKind::EastWest,
            county: "演示县".into(),
            township: "清溪乡".into(),
            village: "桂花村".into(),
            funds: Default::default(),
            total: 1000.0,
            approved: chrono::NaiveDate::from_ymd_opt(2017, 3, 1).unwrap(),
            started: None,
            completed: None,
            status: ProjectStatus::Planned,
            beneficiaries: beneficiaries.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn replacing_the_list_replaces_it_and_its_index_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(store.has_no_projects().unwrap());
        let c = store
            .replace_projects(&[project("A", &["1", "2"]), project("B", &["2"])])
            .unwrap();
        assert_eq!((c.added, c.changed, c.unchanged, c.removed), (2, 0, 0, 0));
        let of = |h: &str| -> Vec<String> {
            store
                .projects_of_household(h)
                .unwrap()
                .into_iter()
                .map(|p| p.project_id)
                .collect()
        };
        assert_eq!(of("2"), ["A", "B"]);
        assert_eq!(of("1"), ["A"]);
        // "1" is not a prefix of "12"'s entries
        assert!(of("12").is_empty());
        let mut b = project("B", &["3"]);
        b.name = "改名".into();
        let c = store.replace_projects(&[b, project("C", &[])]).unwrap();
        assert_eq!((c.added, c.changed, c.unchanged, c.removed), (1, 1, 0, 1));
        assert!(of("1").is_empty());
        assert_eq!(of("3"), ["B"]);
        let all = store.projects().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(store.project("B").unwrap().unwrap().name, "改名");
        assert!(store.project("A").unwrap().is_none());
        assert!(
            store
                .replace_projects(&[project("D", &[]), project("D", &[])])
                .is_err()
        );
        assert_eq!(
            store.projects().unwrap().len(),
            2,
            "a refused list changes nothing"
        );
        let (problems, _) = store.check_layout().unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        // An index entry the projects do not give, and one missing.
        let index = store.beneficiaries_tree().unwrap();
        index.insert(beneficiary_key("9", "B"), &[]).unwrap();
        index.remove(beneficiary_key("3", "B")).unwrap();
        let (problems, _) = store.check_layout().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].repairable);
        assert!(
            problems[0]
                .what
                .en
                .contains("1 entries too many, 1 missing")
        );
        store.repair_layout().unwrap();
        assert!(store.check_layout().unwrap().0.is_empty());
        assert_eq!(of("3"), ["B"]);
        assert!(of("9").is_empty());
    }
}
