//! Accounts as Settings lists, adds, edits and removes them (`AccountSettings`, one
//! variant per kind). Secrets go to the keychain only and never come back out: a view
//! says whether one is stored, and an edit without a secret keeps the stored one (moving
//! it when the account is renamed). Settings the form does not show (keep-alive, event
//! mask…) survive an edit, because the form's fields are laid over the stored config.

use std::sync::Arc;

use hilo_model::AccountKind;
use hilo_model::account_settings::{
    AccountSave, AccountSettings, AccountSyncState, AccountView, MailSecurityMode, SyncStateEvent,
};
use hilo_model::time::now_millis;
use hilo_store::accounts::{self, AccountRow};
use serde_json::Value;

use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::secrets::{AccountKeys, SecretError, SecretStore};
use crate::sync::accounts::{ChatwootAccountConfig, EmailAccountConfig, check_url};
use crate::sync::{SyncState, SyncStatus};
use crate::telephony::{AmiAccount, CtiAccount, EslAccount, TelephonyAccount};

fn secret_error(e: SecretError) -> CoreError {
    match e {
        SecretError::Unavailable(detail) => CoreError::KeychainUnavailable { detail },
        SecretError::Other(detail) => CoreError::Internal(format!("keychain: {detail}")),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| CoreError::Internal(e.to_string()))?
}

/// Helpdesk and mailbox accounts sync; telephony accounts keep a live link instead.
pub fn syncs(kind: AccountKind) -> bool {
    matches!(kind, AccountKind::Chatwoot | AccountKind::Email)
}

fn is_demo(config: &Value) -> bool {
    config.get("demo").and_then(Value::as_bool).unwrap_or(false)
}

/// Reads a stored config as the form's settings; fields it lacks take their defaults.
pub fn settings_of(kind: AccountKind, config: &Value) -> AccountSettings {
    fn read<T: serde::de::DeserializeOwned + Default>(v: &Value) -> T {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }
    match kind {
        AccountKind::Chatwoot => AccountSettings::Chatwoot(read(config)),
        AccountKind::Email => AccountSettings::Email(read(config)),
        AccountKind::Ami => AccountSettings::Ami(read(config)),
        AccountKind::Esl => AccountSettings::Esl(read(config)),
        AccountKind::CtiWebhook => AccountSettings::CtiWebhook(read(config)),
    }
}

pub fn sync_state_event(status: &SyncStatus, name: &str) -> SyncStateEvent {
    SyncStateEvent {
        account_id: status.account_id,
        name: name.to_owned(),
        state: match status.state {
            SyncState::Idle => AccountSyncState::Idle,
            SyncState::Syncing => AccountSyncState::Syncing,
            SyncState::Offline => AccountSyncState::Offline,
            SyncState::Error => AccountSyncState::Error,
        },
        message: status.last_error.clone(),
        last_sync_at: status.last_sync_at,
    }
}

