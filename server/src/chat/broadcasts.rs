//! Broadcasts: a host's message to every follower, each in their direct conversation.

use super::messages::check_sendable;
use super::notify;
use crate::auth::UserCaller;
use crate::bus::Event;
use crate::domain::conversation::MessageType;
use crate::error::{AppError, AppResult};
use crate::events::{MessageEvent, Payload};
use crate::state::AppState;
use crate::store;

/// What a broadcast did.
#[derive(Debug, Clone)]
pub struct Broadcast {
    pub id: String,
    /// How many followers got the message.
    pub recipients: usize,
}

/// Sends `body` from the caller (a host, or an admin and up) to every follower who may
/// receive it: not those who blocked the caller or cannot receive messages. The storing
/// is a fixed number of statements; the `new_message` events go out after the response,
/// one per recipient, from the rows those statements returned.
#[tracing::instrument(skip_all, fields(tenant_id = %caller.tenant_id, user_id = %caller.user.id))]
pub async fn send(state: &AppState, caller: &UserCaller, body: &str) -> AppResult<Broadcast> {
    if !caller.role.may_broadcast() {
        return Err(AppError::forbidden("only hosts and admins may broadcast"));
    }
    check_sendable(state, caller, body, MessageType::Text).await?;
    let store::broadcasts::Sent { id, deliveries } = store::broadcasts::send(&state.db, &caller.tenant_id, &caller.user.id, body).await?;
    let recipients = deliveries.len();
    tracing::info!(broadcast_id = %id, recipients, "broadcast sent");
    let (state, tenant_id, host_id) = (state.clone(), caller.tenant_id.clone(), caller.user.id.clone());
    tokio::spawn(async move {
        for delivery in deliveries {
            let audience = vec![host_id.clone(), delivery.recipient_id];
            let payload = Payload::NewMessage(MessageEvent::of(&delivery.message));
            notify(&state, Event::new(&tenant_id, audience, &payload)).await;
        }
    });
    Ok(Broadcast { id, recipients })
}
