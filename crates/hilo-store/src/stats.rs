//! Counts for the workspace summary.

use rusqlite::Connection;

use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub customers: i64,
    pub conversations: i64,
    pub messages: i64,
    pub calls: i64,
}

pub fn counts(conn: &Connection) -> Result<Counts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM customers WHERE merged_into IS NULL), (SELECT count(*) FROM conversations),
                (SELECT count(*) FROM messages), (SELECT count(*) FROM calls)",
        [],
        |r| Ok(Counts { customers: r.get(0)?, conversations: r.get(1)?, messages: r.get(2)?, calls: r.get(3)? }),
    )?)
}
