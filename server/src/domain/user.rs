//! A user of a tenant, integrated (by `external_id`) or with a password account, and the
//! states an account can be in.

use super::{Named, Permissions, Role, Timestamp};

/// Whether an account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// In good standing.
    Active,
    /// Temporarily barred from signing in and calling the API.
    Suspended,
    /// Permanently barred.
    Banned,
    /// Erased: the row stays so others' history can name a "Deleted user".
    Deleted,
}

impl Named for UserStatus {
    const ALL: &'static [Self] = &[UserStatus::Active, UserStatus::Suspended, UserStatus::Banned, UserStatus::Deleted];

    fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
            UserStatus::Banned => "banned",
            UserStatus::Deleted => "deleted",
        }
    }
}

/// A user of one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    /// The integrating website's own id for this user.
    pub external_id: Option<String>,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
    /// IANA time zone, such as `Europe/Berlin`.
    pub timezone: Option<String>,
    pub role: Role,
    pub permissions: Permissions,
    /// Only password accounts have one.
    pub password_hash: Option<String>,
    pub status: UserStatus,
    /// When a suspension ends by itself; `None` while it lasts until lifted (and for every
    /// other status).
    pub suspended_until: Option<Timestamp>,
    pub last_seen_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    /// A new active user with the default permissions of `role`; the caller fills in what
    /// else it knows.
    pub fn new(id: String, tenant_id: &str, username: &str, role: Role, now: Timestamp) -> Self {
        User {
            id,
            tenant_id: tenant_id.to_owned(),
            external_id: None,
            username: username.to_owned(),
            display_name: None,
            email: None,
            phone: None,
            avatar_url: None,
            timezone: None,
            role,
            permissions: Permissions::defaults_for(role),
            password_hash: None,
            status: UserStatus::Active,
            suspended_until: None,
            last_seen_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The standing of an account stored as `status` with `suspended_until`, at `now`: a
/// suspension whose end has passed has lifted itself, so the account is active again and
/// its end time is gone. Every read of a user goes through this, so no caller ever sees an
/// expired suspension.
pub fn standing(status: UserStatus, suspended_until: Option<Timestamp>, now: Timestamp) -> (UserStatus, Option<Timestamp>) {
    match (status, suspended_until) {
        (UserStatus::Suspended, Some(until)) if until <= now => (UserStatus::Active, None),
        (UserStatus::Suspended, until) => (UserStatus::Suspended, until),
        (other, _) => (other, None),
    }
}

/// A user as the admin console lists them, with how much they take part.
#[derive(Debug, Clone)]
pub struct CountedUser {
    pub user: User,
    /// Conversations they are a current member of.
    pub conversations: i64,
    /// Messages they have sent.
    pub messages: i64,
}

/// Which users an admin listing keeps.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the username, display name or email, any case.
    pub q: Option<String>,
    pub role: Option<Role>,
    /// As it stands now: an expired suspension counts as active.
    pub status: Option<UserStatus>,
    /// Only these users (parsed ids, at most `MAX_LOOKUP_IDS`); empty for any.
    pub ids: Vec<String>,
}

/// How many users one lookup by ids may name: a page's worth.
pub const MAX_LOOKUP_IDS: usize = 100;

/// A change to an optional text field: `None` leaves it, `Some(None)` clears it, and
/// `Some(Some(text))` sets it to the trimmed text, or clears it when the text is blank.
pub type TextChange = Option<Option<String>>;

/// The columns one partial update writes, and nothing else: a concurrent change to any
/// other column (a suspension, a role, another permission flag) survives it. `None` leaves
/// a column alone; for optional text, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserPatch {
    pub username: Option<String>,
    pub display_name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub timezone: Option<Option<String>>,
    pub role: Option<Role>,
    pub permissions: super::PermissionsChange,
    pub status: Option<UserStatus>,
    /// Written together with `status`: the end of a suspension, or `None` (no end, or not
    /// suspended).
    pub suspended_until: Option<Option<Timestamp>>,
}

impl UserPatch {
    /// The column value of a text change (see `TextChange`): absent keeps, trimmed text
    /// sets, `null` or blank clears.
    pub fn text(change: TextChange) -> Option<Option<String>> {
        change.map(|text| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_change_keeps_clears_or_sets_trimmed() {
        assert_eq!(UserPatch::text(None), None);
        assert_eq!(UserPatch::text(Some(Some("  b ".into()))), Some(Some("b".to_owned())));
        assert_eq!(UserPatch::text(Some(Some("  ".into()))), Some(None));
        assert_eq!(UserPatch::text(Some(None)), Some(None));
    }

    #[test]
    fn a_suspension_past_its_end_has_lifted() {
        let now = chrono::Utc::now();
        let past = now - chrono::Duration::seconds(1);
        let future = now + chrono::Duration::hours(1);
        assert_eq!(standing(UserStatus::Suspended, Some(past), now), (UserStatus::Active, None));
        assert_eq!(standing(UserStatus::Suspended, Some(future), now), (UserStatus::Suspended, Some(future)));
        assert_eq!(standing(UserStatus::Suspended, None, now), (UserStatus::Suspended, None));
        assert_eq!(standing(UserStatus::Banned, Some(past), now), (UserStatus::Banned, None));
    }

    #[test]
    fn every_status_has_its_stored_name() {
        for status in UserStatus::ALL {
            assert_eq!(UserStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(UserStatus::parse("frozen"), None);
    }
}
