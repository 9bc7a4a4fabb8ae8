//! Password accounts and their sessions: signup, login, refresh rotation, logout, password
//! change; and what a signed-in user does with their own account: read it, change their
//! profile, take a one-time WebSocket ticket. Handlers call these; the SQL stays in `store`.

use std::time::Duration;

use crate::auth::jwt::Signed;
use crate::auth::{password, AuthError, Origin, Purpose, UserCaller};
use crate::domain::user::TextChange;
use crate::domain::web_url::web_url_change;
use crate::domain::{DisplayName, Email, Password, Role, Slug, Tenant, TenantName, TenantSettings, User, UserPatch, UserStatus, Username};
use crate::error::{AppError, AppResult, Throttled};
use crate::events::Revocation;
use crate::policy;
use crate::realtime::revoke::close_sockets;
use crate::state::AppState;
use crate::store::{self, sessions::Rotation, StoreError};
use crate::throttle;

/// Lifetime of a WebSocket ticket, in seconds.
pub const WS_TICKET_TTL: i64 = 60;

/// An access and a refresh token for one session, with who they belong to.
pub struct IssuedTokens {
    pub access: Signed,
    pub refresh: Signed,
    pub access_ttl_seconds: i64,
    pub user: User,
    pub tenant: Tenant,
}

pub struct SignupInput {
    pub tenant_name: String,
    pub tenant_slug: Option<String>,
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
}

/// Creates a tenant and its superadmin, and signs the superadmin in, within the signups
/// allowed to the client's address `client`.
#[tracing::instrument(skip_all)]
pub async fn signup(state: &AppState, input: SignupInput, client: &str) -> AppResult<IssuedTokens> {
    policy::require_signup_allowed(state.config.allow_signup)?;
    throttle::take_signup(state, client).await?;
    let name = TenantName::parse(&input.tenant_name)?;
    let slug = match input.tenant_slug.as_deref() {
        Some(raw) => Slug::parse(raw)?,
        None => Slug::derive_from(name.as_str()),
    };
    let email = Email::parse(&input.email)?;
    let password = Password::parse(&input.password)?;
    let display_name = input.display_name.as_deref().map(DisplayName::parse).transpose()?;
    let hash = password::hash(&password).await?;

    let mut tx = state.db.pool().begin().await.map_err(StoreError::from)?;
    let tenant_id = store::new_id();
    let tenant = store::tenants::insert(&mut *tx, &tenant_id, name.as_str(), slug.as_str(), &TenantSettings::default()).await?;
    let username = Username::derive_from(email.local_part());
    let mut user = User::new(store::new_id(), &tenant_id, username.as_str(), Role::Superadmin, chrono::Utc::now());
    user.email = Some(email.as_str().to_owned());
    user.display_name = display_name.map(DisplayName::into_inner);
    user.password_hash = Some(hash);
    let user =
        store::users::insert(&mut *tx, &user, false).await?.ok_or_else(|| AppError::Internal("user insert returned nothing".into()))?;
    tx.commit().await.map_err(StoreError::from)?;
    open_session(state, user, tenant).await
}

