//! Hilo's composition root, free of Tauri: opens a workspace (cache key from the
//! keychain, encrypted store), and holds the bodies of every command so that the CLI
//! and the desktop shell stay a few lines each.

pub mod app;
// Identity graph: customers, merges, suggestions, filtered timelines, export.
pub mod customers;
// Composer, accounts in Settings (issue 3).
pub mod account_settings;
pub mod composer;
pub mod demo;
pub mod error;
pub mod html;
pub mod language;
pub mod notify;
pub mod outbox;
pub mod secrets;
pub mod sla;
pub mod sync;
pub mod telephony;
pub mod workspace;

pub use app::AppCore;
pub use error::{CoreError, Result};
pub use notify::{DesktopNotification, DesktopNotifier, Notifier, NotifyError, RecordingNotifier, Urgency};
pub use secrets::{AccountKeys, KeyringSecretStore, MemorySecretStore, SecretError, SecretStore};
pub use workspace::{Workspace, reset_cache, resolve_workspace_dir};
