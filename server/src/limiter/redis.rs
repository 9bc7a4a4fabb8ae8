use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{Count, LimiterError, RateLimiter};

/// Counters in Redis, shared by every server process of a deployment.
pub struct RedisLimiter {
    conn: ConnectionManager,
    prefix: String,
    hit_script: Script,
}

impl RedisLimiter {
    /// Counts on `conn`, the process's shared Redis connection.
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        // INCR and the first PEXPIRE must be one step, or a crash between them leaves a
        // counter that never expires.
        let hit_script = Script::new(
            r"local c = redis.call('INCR', KEYS[1])
              if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
              return {c, redis.call('PTTL', KEYS[1])}",
        );
        RedisLimiter { conn, prefix: format!("{prefix}:rl:"), hit_script }
    }

    fn count(hits: i64, ttl_ms: i64) -> Count {
        Count { hits: hits.max(0) as u64, resets_in: Duration::from_millis(ttl_ms.max(0) as u64) }
    }
}

fn fail(e: redis::RedisError) -> LimiterError {
    LimiterError(e.to_string())
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn hit(&self, key: &str, window: Duration) -> Result<Count, LimiterError> {
        let mut conn = self.conn.clone();
        let (hits, ttl): (i64, i64) = self
            .hit_script
            .key(format!("{}{key}", self.prefix))
            .arg(window.as_millis() as i64)
            .invoke_async(&mut conn)
            .await
            .map_err(fail)?;
        Ok(Self::count(hits, ttl))
    }

    async fn reset(&self, key: &str) -> Result<(), LimiterError> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL").arg(format!("{}{key}", self.prefix)).query_async::<()>(&mut conn).await.map_err(fail)
    }

    async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
    }
}
