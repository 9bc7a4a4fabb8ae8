//! The send load of the send benchmarks: senders that each send one message after another
//! on a direct conversation of their own for a phase, timed per request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::api::Api;

/// The signing keys of every benchmark's server.
pub const JWT_KEYS: &str = "bench:benchmark-signing-key-not-used-anywhere-else";

/// A number from the environment, or `default` when it is not set.
pub fn env_number(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Ok(n) => n.parse().with_context(|| name.to_owned()),
        Err(_) => Ok(default),
    }
}

/// The load of a send benchmark, from the environment: `CONFAB_BENCH_SENDERS` (default 64),
/// `CONFAB_BENCH_SECONDS` per phase (default 10) and `CONFAB_BENCH_ROUNDS` (default 3).
pub struct Load {
    pub senders: usize,
    pub length: Duration,
    pub rounds: u64,
}

impl Load {
    pub fn from_env() -> anyhow::Result<Self> {
        let senders = env_number("CONFAB_BENCH_SENDERS", 64)? as usize;
        let length = Duration::from_secs(env_number("CONFAB_BENCH_SECONDS", 10)?);
        let rounds = env_number("CONFAB_BENCH_ROUNDS", 3)?;
        if senders == 0 || length.is_zero() || rounds == 0 {
            anyhow::bail!("senders, seconds and rounds must be positive");
        }
        Ok(Load { senders, length, rounds })
    }
}

/// What one phase measured.
pub struct Phase {
    pub sends: usize,
    pub errors: usize,
    /// Sorted.
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Phase {
    pub fn rate(&self) -> f64 {
        self.sends as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p` quantile of the latencies, in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        percentile(&self.latencies, p)
    }
}

/// One sender per pair: a chat token and a direct conversation of its own, with a
/// recipient made for it.
pub async fn senders(api: &Api, count: usize) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for i in 0..count {
        let (_, token) = api.user(&format!("sender-{i}")).await?;
        let (recipient, _) = api.user(&format!("recipient-{i}")).await?;
        let conversation = api.direct(&token, &recipient).await?;
        pairs.push((token, conversation));
    }
    Ok(pairs)
}

/// Every sender sends one message after another for `length`.
pub async fn phase(api: &Arc<Api>, senders: &[(String, String)], length: Duration) -> anyhow::Result<Phase> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = senders
        .iter()
        .cloned()
        .map(|(token, conversation)| {
            let (api, stop) = (api.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0usize);
                let path = format!("{}/v1/chat/conversations/{conversation}/messages", api.base);
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let sent = Instant::now();
                    let reply =
                        api.http.post(&path).bearer_auth(&token).json(&json!({"body": format!("benchmark message {n}")})).send().await;
                    match reply {
                        Ok(r) if r.status().is_success() => latencies.push(sent.elapsed()),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    tokio::time::sleep(length).await;
    stop.store(true, Ordering::Relaxed);
    let mut phase = Phase { sends: 0, errors: 0, latencies: Vec::new(), elapsed: Duration::ZERO };
    for task in tasks {
        let (latencies, errors) = task.await?;
        phase.sends += latencies.len();
        phase.errors += errors;
        phase.latencies.extend(latencies);
    }
    phase.elapsed = started.elapsed();
    phase.latencies.sort();
    Ok(phase)
}

/// The `p` quantile of sorted times, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Prints the p50, p99 and max of `times`.
pub fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what}: {} calls, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}
