//! `GET /v1/chat/ws`: the WebSocket for real-time events.

use std::time::Duration;

use poem::web::websocket::{BoxWebSocketUpgraded, WebSocket, WebSocketConfig};
use poem::web::Data;
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::OpenApi;

use super::error::{ApiError, ApiResult, ErrorBody};
use super::security::client_addr;
use super::ApiTags;
use crate::error::Throttled;
use crate::realtime::{session, socket};
use crate::state::AppState;

#[derive(Default)]
pub struct RealtimeApi;

#[OpenApi(prefix_path = "/v1/chat", tag = "ApiTags::Realtime")]
impl RealtimeApi {
    /// Upgrade to a WebSocket carrying JSON frames with a `type`.
    ///
    /// Client to server: `message` {conversation_id, body, client_msg_id?} (answered by
    /// `ack` {client_msg_id, message}), `typing` {conversation_id}, `read` {conversation_id,
    /// up_to_seq?}, `ping` (answered by `pong`), and for moderators and up `watch`
    /// {conversation_id: id or null} (answered by `watching` {conversation_id}). Server to client: `new_message`,
    /// `message_updated`, `message_deleted` (each with `seq` and `message`), `reaction`,
    /// `typing`, `read_receipt`, `conversation_updated`, `presence` {user_id, online}, `ack`,
    /// to moderators and up `report_created` {report_id, target_kind, target_id, reason,
    /// created_at} and `reports_resolved` {target_kind, target_id, action},
    /// `error` {code, message, and `retry_after` in seconds when the code is `rate_limited`},
    /// `pong`, and `resync` when this server may have missed events (its Redis was gone
    /// for a while, or it fell behind): the client then syncs as after a reconnect.
    /// `message` frames count against the same rate limits as REST sends. A bad
    /// frame gets an `error` and the socket lives on;
    /// a frame over the size limit closes it with 1009; a client too slow to read is closed
    /// with 1013; an expired token closes it with 1008; shutdown closes it with 1001. After a
    /// reconnect, `POST /v1/chat/messages/sync` returns whatever was missed.
    ///
    /// Watching: a moderator's socket may follow one conversation of the tenant it is not
    /// in, as the admin console does. After `watch` it also receives that conversation's
    /// `new_message`, `message_updated`, `message_deleted`, `reaction`, `typing`,
    /// `read_receipt`, `ticket_updated` and `conversation_updated` events (never a
    /// participant's own mute or archive), once each even when it is a member, from every
    /// server process. A new `watch` replaces the last; `null` stops; a reconnected socket
    /// watches nothing until it asks again. A refused `watch` (below moderator: `forbidden`;
    /// an unknown id or another tenant's: `not_found`) answers an `error` and leaves the
    /// previous watch as it was. A watch ends when its user's role falls below moderator.
    ///
    /// A socket lives no longer than what opened it: signing out its session, a password
    /// change that signs it out, a reused refresh token of its session, its user's deletion,
    /// suspension or ban, or revoking the API key that minted its chat token closes it with
    /// 1008 at once, on every server process. Until it has closed it receives no event, and
    /// each frame it sends is answered by an `error` with code `unauthorized` (or
    /// `forbidden` for a suspended user).
    #[oai(path = "/ws", method = "get", operation_id = "realtime_connect")]
    async fn connect(
        &self,
        state: Data<&AppState>,
        /// A chat token, an access token, or a one-time ticket from `GET /v1/messaging/token`.
        token: Query<String>,
        req: &Request,
        ws: WebSocket,
    ) -> ApiResult<BoxWebSocketUpgraded> {
        let session = session::authenticate(&state, &token.0, client_addr(req)).await?;
        let config = &state.config;
        if state.hub.count(&session.identity.tenant_id, &session.identity.user_id) >= config.ws_max_sockets_per_user {
            let limit = config.ws_max_sockets_per_user as u64;
            let wait = Duration::from_secs(5);
            let throttled = Throttled::new(limit, 0, wait, wait);
            return Err(ApiError::rate_limited(ErrorBody::new("rate_limited", "too many open sockets for this user"), throttled));
        }
        // The transport's own limit sits above ours, so our check answers first, with 1009.
        // Small transport buffers: an idle socket should cost kilobytes, not the 256 KiB of
        // the defaults; they grow for the rare large frame.
        let transport = WebSocketConfig::default()
            .read_buffer_size(1024)
            .write_buffer_size(1024)
            .max_message_size(Some(config.ws_max_frame_bytes.saturating_mul(4)))
            .max_frame_size(Some(config.ws_max_frame_bytes.saturating_mul(4)));
        Ok(ws.config(transport).on_upgrade(move |stream| socket::serve(session, stream)).boxed())
    }
}
