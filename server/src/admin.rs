//! Moderation across the whole tenant, for the admin console: every conversation and its
//! messages, users with their counts, removing a message for everyone, the audit log and
//! tenant-wide search, and which conversation a moderator's socket may watch. Moderators
//! and up (`policy::require_moderator`); a user's own conversation list is for admins and
//! up. Changing users is in `users::moderate`.

use crate::audit;
use crate::auth::{Caller, UserCaller};
use crate::chat::history::render;
use crate::chat::messages::announce;
use crate::domain::audit::AuditFilter;
use crate::domain::conversation::TenantConversationFilter as ConversationFilter;
use crate::domain::conversation::{Conversation, MemberRecord};
use crate::domain::{parse_field_id, parse_id, AuditEntry, CountedUser, Invalid, UserFilter};
use crate::error::{AppError, AppResult};
use crate::events::{MessageView, Payload};
use crate::policy;
use crate::search::{found, Found, SearchQuery};
use crate::state::AppState;
use crate::store;

/// Reactions are rendered as this viewer sees them: the moderator when a user asks.
fn viewer(caller: &Caller) -> &str {
    caller.user_id().unwrap_or_default()
}

/// One page of the tenant's conversations of every kind, latest activity first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn conversations(
    state: &AppState,
    caller: &Caller,
    mut filter: ConversationFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Conversation>, i64)> {
    policy::require_moderator(caller)?;
    if let Some(raw) = &filter.user_id {
        filter.user_id = Some(parse_field_id("user_id", raw)?);
    }
    Ok(store::admin::conversations(&state.db, caller.tenant_id(), &filter, limit, offset).await?)
}

/// Conversation `raw_id` of the caller's tenant (404 otherwise), with everyone who is or
/// was in it.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), conversation_id = %raw_id))]
pub async fn conversation(state: &AppState, caller: &Caller, raw_id: &str) -> AppResult<(Conversation, Vec<MemberRecord>)> {
    policy::require_moderator(caller)?;
    let id = parse_id(raw_id)?;
    let conversation = store::conversations::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("conversation"))?;
    let members = store::admin::participants(&state.db, &conversation.id).await?;
    Ok((conversation, members))
}

/// The id of conversation `raw_id`, which the caller's socket may watch (or nothing, to
/// stop watching): a moderator or up (`policy::require_watcher`), and a conversation of
/// the caller's tenant (404 otherwise).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = ?raw_id))]
pub async fn watchable(state: &AppState, caller: &UserCaller, raw_id: Option<&str>) -> AppResult<Option<String>> {
    policy::require_watcher(caller)?;
    let Some(raw_id) = raw_id else { return Ok(None) };
    let id = parse_field_id("conversation_id", raw_id)?;
    let conversation = store::conversations::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("conversation"))?;
    Ok(Some(conversation.id))
}

/// One page of the messages of conversation `raw_id`, newest first, removed ones as
/// tombstones.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), conversation_id = %raw_id))]
pub async fn messages(state: &AppState, caller: &Caller, raw_id: &str, limit: i64, offset: i64) -> AppResult<(Vec<MessageView>, i64)> {
    policy::require_moderator(caller)?;
    let id = parse_id(raw_id)?;
    let conversation = store::conversations::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("conversation"))?;
    let (messages, total) = store::admin::messages(&state.db, caller.tenant_id(), &conversation.id, limit, offset).await?;
    Ok((render(state, viewer(caller), messages).await?, total))
}

/// One page of the tenant's users with their counts, newest first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn users(state: &AppState, caller: &Caller, filter: &UserFilter, limit: i64, offset: i64) -> AppResult<(Vec<CountedUser>, i64)> {
    policy::require_moderator(caller)?;
    Ok(store::admin::users(&state.db, caller.tenant_id(), filter, limit, offset).await?)
}

/// `user` with their counts, as the user list shows them.
pub async fn counted(state: &AppState, caller: &Caller, user: crate::domain::User) -> AppResult<CountedUser> {
    policy::require_moderator(caller)?;
    let (conversations, messages) = store::admin::counts(&state.db, &user.id).await?;
    Ok(CountedUser { user, conversations, messages })
}

/// One page of the conversations user `raw_id` is or was in: admins and up.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), user_id = %raw_id))]
pub async fn user_conversations(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Conversation>, i64)> {
    policy::require_tenant_admin(caller)?;
    let id = parse_id(raw_id)?;
    let user = store::users::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("user"))?;
    let filter = ConversationFilter { user_id: Some(user.id), ..ConversationFilter::default() };
    Ok(store::admin::conversations(&state.db, caller.tenant_id(), &filter, limit, offset).await?)
}

/// Removes message `raw_id` for everyone, with its audit entry in the same transaction,
/// and tells the conversation (`message_deleted`). Removing a removed message changes
/// nothing and succeeds.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor(), message_id = %raw_id))]
pub async fn remove_message(state: &AppState, caller: &Caller, raw_id: &str, reason: Option<&str>) -> AppResult<()> {
    policy::require_moderator(caller)?;
    let id = parse_id(raw_id)?;
    let message = store::messages::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("message"))?;
    if message.is_deleted() {
        return Ok(());
    }
    // The removed content stays in the audit log only, as the record of what was removed.
    let before = serde_json::json!({
        "conversation_id": message.conversation_id,
        "sender_id": message.sender_id,
        "body": message.content.body,
    });
    let after = serde_json::json!({ "deleted": true, "reason": reason });
    let mut tx = state.db.begin().await?;
    let deleted = store::messages::delete_for_everyone(&mut *tx, &message.id).await?;
    audit::write(&mut *tx, caller, &audit::Action::new("message.remove", &message.id).change(Some(before), Some(after))).await?;
    store::commit(tx).await?;
    announce(state, &deleted, Payload::MessageDeleted).await;
    if let Some(media_id) = &message.content.attachment.media_id {
        crate::media::release(state, &message.tenant_id, media_id).await;
    }
    Ok(())
}

/// One page of the audit log, newest first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn audit_log(
    state: &AppState,
    caller: &Caller,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<AuditEntry>, i64)> {
    policy::require_moderator(caller)?;
    Ok(store::audit::list(&state.db, caller.tenant_id(), filter, limit, offset).await?)
}

/// Full-text search over every conversation of the tenant (or one of them), best first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id(), actor = %caller.actor()))]
pub async fn search(
    state: &AppState,
    caller: &Caller,
    text: &str,
    conversation_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Found<MessageView>>, i64)> {
    policy::require_moderator(caller)?;
    if text.trim().is_empty() || text.chars().count() > 200 {
        return Err(Invalid::new("q", "must be 1 to 200 characters").into());
    }
    let conversation_id = match conversation_id {
        Some(raw) => {
            let id = parse_field_id("conversation_id", raw)?;
            Some(store::conversations::by_id(&state.db, caller.tenant_id(), &id).await?.ok_or(AppError::NotFound("conversation"))?.id)
        }
        None => None,
    };
    let query =
        SearchQuery { tenant_id: caller.tenant_id().to_owned(), member: None, conversation_id, text: text.to_owned(), limit, offset };
    let hits = state.search.search(&query).await.map_err(|e| AppError::unavailable("search", e))?;
    let mut messages = store::messages::by_ids(&state.db, &hits.message_ids).await?;
    messages.sort_by_key(|m| hits.message_ids.iter().position(|id| *id == m.id));
    Ok((found(render(state, viewer(caller), messages).await?, &hits), hits.total))
}
