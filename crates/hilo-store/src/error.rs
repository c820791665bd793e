//! The store's one error type.

use std::path::Path;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but cannot be decrypted with this key, or is damaged.
    #[error("the local cache at {path} cannot be read ({detail}); it is damaged or was encrypted with another key")]
    Unreadable { path: String, detail: String },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the cache holds schema version {found}, newer than this build of Hilo understands ({known}); update Hilo")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("a blocking cache task failed: {0}")]
    Task(String),
}

impl StoreError {
    pub(crate) fn unreadable(path: &Path, e: rusqlite::Error) -> StoreError {
        StoreError::Unreadable { path: path.display().to_string(), detail: e.to_string() }
    }

    pub(crate) fn from_join(e: tokio::task::JoinError) -> StoreError {
        StoreError::Task(e.to_string())
    }
}
