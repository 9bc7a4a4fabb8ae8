//! The admin dashboard's figures as the API shows them.

use chrono::NaiveDate;
use poem_openapi::Object;

use crate::domain::conversation::ConversationKind;
use crate::domain::stats::TenantStats;
use crate::domain::ticket::{Priority, TicketStatus};
use crate::domain::{Role, UserStatus};

/// Live (not deleted) conversations of the tenant by kind.
#[derive(Object, Debug, Clone)]
pub struct ConversationsByKindDto {
    /// Between two users.
    pub direct: i64,
    /// Named groups.
    pub group: i64,
    /// Buyer threads with shops.
    pub shop: i64,
    /// Support tickets' threads.
    pub ticket: i64,
}

/// Users of the tenant by role; deleted users are not counted.
#[derive(Object, Debug, Clone)]
pub struct UsersByRoleDto {
    /// Chat users.
    pub user: i64,
    /// Hosts, who may broadcast to their followers.
    pub host: i64,
    /// Support agents.
    pub staff: i64,
    /// Moderators.
    pub moderator: i64,
    /// Admins.
    pub admin: i64,
    /// Owners of the tenant.
    pub superadmin: i64,
}

/// Users of the tenant by status, deleted ones included.
#[derive(Object, Debug, Clone)]
pub struct UsersByStatusDto {
    /// In good standing.
    pub active: i64,
    /// Suspended for now.
    pub suspended: i64,
    /// Banned for good.
    pub banned: i64,
    /// Erased; their rows stay for others' history.
    pub deleted: i64,
}

/// Tickets of the tenant by status.
#[derive(Object, Debug, Clone)]
pub struct TicketsByStatusDto {
    /// Waiting for an agent.
    pub open: i64,
    /// Waiting for the requester or a third party.
    pub pending: i64,
    /// Considered solved by an agent.
    pub resolved: i64,
    /// Finished.
    pub closed: i64,
}

/// Tickets of the tenant by priority.
#[derive(Object, Debug, Clone)]
pub struct TicketsByPriorityDto {
    /// Whenever there is time.
    pub low: i64,
    /// The default.
    pub medium: i64,
    /// Soon.
    pub high: i64,
    /// At once.
    pub urgent: i64,
}

/// Messages written on one UTC day.
#[derive(Object, Debug, Clone)]
pub struct DayCountDto {
    /// The UTC day, `YYYY-MM-DD`.
    pub date: NaiveDate,
    /// Messages written that day, later deleted ones included.
    pub messages: i64,
}

/// The tenant's figures for the admin dashboard. Message figures come from counters kept as
/// messages are written, by UTC hour.
#[derive(Object, Debug, Clone)]
pub struct AdminStatsDto {
    /// Live conversations by kind.
    pub conversations_by_kind: ConversationsByKindDto,
    /// Messages ever written in the tenant, system messages and later deleted ones included.
    pub messages_total: i64,
    /// Messages written in the current UTC hour and the 23 before it.
    pub messages_last_24h: i64,
    /// Users who sent a message (counted to the minute) or connected over the WebSocket in
    /// the last 24 hours.
    pub active_users_24h: i64,
    /// Users by role, deleted ones left out.
    pub users_by_role: UsersByRoleDto,
    /// Users by status.
    pub users_by_status: UsersByStatusDto,
    /// Unread messages summed over every member of every live conversation: what each
    /// member's own conversation list counts as unread.
    pub unread_total: i64,
    /// Open reports of messages or users.
    pub open_reports: i64,
    /// Tickets by status.
    pub tickets_by_status: TicketsByStatusDto,
    /// Tickets by priority.
    pub tickets_by_priority: TicketsByPriorityDto,
    /// Median time from opening a ticket to its first answer by someone other than the
    /// requester, in seconds, over every answered ticket; `null` while none was answered.
    pub median_first_response_seconds: Option<f64>,
    /// Messages per UTC day for the last 30 days, oldest first, today last; days without
    /// messages are 0.
    #[oai(validator(min_items = 30, max_items = 30))]
    pub messages_per_day: Vec<DayCountDto>,
}

impl From<&TenantStats> for AdminStatsDto {
    fn from(s: &TenantStats) -> Self {
        AdminStatsDto {
            conversations_by_kind: ConversationsByKindDto {
                direct: s.conversations_of(ConversationKind::Direct),
                group: s.conversations_of(ConversationKind::Group),
                shop: s.conversations_of(ConversationKind::Shop),
                ticket: s.conversations_of(ConversationKind::Ticket),
            },
            messages_total: s.messages_total,
            messages_last_24h: s.messages_last_24h,
            active_users_24h: s.active_users_24h,
            users_by_role: UsersByRoleDto {
                user: s.users_by_role(Role::User),
                host: s.users_by_role(Role::Host),
                staff: s.users_by_role(Role::Staff),
                moderator: s.users_by_role(Role::Moderator),
                admin: s.users_by_role(Role::Admin),
                superadmin: s.users_by_role(Role::Superadmin),
            },
            users_by_status: UsersByStatusDto {
                active: s.users_by_status(UserStatus::Active),
                suspended: s.users_by_status(UserStatus::Suspended),
                banned: s.users_by_status(UserStatus::Banned),
                deleted: s.users_by_status(UserStatus::Deleted),
            },
            unread_total: s.unread_total,
            open_reports: s.open_reports,
            tickets_by_status: TicketsByStatusDto {
                open: s.tickets_by_status(TicketStatus::Open),
                pending: s.tickets_by_status(TicketStatus::Pending),
                resolved: s.tickets_by_status(TicketStatus::Resolved),
                closed: s.tickets_by_status(TicketStatus::Closed),
            },
            tickets_by_priority: TicketsByPriorityDto {
                low: s.tickets_by_priority(Priority::Low),
                medium: s.tickets_by_priority(Priority::Medium),
                high: s.tickets_by_priority(Priority::High),
                urgent: s.tickets_by_priority(Priority::Urgent),
            },
            median_first_response_seconds: s.median_first_response_ms.map(|ms| ms / 1000.0),
            messages_per_day: s.messages_per_day.iter().map(|(date, n)| DayCountDto { date: *date, messages: *n }).collect(),
        }
    }
}
