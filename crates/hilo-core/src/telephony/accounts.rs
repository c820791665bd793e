//! Telephony accounts: the non-secret settings as JSON in `accounts.config`, the
//! password / secret / token in the keychain under `account:<name>`. Listing and
//! removing work for every account kind, so helpdesk and mailbox accounts reuse them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::telephony::Secret;
use hilo_connectors::telephony::ami::AmiSettings;
use hilo_connectors::telephony::cti::{CtiSettings, NumberFilter};
use hilo_connectors::telephony::esl::EslSettings;
use hilo_model::AccountKind;
use hilo_model::time::now_millis;
use hilo_store::accounts::{self, AccountRow};
use phonenumber::country;
use serde::{Deserialize, Serialize};

use super::tracker::{AgentEndpoint, e164};
use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::secrets::{AccountKeys, SecretError, SecretStore};

fn default_context() -> String {
    "from-internal".into()
}
fn default_event_mask() -> String {
    "call".into()
}
fn default_dialplan() -> String {
    "XML default".into()
}
fn default_keepalive() -> u64 {
    20
}
fn default_originate_timeout() -> u64 {
    30
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmiAccount {
    pub host: String,
    pub port: u16,
    pub username: String,
    /// The agent's phone: `PJSIP/1986`.
    pub endpoint: String,
    /// Dialplan context click-to-call dials the customer from.
    #[serde(default = "default_context")]
    pub context: String,
    #[serde(default = "default_event_mask")]
    pub event_mask: String,
    #[serde(default = "default_keepalive")]
    pub keepalive_secs: u64,
    #[serde(default = "default_originate_timeout")]
    pub originate_timeout_secs: u64,
    /// Replaces the `+` of E.164 when dialling (`00` for most of Europe); unset dials E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EslAccount {
    pub host: String,
    pub port: u16,
    /// The agent's phone as a dial string: `user/1000`.
    pub endpoint: String,
    /// Where click-to-call dials the customer: `XML default`.
    #[serde(default = "default_dialplan")]
    pub dialplan: String,
    #[serde(default = "default_keepalive")]
    pub keepalive_secs: u64,
    #[serde(default = "default_originate_timeout")]
    pub originate_timeout_secs: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CtiAccount {
    /// `127.0.0.1:PORT`; loopback only.
    pub listen: String,
    /// The agent's extension: calls to it raise the screen-pop.
    pub extension: String,
    /// Inbound callers the PBX is told to reject.
    #[serde(default)]
    pub blocked_numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelephonyAccount {
    Ami(AmiAccount),
    Esl(EslAccount),
    CtiWebhook(CtiAccount),
}

impl TelephonyAccount {
    pub fn kind(&self) -> AccountKind {
        match self {
            TelephonyAccount::Ami(_) => AccountKind::Ami,
            TelephonyAccount::Esl(_) => AccountKind::Esl,
            TelephonyAccount::CtiWebhook(_) => AccountKind::CtiWebhook,
        }
    }

    pub fn is_telephony(kind: AccountKind) -> bool {
        matches!(kind, AccountKind::Ami | AccountKind::Esl | AccountKind::CtiWebhook)
    }

    /// Reads a stored account; `None` for kinds that are not telephony.
    pub fn from_row(row: &AccountRow) -> Option<Result<TelephonyAccount>> {
        let bad = |e: serde_json::Error| {
            CoreError::InvalidInput(format!("the settings of account {:?} cannot be read: {e}", row.name))
        };
        Some(match row.kind {
            AccountKind::Ami => serde_json::from_str(&row.config).map(TelephonyAccount::Ami).map_err(bad),
            AccountKind::Esl => serde_json::from_str(&row.config).map(TelephonyAccount::Esl).map_err(bad),
            AccountKind::CtiWebhook => serde_json::from_str(&row.config).map(TelephonyAccount::CtiWebhook).map_err(bad),
            _ => return None,
        })
    }

    pub fn config_json(&self) -> String {
        let value = match self {
            TelephonyAccount::Ami(a) => serde_json::to_value(a),
            TelephonyAccount::Esl(a) => serde_json::to_value(a),
            TelephonyAccount::CtiWebhook(a) => serde_json::to_value(a),
        };
        value.map(|v| v.to_string()).unwrap_or_else(|_| "{}".into())
    }

    pub fn agent(&self) -> AgentEndpoint {
        match self {
            TelephonyAccount::Ami(a) => AgentEndpoint::new(&a.endpoint),
            TelephonyAccount::Esl(a) => AgentEndpoint::new(&a.endpoint),
            TelephonyAccount::CtiWebhook(a) => AgentEndpoint::new(&a.extension),
        }
    }

    pub fn can_place_calls(&self) -> bool {
        !matches!(self, TelephonyAccount::CtiWebhook(_))
    }

    /// The number as this PBX dials it: E.164, or with `dialPrefix` instead of `+`.
    pub fn dial_string(&self, e164_or_extension: &str) -> String {
        let prefix = match self {
            TelephonyAccount::Ami(a) => a.dial_prefix.as_deref(),
            TelephonyAccount::Esl(a) => a.dial_prefix.as_deref(),
            TelephonyAccount::CtiWebhook(_) => None,
        };
        match (prefix, e164_or_extension.strip_prefix('+')) {
            (Some(p), Some(rest)) => format!("{p}{rest}"),
            _ => e164_or_extension.to_owned(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        let word = |what: &str, v: &str| {
            if v.trim().is_empty() || v.len() > 256 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                Err(CoreError::InvalidInput(format!("{what} {v:?} must be one word without spaces")))
            } else {
                Ok(())
            }
        };
        let port = |p: u16| {
            if p == 0 { Err(CoreError::InvalidInput("the port must be between 1 and 65535".into())) } else { Ok(()) }
        };
        match self {
            TelephonyAccount::Ami(a) => {
                word("the host", &a.host)?;
                port(a.port)?;
                word("the user name", &a.username)?;
                word("the endpoint", &a.endpoint)?;
                word("the context", &a.context)?;
            }
            TelephonyAccount::Esl(a) => {
                word("the host", &a.host)?;
                port(a.port)?;
                word("the endpoint", &a.endpoint)?;
                if a.dialplan.chars().any(char::is_control) {
                    return Err(CoreError::InvalidInput("the dialplan must be one line".into()));
                }
            }
            TelephonyAccount::CtiWebhook(a) => {
                cti_listen_addr(&a.listen)?;
                word("the extension", &a.extension)?;
            }
        }
        Ok(())
    }
}

/// Parses and checks a CTI listen address: loopback only, since the webhook's token
/// travels in the URL and must never cross a network unencrypted.
pub fn cti_listen_addr(listen: &str) -> Result<SocketAddr> {
    let addr: SocketAddr = listen
        .trim()
        .parse()
        .map_err(|_| CoreError::InvalidInput(format!("{listen:?} is not an address like 127.0.0.1:8089")))?;
    if !addr.ip().is_loopback() {
        return Err(CoreError::InvalidInput(format!(
            "the CTI listener binds to loopback only (127.0.0.1 or [::1]), not {}; put a reverse proxy in front of it for a remote PBX",
            addr.ip()
        )));
    }
    if addr.port() == 0 {
        return Err(CoreError::InvalidInput("the CTI listener needs a fixed port".into()));
    }
    Ok(addr)
}

impl TelephonyAccount {
    pub fn ami_settings(a: &AmiAccount, secret: &str) -> AmiSettings {
        let mut s = AmiSettings::new(&a.host, a.port, &a.username, Secret::new(secret), &a.endpoint);
        s.originate_context = a.context.clone();
        s.event_mask = a.event_mask.clone();
        s.keepalive = Duration::from_secs(a.keepalive_secs.max(1));
        s.originate_timeout = Duration::from_secs(a.originate_timeout_secs.max(1));
        s
    }

    pub fn esl_settings(a: &EslAccount, secret: &str) -> EslSettings {
        let mut s = EslSettings::new(&a.host, a.port, Secret::new(secret), &a.endpoint);
        s.originate_dialplan = a.dialplan.clone();
        s.keepalive = Duration::from_secs(a.keepalive_secs.max(1));
        s.originate_timeout = Duration::from_secs(a.originate_timeout_secs.max(1));
        s
    }

    pub fn cti_settings(a: &CtiAccount, secret: &str, region: Option<country::Id>) -> Result<CtiSettings> {
        let mut s = CtiSettings::new(cti_listen_addr(&a.listen)?, Secret::new(secret));
        let blocked: Vec<String> = a.blocked_numbers.iter().map(|n| block_key(n, region)).collect();
        let filter: NumberFilter = Arc::new(move |from: &str| blocked.contains(&block_key(from, region)));
        s.blocked = filter;
        Ok(s)
    }
}

/// How a number is compared with the block list: E.164 when it parses, else its
/// digits without an international `00`, so `+34 999 000 111` and `0034999000111`
/// match even where the numbering plan does not know the number.
fn block_key(number: &str, region: Option<country::Id>) -> String {
    if let Some(n) = e164(number, region) {
        return n;
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("00") {
        Some(rest) if number.trim().starts_with("00") => rest.to_owned(),
        _ => digits,
    }
}

/// An account as `hilo accounts list` shows it: never its secret, only whether the
/// keychain has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub id: i64,
    pub name: String,
    pub kind: AccountKind,
    pub config: serde_json::Value,
    pub has_secret: bool,
    /// The keychain entry (service `dev.hilo.desktop`) that holds the secret, scoped to
    /// this workspace's cache; `None` for demo accounts, which have none.
    pub keychain_entry: Option<String>,
    /// Demo accounts are not reachable; connectors leave them alone.
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovedAccount {
    pub id: i64,
    pub name: String,
    pub kind: AccountKind,
    /// Calls go with their account (the schema cascades).
    pub calls_removed: i64,
}

pub(crate) fn secret_error(e: SecretError) -> CoreError {
    match e {
        SecretError::Unavailable(detail) => CoreError::KeychainUnavailable { detail },
        SecretError::Other(detail) => CoreError::Internal(format!("keychain: {detail}")),
    }
}

pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| CoreError::Internal(e.to_string()))?
}

fn validate_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.len() > 64 || name.chars().any(char::is_control) || name != name.trim() {
        return Err(CoreError::InvalidInput(format!(
            "{name:?} is not a usable account name (1–64 characters, no leading or trailing spaces)"
        )));
    }
    Ok(())
}

fn is_demo(config: &serde_json::Value) -> bool {
    config.get("demo").and_then(serde_json::Value::as_bool).unwrap_or(false)
}

/// Adds a telephony account: the secret goes to the keychain first (so a keychain
/// failure leaves nothing behind), then the settings to the cache.
pub async fn add_telephony_account(
    core: &AppCore,
    secrets: Arc<dyn SecretStore>,
    name: &str,
    account: TelephonyAccount,
    secret: String,
) -> Result<AccountInfo> {
    validate_name(name)?;
    account.validate()?;
    if secret.is_empty() {
        return Err(CoreError::InvalidInput("the secret is empty (it is read from standard input)".into()));
    }
    let lookup = name.to_owned();
    if core.store().read_async(move |c| accounts::by_name(c, &lookup)).await?.is_some() {
        return Err(CoreError::InvalidInput(format!(
            "an account named {name:?} already exists; remove it first (`hilo accounts remove {name}`) or pick another name"
        )));
    }
    let key = AccountKeys::of(core.store()).await?.name(name);
    let keychain_entry = Some(key.clone());
    {
        let secrets = secrets.clone();
        let key = key.clone();
        blocking(move || secrets.set(&key, &secret).map_err(secret_error)).await?;
    }
    let (owned_name, kind, config) = (name.to_owned(), account.kind(), account.config_json());
    let stored =
        core.store().write_async(move |tx| accounts::upsert(tx, &owned_name, kind, &config, now_millis())).await;
    let id = match stored {
        Ok(id) => id,
        Err(e) => {
            let _ = blocking(move || secrets.delete(&key).map_err(secret_error)).await;
            return Err(e.into());
        }
    };
    Ok(AccountInfo {
        id,
        name: name.to_owned(),
        kind: account.kind(),
        config: serde_json::from_str(&account.config_json()).unwrap_or_default(),
        has_secret: true,
        keychain_entry,
        demo: false,
    })
}

/// Every account, of every kind.
pub async fn list_accounts(core: &AppCore, secrets: Arc<dyn SecretStore>) -> Result<Vec<AccountInfo>> {
    let (rows, keys) = core.store().read_async(|c| Ok((accounts::list(c)?, AccountKeys::load(c)?))).await?;
    blocking(move || {
        rows.into_iter()
            .map(|row| {
                let config: serde_json::Value = serde_json::from_str(&row.config).unwrap_or_default();
                let demo = is_demo(&config);
                let has_secret = !demo && keys.get(secrets.as_ref(), &row.name).map_err(secret_error)?.is_some();
                let keychain_entry = (!demo).then(|| keys.name(&row.name));
                Ok(AccountInfo { id: row.id, name: row.name, kind: row.kind, config, has_secret, keychain_entry, demo })
            })
            .collect()
    })
    .await
}

/// Finds an account by name, else by id.
pub async fn find_account(core: &AppCore, name_or_id: &str) -> Result<AccountRow> {
    let key = name_or_id.to_owned();
    let rows = core.store().read_async(accounts::list).await?;
    rows.iter()
        .find(|r| r.name == key)
        .or_else(|| key.trim_start_matches('#').parse::<i64>().ok().and_then(|id| rows.iter().find(|r| r.id == id)))
        .cloned()
        .ok_or_else(|| CoreError::NotFound(format!("no account named {name_or_id:?} (see `hilo accounts list`)")))
}

/// Removes an account and its keychain secret. Its calls go with it.
pub async fn remove_account(core: &AppCore, secrets: Arc<dyn SecretStore>, name_or_id: &str) -> Result<RemovedAccount> {
    let row = find_account(core, name_or_id).await?;
    let id = row.id;
    let calls_removed = core
        .store()
        .write_async(move |tx| {
            let calls: i64 = tx.query_row("SELECT count(*) FROM calls WHERE account_id = ?1", [id], |r| r.get(0))?;
            tx.execute("DELETE FROM accounts WHERE id = ?1", [id])?;
            Ok(calls)
        })
        .await?;
    let keys = AccountKeys::of(core.store()).await?;
    let name = row.name.clone();
    blocking(move || keys.delete(secrets.as_ref(), &name).map_err(secret_error)).await?;
    Ok(RemovedAccount { id, name: row.name, kind: row.kind, calls_removed })
}

/// The telephony accounts connectors should follow: real (not demo) ones.
pub(crate) async fn followed_accounts(core: &AppCore) -> Result<Vec<(AccountRow, TelephonyAccount)>> {
    let rows = core.store().read_async(accounts::list).await?;
    let mut out = Vec::new();
    for row in rows {
        let demo = serde_json::from_str::<serde_json::Value>(&row.config).map(|c| is_demo(&c)).unwrap_or(false);
        if demo {
            continue;
        }
        if let Some(account) = TelephonyAccount::from_row(&row) {
            out.push((row, account?));
        }
    }
    Ok(out)
}
