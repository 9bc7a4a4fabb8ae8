//! What goes on the event bus: one typed payload per kind of event, serialized into the
//! JSON frame every WebSocket client receives. A message is shown through `MessageView`,
//! from which the REST API renders its message too, so both always carry the same fields.
//! Built from domain types only; the services publish these and the API maps them.

use serde::{Deserialize, Serialize, Serializer};

use crate::domain::conversation::{MemberRole, MessageType};
use crate::domain::message::{Attachment, Message, ReactionCount};
use crate::domain::report::{Report, ReportReason, Resolution, TargetKind};
use crate::domain::ticket::{Priority, Ticket, TicketStatus};
use crate::domain::{Named, Timestamp};

/// Serializes an enum by its stored name.
fn by_name<T: Named, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.as_str())
}

/// One emoji's reactions on a message, as one viewer sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReactionView {
    pub emoji: String,
    pub count: i64,
    /// Whether the viewer is one of them.
    pub me: bool,
}

/// A message as clients see it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    /// `None` for system messages.
    pub sender_id: Option<String>,
    #[serde(rename = "type", serialize_with = "by_name")]
    pub kind: MessageType,
    /// Empty once deleted for everyone.
    pub body: String,
    #[serde(flatten)]
    pub attachment: Attachment,
    pub reply_to_id: Option<String>,
    pub forwarded_from_id: Option<String>,
    /// One entry per emoji; events carry none.
    pub reactions: Vec<ReactionView>,
    pub client_msg_id: Option<String>,
    pub edited_at: Option<Timestamp>,
    /// Whether it was deleted for everyone.
    pub deleted: bool,
    pub created_at: Timestamp,
}

impl MessageView {
    pub fn new(message: Message, reactions: Vec<ReactionView>) -> Self {
        let deleted = message.is_deleted();
        let content = message.content;
        MessageView {
            id: message.id,
            conversation_id: message.conversation_id,
            seq: message.seq,
            sender_id: message.sender_id,
            kind: content.kind,
            body: content.body,
            attachment: content.attachment,
            reply_to_id: content.reply_to_id,
            forwarded_from_id: content.forwarded_from_id,
            reactions,
            client_msg_id: content.client_msg_id,
            edited_at: message.edited_at,
            deleted,
            created_at: message.created_at,
        }
    }

    /// Views of `messages`, each with its reactions from `counts`.
    pub fn many(messages: Vec<Message>, counts: &[ReactionCount]) -> Vec<Self> {
        messages
            .into_iter()
            .map(|message| {
                let reactions = counts
                    .iter()
                    .filter(|c| c.message_id == message.id)
                    .map(|c| ReactionView { emoji: c.emoji.clone(), count: c.count, me: c.mine })
                    .collect();
                MessageView::new(message, reactions)
            })
            .collect()
    }
}

/// `new_message`, `message_updated`, `message_deleted`: the message and its seq.
#[derive(Debug, Clone, Serialize)]
pub struct MessageEvent {
    pub conversation_id: String,
    pub seq: i64,
    pub message: MessageView,
}

impl MessageEvent {
    /// The event of a message as it now stands, without reactions.
    pub fn of(message: &Message) -> Self {
        MessageEvent {
            conversation_id: message.conversation_id.clone(),
            seq: message.seq,
            message: MessageView::new(message.clone(), Vec::new()),
        }
    }
}

/// `reaction`: someone added or took back an emoji.
#[derive(Debug, Clone, Serialize)]
pub struct ReactionEvent {
    pub conversation_id: String,
    pub message_id: String,
    pub seq: i64,
    pub user_id: String,
    pub emoji: String,
    /// False when taken back.
    pub added: bool,
}

/// `ticket_updated`: a ticket's status, priority, category or assignee changed.
#[derive(Debug, Clone, Serialize)]
pub struct TicketUpdated {
    pub ticket_id: String,
    pub conversation_id: String,
    #[serde(serialize_with = "by_name")]
    pub status: TicketStatus,
    #[serde(serialize_with = "by_name")]
    pub priority: Priority,
    pub category: Option<String>,
    pub assignee_id: Option<String>,
}

impl From<&Ticket> for TicketUpdated {
    fn from(ticket: &Ticket) -> Self {
        TicketUpdated {
            ticket_id: ticket.id.clone(),
            conversation_id: ticket.conversation_id.clone(),
            status: ticket.status,
            priority: ticket.priority,
            category: ticket.category.clone(),
            assignee_id: ticket.assignee_id.clone(),
        }
    }
}

/// `report_created`: a message or user was reported; sent to the tenant's moderators so an
/// open queue updates. It does not name the reporter.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCreated {
    pub report_id: String,
    #[serde(serialize_with = "by_name")]
    pub target_kind: TargetKind,
    pub target_id: String,
    #[serde(serialize_with = "by_name")]
    pub reason: ReportReason,
    pub created_at: Timestamp,
}

