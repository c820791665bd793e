//! Replies over SMTP (lettre, rustls): the message with its threading headers, and the
//! submission with every failure mapped to the account's error.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{Security, ServerAddr, net};
use crate::helpdesk::{ReplyContext, SourceError};

/// References beyond this many ids are trimmed in the middle (the root stays), as mail
/// clients do, so a long thread does not grow an unbounded header.
const MAX_REFERENCES: usize = 20;

/// The Message-ID of a reply: the outbox key at the sender's domain, so every attempt of
/// one outbox item sends the same id and its echo is recognised.
pub fn reply_message_id(key: &str, from: &str) -> String {
    let domain = from.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty()).unwrap_or("hilo.invalid");
    format!("{key}@{domain}")
}

/// The outbox key a Message-ID carries, when Hilo made it.
pub fn echo_key(message_id: &str) -> Option<String> {
    let (local, _) = message_id.split_once('@')?;
    let hex = local.strip_prefix("hilo-")?;
    (hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| local.to_owned())
}

/// `Re: subject`, without stacking prefixes.
pub fn reply_subject(subject: Option<&str>) -> String {
    let base = super::mime::base_subject(subject.unwrap_or(""));
    if base.is_empty() { "Re:".to_owned() } else { format!("Re: {base}") }
}

/// The References of a reply: the parent's chain, trimmed to the root plus the newest.
pub fn trimmed_references(refs: &[String]) -> Vec<String> {
    if refs.len() <= MAX_REFERENCES {
        return refs.to_vec();
    }
    let mut out = vec![refs[0].clone()];
    out.extend_from_slice(&refs[refs.len() - (MAX_REFERENCES - 1)..]);
    out
}

fn address(account: &str, what: &str, a: &str) -> Result<Address, SourceError> {
    a.parse::<Address>().map_err(|e| SourceError::Rejected {
        account: account.to_owned(),
        what: "the reply".into(),
        status: 0,
        detail: format!("{what} {a:?} is not a usable address ({e})"),
    })
}

/// Builds the reply. Returns the message and its Message-ID (without brackets).
pub fn build_reply(
    account: &str,
    from: &str,
    key: &str,
    ctx: &ReplyContext,
    text: &str,
) -> Result<(Message, String), SourceError> {
    if ctx.to.is_empty() {
        return Err(SourceError::Rejected {
            account: account.to_owned(),
            what: "the reply".into(),
            status: 0,
            detail: "the conversation has no customer address to reply to".into(),
        });
    }
    let id = reply_message_id(key, from);
    let mut b = Message::builder()
        .from(Mailbox::new(None, address(account, "the account address", from)?))
        .subject(reply_subject(ctx.subject.as_deref()))
        .message_id(Some(format!("<{id}>")))
        .date_now()
        .user_agent("Hilo".into());
    for to in &ctx.to {
        b = b.to(Mailbox::new(None, address(account, "the customer address", to)?));
    }
    for cc in &ctx.cc {
        b = b.cc(Mailbox::new(None, address(account, "a copied address", cc)?));
    }
    if let Some(parent) = &ctx.parent {
        b = b.in_reply_to(format!("<{parent}>"));
    }
    let refs = trimmed_references(&ctx.references);
    if !refs.is_empty() {
        b = b.references(refs.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" "));
    }
    let message = b.header(ContentType::TEXT_PLAIN).body(text.to_owned()).map_err(|e| SourceError::Rejected {
        account: account.to_owned(),
        what: "the reply".into(),
        status: 0,
        detail: e.to_string(),
    })?;
    Ok((message, id))
}

/// Where and how to submit.
pub struct Submission<'a> {
    pub account: &'a str,
    pub server: &'a ServerAddr,
    pub security: Security,
    pub user: &'a str,
    pub password: &'a str,
    pub hello: &'a str,
    pub extra_roots_pem: &'a [Vec<u8>],
    pub timeout: Duration,
}

