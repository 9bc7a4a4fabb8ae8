//! The tenant's users as its admins and servers manage them: create-or-update by
//! `external_id`, read, change, erase, and mint chat tokens. Every entry point checks the
//! caller in `policy` first (a secret key, or a user who is admin or up) and records
//! changes in the audit log, in the transaction of the change. Moderators set a user's
//! standing (suspend, ban, lift) in `standing`.

mod standing;

pub use standing::{lift, moderate, suspend, Moderation};

use crate::audit;
use crate::auth::jwt::Signed;
use crate::auth::{password, Caller, Origin, Purpose};
use crate::domain::parse_field_id;
use crate::domain::user::TextChange;
use crate::domain::web_url::web_url_change;
use crate::domain::{DisplayName, Email, Invalid, Named, Password, PermissionsChange, Role, User, UserPatch, UserStatus, Username};
use crate::error::{AppError, AppResult};
use crate::events::Revocation;
use crate::policy;
use crate::realtime::revoke::close_sockets;
use crate::state::AppState;
use crate::store;

/// A create-or-update by `external_id`; absent fields keep what an existing user has.
#[derive(Debug, Clone, Default)]
pub struct UserUpsert {
    pub external_id: String,
    pub username: Option<String>,
    /// A blank email clears it.
    pub email: Option<String>,
    /// `user` for a new user when absent.
    pub role: Option<Role>,
    /// Defaults by role for a new user.
    pub permissions: Option<PermissionsChange>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub phone: Option<String>,
    pub password: Option<String>,
}

/// Changes to a user; absent fields stay (see `TextChange` for the optional ones).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub username: Option<String>,
    pub email: TextChange,
    pub role: Option<Role>,
    pub permissions: Option<PermissionsChange>,
    pub display_name: TextChange,
    pub avatar_url: TextChange,
    pub phone: TextChange,
    pub status: Option<UserStatus>,
}

fn optional_email(raw: &str) -> Result<Option<String>, Invalid> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(Email::parse(raw)?.as_str().to_owned()))
    }
}

/// The live user `raw_id` (from the request field `field`) of the caller's tenant: a
/// malformed id is a 400, an unknown one a 404.
async fn load(state: &AppState, caller: &Caller, field: &'static str, raw_id: &str) -> AppResult<User> {
    let id = parse_field_id(field, raw_id)?;
    store::users::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("user"))
}

/// How often a change is decided again on a user whose role changed under it.
const PATCH_ATTEMPTS: usize = 3;

/// Who may change a user: decided on the user as read just before each write.
pub(crate) type ManageCheck = fn(&Caller, &User) -> AppResult<()>;

/// The existing rule of `/v1/users`: the target is not stronger than the caller.
fn not_stronger(caller: &Caller, user: &User) -> AppResult<()> {
    policy::may_manage_user(caller, user.role)
}

/// What the audit log keeps of a user before and after a privileged change.
fn audited(user: &User) -> serde_json::Value {
    let p = user.permissions;
    serde_json::json!({
        "role": user.role.as_str(),
        "permissions": {
            "can_send_message": p.can_send_message,
            "can_receive_message": p.can_receive_message,
            "can_delete_message": p.can_delete_message,
            "can_edit_message": p.can_edit_message,
            "can_archive_conversation": p.can_archive_conversation,
        },
        "status": user.status.as_str(),
        "suspended_until": user.suspended_until.map(|at| at.to_rfc3339()),
    })
}

/// The audit action a change from `before` to `after` amounts to; a change of standing
/// names it before a change of role or permissions.
fn action_of(before: &User, after: &User) -> &'static str {
    if before.status != after.status || before.suspended_until != after.suspended_until {
        return match after.status {
            UserStatus::Banned => "user.ban",
            UserStatus::Suspended => "user.suspend",
            _ => "user.lift",
        };
    }
    if before.role != after.role {
        "user.role"
    } else if before.permissions != after.permissions {
        "user.permissions"
    } else {
        "user.update"
    }
}

