use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{Count, LimiterError, MemoryLimiter, RateLimiter};

/// Counters in Redis, shared by every server process of a deployment. While Redis cannot
/// be reached each process counts on its own, so sign-ins go on and are still limited.
pub struct RedisLimiter {
    conn: ConnectionManager,
    prefix: String,
    hit_script: Script,
    alone: MemoryLimiter,
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
        RedisLimiter { conn, prefix: format!("{prefix}:rl:"), hit_script, alone: MemoryLimiter::default() }
    }

    fn count(hits: i64, ttl_ms: i64) -> Count {
        Count { hits: hits.max(0) as u64, resets_in: Duration::from_millis(ttl_ms.max(0) as u64) }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn hit(&self, key: &str, window: Duration) -> Result<Count, LimiterError> {
        let mut conn = self.conn.clone();
        let shared = self.hit_script.key(format!("{}{key}", self.prefix)).arg(window.as_millis() as i64).invoke_async(&mut conn).await;
        match shared {
            Ok((hits, ttl)) => Ok(Self::count(hits, ttl)),
            Err(error) => {
                tracing::debug!(%error, "attempt counted in this process only: Redis unreachable");
                self.alone.hit(key, window).await
            }
        }
    }

    async fn reset(&self, key: &str) -> Result<(), LimiterError> {
        self.alone.reset(key).await?;
        let mut conn = self.conn.clone();
        if let Err(error) = redis::cmd("DEL").arg(format!("{}{key}", self.prefix)).query_async::<()>(&mut conn).await {
            // The shared counter expires with its window; a success is not refused for it.
            tracing::debug!(%error, "attempt counter not reset: Redis unreachable");
        }
        Ok(())
    }

    async fn ping(&self) -> bool {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
    }
}
