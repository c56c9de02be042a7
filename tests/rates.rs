//! Rates against numerators and denominators counted by hand: fourteen households in three
//! villages of two counties, reconciled with the bundled rules, then counted by village, by
//! county and in total; thresholds at their boundary; and the run over interview records (the
//! latest completed interview of a household counts, interviews in progress do not).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use ruhu::interview::{InterviewRecord, Status as InterviewStatus};
use ruhu::questionnaire::{self, Kind, Questionnaire};
use ruhu::reconcile::{
    Filter, FindingKind, GroupBy, GroupRates, Mark, MarkStatus, Rate, RateReport, Reconciler,
    RuleSet, Settings, Surveyed, rates, reconcile, reviewed, run,
};
use ruhu::registry::{Household, Status};
use serde_json::{Value, json};
use uuid::Uuid;

fn reconciler() -> Reconciler {
    let report = questionnaire::load_bundled();
    assert!(report.errors.is_empty());
    let refs: Vec<&Questionnaire> = report.questionnaires.iter().collect();
    let settings = Settings::bundled().expect("settings");
    let rules = RuleSet::bundled(&refs, Some(&settings)).expect("rules");
    Reconciler { rules, settings }
}

fn household(id: &str, status: Status, place: (&str, &str, &str), size: u32) -> Household {
    let (county, township, village) = place;
    let mut h = Household::provisional(id.into(), format!("户主{id}"), village.into());
    h.provisional = false;
    h.status = status;
    h.county = county.into();
    h.township = township.into();
    h.household_size = Some(size);
    h.income_per_capita = Some(5000.0);
    h.exit_year = (status == Status::Exited).then_some(2016);
    h
}

fn kind_of(status: Status) -> Kind {
    status.kind()
}

/// A clean interview result of `kind` for `size` people, with some answers changed (null
/// removes one).
fn result(kind: Kind, size: u32, changes: Value) -> Value {
    let mut answers = json!({
        "household_size": size,
        "income_per_capita": 5000.0,
        "food_ok": true, "clothing_ok": true, "children_out_of_school": 0,
        "medical_insured_all": true, "house_rating": "B", "water_ok": true, "power_ok": true,
        "satisfaction": "satisfied",
    });
    let extra = match kind {
        Kind::Exited => json!({"accepts_exit": true, "exit_year": 2016, "fell_back": false}),
        Kind::Poor => json!({"red_vehicle": false, "red_public_servant": false}),
        Kind::NonPoor => json!({"applied_refused": false}),
        Kind::Returned => json!({"reregistered": true}),
        // Not a household: no household answers to add.
        Kind::Cadre | Kind::Project | Kind::Archive => json!({}),
    };
    for (k, v) in extra.as_object().into_iter().flatten() {
        answers[k] = v.clone();
    }
    for (k, v) in changes.as_object().into_iter().flatten() {
        if v.is_null() {
            answers.as_object_mut().map(|a| a.remove(k));
        } else {
            answers[k] = v.clone();
        }
    }
    json!({"answers": answers, "rosters": {}})
}

const GUIHUA: (&str, &str, &str) = ("甲县", "昙华乡", "桂花村");
const SONGSHU: (&str, &str, &str) = ("甲县", "昙华乡", "松树村");
const HEKOU: (&str, &str, &str) = ("乙县", "河口乡", "河口村");

