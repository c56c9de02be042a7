//! The demo county's project list: a few dozen projects of every kind (East–West ones
//! among them) in the demo's villages, with beneficiaries drawn from the demo households,
//! reproducible from the demo seed; and the project file (`projects.csv`) in the columns
//! `ruhu projects import` reads, beneficiaries in a column.

use std::collections::BTreeMap;
use std::io::{self, Write};

use chrono::{Days, NaiveDate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::projects::columns::HOUSEHOLD_SEPARATOR;
use crate::projects::{FundSource, Project, ProjectKind, ProjectStatus};
use crate::registry::{Status, number_text};
use crate::sheet_csv::SheetCsv;

use super::draw::{Weighted, between, chance};
use super::{DemoOptions, generate_iter};

/// The name the demo writes its project file under, beside the registry file.
pub const PROJECTS_FILE: &str = "projects.csv";

/// Villages that get projects (the first ones of the county).
const VILLAGES_WITH_PROJECTS: usize = 8;
/// Households per village kept to draw beneficiaries from.
const CANDIDATES_PER_VILLAGE: usize = 400;

/// Headers of the project file, in order.
pub const PROJECT_HEADERS: [&str; 19] = [
    "项目编号",
    "项目名称",
    "项目类别",
    "县",
    "乡镇",
    "行政村",
    "中央财政",
    "省级财政",
    "市县财政",
    "东西部协作资金",
    "整合涉农资金",
    "自筹资金",
    "其他资金",
    "总投资",
    "批复时间",
    "开工时间",
    "竣工时间",
    "项目状态",
    "受益户",
];

static KINDS: Weighted<ProjectKind> = Weighted::new(&[
    (ProjectKind::Industry, 25),
    (ProjectKind::Infrastructure, 15),
    (ProjectKind::Housing, 12),
    (ProjectKind::Relocation, 5),
    (ProjectKind::Employment, 10),
    (ProjectKind::Education, 8),
    (ProjectKind::Health, 8),
    (ProjectKind::EastWest, 15),
    (ProjectKind::Other, 2),
]);

/// The project's name after the village's.
fn name(kind: ProjectKind, variant: u32, village: &str) -> String {
    let options: &[&str] = match kind {
        ProjectKind::Industry => &["核桃提质增效", "生猪养殖", "中药材种植", "烤烟产业"],
        ProjectKind::Infrastructure => &["村组道路硬化", "人饮安全巩固提升", "农田水利沟渠"],
        ProjectKind::Housing => &["农村危房改造", "抗震安居房建设"],
        ProjectKind::Relocation => &["易地扶贫搬迁安置", "易地扶贫搬迁后续产业"],
        ProjectKind::Employment => &["劳动力转移就业培训", "公益性岗位"],
        ProjectKind::Education => &["建档立卡学生资助", "幼儿园改扩建"],
        ProjectKind::Health => &["家庭医生签约服务", "村卫生室建设"],
        ProjectKind::EastWest => &[
            "沪滇协作扶贫车间",
            "沪滇协作产业示范基地",
            "沪滇协作劳务输出",
        ],
        ProjectKind::Other => &["村级活动场所建设"],
    };
    let n = u32::try_from(options.len()).expect("short list");
    format!("{village}{}", options[(variant % n) as usize])
}

/// Money sources of a kind and their share in per cent (the first takes the rest).
fn sources(kind: ProjectKind) -> &'static [(FundSource, u32)] {
    match kind {
        ProjectKind::EastWest => &[(FundSource::EastWest, 80), (FundSource::Integrated, 20)],
        ProjectKind::Housing => &[
            (FundSource::Central, 60),
            (FundSource::Provincial, 20),
            (FundSource::SelfRaised, 20),
        ],
        ProjectKind::Infrastructure => {
            &[(FundSource::Integrated, 70), (FundSource::CityCounty, 30)]
        }
        ProjectKind::Industry => &[
            (FundSource::Central, 50),
            (FundSource::Integrated, 30),
            (FundSource::SelfRaised, 20),
        ],
        ProjectKind::Other => &[(FundSource::CityCounty, 70), (FundSource::Other, 30)],
        _ => &[(FundSource::Provincial, 60), (FundSource::CityCounty, 40)],
    }
}

