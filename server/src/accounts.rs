//! Password accounts and their sessions: signup, login, refresh rotation, logout, password
//! change. Handlers call these; the SQL stays in `store`.

use std::time::Duration;

use crate::auth::jwt::Signed;
use crate::auth::{password, AuthError, Purpose, UserCaller};
use crate::domain::{DisplayName, Email, Password, Role, Slug, TenantName, TenantSettings, Username};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, sessions::Rotation, tenants::TenantRow, users::UserRow, StoreError};

/// An access and a refresh token for one session, with who they belong to.
pub struct IssuedTokens {
    pub access: Signed,
    pub refresh: Signed,
    pub access_ttl_seconds: i64,
    pub user: UserRow,
    pub tenant: TenantRow,
}

pub struct SignupInput {
    pub tenant_name: String,
    pub tenant_slug: Option<String>,
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
}

/// Creates a tenant and its superadmin, and signs the superadmin in.
pub async fn signup(state: &AppState, input: SignupInput) -> AppResult<IssuedTokens> {
    if !state.config.allow_signup {
        return Err(AppError::Forbidden { code: "signup_disabled", message: "signup is switched off on this server".into() });
    }
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
    let mut user = UserRow::new(&tenant_id, Username::derive_from(email.local_part()).as_str(), Role::Superadmin);
    user.email = Some(email.as_str().to_owned());
    user.display_name = display_name.map(DisplayName::into_inner);
    user.password_hash = Some(hash);
    let user =
        store::users::insert(&mut *tx, &user, false).await?.ok_or_else(|| AppError::Internal("user insert returned nothing".into()))?;
    tx.commit().await.map_err(StoreError::from)?;
    open_session(state, user, tenant).await
}

/// Signs a password account in, within the per-account and per-address attempt limits.
pub async fn login(state: &AppState, tenant_slug: &str, email: &str, password: &str, client: &str) -> AppResult<IssuedTokens> {
    let window = Duration::from_secs(state.config.login_window_seconds);
    let by_address = state.limiter.hit(&format!("login:addr:{client}"), window).await?;
    if by_address.hits > state.config.login_limit_per_address {
        return Err(rate_limited(by_address.resets_in));
    }
    let account_key = format!("login:acct:{}:{}", tenant_slug.to_lowercase(), email.trim().to_lowercase());
    let by_account = state.limiter.peek(&account_key).await?;
    if by_account.hits >= state.config.login_limit_per_account {
        return Err(rate_limited(by_account.resets_in));
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
            if user.status != "active" {
                return Err(AuthError::Forbidden("this account is suspended").into());
            }
            state.limiter.reset(&account_key).await?;
            open_session(state, user, tenant).await
        }
        _ => {
            state.limiter.hit(&account_key, window).await?;
            Err(AuthError::Unauthorized("wrong tenant, email or password").into())
        }
    }
}

fn rate_limited(resets_in: Duration) -> AppError {
    AuthError::RateLimited { retry_after_secs: resets_in.as_secs().max(1) }.into()
}

/// Trades a live refresh token for a new pair. Presenting a token a second time revokes the
/// whole session, since only a thief would hold an already-used token.
pub async fn refresh(state: &AppState, token: &str) -> AppResult<IssuedTokens> {
    let claims = state.keys.verify(token, &[Purpose::Refresh])?;
    let session_id = claims.sid.clone().ok_or(AuthError::Unauthorized("invalid or expired token"))?;
    let next = state.keys.sign(Purpose::Refresh, &claims.tid, &claims.sub, state.config.refresh_token_ttl_seconds, Some(&session_id))?;
    match store::sessions::rotate(&state.db, &claims.jti, &next.jti, next.expires_at * 1000).await? {
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
        Rotation::Reused => Err(AuthError::Unauthorized("refresh token reused; the session has been revoked").into()),
        Rotation::Invalid => Err(AuthError::Unauthorized("invalid or expired token").into()),
    }
}

/// Revokes the session of `refresh_token`, which must be the caller's own.
pub async fn logout(state: &AppState, caller: &UserCaller, refresh_token: &str) -> AppResult<()> {
    let claims = state.keys.verify(refresh_token, &[Purpose::Refresh])?;
    if claims.sub != caller.user.id || claims.tid != caller.tenant_id {
        return Err(AuthError::Unauthorized("this refresh token belongs to someone else").into());
    }
    let session_id =
        store::sessions::session_of_token(&state.db, &claims.jti).await?.ok_or(AuthError::Unauthorized("invalid or expired token"))?;
    store::sessions::revoke_session(state.db.pool(), &session_id).await?;
    Ok(())
}

/// Changes the caller's password and signs out every other session.
pub async fn change_password(state: &AppState, caller: &UserCaller, current: &str, new: &str) -> AppResult<()> {
    let new = Password::parse(new).map_err(|e| crate::domain::Invalid::new("new_password", e.reason))?;
    if !password::verify(caller.user.password_hash.as_deref(), current).await? {
        return Err(crate::domain::Invalid::new("current_password", "is not the current password").into());
    }
    let hash = password::hash(&new).await?;
    store::users::set_password_hash(&state.db, &caller.tenant_id, &caller.user.id, &hash).await?;
    store::sessions::revoke_all_of_user(state.db.pool(), &caller.user.id, caller.session_id.as_deref()).await?;
    Ok(())
}

async fn open_session(state: &AppState, user: UserRow, tenant: TenantRow) -> AppResult<IssuedTokens> {
    let session_id = store::new_id();
    let cfg = &state.config;
    let refresh = state.keys.sign(Purpose::Refresh, &tenant.id, &user.id, cfg.refresh_token_ttl_seconds, Some(&session_id))?;
    let access = state.keys.sign(Purpose::Access, &tenant.id, &user.id, cfg.access_token_ttl_seconds, Some(&session_id))?;
    store::sessions::open(&state.db, &tenant.id, &user.id, &session_id, &refresh.jti, refresh.expires_at * 1000).await?;
    Ok(IssuedTokens { access, refresh, access_ttl_seconds: cfg.access_token_ttl_seconds, user, tenant })
}
