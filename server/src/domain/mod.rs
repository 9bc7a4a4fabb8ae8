//! Rules with no HTTP and no SQL: the entities the store hands out (users, tenants, API
//! keys, ...), roles, permissions, tenant settings and the newtypes that parse input once.

pub mod api_key;
pub mod audit;
pub mod conversation;
pub mod id;
pub mod limits;
pub mod media;
pub mod message;
pub mod named;
pub mod names;
pub mod phone;
pub mod report;
pub mod role;
pub mod settings;
pub mod shop;
pub mod stats;
pub mod tenant;
pub mod text;
pub mod ticket;
pub mod user;
pub mod web_url;
pub mod webhook;

pub use api_key::{ApiKey, KeyKind};
pub use audit::AuditEntry;
pub use id::{parse_field_id, parse_id, MalformedId};
pub use limits::{Per, Rate, RateLimits, WriteKind};
pub use named::{Named, Timestamp};
pub use names::{DisplayName, Email, Password, Slug, TenantName, Username};
pub use phone::phone_digits;
pub use role::{Permissions, PermissionsChange, Role};
pub use settings::{SettingsChange, TenantSettings};
pub use tenant::Tenant;
pub use user::{CountedUser, User, UserFilter, UserPatch, UserStatus};
pub use web_url::WebUrl;

/// A rule of the domain refused the input; `field` names the offending input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    pub field: &'static str,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Invalid { field, reason: reason.into() }
    }
}
