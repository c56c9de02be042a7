//! Reconciliation: a table of hand-made households (registry record + interview result JSON,
//! no store) covering every bundled rule firing and not firing, boundaries included; the
//! validation of broken rules and settings files; and one run through the binary (demo data,
//! interviews entered with `ruhu interview apply`, findings, rates, marks, CSV export).

mod common;

use common::ruhu;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use ruhu::questionnaire::{self, Kind, Questionnaire};
use ruhu::reconcile::{EvidenceSource, FindingKind, RuleSet, Settings, Severity, reconcile};
use ruhu::registry::{Household, Member, Status};
use serde_json::{Value, json};

// ------------------------------------------------------------------ building households

fn forms() -> Vec<Questionnaire> {
    let report = questionnaire::load_bundled();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.questionnaires
}

fn settings() -> Settings {
    Settings::bundled().expect("bundled settings")
}

fn rules(settings: &Settings) -> RuleSet {
    let forms = forms();
    let refs: Vec<&Questionnaire> = forms.iter().collect();
    RuleSet::bundled(&refs, Some(settings)).expect("bundled rules")
}

fn id(seq: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1960 + i32::from(seq), 3, 1).expect("date");
    ruhu::demo::resident_id("532326", birth, seq, seq.is_multiple_of(2))
}

/// Three members, IDs 1, 2, 3.
fn members() -> Vec<Member> {
    (1..=3)
        .map(|i| Member {
            name: format!("成员{i}"),
            id_number: id(i),
            relation: if i == 1 { "head" } else { "child" }.into(),
            sex: String::new(),
            age: Some(40),
        })
        .collect()
}

/// A registered household of three people, income 5000 per head, exited in 2016 when exited.
fn registered(status: Status) -> Household {
    let mut h = Household::provisional("532326100000001".into(), "张德明".into(), "桂花村".into());
    h.provisional = false;
    h.status = status;
    h.county = "大姚县".into();
    h.township = "昙华乡".into();
    h.household_size = Some(3);
    h.income_per_capita = Some(5000.0);
    h.exit_year = (status == Status::Exited).then_some(2016);
    h.members = members();
    h
}

/// A household the registry does not know.
fn provisional() -> Household {
    Household::provisional("P-1a2b3c4d".into(), "李春".into(), "桂花村".into())
}

/// The result of a clean interview of a household of `kind` (relevant answers and
/// calculations, as `InterviewRecord::result` holds them): it fires no rule against
/// [`registered`].
fn clean(kind: Kind) -> Value {
    let mut answers = json!({
        "household_size": 3,
        "income_wage": 9000.0,
        "income_business": 6000.0,
        "income_per_capita": 5000.0,
        "food_ok": true,
        "clothing_ok": true,
        "children_out_of_school": 0,
        "medical_insured_all": true,
        "house_rating": "B",
        "water_ok": true,
        "power_ok": true,
        "satisfaction": "satisfied",
        "village": "桂花村",
    });
    let extra = match kind {
        Kind::Exited => json!({"accepts_exit": true, "exit_year": 2016, "fell_back": false}),
        Kind::Poor => json!({
            "red_public_servant": false, "red_village_cadre": false, "red_vehicle": false,
            "red_town_house": false, "red_company": false, "red_large_scale": false,
            "red_split_household": false,
        }),
        Kind::NonPoor => json!({
            "applied_refused": false, "edge_dibao": false, "edge_dangerous_house": false,
            "edge_illness": false, "edge_no_labour": false, "edge_elderly_alone": false,
            "red_public_servant": false,
        }),
        Kind::Returned => json!({"reregistered": true, "returned_year": 2018}),
        // Not a household: no household answers to add.
        Kind::Cadre | Kind::Project | Kind::Archive => json!({}),
    };
    for (k, v) in extra.as_object().expect("object") {
        answers[k] = v.clone();
    }
    let rows: Vec<Value> = (1..=3)
        .map(|i| {
            json!({"_row": format!("r{i}"), "name": format!("成员{i}"), "id_number": id(i),
                   "medical_insured": true, "member_uninsured": 0.0})
        })
        .collect();
    json!({"answers": answers, "rosters": {"members": rows}})
}

fn with(mut result: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("object") {
        if v.is_null() {
            result["answers"]
                .as_object_mut()
                .expect("answers")
                .remove(k);
        } else {
            result["answers"][k] = v.clone();
        }
    }
    result
}

fn with_rows(mut result: Value, rows: Value) -> Value {
    result["rosters"]["members"] = rows;
    result
}

fn row(id_number: &str, insured: bool) -> Value {
    json!({"name": "某", "id_number": id_number, "medical_insured": insured,
           "member_uninsured": if insured { 0.0 } else { 1.0 }})
}

struct Case {
    name: &'static str,
    household: Household,
    kind: Kind,
    result: Value,
    settings: Option<Settings>,
    /// Exactly the rules that fire.
    fires: &'static [&'static str],
}

fn case(
    name: &'static str,
    household: Household,
    kind: Kind,
    result: Value,
    fires: &'static [&'static str],
) -> Case {
    Case {
        name,
        household,
        kind,
        result,
        settings: None,
        fires,
    }
}

fn with_settings(mut c: Case, f: impl FnOnce(&mut Settings)) -> Case {
    let mut s = settings();
    f(&mut s);
    c.settings = Some(s);
    c
}

fn exited() -> Household {
    registered(Status::Exited)
}

/// An exited household whose registry income is 3400 (±30%: 2380–4420), so that incomes
/// near the line do not also differ from the registry.
fn exited_near_line() -> Household {
    let mut h = exited();
    h.income_per_capita = Some(3400.0);
    h
}

fn non_poor() -> Household {
    let mut h = registered(Status::NonPoor);
    h.income_per_capita = None;
    h
}

