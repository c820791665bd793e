//! One inbound Event Socket connection: `auth`, `event plain …`, a keep-alive `api`
//! command, and click-to-call with `bgapi originate` matched through `BACKGROUND_JOB`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use hilo_model::time::now_millis;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior, timeout};
use tokio_util::sync::CancellationToken;

use super::codec::{EslDecoder, EslEvent, EslMessage};
use super::mapper::{SUBSCRIBED_EVENTS, map_event};
use crate::telephony::ami::validate_dial_number;
use crate::telephony::event::{CallEvent, CallEventKind, LinkState, OriginateOutcome, SourceEvent};
use crate::telephony::ids;
use crate::telephony::source::{OriginateAck, Secret, SessionEnded, SourceCommand, TelephonyError, TelephonySource};

#[derive(Debug, Clone)]
pub struct EslSettings {
    pub host: String,
    pub port: u16,
    pub password: Secret,
    /// The agent's phone as a dial string, e.g. `user/1000`: the first leg of click-to-call.
    pub agent_endpoint: String,
    /// Where the answered agent leg dials the customer: `XML default`.
    pub originate_dialplan: String,
    pub originate_timeout: Duration,
    pub keepalive: Duration,
    pub connect_timeout: Duration,
}

impl EslSettings {
    pub fn new(host: &str, port: u16, password: Secret, agent_endpoint: &str) -> EslSettings {
        EslSettings {
            host: host.to_owned(),
            port,
            password,
            agent_endpoint: agent_endpoint.to_owned(),
            originate_dialplan: "XML default".to_owned(),
            originate_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
        }
    }