/// Every account, without secrets, with the persisted sync state of those that sync.
pub async fn list_account_views(core: &AppCore, secrets: Arc<dyn SecretStore>) -> Result<Vec<AccountView>> {
    let (rows, keys) = core.store().read_async(|c| Ok((accounts::list(c)?, AccountKeys::load(c)?))).await?;
    let statuses = crate::sync::accounts::sync_statuses(core.store()).await?;
    blocking(move || {
        rows.into_iter()
            .map(|row| {
                let config: Value = serde_json::from_str(&row.config).unwrap_or(Value::Null);
                let demo = is_demo(&config);
                let has_secret = !demo && keys.get(secrets.as_ref(), &row.name).map_err(secret_error)?.is_some();
                let sync = (syncs(row.kind) && !demo)
                    .then(|| statuses.iter().find(|s| s.account_id == row.id))
                    .flatten()
                    .map(|s| sync_state_event(s, &row.name));
                Ok(AccountView {
                    id: row.id,
                    name: row.name,
                    settings: settings_of(row.kind, &config),
                    has_secret,
                    demo,
                    sync,
                })
            })
            .collect()
    })
    .await
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput("the account needs a name of 1–64 characters on one line".into()));
    }
    Ok(name.to_owned())
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The form's fields laid over the stored config, checked by the kind's own rules.
fn merged_config(settings: &AccountSettings, stored: Option<&Value>) -> Result<String> {
    let bad = |e: serde_json::Error| CoreError::Internal(e.to_string());
    let form = match settings.clone() {
        AccountSettings::Chatwoot(c) => {
            let config = ChatwootAccountConfig { url: check_url(&c.url)?, account_id: c.account_id };
            if config.account_id == 0 {
                return Err(CoreError::InvalidInput(
                    "the Chatwoot account id is the number in its URLs (/app/accounts/ID/…)".into(),
                ));
            }
            serde_json::to_value(config).map_err(bad)?
        }
        AccountSettings::Email(e) => {
            let security = match e.security {
                MailSecurityMode::Tls => crate::sync::accounts::MailSecurity::Tls,
                MailSecurityMode::Starttls => crate::sync::accounts::MailSecurity::Starttls,
                MailSecurityMode::None => crate::sync::accounts::MailSecurity::None,
            };
            let mailbox = if e.mailbox.trim().is_empty() { "INBOX".to_owned() } else { e.mailbox.trim().to_owned() };
            let config = EmailAccountConfig {
                imap: e.imap.trim().to_owned(),
                smtp: e.smtp.trim().to_owned(),
                user: e.user.trim().to_owned(),
                security,
                mailbox,
                address: blank_to_none(e.address),
            };
            config.validate()?;
            serde_json::to_value(config).map_err(bad)?
        }
        AccountSettings::Ami(a) => {
            let mut v = serde_json::to_value(AmiAccount {
                host: a.host.trim().to_owned(),
                port: a.port,
                username: a.username.trim().to_owned(),
                endpoint: a.endpoint.trim().to_owned(),
                context: a.context.trim().to_owned(),
                event_mask: "call".into(),
                keepalive_secs: 20,
                originate_timeout_secs: 30,
                dial_prefix: blank_to_none(a.dial_prefix),
            })
            .map_err(bad)?;
            // Only what the form shows; the rest keeps its stored (or default) value.
            if let Some(o) = v.as_object_mut() {
                o.retain(|k, _| {
                    ["host", "port", "username", "endpoint", "context", "dialPrefix"].contains(&k.as_str())
                });
                o.entry("dialPrefix").or_insert(Value::Null);
            }
            v
        }
        AccountSettings::Esl(a) => {
            let mut v = serde_json::to_value(EslAccount {
                host: a.host.trim().to_owned(),
                port: a.port,
                endpoint: a.endpoint.trim().to_owned(),
                dialplan: a.dialplan.trim().to_owned(),
                keepalive_secs: 20,
                originate_timeout_secs: 30,
                dial_prefix: blank_to_none(a.dial_prefix),
            })
            .map_err(bad)?;
            if let Some(o) = v.as_object_mut() {
                o.retain(|k, _| ["host", "port", "endpoint", "dialplan", "dialPrefix"].contains(&k.as_str()));
                o.entry("dialPrefix").or_insert(Value::Null);
            }
            v
        }
        AccountSettings::CtiWebhook(c) => serde_json::to_value(CtiAccount {
            listen: c.listen.trim().to_owned(),
            extension: c.extension.trim().to_owned(),
            blocked_numbers: c
                .blocked_numbers
                .into_iter()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect(),
        })
        .map_err(bad)?,
    };
    let mut merged = stored.filter(|v| v.is_object()).cloned().unwrap_or_else(|| Value::Object(Default::default()));
    if let (Some(target), Value::Object(fields)) = (merged.as_object_mut(), form) {
        for (k, v) in fields {
            target.insert(k, v);
        }
        target.retain(|_, v| !v.is_null());
    }
    // The kind's own reader and rules decide, exactly as the connectors will read it.
    let row = AccountRow { id: 0, name: String::new(), kind: settings.kind(), config: merged.to_string() };
    if let Some(t) = TelephonyAccount::from_row(&row) {
        t?.validate()?;
    }
    Ok(merged.to_string())
}

