//! Chatwoot's agent REST API (`/api/v1/accounts/{id}/…`, `api_access_token` header) as a
//! `ConversationSource`.
//!
//! A sync pass lists conversations of every status, newest activity first. After the
//! first full pass it is incremental: `updated_within` asks new servers for exactly what
//! changed (unpaginated); old servers ignore it and the list is read page by page until
//! a whole page is older than the last pass (the safe stop). For each listed
//! conversation whose newest message the cache does not have yet, messages are fetched
//! through the id cursors (`after` where the server honours it, `before` otherwise).
//! Progress lives in the cursor and in the cache, never only in memory.

pub mod map;
// Chatwoot's own SLA state (applied_sla, sla_events).
pub mod sla;
pub mod wire;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use hilo_model::Channel;
use phonenumber::country;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::http::{HttpClient, HttpReply, HttpTimeouts, Method, unix_now};
use super::{
    ConversationSource, LocalProgress, OutboundAction, OutboundItem, PushReceipt, SourceError, SourceFuture, SourcePage,
};

/// Conversations per list page (`ConversationFinder`, overridable on the server).
pub const LIST_PAGE_SIZE: usize = 25;
/// Messages per `before` page and per page of servers that ignore `after` (`MessageFinder`).
pub const BEFORE_PAGE_SIZE: usize = 20;

/// Everything needed to talk to one Chatwoot account. The token is only in memory.
#[derive(Clone)]
pub struct ChatwootConfig {
    /// The Hilo account name, used in every error message.
    pub account_name: String,
    /// `https://chat.example.com` (no `/api/…`).
    pub base_url: String,
    pub account_id: u64,
    pub token: String,
    /// Region for national phone numbers in contacts.
    pub default_region: country::Id,
    pub timeouts: HttpTimeouts,
    /// How far back an incremental pass looks beyond the previous pass's start, to cover
    /// clock skew and transactions that commit late on the server.
    pub overlap: Duration,
}

impl std::fmt::Debug for ChatwootConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatwootConfig")
            .field("account_name", &self.account_name)
            .field("base_url", &self.base_url)
            .field("account_id", &self.account_id)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl ChatwootConfig {
    pub fn new(account_name: &str, base_url: &str, account_id: u64, token: String, region: country::Id) -> Self {
        ChatwootConfig {
            account_name: account_name.to_owned(),
            base_url: base_url.to_owned(),
            account_id,
            token,
            default_region: region,
            timeouts: HttpTimeouts::default(),
            overlap: Duration::from_secs(300),
        }
    }
}

/// Whether the server honours `after=` on the messages endpoint (newer versions do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AfterParam {
    #[default]
    Unknown,
    Honoured,
    Ignored,
}

/// The opaque cursor, as JSON. Unknown or damaged cursors restart with a full pass,
/// which is safe because every page is idempotent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cursor {
    #[serde(default)]
    v: u32,
    /// Unix seconds: every conversation active before this was covered by a finished pass.
    #[serde(default)]
    since: Option<i64>,
    #[serde(default)]
    after_param: AfterParam,
    #[serde(default)]
    pass: Option<Pass>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Pass {
    /// Server time when the pass began; the next pass starts from here (minus the overlap).
    started_at: i64,
    /// The same instant on this machine's clock, in ms (see `SourcePage::caught_up_from`).
    #[serde(default)]
    started_local_ms: i64,
    #[serde(default)]
    inboxes: Vec<InboxChannel>,
    /// The next list page to read (1-based).
    page: u32,
    #[serde(default)]
    listing_done: bool,
    /// Conversations whose messages still have to be fetched; the head is in progress.
    #[serde(default)]
    pending: VecDeque<String>,
    /// Ids of the previous list page, to notice a server that does not paginate.
    #[serde(default)]
    last_page_ids: Vec<i64>,
}

/// An inbox id, its `channel_type` and its Twilio medium.
type InboxChannel = (i64, String, Option<String>);

const CURSOR_VERSION: u32 = 1;

impl Cursor {
    fn parse(raw: Option<&str>) -> Cursor {
        raw.and_then(|r| serde_json::from_str::<Cursor>(r).ok()).filter(|c| c.v == CURSOR_VERSION).unwrap_or_default()
    }

    fn encode(&self) -> String {
        let mut c = self.clone();
        c.v = CURSOR_VERSION;
        serde_json::to_string(&c).unwrap_or_default()
    }
}