/// Signs a password account in, within the per-account and per-address attempt limits.
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, tenant_slug: &str, email: &str, password: &str, client: &str) -> AppResult<IssuedTokens> {
    let window = Duration::from_secs(state.config.login_window_seconds);
    let by_address = state.limiter.hit(&format!("login:addr:{client}"), window).await?;
    if by_address.hits > state.config.login_limit_per_address {
        return Err(rate_limited(state.config.login_limit_per_address, by_address.resets_in));
    }
    // The attempt is counted before the password is checked, in one atomic step: racing
    // guesses each take their own number, and those past the limit are refused unevaluated.
    let account_key = format!("login:acct:{}:{}", tenant_slug.to_lowercase(), email.trim().to_lowercase());
    let by_account = state.limiter.hit(&account_key, window).await?;
    if by_account.hits > state.config.login_limit_per_account {
        return Err(rate_limited(state.config.login_limit_per_account, by_account.resets_in));
    }

    let tenant = store::tenants::by_slug(&state.db, tenant_slug).await?;
    let user = match (&tenant, Email::parse(email)) {
        (Some(t), Ok(e)) => store::users::by_email(&state.db, &t.id, &e.key()).await?,
        _ => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let verified = password::verify(stored, password).await?;
    match (tenant, user) {
        (Some(tenant), Some(user)) if verified => {
            if user.status != UserStatus::Active {
                return Err(AuthError::Forbidden("this account is suspended").into());
            }
            state.limiter.reset(&account_key).await?;
            open_session(state, user, tenant).await
        }
        _ => Err(AuthError::Unauthorized("wrong tenant, email or password").into()),
    }
}

/// A refusal by a login window of `limit` attempts that ends in `resets_in`.
fn rate_limited(limit: u64, resets_in: Duration) -> AppError {
    AppError::RateLimited(Throttled::new(limit, 0, resets_in, resets_in))
}

/// Trades a live refresh token for a new pair. Presenting a token a second time revokes the
/// whole session, since only a thief would hold an already-used token.
#[tracing::instrument(skip_all)]
pub async fn refresh(state: &AppState, token: &str) -> AppResult<IssuedTokens> {
    let claims = state.keys.verify(token, &[Purpose::Refresh])?;
    let session_id = claims.sid.clone().ok_or(AuthError::Unauthorized("invalid or expired token"))?;
    // Checked before the rotation, so the session outlives a suspension and works again
    // once it is lifted.
    if let Some(user) = store::users::by_id(&state.db, &claims.tid, &claims.sub).await? {
        if user.status != UserStatus::Active {
            return Err(AuthError::Forbidden("this account is suspended").into());
        }
    }
    let next = state.keys.sign(Purpose::Refresh, &claims.tid, &claims.sub, state.config.refresh_token_ttl_seconds, Some(&session_id))?;
    match store::sessions::rotate(&state.db, &claims.jti, &next.jti, next.expiry()).await? {
        Rotation::Rotated { user_id, tenant_id } => {
            let user = store::users::by_id(&state.db, &tenant_id, &user_id)
                .await?
                .ok_or(AuthError::Unauthorized("the token's user no longer exists"))?;
            let tenant = store::tenants::by_id(&state.db, &tenant_id)
                .await?
                .ok_or(AuthError::Unauthorized("the token's tenant no longer exists"))?;
            let access =
                state.keys.sign(Purpose::Access, &tenant_id, &user_id, state.config.access_token_ttl_seconds, Some(&session_id))?;
            Ok(IssuedTokens { access, refresh: next, access_ttl_seconds: state.config.access_token_ttl_seconds, user, tenant })
        }
        Rotation::Reused { session_id } => {
            let revocation = Revocation::Sessions { session_ids: vec![session_id] };
            close_sockets(state, &claims.tid, vec![claims.sub.clone()], revocation).await;
            Err(AuthError::Unauthorized("refresh token reused; the session has been revoked").into())
        }
        Rotation::Invalid => Err(AuthError::Unauthorized("invalid or expired token").into()),
    }
}

/// Revokes the session of `refresh_token`, which must be the caller's own, and closes the
/// sockets opened within it.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn logout(state: &AppState, caller: &UserCaller, refresh_token: &str) -> AppResult<()> {
    let claims = state.keys.verify(refresh_token, &[Purpose::Refresh])?;
    if claims.sub != caller.user.id || claims.tid != caller.tenant_id {
        return Err(AuthError::Unauthorized("this refresh token belongs to someone else").into());
    }
    let session_id =
        store::sessions::session_of_token(&state.db, &claims.jti).await?.ok_or(AuthError::Unauthorized("invalid or expired token"))?;
    store::sessions::revoke_session(state.db.pool(), &session_id).await?;
    close_sockets(state, &caller.tenant_id, vec![caller.user.id.clone()], Revocation::Sessions { session_ids: vec![session_id] }).await;
    Ok(())
}

