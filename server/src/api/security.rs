//! The two security schemes of the spec (bearer token, `x-api-key` header) and the checkers
//! that turn them into an authenticated caller.

use poem::Request;
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

use super::error::ApiError;
use crate::auth::{self, Caller, KeyCaller, UserCaller};
use crate::state::AppState;

/// A chat token (minted with a secret key) or an access token (from a password login).
#[derive(SecurityScheme)]
#[oai(rename = "bearer", ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub UserCaller);

/// A tenant's API key: `sk_...` (secret, server-to-server) or `pk_...` (publishable).
#[derive(SecurityScheme)]
#[oai(rename = "api_key", ty = "api_key", key_name = "x-api-key", key_in = "header", checker = "check_key")]
pub struct ApiKeyAuth(pub KeyCaller);

/// Either a user's bearer token or an API key.
// One per request, turned into a `Caller` at once; the size gap between the variants
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(SecurityScheme)]
pub enum AnyAuth {
    Bearer(BearerAuth),
    ApiKey(ApiKeyAuth),
}

impl AnyAuth {
    pub fn caller(self) -> Caller {
        match self {
            AnyAuth::Bearer(BearerAuth(user)) => Caller::User(user),
            AnyAuth::ApiKey(ApiKeyAuth(key)) => Caller::Key(key),
        }
    }
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| poem::Error::from_string("application state missing", poem::http::StatusCode::INTERNAL_SERVER_ERROR))
}

/// The address the request came from (the peer's IP), what per-address limits count by.
pub fn client_addr(req: &Request) -> String {
    req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<UserCaller> {
    let state = state(req)?;
    let api_key = req.headers().get("x-api-key").and_then(|v| v.to_str().ok());
    let caller = auth::caller::authenticate_bearer(state, &bearer.token, api_key).await.map_err(ApiError::from)?;
    Ok(UserCaller { client_addr: Some(client_addr(req)), ..caller })
}

async fn check_key(req: &Request, key: ApiKey) -> poem::Result<KeyCaller> {
    let state = state(req)?;
    let caller = auth::caller::authenticate_key(state, &key.key).await.map_err(ApiError::from)?;
    Ok(KeyCaller { client_addr: Some(client_addr(req)), ..caller })
}
