//! A shared support mailbox as a `ConversationSource`: IMAP to mirror one folder, SMTP
//! (plus an IMAP APPEND of the sent copy) to reply.
//!
//! The cursor is JSON `{uidvalidity, uidnext, highestmodseq}` (+ the pass in progress):
//! `uidnext` is the next UID to read (the last seen + 1). New mail is fetched by UID
//! range, a page at a time (bounded in count and bytes); when the folder's UIDVALIDITY
//! changes every UID is void and the folder is read again from the start — without
//! duplicates, because messages are keyed by Message-ID (a message without one gets a
//! stable synthetic id from a hash of its headers and body), never by UID. With
//! CONDSTORE, messages whose flags changed since the stored HIGHESTMODSEQ are read again
//! once new mail is caught up; the stored value only moves after that.
//!
//! Threads: see `thread`. The customer of a conversation is the external party (the
//! sender of inbound mail, the recipient of mail the account sent first), as an email
//! identity, so identity resolution ties it to the same customer as a Chatwoot contact
//! with that address. Mail from the account's own address is outbound.
//!
//! Push: a reply goes out over SMTP with From = the account address, `Re:` subject,
//! In-Reply-To / References chained from the newest message of the thread, and a
//! Message-ID made from the outbox key — a retry after an unknown outcome reuses it, first
//! looks for the sent copy in the folder, and the echo reconciles with the local copy.
//! Notes, status and assignment are local to Hilo for a mailbox and need no network.

pub mod imap;
pub mod mime;
pub mod net;
pub mod smtp;
pub mod thread;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use hilo_model::identity::{IdentityInput, normalize_identity};
use hilo_model::{Channel, ConversationStatus, DeliveryState, Direction, IdentityKind, MessageKind, Priority};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio_rustls::rustls::ClientConfig;

use self::imap::{Connection, Endpoint, RawMail};
use self::mime::ParsedMail;
use crate::helpdesk::{
    ConversationSource, LocalProgress, MailHeaders, OutboundAction, OutboundItem, PushReceipt, SourceContact,
    SourceConversation, SourceError, SourceFuture, SourceMessage, SourcePage, StateAuthority,
};

/// How a mail connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    #[default]
    Tls,
    /// Plain, upgraded with STARTTLS before anything secret is sent (143, 587).
    Starttls,
    /// No encryption: refused unless the server is on this machine (loopback).
    None,
}

/// `host:port` of a mail server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddr {
    pub host: String,
    pub port: u16,
}

impl ServerAddr {
    pub fn new(host: &str, port: u16) -> ServerAddr {
        ServerAddr { host: host.to_owned(), port }
    }
}

impl std::fmt::Display for ServerAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Everything needed to mirror and answer one shared mailbox. The password is only in memory.
#[derive(Clone)]
pub struct MailboxConfig {
    /// The Hilo account name, used in every error message.
    pub account_name: String,
    pub imap: ServerAddr,
    pub smtp: ServerAddr,
    pub security: Security,
    pub user: String,
    pub password: String,
    /// The folder to follow.
    pub mailbox: String,
    /// The account's own address: From of replies; mail from it is outbound.
    pub address: String,
    /// Messages per page.
    pub page_size: usize,
    /// Bytes per page (at least one message per page whatever its size).
    pub page_bytes: u64,
    /// Larger messages are kept by their header only (with a line saying so).
    pub max_message_bytes: u64,
    /// Per connection attempt and per server step.
    pub timeout: Duration,
    /// Trust anchors besides Mozilla's roots (PEM): a company CA, a test server.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// APPEND each sent reply to the followed folder (flagged \Seen), so every agent's
    /// Hilo sees it and a retry can tell it already went out.
    pub append_sent_copy: bool,
}

impl std::fmt::Debug for MailboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxConfig")
            .field("account_name", &self.account_name)
            .field("imap", &self.imap)
            .field("smtp", &self.smtp)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("mailbox", &self.mailbox)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl MailboxConfig {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        account_name: &str,
        imap: ServerAddr,
        smtp: ServerAddr,
        security: Security,
        user: &str,
        password: String,
        mailbox: &str,
        address: &str,
    ) -> MailboxConfig {
        MailboxConfig {
            account_name: account_name.to_owned(),
            imap,
            smtp,
            security,
            user: user.to_owned(),
            password,
            mailbox: mailbox.to_owned(),
            address: address.trim().to_lowercase(),
            page_size: 50,
            page_bytes: 16 * 1024 * 1024,
            max_message_bytes: 25 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            extra_roots_pem: Vec::new(),
            append_sent_copy: true,
        }
    }
}

