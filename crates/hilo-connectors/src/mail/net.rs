//! Getting a byte stream to a mail server: TCP, then TLS (rustls, webpki roots plus any
//! extra trust anchors the account names), or plain on loopback only.

use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::ServerAddr;
use crate::helpdesk::SourceError;

/// A connection to a mail server, encrypted or (loopback only) not.
#[derive(Debug)]
pub enum MailStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_flush(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// `true` for 127.0.0.0/8, ::1 and `localhost`: the only hosts a password may be sent
/// to without encryption.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The TLS client configuration: Mozilla's roots (webpki-roots) plus `extra_pem`
/// (a company CA, or a test server's certificate). Uses ring, like ureq.
pub fn tls_config(account: &str, extra_pem: &[Vec<u8>]) -> Result<Arc<ClientConfig>, SourceError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem in extra_pem {
        let certs =
            rustls::pki_types::CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>().map_err(|e| {
                SourceError::Config {
                    account: account.to_owned(),
                    detail: format!("a trusted certificate is not PEM: {e}"),
                }
            })?;
        for cert in certs {
            roots.add(cert).map_err(|e| SourceError::Config {
                account: account.to_owned(),
                detail: format!("a trusted certificate is unusable: {e}"),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SourceError::Config { account: account.to_owned(), detail: format!("TLS setup: {e}") })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// An I/O failure as the account's error: TLS certificate problems need someone to act
/// (so they are configuration errors); everything else is "cannot be reached".
pub fn io_error(account: &str, what: &str, server: &ServerAddr, e: &io::Error) -> SourceError {
    let tls = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(t) => SourceError::Config {
            account: account.to_owned(),
            detail: format!("TLS with {what} server {server} failed: {t}"),
        },
        None => {
            let reason = match e.kind() {
                io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                io::ErrorKind::TimedOut => "timed out".to_owned(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::UnexpectedEof => {
                    "the connection was dropped".to_owned()
                }
                _ => e.to_string(),
            };
            SourceError::Offline { account: account.to_owned(), detail: format!("{what} server {server}: {reason}") }
        }
    }
}

pub fn timed_out(account: &str, what: &str, server: &ServerAddr, doing: &str) -> SourceError {
    SourceError::Offline { account: account.to_owned(), detail: format!("{what} server {server}: timed out {doing}") }
}

/// A TCP connection within `timeout`.
pub async fn connect_tcp(
    account: &str,
    what: &str,
    server: &ServerAddr,
    timeout: Duration,
) -> Result<TcpStream, SourceError> {
    match tokio::time::timeout(timeout, TcpStream::connect((server.host.as_str(), server.port))).await {
        Ok(Ok(s)) => {
            // Small command/response exchanges: do not wait for Nagle.
            let _ = s.set_nodelay(true);
            Ok(s)
        }
        Ok(Err(e)) => Err(io_error(account, what, server, &e)),
        Err(_) => Err(timed_out(account, what, server, "connecting")),
    }
}

/// Wraps `tcp` in TLS for `server.host`, verifying the certificate.
pub async fn start_tls(
    account: &str,
    what: &str,
    server: &ServerAddr,
    tcp: TcpStream,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<MailStream, SourceError> {
    let name = ServerName::try_from(server.host.clone()).map_err(|e| SourceError::Config {
        account: account.to_owned(),
        detail: format!("{what} server {server}: {:?} is not a host name for TLS ({e})", server.host),
    })?;
    match tokio::time::timeout(timeout, TlsConnector::from(config).connect(name, tcp)).await {
        Ok(Ok(s)) => Ok(MailStream::Tls(Box::new(s))),
        Ok(Err(e)) => Err(io_error(account, what, server, &e)),
        Err(_) => Err(timed_out(account, what, server, "in the TLS handshake")),
    }
}
