//! Rate limits, shared through Redis when configured so that several server processes
//! count together, and kept in memory otherwise: fixed-window attempt counters (logins) and
//! token buckets (writes, in `buckets`).

pub mod buckets;
mod memory;
mod redis;

use std::time::Duration;

pub use self::memory::MemoryLimiter;
pub use self::redis::RedisLimiter;

/// A counter's state after an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub hits: u64,
    /// Time until the window resets.
    pub resets_in: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct LimiterError(pub String);

#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Adds one hit to `key`, starting a window of `window` if none runs.
    async fn hit(&self, key: &str, window: Duration) -> Result<Count, LimiterError>;
    /// Forgets `key`.
    async fn reset(&self, key: &str) -> Result<(), LimiterError>;
    /// True when the backing store answers.
    async fn ping(&self) -> bool;
}
