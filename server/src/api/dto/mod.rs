//! Request and response bodies. They are separate from the domain types; `From` impls at
//! this edge map the services' domain types (and the event payloads of `events`) into them,
//! and requests into the services' inputs.

pub mod admin;
pub mod admin_stats;
pub mod auth;
pub mod broadcasts;
pub mod chat_users;
pub mod conversations;
pub mod keys;
pub mod media;
pub mod messages;
pub mod rate_limits;
pub mod reports;
pub mod shops;
pub mod tenant;
pub mod tickets;
pub mod users;
pub mod webhooks;

use poem_openapi::types::MaybeUndefined;

/// A field of a partial update: `None` when absent, `Some(None)` when `null`, else the value.
pub fn patched(field: &MaybeUndefined<String>) -> Option<Option<&str>> {
    match field {
        MaybeUndefined::Value(v) => Some(Some(v.as_str())),
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Undefined => None,
    }
}
