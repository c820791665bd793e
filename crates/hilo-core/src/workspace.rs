//! A workspace is a directory: `workspace.json` (its id; no secrets) and `hilo.db`
//! (the encrypted cache). The cache key lives in the keychain under the workspace id.

use std::path::{Path, PathBuf};

use hilo_model::CacheReset;
use hilo_store::{CacheKey, Store};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::secrets::{SecretError, SecretStore};

pub const DB_FILE: &str = "hilo.db";
const META_FILE: &str = "workspace.json";
pub const WORKSPACE_ENV: &str = "HILO_WORKSPACE";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    id: String,
    /// Ids of caches moved aside by `reset_cache`; their keys stay in the keychain.
    #[serde(default)]
    previous_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub dir: PathBuf,
    pub id: String,
}

/// `--workspace DIR`, else `$HILO_WORKSPACE`, else the platform data directory.
pub fn resolve_workspace_dir(arg: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = arg {
        return Ok(dir.to_owned());
    }
    if let Some(dir) = std::env::var_os(WORKSPACE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join("hilo").join("workspace")).ok_or_else(|| {
        CoreError::InvalidInput(format!(
            "no data directory on this system: pass --workspace DIR or set {WORKSPACE_ENV}"
        ))
    })
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| CoreError::Internal(format!("no system randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn read_meta(dir: &Path) -> Result<Option<Meta>> {
    let path = dir.join(META_FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) => serde_json::from_str(&s)
            .map(Some)
            .map_err(|e| CoreError::InvalidInput(format!("{} is not a Hilo workspace file: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CoreError::io(format!("reading {}", path.display()), e)),
    }
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let path = dir.join(META_FILE);
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    let body = serde_json::to_string_pretty(meta).map_err(|e| CoreError::Internal(e.to_string()))?;
    std::fs::write(&tmp, body).map_err(|e| CoreError::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path).map_err(|e| CoreError::io(format!("writing {}", path.display()), e))
}

impl Workspace {
    /// Reads the workspace at `dir`, creating the directory and its id on first use.
    pub fn load_or_create(dir: &Path) -> Result<Workspace> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(format!("creating workspace {}", dir.display()), e))?;
        let meta = match read_meta(dir)? {
            Some(m) => m,
            None => {
                let m = Meta { id: random_hex(16)?, previous_ids: Vec::new() };
                write_meta(dir, &m)?;
                m
            }
        };
        Ok(Workspace { dir: dir.to_owned(), id: meta.id })
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    fn key_name(&self) -> String {
        format!("cache-key:{}", self.id)
    }

    /// Opens the encrypted cache, making and storing its key on first use.
    pub fn open_store(&self, secrets: &dyn SecretStore) -> Result<Store> {
        let db = self.db_path();
        let keychain = |e: SecretError| CoreError::KeychainUnavailable { detail: e.to_string() };
        let key = match secrets.get(&self.key_name()).map_err(keychain)? {
            Some(hex) => {
                CacheKey::from_hex(&hex).map_err(|_| CoreError::CacheKeyMissing { path: db.display().to_string() })?
            }
            None if db.exists() => return Err(CoreError::CacheKeyMissing { path: db.display().to_string() }),
            None => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| CoreError::Internal(format!("no system randomness: {e}")))?;
                let key = CacheKey::from_bytes(bytes);
                // The key must be safely in the keychain before any data is encrypted with it.
                secrets.set(&self.key_name(), &key.to_hex()).map_err(keychain)?;
                key
            }
        };
        Ok(Store::open(&db, key)?)
    }
}

/// Moves an unreadable cache aside (renamed, never deleted) and gives the workspace a
/// new id, so the next open starts a fresh cache with a fresh key. The old key stays
/// in the keychain under the old id, so the old file can still be recovered.
pub fn reset_cache(dir: &Path) -> Result<CacheReset> {
    let mut meta = match read_meta(dir)? {
        Some(m) => m,
        None => Meta { id: random_hex(16)?, previous_ids: Vec::new() },
    };
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut moved_to = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let from = dir.join(format!("{DB_FILE}{suffix}"));
        if from.exists() {
            let to = dir.join(format!("{DB_FILE}{suffix}.unreadable-{stamp}-{}", &meta.id[..8.min(meta.id.len())]));
            std::fs::rename(&from, &to).map_err(|e| CoreError::io(format!("moving {} aside", from.display()), e))?;
            moved_to.push(to.display().to_string());
        }
    }
    meta.previous_ids.push(std::mem::replace(&mut meta.id, random_hex(16)?));
    write_meta(dir, &meta)?;
    Ok(CacheReset { moved_to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    /// A keychain that cannot be reached at all.
    struct NoKeychain;

    impl SecretStore for NoKeychain {
        fn get(&self, _: &str) -> Result<Option<String>, SecretError> {
            Err(SecretError::Unavailable("org.freedesktop.secrets was not provided by any .service files".into()))
        }
        fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("no keychain".into()))
        }
        fn delete(&self, _: &str) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("no keychain".into()))
        }
    }

    #[test]
    fn first_open_makes_a_key_in_the_keychain_and_later_opens_reuse_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = MemorySecretStore::default();
        let ws = Workspace::load_or_create(dir.path()).expect("workspace");
        drop(ws.open_store(&secrets).expect("first open"));
        let key = secrets.get(&ws.key_name()).expect("get").expect("a key was stored");
        assert_eq!(key.len(), 64, "256 bits in hex");
        let again = Workspace::load_or_create(dir.path()).expect("workspace");
        assert_eq!(again.id, ws.id, "the workspace id is stable");
        again.open_store(&secrets).expect("reopen with the stored key");
        let meta = std::fs::read_to_string(dir.path().join(META_FILE)).expect("meta");
        assert!(!meta.contains(&key), "the key never lands in workspace.json");
    }

    #[test]
    fn an_unreachable_keychain_stops_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = Workspace::load_or_create(dir.path()).expect("workspace");
        match ws.open_store(&NoKeychain) {
            Err(CoreError::KeychainUnavailable { detail }) => assert!(detail.contains("org.freedesktop.secrets")),
            other => panic!("expected KeychainUnavailable, got {other:?}"),
        }
        assert!(!ws.db_path().exists(), "no cache file without a key: never a plaintext fallback");
    }

    #[test]
    fn a_cache_without_its_key_is_reported_and_reset_keeps_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = Workspace::load_or_create(dir.path()).expect("workspace");
        drop(ws.open_store(&MemorySecretStore::default()).expect("open"));
        // Another machine's keychain (or a wiped one) has no key for this cache.
        let err = ws.open_store(&MemorySecretStore::default()).expect_err("must not open");
        assert!(matches!(err, CoreError::CacheKeyMissing { .. }), "{err:?}");
        let moved = reset_cache(dir.path()).expect("reset");
        assert!(
            !moved.moved_to.is_empty() && moved.moved_to.iter().all(|p| Path::new(p).exists()),
            "moved, not deleted"
        );
        let fresh = Workspace::load_or_create(dir.path()).expect("workspace");
        assert_ne!(fresh.id, ws.id, "a fresh cache gets a fresh id (the old key stays under the old one)");
        fresh.open_store(&MemorySecretStore::default()).expect("a fresh cache opens");
    }
}
