//! The bodies of ruhu's fuzz targets, one function per target (`fuzz_targets/<name>.rs` calls
//! the function of the same name). tests/fuzz_regressions.rs includes this file as a module
//! and runs every input kept under tests/fuzz/<name>/ through the same function, so a body
//! changed here changes both. Each body feeds the bytes to one of ruhu's parsers the way the
//! program does and must return without panicking, whatever the bytes; what the parser
//! answers (Ok or Err) does not matter.
//!
//! Everything here uses only ruhu's public API and the crates ruhu itself depends on
//! (serde_json, chrono, and tempfile, a dev-dependency of ruhu), so that the integration test
//! compiles with them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use ruhu::i18n::Lang;
use ruhu::interview::{Answer, Answers, Context, Interview};
use ruhu::questionnaire::expr::{self, Scope, Value};
use ruhu::questionnaire::{self, Kind, QuestionType, Questionnaire};
use ruhu::reconcile::{self, RuleSet, Settings};
use ruhu::registry::{self, Household, ImportOptions, Phase, VillageIndex};
use serde_json::Value as Json;

/// The day the bodies run on (ID-number birth dates, `today()`): fixed, so that an input
/// behaves the same on every day.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid date")
}

/// The bundled questionnaires, loaded once.
pub fn forms() -> &'static [Arc<Questionnaire>] {
    static FORMS: OnceLock<Vec<Arc<Questionnaire>>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let report = questionnaire::load_bundled();
        assert!(
            report.errors.is_empty(),
            "bundled questionnaires have errors"
        );
        report.questionnaires.into_iter().map(Arc::new).collect()
    })
}

fn form_refs() -> Vec<&'static Questionnaire> {
    forms().iter().map(|f| f.as_ref()).collect()
}

/// The bundled settings and rules, loaded once.
fn bundled() -> &'static (Settings, RuleSet) {
    static BUNDLED: OnceLock<(Settings, RuleSet)> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let settings = Settings::bundled().expect("bundled settings");
        let rules = RuleSet::bundled(&form_refs(), Some(&settings)).expect("bundled rules");
        (settings, rules)
    })
}

/// A demo household of each kind (provisional when the demo has none), as the registry
/// record interviews and rules see.
fn household(kind: Kind) -> &'static Household {
    static HOUSEHOLDS: OnceLock<Vec<Household>> = OnceLock::new();
    let all = HOUSEHOLDS.get_or_init(|| {
        let demo = ruhu::demo::generate(&Default::default());
        [Kind::Poor, Kind::Exited, Kind::NonPoor, Kind::Returned]
            .into_iter()
            .map(|k| {
                demo.iter()
                    .find(|h| h.kind() == k)
                    .cloned()
                    .unwrap_or_else(|| {
                        Household::provisional("fuzz-1".into(), "王建国".into(), "桂花村".into())
                    })
            })
            .collect()
    });
    all.iter()
        .find(|h| h.kind() == kind)
        .unwrap_or(&all[all.len() - 1])
}

/// The context an interview of `h` runs in (as `Workspace::start` builds it, on [`today`]).
fn context(h: &Household) -> Context {
    let mut ctx = Context::new(today());
    if !h.provisional {
        ctx.registry = h.field_values();
    }
    ctx
}

/// Text of the bytes, as a file read with `String::from_utf8_lossy` would give it.
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

// ---------------------------------------------------------------------------------------
// questionnaire

/// Most steps a walk through a fuzzed questionnaire takes.
const MAX_STEPS: usize = 500;

/// `questionnaire`: the bytes as a questionnaire file (`questionnaire::from_str`, what
/// `ruhu check` and `--questionnaires DIR` run). Errors are rendered in both languages; a
/// questionnaire that loads is walked through the engine with a plausible answer to every
/// question (as the screen would), then its progress, missing answers and result are read.
pub fn questionnaire(data: &[u8]) {
    let src = text(data);
    match questionnaire::from_str("fuzz.json", &src) {
        Ok(form) => {
            let form = Arc::new(form);
            let iv = walk(form.clone(), household(form.kind), MAX_STEPS);
            let _ = iv.progress();
            let _ = iv.progress_by_section();
            let _ = iv.missing();
            let _ = iv.result().to_json();
        }
        Err(errors) => {
            for e in errors {
                let _ = e.render(Lang::Zh);
                let _ = e.render(Lang::En);
            }
        }
    }
}

/// A plausible answer to an input question, by type.
pub fn plausible(kind: &QuestionType, id: &str) -> Option<Answer> {
    Some(match kind {
        QuestionType::Text if id.contains("id_number") => Answer::Text(ruhu::demo::resident_id(
            "532326",
            NaiveDate::from_ymd_opt(1970, 3, 1).expect("valid date"),
            101,
            true,
        )),
        QuestionType::Text => Answer::Text("王建国".into()),
        QuestionType::Integer if id.contains("year") => Answer::Integer(2018),
        QuestionType::Integer => Answer::Integer(3),
        QuestionType::Decimal => Answer::Decimal(4200.5),
        QuestionType::SelectOne(cs) => Answer::Choice(cs.first()?.name.clone()),
        QuestionType::SelectMultiple(cs) => {
            Answer::Choices(cs.iter().take(2).map(|c| c.name.clone()).collect())
        }
        QuestionType::YesNo => Answer::Bool(true),
        QuestionType::Date => Answer::Date(NaiveDate::from_ymd_opt(2024, 12, 20)?),
        QuestionType::Note | QuestionType::Calculate(_) | QuestionType::Roster { .. } => {
            return None;
        }
    })
}

