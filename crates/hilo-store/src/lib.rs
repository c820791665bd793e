//! Hilo's local cache: one SQLCipher-encrypted SQLite file per workspace.
//!
//! Invariants: every connection is keyed before it is used and gets the same PRAGMAs;
//! there is one writer connection and a small pool of readers; writes are IMMEDIATE
//! transactions; the async wrappers run rusqlite on blocking threads, never on the
//! executor. A file that cannot be decrypted is reported as [`StoreError::Unreadable`],
//! never treated as an empty cache.

mod error;
mod key;
mod migrations;
mod rows;

pub mod accounts;
pub mod calls;
pub mod conversations;
pub mod customers;
pub mod events;
pub mod inbox;
pub mod messages;
pub mod search;
pub mod settings;
pub mod sla;
// SLA configuration editors (Settings → policies, calendars, holidays).
pub mod sla_config;
// SLA state reported by the helpdesk (conversations.backend_sla).
pub mod sla_backend;
pub mod snippets;
pub mod stats;
pub mod timeline;
// Identity graph: merges, suggestions, the customer context panel.
pub mod customer_context;
pub mod merge_suggestions;
pub mod merges;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use error::{Result, StoreError};
pub use key::CacheKey;
pub use migrations::{MIGRATIONS, schema_version};

/// Readers kept open for reuse; more may be opened under load and are then dropped.
const READ_POOL_SIZE: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to the workspace cache. Cheap to clone; all clones share the connections.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    key: CacheKey,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if missing) the cache at `path` with `key`, and applies every
    /// pending migration. A file that exists but does not open with this key fails
    /// with [`StoreError::Unreadable`].
    pub fn open(path: &Path, key: CacheKey) -> Result<Store> {
        let mut writer = open_connection(path, &key, true)?;
        migrations::apply(&mut writer)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                key,
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a pooled read connection (blocking; see [`Store::read_async`]).
    pub fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R>) -> Result<R> {
        let conn = match lock(&self.inner.readers).pop() {
            Some(conn) => conn,
            None => open_connection(&self.inner.path, &self.inner.key, false)?,
        };
        let result = f(&conn);
        let mut pool = lock(&self.inner.readers);
        if pool.len() < READ_POOL_SIZE {
            pool.push(conn);
        }
        result
    }

    /// Runs `f` inside one IMMEDIATE transaction on the writer; commits when `f` returns Ok.
    pub fn write<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R>) -> Result<R> {
        let mut conn = lock(&self.inner.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// [`Store::read`] on a blocking thread.
    pub async fn read_async<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read(f)).await.map_err(StoreError::from_join)?
    }

    /// [`Store::write`] on a blocking thread.
    pub async fn write_async<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write(f)).await.map_err(StoreError::from_join)?
    }

    /// Folds the WAL back into the main file (used before the app exits and by tests).
    pub fn checkpoint(&self) -> Result<()> {
        lock(&self.inner.writer).execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a connection leaves SQLite itself consistent (the
    // transaction rolls back on drop), so the poisoned guard is still safe to use.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// SQLCipher sets up its crypto provider on the first keyed connection of the process,
/// and that set-up races: threads that key their first connections at the same moment
/// sometimes fail with "PRAGMA key requires a key of one or more characters". One keyed
/// in-memory connection, made before any other, runs the set-up alone.
fn warm_up_sqlcipher() {
    static WARM: std::sync::Once = std::sync::Once::new();
    WARM.call_once(|| {
        if let Ok(conn) = Connection::open_in_memory() {
            let _ = conn.execute_batch("PRAGMA key = 'warm-up'; SELECT count(*) FROM sqlite_master;");
        }
    });
}

fn open_connection(path: &Path, key: &CacheKey, create: bool) -> Result<Connection> {
    warm_up_sqlcipher();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::unreadable(path, e))?;
    // The key must be the first statement on the connection.
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex()))?;
    // Touching the schema is what makes SQLCipher check the key: a wrong key or a
    // damaged file fails here instead of looking like an empty cache later.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .map_err(|e| StoreError::unreadable(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(|e| StoreError::unreadable(path, e))?;
    Ok(conn)
}

#[cfg(test)]
mod tests;
// Identity graph: merge / unmerge round trips, chains, timeline filters.
#[cfg(test)]
mod merge_tests;

#[cfg(test)]
mod concurrency_tests {
    use super::*;

    #[test]
    fn stores_opened_at_the_same_moment_all_open() {
        // Before the warm-up, about 3 % of cold concurrent opens failed to key.
        let dir = tempfile::tempdir().expect("temp dir");
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let path = dir.path().join(format!("c{i}.db"));
                std::thread::spawn(move || Store::open(&path, CacheKey::from_bytes([i as u8; 32])).map(|_| ()))
            })
            .collect();
        for h in handles {
            h.join().expect("thread").expect("every concurrent open succeeds");
        }
    }
}