/// Writes `patch` to `user` (read just before, and already passed by `check`) and nothing
/// else, so concurrent changes to other fields survive, together with its audit entry in
/// one transaction (`note`, when given, goes into the entry). The write holds only while the
/// user keeps the role the checks saw; when it changed meanwhile, the user is read and
/// checked again.
pub(crate) async fn apply_patch(
    state: &AppState,
    caller: &Caller,
    mut user: User,
    patch: &UserPatch,
    check: ManageCheck,
    note: Option<&str>,
) -> AppResult<User> {
    if let Some(role) = patch.role {
        policy::may_grant_role(caller, role)?;
    }
    for _ in 0..PATCH_ATTEMPTS {
        let mut tx = state.db.begin().await?;
        if let Some(saved) = store::users::patch(&mut *tx, caller.tenant_id(), &user.id, Some(user.role), patch).await? {
            let mut after = audited(&saved);
            if let Some(note) = note {
                after["reason"] = note.into();
            }
            let action = audit::Action::new(action_of(&user, &saved), &saved.id).change(Some(audited(&user)), Some(after));
            audit::write(&mut *tx, caller, &action).await?;
            store::commit(tx).await?;
            if policy::may_watch_conversations(user.role) && !policy::may_watch_conversations(saved.role) {
                // Their sockets stay open but stop watching conversations, on every process.
                close_sockets(state, &saved.tenant_id, vec![saved.id.clone()], Revocation::Watching).await;
            }
            return Ok(saved);
        }
        drop(tx);
        user = store::users::by_id(&state.db, caller.tenant_id(), &user.id).await?.ok_or(AppError::NotFound("user"))?;
        check(caller, &user)?;
    }
    Err(AppError::Conflict("the user changed meanwhile; try again".into()))
}

/// Creates the user with this `external_id`, or updates the one that has it; `true` when
/// created. A concurrent create of the same user turns this one into an update, so two
/// racing requests both succeed on one user.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn upsert(state: &AppState, caller: &Caller, input: UserUpsert) -> AppResult<(User, bool)> {
    policy::require_tenant_admin(caller)?;
    let external_id = input.external_id.trim().to_owned();
    if external_id.is_empty() {
        return Err(Invalid::new("external_id", "must not be empty").into());
    }
    let username = input.username.as_deref().map(Username::parse).transpose()?;
    let email = input.email.as_deref().map(optional_email).transpose()?.flatten();
    let display_name = input.display_name.as_deref().map(DisplayName::parse).transpose()?;
    let avatar_url = web_url_change("avatar_url", input.avatar_url.clone().map(Some))?;
    let password_hash = match input.password.as_deref() {
        Some(raw) => Some(password::hash(&Password::parse(raw)?).await?),
        None => None,
    };
    if let Some(role) = input.role {
        policy::may_grant_role(caller, role)?;
    }

    let existing = store::users::by_external_id(&state.db, caller.tenant_id(), &external_id).await?;
    let (user, was_created) = match existing {
        Some(user) => (user, false),
        None => {
            let role = input.role.unwrap_or(Role::User);
            let name = username.clone().unwrap_or_else(|| Username::derive_from(&external_id));
            let mut new = User::new(store::new_id(), caller.tenant_id(), name.as_str(), role, chrono::Utc::now());
            new.external_id = Some(external_id.clone());
            new.email = email.clone();
            new.display_name = display_name.clone().map(DisplayName::into_inner);
            new.avatar_url = avatar_url.clone().flatten();
            new.phone = input.phone.clone();
            new.password_hash = password_hash.clone();
            if let Some(change) = &input.permissions {
                new.permissions = change.apply(new.permissions);
            }
            let mut tx = state.db.begin().await?;
            match store::users::insert(&mut *tx, &new, true).await? {
                Some(inserted) => {
                    let action = audit::Action::new("user.create", &inserted.id).change(None, Some(audited(&inserted)));
                    audit::write(&mut *tx, caller, &action).await?;
                    store::commit(tx).await?;
                    state.webhook_dispatch.captured();
                    return Ok((inserted, true));
                }
                // Another request created it meanwhile: update that one instead. The
                // transaction ends first: on SQLite it holds the pool's one connection.
                None => {
                    drop(tx);
                    let user = store::users::by_external_id(&state.db, caller.tenant_id(), &external_id).await?;
                    (user.ok_or(AppError::NotFound("user"))?, false)
                }
            }
        }
    };
    policy::may_manage_user(caller, user.role)?;
    let patch = UserPatch {
        username: username.map(|name| name.as_str().to_owned()),
        email: input.email.is_some().then_some(email),
        display_name: display_name.map(|name| Some(name.into_inner())),
        avatar_url,
        phone: input.phone.map(Some),
        role: input.role,
        permissions: input.permissions.unwrap_or_default(),
        ..UserPatch::default()
    };
    let saved = apply_patch(state, caller, user, &patch, not_stronger, None).await?;
    if let Some(hash) = password_hash {
        store::users::set_password_hash(&state.db, &saved.tenant_id, &saved.id, &hash).await?;
    }
    Ok((saved, was_created))
}

