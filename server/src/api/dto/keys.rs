//! API keys as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use super::users::RoleDto;
use crate::domain::{ApiKey, KeyKind, Named};

/// What a key may do.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum KeyKindDto {
    /// `sk_...`: server-to-server; creates users, mints chat tokens, calls the admin API,
    /// within its `authority`.
    Secret,
    /// `pk_...`: identifies the tenant from a browser; grants nothing on its own.
    Publishable,
}

impl From<KeyKindDto> for KeyKind {
    fn from(k: KeyKindDto) -> Self {
        match k {
            KeyKindDto::Secret => KeyKind::Secret,
            KeyKindDto::Publishable => KeyKind::Publishable,
        }
    }
}

/// Issue a key.
#[derive(Object, Debug)]
pub struct CreateKeyRequest {
    /// A label for people, such as "production web server".
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Secret or publishable.
    pub kind: KeyKindDto,
}

/// A key as listed: never the key itself.
#[derive(Object, Debug)]
pub struct ApiKeyDto {
    /// The key's id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// `secret` or `publishable`.
    pub kind: String,
    /// The strongest role the key acts as, fixed when it is issued: the issuer's role (the
    /// owner's, `superadmin`, for the bootstrap key). A secret key may grant roles, manage
    /// users and mint chat tokens only as a user of this role could; read-only.
    pub authority: RoleDto,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

impl From<&ApiKey> for ApiKeyDto {
    fn from(k: &ApiKey) -> Self {
        ApiKeyDto {
            id: k.id.clone(),
            name: k.name.clone(),
            kind: k.kind.as_str().to_owned(),
            authority: k.authority.into(),
            prefix: k.prefix.clone(),
            last_used_at: k.last_used_at,
            created_at: k.created_at,
        }
    }
}

/// A key just issued: the only time `key` is shown.
#[derive(Object, Debug)]
pub struct CreatedKeyDto {
    /// The key's id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// `secret` or `publishable`.
    pub kind: String,
    /// The strongest role the key acts as, fixed when it is issued: the issuer's role (the
    /// owner's, `superadmin`, for the bootstrap key). A secret key may grant roles, manage
    /// users and mint chat tokens only as a user of this role could; read-only.
    pub authority: RoleDto,
    /// The first characters of the key.
    pub prefix: String,
    /// The full key. Store it now: it cannot be shown again.
    pub key: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

impl CreatedKeyDto {
    /// The stored key and, once, the key itself.
    pub fn new(stored: ApiKey, key: String) -> Self {
        CreatedKeyDto {
            id: stored.id,
            name: stored.name,
            kind: stored.kind.as_str().to_owned(),
            authority: stored.authority.into(),
            prefix: stored.prefix,
            key,
            created_at: stored.created_at,
        }
    }
}