/// The fourteen households: (id, registry status, place, people, answers changed).
fn households() -> Vec<(Household, Value)> {
    let h = |id, status, place, size: u32, changes: Value| {
        let hh = household(id, status, place, size);
        let r = result(kind_of(status), size, changes);
        (hh, r)
    };
    let mut out = vec![
        // 桂花村
        h(
            "E1",
            Status::Exited,
            GUIHUA,
            4,
            json!({"income_per_capita": 2000}),
        ),
        h(
            "E2",
            Status::Exited,
            GUIHUA,
            3,
            json!({"accepts_exit": false}),
        ),
        h(
            "E3",
            Status::Exited,
            GUIHUA,
            5,
            json!({"fell_back": true, "reregistered": false, "satisfaction": "neutral"}),
        ),
        h(
            "N1",
            Status::NonPoor,
            GUIHUA,
            2,
            json!({"income_per_capita": 1000, "satisfaction": "very_satisfied"}),
        ),
        h("N2", Status::NonPoor, GUIHUA, 6, json!({})),
        h("P1", Status::Poor, GUIHUA, 5, json!({"red_vehicle": true})),
        h(
            "P2",
            Status::Poor,
            GUIHUA,
            1,
            json!({"satisfaction": "dissatisfied"}),
        ),
        // 松树村
        h(
            "E4",
            Status::Exited,
            SONGSHU,
            2,
            json!({"house_rating": "D"}),
        ),
        h("R1", Status::Returned, SONGSHU, 3, json!({})),
        // 河口村 (乙县)
        h("E5", Status::Exited, HEKOU, 4, json!({})),
        h("N4", Status::NonPoor, HEKOU, 3, json!({})),
        h("P3", Status::Poor, HEKOU, 2, json!({})),
        h("E6", Status::Exited, HEKOU, 5, json!({"water_ok": false})),
    ];
    // 松树村: a household the registry does not know, satisfaction unanswered.
    let n3 = Household::provisional("P-00000001".into(), "李春".into(), "松树村".into());
    let r = result(
        Kind::NonPoor,
        4,
        json!({"satisfaction": null, "county": "甲县", "township": "昙华乡"}),
    );
    out.push((n3, r));
    // P3's registry says three people, the interview two: a mismatch, which no rate counts.
    if let Some((h, _)) = out.iter_mut().find(|(h, _)| h.household_id == "P3") {
        h.household_size = Some(3);
    }
    out
}

fn surveyed(rec: &Reconciler) -> Vec<Surveyed> {
    households()
        .iter()
        .map(|(h, r)| {
            let kind = if h.provisional {
                Kind::NonPoor
            } else {
                h.kind()
            };
            let found = reconcile(h, r, kind, &rec.rules, &rec.settings);
            Surveyed::new(h, r, kind, &found, rec)
        })
        .collect()
}

fn nd(r: &Rate) -> (u64, u64) {
    (r.numerator, r.denominator)
}

fn group<'a>(report: &'a RateReport, name: &str) -> &'a GroupRates {
    report
        .groups
        .iter()
        .find(|g| g.village.as_deref() == Some(name) || g.county.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no group {name}"))
}

/// (households, people, wrong exit, missed, wrong inclusion, acceptance, satisfaction)
type Counts = (
    u64,
    u64,
    (u64, u64),
    (u64, u64),
    (u64, u64),
    (u64, u64),
    (u64, u64),
);

fn counts(g: &GroupRates) -> Counts {
    (
        g.households,
        g.people,
        nd(&g.rates.wrong_exit),
        nd(&g.rates.missed),
        nd(&g.rates.wrong_inclusion),
        nd(&g.rates.acceptance),
        nd(&g.rates.satisfaction),
    )
}

#[test]
fn the_households_find_what_they_were_made_to_find() {
    let rec = reconciler();
    let found: HashMap<String, Vec<FindingKind>> = surveyed(&rec)
        .into_iter()
        .map(|s| (s.household_id.clone(), s.found.into_iter().collect()))
        .collect();
    use FindingKind::*;
    let expect: [(&str, &[FindingKind]); 14] = [
        ("E1", &[WrongExit, Mismatch]),
        ("E2", &[]),
        ("E3", &[Missed, Returned]),
        ("N1", &[Missed, Mismatch]),
        ("N2", &[]),
        ("P1", &[WrongInclusion]),
        ("P2", &[]),
        ("E4", &[WrongExit]),
        ("R1", &[Returned]),
        ("P-00000001", &[]),
        ("E5", &[]),
        ("N4", &[]),
        ("P3", &[Mismatch]),
        ("E6", &[]),
    ];
    for (id, kinds) in expect {
        assert_eq!(found[id], kinds, "{id}");
    }
}