fn cases() -> Vec<Case> {
    use Kind::*;
    let e = || clean(Exited);
    let n = || clean(NonPoor);
    let p = || clean(Poor);
    let r = || clean(Returned);
    let poor = || registered(Status::Poor);
    let returned = || registered(Status::Returned);
    vec![
        // ---------------------------------------------------------------- exited: 错退
        case("exited, all fine", exited(), Exited, e(), &[]),
        case(
            "exited, income below the line",
            exited_near_line(),
            Exited,
            with(e(), json!({"income_per_capita": 3334.99})),
            &["wrong_exit_income"],
        ),
        case(
            "exited, income exactly at the line",
            exited_near_line(),
            Exited,
            with(e(), json!({"income_per_capita": 3335})),
            &[],
        ),
        case(
            "exited, income not computed (size unanswered)",
            exited_near_line(),
            Exited,
            with(
                e(),
                json!({"income_per_capita": null, "household_size": null}),
            ),
            &[],
        ),
        case(
            "exited, worries about food",
            exited(),
            Exited,
            with(e(), json!({"food_ok": false})),
            &["wrong_exit_food"],
        ),
        case(
            "exited, worries about clothing",
            exited(),
            Exited,
            with(e(), json!({"clothing_ok": false})),
            &["wrong_exit_clothing"],
        ),
        case(
            "exited, food and clothing unanswered",
            exited(),
            Exited,
            with(e(), json!({"food_ok": null, "clothing_ok": null})),
            &[],
        ),
        case(
            "exited, a child out of school",
            exited(),
            Exited,
            with(e(), json!({"children_out_of_school": 1})),
            &["wrong_exit_schooling"],
        ),
        case(
            "exited, a member uninsured",
            exited(),
            Exited,
            with_rows(
                with(e(), json!({"medical_insured_all": false})),
                json!([row(&id(1), true), row(&id(2), false), row(&id(3), true)]),
            ),
            &["wrong_exit_medical"],
        ),
        case(
            "exited, no member rows: insurance not judged",
            exited(),
            Exited,
            with_rows(with(e(), json!({"medical_insured_all": false})), json!([])),
            &[],
        ),
        case(
            "exited, house rated C",
            exited(),
            Exited,
            with(e(), json!({"house_rating": "C"})),
            &["wrong_exit_housing"],
        ),
        case(
            "exited, house rated D",
            exited(),
            Exited,
            with(e(), json!({"house_rating": "D"})),
            &["wrong_exit_housing"],
        ),
        case(
            "exited, house rated A",
            exited(),
            Exited,
            with(e(), json!({"house_rating": "A"})),
            &[],
        ),
        case(
            "exited, no safe water (warning)",
            exited(),
            Exited,
            with(e(), json!({"water_ok": false})),
            &["wrong_exit_water_power"],
        ),
        case(
            "exited, no electricity (warning)",
            exited(),
            Exited,
            with(e(), json!({"power_ok": false})),
            &["wrong_exit_water_power"],
        ),
        case(
            "exited, does not accept its exit (warning)",
            exited(),
            Exited,
            with(e(), json!({"accepts_exit": false})),
            &["exit_not_accepted"],
        ),
        case(
            "exited, acceptance unanswered",
            exited(),
            Exited,
            with(e(), json!({"accepts_exit": null})),
            &[],
        ),
        // ---------------------------------------------------------------- exited: 返贫 + 漏评
        case(
            "exited, fell back, not re-registered: returned and missed",
            exited(),
            Exited,
            with(e(), json!({"fell_back": true, "reregistered": false})),
            &["missed_fell_back", "returned_fell_back"],
        ),
        case(
            "exited, fell back, re-registered: returned only",
            exited(),
            Exited,
            with(e(), json!({"fell_back": true, "reregistered": true})),
            &["returned_fell_back"],
        ),
        case(
            "exited, fell back, re-registration unanswered",
            exited(),
            Exited,
            with(e(), json!({"fell_back": true})),
            &["returned_fell_back"],
        ),
        // ---------------------------------------------------------------- exited: 信息不符
        case(
            "exited, exit year differs",
            exited(),
            Exited,
            with(e(), json!({"exit_year": 2017})),
            &["mismatch_exit_year"],
        ),
        case(
            "exited, registry has no exit year",
            {
                let mut h = exited();
                h.exit_year = None;
                h
            },
            Exited,
            with(e(), json!({"exit_year": 2017})),
            &[],
        ),
        // ---------------------------------------------------------------- non-poor: 漏评
        case("non-poor, all fine", non_poor(), NonPoor, n(), &[]),
        case(
            "non-poor, income below the line",
            non_poor(),
            NonPoor,
            with(n(), json!({"income_per_capita": 3000})),
            &["missed_income"],
        ),
        case(
            "non-poor, income exactly at the line",
            non_poor(),
            NonPoor,
            with(n(), json!({"income_per_capita": 3335})),
            &[],
        ),
        case(
            "non-poor, worries about food",
            non_poor(),
            NonPoor,
            with(n(), json!({"food_ok": false})),
            &["missed_two_worries"],
        ),
        case(
            "non-poor, worries about clothing",
            non_poor(),
            NonPoor,
            with(n(), json!({"clothing_ok": false})),
            &["missed_two_worries"],
        ),
        case(
            "non-poor, a child out of school",
            non_poor(),
            NonPoor,
            with(n(), json!({"children_out_of_school": 2})),
            &["missed_three_guarantees"],
        ),
        case(
            "non-poor, house rated D",
            non_poor(),
            NonPoor,
            with(n(), json!({"house_rating": "D"})),
            &["missed_three_guarantees"],
        ),
        case(
            "non-poor, a member uninsured",
            non_poor(),
            NonPoor,
            with_rows(
                with(n(), json!({"medical_insured_all": false})),
                json!([row(&id(1), true), row(&id(2), true), row(&id(3), false)]),
            ),
            &["missed_three_guarantees"],
        ),
        case(
            "non-poor, refused and on 低保 (warning)",
            non_poor(),
            NonPoor,
            with(n(), json!({"applied_refused": true, "edge_dibao": true})),
            &["missed_refused_shortlist"],
        ),
        case(
            "non-poor, refused, elderly alone (warning)",
            non_poor(),
            NonPoor,
            with(
                n(),
                json!({"applied_refused": true, "edge_elderly_alone": true}),
            ),
            &["missed_refused_shortlist"],
        ),
        case(
            "non-poor, refused but on no shortlist",
            non_poor(),
            NonPoor,
            with(n(), json!({"applied_refused": true})),
            &[],
        ),
        case(
            "non-poor, on 低保 but never refused",
            non_poor(),
            NonPoor,
            with(n(), json!({"edge_dibao": true})),
            &[],
        ),
        case(
            "unknown to the registry, income below the line: missed, no mismatch",
            provisional(),
            NonPoor,
            with(n(), json!({"income_per_capita": 1200, "household_size": 9})),
            &["missed_income"],
        ),
        case(
            "unknown to the registry, all fine",
            provisional(),
            NonPoor,
            n(),
            &[],
        ),
        // ---------------------------------------------------------------- poor: 错评
        case("poor, no red flag", poor(), Poor, p(), &[]),
        case(
            "poor, public servant",
            poor(),
            Poor,
            with(p(), json!({"red_public_servant": true})),
            &["wrong_inclusion_public_servant"],
        ),
        case(
            "poor, village cadre",
            poor(),
            Poor,
            with(p(), json!({"red_village_cadre": true})),
            &["wrong_inclusion_village_cadre"],
        ),
        case(
            "poor, vehicle",
            poor(),
            Poor,
            with(p(), json!({"red_vehicle": true})),
            &["wrong_inclusion_vehicle"],
        ),
        case(
            "poor, town house",
            poor(),
            Poor,
            with(p(), json!({"red_town_house": true})),
            &["wrong_inclusion_town_house"],
        ),
        case(
            "poor, company",
            poor(),
            Poor,
            with(p(), json!({"red_company": true})),
            &["wrong_inclusion_company"],
        ),
        case(
            "poor, large-scale grower",
            poor(),
            Poor,
            with(p(), json!({"red_large_scale": true})),
            &["wrong_inclusion_large_scale"],
        ),
        case(
            "poor, split household, and a village cadre",
            poor(),
            Poor,
            with(
                p(),
                json!({"red_split_household": true, "red_village_cadre": true}),
            ),
            &[
                "wrong_inclusion_village_cadre",
                "wrong_inclusion_split_household",
            ],
        ),
        case(
            "poor, income below the line is no wrong exit",
            {
                let mut h = poor();
                h.income_per_capita = Some(2000.0);
                h
            },
            Poor,
            with(p(), json!({"income_per_capita": 2000})),
            &[],
        ),
        case(
            "non-poor with a red flag is not a wrong inclusion",
            non_poor(),
            NonPoor,
            with(n(), json!({"red_public_servant": true})),
            &[],
        ),
        // ---------------------------------------------------------------- returned: 返贫
        case(
            "returned, re-registered",
            returned(),
            Returned,
            r(),
            &["returned_registry"],
        ),
        case(
            "returned, not re-registered (warning)",
            returned(),
            Returned,
            with(r(), json!({"reregistered": false})),
            &["returned_registry", "returned_not_reregistered"],
        ),
        case(
            "interviewed as returned, the registry now lists it as poor",
            poor(),
            Returned,
            r(),
            &[],
        ),
        // ---------------------------------------------------------------- 信息不符
        case(
            "household size differs by one",
            poor(),
            Poor,
            with(p(), json!({"household_size": 4})),
            &["mismatch_household_size"],
        ),
        case(
            "household size smaller",
            poor(),
            Poor,
            with(p(), json!({"household_size": 2})),
            &["mismatch_household_size"],
        ),
        with_settings(
            case(
                "household size within a tolerance of 1",
                poor(),
                Poor,
                with(p(), json!({"household_size": 4})),
                &[],
            ),
            |s| {
                s.values.insert(
                    "household_size_tolerance".into(),
                    ruhu::questionnaire::expr::Value::Number(1.0),
                );
            },
        ),
        with_settings(
            case(
                "household size beyond a tolerance of 1",
                poor(),
                Poor,
                with(p(), json!({"household_size": 5})),
                &["mismatch_household_size"],
            ),
            |s| {
                s.values.insert(
                    "household_size_tolerance".into(),
                    ruhu::questionnaire::expr::Value::Number(1.0),
                );
            },
        ),
        case(
            "registry without a household size",
            {
                let mut h = poor();
                h.household_size = None;
                h
            },
            Poor,
            with(p(), json!({"household_size": 7})),
            &[],
        ),
        case(
            "a member's ID number the registry does not have",
            poor(),
            Poor,
            with_rows(
                p(),
                json!([row(&id(1), true), row(&id(2), true), row(&id(9), true)]),
            ),
            &["mismatch_member_ids"],
        ),
        case(
            "a registry member missing from the interview",
            poor(),
            Poor,
            with_rows(p(), json!([row(&id(1), true), row(&id(2), true)])),
            &["mismatch_member_ids"],
        ),
        case(
            "the same ID numbers in another order",
            poor(),
            Poor,
            with_rows(
                p(),
                json!([row(&id(3), true), row(&id(1), true), row(&id(2), true)]),
            ),
            &[],
        ),
        case(
            "registry lists no member ID numbers",
            {
                let mut h = poor();
                h.members.clear();
                h
            },
            Poor,
            with_rows(p(), json!([row(&id(8), true)])),
            &[],
        ),
        case(
            "income 30% above the registry, exactly",
            poor(),
            Poor,
            with(p(), json!({"income_per_capita": 6500})),
            &[],
        ),
        case(
            "income beyond 30% above the registry",
            poor(),
            Poor,
            with(p(), json!({"income_per_capita": 6500.5})),
            &["mismatch_income"],
        ),
        case(
            "income 30% below the registry, exactly",
            poor(),
            Poor,
            with(p(), json!({"income_per_capita": 3500})),
            &[],
        ),
        case(
            "income beyond 30% below the registry",
            poor(),
            Poor,
            with(p(), json!({"income_per_capita": 3499})),
            &["mismatch_income"],
        ),
        case(
            "registry without an income",
            {
                let mut h = poor();
                h.income_per_capita = None;
                h
            },
            Poor,
            with(p(), json!({"income_per_capita": 90000})),
            &[],
        ),
        case(
            "exited, income below the line and far from the registry",
            exited(),
            Exited,
            with(e(), json!({"income_per_capita": 1000})),
            &["wrong_exit_income", "mismatch_income"],
        ),
        // ---------------------------------------------------------------- settings
        with_settings(
            case(
                "exited at 3250 in Yunnan (line 3200)",
                exited_near_line(),
                Exited,
                with(e(), json!({"income_per_capita": 3250})),
                &[],
            ),
            |s| s.province = Some("云南".into()),
        ),
        case(
            "exited at 3250 nationally (line 3335)",
            exited_near_line(),
            Exited,
            with(e(), json!({"income_per_capita": 3250})),
            &["wrong_exit_income"],
        ),
        with_settings(
            case(
                "exited at 3600 assessed in 2019 (line 3747)",
                exited_near_line(),
                Exited,
                with(e(), json!({"income_per_capita": 3600})),
                &["wrong_exit_income"],
            ),
            |s| s.assessment_year = 2019,
        ),
        // ---------------------------------------------------------------- projects: 项目问题
        case(
            "project, every aspect sound",
            site(),
            Project,
            project(),
            &[],
        ),
        case(
            "project, household answers do not fire household rules",
            site(),
            Project,
            with(
                project(),
                json!({"food_ok": false, "income_per_capita": 1, "fell_back": true}),
            ),
            &[],
        ),
        case(
            "exited household with project answers fires no project rule",
            exited(),
            Exited,
            with(
                e(),
                json!({"acceptance_signed": false, "funds_misused": true}),
            ),
            &[],
        ),
        case(
            "project, no approval document",
            site(),
            Project,
            with(project(), json!({"plan_approved": false})),
            &["project_plan"],
        ),
        case(
            "project, late",
            site(),
            Project,
            with(project(), json!({"progress_on_time": false})),
            &["project_progress"],
        ),
        case(
            "project, funds misused",
            site(),
            Project,
            with(project(), json!({"funds_misused": true})),
            &["project_funds"],
        ),
        case(
            "project, beneficiaries not public",
            site(),
            Project,
            with(project(), json!({"beneficiaries_public": false})),
            &["project_beneficiaries"],
        ),
        case(
            "project, a household paid beyond its share",
            site(),
            Project,
            with(project(), json!({"burden_beyond_share": true})),
            &["project_burden"],
        ),
        case(
            "project, households do not know their benefit",
            site(),
            Project,
            with(project(), json!({"benefits_known": false})),
            &["project_benefits"],
        ),
        case(
            "project, no notice after",
            site(),
            Project,
            with(project(), json!({"notice_after": false})),
            &["project_notice"],
        ),
        case(
            "project, two aspects weak, in rule order",
            site(),
            Project,
            with(
                project(),
                json!({"acceptance_signed": false, "plan_document": false}),
            ),
            &["project_plan", "project_acceptance"],
        ),
        case(
            "project, acceptance unanswered fires nothing",
            site(),
            Project,
            with(
                project(),
                json!({"acceptance_signed": null, "supervised": null}),
            ),
            &[],
        ),
    ]
}

