//! `ruhu sync export | import | imports | keygen | conflicts | resolve`: answer bundles between laptops
//! (see `session::sync`; the file format in docs/bundle.md, the JSON in docs/cli.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use age::secrecy::SecretString;
use clap::{Args, Subcommand};
use serde_json::{Value as Json, json};

use super::{Cli, Failure, Format, fail, interviewer, print_json, say, warn, workspace};
use crate::i18n::{Lang, Text};
use crate::session::imports::ImportLogEntry;
use crate::session::{ExportOptions, ExportReport, ImportReport, OpenConflict, Resolution};
use crate::sync::bundle::{Key, Seal};
use crate::tr;

/// Bytes of an identity file (one is about 200).
const MAX_IDENTITY_BYTES: u64 = 64 << 10;

#[derive(Subcommand, Debug)]
pub enum SyncCommand {
    /// Write an answer bundle of what a recipient has not been sent yet (every device's
    /// events this store holds: its own and those it received).
    Export(ExportArgs),
    /// Import answer bundles: each verified whole, then applied whole or not at all, as the
    /// union of events; with no file, apply the interviews held aside whose questionnaire
    /// is now present.
    Import(ImportArgs),
    /// List the bundles imported on this laptop, accepted or refused, newest first, with
    /// the counts of their reports (the last 1,000).
    Imports {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Make a key pair: the identity (secret) into a new owner-only file, the recipient
    /// (public key, age1…) printed for senders' `--recipient`.
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List every open conflict: answers changed on two laptops that did not see each other.
    Conflicts {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Resolve a conflict with one new answer event that supersedes every side.
    Resolve(ResolveArgs),
    /// List the households visited more than once, and which visit counts.
    Duplicates {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Choose the visit that counts for its household (an event: it travels in bundles).
    Choose {
        /// The interview that counts.
        interview: uuid::Uuid,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The bundle file to write (whole or not at all, owner-only).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The recipient: what was sent to each name is kept apart (default: one recipient).
    #[arg(long, value_name = "NAME")]
    pub to: Option<String>,
    /// Everything the store holds, whatever was sent before.
    #[arg(long)]
    pub all: bool,
    /// Encrypt with the passphrase in the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "recipient")]
    pub passphrase_file: Option<PathBuf>,
    /// Encrypt to this public key (age1…, from `ruhu sync keygen`).
    #[arg(long, value_name = "KEY")]
    pub recipient: Option<String>,
    /// The name of this laptop in the bundle (default: the host name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Bundle files (plain or encrypted).
    pub files: Vec<PathBuf>,
    /// The passphrase of encrypted bundles, in the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "identity")]
    pub passphrase_file: Option<PathBuf>,
    /// The identity file (AGE-SECRET-KEY-1…) of bundles encrypted to its recipient.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("how").required(true).args(["take", "value"])))]
pub struct ResolveArgs {
    /// The conflict's id, as `ruhu sync conflicts` lists it.
    pub id: String,
    /// Take the value of side N (from 1, as listed).
    #[arg(long, value_name = "N")]
    pub take: Option<usize>,
    /// Give another value, typed as on the screen (choices by name, label or number; 是/否).
    #[arg(long, value_name = "V")]
    pub value: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub(super) fn run(cli: &Cli, command: &SyncCommand) -> Result<ExitCode, Failure> {
    match command {
        SyncCommand::Export(a) => export(cli, a),
        SyncCommand::Import(a) => import(cli, a),
        SyncCommand::Imports { format } => imports(cli, *format),
        SyncCommand::Keygen { out, format } => keygen(cli, out, *format),
        SyncCommand::Conflicts { format } => conflicts(cli, *format),
        SyncCommand::Resolve(a) => resolve(cli, a),
        SyncCommand::Duplicates { format } => super::duplicates::list(cli, *format),
        SyncCommand::Choose { interview, format } => {
            super::duplicates::choose(cli, *interview, *format)
        }
    }
}

/// This host's name, for people reading a bundle's header.
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let name = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    let name = crate::printable::clean_line(&name);
    if name.trim().is_empty() {
        "ruhu".to_string()
    } else {
        name
    }
}

/// A recipient or device name as given: 1 to 64 bytes, no control characters.
fn checked_name(flag: &str, name: &str) -> Result<String, Failure> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > crate::limits::MAX_ID_BYTES
        || name.chars().any(crate::printable::is_unsafe)
    {
        return Err(fail(tr!(
            "{} 应为 1 到 {} 字节、不含控制字符的名字",
            "{} must be a name of 1 to {} bytes without control characters",
            flag,
            crate::limits::MAX_ID_BYTES
        )));
    }
    Ok(name.to_string())
}

fn export(cli: &Cli, a: &ExportArgs) -> Result<ExitCode, Failure> {
    let to =
        a.to.as_deref()
            .map(|t| checked_name("--to", t))
            .transpose()?;
    let device_name = match &a.name {
        Some(n) => checked_name("--name", n)?,
        None => host_name(),
    };
    let seal = match (&a.passphrase_file, &a.recipient) {
        (Some(f), _) => Seal::Passphrase(crate::passphrase::obtain(Some(f), false).map_err(fail)?),
        (None, Some(r)) => Seal::Recipient(r.trim().to_string()),
        (None, None) => Seal::None,
    };
    let ws = workspace(cli)?;
    let opts = ExportOptions {
        to,
        all: a.all,
        seal,
        device_name,
    };
    let r = ws.export_bundle(&a.out, &opts).map_err(fail)?;
    match a.format {
        Format::Json => print_json(cli, &export_json(&r)),
        Format::Text => print_export(cli, &r),
    }
    Ok(ExitCode::SUCCESS)
}

fn export_json(r: &ExportReport) -> Json {
    json!({
        "file": r.file,
        "written": r.written,
        "bundle_id": r.bundle_id,
        "to": r.to,
        "events": r.events,
        "interviews": r.interviews,
        "households": r.households,
        "ranges": r.ranges.iter().map(|g| json!({"device_id": g.device_id, "first": g.first, "last": g.last})).collect::<Vec<_>>(),
        "marked": r.marked,
    })
}

/// `41–57` or `41`.
fn run_text(first: u64, last: u64) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    }
}

fn print_export(cli: &Cli, r: &ExportReport) {
    let lang = cli.lang;
    let to = r.to.clone().unwrap_or_else(|| {
        tr!("默认接收方", "the default recipient")
            .get(lang)
            .to_string()
    });
    if !r.written {
        say(
            cli,
            tr!(
                "没有要发给 {} 的新记录：没有写出文件 {}",
                "nothing new to send to {}: no file written at {}",
                to,
                r.file.display()
            )
            .get(lang),
        );
        return;
    }
    say(
        cli,
        tr!(
            "已写出答卷包 {}（编号 {}，发给 {}）：{} 次调查，{} 户临时农户，{} 条答题记录",
            "bundle written to {} (id {}, to {}): {} interviews, {} provisional households, {} answer events",
            r.file.display(),
            r.bundle_id.map(|u| u.to_string()).unwrap_or_default(),
            to,
            r.interviews,
            r.households,
            r.events
        )
        .get(lang),
    );
    for g in &r.ranges {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "设备 {}：{}",
                    "device {}: {}",
                    g.device_id,
                    run_text(g.first, g.last)
                )
                .get(lang)
            ),
        );
    }
    if !r.marked {
        warn(
            cli,
            tr!(
                "数据文件夹是只读的：没有记下已发送的内容，下次导出会再带上这些记录",
                "the data folder is read-only: what was sent was not noted, and the next export carries it again"
            )
            .get(lang),
        );
    }
}

