use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{emission_interval, Bucket, MemoryBuckets, TokenBuckets, Verdict};
use crate::limiter::LimiterError;

/// GCRA over every bucket of a take in one script, so the check and the update of each
/// bucket are one step however many processes take at once. A bucket is stored as its
/// theoretical arrival time (TAT) in microseconds of Redis's own clock, expiring when the
/// bucket would be full again. KEYS are the buckets; ARGV[1] is n, then each bucket's
/// emission interval (µs) and size. Answers {allowed, limit, remaining, retry_us, reset_us}.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local verdict = {1, -1, -1, 0, 0}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + n * interval
  local allow_at = new_tat - burst * interval
  if n > burst or allow_at > now then
    return {0, burst, 0, allow_at - now, tat - now}
  end
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', string.format('%.0f', math.max(1, math.ceil((new_tat - now) / 1000))))
  local remaining = math.floor((burst * interval - (new_tat - now)) / interval)
  if verdict[3] < 0 or remaining < verdict[3] then
    verdict = {1, burst, remaining, 0, new_tat - now}
  end
end
return verdict
";

/// Buckets in Redis, shared by every server process of a deployment. While Redis cannot be
/// reached each process keeps buckets of its own, so writes go on and are still limited.
pub struct RedisBuckets {
    conn: ConnectionManager,
    prefix: String,
    script: Script,
    alone: MemoryBuckets,
}

impl RedisBuckets {
    /// Keeps buckets on `conn`, the process's shared Redis connection.
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        RedisBuckets { conn, prefix: format!("{prefix}:tb:"), script: Script::new(GCRA), alone: MemoryBuckets::default() }
    }
}

fn micros(value: i64) -> Duration {
    Duration::from_micros(value.max(0) as u64)
}

#[async_trait::async_trait]
impl TokenBuckets for RedisBuckets {
    async fn take(&self, buckets: &[Bucket], n: u32) -> Result<Verdict, LimiterError> {
        if buckets.is_empty() {
            return Ok(Verdict::unlimited());
        }
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(n.max(1));
        for bucket in buckets {
            let interval = emission_interval(bucket.rate).as_micros().max(1) as u64;
            invocation.key(format!("{}{}", self.prefix, bucket.key)).arg(interval).arg(bucket.rate.burst.max(1));
        }
        let mut conn = self.conn.clone();
        let shared: Result<(i64, i64, i64, i64, i64), _> = invocation.invoke_async(&mut conn).await;
        let (allowed, limit, remaining, retry_us, reset_us) = match shared {
            Ok(verdict) => verdict,
            Err(error) => {
                tracing::debug!(%error, "write counted in this process only: Redis unreachable");
                return self.alone.take(buckets, n).await;
            }
        };
        Ok(Verdict {
            allowed: allowed == 1,
            limit: limit.clamp(0, i64::from(u32::MAX)) as u32,
            remaining: remaining.clamp(0, i64::from(u32::MAX)) as u32,
            retry_after: micros(retry_us),
            reset_after: micros(reset_us),
        })
    }
}
