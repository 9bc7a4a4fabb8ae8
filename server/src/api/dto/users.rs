//! Users, roles and permissions as the API shows them.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

use super::patched;
use crate::domain::user::TextChange;
use crate::domain::{Named, Permissions, PermissionsChange, Role, User, UserStatus};
use crate::users::{UserChange, UserUpsert};

/// A nullable text field of a request as the services take it: absent keeps, `null` clears.
pub fn text_change(field: MaybeUndefined<String>) -> TextChange {
    patched(&field).map(|value| value.map(str::to_owned))
}

/// A user's role in its tenant, strongest first.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum RoleDto {
    /// The tenant owner.
    Superadmin,
    /// Manages users and keys.
    Admin,
    /// Uses the admin console and admin API.
    Moderator,
    /// Answers support tickets.
    Staff,
    /// May broadcast to followers.
    Host,
    /// An ordinary chat user.
    User,
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Role {
        match r {
            RoleDto::Superadmin => Role::Superadmin,
            RoleDto::Admin => Role::Admin,
            RoleDto::Moderator => Role::Moderator,
            RoleDto::Staff => Role::Staff,
            RoleDto::Host => Role::Host,
            RoleDto::User => Role::User,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> RoleDto {
        match r {
            Role::Superadmin => RoleDto::Superadmin,
            Role::Admin => RoleDto::Admin,
            Role::Moderator => RoleDto::Moderator,
            Role::Staff => RoleDto::Staff,
            Role::Host => RoleDto::Host,
            Role::User => RoleDto::User,
        }
    }
}

/// Whether an account may be used.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum UserStatusDto {
    /// In good standing.
    Active,
    /// Temporarily barred from signing in and calling the API.
    Suspended,
    /// Permanently barred.
    Banned,
}

impl From<UserStatusDto> for UserStatus {
    fn from(s: UserStatusDto) -> Self {
        match s {
            UserStatusDto::Active => UserStatus::Active,
            UserStatusDto::Suspended => UserStatus::Suspended,
            UserStatusDto::Banned => UserStatus::Banned,
        }
    }
}

/// The five permission flags of a user.
#[derive(Object, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionsDto {
    /// May send messages.
    pub can_send_message: bool,
    /// May be added to conversations and be messaged.
    pub can_receive_message: bool,
    /// May delete own messages.
    pub can_delete_message: bool,
    /// May edit own messages.
    pub can_edit_message: bool,
    /// May archive conversations.
    pub can_archive_conversation: bool,
}

impl From<Permissions> for PermissionsDto {
    fn from(p: Permissions) -> Self {
        PermissionsDto {
            can_send_message: p.can_send_message,
            can_receive_message: p.can_receive_message,
            can_delete_message: p.can_delete_message,
            can_edit_message: p.can_edit_message,
            can_archive_conversation: p.can_archive_conversation,
        }
    }
}

/// Permission flags to change; absent flags stay as they are.
#[derive(Object, Debug, Clone, Default)]
pub struct PermissionsPatch {
    /// May send messages.
    pub can_send_message: Option<bool>,
    /// May be added to conversations and be messaged.
    pub can_receive_message: Option<bool>,
    /// May delete own messages.
    pub can_delete_message: Option<bool>,
    /// May edit own messages.
    pub can_edit_message: Option<bool>,
    /// May archive conversations.
    pub can_archive_conversation: Option<bool>,
}

impl From<&PermissionsPatch> for PermissionsChange {
    fn from(p: &PermissionsPatch) -> Self {
        PermissionsChange {
            can_send_message: p.can_send_message,
            can_receive_message: p.can_receive_message,
            can_delete_message: p.can_delete_message,
            can_edit_message: p.can_edit_message,
            can_archive_conversation: p.can_archive_conversation,
        }
    }
}

