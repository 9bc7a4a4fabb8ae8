//! `/v1/chat/broadcast`: a host's message to all their followers.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

use super::dto::broadcasts::{BroadcastDto, BroadcastRequest};
use super::envelope::{created, Created};
use super::error::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::chat;
use crate::state::AppState;

#[derive(Default)]
pub struct BroadcastsApi;

#[OpenApi(prefix_path = "/v1/chat", tag = "ApiTags::Broadcasts")]
impl BroadcastsApi {
    /// Send a message to every follower of the caller (hosts, and admins and up; others
    /// get 403), each in the caller's direct conversation with them, created where missing.
    /// Followers who blocked the caller or cannot receive messages are skipped. Each
    /// recipient gets a `new_message` event like for any other message.
    #[oai(path = "/broadcast", method = "post", operation_id = "chat_broadcast")]
    async fn broadcast(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<BroadcastRequest>) -> ApiResult<Created<BroadcastDto>> {
        let sent = chat::broadcasts::send(&state, &auth.0, &body.body).await?;
        Ok(created(BroadcastDto { broadcast_id: sent.id, recipients: sent.recipients as i64 }))
    }
}
