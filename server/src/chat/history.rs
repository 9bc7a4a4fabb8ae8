//! Reading messages: a conversation's history, catching up after a reconnect, messages
//! since a time, and search. Every message comes back as the `MessageView` clients see,
//! with its reactions as the viewer sees them.

use super::access::{self, Membership};
use crate::auth::UserCaller;
use crate::domain::message::{Message, Window};
use crate::domain::{Invalid, Timestamp};
use crate::error::{AppError, AppResult};
use crate::events::MessageView;
use crate::search::{found, Found, SearchQuery};
use crate::state::AppState;
use crate::store;

/// Most conversations one sync may name.
pub const MAX_SYNC_CONVERSATIONS: usize = 100;

/// Messages with their reactions as `viewer` sees them: one extra query.
pub async fn render(state: &AppState, viewer: &str, messages: Vec<Message>) -> AppResult<Vec<MessageView>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    let counts = store::messages::reactions(&state.db, &ids, viewer).await?;
    Ok(MessageView::many(messages, &counts))
}

/// One message as `viewer` sees it.
pub async fn render_one(state: &AppState, viewer: &str, message: Message) -> AppResult<MessageView> {
    let mut views = render(state, viewer, vec![message]).await?;
    views.pop().ok_or(AppError::NotFound("message"))
}

/// A message as its sender sees it in the answer to the send: `created` now, it has no
/// reactions yet, so nothing is read; one stored before (a retried `client_msg_id`) may
/// have some.
pub async fn render_sent(state: &AppState, viewer: &str, message: Message, created: bool) -> AppResult<MessageView> {
    if created {
        return Ok(MessageView::new(message, Vec::new()));
    }
    render_one(state, viewer, message).await
}

/// A window of the history the caller sees (after their "delete for me" point, without the
/// messages they hid), and how many messages that side of the window holds in all.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %membership.id()))]
pub async fn window(state: &AppState, caller: &UserCaller, membership: &Membership, window: Window) -> AppResult<(Vec<MessageView>, i64)> {
    let cleared_before = membership.participant.cleared_before_seq;
    let (mut messages, total) = store::messages::history(&state.db, membership.id(), &caller.user.id, cleared_before, window).await?;
    if matches!(window, Window::After { .. }) {
        messages.reverse();
    }
    Ok((render(state, &caller.user.id, messages).await?, total))
}

/// Where a client's copy of one conversation ends.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub conversation_id: String,
    /// The last seq the client has (0 for none).
    pub last_seq: i64,
}

/// What a client missed in one conversation.
#[derive(Debug, Clone)]
pub struct Missed {
    pub conversation_id: String,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    /// Whether more messages follow the last one returned.
    pub has_more: bool,
}

/// Catching up after a reconnect: for each conversation, up to `limit` messages after the
/// client's last seq, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn sync(state: &AppState, caller: &UserCaller, cursors: &[Cursor], limit: i64) -> AppResult<Vec<Missed>> {
    if cursors.len() > MAX_SYNC_CONVERSATIONS {
        return Err(Invalid::new("conversations", format!("at most {MAX_SYNC_CONVERSATIONS}")).into());
    }
    let mut out = Vec::with_capacity(cursors.len());
    for cursor in cursors {
        let membership = access::member(state, caller, &cursor.conversation_id).await?;
        let cleared_before = membership.participant.cleared_before_seq;
        let after = Window::After { seq: cursor.last_seq.max(0), limit: limit + 1 };
        let (mut messages, _) = store::messages::history(&state.db, membership.id(), &caller.user.id, cleared_before, after).await?;
        let has_more = messages.len() as i64 > limit;
        messages.truncate(limit as usize);
        out.push(Missed {
            conversation_id: membership.id().to_owned(),
            messages: render(state, &caller.user.id, messages).await?,
            has_more,
        });
    }
    Ok(out)
}

/// Messages of all the caller's conversations sent after `since`, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn since(state: &AppState, caller: &UserCaller, since: Timestamp, limit: i64, offset: i64) -> AppResult<(Vec<MessageView>, i64)> {
    let (messages, total) = store::messages::since(&state.db, &caller.tenant_id, &caller.user.id, since, limit, offset).await?;
    Ok((render(state, &caller.user.id, messages).await?, total))
}

/// Full-text search over the caller's own conversations (or one of them), best match first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = ?conversation_id))]
pub async fn search(
    state: &AppState,
    caller: &UserCaller,
    text: &str,
    conversation_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Found<MessageView>>, i64)> {
    if text.trim().is_empty() || text.chars().count() > 200 {
        return Err(Invalid::new("q", "must be 1 to 200 characters").into());
    }
    let conversation_id = match conversation_id {
        Some(id) => Some(access::member(state, caller, id).await?.id().to_owned()),
        None => None,
    };
    let query = SearchQuery {
        tenant_id: caller.tenant_id.clone(),
        member: Some(caller.user.id.clone()),
        conversation_id,
        text: text.to_owned(),
        limit,
        offset,
    };
    let hits = state.search.search(&query).await.map_err(|e| AppError::unavailable("search", e))?;
    let mut messages = store::messages::by_ids(&state.db, &hits.message_ids).await?;
    if state.search.fed_by_outbox() {
        // The index learns of a change of readers a moment after the database does.
        let readable = store::search_outbox::readable_by(&state.db, &caller.user.id, &hits.message_ids).await?;
        messages.retain(|m| readable.contains(&m.id));
    }
    messages.sort_by_key(|m| hits.message_ids.iter().position(|id| *id == m.id));
    Ok((found(render(state, &caller.user.id, messages).await?, &hits), hits.total))
}
