//! Who a request comes from: a user (by access or chat token) or a tenant's API key.
//! Authentication lives here; what each caller may do is decided in `crate::policy`.

use super::api_key;
use super::{AuthError, Purpose};
use crate::domain::{KeyKind, Role, User, UserStatus};
use crate::state::AppState;
use crate::store;

/// A signed-in user of one tenant.
#[derive(Debug, Clone)]
pub struct UserCaller {
    pub tenant_id: String,
    pub user: User,
    /// The user's role (the same as `user.role`), at hand for the many checks on it.
    pub role: Role,
    /// The login session, for access tokens.
    pub session_id: Option<String>,
    pub purpose: Purpose,
    /// The API key presented with the token, if any.
    pub api_key_id: Option<String>,
    /// The client's network address, where the request came over the network: rate
    /// limits count per address too.
    pub client_addr: Option<String>,
}

/// A tenant's API key.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub tenant_id: String,
    pub key_id: String,
    pub kind: KeyKind,
}

/// Either kind of caller.
// One lives per request and moves along its call chain, never kept in bulk, so the size
// gap between the variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Caller {
    User(UserCaller),
    Key(KeyCaller),
}

impl Caller {
    pub fn tenant_id(&self) -> &str {
        match self {
            Caller::User(u) => &u.tenant_id,
            Caller::Key(k) => &k.tenant_id,
        }
    }

    /// A short description for the audit log.
    pub fn actor(&self) -> String {
        match self {
            Caller::User(u) => format!("user:{}", u.user.id),
            Caller::Key(k) => format!("api_key:{}", k.key_id),
        }
    }
}

/// Authenticates a bearer token (access or chat). When the request also carries an
/// `x-api-key`, that key must be live and belong to the token's tenant.
pub async fn authenticate_bearer(state: &AppState, token: &str, api_key: Option<&str>) -> Result<UserCaller, AuthError> {
    let claims = state.keys.verify(token, &[Purpose::Access, Purpose::Chat])?;
    user_from_claims(state, claims.tid, claims.sub, claims.sid, claims.pur, api_key).await
}

/// Loads the user a verified token names and checks its session and account state.
pub async fn user_from_claims(
    state: &AppState,
    tenant_id: String,
    user_id: String,
    session_id: Option<String>,
    purpose: Purpose,
    api_key: Option<&str>,
) -> Result<UserCaller, AuthError> {
    if purpose == Purpose::Access {
        let sid = session_id.as_deref().ok_or(AuthError::Unauthorized("invalid or expired token"))?;
        if !store::sessions::is_live(&state.db, sid).await? {
            return Err(AuthError::Unauthorized("this session has been signed out"));
        }
    }
    let user =
        store::users::by_id(&state.db, &tenant_id, &user_id).await?.ok_or(AuthError::Unauthorized("the token's user no longer exists"))?;
    if user.status != UserStatus::Active {
        return Err(AuthError::Forbidden("this account is suspended"));
    }
    let mut api_key_id = None;
    if let Some(presented) = api_key {
        let key = authenticate_key(state, presented).await?;
        if key.tenant_id != tenant_id {
            return Err(AuthError::Unauthorized("the API key belongs to another tenant than the token"));
        }
        api_key_id = Some(key.key_id);
    }
    let role = user.role;
    Ok(UserCaller { tenant_id, user, role, session_id, purpose, api_key_id, client_addr: None })
}

/// Authenticates an `x-api-key` value.
pub async fn authenticate_key(state: &AppState, presented: &str) -> Result<KeyCaller, AuthError> {
    const BAD: AuthError = AuthError::Unauthorized("invalid or revoked API key");
    let prefix = api_key::prefix_of(presented).ok_or(BAD)?;
    let key = store::api_keys::live_by_prefix(&state.db, prefix).await?.ok_or(BAD)?;
    if !api_key::matches(&key.key_hash, presented) {
        return Err(BAD);
    }
    store::api_keys::touch(&state.db, &key.id).await?;
    Ok(KeyCaller { tenant_id: key.tenant_id, key_id: key.id, kind: key.kind })
}
