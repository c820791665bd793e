//! IPC commands: each awaits the open workspace, calls one hilo-core function and maps
//! the error to `{ code, message }`.

pub mod inbox;
pub mod search;
pub mod sla;
// telephony
pub mod telephony;
pub mod timeline;
pub mod workspace;
