//! The chat service: conversations, membership and messages. Handlers call these; rules live
//! here and in `domain`, SQL in `store`, and every change is published on the event bus as
//! one of the payloads of `crate::events`.

pub mod access;
pub mod broadcasts;
pub mod conversations;
pub mod history;
pub mod listing;
pub mod messages;
pub mod participants;
pub mod shops;
pub mod tickets;

use crate::bus::Event;
use crate::events::Payload;
use crate::state::AppState;
use crate::store;
use crate::webhooks::publish::FromRealtime;

/// Publishes `payload` to the current members of a conversation. Delivery is best effort: a
/// bus failure is logged and never fails the request that changed the state, since clients
/// catch up with `sync`.
pub async fn notify_members(state: &AppState, tenant_id: &str, conversation_id: &str, payload: Payload) {
    let audience = match store::participants::members_of(&state.db, &[conversation_id.to_owned()]).await {
        Ok(members) => members.into_iter().map(|m| m.user_id).collect(),
        Err(error) => {
            tracing::warn!(%error, "could not load the audience of an event");
            return;
        }
    };
    notify(state, Event::new(tenant_id, audience, &payload)).await;
}

/// Publishes `event` on the bus, then queues its webhook deliveries when it has a webhook
/// event (see `webhooks::publish::FromRealtime`), so sockets hear of it first.
pub async fn notify(state: &AppState, event: Event) {
    let webhook = FromRealtime::of(&event);
    if let Err(error) = state.bus.publish(event).await {
        state.metrics.bus_publish_failures.inc();
        tracing::warn!(%error, "could not publish an event");
    }
    if let Some(webhook) = webhook {
        webhook.queue(state).await;
    }
}
