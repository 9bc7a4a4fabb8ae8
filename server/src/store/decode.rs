//! How columns become domain types, with one policy for a value the domain does not know:
//! the row is refused with a decode error, which reaches the caller as an opaque 500 and is
//! logged with its cause. Nothing falls back to a default.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::domain::{Named, Timestamp};

/// A stored value the domain has no meaning for.
#[derive(Debug, thiserror::Error)]
#[error("unexpected value {value} in column {column}")]
pub struct Unexpected {
    column: String,
    value: String,
}

/// A value read from `column` that the domain has no name for, as the error that refuses it.
pub fn unexpected(column: &str, value: &str) -> sqlx::Error {
    refuse(column, value)
}

fn refuse(column: &str, value: impl std::fmt::Debug) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(Unexpected { column: column.to_owned(), value: format!("{value:?}") }),
    }
}

/// A text column holding one of `T`'s names.
pub fn named<T: Named>(row: &AnyRow, column: &str) -> sqlx::Result<T> {
    name_in(column, &row.try_get::<String, _>(column)?)
}

/// One of `T`'s names, read from `column` (or from a key the row keeps in text).
pub fn name_in<T: Named>(column: &str, raw: &str) -> sqlx::Result<T> {
    T::parse(raw).ok_or_else(|| unexpected(column, raw))
}

/// A nullable text column holding one of `T`'s names.
pub fn optional_named<T: Named>(row: &AnyRow, column: &str) -> sqlx::Result<Option<T>> {
    let raw: Option<String> = row.try_get(column)?;
    raw.map(|raw| T::parse(&raw).ok_or_else(|| refuse(column, raw))).transpose()
}

/// A 0/1 integer column.
pub fn flag(row: &AnyRow, column: &str) -> sqlx::Result<bool> {
    match row.try_get::<i64, _>(column)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(refuse(column, other)),
    }
}

/// An epoch-milliseconds column.
pub fn time(row: &AnyRow, column: &str) -> sqlx::Result<Timestamp> {
    let ms: i64 = row.try_get(column)?;
    from_millis(ms).ok_or_else(|| refuse(column, ms))
}

/// A nullable epoch-milliseconds column.
pub fn optional_time(row: &AnyRow, column: &str) -> sqlx::Result<Option<Timestamp>> {
    let ms: Option<i64> = row.try_get(column)?;
    ms.map(|ms| from_millis(ms).ok_or_else(|| refuse(column, ms))).transpose()
}

fn from_millis(ms: i64) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp_millis(ms)
}

/// The stored form of a time.
pub fn millis(at: Timestamp) -> i64 {
    at.timestamp_millis()
}

/// The stored form of a flag.
pub fn stored_flag(on: bool) -> i64 {
    i64::from(on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_survive_the_round_trip_to_milliseconds() {
        let at = from_millis(1_700_000_000_123).unwrap();
        assert_eq!(millis(at), 1_700_000_000_123);
    }
}
