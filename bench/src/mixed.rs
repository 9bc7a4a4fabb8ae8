//! A mixed load: 80 % reads (conversation lists and history) and 20 % sends, from clients
//! that each work one direct conversation of their own as fast as answers come. On SQLite it
//! runs twice per round, with reads on their own connections beside the one writer (the
//! default, `CONFAB_DATABASE_READERS=4`) and, as the reference, with reads sharing the
//! writer's connection (`0`), each on a fresh database.
//!
//! ```sh
//! cargo run --release -p confab-bench --bin mixed
//! CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     cargo run --release -p confab-bench --bin mixed
//! ```
//!
//! `CONFAB_BENCH_SENDERS` (clients, default 64), `CONFAB_BENCH_SECONDS` (per phase, default
//! 10) and `CONFAB_BENCH_ROUNDS` (default 3) change the load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_bench::api::Api;
use confab_bench::bed::{Bed, Served};
use confab_bench::fresh_db::admin_url;
use confab_bench::send_load::{percentile, senders, Load};
use serde_json::json;

/// Messages each conversation holds before the phase, so history pages are full.
const SEEDED: usize = 50;

/// What one phase measured: sorted latencies of reads and of sends, and errors.
struct Mixed {
    reads: Vec<Duration>,
    sends: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

/// One client's loop: of every five requests, one send, two list pages, two history pages.
async fn client(api: Arc<Api>, token: String, conversation: String, stop: Arc<AtomicBool>) -> (Vec<Duration>, Vec<Duration>, usize) {
    let (mut reads, mut sends, mut errors) = (Vec::new(), Vec::new(), 0);
    let messages = format!("{}/v1/chat/conversations/{conversation}/messages", api.base);
    let list = format!("{}/v1/chat/conversations?per_page=20", api.base);
    let history = format!("{messages}?per_page=50");
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let started = Instant::now();
        let (request, is_send) = match n % 5 {
            0 => (api.http.post(&messages).json(&json!({"body": format!("mixed load {n}")})), true),
            1 | 3 => (api.http.get(&list), false),
            _ => (api.http.get(&history), false),
        };
        let ok = match request.bearer_auth(&token).send().await {
            Ok(reply) => reply.status().is_success() && reply.bytes().await.is_ok(),
            Err(_) => false,
        };
        match (ok, is_send) {
            (false, _) => errors += 1,
            (true, true) => sends.push(started.elapsed()),
            (true, false) => reads.push(started.elapsed()),
        }
    }
    (reads, sends, errors)
}

/// A fresh server with `readers` SQLite read connections, its clients and their seeded
/// conversations, under the mixed load for `length`.
async fn phase(load: &Load, readers: u32) -> anyhow::Result<Mixed> {
    let bed = Bed::new().await?;
    let mut config = bed.config();
    config.database_readers = readers;
    let served = Served::start(config).await?;
    let api = served.api.clone();
    api.lift_write_limits().await?;
    let pairs = senders(&api, load.senders).await?;
    for (token, conversation) in &pairs {
        for i in 0..SEEDED {
            api.post(&format!("/v1/chat/conversations/{conversation}/messages"), Some(token), json!({"body": format!("seed {i}")})).await?;
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> =
        pairs.into_iter().map(|(token, conversation)| tokio::spawn(client(api.clone(), token, conversation, stop.clone()))).collect();
    tokio::time::sleep(load.length).await;
    stop.store(true, Ordering::Relaxed);
    let mut mixed = Mixed { reads: Vec::new(), sends: Vec::new(), errors: 0, elapsed: Duration::ZERO };
    for task in tasks {
        let (reads, sends, errors) = task.await?;
        mixed.reads.extend(reads);
        mixed.sends.extend(sends);
        mixed.errors += errors;
    }
    mixed.elapsed = started.elapsed();
    mixed.reads.sort();
    mixed.sends.sort();
    served.stop().await?;
    bed.finish().await?;
    Ok(mixed)
}

fn print(what: &str, m: &Mixed) {
    let secs = m.elapsed.as_secs_f64();
    let ms = |times: &[Duration], p| if times.is_empty() { 0.0 } else { percentile(times, p) };
    println!(
        "{what}: {:.0} requests/s ({:.0} reads/s p50 {:.1} p99 {:.1} ms; {:.0} sends/s p50 {:.1} p99 {:.1} ms), {} errors",
        (m.reads.len() + m.sends.len()) as f64 / secs,
        m.reads.len() as f64 / secs,
        ms(&m.reads, 0.5),
        ms(&m.reads, 0.99),
        m.sends.len() as f64 / secs,
        ms(&m.sends, 0.5),
        ms(&m.sends, 0.99),
        m.errors
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let load = Load::from_env()?;
    let variants: &[(&str, u32)] = if admin_url().is_some() {
        &[("PostgreSQL", 4)]
    } else {
        &[("SQLite, 4 read connections beside the writer", 4), ("SQLite, reads on the writer's connection (reference)", 0)]
    };
    for round in 1..=load.rounds {
        for (what, readers) in variants {
            let mixed = phase(&load, *readers).await?;
            print(&format!("round {round}, {what}"), &mixed);
        }
    }
    Ok(())
}
