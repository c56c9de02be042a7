//! `ruhu talks [--format json]`: the cadre talks (交流座谈) scored against the settings and
//! the registry — per role and per township the people talked to, the knowledge questions
//! answered right, and the people to prepare again with what they got wrong.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::findings::reconciler;
use super::{Cli, Failure, Format, print_json, say};
use crate::i18n::Lang;
use crate::talks::{Group, Summary};
use crate::tr;
use crate::tui::text::pad;

#[derive(Args, Debug)]
pub struct TalksArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub(super) fn talks(cli: &Cli, args: &TalksArgs) -> Result<ExitCode, Failure> {
    let (ws, rec) = reconciler(cli)?;
    let summary = ws.talks(&rec.settings)?;
    match args.format {
        Format::Json => print_json(cli, &json!(summary)),
        Format::Text => say(cli, &table(&summary, cli.lang)),
    }
    Ok(ExitCode::SUCCESS)
}

fn share(g: &Group) -> String {
    g.share
        .map_or_else(|| "—".to_string(), |s| format!("{:.0}%", s * 100.0))
}

fn table(s: &Summary, lang: Lang) -> String {
    let mut out = Vec::new();
    out.push(
        tr!(
            "干部访谈 {} 人（另有 {} 次未完成，不计）",
            "{} cadre talks ({} not completed, not counted)",
            s.talks,
            s.in_progress
        )
        .get(lang)
        .to_string(),
    );
    if s.talks == 0 {
        out.push(
            tr!(
                "还没有完成的干部访谈：用 ruhu interview apply --answers 文件 录入（问卷 cadre）",
                "no completed cadre talk yet: enter one with ruhu interview apply --answers FILE (questionnaire cadre)"
            )
            .get(lang)
            .to_string(),
        );
        return out.join("\n");
    }
    let heads = [
        tr!("人数", "people"),
        tr!("答对/题数", "right/scored"),
        tr!("答对率", "share right"),
        tr!("需再准备", "to prepare"),
    ];
    for (title, groups) in [
        (tr!("按身份", "By role"), &s.by_role),
        (tr!("按乡镇", "By township"), &s.by_township),
    ] {
        out.push(String::new());
        let mut line = pad(title.get(lang), 28);
        for h in &heads {
            line.push_str(&pad(h.get(lang), 12));
        }
        out.push(line.trim_end().to_string());
        for g in groups.iter() {
            let mut line = pad(g.label.get(lang), 28);
            for c in [
                g.people.to_string(),
                format!("{}/{}", g.right, g.scored),
                share(g),
                g.to_prepare.to_string(),
            ] {
                line.push_str(&pad(&c, 12));
            }
            out.push(line.trim_end().to_string());
        }
    }
    if !s.to_prepare.is_empty() {
        out.push(String::new());
        out.push(
            tr!("需再准备的人", "People to prepare again")
                .get(lang)
                .to_string(),
        );
        for p in &s.to_prepare {
            let role = p
                .role
                .map(|r| r.label().get(lang).to_string())
                .unwrap_or_default();
            let place: Vec<&str> = [&p.township, &p.village]
                .into_iter()
                .map(String::as_str)
                .filter(|x| !x.is_empty())
                .collect();
            out.push(format!("  {}（{}，{}）", p.name, role, place.join(" ")));
            for c in p.wrong() {
                out.push(format!(
                    "    {}：{}；{}",
                    c.label.get(lang),
                    c.answered.get(lang),
                    c.expected.get(lang)
                ));
            }
        }
    }
    out.join("\n")
}
