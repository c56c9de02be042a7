//! Demo cadre talks (交流座谈) for the demo county: a county cadre, an East–West cadre on
//! secondment, a township cadre per township, a village cadre and a work team member per
//! village, and the paired helpers of the registry, answered as the cadre questionnaire
//! asks — mostly right against the registry and the settings, with seeded slips (a wrong
//! income line, a forgotten step of the exit procedure, a count off by one, a head not named)
//! so that `ruhu talks` has people to prepare again. Reproducible from the seed.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value as Json, json};

use crate::talks::{Facts, Role};

const STANDARD: [&str; 6] = [
    "income",
    "food",
    "clothing",
    "education",
    "medical",
    "housing",
];
const PROCEDURE: [&str; 6] = [
    "review",
    "verify",
    "agree",
    "notice",
    "announce",
    "strike_off",
];
/// Demo names of the cadres (the registry's helpers keep their own names).
const NAMES: [&str; 16] = [
    "陈志强",
    "黄丽",
    "刘洋",
    "杨建国",
    "赵敏",
    "周海燕",
    "吴德明",
    "徐春梅",
    "孙立新",
    "马晓东",
    "朱红梅",
    "胡卫东",
    "郭志华",
    "林秀兰",
    "何建平",
    "高玉珍",
];

/// The places of the registry: (county, township, village), in order.
pub type Places = Vec<(String, String, String)>;

/// Answer files (`{"questionnaire": "cadre", "answers": {…}}`) of the demo talks about the
/// registry the facts were made from; `places` are its villages, `helpers` its helpers (by
/// county) with their households' heads.
pub fn talks(
    facts: &Facts,
    places: &Places,
    helpers: &BTreeMap<(String, String), Vec<String>>,
    seed: u64,
) -> Vec<Json> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7a1c);
    let mut names = NAMES.iter().cycle();
    let mut out = Vec::new();
    let line = facts.income_line.unwrap_or(3335.0);
    let mut talk = |rng: &mut ChaCha8Rng, role: Role, place: (&str, &str, &str), extra: Json| {
        let name = match extra.get("person_name").and_then(Json::as_str) {
            Some(n) => n.to_string(),
            None => names.next().map_or("", |n| n).to_string(),
        };
        let mut answers = json!({
            "interviewer_name": "王明",
            "person_name": name,
            "person_role": role.id(),
            "county": place.0,
            "interview_date": "2017-12-28",
            "know_income_line": if rng.random_bool(0.15) { 3000.0 } else { line },
            "know_exit_standard": STANDARD,
            "know_exit_procedure": if rng.random_bool(0.25) { &PROCEDURE[..4] } else { &PROCEDURE[..] },
            "know_measures": ["industry", "employment", "education", "health", "dibao"],
            "know_projects": true,
            "projects_named": "核桃提质增效、安全饮水巩固提升",
            "know_fund_rules": !rng.random_bool(0.2),
            "duty_responsibility": "well",
            "duty_policy": if rng.random_bool(0.3) { "partly" } else { "well" },
            "duty_work": "well",
            "satisfaction": if rng.random_bool(0.2) { "neutral" } else { "satisfied" },
            "suggestions": "产业后续扶持资金希望持续投入。",
        });
        if role != Role::CountyCadre && role != Role::EastWestCadre {
            answers["township"] = json!(place.1);
        }
        if matches!(role, Role::VillageCadre | Role::WorkTeam | Role::Helper) {
            answers["village"] = json!(place.2);
        }
        if role == Role::EastWestCadre || role == Role::CountyCadre {
            answers["east_west_known"] = json!(true);
        }
        if let Json::Object(extra) = extra {
            for (k, v) in extra {
                answers[k] = v;
            }
        }
        out.push(json!({"questionnaire": "cadre", "answers": answers}));
    };
    let counties: Vec<&str> = {
        let mut c: Vec<&str> = places.iter().map(|p| p.0.as_str()).collect();
        c.dedup();
        c
    };
    for county in &counties {
        talk(&mut rng, Role::CountyCadre, (county, "", ""), json!({}));
        talk(&mut rng, Role::EastWestCadre, (county, "", ""), json!({}));
    }
    let mut townships: Vec<(&str, &str)> = places
        .iter()
        .map(|p| (p.0.as_str(), p.1.as_str()))
        .collect();
    townships.dedup();
    for (county, township) in townships {
        let Some(c) = facts.township(county, township) else {
            continue;
        };
        let off = usize::from(rng.random_bool(0.3));
        talk(
            &mut rng,
            Role::TownshipCadre,
            (county, township, ""),
            json!({
                "know_poor_households": c.poor + off,
                "know_exited_households": c.exited_this_year,
                "know_returned_households": c.returned,
            }),
        );
    }
    for (county, township, village) in places.iter().take(4) {
        let Some(c) = facts.village(county, township, village) else {
            continue;
        };
        for role in [Role::VillageCadre, Role::WorkTeam] {
            let off = usize::from(rng.random_bool(0.3));
            talk(
                &mut rng,
                role,
                (county, township, village),
                json!({
                    "know_poor_households": c.poor,
                    "know_exited_households": c.exited_this_year + off,
                    "know_returned_households": c.returned,
                }),
            );
        }
    }
    for ((county, helper), heads) in helpers.iter().take(4) {
        let Some(first) = facts.helped_by(county, helper).first() else {
            continue;
        };
        let place = places
            .iter()
            .find(|p| &p.0 == county && p.2 == first.village)
            .map_or(("", ""), |p| (p.1.as_str(), p.2.as_str()));
        let forgot = rng.random_bool(0.4) && heads.len() > 1;
        let named: Vec<&str> = heads
            .iter()
            .take(if forgot { heads.len() - 1 } else { heads.len() })
            .map(String::as_str)
            .collect();
        talk(
            &mut rng,
            Role::Helper,
            (county, place.0, place.1),
            json!({
                "person_name": helper,
                "helped_households": heads.len(),
                "helped_heads": named.join("、"),
                "helped_measures": "产业扶持、教育资助、医疗报销",
                "visits_per_month": 2,
            }),
        );
    }
    out
}