/// The `since` watermark inside a cursor (for tests and diagnostics), Unix seconds.
pub fn cursor_watermark(cursor: &str) -> Option<i64> {
    Cursor::parse(Some(cursor)).since
}

/// A Chatwoot account. Cheap to clone; calls run on Tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct ChatwootSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: HttpClient,
    account_name: String,
    prefix: String,
    region: country::Id,
    overlap: i64,
    /// Seconds a request may take to reach the server before it fails anyway (the HTTP
    /// timeouts): `updated_within` counts back from when the server receives it.
    latency_allowance: i64,
}

/// What fetching one conversation's messages produced.
enum Fetched {
    /// The conversation is gone on the server (404): nothing more to do for it.
    Gone,
    Batch {
        messages: Vec<wire::Message>,
        complete: bool,
    },
}

impl ChatwootSource {
    pub fn new(config: ChatwootConfig) -> Result<ChatwootSource, SourceError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(SourceError::Config {
                account: config.account_name.clone(),
                detail: format!("the server URL must start with https:// (got {base:?})"),
            });
        }
        // Rounded up: a request that took longer than connect + request timeouts has failed.
        let latency_allowance =
            i64::try_from((config.timeouts.connect + config.timeouts.request).as_secs()).unwrap_or(300) + 1;
        let http = HttpClient::new(&config.account_name, &base, "api_access_token", config.token, config.timeouts);
        Ok(ChatwootSource {
            inner: Arc::new(Inner {
                http,
                account_name: config.account_name,
                prefix: format!("/api/v1/accounts/{}", config.account_id),
                region: config.default_region,
                overlap: i64::try_from(config.overlap.as_secs()).unwrap_or(300),
                latency_allowance,
            }),
        })
    }

    /// Fetches and decodes one page of conversations (exposed for the ingest benchmark
    /// and for callers that want a one-off listing).
    pub fn decode_conversations(&self, body: &[u8]) -> Result<Vec<wire::Conversation>, SourceError> {
        self.inner.decode::<wire::ConversationList>(body, "the conversation list")?.into_payload().ok_or_else(|| {
            self.inner.invalid("the conversation list", "neither `data.payload` nor `payload` is present".into())
        })
    }

    /// Decodes a messages response and maps it (exposed for the ingest benchmark).
    pub fn decode_messages(
        &self,
        conversation_remote_id: &str,
        body: &[u8],
    ) -> Result<Vec<super::SourceMessage>, SourceError> {
        let list: wire::MessageList = self.inner.decode(body, "the message list")?;
        Ok(list.payload.iter().map(|m| map::message(conversation_remote_id, m)).collect())
    }
}

impl Inner {
    fn invalid(&self, what: &str, detail: String) -> SourceError {
        SourceError::InvalidResponse { account: self.account_name.clone(), what: what.to_owned(), detail }
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, body: &[u8], what: &str) -> Result<T, SourceError> {
        serde_json::from_slice(body).map_err(|e| {
            let looks_like_html = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
            let detail = if looks_like_html {
                "an HTML page came back instead of JSON (a proxy or login page?)".to_owned()
            } else {
                e.to_string()
            };
            self.invalid(what, detail)
        })
    }

    fn get(&self, path: &str, query: &[(&str, String)], what: &str) -> Result<HttpReply, SourceError> {
        self.http.call(Method::Get, &format!("{}{}", self.prefix, path), query, None, what)
    }

    fn post(&self, path: &str, body: &serde_json::Value, what: &str) -> Result<HttpReply, SourceError> {
        self.http.call(Method::Post, &format!("{}{}", self.prefix, path), &[], Some(body), what)
    }

