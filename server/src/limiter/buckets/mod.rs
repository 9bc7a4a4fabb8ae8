//! Token buckets (GCRA) for write rate limits: in memory with `governor` by default, in
//! Redis when configured so that every server process draws from the same buckets.

mod memory;
mod redis;

use std::time::Duration;

pub use self::memory::MemoryBuckets;
pub use self::redis::RedisBuckets;
use super::LimiterError;
use crate::domain::Rate;

/// One bucket to take from: its key and its rate.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub key: String,
    pub rate: Rate,
}

/// What a take decided, about the bucket that refused it or, when allowed, the one with
/// the fewest tokens left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// The bucket's size.
    pub limit: u32,
    /// Tokens left in it.
    pub remaining: u32,
    /// How long until the refused take would be allowed; zero when allowed.
    pub retry_after: Duration,
    /// How long until the bucket is full again.
    pub reset_after: Duration,
}

impl Verdict {
    /// The verdict of taking from no bucket at all.
    pub fn unlimited() -> Self {
        Verdict { allowed: true, limit: u32::MAX, remaining: u32::MAX, retry_after: Duration::ZERO, reset_after: Duration::ZERO }
    }

    /// The more telling of two verdicts: a refusal, else the one with fewer tokens left.
    fn tighter(self, other: Verdict) -> Verdict {
        match (self.allowed, other.allowed) {
            (false, _) => self,
            (_, false) => other,
            _ if other.remaining < self.remaining => other,
            _ => self,
        }
    }
}

#[async_trait::async_trait]
pub trait TokenBuckets: Send + Sync {
    /// Takes `n` tokens from each bucket in turn, stopping at the first that holds too
    /// few: that take is refused and nothing more is taken (the buckets before it keep
    /// their tokens spent, as a flood should). An `n` larger than a bucket never fits.
    async fn take(&self, buckets: &[Bucket], n: u32) -> Result<Verdict, LimiterError>;
}

/// The time one token takes to come back at `rate`.
fn emission_interval(rate: Rate) -> Duration {
    Duration::from_nanos(60_000_000_000 / u64::from(rate.per_minute.max(1)))
}
