//! How many sockets each user has open, across every server process: a user is online from
//! their first socket until their last closes. Counted in Redis when configured, in this
//! process otherwise.

mod memory;
mod redis;

pub use self::memory::MemoryPresence;
pub use self::redis::RedisPresence;

#[derive(Debug, thiserror::Error)]
#[error("presence store unavailable: {0}")]
pub struct PresenceError(pub String);

#[async_trait::async_trait]
pub trait Presence: Send + Sync {
    /// Counts one more socket of `user`; true when this made the user online.
    async fn connected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError>;
    /// Counts one socket less; true when this made the user offline.
    async fn disconnected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError>;
    /// True while the user has a socket open anywhere.
    async fn is_online(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError>;
}
