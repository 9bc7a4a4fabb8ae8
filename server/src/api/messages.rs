//! `/v1/chat/messages`: edit, delete, react, forward, sync, new-since and search.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::chat_render;
use super::conversations::ScopeDto;
use super::dto::messages::*;
use super::envelope::{created, listed, single, Created, Done, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat::{self, access};
use crate::domain::Invalid;
use crate::search::SearchQuery;
use crate::state::AppState;
use crate::store::{self, messages::Window};

#[derive(Default)]
pub struct MessagesApi;

/// Most conversations one sync may name.
const MAX_SYNC_CONVERSATIONS: usize = 100;

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
        Ok(single(chat_render::messages(&state, &auth.0.user.id, &[message]).await?.remove(0)))
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
        Ok(single(chat_render::messages(&state, &auth.0.user.id, &[message]).await?.remove(0)))
    }

    /// Forward a message into other conversations of the caller; each copy carries
    /// `forwarded_from_id`.
    #[oai(path = "/forward", method = "post", operation_id = "messages_forward")]
    async fn forward(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ForwardRequest>) -> ApiResult<Created<Vec<MessageDto>>> {
        let copies = chat::messages::forward(&state, &auth.0, &body.message_id, &body.conversation_ids).await?;
        Ok(created(chat_render::messages(&state, &auth.0.user.id, &copies).await?))
    }

    /// Catch up after a reconnect: for each conversation, the messages after the client's
    /// `last_seq`, oldest first, and whether more follow.
    #[oai(path = "/sync", method = "post", operation_id = "messages_sync")]
    async fn sync(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<SyncRequest>) -> ApiResult<Single<SyncResponse>> {
        let caller = auth.0;
        if body.conversations.len() > MAX_SYNC_CONVERSATIONS {
            return Err(Invalid::new("conversations", format!("at most {MAX_SYNC_CONVERSATIONS}")).into());
        }
        let limit = body.limit.unwrap_or(100).clamp(1, 500);
        let mut out = Vec::with_capacity(body.conversations.len());
        for cursor in &body.conversations {
            let membership = access::member(&state, &caller, &cursor.conversation_id).await?;
            let window = Window::After { seq: cursor.last_seq.max(0), limit: limit + 1 };
            let (mut rows, _) =
                store::messages::history(&state.db, membership.id(), &caller.user.id, membership.participant.cleared_before_seq, window)
                    .await?;
            let has_more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            out.push(SyncedConversation {
                conversation_id: membership.id().to_owned(),
                messages: chat_render::messages(&state, &caller.user.id, &rows).await?,
                has_more,
            });
        }
        Ok(single(SyncResponse { conversations: out }))
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
        let caller = auth.0;
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) =
            store::messages::since(&state.db, &caller.tenant_id, &caller.user.id, since.0.timestamp_millis(), page.limit(), page.offset())
                .await?;
        Ok(listed(chat_render::messages(&state, &caller.user.id, &rows).await?, page, total))
    }

    /// Full-text search over the caller's own conversations, newest first.
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
        let caller = auth.0;
        if q.0.trim().is_empty() || q.0.chars().count() > 200 {
            return Err(Invalid::new("q", "must be 1 to 200 characters").into());
        }
        let conversation_id = match &conversation_id.0 {
            Some(id) => Some(access::member(&state, &caller, id).await?.id().to_owned()),
            None => None,
        };
        let page = PageRequest::new(page.0, per_page.0);
        let hits = state
            .search
            .search(&SearchQuery {
                tenant_id: caller.tenant_id.clone(),
                member: Some(caller.user.id.clone()),
                conversation_id,
                text: q.0,
                limit: page.limit(),
                offset: page.offset(),
            })
            .await
            .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
        let mut rows = store::messages::by_ids(&state.db, &hits.message_ids).await?;
        rows.sort_by_key(|m| hits.message_ids.iter().position(|id| *id == m.id));
        Ok(listed(chat_render::messages(&state, &caller.user.id, &rows).await?, page, hits.total))
    }
}