/// Walks an interview from its first question to its last (at most `max_steps` steps),
/// giving every input question a plausible answer and every roster two rows; answers the
/// engine refuses are left out.
pub fn walk(form: Arc<Questionnaire>, h: &Household, max_steps: usize) -> Interview {
    let mut iv = Interview::new(form, context(h));
    for _ in 0..max_steps {
        let q = iv.current().clone();
        match &q.kind {
            QuestionType::Roster { questions, .. } => {
                for r in 0..2 {
                    let row = format!("row-{r}");
                    if iv.add_row(&q.id, row.clone()).is_err() {
                        break;
                    }
                    let Some(index) = iv.answers().row_index(&q.id, &row) else {
                        break;
                    };
                    for rq in questions {
                        if !iv.is_row_relevant(&q.id, index, &rq.id) {
                            continue;
                        }
                        if let Some(a) = plausible(&rq.kind, &rq.id) {
                            let _ = iv.set_row_answer(&q.id, &row, &rq.id, Some(a));
                        }
                    }
                }
            }
            k => {
                if let Some(a) = plausible(k, &q.id) {
                    let _ = iv.set_answer(&q.id, Some(a));
                }
            }
        }
        if !iv.go_next() {
            break;
        }
    }
    iv
}

// ---------------------------------------------------------------------------------------
// expression

/// A scope whose answers, registry fields and settings are values of every kind, chosen by
/// the name asked for, so that evaluation meets every combination of operand types.
pub struct FuzzScope;

fn value_for(name: &str) -> Value {
    let pick = name
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b as usize));
    match pick % 10 {
        0 => Value::Missing,
        1 => Value::Bool(pick % 20 < 10),
        2 => Value::Number(3.0),
        3 => Value::Number(-2.5e9),
        4 => Value::Text("2024-02-29".into()),
        5 => Value::Text("532326197003010010".into()),
        6 => Value::Date(NaiveDate::from_ymd_opt(2017, 12, 31).expect("valid date")),
        7 => Value::Choices(vec!["a".into(), "industry".into()]),
        8 => Value::List(vec![
            Value::Number(1.0),
            Value::Missing,
            Value::Text("x".into()),
            Value::Bool(true),
        ]),
        _ => Value::Text(String::new()),
    }
}

impl Scope for FuzzScope {
    fn answer(&self, id: &str) -> Value {
        value_for(id)
    }
    fn current(&self) -> Value {
        Value::Number(42.0)
    }
    fn registry(&self, field: &str) -> Value {
        value_for(field)
    }
    fn setting(&self, name: &str) -> Value {
        value_for(name)
    }
    fn today(&self) -> NaiveDate {
        today()
    }
}

