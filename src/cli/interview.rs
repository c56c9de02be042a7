//! `ruhu interview apply | list | show`: interviews without the screen.

use std::process::ExitCode;

use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::{ApplyArgs, Cli, Failure, Format, fail, interviewer, print_json, say, warn, workspace};
use crate::i18n::Lang;
use crate::interview::{Answers, InterviewRecord};
use crate::questionnaire::QuestionType;
use crate::session;
use crate::tr;

pub(super) fn list(cli: &Cli, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let mut all: Vec<InterviewRecord> = ws.interview_results().collect::<Result<_, _>>()?;
    // Returned interviews first: they wait for the interviewer.
    all.sort_by_key(|r| (r.status != crate::interview::Status::Returned, r.started_at));
    match format {
        Format::Json => print_json(cli, &Json::Array(all.iter().map(summary).collect())),
        Format::Text => {
            for r in &all {
                say(
                    cli,
                    &format!(
                        "{}  {}  {}  {}  {}",
                        r.interview_id,
                        r.household_id,
                        r.questionnaire,
                        status_text(r, lang),
                        r.updated_at.format("%Y-%m-%d %H:%M")
                    ),
                );
                if let Some(review) = r.review.as_ref().filter(|v| !v.comment.is_empty()) {
                    say(
                        cli,
                        &format!(
                            "    {}{}",
                            tr!("意见：", "comment: ").get(lang),
                            review.comment
                        ),
                    );
                }
            }
            if all.is_empty() {
                say(cli, tr!("还没有调查", "no interviews yet").get(lang));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn show(cli: &Cli, id: Uuid, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let s = ws.resume(id)?;
    let missing: Vec<Json> = s
        .interview
        .missing()
        .iter()
        .map(|m| json!({"question": m.question, "row": m.row.as_ref().map(|r| r.1)}))
        .collect();
    // Questions passed on purpose and still without an answer: (question, row index).
    let iv = &s.interview;
    let skipped: Vec<(&crate::questionnaire::Question, Option<usize>)> = s
        .record
        .skipped
        .iter()
        .filter_map(|k| {
            let q = iv.form().question(&k.question_id)?;
            match &k.row {
                None => iv.answer(&q.id).is_none().then_some((q, None)),
                Some(row) => {
                    let roster = iv.form().roster_of(&q.id)?;
                    let rows = iv.rows(&roster.id);
                    let i = rows.iter().position(|r| &r.id == row)?;
                    (!rows[i].values.contains_key(&q.id)).then_some((q, Some(i)))
                }
            }
        })
        .collect();
    // Completions and reopenings, as the log records them.
    let log: Vec<(String, bool)> = ws
        .events(id)?
        .iter()
        .filter(|e| e.op == crate::interview::EventOp::Status)
        .map(|e| (e.at.to_rfc3339(), e.value.as_bool() == Some(true)))
        .collect();
    match format {
        Format::Json => {
            let mut v = summary(&s.record);
            v["answers"] = s.record.answers.clone();
            v["result"] = s.interview.result().to_json();
            v["missing"] = Json::Array(missing);
            v["skipped"] = skipped
                .iter()
                .map(|(q, row)| json!({"question": q.id, "row": row}))
                .collect();
            v["log"] = log
                .iter()
                .map(|(at, done)| {
                    json!({"at": at, "status": if *done { "completed" } else { "reopened" }})
                })
                .collect();
            print_json(cli, &v);
        }
        Format::Text => {
            let r = &s.record;
            say(
                cli,
                &format!(
                    "{}  {}  {}",
                    r.interview_id,
                    r.household_id,
                    status_text(r, lang)
                ),
            );
            for (at, done) in &log {
                let what = if *done {
                    tr!("完成", "completed")
                } else {
                    tr!(
                        "重新打开（完成后修改了答案）",
                        "reopened (an answer changed after completion)"
                    )
                };
                say(cli, &format!("  {at}  {}", what.get(lang)));
            }
            if !skipped.is_empty() {
                let names: Vec<String> = skipped
                    .iter()
                    .map(|(q, row)| match row {
                        None => q.label.get(lang).to_string(),
                        Some(i) => tr!("{}（第{}行）", "{} (row {})", q.label.get(lang), i + 1)
                            .get(lang)
                            .to_string(),
                    })
                    .collect();
                say(
                    cli,
                    &format!(
                        "  {}{}",
                        tr!("有意跳过：", "skipped on purpose: ").get(lang),
                        names.join(tr!("、", ", ").get(lang))
                    ),
                );
            }
            for q in iv.form().all_questions() {
                if let Some(a) = iv.answer(&q.id) {
                    say(
                        cli,
                        &format!("  {}：{}", q.label.get(lang), a.display(q, lang)),
                    );
                }
                if matches!(q.kind, QuestionType::Roster { .. }) {
                    for (i, row) in iv.rows(&q.id).iter().enumerate() {
                        let cells: Vec<String> = row
                            .values
                            .iter()
                            .filter_map(|(k, a)| {
                                iv.form().question(k).map(|rq| a.display(rq, lang))
                            })
                            .collect();
                        say(
                            cli,
                            &format!("  {} {}：{}", q.label.get(lang), i + 1, cells.join(" ")),
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What kind of JSON value a file holds, for a message.
fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "true/false",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "[…]",
        Json::Object(_) => "{…}",
    }
}

fn status_text(r: &InterviewRecord, lang: Lang) -> String {
    r.status.label().get(lang).to_string()
}

/// The stable JSON summary of an interview (docs/cli.md).
fn summary(r: &InterviewRecord) -> Json {
    json!({
        "interview_id": r.interview_id,
        "household_id": r.household_id,
        "questionnaire": r.questionnaire,
        "questionnaire_version": r.questionnaire_version,
        "status": r.status,
        "interviewer": r.interviewer,
        "device_id": r.device_id,
        "started_at": r.started_at,
        "updated_at": r.updated_at,
        "completed_at": r.completed_at,
        "events": r.events,
        "review": r.review,
    })
}

pub(super) fn apply(cli: &Cli, args: &ApplyArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    // Bounded in size, a byte order mark skipped (as for questionnaires).
    let text = crate::questionnaire::read_json_file(&args.answers).map_err(|why| {
        fail(crate::i18n::Text::new(
            format!("{}：{}", args.answers.display(), why.zh),
            format!("{}: {}", args.answers.display(), why.en),
        ))
    })?;
    let file: Json = serde_json::from_str(&text).map_err(|e| {
        fail(tr!(
            "{}：JSON 格式错误（第{}行第{}列）：{}",
            "{}: invalid JSON at line {}, column {}: {}",
            args.answers.display(),
            e.line(),
            e.column(),
            e
        ))
    })?;
    if !file.is_object() {
        return Err(fail(tr!(
            "{}：答案文件应是一个 JSON 对象 {{\"questionnaire\": …, \"answers\": {{…}}}}，而不是 {}",
            "{}: an answer file is a JSON object {{\"questionnaire\": …, \"answers\": {{…}}}}, not {}",
            args.answers.display(),
            json_kind(&file)
        )));
    }
    let ws = workspace(cli)?;
    if let Some(id) = args.interview {
        return change(cli, args, &ws, id, &file);
    }
    if args.household.is_none() && !args.new_household {
        return apply_subject(cli, args, &ws, &file);
    }
    let household = match (&args.household, args.new_household) {
        (Some(id), _) => ws.household(id)?,
        (None, true) => crate::registry::Household::provisional(
            String::new(),
            args.head.clone().unwrap_or_default(),
            args.village.clone().unwrap_or_default(),
        ),
        (None, false) => return Err(fail(tr!("请给出 --household", "give --household"))),
    };
    let form = ws.forms.get(household.kind())?;
    if let Some(q) = file.get("questionnaire").and_then(Json::as_str)
        && q != form.id
    {
        return Err(fail(tr!(
            "{}：答案文件是 {} 问卷，而这户应使用 {} 问卷",
            "{}: the answer file is for questionnaire '{}', this household takes '{}'",
            args.answers.display(),
            q,
            form.id
        )));
    }
    let problems_out = |problems: Vec<crate::interview::AnswerProblem>| -> Failure {
        let lines: Vec<String> = problems.iter().map(|p| p.render(lang)).collect();
        fail(tr!(
            "{}：{} 个答案有误，未保存任何内容：\n{}",
            "{}: {} invalid answer(s), nothing saved:\n{}",
            args.answers.display(),
            lines.len(),
            lines.join("\n")
        ))
    };
    let answers =
        Answers::from_json(&form, &file, || Uuid::new_v4().to_string()).map_err(problems_out)?;
    if answers.values.is_empty() && answers.rosters.values().all(Vec::is_empty) {
        return Err(fail(tr!(
            "{}：答案文件里没有任何答案（\"answers\" 为空或缺少），未保存任何内容",
            "{}: the answer file holds no answer (\"answers\" empty or missing); nothing saved",
            args.answers.display()
        )));
    }
    // Check everything through the engine before anything is written.
    let mut trial =
        crate::interview::Interview::new(form.clone(), crate::interview::Context::today());
    session::enter_answers(&mut trial, &answers).map_err(problems_out)?;

    let household = if args.new_household {
        ws.new_household(&household.head_name, &household.village)?
    } else {
        household
    };
    // One write: the interview, every answer and the completion, or nothing.
    // The identity questions the file leaves out come from the registry record; the file's
    // own answers (and its roster) win.
    let mut s = ws.start_preloaded(&household, &interviewer(cli), session::Preload::Identity)?;
    let changes = session::enter_answers(&mut s.interview, &answers).map_err(problems_out)?;
    let missing = s.save_all(&ws, &changes, args.complete)?;
    report_applied(cli, args, &s, &missing)
}

/// `interview apply` of an answer file for a questionnaire about another subject than a
/// household (a cadre talk): a new interview of that subject, checked whole before anything
/// is written, in one write.
fn apply_subject(
    cli: &Cli,
    args: &ApplyArgs,
    ws: &session::Workspace,
    file: &Json,
) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let named = file.get("questionnaire").and_then(Json::as_str);
    let form = named.and_then(|q| ws.forms.by_id(q));
    let Some(form) = form.filter(|f| !f.kind.is_household()) else {
        return Err(fail(match named {
            Some(q) if ws.forms.by_id(q).is_some() => tr!(
                "{}：{} 问卷是农户问卷，请用 --household 给出户编号（或 --new-household）",
                "{}: questionnaire '{}' is for households: give --household (or --new-household)",
                args.answers.display(),
                q
            ),
            Some(q) => tr!(
                "{}：没有 {} 问卷",
                "{}: there is no questionnaire '{}'",
                args.answers.display(),
                q
            ),
            None => tr!(
                "请给出 --household，或在答案文件里写明问卷（如 \"questionnaire\": \"cadre\"）",
                "give --household, or name the questionnaire in the answer file (e.g. \"questionnaire\": \"cadre\")"
            ),
        }));
    };
    if form.kind.subject() != crate::subject::SubjectKind::Person && args.subject.is_none() {
        return Err(fail(tr!(
            "{} 问卷需要 --subject 给出{}的编号",
            "questionnaire '{}' needs --subject with the {}'s id",
            form.id,
            form.kind.subject().label().get(lang)
        )));
    }
    let problems_out = |problems: Vec<crate::interview::AnswerProblem>| -> Failure {
        let lines: Vec<String> = problems.iter().map(|p| p.render(lang)).collect();
        fail(tr!(
            "{}：{} 个答案有误，未保存任何内容：\n{}",
            "{}: {} invalid answer(s), nothing saved:\n{}",
            args.answers.display(),
            lines.len(),
            lines.join("\n")
        ))
    };
    let answers =
        Answers::from_json(&form, file, || Uuid::new_v4().to_string()).map_err(problems_out)?;
    if answers.values.is_empty() && answers.rosters.values().all(Vec::is_empty) {
        return Err(fail(tr!(
            "{}：答案文件里没有任何答案（\"answers\" 为空或缺少），未保存任何内容",
            "{}: the answer file holds no answer (\"answers\" empty or missing); nothing saved",
            args.answers.display()
        )));
    }
    let mut s = ws.start_subject(form.kind, args.subject.as_deref(), &interviewer(cli))?;
    let changes = session::enter_answers(&mut s.interview, &answers).map_err(problems_out)?;
    let missing = s.save_all(ws, &changes, args.complete)?;
    report_applied(cli, args, &s, &missing)
}

/// The events a command writes into an existing interview carry who makes the change when
/// `--interviewer` names them; else the interviewer who began the interview.
pub(super) fn write_as_given(cli: &Cli, s: &mut session::Session) -> Result<(), Failure> {
    if let Some(name) = cli.interviewer.as_deref().map(str::trim)
        && !name.is_empty()
    {
        if name.len() > crate::limits::MAX_CELL_BYTES
            || name.chars().any(crate::printable::is_unsafe)
        {
            return Err(fail(tr!(
                "--interviewer 的名字太长或含有控制字符，未保存任何内容",
                "the --interviewer name is too long or holds control characters; nothing saved"
            )));
        }
        s.write_as(name);
    }
    Ok(())
}

/// `interview apply --interview ID`: the answers the file gives change in that interview,
/// through the same checks, in one write; the others stay as they are.
fn change(
    cli: &Cli,
    args: &ApplyArgs,
    ws: &session::Workspace,
    id: Uuid,
    file: &Json,
) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let mut s = ws.resume(id)?;
    write_as_given(cli, &mut s)?;
    let form = s.interview.form_arc().clone();
    if let Some(q) = file.get("questionnaire").and_then(Json::as_str)
        && q != form.id
    {
        return Err(fail(tr!(
            "{}：答案文件是 {} 问卷，而调查 {} 用的是 {} 问卷",
            "{}: the answer file is for questionnaire '{}', interview {} takes '{}'",
            args.answers.display(),
            q,
            id,
            form.id
        )));
    }
    let problems_out = |problems: Vec<crate::interview::AnswerProblem>| -> Failure {
        let lines: Vec<String> = problems.iter().map(|p| p.render(lang)).collect();
        fail(tr!(
            "{}：{} 个答案有误，未保存任何内容：\n{}",
            "{}: {} invalid answer(s), nothing saved:\n{}",
            args.answers.display(),
            lines.len(),
            lines.join("\n")
        ))
    };
    let answers =
        Answers::from_json(&form, file, || Uuid::new_v4().to_string()).map_err(problems_out)?;
    // Checked on a copy of the interview first: nothing is written unless all pass.
    let mut trial = s.interview.clone();
    session::enter_answers(&mut trial, &answers).map_err(problems_out)?;
    let changes = session::enter_answers(&mut s.interview, &answers).map_err(problems_out)?;
    // Only what differs from the stored answers is written.
    let before = Answers::from_json(&form, &s.record.answers, || Uuid::new_v4().to_string())
        .unwrap_or_default();
    let changes: Vec<crate::interview::Change> = changes
        .into_iter()
        .filter(|c| !unchanged(&before, c))
        .collect();
    let missing = s.save_all(ws, &changes, args.complete)?;
    report_applied(cli, args, &s, &missing)
}

/// Whether a change leaves the answers as they are.
fn unchanged(answers: &Answers, c: &crate::interview::Change) -> bool {
    use crate::interview::Change;
    match c {
        Change::Set {
            question,
            row: None,
            value,
        } => answers.values.get(question) == value.as_ref(),
        Change::Set {
            question,
            row: Some(r),
            value,
        } => answers
            .rosters
            .get(&r.roster)
            .and_then(|rows| rows.iter().find(|x| x.id == r.row))
            .is_some_and(|row| row.values.get(question) == value.as_ref()),
        _ => false,
    }
}

/// What `interview apply` prints: the interview saved, and the required answers missing
/// when it was to be completed (exit 1).
fn report_applied(
    cli: &Cli,
    args: &ApplyArgs,
    s: &session::Session,
    missing: &[crate::interview::Missing],
) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let code = if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    let missing_text: Vec<String> = missing
        .iter()
        .map(|m| match &m.row {
            Some((r, i, _)) => format!("{}[{}].{}", r, i + 1, m.question),
            None => m.question.clone(),
        })
        .collect();
    let subject = s.record.subject();
    let out = json!({
        "interview_id": s.record.interview_id,
        "household_id": s.record.household_id,
        "subject": subject.kind,
        "subject_id": subject.id,
        "status": s.record.status,
    });
    match args.format {
        Format::Json => {
            let mut out = out;
            if !missing_text.is_empty() {
                out["missing"] = json!(missing_text);
            }
            print_json(cli, &out);
        }
        Format::Text => say(
            cli,
            tr!(
                "已保存调查 {}（{} {}，{}）",
                "saved interview {} ({} {}, {})",
                s.record.interview_id,
                subject.kind.label().get(lang),
                subject.id,
                status_text(&s.record, lang)
            )
            .get(lang),
        ),
    }
    if !missing_text.is_empty() {
        warn(
            cli,
            tr!(
                "不能完成调查，缺少必答题：{}（已保存为进行中）",
                "cannot complete: required answers missing: {} (saved in progress)",
                missing_text.join(", ")
            )
            .get(lang),
        );
    }
    Ok(code)
}
