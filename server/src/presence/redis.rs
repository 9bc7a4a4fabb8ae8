use redis::aio::ConnectionManager;

use super::{Presence, PresenceError};

/// Socket counts in Redis, shared by every server process.
pub struct RedisPresence {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisPresence {
    /// Counts on `conn`, the process's shared Redis connection.
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        RedisPresence { conn, prefix: format!("{prefix}:presence:") }
    }

    fn key(&self, tenant_id: &str, user_id: &str) -> String {
        format!("{}{tenant_id}:{user_id}", self.prefix)
    }

    async fn add(&self, key: String, delta: i64) -> Result<i64, PresenceError> {
        let mut conn = self.conn.clone();
        // A count that went below zero (a process died mid-way) is clamped back to zero.
        let script = redis::Script::new(
            r"local c = redis.call('INCRBY', KEYS[1], ARGV[1])
              if c <= 0 then redis.call('DEL', KEYS[1]); return 0 end
              return c",
        );
        script.key(key).arg(delta).invoke_async(&mut conn).await.map_err(|e| PresenceError(e.to_string()))
    }
}

#[async_trait::async_trait]
impl Presence for RedisPresence {
    async fn connected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        Ok(self.add(self.key(tenant_id, user_id), 1).await? == 1)
    }

    async fn disconnected(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        Ok(self.add(self.key(tenant_id, user_id), -1).await? == 0)
    }

    async fn is_online(&self, tenant_id: &str, user_id: &str) -> Result<bool, PresenceError> {
        let mut conn = self.conn.clone();
        let count: Option<i64> =
            redis::cmd("GET").arg(self.key(tenant_id, user_id)).query_async(&mut conn).await.map_err(|e| PresenceError(e.to_string()))?;
        Ok(count.unwrap_or(0) > 0)
    }
}
