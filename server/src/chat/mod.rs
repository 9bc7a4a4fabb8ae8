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
use crate::domain::webhook::EventType;
use crate::events::Payload;
use crate::state::AppState;
use crate::store;

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

/// Publishes `event` on the bus. When a webhook event goes with it, the change's own
/// statement captured it; this only wakes the fan-out so it goes out at once.
pub async fn notify(state: &AppState, event: Event) {
    if EventType::of_realtime(event.kind(), event.payload["change"].as_str()).is_some() {
        state.webhook_dispatch.captured();
    }
    if let Err(error) = state.bus.publish(event).await {
        state.metrics.bus_publish_failures.inc();
        tracing::debug!(%error, "an event reached only this process's sockets");
    }
}
