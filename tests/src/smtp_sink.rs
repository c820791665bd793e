//! A small SMTP server for the mailbox tests, on loopback: enough of RFC 5321 for lettre
//! (EHLO/HELO, STARTTLS or TLS from the first byte with the test certificate, AUTH PLAIN
//! and LOGIN, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT). It records every message and delivers it, like a real server, into the dovecot
//! INBOX of each recipient that is a dovecot user (by IMAP APPEND). It can drop the
//! connection after taking a message's data without answering — the "unknown outcome"
//! a sender must survive without showing the reply twice.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::dovecot::ImapClient;

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkMessage {
    pub from: String,
    pub rcpt: Vec<String>,
    pub data: String,
    pub auth_user: Option<String>,
    /// Received over TLS (SMTPS or after STARTTLS).
    pub secured: bool,
}

impl SinkMessage {
    /// The value of a header (first occurrence, unfolded), case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push(' ');
                    v.push_str(line.trim());
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }
}

/// Where delivered mail goes: recipients that are dovecot users, with their passwords.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    pub imap_port: u16,
    pub users: Vec<(String, String)>,
}

/// How the sink is secured (the test certificate, CN=localhost; trust `test_ca_pem`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SinkTls {
    #[default]
    None,
    /// STARTTLS offered, and required before AUTH.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Wrapper,
}

#[derive(Debug, Clone, Default)]
pub struct SinkConfig {
    /// Required credentials; `None` accepts mail without AUTH.
    pub credentials: Option<(String, String)>,
    pub delivery: Option<Delivery>,
    pub tls: SinkTls,
}

fn server_tls() -> Arc<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(include_bytes!("../fixtures/tls/server.pem"))
            .collect::<Result<_, _>>()
            .expect("test certificate");
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/tls/server.key")).expect("test key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server TLS config");
    Arc::new(config)
}

