//! Support tickets: their statuses and the moves between them, their priorities, and the
//! ticket itself.

use super::{Named, Timestamp};

/// Where a ticket stands. It moves `open` → `pending` → `resolved` → `closed`; a resolved
/// or closed ticket may be reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    /// Waiting for an agent.
    Open,
    /// Waiting for the requester or a third party.
    Pending,
    /// An agent considers it solved.
    Resolved,
    /// Finished.
    Closed,
}

impl Named for TicketStatus {
    const ALL: &'static [Self] = &[Self::Open, Self::Pending, Self::Resolved, Self::Closed];

    fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }
}

impl TicketStatus {
    /// Whether a ticket in this status may move to `next`. Staying put is not a move.
    pub fn may_become(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
        match (self, next) {
            (Open | Pending, Open | Pending | Resolved | Closed) => self != next,
            (Resolved, Open | Closed) => true,
            (Closed, Open) => true,
            _ => false,
        }
    }

    /// What a requester may do to their own ticket: close it, or reopen it once resolved
    /// or closed.
    pub fn requester_may_become(self, next: TicketStatus) -> bool {
        self.may_become(next)
            && match next {
                TicketStatus::Closed => true,
                TicketStatus::Open => matches!(self, TicketStatus::Resolved | TicketStatus::Closed),
                _ => false,
            }
    }
}

/// How urgent a ticket is. Declared least urgent first so `Ord` follows urgency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// Most urgent first: the order of the agents' queue.
    pub const QUEUE_ORDER: [Priority; 4] = [Self::Urgent, Self::High, Self::Medium, Self::Low];
}

impl Named for Priority {
    const ALL: &'static [Self] = &Self::QUEUE_ORDER;

    fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// A support ticket. Its messages live in its conversation of kind `ticket`.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: String,
    pub tenant_id: String,
    pub requester_id: String,
    pub conversation_id: String,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
    /// When someone other than the requester first answered.
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Messages of people in its conversation, not counting system messages and deleted ones.
    pub message_count: i64,
}

/// A ticket's subject, status and priority, for the conversation it owns.
#[derive(Debug, Clone)]
pub struct TicketBrief {
    pub id: String,
    pub conversation_id: String,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Only this requester's, newest first; without it, the agents' queue: most urgent
    /// first, then oldest first.
    pub requester_id: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<String>,
    pub category: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    #[test]
    fn tickets_move_forward_and_reopen_but_never_go_back_to_pending_once_resolved() {
        assert!(Open.may_become(Pending));
        assert!(Pending.may_become(Resolved));
        assert!(Resolved.may_become(Closed));
        assert!(Closed.may_become(Open));
        assert!(Resolved.may_become(Open));
        assert!(Open.may_become(Closed));
        assert!(!Closed.may_become(Resolved));
        assert!(!Resolved.may_become(Pending));
        assert!(!Open.may_become(Open));
    }

    #[test]
    fn requesters_only_close_and_reopen() {
        assert!(Open.requester_may_become(Closed));
        assert!(Pending.requester_may_become(Closed));
        assert!(Closed.requester_may_become(Open));
        assert!(Resolved.requester_may_become(Open));
        assert!(!Pending.requester_may_become(Open));
        assert!(!Open.requester_may_become(Resolved));
        assert!(!Open.requester_may_become(Pending));
    }

    #[test]
    fn priorities_round_trip_and_default_to_medium() {
        for p in Priority::QUEUE_ORDER {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Priority::parse("critical"), None);
        assert_eq!(Priority::default(), Priority::Medium);
        assert!(Priority::Urgent > Priority::High);
    }
}