fn read_identity(path: &Path) -> Result<SecretString, Failure> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| fail(crate::i18n::cannot_read(path, &e)))?;
    let mut text = String::new();
    file.take(MAX_IDENTITY_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(crate::i18n::cannot_read(path, &e)))?;
    if text.len() as u64 > MAX_IDENTITY_BYTES {
        return Err(fail(tr!(
            "{}：身份文件太大（超过 {} KiB），不是 ruhu sync keygen 或 age-keygen 写出的文件",
            "{}: the identity file is too large (over {} KiB); it is not one ruhu sync keygen or age-keygen writes",
            path.display(),
            MAX_IDENTITY_BYTES >> 10
        )));
    }
    Ok(SecretString::from(text))
}

fn import(cli: &Cli, a: &ImportArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let key = match (&a.passphrase_file, &a.identity) {
        (Some(f), _) => Key::Passphrase(crate::passphrase::obtain(Some(f), false).map_err(fail)?),
        (None, Some(f)) => Key::Identity(read_identity(f)?),
        (None, None) => Key::None,
    };
    let ws = workspace(cli)?;
    let reports: Vec<ImportReport> = if a.files.is_empty() {
        ws.release_held().into_iter().collect()
    } else {
        a.files.iter().map(|f| ws.import_bundle(f, &key)).collect()
    };
    let refused = reports.iter().any(|r| !r.accepted);
    match a.format {
        Format::Json => print_json(
            cli,
            &Json::Array(reports.iter().map(|r| import_json(r, lang)).collect()),
        ),
        Format::Text => {
            if reports.is_empty() {
                say(
                    cli,
                    tr!(
                        "没有给出答卷包，也没有暂存的调查",
                        "no bundle given, and nothing is held aside"
                    )
                    .get(lang),
                );
            }
            for r in &reports {
                print_import(cli, r);
            }
        }
    }
    Ok(if refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn import_json(r: &ImportReport, lang: Lang) -> Json {
    json!({
        "file": r.file,
        "accepted": r.accepted,
        "interviews_new": r.interviews_new,
        "interviews_updated": r.interviews_updated,
        "interviews_unchanged": r.interviews_unchanged,
        "events_new": r.events_new,
        "conflicts": r.conflicts.iter().map(|c| conflict_json(c, lang)).collect::<Vec<_>>(),
        "duplicates": r.duplicates.iter().map(|d| json!({"household_id": d.household_id, "interviews": d.interviews})).collect::<Vec<_>>(),
        "held": r.held.iter().map(|h| json!({
            "interview_id": h.interview_id,
            "household_id": h.household_id,
            "questionnaire": h.questionnaire,
            "questionnaire_version": h.questionnaire_version,
            "events": h.events,
            "reason": h.reason.get(lang),
        })).collect::<Vec<_>>(),
        "gaps": r.gaps.iter().map(|g| json!({"device_id": g.device_id, "first": g.first, "last": g.last})).collect::<Vec<_>>(),
        "clocks": r.clocks.iter().map(|c| json!({
            "event_id": c.event_id, "interview_id": c.interview_id, "device_id": c.device_id, "at": c.at,
        })).collect::<Vec<_>>(),
        "clashes": r.clashes.iter().map(|c| json!({
            "event_id": c.event_id, "interview_id": c.interview_id, "device_id": c.device_id, "seq": c.seq,
        })).collect::<Vec<_>>(),
        "forms_differ": r.forms_differ.iter().map(|f| json!({
            "id": f.form.id, "version": f.form.version, "hash": f.form.hash,
        })).collect::<Vec<_>>(),
        "error": r.error.as_ref().map(|e| e.get(lang)),
    })
}

fn print_import(cli: &Cli, r: &ImportReport) {
    let lang = cli.lang;
    let name = match &r.file {
        Some(f) => f.display().to_string(),
        None => tr!("暂存的调查", "held-aside interviews")
            .get(lang)
            .to_string(),
    };
    if let Some(e) = &r.error {
        let msg = Text::new(
            format!("未导入：{}", e.zh),
            format!("not imported: {}", e.en),
        );
        say(cli, msg.get(lang));
        return;
    }
    say(
        cli,
        tr!(
            "{}：已导入：新调查 {}，更新 {}，未变 {}，新答题记录 {}",
            "{}: imported: {} new interviews, {} updated, {} unchanged, {} new answer events",
            name,
            r.interviews_new,
            r.interviews_updated,
            r.interviews_unchanged,
            r.events_new
        )
        .get(lang),
    );
    if !r.conflicts.is_empty() {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "{} 处冲突未解决（ruhu sync conflicts 列出详情）",
                    "{} open conflicts (ruhu sync conflicts lists them)",
                    r.conflicts.len()
                )
                .get(lang)
            ),
        );
        for c in &r.conflicts {
            say(
                cli,
                &format!("    {}  {}  {}", c.id, c.household_id, c.question.get(lang)),
            );
        }
    }
    for d in &r.duplicates {
        let ids: Vec<String> = d.interviews.iter().map(|u| u.to_string()).collect();
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "重复走访：户 {} 有 {} 次调查（{}）",
                    "duplicate visit: household {} has {} interviews ({})",
                    d.household_id,
                    d.interviews.len(),
                    ids.join(", ")
                )
                .get(lang)
            ),
        );
    }
    for h in &r.held {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "暂存（未丢弃）：调查 {}（户 {}），{} 条记录：{}",
                    "held aside (not dropped): interview {} (household {}), {} events: {}",
                    h.interview_id,
                    h.household_id.clone().unwrap_or_else(|| "?".into()),
                    h.events,
                    h.reason.get(lang)
                )
                .get(lang)
            ),
        );
    }
    for g in &r.gaps {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "设备 {}：{} 尚未收到",
                    "device {}: {} not received yet",
                    g.device_id,
                    run_text(g.first, g.last)
                )
                .get(lang)
            ),
        );
    }
    for c in &r.clocks {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "时钟可疑：设备 {} 的记录 {} 时间为 {}（已导入；顺序不依赖时钟）",
                    "implausible clock: event {1} of device {0} is dated {2} (imported; the order does not rely on clocks)",
                    c.device_id,
                    c.event_id,
                    c.at.to_rfc3339()
                )
                .get(lang)
            ),
        );
    }
    for f in &r.forms_differ {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "问卷不同：答卷包里的《{}》（{}，{} 版）与本机的同版问卷内容不同（已按本机的问卷导入；请确认两台电脑用的是同一份问卷文件）",
                    "questionnaire differs: “{}” ({}, version {}) in the bundle is not the same as this laptop's of that version (imported with this laptop's; check that both laptops use the same questionnaire file)",
                    f.title.get(lang),
                    f.form.id,
                    f.form.version
                )
                .get(lang)
            ),
        );
    }
    for c in &r.clashes {
        say(
            cli,
            &format!(
                "  {}",
                tr!(
                    "编号重复：设备 {} 的第 {} 号已有另一条记录；记录 {} 已保存，但只有 --all 的导出会带上它（这台设备的数据文件夹可能被复制到了另一台电脑上）",
                    "number taken: device {} number {} is another event already; event {} is stored, but only an export with --all carries it (the device's data folder may have been copied to another laptop)",
                    c.device_id,
                    c.seq,
                    c.event_id
                )
                .get(lang)
            ),
        );
    }
}

