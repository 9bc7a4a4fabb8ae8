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

use std::sync::Arc;
use std::time::Duration;

use confab_bench::api::Api;
use confab_bench::bed::{Bed, Served};
use confab_bench::send_load::{phase, senders as make_senders, Load};
use confab_server::config::Secret;
use confab_server::search::RelayStats;
use confab_server::store::{search_outbox, Db};
use confab_server::Config;

async fn run(api: Arc<Api>, db: Db, relay: RelayStats, load: Load) -> anyhow::Result<()> {
    let Load { senders, length, rounds } = load;
    api.lift_write_limits().await?;
    let pairs = make_senders(&api, senders).await?;
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
            let (rate, p50, p99) = (p.rate(), p.ms(0.5), p.ms(0.99));
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
    let load = Load::from_env()?;
    let bed = Bed::new().await?;
    let config = Config {
        meili_index: format!("bench_{}", ulid::Ulid::new().to_string().to_lowercase()),
        meili_key: std::env::var("CONFAB_BENCH_MEILI_KEY").ok().map(Secret::new),
        meili_url: std::env::var("CONFAB_BENCH_MEILI_URL").ok().filter(|u| !u.is_empty()),
        ..bed.config()
    };
    let served = Served::start(config).await?;
    println!("search index: {}", served.state.search.kind());
    let (db, relay) = (served.state.db.clone(), served.state.metrics.search_relay.clone());
    let outcome = run(served.api.clone(), db, relay, load).await;
    served.stop().await?;
    bed.finish().await?;
    outcome
}
