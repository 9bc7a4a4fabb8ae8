use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Count, LimiterError, RateLimiter};

/// Counters in this process only: the embedded default.
#[derive(Default)]
pub struct MemoryLimiter {
    windows: Mutex<HashMap<String, (Instant, u64)>>,
}

impl MemoryLimiter {
    fn count(entry: Option<&(Instant, u64)>, now: Instant) -> Count {
        match entry {
            Some((ends, hits)) if *ends > now => Count { hits: *hits, resets_in: *ends - now },
            _ => Count { hits: 0, resets_in: Duration::ZERO },
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for MemoryLimiter {
    async fn hit(&self, key: &str, window: Duration) -> Result<Count, LimiterError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("limiter lock");
        // Drop expired windows now and then so the map cannot grow without bound.
        if windows.len() > 10_000 {
            windows.retain(|_, (ends, _)| *ends > now);
        }
        let entry = windows.entry(key.to_owned()).or_insert((now + window, 0));
        if entry.0 <= now {
            *entry = (now + window, 0);
        }
        entry.1 += 1;
        Ok(Self::count(Some(entry), now))
    }

    async fn reset(&self, key: &str) -> Result<(), LimiterError> {
        self.windows.lock().expect("limiter lock").remove(key);
        Ok(())
    }

    async fn ping(&self) -> bool {
        true
    }
}