/// The stand-in for a project: no registry values.
fn site() -> Household {
    Household::provisional("project:XM-1".into(), String::new(), String::new())
}

/// A project check with every aspect sound.
fn project() -> Value {
    json!({"answers": {
        "project_id": "XM-1", "project_name": "产业路", "county": "演示县", "village": "桂花村",
        "plan_document": true, "plan_approved": true, "plan_consulted": true,
        "progress_on_time": true, "progress_as_planned": true,
        "funds_paid_as_planned": true, "funds_accounted": true, "funds_misused": false,
        "beneficiaries_by_rules": true, "beneficiaries_public": true,
        "burden_beyond_share": false,
        "benefits_as_planned": true, "benefits_known": true,
        "notice_before": true, "notice_after": true,
        "supervised": true, "acceptance_signed": true,
    }, "rosters": {}})
}

#[test]
fn every_household_fires_exactly_its_rules() {
    let base = settings();
    let rules = rules(&base);
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let s = c.settings.as_ref().unwrap_or(&base);
        let got: Vec<String> = reconcile(&c.household, &c.result, c.kind, &rules, s)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        let want: Vec<String> = c.fires.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("{}: fired {got:?}, expected {want:?}", c.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_rule_firing_and_not_firing() {
    let s = settings();
    let rules = rules(&s);
    let cases = cases();
    for rule in &rules.rules {
        let fired = cases.iter().any(|c| c.fires.contains(&rule.id.as_str()));
        let held = cases
            .iter()
            .any(|c| rule.applies_to(c.kind) && !c.fires.contains(&rule.id.as_str()));
        assert!(fired, "no case fires {}", rule.id);
        assert!(held, "no case of its kinds leaves {} silent", rule.id);
    }
    let kinds: BTreeSet<FindingKind> = rules.rules.iter().map(|r| r.finding).collect();
    assert_eq!(kinds.len(), FindingKind::ALL.len(), "every kind has a rule");
}

#[test]
fn findings_carry_place_message_and_evidence() {
    let s = settings();
    let rules = rules(&s);
    let result = with(
        clean(Kind::Exited),
        json!({"income_per_capita": 3000, "household_size": 4}),
    );
    let found = reconcile(&exited(), &result, Kind::Exited, &rules, &s);
    let names: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        names,
        [
            "wrong_exit_income",
            "mismatch_household_size",
            "mismatch_income"
        ]
    );
    let f = &found[0];
    assert_eq!(f.household_id, "532326100000001");
    assert_eq!(f.village, "桂花村");
    assert_eq!(f.township, "昙华乡");
    assert_eq!(f.county, "大姚县");
    assert_eq!(f.head_name, "张德明");
    assert_eq!(f.kind, FindingKind::WrongExit);
    assert_eq!(f.severity, Severity::Finding);
    assert!(f.message.zh.contains("贫困线"));
    let ev: Vec<(EvidenceSource, &str, &Value)> = f
        .evidence
        .iter()
        .map(|e| (e.source, e.name.as_str(), &e.value))
        .collect();
    assert_eq!(
        ev,
        [
            (EvidenceSource::Answer, "income_per_capita", &json!(3000)),
            (EvidenceSource::Setting, "income_line", &json!(3335)),
        ]
    );
    let size = &found[1].evidence;
    assert_eq!(size.len(), 3, "{size:?}");
    assert_eq!(size[0].value, json!(4));
    assert_eq!(
        (size[1].source, size[1].name.as_str(), &size[1].value),
        (EvidenceSource::Registry, "household_size", &json!(3))
    );
    assert_eq!(size[2].value, json!(0));
    // Roster lists as evidence: the ID numbers of both sides.
    let ids = with_rows(clean(Kind::Poor), json!([row(&id(7), true)]));
    let found = reconcile(&registered(Status::Poor), &ids, Kind::Poor, &rules, &s);
    let m = found
        .iter()
        .find(|f| f.rule == "mismatch_member_ids")
        .expect("mismatch");
    let answer = m
        .evidence
        .iter()
        .find(|e| e.name == "id_number")
        .expect("answer");
    assert_eq!(answer.value, json!([id(7)]));
    let registry = m
        .evidence
        .iter()
        .find(|e| e.name == "member_id_numbers")
        .expect("registry");
    assert_eq!(registry.value, json!([id(1), id(2), id(3)]));
}

#[test]
fn provisional_households_have_no_registry_values() {
    let s = settings();
    let rules = rules(&s);
    let result = with(
        clean(Kind::NonPoor),
        json!({"county": "大姚县", "township": "昙华乡", "income_per_capita": 100}),
    );
    let found = reconcile(&provisional(), &result, Kind::NonPoor, &rules, &s);
    assert_eq!(found.len(), 1);
    // Place from the household, else from the interview's answers.
    assert_eq!(found[0].village, "桂花村");
    assert_eq!(found[0].county, "大姚县");
    assert_eq!(found[0].township, "昙华乡");
    assert!(ruhu::reconcile::registry_values(&provisional()).is_empty());
}

// ------------------------------------------------------------------ settings and masking

#[test]
fn settings_resolve_the_income_line_by_year_and_province() {
    let mut s = settings();
    assert_eq!(s.assessment_year, 2017);
    assert_eq!(s.income_line(), Some(3335.0));
    assert_eq!(s.income_line_for(2018, None), Some(3535.0));
    assert_eq!(s.income_line_for(2019, None), Some(3747.0));
    assert_eq!(s.income_line_for(2020, None), Some(4000.0));
    assert_eq!(s.income_line_for(2017, Some("云南")), Some(3200.0));
    assert_eq!(s.income_line_for(2018, Some("云南")), Some(3535.0));
    assert_eq!(s.income_line_for(2016, None), None);
    s.province = Some("云南".into());
    assert_eq!(s.income_line(), Some(3200.0));
    assert_eq!(
        s.value("income_tolerance"),
        ruhu::questionnaire::expr::Value::Number(0.3)
    );
    assert_eq!(
        s.value("assessment_year"),
        ruhu::questionnaire::expr::Value::Number(2017.0)
    );
    assert!(s.value("nope").is_missing());
}

#[test]
fn id_numbers_are_masked_and_cells_cannot_be_formulas() {
    let full = id(1);
    let masked = ruhu::redact::mask_ids(&full);
    assert_eq!(masked.chars().count(), 18);
    assert_eq!(&masked[..4], &full[..4]);
    assert_eq!(&masked[4..14], "**********");
    assert_eq!(&masked[14..], &full[14..]);
    assert_eq!(
        ruhu::redact::mask_ids(&format!("{full},{}", id(2))),
        format!("{masked},{}", ruhu::redact::mask_ids(&id(2)))
    );
    // A 15-digit household id and a 19-digit run are left alone.
    assert_eq!(ruhu::redact::mask_ids("532326100000001"), "532326100000001");
    assert_eq!(
        ruhu::redact::mask_ids("1234567890123456789"),
        "1234567890123456789"
    );
    assert_eq!(
        ruhu::redact::mask_json(&json!({"a": [full.clone(), 3]})),
        json!({"a": [masked, 3]})
    );
    for bad in ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
        assert_eq!(ruhu::sheet_csv::text_cell(bad), format!("'{bad}"));
    }
    assert_eq!(ruhu::sheet_csv::text_cell("桂花村"), "桂花村");
    assert_eq!(ruhu::sheet_csv::text_cell(""), "");
}

