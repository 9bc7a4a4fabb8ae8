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
/// processes as it is. A control event instead carries `revoke` (and a null payload): it
/// closes sockets on every process and reaches no client.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Event {
    pub tenant_id: String,
    /// Who receives it.
    pub audience: Vec<String>,
    pub payload: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke: Option<Revocation>,
}

impl Event {
    pub fn new(tenant_id: &str, audience: Vec<String>, payload: &Payload) -> Self {
        Event { tenant_id: tenant_id.to_owned(), audience, payload: payload.to_json(), revoke: None }
    }

    /// The control event that closes the sockets `revocation` names among `audience`'s.
    pub fn revocation(tenant_id: &str, audience: Vec<String>, revocation: Revocation) -> Self {
        Event { tenant_id: tenant_id.to_owned(), audience, payload: serde_json::Value::Null, revoke: Some(revocation) }
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
    /// subscribers.
    async fn publish(&self, event: Event) -> Result<(), BusError>;
    /// A stream of every event published from now on.
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event>;
    /// True when the bus's backing service answers.
    async fn ping(&self) -> bool;
}