fn imports_json(e: &ImportLogEntry, lang: Lang) -> Json {
    json!({
        "at": e.at,
        "file": e.file,
        "accepted": e.accepted,
        "bundle_id": e.bundle_id,
        "device_id": e.device_id,
        "device_name": e.device_name,
        "created_at": e.created_at,
        "interviews_new": e.interviews_new,
        "interviews_updated": e.interviews_updated,
        "interviews_unchanged": e.interviews_unchanged,
        "events_new": e.events_new,
        "conflicts": e.conflicts,
        "duplicates": e.duplicates,
        "held": e.held,
        "gaps": e.gaps,
        "error": e.error.as_ref().map(|x| x.get(lang)),
    })
}

fn imports(cli: &Cli, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let log = ws.imports()?;
    match format {
        Format::Json => print_json(
            cli,
            &Json::Array(log.iter().map(|e| imports_json(e, lang)).collect()),
        ),
        Format::Text => {
            if log.is_empty() {
                say(
                    cli,
                    tr!(
                        "这台电脑还没有导入过答卷包",
                        "no bundle has been imported here yet"
                    )
                    .get(lang),
                );
            }
            for e in &log {
                let when =
                    e.at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                        .unwrap_or_default();
                let file = e.file.clone().unwrap_or_default();
                let from = match (&e.device_name, &e.device_id) {
                    (Some(n), Some(d)) => tr!("，来自 {}（设备 {}）", " from {} (device {})", n, d),
                    _ => Text::default(),
                };
                let line = match &e.error {
                    Some(why) => tr!(
                        "{}  未导入  {}：{}",
                        "{}  refused  {}: {}",
                        when,
                        file,
                        why.get(lang)
                    ),
                    None => {
                        let counts = crate::session::imports::counts_text(
                            e.interviews_new,
                            e.interviews_updated,
                            e.interviews_unchanged,
                            e.events_new,
                            e.conflicts,
                            e.duplicates,
                            e.held,
                            e.gaps,
                        );
                        Text::new(
                            format!("{when}  已导入  {file}{}：{}", from.zh, counts.zh),
                            format!("{when}  imported  {file}{}: {}", from.en, counts.en),
                        )
                    }
                };
                say(cli, line.get(lang));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn keygen(cli: &Cli, out: &Path, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    if out.exists() {
        return Err(fail(tr!(
            "{} 已经存在：不会覆盖（覆盖身份文件会让发给它的答卷包再也打不开）",
            "{} exists already: it is not overwritten (overwriting an identity makes the bundles sent to it impossible to open)",
            out.display()
        )));
    }
    let (identity, recipient) = crate::sync::bundle::keygen();
    let text = {
        use age::secrecy::ExposeSecret;
        format!(
            "# created: {}\n# public key: {recipient}\n{}\n",
            chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            identity.expose_secret()
        )
    };
    crate::private_file::write_atomic(out, |f| {
        use std::io::Write;
        f.write_all(text.as_bytes())
    })
    .map_err(|e| fail(crate::i18n::cannot_write(out, &e)))?;
    match format {
        Format::Json => print_json(cli, &json!({"file": out, "recipient": recipient})),
        Format::Text => {
            say(
                cli,
                tr!(
                    "身份（私钥）已写入 {}（只有本用户可读；请妥善保管，不要发给别人）",
                    "identity (secret key) written to {} (owner-only; keep it safe and never send it)",
                    out.display()
                )
                .get(lang),
            );
            say(
                cli,
                tr!(
                    "接收方公钥（发给导出的人，用于 --recipient）：{}",
                    "recipient (public key: give it to those who export, for --recipient): {}",
                    recipient
                )
                .get(lang),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn conflict_json(c: &OpenConflict, lang: Lang) -> Json {
    json!({
        "id": c.id,
        "interview_id": c.interview_id,
        "household_id": c.household_id,
        "head_name": c.head_name,
        "cell": c.cell,
        "question_id": c.question_id,
        "question": c.question.get(lang),
        "row": c.row.as_ref().map(|r| json!({"id": r.id, "index": r.index, "label": r.label})),
        "sides": c.sides.iter().enumerate().map(|(i, s)| json!({
            "side": i + 1,
            "event_id": s.event_id,
            "op": s.op,
            "value": s.value,
            "shown": s.shown.get(lang),
            "interviewer": s.interviewer,
            "at": s.at,
            "device_id": s.device_id,
        })).collect::<Vec<_>>(),
        "shown_side": c.shown(),
    })
}

/// `户主姓名（第 2 行，李四）` / `head's name (row 2, 李四)`.
fn where_text(c: &OpenConflict) -> Text {
    let mut t = c.question.clone();
    if let Some(r) = &c.row {
        let (zh, en) = match (r.index, &r.label) {
            (Some(i), Some(l)) => (format!("（第 {i} 行，{l}）"), format!(" (row {i}, {l})")),
            (Some(i), None) => (format!("（第 {i} 行）"), format!(" (row {i})")),
            (None, _) => (
                "（已不在表中的一行）".to_string(),
                " (a row no longer in the table)".to_string(),
            ),
        };
        t.zh.push_str(&zh);
        t.en.push_str(&en);
    }
    t
}

fn print_conflict(cli: &Cli, c: &OpenConflict) {
    let lang = cli.lang;
    let household = match &c.head_name {
        Some(n) => format!("{}（{n}）", c.household_id),
        None => c.household_id.clone(),
    };
    say(
        cli,
        tr!(
            "冲突 {}  户 {}  调查 {}",
            "conflict {}  household {}  interview {}",
            c.id,
            household,
            c.interview_id
        )
        .get(lang),
    );
    say(
        cli,
        &format!(
            "  {}",
            tr!("题目：{}", "question: {}", where_text(c).get(lang)).get(lang)
        ),
    );
    for (i, s) in c.sides.iter().enumerate() {
        let now = if i + 1 == c.shown() {
            tr!("（现在显示）", " (shown now)").get(lang).to_string()
        } else {
            String::new()
        };
        say(
            cli,
            &format!(
                "  {}. {}{now} — {}",
                i + 1,
                s.shown.get(lang),
                tr!(
                    "{}，{}，设备 {}",
                    "{}, {}, device {}",
                    s.interviewer,
                    s.at.format("%Y-%m-%d %H:%M:%S %:z"),
                    s.device_id
                )
                .get(lang)
            ),
        );
    }
}

fn conflicts(cli: &Cli, format: Format) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let ws = workspace(cli)?;
    let all = ws.conflicts()?;
    match format {
        Format::Json => print_json(
            cli,
            &Json::Array(all.iter().map(|c| conflict_json(c, lang)).collect()),
        ),
        Format::Text => {
            if all.is_empty() {
                say(cli, tr!("没有未解决的冲突", "no open conflicts").get(lang));
            }
            for c in &all {
                print_conflict(cli, c);
            }
            if !all.is_empty() {
                say(
                    cli,
                    tr!(
                        "解决：ruhu sync resolve 编号 --take N（取第 N 方的值）或 --value 值",
                        "to resolve: ruhu sync resolve ID --take N (the value of side N) or --value VALUE"
                    )
                    .get(lang),
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn resolve(cli: &Cli, a: &ResolveArgs) -> Result<ExitCode, Failure> {
    let lang = cli.lang;
    let how = match (&a.take, &a.value) {
        (Some(n), _) => Resolution::Take(*n),
        (None, Some(v)) => Resolution::Value(v.clone()),
        (None, None) => {
            return Err(fail(tr!(
                "请给出 --take N 或 --value 值",
                "give --take N or --value VALUE"
            )));
        }
    };
    let ws = workspace(cli)?;
    let r = ws.resolve(&a.id, &how, &interviewer(cli)).map_err(fail)?;
    match a.format {
        Format::Json => print_json(
            cli,
            &json!({
                "id": r.conflict.id,
                "interview_id": r.conflict.interview_id,
                "household_id": r.conflict.household_id,
                "question": r.conflict.question.get(lang),
                "event_id": r.event.event_id,
                "value": r.event.value,
                "shown": r.shown.get(lang),
                "take": a.take,
            }),
        ),
        Format::Text => say(
            cli,
            tr!(
                "冲突 {} 已解决：{} 定为 {}（户 {}）；下次导出的答卷包会带上这个决定",
                "conflict {} resolved: {} set to {} (household {}); the next bundle exported carries the decision",
                r.conflict.id,
                where_text(&r.conflict).get(lang),
                r.shown.get(lang),
                r.conflict.household_id
            )
            .get(lang),
        ),
    }
    Ok(ExitCode::SUCCESS)
}
