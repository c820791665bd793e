//! The TCP plumbing the AMI and ESL sessions share: connect with a timeout, read into a
//! protocol's decoder, write with a timeout, and the connect → login → `LinkState::Up`
//! → follow shape of [`TelephonySource::run_session`](super::TelephonySource). What is
//! said on the link stays in each protocol's session.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

use super::ami::{AmiDecoder, AmiFrame, AmiParseError};
use super::esl::{EslDecoder, EslMessage, EslParseError};
use super::event::{LinkState, SourceEvent};
use super::source::{SessionEnded, SourceCommand, TelephonyError};

const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// An incremental decoder of one wire format (`AmiDecoder`, `EslDecoder`).
pub(crate) trait FrameDecoder {
    type Frame;
    type Error: Display;
    /// What one frame is called in a closed-link message: `packet`, `message`.
    const UNIT: &'static str;

    fn feed(&mut self, data: &[u8]);
    /// True while part of a frame is buffered.
    fn has_partial(&self) -> bool;
    /// The next complete frame, `Ok(None)` when more bytes are needed.
    fn next_frame(&mut self) -> Result<Option<Self::Frame>, Self::Error>;
}

/// Implements [`FrameDecoder`] with a codec decoder's own `feed`, `has_partial` and
/// `$next` (the codecs stay usable without this crate-private trait in scope).
macro_rules! frame_decoder {
    ($decoder:ty, $frame:ty, $error:ty, $next:ident, $unit:literal) => {
        impl FrameDecoder for $decoder {
            type Frame = $frame;
            type Error = $error;
            const UNIT: &'static str = $unit;

            fn feed(&mut self, data: &[u8]) {
                <$decoder>::feed(self, data);
            }

            fn has_partial(&self) -> bool {
                <$decoder>::has_partial(self)
            }

            fn next_frame(&mut self) -> Result<Option<$frame>, $error> {
                <$decoder>::$next(self)
            }
        }
    };
}

frame_decoder!(AmiDecoder, AmiFrame, AmiParseError, next_frame, "packet");
frame_decoder!(EslDecoder, EslMessage, EslParseError, next_message, "message");

/// Where a session connects: the fields every protocol's settings have.
pub(crate) struct Endpoint<'a> {
    pub host: &'a str,
    pub port: u16,
    pub connect_timeout: Duration,
}

