//! `ruhu review approve ID` / `ruhu review return ID --comment TEXT [--question Q]…`: the
//! team lead's decision on an interview, saved as an event that travels back to the
//! interviewer with the lead's bundles.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;
use uuid::Uuid;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::interview::{Decision, Review};
use crate::tr;

#[derive(Subcommand, Debug)]
pub enum ReviewCommand {
    /// Approve a completed interview.
    Approve {
        id: Uuid,
        /// A remark kept with the approval.
        #[arg(long, default_value = "")]
        comment: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Return an interview to its interviewer for another visit or corrections.
    Return {
        id: Uuid,
        /// What to do, for the whole interview.
        #[arg(long)]
        comment: String,
        /// A question the comment is about (its id; repeat for several). `Q=TEXT` gives
        /// that question a comment of its own.
        #[arg(long = "question", value_name = "Q[=TEXT]")]
        questions: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

pub(super) fn run(cli: &Cli, command: &ReviewCommand) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let (id, review, format) = match command {
        ReviewCommand::Approve {
            id,
            comment,
            format,
        } => (
            *id,
            Review {
                decision: Decision::Approve,
                comment: comment.trim().to_string(),
                questions: BTreeMap::new(),
                by: String::new(),
                at: None,
            },
            *format,
        ),
        ReviewCommand::Return {
            id,
            comment,
            questions,
            format,
        } => {
            if comment.trim().is_empty() {
                return Err(fail(tr!(
                    "退回调查要写明原因：--comment 不能为空",
                    "a return says why: --comment must not be empty"
                )));
            }
            let mut per = BTreeMap::new();
            for q in questions {
                let (q, text) = match q.split_once('=') {
                    Some((q, t)) => (q.trim(), t.trim()),
                    None => (q.trim(), comment.trim()),
                };
                per.insert(q.to_string(), text.to_string());
            }
            (
                *id,
                Review {
                    decision: Decision::Return,
                    comment: comment.trim().to_string(),
                    questions: per,
                    by: String::new(),
                    at: None,
                },
                *format,
            )
        }
    };
    let ws = workspace(cli)?;
    let mut s = ws.resume(id)?;
    super::interview::write_as_given(cli, &mut s)?;
    if let Some(q) = review
        .questions
        .keys()
        .find(|q| s.interview.form().question(q).is_none())
    {
        return Err(fail(tr!(
            "问卷 {} 里没有题目 {}",
            "questionnaire {} has no question {}",
            s.record.questionnaire,
            q
        )));
    }
    if let Err(status) = s.review(&ws, &review)? {
        return Err(fail(tr!(
            "调查 {} 现在{}，不能{}",
            "interview {} is {} now: it cannot be {}",
            id,
            status.label().get(lang),
            match review.decision {
                Decision::Approve => tr!(
                    "通过（只能通过已完成的调查）",
                    "approved (only a completed one can)"
                ),
                Decision::Return =>
                    tr!("退回（还没有完成过）", "returned (it was never completed)"),
            }
            .get(lang)
        )));
    }
    match format {
        Format::Json => print_json(
            cli,
            &json!({
                "interview_id": s.record.interview_id,
                "household_id": s.record.household_id,
                "status": s.record.status,
                "review": s.record.review,
            }),
        ),
        Format::Text => say(
            cli,
            tr!(
                "调查 {}（户 {}）：{}",
                "interview {} (household {}): {}",
                s.record.interview_id,
                s.record.household_id,
                s.record.status.label().get(lang)
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
