//! Secrets (the cache key, later API tokens and PBX passwords) live only in the OS
//! keychain, behind `SecretStore` so tests can use memory and the app the real thing.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keychain could be reached at all (no Secret Service, locked, denied).
    #[error("{0}")]
    Unavailable(String),
    #[error("keychain error: {0}")]
    Other(String),
}

/// The keychain names of one cache's account secrets (API tokens, PBX and mailbox
/// passwords). The keychain is shared by every workspace on the desktop, so each name
/// carries the cache's random scope (setting `keychain.scope`, made by migration 0006):
/// two workspaces with an account called "Soporte" never read or overwrite each other's
/// secret. One name per account, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountKeys {
    scope: String,
}

/// Setting key of the cache's keychain scope.
pub const KEYCHAIN_SCOPE_SETTING: &str = "keychain.scope";

impl AccountKeys {
    /// Reads this cache's scope. Blocking.
    pub fn load(conn: &rusqlite::Connection) -> hilo_store::Result<AccountKeys> {
        let scope = hilo_store::settings::get(conn, KEYCHAIN_SCOPE_SETTING)?
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                hilo_store::StoreError::NotFound(format!("the keychain scope ({KEYCHAIN_SCOPE_SETTING})"))
            })?;
        Ok(AccountKeys { scope })
    }

    /// Reads this cache's scope.
    pub async fn of(store: &hilo_store::Store) -> hilo_store::Result<AccountKeys> {
        store.read_async(AccountKeys::load).await
    }

    /// The keychain entry of the account named `account`.
    pub fn name(&self, account: &str) -> String {
        format!("account:{}:{account}", self.scope)
    }

    /// The account's secret. A secret saved by a build before scopes (under
    /// `account:<name>`) is copied to the scoped entry on first read; the old entry is
    /// left for any other workspace that still reads it.
    pub fn get(&self, secrets: &dyn SecretStore, account: &str) -> Result<Option<String>, SecretError> {
        if let Some(secret) = secrets.get(&self.name(account))? {
            return Ok(Some(secret));
        }
        let Some(legacy) = secrets.get(&format!("account:{account}"))? else { return Ok(None) };
        secrets.set(&self.name(account), &legacy)?;
        Ok(Some(legacy))
    }

    /// Removes the account's secret, and a pre-scope entry carrying the same secret (the
    /// one it was copied from), so a removed account leaves nothing in the keychain.
    pub fn delete(&self, secrets: &dyn SecretStore, account: &str) -> Result<(), SecretError> {
        let scoped = secrets.get(&self.name(account))?;
        let legacy_name = format!("account:{account}");
        if scoped.is_some() && secrets.get(&legacy_name)? == scoped {
            secrets.delete(&legacy_name)?;
        }
        secrets.delete(&self.name(account))
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
}

/// For unit tests only: secrets vanish with the process.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    entries: Mutex<HashMap<String, String>>,
}

impl SecretStore for MemorySecretStore {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.entries.lock().map_err(|e| SecretError::Other(e.to_string()))?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entries.lock().map_err(|e| SecretError::Other(e.to_string()))?.insert(name.into(), value.into());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.entries.lock().map_err(|e| SecretError::Other(e.to_string()))?.remove(name);
        Ok(())
    }
}

/// The platform keychain through the keyring crate: Secret Service on Linux, Keychain
/// on macOS, Credential Manager on Windows.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    service: String,
}

pub const KEYRING_SERVICE: &str = "dev.hilo.desktop";

impl Default for KeyringSecretStore {
    fn default() -> Self {
        KeyringSecretStore { service: KEYRING_SERVICE.to_owned() }
    }
}

impl KeyringSecretStore {
    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name).map_err(map_err)
    }
}

fn map_err(e: keyring::Error) -> SecretError {
    match e {
        keyring::Error::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        keyring::Error::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Other(other.to_string()),
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.entry(name)?.set_password(value).map_err(map_err)?;
        // Read it back through a fresh entry: a store that accepts writes but does not
        // persist them (a mock, a session-only keyring) would lose the cache for good.
        match self.get(name)? {
            Some(v) if v == value => Ok(()),
            _ => Err(SecretError::Unavailable("the keychain accepted the key but did not keep it".into())),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use hilo_store::{CacheKey, Store};

    use super::*;

    fn cache(dir: &std::path::Path, name: &str) -> Store {
        Store::open(&dir.join(name), CacheKey::from_bytes([3; 32])).expect("open store")
    }

    #[test]
    fn two_caches_never_share_an_account_entry() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = cache(dir.path(), "a.db").read(AccountKeys::load).expect("scope a");
        let b = cache(dir.path(), "b.db").read(AccountKeys::load).expect("scope b");
        assert_ne!(a.name("Soporte"), b.name("Soporte"));
        let again = cache(dir.path(), "a.db").read(AccountKeys::load).expect("scope a again");
        assert_eq!(again, a, "the scope is stable across opens");

        let secrets = MemorySecretStore::default();
        secrets.set(&a.name("Soporte"), "token-a").expect("set");
        assert_eq!(b.get(&secrets, "Soporte").expect("get"), None, "b does not see a's token");
    }

    #[test]
    fn a_secret_saved_before_scopes_is_carried_over_on_first_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = cache(dir.path(), "a.db").read(AccountKeys::load).expect("scope");
        let secrets = MemorySecretStore::default();
        secrets.set("account:Soporte", "old-token").expect("set");
        assert_eq!(keys.get(&secrets, "Soporte").expect("get").as_deref(), Some("old-token"));
        assert_eq!(secrets.get(&keys.name("Soporte")).expect("get").as_deref(), Some("old-token"), "copied");
        assert_eq!(keys.get(&secrets, "Other").expect("get"), None);

        keys.delete(&secrets, "Soporte").expect("delete");
        assert_eq!(secrets.get(&keys.name("Soporte")).expect("get"), None);
        assert_eq!(secrets.get("account:Soporte").expect("get"), None, "the entry it came from goes too");
        secrets.set("account:Otra", "someone-else").expect("set");
        secrets.set(&keys.name("Otra"), "mine").expect("set");
        keys.delete(&secrets, "Otra").expect("delete");
        assert_eq!(
            secrets.get("account:Otra").expect("get").as_deref(),
            Some("someone-else"),
            "a different secret under the old name is not ours to remove"
        );
    }
}
