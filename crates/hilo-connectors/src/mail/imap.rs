//! The IMAP side of a mailbox (async-imap on tokio): connect (TLS, STARTTLS, or plain on
//! loopback), log in, select the folder (with CONDSTORE when offered), list and fetch by
//! UID, look a Message-ID up, and APPEND. Every server step has a timeout and every
//! failure names the account and the server.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_imap::error::Error as ImapError;
use async_imap::imap_proto::{self, Response};
use async_imap::types::{Fetch, Flag, Mailbox};
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use tokio_rustls::rustls::ClientConfig;

use super::net::{self, MailStream};
use super::{Security, ServerAddr};
use crate::helpdesk::SourceError;

pub type ImapSession = Session<MailStream>;

/// What a connection needs, borrowed from the source's configuration.
pub struct Endpoint<'a> {
    pub account: &'a str,
    pub server: &'a ServerAddr,
    pub security: Security,
    pub user: &'a str,
    pub password: &'a str,
    pub tls: Arc<ClientConfig>,
    pub timeout: Duration,
}

/// One live, logged-in connection and what the server can do.
pub struct Connection {
    pub session: ImapSession,
    pub condstore: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("condstore", &self.condstore).finish_non_exhaustive()
    }
}

/// The selected folder's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    pub highest_modseq: Option<u64>,
    pub exists: u32,
}

/// One fetched message.
#[derive(Debug, Clone)]
pub struct RawMail {
    pub uid: u32,
    pub flags: Vec<String>,
    /// INTERNALDATE (ms): when the server received it.
    pub internal_date: Option<i64>,
    pub size: u64,
    /// `BODY[]`, or only `BODY[HEADER]` when `header_only`.
    pub bytes: Vec<u8>,
    pub header_only: bool,
}

impl Endpoint<'_> {
    fn protocol_error(&self, doing: &str, e: &ImapError) -> SourceError {
        match e {
            ImapError::Io(io) => net::io_error(self.account, "IMAP", self.server, io),
            ImapError::ConnectionLost => SourceError::Offline {
                account: self.account.to_owned(),
                detail: format!("IMAP server {}: the connection was dropped while {doing}", self.server),
            },
            other => SourceError::Config {
                account: self.account.to_owned(),
                detail: format!("IMAP server {} failed while {doing}: {other}", self.server),
            },
        }
    }

    /// Runs one server step with the timeout; errors name the account and the server.
    pub async fn step<T>(
        &self,
        doing: &str,
        fut: impl std::future::Future<Output = Result<T, ImapError>>,
    ) -> Result<T, SourceError> {
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.protocol_error(doing, &e)),
            Err(_) => Err(net::timed_out(self.account, "IMAP", self.server, doing)),
        }
    }

    async fn greeting(&self, client: &mut Client<MailStream>) -> Result<(), SourceError> {
        let first = tokio::time::timeout(self.timeout, client.read_response()).await;
        let data = match first {
            Ok(Ok(Some(d))) => d,
            Ok(Ok(None)) => {
                return Err(SourceError::Offline {
                    account: self.account.to_owned(),
                    detail: format!("IMAP server {} closed the connection before greeting", self.server),
                });
            }
            Ok(Err(e)) => return Err(net::io_error(self.account, "IMAP", self.server, &e)),
            Err(_) => return Err(net::timed_out(self.account, "IMAP", self.server, "waiting for the greeting")),
        };
        match data.parsed() {
            Response::Data { status: imap_proto::Status::Ok | imap_proto::Status::PreAuth, .. } => Ok(()),
            other => Err(SourceError::Offline {
                account: self.account.to_owned(),
                detail: format!("IMAP server {} did not greet as IMAP: {other:?}", self.server),
            }),
        }
    }

    /// Connects, secures and logs in.
    pub async fn connect(&self) -> Result<Connection, SourceError> {
        if self.security == Security::None && !net::is_loopback(&self.server.host) {
            return Err(SourceError::Config {
                account: self.account.to_owned(),
                detail: format!(
                    "refusing to send the password unencrypted to IMAP server {}; use tls or starttls \
                     (security none is only for a server on this machine)",
                    self.server
                ),
            });
        }
        let tcp = net::connect_tcp(self.account, "IMAP", self.server, self.timeout).await?;
        let client = match self.security {
            Security::Tls => {
                let tls =
                    net::start_tls(self.account, "IMAP", self.server, tcp, self.tls.clone(), self.timeout).await?;
                let mut c = Client::new(tls);
                self.greeting(&mut c).await?;
                c
            }
            Security::Starttls => {
                let mut c = Client::new(MailStream::Plain(tcp));
                self.greeting(&mut c).await?;
                self.step("starting TLS (STARTTLS)", c.run_command_and_check_ok("STARTTLS", None)).await?;
                let MailStream::Plain(tcp) = c.into_inner() else {
                    return Err(SourceError::Config {
                        account: self.account.to_owned(),
                        detail: "STARTTLS on a connection that is already encrypted".into(),
                    });
                };
                let tls =
                    net::start_tls(self.account, "IMAP", self.server, tcp, self.tls.clone(), self.timeout).await?;
                // After STARTTLS the server does not greet again.
                Client::new(tls)
            }
            Security::None => {
                let mut c = Client::new(MailStream::Plain(tcp));
                self.greeting(&mut c).await?;
                c
            }
        };
        let login = tokio::time::timeout(self.timeout, client.login(self.user, self.password)).await;
        let mut session = match login {
            Ok(Ok(s)) => s,
            Ok(Err((ImapError::No(detail) | ImapError::Bad(detail), _))) => {
                return Err(SourceError::AuthFailed {
                    account: self.account.to_owned(),
                    server: format!("IMAP server {}", self.server),
                    user: self.user.to_owned(),
                    detail: detail.trim().to_owned(),
                });
            }
            Ok(Err((e, _))) => return Err(self.protocol_error("logging in", &e)),
            Err(_) => return Err(net::timed_out(self.account, "IMAP", self.server, "logging in")),
        };
        let caps = self.step("asking for capabilities", session.capabilities()).await?;
        let condstore = caps.has_str("CONDSTORE") || caps.has_str("QRESYNC");
        Ok(Connection { session, condstore })
    }
}

