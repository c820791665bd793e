//! `TelephonySource`: one connection to a phone system, turned into call events; and
//! `run_source`, which keeps a source connected (reconnect with backoff) until cancelled.

use std::future::Future;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::event::{LinkState, SourceEvent};

/// A password, token or AMI secret. Its Debug output is redacted so it never reaches a
/// log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelephonyError {
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the link to {peer} failed: {source}")]
    Io {
        peer: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{peer} closed the connection{detail}")]
    Closed { peer: String, detail: String },
    #[error("{peer} broke the protocol: {detail}")]
    Protocol { peer: String, detail: String },
    #[error("{peer} refused the login ({message}); check the account's user name and secret")]
    AuthFailed { peer: String, message: String },
    #[error("{peer} did not answer in time ({what})")]
    Timeout { peer: String, what: String },
    #[error("not connected to the phone system right now (reconnecting); try again in a moment")]
    NotConnected,
    #[error("the phone system refused the call: {0}")]
    Rejected(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    InvalidInput(String),
}

/// Hilo's click-to-call request was accepted; `call_ref` is the id its events will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginateAck {
    pub call_ref: String,
}

/// Requests to a running source.
#[derive(Debug)]
pub enum SourceCommand {
    /// Ring the agent's phone, then dial `to` (already in the form the PBX dials).
    Originate { to: String, reply: oneshot::Sender<Result<OriginateAck, TelephonyError>> },
}

impl SourceCommand {
    /// Answers the command with `error` (e.g. while the link is down).
    pub fn refuse(self, error: TelephonyError) {
        match self {
            SourceCommand::Originate { reply, .. } => {
                let _ = reply.send(Err(error));
            }
        }
    }
}

/// How a session ended when it did not end by cancellation.
#[derive(Debug)]
pub struct SessionEnded {
    pub error: TelephonyError,
    /// The session had logged in: the next attempt starts from the shortest delay.
    pub was_up: bool,
}

impl SessionEnded {
    pub fn before_login(error: TelephonyError) -> SessionEnded {
        SessionEnded { error, was_up: false }
    }

    pub fn after_login(error: TelephonyError) -> SessionEnded {
        SessionEnded { error, was_up: true }
    }
}

/// One kind of phone-system link. A session connects, logs in, sends `LinkState::Up`
/// and then call events until the link fails (`Err`) or `cancel` fires (`Ok`).
pub trait TelephonySource: Send + Sync + 'static {
    /// For messages: `ami 10.0.0.5:5038`.
    fn describe(&self) -> String;

    fn run_session(
        &self,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<(), SessionEnded>> + Send;
}

/// Keeps `source` connected until `cancel` fires or nobody listens to `events` any
/// more. Each failure is reported as `LinkState::Down` before the next attempt; commands
/// that arrive while the link is down are refused at once rather than queued, so a
/// click-to-call never fires minutes late.
pub async fn run_source<S: TelephonySource>(
    source: S,
    events: mpsc::Sender<SourceEvent>,
    mut commands: mpsc::Receiver<SourceCommand>,
    cancel: CancellationToken,
    mut backoff: Backoff,
) {
    loop {
        if cancel.is_cancelled() {
            return;
        }
        let ended = tokio::select! {
            r = source.run_session(&events, &mut commands, &cancel) => r,
            () = cancel.cancelled() => return,
        };
        let Err(ended) = ended else { return };
        if ended.was_up {
            backoff.reset();
        }
        let delay = backoff.next_delay();
        let down = LinkState::Down {
            reason: ended.error.to_string(),
            retry_in_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        };
        if events.send(SourceEvent::Link(down)).await.is_err() {
            return;
        }
        if !wait_refusing(delay, &mut commands, &cancel).await {
            return;
        }
    }
}

/// Sleeps `delay`, refusing commands meanwhile; false when cancelled.
async fn wait_refusing(
    delay: Duration,
    commands: &mut mpsc::Receiver<SourceCommand>,
    cancel: &CancellationToken,
) -> bool {
    let sleep = tokio::time::sleep(delay);
    tokio::pin!(sleep);
    let mut commands_open = true;
    loop {
        tokio::select! {
            () = &mut sleep => return true,
            () = cancel.cancelled() => return false,
            cmd = commands.recv(), if commands_open => match cmd {
                Some(cmd) => cmd.refuse(TelephonyError::NotConnected),
                None => commands_open = false,
            },
        }
    }
}