/// Adds or edits an account. The secret goes to the keychain before the row is written;
/// if the row cannot be written the keychain is put back as it was.
pub async fn save_account(core: &AppCore, secrets: Arc<dyn SecretStore>, save: AccountSave) -> Result<AccountView> {
    let name = check_name(&save.name)?;
    let kind = save.settings.kind();
    let secret = save.secret.filter(|s| !s.trim().is_empty()).map(|s| s.trim_end_matches(['\r', '\n']).to_owned());
    let rows = core.store().read_async(accounts::list).await?;
    let existing = match save.id {
        Some(id) => Some(
            rows.iter()
                .find(|r| r.id == id)
                .cloned()
                .ok_or_else(|| CoreError::NotFound(format!("account {id} no longer exists")))?,
        ),
        None => None,
    };
    if rows.iter().any(|r| r.name == name && Some(r.id) != save.id) {
        return Err(CoreError::InvalidInput(format!("an account named {name:?} already exists; pick another name")));
    }
    let stored: Option<Value> = existing.as_ref().map(|r| serde_json::from_str(&r.config).unwrap_or(Value::Null));
    if let (Some(row), Some(config)) = (&existing, &stored) {
        if is_demo(config) {
            return Err(CoreError::InvalidInput(format!(
                "{:?} is a demo account and is not connected to anything; remove it and add your own",
                row.name
            )));
        }
        if row.kind != kind {
            return Err(CoreError::InvalidInput(format!(
                "{:?} is a {} account; to change its kind, remove it and add a new one",
                row.name, row.kind
            )));
        }
    }
    let config = merged_config(&save.settings, stored.as_ref())?;

    let keys = AccountKeys::of(core.store()).await?;
    let old_name = existing.as_ref().map(|r| r.name.clone());
    let old_key = old_name.as_deref().map(|n| keys.name(n));
    let new_key = keys.name(&name);
    // (what the new key held before, to put back on failure)
    let (previous, wrote) = {
        let (secrets, new_key, keys, old_name) = (secrets.clone(), new_key.clone(), keys.clone(), old_name.clone());
        blocking(move || {
            let previous = secrets.get(&new_key).map_err(secret_error)?;
            let value = match secret {
                Some(s) => s,
                None => match &old_name {
                    Some(n) => keys.get(secrets.as_ref(), n).map_err(secret_error)?.ok_or_else(|| {
                        CoreError::InvalidInput("the keychain holds no secret for this account; enter it".into())
                    })?,
                    None => return Err(CoreError::InvalidInput("a new account needs its token or password".into())),
                },
            };
            let wrote = previous.as_deref() != Some(value.as_str());
            if wrote {
                secrets.set(&new_key, &value).map_err(secret_error)?;
            }
            Ok((previous, wrote))
        })
        .await?
    };

    let (row_name, id) = (name.clone(), save.id);
    let written = core
        .store()
        .write_async(move |tx| match id {
            Some(id) => {
                tx.prepare_cached("UPDATE accounts SET name = ?2, config = ?3 WHERE id = ?1")?
                    .execute(rusqlite::params![id, row_name, config])?;
                Ok(id)
            }
            None => accounts::upsert(tx, &row_name, kind, &config, now_millis()),
        })
        .await;
    let id = match written {
        Ok(id) => id,
        Err(e) => {
            if wrote {
                let (secrets, new_key) = (secrets.clone(), new_key.clone());
                let _ = blocking(move || {
                    match previous {
                        Some(p) => secrets.set(&new_key, &p),
                        None => secrets.delete(&new_key),
                    }
                    .map_err(secret_error)
                })
                .await;
            }
            return Err(e.into());
        }
    };
    if let Some(old) = old_name.filter(|_| old_key.as_ref().is_some_and(|k| *k != new_key)) {
        // Renamed: the secret now lives under the new name only.
        blocking(move || keys.delete(secrets.as_ref(), &old).map_err(secret_error)).await?;
    }
    let views = list_account_views(core, Arc::new(crate::secrets::MemorySecretStore::default())).await?;
    let mut view = views
        .into_iter()
        .find(|v| v.id == id)
        .ok_or_else(|| CoreError::Internal("the saved account vanished".into()))?;
    view.has_secret = true;
    Ok(view)
}

/// Removes an account (its conversations, calls and outbox go with it) and its secret.
pub async fn remove_account(core: &AppCore, secrets: Arc<dyn SecretStore>, id: i64) -> Result<String> {
    let row = core
        .store()
        .read_async(accounts::list)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| CoreError::NotFound(format!("account {id} no longer exists")))?;
    let name = row.name.clone();
    crate::telephony::remove_account(core, secrets, &row.name).await?;
    Ok(name)
}

/// A helpdesk account the app follows, wired to its source or with the reason it cannot
/// be (no token in the keychain, unreadable settings, a kind with no connector yet).
pub enum FollowedAccount {
    Ready(crate::sync::SyncAccount),
    Broken { id: i64, name: String, error: CoreError },
}

/// Every real (non-demo) account that syncs, each wired on its own so one broken
/// account does not stop the others.
pub async fn followed_helpdesk_accounts(core: &AppCore, secrets: Arc<dyn SecretStore>) -> Result<Vec<FollowedAccount>> {
    let rows = core.store().read_async(accounts::list).await?;
    let region = core.default_region().await?.unwrap_or(phonenumber::country::Id::US);
    let options = crate::sync::accounts::SourceOptions {
        region,
        timeouts: hilo_connectors::helpdesk::http::HttpTimeouts::default(),
    };
    let mut out = Vec::new();
    for row in rows {
        let demo = serde_json::from_str::<Value>(&row.config).map(|c| is_demo(&c)).unwrap_or(false);
        if !syncs(row.kind) || demo {
            continue;
        }
        match crate::sync::accounts::helpdesk_accounts(core.store(), secrets.clone(), options, Some(&row.name)).await {
            Ok(wired) => out.extend(wired.into_iter().map(FollowedAccount::Ready)),
            Err(error) => out.push(FollowedAccount::Broken { id: row.id, name: row.name, error }),
        }
    }
    Ok(out)
}

/// What a sync cycle may have changed, cheaply compared before and after: new messages
/// or conversations, remote updates, outbox items delivered or failed.
pub async fn sync_fingerprint(core: &AppCore, account_id: i64) -> Result<[i64; 5]> {
    Ok(core
        .store()
        .read_async(move |c| {
            Ok(c.query_row(
                "SELECT (SELECT coalesce(max(id), 0) FROM messages),
                        (SELECT coalesce(max(id), 0) FROM conversations),
                        (SELECT coalesce(max(remote_updated_at), 0) FROM conversations WHERE account_id = ?1),
                        (SELECT count(*) FROM outbox WHERE account_id = ?1 AND state = 'delivered'),
                        (SELECT count(*) FROM outbox WHERE account_id = ?1 AND state = 'failed')",
                [account_id],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]),
            )?)
        })
        .await?)
}