/// IMAP's modified UTF-7 (RFC 3501 §5.1.3) for folder names such as "Reclamación".
pub fn encode_folder(name: &str) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    fn flush(out: &mut String, pending: &mut Vec<u16>) {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out.push('-');
        pending.clear();
    }
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for ch in name.chars() {
        if (' '..='~').contains(&ch) {
            flush(&mut out, &mut pending);
            if ch == '&' {
                out.push_str("&-");
            } else {
                out.push(ch);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(ch.encode_utf16(&mut buf));
        }
    }
    flush(&mut out, &mut pending);
    out
}

/// A quoted IMAP string (the folder names and search values Hilo sends).
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn flag_name(f: &Flag<'_>) -> String {
    match f {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent => "\\Recent".into(),
        Flag::MayCreate => "\\*".into(),
        Flag::Custom(c) => c.to_string(),
    }
}

impl Connection {
    /// Selects the folder (with CONDSTORE when the server has it). A folder that does
    /// not exist is a configuration error naming it.
    pub async fn select(&mut self, ep: &Endpoint<'_>, folder: &str) -> Result<FolderState, SourceError> {
        // async-imap quotes the (modified UTF-7) name itself.
        let result = if self.condstore {
            tokio::time::timeout(ep.timeout, self.session.select_condstore(encode_folder(folder))).await
        } else {
            tokio::time::timeout(ep.timeout, self.session.select(encode_folder(folder))).await
        };
        let mailbox: Mailbox = match result {
            Ok(Ok(m)) => m,
            Ok(Err(ImapError::No(detail) | ImapError::Bad(detail))) => {
                return Err(SourceError::Config {
                    account: ep.account.to_owned(),
                    detail: format!(
                        "the folder {folder:?} cannot be opened on IMAP server {} ({}); check the mailbox name",
                        ep.server,
                        detail.trim()
                    ),
                });
            }
            Ok(Err(e)) => return Err(ep.protocol_error("selecting the folder", &e)),
            Err(_) => return Err(net::timed_out(ep.account, "IMAP", ep.server, "selecting the folder")),
        };
        let uid_validity = mailbox.uid_validity.ok_or_else(|| SourceError::Config {
            account: ep.account.to_owned(),
            detail: format!("IMAP server {} gave the folder {folder:?} no UIDVALIDITY", ep.server),
        })?;
        Ok(FolderState {
            uid_validity,
            uid_next: mailbox.uid_next,
            highest_modseq: if self.condstore { mailbox.highest_modseq } else { None },
            exists: mailbox.exists,
        })
    }

    /// Sizes of the messages with UIDs in `from..=to` (only those that exist).
    pub async fn sizes(&mut self, ep: &Endpoint<'_>, from: u32, to: u32) -> Result<BTreeMap<u32, u64>, SourceError> {
        let sizes = self.sizes_of(ep, &format!("{from}:{to}")).await?;
        Ok(sizes.into_iter().filter(|(uid, _)| (from..=to).contains(uid)).collect())
    }

    /// Sizes of exactly these UIDs (those that still exist).
    pub async fn sizes_for(&mut self, ep: &Endpoint<'_>, uids: &[u32]) -> Result<BTreeMap<u32, u64>, SourceError> {
        if uids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let sizes = self.sizes_of(ep, &set).await?;
        Ok(sizes.into_iter().filter(|(uid, _)| uids.contains(uid)).collect())
    }

