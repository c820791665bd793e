//! One AMI connection: banner, Login (MD5 challenge or plain), event mask, Ping
//! keep-alive, ActionID correlation (responses arrive interleaved with events), and
//! Originate for click-to-call.

use std::collections::HashMap;
use std::time::Duration;

use hilo_model::time::now_millis;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::codec::{AmiDecoder, AmiFrame, AmiPacket};
use super::mapper::AmiCallMapper;
use crate::telephony::event::{CallEvent, CallEventKind, OriginateOutcome, SourceEvent};
use crate::telephony::ids;
use crate::telephony::link::{self, Endpoint, Link, LinkSettings, Session};
use crate::telephony::source::{OriginateAck, Secret, SessionEnded, SourceCommand, TelephonyError, TelephonySource};

/// How the connector proves it knows the secret (PROTOCOLS.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmiAuth {
    /// `Challenge` first, then `Login` with `Key: md5hex(nonce + secret)`, so the secret
    /// never crosses the (unencrypted) link; a plain `Secret` only when the server refuses
    /// the `Challenge` action itself (an AMI proxy without it).
    #[default]
    Md5OrPlain,
    /// The MD5 challenge or nothing: a server without it is an error.
    Md5,
    /// `Secret` in the clear.
    Plain,
}

/// Everything needed to reach one Asterisk and place calls from one agent's phone.
#[derive(Debug, Clone)]
pub struct AmiSettings {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub secret: Secret,
    pub auth: AmiAuth,
    /// The `Events:` mask sent at login; `call` is all that call following needs and
    /// keeps the chatty dialplan classes (VarSet, Newexten) off the link.
    pub event_mask: String,
    /// The agent's phone, e.g. `PJSIP/1986`: the first leg of click-to-call.
    pub agent_endpoint: String,
    /// Dialplan context the answered agent leg continues in to dial the customer.
    pub originate_context: String,
    pub originate_timeout: Duration,
    pub keepalive: Duration,
    pub connect_timeout: Duration,
}