#[test]
fn rates_by_village_match_the_hand_count() {
    let rec = reconciler();
    let report = rates(&surveyed(&rec), GroupBy::Village, &rec.settings);
    assert_eq!(report.groups.len(), 3);
    // 桂花村: exited E1 4 (wrong exit) + E2 3 + E3 5 = 12 people; missed: N1 2 + E3 5 (fell
    // back, not re-registered) of N1 2 + N2 6 + E3 5 = 13; wrong inclusion P1 5 of P1 5 + P2 1;
    // acceptance E1, N1, N2, P1 of 7 (E2 does not accept, E3 neutral, P2 dissatisfied);
    // satisfied E1, E2, N1, N2, P1.
    assert_eq!(
        counts(group(&report, "桂花村")),
        (7, 26, (4, 12), (7, 13), (5, 6), (4, 7), (5, 7))
    );
    // 松树村: E4 2 of 2; the unknown household's 4 people, none missed; no poor household;
    // acceptance E4, R1 (the unknown household did not answer).
    let s = group(&report, "松树村");
    assert_eq!(counts(s), (3, 9, (2, 2), (0, 4), (0, 0), (2, 3), (2, 3)));
    assert_eq!(s.rates.wrong_inclusion.rate, None);
    assert!(!s.rates.wrong_inclusion.failing);
    assert_eq!(s.county.as_deref(), Some("甲县"));
    assert_eq!(s.township.as_deref(), Some("昙华乡"));
    // 河口村: nothing counted; E6's water warning is listed, not counted.
    assert_eq!(
        counts(group(&report, "河口村")),
        (4, 14, (0, 9), (0, 3), (0, 2), (4, 4), (4, 4))
    );
    let g = group(&report, "桂花村");
    assert_eq!(g.rates.wrong_exit.rate, Some(4.0 / 12.0));
    assert_eq!(g.rates.wrong_exit.threshold, Some(0.02));
    assert!(g.rates.wrong_exit.failing);
    assert!(g.rates.acceptance.failing, "4/7 is below 90%");
    assert_eq!(g.rates.satisfaction.threshold, None);
    assert!(!g.rates.satisfaction.failing);
}

#[test]
fn rates_by_county_and_in_total_match_the_hand_count() {
    let rec = reconciler();
    let report = rates(&surveyed(&rec), GroupBy::County, &rec.settings);
    assert_eq!(report.groups.len(), 2);
    let jia = group(&report, "甲县");
    assert_eq!(
        counts(jia),
        (10, 35, (6, 14), (7, 17), (5, 6), (6, 10), (7, 10))
    );
    assert_eq!(jia.township, None);
    assert_eq!(jia.village, None);
    let yi = group(&report, "乙县");
    assert_eq!(counts(yi), (4, 14, (0, 9), (0, 3), (0, 2), (4, 4), (4, 4)));
    assert!(!yi.rates.wrong_exit.failing);
    assert!(!yi.rates.acceptance.failing);
    assert!(!yi.rates.any_failing());
    assert_eq!(
        counts(&report.total),
        (14, 49, (6, 23), (7, 20), (5, 8), (10, 14), (11, 14))
    );
    assert_eq!(report.total.county, None);
    assert_eq!(report.assessment_year, 2017);
    assert_eq!(report.income_line, Some(3335.0));
    // By township: one per county here.
    let t = rates(&surveyed(&rec), GroupBy::Township, &rec.settings);
    assert_eq!(t.groups.len(), 2);
    let tanhua = t
        .groups
        .iter()
        .find(|g| g.township.as_deref() == Some("昙华乡"))
        .expect("township");
    assert_eq!(counts(tanhua), counts(jia));
    assert_eq!(tanhua.village, None);
    // The JSON of a rate.
    let v = serde_json::to_value(&report.total.rates.missed).expect("json");
    assert_eq!(
        v,
        json!({"numerator": 7, "denominator": 20, "rate": 0.35, "threshold": 0.02,
               "failing": true, "unit": "people"})
    );
}

