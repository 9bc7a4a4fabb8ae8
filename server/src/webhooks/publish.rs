//! Queuing events for webhooks: when something happens, one delivery per enabled endpoint of
//! the tenant that subscribed to its type is written to the database, and this process's
//! worker is woken. Nothing here talks to a receiver, so a send never waits on one; and a
//! tenant without endpoints costs an event one cached lookup.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::bus::Event;
use crate::domain::conversation::Conversation;
use crate::domain::ticket::Ticket;
use crate::domain::webhook::EventType;
use crate::domain::{Named, User};
use crate::events::TicketUpdated;
use crate::state::AppState;
use crate::store;

/// How long a process trusts what it read about a tenant having endpoints. A change made
/// through this process is seen at once; one made through another within this time.
const TENANTS_TTL: Duration = Duration::from_secs(5);

/// What this process knows of the queue: which tenants have enabled endpoints, and the
/// signal that wakes its worker when a delivery was queued.
#[derive(Debug, Default)]
pub struct Dispatch {
    tenants: Mutex<HashMap<String, (Instant, bool)>>,
    wake: Notify,
}

impl Dispatch {
    /// Forgets what was read about the tenant, after its endpoints changed.
    pub fn forget(&self, tenant_id: &str) {
        self.tenants.lock().expect("webhook tenants").remove(tenant_id);
    }

    /// Wakes the worker, at once or as soon as it next waits.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits until woken or until `idle` has passed.
    pub async fn idle(&self, idle: Duration) {
        let _ = tokio::time::timeout(idle, self.wake.notified()).await;
    }

    fn cached(&self, tenant_id: &str) -> Option<bool> {
        let tenants = self.tenants.lock().expect("webhook tenants");
        tenants.get(tenant_id).filter(|(read_at, _)| read_at.elapsed() < TENANTS_TTL).map(|(_, has)| *has)
    }

    fn remember(&self, tenant_id: &str, has: bool) {
        let mut tenants = self.tenants.lock().expect("webhook tenants");
        if tenants.len() > 10_000 {
            tenants.clear();
        }
        tenants.insert(tenant_id.to_owned(), (Instant::now(), has));
    }
}

/// A webhook event taken from a real-time event, to queue once the real-time event is out.
#[derive(Debug)]
pub struct FromRealtime {
    tenant_id: String,
    kind: EventType,
    data: Value,
}

impl FromRealtime {
    /// The webhook event of a real-time event, when it has one (a new, edited or deleted
    /// message, a member added or removed, a ticket changed, a report filed); its data is
    /// the real-time payload without its `type`. Cheap for every other event.
    pub fn of(event: &Event) -> Option<Self> {
        let kind = EventType::of_realtime(event.kind(), event.payload["change"].as_str())?;
        let mut data = event.payload.clone();
        if let Some(fields) = data.as_object_mut() {
            fields.remove("type");
        }
        Some(FromRealtime { tenant_id: event.tenant_id.clone(), kind, data })
    }

    pub async fn queue(self, state: &AppState) {
        emit(state, &self.tenant_id, self.kind, self.data).await;
    }
}

/// Queues `conversation.created`.
pub async fn conversation_created(state: &AppState, conversation: &Conversation) {
    let data = json!({
        "conversation_id": conversation.id,
        "kind": conversation.kind.as_str(),
        "name": conversation.name,
        "description": conversation.description,
        "created_by": conversation.created_by,
        "shop_id": conversation.shop_id,
        "created_at": conversation.created_at,
    });
    emit(state, &conversation.tenant_id, EventType::ConversationCreated, data).await;
}

/// Queues `ticket.created`.
pub async fn ticket_created(state: &AppState, ticket: &Ticket) {
    let mut data = serde_json::to_value(TicketUpdated::from(ticket)).unwrap_or_default();
    data["subject"] = ticket.subject.clone().into();
    data["requester_id"] = ticket.requester_id.clone().into();
    emit(state, &ticket.tenant_id, EventType::TicketCreated, data).await;
}

/// Queues `user.created`; never with the user's contact details or password.
pub async fn user_created(state: &AppState, user: &User) {
    let data = json!({
        "user_id": user.id,
        "external_id": user.external_id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.as_str(),
        "created_at": user.created_at,
    });
    emit(state, &user.tenant_id, EventType::UserCreated, data).await;
}

/// Queues one delivery of the event to every enabled endpoint of the tenant subscribed to
/// `kind`. Best effort, like the real-time events: a failure is logged and never fails the
/// change that caused it, which is already committed.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant_id, event = kind.as_str()))]
pub async fn emit(state: &AppState, tenant_id: &str, kind: EventType, data: Value) {
    if let Err(error) = queue(state, tenant_id, kind, data).await {
        tracing::warn!(%error, "could not queue a webhook event");
    }
}

async fn queue(state: &AppState, tenant_id: &str, kind: EventType, data: Value) -> Result<(), store::StoreError> {
    let dispatch = &state.webhook_dispatch;
    if dispatch.cached(tenant_id) == Some(false) {
        return Ok(());
    }
    let endpoints = store::webhooks::enabled(&state.db, tenant_id).await?;
    dispatch.remember(tenant_id, !endpoints.is_empty());
    let targets: Vec<(String, String)> =
        endpoints.into_iter().filter(|e| e.events.contains(kind)).map(|e| (store::new_id(), e.id)).collect();
    if targets.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let body = json!({ "id": store::new_id(), "type": kind.as_str(), "created_at": now, "tenant_id": tenant_id, "data": data });
    let retry_until = now + super::retry_window(state);
    store::webhook_deliveries::enqueue(&state.db, tenant_id, &targets, kind, &body.to_string(), retry_until).await?;
    dispatch.wake();
    Ok(())
}
