//! The identity graph's commands: customer lists and context, merges and unmerges,
//! merge suggestions and their dismissal, filtered timelines and the full export.
//! Each write is one transaction (see `hilo_store::merges`).

use hilo_model::identity::Lookup;
use hilo_model::*;
use hilo_store::{customer_context, customers, merge_suggestions, merges, settings, timeline};

use crate::app::AppCore;
use crate::error::{CoreError, Result};

/// Setting key for the agent's display name, recorded as the actor of merges.
pub const AGENT_NAME_SETTING: &str = "agent.name";
/// Calls shown in the context panel.
const RECENT_CALLS: u32 = 5;

/// Kinds an IDENT that is neither id, email nor phone may name: social handles and
/// helpdesk contact ids.
const HANDLE_KINDS: &[IdentityKind] = &[
    IdentityKind::Facebook,
    IdentityKind::Instagram,
    IdentityKind::X,
    IdentityKind::Telegram,
    IdentityKind::Contact,
    IdentityKind::PhoneUnparsed,
];

impl AppCore {
    /// Who is at the desk, for the audit trail: the `agent.name` setting, else the OS user.
    pub async fn agent_name(&self) -> Result<String> {
        let stored = self.store().read_async(|c| settings::get(c, AGENT_NAME_SETTING)).await?;
        Ok(stored
            .as_ref()
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Hilo".to_owned()))
    }

    /// Finds a customer by id (`42`, `#42`), email, phone in any common format, social
    /// handle (`@claudiop`, a profile URL) or helpdesk contact id. A customer merged into
    /// another resolves to the one it was merged into.
    pub async fn find_customer(&self, ident: &str) -> Result<i64> {
        let region = self.default_region().await?.unwrap_or(phonenumber::country::Id::US);
        let lookup = parse_lookup(ident, region);
        let raw = ident.trim().to_owned();
        let found = self
            .store()
            .read_async(move |c| {
                let direct = match lookup {
                    Lookup::CustomerId(id) => customers::exists(c, id)?.then_some(id),
                    Lookup::Email(e) => customers::find_by_identity(c, IdentityKind::Email, &e)?,
                    Lookup::Phone(p) => customers::find_by_identity(c, IdentityKind::Phone, &p)?,
                    Lookup::Unrecognized(_) => {
                        let mut hit = None;
                        for &kind in HANDLE_KINDS {
                            let n = normalize_identity(IdentityInput { kind, raw: &raw }, region);
                            if n.value.is_empty() {
                                continue;
                            }
                            if let Some(id) = customers::find_by_identity(c, n.kind, &n.value)? {
                                hit = Some(id);
                                break;
                            }
                        }
                        hit
                    }
                };
                match direct {
                    Some(id) => merges::survivor(c, id),
                    None => Ok(None),
                }
            })
            .await?;
        found.ok_or_else(|| {
            CoreError::NotFound(format!(
                "no customer matches {ident:?} (try an email, a phone number, a handle or a customer id)"
            ))
        })
    }

    /// Every customer not merged into another, latest activity first.
    pub async fn customers(&self) -> Result<Vec<CustomerListItem>> {
        Ok(self.store().read_async(customer_context::list).await?)
    }

    /// What the context panel shows for `customer_id` (a merged customer shows the one
    /// it was merged into).
    pub async fn customer_context(&self, customer_id: i64) -> Result<CustomerContext> {
        let region = self.default_region().await?;
        Ok(self
            .store()
            .read_async(move |c| {
                let id = merges::survivor(c, customer_id)?
                    .ok_or_else(|| hilo_store::StoreError::NotFound(format!("customer {customer_id}")))?;
                let mut suggestions = Vec::new();
                for pair in merge_suggestions::for_customer(c, id, region)? {
                    suggestions.push(MergeSuggestion {
                        other: customers::summary(c, pair.other(id))?,
                        evidence: pair.evidence_for(id),
                    });
                }
                Ok(CustomerContext {
                    customer: customers::summary(c, id)?,
                    conversations: customer_context::conversations(c, id)?,
                    recent_calls: customer_context::recent_calls(c, id, RECENT_CALLS)?,
                    suggestions,
                    merges: merges::active_into(c, id)?,
                })
            })
            .await?)
    }

    /// Every merge suggestion in the workspace, as pairs (lower id first) with evidence.
    pub async fn merge_suggestions(&self) -> Result<Vec<(CustomerSummary, MergeSuggestion)>> {
        let region = self.default_region().await?;
        Ok(self
            .store()
            .read_async(move |c| {
                let mut out = Vec::new();
                for pair in merge_suggestions::all(c, region)? {
                    out.push((
                        customers::summary(c, pair.a)?,
                        MergeSuggestion { other: customers::summary(c, pair.b)?, evidence: pair.evidence.clone() },
                    ));
                }
                Ok(out)
            })
            .await?)
    }

    /// Merges `source` into `target` in one transaction, recording the suggestion's
    /// evidence when there is one, and a `merged` event on the target's timeline.
    pub async fn merge_customers(&self, target: i64, source: i64, now: i64) -> Result<MergeOutcome> {
        let region = self.default_region().await?;
        let actor = self.agent_name().await?;
        Ok(self
            .store()
            .write_async(move |tx| {
                let evidence = merge_suggestions::for_customer(tx, target, region)?
                    .into_iter()
                    .find(|p| p.other(target) == source)
                    .map(|p| p.evidence_for(target))
                    .unwrap_or_default();
                merges::merge(
                    tx,
                    &merges::MergeRequest {
                        target_id: target,
                        source_id: source,
                        at: now,
                        actor: Some(&actor),
                        evidence: &evidence,
                        origin: Origin::Ui,
                    },
                )
            })
            .await?)
    }

    /// Undoes a merge in one transaction (see `hilo_store::merges` for what goes back).
    pub async fn unmerge_customers(&self, merge_id: i64, now: i64) -> Result<UnmergeOutcome> {
        let actor = self.agent_name().await?;
        Ok(self.store().write_async(move |tx| merges::unmerge(tx, merge_id, now, Some(&actor), Origin::Ui)).await?)
    }

    pub async fn merge_record(&self, merge_id: i64) -> Result<MergeRecord> {
        Ok(self.store().read_async(move |c| merges::get(c, merge_id)).await?)
    }

    pub async fn merge_history(&self, customer_id: i64) -> Result<Vec<MergeRecord>> {
        Ok(self.store().read_async(move |c| merges::history(c, customer_id)).await?)
    }

    /// "Not the same person": the pair is never suggested again.
    pub async fn dismiss_merge_suggestion(&self, customer_id: i64, other_id: i64, now: i64) -> Result<()> {
        let actor = self.agent_name().await?;
        Ok(self.store().write_async(move |tx| merges::dismiss(tx, customer_id, other_id, now, Some(&actor))).await?)
    }

    /// One page of the timeline narrowed by `filter` (channels, kinds, jump to a date).
    pub async fn timeline_filtered(
        &self,
        customer_id: i64,
        filter: TimelineFilter,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<TimelinePage> {
        Ok(self
            .store()
            .read_async(move |c| {
                timeline::customer_timeline_filtered(c, customer_id, &filter, cursor.as_deref(), limit)
            })
            .await?)
    }
}

/// The columns of `hilo export --format csv`, in order.
pub const CSV_HEADER: &[&str] =
    &["at", "type", "kind", "channel", "direction", "author", "from", "to", "conversation_id", "id", "text"];

/// A cell as a spreadsheet should read it: customer text is untrusted, so a value that
/// a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, and tab or CR, which some
/// spreadsheets skip before looking) gets a leading apostrophe; then RFC 4180 quoting.
pub fn csv_cell(value: &str) -> String {
    let defused =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if defused.contains([',', '"', '\n', '\r']) { format!("\"{}\"", defused.replace('"', "\"\"")) } else { defused }
}

/// The whole timeline as CSV (header row first, CRLF line ends as RFC 4180 says).
pub fn timeline_csv(items: &[TimelineEntry]) -> String {
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    };
    line(CSV_HEADER);
    for item in items {
        let at = time::to_rfc3339(item.at());
        match item {
            TimelineEntry::Message(m) => line(&[
                &at,
                "message",
                m.kind.as_str(),
                m.channel.as_str(),
                m.direction.as_str(),
                m.author.as_deref().unwrap_or(""),
                "",
                "",
                &m.conversation_id.to_string(),
                &m.id.to_string(),
                &m.text,
            ]),
            TimelineEntry::Call(c) => {
                let mut text = c.summary.clone().unwrap_or_default();
                if let Some(talk) = c.talk_secs {
                    text = format!("{text}{}talk {talk}s", if text.is_empty() { "" } else { " · " });
                }
                line(&[
                    &at,
                    "call",
                    c.outcome.as_str(),
                    Channel::Voice.as_str(),
                    c.direction.as_str(),
                    c.agent.as_deref().unwrap_or(""),
                    c.from.as_deref().unwrap_or(""),
                    c.to.as_deref().unwrap_or(""),
                    "",
                    &c.id.to_string(),
                    &text,
                ])
            }
            TimelineEntry::Event(e) => line(&[
                &at,
                "event",
                e.kind.as_str(),
                e.channel.map(|c| c.as_str()).unwrap_or(""),
                "",
                e.actor.as_deref().unwrap_or(""),
                e.from.as_deref().unwrap_or(""),
                e.to.as_deref().unwrap_or(""),
                &e.conversation_id.map(|c| c.to_string()).unwrap_or_default(),
                &e.id.to_string(),
                "",
            ]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("hola"), "hola");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("dijo \"ya\""), "\"dijo \"\"ya\"\"\"");
        assert_eq!(csv_cell("línea 1\nlínea 2"), "\"línea 1\nlínea 2\"");
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(csv_cell("+34600123456"), "'+34600123456");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\t=1"), "'\t=1");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_item() {
        let items = vec![
            TimelineEntry::Message(TimelineMessage {
                id: 7,
                at: 0,
                conversation_id: 3,
                channel: Channel::Facebook,
                direction: Direction::Inbound,
                kind: MessageKind::Message,
                author: Some("Claudio Pérez".into()),
                text: "=cmd|' /C calc'!A0, y \"más\"\nfin".into(),
                html: None,
                delivery: DeliveryState::Delivered,
                attachments: Vec::new(),
                outbox: None,
            }),
            TimelineEntry::Event(TimelineEvent {
                id: 9,
                at: 1_000,
                kind: EventKind::Merged,
                conversation_id: None,
                channel: None,
                actor: Some("Ana".into()),
                from: Some("Claudio Perez".into()),
                to: Some("Claudio Pérez".into()),
                merge_id: Some(1),
            }),
        ];
        let csv = timeline_csv(&items);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "at,type,kind,channel,direction,author,from,to,conversation_id,id,text");
        assert_eq!(
            lines[1],
            "1970-01-01T00:00:00Z,message,message,facebook,inbound,Claudio Pérez,,,3,7,\"'=cmd|' /C calc'!A0, y \"\"más\"\"\nfin\""
        );
        assert_eq!(lines[2], "1970-01-01T00:00:01Z,event,merged,,,Ana,Claudio Perez,Claudio Pérez,,9,");
        assert_eq!(lines[3], "", "the last row ends with CRLF");
    }
}
