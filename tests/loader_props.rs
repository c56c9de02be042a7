//! Arbitrary input to the loader and the engine never panics.

use std::sync::Arc;

use chrono::NaiveDate;
use proptest::prelude::*;
use ruhu::interview::{Context, Interview};
use ruhu::questionnaire;
use serde_json::{Map, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "id",
            "type",
            "label",
            "roster",
            "calculate",
            "note",
            "select_one",
            "poor",
            "${a}",
            ".",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "id",
                        "version",
                        "kind",
                        "title",
                        "sections",
                        "questions",
                        "type",
                        "label",
                        "zh",
                        "en",
                        "choices",
                        "name",
                        "relevant",
                        "constraint",
                        "constraint_message",
                        "calculation",
                        "max_rows",
                        "required",
                        "hint",
                        "registry",
                    ]),
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

const FIXTURE: &str = include_str!("fixtures/engine_form.json");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = questionnaire::from_str("arbitrary.json", &v.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = questionnaire::from_str("arbitrary.json", &s);
    }

    /// A real questionnaire with one expression or type replaced: loads or reports, and if it
    /// loads, an interview with arbitrary typed answers never panics.
    #[test]
    fn mutated_questionnaire_never_panics(
        section in 0usize..5,
        question in 0usize..6,
        field in prop::sample::select(vec!["relevant", "constraint", "calculation", "type", "max_rows", "choices"]),
        replacement in prop_oneof![
            "[-+*().,='<> a-z${}_0-9]{0,30}".prop_map(Value::String),
            Just(Value::String("${household_size} div 0".into())),
            Just(Value::from(0)),
            Just(Value::Array(vec![])),
        ],
        inputs in prop::collection::vec("\\PC{0,8}", 0..12),
    ) {
        let mut form: Value = serde_json::from_str(FIXTURE).unwrap();
        if let Some(q) = form["sections"][section]["questions"].get_mut(question).and_then(Value::as_object_mut) {
            q.insert(field.to_string(), replacement);
        }
        if let Ok(f) = questionnaire::from_str("mutated.json", &form.to_string()) {
            let f = Arc::new(f);
            let mut iv = Interview::new(f.clone(), Context::new(NaiveDate::from_ymd_opt(2017, 12, 23).unwrap()));
            let ids: Vec<String> = f.all_questions().map(|q| q.id.clone()).collect();
            let _ = iv.add_row("members", "r1".into());
            for (i, text) in inputs.iter().enumerate() {
                let id = &ids[i % ids.len()];
                let _ = iv.input(id, text);
                let _ = iv.input_row("members", "r1", id, text);
                iv.go_next();
            }
            let _ = iv.missing();
            let _ = iv.result();
        }
    }
}
