//! `ruhu sync duplicates` and `ruhu sync choose ID`: the households visited more than once,
//! every visit kept, and the team lead's choice of the one that counts for findings and
//! rates.

use std::process::ExitCode;

use serde_json::json;
use uuid::Uuid;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::reconcile::visits::Settled;
use crate::tr;

pub(super) fn list(cli: &Cli, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let visits = ws.visits()?;
    let mut out = Vec::new();
    for d in visits.all() {
        let head = ws
            .household(&d.household_id)
            .map(|h| h.head_name)
            .unwrap_or_default();
        let mut rows = Vec::new();
        for id in &d.interviews {
            if let Some(r) = ws.interview(*id)? {
                rows.push(r);
            }
        }
        out.push((d, head, rows));
    }
    match format {
        Format::Json => {
            let v: Vec<serde_json::Value> = out
                .iter()
                .map(|(d, head, rows)| {
                    json!({
                        "household_id": d.household_id,
                        "households": d.households,
                        "head_name": head,
                        "counting": d.counting,
                        "settled": d.settled,
                        "interviews": rows.iter().map(|r| json!({
                            "interview_id": r.interview_id,
                            "interviewer": r.interviewer,
                            "device_id": r.device_id,
                            "status": r.status,
                            "updated_at": r.updated_at,
                            "counts": r.interview_id == d.counting,
                            "chosen_by": r.chosen.as_ref().map(|c| c.by.clone()),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            print_json(cli, &serde_json::Value::Array(v));
        }
        Format::Text => {
            if out.is_empty() {
                say(
                    cli,
                    tr!(
                        "没有重复入户的农户",
                        "no household was visited more than once"
                    )
                    .get(lang),
                );
            }
            for (d, head, rows) in &out {
                let how = match d.settled {
                    Settled::Chosen => tr!("组长已选定", "chosen by the team lead"),
                    Settled::Latest => tr!(
                        "尚未选定，暂用最新完成的一次（ruhu sync choose ID）",
                        "not chosen yet: the latest completed counts (ruhu sync choose ID)"
                    ),
                };
                say(
                    cli,
                    &format!(
                        "{}  {}  {}",
                        d.households.join(" = "),
                        head,
                        tr!("入户 {} 次，{}", "{} visits, {}", rows.len(), how.get(lang)).get(lang)
                    ),
                );
                for r in rows {
                    let mark = if r.interview_id == d.counting {
                        "*"
                    } else {
                        " "
                    };
                    say(
                        cli,
                        &format!(
                            "  {mark} {}  {}  {}  {}",
                            r.interview_id,
                            r.interviewer,
                            r.status.label().get(lang),
                            r.updated_at.format("%Y-%m-%d %H:%M")
                        ),
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn choose(cli: &Cli, id: Uuid, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let mut s = ws.resume(id)?;
    super::interview::write_as_given(cli, &mut s)?;
    if !s.choose(&ws)? {
        return Err(fail(tr!(
            "户 {} 只有这一次入户，不用选定",
            "household {} has only this visit: there is nothing to choose",
            s.record.household_id
        )));
    }
    match format {
        Format::Json => print_json(
            cli,
            &json!({"interview_id": id, "household_id": s.record.household_id, "counts": true}),
        ),
        Format::Text => say(
            cli,
            tr!(
                "户 {} 以调查 {} 为准（核查发现和比率只用这一次）",
                "household {}: interview {} counts (findings and rates use it alone)",
                s.record.household_id,
                id
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