// ------------------------------------------------------------------ broken files

fn ruhu_in_repo(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ruhu"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ruhu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `ruhu check` on one broken fixture: exit 1, an error of `kind` on `rule` saying `needle`.
fn broken(file: &str, kind: &str, rule: Option<&str>, needle: &str) {
    let path = format!("tests/fixtures/rules/{file}");
    let (code, out) = ruhu_in_repo(&["check", &path, "--format", "json", "--lang", "en"]);
    assert_eq!(code, 1, "{file}: {out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["ok"], false);
    let errors = v["errors"].as_array().expect("errors");
    let hit = errors
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("{file}: no {kind} error in {out}"));
    assert!(hit["file"].as_str().expect("file").ends_with(file), "{hit}");
    assert_eq!(hit["rule"].as_str(), rule, "{file}: {hit}");
    let en = hit["message"]["en"].as_str().expect("en");
    assert!(en.contains(needle), "{file}: '{en}' lacks '{needle}'");
    assert!(!hit["message"]["zh"].as_str().expect("zh").is_empty());
    // The text output names the file too.
    let (code, text) = ruhu_in_repo(&["check", &path, "--lang", "en"]);
    assert_eq!(code, 1);
    assert!(text.contains(file) && text.contains(needle), "{text}");
}

#[test]
fn broken_rules_are_reported_by_kind() {
    broken("bad_json.rules.json", "json", None, "line 5, column");
    broken(
        "unknown_finding.rules.json",
        "unknown_finding",
        Some("bad_finding"),
        "'wrong_exits'",
    );
    broken(
        "unknown_severity.rules.json",
        "unknown_severity",
        Some("bad_severity"),
        "'error'",
    );
    broken(
        "unknown_household_kind.rules.json",
        "unknown_household_kind",
        Some("bad_kind"),
        "'exitted'",
    );
    broken(
        "expression_syntax.rules.json",
        "expression_syntax",
        Some("bad_syntax"),
        "column 24",
    );
    broken(
        "unknown_reference.rules.json",
        "unknown_reference",
        Some("asks_exited_of_poor"),
        "${accepts_exit}",
    );
    broken(
        "unknown_registry_field.rules.json",
        "unknown_registry_field",
        Some("bad_field"),
        "'household_sise'",
    );
    broken(
        "unknown_setting.rules.json",
        "unknown_setting",
        Some("bad_setting"),
        "'poverty_line'",
    );
    broken(
        "duplicate_id.rules.json",
        "duplicate_id",
        Some("twice"),
        "'twice'",
    );
    broken(
        "empty_message.rules.json",
        "empty_message",
        Some("no_english"),
        "zh and en",
    );
}

#[test]
fn broken_settings_are_reported() {
    broken("bad_json.settings.json", "json", None, "line 3, column");
    broken(
        "no_line.settings.json",
        "invalid",
        None,
        "no income line for the assessment year 2021",
    );
    broken(
        "bad_threshold.settings.json",
        "invalid",
        None,
        "fraction between 0 and 1",
    );
    broken(
        "duplicate_line.settings.json",
        "duplicate_id",
        None,
        "2017 (云南) is given twice",
    );
}

#[test]
fn a_broken_file_lists_every_error() {
    let forms = forms();
    let refs: Vec<&Questionnaire> = forms.iter().collect();
    let s = settings();
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/many.rules.json"),
    )
    .expect("fixture");
    let errors = RuleSet::from_str("many.rules.json", &src, &refs, Some(&s)).expect_err("broken");
    let kinds: BTreeMap<String, usize> = errors.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(format!("{:?}", e.kind)).or_default() += 1;
        m
    });
    assert_eq!(errors.len(), 5, "{errors:#?}");
    for k in [
        "UnknownFinding",
        "UnknownSeverity",
        "UnknownSetting",
        "EmptyMessage",
        "DuplicateId",
    ] {
        assert_eq!(kinds.get(k), Some(&1), "{k} in {kinds:?}");
    }
}