/// The opaque cursor. Unknown or damaged cursors start over, which is safe: pages are
/// upserts by Message-ID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default)]
    v: u32,
    #[serde(default)]
    uidvalidity: Option<u32>,
    /// The next UID to read: every message below it is in the cache.
    #[serde(default)]
    uidnext: u32,
    /// Every flag change up to this MODSEQ is in the cache (CONDSTORE servers).
    #[serde(default)]
    highestmodseq: Option<u64>,
    /// HIGHESTMODSEQ when the pass in progress began; becomes `highestmodseq` at its end.
    #[serde(default)]
    pass_modseq: Option<u64>,
    /// `uidnext` when the pass began: messages from it on were read fresh in this pass,
    /// so only those below it can have flag changes to read.
    #[serde(default)]
    pass_uidnext: Option<u32>,
    /// Flag-change pass in progress: UIDs up to this one are done.
    #[serde(default)]
    flags_after: Option<u32>,
}

impl Cursor {
    fn parse(raw: Option<&str>) -> Cursor {
        raw.and_then(|r| serde_json::from_str::<Cursor>(r).ok()).filter(|c| c.v == 1).unwrap_or_default()
    }

    fn fresh(uidvalidity: u32) -> Cursor {
        Cursor { v: 1, uidvalidity: Some(uidvalidity), uidnext: 1, ..Cursor::default() }
    }

    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

struct Inner {
    cfg: MailboxConfig,
    tls: Arc<ClientConfig>,
    /// One IMAP connection kept between pages and pushes (a server step at a time).
    conn: Mutex<Option<Connection>>,
}

/// A shared mailbox account.
#[derive(Clone)]
pub struct MailboxSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MailboxSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxSource").field("cfg", &self.inner.cfg).finish_non_exhaustive()
    }
}

/// What one page's new (or changed) UIDs are, and where the cursor goes after them.
struct Plan {
    full: Vec<u32>,
    header_only: Vec<u32>,
    next_uid: u32,
}

impl MailboxSource {
    pub fn new(cfg: MailboxConfig) -> Result<MailboxSource, SourceError> {
        if !cfg.address.contains('@') {
            return Err(SourceError::Config {
                account: cfg.account_name.clone(),
                detail: format!("{:?} is not an email address; give the mailbox's From address", cfg.address),
            });
        }
        if cfg.mailbox.trim().is_empty() {
            return Err(SourceError::Config {
                account: cfg.account_name.clone(),
                detail: "the folder name is empty".into(),
            });
        }
        let tls = net::tls_config(&cfg.account_name, &cfg.extra_roots_pem)?;
        Ok(MailboxSource { inner: Arc::new(Inner { cfg, tls, conn: Mutex::new(None) }) })
    }

    pub fn config(&self) -> &MailboxConfig {
        &self.inner.cfg
    }
}