/// Changes the caller's password and signs out every other session, closing their sockets.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn change_password(state: &AppState, caller: &UserCaller, current: &str, new: &str) -> AppResult<()> {
    let new = Password::parse(new).map_err(|e| crate::domain::Invalid::new("new_password", e.reason))?;
    if !password::verify(caller.user.password_hash.as_deref(), current).await? {
        return Err(crate::domain::Invalid::new("current_password", "is not the current password").into());
    }
    let hash = password::hash(&new).await?;
    store::users::set_password_hash(&state.db, &caller.tenant_id, &caller.user.id, &hash).await?;
    let session_ids = store::sessions::revoke_all_of_user(state.db.pool(), &caller.user.id, caller.session_id.as_deref()).await?;
    if !session_ids.is_empty() {
        close_sockets(state, &caller.tenant_id, vec![caller.user.id.clone()], Revocation::Sessions { session_ids }).await;
    }
    Ok(())
}

/// The caller's tenant, to show beside the caller.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn tenant_of(state: &AppState, caller: &UserCaller) -> AppResult<Tenant> {
    store::tenants::by_id(&state.db, &caller.tenant_id).await?.ok_or(AppError::NotFound("tenant"))
}

/// Profile fields a user changes on their own account (see `TextChange`).
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub display_name: TextChange,
    pub avatar_url: TextChange,
    pub timezone: TextChange,
}

/// Changes the caller's display name, avatar or time zone; a display name given must be a
/// valid one.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn update_profile(state: &AppState, caller: &UserCaller, change: ProfileChange) -> AppResult<User> {
    if let Some(Some(name)) = &change.display_name {
        DisplayName::parse(name)?;
    }
    let avatar_url = web_url_change("avatar_url", change.avatar_url)?;
    // Only these columns are written: a suspension or role change made since the caller
    // was authenticated is never undone by a profile save.
    let patch = UserPatch {
        display_name: UserPatch::text(change.display_name),
        avatar_url: UserPatch::text(avatar_url),
        timezone: UserPatch::text(change.timezone),
        ..UserPatch::default()
    };
    store::users::patch(state.db.pool(), &caller.tenant_id, &caller.user.id, None, &patch).await?.ok_or(AppError::NotFound("user"))
}

/// A one-time WebSocket ticket for the caller, good for `WS_TICKET_TTL` seconds: a browser
/// need not put its long-lived token in a URL. It names the login session or the API key
/// the caller's token depends on, so the socket it opens ends with them.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn ws_ticket(state: &AppState, caller: &UserCaller) -> AppResult<Signed> {
    let origin = Origin { session_id: caller.session_id.as_deref(), minted_by: caller.minted_by.as_deref() };
    let signed = state.keys.sign_from(Purpose::Ws, &caller.tenant_id, &caller.user.id, WS_TICKET_TTL, origin)?;
    store::sessions::issue_ws_ticket(&state.db, &signed.jti, &caller.tenant_id, &caller.user.id, signed.expiry()).await?;
    Ok(signed)
}

async fn open_session(state: &AppState, user: User, tenant: Tenant) -> AppResult<IssuedTokens> {
    let session_id = store::new_id();
    let cfg = &state.config;
    let refresh = state.keys.sign(Purpose::Refresh, &tenant.id, &user.id, cfg.refresh_token_ttl_seconds, Some(&session_id))?;
    let access = state.keys.sign(Purpose::Access, &tenant.id, &user.id, cfg.access_token_ttl_seconds, Some(&session_id))?;
    store::sessions::open(&state.db, &tenant.id, &user.id, &session_id, &refresh.jti, refresh.expiry()).await?;
    Ok(IssuedTokens { access, refresh, access_ttl_seconds: cfg.access_token_ttl_seconds, user, tenant })
}
