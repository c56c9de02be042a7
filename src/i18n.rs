//! Bilingual text: the user interface speaks Chinese by default and English with `--lang en`.

use serde::{Deserialize, Serialize};

/// The language the user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A text in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Builds a [`Text`] from two format strings: `tr!("第{}行", "row {}", n)`.
#[macro_export]
macro_rules! tr {
    ($zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        $crate::i18n::Text::new(format!($zh $(, $arg)*), format!($en $(, $arg)*))
    };
}

/// Renders a problem found in a file, e.g. `poor.json：问题 income_wage，字段 relevant：…` /
/// `poor.json: question 'income_wage', field 'relevant': …`. `item` is the kind of thing the
/// problem is in (question, rule) with its id.
pub fn locate(
    lang: Lang,
    file: &str,
    item: Option<(&Text, &str)>,
    field: Option<&str>,
    message: &Text,
) -> String {
    let mut out = file.to_string();
    if let Some((what, id)) = item {
        match lang {
            Lang::Zh => out.push_str(&format!("：{} {id}", what.zh)),
            Lang::En => out.push_str(&format!(": {} '{id}'", what.en)),
        }
    }
    if let Some(f) = field {
        match lang {
            Lang::Zh => out.push_str(&format!("，字段 {f}")),
            Lang::En => out.push_str(&format!(", field '{f}'")),
        }
    }
    match lang {
        Lang::Zh => out.push('：'),
        Lang::En => out.push_str(": "),
    }
    out.push_str(message.get(lang));
    out
}

/// Why an input/output operation failed, in words a user can act on: a full disk, a
/// write-protected stick, a file that is gone; other errors as the system words them.
pub fn io_reason(e: &std::io::Error) -> Text {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => Text::new(
            "磁盘已满：请腾出空间后再试",
            "the disk is full: free some space and try again",
        ),
        ErrorKind::ReadOnlyFilesystem => Text::new(
            "磁盘是只读的（U 盘写保护？）",
            "the disk is read-only (a write-protected stick?)",
        ),
        ErrorKind::PermissionDenied => Text::new(
            "没有权限（文件或文件夹为只读？）",
            "permission denied (a read-only file or folder?)",
        ),
        ErrorKind::NotFound => Text::new(
            "不存在（被删除或移走了？）",
            "it does not exist (deleted or moved?)",
        ),
        ErrorKind::FileTooLarge => Text::new("文件太大", "the file is too large"),
        _ => Text::new(format!("系统错误：{e}"), format!("system error: {e}")),
    }
}

/// "cannot read FILE: why" for a file the user named.
pub fn cannot_read(path: &std::path::Path, e: &std::io::Error) -> Text {
    let why = io_reason(e);
    Text::new(
        format!("无法读取 {}：{}", path.display(), why.zh),
        format!("cannot read {}: {}", path.display(), why.en),
    )
}

/// "cannot write FILE: why" for a file the user named.
pub fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> Text {
    let why = io_reason(e);
    Text::new(
        format!("无法写入 {}：{}", path.display(), why.zh),
        format!("cannot write {}: {}", path.display(), why.en),
    )
}