#[test]
fn a_folder_with_rules_and_settings_is_checked_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires");
    for f in [
        "poor.json",
        "exited.json",
        "non_poor.json",
        "returned.json",
        "rules.json",
        "settings.json",
    ] {
        std::fs::copy(root.join(f), dir.path().join(f)).expect("copy");
    }
    let d = dir.path().to_str().expect("utf-8");
    let (code, out) = ruhu_in_repo(&["check", d, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["rules"]["ok"], true);
    assert_eq!(v["settings"]["income_line"], 3335.0);
    // A rule of the folder refers to a question its questionnaires no longer ask.
    let rules = std::fs::read_to_string(dir.path().join("rules.json"))
        .expect("read")
        .replace("${food_ok} = false()", "${food_okay} = false()");
    std::fs::write(dir.path().join("rules.json"), rules).expect("write");
    let (code, out) = ruhu_in_repo(&["check", d, "--format", "json", "--lang", "en"]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let errors = v["errors"].as_array().expect("errors");
    let rules_with_error: BTreeSet<&str> =
        errors.iter().filter_map(|e| e["rule"].as_str()).collect();
    assert_eq!(
        rules_with_error,
        BTreeSet::from(["missed_two_worries", "wrong_exit_food"])
    );
}

// ------------------------------------------------------------------ through the binary

/// A complete answer file for a kind (the shared realistic walk), with answers changed.
fn answer_file(dir: &Path, name: &str, kind: &str, changes: Value) -> String {
    let path = common::walk::answer_file_with(dir, name, kind, changes);
    path.to_str().expect("utf-8").to_string()
}

fn demo_households(status: Status, n: usize) -> Vec<Household> {
    ruhu::demo::generate(&Default::default())
        .into_iter()
        .filter(|h| h.status == status)
        .take(n)
        .collect()
}

fn apply(data: &Path, household: &[&str], file: &str) -> String {
    let mut args = vec!["interview", "apply"];
    args.extend_from_slice(household);
    args.extend_from_slice(&["--answers", file, "--complete", "--format", "json"]);
    let (code, out, err) = ruhu(data, &args);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["status"], "completed");
    v["interview_id"].as_str().expect("id").to_string()
}

