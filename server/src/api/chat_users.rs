//! `/v1/chat/...`: the tenant's users as chat users see each other — the directory, its
//! search, the support agents — and each user's blocks and follows. Callers: any user with
//! a bearer token; nothing reaches outside the caller's tenant, and users of another tenant
//! are answered as unknown.

use std::future::Future;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::OpenApi;

use super::dto::chat_users::ChatUserDto;
use super::envelope::{listed, parse_id, Done, Listed, PageRequest};
use super::error::{ApiError, ApiResult};
use super::security::BearerAuth;
use super::ApiTags;
use crate::auth::UserCaller;
use crate::domain::Invalid;
use crate::state::AppState;
use crate::store::{self, users::UserRow, StoreResult};

/// Longest search text, in characters.
const MAX_SEARCH_CHARS: usize = 100;

#[derive(Default)]
pub struct ChatUsersApi;

/// The asked-for page of a user list: `fetch(limit, offset)` reads it and its total, and
/// the rows go out in the public shape. Every list of this API is one of these.
async fn paged<Fut>(page: Option<u32>, per_page: Option<u32>, fetch: impl FnOnce(i64, i64) -> Fut) -> ApiResult<Listed<ChatUserDto>>
where
    Fut: Future<Output = StoreResult<(Vec<UserRow>, i64)>>,
{
    let page = PageRequest::new(page, per_page);
    let (rows, total) = fetch(page.limit(), page.offset()).await?;
    Ok(listed(rows.iter().map(ChatUserDto::from).collect(), page, total))
}

/// The search text, trimmed; blank text is a 422 rather than a match-all, and so is text
/// longer than any name the directory holds.
fn search_term(raw: &str) -> Result<&str, Invalid> {
    let term = raw.trim();
    if term.is_empty() {
        return Err(Invalid::new("q", "must not be empty"));
    }
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(Invalid::new("q", format!("must be at most {MAX_SEARCH_CHARS} characters")));
    }
    Ok(term)
}

/// The other end of a block or follow: a well-formed id (else 400) of someone other than
/// the caller (else 422; `action` names what was refused) who is a live user of the
/// caller's tenant (else 404).
async fn other_user(state: &AppState, caller: &UserCaller, raw: &str, action: &str) -> ApiResult<String> {
    let id = parse_id(raw)?;
    if id == caller.user.id {
        return Err(Invalid::new("id", format!("you cannot {action} yourself")).into());
    }
    store::users::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    Ok(id)
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
        paged(page.0, per_page.0, |limit, offset| store::directory::list(&state.db, &auth.0.tenant_id, limit, offset)).await
    }

    /// Users whose username, display name or phone contains `q`, ignoring case, by
    /// username. A blank `q`, or one over 100 characters, is a 422.
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
        let term = search_term(&q.0)?;
        paged(page.0, per_page.0, |limit, offset| store::directory::search(&state.db, &auth.0.tenant_id, term, limit, offset)).await
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
        paged(page.0, per_page.0, |limit, offset| store::directory::agents(&state.db, &auth.0.tenant_id, limit, offset)).await
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
        let caller = auth.0;
        let other = other_user(&state, &caller, &id.0, "block").await?;
        store::social::block(&state.db, &caller.tenant_id, &caller.user.id, &other).await?;
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
        let caller = auth.0;
        let other = other_user(&state, &caller, &id.0, "unblock").await?;
        store::social::unblock(&state.db, &caller.tenant_id, &caller.user.id, &other).await?;
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
        let caller = auth.0;
        paged(page.0, per_page.0, |limit, offset| store::social::list_blocked(&state.db, &caller.tenant_id, &caller.user.id, limit, offset))
            .await
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
        let caller = auth.0;
        let other = other_user(&state, &caller, &id.0, "follow").await?;
        store::social::follow(&state.db, &caller.tenant_id, &caller.user.id, &other).await?;
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
        let caller = auth.0;
        let other = other_user(&state, &caller, &id.0, "unfollow").await?;
        store::social::unfollow(&state.db, &caller.tenant_id, &caller.user.id, &other).await?;
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
        let caller = auth.0;
        paged(page.0, per_page.0, |limit, offset| store::social::followers(&state.db, &caller.tenant_id, &caller.user.id, limit, offset))
            .await
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
        let caller = auth.0;
        paged(page.0, per_page.0, |limit, offset| store::social::following(&state.db, &caller.tenant_id, &caller.user.id, limit, offset))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::search_term;

    #[test]
    fn a_search_term_is_trimmed_and_must_be_one_to_a_hundred_characters() {
        assert_eq!(search_term("  jane ").unwrap(), "jane");
        assert!(search_term("   ").is_err());
        assert!(search_term(&"é".repeat(100)).is_ok());
        assert!(search_term(&"é".repeat(101)).is_err());
    }
}
