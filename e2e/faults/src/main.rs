//! The load and the checker of `e2e/faults.sh`. Against two servers on one PostgreSQL and
//! one Redis it sets up users, direct conversations and a group, opens listeners on both
//! servers, starts senders over REST and over WebSocket, and writes `--ready-file`. The
//! script then injects its faults and creates `--stop-file`; the senders finish the message
//! in flight, the listeners sync once more, and the checker reads every history back.
//!
//! Each check prints `check <name>: ok` or `check <name>: FAILED ...`; the exit status is
//! non-zero when any failed.

mod check;
mod client;
mod listeners;
mod record;
mod senders;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use reqwest::Method;
use serde_json::json;
use tokio::sync::{mpsc, watch};

use client::{Auth, Servers};
use listeners::Listener;
use senders::{Channel, Sender};

#[derive(Parser)]
struct Args {
    /// Base URL of a server (`http://127.0.0.1:PORT`); give two.
    #[arg(long = "server", required = true)]
    servers: Vec<String>,
    /// The tenant's secret key.
    #[arg(long)]
    key: String,
    /// Written once the load runs.
    #[arg(long)]
    ready_file: PathBuf,
    /// The load stops once this file exists.
    #[arg(long)]
    stop_file: PathBuf,
    /// The load stops after this long even without the stop file.
    #[arg(long, default_value_t = 150)]
    max_seconds: u64,
    /// The slowest a failed attempt may be, in milliseconds.
    #[arg(long, default_value_t = 6000)]
    fail_within_ms: u64,
}

const USERS: usize = 8;

/// (name, user, conversation: 0..=2 the directs of users 0+1, 2+3, 4+5, 3 the group, channel)
const SENDERS: &[(&str, usize, usize, Channel)] = &[
    ("rest0", 0, 0, Channel::Rest),
    ("ws0", 1, 0, Channel::Socket),
    ("rest1", 2, 1, Channel::Rest),
    ("ws1", 3, 1, Channel::Socket),
    ("ws2", 4, 2, Channel::Socket),
    ("rest2", 5, 2, Channel::Rest),
    ("rest3", 6, 3, Channel::Rest),
    ("rest4", 7, 3, Channel::Rest),
    ("ws3", 0, 3, Channel::Socket),
    ("ws4", 2, 3, Channel::Socket),
];

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let servers = Arc::new(Servers::new(args.servers.clone())?);
    let started = Instant::now();

    // Setup, before any fault, through the first server.
    let key = args.key.as_str();
    let max = json!({"per_minute": 600_000, "burst": 10_000});
    let each = json!({"per_user": max, "per_api_key": max, "per_address": max});
    let limits = json!({"settings": {"rate_limits": {"messages": each, "conversations": each}}});
    servers.must(Method::PATCH, "/v1/tenant", Auth::Key(key), limits).await.context("lifting the rate limits")?;
    let mut users = Vec::new();
    for i in 0..USERS {
        let user = servers.must(Method::POST, "/v1/users", Auth::Key(key), json!({"external_id": format!("u{i}")})).await?;
        let id = user["id"].as_str().context("user id")?.to_owned();
        let token = servers.must(Method::POST, "/v1/users/chat-token", Auth::Key(key), json!({"user_id": id})).await?;
        users.push((id, token["chat_token"].as_str().context("chat token")?.to_owned()));
    }
    let mut conversations = Vec::new();
    for pair in [(0, 1), (2, 3), (4, 5)] {
        let body = json!({"user_id": users[pair.1].0});
        let made = servers.must(Method::POST, "/v1/chat/conversations", Auth::Bearer(&users[pair.0].1), body).await?;
        conversations.push(made["id"].as_str().context("conversation id")?.to_owned());
    }
    let others: Vec<&str> = users[1..].iter().map(|(id, _)| id.as_str()).collect();
    let body = json!({"kind": "group", "name": "faults", "participant_ids": others});
    let group = servers.must(Method::POST, "/v1/chat/conversations", Auth::Bearer(&users[0].1), body).await?;
    conversations.push(group["id"].as_str().context("group id")?.to_owned());
    let member_of = |user: usize| -> Vec<String> {
        let direct = (user < 6).then(|| conversations[user / 2].clone());
        direct.into_iter().chain([conversations[3].clone()]).collect()
    };

    // Listeners on both servers: every user on one, users 0 and 1 on the other as well.
    let (stop_listening, listening) = watch::channel(false);
    let (ready, mut readies) = mpsc::channel(32);
    let mut listener_tasks = Vec::new();
    let spots: Vec<(usize, usize)> = (0..USERS).map(|u| (u, u % 2)).chain([(0, 1), (1, 0)]).collect();
    for (n, &(user, server)) in spots.iter().enumerate() {
        let listener = Listener {
            name: format!("listener{n}-u{user}-s{server}"),
            token: users[user].1.clone(),
            conversations: member_of(user),
            server,
        };
        listener_tasks.push(tokio::spawn(listeners::run(servers.clone(), listener, listening.clone(), ready.clone())));
    }
    for _ in &spots {
        tokio::time::timeout(Duration::from_secs(60), readies.recv()).await.context("a listener did not connect")?;
    }

    let (stop_sending, sending) = watch::channel(false);
    let mut sender_tasks = Vec::new();
    for (n, &(name, user, conversation, channel)) in SENDERS.iter().enumerate() {
        let sender = Sender {
            name: name.to_owned(),
            token: users[user].1.clone(),
            conversation: conversations[conversation].clone(),
            server: n % 2,
        };
        sender_tasks.push(tokio::spawn(senders::run(servers.clone(), sender, channel, sending.clone())));
    }
    std::fs::write(&args.ready_file, "running\n")?;
    println!(
        "faults: load running ({} senders, {} listeners, setup took {} ms)",
        SENDERS.len(),
        spots.len(),
        started.elapsed().as_millis()
    );

    let load_started = Instant::now();
    while !args.stop_file.exists() && load_started.elapsed() < Duration::from_secs(args.max_seconds) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_sending.send(true)?;
    let mut sent = Vec::new();
    for task in sender_tasks {
        sent.push(task.await?);
    }
    // Events of the last sends are still on their way to the listeners.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop_listening.send(true)?;
    let mut heard = Vec::new();
    for task in listener_tasks {
        heard.push(task.await?);
    }
    println!("faults: load ran {} s", load_started.elapsed().as_secs());

    let mut histories = HashMap::new();
    for (n, conversation) in conversations.iter().enumerate() {
        let reader = if n < 3 { n * 2 } else { 0 };
        histories.insert(conversation.clone(), check::history(&servers, &users[reader].1, conversation).await?);
    }
    report(&args, &servers, &sent, &heard, &histories);
    Ok(())
}

