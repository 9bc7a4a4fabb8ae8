//! A tenant: one integrating website or workspace, with its settings.

use super::{TenantSettings, Timestamp};

/// One tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL-safe handle, used to sign in.
    pub slug: String,
    pub settings: TenantSettings,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
