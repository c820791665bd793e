//! The telephony runner: one connector task per account (reconnecting with backoff),
//! one blocking recorder thread folding their events into stored calls and
//! screen-pops, and a handle for click-to-call and shutdown. Dropping the handle
//! stops everything.

use std::sync::Arc;
use std::time::Duration;

use hilo_connectors::telephony::ami::{AmiSource, validate_dial_number};
use hilo_connectors::telephony::cti::CtiSource;
use hilo_connectors::telephony::esl::EslSource;
use hilo_connectors::telephony::{
    Backoff, CallEventKind, LinkState, OriginateOutcome, SourceCommand, SourceEvent, TelephonyError, TelephonySource,
    run_source,
};
pub use hilo_model::telephony::PlacedCall;
use hilo_model::time::now_millis;
use hilo_store::accounts::AccountRow;
use phonenumber::country;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::accounts::{TelephonyAccount, blocking, followed_accounts, secret_error};
use super::calls;
use super::recorder::{CallRecorder, TelephonyEvent};
use super::screen_pop::Language;
use super::tracker::e164;
use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::notify::Notifier;
use crate::secrets::AccountKeys;
use crate::secrets::SecretStore;

#[derive(Debug, Clone, Default)]
pub struct TelephonyOptions {
    pub backoff: Backoff,
    /// Notification language; default: the `ui.language` setting at each call, else the
    /// OS locale.
    pub language: Option<Language>,
}

struct FollowedAccount {
    name: String,
    account: TelephonyAccount,
    commands: mpsc::Sender<SourceCommand>,
}

/// The running telephony service. Dropping it cancels every connector.
pub struct TelephonyHandle {
    cancel: CancellationToken,
    accounts: Vec<FollowedAccount>,
    events: Option<mpsc::UnboundedReceiver<TelephonyEvent>>,
    tasks: Vec<JoinHandle<()>>,
    recorder: Option<JoinHandle<()>>,
    region: Option<country::Id>,
}

impl std::fmt::Debug for TelephonyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelephonyHandle").field("accounts", &self.account_names()).finish_non_exhaustive()
    }
}

impl Drop for TelephonyHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Starts following every real (non-demo) telephony account of the workspace.
/// Accounts whose secret is missing are reported as an `error` event and skipped.
pub async fn spawn_telephony(
    core: &AppCore,
    secrets: Arc<dyn SecretStore>,
    notifier: Arc<dyn Notifier>,
    options: TelephonyOptions,
) -> Result<TelephonyHandle> {
    let region = core.default_region().await?;
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (source_tx, mut source_rx) = mpsc::channel::<(i64, SourceEvent)>(1024);
    let mut recorder = CallRecorder::new(core.store().clone(), notifier, options.language, region);
    let cancel = CancellationToken::new();
    let mut tasks = Vec::new();
    let mut followed = Vec::new();
    let mut names = std::collections::HashMap::new();
    for (row, account) in followed_accounts(core).await? {
        let secret = match account_secret(core, &secrets, &row).await {
            Ok(s) => s,
            Err(e) => {
                let _ = out_tx.send(TelephonyEvent::Error { account: row.name.clone(), message: e.to_string() });
                continue;
            }
        };
        let id = row.id;
        core.store().write_async(move |tx| calls::close_unfinished(tx, id)).await?;
        let (events_tx, mut events_rx) = mpsc::channel(256);
        let (commands_tx, commands_rx) = mpsc::channel(16);
        let token = cancel.child_token();
        let backoff = options.backoff.clone();
        let source_task = match &account {
            TelephonyAccount::Ami(a) => {
                let source = AmiSource::new(TelephonyAccount::ami_settings(a, &secret));
                tokio::spawn(run_source(source, events_tx, commands_rx, token, backoff))
            }
            TelephonyAccount::Esl(a) => {
                let source = EslSource::new(TelephonyAccount::esl_settings(a, &secret));
                tokio::spawn(run_source(source, events_tx, commands_rx, token, backoff))
            }
            TelephonyAccount::CtiWebhook(a) => match TelephonyAccount::cti_settings(a, &secret, region) {
                Ok(settings) => {
                    tokio::spawn(run_source(CtiSource::new(settings), events_tx, commands_rx, token, backoff))
                }
                Err(e) => {
                    let _ = out_tx.send(TelephonyEvent::Error { account: row.name.clone(), message: e.to_string() });
                    continue;
                }
            },
        };
        recorder.add_account(id, &row.name, account.agent());
        names.insert(id, row.name.clone());
        let forward_to = source_tx.clone();
        let forwarder = tokio::spawn(async move {
            while let Some(ev) = events_rx.recv().await {
                if forward_to.send((id, ev)).await.is_err() {
                    break;
                }
            }
        });
        tasks.push(source_task);
        tasks.push(forwarder);
        followed.push(FollowedAccount { name: row.name, account, commands: commands_tx });
    }
    // The recorder ends when every forwarder is gone, i.e. after cancellation.
    drop(source_tx);
    let recorder_task = tokio::task::spawn_blocking(move || {
        while let Some((id, ev)) = source_rx.blocking_recv() {
            match recorder.handle(id, ev) {
                Ok(events) => events.into_iter().for_each(|e| drop(out_tx.send(e))),
                Err(e) => {
                    let account = names.get(&id).cloned().unwrap_or_default();
                    drop(out_tx.send(TelephonyEvent::Error { account, message: e.to_string() }));
                }
            }
        }
        match recorder.shutdown(now_millis()) {
            Ok(events) => events.into_iter().for_each(|e| drop(out_tx.send(e))),
            Err(e) => drop(out_tx.send(TelephonyEvent::Error { account: String::new(), message: e.to_string() })),
        }
    });
    Ok(TelephonyHandle {
        cancel,
        accounts: followed,
        events: Some(out_rx),
        tasks,
        recorder: Some(recorder_task),
        region,
    })
}

