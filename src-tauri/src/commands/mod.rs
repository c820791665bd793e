//! IPC commands: each awaits the open workspace, calls one hilo-core function and maps
//! the error to `{ code, message }`.

// Composer, accounts in Settings, sync in the app (issue 3).
pub mod accounts;
pub mod composer;
pub mod inbox;
pub mod search;
pub mod sla;
pub mod timeline;
pub mod workspace;