/// One village's households that may benefit: id, and whether registered (poor, exited,
/// returned).
struct VillageHouseholds {
    township: String,
    village: String,
    registered: Vec<String>,
    others: Vec<String>,
}

/// Draws `n` distinct ids from `pool` (all of it when shorter), in the pool's order.
fn draw_ids(rng: &mut ChaCha8Rng, pool: &[String], n: usize) -> Vec<String> {
    if pool.len() <= n {
        return pool.to_vec();
    }
    let mut picked = std::collections::BTreeSet::new();
    let len = u32::try_from(pool.len()).unwrap_or(u32::MAX);
    while picked.len() < n {
        picked.insert(between(rng, 0, len - 1) as usize);
    }
    picked.into_iter().map(|i| pool[i].clone()).collect()
}

/// The demo county's projects for `opts`: the same options give the same list.
pub fn generate_projects(opts: &DemoOptions) -> Vec<Project> {
    // The households of the first villages (they come village by village).
    let mut villages: Vec<VillageHouseholds> = Vec::new();
    for h in generate_iter(opts) {
        let new_village = villages
            .last()
            .is_none_or(|v| v.village != h.village || v.township != h.township);
        if new_village {
            if villages.len() == VILLAGES_WITH_PROJECTS {
                break;
            }
            villages.push(VillageHouseholds {
                township: h.township.clone(),
                village: h.village.clone(),
                registered: Vec::new(),
                others: Vec::new(),
            });
        }
        let v = villages.last_mut().expect("pushed above");
        if v.registered.len() + v.others.len() >= CANDIDATES_PER_VILLAGE {
            continue;
        }
        if h.status == Status::NonPoor {
            v.others.push(h.household_id);
        } else {
            v.registered.push(h.household_id);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // Apart from the households' streams (one per village, from 1).
    rng.set_stream(u64::MAX);
    let mut out = Vec::new();
    for v in &villages {
        let count = between(&mut rng, 3, 6);
        for i in 0..count {
            // Every village has an East–West project first.
            let kind = if i == 0 {
                ProjectKind::EastWest
            } else {
                *KINDS.pick(&mut rng)
            };
            out.push(project(&mut rng, out.len() + 1, kind, v));
        }
    }
    out
}

fn project(rng: &mut ChaCha8Rng, n: usize, kind: ProjectKind, v: &VillageHouseholds) -> Project {
    let name = name(kind, between(rng, 0, 9), &v.village);
    let thousands = match kind {
        ProjectKind::Infrastructure | ProjectKind::Relocation => between(rng, 300, 2000),
        ProjectKind::EastWest => between(rng, 200, 1500),
        _ => between(rng, 50, 600),
    };
    let total_yuan = u64::from(thousands) * 1000;
    let mut funds = BTreeMap::new();
    let parts = sources(kind);
    let mut rest = total_yuan;
    for (source, share) in parts.iter().skip(1) {
        let amount = total_yuan * u64::from(*share) / 100;
        rest -= amount;
        funds.insert(*source, amount as f64);
    }
    funds.insert(parts[0].0, rest as f64);
    let base = NaiveDate::from_ymd_opt(2017, 1, 5).expect("date");
    let approved = base + Days::new(u64::from(between(rng, 0, 150)));
    let roll = between(rng, 0, 99);
    let (status, started, completed) = if roll < 10 {
        (ProjectStatus::Planned, None, None)
    } else {
        let started = approved + Days::new(u64::from(between(rng, 10, 60)));
        let completed = started + Days::new(u64::from(between(rng, 60, 220)));
        let year_end = NaiveDate::from_ymd_opt(2017, 12, 20).expect("date");
        if roll < 35 || completed > year_end {
            (ProjectStatus::UnderWay, Some(started), None)
        } else {
            (ProjectStatus::Completed, Some(started), Some(completed))
        }
    };
    let wanted = match kind {
        ProjectKind::Infrastructure => between(rng, 8, 20),
        ProjectKind::Relocation => between(rng, 2, 6),
        _ => between(rng, 3, 12),
    } as usize;
    let mut beneficiaries = draw_ids(rng, &v.registered, wanted);
    // Now and then a non-poor edge household benefits too (an infrastructure project).
    if kind == ProjectKind::Infrastructure && chance(rng, 500) {
        beneficiaries.extend(draw_ids(rng, &v.others, 2));
    }
    Project {
        project_id: format!("YS2017-{n:03}"),
        name,
        kind,
        county: super::COUNTY.to_string(),
        township: v.township.clone(),
        village: v.village.clone(),
        funds,
        total: total_yuan as f64,
        approved,
        started,
        completed,
        status,
        beneficiaries,
    }
}

/// Writes the project file (one row per project, beneficiaries joined by `;`).
pub fn write_projects_csv<'p, W: Write>(
    projects: impl IntoIterator<Item = &'p Project>,
    w: W,
) -> io::Result<()> {
    let mut out = SheetCsv::new(w, PROJECT_HEADERS)?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for p in projects {
        let fund = |s: FundSource| p.funds.get(&s).map(|v| number_text(*v)).unwrap_or_default();
        let kind = p.kind.label().zh;
        let status = p.status.label().zh;
        let cells = [
            p.project_id.clone(),
            p.name.clone(),
            kind,
            p.county.clone(),
            p.township.clone(),
            p.village.clone(),
            fund(FundSource::Central),
            fund(FundSource::Provincial),
            fund(FundSource::CityCounty),
            fund(FundSource::EastWest),
            fund(FundSource::Integrated),
            fund(FundSource::SelfRaised),
            fund(FundSource::Other),
            number_text(p.total),
            p.approved.to_string(),
            date(p.started),
            date(p.completed),
            status,
            p.beneficiaries.join(HOUSEHOLD_SEPARATOR),
        ];
        out.text_row(cells.iter().map(String::as_str))?;
    }
    out.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_reproducible_sound_and_drawn_from_the_demo_households() {
        let opts = DemoOptions::default();
        let a = generate_projects(&opts);
        assert_eq!(a, generate_projects(&opts));
        assert!((18..=60).contains(&a.len()), "{}", a.len());
        let households: std::collections::HashMap<String, crate::registry::Household> =
            crate::demo::generate(&opts)
                .into_iter()
                .map(|h| (h.household_id.clone(), h))
                .collect();
        let kinds: std::collections::BTreeSet<ProjectKind> = a.iter().map(|p| p.kind).collect();
        assert!(
            kinds.contains(&ProjectKind::EastWest) && kinds.len() >= 5,
            "{kinds:?}"
        );
        for p in &a {
            assert!(
                p.problems().is_empty(),
                "{}: {:?}",
                p.project_id,
                p.problems()
            );
            for b in &p.beneficiaries {
                let h = &households[b];
                assert_eq!((&h.township, &h.village), (&p.township, &p.village));
            }
        }
        assert_ne!(a, generate_projects(&DemoOptions { seed: 7, ..opts }));
    }

    #[test]
    fn the_project_file_reads_back_as_the_same_list() {
        let opts = DemoOptions {
            households: 120,
            seed: 3,
        };
        let list = generate_projects(&opts);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROJECTS_FILE);
        write_projects_csv(&list, std::fs::File::create(&path).unwrap()).unwrap();
        let read = crate::projects::read_projects(&path, None, &Default::default()).unwrap();
        assert!(
            read.summary.rejected.is_empty(),
            "{:?}",
            read.summary.rejected
        );
        assert_eq!(read.projects, list);
    }
}
