//! What the sync screen and `ruhu sync imports` read of answer bundles received: the log of
//! bundles imported (accepted or refused) with their reports' counts, the interviews held
//! aside with the reason, and the key that opens an encrypted bundle, read from a file.

use std::io::Read;
use std::path::Path;

use age::secrecy::SecretString;

use crate::i18n::Text;
use crate::store::StoreError;
pub use crate::store::imports::ImportLogEntry;
use crate::sync::bundle::{Header, Key};
use crate::tr;

use super::{HeldInterview, ImportReport, Workspace};

/// Bytes of a key file read (an identity is about 200, a passphrase one line).
const MAX_KEY_FILE_BYTES: u64 = 64 << 10;

/// Bytes read from the start of a bundle to tell an encrypted one.
const PEEK: u64 = 64;

/// The log entry of an import: the report's counts and what the header says of the bundle.
pub fn log_entry(report: &ImportReport, header: Option<&Header>) -> ImportLogEntry {
    ImportLogEntry {
        at: Some(super::now()),
        file: report
            .file
            .as_ref()
            .map(|f| crate::printable::clean_line(&f.display().to_string())),
        accepted: report.accepted,
        bundle_id: header.map(|h| h.bundle_id),
        device_id: header.map(|h| h.device_id.clone()),
        device_name: header.map(|h| h.device_name.clone()),
        created_at: header.map(|h| h.created_at),
        interviews_new: report.interviews_new,
        interviews_updated: report.interviews_updated,
        interviews_unchanged: report.interviews_unchanged,
        events_new: report.events_new,
        conflicts: report.conflicts.len(),
        duplicates: report.duplicates.len(),
        held: report.held.len(),
        gaps: report.gaps.len(),
        error: report.error.clone(),
    }
}

impl Workspace {
    /// The bundles imported on this laptop, newest first (the last 1,000).
    pub fn imports(&self) -> Result<Vec<ImportLogEntry>, StoreError> {
        self.store.import_log()
    }

    /// Logs one bundle's import. A store that takes no writes (read-only, gone) keeps no
    /// log; a failure to log does not change what the import did.
    pub(super) fn log_import(&self, report: &ImportReport, header: Option<&Header>) {
        if self.store.is_read_only() {
            return;
        }
        let _ = self.store.log_import(&log_entry(report, header));
    }

    /// The interviews held aside, by interview id: what is known of each and why it waits.
    pub fn held_aside(&self) -> Result<Vec<HeldInterview>, StoreError> {
        let mut out = Vec::new();
        for (id, h) in self.store.held()? {
            let stored = self.store.interview(id)?;
            let (questionnaire, version) = match (&stored, &h.head) {
                (Some(r), _) => (
                    Some(r.questionnaire.clone()),
                    Some(r.questionnaire_version.clone()),
                ),
                (None, Some(head)) => (
                    Some(head.questionnaire.clone()),
                    Some(head.questionnaire_version.clone()),
                ),
                (None, None) => (None, None),
            };
            let household_id = stored
                .as_ref()
                .map(|r| r.household_id.clone())
                .or_else(|| h.head.as_ref().map(|x| x.household_id.clone()));
            let reason = match (&stored, &h.head) {
                (None, None) => tr!(
                    "还没有收到这次调查的基本信息（它的记录先到了）",
                    "the interview's head has not arrived yet (its events came first)"
                ),
                (None, Some(head)) if head.subject_kind().is_none() => tr!(
                    "调查对象的类型 {} 本程序还不支持",
                    "subjects of kind {} are not supported by this program",
                    head.subject
                ),
                _ => {
                    let q = questionnaire.clone().unwrap_or_default();
                    let v = version.clone().unwrap_or_default();
                    let name = self.questionnaire_name(&q);
                    if self.form_for_held(&q, &v) {
                        Text::new(
                            format!("「{}」问卷的 {v} 版现在有了：下次导入答卷包时补上", name.zh),
                            format!(
                                "version {v} of the questionnaire \"{}\" is here now: applied by the next import",
                                name.en
                            ),
                        )
                    } else {
                        Text::new(
                            format!(
                                "本程序没有「{}」问卷的 {v} 版（用 --questionnaires 指定含有它的文件夹后再导入）",
                                name.zh
                            ),
                            format!(
                                "this program does not have version {v} of the questionnaire \"{}\" (import again with --questionnaires naming a folder that has it)",
                                name.en
                            ),
                        )
                    }
                }
            };
            out.push(HeldInterview {
                interview_id: id,
                household_id,
                questionnaire,
                questionnaire_version: version,
                events: h.events.len(),
                reason,
            });
        }
        Ok(out)
    }

    /// The title of a questionnaire by its id (of the version this program has), else the id.
    pub fn questionnaire_name(&self, id: &str) -> Text {
        self.forms
            .by_id(id)
            .map_or_else(|| Text::new(id, id), |f| f.title.clone())
    }