impl From<&Report> for ReportCreated {
    fn from(report: &Report) -> Self {
        ReportCreated {
            report_id: report.id.clone(),
            target_kind: report.target_kind,
            target_id: report.target_id.clone(),
            reason: report.reason,
            created_at: report.created_at,
        }
    }
}

/// `reports_resolved`: every open report of a target was resolved; sent to the tenant's
/// moderators so the target leaves an open queue. It does not name who resolved them.
#[derive(Debug, Clone, Serialize)]
pub struct ReportsResolved {
    #[serde(serialize_with = "by_name")]
    pub target_kind: TargetKind,
    pub target_id: String,
    #[serde(serialize_with = "by_name")]
    pub action: Resolution,
}

/// `presence`: a user's first socket opened or last socket closed.
#[derive(Debug, Clone, Serialize)]
pub struct Presence {
    pub user_id: String,
    pub online: bool,
}

/// `typing`: a participant is typing.
#[derive(Debug, Clone, Serialize)]
pub struct Typing {
    pub conversation_id: String,
    pub user_id: String,
}

/// `read_receipt`: a participant's read position moved.
#[derive(Debug, Clone, Serialize)]
pub struct ReadReceipt {
    pub conversation_id: String,
    pub user_id: String,
    pub up_to_seq: i64,
}

/// `conversation_updated`: what changed, named by `change`.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationUpdated {
    pub conversation_id: String,
    #[serde(flatten)]
    pub change: Change,
}

/// The change a `conversation_updated` event reports.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    ParticipantsAdded {
        user_ids: Vec<String>,
    },
    ParticipantRemoved {
        user_id: String,
    },
    ParticipantRole {
        user_id: String,
        #[serde(serialize_with = "by_name")]
        role: MemberRole,
    },
    /// The group's name or description.
    Details {
        name: Option<String>,
        description: Option<String>,
    },
    /// Deleted for everyone.
    Deleted,
    /// The caller's own mute switch.
    Muted {
        value: bool,
    },
    /// The caller's own archive switch.
    Archived {
        value: bool,
    },
}

/// Every event, tagged with its `type` as clients receive it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    NewMessage(MessageEvent),
    MessageUpdated(MessageEvent),
    MessageDeleted(MessageEvent),
    Reaction(ReactionEvent),
    TicketUpdated(TicketUpdated),
    Presence(Presence),
    Typing(Typing),
    ReadReceipt(ReadReceipt),
    ConversationUpdated(ConversationUpdated),
    ReportCreated(ReportCreated),
    ReportsResolved(ReportsResolved),
    /// `resync`: this socket may have missed events (the process lost the shared bus for a
    /// while, or fell behind it). The client calls `POST /v1/chat/messages/sync` with its
    /// last seqs, and reloads what else it shows.
    Resync,
}

/// Sockets to close at once (1008) because the credential or the rights that opened them
/// no longer hold. Never shown to clients: each process's hub acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "revoke", rename_all = "snake_case")]
pub enum Revocation {
    /// Every socket of the event's audience: users deleted, suspended or banned.
    Users,
    /// The audience's sockets opened within one of these login sessions: a logout, the
    /// other sessions a password change signs out, a reused refresh token's family.
    Sessions { session_ids: Vec<String> },
    /// The tenant's sockets opened with a chat token this API key minted (or a ticket taken
    /// with one): the key was revoked.
    ApiKey { key_id: String },
    /// The audience's sockets stop watching conversations, and stay open: their role fell
    /// below the one watching needs.
    Watching,
}

impl Payload {
    /// The conversation whose watchers also receive this event (see `realtime::watchers`):
    /// what happens in it, but not a participant's own switches (mute, archive), nor
    /// anything outside a conversation.
    pub fn watched_conversation(&self) -> Option<&str> {
        match self {
            Payload::NewMessage(e) | Payload::MessageUpdated(e) | Payload::MessageDeleted(e) => Some(&e.conversation_id),
            Payload::Reaction(e) => Some(&e.conversation_id),
            Payload::TicketUpdated(e) => Some(&e.conversation_id),
            Payload::Typing(e) => Some(&e.conversation_id),
            Payload::ReadReceipt(e) => Some(&e.conversation_id),
            Payload::ConversationUpdated(e) => match e.change {
                Change::Muted { .. } | Change::Archived { .. } => None,
                _ => Some(&e.conversation_id),
            },
            Payload::Presence(_) | Payload::ReportCreated(_) | Payload::ReportsResolved(_) | Payload::Resync => None,
        }
    }

    /// The JSON frame clients receive.
    pub fn to_json(&self) -> serde_json::Value {
        // Every field is a string, number, bool, list or map with string keys: this cannot fail.
        serde_json::to_value(self).expect("event payloads serialize")
    }
}

#[cfg(test)]
mod tests;
