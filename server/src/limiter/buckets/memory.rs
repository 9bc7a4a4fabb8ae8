use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{emission_interval, Bucket, TokenBuckets, Verdict};
use crate::domain::Rate;
use crate::limiter::LimiterError;

type Keyed = DefaultKeyedRateLimiter<String, StateInformationMiddleware>;

/// Takes between two sweeps that forget the buckets which have refilled, so the maps stay
/// as large as the writers of the last few minutes, at a cost spread over many takes.
const SWEEP_EVERY: u64 = 10_000;
/// Distinct rates kept before all limiters are dropped and started afresh.
const MAX_RATES: usize = 1_000;

/// Buckets in this process only: the embedded default. `governor` keeps one quota per
/// limiter, so there is one keyed limiter per distinct rate.
#[derive(Default)]
pub struct MemoryBuckets {
    by_rate: Mutex<HashMap<Rate, Arc<Keyed>>>,
    takes: AtomicU64,
}

impl MemoryBuckets {
    fn limiter(&self, rate: Rate) -> Arc<Keyed> {
        let mut by_rate = self.by_rate.lock().expect("bucket limiters");
        if by_rate.len() >= MAX_RATES && !by_rate.contains_key(&rate) {
            by_rate.clear();
        }
        by_rate.entry(rate).or_insert_with(|| Arc::new(RateLimiter::keyed(quota(rate)).with_middleware())).clone()
    }

    fn sweep(&self) {
        let limiters: Vec<Arc<Keyed>> = self.by_rate.lock().expect("bucket limiters").values().cloned().collect();
        for limiter in limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn take_one(&self, bucket: &Bucket, n: u32) -> Verdict {
        if self.takes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        let limiter = self.limiter(bucket.rate);
        let burst = bucket.rate.burst.max(1);
        let n = n.max(1);
        let interval = emission_interval(bucket.rate);
        let refused = |retry_after: Duration| Verdict {
            allowed: false,
            limit: burst,
            remaining: 0,
            retry_after,
            // The bucket is full again once the refused tokens and the rest have come back.
            reset_after: retry_after + interval * burst.saturating_sub(n),
        };
        match limiter.check_key_n(&bucket.key, NonZeroU32::new(n).expect("n is at least 1")) {
            Ok(Ok(snapshot)) => {
                let remaining = snapshot.remaining_burst_capacity().min(burst);
                Verdict { allowed: true, limit: burst, remaining, retry_after: Duration::ZERO, reset_after: interval * (burst - remaining) }
            }
            Ok(Err(not_until)) => refused(not_until.wait_time_from(limiter.clock().now())),
            // More than the bucket holds: it never fits.
            Err(_) => refused(interval * burst),
        }
    }
}

fn quota(rate: Rate) -> Quota {
    let burst = NonZeroU32::new(rate.burst.max(1)).expect("burst is at least 1");
    Quota::with_period(emission_interval(rate)).expect("a rate's interval is never zero").allow_burst(burst)
}

#[async_trait::async_trait]
impl TokenBuckets for MemoryBuckets {
    async fn take(&self, buckets: &[Bucket], n: u32) -> Result<Verdict, LimiterError> {
        let mut verdict = Verdict::unlimited();
        for bucket in buckets {
            verdict = verdict.tighter(self.take_one(bucket, n));
            if !verdict.allowed {
                break;
            }
        }
        Ok(verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(key: &str, per_minute: u32, burst: u32) -> Bucket {
        Bucket { key: key.into(), rate: Rate::new(per_minute, burst) }
    }

    #[tokio::test]
    async fn a_burst_passes_and_the_next_take_waits_for_a_token() {
        let buckets = MemoryBuckets::default();
        let b = [bucket("u", 60, 3)];
        for left in [2, 1, 0] {
            let v = buckets.take(&b, 1).await.unwrap();
            assert!(v.allowed);
            assert_eq!((v.limit, v.remaining), (3, left));
        }
        let refused = buckets.take(&b, 1).await.unwrap();
        assert!(!refused.allowed);
        assert!(refused.retry_after > Duration::ZERO && refused.retry_after <= Duration::from_secs(1));
        assert!(refused.reset_after >= Duration::from_secs(2));
        assert!(buckets.take(&[bucket("other", 60, 3)], 1).await.unwrap().allowed, "each key has its own bucket");
    }

    #[tokio::test]
    async fn a_refusal_stops_at_the_refusing_bucket() {
        let buckets = MemoryBuckets::default();
        let pair = [bucket("narrow", 60, 1), bucket("wide", 60, 5)];
        assert!(buckets.take(&pair, 1).await.unwrap().allowed);
        let refused = buckets.take(&pair, 1).await.unwrap();
        assert_eq!((refused.allowed, refused.limit), (false, 1));
        // The wide bucket gave one token only: four are left.
        assert_eq!(buckets.take(&[bucket("wide", 60, 5)], 1).await.unwrap().remaining, 3);
    }

    #[tokio::test]
    async fn a_batch_is_taken_whole_or_not_at_all() {
        let buckets = MemoryBuckets::default();
        let b = [bucket("f", 60, 4)];
        assert!(!buckets.take(&b, 5).await.unwrap().allowed, "more than the bucket holds never fits");
        let v = buckets.take(&b, 3).await.unwrap();
        assert_eq!((v.allowed, v.remaining), (true, 1));
        assert!(!buckets.take(&b, 2).await.unwrap().allowed);
        assert!(buckets.take(&b, 1).await.unwrap().allowed);
    }
}
