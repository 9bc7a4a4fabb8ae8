//! `/v1/users`: create-or-update users by `external_id`, read, change, erase, and mint
//! their chat tokens. Callers: a secret key, or a user who is admin or up.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::auth::patch_text;
use super::dto::time;
use super::dto::users::*;
use super::envelope::{created, parse_id, single, upserted, Created, Done, Single, Upserted};
use super::error::{ApiError, ApiResult};
use super::security::AnyAuth;
use super::ApiTags;
use crate::audit;
use crate::auth::{password, Caller, Purpose};
use crate::domain::{DisplayName, Email, Invalid, Password, Role, Username};
use crate::policy;
use crate::state::AppState;
use crate::store::{self, users::UserRow};

#[derive(Default)]
pub struct UsersApi;

fn optional_email(raw: &str) -> Result<Option<String>, Invalid> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(Email::parse(raw)?.as_str().to_owned()))
    }
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> ApiResult<UserRow> {
    let id = parse_id(id)?;
    store::users::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or_else(|| ApiError::not_found("user"))
}

/// Sets a new role after checking the caller may grant it and may manage the user.
fn change_role(caller: &Caller, user: &mut UserRow, role: RoleDto) -> ApiResult<()> {
    let role = Role::from(role);
    policy::may_manage_user(caller, user.role()?)?;
    policy::may_grant_role(caller, role)?;
    user.role = role.as_str().to_owned();
    Ok(())
}

