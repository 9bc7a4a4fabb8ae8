//! `/v1/admin`: the admin console's API. Moderators and up, with a bearer token or a
//! secret key of that authority; below, 403. Ids of another tenant are 404.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::admin::*;
use super::dto::conversations::ConversationKindDto;
use super::dto::messages::{found, many, MessageDto};
use super::dto::users::{RoleDto, UserStatusDto};
use super::envelope::{listed, parse_id, single, Done, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::AnyAuth;
use super::ApiTags;
use crate::admin;
use crate::domain::audit::AuditFilter;
use crate::domain::conversation::TenantConversationFilter as ConversationFilter;
use crate::domain::user::MAX_LOOKUP_IDS;
use crate::domain::UserFilter;
use crate::error::AppError;
use crate::state::AppState;
use crate::users;

#[derive(Default)]
pub struct AdminApi;

#[OpenApi(prefix_path = "/v1/admin", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Every conversation of the tenant, all kinds together, latest activity first.
    #[oai(path = "/conversations", method = "get", operation_id = "admin_conversations")]
    #[allow(clippy::too_many_arguments)]
    async fn conversations(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only conversations of this kind.
        kind: Query<Option<ConversationKindDto>>,
        /// Only conversations this user is or was in.
        user_id: Query<Option<String>>,
        /// Part of the name or of a participant's username or display name.
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<AdminConversationDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = ConversationFilter { kind: kind.0.map(Into::into), user_id: user_id.0, q: q.0 };
        let (rows, total) = admin::conversations(&state, &auth.caller(), filter, page.limit(), page.offset()).await?;
        Ok(listed(rows.into_iter().map(AdminConversationDto::from).collect(), page, total))
    }

    /// One conversation of the tenant with its current and former members (`left_at` set),
    /// enough to show who sent each message.
    #[oai(path = "/conversations/:id", method = "get", operation_id = "admin_conversation")]
    async fn conversation(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Single<AdminConversationDetailDto>> {
        let found = admin::conversation(&state, &auth.caller(), &id.0).await?;
        Ok(single(AdminConversationDetailDto::from(found)))
    }

    /// The messages of any conversation of the tenant, newest first; messages removed for
    /// everyone show as tombstones (`deleted: true`, no content).
    #[oai(path = "/conversations/:id/messages", method = "get", operation_id = "admin_conversation_messages")]
    async fn conversation_messages(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The conversation's id.
        id: Path<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<MessageDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (views, total) = admin::messages(&state, &auth.caller(), &id.0, page.limit(), page.offset()).await?;
        Ok(listed(many(views), page, total))
    }

    /// The tenant's users with their role, status and counts, newest first.
    #[oai(path = "/users", method = "get", operation_id = "admin_users")]
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Part of the username, display name or email, any case.
        #[oai(validator(max_length = 200))]
        q: Query<Option<String>>,
        /// Only users of this role.
        role: Query<Option<RoleDto>>,
        /// Only users of this status, as it stands now (an expired suspension is active).
        status: Query<Option<UserStatusDto>>,
        /// Only these users: up to 100 ids separated by commas (to name the senders, actors
        /// and requesters a screen shows). Ids of other tenants match nothing.
        #[oai(validator(max_length = 3000))]
        ids: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<AdminUserDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let ids = lookup_ids(ids.0.as_deref())?;
        let filter = UserFilter { q: q.0, role: role.0.map(Into::into), status: status.0.map(Into::into), ids };
        let (rows, total) = admin::users(&state, &auth.caller(), &filter, page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(AdminUserDto::from).collect(), page, total))
    }

    /// Change a user's role or permissions (admin and up) or standing (moderator and up):
    /// suspend, with an optional end time, ban, or lift with `status: active`. Nobody
    /// changes themselves or a user whose role is at least their own (403). A suspension
    /// or ban takes effect at once: REST calls get 403, WebSockets close with 1008 on every
    /// server process, chat tokens are refused. Every change is in the audit log.
    #[oai(path = "/users/:id", method = "patch", operation_id = "admin_user_update")]
    async fn update_user(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
        body: Json<AdminUserPatchRequest>,
    ) -> ApiResult<Single<AdminUserDto>> {
        let caller = auth.caller();
        let user = users::moderate(&state, &caller, &id.0, (&body.0).into(), body.reason.as_deref()).await?;
        let counted = admin::counted(&state, &caller, user).await?;
        Ok(single(AdminUserDto::from(&counted)))
    }

    /// The conversations a user is or was in, latest activity first: admins and up.
    #[oai(path = "/users/:id/conversations", method = "get", operation_id = "admin_user_conversations")]
    async fn user_conversations(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The user's id.
        id: Path<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<AdminConversationDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = admin::user_conversations(&state, &auth.caller(), &id.0, page.limit(), page.offset()).await?;
        Ok(listed(rows.into_iter().map(AdminConversationDto::from).collect(), page, total))
    }

    /// Remove a message for everyone (moderation): its content goes, a tombstone stays, and
    /// the conversation gets `message_deleted`. Removing a removed message succeeds.
    #[oai(path = "/messages/:id", method = "delete", operation_id = "admin_message_remove")]
    async fn remove_message(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The message's id.
        id: Path<String>,
        /// Why, for the audit log.
        #[oai(validator(max_length = 500))]
        reason: Query<Option<String>>,
    ) -> ApiResult<Done> {
        admin::remove_message(&state, &auth.caller(), &id.0, reason.0.as_deref()).await?;
        Ok(Done::NoContent)
    }

    /// The audit log: who did which privileged action, when, from where, and what it
    /// changed; newest first.
    #[oai(path = "/audit-log", method = "get", operation_id = "admin_audit_log")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// Only entries by this actor (`user:<id>` or `api_key:<id>`).
        #[oai(validator(max_length = 100))]
        actor: Query<Option<String>>,
        /// Only entries of this action, such as `user.suspend`.
        #[oai(validator(max_length = 100))]
        action: Query<Option<String>>,
        /// Only entries about this id.
        #[oai(validator(max_length = 100))]
        target: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<AuditEntryDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let filter = AuditFilter { actor: actor.0, action: action.0, target: target.0 };
        let (rows, total) = admin::audit_log(&state, &auth.caller(), &filter, page.limit(), page.offset()).await?;
        Ok(listed(rows.into_iter().map(AuditEntryDto::from).collect(), page, total))
    }

    /// Full-text search over every conversation of the tenant, or one of them: best match
    /// first, each hit with its highlighted snippet.
    /// 503 `unavailable` (with `Retry-After`) while the search index cannot be reached.
    #[oai(path = "/messages/search", method = "get", operation_id = "admin_messages_search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The words to find.
        #[oai(validator(min_length = 1, max_length = 200))]
        q: Query<String>,
        /// Only in this conversation.
        conversation_id: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<MessageDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (views, total) = admin::search(&state, &auth.caller(), &q.0, conversation_id.0.as_deref(), page.limit(), page.offset()).await?;
        Ok(listed(found(views), page, total))
    }
}

/// The ids of a lookup, each parsed: exactly ids separated by commas, as the spec's pattern
/// says (an empty value is no lookup); more than `MAX_LOOKUP_IDS` is refused.
fn lookup_ids(raw: Option<&str>) -> ApiResult<Vec<String>> {
    let Some(raw) = raw.filter(|raw| !raw.is_empty()) else { return Ok(Vec::new()) };
    let ids: Vec<&str> = raw.split(',').collect();
    if ids.len() > MAX_LOOKUP_IDS {
        return Err(AppError::BadRequest(format!("ids: at most {MAX_LOOKUP_IDS} users per lookup")).into());
    }
    ids.into_iter().map(|id| parse_id("ids", id)).collect()
}
