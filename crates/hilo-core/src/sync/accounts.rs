//! Helpdesk accounts: adding a Chatwoot account (token to the keychain, the rest to the
//! `accounts` row) and wiring stored accounts to their sources for the sync runner.

use std::sync::Arc;

use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_connectors::mail::{MailboxConfig, MailboxSource, Security, ServerAddr};
use hilo_model::AccountKind;
use hilo_model::time::now_millis;
use hilo_store::Store;
use hilo_store::accounts::{self, AccountRow};
use phonenumber::country;
use serde::{Deserialize, Serialize};

use super::{SyncAccount, SyncStatus, read_status};
use crate::error::{CoreError, Result};
use crate::secrets::{AccountKeys, SecretStore};

/// The non-secret part of a Chatwoot account, as stored in `accounts.config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatwootAccountConfig {
    pub url: String,
    pub account_id: u64,
}

/// A Chatwoot server URL, trimmed and without a trailing slash; `http(s)://` required.
pub fn check_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err(CoreError::InvalidInput(format!(
            "{url:?} is not a server URL; give the Chatwoot address, e.g. https://chat.example.com"
        ))),
    }
}

/// Adds (or updates) a Chatwoot account. The token goes to the keychain first and only;
/// if the keychain refuses it, no account row is written.
pub async fn add_chatwoot_account(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
    name: &str,
    url: &str,
    account_id: u64,
    token: &str,
) -> Result<i64> {
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(CoreError::InvalidInput("the account needs a name".into()));
    }
    let url = check_url(url)?;
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(CoreError::InvalidInput("the access token is empty".into()));
    }
    let key = AccountKeys::of(store).await?.name(&name);
    tokio::task::spawn_blocking(move || secrets.set(&key, &token))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
        .map_err(|e| CoreError::KeychainUnavailable { detail: e.to_string() })?;
    let config = serde_json::to_string(&ChatwootAccountConfig { url, account_id })
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let now = now_millis();
    Ok(store.write_async(move |tx| accounts::upsert(tx, &name, AccountKind::Chatwoot, &config, now)).await?)
}

/// How to reach the helpdesks: the region for phone numbers and the HTTP timeouts.
#[derive(Debug, Clone, Copy)]
pub struct SourceOptions {
    pub region: country::Id,
    pub timeouts: HttpTimeouts,
}

/// A Chatwoot account row wired to its source; the token is read from the keychain.
pub fn chatwoot_account(
    row: &AccountRow,
    keys: &AccountKeys,
    secrets: &dyn SecretStore,
    options: SourceOptions,
) -> Result<SyncAccount> {
    let config: ChatwootAccountConfig = serde_json::from_str(&row.config).map_err(|e| {
        CoreError::InvalidInput(format!("account {:?} has an unreadable configuration ({e}); add it again", row.name))
    })?;
    let token = keys
        .get(secrets, &row.name)
        .map_err(|e| CoreError::KeychainUnavailable { detail: e.to_string() })?
        .ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "the keychain holds no access token for account {:?}; add it again with --token-stdin",
                row.name
            ))
        })?;
    let mut cw = ChatwootConfig::new(&row.name, &config.url, config.account_id, token, options.region);
    cw.timeouts = options.timeouts;
    let source = ChatwootSource::new(cw).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    Ok(SyncAccount { id: row.id, name: row.name.clone(), source: Arc::new(source) })
}

/// A shared-mailbox account row wired to its source; the password is read from the keychain.
pub fn email_account(
    row: &AccountRow,
    keys: &AccountKeys,
    secrets: &dyn SecretStore,
    options: SourceOptions,
) -> Result<SyncAccount> {
    let config: EmailAccountConfig = serde_json::from_str(&row.config).map_err(|e| {
        CoreError::InvalidInput(format!("account {:?} has an unreadable configuration ({e}); add it again", row.name))
    })?;
    let (imap_host, imap_port) = check_host_port("IMAP", &config.imap)?;
    let (smtp_host, smtp_port) = check_host_port("SMTP", &config.smtp)?;
    let address = config.from_address().map(str::to_owned).ok_or_else(|| {
        CoreError::InvalidInput(format!(
            "account {:?} has no From address for replies; add it again with --address",
            row.name
        ))
    })?;
    let password = keys
        .get(secrets, &row.name)
        .map_err(|e| CoreError::KeychainUnavailable { detail: e.to_string() })?
        .ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "the keychain holds no password for account {:?}; add it again with --password-stdin",
                row.name
            ))
        })?;
    let security = match config.security {
        MailSecurity::Tls => Security::Tls,
        MailSecurity::Starttls => Security::Starttls,
        MailSecurity::None => Security::None,
    };
    let mut cfg = MailboxConfig::new(
        &row.name,
        ServerAddr::new(&imap_host, imap_port),
        ServerAddr::new(&smtp_host, smtp_port),
        security,
        &config.user,
        password,
        &config.mailbox,
        &address,
    );
    // The HTTP request timeout bounds each mail server step the same way.
    cfg.timeout = options.timeouts.request.max(std::time::Duration::from_secs(1));
    let source = MailboxSource::new(cfg).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    Ok(SyncAccount { id: row.id, name: row.name.clone(), source: Arc::new(source) })
}

