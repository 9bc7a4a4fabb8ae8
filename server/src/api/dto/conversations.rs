//! Conversations as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

use super::messages::MessageDto;
use super::shops::ShopSummaryDto;
use super::tickets::TicketSummaryDto;
use crate::chat::listing::ConversationView;
use crate::domain::conversation::{ConversationKind, Member, MemberRole};
use crate::domain::Named;

/// What a conversation is for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ConversationKindDto {
    /// Exactly two users.
    Direct,
    /// A named group.
    Group,
    /// A buyer and a shop owner.
    Shop,
    /// A support ticket's thread.
    Ticket,
}

impl From<ConversationKindDto> for ConversationKind {
    fn from(kind: ConversationKindDto) -> Self {
        match kind {
            ConversationKindDto::Direct => ConversationKind::Direct,
            ConversationKindDto::Group => ConversationKind::Group,
            ConversationKindDto::Shop => ConversationKind::Shop,
            ConversationKindDto::Ticket => ConversationKind::Ticket,
        }
    }
}

/// A participant of a conversation.
#[derive(Object, Debug, Clone)]
pub struct ParticipantDto {
    /// The user's id.
    pub id: String,
    /// The user's username.
    pub username: String,
    /// The user's display name.
    pub display_name: Option<String>,
    /// The user's picture.
    pub avatar_url: Option<String>,
    /// `owner`, `admin` or `member` (groups); `member` elsewhere.
    pub role: String,
    /// The last seq this participant has read.
    pub last_read_seq: i64,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

impl From<Member> for ParticipantDto {
    fn from(m: Member) -> Self {
        ParticipantDto {
            id: m.user_id,
            username: m.username,
            display_name: m.display_name,
            avatar_url: m.avatar_url,
            role: m.role.as_str().to_owned(),
            last_read_seq: m.last_read_seq,
            joined_at: m.joined_at,
        }
    }
}

/// A conversation as one participant sees it.
#[derive(Object, Debug, Clone)]
pub struct ConversationDto {
    /// The conversation's id.
    pub id: String,
    /// `direct`, `group`, `shop` or `ticket`.
    pub kind: String,
    /// The group's name.
    pub name: Option<String>,
    /// The group's description.
    pub description: Option<String>,
    /// In a direct conversation or shop thread: the other participant.
    pub participant: Option<ParticipantDto>,
    /// Every current participant.
    pub participants: Vec<ParticipantDto>,
    /// In a shop thread: the shop.
    pub shop: Option<ShopSummaryDto>,
    /// In a ticket conversation: the ticket.
    pub ticket: Option<TicketSummaryDto>,
    /// The newest message.
    pub last_message: Option<MessageDto>,
    /// The seq of the newest message (0 when empty).
    pub last_seq: i64,
    /// The caller's read position.
    pub last_read_seq: i64,
    /// Others' messages after the caller's read position.
    pub unread_count: i64,
    /// Muted for the caller (still counts unread, sends no push).
    pub muted: bool,
    /// Archived for the caller.
    pub archived: bool,
    /// The caller's role in it.
    pub role: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its last activity.
    pub updated_at: DateTime<Utc>,
}

impl ConversationDto {
    /// The DTO of `view` as `viewer` sees it: in a conversation of two, the other one is
    /// "the participant".
    pub fn new(view: ConversationView, viewer: &str) -> Self {
        let ConversationView { listed, members, last_message, shop, ticket } = view;
        let row = listed.conversation;
        let participants: Vec<ParticipantDto> = members.into_iter().map(ParticipantDto::from).collect();
        let participant = row.kind.is_pair().then(|| participants.iter().find(|p| p.id != viewer).cloned()).flatten();
        ConversationDto {
            id: row.id,
            kind: row.kind.as_str().to_owned(),
            name: row.name,
            description: row.description,
            participant,
            participants,
            shop: shop.as_ref().map(ShopSummaryDto::from),
            ticket: ticket.as_ref().map(TicketSummaryDto::from),
            last_message: last_message.map(MessageDto::from),
            last_seq: row.last_seq,
            last_read_seq: listed.last_read_seq,
            unread_count: listed.unread_count,
            muted: listed.muted,
            archived: listed.archived,
            role: listed.role.as_str().to_owned(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    /// The DTOs of `views`, in order.
    pub fn many(views: Vec<ConversationView>, viewer: &str) -> Vec<Self> {
        views.into_iter().map(|view| ConversationDto::new(view, viewer)).collect()
    }
}

/// Open a conversation: `{user_id}` for direct, `{kind: "group", name, participant_ids}`
/// for a group, `{kind: "shop", shop_id, initial_message?}` for a thread with a shop.
#[derive(Object, Debug)]
pub struct CreateConversationRequest {
    /// `direct` (default when `user_id` is given), `shop` (default when `shop_id` is given)
    /// or `group`. Tickets are opened with `POST /v1/tickets`.
    pub kind: Option<ConversationKindDto>,
    /// Direct: the other user.
    #[oai(validator(max_length = 64))]
    pub user_id: Option<String>,
    /// Group: its name.
    #[oai(validator(max_length = 200))]
    pub name: Option<String>,
    /// Group: its description.
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// Group: the first members besides the caller (at most 100).
    pub participant_ids: Option<Vec<String>>,
    /// Shop: the shop whose owner the caller wants to message.
    #[oai(validator(max_length = 64))]
    pub shop_id: Option<String>,
    /// Shop: a first message, sent only when this request creates the thread.
    #[oai(validator(max_length = 100000))]
    pub initial_message: Option<String>,
}

/// Rename or describe a group.
#[derive(Object, Debug, Default)]
pub struct UpdateConversationRequest {
    /// New name.
    #[oai(validator(max_length = 200))]
    pub name: Option<String>,
    /// New description; `null` clears it.
    #[oai(validator(max_length = 2000))]
    pub description: MaybeUndefined<String>,
}

/// Add participants to a group.
#[derive(Object, Debug)]
pub struct AddParticipantsRequest {
    /// Users to add (at most 100).
    pub user_ids: Vec<String>,
}

/// A participant's standing in a group that its owner may set.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum MemberRoleDto {
    /// Renames the group and adds or removes members.
    Admin,
    /// Takes part.
    Member,
}

impl From<MemberRoleDto> for MemberRole {
    fn from(role: MemberRoleDto) -> Self {
        match role {
            MemberRoleDto::Admin => MemberRole::Admin,
            MemberRoleDto::Member => MemberRole::Member,
        }
    }
}

/// Change a participant's role.
#[derive(Object, Debug)]
pub struct ParticipantRoleRequest {
    /// `admin` or `member`.
    pub role: MemberRoleDto,
}

/// Mark messages read.
#[derive(Object, Debug, Default)]
pub struct ReadRequest {
    /// Read up to and including this seq; the newest message when absent.
    pub up_to_seq: Option<i64>,
}

/// Unread messages of one conversation.
#[derive(Object, Debug)]
pub struct UnreadEntry {
    /// The conversation.
    pub conversation_id: String,
    /// Others' messages after the caller's read position.
    pub unread_count: i64,
}

/// The caller's unread messages.
#[derive(Object, Debug)]
pub struct UnreadDto {
    /// All unread messages together.
    pub total: i64,
    /// Conversations with unread messages, most recent activity first.
    pub conversations: Vec<UnreadEntry>,
}
