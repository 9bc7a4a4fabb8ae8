//! Support tickets as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

use crate::domain::ticket::{Priority, Ticket, TicketBrief, TicketStatus};

/// Where a ticket stands: `open` → `pending` → `resolved` → `closed`; a resolved or
/// closed ticket may be reopened.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TicketStatusDto {
    /// Waiting for an agent.
    Open,
    /// Waiting for the requester or a third party.
    Pending,
    /// An agent considers it solved.
    Resolved,
    /// Finished.
    Closed,
}

/// How urgent a ticket is; the queue puts the most urgent first.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum TicketPriorityDto {
    /// Whenever there is time.
    Low,
    /// The default.
    Medium,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl From<TicketStatusDto> for TicketStatus {
    fn from(s: TicketStatusDto) -> Self {
        match s {
            TicketStatusDto::Open => TicketStatus::Open,
            TicketStatusDto::Pending => TicketStatus::Pending,
            TicketStatusDto::Resolved => TicketStatus::Resolved,
            TicketStatusDto::Closed => TicketStatus::Closed,
        }
    }
}

impl From<TicketStatus> for TicketStatusDto {
    fn from(s: TicketStatus) -> Self {
        match s {
            TicketStatus::Open => TicketStatusDto::Open,
            TicketStatus::Pending => TicketStatusDto::Pending,
            TicketStatus::Resolved => TicketStatusDto::Resolved,
            TicketStatus::Closed => TicketStatusDto::Closed,
        }
    }
}

impl From<TicketPriorityDto> for Priority {
    fn from(p: TicketPriorityDto) -> Self {
        match p {
            TicketPriorityDto::Low => Priority::Low,
            TicketPriorityDto::Medium => Priority::Medium,
            TicketPriorityDto::High => Priority::High,
            TicketPriorityDto::Urgent => Priority::Urgent,
        }
    }
}

impl From<Priority> for TicketPriorityDto {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Low => TicketPriorityDto::Low,
            Priority::Medium => TicketPriorityDto::Medium,
            Priority::High => TicketPriorityDto::High,
            Priority::Urgent => TicketPriorityDto::Urgent,
        }
    }
}

/// A support ticket. Its messages live in its conversation (`conversation_id`), read and
/// written through the conversation endpoints.
#[derive(Object, Debug, Clone)]
pub struct TicketDto {
    /// The ticket's id.
    pub id: String,
    /// Its conversation of kind `ticket`.
    pub conversation_id: String,
    /// The user who opened it.
    pub requester_id: String,
    /// What it is about.
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatusDto,
    /// How urgent it is.
    pub priority: TicketPriorityDto,
    /// A free-form category, such as `billing`.
    pub category: Option<String>,
    /// The agent handling it.
    pub assignee_id: Option<String>,
    /// Messages in its conversation, not counting system messages and deleted ones.
    pub message_count: i64,
    /// When someone other than the requester first answered.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was last resolved; cleared when it is reopened.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was last closed; cleared when it is reopened.
    pub closed_at: Option<DateTime<Utc>>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When its status, priority, category or assignee last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Ticket> for TicketDto {
    fn from(t: &Ticket) -> Self {
        TicketDto {
            id: t.id.clone(),
            conversation_id: t.conversation_id.clone(),
            requester_id: t.requester_id.clone(),
            subject: t.subject.clone(),
            status: t.status.into(),
            priority: t.priority.into(),
            category: t.category.clone(),
            assignee_id: t.assignee_id.clone(),
            message_count: t.message_count,
            first_response_at: t.first_response_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// The ticket of a ticket conversation, as a conversation listing shows it.
#[derive(Object, Debug, Clone)]
pub struct TicketSummaryDto {
    /// The ticket's id.
    pub id: String,
    /// What it is about.
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatusDto,
    /// How urgent it is.
    pub priority: TicketPriorityDto,
}

impl From<&TicketBrief> for TicketSummaryDto {
    fn from(t: &TicketBrief) -> Self {
        TicketSummaryDto { id: t.id.clone(), subject: t.subject.clone(), status: t.status.into(), priority: t.priority.into() }
    }
}

/// Open a support ticket.
#[derive(Object, Debug)]
pub struct CreateTicketRequest {
    /// What it is about, 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub subject: String,
    /// How urgent it is (default `medium`).
    pub priority: Option<TicketPriorityDto>,
    /// A free-form category, 1 to 50 characters.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub category: Option<String>,
    /// The first message of its conversation.
    #[oai(validator(max_length = 100000))]
    pub initial_message: String,
}

/// Change a ticket. Agents (staff and up) change any field; the requester may only set
/// `status` to `closed`, or to `open` once resolved or closed.
#[derive(Object, Debug, Default)]
pub struct UpdateTicketRequest {
    /// The new status, along the allowed moves.
    pub status: Option<TicketStatusDto>,
    /// The new priority.
    pub priority: Option<TicketPriorityDto>,
    /// The new category, 1 to 50 characters; `null` clears it.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub category: MaybeUndefined<String>,
    /// The agent to assign (staff or up); `null` unassigns.
    #[oai(validator(max_length = 64))]
    pub assignee_id: MaybeUndefined<String>,
}
