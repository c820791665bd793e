//! Helpdesk accounts: adding a Chatwoot account (token to the keychain, the rest to the
//! `accounts` row) and wiring stored accounts to their sources for the sync runner.

use std::sync::Arc;

use hilo_connectors::helpdesk::chatwoot::{ChatwootConfig, ChatwootSource};
use hilo_connectors::helpdesk::http::HttpTimeouts;
use hilo_model::AccountKind;
use hilo_model::time::now_millis;
use hilo_store::Store;
use hilo_store::accounts::{self, AccountRow};
use phonenumber::country;
use serde::{Deserialize, Serialize};

use super::{SyncAccount, SyncStatus, read_status};
use crate::error::{CoreError, Result};
use crate::secrets::SecretStore;

/// The non-secret part of a Chatwoot account, as stored in `accounts.config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatwootAccountConfig {
    pub url: String,
    pub account_id: u64,
}

pub use crate::secrets::account_secret_name as secret_name;

fn check_url(url: &str) -> Result<String> {
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
    let key = secret_name(&name);
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
pub fn chatwoot_account(row: &AccountRow, secrets: &dyn SecretStore, options: SourceOptions) -> Result<SyncAccount> {
    let config: ChatwootAccountConfig = serde_json::from_str(&row.config).map_err(|e| {
        CoreError::InvalidInput(format!("account {:?} has an unreadable configuration ({e}); add it again", row.name))
    })?;
    let token = secrets
        .get(&secret_name(&row.name))
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

/// Every helpdesk account (optionally only the one called `only`), ready to sync.
pub async fn helpdesk_accounts(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
    options: SourceOptions,
    only: Option<&str>,
) -> Result<Vec<SyncAccount>> {
    let rows = store.read_async(accounts::list).await?;
    let only = only.map(str::to_owned);
    if let Some(name) = &only
        && !rows.iter().any(|r| &r.name == name)
    {
        return Err(CoreError::NotFound(format!("no account named {name:?} (see `hilo accounts list`)")));
    }
    let wanted: Vec<AccountRow> = rows
        .into_iter()
        .filter(|r| r.kind == AccountKind::Chatwoot)
        .filter(|r| only.as_ref().is_none_or(|n| &r.name == n))
        .collect();
    if let Some(name) = &only
        && wanted.is_empty()
    {
        return Err(CoreError::InvalidInput(format!("account {name:?} is not a helpdesk account")));
    }
    tokio::task::spawn_blocking(move || wanted.iter().map(|r| chatwoot_account(r, secrets.as_ref(), options)).collect())
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
