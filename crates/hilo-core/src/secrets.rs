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

/// The keychain entry holding an account's secret (API token, PBX or mailbox password),
/// shared by every kind of account so one name never means two secrets.
pub fn account_secret_name(account_name: &str) -> String {
    format!("account:{account_name}")
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
