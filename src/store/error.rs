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
    #[error("input/output error on {}: {source}", what.en)]
    Io {
        /// What was being read or written, in both languages.
        what: Text,
        #[source]
        source: io::Error,
    },
    /// The data folder was deleted or moved away while the store was open: nothing written
    /// since reaches it.
    #[error(
        "the data folder {} was deleted or moved while ruhu was using it: what was entered since was not saved",
        path.display()
    )]
    Vanished { path: PathBuf },
    /// The store was opened read-only (a write-protected folder): it cannot be changed.
    #[error(
        "the data folder {} is read-only: it was opened for reading and cannot be changed",
        path.display()
    )]
    ReadOnly { path: PathBuf },
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
    /// A backup that cannot be restored: what is wrong and where. Nothing was restored.
    #[error("the backup cannot be restored: {}; nothing was restored", detail.en)]
    BadBackup { detail: Text },
    /// A household id that is empty or too long to store.
    #[error(
        "household id {start:?}… of {bytes} bytes cannot be stored (1 to {} bytes)",
        crate::limits::MAX_ID_BYTES
    )]
    BadId { start: String, bytes: usize },
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
                let why = crate::i18n::io_reason(source);
                Text::new(
                    format!("读写{}时出错：{}", what.zh, why.zh),
                    format!("input/output error on {}: {}", what.en, why.en),
                )
            }
            StoreError::Vanished { path } => tr!(
                "数据文件夹 {} 在使用中被删除或移走了：此后输入的内容没有保存",
                "the data folder {} was deleted or moved while ruhu was using it: what was entered since was not saved",
                path.display()
            ),
            StoreError::ReadOnly { path } => tr!(
                "数据文件夹 {} 是只读的：已以只读方式打开，不能保存更改",
                "the data folder {} is read-only: it was opened for reading and cannot be changed",
                path.display()
            ),
            StoreError::Engine { detail } => {
                tr!("存储引擎出错：{}", "storage engine error: {}", detail)
            }
            StoreError::Corrupt { what, detail } => tr!(
                "存储中的数据已损坏（{}：{}）；请运行 ruhu verify 检查，或从备份恢复",
                "corrupt data in the store ({}: {}); run ruhu verify, or restore a backup",
                what,
                detail
            ),
            StoreError::NotEmpty { path } => tr!(
                "数据文件夹 {} 已有数据，只能把备份恢复到空文件夹",
                "the data folder {} already holds data: restore a backup into an empty folder",
                path.display()
            ),
            StoreError::BadBackup { detail } => Text::new(
                format!("备份文件不能恢复：{}；没有恢复任何内容", detail.zh),
                format!(
                    "the backup cannot be restored: {}; nothing was restored",
                    detail.en
                ),
            ),
            StoreError::BadId { start, bytes } => tr!(
                "户编号 {}… 有 {} 字节，不能保存（应为 1 到 {} 字节）",
                "household id '{}…' of {} bytes cannot be stored (1 to {} bytes)",
                start,
                bytes,
                crate::limits::MAX_ID_BYTES
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

    pub(super) fn io(what: Text, source: io::Error) -> StoreError {
        StoreError::Io { what, source }
    }
}

/// Maps an engine error (no lock problem: see `open`).
impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            sled::Error::Io(source) => {
                StoreError::io(Text::new("数据文件夹", "the data folder"), source)
            }
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
