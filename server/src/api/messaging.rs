//! `/v1/messaging/token`: a 60-second, single-use WebSocket ticket.

use poem::web::Data;
use poem_openapi::OpenApi;

use super::dto::auth::WsTicketDto;
use super::envelope::{single, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::accounts::{self, WS_TICKET_TTL};
use crate::state::AppState;

#[derive(Default)]
pub struct MessagingApi;

#[OpenApi(prefix_path = "/v1/messaging", tag = "ApiTags::Messaging")]
impl MessagingApi {
    /// A one-time ticket for `GET /v1/chat/ws?token=...`, valid for 60 seconds, so a
    /// browser need not put its long-lived token in a URL.
    ///
    /// The ticket is tied to what the calling token depends on: the login session of an
    /// access token, or the API key that minted a chat token. The socket it opens closes
    /// (1008) when that session ends or that key is revoked.
    #[oai(path = "/token", method = "get", operation_id = "messaging_ws_token")]
    async fn ws_token(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Single<WsTicketDto>> {
        let ticket = accounts::ws_ticket(&state, &auth.0).await?;
        Ok(single(WsTicketDto { ws_token: ticket.token, expires_in: WS_TICKET_TTL }))
    }
}