impl Submission<'_> {
    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, SourceError> {
        if self.security == Security::None && !net::is_loopback(&self.server.host) {
            return Err(SourceError::Config {
                account: self.account.to_owned(),
                detail: format!(
                    "refusing to send the password unencrypted to SMTP server {}; use tls or starttls",
                    self.server
                ),
            });
        }
        let tls_params = || -> Result<TlsParameters, SourceError> {
            let mut b = TlsParameters::builder(self.server.host.clone());
            for pem in self.extra_roots_pem {
                let cert = Certificate::from_pem(pem).map_err(|e| SourceError::Config {
                    account: self.account.to_owned(),
                    detail: format!("a trusted certificate is not PEM: {e}"),
                })?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls().map_err(|e| SourceError::Config {
                account: self.account.to_owned(),
                detail: format!("TLS setup for SMTP server {}: {e}", self.server),
            })
        };
        let tls = match self.security {
            Security::Tls => Tls::Wrapper(tls_params()?),
            Security::Starttls => Tls::Required(tls_params()?),
            Security::None => Tls::None,
        };
        let hello = ClientId::Domain(self.hello.to_owned());
        Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.server.host.clone())
            .port(self.server.port)
            .tls(tls)
            .hello_name(hello)
            .credentials(Credentials::new(self.user.to_owned(), self.password.to_owned()))
            .authentication(vec![Mechanism::Plain, Mechanism::Login])
            .timeout(Some(self.timeout))
            .build())
    }

    fn error(&self, e: &lettre::transport::smtp::Error) -> SourceError {
        let account = self.account.to_owned();
        let server = format!("SMTP server {}", self.server);
        let code = e.status().map(u16::from);
        let text = e.to_string();
        match code {
            Some(530 | 534 | 535) => {
                SourceError::AuthFailed { account, server, user: self.user.to_owned(), detail: text }
            }
            Some(c) if e.is_permanent() => {
                SourceError::Rejected { account, what: format!("the reply ({server})"), status: c, detail: text }
            }
            Some(c) => SourceError::ServerError { account, status: c, retry_after: None },
            None if e.is_tls() || tls_failure(e).is_some() => {
                let why = tls_failure(e).unwrap_or(text);
                SourceError::Config { account, detail: format!("TLS with {server} failed: {why}") }
            }
            None => SourceError::Offline { account, detail: format!("{server}: {}", offline_reason(e, &text)) },
        }
    }

    /// Submits `message`. A failure after the server took the data but before it said so
    /// reads as offline: the retry sends the same Message-ID again.
    pub async fn send(&self, message: &Message) -> Result<(), SourceError> {
        let transport = self.transport()?;
        // lettre applies the timeout per command; this bounds the whole exchange.
        let whole = self.timeout.saturating_mul(6);
        match tokio::time::timeout(whole, transport.send(message.clone())).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.error(&e)),
            Err(_) => Err(SourceError::Offline {
                account: self.account.to_owned(),
                detail: format!("SMTP server {}: timed out sending the reply", self.server),
            }),
        }
    }
}

/// A certificate or handshake failure somewhere in the error's chain: someone has to act
/// (a configuration error), retrying alone cannot help.
fn tls_failure(e: &lettre::transport::smtp::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<tokio_rustls::rustls::Error>() {
            return Some(t.to_string());
        }
        if let Some(t) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|i| i.downcast_ref::<tokio_rustls::rustls::Error>())
        {
            return Some(t.to_string());
        }
        source = s.source();
    }
    None
}

fn offline_reason(e: &lettre::transport::smtp::Error, text: &str) -> String {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
                std::io::ErrorKind::TimedOut => "timed out".into(),
                _ => io.to_string(),
            };
        }
        source = s.source();
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_ids_carry_the_outbox_key() {
        let key = "hilo-0123456789abcdef0123456789abcdef";
        let id = reply_message_id(key, "support@example.com");
        assert_eq!(id, "hilo-0123456789abcdef0123456789abcdef@example.com");
        assert_eq!(echo_key(&id).as_deref(), Some(key));
        assert_eq!(echo_key("hilo-short@example.com"), None);
        assert_eq!(echo_key("abc@example.com"), None);
    }

    #[test]
    fn reply_headers_thread_correctly() {
        let ctx = ReplyContext {
            to: vec!["claudio@example.com".into()],
            cc: vec!["ana@example.com".into()],
            subject: Some("Re: Pedido".into()),
            parent: Some("b@x".into()),
            references: vec!["a@x".into(), "b@x".into()],
        };
        let (m, id) =
            build_reply("Soporte", "support@example.com", "hilo-0123456789abcdef0123456789abcdef", &ctx, "Hola")
                .expect("builds");
        let raw = String::from_utf8(m.formatted()).expect("utf-8");
        assert!(raw.contains("Subject: Re: Pedido\r\n"), "{raw}");
        assert!(raw.contains("Cc: ana@example.com\r\n"), "reply-all keeps who was copied: {raw}");
        let rcpt: Vec<String> = m.envelope().to().iter().map(ToString::to_string).collect();
        assert_eq!(rcpt, ["claudio@example.com", "ana@example.com"], "the copied address is a recipient too");
        assert!(raw.contains("In-Reply-To: <b@x>\r\n"), "{raw}");
        assert!(raw.contains("References: <a@x> <b@x>\r\n"), "{raw}");
        assert!(raw.contains(&format!("Message-ID: <{id}>\r\n")), "{raw}");
        let long: Vec<String> = (0..30).map(|i| format!("r{i}@x")).collect();
        let t = trimmed_references(&long);
        assert_eq!((t.len(), t[0].as_str(), t[19].as_str()), (20, "r0@x", "r29@x"));
    }
}
