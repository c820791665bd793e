//! The sync runner: one loop per helpdesk account that delivers the account's outbox
//! and mirrors its conversations into the cache.
//!
//! Invariants: a page and the cursor after it are written in ONE transaction, so a crash
//! leaves both or neither; pages are upserts by remote id, so re-applying one is
//! harmless; the cursor therefore never runs ahead of committed data. The loop selects
//! over a tick (missed ticks skipped), a "sync now" command and cancellation; failures
//! back off exponentially with jitter and honour `Retry-After`. The account's state
//! (idle / syncing / offline / error) is persisted in `sync_state` and published.

pub mod accounts;
pub mod apply;
pub mod backoff;
// Shared mailboxes: mail facts, thread index, Hilo-owned conversation state.
pub mod mail;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hilo_connectors::helpdesk::{ConversationSource, LocalProgress, SourceError};
use hilo_model::time::now_millis;
use hilo_store::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

pub use apply::{ApplyStats, PreparedPage, apply_page, prepare};
pub use backoff::BackoffPolicy;

use crate::outbox::{self, DeliveryReport};

/// How one account's loop paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncConfig {
    /// Between two syncs when all is well.
    pub interval: Duration,
    /// After failures (the account's loop and each outbox item).
    pub backoff: BackoffPolicy,
    /// How long a claimed outbox item stays claimed before another attempt may take it
    /// over (a process that died mid-send leaves its claim behind).
    pub outbox_lease: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            interval: Duration::from_secs(60),
            backoff: BackoffPolicy::default(),
            outbox_lease: Duration::from_secs(120),
        }
    }
}

/// Where an account's sync stands, as the UI and `hilo accounts list` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncState {
    Idle,
    Syncing,
    /// The server cannot be reached; retrying with backoff.
    Offline,
    /// Something needs attention (or the server keeps failing); see `last_error`.
    Error,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Idle => "idle",
            SyncState::Syncing => "syncing",
            SyncState::Offline => "offline",
            SyncState::Error => "error",
        }
    }

    fn parse(s: &str) -> SyncState {
        match s {
            "syncing" => SyncState::Syncing,
            "offline" => SyncState::Offline,
            "error" => SyncState::Error,
            _ => SyncState::Idle,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub account_id: i64,
    pub state: SyncState,
    pub last_error: Option<String>,
    /// When the last complete sync ended (ms since the epoch).
    pub last_sync_at: Option<i64>,
    pub updated_at: i64,
}

impl SyncStatus {
    fn idle(account_id: i64) -> SyncStatus {
        SyncStatus { account_id, state: SyncState::Idle, last_error: None, last_sync_at: None, updated_at: 0 }
    }
}

/// The persisted status of one account (idle when it never synced).
pub fn read_status(conn: &Connection, account_id: i64) -> hilo_store::Result<SyncStatus> {
    let row = conn
        .prepare_cached("SELECT state, last_error, last_sync_at, updated_at FROM sync_state WHERE account_id = ?1")?
        .query_row([account_id], |r| {
            Ok(SyncStatus {
                account_id,
                state: SyncState::parse(&r.get::<_, String>(0)?),
                last_error: r.get(1)?,
                last_sync_at: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_else(|| SyncStatus::idle(account_id)))
}

fn write_status(conn: &Connection, s: &SyncStatus) -> hilo_store::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_state (account_id, state, last_error, last_sync_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(account_id) DO UPDATE SET state = excluded.state, last_error = excluded.last_error,
             last_sync_at = coalesce(excluded.last_sync_at, sync_state.last_sync_at), updated_at = excluded.updated_at",
    )?
    .execute(params![s.account_id, s.state.as_str(), s.last_error, s.last_sync_at, s.updated_at])?;
    Ok(())
}

/// Why a sync cycle stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("the local cache: {0}")]
    Store(#[from] StoreError),
}

impl SyncError {
    fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Source(e) => e.retry_after(),
            SyncError::Store(_) => None,
        }
    }

    fn state(&self) -> SyncState {
        match self {
            SyncError::Source(e) if e.is_offline() => SyncState::Offline,
            _ => SyncState::Error,
        }
    }
}

impl From<SyncError> for crate::CoreError {
    fn from(e: SyncError) -> crate::CoreError {
        match e {
            SyncError::Store(s) => s.into(),
            SyncError::Source(s) => match s {
                SourceError::NotFound { .. } => crate::CoreError::NotFound(s.to_string()),
                SourceError::Unauthorized { .. }
                | SourceError::AuthFailed { .. }
                | SourceError::Config { .. }
                | SourceError::Rejected { .. } => crate::CoreError::InvalidInput(s.to_string()),
                other => crate::CoreError::io("syncing", std::io::Error::other(other.to_string())),
            },
        }
    }
}

/// The cache as the source sees it: what it already holds for this account.
struct StoreProgress {
    store: Store,
    account_id: i64,
}

impl LocalProgress for StoreProgress {
    fn last_synced_message(&self, conversation_remote_id: &str) -> Result<Option<i64>, String> {
        self.store
            .read(|c| apply::last_synced_message(c, self.account_id, conversation_remote_id))
            .map_err(|e| e.to_string())
    }

    fn threads_of(&self, message_ids: &[String]) -> Result<Vec<(String, String)>, String> {
        self.store.read(|c| mail::threads_of(c, self.account_id, message_ids)).map_err(|e| e.to_string())
    }
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub pages: usize,
    pub conversations: usize,
    pub messages: usize,
    pub reconciled: usize,
    pub delivered: usize,
    pub failed: usize,
}

/// One account wired to its source.
#[derive(Clone)]
pub struct SyncAccount {
    pub id: i64,
    pub name: String,
    pub source: Arc<dyn ConversationSource>,
}

impl std::fmt::Debug for SyncAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncAccount").field("id", &self.id).field("name", &self.name).finish_non_exhaustive()
    }
}

