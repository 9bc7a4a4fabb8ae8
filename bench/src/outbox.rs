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

use anyhow::{bail, Context};
use confab_bench::api::Api;
use confab_bench::fresh_db::FreshDatabase;
use confab_bench::send_load::{env_number, phase, senders as make_senders, JWT_KEYS};
use confab_server::config::Secret;
use confab_server::search::RelayStats;
use confab_server::store::{search_outbox, Db};
use confab_server::{Application, Config};

async fn run(api: Arc<Api>, db: Db, relay: RelayStats, senders: usize, length: Duration, rounds: u64) -> anyhow::Result<()> {
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
