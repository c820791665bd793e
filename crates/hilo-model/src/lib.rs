//! Hilo's domain vocabulary: ids, enums, the DTOs that cross IPC and the CLI's JSON,
//! and the identity normalization every layer agrees on. No I/O lives here.
//!
//! Every type that crosses IPC derives `TS` and is exported to `ui/src/bindings/` by
//! `cargo test -p hilo-model` (the generated files are committed; CI fails when stale).

// Composer, accounts in Settings, sync in the app (issue 3).
pub mod account_settings;
pub mod composer;
pub mod dto;
pub mod enums;
pub mod error;
pub mod identity;
pub mod identity_graph;
// Shared mailboxes: attachment metadata.
pub mod mail;
pub mod sla;
pub mod telephony;
// SLA configuration editors (Settings → policies, calendars, holidays).
pub mod sla_config;
// SLA state reported by the helpdesk itself (Chatwoot applied_sla).
pub mod sla_backend;
pub mod time;

pub use dto::*;
pub use enums::*;
pub use error::{ErrorCode, IpcError};
pub use identity::{
    IdentityInput, Lookup, NormalizedIdentity, normalize_email, normalize_handle, normalize_identity, normalize_phone,
    parse_lookup, parse_region,
};
pub use identity_graph::*;
pub use mail::MessageAttachment;
