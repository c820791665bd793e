//! The shared-mailbox connector against a real dovecot and an SMTP sink that the tests
//! start themselves on loopback (tests/src/dovecot.rs, tests/src/smtp_sink.rs): threads,
//! hostile HTML, attachments, incremental sync, UIDVALIDITY resyncs, CONDSTORE flags,
//! replies over SMTP and their echo, TLS, and failures that name the account and lose
//! nothing.

mod faults;
mod replies;
mod support;
mod sync;