impl TelephonyHandle {
    /// The event stream (once). Unbounded so a slow reader never stalls call
    /// recording; the reader is the UI bridge or `hilo telephony listen`.
    pub fn take_events(&mut self) -> Option<mpsc::UnboundedReceiver<TelephonyEvent>> {
        self.events.take()
    }

    pub fn account_names(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.name.clone()).collect()
    }

    /// Click-to-call through a followed account: the agent's phone rings first, then
    /// `number` is dialled. The call is then followed like any other.
    pub async fn click_to_call(&self, account: Option<&str>, number: &str) -> Result<PlacedCall> {
        let target = pick(&self.accounts, account, |a| (&a.name, &a.account))?;
        let dialed = dial_target(&target.account, number, self.region)?;
        let (reply, answer) = oneshot::channel();
        target
            .commands
            .send(SourceCommand::Originate { to: dialed.clone(), reply })
            .await
            .map_err(|_| telephony_error(TelephonyError::NotConnected))?;
        let ack = match tokio::time::timeout(Duration::from_secs(15), answer).await {
            Ok(Ok(ack)) => ack.map_err(telephony_error)?,
            Ok(Err(_)) => return Err(telephony_error(TelephonyError::NotConnected)),
            Err(_) => {
                return Err(CoreError::Internal("the phone system did not answer the call request in 15 s".into()));
            }
        };
        Ok(PlacedCall {
            account: target.name.clone(),
            call_ref: ack.call_ref,
            dialed,
            status: "queued".into(),
            cause: None,
        })
    }

    /// Stops every connector, closes calls still open as link-lost, and waits until
    /// everything is stored.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        // Commands senders keep no task alive, but drop them before waiting anyway.
        self.accounts.clear();
        if let Some(recorder) = self.recorder.take() {
            let _ = recorder.await;
        }
    }
}

/// Chooses the account to call through: the named one, else the only one that can.
fn pick<'a, T>(
    accounts: &'a [T],
    name: Option<&str>,
    view: impl Fn(&'a T) -> (&'a String, &'a TelephonyAccount),
) -> Result<&'a T> {
    if let Some(name) = name {
        let found = accounts.iter().find(|a| view(a).0 == name).ok_or_else(|| {
            CoreError::NotFound(format!("no telephony account named {name:?} (see `hilo accounts list`)"))
        })?;
        if !view(found).1.can_place_calls() {
            return Err(CoreError::InvalidInput(format!(
                "account {name:?} is a CTI webhook, which cannot place calls; use an ami or esl account"
            )));
        }
        return Ok(found);
    }
    let mut capable = accounts.iter().filter(|a| view(a).1.can_place_calls());
    match (capable.next(), capable.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(CoreError::NotFound(
            "no telephony account can place calls; add one with `hilo accounts add ami …` or `… esl …`".into(),
        )),
        (Some(_), Some(_)) => {
            Err(CoreError::InvalidInput("several telephony accounts can place calls; pick one with --account".into()))
        }
    }
}

/// The number as the account's PBX dials it: E.164 (or with its dial prefix) for
/// phone numbers, digits as typed for internal extensions.
fn dial_target(account: &TelephonyAccount, number: &str, region: Option<country::Id>) -> Result<String> {
    if let Some(n) = e164(number, region) {
        return Ok(account.dial_string(&n));
    }
    let raw = number.trim();
    validate_dial_number(raw).map_err(|_| {
        CoreError::InvalidInput(format!(
            "{number:?} is neither a phone number (set the workspace region for national numbers) nor an extension"
        ))
    })?;
    Ok(raw.to_owned())
}

async fn account_secret(core: &AppCore, secrets: &Arc<dyn SecretStore>, row: &AccountRow) -> Result<String> {
    let keys = AccountKeys::of(core.store()).await?;
    let secrets = secrets.clone();
    let name = row.name.clone();
    blocking(move || {
        keys.get(secrets.as_ref(), &name).map_err(secret_error)?.ok_or_else(|| {
            CoreError::NotFound(format!(
                "the keychain has no secret for account {name:?}; remove it and add it again with `hilo accounts add …`"
            ))
        })
    })
    .await
}

