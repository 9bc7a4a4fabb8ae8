//! Support tickets: opening, the queue, and changes. Who may see and change a ticket is
//! decided here; who may enter its conversation, in `access`.

use super::{access, messages, notify_members};
use crate::auth::UserCaller;
use crate::domain::conversation::MessageType;
use crate::domain::message::Content;
use crate::domain::names::{ticket_category, ticket_subject};
use crate::domain::parse_id;
use crate::domain::ticket::{Priority, Ticket, TicketFilter, TicketStatus};
use crate::domain::User;
use crate::domain::{Invalid, Named, WriteKind};
use crate::error::{AppError, AppResult};
use crate::events::{Payload, TicketUpdated};
use crate::state::AppState;
use crate::store;
use crate::throttle;

/// The ticket `raw_id` of the caller's tenant (404 otherwise), which the caller requested
/// or, as a support agent, may handle (403 otherwise).
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, ticket_id = %raw_id))]
pub async fn visible(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<Ticket> {
    let id = parse_id(raw_id)?;
    let ticket = store::tickets::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("ticket"))?;
    if ticket.requester_id != caller.user.id && !caller.role.is_agent() {
        return Err(AppError::forbidden("this is not your ticket"));
    }
    Ok(ticket)
}

/// Opens a ticket for the caller: the ticket, its conversation and `initial_message` as
/// the conversation's first message.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn open(
    state: &AppState,
    caller: &UserCaller,
    subject: &str,
    priority: Priority,
    category: Option<&str>,
    initial_message: &str,
) -> AppResult<Ticket> {
    // The first message comes with the ticket: one write of the conversation kind.
    throttle::take(state, caller, WriteKind::Conversation).await?;
    let subject = ticket_subject(subject)?;
    let category = category.map(ticket_category).transpose()?;
    messages::check_sendable(state, caller, initial_message, MessageType::Text).await?;
    let (id, conversation_id) =
        store::tickets::create(&state.db, &caller.tenant_id, &caller.user.id, &subject, priority, category.as_deref()).await?;
    let membership = access::member(state, caller, &conversation_id).await?;
    let content = Content { body: initial_message.to_owned(), ..Content::default() };
    messages::deliver(state, caller, &membership, content).await?;
    let ticket = store::tickets::by_id(&state.db, &caller.tenant_id, &id).await?.ok_or(AppError::NotFound("ticket"))?;
    state.webhook_dispatch.captured();
    Ok(ticket)
}

/// The caller's own tickets, newest first; for support agents, the tenant's queue, most
/// urgent first and then oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn list(
    state: &AppState,
    caller: &UserCaller,
    mut filter: TicketFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<Ticket>, i64)> {
    filter.requester_id = (!caller.role.is_agent()).then(|| caller.user.id.clone());
    Ok(store::tickets::list(&state.db, &caller.tenant_id, &filter, limit, offset).await?)
}

/// What a change asks for; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TicketChange {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub category: Option<Option<String>>,
    pub assignee_id: Option<Option<String>>,
}

/// A user of the tenant who may be assigned tickets: staff or up (422 otherwise).
async fn assignable(state: &AppState, caller: &UserCaller, raw_id: &str) -> AppResult<User> {
    let id = parse_id(raw_id)?;
    let user = store::users::by_id(&state.db, &caller.tenant_id, &id)
        .await?
        .ok_or_else(|| Invalid::new("assignee_id", "is not a user of this tenant"))?;
    if !user.role.is_agent() {
        return Err(Invalid::new("assignee_id", "must be a support agent (staff or up)").into());
    }
    Ok(user)
}

fn name_of(user: &User) -> &str {
    user.display_name.as_deref().unwrap_or(&user.username)
}

/// Changes a ticket. Agents change anything, along the allowed status moves; the requester
/// may only close it or reopen it. Every change posts a system message in the ticket's
/// conversation and a `ticket_updated` event to its participants.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id, ticket_id = %raw_id))]
pub async fn change(state: &AppState, caller: &UserCaller, raw_id: &str, change: TicketChange) -> AppResult<Ticket> {
    let ticket = visible(state, caller, raw_id).await?;
    let agent = caller.role.is_agent();
    if !agent && (change.priority.is_some() || change.category.is_some() || change.assignee_id.is_some()) {
        return Err(AppError::forbidden("only support agents change priority, category and assignee"));
    }
    let actor = name_of(&caller.user);
    let mut next = ticket.clone();
    let mut notes = Vec::new();
    let now = chrono::Utc::now();

    if let Some(status) = change.status.filter(|s| *s != ticket.status) {
        let from = ticket.status;
        if !agent && !from.requester_may_become(status) {
            return Err(AppError::forbidden("you may only close your ticket or reopen it once resolved or closed"));
        }
        if !from.may_become(status) {
            return Err(Invalid::new("status", format!("a {} ticket cannot become {}", from.as_str(), status.as_str())).into());
        }
        match status {
            TicketStatus::Resolved => next.resolved_at = Some(now),
            TicketStatus::Closed => next.closed_at = Some(now),
            TicketStatus::Open => (next.resolved_at, next.closed_at) = (None, None),
            TicketStatus::Pending => {}
        }
        next.status = status;
        notes.push(format!("{actor} changed the status from {} to {}", from.as_str(), status.as_str()));
    }
    if let Some(priority) = change.priority.filter(|p| *p != ticket.priority) {
        next.priority = priority;
        notes.push(format!("{actor} changed the priority from {} to {}", ticket.priority.as_str(), priority.as_str()));
    }
    if let Some(category) = change.category {
        let category = category.as_deref().map(ticket_category).transpose()?;
        if category != ticket.category {
            notes.push(match &category {
                Some(c) => format!("{actor} set the category to {c}"),
                None => format!("{actor} cleared the category"),
            });
            next.category = category;
        }
    }
    if let Some(assignee) = change.assignee_id {
        let assignee = match assignee {
            Some(raw) => Some(assignable(state, caller, &raw).await?),
            None => None,
        };
        let assignee_id = assignee.as_ref().map(|u| u.id.clone());
        if assignee_id != ticket.assignee_id {
            notes.push(match &assignee {
                Some(user) => format!("{actor} assigned the ticket to {}", name_of(user)),
                None => format!("{actor} unassigned the ticket"),
            });
            next.assignee_id = assignee_id;
        }
    }
    if notes.is_empty() {
        return Ok(ticket);
    }

    next.updated_at = now;
    if !store::tickets::save(&state.db, &next, ticket.status).await? {
        return Err(AppError::Conflict("the ticket changed meanwhile; load it again".into()));
    }
    for note in notes {
        messages::post_system(state, &ticket.tenant_id, &ticket.conversation_id, note).await?;
    }
    let saved = store::tickets::by_id(&state.db, &ticket.tenant_id, &ticket.id).await?.ok_or(AppError::NotFound("ticket"))?;
    notify_members(state, &saved.tenant_id, &saved.conversation_id, Payload::TicketUpdated(TicketUpdated::from(&saved))).await;
    Ok(saved)
}
