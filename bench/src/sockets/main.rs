//! Opens N idle WebSockets to `confab-server` processes it starts, reports the servers'
//! memory per socket, then measures send → recipient delivery latency at a fixed message
//! rate with those sockets still open.
//!
//! On the embedded default (one process, SQLite, in-process bus):
//!
//!     cargo run --release -p confab-bench --bin sockets -- --sockets 10000 --rate 1000 --seconds 10
//!
//! Several processes on one machine, sharing a fresh PostgreSQL database and a Redis:
//!
//!     CONFAB_BENCH_DATABASE_URL=postgres://confab:confab@127.0.0.1:55432/postgres \
//!     CONFAB_BENCH_REDIS_URL=redis://127.0.0.1:56379 \
//!         cargo run --release -p confab-bench --bin sockets -- --processes 6 --sockets 100000
//!
//! Each socket costs a file descriptor on both ends; the idle ones are held by helper
//! processes of this program (`sockets hold`), at most `--per-holder` each.

mod holder;
mod latency;
mod servers;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use confab_bench::api::Api;
use confab_bench::fresh_db::{self, FreshDatabase};

use holder::Holder;
use latency::{percentile, Plan};
use servers::{Backing, Servers};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Idle sockets to open, spread evenly over the server processes.
    #[arg(long, default_value_t = 5000)]
    sockets: usize,
    /// Messages per second during the latency run.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Length of the latency run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Sender → recipient pairs sharing the rate, each in its own direct conversation.
    #[arg(long, default_value_t = 10)]
    pairs: u64,
    /// Server processes; more than one needs CONFAB_BENCH_DATABASE_URL and CONFAB_BENCH_REDIS_URL.
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// Idle sockets per holder process (each socket is a file descriptor there).
    #[arg(long, default_value_t = 15_000)]
    per_holder: usize,
    /// The server binary; defaults to the release build next to this one.
    #[arg(long)]
    server: Option<String>,
}

#[derive(Subcommand)]
enum Mode {
    /// Internal: hold idle sockets for the benchmark (tokens on standard input).
    Hold {
        #[arg(long)]
        url: String,
    },
}

const SOCKETS_PER_USER: usize = 10;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a WebSocket with Nagle's algorithm off, as browsers do.
async fn connect(url: String) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    tokio_tungstenite::connect_async_with_config(url, None, true).await.map(|(socket, _)| socket)
}

/// PostgreSQL and Redis when both are named, the embedded default otherwise.
async fn backing() -> Result<Backing> {
    let (Some(admin_url), Ok(redis_url)) = (fresh_db::admin_url(), std::env::var("CONFAB_BENCH_REDIS_URL")) else {
        return Ok(Backing::Embedded);
    };
    Ok(Backing::Shared { database: FreshDatabase::create(&admin_url).await?, redis_url })
}

/// Opens `count` idle sockets on each server in `ports`, in holder processes.
async fn open_idle(api: &Api, ports: &[u16], count: usize, per_holder: usize) -> Result<Vec<Holder>> {
    let mut opening = Vec::new();
    for (index, port) in ports.iter().enumerate() {
        let share = count / ports.len() + usize::from(index < count % ports.len());
        let users = share.div_ceil(SOCKETS_PER_USER);
        let tokens = api.tokens(&format!("idle-{index}"), users).await?;
        let sockets: Vec<String> = (0..share).map(|i| tokens[i / SOCKETS_PER_USER].clone()).collect();
        let url = format!("ws://127.0.0.1:{port}/v1/chat/ws?token=");
        for chunk in sockets.chunks(per_holder.max(1)) {
            let (url, chunk) = (url.clone(), chunk.to_vec());
            opening.push(tokio::spawn(async move { Holder::open(&url, &chunk).await }));
        }
    }
    let mut holders = Vec::new();
    for task in opening {
        holders.push(task.await?.context("opening idle sockets (is ulimit -n high enough?)")?);
    }
    Ok(holders)
}

async fn measure(args: &Args, servers: &Servers) -> Result<()> {
    let api = Api::new(servers.ports[0], servers.api_key.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = servers.rss_kib()?;
    let opening = Instant::now();
    let holders = open_idle(&api, &servers.ports, args.sockets, args.per_holder).await?;
    let open_secs = opening.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = servers.rss_kib()?;
    let per_socket = after.saturating_sub(before) as f64 * 1024.0 / args.sockets.max(1) as f64;

    let plan = Plan { rate: args.rate, seconds: args.seconds, pairs: args.pairs };
    let outcome = latency::run(&api, &servers.ports, &plan).await?;
    let all = &outcome.latencies;

    println!("| measure | value |");
    println!("|---|---|");
    println!("| server processes | {} |", servers.ports.len());
    println!("| idle sockets | {} (opened in {open_secs:.1} s, {} holder processes) |", args.sockets, holders.len());
    println!("| server RSS before / after | {before} KiB / {after} KiB |");
    println!("| memory per idle socket | {per_socket:.0} bytes ({:.2} KiB) |", per_socket / 1024.0);
    println!(
        "| messages sent / delivered | {} / {} in {:.1} s ({:.0} msg/s, {} sender → recipient pairs) |",
        outcome.sent,
        all.len(),
        outcome.send_secs,
        outcome.sent as f64 / outcome.send_secs,
        args.pairs
    );
    println!(
        "| delivery latency p50 / p90 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        percentile(all, 50.0),
        percentile(all, 90.0),
        percentile(all, 99.0),
        all.last().copied().unwrap_or(f64::NAN)
    );
    println!("| sends refused (error frames) | {} |", counted(&outcome.refused));
    println!("| resync events at the recipients | {} |", outcome.resyncs);
    println!("| sockets closed by the server (code) / frames left unsent | {} / {} |", counted(&outcome.closes), outcome.unsent);
    for holder in holders {
        holder.close().await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(Mode::Hold { url }) = &args.mode {
        return holder::hold(url).await;
    }
    let bin = args.server.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().expect("own path");
        me.with_file_name("confab-server").display().to_string()
    });
    let servers = Servers::start(&bin, args.processes.max(1), backing().await?, SOCKETS_PER_USER).await?;
    let outcome = measure(&args, &servers).await;
    servers.stop().await?;
    outcome
}

/// Counts by key as "3 a, 1 b", or "none".
fn counted(counts: &std::collections::BTreeMap<String, usize>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts.iter().map(|(key, n)| format!("{n} {key}")).collect::<Vec<_>>().join(", ")
}
