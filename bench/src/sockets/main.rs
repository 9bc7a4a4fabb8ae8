//! Opens N idle WebSockets to a `confab-server` it starts (embedded default: SQLite, no
//! other service), reports the server's memory per socket, then measures send → recipient
//! delivery latency at a fixed message rate with those sockets still open.
//!
//!     cargo run --release -p confab-bench --bin sockets -- --sockets 10000 --rate 1000 --seconds 10
//!
//! Each socket needs a file descriptor on both ends: raise `ulimit -n` above N first.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// Idle sockets to open.
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
    /// The server binary; defaults to the release build next to this one.
    #[arg(long)]
    server: Option<String>,
}

const SOCKETS_PER_USER: usize = 10;

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("VmRSS value")?.parse()?)
}

fn start_server(bin: &str, dir: &std::path::Path, port: u16) -> Result<(Child, String)> {
    let mut child = Command::new(bin)
        .arg("serve")
        .env("CONFAB_ADDR", format!("127.0.0.1:{port}"))
        .env("CONFAB_DATA_DIR", dir)
        .env("CONFAB_BOOTSTRAP_PASSWORD", "bench-password")
        .env("CONFAB_WS_MAX_SOCKETS_PER_USER", SOCKETS_PER_USER.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {bin}"))?;
    let stdout = child.stdout.take().context("server stdout")?;
    for line in BufReader::new(stdout).lines() {
        if let Some(key) = line?.split("secret key:").nth(1) {
            return Ok((child, key.trim().to_owned()));
        }
    }
    bail!("the server printed no bootstrap key")
}

struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn post(&self, path: &str, auth: Option<&str>, body: Value) -> Result<Value> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        request = match auth {
            Some(token) => request.bearer_auth(token),
            None => request.header("x-api-key", &self.key),
        };
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body["data"].clone())
    }

    /// A new user and a chat token for them.
    async fn user(&self, name: &str) -> Result<(String, String)> {
        let user = self.post("/v1/users", None, json!({"external_id": name})).await?;
        let id = user["id"].as_str().context("user id")?.to_owned();
        let token = self.post("/v1/users/chat-token", None, json!({"user_id": id})).await?;
        Ok((id, token["chat_token"].as_str().context("token")?.to_owned()))
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a WebSocket with Nagle's algorithm off, as browsers do.
async fn connect(url: String) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    tokio_tungstenite::connect_async_with_config(url, None, true).await.map(|(socket, _)| socket)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let bin = args.server.clone().unwrap_or_else(|| {
        let me = std::env::current_exe().expect("own path");
        me.with_file_name("confab-server").display().to_string()
    });
    let dir = std::env::temp_dir().join(format!("confab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let (mut server, key) = start_server(&bin, &dir, port)?;
    let pid = server.id();
    let api = Api { http: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}"), key };
    let ws_base = format!("ws://127.0.0.1:{port}/v1/chat/ws?token=");

    // Idle sockets, SOCKETS_PER_USER per user.
    let users = args.sockets.div_ceil(SOCKETS_PER_USER);
    let mut tokens = Vec::with_capacity(users);
    for i in 0..users {
        tokens.push(api.user(&format!("idle-{i}")).await?.1);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;
    let mut idle = Vec::with_capacity(args.sockets);
    let opening = Instant::now();
    for chunk in (0..args.sockets).collect::<Vec<_>>().chunks(200) {
        let opened = futures::future::join_all(chunk.iter().map(|i| {
            let url = format!("{ws_base}{}", tokens[i / SOCKETS_PER_USER]);
            async move { connect(url).await }
        }))
        .await;
        for socket in opened {
            idle.push(socket.context("opening an idle socket (is ulimit -n high enough?)")?);
        }
    }
    let open_secs = opening.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid)?;
    let per_socket = (after.saturating_sub(before)) as f64 * 1024.0 / args.sockets as f64;
    // Idle sockets must keep answering the server's pings: drain them in the background.
    let mut drains = Vec::new();
    for mut socket in idle {
        drains.push(tokio::spawn(async move { while let Some(Ok(_)) = socket.next().await {} }));
    }

    // Latency: `pairs` senders, each writing to its own recipient over its socket, together
    // at `rate` messages a second.
    let clock = Instant::now();
    let per_pair = (args.rate * args.seconds / args.pairs.max(1)) as usize;
    let interval = Duration::from_micros(1_000_000 * args.pairs.max(1) / args.rate.max(1));
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for pair in 0..args.pairs.max(1) {
        let (_, sender_token) = api.user(&format!("sender-{pair}")).await?;
        let (recipient_id, recipient_token) = api.user(&format!("recipient-{pair}")).await?;
        let convo = api.post("/v1/chat/conversations", Some(&sender_token), json!({"user_id": recipient_id})).await?;
        let convo_id = convo["id"].as_str().context("conversation id")?.to_owned();
        let sender = connect(format!("{ws_base}{sender_token}")).await?;
        let mut recipient = connect(format!("{ws_base}{recipient_token}")).await?;
        receivers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_pair);
            while latencies.len() < per_pair {
                let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(10), recipient.next()).await else { break };
                if let Message::Text(text) = message {
                    let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if frame["type"] == "new_message" {
                        if let Some(sent) = frame["message"]["body"].as_str().and_then(|b| b.parse::<u128>().ok()) {
                            latencies.push((clock.elapsed().as_micros() - sent) as f64 / 1000.0);
                        }
                    }
                }
            }
            latencies
        }));
        senders.push((sender, convo_id));
    }
    let sending = Instant::now();
    let mut tasks = Vec::new();
    for (sender, convo_id) in senders {
        tasks.push(tokio::spawn(async move {
            let (mut sink, mut acks) = sender.split();
            let drain = tokio::spawn(async move { while let Some(Ok(_)) = acks.next().await {} });
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for _ in 0..per_pair {
                tick.tick().await;
                let body = clock.elapsed().as_micros().to_string();
                let frame = json!({"type": "message", "conversation_id": convo_id, "body": body}).to_string();
                if sink.send(Message::text(frame)).await.is_err() {
                    break;
                }
            }
            drain
        }));
    }
    let mut drains_acks = Vec::new();
    for task in tasks {
        drains_acks.push(task.await?);
    }
    let send_secs = sending.elapsed().as_secs_f64();
    let total = per_pair * args.pairs.max(1) as usize;
    let mut latencies = Vec::with_capacity(total);
    for receiver in receivers {
        latencies.extend(receiver.await?);
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    for d in drains_acks.into_iter().chain(drains) {
        d.abort();
    }

    println!("| measure | value |");
    println!("|---|---|");
    println!("| idle sockets | {} (opened in {:.1} s) |", args.sockets, open_secs);
    println!("| server RSS before / after | {} KiB / {} KiB |", before, after);
    println!("| memory per idle socket | {:.0} bytes ({:.2} KiB) |", per_socket, per_socket / 1024.0);
    println!(
        "| messages sent / delivered | {} / {} in {:.1} s ({:.0} msg/s, {} sender → recipient pairs) |",
        total,
        latencies.len(),
        send_secs,
        total as f64 / send_secs,
        args.pairs
    );
    println!(
        "| delivery latency p50 / p90 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
