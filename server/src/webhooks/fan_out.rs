//! From captured events to deliveries. The database writes an event row in the statement of
//! the change itself (see the migration `webhook_events`); every server process runs this
//! loop, which claims those rows with a lease, renders each event's body from what it names,
//! and writes one delivery per enabled endpoint subscribed to its type, removing the row in
//! the same transaction. A send so pays for its webhooks inside its own statement and never
//! waits on this loop, which the services only wake.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::domain::message::Message;
use crate::domain::webhook::{CapturedEvent, EventType};
use crate::domain::Named;
use crate::events::{MessageEvent, ReportCreated, TicketUpdated};
use crate::state::AppState;
use crate::store::webhook_events::{self, FannedOut};
use crate::store::{self, StoreResult};

/// Events claimed at once.
const BATCH: i64 = 100;

/// After a wake, how long the loop waits for more events to come with it, so a busy server
/// claims once per batch of sends rather than once per send.
const COALESCE: Duration = Duration::from_millis(5);

/// The signals between the services, this loop and the delivery worker of one process.
#[derive(Debug, Default)]
pub struct Dispatch {
    captured: Notify,
    queued: Notify,
}

impl Dispatch {
    /// Tells the fan-out loop that a change may have captured an event.
    pub fn captured(&self) {
        self.captured.notify_one();
    }

    /// Tells the delivery worker that deliveries are due.
    pub fn queued(&self) {
        self.queued.notify_one();
    }

    /// Waits until deliveries were queued or until `idle` has passed.
    pub async fn idle(&self, idle: Duration) {
        let _ = tokio::time::timeout(idle, self.queued.notified()).await;
    }

    async fn idle_captured(&self, idle: Duration) {
        if tokio::time::timeout(idle, self.captured.notified()).await.is_ok() {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

/// Runs until the database pool closes.
pub async fn run(state: AppState) {
    let holder = ulid::Ulid::new().to_string();
    let idle = Duration::from_millis(state.config.webhook_idle_ms.max(10));
    // Rendering a batch is a few reads; a worker that takes longer than this has stalled.
    let lease_ms = 30_000;
    while !state.db.pool().is_closed() {
        match step(&state, &holder, lease_ms).await {
            Ok(0) => state.webhook_dispatch.idle_captured(idle).await,
            Ok(_) => {}
            Err(error) => {
                if state.db.pool().is_closed() {
                    break;
                }
                tracing::warn!(%error, "could not fan webhook events out");
                state.webhook_dispatch.idle_captured(idle).await;
            }
        }
    }
}

/// Fans out one batch; returns how many events it claimed.
async fn step(state: &AppState, holder: &str, lease_ms: i64) -> StoreResult<usize> {
    let events = webhook_events::claim(&state.db, holder, BATCH, lease_ms).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let mut ready = Vec::with_capacity(events.len());
    let mut endpoints = HashMap::new();
    let messages = messages_of(state, &events).await?;
    for event in &events {
        if !endpoints.contains_key(&event.tenant_id) {
            endpoints.insert(event.tenant_id.clone(), store::webhooks::enabled(&state.db, &event.tenant_id).await?);
        }
        let targets: Vec<(String, String)> =
            endpoints[&event.tenant_id].iter().filter(|e| e.events.contains(event.kind)).map(|e| (store::new_id(), e.id.clone())).collect();
        let data = if targets.is_empty() { None } else { data(state, &messages, event).await? };
        // Nobody wants it now, or what it named is gone: the row goes, with no delivery.
        let (body, targets) = match data {
            Some(data) => (body(event, data), targets),
            None => (String::new(), Vec::new()),
        };
        let retry_until = chrono::Utc::now() + super::retry_window(state);
        ready.push(FannedOut { event_id: event.id, tenant_id: event.tenant_id.clone(), kind: event.kind, body, targets, retry_until });
    }
    if webhook_events::fan_out(&state.db, holder, &ready).await? > 0 {
        state.webhook_dispatch.queued();
    }
    Ok(events.len())
}

/// A delivery's body: `{id, type, created_at, tenant_id, data}`, the same for every endpoint.
fn body(event: &CapturedEvent, data: Value) -> String {
    json!({
        "id": store::new_id(),
        "type": event.kind.as_str(),
        "created_at": event.created_at,
        "tenant_id": event.tenant_id,
        "data": data,
    })
    .to_string()
}

/// The messages the events name, read at once: most events of a busy server are sends.
async fn messages_of(state: &AppState, events: &[CapturedEvent]) -> StoreResult<HashMap<String, Message>> {
    let ids: Vec<String> = events.iter().filter(|e| e.kind.is_about_a_message()).map(|e| e.subject_id.clone()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(store::messages::by_ids(&state.db, &ids).await?.into_iter().map(|m| (m.id.clone(), m)).collect())
}

/// What the event carries as `data`: what it names, as it stands now; `None` when that is
/// gone. Messages, tickets and reports look as their real-time events show them.
async fn data(state: &AppState, messages: &HashMap<String, Message>, event: &CapturedEvent) -> StoreResult<Option<Value>> {
    let (db, tenant, id) = (&state.db, event.tenant_id.as_str(), event.subject_id.as_str());
    let data = match event.kind {
        EventType::MessageNew | EventType::MessageUpdated | EventType::MessageDeleted => {
            messages.get(id).filter(|m| m.tenant_id == tenant).map(|m| to_value(&MessageEvent::of(m)))
        }
        EventType::ConversationCreated => store::conversations::by_id(db, tenant, id).await?.map(|c| {
            json!({
                "conversation_id": c.id,
                "kind": c.kind.as_str(),
                "name": c.name,
                "description": c.description,
                "created_by": c.created_by,
                "shop_id": c.shop_id,
                "created_at": c.created_at,
            })
        }),
        EventType::MemberAdded | EventType::MemberRemoved => Some(json!({ "conversation_id": id, "user_id": event.user_id })),
        EventType::TicketCreated => store::tickets::by_id(db, tenant, id).await?.map(|ticket| {
            let mut data = to_value(&TicketUpdated::from(&ticket));
            data["subject"] = ticket.subject.clone().into();
            data["requester_id"] = ticket.requester_id.clone().into();
            data
        }),
        EventType::TicketUpdated => store::tickets::by_id(db, tenant, id).await?.map(|t| to_value(&TicketUpdated::from(&t))),
        EventType::ReportCreated => store::reports::by_id(db, tenant, id).await?.map(|r| to_value(&ReportCreated::from(&r))),
        // Never with the user's contact details or password.
        EventType::UserCreated => store::users::by_id(db, tenant, id).await?.map(|user| {
            json!({
                "user_id": user.id,
                "external_id": user.external_id,
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role.as_str(),
                "created_at": user.created_at,
            })
        }),
    };
    Ok(data)
}

fn to_value<T: serde::Serialize>(payload: &T) -> Value {
    serde_json::to_value(payload).expect("event payloads serialize")
}