    async fn sizes_of(&mut self, ep: &Endpoint<'_>, set: &str) -> Result<BTreeMap<u32, u64>, SourceError> {
        let fetches: Vec<Fetch> = ep
            .step("listing messages", async {
                let stream = self.session.uid_fetch(set, "(UID RFC822.SIZE)").await?;
                stream.try_collect::<Vec<_>>().await
            })
            .await?;
        Ok(fetches.iter().filter_map(|f| Some((f.uid?, u64::from(f.size.unwrap_or(0))))).collect())
    }

    /// The lowest UID ≥ `from`, if any message has one.
    pub async fn next_uid_from(&mut self, ep: &Endpoint<'_>, from: u32) -> Result<Option<u32>, SourceError> {
        let found = ep.step("searching for new messages", self.session.uid_search(format!("UID {from}:*"))).await?;
        Ok(found.into_iter().filter(|u| *u >= from).min())
    }

    /// UIDs (≤ `up_to`) whose flags changed after `modseq` (CONDSTORE), ascending.
    pub async fn changed_since(&mut self, ep: &Endpoint<'_>, up_to: u32, modseq: u64) -> Result<Vec<u32>, SourceError> {
        if up_to == 0 {
            return Ok(Vec::new());
        }
        let fetches: Vec<Fetch> = ep
            .step("listing flag changes", async {
                let stream = self
                    .session
                    .uid_fetch(format!("1:{up_to}"), format!("(UID FLAGS) (CHANGEDSINCE {modseq})"))
                    .await?;
                stream.try_collect::<Vec<_>>().await
            })
            .await?;
        let mut uids: Vec<u32> = fetches.iter().filter_map(|f| f.uid).filter(|u| *u <= up_to).collect();
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Fetches messages by UID: whole for `full`, header only for `header_only`.
    pub async fn fetch(
        &mut self,
        ep: &Endpoint<'_>,
        full: &[u32],
        header_only: &[u32],
    ) -> Result<Vec<RawMail>, SourceError> {
        let mut out = Vec::with_capacity(full.len() + header_only.len());
        for (uids, only_header) in [(full, false), (header_only, true)] {
            if uids.is_empty() {
                continue;
            }
            let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            let query = if only_header {
                "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])"
            } else {
                "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"
            };
            let fetches: Vec<Fetch> = ep
                .step("downloading messages", async {
                    let stream = self.session.uid_fetch(&set, query).await?;
                    stream.try_collect::<Vec<_>>().await
                })
                .await?;
            for f in fetches {
                let Some(uid) = f.uid.filter(|u| uids.contains(u)) else { continue };
                let bytes = if only_header { f.header() } else { f.body() };
                let Some(bytes) = bytes else { continue };
                out.push(RawMail {
                    uid,
                    flags: f.flags().map(|fl| flag_name(&fl)).filter(|n| n != "\\Recent").collect(),
                    internal_date: f.internal_date().map(|d| d.timestamp_millis()),
                    size: u64::from(f.size.unwrap_or(0)),
                    bytes: bytes.to_vec(),
                    header_only: only_header,
                });
            }
        }
        out.sort_by_key(|m| m.uid);
        Ok(out)
    }

    /// Whether the selected folder holds a message with this Message-ID.
    pub async fn has_message_id(&mut self, ep: &Endpoint<'_>, message_id: &str) -> Result<bool, SourceError> {
        let query = format!("HEADER Message-ID {}", quoted(&format!("<{message_id}>")));
        let found = ep.step("looking for an earlier copy", self.session.uid_search(query)).await?;
        Ok(!found.is_empty())
    }

    /// Appends a message (e.g. the sent copy of a reply) to `folder`.
    pub async fn append(
        &mut self,
        ep: &Endpoint<'_>,
        folder: &str,
        flags: &str,
        raw: &[u8],
    ) -> Result<(), SourceError> {
        ep.step("appending the sent copy", self.session.append(encode_folder(folder), Some(flags), None, raw)).await
    }

    /// Cheap liveness check for a connection kept between pages.
    pub async fn alive(&mut self, timeout: Duration) -> bool {
        matches!(tokio::time::timeout(timeout, self.session.noop()).await, Ok(Ok(())))
    }

    /// Drops unsolicited responses nobody reads (the channel is bounded).
    pub fn drain(&mut self) {
        while self.session.unsolicited_responses.try_recv().is_ok() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_use_modified_utf7() {
        assert_eq!(encode_folder("INBOX"), "INBOX");
        assert_eq!(encode_folder("Reclamación"), "Reclamaci&APM-n");
        assert_eq!(encode_folder("A&B"), "A&-B");
        assert_eq!(encode_folder("日本語"), "&ZeVnLIqe-");
    }
}
