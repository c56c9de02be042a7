//! Writes the seed inputs that need ruhu's library or a workbook writer (fuzz/seed.sh runs
//! it; see fuzz/README.md):
//!
//! - `answers/`: an answer file for each bundled questionnaire (a plausible walk through the
//!   engine, as `ruhu interview apply` reads it), and one with only a few answers;
//! - `expression/`: every expression of the bundled questionnaires and rules, one a file;
//! - `registry_csv/`: the demo county's members file (the households file comes from
//!   `ruhu demo --csv`);
//! - `registry_xlsx/`: each CSV given on the command line as a workbook (numbers as numbers,
//!   as Excel stores them), and one with a title row and ID numbers turned into numbers.
//!
//! Usage: `cargo run --example make_seeds -- CORPUS_DIR [FILE.csv ...]`

use std::path::{Path, PathBuf};

use ruhu::questionnaire::{Expression, QuestionType, Questionnaire};
use ruhu::reconcile::{RuleSet, Settings};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("corpus folder");
    std::fs::write(dir.join(name), bytes).expect("write a seed");
}

fn expressions(form: &Questionnaire) -> Vec<&Expression> {
    let mut out = Vec::new();
    for s in &form.sections {
        out.extend(s.relevant.as_ref());
    }
    for q in form.all_questions() {
        out.extend(q.relevant.as_ref());
        out.extend(q.constraint.as_ref().map(|c| &c.expr));
        if let QuestionType::Calculate(e) = &q.kind {
            out.push(e);
        }
    }
    out
}

/// A CSV file as a workbook: cells that are numbers (and not long digit strings such as ID
/// numbers, unless `mangle_ids`) are written as numbers.
fn csv_to_xlsx(csv_bytes: &[u8], title: bool, mangle_ids: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(csv_bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut row: u32 = 0;
    if title {
        sheet
            .write_string(0, 0, "建档立卡贫困户信息表")
            .expect("write a cell");
        row = 2;
    }
    for record in reader.records() {
        let Ok(record) = record else { continue };
        for (col, cell) in record.iter().enumerate() {
            let col = col as u16;
            let digits = cell.len() >= 15 && cell.bytes().all(|b| b.is_ascii_digit());
            match cell.parse::<f64>() {
                Ok(n) if !digits || mangle_ids => {
                    sheet.write_number(row, col, n).expect("write a cell");
                }
                _ => {
                    sheet.write_string(row, col, cell).expect("write a cell");
                }
            }
        }
        row += 1;
    }
    book.save_to_buffer().expect("workbook")
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let corpus = PathBuf::from(
        args.next()
            .expect("usage: make_seeds CORPUS_DIR [FILE.csv ...]"),
    );
    let csvs: Vec<PathBuf> = args.map(PathBuf::from).collect();

    // answers
    let dir = corpus.join("answers");
    for form in ruhu_fuzz::forms() {
        let h = ruhu::demo::generate(&Default::default())
            .into_iter()
            .find(|h| h.kind() == form.kind)
            .unwrap_or_else(|| {
                ruhu::registry::Household::provisional(String::new(), String::new(), String::new())
            });
        let iv = ruhu_fuzz::walk(form.clone(), &h, 500);
        let mut v = iv.answers().to_json();
        v["questionnaire"] = serde_json::json!(form.id);
        let text = serde_json::to_string_pretty(&v).expect("json");
        write(&dir, &format!("{}.json", form.id), text.as_bytes());
    }
    write(
        &dir,
        "few.json",
        br#"{"questionnaire":"exited","answers":{"household_size":3,"food_ok":true,"house_rating":"B"},"rosters":{"members":[{"_row":"r1","name":"x","age":40}]}}"#,
    );

    // expressions
    let dir = corpus.join("expression");
    let mut n = 0;
    let mut seen = std::collections::BTreeSet::new();
    let forms: Vec<&Questionnaire> = ruhu_fuzz::forms().iter().map(|f| f.as_ref()).collect();
    let settings = Settings::bundled().expect("bundled settings");
    let rules = RuleSet::bundled(&forms, Some(&settings)).expect("bundled rules");
    let sources = forms
        .iter()
        .flat_map(|f| expressions(f))
        .chain(rules.rules.iter().map(|r| &r.expression))
        .map(|e| e.source.clone());
    for src in sources {
        if seen.insert(src.clone()) {
            n += 1;
            write(&dir, &format!("expr-{n:03}.txt"), src.as_bytes());
        }
    }

    // registry_csv: the demo members file
    let demo = ruhu::demo::generate(&ruhu::demo::DemoOptions {
        households: 20,
        seed: 2017,
    });
    let mut members = Vec::new();
    ruhu::demo::write_members_csv(&demo, &mut members).expect("members csv");
    write(&corpus.join("registry_csv"), "demo-members.csv", &members);

    // registry_xlsx
    let dir = corpus.join("registry_xlsx");
    let mut all = csvs;
    let members_file = corpus.join("registry_csv").join("demo-members.csv");
    all.push(members_file);
    for path in &all {
        let bytes = std::fs::read(path).expect("read a CSV");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
        write(
            &dir,
            &format!("{stem}.xlsx"),
            &csv_to_xlsx(&bytes, false, false),
        );
    }
    if let Some(first) = all.first() {
        let bytes = std::fs::read(first).expect("read a CSV");
        write(&dir, "title-mangled.xlsx", &csv_to_xlsx(&bytes, true, true));
    }
    println!("seeds written under {}", corpus.display());
}
