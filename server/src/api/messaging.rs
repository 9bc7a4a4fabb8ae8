//! `/v1/messaging/token`: a 60-second, single-use WebSocket ticket.

use poem::web::Data;
use poem_openapi::OpenApi;

use super::dto::auth::WsTicketDto;
use super::envelope::{single, Single};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::auth::Purpose;
use crate::state::AppState;
use crate::store;

/// Lifetime of a WebSocket ticket, in seconds.
pub const WS_TICKET_TTL: i64 = 60;

#[derive(Default)]
pub struct MessagingApi;

#[OpenApi(prefix_path = "/v1/messaging", tag = "ApiTags::Messaging")]
impl MessagingApi {
    /// A one-time ticket for `GET /v1/chat/ws?token=...`, valid for 60 seconds, so a
    /// browser need not put its long-lived token in a URL.
    #[oai(path = "/token", method = "get", operation_id = "messaging_ws_token")]
    async fn ws_token(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Single<WsTicketDto>> {
        let caller = auth.0;
        let signed = state.keys.sign(Purpose::Ws, &caller.tenant_id, &caller.user.id, WS_TICKET_TTL, None)?;
        store::sessions::issue_ws_ticket(&state.db, &signed.jti, &caller.tenant_id, &caller.user.id, signed.expires_at * 1000).await?;
        Ok(single(WsTicketDto { ws_token: signed.token, expires_in: WS_TICKET_TTL }))
    }
}
