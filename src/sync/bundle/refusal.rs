//! Why a file was not accepted as a bundle: a kind a program can act on, and a message in
//! both languages that says what is wrong, where (the file, the line) and what to do.

use std::fmt;

use crate::i18n::Text;

/// What is wrong with a file read as a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalKind {
    /// The file has no bytes at all.
    Empty,
    /// The file does not start with a bundle's mark.
    NotABundle,
    /// Written by a newer ruhu, in a format this one cannot read.
    NewerFormat { found: u64, supported: u32 },
    /// Line `line` does not hold what it must (not JSON, not a record, a field of the wrong
    /// type, the header contradicting the mark).
    Damaged { line: u64, why: Text },
    /// The file ends before its closing line, or in the middle of line `line`.
    Truncated { line: u64 },
    /// The SHA-256 of the content is not the one in the closing line.
    ChecksumMismatch,
    /// A count (the closing line's records, the header's counts) differs from what the file
    /// holds; `line` is the line that states it.
    CountMismatch { line: u64 },
    /// Something follows the closing line, from line `line` on.
    TrailingData { line: u64 },
    /// Over a limit of size (a line, the whole content, the number of records, the
    /// encryption's header or work): `line` where a line is to blame.
    TooLarge { line: Option<u64> },
    /// Encrypted, and neither a passphrase nor an identity was given.
    NeedsKey,
    /// Encrypted, and the passphrase or identity given does not open it (or it needs the
    /// other kind of key).
    WrongKey,
    /// Encrypted, and the encryption's own checks failed: altered, damaged or cut short.
    SealBroken,
    /// Reading failed (the file is gone, a permission, a disk error).
    Io,
}

/// A file refused as a bundle: nothing of it was returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// What is wrong and where, Chinese and English.
    pub message: Text,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.en)
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for Text {
    fn from(r: Refusal) -> Text {
        r.message
    }
}

/// Where the refused bytes came from: a file's path, or a stream without one.
#[derive(Debug, Clone)]
pub(super) struct Source {
    zh: String,
    en: String,
}

impl Source {
    pub(super) fn path(p: &std::path::Path) -> Source {
        let s = crate::printable::clean_line(&p.display().to_string());
        Source {
            zh: s.clone(),
            en: s,
        }
    }

    pub(super) fn stream() -> Source {
        Source {
            zh: "答卷包".into(),
            en: "the bundle".into(),
        }
    }

    /// `SRC 第 N 行` / `SRC, line N`.
    fn at(&self, line: u64) -> (String, String) {
        (
            format!("{} 第 {line} 行", self.zh),
            format!("{}, line {line}", self.en),
        )
    }
}

