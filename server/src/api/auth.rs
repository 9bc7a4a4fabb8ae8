//! `/v1/auth`: signup, login, refresh rotation, logout, the caller, profile, password.

use poem::web::Data;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::auth::*;
use super::dto::tenant::TenantDto;
use super::dto::users::{text_change, UserDto};
use super::envelope::{created, single, Created, Done, Single};
use super::error::ApiResult;
use super::security::{client_addr, BearerAuth};
use super::ApiTags;
use crate::accounts::{self, IssuedTokens, ProfileChange, SignupInput};
use crate::state::AppState;

#[derive(Default)]
pub struct AuthApi;

fn tokens_dto(issued: IssuedTokens) -> TokensDto {
    TokensDto {
        access_token: issued.access.token,
        refresh_token: issued.refresh.token,
        token_type: "Bearer".into(),
        expires_in: issued.access_ttl_seconds,
        user: UserDto::from(&issued.user),
        tenant: TenantDto::from(&issued.tenant),
    }
}

#[OpenApi(prefix_path = "/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create a tenant and its superadmin account, and sign the superadmin in.
    ///
    /// Answers 403 `signup_disabled` when the server has signup switched off and 409 when
    /// the slug is taken. Signups are limited per client address; past the limit the
    /// answer is 429 with `Retry-After` and the `X-RateLimit-*` headers.
    #[oai(path = "/signup", method = "post", operation_id = "auth_signup")]
    async fn signup(&self, state: Data<&AppState>, req: &Request, body: Json<SignupRequest>) -> ApiResult<Created<TokensDto>> {
        let body = body.0;
        let issued = accounts::signup(
            &state,
            SignupInput {
                tenant_name: body.tenant_name,
                tenant_slug: body.tenant_slug,
                email: body.email,
                password: body.password,
                display_name: body.display_name,
            },
            &client_addr(req),
        )
        .await?;
        Ok(created(tokens_dto(issued)))
    }

    /// Sign in with tenant slug, email and password.
    ///
    /// Failed attempts are limited per account and per client address; past the limit the
    /// answer is 429 with `Retry-After`.
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    async fn login(&self, state: Data<&AppState>, req: &Request, body: Json<LoginRequest>) -> ApiResult<Single<TokensDto>> {
        let issued = accounts::login(&state, &body.tenant, &body.email, &body.password, &client_addr(req)).await?;
        Ok(single(tokens_dto(issued)))
    }

    /// Trade a refresh token for a new access and refresh token.
    ///
    /// Each refresh token works once. Presenting a used one again revokes its whole session
    /// and closes the WebSockets opened within it (1008).
    #[oai(path = "/refresh", method = "post", operation_id = "auth_refresh")]
    async fn refresh(&self, state: Data<&AppState>, body: Json<RefreshRequest>) -> ApiResult<Single<TokensDto>> {
        let issued = accounts::refresh(&state, &body.refresh_token).await?;
        Ok(single(tokens_dto(issued)))
    }

    /// Sign out: revoke the session of the given refresh token.
    ///
    /// WebSockets opened within that session (with its access token or a ticket taken with
    /// it) close with 1008.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<RefreshRequest>) -> ApiResult<Done> {
        accounts::logout(&state, &auth.0, &body.refresh_token).await?;
        Ok(Done::NoContent)
    }

    /// The caller and its tenant.
    #[oai(path = "/me", method = "get", operation_id = "auth_me")]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Single<MeDto>> {
        let tenant = accounts::tenant_of(&state, &auth.0).await?;
        Ok(single(MeDto { user: UserDto::from(&auth.0.user), tenant: TenantDto::from(&tenant) }))
    }

    /// Change the caller's display name, avatar or time zone.
    #[oai(path = "/profile", method = "patch", operation_id = "auth_update_profile")]
    async fn profile(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ProfileRequest>) -> ApiResult<Single<UserDto>> {
        let body = body.0;
        let change = ProfileChange {
            display_name: text_change(body.display_name),
            avatar_url: text_change(body.avatar_url),
            timezone: text_change(body.timezone),
        };
        let user = accounts::update_profile(&state, &auth.0, change).await?;
        Ok(single(UserDto::from(&user)))
    }

    /// Change the caller's password; every other session of the caller is signed out and
    /// its WebSockets close with 1008.
    #[oai(path = "/change-password", method = "post", operation_id = "auth_change_password")]
    async fn change_password(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ChangePasswordRequest>) -> ApiResult<Done> {
        accounts::change_password(&state, &auth.0, &body.current_password, &body.new_password).await?;
        Ok(Done::NoContent)
    }
}
