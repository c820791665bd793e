//! IPC commands: each awaits the open workspace, calls one hilo-core function and maps
//! the error to `{ code, message }`.

// Identity graph: customer context, merge, unmerge, dismiss.
pub mod customers;
// Composer, accounts in Settings, sync in the app (issue 3).
pub mod accounts;
pub mod composer;
pub mod inbox;
pub mod search;
pub mod sla;
// telephony
pub mod telephony;
// SLA settings editors and reports.
pub mod sla_config;
pub mod timeline;
pub mod workspace;
