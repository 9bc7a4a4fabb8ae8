//! An entry of the audit log: who did which privileged action to what, when, from where,
//! and what it changed.

use super::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    /// `user:<id>` or `api_key:<id>` (see `auth::Caller::actor`).
    pub actor: String,
    /// Such as `user.suspend` or `api_key.revoke`.
    pub action: String,
    /// The id of what was acted on, when anything.
    pub target: Option<String>,
    /// What the action changed, as JSON text: the values before and after it.
    pub before: Option<String>,
    pub after: Option<String>,
    /// Where the request came from, when it came over the network.
    pub client_addr: Option<String>,
    pub created_at: Timestamp,
}

/// Which entries a listing keeps; each filter matches exactly.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
}
