//! `ruhu backup FILE` / `ruhu restore FILE`: the whole store as plain JSON, because sled is
//! beta software and a cadre's answers must outlive it.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use super::{Cli, Failure, Format, fail, print_json, say, workspace};
use crate::private_file::AtomicFile;
use crate::store::BackupCounts;
use crate::tr;

fn report(cli: &Cli, format: Format, path: &Path, c: BackupCounts, restored: bool) {
    match format {
        Format::Json => print_json(
            cli,
            &json!({
                "file": path,
                "households": c.households,
                "interviews": c.interviews,
                "events": c.events,
                "settings": c.settings,
                "villages": c.villages,
                "marks": c.marks,
                "sample": c.sample,
                "held": c.held,
                "sent": c.sent,
                "imports": c.imports,
                "mark_history": c.mark_history,
                "projects": c.projects,
            }),
        ),
        Format::Text => {
            let t = if restored {
                tr!(
                    "已从 {} 恢复：{} 户，{} 次调查，{} 条答题记录",
                    "restored from {}: {} households, {} interviews, {} answer events",
                    path.display(),
                    c.households,
                    c.interviews,
                    c.events
                )
            } else {
                tr!(
                    "已备份到 {}：{} 户，{} 次调查，{} 条答题记录",
                    "backed up to {}: {} households, {} interviews, {} answer events",
                    path.display(),
                    c.households,
                    c.interviews,
                    c.events
                )
            };
            say(cli, t.get(cli.lang));
            if c.projects > 0 {
                say(
                    cli,
                    tr!("  项目 {} 个", "  {} projects", c.projects).get(cli.lang),
                );
            }
            if c.held > 0 {
                say(
                    cli,
                    tr!(
                        "  其中 {} 次调查暂存（本机还没有它们的问卷）",
                        "  and {} interviews held aside (their questionnaire is not here yet)",
                        c.held
                    )
                    .get(cli.lang),
                );
            }
        }
    }
}

/// How a backup is encrypted: `--passphrase-file F`, or `--encrypt` to type it.
#[derive(clap::Args, Debug, Clone)]
pub struct Encryption {
    /// Encrypt the backup (restore: decrypt it) with the passphrase in the first line of
    /// this file.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Encrypt the backup with a passphrase typed at a prompt (twice).
    #[arg(long)]
    pub encrypt: bool,
}

pub(super) fn backup(
    cli: &Cli,
    path: &Path,
    enc: &Encryption,
    format: Format,
) -> Result<ExitCode, Failure> {
    let passphrase = if enc.passphrase_file.is_some() || enc.encrypt {
        Some(crate::passphrase::obtain(enc.passphrase_file.as_deref(), true).map_err(fail)?)
    } else {
        None
    };
    let ws = workspace(cli)?;
    // A temporary file beside the target, synced and renamed over it: a failed backup
    // leaves the previous one as it was.
    let mut file =
        AtomicFile::create(path).map_err(|e| fail(crate::i18n::cannot_write(path, &e)))?;
    let counts = match passphrase {
        None => ws.backup(&mut file)?,
        Some(p) => {
            let mut sealed = crate::passphrase::Sealed::new(&mut file, p)
                .map_err(|e| fail(crate::i18n::cannot_write(path, &e)))?;
            let counts = ws.backup(&mut sealed)?;
            sealed
                .finish()
                .map_err(|e| fail(crate::i18n::cannot_write(path, &e)))?;
            counts
        }
    };
    file.flush()
        .and_then(|()| file.commit())
        .map_err(|e| fail(crate::i18n::cannot_write(path, &e)))?;
    report(cli, format, path, counts, false);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn restore(
    cli: &Cli,
    path: &Path,
    enc: &Encryption,
    format: Format,
) -> Result<ExitCode, Failure> {
    let file = std::fs::File::open(path).map_err(|e| fail(crate::i18n::cannot_read(path, &e)))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let encrypted = crate::passphrase::starts_encrypted(&mut reader)
        .map_err(|e| fail(crate::i18n::cannot_read(path, &e)))?;
    let ws = workspace(cli)?;
    let counts = if encrypted {
        let p = crate::passphrase::obtain(enc.passphrase_file.as_deref(), false).map_err(fail)?;
        let plain = crate::passphrase::open(reader, &p).map_err(|why| {
            fail(crate::i18n::Text::new(
                format!("{}：{}", path.display(), why.zh),
                format!("{}: {}", path.display(), why.en),
            ))
        })?;
        ws.restore(BufReader::new(plain))?
    } else {
        ws.restore(reader)?
    };
    ws.settle()?;
    report(cli, format, path, counts, true);
    Ok(ExitCode::SUCCESS)
}
