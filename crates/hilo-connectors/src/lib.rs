//! Connectors: each vendor's wire format and client, mapped to hilo-model types.
//! No SQLite here; hilo-core folds what connectors produce into the store.

pub mod helpdesk;
// Shared mailbox (IMAP + SMTP).
pub mod mail;
pub mod telephony;
