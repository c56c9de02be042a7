//! `ruhu verify [--repair]`: the store checked against its events (see `session::verify`).
//! Exit 0 when sound, 1 when a problem is left (after `--repair`: one it could not repair).

use std::process::ExitCode;

use serde_json::json;

use super::{Cli, Failure, Format, print_json, say, workspace};
use crate::i18n::Lang;
use crate::session::Verification;
use crate::tr;

fn problems_json(v: &Verification, lang: Lang) -> serde_json::Value {
    json!(
        v.problems
            .iter()
            .map(|p| json!({"problem": p.what.get(lang), "repairable": p.repairable}))
            .collect::<Vec<_>>()
    )
}

fn print_problems(cli: &Cli, v: &Verification) {
    let lang = cli.lang;
    for p in &v.problems {
        let tag = match (p.repairable, lang) {
            (true, Lang::Zh) => "可修复",
            (false, Lang::Zh) => "不能修复",
            (true, Lang::En) => "repairable",
            (false, Lang::En) => "cannot be repaired",
        };
        say(cli, &format!("✗ {}（{tag}）", p.what.get(lang)));
    }
}

pub(super) fn verify(cli: &Cli, repair: bool, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let before = ws.verify()?;
    let rewritten = if repair {
        let r = ws.repair()?;
        Some((r.rewritten, r.after))
    } else {
        None
    };
    let left = match &rewritten {
        Some((_, after)) => after,
        None => &before,
    };
    match format {
        Format::Json => {
            let mut v = json!({
                "households": before.tally.households,
                "interviews": before.tally.interviews,
                "events": before.tally.events,
                "problems": problems_json(&before, lang),
                "sound": before.is_sound(),
            });
            if let Some((ids, after)) = &rewritten {
                v["repaired"] = json!({
                    "rewritten_interviews": ids,
                    "problems_left": problems_json(after, lang),
                    "sound": after.is_sound(),
                });
            }
            print_json(cli, &v);
        }
        Format::Text => {
            say(
                cli,
                tr!(
                    "检查了 {} 户，{} 次调查，{} 条答题记录",
                    "checked {} households, {} interviews, {} answer events",
                    before.tally.households,
                    before.tally.interviews,
                    before.tally.events
                )
                .get(lang),
            );
            print_problems(cli, &before);
            match &rewritten {
                None if before.is_sound() => {
                    say(cli, tr!("没有发现问题", "no problem found").get(lang))
                }
                None => say(
                    cli,
                    tr!(
                        "发现 {} 处问题；ruhu verify --repair 可修复标为「可修复」的",
                        "{} problem(s) found; ruhu verify --repair repairs those marked repairable",
                        before.problems.len()
                    )
                    .get(lang),
                ),
                Some((ids, after)) => {
                    say(
                        cli,
                        tr!(
                            "已修复：从答题记录重写了 {} 次调查的答案和结果，重建了索引、计数和核查用副本",
                            "repaired: the answers and results of {} interview(s) written again from their events; index, counters and reconciliation copies made again",
                            ids.len()
                        )
                        .get(lang),
                    );
                    if after.is_sound() {
                        say(cli, tr!("修复后没有问题", "no problem left").get(lang));
                    } else {
                        say(
                            cli,
                            tr!(
                                "还有 {} 处问题不能修复：",
                                "{} problem(s) could not be repaired:",
                                after.problems.len()
                            )
                            .get(lang),
                        );
                        print_problems(cli, after);
                    }
                }
            }
        }
    }
    Ok(if left.is_sound() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