/// Every helpdesk account (optionally only the one called `only`), ready to sync.
pub async fn helpdesk_accounts(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
    options: SourceOptions,
    only: Option<&str>,
) -> Result<Vec<SyncAccount>> {
    let (rows, keys) = store.read_async(|c| Ok((accounts::list(c)?, AccountKeys::load(c)?))).await?;
    let only = only.map(str::to_owned);
    if let Some(name) = &only
        && !rows.iter().any(|r| &r.name == name)
    {
        return Err(CoreError::NotFound(format!("no account named {name:?} (see `hilo accounts list`)")));
    }
    let wanted: Vec<AccountRow> = rows
        .into_iter()
        .filter(|r| matches!(r.kind, AccountKind::Chatwoot | AccountKind::Email))
        // Demo accounts point nowhere; sync leaves them alone (`hilo sync` on a demo workspace).
        .filter(|r| !serde_json::from_str::<serde_json::Value>(&r.config).is_ok_and(|c| c["demo"] == true))
        .filter(|r| only.as_ref().is_none_or(|n| &r.name == n))
        .collect();
    if let Some(name) = &only
        && wanted.is_empty()
    {
        return Err(CoreError::InvalidInput(format!("account {name:?} is not a helpdesk account")));
    }
    tokio::task::spawn_blocking(move || {
        wanted
            .iter()
            .map(|r| match r.kind {
                AccountKind::Email => email_account(r, &keys, secrets.as_ref(), options),
                _ => chatwoot_account(r, &keys, secrets.as_ref(), options),
            })
            .collect()
    })
    .await
    .map_err(|e| CoreError::Internal(e.to_string()))?
}

/// Every account's sync status, by account id (accounts that never synced read idle).
pub async fn sync_statuses(store: &Store) -> Result<Vec<SyncStatus>> {
    Ok(store
        .read_async(|c| {
            let rows = accounts::list(c)?;
            rows.iter().map(|r| read_status(c, r.id)).collect::<hilo_store::Result<Vec<_>>>()
        })
        .await?)
}

/// How an email account reaches its servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS (IMAP 143, submission 587).
    Starttls,
    /// No encryption: only for a server on this machine (tests, a local bridge).
    None,
}

impl MailSecurity {
    pub fn parse(s: &str) -> Result<MailSecurity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" => Ok(MailSecurity::Tls),
            "starttls" => Ok(MailSecurity::Starttls),
            "none" | "plain" => Ok(MailSecurity::None),
            other => {
                Err(CoreError::InvalidInput(format!("{other:?} is not a mail security mode (tls, starttls, none)")))
            }
        }
    }
}

/// The non-secret part of a shared-mailbox account, as stored in `accounts.config`.
/// The password lives in the keychain under `secret_name(name)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAccountConfig {
    /// IMAP server as `host:port`.
    pub imap: String,
    /// SMTP server as `host:port`.
    pub smtp: String,
    pub user: String,
    #[serde(default)]
    pub security: MailSecurity,
    /// The mailbox to follow (default INBOX).
    #[serde(default = "default_mailbox")]
    pub mailbox: String,
    /// The From address of replies (default: the user name when it is an address).
    #[serde(default)]
    pub address: Option<String>,
}

fn default_mailbox() -> String {
    "INBOX".into()
}

