//! What the search outbox costs a send: REST sends from 64 senders, each on a direct
//! conversation of its own, in alternating phases with outbox rows written (as with
//! Meilisearch) and not written (as with the database's own index, the reference), in one
//! run on one database, through the switch of the migration `search_outbox_switch`.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin outbox                  # SQLite
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin outbox              # PostgreSQL
//! ```
//!
//! With `CONFAB_BENCH_MEILI_URL` (and `CONFAB_BENCH_MEILI_KEY`) the relay feeds that
//! Meilisearch meanwhile; otherwise the database's own index answers searches and the
//! relay only removes the rows. `CONFAB_BENCH_SECONDS` (default 10) is the length of a
//! phase, `CONFAB_BENCH_SENDERS` (default 64) the number of senders, `CONFAB_BENCH_ROUNDS`
//! (default 3) how many times each phase runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use confab_bench::api::Api;
use confab_bench::fresh_db::FreshDatabase;
use confab_server::config::Secret;
use confab_server::search::RelayStats;
use confab_server::store::{search_outbox, Db};
use confab_server::{Application, Config};
use serde_json::json;

const JWT_KEYS: &str = "bench:benchmark-signing-key-not-used-anywhere-else";

fn env_number(name: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(name) {
        Ok(n) => n.parse().with_context(|| name.to_owned()),
        Err(_) => Ok(default),
    }
}

struct Phase {
    sends: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

/// Every sender sends one message after another for `length`.
async fn phase(api: &Arc<Api>, senders: &[(String, String)], length: Duration) -> anyhow::Result<Phase> {
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

fn ms(sorted: &[Duration], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn run(api: Arc<Api>, db: Db, relay: RelayStats, senders: usize, length: Duration, rounds: u64) -> anyhow::Result<()> {
    api.lift_write_limits().await?;
    let mut pairs = Vec::new();
    for i in 0..senders {
        let (_, token) = api.user(&format!("sender-{i}")).await?;
        let (recipient, _) = api.user(&format!("recipient-{i}")).await?;
        let conversation = api.direct(&token, &recipient).await?;
        pairs.push((token, conversation));
    }
    // A short warm-up, so the first measured phase does not pay for cold caches.
    phase(&api, &pairs, Duration::from_secs(2)).await?;
    println!("{:?}, {senders} senders, {} s phases", db.backend(), length.as_secs());
    println!("| phase | sends/s | p50 ms | p99 ms | errors | outbox rows waiting after | rows relayed/s |");
    for _ in 0..rounds {
        for on in [true, false] {
            search_outbox::set_enabled(&db, on).await?;
            let relayed = relay.delivered.get();
            let p = phase(&api, &pairs, length).await?;
            let relayed = (relay.delivered.get() - relayed) as f64 / p.elapsed.as_secs_f64();
            let (waiting, _) = search_outbox::depth(&db).await?;
            let name = if on { "rows written" } else { "no rows (reference)" };
            let rate = p.sends as f64 / p.elapsed.as_secs_f64();
            let (p50, p99) = (ms(&p.latencies, 0.5), ms(&p.latencies, 0.99));
            println!("| {name} | {rate:.0} | {p50:.1} | {p99:.1} | {} | {waiting} | {relayed:.0} |", p.errors);
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var("RUST_LOG").is_ok() {
        confab_server::telemetry::init("pretty");
    }
    let senders = env_number("CONFAB_BENCH_SENDERS", 64)? as usize;
    let length = Duration::from_secs(env_number("CONFAB_BENCH_SECONDS", 10)?);
    let rounds = env_number("CONFAB_BENCH_ROUNDS", 3)?;
    if senders == 0 || length.is_zero() || rounds == 0 {
        bail!("senders, seconds and rounds must be positive");
    }
    let database = match confab_bench::fresh_db::admin_url() {
        Some(url) => Some(FreshDatabase::create(&url).await?),
        None => None,
    };
    let data_dir = tempfile::tempdir()?;
    let meili_url = std::env::var("CONFAB_BENCH_MEILI_URL").ok().filter(|u| !u.is_empty());
    let config = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        database_url: database.as_ref().map(|d| Secret::new(&d.url)),
        jwt_keys: Some(Secret::new(JWT_KEYS)),
        bootstrap_password: Some(Secret::new("benchmark-password")),
        meili_index: format!("bench_{}", ulid::Ulid::new().to_string().to_lowercase()),
        meili_key: std::env::var("CONFAB_BENCH_MEILI_KEY").ok().map(Secret::new),
        meili_url,
        ..Config::default()
    };
    let mut app = Application::build(config).await?;
    let api_key = app.take_bootstrap_report().context("the benchmark database is not fresh")?.api_key;
    let api = Arc::new(Api::new(app.port(), api_key));
    println!("search index: {}", app.state().search.kind());
    let db = app.state().db.clone();
    let relay = app.state().metrics.search_relay.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let outcome = run(api, db, relay, senders, length, rounds).await;
    let _ = stop.send(());
    server.await??;
    if let Some(database) = database {
        database.drop_now().await?;
    }
    outcome
}