/// Rates after review: a dismissed finding no longer counts, a confirmed one still does.
#[test]
fn a_dismissed_finding_leaves_the_rates_after_review() {
    let rec = reconciler();
    let mut all = Vec::new();
    let mut surveyed = Vec::new();
    for (i, (h, r)) in households().iter().enumerate() {
        let kind = if h.provisional {
            Kind::NonPoor
        } else {
            h.kind()
        };
        let mut found = reconcile(h, r, kind, &rec.rules, &rec.settings);
        for f in &mut found {
            f.interview_id = Uuid::from_u128(i as u128 + 1);
        }
        surveyed.push(Surveyed::new(h, r, kind, &found, &rec));
        all.extend(found);
    }
    let at = at("2017-12-24T10:00:00+08:00");
    let mark = |household: &str, kind: FindingKind, status: MarkStatus| {
        let f = all
            .iter()
            .find(|f| f.household_id == household && f.kind == kind && f.counts())
            .unwrap_or_else(|| panic!("a {kind:?} finding of {household}"));
        Mark::for_finding(f, status, "入户复核", "审计员", at)
    };
    let marks: HashMap<_, _> = [
        // E1's wrong exit: dismissed. E3's missed case: dismissed. P1's wrong inclusion:
        // confirmed.
        mark("E1", FindingKind::WrongExit, MarkStatus::Dismissed),
        mark("E3", FindingKind::Missed, MarkStatus::Dismissed),
        mark("P1", FindingKind::WrongInclusion, MarkStatus::Confirmed),
    ]
    .into_iter()
    .map(|m| (m.key(), m))
    .collect();
    let found = rates(&surveyed, GroupBy::Village, &rec.settings);
    let after = rates(
        &reviewed(&surveyed, &marks),
        GroupBy::Village,
        &rec.settings,
    );
    let g = group(&found, "桂花村");
    assert_eq!(
        (
            nd(&g.rates.wrong_exit),
            nd(&g.rates.missed),
            nd(&g.rates.wrong_inclusion)
        ),
        ((4, 12), (7, 13), (5, 6))
    );
    // After review: no wrong exit; E3 (exited) leaves the missed rate's numerator and, not
    // being non-poor, its denominator; P1 stays.
    let g = group(&after, "桂花村");
    assert_eq!(
        (
            nd(&g.rates.wrong_exit),
            nd(&g.rates.missed),
            nd(&g.rates.wrong_inclusion)
        ),
        ((0, 12), (2, 8), (5, 6))
    );
    assert!(!g.rates.wrong_exit.failing);
    // Other villages are as found; acceptance and satisfaction do not depend on findings.
    assert_eq!(group(&after, "河口村"), group(&found, "河口村"));
    assert_eq!(g.rates.acceptance, group(&found, "桂花村").rates.acceptance);
    // No marks: after review is as found.
    assert_eq!(
        rates(
            &reviewed(&surveyed, &HashMap::new()),
            GroupBy::Village,
            &rec.settings
        ),
        found
    );
}

fn plain(id: &str, kind: Kind, people: u32, found: &[FindingKind], satisfied: bool) -> Surveyed {
    Surveyed {
        household_id: id.into(),
        county: "丙县".into(),
        township: "乡".into(),
        village: "村".into(),
        household_kind: kind,
        people,
        accepts_exit: Some(true),
        satisfaction: Some(if satisfied { "satisfied" } else { "neutral" }.into()),
        found: found.iter().copied().collect(),
        counted: found
            .iter()
            .map(|k| (*k, (uuid::Uuid::nil(), k.name().to_string())))
            .collect(),
    }
}

