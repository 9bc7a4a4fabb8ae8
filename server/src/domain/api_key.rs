//! A tenant's API keys as stored: never the key itself, only its lookup prefix and a hash
//! (making and checking key material is `auth::api_key`'s job).

use super::{Named, Role, Timestamp};

/// Secret keys act for the tenant's servers; publishable keys only identify the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

impl Named for KeyKind {
    const ALL: &'static [Self] = &[KeyKind::Secret, KeyKind::Publishable];

    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "secret",
            KeyKind::Publishable => "publishable",
        }
    }
}

/// One API key of a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: String,
    /// A label for people, such as "production web server".
    pub name: String,
    pub kind: KeyKind,
    /// The strongest role the key acts as: its issuer's role when it was issued (the owner's
    /// for the bootstrap key). A secret key may do what a user of this role may, never more.
    pub authority: Role,
    /// The first characters of the key, which find its row.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub key_hash: String,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}
