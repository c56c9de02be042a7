//! `ruhu verify [--repair]`: the store checked against its events. Beside the store's own
//! checks (`store/check.rs`: blocks, counters, index, event log, derived trees), every
//! interview is read with its questionnaire: its answers must pass the questionnaire's checks
//! and equal the fold of its events, its status the status the events give, and its result a
//! recomputation. `--repair` writes answers, status and result again from the events and
//! makes the rest of what can be made again; what it cannot (damaged household blocks,
//! events of an interview that is not stored) it says.

use serde_json::Value as Json;
use uuid::Uuid;

use crate::i18n::Text;
use crate::interview::{
    Answers, Context, Interview, InterviewRecord, fold, fold_review, fold_skipped,
};
use crate::questionnaire::Questionnaire;
use crate::registry::Household;
use crate::store::{Problem, Store, StoreError, Tally};
use crate::tr;

use super::{Forms, Workspace, enter_answers};

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub problems: Vec<Problem>,
    pub tally: Tally,
}

impl Verification {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `repair` did, and the check after it.
#[derive(Debug, Clone, Default)]
pub struct Repair {
    /// Interviews whose answers, status or result were written again from their events.
    pub rewritten: Vec<Uuid>,
    /// The check after the repair: what is left could not be repaired.
    pub after: Verification,
}

/// The context an interview's result is computed in: its household's registry record and
/// the day it was last changed (a calculation that reads `today()` gives what it gave then).
pub(super) fn context_of(record: &InterviewRecord, household: Option<&Household>) -> Context {
    let mut ctx = Context::new(record.updated_at.date_naive());
    if let Some(h) = household.filter(|h| !h.provisional) {
        ctx.registry = h.field_values();
    }
    ctx
}

/// The answers of a record read and entered through the engine, as typed answers are:
/// every type, choice and constraint checked. The interview, or every problem in one text.
pub(super) fn enter(
    form: &std::sync::Arc<Questionnaire>,
    answers: &Json,
    ctx: Context,
) -> Result<Interview, Text> {
    let render = |problems: Vec<crate::interview::AnswerProblem>| {
        let zh: Vec<String> = problems
            .iter()
            .map(|p| p.render(crate::i18n::Lang::Zh))
            .collect();
        let en: Vec<String> = problems
            .iter()
            .map(|p| p.render(crate::i18n::Lang::En))
            .collect();
        Text::new(zh.join("；"), en.join("; "))
    };
    let parsed =
        Answers::from_json(form, answers, || Uuid::new_v4().to_string()).map_err(render)?;
    let mut iv = Interview::new(form.clone(), ctx);
    enter_answers(&mut iv, &parsed).map_err(render)?;
    Ok(iv)
}

/// The questionnaire of a record.
pub(super) fn form_of(
    forms: &Forms,
    record: &InterviewRecord,
) -> Result<std::sync::Arc<Questionnaire>, Text> {
    forms.by_id(&record.questionnaire).ok_or_else(|| {
        tr!(
            "问卷 {} 在本程序中没有",
            "questionnaire {} is not one this program has",
            record.questionnaire
        )
    })
}

/// The problems of one interview against its events; and the record as the events make it.
fn check_interview(
    forms: &Forms,
    store: &Store,
    record: &InterviewRecord,
) -> Result<(Vec<Problem>, Option<InterviewRecord>), StoreError> {
    let id = record.interview_id;
    let lost = |what: Text| Problem {
        what,
        repairable: false,
    };
    let fixable = |what: Text| Problem {
        what,
        repairable: true,
    };
    let form = match form_of(forms, record) {
        Ok(f) => f,
        Err(why) => return Ok((vec![lost(in_interview(id, why))], None)),
    };
    let events = store.events(id)?;
    let (folded, status) = fold(&form, &events);
    let skipped = fold_skipped(&events);
    let review = fold_review(&events);
    let chosen = crate::interview::fold_chosen(&events);
    let household = store.household(&record.household_id)?;
    let ctx = context_of(record, household.as_ref());
    let mut problems = Vec::new();
    // The record as its events make it.
    let rebuilt = match enter(&form, &folded.to_json(), ctx.clone()) {
        Ok(iv) => {
            let mut r = record.clone();
            r.answers = iv.answers().to_json();
            r.result = iv.result().to_json();
            r.status = status;
            r.skipped = skipped.clone();
            r.review = review.clone();
            r.chosen = chosen.clone();
            Some(r)
        }
        Err(why) => {
            problems.push(lost(in_interview(
                id,
                Text::new(
                    format!("答题记录合成的答案不能通过问卷检查：{}", why.zh),
                    format!(
                        "the answers its events make do not pass the questionnaire's checks: {}",
                        why.en
                    ),
                ),
            )));
            None
        }
    };
    match enter(&form, &record.answers, ctx) {
        Err(why) => problems.push(fixable(in_interview(
            id,
            Text::new(
                format!("保存的答案不能通过问卷检查：{}", why.zh),
                format!(
                    "the stored answers do not pass the questionnaire's checks: {}",
                    why.en
                ),
            ),
        ))),
        Ok(iv) => {
            if iv.answers().to_json() != folded.to_json() {
                problems.push(fixable(in_interview(
                    id,
                    tr!(
                        "保存的答案与答题记录合成的不一致",
                        "the stored answers differ from what its events make"
                    ),
                )));
            }
            if iv.result().to_json() != record.result {
                problems.push(fixable(in_interview(
                    id,
                    tr!(
                        "保存的结果与重新计算的不一致",
                        "the stored result differs from a recomputation"
                    ),
                )));
            }
        }
    }
    // What the record keeps beside its answers, each against what its events say.
    let kept = [
        (
            record.status != status,
            tr!(
                "保存的状态与答题记录不一致",
                "the stored status differs from what its events say"
            ),
        ),
        (
            record.chosen != chosen,
            tr!(
                "保存的重复入户选定与答题记录不一致",
                "the choice among duplicate visits stored differs from what its events say"
            ),
        ),
        (
            record.review != review,
            tr!(
                "保存的审核意见与答题记录不一致",
                "the review stored differs from what its events say"
            ),
        ),
        (
            record.skipped != skipped,
            tr!(
                "保存的跳过题目与答题记录不一致",
                "the questions stored as skipped differ from what its events say"
            ),
        ),
    ];
    for (differs, what) in kept {
        if differs {
            problems.push(fixable(in_interview(id, what)));
        }
    }
    let rewrite = rebuilt.filter(|_| problems.iter().any(|p| p.repairable));
    Ok((problems, rewrite))
}

fn in_interview(id: Uuid, why: Text) -> Text {
    Text::new(
        format!("调查 {id}：{}", why.zh),
        format!("interview {id}: {}", why.en),
    )
}

/// Checks the whole store (see the module docs).
pub(super) fn verify_store(
    forms: &Forms,
    store: &Store,
) -> Result<(Verification, Vec<InterviewRecord>), StoreError> {
    let (mut problems, tally) = store.check_layout()?;
    let mut rewrites = Vec::new();
    for r in store.interviews() {
        let Ok(r) = r else { continue }; // counted by check_layout
        let (p, rewrite) = check_interview(forms, store, &r)?;
        problems.extend(p);
        rewrites.extend(rewrite);
    }
    Ok((Verification { problems, tally }, rewrites))
}

impl Workspace {
    /// Checks the store against its events (see the module docs).
    pub fn verify(&self) -> Result<Verification, StoreError> {
        Ok(verify_store(&self.forms, &self.store)?.0)
    }