impl AmiSettings {
    pub fn new(host: &str, port: u16, username: &str, secret: Secret, agent_endpoint: &str) -> AmiSettings {
        AmiSettings {
            host: host.to_owned(),
            port,
            username: username.to_owned(),
            secret,
            auth: AmiAuth::default(),
            event_mask: "call".to_owned(),
            agent_endpoint: agent_endpoint.to_owned(),
            originate_context: "from-internal".to_owned(),
            originate_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl LinkSettings for AmiSettings {
    fn endpoint(&self) -> Endpoint<'_> {
        Endpoint { host: &self.host, port: self.port, connect_timeout: self.connect_timeout }
    }
}

#[derive(Debug, Clone)]
pub struct AmiSource {
    settings: AmiSettings,
}

impl AmiSource {
    pub fn new(settings: AmiSettings) -> AmiSource {
        AmiSource { settings }
    }
}

impl TelephonySource for AmiSource {
    fn describe(&self) -> String {
        format!("ami {}", self.settings.endpoint().peer())
    }

    async fn run_session(
        &self,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), SessionEnded> {
        link::run_session::<AmiConn>(&self.settings, events, commands, cancel).await
    }
}

fn is_success(p: &AmiPacket) -> bool {
    p.response().map(str::trim).is_some_and(|r| r.eq_ignore_ascii_case("Success"))
}

/// `Key` of an MD5 login: the lowercase hex MD5 of the nonce followed by the secret.
pub fn md5_key(nonce: &str, secret: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::new().chain_update(nonce.as_bytes()).chain_update(secret.as_bytes()).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A pending click-to-call: answered once by the `Response`, finished by `OriginateResponse`.
struct PendingOriginate {
    channel_id: String,
    reply: Option<oneshot::Sender<Result<OriginateAck, TelephonyError>>>,
}

struct AmiConn {
    link: Link<AmiDecoder>,
    /// Per-connection prefix + counter: ActionIDs are unique per connection (§1.3).
    id_prefix: String,
    next_id: u64,
}

impl AmiConn {
    fn action_id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-{}", self.id_prefix, self.next_id)
    }

    async fn send(&mut self, packet: &AmiPacket) -> Result<(), TelephonyError> {
        self.link.write(&packet.to_wire(), "writing an action").await
    }

    /// The response to action `id`. Events (FullyBooted, or anything a busy PBX sends)
    /// may come before it; during login nobody else is waiting for them.
    async fn response_to(&mut self, id: &str) -> Result<AmiPacket, TelephonyError> {
        loop {
            let AmiFrame::Packet(p) = self.link.next_frame().await? else { continue };
            if p.response().is_some() && p.action_id() == Some(id) {
                return Ok(p);
            }
        }
    }
}

impl Session for AmiConn {
    type Settings = AmiSettings;
    type Decoder = AmiDecoder;
    const LOGIN: &'static str = "the banner and login";

    fn open(link: Link<AmiDecoder>) -> AmiConn {
        AmiConn { link, id_prefix: format!("hilo-{:08x}", ids::random_u64() as u32), next_id: 0 }
    }

    async fn login(&mut self, s: &AmiSettings) -> Result<(), TelephonyError> {
        match self.link.next_frame().await? {
            AmiFrame::Banner(_) => {}
            AmiFrame::Packet(_) => {
                return Err(self.link.protocol("no `Asterisk Call Manager/…` banner: is this the AMI port?"));
            }
        }
        let nonce = match s.auth {
            AmiAuth::Plain => None,
            AmiAuth::Md5 | AmiAuth::Md5OrPlain => {
                let id = self.action_id();
                self.send(&AmiPacket::action("Challenge").with("ActionID", &id).with("AuthType", "MD5")).await?;
                let answer = self.response_to(&id).await?;
                match answer.get("Challenge").map(str::trim).filter(|n| !n.is_empty()) {
                    Some(nonce) if is_success(&answer) => Some(nonce.to_owned()),
                    _ if s.auth == AmiAuth::Md5OrPlain => None,
                    _ => {
                        return Err(self.link.auth_failed(format!(
                            "the server offers no MD5 challenge ({})",
                            answer.get("Message").unwrap_or("no reason given")
                        )));
                    }
                }
            }
        };
        let id = self.action_id();
        let login = AmiPacket::action("Login").with("ActionID", &id).with("Username", &s.username);
        let login = match &nonce {
            Some(nonce) => login.with("AuthType", "MD5").with("Key", &md5_key(nonce, s.secret.expose())),
            None => login.with("Secret", s.secret.expose()),
        };
        self.send(&login.with("Events", &s.event_mask)).await?;
        let answer = self.response_to(&id).await?;
        if is_success(&answer) {
            Ok(())
        } else {
            Err(self.link.auth_failed(answer.get("Message").unwrap_or("no reason given")))
        }
    }

    async fn follow(
        &mut self,
        s: &AmiSettings,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), TelephonyError> {
        let mut mapper = AmiCallMapper::new();
        let mut pending: HashMap<String, PendingOriginate> = HashMap::new();
        let mut ping_outstanding: Option<String> = None;
        let mut keepalive = tokio::time::interval_at(Instant::now() + s.keepalive, s.keepalive);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut commands_open = true;
        // Events that arrived in the same read as the login response are already
        // buffered: follow them before waiting for more bytes, which may never come.
        while let Some(frame) = self.link.decoded()? {
            let AmiFrame::Packet(p) = frame else { continue };
            if let Some(ev) = route(&p, &mut mapper, &mut pending, &mut ping_outstanding)
                && events.send(SourceEvent::Call(ev)).await.is_err()
            {
                return Ok(());
            }
        }
        loop {
            tokio::select! {
                () = cancel.cancelled() => {
                    // Best effort: a polite Logoff lets Asterisk free the session at once.
                    self.link.write_farewell(&AmiPacket::action("Logoff").to_wire()).await;
                    return Ok(());
                }
                read = self.link.read_some() => {
                    read?;
                    while let Some(frame) = self.link.decoded()? {
                        let AmiFrame::Packet(p) = frame else { continue };
                        let out = route(&p, &mut mapper, &mut pending, &mut ping_outstanding);
                        if let Some(ev) = out && events.send(SourceEvent::Call(ev)).await.is_err() {
                            return Ok(());
                        }
                    }
                }
                _ = keepalive.tick() => {
                    if ping_outstanding.is_some() {
                        return Err(self.link.timeout("the keep-alive Ping"));
                    }
                    let id = self.action_id();
                    self.send(&AmiPacket::action("Ping").with("ActionID", &id)).await?;
                    ping_outstanding = Some(id);
                }
                cmd = commands.recv(), if commands_open => match cmd {
                    None => commands_open = false,
                    Some(SourceCommand::Originate { to, reply }) => {
                        if let Err(e) = validate_dial_number(&to) {
                            let _ = reply.send(Err(e));
                            continue;
                        }
                        let id = self.action_id();
                        let channel_id = ids::uuid_v4();
                        // Announced before the action is written, so the call exists before
                        // the first Newchannel carrying its preset id can arrive.
                        let originated = CallEvent {
                            call_ref: channel_id.clone(),
                            at: now_millis(),
                            kind: CallEventKind::Originated { agent_channel: s.agent_endpoint.clone(), to: to.clone() },
                        };
                        if events.send(SourceEvent::Call(originated)).await.is_err() {
                            return Ok(());
                        }
                        let action = AmiPacket::action("Originate")
                            .with("ActionID", &id)
                            .with("Channel", &s.agent_endpoint)
                            .with("Context", &s.originate_context)
                            .with("Exten", &to)
                            .with("Priority", "1")
                            .with("CallerID", &format!("\"Hilo\" <{to}>"))
                            .with("Timeout", &s.originate_timeout.as_millis().to_string())
                            .with("Async", "true")
                            .with("ChannelId", &channel_id)
                            .with("Variable", "HILO_CLICK_TO_CALL=1");
                        pending.insert(id, PendingOriginate { channel_id, reply: Some(reply) });
                        self.send(&action).await?;
                    }
                },
            }
        }
    }
}

/// Sends one packet where it belongs: a Ping's answer clears the keep-alive, an
/// Originate's answer goes to whoever asked, `OriginateResponse` finishes it, and every
/// other event goes through the mapper.
fn route(
    p: &AmiPacket,
    mapper: &mut AmiCallMapper,
    pending: &mut HashMap<String, PendingOriginate>,
    ping_outstanding: &mut Option<String>,
) -> Option<CallEvent> {
    let action_id = p.action_id().map(str::trim);
    if let Some(response) = p.response().map(str::trim)
        && p.event().is_none()
    {
        let id = action_id?;
        if ping_outstanding.as_deref() == Some(id) {
            *ping_outstanding = None;
            return None;
        }
        let entry = pending.get_mut(id)?;
        if response.eq_ignore_ascii_case("Success") {
            if let Some(reply) = entry.reply.take() {
                let _ = reply.send(Ok(OriginateAck { call_ref: entry.channel_id.clone() }));
            }
            return None;
        }
        let entry = pending.remove(id)?;
        let message = p.get("Message").unwrap_or("Originate failed").to_owned();
        if let Some(reply) = entry.reply {
            let _ = reply.send(Err(TelephonyError::Rejected(message)));
        }
        return Some(CallEvent {
            call_ref: entry.channel_id,
            at: now_millis(),
            kind: CallEventKind::OriginateResult {
                outcome: OriginateOutcome::Failed,
                cause: Some("originate-rejected".into()),
            },
        });
    }
    if p.event().is_some_and(|e| e.trim().eq_ignore_ascii_case("OriginateResponse")) {
        let entry = pending.remove(action_id?)?;
        if let Some(reply) = entry.reply {
            // The event overtook its Response; the request was evidently accepted.
            let _ = reply.send(Ok(OriginateAck { call_ref: entry.channel_id.clone() }));
        }
        let success = p.response().is_some_and(|r| r.trim().eq_ignore_ascii_case("Success"));
        let reason = p.get("Reason").map(str::trim).unwrap_or_default();
        let (outcome, cause) = if success {
            (OriginateOutcome::Connected, None)
        } else {
            // Reason is the last control frame on the agent leg (PROTOCOLS.md §1.5),
            // stored as the matching Q.850 cause so the timeline shows it in words.
            let (outcome, cause) = match reason {
                "5" => (OriginateOutcome::Busy, "17"),
                "3" => (OriginateOutcome::Failed, "19"),
                "8" => (OriginateOutcome::Failed, "34"),
                "1" => (OriginateOutcome::Failed, "16"),
                _ => (OriginateOutcome::Failed, "originate-failed"),
            };
            (outcome, Some(cause.to_owned()))
        };
        return Some(CallEvent {
            call_ref: entry.channel_id,
            at: now_millis(),
            kind: CallEventKind::OriginateResult { outcome, cause },
        });
    }
    mapper.map(p, now_millis())
}

/// What a PBX can dial: digits, `+`, `*`, `#`; anything else is refused before it can
/// reach a dialplan.
pub fn validate_dial_number(to: &str) -> Result<(), TelephonyError> {
    let ok = !to.is_empty() && to.len() <= 32 && to.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#'));
    if ok {
        Ok(())
    } else {
        Err(TelephonyError::InvalidInput(format!("{to:?} is not a number the phone system can dial")))
    }
}

#[cfg(test)]
mod tests {
    use super::md5_key;

    #[test]
    fn md5_key_is_the_hex_digest_of_nonce_then_secret() {
        assert_eq!(md5_key("", ""), "d41d8cd98f00b204e9800998ecf8427e", "RFC 1321 test suite");
        assert_eq!(md5_key("ab", "c"), "900150983cd24fb0d6963f7d28e17f72", "md5(\"abc\"): nonce first, then secret");
        assert_ne!(md5_key("123", "s3cret"), md5_key("s3cret", "123"));
    }
}
