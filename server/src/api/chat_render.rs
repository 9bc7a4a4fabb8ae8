//! Turns rows into conversation and message DTOs with a bounded number of queries per page,
//! whatever its size.

use super::dto::conversations::ConversationDto;
use super::dto::messages::MessageDto;
use super::dto::shops::ShopSummaryDto;
use super::dto::tickets::TicketSummaryDto;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::{self, conversations::ListedRow, messages::MessageRow};

/// Messages with their reactions as `viewer` sees them: one extra query.
pub async fn messages(state: &AppState, viewer: &str, rows: &[MessageRow]) -> AppResult<Vec<MessageDto>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let counts = store::messages::reactions(&state.db, &ids, viewer).await?;
    Ok(MessageDto::many(rows, &counts))
}

/// Conversations with members, last messages, and the shops and tickets of the page: at
/// most five extra queries.
pub async fn conversations(state: &AppState, viewer: &str, rows: &[ListedRow]) -> AppResult<Vec<ConversationDto>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.conversation.id.clone()).collect();
    let members = store::conversations::members_of(&state.db, &ids).await?;
    let last_ids: Vec<String> = rows.iter().filter_map(|r| r.conversation.last_message_id.clone()).collect();
    let last = store::messages::by_ids(&state.db, &last_ids).await?;
    let last = messages(state, viewer, &last).await?;
    let shop_ids: Vec<String> = rows.iter().filter_map(|r| r.conversation.shop_id.clone()).collect();
    let shops = if shop_ids.is_empty() { Vec::new() } else { store::shops::by_ids(&state.db, &shop_ids).await? };
    let ticket_ids: Vec<String> = rows.iter().filter(|r| r.conversation.kind == "ticket").map(|r| r.conversation.id.clone()).collect();
    let tickets = if ticket_ids.is_empty() { Vec::new() } else { store::tickets::briefs(&state.db, &ticket_ids).await? };
    Ok(rows
        .iter()
        .map(|row| {
            let conversation = &row.conversation;
            let last_message = conversation.last_message_id.as_ref().and_then(|id| last.iter().find(|m| &m.id == id).cloned());
            let mut dto = ConversationDto::assemble(row, viewer, &members, last_message);
            dto.shop = conversation.shop_id.as_ref().and_then(|id| shops.iter().find(|s| &s.id == id)).map(ShopSummaryDto::from);
            dto.ticket = tickets.iter().find(|t| t.conversation_id == conversation.id).map(TicketSummaryDto::from);
            dto
        })
        .collect())
}
