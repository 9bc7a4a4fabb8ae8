//! Bodies of the password-account and session operations.

use poem_openapi::types::MaybeUndefined;
use poem_openapi::Object;

use super::tenant::TenantDto;
use super::users::UserDto;

/// Create a tenant and its owner account.
#[derive(Object, Debug)]
pub struct SignupRequest {
    /// The tenant's display name.
    #[oai(validator(max_length = 100))]
    pub tenant_name: String,
    /// URL-safe handle; derived from the name when absent.
    #[oai(validator(max_length = 63))]
    pub tenant_slug: Option<String>,
    /// The owner's email, used to sign in.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// At least 8 characters.
    #[oai(validator(max_length = 256))]
    pub password: String,
    /// The owner's display name.
    #[oai(validator(max_length = 100))]
    pub display_name: Option<String>,
}

/// Sign in with a password.
#[derive(Object, Debug)]
pub struct LoginRequest {
    /// The tenant's slug.
    #[oai(validator(max_length = 63))]
    pub tenant: String,
    /// The account's email.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// The account's password.
    #[oai(validator(max_length = 256))]
    pub password: String,
}

/// A refresh token, to rotate or revoke.
#[derive(Object, Debug)]
pub struct RefreshRequest {
    /// The refresh token from login, signup or the last refresh.
    #[oai(validator(max_length = 4096))]
    pub refresh_token: String,
}

/// The tokens of a session.
#[derive(Object, Debug)]
pub struct TokensDto {
    /// Short-lived token for `Authorization: Bearer`.
    pub access_token: String,
    /// Single-use token for `POST /v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The signed-in user.
    pub user: UserDto,
    /// The user's tenant.
    pub tenant: TenantDto,
}

/// The caller and its tenant.
#[derive(Object, Debug)]
pub struct MeDto {
    /// The caller.
    pub user: UserDto,
    /// The caller's tenant.
    pub tenant: TenantDto,
}

/// Profile fields to change; absent fields stay, `null` clears.
#[derive(Object, Debug, Default)]
pub struct ProfileRequest {
    /// Name shown to others.
    #[oai(validator(max_length = 100))]
    pub display_name: MaybeUndefined<String>,
    /// Picture URL.
    #[oai(validator(max_length = 2048))]
    pub avatar_url: MaybeUndefined<String>,
    /// IANA time zone, such as `Europe/Berlin`.
    #[oai(validator(max_length = 64))]
    pub timezone: MaybeUndefined<String>,
}

/// Change the caller's password.
#[derive(Object, Debug)]
pub struct ChangePasswordRequest {
    /// The password in force.
    #[oai(validator(max_length = 256))]
    pub current_password: String,
    /// The new password, at least 8 characters.
    #[oai(validator(max_length = 256))]
    pub new_password: String,
}

/// A one-time WebSocket ticket.
#[derive(Object, Debug)]
pub struct WsTicketDto {
    /// Pass as `GET /v1/chat/ws?token=...`; works once.
    pub ws_token: String,
    /// Seconds until it expires (60).
    pub expires_in: i64,
}