#[test]
fn a_rate_exactly_at_its_threshold_does_not_fail() {
    let rec = reconciler();
    // 1 wrong-exit person of 50 exited people = 2%: not above 2%. 9 of 10 households
    // accepting = 90%: not below 90%.
    let mut list = vec![plain(
        "a",
        Kind::Exited,
        1,
        &[FindingKind::WrongExit],
        false,
    )];
    list.extend((0..7).map(|i| plain(&format!("b{i}"), Kind::Exited, 7, &[], true)));
    list.extend((0..2).map(|i| plain(&format!("c{i}"), Kind::Poor, 3, &[], true)));
    let r = rates(&list, GroupBy::County, &rec.settings);
    let we = &r.total.rates.wrong_exit;
    assert_eq!(nd(we), (1, 50));
    assert!(!we.failing);
    assert_eq!(nd(&r.total.rates.acceptance), (9, 10));
    assert!(!r.total.rates.acceptance.failing);
    // One more wrong-exit person: 2/50 = 4% fails; one fewer accepting household fails.
    list[1].found.insert(FindingKind::WrongExit);
    list[2].satisfaction = Some("dissatisfied".into());
    let r = rates(&list, GroupBy::County, &rec.settings);
    assert_eq!(nd(&r.total.rates.wrong_exit), (8, 50));
    assert!(r.total.rates.wrong_exit.failing);
    assert_eq!(nd(&r.total.rates.acceptance), (8, 10));
    assert!(r.total.rates.acceptance.failing);
    // Nothing surveyed: no rate, nothing fails.
    let r = rates(&[], GroupBy::Village, &rec.settings);
    assert!(r.groups.is_empty());
    assert_eq!(r.total.rates.wrong_exit.rate, None);
    assert!(!r.total.rates.any_failing());
}

#[test]
fn people_come_from_the_interview_else_the_registry() {
    let rec = reconciler();
    let h = household("X", Status::Exited, GUIHUA, 6);
    let r = result(Kind::Exited, 2, json!({}));
    assert_eq!(Surveyed::new(&h, &r, Kind::Exited, &[], &rec).people, 2);
    let r = result(Kind::Exited, 2, json!({"household_size": null}));
    assert_eq!(Surveyed::new(&h, &r, Kind::Exited, &[], &rec).people, 6);
    let unknown = Household::provisional("P-1".into(), String::new(), "村".into());
    let mut r = result(Kind::NonPoor, 1, json!({"household_size": null}));
    r["rosters"]["members"] = json!([{"name": "甲"}, {"name": "乙"}, {"name": "丙"}]);
    assert_eq!(
        Surveyed::new(&unknown, &r, Kind::NonPoor, &[], &rec).people,
        3
    );
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("date")
}

fn record(
    household: &str,
    questionnaire: &str,
    result: Value,
    completed: Option<&str>,
    n: u128,
) -> InterviewRecord {
    InterviewRecord {
        interview_id: Uuid::from_u128(n),
        household_id: household.into(),
        questionnaire: questionnaire.into(),
        questionnaire_version: "2017.1".into(),
        status: if completed.is_some() {
            InterviewStatus::Completed
        } else {
            InterviewStatus::InProgress
        },
        interviewer: "调查员".into(),
        device_id: "d".into(),
        started_at: at("2017-12-20T09:00:00+08:00"),
        updated_at: at(completed.unwrap_or("2017-12-20T10:00:00+08:00")),
        completed_at: completed.map(at),
        cursor: None,
        answers: json!({}),
        result,
        events: 0,
        skipped: Vec::new(),
        review: None,
        chosen: None,
    }
}

