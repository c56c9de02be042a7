//! Walks each bundled questionnaire end to end with realistic answers (a roster of five
//! members included) and checks the computed income per head.

mod common;

use common::walk::{forms, walk};
use ruhu::interview::Answer;
use ruhu::questionnaire::Kind;
use ruhu::questionnaire::expr::Value;

#[test]
fn every_questionnaire_walks_end_to_end() {
    for form in forms() {
        let iv = walk(form.clone());
        let missing = iv.missing();
        assert!(missing.is_empty(), "{}: missing {missing:?}", form.id);
        // (12000 + 8000 + 500 + 2400 - 3000) / 5 = 3980
        assert_eq!(
            iv.value("income_per_capita"),
            Value::Number(3980.0),
            "{}",
            form.id
        );
        assert_eq!(
            iv.value("medical_insured_all"),
            Value::Bool(true),
            "{}",
            form.id
        );
        let result = iv.result();
        assert_eq!(result.rows("members").len(), 5);
        assert_eq!(
            result.values.get("income_per_capita"),
            Some(&Answer::Decimal(3980.0))
        );
        let p = iv.progress();
        assert_eq!(p.answered, p.required, "{}", form.id);
        assert!(
            p.required > 40,
            "{}: only {} required answers",
            form.id,
            p.required
        );
    }
}

#[test]
fn one_uninsured_member_breaks_medical_insured_all() {
    for form in forms() {
        let mut iv = walk(form.clone());
        iv.set_row_answer(
            "members",
            "member-4",
            "medical_insured",
            Some(Answer::Bool(false)),
        )
        .unwrap();
        assert_eq!(
            iv.value("medical_insured_all"),
            Value::Bool(false),
            "{}",
            form.id
        );
    }
}

#[test]
fn core_variables_are_asked_where_the_contract_says() {
    let all = [
        "household_size",
        "members",
        "income_wage",
        "income_business",
        "income_property",
        "income_transfer",
        "cost_production",
        "income_per_capita",
        "food_ok",
        "clothing_ok",
        "children_out_of_school",
        "medical_insured_all",
        "house_rating",
        "water_ok",
        "power_ok",
        "policy_awareness",
        "satisfaction",
    ];
    let helped = ["helper_known", "measures_received"];
    for form in forms() {
        let has = |id: &str| form.question(id).is_some();
        for id in all {
            assert!(has(id), "{} lacks {id}", form.id);
        }
        let k = form.kind;
        for id in helped {
            assert_eq!(has(id), k != Kind::NonPoor, "{} {id}", form.id);
        }
        for id in ["accepts_exit", "exit_year", "fell_back"] {
            assert_eq!(has(id), k == Kind::Exited, "{} {id}", form.id);
        }
        for id in ["returned_year", "returned_cause"] {
            assert_eq!(has(id), k == Kind::Returned, "{} {id}", form.id);
        }
        assert_eq!(
            has("reregistered"),
            matches!(k, Kind::Returned | Kind::Exited),
            "{}",
            form.id
        );
        for id in [
            "red_public_servant",
            "red_village_cadre",
            "red_vehicle",
            "red_town_house",
            "red_company",
        ] {
            assert_eq!(
                has(id),
                matches!(k, Kind::Poor | Kind::NonPoor),
                "{} {id}",
                form.id
            );
        }
        assert_eq!(has("applied_refused"), k == Kind::NonPoor, "{}", form.id);
        let names = |id: &str| -> Vec<String> {
            form.question(id)
                .unwrap()
                .kind
                .choices()
                .iter()
                .map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names("house_rating"), ["A", "B", "C", "D"]);
        assert_eq!(
            names("satisfaction"),
            ["very_satisfied", "satisfied", "neutral", "dissatisfied"]
        );
        assert_eq!(names("policy_awareness"), ["well", "partly", "none"]);
        for (id, expected) in [
            (
                "relation",
                vec![
                    "head",
                    "spouse",
                    "child",
                    "parent",
                    "grandchild",
                    "sibling",
                    "other",
                ],
            ),
            ("sex", vec!["male", "female"]),
            (
                "schooling",
                vec![
                    "preschool",
                    "in_school",
                    "dropped_out",
                    "not_school_age",
                    "graduated",
                ],
            ),
            ("health", vec!["healthy", "chronic", "serious", "disabled"]),
            ("labour", vec!["ordinary", "skilled", "weak", "none"]),
        ] {
            let got = names(id);
            for e in expected {
                assert!(got.iter().any(|g| g == e), "{} {id} lacks {e}", form.id);
            }
        }
    }
}
