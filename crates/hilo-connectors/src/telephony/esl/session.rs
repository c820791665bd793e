//! One inbound Event Socket connection: `auth`, `event plain …`, a keep-alive `api`
//! command, and click-to-call with `bgapi originate` matched through `BACKGROUND_JOB`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use hilo_model::time::now_millis;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::codec::{EslDecoder, EslEvent, EslMessage};
use super::mapper::{SUBSCRIBED_EVENTS, map_event};
use crate::telephony::ami::validate_dial_number;
use crate::telephony::event::{CallEvent, CallEventKind, OriginateOutcome, SourceEvent};
use crate::telephony::ids;
use crate::telephony::link::{self, Endpoint, Link, LinkSettings, Session};
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
}

impl LinkSettings for EslSettings {
    fn endpoint(&self) -> Endpoint<'_> {
        Endpoint { host: &self.host, port: self.port, connect_timeout: self.connect_timeout }
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
        format!("esl {}", self.settings.endpoint().peer())
    }

    async fn run_session(
        &self,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), SessionEnded> {
        link::run_session::<EslConn>(&self.settings, events, commands, cancel).await
    }
}

/// ESL answers commands strictly in order, so replies are matched to a FIFO of what
/// was sent.
enum PendingReply {
    Keepalive,
    Originate { call_ref: String, job_uuid: String, reply: oneshot::Sender<Result<OriginateAck, TelephonyError>> },
}

struct EslConn {
    link: Link<EslDecoder>,
}

impl EslConn {
    async fn send(&mut self, command: &str) -> Result<(), TelephonyError> {
        self.link.write(format!("{command}\n\n").as_bytes(), "writing a command").await
    }

    fn disconnected(&self) -> TelephonyError {
        TelephonyError::Closed { peer: self.link.peer().to_owned(), detail: " (disconnect notice)".into() }
    }

    /// The next `command/reply`, skipping events that may already be flowing.
    async fn next_reply(&mut self) -> Result<EslMessage, TelephonyError> {
        loop {
            let m = self.link.next_frame().await?;
            match m.content_type() {
                Some("command/reply") => return Ok(m),
                Some("text/disconnect-notice") => return Err(self.disconnected()),
                _ => {}
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
                let ev = EslEvent::parse_plain(&m.body).map_err(|e| self.link.protocol(e.to_string()))?;
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
            Some("text/disconnect-notice") => Err(self.disconnected()),
            _ => Ok(Vec::new()),
        }
    }
}

impl Session for EslConn {
    type Settings = EslSettings;
    type Decoder = EslDecoder;
    const LOGIN: &'static str = "auth and the event subscription";

    fn open(link: Link<EslDecoder>) -> EslConn {
        EslConn { link }
    }

    async fn login(&mut self, s: &EslSettings) -> Result<(), TelephonyError> {
        let first = self.link.next_frame().await?;
        if first.content_type() != Some("auth/request") {
            return Err(self.link.protocol("no auth/request greeting: is this the event socket port?"));
        }
        self.send(&format!("auth {}", s.password.expose())).await?;
        let reply = match self.next_reply().await {
            Ok(reply) => reply,
            // FreeSWITCH answers a bad password with -ERR and a disconnect notice.
            Err(TelephonyError::Closed { .. }) => return Err(self.link.auth_failed("disconnected")),
            Err(e) => return Err(e),
        };
        if !reply.reply_text().is_some_and(|t| t.starts_with("+OK")) {
            return Err(self.link.auth_failed(reply.reply_text().unwrap_or("no reply text")));
        }
        self.send(&format!("event plain {SUBSCRIBED_EVENTS}")).await?;
        let reply = self.next_reply().await?;
        if !reply.reply_text().is_some_and(|t| t.starts_with("+OK")) {
            return Err(self.link.protocol(format!(
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
        while let Some(m) = self.link.decoded()? {
            for ev in self.route(m, &mut replies, &mut jobs)? {
                if events.send(SourceEvent::Call(ev)).await.is_err() {
                    return Ok(());
                }
            }
        }
        loop {
            tokio::select! {
                () = cancel.cancelled() => {
                    self.link.write_farewell(b"exit\n\n").await;
                    return Ok(());
                }
                read = self.link.read_some() => {
                    read?;
                    while let Some(m) = self.link.decoded()? {
                        for ev in self.route(m, &mut replies, &mut jobs)? {
                            if events.send(SourceEvent::Call(ev)).await.is_err() {
                                return Ok(());
                            }
                        }
                    }
                }
                _ = keepalive.tick() => {
                    if replies.iter().any(|r| matches!(r, PendingReply::Keepalive)) {
                        return Err(self.link.timeout("the keep-alive command"));
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