impl Endpoint<'_> {
    /// `host:port`, as errors and `describe` name the peer.
    pub fn peer(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Settings that say where to connect.
pub(crate) trait LinkSettings {
    fn endpoint(&self) -> Endpoint<'_>;
}

/// One connected socket and the decoder its bytes go through.
pub(crate) struct Link<D> {
    peer: String,
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    decoder: D,
    buf: Vec<u8>,
}

impl<D: FrameDecoder> Link<D> {
    pub async fn connect(to: &Endpoint<'_>, decoder: D) -> Result<Link<D>, TelephonyError> {
        let peer = to.peer();
        let stream = match timeout(to.connect_timeout, TcpStream::connect((to.host, to.port))).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(source)) => return Err(TelephonyError::Connect { addr: peer, source }),
            Err(_) => return Err(TelephonyError::Timeout { peer, what: "connecting".into() }),
        };
        let _ = stream.set_nodelay(true);
        let (rd, wr) = stream.into_split();
        Ok(Link { peer, rd, wr, decoder, buf: vec![0; 16 * 1024] })
    }

    pub fn peer(&self) -> &str {
        &self.peer
    }

    pub fn auth_failed(&self, message: impl Into<String>) -> TelephonyError {
        TelephonyError::AuthFailed { peer: self.peer.clone(), message: message.into() }
    }

    pub fn timeout(&self, what: &str) -> TelephonyError {
        TelephonyError::Timeout { peer: self.peer.clone(), what: what.to_owned() }
    }

    pub fn protocol(&self, detail: impl Into<String>) -> TelephonyError {
        TelephonyError::Protocol { peer: self.peer.clone(), detail: detail.into() }
    }

    /// Writes `bytes` whole, or fails naming `what` was being written if it takes too long.
    pub async fn write(&mut self, bytes: &[u8], what: &str) -> Result<(), TelephonyError> {
        match timeout(WRITE_TIMEOUT, self.wr.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(TelephonyError::Io { peer: self.peer.clone(), source }),
            Err(_) => Err(self.timeout(what)),
        }
    }

    /// Best effort, for a polite goodbye: a second at most, errors ignored.
    pub async fn write_farewell(&mut self, bytes: &[u8]) {
        let _ = timeout(Duration::from_secs(1), self.wr.write_all(bytes)).await;
    }

    /// Reads once from the socket into the decoder. Cancel-safe (used in `select!`).
    pub async fn read_some(&mut self) -> Result<(), TelephonyError> {
        match self.rd.read(&mut self.buf).await {
            Ok(0) => Err(TelephonyError::Closed {
                peer: self.peer.clone(),
                detail: if self.decoder.has_partial() {
                    format!(" in the middle of a {}", D::UNIT)
                } else {
                    String::new()
                },
            }),
            Ok(n) => {
                self.decoder.feed(&self.buf[..n]);
                Ok(())
            }
            Err(source) => Err(TelephonyError::Io { peer: self.peer.clone(), source }),
        }
    }

    /// The next frame already buffered, without reading.
    pub fn decoded(&mut self) -> Result<Option<D::Frame>, TelephonyError> {
        self.decoder.next_frame().map_err(|e| self.protocol(e.to_string()))
    }

    /// The next frame, reading as much as it takes.
    pub async fn next_frame(&mut self) -> Result<D::Frame, TelephonyError> {
        loop {
            if let Some(frame) = self.decoded()? {
                return Ok(frame);
            }
            self.read_some().await?;
        }
    }
}

/// The protocol half of a session, which [`run_session`] drives.
pub(crate) trait Session: Sized + Send {
    type Settings: LinkSettings + Sync;
    type Decoder: FrameDecoder + Default + Send;
    /// What login covers, named when it overruns the connect timeout.
    const LOGIN: &'static str;

    /// The session on a link just connected.
    fn open(link: Link<Self::Decoder>) -> Self;

    fn login(&mut self, s: &Self::Settings) -> impl Future<Output = Result<(), TelephonyError>> + Send;

    /// Call events until the link fails (`Err`) or `cancel` fires (`Ok`).
    fn follow(
        &mut self,
        s: &Self::Settings,
        events: &mpsc::Sender<SourceEvent>,
        commands: &mut mpsc::Receiver<SourceCommand>,
        cancel: &CancellationToken,
    ) -> impl Future<Output = Result<(), TelephonyError>> + Send;
}

/// Connects, logs in within the connect timeout, reports `LinkState::Up`, then follows.
pub(crate) async fn run_session<S: Session>(
    s: &S::Settings,
    events: &mpsc::Sender<SourceEvent>,
    commands: &mut mpsc::Receiver<SourceCommand>,
    cancel: &CancellationToken,
) -> Result<(), SessionEnded> {
    let endpoint = s.endpoint();
    let link = Link::connect(&endpoint, S::Decoder::default()).await.map_err(SessionEnded::before_login)?;
    let mut conn = S::open(link);
    timeout(endpoint.connect_timeout, conn.login(s))
        .await
        .map_err(|_| TelephonyError::Timeout { peer: endpoint.peer(), what: S::LOGIN.to_owned() })
        .and_then(|r| r)
        .map_err(SessionEnded::before_login)?;
    if events.send(SourceEvent::Link(LinkState::Up)).await.is_err() {
        return Ok(());
    }
    conn.follow(s, events, commands, cancel).await.map_err(SessionEnded::after_login)
}
