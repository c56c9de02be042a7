//! Unit tests of reconciliation's parts; the table of households is in tests/reconcile.rs and
//! the rates in tests/rates.rs.

use serde_json::json;

use super::*;
use crate::questionnaire::expr::{Scope, Value};
use crate::questionnaire::{Kind, Questionnaire, load_bundled};
use crate::registry::{Household, Status};

fn forms() -> Vec<Questionnaire> {
    load_bundled().questionnaires
}

#[test]
fn bundled_rules_and_settings_load() {
    let settings = Settings::bundled().expect("settings");
    let forms = forms();
    let refs: Vec<&Questionnaire> = forms.iter().collect();
    let rules = RuleSet::bundled(&refs, Some(&settings)).expect("rules");
    assert!(rules.rules.len() >= 20);
    for kind in Kind::HOUSEHOLDS {
        assert!(rules.for_kind(kind).count() > 0, "{kind:?}");
        assert_eq!(rules.kind_of_questionnaire(kind.id()), Some(kind));
    }
    // Every rule's settings exist; every number is a setting.
    for r in &rules.rules {
        for s in r.expression.ast.settings() {
            assert!(settings.has(s), "{} uses {s}", r.id);
        }
    }
}

fn settings_errors(src: serde_json::Value) -> Vec<RuleError> {
    Settings::from_str("s.json", &src.to_string()).expect_err("invalid")
}

#[test]
fn settings_list_every_problem() {
    let errors = settings_errors(json!({
        "assessment_year": 1999,
        "province": " ",
        "income_lines": [{"year": 2017, "line": -1}, {"year": 2017, "province": "", "line": 3200}],
        "values": {"Bad Name": 1, "income_line": 3000, "list": [1, 2]},
        "thresholds": {"wrong_exits": 0.02, "acceptance": 90}
    }));
    let fields: Vec<&str> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
    for f in [
        "assessment_year",
        "province",
        "income_lines[0]",
        "income_lines[1]",
        "values.Bad Name",
        "values.income_line",
        "values.list",
        "thresholds.wrong_exits",
        "thresholds.acceptance",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    assert!(errors.iter().all(|e| e.kind == RuleErrorKind::Invalid));
    let unknown = settings_errors(json!({"assessment_year": 2017, "income_lines": [], "extra": 1}));
    assert_eq!(unknown[0].kind, RuleErrorKind::Json);
}

#[test]
fn settings_values_reach_expressions() {
    let s = Settings::from_str(
        "s.json",
        &json!({
            "assessment_year": 2018,
            "income_lines": [{"year": 2018, "line": 3535}],
            "values": {"flag": true, "region": "滇中", "tolerance": 0.25}
        })
        .to_string(),
    )
    .expect("valid");
    assert_eq!(s.value("income_line"), Value::Number(3535.0));
    assert_eq!(s.value("flag"), Value::Bool(true));
    assert_eq!(s.value("region"), Value::Text("滇中".into()));
    assert_eq!(s.threshold(RateName::Missed), None);
    assert_eq!(
        s.names(),
        [
            "income_line",
            "assessment_year",
            "flag",
            "region",
            "tolerance"
        ]
    );
}

#[test]
fn json_values_convert_both_ways() {
    assert_eq!(json_value(&json!(3)), Value::Number(3.0));
    assert_eq!(json_value(&json!("A")), Value::Text("A".into()));
    assert_eq!(json_value(&json!(true)), Value::Bool(true));
    assert_eq!(
        json_value(&json!(["a", 1])),
        Value::Choices(vec!["a".into(), "1".into()])
    );
    assert!(json_value(&json!(null)).is_missing());
    assert!(json_value(&json!({"a": 1})).is_missing());
    assert_eq!(value_json(&Value::Number(3335.0)), json!(3335));
    assert_eq!(value_json(&Value::Number(0.3)), json!(0.3));
    assert_eq!(value_json(&Value::Missing), json!(null));
    assert_eq!(
        value_json(&Value::List(vec![Value::Text("x".into()), Value::Missing])),
        json!(["x", null])
    );
}

#[test]
fn rosters_are_read_without_the_questionnaire_too() {
    // A rule set checked against no questionnaire knows no roster shapes: the result's own
    // rosters are used.
    let settings = Settings::bundled().expect("settings");
    let src = json!({"version": "t", "rules": []}).to_string();
    let rules = RuleSet::from_str("r.json", &src, &[], Some(&settings)).expect("rules");
    let result = json!({
        "answers": {"household_size": 2},
        "rosters": {"members": [{"_row": "a", "age": 40}, {"_row": "b", "age": 12}]}
    });
    let h = Household::provisional("P-1".into(), String::new(), String::new());
    // The slots of the ids a rule would read; no questionnaire, so no roster shapes.
    let symbols = super::scope::Symbols::new(["age", "nothing"], &Default::default());
    let mut names = crate::interview::compact::Names::default();
    let bytes = crate::interview::compact::encode_result(&result, &mut names);
    let c = crate::interview::compact::decode(&bytes).expect("decode");
    let code_slots = symbols.code_slots(&names);
    assert_eq!(rules.rules.len(), 0);
    let scope =
        super::scope::ResultScope::new(&c, Kind::NonPoor, &symbols, &code_slots, &h, &settings);
    assert_eq!(
        scope.answer("members"),
        Value::List(vec![Value::Bool(true); 2])
    );
    assert_eq!(
        scope.answer("age"),
        Value::List(vec![Value::Number(40.0), Value::Number(12.0)])
    );
    assert_eq!(scope.answer("household_size"), Value::Number(2.0));
    assert!(scope.answer("nothing").is_missing());
    assert!(scope.registry("status").is_missing(), "provisional");
}

#[test]
fn registry_values_add_member_id_numbers() {
    let mut h = Household::provisional("1".into(), "张".into(), "村".into());
    h.provisional = false;
    h.status = Status::Poor;
    let v = registry_values(&h);
    assert_eq!(v.get("status"), Some(&Value::Text("poor".into())));
    assert!(!v.contains_key("member_id_numbers"));
    h.members.push(crate::registry::Member {
        name: "张".into(),
        id_number: " 11010519491231002x ".into(),
        ..Default::default()
    });
    assert_eq!(
        registry_values(&h).get("member_id_numbers"),
        Some(&Value::List(vec![Value::Text("11010519491231002X".into())]))
    );
}
