//! Send → recipient latency: sender → recipient pairs, each in its own direct conversation,
//! send `message` frames over their sockets at a fixed total rate; each recipient notes when
//! `new_message` arrives. With several server processes the recipient is connected to
//! another process than its sender, so every message crosses Redis.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::connect;
use confab_bench::api::Api;

pub struct Plan {
    pub rate: u64,
    pub seconds: u64,
    pub pairs: u64,
}

pub struct Outcome {
    pub sent: usize,
    /// Milliseconds from send to delivery, sorted.
    pub latencies: Vec<f64>,
    pub send_secs: f64,
}

fn ws_url(port: u16, token: &str) -> String {
    format!("ws://127.0.0.1:{port}/v1/chat/ws?token={token}")
}

pub async fn run(api: &Api, ports: &[u16], plan: &Plan) -> Result<Outcome> {
    let clock = Instant::now();
    let pairs = plan.pairs.max(1);
    let per_pair = (plan.rate * plan.seconds / pairs) as usize;
    let interval = Duration::from_micros(1_000_000 * pairs / plan.rate.max(1));
    api.lift_write_limits().await?;
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for pair in 0..pairs as usize {
        let (_, sender_token) = api.user(&format!("sender-{pair}")).await?;
        let (recipient_id, recipient_token) = api.user(&format!("recipient-{pair}")).await?;
        let convo_id = api.direct(&sender_token, &recipient_id).await?;
        let sender = connect(ws_url(ports[pair % ports.len()], &sender_token)).await?;
        let mut recipient = connect(ws_url(ports[(pair + 1) % ports.len()], &recipient_token)).await?;
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
        // Each sender hands back its ack-draining task, to be aborted once every latency
        // is in; it is not meant to be awaited here.
        #[allow(clippy::async_yields_async)]
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
    let mut drains = Vec::new();
    for task in tasks {
        drains.push(task.await?);
    }
    let send_secs = sending.elapsed().as_secs_f64();
    let mut latencies = Vec::with_capacity(per_pair * pairs as usize);
    for receiver in receivers {
        latencies.extend(receiver.await?);
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    for drain in drains {
        drain.abort();
    }
    Ok(Outcome { sent: per_pair * pairs as usize, latencies, send_secs })
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
