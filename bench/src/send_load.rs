//! The send load of the send benchmarks: senders that each send one message after another
//! on a direct conversation of their own for a phase, timed per request.

use std::future::Future;
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

/// A sender of a send benchmark and the direct conversation it alone sends to.
pub struct Pair {
    pub token: String,
    pub sender_id: String,
    pub conversation: String,
}

/// One sender per pair: a chat token and a direct conversation of its own, with a
/// recipient made for it.
pub async fn pairs(api: &Api, count: usize) -> anyhow::Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    for i in 0..count {
        let (sender_id, token) = api.user(&format!("sender-{i}")).await?;
        let (recipient, _) = api.user(&format!("recipient-{i}")).await?;
        let conversation = api.direct(&token, &recipient).await?;
        pairs.push(Pair { token, sender_id, conversation });
    }
    Ok(pairs)
}

/// `pairs` as (token, conversation).
pub async fn senders(api: &Api, count: usize) -> anyhow::Result<Vec<(String, String)>> {
    Ok(pairs(api, count).await?.into_iter().map(|p| (p.token, p.conversation)).collect())
}

/// Every sender sends one message after another for `length`.
pub async fn phase(api: &Arc<Api>, senders: &[(String, String)], length: Duration) -> anyhow::Result<Phase> {
    let workers = senders
        .iter()
        .map(|(token, conversation)| (api.clone(), token.clone(), format!("{}/v1/chat/conversations/{conversation}/messages", api.base)))
        .collect();
    timed(workers, length, |worker: Arc<(Arc<Api>, String, String)>, n| async move {
        let (api, token, path) = &*worker;
        let reply = api.http.post(path).bearer_auth(token).json(&json!({"body": format!("benchmark message {n}")})).send().await;
        matches!(reply, Ok(r) if r.status().is_success())
    })
    .await
}

/// One task per worker calls `once(worker, n)` with n = 1, 2, ... until `length` is over;
/// the time of every call that answers `true` is kept, the others are counted as errors.
pub async fn timed<W, F, Fut>(workers: Vec<W>, length: Duration, once: F) -> anyhow::Result<Phase>
where
    W: Send + Sync + 'static,
    F: Fn(Arc<W>, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|worker| {
            let (worker, stop, once) = (Arc::new(worker), stop.clone(), once.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut n) = (Vec::new(), 0usize, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let sent = Instant::now();
                    if once(worker.clone(), n).await {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
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
