//! The core's error: wraps the store's and the keychain's, and maps to IPC `{code, message}`.
//! Messages say what happened and what to do; they never contain secrets.

use hilo_model::{ErrorCode, IpcError};
use hilo_store::StoreError;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(
        "{0}. Nothing was deleted. To keep working, move it aside and start a fresh cache: \
         `hilo cache reset` or the button in the app (the old file is kept beside it)."
    )]
    CacheUnreadable(StoreError),
    #[error(
        "the keychain has no key for the local cache at {path}, so it cannot be decrypted \
         (a cache copied from another machine keeps its key in that machine's keychain). \
         Nothing was deleted. Move it aside and start fresh with `hilo cache reset` or the button in the app."
    )]
    CacheKeyMissing { path: String },
    #[error(
        "no OS keychain is reachable ({detail}). Hilo keeps the cache key only in the keychain and never \
         falls back to plaintext: on Linux start and unlock a Secret Service (GNOME Keyring or KWallet) \
         in your desktop session, on macOS unlock the login keychain, then try again."
    )]
    KeychainUnavailable { detail: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> CoreError {
        match e {
            StoreError::Unreadable { .. } => CoreError::CacheUnreadable(e),
            StoreError::NotFound(what) => CoreError::NotFound(format!("{what} not found")),
            StoreError::InvalidCursor(_) | StoreError::InvalidInput(_) => CoreError::InvalidInput(e.to_string()),
            other => CoreError::Store(other),
        }
    }
}

impl CoreError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> CoreError {
        CoreError::Io { context: context.into(), source }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::CacheUnreadable(_) => ErrorCode::CacheUnreadable,
            CoreError::CacheKeyMissing { .. } => ErrorCode::CacheKeyMissing,
            CoreError::KeychainUnavailable { .. } => ErrorCode::KeychainUnavailable,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            CoreError::Io { .. } => ErrorCode::Io,
            CoreError::Store(_) | CoreError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn to_ipc(&self) -> IpcError {
        IpcError { code: self.code(), message: self.to_string() }
    }
}
