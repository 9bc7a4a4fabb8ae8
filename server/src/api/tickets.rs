//! `/v1/tickets`: support tickets. Their messages go through the conversation endpoints of
//! each ticket's `conversation_id`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::patched;
use super::dto::tickets::*;
use super::envelope::{created, listed, parse_id, single, Created, Listed, PageRequest, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat::{self, tickets::TicketChange};
use crate::domain::names::ticket_category;
use crate::domain::ticket::TicketFilter;
use crate::state::AppState;

#[derive(Default)]
pub struct TicketsApi;

#[OpenApi(prefix_path = "/v1/tickets", tag = "ApiTags::Tickets")]
impl TicketsApi {
    /// Open a support ticket: the ticket, its conversation of kind `ticket` with the caller
    /// in it, and `initial_message` as its first message. Limited like opening a
    /// conversation (the tenant's `rate_limits.conversations`): over the limit, 429
    /// `rate_limited` and nothing is created.
    #[oai(path = "/", method = "post", operation_id = "tickets_create")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<CreateTicketRequest>) -> ApiResult<Created<TicketDto>> {
        let body = body.0;
        let priority = body.priority.map(Into::into).unwrap_or_default();
        let ticket = chat::tickets::open(&state, &auth.0, &body.subject, priority, body.category.as_deref(), &body.initial_message).await?;
        Ok(created(TicketDto::from(&ticket)))
    }

    /// For a user, their own tickets, newest first. For support agents (staff and up), the
    /// tenant's queue: most urgent first, then oldest first.
    #[oai(path = "/", method = "get", operation_id = "tickets_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only tickets in this status.
        status: Query<Option<TicketStatusDto>>,
        /// Only tickets of this priority.
        priority: Query<Option<TicketPriorityDto>>,
        /// Only tickets assigned to this agent.
        assignee_id: Query<Option<String>>,
        /// Only tickets of this category.
        category: Query<Option<String>>,
        /// Page number, from 1.
        page: Query<Option<u32>>,
        /// Items per page, 1 to 100 (default 20).
        per_page: Query<Option<u32>>,
    ) -> ApiResult<Listed<TicketDto>> {
        let filter = TicketFilter {
            requester_id: None,
            status: status.0.map(Into::into),
            priority: priority.0.map(Into::into),
            assignee_id: assignee_id.0.as_deref().map(|raw| parse_id("assignee_id", raw)).transpose()?,
            category: category.0.as_deref().map(ticket_category).transpose()?,
        };
        let page = PageRequest::new(page.0, per_page.0);
        let (rows, total) = chat::tickets::list(&state, &auth.0, filter, page.limit(), page.offset()).await?;
        Ok(listed(rows.iter().map(TicketDto::from).collect(), page, total))
    }

    /// One ticket: the requester's own, or any of the tenant's for support agents.
    #[oai(path = "/:id", method = "get", operation_id = "tickets_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<String>,
    ) -> ApiResult<Single<TicketDto>> {
        let ticket = chat::tickets::visible(&state, &auth.0, &id.0).await?;
        Ok(single(TicketDto::from(&ticket)))
    }

    /// Change a ticket. Support agents change its status (along `open` → `pending` →
    /// `resolved` → `closed`, reopening allowed), priority, category and assignee (staff
    /// or up); the requester may only close it, or reopen it once resolved or closed. Each
    /// change posts a system message in the ticket's conversation.
    #[oai(path = "/:id", method = "patch", operation_id = "tickets_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The ticket's id.
        id: Path<String>,
        body: Json<UpdateTicketRequest>,
    ) -> ApiResult<Single<TicketDto>> {
        let change = TicketChange {
            status: body.status.map(Into::into),
            priority: body.priority.map(Into::into),
            category: patched(&body.category).map(|c| c.map(str::to_owned)),
            assignee_id: patched(&body.assignee_id).map(|a| a.map(str::to_owned)),
        };
        let ticket = chat::tickets::change(&state, &auth.0, &id.0, change).await?;
        Ok(single(TicketDto::from(&ticket)))
    }
}