/// `expression`: the bytes (lossy UTF-8) through `expr::parse`; an expression that parses
/// is evaluated in [`FuzzScope`] and its values converted as conditions, numbers and text.
pub fn expression(data: &[u8]) {
    let src = text(data);
    match expr::parse(&src) {
        Ok(e) => {
            let _ = e.references();
            let _ = e.uses_current();
            let _ = e.registry_fields();
            let _ = e.settings();
            let v = e.eval(&FuzzScope);
            let _ = (v.truthy(), v.is_blank(), v.to_number(), v.to_text());
            let _ = e.eval_bool(&FuzzScope);
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
}

// ---------------------------------------------------------------------------------------
// rules_settings

/// A result of each bundled questionnaire (a plausible walk), for rules to read.
fn results() -> &'static [(Kind, Json)] {
    static RESULTS: OnceLock<Vec<(Kind, Json)>> = OnceLock::new();
    RESULTS.get_or_init(|| {
        forms()
            .iter()
            .map(|f| {
                let h = household(f.kind);
                (f.kind, walk(f.clone(), h, MAX_STEPS).result().to_json())
            })
            .collect()
    })
}

/// `rules_settings`: the bytes split at the first NUL into a rules file and a settings file
/// (without a NUL both get the whole text). The settings go through `Settings::from_str`;
/// the rules through `RuleSet::from_str`, checked against the bundled questionnaires and the
/// fuzzed settings when they are valid (else the bundled ones). Valid rules are run against
/// a demo household of each kind with a plausible interview result.
pub fn rules_settings(data: &[u8]) {
    let (rules_src, settings_src) = match data.iter().position(|&b| b == 0) {
        Some(i) => (text(&data[..i]), text(&data[i + 1..])),
        None => (text(data), text(data)),
    };
    let parsed = Settings::from_str("settings.json", &settings_src);
    match &parsed {
        Ok(s) => {
            let _ = s.income_line();
            for name in s.names() {
                let _ = s.value(name);
            }
        }
        Err(errors) => {
            for e in errors {
                let _ = e.render(Lang::Zh);
                let _ = e.render(Lang::En);
            }
        }
    }
    let settings = match &parsed {
        Ok(s) => s,
        Err(_) => &bundled().0,
    };
    match RuleSet::from_str("rules.json", &rules_src, &form_refs(), Some(settings)) {
        Ok(rules) => {
            for (kind, result) in results() {
                let _ = reconcile::reconcile(household(*kind), result, *kind, &rules, settings);
            }
        }
        Err(errors) => {
            for e in errors {
                let _ = e.render(Lang::Zh);
                let _ = e.render(Lang::En);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// registry_csv, registry_xlsx

/// `registry_csv`: the bytes as a `.csv` registry file.
pub fn registry_csv(data: &[u8]) {
    registry_file(data, "csv");
}

/// `registry_xlsx`: the bytes as a `.xlsx` registry file.
pub fn registry_xlsx(data: &[u8]) {
    registry_file(data, "xlsx");
}

/// Writes the bytes to `in.<ext>` in a new temporary folder and imports the file as each of
/// the three kinds of registry file, as `ruhu registry import-villages`, `import` and
/// `import-members` do (encoding detected, rejects written beside the file), into a map of
/// households rather than a store: the village file first (its records go to the household
/// import), then the households twice (the second run meets every household stored, as an
/// import of the same file again does), then the members, then the households once more
/// with `--strict`.
fn registry_file(data: &[u8], ext: &str) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(format!("in.{ext}"));
    std::fs::write(&path, data).expect("write the input file");
    import_all(&path, &dir.path().join("in.rejects.csv"));
}

fn import_all(path: &Path, rejects: &Path) {
    let opts = ImportOptions {
        rejects_file: Some(rejects.to_path_buf()),
        ..ImportOptions::new(today())
    };
    let mut progress = |_: Phase, _: u64, _: u64| {};
    let records = match registry::read_villages(path, &opts, &mut progress) {
        Ok((records, _)) => records,
        Err(_) => Vec::new(),
    };
    let villages = VillageIndex::new(records);
    let mut target: BTreeMap<String, Household> = BTreeMap::new();
    for _ in 0..2 {
        let _ = registry::import_households(path, &opts, &villages, &mut target, &mut progress);
    }
    let _ = registry::import_members(path, &opts, &mut target, &mut progress);
    let strict = ImportOptions {
        strict: true,
        ..opts.clone()
    };
    let _ = registry::import_households(path, &strict, &villages, &mut target, &mut progress);
}

// ---------------------------------------------------------------------------------------
// answers

/// `answers`: the bytes as an answer file of `ruhu interview apply` (UTF-8, as
/// `read_to_string` requires; JSON). The questionnaire it names, or every bundled one when it
/// names none it knows, reads it with `Answers::from_json`; answers it takes are entered
/// through the engine (`session::enter_answers`) in an interview of a demo household of that
/// kind, and the result is reconciled with the bundled rules.
pub fn answers(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = serde_json::from_str::<Json>(src) else {
        return;
    };
    let named = file.get("questionnaire").and_then(Json::as_str);
    let chosen: Vec<&Arc<Questionnaire>> =
        match forms().iter().find(|f| Some(f.id.as_str()) == named) {
            Some(f) => vec![f],
            None => forms().iter().collect(),
        };
    let (settings, rules) = bundled();
    for form in chosen {
        let mut n = 0u32;
        let new_row_id = || {
            n += 1;
            format!("fuzz-row-{n}")
        };
        let answers: Answers = match Answers::from_json(form, &file, new_row_id) {
            Ok(a) => a,
            Err(problems) => {
                for p in problems {
                    let _ = p.render(Lang::En);
                }
                continue;
            }
        };
        let h = household(form.kind);
        let mut iv = Interview::new(form.clone(), context(h));
        match ruhu::session::enter_answers(&mut iv, &answers) {
            Ok(_) => {
                let _ = iv.missing();
                let _ = iv.progress();
                let result = iv.result().to_json();
                let _ = reconcile::reconcile(h, &result, form.kind, rules, settings);
            }
            Err(problems) => {
                for p in problems {
                    let _ = p.render(Lang::Zh);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// backup

/// `backup`: the bytes as a backup file restored as `ruhu restore` does
/// (`Workspace::restore`: the store's checks and the questionnaires') into a new store in a
/// temporary folder; a backup that restores is exported again.
pub fn backup(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let forms = ruhu::session::Forms::from_report(ruhu::questionnaire::load_bundled())
        .expect("bundled questionnaires");
    let ws = ruhu::session::Workspace::open(dir.path(), forms).expect("open a new store");
    if ws.restore(data).is_ok() {
        let _ = ws.backup(std::io::sink());
    }
}