    /// Whether this program has the questionnaire of this id and version.
    fn form_for_held(&self, id: &str, version: &str) -> bool {
        self.forms.by_id(id).is_some_and(|f| f.version == version)
    }
}

/// Whether the file at `path` is an encrypted bundle (it needs a passphrase or identity).
pub fn bundle_is_encrypted(path: &Path) -> Result<bool, Text> {
    if path.is_dir() {
        return Err(tr!(
            "{} 是文件夹，不是答卷包文件",
            "{} is a folder, not a bundle file",
            path.display()
        ));
    }
    let mut start = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(PEEK).read_to_end(&mut start))
        .map_err(|e| crate::i18n::cannot_read(path, &e))?;
    Ok(crate::passphrase::is_encrypted(&start))
}

/// The key in a file: an identity when the file holds one (`AGE-SECRET-KEY-1…`, as
/// `ruhu sync keygen` and `age-keygen` write it), else the passphrase in its first line.
pub fn bundle_key_file(path: &Path) -> Result<Key, Text> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| crate::i18n::cannot_read(path, &e))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(tr!(
            "{}：文件太大（超过 {} KiB），不是口令文件或私钥文件",
            "{}: the file is too large (over {} KiB) for a passphrase or identity file",
            path.display(),
            MAX_KEY_FILE_BYTES >> 10
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        tr!(
            "{}：不是文字文件，不是口令文件或私钥文件",
            "{}: not a text file, so not a passphrase or identity file",
            path.display()
        )
    })?;
    let identity = text
        .lines()
        .map(str::trim)
        .any(|l| l.starts_with("AGE-SECRET-KEY-1"));
    if identity {
        return Ok(Key::Identity(SecretString::from(text)));
    }
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(tr!(
            "{}：第一行是空的（口令文件的第一行是口令）",
            "{}: the first line is empty (a passphrase file holds the passphrase in its first line)",
            path.display()
        ));
    }
    Ok(Key::Passphrase(SecretString::from(first.to_string())))
}

/// The counts of a report in words.
#[allow(clippy::too_many_arguments)]
pub fn counts_text(
    new: usize,
    updated: usize,
    unchanged: usize,
    events: usize,
    conflicts: usize,
    duplicates: usize,
    held: usize,
    gaps: usize,
) -> Text {
    tr!(
        "新调查 {}，更新 {}，未变 {}，新答题记录 {}；冲突 {}，重复入户 {}，暂存 {}，待补 {}",
        "{} new interviews, {} updated, {} unchanged, {} new answer events; {} conflicts, {} duplicate visits, {} held aside, {} gaps",
        new,
        updated,
        unchanged,
        events,
        conflicts,
        duplicates,
        held,
        gaps
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_an_identity_or_a_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let id = dir.path().join("lead.key");
        std::fs::write(
            &id,
            "# created: now\n# public key: age1x\nAGE-SECRET-KEY-1ABC\n",
        )
        .unwrap();
        assert!(matches!(bundle_key_file(&id), Ok(Key::Identity(_))));
        let pass = dir.path().join("pass.txt");
        std::fs::write(&pass, "口令 一\r\nsecond line\n").unwrap();
        match bundle_key_file(&pass) {
            Ok(Key::Passphrase(p)) => {
                use age::secrecy::ExposeSecret;
                assert_eq!(p.expose_secret(), "口令 一");
            }
            _ => panic!("a passphrase"),
        }
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "\nx\n").unwrap();
        let e = bundle_key_file(&empty).err().unwrap();
        assert!(
            e.zh.contains("empty.txt") && e.zh.contains("第一行是空的"),
            "{e:?}"
        );
        let gone = dir.path().join("gone.txt");
        let e = bundle_key_file(&gone).err().unwrap();
        assert!(e.zh.contains("gone.txt"), "{e:?}");
        let binary = dir.path().join("b.bin");
        std::fs::write(&binary, [0xffu8, 0xfe, 0]).unwrap();
        assert!(bundle_key_file(&binary).is_err());
    }

    #[test]
    fn an_encrypted_bundle_is_told_by_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("p.ruhu");
        std::fs::write(&plain, "{\"ruhu_bundle\":1}\n").unwrap();
        assert_eq!(bundle_is_encrypted(&plain), Ok(false));
        let sealed = dir.path().join("s.ruhu");
        std::fs::write(&sealed, "age-encryption.org/v1\n-> scrypt").unwrap();
        assert_eq!(bundle_is_encrypted(&sealed), Ok(true));
        assert!(bundle_is_encrypted(&dir.path().join("none.ruhu")).is_err());
        assert!(bundle_is_encrypted(dir.path()).is_err());
    }
}
