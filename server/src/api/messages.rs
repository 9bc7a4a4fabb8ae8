//! `/v1/chat/messages`: edit, delete, react, forward, sync, new-since and search.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::conversations::ScopeDto;
use super::dto::messages::*;
use super::envelope::{created, listed, single, Created, Done, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat::{self, history};
use crate::state::AppState;

#[derive(Default)]
pub struct MessagesApi;

#[OpenApi(prefix_path = "/v1/chat/messages", tag = "ApiTags::Messages")]
impl MessagesApi {
    /// Edit one of the caller's own messages (`can_edit_message`); sets `edited_at`.
    #[oai(path = "/:id", method = "patch", operation_id = "messages_edit")]
    async fn edit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The message's id.
        id: Path<String>,
        body: Json<EditMessageRequest>,
    ) -> ApiResult<Single<MessageDto>> {
        let message = chat::messages::edit(&state, &auth.0, &id.0, &body.body).await?;
        Ok(single(history::render_one(&state, &auth.0.user.id, message).await?.into()))
    }

    /// Delete for the caller (`scope=for_me`, default) or for everyone (`for_everyone`: own
    /// messages with `can_delete_message`, any message for moderators and up).
    #[oai(path = "/:id", method = "delete", operation_id = "messages_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The message's id.
        id: Path<String>,
        /// `for_me` (default) or `for_everyone`.
        scope: Query<Option<ScopeDto>>,
    ) -> ApiResult<Done> {
        let for_everyone = scope.0 == Some(ScopeDto::ForEveryone);
        chat::messages::delete(&state, &auth.0, &id.0, for_everyone).await?;
        Ok(Done::NoContent)
    }

    /// Toggle the caller's reaction; returns the message with its reaction counts.
    #[oai(path = "/:id/reactions", method = "post", operation_id = "messages_react")]
    async fn react(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The message's id.
        id: Path<String>,
        body: Json<ReactionRequest>,
    ) -> ApiResult<Single<MessageDto>> {
        let message = chat::messages::react(&state, &auth.0, &id.0, &body.emoji).await?;
        Ok(single(history::render_one(&state, &auth.0.user.id, message).await?.into()))
    }

    /// Forward a message into other conversations of the caller; each copy carries
    /// `forwarded_from_id`. Each copy is a send under the tenant's message rate limits, all
    /// taken before any is stored: over them the answer is 429 `rate_limited` and no copy
    /// is made; more copies than a bucket holds is a 422.
    #[oai(path = "/forward", method = "post", operation_id = "messages_forward")]
    async fn forward(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ForwardRequest>) -> ApiResult<Created<Vec<MessageDto>>> {
        let copies = chat::messages::forward(&state, &auth.0, &body.message_id, &body.conversation_ids).await?;
        Ok(created(many(history::render(&state, &auth.0.user.id, copies).await?)))
    }

    /// Catch up after a reconnect: for each conversation, the messages after the client's
    /// `last_seq`, oldest first, and whether more follow.
    #[oai(path = "/sync", method = "post", operation_id = "messages_sync")]
    async fn sync(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<SyncRequest>) -> ApiResult<Single<SyncResponse>> {
        let body = body.0;
        let limit = body.limit.unwrap_or(100).clamp(1, 500);
        let cursors: Vec<history::Cursor> =
            body.conversations.into_iter().map(|c| history::Cursor { conversation_id: c.conversation_id, last_seq: c.last_seq }).collect();
        let missed = history::sync(&state, &auth.0, &cursors, limit).await?;
        let conversations = missed
            .into_iter()
            .map(|m| SyncedConversation { conversation_id: m.conversation_id, messages: many(m.messages), has_more: m.has_more })
            .collect();
        Ok(single(SyncResponse { conversations }))
    }

    /// Messages of all the caller's conversations sent after `since`, oldest first.
    #[oai(path = "/new", method = "get", operation_id = "messages_new")]
    async fn new_since(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// An RFC 3339 time.
        since: Query<DateTime<Utc>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<MessageDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (views, total) = history::since(&state, &auth.0, since.0, page.limit(), page.offset()).await?;
        Ok(listed(many(views), page, total))
    }

    /// Full-text search over the caller's own conversations: best match first (newest first
    /// among equals), each hit with its highlighted snippet.
    /// 503 `unavailable` (with `Retry-After`) while the search index cannot be reached.
    #[oai(path = "/search", method = "get", operation_id = "messages_search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Words to find; every word must occur, the last may be a prefix.
        q: Query<String>,
        /// Only this conversation.
        conversation_id: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<MessageDto>> {
        let page = PageRequest::new(page.0, per_page.0);
        let (views, total) = history::search(&state, &auth.0, &q.0, conversation_id.0.as_deref(), page.limit(), page.offset()).await?;
        Ok(listed(found(views), page, total))
    }
}
