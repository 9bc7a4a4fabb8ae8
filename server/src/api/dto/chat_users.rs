//! Users as other chat users see them: enough to show and address someone, and no contact
//! details, since any user of the tenant may list the directory.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

use super::users::RoleDto;
use crate::domain::User;

/// A user of the tenant as other chat users see it; it carries no email and no phone.
#[derive(Object, Debug, Clone)]
pub struct ChatUserDto {
    /// The user's id (ULID).
    pub id: String,
    /// Unique name within the tenant.
    pub username: String,
    /// Name shown to others.
    pub display_name: Option<String>,
    /// Picture URL.
    pub avatar_url: Option<String>,
    /// Role in the tenant; `staff` and up are support agents, `host` may broadcast.
    pub role: RoleDto,
    /// When the user was last connected.
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl From<&User> for ChatUserDto {
    fn from(u: &User) -> Self {
        ChatUserDto {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            avatar_url: u.avatar_url.clone(),
            role: u.role.into(),
            last_seen_at: u.last_seen_at,
        }
    }
}
