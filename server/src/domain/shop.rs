//! Shops: a name and an address owned by one user, whom buyers message in shop threads.

use super::Timestamp;

/// A shop of a tenant.
#[derive(Debug, Clone)]
pub struct Shop {
    pub id: String,
    pub tenant_id: String,
    /// The user who owns it and answers its threads.
    pub owner_id: String,
    pub name: String,
    /// Its address, of any scheme.
    pub url: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