    fn messages(&self, conv: &str, query: &[(&str, String)]) -> Result<Option<Vec<wire::Message>>, SourceError> {
        let what = format!("the messages of conversation {conv}");
        match self.get(&format!("/conversations/{conv}/messages"), query, &what) {
            Ok(reply) => {
                let list: wire::MessageList = self.decode(&reply.body, &what)?;
                Ok(Some(list.payload))
            }
            Err(SourceError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// New messages of `conv` above `floor`, oldest first. Works whether or not the
    /// server honours `after`, and never returns a batch that would leave a gap below
    /// its highest id (the cache's no-gap invariant depends on it).
    fn fetch_messages(&self, conv: &str, floor: Option<i64>, after: &mut AfterParam) -> Result<Fetched, SourceError> {
        let a = floor.unwrap_or(0);
        let first = if *after != AfterParam::Ignored {
            let Some(page) = self.messages(conv, &[("after", a.to_string())])? else { return Ok(Fetched::Gone) };
            if a > 0 && page.iter().any(|m| m.id.0 <= a) {
                // The server answered with its latest messages: it does not know `after`.
                *after = AfterParam::Ignored;
                page
            } else {
                if page.len() > BEFORE_PAGE_SIZE {
                    *after = AfterParam::Honoured;
                }
                if page.len() < BEFORE_PAGE_SIZE {
                    // Fewer than any server's page size: this is everything above `a`.
                    return Ok(Fetched::Batch { messages: sorted(page), complete: true });
                }
                if *after == AfterParam::Honoured {
                    return Ok(Fetched::Batch { messages: sorted(page), complete: false });
                }
                // Exactly one page and the server's behaviour unknown: look below it for a gap.
                page
            }
        } else {
            let Some(page) = self.messages(conv, &[])? else { return Ok(Fetched::Gone) };
            page
        };
        // Walk backwards with `before` (honoured by every version) down to the floor, and
        // hand the whole walk over at once so nothing above a gap is ever committed.
        let mut all: Vec<wire::Message> = first.into_iter().filter(|m| m.id.0 > a).collect();
        let mut batch_len = all.len();
        let mut lowest = all.iter().map(|m| m.id.0).min();
        while let Some(low) = lowest {
            if batch_len < BEFORE_PAGE_SIZE || low <= a + 1 {
                break;
            }
            let Some(older) = self.messages(conv, &[("before", low.to_string())])? else { return Ok(Fetched::Gone) };
            batch_len = older.len();
            let fresh: Vec<wire::Message> = older.into_iter().filter(|m| m.id.0 > a && m.id.0 < low).collect();
            if fresh.is_empty() {
                break;
            }
            if *after == AfterParam::Unknown {
                // `after` returned the newest page, not the next one: an older server.
                *after = AfterParam::Ignored;
            }
            lowest = fresh.iter().map(|m| m.id.0).min();
            all.extend(fresh);
        }
        Ok(Fetched::Batch { messages: sorted(all), complete: true })
    }

    fn inboxes(&self) -> Result<(Vec<InboxChannel>, i64), SourceError> {
        let reply = self.get("/inboxes", &[], "the inbox list")?;
        let list: wire::InboxList = self.decode(&reply.body, "the inbox list")?;
        let inboxes =
            list.payload.into_iter().map(|i| (i.id.0, i.channel_type.unwrap_or_default(), i.medium)).collect();
        Ok((inboxes, reply.server_time.unwrap_or_else(unix_now)))
    }

    fn pull_blocking(&self, raw: Option<String>, local: &dyn LocalProgress) -> Result<SourcePage, SourceError> {
        let mut cursor = Cursor::parse(raw.as_deref());
        if cursor.pass.is_none() {
            let (inboxes, now) = self.inboxes()?;
            cursor.pass = Some(Pass {
                started_at: now,
                started_local_ms: jiff::Timestamp::now().as_millisecond(),
                inboxes,
                page: 1,
                ..Pass::default()
            });
        }
        let since = cursor.since;
        let mut page = SourcePage { more: true, ..SourcePage::default() };
        let Some(pass) = cursor.pass.as_mut() else {
            return Err(self.invalid("the sync cursor", "no pass in progress".into()));
        };
        if let Some(conv) = pass.pending.front().cloned() {
            let floor = local.last_synced_message(&conv).map_err(|e| SourceError::Config {
                account: self.account_name.clone(),
                detail: format!("reading the local cache: {e}"),
            })?;
            match self.fetch_messages(&conv, floor, &mut cursor.after_param)? {
                Fetched::Gone => {
                    pass.pending.pop_front();
                }
                Fetched::Batch { messages, complete } => {
                    if complete || messages.is_empty() {
                        pass.pending.pop_front();
                    }
                    page.messages = messages.iter().map(|m| map::message(&conv, m)).collect();
                }
            }
        } else if !pass.listing_done {
            let mut query = vec![
                ("status", "all".to_owned()),
                ("assignee_type", "all".to_owned()),
                ("sort_by", "last_activity_at_desc".to_owned()),
                ("page", pass.page.to_string()),
            ];
            if let Some(since) = since {
                // `updated_within` counts back from the server's clock when the request
                // arrives, which may be long after the pass began (a resumed pass): size
                // the window from an estimate of that moment, erring on the wide side.
                let elapsed = (jiff::Timestamp::now().as_millisecond() - pass.started_local_ms).max(0) / 1000 + 1;
                let server_now = pass.started_at.saturating_add(elapsed);
                let window = server_now.saturating_sub(since).max(0) + self.overlap + self.latency_allowance;
                query.push(("updated_within", window.to_string()));
            }
            let what = format!("page {} of the conversation list", pass.page);
            let reply = self.get("/conversations", &query, &what)?;
            let list = self
                .decode::<wire::ConversationList>(&reply.body, &what)?
                .into_payload()
                .ok_or_else(|| self.invalid(&what, "neither `data.payload` nor `payload` is present".into()))?;
            let ids: Vec<i64> = list.iter().map(|c| c.id.0).collect();
            let repeated = !ids.is_empty() && ids.iter().all(|id| pass.last_page_ids.contains(id));
            for c in &list {
                if repeated {
                    break;
                }
                let inbox = c
                    .inbox_id
                    .and_then(|id| pass.inboxes.iter().find(|(i, _, _)| *i == id.0))
                    .map(|(_, ct, medium)| (ct.as_str(), medium.as_deref()));
                let conversation = map::conversation(c, inbox);
                if let Some(sender) = c.meta.as_ref().and_then(|m| m.sender.as_ref()) {
                    let contact = map::contact(sender, self.region);
                    if !page.contacts.iter().any(|k| k.remote_id == contact.remote_id) {
                        page.contacts.push(contact);
                    }
                }
                let remote = conversation.remote_id.clone();
                let needs_messages = match map::latest_message_id(c) {
                    // The list says nothing about messages: fetch to be sure.
                    None => true,
                    Some(None) => false,
                    Some(Some(latest)) => {
                        let have = local.last_synced_message(&remote).map_err(|e| SourceError::Config {
                            account: self.account_name.clone(),
                            detail: format!("reading the local cache: {e}"),
                        })?;
                        have.is_none_or(|h| h < latest)
                    }
                };
                if needs_messages && !pass.pending.contains(&remote) {
                    pass.pending.push_back(remote);
                }
                page.backend_sla.push((conversation.remote_id.clone(), sla::backend_sla(c)));
                page.conversations.push(conversation);
            }
            // Stop conditions, any of which ends the listing:
            // - an empty page: past the end;
            // - a page repeating the previous one: the server ignores `page` (it honoured
            //   `updated_within` and sent everything at once);
            // - more than a page's worth: likewise unpaginated;
            // - incremental and every item older than the watermark: the list is sorted by
            //   activity, so every later page is older still.
            let all_old = since.is_some_and(|s| {
                !list.is_empty()
                    && list.iter().all(|c| {
                        let activity = c.last_activity_at.or(c.timestamp).or(c.created_at).map(|t| t.0).unwrap_or(0);
                        activity < s
                    })
            });
            if list.is_empty() || repeated || list.len() > LIST_PAGE_SIZE || all_old {
                pass.listing_done = true;
            }
            pass.last_page_ids = ids;
            pass.page += 1;
        } else {
            cursor.since = Some(pass.started_at.saturating_sub(self.overlap));
            page.caught_up_from = Some(pass.started_local_ms);
            cursor.pass = None;
            page.more = false;
        }
        page.next_cursor = cursor.encode();
        Ok(page)
    }

    /// Looks for a message an earlier attempt of `item` left on the server.
    fn probe(&self, item: &OutboundItem) -> Result<Option<wire::Message>, SourceError> {
        let mut floor = item.queued_after;
        // The probe does not learn server behaviour for the sync: it has its own copy.
        let mut after = AfterParam::Unknown;
        loop {
            match self.fetch_messages(&item.conversation_remote_id, floor, &mut after)? {
                Fetched::Gone => return Ok(None),
                Fetched::Batch { messages, complete } => {
                    if let Some(found) = messages.iter().find(|m| map::echo_key(m).as_deref() == Some(&item.key)) {
                        return Ok(Some(found.clone()));
                    }
                    match messages.iter().map(|m| m.id.0).max() {
                        Some(max) if !complete => floor = Some(max),
                        _ => return Ok(None),
                    }
                }
            }
        }
    }

    /// The agent id for a name (or email) as Chatwoot's agent list spells it.
    fn agent_id_by_name(&self, name: &str, what: &str) -> Result<i64, SourceError> {
        #[derive(serde::Deserialize)]
        struct Agent {
            id: wire::Id,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            available_name: Option<String>,
            #[serde(default)]
            email: Option<String>,
        }
        let reply = self.get("/agents", &[], "the list of agents")?;
        let agents: Vec<Agent> = self.decode(&reply.body, "the list of agents")?;
        let wanted = name.trim().to_lowercase();
        let same = |v: &Option<String>| v.as_deref().is_some_and(|v| v.trim().to_lowercase() == wanted);
        agents.iter().find(|a| same(&a.name) || same(&a.available_name) || same(&a.email)).map(|a| a.id.0).ok_or_else(
            || SourceError::Rejected {
                account: self.account_name.clone(),
                what: what.to_owned(),
                status: 0,
                detail: format!("no agent named {name:?} in this Chatwoot account"),
            },
        )
    }

    fn push_blocking(&self, item: &OutboundItem) -> Result<PushReceipt, SourceError> {
        let conv = &item.conversation_remote_id;
        match &item.action {
            OutboundAction::Reply { text } | OutboundAction::Note { text } => {
                if item.attempt > 1
                    && let Some(found) = self.probe(item)?
                {
                    return Ok(PushReceipt {
                        remote_id: Some(found.id.0.to_string()),
                        echo: Some(map::message(conv, &found)),
                        already_applied: true,
                    });
                }
                let private = matches!(item.action, OutboundAction::Note { .. });
                let mut body = json!({
                    "content": text,
                    "message_type": "outgoing",
                    "private": private,
                    "content_type": "text",
                    "echo_id": item.key,
                    "content_attributes": { map::ECHO_KEY_ATTRIBUTE: item.key },
                });
                // On API inboxes `source_id` is the integrator's own message id, made for
                // exactly this; other channels overwrite it with the provider's id.
                if item.channel == Channel::Api {
                    body["source_id"] = json!(item.key);
                }
                let what = format!("a message in conversation {conv}");
                let reply = self.post(&format!("/conversations/{conv}/messages"), &body, &what)?;
                let created: wire::Message = self.decode(&reply.body, &what)?;
                let mut echo = map::message(conv, &created);
                echo.echo_key.get_or_insert_with(|| item.key.clone());
                Ok(PushReceipt { remote_id: Some(created.id.0.to_string()), echo: Some(echo), already_applied: false })
            }
            OutboundAction::SetStatus { status, snoozed_until } => {
                let mut body = json!({ "status": status.as_str() });
                if let Some(until) = snoozed_until {
                    body["snoozed_until"] = json!(until / 1000);
                }
                let what = format!("a status change of conversation {conv}");
                self.post(&format!("/conversations/{conv}/toggle_status"), &body, &what)?;
                Ok(PushReceipt { remote_id: None, echo: None, already_applied: false })
            }
            OutboundAction::Assign { assignee_id } => {
                let what = format!("an assignment of conversation {conv}");
                let id = match assignee_id.as_deref().map(str::trim) {
                    None => None,
                    Some(s) => match s.parse::<i64>() {
                        Ok(id) => Some(id),
                        // The app assigns by name (the name is what it knows offline).
                        Err(_) => Some(self.agent_id_by_name(s, &what)?),
                    },
                };
                let body = json!({ "assignee_id": id });
                self.post(&format!("/conversations/{conv}/assignments"), &body, &what)?;
                Ok(PushReceipt { remote_id: None, echo: None, already_applied: false })
            }
        }
    }
}

fn sorted(mut messages: Vec<wire::Message>) -> Vec<wire::Message> {
    messages.sort_by_key(|m| m.id.0);
    messages.dedup_by_key(|m| m.id.0);
    messages
}

fn join_error(account: &str, e: tokio::task::JoinError) -> SourceError {
    SourceError::Offline { account: account.to_owned(), detail: format!("the network task stopped: {e}") }
}

impl ConversationSource for ChatwootSource {
    fn pull(&self, cursor: Option<String>, local: Arc<dyn LocalProgress>) -> SourceFuture<'_, SourcePage> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let account = inner.account_name.clone();
            tokio::task::spawn_blocking(move || inner.pull_blocking(cursor, local.as_ref()))
                .await
                .map_err(|e| join_error(&account, e))?
        })
    }

    fn push(&self, item: OutboundItem) -> SourceFuture<'_, PushReceipt> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let account = inner.account_name.clone();
            tokio::task::spawn_blocking(move || inner.push_blocking(&item))
                .await
                .map_err(|e| join_error(&account, e))?
        })
    }
}