/// A connector error as the core reports it.
pub fn telephony_error(e: TelephonyError) -> CoreError {
    match e {
        TelephonyError::Connect { addr, source } => CoreError::io(format!("cannot connect to {addr}"), source),
        TelephonyError::Io { peer, source } => CoreError::io(format!("the link to {peer} failed"), source),
        TelephonyError::Bind { addr, source } => CoreError::io(format!("cannot listen on {addr}"), source),
        e @ (TelephonyError::AuthFailed { .. } | TelephonyError::Rejected(_) | TelephonyError::InvalidInput(_)) => {
            CoreError::InvalidInput(e.to_string())
        }
        e => CoreError::io("telephony", std::io::Error::other(e.to_string())),
    }
}

/// Places one call without a running service (for `hilo call`): connects, logs in,
/// sends the originate and waits for the agent leg's result. Recording the call is
/// the job of a running `hilo telephony listen` or the app, which see its events.
pub async fn place_call(
    core: &AppCore,
    secrets: Arc<dyn SecretStore>,
    account: Option<&str>,
    number: &str,
) -> Result<PlacedCall> {
    let region = core.default_region().await?;
    let accounts = followed_accounts(core).await?;
    let (row, target) = pick(&accounts, account, |(row, a)| (&row.name, a))?;
    let dialed = dial_target(target, number, region)?;
    let secret = account_secret(core, &secrets, row).await?;
    let (events_tx, mut events_rx) = mpsc::channel(256);
    let (commands_tx, commands_rx) = mpsc::channel(4);
    let cancel = CancellationToken::new();
    let (session, wait_for_result) = match target {
        TelephonyAccount::Ami(a) => {
            let s = TelephonyAccount::ami_settings(a, &secret);
            let wait = s.originate_timeout + Duration::from_secs(10);
            (spawn_session(AmiSource::new(s), events_tx, commands_rx, cancel.clone()), wait)
        }
        TelephonyAccount::Esl(a) => {
            let s = TelephonyAccount::esl_settings(a, &secret);
            let wait = s.originate_timeout + Duration::from_secs(10);
            (spawn_session(EslSource::new(s), events_tx, commands_rx, cancel.clone()), wait)
        }
        TelephonyAccount::CtiWebhook(_) => return Err(CoreError::Internal("a CTI account was picked to dial".into())),
    };
    let _stop = cancel.clone().drop_guard();

    // Logged in, or the session's own error.
    let up = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events_rx.recv().await {
            if ev == SourceEvent::Link(LinkState::Up) {
                return true;
            }
        }
        false
    })
    .await;
    if up != Ok(true) {
        cancel.cancel();
        return Err(match session.await {
            Ok(Err(ended)) => telephony_error(ended.error),
            _ => CoreError::io("telephony", std::io::Error::other("the phone system did not accept the login in time")),
        });
    }
    let (reply, answer) = oneshot::channel();
    commands_tx
        .send(SourceCommand::Originate { to: dialed.clone(), reply })
        .await
        .map_err(|_| telephony_error(TelephonyError::NotConnected))?;
    let ack = match tokio::time::timeout(Duration::from_secs(15), answer).await {
        Ok(Ok(ack)) => ack.map_err(telephony_error)?,
        _ => {
            return Err(CoreError::io(
                "telephony",
                std::io::Error::other("the phone system did not answer the call request"),
            ));
        }
    };
    let mut placed = PlacedCall {
        account: row.name.clone(),
        call_ref: ack.call_ref,
        dialed,
        status: "noResult".into(),
        cause: None,
    };
    let result = tokio::time::timeout(wait_for_result, async {
        while let Some(ev) = events_rx.recv().await {
            if let SourceEvent::Call(ev) = ev
                && ev.call_ref == placed.call_ref
                && let CallEventKind::OriginateResult { outcome, cause } = ev.kind
            {
                return Some((outcome, cause));
            }
        }
        None
    })
    .await;
    if let Ok(Some((outcome, cause))) = result {
        placed.status = match outcome {
            OriginateOutcome::Connected => "connected",
            OriginateOutcome::Busy => "busy",
            OriginateOutcome::Failed => "failed",
        }
        .into();
        placed.cause = cause;
    }
    cancel.cancel();
    let _ = session.await;
    Ok(placed)
}

fn spawn_session<S: TelephonySource>(
    source: S,
    events: mpsc::Sender<SourceEvent>,
    mut commands: mpsc::Receiver<SourceCommand>,
    cancel: CancellationToken,
) -> JoinHandle<std::result::Result<(), hilo_connectors::telephony::SessionEnded>> {
    tokio::spawn(async move { source.run_session(&events, &mut commands, &cancel).await })
}
