//! `/v1/users`: create-or-update users by `external_id`, read, change, erase, and mint
//! their chat tokens. Callers: a secret key, or a user who is admin or up.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::users::*;
use super::envelope::{created, single, upserted, Created, Done, Single, Upserted};
use super::error::ApiResult;
use super::security::AnyAuth;
use super::ApiTags;
use crate::state::AppState;
use crate::users;

#[derive(Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// Create a user, or update the one with this `external_id` (201 when created, 200 when
    /// it existed).
    #[oai(path = "/", method = "post", operation_id = "users_upsert")]
    async fn upsert(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<UpsertUserRequest>) -> ApiResult<Upserted<UserDto>> {
        let (user, was_created) = users::upsert(&state, &auth.caller(), body.0.into()).await?;
        Ok(upserted(UserDto::from(&user), was_created))
    }

    /// Mint a chat token for a user: `Authorization: Bearer <chat_token>` then acts as them.
    /// Acting as someone takes their powers, so the caller (a secret key within its
    /// `authority`, or an admin) may mint only for itself or for users with a weaker role;
    /// the owner's authority (`superadmin`) mints for anyone. Otherwise 403.
    ///
    /// A token minted with an API key stops working (401) when that key is revoked.
    #[oai(path = "/chat-token", method = "post", operation_id = "users_chat_token")]
    async fn chat_token(&self, state: Data<&AppState>, auth: AnyAuth, body: Json<ChatTokenRequest>) -> ApiResult<Created<ChatTokenDto>> {
        let (signed, user) = users::chat_token(&state, &auth.caller(), &body.user_id, body.ttl_seconds).await?;
        Ok(created(ChatTokenDto { expires_at: signed.expiry(), chat_token: signed.token, user: UserDto::from(&user) }))
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
        let user = users::get(&state, &auth.caller(), &id.0).await?;
        Ok(single(UserDto::from(&user)))
    }

    /// Change a user: profile fields, role, permissions or status. `null` clears optional
    /// fields. The caller (a secret key within its `authority`, or an admin) may change only
    /// users whose role is not stronger than its own and grant roles up to its own (403).
    ///
    /// Suspending or banning a user closes their WebSockets (1008) at once.
    #[oai(path = "/:id", method = "patch", operation_id = "users_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
        body: Json<UpdateUserRequest>,
    ) -> ApiResult<Single<UserDto>> {
        let user = users::update(&state, &auth.caller(), &id.0, body.0.into()).await?;
        Ok(single(UserDto::from(&user)))
    }

    /// Delete a user: personal data is erased, sessions end and WebSockets close (1008);
    /// others' history stays readable and shows a "Deleted user".
    #[oai(path = "/:id", method = "delete", operation_id = "users_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        users::erase(&state, &auth.caller(), &id.0).await?;
        Ok(Done::NoContent)
    }
}