/// Runs sync cycles for one account and records its state.
pub struct SyncRunner {
    store: Store,
    account: SyncAccount,
    config: SyncConfig,
    status: watch::Sender<SyncStatus>,
    /// Pages committed and outbox items settled, ever: a failed cycle that still moved
    /// forward does not deepen the backoff (a flaky server is not a dead one).
    progress: AtomicUsize,
}

impl SyncRunner {
    pub fn new(store: Store, account: SyncAccount, config: SyncConfig) -> SyncRunner {
        let (status, _) = watch::channel(SyncStatus::idle(account.id));
        SyncRunner { store, account, config, status, progress: AtomicUsize::new(0) }
    }

    async fn set_state(&self, state: SyncState, error: Option<String>, finished: bool) -> Result<(), SyncError> {
        let now = now_millis();
        let status = SyncStatus {
            account_id: self.account.id,
            state,
            last_error: error,
            last_sync_at: finished.then_some(now),
            updated_at: now,
        };
        let s = status.clone();
        self.store.write_async(move |tx| write_status(tx, &s)).await?;
        let mut published = status;
        if published.last_sync_at.is_none() {
            published.last_sync_at = self.status.borrow().last_sync_at;
        }
        self.status.send_replace(published);
        Ok(())
    }

    /// Delivers the outbox, then pulls pages until the source is caught up.
    pub async fn cycle(&self) -> Result<SyncReport, SyncError> {
        self.set_state(SyncState::Syncing, None, false).await?;
        let result = self.cycle_inner().await;
        match &result {
            Ok(_) => self.set_state(SyncState::Idle, None, true).await?,
            Err(e) => self.set_state(e.state(), Some(e.to_string()), false).await?,
        }
        result
    }

