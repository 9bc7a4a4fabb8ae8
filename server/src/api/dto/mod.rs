//! Request and response bodies. They are separate from the database rows; `From` impls
//! convert rows into them.

pub mod auth;
pub mod chat_users;
pub mod keys;
pub mod messages;
pub mod conversations;
pub mod tenant;
pub mod users;

use chrono::{DateTime, TimeZone, Utc};

/// Stored epoch milliseconds as an RFC 3339 time.
pub fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