#[test]
fn a_run_counts_each_household_once_by_its_latest_completed_interview() {
    let rec = reconciler();
    let e = household("E", Status::Exited, GUIHUA, 4);
    let registry: HashMap<String, Household> = [(e.household_id.clone(), e)].into();
    let low = result(Kind::Exited, 4, json!({"income_per_capita": 2000}));
    let fine = result(Kind::Exited, 4, json!({}));
    let records = [
        // An earlier visit found a wrong exit, a later one did not; a third is in progress.
        record(
            "E",
            "exited",
            low.clone(),
            Some("2017-12-20T10:00:00+08:00"),
            1,
        ),
        record("E", "exited", fine, Some("2017-12-21T10:00:00+08:00"), 2),
        record("E", "exited", low.clone(), None, 3),
        // A household the registry lookup does not find: reconciled without registry values.
        record(
            "GONE",
            "non_poor",
            result(Kind::NonPoor, 2, json!({"income_per_capita": 10})),
            Some("2017-12-21T11:00:00+08:00"),
            4,
        ),
    ];
    let lookup = |id: &str| Ok::<_, std::convert::Infallible>(registry.get(id).cloned());
    let out = run(
        &rec,
        records.iter().cloned().map(Ok),
        lookup,
        &Filter::default(),
    )
    .expect("run");
    assert_eq!(out.interviews, 4);
    assert_eq!(out.unknown_households, 1);
    let ids: Vec<(u128, &str)> = out
        .findings
        .iter()
        .map(|f| (f.interview_id.as_u128(), f.rule.as_str()))
        .collect();
    // Both completed visits are listed (the first one's findings), not the one in progress.
    assert!(ids.contains(&(1, "wrong_exit_income")), "{ids:?}");
    assert!(!ids.iter().any(|(i, _)| *i == 3));
    assert!(ids.contains(&(4, "missed_income")));
    assert_eq!(out.surveyed.len(), 2);
    let r = rates(&out.surveyed, GroupBy::County, &rec.settings);
    assert_eq!(
        nd(&r.total.rates.wrong_exit),
        (0, 4),
        "the latest visit counts"
    );
    assert_eq!(nd(&r.total.rates.missed), (2, 2));
    // --all lists the interview in progress, marked so; rates still ignore it.
    let all = run(
        &rec,
        records.iter().cloned().map(Ok),
        lookup,
        &Filter {
            include_in_progress: true,
            ..Filter::default()
        },
    )
    .expect("run");
    assert!(
        all.findings
            .iter()
            .any(|f| f.interview_id.as_u128() == 3 && f.in_progress)
    );
    assert_eq!(all.surveyed, out.surveyed);
    // Filters.
    let only = run(
        &rec,
        records.iter().cloned().map(Ok),
        lookup,
        &Filter {
            kind: Some(FindingKind::Missed),
            ..Filter::default()
        },
    )
    .expect("run");
    assert!(only.findings.iter().all(|f| f.kind == FindingKind::Missed));
    assert_eq!(only.findings.len(), 1);
    // An error of the store stops the run.
    let failing = run(
        &rec,
        vec![Err::<InterviewRecord, &str>("disk")],
        |_| Ok(None),
        &Filter::default(),
    );
    assert_eq!(failing.err(), Some("disk"));
}

#[test]
fn rates_in_a_workbook_are_numbers_shown_as_percentages() {
    use calamine::{Data, Reader, Xlsx};
    let rec = reconciler();
    let report = rates(&surveyed(&rec), GroupBy::Village, &rec.settings);
    let bytes = ruhu::reconcile::export::write_rates_xlsx(&report, ruhu::i18n::Lang::Zh).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("比率").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[0][7], Data::String("比率".into()));
    // 桂花村's wrong exits: 4 of 12 people, against 2%.
    let row = rows
        .iter()
        .find(|r| {
            r[2] == Data::String("桂花村".into()) && r[10] == Data::String("wrong_exit".into())
        })
        .expect("桂花村's wrong-exit row");
    assert_eq!(row[4], Data::Float(4.0));
    assert_eq!(row[5], Data::Float(12.0));
    assert_eq!(row[7], Data::Float(4.0 / 12.0));
    assert_eq!(row[8], Data::Float(0.02));
    assert_eq!(row[9], Data::String("不达标".into()));
    // 松树村 has no poor household: no wrong-inclusion rate, an empty cell, not "-".
    let row = rows
        .iter()
        .find(|r| {
            r[2] == Data::String("松树村".into()) && r[10] == Data::String("wrong_inclusion".into())
        })
        .expect("松树村's wrong-inclusion row");
    assert_eq!(row[7], Data::Empty);
    // The cells are formatted as percentages.
    let styles = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(
            ruhu::reconcile::export::write_rates_xlsx(&report, ruhu::i18n::Lang::Zh).unwrap(),
        ))
        .unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut s).unwrap();
        s
    };
    assert!(styles.contains(r#"formatCode="0.00%""#), "{styles}");
}