/// Mints a chat token for user `raw_user_id` (the caller itself, or a user weaker than the
/// caller: see `policy::may_mint_chat_token`), living `ttl_seconds` (the tenant's default
/// when `None`, and within its bounds); returns the token and the user it acts for. A
/// token minted with an API key names it, and ends when that key is revoked.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_user_id))]
pub async fn chat_token(state: &AppState, caller: &Caller, raw_user_id: &str, ttl_seconds: Option<i64>) -> AppResult<(Signed, User)> {
    policy::require_tenant_admin(caller)?;
    let user = load(state, caller, "user_id", raw_user_id).await?;
    policy::may_mint_chat_token(caller, &user)?;
    let tenant = store::tenants::by_id(&state.db, caller.tenant_id()).await?.ok_or(AppError::NotFound("tenant"))?;
    let settings = &tenant.settings;
    let ttl = ttl_seconds.unwrap_or(settings.chat_token_default_ttl_seconds);
    if ttl < 60 || ttl > settings.chat_token_max_ttl_seconds {
        return Err(Invalid::new(
            "ttl_seconds",
            format!("must be between 60 and {} (the tenant's maximum)", settings.chat_token_max_ttl_seconds),
        )
        .into());
    }
    let minted_by = match caller {
        Caller::Key(key) => Some(key.key_id.as_str()),
        Caller::User(_) => None,
    };
    let signed = state.keys.sign_from(Purpose::Chat, &tenant.id, &user.id, ttl, Origin { session_id: None, minted_by })?;
    Ok((signed, user))
}

/// Reads user `raw_id`.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_id))]
pub async fn get(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<User> {
    policy::require_tenant_admin(caller)?;
    load(state, caller, "id", raw_id).await
}

/// Changes user `raw_id`: profile fields, role, permissions or status. A suspension or ban
/// closes the user's sockets on every server process.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_id))]
pub async fn update(state: &AppState, caller: &Caller, raw_id: &str, change: UserChange) -> AppResult<User> {
    policy::require_tenant_admin(caller)?;
    let user = load(state, caller, "id", raw_id).await?;
    policy::may_manage_user(caller, user.role)?;
    let username = change.username.as_deref().map(Username::parse).transpose()?;
    if let Some(Some(raw)) = &change.email {
        Email::parse(raw)?;
    }
    if let Some(Some(raw)) = &change.display_name {
        DisplayName::parse(raw)?;
    }
    let avatar_url = web_url_change("avatar_url", change.avatar_url)?;
    let patch = UserPatch {
        username: username.map(|name| name.as_str().to_owned()),
        email: UserPatch::text(change.email),
        display_name: UserPatch::text(change.display_name),
        avatar_url: UserPatch::text(avatar_url),
        phone: UserPatch::text(change.phone),
        role: change.role,
        permissions: change.permissions.unwrap_or_default(),
        status: change.status,
        // This route has no end time: a status written here lasts until changed.
        suspended_until: None,
        timezone: None,
    };
    let saved = apply_patch(state, caller, user, &patch, not_stronger, None).await?;
    if patch.status.is_some() && saved.status != UserStatus::Active {
        close_sockets(state, &saved.tenant_id, vec![saved.id.clone()], Revocation::Users).await;
    }
    Ok(saved)
}

/// Erases user `raw_id`: personal data goes, sessions end and sockets close; others'
/// history stays readable and shows a "Deleted user".
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_id))]
pub async fn erase(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<()> {
    policy::require_tenant_admin(caller)?;
    let user = load(state, caller, "id", raw_id).await?;
    policy::may_manage_user(caller, user.role)?;
    let mut tx = state.db.begin().await?;
    if !store::users::erase(&mut tx, caller.tenant_id(), &user.id).await? {
        return Err(AppError::NotFound("user"));
    }
    audit::write(&mut *tx, caller, &audit::Action::new("user.delete", &user.id).change(Some(audited(&user)), None)).await?;
    store::commit(tx).await?;
    close_sockets(state, caller.tenant_id(), vec![user.id.clone()], Revocation::Users).await;
    // The user is gone either way; media left behind by a failing store is logged.
    if let Err(error) = crate::media::remove_uploads_of(state, caller.tenant_id(), &user.id).await {
        tracing::warn!(%error, user_id = %user.id, "could not remove the media a deleted user uploaded");
    }
    Ok(())
}
