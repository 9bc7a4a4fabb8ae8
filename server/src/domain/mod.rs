//! Rules with no HTTP and no SQL: roles, permissions, tenant settings and the newtypes that
//! parse input once.

pub mod conversation;
pub mod message;
pub mod named;
pub mod names;
pub mod role;
pub mod settings;
pub mod shop;
pub mod ticket;

pub use named::{Named, Timestamp};
pub use names::{DisplayName, Email, Password, Slug, TenantName, Username};
pub use role::{Permissions, Role};
pub use settings::TenantSettings;

/// A rule of the domain refused the input; `field` names the offending input field.
#[derive(Debug, Clone, thiserror::Error)]
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