/// A client connection, plain or TLS.
enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Conn {
    fn secure(tcp: TcpStream) -> std::io::Result<Conn> {
        let session = ServerConnection::new(server_tls()).map_err(std::io::Error::other)?;
        Ok(Conn::Tls(Box::new(StreamOwned::new(session, tcp))))
    }

    fn close(&mut self) {
        let tcp = match self {
            Conn::Plain(t) => t,
            Conn::Tls(s) => &mut s.sock,
        };
        let _ = tcp.shutdown(std::net::Shutdown::Both);
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

struct Shared {
    config: SinkConfig,
    messages: Mutex<Vec<SinkMessage>>,
    /// Messages still to be "lost": accepted and delivered, then the connection drops
    /// before the 250.
    drop_after_data: AtomicUsize,
    stop: AtomicBool,
}

/// A running sink; dropping it stops it.
pub struct SmtpSink {
    pub port: u16,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSink").field("port", &self.port).finish_non_exhaustive()
    }
}

impl SmtpSink {
    pub fn start(config: SinkConfig) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP sink");
        let port = listener.local_addr().expect("sink address").port();
        listener.set_nonblocking(true).expect("nonblocking listener");
        let shared = Arc::new(Shared {
            config,
            messages: Mutex::new(Vec::new()),
            drop_after_data: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let s = s.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, &s);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        SmtpSink { port, shared, thread: Some(thread) }
    }

    pub fn messages(&self) -> Vec<SinkMessage> {
        self.shared.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The next `n` messages are taken (and delivered) but never acknowledged.
    pub fn drop_after_data(&self, n: usize) {
        self.shared.drop_after_data.store(n, Ordering::SeqCst);
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim().bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn angle(arg: &str) -> String {
    let a = arg.trim();
    let a = a.split_once('<').map_or(a, |(_, r)| r);
    a.split('>').next().unwrap_or("").trim().to_lowercase()
}

fn deliver(shared: &Shared, m: &SinkMessage) -> Result<(), String> {
    let Some(d) = &shared.config.delivery else { return Ok(()) };
    for rcpt in &m.rcpt {
        if let Some((user, pass)) = d.users.iter().find(|(u, _)| u.eq_ignore_ascii_case(rcpt)) {
            ImapClient::login(d.imap_port, user, pass)?.append("INBOX", "()", m.data.as_bytes())?;
        }
    }
    Ok(())
}

fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let tls = shared.config.tls;
    let conn = if tls == SinkTls::Wrapper { Conn::secure(stream)? } else { Conn::Plain(stream) };
    let mut r = BufReader::new(conn);
    let say = |r: &mut BufReader<Conn>, s: &str| -> std::io::Result<()> {
        let w = r.get_mut();
        w.write_all(format!("{s}\r\n").as_bytes())?;
        w.flush()
    };
    say(&mut r, "220 hilo-sink ESMTP")?;
    let needs_auth = shared.config.credentials.is_some();
    let mut secured = tls == SinkTls::Wrapper;
    let mut authed: Option<String> = None;
    let mut from: Option<String> = None;
    let mut rcpt: Vec<String> = Vec::new();
    let read = |r: &mut BufReader<Conn>| -> std::io::Result<Option<String>> {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
    };
    let check =
        |user: &str, pass: &str| shared.config.credentials.as_ref().is_some_and(|(u, p)| u == user && p == pass);
    while let Some(line) = read(&mut r)? {
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        match verb {
            "EHLO" => {
                let starttls = if tls == SinkTls::Starttls && !secured { "250-STARTTLS\r\n" } else { "" };
                let auth =
                    if needs_auth && (secured || tls == SinkTls::None) { "250-AUTH PLAIN LOGIN\r\n" } else { "" };
                let w = r.get_mut();
                w.write_all(format!("250-hilo-sink\r\n{starttls}{auth}250-8BITMIME\r\n250 SMTPUTF8\r\n").as_bytes())?;
                w.flush()?;
            }
            "HELO" => say(&mut r, "250 hilo-sink")?,
            "STARTTLS" if tls == SinkTls::Starttls && !secured => {
                say(&mut r, "220 2.0.0 Ready to start TLS")?;
                let Conn::Plain(tcp) = r.into_inner() else { return Ok(()) };
                r = BufReader::new(Conn::secure(tcp)?);
                secured = true;
                // RFC 3207: everything learned before TLS is forgotten.
                authed = None;
                from = None;
                rcpt.clear();
            }
            "AUTH" if tls == SinkTls::Starttls && !secured => say(&mut r, "538 5.7.11 Encryption required")?,
            "AUTH" => {
                let parts: Vec<&str> = line.split_whitespace().collect();
                let mech = parts.get(1).map(|m| m.to_ascii_uppercase()).unwrap_or_default();
                let ok_user = if mech == "PLAIN" {
                    let initial = match parts.get(2) {
                        Some(i) => (*i).to_owned(),
                        None => {
                            say(&mut r, "334 ")?;
                            read(&mut r)?.unwrap_or_default()
                        }
                    };
                    let decoded = b64_decode(&initial).unwrap_or_default();
                    let fields: Vec<String> =
                        decoded.split(|b| *b == 0).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
                    match fields.as_slice() {
                        [_, u, p] if check(u, p) => Some(u.clone()),
                        _ => None,
                    }
                } else if mech == "LOGIN" {
                    say(&mut r, "334 VXNlcm5hbWU6")?;
                    let u = b64_decode(&read(&mut r)?.unwrap_or_default()).unwrap_or_default();
                    say(&mut r, "334 UGFzc3dvcmQ6")?;
                    let p = b64_decode(&read(&mut r)?.unwrap_or_default()).unwrap_or_default();
                    let (u, p) = (String::from_utf8_lossy(&u).into_owned(), String::from_utf8_lossy(&p).into_owned());
                    check(&u, &p).then_some(u)
                } else {
                    None
                };
                match ok_user {
                    Some(u) => {
                        authed = Some(u);
                        say(&mut r, "235 2.7.0 Authentication successful")?;
                    }
                    None => say(&mut r, "535 5.7.8 Authentication credentials invalid")?,
                }
            }
            "MAIL" if needs_auth && authed.is_none() => say(&mut r, "530 5.7.0 Authentication required")?,
            "MAIL" => {
                from = Some(angle(&line[4..]));
                rcpt.clear();
                say(&mut r, "250 2.1.0 Ok")?;
            }
            "RCPT" if from.is_none() => say(&mut r, "503 5.5.1 MAIL first")?,
            "RCPT" => {
                rcpt.push(angle(&line[4..]));
                say(&mut r, "250 2.1.5 Ok")?;
            }
            "DATA" if rcpt.is_empty() => say(&mut r, "503 5.5.1 RCPT first")?,
            "DATA" => {
                say(&mut r, "354 End data with <CR><LF>.<CR><LF>")?;
                let mut data = String::new();
                loop {
                    let Some(l) = read(&mut r)? else { return Ok(()) };
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                let m = SinkMessage {
                    from: from.take().unwrap_or_default(),
                    rcpt: std::mem::take(&mut rcpt),
                    data,
                    auth_user: authed.clone(),
                    secured,
                };
                if let Err(e) = deliver(shared, &m) {
                    say(&mut r, &format!("451 4.3.0 delivery failed: {e}"))?;
                    continue;
                }
                if let Ok(mut all) = shared.messages.lock() {
                    all.push(m);
                }
                let lose =
                    shared.drop_after_data.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if lose.is_ok() {
                    // Taken and delivered, never acknowledged.
                    r.get_mut().close();
                    return Ok(());
                }
                say(&mut r, "250 2.0.0 Ok: queued")?;
            }
            "RSET" => {
                from = None;
                rcpt.clear();
                say(&mut r, "250 2.0.0 Ok")?;
            }
            "NOOP" => say(&mut r, "250 2.0.0 Ok")?,
            "QUIT" => {
                say(&mut r, "221 2.0.0 Bye")?;
                return Ok(());
            }
            _ => say(&mut r, "502 5.5.2 Command not recognized")?,
        }
    }
    Ok(())
}
