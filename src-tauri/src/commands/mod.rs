//! IPC commands: each awaits the open workspace, calls one hilo-core function and maps
//! the error to `{ code, message }`.

pub mod inbox;
pub mod search;
pub mod sla;
// SLA settings editors and reports.
pub mod sla_config;
pub mod timeline;
pub mod workspace;
