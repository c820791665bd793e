//! Full-text search over message text (FTS5, accent-insensitive), returning the
//! conversation, the customer and a snippet whose matches are marked.

use hilo_model::{HighlightSegment, SearchHit};
use rusqlite::{Connection, params};

use crate::Result;
use crate::rows::parse;

pub const DEFAULT_LIMIT: u32 = 50;
const MARK_START: char = '\u{2}';
const MARK_END: char = '\u{3}';

/// Turns what a person typed into a safe FTS5 query: every word must appear (as a
/// prefix), and FTS syntax characters in the input are treated as text, not operators.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .take(16)
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

pub fn search(conn: &Connection, input: &str, limit: Option<u32>) -> Result<Vec<SearchHit>> {
    let Some(query) = fts_query(input) else { return Ok(Vec::new()) };
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 500);
    let mut stmt = conn.prepare_cached(
        "SELECT m.conversation_id, c.customer_id, cu.name, c.channel, c.status, m.id, m.created_at,
                snippet(messages_fts, 0, char(2), char(3), '…', 14)
         FROM messages_fts
         JOIN messages m ON m.id = messages_fts.rowid
         JOIN conversations c ON c.id = m.conversation_id
         JOIN customers cu ON cu.id = c.customer_id
         WHERE messages_fts MATCH ?1
         ORDER BY bm25(messages_fts), m.created_at DESC
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![query, limit], |r| {
        Ok(SearchHit {
            conversation_id: r.get(0)?,
            customer_id: r.get(1)?,
            customer_name: r.get(2)?,
            channel: parse(r, 3)?,
            status: parse(r, 4)?,
            message_id: r.get(5)?,
            at: r.get(6)?,
            snippet: segments(&r.get::<_, String>(7)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Splits an FTS snippet with STX/ETX markers into plain and marked segments.
pub fn segments(snippet: &str) -> Vec<HighlightSegment> {
    let mut out = Vec::new();
    let mut marked = false;
    let mut buf = String::new();
    for ch in snippet.chars() {
        if ch == MARK_START || ch == MARK_END {
            if !buf.is_empty() {
                out.push(HighlightSegment { text: std::mem::take(&mut buf), marked });
            }
            marked = ch == MARK_START;
        } else {
            buf.push(ch);
        }
    }
    if !buf.is_empty() {
        out.push(HighlightSegment { text: buf, marked });
    }
    out
}
