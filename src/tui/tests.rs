//! Unit tests of the UI state that need to see inside it: how often a paste runs the search
//! filters and the validation.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, runs};
use super::households::Households;
use super::interview::Interview;
use crate::i18n::Lang;
use crate::session::{Forms, Workspace};

fn app(dir: &std::path::Path) -> App {
    let forms = Forms::from_report(crate::questionnaire::load_bundled()).unwrap();
    let ws = Workspace::open(dir, forms).unwrap();
    ws.load_households(crate::demo::generate_iter(&Default::default()))
        .unwrap();
    App::new(ws, Lang::Zh, "测试员".into())
}

fn key(a: &mut App, code: KeyCode) {
    a.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn count(counter: &'static std::thread::LocalKey<std::cell::Cell<usize>>) -> usize {
    counter.with(|c| c.get())
}

#[test]
fn a_long_paste_into_the_search_filters_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Char('/'));
    let before = count(&runs::FILTERS);
    a.on_paste(&"张".repeat(300_000));
    assert_eq!(count(&runs::FILTERS) - before, 1);
    let l = a.top::<Households>().expect("the list");
    assert_eq!(
        l.search.value().chars().count(),
        super::paste::MAX_SEARCH_CHARS
    );
}

#[test]
fn a_long_paste_into_a_text_question_validates_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter); // opens at the interviewer's name
    let before = count(&runs::VALIDATIONS);
    a.on_paste(&"李".repeat(300_000));
    assert_eq!(count(&runs::VALIDATIONS) - before, 1);
    let v = a.top::<Interview>().expect("the interview");
    assert_eq!(
        v.input.value().chars().count(),
        crate::limits::MAX_TEXT_ANSWER_CHARS
    );
    assert_eq!(v.message, None, "a text at the limit is accepted");
}

#[test]
fn a_paste_into_a_choice_question_validates_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    key(&mut a, KeyCode::Char('1'));
    key(&mut a, KeyCode::Enter);
    for _ in 0..40 {
        let v = a.top::<Interview>().expect("the interview");
        if v.question().id == "respondent_relation" {
            break;
        }
        key(&mut a, KeyCode::PageDown);
    }
    let before = count(&runs::VALIDATIONS);
    a.on_paste(&"2".repeat(100_000));
    assert_eq!(count(&runs::VALIDATIONS) - before, 1);
    // The first digit answers, as typed: saved, and the interview moves on; the rest of
    // the paste is not read.
    let v = a.top::<Interview>().expect("the interview");
    assert_eq!(
        v.session
            .interview
            .answer("respondent_relation")
            .map(|x| x.to_json()),
        Some(serde_json::json!("spouse"))
    );
    assert_ne!(v.question().id, "respondent_relation");
    assert!(!v.input.value().contains("2222"), "{}", v.input.value());
}
