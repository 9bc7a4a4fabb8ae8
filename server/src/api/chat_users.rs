//! `/v1/chat/...`: the tenant's users as chat users see each other — the directory, its
//! search, the support agents — and each user's blocks and follows. Callers: any user with
//! a bearer token; nothing reaches outside the caller's tenant, and users of another tenant
//! are answered as unknown.

use std::future::Future;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use super::dto::chat_users::ChatUserDto;
use super::envelope::{listed, Done, Listed, PageRequest};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::error::AppResult;
use crate::social::{self, UserPage};
use crate::state::AppState;

#[derive(Default)]
pub struct ChatUsersApi;

/// The asked-for page of a user list: `fetch(limit, offset)` reads it and its total, and
/// the users go out in the public shape. Every list of this API is one of these.
async fn paged<Fut>(page: Option<u32>, per_page: Option<u32>, fetch: impl FnOnce(i64, i64) -> Fut) -> ApiResult<Listed<ChatUserDto>>
where
    Fut: Future<Output = AppResult<UserPage>>,
{
    let page = PageRequest::new(page, per_page);
    let (users, total) = fetch(page.limit(), page.offset()).await?;
    Ok(listed(users.iter().map(ChatUserDto::from).collect(), page, total))
}

#[OpenApi(prefix_path = "/v1/chat", tag = "ApiTags::ChatUsers")]
impl ChatUsersApi {
    /// The users of the caller's tenant, by username.
    #[oai(path = "/users", method = "get", operation_id = "chat_users_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::directory(&state, &auth.0, limit, offset)).await
    }

    /// Users whose username or display name contains `q`, ignoring case, by username.
    /// Admins and superadmins, who see phone numbers elsewhere, also find a user whose
    /// whole phone number is `q` (spaces, dashes, dots, brackets and `+` aside); a part of a
    /// number finds nobody. A blank `q`, or one over 100 characters, is a 422.
    #[oai(path = "/users/search", method = "get", operation_id = "chat_users_search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The text to look for, 1 to 100 characters.
        q: Query<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::search(&state, &auth.0, &q.0, limit, offset)).await
    }

    /// The support agents of the tenant (staff, moderators, admins, superadmins), by
    /// username.
    #[oai(path = "/agents", method = "get", operation_id = "chat_agents_list")]
    async fn agents(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::agents(&state, &auth.0, limit, offset)).await
    }

    /// Block a user. Blocking someone already blocked succeeds too; blocking yourself is a
    /// 422.
    #[oai(path = "/users/:id/block", method = "post", operation_id = "chat_block")]
    async fn block(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of the user to block.
        id: Path<String>,
    ) -> ApiResult<Done> {
        social::block(&state, &auth.0, &id.0).await?;
        Ok(Done::NoContent)
    }

    /// Unblock a user. Unblocking someone not blocked succeeds too.
    #[oai(path = "/users/:id/block", method = "delete", operation_id = "chat_unblock")]
    async fn unblock(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of the user to unblock.
        id: Path<String>,
    ) -> ApiResult<Done> {
        social::unblock(&state, &auth.0, &id.0).await?;
        Ok(Done::NoContent)
    }

    /// The users the caller blocked, most recently blocked first.
    #[oai(path = "/blocks", method = "get", operation_id = "chat_blocks_list")]
    async fn blocks(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::blocked(&state, &auth.0, limit, offset)).await
    }

    /// Follow a user, typically a host, to receive their broadcasts. Following someone
    /// already followed succeeds too; following yourself is a 422.
    #[oai(path = "/users/:id/follow", method = "post", operation_id = "chat_follow")]
    async fn follow(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of the user to follow.
        id: Path<String>,
    ) -> ApiResult<Done> {
        social::follow(&state, &auth.0, &id.0).await?;
        Ok(Done::NoContent)
    }

    /// Stop following a user. Unfollowing someone not followed succeeds too.
    #[oai(path = "/users/:id/follow", method = "delete", operation_id = "chat_unfollow")]
    async fn unfollow(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of the user to stop following.
        id: Path<String>,
    ) -> ApiResult<Done> {
        social::unfollow(&state, &auth.0, &id.0).await?;
        Ok(Done::NoContent)
    }

    /// The users who follow the caller, most recent follower first.
    #[oai(path = "/followers", method = "get", operation_id = "chat_followers_list")]
    async fn followers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::followers(&state, &auth.0, limit, offset)).await
    }

    /// The users the caller follows, most recently followed first.
    #[oai(path = "/following", method = "get", operation_id = "chat_following_list")]
    async fn following(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<ChatUserDto>> {
        paged(page.0, per_page.0, |limit, offset| social::following(&state, &auth.0, limit, offset)).await
    }
}