impl Inner {
    fn endpoint(&self) -> Endpoint<'_> {
        Endpoint {
            account: &self.cfg.account_name,
            server: &self.cfg.imap,
            security: self.cfg.security,
            user: &self.cfg.user,
            password: &self.cfg.password,
            tls: self.tls.clone(),
            timeout: self.cfg.timeout,
        }
    }

    fn local_error(&self, e: String) -> SourceError {
        SourceError::Config { account: self.cfg.account_name.clone(), detail: format!("reading the local cache: {e}") }
    }

    /// The kept connection if it still answers, else a new one.
    async fn connection<'a>(&self, slot: &'a mut Option<Connection>) -> Result<&'a mut Connection, SourceError> {
        let alive = match slot.as_mut() {
            Some(c) => c.alive(self.cfg.timeout.min(Duration::from_secs(10))).await,
            None => false,
        };
        if !alive {
            *slot = None;
            *slot = Some(self.endpoint().connect().await?);
        }
        let conn = slot.as_mut().ok_or_else(|| SourceError::Offline {
            account: self.cfg.account_name.clone(),
            detail: format!("IMAP server {}: no connection", self.cfg.imap),
        })?;
        conn.drain();
        Ok(conn)
    }

    fn is_own(&self, address: &str) -> bool {
        address == self.cfg.address || address.eq_ignore_ascii_case(self.cfg.user.trim())
    }

    async fn pull(&self, raw: Option<String>, local: Arc<dyn LocalProgress>) -> Result<SourcePage, SourceError> {
        let mut slot = self.conn.lock().await;
        let result = match self.connection(&mut slot).await {
            Ok(conn) => self.pull_with(conn, Cursor::parse(raw.as_deref()), local).await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            // A failed step may leave the connection mid-response: never reuse it.
            *slot = None;
        }
        result
    }

    async fn pull_with(
        &self,
        conn: &mut Connection,
        mut cursor: Cursor,
        local: Arc<dyn LocalProgress>,
    ) -> Result<SourcePage, SourceError> {
        let ep = self.endpoint();
        let folder = conn.select(&ep, &self.cfg.mailbox).await?;
        if cursor.uidvalidity != Some(folder.uid_validity) {
            // New folder, or the server renumbered it: every cached UID is void. Read it
            // all again; Message-IDs keep what is already cached from doubling.
            cursor = Cursor::fresh(folder.uid_validity);
        }
        if cursor.pass_modseq.is_none() {
            cursor.pass_modseq = folder.highest_modseq;
            cursor.pass_uidnext = Some(cursor.uidnext);
        }

        let plan = self.plan_new(conn, &ep, &cursor, folder).await?;
        cursor.uidnext = plan.next_uid.max(cursor.uidnext);
        if !plan.full.is_empty() || !plan.header_only.is_empty() {
            let raws = conn.fetch(&ep, &plan.full, &plan.header_only).await?;
            let mut page = self.page_from(raws, local).await?;
            page.more = true;
            page.next_cursor = cursor.encode();
            return Ok(page);
        }

        if let (true, Some(base), Some(target)) = (conn.condstore, cursor.highestmodseq, cursor.pass_modseq)
            && target > base
        {
            let after = cursor.flags_after.unwrap_or(0);
            let changed: Vec<u32> = conn
                .changed_since(&ep, cursor.pass_uidnext.unwrap_or(cursor.uidnext).saturating_sub(1), base)
                .await?
                .into_iter()
                .filter(|u| *u > after)
                .collect();
            if !changed.is_empty() {
                let chunk: Vec<u32> = changed.iter().copied().take(self.cfg.page_size.max(1)).collect();
                let Some(last) = chunk.last().copied() else {
                    return Err(self.local_error("empty flag-change chunk".into()));
                };
                let sizes = conn.sizes_for(&ep, &chunk).await?;
                let (full, header_only): (Vec<u32>, Vec<u32>) = chunk
                    .iter()
                    .copied()
                    .filter(|u| sizes.contains_key(u))
                    .partition(|u| sizes.get(u).copied().unwrap_or(0) <= self.cfg.max_message_bytes);
                let raws = conn.fetch(&ep, &full, &header_only).await?;
                cursor.flags_after = Some(last);
                let mut page = self.page_from(raws, local).await?;
                page.more = true;
                page.next_cursor = cursor.encode();
                return Ok(page);
            }
        }

        // Caught up: new mail to `uidnext`, flag changes to the pass's start.
        cursor.highestmodseq = cursor.pass_modseq.or(cursor.highestmodseq);
        cursor.pass_modseq = None;
        cursor.pass_uidnext = None;
        cursor.flags_after = None;
        Ok(SourcePage { next_cursor: cursor.encode(), more: false, ..SourcePage::default() })
    }

    /// The next page of new UIDs (bounded by count and bytes), skipping gaps.
    async fn plan_new(
        &self,
        conn: &mut Connection,
        ep: &Endpoint<'_>,
        cursor: &Cursor,
        folder: imap::FolderState,
    ) -> Result<Plan, SourceError> {
        let start = cursor.uidnext.max(1);
        let none = |next_uid| Plan { full: Vec::new(), header_only: Vec::new(), next_uid };
        let last_possible = folder.uid_next.map(|n| n.saturating_sub(1));
        if folder.exists == 0 || last_possible.is_some_and(|l| start > l) {
            return Ok(none(start));
        }
        let window = u32::try_from(self.cfg.page_size.max(1) * 2).unwrap_or(u32::MAX);
        let cap = |from: u32| {
            let end = from.saturating_add(window - 1);
            last_possible.map_or(end, |l| end.min(l))
        };
        let mut end = cap(start);
        let mut sizes = conn.sizes(ep, start, end).await?;
        if sizes.is_empty() {
            // A gap (deleted mail): find the next message that exists, if any.
            match conn.next_uid_from(ep, start).await? {
                None => return Ok(none(last_possible.map_or(start, |l| l.saturating_add(1)).max(start))),
                Some(found) => {
                    end = cap(found);
                    sizes = conn.sizes(ep, found, end.max(found)).await?;
                    end = end.max(found);
                }
            }
        }
        let mut plan = Plan { full: Vec::new(), header_only: Vec::new(), next_uid: end.saturating_add(1) };
        let mut bytes: u64 = 0;
        for (uid, size) in sizes {
            let count = plan.full.len() + plan.header_only.len();
            let cost = size.min(self.cfg.max_message_bytes);
            if count >= self.cfg.page_size.max(1) || (count > 0 && bytes.saturating_add(cost) > self.cfg.page_bytes) {
                plan.next_uid = uid;
                break;
            }
            if size > self.cfg.max_message_bytes {
                plan.header_only.push(uid);
                bytes = bytes.saturating_add(64 * 1024);
            } else {
                plan.full.push(uid);
                bytes = bytes.saturating_add(size);
            }
        }
        Ok(plan)
    }

    /// Parses, threads and maps fetched messages into a page.
    async fn page_from(&self, raws: Vec<RawMail>, local: Arc<dyn LocalProgress>) -> Result<SourcePage, SourceError> {
        let parsed: Vec<(RawMail, ParsedMail)> = raws
            .into_iter()
            .map(|r| {
                let p = mime::parse(&r.bytes, r.header_only.then_some(r.size)).unwrap_or_else(|| ParsedMail {
                    message_id: mime::synthetic_id(&r.bytes),
                    synthetic_id: true,
                    text: "[This message could not be read.]".into(),
                    ..ParsedMail::default()
                });
                (r, p)
            })
            .collect();
        let mut ids: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for (_, p) in &parsed {
            for id in std::iter::once(&p.message_id).chain(&p.in_reply_to).chain(&p.references) {
                if seen.insert(id) {
                    ids.push(id.clone());
                }
            }
        }
        let lookup = tokio::task::spawn_blocking(move || local.threads_of(&ids))
            .await
            .map_err(|e| self.local_error(e.to_string()))?
            .map_err(|e| self.local_error(e))?;
        let mut known: HashMap<String, String> = lookup.into_iter().collect();
        let cached: HashSet<String> = known.values().cloned().collect();
        let thread_ids: Vec<thread::ThreadIds<'_>> = parsed
            .iter()
            .map(|(_, p)| thread::ThreadIds {
                message_id: &p.message_id,
                in_reply_to: &p.in_reply_to,
                references: &p.references,
            })
            .collect();
        let conversations = thread::assign(&thread_ids, &mut known);

        let now = jiff::Timestamp::now().as_millisecond();
        let mut page = SourcePage::default();
        let mut order: Vec<&str> = Vec::new();
        let mut by_conv: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, conv) in conversations.iter().enumerate() {
            let (raw, p) = &parsed[i];
            if !by_conv.contains_key(conv.as_str()) {
                order.push(conv);
            }
            by_conv.entry(conv).or_default().push(i);
            let outbound = p.from.as_ref().is_some_and(|(a, _)| self.is_own(a));
            // The Date header is the sender's claim; a missing or absurd one (before 1990,
            // or more than a day ahead) falls back to when the server received it.
            let sane = |t: &i64| *t > 631_152_000_000 && *t < now + 86_400_000;
            let created_at = p.date.filter(sane).or(raw.internal_date).unwrap_or(now);
            let text = if p.text.trim().is_empty() && p.html.is_none() && !p.attachments.is_empty() {
                let names: Vec<&str> =
                    p.attachments.iter().map(|a| a.filename.as_deref().unwrap_or(a.content_type.as_str())).collect();
                format!("[{}]", names.join(", "))
            } else {
                p.text.clone()
            };
            page.messages.push(SourceMessage {
                conversation_remote_id: conv.clone(),
                remote_id: p.message_id.clone(),
                direction: if outbound { Direction::Outbound } else { Direction::Inbound },
                kind: MessageKind::Message,
                author: p.from.as_ref().map(|(a, n)| n.clone().unwrap_or_else(|| a.clone())),
                text,
                raw_html: p.html.clone(),
                delivery: DeliveryState::Delivered,
                created_at,
                echo_key: if outbound { smtp::echo_key(&p.message_id) } else { None },
                attachments: p.attachments.clone(),
                mail: Some(Box::new(MailHeaders {
                    message_id: p.message_id.clone(),
                    synthetic_id: p.synthetic_id,
                    in_reply_to: p.in_reply_to.clone(),
                    references: p.references.clone(),
                    from: p.from.as_ref().map(|(a, _)| a.clone()),
                    reply_to: p.reply_to.clone(),
                    to: p.to.clone(),
                    cc: p.cc.clone(),
                    subject: p.subject.clone(),
                    flags: raw.flags.clone(),
                })),
            });
        }
        let region = phonenumber::country::Id::US;
        for conv in order {
            let members = by_conv.get(conv).cloned().unwrap_or_default();
            let msgs: Vec<&SourceMessage> = members.iter().map(|i| &page.messages[*i]).collect();
            let created_at = msgs.iter().map(|m| m.created_at).min().unwrap_or(now);
            let last_activity_at = msgs.iter().map(|m| m.created_at).max().unwrap_or(now);
            let exists = cached.contains(conv);
            // The customer: the sender of the earliest inbound mail, else whom the
            // account wrote to first. Only a new conversation takes one.
            let mut by_date: Vec<&&SourceMessage> = msgs.iter().collect();
            by_date.sort_by_key(|m| m.created_at);
            let customer: Option<(String, Option<String>)> = if exists {
                None
            } else {
                by_date
                    .iter()
                    .find(|m| m.direction == Direction::Inbound)
                    .and_then(|m| m.mail.as_ref().and_then(|h| h.from.clone()).map(|a| (a, m.author.clone())))
                    .or_else(|| {
                        by_date.iter().find_map(|m| {
                            m.mail
                                .as_ref()
                                .and_then(|h| h.to.iter().find(|a| !self.is_own(a)).cloned())
                                .map(|a| (a, None))
                        })
                    })
            };
            let customer = customer.map(|(addr, name)| {
                let name = name.filter(|n| n != &addr);
                (addr, name)
            });
            let root_subject = by_date.iter().find_map(|m| m.mail.as_ref().and_then(|h| h.subject.clone()));
            if let Some((addr, name)) = &customer
                && !page.contacts.iter().any(|c| &c.remote_id == addr)
            {
                let email = normalize_identity(IdentityInput { kind: IdentityKind::Email, raw: addr }, region);
                page.contacts.push(SourceContact {
                    remote_id: addr.clone(),
                    name: name.clone(),
                    identities: vec![email],
                });
            }
            page.conversations.push(SourceConversation {
                remote_id: conv.to_owned(),
                contact_remote_id: customer.as_ref().map(|(a, _)| a.clone()),
                contact_name: customer.and_then(|(_, n)| n),
                channel: Channel::Email,
                status: ConversationStatus::Open,
                priority: Priority::None,
                subject: root_subject.map(|s| mime::base_subject(&s)).filter(|s| !s.is_empty()),
                assignee: None,
                team: None,
                created_at,
                last_activity_at,
                snoozed_until: None,
                updated_at: None,
                authority: StateAuthority::Local,
            });
        }
        Ok(page)
    }

    async fn push(&self, item: OutboundItem) -> Result<PushReceipt, SourceError> {
        let text = match &item.action {
            OutboundAction::Reply { text } => text.clone(),
            // A mailbox has no notes, statuses or assignees: Hilo keeps them itself.
            OutboundAction::Note { .. } => {
                return Ok(PushReceipt {
                    remote_id: Some(format!("local:{}", item.key)),
                    echo: None,
                    already_applied: false,
                });
            }
            OutboundAction::SetStatus { .. } | OutboundAction::Assign { .. } => {
                return Ok(PushReceipt { remote_id: None, echo: None, already_applied: false });
            }
        };
        let account = &self.cfg.account_name;
        let ctx = item.reply_to.clone().unwrap_or_default();
        let (message, message_id) = smtp::build_reply(account, &self.cfg.address, &item.key, &ctx, &text)?;
        let echo = SourceMessage {
            conversation_remote_id: item.conversation_remote_id.clone(),
            remote_id: message_id.clone(),
            direction: Direction::Outbound,
            kind: MessageKind::Message,
            author: Some(self.cfg.address.clone()),
            text: text.clone(),
            raw_html: None,
            delivery: DeliveryState::Delivered,
            created_at: jiff::Timestamp::now().as_millisecond(),
            echo_key: Some(item.key.clone()),
            attachments: Vec::new(),
            mail: Some(Box::new(MailHeaders {
                message_id: message_id.clone(),
                synthetic_id: false,
                in_reply_to: ctx.parent.iter().cloned().collect(),
                references: smtp::trimmed_references(&ctx.references),
                from: Some(self.cfg.address.clone()),
                reply_to: Vec::new(),
                to: ctx.to.clone(),
                cc: ctx.cc.clone(),
                subject: Some(smtp::reply_subject(ctx.subject.as_deref())),
                flags: vec!["\\Seen".into()],
            })),
        };
        let receipt = |already_applied| PushReceipt {
            remote_id: Some(message_id.clone()),
            echo: Some(echo.clone()),
            already_applied,
        };

        if item.attempt > 1 && self.cfg.append_sent_copy {
            // An earlier attempt may have gone out with its outcome lost: its sent copy
            // in the folder says so.
            let mut slot = self.conn.lock().await;
            let ep = self.endpoint();
            let found = match self.connection(&mut slot).await {
                Ok(conn) => match conn.select(&ep, &self.cfg.mailbox).await {
                    Ok(_) => conn.has_message_id(&ep, &message_id).await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if found.is_err() {
                *slot = None;
            }
            if found? {
                return Ok(receipt(true));
            }
        }

        let hello = self.cfg.address.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_else(|| "localhost".into());
        let submission = smtp::Submission {
            account,
            server: &self.cfg.smtp,
            security: self.cfg.security,
            user: &self.cfg.user,
            password: &self.cfg.password,
            hello: &hello,
            extra_roots_pem: &self.cfg.extra_roots_pem,
            timeout: self.cfg.timeout,
        };
        submission.send(&message).await?;

        if self.cfg.append_sent_copy {
            // The reply is out: a failed copy must not make it go out again, so this only
            // costs the echo (the local copy stays, delivered).
            let mut slot = self.conn.lock().await;
            let ep = self.endpoint();
            let appended = match self.connection(&mut slot).await {
                Ok(conn) => conn.append(&ep, &self.cfg.mailbox, "(\\Seen)", &message.formatted()).await,
                Err(e) => Err(e),
            };
            if appended.is_err() {
                *slot = None;
            }
        }
        Ok(receipt(false))
    }
}

impl ConversationSource for MailboxSource {
    fn pull(&self, cursor: Option<String>, local: Arc<dyn LocalProgress>) -> SourceFuture<'_, SourcePage> {
        Box::pin(async move { self.inner.pull(cursor, local).await })
    }

    fn push(&self, item: OutboundItem) -> SourceFuture<'_, PushReceipt> {
        Box::pin(async move { self.inner.push(item).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_damaged_ones_start_over() {
        let c = Cursor { v: 1, uidvalidity: Some(7), uidnext: 42, highestmodseq: Some(9), ..Cursor::default() };
        assert_eq!(Cursor::parse(Some(&c.encode())), c);
        assert_eq!(Cursor::parse(Some("{garbage")), Cursor::default());
        assert_eq!(Cursor::parse(None), Cursor::default());
        let json = c.encode();
        for field in ["\"uidvalidity\":7", "\"uidnext\":42", "\"highestmodseq\":9"] {
            assert!(json.contains(field), "{json}");
        }
    }

    #[test]
    fn plain_text_is_refused_off_loopback() {
        assert!(net::is_loopback("127.0.0.1") && net::is_loopback("::1") && net::is_loopback("localhost"));
        assert!(!net::is_loopback("mail.example.com") && !net::is_loopback("10.0.0.1"));
    }
}
