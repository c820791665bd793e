//! Column helpers: enums are stored as their names; a name this build does not know
//! is a conversion error, not a panic.

use std::str::FromStr;

use rusqlite::Row;
use rusqlite::types::Type;

pub(crate) fn parse<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(crate) fn parse_opt<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    match row.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(s) => {
            s.parse().map(Some).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
        }
    }
}

/// Splits a keyset cursor `a:b[:c]` into integers.
pub(crate) fn cursor_parts<const N: usize>(cursor: &str) -> crate::Result<[i64; N]> {
    let mut out = [0i64; N];
    let mut parts = cursor.split(':');
    for slot in out.iter_mut() {
        *slot = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| crate::StoreError::InvalidCursor(cursor.to_owned()))?;
    }
    if parts.next().is_some() {
        return Err(crate::StoreError::InvalidCursor(cursor.to_owned()));
    }
    Ok(out)
}