/// `host:port`, with a port that is a number; the host is kept as written.
pub fn check_host_port(what: &str, value: &str) -> Result<(String, u16)> {
    let value = value.trim();
    let bad = || {
        CoreError::InvalidInput(format!("{value:?} is not a {what} address; give HOST:PORT, e.g. mail.example.com:993"))
    };
    let (host, port) = value.rsplit_once(':').ok_or_else(bad)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(bad());
    }
    let port: u16 = port.parse().map_err(|_| bad())?;
    if port == 0 {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

impl EmailAccountConfig {
    pub fn validate(&self) -> Result<()> {
        let (imap_host, _) = check_host_port("IMAP", &self.imap)?;
        let (smtp_host, _) = check_host_port("SMTP", &self.smtp)?;
        if self.security == MailSecurity::None {
            for host in [&imap_host, &smtp_host] {
                if !hilo_connectors::mail::net::is_loopback(host) {
                    return Err(CoreError::InvalidInput(format!(
                        "security none would send the password unencrypted to {host}; use tls or starttls \
                         (none is only for a server on this machine)"
                    )));
                }
            }
        }
        if self.user.trim().is_empty() {
            return Err(CoreError::InvalidInput("the mailbox user name is empty".into()));
        }
        if self.mailbox.trim().is_empty() {
            return Err(CoreError::InvalidInput("the mailbox name is empty".into()));
        }
        if let Some(address) = &self.address
            && !address.contains('@')
        {
            return Err(CoreError::InvalidInput(format!("{address:?} is not an email address")));
        }
        Ok(())
    }

    /// The From address of replies.
    pub fn from_address(&self) -> Option<&str> {
        self.address.as_deref().or(Some(self.user.as_str()).filter(|u| u.contains('@')))
    }
}

/// Adds (or updates) a shared-mailbox account. The password goes to the keychain first
/// and only; if the keychain refuses it, no account row is written.
pub async fn add_email_account(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
    name: &str,
    config: EmailAccountConfig,
    password: &str,
) -> Result<i64> {
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(CoreError::InvalidInput("the account needs a name".into()));
    }
    config.validate()?;
    if password.is_empty() {
        return Err(CoreError::InvalidInput("the mailbox password is empty".into()));
    }
    let key = AccountKeys::of(store).await?.name(&name);
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || secrets.set(&key, &password))
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
        .map_err(|e| CoreError::KeychainUnavailable { detail: e.to_string() })?;
    let config = serde_json::to_string(&config).map_err(|e| CoreError::Internal(e.to_string()))?;
    let now = now_millis();
    Ok(store.write_async(move |tx| accounts::upsert(tx, &name, AccountKind::Email, &config, now)).await?)
}

#[cfg(test)]
mod email_tests {
    use super::*;

    fn config() -> EmailAccountConfig {
        EmailAccountConfig {
            imap: "127.0.0.1:1143".into(),
            smtp: "127.0.0.1:1025".into(),
            user: "support@example.com".into(),
            security: MailSecurity::None,
            mailbox: "INBOX".into(),
            address: None,
        }
    }

    #[test]
    fn host_port_is_checked() {
        assert_eq!(check_host_port("IMAP", "mail.example.com:993").ok(), Some(("mail.example.com".into(), 993)));
        assert_eq!(check_host_port("IMAP", "[::1]:143").ok(), Some(("::1".into(), 143)));
        for bad in ["", "mail.example.com", "mail:0", "mail:99999", ":993", "a b:993"] {
            assert!(check_host_port("IMAP", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn config_validates_and_finds_the_from_address() {
        assert!(config().validate().is_ok());
        assert_eq!(config().from_address(), Some("support@example.com"));
        let c = EmailAccountConfig { user: "support".into(), ..config() };
        assert_eq!(c.from_address(), None);
        let c = EmailAccountConfig { address: Some("help@example.com".into()), ..c };
        assert_eq!(c.from_address(), Some("help@example.com"));
        assert!(EmailAccountConfig { address: Some("nope".into()), ..config() }.validate().is_err());
        assert!(EmailAccountConfig { user: " ".into(), ..config() }.validate().is_err());
        let remote = EmailAccountConfig { imap: "mail.example.com:143".into(), ..config() };
        assert!(remote.validate().is_err(), "no plain-text password to another machine");
        assert!(EmailAccountConfig { security: MailSecurity::Starttls, ..remote }.validate().is_ok());
        assert_eq!(MailSecurity::parse("STARTTLS").ok(), Some(MailSecurity::Starttls));
        assert!(MailSecurity::parse("ssl3").is_err());
    }

    #[test]
    fn stored_config_reads_back_with_defaults() {
        let json = r#"{"imap":"h:993","smtp":"h:465","user":"u@x.org"}"#;
        let c: EmailAccountConfig = serde_json::from_str(json).expect("config");
        assert_eq!(c.security, MailSecurity::Tls);
        assert_eq!(c.mailbox, "INBOX");
    }
}