    /// Repairs what can be repaired, then checks again.
    pub fn repair(&self) -> Result<Repair, StoreError> {
        let (_, rewrites) = verify_store(&self.forms, &self.store)?;
        self.store.repair_layout()?;
        let mut rewritten = Vec::new();
        for r in &rewrites {
            self.store.rewrite_record(r)?;
            rewritten.push(r.interview_id);
        }
        self.store.flush()?;
        Ok(Repair {
            rewritten,
            after: self.verify()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::interview::Skipped;
    use crate::session::{Forms, Workspace};

    #[test]
    fn a_record_whose_skips_differ_from_its_events_is_found_and_repaired() {
        let dir = tempfile::tempdir().expect("dir");
        let ws = Workspace::open(dir.path(), Forms::bundled().expect("forms")).expect("open");
        let h = ws.new_household("李四", "桂花村").expect("household");
        let mut s = ws.start(&h, "调查员").expect("start");
        let skip = Skipped {
            question_id: "respondent_name".into(),
            row: None,
        };
        s.mark_skipped(&ws, &skip, true).expect("skip");
        assert!(ws.verify().expect("verify").is_sound());
        let mut wrong = s.record.clone();
        wrong.skipped.clear();
        ws.store.record_events(&[], &wrong).expect("rewrite");
        let found = ws.verify().expect("verify");
        assert!(
            found
                .problems
                .iter()
                .any(|p| p.repairable && p.what.en.contains("skipped")),
            "{:?}",
            found.problems
        );
        let repaired = ws.repair().expect("repair");
        assert!(repaired.after.is_sound());
        let stored = ws
            .interview(s.record.interview_id)
            .expect("read")
            .expect("stored");
        assert_eq!(stored.skipped, vec![skip]);
    }
}