    async fn cycle_inner(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let mut delivery = DeliveryReport::default();
        let delivered = outbox::deliver_due(
            &self.store,
            self.account.id,
            self.account.source.as_ref(),
            &self.config,
            &mut delivery,
        )
        .await;
        self.progress.fetch_add(delivery.delivered + delivery.failed, Ordering::Relaxed);
        delivered?;
        report.delivered = delivery.delivered;
        report.failed = delivery.failed;
        let account_id = self.account.id;
        let mut cursor = self.store.read_async(move |c| apply::read_cursor(c, account_id)).await?;
        let progress: Arc<dyn LocalProgress> = Arc::new(StoreProgress { store: self.store.clone(), account_id });
        let cycle_started = now_millis();
        loop {
            let page = self.account.source.pull(cursor.clone(), progress.clone()).await?;
            // A pass resumed from an earlier (interrupted) run does not cover what changed
            // since it began: go on with a fresh pass, so a cycle always ends up to date.
            let more = page.more || page.caught_up_from.is_some_and(|t| t < cycle_started);
            let store = self.store.clone();
            let (stats, next) = tokio::task::spawn_blocking(move || {
                let prepared = apply::prepare(page);
                let next = prepared.next_cursor.clone();
                store.write(|tx| apply::apply_page(tx, account_id, &prepared, now_millis())).map(|s| (s, next))
            })
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
            report.pages += 1;
            self.progress.fetch_add(1, Ordering::Relaxed);
            report.conversations += stats.conversations;
            report.messages += stats.messages;
            report.reconciled += stats.reconciled;
            cursor = Some(next);
            if !more {
                return Ok(report);
            }
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    async fn run(self, mut commands: mpsc::Receiver<SyncCommand>, mut cancel: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.config.interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut failures: u32 = 0;
        // After a failure: when to try again (the tick is ignored until then).
        let mut retry_at: Option<Instant> = None;
        // After a success: when the next outbox item in backoff becomes due.
        let mut due_at: Option<Instant> = None;
        loop {
            let wake = retry_at.or(due_at);
            tokio::select! {
                biased;
                _ = cancel.changed() => break,
                cmd = commands.recv() => match cmd {
                    // "Sync now" also cuts a backoff short: the agent asked for it.
                    Some(SyncCommand::SyncNow) => {}
                    None => break,
                },
                _ = tick.tick(), if retry_at.is_none() => {}
                _ = tokio::time::sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {}
            }
            if *cancel.borrow() {
                break;
            }
            let progress_before = self.progress.load(Ordering::Relaxed);
            let outcome = tokio::select! {
                biased;
                _ = cancel.changed() => break,
                r = self.cycle() => r,
            };
            due_at = None;
            match outcome {
                Ok(_) => {
                    failures = 0;
                    retry_at = None;
                    let (store, account_id) = (self.store.clone(), self.account.id);
                    if let Ok(Some(wait)) = store.read_async(move |c| outbox::next_due(c, account_id)).await {
                        due_at = Some(Instant::now() + wait);
                    }
                }
                Err(e) => {
                    let moved = self.progress.load(Ordering::Relaxed) > progress_before;
                    failures = if moved { 1 } else { failures.saturating_add(1) };
                    let delay = self.config.backoff.delay(failures, e.retry_after());
                    retry_at = Some(Instant::now() + delay);
                }
            }
        }
    }
}

/// Commands a `SyncHandle` sends to its loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCommand {
    /// Sync (and deliver the outbox) right away, even during a backoff.
    SyncNow,
}

/// A running account loop. Dropping it stops the loop.
pub struct SyncHandle {
    account_id: i64,
    commands: mpsc::Sender<SyncCommand>,
    status: watch::Receiver<SyncStatus>,
    cancel: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHandle").field("account_id", &self.account_id).finish_non_exhaustive()
    }
}

impl SyncHandle {
    pub fn account_id(&self) -> i64 {
        self.account_id
    }

    /// Asks for a sync now; a no-op when one is already requested.
    pub fn sync_now(&self) {
        // A full queue means a sync is already requested; nothing is lost.
        let _ = self.commands.try_send(SyncCommand::SyncNow);
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Updates whenever the state changes (for the UI's event bridge).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops the loop and waits for it; a page being written is committed or rolled
    /// back as a whole, never half.
    pub async fn shutdown(mut self) {
        let _ = self.cancel.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.cancel.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts `account`'s loop on the current Tokio runtime; the first sync runs at once.
pub fn spawn_sync(store: Store, account: SyncAccount, config: SyncConfig) -> SyncHandle {
    let runner = SyncRunner::new(store, account, config);
    let account_id = runner.account.id;
    let status = runner.subscribe();
    let (commands, rx) = mpsc::channel(1);
    let (cancel, cancel_rx) = watch::channel(false);
    let task = tokio::spawn(runner.run(rx, cancel_rx));
    SyncHandle { account_id, commands, status, cancel, task: Some(task) }
}

/// One cycle (outbox, then every page until caught up), for `hilo sync --once` and tests.
pub async fn sync_once(store: &Store, account: SyncAccount, config: SyncConfig) -> Result<SyncReport, SyncError> {
    SyncRunner::new(store.clone(), account, config).cycle().await
}
