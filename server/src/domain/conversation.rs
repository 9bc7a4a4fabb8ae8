//! Conversation kinds, participant roles and message types, and the rules on message bodies.

use super::Invalid;

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

impl ConversationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationKind::Direct => "direct",
            ConversationKind::Group => "group",
            ConversationKind::Shop => "shop",
            ConversationKind::Ticket => "ticket",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Direct, Self::Group, Self::Shop, Self::Ticket].into_iter().find(|k| k.as_str() == s)
    }
}

/// A participant's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberRole {
    Member,
    Admin,
    Owner,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Admin => "admin",
            MemberRole::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "owner" => MemberRole::Owner,
            "admin" => MemberRole::Admin,
            _ => MemberRole::Member,
        }
    }

    /// Owners and admins rename the group and add or remove members.
    pub fn manages(self) -> bool {
        self >= MemberRole::Admin
    }
}

/// The type of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Text,
    File,
    Image,
    /// Written by Confab itself (ticket changes and the like).
    System,
}

impl MessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Text => "text",
            MessageType::File => "file",
            MessageType::Image => "image",
            MessageType::System => "system",
        }
    }
}

/// Why a body was refused: empty (422) or longer than the tenant allows (413).
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    Empty,
    TooLong { max: i64 },
}

/// Checks a message body against the tenant's maximum length, in characters. File and
/// image messages may have an empty caption.
pub fn check_body(body: &str, kind: MessageType, max_chars: i64) -> Result<(), BodyError> {
    if kind == MessageType::Text && body.trim().is_empty() {
        return Err(BodyError::Empty);
    }
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
    Ok(name.to_owned())
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
    }

    #[test]
    fn owners_and_admins_manage_groups() {
        assert!(MemberRole::Owner.manages());
        assert!(MemberRole::Admin.manages());
        assert!(!MemberRole::Member.manages());
    }
}
