//! Request and response bodies. They are separate from the database rows; `From` impls
//! convert rows into them.

pub mod auth;
pub mod broadcasts;
pub mod chat_users;
pub mod conversations;
pub mod keys;
pub mod messages;
pub mod shops;
pub mod tenant;
pub mod tickets;
pub mod users;

use chrono::{DateTime, TimeZone, Utc};
use poem_openapi::types::MaybeUndefined;

/// Stored epoch milliseconds as an RFC 3339 time.
pub fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A field of a partial update: `None` when absent, `Some(None)` when `null`, else the value.
pub fn patched(field: &MaybeUndefined<String>) -> Option<Option<&str>> {
    match field {
        MaybeUndefined::Value(v) => Some(Some(v.as_str())),
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Undefined => None,
    }
}
