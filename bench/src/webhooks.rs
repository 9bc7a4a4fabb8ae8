//! What webhooks cost a send: REST sends from 64 senders, each on a direct conversation of
//! its own, in one run on one database, in three alternating phases:
//! - the reference: the tenant's one endpoint disabled, so each send's statement probes for
//!   subscribers and captures nothing;
//! - capture only: the endpoint enabled for `message.new`, so each send's statement also
//!   writes an event row, with no process fanning events out or delivering them;
//! - the whole pipeline: as before, with this process's fan-out and delivery worker running
//!   and POSTing every delivery to a receiver on loopback; after the phase the sends stop
//!   and the benchmark waits until every event is delivered.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin webhooks                 # SQLite
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin webhooks             # PostgreSQL
//! ```
//!
//! `CONFAB_BENCH_SECONDS` (default 10) is the length of a phase, `CONFAB_BENCH_SENDERS`
//! (default 64) the number of senders, `CONFAB_BENCH_ROUNDS` (default 3) how many times
//! each phase runs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use confab_bench::api::Api;
use confab_bench::bed::{Bed, Served};
use confab_bench::send_load::{phase, senders as make_senders, Load};
use confab_server::state::AppState;
use confab_server::store::{webhook_deliveries, webhook_events, Db};
use confab_server::Config;
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::json;

/// A receiver on loopback that answers every delivery 200 at once and counts them.
async fn receiver() -> anyhow::Result<(String, Arc<AtomicU64>)> {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await?;
    let port = acceptor.local_addr()[0].as_socket_addr().context("a socket address")?.port();
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let endpoint = poem::endpoint::make_sync(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
        "ok"
    });
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
    Ok((format!("http://127.0.0.1:{port}/hook"), received))
}

/// Events and deliveries not yet delivered.
async fn waiting(db: &Db) -> anyhow::Result<i64> {
    Ok(webhook_events::pending_count(db).await? + webhook_deliveries::pending_count(db).await?)
}

async fn run(api: Arc<Api>, state: AppState, load: Load) -> anyhow::Result<()> {
    let Load { senders, length, rounds } = load;
    let (db, delivered) = (state.db.clone(), state.metrics.webhooks.delivered.clone());
    api.lift_write_limits().await?;
    let (url, received) = receiver().await?;
    let endpoint = api.post("/v1/webhooks", None, json!({"url": url, "events": ["message.new"]})).await?;
    let path = format!("/v1/webhooks/{}", endpoint["id"].as_str().context("endpoint id")?);
    let pairs = make_senders(&api, senders).await?;
    api.patch(&path, json!({"enabled": false})).await?;
    // A short warm-up, so the first measured phase does not pay for cold caches.
    phase(&api, &pairs, Duration::from_secs(2)).await?;
    println!("{:?}, {senders} senders, {} s phases", db.backend(), length.as_secs());
    println!("| phase | sends/s | p50 ms | p99 ms | errors | waiting after | delivered/s, phase and drain | drain s |");
    for _ in 0..rounds {
        api.patch(&path, json!({"enabled": false})).await?;
        let p = phase(&api, &pairs, length).await?;
        println!(
            "| endpoint disabled (reference) | {:.0} | {:.1} | {:.1} | {} | {} | | |",
            p.rate(),
            p.ms(0.5),
            p.ms(0.99),
            p.errors,
            waiting(&db).await?
        );

        api.patch(&path, json!({"enabled": true})).await?;
        let p = phase(&api, &pairs, length).await?;
        println!("| capture only | {:.0} | {:.1} | {:.1} | {} | {} | | |", p.rate(), p.ms(0.5), p.ms(0.99), p.errors, waiting(&db).await?);

        let workers = [
            tokio::spawn(confab_server::webhooks::fan_out::run(state.clone())),
            tokio::spawn(confab_server::webhooks::worker::run(state.clone())),
        ];
        let before = delivered.get();
        let p = phase(&api, &pairs, length).await?;
        let left = waiting(&db).await?;
        let drain = Instant::now();
        while waiting(&db).await? > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let drain = drain.elapsed();
        workers.iter().for_each(|w| w.abort());
        let rate = (delivered.get() - before) as f64 / (p.elapsed + drain).as_secs_f64();
        let (sends, p50, p99, drained) = (p.rate(), p.ms(0.5), p.ms(0.99), drain.as_secs_f64());
        println!("| whole pipeline | {sends:.0} | {p50:.1} | {p99:.1} | {} | {left} | {rate:.0} | {drained:.1} |", p.errors);
    }
    println!("the receiver got {} deliveries", received.load(Ordering::Relaxed));
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var("RUST_LOG").is_ok() {
        confab_server::telemetry::init("pretty");
    }
    let load = Load::from_env()?;
    let bed = Bed::new().await?;
    let config = Config {
        // The receiver listens on loopback.
        webhook_allow_private: true,
        // Started and stopped by the benchmark, per phase.
        webhook_workers: false,
        ..bed.config()
    };
    let served = Served::start(config).await?;
    let outcome = run(served.api.clone(), served.state.clone(), load).await;
    served.stop().await?;
    bed.finish().await?;
    outcome
}
