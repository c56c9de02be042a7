mod common;
use ruhu::interview::{InterviewRecord, Status};
use ruhu::questionnaire::Questionnaire;
use ruhu::reconcile::{Filter, GroupBy, Reconciler, rates, run};
use std::time::Instant;
#[test]
fn bench() {
    let n: usize = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(20000);
    let dir = tempfile::tempdir().unwrap();
    let store = ruhu::store::Store::open(dir.path()).unwrap();
    let hs = ruhu::demo::generate(&ruhu::demo::DemoOptions { households: n, seed: 1 });
    store.put_households(hs.clone()).unwrap();
    let forms = common::walk::forms();
    let results: Vec<(String, serde_json::Value)> = forms.iter().map(|f| (f.id.clone(), common::walk::walk(f.clone()).result().to_json())).collect();
    let t = Instant::now();
    for (i, h) in hs.iter().enumerate() {
        let kind = h.kind();
        let (q, result) = results.iter().find(|(id, _)| id == kind.id()).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2017-12-20T10:00:00+08:00").unwrap();
        let r = InterviewRecord { interview_id: uuid::Uuid::from_u128(i as u128 + 1), household_id: h.household_id.clone(), questionnaire: q.clone(), questionnaire_version: "x".into(), status: Status::Completed, interviewer: "x".into(), device_id: "d".into(), started_at: at, updated_at: at, completed_at: Some(at), cursor: None, answers: result.clone(), result: result.clone(), events: 100 };
        store.create_interview(&r).unwrap();
    }
    eprintln!("write {:?}", t.elapsed());
    let refs: Vec<&Questionnaire> = forms.iter().map(|f| f.as_ref()).collect();
    let rec = Reconciler::load(None, &refs).unwrap();
    let t = Instant::now();
    let out = run(&rec, store.interviews(), |id| store.household(id), &Filter::default()).unwrap();
    let el = t.elapsed();
    let r = rates(&out.surveyed, GroupBy::Village, &rec.settings);
    eprintln!("run {n}: {:?}, findings {}, surveyed {}, groups {}", el, out.findings.len(), out.surveyed.len(), r.groups.len());
}