/// Prints the figures and one line per check; exits non-zero when a check failed.
fn report(
    args: &Args,
    servers: &Servers,
    sent: &[senders::Sent],
    heard: &[listeners::Heard],
    histories: &HashMap<String, Vec<check::Stored>>,
) {
    let acked: usize = sent.iter().map(|s| s.acked.len()).sum();
    let unacked: Vec<&str> = sent.iter().filter_map(|s| s.unacked.as_deref()).collect();
    let stored: usize = histories.values().map(Vec::len).sum();
    println!("faults: {acked} sends acknowledged, {} unacknowledged at the end {unacked:?}, {stored} messages stored", unacked.len());
    println!("faults: messages per conversation {:?}", check::sizes(histories).values().collect::<Vec<_>>());
    for s in sent {
        println!("faults:   sender {}: {} acknowledged", s.name, s.acked.len());
    }
    let anomalies = check::appends(sent, histories);
    println!(
        "faults: checker: lost {}, duplicated {}, out of order {}, seq gaps {}, ack mismatches {}, unexpected {}",
        anomalies.lost, anomalies.duplicated, anomalies.out_of_order, anomalies.seq_gaps, anomalies.ack_mismatch, anomalies.unexpected
    );
    let sum = |f: fn(&listeners::Heard) -> u64| heard.iter().map(f).sum::<u64>();
    println!(
        "faults: listeners: {} messages as events, {} by sync ({} only by the final sync), {} resyncs, {} reconnects, {} gaps seen, {} conflicting events",
        sum(|h| h.live),
        sum(|h| h.synced),
        sum(|h| h.final_synced),
        sum(|h| h.resyncs),
        sum(|h| h.reconnects),
        sum(|h| h.gaps),
        sum(|h| h.conflicts)
    );
    let diverged = check::copies(heard, histories);
    let attempts = record::summarize(&servers.recorder);
    for line in &attempts.lines {
        println!("faults:   attempts {line}");
    }
    println!(
        "faults: {} failed attempts, slowest failure {} ms (bound {} ms), slowest success {} ms",
        attempts.failed,
        attempts.slowest_failure.as_millis(),
        args.fail_within_ms,
        attempts.slowest_success.as_millis()
    );

    let outcomes = servers.recorder.snapshot();
    let saw = |op: &str, outcome: record::Outcome| outcomes.iter().any(|(o, out, _)| o.starts_with(op) && *out == outcome);
    let checks: Vec<(&str, bool, String)> = vec![
        ("load", acked >= 200 && sent.iter().all(|s| !s.acked.is_empty()), format!("{acked} acknowledged")),
        ("lost", anomalies.lost == 0, anomalies.lost.to_string()),
        ("duplicated", anomalies.duplicated == 0, anomalies.duplicated.to_string()),
        ("out_of_order", anomalies.out_of_order == 0, anomalies.out_of_order.to_string()),
        ("seq_gaps", anomalies.seq_gaps == 0, anomalies.seq_gaps.to_string()),
        ("acks_match_history", anomalies.ack_mismatch == 0 && anomalies.unexpected == 0, format!("{anomalies:?}")),
        ("listeners_converge", diverged.is_empty() && sum(|h| h.conflicts) == 0, diverged.join("; ")),
        (
            "outage_seen",
            saw("send", record::Outcome::Unavailable) && saw("send", record::Outcome::Connection),
            "sends saw 503s and lost connections".into(),
        ),
        (
            "failures_clear",
            attempts.unclear == 0,
            format!("{} failed attempts without 503 + Retry-After or an error frame", attempts.unclear),
        ),
        (
            "failures_fast",
            attempts.slowest_failure <= Duration::from_millis(args.fail_within_ms),
            format!("slowest failure {} ms", attempts.slowest_failure.as_millis()),
        ),
    ];
    let failed = checks.iter().filter(|(_, ok, _)| !ok).count();
    for (name, ok, detail) in &checks {
        if *ok {
            println!("check {name}: ok");
        } else {
            println!("check {name}: FAILED {detail}");
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
