//! Roles, strongest first, and the per-user permission flags with their defaults by role.

use std::fmt;

use super::Named;

/// A user's role inside one tenant. Declared weakest first so `Ord` follows strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    User,
    Host,
    Staff,
    Moderator,
    Admin,
    Superadmin,
}

impl Named for Role {
    const ALL: &'static [Role] = &[Role::Superadmin, Role::Admin, Role::Moderator, Role::Staff, Role::Host, Role::User];

    fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Staff => "staff",
            Role::Host => "host",
            Role::User => "user",
        }
    }
}

impl Role {
    /// True when this role is at least as strong as `other`.
    pub fn at_least(self, other: Role) -> bool {
        self >= other
    }

    /// Hosts may broadcast to their followers; admins and up may too.
    pub fn may_broadcast(self) -> bool {
        self == Role::Host || self.at_least(Role::Admin)
    }

    /// Staff and up answer support tickets.
    pub fn is_agent(self) -> bool {
        self.at_least(Role::Staff)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five permission flags of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    pub can_send_message: bool,
    pub can_receive_message: bool,
    pub can_delete_message: bool,
    pub can_edit_message: bool,
    pub can_archive_conversation: bool,
}

impl Permissions {
    /// Sending and receiving default to true for everyone. The other three act on the
    /// caller's own messages and conversation list (moderation powers come from the role,
    /// not from these flags), so every role starts with them too, as Stream Chat and
    /// Sendbird users expect; a tenant narrows them per user.
    pub fn defaults_for(_role: Role) -> Self {
        Permissions {
            can_send_message: true,
            can_receive_message: true,
            can_delete_message: true,
            can_edit_message: true,
            can_archive_conversation: true,
        }
    }
}

/// Permission flags to change; `None` leaves a flag as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionsChange {
    pub can_send_message: Option<bool>,
    pub can_receive_message: Option<bool>,
    pub can_delete_message: Option<bool>,
    pub can_edit_message: Option<bool>,
    pub can_archive_conversation: Option<bool>,
}

impl PermissionsChange {
    /// `current` with the flags this change names set.
    pub fn apply(&self, mut current: Permissions) -> Permissions {
        let set = |flag: &mut bool, value: Option<bool>| {
            if let Some(value) = value {
                *flag = value;
            }
        };
        set(&mut current.can_send_message, self.can_send_message);
        set(&mut current.can_receive_message, self.can_receive_message);
        set(&mut current.can_delete_message, self.can_delete_message);
        set(&mut current.can_edit_message, self.can_edit_message);
        set(&mut current.can_archive_conversation, self.can_archive_conversation);
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_from_weakest_to_strongest() {
        assert!(Role::Superadmin.at_least(Role::Admin));
        assert!(Role::Moderator.at_least(Role::Staff));
        assert!(!Role::Host.at_least(Role::Staff));
        assert!(Role::Host.may_broadcast());
        assert!(!Role::Moderator.may_broadcast());
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
