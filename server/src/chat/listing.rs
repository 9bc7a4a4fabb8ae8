//! A user's conversations as they see them: each with its members, last message, and the
//! shop or ticket it is about, loaded with a bounded number of queries per page whatever
//! its size.

use super::{history, shops};
use crate::auth::UserCaller;
use crate::domain::conversation::{ConversationKind, ListFilter, ListedConversation, Member};
use crate::domain::shop::Shop;
use crate::domain::ticket::TicketBrief;
use crate::error::{AppError, AppResult};
use crate::events::MessageView;
use crate::state::AppState;
use crate::store;

/// One conversation of a user's list, with what a listing shows of it.
#[derive(Debug, Clone)]
pub struct ConversationView {
    /// The conversation and the viewer's side of it.
    pub listed: ListedConversation,
    /// Its current members.
    pub members: Vec<Member>,
    pub last_message: Option<MessageView>,
    /// In a shop thread: the shop.
    pub shop: Option<Shop>,
    /// In a ticket conversation: the ticket.
    pub ticket: Option<TicketBrief>,
}

/// The views of `rows`: at most six extra queries, all sent together; then one more per
/// conversation whose last message the viewer hid, and one for the reactions of the
/// messages that replace those.
async fn render(state: &AppState, viewer: &str, rows: Vec<ListedConversation>) -> AppResult<Vec<ConversationView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.conversation.id.clone()).collect();
    let last_ids: Vec<String> = rows.iter().filter_map(|r| r.conversation.last_message_id.clone()).collect();
    let shop_ids: Vec<String> = rows.iter().filter_map(|r| r.conversation.shop_id.clone()).collect();
    let ticket_ids: Vec<String> =
        rows.iter().filter(|r| r.conversation.kind == ConversationKind::Ticket).map(|r| r.conversation.id.clone()).collect();
    // Independent reads, each on a connection of its own: the page waits for the slowest.
    // The last messages' reactions are read with them, by the ids the page already holds,
    // rather than after them.
    let (members, mut last, reactions, hidden, shops, tickets) = tokio::try_join!(
        store::participants::members_of(&state.db, &ids),
        store::messages::by_ids(&state.db, &last_ids),
        store::messages::reactions(&state.db, &last_ids, viewer),
        store::hidden::hidden_among(&state.db, &last_ids, viewer),
        async {
            if shop_ids.is_empty() {
                Ok(Vec::new())
            } else {
                store::shops::by_ids(&state.db, &shop_ids).await
            }
        },
        async {
            if ticket_ids.is_empty() {
                Ok(Vec::new())
            } else {
                store::tickets::briefs(&state.db, &ticket_ids).await
            }
        },
    )?;
    // A last message the viewer deleted for themselves gives way to the newest one they see
    // (one more query for each such conversation, and one for the reactions of those).
    let mut replaced = Vec::new();
    if !hidden.is_empty() {
        let hit: Vec<String> = last.iter().filter(|m| hidden.contains(&m.id)).map(|m| m.conversation_id.clone()).collect();
        last.retain(|m| !hidden.contains(&m.id));
        for conversation_id in hit {
            replaced.extend(store::hidden::latest_visible(&state.db, &conversation_id, viewer).await?);
        }
    }
    let mut last = MessageView::many(last, &reactions);
    last.extend(history::render(state, viewer, replaced).await?);
    Ok(rows
        .into_iter()
        .map(|listed| {
            let conversation = &listed.conversation;
            let last_message = last.iter().find(|m| m.conversation_id == conversation.id).cloned();
            ConversationView {
                members: members.iter().filter(|m| m.conversation_id == conversation.id).cloned().collect(),
                last_message,
                shop: conversation.shop_id.as_ref().and_then(|id| shops.iter().find(|s| &s.id == id)).cloned(),
                ticket: tickets.iter().find(|t| t.conversation_id == conversation.id).cloned(),
                listed,
            }
        })
        .collect())
}

/// A page of the caller's conversations by last activity, and how many match.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn list(
    state: &AppState,
    caller: &UserCaller,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ConversationView>, i64)> {
    let (rows, total) = store::listing::list_for_user(&state.db, &caller.tenant_id, &caller.user.id, filter, limit, offset).await?;
    Ok((render(state, &caller.user.id, rows).await?, total))
}

/// One conversation of the caller with the listing's fields, even one they hid from
/// their list.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, conversation_id = %id))]
pub async fn show(state: &AppState, caller: &UserCaller, id: &str) -> AppResult<ConversationView> {
    let filter = ListFilter { conversation_id: Some(id.to_owned()), ..ListFilter::default() };
    let (mut views, _) = list(state, caller, &filter, 1, 0).await?;
    views.pop().ok_or(AppError::NotFound("conversation"))
}

/// The buyers' threads with a shop of the caller, most recent activity first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, shop_id = %shop_id))]
pub async fn shop_threads(
    state: &AppState,
    caller: &UserCaller,
    shop_id: &str,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ConversationView>, i64)> {
    let shop = shops::owned(state, caller, shop_id).await?;
    let filter = ListFilter { kind: Some(ConversationKind::Shop), shop_id: Some(shop.id), ..ListFilter::default() };
    list(state, caller, &filter, limit, offset).await
}
