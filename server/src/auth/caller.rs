//! Who a request comes from: a user (by access or chat token) or a tenant's API key.
//! Authentication lives here; what each caller may do is decided in `crate::policy`.

use super::api_key;
use super::{AuthError, Claims, Purpose};
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
    /// The API key that minted the chat token, if a key did.
    pub minted_by: Option<String>,
    pub purpose: Purpose,
    /// The API key presented with the token, if any.
    pub api_key_id: Option<String>,
    /// The client's network address, where the request came over the network: rate
    /// limits count per address too.
    pub client_addr: Option<String>,
}

/// Who a verified token acts for, and the credentials it depends on. Only ids: a socket
/// keeps one for its whole life and loads the user afresh for each frame.
#[derive(Debug, Clone)]
pub struct Subject {
    pub tenant_id: String,
    pub user_id: String,
    /// The login session: access tokens, and tickets taken with one.
    pub session_id: Option<String>,
    /// The API key that minted the token: chat tokens minted with a key, and tickets taken
    /// with such a token.
    pub minted_by: Option<String>,
    pub purpose: Purpose,
    /// Where the credential is used from, when known: writes count against the address too.
    pub client_addr: Option<String>,
}

impl From<Claims> for Subject {
    fn from(claims: Claims) -> Self {
        Subject {
            tenant_id: claims.tid,
            user_id: claims.sub,
            session_id: claims.sid,
            minted_by: claims.akid,
            purpose: claims.pur,
            client_addr: None,
        }
    }
}

impl Subject {
    /// The user as they stand now, or why this credential may no longer act.
    pub async fn caller(&self, state: &AppState) -> Result<UserCaller, AuthError> {
        user_from_claims(state, self, None).await
    }
}

/// A tenant's API key.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub tenant_id: String,
    pub key_id: String,
    pub kind: KeyKind,
    /// The strongest role the key acts as (see `domain::ApiKey::authority`).
    pub authority: Role,
    /// The client's network address, where the request came over the network: the audit
    /// log records it.
    pub client_addr: Option<String>,
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

    /// Where the request came from, when it came over the network.
    pub fn client_addr(&self) -> Option<&str> {
        match self {
            Caller::User(u) => u.client_addr.as_deref(),
            Caller::Key(k) => k.client_addr.as_deref(),
        }
    }

    /// The role the caller acts with: a user's own, a key's authority.
    pub fn role(&self) -> Role {
        match self {
            Caller::User(u) => u.role,
            Caller::Key(k) => k.authority,
        }
    }

    /// The user the caller is, when it is one.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Caller::User(u) => Some(&u.user.id),
            Caller::Key(_) => None,
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
    user_from_claims(state, &Subject::from(claims), api_key).await
}

/// Loads the user a verified token names and checks that what the token depends on still
/// holds: its login session, the API key that minted it, the account's state.
pub async fn user_from_claims(state: &AppState, subject: &Subject, api_key: Option<&str>) -> Result<UserCaller, AuthError> {
    if subject.purpose == Purpose::Access && subject.session_id.is_none() {
        return Err(AuthError::Unauthorized("invalid or expired token"));
    }
    let Subject { tenant_id, user_id, session_id, minted_by, purpose, client_addr } = subject.clone();
    // Every request passes here: the user, the session and the key are one query, and
    // only a refusal looks again to say which of them failed.
    let holder = store::users::token_holder(&state.db, &tenant_id, &user_id, session_id.as_deref(), minted_by.as_deref()).await?;
    let Some(user) = holder else {
        return Err(why_refused(state, subject).await?);
    };
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
    Ok(UserCaller { tenant_id, user, role, session_id, minted_by, purpose, api_key_id, client_addr })
}

/// Why `token_holder` found nobody for a token, in the order a client can act on: its
/// session was signed out, its API key revoked, or its user is gone.
async fn why_refused(state: &AppState, subject: &Subject) -> Result<AuthError, AuthError> {
    if let Some(sid) = subject.session_id.as_deref() {
        if !store::sessions::is_live(&state.db, sid).await? {
            return Ok(AuthError::Unauthorized("this session has been signed out"));
        }
    }
    if let Some(key_id) = subject.minted_by.as_deref() {
        if !store::api_keys::is_live(&state.db, &subject.tenant_id, key_id).await? {
            return Ok(AuthError::Unauthorized("the API key that issued this token has been revoked"));
        }
    }
    Ok(AuthError::Unauthorized("the token's user no longer exists"))
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
    Ok(KeyCaller { tenant_id: key.tenant_id, key_id: key.id, kind: key.kind, authority: key.authority, client_addr: None })
}
