//! The event bus: every state change a client should hear about is published here, once,
//! with the users it is for. Real-time delivery subscribes to it. The embedded default keeps
//! it in this process; a Redis adapter shares it between server processes.

mod local;
mod redis;

use serde::Serialize;

pub use self::redis::RedisBus;
use crate::events::{Payload, Revocation};
pub use local::LocalBus;

/// One event for some users of one tenant. `payload` is the frame clients receive: a JSON
/// object with a `type` (see `crate::events`), kept as JSON so the bus carries it between
/// processes as it is. An event about a conversation names it in `conversation_id`, so the
/// sockets watching that conversation receive it too. A control event instead carries
/// `revoke` (and a null payload): it closes sockets, or ends their watches, on every process
/// and reaches no client. An event for `every_socket` of this process is the bus's own word
/// that events may have been missed; it never crosses processes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Event {
    pub tenant_id: String,
    /// Who receives it.
    pub audience: Vec<String>,
    pub payload: serde_json::Value,
    /// The conversation whose watchers receive it as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke: Option<Revocation>,
    /// Every socket of this process receives it, whatever its tenant.
    #[serde(skip)]
    pub every_socket: bool,
}

impl Event {
    pub fn new(tenant_id: &str, audience: Vec<String>, payload: &Payload) -> Self {
        let conversation_id = payload.watched_conversation().map(str::to_owned);
        Event { tenant_id: tenant_id.to_owned(), audience, payload: payload.to_json(), conversation_id, revoke: None, every_socket: false }
    }

    /// `resync` for every socket of this process: events may have been missed.
    pub fn resync() -> Self {
        Event { every_socket: true, ..Event::new("", Vec::new(), &Payload::Resync) }
    }

    /// The control event that closes the sockets `revocation` names among `audience`'s (or
    /// ends their watches).
    pub fn revocation(tenant_id: &str, audience: Vec<String>, revocation: Revocation) -> Self {
        Event {
            tenant_id: tenant_id.to_owned(),
            audience,
            payload: serde_json::Value::Null,
            conversation_id: None,
            revoke: Some(revocation),
            every_socket: false,
        }
    }

    pub fn kind(&self) -> &str {
        self.payload["type"].as_str().unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("event bus unavailable: {0}")]
pub struct BusError(pub String);

#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Hands the event to every subscriber of every server process. Never blocks on slow
    /// subscribers. When the other processes cannot be reached, this process's subscribers
    /// still receive it, and the error says the others did not.
    async fn publish(&self, event: Event) -> Result<(), BusError>;
    /// A stream of every event published from now on, with `Event::resync` where some
    /// may have been missed.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event>;
    /// True when the bus's backing service answers.
    async fn ping(&self) -> bool;
}
