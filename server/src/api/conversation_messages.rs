//! `/v1/chat/conversations/{id}/...`: history, sending, read state, typing, mute, archive.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::conversations::ReadRequest;
use super::dto::messages::{MessageDto, SendMessageRequest};
use super::envelope::{listed, upserted, Done, Listed, PageRequest, Upserted};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat::{self, access};
use crate::domain::conversation::Flag;
use crate::domain::message::Window;
use crate::domain::Invalid;
use crate::state::AppState;

#[derive(Default)]
pub struct ConversationMessagesApi;

/// Most messages one cursor read returns.
const MAX_LIMIT: i64 = 100;

async fn set_flag(state: &AppState, auth: BearerAuth, id: &str, flag: Flag, on: bool) -> ApiResult<Done> {
    let caller = auth.0;
    let membership = access::member(state, &caller, id).await?;
    chat::participants::set_flag(state, &caller, &membership, flag, on).await?;
    Ok(Done::NoContent)
}

#[OpenApi(prefix_path = "/v1/chat/conversations", tag = "ApiTags::Conversations")]
impl ConversationMessagesApi {
    /// History, newest first: by `page`/`per_page`, or by cursor with `before_seq` or
    /// `after_seq` and `limit`. Participants only.
    #[oai(path = "/:id/messages", method = "get", operation_id = "conversations_messages_list")]
    #[allow(clippy::too_many_arguments)]
    async fn history(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
        /// Messages before this seq.
        before_seq: Query<Option<i64>>,
        /// Messages after this seq.
        after_seq: Query<Option<i64>>,
        /// With a cursor: how many (1 to 100, default 20).
        limit: Query<Option<i64>>,
    ) -> ApiResult<Listed<MessageDto>> {
        let caller = auth.0;
        let membership = access::member(&state, &caller, &id.0).await?;
        let limit = limit.0.unwrap_or(PageRequest::DEFAULT_PER_PAGE).clamp(1, MAX_LIMIT);
        let (window, page) = match (before_seq.0, after_seq.0) {
            (Some(_), Some(_)) => return Err(Invalid::new("before_seq", "use before_seq or after_seq, not both").into()),
            (Some(seq), None) => (Window::Before { seq, limit }, PageRequest::new(Some(1), Some(limit as u32))),
            (None, Some(seq)) => (Window::After { seq, limit }, PageRequest::new(Some(1), Some(limit as u32))),
            (None, None) => {
                let page = PageRequest::new(page.0, per_page.0);
                (Window::Page { limit: page.limit(), offset: page.offset() }, page)
            }
        };
        let (views, total) = chat::history::window(&state, &caller, &membership, window).await?;
        Ok(listed(views.into_iter().map(MessageDto::from).collect(), page, total))
    }

    /// Send a message (201). Sending again with the same `client_msg_id` returns the first
    /// message (200) and stores nothing. Sends are limited per user, per API key and per
    /// client address (the tenant's `rate_limits.messages`); over a limit the answer is 429
    /// `rate_limited` with `Retry-After` and the `X-RateLimit-*` headers, and nothing is
    /// stored. While the database cannot be reached the answer is 503 `unavailable` with
    /// `Retry-After`, within seconds; the message may or may not be stored, so retry with the
    /// same `client_msg_id`.
    #[oai(path = "/:id/messages", method = "post", operation_id = "conversations_messages_send")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        body: Json<SendMessageRequest>,
    ) -> ApiResult<Upserted<MessageDto>> {
        let caller = auth.0;
        let membership = access::member_to_send(&state, &caller, &id.0).await?;
        let (message, created) = chat::messages::send(&state, &caller, &membership, body.0.into_content()).await?;
        let view = chat::history::render_sent(&state, &caller.user.id, message, created).await?;
        Ok(upserted(MessageDto::from(view), created))
    }

    /// Mark read up to `up_to_seq` (default: the newest message). The read position only
    /// moves forward; the other participants get a read receipt.
    #[oai(path = "/:id/read", method = "post", operation_id = "conversations_read")]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
        body: Json<Option<ReadRequest>>,
    ) -> ApiResult<Done> {
        let caller = auth.0;
        let membership = access::member(&state, &caller, &id.0).await?;
        chat::participants::mark_read(&state, &caller, &membership, body.0.and_then(|b| b.up_to_seq)).await?;
        Ok(Done::NoContent)
    }

    /// Tell the other participants the caller is typing.
    #[oai(path = "/:id/typing", method = "post", operation_id = "conversations_typing")]
    async fn typing(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        let caller = auth.0;
        let membership = access::member(&state, &caller, &id.0).await?;
        chat::participants::typing(&state, &caller, &membership).await;
        Ok(Done::NoContent)
    }

    /// Mute for the caller: it still counts unread but sends no push.
    #[oai(path = "/:id/mute", method = "post", operation_id = "conversations_mute")]
    async fn mute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        set_flag(&state, auth, &id.0, Flag::Muted, true).await
    }

    /// Unmute for the caller.
    #[oai(path = "/:id/mute", method = "delete", operation_id = "conversations_unmute")]
    async fn unmute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        set_flag(&state, auth, &id.0, Flag::Muted, false).await
    }

    /// Archive for the caller; a new message from someone else unarchives it.
    #[oai(path = "/:id/archive", method = "post", operation_id = "conversations_archive")]
    async fn archive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        set_flag(&state, auth, &id.0, Flag::Archived, true).await
    }

    /// Unarchive for the caller.
    #[oai(path = "/:id/archive", method = "delete", operation_id = "conversations_unarchive")]
    async fn unarchive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The conversation's id.
        id: Path<String>,
    ) -> ApiResult<Done> {
        set_flag(&state, auth, &id.0, Flag::Archived, false).await
    }
}