#[OpenApi(prefix_path = "/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// Create a user, or update the one with this `external_id` (201 when created, 200 when
    /// it existed).
    #[oai(path = "/", method = "post", operation_id = "users_upsert")]
    async fn upsert(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<UpsertUserRequest>) -> ApiResult<Upserted<UserDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let body = body.0;
        let external_id = body.external_id.trim().to_owned();
        if external_id.is_empty() {
            return Err(Invalid::new("external_id", "must not be empty").into());
        }
        let username = body.username.as_deref().map(Username::parse).transpose()?;
        let email = body.email.as_deref().map(optional_email).transpose()?.flatten();
        let display_name = body.display_name.as_deref().map(DisplayName::parse).transpose()?;
        let password_hash = match body.password.as_deref() {
            Some(raw) => Some(password::hash(&Password::parse(raw)?).await?),
            None => None,
        };
        if let Some(role) = body.role {
            policy::may_grant_role(&caller, role.into())?;
        }

        let existing = store::users::by_external_id(&state.db, caller.tenant_id(), &external_id).await?;
        let (mut user, was_created) = match existing {
            Some(user) => (user, false),
            None => {
                let role = body.role.map(Role::from).unwrap_or(Role::User);
                let name = username.clone().unwrap_or_else(|| Username::derive_from(&external_id));
                let mut row = UserRow::new(caller.tenant_id(), name.as_str(), role);
                row.external_id = Some(external_id.clone());
                row.email = email.clone();
                row.display_name = display_name.clone().map(DisplayName::into_inner);
                row.avatar_url = body.avatar_url.clone();
                row.phone = body.phone.clone();
                row.password_hash = password_hash.clone();
                if let Some(patch) = &body.permissions {
                    row.set_permissions(patch.apply(row.permissions()));
                }
                match store::users::insert(state.db.pool(), &row, true).await? {
                    Some(inserted) => {
                        audit::record(&state.db, &caller, "user.create", Some(&inserted.id)).await;
                        return Ok(upserted(UserDto::from(&inserted), true));
                    }
                    // Another request created it meanwhile: update that one instead.
                    None => (
                        store::users::by_external_id(&state.db, caller.tenant_id(), &external_id)
                            .await?
                            .ok_or_else(|| ApiError::not_found("user"))?,
                        false,
                    ),
                }
            }
        };
        policy::may_manage_user(&caller, user.role()?)?;
        if let Some(name) = username {
            user.username = name.as_str().to_owned();
        }
        if body.email.is_some() {
            user.email = email;
        }
        if let Some(name) = display_name {
            user.display_name = Some(name.into_inner());
        }
        if body.avatar_url.is_some() {
            user.avatar_url = body.avatar_url;
        }
        if body.phone.is_some() {
            user.phone = body.phone;
        }
        if let Some(role) = body.role {
            change_role(&caller, &mut user, role)?;
        }
        if let Some(patch) = &body.permissions {
            user.set_permissions(patch.apply(user.permissions()));
        }
        let saved = store::users::save(&state.db, &user).await?;
        if let Some(hash) = password_hash {
            store::users::set_password_hash(&state.db, &saved.tenant_id, &saved.id, &hash).await?;
        }
        audit::record(&state.db, &caller, "user.update", Some(&saved.id)).await;
        Ok(upserted(UserDto::from(&saved), was_created))
    }

    /// Mint a chat token for a user: `Authorization: Bearer <chat_token>` then acts as them.
    #[oai(path = "/chat-token", method = "post", operation_id = "users_chat_token")]
    async fn chat_token(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<ChatTokenRequest>) -> ApiResult<Created<ChatTokenDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let user = load(&state, &caller, &body.user_id).await?;
        let tenant = store::tenants::by_id(&state.db, caller.tenant_id()).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
        let settings = tenant.settings()?;
        let ttl = body.ttl_seconds.unwrap_or(settings.chat_token_default_ttl_seconds);
        if ttl < 60 || ttl > settings.chat_token_max_ttl_seconds {
            return Err(Invalid::new(
                "ttl_seconds",
                format!("must be between 60 and {} (the tenant's maximum)", settings.chat_token_max_ttl_seconds),
            )
            .into());
        }
        let signed = state.keys.sign(Purpose::Chat, &tenant.id, &user.id, ttl, None)?;
        Ok(created(ChatTokenDto { chat_token: signed.token, expires_at: time(signed.expires_at * 1000), user: UserDto::from(&user) }))
    }

    /// Read a user.
    #[oai(path = "/:id", method = "get", operation_id = "users_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
    ) -> ApiResult<Single<UserDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        Ok(single(UserDto::from(&load(&state, &caller, &id.0).await?)))
    }

    /// Change a user: profile fields, role, permissions or status. `null` clears optional
    /// fields.
    #[oai(path = "/:id", method = "patch", operation_id = "users_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
        body: Json<UpdateUserRequest>,
    ) -> ApiResult<Single<UserDto>> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let body = body.0;
        let mut user = load(&state, &caller, &id.0).await?;
        policy::may_manage_user(&caller, user.role()?)?;
        if let Some(raw) = &body.username {
            user.username = Username::parse(raw)?.as_str().to_owned();
        }
        if let poem_openapi::types::MaybeUndefined::Value(raw) = &body.email {
            Email::parse(raw)?;
        }
        if let poem_openapi::types::MaybeUndefined::Value(raw) = &body.display_name {
            DisplayName::parse(raw)?;
        }
        patch_text(&mut user.email, body.email);
        patch_text(&mut user.display_name, body.display_name);
        patch_text(&mut user.avatar_url, body.avatar_url);
        patch_text(&mut user.phone, body.phone);
        if let Some(role) = body.role {
            change_role(&caller, &mut user, role)?;
        }
        if let Some(patch) = &body.permissions {
            user.set_permissions(patch.apply(user.permissions()));
        }
        if let Some(status) = body.status {
            user.status = status.as_str().to_owned();
        }
        let saved = store::users::save(&state.db, &user).await?;
        audit::record(&state.db, &caller, "user.update", Some(&saved.id)).await;
        Ok(single(UserDto::from(&saved)))
    }

    /// Delete a user: personal data is erased and sessions end; others' history stays
    /// readable and shows a "Deleted user".
    #[oai(path = "/:id", method = "delete", operation_id = "users_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        let caller = auth.caller();
        policy::require_tenant_admin(&caller)?;
        let user = load(&state, &caller, &id.0).await?;
        policy::may_manage_user(&caller, user.role()?)?;
        if !store::users::erase(&state.db, caller.tenant_id(), &user.id).await? {
            return Err(ApiError::not_found("user"));
        }
        audit::record(&state.db, &caller, "user.delete", Some(&user.id)).await;
        Ok(Done::NoContent)
    }
}
