//! Conversation kinds, participant roles and message types, and the rules on message bodies.

use super::text::{check_name, check_prose};
use super::{Invalid, Named, Timestamp};

/// What a conversation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationKind {
    /// Exactly two users, one conversation per pair.
    Direct,
    /// Named, with owners, admins and members.
    Group,
    /// A buyer and a shop owner about one shop.
    Shop,
    /// A support ticket's thread.
    Ticket,
}

impl Named for ConversationKind {
    const ALL: &'static [Self] = &[Self::Direct, Self::Group, Self::Shop, Self::Ticket];

    fn as_str(self) -> &'static str {
        match self {
            ConversationKind::Direct => "direct",
            ConversationKind::Group => "group",
            ConversationKind::Shop => "shop",
            ConversationKind::Ticket => "ticket",
        }
    }
}

impl ConversationKind {
    /// Conversations of exactly two users, where each sees the other as "the participant".
    pub fn is_pair(self) -> bool {
        matches!(self, ConversationKind::Direct | ConversationKind::Shop)
    }
}

/// A participant's standing in a conversation: in groups any of the three, elsewhere
/// always `Member`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberRole {
    Member,
    Admin,
    Owner,
}

impl Named for MemberRole {
    const ALL: &'static [Self] = &[Self::Member, Self::Admin, Self::Owner];

    fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Admin => "admin",
            MemberRole::Owner => "owner",
        }
    }
}

impl MemberRole {
    /// Owners and admins rename the group and add or remove members.
    pub fn manages(self) -> bool {
        self >= MemberRole::Admin
    }
}

/// The type of a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MessageType {
    #[default]
    Text,
    File,
    Image,
    /// Written by Confab itself (ticket changes and the like).
    System,
}

impl Named for MessageType {
    const ALL: &'static [Self] = &[Self::Text, Self::File, Self::Image, Self::System];

    fn as_str(self) -> &'static str {
        match self {
            MessageType::Text => "text",
            MessageType::File => "file",
            MessageType::Image => "image",
            MessageType::System => "system",
        }
    }
}

impl MessageType {
    /// File and image messages carry an attachment and may have an empty caption.
    pub fn has_file(self) -> bool {
        matches!(self, MessageType::File | MessageType::Image)
    }
}

/// Why a body was refused: empty or holding control characters (422), or longer than the
/// tenant allows (413).
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    Empty,
    Invalid(Invalid),
    TooLong { max: i64 },
}

/// Checks a message body against the tenant's maximum length, in characters. File and
/// image messages may have an empty caption. The same check serves every path a body
/// arrives by: REST sends and edits, socket frames, first messages and broadcasts.
pub fn check_body(body: &str, kind: MessageType, max_chars: i64) -> Result<(), BodyError> {
    if kind == MessageType::Text && body.trim().is_empty() {
        return Err(BodyError::Empty);
    }
    check_prose("body", body).map_err(BodyError::Invalid)?;
    if body.chars().count() as i64 > max_chars {
        return Err(BodyError::TooLong { max: max_chars });
    }
    Ok(())
}

/// A group's name: 1 to 100 characters.
pub fn group_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Invalid::new("name", "must not be empty"));
    }
    if name.chars().count() > 100 {
        return Err(Invalid::new("name", "must be at most 100 characters"));
    }
    check_name("name", name)?;
    Ok(name.to_owned())
}

/// A group's description, trimmed; `None` when blank.
pub fn group_description(raw: &str) -> Result<Option<String>, Invalid> {
    let description = raw.trim();
    check_prose("description", description)?;
    Ok(Some(description.to_owned()).filter(|d| !d.is_empty()))
}

/// The key that makes one direct conversation per pair, whatever the order.
pub fn direct_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a}:{b}")
    } else {
        format!("{b}:{a}")
    }
}

/// The key that makes one thread per buyer and shop. It shares the unique index of direct
/// keys and cannot collide with one, which never starts with `shop:`.
pub fn shop_key(shop_id: &str, buyer_id: &str) -> String {
    format!("shop:{shop_id}:{buyer_id}")
}

/// A conversation, as the store keeps it.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: String,
    pub tenant_id: String,
    pub kind: ConversationKind,
    pub name: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<String>,
    /// The shop of a shop thread.
    pub shop_id: Option<String>,
    pub last_seq: i64,
    pub last_message_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One user's side of a conversation, kept after they leave.