impl Refusal {
    /// The refusal of `kind` with its usual message.
    pub(super) fn new(kind: RefusalKind, src: &Source) -> Refusal {
        let (zh, en) = (&src.zh, &src.en);
        let message = match &kind {
            RefusalKind::Empty => Text::new(
                format!("{zh}：文件是空的（0 字节），不是答卷包；请重新导出或重新拷贝"),
                format!("{en}: the file is empty (0 bytes), not a bundle; export or copy it again"),
            ),
            RefusalKind::NotABundle => Text::new(
                format!("{zh}：不是 ruhu 答卷包（第 1 行不是答卷包的标记 {{\"ruhu_bundle\": …}}）"),
                format!(
                    "{en}: not a ruhu answer bundle (line 1 is not a bundle's mark {{\"ruhu_bundle\": …}})"
                ),
            ),
            RefusalKind::NewerFormat { found, supported } => Text::new(
                format!(
                    "{zh}：这个答卷包由更新版本的 ruhu 写出（格式 {found}），本程序只能读到格式 {supported}；请先升级 ruhu 再导入"
                ),
                format!(
                    "{en}: written by a newer ruhu (bundle format {found}); this ruhu reads up to format {supported}: update ruhu, then import it"
                ),
            ),
            RefusalKind::Damaged { line, why } => {
                let (zh, en) = src.at(*line);
                Text::new(
                    format!("{zh}已损坏：{}；请重新导出或重新拷贝", why.zh),
                    format!("{en} is damaged: {}; export or copy it again", why.en),
                )
            }
            RefusalKind::Truncated { line } => Text::new(
                format!(
                    "{zh} 不完整：到第 {line} 行就断了，没有结尾行（拷贝没有完成？）；请重新拷贝"
                ),
                format!(
                    "{en} is incomplete: it stops at line {line} without its closing line (a copy that did not finish?); copy it again"
                ),
            ),
            RefusalKind::ChecksumMismatch => Text::new(
                format!("{zh}：校验和不符：文件在写出之后被改动或损坏了；请重新拷贝"),
                format!(
                    "{en}: the checksum does not match: the file was altered or damaged after it was written; copy it again"
                ),
            ),
            RefusalKind::CountMismatch { line } => {
                let (zh, en) = src.at(*line);
                Text::new(
                    format!("{zh}所说的记录数与文件里的不符：有记录缺失或多出；请重新拷贝"),
                    format!(
                        "{en}: the number of records it states is not the number the file holds (records missing or added); copy it again"
                    ),
                )
            }
            RefusalKind::TrailingData { line } => {
                let (zh, en) = src.at(*line);
                Text::new(
                    format!("{zh}：结尾行之后还有内容（两个文件拼在了一起？）；请重新拷贝"),
                    format!(
                        "{en}: there is more after the closing line (two files joined together?); copy it again"
                    ),
                )
            }
            RefusalKind::TooLarge { line: Some(line) } => {
                let (zh, en) = src.at(*line);
                Text::new(
                    format!(
                        "{zh}超过 {} 字节的上限：不是 ruhu 写出的答卷包",
                        super::MAX_LINE_BYTES
                    ),
                    format!(
                        "{en} is longer than the limit of {} bytes: not a bundle ruhu wrote",
                        super::MAX_LINE_BYTES
                    ),
                )
            }
            RefusalKind::TooLarge { line: None } => Text::new(
                format!(
                    "{zh}：内容超过答卷包 {} 字节的上限",
                    super::MAX_BUNDLE_BYTES
                ),
                format!(
                    "{en}: the content is over a bundle's limit of {} bytes",
                    super::MAX_BUNDLE_BYTES
                ),
            ),
            RefusalKind::NeedsKey => Text::new(
                format!("{zh}：这是加密的答卷包，需要口令或密钥才能打开"),
                format!("{en}: an encrypted bundle: its passphrase or key is needed to open it"),
            ),
            RefusalKind::WrongKey => Text::new(
                format!("{zh}：口令或密钥不对（或文件已被改动），无法解密"),
                format!(
                    "{en}: wrong passphrase or key (or the file was altered): it cannot be decrypted"
                ),
            ),
            RefusalKind::SealBroken => Text::new(
                format!("{zh}：加密文件已损坏、被改动或不完整，无法解密；请重新拷贝"),
                format!(
                    "{en}: the encrypted file is damaged, altered or incomplete: it cannot be decrypted; copy it again"
                ),
            ),
            RefusalKind::Io => {
                Text::new(format!("{zh}：读取失败"), format!("{en}: reading failed"))
            }
        };
        Refusal { kind, message }
    }

    /// The refusal of `kind` with its own message `why` after the source.
    pub(super) fn with(kind: RefusalKind, src: &Source, why: Text) -> Refusal {
        let message = match &kind {
            RefusalKind::TooLarge { line: Some(line) }
            | RefusalKind::CountMismatch { line }
            | RefusalKind::TrailingData { line }
            | RefusalKind::Truncated { line } => {
                let (zh, en) = src.at(*line);
                Text::new(format!("{zh}：{}", why.zh), format!("{en}: {}", why.en))
            }
            _ => Text::new(
                format!("{}：{}", src.zh, why.zh),
                format!("{}: {}", src.en, why.en),
            ),
        };
        Refusal { kind, message }
    }

    /// A read that failed.
    pub(super) fn io(src: &Source, e: &std::io::Error) -> Refusal {
        let why = crate::i18n::io_reason(e);
        Refusal {
            kind: RefusalKind::Io,
            message: Text::new(
                format!("无法读取 {}：{}", src.zh, why.zh),
                format!("cannot read {}: {}", src.en, why.en),
            ),
        }
    }
}
