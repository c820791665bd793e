//! Shared fixtures: a dovecot with the shared mailbox and a customer's mailbox, an SMTP
//! sink delivering into it, a cache, and the account wired to them.

use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::mail::{MailboxConfig, MailboxSource, Security, ServerAddr};
use hilo_core::sync::accounts::{EmailAccountConfig, MailSecurity};
use hilo_core::sync::{self, BackoffPolicy, SyncAccount, SyncConfig, SyncError, SyncReport};
use hilo_model::AccountKind;
use hilo_store::{CacheKey, Store, accounts};
use hilo_tests::dovecot::Dovecot;
use hilo_tests::smtp_sink::{Delivery, SinkConfig, SinkTls, SmtpSink};

pub const ACCOUNT: &str = "Buzón soporte";
pub const SUPPORT: &str = "support@example.com";
pub const SUPPORT_PASSWORD: &str = "imap-pass-7f3a";
pub const CLAUDIO: &str = "claudio@example.com";
pub const CLAUDIO_PASSWORD: &str = "claudio-pass";

pub struct Rig {
    pub dovecot: Dovecot,
    pub sink: SmtpSink,
    _dir: tempfile::TempDir,
    pub store: Store,
    pub account_id: i64,
}

impl Rig {
    pub fn start() -> Rig {
        Rig::with(Dovecot::start(&[(SUPPORT, SUPPORT_PASSWORD), (CLAUDIO, CLAUDIO_PASSWORD)]))
    }

    pub fn with(dovecot: Dovecot) -> Rig {
        Rig::secured(dovecot, SinkTls::None)
    }

    /// With the SMTP sink speaking TLS (`Wrapper`) or offering STARTTLS.
    pub fn secured(dovecot: Dovecot, tls: SinkTls) -> Rig {
        let sink = SmtpSink::start(SinkConfig {
            tls,
            credentials: Some((SUPPORT.into(), SUPPORT_PASSWORD.into())),
            delivery: Some(Delivery {
                imap_port: dovecot.imap_port,
                users: vec![(SUPPORT.into(), SUPPORT_PASSWORD.into()), (CLAUDIO.into(), CLAUDIO_PASSWORD.into())],
            }),
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("hilo.db"), CacheKey::from_bytes([9; 32])).expect("cache");
        let row = EmailAccountConfig {
            imap: format!("127.0.0.1:{}", dovecot.imap_port),
            smtp: format!("127.0.0.1:{}", sink.port),
            user: SUPPORT.into(),
            security: MailSecurity::None,
            mailbox: "INBOX".into(),
            address: None,
        };
        let json = serde_json::to_string(&row).expect("config json");
        let account_id =
            store.write(|tx| accounts::upsert(tx, ACCOUNT, AccountKind::Email, &json, 0)).expect("account row");
        Rig { dovecot, sink, _dir: dir, store, account_id }
    }

    /// The account as configured against this rig (small pages, short timeouts).
    pub fn config(&self, mailbox: &str) -> MailboxConfig {
        let mut cfg = MailboxConfig::new(
            ACCOUNT,
            ServerAddr::new("127.0.0.1", self.dovecot.imap_port),
            ServerAddr::new("127.0.0.1", self.sink.port),
            Security::None,
            SUPPORT,
            SUPPORT_PASSWORD.into(),
            mailbox,
            SUPPORT,
        );
        cfg.page_size = 2;
        cfg.timeout = Duration::from_secs(5);
        cfg
    }

    pub fn account(&self, cfg: MailboxConfig) -> SyncAccount {
        SyncAccount {
            id: self.account_id,
            name: ACCOUNT.into(),
            source: Arc::new(MailboxSource::new(cfg).expect("mailbox source")),
        }
    }

    pub async fn sync(&self, cfg: MailboxConfig) -> Result<SyncReport, SyncError> {
        sync::sync_once(&self.store, self.account(cfg), fast_config()).await
    }

    pub async fn sync_inbox(&self) -> SyncReport {
        self.sync(self.config("INBOX")).await.unwrap_or_else(|e| panic!("sync: {e}\n{}", self.dovecot.log()))
    }

    pub fn append(&self, mailbox: &str, raw: &str) {
        self.dovecot.append(SUPPORT, mailbox, raw);
    }

    /// One column of every row, as text.
    pub fn column(&self, sql: &str) -> Vec<String> {
        self.store
            .read(|c| {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get::<_, Option<String>>(0))?;
                Ok(rows.map(|r| r.map(Option::unwrap_or_default)).collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .expect("query")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.store.read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?)).expect("count")
    }

    /// (conversation remote id, message remote id) of every cached message of the account.
    pub fn threads(&self) -> Vec<(String, String)> {
        self.store
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT c.remote_id, coalesce(m.remote_id, '') FROM messages m
                     JOIN conversations c ON c.id = m.conversation_id ORDER BY m.created_at, m.id",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .expect("threads")
    }

    pub fn conversation_of(&self, message_id: &str) -> String {
        self.threads()
            .into_iter()
            .find(|(_, m)| m == message_id)
            .map(|(c, _)| c)
            .unwrap_or_else(|| panic!("{message_id} is not cached: {:?}", self.threads()))
    }

    pub fn local_conversation_id(&self, remote: &str) -> i64 {
        let sql = format!("SELECT id FROM conversations WHERE remote_id = '{}'", remote.replace('\'', "''"));
        self.count(&sql)
    }
}

/// Tiny backoffs so failure tests spend no time waiting.
pub fn fast_config() -> SyncConfig {
    SyncConfig {
        interval: Duration::from_secs(3600),
        backoff: BackoffPolicy { base: Duration::from_millis(2), max: Duration::from_millis(20) },
        outbox_lease: Duration::from_secs(2),
    }
}

/// A message as mail clients write it. `headers` are extra lines (In-Reply-To, …).
pub fn mail(id: Option<&str>, from: &str, to: &str, subject: &str, date: &str, headers: &[&str], body: &str) -> String {
    let mut out = String::new();
    if let Some(id) = id {
        out.push_str(&format!("Message-ID: <{id}>\r\n"));
    }
    out.push_str(&format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"));
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    out.push_str(body);
    out.push_str("\r\n");
    out
}