    fn peer(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

#[derive(Debug, Clone)]
pub struct EslSource {
    settings: EslSettings,
}

impl EslSource {
    pub fn new(settings: EslSettings) -> EslSource {
        EslSource { settings }
    }
}

impl TelephonySource for EslSource {
    fn describe(&self) -> String {
        format!("esl {}", self.settings.peer())
    }

    async fn run_session(
        &self,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), SessionEnded> {
        let s = &self.settings;
        let mut conn = EslConn::connect(s).await.map_err(SessionEnded::before_login)?;
        timeout(s.connect_timeout, conn.login(s))
            .await
            .map_err(|_| conn.timeout("auth and the event subscription"))
            .and_then(|r| r)
            .map_err(SessionEnded::before_login)?;
        if events.send(SourceEvent::Link(LinkState::Up)).await.is_err() {
            return Ok(());
        }
        conn.follow(s, events, commands, cancel).await.map_err(SessionEnded::after_login)
    }
}

/// ESL answers commands strictly in order, so replies are matched to a FIFO of what
/// was sent.
enum PendingReply {
    Keepalive,
    Originate { call_ref: String, job_uuid: String, reply: oneshot::Sender<Result<OriginateAck, TelephonyError>> },
}

struct EslConn {
    peer: String,
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    decoder: EslDecoder,
    buf: Vec<u8>,
}

const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

impl EslConn {
    async fn connect(s: &EslSettings) -> Result<EslConn, TelephonyError> {
        let peer = s.peer();
        let stream = match timeout(s.connect_timeout, TcpStream::connect((s.host.as_str(), s.port))).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => return Err(TelephonyError::Connect { addr: peer, source }),
            Err(_) => return Err(TelephonyError::Timeout { peer, what: "connecting".into() }),
        };
        let _ = stream.set_nodelay(true);
        let (rd, wr) = stream.into_split();
        Ok(EslConn { peer, rd, wr, decoder: EslDecoder::new(), buf: vec![0; 16 * 1024] })
    }

    fn timeout(&self, what: &str) -> TelephonyError {
        TelephonyError::Timeout { peer: self.peer.clone(), what: what.to_owned() }
    }

    fn protocol(&self, detail: impl Into<String>) -> TelephonyError {
        TelephonyError::Protocol { peer: self.peer.clone(), detail: detail.into() }
    }

    async fn send(&mut self, command: &str) -> Result<(), TelephonyError> {
        let wire = format!("{command}\n\n");
        match timeout(WRITE_TIMEOUT, self.wr.write_all(wire.as_bytes())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(TelephonyError::Io { peer: self.peer.clone(), source }),
            Err(_) => Err(self.timeout("writing a command")),
        }
    }

    /// Reads once into the decoder. Cancel-safe.
    async fn read_some(&mut self) -> Result<(), TelephonyError> {
        match self.rd.read(&mut self.buf).await {
            Ok(0) => Err(TelephonyError::Closed {
                peer: self.peer.clone(),
                detail: if self.decoder.has_partial() { " in the middle of a message".into() } else { String::new() },
            }),
            Ok(n) => {
                self.decoder.feed(&self.buf[..n]);
                Ok(())
            }
            Err(source) => Err(TelephonyError::Io { peer: self.peer.clone(), source }),
        }
    }

    fn decoded(&mut self) -> Result<Option<EslMessage>, TelephonyError> {
        self.decoder.next_message().map_err(|e| self.protocol(e.to_string()))
    }

    async fn next_message(&mut self) -> Result<EslMessage, TelephonyError> {
        loop {
            if let Some(m) = self.decoded()? {
                return Ok(m);
            }
            self.read_some().await?;
        }
    }

    /// The next `command/reply`, skipping events that may already be flowing.
    async fn next_reply(&mut self) -> Result<EslMessage, TelephonyError> {
        loop {
            let m = self.next_message().await?;
            match m.content_type() {
                Some("command/reply") => return Ok(m),
                Some("text/disconnect-notice") => {
                    return Err(TelephonyError::Closed {
                        peer: self.peer.clone(),
                        detail: " (disconnect notice)".into(),
                    });
                }
                _ => {}
            }
        }
    }

    async fn login(&mut self, s: &EslSettings) -> Result<(), TelephonyError> {
        let first = self.next_message().await?;
        if first.content_type() != Some("auth/request") {
            return Err(self.protocol("no auth/request greeting: is this the event socket port?"));
        }
        self.send(&format!("auth {}", s.password.expose())).await?;
        let reply = match self.next_reply().await {
            Ok(reply) => reply,
            // FreeSWITCH answers a bad password with -ERR and a disconnect notice.
            Err(TelephonyError::Closed { .. }) => {
                return Err(TelephonyError::AuthFailed { peer: self.peer.clone(), message: "disconnected".into() });
            }
            Err(e) => return Err(e),
        };
        if !reply.reply_text().is_some_and(|t| t.starts_with("+OK")) {
            return Err(TelephonyError::AuthFailed {
                peer: self.peer.clone(),
                message: reply.reply_text().unwrap_or("no reply text").to_owned(),
            });
        }
        self.send(&format!("event plain {SUBSCRIBED_EVENTS}")).await?;
        let reply = self.next_reply().await?;
        if !reply.reply_text().is_some_and(|t| t.starts_with("+OK")) {
            return Err(self.protocol(format!(
                "the event subscription was refused: {}",
                reply.reply_text().unwrap_or("no reply text")
            )));
        }
        Ok(())
    }

    async fn follow(
        &mut self,
        s: &EslSettings,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), TelephonyError> {
        let mut replies: VecDeque<PendingReply> = VecDeque::new();
        // Job-UUID → origination_uuid (the call ref) of accepted originates.
        let mut jobs: HashMap<String, String> = HashMap::new();
        let mut keepalive = tokio::time::interval_at(Instant::now() + s.keepalive, s.keepalive);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut commands_open = true;
        // Events that arrived with the subscription's reply are already buffered:
        // follow them before waiting for more bytes, which may never come.
        while let Some(m) = self.decoded()? {
            for ev in self.route(m, &mut replies, &mut jobs)? {
                if events.send(SourceEvent::Call(ev)).await.is_err() {
                    return Ok(());
                }
            }
        }
        loop {
            tokio::select! {
                () = cancel.cancelled() => {
                    let _ = timeout(Duration::from_secs(1), self.wr.write_all(b"exit\n\n")).await;
                    return Ok(());
                }
                read = self.read_some() => {
                    read?;
                    while let Some(m) = self.decoded()? {
                        for ev in self.route(m, &mut replies, &mut jobs)? {
                            if events.send(SourceEvent::Call(ev)).await.is_err() {
                                return Ok(());
                            }
                        }
                    }
                }
                _ = keepalive.tick() => {
                    if replies.iter().any(|r| matches!(r, PendingReply::Keepalive)) {
                        return Err(self.timeout("the keep-alive command"));
                    }
                    self.send("api status").await?;
                    replies.push_back(PendingReply::Keepalive);
                }
                cmd = commands.recv(), if commands_open => match cmd {
                    None => commands_open = false,
                    Some(SourceCommand::Originate { to, reply }) => {
                        if let Err(e) = validate_dial_number(&to) {
                            let _ = reply.send(Err(e));
                            continue;
                        }
                        let call_ref = ids::uuid_v4();
                        let job_uuid = ids::uuid_v4();
                        let originated = CallEvent {
                            call_ref: call_ref.clone(),
                            at: now_millis(),
                            kind: CallEventKind::Originated { agent_channel: s.agent_endpoint.clone(), to: to.clone() },
                        };
                        if events.send(SourceEvent::Call(originated)).await.is_err() {
                            return Ok(());
                        }
                        let command = format!(
                            "bgapi originate {{origination_uuid={call_ref},origination_caller_id_number={to},originate_timeout={}}}{} {to} {}\nJob-UUID: {job_uuid}",
                            s.originate_timeout.as_secs().max(1),
                            s.agent_endpoint,
                            s.originate_dialplan,
                        );
                        self.send(&command).await?;
                        replies.push_back(PendingReply::Originate { call_ref, job_uuid, reply });
                    }
                },
            }
        }
    }

    fn route(
        &self,
        m: EslMessage,
        replies: &mut VecDeque<PendingReply>,
        jobs: &mut HashMap<String, String>,
    ) -> Result<Vec<CallEvent>, TelephonyError> {
        match m.content_type() {
            Some("text/event-plain") => {
                let ev = EslEvent::parse_plain(&m.body).map_err(|e| self.protocol(e.to_string()))?;
                if ev.name() == Some("BACKGROUND_JOB") {
                    let Some(call_ref) = ev.headers.get("Job-UUID").and_then(|j| jobs.remove(j.trim())) else {
                        return Ok(Vec::new());
                    };
                    return Ok(vec![job_result(call_ref, &ev.body)]);
                }
                Ok(map_event(&ev, now_millis()))
            }
            Some("command/reply") | Some("api/response") => {
                let Some(pending) = replies.pop_front() else { return Ok(Vec::new()) };
                let PendingReply::Originate { call_ref, job_uuid, reply } = pending else { return Ok(Vec::new()) };
                let text = m.reply_text().unwrap_or_default();
                if text.starts_with("+OK") {
                    jobs.insert(job_uuid, call_ref.clone());
                    let _ = reply.send(Ok(OriginateAck { call_ref }));
                    return Ok(Vec::new());
                }
                let _ = reply.send(Err(TelephonyError::Rejected(text.to_owned())));
                Ok(vec![CallEvent {
                    call_ref,
                    at: now_millis(),
                    kind: CallEventKind::OriginateResult {
                        outcome: OriginateOutcome::Failed,
                        cause: Some("originate-rejected".into()),
                    },
                }])
            }
            Some("text/disconnect-notice") => {
                Err(TelephonyError::Closed { peer: self.peer.clone(), detail: " (disconnect notice)".into() })
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// `+OK <uuid>` or `-ERR USER_BUSY` from a `BACKGROUND_JOB` body.
fn job_result(call_ref: String, body: &str) -> CallEvent {
    let text = body.trim();
    let (outcome, cause) = if text.starts_with("+OK") {
        (OriginateOutcome::Connected, None)
    } else {
        let cause = text.strip_prefix("-ERR").map(str::trim).filter(|c| !c.is_empty()).unwrap_or("originate-failed");
        let outcome =
            if cause.eq_ignore_ascii_case("USER_BUSY") { OriginateOutcome::Busy } else { OriginateOutcome::Failed };
        (outcome, Some(cause.to_owned()))
    };
    CallEvent { call_ref, at: now_millis(), kind: CallEventKind::OriginateResult { outcome, cause } }
}
