//! The CTI webhook listener: `POST /api/v1/cti/{token}` on loopback only, compatible
//! with Zammad's generic CTI so a PBX set up for Zammad only needs the host changed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hilo_model::Direction;
use hilo_model::time::now_millis;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use super::http::{Refusal, Request, read_request, response};
use super::webhook::{CtiEventName, parse_payload};
use crate::telephony::event::{LinkState, SourceEvent};
use crate::telephony::source::{Secret, SessionEnded, SourceCommand, TelephonyError, TelephonySource};

/// Decides whether a caller's number is on the block list (the core normalizes both
/// sides with the workspace's region).
pub type NumberFilter = Arc<dyn Fn(&str) -> bool + Send + Sync>;

pub const PATH_PREFIX: &str = "/api/v1/cti/";
const INVALID_TOKEN: &str = r#"{"error":"Invalid token, please contact your admin!"}"#;
const REJECT: &str = r#"{"action":"reject","reason":"busy"}"#;

#[derive(Clone)]
pub struct CtiSettings {
    /// Must be a loopback address: the listener is for a PBX bridge on this machine.
    pub listen: SocketAddr,
    pub token: Secret,
    pub blocked: NumberFilter,
    pub max_connections: usize,
    /// Time a client gets to send its whole request.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for CtiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CtiSettings").field("listen", &self.listen).field("token", &self.token).finish_non_exhaustive()
    }
}

impl CtiSettings {
    pub fn new(listen: SocketAddr, token: Secret) -> CtiSettings {
        CtiSettings {
            listen,
            token,
            blocked: Arc::new(|_| false),
            max_connections: 32,
            request_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CtiSource {
    settings: CtiSettings,
}

impl CtiSource {
    pub fn new(settings: CtiSettings) -> CtiSource {
        CtiSource { settings }
    }
}

impl TelephonySource for CtiSource {
    fn describe(&self) -> String {
        format!("cti webhook on {}", self.settings.listen)
    }

    async fn run_session(
        &self,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> Result<(), SessionEnded> {
        let s = &self.settings;
        if !s.listen.ip().is_loopback() {
            return Err(SessionEnded::before_login(TelephonyError::InvalidInput(format!(
                "the CTI listener binds to loopback only (127.0.0.1 or ::1), not {}",
                s.listen
            ))));
        }
        let listener = TcpListener::bind(s.listen).await.map_err(|source| {
            SessionEnded::before_login(TelephonyError::Bind { addr: s.listen.to_string(), source })
        })?;
        if events.send(SourceEvent::Link(LinkState::Up)).await.is_err() {
            return Ok(());
        }
        let permits = Arc::new(Semaphore::new(s.max_connections.max(1)));
        // Dropping the set aborts requests still in flight when the listener stops.
        let mut requests = JoinSet::new();
        let mut commands_open = true;
        loop {
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => match permits.clone().try_acquire_owned() {
                        Ok(permit) => {
                            let settings = s.clone();
                            let events = events.clone();
                            requests.spawn(async move {
                                serve(stream, &settings, &events).await;
                                drop(permit);
                            });
                        }
                        // Over the limit: close at once rather than queue without bound.
                        Err(_) => drop(stream),
                    },
                    // EMFILE and friends pass; do not spin on them.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                Some(_) = requests.join_next(), if !requests.is_empty() => {}
                cmd = commands.recv(), if commands_open => match cmd {
                    Some(cmd) => cmd.refuse(TelephonyError::Rejected(
                        "a CTI webhook account cannot place calls (Zammad's generic CTI has no click-to-call); \
                         add an ami or esl account".into(),
                    )),
                    None => commands_open = false,
                },
            }
        }
    }
}

async fn serve(mut stream: TcpStream, s: &CtiSettings, events: &mpsc::Sender<SourceEvent>) {
    let request = match timeout(s.request_timeout, read_request(&mut stream)).await {
        Ok(r) => r,
        Err(_) => Err(Refusal::new(408, "the request took too long")),
    };
    let (status, body) = match request {
        Ok(req) => match answer(&req, s, events).await {
            Ok(body) => (200, body.to_owned()),
            Err(r) => (r.status, error_body(&r)),
        },
        Err(r) => (r.status, error_body(&r)),
    };
    let _ = timeout(Duration::from_secs(5), async {
        let _ = stream.write_all(&response(status, &body)).await;
        let _ = stream.shutdown().await;
    })
    .await;
    // Lingering close: a client still sending a refused body must read our answer
    // before it sees the connection end, not a reset that discards it.
    let _ = timeout(Duration::from_secs(1), async {
        let mut sink = [0u8; 4096];
        let mut left = 256 * 1024;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left -= n.min(left),
            }
        }
    })
    .await;
}

fn error_body(r: &Refusal) -> String {
    if r.status == 401 {
        return INVALID_TOKEN.to_owned();
    }
    serde_json::json!({ "error": r.message }).to_string()
}

async fn answer(req: &Request, s: &CtiSettings, events: &mpsc::Sender<SourceEvent>) -> Result<&'static str, Refusal> {
    let Some(token) = req.head.path().strip_prefix(PATH_PREFIX).filter(|t| !t.contains('/')) else {
        return Err(Refusal::new(404, "not found; the CTI endpoint is POST /api/v1/cti/{token}"));
    };
    if req.head.method != "POST" {
        return Err(Refusal::new(405, "only POST is accepted"));
    }
    if !constant_time_eq(token.as_bytes(), s.token.expose().as_bytes()) {
        return Err(Refusal::new(401, "invalid token"));
    }
    let payload = parse_payload(req.head.header("Content-Type"), &req.body)?;
    let blocked = payload.event == CtiEventName::NewCall
        && payload.direction == Some(Direction::Inbound)
        && payload.from.as_deref().is_some_and(|from| (s.blocked)(from));
    events
        .send(SourceEvent::Call(payload.to_call_event(now_millis(), blocked)))
        .await
        .map_err(|_| Refusal::new(503, "Hilo is shutting down"))?;
    // A blocked caller is still recorded (the PBX sends its hangup later), but the PBX
    // is told to turn it away, as Zammad does.
    Ok(if blocked { REJECT } else { "{}" })
}

/// Compares a guessed token in time that does not depend on where it differs.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
