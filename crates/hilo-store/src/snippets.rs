//! Canned answers and knowledge snippets, per shortcut and language.

use rusqlite::{Connection, params};

use crate::Result;

pub fn upsert(conn: &Connection, shortcut: &str, language: &str, title: &str, body: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO snippets (shortcut, language, title, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(shortcut, language) DO UPDATE SET title = excluded.title, body = excluded.body
             RETURNING id",
        )?
        .query_row(params![shortcut, language, title, body], |r| r.get(0))?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM snippets", [], |r| r.get(0))?)
}
