//! What the admin API takes and shows: conversations of the whole tenant with their
//! participants, users with their counts, moderation changes to a user, and audit log
//! entries.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::users::{PermissionsPatch, RoleDto, UserDto, UserStatusDto};
use crate::domain::conversation::{Conversation, MemberRecord};
use crate::domain::{AuditEntry, CountedUser, Named};
use crate::users::Moderation;

/// A conversation of the tenant, as moderators list it.
#[derive(Object, Debug, Clone)]
pub struct AdminConversationDto {
    /// The conversation's id.
    pub id: String,
    /// `direct`, `group`, `shop` or `ticket`.
    pub kind: String,
    /// The group's name.
    pub name: Option<String>,
    /// The group's description.
    pub description: Option<String>,
    /// Who opened it.
    pub created_by: Option<String>,
    /// In a shop thread: the shop.
    pub shop_id: Option<String>,
    /// The seq of the newest message (0 when empty), which is also how many it holds.
    pub last_seq: i64,
    /// The newest message.
    pub last_message_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its last activity; lists are ordered by it, newest first.
    pub updated_at: DateTime<Utc>,
}

impl From<Conversation> for AdminConversationDto {
    fn from(c: Conversation) -> Self {
        AdminConversationDto {
            id: c.id,
            kind: c.kind.as_str().to_owned(),
            name: c.name,
            description: c.description,
            created_by: c.created_by,
            shop_id: c.shop_id,
            last_seq: c.last_seq,
            last_message_id: c.last_message_id,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Someone who is or was in a conversation, as moderators see them.
#[derive(Object, Debug, Clone)]
pub struct AdminMemberDto {
    /// The user's id.
    pub user_id: String,
    /// The user's username.
    pub username: String,
    /// The user's display name.
    pub display_name: Option<String>,
    /// `owner`, `admin` or `member` (groups); `member` elsewhere.
    pub role: String,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
    /// When they left, for a former member; absent while they are in it.
    #[oai(skip_serializing_if_is_none)]
    pub left_at: Option<DateTime<Utc>>,
}

impl From<MemberRecord> for AdminMemberDto {
    fn from(r: MemberRecord) -> Self {
        AdminMemberDto {
            user_id: r.member.user_id,
            username: r.member.username,
            display_name: r.member.display_name,
            role: r.member.role.as_str().to_owned(),
            joined_at: r.member.joined_at,
            left_at: r.left_at,
        }
    }
}

/// One conversation of the tenant with everyone who is or was in it, enough to show who
/// sent each of its messages.
#[derive(Object, Debug, Clone)]
pub struct AdminConversationDetailDto {
    #[oai(flatten)]
    pub conversation: AdminConversationDto,
    /// Current and former members, in the order they joined.
    pub members: Vec<AdminMemberDto>,
}

impl From<(Conversation, Vec<MemberRecord>)> for AdminConversationDetailDto {
    fn from((conversation, members): (Conversation, Vec<MemberRecord>)) -> Self {
        AdminConversationDetailDto { conversation: conversation.into(), members: members.into_iter().map(AdminMemberDto::from).collect() }
    }
}

/// A user with how much they take part.
#[derive(Object, Debug, Clone)]
pub struct AdminUserDto {
    #[oai(flatten)]
    pub user: UserDto,
    /// Conversations they are a current member of.
    pub conversation_count: i64,
    /// Messages they have sent.
    pub message_count: i64,
}

impl From<&CountedUser> for AdminUserDto {
    fn from(c: &CountedUser) -> Self {
        AdminUserDto { user: UserDto::from(&c.user), conversation_count: c.conversations, message_count: c.messages }
    }
}

/// Change a user's role, permissions or standing. Role and permissions need admin or up;
/// status needs moderator or up. Nobody changes themselves or a user whose role is at
/// least their own (403).
#[derive(Object, Debug, Default)]
pub struct AdminUserPatchRequest {
    /// The new role: at most the caller's own.
    pub role: Option<RoleDto>,
    /// Permission flags to change.
    pub permissions: Option<PermissionsPatch>,
    /// `suspended` or `banned` refuses the user everywhere at once (REST 403, WebSockets
    /// closed with 1008, chat tokens refused); `active` lifts it.
    pub status: Option<UserStatusDto>,
    /// With `status: suspended` only: when the suspension ends by itself (must lie ahead).
    /// Without it a suspension lasts until lifted.
    pub suspended_until: Option<DateTime<Utc>>,
    /// Why, for the audit log.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

impl From<&AdminUserPatchRequest> for Moderation {
    fn from(r: &AdminUserPatchRequest) -> Self {
        Moderation {
            role: r.role.map(Into::into),
            permissions: r.permissions.as_ref().map(Into::into),
            status: r.status.map(Into::into),
            suspended_until: r.suspended_until,
        }
    }
}

/// Who did which privileged action to what, when, from where, and what it changed.
#[derive(Object, Debug, Clone)]
pub struct AuditEntryDto {
    /// The entry's id.
    pub id: String,
    /// `user:<id>` or `api_key:<id>`.
    pub actor: String,
    /// Such as `user.suspend`, `user.ban`, `user.lift`, `user.role`, `user.permissions`,
    /// `message.remove`, `api_key.create`, `api_key.revoke`, `tenant.update`.
    pub action: String,
    /// The id of what was acted on.
    pub target: Option<String>,
    /// The values before the action, as JSON.
    pub before: Option<serde_json::Value>,
    /// The values after the action, as JSON.
    pub after: Option<serde_json::Value>,
    /// The client's network address.
    pub client_addr: Option<String>,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        AuditEntryDto {
            id: e.id,
            actor: e.actor,
            action: e.action,
            target: e.target,
            before: json(e.before),
            after: json(e.after),
            client_addr: e.client_addr,
            created_at: e.created_at,
        }
    }
}
