//! Why a store operation failed, in English (`Display`) and in both languages ([`StoreError::message`]).

use std::io;
use std::path::PathBuf;

use crate::i18n::Text;
use crate::tr;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (or another handle in this process) holds the data folder's lock.
    #[error(
        "the data folder {} is in use by another ruhu (could not acquire its lock); close the other ruhu and try again",
        path.display()
    )]
    Locked { path: PathBuf },
    /// The data folder was written by a newer ruhu with a store schema this one cannot read.
    #[error(
        "the data folder was written by a newer ruhu (store schema version {found}, this ruhu reads up to {supported}); update ruhu"
    )]
    TooNew { found: u32, supported: u32 },
    /// Reading or writing a file failed.
    #[error("input/output error on {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    /// The storage engine reported an error that is not plain input/output.
    #[error("storage engine error: {detail}")]
    Engine { detail: String },
    /// A stored record (or a backup being restored) cannot be read.
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: String, detail: String },
    /// A backup can only be restored into an empty data folder.
    #[error(
        "the data folder {} already holds data: restore a backup into an empty folder",
        path.display()
    )]
    NotEmpty { path: PathBuf },
    /// The caller asked for something inconsistent (a programming error, not a disk problem).
    #[error("invalid store request: {0}")]
    Invalid(String),
}

impl StoreError {
    /// The message for the user, in Chinese and English.
    pub fn message(&self) -> Text {
        match self {
            StoreError::Locked { path } => tr!(
                "数据文件夹 {} 正被另一个 ruhu 使用（无法取得文件锁）；请先关闭另一个 ruhu 再试",
                "the data folder {} is in use by another ruhu (could not acquire its lock); close the other ruhu and try again",
                path.display()
            ),
            StoreError::TooNew { found, supported } => tr!(
                "数据文件夹由较新版本的 ruhu 写入（存储格式版本 {}，本程序最高支持 {}）；请升级 ruhu",
                "the data folder was written by a newer ruhu (store schema version {}, this ruhu reads up to {}); update ruhu",
                found,
                supported
            ),
            StoreError::Io { what, source } => {
                tr!(
                    "读写 {} 时出错：{}",
                    "input/output error on {}: {}",
                    what,
                    source
                )
            }
            StoreError::Engine { detail } => {
                tr!("存储引擎出错：{}", "storage engine error: {}", detail)
            }
            StoreError::Corrupt { what, detail } => {
                tr!("数据损坏（{}）：{}", "corrupt {}: {}", what, detail)
            }
            StoreError::NotEmpty { path } => tr!(
                "数据文件夹 {} 已有数据，只能把备份恢复到空文件夹",
                "the data folder {} already holds data: restore a backup into an empty folder",
                path.display()
            ),
            StoreError::Invalid(detail) => {
                tr!("无效的存储请求：{}", "invalid store request: {}", detail)
            }
        }
    }

    /// A stored record that cannot be read: what, and what is wrong with it.
    pub fn corrupt(what: impl Into<String>, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    pub(super) fn io(what: impl Into<String>, source: io::Error) -> StoreError {
        StoreError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Maps an engine error (no lock problem: see `open`).
impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            sled::Error::Io(source) => StoreError::io("the data folder", source),
            sled::Error::Corruption { at, .. } => StoreError::Corrupt {
                what: "the data folder".into(),
                detail: match at {
                    Some(at) => format!("the storage engine found damaged data at {at:?}"),
                    None => "the storage engine found damaged data".into(),
                },
            },
            other => StoreError::Engine {
                detail: other.to_string(),
            },
        }
    }
}

impl From<sled::transaction::TransactionError<StoreError>> for StoreError {
    fn from(e: sled::transaction::TransactionError<StoreError>) -> StoreError {
        match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => e.into(),
        }
    }
}