#[test]
fn findings_rates_and_marks_through_the_binary() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    assert_eq!(ruhu(&data, &["demo"]).0, 0);
    let exited = demo_households(Status::Exited, 3);
    let poor = demo_households(Status::Poor, 1);

    // Exited A: no wages, 7900 ÷ 5 = 1580 per head, below the line: wrong exit.
    let low = answer_file(dir.path(), "low", "exited", json!({"income_wage": 0}));
    let a = apply(&data, &["--household", &exited[0].household_id], &low);
    // Exited B: the walk as it is, 3980 per head: no wrong exit.
    let fine = answer_file(dir.path(), "fine", "exited", json!({}));
    let b = apply(&data, &["--household", &exited[1].household_id], &fine);
    // Poor C: owns a car: wrong inclusion.
    let car = answer_file(
        dir.path(),
        "car",
        "poor",
        json!({"red_vehicle": true, "red_detail": "有一辆面包车"}),
    );
    let _c = apply(&data, &["--household", &poor[0].household_id], &car);
    // A household the registry does not know, whose head's name looks like a formula, poor by
    // income: missed.
    let missed = answer_file(
        dir.path(),
        "missed",
        "non_poor",
        json!({"income_wage": 0, "income_business": 1000}),
    );
    let d = apply(
        &data,
        &[
            "--new-household",
            "--head",
            "=HYPERLINK(\"http://x\")",
            "--village",
            "桂花村",
        ],
        &missed,
    );
    // An interview left in progress (of a household not visited before: a second visit
    // of A would not count while A's completed one does): listed only with --all.
    let (code, _, _) = ruhu(
        &data,
        &[
            "interview",
            "apply",
            "--household",
            &exited[2].household_id,
            "--answers",
            &low,
        ],
    );
    assert_eq!(code, 0);

    let (code, out, err) = ruhu(&data, &["findings", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let list: Value = serde_json::from_str(&out).expect("json");
    let list = list.as_array().expect("array");
    let rules_of = |id: &str| -> Vec<&str> {
        list.iter()
            .filter(|f| f["interview_id"] == id)
            .map(|f| f["rule"].as_str().expect("rule"))
            .collect()
    };
    assert!(rules_of(&a).contains(&"wrong_exit_income"), "{out}");
    assert!(!rules_of(&b).contains(&"wrong_exit_income"), "{out}");
    assert!(rules_of(&_c).contains(&"wrong_inclusion_vehicle"), "{out}");
    // The walk's 14-year-old answered as ordinary labour: the member check says so.
    assert_eq!(
        rules_of(&d),
        ["missed_income", "member_labour_age"],
        "{out}"
    );
    let labour = list
        .iter()
        .find(|f| f["interview_id"] == d && f["rule"] == "member_labour_age")
        .expect("labour finding");
    assert_eq!(labour["severity"], "warning");
    assert_eq!(
        labour["message"]["zh"],
        "王小梅：14岁，劳动能力答的是「普通劳动力」；16周岁以下应为无劳动力"
    );
    // Five members with other ID numbers than the registry's: a mismatch, IDs masked.
    assert!(rules_of(&a).contains(&"mismatch_member_ids"), "{out}");
    assert!(
        !out.contains(&exited[0].members[0].id_number),
        "unmasked ID in {out}"
    );
    assert!(out.contains("**********"), "{out}");
    for f in list {
        for key in [
            "household_id",
            "interview_id",
            "village",
            "kind",
            "rule",
            "severity",
            "message",
            "evidence",
        ] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
        assert_eq!(f["in_progress"], false);
        assert!(f["mark"].is_null());
    }
    let wrong_exit = list
        .iter()
        .find(|f| f["interview_id"] == a.as_str() && f["rule"] == "wrong_exit_income")
        .expect("finding");
    assert_eq!(wrong_exit["kind"], "wrong_exit");
    assert_eq!(wrong_exit["village"], exited[0].village.as_str());
    assert_eq!(wrong_exit["evidence"][0]["value"], 1580);
    assert_eq!(wrong_exit["evidence"][1]["value"], 3335);

    // --all adds the interview in progress, marked so; --kind and --village filter.
    let (_, out, _) = ruhu(&data, &["findings", "--all", "--format", "json"]);
    let all: Vec<Value> = serde_json::from_str(&out).expect("json");
    assert!(all.len() > list.len());
    assert!(all.iter().any(|f| f["in_progress"] == true));
    let (_, out, _) = ruhu(&data, &["findings", "--kind", "missed", "--format", "json"]);
    let only: Vec<Value> = serde_json::from_str(&out).expect("json");
    assert_eq!(only.len(), 1);
    assert_eq!(
        only[0]["household_id"]
            .as_str()
            .map(|s| s.starts_with("P-")),
        Some(true)
    );
    let (_, out, _) = ruhu(
        &data,
        &["findings", "--village", "没有这个村", "--format", "json"],
    );
    assert_eq!(out.trim(), "[]");
    let (code, _, err) = ruhu(&data, &["findings", "--kind", "wrong"]);
    assert_eq!(code, 2, "{err}");

    // Rates by county: people from the interviews' household_size (5 each).
    let (code, out, _) = ruhu(&data, &["rates", "--by", "county", "--format", "json"]);
    assert_eq!(code, 0);
    let r: Value = serde_json::from_str(&out).expect("json");
    let total = &r["total"]["rates"];
    assert_eq!(
        (
            total["wrong_exit"]["numerator"].as_u64(),
            total["wrong_exit"]["denominator"].as_u64()
        ),
        (Some(5), Some(10))
    );
    assert_eq!(total["wrong_exit"]["failing"], true);
    assert_eq!(total["missed"]["numerator"], 5);
    assert_eq!(total["missed"]["denominator"], 5);
    assert_eq!(total["wrong_inclusion"]["numerator"], 5);
    assert_eq!(total["wrong_inclusion"]["denominator"], 5);
    assert_eq!(total["acceptance"]["numerator"], 4);
    assert_eq!(total["acceptance"]["denominator"], 4);
    assert_eq!(total["acceptance"]["failing"], false);
    assert_eq!(r["total"]["households"], 4);
    assert_eq!(r["by"], "county");
    // The demo county, and the county the census household's interview names.
    assert_eq!(r["groups"].as_array().expect("groups").len(), 2);
    let (code, out, _) = ruhu(&data, &["rates"]);
    assert_eq!(code, 0);
    assert!(out.contains("✗"), "{out}");

    // Mark: confirmed with a comment, shown in the list and exported.
    let (code, out, err) = ruhu(
        &data,
        &[
            "--interviewer",
            "审计员甲",
            "mark",
            "--interview",
            &a,
            "--rule",
            "wrong_exit_income",
            "--confirm",
            "--comment",
            "=核实属实",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let m: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(m["mark"]["status"], "confirmed");
    let (code, _, err) = ruhu(
        &data,
        &[
            "mark",
            "--interview",
            &b,
            "--rule",
            "wrong_exit_income",
            "--dismiss",
        ],
    );
    assert_eq!(code, 1, "a rule that does not fire cannot be marked");
    assert!(err.contains("wrong_exit_income"), "{err}");
    let (_, out, _) = ruhu(&data, &["findings", "--format", "json"]);
    let list: Vec<Value> = serde_json::from_str(&out).expect("json");
    let marked = list
        .iter()
        .find(|f| f["interview_id"] == a.as_str() && f["rule"] == "wrong_exit_income")
        .expect("finding");
    assert_eq!(marked["mark"]["status"], "confirmed");
    assert_eq!(marked["mark"]["comment"], "=核实属实");
    assert_eq!(marked["mark"]["by"], "审计员甲");

    // CSV: BOM, Chinese intact, no formula, IDs masked unless --show-ids.
    let csv_path = dir.path().join("findings.csv");
    let (code, _, err) = ruhu(
        &data,
        &["findings", "--out", csv_path.to_str().expect("utf-8")],
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&csv_path).expect("csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("户编号") && text.contains("已脱贫户人均纯收入低于当年贫困线"));
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(
        text.contains("'=核实属实") && text.contains("已确认"),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for record in reader.records() {
        for cell in record.expect("record").iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell}"
            );
        }
    }
    assert!(text.contains("**********"));
    assert!(!text.contains(&exited[0].members[0].id_number));
    let (code, _, _) = ruhu(
        &data,
        &[
            "findings",
            "--show-ids",
            "--format",
            "csv",
            "--out",
            csv_path.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&csv_path).expect("csv");
    assert!(text.contains(&exited[0].members[0].id_number));

    // XLSX and the table.
    let xlsx = dir.path().join("findings.xlsx");
    let (code, _, err) = ruhu(&data, &["findings", "--out", xlsx.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));
    let (code, out, _) = ruhu(&data, &["findings"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("wrong_exit_income") && out.contains("已确认"),
        "{out}"
    );
    let (code, _, _) = ruhu(&data, &["findings", "--format", "xlsx"]);
    assert_eq!(code, 1, "xlsx needs --out");
}

#[test]
fn the_store_path_finds_what_the_record_path_finds() {
    use chrono::DateTime;
    use ruhu::interview::{InterviewRecord, Status as InterviewStatus};
    use ruhu::reconcile::{Filter, Reconciler, run};
    use ruhu::store::Store;

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let forms = forms();
    let refs: Vec<&Questionnaire> = forms.iter().collect();
    let rec = Reconciler::load(None, &refs).expect("rules");
    let at = |minute: u32| {
        DateTime::parse_from_rfc3339(&format!("2017-11-20T10:{minute:02}:00+08:00")).expect("time")
    };
    // Every case of the table with the bundled settings, each its own household (the
    // registered ones stored), three of them interviewed twice.
    let mut households = Vec::new();
    let mut n = 0u32;
    for (i, c) in cases().into_iter().enumerate() {
        if c.settings.is_some() {
            continue;
        }
        let mut h = c.household.clone();
        h.household_id = if !c.kind.is_household() {
            // Another subject is stored under its subject key.
            format!("{}:XM-{i}", c.kind.subject().id())
        } else if h.provisional {
            format!("P-{i:08x}")
        } else {
            format!("5323261{i:08}")
        };
        if !h.provisional {
            households.push(h.clone());
        }
        for again in 0..(1 + u32::from(i % 11 == 0)) {
            n += 1;
            let record = InterviewRecord {
                interview_id: uuid::Uuid::from_u128(u128::from(n)),
                household_id: h.household_id.clone(),
                questionnaire: c.kind.id().to_string(),
                questionnaire_version: "1".into(),
                status: InterviewStatus::Completed,
                interviewer: "王明".into(),
                device_id: "test".into(),
                started_at: at(0),
                updated_at: at(again),
                completed_at: Some(at(again)),
                cursor: None,
                answers: c.result.clone(),
                result: c.result.clone(),
                events: 0,
                skipped: Vec::new(),
                review: None,
                chosen: None,
            };
            store.create_interview(&record).expect("interview");
        }
    }
    store.put_households(households).expect("households");
    let filter = Filter::default();
    let fast = ruhu::session::reconcile_store(&store, &rec, &filter).expect("store path");
    let slow = run(
        &rec,
        store.interview_results(),
        |id| store.household(id),
        &filter,
    )
    .expect("record path");
    let key = |r: &ruhu::reconcile::Reconciliation| -> Vec<(String, uuid::Uuid, String)> {
        r.findings
            .iter()
            .map(|f| (f.household_id.clone(), f.interview_id, f.rule.clone()))
            .collect()
    };
    assert!(fast.findings.len() > 30, "{} findings", fast.findings.len());
    assert_eq!(key(&fast), key(&slow));
    assert_eq!(fast.surveyed, slow.surveyed);
    assert_eq!(fast.interviews, n as usize);
    assert_eq!(
        (fast.interviews, fast.unknown_households),
        (slow.interviews, slow.unknown_households)
    );
    // And what the table says each case fires, for the interview that counts.
    let want: usize = cases()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.settings.is_none())
        .map(|(i, c)| c.fires.len() * (1 + usize::from(i % 11 == 0)))
        .sum();
    assert_eq!(fast.findings.len(), want);
}

/// Every finding of the table reads in words: no line of its explanation holds a variable
/// id, a setting's name, `true`/`false` or `name=value`; the rules with more to say say it.
#[test]
fn every_finding_says_its_evidence_in_words() {
    let base = settings();
    let rules = rules(&base);
    let mut by_rule: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in &cases() {
        let s = c.settings.as_ref().unwrap_or(&base);
        for f in reconcile(&c.household, &c.result, c.kind, &rules, s) {
            if f.explanation.is_empty() {
                failures.push(format!("{}: {} has no explanation", c.name, f.rule));
            }
            for line in &f.explanation {
                // An id of one English word ("status") may be a word of the English text.
                for (text, zh) in [(&line.zh, true), (&line.en, false)] {
                    let ids = f
                        .evidence
                        .iter()
                        .map(|e| e.name.as_str())
                        .filter(|id| zh || id.contains('_'));
                    let bad = ids
                        .chain(["true", "false", "="])
                        .find(|id| text.contains(id));
                    if let Some(bad) = bad {
                        failures.push(format!("{} / {}: '{text}' holds '{bad}'", c.name, f.rule));
                    }
                }
            }
            by_rule
                .entry(f.rule.clone())
                .or_insert_with(|| f.explanation.iter().map(|t| t.zh.clone()).collect());
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    let has = |rule: &str, want: &str| {
        let lines = &by_rule[rule];
        assert!(
            lines.iter().any(|l| l.contains(want)),
            "{rule}: '{want}' in {lines:#?}"
        );
    };
    // Income: the answer, its parts with the household size, the line, money to the fen.
    has("wrong_exit_income", "人均纯收入：3,334.99 元");
    has("wrong_exit_income", "工资性收入 9,000 元");
    has("wrong_exit_income", "家庭人口数 3");
    has("wrong_exit_income", "2017年贫困线：3,335 元");
    // The answer and the registry side by side.
    has(
        "mismatch_income",
        "人均纯收入：调查 6,500.5 元，建档立卡 5,000 元",
    );
    has("mismatch_income", "收入容许相差：30%");
    has("mismatch_exit_year", "脱贫年度：调查 2017，建档立卡 2016");
    has("mismatch_household_size", "家庭人口数：调查 4，建档立卡 3");
    // Which members are on one side only, by name and ID number.
    has("mismatch_member_ids", "只在建档立卡中的成员：成员3（");
    has("mismatch_member_ids", "只在调查中的成员：");
    // Yes/no and choices by their labels; a question followed by its answer.
    has("wrong_exit_food", "不愁吃：否");
    has("wrong_exit_housing", "住房安全等级：C级");
    has("exit_not_accepted", "您家认可已经脱贫了吗？答：否");
    has("returned_registry", "建档立卡脱贫状态：返贫");
    // A member's medical insurance, member by member.
    has("wrong_exit_medical", "否");
    has("wrong_exit_medical", "基本医疗保险");
}

/// A member check names the member concerned: name, ID number and row.
#[test]
fn a_member_finding_names_the_member() {
    let s = settings();
    let rules = rules(&s);
    let h = exited();
    // The answer gives the second member the sex her ID number does not say (the 17th
    // digit: odd for a man).
    let male = id(3).as_bytes()[16] % 2 == 1;
    let mut second = row(&id(3), true);
    second["name"] = json!("李秀英");
    second["sex"] = json!(if male { "female" } else { "male" });
    let result = with_rows(
        clean(Kind::Exited),
        json!([row(&id(1), true), second, row(&id(2), true)]),
    );
    let found = reconcile(&h, &result, Kind::Exited, &rules, &s);
    let f = found
        .iter()
        .find(|f| f.rule == "member_sex_id_number")
        .unwrap_or_else(|| {
            panic!(
                "a sex check among {:?}",
                found.iter().map(|f| &f.rule).collect::<Vec<_>>()
            )
        });
    let lines: Vec<&str> = f.explanation.iter().map(|t| t.zh.as_str()).collect();
    assert_eq!(
        lines[0],
        format!("成员：李秀英（{}），第 2 行", id(3)),
        "{lines:?}"
    );
    let sex = if male { "性别：女" } else { "性别：男" };
    assert!(lines.iter().any(|l| l.contains(sex)), "{lines:?}");
}