#[derive(Debug, Clone)]
pub struct Participant {
    pub conversation_id: String,
    pub user_id: String,
    pub role: MemberRole,
    pub last_read_seq: i64,
    /// Their "delete for me" point: they see only messages after it.
    pub cleared_before_seq: i64,
    pub muted: bool,
    pub archived: bool,
    pub left_at: Option<Timestamp>,
    pub joined_at: Timestamp,
}

impl Participant {
    /// A current member, who has not left.
    pub fn is_member(&self) -> bool {
        self.left_at.is_none()
    }
}

/// A current member with the user fields a conversation shows.
#[derive(Debug, Clone)]
pub struct Member {
    pub conversation_id: String,
    pub user_id: String,
    pub role: MemberRole,
    pub username: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub last_read_seq: i64,
    pub joined_at: Timestamp,
}

/// A participant as moderators see them: current, or former with the time they left.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub member: Member,
    pub left_at: Option<Timestamp>,
}

/// What a sender needs to know of another member: whether they take messages at all, and
/// from the sender in particular.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: String,
    pub can_receive_message: bool,
    /// Their account is deleted.
    pub deleted: bool,
    /// They blocked the sender.
    pub blocked_sender: bool,
}

/// One entry of a user's conversation list: the conversation and the user's side of it.
#[derive(Debug, Clone)]
pub struct ListedConversation {
    pub conversation: Conversation,
    pub role: MemberRole,
    pub last_read_seq: i64,
    pub muted: bool,
    pub archived: bool,
    /// Others' messages after the user's read position.
    pub unread_count: i64,
}

/// Which of a user's conversations to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<ConversationKind>,
    pub archived: Option<bool>,
    /// Direct conversations whose other participant's username or display name contains this.
    pub search_peer: Option<String>,
    pub oldest_first: bool,
    /// Just this conversation (to show one with the listing's fields).
    pub conversation_id: Option<String>,
    /// Only threads of this shop.
    pub shop_id: Option<String>,
}

/// A participant's own switch on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Still counts unread, sends no push.
    Muted,
    /// Out of the main list until someone else writes.
    Archived,
}

/// Which conversations a moderator's listing keeps.
#[derive(Debug, Clone, Default)]
pub struct TenantConversationFilter {
    pub kind: Option<ConversationKind>,
    /// Only conversations this user is or was in.
    pub user_id: Option<String>,
    /// Part of the conversation's name or of a participant's username or display name.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_key_ignores_order() {
        assert_eq!(direct_key("b", "a"), direct_key("a", "b"));
    }

    #[test]
    fn shop_keys_never_collide_with_direct_keys() {
        assert_ne!(shop_key("a", "b"), direct_key("a", "b"));
        assert!(shop_key("a", "b").starts_with("shop:"));
    }

    #[test]
    fn bodies_must_be_non_empty_text_within_the_limit() {
        assert_eq!(check_body("  ", MessageType::Text, 10), Err(BodyError::Empty));
        assert_eq!(check_body("", MessageType::File, 10), Ok(()));
        assert_eq!(check_body("ééééé", MessageType::Text, 5), Ok(()));
        assert_eq!(check_body("123456", MessageType::Text, 5), Err(BodyError::TooLong { max: 5 }));
        assert!(matches!(check_body("a\u{1b}[2J", MessageType::Text, 50), Err(BodyError::Invalid(_))));
        assert_eq!(check_body("two\nlines\t", MessageType::Text, 50), Ok(()));
        assert!(group_name("a\u{202E}b").is_err());
        assert_eq!(group_description("  ").unwrap(), None);
        assert!(group_description("x\u{7}").is_err());
    }

    #[test]
    fn every_stored_name_parses_back_and_nothing_else_does() {
        for kind in ConversationKind::ALL {
            assert_eq!(ConversationKind::parse(kind.as_str()), Some(*kind));
        }
        for role in MemberRole::ALL {
            assert_eq!(MemberRole::parse(role.as_str()), Some(*role));
        }
        for kind in MessageType::ALL {
            assert_eq!(MessageType::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(MemberRole::parse("moderator"), None);
        assert_eq!(MessageType::parse("video"), None);
    }

    #[test]
    fn owners_and_admins_manage_groups() {
        assert!(MemberRole::Owner.manages());
        assert!(MemberRole::Admin.manages());
        assert!(!MemberRole::Member.manages());
    }
}