/// A user of the tenant.
#[derive(Object, Debug, Clone)]
pub struct UserDto {
    /// The user's id (ULID).
    pub id: String,
    /// The integrating website's own id for this user.
    pub external_id: Option<String>,
    /// Unique login name within the tenant.
    pub username: String,
    /// Name shown to others.
    pub display_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Picture URL.
    pub avatar_url: Option<String>,
    /// IANA time zone, such as `Europe/Berlin`.
    pub timezone: Option<String>,
    /// Role in the tenant.
    pub role: RoleDto,
    /// Permission flags.
    pub permissions: PermissionsDto,
    /// `active`, `suspended` or `banned`.
    pub status: String,
    /// When a suspension ends by itself; `null` while it lasts until lifted, and for any
    /// other status. Once past, the user reads as `active` again.
    pub suspended_until: Option<DateTime<Utc>>,
    /// When the user was last connected.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user was last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id.clone(),
            external_id: u.external_id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            avatar_url: u.avatar_url.clone(),
            timezone: u.timezone.clone(),
            role: u.role.into(),
            permissions: u.permissions.into(),
            status: u.status.as_str().to_owned(),
            suspended_until: u.suspended_until,
            last_seen_at: u.last_seen_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// Create a user, or update the one with this `external_id`.
#[derive(Object, Debug)]
pub struct UpsertUserRequest {
    /// The website's own id for the user; the key of create-or-update.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub external_id: String,
    /// Unique login name; derived from `external_id` when a new user has none.
    #[oai(validator(max_length = 64))]
    pub username: Option<String>,
    /// Email address.
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    /// Role; `user` for a new user when absent.
    pub role: Option<RoleDto>,
    /// Permission flags; defaults by role for a new user.
    pub permissions: Option<PermissionsPatch>,
    /// Name shown to others.
    #[oai(validator(max_length = 100))]
    pub display_name: Option<String>,
    /// Picture URL.
    #[oai(validator(max_length = 2048))]
    pub avatar_url: Option<String>,
    /// Phone number.
    #[oai(validator(max_length = 32))]
    pub phone: Option<String>,
    /// Optional password, so the user can also sign in with `POST /v1/auth/login`.
    #[oai(validator(max_length = 256))]
    pub password: Option<String>,
}

impl From<UpsertUserRequest> for UserUpsert {
    fn from(r: UpsertUserRequest) -> Self {
        UserUpsert {
            external_id: r.external_id,
            username: r.username,
            email: r.email,
            role: r.role.map(Role::from),
            permissions: r.permissions.as_ref().map(PermissionsChange::from),
            display_name: r.display_name,
            avatar_url: r.avatar_url,
            phone: r.phone,
            password: r.password,
        }
    }
}

/// Fields to change on a user; absent fields stay, `null` clears the optional ones.
#[derive(Object, Debug, Default)]
pub struct UpdateUserRequest {
    /// Unique login name.
    #[oai(validator(max_length = 64))]
    pub username: Option<String>,
    /// Email address.
    #[oai(validator(max_length = 254))]
    pub email: MaybeUndefined<String>,
    /// Role.
    pub role: Option<RoleDto>,
    /// Permission flags to change.
    pub permissions: Option<PermissionsPatch>,
    /// Name shown to others.
    #[oai(validator(max_length = 100))]
    pub display_name: MaybeUndefined<String>,
    /// Picture URL.
    #[oai(validator(max_length = 2048))]
    pub avatar_url: MaybeUndefined<String>,
    /// Phone number.
    #[oai(validator(max_length = 32))]
    pub phone: MaybeUndefined<String>,
    /// Account status.
    pub status: Option<UserStatusDto>,
}

impl From<UpdateUserRequest> for UserChange {
    fn from(r: UpdateUserRequest) -> Self {
        UserChange {
            username: r.username,
            email: text_change(r.email),
            role: r.role.map(Role::from),
            permissions: r.permissions.as_ref().map(PermissionsChange::from),
            display_name: text_change(r.display_name),
            avatar_url: text_change(r.avatar_url),
            phone: text_change(r.phone),
            status: r.status.map(UserStatus::from),
        }
    }
}

/// Mint a chat token for a user.
#[derive(Object, Debug)]
pub struct ChatTokenRequest {
    /// The user's id.
    #[oai(validator(max_length = 64))]
    pub user_id: String,
    /// Lifetime in seconds; the tenant's default (30 days) when absent, at most its maximum.
    pub ttl_seconds: Option<i64>,
}

/// A chat token for one user.
#[derive(Object, Debug)]
pub struct ChatTokenDto {
    /// Send as `Authorization: Bearer <chat_token>`.
    pub chat_token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The user the token acts for.
    pub user: UserDto,
}
